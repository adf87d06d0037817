use super::actions::{load_action, parse_status};
use super::{Result, Store, StoreError, from_ms, to_ms};
use crate::plan::{Action, Plan, StatusChange, StatusRequest};

/// An action before and after a status update, and the history row written.
#[derive(Debug, Clone)]
pub struct Updated {
    pub before: Action,
    pub after: Action,
    /// As stored: its time is the stamped one, which may be later than asked.
    pub change: StatusChange,
}

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
        self.change_status(plan, reference, move |_| Ok::<_, StoreError>(req))
            .await
    }

    /// The one write path of a status change. Inside one write transaction
    /// (shared with the other updates waiting at that moment: see
    /// `group_commit`): loads the action, lets `decide` check it (permission
    /// and validation, against the leads as they stand in this transaction,
    /// so a concurrent import cannot change them in between) and make the
    /// request, stamps it and writes it. Returns once it is on disk.
    pub async fn change_status<E: From<StoreError> + Send + 'static>(
        &self,
        plan: &Plan,
        reference: &str,
        decide: impl FnOnce(&Action) -> Result<StatusRequest, E> + Send + 'static,
    ) -> Result<Updated, E> {
        self.writer.change(plan, reference, decide).await
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

    /// The action's last `n` history entries, oldest first. Reads only those
    /// rows (newest first along the index), so an action with ten thousand
    /// updates is shown as quickly as one with one.
    pub async fn recent_history(
        &self,
        plan: &Plan,
        reference: &str,
        n: u32,
    ) -> Result<Vec<StatusChange>> {
        let (id, _) = load_action(&self.pool, plan, reference).await?;
        let rows = sqlx::query_as!(
            ChangeRow,
            "SELECT at_ms, actor, from_status, to_status, note, evidence
               FROM status_changes WHERE action_id = ?
              ORDER BY at_ms DESC, id DESC LIMIT ?",
            id,
            n
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().rev().map(ChangeRow::into_change).collect()
    }
}

/// Makes one status change in `tx`: `Ok(Err(refusal))` when `decide`
/// refused it, having written nothing.
///
/// The time is settled here, never earlier than the action's previous
/// entry: requests are stamped when they arrive but written in queue order,
/// and the history must read in the order it was written, each entry
/// starting where the one before ended.
pub(super) async fn apply_change<R>(
    tx: &mut sqlx::SqliteConnection,
    plan: &Plan,
    reference: &str,
    decide: impl FnOnce(&Action) -> Result<StatusRequest, R>,
) -> Result<Result<Updated, R>> {
    let (id, before) = load_action(&mut *tx, plan, reference).await?;
    let req = match decide(&before) {
        Ok(req) => req,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let asked = to_ms(req.at);
    let from = before.status.as_str();
    let to = req.to.as_str();
    let discord_id = req.by_discord_id.map(|id| id.to_string());
    // Stamped in the insert itself: the asked time, or the action's latest
    // entry's if that is later.
    let at = sqlx::query_scalar!(
        r#"INSERT INTO status_changes (action_id, at_ms, actor, actor_discord_id, from_status, to_status, note, evidence)
           VALUES (?1, max(?2, coalesce((SELECT max(at_ms) FROM status_changes WHERE action_id = ?1), ?2)),
                   ?3, ?4, ?5, ?6, ?7, ?8)
           RETURNING at_ms AS "at_ms!: i64""#,
        id,
        asked,
        req.by,
        discord_id,
        from,
        to,
        req.note,
        req.evidence
    )
    .fetch_one(&mut *tx)
    .await?;
    let evidence = sqlx::query_scalar!(
        "UPDATE actions
            SET status = ?1, last_update_ms = ?2,
                evidence = CASE WHEN ?3 IS NULL THEN evidence
                                WHEN evidence = '' THEN ?3
                                ELSE evidence || char(10) || ?3 END
          WHERE id = ?4
         RETURNING evidence",
        to,
        at,
        req.evidence,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    let after = Action {
        status: req.to,
        last_update: Some(from_ms(at)),
        evidence: evidence.lines().map(str::to_string).collect(),
        ..before.clone()
    };
    let change = StatusChange {
        at: from_ms(at),
        by: req.by,
        from: Some(before.status),
        to: req.to,
        note: req.note,
        evidence: req.evidence,
    };
    Ok(Ok(Updated {
        before,
        after,
        change,
    }))
}
