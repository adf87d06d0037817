//! Speed and footprint of the Discord bot, end to end, as a ratio to a bare
//! serenity + poise bot measured in the same run. Both run as the separate
//! processes they are in production (`planbot run`, and `crates/bare-bot`,
//! which answers `/ping` and nothing else), each against a Discord-compatible
//! test server on 127.0.0.1 held by this bench, so no traffic leaves the
//! machine. Run with `cargo bench --bench bot`; figures go in the README.
//! `-- --memory` measures only the footprints, which a busy machine does not
//! skew as it does the latencies; `-- WORD` times only the rows whose name
//! holds WORD (the bare bot's always). `-- --memory --pages=FILE` writes the
//! pages of its binary planbot has resident once read from disk, for
//! `scripts/startup-order`.

mod child;
mod load;
mod plans;

use child::{Bot, Memory, Start};
use discord_testserver::{Response, TestServer};
use load::{Ask, Side, Timings, Yardstick};
use planbot::app::{Actor, status};
use planbot::plan::Status;
use planbot::store::Store;
use planbot_testkit::{OPHELIA, choice, guild, sub};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

/// The statuses updates cycle through, as the `status` option labels them.
const CYCLE: [(Status, &str); 3] = [
    (Status::Green, "Green: on track"),
    (Status::Amber, "Amber: at risk"),
    (Status::Red, "Red: off track"),
];

/// The `/status` options of a stream of updates to `refs`, round robin,
/// each moving its action to the next status in [`CYCLE`].
fn status_updates(server: &TestServer, refs: Vec<String>) -> impl FnMut() -> Ask + use<> {
    let values: Vec<Value> = CYCLE
        .iter()
        .map(|(_, label)| choice(server, "status", "status", label))
        .collect();
    let mut at = vec![0; refs.len()];
    let mut sent = 0;
    move || {
        let i = sent % refs.len();
        sent += 1;
        at[i] = (at[i] + 1) % CYCLE.len();
        ask(
            "status",
            json!([
                {"type": 3, "name": "ref", "value": refs[i]},
                {"type": 4, "name": "status", "value": values[at[i]]},
                {"type": 3, "name": "note", "value": format!("bench update {sent}")},
            ]),
        )
    }
}

fn ask(command: &'static str, options: Value) -> Ask {
    Ask {
        command,
        options,
        autocomplete: false,
        user: OPHELIA,
    }
}

fn the_same(a: Ask) -> impl FnMut() -> Ask {
    move || a.clone()
}

fn pong(r: &Response) -> bool {
    r.content() == "pong"
}
fn recorded(r: &Response) -> bool {
    r.content().contains(" → ")
}
fn detail(r: &Response) -> bool {
    r.content().contains("Last updates:")
}
fn listing(r: &Response) -> bool {
    r.content().contains(" actions")
}
fn overdue_list(r: &Response) -> bool {
    r.content().contains("overdue")
}
fn summary(r: &Response) -> bool {
    r.content().contains("Whole plan")
}
fn choices(r: &Response) -> bool {
    r.data()["choices"]
        .as_array()
        .is_some_and(|c| !c.is_empty())
}

/// What one bot measured.
struct Run {
    started_in: Duration,
    memory: Memory,
}

/// Lets a freshly started bot settle (its first requests, allocator
/// warm-up) before its footprint is read.
async fn settled(bot: &Bot) -> Run {
    tokio::time::sleep(Duration::from_secs(1)).await;
    Run {
        started_in: bot.started_in,
        memory: bot.memory(),
    }
}

