//! JSON shapes as Discord sends them, field by field.
//!
//! serenity 0.12.5 drops a gateway event it cannot parse with no more than a
//! log line, so a missing field here looks like "the bot never answered". Every
//! field that serenity's model structs require (not `Option`, no
//! `#[serde(default)]`) is written out, even when its value is boring; the tests
//! at the bottom and `parse_errors()` at run time prove the shapes parse.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde_json::{Map, Value, json};
use serenity::model::Permissions;

use super::{GuildSpec, Overwrite, OverwriteTarget};

/// Discord's documented per-upload limit for an unboosted guild (10 MiB).
pub(crate) const ATTACHMENT_SIZE_LIMIT: u64 = 10 * 1024 * 1024;

const LOCALE: &str = "en-GB";

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// When every member "joined": fixed, so fixtures compare equal across runs.
pub(crate) fn joined_at() -> String {
    timestamp(
        Utc.with_ymd_and_hms(2024, 1, 2, 9, 0, 0)
            .single()
            .unwrap_or_default(),
    )
}

pub(crate) fn everyone_permissions() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::SEND_MESSAGES_IN_THREADS
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::ADD_REACTIONS
        | Permissions::USE_EXTERNAL_EMOJIS
        | Permissions::USE_APPLICATION_COMMANDS
        | Permissions::CHANGE_NICKNAME
        | Permissions::CREATE_INSTANT_INVITE
}

pub(crate) fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": if bot { Value::Null } else { Value::from(name) },
        "avatar": null,
        "avatar_decoration_data": null,
        "banner": null,
        "accent_color": null,
        "bot": bot,
        "system": false,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": null,
        "collectibles": null,
    })
}

/// The bot as `GET /users/@me` and READY describe it (the private fields too).
pub(crate) fn current_user(id: u64, name: &str) -> Value {
    let mut u = user(id, name, true);
    if let Some(map) = u.as_object_mut() {
        map.insert("verified".into(), json!(true));
        map.insert("mfa_enabled".into(), json!(false));
        map.insert("email".into(), Value::Null);
        map.insert("locale".into(), json!("en-US"));
        map.insert("premium_type".into(), json!(0));
    }
    u
}

pub(crate) fn role(
    id: u64,
    name: &str,
    position: u16,
    permissions: Permissions,
    bot_id: Option<u64>,
) -> Value {
    let mut r = json!({
        "id": id.to_string(),
        "name": name,
        "color": 0,
        // 0.12.5 made `colors` required; Discord sends it on every role now.
        "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": permissions.bits().to_string(),
        "managed": bot_id.is_some(),
        "mentionable": false,
        "flags": 0,
    });
    if let (Some(bot), Some(map)) = (bot_id, r.as_object_mut()) {
        map.insert("tags".into(), json!({ "bot_id": bot.to_string() }));
    }
    r
}

/// A member as GUILD_CREATE and `GET /guilds/{id}/members/{user}` send it.
pub(crate) fn member(user: Value, roles: &[u64]) -> Value {
    json!({
        "user": user,
        "nick": null,
        "avatar": null,
        "banner": null,
        "avatar_decoration_data": null,
        "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": joined_at(),
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
        "unusual_dm_activity_until": null,
    })
}

/// The member inside an interaction: Discord adds the computed permissions.
pub(crate) fn interaction_member(user: Value, roles: &[u64], permissions: Permissions) -> Value {
    let mut m = member(user, roles);
    if let Some(map) = m.as_object_mut() {
        map.insert("permissions".into(), json!(permissions.bits().to_string()));
    }
    m
}

/// The member in `resolved.members`: Discord leaves `user` (it is in
/// `resolved.users`) and the voice flags out.
pub(crate) fn resolved_member(roles: &[u64], permissions: Permissions) -> Value {
    json!({
        "nick": null,
        "avatar": null,
        "banner": null,
        "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": joined_at(),
        "premium_since": null,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
        "unusual_dm_activity_until": null,
        "permissions": permissions.bits().to_string(),
    })
}

