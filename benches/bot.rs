//! Speed and footprint of the Discord bot, end to end: the bot runs unchanged
//! (serenity + poise, SQLite with the Kirklees example plan) against the
//! Discord-compatible test server on 127.0.0.1, so no traffic leaves the
//! machine. Run with `cargo bench --bench bot`; figures go in the README.
//!
//! 1. `/status` with its database write: interaction sent to callback received.
//! 2. Start to slash commands registered.
//! 3. Resident memory after READY, measured in a child process (this binary
//!    re-run with `--rss-child MODE`) so that only what that process holds
//!    counts.

use discord_testserver::{Response, ResponseKind, TestServer};
use planbot::clock::Clock;
use planbot::discord::RunningBot;
use planbot::plan::Status;
use planbot::store::{ActionFilter, Store};
use planbot_testkit::{
    CHANNEL, GUILD, OPHELIA, WAIT, choice, demo_now, example_store, guild, report, settings,
    start_bot,
};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const LEAD: &str = "Ophelia Rix";
/// The statuses the updates cycle through, as the `status` option's choices
/// are labelled.
const CYCLE: [(Status, &str); 3] = [
    (Status::Green, "Green: on track"),
    (Status::Amber, "Amber: at risk"),
    (Status::Red, "Red: off track"),
];

/// Ophelia's actions and, for each, where it is in `CYCLE`; every update
/// moves an action to the next status, so that each one changes it.
struct Updates {
    refs: Vec<String>,
    at: Vec<usize>,
    values: Vec<Value>,
    sent: usize,
}

impl Updates {
    async fn new(server: &TestServer, store: &Store) -> Updates {
        let plan = store.find_plan(Some("Kirklees")).await.unwrap();
        let filter = ActionFilter {
            lead: Some(LEAD.into()),
            ..Default::default()
        };
        let actions = store
            .actions(&plan, &filter, plan.today(demo_now()))
            .await
            .unwrap();
        assert!(!actions.is_empty(), "{LEAD} leads nothing");
        Updates {
            at: actions
                .iter()
                .map(|a| {
                    CYCLE
                        .iter()
                        .position(|(s, _)| *s == a.status)
                        .unwrap_or(CYCLE.len() - 1)
                })
                .collect(),
            refs: actions.into_iter().map(|a| a.reference).collect(),
            values: CYCLE
                .iter()
                .map(|(_, label)| choice(server, "status", "status", label))
                .collect(),
            sent: 0,
        }
    }

    /// The options of the next `/status`: the next action, its next status.
    fn next(&mut self) -> Value {
        let i = self.sent % self.refs.len();
        self.sent += 1;
        self.at[i] = (self.at[i] + 1) % CYCLE.len();
        json!([
            {"type": 3, "name": "ref", "value": self.refs[i]},
            {"type": 4, "name": "status", "value": self.values[self.at[i]]},
            {"type": 3, "name": "note", "value": format!("bench update {}", self.sent)},
        ])
    }
}

/// Sends one `/status` as Ophelia and returns the milliseconds until the
/// test server holds the bot's callback.
///
/// What this measures: from just before `send_command` (which builds the
/// INTERACTION_CREATE and queues it on the gateway connection) to when
/// `responses` sees the callback POST recorded. The server keeps no
/// timestamps, so this is an upper bound on "interaction sent to callback
/// received": it includes building the dispatch, the waiter's wake-up, and
/// everything the in-process test server does (JSON, checking payloads with
/// serenity's model types), on the same cores as the bot.
async fn status_once(server: &TestServer, options: Value) -> f64 {
    let started = Instant::now();
    let id = server
        .send_command(GUILD, CHANNEL, OPHELIA, "status", options)
        .await;
    let answers = server.responses(id, 1, WAIT).await;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    check_update(answers.first());
    ms
}

fn check_update(answer: Option<&Response>) {
    let answer = answer.expect("the bot never answered /status");
    assert!(
        matches!(answer.kind, ResponseKind::Callback { .. }),
        "/status answered with {answer:?} before any callback"
    );
    assert!(
        answer.kind == ResponseKind::Callback { type_: 4 } && answer.content().contains(" → "),
        "/status did not record the update: {answer:?}"
    );
}

