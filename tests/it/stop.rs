//! SIGTERM, as a service manager stops planbot: it finishes the message in
//! flight, ends within 10 s even when Discord does not answer, exits 0, and
//! the next start sends what was left, once.

use crate::process::*;
use planbot_testkit::*;
use std::time::Duration;

/// How long a service manager may wait; systemd's default is 90 s, but a
/// stop that hangs holds up every restart and upgrade.
const STOP_LIMIT: Duration = Duration::from_secs(10);

/// Monday 1 April 2019, 09:00:30 London: the first working day after Q4
/// 18/19 ended, when the digest is posted to the board channel.
const DIGEST_DAY: &str = "2019-04-01T08:00:30Z";
/// Monday 20 May 2019, 09:00:30 London: just after the chase.
const CHASE_DAY: &str = "2019-05-20T08:00:30Z";

fn log_of(app: &TestApp, name: &str) -> String {
    std::fs::read_to_string(app.dir.path().join(name)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_digest_post_finishes_it_and_the_board_gets_it_once() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let config = write_config(&app, "");
    let board = format!("/channels/{}/messages", example::BOARD);
    app.server.hold_responses(&board);
    let log = app.dir.path().join("first.log");
    let mut first = spawn_planbot(&config, &log, DIGEST_DAY);
    assert!(
        app.server.wait_for_held(1, WAIT).await,
        "no digest post: {}",
        log_of(&app, "first.log")
    );
    // Discord answers the post a second after the stop was asked for.
    let server = app.server.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        server.release_held();
    });
    let (status, took) = first.terminate(STOP_LIMIT);
    assert!(
        status.success(),
        "a clean stop: {status:?}\n{}",
        log_of(&app, "first.log")
    );
    assert!(
        took >= Duration::from_millis(900),
        "it waited for the answer: {took:?}"
    );
    let sent = app.store.outbox_entries(&["sent"], 100).await.unwrap();
    assert!(
        sent.iter().any(|e| e.job == "digest"),
        "the post in flight was recorded as sent: {sent:?}"
    );

    let mut second = spawn_planbot(&config, &app.dir.path().join("second.log"), DIGEST_DAY);
    tokio::time::sleep(Duration::from_secs(2)).await;
    second.terminate(STOP_LIMIT);
    let posts = app.server.channel_messages(example::BOARD);
    assert_eq!(posts.len(), 1, "the board got the digest once: {posts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_discord_does_not_answer_stops_within_10_s_and_loses_nothing() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let config = write_config(&app, "");
    app.server.hold_responses("/users/@me/channels");
    let mut first = spawn_planbot(&config, &app.dir.path().join("first.log"), CHASE_DAY);
    assert!(
        app.server.wait_for_held(1, WAIT).await,
        "planbot never sent anything: {}",
        log_of(&app, "first.log")
    );
    // The network goes: the request in flight and every later one hang.
    app.server.go_dark();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, took) = first.terminate(STOP_LIMIT);
    assert!(
        status.success(),
        "a clean stop: {status:?}\n{}",
        log_of(&app, "first.log")
    );
    assert!(took < STOP_LIMIT, "{took:?}");
    let log = log_of(&app, "first.log");
    assert!(!log.contains(TOKEN), "the token is never logged");

    // Discord is back, and the next start delivers everything once.
    app.server.come_back();
    app.server.release_held();
    let mut second = spawn_planbot(&config, &app.dir.path().join("second.log"), CHASE_DAY);
    let outbox = app.wait_outbox(11).await;
    second.terminate(STOP_LIMIT);
    assert!(outbox.iter().all(|e| e.state == "sent"), "{outbox:?}");
    assert_eq!(
        app.server.dm_messages(OPHELIA).len(),
        1,
        "Ophelia's chase, once"
    );
    assert_eq!(
        app.server.dm_messages(STEVE).len(),
        1,
        "Steve's chase, once"
    );
}
