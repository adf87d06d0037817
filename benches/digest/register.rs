//! A large register for the digest bench: 500 measures with five years of
//! monthly values and 200 risks reviewed every quarter, written as twenty
//! quarterly imports so that the as-of reads have a history to sift.

use chrono::{Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use planbot::plan::Plan;
use planbot::plan::measure::{Better, Frequency, Measure, Unit};
use planbot::plan::outcome::Outcome;
use planbot::plan::risk::{Rating, Risk};
use planbot::store::{Register, RegisterSource, Store};

const MEASURES: usize = 500;
const RISKS: usize = 200;
const OUTCOMES: usize = 20;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn definitions() -> (Vec<Outcome>, Vec<Measure>, Vec<Risk>) {
    let outcomes = (0..OUTCOMES)
        .map(|o| Outcome {
            code: format!("OC{}", o + 1),
            statement: format!("Outcome number {} for children and families", o + 1),
            priority: Some(o as u32 % 10 + 1),
            actions: (0..5)
                .map(|k| format!("{}.{}", o % 10 + 1, o * 5 + k))
                .collect(),
        })
        .collect();
    let measures = (0..MEASURES)
        .map(|i| Measure {
            code: format!("M{}", i + 1),
            name: format!("Performance measure number {}", i + 1),
            unit: Unit::Percent,
            outcome: Some(format!("OC{}", i % OUTCOMES + 1)),
            priority: Some(i as u32 % 10 + 1),
            recommendations: vec![],
            owners: vec![format!("Lead {}", i % 2000)],
            frequency: Frequency::Monthly,
            baseline: 40.0,
            baseline_date: day(2014, 3, 31),
            target: 80.0,
            target_date: day(2020, 3, 31),
            better: if i % 2 == 0 {
                Better::Higher
            } else {
                Better::Lower
            },
            tolerance: 5.0,
        })
        .collect();
    let risks = (0..RISKS)
        .map(|i| Risk {
            code: format!("R{}", i + 1),
            title: format!("Risk number {} to the pace of improvement", i + 1),
            cause: String::new(),
            consequence: String::new(),
            owners: vec![format!("Lead {}", i % 2000)],
            mitigations: vec![],
            next_review: Some(day(2019, 6, 30)),
        })
        .collect();
    (outcomes, measures, risks)
}

/// Writes the register: each quarter from Q1 14/15 to Q4 18/19, ten days
/// after it ends, its three months' values and a review of every risk.
pub async fn save_large_register(store: &Store, plan: &Plan) -> usize {
    let (outcomes, measures, risks) = definitions();
    let mut written = 0;
    for q in 0..20u32 {
        let first = day(2014, 4, 1) + Months::new(3 * q);
        let end = first + Months::new(3) - Duration::days(1);
        let mut values = Vec::new();
        for (i, m) in measures.iter().enumerate() {
            for k in 0..3 {
                let month = first + Months::new(k);
                let wobble = ((i * 7 + month.month() as usize * 13) % 17) as f64;
                values.push((m.code.clone(), month, 40.0 + q as f64 * 1.5 + wobble, None));
            }
        }
        written += values.len();
        let rated = risks
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let l = (i + q as usize) % 5 + 1;
                let im = (i * 3 + q as usize) % 5 + 1;
                (r.clone(), Rating::new(l as i64, im as i64).ok())
            })
            .collect();
        let register = Register {
            outcomes: outcomes.clone(),
            measures: measures.clone(),
            risks: rated,
            values,
            notes_given: false,
        };
        let at = Utc.from_utc_datetime(
            &(end + Duration::days(10))
                .and_hms_opt(9, 0, 0)
                .expect("09:00"),
        );
        let source = RegisterSource {
            by: "bench".into(),
            at,
        };
        store
            .save_register(plan, &register, &source)
            .await
            .expect("the register saves");
    }
    written
}
