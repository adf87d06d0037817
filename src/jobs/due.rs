//! Which fire time a job owes, given when it last ran: the latest one, once,
//! however many ticks were missed; none older than the catch-up window.

use crate::plan::Zone;
use crate::schedule::fires_after;
use chrono::{DateTime, Duration, Utc};
use cron::Schedule;

/// The latest time at or before `at` that the schedule fires, read in `tz`.
///
/// It walks forward from a little before `at`, widening the look-back until
/// it finds a fire: the cron crate's backward walk is unreliable in the hour
/// repeated when the clocks go back.
pub fn previous_fire(schedule: &Schedule, tz: Zone, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    [
        Duration::hours(1),
        Duration::days(1),
        Duration::days(8),
        Duration::days(32),
        Duration::days(367),
        Duration::days(4 * 366),
    ]
    .into_iter()
    .find_map(|back| {
        fires_after(schedule, tz, at - back)
            .take_while(|t| *t <= at)
            .last()
    })
}

/// What a job owes at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The fire time to run now, if one is owed and recent enough.
    pub run: Option<DateTime<Utc>>,
    /// A fire time owed but older than the catch-up window: recorded as
    /// skipped, not run.
    pub skip: Option<DateTime<Utc>>,
    /// Fire times since the last run that fell out of the catch-up window
    /// and will never run (the admins are told).
    pub missed: Vec<DateTime<Utc>>,
}

/// At most this many missed fire times are listed; a schedule firing every
/// minute through a long outage would otherwise take a while to count.
const MAX_MISSED: usize = 1000;

pub fn due_run(
    schedule: &Schedule,
    tz: Zone,
    last_fire: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    catch_up: Duration,
) -> Due {
    let mut due = Due {
        run: None,
        skip: None,
        missed: Vec::new(),
    };
    let Some(latest) = previous_fire(schedule, tz, now) else {
        return due;
    };
    if last_fire.is_some_and(|last| last >= latest) {
        return due;
    }
    let cutoff = now - catch_up;
    if latest < cutoff {
        due.skip = Some(latest);
    } else {
        due.run = Some(latest);
    }
    if let Some(last) = last_fire {
        due.missed = fires_after(schedule, tz, last)
            .take_while(|t| *t < latest && *t < cutoff)
            .take(MAX_MISSED)
            .collect();
        if let Some(skipped) = due.skip {
            due.missed.push(skipped);
        }
    }
    due
}
