//! The register job on a fixed clock: a measure's value is asked for once
//! its period's grace of working days has passed, once per period and not
//! once recorded; a risk is asked to be reviewed once its review date has
//! passed, once per date, and not if reviewed since.

use crate::helpers::*;
use chrono::{DateTime, NaiveDate, Utc};
use planbot::config::{GuildSettings, Settings};
use planbot::jobs::{Decision, JobName, Notice, PlanJobs, Recipient, decide_job, run_job};
use planbot::plan::Plan;
use planbot::plan::risk::Rating;
use planbot::store::{Register, RegisterSource, ReviewRequest, RunKind, StoreError};
use planbot_testkit::save_small_register;

fn london(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    use chrono::TimeZone;
    planbot::plan::Zone::london()
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// Plan P with the small register (M1-M3 monthly from October 2018; R1-R3
/// to be reviewed by Sunday 30 June 2019), and its jobs.
async fn register_plan() -> (TestDb, Plan, PlanJobs) {
    let db = TestDb::new().await;
    db.import_csv(
        "P",
        "Priority,Ref,Action,Leads,Due,Status\n1. Help,1.1,Do it,Ophelia Rix,Q1 19/20,Amber\n",
        utc(2019, 3, 1, 9, 0),
    )
    .await;
    let plan = db.store.find_plan(Some("P")).await.unwrap();
    save_small_register(&db.store, &plan, utc(2019, 3, 1, 9, 0)).await;
    let settings = Settings::local(
        "http://127.0.0.1:9".into(),
        db.path(),
        "t",
        vec![GuildSettings::new(1, vec!["P".into()])],
    );
    let pj = PlanJobs::load(&db.store, &settings)
        .await
        .unwrap()
        .pop()
        .unwrap();
    (db, plan, pj)
}

/// Records every measure's value for the months given, as an import would.
async fn values(
    db: &TestDb,
    plan: &Plan,
    codes: &[&str],
    months: &[(i32, u32)],
    at: DateTime<Utc>,
) {
    let mut register = Register::default();
    for code in codes {
        for (y, m) in months {
            let start = NaiveDate::from_ymd_opt(*y, *m, 1).unwrap();
            register.values.push((code.to_string(), start, 50.0, None));
        }
    }
    let source = RegisterSource {
        by: "test".into(),
        at,
    };
    db.store
        .save_register(plan, &register, &source)
        .await
        .unwrap();
}

fn all_months() -> Vec<(i32, u32)> {
    let mut out: Vec<(i32, u32)> = (10..=12).map(|m| (2018, m)).collect();
    out.extend((1..=4).map(|m| (2019, m)));
    out
}

/// (measure or risk, owner, period or review date) of each message.
fn asked(d: &Decision) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = d
        .outgoing
        .iter()
        .map(|o| {
            assert!(matches!(o.to, Recipient::Lead(_)), "to the owner");
            match &o.notice {
                Notice::ValueDue {
                    measure,
                    owner,
                    period,
                    ..
                } => (measure.clone(), owner.clone(), period.clone()),
                Notice::ReviewDue {
                    risk,
                    owner,
                    review_date,
                    ..
                } => (risk.clone(), owner.clone(), review_date.to_string()),
                other => panic!("not a register notice: {other:?}"),
            }
        })
        .collect();
    out.sort();
    out
}

fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

#[tokio::test]
async fn a_value_is_asked_for_once_after_the_grace_and_not_once_recorded() {
    let (db, plan, pj) = register_plan().await;
    values(
        &db,
        &plan,
        &["M1", "M2", "M3"],
        &all_months(),
        utc(2019, 5, 1, 9, 0),
    )
    .await;
    // May ends on Friday 31 May; five working days' grace end on Friday 7 June.
    let friday = decide_job(&db.store, &pj, JobName::Register, london(2019, 6, 7, 9))
        .await
        .unwrap();
    assert_eq!(asked(&friday), vec![], "not before the grace has passed");

    // M1's May value comes in on the Friday afternoon.
    values(&db, &plan, &["M1"], &[(2019, 5)], london(2019, 6, 7, 15)).await;
    let monday = london(2019, 6, 10, 9);
    let run = run_job(
        &db.store,
        &pj,
        JobName::Register,
        monday,
        monday,
        RunKind::Manual,
    )
    .await
    .unwrap();
    let d = decide_job(&db.store, &pj, JobName::Register, monday)
        .await
        .unwrap();
    assert_eq!(
        asked(&d),
        vec![
            t("M2", "Steve Comer", "May 2019"),
            t("M3", "Ophelia Rix", "May 2019")
        ],
        "M1 is recorded"
    );
    assert_eq!(run.queued, 2);
    let Notice::ValueDue { due, .. } = &d.outgoing[0].notice else {
        panic!()
    };
    assert_eq!(*due, NaiveDate::from_ymd_opt(2019, 6, 7).unwrap());

    // Tuesday: still missing, decided again, but queued once.
    let tuesday = london(2019, 6, 11, 9);
    let again = run_job(
        &db.store,
        &pj,
        JobName::Register,
        tuesday,
        tuesday,
        RunKind::Manual,
    )
    .await
    .unwrap();
    assert_eq!((again.decided, again.queued), (2, 0));
    assert_eq!(db.store.outbox_entries(&[], 100).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_risk_past_its_review_date_is_asked_for_once_unless_reviewed_since() {
    let (db, plan, pj) = register_plan().await;
    let saturday = decide_job(&db.store, &pj, JobName::Register, london(2019, 6, 29, 9))
        .await
        .unwrap();
    assert!(
        asked(&saturday).iter().all(|(c, _, _)| c.starts_with('M')),
        "not before 30 June"
    );

    // R1 reviewed on the day: settled.
    db.store
        .review_risk(&plan, "R1", |_| {
            Ok::<_, StoreError>(ReviewRequest {
                rating: Rating::new(3, 4).unwrap(),
                note: None,
                by: "Steve Comer".into(),
                by_discord_id: None,
                at: london(2019, 6, 30, 12),
                next_review: None,
            })
        })
        .await
        .unwrap();
    let monday = london(2019, 7, 1, 9);
    let d = decide_job(&db.store, &pj, JobName::Register, monday)
        .await
        .unwrap();
    let risks: Vec<_> = asked(&d)
        .into_iter()
        .filter(|(c, _, _)| c.starts_with('R'))
        .collect();
    assert_eq!(
        risks,
        vec![
            t("R2", "Ophelia Rix", "2019-06-30"),
            t("R3", "Steve Comer", "2019-06-30")
        ]
    );
    let first = run_job(
        &db.store,
        &pj,
        JobName::Register,
        monday,
        monday,
        RunKind::Manual,
    )
    .await
    .unwrap();
    let tuesday = london(2019, 7, 2, 9);
    let second = run_job(
        &db.store,
        &pj,
        JobName::Register,
        tuesday,
        tuesday,
        RunKind::Manual,
    )
    .await
    .unwrap();
    assert_eq!(
        second.queued, 0,
        "once per review date: {first:?} then {second:?}"
    );
}
