//! The checks of one configured server: the bot's membership, its channels
//! and what the bot may do in them, the roles, the slash commands, and
//! whether the linked leads are members (Discord delivers a bot's direct
//! message only to someone who shares a server with it).

use super::{Expected, status};
use crate::app::setup::{Finding, PlanLeads};
use crate::config::GuildSettings;
use crate::discord::REQUIRED_PERMISSIONS;
use poise::serenity_prelude as serenity;
use serenity::{GuildId, PartialGuild, UserId};

pub(super) struct Scope<'a> {
    pub http: &'a serenity::Http,
    pub bot: UserId,
    pub settings: &'a GuildSettings,
    /// Whether commands are registered per server (else globally).
    pub commands_here: bool,
}

pub(super) async fn check(
    scope: &Scope<'_>,
    expected: &Expected,
    leads: &[&PlanLeads],
) -> Vec<Finding> {
    let id = scope.settings.id;
    let guild = match scope.http.get_guild(GuildId::new(id)).await {
        Ok(guild) => guild,
        // Discord says "Missing Access" for a server the bot is not in, and
        // "Unknown Guild" for an id no server has: either way, not in it.
        Err(e) if matches!(status(&e), Some(403 | 404)) => {
            return vec![Finding::problem(format!(
                "the bot is not in server {id}: invite it with `planbot invite`"
            ))];
        }
        Err(e) => {
            return vec![Finding::problem(format!(
                "cannot read server {id} ({e}): try again later"
            ))];
        }
    };
    let here = format!("server {id} ({})", guild.name);
    let mut findings = vec![Finding::ok(format!("the bot is in {here}"))];
    findings.extend(channels(scope, &guild, &here).await);
    findings.extend(roles(&guild, scope.settings, &here));
    if scope.commands_here {
        let listed = scope.http.get_guild_commands(guild.id).await;
        findings.push(commands_finding(&format!("in {here}"), listed, expected));
    }
    for plan in leads {
        findings.push(leads_finding(scope, &here, plan).await);
    }
    findings
}

