//! Computing a digest from the plan's history: everything here is as things
//! stood at the digest's moment, so a past quarter reads the same next year.

use super::model::*;
use super::register::{RegisterView, measure_lines, outcome_groups, risk_lines};
use crate::plan::outcome::Outcome;
use crate::plan::standing::MeasureStanding;
use crate::plan::summary::{RagCounts, rag_by_priority};
use crate::plan::{
    Action, AsOf, Plan, Priority, Quarter, Recommendation, Status, StatusChange, status_at,
};
use crate::store::RiskTrend;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// The most quarters the RAG-mix chart goes back.
const MAX_MIX_QUARTERS: usize = 16;

/// Everything a digest is made from, gathered from the store.
#[derive(Debug, Clone)]
pub struct DigestInput {
    pub plan: Plan,
    pub quarter: Quarter,
    pub as_of: AsOf,
    pub priorities: Vec<Priority>,
    /// The actions as they stood at `as_of`.
    pub then: Vec<Action>,
    /// Each current action's status now, by ref, for the "status now" column.
    pub now: HashMap<String, Status>,
    /// Each action's history up to `as_of`, oldest first.
    pub history: HashMap<String, Vec<StatusChange>>,
    pub recommendations: Vec<Recommendation>,
    /// The statuses of the last digest made for this quarter, if any.
    pub last_run: Option<(DateTime<Utc>, HashMap<String, Status>)>,
    pub outcomes: Vec<Outcome>,
    /// The measures as they stood at `as_of`, off target first.
    pub measures: Vec<MeasureStanding>,
    /// The register at `as_of` with each rating at the end of the quarter before.
    pub risks: Vec<RiskTrend>,
}

/// The default digest: the quarter just ended, as of its last day.
pub fn last_quarter(plan: &Plan, now: DateTime<Utc>) -> (Quarter, AsOf) {
    let ys = plan.year_start;
    let q = ys.previous(ys.quarter_of(plan.today(now)));
    (q, AsOf::end_of_day(ys.last_day(q), plan.time_zone))
}

/// A quarter as of its last day, or as of now while it is still running.
pub fn quarter_as_of(plan: &Plan, q: Quarter, now: DateTime<Utc>) -> AsOf {
    let end = AsOf::end_of_day(plan.year_start.last_day(q), plan.time_zone);
    if end.moment > now {
        AsOf::now(now, plan.time_zone)
    } else {
        end
    }
}

pub fn build(input: &DigestInput) -> Digest {
    let plan = &input.plan;
    let ys = plan.year_start;
    let today = input.as_of.today;
    let moment = input.as_of.moment;
    let start_of_quarter = AsOf::end_of_day(
        ys.first_day(input.quarter)
            .pred_opt()
            .expect("a day before"),
        plan.time_zone,
    );
    let previous = ys.previous(input.quarter);
    let next = ys.next(input.quarter);
    let empty = Vec::new();
    let history = |r: &str| input.history.get(r).unwrap_or(&empty);
    let latest_note = |r: &str| {
        let h = history(r);
        h[..h.partition_point(|c| c.at <= moment)]
            .iter()
            .rev()
            .find_map(|c| c.note.clone())
    };
    let item = |a: &Action| {
        let due = a.due.map(|d| plan.due_label(d)).unwrap_or_default();
        Item::of(a, due, today, latest_note(&a.reference))
    };

    let (rows, total) = rag_by_priority(&input.priorities, &input.then, today);
    let prev_as_of = AsOf::end_of_day(ys.last_day(previous), plan.time_zone);
    let prev_actions = statuses_at(&input.then, &input.history, prev_as_of);
    let (prev_rows, previous_total) =
        rag_by_priority(&input.priorities, &prev_actions, prev_as_of.today);
    let priorities = rows
        .into_iter()
        .map(|now| {
            let previous = prev_rows
                .iter()
                .find(|p| p.number == now.number)
                .map(|p| p.counts)
                .unwrap_or_default();
            PriorityRow { now, previous }
        })
        .collect();

    let by_overdue = |mut v: Vec<Item>| {
        v.sort_by_key(|i| std::cmp::Reverse(i.overdue_days));
        v
    };
    let select = |f: &dyn Fn(&Action) -> bool| {
        input
            .then
            .iter()
            .filter(|a| f(a))
            .map(item)
            .collect::<Vec<_>>()
    };
    let in_quarter = |d: Option<NaiveDate>, q: Quarter| d.is_some_and(|d| ys.quarter_of(d) == q);
    // An action added during the quarter starts from its first status.
    let status_at_start = |a: &Action| {
        let h = history(&a.reference);
        status_at(h, start_of_quarter.moment)
            .or_else(|| h.iter().find(|c| c.at <= moment).map(|c| c.to))
    };

    let reds = by_overdue(select(&|a| a.status == Status::Red));
    let overdue = by_overdue(select(&|a| {
        a.status != Status::Red && a.overdue_days(today).is_some()
    }));
    let completed =
        select(&|a| a.status == Status::Complete && status_at_start(a) != Some(Status::Complete));
    let due_next = select(&|a| a.status.is_open() && in_quarter(a.due, next));
    let stale = select(&|a| a.is_stale(moment, plan.stale_days));
    let no_lead = select(&|a| a.status.is_open() && a.leads.is_empty());

    let mut improved = Vec::new();
    let mut declined = Vec::new();
    for a in &input.then {
        let Some(from) = status_at_start(a) else {
            continue;
        };
        let m = Movement {
            item: item(a),
            from,
            to: a.status,
        };
        match from.movement(a.status) {
            1 => improved.push(m),
            -1 => declined.push(m),
            _ => {}
        }
    }

    let last_board = prev_as_of.moment;
    let mut questions = Vec::new();
    for a in &input.then {
        let reason = match (a.status, a.overdue_days(today)) {
            (Status::Green | Status::Amber, Some(days)) => Some(format!(
                "reported {} but {days} days overdue",
                a.status.label()
            )),
            (Status::Complete, _) if a.evidence.is_empty() => {
                Some("complete, but no evidence is recorded".to_string())
            }
            _ if a.status.is_open()
                && in_quarter(a.due, input.quarter)
                && a.last_update.is_none_or(|t| t <= last_board) =>
            {
                Some(format!(
                    "due this quarter, with no update since the last board ({})",
                    prev_as_of.today.format("%-d %B %Y")
                ))
            }
            _ => None,
        };
        if let Some(reason) = reason {
            questions.push(Question {
                reason,
                item: item(a),
            });
        }
    }

    let coverage = coverage(&input.recommendations, &input.then);
    let mix = mix_by_quarter(input);
    let rows = input
        .then
        .iter()
        .map(|a| Row {
            priority: format!("{}. {}", a.priority, a.priority_title),
            reference: a.reference.clone(),
            text: a.text.clone(),
            leads: a.leads.clone(),
            due_label: a.due.map(|d| plan.due_label(d)).unwrap_or_default(),
            status_then: a.status,
            status_now: input.now.get(&a.reference).copied(),
            overdue_days: a.overdue_days(today),
            latest_note: latest_note(&a.reference),
        })
        .collect();
    let since_last_run = input
        .last_run
        .as_ref()
        .map(|(made_at, before)| SinceLastRun {
            made_at: *made_at,
            changed: input
                .then
                .iter()
                .filter(|a| before.get(&a.reference) != Some(&a.status))
                .map(|a| {
                    (
                        a.reference.clone(),
                        before.get(&a.reference).copied(),
                        a.status,
                    )
                })
                .collect(),
        });

    let measures = measure_lines(&input.measures, ys);
    let statuses: HashMap<&str, Status> = input
        .then
        .iter()
        .map(|a| (a.reference.as_str(), a.status))
        .collect();
    let register = RegisterView {
        outcomes: outcome_groups(&input.outcomes, &measures, &statuses),
        measures,
        risks: risk_lines(&input.risks),
    };

    Digest {
        plan: plan.name.clone(),
        quarter: ys.label(input.quarter),
        previous_quarter: ys.label(previous),
        next_quarter: ys.label(next),
        as_of: moment,
        as_of_date: today,
        priorities,
        total,
        previous_total,
        reds,
        overdue,
        completed,
        due_next,
        stale,
        no_lead,
        improved,
        declined,
        coverage,
        questions,
        mix,
        rows,
        since_last_run,
        register,
    }
}

