//! Measures and their values over time. A value is never overwritten: a
//! correction is a new row, and a period's value is its latest row.

use super::{Result, Store, StoreError, from_ms, split_list, to_ms};
use crate::plan::Plan;
use crate::plan::measure::{Better, Frequency, Measure, Period, Unit};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One value as recorded: for which period, who, when.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureValue {
    pub period: NaiveDate,
    pub value: f64,
    pub note: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A value to record, settled by the caller once it has seen the measure.
#[derive(Debug, Clone)]
pub struct ValueRequest {
    pub period: Period,
    pub value: f64,
    pub note: Option<String>,
    pub by: String,
    pub by_discord_id: Option<u64>,
    pub at: DateTime<Utc>,
    /// The caller knows a value is already recorded for the period and means
    /// to correct it; without this, such a request is refused.
    pub correction: bool,
}

/// What was written, and what it replaced.
#[derive(Debug, Clone)]
pub struct ValueRecorded {
    pub measure: Measure,
    pub recorded: MeasureValue,
    pub replaced: Option<MeasureValue>,
}

struct MeasureRow {
    id: i64,
    code: String,
    name: String,
    unit: String,
    outcome_code: Option<String>,
    priority_number: Option<i64>,
    owners: String,
    recommendations: String,
    frequency: String,
    baseline: f64,
    baseline_date: String,
    target: f64,
    target_date: String,
    better: String,
    tolerance: f64,
}

impl MeasureRow {
    fn into_measure(self) -> Result<(i64, Measure)> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("measure {}: {what}", self.code));
        let date = |d: &str| d.parse::<NaiveDate>().map_err(|_| corrupt("a date"));
        let measure = Measure {
            name: self.name.clone(),
            unit: Unit::parse(&self.unit).ok_or_else(|| corrupt("its unit"))?,
            outcome: self.outcome_code.clone(),
            priority: self.priority_number.map(|n| n as u32),
            recommendations: split_list(&self.recommendations),
            owners: split_list(&self.owners),
            frequency: Frequency::parse(&self.frequency).ok_or_else(|| corrupt("its frequency"))?,
            baseline: self.baseline,
            baseline_date: date(&self.baseline_date)?,
            target: self.target,
            target_date: date(&self.target_date)?,
            better: Better::parse(&self.better).ok_or_else(|| corrupt("its direction"))?,
            tolerance: self.tolerance,
            code: self.code.clone(),
        };
        Ok((self.id, measure))
    }
}