/// The configured channels, each once with the settings that name it.
fn configured_channels(g: &GuildSettings) -> Vec<(u64, Vec<&'static str>)> {
    let mut channels: Vec<(u64, Vec<&'static str>)> = Vec::new();
    let named = [
        ("plan_channel", g.plan_channel),
        ("reminder_channel", g.reminder_channel),
        ("board_channel", g.board_channel),
    ];
    for (key, id) in named {
        let Some(id) = id else { continue };
        match channels.iter_mut().find(|(c, _)| *c == id) {
            Some((_, keys)) => keys.push(key),
            None => channels.push((id, vec![key])),
        }
    }
    channels
}

async fn channels(scope: &Scope<'_>, guild: &PartialGuild, here: &str) -> Vec<Finding> {
    let configured = configured_channels(scope.settings);
    if configured.is_empty() {
        return Vec::new();
    }
    let http = scope.http;
    let (member, listed) = match (
        http.get_member(guild.id, scope.bot).await,
        http.get_channels(guild.id).await,
    ) {
        (Ok(member), Ok(listed)) => (member, listed),
        (Err(e), _) | (_, Err(e)) => {
            return vec![Finding::problem(format!(
                "{here}: cannot read its channels or the bot's roles ({e}): try again later"
            ))];
        }
    };
    let mut findings = Vec::new();
    for (id, keys) in configured {
        let keys = keys.join(" and ");
        let Some(channel) = listed.iter().find(|c| c.id.get() == id) else {
            findings.push(Finding::problem(format!(
                "{here}: {keys} {id} is not a channel of this server: set {keys} to one of its channels (Developer Mode, then right-click the channel > Copy Channel ID)"
            )));
            continue;
        };
        // Discord's own reckoning: @everyone, the bot's roles, ADMINISTRATOR,
        // then the channel's overwrites for everyone, roles and the bot.
        let allowed = guild.user_permissions_in(channel, &member);
        let missing = REQUIRED_PERMISSIONS.difference(allowed);
        findings.push(if missing.is_empty() {
            Finding::ok(format!(
                "{here}: #{} ({keys}): the bot may view it, send messages, embed links and attach files",
                channel.name
            ))
        } else {
            Finding::problem(format!(
                "{here}: the bot lacks {} in #{} ({keys}): allow them to the bot or its role in the channel's permissions (Edit Channel > Permissions)",
                missing.get_permission_names().join(", "),
                channel.name
            ))
        });
    }
    findings
}

fn roles(guild: &PartialGuild, g: &GuildSettings, here: &str) -> Vec<Finding> {
    let wanted = [
        ("admin_role", &g.admin_role),
        ("secretary_role", &g.secretary_role),
    ];
    wanted
        .into_iter()
        .map(|(key, name)| {
            // The bot matches role names ignoring case, so the check does too.
            match guild
                .roles
                .values()
                .find(|r| r.name.eq_ignore_ascii_case(name))
            {
                Some(role) => Finding::ok(format!(
                    "{here}: role \"{}\" ({key}) is {}",
                    role.name, role.id
                )),
                None => Finding::problem(format!(
                    "{here}: there is no role \"{name}\" ({key}): create it (Server Settings > Roles), or set {key} to an existing role's name"
                )),
            }
        })
        .collect()
}

/// Missing commands are a warning, not a problem: `planbot run` registers
/// them every time it starts, so before its first run (when a check is most
/// likely) there are none, and nothing needs doing but starting the bot.
pub(super) fn commands_finding(
    place: &str,
    listed: serenity::Result<Vec<serenity::Command>>,
    expected: &Expected,
) -> Finding {
    let listed = match listed {
        Ok(listed) => listed,
        Err(e) => {
            return Finding::problem(format!(
                "cannot list the slash commands registered {place} ({e}): try again later"
            ));
        }
    };
    if listed.is_empty() {
        return Finding::warning(format!(
            "no slash commands are registered {place}: run `planbot run` once to register them"
        ));
    }
    let missing: Vec<String> = expected
        .names
        .iter()
        .filter(|name| !listed.iter().any(|c| &c.name == *name))
        .map(|name| format!("/{name}"))
        .collect();
    if !missing.is_empty() {
        return Finding::warning(format!(
            "{} not registered {place}: run `planbot run` to register them",
            missing.join(", ")
        ));
    }
    let mut line = format!(
        "the {} slash commands are registered {place}",
        expected.names.len()
    );
    if !expected.admin_only.is_empty() {
        line.push_str(&format!(
            " ({} shown only to those who may manage the server, unless Server Settings > Integrations says otherwise)",
            expected.admin_only.join(", ")
        ));
    }
    Finding::ok(line)
}

async fn leads_finding(scope: &Scope<'_>, here: &str, plan: &PlanLeads) -> Finding {
    let name = &plan.plan;
    if plan.linked.is_empty() {
        return Finding::warning(format!(
            "{here}: no lead of plan \"{name}\" is linked to a Discord account, so their reminders go to the reminder channel: link them with `planbot people link NAME DISCORD_USER_ID`"
        ));
    }
    let guild = GuildId::new(scope.settings.id);
    let mut absent = Vec::new();
    for person in &plan.linked {
        let Some(id) = person.discord_id else {
            continue;
        };
        match scope.http.get_member(guild, UserId::new(id)).await {
            Ok(_) => {}
            Err(e) if status(&e) == Some(404) => absent.push(format!("{} ({id})", person.name)),
            Err(e) => {
                return Finding::problem(format!(
                    "{here}: cannot look up the leads of plan \"{name}\" ({e}): try again later"
                ));
            }
        }
    }
    if absent.is_empty() {
        Finding::ok(format!(
            "{here}: the {} linked leads of plan \"{name}\" are members, so reminders can reach them by direct message",
            plan.linked.len()
        ))
    } else {
        Finding::problem(format!(
            "{here}: linked leads of plan \"{name}\" who are not members cannot get reminders by direct message: {}: invite them to the server, or correct the link with `planbot people link NAME DISCORD_USER_ID`",
            absent.join(", ")
        ))
    }
}
