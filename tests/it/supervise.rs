//! The supervised runtime: a job or the sender that panics is restarted and
//! the reminders still go out; one that keeps failing stops the bot; the
//! scheduler waits for the guilds; an idle bot writes nothing but its lease.

use crate::helpers::utc;
use planbot::clock::Clock;
use planbot_testkit::*;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Monday 20 May 2019, 09:00:30 in London: just after the weekday jobs fire.
fn monday_morning() -> chrono::DateTime<chrono::Utc> {
    utc(2019, 5, 20, 8, 0) + chrono::Duration::seconds(30)
}

/// The scheduler's settings, restarting a failed task after 20 ms.
fn quick_restarts(app: &TestApp) -> planbot::config::Settings {
    let mut s = jobs_settings(&app.server, &app.dir.path().join("bot.db"));
    s.jobs.test_hooks.first_restart = Some(Duration::from_millis(20));
    s
}

async fn stopped_app() -> TestApp {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    app
}

/// Each of the Monday chases and escalations was delivered, once.
fn assert_monday_delivered_once(app: &TestApp, outbox: &[planbot::store::OutboxEntry]) {
    assert_eq!(outbox.len(), 11, "{outbox:?}");
    assert!(outbox.iter().all(|e| e.state == "sent"), "{outbox:?}");
    assert_eq!(app.server.dm_messages(OPHELIA).len(), 1, "Ophelia's chase");
    assert_eq!(app.server.dm_messages(STEVE).len(), 1, "Steve's chase");
    assert_eq!(
        app.server.channel_messages(CHANNEL).len(),
        9,
        "7 escalations, 2 chases"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_panics_is_restarted_and_the_reminders_go_out() {
    let mut app = stopped_app().await;
    let settings = quick_restarts(&app);
    let panics = settings.jobs.test_hooks.job_panics.clone();
    panics.store(1, Ordering::SeqCst);
    app.start_bot_at(settings, Clock::starting_at(monday_morning()))
        .await;
    let outbox = app.wait_outbox(11).await;
    assert_eq!(panics.load(Ordering::SeqCst), 0, "the chase panicked once");
    assert_monday_delivered_once(&app, &outbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_that_panics_is_restarted_and_delivers_each_message_once() {
    let mut app = stopped_app().await;
    let settings = quick_restarts(&app);
    let panics = settings.jobs.test_hooks.sender_panics.clone();
    panics.store(2, Ordering::SeqCst);
    app.start_bot_at(settings, Clock::starting_at(monday_morning()))
        .await;
    let outbox = app.wait_outbox(11).await;
    assert_eq!(
        panics.load(Ordering::SeqCst),
        0,
        "the sender panicked twice"
    );
    assert_monday_delivered_once(&app, &outbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_keeps_panicking_stops_the_bot_rather_than_answer_without_reminders() {
    let mut app = stopped_app().await;
    let settings = quick_restarts(&app);
    settings
        .jobs
        .test_hooks
        .job_panics
        .store(u32::MAX, Ordering::SeqCst);
    app.start_bot_at(settings, Clock::starting_at(monday_morning()))
        .await;
    let mut bot = app.bot.take().unwrap();
    let ended = tokio::time::timeout(WAIT, bot.wait())
        .await
        .expect("the bot stops by itself");
    let error = ended.expect_err("a failure, not a clean stop").to_string();
    assert!(
        error.contains("scheduler") && error.contains("injected"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_waits_for_the_guilds_so_escalations_mention_the_admins() {
    let mut app = stopped_app().await;
    app.server.hold_guild_creates();
    app.start_jobs_at(monday_morning()).await;
    // Time enough for a scheduler that did not wait to send everything.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.server.release_guild_creates();
    let outbox = app.wait_outbox(11).await;
    assert_monday_delivered_once(&app, &outbox);
    let escalations: Vec<String> = app
        .server
        .channel_messages(CHANNEL)
        .iter()
        .filter_map(|m| m["content"].as_str().map(str::to_string))
        .filter(|t| t.starts_with("**Escalation"))
        .collect();
    assert_eq!(escalations.len(), 7);
    let role = format!("<@&{}>", example::PLAN_ADMIN);
    for text in &escalations {
        assert!(text.contains(&role), "the admins are mentioned: {text}");
    }
}

/// Saturday 18 May 2019, noon in London: the Friday runs are caught up at
/// start and wait for Monday; nothing else is due until Sunday 09:00.
fn saturday_noon() -> chrono::DateTime<chrono::Utc> {
    utc(2019, 5, 18, 11, 0)
}

/// Counts every row written from now on, by table, in `test_writes`.
async fn count_writes(db: &std::path::Path) -> sqlx::SqlitePool {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE test_writes (tbl TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name NOT IN ('test_writes', '_sqlx_migrations')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for t in tables {
        for op in ["INSERT", "UPDATE", "DELETE"] {
            // The table names come from the schema itself.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE TRIGGER test_count_{op}_{t} AFTER {op} ON {t}
                 BEGIN INSERT INTO test_writes VALUES ('{t}'); END"
            )))
            .execute(&pool)
            .await
            .unwrap();
        }
    }
    pool
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_scheduler_writes_nothing_but_lease_renewals() {
    let mut app = stopped_app().await;
    let mut settings = jobs_settings(&app.server, &app.dir.path().join("bot.db"));
    // Renewed every second: a third of the lease.
    settings.jobs.lease_seconds = 3;
    app.start_bot_at(settings, Clock::starting_at(saturday_noon()))
        .await;
    let deadline = std::time::Instant::now() + WAIT;
    while app.store.recent_runs(10).await.unwrap().len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the catch-up never ran"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pool = count_writes(&app.dir.path().join("bot.db")).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let writes: Vec<(String, i64)> =
        sqlx::query_as("SELECT tbl, count(*) FROM test_writes GROUP BY tbl ORDER BY tbl")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(
        writes.iter().all(|(t, _)| t == "scheduler_lease"),
        "only the lease is written: {writes:?}"
    );
    let renewals = writes.first().map_or(0, |w| w.1);
    assert!(
        (1..=6).contains(&renewals),
        "about one renewal a second over 4 s, not one a poll: {renewals}"
    );
    let pending = app.store.outbox_entries(&["pending"], 100).await.unwrap();
    assert!(!pending.is_empty(), "Friday's reminders wait for Monday");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn deciding_a_chase_leaves_the_runtime_free_to_answer_commands() {
    let mut app = stopped_app().await;
    let mut settings = jobs_settings(&app.server, &app.dir.path().join("bot.db"));
    let gate = planbot::jobs::Gate::default();
    settings.jobs.test_hooks.decision_gate = Some(gate.clone());
    app.start_bot_at(settings, Clock::starting_at(monday_morning()))
        .await;
    // Should the decision hold the only worker thread, it is let go after
    // 8 s so that the test ends; then the answer below comes too late.
    let opened = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (watchdog_gate, watchdog_opened) = (gate.clone(), opened.clone());
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(8));
        watchdog_opened.store(true, Ordering::SeqCst);
        watchdog_gate.open();
    });
    let answer = app.reply(OPHELIA, "overdue", serde_json::json!([])).await;
    assert!(
        !opened.load(Ordering::SeqCst),
        "the answer waited for the chase decision"
    );
    assert!(answer.content().contains("overdue"), "{answer:?}");
    gate.open();
    let outbox = app.wait_outbox(11).await;
    assert_monday_delivered_once(&app, &outbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limiter_learns_a_limit_while_another_request_waits_for_its_turn() {
    let limits = std::sync::Arc::new(planbot::discord::RateLimiter::new(1));
    limits.acquire("a").await;
    // The next request's turn is a second away.
    let waiting = {
        let limits = limits.clone();
        tokio::spawn(async move { limits.acquire("b").await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Learning a limit takes no turn: it must not wait the second out.
    let learned = tokio::time::timeout(
        Duration::from_millis(500),
        limits.refused("c", false, Duration::from_secs(5)),
    )
    .await;
    assert!(
        learned.is_ok() && !waiting.is_finished(),
        "the limiter's lock was held across the wait"
    );
}

/// The README's figure: `planbot run` idle for PLANBOT_IDLE_SECONDS (600
/// by default) with the default lease (60 s), every write counted.
/// `cargo test --test it -- --ignored --nocapture idle_planbot_run`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes ten minutes: a measurement, not a check"]
async fn idle_planbot_run_over_ten_minutes() {
    let app = stopped_app().await;
    let config = app.dir.path().join("idle.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\npath = \"{}\"\n[discord]\napi_base = \"{}\"\n[[guilds]]\nid = {GUILD}\nplans = [\"Kirklees\"]\nplan_channel = {CHANNEL}\nboard_channel = {}\n",
            app.dir.path().join("bot.db").display(),
            app.server.base_url(),
            example::BOARD
        ),
    )
    .unwrap();
    let log = app.dir.path().join("idle.log");
    let bot = crate::process::spawn_planbot(&config, &log, "2019-05-18T11:00:00Z");
    let deadline = std::time::Instant::now() + WAIT;
    while app.store.recent_runs(10).await.unwrap().len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the catch-up never ran"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pool = count_writes(&app.dir.path().join("bot.db")).await;
    let seconds: u64 = std::env::var("PLANBOT_IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    println!("planbot run is pid {}; idle for {seconds} s", bot.id());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let writes: Vec<(String, i64)> =
        sqlx::query_as("SELECT tbl, count(*) FROM test_writes GROUP BY tbl ORDER BY tbl")
            .fetch_all(&pool)
            .await
            .unwrap();
    println!("rows written in {seconds} s, by table: {writes:?}");
    assert!(
        writes.iter().all(|(t, _)| t == "scheduler_lease"),
        "{writes:?}"
    );
    drop(bot);
}
