//! The scheduled jobs' rules, without Discord: when they fire (across the
//! clock changes and the catch-up window), what they decide (weekends, bank
//! holidays, quarter and financial-year ends, the chase interval, snoozes),
//! and `planbot jobs list|run` and `planbot outbox` through the binary.

use crate::helpers::*;
use chrono::{DateTime, Duration, Utc};
use planbot::config::{GuildSettings, Settings};
use planbot::jobs::{
    Decision, Due, JobError, JobName, Notice, Outgoing, PlanJobs, Recipient, RunReport, decide_job,
    due_run, next_fire, parse_schedule, previous_fire, run_job,
};
use planbot::plan::{Plan, Status, StatusRequest};
use planbot::store::{RunKind, Store};
use std::path::Path;

use planbot::plan::Zone;
const PLAN_CHANNEL: u64 = 223_456_789_012_345_678;
const BOARD_CHANNEL: u64 = 323_456_789_012_345_678;

/// Four actions due in Q1 19/20 (ends Sunday 30 June 2019) and one in Q2.
const QUARTER_PLAN: &str = "\
Priority,Ref,Action,Leads,Due,Status
1. Children Looked After,1.1,Recruit foster carers,Ophelia Rix,Q1 19/20,Amber
1. Children Looked After,1.2,Review the SGO policy,Ophelia Rix,Q1 19/20,Green
1. Children Looked After,1.3,Publish the sufficiency strategy,Steve Comb,Q1 19/20,Complete
1. Children Looked After,1.4,Open the new assessment unit,Steve Comb,Q2 19/20,Amber
1. Children Looked After,1.5,Agree the placement protocol,Tom Brailsford,15/06/2019,Red
";

/// A time on the London clock, as UTC.
fn london(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    use chrono::TimeZone;
    Zone::london()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("an unambiguous London time")
        .with_timezone(&Utc)
}

/// A plan imported on 1 March 2019, before the 2019/20 financial year.
async fn imported(csv: &str) -> (TestDb, Plan) {
    let db = TestDb::new().await;
    db.import_csv("P", csv, utc(2019, 3, 1, 9, 0)).await;
    let plan = db.store.find_plan(Some("P")).await.unwrap();
    (db, plan)
}

/// The plan's jobs on the default settings, with the given channels.
async fn plan_jobs(db: &TestDb, plan_channel: Option<u64>, board: Option<u64>) -> PlanJobs {
    let mut guild = GuildSettings::new(1, vec!["P".into()]);
    guild.plan_channel = plan_channel;
    guild.board_channel = board;
    let settings = Settings::local("http://127.0.0.1:9".into(), db.path(), "t", vec![guild]);
    PlanJobs::load(&db.store, &settings)
        .await
        .unwrap()
        .pop()
        .expect("the plan is configured")
}

async fn run_at(db: &TestDb, pj: &PlanJobs, job: JobName, at: DateTime<Utc>) -> RunReport {
    run_job(&db.store, pj, job, at, at, RunKind::Manual)
        .await
        .unwrap()
}

async fn decide(db: &TestDb, pj: &PlanJobs, job: JobName, at: DateTime<Utc>) -> Decision {
    decide_job(&db.store, pj, job, at).await.unwrap()
}

fn lead_of(o: &Outgoing) -> &str {
    match &o.notice {
        Notice::Chase { lead, .. } | Notice::QuarterEnd { lead, .. } => lead,
        other => panic!("not a reminder to a lead: {other:?}"),
    }
}

fn refs_of(o: &Outgoing) -> Vec<&str> {
    match &o.notice {
        Notice::Chase { actions, .. }
        | Notice::QuarterEnd { actions, .. }
        | Notice::Escalation { actions, .. } => {
            actions.iter().map(|a| a.reference.as_str()).collect()
        }
        other => panic!("lists no actions: {other:?}"),
    }
}

/// Who is reminded, and about what: ("Julie Bragg", ["1.2"]), in name order.
fn who_about_what(d: &Decision) -> Vec<(&str, Vec<&str>)> {
    d.outgoing
        .iter()
        .map(|o| (lead_of(o), refs_of(o)))
        .collect()
}

fn not_befores(d: &Decision) -> Vec<DateTime<Utc>> {
    d.outgoing.iter().map(|o| o.not_before).collect()
}

// ---------------------------------------------------------------------------
// Weekends and bank holidays: reminders wait for working time.

#[tokio::test]
async fn a_chase_decided_at_a_saturday_fire_waits_for_monday_at_nine() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    // Saturday 18 May 2019, 09:00 BST.
    let d = decide(&db, &pj, JobName::Chase, london(2019, 5, 18, 9, 0)).await;
    assert_eq!(
        who_about_what(&d),
        vec![
            ("Julie Bragg", vec!["1.2"]),
            ("Steve Comb", vec!["1.1"]),
            ("Tom Brailsford", vec!["1.1"]),
        ],
        "every lead of an open overdue action; 4.2 has no lead, 4.1 is complete"
    );
    assert_eq!(
        not_befores(&d),
        vec![utc(2019, 5, 20, 8, 0); 3],
        "Monday 20 May 09:00 BST"
    );
}

#[tokio::test]
async fn a_chase_decided_after_five_on_the_friday_before_a_bank_holiday_waits_for_tuesday() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    // Monday 27 May 2019 is the spring bank holiday.
    for at in [london(2019, 5, 24, 18, 30), london(2019, 5, 24, 17, 0)] {
        let d = decide(&db, &pj, JobName::Chase, at).await;
        assert_eq!(d.outgoing.len(), 3, "{at}");
        assert_eq!(
            not_befores(&d),
            vec![utc(2019, 5, 28, 8, 0); 3],
            "decided {at}: Tuesday 28 May 09:00 BST; working hours end at 17:00"
        );
    }
    // Inside working hours it may go at once.
    let at = london(2019, 5, 24, 16, 59);
    let d = decide(&db, &pj, JobName::Chase, at).await;
    assert_eq!(not_befores(&d), vec![at; 3]);
}

