//! Getting a council's plan in and out of spreadsheets.
//!
//! Reading is all-or-nothing: every bad cell is collected and reported with
//! where it is, and nothing is stored unless the whole file is good.

mod columns;
mod export;
mod rows;
mod table;

pub use columns::Field;
pub use export::{EXPORT_HEADER, export_csv, neutralise_formula};
pub use table::{Cell, Table, excel_serial_date};

use crate::plan::{PlanContent, Recommendation, YearStart};
use columns::Columns;
use std::fmt;

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
    #[error("{} problem{} in the file, nothing was imported:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Rows(Vec<RowError>),
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
    pub warnings: Vec<String>,
}

/// Reads a plan (or a list of recommendations) from a `.csv` or `.xlsx` file's bytes.
pub fn read_plan_file(
    file_name: &str,
    bytes: &[u8],
    year_start: YearStart,
) -> Result<ImportFile, ImportError> {
    let table = Table::read(file_name, bytes)?;
    let (columns, header_index) = find_header(&table)?;
    let body = &table.rows[header_index + 1..];
    if body.is_empty() {
        return Err(ImportError::HeaderOnly);
    }
    let warnings = columns
        .ignored
        .iter()
        .map(|h| format!("column \"{h}\" is not one planbot knows; it was ignored"))
        .collect();
    let parsed = if columns.has(Field::Code) && !columns.has(Field::Action) {
        Parsed::Recommendations(rows::read_recommendations(&table, &columns, body)?)
    } else {
        Parsed::Plan(rows::read_actions(&table, &columns, body, year_start)?)
    };
    Ok(ImportFile { parsed, warnings })
}

/// The header is the first row naming an action (or recommendation code)
/// column; title rows above it are skipped.
fn find_header(table: &Table) -> Result<(Columns, usize), ImportError> {
    let header_of = |i: usize| -> Result<Columns, ImportError> {
        let row = &table.rows[i];
        let names: Vec<String> = row.cells.iter().map(Cell::text).collect();
        Columns::from_headers(&names).map_err(|reason| ImportError::BadHeader {
            line: row.line,
            reason,
        })
    };
    for i in 0..table.rows.len().min(10) {
        let cols = header_of(i)?;
        if cols.has(Field::Action) || cols.has(Field::Code) {
            if cols.has(Field::Action) && !cols.has(Field::Priority) {
                return Err(missing(
                    &cols,
                    table.rows[i].line,
                    "Priority (or Theme, Workstream, Area)",
                ));
            }
            return Ok((cols, i));
        }
    }
    let cols = header_of(0)?;
    Err(missing(
        &cols,
        table.rows[0].line,
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
