//! Writing a plan's outcomes, measures and risks as a spreadsheet gives
//! them: each is matched by its code, added or updated; values and reviews
//! given with them are appended. All in one transaction, or nothing.

use super::{Result, Store, StoreError, join_list, to_ms};
use crate::plan::Plan;
use crate::plan::measure::{Frequency, Measure, Unit};
use crate::plan::outcome::Outcome;
use crate::plan::risk::{Rating, Risk};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::SqliteConnection;

/// What a workbook says besides the actions.
#[derive(Debug, Clone, Default)]
pub struct Register {
    pub outcomes: Vec<Outcome>,
    pub measures: Vec<Measure>,
    /// Each risk with its rating as reported, if the sheet gives one.
    pub risks: Vec<(Risk, Option<Rating>)>,
    /// Values as reported: measure code, the period's first day, the value,
    /// its note.
    pub values: Vec<(String, NaiveDate, f64, Option<String>)>,
    /// The notes are given (the sheet has a Note column): a different note
    /// with the same value is a correction. Without, the value alone counts.
    pub notes_given: bool,
}

/// Who the values and ratings are recorded as, and when.
#[derive(Debug, Clone)]
pub struct RegisterSource {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What writing a register added to the record, as seen inside its
/// transaction: a file given again adds nothing, and says so.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegisterWritten {
    /// Values for a period that had none.
    pub new_values: usize,
    /// Values that replace a different one recorded for their period, or
    /// the same value with a different note.
    pub corrections: Vec<Correction>,
    /// Risk ratings that differ from the risk's latest.
    pub new_ratings: usize,
    /// Owners the database did not have as people, in the order met.
    pub new_people: Vec<String>,
}

/// A value recorded over a different one for the same period (or the same
/// value with a different note), with its measure's unit and frequency.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub measure: String,
    /// The period's first day.
    pub period: NaiveDate,
    pub old: f64,
    pub new: f64,
    pub unit: Unit,
    pub frequency: Frequency,
    /// The note given with the new value.
    pub note: Option<String>,
}

impl Store {
    pub async fn save_register(
        &self,
        plan: &Plan,
        register: &Register,
        source: &RegisterSource,
    ) -> Result<RegisterWritten> {
        let mut tx = self.begin_write().await?;
        let written = write_register(&mut tx, plan.id, register, source).await?;
        tx.commit().await?;
        Ok(written)
    }
}

