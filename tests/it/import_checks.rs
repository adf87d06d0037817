//! Import: malformed CSV, columns a file leaves out, several leads in a cell,
//! big files and what the command line says about them (issue 9).

use crate::helpers::*;
use planbot::import::{ImportError, Parsed, RowError, read_plan_file};
use planbot::plan::{Status, YearStart};
use std::path::Path;

fn read_csv(text: &str) -> Result<planbot::import::ImportFile, ImportError> {
    read_plan_file("plan.csv", text.as_bytes(), YearStart::APRIL)
}

fn problems(text: &str) -> Vec<RowError> {
    match read_csv(text) {
        Err(ImportError::Rows { shown, .. }) => shown,
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn export(db: &Path) -> String {
    let out = planbot(db, &["export"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// A fresh database holding `plan` as plan "P".
fn imported(plan: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let file = write(dir.path(), "plan.csv", plan);
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, db)
}

// Item 2: malformed CSV.

#[test]
fn an_unterminated_quote_is_an_error_where_it_opened() {
    let text = "Priority,Action,Leads,Due\n1. A,\"Do it,Mel Meggs,Q3 18/19\n1. A,Other,Bob Bell,Q4 18/19\n";
    let errors = problems(text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 2);
    assert!(
        errors[0].location.starts_with("line 2, column 2"),
        "{}",
        errors[0]
    );
    assert!(errors[0].reason.contains("quote"), "{}", errors[0]);
}

#[test]
fn a_quote_closed_rows_later_is_an_error_where_it_opened() {
    // The stray quote on line 4 closes the one opened on line 2.
    let text = "Priority,Action,Leads\n\
        1. A,\"Do it,Mel Meggs\n\
        1. A,Other,Bob Bell\n\
        1. A,The \"front door\" review,Bob Bell\n\
        1. A,Last,Bob Bell\n";
    let errors = problems(text);
    assert!(
        errors
            .iter()
            .any(|e| e.line == 2 && e.location.starts_with("line 2, column 2")),
        "{errors:?}"
    );
}

#[test]
fn a_quote_closed_at_the_end_of_the_next_rows_cell_is_an_error_where_it_opened() {
    // Nothing follows the stray closing quote, so the two rows would merge
    // into one action with the second row's status.
    for text in [
        "Priority,Ref,Group,Action,Leads,Due,Status,Recommendations\n\
         4. F,4.1,,\"Agree plan,Mel,Q3 18/19,Green,O12\n\
         4. F,4.2,,Implement Signs of Safety\",Mel,Q3 18/19,Red,O14\n\
         4. F,4.3,,Third,Mel,Q3 18/19,Green,O14\n",
        "Priority,Ref,Action,Status\n4. F,4.1,\"Alpha,Green\n4. F,4.2,Beta\",Green\n",
        "Priority,Ref,Group,Action,Leads,Due,Status\n\
         4. F,4.1,,\"Agree plan,Mel,Q3 18/19,Green\n\
         ,4.2,,Implement\",Mel,Q3 18/19,Red\n",
    ] {
        let errors = problems(text);
        assert!(
            errors
                .iter()
                .any(|e| e.line == 2 && e.reason.contains("quote")),
            "{text}: {errors:?}"
        );
    }
}

#[test]
fn a_multi_line_action_with_commas_still_reads() {
    let text = "Priority,Ref,Group,Action,Leads,Due,Status\n\
        4. F,4.1,,\"Agree the plan, with partners,\nthen review it, and report\",Mel,Q3 18/19,Green\n\
        4. F,4.2,,Next,Mel,Q3 18/19,Red\n";
    let Parsed::Plan(content) = read_csv(text).unwrap().parsed else {
        panic!()
    };
    assert_eq!(content.actions.len(), 2);
    assert!(content.actions[0].text.contains("then review it"));
}

#[test]
fn multi_line_evidence_cells_still_read() {
    let text = "Priority,Action,Evidence\n1. A,a,\"Board paper\nMinutes\nLetter, 12 May\"\n1. A,b,\"one\"\"quoted\"\" word\"\n";
    let Parsed::Plan(content) = read_csv(text).unwrap().parsed else {
        panic!()
    };
    assert_eq!(
        content.actions[0].evidence,
        ["Board paper", "Minutes", "Letter, 12 May"]
    );
    assert_eq!(content.actions[1].evidence, ["one\"quoted\" word"]);
}

#[test]
fn data_under_no_header_is_an_error_with_line_and_column() {
    let errors = problems("Priority,Action\n1. A,Do it,stray\n1. A,Fine,\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 2);
    assert!(
        errors[0].location.starts_with("line 2, column 3"),
        "{}",
        errors[0]
    );
    assert!(errors[0].reason.contains("header"), "{}", errors[0]);
}

#[test]
fn a_nul_byte_is_an_error_with_line_and_column() {
    let errors = problems("Priority,Action\n1. A,Do\0it\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].location.starts_with("line 2, column 2"),
        "{}",
        errors[0]
    );
    assert!(errors[0].reason.contains("NUL"), "{}", errors[0]);
}

#[test]
fn a_short_row_reads_as_empty_cells_with_a_warning_naming_the_line() {
    let file =
        read_csv("Priority,Action,Leads,Due\n1. A,Do it,Bob Bell,Q3 18/19\n1. A,More\n").unwrap();
    assert!(
        file.warnings.iter().any(|w| w.contains("line 3")),
        "{:?}",
        file.warnings
    );
    let Parsed::Plan(content) = file.parsed else {
        panic!()
    };
    assert!(content.actions[1].leads.is_empty());
}

#[test]
fn the_cli_refuses_an_unterminated_quote_even_in_a_dry_run() {
    let (dir, db) = imported(SMALL_PLAN);
    let before = export(&db);
    let bad = SMALL_PLAN.replacen("Increase foster", "\"Increase foster", 1);
    let file = write(dir.path(), "bad.csv", &bad);
    for dry in [true, false] {
        let mut args = vec!["import", file.as_str()];
        if dry {
            args.push("--dry-run");
        }
        let out = planbot(&db, &args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "dry run {dry}: {}",
            stdout(&out)
        );
        assert!(
            stderr(&out).contains("line 2, column 4"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(export(&db), before);
}

#[test]
fn a_first_import_that_fails_leaves_no_database_behind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let bad = SMALL_PLAN.replacen("Increase foster", "\"Increase foster", 1);
    let file = write(dir.path(), "bad.csv", &bad);
    let out = planbot(&db, &["import", file.as_str(), "--plan", "K"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("new.db"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

// Item 3: columns the file does not have.

const FULL: &str = "\
Priority,Ref,Group,Action,Leads,Strategic Leads,Due,Status,Recommendations,Evidence
1. Children Looked After,1.1,Sufficiency,Increase foster placements,Steve Comb,Elaine McShane,Q3 18/19,Green,O18,Board paper
1. Children Looked After,1.2,,Review the SGO policy,Julie Bragg,,Q4 18/19,Red,O19,
";

#[tokio::test]
async fn a_sheet_without_some_columns_keeps_what_they_held() {
    let db = TestDb::new().await;
    db.import_csv("P", FULL, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    let narrow = "Priority,Ref,Action,Status\n1. Children Looked After,1.1,Increase foster placements,Amber\n1. Children Looked After,1.2,Review the SGO policy,Red\n";
    db.import_csv("P", narrow, utc(2018, 11, 1, 9, 0)).await;
    let a = db.store.action(&plan, "1.1").await.unwrap();
    assert_eq!(a.status, Status::Amber);
    assert_eq!(a.group.as_deref(), Some("Sufficiency"));
    assert_eq!(a.leads, ["Steve Comb"]);
    assert_eq!(a.due, Some(date(2018, 12, 31)));
    assert_eq!(a.recommendations, ["O18"]);
    assert_eq!(a.evidence, ["Board paper"]);
    let priorities = db.store.priorities(&plan).await.unwrap();
    assert_eq!(priorities[0].strategic_leads, ["Elaine McShane"]);
}

#[test]
fn a_dry_run_says_which_present_but_empty_columns_would_be_cleared() {
    let (dir, db) = imported(FULL);
    let before = export(&db);
    let emptied = "Priority,Ref,Action,Leads,Recommendations\n\
        1. Children Looked After,1.1,Increase foster placements,,O18\n\
        1. Children Looked After,1.2,Review the SGO policy,,\n";
    let file = write(dir.path(), "emptied.csv", emptied);
    let out = planbot(&db, &["import", &file, "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let leads = text
        .lines()
        .find(|l| l.contains("Leads"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(leads.contains("1.1") && leads.contains("1.2"), "{text}");
    let recs = text
        .lines()
        .find(|l| l.contains("Recommendations"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(recs.contains("1.2") && !recs.contains("1.1"), "{text}");
    assert!(!text.contains("Group"), "absent columns are kept: {text}");
    assert_eq!(export(&db), before);
}

// Item 4: several leads in one cell.

#[test]
fn leads_are_split_on_the_separators_people_use() {
    let text = "Priority,Action,Leads,Strategic Leads\n\
        1. A,a,\"Mel Meggs, Ophelia Rix\",Elaine McShane & Tom Brailsford\n\
        1. A,b,Mel Meggs and Ophelia Rix,\n\
        1. A,c,Mel Meggs & Ophelia Rix,\n\
        1. A,d,\"Mel Meggs\nOphelia Rix\",\n\
        1. A,e,\"Mel Meggs, and Ophelia Rix\",\n\
        1. A,f,Mel Meggs / Ophelia Rix,\n\
        1. A,g,\"Mel Meggs,\",\n\
        1. A,h,Mel Meggs/Ophelia Rix,\n";
    let file = read_csv(text).unwrap();
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    let Parsed::Plan(content) = file.parsed else {
        panic!()
    };
    for a in &content.actions {
        let want: &[&str] = if a.text == "g" {
            &["Mel Meggs"]
        } else {
            &["Mel Meggs", "Ophelia Rix"]
        };
        assert_eq!(a.leads, want, "{}", a.text);
    }
    assert_eq!(
        content.priorities[0].strategic_leads,
        ["Elaine McShane", "Tom Brailsford"]
    );
}

#[test]
fn two_lists_of_strategic_leads_for_one_priority_are_an_error() {
    let errors = problems(
        "Priority,Ref,Action,Strategic Leads\n4. F,4.1,a,Mel Meggs\n4. F,4.2,b,Ophelia Rix\n4. F,4.3,c,\n",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].location.starts_with("line 3, column 4"),
        "{}",
        errors[0]
    );
    assert!(errors[0].reason.contains("line 2"), "{}", errors[0]);
    // The same people in another order or case are one list.
    let same = "Priority,Action,Strategic Leads\n4. F,a,Mel Meggs; Ophelia Rix\n4. F,b,ophelia rix; Mel Meggs\n";
    assert!(read_csv(same).is_ok());
}

#[test]
fn a_slash_inside_a_team_name_is_kept_whole_with_a_warning() {
    let text = "Priority,Action,Leads\n1. A,a,Health/Social Care team\n";
    let file = read_csv(text).unwrap();
    let Parsed::Plan(content) = file.parsed else {
        panic!()
    };
    assert_eq!(content.actions[0].leads, ["Health/Social Care team"]);
    assert!(
        file.warnings.iter().any(|w| w.contains("line 2")),
        "{:?}",
        file.warnings
    );
}

#[test]
fn and_inside_a_team_name_is_kept_with_a_warning_naming_the_line() {
    let text = "Priority,Action,Leads\n1. A,a,Bob Bell\n1. A,b,Head of Fostering and Adoption\n";
    let file = read_csv(text).unwrap();
    assert_eq!(file.warnings.len(), 1, "{:?}", file.warnings);
    assert!(file.warnings[0].contains("line 3"), "{:?}", file.warnings);
    let Parsed::Plan(content) = file.parsed else {
        panic!()
    };
    assert_eq!(content.actions[1].leads, ["Head of Fostering and Adoption"]);
}

/// "Smith, John" is read as two people, as a comma separates leads, with a
/// warning saying how to write one person; two full names are not doubted.
#[test]
fn a_name_written_surname_first_is_split_with_a_warning() {
    let text = "Priority,Action,Leads\n1. A,a,\"Smith, John\"\n1. A,b,\"Mel Meggs, Ophelia Rix\"\n";
    let file = read_csv(text).unwrap();
    assert_eq!(file.warnings.len(), 1, "{:?}", file.warnings);
    assert!(
        file.warnings[0].contains(
            "line 2, column 3 (Leads): \"Smith, John\" was read as two people, Smith and John; \
             if it names one person, write \"John Smith\""
        ),
        "{:?}",
        file.warnings
    );
    let Parsed::Plan(content) = file.parsed else {
        panic!()
    };
    assert_eq!(content.actions[0].leads, ["Smith", "John"]);
    assert_eq!(content.actions[1].leads, ["Mel Meggs", "Ophelia Rix"]);
    // Each of several, however the cell separates them.
    let several = "Priority,Action,Leads\n1. A,a,\"Rix, Ophelia; Meggs, Mel\"\n1. A,b,\"SMITH, J.\"\n\
                   1. A,c,\"Smith, John & Rix, Ophelia\"\n1. A,d,\"Smith, John and Rix, Ophelia\"\n";
    let file = read_csv(several).unwrap();
    // Seven surnames first, and line 5's "John and Rix" doubted as one name.
    assert_eq!(file.warnings.len(), 8, "{:?}", file.warnings);
    // A risk's owners, and names with an apostrophe or a hyphen, the same.
    let risks = "Code,Risk,Owners\nR1,Recruitment,\"O'Brien, Sean\"\n";
    let file = read_csv(risks).unwrap();
    assert!(
        file.warnings
            .iter()
            .any(|w| w
                .contains("line 2, column 3 (Owners): \"O'Brien, Sean\" was read as two people")),
        "{:?}",
        file.warnings
    );
}

#[test]
fn a_dry_run_lists_the_people_it_would_create() {
    let (dir, db) = imported(SMALL_PLAN);
    let typo = SMALL_PLAN.replace("Mel Meggs", "Mel Megs");
    let file = write(dir.path(), "typo.csv", &typo);
    let out = planbot(&db, &["import", &file, "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let people = text
        .lines()
        .find(|l| l.contains("Mel Megs"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(people.contains("new"), "{text}");
    assert!(
        !text.contains("Julie Bragg"),
        "known people are not new: {text}"
    );
}

// Item 9 and 10: many problems, many columns.

#[test]
fn the_first_50_problems_are_shown_and_the_rest_counted() {
    let mut text = String::from("Priority,Action,Status\n");
    for i in 0..120 {
        text.push_str(&format!("1. A,a{i},Purple\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let file = write(dir.path(), "bad.csv", &text);
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("120 problems"), "{err}");
    assert_eq!(err.matches("is not a status").count(), 50, "{err}");
    assert!(err.contains("and 70 more problems"), "{err}");
    assert!(err.lines().count() < 60, "{err}");
}

#[test]
fn thousands_of_unknown_columns_give_a_short_warning_on_stderr() {
    let extra: Vec<String> = (0..10_000).map(|i| format!("Extra {i}")).collect();
    let text = format!(
        "Priority,Action,{}\n1. A,Do it,{}\n",
        extra.join(","),
        vec![""; 10_000].join(",")
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let file = write(dir.path(), "wide.csv", &text);
    let out = planbot(&db, &["import", &file, "--plan", "P"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("warning"), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("10000 columns"), "{err}");
    assert!(err.lines().count() <= 5, "{err}");
}

// Item 5 (import part): history stays in order.

#[tokio::test]
async fn an_import_never_stamps_history_before_the_last_entry() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2019, 1, 10, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    let update = planbot::plan::StatusRequest {
        to: Status::Red,
        note: None,
        evidence: None,
        by: "Steve Comb".into(),
        by_discord_id: None,
        at: utc(2019, 1, 12, 9, 0),
    };
    db.store.record_status(&plan, "1.1", &update).await.unwrap();
    // An import whose clock is behind the last update.
    let amber = SMALL_PLAN.replacen("Green", "Amber", 1);
    db.import_csv("P", &amber, utc(2019, 1, 11, 9, 0)).await;
    let history = db.store.history(&plan, "1.1").await.unwrap();
    let to: Vec<Status> = history.iter().map(|c| c.to).collect();
    assert_eq!(to, [Status::Green, Status::Red, Status::Amber]);
    assert!(history[2].at >= history[1].at, "{history:?}");
    assert_eq!(history[2].from, Some(Status::Red));
}

/// Excel in much of Europe saves "CSV" with semicolons: the header is then
/// one cell, and the message says what to save instead.
#[test]
fn a_file_separated_by_semicolons_or_tabs_is_named_as_such() {
    for (text, name) in [
        ("Measure;Period;Value\nM1;Apr 2018;27\n", "\";\""),
        ("Priority\tAction\tLeads\n1. A\ta\tBob Bell\n", "tabs"),
    ] {
        let err = read_csv(text).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "line 1: the header is one cell, \"{}\": the file separates its columns with {name}",
                text.lines().next().unwrap()
            )),
            "{err}"
        );
        assert!(err.contains("CSV UTF-8 (Comma delimited)"), "{err}");
    }
    // A title of one cell is no header, whatever it holds.
    let err = read_csv("Kirklees | Improvement plan 2019\n")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("separates its columns"), "{err}");
    assert!(err.contains("no Action"), "{err}");
}
