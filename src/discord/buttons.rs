//! The buttons, menu and modal on reminders. Everything they need is in
//! their custom ids, so they work after a restart and weeks later; every
//! press checks again that the person may change that action.

use super::reminders::{ButtonKind, action_row};
use super::{BotError, Data};
use crate::plan::access::Actor;
use crate::plan::{Plan, Status, StatusRequest};
use poise::serenity_prelude as serenity;
use serenity::{
    ComponentInteraction, ComponentInteractionDataKind, CreateActionRow, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseMessage, CreateModal, InputTextStyle,
    ModalInteraction,
};

/// Handles a component or modal interaction if it is one of ours.
pub async fn on_event(ctx: &serenity::Context, event: &serenity::FullEvent, data: &Data) {
    let serenity::FullEvent::InteractionCreate { interaction } = event else {
        return;
    };
    let result = match interaction {
        serenity::Interaction::Component(c) => on_component(ctx, c, data).await,
        serenity::Interaction::Modal(m) => on_modal(ctx, m, data).await,
        _ => return,
    };
    if let Err((e, reply_to)) = result {
        let text = e.text_for_user(&format!("button {}", reply_to.0));
        let reply = CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true),
        );
        let answered = match reply_to.1 {
            Target::Component(c) => c.create_response(&ctx.http, reply).await,
            Target::Modal(m) => m.create_response(&ctx.http, reply).await,
        };
        if let Err(e) = answered {
            tracing::warn!("could not tell the user about an error: {e}");
        }
    }
}

enum Target<'a> {
    Component(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
}

type Failed<'a> = (BotError, (String, Target<'a>));

async fn on_component<'a>(
    ctx: &serenity::Context,
    c: &'a ComponentInteraction,
    data: &Data,
) -> Result<(), Failed<'a>> {
    let Some((kind, plan_id, mut reference)) = ButtonKind::parse(&c.data.custom_id) else {
        return Ok(());
    };
    let fail = |e: BotError| (e, (c.data.custom_id.clone(), Target::Component(c)));
    if kind == ButtonKind::More {
        let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
            return Ok(());
        };
        reference = values.first().cloned().unwrap_or_default();
    }
    let (plan, actor, action) =
        allowed(ctx, data, plan_id, &reference, c.user.id, c.member.as_ref())
            .await
            .map_err(fail)?;
    let by = actor.person.clone().unwrap_or_else(|| c.user.name.clone());
    let now = data.clock.now();
    let text = match kind {
        ButtonKind::More => {
            let reply = CreateInteractionResponseMessage::new()
                .content(format!(
                    "`{}` {}: what would you like to do?",
                    action.reference,
                    super::render::quote(&crate::text::shorten(&action.text, 200))
                ))
                .components(vec![action_row(
                    plan_id,
                    &action.reference,
                    data.settings.jobs.snooze_days,
                )])
                .ephemeral(true);
            return respond_component(ctx, c, CreateInteractionResponse::Message(reply))
                .await
                .map_err(fail);
        }
        ButtonKind::Update => {
            let modal =
                CreateModal::new(c.data.custom_id.clone(), shorten_title(&action.reference))
                    .components(vec![
                        CreateActionRow::InputText(
                            CreateInputText::new(InputTextStyle::Short, "New status", "status")
                                .placeholder("Red, Amber, Green, Complete or Not started")
                                .value(action.status.label())
                                .max_length(20),
                        ),
                        CreateActionRow::InputText(
                            CreateInputText::new(
                                InputTextStyle::Paragraph,
                                "What has happened?",
                                "note",
                            )
                            .required(false)
                            .max_length(crate::plan::MAX_NOTE_CHARS as u16),
                        ),
                    ]);
            return respond_component(ctx, c, CreateInteractionResponse::Modal(modal))
                .await
                .map_err(fail);
        }
        ButtonKind::Complete => {
            let request = StatusRequest {
                to: Status::Complete,
                note: Some("Marked complete from a reminder".into()),
                evidence: None,
                by: by.clone(),
                by_discord_id: Some(c.user.id.get()),
                at: now,
            };
            let updated = data
                .store
                .record_status(&plan, &action.reference, &request)
                .await
                .map_err(|e| fail(e.into()))?;
            format!(
                "Recorded: `{}` {} → **{}** (by {}).",
                action.reference,
                updated.before.status.label(),
                updated.after.status.label(),
                super::render::quote(&by)
            )
        }
        ButtonKind::Snooze => {
            let until = now + chrono::Duration::days(i64::from(data.settings.jobs.snooze_days));
            data.store
                .snooze(&plan, &action.reference, &by, now, until)
                .await
                .map_err(|e| fail(e.into()))?;
            format!(
                "Snoozed: no more reminders about `{}` until <t:{}:f>.",
                action.reference,
                until.timestamp()
            )
        }
    };
    let reply = CreateInteractionResponseMessage::new()
        .content(text)
        .ephemeral(true);
    respond_component(ctx, c, CreateInteractionResponse::Message(reply))
        .await
        .map_err(fail)
}

