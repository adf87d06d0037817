//! The per-action rows, written a chunk at a time: actions, their leads and
//! recommendation links, and the history of the status changes the file brings.

use super::values::{Binder, Row, write_rows};
use super::write::recommendation_ids;
use crate::plan::{Action, Status};
use crate::store::actions::parse_status;
use crate::store::{Result, StoreError, join_list};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What is known of an action's row before it is written.
pub(super) enum Recorded {
    /// New to the database: its id is one no row has yet.
    New,
    /// Removed by an earlier prune, and brought back.
    Removed,
    /// Current; whether its recorded leads and recommendations are the file's.
    Current { same_leads: bool, same_codes: bool },
}

/// The ids the file's rows are written under: those of the plan's
/// priorities and removed actions, and the next free one for a new action.
/// The import holds the write lock, so no other writer takes an id meanwhile.
/// Leads and recommendations are linked by the ids of their people and codes.
pub(super) struct RowIds<'a> {
    priorities: HashMap<u32, i64>,
    removed: HashMap<String, (i64, Status)>,
    next: i64,
    /// How many current actions the plan had.
    pub(super) current: usize,
    people: HashMap<&'a str, i64>,
    codes: HashMap<String, i64>,
}

impl<'a> RowIds<'a> {
    /// Read once the file's people, priorities and codes are written.
    pub(super) async fn load(
        tx: &mut sqlx::SqliteConnection,
        plan_id: i64,
        people: HashMap<&'a str, i64>,
    ) -> Result<Self> {
        let priorities = sqlx::query!(
            r#"SELECT number AS "number: u32", id FROM priorities WHERE plan_id = ?"#,
            plan_id
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.number, r.id))
        .collect();
        // One pass over the plan's rows, which a big plan has many of.
        let rows = sqlx::query!(
            r#"SELECT count(*) FILTER (WHERE removed_at_ms IS NULL) AS "current!: i64",
                      json_group_array(json_array(ref, id, status)) FILTER (WHERE removed_at_ms IS NOT NULL)
                        AS "removed!: String"
                 FROM actions WHERE plan_id = ?"#,
            plan_id
        )
        .fetch_one(&mut *tx)
        .await?;
        let removed: Vec<(String, i64, String)> = serde_json::from_str(&rows.removed)
            .map_err(|e| StoreError::Corrupt(format!("removed actions: {e}")))?;
        let removed = removed
            .into_iter()
            .map(|(reference, id, status)| Ok((reference, (id, parse_status(&status)?))))
            .collect::<Result<HashMap<_, _>>>()?;
        let next =
            sqlx::query_scalar!(r#"SELECT coalesce(max(id), 0) + 1 AS "next!: i64" FROM actions"#)
                .fetch_one(&mut *tx)
                .await?;
        Ok(RowIds {
            priorities,
            removed,
            next,
            current: rows.current as usize,
            people,
            codes: recommendation_ids(&mut *tx, plan_id).await?,
        })
    }

    fn priority(&self, a: &Action) -> Result<i64> {
        self.priorities.get(&a.priority).copied().ok_or_else(|| {
            StoreError::Corrupt(format!(
                "action {} is under priority {}, which the plan does not have",
                a.reference, a.priority
            ))
        })
    }

    /// The id for an action that is not current: a removed one's own, with
    /// the status it had when removed, or a new one.
    pub(super) fn for_new(&mut self, reference: &str) -> (i64, Option<Status>) {
        match self.removed.get(reference) {
            Some(&(id, status)) => (id, Some(status)),
            None => {
                self.next += 1;
                (self.next - 1, None)
            }
        }
    }
}

struct ActionRow {
    id: i64,
    plan_id: i64,
    priority_id: i64,
    reference: Arc<str>,
    position: usize,
    group: Option<Arc<str>>,
    text: Arc<str>,
    due: Option<Arc<str>>,
    status: Arc<str>,
    evidence: String,
    leads: String,
    recommendations: String,
    created_at: i64,
    /// Set for new rows only: their first history entry is this import's.
    last_update: Option<i64>,
}

impl Row for ActionRow {
    const COLUMNS: usize = 14;

    fn bind(self, b: &mut Binder) {
        b.add(self.id);
        b.add(self.plan_id);
        b.add(self.priority_id);
        b.add(self.reference);
        b.add(self.position as i64);
        b.add(self.group);
        b.add(self.text);
        b.add(self.due);
        b.add(self.status);
        b.add(self.evidence);
        b.add(self.leads);
        b.add(self.recommendations);
        b.add(self.created_at);
        b.add(self.last_update);
    }
}

