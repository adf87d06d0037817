//! RAG status, and the many ways people write it in a spreadsheet.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    Green,
    Amber,
    Red,
    Complete,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a status (use Not started, Green, Amber, Red or Complete)")]
pub struct UnknownStatus(pub String);

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Red,
        Status::Amber,
        Status::Green,
        Status::NotStarted,
        Status::Complete,
    ];

    /// The value kept in the database and in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::Green => "green",
            Status::Amber => "amber",
            Status::Red => "red",
            Status::Complete => "complete",
        }
    }

    /// What a reader sees; the word always goes with any colour, so RAG never
    /// depends on colour alone.
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "Not started",
            Status::Green => "Green",
            Status::Amber => "Amber",
            Status::Red => "Red",
            Status::Complete => "Complete",
        }
    }

    /// What the colour means, for people new to RAG.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::Green => "on track",
            Status::Amber => "at risk",
            Status::Red => "off track",
            Status::Complete => "complete",
        }
    }

    /// Red first: the order boards read a plan in.
    pub fn severity(self) -> u8 {
        match self {
            Status::Red => 0,
            Status::Amber => 1,
            Status::Green => 2,
            Status::NotStarted => 3,
            Status::Complete => 4,
        }
    }

    pub fn is_open(self) -> bool {
        self != Status::Complete
    }

    /// Reads the words people write. An empty cell means not started.
    pub fn parse(text: &str) -> Result<Status, UnknownStatus> {
        match text.trim() {
            "🔴" => return Ok(Status::Red),
            "🟠" | "🟡" => return Ok(Status::Amber),
            "🟢" => return Ok(Status::Green),
            "✅" | "✓" | "✔" => return Ok(Status::Complete),
            _ => {}
        }
        let key: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let status = match key.as_str() {
            "" if !text.trim().is_empty() => return Err(UnknownStatus(text.trim().to_string())),
            "" | "ns" | "notstarted" | "notyetstarted" | "notyetdue" | "planned" | "tbc" => {
                Status::NotStarted
            }
            "g" | "green" | "ontrack" | "ontarget" => Status::Green,
            "a" | "amber" | "atrisk" | "someslippage" | "slipping" => Status::Amber,
            "r" | "red" | "offtrack" | "delayed" | "overdue" | "behind" => Status::Red,
            "c" | "complete" | "completed" | "done" | "closed" | "achieved" | "b" | "blue" => {
                Status::Complete
            }
            _ => return Err(UnknownStatus(text.trim().to_string())),
        };
        Ok(status)
    }

    /// Whether moving from `self` to `to` is progress (+1), a decline (-1) or neither.
    pub fn movement(self, to: Status) -> i8 {
        let rank = |s: Status| match s {
            Status::Red => 0,
            Status::Amber => 1,
            Status::NotStarted | Status::Green => 2,
            Status::Complete => 3,
        };
        (rank(to) as i8 - rank(self) as i8).signum()
    }
}

impl FromStr for Status {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::parse(s)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
