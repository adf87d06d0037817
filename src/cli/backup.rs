//! `planbot backup`, `restore` and `verify`: the database file as a whole.

use super::Command;
use crate::app::backup::{self, BackupError};
use crate::store::{Checked, OpenOptions, Store, StoreError, latest_schema_version};
use crate::text::count;
use anyhow::Result;
use chrono::Utc;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

pub(super) async fn run(
    command: Command,
    wait: Duration,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let db = command.target().0.path();
    match command {
        Command::Backup {
            out: file, force, ..
        } => backup(&db, &file, force, wait, out).await,
        Command::Restore { file, .. } => restore(&file, &db, wait, out).await,
        Command::Verify { repair, .. } => verify(&db, repair, wait, out).await,
        _ => unreachable!("only backup, restore and verify come here"),
    }
}

async fn backup(
    db: &Path,
    file: &Path,
    force: bool,
    wait: Duration,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    // "-" means standard output to most tools; taken as a name, it made a
    // file called "-" where a script expected the backup on its pipe.
    if file == Path::new("-") {
        anyhow::bail!(
            "a backup is written to a file, checked, and only then given its name, so it cannot go to standard output; name a file, such as --out planbot-backup.db"
        );
    }
    let options = OpenOptions {
        create: false,
        wait,
    };
    let store = Store::open_with(db, options).await?;
    let done = backup::backup(&store, file, force).await;
    store.close().await;
    let done = done.map_err(word)?;
    writeln!(
        out,
        "backed up {} to {}: {}; checked",
        db.display(),
        done.path.display(),
        summary(&done.checked)
    )?;
    Ok(())
}

async fn restore(
    file: &Path,
    db: &Path,
    wait: Duration,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let done = backup::restore(file, db, wait, Utc::now())
        .await
        .map_err(|e| word_restore(e, file))?;
    let before = match &done.kept {
        Some(kept) => format!("the database it replaced is kept as {}", kept.display()),
        None => "there was no database there before".into(),
    };
    writeln!(
        out,
        "restored {} from {} ({}); {before}",
        db.display(),
        file.display(),
        summary(&done.checked)
    )?;
    let latest = latest_schema_version();
    if done.checked.schema < latest {
        writeln!(
            out,
            "planbot brings it from schema {} to {latest} when it next opens it",
            done.checked.schema
        )?;
    }
    Ok(())
}

async fn verify(
    db: &Path,
    repair: bool,
    wait: Duration,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    if repair {
        let options = OpenOptions {
            create: false,
            wait,
        };
        let store = Store::open_with(db, options).await?;
        let rebuilt = store.rebuild_kept().await;
        store.close().await;
        rebuilt?;
        writeln!(out, "rebuilt the tables kept for quick reads")?;
    }
    let checked = backup::verify(db, wait).await.map_err(word)?;
    for problem in &checked.problems {
        writeln!(out, "{problem}")?;
    }
    for stale in &checked.stale {
        writeln!(out, "{stale}; `planbot verify --repair` rebuilds it")?;
    }
    match checked.problems.len() + checked.stale.len() {
        0 => {
            writeln!(
                out,
                "{}: no problems ({}); checked SQLite's integrity and foreign keys, every action's history, the outbox and the tables kept for quick reads",
                db.display(),
                summary(&checked)
            )?;
            Ok(())
        }
        n => Err(anyhow::anyhow!(
            "{}: {n} problem{} (listed above)",
            db.display(),
            if n == 1 { "" } else { "s" }
        )),
    }
}

/// "1.2 MB, schema 3, 1 plan, 5 actions, 12 history rows", the actions
/// those `planbot actions` lists, and how many a prune removed when any.
fn summary(c: &Checked) -> String {
    let removed = match c.counts.removed {
        0 => String::new(),
        n => format!(" (and {n} removed)"),
    };
    format!(
        "{}, schema {}, {}, {}{removed}, {}",
        size(c.bytes),
        c.schema,
        count(c.counts.plans, "plan", "plans"),
        count(c.counts.actions, "action", "actions"),
        count(c.counts.history, "history row", "history rows")
    )
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{} KB", b / 1_000),
        b => format!("{b} bytes"),
    }
}

fn word(e: BackupError) -> anyhow::Error {
    let text = match e {
        BackupError::Exists(path) => format!(
            "{} already exists; name another file, or add --force to replace it",
            path.display()
        ),
        BackupError::NoFile(path) => format!("there is no file {}", path.display()),
        BackupError::SameFile(path) => format!(
            "{} is the database itself; name a file elsewhere",
            path.display()
        ),
        BackupError::DatabaseFile(path) => format!(
            "{} belongs to the database (SQLite keeps its log there); name a file elsewhere",
            path.display()
        ),
        BackupError::Folder(path) => {
            format!("{} is a folder: name a file in it", path.display())
        }
        BackupError::Unsound { path, problems } => format!(
            "{} fails its checks ({} problems; the first: {}); `planbot verify --db {}` lists them all",
            path.display(),
            problems.len(),
            problems[0],
            path.display()
        ),
        BackupError::BotRunning {
            path,
            holder,
            until,
        } => format!(
            "a running planbot ({holder}) holds the scheduler lease on {} until {}: stop the bot first, restore, then start it again",
            path.display(),
            until.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        BackupError::Store(e) => return e.into(),
        other => other.to_string(),
    };
    anyhow::Error::msg(text)
}

/// As [`word`], saying of the backup file what it is not.
fn word_restore(e: BackupError, file: &Path) -> anyhow::Error {
    let name = file.display();
    let not_a_backup = |what: &str| anyhow::anyhow!("{name} is not a planbot backup: {what}");
    match e {
        BackupError::Store(StoreError::NotADatabase { path }) if path == file => {
            not_a_backup("it is not an SQLite database")
        }
        BackupError::Store(StoreError::NotPlanbot { path, tables }) if path == file => {
            not_a_backup(&format!(
                "it is another program's SQLite database (it holds {tables})"
            ))
        }
        BackupError::Store(StoreError::NoDatabase { path }) if path == file => {
            not_a_backup("it is empty")
        }
        BackupError::Store(StoreError::Damaged { path }) if path == file => {
            not_a_backup("it is damaged (SQLite finds it malformed or cut short)")
        }
        BackupError::LogNotWritten(path) => anyhow::anyhow!(
            "{name} is not a planbot backup on its own: {}-wal beside it holds changes not yet written into it. Restore a file made by `planbot backup`, or let the program using {name} finish (or run `sqlite3 {name} \"PRAGMA wal_checkpoint(TRUNCATE)\"`) and try again",
            path.display()
        ),
        BackupError::Store(StoreError::NewerSchema { path, found, known }) if path == file => {
            anyhow::anyhow!(
                "{name} was written by a newer planbot (schema {found}; this binary knows up to {known}): restore it with that planbot, or choose an older backup"
            )
        }
        other => word(other),
    }
}
