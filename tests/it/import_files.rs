//! Reading plans from CSV and Excel files, and writing them back out.

use crate::helpers::*;
use planbot::import::{
    ImportError, Parsed, RowError, export_csv, neutralise_formula, read_plan_file,
};
use planbot::plan::{
    Action, FileColumns, Plan, PlanContent, Priority, Recommendation, Status, YearStart,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn read_csv(text: &str) -> Result<planbot::import::ImportFile, ImportError> {
    read_plan_file("plan.csv", text.as_bytes(), YearStart::APRIL)
}

fn row_errors(text: &str) -> Vec<RowError> {
    match read_csv(text) {
        Err(ImportError::Rows { shown, .. }) => shown,
        other => panic!("expected row errors, got {other:?}"),
    }
}

fn action<'a>(content: &'a PlanContent, reference: &str) -> &'a Action {
    content
        .actions
        .iter()
        .find(|a| a.reference == reference)
        .unwrap_or_else(|| panic!("no action {reference} in {:?}", content.actions))
}

fn refs(content: &PlanContent) -> Vec<&str> {
    content
        .actions
        .iter()
        .map(|a| a.reference.as_str())
        .collect()
}

fn test_plan() -> Plan {
    Plan {
        id: 1,
        name: "Test".into(),
        time_zone: planbot::plan::Zone::london(),
        year_start: YearStart::APRIL,
        stale_days: 30,
    }
}

#[test]
fn the_small_plan_reads_as_written() {
    let content = plan_from_csv(SMALL_PLAN);
    assert_eq!(refs(&content), ["1.1", "1.2", "2.1", "4.1", "4.2"]);
    let priorities: Vec<(u32, &str)> = content
        .priorities
        .iter()
        .map(|p| (p.number, p.title.as_str()))
        .collect();
    assert_eq!(
        priorities,
        [
            (1, "Children Looked After"),
            (2, "Care Leavers"),
            (4, "Front Door")
        ]
    );
    let a = action(&content, "1.1");
    assert_eq!(a.priority, 1);
    assert_eq!(a.priority_title, "Children Looked After");
    assert_eq!(a.group.as_deref(), Some("Sufficiency"));
    assert_eq!(a.text, "Increase foster placements");
    assert_eq!(a.leads, ["Steve Comb", "Tom Brailsford"]);
    assert_eq!(a.due, Some(date(2018, 12, 31)));
    assert_eq!(a.status, Status::Green);
    assert_eq!(a.recommendations, ["O18", "O19"]);
    assert!(a.evidence.is_empty());
    assert_eq!(action(&content, "1.2").group, None);
    assert_eq!(action(&content, "2.1").due, Some(date(2019, 6, 30)));
    assert_eq!(action(&content, "4.1").status, Status::Complete);
    assert_eq!(action(&content, "4.1").evidence, ["Board paper March 2019"]);
    assert_eq!(action(&content, "4.1").recommendations, ["O12", "O14"]);
    let unassigned = action(&content, "4.2");
    assert!(unassigned.leads.is_empty());
    assert_eq!(unassigned.due, Some(date(2019, 3, 31)));
    assert_eq!(unassigned.status, Status::NotStarted);
}

