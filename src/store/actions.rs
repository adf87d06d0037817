use super::{Result, Store, StoreError, from_ms, split_list};
use crate::plan::{Action, AsOf, Plan, Status};
use chrono::NaiveDate;

/// Which actions a listing shows. Empty means all.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub priority: Option<u32>,
    pub status: Option<Status>,
    /// A lead's name, matched without regard to case.
    pub lead: Option<String>,
    pub overdue: bool,
}

impl ActionFilter {
    fn keeps(&self, a: &Action, today: NaiveDate) -> bool {
        self.priority.is_none_or(|p| a.priority == p)
            && self.status.is_none_or(|s| a.status == s)
            && self
                .lead
                .as_deref()
                .is_none_or(|l| a.leads.iter().any(|n| n.eq_ignore_ascii_case(l.trim())))
            && (!self.overdue || a.overdue_days(today).is_some())
    }
}

/// One row of the `action_rows` view. Listings read their rows as one JSON
/// array built by SQLite (an array deserialises into this struct field by
/// field): sqlx hands rows over one at a time at several µs each, which
/// dominated every listing of a large plan.
#[derive(serde::Deserialize)]
pub(super) struct ActionRow {
    id: i64,
    r#ref: String,
    priority: i64,
    priority_title: String,
    grp: Option<String>,
    text: String,
    due: Option<String>,
    status: String,
    evidence: String,
    last_update_ms: Option<i64>,
    leads: String,
    recommendations: String,
}

impl ActionRow {
    pub(super) fn into_action(self) -> Result<(i64, Action)> {
        let status = parse_status(&self.status)?;
        let due = self
            .due
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| StoreError::Corrupt(format!("due date \"{d}\"")))
            })
            .transpose()?;
        let recommendations = split_list(&self.recommendations);
        Ok((
            self.id,
            Action {
                reference: self.r#ref,
                priority: self.priority as u32,
                priority_title: self.priority_title,
                group: self.grp,
                text: self.text,
                leads: split_list(&self.leads),
                due,
                status,
                recommendations,
                evidence: self.evidence.lines().map(str::to_string).collect(),
                last_update: self.last_update_ms.map(from_ms),
            },
        ))
    }
}

pub(super) fn parse_rows(json: &str) -> Result<Vec<ActionRow>> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("action rows: {e}")))
}

fn into_actions(rows: Vec<ActionRow>, keep: impl Fn(&Action) -> bool) -> Result<Vec<Action>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let (_, action) = row.into_action()?;
        if keep(&action) {
            out.push(action);
        }
    }
    Ok(out)
}

pub(super) fn parse_status(s: &str) -> Result<Status> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StoreError::Corrupt(format!("status \"{s}\"")))
}

impl Store {
    /// The plan's current actions in plan order, filtered.
    pub async fn actions(
        &self,
        plan: &Plan,
        filter: &ActionFilter,
        today: NaiveDate,
    ) -> Result<Vec<Action>> {
        if !filter.overdue {
            let all = load_plan_actions(&self.pool, plan.id).await?;
            return Ok(all.into_iter().filter(|a| filter.keeps(a, today)).collect());
        }
        // Matches the partial index on open actions by due date.
        let day = today.format("%Y-%m-%d").to_string();
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(id, ref, priority, priority_title, grp, text, due, status,
                                                  evidence, last_update_ms, leads, recommendations)) AS "rows!: String"
                 FROM (SELECT * FROM action_rows
                        WHERE plan_id = ? AND removed_at_ms IS NULL AND status <> 'complete' AND due < ?
                        ORDER BY priority, position)"#,
            plan.id,
            day
        )
        .fetch_one(&self.pool)
        .await?;
        into_actions(parse_rows(&json)?, |a| filter.keeps(a, today))
    }

    /// The plan's actions as they stood at a past moment: those that existed
    /// then, with the status and last update their history gives.
    pub async fn actions_as_of(
        &self,
        plan: &Plan,
        filter: &ActionFilter,
        as_of: AsOf,
    ) -> Result<Vec<Action>> {
        let at = super::to_ms(as_of.moment);
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(id, ref, priority, priority_title, grp, text, due, status,
                                                  evidence, last_update_ms, leads, recommendations)) AS "rows!: String"
                 FROM (SELECT v.id, v.ref, v.priority, v.priority_title, v.grp, v.text, v.due,
                              (SELECT s.to_status FROM status_changes s WHERE s.action_id = v.id AND s.at_ms <= ?2
                                ORDER BY s.at_ms DESC, s.id DESC LIMIT 1) AS status,
                              v.evidence,
                              (SELECT max(s.at_ms) FROM status_changes s
                                WHERE s.action_id = v.id AND s.at_ms <= ?2) AS last_update_ms,
                              v.leads, v.recommendations
                         FROM action_rows v
                        WHERE v.plan_id = ?1 AND v.created_at_ms <= ?2
                          AND (v.removed_at_ms IS NULL OR v.removed_at_ms > ?2)
                          AND EXISTS (SELECT 1 FROM status_changes s WHERE s.action_id = v.id AND s.at_ms <= ?2)
                        ORDER BY v.priority, v.position)"#,
            plan.id,
            at
        )
        .fetch_one(&self.pool)
        .await?;
        into_actions(parse_rows(&json)?, |a| filter.keeps(a, as_of.today))
    }

    pub async fn action(&self, plan: &Plan, reference: &str) -> Result<Action> {
        Ok(load_action(&self.pool, plan, reference).await?.1)
    }
}

/// Every current action of a plan, in plan order.
pub(super) async fn load_plan_actions<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    plan_id: i64,
) -> Result<Vec<Action>> {
    let json = sqlx::query_scalar!(
        r#"SELECT json_group_array(json_array(id, ref, priority, priority_title, grp, text, due, status,
                                              evidence, last_update_ms, leads, recommendations)) AS "rows!: String"
             FROM (SELECT * FROM action_rows WHERE plan_id = ? AND removed_at_ms IS NULL ORDER BY priority, position)"#,
        plan_id
    )
    .fetch_one(exec)
    .await?;
    into_actions(parse_rows(&json)?, |_| true)
}

/// The references of a plan's current actions.
pub(super) async fn load_plan_refs(
    exec: &mut sqlx::SqliteConnection,
    plan_id: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT ref FROM actions WHERE plan_id = ? AND removed_at_ms IS NULL",
        plan_id
    )
    .fetch_all(exec)
    .await?)
}

/// One current action by its reference, with its database id.
pub(super) async fn load_action<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    plan: &Plan,
    reference: &str,
) -> Result<(i64, Action)> {
    let reference = reference.trim();
    let row = sqlx::query_as!(
        ActionRow,
        r#"SELECT id AS "id!", ref AS "ref!", priority AS "priority!", priority_title AS "priority_title!",
                  grp, text AS "text!", due, status AS "status!", evidence AS "evidence!",
                  last_update_ms, leads AS "leads!", recommendations AS "recommendations!"
             FROM action_rows
            WHERE plan_id = ? AND ref = ? AND removed_at_ms IS NULL"#,
        plan.id,
        reference
    )
    .fetch_optional(exec)
    .await?
    .ok_or_else(|| StoreError::NoSuchAction {
        plan: plan.name.clone(),
        reference: reference.to_string(),
    })?;
    row.into_action()
}
