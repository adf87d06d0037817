//! What an import did, or would do: what the file gave, what of it was new
//! to the record, and the corrections it made, for each adapter to phrase.

use crate::plan::YearStart;
use crate::plan::measure::Period;
use crate::store::{ImportOutcome, PlanSettings, RegisterWritten};
use chrono::{DateTime, Utc};

/// What an import did (or would do), with the file's warnings.
#[derive(Debug, Clone)]
pub struct Imported {
    pub plan: String,
    pub warnings: Vec<String>,
    pub more_warnings: usize,
    pub what: ImportedKind,
    pub register: RegisterRead,
    /// What the register's values, ratings and owners added to the record.
    pub recorded: RegisterRecorded,
    /// When the statuses, values and ratings are recorded as reported.
    pub at: DateTime<Utc>,
    /// The settings a plan the import creates gets (or would get); `None`
    /// for a plan that already existed.
    pub new_plan: Option<PlanSettings>,
}

/// How many of each the register's sheets gave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegisterRead {
    pub outcomes: usize,
    pub measures: usize,
    pub values: usize,
    pub risks: usize,
    pub ratings: usize,
}

impl RegisterRead {
    pub fn is_empty(&self) -> bool {
        *self == RegisterRead::default()
    }

    /// "3 outcomes, 8 measures, 96 measure values, 3 risks (3 rated)".
    pub fn describe(&self) -> String {
        use crate::text::count;
        let mut parts = Vec::new();
        for (n, one, many) in [
            (self.outcomes, "outcome", "outcomes"),
            (self.measures, "measure", "measures"),
            (self.values, "measure value", "measure values"),
        ] {
            if n > 0 {
                parts.push(count(n, one, many));
            }
        }
        if self.risks > 0 {
            let risks = count(self.risks, "risk", "risks");
            parts.push(format!("{risks} ({} rated)", self.ratings));
        }
        parts.join(", ")
    }
}

/// Of the values and ratings a file gives, those new to the record; the
/// rest were recorded already and are not written again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RegisterRecorded {
    pub new_values: usize,
    pub corrections: Vec<ValueCorrection>,
    pub unchanged_values: usize,
    pub new_ratings: usize,
    pub unchanged_ratings: usize,
    /// Measure and risk owners added as people.
    pub new_people: Vec<String>,
}

impl RegisterRecorded {
    pub fn adds_any(&self) -> bool {
        self.new_values > 0 || !self.corrections.is_empty() || self.new_ratings > 0
    }

    /// "measure values: 1 new value and 1 correction recorded; 11 recorded
    /// already", and each correction and new person: a file given again
    /// adds nothing, and a value replacing another is named.
    pub fn describe(&self, read: &RegisterRead, dry_run: bool) -> Vec<String> {
        use crate::text::{capped_list, count};
        let (recorded, corrected, add) = if dry_run {
            ("would be recorded", "would correct", "would add")
        } else {
            ("recorded", "corrected", "added")
        };
        let mut lines = Vec::new();
        let mut added = |what: &str, parts: Vec<String>, already: usize| {
            let parts = parts.join(" and ");
            lines.push(match (parts.is_empty(), already) {
                (true, _) => format!("{what}: nothing new, every one is recorded already"),
                (false, 0) => format!("{what}: {parts} {recorded}"),
                (false, n) => format!("{what}: {parts} {recorded}; {n} recorded already"),
            });
        };
        if read.values > 0 {
            let mut parts = Vec::new();
            if self.new_values > 0 {
                parts.push(count(self.new_values, "new value", "new values"));
            }
            if !self.corrections.is_empty() {
                let n = self.corrections.len();
                parts.push(count(n, "correction", "corrections"));
            }
            added("measure values", parts, self.unchanged_values);
        }
        if read.ratings > 0 {
            let parts = match self.new_ratings {
                0 => Vec::new(),
                n => vec![count(n, "new rating", "new ratings")],
            };
            added("risk ratings", parts, self.unchanged_ratings);
        }
        if !self.corrections.is_empty() {
            let changes: Vec<String> = self
                .corrections
                .iter()
                .map(|c| {
                    let (m, p, new) = (&c.measure, &c.period, &c.new);
                    match c.changed {
                        Changed::Value => format!("{m} {p}: {} -> {new}", c.old),
                        Changed::Note => format!("{m} {p}: {new}, with a new note"),
                        Changed::NoteTakenAway => format!("{m} {p}: {new}, its note taken away"),
                    }
                })
                .collect();
            lines.push(format!("{corrected}: {}", capped_list(&changes, 20)));
        }
        if !self.new_people.is_empty() {
            let names = capped_list(&self.new_people, 50);
            lines.push(format!("new people, as owners ({add}): {names}"));
        }
        lines
    }
}

/// A value recorded over a different one, as the plan shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCorrection {
    pub measure: String,
    /// "Apr 2018", "Q1 18/19".
    pub period: String,
    pub old: String,
    pub new: String,
    pub changed: Changed,
}

/// What a correction changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Value,
    /// The value stands with a different note.
    Note,
    /// The value stands without the note it had.
    NoteTakenAway,
}

#[derive(Debug, Clone)]
pub enum ImportedKind {
    Plan {
        read: usize,
        outcome: Box<ImportOutcome>,
    },
    Recommendations {
        read: usize,
        total: usize,
    },
    /// Only outcomes, measures, values or risks.
    Register,
}

/// The register's additions as the plan shows them: each correction in its
/// measure's unit and period.
pub(super) fn recorded(
    read: &RegisterRead,
    written: RegisterWritten,
    year: YearStart,
) -> RegisterRecorded {
    let corrections = written
        .corrections
        .iter()
        .map(|c| ValueCorrection {
            measure: c.measure.clone(),
            period: Period::containing(c.period, c.frequency, year).label(year),
            old: c.unit.show(c.old),
            new: c.unit.show(c.new),
            changed: match (c.old == c.new, &c.note) {
                (false, _) => Changed::Value,
                (true, Some(_)) => Changed::Note,
                (true, None) => Changed::NoteTakenAway,
            },
        })
        .collect();
    let written_values = written.new_values + written.corrections.len();
    RegisterRecorded {
        new_values: written.new_values,
        corrections,
        unchanged_values: read.values.saturating_sub(written_values),
        new_ratings: written.new_ratings,
        unchanged_ratings: read.ratings.saturating_sub(written.new_ratings),
        new_people: written.new_people,
    }
}
