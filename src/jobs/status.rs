//! When each job fires next and when it last ran, for `planbot jobs list` and `/jobs`.

use super::{JobError, JobName, PlanJobs, next_fire};
use crate::config::Settings;
use crate::store::Store;
use chrono::{DateTime, Utc};

/// When each job fires next, for `planbot jobs list` and `/jobs`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SchedulerStatus {
    pub plan: String,
    pub job: String,
    pub schedule: String,
    pub next_fire: Option<DateTime<Utc>>,
    /// The next fire time on the plan's wall clock.
    pub next_fire_local: Option<String>,
    pub last_fire: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub time_zone: crate::plan::Zone,
    /// Why the job cannot run, when a channel is missing.
    pub problem: Option<String>,
}

impl SchedulerStatus {
    pub async fn all(
        store: &Store,
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> Result<Vec<SchedulerStatus>, JobError> {
        let mut out = Vec::new();
        for pj in PlanJobs::load(store, settings).await? {
            for job in JobName::ALL {
                let next = next_fire(pj.schedule(job), pj.plan.time_zone, now);
                let problem = match job {
                    JobName::Escalate if pj.guild.plan_channel.is_none() => {
                        Some("set plan_channel in the config's [[guilds]] table".to_string())
                    }
                    JobName::Digest if pj.guild.board_channel.is_none() => {
                        Some("set board_channel in the config's [[guilds]] table".to_string())
                    }
                    _ => None,
                };
                out.push(SchedulerStatus {
                    plan: pj.plan.name.clone(),
                    job: job.as_str().to_string(),
                    schedule: pj.settings.schedule(job).as_str().to_string(),
                    next_fire: next,
                    next_fire_local: next.map(|t| {
                        t.with_timezone(&pj.plan.time_zone)
                            .format("%a %d %b %Y %H:%M %Z")
                            .to_string()
                    }),
                    last_fire: store.last_fire(&pj.plan, job).await?,
                    time_zone: pj.plan.time_zone,
                    problem,
                });
            }
        }
        Ok(out)
    }
}
