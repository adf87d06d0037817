//! A council's workbook: actions, outcomes, measures, their values, risks
//! and recommendations, each sheet found by its name or header, imported all
//! or nothing; dated imports; and each kind exported and imported back.

use crate::cli::write;
use crate::helpers::*;
use std::path::{Path, PathBuf};

type Sheet<'a> = (&'a str, &'a [&'a [&'a str]]);

const ACTIONS: &[&[&str]] = &[
    &["Priority", "Ref", "Action", "Leads", "Due", "Status"],
    &[
        "1. Staffing",
        "1.1",
        "Recruit social workers",
        "Ophelia Rix",
        "Q3 18/19",
        "Amber",
    ],
    &[
        "1. Staffing",
        "1.2",
        "Cut agency use",
        "Ophelia Rix",
        "Q4 18/19",
        "Red",
    ],
];
const OUTCOMES: &[&[&str]] = &[
    &["Code", "Outcome", "Priority", "Actions"],
    &["OC1", "A stable workforce", "1", "1.1; 1.2"],
];
const MEASURES: &[&[&str]] = &[
    &[
        "Code",
        "Measure",
        "Unit",
        "Better",
        "Baseline",
        "Baseline date",
        "Target",
        "Target date",
        "Owners",
    ],
    &[
        "M1",
        "Agency social workers",
        "%",
        "lower",
        "28",
        "2018-03-31",
        "12",
        "2020-03-31",
        "Ophelia Rix",
    ],
];
const VALUES: &[&[&str]] = &[
    &["Measure", "Period", "Value", "Note"],
    &["M1", "Apr 2018", "27", ""],
    &["M1", "May 2018", "25", "after the spring campaign"],
    &["M1", "2018-06-20", "24", ""],
];
const RISKS: &[&[&str]] = &[
    &[
        "Code",
        "Risk",
        "Owners",
        "Likelihood",
        "Impact",
        "Mitigating actions",
    ],
    &[
        "R1",
        "Recruitment and retention of social workers",
        "Ophelia Rix",
        "4",
        "4",
        "1.1",
    ],
];
const RECOMMENDATIONS: &[&[&str]] = &[
    &["Code", "Recommendation", "Body"],
    &["O1", "Keep children safe", "Ofsted"],
    &["KSCB1", "Challenge partner agencies", "KSCB"],
];

fn xlsx(dir: &Path, name: &str, sheets: &[Sheet]) -> String {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (sheet_name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*sheet_name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    let path = dir.join(name);
    book.save(&path).unwrap();
    path.display().to_string()
}

fn csv(rows: &[&[&str]]) -> String {
    rows.iter().map(|r| r.join(",") + "\n").collect()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = planbot(db, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn export(db: &Path, kind: &str) -> String {
    ok(db, &["export", "--kind", kind])
}

/// A database holding plan P, made from these sheets, each imported as CSV.
fn plan_of(sheets: &[&[&[&str]]]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    for (i, rows) in sheets.iter().enumerate() {
        let file = write(dir.path(), &format!("{i}.csv"), &csv(rows));
        ok(&db, &["import", &file, "--plan", "P"]);
    }
    (dir, db)
}

/// Whether `planbot plans` lists plan P.
fn has_plan_p(db: &Path) -> bool {
    let plans = stdout(&planbot(db, &["plans"]));
    plans.lines().any(|l| l.starts_with("P "))
}

/// After a prune, outcomes and risks still name the removed action (their
/// links stay, as its history does), and the plan's own export of them
/// imports back as it is; a ref no outcome had named is still refused.
#[test]
fn outcomes_and_risks_exported_after_a_prune_import_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let file = |name: &str, rows: &[&[&str]]| write(dir.path(), name, &csv(rows));
    let mitigated_by_both = RISKS[1]
        .iter()
        .map(|c| if *c == "1.1" { "1.1; 1.2" } else { c })
        .collect::<Vec<_>>();
    let risks: &[&[&str]] = &[RISKS[0], &mitigated_by_both];
    for (name, rows) in [("a.csv", ACTIONS), ("o.csv", OUTCOMES), ("r.csv", risks)] {
        ok(&db, &["import", &file(name, rows), "--plan", "P"]);
    }
    let without_1_2: Vec<&[&str]> = ACTIONS
        .iter()
        .copied()
        .filter(|r| !r.contains(&"1.2"))
        .collect();
    ok(&db, &["import", &file("a2.csv", &without_1_2), "--prune"]);

    for kind in ["outcomes", "risks"] {
        let exported = export(&db, kind);
        assert!(exported.contains("1.1; 1.2"), "{kind}: {exported}");
        let again = write(dir.path(), "again.csv", &exported);
        ok(&db, &["import", &again]);
        assert_eq!(export(&db, kind), exported, "{kind}");
    }
    let typo = OUTCOMES[1]
        .iter()
        .map(|c| if *c == "1.1; 1.2" { "1.1; 1.3" } else { c })
        .collect::<Vec<_>>();
    let out = planbot(&db, &["import", &file("o2.csv", &[OUTCOMES[0], &typo])]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("action 1.3 is not in the plan"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_workbook_of_six_sheets_imports_them_all_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    // In no particular order, under the names councils give them.
    let file = xlsx(
        dir.path(),
        "plan.xlsx",
        &[
            ("Risk register", RISKS),
            ("KPIs", MEASURES),
            ("Actions", ACTIONS),
            ("Measure values", VALUES),
            ("Outcomes", OUTCOMES),
            ("Recommendations", RECOMMENDATIONS),
        ],
    );
    let said = ok(&db, &["import", &file, "--plan", "P"]);
    assert!(said.contains("read 2 actions"), "{said}");
    assert!(
        said.contains("read 1 outcome, 1 measure, 3 measure values, 1 risk (1 rated)"),
        "{said}"
    );
    let values = export(&db, "values");
    assert!(values.contains("M1,Jun 2018,24"), "{values}");
    assert!(values.contains("after the spring campaign"), "{values}");
    assert!(
        export(&db, "risks")
            .contains("R1,Recruitment and retention of social workers,,,Ophelia Rix,4,4,1.1,")
    );
    assert!(export(&db, "recommendations").contains("KSCB1,Challenge partner agencies,KSCB"));
}

#[test]
fn sheets_are_found_by_their_header_when_their_names_say_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let sheets: Vec<(String, &[&[&str]])> = [VALUES, RISKS, ACTIONS, MEASURES, OUTCOMES]
        .into_iter()
        .enumerate()
        .map(|(i, rows)| (format!("Sheet{}", i + 1), rows))
        .collect();
    let named: Vec<Sheet> = sheets.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let file = xlsx(dir.path(), "book.xlsx", &named);
    let said = ok(&db, &["import", &file, "--plan", "P"]);
    assert!(
        said.contains("3 measure values, 1 risk (1 rated)"),
        "{said}"
    );
    // And one CSV per kind, each known by its header.
    let db2 = dir.path().join("q.db");
    for (name, rows) in [("a.csv", ACTIONS), ("m.csv", MEASURES), ("v.csv", VALUES)] {
        ok(
            &db2,
            &[
                "import",
                &write(dir.path(), name, &csv(rows)),
                "--plan",
                "P",
            ],
        );
    }
    assert_eq!(export(&db2, "values"), export(&db, "values"));
}

#[test]
fn a_bad_action_sheet_stops_the_measure_and_risk_sheets_too() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(
        &db,
        &[
            "import",
            &write(dir.path(), "a.csv", &csv(ACTIONS)),
            "--plan",
            "P",
        ],
    );
    let bad_actions: &[&[&str]] = &[
        ACTIONS[0],
        ACTIONS[1],
        &["1. Staffing", "1.2", "Cut agency use", "", "", "Purple"],
    ];
    let file = xlsx(
        dir.path(),
        "plan.xlsx",
        &[
            ("Actions", bad_actions),
            ("KPIs", MEASURES),
            ("Risks", RISKS),
        ],
    );
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("sheet \"Actions\", row 3, column F (Status)"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(
        export(&db, "measures").lines().count(),
        1,
        "only the header"
    );
    assert_eq!(export(&db, "risks").lines().count(), 1, "only the header");
}

#[test]
fn each_bad_cell_is_named_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(
        &db,
        &[
            "import",
            &write(dir.path(), "a.csv", &csv(ACTIONS)),
            "--plan",
            "P",
        ],
    );
    ok(
        &db,
        &[
            "import",
            &write(dir.path(), "m.csv", &csv(MEASURES)),
            "--plan",
            "P",
        ],
    );
    let m = "Code,Measure,Unit,Better,Baseline,Baseline date,Target,Target date\n";
    let v = "Measure,Period,Value\n";
    let r = "Code,Risk,Likelihood,Impact,Mitigating actions\n";
    let cases = [
        (format!("{v}M1,May 2018,lots\n"), "line 2, column 3 (Value): \"lots\" is not a percentage: write it as 72 or 72%"),
        (format!("{v}M1,May 2018,120\n"), "120 is out of range: a percentage is 0 to 100"),
        (format!("{v}M1,Jan 2099,20\n"), "line 2, column 2 (Period): Jan 2099 has not begun by "),
        (format!("{v}M1,Jan 2018,20\n"), "Jan 2018 is before the measure's baseline (2018-03-31)"),
        (format!("{v}M1,Q1 18/19,20\n"), "line 2, column 2 (Period): Q1 18/19 is a quarter, and the measure is recorded monthly: give a month, such as Apr 2018"),
        (format!("{v}M1,May 2018,20\nM1,2018-05-20,21\n"), "M1 already has a value for May 2018 on line 2"),
        (format!("{v}M1,May 2018,20\nM1,May 2018,21\nM1,May 2018,22\n"), "line 4, column 2 (Period): M1 already has a value for May 2018 on line 2"),
        (format!("{m}M2,a,%,lower,1,2019-03-31,2,2020-03-31\nM2,b,%,lower,1,2019-03-31,2,2020-03-31\nM2,c,%,lower,1,2019-03-31,2,2020-03-31\n"), "line 4, column 1 (Code): M2 is already on line 2"),
        (format!("{v}M9,May 2018,20\n"), "line 2, column 1 (Measure): there is no measure M9"),
        ("Measure,Period,Value,Note\nM1,May 2018,20,\"never closed\n".into(), "quote"),
        (format!("{v}M1,May 2018,20,extra\n"), "\"extra\" is under no header"),
        (format!("{m}M2,Late visits,number,lower,28%,2019-03-31,5,2020-03-31\n"), "line 2, column 5 (Baseline): \"28%\" is not a number: write it as 12 or 1,200"),
        (format!("{m}M2,Late visits,%,lower,28,2019-03-31,£5,2020-03-31\n"), "line 2, column 7 (Target): \"£5\" is not a percentage: write it as 72 or 72%"),
        (format!("{m}M2,Late visits,%,lower,10,2019-03-31,5,2019-01-31\n"), "the target date 2019-01-31 is not after the baseline date 2019-03-31"),
        ("Code,Measure,Better,Baseline,Baseline date,Target,Target date\nM2,x,lower,1,2019-03-31,2,2020-03-31\n".into(), "has no Unit column"),
        ("Code,Measure,Unit,Baseline,Baseline date,Target,Target date\nM2,x,%,1,2019-03-31,2,2020-03-31\n".into(), "has no Better column"),
        (format!("{r}R1,Recruitment,0,3,1.1\n"), "line 2, column 3 (Likelihood): the likelihood must be 1 to 5, not 0"),
        (format!("{r}R1,Recruitment,3,6,1.1\n"), "the impact must be 1 to 5, not 6"),
        (format!("{r}R1,Recruitment,3,3,1.1; 9.9\n"), "column 5 (Mitigating actions): action 9.9 is not in the plan"),
    ];
    let before: Vec<String> = ["measures", "values", "risks"]
        .iter()
        .map(|k| export(&db, k))
        .collect();
    for (text, expected) in cases {
        let out = planbot(
            &db,
            &[
                "import",
                &write(dir.path(), "bad.csv", &text),
                "--plan",
                "P",
            ],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{text}: {err}");
        assert!(
            err.contains(expected),
            "{text}: expected {expected:?} in: {err}"
        );
        let after: Vec<String> = ["measures", "values", "risks"]
            .iter()
            .map(|k| export(&db, k))
            .collect();
        assert_eq!(after, before, "{text}: nothing changes");
    }
}

#[test]
fn a_column_the_sheet_lacks_keeps_what_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(
        &db,
        &[
            "import",
            &write(dir.path(), "a.csv", &csv(ACTIONS)),
            "--plan",
            "P",
        ],
    );
    ok(
        &db,
        &[
            "import",
            &write(dir.path(), "m.csv", &csv(MEASURES)),
            "--plan",
            "P",
        ],
    );
    // The same measure, renamed, from a sheet without Owners.
    let text = "Code,Measure,Unit,Better,Baseline,Baseline date,Target,Target date\n\
                M1,Agency staff,%,lower,28,2018-03-31,12,2020-03-31\n";
    ok(
        &db,
        &["import", &write(dir.path(), "m2.csv", text), "--plan", "P"],
    );
    let measures = export(&db, "measures");
    assert!(
        measures.contains("M1,Agency staff,%,,,,Ophelia Rix,monthly"),
        "{measures}"
    );
}

#[test]
fn a_dated_import_is_the_start_of_the_record_and_cannot_go_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let file = write(dir.path(), "a.csv", &csv(ACTIONS));
    ok(
        &db,
        &["import", &file, "--plan", "P", "--as-of", "2019-03-31"],
    );
    let listed = ok(&db, &["actions", "--as-of", "2019-03-31"]);
    assert!(
        listed.contains("Amber") && listed.contains("Red"),
        "{listed}"
    );
    let before_it = "plan \"P\" has no record before its first import, on 31 Mar 2019";
    for args in [
        &["actions", "--as-of", "2019-03-01"][..],
        &["digest", "--quarter", "Q3 18/19", "--format", "md"],
    ] {
        let out = planbot(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains(before_it),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(ok(&db, &["digest", "--quarter", "Q4 18/19", "--format", "md"]).contains("Red"));
    // A later sheet may be dated later, but not before what is recorded.
    let later = ACTIONS[..2].iter().copied().chain([&[
        "1. Staffing",
        "1.2",
        "Cut agency use",
        "Ophelia Rix",
        "Q4 18/19",
        "Amber",
    ][..]]);
    let later: Vec<&[&str]> = later.collect();
    ok(
        &db,
        &[
            "import",
            &write(dir.path(), "b.csv", &csv(&later)),
            "--plan",
            "P",
            "--as-of",
            "2019-04-30",
        ],
    );
    let out = planbot(
        &db,
        &["import", &file, "--plan", "P", "--as-of", "2019-01-01"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "records changes up to 30 Apr 2019, so this import cannot be dated 1 Jan 2019"
        ),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_question_before_the_record_is_a_typed_error_for_the_bot_to_word() {
    use planbot::app::AppError;
    let db = TestDb::new().await;
    db.import_csv("P", &csv(ACTIONS), utc(2019, 5, 1, 9, 0))
        .await;
    let plan = db.store.find_plan(Some("P")).await.unwrap();
    let as_of = planbot::plan::AsOf::end_of_day(date(2019, 4, 1), plan.time_zone);
    let err = planbot::app::plans::check_recorded(&db.store, &plan, as_of)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::BeforeFirstRecord { first, .. } if *first == date(2019, 5, 1)),
        "{err:?}"
    );
}

#[test]
fn every_kind_exports_and_imports_back_to_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let (first, second) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let plan = examples.join("kirklees-plan.csv").display().to_string();
    ok(
        &first,
        &["import", &plan, "--plan", "K", "--as-of", "2019-05-15"],
    );
    for kind in [
        "recommendations",
        "kscb-recommendations",
        "outcomes",
        "measures",
        "values",
        "risks",
    ] {
        let file = examples
            .join(format!("kirklees-{kind}.csv"))
            .display()
            .to_string();
        ok(
            &first,
            &["import", &file, "--plan", "K", "--as-of", "2019-05-15"],
        );
    }
    ok(
        &second,
        &["import", &plan, "--plan", "K", "--as-of", "2019-05-15"],
    );
    let kinds = ["recommendations", "outcomes", "measures", "values", "risks"];
    for kind in kinds {
        let file = write(dir.path(), &format!("{kind}.csv"), &export(&first, kind));
        ok(
            &second,
            &["import", &file, "--plan", "K", "--as-of", "2019-05-15"],
        );
    }
    for kind in kinds {
        assert_eq!(export(&second, kind), export(&first, kind), "{kind}");
    }
    assert_eq!(export(&first, "values").lines().count(), 1 + 8 * 12);
    // Coverage is shown per body once there are two.
    let digest = ok(
        &first,
        &["digest", "--quarter", "Q1 19/20", "--format", "md"],
    );
    assert!(digest.contains("KSCB: 0 of 10 addressed"), "{digest}");
}

/// A council's KPI sheet keeps percentages as numbers formatted as such:
/// Excel shows 27% and holds 0.27. They are read as shown, as a CSV saved
/// from the sheet has them; a plain number stays a number.
#[test]
fn percentages_are_read_as_excel_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let mut book = rust_xlsxwriter::Workbook::new();
    let whole = rust_xlsxwriter::Format::new().set_num_format("0%");
    let tenths = rust_xlsxwriter::Format::new().set_num_format("0.0%");
    let sheet = book.add_worksheet();
    sheet.set_name("Actions").unwrap();
    for (r, row) in ACTIONS.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("KPIs").unwrap();
    for (c, cell) in MEASURES[0].iter().enumerate() {
        sheet.write_string(0, c as u16, *cell).unwrap();
    }
    for (c, cell) in MEASURES[1].iter().enumerate() {
        sheet.write_string(1, c as u16, *cell).unwrap();
    }
    sheet.write_number_with_format(1, 4, 0.28, &whole).unwrap();
    sheet.write_number_with_format(1, 6, 0.12, &whole).unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Measure values").unwrap();
    for (c, cell) in VALUES[0].iter().enumerate() {
        sheet.write_string(0, c as u16, *cell).unwrap();
    }
    for (r, (period, value, format)) in [
        ("Apr 2018", 0.27, Some(&whole)),
        ("May 2018", 0.255, Some(&tenths)),
        ("Jun 2018", 24.0, None),
    ]
    .into_iter()
    .enumerate()
    {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, "M1").unwrap();
        sheet.write_string(r, 1, period).unwrap();
        match format {
            Some(f) => sheet.write_number_with_format(r, 2, value, f).unwrap(),
            None => sheet.write_number(r, 2, value).unwrap(),
        };
    }
    let path = dir.path().join("kpis.xlsx");
    book.save(&path).unwrap();

    let said = ok(&db, &["import", path.to_str().unwrap(), "--plan", "P"]);
    assert!(said.contains("read 1 measure, 3 measure values"), "{said}");
    let measures = export(&db, "measures");
    assert!(
        measures.contains("Ophelia Rix,monthly,28,2018-03-31,12,2020-03-31,lower"),
        "{measures}"
    );
    let values = export(&db, "values");
    for line in ["M1,Apr 2018,27", "M1,May 2018,25.5", "M1,Jun 2018,24"] {
        assert!(values.contains(line), "{line} in {values}");
    }
}

/// A council fixing a values file sees every problem in one go, in file
/// order: those of the cells as read (a period that is not one, an empty
/// value) and those found against the plan (no such measure, a period not
/// begun, a second value for a period, a value out of range).
#[test]
fn a_values_file_reports_all_its_problems_at_once_in_file_order() {
    let (dir, db) = plan_of(&[ACTIONS, MEASURES]);
    let before = export(&db, "values");
    let text = "Measure,Period,Value\n\
                M1,Jan 2099,20\n\
                M1,Mayy 2018,20\n\
                M9,May 2018,20\n\
                M1,Jun 2018,\n\
                M1,May 2018,20\n\
                M1,2018-05-20,21\n\
                M1,Jul 2018,120\n";
    let file = write(dir.path(), "values.csv", text);
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let expected = [
        "line 2, column 2 (Period): Jan 2099 has not begun by ",
        "line 3, column 2 (Period):",
        "line 4, column 1 (Measure): there is no measure M9",
        "line 5, column 3 (Value): the value is empty",
        "line 7, column 2 (Period): M1 already has a value for May 2018 on line 6",
        "line 8, column 3 (Value): 120 is out of range",
    ];
    assert!(err.contains("6 problems in the file"), "{err}");
    let mut from = 0;
    for e in expected {
        let at = err[from..]
            .find(e)
            .unwrap_or_else(|| panic!("{e:?} after the ones before it in: {err}"));
        from += at + e.len();
    }
    assert_eq!(export(&db, "values"), before, "nothing changes");
}

/// A row left out as unreadable is not reported missing by what names it:
/// its own problem is the one to fix. The sheets' problems come in the
/// workbook's order.
#[test]
fn what_names_an_unreadable_row_is_not_reported_missing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let bad_measures: &[&[&str]] = &[
        MEASURES[0],
        &[
            "M1",
            "Agency social workers",
            "%",
            "lower",
            "28",
            "2018-03-31",
            "12",
            "someday",
            "",
        ],
    ];
    let bad_actions: &[&[&str]] = &[
        ACTIONS[0],
        &[
            "1. Staffing",
            "1.1",
            "Recruit",
            "Ophelia Rix",
            "Q9 18/19",
            "Amber",
        ],
    ];
    let file = xlsx(
        dir.path(),
        "plan.xlsx",
        &[
            ("Risks", RISKS),
            ("Values", VALUES),
            ("Measures", bad_measures),
            ("Actions", bad_actions),
        ],
    );
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("2 problems in the file"), "{err}");
    let measure = err.find("sheet \"Measures\", row 2, column H (Target date)");
    let action = err.find("sheet \"Actions\", row 2, column E (Due)");
    assert!(measure.is_some() && action.is_some(), "{err}");
    assert!(measure < action, "in the workbook's order: {err}");
    assert!(!err.contains("there is no measure"), "{err}");
    assert!(!err.contains("not in the plan"), "{err}");
    assert!(!has_plan_p(&db), "no plan was made");
}

