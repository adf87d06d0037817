//! The REST API under `/api/v10`, and `/files/{id}/{name}` standing in for
//! Discord's CDN.
//!
//! One fallback handler reads the whole request (JSON, or multipart with
//! `payload_json` + `files[n]`), takes any injected fault, routes by path
//! segments and records the exchange. Handlers check what Discord checks
//! (lengths, empty messages, double acknowledgements) so a bot bug shows up
//! here as the same 400 Discord would give.

mod callbacks;
mod commands;
mod messages;

use std::sync::Arc;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response as AxumResponse};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::RecordedRequest;
use super::fixtures;
use super::state::{Shared, State as ServerState};
use callbacks::{create_followup, interaction_callback, webhook_message};
use commands::commands;
use messages::{channel_message, create_channel_message, list_messages};

/// Discord's largest request body (a boosted guild's upload limit is 500 MiB;
/// tests never come near, but a bot bug that sends too much should get 413,
/// not an out-of-memory).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// A file part of a multipart request.
pub(crate) struct Upload {
    /// `files[n]`: n ties the file to `attachments[].id` in `payload_json`.
    pub field: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

struct Incoming {
    method: String,
    segs: Vec<String>,
    query: Option<String>,
    json: Option<Value>,
    uploads: Vec<Upload>,
    /// The `Authorization` header, if any.
    authorization: Option<String>,
}

impl Incoming {
    fn body(&self) -> Value {
        self.json.clone().unwrap_or_else(|| json!({}))
    }

    fn query_param(&self, key: &str) -> Option<&str> {
        self.query
            .as_deref()?
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }
}

pub(crate) enum Reply {
    Json(u16, Value),
    Empty,
    File(String, Vec<u8>),
}

/// A Discord error: status, JSON error code and message, and for 400s the
/// per-field `errors` tree.
#[derive(Clone)]
pub(crate) struct ApiError {
    status: u16,
    code: i64,
    message: String,
    errors: Option<Value>,
    retry_after: Option<f64>,
    /// For a 429: whether the global limit was hit, or the bucket that was.
    global: bool,
    bucket: Option<Box<super::ratelimit::BucketState>>,
    known_route: bool,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: i64, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            errors: None,
            retry_after: None,
            global: false,
            bucket: None,
            known_route: true,
        }
    }

    fn unknown(code: i64, what: &str) -> ApiError {
        ApiError::new(404, code, format!("Unknown {what}"))
    }

    /// 50035 with Discord's nested error tree; `path` is dotted
    /// (`data.embeds.0.title`).
    fn form(path: &str, code: &str, message: impl Into<String>) -> ApiError {
        let mut tree = json!({ "_errors": [{ "code": code, "message": message.into() }] });
        for key in path.rsplit('.').filter(|k| !k.is_empty()) {
            tree = json!({ key: tree });
        }
        ApiError {
            errors: Some(tree),
            ..ApiError::new(400, 50035, "Invalid Form Body")
        }
    }

    fn too_long(path: &str, max: usize) -> ApiError {
        ApiError::form(
            path,
            "BASE_TYPE_MAX_LENGTH",
            format!("Must be {max} or fewer in length."),
        )
    }

    fn required(path: &str) -> ApiError {
        ApiError::form(path, "BASE_TYPE_REQUIRED", "This field is required")
    }

    fn unknown_route(method: &str, path: &str) -> ApiError {
        ApiError {
            known_route: false,
            ..ApiError::new(
                404,
                0,
                format!("404: Not Found (the test server has no route {method} {path})"),
            )
        }
    }

    fn body(&self) -> Value {
        let mut b = json!({ "message": self.message, "code": self.code });
        if let Some(map) = b.as_object_mut() {
            if let Some(e) = &self.errors {
                map.insert("errors".into(), e.clone());
            }
            if let Some(r) = self.retry_after {
                map.insert("retry_after".into(), json!(r));
                map.insert("global".into(), json!(self.global));
            }
        }
        b
    }

    fn into_response(self) -> AxumResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after {
            let whole = secs.ceil().max(0.0).to_string();
            let precise = format!("{secs:.3}");
            let mut headers: Vec<(&str, String)> = vec![(RETRY_AFTER.as_str(), whole)];
            if self.global {
                headers.push(("x-ratelimit-global", "true".into()));
                headers.push(("x-ratelimit-scope", "global".into()));
            } else {
                headers.push(("x-ratelimit-scope", "user".into()));
                match &self.bucket {
                    Some(b) => headers.extend(b.headers()),
                    // An injected 429 stands for a bucket the server does not model.
                    None => headers.extend([
                        ("x-ratelimit-limit", "5".to_string()),
                        ("x-ratelimit-remaining", "0".to_string()),
                        ("x-ratelimit-reset-after", precise),
                        ("x-ratelimit-bucket", "discord-testserver".to_string()),
                    ]),
                }
            }
            let h = resp.headers_mut();
            for (name, value) in headers {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    h.insert(name, v);
                }
            }
        }
        resp
    }
}

