//! Outcomes, measures and risks for the Kirklees example, for tests that
//! need some before the example's own sheets are imported.

use chrono::{DateTime, NaiveDate, Utc};
use planbot::plan::Plan;
use planbot::plan::measure::{Better, Frequency, Measure, Unit};
use planbot::plan::outcome::Outcome;
use planbot::plan::risk::{Rating, Risk};
use planbot::store::{Register, RegisterSource, Store};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a date")
}

/// Two outcomes, three measures (one per unit kind that matters) owned by
/// Ophelia Rix and Steve Comer, and three risks (Cheshire East's).
pub fn small_register() -> Register {
    let measure =
        |code: &str, name: &str, unit, better, baseline, target, owners: &[&str]| Measure {
            code: code.into(),
            name: name.into(),
            unit,
            outcome: Some("OC1".into()),
            priority: Some(1),
            recommendations: vec!["O1".into()],
            owners: owners.iter().map(|s| s.to_string()).collect(),
            frequency: Frequency::Monthly,
            baseline,
            baseline_date: d(2018, 9, 30),
            target,
            target_date: d(2019, 9, 30),
            better,
            tolerance: 5.0,
        };
    let risk = |code: &str, title: &str, owners: &[&str]| Risk {
        code: code.into(),
        title: title.into(),
        cause: String::new(),
        consequence: String::new(),
        owners: owners.iter().map(|s| s.to_string()).collect(),
        mitigations: vec!["1.1".into()],
        next_review: Some(d(2019, 6, 30)),
    };
    Register {
        outcomes: vec![Outcome {
            code: "OC1".into(),
            statement: "More children are supported to stay safely at home".into(),
            priority: Some(1),
            actions: vec!["1.1".into()],
        }],
        measures: vec![
            measure(
                "M1",
                "Assessments within 45 days",
                Unit::Percent,
                Better::Higher,
                62.0,
                85.0,
                &["Ophelia Rix"],
            ),
            measure(
                "M2",
                "Agency social workers",
                Unit::Number,
                Better::Lower,
                48.0,
                20.0,
                &["Steve Comer"],
            ),
            measure(
                "M3",
                "Days to first visit",
                Unit::Days,
                Better::Lower,
                12.0,
                5.0,
                &["Ophelia Rix"],
            ),
        ],
        risks: vec![
            (
                risk(
                    "R1",
                    "Recruitment and retention of social workers and practice managers",
                    &["Steve Comer"],
                ),
                Rating::new(4, 4).ok(),
            ),
            (
                risk(
                    "R2",
                    "Partnership engagement and pace of improvement",
                    &["Ophelia Rix"],
                ),
                Rating::new(3, 3).ok(),
            ),
            (
                risk("R3", "Managing increased demand", &["Steve Comer"]),
                Rating::new(3, 4).ok(),
            ),
        ],
        values: vec![
            ("M1".into(), d(2018, 10, 1), 64.0, None),
            ("M1".into(), d(2018, 11, 1), 66.0, None),
            ("M2".into(), d(2018, 10, 1), 47.0, None),
        ],
        notes_given: false,
    }
}

pub async fn save_small_register(store: &Store, plan: &Plan, at: DateTime<Utc>) {
    let source = RegisterSource {
        by: "import of the test register".into(),
        at,
    };
    store
        .save_register(plan, &small_register(), &source)
        .await
        .expect("the register saves");
}
