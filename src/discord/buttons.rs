//! The buttons, menu and modal on reminders. Everything they need is in
//! their custom ids, so they work after a restart and weeks later; every
//! press is checked again (by the application layer, inside the write)
//! against who leads the action now.

use super::reminders::{ButtonKind, action_row};
use super::{BotError, Data, answer, render};
use crate::app::{self, status::Change};
use crate::plan::{Plan, Status};
use poise::serenity_prelude as serenity;
use serenity::{
    ComponentInteraction, ComponentInteractionDataKind, CreateActionRow, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateModal, InputTextStyle, ModalInteraction,
};

/// Handles a component or modal interaction if it is one of ours.
pub async fn on_event(ctx: &serenity::Context, event: &serenity::FullEvent, data: &Data) {
    let serenity::FullEvent::InteractionCreate { interaction } = event else {
        return;
    };
    let (target, custom_id) = match interaction {
        serenity::Interaction::Component(c) => (Target::Component(c), &c.data.custom_id),
        serenity::Interaction::Modal(m) => (Target::Modal(m), &m.data.custom_id),
        _ => return,
    };
    let value = super::corrections::is_ours(custom_id);
    let risk = super::risk_review::is_ours(custom_id);
    let result = match target {
        Target::Component(c) if value => super::corrections::on_press(ctx, c, data).await,
        Target::Modal(m) if value => super::corrections::on_submit(ctx, m, data).await,
        Target::Component(c) if risk => super::risk_review::on_press(ctx, c, data).await,
        Target::Modal(m) if risk => super::risk_review::on_submit(ctx, m, data).await,
        Target::Component(c) => on_component(ctx, c, data).await,
        Target::Modal(m) => on_modal(ctx, m, data).await,
    };
    if let Err((e, deferred)) = result {
        let text = e.text_for_user(&format!("button {custom_id}"));
        if let Err(e) = target.say(ctx, text, deferred).await {
            tracing::warn!("could not tell the user about an error: {e}");
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum Target<'a> {
    Component(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
}

impl Target<'_> {
    pub(super) async fn defer(self, ctx: &serenity::Context) -> Result<(), serenity::Error> {
        match self {
            Target::Component(c) => c.defer_ephemeral(&ctx.http).await,
            Target::Modal(m) => m.defer_ephemeral(&ctx.http).await,
        }
    }

    /// A private answer: the first one, or a follow-up after a deferral.
    pub(super) async fn say(
        self,
        ctx: &serenity::Context,
        text: String,
        deferred: bool,
    ) -> Result<(), serenity::Error> {
        let text = render::fit_message(&text);
        if deferred {
            let follow = CreateInteractionResponseFollowup::new()
                .content(text)
                .ephemeral(true);
            match self {
                Target::Component(c) => c.create_followup(&ctx.http, follow).await?,
                Target::Modal(m) => m.create_followup(&ctx.http, follow).await?,
            };
            return Ok(());
        }
        let reply = CreateInteractionResponse::Message(
            CreateInteractionResponseMessage::new()
                .content(text)
                .ephemeral(true),
        );
        match self {
            Target::Component(c) => c.create_response(&ctx.http, reply).await,
            Target::Modal(m) => m.create_response(&ctx.http, reply).await,
        }
    }
}

/// An error, and whether the interaction was already acknowledged.
pub(super) type Failed = (BotError, bool);

async fn on_component(
    ctx: &serenity::Context,
    c: &ComponentInteraction,
    data: &Data,
) -> Result<(), Failed> {
    let Some((kind, plan_id, mut reference)) = ButtonKind::parse(&c.data.custom_id) else {
        return Ok(());
    };
    let fail = |e: BotError| (e, false);
    if kind == ButtonKind::More {
        let ComponentInteractionDataKind::StringSelect { values } = &c.data.kind else {
            return Ok(());
        };
        reference = values.first().cloned().unwrap_or_default();
    }
    let plan = plan_of(data, plan_id).await.map_err(fail)?;
    let actor = who(ctx, data, &plan, &c.user, c.member.as_ref()).await;
    let now = data.clock.now();
    let target = Target::Component(c);
    let respond = |response| async move {
        c.create_response(&ctx.http, response)
            .await
            .map_err(|e| (e.into(), false))
    };
    match kind {
        ButtonKind::More => {
            let action = may_change(data, &plan, &actor, &reference)
                .await
                .map_err(fail)?;
            let reply = CreateInteractionResponseMessage::new()
                .content(format!(
                    "`{}` {}: what would you like to do?",
                    action.reference,
                    render::quote(&crate::text::shorten(&action.text, 200))
                ))
                .components(vec![action_row(
                    plan_id,
                    &action.reference,
                    data.settings.jobs.snooze_days,
                )])
                .ephemeral(true);
            respond(CreateInteractionResponse::Message(reply)).await
        }
        ButtonKind::Update => {
            let action = may_change(data, &plan, &actor, &reference)
                .await
                .map_err(fail)?;
            respond(CreateInteractionResponse::Modal(update_modal(
                &c.data.custom_id,
                &action,
            )))
            .await
        }
        ButtonKind::Complete => {
            let work = app::status::complete(&data.store, &plan, &actor, &reference, now);
            let (done, deferred) = answer::within(work, || target.defer(ctx)).await;
            let text = render::change_recorded(&done.map_err(|e| (e.into(), deferred))?);
            target
                .say(ctx, text, deferred)
                .await
                .map_err(|e| (e.into(), deferred))
        }
        ButtonKind::Snooze => {
            let days = data.settings.jobs.snooze_days;
            let work = app::status::snooze(&data.store, &plan, &actor, &reference, days, now);
            let (done, deferred) = answer::within(work, || target.defer(ctx)).await;
            let done = done.map_err(|e| (e.into(), deferred))?;
            let text = format!(
                "Snoozed: no more reminders about `{}` until <t:{}:f>.",
                done.reference,
                done.until.timestamp()
            );
            target
                .say(ctx, text, deferred)
                .await
                .map_err(|e| (e.into(), deferred))
        }
    }
}

fn update_modal(custom_id: &str, action: &crate::plan::Action) -> CreateModal {
    CreateModal::new(custom_id, shorten_title(&action.reference)).components(vec![
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Short, "New status", "status")
                .placeholder("Red, Amber, Green, Complete or Not started")
                .value(action.status.label())
                .max_length(20),
        ),
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Paragraph, "What has happened?", "note")
                .required(false)
                .max_length(crate::plan::MAX_NOTE_CHARS as u16),
        ),
    ])
}

