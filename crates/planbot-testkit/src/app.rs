//! [`TestApp`]: the bot, a real database with the Kirklees example and the
//! Discord-compatible test server, all on this machine.

use crate::{
    CHANNEL, GUILD, WAIT, choice, demo_now, example_store, guild, jobs_settings, settings,
    start_bot,
};
use chrono::{DateTime, Utc};
use discord_testserver::{GuildSpec, Response, TestServer};
use planbot::clock::Clock;
use planbot::config::Settings;
use planbot::discord::RunningBot;
use planbot::store::Store;
use serde_json::{Value, json};
use std::time::Duration;

pub struct TestApp {
    pub server: TestServer,
    pub store: Store,
    pub dir: tempfile::TempDir,
    pub bot: Option<RunningBot>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(vec![guild()]).await
}

pub async fn spawn_app_with(guilds: Vec<GuildSpec>) -> TestApp {
    let server = TestServer::start(guilds).await.expect("test server");
    let dir = tempfile::tempdir().unwrap();
    let store = example_store(&dir.path().join("bot.db")).await;
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
        self.bot = Some(start_bot(&self.server, settings, &self.store, clock).await);
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
        choice(&self.server, command, option, label)
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
