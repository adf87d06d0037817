//! `kill -9` at the worst moments: the real binary, run as `planbot run`,
//! killed while Discord has not answered, then started again. Every message
//! must land exactly once.

use crate::process::*;
use planbot_testkit::*;

/// Monday 20 May 2019, 09:00:30 London: just after the chase.
const MONDAY_0900_30: &str = "2019-05-20T08:00:30Z";

/// Waits until the outbox holds `n` messages (decided and committed).
async fn wait_queued(app: &TestApp, n: usize) {
    let deadline = std::time::Instant::now() + WAIT;
    while app.store.outbox_entries(&[], 100).await.unwrap().len() < n {
        assert!(
            std::time::Instant::now() < deadline,
            "the jobs never queued {n} messages"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Every lead and every post got its message once.
fn assert_each_once(app: &TestApp) {
    assert_eq!(app.server.dm_messages(OPHELIA).len(), 1, "Ophelia's chase");
    assert_eq!(app.server.dm_messages(STEVE).len(), 1, "Steve's chase");
    let channel: Vec<String> = app
        .server
        .channel_messages(CHANNEL)
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_string())
        .collect();
    let escalations = channel
        .iter()
        .filter(|t| t.starts_with("**Escalation"))
        .count();
    assert_eq!(escalations, 7, "{channel:?}");
    let unlinked = channel
        .iter()
        .filter(|t| t.contains("no Discord account linked"))
        .count();
    assert_eq!(unlinked, 2, "{channel:?}");
}

async fn crash_and_restart(hold: &str) {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let config = write_config(&app, "");
    let log = app.dir.path().join("first.log");
    app.server.hold_responses(hold);
    let mut first = spawn_planbot(&config, &log, MONDAY_0900_30);
    if !app.server.wait_for_held(1, WAIT).await {
        panic!(
            "planbot never sent anything: {}",
            std::fs::read_to_string(&log).unwrap()
        );
    }
    wait_queued(&app, 11).await;
    first.kill();
    app.server.release_held();
    let pending = app
        .store
        .outbox_entries(&["pending"], 100)
        .await
        .unwrap()
        .len();
    assert!(
        pending >= 9,
        "killed with most messages decided but not delivered: {pending}"
    );

    let mut second = spawn_planbot(&config, &app.dir.path().join("second.log"), MONDAY_0900_30);
    let outbox = app.wait_outbox(11).await;
    second.kill();
    assert_eq!(outbox.len(), 11, "no message decided twice: {outbox:?}");
    assert!(outbox.iter().all(|e| e.state == "sent"), "{outbox:?}");
    assert_each_once(&app);
    let runs = app.store.recent_runs(20).await.unwrap();
    assert_eq!(
        runs.iter().filter(|r| r.job == "chase").count(),
        1,
        "the 09:00 chase ran once: {runs:?}"
    );
    for log in ["first.log", "second.log"] {
        let text = std::fs::read_to_string(app.dir.path().join(log)).unwrap();
        assert!(!text.contains(TOKEN), "the token is never logged");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_deciding_and_sending_it_delivers_everything_once_after_a_restart() {
    // Discord never answers the first DM channel request: every message is
    // decided and queued, none sent, when the process dies.
    crash_and_restart("/users/@me/channels").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_sending_and_recording_it_does_not_send_twice() {
    // Discord creates the first message but the answer never arrives: the
    // restarted process sends it again, with the same nonce.
    crash_and_restart("/channels/").await;
}
