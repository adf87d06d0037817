use crate::discord::{BotError, Context, Error, access, render};
use poise::serenity_prelude as serenity;
use std::collections::HashSet;

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
    // People are shared by every plan in the database; an admin here may only
    // link those who lead in this server's plans.
    if !leads_here(&ctx)
        .await?
        .contains(&name.trim().to_lowercase())
    {
        return Err(BotError::user(format!(
            "Nobody called \"{}\" leads anything in this server's plans; use the name as the plan writes it (see /people list).",
            render::quote(name.trim())
        )));
    }
    let person = ctx.data().store.link_person(&name, user.id.get()).await?;
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
    let here = leads_here(&ctx).await?;
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

/// The lower-cased names of everyone who leads an action or a priority in
/// this server's plans.
async fn leads_here(ctx: &Context<'_>) -> Result<HashSet<String>, BotError> {
    let store = &ctx.data().store;
    let mut names = HashSet::new();
    for name in &access::guild_settings(ctx)?.plans {
        let Ok(plan) = store.find_plan(Some(name)).await else {
            continue;
        };
        let today = plan.today(ctx.data().clock.now());
        for a in store.actions(&plan, &Default::default(), today).await? {
            names.extend(a.leads.iter().map(|l| l.to_lowercase()));
        }
        for p in store.priorities(&plan).await? {
            names.extend(p.strategic_leads.iter().map(|l| l.to_lowercase()));
        }
    }
    Ok(names)
}