/// Reads a snowflake that Discord may send as a string or a number.
pub(crate) fn snowflake_value(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn snowflake(seg: &str) -> Result<u64, ApiError> {
    seg.parse().map_err(|_| {
        ApiError::form(
            "id",
            "NUMBER_TYPE_COERCE",
            format!("Value \"{seg}\" is not snowflake."),
        )
    })
}

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> AxumResponse {
    if shared.lock().dark {
        return std::future::pending().await;
    }
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let authorization = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);

    let (json, uploads, body_error) = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => read_body(&content_type, bytes).await,
        Err(_) => (
            None,
            Vec::new(),
            Some(ApiError::new(413, 40005, "Request entity too large")),
        ),
    };

    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace("%40", "@"))
        .collect();
    let incoming = Incoming {
        method: method.clone(),
        segs,
        query: query.clone(),
        json,
        uploads,
        authorization,
    };

    let (outcome, limits, hold) = {
        let mut st = shared.lock();
        let limited = limit(&mut st, &method, &path);
        let outcome = match (take_injection(&mut st, &path), &limited) {
            (Some(injected), _) => Err(injected),
            (None, Some(Err(refused))) => Err(refused.clone()),
            (None, _) => match body_error {
                Some(e) => Err(e),
                None => route(&shared, &mut st, &incoming, &path),
            },
        };
        let limits = match limited {
            Some(Ok(headers)) => headers,
            _ => Vec::new(),
        };
        let short = path.strip_prefix("/api/v10").unwrap_or(&path);
        let hold = st
            .holds
            .iter()
            .any(|p| path.starts_with(p.as_str()) || short.starts_with(p.as_str()));
        let (status, known_route) = match &outcome {
            Ok(Reply::Json(s, _)) => (*s, true),
            Ok(Reply::Empty) => (204, true),
            Ok(Reply::File(..)) => (200, true),
            Err(e) => (e.status, e.known_route),
        };
        if !known_route {
            tracing::warn!(%method, %path, "testserver: request to a route it does not serve");
        }
        st.requests.push(RecordedRequest {
            method,
            path,
            query,
            body: incoming.json.clone(),
            files: incoming
                .uploads
                .iter()
                .map(|u| (u.filename.clone(), u.bytes.clone()))
                .collect(),
            status,
            known_route,
        });
        if hold {
            st.held += 1;
        }
        (outcome, limits, hold)
    };
    shared.notify();
    if hold {
        wait_for_release(&shared).await;
    }

    let mut response = match outcome {
        Ok(Reply::Json(status, v)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(v),
        )
            .into_response(),
        Ok(Reply::Empty) => StatusCode::NO_CONTENT.into_response(),
        Ok(Reply::File(ct, bytes)) => ([(CONTENT_TYPE, ct)], bytes).into_response(),
        Err(e) => e.into_response(),
    };
    for (name, value) in limits {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// Counts the request against the enforced limits, if any: `Ok` with the
/// bucket headers for the answer, `Err` with the 429 to give instead.
fn limit(
    st: &mut ServerState,
    method: &str,
    path: &str,
) -> Option<Result<Vec<(&'static str, String)>, ApiError>> {
    let segs: Vec<&str> = path
        .strip_prefix("/api/v10")?
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let verdict = st
        .limiter
        .as_mut()?
        .check(method, &segs, std::time::Instant::now())?;
    Some(match verdict {
        Ok(bucket) => Ok(bucket.headers()),
        Err(refusal) => {
            st.rate_limited.push(super::RateLimitHit {
                method: method.to_string(),
                path: path.to_string(),
                global: refusal.global,
                at: std::time::Instant::now(),
            });
            Err(ApiError {
                retry_after: Some(refusal.retry_after),
                global: refusal.global,
                bucket: refusal.bucket.map(Box::new),
                ..ApiError::new(429, 0, "You are being rate limited.")
            })
        }
    })
}

/// Withholds an answer until the test releases it. If the client goes away
/// first, this future is dropped and the guard still counts it out.
async fn wait_for_release(shared: &Arc<Shared>) {
    struct Held<'a>(&'a Shared);
    impl Drop for Held<'_> {
        fn drop(&mut self) {
            self.0.lock().held -= 1;
            self.0.notify();
        }
    }
    let mut rx = shared.released.subscribe();
    let _held = Held(shared);
    if shared.lock().holds.is_empty() {
        return;
    }
    let _ = rx.changed().await;
}

