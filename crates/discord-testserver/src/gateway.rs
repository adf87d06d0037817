//! The gateway: one websocket per shard connection, plain JSON text frames.
//!
//! serenity 0.12.5 asks for `?v=10` only and never for `compress=zlib-stream`;
//! its IDENTIFY says `compress: true`, which lets Discord send large payloads as
//! zlib binary frames, but text is always allowed and serenity reads both, so
//! this server only sends text.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response as AxumResponse;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::RecordedRequest;
use super::fixtures;
use super::state::{Connection, Outgoing, Shared, State as ServerState};

const OP_DISPATCH: u64 = 0;
const OP_HEARTBEAT: u64 = 1;
const OP_IDENTIFY: u64 = 2;
const OP_RESUME: u64 = 6;
const OP_REQUEST_GUILD_MEMBERS: u64 = 8;
const OP_INVALID_SESSION: u64 = 9;
const OP_HELLO: u64 = 10;
const OP_HEARTBEAT_ACK: u64 = 11;

/// Discord's close code for "unknown error, try to reconnect": serenity
/// answers it with a RESUME while it holds a session.
pub(crate) const CLOSE_RECONNECT: u16 = 4000;
const CLOSE_INVALID_API_VERSION: u16 = 4012;
const CLOSE_DECODE_ERROR: u16 = 4002;
const CLOSE_NOT_AUTHENTICATED: u16 = 4003;
const CLOSE_ALREADY_AUTHENTICATED: u16 = 4005;

/// How long to wait for a client to hang up after the close handshake.
const CLOSE_GRACE: Duration = Duration::from_millis(500);

pub(crate) async fn upgrade(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    ws: WebSocketUpgrade,
) -> AxumResponse {
    let version_ok = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .all(|(k, v)| k != "v" || v == "10");
    if shared.lock().dark {
        return std::future::pending().await;
    }
    {
        let mut st = shared.lock();
        st.requests.push(RecordedRequest {
            method: "GET".into(),
            path: "/gateway".into(),
            query: query.clone(),
            body: None,
            files: Vec::new(),
            status: 101,
            known_route: true,
        });
    }
    shared.notify();
    ws.on_upgrade(move |socket| connection(shared, socket, version_ok))
}

async fn connection(shared: Arc<Shared>, mut socket: WebSocket, version_ok: bool) {
    if !version_ok {
        close(
            &mut socket,
            CLOSE_INVALID_API_VERSION,
            "Invalid API version",
        )
        .await;
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = {
        let mut st = shared.lock();
        st.gateway.next_conn += 1;
        Connection {
            id: st.gateway.next_conn,
            tx,
        }
    };
    let interval = shared.lock().gateway.heartbeat_interval_ms;
    let hello =
        json!({ "op": OP_HELLO, "s": null, "t": null, "d": { "heartbeat_interval": interval } });
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let mut authenticated = false;
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Binary(_))) => {
                        close(&mut socket, CLOSE_DECODE_ERROR, "Binary frames are not JSON").await;
                        break;
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) => {
                        // The close reply is queued by the read above and only
                        // written by a further read; serenity's shutdown waits
                        // for it.
                        let _ = tokio::time::timeout(CLOSE_GRACE, socket.recv()).await;
                        break;
                    }
                    Some(Err(_)) | None => break,
                };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else {
                    close(&mut socket, CLOSE_DECODE_ERROR, "Error while decoding payload").await;
                    break;
                };
                match handle(&shared, &conn, &payload, authenticated) {
                    Ok(now_authenticated) => authenticated = now_authenticated,
                    Err((code, reason)) => {
                        close(&mut socket, code, reason).await;
                        break;
                    }
                }
                shared.notify();
            }
            out = rx.recv() => match out {
                Some(Outgoing::Frame(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(code, reason)) => {
                    close(&mut socket, code, reason).await;
                    break;
                }
                None => break,
            },
        }
    }
    let mut st = shared.lock();
    if st.gateway.live.as_ref().is_some_and(|c| c.id == conn.id) {
        st.gateway.live = None;
    }
    drop(st);
    shared.notify();
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    // The client may already be gone; a failed close changes nothing.
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// Handles one client payload. Returns whether the connection is now
/// authenticated, or the close code to hang up with.
fn handle(
    shared: &Shared,
    conn: &Connection,
    payload: &Value,
    authenticated: bool,
) -> Result<bool, (u16, &'static str)> {
    let op = payload.get("op").and_then(Value::as_u64);
    let d = payload.get("d").cloned().unwrap_or(Value::Null);
    let mut st = shared.lock();
    match op {
        Some(OP_HEARTBEAT) => {
            st.gateway.heartbeats += 1;
            let ack = json!({ "op": OP_HEARTBEAT_ACK, "s": null, "t": null, "d": null });
            // A send error means the connection loop is ending anyway.
            let _ = conn.tx.send(Outgoing::Frame(ack.to_string()));
            Ok(authenticated)
        }
        Some(OP_IDENTIFY | OP_RESUME) if authenticated => {
            Err((CLOSE_ALREADY_AUTHENTICATED, "Already authenticated"))
        }
        Some(OP_IDENTIFY) => {
            identify(shared, &mut st, conn, d);
            Ok(true)
        }
        Some(OP_RESUME) => Ok(resume(&mut st, conn, &d)),
        Some(OP_REQUEST_GUILD_MEMBERS) if authenticated => {
            members_chunk(shared, &mut st, &d);
            Ok(true)
        }
        Some(OP_DISPATCH) | None => Err((CLOSE_DECODE_ERROR, "Unknown opcode")),
        Some(_) if !authenticated => Err((CLOSE_NOT_AUTHENTICATED, "Not authenticated")),
        // Presence updates, voice state updates and the like need no answer.
        Some(_) => Ok(true),
    }
}