/// The register's rows, inside the caller's transaction (an import writes
/// them with the actions, all or nothing).
pub(crate) async fn write_register(
    tx: &mut SqliteConnection,
    plan_id: i64,
    register: &Register,
    source: &RegisterSource,
) -> Result<RegisterWritten> {
    let mut written = RegisterWritten::default();
    let at = to_ms(source.at);
    for (position, o) in register.outcomes.iter().enumerate() {
        let (position, priority, actions) = (
            position as i64,
            o.priority.map(i64::from),
            join_list(&o.actions),
        );
        let id = sqlx::query_scalar!(
            "INSERT INTO outcomes (plan_id, code, statement, priority_number, actions, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (plan_id, code) DO UPDATE SET statement = ?3, priority_number = ?4,
                 actions = ?5, position = ?6, removed_at_ms = NULL
             RETURNING id",
            plan_id,
            o.code,
            o.statement,
            priority,
            actions,
            position
        )
        .fetch_one(&mut *tx)
        .await?;
        // The same refs one to a row, for reading (migration 10).
        let refs =
            serde_json::to_string(&o.actions).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query!("DELETE FROM outcome_actions WHERE outcome_id = ?", id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT OR IGNORE INTO outcome_actions (outcome_id, ref)
             SELECT ?1, value FROM json_each(?2) WHERE value <> ''",
            id,
            refs
        )
        .execute(&mut *tx)
        .await?;
    }
    keep_their_reading(tx, plan_id, &register.measures).await?;
    for (position, m) in register.measures.iter().enumerate() {
        let id = upsert_measure(tx, plan_id, m, position as i64, at).await?;
        link_owners(tx, "measure", id, &m.owners, &mut written.new_people).await?;
    }
    for (position, (risk, rating)) in register.risks.iter().enumerate() {
        let id = upsert_risk(tx, plan_id, risk, position as i64, at).await?;
        link_owners(tx, "risk", id, &risk.owners, &mut written.new_people).await?;
        if let Some(rating) = rating {
            let (l, i) = (i64::from(rating.likelihood), i64::from(rating.impact));
            let done = sqlx::query!(
                "INSERT INTO risk_reviews (risk_id, likelihood, impact, note, actor, at_ms)
                 SELECT ?1, ?2, ?3, NULL, ?4, ?5
                  WHERE NOT EXISTS (SELECT 1 FROM risk_reviews WHERE risk_id = ?1 AND id =
                        (SELECT MAX(id) FROM risk_reviews WHERE risk_id = ?1)
                        AND likelihood = ?2 AND impact = ?3)",
                id,
                l,
                i,
                source.by,
                at
            )
            .execute(&mut *tx)
            .await?;
            written.new_ratings += done.rows_affected() as usize;
        }
    }
    // Values go a chunk at a time through json_each: a workbook holds tens
    // of thousands, and a statement each would cost seconds.
    let notes = register.notes_given;
    for chunk in register.values.chunks(VALUES_CHUNK) {
        let rows: Vec<ValueRow> = chunk
            .iter()
            .map(|(code, period, value, note)| ValueRow {
                code,
                period: period.to_string(),
                value: *value,
                note: note.as_deref(),
            })
            .collect();
        let rows = serde_json::to_string(&rows).expect("plain data serialises");
        // The values a chunk replaces, read before it is written. CROSS JOIN
        // keeps SQLite to the sheet's order: each row looks up its measure
        // and its period, rather than every value scanning the sheet.
        let replaced = sqlx::query!(
            r#"SELECT m.code AS "code!: String", m.unit AS "unit!: String",
                 m.frequency AS "frequency!: String", v.period AS "period!: NaiveDate",
                 v.value AS "old!: f64", j.value ->> '$.value' AS "new!: f64",
                 j.value ->> '$.note' AS "note?: String"
               FROM json_each(?2) j
               CROSS JOIN measures m ON m.plan_id = ?1 AND m.code = j.value ->> '$.code'
               CROSS JOIN measure_values v ON v.measure_id = m.id
                AND v.period = j.value ->> '$.period'
                AND v.id = (SELECT MAX(id) FROM measure_values
                             WHERE measure_id = m.id AND period = j.value ->> '$.period')
              WHERE v.value <> j.value ->> '$.value'
                 OR (?3 AND v.note IS NOT j.value ->> '$.note')"#,
            plan_id,
            rows,
            notes
        )
        .fetch_all(&mut *tx)
        .await?;
        // A value the database already holds for the period (with the same
        // note, when the sheet gives notes) is not written again: the exact
        // complement of the replaced values' condition above, so that the
        // rows written are the replaced ones and the new.
        let done = sqlx::query!(
            "INSERT INTO measure_values (measure_id, period, value, note, actor, at_ms)
             SELECT m.id, j.value ->> '$.period', j.value ->> '$.value', j.value ->> '$.note', ?3, ?4
               FROM json_each(?2) j
               CROSS JOIN measures m ON m.plan_id = ?1 AND m.code = j.value ->> '$.code'
              WHERE NOT EXISTS (SELECT 1 FROM measure_values v WHERE v.measure_id = m.id
                    AND v.period = j.value ->> '$.period' AND v.id = (SELECT MAX(id)
                        FROM measure_values WHERE measure_id = m.id
                         AND period = j.value ->> '$.period')
                    AND v.value = j.value ->> '$.value'
                    AND (NOT ?5 OR v.note IS j.value ->> '$.note'))",
            plan_id,
            rows,
            source.by,
            at,
            notes
        )
        .execute(&mut *tx)
        .await?;
        written.new_values += (done.rows_affected() as usize).saturating_sub(replaced.len());
        for r in replaced {
            let corrupt = || StoreError::Corrupt(format!("measure {}", r.code));
            written.corrections.push(Correction {
                unit: Unit::parse(&r.unit).ok_or_else(corrupt)?,
                frequency: Frequency::parse(&r.frequency).ok_or_else(corrupt)?,
                measure: r.code,
                period: r.period,
                old: r.old,
                new: r.new,
                note: r.note,
            });
        }
    }
    // SQLite reads the rows in no promised order.
    written
        .corrections
        .sort_by(|a, b| (&a.measure, a.period).cmp(&(&b.measure, b.period)));
    Ok(written)
}

/// Values written per statement.
const VALUES_CHUNK: usize = 4096;

#[derive(serde::Serialize)]
struct ValueRow<'a> {
    code: &'a str,
    period: String,
    value: f64,
    note: Option<&'a str>,
}

