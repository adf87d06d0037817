//! Measures and risks through the application layer: who may record, what
//! is refused, and how values are judged.

use chrono::{TimeZone, Utc};
use planbot::app::measures::{Reading, record_value, standings};
use planbot::app::risks::{Review, register, review_risk};
use planbot::app::{Actor, AppError};
use planbot::plan::measure::{Rag, Travel};
use planbot_testkit::*;

fn ophelia() -> Actor {
    Actor::discord("ophelia", OPHELIA, false, false)
}

fn reading(value: &str) -> Reading {
    Reading {
        value: value.into(),
        for_date: None,
        note: None,
        correction: false,
    }
}

#[tokio::test]
async fn an_owner_records_a_value_once_and_corrects_it_only_when_she_says_so() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    let june = Utc.with_ymd_and_hms(2019, 6, 10, 9, 0, 0).unwrap();
    save_small_register(
        &app.store,
        &plan,
        Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap(),
    )
    .await;

    // The last period due on 10 June is May.
    let done = record_value(&app.store, &plan, &ophelia(), "m1", reading("74%"), june)
        .await
        .unwrap();
    assert_eq!(done.recorded.period.to_string(), "2019-05-01");
    assert_eq!(done.recorded.by, "Ophelia Rix");
    let again = record_value(&app.store, &plan, &ophelia(), "M1", reading("75"), june).await;
    match again {
        Err(AppError::AlreadyRecorded { period, value, .. }) => {
            assert_eq!((period.as_str(), value.as_str()), ("May 2019", "74%"));
        }
        other => panic!("{other:?}"),
    }
    let corrected = record_value(
        &app.store,
        &plan,
        &ophelia(),
        "M1",
        Reading {
            correction: true,
            ..reading("75")
        },
        june,
    )
    .await
    .unwrap();
    assert_eq!(corrected.replaced.map(|v| v.value), Some(74.0));
    let history = app.store.measure_values(&plan, "M1").await.unwrap();
    assert_eq!(history.len(), 4, "append-only: the 74 is kept");

    // The same value again is no correction: nothing is added.
    let same = Reading {
        correction: true,
        ..reading("75.0%")
    };
    match record_value(&app.store, &plan, &ophelia(), "M1", same, june).await {
        Err(AppError::SameValue { period, value, .. }) => {
            assert_eq!((period.as_str(), value.as_str()), ("May 2019", "75%"));
        }
        other => panic!("{other:?}"),
    }
    // With a note, it says why the value stands: that is kept.
    let confirmed = Reading {
        correction: true,
        note: Some("checked against the case records".into()),
        ..reading("75")
    };
    record_value(&app.store, &plan, &ophelia(), "M1", confirmed.clone(), june)
        .await
        .unwrap();
    let again = record_value(&app.store, &plan, &ophelia(), "M1", confirmed, june).await;
    assert!(
        matches!(again, Err(AppError::SameValue { .. })),
        "{again:?}"
    );
    // The same value without the note takes a wrong note away.
    let unnoted = Reading {
        correction: true,
        ..reading("75")
    };
    record_value(&app.store, &plan, &ophelia(), "M1", unnoted, june)
        .await
        .unwrap();
    let history = app.store.measure_values(&plan, "M1").await.unwrap();
    assert_eq!(history.len(), 6);
    assert_eq!(history.last().map(|v| v.note.clone()), Some(None));

    for (who, value, refused) in [
        (
            Actor::discord("steve", STEVE, false, false),
            "75",
            "NotOwner",
        ),
        (ophelia(), "lots", "BadValue"),
        (ophelia(), "120%", "BadValue"),
    ] {
        let e = record_value(&app.store, &plan, &who, "M1", reading(value), june)
            .await
            .unwrap_err();
        assert!(format!("{e:?}").starts_with(refused), "{e:?}");
    }
    let future = Reading {
        for_date: chrono::NaiveDate::from_ymd_opt(2019, 7, 1)
            .map(planbot::plan::measure::Written::day),
        ..reading("70")
    };
    let e = record_value(&app.store, &plan, &ophelia(), "M1", future, june)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::BadPeriod(_)), "{e:?}");
    assert_eq!(
        app.store.measure_values(&plan, "M1").await.unwrap().len(),
        6,
        "nothing changed"
    );
}

