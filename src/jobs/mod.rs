//! Scheduled work: the jobs, when they fire, and the outbox they fill.
//!
//! Every job works the same way: at a fire time it reads the plan, decides
//! what to say (pure functions in `decide`, with the time passed in), and
//! records the run, the messages and its bookkeeping in one transaction. A
//! sender then delivers the outbox. Deciding never sends, so a job can run
//! "as of" any time, and a crash loses or repeats nothing.

mod calendar;
mod decide;
mod deliver;
mod hooks;
mod notice;
mod run;
mod schedule;
mod scheduler;
mod sender;

pub use calendar::{
    ENGLAND_AND_WALES_BANK_HOLIDAYS, ScheduleError, WorkingTime, next_fire, parse_schedule,
};
pub use decide::{Decision, Outgoing, Recipient};
pub use deliver::{Courier, Delivered, DeliveryError, DeliveryReport, deliver_due};
pub use hooks::{Gate, TestHooks};
pub use notice::{ActionLine, Named, Notice};
pub use run::{JobError, PlanJobs, RunReport, decide_job, run_job};
pub use schedule::{Due, due_run, previous_fire};
pub use scheduler::{Handoff, Scheduler, SchedulerStatus, catch_up_and_run};
pub use sender::Sender;

use crate::config::JobSettings;
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
}

impl JobName {
    pub const ALL: [JobName; 4] = [
        JobName::Chase,
        JobName::QuarterEnd,
        JobName::Escalate,
        JobName::Digest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobName::Chase => "chase",
            JobName::QuarterEnd => "quarter-end",
            JobName::Escalate => "escalate",
            JobName::Digest => "digest",
        }
    }

    pub fn parse(text: &str) -> Option<JobName> {
        JobName::ALL
            .into_iter()
            .find(|j| j.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Its cron schedule in the settings.
    pub fn schedule(self, s: &JobSettings) -> &str {
        match self {
            JobName::Chase => &s.chase,
            JobName::QuarterEnd => &s.quarter_end,
            JobName::Escalate => &s.escalate,
            JobName::Digest => &s.digest,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            JobName::Chase => "overdue chaser: a direct message to each lead",
            JobName::QuarterEnd => "quarter-end reminder to leads with no update this quarter",
            JobName::Escalate => "escalation of long-overdue actions in the plan channel",
            JobName::Digest => "quarterly digest posted to the board channel",
        }
    }
}

impl fmt::Display for JobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