#[test]
fn a_csv_saved_by_excel_with_bom_crlf_and_a_multi_line_cell() {
    let text = "\u{FEFF}Comments,Priority,Ref,Action,Leads,Due,Status,Evidence\r\n\
        ,1. Front Door,1.1,Agree the MASH plan,Mel Meggs,Q3 18/19,Green,\"Board paper\r\nMinutes 12/12/2018\"\r\n\
        ,1. Front Door,1.2,\"Roll out\r\nOperation Encompass\",,31/03/2019,Red,\r\n";
    let file = read_csv(text).unwrap();
    // The byte-order mark is not part of the first column's name.
    assert_eq!(
        file.warnings,
        [r#"column "Comments" is not one planbot knows; it was ignored"#]
    );
    let Parsed::Plan(content) = file.parsed else {
        panic!("expected a plan")
    };
    assert_eq!(refs(&content), ["1.1", "1.2"]);
    let a = action(&content, "1.1");
    assert_eq!(a.evidence, ["Board paper", "Minutes 12/12/2018"]);
    assert_eq!(a.status, Status::Green);
    assert_eq!(a.due, Some(date(2018, 12, 31)));
    let b = action(&content, "1.2");
    assert_eq!(
        b.text.replace("\r\n", "\n"),
        "Roll out\nOperation Encompass"
    );
    assert_eq!(
        b.status,
        Status::Red,
        "no stray carriage return in the last column"
    );
    assert_eq!(b.due, Some(date(2019, 3, 31)));
    assert!(
        content
            .actions
            .iter()
            .all(|a| !a.priority_title.contains('\u{FEFF}'))
    );
}

#[test]
fn header_names_are_recognised_by_their_common_aliases() {
    let layouts = [
        "Theme,Reference,Subheading,What,Owner,Timeframe,RAG,Ofsted,Notes",
        "WORK-STREAM,ID,subheading,Project,Owners,Deadline,Progress,Recs,notes",
        "area,Ref,Group,Description,Lead,Target date,Status,Refs,NOTES",
        "Priority Area,Action Ref,Group,Actions,Leads,Due Date,RAG Status,Recommendations,Evidence",
    ];
    for header in layouts {
        let text = format!(
            "{header}\n2. Staffing,2.7,Recruitment,Hire social workers,Julie Bragg,Q1 19/20,At risk,O21,Advert placed\n"
        );
        let file = read_csv(&text).unwrap_or_else(|e| panic!("{header}: {e}"));
        assert!(file.warnings.is_empty(), "{header}: {:?}", file.warnings);
        let Parsed::Plan(content) = file.parsed else {
            panic!("{header}: expected a plan")
        };
        let a = &content.actions[0];
        assert_eq!(
            (
                a.priority,
                a.priority_title.as_str(),
                a.reference.as_str(),
                a.group.as_deref()
            ),
            (2, "Staffing", "2.7", Some("Recruitment")),
            "{header}"
        );
        assert_eq!(a.text, "Hire social workers", "{header}");
        assert_eq!(a.leads, ["Julie Bragg"], "{header}");
        assert_eq!(a.due, Some(date(2019, 6, 30)), "{header}");
        assert_eq!(a.status, Status::Amber, "{header}");
        assert_eq!(a.recommendations, ["O21"], "{header}");
        assert_eq!(a.evidence, ["Advert placed"], "{header}");
    }
}

#[test]
fn unknown_columns_are_ignored_with_a_warning() {
    let text = "Priority,Action,Colour,Budget (£k)\n1. A,Do it,blue,12\n";
    let file = read_csv(text).unwrap();
    assert_eq!(file.warnings.len(), 2, "{:?}", file.warnings);
    assert!(
        file.warnings[0].contains("\"Colour\""),
        "{:?}",
        file.warnings
    );
    assert!(
        file.warnings[1].contains("\"Budget (£k)\""),
        "{:?}",
        file.warnings
    );
    assert!(file.warnings.iter().all(|w| w.contains("ignored")));
    let Parsed::Plan(content) = file.parsed else {
        panic!()
    };
    assert_eq!(content.actions[0].text, "Do it");
}

#[test]
fn title_rows_above_the_header_are_skipped() {
    let text = "Kirklees Improvement Plan,,\nUpdated January 2019,,\nPriority,Action,Status\n1. A,Do it,Green\n1. A,Do more,Purple\n";
    let errors = row_errors(text);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 5);
    assert_eq!(errors[0].location, "line 5, column 3 (Status)");
}

