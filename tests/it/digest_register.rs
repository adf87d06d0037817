//! The digest of a plan with outcomes, measures and risks (the small test
//! register on the Kirklees example) at Q4 18/19: the new sections in every
//! format, their order, arrows and words, the pictures, and the past as it
//! stood (a value and a review written in April are not in the Q4 pack).

use crate::digest::example_with_history;
use crate::digest_render::{html5_problems, keep, nu_validate};
use crate::helpers::*;
use planbot::digest::{self, Digest, Format, HEAT_MAP_SIZE};
use planbot::plan::Plan;
use planbot::plan::measure::{Frequency, Period};
use planbot::plan::risk::Rating;
use planbot::store::{ReviewRequest, Store, StoreError, ValueRequest};
use planbot_testkit::save_small_register;

async fn value(
    store: &Store,
    plan: &Plan,
    code: &str,
    month: (i32, u32),
    v: f64,
    at: (i32, u32, u32),
) {
    let period = Period {
        start: date(month.0, month.1, 1),
        frequency: Frequency::Monthly,
    };
    store
        .record_value(plan, code, |_| {
            Ok::<_, StoreError>(ValueRequest {
                period,
                value: v,
                note: None,
                by: "Ophelia Rix".into(),
                by_discord_id: None,
                at: utc(at.0, at.1, at.2, 9, 0),
                correction: false,
            })
        })
        .await
        .unwrap();
}

async fn review(store: &Store, plan: &Plan, code: &str, (l, i): (i64, i64), at: (i32, u32, u32)) {
    store
        .review_risk(plan, code, |_| {
            Ok::<_, StoreError>(ReviewRequest {
                rating: Rating::new(l, i).unwrap(),
                note: None,
                by: "Steve Comer".into(),
                by_discord_id: None,
                at: utc(at.0, at.1, at.2, 9, 0),
                next_review: None,
            })
        })
        .await
        .unwrap();
}

/// The register as saved on 1 December 2018 (so rated before Q3 ended),
/// then a December value, a March review and, after Q4, April changes.
async fn q4_with_register() -> Digest {
    let (db, plan) = example_with_history().await;
    save_small_register(&db.store, &plan, utc(2018, 12, 1, 9, 0)).await;
    value(&db.store, &plan, "M1", (2018, 12), 60.0, (2019, 1, 10)).await;
    review(&db.store, &plan, "R2", (4, 4), (2019, 3, 10)).await;
    // After the quarter: not in its pack.
    value(&db.store, &plan, "M2", (2019, 3), 30.0, (2019, 4, 5)).await;
    review(&db.store, &plan, "R1", (2, 2), (2019, 4, 5)).await;
    let now = utc(2019, 4, 12, 9, 0);
    let q = plan.year_start.parse_quarter("Q4 18/19").unwrap();
    digest::make(
        &db.store,
        &plan,
        q,
        digest::quarter_as_of(&plan, q, now),
        now,
    )
    .await
    .unwrap()
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is missing from:\n{text}"))
}

#[tokio::test]
async fn measures_come_off_target_first_with_arrows_and_words_as_they_stood() {
    let d = q4_with_register().await;
    let codes: Vec<&str> = d
        .register
        .measures
        .iter()
        .map(|m| m.code.as_str())
        .collect();
    assert_eq!(codes, ["M1", "M2", "M3"], "red, amber, then no value");
    let m1 = d.register.measures[0].latest.as_ref().unwrap();
    assert_eq!((m1.period.as_str(), m1.value), ("Dec 2018", 60.0));
    assert_eq!(m1.travel_text(), "↓ worsening since the previous value");
    let m2 = d.register.measures[1].latest.as_ref().unwrap();
    assert_eq!(
        m2.period, "Oct 2018",
        "the April value for March is not known at Q4's end"
    );
    assert_eq!(m2.travel_text(), "↑ improving since the baseline");
    assert!(d.register.measures[2].latest.is_none());

    let md = digest::render_markdown(&d);
    let (outcomes, risks) = (
        position(&md, "## Outcomes and measures"),
        position(&md, "## Risk register"),
    );
    assert!(outcomes < risks && risks < position(&md, "## Recommendation coverage"));
    position(
        &md,
        "### OC1: More children are supported to stay safely at home",
    );
    assert!(position(&md, "| M1 Assessments") < position(&md, "| M2 Agency"));
    position(
        &md,
        "| 60% | Dec 2018 | 85% by 30 Sep 2019 | Red | ↓ worsening since the previous value |",
    );
    position(&md, "| no value yet |");
    position(&md, "Actions: 1.1 (");
}

