//! *Review R1*, the button on the reminder that a risk is due for review: it
//! opens a form for the likelihood, impact and a note, filled with the last
//! rating, and records the review as `/risk review` does. The id carries the
//! plan and the risk, so the button works after a restart; the owners are
//! checked when it is pressed and again on the write.

use super::buttons::{Failed, Target, modal_field, plan_of, primary, who};
use super::{BotError, Data, answer};
use crate::app::risks::{Review, review_risk, risk_to_review};
use poise::serenity_prelude as serenity;
use serenity::{
    ComponentInteraction, CreateActionRow, CreateButton, CreateInputText,
    CreateInteractionResponse, CreateModal, InputTextStyle, ModalInteraction,
};

const PREFIX: &str = "pbrisk";

/// `pbrisk:<plan id>:<risk code>`.
fn parse(custom_id: &str) -> Option<(i64, String)> {
    let mut parts = custom_id.splitn(3, ':');
    if parts.next()? != PREFIX {
        return None;
    }
    let plan = parts.next()?.parse().ok()?;
    Some((plan, parts.next()?.to_string()))
}

pub fn is_ours(custom_id: &str) -> bool {
    parse(custom_id).is_some()
}

/// None for a code too long for a button's id.
pub fn button(plan_id: i64, code: &str) -> Option<CreateButton> {
    primary(
        format!("{PREFIX}:{plan_id}:{code}"),
        &format!("Review {code}"),
    )
}

/// The press: the form, once it is sure the presser owns the risk.
pub async fn on_press(
    ctx: &serenity::Context,
    c: &ComponentInteraction,
    data: &Data,
) -> Result<(), Failed> {
    let fail = |e: BotError| (e, false);
    let Some((plan_id, code)) = parse(&c.data.custom_id) else {
        return Ok(());
    };
    let plan = plan_of(data, plan_id).await.map_err(fail)?;
    let actor = who(ctx, data, &plan, &c.user, c.member.as_ref()).await;
    let now = data.clock.now();
    let standing = risk_to_review(&data.store, &plan, &actor, &code, now)
        .await
        .map_err(|e| fail(e.into()))?;
    let last = standing.review.map(|r| r.rating);
    let number = |label: &str, id: &str, hint: &str, value: Option<u8>| {
        let field = CreateInputText::new(InputTextStyle::Short, label, id)
            .placeholder(hint)
            .min_length(1)
            .max_length(1);
        CreateActionRow::InputText(match value {
            Some(v) => field.value(v.to_string()),
            None => field,
        })
    };
    let title = crate::text::shorten(&format!("Review {code}"), 45);
    let modal = CreateModal::new(&c.data.custom_id, title).components(vec![
        number(
            "Likelihood, 1 (rare) to 5 (almost certain)",
            "likelihood",
            "1 to 5",
            last.map(|r| r.likelihood),
        ),
        number(
            "Impact, 1 (negligible) to 5 (catastrophic)",
            "impact",
            "1 to 5",
            last.map(|r| r.impact),
        ),
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Paragraph, "What has changed?", "note")
                .required(false)
                .max_length(crate::plan::MAX_NOTE_CHARS as u16),
        ),
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Short, "Next review (optional)", "next")
                .placeholder("a date such as 2019-09-30")
                .required(false)
                .max_length(20),
        ),
    ]);
    c.create_response(&ctx.http, CreateInteractionResponse::Modal(modal))
        .await
        .map_err(|e| fail(e.into()))
}

/// The form sent: the review, recorded.
pub async fn on_submit(
    ctx: &serenity::Context,
    m: &ModalInteraction,
    data: &Data,
) -> Result<(), Failed> {
    let fail = |e: BotError| (e, false);
    let Some((plan_id, code)) = parse(&m.data.custom_id) else {
        return Ok(());
    };
    let plan = plan_of(data, plan_id).await.map_err(fail)?;
    let actor = who(ctx, data, &plan, &m.user, m.member.as_ref()).await;
    let field = |id: &str| {
        modal_field(m, id)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let again = |what: String| {
        fail(BotError::user(format!(
            "{what}. Nothing was recorded; press Review {code} again."
        )))
    };
    let score = |id: &str, name: &str| {
        let typed = field(id).unwrap_or_default();
        typed.parse::<i64>().map_err(|_| {
            again(format!(
                "{name} must be a whole number from 1 to 5, not \"{typed}\""
            ))
        })
    };
    let likelihood = score("likelihood", "The likelihood")?;
    let impact = score("impact", "The impact")?;
    let next_review = field("next")
        .map(|d| crate::plan::parse_date(&d).map_err(|e| again(e.to_string())))
        .transpose()?;
    let review = Review {
        likelihood,
        impact,
        note: field("note"),
        next_review,
    };
    let now = data.clock.now();
    let target = Target::Modal(m);
    let work = review_risk(&data.store, &plan, &actor, &code, review, now);
    let (done, deferred) = answer::within(work, || target.defer(ctx)).await;
    let (risk, written) = done.map_err(|e| (e.into(), deferred))?;
    let text = super::commands::risk_reviewed(&risk, &written, next_review);
    target
        .say(ctx, text, deferred)
        .await
        .map_err(|e| (e.into(), deferred))
}