#[test]
fn priorities_with_numbers_in_either_style_are_the_same_priority() {
    let text = "Priority,Action\nPriority 4: Front Door,a\n4. Front Door,b\nTheme 2 - Staffing,c\n3) Voice of the child,d\n";
    let content = plan_from_csv(text);
    let numbers: Vec<(u32, &str)> = content
        .actions
        .iter()
        .map(|a| (a.priority, a.priority_title.as_str()))
        .collect();
    assert_eq!(
        numbers,
        [
            (4, "Front Door"),
            (4, "Front Door"),
            (2, "Staffing"),
            (3, "Voice of the child")
        ]
    );
    let priorities: Vec<(u32, &str)> = content
        .priorities
        .iter()
        .map(|p| (p.number, p.title.as_str()))
        .collect();
    assert_eq!(
        priorities,
        [
            (4, "Front Door"),
            (2, "Staffing"),
            (3, "Voice of the child")
        ]
    );
    assert_eq!(refs(&content), ["4.1", "4.2", "2.1", "3.1"]);
}

#[test]
fn bare_priority_titles_are_numbered_in_order_of_first_appearance() {
    let text = "Priority,Action\nCare Leavers,a\nFront Door,b\ncare leavers,c\n2. Staffing,d\nVoice of the child,e\nStaffing,f\n";
    let content = plan_from_csv(text);
    let numbers: Vec<u32> = content.actions.iter().map(|a| a.priority).collect();
    // 2 is taken by Staffing, so the third bare title is 3; a bare "Staffing" is priority 2.
    assert_eq!(numbers, [1, 3, 1, 2, 4, 2]);
    let priorities: Vec<(u32, &str)> = content
        .priorities
        .iter()
        .map(|p| (p.number, p.title.as_str()))
        .collect();
    assert_eq!(
        priorities,
        [
            (1, "Care Leavers"),
            (3, "Front Door"),
            (2, "Staffing"),
            (4, "Voice of the child")
        ]
    );
}

#[test]
fn a_title_that_starts_with_a_year_is_not_a_priority_number() {
    let content = plan_from_csv("Priority,Action\n2020 Vision,a\n");
    assert_eq!(content.actions[0].priority_title, "2020 Vision");
    assert_eq!(content.actions[0].priority, 1);
}

#[test]
fn an_empty_priority_cell_carries_down_from_the_row_above() {
    // Merged cells, saved as CSV, leave the priority on the first row only.
    let text = "Priority,Action\n1. Children Looked After,a\n,b\n,c\n2. Care Leavers,d\n,e\n";
    let content = plan_from_csv(text);
    let numbers: Vec<u32> = content.actions.iter().map(|a| a.priority).collect();
    assert_eq!(numbers, [1, 1, 1, 2, 2]);
    assert_eq!(content.actions[2].priority_title, "Children Looked After");
    assert_eq!(refs(&content), ["1.1", "1.2", "1.3", "2.1", "2.2"]);
}

