//! The domain core: plans, actions, quarters, statuses and the rules boards
//! apply to them. Nothing here knows about SQL or Discord.

pub mod access;
pub mod measure;
pub mod outcome;
mod quarter;
pub mod risk;
mod rules;
pub mod standing;
mod status;
pub mod summary;
mod zone;

pub use quarter::{Quarter, QuarterError, YearStart, parse_date};
pub use rules::{AsOf, local_today, overdue_days, status_at};
pub use status::{Status, UnknownStatus};
pub use zone::{UnknownZone, Zone, ZoneOffset};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Notes longer than this do not fit a board paper line or a Discord field.
pub const MAX_NOTE_CHARS: usize = 1000;

pub const DEFAULT_STALE_DAYS: u32 = 30;

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: i64,
    pub name: String,
    pub time_zone: Zone,
    pub year_start: YearStart,
    pub stale_days: u32,
}

impl Plan {
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        local_today(now, self.time_zone)
    }

    /// "Q3 18/19" for a due date that ends a quarter, otherwise the date itself.
    pub fn due_label(&self, due: NaiveDate) -> String {
        let q = self.year_start.quarter_of(due);
        if self.year_start.last_day(q) == due {
            self.year_start.label(q)
        } else {
            due.format("%Y-%m-%d").to_string()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Priority {
    pub number: u32,
    pub title: String,
    pub strategic_leads: Vec<String>,
}

/// One line of a plan's action table, as it stands now (or at an `as of` moment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    pub reference: String,
    pub priority: u32,
    pub priority_title: String,
    pub group: Option<String>,
    pub text: String,
    pub leads: Vec<String>,
    pub due: Option<NaiveDate>,
    pub status: Status,
    pub recommendations: Vec<String>,
    pub evidence: Vec<String>,
    pub last_update: Option<DateTime<Utc>>,
}

impl Action {
    pub fn overdue_days(&self, today: NaiveDate) -> Option<i64> {
        overdue_days(self.due, self.status, today)
    }

    /// No update (of any kind) for `stale_days`.
    pub fn is_stale(&self, now: DateTime<Utc>, stale_days: u32) -> bool {
        self.status.is_open()
            && self
                .last_update
                .is_none_or(|at| now - at > chrono::Duration::days(i64::from(stale_days)))
    }
}

/// An open action past its due date, as the overdue list shows it: no more
/// than the list needs, so that a long list is read from an index alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueAction {
    pub reference: String,
    pub priority: u32,
    pub text: String,
    pub leads: Vec<String>,
    pub due: NaiveDate,
    pub status: Status,
    /// On the day the list was read for.
    pub days_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub name: String,
    pub discord_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    pub code: String,
    pub text: Option<String>,
    /// Who made it: Ofsted, LSCB, KSCB ... `None` when the sheet has no
    /// Body column (a new one is then Ofsted's, a recorded one keeps its body).
    pub body: Option<String>,
}

/// One entry of an action's append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub at: DateTime<Utc>,
    pub by: String,
    pub from: Option<Status>,
    pub to: Status,
    pub note: Option<String>,
    pub evidence: Option<String>,
}

/// A status update somebody asks for, before it is checked and recorded.
#[derive(Debug, Clone)]
pub struct StatusRequest {
    pub to: Status,
    pub note: Option<String>,
    pub evidence: Option<String>,
    pub by: String,
    pub by_discord_id: Option<u64>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error(
        "the note has {0} characters; keep it to {MAX_NOTE_CHARS} and put the detail in evidence"
    )]
    NoteTooLong(usize),
    #[error("say who is making the update")]
    NoAuthor,
}

impl StatusRequest {
    /// Checks what does not need the database; empty notes and evidence become none.
    pub fn validated(mut self) -> Result<Self, RequestError> {
        let blank_to_none =
            |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        self.note = blank_to_none(self.note);
        self.evidence = blank_to_none(self.evidence);
        self.by = self.by.trim().to_string();
        if self.by.is_empty() {
            return Err(RequestError::NoAuthor);
        }
        if let Some(n) = &self.note {
            let chars = n.chars().count();
            if chars > MAX_NOTE_CHARS {
                return Err(RequestError::NoteTooLong(chars));
            }
        }
        Ok(self)
    }
}

/// A whole plan as a spreadsheet states it, ready to be stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanContent {
    pub priorities: Vec<Priority>,
    pub actions: Vec<Action>,
    pub recommendations: Vec<Recommendation>,
    pub columns: FileColumns,
    /// Rows (positions in `actions`) whose Ref cell was missing or empty:
    /// their refs come from the row order, so an import settles them
    /// against the recorded plan by priority and text instead.
    pub generated_refs: Vec<usize>,
    /// Rows whose Status column is there but empty.
    pub empty_status: Vec<usize>,
}

/// Which of the optional columns the file had. A sheet without a column says
/// nothing about it, so re-importing it keeps what is recorded; a column that
/// is there but empty clears it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileColumns {
    pub group: bool,
    pub leads: bool,
    pub strategic_leads: bool,
    pub due: bool,
    pub status: bool,
    pub recommendations: bool,
    pub evidence: bool,
}

impl FileColumns {
    pub const ALL: FileColumns = FileColumns {
        group: true,
        leads: true,
        strategic_leads: true,
        due: true,
        status: true,
        recommendations: true,
        evidence: true,
    };
}
