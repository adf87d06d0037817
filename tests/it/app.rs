//! `spawn_app`: the bot, a real database with the Kirklees example and the
//! Discord-compatible test server, all on this machine.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use planbot::clock::Clock;
use planbot::config::{GuildSettings, Settings};
use planbot::discord::RunningBot;
use planbot::store::Store;
use planbot::testserver::{GuildSpec, MemberSpec, Response, TestServer, example};
use serde_json::{Value, json};
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
pub const OPHELIA: u64 = 1_000_000_000_000_000_201;
/// Linked to "Steve Comb" and "Tom Brailsford", who lead 1.1 together.
pub const STEVE: u64 = 1_000_000_000_000_000_202;
pub const TOM: u64 = 1_000_000_000_000_000_203;

/// Midday on 15 May 2019, London: inside the example plan.
pub fn demo_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 5, 15, 11, 0, 0).unwrap()
}

pub fn guild() -> GuildSpec {
    let mut g = GuildSpec::example();
    for (user_id, name) in [(OPHELIA, "ophelia"), (STEVE, "steve"), (TOM, "tom")] {
        g.members.push(MemberSpec {
            user_id,
            name: name.into(),
            roles: vec![],
        });
    }
    g
}

pub struct TestApp {
    pub server: TestServer,
    pub store: Store,
    pub dir: tempfile::TempDir,
    pub bot: Option<RunningBot>,
}

/// The bot alone: the scheduler stays off, so no reminder crosses a test.
pub fn settings(server: &TestServer, db: &std::path::Path) -> Settings {
    Settings::local(
        server.base_url(),
        db.to_path_buf(),
        "test-token",
        vec![GuildSettings::new(GUILD, vec!["Kirklees".into()])],
    )
}

/// The bot with its scheduler: escalations in the planning channel, digests
/// in the board channel, and a quick poll so tests need not wait.
pub fn jobs_settings(server: &TestServer, db: &std::path::Path) -> Settings {
    let mut s = settings(server, db);
    s.jobs.enabled = true;
    s.jobs.poll_seconds = 0.05;
    s.jobs.lease_seconds = 3;
    let g = &mut s.guilds[0];
    g.plan_channel = Some(CHANNEL);
    g.board_channel = Some(example::BOARD);
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(vec![guild()]).await
}

pub async fn spawn_app_with(guilds: Vec<GuildSpec>) -> TestApp {
    let server = TestServer::start(guilds).await.expect("test server");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("bot.db")).await.unwrap();
    planbot::demo::load_example(&store, planbot::demo::example_recorded_at())
        .await
        .unwrap();
    for (name, id) in [
        ("Ophelia Rix", OPHELIA),
        ("Steve Comb", STEVE),
        ("Tom Brailsford", TOM),
    ] {
        store.link_person(name, id).await.unwrap();
    }
    let mut app = TestApp {
        server,
        store,
        dir,
        bot: None,
    };
    app.start_bot().await;
    app
}

impl TestApp {
    pub async fn start_bot(&mut self) {
        let settings = settings(&self.server, &self.dir.path().join("bot.db"));
        self.start_bot_with(settings).await;
    }

    pub async fn start_bot_with(&mut self, settings: Settings) {
        self.start_bot_at(settings, Clock::fixed(demo_now())).await;
    }

    /// Starts the bot with its scheduler, its clock running from `at`.
    pub async fn start_jobs_at(&mut self, at: DateTime<Utc>) {
        let settings = jobs_settings(&self.server, &self.dir.path().join("bot.db"));
        self.start_bot_at(settings, Clock::starting_at(at)).await;
    }

    /// Waits until the outbox has no message left to try and at least `sent`
    /// sent; returns the outbox.
    pub async fn wait_outbox(&self, sent: usize) -> Vec<planbot::store::OutboxEntry> {
        self.wait_outbox_for(sent, WAIT).await
    }

    /// [`Self::wait_outbox`] with a longer patience.
    pub async fn wait_outbox_for(
        &self,
        sent: usize,
        timeout: Duration,
    ) -> Vec<planbot::store::OutboxEntry> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let all = self.store.outbox_entries(&[], 1000).await.unwrap();
            let done = all.iter().filter(|e| e.state == "sent").count() >= sent
                && all.iter().all(|e| e.state != "pending");
            if done || std::time::Instant::now() > deadline {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Presses a button (or picks nothing from a menu) on `message` as
    /// `user`, in a guild channel (`guild` set) or a DM; the bot's answer.
    pub async fn press(
        &self,
        guild: Option<u64>,
        channel: u64,
        user: u64,
        message: u64,
        custom_id: &str,
    ) -> Response {
        let id = self
            .server
            .press_button(guild, channel, user, message, custom_id)
            .await;
        self.server.responses(id, 1, WAIT).await.remove(0)
    }

    /// Submits the modal `custom_id` in a DM channel as `user`; the bot's answer.
    pub async fn submit(
        &self,
        channel: u64,
        user: u64,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let id = self
            .server
            .submit_modal(None, channel, user, custom_id, fields)
            .await;
        self.server.responses(id, 1, WAIT).await.remove(0)
    }

    pub async fn start_bot_at(&mut self, settings: Settings, clock: Clock) {
        let bot = planbot::discord::start(settings, self.store.clone(), clock)
            .await
            .expect("bot starts");
        assert!(
            self.server.wait_for_ready(WAIT).await,
            "bot never got READY"
        );
        let before = self.server.commands(Some(GUILD)).len();
        if before == 0 {
            assert!(
                !self
                    .server
                    .wait_for_commands(Some(GUILD), WAIT)
                    .await
                    .is_empty()
            );
        }
        self.bot = Some(bot);
    }

    pub async fn stop_bot(&mut self) {
        if let Some(bot) = self.bot.take() {
            bot.shutdown().await;
        }
    }

    /// Runs a slash command as `user` and returns the bot's first `n` answers.
    pub async fn command(&self, user: u64, name: &str, options: Value, n: usize) -> Vec<Response> {
        let id = self
            .server
            .send_command(GUILD, CHANNEL, user, name, options)
            .await;
        let answers = self.server.responses(id, n, WAIT).await;
        assert!(
            answers.len() >= n,
            "/{name}: {} answers, wanted {n}: {answers:?}",
            answers.len()
        );
        answers
    }

    /// The one reply a simple command gives.
    pub async fn reply(&self, user: u64, name: &str, options: Value) -> Response {
        self.command(user, name, options, 1).await.remove(0)
    }

    /// The value Discord sends for the choice labelled `label` of `/command option`.
    pub fn choice(&self, command: &str, option: &str, label: &str) -> Value {
        let commands = self.server.commands(Some(GUILD));
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

    pub fn status_options(&self, reference: &str, status: &str, note: Option<&str>) -> Value {
        let mut opts = vec![
            json!({"type": 3, "name": "ref", "value": reference}),
            json!({"type": 4, "name": "status", "value": self.choice("status", "status", status)}),
        ];
        if let Some(n) = note {
            opts.push(json!({"type": 3, "name": "note", "value": n}));
        }
        Value::Array(opts)
    }

    pub async fn plan(&self) -> planbot::plan::Plan {
        self.store.find_plan(Some("Kirklees")).await.unwrap()
    }
}

pub fn sub(name: &str, options: Value) -> Value {
    json!([{"type": 1, "name": name, "options": options}])
}
