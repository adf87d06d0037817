//! Is the running bot doing its work? What `planbot health` reports to a
//! monitoring system: read-only, from the database alone, so that it works
//! from any machine that can read the file and needs no Discord token.

use crate::store::{OutboxHealth, Result, Store};
use chrono::{DateTime, Duration, Utc};

/// When a finding becomes a problem.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// A message due this long ago and still not sent: the outbox is backing up.
    pub backlog_after: Duration,
    /// Messages given up on within this window are reported.
    pub failed_within: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            backlog_after: Duration::minutes(15),
            failed_within: Duration::days(7),
        }
    }
}

/// Something a person should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No `planbot run` has held the scheduler lease since this time (or
    /// ever): nothing runs the jobs or sends the messages.
    NoScheduler { since: Option<DateTime<Utc>> },
    /// Messages due and not sent, the oldest due since this time.
    Backlog { count: i64, oldest: DateTime<Utc> },
    /// Messages Discord refused for good.
    Failed { count: i64, last_error: String },
}

#[derive(Debug, Clone)]
pub struct Health {
    /// Who holds the lease and until when, when someone does.
    pub scheduler: Option<(String, DateTime<Utc>)>,
    pub outbox: OutboxHealth,
    pub problems: Vec<Problem>,
}

/// The scheduler renews its lease on every pass, so a lease that has run
/// out means the scheduler stopped ticking, whether the process died, hung
/// or stopped cleanly (which gives the lease up at once).
pub async fn check(store: &Store, now: DateTime<Utc>, limits: Thresholds) -> Result<Health> {
    let lease = store.lease().await?;
    let outbox = store
        .outbox_health(now - limits.backlog_after, now - limits.failed_within)
        .await?;
    let mut problems = Vec::new();
    let scheduler = match lease {
        Some((holder, until)) if until > now => Some((holder, until)),
        Some((_, until)) => {
            // A clean stop sets the expiry to the epoch: no time to report.
            let since = (until.timestamp() > 0).then_some(until);
            problems.push(Problem::NoScheduler { since });
            None
        }
        None => {
            problems.push(Problem::NoScheduler { since: None });
            None
        }
    };
    if let (count @ 1.., Some(oldest)) = (outbox.overdue, outbox.oldest_due) {
        problems.push(Problem::Backlog { count, oldest });
    }
    if outbox.failed > 0 {
        problems.push(Problem::Failed {
            count: outbox.failed,
            last_error: outbox.last_error.clone().unwrap_or_default(),
        });
    }
    Ok(Health {
        scheduler,
        outbox,
        problems,
    })
}
