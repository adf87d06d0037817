//! Reading the sheets beside the actions, row by row: outcomes, measures,
//! measure values and risks. What needs the plan (the action refs it will
//! hold, the measures it records) is checked once every sheet is read, by
//! [`Workbook::settle`], with each cell's place kept for the message.

use super::problems::Problems;
use super::report::Report;
use super::rows::{due_of, split_codes, text};
use super::sheets::{Col, RegisterColumns, SheetKind};
use super::table::{Cell, Row, excel_serial_date};
use super::{ImportError, RowError};
use crate::plan::measure::{Better, Frequency, Measure, Unit, Written, read_period};
use crate::plan::outcome::Outcome;
use crate::plan::risk::{Rating, Risk};
use crate::plan::{PlanContent, Recommendation, YearStart};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Everything a workbook (or a set of CSV files) holds, read but not yet
/// checked against the plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workbook {
    pub plan: Option<PlanContent>,
    pub recommendations: Option<Vec<Recommendation>>,
    pub outcomes: Option<Sheet<OutcomeRow>>,
    pub measures: Option<Sheet<MeasureRow>>,
    pub values: Option<Sheet<ValueRow>>,
    pub risks: Option<Sheet<RiskRow>>,
}

/// A register sheet's rows, and which of its optional columns it has (an
/// absent one keeps what is recorded).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet<T> {
    pub rows: Vec<T>,
    pub has: Vec<Col>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    pub outcome: Outcome,
    pub line: usize,
    pub at_actions: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RiskRow {
    pub risk: Risk,
    pub line: usize,
    pub rating: Option<Rating>,
    pub at_mitigations: String,
}

/// A measure as the sheet gives it, with where its unit and frequency are.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRow {
    pub measure: Measure,
    pub line: usize,
    pub at_unit: String,
    pub at_frequency: String,
    /// The Frequency cell says one: an empty one keeps a recorded measure's.
    pub frequency_given: bool,
}

/// One value as the sheet gives it; its unit and period are settled against
/// its measure, which may be in another sheet or only in the database.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    pub code: String,
    pub period: Written,
    /// None when the cell is empty (a problem already found).
    pub value: Option<Cell>,
    pub note: Option<String>,
    pub line: usize,
    /// "line" in a CSV file, "row" in a sheet.
    pub line_word: &'static str,
    pub at_code: String,
    pub at_period: String,
    pub at_value: String,
}

/// What the plan holds that a workbook's sheets refer to.
pub struct Recorded<'a> {
    /// The action refs the plan will hold once this import is done.
    pub refs: &'a HashSet<String>,
    pub measures: &'a [Measure],
    /// The codes of the recorded measures that have values: their unit and
    /// frequency say how those values read, and do not change.
    pub measured: &'a HashSet<String>,
    pub outcomes: &'a [Outcome],
    pub risks: &'a [Risk],
    /// Values for periods after this day's are refused.
    pub today: NaiveDate,
    pub year: YearStart,
}

/// A workbook's register, checked and ready to write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settled {
    pub outcomes: Vec<Outcome>,
    pub measures: Vec<Measure>,
    pub risks: Vec<(Risk, Option<Rating>)>,
    /// Measure code, the period's first day, the value, its note.
    pub values: Vec<(String, NaiveDate, f64, Option<String>)>,
    /// The values' sheet has a Note column: a note given with a value
    /// already recorded is compared too.
    pub notes_given: bool,
}

