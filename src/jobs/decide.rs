//! The jobs' decisions: given what the store holds and the fire time, who
//! gets which notice. Pure functions, so tests and `--as-of` runs can ask
//! "what would happen at this moment" without a clock or a database.

use crate::plan::{Plan, Priority};
use crate::schedule::{ActionLine, Decision, Named, Notice, Outgoing, Recipient, WorkingTime};
use crate::store::{EscalationCandidate, LeadAction};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::collections::{BTreeMap, HashMap};

/// A short digest of the refs a message is about. It goes in the key, so the
/// same decision repeated (after a crash, or a manual run) is queued once,
/// while a later run the same day about other actions is not swallowed.
fn refs_hash<'a>(refs: impl Iterator<Item = &'a str>) -> String {
    let hash = refs.fold(0xcbf2_9ce4_8422_2325_u64, |h, r| {
        r.bytes().chain(std::iter::once(0)).fold(h, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    });
    format!("{:08x}", hash >> 32)
}

/// Rows are moved into lines: a chase over a large plan makes 100,000 of them.
fn line(a: LeadAction, today: NaiveDate) -> ActionLine {
    ActionLine {
        days_overdue: crate::plan::overdue_days(a.due, a.status, today),
        reference: a.reference,
        text: a.text,
        due: a.due,
        status: a.status,
    }
}

/// Groups rows by lead (in name order), keeping each lead's actions in
/// the order the store gave them (longest overdue first).
fn by_lead(rows: impl Iterator<Item = LeadAction>) -> Vec<(i64, Vec<LeadAction>)> {
    let mut leads: HashMap<i64, Vec<LeadAction>> = HashMap::new();
    for r in rows {
        leads.entry(r.person_id).or_default().push(r);
    }
    let mut leads: Vec<_> = leads.into_iter().collect();
    leads.sort_by(|a, b| a.1[0].lead.cmp(&b.1[0].lead).then(a.0.cmp(&b.0)));
    leads
}

/// The overdue chaser: each lead's overdue actions that are neither snoozed
/// nor chased within `interval_days`, in one message per lead. The interval
/// counts days on the plan's calendar, so a week is a week across a clock
/// change (Monday 09:00 GMT to Monday 09:00 BST is 167 hours).
pub fn chase(
    plan: &Plan,
    rows: Vec<LeadAction>,
    fire: DateTime<Utc>,
    interval_days: i64,
    work: &WorkingTime,
) -> Decision {
    let today = plan.today(fire);
    let due_now = rows.into_iter().filter(|r| {
        r.due.is_some_and(|d| d < today)
            && r.status.is_open()
            && r.snoozed_until.is_none_or(|until| until <= fire)
            && r.last_chased
                .is_none_or(|at| (today - plan.today(at)).num_days() >= interval_days)
    });
    let mut decision = Decision::default();
    let not_before = work.next_working(fire);
    for (person, actions) in by_lead(due_now) {
        decision
            .chased
            .extend(actions.iter().map(|a| (a.action_id, person)));
        let key = format!(
            "chase/{}/{person}/{today}/{}",
            plan.id,
            refs_hash(actions.iter().map(|a| a.reference.as_str()))
        );
        decision.outgoing.push(Outgoing {
            key,
            to: Recipient::Lead(person),
            notice: Notice::Chase {
                plan: plan.name.clone(),
                lead: actions[0].lead.clone(),
                actions: actions.into_iter().map(|a| line(a, today)).collect(),
            },
            not_before,
        });
    }
    decision
}

/// The quarter-end reminder: `rows` are the open actions due in the quarter
/// that `fire` falls in. Sent at the smallest of `days_before` that is not
/// less than the days left, so a late start sends one reminder, not two.
pub fn quarter_end(
    plan: &Plan,
    rows: Vec<LeadAction>,
    fire: DateTime<Utc>,
    days_before: &[u32],
    work: &WorkingTime,
) -> Decision {
    let today = plan.today(fire);
    let ys = plan.year_start;
    let q = ys.quarter_of(today);
    let ends = ys.last_day(q);
    let days_left = (ends - today).num_days();
    let Some(threshold) = days_before
        .iter()
        .map(|d| i64::from(*d))
        .filter(|d| *d >= days_left)
        .min()
    else {
        return Decision::default();
    };
    let began = start_of_day(plan, ys.first_day(q));
    let quiet = rows.into_iter().filter(|r| {
        r.status.is_open()
            && r.due.is_some_and(|d| d >= ys.first_day(q) && d <= ends)
            && r.last_update.is_none_or(|at| at < began)
    });
    let label = ys.label(q);
    let not_before = work.next_working(fire);
    let mut decision = Decision::default();
    for (person, actions) in by_lead(quiet) {
        decision.outgoing.push(Outgoing {
            key: format!("quarter-end/{}/{person}/{label}/{threshold}", plan.id),
            to: Recipient::Lead(person),
            notice: Notice::QuarterEnd {
                plan: plan.name.clone(),
                lead: actions[0].lead.clone(),
                quarter: label.clone(),
                ends,
                days_left,
                actions: actions.into_iter().map(|a| line(a, today)).collect(),
            },
            not_before,
        });
    }
    decision
}

fn start_of_day(plan: &Plan, day: NaiveDate) -> DateTime<Utc> {
    plan.time_zone
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| day.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
}

/// What an escalation run reads.
pub struct EscalationInput<'a> {
    /// Overdue actions not yet raised for their current due date.
    pub candidates: &'a [EscalationCandidate],
    pub priorities: &'a [Priority],
    /// Linked people's Discord ids by lower-cased name.
    pub discord_ids: &'a HashMap<String, u64>,
    pub after_days: u32,
    pub channel: u64,
}