/// An import says what it adds to the record, as seen in its transaction: a
/// file given again adds nothing, a value that replaces another is named
/// with both, and owners new to the plan are named (in a trial run too).
#[test]
fn an_import_says_which_values_are_new_corrected_or_recorded_already() {
    let (dir, db) = plan_of(&[ACTIONS]);
    let measures = write(dir.path(), "m.csv", &csv(MEASURES));
    let owners = "Code,Risk,Owners,Likelihood,Impact\nR1,Recruitment,Sara Mils,4,4\n";
    let risks = write(dir.path(), "r.csv", owners);
    let trial = ok(&db, &["import", &risks, "--plan", "P", "--dry-run"]);
    assert!(
        trial.contains("new people, as owners (would add): Sara Mils"),
        "{trial}"
    );
    assert!(
        trial.contains("risk ratings: 1 new rating would be recorded"),
        "{trial}"
    );
    ok(&db, &["import", &measures, "--plan", "P"]);
    let values = write(dir.path(), "v.csv", &csv(VALUES));
    let said = ok(&db, &["import", &values, "--plan", "P"]);
    assert!(
        said.contains("measure values: 3 new values recorded"),
        "{said}"
    );
    let again = ok(&db, &["import", &values, "--plan", "P"]);
    assert!(
        again.contains("measure values: nothing new, every one is recorded already"),
        "{again}"
    );
    let changed: &[&[&str]] = &[
        VALUES[0],
        &["M1", "Apr 2018", "30", ""],
        VALUES[2],
        &["M1", "Jul 2018", "23", ""],
    ];
    let changed = write(dir.path(), "v2.csv", &csv(changed));
    let trial = ok(&db, &["import", &changed, "--plan", "P", "--dry-run"]);
    assert!(
        trial.contains(
            "measure values: 1 new value and 1 correction would be recorded; 1 recorded already"
        ),
        "{trial}"
    );
    assert!(
        trial.contains("would correct: M1 Apr 2018: 27% -> 30%"),
        "{trial}"
    );
    let said = ok(&db, &["import", &changed, "--plan", "P"]);
    assert!(
        said.contains("corrected: M1 Apr 2018: 27% -> 30%"),
        "{said}"
    );
    let history = export(&db, "values");
    assert!(history.contains("M1,Apr 2018,30"), "{history}");
}