#[test]
fn a_first_row_without_a_priority_is_an_error() {
    let errors = row_errors("Priority,Action\n,a\n1. A,b\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].location, "line 2, column 1 (Priority)");
}

#[test]
fn missing_refs_are_generated_without_reusing_refs_in_the_file() {
    let text = "Priority,Ref,Action\n1. A,,a\n1. A,1.2,b\n1. A,,c\n2. B,,d\n2. B,2.1a,e\n1. A,,f\n";
    let content = plan_from_csv(text);
    assert_eq!(refs(&content), ["1.1", "1.2", "1.3", "2.1", "2.1a", "1.4"]);
    let texts: Vec<&str> = content.actions.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(texts, ["a", "b", "c", "d", "e", "f"]);
    // A ref used later in the file is not given to an earlier row.
    let content = plan_from_csv("Priority,Ref,Action\n1. A,,a\n1. A,1.1,b\n");
    assert_eq!(refs(&content), ["1.2", "1.1"]);
}

#[test]
fn several_leads_are_split_on_semicolons_and_new_lines() {
    let text = "Priority,Action,Leads\n1. A,a,Steve Comb; Tom  Brailsford\n1. A,b,\"Julie Bragg\nMel Meggs;\"\n1. A,c,Julie Bragg; julie bragg\n";
    let content = plan_from_csv(text);
    assert_eq!(content.actions[0].leads, ["Steve Comb", "Tom Brailsford"]);
    assert_eq!(content.actions[1].leads, ["Julie Bragg", "Mel Meggs"]);
    assert_eq!(
        content.actions[2].leads,
        ["Julie Bragg"],
        "the same person once"
    );
}

#[test]
fn recommendation_codes_are_split_however_they_are_listed() {
    let text = "Priority,Action,Recommendations\n\
        1. A,a,O18; O19\n\
        1. A,b,\"O18, O19\"\n\
        1. A,c,\"O12,O13 and O14\"\n\
        1. A,d,(O18; o22)\n\
        1. A,e,\n\
        1. A,f,O18;O18\n";
    let content = plan_from_csv(text);
    let codes: Vec<Vec<String>> = content
        .actions
        .iter()
        .map(|a| a.recommendations.clone())
        .collect();
    assert_eq!(
        codes,
        [
            vec!["O18", "O19"],
            vec!["O18", "O19"],
            vec!["O12", "O13", "O14"],
            vec!["O18", "O22"],
            vec![],
            vec!["O18"],
        ]
    );
}

#[test]
fn every_bad_cell_is_reported_at_once_with_line_column_and_reason() {
    let text = "Priority,Ref,Action,Due,Status,Recommendations\n\
        1. A,1.1,ok,Q3 18/19,Purple,O18\n\
        1. A,1.2,ok,31/02/2019,Green,O18\n\
        1. A,1.3,ok,Q5 18/19,Green,O18\n\
        1. A,1.4,,Q3 18/19,Green,O18\n\
        1. A,1.1,ok,Q3 18/19,Green,O18\n\
        1. A,1.6,ok,Q3 18/19,Green,O18; see letter\n\
        1. A,1.7,fine,Q3 18/19,Green,O18\n";
    let errors = row_errors(text);
    let found: Vec<(usize, &str)> = errors
        .iter()
        .map(|e| (e.line, e.location.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (2, "line 2, column 5 (Status)"),
            (3, "line 3, column 4 (Due)"),
            (4, "line 4, column 4 (Due)"),
            (5, "line 5, column 3 (Action)"),
            (6, "line 6, column 2 (Ref)"),
            (7, "line 7, column 6 (Recommendations)"),
        ]
    );
    assert!(errors[0].reason.contains("\"Purple\""), "{}", errors[0]);
    assert!(
        errors[1].reason.contains("31/02/2019") && errors[1].reason.contains("not a real date"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].reason.contains("Q5 18/19") && errors[2].reason.contains("Q1 to Q4"),
        "{}",
        errors[2]
    );
    assert!(errors[3].reason.contains("empty"), "{}", errors[3]);
    assert!(
        errors[4].reason.contains("1.1") && errors[4].reason.contains("line 2"),
        "{}",
        errors[4]
    );
    assert!(errors[5].reason.contains("\"see letter\""), "{}", errors[5]);

    // What a user is shown: how many, that nothing was imported, and each problem.
    let shown = ImportError::Rows {
        shown: errors.clone(),
        more: 0,
    }
    .to_string();
    assert!(
        shown.starts_with("6 problems in the file, nothing was imported"),
        "{shown}"
    );
    assert!(
        shown.contains("line 4, column 4 (Due): \"Q5 18/19\""),
        "{shown}"
    );
    assert_eq!(
        errors[0].to_string(),
        format!("{}: {}", errors[0].location, errors[0].reason)
    );
}

#[test]
fn one_bad_cell_is_reported_in_the_singular() {
    let shown = read_csv("Priority,Action,Status\n1. A,a,Purple\n")
        .unwrap_err()
        .to_string();
    assert!(
        shown.starts_with("1 problem in the file, nothing was imported"),
        "{shown}"
    );
    assert!(shown.contains("line 2, column 3 (Status)"), "{shown}");
}

#[test]
fn conflicting_titles_for_one_priority_number_are_an_error() {
    let errors = row_errors("Priority,Action\n4. Front Door,a\n4. Front Door,b\n4. Early Help,c\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].location, "line 4, column 1 (Priority)");
    assert!(
        errors[0].reason.contains("Front Door") && errors[0].reason.contains("Early Help"),
        "{}",
        errors[0]
    );
}

/// Lines 2-4 hold one record; the bad statuses are on lines 5 and 6-7.
fn plan_with_a_multi_line_cell(newline: &str) -> String {
    [
        "Priority,Action,Status,Evidence",
        "1. A,first,Green,\"Board paper",
        "Minutes",
        "Letter to Ofsted\"",
        "1. A,second,Purple,",
        "1. A,\"third",
        "with more\",Bad,",
    ]
    .join(newline)
        + newline
}

#[test]
fn errors_after_a_multi_line_cell_name_the_line_in_the_file() {
    let errors = row_errors(&plan_with_a_multi_line_cell("\n"));
    let found: Vec<(usize, &str)> = errors
        .iter()
        .map(|e| (e.line, e.location.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (5, "line 5, column 3 (Status)"),
            (6, "line 6, column 3 (Status)")
        ]
    );
}

#[test]
fn errors_in_a_csv_with_crlf_line_ends_name_the_line_in_the_file() {
    let errors = row_errors("Priority,Action,Status\r\n1. A,a,Green\r\n1. A,b,Purple\r\n");
    assert_eq!(errors[0].location, "line 3, column 3 (Status)");
    let errors = row_errors("Priority,Ref,Action\r\n1. A,1.1,a\r\n1. A,1.1,b\r\n");
    assert_eq!(errors[0].location, "line 3, column 2 (Ref)");
    assert!(errors[0].reason.contains("line 2"), "{}", errors[0]);
    let errors = row_errors(&plan_with_a_multi_line_cell("\r\n"));
    let found: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
    assert_eq!(
        found,
        ["line 5, column 3 (Status)", "line 6, column 3 (Status)"]
    );
}

#[test]
fn only_csv_and_xlsx_files_are_read() {
    let err = read_plan_file("plan.pdf", b"%PDF-1.4", YearStart::APRIL).unwrap_err();
    assert_eq!(err, ImportError::UnknownFileType("plan.pdf".into()));
    assert!(err.to_string().contains("plan.pdf"), "{err}");
    assert!(err.to_string().contains(".csv"), "{err}");
    assert!(matches!(
        read_plan_file("plan", b"Priority,Action\n", YearStart::APRIL),
        Err(ImportError::UnknownFileType(_))
    ));
    // The extension is not case sensitive.
    assert!(read_plan_file("PLAN.CSV", SMALL_PLAN.as_bytes(), YearStart::APRIL).is_ok());
}

#[test]
fn an_empty_file_is_named_as_empty() {
    for text in ["", "\u{FEFF}", "\n\n", "\r\n\r\n", ",,,\n,,\n"] {
        assert_eq!(read_csv(text).unwrap_err(), ImportError::Empty, "{text:?}");
    }
}

#[test]
fn a_header_with_nothing_under_it_is_named_as_such() {
    for text in [
        "Priority,Action,Status\n",
        "Priority,Action,Status\r\n,,\r\n",
    ] {
        assert_eq!(
            read_csv(text).unwrap_err(),
            ImportError::HeaderOnly,
            "{text:?}"
        );
    }
}

#[test]
fn a_missing_action_column_is_named_with_the_columns_found() {
    let err = read_csv("Priority,Ref,Owner,Colour\n1. A,1.1,Bob,blue\n").unwrap_err();
    let ImportError::MissingColumns {
        line,
        missing,
        found,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*line, 1);
    assert!(missing.contains("Action"), "{missing}");
    assert_eq!(found, "Priority, Ref, Leads, \"Colour\" (unknown)");
    assert!(err.to_string().contains("no Action"), "{err}");
}

#[test]
fn a_missing_priority_column_is_named() {
    let err = read_csv("Ref,Action,Status\n1.1,Do it,Green\n").unwrap_err();
    let ImportError::MissingColumns {
        line,
        missing,
        found,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*line, 1);
    assert!(missing.starts_with("Priority"), "{missing}");
    assert_eq!(found, "Ref, Action, Status");
}

#[test]
fn two_columns_meaning_the_same_thing_are_refused() {
    let err = read_csv("Priority,Action,Owner,Description,Lead\n1. A,a,Bob,b,Sue\n").unwrap_err();
    let ImportError::BadHeader { line, reason } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*line, 1);
    assert!(
        reason.contains("columns 2 and 4") && reason.contains("Action"),
        "{reason}"
    );
}

/// An .xlsx file with a header row and the given rows of text, except that a
/// cell written as `date:YYYY-MM-DD` becomes a real Excel date cell.
fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if let Some(iso) = cell.strip_prefix("date:") {
                let d: Vec<u16> = iso.split('-').map(|p| p.parse().unwrap()).collect();
                let when = ExcelDateTime::from_ymd(d[0], d[1] as u8, d[2] as u8).unwrap();
                sheet
                    .write_datetime_with_format(r, c, &when, &date_format)
                    .unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, *cell).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn an_excel_sheet_with_date_cells_uk_date_text_and_quarters() {
    let bytes = xlsx(&[
        &["Priority", "Ref", "Action", "Due", "Status", "Leads"],
        &[
            "1. Front Door",
            "1.1",
            "Agree the MASH plan",
            "date:2019-02-14",
            "Green",
            "Mel Meggs",
        ],
        &[
            "",
            "1.2",
            "Roll out Operation Encompass",
            "31/12/2018",
            "Red",
            "",
        ],
        &[
            "2. Care Leavers",
            "2.1",
            "Publish the local offer",
            "Q1 19/20",
            "Amber",
            "Julie Bragg",
        ],
    ]);
    let file = read_plan_file("plan.xlsx", &bytes, YearStart::APRIL).unwrap();
    let Parsed::Plan(content) = file.parsed else {
        panic!("expected a plan")
    };
    assert_eq!(refs(&content), ["1.1", "1.2", "2.1"]);
    assert_eq!(
        action(&content, "1.1").due,
        Some(date(2019, 2, 14)),
        "a real date cell"
    );
    assert_eq!(
        action(&content, "1.2").due,
        Some(date(2018, 12, 31)),
        "UK date text"
    );
    assert_eq!(
        action(&content, "2.1").due,
        Some(date(2019, 6, 30)),
        "a quarter"
    );
    assert_eq!(
        action(&content, "1.2").priority,
        1,
        "merged priority cell carries down"
    );
    assert_eq!(action(&content, "1.2").status, Status::Red);
    assert_eq!(action(&content, "2.1").leads, ["Julie Bragg"]);
}

#[test]
fn an_excel_date_serial_without_a_date_format_is_still_a_date() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in ["Priority", "Action", "Due"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "1. A").unwrap();
    sheet.write_string(1, 1, "a").unwrap();
    // 43466 is 1 January 2019 in Excel's count of days.
    sheet.write_number(1, 2, 43465).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let Parsed::Plan(content) = read_plan_file("plan.xlsx", &bytes, YearStart::APRIL)
        .unwrap()
        .parsed
    else {
        panic!("expected a plan")
    };
    assert_eq!(content.actions[0].due, Some(date(2018, 12, 31)));
}

