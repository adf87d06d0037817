//! Getting a council's plan in and out of spreadsheets.
//!
//! Reading is all-or-nothing: every bad cell is collected and reported with
//! where it is, and nothing is stored unless the whole file is good.

mod columns;
mod export;
mod export_register;
mod holidays;
mod leads;
mod problems;
mod quotes;
mod register;
mod report;
mod rows;
mod shape;
mod sheets;
mod table;

pub use columns::Field;
pub use export::{EXPORT_HEADER, export_csv, neutralise_formula};
pub use export_register::{
    ExportedValue, measures_csv, outcomes_csv, recommendations_csv, risks_csv, values_csv,
};
pub use holidays::{HolidaysError, parse_holidays};
pub use problems::Problems;
pub use register::{OutcomeRow, Recorded, RiskRow, Settled, Sheet, ValueRow, Workbook};
pub use report::SHOWN;
pub use sheets::{Col, SheetKind};
pub use table::{Cell, excel_serial_date};

use crate::plan::{PlanContent, Recommendation, YearStart};
use columns::Columns;
use report::Report;
use std::fmt;
use std::io::BufRead;
use std::path::Path;
use table::Row;

/// A problem with one cell (or row) of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// "line 4, column 7 (Status)" or "row 4, column G (Status)".
    pub location: String,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{0}: planbot reads .csv and .xlsx files; save the sheet as one of those")]
    UnknownFileType(String),
    #[error("the file is empty")]
    Empty,
    #[error("the file has a header but no actions under it")]
    HeaderOnly,
    #[error(
        "the header row (line {line}) has no {missing} column; the columns found were: {found}"
    )]
    MissingColumns {
        line: usize,
        missing: String,
        found: String,
    },
    #[error("line {line}: {reason}")]
    BadHeader { line: usize, reason: String },
    #[error("{0}")]
    Unreadable(String),
    /// Where each such cell is, with its formula.
    #[error(
        "{} a formula with no saved result: {}. A program wrote this workbook without \
         the formulas' results, which is all planbot reads; open it in Excel or \
         LibreOffice, save it, and import it again",
        crate::text::count(.0.len(), "cell holds", "cells hold"),
        crate::text::capped_list(.0, 10)
    )]
    UnsavedFormulas(Vec<String>),
    /// The first `SHOWN` problems in the file, and how many more there are.
    #[error("{}", problems_text(shown, *more))]
    Rows { shown: Vec<RowError>, more: usize },
}

fn problems_text(shown: &[RowError], more: usize) -> String {
    let total = shown.len() + more;
    let mut text = format!(
        "{total} problem{} in the file, nothing was imported:",
        if total == 1 { "" } else { "s" }
    );
    for e in shown {
        text.push_str(&format!("\n  {e}"));
    }
    if more > 0 {
        text.push_str(&format!(
            "\n  and {more} more problem{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    text
}

/// What a file holds once read.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Plan(PlanContent),
    /// A list of recommendation codes and their wording.
    Recommendations(Vec<Recommendation>),
    /// A workbook of several sheets, or a sheet of outcomes, measures,
    /// measure values or risks.
    Workbook(Box<Workbook>),
}

impl Parsed {
    /// Every kind of file as a workbook.
    pub fn into_workbook(self) -> Workbook {
        match self {
            Parsed::Plan(c) => Workbook {
                plan: Some(c),
                ..Workbook::default()
            },
            Parsed::Recommendations(r) => Workbook {
                recommendations: Some(r),
                ..Workbook::default()
            },
            Parsed::Workbook(w) => *w,
        }
    }
}

/// A file read without error, and what was skipped on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportFile {
    pub parsed: Parsed,
    /// The first `SHOWN` warnings; `more_warnings` counts the rest.
    pub warnings: Vec<String>,
    pub more_warnings: usize,
}

/// Reads a plan (or a list of recommendations) from a `.csv` or `.xlsx` file's bytes.
pub fn read_plan_file(
    file_name: &str,
    bytes: &[u8],
    year_start: YearStart,
) -> Result<ImportFile, ImportError> {
    read_plan_file_partly(file_name, bytes, year_start)?.finish()
}

/// Reads a plan from a file on disk; a CSV file is read as it goes, never whole.
pub fn read_plan_path(path: &Path, year_start: YearStart) -> Result<ImportFile, ImportError> {
    read_plan_path_partly(path, year_start)?.finish()
}

/// A file whose rows may have problems: what the other rows hold, to be
/// checked against the plan before the problems are reported together.
#[derive(Debug)]
pub struct Reading {
    pub file: ImportFile,
    pub problems: Problems,
}

impl Reading {
    /// The file, if no row had a problem.
    pub fn finish(self) -> Result<ImportFile, ImportError> {
        self.problems.into_result()?;
        Ok(self.file)
    }
}

/// As [`read_plan_file`], keeping what the rows without problems hold.
pub fn read_plan_file_partly(
    file_name: &str,
    bytes: &[u8],
    year_start: YearStart,
) -> Result<Reading, ImportError> {
    read_plan(file_name, bytes, year_start)
}

/// As [`read_plan_path`], keeping what the rows without problems hold.
pub fn read_plan_path_partly(path: &Path, year_start: YearStart) -> Result<Reading, ImportError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    table::Kind::of(&file_name)?;
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::Unreadable(format!("cannot read {}: {e}", path.display())))?;
    read_plan(&file_name, std::io::BufReader::new(file), year_start)
}

