//! `planbot measures`, `measure record|history`, `risks` and `risk review`:
//! the real binary on a database holding the small register.

use crate::helpers::{json_lines, planbot, stderr, stdout};
use chrono::{TimeZone, Utc};
use planbot_testkit::{example_store, save_small_register};
use std::path::PathBuf;

async fn register_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let store = example_store(&db).await;
    let plan = store.find_plan(Some("Kirklees")).await.unwrap();
    let january = Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap();
    save_small_register(&store, &plan, january).await;
    store.close().await;
    (dir, db)
}

#[tokio::test]
async fn measures_list_off_target_first_and_filter() {
    let (_dir, db) = register_db().await;
    let out = planbot(&db, &["measures", "--as-of", "2019-01-10", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json_lines(&stdout(&out));
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["M2", "M1", "M3"]);
    assert_eq!(rows[0]["latest"]["rag"], "amber");
    let out = planbot(&db, &["measures", "--off-target", "--as-of", "2019-01-10"]);
    let text = stdout(&out);
    assert!(
        text.contains("Agency social workers") && text.contains("Amber"),
        "{text}"
    );
    assert!(!text.contains("Assessments"), "{text}");
}

#[tokio::test]
async fn a_value_is_recorded_once_then_corrected_only_with_correct() {
    let (_dir, db) = register_db().await;
    let rec = |value: &str, more: &[&str]| {
        let mut args = vec!["measure", "record", "M1", value, "--period", "May 2019"];
        args.extend_from_slice(more);
        args.extend_from_slice(&["--by", "Ophelia Rix"]);
        planbot(&db, &args)
    };
    let out = rec("70%", &["--note", "From the May return"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("70% for May 2019 (recorded for Ophelia Rix)"));

    let out = rec("71", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("already has 70% for May 2019, recorded by Ophelia Rix"),
        "{err}"
    );
    assert!(err.contains("add --correct to replace it"), "{err}");

    let out = rec("71", &["--correct"]);
    assert!(stdout(&out).contains("replacing 70%"), "{}", stderr(&out));
    // The same again is no correction: refused, nothing written.
    let out = rec("71%", &["--correct"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "already has 71% for May 2019, with the same note: the correction changes nothing"
        ),
        "{}",
        stderr(&out)
    );

    for (value, period, code, says) in [
        ("120%", "May 2019", 1, "a percentage is 0 to 100"),
        ("70", "July 2030", 1, "Jul 2030 has not begun by "),
        ("70", "someday", 2, "is not a period"),
        (
            "70",
            "Q1 19/20",
            1,
            "Q1 19/20 is a quarter, and the measure is recorded monthly: give a month, such as Apr 2019",
        ),
    ] {
        let out = planbot(
            &db,
            &[
                "measure", "record", "M1", value, "--period", period, "--by", "X",
            ],
        );
        assert_eq!(out.status.code(), Some(code), "{value} {period}");
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }

    let out = planbot(&db, &["measure", "history", "M1", "--json"]);
    let rows = json_lines(&stdout(&out));
    let values: Vec<f64> = rows.iter().map(|r| r["value"].as_f64().unwrap()).collect();
    assert_eq!(values, [64.0, 66.0, 70.0, 71.0], "nothing else was written");
    assert_eq!(rows[3]["correction"], true);
    let text = stdout(&planbot(&db, &["measure", "history", "M1"]));
    assert!(
        text.contains("Ophelia Rix: 71% for May 2019 (correction)"),
        "{text}"
    );
}

#[tokio::test]
async fn risks_by_score_and_a_review_out_of_range_is_refused() {
    let (_dir, db) = register_db().await;
    let out = planbot(&db, &["risks", "--json"]);
    let rows = json_lines(&stdout(&out));
    let codes: Vec<&str> = rows.iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["R1", "R3", "R2"]);
    assert_eq!(rows[0]["band"], "extreme");

    let review = |l: &str| {
        planbot(
            &db,
            &[
                "risk",
                "review",
                "R2",
                "--likelihood",
                l,
                "--impact",
                "3",
                "--by",
                "Ophelia Rix",
            ],
        )
    };
    let out = review("6");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("likelihood must be 1 to 5, not 6"),
        "{}",
        stderr(&out)
    );
    let out = review("2");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 x 3 = 6 Moderate"),
        "{}",
        stdout(&out)
    );
    let text = stdout(&planbot(&db, &["risks"]));
    let r2 = text.lines().find(|l| l.starts_with("R2")).unwrap();
    assert!(r2.contains("Moderate"), "{text}");
    let out = planbot(
        &db,
        &[
            "risk",
            "review",
            "R2",
            "--likelihood",
            "x",
            "--impact",
            "3",
            "--by",
            "A",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "usage");
}