/// A header without a column planbot needs names the sheet too, in a
/// workbook of one as in one of several.
#[test]
fn a_missing_column_in_a_one_sheet_workbook_names_the_sheet() {
    let bytes = xlsx(&[
        &["Priority", "Ref", "Due", "Status"],
        &["1. A", "1.1", "Q3 18/19", "Green"],
    ]);
    let err = read_plan_file("plan.xlsx", &bytes, YearStart::APRIL).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("sheet \"Sheet1\": the header row (line 1) has no Action"),
        "{text}"
    );
}

/// Each problem names its sheet, even in a workbook of one: the tab to open
/// to mend it.
#[test]
fn excel_errors_are_located_by_sheet_row_and_column_letter() {
    let bytes = xlsx(&[
        &["Priority", "Ref", "Action", "Due", "Status"],
        &["1. A", "1.1", "ok", "Q3 18/19", "Green"],
        &["1. A", "1.2", "ok", "Q3 18/19", "Purple"],
        &["1. A", "1.3", "ok", "31/02/2019", "Green"],
        &["1. A", "1.4", "", "Q3 18/19", "Green"],
    ]);
    let err = read_plan_file("plan.xlsx", &bytes, YearStart::APRIL).unwrap_err();
    let ImportError::Rows { shown: errors, .. } = &err else {
        panic!("{err:?}")
    };
    let found: Vec<(usize, &str)> = errors
        .iter()
        .map(|e| (e.line, e.location.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (3, "sheet \"Sheet1\", row 3, column E (Status)"),
            (4, "sheet \"Sheet1\", row 4, column D (Due)"),
            (5, "sheet \"Sheet1\", row 5, column C (Action)")
        ]
    );
}

