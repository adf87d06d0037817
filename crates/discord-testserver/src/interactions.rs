//! Building INTERACTION_CREATE payloads as a chosen user, with `resolved`
//! data filled in the way Discord fills it.

use serde_json::{Map, Value, json};
use serenity::model::Permissions;

use super::ResponseKind;
use super::fixtures::{self, InteractionBase};
use super::rest::snowflake_value;
use super::state::{GuildData, InteractionRecord, Shared, State};

pub(crate) const COMMAND: u8 = 2;
pub(crate) const COMPONENT: u8 = 3;
pub(crate) const AUTOCOMPLETE: u8 = 4;
pub(crate) const MODAL: u8 = 5;

/// Who does what where.
pub(crate) struct Actor {
    pub guild_id: Option<u64>,
    pub channel_id: u64,
    pub user_id: u64,
}

/// Permissions Discord gives the bot in a DM.
fn dm_permissions() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::ADD_REACTIONS
        | Permissions::USE_EXTERNAL_EMOJIS
}

fn base(shared: &Shared, st: &mut State, actor: &Actor) -> InteractionBase {
    let id = st.ids.next();
    let bot = shared.bot_user_id;
    let user = st.user_json(actor.user_id, bot);
    let (invoker, channel, app_permissions) = match actor.guild_id.and_then(|g| st.guild(g)) {
        Some(g) => {
            let roles = g.member_roles(actor.user_id, bot).unwrap_or_default();
            let perms = g.permissions_of(actor.user_id, &roles);
            let name = g.channel(actor.channel_id).map_or("unknown", |(_, n)| n);
            let channel = json!({
                "id": actor.channel_id.to_string(),
                "type": 0,
                "name": name,
                "guild_id": g.spec.guild_id.to_string(),
                "parent_id": null,
                "nsfw": false,
                "permissions": perms.bits().to_string(),
            });
            let app = g.permissions_of(bot, &[g.bot_role_id]);
            (
                fixtures::interaction_member(user, &roles, perms),
                channel,
                app,
            )
        }
        None => {
            let channel = json!({
                "id": actor.channel_id.to_string(),
                "type": 1,
                "recipients": [user.clone()],
                "permissions": dm_permissions().bits().to_string(),
            });
            (user, channel, dm_permissions())
        }
    };
    InteractionBase {
        id,
        application_id: shared.application_id,
        token: format!("interaction-token-{id}"),
        guild_id: actor.guild_id,
        channel,
        channel_id: actor.channel_id,
        invoker,
        app_permissions,
    }
}

/// Records the interaction and dispatches it; returns its id.
fn send(
    st: &mut State,
    base: &InteractionBase,
    kind: u8,
    data: Value,
    message: Option<(u64, Value)>,
) -> u64 {
    let (source_message, message) = match message {
        Some((id, m)) => (Some(id), Some(m)),
        None => (None, None),
    };
    let payload = fixtures::interaction(base, kind, data, message);
    st.interactions.insert(
        base.id,
        InteractionRecord {
            kind,
            token: base.token.clone(),
            guild_id: base.guild_id,
            channel_id: base.channel_id,
            acked: false,
            original: None,
            source_message,
            followups: Vec::new(),
        },
    );
    st.tokens.insert(base.token.clone(), base.id);
    st.dispatch("INTERACTION_CREATE", payload);
    base.id
}

/// A slash command or its autocomplete. `options` is Discord's
/// `data.options`; snowflake options get their `resolved` entries.
pub(crate) fn command(
    shared: &Shared,
    st: &mut State,
    actor: &Actor,
    kind: u8,
    name: &str,
    options: Value,
) -> u64 {
    let base = base(shared, st, actor);
    let bot = shared.bot_user_id;
    let mut options = match options {
        Value::Null => json!([]),
        o => o,
    };
    let mut resolved = Map::new();
    let guild = actor.guild_id.and_then(|g| st.guild(g));
    resolve(st, guild, &mut options, &mut resolved, bot);
    let registered = st
        .commands
        .iter()
        .filter(|(scope, _)| scope.is_none() || *scope == actor.guild_id)
        .map(|(_, c)| c)
        .find(|c| {
            c.get("name").and_then(Value::as_str) == Some(name)
                && c.get("type").and_then(Value::as_u64).unwrap_or(1) == 1
        });
    let command_id = registered.and_then(|c| c.get("id").and_then(snowflake_value));
    let command_guild = registered.and_then(|c| c.get("guild_id").cloned());
    if command_id.is_none() {
        tracing::warn!(
            name,
            "testserver: invoking a command the bot has not registered"
        );
    }
    let command_id = command_id.unwrap_or_else(|| st.ids.next());
    let mut data = json!({
        "id": command_id.to_string(),
        "name": name,
        "type": 1,
        "options": options,
    });
    if let Some(map) = data.as_object_mut() {
        if !resolved.is_empty() {
            map.insert("resolved".into(), Value::Object(resolved));
        }
        if let Some(g) = command_guild {
            map.insert("guild_id".into(), g);
        }
    }
    send(st, &base, kind, data, None)
}

