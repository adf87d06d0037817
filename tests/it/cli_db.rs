//! Which database the command line opens, and what it says when it cannot.

use crate::cli::{export, imported, write};
use crate::helpers::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use std::path::Path;
use std::process::{Command, Output};

/// The binary with `PLANBOT_DB` and the lock wait set for this test.
fn planbot_waiting(db: &Path, wait: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planbot"));
    cmd.args(args)
        .env("PLANBOT_DB", db)
        .env("PLANBOT_DB_WAIT", wait)
        .env_remove("PLANBOT_PLAN");
    cmd
}

/// Another program's connection, holding the write lock until dropped or rolled back.
async fn hold_write_lock(db: &Path) -> SqliteConnection {
    let mut conn = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(db))
        .await
        .unwrap();
    conn.execute("BEGIN IMMEDIATE").await.unwrap();
    conn
}

fn one_line(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[tokio::test]
async fn a_writer_blocked_by_another_program_says_so_once_and_changes_nothing() {
    let (_dir, db) = imported();
    let before = export(&db);
    let mut other = hold_write_lock(&db).await;
    let out = planbot_waiting(&db, "1", &["status", "1.1", "red", "--by", "X"])
        .output()
        .unwrap();
    other.execute("ROLLBACK").await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = one_line(&out);
    assert!(
        err.contains(&format!(
            "another program is using the database at {}",
            db.display()
        )),
        "{err}"
    );
    assert!(err.contains("try again when it has finished"), "{err}");
    assert!(!err.contains("code: 5"), "{err}");
    assert_eq!(export(&db), before);
}

#[tokio::test]
async fn a_writer_waits_for_another_program_to_finish() {
    let (_dir, db) = imported();
    let mut other = hold_write_lock(&db).await;
    let child = planbot_waiting(&db, "60", &["status", "1.1", "red", "--by", "X"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    other.execute("ROLLBACK").await.unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Green -> Red"), "{}", stdout(&out));
}

#[test]
fn reading_commands_never_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo").join("plan.db");
    for args in [
        &["plans"][..],
        &["actions"],
        &["show", "1.1"],
        &["history", "1.1"],
        &["people"],
        &["people", "list"],
        &["export"],
        &["digest"],
        &["jobs", "list"],
        &["jobs", "run", "chase"],
        &["outbox"],
        &["status", "1.1", "red", "--by", "X"],
        &["people", "link", "Julie Bragg", "80351110224678912"],
    ] {
        let out = planbot(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = one_line(&out);
        assert!(
            err.contains(&format!("no planbot database at {}", db.display())),
            "{args:?}: {err}"
        );
        assert!(err.contains("planbot import FILE --plan NAME"), "{err}");
        assert!(!dir.path().join("typo").exists(), "{args:?} made a folder");
    }
    // An empty file is not a database either, and stays empty.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let out = planbot(&empty, &["plans"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no planbot database"));
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
}

/// Someone else's SQLite database: a table of notes.
async fn foreign_database(path: &Path) {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&opts).await.unwrap();
    conn.execute("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')")
        .await
        .unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn another_programs_sqlite_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.sqlite");
    foreign_database(&db).await;
    let bytes = std::fs::read(&db).unwrap();
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    for args in [
        &["plans"][..],
        &["import", &file, "--plan", "P"],
        &["people", "link", "Julie Bragg", "80351110224678912"],
    ] {
        let out = planbot(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = one_line(&out);
        assert!(
            err.contains(&format!(
                "{} is an SQLite database but not planbot's",
                db.display()
            )),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "not a byte changed");
}

#[test]
fn import_starts_a_database_in_an_empty_file_but_not_in_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    let empty = dir.path().join("new.db");
    std::fs::write(&empty, "").unwrap();
    let out = planbot(&empty, &["import", &file, "--plan", "P"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(planbot(&empty, &["actions"]).status.success());

    let typo = dir.path().join("dta").join("plan.db");
    let out = planbot(&typo, &["import", &file, "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1));
    let err = one_line(&out);
    assert!(
        err.contains(&format!(
            "the folder {} does not exist",
            dir.path().join("dta").display()
        )),
        "{err}"
    );
    assert!(!dir.path().join("dta").exists());
}

#[test]
fn the_default_database_folder_is_made_on_first_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    let out = Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(["import", &file, "--plan", "P"])
        .current_dir(dir.path())
        .env_remove("PLANBOT_DB")
        .env_remove("PLANBOT_PLAN")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("data/planbot.db").is_file());
}

unsafe extern "C" {
    fn geteuid() -> u32;
}

/// The binary as someone who may not write to `db` (root ignores file modes,
/// so as `nobody` then).
fn planbot_not_owner(db: &Path, args: &[&str]) -> Output {
    let mut cmd = if unsafe { geteuid() } == 0 {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_planbot"),
        ]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_planbot"))
    };
    cmd.args(args).env("PLANBOT_DB", db).output().unwrap()
}

#[test]
fn a_read_only_file_in_a_writable_folder_is_named_in_one_line() {
    use std::os::unix::fs::PermissionsExt;
    // Dated back, so that the digest of Q3 18/19 has a record to show.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    let out = planbot(
        &db,
        &["import", &file, "--plan", "P", "--as-of", "2018-04-01"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let before = export(&db);
    // SQLite opens such a file read-only without complaint; the first write fails.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    for args in [
        &["digest", "--quarter", "Q3 18/19"][..],
        &["status", "1.1", "red", "--by", "X"],
    ] {
        let out = planbot_not_owner(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = one_line(&out);
        assert!(
            err.contains(&format!("{} is read-only", db.display())),
            "{args:?}: {err}"
        );
        assert!(err.contains("check their permissions"), "{err}");
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(export(&db), before);
}

#[test]
fn a_trial_import_into_no_database_makes_none() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    let db = dir.path().join("plan.db");
    let out = planbot(&db, &["import", &file, "--plan", "P", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("P (new plan): read 5 actions; would create 5"));
    assert!(said.contains("status changes would be recorded"), "{said}");
    // What the plan would be made with, before it is made for good.
    assert!(
        said.contains(
            "settings: time zone Europe/London, financial year from April, stale after 30 days"
        ),
        "{said}"
    );
    let out = planbot(
        &db,
        &[
            "import",
            &file,
            "--plan",
            "P",
            "--dry-run",
            "--year-start-month",
            "7",
            "--time-zone",
            "Europe/Dublin",
        ],
    );
    let said = stdout(&out);
    assert!(
        said.contains("time zone Europe/Dublin, financial year from July"),
        "{said}"
    );
    assert!(!db.exists());

    // A plan made by a file of outcomes alone says its settings too, and a
    // real import says its status changes were recorded.
    let outcomes = write(
        dir.path(),
        "outcomes.csv",
        "Code,Outcome\nOC1,Children are safer\n",
    );
    let out = planbot(
        &db,
        &["import", &outcomes, "--plan", "Q", "--stale-days", "1"],
    );
    let said = stdout(&out);
    assert!(
        said.contains("stale after 1 day without"),
        "{said} {}",
        stderr(&out)
    );
    let out = planbot(&db, &["import", &file, "--plan", "Q"]);
    let said = stdout(&out);
    assert!(said.contains("status changes recorded"), "{said}");
    assert!(!said.contains("settings"), "not a new plan: {said}");
}

/// A mistyped plan name on a file without actions would start a second plan,
/// after which every command needs --plan: it is refused while the database
/// has other plans, naming them.
#[test]
fn a_file_without_actions_does_not_start_a_second_plan() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let plan = write(dir.path(), "plan.csv", SMALL_PLAN);
    let out = planbot(&db, &["import", &plan, "--plan", "Kirklees"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let outcomes = write(
        dir.path(),
        "outcomes.csv",
        "Code,Outcome\nOC1,Children are safer\n",
    );
    let out = planbot(&db, &["import", &outcomes, "--plan", "Kirkless"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "no plan is called \"Kirkless\" (the database has Kirklees), and a file without \
             actions does not start one"
        ),
        "{err}"
    );
    let plans = stdout(&planbot(&db, &["plans"]));
    assert!(!plans.contains("Kirkless"), "{plans}");
    // A file with bad cells is for a plan first: the name is the first fix.
    let values = write(
        dir.path(),
        "v.csv",
        "Measure,Period,Value\nM1,Mayy 2018,20\n",
    );
    let err = stderr(&planbot(&db, &["import", &values, "--plan", "Kirkless"]));
    assert!(err.contains("no plan is called \"Kirkless\""), "{err}");
    // Into the plan it meant, the same file goes in.
    let out = planbot(&db, &["import", &outcomes, "--plan", "Kirklees"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