#[test]
fn a_file_that_is_not_really_xlsx_is_reported_unreadable() {
    let err = read_plan_file("plan.xlsx", SMALL_PLAN.as_bytes(), YearStart::APRIL).unwrap_err();
    assert!(matches!(err, ImportError::Unreadable(_)), "{err:?}");
    assert!(err.to_string().contains("xlsx"), "{err}");
}

#[test]
fn a_list_of_recommendations_is_read_as_such() {
    let text = "Code,Recommendation\nO18,Improve the quality of supervision\no19,\"Ensure that, when children go missing, return interviews happen\"\nO20,\n";
    let file = read_csv(text).unwrap();
    assert_eq!(
        file.parsed,
        Parsed::Recommendations(vec![
            Recommendation {
                code: "O18".into(),
                text: Some("Improve the quality of supervision".into()),
                body: None
            },
            Recommendation {
                code: "O19".into(),
                text: Some(
                    "Ensure that, when children go missing, return interviews happen".into()
                ),
                body: None
            },
            Recommendation {
                code: "O20".into(),
                text: None,
                body: None
            },
        ])
    );
}

#[test]
fn a_recommendation_listed_twice_is_an_error() {
    let errors = row_errors("Code,Recommendation\nO18,a\nO19,b\nO18,c\n");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].location, "line 4, column 1 (Code)");
    assert!(
        errors[0].reason.contains("O18") && errors[0].reason.contains("line 2"),
        "{}",
        errors[0]
    );
}

