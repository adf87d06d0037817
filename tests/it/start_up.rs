//! A bot started outside working time catches up on what it missed, and the
//! messages those runs decide wait for working time like any others: the
//! real binary, on a rehearsal clock set to the awkward moments.

use crate::helpers::{planbot, stdout, utc};
use crate::process::*;
use chrono::{DateTime, Utc};
use planbot::jobs::JobName;
use planbot::store::{RunKind, RunRecord};
use planbot_testkit::*;
use serde_json::Value;
use std::time::Duration;

/// The app with its own bot stopped, to make way for `planbot run`.
async fn app_without_bot() -> TestApp {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    app
}

/// `planbot run` on the app's database, its clock starting at `now`.
fn spawn_at(app: &TestApp, now: &str, jobs: &str) -> Planbot {
    let config = write_config(app, jobs);
    spawn_planbot(&config, &app.dir.path().join("planbot.log"), now)
}

/// Waits until the run at start has recorded all four jobs.
async fn wait_caught_up(app: &TestApp) {
    let deadline = std::time::Instant::now() + WAIT;
    while app.store.recent_runs(20).await.unwrap().len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the jobs never ran: {}",
            std::fs::read_to_string(app.dir.path().join("planbot.log")).unwrap()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `planbot outbox --all --json`, as an admin would read it.
fn outbox(app: &TestApp) -> Vec<Value> {
    let out = planbot(
        &app.dir.path().join("bot.db"),
        &["outbox", "--all", "--json"],
    );
    assert!(out.status.success(), "{out:?}");
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn time(entry: &Value, field: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(entry[field].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// Every message the catch-up queued (chasers among them) waits for
/// `working`, and a few sender polls later none has gone out.
async fn assert_held_until(app: &TestApp, working: &str) {
    wait_caught_up(app).await;
    let working = DateTime::parse_from_rfc3339(working).unwrap();
    // Ten polls of the sender: ample time to send what it thought was due.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let entries = outbox(app);
    assert!(
        entries.iter().filter(|e| e["job"] == "chase").count() >= 3,
        "the missed chase was caught up: {entries:?}"
    );
    for e in &entries {
        assert_eq!(time(e, "not_before"), working, "{e}");
        assert_eq!(e["state"], "pending", "{e}");
    }
    assert!(app.server.dm_messages(OPHELIA).is_empty());
    assert!(app.server.dm_messages(STEVE).is_empty());
    assert!(app.server.channel_messages(CHANNEL).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_on_christmas_morning_the_missed_monday_chase_waits_for_tuesday_29th() {
    // Friday 25 December 2026, 08:30, having missed Monday 21st's chase.
    // Christmas, the weekend and the Boxing Day substitute on Monday 28th
    // are all off.
    let app = app_without_bot().await;
    // Last chased on 7 December: the 14th fell out of the 7-day window, so
    // the admins get a notice, and it waits too.
    app.store
        .record_run(
            &app.plan().await,
            &RunRecord {
                job: JobName::Chase,
                fire: utc(2026, 12, 7, 9, 0),
                ran_at: utc(2026, 12, 7, 9, 0),
                kind: RunKind::Scheduled,
                detail: None,
            },
            &Default::default(),
            None,
        )
        .await
        .unwrap();
    let _bot = spawn_at(&app, "2026-12-25T08:30:00Z", r#"chase = "0 9 * * Mon""#);
    assert_held_until(&app, "2026-12-29T09:00:00Z").await;
    let notice = outbox(&app)
        .into_iter()
        .find(|e| e["job"] == "notice")
        .expect("the admins' notice of the skipped run");
    assert_eq!(notice["to"], format!("channel {CHANNEL}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_on_a_saturday_morning_the_missed_friday_chase_waits_for_monday() {
    // Saturday 18 May 2019, 10:00 BST; Monday 20th is a working day.
    let app = app_without_bot().await;
    let _bot = spawn_at(&app, "2019-05-18T09:00:00Z", "");
    assert_held_until(&app, "2019-05-20T08:00:00Z").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn started_just_before_nine_on_a_monday_the_missed_friday_chase_goes_at_nine() {
    // Monday 20 May 2019, 08:59:57 BST: Friday's chase is caught up at once
    // and held three seconds, until 09:00.
    let app = app_without_bot().await;
    let _bot = spawn_at(&app, "2019-05-20T07:59:57Z", "");
    let nine = DateTime::parse_from_rfc3339("2019-05-20T08:00:00Z").unwrap();
    let friday = DateTime::parse_from_rfc3339("2019-05-17T08:00:00Z").unwrap();
    wait_caught_up(&app).await;
    let runs = app.store.recent_runs(20).await.unwrap();
    let caught_up = runs
        .iter()
        .find(|r| r.job == "chase" && r.fire == friday)
        .expect("Friday's chase ran at start");
    assert!(caught_up.ran_at < nine, "{caught_up:?}");

    let sent = app.wait_outbox(4).await;
    assert!(sent.iter().all(|e| e.state == "sent"), "{sent:?}");
    for e in outbox(&app) {
        assert_eq!(time(&e, "not_before"), nine, "{e}");
        assert!(time(&e, "sent_at") >= nine, "sent before 09:00: {e}");
    }
    assert_eq!(app.server.dm_messages(OPHELIA).len(), 1);
}