struct LeadRow {
    action_id: i64,
    person_id: i64,
    position: i64,
}

impl Row for LeadRow {
    const COLUMNS: usize = 3;

    fn bind(self, b: &mut Binder) {
        b.add(self.action_id);
        b.add(self.person_id);
        b.add(self.position);
    }
}

struct CodeRow {
    action_id: i64,
    recommendation_id: i64,
}

impl Row for CodeRow {
    const COLUMNS: usize = 2;

    fn bind(self, b: &mut Binder) {
        b.add(self.action_id);
        b.add(self.recommendation_id);
    }
}

struct IdRow(i64);

impl Row for IdRow {
    const COLUMNS: usize = 1;

    fn bind(self, b: &mut Binder) {
        b.add(self.0);
    }
}

struct ChangeRow {
    action_id: i64,
    at: i64,
    actor: Arc<str>,
    from: Option<Arc<str>>,
    to: Arc<str>,
}

impl Row for ChangeRow {
    const COLUMNS: usize = 5;

    fn bind(self, b: &mut Binder) {
        b.add(self.action_id);
        b.add(self.at);
        b.add(self.actor);
        b.add(self.from);
        b.add(self.to);
    }
}

// Text is bound as `Arc<str>`, which sqlx takes as it is; a `String` or
// `&str` it would copy into an `Arc` of its own, a second allocation for
// each of a big import's millions of values.

/// Values that repeat from row to row (statuses, due dates, groups), each
/// bound as one shared `Arc` rather than a copy a row.
#[derive(Default)]
struct Repeated {
    texts: HashSet<Arc<str>>,
    dates: HashMap<NaiveDate, Arc<str>>,
}

impl Repeated {
    fn text(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.texts.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = text.into();
        self.texts.insert(shared.clone());
        shared
    }

    fn date(&mut self, date: NaiveDate) -> Arc<str> {
        self.dates
            .entry(date)
            .or_insert_with(|| date.format("%Y-%m-%d").to_string().into())
            .clone()
    }
}

/// One batch of actions, their leads, recommendation links and status
/// changes, to be written together.
pub(super) struct Chunk {
    plan_id: i64,
    at: i64,
    actor: Arc<str>,
    repeated: Repeated,
    actions: Vec<ActionRow>,
    /// Actions whose recorded links the file replaces.
    unlink_leads: Vec<IdRow>,
    unlink_recommendations: Vec<IdRow>,
    leads: Vec<LeadRow>,
    links: Vec<CodeRow>,
    /// The first history entries of new actions.
    firsts: Vec<ChangeRow>,
    /// Status changes of actions that have history already.
    changes: Vec<ChangeRow>,
    /// Those actions, whose last update the new entries move.
    restamp: Vec<IdRow>,
}

impl Chunk {
    pub(super) fn new(plan_id: i64, at: i64, actor: &str) -> Self {
        Chunk {
            plan_id,
            at,
            actor: actor.into(),
            repeated: Repeated::default(),
            actions: Vec::new(),
            unlink_leads: Vec::new(),
            unlink_recommendations: Vec::new(),
            leads: Vec::new(),
            links: Vec::new(),
            firsts: Vec::new(),
            changes: Vec::new(),
            restamp: Vec::new(),
        }
    }

    /// Writes `a` as the action with `id`, replacing its links where they
    /// differ from what `recorded` holds.
    pub(super) fn add(
        &mut self,
        ids: &RowIds,
        id: i64,
        position: usize,
        a: &Action,
        recorded: Recorded,
    ) -> Result<()> {
        let new = matches!(recorded, Recorded::New);
        self.actions.push(ActionRow {
            id,
            plan_id: self.plan_id,
            priority_id: ids.priority(a)?,
            reference: a.reference.as_str().into(),
            position,
            group: a.group.as_deref().map(|g| self.repeated.text(g)),
            text: a.text.as_str().into(),
            due: a.due.map(|d| self.repeated.date(d)),
            status: self.repeated.text(a.status.as_str()),
            evidence: a.evidence.join("\n"),
            leads: join_list(&a.leads),
            recommendations: join_list(&a.recommendations),
            created_at: self.at,
            last_update: new.then_some(self.at),
        });
        let (leads_differ, codes_differ) = match recorded {
            Recorded::New => (false, false),
            Recorded::Removed => (true, true),
            Recorded::Current {
                same_leads,
                same_codes,
            } => (!same_leads, !same_codes),
        };
        if leads_differ {
            self.unlink_leads.push(IdRow(id));
        }
        if codes_differ {
            self.unlink_recommendations.push(IdRow(id));
        }
        if new || leads_differ {
            // Every name in the file is a person's by now (`write_people`).
            for (position, name) in a.leads.iter().enumerate() {
                if let Some(&person_id) = ids.people.get(name.as_str()) {
                    self.leads.push(LeadRow {
                        action_id: id,
                        person_id,
                        position: position as i64,
                    });
                }
            }
        }
        if new || codes_differ {
            for code in &a.recommendations {
                if let Some(&recommendation_id) = ids.codes.get(code) {
                    self.links.push(CodeRow {
                        action_id: id,
                        recommendation_id,
                    });
                }
            }
        }
        Ok(())
    }