#[test]
fn neutralise_formula_quotes_cells_a_spreadsheet_would_run() {
    assert_eq!(
        neutralise_formula("=HYPERLINK(\"http://x\")"),
        "'=HYPERLINK(\"http://x\")"
    );
    assert_eq!(neutralise_formula("+44 1484 221000"), "'+44 1484 221000");
    assert_eq!(neutralise_formula("-5% agency staff"), "'-5% agency staff");
    assert_eq!(neutralise_formula("@channel"), "'@channel");
    assert_eq!(neutralise_formula("\tcmd"), "'\tcmd");
    assert_eq!(neutralise_formula("\rcmd"), "'\rcmd");
    for safe in [
        "",
        "Green",
        "O18, O19",
        "a = b",
        "1-2 weeks",
        "Q3 18/19",
        "2019-03-31",
        "'quoted'",
    ] {
        assert_eq!(neutralise_formula(safe), safe);
    }
}

/// A plan holding the cells most likely to go wrong on the way out and back.
fn awkward_plan() -> PlanContent {
    let a = |reference: &str, priority: u32, title: &str| Action {
        reference: reference.into(),
        priority,
        priority_title: title.into(),
        group: None,
        text: format!("Action {reference}"),
        leads: Vec::new(),
        due: None,
        status: Status::NotStarted,
        recommendations: Vec::new(),
        evidence: Vec::new(),
        last_update: None,
    };
    let mut actions = vec![
        a("1.1", 1, "Children Looked After"),
        a("1.2", 1, "Children Looked After"),
        a("2.1", 2, "Care Leavers, 16+"),
        a("3.1", 3, "2020 Vision"),
        a("3.2", 3, "2020 Vision"),
    ];
    actions[0].group = Some("Sufficiency".into());
    actions[0].leads = vec!["Steve Comb".into(), "Tom Brailsford".into()];
    actions[0].due = Some(date(2018, 12, 31));
    actions[0].status = Status::Green;
    actions[0].recommendations = vec!["O18".into(), "O19".into()];
    actions[0].evidence = vec![
        "=HYPERLINK(\"http://example.org\",\"Board paper\")".into(),
        "Minutes, 12 Dec".into(),
    ];
    actions[1].text = "=1+1".into();
    actions[1].due = Some(date(2019, 2, 14));
    actions[1].status = Status::Red;
    actions[1].evidence = vec!["-5% agency staff".into()];
    actions[2].text = "+44 1484 221000 is the \"front door\" number".into();
    actions[2].leads = vec!["@channel".into()];
    actions[2].due = Some(date(2019, 3, 31));
    actions[2].status = Status::Amber;
    actions[2].group = Some("-".into());
    actions[3].text = "Rewrite the SGO policy\nand consult on it".into();
    actions[3].status = Status::Complete;
    actions[3].due = Some(date(2019, 6, 30));
    actions[3].evidence = vec![
        "Policy v2".into(),
        "@board: agreed".into(),
        "+ consultation report".into(),
    ];
    actions[4].reference = "3.2a".into();
    let priorities = vec![
        Priority {
            number: 1,
            title: "Children Looked After".into(),
            strategic_leads: vec!["Elaine McShane".into()],
        },
        Priority {
            number: 2,
            title: "Care Leavers, 16+".into(),
            strategic_leads: vec![],
        },
        Priority {
            number: 3,
            title: "2020 Vision".into(),
            strategic_leads: vec!["Mel Meggs".into(), "Julie Bragg".into()],
        },
    ];
    PlanContent {
        priorities,
        actions,
        recommendations: Vec::new(),
        columns: FileColumns::ALL,
        ..Default::default()
    }
}

