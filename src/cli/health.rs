//! `planbot health`: one line per problem, for a monitoring system.

use crate::app::health::{self, Problem, Thresholds};
use crate::store::Store;
use crate::text::count;
use anyhow::Result;
use chrono::{DateTime, Utc};
use std::io::Write;

/// Problems found: the command fails with them, one per line.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\nerror: "))]
pub struct Unhealthy(pub Vec<String>);

pub(super) async fn report(
    store: &Store,
    limits: Thresholds,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let now = Utc::now();
    let found = health::check(store, now, limits).await?;
    if !found.problems.is_empty() {
        let lines = found.problems.iter().map(|p| word(p, now)).collect();
        return Err(Unhealthy(lines).into());
    }
    let (holder, until) = found.scheduler.unwrap_or_default();
    writeln!(
        out,
        "ok: the scheduler lease is held by {holder} until {}; {} due and waiting, none for long; no failures in {}",
        until.format("%H:%M:%S UTC"),
        count(found.outbox.overdue, "message", "messages"),
        days(limits.failed_within.num_days())
    )?;
    Ok(())
}

fn word(problem: &Problem, now: DateTime<Utc>) -> String {
    match problem {
        Problem::NoScheduler { since: Some(since) } => format!(
            "no planbot is running the jobs: the scheduler's lease ran out {} ago ({}): \
             check that `planbot run` is running and see its log",
            ago(now, *since),
            since.format("%Y-%m-%d %H:%M UTC")
        ),
        Problem::NoScheduler { since: None } => "no planbot is running the jobs: \
             nobody holds the scheduler lease: start `planbot run` (or see why it stopped in its log)"
            .into(),
        Problem::Backlog { count: n, oldest } => format!(
            "{} due and not sent, the oldest for {}: \
             is Discord reachable? see `planbot outbox` and the bot's log",
            count(*n, "message", "messages"),
            ago(now, *oldest)
        ),
        Problem::Failed {
            count: n,
            last_error,
        } => format!(
            "{} Discord refused for good, the last with \"{last_error}\": \
             see `planbot outbox --all`",
            count(*n, "message", "messages")
        ),
    }
}

fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let minutes = (now - then).num_minutes().max(0);
    match minutes {
        0..=119 => format!("{minutes} min"),
        120..=2879 => format!("{} h", minutes / 60),
        _ => days(minutes / 1440),
    }
}

fn days(n: i64) -> String {
    count(n, "day", "days")
}
