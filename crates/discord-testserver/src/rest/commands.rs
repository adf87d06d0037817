//! Application commands: registration, overwrite, and Discord's rules for them.

use serde_json::Value;

use super::super::fixtures;
use super::super::state::State as ServerState;
use super::{ApiError, Incoming, Reply, chars, check, join, snowflake, snowflake_value};

pub(super) fn commands(
    st: &mut ServerState,
    inc: &Incoming,
    app: u64,
    scope: Option<u64>,
    more: &[&str],
) -> Result<Reply, ApiError> {
    let m = inc.method.as_str();
    match (m, more) {
        ("GET", []) => {
            let v: Vec<Value> = st
                .commands
                .iter()
                .filter(|(s, _)| *s == scope)
                .map(|(_, c)| c.clone())
                .collect();
            Ok(Reply::Json(200, Value::Array(v)))
        }
        ("PUT", []) => {
            let body = inc.json.clone().unwrap_or(Value::Null);
            let list = body
                .as_array()
                .ok_or_else(|| ApiError::form("", "ARRAY_TYPE_CONVERT", "Must be an array."))?;
            if list.len() > 100 {
                return Err(ApiError::too_long("", 100));
            }
            for (i, cmd) in list.iter().enumerate() {
                validate_command(cmd, &i.to_string())?;
                let dup = list[..i].iter().any(|c| same_command(c, cmd));
                if dup {
                    return Err(ApiError::form(
                        &format!("{i}.name"),
                        "APPLICATION_COMMANDS_DUPLICATE_NAME",
                        "Application command names must be unique",
                    ));
                }
            }
            let version = st.ids.next();
            let mut stored = Vec::new();
            for cmd in list {
                let id = st
                    .commands
                    .iter()
                    .find(|(s, c)| *s == scope && same_command(c, cmd))
                    .and_then(|(_, c)| c.get("id").and_then(snowflake_value))
                    .unwrap_or_else(|| st.ids.next());
                stored.push(fixtures::stored_command(
                    cmd.clone(),
                    id,
                    app,
                    scope,
                    version,
                ));
            }
            st.commands.retain(|(s, _)| *s != scope);
            st.commands
                .extend(stored.iter().map(|c| (scope, c.clone())));
            let v = Value::Array(stored);
            check::<Vec<serenity::model::application::Command>>(st, "PUT commands", &v);
            Ok(Reply::Json(200, v))
        }
        ("POST", []) => {
            let cmd = inc.body();
            validate_command(&cmd, "")?;
            let existing = st
                .commands
                .iter()
                .position(|(s, c)| *s == scope && same_command(c, &cmd));
            let id = existing
                .and_then(|i| st.commands[i].1.get("id").and_then(snowflake_value))
                .unwrap_or_else(|| st.ids.next());
            let version = st.ids.next();
            let v = fixtures::stored_command(cmd, id, app, scope, version);
            match existing {
                Some(i) => st.commands[i].1 = v.clone(),
                None => st.commands.push((scope, v.clone())),
            }
            check::<serenity::model::application::Command>(st, "POST command", &v);
            Ok(Reply::Json(if existing.is_some() { 200 } else { 201 }, v))
        }
        (_, [id]) => {
            let id = snowflake(id)?;
            let idx = st
                .commands
                .iter()
                .position(|(s, c)| *s == scope && c.get("id").and_then(snowflake_value) == Some(id))
                .ok_or_else(|| ApiError::unknown(10063, "application command"))?;
            match m {
                "GET" => Ok(Reply::Json(200, st.commands[idx].1.clone())),
                "DELETE" => {
                    st.commands.remove(idx);
                    Ok(Reply::Empty)
                }
                "PATCH" => {
                    let mut merged = st.commands[idx].1.clone();
                    if let (Some(dst), Some(src)) = (merged.as_object_mut(), inc.body().as_object())
                    {
                        for (k, v) in src {
                            dst.insert(k.clone(), v.clone());
                        }
                    }
                    validate_command(&merged, "")?;
                    let version = st.ids.next();
                    let v = fixtures::stored_command(merged, id, app, scope, version);
                    st.commands[idx].1 = v.clone();
                    Ok(Reply::Json(200, v))
                }
                _ => Err(ApiError::new(405, 0, "405: Method Not Allowed")),
            }
        }
        _ => Err(ApiError::new(405, 0, "405: Method Not Allowed")),
    }
}

fn same_command(a: &Value, b: &Value) -> bool {
    let kind = |c: &Value| c.get("type").and_then(Value::as_u64).unwrap_or(1);
    a.get("name") == b.get("name") && kind(a) == kind(b)
}

/// Discord's rules for a chat-input name: 1-32 characters, lowercase, letters,
/// digits, `-` and `_`.
fn valid_name(name: &str, chat_input: bool) -> bool {
    let n = name.chars().count();
    if !(1..=32).contains(&n) {
        return false;
    }
    !chat_input
        || name.chars().all(|c| {
            (c.is_alphanumeric() || c == '-' || c == '_') && c.to_lowercase().eq(std::iter::once(c))
        })
}

fn validate_command(cmd: &Value, at: &str) -> Result<(), ApiError> {
    let kind = cmd.get("type").and_then(Value::as_u64).unwrap_or(1);
    let chat_input = kind == 1;
    let name = cmd
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::required(&join(at, "name")))?;
    if !valid_name(name, chat_input) {
        return Err(ApiError::form(
            &join(at, "name"),
            "APPLICATION_COMMAND_INVALID_NAME",
            format!("Command name is invalid: {name:?}"),
        ));
    }
    let desc = chars(cmd.get("description"));
    if chat_input && !(1..=100).contains(&desc) {
        return Err(ApiError::form(
            &join(at, "description"),
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        ));
    }
    if !chat_input && desc > 0 {
        return Err(ApiError::form(
            &join(at, "description"),
            "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
            "Context menu commands cannot have a description",
        ));
    }
    validate_options(cmd.get("options"), &join(at, "options"))
}

fn validate_options(options: Option<&Value>, at: &str) -> Result<(), ApiError> {
    let Some(list) = options.and_then(Value::as_array) else {
        return Ok(());
    };
    if list.len() > 25 {
        return Err(ApiError::too_long(at, 25));
    }
    let mut seen_optional = false;
    for (i, opt) in list.iter().enumerate() {
        let here = join(at, &i.to_string());
        let name = opt
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::required(&join(&here, "name")))?;
        if !valid_name(name, true) {
            return Err(ApiError::form(
                &join(&here, "name"),
                "APPLICATION_COMMAND_INVALID_NAME",
                format!("Option name is invalid: {name:?}"),
            ));
        }
        if !(1..=100).contains(&chars(opt.get("description"))) {
            return Err(ApiError::form(
                &join(&here, "description"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            ));
        }
        let required = opt
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if required && seen_optional {
            return Err(ApiError::form(
                &join(&here, "required"),
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            ));
        }
        seen_optional |= !required;
        if let Some(choices) = opt.get("choices").and_then(Value::as_array) {
            if choices.len() > 25 {
                return Err(ApiError::too_long(&join(&here, "choices"), 25));
            }
            for (j, c) in choices.iter().enumerate() {
                if !(1..=100).contains(&chars(c.get("name"))) {
                    return Err(ApiError::form(
                        &join(&here, &format!("choices.{j}.name")),
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    ));
                }
            }
        }
        validate_options(opt.get("options"), &join(&here, "options"))?;
    }
    Ok(())
}
