//! Messages: Discord's limits, creation, edits, attachments and mentions.

use chrono::Utc;
use serde_json::{Value, json};

use super::super::fixtures::{self, MessageOrigin};
use super::super::state::{Shared, State as ServerState, StoredMessage, content_type_of};
use super::{ApiError, Incoming, Reply, Upload, chars, check_message, join, snowflake_value};

/// Discord's limits on a message body. `at` prefixes error paths (`data` in
/// interaction callbacks).
pub(super) fn validate_message(
    body: &Value,
    files: usize,
    edit: bool,
    at: &str,
) -> Result<(), ApiError> {
    if chars(body.get("content")) > 2000 {
        return Err(ApiError::too_long(&join(at, "content"), 2000));
    }
    let embeds = body
        .get("embeds")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if embeds.len() > 10 {
        return Err(ApiError::too_long(&join(at, "embeds"), 10));
    }
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        let here = join(at, &format!("embeds.{i}"));
        for (key, max) in [("title", 256), ("description", 4096)] {
            let n = chars(e.get(key));
            if n > max {
                return Err(ApiError::too_long(&join(&here, key), max));
            }
            total += n;
        }
        for (key, sub, max) in [("footer", "text", 2048), ("author", "name", 256)] {
            let n = chars(e.get(key).and_then(|o| o.get(sub)));
            if n > max {
                return Err(ApiError::too_long(
                    &join(&here, &format!("{key}.{sub}")),
                    max,
                ));
            }
            total += n;
        }
        let fields = e
            .get("fields")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if fields.len() > 25 {
            return Err(ApiError::too_long(&join(&here, "fields"), 25));
        }
        for (j, f) in fields.iter().enumerate() {
            for (key, max) in [("name", 256), ("value", 1024)] {
                let n = chars(f.get(key));
                if n > max {
                    return Err(ApiError::too_long(
                        &join(&here, &format!("fields.{j}.{key}")),
                        max,
                    ));
                }
                if n == 0 {
                    return Err(ApiError::required(&join(
                        &here,
                        &format!("fields.{j}.{key}"),
                    )));
                }
                total += n;
            }
        }
    }
    if total > 6000 {
        return Err(ApiError::form(
            &join(at, "embeds"),
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000",
        ));
    }
    let rows = body
        .get("components")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if rows.len() > 5 {
        return Err(ApiError::too_long(&join(at, "components"), 5));
    }
    for (i, row) in rows.iter().enumerate() {
        let here = join(at, &format!("components.{i}"));
        if row.get("type").and_then(Value::as_u64) != Some(1) {
            return Err(ApiError::form(
                &join(&here, "type"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "Top-level components must be action rows",
            ));
        }
        let items = row
            .get("components")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if items.is_empty() || items.len() > 5 {
            return Err(ApiError::form(
                &join(&here, "components"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            ));
        }
        for (j, c) in items.iter().enumerate() {
            if chars(c.get("custom_id")) > 100 {
                return Err(ApiError::too_long(
                    &join(&here, &format!("components.{j}.custom_id")),
                    100,
                ));
            }
            if chars(c.get("label")) > 80 {
                return Err(ApiError::too_long(
                    &join(&here, &format!("components.{j}.label")),
                    80,
                ));
            }
        }
    }
    if let Some(nonce) = body.get("nonce").and_then(Value::as_str)
        && nonce.chars().count() > 25
    {
        return Err(ApiError::too_long(&join(at, "nonce"), 25));
    }
    let has = |k: &str| {
        body.get(k).is_some_and(|v| match v {
            Value::Array(a) => !a.is_empty(),
            Value::String(s) => !s.is_empty(),
            Value::Null => false,
            _ => true,
        })
    };
    if !edit
        && files == 0
        && !["content", "embeds", "components", "sticker_ids", "poll"]
            .iter()
            .any(|k| has(k))
    {
        return Err(ApiError::new(400, 50006, "Cannot send an empty message"));
    }
    Ok(())
}

/// Users pinged in `content` that `allowed_mentions` lets through, as
/// Discord fills `mentions`.
fn mentions_of(st: &ServerState, body: &Value, bot: u64) -> Vec<Value> {
    let content = body.get("content").and_then(Value::as_str).unwrap_or("");
    let allowed = body.get("allowed_mentions");
    let parse_users = allowed
        .and_then(|a| a.get("parse"))
        .and_then(Value::as_array)
        .is_none_or(|p| p.iter().any(|x| x == "users"));
    let listed: Vec<u64> = allowed
        .and_then(|a| a.get("users"))
        .and_then(Value::as_array)
        .map(|u| u.iter().filter_map(snowflake_value).collect())
        .unwrap_or_default();
    let mut out: Vec<u64> = Vec::new();
    for piece in content.split("<@").skip(1) {
        let piece = piece.strip_prefix('!').unwrap_or(piece);
        let Some((id, _)) = piece.split_once('>') else {
            continue;
        };
        let Ok(id) = id.parse::<u64>() else { continue };
        let ok = if allowed.is_none() {
            true
        } else {
            parse_users || listed.contains(&id)
        };
        if ok && !out.contains(&id) {
            out.push(id);
        }
    }
    out.into_iter().map(|id| st.user_json(id, bot)).collect()
}

/// Stores each uploaded file and returns its attachment object; `files[n]`
/// takes its name and description from `attachments[]` entry `n` if given.
fn new_attachments(
    shared: &Shared,
    st: &mut ServerState,
    body: &Value,
    uploads: &[Upload],
) -> Vec<Value> {
    let declared = body
        .get("attachments")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let base = shared.base_url();
    uploads
        .iter()
        .map(|u| {
            let n = u
                .field
                .strip_prefix("files[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse::<u64>().ok());
            let entry = n.and_then(|n| {
                declared
                    .iter()
                    .find(|a| a.get("id").and_then(snowflake_value) == Some(n))
            });
            let filename = entry
                .and_then(|e| e.get("filename"))
                .and_then(Value::as_str)
                .unwrap_or(&u.filename)
                .to_string();
            let description = entry
                .and_then(|e| e.get("description"))
                .and_then(Value::as_str);
            let ct = u
                .content_type
                .clone()
                .filter(|c| c != "application/octet-stream")
                .unwrap_or_else(|| content_type_of(&filename).to_string());
            st.store_file(&base, &filename, &ct, u.bytes.clone(), description)
        })
        .collect()
}

pub(super) fn bot_origin(
    st: &ServerState,
    bot: u64,
    guild_id: Option<u64>,
    application_id: Option<u64>,
    kind: u8,
) -> MessageOrigin {
    MessageOrigin {
        author: st.user_json(bot, bot),
        guild_id,
        application_id,
        kind,
    }
}

pub(super) fn new_message(
    shared: &Shared,
    st: &mut ServerState,
    channel_id: u64,
    origin: &MessageOrigin,
    body: &Value,
    uploads: &[Upload],
) -> (u64, Value) {
    let id = st.ids.next();
    let attachments = new_attachments(shared, st, body, uploads);
    let mentions = mentions_of(st, body, shared.bot_user_id);
    let v = fixtures::message(
        id,
        channel_id,
        origin,
        body,
        attachments,
        mentions,
        Utc::now(),
    );
    st.messages.insert(
        id,
        StoredMessage {
            channel_id,
            value: v.clone(),
            deleted: false,
        },
    );
    (id, v)
}

/// Applies an edit body to a stored message the way Discord does: fields
/// present replace, `attachments` lists which old files stay, new files are
/// added, and the "loading" flag of a deferred reply goes.
pub(super) fn apply_edit(
    shared: &Shared,
    st: &mut ServerState,
    id: u64,
    body: &Value,
    uploads: &[Upload],
) -> Result<Value, ApiError> {
    let added = new_attachments(shared, st, body, uploads);
    let mentions = body
        .get("content")
        .map(|_| mentions_of(st, body, shared.bot_user_id));
    let stored = st
        .messages
        .get_mut(&id)
        .filter(|m| !m.deleted)
        .ok_or_else(|| ApiError::unknown(10008, "Message"))?;
    let mut msg = stored.value.clone();
    let Some(map) = msg.as_object_mut() else {
        return Err(ApiError::unknown(10008, "Message"));
    };
    if let Some(c) = body.get("content") {
        map.insert("content".into(), json!(c.as_str().unwrap_or("")));
    }
    if let Some(m) = mentions {
        map.insert("mentions".into(), Value::Array(m));
    }
    if body.get("embeds").is_some() {
        map.insert("embeds".into(), fixtures::embeds_of(body));
    }
    if let Some(c) = body.get("components") {
        map.insert(
            "components".into(),
            if c.is_null() { json!([]) } else { c.clone() },
        );
    }
    let old_flags = map.get("flags").and_then(Value::as_u64).unwrap_or(0);
    let mut flags = old_flags & !128;
    if body.get("flags").is_some() {
        flags = (old_flags & 64) | (fixtures::message_flags(body) & 4);
    }
    map.insert("flags".into(), json!(flags));
    let mut attachments: Vec<Value> = map
        .get("attachments")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(keep) = body.get("attachments").and_then(Value::as_array) {
        let keep: Vec<u64> = keep
            .iter()
            .filter_map(|a| a.get("id").and_then(snowflake_value))
            .collect();
        attachments.retain(|a| {
            a.get("id")
                .and_then(snowflake_value)
                .is_some_and(|id| keep.contains(&id))
        });
    }
    attachments.extend(added);
    map.insert("attachments".into(), Value::Array(attachments));
    map.insert(
        "edited_timestamp".into(),
        json!(fixtures::timestamp(Utc::now())),
    );
    let empty = chars(map.get("content")) == 0
        && ["embeds", "attachments", "components"].iter().all(|k| {
            map.get(*k)
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
        });
    if empty && flags & 128 == 0 {
        return Err(ApiError::new(400, 50006, "Cannot send an empty message"));
    }
    stored.value = msg.clone();
    Ok(msg)
}

pub(super) fn create_channel_message(
    shared: &Shared,
    st: &mut ServerState,
    channel_id: u64,
    inc: &Incoming,
) -> Result<Reply, ApiError> {
    let body = inc.body();
    let guild_id = st.guild_of_channel(channel_id).map(|g| g.spec.guild_id);
    let dm_user = st.dm_recipient.get(&channel_id).copied();
    if guild_id.is_none() && dm_user.is_none() {
        return Err(ApiError::unknown(10003, "Channel"));
    }
    validate_message(&body, inc.uploads.len(), false, "")?;
    if dm_user.is_some_and(|u| st.dm_blocked.contains(&u)) {
        return Err(ApiError::new(
            403,
            50007,
            "Cannot send messages to this user",
        ));
    }
    st.expire_nonces();
    let enforce = body
        .get("enforce_nonce")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let nonce_key = match body.get("nonce") {
        Some(Value::String(s)) if enforce => Some(s.clone()),
        Some(Value::Number(n)) if enforce => Some(n.to_string()),
        _ => None,
    };
    if let Some(key) = &nonce_key
        && let Some((earlier, _)) = st.nonces.get(key)
        && let Some(m) = st.messages.get(earlier)
    {
        return Ok(Reply::Json(200, m.value.clone()));
    }
    let kind = if body.get("message_reference").is_some_and(Value::is_object) {
        19
    } else {
        0
    };
    let origin = bot_origin(st, shared.bot_user_id, guild_id, None, kind);
    let (id, v) = new_message(shared, st, channel_id, &origin, &body, &inc.uploads);
    st.channel_posts.entry(channel_id).or_default().push(id);
    if let Some(key) = nonce_key {
        st.nonces.insert(key, (id, std::time::Instant::now()));
    }
    check_message(st, "POST /channels/{id}/messages", &v);
    Ok(Reply::Json(200, v))
}

pub(super) fn list_messages(
    st: &ServerState,
    channel_id: u64,
    inc: &Incoming,
) -> Result<Reply, ApiError> {
    if st.channel_json(channel_id, 0).is_none() {
        return Err(ApiError::unknown(10003, "Channel"));
    }
    let limit = inc
        .query_param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(50usize)
        .clamp(1, 100);
    let mut found: Vec<(u64, &Value)> = st
        .messages
        .iter()
        .filter(|(_, m)| m.channel_id == channel_id && !m.deleted)
        .map(|(id, m)| (*id, &m.value))
        .collect();
    found.sort_unstable_by_key(|m| std::cmp::Reverse(m.0));
    let v: Vec<Value> = found
        .into_iter()
        .take(limit)
        .map(|(_, m)| m.clone())
        .collect();
    Ok(Reply::Json(200, Value::Array(v)))
}

pub(super) fn channel_message(
    shared: &Shared,
    st: &mut ServerState,
    channel_id: u64,
    id: u64,
    inc: &Incoming,
) -> Result<Reply, ApiError> {
    let found = st
        .messages
        .get(&id)
        .is_some_and(|m| m.channel_id == channel_id && !m.deleted);
    if !found {
        return Err(ApiError::unknown(10008, "Message"));
    }
    match inc.method.as_str() {
        "GET" => read_message(st, id),
        "PATCH" => Ok(Reply::Json(
            200,
            edit_message(shared, st, id, inc, "PATCH /channels/{id}/messages/{id}")?.1,
        )),
        "DELETE" => {
            if let Some(m) = st.messages.get_mut(&id) {
                m.deleted = true;
            }
            Ok(Reply::Empty)
        }
        m => Err(ApiError::new(
            405,
            0,
            format!("405: Method Not Allowed ({m})"),
        )),
    }
}

/// A stored message as GET returns it.
pub(super) fn read_message(st: &ServerState, id: u64) -> Result<Reply, ApiError> {
    st.messages
        .get(&id)
        .map(|m| Reply::Json(200, m.value.clone()))
        .ok_or_else(|| ApiError::unknown(10008, "Message"))
}

/// A PATCH of a message, checked as Discord would: returns the body that was
/// sent and the message as it now stands.
pub(super) fn edit_message(
    shared: &Shared,
    st: &mut ServerState,
    id: u64,
    inc: &Incoming,
    what: &str,
) -> Result<(Value, Value), ApiError> {
    let body = inc.body();
    validate_message(&body, inc.uploads.len(), true, "")?;
    let v = apply_edit(shared, st, id, &body, &inc.uploads)?;
    check_message(st, what, &v);
    Ok((body, v))
}