/// Splits a body into its JSON part and its files. A body that is neither
/// valid JSON nor valid multipart is the client's fault: 400, as Discord.
async fn read_body(
    content_type: &str,
    bytes: Bytes,
) -> (Option<Value>, Vec<Upload>, Option<ApiError>) {
    if bytes.is_empty() {
        return (None, Vec::new(), None);
    }
    if content_type.starts_with("multipart/form-data") {
        return match read_multipart(content_type, bytes).await {
            Ok((json, uploads)) => (json, uploads, None),
            Err(e) => (None, Vec::new(), Some(e)),
        };
    }
    match serde_json::from_slice(&bytes) {
        Ok(v) => (Some(v), Vec::new(), None),
        Err(e) => (
            None,
            Vec::new(),
            Some(ApiError::new(
                400,
                50109,
                format!("The request body contains invalid JSON: {e}"),
            )),
        ),
    }
}

async fn read_multipart(
    content_type: &str,
    bytes: Bytes,
) -> Result<(Option<Value>, Vec<Upload>), ApiError> {
    let bad = |e: String| ApiError::new(400, 50035, format!("Invalid multipart body: {e}"));
    let req = Request::builder()
        .header(CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .map_err(|e| bad(e.to_string()))?;
    let mut form = Multipart::from_request(req, &())
        .await
        .map_err(|e| bad(e.body_text()))?;
    let mut json = None;
    let mut uploads = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let part_type = field.content_type().map(str::to_string);
        let data = field.bytes().await.map_err(|e| bad(e.body_text()))?;
        if name == "payload_json" {
            let v = serde_json::from_slice(&data).map_err(|e| {
                ApiError::new(400, 50109, format!("payload_json is not valid JSON: {e}"))
            })?;
            json = Some(v);
        } else if let Some(filename) = filename {
            uploads.push(Upload {
                field: name,
                filename,
                content_type: part_type,
                bytes: data.to_vec(),
            });
        }
    }
    Ok((json, uploads))
}

fn take_injection(st: &mut ServerState, path: &str) -> Option<ApiError> {
    let short = path.strip_prefix("/api/v10").unwrap_or(path);
    let idx = st.injections.iter().position(|i| {
        i.remaining > 0 && (path.starts_with(&i.prefix) || short.starts_with(&i.prefix))
    })?;
    let inj = &mut st.injections[idx];
    inj.remaining -= 1;
    let (status, retry_after) = (inj.status, inj.retry_after);
    if inj.remaining == 0 {
        st.injections.remove(idx);
    }
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Injected fault");
    Some(if status == 429 {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(429, 0, "You are being rate limited.")
        }
    } else {
        ApiError::new(status, 0, format!("{status}: {reason}"))
    })
}

/// Routes that Discord serves without the bot token: the gateway URL, and
/// everything reached through an interaction token.
fn needs_auth(segs: &[&str]) -> bool {
    !matches!(
        segs,
        ["gateway"] | ["interactions", ..] | ["webhooks", _, _, ..]
    )
}