#[tokio::test]
async fn a_chase_decided_before_nine_waits_for_nine_the_same_day_on_the_plans_clock() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    // Wednesday 22 May 2019, 07:00 BST: 09:00 BST is 08:00 UTC.
    let d = decide(&db, &pj, JobName::Chase, london(2019, 5, 22, 7, 0)).await;
    assert_eq!(not_befores(&d), vec![utc(2019, 5, 22, 8, 0); 3]);
    // Wednesday 6 November 2019, 07:00 GMT: 09:00 GMT is 09:00 UTC.
    let d = decide(&db, &pj, JobName::Chase, london(2019, 11, 6, 7, 0)).await;
    assert_eq!(not_befores(&d), vec![utc(2019, 11, 6, 9, 0); 3]);
    // Five past midnight on Friday 1 November: 09:00 GMT that day.
    let d = decide(&db, &pj, JobName::Chase, utc(2019, 11, 1, 0, 5)).await;
    assert_eq!(not_befores(&d), vec![utc(2019, 11, 1, 9, 0); 3]);
}

// ---------------------------------------------------------------------------
// The clock changes and the catch-up window.

#[test]
fn weekday_nine_oclock_is_nine_utc_before_the_clocks_go_forward_and_eight_utc_after() {
    let s = parse_schedule("0 9 * * Mon-Fri").unwrap();
    // Sunday 31 March 2019, after the change: the last fire was Friday, 09:00 GMT.
    assert_eq!(
        previous_fire(&s, Zone::london(), utc(2019, 3, 31, 12, 0)),
        Some(utc(2019, 3, 29, 9, 0))
    );
    // Monday 1 April: 09:00 BST is 08:00 UTC; a minute before it, still Friday.
    assert_eq!(
        previous_fire(&s, Zone::london(), utc(2019, 4, 1, 7, 59)),
        Some(utc(2019, 3, 29, 9, 0))
    );
    assert_eq!(
        previous_fire(&s, Zone::london(), utc(2019, 4, 1, 8, 0)),
        Some(utc(2019, 4, 1, 8, 0)),
        "the fire time itself counts"
    );
    assert_eq!(
        previous_fire(&s, Zone::london(), utc(2019, 4, 1, 8, 30)),
        Some(utc(2019, 4, 1, 8, 0))
    );
    // next_fire from Thursday: Friday at 09:00 GMT.
    assert_eq!(
        next_fire(&s, Zone::london(), utc(2019, 3, 28, 9, 0)),
        Some(utc(2019, 3, 29, 9, 0)),
        "strictly after"
    );
    // From the hour that never happened on Sunday (01:30 UTC is 02:30 BST).
    assert_eq!(
        next_fire(&s, Zone::london(), utc(2019, 3, 31, 1, 30)),
        Some(utc(2019, 4, 1, 8, 0))
    );
}

#[test]
fn weekday_nine_oclock_is_eight_utc_before_the_clocks_go_back_and_nine_utc_after() {
    let s = parse_schedule("0 9 * * Mon-Fri").unwrap();
    assert_eq!(
        previous_fire(&s, Zone::london(), utc(2019, 10, 26, 12, 0)),
        Some(utc(2019, 10, 25, 8, 0)),
        "Friday 25 October, 09:00 BST"
    );
    // Monday 28 October 08:30 UTC is 08:30 GMT: not yet nine.
    assert_eq!(
        previous_fire(&s, Zone::london(), utc(2019, 10, 28, 8, 30)),
        Some(utc(2019, 10, 25, 8, 0))
    );
    assert_eq!(
        previous_fire(&s, Zone::london(), utc(2019, 10, 28, 9, 0)),
        Some(utc(2019, 10, 28, 9, 0))
    );
    assert_eq!(
        next_fire(&s, Zone::london(), utc(2019, 10, 24, 8, 0)),
        Some(utc(2019, 10, 25, 8, 0))
    );
    // Sunday 27 October 01:30 UTC is after the repeated hour: Monday 09:00 GMT.
    assert_eq!(
        next_fire(&s, Zone::london(), utc(2019, 10, 27, 1, 30)),
        Some(utc(2019, 10, 28, 9, 0))
    );
}

#[test]
fn a_daily_nine_oclock_keeps_to_nine_on_the_clock_change_sundays_themselves() {
    let daily = parse_schedule("0 9 * * *").unwrap();
    assert_eq!(
        next_fire(&daily, Zone::london(), utc(2019, 3, 30, 12, 0)),
        Some(utc(2019, 3, 31, 8, 0)),
        "Sunday 31 March: BST since 01:00 UTC"
    );
    assert_eq!(
        next_fire(&daily, Zone::london(), utc(2019, 10, 26, 12, 0)),
        Some(utc(2019, 10, 27, 9, 0)),
        "Sunday 27 October: GMT again"
    );
    assert_eq!(
        previous_fire(&daily, Zone::london(), utc(2019, 10, 27, 8, 59)),
        Some(utc(2019, 10, 26, 8, 0))
    );
}

fn catch_up() -> Duration {
    Duration::days(7)
}

#[test]
fn with_no_previous_run_the_latest_fire_runs_once() {
    let s = parse_schedule("0 9 * * Mon-Fri").unwrap();
    let now = utc(2019, 5, 20, 8, 0) + Duration::seconds(30);
    assert_eq!(
        due_run(&s, Zone::london(), None, now, catch_up()),
        Due {
            run: Some(utc(2019, 5, 20, 8, 0)),
            skip: None,
            missed: vec![],
        }
    );
    // Started on a Sunday: Friday's fire is owed, nothing earlier.
    assert_eq!(
        due_run(
            &s,
            Zone::london(),
            None,
            utc(2019, 5, 19, 12, 0),
            catch_up()
        )
        .run,
        Some(utc(2019, 5, 17, 8, 0))
    );
}

#[test]
fn missed_fires_inside_the_catch_up_window_run_once_as_the_latest_and_none_are_listed() {
    let s = parse_schedule("0 9 * * Mon-Fri").unwrap();
    // Last ran Monday 13 May; down until Monday 20 May, 09:00:30 BST.
    let now = utc(2019, 5, 20, 8, 0) + Duration::seconds(30);
    let due = due_run(
        &s,
        Zone::london(),
        Some(utc(2019, 5, 13, 8, 0)),
        now,
        catch_up(),
    );
    assert_eq!(
        due,
        Due {
            run: Some(utc(2019, 5, 20, 8, 0)),
            skip: None,
            missed: vec![],
        },
        "14-17 May are inside the window: not run one by one, not reported"
    );
    // Run, it owes nothing more until the next fire.
    let due = due_run(
        &s,
        Zone::london(),
        Some(utc(2019, 5, 20, 8, 0)),
        now,
        catch_up(),
    );
    assert_eq!((due.run, due.skip, due.missed.len()), (None, None, 0));
}

