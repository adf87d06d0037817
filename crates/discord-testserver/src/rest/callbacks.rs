//! Answers to interactions: the callback, follow-ups, and the webhook
//! message routes.

use serde_json::{Value, json};

use super::super::fixtures;
use super::super::state::{InteractionRecord, Shared, State as ServerState};
use super::super::{Response, ResponseKind};
use super::messages::{
    apply_edit, bot_origin, edit_message, new_message, read_message, validate_message,
};
use super::{ApiError, Incoming, Reply, chars, check_message, join, snowflake};

const INTERACTION_COMMAND: u8 = 2;
const INTERACTION_COMPONENT: u8 = 3;
const INTERACTION_AUTOCOMPLETE: u8 = 4;
const INTERACTION_MODAL: u8 = 5;

/// The response types Discord accepts for each interaction type.
fn callback_allowed(kind: u8, type_: u64, has_source: bool) -> bool {
    match kind {
        INTERACTION_COMMAND => matches!(type_, 4 | 5 | 9),
        INTERACTION_AUTOCOMPLETE => type_ == 8,
        INTERACTION_COMPONENT => matches!(type_, 4..=7 | 9),
        INTERACTION_MODAL => matches!(type_, 4 | 5) || (matches!(type_, 6 | 7) && has_source),
        _ => false,
    }
}

