//! Which plan a command is about, and who is asking.

use super::{BotError, Context};
use crate::app::plans::{Among, find_plan};
use crate::app::{self, AppError};
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
    Ok(find_plan(&ctx.data().store, named, Among::These(&guild.plans)).await?)
}

/// The caller as the application layer knows them: who, and their roles
/// in this server.
pub(super) async fn app_actor(ctx: &Context<'_>) -> app::Actor {
    let author = ctx.author();
    let role_ids = match ctx.author_member().await {
        Some(member) => member.roles.clone(),
        None => Vec::new(),
    };
    let (mut is_admin, mut is_secretary) = (false, false);
    if let (Ok(settings), Some(guild)) = (guild_settings(ctx), ctx.guild()) {
        for id in &role_ids {
            if let Some(role) = guild.roles.get(id) {
                is_admin |= role.name.eq_ignore_ascii_case(&settings.admin_role);
                is_secretary |= role.name.eq_ignore_ascii_case(&settings.secretary_role);
            }
        }
    }
    app::Actor::discord(&author.name, author.id.get(), is_admin, is_secretary)
}

/// The caller's rights: their linked person and their roles in this server.
pub(super) async fn actor(ctx: &Context<'_>) -> Result<Actor, BotError> {
    Ok(app_actor(ctx).await.rights(&ctx.data().store).await?)
}

/// A check for admin-only commands.
pub(super) async fn require_admin(ctx: Context<'_>) -> Result<bool, BotError> {
    if app_actor(&ctx).await.is_admin {
        Ok(true)
    } else {
        Err(AppError::NotAdmin.into())
    }
}
