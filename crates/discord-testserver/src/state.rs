//! Everything the server remembers, behind one lock, plus the change signal
//! that waiters sleep on.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};
use serenity::model::Permissions;
use tokio::sync::{mpsc, watch};

use super::fixtures;
use super::{GuildSpec, Overwrite, RecordedRequest, Response};

/// Discord's epoch (2015-01-01) in Unix milliseconds; snowflakes count from it.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// How long Discord remembers an enforced nonce ("a few minutes").
pub(crate) const NONCE_WINDOW: Duration = Duration::from_secs(5 * 60);

pub(crate) const BOT_NAME: &str = "bot";

pub(crate) struct Shared {
    pub addr: SocketAddr,
    pub application_id: u64,
    pub bot_user_id: u64,
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    /// Bumped when held answers are released.
    pub released: watch::Sender<u64>,
}

impl Shared {
    pub(crate) fn new(addr: SocketAddr, application_id: u64, state: State) -> Shared {
        Shared {
            addr,
            application_id,
            bot_user_id: application_id,
            state: Mutex::new(state),
            changed: watch::channel(0).0,
            released: watch::channel(0).0,
        }
    }

    /// A panicking test thread must not wedge the server for the others, so a
    /// poisoned lock is used as is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn notify(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn gateway_url(&self) -> String {
        format!("ws://{}/gateway", self.addr)
    }

    /// Waits until `check` returns `Some`, or the timeout passes (then `None`).
    /// Subscribing before the first check means no change can slip between the
    /// check and the wait.
    pub(crate) async fn wait_for<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(v) = check(&self.lock()) {
                return Some(v);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                _ => return check(&self.lock()),
            }
        }
    }
}

/// Snowflakes made from the clock, as Discord's are, so `created_at()` is
/// sensible and later objects have larger ids.
pub(crate) struct Ids {
    last: u64,
}

impl Ids {
    pub(crate) fn next(&mut self) -> u64 {
        let ms = u64::try_from(Utc::now().timestamp_millis()).unwrap_or(DISCORD_EPOCH_MS);
        let candidate = ms.saturating_sub(DISCORD_EPOCH_MS) << 22;
        self.last = candidate.max(self.last + 1);
        self.last
    }
}

pub(crate) struct GuildData {
    pub spec: GuildSpec,
    pub owner_id: u64,
    pub bot_role_id: u64,
    /// Roles whose permissions a test set (`@everyone` and the bot's own
    /// role included); the others keep the defaults of `role_permissions`.
    pub role_perms: HashMap<u64, Permissions>,
    /// Channel id -> its permission overwrites.
    pub overwrites: HashMap<u64, Vec<Overwrite>>,
    /// False once a test has taken the bot out of the guild.
    pub bot_is_member: bool,
}

impl GuildData {
    pub(crate) fn role_permissions(&self, role_id: u64) -> Permissions {
        if let Some(p) = self.role_perms.get(&role_id) {
            *p
        } else if role_id == self.spec.guild_id {
            fixtures::everyone_permissions()
        } else if role_id == self.bot_role_id {
            Permissions::ADMINISTRATOR
        } else {
            Permissions::empty()
        }
    }

    /// A text channel of this guild, its permission overwrites included.
    pub(crate) fn channel_json(&self, channel_id: u64) -> Option<Value> {
        let (position, name) = self.channel(channel_id)?;
        let overwrites = self
            .overwrites
            .get(&channel_id)
            .map(|list| list.iter().map(fixtures::overwrite).collect())
            .unwrap_or_default();
        Some(fixtures::text_channel(
            channel_id,
            self.spec.guild_id,
            name,
            position,
            overwrites,
        ))
    }

