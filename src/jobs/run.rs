//! Running one job for one plan at one fire time: read, decide, record.

use super::{Decision, JobName, WorkingTime, decide};
use crate::config::{GuildSettings, JobSettings, Settings};
use crate::plan::Plan;
use crate::store::{RunKind, RunRecord, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use cron::Schedule;
use std::collections::BTreeSet;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("{job} for plan \"{plan}\" needs {key} set in the config's [[guilds]] table")]
    NotConfigured {
        job: JobName,
        plan: String,
        key: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A plan with the server and the settings its jobs run under.
#[derive(Debug, Clone)]
pub struct PlanJobs {
    pub plan: Plan,
    pub guild: GuildSettings,
    pub settings: JobSettings,
    /// Bank holidays and other days off in the plan's division.
    pub days_off: BTreeSet<NaiveDate>,
}

impl PlanJobs {
    /// Every plan the config names that has been imported, in config order.
    pub async fn load(store: &Store, settings: &Settings) -> Result<Vec<PlanJobs>, JobError> {
        let plans = store.plans().await?;
        let mut out = Vec::new();
        for guild in &settings.guilds {
            for name in &guild.plans {
                if let Some(plan) = plans.iter().find(|p| p.name.eq_ignore_ascii_case(name))
                    && !out.iter().any(|o: &PlanJobs| o.plan.id == plan.id)
                {
                    let division = store.holiday_division(plan).await?;
                    let imported = store.holidays(division).await?;
                    out.push(PlanJobs {
                        plan: plan.clone(),
                        guild: guild.clone(),
                        settings: settings.jobs.clone(),
                        days_off: settings.jobs.days_off(division, imported),
                    });
                }
            }
        }
        Ok(out)
    }

    pub fn working(&self) -> WorkingTime {
        self.settings
            .working_time(self.plan.time_zone, self.days_off.clone())
    }

    pub fn schedule(&self, job: JobName) -> &Schedule {
        self.settings.schedule(job).schedule()
    }

    pub fn catch_up(&self) -> Duration {
        Duration::days(i64::from(self.settings.catch_up_days))
    }

    fn channel(
        &self,
        job: JobName,
        channel: Option<u64>,
        key: &'static str,
    ) -> Result<u64, JobError> {
        channel.ok_or_else(|| JobError::NotConfigured {
            job,
            plan: self.plan.name.clone(),
            key,
        })
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    pub job: String,
    pub plan: String,
    pub fire: DateTime<Utc>,
    /// Messages the run decided on.
    pub decided: usize,
    /// Of those, how many were new to the outbox (the rest were queued before).
    pub queued: usize,
    /// A scheduled run for this fire time was already recorded.
    pub already_ran: bool,
}

/// Runs `job` for a plan as of `fire`, recording it as `kind` at `now`.
pub async fn run_job(
    store: &Store,
    pj: &PlanJobs,
    job: JobName,
    fire: DateTime<Utc>,
    now: DateTime<Utc>,
    kind: RunKind,
) -> Result<RunReport, JobError> {
    let mut decision = decide_job(store, pj, job, fire).await?;
    // A scheduled run made late (caught up at start) waits for working time
    // from now. A manual run keeps the moment it was asked to run as of:
    // `jobs run --as-of` shows and queues what would have gone then.
    if kind == RunKind::Scheduled {
        decision = decision.held_until_working(now, &pj.working());
    }
    let queued = store
        .record_run(
            &pj.plan,
            &RunRecord {
                job,
                fire,
                ran_at: now,
                kind,
                detail: None,
            },
            &decision,
            pj.guild.reminder_channel(),
        )
        .await?;
    Ok(RunReport {
        job: job.as_str().to_string(),
        plan: pj.plan.name.clone(),
        fire,
        decided: decision.outgoing.len(),
        queued: queued.unwrap_or(0),
        already_ran: queued.is_none(),
    })
}

/// What `job` would send for a plan as of `fire`, without recording anything.
pub async fn decide_job(
    store: &Store,
    pj: &PlanJobs,
    job: JobName,
    fire: DateTime<Utc>,
) -> Result<Decision, JobError> {
    let plan = &pj.plan;
    let s = &pj.settings;
    let work = pj.working();
    let today = plan.today(fire);
    let decision = match job {
        JobName::Chase => {
            let rows = store.lead_actions(plan, None, today).await?;
            // A large plan takes a second to decide: off the runtime's
            // worker threads, which answer interactions within 3 s.
            let (plan, hooks) = (plan.clone(), s.test_hooks.clone());
            let interval = i64::from(s.chase_interval_days);
            off_runtime(move || {
                hooks.in_decision();
                decide::chase(&plan, rows, fire, interval, &work)
            })
            .await
        }
        JobName::QuarterEnd => {
            let q = plan.year_start.quarter_of(today);
            let (first, last) = (plan.year_start.first_day(q), plan.year_start.last_day(q));
            let rows = store
                .lead_actions(plan, Some(first), last + Duration::days(1))
                .await?;
            decide::quarter_end(plan, rows, fire, &s.quarter_end_days, &work)
        }
        JobName::Escalate => {
            let channel = pj.channel(job, pj.guild.plan_channel, "plan_channel")?;
            let before = today - Duration::days(i64::from(s.escalate_after_days));
            let candidates = store.escalation_candidates(plan, before).await?;
            let priorities = store.priorities(plan).await?;
            let ids = store.discord_ids().await?;
            let input = decide::EscalationInput {
                candidates: &candidates,
                priorities: &priorities,
                discord_ids: &ids,
                after_days: s.escalate_after_days,
                channel,
            };
            decide::escalate(plan, &input, fire, &work)
        }
        JobName::Digest => {
            let channel = pj.channel(job, pj.guild.board_channel, "board_channel")?;
            decide::digest(plan, fire, channel, pj.catch_up(), &work)
        }
        JobName::Register => {
            let values = store.values_as_of(plan, fire).await?;
            let input = super::register::RegisterInput {
                measures: &store.measures(plan).await?,
                values: &values,
                risks: &store.risks(plan, fire).await?,
                people: &store.person_ids().await?,
                grace_days: s.measure_grace_days,
            };
            super::register::register(plan, &input, fire, &work)
        }
    };
    Ok(decision)
}

/// Runs CPU-bound work on tokio's blocking pool; a panic in it carries on
/// into the caller's task, as if it had run there.
async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only a runtime shutting down cancels blocking work.
        Err(e) => panic!("the blocking work was cancelled: {e}"),
    }
}
