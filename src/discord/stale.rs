//! Interactions from a Discord app whose command list is out of date: a
//! command or subcommand planbot does not have, an option value outside the
//! choices it offers. They are the user's to fix, so they get a private
//! answer saying how, and only a debug line in the log.

use super::{BotError, Data, render};
use poise::serenity_prelude as serenity;

const RELOAD: &str =
    "your Discord app's command list is out of date: reload Discord (Ctrl+R) and try again.";

/// Answers an interaction for a command planbot does not have.
pub(super) async fn unknown_command(
    ctx: &serenity::Context,
    interaction: &serenity::CommandInteraction,
) {
    let name = invoked_name(&interaction.data);
    tracing::debug!(command = %name, user = %interaction.user.id, "a command planbot does not have (a stale command list)");
    let response = if interaction.data.autocomplete().is_some() {
        // Autocomplete must be answered with choices, not a message.
        serenity::CreateInteractionResponse::Autocomplete(
            serenity::CreateAutocompleteResponse::new(),
        )
    } else {
        let text = format!(
            "planbot does not have the command `/{}` any more; {RELOAD}",
            render::shorten(&name.replace('`', "'"), 100)
        );
        serenity::CreateInteractionResponse::Message(
            serenity::CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new()),
        )
    };
    if let Err(e) = interaction.create_response(ctx, response).await {
        tracing::warn!("could not answer an unknown command: {e}");
    }
}

/// The command and subcommands as invoked: "plan frobnicate".
fn invoked_name(data: &serenity::CommandData) -> String {
    let mut name = data.name.clone();
    let mut options = &data.options;
    while let Some((sub, inner)) = options.iter().find_map(|o| match &o.value {
        serenity::CommandDataOptionValue::SubCommand(inner)
        | serenity::CommandDataOptionValue::SubCommandGroup(inner) => Some((&o.name, inner)),
        _ => None,
    }) {
        name.push(' ');
        name.push_str(sub);
        options = inner;
    }
    name
}

/// What to tell a user whose options do not fit the command: the value
/// outside a list of choices, with the choices, or else to reload.
pub(super) fn mismatch(ctx: poise::ApplicationContext<'_, Data, BotError>, why: &str) -> String {
    let command = &ctx.command().qualified_name;
    tracing::debug!(command = %command, user = %ctx.interaction.user.id, why, "options that do not fit the command (a stale command list?)");
    for p in ctx
        .command()
        .parameters
        .iter()
        .filter(|p| !p.choices.is_empty())
    {
        let Some(arg) = ctx.args.iter().find(|a| a.name == p.name) else {
            continue;
        };
        let given = match &arg.value {
            serenity::ResolvedValue::Integer(i)
                if usize::try_from(*i).is_ok_and(|i| i < p.choices.len()) =>
            {
                continue;
            }
            serenity::ResolvedValue::Integer(i) => i.to_string(),
            serenity::ResolvedValue::Number(n) => n.to_string(),
            serenity::ResolvedValue::String(s) => render::shorten(s, 100),
            serenity::ResolvedValue::Boolean(b) => b.to_string(),
            _ => continue,
        };
        // "Green: on track" is listed as "Green".
        let labels: Vec<&str> = p
            .choices
            .iter()
            .map(|c| c.name.split(": ").next().unwrap_or(&c.name))
            .collect();
        return format!(
            "\"{}\" is not a {}: choose one of {}.",
            render::quote(&given),
            p.name,
            labels.join(", ")
        );
    }
    format!("planbot's `/{command}` has changed since your Discord app loaded it; {RELOAD}")
}

/// A command that has subcommands, invoked without one.
pub(super) fn subcommand_missing(ctx: poise::Context<'_, Data, BotError>) -> String {
    let command = &ctx.command().qualified_name;
    tracing::debug!(command = %command, user = %ctx.author().id, "a command without its subcommand (a stale command list)");
    format!("`/{command}` needs a subcommand; {RELOAD}")
}
