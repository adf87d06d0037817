//! Cron schedules read in the plan's time zone, and the working time that
//! reminders wait for: weekdays, inside working hours, not on bank holidays.

use crate::plan::Zone;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use cron::Schedule;
use std::collections::BTreeSet;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{expr}\" is not a schedule: {reason} (write it as cron does, e.g. \"0 9 * * Mon-Fri\")")]
pub struct ScheduleError {
    pub expr: String,
    pub reason: String,
}

/// Reads a schedule in the usual 5-field crontab form (minute hour day month
/// weekday) or the cron crate's own form with seconds (6 or 7 fields).
pub fn parse_schedule(expr: &str) -> Result<Schedule, ScheduleError> {
    let fields = expr.split_whitespace().count();
    let full = match fields {
        5 => format!("0 {}", expr.trim()),
        6 | 7 => expr.trim().to_string(),
        n => {
            return Err(ScheduleError {
                expr: expr.to_string(),
                reason: format!("it has {n} fields, not 5 (or 6-7 with seconds)"),
            });
        }
    };
    Schedule::from_str(&full).map_err(|e| ScheduleError {
        expr: expr.to_string(),
        reason: e.to_string(),
    })
}

/// A schedule as written in the config, parsed once.
#[derive(Debug, Clone)]
pub struct Cron {
    expr: String,
    schedule: Schedule,
}

impl Cron {
    pub fn parse(expr: &str) -> Result<Cron, ScheduleError> {
        Ok(Cron {
            schedule: parse_schedule(expr)?,
            expr: expr.to_string(),
        })
    }

    /// As written, for listings.
    pub fn as_str(&self) -> &str {
        &self.expr
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }
}

impl PartialEq<&str> for Cron {
    fn eq(&self, other: &&str) -> bool {
        self.expr == *other
    }
}

/// The hours of a working day in which reminders go out, e.g. 09:00-17:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl WorkingHours {
    /// Reads "HH:MM-HH:MM"; the reason says how to write it.
    pub fn parse(text: &str) -> Result<WorkingHours, String> {
        let bad = || format!("\"{text}\" is not a span of hours; write it as \"09:00-17:00\"");
        let (from, to) = text.split_once('-').ok_or_else(bad)?;
        let read = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (read(from)?, read(to)?);
        if start >= end {
            return Err(bad());
        }
        Ok(WorkingHours { start, end })
    }

    pub fn nine_to_five() -> WorkingHours {
        WorkingHours {
            start: NaiveTime::from_hms_opt(9, 0, 0).expect("a real time"),
            end: NaiveTime::from_hms_opt(17, 0, 0).expect("a real time"),
        }
    }
}

/// The first time the schedule fires strictly after `after`, reading its
/// hours as wall-clock time in `tz` (so "9:00" stays 9:00 across DST).
pub fn next_fire(schedule: &Schedule, tz: Zone, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    fires_after(schedule, tz, after).next()
}

/// The fire times after `after`, in UTC. A wall-clock time that happens
/// twice when the clocks go back fires once, at its first pass, as cron does.
pub fn fires_after(
    schedule: &Schedule,
    tz: Zone,
    after: DateTime<Utc>,
) -> impl Iterator<Item = DateTime<Utc>> + '_ {
    schedule
        .after(&after.with_timezone(&tz))
        .filter(move |t| {
            !matches!(
                tz.from_local_datetime(&t.naive_local()),
                chrono::LocalResult::Ambiguous(first, _) if first != *t
            )
        })
        .map(|t| t.with_timezone(&Utc))
}

/// The parts of the UK with their own bank holidays, as gov.uk names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Division {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

impl Division {
    pub const ALL: [Division; 3] = [
        Division::EnglandAndWales,
        Division::Scotland,
        Division::NorthernIreland,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Division::EnglandAndWales => "england-and-wales",
            Division::Scotland => "scotland",
            Division::NorthernIreland => "northern-ireland",
        }
    }

    pub fn parse(name: &str) -> Option<Division> {
        Division::ALL.into_iter().find(|d| d.as_str() == name)
    }
}

impl std::fmt::Display for Division {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One bank holiday in one division, as gov.uk lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub division: Division,
    pub day: NaiveDate,
    pub title: String,
}

/// Reminders need the bank holidays ahead: fewer than this many days of
/// them known, and `run` and `check` say so.
pub const HOLIDAYS_AHEAD_DAYS: i64 = 183;