#[test]
fn missed_fires_older_than_the_catch_up_window_are_listed_for_the_admins() {
    let s = parse_schedule("0 9 * * Mon-Fri").unwrap();
    // Last ran Friday 3 May; back on Wednesday 15 May at 09:30 BST.
    let now = london(2019, 5, 15, 9, 30);
    let due = due_run(
        &s,
        Zone::london(),
        Some(utc(2019, 5, 3, 8, 0)),
        now,
        catch_up(),
    );
    assert_eq!(due.run, Some(utc(2019, 5, 15, 8, 0)), "the latest runs");
    assert_eq!(due.skip, None);
    assert_eq!(
        due.missed,
        vec![
            utc(2019, 5, 6, 8, 0),
            utc(2019, 5, 7, 8, 0),
            utc(2019, 5, 8, 8, 0),
        ],
        "fires before 8 May 09:30 BST fell out of the window; 9-14 May are just not repeated"
    );
}

#[test]
fn a_fire_older_than_the_catch_up_window_is_skipped_not_run() {
    // The 1st of each month at 09:00: last ran 1 March; back on 20 May.
    let monthly = parse_schedule("0 9 1 * *").unwrap();
    let now = utc(2019, 5, 20, 10, 0);
    let due = due_run(
        &monthly,
        Zone::london(),
        Some(utc(2019, 3, 1, 9, 0)),
        now,
        catch_up(),
    );
    assert_eq!(due.run, None, "1 May is 19 days ago");
    assert_eq!(due.skip, Some(utc(2019, 5, 1, 8, 0)));
    assert_eq!(
        due.missed,
        vec![utc(2019, 4, 1, 8, 0), utc(2019, 5, 1, 8, 0)],
        "both missed, the skipped one included"
    );
    // Never ran: skipped all the same, with nothing listed as missed.
    let due = due_run(&monthly, Zone::london(), None, now, catch_up());
    assert_eq!(
        due,
        Due {
            run: None,
            skip: Some(utc(2019, 5, 1, 8, 0)),
            missed: vec![],
        }
    );
    // Seven days exactly is still inside the window.
    let due = due_run(
        &monthly,
        Zone::london(),
        Some(utc(2019, 4, 1, 8, 0)),
        utc(2019, 5, 8, 8, 0),
        catch_up(),
    );
    assert_eq!((due.run, due.skip), (Some(utc(2019, 5, 1, 8, 0)), None));
}

#[test]
fn a_job_in_the_hour_the_clocks_go_back_runs_once_and_never_ahead_of_time() {
    // Daily at 01:30 London. On Sunday 27 October 2019 01:30 comes twice:
    // 00:30 UTC (BST) and 01:30 UTC (GMT). next_fire names the first.
    let s = parse_schedule("30 1 * * *").unwrap();
    assert_eq!(
        next_fire(&s, Zone::london(), utc(2019, 10, 26, 12, 0)),
        Some(utc(2019, 10, 27, 0, 30)),
        "what `planbot jobs list` shows as the next run"
    );
    // A scheduler ticking each minute through the night.
    let mut last = Some(utc(2019, 10, 26, 0, 30));
    let mut runs = Vec::new();
    let mut now = utc(2019, 10, 26, 23, 0);
    while now < utc(2019, 10, 27, 3, 0) {
        let prev = previous_fire(&s, Zone::london(), now);
        assert!(
            prev.is_some_and(|p| p <= now),
            "at {now} the latest fire is at or before it, not {prev:?}"
        );
        if let Some(fire) = due_run(&s, Zone::london(), last, now, catch_up()).run {
            runs.push((now, fire));
            last = Some(fire);
        }
        now += Duration::minutes(1);
    }
    assert_eq!(
        runs,
        vec![(utc(2019, 10, 27, 0, 30), utc(2019, 10, 27, 0, 30))],
        "once, at 01:30 BST as announced"
    );
}

// ---------------------------------------------------------------------------
// The digest: once, on the first working day after a quarter ends.

fn digest_of(d: &Decision) -> Option<(String, Recipient, DateTime<Utc>)> {
    match d.outgoing.as_slice() {
        [] => None,
        [o] => match &o.notice {
            Notice::Digest { quarter, .. } => Some((quarter.clone(), o.to, o.not_before)),
            other => panic!("not a digest: {other:?}"),
        },
        many => panic!("one digest at most: {many:?}"),
    }
}

#[tokio::test]
async fn the_first_working_day_of_april_posts_the_last_quarter_of_the_financial_year() {
    let (db, plan) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, Some(PLAN_CHANNEL), Some(BOARD_CHANNEL)).await;
    // Monday 1 April 2019, 09:00 BST: Q4 18/19 ended on Sunday.
    let fire = london(2019, 4, 1, 9, 0);
    let d = decide(&db, &pj, JobName::Digest, fire).await;
    assert_eq!(
        digest_of(&d),
        Some((
            "Q4 18/19".to_string(),
            Recipient::Channel(BOARD_CHANNEL),
            fire
        ))
    );
    assert_eq!(d.outgoing[0].key, format!("digest/{}/Q4 18/19", plan.id));
    let Notice::Digest { as_of, .. } = &d.outgoing[0].notice else {
        unreachable!()
    };
    assert_eq!(
        as_of.with_timezone(&Zone::london()).date_naive(),
        date(2019, 3, 31),
        "as the plan stood at the end of the quarter: {as_of}"
    );
    // On Sunday 31 March, the quarter is not over.
    let d = decide(&db, &pj, JobName::Digest, london(2019, 3, 31, 9, 0)).await;
    assert_eq!(digest_of(&d), None);
}

#[tokio::test]
async fn the_digest_day_is_read_on_the_plans_clock_not_in_utc() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, Some(BOARD_CHANNEL)).await;
    // 23:30 UTC on Sunday 31 March is 00:30 BST on Monday 1 April.
    let d = decide(&db, &pj, JobName::Digest, utc(2019, 3, 31, 23, 30)).await;
    let (quarter, _, not_before) = digest_of(&d).expect("a digest on Monday, London time");
    assert_eq!(quarter, "Q4 18/19");
    assert_eq!(not_before, utc(2019, 4, 1, 8, 0), "posted at 09:00 BST");
}

