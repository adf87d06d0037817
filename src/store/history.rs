use super::actions::{ActionRow, load_action, parse_status};
use super::{Result, Store, StoreError, from_ms};
use crate::plan::{Action, Plan, StatusChange, StatusRequest};

/// An action before and after a status update, and the history row written.
#[derive(Debug, Clone)]
pub struct Updated {
    pub before: Action,
    pub after: Action,
    /// As stored: its time is the stamped one, which may be later than asked.
    pub change: StatusChange,
}

#[derive(serde::Deserialize)]
struct ChangeRow {
    at_ms: i64,
    actor: String,
    from_status: Option<String>,
    to_status: String,
    note: Option<String>,
    evidence: Option<String>,
}

impl ChangeRow {
    fn into_change(self) -> Result<StatusChange> {
        Ok(StatusChange {
            at: from_ms(self.at_ms),
            by: self.actor,
            from: self.from_status.as_deref().map(parse_status).transpose()?,
            to: parse_status(&self.to_status)?,
            note: self.note,
            evidence: self.evidence,
        })
    }
}

impl Store {
    /// Records a status update and its history entry in one transaction;
    /// once this returns the update is on disk. No permission check: for
    /// trusted callers (tests, benches); people go through [`Self::change_status`].
    pub async fn record_status(
        &self,
        plan: &Plan,
        reference: &str,
        req: &StatusRequest,
    ) -> Result<Updated> {
        let req = req.clone();
        self.change_status(plan, reference, None, move |_, _| Ok::<_, StoreError>(req))
            .await
    }

    /// The one write path of a status change. Inside one write transaction
    /// (shared with the other updates waiting at that moment: see
    /// `group_commit`): loads the action and the lead the `asker`'s Discord
    /// account is linked to, lets `decide` check them (permission and
    /// validation, against the leads and the link as they stand in this
    /// transaction, so a concurrent import or link cannot change them in
    /// between) and make the request, stamps it and writes it. Returns once
    /// it is on disk.
    pub async fn change_status<E: From<StoreError> + Send + 'static>(
        &self,
        plan: &Plan,
        reference: &str,
        asker: Option<u64>,
        decide: impl FnOnce(&Action, Option<&str>) -> Result<StatusRequest, E> + Send + 'static,
    ) -> Result<Updated, E> {
        self.writer.change(plan, reference, asker, decide).await
    }

    /// An action's history in the order it was written, oldest first.
    pub async fn history(&self, plan: &Plan, reference: &str) -> Result<Vec<StatusChange>> {
        let (id, _) = load_action(&self.pool, plan, reference).await?;
        let rows = sqlx::query_as!(
            ChangeRow,
            "SELECT at_ms, actor, from_status, to_status, note, evidence
               FROM status_changes WHERE action_id = ? ORDER BY id",
            id
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(ChangeRow::into_change).collect()
    }

    /// The action and its last `n` history entries, oldest first, in one
    /// read. Reads only those entries (newest first along the index), so an
    /// action with ten thousand updates is shown as quickly as one with one.
    pub async fn action_with_recent_history(
        &self,
        plan: &Plan,
        reference: &str,
        n: u32,
    ) -> Result<(Action, Vec<StatusChange>)> {
        let reference = reference.trim();
        let json = sqlx::query_scalar!(
            r#"SELECT json_array(
                        json_array(a.id, a.ref, p.number, p.title, a.grp, a.text, a.due, a.status, a.evidence,
                                   a.last_update_ms, a.leads, a.recommendations),
                        -- json(): a subquery's result would otherwise go in as a string.
                        json((SELECT json_group_array(json_array(at_ms, actor, from_status, to_status, note, evidence))
                                FROM (SELECT s.at_ms, s.actor, s.from_status, s.to_status, s.note, s.evidence
                                        FROM status_changes s WHERE s.action_id = a.id
                                       ORDER BY s.at_ms DESC, s.id DESC LIMIT ?3)))) AS "row!: String"
                 FROM actions a JOIN priorities p ON p.id = a.priority_id
                WHERE a.plan_id = ?1 AND a.ref = ?2 AND a.removed_at_ms IS NULL"#,
            plan.id,
            reference,
            n
        )
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NoSuchAction {
            plan: plan.name.clone(),
            reference: reference.to_string(),
        })?;
        let (row, recent): (ActionRow, Vec<ChangeRow>) = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("an action and its history: {e}")))?;
        let (_, action) = row.into_action()?;
        let history = recent
            .into_iter()
            .rev()
            .map(ChangeRow::into_change)
            .collect::<Result<_>>()?;
        Ok((action, history))
    }
}