    pub(crate) fn roles_json(&self, bot_user_id: u64) -> Vec<Value> {
        let g = &self.spec;
        let mut roles = vec![fixtures::role(
            g.guild_id,
            "@everyone",
            0,
            self.role_permissions(g.guild_id),
            None,
        )];
        for (i, (id, name)) in g.roles.iter().enumerate() {
            let position = u16::try_from(i + 1).unwrap_or(u16::MAX);
            roles.push(fixtures::role(
                *id,
                name,
                position,
                self.role_permissions(*id),
                None,
            ));
        }
        let top = u16::try_from(g.roles.len() + 1).unwrap_or(u16::MAX);
        roles.push(fixtures::role(
            self.bot_role_id,
            BOT_NAME,
            top,
            self.role_permissions(self.bot_role_id),
            Some(bot_user_id),
        ));
        roles
    }

    pub(crate) fn member_roles(&self, user_id: u64, bot_user_id: u64) -> Option<Vec<u64>> {
        if user_id == bot_user_id {
            return self.bot_is_member.then(|| vec![self.bot_role_id]);
        }
        self.spec
            .members
            .iter()
            .find(|m| m.user_id == user_id)
            .map(|m| m.roles.clone())
    }

    /// Permissions as Discord computes them for an interaction: the owner and
    /// administrators get everything.
    pub(crate) fn permissions_of(&self, user_id: u64, roles: &[u64]) -> Permissions {
        let mut p = self.role_permissions(self.spec.guild_id);
        for r in roles {
            p |= self.role_permissions(*r);
        }
        if user_id == self.owner_id || p.contains(Permissions::ADMINISTRATOR) {
            Permissions::all()
        } else {
            p
        }
    }

    pub(crate) fn channel(&self, channel_id: u64) -> Option<(usize, &str)> {
        self.spec
            .channels
            .iter()
            .enumerate()
            .find(|(_, (id, _))| *id == channel_id)
            .map(|(i, (_, name))| (i, name.as_str()))
    }
}

pub(crate) struct StoredFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub attachment: Value,
}

pub(crate) struct StoredMessage {
    pub channel_id: u64,
    pub value: Value,
    pub deleted: bool,
}

/// One injected interaction and what the bot has done with it so far.
pub(crate) struct InteractionRecord {
    pub kind: u8,
    pub token: String,
    pub guild_id: Option<u64>,
    pub channel_id: u64,
    pub acked: bool,
    pub original: Option<u64>,
    /// The message a component was on (or a modal was opened from).
    pub source_message: Option<u64>,
    pub followups: Vec<u64>,
}

pub(crate) struct Injection {
    pub prefix: String,
    pub status: u16,
    pub remaining: usize,
    pub retry_after: f64,
}