#[tokio::test]
async fn new_years_day_is_a_holiday_so_the_q3_digest_waits_for_the_second_of_january() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, Some(BOARD_CHANNEL)).await;
    let d = decide(&db, &pj, JobName::Digest, london(2020, 1, 1, 9, 0)).await;
    assert_eq!(digest_of(&d), None, "Wednesday 1 January 2020");
    let fire = london(2020, 1, 2, 9, 0);
    let d = decide(&db, &pj, JobName::Digest, fire).await;
    assert_eq!(
        digest_of(&d),
        Some((
            "Q3 19/20".to_string(),
            Recipient::Channel(BOARD_CHANNEL),
            utc(2020, 1, 2, 9, 0)
        )),
        "Thursday 2 January, 09:00 GMT"
    );
}

#[tokio::test]
async fn when_a_quarter_ends_before_easter_monday_the_digest_waits_for_tuesday() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, Some(BOARD_CHANNEL)).await;
    // Q4 17/18 ended on Saturday 31 March 2018; 2 April 2018 was Easter Monday.
    for day in [1, 2] {
        let d = decide(&db, &pj, JobName::Digest, london(2018, 4, day, 9, 0)).await;
        assert_eq!(digest_of(&d), None, "{day} April 2018");
    }
    let d = decide(&db, &pj, JobName::Digest, london(2018, 4, 3, 9, 0)).await;
    assert_eq!(digest_of(&d).map(|d| d.0), Some("Q4 17/18".to_string()));
}

#[tokio::test]
async fn the_digest_is_not_posted_more_than_the_catch_up_window_after_the_first_working_day() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, Some(BOARD_CHANNEL)).await;
    // First working day Monday 1 April 2019; catch_up_days is 7.
    let d = decide(&db, &pj, JobName::Digest, london(2019, 4, 8, 9, 0)).await;
    assert_eq!(
        digest_of(&d).map(|d| d.0),
        Some("Q4 18/19".to_string()),
        "seven days after, a late start still posts it"
    );
    for at in [london(2019, 4, 9, 9, 0), london(2019, 5, 15, 9, 0)] {
        let d = decide(&db, &pj, JobName::Digest, at).await;
        assert_eq!(digest_of(&d), None, "{at}");
    }
}

