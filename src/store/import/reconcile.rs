//! Matching the file's rows to the recorded actions, and what that match
//! reports: columns the file lacks keep their values, empty cells clear them,
//! and a status the file changes may undo a person's update.

use super::chunk::{Chunk, Recorded, RowIds};
use super::{Cleared, ImportOutcome, Override, StatusChanged, is_import_actor, json};
use crate::plan::{Action, FileColumns, PlanContent, Status};
use crate::store::actions::parse_status;
use crate::store::{LIST_SEP, Result, StoreError, from_ms, split_list};
use chrono::NaiveDate;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;

/// Moves `changed` into the outcome, noting those whose last history entry
/// is a person's update rather than an import's.
pub(super) async fn note_overrides(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    changed: &mut Vec<StatusChanged>,
    outcome: &mut ImportOutcome,
) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let refs = json(&changed.iter().map(|c| &c.reference).collect::<Vec<_>>());
    let rows = sqlx::query!(
        r#"SELECT a.ref, s.actor, s.at_ms, s.to_status
             FROM json_each(?2) j
             CROSS JOIN actions a ON a.plan_id = ?1 AND a.ref = j.value
             JOIN status_changes s ON s.id =
                  (SELECT s2.id FROM status_changes s2 WHERE s2.action_id = a.id
                    ORDER BY s2.at_ms DESC, s2.id DESC LIMIT 1)"#,
        plan_id,
        refs
    )
    .fetch_all(&mut *tx)
    .await?;
    let last: HashMap<String, (String, i64, String)> = rows
        .into_iter()
        .map(|r| (r.r#ref, (r.actor, r.at_ms, r.to_status)))
        .collect();
    for c in changed.iter() {
        let Some((actor, at_ms, set)) = last.get(&c.reference) else {
            continue;
        };
        if is_import_actor(actor) {
            continue;
        }
        outcome.overrides.push(Override {
            reference: c.reference.clone(),
            by: actor.clone(),
            at: from_ms(*at_ms),
            set: set.parse().unwrap_or(c.from),
            file: c.to,
        });
    }
    outcome.status_changed.append(changed);
    Ok(())
}

/// A current action's row as recorded before this import, borrowed from
/// the JSON SQLite sent where it can be: a re-import reads every row of the
/// plan, and most are compared and dropped without being used.
#[derive(Deserialize)]
struct Stored<'a> {
    id: i64,
    position: usize,
    #[serde(borrow)]
    reference: Cow<'a, str>,
    priority: u32,
    #[serde(borrow)]
    priority_title: Cow<'a, str>,
    #[serde(borrow)]
    group: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Cow<'a, str>,
    #[serde(borrow)]
    due: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(borrow)]
    evidence: Cow<'a, str>,
    #[serde(borrow)]
    leads: Cow<'a, str>,
    #[serde(borrow)]
    recommendations: Cow<'a, str>,
}

impl Stored<'_> {
    /// Whether the file's row says just what is recorded, in every column,
    /// with the priority title read before the file renamed any.
    fn is(&self, new: &Action, title: &str) -> bool {
        let list = |joined: &str, items: &[String]| {
            joined
                .split(LIST_SEP)
                .filter(|p| !p.is_empty())
                .eq(items.iter().map(String::as_str))
        };
        *self.reference == new.reference
            && self.priority == new.priority
            && title == new.priority_title
            && self.group.as_deref() == new.group.as_deref()
            && *self.text == new.text
            && self.due() == Some(new.due)
            && self.status == new.status.as_str()
            && self
                .evidence
                .lines()
                .eq(new.evidence.iter().map(String::as_str))
            && list(&self.leads, &new.leads)
            && list(&self.recommendations, &new.recommendations)
    }

    /// `None` if the recorded date does not read as one.
    fn due(&self) -> Option<Option<NaiveDate>> {
        match self.due.as_deref() {
            None => Some(None),
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().map(Some),
        }
    }

    /// The action, with the priority title read before the file renamed any.
    fn to_action(&self, title: &str) -> Result<Action> {
        let due = match self.due() {
            Some(due) => due,
            None => {
                let due = self.due.as_deref().unwrap_or_default();
                return Err(StoreError::Corrupt(format!("due date \"{due}\"")));
            }
        };
        Ok(Action {
            reference: self.reference.to_string(),
            priority: self.priority,
            priority_title: title.to_string(),
            group: self.group.as_deref().map(str::to_string),
            text: self.text.to_string(),
            leads: split_list(&self.leads),
            due,
            status: parse_status(&self.status)?,
            recommendations: split_list(&self.recommendations),
            evidence: self.evidence.lines().map(str::to_string).collect(),
            last_update: None,
        })
    }

    fn title<'t>(&'t self, titles: &'t HashMap<u32, String>) -> &'t str {
        titles
            .get(&self.priority)
            .map_or(&*self.priority_title, String::as_str)
    }
}