/// A sheet of outcomes (or measures, risks) with only its header, as an
/// export of an empty register is, imports as nothing and says so.
#[test]
fn a_register_file_with_only_a_header_says_there_is_nothing_to_import() {
    let (dir, db) = plan_of(&[ACTIONS]);
    let empty = export(&db, "outcomes");
    let file = write(dir.path(), "o.csv", &empty);
    let said = ok(&db, &["import", &file, "--plan", "P"]);
    assert!(
        said.contains("P: the file has a header and no rows under it; nothing to import"),
        "{said}"
    );
}

/// A workbook whose actions sheet cannot be read at all says why, though it
/// names a plan the database lacks: not that a file without actions cannot
/// start one.
#[test]
fn an_unreadable_actions_sheet_says_its_problem_not_that_it_has_no_actions() {
    let (dir, db) = plan_of(&[ACTIONS]);
    let no_priority: &[&[&str]] = &[&["Ref", "Action"], &["1.1", "Recruit"]];
    let file = xlsx(
        dir.path(),
        "new.xlsx",
        &[("Actions", no_priority), ("KPIs", MEASURES)],
    );
    let out = planbot(&db, &["import", &file, "--plan", "Q"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("sheet \"Actions\""), "{err}");
    assert!(err.contains("Priority"), "{err}");
    assert!(!err.contains("does not start one"), "{err}");
}

/// A measure with values keeps its unit and frequency (its values would read
/// differently); one without may change them.
#[test]
fn a_measure_with_values_keeps_its_unit() {
    let (dir, db) = plan_of(&[ACTIONS, MEASURES, VALUES]);
    let before = export(&db, "measures");
    let in_days = |code: &str| -> String {
        let row: Vec<&str> = MEASURES[1]
            .iter()
            .enumerate()
            .map(|(i, c)| match (i, *c) {
                (0, _) => code,
                (_, "%") => "days",
                (_, other) => other,
            })
            .collect();
        csv(&[MEASURES[0], &row])
    };
    let file = write(dir.path(), "days.csv", &in_days("M1"));
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("line 2, column 3 (Unit): M1 has values recorded in unit %"),
        "{err}"
    );
    assert_eq!(export(&db, "measures"), before, "nothing changes");
    // M2 has no values yet: its unit is the sheet's to set.
    let file = write(
        dir.path(),
        "m2.csv",
        &csv(&[MEASURES[0], &{
            let mut row = MEASURES[1].to_vec();
            row[0] = "M2";
            row
        }]),
    );
    ok(&db, &["import", &file, "--plan", "P"]);
    let file = write(dir.path(), "m2days.csv", &in_days("M2"));
    ok(&db, &["import", &file, "--plan", "P"]);
    assert!(export(&db, "measures").contains("M2,Agency social workers,days"));
    // Nor its frequency; an empty Frequency cell keeps the one recorded.
    let with_frequency = |frequency: &str| {
        let header = format!("{},Frequency", MEASURES[0].join(","));
        format!("{header}\n{},{frequency}\n", MEASURES[1].join(","))
    };
    let file = write(dir.path(), "q.csv", &with_frequency("quarterly"));
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("M1 has values recorded in frequency monthly"),
        "{err}"
    );
    // M2, quarterly with a value, is left so by an empty Frequency cell.
    let m2 = |frequency: &str| with_frequency(frequency).replace("M1,", "M2,");
    let file = write(dir.path(), "m2q.csv", &m2("quarterly"));
    ok(&db, &["import", &file, "--plan", "P"]);
    let file = write(
        dir.path(),
        "m2v.csv",
        "Measure,Period,Value\nM2,Q1 18/19,20\n",
    );
    ok(&db, &["import", &file, "--plan", "P"]);
    let recorded = export(&db, "measures");
    let file = write(dir.path(), "blank.csv", &m2(""));
    ok(&db, &["import", &file, "--plan", "P"]);
    assert_eq!(export(&db, "measures"), recorded, "nothing changes");
}

