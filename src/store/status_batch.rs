//! Writing a batch of status updates in one transaction, with a fixed
//! number of statements whatever its size (the group commit's writer calls
//! this with every update waiting at that moment).

use super::actions::ActionRow;
use super::history::Updated;
use super::{Result, StoreError, each_row, from_ms, to_ms};
use crate::plan::{Action, Plan, StatusChange, StatusRequest};
use std::collections::HashMap;

/// The caller's decision on an action, given the lead the asker's Discord
/// account is linked to: the request to record, or a refusal.
pub(super) type Decide<R> =
    Box<dyn FnOnce(&Action, Option<&str>) -> Result<StatusRequest, R> + Send>;

/// One update of a batch: the action it names, whose linked lead to look
/// up, and the caller's decision.
pub(super) struct Asked<'a, R> {
    pub plan: &'a Plan,
    pub reference: &'a str,
    pub asker: Option<u64>,
    pub decide: Decide<R>,
}

/// What became of one update of a batch.
pub(super) enum Outcome<R> {
    Done(Box<Updated>),
    /// `decide` refused it; nothing of it was written.
    Refused(R),
    /// No such action; nothing of it was written.
    Missing(StoreError),
}

/// An action as the batch has left it so far.
struct Current {
    id: i64,
    action: Action,
    /// As stored: one link per line.
    evidence: String,
    /// The time of its latest history entry.
    last_at: Option<i64>,
}

/// Makes a batch of status changes in `tx`, in order, with a fixed number
/// of statements whatever its size: one read of the actions named, each
/// update decided and stamped against the action as the updates before it
/// left it, then one insert of every history entry and one update of every
/// action changed. (Three statements an update cost two thirds of the
/// writer's time, each a round trip to the connection's thread.)
///
/// Times are settled here, never earlier than the action's previous entry:
/// requests are stamped when they arrive but written in queue order, and
/// the history must read in the order it was written, each entry starting
/// where the one before ended. Entries are inserted in queue order, so
/// their ids keep it too.
pub(super) async fn apply_batch<R>(
    tx: &mut sqlx::SqliteConnection,
    batch: Vec<Asked<'_, R>>,
) -> Result<Vec<Outcome<R>>> {
    let mut named: HashMap<i64, Vec<&str>> = HashMap::new();
    for asked in &batch {
        named
            .entry(asked.plan.id)
            .or_default()
            .push(asked.reference.trim());
    }
    let mut current = load_current(tx, named).await?;
    let askers: Vec<u64> = batch.iter().filter_map(|a| a.asker).collect();
    let linked = linked_leads(tx, askers).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut entries = Vec::new();
    let mut changed = Vec::new();
    for asked in batch {
        let reference = asked.reference.trim();
        let Some(cur) = current.get_mut(&(asked.plan.id, reference.to_string())) else {
            outcomes.push(Outcome::Missing(StoreError::NoSuchAction {
                plan: asked.plan.name.clone(),
                reference: reference.to_string(),
            }));
            continue;
        };
        let before = cur.action.clone();
        let lead = asked
            .asker
            .and_then(|id| linked.get(&id))
            .map(String::as_str);
        let req = match (asked.decide)(&before, lead) {
            Ok(req) => req,
            Err(refusal) => {
                outcomes.push(Outcome::Refused(refusal));
                continue;
            }
        };
        let at = cur.last_at.unwrap_or(i64::MIN).max(to_ms(req.at));
        if let Some(link) = &req.evidence {
            if cur.evidence.is_empty() {
                cur.evidence = link.clone();
            } else {
                cur.evidence = format!("{}\n{link}", cur.evidence);
            }
        }
        cur.last_at = Some(at);
        cur.action = Action {
            status: req.to,
            last_update: Some(from_ms(at)),
            evidence: cur.evidence.lines().map(str::to_string).collect(),
            ..before.clone()
        };
        entries.push(Entry {
            action_id: cur.id,
            at_ms: at,
            actor: req.by.clone(),
            actor_discord_id: req.by_discord_id.map(|id| id.to_string()),
            from_status: before.status.as_str(),
            to_status: req.to.as_str(),
            note: req.note.clone(),
            evidence: req.evidence.clone(),
        });
        if !changed.contains(&(asked.plan.id, reference.to_string())) {
            changed.push((asked.plan.id, reference.to_string()));
        }
        let change = StatusChange {
            at: from_ms(at),
            by: req.by,
            from: Some(before.status),
            to: req.to,
            note: req.note,
            evidence: req.evidence,
        };
        outcomes.push(Outcome::Done(Box::new(Updated {
            before,
            after: cur.action.clone(),
            change,
        })));
    }
    if entries.is_empty() {
        return Ok(outcomes);
    }
    let entries = to_json(&entries)?;
    sqlx::query!(
        "INSERT INTO status_changes (action_id, at_ms, actor, actor_discord_id, from_status, to_status, note, evidence)
         SELECT j.value ->> '$.action_id', j.value ->> '$.at_ms', j.value ->> '$.actor', j.value ->> '$.actor_discord_id',
                j.value ->> '$.from_status', j.value ->> '$.to_status', j.value ->> '$.note', j.value ->> '$.evidence'
           FROM json_each(?) j ORDER BY j.key",
        entries
    )
    .execute(&mut *tx)
    .await?;
    let rows: Vec<_> = changed
        .iter()
        .filter_map(|key| current.get(key))
        .map(|c| Changed {
            id: c.id,
            status: c.action.status.as_str(),
            last_update_ms: c.last_at,
            evidence: &c.evidence,
        })
        .collect();
    let rows = to_json(&rows)?;
    sqlx::query!(
        "UPDATE actions SET status = j.value ->> '$.status', last_update_ms = j.value ->> '$.last_update_ms',
                            evidence = j.value ->> '$.evidence'
           FROM json_each(?) j WHERE actions.id = j.value ->> '$.id'",
        rows
    )
    .execute(&mut *tx)
    .await?;
    Ok(outcomes)
}

