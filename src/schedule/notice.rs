//! What a job decides to say, before anyone renders it for Discord. The
//! outbox keeps notices as JSON, so a message queued before a restart is
//! rendered the same after it.

use crate::plan::Status;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One action as a reminder lists it. Stored as a JSON array, not an
/// object: a chase over a large plan queues 100,000 of them, and the field
/// names would be a third of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "LineTuple")]
pub struct ActionLine {
    pub reference: String,
    pub text: String,
    pub due: Option<NaiveDate>,
    pub status: Status,
    /// Days past due on the day the job ran.
    pub days_overdue: Option<i64>,
}

type LineTuple = (String, String, Option<NaiveDate>, Status, Option<i64>);

/// The same array as `LineTuple`, written from the line in place: serde's
/// `into` would clone each line's text first.
impl Serialize for ActionLine {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            &self.reference,
            &self.text,
            &self.due,
            &self.status,
            &self.days_overdue,
        )
            .serialize(s)
    }
}

impl From<LineTuple> for ActionLine {
    fn from((reference, text, due, status, days_overdue): LineTuple) -> ActionLine {
        ActionLine {
            reference,
            text,
            due,
            status,
            days_overdue,
        }
    }
}

/// Somebody a notice names, with their Discord account when linked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub name: String,
    pub discord_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// A lead's overdue actions, with buttons to act on each.
    Chase {
        plan: String,
        lead: String,
        actions: Vec<ActionLine>,
    },
    /// Before the quarter ends: actions due in it with no update this quarter.
    QuarterEnd {
        plan: String,
        lead: String,
        quarter: String,
        ends: NaiveDate,
        days_left: i64,
        actions: Vec<ActionLine>,
    },
    /// Actions long overdue, raised to a priority's strategic leads and the admins.
    Escalation {
        plan: String,
        priority: u32,
        priority_title: String,
        strategic_leads: Vec<Named>,
        after_days: u32,
        actions: Vec<ActionLine>,
    },
    /// The board's digest of a quarter just ended, with its files.
    Digest {
        plan: String,
        quarter: String,
        as_of: DateTime<Utc>,
    },
    /// A measure's value for a period is due (its grace has passed) and
    /// not recorded: to one owner.
    ValueDue {
        plan: String,
        owner: String,
        measure: String,
        name: String,
        /// "May 2019" or "Q1 19/20".
        period: String,
        /// The period's first day, for the *Record value* button.
        #[serde(default)]
        period_start: Option<NaiveDate>,
        /// The last day of its grace: the value was due by then.
        due: NaiveDate,
    },
    /// A risk's review date has passed with no review since: to one owner.
    ReviewDue {
        plan: String,
        owner: String,
        risk: String,
        title: String,
        review_date: NaiveDate,
        /// "16 (Extreme)", as last rated, if ever.
        rating: Option<String>,
    },
    /// planbot was down for longer than the catch-up window: what it skipped.
    Missed {
        plan: String,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        skipped_runs: Vec<String>,
        expired: Vec<String>,
    },
}

impl Notice {
    /// Whether the admins are to be mentioned.
    pub fn for_admins(&self) -> bool {
        matches!(self, Notice::Escalation { .. } | Notice::Missed { .. })
    }

    /// Reminders go stale; a digest or a notice to the admins does not.
    pub fn goes_stale(&self) -> bool {
        matches!(
            self,
            Notice::Chase { .. }
                | Notice::QuarterEnd { .. }
                | Notice::Escalation { .. }
                | Notice::ValueDue { .. }
                | Notice::ReviewDue { .. }
        )
    }
}
