//! What a board digest holds, computed from the plan as it stood at a moment.

use crate::plan::summary::{PrioritySummary, RagCounts};
use crate::plan::{Action, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// One action as the digest shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub reference: String,
    pub priority: u32,
    pub text: String,
    pub leads: Vec<String>,
    pub due: Option<NaiveDate>,
    pub due_label: String,
    pub status: Status,
    pub overdue_days: Option<i64>,
    pub latest_note: Option<String>,
    pub last_update: Option<DateTime<Utc>>,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub item: Item,
    pub from: Status,
    pub to: Status,
}

/// A recommendation and the actions that answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub code: String,
    /// Who made it: Ofsted, LSCB, KSCB ...
    pub body: String,
    pub text: Option<String>,
    pub actions: Vec<String>,
    pub complete: usize,
}

/// Something for the chair to challenge: a status the facts do not bear out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub reason: String,
    pub item: Item,
}

/// A priority's RAG counts then, and at the end of the previous quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorityRow {
    #[serde(flatten)]
    pub now: PrioritySummary,
    pub previous: RagCounts,
}

/// The plan's RAG mix at the end of one quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarterMix {
    pub quarter: String,
    pub counts: RagCounts,
}

/// One line of the CSV: every action, its status then and now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub priority: String,
    pub reference: String,
    pub text: String,
    pub leads: Vec<String>,
    pub due_label: String,
    pub status_then: Status,
    pub status_now: Option<Status>,
    pub overdue_days: Option<i64>,
    pub latest_note: Option<String>,
}

/// How a re-run differs from the digest made earlier for the same quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinceLastRun {
    pub made_at: DateTime<Utc>,
    /// (ref, status in the earlier digest or none if the action was not in it, status now).
    pub changed: Vec<(String, Option<Status>, Status)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    pub plan: String,
    pub quarter: String,
    pub previous_quarter: String,
    pub next_quarter: String,
    /// The moment the digest shows the plan at, and its local date.
    pub as_of: DateTime<Utc>,
    pub as_of_date: NaiveDate,
    pub priorities: Vec<PriorityRow>,
    pub total: RagCounts,
    pub previous_total: RagCounts,
    pub reds: Vec<Item>,
    pub overdue: Vec<Item>,
    pub completed: Vec<Item>,
    pub due_next: Vec<Item>,
    pub stale: Vec<Item>,
    pub no_lead: Vec<Item>,
    pub improved: Vec<Movement>,
    pub declined: Vec<Movement>,
    pub coverage: Vec<Coverage>,
    pub questions: Vec<Question>,
    pub mix: Vec<QuarterMix>,
    pub rows: Vec<Row>,
    pub since_last_run: Option<SinceLastRun>,
    pub register: super::register::RegisterView,
}

impl Digest {
    /// Per body (Ofsted first, then by name): how many recommendations, and
    /// how many have an action addressing them.
    pub fn coverage_by_body(&self) -> Vec<(String, usize, usize)> {
        let mut out: Vec<(String, usize, usize)> = Vec::new();
        for c in &self.coverage {
            let i = match out.iter().position(|(b, ..)| *b == c.body) {
                Some(i) => i,
                None => {
                    out.push((c.body.clone(), 0, 0));
                    out.len() - 1
                }
            };
            out[i].1 += 1;
            out[i].2 += usize::from(!c.actions.is_empty());
        }
        out.sort_by_key(|(b, ..)| (b != crate::plan::outcome::DEFAULT_BODY, b.clone()));
        out
    }

    /// "Ofsted: 25 of 27 addressed; KSCB: 8 of 10 addressed", when more than one body.
    pub fn coverage_by_body_text(&self) -> Option<String> {
        let bodies = self.coverage_by_body();
        (bodies.len() > 1).then(|| {
            bodies
                .iter()
                .map(|(b, n, a)| format!("{b}: {a} of {n} addressed"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Recommendations no action addresses: they must stand out.
    pub fn unaddressed(&self) -> impl Iterator<Item = &Coverage> {
        self.coverage.iter().filter(|c| c.actions.is_empty())
    }
}

impl Item {
    pub(super) fn of(
        a: &Action,
        due_label: String,
        today: NaiveDate,
        latest_note: Option<String>,
    ) -> Item {
        Item {
            reference: a.reference.clone(),
            priority: a.priority,
            text: a.text.clone(),
            leads: a.leads.clone(),
            due: a.due,
            due_label,
            status: a.status,
            overdue_days: a.overdue_days(today),
            latest_note,
            last_update: a.last_update,
            evidence: a.evidence.clone(),
        }
    }
}
