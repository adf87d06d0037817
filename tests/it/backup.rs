//! `planbot backup`, `restore` and `verify` through the real binary, and
//! the drill: a backup taken while updates stream in holds every update
//! acknowledged before it began.

use crate::cli::{export, imported};
use crate::helpers::*;
use chrono::Utc;
use planbot::app::{Actor, status::Change};
use planbot::plan::Status;
use planbot::store::{Store, latest_schema_version};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use std::path::Path;
use std::process::Output;

fn failed_in_one_line(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", stdout(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

/// The files in a folder, by name.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn backup(db: &Path, out: &Path) -> Output {
    planbot(db, &["backup", "--out", out.to_str().unwrap()])
}

fn restore(backup: &Path, db: &Path) -> Output {
    planbot(db, &["restore", backup.to_str().unwrap()])
}

#[test]
fn a_backup_is_checked_says_what_it_holds_and_replaces_nothing_unasked() {
    let (dir, db) = imported();
    let copy = dir.path().join("copy.db");
    let out = backup(&db, &copy);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    let schema = latest_schema_version();
    assert!(said.starts_with(&format!(
        "backed up {} to {}: ",
        db.display(),
        copy.display()
    )));
    assert!(
        said.contains(&format!(
            "schema {schema}, 1 plan, 5 actions, 5 history rows; checked"
        )),
        "{said}"
    );
    assert_eq!(export(&copy), export(&db));

    let bytes = std::fs::read(&copy).unwrap();
    let err = failed_in_one_line(&backup(&db, &copy));
    assert!(
        err.contains("already exists; name another file, or add --force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);
    let out = planbot(&db, &["backup", "--out", copy.to_str().unwrap(), "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let onto_itself = planbot(&db, &["backup", "--out", db.to_str().unwrap(), "--force"]);
    let err = failed_in_one_line(&onto_itself);
    assert!(err.contains("is the database itself"), "{err}");
    let err = failed_in_one_line(&restore(&db, &db));
    assert!(err.contains("is the database itself"), "{err}");

    let out = planbot(&copy, &["verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("no problems"), "{}", stdout(&out));
}

#[test]
fn a_backup_into_a_missing_folder_or_onto_a_full_disk_leaves_no_file() {
    let (dir, db) = imported();
    let missing = dir.path().join("nope").join("copy.db");
    let err = failed_in_one_line(&backup(&db, &missing));
    assert!(err.contains("the folder"), "{err}");
    assert!(err.contains("does not exist"), "{err}");

    // A file size limit below the copy's size (the database is ~160 KB) but
    // above the 32 KB the database's -shm file needs. SIGXFSZ ignored, so
    // the write fails with EFBIG rather than the signal killing planbot.
    let before = files(dir.path());
    let copy = dir.path().join("copy.db");
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; exec prlimit --fsize=65536 \"$@\"",
            "sh",
        ])
        .arg(env!("CARGO_BIN_EXE_planbot"))
        .args(["backup", "--out"])
        .arg(&copy)
        .env("PLANBOT_DB", &db)
        .output()
        .unwrap();
    let err = failed_in_one_line(&out);
    assert!(
        err.contains(&format!(
            "cannot write {}: the disk is full, or the file would be larger than allowed",
            copy.display()
        )),
        "{err}"
    );
    assert_eq!(files(dir.path()), before, "no partial file left");
}

#[tokio::test]
async fn restore_replaces_the_database_and_keeps_the_one_it_replaced() {
    let (dir, db) = imported();
    let copy = dir.path().join("copy.db");
    assert!(backup(&db, &copy).status.success());
    let at_backup = export(&db);
    let out = planbot(&db, &["status", "1.1", "red", "--by", "After Backup"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after_backup = export(&db);

    let out = restore(&copy, &db);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    let kept = said
        .split("kept as ")
        .nth(1)
        .unwrap_or_else(|| panic!("{said}"))
        .trim();
    assert!(
        kept.starts_with(&format!("{}.before-restore-", db.display())),
        "{said}"
    );
    assert_eq!(export(&db), at_backup);
    assert_eq!(
        export(Path::new(kept)),
        after_backup,
        "the replaced database is kept"
    );
    let history = stdout(&planbot(&db, &["history", "1.1"]));
    assert!(!history.contains("After Backup"), "{history}");

    // A drill that restores again at once keeps each replaced file too.
    let mut kept_names = Vec::new();
    for _ in 0..3 {
        let out = restore(&copy, &db);
        assert!(out.status.success(), "{}", stderr(&out));
        kept_names.push(
            stdout(&out)
                .split("kept as ")
                .nth(1)
                .unwrap()
                .trim()
                .to_string(),
        );
    }
    kept_names.dedup();
    assert_eq!(kept_names.len(), 3, "{kept_names:?}");
}

/// Someone else's SQLite database, in WAL mode as many programs keep theirs.
async fn foreign_database(path: &Path) {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&opts).await.unwrap();
    conn.execute("CREATE TABLE notes (body TEXT)")
        .await
        .unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_sound_backup_and_changes_nothing() {
    let (dir, db) = imported();
    let copy = dir.path().join("copy.db");
    assert!(backup(&db, &copy).status.success());
    let bytes = std::fs::read(&copy).unwrap();
    let before = export(&db);

    let half = dir.path().join("half.db");
    std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();
    let notes = dir.path().join("notes.db");
    foreign_database(&notes).await;
    let text = dir.path().join("plan.csv");
    let newer = dir.path().join("newer.db");
    std::fs::write(&newer, &bytes).unwrap();
    let mut conn = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&newer))
        .await
        .unwrap();
    conn.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (999, 'from the future', true, x'00', 0)",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();

    // A copy of the backup still open in another program, its last change
    // only in its write-ahead log.
    let open = dir.path().join("open.db");
    std::fs::write(&open, &bytes).unwrap();
    let mut writer = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(&open)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal),
    )
    .await
    .unwrap();
    writer
        .execute("UPDATE people SET name = 'Renamed' WHERE id = 1")
        .await
        .unwrap();
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();

    for (file, says) in [
        (
            &open,
            "open.db-wal beside it holds changes not yet written into it",
        ),
        (&folder, "is a folder"),
        (&half, "is not a planbot backup: it is damaged"),
        (
            &notes,
            "is not a planbot backup: it is another program's SQLite database",
        ),
        (
            &text,
            "is not a planbot backup: it is not an SQLite database",
        ),
        (&newer, "was written by a newer planbot (schema 999"),
        (&dir.path().join("missing.db"), "there is no file"),
    ] {
        let err = failed_in_one_line(&restore(file, &db));
        assert!(err.contains(says), "{}: {err}", file.display());
    }
    writer.close().await.unwrap();
    assert_eq!(export(&db), before);
    let leftovers: Vec<String> = files(dir.path())
        .into_iter()
        .filter(|f| {
            f.contains("before-restore")
                || f.contains(".partial")
                || f.ends_with("-wal")
                || f.ends_with("-shm")
        })
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}

#[tokio::test]
async fn restore_refuses_while_a_bot_holds_the_lease() {
    let (dir, db) = imported();
    let copy = dir.path().join("copy.db");
    assert!(backup(&db, &copy).status.success());
    let store = Store::open_existing(&db).await.unwrap();
    let held = store
        .hold_lease("planbot@host:42", Utc::now(), chrono::Duration::seconds(60))
        .await
        .unwrap();
    assert!(held.is_ok());
    let before = export(&db);
    let err = failed_in_one_line(&restore(&copy, &db));
    assert!(
        err.contains("a running planbot (planbot@host:42) holds the scheduler lease"),
        "{err}"
    );
    assert!(err.contains("stop the bot first"), "{err}");
    assert_eq!(export(&db), before);
    // Once the bot has stopped (and given the lease up) the restore goes ahead.
    store.release_lease("planbot@host:42").await.unwrap();
    store.close().await;
    let out = restore(&copy, &db);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[tokio::test]
async fn verify_lists_each_broken_rule_on_a_line() {
    let (_dir, db) = imported();
    let mut conn = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(&db))
        .await
        .unwrap();
    // A history entry that does not start where 1.1's last one ended (it is
    // green), and a sent message with no time sent.
    conn.execute(
        "INSERT INTO status_changes (action_id, at_ms, actor, from_status, to_status)
           SELECT id, 4102444800000, 'Someone', 'amber', 'red' FROM actions WHERE ref = '1.1';
         INSERT INTO outbox (key, plan_id, job, body, created_at_ms, not_before_ms, state, next_try_ms)
           VALUES ('k', 1, 'chase', '{}', 0, 0, 'sent', 0);",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let out = planbot(&db, &["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(
        lines,
        [
            "history: plan \"P\", action 1.1, entry 6 goes from amber but the entry before it ended at green",
            "outbox: message 1 (k) is sent but has no time sent",
        ],
    );
    assert!(
        stderr(&out).contains("2 problems (listed above)"),
        "{}",
        stderr(&out)
    );
    let copy = db.with_file_name("copy.db");
    let err = failed_in_one_line(&backup(&db, &copy));
    assert!(err.contains("fails its checks (2 problems"), "{err}");
    assert!(!copy.exists());
}

/// The drill: updates stream in through the application layer, each
/// counted once acknowledged; the real binary takes a backup meanwhile;
/// the backup, restored to a new path, holds every update acknowledged
/// before the backup began, and verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drill_a_backup_taken_mid_stream_holds_every_acknowledged_update() {
    let (dir, db) = imported();
    let store = Store::open_existing(&db).await.unwrap();
    let plan = store.find_plan(Some("P")).await.unwrap();
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stream = {
        let (store, acked, stop) = (store.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 0usize;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let reference = ["1.1", "1.2", "2.1"][i % 3];
                let to = [Status::Red, Status::Amber][(i / 3) % 2];
                let note = format!("drill update {i}");
                let change = Change {
                    to,
                    note: Some(note.clone()),
                    evidence: None,
                };
                let actor = Actor::trusted("Drill");
                planbot::app::status::update_status(
                    &store,
                    &plan,
                    &actor,
                    reference,
                    change,
                    Utc::now(),
                )
                .await
                .unwrap();
                acked.lock().unwrap().push(note);
                i += 1;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before_backup = acked.lock().unwrap().clone();
    let copy = dir.path().join("drill-backup.db");
    let (db2, copy2) = (db.clone(), copy.clone());
    let out = tokio::task::spawn_blocking(move || backup(&db2, &copy2))
        .await
        .unwrap();
    let during = acked.lock().unwrap().len() - before_backup.len();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    stream.await.unwrap();
    store.close().await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!before_backup.is_empty(), "the stream was running");
    assert!(during > 0, "updates went on while the backup ran");

    let restored = dir.path().join("restored").join("plan.db");
    std::fs::create_dir(restored.parent().unwrap()).unwrap();
    let out = restore(&copy, &restored);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("there was no database there before"));
    let out = planbot(&restored, &["verify"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    let store = Store::open_existing(&restored).await.unwrap();
    let plan = store.find_plan(Some("P")).await.unwrap();
    let mut notes = std::collections::HashSet::new();
    for reference in ["1.1", "1.2", "2.1"] {
        for change in store.history(&plan, reference).await.unwrap() {
            notes.extend(change.note);
        }
    }
    store.close().await;
    let lost: Vec<&String> = before_backup
        .iter()
        .filter(|n| !notes.contains(*n))
        .collect();
    assert!(
        lost.is_empty(),
        "acknowledged before the backup but not in it: {lost:?}"
    );
}

#[test]
fn a_backup_onto_the_databases_own_log_files_or_a_folder_is_refused_and_loses_nothing() {
    let (dir, db) = imported();
    let before = export(&db);
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut target = db.as_os_str().to_owned();
        target.push(suffix);
        let out = planbot(
            &db,
            &["backup", "--out", target.to_str().unwrap(), "--force"],
        );
        let err = failed_in_one_line(&out);
        assert!(
            err.contains("belongs to the database") && err.contains("name a file elsewhere"),
            "{suffix}: {err}"
        );
        assert_eq!(export(&db), before, "{suffix}");
    }
    let folder = dir.path().join("backups");
    std::fs::create_dir(&folder).unwrap();
    for force in [false, true] {
        let mut args = vec!["backup", "--out", folder.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        let err = failed_in_one_line(&planbot(&db, &args));
        assert!(err.contains("is a folder: name a file in it"), "{err}");
    }
    assert_eq!(files(&folder), Vec::<String>::new());
}

/// `--out -` (standard output, to most tools) is refused, and no file
/// called "-" is left behind.
#[test]
fn a_backup_to_standard_output_is_refused_in_one_line() {
    let (dir, db) = imported();
    let before = files(dir.path());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(["backup", "--out", "-"])
        .env("PLANBOT_DB", &db)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = failed_in_one_line(&out);
    assert!(
        err.contains("cannot go to standard output; name a file"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
    assert_eq!(files(dir.path()), before, "no file called \"-\"");
}
