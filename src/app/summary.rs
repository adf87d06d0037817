//! `/plan summary`: a plan at a glance, its actions by RAG and priority, and
//! each outcome with its measures by RAG and its actions.

use super::AppError;
use super::measures::standings;
use crate::plan::Plan;
use crate::plan::standing::MeasureStanding;
use crate::store::{Counted, OutcomeActions, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// The plan as it stands at a moment.
#[derive(Debug, Clone)]
pub struct Summary {
    pub today: NaiveDate,
    /// By priority, in priority order.
    pub counted: Vec<Counted>,
    /// Empty for a plan without outcomes.
    pub outcomes: Vec<OutcomeAtGlance>,
}

/// One outcome at a glance: its measures by RAG, and its actions.
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

/// The plan as it stands at `now`. One read of the database, and two more
/// for a plan with both outcomes and measures.
pub async fn summary(store: &Store, plan: &Plan, now: DateTime<Utc>) -> Result<Summary, AppError> {
    let today = plan.today(now);
    let glance = store.glance(plan, today).await?;
    let standings = if glance.has_measures && !glance.outcomes.is_empty() {
        standings(store, plan, now).await?
    } else {
        Vec::new()
    };
    let outcomes = glance
        .outcomes
        .into_iter()
        .map(|o| at_glance(o, &standings))
        .collect();
    Ok(Summary {
        today,
        counted: glance.counted,
        outcomes,
    })
}

fn at_glance(o: OutcomeActions, standings: &[MeasureStanding]) -> OutcomeAtGlance {
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
    OutcomeAtGlance {
        actions: o.actions,
        actions_overdue: o.overdue,
        code: o.code,
        statement: o.statement,
        measures,
        unmeasured,
    }
}