/// Escalation: actions overdue by more than `after_days`, not yet raised for
/// their current due date, one message per priority to its strategic leads.
pub fn escalate(
    plan: &Plan,
    input: &EscalationInput,
    fire: DateTime<Utc>,
    work: &WorkingTime,
) -> Decision {
    let EscalationInput {
        candidates,
        priorities,
        discord_ids,
        after_days,
        channel,
    } = *input;
    let today = plan.today(fire);
    let mut groups: BTreeMap<u32, Vec<&EscalationCandidate>> = BTreeMap::new();
    for c in candidates.iter().filter(|c| {
        c.action.status.is_open()
            && c.action
                .due
                .is_some_and(|d| (today - d).num_days() > i64::from(after_days))
    }) {
        groups.entry(c.action.priority).or_default().push(c);
    }
    let not_before = work.next_working(fire);
    let mut decision = Decision::default();
    for (number, actions) in groups {
        let priority = priorities.iter().find(|p| p.number == number);
        let strategic_leads = priority
            .map(|p| {
                p.strategic_leads
                    .iter()
                    .map(|name| Named {
                        name: name.clone(),
                        discord_id: discord_ids.get(&name.to_lowercase()).copied(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        decision.escalated.extend(
            actions
                .iter()
                .filter_map(|c| c.action.due.map(|d| (c.action_id, d))),
        );
        decision.outgoing.push(Outgoing {
            key: format!(
                "escalate/{}/{number}/{today}/{}",
                plan.id,
                refs_hash(actions.iter().map(|c| c.action.reference.as_str()))
            ),
            to: Recipient::Channel(channel),
            notice: Notice::Escalation {
                plan: plan.name.clone(),
                priority: number,
                priority_title: priority.map(|p| p.title.clone()).unwrap_or_default(),
                strategic_leads,
                after_days,
                actions: actions
                    .iter()
                    .map(|c| ActionLine {
                        reference: c.action.reference.clone(),
                        text: c.action.text.clone(),
                        due: c.action.due,
                        status: c.action.status,
                        days_overdue: c.action.overdue_days(today),
                    })
                    .collect(),
            },
            not_before,
        });
    }
    decision
}

/// The quarterly digest: the quarter just ended, on the first working day
/// after it (or a later run within `catch_up` of that day), once.
pub fn digest(
    plan: &Plan,
    fire: DateTime<Utc>,
    channel: u64,
    catch_up: Duration,
    work: &WorkingTime,
) -> Decision {
    let today = plan.today(fire);
    let ys = plan.year_start;
    let ended = ys.previous(ys.quarter_of(today));
    let mut first_working = ys.last_day(ended) + Duration::days(1);
    while !work.is_working_day(first_working) {
        first_working += Duration::days(1);
    }
    if today < first_working || today - first_working > catch_up {
        return Decision::default();
    }
    let (quarter, as_of) = crate::digest::last_quarter(plan, fire);
    let label = ys.label(quarter);
    Decision {
        outgoing: vec![Outgoing {
            key: format!("digest/{}/{label}", plan.id),
            to: Recipient::Channel(channel),
            notice: Notice::Digest {
                plan: plan.name.clone(),
                quarter: label,
                as_of: as_of.moment,
            },
            not_before: work.next_working(fire),
        }],
        ..Decision::default()
    }
}