fn validate_autocomplete(data: &Value) -> Result<(), ApiError> {
    let choices = data
        .get("choices")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::required("data.choices"))?;
    if choices.len() > 25 {
        return Err(ApiError::too_long("data.choices", 25));
    }
    for (i, c) in choices.iter().enumerate() {
        if !(1..=100).contains(&chars(c.get("name"))) {
            return Err(ApiError::form(
                &format!("data.choices.{i}.name"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            ));
        }
        match c.get("value") {
            Some(Value::String(s)) if s.chars().count() <= 100 => {}
            Some(Value::Number(_)) => {}
            _ => {
                return Err(ApiError::form(
                    &format!("data.choices.{i}.value"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be a string of 100 or fewer, or a number.",
                ));
            }
        }
    }
    Ok(())
}

fn validate_modal(data: &Value) -> Result<(), ApiError> {
    if !(1..=45).contains(&chars(data.get("title"))) {
        return Err(ApiError::form(
            "data.title",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 45 in length.",
        ));
    }
    if !(1..=100).contains(&chars(data.get("custom_id"))) {
        return Err(ApiError::form(
            "data.custom_id",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        ));
    }
    let rows = data
        .get("components")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !(1..=5).contains(&rows.len()) {
        return Err(ApiError::form(
            "data.components",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 5 in length.",
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        let inputs = row
            .get("components")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (j, input) in inputs.iter().enumerate() {
            let here = format!("data.components.{i}.components.{j}");
            if !(1..=45).contains(&chars(input.get("label"))) {
                return Err(ApiError::form(
                    &join(&here, "label"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 45 in length.",
                ));
            }
            if !(1..=100).contains(&chars(input.get("custom_id"))) {
                return Err(ApiError::form(
                    &join(&here, "custom_id"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 100 in length.",
                ));
            }
            if chars(input.get("value")) > 4000 {
                return Err(ApiError::too_long(&join(&here, "value"), 4000));
            }
        }
    }
    Ok(())
}

fn uploaded(inc: &Incoming) -> Vec<(String, Vec<u8>)> {
    inc.uploads
        .iter()
        .map(|u| (u.filename.clone(), u.bytes.clone()))
        .collect()
}

pub(super) fn interaction_callback(
    shared: &Shared,
    st: &mut ServerState,
    iid: u64,
    token: &str,
    inc: &Incoming,
) -> Result<Reply, ApiError> {
    let rec = st
        .interactions
        .get(&iid)
        .filter(|r| r.token == token)
        .ok_or_else(|| ApiError::unknown(10062, "interaction"))?;
    if rec.acked {
        return Err(ApiError::new(
            400,
            40060,
            "Interaction has already been acknowledged.",
        ));
    }
    let (kind, guild_id, channel_id, source) =
        (rec.kind, rec.guild_id, rec.channel_id, rec.source_message);
    let body = inc.json.clone().ok_or_else(|| ApiError::required("type"))?;
    let type_ = body
        .get("type")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::required("type"))?;
    if !callback_allowed(kind, type_, source.is_some()) {
        return Err(ApiError::form(
            "type",
            "INTERACTION_RESPONSE_TYPE_INVALID",
            format!("Interaction response type {type_} is not valid for interaction type {kind}"),
        ));
    }
    let data = body.get("data").cloned().unwrap_or_else(|| json!({}));
    let bot = shared.bot_user_id;
    let message_kind = if kind == INTERACTION_COMMAND { 20 } else { 0 };
    let original = match type_ {
        4 => {
            validate_message(&data, inc.uploads.len(), false, "data")?;
            let origin = bot_origin(st, bot, guild_id, Some(shared.application_id), message_kind);
            let (id, v) = new_message(shared, st, channel_id, &origin, &data, &inc.uploads);
            check_message(st, "interaction reply", &v);
            Some(id)
        }
        5 => {
            let ephemeral = fixtures::message_flags(&data) & 64;
            let placeholder = json!({ "content": "", "flags": 0 });
            let origin = bot_origin(st, bot, guild_id, Some(shared.application_id), message_kind);
            let (id, _) = new_message(shared, st, channel_id, &origin, &placeholder, &[]);
            if let Some(m) = st
                .messages
                .get_mut(&id)
                .and_then(|m| m.value.as_object_mut())
            {
                // LOADING ("is thinking...") plus EPHEMERAL if asked for.
                m.insert("flags".into(), json!(128 | ephemeral));
            }
            Some(id)
        }
        6 => source,
        7 => {
            validate_message(&data, inc.uploads.len(), true, "data")?;
            let id = source.ok_or_else(|| ApiError::unknown(10008, "Message"))?;
            let v = apply_edit(shared, st, id, &data, &inc.uploads)?;
            check_message(st, "interaction update", &v);
            Some(id)
        }
        8 => {
            validate_autocomplete(&data)?;
            None
        }
        9 => {
            validate_modal(&data)?;
            None
        }
        _ => unreachable_type(type_)?,
    };
    if let Some(rec) = st.interactions.get_mut(&iid) {
        rec.acked = true;
        rec.original = original;
    }
    let kind = ResponseKind::Callback {
        type_: u8::try_from(type_).unwrap_or(u8::MAX),
    };
    st.push_response(
        iid,
        Response {
            kind,
            body,
            files: uploaded(inc),
            message_id: original,
        },
    );
    Ok(Reply::Empty)
}

fn unreachable_type(type_: u64) -> Result<Option<u64>, ApiError> {
    Err(ApiError::form(
        "type",
        "INTERACTION_RESPONSE_TYPE_INVALID",
        format!("Unknown interaction response type {type_}"),
    ))
}

/// The interaction a webhook token belongs to, once it has been answered:
/// Discord knows no webhook for an unacknowledged interaction.
fn acked_interaction<'a>(
    st: &'a ServerState,
    token: &str,
) -> Result<(u64, &'a InteractionRecord), ApiError> {
    let iid = *st
        .tokens
        .get(token)
        .ok_or_else(|| ApiError::unknown(10015, "Webhook"))?;
    let rec = st
        .interactions
        .get(&iid)
        .filter(|r| r.acked)
        .ok_or_else(|| ApiError::unknown(10015, "Webhook"))?;
    Ok((iid, rec))
}

pub(super) fn create_followup(
    shared: &Shared,
    st: &mut ServerState,
    token: &str,
    inc: &Incoming,
) -> Result<Reply, ApiError> {
    let (iid, rec) = acked_interaction(st, token)?;
    let (guild_id, channel_id, original) = (rec.guild_id, rec.channel_id, rec.original);
    let body = inc.body();
    validate_message(&body, inc.uploads.len(), false, "")?;
    // The first follow-up after a deferred reply takes the place of the
    // "thinking..." message, and keeps its ephemerality, as on Discord.
    let loading = original.filter(|id| {
        st.messages.get(id).is_some_and(|m| {
            !m.deleted
                && m.value
                    .get("flags")
                    .and_then(Value::as_u64)
                    .is_some_and(|f| f & 128 != 0)
        })
    });
    let (id, v) = match loading {
        Some(id) => {
            let mut edit = body.clone();
            if let Some(map) = edit.as_object_mut() {
                map.remove("flags");
            }
            (id, apply_edit(shared, st, id, &edit, &inc.uploads)?)
        }
        None => {
            let origin = bot_origin(
                st,
                shared.bot_user_id,
                guild_id,
                Some(shared.application_id),
                0,
            );
            new_message(shared, st, channel_id, &origin, &body, &inc.uploads)
        }
    };
    if let Some(rec) = st.interactions.get_mut(&iid) {
        rec.followups.push(id);
    }
    check_message(st, "follow-up", &v);
    st.push_response(
        iid,
        Response {
            kind: ResponseKind::FollowUp,
            body,
            files: uploaded(inc),
            message_id: Some(id),
        },
    );
    Ok(Reply::Json(200, v))
}

pub(super) fn webhook_message(
    shared: &Shared,
    st: &mut ServerState,
    token: &str,
    mid: &str,
    inc: &Incoming,
) -> Result<Reply, ApiError> {
    let (iid, rec) = acked_interaction(st, token)?;
    let is_original = mid == "@original";
    let id = if is_original {
        rec.original
            .ok_or_else(|| ApiError::unknown(10008, "Message"))?
    } else {
        let id = snowflake(mid)?;
        if rec.original != Some(id) && !rec.followups.contains(&id) {
            return Err(ApiError::unknown(10008, "Message"));
        }
        id
    };
    let exists = st.messages.get(&id).is_some_and(|m| !m.deleted);
    if !exists {
        return Err(ApiError::unknown(10008, "Message"));
    }
    match inc.method.as_str() {
        "GET" => read_message(st, id),
        "PATCH" => {
            let (body, v) = edit_message(shared, st, id, inc, "webhook message edit")?;
            let kind = if is_original {
                ResponseKind::EditOriginal
            } else {
                ResponseKind::EditFollowUp { message_id: id }
            };
            st.push_response(
                iid,
                Response {
                    kind,
                    body,
                    files: uploaded(inc),
                    message_id: Some(id),
                },
            );
            Ok(Reply::Json(200, v))
        }
        "DELETE" => {
            if let Some(m) = st.messages.get_mut(&id) {
                m.deleted = true;
            }
            let kind = if is_original {
                ResponseKind::DeleteOriginal
            } else {
                ResponseKind::DeleteFollowUp { message_id: id }
            };
            st.push_response(
                iid,
                Response {
                    kind,
                    body: Value::Null,
                    files: Vec::new(),
                    message_id: Some(id),
                },
            );
            Ok(Reply::Empty)
        }
        m => Err(ApiError::new(
            405,
            0,
            format!("405: Method Not Allowed ({m})"),
        )),
    }
}
