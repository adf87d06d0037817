//! A Discord-compatible server on 127.0.0.1, for testing and demonstrating bots.
//!
//! It speaks enough of Discord's REST API (v10, under `/api/v10`) and gateway
//! (v10, JSON text frames) for a serenity 0.12.5 / poise 0.7.1 bot to run
//! against it unchanged, with no traffic leaving the machine. Point the bot's
//! HTTP client at it and everything else follows, the gateway URL included:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use discord_testserver::{GuildSpec, MemberSpec, TestServer};
//! let guild = GuildSpec {
//!     guild_id: 100,
//!     name: "A guild".into(),
//!     channels: vec![(110, "general".into())],
//!     roles: vec![(120, "Admin".into())],
//!     members: vec![MemberSpec { user_id: 130, name: "alice".into(), roles: vec![120] }],
//! };
//! let server = TestServer::start(vec![guild]).await?;
//! let http = serenity::http::HttpBuilder::new("any-token")
//!     .proxy(server.base_url())
//!     .ratelimiter_disabled(true)
//!     .build();
//! # let _ = http; Ok(()) }
//! ```
//!
//! What it does, beyond answering: it records every request, every answer
//! the bot gives an interaction, and every message it posts; it checks what
//! Discord checks (message and embed limits, empty messages, command names,
//! double acknowledgements) and answers as Discord would; it can inject
//! faults (403/50007 on DMs, 429, 500, a dropped gateway); and it parses each
//! payload it emits with serenity's own model types, keeping any failure in
//! [`TestServer::parse_errors`], because serenity silently drops a gateway
//! event it cannot parse.
//!
//! Deliberate differences from Discord: GUILD_CREATE carries every member
//! whatever the intents (so the cache is complete with `GUILDS` alone); the
//! bot is its own application (`application_id() == bot_user_id()`, as for
//! any bot made since 2016) and holds an administrator role in every guild;
//! the first member of a guild owns it and the application; there is no
//! 3-second or 15-minute interaction deadline; any token is accepted.
//! Tests take that away to try a bot's own checks: role permissions, channel
//! permission overwrites, a guild the bot is not in, one accepted token
//! (see [`TestServer::set_bot_permissions`] and its neighbours). Permissions
//! are served, not enforced: a message the bot may not send still arrives.

mod access;
mod fixtures;
mod gateway;
mod interactions;
mod ratelimit;
mod rest;
mod state;

pub use access::{Overwrite, OverwriteTarget};
pub use ratelimit::{RateLimitHit, RateLimitRules};

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use interactions::Actor;
use state::{Injection, Outgoing, Shared, State};

/// The application, and so the bot user, every server instance has.
pub const APPLICATION_ID: u64 = 1_000_000_000_000_000_001;

/// A guild the server hosts: text channels, roles (beyond `@everyone`, whose
/// id is the guild's), and members. The bot is added as a member by itself.
#[derive(Clone, Debug)]
pub struct GuildSpec {
    pub guild_id: u64,
    pub name: String,
    pub channels: Vec<(u64, String)>,
    pub roles: Vec<(u64, String)>,
    pub members: Vec<MemberSpec>,
}

#[derive(Clone, Debug)]
pub struct MemberSpec {
    pub user_id: u64,
    pub name: String,
    pub roles: Vec<u64>,
}

/// What kind of answer the bot gave an interaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// `POST /interactions/{id}/{token}/callback`; `type_` is Discord's
    /// response type (4 message, 5 deferred, 6 deferred update, 7 update
    /// message, 8 autocomplete result, 9 modal).
    Callback { type_: u8 },
    /// `POST /webhooks/{app}/{token}`.
    FollowUp,
    /// `PATCH /webhooks/{app}/{token}/messages/@original`.
    EditOriginal,
    /// `PATCH /webhooks/{app}/{token}/messages/{id}`.
    EditFollowUp { message_id: u64 },
    /// `DELETE .../messages/@original`.
    DeleteOriginal,
    /// `DELETE .../messages/{id}`.
    DeleteFollowUp { message_id: u64 },
}

/// One answer the bot gave an interaction, in the order it arrived.
#[derive(Clone, Debug)]
pub struct Response {
    pub kind: ResponseKind,
    /// The JSON body as sent (`payload_json` for multipart); a callback's
    /// body is the whole `{type, data}`. `Null` for deletions.
    pub body: Value,
    /// Uploaded files: (file name, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// The message the answer created or changed (the interaction's original
    /// message for callbacks 4-7), e.g. to press its buttons.
    pub message_id: Option<u64>,
}