/// How many of `ms` took longer than `limit` milliseconds.
fn report_over(ms: &[f64], limit: f64) {
    let over = ms.iter().filter(|&&m| m > limit).count();
    println!(
        "{:<52} {over} of {}",
        format!("  answered after more than {limit} ms"),
        ms.len()
    );
}

/// Starts the bot on the example plan; returns it and the time from calling
/// `start` to its commands being registered.
async fn start_timed(server: &TestServer, store: &Store, db: &Path) -> (RunningBot, Duration) {
    let started = Instant::now();
    let bot = start_bot(
        server,
        settings(server, db),
        store,
        Clock::fixed(demo_now()),
    )
    .await;
    (bot, started.elapsed())
}

async fn bench() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bot.db");
    let store = example_store(&db).await;

    // 1. /status round trips, one at a time and 50 at once.
    let server = TestServer::start(vec![guild()]).await.unwrap();
    let (bot, _) = start_timed(&server, &store, &db).await;
    let mut updates = Updates::new(&server, &store).await;
    // Warm up: the pool's connections, serenity's HTTP client, caches.
    for _ in 0..30 {
        status_once(&server, updates.next()).await;
    }
    let mut sequential = Vec::new();
    for _ in 0..300 {
        sequential.push(status_once(&server, updates.next()).await);
    }
    // The test server sets TCP_NODELAY on the sockets it accepts; before it
    // did, about 4% of these (every update of action 4.2 among them) took
    // ~43 ms, Nagle's algorithm waiting on a delayed ACK, and p99 was 43 ms.
    report(
        "/status to callback, one at a time",
        sequential.clone(),
        "p99 < 25 ms",
    );
    report_over(&sequential, 25.0);

    // Each round sends 50 at once and waits for all of them. This is bound by
    // throughput, not latency: the same cores (two where this was written)
    // serve the bot, the test server and SQLite's threads, and the 50 durable
    // writes (BEGIN IMMEDIATE and an fsync each: see the store line below)
    // queue one behind another, so the last answer comes about a burst's
    // length after the first is sent; every waiter also wakes on each change
    // on the server. Ophelia leads fewer than 50 actions, so some are updated
    // twice in a round; the order of those two writes is up to the scheduler,
    // so the second may not change the status, but every update still writes
    // its history row.
    let mut concurrent = Vec::new();
    let mut bursts = Vec::new();
    for _ in 0..10 {
        let round = Instant::now();
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let server = server.clone();
                let options = updates.next();
                tokio::spawn(async move { status_once(&server, options).await })
            })
            .collect();
        for t in futures::future::join_all(tasks).await {
            concurrent.push(t.expect("an interaction task panicked"));
        }
        bursts.push(round.elapsed().as_secs_f64() * 1e3);
    }
    report(
        "/status to callback, 50 at once",
        concurrent.clone(),
        "p99 < 25 ms",
    );
    report_over(&concurrent, 25.0);
    report(
        "  each burst of 50, first sent to last answered",
        bursts,
        "none",
    );
    // For scale: the durable write alone (synchronous=FULL), no Discord.
    let plan = store.find_plan(Some("Kirklees")).await.unwrap();
    let mut writes = Vec::new();
    for i in 0..100 {
        let request = planbot::plan::StatusRequest {
            to: CYCLE[i % CYCLE.len()].0,
            note: Some(format!("direct write {i}")),
            evidence: None,
            by: LEAD.into(),
            by_discord_id: Some(OPHELIA),
            at: demo_now(),
        };
        let reference = &updates.refs[i % updates.refs.len()];
        let started = Instant::now();
        store
            .record_status(&plan, reference, &request)
            .await
            .unwrap();
        writes.push(started.elapsed().as_secs_f64() * 1e3);
    }
    report(
        "  for scale: the status write alone (store)",
        writes,
        "none",
    );
    let unknown = server.unknown_requests();
    assert!(
        unknown.is_empty(),
        "the bot made requests the server does not know: {unknown:?}"
    );
    bot.shutdown().await;
    drop(server);

    // 2. Start to commands registered, each with a fresh server.
    let mut starts = Vec::new();
    for _ in 0..10 {
        let server = TestServer::start(vec![guild()]).await.unwrap();
        let (bot, took) = start_timed(&server, &store, &db).await;
        starts.push(took.as_secs_f64() * 1e3);
        bot.shutdown().await;
    }
    report(
        "start to commands registered (Kirklees plan)",
        starts,
        "median < 500 ms",
    );
    store.close().await;
}