/// A measure with values keeps its unit and frequency: they say how its
/// values read. The import's checks refuse a change; this catches a value
/// recorded between those checks and the write, for all the sheet's
/// measures in one read.
async fn keep_their_reading(
    tx: &mut SqliteConnection,
    plan_id: i64,
    measures: &[Measure],
) -> Result<()> {
    if measures.is_empty() {
        return Ok(());
    }
    let measured = sqlx::query!(
        "SELECT code, unit, frequency FROM measures m WHERE plan_id = ?
            AND EXISTS (SELECT 1 FROM measure_values v WHERE v.measure_id = m.id)",
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?;
    for r in measured {
        let changed = measures.iter().find(|m| {
            m.code == r.code && (m.unit.as_str() != r.unit || m.frequency.as_str() != r.frequency)
        });
        if let Some(m) = changed {
            return Err(StoreError::MeasureHasValues(m.code.clone()));
        }
    }
    Ok(())
}

async fn upsert_measure(
    tx: &mut SqliteConnection,
    plan_id: i64,
    m: &Measure,
    position: i64,
    at: i64,
) -> Result<i64> {
    let (owners, recs) = (join_list(&m.owners), join_list(&m.recommendations));
    let (unit, frequency, better) = (m.unit.as_str(), m.frequency.as_str(), m.better.as_str());
    let (bdate, tdate) = (m.baseline_date.to_string(), m.target_date.to_string());
    let priority = m.priority.map(i64::from);
    let id = sqlx::query_scalar!(
        "INSERT INTO measures (plan_id, code, name, unit, outcome_code, priority_number, owners,
             recommendations, frequency, baseline, baseline_date, target, target_date, better,
             tolerance, position, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (plan_id, code) DO UPDATE SET name = ?3, unit = ?4, outcome_code = ?5,
             priority_number = ?6, owners = ?7, recommendations = ?8, frequency = ?9,
             baseline = ?10, baseline_date = ?11, target = ?12, target_date = ?13, better = ?14,
             tolerance = ?15, position = ?16, removed_at_ms = NULL
         RETURNING id",
        plan_id,
        m.code,
        m.name,
        unit,
        m.outcome,
        priority,
        owners,
        recs,
        frequency,
        m.baseline,
        bdate,
        m.target,
        tdate,
        better,
        m.tolerance,
        position,
        at
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

async fn upsert_risk(
    tx: &mut SqliteConnection,
    plan_id: i64,
    r: &Risk,
    position: i64,
    at: i64,
) -> Result<i64> {
    let (owners, mitigations) = (join_list(&r.owners), join_list(&r.mitigations));
    let review = r.next_review.map(|d| d.to_string());
    let id = sqlx::query_scalar!(
        "INSERT INTO risks (plan_id, code, title, cause, consequence, owners, mitigations,
             next_review, position, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (plan_id, code) DO UPDATE SET title = ?3, cause = ?4, consequence = ?5,
             owners = ?6, mitigations = ?7, next_review = ?8, position = ?9, removed_at_ms = NULL
         RETURNING id",
        plan_id,
        r.code,
        r.title,
        r.cause,
        r.consequence,
        owners,
        mitigations,
        review,
        position,
        at
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(id)
}

/// The owners as people (added if new, and named in `added`), in the
/// order given.
async fn link_owners(
    tx: &mut SqliteConnection,
    kind: &str,
    id: i64,
    owners: &[String],
    added: &mut Vec<String>,
) -> Result<()> {
    for name in owners {
        let done = sqlx::query!(
            "INSERT INTO people (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
            name
        )
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            added.push(name.clone());
        }
    }
    let names = serde_json::to_string(owners).expect("names serialise");
    if kind == "measure" {
        sqlx::query!("DELETE FROM measure_owners WHERE measure_id = ?", id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT INTO measure_owners (measure_id, person_id, position)
             SELECT ?1, p.id, j.key FROM json_each(?2) j JOIN people p ON p.name = j.value",
            id,
            names
        )
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query!("DELETE FROM risk_owners WHERE risk_id = ?", id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT INTO risk_owners (risk_id, person_id, position)
             SELECT ?1, p.id, j.key FROM json_each(?2) j JOIN people p ON p.name = j.value",
            id,
            names
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The plan's outcomes, in the plan's order.
    pub async fn outcomes(&self, plan: &Plan) -> Result<Vec<Outcome>> {
        let rows = sqlx::query!(
            "SELECT code, statement, priority_number, actions FROM outcomes
              WHERE plan_id = ? AND removed_at_ms IS NULL ORDER BY position",
            plan.id
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Outcome {
                code: r.code,
                statement: r.statement,
                priority: r.priority_number.map(|n| n as u32),
                actions: super::split_list(&r.actions),
            })
            .collect())
    }
}