/// The current actions among `refs` as they stood before this import, read
/// as one JSON array (as the listings read theirs, see `ActionRow`).
pub(super) async fn recorded(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    refs: &[&str],
) -> Result<String> {
    let refs = json(refs);
    Ok(sqlx::query_scalar!(
        r#"SELECT json_group_array(json_array(id, position, ref, priority, priority_title, grp, text,
                                              due, status, evidence, leads, recommendations)) AS "rows!: String"
             FROM action_rows
            WHERE plan_id = ?1 AND removed_at_ms IS NULL AND ref IN (SELECT value FROM json_each(?2))"#,
        plan_id,
        refs
    )
    .fetch_one(&mut *tx)
    .await?)
}

/// The rows `recorded` read, by reference.
fn by_reference(json: &str) -> Result<HashMap<Cow<'_, str>, Stored<'_>>> {
    let rows: Vec<Stored> =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("action rows: {e}")))?;
    Ok(rows
        .into_iter()
        .map(|row| (row.reference.clone(), row))
        .collect())
}

/// Refs for the rows that had none, where they differ from the ones the row
/// order gave, by position. A row takes the ref of the recorded action with
/// its priority and text, so reordering or inserting rows moves no history;
/// a row that matches none gets a ref no action has, recorded or in the file.
pub(super) async fn settle_refs(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    content: &PlanContent,
) -> Result<HashMap<usize, String>> {
    if content.generated_refs.is_empty() {
        return Ok(HashMap::new());
    }
    let generated: HashSet<usize> = content.generated_refs.iter().copied().collect();
    let explicit: HashSet<&str> = content
        .actions
        .iter()
        .enumerate()
        .filter(|(i, _)| !generated.contains(i))
        .map(|(_, a)| a.reference.as_str())
        .collect();
    // Removed actions count too: their refs are still taken, and a row
    // that brings one back should bring back its history.
    let rows = sqlx::query!(
        r#"SELECT a.ref, p.number AS "number: u32", a.text
             FROM actions a JOIN priorities p ON p.id = a.priority_id
            WHERE a.plan_id = ? ORDER BY a.position"#,
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut taken: HashSet<String> = explicit.iter().map(|r| r.to_string()).collect();
    let mut by_text: HashMap<(u32, String), VecDeque<String>> = HashMap::new();
    for r in rows {
        if !explicit.contains(r.r#ref.as_str()) {
            by_text
                .entry((r.number, text_key(&r.text)))
                .or_default()
                .push_back(r.r#ref.clone());
        }
        taken.insert(r.r#ref);
    }
    let mut settled = HashMap::new();
    let mut unmatched = Vec::new();
    for &i in &content.generated_refs {
        let a = &content.actions[i];
        match by_text
            .get_mut(&(a.priority, text_key(&a.text)))
            .and_then(VecDeque::pop_front)
        {
            Some(reference) => {
                settled.insert(i, reference);
            }
            None => unmatched.push(i),
        }
    }
    let mut counters: HashMap<u32, u32> = HashMap::new();
    for i in unmatched {
        let priority = content.actions[i].priority;
        let n = counters.entry(priority).or_insert(0);
        loop {
            *n += 1;
            let candidate = format!("{priority}.{n}");
            if taken.insert(candidate.clone()) {
                settled.insert(i, candidate);
                break;
            }
        }
    }
    settled.retain(|i, reference| content.actions[*i].reference != *reference);
    Ok(settled)
}

/// Action text as people retype it: spacing and case do not matter.
fn text_key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub(super) async fn priority_titles(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
) -> Result<HashMap<u32, String>> {
    let rows = sqlx::query!(
        "SELECT number, title FROM priorities WHERE plan_id = ?",
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.number as u32, r.title))
        .collect())
}

/// What the file leaves out keeps its recorded value: a column it does not
/// have says nothing about that column. Evidence only grows, so an older
/// export does not erase evidence added since.
fn keep_absent<'a>(new: &'a Action, old: &Action, cols: FileColumns) -> Cow<'a, Action> {
    let all = cols.group && cols.leads && cols.due && cols.status && cols.recommendations;
    if all && new.evidence == old.evidence {
        // Most rows of a re-import: nothing to merge, and nothing to copy.
        return Cow::Borrowed(new);
    }
    let mut a = new.clone();
    if !cols.group {
        a.group.clone_from(&old.group);
    }
    if !cols.leads {
        a.leads.clone_from(&old.leads);
    }
    if !cols.due {
        a.due = old.due;
    }
    if !cols.status {
        a.status = old.status;
    }
    if !cols.recommendations {
        a.recommendations.clone_from(&old.recommendations);
    }
    let mut evidence = old.evidence.clone();
    evidence.extend(
        new.evidence
            .iter()
            .filter(|e| !old.evidence.contains(e))
            .cloned(),
    );
    a.evidence = evidence;
    Cow::Owned(a)
}

