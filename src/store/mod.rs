//! Every SQL query planbot runs lives under this module; the rest of the crate
//! speaks in domain types.

mod actions;
mod digests;
mod history;
mod import;
mod jobs;
mod outbox;
mod people;
mod plans;

pub use actions::ActionFilter;
pub use history::Updated;
pub use import::{ImportOptions, ImportOutcome};
pub use jobs::{EscalationCandidate, JobRun, LeadAction, RunKind, RunRecord};
pub use outbox::{Head, Lead, OutboxEntry, OutboxItem};
pub use plans::PlanSettings;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where planbot keeps its data when no `--db` or `PLANBOT_DB` is given.
pub const DEFAULT_DB_PATH: &str = "data/planbot.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is not a planbot database (it is not SQLite); point --db at another file")]
    NotADatabase { path: PathBuf },
    #[error("{path} is read-only; planbot needs to write to it (check its permissions)")]
    ReadOnly { path: PathBuf },
    #[error("cannot open {path}: {reason}")]
    CannotOpen { path: PathBuf, reason: String },
    #[error("there is no plan yet: import one with `planbot import FILE --plan NAME`")]
    NoPlans,
    #[error("no plan is called \"{0}\"; `planbot plans` lists them")]
    NoSuchPlan(String),
    #[error("there are several plans ({0}); say which with --plan")]
    AmbiguousPlan(String),
    #[error("plan \"{plan}\" has no action {reference}; `planbot actions` lists them")]
    NoSuchAction { plan: String, reference: String },
    #[error("nobody called \"{0}\" leads anything; `planbot people` lists who does")]
    NoSuchPerson(String),
    #[error("Discord user {discord_id} is already linked to {name}")]
    DiscordIdTaken { discord_id: u64, name: String },
    #[error("the database says: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database holds a value planbot cannot read: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the SQLite database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if need be) the database at `path` and applies migrations.
    pub async fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::CannotOpen {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an update is on disk before anyone is told it was recorded.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Listings of a large plan read many pages: keep them in memory
            // (64 MiB of cache, the file mapped) rather than one read call each.
            .pragma("cache_size", "-65536")
            .pragma("mmap_size", "268435456");
        let classify = |e: sqlx::Error| classify(&path, e);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(classify)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| match e {
                sqlx::migrate::MigrateError::Execute(e) => classify(e),
                other => StoreError::Migrate(other),
            })?;
        Ok(Store { pool, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction that takes the write lock at once, so two writers
    /// queue on the busy timeout instead of failing on a lock upgrade.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| classify(&self.path, e))
    }
}

/// Turns SQLite's terse errors about the file itself into advice.
fn classify(path: &Path, e: sqlx::Error) -> StoreError {
    let text = e.to_string().to_ascii_lowercase();
    let path = path.to_path_buf();
    if text.contains("not a database") || text.contains("file is encrypted") {
        StoreError::NotADatabase { path }
    } else if text.contains("readonly") || text.contains("read-only") {
        StoreError::ReadOnly { path }
    } else if text.contains("unable to open") {
        StoreError::CannotOpen {
            path,
            reason: "check that the folder exists and is writable".into(),
        }
    } else {
        StoreError::Database(e)
    }
}

pub(crate) fn to_ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Lists kept in one column are separated by the ASCII unit separator, which
/// no name or code contains.
pub(crate) const LIST_SEP: char = '\u{1f}';

pub(crate) fn join_list(items: &[String]) -> String {
    items.join(&LIST_SEP.to_string())
}

pub(crate) fn split_list(joined: &str) -> Vec<String> {
    joined
        .split(LIST_SEP)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}
