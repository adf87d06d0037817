//! The database file as a whole: a consistent copy of it while others
//! write, and what putting a copy back in its place needs to know first.

use super::check::has_table;
use super::open::{BUSY, CANTOPEN, FULL, Found, IOERR, LOCKED, classify, inspect};
use super::{Result, Store, StoreError, from_ms};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};
use std::path::Path;
use std::time::Duration;

impl Store {
    /// Writes a copy of the whole database into `dest`, a new or empty file.
    /// `VACUUM INTO` reads in one transaction: the copy is the database as
    /// it stood at one moment, and in WAL mode a running bot goes on writing
    /// meanwhile. The copy is compacted, and is one file (no -wal).
    pub async fn vacuum_into(&self, dest: &Path) -> Result<()> {
        let cannot = |reason: &str| StoreError::CannotWrite {
            path: dest.to_path_buf(),
            reason: reason.into(),
        };
        let name = dest
            .to_str()
            .ok_or_else(|| cannot("planbot needs a file name in UTF-8"))?;
        sqlx::query("VACUUM INTO ?")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(|e| match code(&e) {
                Some(BUSY | LOCKED) => self.classify(e),
                // A write that fails for want of room is an I/O error when the
                // file size limit (EFBIG) stops it, SQLITE_FULL when the disk does.
                Some(FULL | IOERR) => {
                    cannot("the disk is full, or the file would be larger than allowed")
                }
                Some(CANTOPEN) => cannot("planbot cannot create a file there"),
                _ => cannot(&e.to_string()),
            })?;
        Ok(())
    }

    pub fn wait(&self) -> Duration {
        self.wait
    }
}

fn code(e: &sqlx::Error) -> Option<i32> {
    let code = e.as_database_error()?.code()?.parse::<i32>().ok()?;
    Some(code & 0xff)
}

/// Whether there is a planbot database at `path`: false for no file or an
/// empty one; another program's file is refused, as by `Store::open`.
pub async fn existing_database(path: &Path, wait: Duration) -> Result<bool> {
    Ok(matches!(inspect(path, wait).await?, Found::Planbot))
}

/// Who holds the scheduler lease in the database at `path`, and until when;
/// read without changing the file.
pub async fn lease_in_file(path: &Path, wait: Duration) -> Result<Option<(String, DateTime<Utc>)>> {
    let fail = |e: sqlx::Error| classify(path, wait, e);
    let mut conn = super::open::look_at(path, wait).await?;
    let lease = if has_table(&mut conn, "scheduler_lease")
        .await
        .map_err(fail)?
    {
        sqlx::query("SELECT holder, expires_ms FROM scheduler_lease WHERE id = 1")
            .fetch_optional(&mut conn)
            .await
            .map_err(fail)?
            .map(|r| (r.get::<String, _>(0), from_ms(r.get(1))))
    } else {
        None
    };
    let _ = conn.close().await;
    Ok(lease)
}

/// Moves what the write-ahead log holds into the main file and closes it,
/// so that the main file alone is the whole database (to keep it, or to put
/// another in its place). Refused while another program has it open: its
/// connection would go on with the -wal and -shm files of this one.
pub async fn settle_file(path: &Path, wait: Duration) -> Result<()> {
    let open = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(wait);
    let fail = |e: sqlx::Error| classify(path, wait, e);
    let mut conn = SqliteConnection::connect_with(&open).await.map_err(fail)?;
    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut conn)
        .await
        .map_err(fail)?;
    conn.close().await.map_err(fail)?;
    let busy = row.get::<i64, _>(0) != 0;
    // The last connection to close removes the log; one left means another is open.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let log_left = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    if busy || log_left {
        return Err(StoreError::Busy {
            path: path.to_path_buf(),
            seconds: wait.as_secs(),
        });
    }
    Ok(())
}
