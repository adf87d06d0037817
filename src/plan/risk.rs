//! The risk register: each risk's likelihood and impact (1 to 5), scored as
//! their product and banded as on the usual 5x5 matrix, reviewed over time.

use chrono::NaiveDate;
use serde::Serialize;

/// A risk as the register states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Risk {
    /// Its code in the register, such as R1.
    pub code: String,
    pub title: String,
    pub cause: String,
    pub consequence: String,
    pub owners: Vec<String>,
    /// The actions that mitigate it, by reference.
    pub mitigations: Vec<String>,
    pub next_review: Option<NaiveDate>,
}

/// Likelihood and impact, each 1 (rare, negligible) to 5 (almost certain,
/// catastrophic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub likelihood: u8,
    pub impact: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be 1 to 5, not {value}")]
pub struct RatingError {
    pub what: &'static str,
    pub value: i64,
}

/// The bands of the 5x5 matrix used across the NHS and local government
/// (1-3 low, 4-6 moderate, 8-12 high, 15-25 extreme).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Low,
    Moderate,
    High,
    Extreme,
}

impl Band {
    pub fn word(self) -> &'static str {
        match self {
            Band::Low => "Low",
            Band::Moderate => "Moderate",
            Band::High => "High",
            Band::Extreme => "Extreme",
        }
    }
}

impl Rating {
    pub fn new(likelihood: i64, impact: i64) -> Result<Rating, RatingError> {
        let check = |what, value: i64| {
            u8::try_from(value)
                .ok()
                .filter(|v| (1..=5).contains(v))
                .ok_or(RatingError { what, value })
        };
        Ok(Rating {
            likelihood: check("likelihood", likelihood)?,
            impact: check("impact", impact)?,
        })
    }

    pub fn score(self) -> u8 {
        self.likelihood * self.impact
    }

    pub fn band(self) -> Band {
        match self.score() {
            0..=3 => Band::Low,
            4..=6 => Band::Moderate,
            7..=12 => Band::High,
            _ => Band::Extreme,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_banded_as_on_the_five_by_five_matrix() {
        assert_eq!(Rating::new(1, 3).unwrap().band(), Band::Low);
        assert_eq!(Rating::new(2, 3).unwrap().band(), Band::Moderate);
        assert_eq!(Rating::new(3, 4).unwrap().band(), Band::High);
        assert_eq!(Rating::new(4, 4).unwrap().score(), 16);
        assert_eq!(Rating::new(4, 4).unwrap().band(), Band::Extreme);
        assert!(Rating::new(0, 3).is_err());
        assert!(Rating::new(3, 6).is_err());
    }
}
