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
                && let Some(offset) = self.swallowed_row(text)
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

    /// Lines after the first of a multi-line cell that have a cell
    /// separator for every column are rows the cell swallowed after a quote
    /// was left open. Evidence lists (one item per line) have far fewer.
    fn swallowed_row(&self, text: &str) -> Option<usize> {
        if self.width < 4 || !text.contains('\n') {
            return None;
        }
        text.lines()
            .enumerate()
            .skip(1)
            .find(|(_, l)| l.matches(',').count() >= self.width - 1)
            .map(|(i, _)| i)
    }
}
