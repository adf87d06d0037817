//! The jobs' domain: which jobs there are, when they fire (cron schedules
//! and working time), and what they decide to say. The store reads and
//! writes these types; config parses schedules and working hours into them.
//! It depends on nothing of planbot but `plan`.

mod calendar;
mod decision;
mod notice;

pub use calendar::{
    Cron, Division, ENGLAND_AND_WALES_BANK_HOLIDAYS, HOLIDAYS_AHEAD_DAYS, Holiday, ScheduleError,
    WorkingHours, WorkingTime, fires_after, next_fire, parse_schedule,
};
pub use decision::{Decision, Outgoing, Recipient};
pub use notice::{ActionLine, Named, Notice};

use std::fmt;

/// The jobs planbot runs, one registry for the scheduler, the CLI and `/jobs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum JobName {
    /// Direct messages to leads about their overdue actions.
    Chase,
    /// Before each quarter ends: actions due in it that have had no update.
    QuarterEnd,
    /// Long-overdue actions raised in the plan channel.
    Escalate,
    /// The quarter's digest posted to the board channel.
    Digest,
    /// Measure owners whose value is due and not recorded; risk owners
    /// whose review date has passed.
    Register,
}

impl JobName {
    pub const ALL: [JobName; 5] = [
        JobName::Chase,
        JobName::QuarterEnd,
        JobName::Escalate,
        JobName::Digest,
        JobName::Register,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobName::Chase => "chase",
            JobName::QuarterEnd => "quarter-end",
            JobName::Escalate => "escalate",
            JobName::Digest => "digest",
            JobName::Register => "register",
        }
    }

    pub fn parse(text: &str) -> Option<JobName> {
        JobName::ALL
            .into_iter()
            .find(|j| j.as_str().eq_ignore_ascii_case(text.trim()))
    }

    pub fn describe(self) -> &'static str {
        match self {
            JobName::Chase => "overdue chaser: a direct message to each lead",
            JobName::QuarterEnd => "quarter-end reminder to leads with no update this quarter",
            JobName::Escalate => "escalation of long-overdue actions in the plan channel",
            JobName::Digest => "quarterly digest posted to the board channel",
            JobName::Register => "reminders to record measure values and review risks",
        }
    }
}

impl fmt::Display for JobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