impl Response {
    /// The message fields: a callback's `data`, otherwise the body itself.
    pub fn data(&self) -> &Value {
        match self.kind {
            ResponseKind::Callback { .. } => self.body.get("data").unwrap_or(&Value::Null),
            _ => &self.body,
        }
    }

    /// The message text, or "" if there is none.
    pub fn content(&self) -> &str {
        self.data()
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Whether the bot asked for the message to be seen by the user alone.
    pub fn is_ephemeral(&self) -> bool {
        self.data()
            .get("flags")
            .and_then(Value::as_u64)
            .is_some_and(|f| f & 64 != 0)
    }
}

/// One HTTP request the server received (the gateway upgrade included, as
/// `GET /gateway`).
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    /// The full path, e.g. `/api/v10/channels/1/messages`.
    pub path: String,
    pub query: Option<String>,
    /// The JSON body, or `payload_json` of a multipart body.
    pub body: Option<Value>,
    /// Uploaded files: (file name, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// The status the server answered with.
    pub status: u16,
    /// False when no route matched (the answer was a 404 `code: 0`).
    pub known_route: bool,
}

/// Stops the listener when the last handle goes.
struct ServerTask(JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A running server. Cheap to clone; the server stops when the last clone
/// is dropped.
#[derive(Clone)]
pub struct TestServer {
    shared: Arc<Shared>,
    _task: Arc<ServerTask>,
}

/// How long `send_*` wait for a client session before sending anyway.
const READY_GRACE: Duration = Duration::from_secs(10);

impl TestServer {
    /// Binds 127.0.0.1 on a free port and starts serving.
    pub async fn start(guilds: Vec<GuildSpec>) -> std::io::Result<TestServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(
            addr,
            APPLICATION_ID,
            State::new(guilds, APPLICATION_ID),
        ));
        let app = Router::new()
            .route("/gateway", get(gateway::upgrade))
            .fallback(rest::handle)
            .with_state(Arc::clone(&shared));
        // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs hold small
        // answers back by up to 40 ms: a delay of this server, not the bot's.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        });
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "testserver stopped");
            }
        });
        Ok(TestServer {
            shared,
            _task: Arc::new(ServerTask(task)),
        })
    }

    /// `http://127.0.0.1:PORT`, for `HttpBuilder::proxy`.
    pub fn base_url(&self) -> String {
        self.shared.base_url()
    }

    pub fn application_id(&self) -> u64 {
        self.shared.application_id
    }

    pub fn bot_user_id(&self) -> u64 {
        self.shared.bot_user_id
    }

    /// A serenity `Http` wired to this server the way the bot's must be:
    /// proxied here, no client-side rate limiter (so injected 429s reach the
    /// caller), and the application id known up front.
    pub fn http(&self) -> serenity::http::Http {
        serenity::http::HttpBuilder::new("test-token")
            .proxy(self.base_url())
            .ratelimiter_disabled(true)
            .application_id(serenity::model::id::ApplicationId::new(
                self.application_id(),
            ))
            .build()
    }

    /// Waits until a client has IDENTIFYed and been sent READY and every
    /// GUILD_CREATE.
    pub async fn wait_for_ready(&self, timeout: Duration) -> bool {
        self.shared
            .wait_for(timeout, |st| {
                (st.gateway.ready && st.gateway.live.is_some()).then_some(())
            })
            .await
            .is_some()
    }

    /// Waits until `check` holds, re-checking whenever the server's state
    /// changes. The check may call any method of this handle.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&TestServer) -> bool,
    ) -> bool {
        let mut rx = self.shared.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if check(self) {
                return true;
            }
            if !matches!(
                tokio::time::timeout_at(deadline, rx.changed()).await,
                Ok(Ok(()))
            ) {
                return check(self);
            }
        }
    }

    /// The registered commands of a guild (`Some`) or global ones (`None`),
    /// waiting until there is at least one; empty on timeout.
    pub async fn wait_for_commands(&self, guild_id: Option<u64>, timeout: Duration) -> Vec<Value> {
        self.shared
            .wait_for(timeout, |st| {
                let found = commands_in(st, guild_id);
                (!found.is_empty()).then_some(found)
            })
            .await
            .unwrap_or_default()
    }

    /// The registered commands of a guild or global ones, now.
    pub fn commands(&self, guild_id: Option<u64>) -> Vec<Value> {
        commands_in(&self.shared.lock(), guild_id)
    }

    /// Dispatches an interaction once a session exists. A live connection is
    /// not needed: while the client reconnects, dispatches wait in the
    /// session's history and are replayed on RESUME, as on Discord.
    async fn inject(&self, f: impl FnOnce(&Shared, &mut State) -> u64) -> u64 {
        let session = self
            .shared
            .wait_for(READY_GRACE, |st| st.gateway.ready.then_some(()))
            .await;
        if session.is_none() {
            tracing::warn!(
                "testserver: no client has identified; the interaction may never arrive"
            );
        }
        let id = f(&self.shared, &mut self.shared.lock());
        self.shared.notify();
        id
    }

    /// Sends INTERACTION_CREATE for slash command `name` as a guild member;
    /// returns the interaction id. `options` is Discord's `data.options`
    /// (nest subcommands as Discord does); user, channel, role, mentionable
    /// and attachment options get their `resolved` entries (attachments from
    /// [`Self::add_file`]). Waits up to 10 s for a client session first.
    pub async fn send_command(
        &self,
        guild_id: u64,
        channel_id: u64,
        user_id: u64,
        name: &str,
        options: Value,
    ) -> u64 {
        let actor = Actor {
            guild_id: Some(guild_id),
            channel_id,
            user_id,
        };
        self.inject(|sh, st| {
            interactions::command(sh, st, &actor, interactions::COMMAND, name, options)
        })
        .await
    }

    /// Like [`Self::send_command`], in the user's DM channel with the bot.
    pub async fn send_dm_command(&self, user_id: u64, name: &str, options: Value) -> u64 {
        self.inject(|sh, st| {
            let channel_id = st.dm_channel_for(user_id);
            let actor = Actor {
                guild_id: None,
                channel_id,
                user_id,
            };
            interactions::command(sh, st, &actor, interactions::COMMAND, name, options)
        })
        .await
    }

    /// Sends an autocomplete interaction; mark the option being typed with
    /// `"focused": true`, as Discord does.
    pub async fn send_autocomplete(
        &self,
        guild_id: u64,
        channel_id: u64,
        user_id: u64,
        name: &str,
        options: Value,
    ) -> u64 {
        let actor = Actor {
            guild_id: Some(guild_id),
            channel_id,
            user_id,
        };
        self.inject(|sh, st| {
            interactions::command(sh, st, &actor, interactions::AUTOCOMPLETE, name, options)
        })
        .await
    }

    /// Presses button `custom_id` on message `message_id` (a message the bot
    /// sent; its stored copy goes along as `message`).
    pub async fn press_button(
        &self,
        guild_id: Option<u64>,
        channel_id: u64,
        user_id: u64,
        message_id: u64,
        custom_id: &str,
    ) -> u64 {
        let actor = Actor {
            guild_id,
            channel_id,
            user_id,
        };
        self.inject(|sh, st| interactions::component(sh, st, &actor, message_id, custom_id, None))
            .await
    }

    /// Picks `values` in select menu `custom_id` on message `message_id`.
    pub async fn select_menu(
        &self,
        guild_id: Option<u64>,
        channel_id: u64,
        user_id: u64,
        message_id: u64,
        custom_id: &str,
        values: &[&str],
    ) -> u64 {
        let actor = Actor {
            guild_id,
            channel_id,
            user_id,
        };
        self.inject(|sh, st| {
            interactions::component(sh, st, &actor, message_id, custom_id, Some(values))
        })
        .await
    }

    /// Submits modal `custom_id` with text-input values `(custom_id, value)`.
    pub async fn submit_modal(
        &self,
        guild_id: Option<u64>,
        channel_id: u64,
        user_id: u64,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> u64 {
        let actor = Actor {
            guild_id,
            channel_id,
            user_id,
        };
        self.inject(|sh, st| interactions::modal(sh, st, &actor, custom_id, fields))
            .await
    }

    /// Everything the bot sent in answer to an interaction, in order, once at
    /// least `n` answers are in (or the timeout passes: then what there is).
    pub async fn responses(
        &self,
        interaction_id: u64,
        n: usize,
        timeout: Duration,
    ) -> Vec<Response> {
        let found = self
            .shared
            .wait_for(timeout, |st| {
                let rs = st.responses.get(&interaction_id)?;
                (rs.len() >= n).then(|| rs.clone())
            })
            .await;
        found.unwrap_or_else(|| {
            self.shared
                .lock()
                .responses
                .get(&interaction_id)
                .cloned()
                .unwrap_or_default()
        })
    }

    /// Stores a file as if a user had uploaded it and returns its attachment
    /// object; use its `id` as the value of an attachment option. The bytes
    /// are served at its `url`, on this server.
    pub fn add_file(&self, name: &str, bytes: Vec<u8>) -> Value {
        let base = self.base_url();
        let ct = state::content_type_of(name);
        let v = self.shared.lock().store_file(&base, name, ct, bytes, None);
        self.shared.notify();
        v
    }

    /// Messages the bot posted with `POST /channels/{id}/messages` (guild or
    /// DM channel), oldest first, as they are now (edits applied, deleted
    /// ones left out). Interaction replies are in [`Self::responses`].
    pub fn channel_messages(&self, channel_id: u64) -> Vec<Value> {
        channel_messages_in(&self.shared.lock(), channel_id)
    }

    /// [`Self::channel_messages`], once there are at least `n`.
    pub async fn wait_for_channel_messages(
        &self,
        channel_id: u64,
        n: usize,
        timeout: Duration,
    ) -> Vec<Value> {
        self.shared
            .wait_for(timeout, |st| {
                let found = channel_messages_in(st, channel_id);
                (found.len() >= n).then_some(found)
            })
            .await
            .unwrap_or_else(|| self.channel_messages(channel_id))
    }

    /// Any message the server holds (channel posts, interaction replies,
    /// follow-ups), as it is now.
    pub fn message(&self, message_id: u64) -> Option<Value> {
        let st = self.shared.lock();
        st.messages
            .get(&message_id)
            .filter(|m| !m.deleted)
            .map(|m| m.value.clone())
    }

    /// The DM channel the bot opened with a user, if it has.
    pub fn dm_channel_of(&self, user_id: u64) -> Option<u64> {
        self.shared.lock().dm_by_user.get(&user_id).copied()
    }

    /// Messages the bot posted in its DM channel with a user.
    pub fn dm_messages(&self, user_id: u64) -> Vec<Value> {
        self.dm_channel_of(user_id)
            .map(|c| self.channel_messages(c))
            .unwrap_or_default()
    }

    /// Every HTTP request so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Requests that matched no route (answered 404, `code: 0`).
    pub fn unknown_requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| !r.known_route)
            .cloned()
            .collect()
    }

    /// From now on, messages to this user's DM channel fail with 403 and
    /// code 50007 ("Cannot send messages to this user"), as when a user has
    /// closed DMs. Opening the DM channel still works, as on Discord.
    pub fn fail_dms_to(&self, user_id: u64) {
        self.shared.lock().dm_blocked.insert(user_id);
    }

    /// Undoes [`Self::fail_dms_to`].
    pub fn allow_dms_to(&self, user_id: u64) {
        self.shared.lock().dm_blocked.remove(&user_id);
    }

    /// The next `count` requests whose path starts with `path_prefix` (with
    /// or without `/api/v10`) get `status` instead of an answer. A 429 comes
    /// with `Retry-After`, `X-RateLimit-*` headers and `retry_after` in the
    /// body; other statuses with Discord's `{"message", "code": 0}`.
    pub fn inject_status(
        &self,
        path_prefix: &str,
        status: u16,
        count: usize,
        retry_after_secs: f64,
    ) {
        if count == 0 {
            return;
        }
        self.shared.lock().injections.push(Injection {
            prefix: path_prefix.to_string(),
            status,
            remaining: count,
            retry_after: retry_after_secs,
        });
    }

    /// From now on the server enforces Discord's rate limits: requests over
    /// them get 429 with Discord's headers and body, and change nothing.
    pub fn enforce_rate_limits(&self, rules: RateLimitRules) {
        self.shared.lock().limiter = Some(ratelimit::Limiter::new(rules));
    }

    /// Requests refused as over an enforced limit (not injected 429s), in order.
    pub fn rate_limited(&self) -> Vec<RateLimitHit> {
        self.shared.lock().rate_limited.clone()
    }

    /// Requests whose path starts with `path_prefix` (with or without
    /// `/api/v10`) are carried out as usual, but their answers are withheld
    /// until [`Self::release_held`]: a client killed meanwhile has acted on
    /// Discord without hearing so.
    pub fn hold_responses(&self, path_prefix: &str) {
        self.shared.lock().holds.push(path_prefix.to_string());
    }

    /// Stops holding answers and sends those withheld.
    pub fn release_held(&self) {
        self.shared.lock().holds.clear();
        self.shared.released.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// How many answers are being withheld now.
    pub fn held(&self) -> usize {
        self.shared.lock().held
    }

    /// Waits until at least `n` answers are withheld.
    pub async fn wait_for_held(&self, n: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |s| s.held() >= n).await
    }

    /// Closes the live gateway connection with close code 4000, as Discord
    /// does when it restarts a node; the client must RESUME. Dispatches sent
    /// meanwhile are replayed on RESUME.
    pub async fn close_gateway(&self) {
        let live = self.shared.lock().gateway.live.take();
        match live {
            Some(conn) => {
                // The connection task may have ended on its own; then there
                // is nothing left to close.
                let _ = conn
                    .tx
                    .send(Outgoing::Close(gateway::CLOSE_RECONNECT, "Reconnect"));
            }
            None => tracing::warn!("testserver: close_gateway with no live connection"),
        }
        self.shared.notify();
    }

    /// As if the network to Discord were cut: the live gateway connection
    /// drops, and from now on no request and no new gateway connection is
    /// ever answered (nor acted on). A client must not hang on this forever.
    pub fn go_dark(&self) {
        let live = {
            let mut st = self.shared.lock();
            st.dark = true;
            st.gateway.live.take()
        };
        if let Some(conn) = live {
            let _ = conn
                .tx
                .send(Outgoing::Close(gateway::CLOSE_RECONNECT, "Reconnect"));
        }
        self.shared.notify();
    }

    /// Answers again after [`Self::go_dark`]; requests that arrived in the
    /// dark stay unanswered, as they would have timed out.
    pub fn come_back(&self) {
        self.shared.lock().dark = false;
        self.shared.notify();
    }

    /// Closes the live gateway connection with `code`: 4004 (authentication
    /// failed), 4013/4014 (intents), 4011 (sharding required) end a session
    /// for good.
    pub fn close_gateway_with(&self, code: u16, reason: &'static str) {
        if let Some(conn) = self.shared.lock().gateway.live.take() {
            let _ = conn.tx.send(Outgoing::Close(code, reason));
        }
        self.shared.notify();
    }

    /// From now on IDENTIFY is answered with READY alone: the guilds'
    /// GUILD_CREATEs wait for [`Self::release_guild_creates`], as when
    /// Discord is slow to stream a large bot's guilds.
    pub fn hold_guild_creates(&self) {
        self.shared.lock().gateway.held_guild_creates = Some(Vec::new());
    }

    /// Sends the GUILD_CREATEs held back, and holds no more.
    pub fn release_guild_creates(&self) {
        let mut st = self.shared.lock();
        for g in st.gateway.held_guild_creates.take().unwrap_or_default() {
            st.dispatch("GUILD_CREATE", g);
        }
        drop(st);
        self.shared.notify();
    }

    /// How many RESUMEs the server accepted.
    pub fn resumes(&self) -> usize {
        self.shared.lock().gateway.resumes
    }

    /// How many dispatches were replayed to RESUMEd connections.
    pub fn replayed(&self) -> usize {
        self.shared.lock().gateway.replayed
    }

    /// How many IDENTIFYs the server received.
    pub fn identifies(&self) -> usize {
        self.shared.lock().gateway.identifies
    }

    /// How many heartbeats the server acknowledged.
    pub fn heartbeats(&self) -> usize {
        self.shared.lock().gateway.heartbeats
    }

    /// The `d` of the last IDENTIFY (token, intents, shard, ...).
    pub fn last_identify(&self) -> Option<Value> {
        self.shared.lock().gateway.last_identify.clone()
    }

    /// The heartbeat interval HELLO announces to connections made from now
    /// on (Discord's is 41.25 s, the default here).
    pub fn set_heartbeat_interval(&self, interval: Duration) {
        let ms = u64::try_from(interval.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        self.shared.lock().gateway.heartbeat_interval_ms = ms;
    }

    /// Every dispatch (op 0 frame) of the current session, in order.
    pub fn gateway_dispatches(&self) -> Vec<Value> {
        let st = self.shared.lock();
        st.gateway
            .history
            .iter()
            .filter_map(|(_, text)| serde_json::from_str(text).ok())
            .collect()
    }

    /// Payloads this server emitted that serenity's model types failed to
    /// parse: what, why, and the payload. Should always be empty; a test can
    /// assert so.
    pub fn parse_errors(&self) -> Vec<String> {
        self.shared.lock().parse_errors.clone()
    }
}

fn commands_in(st: &State, guild_id: Option<u64>) -> Vec<Value> {
    st.commands
        .iter()
        .filter(|(s, _)| *s == guild_id)
        .map(|(_, c)| c.clone())
        .collect()
}

fn channel_messages_in(st: &State, channel_id: u64) -> Vec<Value> {
    st.channel_posts
        .get(&channel_id)
        .into_iter()
        .flatten()
        .filter_map(|id| st.messages.get(id))
        .filter(|m| !m.deleted)
        .map(|m| m.value.clone())
        .collect()
}