/// Actions whose recorded values the file's empty cells clear.
#[derive(Default)]
pub(super) struct ClearedColumns {
    group: Vec<String>,
    leads: Vec<String>,
    due: Vec<String>,
    status: Vec<String>,
    recommendations: Vec<String>,
}

impl ClearedColumns {
    /// `status_empty`: the Status cell was empty (which reads as Not started).
    pub(super) fn note(
        &mut self,
        old: &Action,
        new: &Action,
        cols: FileColumns,
        status_empty: bool,
    ) {
        let r = || new.reference.clone();
        if cols.group && old.group.is_some() && new.group.is_none() {
            self.group.push(r());
        }
        if cols.leads && !old.leads.is_empty() && new.leads.is_empty() {
            self.leads.push(r());
        }
        if cols.due && old.due.is_some() && new.due.is_none() {
            self.due.push(r());
        }
        if status_empty && old.status != Status::NotStarted {
            self.status.push(r());
        }
        if cols.recommendations && !old.recommendations.is_empty() && new.recommendations.is_empty()
        {
            self.recommendations.push(r());
        }
    }

    pub(super) fn into_list(self, strategic_leads: Vec<String>) -> Vec<Cleared> {
        [
            ("Group", self.group),
            ("Leads", self.leads),
            ("Strategic Leads", strategic_leads),
            ("Due", self.due),
            ("Status", self.status),
            ("Recommendations", self.recommendations),
        ]
        .into_iter()
        .filter(|(_, refs)| !refs.is_empty())
        .map(|(column, refs)| Cleared { column, refs })
        .collect()
    }
}

/// Equal but for the last update, which only the history sets.
fn same_content(old: &Action, new: &Action) -> bool {
    let Action {
        reference,
        priority,
        priority_title,
        group,
        text,
        leads,
        due,
        status,
        recommendations,
        evidence,
        last_update: _,
    } = old;
    *reference == new.reference
        && *priority == new.priority
        && *priority_title == new.priority_title
        && *group == new.group
        && *text == new.text
        && *leads == new.leads
        && *due == new.due
        && *status == new.status
        && *recommendations == new.recommendations
        && *evidence == new.evidence
}

