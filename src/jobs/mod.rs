//! Scheduled work: the jobs, when they fire, and the outbox they fill.
//!
//! Every job works the same way: at a fire time it reads the plan, decides
//! what to say (pure functions in `decide`, with the time passed in), and
//! records the run, the messages and its bookkeeping in one transaction. A
//! sender then delivers the outbox. Deciding never sends, so a job can run
//! "as of" any time, and a crash loses or repeats nothing.

mod decide;
mod deliver;
mod due;
mod register;
mod run;
mod sender;
mod status;

// The types the jobs share with the store and config live in the domain.
pub use crate::config::{Gate, TestHooks};
pub use crate::schedule::{
    ActionLine, Decision, ENGLAND_AND_WALES_BANK_HOLIDAYS, JobName, Named, Notice, Outgoing,
    Recipient, ScheduleError, WorkingTime, next_fire, parse_schedule,
};
pub use deliver::{Courier, Delivered, DeliveryError, DeliveryReport, deliver_due};
pub use due::{Due, due_run, previous_fire};
pub use run::{JobError, PlanJobs, RunReport, decide_job, run_job};
pub use sender::{Handoff, Sender};
pub use status::SchedulerStatus;
