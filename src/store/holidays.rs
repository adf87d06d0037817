//! Bank holidays imported from gov.uk's file, and each plan's division.

use super::{Result, Store, StoreError, to_ms};
use crate::plan::Plan;
use crate::schedule::{Division, Holiday};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeSet;

/// What an import of the holidays file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HolidaysStored {
    pub added: u64,
    pub kept: u64,
}

/// One division's holidays as known: how many, and the span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidaySpan {
    pub division: Division,
    pub count: i64,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Store {
    /// Adds the file's holidays, all or none. Dates already known keep their
    /// row (the title is refreshed); none is removed, since gov.uk's file
    /// covers only a few years and past holidays still explain past runs.
    pub async fn import_holidays(
        &self,
        holidays: &[Holiday],
        now: DateTime<Utc>,
    ) -> Result<HolidaysStored> {
        let now_ms = to_ms(now);
        let mut tx = self.begin_write().await?;
        let mut stored = HolidaysStored::default();
        for h in holidays {
            let (division, day) = (h.division.as_str(), h.day.to_string());
            let known = sqlx::query_scalar!(
                "SELECT COUNT(*) FROM bank_holidays WHERE division = ? AND day = ?",
                division,
                day
            )
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query!(
                "INSERT INTO bank_holidays (division, day, title, imported_at_ms) VALUES (?, ?, ?, ?)
                 ON CONFLICT (division, day) DO UPDATE SET title = excluded.title",
                division,
                day,
                h.title,
                now_ms
            )
            .execute(&mut *tx)
            .await?;
            if known > 0 {
                stored.kept += 1;
            } else {
                stored.added += 1;
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// The imported holidays of a division.
    pub async fn holidays(&self, division: Division) -> Result<BTreeSet<NaiveDate>> {
        let name = division.as_str();
        let days = sqlx::query_scalar!("SELECT day FROM bank_holidays WHERE division = ?", name)
            .fetch_all(&self.pool)
            .await?;
        days.iter()
            .map(|d| {
                d.parse()
                    .map_err(|_| StoreError::Corrupt(format!("bank holiday \"{d}\"")))
            })
            .collect()
    }

    /// Each division with imported holidays: count, first and last.
    pub async fn holiday_spans(&self) -> Result<Vec<HolidaySpan>> {
        let rows = sqlx::query!(
            r#"SELECT division AS "division!", COUNT(*) AS "count!: i64",
                      MIN(day) AS "first!: String", MAX(day) AS "last!: String"
                 FROM bank_holidays GROUP BY division ORDER BY division"#
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let corrupt = || StoreError::Corrupt(format!("bank holidays of {}", r.division));
                Ok(HolidaySpan {
                    division: Division::parse(&r.division).ok_or_else(corrupt)?,
                    count: r.count,
                    first: r.first.parse().map_err(|_| corrupt())?,
                    last: r.last.parse().map_err(|_| corrupt())?,
                })
            })
            .collect()
    }

    pub async fn holiday_division(&self, plan: &Plan) -> Result<Division> {
        let name = sqlx::query_scalar!("SELECT holiday_division FROM plans WHERE id = ?", plan.id)
            .fetch_one(&self.pool)
            .await?;
        Division::parse(&name)
            .ok_or_else(|| StoreError::Corrupt(format!("holiday division \"{name}\"")))
    }

    pub async fn set_holiday_division(&self, plan: &Plan, division: Division) -> Result<()> {
        let name = division.as_str();
        let mut tx = self.begin_write().await?;
        sqlx::query!(
            "UPDATE plans SET holiday_division = ? WHERE id = ?",
            name,
            plan.id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
