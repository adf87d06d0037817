//! The per-action rows, written a chunk at a time: actions, their leads and
//! recommendation links, and the history of the status changes the file brings.

use super::json;
use crate::plan::{Action, Status};
use crate::store::{Result, join_list};
use serde::Serialize;

#[derive(Serialize)]
struct ActionRow<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    priority: u32,
    position: usize,
    group: Option<&'a str>,
    text: &'a str,
    due: Option<String>,
    status: &'static str,
    evidence: String,
    leads: String,
    recommendations: String,
}

#[derive(Serialize)]
struct LinkRow<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    /// A lead's name or a recommendation's code.
    value: &'a str,
    position: usize,
}

#[derive(Serialize)]
struct ChangeRow<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    from: Option<&'static str>,
    to: &'static str,
}

/// One batch of actions, their leads, recommendation links and status
/// changes, as JSON arrays for `json_each`.
#[derive(Default)]
pub(super) struct Chunk {
    pub(super) len: usize,
    actions: JsonArray,
    refs: JsonArray,
    leads: JsonArray,
    links: JsonArray,
    changes: JsonArray,
}

#[derive(Default)]
struct JsonArray {
    text: String,
    len: usize,
}

impl JsonArray {
    fn push<T: Serialize>(&mut self, value: &T) {
        self.text.push(if self.len == 0 { '[' } else { ',' });
        self.text.push_str(&json(value));
        self.len += 1;
    }

    /// The array so far, emptied for the next chunk.
    fn take(&mut self) -> String {
        let mut text = std::mem::take(&mut self.text);
        if self.len == 0 {
            text.push('[');
        }
        text.push(']');
        self.len = 0;
        text
    }
}

impl Chunk {
    pub(super) fn add(&mut self, position: usize, a: &Action) {
        let reference = a.reference.as_str();
        self.actions.push(&ActionRow {
            reference,
            priority: a.priority,
            position,
            group: a.group.as_deref(),
            text: &a.text,
            due: a.due.map(|d| d.format("%Y-%m-%d").to_string()),
            status: a.status.as_str(),
            evidence: a.evidence.join("\n"),
            leads: join_list(&a.leads),
            recommendations: join_list(&a.recommendations),
        });
        self.refs.push(&reference);
        for (position, name) in a.leads.iter().enumerate() {
            self.leads.push(&LinkRow {
                reference,
                value: name,
                position,
            });
        }
        for (position, code) in a.recommendations.iter().enumerate() {
            self.links.push(&LinkRow {
                reference,
                value: code,
                position,
            });
        }
        self.len += 1;
    }

    pub(super) fn change(&mut self, a: &Action, from: Option<Status>) {
        self.changes.push(&ChangeRow {
            reference: &a.reference,
            from: from.map(Status::as_str),
            to: a.status.as_str(),
        });
    }

    /// Writes the batch; returns how many status changes it recorded.
    pub(super) async fn flush(
        &mut self,
        tx: &mut sqlx::SqliteConnection,
        plan_id: i64,
        at: i64,
        actor: &str,
    ) -> Result<usize> {
        if self.len == 0 {
            return Ok(0);
        }
        self.len = 0;
        let changes = self.changes.len;
        let (actions, refs, leads, links, history) = (
            self.actions.take(),
            self.refs.take(),
            self.leads.take(),
            self.links.take(),
            self.changes.take(),
        );
        sqlx::query!(
            "INSERT INTO actions (plan_id, priority_id, ref, position, grp, text, due, status, evidence,
                                  leads, recommendations, created_at_ms)
             SELECT ?1, p.id, j.value ->> '$.ref', j.value ->> '$.position', j.value ->> '$.group',
                    j.value ->> '$.text', j.value ->> '$.due', j.value ->> '$.status', j.value ->> '$.evidence',
                    j.value ->> '$.leads', j.value ->> '$.recommendations', ?3
               FROM json_each(?2) j CROSS JOIN priorities p ON p.plan_id = ?1 AND p.number = j.value ->> '$.priority'
              WHERE true
             ON CONFLICT (plan_id, ref) DO UPDATE SET
                priority_id = excluded.priority_id, position = excluded.position, grp = excluded.grp,
                text = excluded.text, due = excluded.due, status = excluded.status,
                evidence = excluded.evidence, leads = excluded.leads,
                recommendations = excluded.recommendations, removed_at_ms = NULL",
            plan_id,
            actions,
            at
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "DELETE FROM action_leads WHERE action_id IN
                (SELECT id FROM actions WHERE plan_id = ? AND ref IN (SELECT value FROM json_each(?)))",
            plan_id,
            refs
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO action_leads (action_id, person_id, position)
             SELECT a.id, pe.id, j.value ->> '$.position'
               FROM json_each(?2) j
               CROSS JOIN actions a ON a.plan_id = ?1 AND a.ref = j.value ->> '$.ref'
               JOIN people pe ON pe.name = j.value ->> '$.value'
              WHERE true ON CONFLICT DO NOTHING",
            plan_id,
            leads
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "DELETE FROM action_recommendations WHERE action_id IN
                (SELECT id FROM actions WHERE plan_id = ? AND ref IN (SELECT value FROM json_each(?)))",
            plan_id,
            refs
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO action_recommendations (action_id, recommendation_id)
             SELECT a.id, r.id FROM json_each(?2) j
               CROSS JOIN actions a ON a.plan_id = ?1 AND a.ref = j.value ->> '$.ref'
               JOIN recommendations r ON r.plan_id = ?1 AND r.code = j.value ->> '$.value'
              WHERE true ON CONFLICT DO NOTHING",
            plan_id,
            links
        )
        .execute(&mut *tx)
        .await?;
        if changes > 0 {
            write_history(tx, plan_id, &history, at, actor).await?;
        }
        Ok(changes)
    }
}

/// History stays in order: an entry is never stamped before the action's
/// last one, even when this machine's clock is behind the one that wrote it.
async fn write_history(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    changes: &str,
    at: i64,
    actor: &str,
) -> Result<()> {
    sqlx::query!(
        "INSERT INTO status_changes (action_id, at_ms, actor, from_status, to_status)
         SELECT a.id,
                max(?3, coalesce((SELECT max(s.at_ms) FROM status_changes s WHERE s.action_id = a.id), ?3)),
                ?4, j.value ->> '$.from', j.value ->> '$.to'
           FROM json_each(?2) j CROSS JOIN actions a ON a.plan_id = ?1 AND a.ref = j.value ->> '$.ref'",
        plan_id,
        changes,
        at,
        actor
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE actions SET last_update_ms = (SELECT max(s.at_ms) FROM status_changes s WHERE s.action_id = actions.id)
          WHERE plan_id = ?1 AND ref IN (SELECT j.value ->> '$.ref' FROM json_each(?2) j)",
        plan_id,
        changes
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