/// When a person may be sent a reminder.
#[derive(Debug, Clone)]
pub struct WorkingTime {
    pub tz: Zone,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub holidays: BTreeSet<NaiveDate>,
}

/// England and Wales bank holidays (gov.uk), 2018 to 2027: the Kirklees
/// plan's years and the current ones. Extend `jobs.bank_holidays` in the
/// config for later years.
pub const ENGLAND_AND_WALES_BANK_HOLIDAYS: &[&str] = &[
    "2018-01-01",
    "2018-03-30",
    "2018-04-02",
    "2018-05-07",
    "2018-05-28",
    "2018-08-27",
    "2018-12-25",
    "2018-12-26",
    "2019-01-01",
    "2019-04-19",
    "2019-04-22",
    "2019-05-06",
    "2019-05-27",
    "2019-08-26",
    "2019-12-25",
    "2019-12-26",
    "2020-01-01",
    "2020-04-10",
    "2020-04-13",
    "2020-05-08",
    "2020-05-25",
    "2020-08-31",
    "2020-12-25",
    "2020-12-28",
    "2021-01-01",
    "2021-04-02",
    "2021-04-05",
    "2021-05-03",
    "2021-05-31",
    "2021-08-30",
    "2021-12-27",
    "2021-12-28",
    "2022-01-03",
    "2022-04-15",
    "2022-04-18",
    "2022-05-02",
    "2022-06-02",
    "2022-06-03",
    "2022-08-29",
    "2022-09-19",
    "2022-12-26",
    "2022-12-27",
    "2023-01-02",
    "2023-04-07",
    "2023-04-10",
    "2023-05-01",
    "2023-05-08",
    "2023-05-29",
    "2023-08-28",
    "2023-12-25",
    "2023-12-26",
    "2024-01-01",
    "2024-03-29",
    "2024-04-01",
    "2024-05-06",
    "2024-05-27",
    "2024-08-26",
    "2024-12-25",
    "2024-12-26",
    "2025-01-01",
    "2025-04-18",
    "2025-04-21",
    "2025-05-05",
    "2025-05-26",
    "2025-08-25",
    "2025-12-25",
    "2025-12-26",
    "2026-01-01",
    "2026-04-03",
    "2026-04-06",
    "2026-05-04",
    "2026-05-25",
    "2026-08-31",
    "2026-12-25",
    "2026-12-28",
    "2027-01-01",
    "2027-03-26",
    "2027-03-29",
    "2027-05-03",
    "2027-05-31",
    "2027-08-30",
    "2027-12-27",
    "2027-12-28",
];

impl WorkingTime {
    /// 09:00 to 17:00 in London, weekdays, England and Wales bank holidays off.
    pub fn england_and_wales() -> WorkingTime {
        WorkingTime {
            tz: crate::plan::Zone::london(),
            start: WorkingHours::nine_to_five().start,
            end: WorkingHours::nine_to_five().end,
            holidays: ENGLAND_AND_WALES_BANK_HOLIDAYS
                .iter()
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a listed date"))
                .collect(),
        }
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    pub fn is_working(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.tz);
        self.is_working_day(local.date_naive())
            && local.time() >= self.start
            && local.time() < self.end
    }

    /// `at` itself if it is working time, otherwise the start of the next
    /// working period: a reminder due at night or on a holiday waits for it.
    pub fn next_working(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        if self.is_working(at) {
            return at;
        }
        let local = at.with_timezone(&self.tz);
        let mut day = local.date_naive();
        if local.time() >= self.start {
            day += Duration::days(1);
        }
        // Bank holidays never run for more than a few days together.
        while !self.is_working_day(day) {
            day += Duration::days(1);
        }
        first_moment_from(self.tz, day.and_time(self.start))
    }
}

/// The first moment at or after a wall-clock time: the time itself, or,
/// when the clocks skip it (a DST gap, e.g. Cairo's midnight on the last
/// Friday of April), the moment they jump to. Working hours that start in
/// a gap start that day when the gap ends.
fn first_moment_from(tz: Zone, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    // Gaps last an hour or two; a whole skipped day (Samoa, 2011) is the longest known.
    (0..=2 * 24 * 60)
        .find_map(|m| {
            tz.from_local_datetime(&(local + Duration::minutes(m)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}
