//! Every SQL query planbot runs lives under this module; the rest of the crate
//! speaks in domain types.

mod actions;
mod backup;
mod check;
mod digests;
mod glance;
mod group_commit;
mod history;
mod holidays;
mod import;
mod jobs;
mod listing;
mod measures;
mod open;
mod outbox;
mod people;
mod plans;
mod register;
mod risks;
mod status_batch;

pub use actions::ActionFilter;
pub use backup::{existing_database, lease_in_file, settle_file};
pub use check::{Checked, Counts, check_file};
pub use glance::{Counted, Glance, OutcomeActions};
pub use history::Updated;
pub use holidays::{HolidaySpan, HolidaysStored};
pub use import::{
    ImportOptions, ImportOutcome, Override, StatusChanged, WorkbookWritten, import_actor,
};
pub use jobs::{EscalationCandidate, JobRun, LeadAction, RunKind, RunRecord};
pub use listing::{Candidate, OverduePage, Page, Typist};
pub use measures::{MeasureValue, ValueRecorded, ValueRequest};
pub use open::{DEFAULT_WAIT, OpenOptions, about_the_file, latest_schema_version};
pub use outbox::{Head, Lead, OutboxEntry, OutboxHealth, OutboxItem};
pub use plans::PlanSettings;
pub use register::{Correction, Register, RegisterSource, RegisterWritten};
pub use risks::{ReviewRequest, RiskReview, RiskStanding, RiskTrend, trends};

use crate::plan::Plan;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sqlx::sqlite::SqlitePool;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where planbot keeps its data when no `--db` or `PLANBOT_DB` is given.
pub const DEFAULT_DB_PATH: &str = "data/planbot.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is not a planbot database (it is not SQLite); point --db at another file")]
    NotADatabase { path: PathBuf },
    #[error(
        "{path} is an SQLite database but not planbot's (it holds {tables}); point --db at planbot's database or at a new file"
    )]
    NotPlanbot { path: PathBuf, tables: String },
    #[error(
        "there is no planbot database at {path}; import a plan first with `planbot import FILE --plan NAME`, or point --db at your database"
    )]
    NoDatabase { path: PathBuf },
    #[error(
        "cannot start a database at {path}: the folder {dir} does not exist (check the path, or make the folder first)"
    )]
    NoFolder { path: PathBuf, dir: PathBuf },
    #[error(
        "another program is using the database at {path} (a running import or bot?) and still was after {seconds} s; try again when it has finished"
    )]
    Busy { path: PathBuf, seconds: u64 },
    #[error(
        "{path} is read-only: planbot needs to write to the file and to its folder; check their permissions and owner"
    )]
    ReadOnly { path: PathBuf },
    #[error("cannot open {path}: {reason}")]
    CannotOpen { path: PathBuf, reason: String },
    #[error(
        "the database at {path} was written by a newer planbot (schema {found}; this binary knows up to {known}): upgrade planbot, or restore a backup"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{path} is damaged (SQLite finds it malformed or cut short); restore a backup with `planbot restore FILE`"
    )]
    Damaged { path: PathBuf },
    #[error("cannot write {path}: {reason}")]
    CannotWrite { path: PathBuf, reason: String },
    // What to do about the errors below is each adapter's to say (see `app`).
    #[error("there is no plan yet")]
    NoPlans,
    #[error("no plan is called \"{0}\"")]
    NoSuchPlan(String),
    #[error("there are several plans ({})", .0.join(", "))]
    AmbiguousPlan(Vec<String>),
    #[error("plan \"{plan}\" has no action {reference}")]
    NoSuchAction { plan: String, reference: String },
    #[error("nobody called \"{0}\" leads anything")]
    NoSuchPerson(String),
    #[error("plan \"{plan}\" has no measure {code}")]
    NoSuchMeasure { plan: String, code: String },
    #[error("plan \"{plan}\" has no risk {code}")]
    NoSuchRisk { plan: String, code: String },
    #[error("{measure} already has a value for the period starting {}: {value}, recorded by {by}", .period.start)]
    AlreadyRecorded {
        measure: String,
        period: crate::plan::measure::Period,
        value: f64,
        unit: crate::plan::measure::Unit,
        by: String,
    },
    #[error("{measure} already has {value} for the period starting {}", .period.start)]
    SameValue {
        measure: String,
        period: crate::plan::measure::Period,
        value: f64,
        unit: crate::plan::measure::Unit,
    },
    /// Caught in the write itself, for a value recorded since the import's
    /// checks read the plan.
    #[error(
        "measure {0} has values recorded since the file was checked, and its unit and \
         frequency say how they read; nothing was imported: import the file again"
    )]
    MeasureHasValues(String),
    #[error("0 is not a Discord user id")]
    NotADiscordId,
    #[error("Discord user {discord_id} is already linked to {name}")]
    DiscordIdTaken { discord_id: u64, name: String },
    #[error("planbot's database writer stopped before it wrote this")]
    WriterStopped,
    #[error("the database says: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database holds a value planbot cannot read: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// The same error for another caller in a batch that failed as a whole
    /// (see `group_commit`). Errors about the file copy exactly, so each
    /// caller gets the same advice; the database's own words are kept as text.
    pub(crate) fn again(&self) -> StoreError {
        use StoreError::*;
        match self {
            Busy { path, seconds } => Busy {
                path: path.clone(),
                seconds: *seconds,
            },
            ReadOnly { path } => ReadOnly { path: path.clone() },
            Damaged { path } => Damaged { path: path.clone() },
            NotADatabase { path } => NotADatabase { path: path.clone() },
            CannotOpen { path, reason } => CannotOpen {
                path: path.clone(),
                reason: reason.clone(),
            },
            WriterStopped => WriterStopped,
            other => Database(sqlx::Error::Protocol(other.to_string())),
        }
    }
}