/// Unknown columns are named one by one when there are a few; a sheet with
/// thousands of them gets one line.
const UNKNOWN_COLUMNS_NAMED: usize = 5;

fn read_plan<R: BufRead>(
    file_name: &str,
    mut input: R,
    year_start: YearStart,
) -> Result<Reading, ImportError> {
    let mut warnings = Warnings::default();
    let mut problems = Problems::default();
    let read = match table::Kind::of(file_name)? {
        table::Kind::Csv => {
            let rows = table::Rows::Csv(Box::new(table::CsvRows::new(input)?));
            let sheet = read_sheet(rows, None, None, true, year_start, &mut warnings)?;
            let (kind, read, rows_problems) = sheet.expect("a required sheet is read or refused");
            problems.sheet(kind, 0);
            if let Some((shown, more)) = rows_problems {
                problems.in_sheet(0, Some(kind), shown, more);
            }
            vec![(kind, read)]
        }
        table::Kind::Xlsx => {
            // calamine needs the whole workbook (a zip) to seek in.
            let mut bytes = Vec::new();
            input
                .read_to_end(&mut bytes)
                .map_err(|e| ImportError::Unreadable(e.to_string()))?;
            let sheets = table::read_xlsx_sheets(&bytes)?;
            read_workbook(sheets, year_start, &mut warnings, &mut problems)?
        }
    };
    // Rows' problems first, as when they stopped the reading at once.
    let parsed = match combine(read) {
        Ok(parsed) => parsed,
        Err(e) => {
            problems.into_result()?;
            return Err(e);
        }
    };
    Ok(Reading {
        file: ImportFile {
            parsed,
            warnings: warnings.shown,
            more_warnings: warnings.more,
        },
        problems,
    })
}

#[derive(Default)]
struct Warnings {
    shown: Vec<String>,
    more: usize,
}

impl Warnings {
    fn add(&mut self, (warnings, more): (Vec<String>, usize)) {
        for w in warnings {
            if self.shown.len() < SHOWN {
                self.shown.push(w);
            } else {
                self.more += 1;
            }
        }
        self.more += more;
    }
}

/// A sheet read: its kind, what its good rows hold, and its rows' problems.
type SheetOf = (SheetKind, SheetRead, Option<(Vec<RowError>, usize)>);

/// One sheet's content.
enum SheetRead {
    Plan(PlanContent),
    Recommendations(Vec<Recommendation>),
    Register(register::RegisterSheet),
}

/// Every sheet, each found by its name or else its header; sheets that are
/// neither are skipped with a warning. The problems of all sheets are
/// gathered together, each location naming its sheet.
fn read_workbook(
    sheets: Vec<(String, Vec<Row>)>,
    year_start: YearStart,
    warnings: &mut Warnings,
    problems: &mut Problems,
) -> Result<Vec<(SheetKind, SheetRead)>, ImportError> {
    let several = sheets.len() > 1;
    let mut read = Vec::new();
    for (position, (name, rows)) in sheets.into_iter().enumerate() {
        let rows: table::Rows<&[u8]> = table::Rows::Xlsx(rows.into_iter());
        let named = SheetKind::by_name(&name);
        // A workbook's only sheet must be read, whatever its name.
        let required = !several || named.is_some();
        match read_sheet(rows, Some(&name), named, required, year_start, warnings) {
            Ok(Some((kind, sheet, rows_problems))) => {
                problems.sheet(kind, position);
                if let Some((shown, more)) = rows_problems {
                    problems.in_sheet(position, Some(kind), shown, more);
                }
                read.push((kind, sheet));
            }
            Ok(None) => warnings.add((
                vec![format!(
                    "sheet \"{name}\" was not read: its name and header name none of \
                     actions, outcomes, measures, measure values, risks or recommendations"
                )],
                0,
            )),
            Err(ImportError::Rows { shown, more }) => {
                problems.in_sheet(position, named, shown, more);
            }
            Err(e) => problems.in_sheet(
                position,
                named,
                vec![RowError {
                    location: format!("sheet \"{name}\""),
                    line: 0,
                    reason: e.to_string(),
                }],
                0,
            ),
        }
    }
    if read.is_empty() {
        std::mem::take(problems).into_result()?;
        return Err(ImportError::Unreadable(
            "no sheet of the workbook has a header planbot knows (Action, Code, Unit ...)".into(),
        ));
    }
    Ok(read)
}