impl Store {
    /// The codes of the plan's measures that have a value recorded.
    pub async fn measured_codes(&self, plan: &Plan) -> Result<HashSet<String>> {
        let codes = sqlx::query_scalar!(
            "SELECT code FROM measures m WHERE plan_id = ?
                AND EXISTS (SELECT 1 FROM measure_values v WHERE v.measure_id = m.id)",
            plan.id
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(codes.into_iter().collect())
    }

    /// The plan's measures, in the plan's order.
    pub async fn measures(&self, plan: &Plan) -> Result<Vec<Measure>> {
        let rows = sqlx::query_as!(
            MeasureRow,
            "SELECT id, code, name, unit, outcome_code, priority_number, owners, recommendations,
                    frequency, baseline, baseline_date, target, target_date, better, tolerance
               FROM measures WHERE plan_id = ? AND removed_at_ms IS NULL ORDER BY position",
            plan.id
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| r.into_measure().map(|(_, m)| m))
            .collect()
    }

    pub async fn measure(&self, plan: &Plan, code: &str) -> Result<Measure> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_measure(&mut conn, plan, code).await?.1)
    }

    /// Every value recorded for a measure, corrections included, in the
    /// order they were written.
    pub async fn measure_values(&self, plan: &Plan, code: &str) -> Result<Vec<MeasureValue>> {
        let rows = sqlx::query!(
            "SELECT v.period, v.value, v.note, v.actor, v.at_ms
               FROM measure_values v JOIN measures m ON m.id = v.measure_id
              WHERE m.plan_id = ? AND m.code = ? COLLATE NOCASE ORDER BY v.id",
            plan.id,
            code
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(MeasureValue {
                    period: parse_day(&r.period)?,
                    value: r.value,
                    note: r.note,
                    by: r.actor,
                    at: from_ms(r.at_ms),
                })
            })
            .collect()
    }

    /// Each measure's value per period as known at `as_of`: the latest
    /// row written by then. Keyed by measure code.
    pub async fn values_as_of(
        &self,
        plan: &Plan,
        as_of: DateTime<Utc>,
    ) -> Result<HashMap<String, BTreeMap<NaiveDate, f64>>> {
        let as_of = to_ms(as_of);
        let rows = sqlx::query!(
            "SELECT m.code, v.period, v.value
               FROM measure_values v JOIN measures m ON m.id = v.measure_id
              WHERE m.plan_id = ? AND v.at_ms <= ? ORDER BY v.id",
            plan.id,
            as_of
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<String, BTreeMap<NaiveDate, f64>> = HashMap::new();
        for r in rows {
            // In id order, so a later correction replaces the earlier value.
            out.entry(r.code)
                .or_default()
                .insert(parse_day(&r.period)?, r.value);
        }
        Ok(out)
    }

    /// The measures a person owns, in the plan's order.
    pub async fn measures_owned_by(&self, plan: &Plan, person: &str) -> Result<Vec<Measure>> {
        let owned: Vec<Measure> = self
            .measures(plan)
            .await?
            .into_iter()
            .filter(|m| m.owners.iter().any(|o| o.eq_ignore_ascii_case(person)))
            .collect();
        Ok(owned)
    }

    /// Records a value: `decide` sees the measure as it stands inside the
    /// write transaction (its owners then, for the permission check) and
    /// settles the request. A period already recorded is refused unless the
    /// request says it is a correction.
    pub async fn record_value<E: From<StoreError>>(
        &self,
        plan: &Plan,
        code: &str,
        decide: impl FnOnce(&Measure) -> std::result::Result<ValueRequest, E>,
    ) -> std::result::Result<ValueRecorded, E> {
        let mut tx = self.begin_write().await?;
        let (id, measure) = load_measure(&mut tx, plan, code).await?;
        let req = decide(&measure)?;
        let period = req.period.start.to_string();
        let existing = sqlx::query!(
            "SELECT value, note, actor, at_ms FROM measure_values
              WHERE measure_id = ? AND period = ? ORDER BY id DESC LIMIT 1",
            id,
            period
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .map(|r| MeasureValue {
            period: req.period.start,
            value: r.value,
            note: r.note,
            by: r.actor,
            at: from_ms(r.at_ms),
        });
        if let Some(old) = &existing
            && !req.correction
        {
            return Err(StoreError::AlreadyRecorded {
                measure: measure.code.clone(),
                period: req.period,
                value: old.value,
                unit: measure.unit,
                by: old.by.clone(),
            }
            .into());
        }
        // A correction to the value and note already there would add a
        // history row that changes nothing. (The same value without the
        // note is a change: it takes a wrong note away.)
        if let Some(old) = &existing
            && old.value == req.value
            && old.note == req.note
        {
            return Err(StoreError::SameValue {
                measure: measure.code.clone(),
                period: req.period,
                value: old.value,
                unit: measure.unit,
            }
            .into());
        }
        let (at, discord) = (to_ms(req.at), req.by_discord_id.map(|d| d.to_string()));
        sqlx::query!(
            "INSERT INTO measure_values (measure_id, period, value, note, actor, actor_discord_id, at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            id,
            period,
            req.value,
            req.note,
            req.by,
            discord,
            at
        )
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(ValueRecorded {
            measure,
            recorded: MeasureValue {
                period: req.period.start,
                value: req.value,
                note: req.note,
                by: req.by,
                at: req.at,
            },
            replaced: existing,
        })
    }
}

async fn load_measure(
    conn: &mut sqlx::SqliteConnection,
    plan: &Plan,
    code: &str,
) -> Result<(i64, Measure)> {
    let code = code.trim();
    let row = sqlx::query_as!(
        MeasureRow,
        "SELECT id, code, name, unit, outcome_code, priority_number, owners, recommendations,
                frequency, baseline, baseline_date, target, target_date, better, tolerance
           FROM measures WHERE plan_id = ? AND code = ? COLLATE NOCASE AND removed_at_ms IS NULL",
        plan.id,
        code
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NoSuchMeasure {
        plan: plan.name.clone(),
        code: code.to_string(),
    })?;
    row.into_measure()
}

fn parse_day(text: &str) -> Result<NaiveDate> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("a period \"{text}\"")))
}