#[test]
fn an_exported_plan_reads_back_the_same() {
    let original = awkward_plan();
    let csv = export_csv(&test_plan(), &original.priorities, &original.actions);
    let back = plan_from_csv(&csv);
    assert_eq!(back, original);
}

#[test]
fn an_imported_file_exported_and_read_again_is_unchanged() {
    let first = plan_from_csv(SMALL_PLAN);
    let csv = export_csv(&test_plan(), &first.priorities, &first.actions);
    let mut back = plan_from_csv(&csv);
    // The export has every column, the small plan no Strategic Leads.
    assert_eq!(back.columns, FileColumns::ALL);
    back.columns = first.columns;
    assert_eq!(back, first);
    // Quarter-end dates go out as quarters, other dates as ISO dates.
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "Priority,Ref,Group,Action,Leads,Strategic Leads,Due,Status,Recommendations,Evidence"
    );
    assert!(lines[1].contains(",Q3 18/19,Green,"), "{}", lines[1]);
    assert!(csv.ends_with("\r\n"));
}

#[test]
fn text_that_starts_with_an_apostrophe_survives_the_round_trip() {
    let mut original = awkward_plan();
    original.actions[4].text = "'+1' from the board".into();
    let csv = export_csv(&test_plan(), &original.priorities, &original.actions);
    assert_eq!(plan_from_csv(&csv).actions[4].text, "'+1' from the board");
}

#[test]
fn the_export_holds_no_cell_a_spreadsheet_would_run_as_a_formula() {
    let original = awkward_plan();
    let csv = export_csv(&test_plan(), &original.priorities, &original.actions);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula-like cell {cell:?}"
            );
        }
    }
    assert_eq!(cells, 6 * 10);
    assert!(csv.lines().all(|l| !l.starts_with('=')), "{csv}");
    // The dangerous text is there, made harmless.
    assert!(csv.contains("'=1+1"), "{csv}");
    assert!(csv.contains("'@channel"), "{csv}");
}