pub(crate) fn text_channel(
    id: u64,
    guild_id: u64,
    name: &str,
    position: usize,
    overwrites: Vec<Value>,
) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "guild_id": guild_id.to_string(),
        "name": name,
        "position": position,
        "permission_overwrites": overwrites,
        "parent_id": null,
        "topic": null,
        "nsfw": false,
        "last_message_id": null,
        "last_pin_timestamp": null,
        "rate_limit_per_user": 0,
        "flags": 0,
    })
}

/// A channel's permission overwrite: type 0 for a role, 1 for a member.
pub(crate) fn overwrite(o: &Overwrite) -> Value {
    let (id, kind) = match o.target {
        OverwriteTarget::Role(id) => (id, 0),
        OverwriteTarget::Member(id) => (id, 1),
    };
    json!({
        "id": id.to_string(),
        "type": kind,
        "allow": o.allow.bits().to_string(),
        "deny": o.deny.bits().to_string(),
    })
}

pub(crate) fn dm_channel(id: u64, recipient: Value, last_message_id: Option<u64>) -> Value {
    json!({
        "id": id.to_string(),
        "type": 1,
        "flags": 0,
        "last_message_id": last_message_id.map(|m| m.to_string()),
        "last_pin_timestamp": null,
        "recipients": [recipient],
    })
}

/// The guild fields shared by GUILD_CREATE and `GET /guilds/{id}`.
pub(crate) fn guild_base(spec: &GuildSpec, owner_id: u64, roles: Vec<Value>) -> Map<String, Value> {
    let v = json!({
        "id": spec.guild_id.to_string(),
        "name": spec.name,
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": owner_id.to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "public_updates_channel_id": null,
        "safety_alerts_channel_id": null,
        "max_presences": null,
        "max_members": 500_000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": LOCALE,
        "nsfw_level": 0,
        "nsfw": false,
        "premium_progress_bar_enabled": false,
        "incidents_data": null,
    });
    match v {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// GUILD_CREATE's `d`: the guild plus the gateway-only fields (members,
/// channels, ...).
pub(crate) fn guild_create(
    spec: &GuildSpec,
    owner_id: u64,
    roles: Vec<Value>,
    members: Vec<Value>,
    channels: Vec<Value>,
) -> Value {
    let mut g = guild_base(spec, owner_id, roles);
    g.insert("joined_at".into(), json!(joined_at()));
    g.insert("large".into(), json!(false));
    g.insert("unavailable".into(), json!(false));
    g.insert("lazy".into(), json!(true));
    g.insert("member_count".into(), json!(members.len()));
    g.insert("members".into(), Value::Array(members));
    g.insert("channels".into(), Value::Array(channels));
    g.insert("threads".into(), json!([]));
    g.insert("voice_states".into(), json!([]));
    g.insert("presences".into(), json!([]));
    g.insert("stage_instances".into(), json!([]));
    g.insert("guild_scheduled_events".into(), json!([]));
    g.insert("soundboard_sounds".into(), json!([]));
    Value::Object(g)
}

pub(crate) fn ready(
    bot: Value,
    guild_ids: &[u64],
    session_id: &str,
    resume_url: &str,
    application_id: u64,
    shard: Option<Value>,
) -> Value {
    let guilds: Vec<Value> = guild_ids
        .iter()
        .map(|g| json!({ "id": g.to_string(), "unavailable": true }))
        .collect();
    let mut d = json!({
        "v": 10,
        "user": bot,
        "guilds": guilds,
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "application": { "id": application_id.to_string(), "flags": 0 },
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": [],
        "user_settings": {},
        "auth": {},
        "_trace": ["discord-testserver"],
    });
    if let (Some(shard), Some(map)) = (shard, d.as_object_mut()) {
        map.insert("shard".into(), shard);
    }
    d
}

pub(crate) fn application(id: u64, name: &str, bot: Value, owner: Value) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "icon": null,
        "description": "a bot under test",
        "summary": "",
        "type": null,
        "bot": bot,
        "rpc_origins": [],
        "bot_public": false,
        "bot_require_code_grant": false,
        "owner": owner,
        "team": null,
        "verify_key": "0".repeat(64),
        "flags": 0,
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
        "integration_types_config": { "0": {} },
    })
}