async fn on_modal<'a>(
    ctx: &serenity::Context,
    m: &'a ModalInteraction,
    data: &Data,
) -> Result<(), Failed<'a>> {
    let Some((ButtonKind::Update, plan_id, reference)) = ButtonKind::parse(&m.data.custom_id)
    else {
        return Ok(());
    };
    let fail = |e: BotError| (e, (m.data.custom_id.clone(), Target::Modal(m)));
    let (plan, actor, action) =
        allowed(ctx, data, plan_id, &reference, m.user.id, m.member.as_ref())
            .await
            .map_err(fail)?;
    let field = |id: &str| {
        m.data
            .components
            .iter()
            .flat_map(|row| &row.components)
            .find_map(|c| match c {
                serenity::ActionRowComponent::InputText(t) if t.custom_id == id => t.value.clone(),
                _ => None,
            })
    };
    let typed = field("status").unwrap_or_default();
    let to = Status::parse(&typed).map_err(|e| {
        fail(BotError::user(format!(
            "{e}. Nothing was changed; press Update status again."
        )))
    })?;
    let by = actor.person.clone().unwrap_or_else(|| m.user.name.clone());
    let request = StatusRequest {
        to,
        note: field("note"),
        evidence: None,
        by: by.clone(),
        by_discord_id: Some(m.user.id.get()),
        at: data.clock.now(),
    }
    .validated()
    .map_err(|e| fail(BotError::user(format!("{e}. Nothing was changed."))))?;
    let updated = data
        .store
        .record_status(&plan, &action.reference, &request)
        .await
        .map_err(|e| fail(e.into()))?;
    let reply = CreateInteractionResponseMessage::new()
        .content(format!(
            "Recorded: `{}` {} → **{}** (by {}).",
            action.reference,
            updated.before.status.label(),
            updated.after.status.label(),
            super::render::quote(&by)
        ))
        .ephemeral(true);
    m.create_response(&ctx.http, CreateInteractionResponse::Message(reply))
        .await
        .map_err(|e| fail(e.into()))
}

async fn respond_component(
    ctx: &serenity::Context,
    c: &ComponentInteraction,
    response: CreateInteractionResponse,
) -> Result<(), BotError> {
    c.create_response(&ctx.http, response).await?;
    Ok(())
}

/// Modal titles are limited to 45 characters.
fn shorten_title(reference: &str) -> String {
    crate::text::shorten(&format!("Update {reference}"), 45)
}

/// The plan and action a button is about and who pressed it, once it is
/// sure they may change the action. In a DM there are no roles on the
/// interaction: the member is looked up in the plan's server.
async fn allowed(
    ctx: &serenity::Context,
    data: &Data,
    plan_id: i64,
    reference: &str,
    user: serenity::UserId,
    member: Option<&serenity::Member>,
) -> Result<(Plan, Actor, crate::plan::Action), BotError> {
    let plan = data
        .store
        .plan_by_id(plan_id)
        .await?
        .ok_or_else(|| BotError::user("This reminder's plan is no longer in planbot."))?;
    let person = data.store.person_by_discord_id(user.get()).await?;
    let mut actor = Actor {
        person: person.map(|p| p.name),
        ..Default::default()
    };
    if let Some(guild) = data.settings.guild_of_plan(&plan.name) {
        let (admin, secretary) = roles(ctx, guild, user, member).await;
        actor.is_admin = admin;
        actor.is_secretary = secretary;
    }
    let action = data.store.action(&plan, reference).await?;
    if !actor.may_update(&action) {
        return Err(super::access::not_allowed(&actor, &action));
    }
    Ok((plan, actor, action))
}

/// Whether the user has the admin and secretary roles in the plan's server.
async fn roles(
    ctx: &serenity::Context,
    guild: &crate::config::GuildSettings,
    user: serenity::UserId,
    member: Option<&serenity::Member>,
) -> (bool, bool) {
    let guild_id = serenity::GuildId::new(guild.id);
    let roles = match member {
        Some(m) => m.roles.clone(),
        None => match ctx.http.get_member(guild_id, user).await {
            Ok(m) => m.roles,
            Err(e) => {
                tracing::debug!("cannot look up {user} in the plan's server: {e}");
                Vec::new()
            }
        },
    };
    let Some(g) = ctx.cache.guild(guild_id) else {
        return (false, false);
    };
    let has = |name: &str| {
        roles
            .iter()
            .filter_map(|id| g.roles.get(id))
            .any(|r| r.name.eq_ignore_ascii_case(name))
    };
    (has(&guild.admin_role), has(&guild.secretary_role))
}