impl Workbook {
    /// Checks what needs the plan, fills the columns a sheet lacks from what
    /// is recorded, and gives every problem with its place, those `problems`
    /// met in reading the rows included; or nothing.
    pub fn settle(
        &self,
        recorded: &Recorded,
        mut problems: Problems,
    ) -> Result<Settled, ImportError> {
        // What names a row left out as unreadable is not reported missing.
        let actions_readable = !problems.troubled(SheetKind::Actions);
        let measures_readable = !problems.troubled(SheetKind::Measures);
        let mut problem = |kind: SheetKind, location: &str, line: usize, reason: String| {
            problems.push(
                kind,
                RowError {
                    location: location.to_string(),
                    line,
                    reason,
                },
            )
        };
        let mut out = Settled::default();
        // A link the outcome or risk has already stays, though a prune has
        // since removed its action (as the action's history stays): the
        // plan's own export then imports back as it is.
        let missing_refs = |refs: &[String], named_before: &[String]| -> Vec<String> {
            refs.iter()
                .filter(|r| !recorded.refs.contains(*r) && !named_before.contains(r))
                .cloned()
                .collect()
        };
        if let Some(sheet) = &self.outcomes {
            for row in &sheet.rows {
                let mut o = row.outcome.clone();
                let old = recorded.outcomes.iter().find(|r| r.code == o.code);
                if let Some(old) = old {
                    if !sheet.has.contains(&Col::Priority) {
                        o.priority = old.priority;
                    }
                    if !sheet.has.contains(&Col::Actions) {
                        o.actions = old.actions.clone();
                    }
                }
                let unknown = missing_refs(&o.actions, old.map_or(&[], |o| &o.actions));
                if !unknown.is_empty() && actions_readable {
                    let reason = no_such_actions(&unknown);
                    problem(SheetKind::Outcomes, &row.at_actions, row.line, reason);
                }
                out.outcomes.push(o);
            }
        }
        if let Some(sheet) = &self.measures {
            for row in &sheet.rows {
                let mut m = row.measure.clone();
                if let Some(old) = recorded.measures.iter().find(|r| r.code == m.code) {
                    keep_absent_measure(&mut m, old, &sheet.has);
                    if !row.frequency_given {
                        m.frequency = old.frequency;
                    }
                    if recorded.measured.contains(&m.code) {
                        let kept = |what: &str, was: &str| {
                            format!(
                                "{} has values recorded in {what} {was}, which would read \
                                 differently; keep {was}, or give the new {what} a new measure",
                                m.code
                            )
                        };
                        if m.unit != old.unit {
                            let reason = kept("unit", old.unit.as_str());
                            problem(SheetKind::Measures, &row.at_unit, row.line, reason);
                        }
                        if m.frequency != old.frequency {
                            let reason = kept("frequency", old.frequency.as_str());
                            problem(SheetKind::Measures, &row.at_frequency, row.line, reason);
                        }
                    }
                }
                out.measures.push(m);
            }
        }
        if let Some(values) = &self.values {
            out.notes_given = values.has.contains(&Col::Note);
            let mut seen: HashMap<(String, NaiveDate), usize> = HashMap::new();
            for v in &values.rows {
                let measure = out
                    .measures
                    .iter()
                    .chain(recorded.measures)
                    .find(|m| m.code == v.code);
                let Some(measure) = measure else {
                    if !measures_readable {
                        continue;
                    }
                    problem(
                        SheetKind::Values,
                        &v.at_code,
                        v.line,
                        format!(
                            "there is no measure {}: add it to the measures sheet first",
                            v.code
                        ),
                    );
                    continue;
                };
                // Each cell is checked whatever its neighbours hold, and a
                // row's period counts for duplicates though its value is bad.
                let value = match &v.value {
                    Some(Cell::Number(n)) => Some(measure.unit.check(*n).map(|_| *n)),
                    Some(other) => Some(measure.unit.read(&other.text())),
                    // Empty: said as the row was read.
                    None => None,
                };
                let value = match value {
                    Some(Ok(value)) => Some(value),
                    Some(Err(e)) => {
                        problem(SheetKind::Values, &v.at_value, v.line, e.to_string());
                        None
                    }
                    None => None,
                };
                let period = match measure.period_for(v.period, recorded.today, recorded.year) {
                    Ok(p) => p,
                    Err(e) => {
                        problem(SheetKind::Values, &v.at_period, v.line, e.to_string());
                        continue;
                    }
                };
                if let Some(first) = first_seen(&mut seen, (v.code.clone(), period.start), v.line) {
                    let word = v.line_word;
                    problem(
                        SheetKind::Values,
                        &v.at_period,
                        v.line,
                        format!(
                            "{} already has a value for {} on {word} {first}; give one value per period",
                            v.code,
                            period.label(recorded.year)
                        ),
                    );
                    continue;
                }
                if let Some(value) = value {
                    let note = v.note.clone();
                    out.values
                        .push((measure.code.clone(), period.start, value, note));
                }
            }
        }
        if let Some(sheet) = &self.risks {
            for row in &sheet.rows {
                let mut r = row.risk.clone();
                let old = recorded.risks.iter().find(|o| o.code == r.code);
                if let Some(old) = old {
                    keep_absent_risk(&mut r, old, &sheet.has);
                }
                let unknown = missing_refs(&r.mitigations, old.map_or(&[], |o| &o.mitigations));
                if !unknown.is_empty() && actions_readable {
                    let reason = no_such_actions(&unknown);
                    problem(SheetKind::Risks, &row.at_mitigations, row.line, reason);
                }
                out.risks.push((r, row.rating));
            }
        }
        problems.into_result()?;
        Ok(out)
    }
}

