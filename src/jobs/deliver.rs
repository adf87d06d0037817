//! Delivering the outbox, oldest first, through whatever speaks to Discord.

use super::{JobError, PlanJobs, WorkingTime};
use crate::clock::Clock;
use crate::config::Settings;
use crate::store::{Head, OutboxItem, Store};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

/// Where a message ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub message_id: u64,
    /// "dm", or why it went to the channel instead ("dm closed", "not linked").
    pub delivered_as: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Discord asked us to wait this long.
    #[error("rate limited for {0:?}")]
    RateLimited(Duration),
    /// Worth another try: a 5xx, a timeout, a dropped connection.
    #[error("{0}")]
    Transient(String),
    /// Discord will never take this message as it is.
    #[error("{0}")]
    Permanent(String),
}

/// Sends one queued message. Implementations must make a repeated delivery
/// of the same item (after a crash between sending and recording) show up
/// once, e.g. with Discord's message nonce.
pub trait Courier: Send + Sync {
    fn deliver(
        &self,
        item: &OutboxItem,
    ) -> impl Future<Output = Result<Delivered, DeliveryError>> + Send;
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub failed: usize,
    /// The head of the queue waits for a retry until then.
    pub waiting_until: Option<DateTime<Utc>>,
    /// Stopped because the time budget ran out, with messages still due.
    pub more: bool,
}

/// 1 s after the first failure, doubling to at most 5 minutes: an hour's
/// outage costs about a dozen tries per message at the head of the queue.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(0, 9) as u32;
    Duration::from_secs((1u64 << exp).min(300))
}

/// Each plan's working hours, read once a round and only when a message
/// is about to go. A plan the config no longer names has none: its
/// messages go when due, as before.
pub struct WorkingHours<'a> {
    settings: &'a Settings,
    read: Option<HashMap<i64, WorkingTime>>,
}

impl<'a> WorkingHours<'a> {
    pub fn new(settings: &'a Settings) -> Self {
        WorkingHours {
            settings,
            read: None,
        }
    }

    async fn of(&mut self, store: &Store, plan_id: i64) -> Result<Option<&WorkingTime>, JobError> {
        if self.read.is_none() {
            let plans = PlanJobs::load(store, self.settings).await?;
            self.read = Some(plans.iter().map(|pj| (pj.plan.id, pj.working())).collect());
        }
        Ok(self.read.as_ref().and_then(|r| r.get(&plan_id)))
    }
}

/// Delivers due messages in queue order for up to `budget`. A message
/// whose plan is outside its working hours (the bot was down, or Discord
/// was, until the evening) waits, with the rest of its plan's, for the
/// next working period: a reminder never arrives at night.
pub async fn deliver_due<C: Courier>(
    store: &Store,
    courier: &C,
    clock: &Clock,
    budget: Duration,
    hours: &mut WorkingHours<'_>,
) -> Result<DeliveryReport, JobError> {
    let started = Instant::now();
    let mut report = DeliveryReport::default();
    loop {
        if started.elapsed() >= budget {
            report.more = true;
            return Ok(report);
        }
        let now = clock.now();
        let item = match store.outbox_head(now).await? {
            Head::Empty => return Ok(report),
            Head::WaitUntil(at) => {
                report.waiting_until = Some(at);
                return Ok(report);
            }
            Head::Ready(item) => item,
        };
        if let Some(work) = hours.of(store, item.plan_id).await? {
            let next = work.next_working(now);
            if next > now {
                let held = store.hold_outbox(item.plan_id, now, next).await?;
                tracing::info!(plan_id = item.plan_id, held, until = %next, "outside working hours: the plan's messages wait");
                continue;
            }
        }
        tracing::debug!(key = %item.key, "delivering");
        match courier.deliver(&item).await {
            Ok(d) => {
                store
                    .mark_sent(item.id, clock.now(), d.message_id, &d.delivered_as)
                    .await?;
                report.sent += 1;
            }
            Err(DeliveryError::Permanent(e)) => {
                tracing::warn!(key = %item.key, "Discord refused a message for good: {e}");
                store.mark_failed(item.id, &e).await?;
                report.failed += 1;
            }
            Err(e) => {
                let (wait, counts) = match &e {
                    DeliveryError::RateLimited(d) => (*d, false),
                    _ => (backoff(item.attempts), true),
                };
                let at = clock.now() + chrono::Duration::from_std(wait).unwrap_or_default();
                tracing::info!(key = %item.key, attempts = item.attempts + 1, retry_at = %at, "delivery failed, will retry: {e}");
                store
                    .retry_later(item.id, at, &e.to_string(), counts)
                    .await?;
                report.waiting_until = Some(at);
                return Ok(report);
            }
        }
    }
}
