//! `planbot jobs` and `planbot outbox`: the scheduler's work, by hand.

use super::output::table;
use super::{JobsCommand, UsageError};
use crate::app::jobs::{JobOutcome, RunMode, run_job};
use crate::app::{Actor, AppError};
use crate::config::{GuildSettings, Settings};
use crate::jobs::{PlanJobs, SchedulerStatus};
use crate::plan::Zone;
use crate::store::Store;
use crate::text::count;
use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use std::io::Write;
use std::path::Path;

/// The config file's settings, or every plan in the database on defaults.
pub(super) async fn settings(store: &Store, config: Option<&Path>) -> Result<Settings> {
    if config.is_some() {
        return Ok(Settings::load_offline(config, |k| std::env::var(k).ok())?);
    }
    let plans = store.plans().await?;
    if plans.is_empty() {
        bail!(crate::store::StoreError::NoPlans);
    }
    let mut s = Settings::local(String::new(), store.path().to_path_buf(), "", Vec::new());
    s.guilds = vec![GuildSettings::new(
        0,
        plans.into_iter().map(|p| p.name).collect(),
    )];
    Ok(s)
}

/// A `--as-of` time: exact, or on a clock still to be chosen (each plan's own).
#[derive(Debug, Clone)]
pub enum When {
    At(DateTime<Utc>),
    OnTheClock(NaiveDateTime),
}

/// RFC 3339, or a wall-clock time in the plan's zone.
pub fn parse_when(text: &str) -> Result<When, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(When::At(t.with_timezone(&Utc)));
    }
    ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
        .map(When::OnTheClock)
        .ok_or_else(|| {
            format!(
                "cannot read \"{text}\" as a time: write 2019-05-20T08:00:00Z, or \"2019-05-20 09:00\" on the plan's clock"
            )
        })
}

impl When {
    fn in_zone(&self, tz: Zone) -> Result<DateTime<Utc>, UsageError> {
        match self {
            When::At(t) => Ok(*t),
            When::OnTheClock(local) => tz
                .from_local_datetime(local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| {
                    UsageError(format!(
                        "{} does not exist on the clocks in {tz} (the hour skipped when clocks go forward)",
                        local.format("%Y-%m-%d %H:%M")
                    ))
                }),
        }
    }
}

fn local(t: DateTime<Utc>, tz: Zone) -> String {
    t.with_timezone(&tz)
        .format("%a %d %b %Y %H:%M %Z")
        .to_string()
}