fn resolve(
    st: &State,
    guild: Option<&GuildData>,
    options: &mut Value,
    resolved: &mut Map<String, Value>,
    bot: u64,
) {
    let Some(list) = options.as_array_mut() else {
        return;
    };
    for opt in list.iter_mut() {
        let kind = opt.get("type").and_then(Value::as_u64).unwrap_or(0);
        if matches!(kind, 1 | 2) {
            if let Some(inner) = opt.get_mut("options") {
                resolve(st, guild, inner, resolved, bot);
            }
            continue;
        }
        if !matches!(kind, 6..=9 | 11) {
            continue;
        }
        let Some(id) = opt.get("value").and_then(snowflake_value) else {
            continue;
        };
        // Discord always sends snowflake option values as strings.
        if let Some(map) = opt.as_object_mut() {
            map.insert("value".into(), json!(id.to_string()));
        }
        let is_user = st.users.contains_key(&id);
        let mut put = |section: &str, value: Value| {
            if let Some(m) = resolved
                .entry(section)
                .or_insert_with(|| json!({}))
                .as_object_mut()
            {
                m.insert(id.to_string(), value);
            }
        };
        match kind {
            6 | 9 if kind == 6 || is_user => {
                put("users", st.user_json(id, bot));
                if let Some(g) = guild
                    && let Some(roles) = g.member_roles(id, bot)
                {
                    put(
                        "members",
                        fixtures::resolved_member(&roles, g.permissions_of(id, &roles)),
                    );
                }
            }
            7 => {
                let channel = guild
                    .and_then(|g| g.channel(id))
                    .map(|(_, name)| name.to_string());
                put(
                    "channels",
                    json!({
                        "id": id.to_string(),
                        "type": if channel.is_some() || !st.dm_recipient.contains_key(&id) { 0 } else { 1 },
                        "name": channel,
                        "parent_id": null,
                        "permissions": Permissions::all().bits().to_string(),
                    }),
                );
            }
            8 | 9 => {
                let role = guild.and_then(|g| {
                    g.roles_json(bot)
                        .into_iter()
                        .find(|r| r.get("id").and_then(snowflake_value) == Some(id))
                });
                if let Some(r) = role {
                    put("roles", r);
                }
            }
            11 => {
                if let Some(f) = st.files.get(&id) {
                    put("attachments", f.attachment.clone());
                }
            }
            _ => {}
        }
    }
}

/// A component use on `message_id`: the stored message goes along, as on
/// Discord, so the bot sees the buttons it sent.
pub(crate) fn component(
    shared: &Shared,
    st: &mut State,
    actor: &Actor,
    message_id: u64,
    custom_id: &str,
    values: Option<&[&str]>,
) -> u64 {
    let base = base(shared, st, actor);
    let message = st
        .messages
        .get(&message_id)
        .map(|m| m.value.clone())
        .unwrap_or_else(|| {
            tracing::warn!(
                message_id,
                "testserver: component used on a message it never saw"
            );
            let origin = fixtures::MessageOrigin {
                author: st.user_json(shared.bot_user_id, shared.bot_user_id),
                guild_id: actor.guild_id,
                application_id: None,
                kind: 0,
            };
            fixtures::message(
                message_id,
                actor.channel_id,
                &origin,
                &json!({ "content": "" }),
                vec![],
                vec![],
                chrono::Utc::now(),
            )
        });
    let component_type = match values {
        None => 2,
        Some(_) => component_type_in(&message, custom_id).unwrap_or(3),
    };
    let mut data = json!({ "custom_id": custom_id, "component_type": component_type });
    if let (Some(values), Some(map)) = (values, data.as_object_mut()) {
        map.insert("values".into(), json!(values));
    }
    send(st, &base, COMPONENT, data, Some((message_id, message)))
}

fn component_type_in(message: &Value, custom_id: &str) -> Option<u64> {
    message
        .get("components")?
        .as_array()?
        .iter()
        .filter_map(|row| row.get("components")?.as_array())
        .flatten()
        .find(|c| c.get("custom_id").and_then(Value::as_str) == Some(custom_id))?
        .get("type")?
        .as_u64()
}

/// A modal submit. If the bot opened a modal with this custom id from a
/// component, the component's message goes along, as on Discord.
pub(crate) fn modal(
    shared: &Shared,
    st: &mut State,
    actor: &Actor,
    custom_id: &str,
    fields: &[(&str, &str)],
) -> u64 {
    let base = base(shared, st, actor);
    let opener = st
        .responses
        .iter()
        .filter(|(_, rs)| {
            rs.iter().any(|r| {
                r.kind == (ResponseKind::Callback { type_: 9 })
                    && r.body.pointer("/data/custom_id").and_then(Value::as_str) == Some(custom_id)
            })
        })
        .map(|(iid, _)| *iid)
        .max();
    let message = opener
        .and_then(|iid| st.interactions.get(&iid))
        .filter(|rec| rec.kind == COMPONENT)
        .and_then(|rec| rec.source_message)
        .and_then(|mid| st.messages.get(&mid).map(|m| (mid, m.value.clone())));
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| json!({ "type": 1, "components": [{ "type": 4, "custom_id": id, "value": value }] }))
        .collect();
    let data = json!({ "custom_id": custom_id, "components": rows });
    send(st, &base, MODAL, data, message)
}