fn route(
    shared: &Shared,
    st: &mut ServerState,
    inc: &Incoming,
    path: &str,
) -> Result<Reply, ApiError> {
    let segs: Vec<&str> = inc.segs.iter().map(String::as_str).collect();
    let m = inc.method.as_str();
    if let ["files", id, ..] = segs.as_slice() {
        return match (m, id.parse::<u64>().ok().and_then(|id| st.files.get(&id))) {
            ("GET", Some(f)) => Ok(Reply::File(f.content_type.clone(), f.bytes.clone())),
            _ => Err(ApiError::new(404, 0, "404: Not Found")),
        };
    }
    let ["api", "v10", rest @ ..] = segs.as_slice() else {
        return Err(ApiError::unknown_route(m, path));
    };
    if needs_auth(rest) && !token_accepted(st, inc.authorization.as_deref()) {
        return Err(ApiError::new(401, 0, "401: Unauthorized"));
    }
    let app = shared.application_id;
    let bot = shared.bot_user_id;
    match (m, rest) {
        ("GET", ["gateway"]) => Ok(Reply::Json(200, json!({ "url": shared.gateway_url() }))),
        ("GET", ["gateway", "bot"]) => Ok(Reply::Json(
            200,
            json!({
                "url": shared.gateway_url(),
                "shards": 1,
                "session_start_limit": {
                    "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1
                },
            }),
        )),
        ("GET", ["users", "@me"]) => {
            let v = fixtures::current_user(bot, super::state::BOT_NAME);
            check::<serenity::model::user::CurrentUser>(st, "GET /users/@me", &v);
            Ok(Reply::Json(200, v))
        }
        ("GET", ["users", id]) => {
            let id = snowflake(id)?;
            if !st.users.contains_key(&id) {
                return Err(ApiError::unknown(10013, "User"));
            }
            Ok(Reply::Json(200, st.user_json(id, bot)))
        }
        ("POST", ["users", "@me", "channels"]) => create_dm(st, inc, bot),
        ("GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]) => {
            let owner = st.guilds.first().map_or(bot, |g| g.owner_id);
            let v = fixtures::application(
                app,
                super::state::BOT_NAME,
                fixtures::user(bot, super::state::BOT_NAME, true),
                st.user_json(owner, bot),
            );
            check::<serenity::model::application::CurrentApplicationInfo>(
                st,
                "GET application",
                &v,
            );
            Ok(Reply::Json(200, v))
        }
        (_, ["applications", a, "commands", more @ ..]) => {
            own_app(a, app)?;
            commands(st, inc, app, None, more)
        }
        (_, ["applications", a, "guilds", g, "commands", more @ ..]) => {
            own_app(a, app)?;
            let g = snowflake(g)?;
            if st.guild(g).is_none() {
                return Err(ApiError::new(403, 50001, "Missing Access"));
            }
            member_of(st, g)?;
            commands(st, inc, app, Some(g), more)
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            let id = snowflake(id).map_err(|_| ApiError::unknown(10062, "interaction"))?;
            interaction_callback(shared, st, id, token, inc)
        }
        ("POST", ["webhooks", a, token]) => {
            webhook_app(a, app)?;
            create_followup(shared, st, token, inc)
        }
        (_, ["webhooks", a, token, "messages", mid]) => {
            webhook_app(a, app)?;
            webhook_message(shared, st, token, mid, inc)
        }
        ("GET", ["channels", c]) => {
            let c = snowflake(c)?;
            if let Some(g) = st.guild_of_channel(c) {
                member_of(st, g.spec.guild_id)?;
            }
            let v = st
                .channel_json(c, bot)
                .ok_or_else(|| ApiError::unknown(10003, "Channel"))?;
            check::<serenity::model::channel::Channel>(st, "GET /channels/{id}", &v);
            Ok(Reply::Json(200, v))
        }
        ("POST", ["channels", c, "messages"]) => {
            create_channel_message(shared, st, snowflake(c)?, inc)
        }
        ("GET", ["channels", c, "messages"]) => list_messages(st, snowflake(c)?, inc),
        (_, ["channels", c, "messages", mid]) => {
            channel_message(shared, st, snowflake(c)?, snowflake(mid)?, inc)
        }
        ("POST", ["channels", c, "typing"]) => {
            let c = snowflake(c)?;
            st.channel_json(c, bot)
                .ok_or_else(|| ApiError::unknown(10003, "Channel"))?;
            Ok(Reply::Empty)
        }
        ("GET", ["guilds", g, more @ ..]) => guild_route(st, snowflake(g)?, more, inc, bot),
        _ => Err(ApiError::unknown_route(m, path)),
    }
}

/// Any token will do unless a test asked for one; bots send `Bot TOKEN`.
fn token_accepted(st: &ServerState, authorization: Option<&str>) -> bool {
    match (authorization, &st.required_token) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(given), Some(required)) => given.strip_prefix("Bot ").unwrap_or(given) == required,
    }
}

/// Discord answers a bot that is not in a guild with 403 "Missing Access"
/// for the guild and everything in it.
fn member_of(st: &ServerState, guild_id: u64) -> Result<(), ApiError> {
    match st.guild(guild_id) {
        Some(g) if !g.bot_is_member => Err(ApiError::new(403, 50001, "Missing Access")),
        _ => Ok(()),
    }
}

