use crate::app;
use crate::digest::{self, Format};
use crate::discord::{Context, Error, access};
use poise::serenity_prelude as serenity;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum FormatChoice {
    #[name = "All files"]
    All,
    #[name = "Markdown"]
    Markdown,
    #[name = "CSV (one row per action)"]
    Csv,
    #[name = "HTML board paper"]
    Html,
    #[name = "PNG chart"]
    Png,
}

impl From<FormatChoice> for Format {
    fn from(c: FormatChoice) -> Format {
        match c {
            FormatChoice::All => Format::All,
            FormatChoice::Markdown => Format::Md,
            FormatChoice::Csv => Format::Csv,
            FormatChoice::Html => Format::Html,
            FormatChoice::Png => Format::Png,
        }
    }
}

/// The board digest for a quarter, as it stood then (board secretaries and plan admins)
#[poise::command(slash_command, guild_only)]
pub async fn digest(
    ctx: Context<'_>,
    #[description = "The quarter, such as Q4 18/19 (default: the quarter just ended)"]
    quarter: Option<String>,
    #[description = "Which files to attach (default: all)"] format: Option<FormatChoice>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let actor = access::app_actor(&ctx).await;
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let now = ctx.data().clock.now();
    let store = &ctx.data().store;
    let formats = Format::from(format.unwrap_or(FormatChoice::All)).expand();
    // Refused at once, privately; the pack itself takes a while to render.
    app::digest::may_make_digest(store, &actor).await?;
    app::digest::which_quarter(&plan, quarter.as_deref(), now)?;
    ctx.defer_ephemeral().await?;
    let made =
        app::digest::make_digest(store, &actor, &plan, quarter.as_deref(), &formats, now).await?;
    let mut reply = poise::CreateReply::default()
        .embed(to_embed(&made.embed))
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    for (name, bytes) in &made.files {
        reply = reply.attachment(serenity::CreateAttachment::bytes(
            bytes.clone(),
            name.clone(),
        ));
    }
    ctx.send(reply).await?;
    app::digest::record_digest(store, &plan, &made, now).await?;
    tracing::info!(plan = %plan.name, quarter = %made.digest.quarter, user = %ctx.author().id, "digest handed out");
    Ok(())
}

pub(crate) fn to_embed(e: &digest::EmbedText) -> serenity::CreateEmbed {
    serenity::CreateEmbed::new()
        .title(&e.title)
        .description(&e.description)
        .colour(e.colour)
        .fields(e.fields.iter().map(|(n, v)| (n.clone(), v.clone(), false)))
}
