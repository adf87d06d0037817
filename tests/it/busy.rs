//! Another program holds the database's write lock for 12 s (a long CLI
//! import does): `/status`, *Mark complete* and the update modal still
//! answer within Discord's 3 s, then say in a follow-up what was recorded,
//! and the updates are in the history once the lock is released.

use discord_testserver::ResponseKind;
use planbot::plan::Status;
use planbot_testkit::*;
use sqlx::Connection;
use std::time::{Duration, Instant};

/// Discord refuses an interaction's first answer after this.
const DEADLINE: Duration = Duration::from_secs(3);
const HELD_FOR: Duration = Duration::from_secs(12);

/// Takes the write lock on another connection, as another process would,
/// and gives it up after `HELD_FOR`.
async fn hold_write_lock(db: &std::path::Path) -> tokio::task::JoinHandle<()> {
    let mut conn = begin_immediate(db).await;
    tokio::spawn(async move {
        tokio::time::sleep(HELD_FOR).await;
        sqlx::query("COMMIT").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    })
}

/// Another connection to `db` that holds its write lock until it commits.
async fn begin_immediate(db: &std::path::Path) -> sqlx::SqliteConnection {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

/// Asserts the interaction's first answer came within the deadline, and
/// is a deferral (the write is still waiting).
async fn deferred_in_time(app: &TestApp, sent: Instant, id: u64, what: &str) {
    let first = app.server.responses(id, 1, DEADLINE).await;
    assert!(
        !first.is_empty(),
        "{what}: no answer within 3 s ({:?} after the interaction)",
        sent.elapsed()
    );
    assert!(
        matches!(first[0].kind, ResponseKind::Callback { type_: 5 }),
        "{what}: the first answer is a deferral while the database is busy: {first:?}"
    );
}

/// The follow-up saying what was recorded, once the write is done.
async fn follow_up(app: &TestApp, id: u64, what: &str) -> String {
    let all = app.server.responses(id, 2, WAIT).await;
    assert!(all.len() >= 2, "{what}: no follow-up: {all:?}");
    assert!(
        matches!(all[1].kind, ResponseKind::FollowUp),
        "{what}: {all:?}"
    );
    all[1].content().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_button_and_modal_answer_in_time_while_another_program_writes() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    let db = app.dir.path().join("bot.db");
    let before = |r: &'static str| {
        let store = app.store.clone();
        let plan = plan.clone();
        async move { store.history(&plan, r).await.unwrap().len() }
    };
    let rows = (
        before("7.1").await,
        before("1.1").await,
        before("2.4").await,
    );
    let release = hold_write_lock(&db).await;

    let sent = Instant::now();
    let id = app
        .server
        .send_command(
            GUILD,
            CHANNEL,
            OPHELIA,
            "status",
            app.status_options("7.1", "Green: on track", Some("Agreed at the board")),
        )
        .await;
    deferred_in_time(&app, sent, id, "/status").await;
    let status = id;

    let sent = Instant::now();
    let complete = format!("pb:c:{}:1.1", plan.id);
    let id = app
        .server
        .press_button(Some(GUILD), CHANNEL, STEVE, 1, &complete)
        .await;
    deferred_in_time(&app, sent, id, "Mark complete").await;
    let button = id;

    let sent = Instant::now();
    let update = format!("pb:u:{}:2.4", plan.id);
    let fields = [("status", "amber"), ("note", "Slipping a month")];
    let id = app
        .server
        .submit_modal(Some(GUILD), CHANNEL, OPHELIA, &update, &fields)
        .await;
    deferred_in_time(&app, sent, id, "the update modal").await;
    let modal = id;
    assert!(!release.is_finished(), "the lock was held all along");
    release.await.unwrap();

    let status = follow_up(&app, status, "/status").await;
    let button = follow_up(&app, button, "Mark complete").await;
    let modal = follow_up(&app, modal, "the update modal").await;
    assert!(
        status.contains("7.1") && status.contains("Green"),
        "{}",
        status
    );
    assert!(status.contains("Agreed at the board"));
    assert!(
        button.contains("1.1") && button.contains("Complete"),
        "{}",
        button
    );
    assert!(
        modal.contains("2.4") && modal.contains("Amber"),
        "{}",
        modal
    );
    for (reference, was, to) in [
        ("7.1", rows.0, Status::Green),
        ("1.1", rows.1, Status::Complete),
        ("2.4", rows.2, Status::Amber),
    ] {
        let history = app.store.history(&plan, reference).await.unwrap();
        assert_eq!(history.len(), was + 1, "{reference}: one update recorded");
        assert_eq!(history.last().unwrap().to, to, "{reference}");
    }
    // The reply shows the row as written, with the time it was stamped.
    let written = app.store.history(&plan, "7.1").await.unwrap();
    let stamp = format!("<t:{}:f>", written.last().unwrap().at.timestamp());
    assert!(status.contains(&stamp), "{status}");
}

/// The leads are read inside the write: an import that takes a lead off an
/// action while her update waits for the lock leaves her update refused,
/// not written on the strength of the leads as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_removed_while_her_update_waits_is_refused() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    let db = app.dir.path().join("bot.db");
    let rows = app.store.history(&plan, "7.1").await.unwrap().len();
    let mut import = begin_immediate(&db).await;

    let id = app
        .server
        .send_command(
            GUILD,
            CHANNEL,
            OPHELIA,
            "status",
            app.status_options("7.1", "Green: on track", None),
        )
        .await;
    // Once the bot says it is working on it, the update is waiting for the lock.
    app.server.responses(id, 1, DEADLINE).await;
    sqlx::query(
        "DELETE FROM action_leads
          WHERE action_id = (SELECT id FROM actions WHERE ref = '7.1')
            AND person_id = (SELECT id FROM people WHERE name = 'Ophelia Rix')",
    )
    .execute(&mut import)
    .await
    .unwrap();
    // The leads as listings and checks read them.
    sqlx::query("UPDATE actions SET leads = 'Mel Meggs' WHERE ref = '7.1'")
        .execute(&mut import)
        .await
        .unwrap();
    sqlx::query("COMMIT").execute(&mut import).await.unwrap();

    let answers = app.server.responses(id, 2, WAIT).await;
    let said = answers.last().map(|r| r.content()).unwrap_or("");
    assert!(said.contains("Only the action's leads"), "{answers:?}");
    let history = app.store.history(&plan, "7.1").await.unwrap();
    assert_eq!(history.len(), rows, "nothing was written");
}