fn identify(shared: &Shared, st: &mut ServerState, conn: &Connection, d: Value) {
    let session_id = format!("session-{}", st.ids.next());
    let shard = d.get("shard").cloned();
    let gw = &mut st.gateway;
    gw.identifies += 1;
    gw.last_identify = Some(d);
    gw.session_id = Some(session_id.clone());
    gw.seq = 0;
    gw.history.clear();
    gw.live = Some(conn.clone());
    let guild_ids: Vec<u64> = st.bot_guilds().map(|g| g.spec.guild_id).collect();
    let ready = fixtures::ready(
        fixtures::current_user(shared.bot_user_id, super::state::BOT_NAME),
        &guild_ids,
        &session_id,
        &shared.gateway_url(),
        shared.application_id,
        shard,
    );
    st.dispatch("READY", ready);
    let creates: Vec<Value> = st
        .bot_guilds()
        .map(|g| st.guild_create_json(g, shared.bot_user_id))
        .collect();
    match &mut st.gateway.held_guild_creates {
        Some(held) => held.extend(creates),
        None => {
            for g in creates {
                st.dispatch("GUILD_CREATE", g);
            }
        }
    }
    st.gateway.ready = true;
}

/// Replays what the client missed and says RESUMED, or tells it to start
/// over (op 9, not resumable) when the session or sequence is not ours.
fn resume(st: &mut ServerState, conn: &Connection, d: &Value) -> bool {
    let session = d.get("session_id").and_then(Value::as_str);
    let seq = d.get("seq").and_then(Value::as_u64);
    let gw = &mut st.gateway;
    let valid = match (session, seq) {
        (Some(s), Some(n)) => gw.session_id.as_deref() == Some(s) && n <= gw.seq,
        _ => false,
    };
    if !valid {
        let invalid = json!({ "op": OP_INVALID_SESSION, "s": null, "t": null, "d": false });
        let _ = conn.tx.send(Outgoing::Frame(invalid.to_string()));
        return false;
    }
    let after = seq.unwrap_or(0);
    for (_, text) in gw.history.iter().filter(|(s, _)| *s > after) {
        let _ = conn.tx.send(Outgoing::Frame(text.clone()));
        gw.replayed += 1;
    }
    gw.live = Some(conn.clone());
    gw.resumes += 1;
    st.dispatch("RESUMED", json!({ "_trace": ["discord-testserver"] }));
    true
}

fn members_chunk(shared: &Shared, st: &mut ServerState, d: &Value) {
    let guild_id = d.get("guild_id").and_then(super::rest::snowflake_value);
    let Some(guild) = guild_id.and_then(|g| st.guild(g)) else {
        return;
    };
    let wanted: Option<Vec<u64>> = d.get("user_ids").and_then(Value::as_array).map(|ids| {
        ids.iter()
            .filter_map(super::rest::snowflake_value)
            .collect()
    });
    let query = d
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let mut ids: Vec<u64> = guild.spec.members.iter().map(|m| m.user_id).collect();
    ids.push(shared.bot_user_id);
    let members: Vec<Value> = ids
        .into_iter()
        .filter(|id| wanted.as_ref().is_none_or(|w| w.contains(id)))
        .filter(|id| {
            query.is_empty()
                || st
                    .users
                    .get(id)
                    .is_some_and(|n| n.to_lowercase().starts_with(&query))
        })
        .filter_map(|id| st.member_json(guild, id, shared.bot_user_id))
        .collect();
    let chunk = json!({
        "guild_id": guild.spec.guild_id.to_string(),
        "members": members,
        "chunk_index": 0,
        "chunk_count": 1,
        "not_found": [],
        "nonce": d.get("nonce").cloned().unwrap_or(Value::Null),
    });
    st.dispatch("GUILD_MEMBERS_CHUNK", chunk);
}