    /// Records a status change of the action with `id`; `from` is `None`
    /// for a new action, whose first entry this is.
    pub(super) fn change(&mut self, id: i64, from: Option<Status>, to: Status, new: bool) {
        let row = ChangeRow {
            action_id: id,
            at: self.at,
            actor: self.actor.clone(),
            from: from.map(|s| self.repeated.text(s.as_str())),
            to: self.repeated.text(to.as_str()),
        };
        if new {
            self.firsts.push(row);
        } else {
            self.changes.push(row);
            self.restamp.push(IdRow(id));
        }
    }

    /// Writes the batch; returns how many status changes it recorded.
    pub(super) async fn flush(&mut self, tx: &mut sqlx::SqliteConnection) -> Result<usize> {
        self.repeated = Repeated::default();
        // The id is the conflict: a current or removed action is updated in
        // place, keeping when it was created and its last update.
        write_rows(tx, std::mem::take(&mut self.actions), |rows| {
            format!(
                "INSERT INTO actions (id, plan_id, priority_id, ref, position, grp, text, due, status, evidence,
                                      leads, recommendations, created_at_ms, last_update_ms)
                 {rows}
                 ON CONFLICT (id) DO UPDATE SET
                    priority_id = excluded.priority_id, position = excluded.position, grp = excluded.grp,
                    text = excluded.text, due = excluded.due, status = excluded.status,
                    evidence = excluded.evidence, leads = excluded.leads,
                    recommendations = excluded.recommendations, removed_at_ms = NULL"
            )
        })
        .await?;
        write_rows(tx, std::mem::take(&mut self.unlink_leads), |rows| {
            format!("DELETE FROM action_leads WHERE action_id IN ({rows})")
        })
        .await?;
        // A name given twice in another case is one person, linked once.
        write_rows(tx, std::mem::take(&mut self.leads), |rows| {
            format!(
                "INSERT INTO action_leads (action_id, person_id, position) {rows}
                 ON CONFLICT DO NOTHING"
            )
        })
        .await?;
        write_rows(
            tx,
            std::mem::take(&mut self.unlink_recommendations),
            |rows| format!("DELETE FROM action_recommendations WHERE action_id IN ({rows})"),
        )
        .await?;
        write_rows(tx, std::mem::take(&mut self.links), |rows| {
            format!(
                "INSERT INTO action_recommendations (action_id, recommendation_id) {rows}
                 ON CONFLICT DO NOTHING"
            )
        })
        .await?;
        let changes = self.firsts.len() + self.changes.len();
        write_rows(tx, std::mem::take(&mut self.firsts), |rows| {
            format!("INSERT INTO status_changes (action_id, at_ms, actor, from_status, to_status) {rows}")
        })
        .await?;
        write_history(tx, std::mem::take(&mut self.changes)).await?;
        write_rows(tx, std::mem::take(&mut self.restamp), |rows| {
            format!(
                "UPDATE actions SET last_update_ms =
                        (SELECT max(s.at_ms) FROM status_changes s WHERE s.action_id = actions.id)
                  WHERE id IN ({rows})"
            )
        })
        .await?;
        Ok(changes)
    }
}

/// History stays in order: an entry is never stamped before the action's
/// last one, even when this machine's clock is behind the one that wrote it.
/// (A new action has no entry before its first.)
async fn write_history(tx: &mut sqlx::SqliteConnection, changes: Vec<ChangeRow>) -> Result<()> {
    write_rows(tx, changes, |rows| {
        format!(
            "INSERT INTO status_changes (action_id, at_ms, actor, from_status, to_status)
             SELECT v.column1,
                    max(v.column2, coalesce((SELECT max(s.at_ms) FROM status_changes s
                                              WHERE s.action_id = v.column1), v.column2)),
                    v.column3, v.column4, v.column5
               FROM ({rows}) v"
        )
    })
    .await
}
