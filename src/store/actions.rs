use super::{Result, SplitList, Store, StoreError, each_row, from_ms, parse_day, split_list};
use crate::plan::{Action, AsOf, OverdueAction, Plan, Status};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::HashMap;

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
/// dominated every listing of a large plan. What is parsed or split here
/// is borrowed from the JSON rather than copied first.
#[derive(serde::Deserialize)]
pub(super) struct ActionRow<'a> {
    id: i64,
    r#ref: String,
    priority: i64,
    priority_title: String,
    grp: Option<String>,
    text: String,
    #[serde(borrow)]
    due: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(borrow)]
    evidence: Cow<'a, str>,
    last_update_ms: Option<i64>,
    leads: SplitList,
    recommendations: SplitList,
}

impl ActionRow<'_> {
    pub(super) fn into_action(self) -> Result<(i64, Action)> {
        Ok((
            self.id,
            Action {
                reference: self.r#ref,
                priority: self.priority as u32,
                priority_title: self.priority_title,
                group: self.grp,
                text: self.text,
                leads: self.leads.0,
                due: self.due.as_deref().map(parse_day).transpose()?,
                status: parse_status(&self.status)?,
                recommendations: self.recommendations.0,
                evidence: self.evidence.lines().map(str::to_string).collect(),
                last_update: self.last_update_ms.map(from_ms),
            },
        ))
    }
}

/// The actions among `json`'s rows that `keep` keeps, in the rows' order.
pub(super) fn into_actions(json: &str, keep: impl Fn(&Action) -> bool) -> Result<Vec<Action>> {
    let mut out = Vec::new();
    each_row(json, "action rows", |row: ActionRow| {
        let (_, action) = row.into_action()?;
        if keep(&action) {
            out.push(action);
        }
        Ok(())
    })?;
    Ok(out)
}

pub(super) fn parse_status(s: &str) -> Result<Status> {
    Status::ALL
        .into_iter()
        .find(|status| status.as_str() == s)
        .ok_or_else(|| StoreError::Corrupt(format!("status \"{s}\"")))
}

/// One line of the overdue list as SQLite's JSON array gives it.
#[derive(serde::Deserialize)]
pub(super) struct OverdueRow<'a> {
    r#ref: String,
    priority: i64,
    text: String,
    leads: SplitList,
    #[serde(borrow)]
    due: Cow<'a, str>,
    #[serde(borrow)]
    status: Cow<'a, str>,
}

impl OverdueRow<'_> {
    /// The action as the overdue list shows it, if the plan's rule (which
    /// decides; the SQL only narrows the rows down) has it overdue on `today`.
    pub(super) fn into_overdue(self, today: NaiveDate) -> Result<Option<OverdueAction>> {
        let (due, status) = (parse_day(&self.due)?, parse_status(&self.status)?);
        Ok(
            crate::plan::overdue_days(Some(due), status, today).map(|days_overdue| OverdueAction {
                reference: self.r#ref,
                priority: self.priority as u32,
                text: self.text,
                leads: self.leads.0,
                due,
                status,
                days_overdue,
            }),
        )
    }
}

#[derive(serde::Deserialize)]
struct StatusRow<'a>(String, #[serde(borrow)] Cow<'a, str>);

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
        into_actions(&json, |a| filter.keeps(a, today))
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
        into_actions(&json, |a| filter.keeps(a, as_of.today))
    }

    /// Each current action's status, by ref: all a digest needs of the plan now.
    pub async fn statuses(&self, plan: &Plan) -> Result<HashMap<String, Status>> {
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(ref, status)) AS "rows!: String"
                 FROM actions WHERE plan_id = ? AND removed_at_ms IS NULL"#,
            plan.id
        )
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<StatusRow> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("statuses: {e}")))?;
        rows.into_iter()
            .map(|StatusRow(reference, status)| Ok((reference, parse_status(&status)?)))
            .collect()
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
    into_actions(&json, |_| true)
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
    let row = sqlx::query!(
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
    ActionRow {
        id: row.id,
        r#ref: row.r#ref,
        priority: row.priority,
        priority_title: row.priority_title,
        grp: row.grp,
        text: row.text,
        due: row.due.map(Cow::Owned),
        status: row.status.into(),
        evidence: row.evidence.into(),
        last_update_ms: row.last_update_ms,
        leads: SplitList(split_list(&row.leads)),
        recommendations: SplitList(split_list(&row.recommendations)),
    }
    .into_action()
}