#[tokio::test]
async fn without_a_board_channel_the_digest_says_what_to_set() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, Some(PLAN_CHANNEL), None).await;
    let err = decide_job(&db.store, &pj, JobName::Digest, london(2019, 4, 1, 9, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            JobError::NotConfigured {
                key: "board_channel",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "digest for plan \"P\" needs board_channel set in the config's [[guilds]] table"
    );
}

// ---------------------------------------------------------------------------
// Quarter-end reminders: 14 and 3 days before, to leads with no update this quarter.

/// QUARTER_PLAN, with 1.2 updated in May (during Q1 19/20).
async fn quarter_plan() -> (TestDb, Plan, PlanJobs) {
    let (db, plan) = imported(QUARTER_PLAN).await;
    update(&db.store, &plan, "1.2", utc(2019, 5, 1, 10, 0)).await;
    let pj = plan_jobs(&db, None, None).await;
    (db, plan, pj)
}

async fn update(store: &Store, plan: &Plan, reference: &str, at: DateTime<Utc>) {
    let req = StatusRequest {
        to: Status::Green,
        note: Some("On track".into()),
        evidence: None,
        by: "Ophelia Rix".into(),
        by_discord_id: None,
        at,
    };
    store.record_status(plan, reference, &req).await.unwrap();
}

fn keys(d: &Decision) -> Vec<&str> {
    d.outgoing.iter().map(|o| o.key.as_str()).collect()
}

#[tokio::test]
async fn fourteen_days_before_the_quarter_ends_each_lead_with_quiet_actions_is_reminded_once() {
    let (db, _, pj) = quarter_plan().await;
    // Sunday 16 June 2019, 09:00 BST: Q1 19/20 ends Sunday 30 June.
    let d = decide(&db, &pj, JobName::QuarterEnd, london(2019, 6, 16, 9, 0)).await;
    assert_eq!(
        who_about_what(&d),
        vec![
            ("Ophelia Rix", vec!["1.1"]),
            ("Tom Brailsford", vec!["1.5"])
        ],
        "1.2 was updated in May, 1.3 is complete, 1.4 is due next quarter"
    );
    assert!(
        keys(&d).iter().all(|k| k.ends_with("/Q1 19/20/14")),
        "{d:?}"
    );
    let Notice::QuarterEnd {
        quarter,
        ends,
        days_left,
        ..
    } = &d.outgoing[0].notice
    else {
        unreachable!()
    };
    assert_eq!(
        (quarter.as_str(), *ends, *days_left),
        ("Q1 19/20", date(2019, 6, 30), 14)
    );
    assert_eq!(
        not_befores(&d),
        vec![utc(2019, 6, 17, 8, 0); 2],
        "decided on a Sunday, sent on Monday at 09:00"
    );
}

#[tokio::test]
async fn three_days_before_the_quarter_ends_the_second_reminder_has_its_own_key() {
    let (db, _, pj) = quarter_plan().await;
    let first = run_at(&db, &pj, JobName::QuarterEnd, london(2019, 6, 16, 9, 0)).await;
    assert_eq!((first.decided, first.queued), (2, 2));
    // Thursday 27 June: 3 days left.
    let d = decide(&db, &pj, JobName::QuarterEnd, london(2019, 6, 27, 9, 0)).await;
    assert_eq!(d.outgoing.len(), 2);
    assert!(keys(&d).iter().all(|k| k.ends_with("/Q1 19/20/3")), "{d:?}");
    let second = run_at(&db, &pj, JobName::QuarterEnd, london(2019, 6, 27, 9, 0)).await;
    assert_eq!(second.queued, 2, "a second reminder each, three days out");
    // The quarter's last days stay on the 3-day reminder.
    let d = decide(&db, &pj, JobName::QuarterEnd, london(2019, 6, 30, 9, 0)).await;
    assert!(keys(&d).iter().all(|k| k.ends_with("/3")), "{d:?}");
    let last = run_at(&db, &pj, JobName::QuarterEnd, london(2019, 6, 30, 9, 0)).await;
    assert_eq!(last.queued, 0);
}

#[tokio::test]
async fn between_the_two_reminders_the_first_is_decided_again_but_not_queued_twice() {
    let (db, _, pj) = quarter_plan().await;
    let first = run_at(&db, &pj, JobName::QuarterEnd, london(2019, 6, 16, 9, 0)).await;
    assert_eq!(first.queued, 2);
    // Thursday 20 June: 10 days left, so still the 14-day reminder.
    let d = decide(&db, &pj, JobName::QuarterEnd, london(2019, 6, 20, 9, 0)).await;
    assert!(
        keys(&d).iter().all(|k| k.ends_with("/Q1 19/20/14")),
        "{d:?}"
    );
    let again = run_at(&db, &pj, JobName::QuarterEnd, london(2019, 6, 20, 9, 0)).await;
    assert_eq!((again.decided, again.queued), (2, 0), "already queued");
    let outbox = db.store.outbox_entries(&[], 100).await.unwrap();
    assert_eq!(outbox.len(), 2, "{outbox:?}");
}

#[tokio::test]
async fn a_bot_started_late_in_the_quarter_sends_one_reminder_not_two() {
    let (db, _, pj) = quarter_plan().await;
    // First run on Friday 28 June, 2 days before the end: only the 3-day one.
    let d = decide(&db, &pj, JobName::QuarterEnd, london(2019, 6, 28, 9, 0)).await;
    assert_eq!(d.outgoing.len(), 2);
    assert!(keys(&d).iter().all(|k| k.ends_with("/3")), "{d:?}");
}

#[tokio::test]
async fn early_in_the_quarter_no_quarter_end_reminder_is_decided() {
    let (db, _, pj) = quarter_plan().await;
    for at in [
        london(2019, 5, 1, 9, 0),
        london(2019, 6, 15, 9, 0),
        london(2019, 7, 1, 9, 0),
    ] {
        let d = decide(&db, &pj, JobName::QuarterEnd, at).await;
        assert!(d.outgoing.is_empty(), "{at}: {d:?}");
    }
}

#[tokio::test]
async fn an_update_counts_for_the_quarter_from_midnight_on_the_plans_clock() {
    let (db, plan) = imported(QUARTER_PLAN).await;
    // 31 March 22:30 UTC is 23:30 BST on the last day of Q4: before the quarter.
    update(&db.store, &plan, "1.1", utc(2019, 3, 31, 22, 30)).await;
    // 31 March 23:30 UTC is 00:30 BST on 1 April: inside Q1 19/20.
    update(&db.store, &plan, "1.5", utc(2019, 3, 31, 23, 30)).await;
    let pj = plan_jobs(&db, None, None).await;
    let d = decide(&db, &pj, JobName::QuarterEnd, london(2019, 6, 16, 9, 0)).await;
    assert_eq!(
        who_about_what(&d),
        vec![("Ophelia Rix", vec!["1.1", "1.2"])],
        "1.5 was updated in the first minutes of the quarter"
    );
}

// ---------------------------------------------------------------------------
// The chase: once per interval per action, none while snoozed.

#[tokio::test]
async fn a_lead_chased_on_monday_is_not_chased_again_the_next_day() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    let monday = run_at(&db, &pj, JobName::Chase, london(2019, 5, 20, 9, 0)).await;
    assert_eq!((monday.decided, monday.queued), (3, 3));
    let tuesday = run_at(&db, &pj, JobName::Chase, london(2019, 5, 21, 9, 0)).await;
    assert_eq!((tuesday.decided, tuesday.queued), (0, 0));
    // Running Monday's fire again by hand repeats nothing.
    let repeat = run_at(&db, &pj, JobName::Chase, london(2019, 5, 20, 9, 0)).await;
    assert_eq!(repeat.queued, 0);
    assert_eq!(db.store.outbox_entries(&[], 100).await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_lead_is_chased_again_once_the_interval_has_passed() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    run_at(&db, &pj, JobName::Chase, london(2019, 5, 20, 9, 0)).await;
    // Friday 24 May: four days on, nothing.
    let friday = decide(&db, &pj, JobName::Chase, london(2019, 5, 24, 9, 0)).await;
    assert!(friday.outgoing.is_empty(), "{friday:?}");
    // Monday 27 May, exactly seven days on (a bank holiday: it waits for Tuesday).
    let next = run_at(&db, &pj, JobName::Chase, london(2019, 5, 27, 9, 0)).await;
    assert_eq!((next.decided, next.queued), (3, 3));
    let d = decide(&db, &pj, JobName::Chase, london(2019, 5, 27, 9, 0)).await;
    assert!(d.outgoing.is_empty(), "recorded: {d:?}");
    let outbox = db.store.outbox_entries(&[], 100).await.unwrap();
    let waiting: Vec<_> = outbox
        .iter()
        .filter(|e| e.created_at == london(2019, 5, 27, 9, 0))
        .map(|e| (e.to.as_str(), e.not_before))
        .collect();
    assert_eq!(
        waiting,
        vec![
            ("Julie Bragg", utc(2019, 5, 28, 8, 0)),
            ("Steve Comb", utc(2019, 5, 28, 8, 0)),
            ("Tom Brailsford", utc(2019, 5, 28, 8, 0)),
        ]
    );
}

#[tokio::test]
async fn a_snoozed_action_is_left_out_of_the_chase_until_the_snooze_ends() {
    let (db, plan) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    // Julie Bragg snoozes 1.2 on Sunday 19 May until Saturday 25 May, 09:00 BST.
    let until = london(2019, 5, 25, 9, 0);
    db.store
        .snooze(
            &plan,
            "1.2",
            "Julie Bragg",
            london(2019, 5, 19, 12, 0),
            until,
        )
        .await
        .unwrap();
    let monday = decide(&db, &pj, JobName::Chase, london(2019, 5, 20, 9, 0)).await;
    assert_eq!(
        who_about_what(&monday),
        vec![("Steve Comb", vec!["1.1"]), ("Tom Brailsford", vec!["1.1"])]
    );
    run_at(&db, &pj, JobName::Chase, london(2019, 5, 20, 9, 0)).await;
    for day in 21..=24 {
        let r = run_at(&db, &pj, JobName::Chase, london(2019, 5, day, 9, 0)).await;
        assert_eq!(r.decided, 0, "{day} May: snoozed, or chased on Monday");
    }
    let r = run_at(&db, &pj, JobName::Chase, until - Duration::minutes(1)).await;
    assert_eq!(r.decided, 0, "a minute before the snooze ends");
    // As the snooze ends, she is chased; Steve and Tom wait for their week.
    let d = decide(&db, &pj, JobName::Chase, until).await;
    assert_eq!(who_about_what(&d), vec![("Julie Bragg", vec!["1.2"])]);
    assert_eq!(
        not_befores(&d),
        vec![utc(2019, 5, 28, 8, 0)],
        "Saturday, then the bank holiday Monday: Tuesday 09:00"
    );
    let r = run_at(&db, &pj, JobName::Chase, until).await;
    assert_eq!(r.queued, 1);
}

#[tokio::test]
async fn a_lead_chased_the_monday_before_the_clocks_go_back_is_chased_the_next_monday() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    // Monday 21 October 2019, 09:00 BST; a week later, 09:00 GMT (7 days 1 hour).
    let r = run_at(&db, &pj, JobName::Chase, london(2019, 10, 21, 9, 0)).await;
    assert_eq!(r.decided, 3);
    let d = decide(&db, &pj, JobName::Chase, london(2019, 10, 28, 9, 0)).await;
    assert_eq!(d.outgoing.len(), 3, "{d:?}");
}