/// Rows matched between yields to the runtime, so that SQLite, writing
/// the chunk before, is given its next statement soon after it finishes one.
const YIELD_EVERY: usize = 16;

/// Matching the file's rows to the recorded actions, chunk by chunk, and
/// what it finds.
pub(super) struct Matching<'a> {
    pub(super) content: &'a PlanContent,
    /// Refs given to rows that had none, by position.
    pub(super) settled: &'a HashMap<usize, String>,
    /// The priorities' titles before this import.
    pub(super) titles: &'a HashMap<u32, String>,
    pub(super) ids: RowIds<'a>,
    pub(super) outcome: ImportOutcome,
    pub(super) cleared: ClearedColumns,
    /// Status changes of recorded actions, for `note_overrides`.
    pub(super) changed: Vec<StatusChanged>,
    /// Recorded current actions the file has.
    pub(super) matched: usize,
}

impl Matching<'_> {
    /// Matches the rows at `range` with the recorded ones in `rows` (as
    /// `recorded` read them), gathering what is to be written in `chunk`.
    pub(super) async fn gather(
        &mut self,
        range: Range<usize>,
        rows: &str,
        chunk: &mut Chunk,
    ) -> Result<()> {
        let before = by_reference(rows)?;
        self.matched += before.len();
        let content = self.content;
        let cols = content.columns;
        for position in range {
            if position % YIELD_EVERY == 0 {
                tokio::task::yield_now().await;
            }
            let a = &content.actions[position];
            let with_settled_ref;
            let a = match self.settled.get(&position) {
                Some(reference) => {
                    with_settled_ref = Action {
                        reference: reference.clone(),
                        ..a.clone()
                    };
                    &with_settled_ref
                }
                None => a,
            };
            let Some(stored) = before.get(a.reference.as_str()) else {
                self.outcome.created.push(a.reference.clone());
                let (id, before) = self.ids.for_new(&a.reference);
                let recorded = match before {
                    None => Recorded::New,
                    Some(_) => Recorded::Removed,
                };
                chunk.add(&self.ids, id, position, a, recorded)?;
                // A returning action's history goes on from where it stopped.
                if before != Some(a.status) {
                    chunk.change(id, before, a.status, before.is_none());
                }
                continue;
            };
            let title = stored.title(self.titles);
            let (id, moved) = (stored.id, stored.position != position);
            if stored.is(a, title) {
                // Most rows of a re-import: nothing to merge, clear or
                // write, unless the row moved.
                self.outcome.unchanged += 1;
                if moved {
                    let same = Recorded::Current {
                        same_leads: true,
                        same_codes: true,
                    };
                    chunk.add(&self.ids, id, position, a, same)?;
                }
                continue;
            }
            let old = stored.to_action(title)?;
            let action = keep_absent(a, &old, cols);
            if old.status != action.status {
                chunk.change(id, Some(old.status), action.status, false);
                self.changed.push(StatusChanged {
                    reference: a.reference.clone(),
                    from: old.status,
                    to: action.status,
                });
            }
            let same = same_content(&old, &action);
            if same {
                self.outcome.unchanged += 1;
            } else {
                self.outcome.updated.push(a.reference.clone());
            }
            // A row the file leaves as it was is not written again.
            if !same || moved {
                let recorded = Recorded::Current {
                    same_leads: old.leads == action.leads,
                    same_codes: old.recommendations == action.recommendations,
                };
                chunk.add(&self.ids, id, position, &action, recorded)?;
            }
            let status_empty = content.empty_status.binary_search(&position).is_ok();
            self.cleared.note(&old, &action, cols, status_empty);
        }
        Ok(())
    }
}
