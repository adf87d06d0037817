//! Opening the database file: which files planbot may start a database in,
//! and SQLite's terse complaints about the file turned into advice.

use super::{DEFAULT_DB_PATH, Result, Store, StoreError};
use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

// sqlx applies each migration in a transaction of its own, with its row in
// `_sqlx_migrations` (sqlx-sqlite's `apply`; a file would have to opt out
// with `-- no-transaction`, and none does). So a migration that fails
// halfway leaves nothing of itself behind: the database stays at the last
// migration that succeeded, a schema some planbot knows, and the next start
// tries again. Several pending migrations are not one transaction, though:
// a failure in the third leaves the first two applied.
// (tests/it/upgrade.rs checks this against sqlx itself.)
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The schema this binary writes: the version of its latest migration.
pub fn latest_schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Long enough for an import of a large plan to finish.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// How [`Store::open_with`] treats the file.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// Start a database when there is none yet (or the file is empty).
    pub create: bool,
    /// How long to wait for another program's lock before giving up.
    pub wait: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            create: true,
            wait: DEFAULT_WAIT,
        }
    }
}

/// What is at the path before planbot touches it.
pub(super) enum Found {
    Nothing,
    EmptyFile,
    Planbot,
}

impl Store {
    /// Opens the database at `path`, starting one if there is none, and
    /// brings its schema up to date. Another program's SQLite file is refused.
    pub async fn open(path: impl AsRef<Path>) -> Result<Store> {
        Self::open_with(path, OpenOptions::default()).await
    }

    /// As [`Store::open`], for commands that only look: they never start a database.
    pub async fn open_existing(path: impl AsRef<Path>) -> Result<Store> {
        let options = OpenOptions {
            create: false,
            ..OpenOptions::default()
        };
        Self::open_with(path, options).await
    }

    pub async fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let wait = options.wait;
        match inspect(&path, wait).await? {
            Found::Planbot => {}
            Found::Nothing | Found::EmptyFile if !options.create => {
                return Err(StoreError::NoDatabase { path });
            }
            Found::EmptyFile => {}
            Found::Nothing => make_folder(&path)?,
        }
        let connect = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(options.create)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an update is on disk before anyone is told it was recorded.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(wait)
            // Listings of a large plan read many pages: keep them in memory
            // (64 MiB of cache, the file mapped) rather than one read call each.
            .pragma("cache_size", "-65536")
            .pragma("mmap_size", super::MMAP_BYTES.to_string());
        let fail = |e: sqlx::Error| classify(&path, wait, e);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A connection to a local file does not go stale as a network
            // one does; the check cost a round trip to the connection's
            // thread on every query.
            .test_before_acquire(false)
            .connect_with(connect)
            .await
            .map_err(fail)?;
        MIGRATOR.run(&pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => fail(e),
            other => StoreError::Migrate(other),
        })?;
        Ok(Store::new(pool, path, wait))
    }

    /// Opens an existing database to read it and nothing more, for commands
    /// that promise to change nothing (`planbot check`): no database is
    /// started and the schema is left as it is, migrations not run.
    pub async fn open_unchanged(path: impl AsRef<Path>, wait: Duration) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        match inspect(&path, wait).await? {
            Found::Planbot => {}
            Found::Nothing | Found::EmptyFile => return Err(StoreError::NoDatabase { path }),
        }
        let connect = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(false)
            .foreign_keys(true)
            .busy_timeout(wait);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect)
            .await
            .map_err(|e| classify(&path, wait, e))?;
        Ok(Store::new(pool, path, wait))
    }

    /// The version of the last migration applied to the database.
    pub async fn schema_version(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.classify(e))
    }

    pub(super) fn classify(&self, e: sqlx::Error) -> StoreError {
        classify(&self.path, self.wait, e)
    }
}

/// A read-only connection to the file at `path`: one that cannot change a
/// byte of it, for looking before opening and for checks beside a bot.
pub(super) async fn look_at(path: &Path, wait: Duration) -> Result<SqliteConnection> {
    let look = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(wait);
    SqliteConnection::connect_with(&look)
        .await
        .map_err(|e| classify(path, wait, e))
}

