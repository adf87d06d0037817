use crate::app;
use crate::discord::{BotError, Context, Error, access, render};
use crate::plan::Plan;
use poise::serenity_prelude as serenity;

/// The plan's leads and their Discord accounts (plan admins)
#[poise::command(
    slash_command,
    guild_only,
    subcommands("link", "list"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD",
    check = "crate::discord::access::require_admin"
)]
pub async fn people(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Link a lead's name in the plan to their Discord account
#[poise::command(
    slash_command,
    guild_only,
    check = "crate::discord::access::require_admin"
)]
async fn link(
    ctx: Context<'_>,
    #[description = "The lead's name as the plan writes it"] name: String,
    #[description = "Their Discord account"] user: serenity::User,
) -> Result<(), Error> {
    let actor = access::app_actor(&ctx).await;
    let plans = plans_here(&ctx).await?;
    let now = ctx.data().clock.now();
    let store = &ctx.data().store;
    let person =
        app::people::link_person(store, &actor, &name, user.id.get(), Some(&plans), now).await?;
    let text = format!(
        "{} is now linked to {}; they can update the actions they lead.",
        render::quote(&person.name),
        render::quote(&user.name)
    );
    render::send_text(ctx, &text, true, "link.txt").await
}

/// List the leads, who is linked to Discord and how many open actions each has
#[poise::command(
    slash_command,
    guild_only,
    check = "crate::discord::access::require_admin"
)]
async fn list(ctx: Context<'_>) -> Result<(), Error> {
    let plans = plans_here(&ctx).await?;
    let here = app::people::leads_in(&ctx.data().store, &plans, ctx.data().clock.now()).await?;
    let mut people = ctx.data().store.people().await?;
    people.retain(|p| here.contains(&p.person.name.to_lowercase()));
    let mut text = format!("**{} people**\n", people.len());
    for p in &people {
        let linked = match p.person.discord_id {
            Some(id) => format!("<@{id}>"),
            None => "not linked".into(),
        };
        text.push_str(&format!(
            "{} · {linked} · {} open\n",
            render::quote(&p.person.name),
            p.open_actions
        ));
    }
    render::send_text(ctx, &text, true, "people.txt").await
}

/// This server's plans that have been imported.
async fn plans_here(ctx: &Context<'_>) -> Result<Vec<Plan>, BotError> {
    let store = &ctx.data().store;
    let mut plans = Vec::new();
    for name in &access::guild_settings(ctx)?.plans {
        if let Ok(plan) = store.find_plan(Some(name)).await {
            plans.push(plan);
        }
    }
    Ok(plans)
}