pub(crate) enum Outgoing {
    Frame(String),
    Close(u16, &'static str),
}

#[derive(Clone)]
pub(crate) struct Connection {
    pub id: u64,
    pub tx: mpsc::UnboundedSender<Outgoing>,
}

#[derive(Default)]
pub(crate) struct Gateway {
    pub session_id: Option<String>,
    pub seq: u64,
    /// Every dispatch of the session as sent, for RESUME replays.
    pub history: Vec<(u64, String)>,
    /// The connection that has IDENTIFYed or RESUMEd and so gets dispatches.
    pub live: Option<Connection>,
    pub next_conn: u64,
    pub identifies: usize,
    pub resumes: usize,
    pub replayed: usize,
    pub heartbeats: usize,
    pub ready: bool,
    pub last_identify: Option<Value>,
    pub heartbeat_interval_ms: u64,
    /// GUILD_CREATEs kept back from IDENTIFY while set, until released.
    pub held_guild_creates: Option<Vec<Value>>,
}

pub(crate) struct State {
    pub ids: Ids,
    pub guilds: Vec<GuildData>,
    pub users: HashMap<u64, String>,
    pub commands: Vec<(Option<u64>, Value)>,
    pub messages: HashMap<u64, StoredMessage>,
    /// Messages posted with `POST /channels/{id}/messages`, in order.
    pub channel_posts: HashMap<u64, Vec<u64>>,
    pub dm_by_user: HashMap<u64, u64>,
    pub dm_recipient: HashMap<u64, u64>,
    pub nonces: HashMap<String, (u64, Instant)>,
    pub interactions: HashMap<u64, InteractionRecord>,
    pub tokens: HashMap<String, u64>,
    pub responses: HashMap<u64, Vec<Response>>,
    pub files: HashMap<u64, StoredFile>,
    pub requests: Vec<RecordedRequest>,
    pub injections: Vec<Injection>,
    pub dm_blocked: HashSet<u64>,
    pub gateway: Gateway,
    pub parse_errors: Vec<String>,
    pub limiter: Option<super::ratelimit::Limiter>,
    pub rate_limited: Vec<super::RateLimitHit>,
    /// Path prefixes whose answers are withheld, and how many are waiting.
    pub holds: Vec<String>,
    pub held: usize,
    /// Unreachable: requests and gateway connections are never answered.
    pub dark: bool,
    /// When set, the only bot token accepted; otherwise any will do.
    pub required_token: Option<String>,
}

impl State {
    pub(crate) fn new(specs: Vec<GuildSpec>, bot_user_id: u64) -> State {
        let mut ids = Ids { last: 0 };
        let mut users = HashMap::new();
        users.insert(bot_user_id, BOT_NAME.to_string());
        let guilds = specs
            .into_iter()
            .map(|spec| {
                for m in &spec.members {
                    users.insert(m.user_id, m.name.clone());
                }
                let owner_id = spec.members.first().map_or(bot_user_id, |m| m.user_id);
                GuildData {
                    spec,
                    owner_id,
                    bot_role_id: ids.next(),
                    role_perms: HashMap::new(),
                    overwrites: HashMap::new(),
                    bot_is_member: true,
                }
            })
            .collect();
        State {
            ids,
            guilds,
            users,
            commands: Vec::new(),
            messages: HashMap::new(),
            channel_posts: HashMap::new(),
            dm_by_user: HashMap::new(),
            dm_recipient: HashMap::new(),
            nonces: HashMap::new(),
            interactions: HashMap::new(),
            tokens: HashMap::new(),
            responses: HashMap::new(),
            files: HashMap::new(),
            requests: Vec::new(),
            injections: Vec::new(),
            dm_blocked: HashSet::new(),
            gateway: Gateway {
                heartbeat_interval_ms: 41_250,
                ..Gateway::default()
            },
            parse_errors: Vec::new(),
            limiter: None,
            rate_limited: Vec::new(),
            holds: Vec::new(),
            held: 0,
            dark: false,
            required_token: None,
        }
    }

    pub(crate) fn guild(&self, guild_id: u64) -> Option<&GuildData> {
        self.guilds.iter().find(|g| g.spec.guild_id == guild_id)
    }

    pub(crate) fn guild_mut(&mut self, guild_id: u64) -> Option<&mut GuildData> {
        self.guilds.iter_mut().find(|g| g.spec.guild_id == guild_id)
    }

    /// The guilds the bot is in: the only ones the gateway tells it about.
    pub(crate) fn bot_guilds(&self) -> impl Iterator<Item = &GuildData> {
        self.guilds.iter().filter(|g| g.bot_is_member)
    }

    pub(crate) fn guild_of_channel(&self, channel_id: u64) -> Option<&GuildData> {
        self.guilds.iter().find(|g| g.channel(channel_id).is_some())
    }

    /// A user object for any id: unknown ids get a made-up name, as a test
    /// may well name a user who is in no guild.
    pub(crate) fn user_json(&self, user_id: u64, bot_user_id: u64) -> Value {
        if user_id == bot_user_id {
            return fixtures::user(user_id, BOT_NAME, true);
        }
        let name = self
            .users
            .get(&user_id)
            .cloned()
            .unwrap_or_else(|| format!("user{user_id}"));
        fixtures::user(user_id, &name, false)
    }

    pub(crate) fn member_json(
        &self,
        guild: &GuildData,
        user_id: u64,
        bot_user_id: u64,
    ) -> Option<Value> {
        let roles = guild.member_roles(user_id, bot_user_id)?;
        Some(fixtures::member(
            self.user_json(user_id, bot_user_id),
            &roles,
        ))
    }