fn own_app(seg: &str, app: u64) -> Result<(), ApiError> {
    if snowflake(seg)? == app {
        Ok(())
    } else {
        Err(ApiError::new(403, 50001, "Missing Access"))
    }
}

fn webhook_app(seg: &str, app: u64) -> Result<(), ApiError> {
    match seg.parse::<u64>() {
        Ok(a) if a == app => Ok(()),
        _ => Err(ApiError::unknown(10015, "Webhook")),
    }
}

/// Checks that what the server sends back parses as the serenity type the
/// bot will read it into; a failure is kept for `parse_errors()`.
fn check<T: DeserializeOwned>(st: &mut ServerState, what: &str, v: &Value) {
    if let Err(e) = serde_json::from_value::<T>(v.clone()) {
        st.record_parse_error(what, e.to_string(), v);
    }
}

fn check_message(st: &mut ServerState, what: &str, v: &Value) {
    check::<serenity::model::channel::Message>(st, what, v);
}

fn create_dm(st: &mut ServerState, inc: &Incoming, bot: u64) -> Result<Reply, ApiError> {
    let body = inc.body();
    let user = body
        .get("recipient_id")
        .and_then(snowflake_value)
        .ok_or_else(|| ApiError::required("recipient_id"))?;
    let channel = st.dm_channel_for(user);
    let v = st
        .channel_json(channel, bot)
        .ok_or_else(|| ApiError::unknown(10003, "Channel"))?;
    check::<serenity::model::channel::PrivateChannel>(st, "POST /users/@me/channels", &v);
    Ok(Reply::Json(200, v))
}

fn guild_route(
    st: &mut ServerState,
    g: u64,
    more: &[&str],
    inc: &Incoming,
    bot: u64,
) -> Result<Reply, ApiError> {
    let guild = st
        .guild(g)
        .ok_or_else(|| ApiError::unknown(10004, "Guild"))?;
    member_of(st, g)?;
    match more {
        [] => {
            let mut base = fixtures::guild_base(&guild.spec, guild.owner_id, guild.roles_json(bot));
            let count = guild.spec.members.len() + 1;
            base.insert("approximate_member_count".into(), json!(count));
            base.insert("approximate_presence_count".into(), json!(0));
            let v = Value::Object(base);
            check::<serenity::model::guild::PartialGuild>(st, "GET /guilds/{id}", &v);
            Ok(Reply::Json(200, v))
        }
        ["roles"] => {
            let v = Value::Array(guild.roles_json(bot));
            check::<Vec<serenity::model::guild::Role>>(st, "GET /guilds/{id}/roles", &v);
            Ok(Reply::Json(200, v))
        }
        ["channels"] => {
            let v: Vec<Value> = guild
                .spec
                .channels
                .iter()
                .filter_map(|(id, _)| guild.channel_json(*id))
                .collect();
            check::<Vec<serenity::model::channel::GuildChannel>>(
                st,
                "GET /guilds/{id}/channels",
                &Value::Array(v.clone()),
            );
            Ok(Reply::Json(200, Value::Array(v)))
        }
        ["members"] => {
            let limit = inc
                .query_param("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(1usize)
                .clamp(1, 1000);
            let after = inc
                .query_param("after")
                .and_then(|a| a.parse().ok())
                .unwrap_or(0u64);
            let mut ids: Vec<u64> = guild.spec.members.iter().map(|m| m.user_id).collect();
            ids.push(bot);
            ids.sort_unstable();
            let v: Vec<Value> = ids
                .into_iter()
                .filter(|id| *id > after)
                .take(limit)
                .filter_map(|id| st.member_json(guild, id, bot))
                .collect();
            Ok(Reply::Json(200, Value::Array(v)))
        }
        ["members", user] => {
            let user = snowflake(user)?;
            let v = st
                .member_json(guild, user, bot)
                .ok_or_else(|| ApiError::unknown(10007, "Member"))?;
            check::<serenity::model::guild::Member>(st, "GET /guilds/{id}/members/{user}", &v);
            Ok(Reply::Json(200, v))
        }
        _ => Err(ApiError::unknown_route(
            "GET",
            &format!("/api/v10/guilds/{g}/{}", more.join("/")),
        )),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn chars(v: Option<&Value>) -> usize {
    v.and_then(Value::as_str).map_or(0, |s| s.chars().count())
}
