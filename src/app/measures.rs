//! Recording a measure's value, and reading measures as the board does:
//! each judged against its trajectory, with its direction of travel.

use super::{Actor, AppError};
use crate::plan::Plan;
use crate::plan::measure::{Measure, Period};
use crate::store::{MeasureValue, Store, StoreError, ValueRecorded, ValueRequest};
use chrono::{DateTime, NaiveDate, Utc};

/// What someone asks to record: a value as typed, for the period that
/// contains `for_date` (default: the last period due).
#[derive(Debug, Clone)]
pub struct Reading {
    pub value: String,
    pub for_date: Option<NaiveDate>,
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
                None => due_period(measure, today, plan)?.start,
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

/// The day a value is for, as typed: a date, a month ("May 2019") or a
/// quarter; the measure's frequency then settles the period.
pub fn period_date(plan: &Plan, text: &str) -> Result<NaiveDate, AppError> {
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

/// One outcome at a glance, for `/plan summary`: its measures by RAG and
/// its actions.
#[derive(Debug, Clone)]
pub struct OutcomeAtGlance {
    pub code: String,
    pub statement: String,
    /// Measures with a value: red, amber, green; and those with none yet.
    pub measures: [usize; 3],
    pub unmeasured: usize,
    pub actions: usize,
    pub actions_overdue: usize,
}

/// The plan's outcomes, each with its measures' RAG and its actions, as they
/// stand at `now`; empty for a plan without outcomes.
pub async fn outcomes_at_glance(
    store: &Store,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Vec<OutcomeAtGlance>, AppError> {
    let outcomes = store.outcomes(plan).await?;
    if outcomes.is_empty() {
        return Ok(Vec::new());
    }
    let today = plan.today(now);
    let standings = standings(store, plan, now).await?;
    // Only the actions the outcomes name, as the digest counts them.
    let named: Vec<&str> = outcomes
        .iter()
        .flat_map(|o| o.actions.iter().map(String::as_str))
        .collect();
    let actions = store.due_and_status(plan, &named).await?;
    Ok(outcomes
        .into_iter()
        .map(|o| {
            let mut measures = [0; 3];
            let mut unmeasured = 0;
            for s in standings
                .iter()
                .filter(|s| s.measure.outcome.as_deref() == Some(o.code.as_str()))
            {
                match s.latest {
                    // Red, amber, green in that order, as the enum declares them.
                    Some((_, j)) => measures[j.rag as usize] += 1,
                    None => unmeasured += 1,
                }
            }
            let mut refs: Vec<&String> = o.actions.iter().collect();
            refs.sort();
            refs.dedup();
            let served: Vec<_> = refs.iter().filter_map(|r| actions.get(*r)).collect();
            OutcomeAtGlance {
                actions: served.len(),
                actions_overdue: served
                    .iter()
                    .filter(|(due, status)| {
                        crate::plan::overdue_days(*due, *status, today).is_some()
                    })
                    .count(),
                code: o.code,
                statement: o.statement,
                measures,
                unmeasured,
            }
        })
        .collect())
}
