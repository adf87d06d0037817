//! When the scheduled jobs run and how hard they chase: the `[jobs]` table.

use crate::jobs::{ENGLAND_AND_WALES_BANK_HOLIDAYS, WorkingTime, parse_schedule};
use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobSettings {
    /// Whether `planbot run` runs the jobs and sends reminders at all.
    pub enabled: bool,
    /// The overdue chaser's schedule (cron, in the plan's time zone).
    pub chase: String,
    /// A lead is chased about one action at most this often.
    pub chase_interval_days: u32,
    /// How long "Snooze" keeps an action out of the chaser.
    pub snooze_days: u32,
    /// When the quarter-end reminder looks at the calendar.
    pub quarter_end: String,
    /// Remind this many days before each quarter ends.
    pub quarter_end_days: Vec<u32>,
    pub escalate: String,
    /// Escalate an action overdue by more than this many days.
    pub escalate_after_days: u32,
    /// When the digest job looks for a quarter to post; it posts once, on
    /// the first working day after the quarter ends.
    pub digest: String,
    /// Reminders go out only inside these hours, on working days.
    pub working_hours: String,
    /// Days off besides weekends; the default is England and Wales bank
    /// holidays for the years planbot ships with.
    pub bank_holidays: Vec<NaiveDate>,
    /// A run missed by more than this many days is skipped (admins are told),
    /// and reminders queued longer ago than this are not sent.
    pub catch_up_days: u32,
    /// The longest the scheduler and the sender sleep before looking at
    /// the clock again; they wake at the next fire time, message or retry.
    pub poll_seconds: f64,
    /// How long a scheduler's hold on the jobs lasts without renewal; it is
    /// renewed every third of it.
    pub lease_seconds: u32,
    /// Faults injected by tests; never read from the file.
    #[serde(skip)]
    pub test_hooks: crate::jobs::TestHooks,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            enabled: true,
            chase: "0 9 * * Mon-Fri".into(),
            chase_interval_days: 7,
            snooze_days: 7,
            quarter_end: "0 9 * * *".into(),
            quarter_end_days: vec![14, 3],
            escalate: "0 9 * * Mon-Fri".into(),
            escalate_after_days: 28,
            digest: "0 9 * * *".into(),
            working_hours: "09:00-17:00".into(),
            bank_holidays: ENGLAND_AND_WALES_BANK_HOLIDAYS
                .iter()
                .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a listed date"))
                .collect(),
            catch_up_days: 7,
            poll_seconds: 5.0,
            lease_seconds: 60,
            test_hooks: Default::default(),
        }
    }
}

impl JobSettings {
    /// Every schedule and the working hours, checked; the first problem found.
    pub fn check(&self) -> Result<(), (String, String)> {
        for (key, expr) in [
            ("jobs.chase", &self.chase),
            ("jobs.quarter_end", &self.quarter_end),
            ("jobs.escalate", &self.escalate),
            ("jobs.digest", &self.digest),
        ] {
            parse_schedule(expr).map_err(|e| (key.to_string(), e.to_string()))?;
        }
        self.hours()
            .map_err(|reason| ("jobs.working_hours".to_string(), reason))?;
        if !(self.poll_seconds > 0.0 && self.poll_seconds <= 3600.0) {
            return Err((
                "jobs.poll_seconds".into(),
                "give a number of seconds between 0 and 3600".into(),
            ));
        }
        if self.lease_seconds < 2 {
            return Err((
                "jobs.lease_seconds".into(),
                "give at least 2 seconds".into(),
            ));
        }
        Ok(())
    }

    fn hours(&self) -> Result<(NaiveTime, NaiveTime), String> {
        let bad = || {
            format!(
                "\"{}\" is not a span of hours; write it as \"09:00-17:00\"",
                self.working_hours
            )
        };
        let (from, to) = self.working_hours.split_once('-').ok_or_else(bad)?;
        let read = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let (from, to) = (read(from)?, read(to)?);
        if from >= to {
            return Err(bad());
        }
        Ok((from, to))
    }

    /// Working time in a plan's time zone.
    pub fn working_time(&self, tz: Tz) -> WorkingTime {
        let (start, end) = self.hours().unwrap_or_else(|_| {
            let w = WorkingTime::england_and_wales();
            (w.start, w.end)
        });
        WorkingTime {
            tz,
            start,
            end,
            holidays: self.bank_holidays.iter().copied().collect(),
        }
    }
}