/// A stored attachment as messages and `resolved.attachments` carry it.
pub(crate) fn attachment(
    id: u64,
    filename: &str,
    size: usize,
    url: &str,
    content_type: &str,
    description: Option<&str>,
) -> Value {
    let mut a = json!({
        "id": id.to_string(),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
        "width": null,
        "height": null,
        "ephemeral": false,
    });
    if let (Some(d), Some(map)) = (description, a.as_object_mut()) {
        map.insert("description".into(), json!(d));
    }
    a
}

/// Where a message comes from decides the few fields Discord sets differently.
pub(crate) struct MessageOrigin {
    pub author: Value,
    pub guild_id: Option<u64>,
    /// Set for interaction replies and follow-ups (they come from the app's
    /// webhook).
    pub application_id: Option<u64>,
    pub kind: u8,
}

/// Builds a Message object from a create-message body (`content`, `embeds`,
/// `components`, `flags`, `nonce`, ...) and the attachments already stored.
pub(crate) fn message(
    id: u64,
    channel_id: u64,
    origin: &MessageOrigin,
    body: &Value,
    attachments: Vec<Value>,
    mentions: Vec<Value>,
    at: DateTime<Utc>,
) -> Value {
    let mut m = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "type": origin.kind,
        "author": origin.author,
        "content": body.get("content").and_then(Value::as_str).unwrap_or(""),
        "timestamp": timestamp(at),
        "edited_timestamp": null,
        "tts": body.get("tts").and_then(Value::as_bool).unwrap_or(false),
        "mention_everyone": false,
        "mentions": mentions,
        "mention_roles": [],
        "mention_channels": [],
        "attachments": attachments,
        "embeds": embeds_of(body),
        "reactions": [],
        "pinned": false,
        "flags": message_flags(body),
        "components": body.get("components").cloned().unwrap_or_else(|| json!([])),
        "sticker_items": [],
        "webhook_id": origin.application_id.map(|a| a.to_string()),
        "application_id": origin.application_id.map(|a| a.to_string()),
    });
    if let Some(map) = m.as_object_mut() {
        if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
            map.insert("nonce".into(), nonce.clone());
        }
        if let Some(reference) = body.get("message_reference").filter(|r| r.is_object()) {
            let mut reference = reference.clone();
            if let Some(r) = reference.as_object_mut() {
                r.entry("channel_id")
                    .or_insert_with(|| json!(channel_id.to_string()));
                if let Some(g) = origin.guild_id {
                    r.entry("guild_id").or_insert_with(|| json!(g.to_string()));
                }
                r.entry("type").or_insert(json!(0));
            }
            map.insert("message_reference".into(), reference);
        }
    }
    m
}

/// Only the flags a bot may set when sending survive, as on Discord
/// (EPHEMERAL, SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS).
pub(crate) fn message_flags(body: &Value) -> u64 {
    let sent = body.get("flags").and_then(Value::as_u64).unwrap_or(0);
    sent & (64 | 4 | 4096)
}

/// Discord stamps every embed a bot sends as `rich`.
pub(crate) fn embeds_of(body: &Value) -> Value {
    let mut embeds = body.get("embeds").cloned().unwrap_or_else(|| json!([]));
    if let Some(list) = embeds.as_array_mut() {
        for e in list.iter_mut().filter_map(Value::as_object_mut) {
            e.entry("type").or_insert(json!("rich"));
        }
    }
    embeds
}

