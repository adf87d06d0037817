//! The problems of a whole file, gathered in two passes: those of its rows
//! as read, then those found against the plan (a value's measure, an
//! outcome's actions). A council fixing its file then sees them together,
//! not a second list after fixing the first.

use super::report::SHOWN;
use super::sheets::SheetKind;
use super::{ImportError, RowError};

#[derive(Debug, Default)]
#[must_use = "a file's problems must refuse the import"]
pub struct Problems {
    /// Each problem with its sheet's place in the file, for the file order.
    found: Vec<(usize, RowError)>,
    /// Problems counted but not kept.
    more: usize,
    /// Where each kind of sheet is in the file.
    sheets: Vec<(SheetKind, usize)>,
    /// Sheets some of whose rows (or all) were left out as unreadable.
    troubled: Vec<SheetKind>,
    /// A sheet of no known kind was left out.
    all_troubled: bool,
}

impl Problems {
    /// A sheet of this kind was read at this place in the file.
    pub(super) fn sheet(&mut self, kind: SheetKind, position: usize) {
        self.sheets.push((kind, position));
    }

    /// The problems of one sheet's rows; `kind` is none when the sheet could
    /// not be told apart.
    pub(super) fn in_sheet(
        &mut self,
        position: usize,
        kind: Option<SheetKind>,
        shown: Vec<RowError>,
        more: usize,
    ) {
        match kind {
            Some(k) => self.troubled.push(k),
            None => self.all_troubled = true,
        }
        self.found.extend(shown.into_iter().map(|e| (position, e)));
        self.more += more;
    }

    /// Whether rows of this kind of sheet were left out: what refers to them
    /// cannot be checked, and is not reported missing.
    pub fn troubled(&self, kind: SheetKind) -> bool {
        self.all_troubled || self.troubled.contains(&kind)
    }

    /// A problem found against the plan in the sheet of this kind.
    pub fn push(&mut self, kind: SheetKind, error: RowError) {
        let position = self
            .sheets
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(0, |(_, p)| *p);
        self.found.push((position, error));
    }

    fn is_empty(&self) -> bool {
        self.found.is_empty() && self.more == 0
    }

    /// Refuses the import with the first `SHOWN` problems in file order,
    /// if there are any.
    pub fn into_result(self) -> Result<(), ImportError> {
        if self.is_empty() {
            return Ok(());
        }
        let mut found = self.found;
        found.sort_by_key(|(position, e)| (*position, e.line));
        let mut more = self.more;
        if found.len() > SHOWN {
            more += found.len() - SHOWN;
            found.truncate(SHOWN);
        }
        Err(ImportError::Rows {
            shown: found.into_iter().map(|(_, e)| e).collect(),
            more,
        })
    }
}