/// A value corrected twice shows the latest it replaces. Where the sheet
/// gives notes, a new note on the same value is a correction too, and an
/// empty one takes the note away; a sheet without notes compares values.
#[test]
fn corrections_name_the_value_or_note_they_replace() {
    let (dir, db) = plan_of(&[ACTIONS, MEASURES, VALUES]);
    let import = |name: &str, text: &str| {
        let file = write(dir.path(), name, text);
        ok(&db, &["import", &file, "--plan", "P"])
    };
    let said = import("1.csv", "Measure,Period,Value\nM1,Apr 2018,30\n");
    assert!(said.contains("M1 Apr 2018: 27% -> 30%"), "{said}");
    let said = import("2.csv", "Measure,Period,Value\nM1,Apr 2018,31\n");
    assert!(said.contains("M1 Apr 2018: 30% -> 31%"), "{said}");
    let said = import(
        "3.csv",
        "Measure,Period,Value,Note\nM1,Apr 2018,31,audited\n",
    );
    assert!(said.contains("M1 Apr 2018: 31%, with a new note"), "{said}");
    let said = import("4.csv", "Measure,Period,Value\nM1,Apr 2018,31\n");
    assert!(said.contains("nothing new"), "no Note column: {said}");
    let said = import("5.csv", "Measure,Period,Value,Note\nM1,Apr 2018,31,\n");
    assert!(
        said.contains("M1 Apr 2018: 31%, its note taken away"),
        "{said}"
    );
    let history = export(&db, "values");
    assert!(history.contains("M1,Apr 2018,31,"), "{history}");
    assert!(!history.contains("audited"), "{history}");
}