/// The actions with the status (and last update) their history gives at `at`;
/// those that did not exist yet are left out.
fn statuses_at(
    actions: &[Action],
    history: &HashMap<String, Vec<StatusChange>>,
    at: AsOf,
) -> Vec<Action> {
    actions
        .iter()
        .filter_map(|a| {
            let h = history.get(&a.reference)?;
            let status = status_at(h, at.moment)?;
            let mut then = a.clone();
            then.status = status;
            then.last_update = h
                .iter()
                .take_while(|c| c.at <= at.moment)
                .last()
                .map(|c| c.at);
            Some(then)
        })
        .collect()
}

fn coverage(recommendations: &[Recommendation], actions: &[Action]) -> Vec<Coverage> {
    let mut out: Vec<Coverage> = recommendations
        .iter()
        .map(|r| {
            let answering: Vec<&Action> = actions
                .iter()
                .filter(|a| a.recommendations.contains(&r.code))
                .collect();
            Coverage {
                code: r.code.clone(),
                body: r
                    .body
                    .clone()
                    .unwrap_or_else(|| crate::plan::outcome::DEFAULT_BODY.to_string()),
                text: r.text.clone(),
                actions: answering.iter().map(|a| a.reference.clone()).collect(),
                complete: answering
                    .iter()
                    .filter(|a| a.status == Status::Complete)
                    .count(),
            }
        })
        .collect();
    out.sort_by_key(|c| natural(&c.code));
    out
}

/// Orders "O2" before "O10".
fn natural(code: &str) -> (String, u64) {
    let split = code
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(code.len());
    (
        code[..split].to_string(),
        code[split..].parse().unwrap_or(0),
    )
}

fn mix_by_quarter(input: &DigestInput) -> Vec<QuarterMix> {
    let ys = input.plan.year_start;
    let first = input
        .history
        .values()
        .filter_map(|h| h.first())
        .map(|c| c.at)
        .min()
        .map(|t| ys.quarter_of(input.plan.today(t)))
        .unwrap_or(input.quarter);
    let mut quarters = vec![input.quarter];
    while quarters.len() < MAX_MIX_QUARTERS {
        let q = ys.previous(*quarters.last().expect("not empty"));
        if q < first {
            break;
        }
        quarters.push(q);
    }
    quarters.reverse();
    quarters
        .into_iter()
        .map(|q| {
            let at = if q == input.quarter {
                input.as_of
            } else {
                AsOf::end_of_day(ys.last_day(q), input.plan.time_zone)
            };
            let mut counts = RagCounts::default();
            for a in &input.then {
                let Some(h) = input.history.get(&a.reference) else {
                    continue;
                };
                let Some(last) = h[..h.partition_point(|c| c.at <= at.moment)].last() else {
                    continue;
                };
                counts.count(
                    last.to,
                    crate::plan::overdue_days(a.due, last.to, at.today).is_some(),
                );
            }
            QuarterMix {
                quarter: ys.label(q),
                counts,
            }
        })
        .collect()
}