/// The fields every interaction carries, whatever its type.
pub(crate) struct InteractionBase {
    pub id: u64,
    pub application_id: u64,
    pub token: String,
    pub guild_id: Option<u64>,
    pub channel: Value,
    pub channel_id: u64,
    /// The member object (guild) or the user object (DM).
    pub invoker: Value,
    pub app_permissions: Permissions,
}

pub(crate) fn interaction(
    base: &InteractionBase,
    kind: u8,
    data: Value,
    message: Option<Value>,
) -> Value {
    let mut i = json!({
        "id": base.id.to_string(),
        "application_id": base.application_id.to_string(),
        "type": kind,
        "data": data,
        "channel": base.channel,
        "channel_id": base.channel_id.to_string(),
        "token": base.token,
        "version": 1,
        "app_permissions": base.app_permissions.bits().to_string(),
        "locale": LOCALE,
        "entitlements": [],
        // 0.12.5 requires it; Discord's value for an unboosted guild or a DM.
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    });
    if let Some(map) = i.as_object_mut() {
        match base.guild_id {
            Some(g) => {
                map.insert("guild_id".into(), json!(g.to_string()));
                map.insert("guild_locale".into(), json!(LOCALE));
                map.insert("member".into(), base.invoker.clone());
                map.insert("context".into(), json!(0));
                map.insert(
                    "authorizing_integration_owners".into(),
                    json!({ "0": g.to_string() }),
                );
            }
            None => {
                map.insert("user".into(), base.invoker.clone());
                map.insert("context".into(), json!(1));
                // "0" is how Discord says "guild-installed, used outside a guild".
                map.insert("authorizing_integration_owners".into(), json!({ "0": "0" }));
            }
        }
        if let Some(m) = message {
            map.insert("message".into(), m);
        }
    }
    i
}

/// Fills what Discord adds to a command the bot registers, so the answer
/// parses as serenity's `Command`.
pub(crate) fn stored_command(
    mut cmd: Value,
    id: u64,
    application_id: u64,
    guild_id: Option<u64>,
    version: u64,
) -> Value {
    if let Some(map) = cmd.as_object_mut() {
        map.insert("id".into(), json!(id.to_string()));
        map.insert("application_id".into(), json!(application_id.to_string()));
        map.insert("version".into(), json!(version.to_string()));
        match guild_id {
            Some(g) => map.insert("guild_id".into(), json!(g.to_string())),
            None => map.remove("guild_id"),
        };
        map.entry("type").or_insert(json!(1));
        map.entry("description").or_insert(json!(""));
        map.entry("default_member_permissions")
            .or_insert(Value::Null);
        map.entry("nsfw").or_insert(json!(false));
        map.entry("integration_types").or_insert(json!([0]));
        map.entry("contexts").or_insert(Value::Null);
        if let Some(opts) = map.get_mut("options").and_then(Value::as_array_mut) {
            opts.iter_mut().for_each(fill_option);
        }
    }
    cmd
}

fn fill_option(opt: &mut Value) {
    if let Some(map) = opt.as_object_mut() {
        map.entry("description").or_insert(json!(""));
        if let Some(opts) = map.get_mut("options").and_then(Value::as_array_mut) {
            opts.iter_mut().for_each(fill_option);
        }
    }
}

/// Why serenity would not deliver this gateway frame, if it would not.
///
/// Parsing as `GatewayEvent` is not enough: serenity's `Event` ends in an
/// untagged `Unknown` variant, so a GUILD_CREATE with a missing field parses
/// "fine" as `Event::Unknown` and no handler ever sees it. A known event name
/// that lands in `Unknown` is therefore an error, and the specific type is
/// parsed again to say which field is wrong.
pub(crate) fn dispatch_parse_error(frame: &Value) -> Option<String> {
    use serenity::model::event::{Event, GatewayEvent};
    match serde_json::from_value::<GatewayEvent>(frame.clone()) {
        Err(e) => Some(e.to_string()),
        Ok(GatewayEvent::Dispatch(_, Event::Unknown(u))) => Some(
            typed_parse_error(&u.kind, &u.value)
                .unwrap_or_else(|| format!("serenity does not know event {}", u.kind)),
        ),
        Ok(_) => None,
    }
}

