//! Reading what a digest needs from the store.

use super::{Digest, DigestInput, build};
use crate::plan::standing::standings;
use crate::plan::{AsOf, Plan, Quarter};
use crate::store::{ActionFilter, Result, Store, trends};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Makes the digest of `quarter` as of `as_of`, comparing it with the last
/// one made for that quarter. Its "status now" is what the store holds when
/// it is read, whatever `_now` says.
pub async fn make(
    store: &Store,
    plan: &Plan,
    quarter: Quarter,
    as_of: AsOf,
    _now: DateTime<Utc>,
) -> Result<Digest> {
    let label = plan.year_start.label(quarter);
    let ys = plan.year_start;
    // The register as it stood: values and reviews written by the digest's
    // moment, and the ratings at the end of the quarter before.
    let before = AsOf::end_of_day(ys.last_day(ys.previous(quarter)), plan.time_zone).moment;
    let no_filter = ActionFilter::default();
    // The reads go to the pool's connections at once, each run by SQLite on
    // a thread of its own: for a large plan the actions then and their
    // history take tens of ms each, and a secretary waits for the digest.
    // The largest come first, to be the first to get a connection.
    let (history, then, current, values, measures, risks, risks_before, rest) = tokio::try_join!(
        store.plan_history(plan, as_of.moment),
        store.actions_as_of(plan, &no_filter, as_of),
        store.statuses(plan),
        store.values_as_of(plan, as_of.moment),
        store.measures(plan),
        store.risks(plan, as_of.moment),
        store.risks(plan, before),
        async {
            tokio::try_join!(
                store.priorities(plan),
                store.recommendations(plan),
                store.last_digest(plan, &label),
                store.outcomes(plan),
            )
        },
    )?;
    let (priorities, recommendations, last_run, outcomes) = rest;
    let input = DigestInput {
        plan: plan.clone(),
        quarter,
        as_of,
        priorities,
        then,
        now: current,
        history,
        recommendations,
        last_run,
        outcomes,
        measures: standings(measures, &values),
        risks: trends(risks, &risks_before),
    };
    Ok(build(&input))
}

/// Records a digest as made (posted or handed out), for the next re-run.
pub async fn record(
    store: &Store,
    plan: &Plan,
    digest: &Digest,
    made_at: DateTime<Utc>,
) -> Result<()> {
    let statuses: HashMap<String, _> = digest
        .rows
        .iter()
        .map(|r| (r.reference.clone(), r.status_then))
        .collect();
    store
        .save_digest(plan, &digest.quarter, digest.as_of, made_at, &statuses)
        .await
}
