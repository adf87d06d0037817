//! Getting a council's plan in and out of spreadsheets.
//!
//! Reading is all-or-nothing: every bad cell is collected and reported with
//! where it is, and nothing is stored unless the whole file is good.

mod columns;
mod export;
mod holidays;
mod leads;
mod quotes;
mod report;
mod rows;
mod shape;
mod table;

pub use columns::Field;
pub use export::{EXPORT_HEADER, export_csv, neutralise_formula};
pub use holidays::{HolidaysError, parse_holidays};
pub use report::SHOWN;
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
    read_plan(file_name, bytes, year_start)
}

/// Reads a plan from a file on disk; a CSV file is read as it goes, never whole.
pub fn read_plan_path(path: &Path, year_start: YearStart) -> Result<ImportFile, ImportError> {
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
    input: R,
    year_start: YearStart,
) -> Result<ImportFile, ImportError> {
    let mut rows = table::open(file_name, input)?;
    let mut head = Vec::new();
    while head.len() < HEADER_SEARCH_ROWS {
        match rows.next_row()? {
            Some(r) => head.push(r),
            None => break,
        }
    }
    if head.is_empty() {
        return Err(ImportError::Empty);
    }
    let (columns, header_index) = find_header(&head)?;
    let shape = shape::Header::new(&head[header_index]);
    let mut report = Report::new(rows.kind());
    unknown_columns(&columns, &mut report);
    let mut body = Body {
        buffered: head.split_off(header_index + 1).into_iter(),
        rows,
    };
    let Some(first) = body.next()? else {
        return Err(ImportError::HeaderOnly);
    };
    let mut row = Some(first);
    let parsed = if columns.has(Field::Code) && !columns.has(Field::Action) {
        let mut reader = rows::RecommendationReader::default();
        while let Some(r) = row {
            shape.check(&r, &mut report);
            reader.push(&columns, &r, &mut report);
            row = body.next()?;
        }
        body.quote_problems(&mut report);
        Parsed::Recommendations(reader.finish())
    } else {
        let mut reader = rows::ActionReader::new(&columns, year_start);
        let mut blanks = Blanks::new(&columns);
        while let Some(r) = row {
            shape.check(&r, &mut report);
            blanks.note(&r);
            reader.push(&r, &mut report);
            row = body.next()?;
        }
        body.quote_problems(&mut report);
        // Without content the report holds problems, and they are returned below.
        Parsed::Plan(
            reader
                .finish(&report)
                .map(|c| blanks.into_content(c))
                .unwrap_or_default(),
        )
    };
    let (warnings, more_warnings) = report.finish()?;
    Ok(ImportFile {
        parsed,
        warnings,
        more_warnings,
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
fn find_header(rows: &[Row]) -> Result<(Columns, usize), ImportError> {
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
