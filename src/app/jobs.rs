//! Running a job now: the one function the scheduler, `planbot jobs run`
//! (and so any later /jobs button) call. The run is recorded with its
//! messages in one transaction, so running it again queues nothing twice.

use super::{Actor, AppError};
use crate::jobs::{self, Decision, JobName, PlanJobs, RunReport};
use crate::store::{RunKind, Store};
use chrono::{DateTime, Utc};

/// How a run is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// The scheduler's run at a fire time; late runs wait for working time.
    Scheduled,
    /// Asked for by hand; keeps the moment it runs as of.
    Manual,
    /// Says what a manual run would queue, and records nothing.
    DryRun,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobOutcome {
    Ran(RunReport),
    WouldQueue(Decision),
}

/// Runs `job` for a plan as of `as_of`, recorded at `now`. Only plan admins
/// (and planbot itself) may run jobs; by hand, not as of a time to come
/// (a dry run may).
pub async fn run_job(
    store: &Store,
    actor: &Actor,
    pj: &PlanJobs,
    job: JobName,
    as_of: DateTime<Utc>,
    now: DateTime<Utc>,
    mode: RunMode,
) -> Result<JobOutcome, AppError> {
    if !actor.is_admin {
        return Err(AppError::NotAdmin);
    }
    let kind = match mode {
        RunMode::DryRun => {
            let decision = jobs::decide_job(store, pj, job, as_of).await?;
            return Ok(JobOutcome::WouldQueue(decision));
        }
        RunMode::Scheduled => RunKind::Scheduled,
        RunMode::Manual if as_of > now => {
            let time_zone = pj.plan.time_zone;
            return Err(AppError::JobInFuture { as_of, time_zone });
        }
        RunMode::Manual => RunKind::Manual,
    };
    let report = jobs::run_job(store, pj, job, as_of, now, kind).await?;
    Ok(JobOutcome::Ran(report))
}