/// A register sheet with only its header makes no plan in a new database.
#[test]
fn a_header_only_register_file_makes_no_plan() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    for (name, header) in [
        ("o.csv", "Code,Outcome\n"),
        ("r.csv", "Code,Recommendation\n"),
    ] {
        let file = write(dir.path(), name, header);
        let said = ok(&db, &["import", &file, "--plan", "P"]);
        assert!(said.contains("nothing to import"), "{header}: {said}");
        assert!(!said.contains("settings"), "no new plan: {said}");
    }
    assert!(!has_plan_p(&db), "no plan was made");
}

/// A row whose value is bad or empty still counts for its period: a second
/// row for it is said at once, not once the first is mended.
#[test]
fn a_bad_value_does_not_hide_a_second_row_for_its_period() {
    let (dir, db) = plan_of(&[ACTIONS, MEASURES]);
    let text =
        "Measure,Period,Value\nM1,Feb 2019,abc\nM1,Feb 2019,20\nM1,Apr 2019,\nM1,Apr 2019,5\n";
    let file = write(dir.path(), "v.csv", text);
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("4 problems in the file"), "{err}");
    for expected in [
        "line 2, column 3 (Value): \"abc\" is not a percentage",
        "line 3, column 2 (Period): M1 already has a value for Feb 2019 on line 2",
        "line 4, column 3 (Value): the value is empty",
        "line 5, column 2 (Period): M1 already has a value for Apr 2019 on line 4",
    ] {
        assert!(err.contains(expected), "{expected:?} in {err}");
    }
}

