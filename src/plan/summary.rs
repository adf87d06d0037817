//! Counting and grouping a plan's actions the way boards and reminders read them.

use super::{Action, Priority, Status};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many actions have each status, and how many are overdue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RagCounts {
    pub red: usize,
    pub amber: usize,
    pub green: usize,
    pub not_started: usize,
    pub complete: usize,
    pub overdue: usize,
}

impl RagCounts {
    pub fn add(&mut self, action: &Action, today: NaiveDate) {
        self.count(action.status, action.overdue_days(today).is_some());
    }

    pub fn count(&mut self, status: Status, overdue: bool) {
        self.count_many(status, overdue, 1);
    }

    /// Counts `n` actions of one status, overdue or not.
    pub fn count_many(&mut self, status: Status, overdue: bool, n: usize) {
        match status {
            Status::Red => self.red += n,
            Status::Amber => self.amber += n,
            Status::Green => self.green += n,
            Status::NotStarted => self.not_started += n,
            Status::Complete => self.complete += n,
        }
        if overdue {
            self.overdue += n;
        }
    }

    pub fn get(&self, status: Status) -> usize {
        match status {
            Status::Red => self.red,
            Status::Amber => self.amber,
            Status::Green => self.green,
            Status::NotStarted => self.not_started,
            Status::Complete => self.complete,
        }
    }

    pub fn total(&self) -> usize {
        self.red + self.amber + self.green + self.not_started + self.complete
    }

    /// The counts in the order summary tables show them: red, amber,
    /// green, not started, complete, overdue.
    pub fn columns(&self) -> [usize; 6] {
        [
            self.red,
            self.amber,
            self.green,
            self.not_started,
            self.complete,
            self.overdue,
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrioritySummary {
    pub number: u32,
    pub title: String,
    pub counts: RagCounts,
}

/// RAG counts for each priority (in number order) and for the whole plan.
pub fn rag_by_priority(
    priorities: &[Priority],
    actions: &[Action],
    today: NaiveDate,
) -> (Vec<PrioritySummary>, RagCounts) {
    let mut rows: Vec<PrioritySummary> = priorities
        .iter()
        .map(|p| PrioritySummary {
            number: p.number,
            title: p.title.clone(),
            counts: RagCounts::default(),
        })
        .collect();
    let mut total = RagCounts::default();
    for a in actions {
        total.add(a, today);
        match rows.iter_mut().find(|r| r.number == a.priority) {
            Some(r) => r.counts.add(a, today),
            None => {
                let mut counts = RagCounts::default();
                counts.add(a, today);
                rows.push(PrioritySummary {
                    number: a.priority,
                    title: a.priority_title.clone(),
                    counts,
                });
            }
        }
    }
    rows.retain(|r| r.counts.total() > 0);
    rows.sort_by_key(|r| r.number);
    (rows, total)
}

/// RAG counts for each priority and for the whole plan from counts made
/// elsewhere (the database's): `(priority number, title, status, overdue,
/// how many)`, in priority order.
pub fn rag_from_counts(
    counted: impl IntoIterator<Item = (u32, String, Status, bool, usize)>,
) -> (Vec<PrioritySummary>, RagCounts) {
    let mut rows: Vec<PrioritySummary> = Vec::new();
    let mut total = RagCounts::default();
    for (number, title, status, overdue, n) in counted {
        total.count_many(status, overdue, n);
        if rows.last().is_none_or(|r| r.number != number) {
            rows.push(PrioritySummary {
                number,
                title,
                counts: RagCounts::default(),
            });
        }
        if let Some(row) = rows.last_mut() {
            row.counts.count_many(status, overdue, n);
        }
    }
    (rows, total)
}

/// An overdue action and by how many days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue<'a> {
    pub action: &'a Action,
    pub days: i64,
}

/// Who should be chased for what: each lead with their overdue actions, most
/// overdue first. Actions with no lead are listed under `None`, last.
pub fn overdue_by_lead(
    actions: &[Action],
    today: NaiveDate,
) -> Vec<(Option<String>, Vec<Overdue<'_>>)> {
    let mut by_lead: BTreeMap<Option<String>, Vec<Overdue<'_>>> = BTreeMap::new();
    for a in actions {
        let Some(days) = a.overdue_days(today) else {
            continue;
        };
        if a.leads.is_empty() {
            by_lead
                .entry(None)
                .or_default()
                .push(Overdue { action: a, days });
        }
        for lead in &a.leads {
            by_lead
                .entry(Some(lead.clone()))
                .or_default()
                .push(Overdue { action: a, days });
        }
    }
    let mut out: Vec<_> = by_lead.into_iter().collect();
    // BTreeMap puts None first; the unassigned belong at the end.
    let unassigned_first = out.first().is_some_and(|(l, _)| l.is_none());
    out.rotate_left(usize::from(unassigned_first));
    for (_, list) in &mut out {
        list.sort_by(|a, b| {
            b.days
                .cmp(&a.days)
                .then_with(|| a.action.status.severity().cmp(&b.action.status.severity()))
        });
    }
    out
}
