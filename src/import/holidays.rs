//! The UK bank holidays file as gov.uk publishes it
//! (https://www.gov.uk/bank-holidays.json): one object per division, each
//! with its events. Read strictly: a file of another shape is refused with
//! where it went wrong, never half-read.

use crate::schedule::{Division, Holiday};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HolidaysError {
    /// Not JSON, or JSON of another shape: where, and what was expected.
    #[error("line {line}, column {column}: {reason}")]
    Shape {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error(
        "\"{0}\" is not a division gov.uk publishes (england-and-wales, scotland, northern-ireland)"
    )]
    UnknownDivision(String),
    #[error("the {0} entry names the division \"{1}\"")]
    Mismatch(String, String),
    #[error("the file lists no bank holidays")]
    Empty,
    #[error("{0} lists {1} twice")]
    Twice(String, chrono::NaiveDate),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DivisionFile {
    division: String,
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    title: String,
    date: NaiveDate,
    // gov.uk also sends `notes` and `bunting`; they say nothing planbot uses.
    #[serde(default, rename = "notes")]
    _notes: serde::de::IgnoredAny,
    #[serde(default, rename = "bunting")]
    _bunting: serde::de::IgnoredAny,
}

pub fn parse_holidays(text: &str) -> Result<Vec<Holiday>, HolidaysError> {
    // Windows tools often save JSON with a byte-order mark; it is not data.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(HolidaysError::Empty);
    }
    let file: BTreeMap<String, DivisionFile> =
        serde_json::from_str(text).map_err(|e| HolidaysError::Shape {
            line: e.line(),
            column: e.column(),
            reason: describe(&e),
        })?;
    let mut out = Vec::new();
    for (key, entry) in file {
        let division =
            Division::parse(&key).ok_or_else(|| HolidaysError::UnknownDivision(key.clone()))?;
        if entry.division != key {
            return Err(HolidaysError::Mismatch(key, entry.division));
        }
        let mut seen = std::collections::BTreeSet::new();
        for e in entry.events {
            if !seen.insert(e.date) {
                return Err(HolidaysError::Twice(key, e.date));
            }
            out.push(Holiday {
                division,
                day: e.date,
                title: e.title.trim().to_string(),
            });
        }
    }
    if out.is_empty() {
        return Err(HolidaysError::Empty);
    }
    Ok(out)
}

/// What went wrong, in words; where is said by the caller.
fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax => "this is not JSON (gov.uk's bank-holidays.json is)".into(),
        Category::Eof => "the file ends before its JSON does (cut short?)".into(),
        Category::Data | Category::Io => {
            // serde's message, without its own "at line L column C".
            let text = e.to_string();
            let reason = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(reason, _)| reason);
            format!("{reason} (expected gov.uk's bank-holidays.json)")
        }
    }
}
