//! Writing outcomes, measures, values, risks and recommendations back to CSV,
//! one file per kind, in the columns the importer reads, so that a file
//! exported and imported again gives the same data.

use super::neutralise_formula;
use crate::plan::measure::Measure;
use crate::plan::outcome::{DEFAULT_BODY, Outcome};
use crate::plan::risk::{Rating, Risk};
use crate::plan::{Recommendation, YearStart};
use chrono::NaiveDate;

/// A value as exported: measure, period's first day, value, note.
pub type ExportedValue = (String, NaiveDate, f64, Option<String>);

fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record(header).expect("writing to memory");
    for row in rows {
        out.write_record(row.iter().map(|c| neutralise_formula(c)))
            .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("written from strings")
}

fn number(n: f64) -> String {
    format!("{n}")
}

pub fn outcomes_csv(outcomes: &[Outcome]) -> String {
    write(
        &["Code", "Outcome", "Priority", "Actions"],
        outcomes.iter().map(|o| {
            vec![
                o.code.clone(),
                o.statement.clone(),
                o.priority.map(|p| p.to_string()).unwrap_or_default(),
                o.actions.join("; "),
            ]
        }),
    )
}

pub fn measures_csv(measures: &[Measure]) -> String {
    let header = [
        "Code",
        "Measure",
        "Unit",
        "Outcome",
        "Priority",
        "Recommendations",
        "Owners",
        "Frequency",
        "Baseline",
        "Baseline date",
        "Target",
        "Target date",
        "Better",
        "Tolerance",
    ];
    write(
        &header,
        measures.iter().map(|m| {
            vec![
                m.code.clone(),
                m.name.clone(),
                m.unit.as_str().to_string(),
                m.outcome.clone().unwrap_or_default(),
                m.priority.map(|p| p.to_string()).unwrap_or_default(),
                m.recommendations.join(", "),
                m.owners.join("; "),
                m.frequency.as_str().to_string(),
                number(m.baseline),
                m.baseline_date.to_string(),
                number(m.target),
                m.target_date.to_string(),
                m.better.as_str().to_string(),
                number(m.tolerance),
            ]
        }),
    )
}

/// Each period as the board names it: "Apr 2019", or "Q1 19/20".
pub fn values_csv(measures: &[Measure], values: &[ExportedValue], year: YearStart) -> String {
    write(
        &["Measure", "Period", "Value", "Note"],
        values.iter().map(|(code, start, value, note)| {
            let frequency = measures
                .iter()
                .find(|m| &m.code == code)
                .map_or(crate::plan::measure::Frequency::Monthly, |m| m.frequency);
            let period = crate::plan::measure::Period {
                start: *start,
                frequency,
            };
            vec![
                code.clone(),
                period.label(year),
                number(*value),
                note.clone().unwrap_or_default(),
            ]
        }),
    )
}

pub fn risks_csv(risks: &[(Risk, Option<Rating>)]) -> String {
    let header = [
        "Code",
        "Risk",
        "Cause",
        "Consequence",
        "Owners",
        "Likelihood",
        "Impact",
        "Mitigating actions",
        "Next review",
    ];
    write(
        &header,
        risks.iter().map(|(r, rating)| {
            vec![
                r.code.clone(),
                r.title.clone(),
                r.cause.clone(),
                r.consequence.clone(),
                r.owners.join("; "),
                rating.map(|x| x.likelihood.to_string()).unwrap_or_default(),
                rating.map(|x| x.impact.to_string()).unwrap_or_default(),
                r.mitigations.join("; "),
                r.next_review.map(|d| d.to_string()).unwrap_or_default(),
            ]
        }),
    )
}

pub fn recommendations_csv(recommendations: &[Recommendation]) -> String {
    write(
        &["Code", "Recommendation", "Body"],
        recommendations.iter().map(|r| {
            vec![
                r.code.clone(),
                r.text.clone().unwrap_or_default(),
                r.body.clone().unwrap_or_else(|| DEFAULT_BODY.to_string()),
            ]
        }),
    )
}
