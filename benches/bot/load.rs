//! The load every bot gets, and how its answers are timed: 200 interactions
//! one at a time, then waves of 50 sent at once, each timed from just before
//! the test server dispatches it to when the server holds the bot's answer.
//! The bare bot gets its `/ping`s in between, turn and turn about, and each
//! row is compared with those: a machine that slows down for a while slows
//! both alike.
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
#[derive(Default)]
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

/// A bot and the test server it answers.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub server: &'a TestServer,
    pub bot: &'a Bot,
}

/// The bare bot's `/ping`, the yardstick every row is timed against.
pub struct Yardstick<'a> {
    pub side: Side<'a>,
    pub ask: Ask,
    pub check: Check,
}

/// Times `next()`'s interactions to `side`: a warm-up, then one at a time,
/// then waves; and the yardstick's in between, turn and turn about (one
/// interaction, or one wave, each), so that each row is compared with the
/// bare bot as it ran at the same moments on the same machine.
pub async fn time(
    yardstick: &Yardstick<'_>,
    side: Side<'_>,
    mut next: impl FnMut() -> Ask,
    check: Check,
) -> (Timings, Timings) {
    let bare = yardstick.side;
    let mut ping = || yardstick.ask.clone();
    let cpu = (side.bot.cpu(), bare.bot.cpu());
    for _ in 0..WARM_UP {
        round_trip(side.server, next(), check).await;
        round_trip(bare.server, ping(), yardstick.check).await;
    }
    let (mut row, mut yard) = (Timings::default(), Timings::default());
    for _ in 0..ONE_AT_A_TIME {
        row.one.push(round_trip(side.server, next(), check).await);
        yard.one
            .push(round_trip(bare.server, ping(), yardstick.check).await);
    }
    for _ in 0..WAVES {
        row.many.extend(wave(side.server, &mut next, check).await);
        yard.many
            .extend(wave(bare.server, &mut ping, yardstick.check).await);
    }
    let interactions = (WARM_UP + ONE_AT_A_TIME + WAVES * AT_ONCE) as f64;
    row.cpu_us = (side.bot.cpu() - cpu.0).as_secs_f64() * 1e6 / interactions;
    yard.cpu_us = (bare.bot.cpu() - cpu.1).as_secs_f64() * 1e6 / interactions;
    (row, yard)
}

/// Milliseconds of each of `AT_ONCE` interactions sent at once.
async fn wave(server: &TestServer, next: &mut impl FnMut() -> Ask, check: Check) -> Vec<f64> {
    let wave: Vec<_> = (0..AT_ONCE)
        .map(|_| {
            let (server, ask) = (server.clone(), next());
            tokio::spawn(async move { round_trip(&server, ask, check).await })
        })
        .collect();
    futures::future::join_all(wave)
        .await
        .into_iter()
        .map(|ms| ms.expect("an interaction task panicked"))
        .collect()
}

/// One row of the table: p50 and p99 of each load, and the p99s as a
/// multiple of the bare bot's.
pub fn row(name: &str, t: &Timings, bare: &Timings, target: &str) {
    let (one50, one99) = Timings::p50_p99(&t.one);
    let (many50, many99) = Timings::p50_p99(&t.many);
    let (_, bare_one99) = Timings::p50_p99(&bare.one);
    let (_, bare_many99) = Timings::p50_p99(&bare.many);
    println!(
        "{name:<40} {one50:>6.2} {one99:>6.2} {:>5.1}x   {many50:>6.2} {many99:>6.2} {bare_many99:>6.2} {:>5.1}x   {:>5.0} {:>5.1}x   {target}",
        one99 / bare_one99,
        many99 / bare_many99,
        t.cpu_us,
        t.cpu_us / bare.cpu_us,
    );
}

pub fn header() {
    println!(
        "{:<40} {:>6} {:>6} {:>6}   {:>6} {:>6} {:>6} {:>6}   {:>5} {:>6}   target",
        "interaction to answer (ms)",
        "p50",
        "p99",
        "/bare",
        "p50",
        "p99",
        "bare",
        "/bare",
        "µs",
        "/bare"
    );
    println!(
        "{:<40} {:-^20}   {:-^27}   {:-^12}",
        "",
        format!(" {ONE_AT_A_TIME} one at a time "),
        format!(" {AT_ONCE} at once x{WAVES} "),
        " bot CPU ",
    );
}