/// The line a key was first seen on, if before this one; the first stays
/// the one every later duplicate names.
fn first_seen<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, usize>,
    key: K,
    line: usize,
) -> Option<usize> {
    match seen.entry(key) {
        std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
        std::collections::hash_map::Entry::Vacant(v) => {
            v.insert(line);
            None
        }
    }
}

fn no_such_actions(refs: &[String]) -> String {
    let (s, verb) = if refs.len() == 1 {
        ("", "is")
    } else {
        ("s", "are")
    };
    format!(
        "action{s} {} {verb} not in the plan (nor in this import)",
        refs.join(", ")
    )
}

fn keep_absent_measure(m: &mut Measure, old: &Measure, has: &[Col]) {
    let absent = |c: Col| !has.contains(&c);
    if absent(Col::Outcome) {
        m.outcome = old.outcome.clone();
    }
    if absent(Col::Priority) {
        m.priority = old.priority;
    }
    if absent(Col::Recommendations) {
        m.recommendations = old.recommendations.clone();
    }
    if absent(Col::Owners) {
        m.owners = old.owners.clone();
    }
    if absent(Col::Frequency) {
        m.frequency = old.frequency;
    }
    if absent(Col::Tolerance) {
        m.tolerance = old.tolerance;
    }
}

fn keep_absent_risk(r: &mut Risk, old: &Risk, has: &[Col]) {
    let absent = |c: Col| !has.contains(&c);
    if absent(Col::Cause) {
        r.cause = old.cause.clone();
    }
    if absent(Col::Consequence) {
        r.consequence = old.consequence.clone();
    }
    if absent(Col::Owners) {
        r.owners = old.owners.clone();
    }
    if absent(Col::Mitigations) {
        r.mitigations = old.mitigations.clone();
    }
    if absent(Col::NextReview) {
        r.next_review = old.next_review;
    }
}

/// Reads one register sheet's rows as they come.
pub(super) struct RegisterReader<'a> {
    pub kind: SheetKind,
    cols: &'a RegisterColumns,
    year: YearStart,
    codes: HashMap<String, usize>,
    outcomes: Vec<OutcomeRow>,
    measures: Vec<MeasureRow>,
    values: Vec<ValueRow>,
    risks: Vec<RiskRow>,
}

/// What one register sheet gave.
pub(super) enum RegisterSheet {
    Outcomes(Sheet<OutcomeRow>),
    Measures(Sheet<MeasureRow>),
    Values(Sheet<ValueRow>),
    Risks(Sheet<RiskRow>),
}

impl<'a> RegisterReader<'a> {
    pub fn new(kind: SheetKind, cols: &'a RegisterColumns, year: YearStart) -> Self {
        RegisterReader {
            kind,
            cols,
            year,
            codes: HashMap::new(),
            outcomes: Vec::new(),
            measures: Vec::new(),
            values: Vec::new(),
            risks: Vec::new(),
        }
    }

