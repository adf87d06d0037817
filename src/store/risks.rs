//! The risk register and its reviews over time (append-only), so that any
//! past quarter can be shown as it stood.

use super::{Result, Store, StoreError, from_ms, split_list, to_ms};
use crate::plan::Plan;
use crate::plan::risk::{Rating, Risk};
use chrono::{DateTime, NaiveDate, Utc};

/// One review: the rating then, why, who, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskReview {
    pub rating: Rating,
    pub note: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A risk with its latest review at some moment (none before its first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskStanding {
    pub risk: Risk,
    pub review: Option<RiskReview>,
}

/// A risk now and at an earlier moment, for the register's trend.
#[derive(Debug, Clone)]
pub struct RiskTrend {
    pub now: RiskStanding,
    pub before: Option<Rating>,
}

impl RiskTrend {
    pub fn score(&self) -> u8 {
        self.now.review.as_ref().map_or(0, |r| r.rating.score())
    }

    /// The score's change since `before` (positive: worse).
    pub fn change(&self) -> Option<i16> {
        let now = self.now.review.as_ref()?.rating.score();
        Some(i16::from(now) - i16::from(self.before?.score()))
    }
}

/// Pairs each risk now with its rating `then`, highest score first (the
/// register's order among equals).
pub fn trends(now: Vec<RiskStanding>, then: &[RiskStanding]) -> Vec<RiskTrend> {
    let mut out: Vec<RiskTrend> = now
        .into_iter()
        .map(|standing| {
            let before = then
                .iter()
                .find(|t| t.risk.code == standing.risk.code)
                .and_then(|t| t.review.as_ref().map(|r| r.rating));
            RiskTrend {
                now: standing,
                before,
            }
        })
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.score()));
    out
}

#[derive(Debug, Clone)]
pub struct ReviewRequest {
    pub rating: Rating,
    pub note: Option<String>,
    pub by: String,
    pub by_discord_id: Option<u64>,
    pub at: DateTime<Utc>,
    /// When it is to be reviewed next, if the reviewer says.
    pub next_review: Option<NaiveDate>,
}

struct RiskRow {
    id: i64,
    code: String,
    title: String,
    cause: String,
    consequence: String,
    owners: String,
    mitigations: String,
    next_review: Option<String>,
}

impl RiskRow {
    fn into_risk(self) -> Result<(i64, Risk)> {
        let next_review = match self.next_review.as_deref() {
            Some(d) => Some(d.parse::<NaiveDate>().map_err(|_| {
                StoreError::Corrupt(format!("risk {}: its review date", self.code))
            })?),
            None => None,
        };
        Ok((
            self.id,
            Risk {
                code: self.code,
                title: self.title,
                cause: self.cause,
                consequence: self.consequence,
                owners: split_list(&self.owners),
                mitigations: split_list(&self.mitigations),
                next_review,
            },
        ))
    }
}

impl Store {
    /// The register as it stood at `as_of`: each risk with its latest review
    /// written by then, in the register's order.
    pub async fn risks(&self, plan: &Plan, as_of: DateTime<Utc>) -> Result<Vec<RiskStanding>> {
        let rows = sqlx::query_as!(
            RiskRow,
            "SELECT id, code, title, cause, consequence, owners, mitigations, next_review
               FROM risks WHERE plan_id = ? AND removed_at_ms IS NULL ORDER BY position",
            plan.id
        )
        .fetch_all(&self.pool)
        .await?;
        let as_of = to_ms(as_of);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (id, risk) = row.into_risk()?;
            let review = sqlx::query!(
                "SELECT likelihood, impact, note, actor, at_ms FROM risk_reviews
                  WHERE risk_id = ? AND at_ms <= ? ORDER BY id DESC LIMIT 1",
                id,
                as_of
            )
            .fetch_optional(&self.pool)
            .await?
            .map(|r| review(r.likelihood, r.impact, r.note, r.actor, r.at_ms))
            .transpose()?;
            out.push(RiskStanding { risk, review });
        }
        Ok(out)
    }

    /// Every review of a risk, oldest first.
    pub async fn risk_reviews(&self, plan: &Plan, code: &str) -> Result<Vec<RiskReview>> {
        let mut conn = self.pool.acquire().await?;
        let (id, _) = load_risk(&mut conn, plan, code).await?;
        let rows = sqlx::query!(
            "SELECT likelihood, impact, note, actor, at_ms FROM risk_reviews WHERE risk_id = ? ORDER BY id",
            id
        )
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter()
            .map(|r| review(r.likelihood, r.impact, r.note, r.actor, r.at_ms))
            .collect()
    }

    /// Records a review: `decide` sees the risk as it stands inside the
    /// write transaction (its owners then) and settles the request.
    pub async fn review_risk<E: From<StoreError>>(
        &self,
        plan: &Plan,
        code: &str,
        decide: impl FnOnce(&Risk) -> std::result::Result<ReviewRequest, E>,
    ) -> std::result::Result<(Risk, RiskReview), E> {
        let mut tx = self.begin_write().await?;
        let (id, mut risk) = load_risk(&mut tx, plan, code).await?;
        let req = decide(&risk)?;
        let (l, i) = (
            i64::from(req.rating.likelihood),
            i64::from(req.rating.impact),
        );
        let (at, discord) = (to_ms(req.at), req.by_discord_id.map(|d| d.to_string()));
        sqlx::query!(
            "INSERT INTO risk_reviews (risk_id, likelihood, impact, note, actor, actor_discord_id, at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            id,
            l,
            i,
            req.note,
            req.by,
            discord,
            at
        )
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        if let Some(next) = req.next_review {
            let next_text = next.to_string();
            sqlx::query!(
                "UPDATE risks SET next_review = ? WHERE id = ?",
                next_text,
                id
            )
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
            risk.next_review = Some(next);
        }
        tx.commit().await.map_err(StoreError::from)?;
        let review = RiskReview {
            rating: req.rating,
            note: req.note,
            by: req.by,
            at: req.at,
        };
        Ok((risk, review))
    }
}

fn review(
    likelihood: i64,
    impact: i64,
    note: Option<String>,
    by: String,
    at_ms: i64,
) -> Result<RiskReview> {
    Ok(RiskReview {
        rating: Rating::new(likelihood, impact)
            .map_err(|e| StoreError::Corrupt(format!("a risk review: {e}")))?,
        note,
        by,
        at: from_ms(at_ms),
    })
}

async fn load_risk(
    conn: &mut sqlx::SqliteConnection,
    plan: &Plan,
    code: &str,
) -> Result<(i64, Risk)> {
    let code = code.trim();
    sqlx::query_as!(
        RiskRow,
        "SELECT id, code, title, cause, consequence, owners, mitigations, next_review
           FROM risks WHERE plan_id = ? AND code = ? COLLATE NOCASE AND removed_at_ms IS NULL",
        plan.id,
        code
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NoSuchRisk {
        plan: plan.name.clone(),
        code: code.to_string(),
    })?
    .into_risk()
}
