use crate::helpers::*;
use std::path::Path;

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A fresh database holding SMALL_PLAN as plan "P".
pub(crate) fn imported() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, db)
}

pub(crate) fn export(db: &Path) -> String {
    let out = planbot(db, &["export"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn import_reports_what_it_did() {
    let (dir, db) = imported();
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    let out = planbot(&db, &["import", &file]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("read 5 actions"), "{text}");
    assert!(
        text.contains("created 0, updated 0, left 5 unchanged"),
        "{text}"
    );
}

#[test]
fn a_bad_file_exits_1_with_line_and_column_and_changes_nothing() {
    let (dir, db) = imported();
    let before = export(&db);
    let bad = SMALL_PLAN
        .replace("Green", "Purple")
        .replace("31/03/2019", "31/02/2019");
    let file = write(dir.path(), "bad.csv", &bad);
    let out = planbot(&db, &["import", &file]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("line 2, column 7 (Status): \"Purple\" is not a status"),
        "{err}"
    );
    assert!(
        err.contains("line 6, column 6 (Due): \"31/02/2019\" is not a real date"),
        "{err}"
    );
    assert_eq!(export(&db), before, "the plan is exactly as it was");
}

#[test]
fn unknown_file_type_and_empty_files_are_refused() {
    let (dir, db) = imported();
    let before = export(&db);
    for (name, text, expect) in [
        ("plan.pdf", "%PDF-1.4", "planbot reads .csv and .xlsx"),
        ("empty.csv", "", "the file is empty"),
        (
            "header.csv",
            "Priority,Action,Lead\r\n",
            "a header but no actions",
        ),
        ("nocols.csv", "Name,Colour\nA,B\n", "no Action"),
    ] {
        let out = planbot(&db, &["import", &write(dir.path(), name, text)]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(stderr(&out).contains(expect), "{name}: {}", stderr(&out));
    }
    assert_eq!(export(&db), before);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    assert_eq!(planbot(&db, &["frobnicate"]).status.code(), Some(2));
    let out = planbot(&db, &["status", "1.1", "purple", "--by", "Me"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"purple\" is not a status"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_listing_has_the_fields_scripts_need() {
    let (_dir, db) = imported();
    let out = planbot(
        &db,
        &[
            "actions",
            "--json",
            "--as-of",
            "2030-01-01",
            "--lead",
            "Julie Bragg",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    let r = &rows[0];
    assert_eq!(r["ref"], "1.2");
    assert_eq!(r["priority"], 1);
    assert_eq!(r["action"], "Review the SGO policy");
    assert_eq!(r["leads"], serde_json::json!(["Julie Bragg"]));
    assert_eq!(r["due"], "2019-03-31");
    assert_eq!(r["status"], "red");
    assert!(r["overdue_days"].as_i64().unwrap() > 3000);
}

#[test]
fn status_records_and_history_shows_it() {
    let (_dir, db) = imported();
    let out = planbot(
        &db,
        &[
            "status",
            "1.2",
            "done",
            "--by",
            "Julie Bragg",
            "--note",
            "Policy approved",
            "--evidence",
            "https://example.org/p",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Red -> Complete"), "{}", stdout(&out));
    let out = planbot(&db, &["history", "1.2", "--json"]);
    let last: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().last().unwrap()).unwrap();
    assert_eq!(last["by"], "Julie Bragg");
    assert_eq!(last["from"], "red");
    assert_eq!(last["to"], "complete");
    assert_eq!(last["note"], "Policy approved");
}

/// An action pruned and brought back by a later import goes on with its
/// history, where it had started again from nothing: `verify`, and so every
/// backup, then failed for good.
#[test]
fn an_action_pruned_and_brought_back_goes_on_with_its_history() {
    let (dir, db) = imported();
    let without: String = SMALL_PLAN
        .lines()
        .filter(|l| !l.contains(",2.1,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let without = write(dir.path(), "without.csv", &without);
    let back_red = write(
        dir.path(),
        "back.csv",
        &SMALL_PLAN.replace("Q1 19/20,Amber", "Q1 19/20,Red"),
    );
    let history = |db: &Path| -> Vec<(String, String)> {
        let out = planbot(db, &["history", "2.1", "--json"]);
        json_lines(&stdout(&out))
            .iter()
            .map(|e| (e["from"].to_string(), e["to"].to_string()))
            .collect()
    };
    for (file, then) in [(&without, "pruned"), (&back_red, "back, red")] {
        let args = ["import", file.as_str(), "--prune"];
        let out = planbot(&db, &args);
        assert!(out.status.success(), "{then}: {}", stderr(&out));
        // While it is away, it is not counted among the actions.
        if then == "pruned" {
            let verify = stdout(&planbot(&db, &["verify"]));
            assert!(verify.contains(", 4 actions (and 1 removed), "), "{verify}");
        }
    }
    assert_eq!(
        history(&db),
        [
            ("null".to_string(), "\"amber\"".to_string()),
            ("\"amber\"".to_string(), "\"red\"".to_string())
        ]
    );
    // Pruned again and back as it was: nothing changed, nothing recorded.
    for file in [&without, &back_red] {
        assert!(planbot(&db, &["import", file, "--prune"]).status.success());
    }
    assert_eq!(history(&db).len(), 2);
    let verify = planbot(&db, &["verify"]);
    assert!(verify.status.success(), "{}", stdout(&verify));
    let copy = dir.path().join("copy.db");
    let backup = planbot(&db, &["backup", "--out", copy.to_str().unwrap()]);
    assert!(backup.status.success(), "{}", stderr(&backup));
}

#[test]
fn bad_updates_exit_1_and_change_nothing() {
    let (_dir, db) = imported();
    let before = export(&db);
    let history = |db: &Path| stdout(&planbot(db, &["history", "1.1"]));
    let history_before = history(&db);

    let out = planbot(&db, &["status", "7.7", "green", "--by", "X"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has no action 7.7"),
        "{}",
        stderr(&out)
    );

    let long = "x".repeat(1001);
    let out = planbot(
        &db,
        &["status", "1.1", "green", "--by", "X", "--note", &long],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("1001 characters"), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).lines().count(),
        1,
        "one line: {}",
        stderr(&out)
    );

    assert_eq!(export(&db), before);
    assert_eq!(history(&db), history_before);
}

#[test]
fn several_plans_need_a_name() {
    let (dir, db) = imported();
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    assert!(
        planbot(&db, &["import", &file, "--plan", "Other"])
            .status
            .success()
    );
    let out = planbot(&db, &["actions"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("several plans"), "{}", stderr(&out));
    assert!(
        planbot(&db, &["actions", "--plan", "other"])
            .status
            .success()
    );
}

#[test]
fn export_imports_back_to_the_same_plan_and_defuses_formulas() {
    let (dir, db) = imported();
    planbot(
        &db,
        &[
            "status",
            "2.1",
            "green",
            "--by",
            "Julie Bragg",
            "--evidence",
            "=HYPERLINK(\"http://evil\")",
        ],
    );
    let first = export(&db);
    assert!(first.contains("'=HYPERLINK"), "{first}");
    assert!(
        !first
            .lines()
            .any(|l| l.starts_with('=') || l.contains(",="))
    );
    let file = write(dir.path(), "round.csv", &first);
    let db2 = dir.path().join("second.db");
    let out = planbot(&db2, &["import", &file, "--plan", "P"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(export(&db2), first);
}

#[test]
fn a_file_that_is_not_a_database_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.txt");
    std::fs::write(&db, "not a database at all ".repeat(200)).unwrap();
    let out = planbot(&db, &["actions"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a planbot database"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_read_only_database_exits_1_and_is_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, db) = imported();
    let before = export(&db);
    // Root ignores file modes, so the refused write is made as `nobody`.
    let root = unsafe { libc_geteuid() } == 0;
    for p in [dir.path(), &db] {
        std::fs::set_permissions(
            p,
            std::fs::Permissions::from_mode(if p == dir.path() { 0o755 } else { 0o644 }),
        )
        .unwrap();
    }
    if !root {
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_planbot"),
        ]);
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
    };
    let out = cmd
        .args(["status", "1.1", "red", "--by", "X"])
        .env("PLANBOT_DB", &db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert_eq!(export(&db), before);
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

#[test]
fn demo_prints_reminders_and_summary_without_touching_the_users_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mine.db");
    let out = planbot(&db, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Overdue actions by lead"), "{text}");
    assert!(text.contains("RAG summary by priority"));
    assert!(
        text.contains("19 messages sent: 4 overdue chasers")
            && text.contains("8 reminders to record a measure's value or review a risk"),
        "the scheduler's Monday run: {text}"
    );
    assert!(text.contains("Snoozed: no more reminders about `2.4` until 27 May 2019"));
    let rows = planbot::demo::EXAMPLE_PLAN_CSV.lines().count() - 1;
    let total_line = text
        .lines()
        .find(|l| l.starts_with("Whole plan"))
        .expect("a totals row");
    assert!(
        total_line.trim_end().ends_with(&rows.to_string()),
        "{total_line}"
    );
    assert!(
        !db.exists(),
        "the demo must not create or touch the user's database"
    );
}

/// A new plan's zone is stored under the database's spelling; an unknown
/// one is a usage error that makes no plan and no database.
#[test]
fn a_new_plans_time_zone_is_checked_and_spelled_as_the_database_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let file = write(dir.path(), "plan.csv", SMALL_PLAN);
    let import_in =
        |zone: &str| planbot(&db, &["import", &file, "--plan", "P", "--time-zone", zone]);
    let out = import_in("Mars/Olympus_Mons");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown time zone \"Mars/Olympus_Mons\""),
        "{}",
        stderr(&out)
    );
    assert!(!db.exists());
    // tzdata's placeholder for a machine with no zone set is not a place.
    let out = import_in("Factory");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!db.exists());

    let out = import_in("europe/london");
    assert!(out.status.success(), "{}", stderr(&out));
    let plans = stdout(&planbot(&db, &["plans"]));
    assert!(plans.contains("Europe/London"), "{plans}");
}

/// An import does not change a plan's settings: one given that the plan
/// does not have is refused, not ignored, and nothing is imported. One the
/// plan has, in any spelling, is no obstacle.
#[test]
fn an_import_into_a_plan_refuses_settings_the_plan_does_not_have() {
    let (dir, db) = imported();
    let before = export(&db);
    let file = write(
        dir.path(),
        "changed.csv",
        &SMALL_PLAN.replace("Increase foster placements", "Recruit foster carers"),
    );
    for (option, value, words) in [
        (
            "--time-zone",
            "Europe/Paris",
            "time zone Europe/London, not Europe/Paris",
        ),
        (
            "--year-start-month",
            "1",
            "a financial year from April, not January",
        ),
        ("--stale-days", "14", "stale days 30, not 14"),
    ] {
        let out = planbot(&db, &["import", &file, option, value]);
        assert_eq!(out.status.code(), Some(1), "{option}: {}", stderr(&out));
        assert!(stderr(&out).contains(words), "{option}: {}", stderr(&out));
        assert_eq!(export(&db), before, "{option}: nothing imported");
    }
    let plans = stdout(&planbot(&db, &["plans"]));
    assert!(plans.contains("Europe/London"), "{plans}");
    assert!(plans.contains("April"), "the month by name: {plans}");

    // GB is another of Europe/London's names in the tz database.
    let out = planbot(&db, &["import", &file, "--time-zone", "GB", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = planbot(
        &db,
        &[
            "import",
            &file,
            "--time-zone",
            "europe/london",
            "--stale-days",
            "30",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(export(&db).contains("Recruit foster carers"));
}

/// A board paper of a quarter still to come would show today's plan under
/// its name: refused, and nothing written.
#[test]
fn a_digest_of_a_quarter_to_come_is_refused() {
    let (dir, db) = imported();
    let out_dir = dir.path().join("pack");
    let out = planbot(
        &db,
        &[
            "digest",
            "--quarter",
            "Q1 90/91",
            "--format",
            "all",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Q1 90/91 has not begun"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    assert!(!out_dir.exists());
}

/// An empty outbox says what it means: nothing waiting, or nothing ever.
#[test]
fn an_empty_outbox_says_what_is_empty() {
    let (_dir, db) = imported();
    let waiting = stdout(&planbot(&db, &["outbox"]));
    assert!(waiting.contains("nothing waiting or failed"), "{waiting}");
    let all = stdout(&planbot(&db, &["outbox", "--all"]));
    assert!(all.contains("nothing was ever queued"), "{all}");
}

/// `show` glosses a RAG colour with what it means, and says "Not started"
/// and "Complete" once.
#[test]
fn show_says_each_status_once_with_its_meaning() {
    let (_dir, db) = imported();
    for (reference, status) in [
        ("1.2", "Status:          Red (off track),"),
        ("4.1", "Status:          Complete\n"),
        ("4.2", "Status:          Not started,"),
    ] {
        let out = planbot(&db, &["show", reference]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(status), "{reference}: {text}");
    }
}

/// `--by` is trusted (an admin need not lead anything), but a name planbot
/// does not know is warned of: the history would keep a typo for good.
#[test]
fn a_by_name_planbot_does_not_know_is_recorded_with_a_warning() {
    let (_dir, db) = imported();
    let out = planbot(&db, &["status", "1.1", "red", "--by", "Stve Comb"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: \"Stve Comb\" is not among the people planbot knows (`planbot people` lists them)"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("recorded for Stve Comb"),
        "{}",
        stdout(&out)
    );
    let out = planbot(&db, &["status", "1.1", "amber", "--by", "steve comb"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "a lead, in any case");
}
