use crate::discord::{Context, Error, render};
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
    let people = ctx.data().store.people().await?;
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