    pub fn push(&mut self, row: &Row, report: &mut Report) {
        let mut cell = Cells {
            kind: self.kind,
            cols: self.cols,
            row,
            report,
            year: self.year,
        };
        match self.kind {
            SheetKind::Outcomes => {
                let Some(code) = cell.code(Col::Code, &mut self.codes) else {
                    return;
                };
                let outcome = Outcome {
                    code,
                    statement: cell.required(Col::Name),
                    priority: cell.priority(),
                    actions: cell.refs(Col::Actions),
                };
                let at_actions = cell.at(Col::Actions);
                self.outcomes.push(OutcomeRow {
                    outcome,
                    line: row.line,
                    at_actions,
                });
            }
            SheetKind::Measures => {
                if let Some(measure) = cell.measure(&mut self.codes) {
                    self.measures.push(MeasureRow {
                        measure,
                        line: row.line,
                        at_unit: cell.at(Col::Unit),
                        at_frequency: cell.at(Col::Frequency),
                        frequency_given: !text(row, self.cols.get(Col::Frequency)).is_empty(),
                    });
                }
            }
            SheetKind::Values => {
                let code = text(row, self.cols.get(Col::Measure)).to_uppercase();
                if code.is_empty() {
                    cell.error(Col::Measure, "the measure's code is empty".into());
                }
                let period = cell.period();
                let value = row.cell(self.cols.get(Col::Value).unwrap_or(usize::MAX));
                if value.is_none() {
                    cell.error(Col::Value, "the value is empty".into());
                }
                // A row without its value still counts for duplicates.
                if let (Some(period), false) = (period, code.is_empty()) {
                    // Our export quotes a negative number ('-3) so that no
                    // spreadsheet runs it; the quote comes off here.
                    let value = value.map(|value| match value {
                        Cell::Text(_) => Cell::Text(text(row, self.cols.get(Col::Value))),
                        other => other.clone(),
                    });
                    self.values.push(ValueRow {
                        code,
                        period,
                        value,
                        note: Some(text(row, self.cols.get(Col::Note))).filter(|n| !n.is_empty()),
                        line: row.line,
                        line_word: cell.report.kind.line_word(),
                        at_code: cell.at(Col::Measure),
                        at_period: cell.at(Col::Period),
                        at_value: cell.at(Col::Value),
                    });
                }
            }
            SheetKind::Risks => {
                let Some(code) = cell.code(Col::Code, &mut self.codes) else {
                    return;
                };
                let risk = Risk {
                    code,
                    title: cell.required(Col::Name),
                    cause: text(row, self.cols.get(Col::Cause)),
                    consequence: text(row, self.cols.get(Col::Consequence)),
                    owners: cell.names(Col::Owners),
                    mitigations: cell.refs(Col::Mitigations),
                    next_review: cell.date(Col::NextReview),
                };
                let rating = cell.rating();
                let at_mitigations = cell.at(Col::Mitigations);
                self.risks.push(RiskRow {
                    risk,
                    line: row.line,
                    rating,
                    at_mitigations,
                });
            }
            SheetKind::Actions | SheetKind::Recommendations => {}
        }
    }

    pub fn finish(self) -> RegisterSheet {
        let has: Vec<Col> = [
            Col::Priority,
            Col::Actions,
            Col::Outcome,
            Col::Recommendations,
            Col::Owners,
            Col::Frequency,
            Col::Tolerance,
            Col::Cause,
            Col::Consequence,
            Col::Mitigations,
            Col::NextReview,
            Col::Note,
        ]
        .into_iter()
        .filter(|c| self.cols.has(*c))
        .collect();
        match self.kind {
            SheetKind::Outcomes => RegisterSheet::Outcomes(Sheet {
                rows: self.outcomes,
                has,
            }),
            SheetKind::Measures => RegisterSheet::Measures(Sheet {
                rows: self.measures,
                has,
            }),
            SheetKind::Risks => RegisterSheet::Risks(Sheet {
                rows: self.risks,
                has,
            }),
            _ => RegisterSheet::Values(Sheet {
                rows: self.values,
                has,
            }),
        }
    }
}

/// One row's cells, read with their problems reported in place.
struct Cells<'r> {
    kind: SheetKind,
    cols: &'r RegisterColumns,
    row: &'r Row,
    report: &'r mut Report,
    year: YearStart,
}