#[tokio::test]
async fn a_lead_chased_the_monday_before_the_clocks_go_forward_is_chased_the_next_monday() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    // Monday 25 March 2019, 09:00 GMT: Steve Comb and Tom Brailsford, for 1.1.
    let r = run_at(&db, &pj, JobName::Chase, london(2019, 3, 25, 9, 0)).await;
    assert_eq!(r.decided, 2);
    // Monday 1 April, 09:00 BST: a week on the plan's clock.
    let d = decide(&db, &pj, JobName::Chase, london(2019, 4, 1, 9, 0)).await;
    assert_eq!(
        who_about_what(&d),
        vec![
            ("Julie Bragg", vec!["1.2"]),
            ("Steve Comb", vec!["1.1"]),
            ("Tom Brailsford", vec!["1.1"]),
        ],
        "chased again on the Monday, as every other week"
    );
}

// ---------------------------------------------------------------------------
// Escalation: overdue by more than 28 days, once per due date.

#[tokio::test]
async fn actions_overdue_by_more_than_28_days_are_escalated_once_per_priority() {
    let (db, _) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, Some(PLAN_CHANNEL), None).await;
    // 1.2 and 4.2 were due 31 March: 28 days overdue on 28 April, 29 on the 29th.
    let d = decide(&db, &pj, JobName::Escalate, london(2019, 4, 26, 9, 0)).await;
    assert_eq!(
        d.outgoing.iter().map(refs_of).collect::<Vec<_>>(),
        vec![vec!["1.1"]],
        "Friday 26 April: only 1.1, due 31 December"
    );
    let d = decide(&db, &pj, JobName::Escalate, london(2019, 4, 29, 9, 0)).await;
    assert_eq!(
        d.outgoing.iter().map(refs_of).collect::<Vec<_>>(),
        vec![vec!["1.1", "1.2"], vec!["4.2"]],
        "one message per priority"
    );
    assert!(
        d.outgoing
            .iter()
            .all(|o| o.to == Recipient::Channel(PLAN_CHANNEL))
    );
    let r = run_at(&db, &pj, JobName::Escalate, london(2019, 4, 29, 9, 0)).await;
    assert_eq!(r.queued, 2);
    let r = run_at(&db, &pj, JobName::Escalate, london(2019, 4, 30, 9, 0)).await;
    assert_eq!(r.decided, 0, "raised once for each due date");
}

// ---------------------------------------------------------------------------
// A manual run and the scheduler.

#[tokio::test]
async fn a_manual_run_at_a_fire_time_does_not_stop_the_scheduled_run_of_that_fire() {
    let (db, plan) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    let fire = london(2019, 5, 20, 9, 0);
    // At 08:55 an admin runs Monday's chase by hand, as of exactly 09:00.
    let manual = run_job(
        &db.store,
        &pj,
        JobName::Chase,
        fire,
        fire - Duration::minutes(5),
        RunKind::Manual,
    )
    .await
    .unwrap();
    assert_eq!(manual.queued, 3);
    // At 08:58 Mel Meggs reopens 4.1 (due 31 December 2018): now overdue.
    let reopen = StatusRequest {
        to: Status::Red,
        note: Some("Reopened: the MASH plan needs another look".into()),
        evidence: None,
        by: "Mel Meggs".into(),
        by_discord_id: None,
        at: fire - Duration::minutes(2),
    };
    db.store.record_status(&plan, "4.1", &reopen).await.unwrap();
    // The scheduler ticks at 09:00:30 and runs the 09:00 fire it owes.
    let now = fire + Duration::seconds(30);
    let expected = decide(&db, &pj, JobName::Chase, fire).await;
    assert_eq!(who_about_what(&expected), vec![("Mel Meggs", vec!["4.1"])]);
    planbot::app::scheduler::catch_up_and_run(&db.store, &pj, now)
        .await
        .unwrap();
    let outbox = db.store.outbox_entries(&[], 100).await.unwrap();
    assert!(
        outbox.iter().any(|e| e.to == "Mel Meggs"),
        "the scheduled run queues what it decided: {outbox:?}"
    );
    assert_eq!(
        db.store.last_fire(&plan, JobName::Chase).await.unwrap(),
        Some(fire),
        "the scheduled run of 09:00 is recorded"
    );
    let chase = parse_schedule("0 9 * * Mon-Fri").unwrap();
    let last = db.store.last_fire(&plan, JobName::Chase).await.unwrap();
    let due = due_run(
        &chase,
        Zone::london(),
        last,
        now + Duration::seconds(5),
        catch_up(),
    );
    assert_eq!(due.run, None, "nothing owed on the next tick: {due:?}");
}

// ---------------------------------------------------------------------------
// The command line.

fn kirklees() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kirklees-plan.csv");
    let out = planbot(&db, &["import", example, "--plan", "Kirklees"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, db)
}