/// Looks at the file without changing a byte of it. A database that a
/// newer planbot wrote is refused here, before anything (sqlx's migrator,
/// the journal mode) could write to it.
pub(super) async fn inspect(path: &Path, wait: Duration) -> Result<Found> {
    let cannot = |reason: String| StoreError::CannotOpen {
        path: path.to_path_buf(),
        reason,
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(cannot(e.to_string())),
    };
    if meta.is_dir() {
        return Err(cannot("it is a folder; name a file in it".into()));
    }
    if meta.len() == 0 {
        return Ok(Found::EmptyFile);
    }
    let fail = |e: sqlx::Error| classify(path, wait, e);
    let mut conn = look_at(path, wait).await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(fail)?;
    let found = if tables.is_empty() {
        Found::EmptyFile
    } else if tables.iter().any(|t| t == "_sqlx_migrations") && ours(&mut conn).await {
        if let Some(found) = unknown_version(&mut conn).await.map_err(fail)? {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found,
                known: latest_schema_version(),
            });
        }
        Found::Planbot
    } else {
        let mut some: Vec<&str> = tables.iter().map(String::as_str).take(3).collect();
        if tables.len() > some.len() {
            some.push("...");
        }
        return Err(StoreError::NotPlanbot {
            path: path.to_path_buf(),
            tables: some.join(", "),
        });
    };
    conn.close().await.map_err(fail)?;
    Ok(found)
}

/// Whether the file's first migration is planbot's: other programs use sqlx too.
async fn ours(conn: &mut SqliteConnection) -> bool {
    let Some(first) = MIGRATOR.iter().next() else {
        return false;
    };
    let checksum: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT checksum FROM _sqlx_migrations WHERE version = ?")
            .bind(first.version)
            .fetch_optional(conn)
            .await
            .ok()
            .flatten();
    checksum.is_some_and(|c| c == *first.checksum)
}

/// The highest version the file records that this binary has no migration
/// for: a newer planbot's schema, which this one must not touch.
async fn unknown_version(
    conn: &mut SqliteConnection,
) -> std::result::Result<Option<i64>, sqlx::Error> {
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
        .fetch_all(conn)
        .await?;
    let known = |v: &i64| MIGRATOR.iter().any(|m| m.version == *v);
    Ok(applied.into_iter().filter(|v| !known(v)).max())
}

/// Only the default `data/` folder is made: a missing folder in a path
/// someone typed is more likely a typo than a wish for a new folder.
fn make_folder(path: &Path) -> Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    if path == Path::new(DEFAULT_DB_PATH) {
        return std::fs::create_dir_all(dir).map_err(|e| StoreError::CannotOpen {
            path: path.to_path_buf(),
            reason: e.to_string(),
        });
    }
    Err(StoreError::NoFolder {
        path: path.to_path_buf(),
        dir: dir.to_path_buf(),
    })
}

/// SQLite's primary result codes that are about the file, not the query.
pub(super) const BUSY: i32 = 5;
pub(super) const LOCKED: i32 = 6;
const READONLY: i32 = 8;
pub(super) const IOERR: i32 = 10;
const CORRUPT: i32 = 11;
pub(super) const FULL: i32 = 13;
pub(super) const CANTOPEN: i32 = 14;
const NOTADB: i32 = 26;

/// Turns an error about the file itself into advice; others are kept as they are.
pub(super) fn classify(path: &Path, wait: Duration, e: sqlx::Error) -> StoreError {
    about_the_file(path, wait, &e).unwrap_or(StoreError::Database(e))
}

/// The advice for an error about the database file, if it is one.
pub fn about_the_file(path: &Path, wait: Duration, e: &sqlx::Error) -> Option<StoreError> {
    let path: PathBuf = path.to_path_buf();
    let db = e.as_database_error()?;
    let code = db.code()?.parse::<i32>().ok()? & 0xff;
    let text = db.message().to_ascii_lowercase();
    Some(match code {
        BUSY | LOCKED => StoreError::Busy {
            path,
            seconds: wait.as_secs(),
        },
        READONLY => StoreError::ReadOnly { path },
        NOTADB => StoreError::NotADatabase { path },
        CORRUPT => StoreError::Damaged { path },
        CANTOPEN => StoreError::CannotOpen {
            path,
            reason: "check that the folder exists and that planbot may write to it".into(),
        },
        _ if text.contains("file is encrypted") => StoreError::NotADatabase { path },
        _ => return None,
    })
}