fn typed_parse_error(event: &str, d: &Value) -> Option<String> {
    use serenity::model::application::Interaction;
    use serenity::model::event::{GuildMembersChunkEvent, ResumedEvent};
    use serenity::model::gateway::Ready;
    use serenity::model::guild::Guild;
    fn err<T: serde::de::DeserializeOwned>(d: &Value) -> Option<String> {
        serde_json::from_value::<T>(d.clone())
            .err()
            .map(|e| e.to_string())
    }
    match event {
        "READY" => err::<Ready>(d),
        "RESUMED" => err::<ResumedEvent>(d),
        "GUILD_CREATE" => err::<Guild>(d),
        "INTERACTION_CREATE" => err::<Interaction>(d),
        "GUILD_MEMBERS_CHUNK" => err::<GuildMembersChunkEvent>(d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GuildSpec, MemberSpec};
    use serenity::model::application::{Command, CurrentApplicationInfo};
    use serenity::model::channel::{Attachment, GuildChannel, Message, PrivateChannel};
    use serenity::model::guild::{Member, PartialGuild, Role};
    use serenity::model::user::{CurrentUser, User};

    fn parses<T: serde::de::DeserializeOwned>(v: &Value) {
        if let Err(e) = serde_json::from_value::<T>(v.clone()) {
            panic!("{} does not parse: {e}\n{v:#}", std::any::type_name::<T>());
        }
    }

    fn delivered(event: &str, d: Value) {
        let frame = json!({ "op": 0, "s": 1, "t": event, "d": d });
        if let Some(e) = dispatch_parse_error(&frame) {
            panic!("{event} would be dropped by serenity: {e}\n{frame:#}");
        }
    }

    #[test]
    fn a_broken_dispatch_is_caught_despite_the_unknown_fallback() {
        let mut guild = guild_fixture();
        if let Some(map) = guild.as_object_mut() {
            map.remove("premium_progress_bar_enabled");
        }
        let frame = json!({ "op": 0, "s": 1, "t": "GUILD_CREATE", "d": guild });
        let err = dispatch_parse_error(&frame).unwrap_or_default();
        assert!(err.contains("premium_progress_bar_enabled"), "{err}");
    }

    fn spec() -> GuildSpec {
        let member = |user_id, name: &str, roles| MemberSpec {
            user_id,
            name: name.into(),
            roles,
        };
        GuildSpec {
            guild_id: 1,
            name: "A guild".into(),
            channels: vec![(2, "general".into())],
            roles: vec![(3, "Admin".into())],
            members: vec![member(4, "alice", vec![3]), member(5, "bob", vec![])],
        }
    }

    fn guild_fixture() -> Value {
        let spec = spec();
        let roles = vec![role(
            spec.guild_id,
            "@everyone",
            0,
            everyone_permissions(),
            None,
        )];
        let members = spec
            .members
            .iter()
            .map(|m| member(user(m.user_id, &m.name, false), &m.roles))
            .collect();
        let channels = vec![text_channel(
            spec.channels[0].0,
            spec.guild_id,
            &spec.channels[0].1,
            0,
            vec![],
        )];
        guild_create(&spec, spec.members[0].user_id, roles, members, channels)
    }

    #[test]
    fn users_roles_members_channels_parse() {
        parses::<User>(&user(5, "alice", false));
        parses::<CurrentUser>(&current_user(6, "bot"));
        parses::<Role>(&role(7, "Admin", 1, Permissions::empty(), None));
        parses::<Role>(&role(8, "bot", 2, Permissions::ADMINISTRATOR, Some(6)));
        parses::<Member>(&member(user(5, "alice", false), &[7]));
        parses::<GuildChannel>(&text_channel(9, 1, "general", 0, vec![]));
        let denied = Overwrite {
            target: OverwriteTarget::Member(5),
            allow: Permissions::VIEW_CHANNEL,
            deny: Permissions::SEND_MESSAGES,
        };
        parses::<GuildChannel>(&text_channel(9, 1, "general", 0, vec![overwrite(&denied)]));
        parses::<PrivateChannel>(&dm_channel(10, user(5, "alice", false), None));
        parses::<CurrentApplicationInfo>(&application(
            6,
            "bot",
            user(6, "bot", true),
            user(5, "alice", false),
        ));
    }

    #[test]
    fn guild_create_and_ready_parse_as_gateway_events() {
        delivered("GUILD_CREATE", guild_fixture());
        let spec = spec();
        let mut partial = guild_base(&spec, 1, vec![]);
        partial.insert("roles".into(), json!([]));
        parses::<PartialGuild>(&Value::Object(partial));

        let ready = ready(
            current_user(6, "bot"),
            &[1],
            "s",
            "ws://x",
            6,
            Some(json!([0, 1])),
        );
        delivered("READY", ready);
    }

    #[test]
    fn messages_and_attachments_parse() {
        let a = attachment(
            11,
            "notes.csv",
            3,
            "http://127.0.0.1:1/files/11/notes.csv",
            "text/csv",
            None,
        );
        parses::<Attachment>(&a);
        let origin = MessageOrigin {
            author: user(6, "bot", true),
            guild_id: Some(1),
            application_id: Some(6),
            kind: 20,
        };
        let body = json!({
            "content": "hi",
            "embeds": [{ "title": "t", "fields": [{ "name": "a", "value": "b", "inline": false }] }],
            "components": [{ "type": 1, "components": [
                { "type": 2, "style": 1, "label": "Go", "custom_id": "go" }
            ]}],
            "nonce": "n1",
            "message_reference": { "message_id": "12" },
        });
        parses::<Message>(&message(13, 9, &origin, &body, vec![a], vec![], Utc::now()));
    }

    #[test]
    fn every_interaction_kind_parses() {
        let base = InteractionBase {
            id: 20,
            application_id: 6,
            token: "tok".into(),
            guild_id: Some(1),
            channel: json!({ "id": "9", "type": 0, "name": "general", "guild_id": "1" }),
            channel_id: 9,
            invoker: interaction_member(user(5, "alice", false), &[7], Permissions::all()),
            app_permissions: Permissions::all(),
        };
        let command = json!({ "id": "30", "name": "notes", "type": 1, "guild_id": "1", "options": [
            { "name": "show", "type": 1, "options": [{ "name": "q", "type": 3, "value": "x" }] }
        ]});
        delivered(
            "INTERACTION_CREATE",
            interaction(&base, 2, command.clone(), None),
        );
        delivered("INTERACTION_CREATE", interaction(&base, 4, command, None));
        let origin = MessageOrigin {
            author: user(6, "bot", true),
            guild_id: Some(1),
            application_id: None,
            kind: 0,
        };
        let msg = message(
            13,
            9,
            &origin,
            &json!({ "content": "x" }),
            vec![],
            vec![],
            Utc::now(),
        );
        let button = json!({ "custom_id": "go", "component_type": 2 });
        delivered(
            "INTERACTION_CREATE",
            interaction(&base, 3, button, Some(msg)),
        );
        let modal = json!({ "custom_id": "m", "components": [
            { "type": 1, "components": [{ "type": 4, "custom_id": "f", "value": "v" }] }
        ]});
        let dm = InteractionBase {
            guild_id: None,
            invoker: user(5, "alice", false),
            channel: json!({ "id": "99", "type": 1 }),
            ..base
        };
        delivered("INTERACTION_CREATE", interaction(&dm, 5, modal, None));
    }

    #[test]
    fn registered_commands_parse() {
        let cmd = json!({ "name": "notes", "description": "Notes", "options": [
            { "type": 1, "name": "show", "description": "Show", "options": [] }
        ]});
        parses::<Command>(&stored_command(cmd, 40, 6, Some(1), 41));
    }
}
