//! Backups: a checked copy of the database taken while the bot runs, the
//! copy put back in the database's place, and a database checked.
//!
//! Files are written beside where they end up, under a temporary name, and
//! renamed into place only once complete, synced and checked: a full disk
//! or a refusal leaves nothing half-written behind (the temporary file is
//! removed when dropped).

use crate::store::{self, Checked, Store, StoreError};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::NamedTempFile;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists")]
    Exists(PathBuf),
    #[error("cannot write {path}: the folder {dir} does not exist")]
    NoFolder { path: PathBuf, dir: PathBuf },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("there is no file {0}")]
    NoFile(PathBuf),
    #[error("{0} is the database itself")]
    SameFile(PathBuf),
    /// The database's write-ahead log, shared memory or journal: SQLite's
    /// own, which a copy written there would destroy.
    #[error("{0} belongs to the database")]
    DatabaseFile(PathBuf),
    #[error("{0} is a folder")]
    Folder(PathBuf),
    /// Changes to the file are still in its write-ahead log beside it: a
    /// copy of the file alone would leave them out.
    #[error("{0} has changes in its write-ahead log that are not in the file")]
    LogNotWritten(PathBuf),
    /// The checks found these problems (one line each).
    #[error("{path} fails its checks: {}", .problems.join("; "))]
    Unsound {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error("a running planbot ({holder}) holds the scheduler lease on {path} until {until}")]
    BotRunning {
        path: PathBuf,
        holder: String,
        until: DateTime<Utc>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A backup written and checked.
#[derive(Debug, Clone)]
pub struct BackedUp {
    pub path: PathBuf,
    pub checked: Checked,
}

/// Copies the database into a new file at `out` (replacing one there only
/// if `replace`), and checks the copy before giving it that name.
pub async fn backup(store: &Store, out: &Path, replace: bool) -> Result<BackedUp, BackupError> {
    // With --force, a rename over the live database would leave the bot
    // writing to a file no longer there.
    if same_file(store.path(), out) {
        return Err(BackupError::SameFile(out.to_path_buf()));
    }
    if sqlite_companion(store.path(), out) {
        return Err(BackupError::DatabaseFile(out.to_path_buf()));
    }
    if out.is_dir() {
        return Err(BackupError::Folder(out.to_path_buf()));
    }
    if out.exists() && !replace {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let partial = temp_beside(out, ".planbot-backup-")?;
    store
        .vacuum_into(partial.path())
        .await
        .map_err(|e| naming(e, partial.path(), out))?;
    sync(&partial, out)?;
    let checked = sound(partial.path(), out, store.wait()).await?;
    let kept = if replace {
        partial.persist(out).map_err(|e| e.error)
    } else {
        partial.persist_noclobber(out).map_err(|e| e.error)
    };
    match kept {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(BackupError::Exists(out.to_path_buf()));
        }
        other => other.map_err(|e| write_error(out, e))?,
    };
    sync_folder(out)?;
    Ok(BackedUp {
        path: out.to_path_buf(),
        checked,
    })
}

/// A backup put in a database's place.
#[derive(Debug, Clone)]
pub struct Restored {
    pub checked: Checked,
    /// Where the database it replaced is kept, if there was one.
    pub kept: Option<PathBuf>,
}

/// Replaces the database at `target` with the backup `file`. The backup is
/// checked first (and its copy again, before the swap); a running bot
/// stops it, since the bot would go on writing to the replaced file.
pub async fn restore(
    file: &Path,
    target: &Path,
    wait: Duration,
    now: DateTime<Utc>,
) -> Result<Restored, BackupError> {
    if file.is_dir() {
        return Err(BackupError::Folder(file.to_path_buf()));
    }
    if !file.is_file() {
        return Err(BackupError::NoFile(file.to_path_buf()));
    }
    if same_file(file, target) {
        return Err(BackupError::SameFile(file.to_path_buf()));
    }
    let [log, _] = companions(file);
    if std::fs::metadata(&log).is_ok_and(|m| m.len() > 0) {
        return Err(BackupError::LogNotWritten(file.to_path_buf()));
    }
    // Looking at a file in WAL mode makes its -wal and -shm, which a reader
    // that may not write leaves behind: those that were not there go again,
    // refused or not (the copy's, below, too).
    let _looked_at = Companions::absent(file);
    let _target_looked_at = Companions::absent(target);
    sound(file, file, wait).await?;
    let existed = store::existing_database(target, wait).await?;
    if existed
        && let Some((holder, until)) = store::lease_in_file(target, wait).await?
        && until > now
    {
        return Err(BackupError::BotRunning {
            path: target.to_path_buf(),
            holder,
            until,
        });
    }
    let incoming = temp_beside(target, ".planbot-restore-")?;
    let _copy_looked_at = Companions::absent(incoming.path());
    std::fs::copy(file, incoming.path()).map_err(|e| write_error(target, e))?;
    // The database keeps its permissions (a backup's are owner-only).
    let mode = std::fs::metadata(if existed { target } else { file })
        .map_err(|e| write_error(target, e))?
        .permissions();
    std::fs::set_permissions(incoming.path(), mode).map_err(|e| write_error(target, e))?;
    sync(&incoming, target)?;
    let checked = sound(incoming.path(), file, wait).await?;
    let kept = if existed {
        store::settle_file(target, wait).await?;
        // A second name for the old file: the rename below leaves it there.
        Some(keep_old(target, now)?)
    } else {
        None
    };
    incoming
        .persist(target)
        .map_err(|e| write_error(target, e.error))?;
    sync_folder(target)?;
    // The old file's log, emptied by settle_file: not the new file's.
    for stale in companions(target) {
        let _ = std::fs::remove_file(stale);
    }
    Ok(Restored { checked, kept })
}

/// A database's -wal and -shm files.
fn companions(path: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

/// Those of a file's -wal and -shm that are not there yet, removed when
/// this is dropped: SQLite makes them to read a file in WAL mode, and a
/// reader that may not write leaves them behind.
struct Companions(Vec<PathBuf>);

impl Companions {
    fn absent(path: &Path) -> Companions {
        Companions(
            companions(path)
                .into_iter()
                .filter(|p| !p.exists())
                .collect(),
        )
    }
}

impl Drop for Companions {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Checks the database at `path` without changing it.
pub async fn verify(path: &Path, wait: Duration) -> Result<Checked, BackupError> {
    Ok(store::check_file(path, wait).await?)
}

/// Links the old database as `FILE.before-restore-20190520T090000Z`, or
/// with `-2`, `-3`... when restores come faster than one a second.
fn keep_old(target: &Path, now: DateTime<Utc>) -> Result<PathBuf, BackupError> {
    let stamp = now.format(".before-restore-%Y%m%dT%H%M%SZ").to_string();
    for n in 1..100 {
        let mut name = target.as_os_str().to_owned();
        name.push(&stamp);
        if n > 1 {
            name.push(format!("-{n}"));
        }
        let keep = PathBuf::from(name);
        match std::fs::hard_link(target, &keep) {
            Ok(()) => return Ok(keep),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(write_error(&keep, e)),
        }
    }
    Err(write_error(
        target,
        std::io::Error::other("99 earlier copies were kept this second"),
    ))
}

/// The check of a file about to become `named`; a problem refuses it.
async fn sound(path: &Path, named: &Path, wait: Duration) -> Result<Checked, BackupError> {
    let checked = store::check_file(path, wait)
        .await
        .map_err(|e| naming(e, path, named))?;
    if !checked.problems.is_empty() {
        return Err(BackupError::Unsound {
            path: named.to_path_buf(),
            problems: checked.problems,
        });
    }
    Ok(checked)
}

/// An empty temporary file in the folder `path` will be in, so that a
/// rename can put it in place in one step.
fn temp_beside(path: &Path, prefix: &str) -> Result<NamedTempFile, BackupError> {
    let dir = folder(path);
    if !dir.is_dir() {
        return Err(BackupError::NoFolder {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
        });
    }
    tempfile::Builder::new()
        .prefix(prefix)
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| write_error(path, e))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Whether `other` is one of the files SQLite keeps beside `db` (they may
/// not exist yet, so the names are compared, in the same folder).
fn sqlite_companion(db: &Path, other: &Path) -> bool {
    let (Some(name), Some(other_name)) = (db.file_name(), other.file_name()) else {
        return false;
    };
    let same_folder = match (folder(db).canonicalize(), folder(other).canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    same_folder
        && ["-wal", "-shm", "-journal"].iter().any(|suffix| {
            let mut companion = name.to_owned();
            companion.push(suffix);
            companion == other_name
        })
}

fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The file's bytes on disk before it takes its name.
fn sync(file: &NamedTempFile, named: &Path) -> Result<(), BackupError> {
    file.as_file().sync_all().map_err(|e| write_error(named, e))
}

/// The rename on disk too.
fn sync_folder(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(folder(path))
        .and_then(|d| d.sync_all())
        .map_err(|e| write_error(path, e))
}

fn write_error(path: &Path, e: std::io::Error) -> BackupError {
    use std::io::ErrorKind::{FileTooLarge, StorageFull};
    let reason = match e.kind() {
        StorageFull | FileTooLarge => {
            "the disk is full, or the file would be larger than allowed".into()
        }
        _ => e.to_string(),
    };
    BackupError::Write {
        path: path.to_path_buf(),
        reason,
    }
}

/// A store error about a temporary file, told about the file it stands for.
fn naming(e: StoreError, temp: &Path, named: &Path) -> BackupError {
    let named = named.to_path_buf();
    match e {
        StoreError::CannotWrite { path, reason } if path == temp => BackupError::Write {
            path: named,
            reason,
        },
        StoreError::Damaged { path } if path == temp => StoreError::Damaged { path: named }.into(),
        StoreError::NotADatabase { path } if path == temp => {
            StoreError::NotADatabase { path: named }.into()
        }
        other => other.into(),
    }
}