async fn on_modal(
    ctx: &serenity::Context,
    m: &ModalInteraction,
    data: &Data,
) -> Result<(), Failed> {
    let Some((ButtonKind::Update, plan_id, reference)) = ButtonKind::parse(&m.data.custom_id)
    else {
        return Ok(());
    };
    let fail = |e: BotError| (e, false);
    let plan = plan_of(data, plan_id).await.map_err(fail)?;
    let actor = who(ctx, data, &plan, &m.user, m.member.as_ref()).await;
    let field = |id: &str| modal_field(m, id);
    let typed = field("status").unwrap_or_default();
    let to = Status::parse(&typed).map_err(|e| {
        fail(BotError::user(format!(
            "{e}. Nothing was changed; press Update status again."
        )))
    })?;
    let change = Change {
        to,
        note: field("note"),
        evidence: None,
    };
    let now = data.clock.now();
    let target = Target::Modal(m);
    let work = app::status::update_status(&data.store, &plan, &actor, &reference, change, now);
    let (done, deferred) = answer::within(work, || target.defer(ctx)).await;
    let text = render::change_recorded(&done.map_err(|e| (e.into(), deferred))?);
    target
        .say(ctx, text, deferred)
        .await
        .map_err(|e| (e.into(), deferred))
}

/// Discord refuses a whole message whose button ids run past this many
/// characters; a button that cannot fit is left off (its command remains).
pub(super) fn fits(custom_id: &str) -> bool {
    custom_id.chars().count() <= 100
}

/// A primary button, or none when its id does not fit (see [`fits`]).
pub(super) fn primary(custom_id: String, label: &str) -> Option<serenity::CreateButton> {
    fits(&custom_id).then(|| {
        serenity::CreateButton::new(custom_id)
            .label(crate::text::shorten(label, 80))
            .style(serenity::ButtonStyle::Primary)
    })
}

/// What was typed into a form's field, if anything was.
pub(super) fn modal_field(m: &ModalInteraction, id: &str) -> Option<String> {
    m.data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|c| match c {
            serenity::ActionRowComponent::InputText(t) if t.custom_id == id => t.value.clone(),
            _ => None,
        })
}

pub(super) async fn plan_of(data: &Data, plan_id: i64) -> Result<Plan, BotError> {
    data.store
        .plan_by_id(plan_id)
        .await?
        .ok_or_else(|| BotError::user("This reminder's plan is no longer in planbot."))
}

/// The presser, with their roles in the plan's server. In a DM there are no
/// roles on the interaction: the member is looked up in that server.
pub(super) async fn who(
    ctx: &serenity::Context,
    data: &Data,
    plan: &Plan,
    user: &serenity::User,
    member: Option<&serenity::Member>,
) -> app::Actor {
    let (admin, secretary) = match data.settings.guild_of_plan(&plan.name) {
        Some(guild) => roles(ctx, guild, user.id, member).await,
        None => (false, false),
    };
    app::Actor::discord(&user.name, user.id.get(), admin, secretary)
}

/// The action, once it is sure the presser may change it: before showing a
/// menu or a form for it (the change itself is checked again as it is written).
async fn may_change(
    data: &Data,
    plan: &Plan,
    actor: &app::Actor,
    reference: &str,
) -> Result<crate::plan::Action, BotError> {
    let rights = actor.rights(&data.store).await?;
    let action = data.store.action(plan, reference).await?;
    app::status::allowed(&rights, &action)?;
    Ok(action)
}

/// Modal titles are limited to 45 characters.
fn shorten_title(reference: &str) -> String {
    crate::text::shorten(&format!("Update {reference}"), 45)
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