/// How much of the database file each connection maps into memory.
pub(crate) const MMAP_BYTES: u64 = 256 * 1024 * 1024;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the SQLite database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    /// How long a statement waits for another program's lock.
    wait: Duration,
    /// Where status updates queue to be written together.
    writer: group_commit::Writer,
    /// Plans already read, by name in lower case (see `Store::find_plan`).
    known_plans: Arc<Mutex<HashMap<String, Plan>>>,
}

impl Store {
    fn new(pool: SqlitePool, path: PathBuf, wait: Duration) -> Store {
        let writer = group_commit::Writer::start(pool.clone(), path.clone(), wait);
        Store {
            pool,
            path,
            wait,
            writer,
            known_plans: Default::default(),
        }
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
            .map_err(|e| self.classify(e))
    }
}

pub(crate) fn to_ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A date as the store writes it ("2019-03-31"), read without chrono's
/// format parser, which parses the format string anew for each date: a
/// listing of a large plan reads tens of thousands. Anything else is read
/// as chrono reads that format.
pub(crate) fn parse_day(text: &str) -> Result<NaiveDate> {
    let b = text.as_bytes();
    let number = |from: usize, to: usize| {
        b[from..to].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let quick = if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        match (number(0, 4), number(5, 7), number(8, 10)) {
            (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d),
            _ => None,
        }
    } else {
        None
    };
    quick
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .ok_or_else(|| StoreError::Corrupt(format!("due date \"{text}\"")))
}

/// SQLite's true and false, 1 and 0, as a JSON array of rows gives them.
pub(crate) fn sqlite_bool<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<bool, D::Error> {
    Ok(<i64 as serde::Deserialize>::deserialize(d)? != 0)
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

/// Reads a JSON array of rows that SQLite built (see `actions::ActionRow`
/// for why JSON), handing each row to `each` as it is parsed: a listing of
/// a large plan then never holds all its rows twice, parsed and made.
pub(crate) fn each_row<'de, T: serde::Deserialize<'de>>(
    json: &'de str,
    what: &str,
    mut each: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    struct Rows<'f, T, F>(&'f mut F, std::marker::PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>, F: FnMut(T) -> Result<()>> serde::de::Visitor<'de>
        for Rows<'_, T, F>
    {
        type Value = Result<()>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of rows")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<Result<()>, A::Error> {
            while let Some(row) = seq.next_element::<T>()? {
                if let Err(e) = (self.0)(row) {
                    // The rest is read past, so that the array still ends.
                    while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                    return Ok(Err(e));
                }
            }
            Ok(Ok(()))
        }
    }
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("{what}: {e}"));
    let mut de = serde_json::Deserializer::from_str(json);
    let outcome =
        serde::Deserializer::deserialize_seq(&mut de, Rows(&mut each, std::marker::PhantomData))
            .map_err(corrupt)?;
    de.end().map_err(corrupt)?;
    outcome
}

/// A list column as a JSON string of SQLite's, split as it is read: the
/// separator is a control character, which JSON escapes, so reading the
/// string whole first would copy it for every row of a listing.
pub(crate) struct SplitList(pub Vec<String>);

impl<'de> serde::Deserialize<'de> for SplitList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Items;
        impl serde::de::Visitor<'_> for Items {
            type Value = SplitList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list column")
            }
            fn visit_str<E: serde::de::Error>(
                self,
                joined: &str,
            ) -> std::result::Result<SplitList, E> {
                Ok(SplitList(split_list(joined)))
            }
        }
        d.deserialize_str(Items)
    }
}