/// What a `--rss-child MODE` process reports: VmRSS and VmHWM in kB.
fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The child: starts what `mode` names, lets it settle for a second, and
/// prints its own resident memory. `db` holds the Kirklees plan, imported
/// by the parent: a production bot opens a database someone imported into
/// before, and the import's own memory is not the bot's.
async fn rss_child(mode: &str, db: Option<&Path>) {
    let server = TestServer::start(vec![guild()]).await.unwrap();
    let mut bot = None;
    match mode {
        // The test server alone: what the other figures include besides the bot.
        "server" => {}
        // The bot with the Kirklees plan, as in production but for the server.
        "bot" => {
            let db = db.expect("--rss-child bot DB");
            let store = Store::open(db).await.unwrap();
            let (running, _) = start_timed(&server, &store, db).await;
            bot = Some(running);
        }
        // A bare serenity + poise client: no commands, no database.
        "bare" => bare_client(&server).await,
        other => panic!("unknown --rss-child mode {other}"),
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rss, hwm) = memory_kb();
    println!("rss_kb {rss} hwm_kb {hwm}");
    if let Some(bot) = bot {
        bot.shutdown().await;
    }
}

async fn bare_client(server: &TestServer) {
    use poise::serenity_prelude as serenity;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    let http = serenity::HttpBuilder::new("bench-token")
        .proxy(server.base_url())
        .ratelimiter_disabled(true)
        .build();
    let framework = poise::Framework::<(), Error>::builder()
        .options(poise::FrameworkOptions {
            commands: vec![],
            ..Default::default()
        })
        .setup(|_ctx, _ready, _framework| Box::pin(async { Ok(()) }))
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await
        .expect("client builds");
    // The child exits after reporting; the client goes with it.
    tokio::spawn(async move { client.start().await });
    assert!(server.wait_for_ready(WAIT).await, "bare client never READY");
}

/// Runs this binary as `--rss-child mode` and returns (VmRSS, VmHWM) in kB.
fn run_child(mode: &str, db: &Path) -> (u64, u64) {
    let exe = std::env::current_exe().expect("current_exe");
    let out = Command::new(exe)
        .args(["--rss-child", mode])
        .arg(db)
        .output()
        .expect("child runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "--rss-child {mode} failed: {}\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("rss_kb "))
        .unwrap_or_else(|| panic!("--rss-child {mode} printed no figure: {stdout}"));
    let nums: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (nums[0], nums[1])
}

fn memory() {
    let mb = |kb: u64| kb as f64 / 1024.0;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bot.db");
    runtime().block_on(async { example_store(&db).await.close().await });
    let (bot, bot_hwm) = run_child("bot", &db);
    let (server, server_hwm) = run_child("server", &db);
    let (bare, bare_hwm) = run_child("bare", &db);
    println!(
        "{:<52} {:>8.1} MB  (peak {:.1} MB, target < 25 MB)",
        "RSS after READY: bot + test server, one process",
        mb(bot),
        mb(bot_hwm)
    );
    println!(
        "{:<52} {:>8.1} MB  (peak {:.1} MB)",
        "  test server alone",
        mb(server),
        mb(server_hwm)
    );
    println!(
        "{:<52} {:>8.1} MB  (target < 25 MB)",
        "  the bot's share (difference)",
        mb(bot.saturating_sub(server))
    );
    println!(
        "{:<52} {:>8.1} MB  (peak {:.1} MB; share {:.1} MB)",
        "  for scale: bare serenity+poise client + server",
        mb(bare),
        mb(bare_hwm),
        mb(bare.saturating_sub(server))
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--rss-child") {
        let mode = args.get(i + 1).map(String::as_str).unwrap_or("bot");
        let db = args.get(i + 2).map(Path::new);
        runtime().block_on(rss_child(mode, db));
        return;
    }
    let started = Instant::now();
    // `cargo bench --bench bot -- --memory`: the footprint alone, which a
    // busy machine does not skew as it does the latencies.
    if !args.iter().any(|a| a == "--memory") {
        runtime().block_on(bench());
    }
    memory();
    println!("(bench took {:.1} s)", started.elapsed().as_secs_f64());
}
