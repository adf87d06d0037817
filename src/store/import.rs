//! Writing a whole imported plan in one transaction. Rows go in batches: each
//! table gets one statement per chunk of actions that reads a JSON array
//! through `json_each`, since a statement costs about 100 µs and a plan can
//! have hundreds of thousands of rows; chunks keep those arrays small.
//! `CROSS JOIN` keeps the JSON rows as the outer loop: left to itself the
//! planner scans the plan's actions and re-reads the whole array for each one.

use super::actions::{load_actions_by_refs, load_plan_refs};
use super::plans::PlanSettings;
use super::{Result, Store, join_list, to_ms};
use crate::plan::{Action, FileColumns, PlanContent, Recommendation, Status};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

/// Actions written per statement.
const CHUNK: usize = 4096;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Who the history says made the status changes the file brings.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// Mark actions missing from the file as removed (their history is kept).
    pub prune: bool,
    /// Check and report, then roll back.
    pub dry_run: bool,
    /// Used only when the plan is new.
    pub settings: PlanSettings,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    pub plan: String,
    pub plan_created: bool,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    pub status_changes: usize,
    /// In the database but not in the file.
    pub missing: Vec<String>,
    /// Of the missing, those marked removed (with `prune`).
    pub removed: Vec<String>,
    pub recommendations: usize,
    /// Recorded values the file's empty cells clear, column by column.
    pub cleared: Vec<Cleared>,
    /// Leads the plan did not know before, added as new people.
    pub new_people: Vec<String>,
    /// Recorded actions whose status the file changes.
    pub status_changed: Vec<StatusChanged>,
    /// Of those, the ones whose last update came from a person rather than
    /// an import: the file, likely older, would undo it.
    pub overrides: Vec<Override>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusChanged {
    pub reference: String,
    pub from: Status,
    pub to: Status,
}

/// An update a person recorded that the file's status replaces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Override {
    pub reference: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub set: Status,
    /// What the file says.
    pub file: Status,
}

impl Override {
    /// "1.1 (Steve Comb set Not started on 28 Nov 2026; the file says Amber)".
    pub fn describe(&self, time_zone: chrono_tz::Tz) -> String {
        format!(
            "{} ({} set {} on {}; the file says {})",
            self.reference,
            self.by,
            self.set.label(),
            self.at.with_timezone(&time_zone).format("%-d %b %Y"),
            self.file.label()
        )
    }
}

/// The history's actor for an import of `file_name`, by `by` when a person
/// ran it: the words "import of" are how an import's entries are told from
/// people's updates.
pub fn import_actor(by: &str, file_name: &str) -> String {
    match by {
        "" => format!("import of {file_name}"),
        name => format!("{name} (import of {file_name})"),
    }
}

fn is_import_actor(actor: &str) -> bool {
    actor.starts_with("import of ") || actor.contains("(import of ")
}

/// A column the file has, whose empty cells clear what was recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Cleared {
    pub column: &'static str,
    /// Action refs, or "priority 4" for strategic leads.
    pub refs: Vec<String>,
}

impl Store {
    pub async fn import_plan(
        &self,
        plan_name: &str,
        content: &PlanContent,
        opts: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        let cache = small_cache(&mut tx).await?;
        let outcome = write_plan(&mut tx, plan_name, content, opts).await;
        restore_cache(&mut tx, cache).await?;
        // On an error the transaction is dropped, which rolls it back.
        let outcome = outcome?;
        finish(tx, opts.dry_run).await?;
        Ok(outcome)
    }

    /// Adds or updates a plan's list of recommendations (code and wording).
    pub async fn import_recommendations(
        &self,
        plan_name: &str,
        recommendations: &[Recommendation],
        opts: &ImportOptions,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let plan_id = Store::ensure_plan(&mut tx, plan_name, &opts.settings, opts.at).await?;
        let content = PlanContent {
            recommendations: recommendations.to_vec(),
            ..Default::default()
        };
        write_codes(&mut tx, plan_id, &content).await?;
        let count = count_recommendations(&mut tx, plan_id).await?;
        finish(tx, opts.dry_run).await?;
        Ok(count)
    }
}

/// Dirty pages of a big import stay in SQLite's page cache until commit;
/// a smaller cache spills them to the WAL instead of holding 64 MB. The
/// memory map is turned off too: a re-import reads every page of the plan,
/// and mapped pages count in the process's memory.
const IMPORT_CACHE_KIB: i64 = 8192;

