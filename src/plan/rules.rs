//! The rules a board applies: overdue, as-of moments, past statuses.

use super::Zone;
use super::{Status, StatusChange};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// The calendar date in the plan's time zone: a due date passes at local
/// midnight, not UTC midnight (they differ by an hour all summer).
pub fn local_today(now: DateTime<Utc>, tz: Zone) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Days past due, when an open action's due date has passed.
pub fn overdue_days(due: Option<NaiveDate>, status: Status, today: NaiveDate) -> Option<i64> {
    let due = due?;
    if !status.is_open() || today <= due {
        return None;
    }
    Some((today - due).num_days())
}

/// The status an action had at `at`, from its history in time order; none if
/// the action did not exist yet.
pub fn status_at(history: &[StatusChange], at: DateTime<Utc>) -> Option<Status> {
    history
        .iter()
        .take_while(|c| c.at <= at)
        .last()
        .map(|c| c.to)
}

/// A moment to look at a plan from, with the local date that goes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsOf {
    pub moment: DateTime<Utc>,
    pub today: NaiveDate,
}

impl AsOf {
    pub fn now(now: DateTime<Utc>, tz: Zone) -> AsOf {
        AsOf {
            moment: now,
            today: local_today(now, tz),
        }
    }

    /// The end of a local day: "as of 31 March" includes everything done that day.
    pub fn end_of_day(date: NaiveDate, tz: Zone) -> AsOf {
        let next_midnight = date
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a date with a successor");
        // On a DST change midnight may be doubled (take the first) or skipped
        // (take the first moment of the day that does exist).
        let mut start = next_midnight;
        let next_day_start = loop {
            if let Some(t) = tz.from_local_datetime(&start).earliest() {
                break t;
            }
            start += chrono::Duration::minutes(15);
        };
        let end = next_day_start.with_timezone(&Utc) - chrono::Duration::milliseconds(1);
        AsOf {
            moment: end,
            today: date,
        }
    }
}
