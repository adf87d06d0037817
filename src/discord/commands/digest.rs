use crate::digest::{self, Format};
use crate::discord::{BotError, Context, Error, access};
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
    let actor = access::actor(&ctx).await?;
    if !actor.may_read_digests() {
        let g = access::guild_settings(&ctx)?;
        return Err(BotError::user(format!(
            "Only members with the \"{}\" or \"{}\" role can pull digests.",
            g.secretary_role, g.admin_role
        )));
    }
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let now = ctx.data().clock.now();
    let (q, as_of) = match quarter.as_deref() {
        Some(text) => {
            let q = plan
                .year_start
                .parse_quarter(text)
                .map_err(|e| BotError::user(format!("{e}.")))?;
            (q, digest::quarter_as_of(&plan, q, now))
        }
        None => digest::last_quarter(&plan, now),
    };
    ctx.defer_ephemeral().await?;
    let store = &ctx.data().store;
    let made = digest::make(store, &plan, q, as_of, now).await?;
    let mut reply = poise::CreateReply::default()
        .embed(to_embed(&digest::embed(&made)))
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    for f in Format::from(format.unwrap_or(FormatChoice::All)).expand() {
        let (name, bytes) =
            digest::render(&made, f).map_err(|e| BotError::Internal(e.to_string()))?;
        reply = reply.attachment(serenity::CreateAttachment::bytes(bytes, name));
    }
    ctx.send(reply).await?;
    digest::record(store, &plan, &made, now).await?;
    tracing::info!(plan = %plan.name, quarter = %made.quarter, user = %ctx.author().id, "digest handed out");
    Ok(())
}

pub(crate) fn to_embed(e: &digest::EmbedText) -> serenity::CreateEmbed {
    serenity::CreateEmbed::new()
        .title(&e.title)
        .description(&e.description)
        .colour(e.colour)
        .fields(e.fields.iter().map(|(n, v)| (n.clone(), v.clone(), false)))
}
