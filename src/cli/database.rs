//! Which database a command opens, and what the command line says when
//! the database file is the trouble.

use super::{Cli, Command, Db, Target, UsageError};
use crate::store::{OpenOptions, Store, StoreError};
use anyhow::{Context, Result};
use std::path::Path;
use std::time::Duration;

/// How long to wait for another program's lock: PLANBOT_DB_WAIT seconds.
pub(super) fn db_wait(setting: Option<String>) -> Result<Duration> {
    match setting.as_deref().map(str::trim) {
        None | Some("") => Ok(crate::store::DEFAULT_WAIT),
        Some(text) => text.parse::<u64>().map(Duration::from_secs).map_err(|_| {
            UsageError(format!(
                "PLANBOT_DB_WAIT=\"{text}\" is not a whole number of seconds"
            ))
            .into()
        }),
    }
}

/// `--db` or `--plan` before a command that has no use for it.
pub(super) fn unused_options(cli: &Cli) -> Result<(), UsageError> {
    let name = match &cli.command {
        Command::Demo => "demo",
        Command::Licences => "licences",
        Command::Health { .. } => "health",
        Command::Run { .. } => "run",
        Command::Check { .. } => "check",
        Command::Invite { .. } => "invite",
        Command::Plans(_) => "plans",
        Command::People { .. } => "people",
        Command::Outbox { .. } => "outbox",
        Command::Backup { .. } => "backup",
        Command::Restore { .. } => "restore",
        Command::Verify { .. } => "verify",
        _ => return Ok(()),
    };
    let why = match name {
        "demo" => "it works in a scratch database of its own",
        "licences" => "it reads no database",
        "run" | "check" => "it works on the plans its config file names",
        "invite" => "it needs only the token",
        _ => "it covers every plan in the database",
    };
    match (&cli.global.db, &cli.global.plan) {
        (Some(_), _) if name == "demo" || name == "licences" || name == "invite" => {
            Err(UsageError(format!("`planbot {name}` takes no --db: {why}")))
        }
        (_, Some(_)) => Err(UsageError(format!(
            "`planbot {name}` takes no --plan: {why}"
        ))),
        _ => Ok(()),
    }
}

impl Command {
    /// The database and plan the command works on.
    pub(super) fn target(&self) -> (Db, Option<String>) {
        let target = |t: &Target| (t.db.clone(), t.plan.clone());
        match self {
            Command::Import(a) => target(&a.target),
            Command::Export { target: t, .. }
            | Command::Show { target: t, .. }
            | Command::History { target: t, .. }
            | Command::Jobs { target: t, .. }
            | Command::Holidays { target: t, .. }
            | Command::Measure { target: t, .. }
            | Command::Risk { target: t, .. } => target(t),
            Command::Measures(a) => target(&a.target),
            Command::Risks(a) => target(&a.target),
            Command::Actions(a) => target(&a.target),
            Command::Status(a) => target(&a.target),
            Command::Digest(a) => target(&a.target),
            Command::Plans(db)
            | Command::People { db, .. }
            | Command::Outbox { db, .. }
            | Command::Health { db, .. }
            | Command::Backup { db, .. }
            | Command::Restore { db, .. }
            | Command::Verify { db, .. } => (db.clone(), None),
            Command::Run { db, .. } | Command::Check { db, .. } => (Db { db: db.clone() }, None),
            Command::Demo | Command::Licences | Command::Invite { .. } => (Db::default(), None),
        }
    }
}

/// The store a command works on, and the scratch folder holding it if the
/// command is a trial run on no database yet (removed when dropped).
pub(super) struct Opened {
    pub store: Store,
    _scratch: Option<tempfile::TempDir>,
}

/// Only an import starts a database: every other command needs a plan that
/// is already there, and a typo in --db must not leave an empty database behind.
pub(super) async fn open(command: &Command, path: &Path, wait: Duration) -> Result<Opened> {
    let existing = OpenOptions {
        create: false,
        wait,
    };
    let store = match command {
        Command::Import(args) if !args.dry_run => {
            Store::open_with(path, OpenOptions { create: true, wait }).await
        }
        // A trial import into no database yet is tried on a scratch one.
        Command::Import(_) => match Store::open_with(path, existing).await {
            Err(StoreError::NoDatabase { .. }) => return scratch_store(wait).await,
            other => other,
        },
        _ => Store::open_with(path, existing).await,
    };
    Ok(Opened {
        store: store?,
        _scratch: None,
    })
}

async fn scratch_store(wait: Duration) -> Result<Opened> {
    let dir = tempfile::tempdir().context("cannot make a scratch folder for the dry run")?;
    let options = OpenOptions { create: true, wait };
    let store = Store::open_with(dir.path().join("dry-run.db"), options).await?;
    Ok(Opened {
        store,
        _scratch: Some(dir),
    })
}

/// Errors about the database file that reached us unexplained, as advice.
pub(super) fn explain(e: anyhow::Error, path: &Path, wait: Duration) -> anyhow::Error {
    let advice = e
        .chain()
        .filter_map(|c| c.downcast_ref::<sqlx::Error>())
        .find_map(|sql| crate::store::about_the_file(path, wait, sql));
    match advice {
        Some(advice) => advice.into(),
        None => e,
    }
}
