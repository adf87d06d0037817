//! What a job run decides: the messages to queue and the bookkeeping
//! recorded with them. The store writes these as they are.

use super::{Notice, WorkingTime};
use chrono::{DateTime, NaiveDate, Utc};

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// A direct message to a lead; the plan's reminder channel if that fails.
    Lead(i64),
    Channel(u64),
}

/// One message to queue, with the key that keeps it from being queued twice.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub key: String,
    pub to: Recipient,
    pub notice: Notice,
    /// Not sent before this: the next working time after the decision.
    pub not_before: DateTime<Utc>,
}

/// What a run decided: messages, and the bookkeeping recorded with them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    pub outgoing: Vec<Outgoing>,
    /// (action id, person id) pairs chased now.
    pub chased: Vec<(i64, i64)>,
    /// (action id, due date) pairs escalated now.
    pub escalated: Vec<(i64, NaiveDate)>,
}

impl Decision {
    /// Holds every message until working time at or after `now` too: a run
    /// made late (caught up at start) must not send on a holiday or before
    /// 09:00 because its fire time was a working moment.
    pub fn held_until_working(mut self, now: DateTime<Utc>, work: &WorkingTime) -> Decision {
        for o in &mut self.outgoing {
            o.not_before = work.next_working(o.not_before.max(now));
        }
        self
    }
}
