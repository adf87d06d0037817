//! Reviewing a risk, and reading the register as it stood at a moment.

use super::{Actor, AppError};
use crate::plan::Plan;
use crate::plan::risk::{Rating, Risk};
use crate::store::{ReviewRequest, RiskReview, RiskStanding, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// A review as asked for: likelihood and impact as given (checked here).
#[derive(Debug, Clone)]
pub struct Review {
    pub likelihood: i64,
    pub impact: i64,
    pub note: Option<String>,
    pub next_review: Option<NaiveDate>,
}

/// Records a review through one write path: the owners checked and the
/// rating validated inside the transaction.
pub async fn review_risk(
    store: &Store,
    plan: &Plan,
    actor: &Actor,
    code: &str,
    review: Review,
    now: DateTime<Utc>,
) -> Result<(Risk, RiskReview), AppError> {
    let rights = actor.rights(store).await?;
    let by = rights.person.clone().unwrap_or_else(|| actor.name.clone());
    let rating = Rating::new(review.likelihood, review.impact)?;
    let note = super::clean_note(review.note)?;
    store
        .review_risk(plan, code, |risk| {
            if !rights.may_record(&risk.owners) {
                return Err(AppError::NotOwner {
                    code: risk.code.clone(),
                    owners: risk.owners.clone(),
                });
            }
            Ok(ReviewRequest {
                rating,
                note,
                by,
                by_discord_id: actor.discord_id,
                at: now,
                next_review: review.next_review,
            })
        })
        .await
}

/// A risk as it stands, for the owner about to review it (the form a
/// reminder's *Review* button opens); anyone else is refused before they
/// type anything. The review itself is checked again when written.
pub async fn risk_to_review(
    store: &Store,
    plan: &Plan,
    actor: &Actor,
    code: &str,
    now: DateTime<Utc>,
) -> Result<RiskStanding, AppError> {
    let rights = actor.rights(store).await?;
    let standing = store
        .risks(plan, now)
        .await?
        .into_iter()
        .find(|r| r.risk.code == code)
        .ok_or_else(|| AppError::NoSuchRisk {
            plan: plan.name.clone(),
            code: code.to_string(),
        })?;
    if !rights.may_record(&standing.risk.owners) {
        return Err(AppError::NotOwner {
            code: standing.risk.code,
            owners: standing.risk.owners,
        });
    }
    Ok(standing)
}

pub use crate::store::RiskTrend;

/// The register at `as_of`, highest score first, each with its rating at
/// `before` (the end of the quarter before, for the digest).
pub async fn register(
    store: &Store,
    plan: &Plan,
    as_of: DateTime<Utc>,
    before: DateTime<Utc>,
) -> Result<Vec<RiskTrend>, AppError> {
    let now = store.risks(plan, as_of).await?;
    let then = store.risks(plan, before).await?;
    Ok(crate::store::trends(now, &then))
}

/// The register now, with each risk's change since the end of the last
/// quarter (as the board saw it then).
pub async fn register_now(
    store: &Store,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Vec<RiskTrend>, AppError> {
    let (_, before) = crate::digest::last_quarter(plan, now);
    register(store, plan, now, before.moment).await
}

/// The register's risks for a picker: the actor's own first, then the
/// rest, in the register's order; `true` marks their own.
pub async fn risk_choices(
    store: &Store,
    plan: &Plan,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<(Risk, bool)>, AppError> {
    let person = actor.rights(store).await?.person;
    let mut all: Vec<(Risk, bool)> = store
        .risks(plan, now)
        .await?
        .into_iter()
        .map(|s| {
            let own = person
                .as_deref()
                .is_some_and(|p| s.risk.owners.iter().any(|o| o.eq_ignore_ascii_case(p)));
            (s.risk, own)
        })
        .collect();
    all.sort_by_key(|(_, own)| !own);
    Ok(all)
}