/// A history entry as the batch writes it.
#[derive(serde::Serialize)]
struct Entry {
    action_id: i64,
    at_ms: i64,
    actor: String,
    actor_discord_id: Option<String>,
    from_status: &'static str,
    to_status: &'static str,
    note: Option<String>,
    evidence: Option<String>,
}

/// An action as the batch leaves it.
#[derive(serde::Serialize)]
struct Changed<'a> {
    id: i64,
    status: &'static str,
    last_update_ms: Option<i64>,
    evidence: &'a str,
}

/// The lead each of these Discord accounts is linked to, as the batch's
/// transaction sees it: one read for the whole batch, where each update
/// used to look its asker up before it queued.
async fn linked_leads(
    tx: &mut sqlx::SqliteConnection,
    askers: Vec<u64>,
) -> Result<HashMap<u64, String>> {
    let mut askers: Vec<String> = askers.iter().map(u64::to_string).collect();
    if askers.is_empty() {
        return Ok(HashMap::new());
    }
    askers.sort();
    askers.dedup();
    let askers = to_json(&askers)?;
    let json = sqlx::query_scalar!(
        r#"SELECT json_group_array(json_array(discord_id, name)) AS "rows!: String"
             FROM people WHERE discord_id IN (SELECT value FROM json_each(?))"#,
        askers
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut linked = HashMap::new();
    each_row(&json, "linked leads", |(id, name): (String, String)| {
        if let Ok(id) = id.parse() {
            linked.insert(id, name);
        }
        Ok(())
    })?;
    Ok(linked)
}

/// The actions `named` (references by plan), by plan and reference, as
/// they stand in `tx`.
async fn load_current(
    tx: &mut sqlx::SqliteConnection,
    named: HashMap<i64, Vec<&str>>,
) -> Result<HashMap<(i64, String), Current>> {
    let mut current = HashMap::new();
    for (plan_id, refs) in named {
        let refs = to_json(&refs)?;
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(
                        json_array(a.id, a.ref, p.number, p.title, a.grp, a.text, a.due, a.status, a.evidence,
                                   a.last_update_ms, a.leads, a.recommendations),
                        a.evidence,
                        (SELECT max(s.at_ms) FROM status_changes s WHERE s.action_id = a.id))) AS "rows!: String"
                 FROM actions a JOIN priorities p ON p.id = a.priority_id
                WHERE a.plan_id = ?1 AND a.removed_at_ms IS NULL
                  AND a.ref IN (SELECT value FROM json_each(?2))"#,
            plan_id,
            refs
        )
        .fetch_one(&mut *tx)
        .await?;
        each_row(
            &json,
            "actions to update",
            |(row, evidence, last_at): (ActionRow, String, Option<i64>)| {
                let (id, action) = row.into_action()?;
                current.insert(
                    (plan_id, action.reference.clone()),
                    Current {
                        id,
                        action,
                        evidence,
                        last_at,
                    },
                );
                Ok(())
            },
        )?;
    }
    Ok(current)
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("a batch of updates: {e}")))
}
