//! The load every bot gets, and how its answers are timed: 200 interactions
//! one at a time, then waves of 50 sent at once, each timed from just before
//! the test server dispatches it to when the server holds the bot's answer.
//!
//! The bot's own CPU time per interaction, over all of a row's, is less
//! swayed by a busy machine than the p99s are.
//!
//! That is an upper bound on "interaction sent to answer received": it
//! includes building the dispatch and everything the in-process test server
//! does (JSON, checking payloads with serenity's model types), on the same
//! two cores as the bot. Both bots pay it alike.

use crate::child::Bot;
use discord_testserver::{Response, ResponseKind, TestServer};
use planbot_testkit::{CHANNEL, GUILD, WAIT, percentile};
use serde_json::Value;
use std::time::Instant;

pub const ONE_AT_A_TIME: usize = 200;
pub const WAVES: usize = 20;
pub const AT_ONCE: usize = 50;
const WARM_UP: usize = 30;

/// One interaction: a slash command, or an autocomplete of one.
#[derive(Clone)]
pub struct Ask {
    pub command: &'static str,
    pub options: Value,
    pub autocomplete: bool,
    pub user: u64,
}

/// Whether an answer is the one a user expects (not an error).
pub type Check = fn(&Response) -> bool;

/// Milliseconds of each interaction, one at a time and 50 at once, and
/// the bot's own CPU time per interaction (in µs) over all of them.
pub struct Timings {
    pub one: Vec<f64>,
    pub many: Vec<f64>,
    pub cpu_us: f64,
}

impl Timings {
    pub fn p50_p99(ms: &[f64]) -> (f64, f64) {
        let mut sorted = ms.to_vec();
        sorted.sort_by(f64::total_cmp);
        (percentile(&sorted, 0.5), percentile(&sorted, 0.99))
    }
}

async fn round_trip(server: &TestServer, ask: Ask, check: Check) -> f64 {
    let started = Instant::now();
    let id = if ask.autocomplete {
        server
            .send_autocomplete(GUILD, CHANNEL, ask.user, ask.command, ask.options)
            .await
    } else {
        server
            .send_command(GUILD, CHANNEL, ask.user, ask.command, ask.options)
            .await
    };
    let answers = server.responses(id, 1, WAIT).await;
    let ms = started.elapsed().as_secs_f64() * 1e3;
    let answer = answers
        .first()
        .unwrap_or_else(|| panic!("/{} was never answered", ask.command));
    assert!(
        matches!(answer.kind, ResponseKind::Callback { .. }) && check(answer),
        "/{} answered {answer:?}",
        ask.command
    );
    ms
}

/// Times `next()`'s interactions to `bot`: a warm-up, then one at a time,
/// then waves.
pub async fn time(
    server: &TestServer,
    bot: &Bot,
    mut next: impl FnMut() -> Ask,
    check: Check,
) -> Timings {
    let cpu_before = bot.cpu();
    for _ in 0..WARM_UP {
        round_trip(server, next(), check).await;
    }
    let mut one = Vec::with_capacity(ONE_AT_A_TIME);
    for _ in 0..ONE_AT_A_TIME {
        one.push(round_trip(server, next(), check).await);
    }
    let mut many = Vec::with_capacity(WAVES * AT_ONCE);
    for _ in 0..WAVES {
        let wave: Vec<_> = (0..AT_ONCE)
            .map(|_| {
                let (server, ask) = (server.clone(), next());
                tokio::spawn(async move { round_trip(&server, ask, check).await })
            })
            .collect();
        for ms in futures::future::join_all(wave).await {
            many.push(ms.expect("an interaction task panicked"));
        }
    }
    let interactions = WARM_UP + ONE_AT_A_TIME + WAVES * AT_ONCE;
    let cpu_us = (bot.cpu() - cpu_before).as_secs_f64() * 1e6 / interactions as f64;
    Timings { one, many, cpu_us }
}

/// One row of the table: p50 and p99 of each load, and the p99s as a
/// multiple of the bare bot's.
pub fn row(name: &str, t: &Timings, bare: &Timings, target: &str) {
    let (one50, one99) = Timings::p50_p99(&t.one);
    let (many50, many99) = Timings::p50_p99(&t.many);
    let (_, bare_one99) = Timings::p50_p99(&bare.one);
    let (_, bare_many99) = Timings::p50_p99(&bare.many);
    println!(
        "{name:<40} {one50:>6.2} {one99:>6.2} {:>5.1}x   {many50:>6.2} {many99:>6.2} {:>5.1}x   {:>5.0} {:>5.1}x   {target}",
        one99 / bare_one99,
        many99 / bare_many99,
        t.cpu_us,
        t.cpu_us / bare.cpu_us,
    );
}

pub fn header() {
    println!(
        "{:<40} {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6}   {:>5} {:>6}   target",
        "interaction to answer (ms)", "p50", "p99", "/bare", "p50", "p99", "/bare", "µs", "/bare"
    );
    println!(
        "{:<40} {:-^20}   {:-^20}   {:-^12}",
        "",
        format!(" {ONE_AT_A_TIME} one at a time "),
        format!(" {AT_ONCE} at once x{WAVES} "),
        " bot CPU ",
    );
}
