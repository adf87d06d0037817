//! Reading what a digest needs from the store.

use super::{Digest, DigestInput, build};
use crate::plan::standing::standings;
use crate::plan::{AsOf, Plan, Quarter};
use crate::store::{ActionFilter, Result, Store, trends};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Makes the digest of `quarter` as of `as_of`, comparing it with the last
/// one made for that quarter.
pub async fn make(
    store: &Store,
    plan: &Plan,
    quarter: Quarter,
    as_of: AsOf,
    now: DateTime<Utc>,
) -> Result<Digest> {
    let label = plan.year_start.label(quarter);
    let ys = plan.year_start;
    // The register as it stood: values and reviews written by the digest's
    // moment, and the ratings at the end of the quarter before.
    let before = AsOf::end_of_day(ys.last_day(ys.previous(quarter)), plan.time_zone).moment;
    let values = store.values_as_of(plan, as_of.moment).await?;
    let measures = standings(store.measures(plan).await?, &values);
    let risks = trends(
        store.risks(plan, as_of.moment).await?,
        &store.risks(plan, before).await?,
    );
    let input = DigestInput {
        plan: plan.clone(),
        quarter,
        as_of,
        priorities: store.priorities(plan).await?,
        then: store
            .actions_as_of(plan, &ActionFilter::default(), as_of)
            .await?,
        now: store
            .actions(plan, &ActionFilter::default(), plan.today(now))
            .await?,
        history: store.plan_history(plan, as_of.moment).await?,
        recommendations: store.recommendations(plan).await?,
        last_run: store.last_digest(plan, &label).await?,
        outcomes: store.outcomes(plan).await?,
        measures,
        risks,
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