async fn bench(only_memory: bool, only_rows: Option<String>) {
    let wanted = |name: &str| !only_memory && only_rows.as_deref().is_none_or(|w| name.contains(w));
    let dir = tempfile::tempdir().unwrap();
    let kirklees = dir.path().join("kirklees.db");
    let ophelias = plans::kirklees(&kirklees).await;
    let big = dir.path().join("big.db");
    let big_refs = if only_memory {
        None
    } else {
        Some(plans::big(&big).await)
    };

    // 1. The yardstick, which runs beside planbot to the end: every row
    // times its `/ping`s in between planbot's.
    let bare_server = TestServer::start(vec![guild()]).await.unwrap();
    let bare_bot = Bot::bare(&bare_server, Start::Cached);
    let bare = settled(&bare_bot).await;
    let yardstick = Yardstick {
        side: Side {
            server: &bare_server,
            bot: &bare_bot,
        },
        ask: ask("ping", json!([])),
        check: pong,
    };
    if !only_memory {
        load::header();
    }

    // 2. planbot on the Kirklees example.
    let server = TestServer::start(vec![guild()]).await.unwrap();
    let bot = Bot::planbot(
        &server,
        &kirklees,
        "Kirklees",
        &dir.path().join("k.log"),
        Start::Cached,
    );
    let planbot = settled(&bot).await;
    let side = Side {
        server: &server,
        bot: &bot,
    };
    // Each row is printed as soon as it is measured.
    let row = |name: &str, (t, bare_t): (Timings, Timings)| {
        load::row(name, &t, &bare_t, "p99 at once <= 2x")
    };
    let name = "/status (durable write), Kirklees";
    if wanted(name) {
        let updates = status_updates(&server, ophelias.clone());
        row(name, load::time(&yardstick, side, updates, recorded).await);
    }
    let name = "/action, Kirklees";
    if wanted(name) {
        let show = ask(
            "action",
            json!([{"type": 3, "name": "ref", "value": ophelias[0]}]),
        );
        row(
            name,
            load::time(&yardstick, side, the_same(show), detail).await,
        );
    }
    drop(bot);
    drop(server);

    // 3. planbot on a plan of 10,000 actions, one with 10,000 updates.
    let mut big_run = None;
    if let Some(refs) = big_refs {
        let server = TestServer::start(vec![guild()]).await.unwrap();
        let bot = Bot::planbot(
            &server,
            &big,
            plans::BIG,
            &dir.path().join("b.log"),
            Start::Cached,
        );
        big_run = Some(settled(&bot).await);
        let side = Side {
            server: &server,
            bot: &bot,
        };
        let show = |r: &str| ask("action", json!([{"type": 3, "name": "ref", "value": r}]));
        let mut typing = ask(
            "status",
            json!([{"type": 3, "name": "ref", "value": "1.", "focused": true}]),
        );
        typing.autocomplete = true;
        type Next = Box<dyn FnMut() -> Ask>;
        let reads: [(&str, Next, load::Check); 6] = [
            (
                "/action, 10,000 updates (10k plan)",
                Box::new(the_same(show(plans::LONG_HISTORY))),
                detail,
            ),
            (
                "/action, 1 update (10k plan)",
                Box::new(the_same(show(plans::SHORT_HISTORY))),
                detail,
            ),
            (
                "/actions, first page (10k plan)",
                Box::new(the_same(ask("actions", json!([])))),
                listing,
            ),
            (
                "/overdue (10k plan)",
                Box::new(the_same(ask("overdue", json!([])))),
                overdue_list,
            ),
            (
                "/status ref autocomplete (10k plan)",
                Box::new(the_same(typing)),
                choices,
            ),
            (
                "/plan summary (10k plan)",
                Box::new(the_same(ask("plan", sub("summary", json!([]))))),
                summary,
            ),
        ];
        for (name, next, check) in reads {
            if wanted(name) {
                row(name, load::time(&yardstick, side, next, check).await);
            }
        }
        let name = "/status (durable write, 10k plan)";
        if wanted(name) {
            let updates = status_updates(&server, refs);
            row(name, load::time(&yardstick, side, updates, recorded).await);
        }
    }

    if wanted("throughput") {
        println!();
        throughput(&kirklees, &ophelias).await;
    }
    println!();
    memory_rows(
        "resident memory after READY, each bot its own process, its binary in the page cache",
        &bare,
        &planbot,
        big_run.as_ref(),
    );

    // 4. Both bots again, each read from disk as after a boot: the bare bot
    // of step 1 must be gone, or its binary's pages would stay in memory.
    drop(yardstick);
    drop(bare_bot);
    let (bare, planbot) = from_disk(&kirklees, dir.path()).await;
    println!();
    memory_rows(
        "the same, each bot's binary read from disk (dropped from the page cache first)",
        &bare,
        &planbot,
        None,
    );
}

