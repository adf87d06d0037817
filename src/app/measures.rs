//! Recording a measure's value, and reading measures as the board does:
//! each judged against its trajectory, with its direction of travel.

use super::{Actor, AppError};
use crate::plan::Plan;
use crate::plan::measure::{Measure, Period, Written};
use crate::store::{MeasureValue, Store, StoreError, ValueRecorded, ValueRequest};
use chrono::{DateTime, NaiveDate, Utc};

/// What someone asks to record: a value as typed, for the period that
/// contains `for_date` (default: the last period due).
#[derive(Debug, Clone)]
pub struct Reading {
    pub value: String,
    pub for_date: Option<crate::plan::measure::Written>,
    pub note: Option<String>,
    /// The caller has been told a value exists for the period and confirms
    /// the correction.
    pub correction: bool,
}

/// Records a value through one write path: the owners are checked, the
/// value read for the measure's unit and the period settled inside the
/// transaction; a period already recorded needs `correction`.
pub async fn record_value(
    store: &Store,
    plan: &Plan,
    actor: &Actor,
    code: &str,
    reading: Reading,
    now: DateTime<Utc>,
) -> Result<ValueRecorded, AppError> {
    let rights = actor.rights(store).await?;
    let by = rights.person.clone().unwrap_or_else(|| actor.name.clone());
    let today = plan.today(now);
    let note = super::clean_note(reading.note)?;
    let recorded = store
        .record_value(plan, code, |measure| {
            if !rights.may_record(&measure.owners) {
                return Err(AppError::NotOwner {
                    code: measure.code.clone(),
                    owners: measure.owners.clone(),
                });
            }
            let value = measure.unit.read(&reading.value)?;
            let date = match reading.for_date {
                Some(d) => d,
                None => Written::day(due_period(measure, today, plan)?.start),
            };
            let period = measure.period_for(date, today, plan.year_start)?;
            Ok(ValueRequest {
                period,
                value,
                note,
                by,
                by_discord_id: actor.discord_id,
                at: now,
                correction: reading.correction,
            })
        })
        .await;
    recorded.map_err(|e| match e {
        AppError::Store(StoreError::AlreadyRecorded {
            measure,
            period,
            value,
            unit,
            by,
        }) => AppError::AlreadyRecorded {
            period: period.label(plan.year_start),
            start: period.start,
            value: unit.show(value),
            measure,
            by,
        },
        AppError::Store(StoreError::SameValue {
            measure,
            period,
            value,
            unit,
        }) => AppError::SameValue {
            period: period.label(plan.year_start),
            value: unit.show(value),
            measure,
        },
        other => other,
    })
}

/// The last period due, or the current one for a measure whose first
/// period has not ended yet.
fn due_period(measure: &Measure, today: NaiveDate, plan: &Plan) -> Result<Period, AppError> {
    Ok(measure
        .last_due(today, plan.year_start)
        .unwrap_or_else(|| Period::containing(today, measure.frequency, plan.year_start)))
}

pub use crate::plan::standing::MeasureStanding;

/// The plan's measures as they stood at `as_of`, off target first (red,
/// then amber), then in the plan's order.
pub async fn standings(
    store: &Store,
    plan: &Plan,
    as_of: DateTime<Utc>,
) -> Result<Vec<MeasureStanding>, AppError> {
    let values = store.values_as_of(plan, as_of).await?;
    let measures = store.measures(plan).await?;
    Ok(crate::plan::standing::standings(measures, &values))
}

/// Every value recorded for a measure, corrections included.
pub async fn history(
    store: &Store,
    plan: &Plan,
    code: &str,
) -> Result<(Measure, Vec<MeasureValue>), AppError> {
    let measure = store.measure(plan, code).await?;
    let values = store.measure_values(plan, code).await?;
    Ok((measure, values))
}

/// The period a value is for, as typed: a date, a month ("May 2019") or a
/// quarter; the measure's frequency then settles the period.
pub fn period_date(plan: &Plan, text: &str) -> Result<Written, AppError> {
    Ok(crate::plan::measure::read_period(text, plan.year_start)?)
}

/// The plan's measures for a picker: those the actor owns first, then the
/// rest, each group in the plan's order; `true` marks their own.
pub async fn measure_choices(
    store: &Store,
    plan: &Plan,
    actor: &Actor,
) -> Result<Vec<(Measure, bool)>, AppError> {
    let person = actor.rights(store).await?.person;
    let mut all: Vec<(Measure, bool)> = store
        .measures(plan)
        .await?
        .into_iter()
        .map(|m| {
            let own = person
                .as_deref()
                .is_some_and(|p| m.owners.iter().any(|o| o.eq_ignore_ascii_case(p)));
            (m, own)
        })
        .collect();
    // Stable: plan order is kept within each group.
    all.sort_by_key(|(_, own)| !own);
    Ok(all)
}

/// One measure as it stood at `as_of`, and its trend chart as a PNG.
pub async fn show(
    store: &Store,
    plan: &Plan,
    code: &str,
    as_of: DateTime<Utc>,
) -> Result<(MeasureStanding, Vec<u8>), AppError> {
    // Refuses an unknown code in the plan's own words.
    let measure = store.measure(plan, code).await?;
    let standing = standings(store, plan, as_of)
        .await?
        .into_iter()
        .find(|s| s.measure.code == measure.code)
        .ok_or_else(|| AppError::Internal(format!("{} has no standing", measure.code)))?;
    let (m, series, year) = (
        standing.measure.clone(),
        standing.series.clone(),
        plan.year_start,
    );
    let png = super::off_runtime(move || crate::digest::render_trend_png(&m, &series, year))
        .await?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((standing, png))
}
