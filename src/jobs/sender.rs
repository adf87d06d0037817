//! The outbox sender: while this process holds the lease, it delivers what
//! is due and sleeps until the next message's time, a retry, a renewal of
//! the lease, or news that something was queued.

use super::deliver::WorkingHours;
use super::{Courier, deliver_due};
use crate::clock::Clock;
use crate::config::Settings;
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

pub struct Sender<C> {
    pub store: Store,
    pub clock: Clock,
    pub courier: C,
    /// For each plan's working hours.
    pub settings: Arc<Settings>,
    /// How long one round of deliveries may take: a third of the lease.
    pub budget: Duration,
    /// The longest the sender sleeps without looking at the clock.
    pub nap: Duration,
}

impl<C: Courier> Sender<C> {
    /// Runs until `stop` turns true.
    pub async fn run(&self, handoff: &Handoff, mut stop: watch::Receiver<bool>) {
        let mut lease = handoff.lease.subscribe();
        loop {
            let held = lease
                .borrow_and_update()
                .is_some_and(|u| u > Instant::now());
            let mut wake = None;
            if held {
                match self.round().await {
                    Round::Again => {
                        if *stop.borrow() {
                            break;
                        }
                        continue;
                    }
                    Round::WakeAt(at) => wake = at,
                }
            }
            let due = async {
                match wake {
                    Some(at) => self.clock.sleep_until(at, self.nap).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = due => {}
                _ = handoff.queued.notified() => {}
                _ = lease.changed() => {}
                _ = crate::runtime::stopped(&mut stop) => break,
            }
        }
    }

    async fn round(&self) -> Round {
        let mut hours = WorkingHours::new(&self.settings);
        let delivered = deliver_due(
            &self.store,
            &self.courier,
            &self.clock,
            self.budget,
            &mut hours,
        );
        let report = match delivered.await {
            Ok(r) if r.more => return Round::Again,
            Ok(r) => r,
            Err(e) => {
                // Looked at again at the next renewal of the lease.
                tracing::error!("cannot read or update the outbox: {e}");
                return Round::WakeAt(None);
            }
        };
        let next = match self.store.outbox_next_not_before(self.clock.now()).await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!("cannot read the outbox: {e}");
                None
            }
        };
        Round::WakeAt(match (report.waiting_until, next) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        })
    }
}

enum Round {
    /// The time budget ran out with messages still due.
    Again,
    /// Nothing more is due before then (or, with `None`, before news).
    WakeAt(Option<DateTime<Utc>>),
}

/// What the scheduler tells the sender; outlives restarts of either.
#[derive(Debug)]
pub struct Handoff {
    /// Until when (in real time) this process holds the lease; `None`
    /// while it does not. Each renewal changes it, and so wakes the sender
    /// to look for what another process (`planbot jobs run`) queued.
    pub(crate) lease: watch::Sender<Option<Instant>>,
    /// Something was queued: the sender looks at the outbox now.
    pub(crate) queued: Notify,
}

impl Default for Handoff {
    fn default() -> Self {
        Handoff {
            lease: watch::channel(None).0,
            queued: Notify::new(),
        }
    }
}
