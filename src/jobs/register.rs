//! The register job's decisions: measure owners whose value for a period
//! is late (the period ended and the grace of working days has passed) and
//! risk owners whose review date has passed with no review since. One
//! message per owner and measure or risk, keyed by the period or the review
//! date, so each is sent once however often the job runs.

use crate::plan::Plan;
use crate::plan::measure::{Measure, Period};
use crate::schedule::{Decision, Notice, Outgoing, Recipient, WorkingTime};
use crate::store::RiskStanding;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

/// What a register run reads: the register as it stands at the fire time.
pub struct RegisterInput<'a> {
    pub measures: &'a [Measure],
    /// Each measure's values by period start, keyed by measure code.
    pub values: &'a HashMap<String, BTreeMap<NaiveDate, f64>>,
    pub risks: &'a [RiskStanding],
    /// Person ids by lower-cased name.
    pub people: &'a HashMap<String, i64>,
    pub grace_days: u32,
}

/// The `n`th working day after `day`: the last day of a period's grace.
pub fn grace_ends(day: NaiveDate, n: u32, work: &WorkingTime) -> NaiveDate {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if work.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// The latest period whose value is late on `today`, if any: the last
/// period ended, or the one before while the last is still in its grace.
fn late_period(
    m: &Measure,
    today: NaiveDate,
    plan: &Plan,
    input: &RegisterInput,
    work: &WorkingTime,
) -> Option<(Period, NaiveDate)> {
    let first = Period::containing(m.baseline_date, m.frequency, plan.year_start).next();
    let last = m.last_due(today, plan.year_start)?;
    [last, last.previous()]
        .into_iter()
        .filter(|p| *p >= first)
        .map(|p| (p, grace_ends(p.end(), input.grace_days, work)))
        .find(|(_, due)| *due < today)
}

pub fn register(
    plan: &Plan,
    input: &RegisterInput,
    fire: DateTime<Utc>,
    work: &WorkingTime,
) -> Decision {
    let today = plan.today(fire);
    let not_before = work.next_working(fire);
    let mut decision = Decision::default();
    let mut send = |owner: &String, key: String, notice: Notice| {
        // Owners are people (the register adds them); one renamed since is skipped.
        if let Some(&person) = input.people.get(&owner.to_lowercase()) {
            decision.outgoing.push(Outgoing {
                key: format!("{key}/{person}"),
                to: Recipient::Lead(person),
                notice,
                not_before,
            });
        }
    };
    for m in input.measures {
        let Some((period, due)) = late_period(m, today, plan, input, work) else {
            continue;
        };
        let recorded = input
            .values
            .get(&m.code)
            .is_some_and(|v| v.contains_key(&period.start));
        if recorded {
            continue;
        }
        for owner in &m.owners {
            let notice = Notice::ValueDue {
                plan: plan.name.clone(),
                owner: owner.clone(),
                measure: m.code.clone(),
                name: m.name.clone(),
                period: period.label(plan.year_start),
                period_start: Some(period.start),
                due,
            };
            send(
                owner,
                format!("value-due/{}/{}/{}", plan.id, m.code, period.start),
                notice,
            );
        }
    }
    for r in input.risks {
        let Some(date) = r.risk.next_review.filter(|d| *d < today) else {
            continue;
        };
        // A review on or after the date settles it, whether or not the
        // reviewer set the next date.
        if r.review.as_ref().is_some_and(|v| plan.today(v.at) >= date) {
            continue;
        }
        let rating = r
            .review
            .as_ref()
            .map(|v| format!("{} ({})", v.rating.score(), v.rating.band().word()));
        for owner in &r.risk.owners {
            let notice = Notice::ReviewDue {
                plan: plan.name.clone(),
                owner: owner.clone(),
                risk: r.risk.code.clone(),
                title: r.risk.title.clone(),
                review_date: date,
                rating: rating.clone(),
            };
            send(
                owner,
                format!("review-due/{}/{}/{date}", plan.id, r.risk.code),
                notice,
            );
        }
    }
    decision
}