async fn from_disk(kirklees: &Path, dir: &Path) -> (Run, Run) {
    let server = TestServer::start(vec![guild()]).await.unwrap();
    let bare = settled(&Bot::bare(&server, Start::FromDisk)).await;
    let server = TestServer::start(vec![guild()]).await.unwrap();
    let bot = Bot::planbot(
        &server,
        kirklees,
        "Kirklees",
        &dir.join("k2.log"),
        Start::FromDisk,
    );
    let run = settled(&bot).await;
    if let Some(file) = std::env::args().find_map(|a| a.strip_prefix("--pages=").map(String::from))
    {
        let pages: String = bot
            .resident_pages()
            .iter()
            .map(|p| format!("{p:x}\n"))
            .collect();
        std::fs::write(&file, pages).expect("write the page list");
    }
    (bare, run)
}

/// Durable status updates through the application layer (the write path
/// every adapter uses, permission check included), 50 callers at once.
async fn throughput(db: &Path, refs: &[String]) {
    let store = Store::open(db).await.unwrap();
    let plan = store.find_plan(Some("Kirklees")).await.unwrap();
    let actor = Actor::discord("ophelia", OPHELIA, false, false);
    const UPDATES: usize = 10_000;
    let started = Instant::now();
    let tasks: Vec<_> = (0..50)
        .map(|caller| {
            let (store, plan, actor) = (store.clone(), plan.clone(), actor.clone());
            let refs = refs.to_vec();
            tokio::spawn(async move {
                for i in (caller..UPDATES).step_by(50) {
                    let change = status::Change {
                        to: CYCLE[i % CYCLE.len()].0,
                        note: Some(format!("bench {i}")),
                        evidence: None,
                    };
                    let reference = &refs[i % refs.len()];
                    status::update_status(
                        &store,
                        &plan,
                        &actor,
                        reference,
                        change,
                        chrono::Utc::now(),
                    )
                    .await
                    .expect("the update is recorded");
                }
            })
        })
        .collect();
    futures::future::join_all(tasks).await;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{:<52} {:>8.0} a second  ({UPDATES} in {seconds:.2} s; target >= 5,000 a second)",
        "durable status updates, 50 callers at once (app)",
        UPDATES as f64 / seconds
    );
    store.close().await;
}

fn memory_rows(title: &str, bare: &Run, planbot: &Run, big: Option<&Run>) {
    let mb = |kb: u64| kb as f64 / 1024.0;
    let line = |name: &str, run: &Run, target: &str| {
        let m = &run.memory;
        println!(
            "{name:<40} {:>6.1} MB {:>5.2}x  (anon {:.1} MB, file {:.1} MB of which own binary {:.1} MB; started in {:.0} ms) {target}",
            mb(m.rss),
            m.rss as f64 / bare.memory.rss as f64,
            mb(m.anon),
            mb(m.file),
            mb(m.own_binary),
            run.started_in.as_secs_f64() * 1e3,
        )
    };
    println!("{title}");
    line("bare bot", bare, "");
    line("planbot, Kirklees", planbot, "target <= 1.5x");
    if let Some(big) = big {
        line(
            "planbot, 10,000 actions",
            big,
            "target <= 1.5x; start < 500 ms",
        );
    }
}

fn main() {
    let only_memory = std::env::args().any(|a| a == "--memory");
    // `cargo bench` passes `--bench` to a bench; the first other word picks rows.
    let only_rows = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let started = Instant::now();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(bench(only_memory, only_rows));
    println!("(bench took {:.1} s)", started.elapsed().as_secs_f64());
}
