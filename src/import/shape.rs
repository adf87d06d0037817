//! Checks on a row's shape against the header: cells under no header, short
//! rows, NUL bytes, and a cell that swallowed rows of the file.

use super::report::Report;
use super::table::{Cell, Kind, Row};

pub struct Header {
    /// Up to the last named column.
    width: usize,
    named: Vec<bool>,
}

impl Header {
    pub fn new(header: &Row) -> Header {
        let named: Vec<bool> = header.cells.iter().map(|c| !c.is_empty()).collect();
        let width = named.iter().rposition(|n| *n).map_or(0, |i| i + 1);
        Header {
            width,
            named: named[..width].to_vec(),
        }
    }

    pub fn check(&self, row: &Row, report: &mut Report) {
        for (i, cell) in row.cells.iter().enumerate() {
            let Cell::Text(text) = cell else { continue };
            if text.contains('\0') {
                report.error(
                    row.line,
                    Some(i),
                    None,
                    "the cell holds a NUL character (byte 0), which a text file does not; \
                     save the sheet again as CSV UTF-8",
                );
                continue;
            }
            if !cell.is_empty() && !self.named.get(i).copied().unwrap_or(false) {
                report.error(
                    row.line,
                    Some(i),
                    None,
                    format!(
                        "\"{}\" is under no header; name the column or remove the cell",
                        crate::text::shorten(text, 40)
                    ),
                );
                continue;
            }
            if report.kind == Kind::Csv
                && let Some(offset) = self.swallowed_row(row, i, text)
            {
                report.error(
                    row.line,
                    Some(i),
                    None,
                    format!(
                        "this cell runs on to line {} and holds what looks like a whole row \
                         of the file; a closing quote (\") is probably missing",
                        row.line + offset
                    ),
                );
            }
        }
        if row.cells.len() < self.width {
            report.warn(format!(
                "line {} has {} cells where the header has {}; the missing ones were read as empty",
                row.line,
                row.cells.len(),
                self.width
            ));
        }
    }

    /// Lines after the first of a multi-line cell that look like rows of
    /// the file are rows the cell swallowed after a quote was left open and
    /// closed again later. Evidence lists (one item per line) look like none
    /// of these: a line with a cell separator for every column; a line that
    /// starts with this row's first cell and a separator, as the next row of
    /// the same priority would; or a cell whose first line holds the rest of
    /// its own row while a later line holds the cells before it.
    fn swallowed_row(&self, row: &Row, column: usize, text: &str) -> Option<usize> {
        if self.width < 3 || !text.contains('\n') {
            return None;
        }
        let first_cell = row.cells.first().map(Cell::text).unwrap_or_default();
        let separators = |l: &str| l.matches(',').count();
        let holds_its_row = column > 0
            && self.width - column > 2
            && text
                .lines()
                .next()
                .is_some_and(|l| separators(l) >= self.width - column - 1);
        text.lines()
            .enumerate()
            .skip(1)
            .find(|(_, l)| {
                separators(l) >= self.width - 1
                    || (column > 0
                        && !first_cell.is_empty()
                        && l.trim_start().starts_with(&format!("{first_cell},")))
                    || (column >= 2 && holds_its_row && separators(l) >= column)
            })
            .map(|(i, _)| i)
    }
}
