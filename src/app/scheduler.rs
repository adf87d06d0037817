//! The scheduler: holds the lease, runs what each job owes at its fire
//! time, and says what it skipped while it was away. The sender
//! (`jobs::Sender`) delivers what it queues.

use super::Actor;
use super::jobs::{JobOutcome, RunMode, run_job};
use crate::app::AppError;
use crate::clock::Clock;
use crate::config::Settings;
use crate::jobs::{
    Handoff, JobError, JobName, Notice, Outgoing, PlanJobs, Recipient, due_run, next_fire,
};
use crate::store::{RunKind, RunRecord, Store};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Holds the lease and runs what each job owes; the sender delivers.
pub struct Scheduler {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    /// Who this process is, in the lease.
    pub holder: String,
}

impl Scheduler {
    /// Runs until `stop` turns true. Renews the lease every third of it
    /// and runs the jobs at their fire times; in between it sleeps, and
    /// writes nothing but the lease.
    pub async fn run(&self, handoff: &Handoff, mut stop: watch::Receiver<bool>) {
        let lease = f64::from(self.settings.jobs.lease_seconds);
        let ttl = Duration::from_secs_f64(lease);
        let renew_every = Duration::from_secs_f64(lease / 3.0);
        let nap = Duration::from_secs_f64(self.settings.jobs.poll_seconds);
        let mut held = None;
        loop {
            let now = self.clock.now();
            let mut next_fire = None;
            let renewed = Instant::now();
            let ttl_chrono = chrono::Duration::from_std(ttl).unwrap_or_default();
            match self.store.hold_lease(&self.holder, now, ttl_chrono).await {
                Ok(Ok(())) => {
                    if held != Some(true) {
                        tracing::info!(holder = %self.holder, "holding the scheduler lease: running jobs and sending reminders");
                    }
                    held = Some(true);
                    match self.tick(now).await {
                        Ok(next) => next_fire = next,
                        Err(e) => tracing::error!("a scheduled job failed: {e}"),
                    }
                    // Told only now, so that reminders the catch-up at
                    // start expires are never sent.
                    handoff.lease.send_replace(Some(renewed + ttl));
                    handoff.queued.notify_one();
                }
                Ok(Err((other, until))) => {
                    if held != Some(false) {
                        tracing::warn!(
                            other = %other, until = %until,
                            "another planbot holds the scheduler lease; this one leaves the jobs and the outbox alone"
                        );
                    }
                    held = Some(false);
                    handoff.lease.send_replace(None);
                }
                // The lease held before stays good until it lapses.
                Err(e) => tracing::error!("cannot take the scheduler lease: {e}"),
            }
            let fire = async {
                match next_fire {
                    Some(at) => self.clock.sleep_until(at, nap).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = tokio::time::sleep_until(renewed + renew_every) => {}
                _ = fire => {}
                _ = crate::runtime::stopped(&mut stop) => break,
            }
        }
        handoff.lease.send_replace(None);
        if held == Some(true)
            && let Err(e) = self.store.release_lease(&self.holder).await
        {
            tracing::warn!("could not give up the scheduler lease: {e}");
        }
    }

    /// Runs every job each plan owes at `now`, once, and says when the
    /// next one fires. One plan's failure does not hold up the others; it
    /// is tried again at the next renewal of the lease.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
        let mut next: Option<DateTime<Utc>> = None;
        for pj in PlanJobs::load(&self.store, &self.settings).await? {
            if let Err(e) = catch_up_and_run(&self.store, &pj, now).await {
                tracing::error!(plan = %pj.plan.name, "the plan's jobs failed: {e}");
            }
            for job in JobName::ALL {
                let fire = next_fire(pj.schedule(job), pj.plan.time_zone, now);
                next = match (next, fire) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        Ok(next)
    }
}

/// For one plan: expires stale reminders and records runs too old to make
/// (telling the admins once), then runs the latest owed fire of each job.
pub async fn catch_up_and_run(
    store: &Store,
    pj: &PlanJobs,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let catch_up = pj.catch_up();
    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    let mut missed = Vec::new();
    let mut since: Option<DateTime<Utc>> = None;
    for job in JobName::ALL {
        let last = store.last_fire(&pj.plan, job).await?;
        let due = due_run(pj.schedule(job), pj.plan.time_zone, last, now, catch_up);
        runs.extend(due.run.map(|f| (job, f)));
        skipped.extend(due.skip.map(|f| (job, f)));
        if let (Some(first), Some(last_missed)) = (due.missed.first(), due.missed.last()) {
            let local = |t: &DateTime<Utc>| {
                t.with_timezone(&pj.plan.time_zone)
                    .format("%d %b %H:%M")
                    .to_string()
            };
            missed.push(format!(
                "{job}: {} run(s), {} to {}",
                due.missed.len(),
                local(first),
                local(last_missed)
            ));
            since = since.min(last).or(last);
        }
    }
    // Idle, there is nothing to record: write nothing.
    if runs.is_empty() && skipped.is_empty() && missed.is_empty() {
        return Ok(());
    }
    let plan_channel = pj.guild.plan_channel;
    let expired = store
        .catch_up(&pj.plan, now - catch_up, now, &skipped, |expired| {
            if expired.is_empty() && missed.is_empty() {
                return None;
            }
            let Some(channel) = plan_channel else {
                tracing::warn!(plan = %pj.plan.name, ?missed, expired = expired.len(), "skipped stale work, and there is no plan_channel to tell the admins in");
                return None;
            };
            Some(Outgoing {
                // Stable across a crash before the runs below are recorded.
                key: format!(
                    "missed/{}/{}",
                    pj.plan.id,
                    since.map_or(now, |s| s).timestamp_millis()
                ),
                to: Recipient::Channel(channel),
                notice: Notice::Missed {
                    plan: pj.plan.name.clone(),
                    since: since.unwrap_or(now - catch_up),
                    until: now,
                    skipped_runs: missed.clone(),
                    expired,
                },
                not_before: pj.working().next_working(now),
            })
        })
        .await?;
    if expired > 0 {
        tracing::warn!(plan = %pj.plan.name, expired, "reminders older than the catch-up window were not sent");
    }
    for (job, fire) in runs {
        match run_job(
            store,
            &Actor::system(),
            pj,
            job,
            fire,
            now,
            RunMode::Scheduled,
        )
        .await
        {
            Ok(JobOutcome::Ran(report)) => tracing::info!(
                plan = %report.plan, job = %report.job, fire = %report.fire,
                decided = report.decided, queued = report.queued, "job ran"
            ),
            Ok(JobOutcome::WouldQueue(_)) => {}
            Err(AppError::Job(e @ JobError::NotConfigured { .. })) => {
                tracing::warn!("{e}");
                store
                    .record_run(
                        &pj.plan,
                        &RunRecord {
                            job,
                            fire,
                            ran_at: now,
                            kind: RunKind::Skipped,
                            detail: Some(&e.to_string()),
                        },
                        &Default::default(),
                        None,
                    )
                    .await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