/// Every message in the outbox, in every state, one JSON line each.
fn outbox_json(db: &Path) -> String {
    let out = planbot(db, &["outbox", "--all", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn run_ok(db: &Path, args: &[&str]) -> String {
    let out = planbot(db, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn jobs_list_shows_each_job_with_its_schedule_and_next_run_on_the_plans_clock() {
    let (_dir, db) = kirklees();
    let before = Utc::now();
    let text = run_ok(&db, &["jobs", "list"]);
    let after = Utc::now();
    let shown = |schedule: &str| {
        let s = parse_schedule(schedule).unwrap();
        [before, after].map(|t| {
            next_fire(&s, Zone::london(), t)
                .unwrap()
                .with_timezone(&Zone::london())
                .format("%a %d %b %Y %H:%M %Z")
                .to_string()
        })
    };
    for (job, schedule, problem) in [
        ("chase", "0 9 * * Mon-Fri", None),
        ("quarter-end", "0 9 * * *", None),
        ("escalate", "0 9 * * Mon-Fri", Some("set plan_channel")),
        ("digest", "0 9 * * *", Some("set board_channel")),
        ("register", "0 9 * * *", None),
    ] {
        let row = text
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(job))
            .unwrap_or_else(|| panic!("no {job} row: {text}"));
        assert!(row.starts_with("Kirklees"), "{row}");
        assert!(row.contains(schedule), "{row}");
        assert!(
            shown(schedule)
                .iter()
                .any(|next| row.contains(next.as_str())),
            "next run on the London clock, {:?}: {row}",
            shown(schedule)
        );
        assert!(
            row.contains("09:00 GMT") || row.contains("09:00 BST"),
            "{row}"
        );
        assert!(row.contains("never"), "not run yet: {row}");
        match problem {
            Some(p) => assert!(row.contains(p), "{row}"),
            None => assert!(!row.contains("set "), "{row}"),
        }
    }
    assert!(
        text.contains("Scheduler: no planbot is running the jobs"),
        "{text}"
    );
    // A run by hand is not the schedule's: the column says whose it is.
    assert!(text.contains("Last scheduled run"), "{text}");
    assert!(
        text.contains("set plan_channel in the config's [[guilds]] table"),
        "{text}"
    );
    let json = run_ok(&db, &["jobs", "list", "--json"]);
    let rows: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let jobs: Vec<&str> = rows.iter().map(|r| r["job"].as_str().unwrap()).collect();
    assert_eq!(
        jobs,
        ["chase", "quarter-end", "escalate", "digest", "register"]
    );
}

#[test]
fn jobs_run_chase_reports_what_it_queued_and_a_second_run_queues_nothing_new() {
    let (_dir, db) = kirklees();
    // Dry run first: the same messages, nothing queued.
    let dry = run_ok(
        &db,
        &[
            "jobs",
            "run",
            "chase",
            "--as-of",
            "2019-05-20 09:00",
            "--dry-run",
        ],
    );
    assert!(
        dry.contains("chase for Kirklees as of Mon 20 May 2019 09:00 BST would queue 4 messages:"),
        "{dry}"
    );
    assert_eq!(
        dry.lines()
            .filter(|l| l.trim_start().starts_with("chase/"))
            .count(),
        4,
        "{dry}"
    );
    assert!(
        dry.contains("(not before Mon 20 May 2019 09:00 BST)"),
        "{dry}"
    );
    assert_eq!(outbox_json(&db), "", "a dry run queues nothing");
    let empty = run_ok(&db, &["outbox"]);
    assert!(empty.contains("The outbox is empty"), "{empty}");

    let text = run_ok(
        &db,
        &["jobs", "run", "chase", "--as-of", "2019-05-20 09:00"],
    );
    assert!(
        text.contains(
            "chase for Kirklees as of Mon 20 May 2019 09:00 BST: 4 messages decided, 4 new in the outbox"
        ),
        "{text}"
    );
    assert!(text.contains("`planbot outbox` shows it"), "{text}");
    let queued = outbox_json(&db);
    assert_eq!(queued.lines().count(), 4);

    let again = run_ok(
        &db,
        &["jobs", "run", "chase", "--as-of", "2019-05-20 09:00"],
    );
    assert!(
        again.contains("0 new in the outbox"),
        "chased already: {again}"
    );
    // RFC 3339 names the same moment.
    let utc_form = run_ok(
        &db,
        &["jobs", "run", "chase", "--as-of", "2019-05-20T08:00:00Z"],
    );
    assert!(utc_form.contains("0 new in the outbox"), "{utc_form}");
    assert_eq!(outbox_json(&db), queued, "the outbox is as it was");

    let table = run_ok(&db, &["outbox"]);
    for lead in [
        "Christine Bennett",
        "Helen Severns",
        "Ophelia Rix",
        "Steve Comb",
    ] {
        let row = table
            .lines()
            .find(|l| l.contains(lead))
            .unwrap_or_else(|| panic!("{lead} missing: {table}"));
        assert!(row.contains("chase") && row.contains("pending"), "{row}");
        assert!(row.contains("next try 2019-05-20 08:00"), "UTC: {row}");
    }
    assert!(
        !table.contains("Julie Bragg"),
        "nothing of hers overdue: {table}"
    );
}

#[test]
fn an_unknown_job_or_an_unreadable_time_fails_and_leaves_the_outbox_alone() {
    let (_dir, db) = kirklees();
    run_ok(
        &db,
        &["jobs", "run", "chase", "--as-of", "2019-05-20 09:00"],
    );
    let before = outbox_json(&db);
    for (args, code, expect) in [
        (
            vec!["jobs", "run", "nonsense"],
            2,
            "invalid value 'nonsense'",
        ),
        (
            vec!["jobs", "run", "chase", "--as-of", "garbage"],
            2,
            "cannot read \"garbage\" as a time",
        ),
        (
            vec!["jobs", "run", "chase", "--as-of", "2019-03-31 01:30"],
            2,
            "2019-03-31 01:30 does not exist on the clocks in Europe/London",
        ),
        // Queued now, a rehearsal's messages would stand for the real run's.
        (
            vec!["jobs", "run", "chase", "--as-of", "2999-01-01 09:00"],
            1,
            "Tue 1 Jan 2999 09:00 GMT is still to come",
        ),
    ] {
        let out = planbot(&db, &args);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert_eq!(stdout(&out), "", "{args:?}");
        assert_eq!(outbox_json(&db), before, "{args:?}");
    }
    let rehearsal = run_ok(
        &db,
        &[
            "jobs",
            "run",
            "chase",
            "--as-of",
            "2999-01-01 09:00",
            "--dry-run",
        ],
    );
    assert!(rehearsal.contains("would queue"), "{rehearsal}");
    assert_eq!(outbox_json(&db), before, "a dry run records nothing");
    let err = stderr(&planbot(&db, &["jobs", "run", "nonsense"]));
    assert!(
        err.contains("chase, quarter-end, escalate, digest"),
        "lists the jobs: {err}"
    );
}

#[test]
fn escalate_and_digest_without_a_config_say_which_channel_to_set() {
    let (_dir, db) = kirklees();
    for (job, key) in [("escalate", "plan_channel"), ("digest", "board_channel")] {
        let out = planbot(&db, &["jobs", "run", job, "--as-of", "2019-05-20 09:00"]);
        assert_eq!(out.status.code(), Some(1), "{job}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "{job} for plan \"Kirklees\" needs {key} set in the config's [[guilds]] table"
            )),
            "{err}"
        );
    }
    assert_eq!(outbox_json(&db), "");
}

#[test]
fn with_a_config_naming_the_plan_channel_escalate_runs_from_the_command_line() {
    let (dir, db) = kirklees();
    let config = dir.path().join("planbot.toml");
    std::fs::write(
        &config,
        format!(
            "[[guilds]]\nid = 1\nplans = [\"Kirklees\"]\nplan_channel = {PLAN_CHANNEL}\n\
             board_channel = {BOARD_CHANNEL}\n"
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let text = run_ok(
        &db,
        &[
            "jobs",
            "run",
            "escalate",
            "--config",
            &config,
            "--as-of",
            "2019-05-20 09:00",
        ],
    );
    assert!(
        text.contains("escalate for Kirklees as of Mon 20 May 2019 09:00 BST"),
        "{text}"
    );
    let table = run_ok(&db, &["outbox"]);
    assert!(
        table.contains(&format!("channel {PLAN_CHANNEL}")),
        "{table}"
    );
    let list = run_ok(&db, &["jobs", "list", "--config", &config]);
    assert!(!list.contains("set plan_channel"), "{list}");
    assert!(!list.contains("set board_channel"), "{list}");
}

#[tokio::test]
async fn jobs_run_quarter_end_on_a_plan_imported_in_2019_queues_reminders_for_monday() {
    // Imported through the library on 1 March 2019, so the actions' history
    // starts before Q1 19/20 rather than today.
    let (db, plan) = imported(QUARTER_PLAN).await;
    update(&db.store, &plan, "1.2", utc(2019, 5, 1, 10, 0)).await;
    let path = db.path();
    let text = run_ok(
        &path,
        &["jobs", "run", "quarter-end", "--as-of", "2019-06-16 09:00"],
    );
    assert!(
        text.contains(
            "quarter-end for P as of Sun 16 Jun 2019 09:00 BST: 2 messages decided, 2 new in the outbox"
        ),
        "{text}"
    );
    let again = run_ok(
        &path,
        &["jobs", "run", "quarter-end", "--as-of", "2019-06-20 09:00"],
    );
    assert!(
        again.contains("2 messages decided, 0 new in the outbox (the rest were queued before)"),
        "{again}"
    );
    let table = run_ok(&path, &["outbox"]);
    for lead in ["Ophelia Rix", "Tom Brailsford"] {
        let row = table
            .lines()
            .find(|l| l.contains(lead))
            .unwrap_or_else(|| panic!("{lead} missing: {table}"));
        assert!(
            row.contains("quarter-end") && row.contains("pending"),
            "{row}"
        );
        assert!(
            row.contains("next try 2019-06-17 08:00"),
            "Monday 09:00 BST: {row}"
        );
    }
    assert!(!table.contains("Steve Comb"), "{table}");
}

/// `app::jobs::run_job` is the one way to run a job now: a plan admin's run
/// queues once however often it is repeated, a dry run records nothing,
/// and somebody who is not an admin is refused.
#[tokio::test]
async fn running_a_job_through_the_application_queues_once_and_only_for_admins() {
    use planbot::app::jobs::{JobOutcome, RunMode, run_job};
    use planbot::app::{Actor, AppError};
    let (db, _plan) = imported(SMALL_PLAN).await;
    let pj = plan_jobs(&db, None, None).await;
    let fire = london(2019, 5, 20, 9, 0);
    let admin = Actor::trusted("Mel Meggs");
    let run = |actor: Actor, mode| {
        let (store, pj) = (db.store.clone(), pj.clone());
        async move { run_job(&store, &actor, &pj, JobName::Chase, fire, fire, mode).await }
    };
    let Ok(JobOutcome::WouldQueue(dry)) = run(admin.clone(), RunMode::DryRun).await else {
        panic!("a dry run says what it would queue");
    };
    assert!(db.store.outbox_entries(&[], 100).await.unwrap().is_empty());
    let Ok(JobOutcome::Ran(first)) = run(admin.clone(), RunMode::Manual).await else {
        panic!("an admin's run runs");
    };
    assert_eq!((first.decided, first.queued), (dry.outgoing.len(), 3));
    let Ok(JobOutcome::Ran(again)) = run(admin, RunMode::Manual).await else {
        panic!("an admin's run runs");
    };
    assert_eq!(again.queued, 0, "nothing is queued twice");
    let lead = Actor::discord("ophelia", 42, false, false);
    assert!(matches!(
        run(lead, RunMode::Manual).await,
        Err(AppError::NotAdmin)
    ));
    assert_eq!(db.store.outbox_entries(&[], 100).await.unwrap().len(), 3);
}

/// A time on each plan's own clock can be past for one plan and still to
/// come for another: refused before any plan's job runs, so that nothing is
/// queued by half a command.
#[test]
fn a_time_still_to_come_on_any_plans_clock_runs_no_plans_job() {
    let (_dir, db) = kirklees();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kirklees-plan.csv");
    // Kirklees, on London's clock, comes first.
    let out = planbot(
        &db,
        &[
            "import",
            example,
            "--plan",
            "York",
            "--time-zone",
            "America/New_York",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Two hours ago in London is some hours still to come in New York.
    let london = (Utc::now() - Duration::hours(2)).with_timezone(&Zone::london());
    let at = london.format("%Y-%m-%d %H:%M").to_string();
    let out = planbot(&db, &["jobs", "run", "chase", "--as-of", &at]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("is still to come"),
        "{}",
        stderr(&out)
    );
    assert_eq!(outbox_json(&db), "", "neither plan queued anything");
}