/// A workbook a script wrote (openpyxl does this) keeps a formula without
/// its result. planbot reads only results, and reading such a cell as empty
/// would clear what it stands for: the import is refused, naming each cell,
/// and nothing changes. A formula Excel saved with its result is read as
/// that result.
#[test]
fn a_formula_with_no_saved_result_is_refused_at_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let plan = xlsx(dir.path(), "plan.xlsx", &[("Actions", ACTIONS)]);
    ok(&db, &["import", &plan, "--plan", "P"]);

    // 1.1 goes Green; 1.2's status and its action text are formulas.
    let workbook = |saved: bool| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Actions").unwrap();
        for (r, row) in ACTIONS.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
        sheet.write_string(1, 5, "Green").unwrap();
        let result = |text: &'static str| if saved { text } else { NO_RESULT };
        let status = rust_xlsxwriter::Formula::new(r#"=IF(1,"Red","Green")"#);
        sheet
            .write_formula(2, 5, status.set_result(result("Red")))
            .unwrap();
        let text = rust_xlsxwriter::Formula::new(r#"="Cut agency "&"use""#);
        sheet
            .write_formula(2, 2, text.set_result(result("Cut agency use")))
            .unwrap();
        let name = if saved { "saved.xlsx" } else { "script.xlsx" };
        let path = dir.path().join(name);
        std::fs::write(&path, without_results(book.save_to_buffer().unwrap())).unwrap();
        path.display().to_string()
    };

    let before = export(&db, "actions");
    let out = planbot(&db, &["import", &workbook(false), "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let said = stderr(&out);
    assert!(
        said.contains("2 cells hold a formula with no saved result"),
        "{said}"
    );
    assert!(
        said.contains(r#"sheet "Actions", row 3, column C (="Cut agency "&"use")"#),
        "{said}"
    );
    assert!(
        said.contains(r#"sheet "Actions", row 3, column F (=IF(1,"Red","Green"))"#),
        "{said}"
    );
    assert!(
        said.contains("open it in Excel or LibreOffice, save it"),
        "{said}"
    );
    assert_eq!(export(&db, "actions"), before, "nothing may change");

    ok(&db, &["import", &workbook(true), "--plan", "P"]);
    let after = export(&db, "actions");
    let line = |r: &str| after.lines().find(|l| l.contains(r)).unwrap().to_string();
    assert!(line(",1.1,").ends_with(",Green,,"), "{after}");
    let cut = line(",1.2,");
    assert!(
        cut.contains(",Cut agency use,") && cut.ends_with(",Red,,"),
        "{cut}"
    );
}

/// What rust_xlsxwriter saves as a formula's result, taken out again.
const NO_RESULT: &str = "4242.4242";

/// The workbook with each formula's result `NO_RESULT` left empty, as a
/// script that cannot compute formulas writes it.
fn without_results(xlsx: Vec<u8>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..book.len() {
        let mut file = book.by_index(i).unwrap();
        let mut text = Vec::new();
        file.read_to_end(&mut text).unwrap();
        let text = String::from_utf8(text)
            .map(|t| {
                t.replace(&format!("<v>{NO_RESULT}</v>"), "<v></v>")
                    .into_bytes()
            })
            .unwrap_or_else(|e| e.into_bytes());
        let name = file.name().unwrap().to_string();
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&text).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A dated import checks each period against its own day, and names that
/// day: under `--as-of` it is not the one the person has in mind.
#[test]
fn a_period_not_begun_names_the_day_it_was_checked_for() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    for (name, rows) in [("a.csv", ACTIONS), ("m.csv", MEASURES)] {
        let file = write(dir.path(), name, &csv(rows));
        ok(
            &db,
            &["import", &file, "--plan", "P", "--as-of", "2018-05-01"],
        );
    }
    let values = write(
        dir.path(),
        "v.csv",
        "Measure,Period,Value\nM1,Jun 2018,20\n",
    );
    let out = planbot(
        &db,
        &["import", &values, "--plan", "P", "--as-of", "2018-05-15"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "line 2, column 2 (Period): Jun 2018 has not begun by 15 May 2018: it starts on 1 Jun 2018"
        ),
        "{}",
        stderr(&out)
    );
}