/// One sheet of each kind, put together.
fn combine(mut read: Vec<(SheetKind, SheetRead)>) -> Result<Parsed, ImportError> {
    use register::RegisterSheet as R;
    if read.len() == 1 {
        match read.pop() {
            Some((_, SheetRead::Plan(c))) => return Ok(Parsed::Plan(c)),
            Some((_, SheetRead::Recommendations(r))) => return Ok(Parsed::Recommendations(r)),
            Some(other) => read.push(other),
            None => {}
        }
    }
    let mut book = Workbook::default();
    let mut kinds = Vec::new();
    for (kind, sheet) in read {
        if kinds.contains(&kind) {
            return Err(ImportError::Unreadable(format!(
                "the workbook has two sheets of {}; put them in one",
                kind.word()
            )));
        }
        kinds.push(kind);
        match sheet {
            SheetRead::Plan(c) => book.plan = Some(c),
            SheetRead::Recommendations(r) => book.recommendations = Some(r),
            SheetRead::Register(R::Outcomes(s)) => book.outcomes = Some(s),
            SheetRead::Register(R::Measures(s)) => book.measures = Some(s),
            SheetRead::Register(R::Values(v)) => book.values = Some(v),
            SheetRead::Register(R::Risks(s)) => book.risks = Some(s),
        }
    }
    Ok(Parsed::Workbook(Box::new(book)))
}

/// Reads one sheet (or CSV file), whose name (`sheet`, none for a CSV file)
/// starts each problem's location. `named` is the kind its sheet name says;
/// a sheet not `required` whose header is not known is skipped (`Ok(None)`).
fn read_sheet<R: BufRead>(
    mut rows: table::Rows<R>,
    sheet: Option<&str>,
    named: Option<SheetKind>,
    required: bool,
    year_start: YearStart,
    warnings: &mut Warnings,
) -> Result<Option<SheetOf>, ImportError> {
    let mut head = Vec::new();
    while head.len() < HEADER_SEARCH_ROWS {
        match rows.next_row()? {
            Some(r) => head.push(r),
            None => break,
        }
    }
    if head.is_empty() {
        return if required {
            Err(ImportError::Empty)
        } else {
            Ok(None)
        };
    }
    let texts = |r: &Row| -> Vec<String> { r.cells.iter().map(Cell::text).collect() };
    let found = head.iter().enumerate().find_map(|(i, r)| {
        let names = texts(r);
        match (named, SheetKind::by_header(&names)) {
            (Some(n), Some(k)) if n == k => Some((k, i)),
            (None, Some(k)) => Some((k, i)),
            (Some(n), _) if n != SheetKind::Actions && n != SheetKind::Recommendations => {
                let cols = sheets::RegisterColumns::from_headers(n, &names).ok()?;
                let key = if n == SheetKind::Values {
                    Col::Measure
                } else {
                    Col::Code
                };
                cols.has(key).then_some((n, i))
            }
            _ => None,
        }
    });
    let (kind, header_index) = match (found, named) {
        (Some(f), _) => f,
        (None, Some(n)) if n != SheetKind::Actions && n != SheetKind::Recommendations => {
            return Err(ImportError::MissingColumns {
                line: head[0].line,
                missing: format!("header naming the {} (Code, ...)", n.word()),
                found: "none".into(),
            });
        }
        (None, _) if required => (SheetKind::Actions, 0),
        (None, _) => return Ok(None),
    };
    let mut report = Report::new(rows.kind());
    report.sheet = sheet.map(str::to_string);
    let read = match kind {
        SheetKind::Actions | SheetKind::Recommendations => {
            read_actions(head, rows, year_start, &mut report)?
        }
        _ => {
            let header = &head[header_index];
            let names = texts(header);
            let cols = sheets::RegisterColumns::from_headers(kind, &names).map_err(|reason| {
                ImportError::BadHeader {
                    line: header.line,
                    reason,
                }
            })?;
            let missing = cols.missing(kind);
            if !missing.is_empty() {
                let found = cols.found_names();
                return Err(ImportError::MissingColumns {
                    line: header.line,
                    missing: missing.join(", "),
                    found: if found.is_empty() {
                        "none".into()
                    } else {
                        found.join(", ")
                    },
                });
            }
            for h in &cols.ignored {
                report.warn(format!(
                    "column \"{h}\" is not one planbot knows in a sheet of {}; it was ignored",
                    kind.word()
                ));
            }
            let shape = shape::Header::new(header);
            let mut body = Body {
                buffered: head.split_off(header_index + 1).into_iter(),
                rows,
            };
            let mut reader = register::RegisterReader::new(kind, &cols, year_start);
            while let Some(r) = body.next()? {
                shape.check(&r, &mut report);
                reader.push(&r, &mut report);
            }
            body.quote_problems(&mut report);
            SheetRead::Register(reader.finish())
        }
    };
    let kind = match &read {
        SheetRead::Plan(_) => SheetKind::Actions,
        SheetRead::Recommendations(_) => SheetKind::Recommendations,
        SheetRead::Register(_) => kind,
    };
    let rows_problems = match report.finish() {
        Ok(w) => {
            warnings.add(w);
            None
        }
        Err(ImportError::Rows { shown, more }) => Some((shown, more)),
        Err(e) => return Err(e),
    };
    Ok(Some((kind, read, rows_problems)))
}

