//! The digest's outcomes, measures and risk register, as they stood at the
//! digest's moment: measures judged on the values written by then, risks
//! rated by the reviews written by then and compared with the quarter before.

use crate::plan::measure::{Better, Rag, Travel, Unit};
use crate::plan::outcome::Outcome;
use crate::plan::risk::{Band, Rating};
use crate::plan::standing::MeasureStanding;
use crate::plan::{Status, YearStart};
use crate::store::RiskTrend;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// The digest's outcomes, measures and risks; empty for a plan with none,
/// and then no format shows a section for them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RegisterView {
    pub outcomes: Vec<OutcomeGroup>,
    /// Off target first (red, then amber), then in the plan's order.
    pub measures: Vec<MeasureLine>,
    /// Highest score first.
    pub risks: Vec<RiskLine>,
}

impl RegisterView {
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty() && self.measures.is_empty() && self.risks.is_empty()
    }
}

/// One measure as the digest shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureLine {
    pub code: String,
    pub name: String,
    pub outcome: Option<String>,
    pub owners: Vec<String>,
    pub unit: Unit,
    pub better: Better,
    pub baseline: f64,
    pub target: f64,
    pub target_date: NaiveDate,
    pub latest: Option<Latest>,
    /// Each period's first day and value, oldest first, for the chart.
    pub series: Vec<(NaiveDate, f64)>,
}

/// The latest value, judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Latest {
    /// "Mar 2019" or "Q4 18/19".
    pub period: String,
    pub value: f64,
    pub rag: Rag,
    pub on_target: bool,
    /// Since the value before; since the baseline for a first value.
    pub travel: Travel,
    pub since: &'static str,
}

impl MeasureLine {
    pub fn show(&self, value: f64) -> String {
        self.unit.show(value)
    }

    /// "85% by 30 Sep 2019".
    pub fn target_text(&self) -> String {
        format!(
            "{} by {}",
            self.show(self.target),
            self.target_date.format("%-d %b %Y")
        )
    }
}

impl Latest {
    /// "↑ improving since the previous value": the arrow and the word, so
    /// the direction reads without the glyph too.
    pub fn travel_text(&self) -> String {
        format!(
            "{} {} since {}",
            self.travel.arrow(),
            self.travel.word(),
            self.since
        )
    }
}

/// The colour class a measure's RAG shares with the actions'.
pub fn rag_status(rag: Rag) -> Status {
    match rag {
        Rag::Red => Status::Red,
        Rag::Amber => Status::Amber,
        Rag::Green => Status::Green,
    }
}

/// An outcome with its measures (indexes into `Digest::measures`, off target
/// first) and its actions' statuses then. The group with no code holds the
/// measures no outcome claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeGroup {
    pub code: Option<String>,
    pub statement: String,
    pub measures: Vec<usize>,
    /// (ref, status then) for the actions the outcome lists that existed then.
    pub actions: Vec<(String, Status)>,
}

/// One risk as the register shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskLine {
    pub code: String,
    pub title: String,
    pub owners: Vec<String>,
    /// None: not rated by the digest's moment.
    pub rating: Option<Rating>,
    pub before: Option<Rating>,
}

impl RiskLine {
    pub fn score(&self) -> Option<u8> {
        self.rating.map(Rating::score)
    }

    pub fn band(&self) -> Option<Band> {
        self.rating.map(Rating::band)
    }

    /// "up 4 (worse)", "down 3 (better)", "no change", or "new" when it
    /// had no rating at the end of the quarter before.
    pub fn change_text(&self) -> String {
        let (Some(now), Some(before)) = (self.rating, self.before) else {
            return if self.rating.is_some() {
                "new".into()
            } else {
                "not rated".into()
            };
        };
        let change = i16::from(now.score()) - i16::from(before.score());
        match change {
            0 => "no change".into(),
            n if n > 0 => format!("\u{2191} up {n} (worse)"),
            n => format!("\u{2193} down {} (better)", -n),
        }
    }
}

pub(super) fn measure_lines(standings: &[MeasureStanding], year: YearStart) -> Vec<MeasureLine> {
    standings
        .iter()
        .map(|s| {
            let m = &s.measure;
            MeasureLine {
                code: m.code.clone(),
                name: m.name.clone(),
                outcome: m.outcome.clone(),
                owners: m.owners.clone(),
                unit: m.unit,
                better: m.better,
                baseline: m.baseline,
                target: m.target,
                target_date: m.target_date,
                latest: s.latest.map(|(period, j)| Latest {
                    period: period.label(year),
                    value: j.value,
                    rag: j.rag,
                    on_target: j.on_target,
                    travel: j.since_previous.unwrap_or(j.since_baseline),
                    since: if j.since_previous.is_some() {
                        "the previous value"
                    } else {
                        "the baseline"
                    },
                }),
                series: s.series.iter().map(|(p, v)| (p.start, *v)).collect(),
            }
        })
        .collect()
}

/// The plan's outcomes, each with its measures and actions, then the
/// measures no outcome claims. Empty when the plan has neither.
pub(super) fn outcome_groups(
    outcomes: &[Outcome],
    measures: &[MeasureLine],
    statuses: &HashMap<&str, Status>,
) -> Vec<OutcomeGroup> {
    let mut groups: Vec<OutcomeGroup> = outcomes
        .iter()
        .map(|o| OutcomeGroup {
            code: Some(o.code.clone()),
            statement: o.statement.clone(),
            measures: indexes(measures, |m| m.outcome.as_deref() == Some(o.code.as_str())),
            actions: o
                .actions
                .iter()
                .filter_map(|r| statuses.get(r.as_str()).map(|s| (r.clone(), *s)))
                .collect(),
        })
        .collect();
    let claimed = |m: &MeasureLine| {
        m.outcome
            .as_deref()
            .is_some_and(|c| outcomes.iter().any(|o| o.code == c))
    };
    let loose = indexes(measures, |m| !claimed(m));
    if !loose.is_empty() {
        groups.push(OutcomeGroup {
            code: None,
            statement: "Measures not linked to an outcome".into(),
            measures: loose,
            actions: Vec::new(),
        });
    }
    groups
}

fn indexes(measures: &[MeasureLine], f: impl Fn(&MeasureLine) -> bool) -> Vec<usize> {
    (0..measures.len()).filter(|&i| f(&measures[i])).collect()
}

pub(super) fn risk_lines(trends: &[RiskTrend]) -> Vec<RiskLine> {
    trends
        .iter()
        .map(|t| RiskLine {
            code: t.now.risk.code.clone(),
            title: t.now.risk.title.clone(),
            owners: t.now.risk.owners.clone(),
            rating: t.now.review.as_ref().map(|r| r.rating),
            before: t.before,
        })
        .collect()
}
