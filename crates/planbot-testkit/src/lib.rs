//! What planbot's tests and benches share: the bot, a real database with the
//! Kirklees example and the Discord-compatible test server, all on this
//! machine ([`spawn_app`]), and the pieces it is made of, for a bench that
//! needs them one at a time.

mod app;
mod figures;
mod plans;
mod register;

pub use app::{TestApp, spawn_app, spawn_app_with};
pub use figures::{percentile, report};
pub use planbot::demo::example;
pub use plans::{import_csv, import_opts, plan_from_csv};
pub use register::{save_small_register, small_register};

use chrono::{DateTime, TimeZone, Utc};
use discord_testserver::{GuildSpec, MemberSpec, TestServer};
use planbot::clock::Clock;
use planbot::config::{GuildSettings, Settings};
use planbot::discord::RunningBot;
use planbot::store::Store;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

pub const WAIT: Duration = Duration::from_secs(10);
pub const GUILD: u64 = example::GUILD;
pub const CHANNEL: u64 = example::PLANNING;
/// Plan admin, leads nothing.
pub const ADMIN: u64 = example::ALICE;
/// Board secretary.
pub const SECRETARY: u64 = example::BOB;
/// No role, not linked to any lead.
pub const STRANGER: u64 = example::CAROL;
/// Linked to "Ophelia Rix", who leads 1.4, 2.4, 6.6, 7.1, 10.6 ...
pub const OPHELIA: u64 = example::OPHELIA;
/// Linked to "Steve Comb" and "Tom Brailsford", who lead 1.1 together.
pub const STEVE: u64 = 1_000_000_000_000_000_202;
pub const TOM: u64 = 1_000_000_000_000_000_203;
/// The people [`example_store`] links, as the plan names them.
pub const LINKED: [(&str, u64); 3] = [
    ("Ophelia Rix", OPHELIA),
    ("Steve Comb", STEVE),
    ("Tom Brailsford", TOM),
];

/// Midday on 15 May 2019, London: inside the example plan.
pub fn demo_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 5, 15, 11, 0, 0).unwrap()
}

/// The demo's guild, with Steve and Tom too.
pub fn guild() -> GuildSpec {
    let mut g = example::guild();
    for (user_id, name) in [(STEVE, "steve"), (TOM, "tom")] {
        g.members.push(MemberSpec {
            user_id,
            name: name.into(),
            roles: vec![],
        });
    }
    g
}

/// A database at `db` with the Kirklees example and [`LINKED`] linked.
pub async fn example_store(db: &Path) -> Store {
    let store = Store::open(db).await.unwrap();
    planbot::demo::load_example_plan(&store, planbot::demo::example_recorded_at())
        .await
        .unwrap();
    for (name, id) in LINKED {
        store.link_person(name, id).await.unwrap();
    }
    store
}

/// The bot alone: the scheduler stays off, so no reminder crosses a test.
pub fn settings(server: &TestServer, db: &Path) -> Settings {
    settings_for(server.base_url(), db, "Kirklees")
}

/// [`settings`] for the plan named `plan`, the Discord API at `api_base`.
pub fn settings_for(api_base: String, db: &Path, plan: &str) -> Settings {
    Settings::local(
        api_base,
        db.to_path_buf(),
        "test-token",
        vec![GuildSettings::new(GUILD, vec![plan.into()])],
    )
}

/// The bot with its scheduler: escalations in the planning channel, digests
/// in the board channel, and a quick poll so tests need not wait.
pub fn jobs_settings(server: &TestServer, db: &Path) -> Settings {
    jobs_settings_for(server.base_url(), db, "Kirklees")
}

/// [`jobs_settings`] for the plan named `plan`, the Discord API at `api_base`.
pub fn jobs_settings_for(api_base: String, db: &Path, plan: &str) -> Settings {
    let mut s = settings_for(api_base, db, plan);
    s.jobs.enabled = true;
    s.jobs.poll_seconds = 0.05;
    s.jobs.lease_seconds = 3;
    let g = &mut s.guilds[0];
    g.plan_channel = Some(CHANNEL);
    g.board_channel = Some(example::BOARD);
    s
}

/// Starts the bot and waits until it has READY and its commands are
/// registered in the guild.
pub async fn start_bot(
    server: &TestServer,
    settings: Settings,
    store: &Store,
    clock: Clock,
) -> RunningBot {
    let bot = planbot::discord::start(settings, store.clone(), clock)
        .await
        .expect("bot starts");
    assert!(server.wait_for_ready(WAIT).await, "bot never got READY");
    assert!(
        !server.wait_for_commands(Some(GUILD), WAIT).await.is_empty(),
        "the bot registered no commands"
    );
    bot
}

/// The value Discord sends for the choice labelled `label` of `/command option`.
pub fn choice(server: &TestServer, command: &str, option: &str, label: &str) -> Value {
    let commands = server.commands(Some(GUILD));
    let cmd = commands
        .iter()
        .find(|c| c["name"] == command)
        .expect("command registered");
    let opt = cmd["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == option)
        .expect("option");
    opt["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == label)
        .expect("choice")["value"]
        .clone()
}

/// A subcommand `name` with its options, as Discord nests it.
pub fn sub(name: &str, options: Value) -> Value {
    json!([{"type": 1, "name": name, "options": options}])
}
