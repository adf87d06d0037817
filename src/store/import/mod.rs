//! Writing a whole imported plan in one transaction. The file's rows are
//! matched to the recorded actions a chunk at a time, and only the rows that
//! differ are written, in multi-row statements (see `values`): a plan can
//! have hundreds of thousands of rows, and a re-import usually changes few.
//! Every row's id is known before it is written, so its links and history
//! need no lookup of the action by its ref.

mod chunk;
mod reconcile;
mod values;
mod write;

use super::actions::load_plan_refs;
use super::plans::PlanSettings;
use super::register::{Register, RegisterSource, RegisterWritten, write_register};
use super::{Result, Store, StoreError, to_ms};
use crate::plan::{PlanContent, Recommendation, Status};
use chrono::{DateTime, Utc};
use chunk::{Chunk, RowIds};
use reconcile::{ClearedColumns, Matching, note_overrides, priority_titles, recorded, settle_refs};
use serde::Serialize;
use std::collections::HashSet;
use std::ops::Range;
use write::{count_recommendations, write_codes, write_people, write_priorities};

/// Actions read and written together.
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
    pub fn describe(&self, time_zone: crate::plan::Zone) -> String {
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

    /// A workbook: the actions (if it has them), the recommendations and the
    /// register, in one transaction. Returns the actions' outcome and how
    /// many recommendations the plan holds.
    pub async fn import_workbook(
        &self,
        plan_name: &str,
        content: Option<&PlanContent>,
        recommendations: &[Recommendation],
        register: &Register,
        opts: &ImportOptions,
    ) -> Result<WorkbookWritten> {
        let mut tx = self.begin_write().await?;
        let cache = small_cache(&mut tx).await?;
        let done =
            write_workbook(&mut tx, plan_name, content, recommendations, register, opts).await;
        restore_cache(&mut tx, cache).await?;
        let done = done?;
        finish(tx, opts.dry_run).await?;
        Ok(done)
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

/// What a workbook import wrote.
#[derive(Debug)]
pub struct WorkbookWritten {
    /// What became of the plan's actions, when the workbook had them.
    pub actions: Option<ImportOutcome>,
    /// How many recommendations the plan lists now.
    pub recommendations: usize,
    /// Whether this import made the plan (seen inside its transaction, so
    /// that of two imports making the same plan at once only one says so).
    pub plan_created: bool,
    /// What the outcomes, measures, values and risks added to the record.
    pub register: RegisterWritten,
}

async fn write_workbook(
    tx: &mut sqlx::SqliteConnection,
    plan_name: &str,
    content: Option<&PlanContent>,
    recommendations: &[Recommendation],
    register: &Register,
    opts: &ImportOptions,
) -> Result<WorkbookWritten> {
    let outcome = match content {
        Some(c) => Some(write_plan(&mut *tx, plan_name, c, opts).await?),
        None => None,
    };
    let (plan_id, created) =
        Store::ensure_plan(&mut *tx, plan_name, &opts.settings, opts.at).await?;
    let plan_created = outcome.as_ref().map_or(created, |o| o.plan_created);
    let listed = PlanContent {
        recommendations: recommendations.to_vec(),
        ..Default::default()
    };
    write_codes(&mut *tx, plan_id, &listed).await?;
    let source = RegisterSource {
        by: opts.actor.clone(),
        at: opts.at,
    };
    let register = write_register(&mut *tx, plan_id, register, &source).await?;
    Ok(WorkbookWritten {
        actions: outcome,
        recommendations: count_recommendations(&mut *tx, plan_id).await?,
        plan_created,
        register,
    })
}

async fn write_plan(
    tx: &mut sqlx::SqliteConnection,
    plan_name: &str,
    content: &PlanContent,
    opts: &ImportOptions,
) -> Result<ImportOutcome> {
    let (plan_id, plan_created) =
        Store::ensure_plan(&mut *tx, plan_name, &opts.settings, opts.at).await?;
    let recorded_titles = priority_titles(&mut *tx, plan_id).await?;
    let settled = settle_refs(&mut *tx, plan_id, content).await?;
    let ref_at = |position: usize| -> &str {
        settled
            .get(&position)
            .map_or(content.actions[position].reference.as_str(), String::as_str)
    };
    let mut outcome = ImportOutcome {
        plan: plan_name.to_string(),
        plan_created,
        ..Default::default()
    };
    let people = write_people(&mut *tx, content).await?;
    outcome.new_people = people.added;
    let cleared_leads = write_priorities(&mut *tx, plan_id, content).await?;
    write_codes(&mut *tx, plan_id, content).await?;
    let ids = RowIds::load(&mut *tx, plan_id, people.ids).await?;

    let mut matching = Matching {
        content,
        settled: &settled,
        titles: &recorded_titles,
        ids,
        outcome,
        cleared: ClearedColumns::default(),
        changed: Vec::new(),
        matched: 0,
    };
    // The recorded actions are read a chunk at a time, as the file's rows
    // come to them: holding a big plan twice would double an import's memory.
    // Two chunks are in hand at once: while SQLite, on its own thread,
    // writes one and reads the recorded rows for the next, this thread
    // matches the file's rows of the other (yielding now and then, so
    // SQLite's next statement is sent as soon as it can take it).
    let chunks: Vec<Range<usize>> = (0..content.actions.len())
        .step_by(CHUNK)
        .map(|start| start..(start + CHUNK).min(content.actions.len()))
        .collect();
    let refs = |range: &Range<usize>| -> Vec<&str> { range.clone().map(ref_at).collect() };
    let new_chunk = || Chunk::new(plan_id, to_ms(opts.at), &opts.actor);
    let (mut writing, mut gathering) = (new_chunk(), new_chunk());
    let mut rows = match chunks.first() {
        Some(first) => recorded(&mut *tx, plan_id, &refs(first)).await?,
        None => String::new(),
    };
    for (i, range) in chunks.iter().enumerate() {
        let (sqlite, matched) = futures::join!(
            async {
                let written = writing.flush(&mut *tx).await?;
                let next = match chunks.get(i + 1) {
                    Some(next) => recorded(&mut *tx, plan_id, &refs(next)).await?,
                    None => String::new(),
                };
                Ok::<_, StoreError>((written, next))
            },
            matching.gather(range.clone(), &rows, &mut gathering),
        );
        let (written, next) = sqlite?;
        matched?;
        matching.outcome.status_changes += written;
        rows = next;
        // Before the next flush writes this import's own history entries.
        note_overrides(
            &mut *tx,
            plan_id,
            &mut matching.changed,
            &mut matching.outcome,
        )
        .await?;
        std::mem::swap(&mut writing, &mut gathering);
    }
    matching.outcome.status_changes += writing.flush(&mut *tx).await?;
    let Matching {
        mut outcome,
        cleared,
        matched,
        ids,
        ..
    } = matching;
    outcome.cleared = cleared.into_list(cleared_leads);
    outcome.recommendations = count_recommendations(&mut *tx, plan_id).await?;

    // The file's refs are distinct, so a current action is missing from it
    // exactly when fewer were matched than there were.
    if matched < ids.current {
        let in_file: HashSet<&str> = (0..content.actions.len()).map(ref_at).collect();
        outcome.missing = load_plan_refs(&mut *tx, plan_id)
            .await?
            .into_iter()
            .filter(|r| !in_file.contains(r.as_str()))
            .collect();
        outcome.missing.sort();
    }
    let at = to_ms(opts.at);
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