pub async fn jobs(
    store: &Store,
    plan_name: Option<&str>,
    config: Option<&Path>,
    command: JobsCommand,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let settings = settings(store, config).await?;
    let now = Utc::now();
    let plans: Vec<PlanJobs> = PlanJobs::load(store, &settings)
        .await?
        .into_iter()
        .filter(|pj| plan_name.is_none_or(|n| pj.plan.name.eq_ignore_ascii_case(n)))
        .collect();
    if plans.is_empty() {
        bail!("no configured plan matches; `planbot plans` lists the plans in the database");
    }
    match command {
        JobsCommand::List { json } => {
            let rows = SchedulerStatus::all(store, &settings, now).await?;
            let rows: Vec<_> = rows
                .into_iter()
                .filter(|r| plans.iter().any(|p| p.plan.name == r.plan))
                .collect();
            if json {
                for r in &rows {
                    writeln!(out, "{}", serde_json::to_string(r)?)?;
                }
            } else {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.plan.clone(),
                            r.job.clone(),
                            r.schedule.clone(),
                            r.next_fire_local.clone().unwrap_or_else(|| "never".into()),
                            r.last_fire
                                .map(|t| local(t, r.time_zone))
                                .unwrap_or_else(|| "never".into()),
                            r.problem.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                writeln!(
                    out,
                    "{}",
                    table(
                        &[
                            "Plan",
                            "Job",
                            "Schedule",
                            "Next run",
                            "Last scheduled run",
                            "Problem"
                        ],
                        &cells
                    )
                )?;
                match store.lease().await? {
                    Some((holder, until)) if until > now => {
                        writeln!(out, "Scheduler: held by {holder} until {until}")?
                    }
                    _ => writeln!(out, "Scheduler: no planbot is running the jobs")?,
                }
            }
        }
        JobsCommand::Run {
            job,
            as_of,
            dry_run,
        } => {
            // Every plan's time is checked before any job runs.
            let fires = plans
                .iter()
                .map(|pj| {
                    as_of
                        .as_ref()
                        .map_or(Ok(now), |t| t.in_zone(pj.plan.time_zone))
                })
                .collect::<Result<Vec<_>, _>>()?;
            // A time to come is refused for every plan before any runs.
            if !dry_run && let Some((pj, fire)) = plans.iter().zip(&fires).find(|(_, f)| **f > now)
            {
                let time_zone = pj.plan.time_zone;
                return Err(AppError::JobInFuture {
                    as_of: *fire,
                    time_zone,
                }
                .into());
            }
            for (pj, fire) in plans.iter().zip(fires) {
                let when = local(fire, pj.plan.time_zone);
                let mode = if dry_run {
                    RunMode::DryRun
                } else {
                    RunMode::Manual
                };
                // Whoever can run planbot on the database may run its jobs.
                let actor = Actor::trusted("command line");
                let r = match run_job(store, &actor, pj, job, fire, now, mode).await? {
                    JobOutcome::Ran(report) => report,
                    JobOutcome::WouldQueue(decision) => {
                        writeln!(
                            out,
                            "{job} for {} as of {when} would queue {}{}",
                            pj.plan.name,
                            count(decision.outgoing.len(), "message", "messages"),
                            if decision.outgoing.is_empty() {
                                ""
                            } else {
                                ":"
                            }
                        )?;
                        for o in &decision.outgoing {
                            writeln!(
                                out,
                                "  {} (not before {})",
                                o.key,
                                local(o.not_before, pj.plan.time_zone)
                            )?;
                        }
                        continue;
                    }
                };
                writeln!(
                    out,
                    "{job} for {} as of {when}: {} decided, {} new in the outbox{}",
                    r.plan,
                    count(r.decided, "message", "messages"),
                    r.queued,
                    if r.decided > r.queued {
                        " (the rest were queued before)"
                    } else {
                        ""
                    }
                )?;
            }
            if !dry_run {
                writeln!(
                    out,
                    "The running bot (`planbot run`) delivers the outbox; `planbot outbox` shows it."
                )?;
            }
        }
    }
    Ok(())
}

pub async fn outbox(
    store: &Store,
    all: bool,
    json: bool,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let states: &[&str] = if all { &[] } else { &["pending", "failed"] };
    let entries = store.outbox_entries(states, 500).await?;
    if json {
        for e in &entries {
            writeln!(out, "{}", serde_json::to_string(e)?)?;
        }
        return Ok(());
    }
    if entries.is_empty() {
        let what = if all {
            "nothing was ever queued"
        } else {
            "nothing waiting or failed"
        };
        writeln!(out, "The outbox is empty: {what}.")?;
    } else {
        let cells: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let when = match (e.state.as_str(), e.sent_at) {
                    ("sent", Some(at)) => format!("sent {}", at.format("%Y-%m-%d %H:%M")),
                    ("pending", _) => format!(
                        "next try {}",
                        e.next_try.max(e.not_before).format("%Y-%m-%d %H:%M")
                    ),
                    _ => String::new(),
                };
                vec![
                    e.id.to_string(),
                    e.job.clone(),
                    e.to.clone(),
                    e.state.clone(),
                    e.attempts.to_string(),
                    when,
                    e.delivered_as.clone().unwrap_or_default(),
                    e.last_error
                        .clone()
                        .map(|s| super::output::shorten(&s, 60))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        writeln!(
            out,
            "{}",
            table(
                &[
                    "Id",
                    "Job",
                    "To",
                    "State",
                    "Tries",
                    "When (UTC)",
                    "Delivered as",
                    "Last error"
                ],
                &cells
            )
        )?;
    }
    let unreachable = store.unreachable(DateTime::UNIX_EPOCH).await?;
    if !unreachable.is_empty() {
        writeln!(
            out,
            "Leads whose reminders went to the channel instead of a DM:"
        )?;
        for (name, why) in unreachable {
            writeln!(out, "  {name}: {why}")?;
        }
    }
    Ok(())
}