async fn small_cache(tx: &mut sqlx::SqliteConnection) -> Result<i64> {
    let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA cache_size = -{IMPORT_CACHE_KIB}"
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::query("PRAGMA mmap_size = 0")
        .execute(&mut *tx)
        .await?;
    Ok(cache)
}

async fn restore_cache(tx: &mut sqlx::SqliteConnection, cache: i64) -> Result<()> {
    // An integer read from SQLite itself.
    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = {cache}")))
        .execute(&mut *tx)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA mmap_size = {}",
        super::MMAP_BYTES
    )))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn write_plan(
    tx: &mut sqlx::SqliteConnection,
    plan_name: &str,
    content: &PlanContent,
    opts: &ImportOptions,
) -> Result<ImportOutcome> {
    let existed = plan_exists(&mut *tx, plan_name).await?;
    let plan_id = Store::ensure_plan(&mut *tx, plan_name, &opts.settings, opts.at).await?;
    // The recorded actions are read a chunk at a time, as the file's rows
    // come to them: holding a big plan twice would double an import's memory.
    let recorded_refs = load_plan_refs(&mut *tx, plan_id).await?;
    let recorded_titles = priority_titles(&mut *tx, plan_id).await?;
    let settled = settle_refs(&mut *tx, plan_id, content).await?;
    let ref_at = |position: usize| -> &str {
        settled
            .get(&position)
            .map_or(content.actions[position].reference.as_str(), String::as_str)
    };
    let cols = content.columns;
    let mut outcome = ImportOutcome {
        plan: plan_name.to_string(),
        plan_created: !existed,
        ..Default::default()
    };
    outcome.new_people = write_people(&mut *tx, content).await?;
    let cleared_leads = write_priorities(&mut *tx, plan_id, content).await?;
    write_codes(&mut *tx, plan_id, content).await?;

    let mut cleared = ClearedColumns::default();
    let mut chunk = Chunk::default();
    let mut changed = Vec::new();
    let mut before = HashMap::new();
    let at = to_ms(opts.at);
    for (position, a) in content.actions.iter().enumerate() {
        if position % CHUNK == 0 {
            let end = (position + CHUNK).min(content.actions.len());
            let refs: Vec<&str> = (position..end).map(ref_at).collect();
            before = recorded(&mut *tx, plan_id, &refs, &recorded_titles).await?;
        }
        let with_settled_ref;
        let a = match settled.get(&position) {
            Some(reference) => {
                with_settled_ref = Action {
                    reference: reference.clone(),
                    ..a.clone()
                };
                &with_settled_ref
            }
            None => a,
        };
        let old = before.get(&a.reference);
        let merged;
        let action = match old {
            None => a,
            Some(old) => {
                merged = keep_absent(a, old, cols);
                &merged
            }
        };
        match old {
            None => {
                outcome.created.push(a.reference.clone());
                chunk.change(action, None);
            }
            Some(old) => {
                if old.status != action.status {
                    chunk.change(action, Some(old.status));
                    changed.push(StatusChanged {
                        reference: a.reference.clone(),
                        from: old.status,
                        to: action.status,
                    });
                }
                if same_content(old, action) {
                    outcome.unchanged += 1;
                } else {
                    outcome.updated.push(a.reference.clone());
                }
                let status_empty = content.empty_status.binary_search(&position).is_ok();
                cleared.note(old, action, cols, status_empty);
            }
        }
        chunk.add(position, action);
        if chunk.len >= CHUNK {
            // Before the flush writes this import's own history entries.
            note_overrides(&mut *tx, plan_id, &mut changed, &mut outcome).await?;
            outcome.status_changes += chunk.flush(&mut *tx, plan_id, at, &opts.actor).await?;
        }
    }
    note_overrides(&mut *tx, plan_id, &mut changed, &mut outcome).await?;
    outcome.status_changes += chunk.flush(&mut *tx, plan_id, at, &opts.actor).await?;
    outcome.cleared = cleared.into_list(cleared_leads);
    outcome.recommendations = count_recommendations(&mut *tx, plan_id).await?;

    let in_file: BTreeSet<&str> = (0..content.actions.len()).map(ref_at).collect();
    outcome.missing = recorded_refs
        .into_iter()
        .filter(|r| !in_file.contains(r.as_str()))
        .collect();
    outcome.missing.sort();
    if opts.prune && !outcome.missing.is_empty() {
        let refs = json(&outcome.missing);
        sqlx::query!(
            "UPDATE actions SET removed_at_ms = ? WHERE plan_id = ? AND ref IN (SELECT value FROM json_each(?))",
            at,
            plan_id,
            refs
        )
        .execute(&mut *tx)
        .await?;
        outcome.removed = outcome.missing.clone();
    }
    Ok(outcome)
}