    pub(crate) fn guild_create_json(&self, guild: &GuildData, bot_user_id: u64) -> Value {
        let mut members: Vec<Value> = guild
            .spec
            .members
            .iter()
            .map(|m| fixtures::member(self.user_json(m.user_id, bot_user_id), &m.roles))
            .collect();
        members.push(fixtures::member(
            fixtures::user(bot_user_id, BOT_NAME, true),
            &[guild.bot_role_id],
        ));
        let channels = guild
            .spec
            .channels
            .iter()
            .filter_map(|(id, _)| guild.channel_json(*id))
            .collect();
        fixtures::guild_create(
            &guild.spec,
            guild.owner_id,
            guild.roles_json(bot_user_id),
            members,
            channels,
        )
    }

    /// The channel object a guild or DM channel answers `GET /channels/{id}`
    /// with.
    pub(crate) fn channel_json(&self, channel_id: u64, bot_user_id: u64) -> Option<Value> {
        if let Some(g) = self.guild_of_channel(channel_id) {
            return g.channel_json(channel_id);
        }
        let user = *self.dm_recipient.get(&channel_id)?;
        let last = self
            .channel_posts
            .get(&channel_id)
            .and_then(|v| v.last().copied());
        Some(fixtures::dm_channel(
            channel_id,
            self.user_json(user, bot_user_id),
            last,
        ))
    }

    pub(crate) fn dm_channel_for(&mut self, user_id: u64) -> u64 {
        if let Some(c) = self.dm_by_user.get(&user_id) {
            return *c;
        }
        let c = self.ids.next();
        self.dm_by_user.insert(user_id, c);
        self.dm_recipient.insert(c, user_id);
        c
    }

    pub(crate) fn store_file(
        &mut self,
        base_url: &str,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
        description: Option<&str>,
    ) -> Value {
        let id = self.ids.next();
        let url = format!("{base_url}/files/{id}/{}", url_safe(filename));
        let attachment =
            fixtures::attachment(id, filename, bytes.len(), &url, content_type, description);
        self.files.insert(
            id,
            StoredFile {
                content_type: content_type.to_string(),
                bytes,
                attachment: attachment.clone(),
            },
        );
        attachment
    }

    pub(crate) fn record_parse_error(&mut self, what: &str, error: String, value: &Value) {
        tracing::warn!(what, %error, "testserver emitted a payload serenity cannot parse");
        self.parse_errors.push(format!("{what}: {error}: {value}"));
    }

    /// Drops enforced nonces older than Discord's window.
    pub(crate) fn expire_nonces(&mut self) {
        self.nonces.retain(|_, (_, at)| at.elapsed() < NONCE_WINDOW);
    }

    pub(crate) fn push_response(&mut self, interaction_id: u64, response: Response) {
        self.responses
            .entry(interaction_id)
            .or_default()
            .push(response);
    }

    /// Pushes a dispatch to the session: numbered, kept for replay, and sent
    /// at once if a client is live.
    pub(crate) fn dispatch(&mut self, event: &str, d: Value) {
        let gw = &mut self.gateway;
        gw.seq += 1;
        let frame = json!({ "op": 0, "s": gw.seq, "t": event, "d": d });
        let text = frame.to_string();
        gw.history.push((gw.seq, text.clone()));
        if let Some(conn) = &gw.live
            && conn.tx.send(Outgoing::Frame(text)).is_err()
        {
            gw.live = None;
        }
        if let Some(e) = fixtures::dispatch_parse_error(&frame) {
            self.record_parse_error(&format!("gateway {event}"), e, &frame);
        }
    }
}

/// Guesses a content type from a file name, like Discord's CDN does.
pub(crate) fn content_type_of(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "toml" => "application/toml",
        _ => "application/octet-stream",
    }
}

/// File names go into URLs; anything outside a safe set becomes `_` (the
/// server finds files by id, the name is only for people reading URLs).
fn url_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