/// An action sheet, or a list of recommendations, as before workbooks.
fn read_actions<R: BufRead>(
    mut head: Vec<Row>,
    rows: table::Rows<R>,
    year_start: YearStart,
    report: &mut Report,
) -> Result<SheetRead, ImportError> {
    let (columns, header_index) = find_header(&head, report.kind)?;
    let shape = shape::Header::new(&head[header_index]);
    unknown_columns(&columns, report);
    let mut body = Body {
        buffered: head.split_off(header_index + 1).into_iter(),
        rows,
    };
    let recommendations = columns.has(Field::Code) && !columns.has(Field::Action);
    let Some(first) = body.next()? else {
        // A list of recommendations may be empty, as an export of none is.
        if recommendations {
            return Ok(SheetRead::Recommendations(Vec::new()));
        }
        return Err(ImportError::HeaderOnly);
    };
    let mut row = Some(first);
    Ok(if recommendations {
        let mut reader = rows::RecommendationReader::default();
        while let Some(r) = row {
            shape.check(&r, report);
            reader.push(&columns, &r, report);
            row = body.next()?;
        }
        body.quote_problems(report);
        SheetRead::Recommendations(reader.finish())
    } else {
        let mut reader = rows::ActionReader::new(&columns, year_start);
        let mut blanks = Blanks::new(&columns);
        while let Some(r) = row {
            shape.check(&r, report);
            blanks.note(&r);
            reader.push(&r, report);
            row = body.next()?;
        }
        body.quote_problems(report);
        // Without content the report holds problems, and they are returned later.
        SheetRead::Plan(
            reader
                .finish(report)
                .map(|c| blanks.into_content(c))
                .unwrap_or_default(),
        )
    })
}

/// Rows whose Ref or Status cell is empty: the reader turns an empty Ref
/// into a ref and an empty Status into Not started, and an import needs to
/// tell those from what the file says.
struct Blanks {
    ref_column: Option<usize>,
    status_column: Option<usize>,
    row: usize,
    refs: Vec<usize>,
    status: Vec<usize>,
}

impl Blanks {
    fn new(columns: &Columns) -> Self {
        Blanks {
            ref_column: columns.get(Field::Ref),
            status_column: columns.get(Field::Status),
            row: 0,
            refs: Vec::new(),
            status: Vec::new(),
        }
    }

    /// Called once per row the action reader reads, in the same order.
    fn note(&mut self, row: &Row) {
        let empty = |c: usize| row.cell(c).is_none_or(table::Cell::is_empty);
        if self.ref_column.is_none_or(empty) {
            self.refs.push(self.row);
        }
        if self.status_column.is_some_and(empty) {
            self.status.push(self.row);
        }
        self.row += 1;
    }

