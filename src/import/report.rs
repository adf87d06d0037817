//! Problems and warnings met while reading a file. Only the first few are
//! kept (a broken file can have a problem on every one of 300,000 rows), the
//! rest are counted.

use super::columns::Field;
use super::table::Kind;
use super::{ImportError, RowError};

/// How many problems, and how many warnings, are shown; the rest are counted.
pub const SHOWN: usize = 50;

pub struct Report {
    pub kind: Kind,
    /// The sheet's name, for a workbook: it starts each location.
    pub sheet: Option<String>,
    /// The earliest problems in the file, with the order they were found in.
    errors: Vec<(usize, RowError)>,
    found: usize,
    warnings: Vec<String>,
    more_warnings: usize,
}

impl Report {
    pub fn new(kind: Kind) -> Self {
        Report {
            kind,
            sheet: None,
            errors: Vec::new(),
            found: 0,
            warnings: Vec::new(),
            more_warnings: 0,
        }
    }

    /// "line 4, column 7 (Status)" for a cell, "line 4" for a whole row.
    pub fn locate(&self, line: usize, column: Option<usize>, field: Option<Field>) -> String {
        self.locate_named(line, column, field.map(Field::name))
    }

    /// The same, for a column of a register sheet, named as its header.
    pub fn locate_named(&self, line: usize, column: Option<usize>, name: Option<&str>) -> String {
        let place = match (column, name) {
            (Some(c), Some(f)) => format!("{} ({f})", self.kind.locate(line, c)),
            (Some(c), None) => self.kind.locate(line, c),
            (None, _) => format!("line {line}"),
        };
        match &self.sheet {
            Some(sheet) => format!("sheet \"{sheet}\", {place}"),
            None => place,
        }
    }

    pub fn error_named(
        &mut self,
        line: usize,
        column: Option<usize>,
        name: &str,
        reason: impl Into<String>,
    ) {
        let location = self.locate_named(line, column, Some(name));
        self.push(RowError {
            location,
            line,
            reason: reason.into(),
        });
    }

    pub fn error(
        &mut self,
        line: usize,
        column: Option<usize>,
        field: Option<Field>,
        reason: impl Into<String>,
    ) {
        let location = self.locate(line, column, field);
        self.push(RowError {
            location,
            line,
            reason: reason.into(),
        });
    }

    /// Keeps the `SHOWN` problems that come first in the file, whatever order
    /// they were found in (a priority's clash is only seen after its rows).
    pub fn push(&mut self, error: RowError) {
        self.errors.push((self.found, error));
        self.found += 1;
        if self.errors.len() > SHOWN
            && let Some((last, _)) = self
                .errors
                .iter()
                .enumerate()
                .max_by_key(|(_, (seq, e))| (e.line, *seq))
        {
            self.errors.swap_remove(last);
        }
    }

    /// Adds a problem unless one is already shown for the same place.
    pub fn push_unless_shown(&mut self, error: RowError) {
        let same_place = |e: &RowError| {
            e.location == error.location
                || e.location
                    .strip_prefix(error.location.as_str())
                    .is_some_and(|rest| rest.starts_with(" ("))
        };
        if !self.errors.iter().any(|(_, e)| same_place(e)) {
            self.push(error);
        }
    }

    /// Problems found but not kept.
    pub fn count_more(&mut self, more: usize) {
        self.found += more;
    }

    pub fn has_errors(&self) -> bool {
        self.found > 0
    }

    pub fn warn(&mut self, warning: String) {
        if self.warnings.len() < SHOWN {
            self.warnings.push(warning);
        } else {
            self.more_warnings += 1;
        }
    }

    /// The warnings, and how many more there were; or the problems shown,
    /// in file order, and how many more there were.
    pub fn finish(self) -> Result<(Vec<String>, usize), ImportError> {
        if self.found == 0 {
            return Ok((self.warnings, self.more_warnings));
        }
        let mut kept = self.errors;
        kept.sort_by_key(|(seq, e)| (e.line, *seq));
        let shown: Vec<RowError> = kept.into_iter().map(|(_, e)| e).collect();
        let more = self.found - shown.len();
        Err(ImportError::Rows { shown, more })
    }
}