#[tokio::test]
async fn the_register_is_by_score_with_its_change_since_last_quarter() {
    let d = q4_with_register().await;
    let risks: Vec<(&str, Option<u8>, String)> = d
        .register
        .risks
        .iter()
        .map(|r| (r.code.as_str(), r.score(), r.change_text()))
        .collect();
    assert_eq!(
        risks,
        [
            ("R1", Some(16), "no change".to_string()),
            ("R2", Some(16), "↑ up 7 (worse)".to_string()),
            ("R3", Some(12), "no change".to_string()),
        ],
        "R1's April review is after the quarter"
    );
    let md = digest::render_markdown(&d);
    position(
        &md,
        "| R2 Partnership engagement and pace of improvement | Ophelia Rix | 4 | 4 | 16 | Extreme | ↑ up 7 (worse) |",
    );
    let embed = digest::embed(&d);
    let field = |name: &str| {
        embed
            .fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let measures = field("Measures off target").expect("a measures field");
    assert!(
        measures.starts_with("M1 Assessments within 45 days: Red 60% (Dec 2018), ↓ worsening"),
        "{measures}"
    );
    let risks = field("Risks, highest score first").expect("a risks field");
    assert!(
        risks.contains(
            "R2 Partnership engagement and pace of improvement: 16 Extreme, ↑ up 7 (worse)"
        ),
        "{risks}"
    );
}

#[tokio::test]
async fn every_format_carries_the_register_and_the_pictures_decode() {
    let d = q4_with_register().await;
    let mut names = Vec::new();
    let mut files = Vec::new();
    for f in Format::All.expand() {
        for (name, bytes) in digest::render_all(&d, f).unwrap() {
            keep(&name, &bytes);
            names.push(name.clone());
            files.push((name, bytes));
        }
    }
    assert_eq!(
        names,
        [
            "kirklees-q4-18-19.md",
            "kirklees-q4-18-19.csv",
            "kirklees-q4-18-19-measures.csv",
            "kirklees-q4-18-19-risks.csv",
            "kirklees-q4-18-19.html",
            "kirklees-q4-18-19.png",
            "kirklees-q4-18-19-measures.png",
            "kirklees-q4-18-19-risks.png",
        ]
    );
    let file = |n: &str| &files.iter().find(|(name, _)| name.ends_with(n)).unwrap().1;
    let measures = String::from_utf8(file("-measures.csv").clone()).unwrap();
    assert_eq!(measures.lines().count(), 4);
    assert!(measures.lines().nth(1).unwrap().starts_with("M1,"));
    let risks = String::from_utf8(file("-risks.csv").clone()).unwrap();
    assert!(risks.contains("R2,Partnership engagement and pace of improvement,Ophelia Rix,4,4,16,Extreme,9,↑ up 7 (worse)"), "{risks}");

    let heat = size_of(file("-risks.png"));
    assert_eq!(heat, HEAT_MAP_SIZE);
    let (w, h) = size_of(file("-measures.png"));
    assert_eq!(
        (w, h),
        (1200, 110 + 260),
        "three measures: one row of panels"
    );

    let html = String::from_utf8(file(".html").clone()).unwrap();
    assert_eq!(html5_problems(&html), Vec::<String>::new());
    for heading in ["Outcomes and measures", "Risk register", "Heat map"] {
        position(&html, heading);
    }
    position(&html, "<strong>R1, R2</strong>");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.html");
    std::fs::write(&path, &html).unwrap();
    nu_validate(&[path]);
}

#[tokio::test]
async fn a_plan_without_a_register_has_no_register_sections_or_files() {
    let (db, plan) = example_with_history().await;
    let now = utc(2019, 4, 12, 9, 0);
    let q = plan.year_start.parse_quarter("Q4 18/19").unwrap();
    let d = digest::make(
        &db.store,
        &plan,
        q,
        digest::quarter_as_of(&plan, q, now),
        now,
    )
    .await
    .unwrap();
    assert!(d.register.is_empty());
    assert!(!digest::render_markdown(&d).contains("Risk register"));
    assert_eq!(digest::render_all(&d, Format::Png).unwrap().len(), 1);
    assert_eq!(digest::render_all(&d, Format::Csv).unwrap().len(), 1);
}

fn size_of(png_bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .expect("a PNG");
    (reader.info().width, reader.info().height)
}