#[tokio::test]
async fn standings_put_measures_off_target_first_with_their_direction_of_travel() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    save_small_register(
        &app.store,
        &plan,
        Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap(),
    )
    .await;
    let now = Utc.with_ymd_and_hms(2019, 1, 10, 9, 0, 0).unwrap();
    let all = standings(&app.store, &plan, now).await.unwrap();
    let codes: Vec<&str> = all.iter().map(|s| s.measure.code.as_str()).collect();
    // M2: 47 in October against 45.6 expected on the line from 48 to 20
    // (lower is better): short by less than the tolerance, amber, and first.
    // M1: 66% in November against 65.8% expected: green, and improving.
    assert_eq!(codes, ["M2", "M1", "M3"]);
    let (_, m2) = all[0].latest.unwrap();
    assert_eq!(m2.rag, Rag::Amber);
    assert!((m2.expected - 45.6).abs() < 0.1, "{}", m2.expected);
    assert_eq!(m2.since_baseline, Travel::Improving);
    let (_, m1) = all[1].latest.unwrap();
    assert_eq!(m1.rag, Rag::Green);
    assert_eq!(m1.since_previous, Some(Travel::Improving));
    assert!(
        all.iter()
            .any(|s| s.measure.code == "M3" && s.latest.is_none())
    );
}

#[tokio::test]
async fn a_risk_owner_reviews_and_the_register_shows_the_change() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    let january = Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap();
    save_small_register(&app.store, &plan, january).await;
    let may = Utc.with_ymd_and_hms(2019, 5, 5, 9, 0, 0).unwrap();
    let review = Review {
        likelihood: 2,
        impact: 3,
        note: Some("Agency use down".into()),
        next_review: None,
    };
    let (risk, written) = review_risk(&app.store, &plan, &ophelia(), "R2", review.clone(), may)
        .await
        .unwrap();
    assert_eq!((risk.code.as_str(), written.rating.score()), ("R2", 6));
    let e = review_risk(&app.store, &plan, &ophelia(), "R1", review.clone(), may)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotOwner { .. }), "{e:?}");
    let bad = Review {
        likelihood: 6,
        ..review
    };
    let e = review_risk(&app.store, &plan, &ophelia(), "R2", bad, may)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::BadRating(_)), "{e:?}");

    let later = Utc.with_ymd_and_hms(2019, 5, 6, 9, 0, 0).unwrap();
    let reg = register(&app.store, &plan, later, january).await.unwrap();
    let codes: Vec<&str> = reg.iter().map(|t| t.now.risk.code.as_str()).collect();
    assert_eq!(codes, ["R1", "R3", "R2"], "highest score first");
    assert_eq!(reg[2].change(), Some(-3), "9 then, 6 now");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_summary_adds_each_outcome_with_its_measures_and_actions() {
    let app = spawn_app().await;
    let before = app
        .reply(
            ADMIN,
            "plan",
            serde_json::json!([{"type": 1, "name": "summary", "options": []}]),
        )
        .await;
    assert!(
        !before.content().contains("Outcomes"),
        "no outcomes, no section"
    );
    let plan = app.plan().await;
    save_small_register(
        &app.store,
        &plan,
        Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap(),
    )
    .await;
    let answer = app
        .reply(
            ADMIN,
            "plan",
            serde_json::json!([{"type": 1, "name": "summary", "options": []}]),
        )
        .await;
    let text = answer.content();
    let line = text
        .lines()
        .find(|l| l.starts_with("OC1 More children are supported to stay safely at home"))
        .unwrap_or_else(|| panic!("{text}"));
    // M1 and M2 have values, M3 none; action 1.1 serves it.
    assert!(line.contains(", 1 with no value yet; 1 action,"), "{line}");
    let counts: usize = line
        .split("measures ")
        .nth(1)
        .unwrap()
        .split(',')
        .take(3)
        .map(|part| {
            part.trim()
                .split(' ')
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(counts, 2, "{line}");
}
