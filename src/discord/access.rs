//! Which plan a command is about, and who is asking.

use super::{BotError, Context};
use crate::config::GuildSettings;
use crate::plan::Plan;
use crate::plan::access::Actor;

pub(super) fn guild_settings<'a>(ctx: &'a Context<'_>) -> Result<&'a GuildSettings, BotError> {
    let guild = ctx
        .guild_id()
        .ok_or_else(|| BotError::user("Use this command in the plan's server."))?;
    ctx.data().settings.guild(guild.get()).ok_or_else(|| {
        BotError::user("This server is not set up for planbot. A plan admin needs to add it to planbot's config.")
    })
}

/// The plan named (it must be one of this server's), or the server's only plan.
pub(super) async fn plan(ctx: &Context<'_>, named: Option<&str>) -> Result<Plan, BotError> {
    let guild = guild_settings(ctx)?;
    let name = match named.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => guild
            .plans
            .iter()
            .find(|p| p.eq_ignore_ascii_case(n))
            .ok_or_else(|| {
                BotError::user(format!(
                    "This server has no plan called \"{n}\". Its plans: {}.",
                    guild.plans.join(", ")
                ))
            })?,
        None => match guild.plans.as_slice() {
            [only] => only,
            many => {
                return Err(BotError::user(format!(
                    "This server has several plans ({}); say which with the plan option.",
                    many.join(", ")
                )));
            }
        },
    };
    ctx.data()
        .store
        .find_plan(Some(name))
        .await
        .map_err(|e| match e {
            crate::store::StoreError::NoSuchPlan(_) => BotError::user(format!(
                "The plan \"{name}\" has not been imported yet. A plan admin can use /plan import."
            )),
            other => other.into(),
        })
}

/// The caller: their linked person and their roles in this server.
pub(super) async fn actor(ctx: &Context<'_>) -> Result<Actor, BotError> {
    let person = ctx
        .data()
        .store
        .person_by_discord_id(ctx.author().id.get())
        .await?;
    let mut actor = Actor {
        person: person.map(|p| p.name),
        ..Default::default()
    };
    let Ok(settings) = guild_settings(ctx) else {
        return Ok(actor);
    };
    let role_ids = match ctx.author_member().await {
        Some(member) => member.roles.clone(),
        None => Vec::new(),
    };
    if let Some(guild) = ctx.guild() {
        for id in role_ids {
            if let Some(role) = guild.roles.get(&id) {
                actor.is_admin |= role.name.eq_ignore_ascii_case(&settings.admin_role);
                actor.is_secretary |= role.name.eq_ignore_ascii_case(&settings.secretary_role);
            }
        }
    }
    Ok(actor)
}

/// A check for admin-only commands.
pub(super) async fn require_admin(ctx: Context<'_>) -> Result<bool, BotError> {
    if actor(&ctx).await?.is_admin {
        Ok(true)
    } else {
        let role = guild_settings(&ctx)
            .map(|g| g.admin_role.clone())
            .unwrap_or_default();
        Err(BotError::user(format!(
            "Only members with the \"{role}\" role can do this."
        )))
    }
}

/// Why `actor` may not change `action`, in words for them.
pub(super) fn not_allowed(actor: &Actor, action: &crate::plan::Action) -> BotError {
    let leads = if action.leads.is_empty() {
        "no named lead".to_string()
    } else {
        action.leads.join(", ")
    };
    let unlinked = if actor.person.is_none() {
        " Your Discord account is not linked to a lead: a plan admin can link it with /people link."
    } else {
        ""
    };
    BotError::user(format!(
        "Only the action's leads ({}) and plan admins can change {}; nothing was changed.{unlinked}",
        super::render::quote(&leads),
        action.reference
    ))
}