impl Cells<'_> {
    fn at(&self, col: Col) -> String {
        let name = RegisterColumns::name(self.kind, col);
        self.report
            .locate_named(self.row.line, self.cols.get(col), Some(name))
    }

    fn error(&mut self, col: Col, reason: String) {
        let name = RegisterColumns::name(self.kind, col);
        self.report
            .error_named(self.row.line, self.cols.get(col), name, reason);
    }

    fn text(&self, col: Col) -> String {
        text(self.row, self.cols.get(col))
    }

    fn cell(&self, col: Col) -> Option<&Cell> {
        self.cols.get(col).and_then(|c| self.row.cell(c))
    }

    /// A code, once per sheet.
    fn code(&mut self, col: Col, seen: &mut HashMap<String, usize>) -> Option<String> {
        let code = self.text(col).to_uppercase();
        if code.is_empty() {
            self.error(col, "the code is empty".into());
            return None;
        }
        if let Some(first) = first_seen(seen, code.clone(), self.row.line) {
            let word = self.report.kind.line_word();
            self.error(col, format!("{code} is already on {word} {first}"));
        }
        Some(code)
    }

    fn required(&mut self, col: Col) -> String {
        let t = self.text(col);
        if t.is_empty() {
            let name = RegisterColumns::name(self.kind, col);
            self.error(col, format!("the {} is empty", name.to_lowercase()));
        }
        t
    }

    fn names(&mut self, col: Col) -> Vec<String> {
        let (names, doubts) = super::leads::split_leads(&self.text(col));
        for doubt in doubts {
            let at = self.at(col);
            self.report.warn(format!("{at}: {}", doubt.warning()));
        }
        names
    }

    /// Action refs: "1.1, 4.2; 6.3".
    fn refs(&self, col: Col) -> Vec<String> {
        self.text(col)
            .split([';', ',', '\n'])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn priority(&mut self) -> Option<u32> {
        let t = self.text(Col::Priority);
        if t.is_empty() {
            return None;
        }
        let digits: String = t
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let n = digits.parse().ok();
        if n.is_none() {
            self.error(Col::Priority, format!("\"{t}\" names no priority number"));
        }
        n
    }

    /// A number, written as the measure's `unit` has it where that is
    /// known: "28%" is no baseline for a count, as it is no value for one.
    fn number(&mut self, col: Col, unit: Option<Unit>) -> Option<f64> {
        let n = match (self.cell(col)?, unit) {
            (Cell::Number(n), _) => Ok(*n),
            (_, Some(unit)) => {
                let raw = self.text(col);
                unit.read(&raw).map_err(|e| e.to_string())
            }
            (_, None) => {
                let raw = self.text(col);
                let t = raw.replace([',', '%', '£'], "");
                t.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("\"{raw}\" is not a number"))
            }
        };
        match n {
            Ok(n) if n.is_finite() => Some(n),
            Ok(n) => {
                self.error(col, format!("\"{n}\" is not a number"));
                None
            }
            Err(e) => {
                self.error(col, e);
                None
            }
        }
    }

    fn date(&mut self, col: Col) -> Option<NaiveDate> {
        due_of(self.cell(col), self.year).unwrap_or_else(|e| {
            self.error(col, e);
            None
        })
    }

    /// A month ("Apr 2019", "April 2019"), a quarter ("Q1 19/20") or a
    /// date: the period is the measure's month or quarter that holds it.
    fn period(&mut self) -> Option<Written> {
        let cell = self.cell(Col::Period).cloned();
        let parsed = match &cell {
            None => Err("the period is empty".to_string()),
            Some(Cell::Date(d)) => Ok(Written::day(*d)),
            Some(Cell::Number(n)) => excel_serial_date(*n)
                .filter(|_| (20_000.0..80_000.0).contains(n))
                .map(Written::day)
                .ok_or_else(|| format!("{n} is not a month, quarter or date")),
            Some(Cell::Text(t)) => read_period(t, self.year).map_err(|e| e.to_string()),
        };
        parsed.map_err(|e| self.error(Col::Period, e)).ok()
    }

    fn measure(&mut self, seen: &mut HashMap<String, usize>) -> Option<Measure> {
        let code = self.code(Col::Code, seen)?;
        let name = self.required(Col::Name);
        let unit_text = self.text(Col::Unit);
        let unit = Unit::parse(&unit_text).or_else(|| {
            self.error(
                Col::Unit,
                format!("\"{unit_text}\" is not a unit: number, %, days or £"),
            );
            None
        });
        let better_text = self.text(Col::Better);
        let better = Better::parse(&better_text).or_else(|| {
            self.error(
                Col::Better,
                format!("\"{better_text}\" is not a direction: higher or lower (is better)"),
            );
            None
        });
        let frequency_text = self.text(Col::Frequency);
        let frequency = if frequency_text.is_empty() {
            Some(Frequency::Monthly)
        } else {
            Frequency::parse(&frequency_text).or_else(|| {
                self.error(
                    Col::Frequency,
                    format!("\"{frequency_text}\" is not a frequency: monthly or quarterly"),
                );
                None
            })
        };
        let need = |cells: &mut Self, col: Col, what: &str| {
            let v = cells.number(col, unit);
            if v.is_none() && cells.cell(col).is_none() {
                cells.error(col, format!("the {what} is empty"));
            }
            v
        };
        let baseline = need(self, Col::Baseline, "baseline");
        let target = need(self, Col::Target, "target");
        let need_date = |cells: &mut Self, col: Col, what: &str| {
            let d = cells.date(col);
            if cells.cell(col).is_none() {
                cells.error(col, format!("the {what} is empty"));
            }
            d
        };
        let baseline_date = need_date(self, Col::BaselineDate, "baseline date");
        let target_date = need_date(self, Col::TargetDate, "target date");
        let tolerance = self.number(Col::Tolerance, unit).unwrap_or(0.0);
        let recommendations = split_codes(&self.text(Col::Recommendations)).unwrap_or_else(|e| {
            self.error(Col::Recommendations, e);
            Vec::new()
        });
        let outcome = Some(self.text(Col::Outcome).to_uppercase()).filter(|o| !o.is_empty());
        let priority = self.priority();
        let owners = self.names(Col::Owners);
        let measure = Measure {
            code,
            name,
            unit: unit?,
            outcome,
            priority,
            recommendations,
            owners,
            frequency: frequency?,
            baseline: baseline?,
            baseline_date: baseline_date?,
            target: target?,
            target_date: target_date?,
            better: better?,
            tolerance,
        };
        for p in measure.problems() {
            let col = if p.contains("target date") {
                Col::TargetDate
            } else if p.contains("tolerance") {
                Col::Tolerance
            } else if p.starts_with("the baseline") {
                Col::Baseline
            } else {
                Col::Target
            };
            self.error(col, p);
        }
        Some(measure)
    }

    /// Likelihood and impact, both or neither.
    fn rating(&mut self) -> Option<Rating> {
        let l = self.score(Col::Likelihood);
        let i = self.score(Col::Impact);
        match (l, i) {
            (Some(Some(l)), Some(Some(i))) => Rating::new(l, i).ok(),
            (Some(Some(_)), None) => {
                self.error(Col::Impact, "give the impact with the likelihood".into());
                None
            }
            (None, Some(Some(_))) => {
                self.error(
                    Col::Likelihood,
                    "give the likelihood with the impact".into(),
                );
                None
            }
            _ => None,
        }
    }

    /// `None` for an empty cell, `Some(None)` for a bad one (reported).
    fn score(&mut self, col: Col) -> Option<Option<i64>> {
        self.cell(col)?;
        let n = self.number(col, None)?;
        let what = if col == Col::Likelihood {
            "likelihood"
        } else {
            "impact"
        };
        if n.fract() != 0.0 || !(1.0..=5.0).contains(&n) {
            self.error(col, format!("the {what} must be 1 to 5, not {n}"));
            return Some(None);
        }
        Some(Some(n as i64))
    }
}
