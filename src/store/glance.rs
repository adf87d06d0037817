//! What `/plan summary` shows of a plan, in one read: its actions counted by
//! priority, status and whether overdue, each outcome with how many actions
//! it names and how many of them are overdue (both from counts the database
//! keeps), and whether it has measures at all.

use super::actions::parse_status;
use super::{Result, Store, each_row};
use crate::plan::{Plan, Status};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::HashMap;

/// A plan at a glance.
#[derive(Debug, Clone)]
pub struct Glance {
    /// In priority order.
    pub counted: Vec<Counted>,
    /// In the plan's order.
    pub outcomes: Vec<OutcomeActions>,
    pub has_measures: bool,
}

/// How many actions of one priority have one status, and whether overdue.
#[derive(Debug, Clone)]
pub struct Counted {
    pub priority: u32,
    pub title: String,
    pub status: Status,
    pub overdue: bool,
    pub actions: usize,
}

/// An outcome, and how many current actions it names (each once, however
/// often it is named; matched exactly, as the digest matches them), of
/// which how many are overdue.
#[derive(Debug, Clone)]
pub struct OutcomeActions {
    pub code: String,
    pub statement: String,
    pub actions: usize,
    pub overdue: usize,
}

/// Priority number and title, status, whether overdue, how many.
#[derive(serde::Deserialize)]
struct CountedRow<'a>(
    i64,
    String,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(deserialize_with = "super::sqlite_bool")] bool,
    i64,
);

/// Outcome id, code, statement.
#[derive(serde::Deserialize)]
struct OutcomeRow(i64, String, String);

/// Outcome id; how many actions it names, how many of them overdue.
#[derive(serde::Deserialize)]
struct NamedRow(i64, i64, i64);

impl Store {
    /// The plan at a glance on `today`, from counts the database keeps, so
    /// that it costs the same however large the plan and its outcomes.
    pub async fn glance(&self, plan: &Plan, today: NaiveDate) -> Result<Glance> {
        let day = today.format("%Y-%m-%d").to_string();
        // Each outcome's actions are counted by status and due date as they
        // change (migration 11).
        let row = sqlx::query!(
            r#"SELECT
                 (SELECT json_group_array(json_array(number, title, status, overdue, n)) FROM (
                    -- Overdue as plan::overdue_days has it: open, and due before today.
                    SELECT p.number, p.title, c.status,
                           (c.status <> 'complete' AND c.due <> '' AND c.due < ?2) AS overdue, sum(c.n) AS n
                      FROM priorities p CROSS JOIN action_counts c ON c.plan_id = p.plan_id AND c.priority_id = p.id
                     WHERE p.plan_id = ?1
                     GROUP BY p.number, c.status, 4
                    HAVING sum(c.n) > 0
                     ORDER BY p.number)) AS "counted!: String",
                 (SELECT json_group_array(json_array(id, code, statement)) FROM (
                    SELECT id, code, statement FROM outcomes
                     WHERE plan_id = ?1 AND removed_at_ms IS NULL ORDER BY position)) AS "outcomes!: String",
                 (SELECT json_group_array(json_array(id, n, overdue)) FROM (
                    -- Overdue as above, from the counts kept for each outcome.
                    SELECT o.id, sum(c.n) AS n,
                           sum(CASE WHEN c.status <> 'complete' AND c.due <> '' AND c.due < ?2
                                    THEN c.n ELSE 0 END) AS overdue
                      FROM outcomes o CROSS JOIN outcome_action_counts c ON c.outcome_id = o.id
                     WHERE o.plan_id = ?1 AND o.removed_at_ms IS NULL
                     GROUP BY o.id)) AS "named!: String",
                 EXISTS (SELECT 1 FROM measures WHERE plan_id = ?1 AND removed_at_ms IS NULL) AS "has_measures!: bool""#,
            plan.id,
            day
        )
        .fetch_one(&self.pool)
        .await?;
        let mut counted = Vec::new();
        each_row(&row.counted, "counts", |r: CountedRow| {
            counted.push(Counted {
                priority: r.0 as u32,
                title: r.1,
                status: parse_status(&r.2)?,
                overdue: r.3,
                actions: r.4 as usize,
            });
            Ok(())
        })?;
        let mut outcomes = Vec::new();
        let mut ids = HashMap::new();
        each_row(
            &row.outcomes,
            "outcomes",
            |OutcomeRow(id, code, statement)| {
                ids.insert(id, outcomes.len());
                outcomes.push(OutcomeActions {
                    code,
                    statement,
                    actions: 0,
                    overdue: 0,
                });
                Ok(())
            },
        )?;
        each_row(
            &row.named,
            "outcomes' actions",
            |NamedRow(id, n, overdue)| {
                if let Some(&i) = ids.get(&id) {
                    outcomes[i].actions = n as usize;
                    outcomes[i].overdue = overdue as usize;
                }
                Ok(())
            },
        )?;
        Ok(Glance {
            counted,
            outcomes,
            has_measures: row.has_measures,
        })
    }
}
