//! Re-importing a plan over the one recorded: rows without refs find their
//! actions by text, an old file does not silently undo leads' updates, and
//! an empty Status cell is reported as a clear.

use crate::helpers::*;
use planbot::plan::Status;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Runs `planbot import` (with `extra` arguments) and returns its stdout.
fn import(db: &Path, file: &str, extra: &[&str]) -> String {
    let mut args = vec!["import", file, "--plan", "P"];
    args.extend_from_slice(extra);
    let out = planbot(db, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

async fn statuses(db: &TestDb, reference: &str) -> Vec<Status> {
    let plan = db.store.find_plan(None).await.unwrap();
    let history = db.store.history(&plan, reference).await.unwrap();
    history.iter().map(|h| h.to).collect()
}

const FRONT_DOOR: &str = "\
Priority,Action,Leads,Status
4. Front Door,Alpha,Mel Meggs; Ophelia Rix,Green
4. Front Door,Beta,,Red
";

#[tokio::test]
async fn reordered_rows_without_refs_keep_their_actions() {
    let db = TestDb::new().await;
    db.import_csv("P", FRONT_DOOR, utc(2026, 10, 1, 9, 0)).await;
    let reordered =
        "Priority,Action,Status\n4. Front Door,Beta,Complete\n4. Front Door,Alpha,Red\n";
    let outcome = db.import_csv("P", reordered, utc(2026, 11, 1, 9, 0)).await;
    assert!(outcome.created.is_empty(), "{outcome:?}");
    let plan = db.store.find_plan(None).await.unwrap();
    let alpha = db.store.action(&plan, "4.1").await.unwrap();
    assert_eq!(alpha.text, "Alpha");
    assert_eq!(alpha.leads, ["Mel Meggs", "Ophelia Rix"]);
    assert_eq!(alpha.status, Status::Red);
    assert_eq!(statuses(&db, "4.1").await, [Status::Green, Status::Red]);
    let beta = db.store.action(&plan, "4.2").await.unwrap();
    assert_eq!(beta.text, "Beta");
    assert_eq!(statuses(&db, "4.2").await, [Status::Red, Status::Complete]);
}

#[tokio::test]
async fn a_row_inserted_at_the_top_shifts_no_refs() {
    let db = TestDb::new().await;
    let first = "Priority,Ref,Action,Leads,Status\n\
        4. Front Door,,Alpha,Mel Meggs,Green\n\
        4. Front Door,,Beta,Julie Bragg,Red\n";
    db.import_csv("P", first, utc(2026, 10, 1, 9, 0)).await;
    // Case and spacing differences still find the action.
    let inserted = "Priority,Ref,Action,Leads,Status\n\
        4. Front Door,,Gamma,,Amber\n\
        4. Front Door,,  ALPHA ,Mel Meggs,Green\n\
        4. Front Door,,Beta,Julie Bragg,Red\n";
    let outcome = db.import_csv("P", inserted, utc(2026, 11, 1, 9, 0)).await;
    assert_eq!(outcome.created, ["4.3"]);
    assert!(outcome.missing.is_empty(), "{outcome:?}");
    let plan = db.store.find_plan(None).await.unwrap();
    let alpha = db.store.action(&plan, "4.1").await.unwrap();
    assert_eq!(alpha.leads, ["Mel Meggs"]);
    assert_eq!(alpha.status, Status::Green);
    assert_eq!(statuses(&db, "4.1").await, [Status::Green]);
    let beta = db.store.action(&plan, "4.2").await.unwrap();
    assert_eq!((beta.text.as_str(), beta.status), ("Beta", Status::Red));
    assert_eq!(beta.leads, ["Julie Bragg"]);
    let gamma = db.store.action(&plan, "4.3").await.unwrap();
    assert_eq!(
        (gamma.text.as_str(), gamma.status),
        ("Gamma", Status::Amber)
    );
}

#[tokio::test]
async fn a_new_row_without_a_ref_takes_a_ref_no_action_has() {
    let db = TestDb::new().await;
    let first =
        "Priority,Ref,Action,Status\n4. Front Door,4.1,Alpha,Green\n4. Front Door,4.2,Delta,Red\n";
    db.import_csv("P", first, utc(2026, 10, 1, 9, 0)).await;
    let next =
        "Priority,Ref,Action,Status\n4. Front Door,,Epsilon,Amber\n4. Front Door,4.1,Alpha,Green\n";
    let outcome = db.import_csv("P", next, utc(2026, 11, 1, 9, 0)).await;
    assert_eq!(outcome.created, ["4.3"]);
    assert_eq!(outcome.missing, ["4.2"]);
    let plan = db.store.find_plan(None).await.unwrap();
    assert_eq!(db.store.action(&plan, "4.2").await.unwrap().text, "Delta");
}

const AMBER_PLAN: &str = "\
Priority,Ref,Action,Status
1. Children Looked After,1.1,Increase foster placements,Amber
1. Children Looked After,1.2,Review the SGO policy,Red
";

#[test]
fn an_old_file_says_which_leads_updates_it_would_override() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let file = write(dir.path(), "plan.csv", AMBER_PLAN);
    import(&db, &file, &[]);
    let out = planbot(&db, &["status", "1.1", "Not started", "--by", "Steve Comb"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let dry = import(&db, &file, &["--dry-run"]);
    let line = dry
        .lines()
        .find(|l| l.starts_with("would override updates made since the last import: "))
        .unwrap_or_else(|| panic!("{dry}"));
    assert!(
        line.contains("1.1 (Steve Comb set Not started on ")
            && line.ends_with("; the file says Amber)"),
        "{line}"
    );
    assert!(!line.contains("1.2"), "{line}");
    assert!(
        dry.lines()
            .any(|l| l == "would change statuses: 1.1: Not started -> Amber"),
        "{dry}"
    );

    let real = import(&db, &file, &[]);
    assert!(
        real.lines()
            .any(|l| l.starts_with("overrode updates made since the last import: 1.1 (Steve Comb")),
        "{real}"
    );
    // The import is now the last word: importing again overrides nobody.
    let again = import(&db, &file, &["--dry-run"]);
    assert!(!again.contains("override"), "{again}");
}

#[test]
fn an_empty_status_cell_is_listed_as_a_clear() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    import(&db, &write(dir.path(), "plan.csv", AMBER_PLAN), &[]);
    // 1.2 says Not started in words: a change, not a clear.
    let emptied = "Priority,Ref,Action,Status\n\
        1. Children Looked After,1.1,Increase foster placements,\n\
        1. Children Looked After,1.2,Review the SGO policy,Not started\n";
    let out = import(
        &db,
        &write(dir.path(), "emptied.csv", emptied),
        &["--dry-run"],
    );
    assert!(
        out.lines()
            .any(|l| l == "would clear Status (empty in the file): 1.1"),
        "{out}"
    );
}