/// Moves `changed` into the outcome, noting those whose last history entry
/// is a person's update rather than an import's.
async fn note_overrides(
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
            at: super::from_ms(*at_ms),
            set: set.parse().unwrap_or(c.from),
            file: c.to,
        });
    }
    outcome.status_changed.append(changed);
    Ok(())
}

/// The recorded actions among `actions`, by reference, as they stood before
/// this import: with the priority titles read before the file renamed any.
async fn recorded(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    refs: &[&str],
    titles: &HashMap<u32, String>,
) -> Result<HashMap<String, Action>> {
    let rows = load_actions_by_refs(tx, plan_id, &json(refs)).await?;
    Ok(rows
        .into_iter()
        .map(|mut a| {
            if let Some(title) = titles.get(&a.priority) {
                a.priority_title.clone_from(title);
            }
            (a.reference.clone(), a)
        })
        .collect())
}

/// Refs for the rows that had none, where they differ from the ones the row
/// order gave, by position. A row takes the ref of the recorded action with
/// its priority and text, so reordering or inserting rows moves no history;
/// a row that matches none gets a ref no action has, recorded or in the file.
async fn settle_refs(
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

async fn priority_titles(
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
fn keep_absent(new: &Action, old: &Action, cols: FileColumns) -> Action {
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
    a
}

/// Actions whose recorded values the file's empty cells clear.
#[derive(Default)]
struct ClearedColumns {
    group: Vec<String>,
    leads: Vec<String>,
    due: Vec<String>,
    status: Vec<String>,
    recommendations: Vec<String>,
}

impl ClearedColumns {
    /// `status_empty`: the Status cell was empty (which reads as Not started).
    fn note(&mut self, old: &Action, new: &Action, cols: FileColumns, status_empty: bool) {
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

    fn into_list(self, strategic_leads: Vec<String>) -> Vec<Cleared> {
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

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

/// Commits, or in a dry run rolls back what was only being tried.
async fn finish(tx: sqlx::Transaction<'static, sqlx::Sqlite>, dry_run: bool) -> Result<()> {
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}

fn same_content(old: &Action, new: &Action) -> bool {
    let mut a = old.clone();
    a.last_update = None;
    a == *new
}

async fn plan_exists(tx: &mut sqlx::SqliteConnection, name: &str) -> Result<bool> {
    Ok(
        sqlx::query_scalar!("SELECT id FROM plans WHERE name = ?", name)
            .fetch_optional(&mut *tx)
            .await?
            .is_some(),
    )
}

/// Adds the people the file names; returns those who are new.
async fn write_people(
    tx: &mut sqlx::SqliteConnection,
    content: &PlanContent,
) -> Result<Vec<String>> {
    let cols = content.columns;
    let leads = content
        .actions
        .iter()
        .filter(|_| cols.leads)
        .flat_map(|a| a.leads.iter());
    let strategic = content
        .priorities
        .iter()
        .filter(|_| cols.strategic_leads)
        .flat_map(|p| p.strategic_leads.iter());
    let names: BTreeSet<&str> = leads.chain(strategic).map(String::as_str).collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let names = json(&names);
    let mut added = sqlx::query_scalar!(
        "INSERT INTO people (name) SELECT value FROM json_each(?) WHERE true
         ON CONFLICT (name) DO NOTHING RETURNING name",
        names
    )
    .fetch_all(&mut *tx)
    .await?;
    added.sort();
    Ok(added)
}

#[derive(Serialize)]
struct PriorityRow<'a> {
    number: u32,
    title: &'a str,
}

#[derive(Serialize)]
struct PriorityLeadRow<'a> {
    number: u32,
    name: &'a str,
    position: usize,
}

/// Writes the priorities' titles, and their strategic leads when the file
/// has that column. Returns the priorities whose leads an empty cell clears.
async fn write_priorities(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    content: &PlanContent,
) -> Result<Vec<String>> {
    let rows: Vec<PriorityRow> = content
        .priorities
        .iter()
        .map(|p| PriorityRow {
            number: p.number,
            title: &p.title,
        })
        .collect();
    let rows = json(&rows);
    sqlx::query!(
        "INSERT INTO priorities (plan_id, number, title)
         SELECT ?1, j.value ->> '$.number', j.value ->> '$.title' FROM json_each(?2) j WHERE true
         ON CONFLICT (plan_id, number) DO UPDATE SET title = excluded.title",
        plan_id,
        rows
    )
    .execute(&mut *tx)
    .await?;
    if !content.columns.strategic_leads {
        return Ok(Vec::new());
    }
    let with_leads = sqlx::query_scalar!(
        r#"SELECT p.number AS "number!: i64" FROM priorities p
            WHERE p.plan_id = ? AND EXISTS (SELECT 1 FROM priority_leads pl WHERE pl.priority_id = p.id)"#,
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let cleared = content
        .priorities
        .iter()
        .filter(|p| p.strategic_leads.is_empty() && with_leads.contains(&i64::from(p.number)))
        .map(|p| format!("priority {}", p.number))
        .collect();
    let leads: Vec<PriorityLeadRow> = content
        .priorities
        .iter()
        .flat_map(|p| {
            p.strategic_leads
                .iter()
                .enumerate()
                .map(|(position, name)| PriorityLeadRow {
                    number: p.number,
                    name,
                    position,
                })
        })
        .collect();
    let leads = json(&leads);
    let numbers = json(
        &content
            .priorities
            .iter()
            .map(|p| p.number)
            .collect::<Vec<_>>(),
    );
    sqlx::query!(
        "DELETE FROM priority_leads WHERE priority_id IN
            (SELECT id FROM priorities WHERE plan_id = ? AND number IN (SELECT value FROM json_each(?)))",
        plan_id,
        numbers
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO priority_leads (priority_id, person_id, position)
         SELECT p.id, pe.id, j.value ->> '$.position'
           FROM json_each(?2) j
           CROSS JOIN priorities p ON p.plan_id = ?1 AND p.number = j.value ->> '$.number'
           JOIN people pe ON pe.name = j.value ->> '$.name'
          WHERE true ON CONFLICT DO NOTHING",
        plan_id,
        leads
    )
    .execute(&mut *tx)
    .await?;
    Ok(cleared)
}

#[derive(Serialize)]
struct CodeRow<'a> {
    code: &'a str,
    text: Option<&'a str>,
}

/// Adds the recommendations a list gives and the codes actions cite.
async fn write_codes(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    content: &PlanContent,
) -> Result<()> {
    let known: BTreeSet<&str> = content
        .recommendations
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    let cited: BTreeSet<&str> = content
        .actions
        .iter()
        .flat_map(|a| a.recommendations.iter())
        .map(String::as_str)
        .filter(|c| !known.contains(c))
        .collect();
    let rows: Vec<CodeRow> = content
        .recommendations
        .iter()
        .map(|r| CodeRow {
            code: &r.code,
            text: r.text.as_deref(),
        })
        .chain(cited.into_iter().map(|code| CodeRow { code, text: None }))
        .collect();
    let rows = json(&rows);
    sqlx::query!(
        "INSERT INTO recommendations (plan_id, code, text)
         SELECT ?1, j.value ->> '$.code', j.value ->> '$.text' FROM json_each(?2) j WHERE true
         ON CONFLICT (plan_id, code) DO UPDATE SET text = coalesce(excluded.text, text)",
        plan_id,
        rows
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn count_recommendations(tx: &mut sqlx::SqliteConnection, plan_id: i64) -> Result<usize> {
    let count = sqlx::query_scalar!(
        "SELECT count(*) FROM recommendations WHERE plan_id = ?",
        plan_id
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(count as usize)
}

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
struct Chunk {
    len: usize,
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
    fn add(&mut self, position: usize, a: &Action) {
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

    fn change(&mut self, a: &Action, from: Option<Status>) {
        self.changes.push(&ChangeRow {
            reference: &a.reference,
            from: from.map(Status::as_str),
            to: a.status.as_str(),
        });
    }

    /// Writes the batch; returns how many status changes it recorded.
    async fn flush(
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
