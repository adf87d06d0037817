//! When the scheduled jobs run and how hard they chase: the `[jobs]` table,
//! read as written and then parsed once into schedules and working hours.

use super::TestHooks;
use crate::plan::Zone;
use crate::schedule::{
    Cron, Division, ENGLAND_AND_WALES_BANK_HOLIDAYS, JobName, WorkingHours, WorkingTime,
};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub struct JobSettings {
    /// Whether `planbot run` runs the jobs and sends reminders at all.
    pub enabled: bool,
    /// The overdue chaser's schedule (cron, in the plan's time zone).
    pub chase: Cron,
    /// A lead is chased about one action at most this often.
    pub chase_interval_days: u32,
    /// How long "Snooze" keeps an action out of the chaser.
    pub snooze_days: u32,
    /// When the quarter-end reminder looks at the calendar.
    pub quarter_end: Cron,
    /// Remind this many days before each quarter ends.
    pub quarter_end_days: Vec<u32>,
    pub escalate: Cron,
    /// Escalate an action overdue by more than this many days.
    pub escalate_after_days: u32,
    /// When the digest job looks for a quarter to post; it posts once, on
    /// the first working day after the quarter ends.
    pub digest: Cron,
    /// When the register job looks for late values and overdue reviews.
    pub register: Cron,
    /// Working days after a period ends before its value counts as late.
    pub measure_grace_days: u32,
    /// Reminders go out only inside these hours, on working days.
    pub working_hours: WorkingHours,
    /// Days off besides weekends; the default is England and Wales bank
    /// holidays for the years planbot ships with.
    pub bank_holidays: Vec<NaiveDate>,
    /// Whether the config lists `bank_holidays` itself (added to imported
    /// holidays) rather than leaving the built-in list (replaced by them).
    pub bank_holidays_listed: bool,
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
    pub test_hooks: TestHooks,
}

/// The `[jobs]` table as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct JobsFile {
    enabled: bool,
    chase: String,
    chase_interval_days: u32,
    snooze_days: u32,
    quarter_end: String,
    quarter_end_days: Vec<u32>,
    escalate: String,
    escalate_after_days: u32,
    digest: String,
    register: String,
    measure_grace_days: u32,
    working_hours: String,
    bank_holidays: Option<Vec<NaiveDate>>,
    catch_up_days: u32,
    poll_seconds: f64,
    lease_seconds: u32,
}

impl Default for JobsFile {
    fn default() -> Self {
        JobsFile {
            enabled: true,
            chase: "0 9 * * Mon-Fri".into(),
            chase_interval_days: 7,
            snooze_days: 7,
            quarter_end: "0 9 * * *".into(),
            quarter_end_days: vec![14, 3],
            escalate: "0 9 * * Mon-Fri".into(),
            escalate_after_days: 28,
            digest: "0 9 * * *".into(),
            register: "0 9 * * *".into(),
            measure_grace_days: 5,
            working_hours: "09:00-17:00".into(),
            bank_holidays: None,
            catch_up_days: 7,
            poll_seconds: 5.0,
            lease_seconds: 60,
        }
    }
}

impl JobsFile {
    /// Every schedule and the working hours parsed, every number checked;
    /// the first problem found, as (key, reason).
    pub(super) fn parse(self) -> Result<JobSettings, (String, String)> {
        let cron = |key: &str, expr: &str| {
            Cron::parse(expr).map_err(|e| (format!("jobs.{key}"), e.to_string()))
        };
        let settings = JobSettings {
            enabled: self.enabled,
            chase: cron("chase", &self.chase)?,
            chase_interval_days: self.chase_interval_days,
            snooze_days: self.snooze_days,
            quarter_end: cron("quarter_end", &self.quarter_end)?,
            quarter_end_days: self.quarter_end_days,
            escalate: cron("escalate", &self.escalate)?,
            escalate_after_days: self.escalate_after_days,
            digest: cron("digest", &self.digest)?,
            register: cron("register", &self.register)?,
            measure_grace_days: self.measure_grace_days,
            working_hours: WorkingHours::parse(&self.working_hours)
                .map_err(|reason| ("jobs.working_hours".to_string(), reason))?,
            bank_holidays_listed: self.bank_holidays.is_some(),
            bank_holidays: self.bank_holidays.unwrap_or_else(|| {
                ENGLAND_AND_WALES_BANK_HOLIDAYS
                    .iter()
                    .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a listed date"))
                    .collect()
            }),
            catch_up_days: self.catch_up_days,
            poll_seconds: self.poll_seconds,
            lease_seconds: self.lease_seconds,
            test_hooks: TestHooks::default(),
        };
        if !(settings.poll_seconds > 0.0 && settings.poll_seconds <= 3600.0) {
            return Err((
                "jobs.poll_seconds".into(),
                "give a number of seconds between 0 and 3600".into(),
            ));
        }
        if settings.lease_seconds < 2 {
            return Err((
                "jobs.lease_seconds".into(),
                "give at least 2 seconds".into(),
            ));
        }
        Ok(settings)
    }
}

impl Default for JobSettings {
    fn default() -> Self {
        JobsFile::default()
            .parse()
            .expect("the default job settings are valid")
    }
}

impl JobSettings {
    /// A job's schedule.
    pub fn schedule(&self, job: JobName) -> &Cron {
        match job {
            JobName::Chase => &self.chase,
            JobName::QuarterEnd => &self.quarter_end,
            JobName::Escalate => &self.escalate,
            JobName::Digest => &self.digest,
            JobName::Register => &self.register,
        }
    }

    /// The days off a plan's reminders keep, given its division's imported
    /// holidays. England and Wales's add to the built-in list (the same
    /// official dates, so nothing is lost when a file covers fewer years);
    /// another division's replace it, since the built-in list is not theirs,
    /// and only while none are imported is it used for them. Dates the
    /// config lists are always kept.
    pub fn days_off(
        &self,
        division: Division,
        imported: BTreeSet<NaiveDate>,
    ) -> BTreeSet<NaiveDate> {
        let configured = self.bank_holidays.iter().copied();
        if imported.is_empty() || division == Division::EnglandAndWales || self.bank_holidays_listed
        {
            imported.into_iter().chain(configured).collect()
        } else {
            imported
        }
    }

    /// Working time in a plan's time zone, with these days off.
    pub fn working_time(&self, tz: Zone, holidays: BTreeSet<NaiveDate>) -> WorkingTime {
        WorkingTime {
            tz,
            start: self.working_hours.start,
            end: self.working_hours.end,
            holidays,
        }
    }
}