    fn into_content(self, mut content: PlanContent) -> PlanContent {
        content.generated_refs = self.refs;
        content.empty_status = self.status;
        content
    }
}

/// The rows under the header: those read while looking for it, then the rest.
struct Body<R> {
    buffered: std::vec::IntoIter<Row>,
    rows: table::Rows<R>,
}

impl<R: BufRead> Body<R> {
    fn next(&mut self) -> Result<Option<Row>, ImportError> {
        match self.buffered.next() {
            Some(r) => Ok(Some(r)),
            None => self.rows.next_row(),
        }
    }

    fn quote_problems(&self, report: &mut Report) {
        let (problems, more) = self.rows.quote_problems();
        for problem in problems {
            report.push_unless_shown(problem);
        }
        report.count_more(more);
    }
}

fn unknown_columns(columns: &Columns, report: &mut Report) {
    let ignored = &columns.ignored;
    if ignored.len() <= UNKNOWN_COLUMNS_NAMED {
        for h in ignored {
            report.warn(format!(
                "column \"{h}\" is not one planbot knows; it was ignored"
            ));
        }
        return;
    }
    let named: Vec<String> = ignored
        .iter()
        .take(UNKNOWN_COLUMNS_NAMED)
        .map(|h| format!("\"{h}\""))
        .collect();
    report.warn(format!(
        "{} columns are not ones planbot knows and were ignored: {} and {} more",
        ignored.len(),
        named.join(", "),
        ignored.len() - UNKNOWN_COLUMNS_NAMED
    ));
}

/// Title rows above the header are skipped, up to this many.
const HEADER_SEARCH_ROWS: usize = 10;

/// The header is the first row naming an action (or recommendation code)
/// column; title rows above it are skipped.
fn find_header(rows: &[Row], kind: table::Kind) -> Result<(Columns, usize), ImportError> {
    let header_of = |row: &Row| -> Result<Columns, ImportError> {
        let names: Vec<String> = row.cells.iter().map(Cell::text).collect();
        Columns::from_headers(&names).map_err(|reason| ImportError::BadHeader {
            line: row.line,
            reason,
        })
    };
    for (i, row) in rows.iter().enumerate() {
        let cols = header_of(row)?;
        if cols.has(Field::Action) || cols.has(Field::Code) {
            if cols.has(Field::Action) && !cols.has(Field::Priority) {
                return Err(missing(
                    &cols,
                    row.line,
                    "Priority (or Theme, Workstream, Area)",
                ));
            }
            return Ok((cols, i));
        }
    }
    // Excel in much of Europe saves "CSV" with semicolons: a header of one
    // cell that such a separator splits into a known header.
    let cells: Vec<String> = rows[0].cells.iter().map(Cell::text).collect();
    let known = |separator: char, only: &str| {
        let names: Vec<String> = only.split(separator).map(str::to_string).collect();
        SheetKind::by_header(&names).is_some()
            || Columns::from_headers(&names).is_ok_and(|c| c.has(Field::Action))
    };
    if let (table::Kind::Csv, [only]) = (kind, cells.as_slice())
        && let Some(separator) = [';', '\t', '|'].into_iter().find(|c| known(*c, only))
    {
        let name = if separator == '\t' {
            "tabs".to_string()
        } else {
            format!("\"{separator}\"")
        };
        return Err(ImportError::BadHeader {
            line: rows[0].line,
            reason: format!(
                "the header is one cell, \"{only}\": the file separates its columns with {name}, \
                 not commas; save it as \"CSV UTF-8 (Comma delimited)\""
            ),
        });
    }
    let cols = header_of(&rows[0])?;
    Err(missing(
        &cols,
        rows[0].line,
        "Action (or What, Project, Description)",
    ))
}
fn missing(cols: &Columns, line: usize, what: &str) -> ImportError {
    let mut found: Vec<String> = [
        Field::Priority,
        Field::Ref,
        Field::Group,
        Field::Action,
        Field::Leads,
        Field::Due,
        Field::Status,
        Field::Recommendations,
        Field::Evidence,
    ]
    .iter()
    .filter(|f| cols.has(**f))
    .map(|f| f.name().to_string())
    .collect();
    found.extend(cols.ignored.iter().map(|h| format!("\"{h}\" (unknown)")));
    ImportError::MissingColumns {
        line,
        missing: what.to_string(),
        found: if found.is_empty() {
            "none".into()
        } else {
            found.join(", ")
        },
    }
}
