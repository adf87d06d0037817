//! The buttons that open a form for a measure's value: *Correct it*, under
//! "a value is already recorded", which asks for the right value and why;
//! and *Record value*, on the reminder that a value is due. Only submitting
//! the form records. The id carries plan, period and measure, so a button
//! works after a restart; the owners are checked again on the write.

use super::buttons::{Failed, Target, modal_field, primary, who};
use super::{BotError, Data, answer};
use crate::app::measures::{Reading, record_value};
use chrono::NaiveDate;
use poise::serenity_prelude as serenity;
use serenity::{
    ComponentInteraction, CreateActionRow, CreateButton, CreateInputText,
    CreateInteractionResponse, CreateModal, InputTextStyle, ModalInteraction,
};

/// Which form: a correction of a value recorded, or a first value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Correct,
    Record,
}

impl Mode {
    fn prefix(self) -> &'static str {
        match self {
            Mode::Correct => "pbfix",
            Mode::Record => "pbval",
        }
    }
}

/// `pbfix:<plan id>:<period start>:<measure code>` (or `pbval:...`).
fn custom_id(mode: Mode, plan_id: i64, code: &str, start: NaiveDate) -> String {
    format!("{}:{plan_id}:{start}:{code}", mode.prefix())
}

fn parse(custom_id: &str) -> Option<(Mode, i64, NaiveDate, String)> {
    let mut parts = custom_id.splitn(4, ':');
    let prefix = parts.next()?;
    let mode = [Mode::Correct, Mode::Record]
        .into_iter()
        .find(|m| m.prefix() == prefix)?;
    let plan = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    Some((mode, plan, start, parts.next()?.to_string()))
}

pub fn is_ours(custom_id: &str) -> bool {
    parse(custom_id).is_some()
}

/// Under "a value is already recorded"; none for a code too long for a
/// button's id.
pub fn button(plan_id: i64, code: &str, start: NaiveDate) -> Option<CreateButton> {
    primary(custom_id(Mode::Correct, plan_id, code, start), "Correct it")
}

/// On the reminder that a value is due; none for a code too long for a
/// button's id.
pub fn record_button(plan_id: i64, code: &str, start: NaiveDate) -> Option<CreateButton> {
    primary(
        custom_id(Mode::Record, plan_id, code, start),
        &format!("Record {code}"),
    )
}

/// The press: the form, once it is sure the presser may record the measure.
pub async fn on_press(
    ctx: &serenity::Context,
    c: &ComponentInteraction,
    data: &Data,
) -> Result<(), Failed> {
    let fail = |e: BotError| (e, false);
    let Some((mode, plan_id, start, code)) = parse(&c.data.custom_id) else {
        return Ok(());
    };
    let plan = super::buttons::plan_of(data, plan_id).await.map_err(fail)?;
    let actor = who(ctx, data, &plan, &c.user, c.member.as_ref()).await;
    let rights = actor
        .rights(&data.store)
        .await
        .map_err(|e| fail(e.into()))?;
    let measure = data
        .store
        .measure(&plan, &code)
        .await
        .map_err(|e| fail(e.into()))?;
    if !rights.may_record(&measure.owners) {
        return Err(fail(
            crate::app::AppError::NotOwner {
                code: measure.code,
                owners: measure.owners,
            }
            .into(),
        ));
    }
    let (verb, value_label, note) = match mode {
        Mode::Correct => ("Correct", "The right value", Some("Why correct it?")),
        Mode::Record => ("Record", "The value", None),
    };
    let title = crate::text::shorten(&format!("{verb} {code} for {start}"), 45);
    let mut note_field = CreateInputText::new(
        InputTextStyle::Paragraph,
        note.unwrap_or("A note (optional)"),
        "note",
    )
    .max_length(crate::plan::MAX_NOTE_CHARS as u16);
    if note.is_none() {
        note_field = note_field.required(false);
    }
    let modal = CreateModal::new(&c.data.custom_id, title).components(vec![
        CreateActionRow::InputText(
            CreateInputText::new(InputTextStyle::Short, value_label, "value")
                .placeholder(format!("in {}", measure.unit.as_str()))
                .max_length(40),
        ),
        CreateActionRow::InputText(note_field),
    ]);
    c.create_response(&ctx.http, CreateInteractionResponse::Modal(modal))
        .await
        .map_err(|e| fail(e.into()))
}

/// The form sent: the correction, recorded.
pub async fn on_submit(
    ctx: &serenity::Context,
    m: &ModalInteraction,
    data: &Data,
) -> Result<(), Failed> {
    let fail = |e: BotError| (e, false);
    let Some((mode, plan_id, start, code)) = parse(&m.data.custom_id) else {
        return Ok(());
    };
    let plan = super::buttons::plan_of(data, plan_id).await.map_err(fail)?;
    let actor = who(ctx, data, &plan, &m.user, m.member.as_ref()).await;
    let field = |id: &str| modal_field(m, id);
    let reading = Reading {
        value: field("value").unwrap_or_default(),
        for_date: Some(crate::plan::measure::Written::day(start)),
        note: field("note"),
        // A first value that meets one recorded meanwhile is refused, and
        // the answer offers *Correct it*.
        correction: mode == Mode::Correct,
    };
    let now = data.clock.now();
    let target = Target::Modal(m);
    let work = record_value(&data.store, &plan, &actor, &code, reading, now);
    let (done, deferred) = answer::within(work, || target.defer(ctx)).await;
    let done = done.map_err(|e| (e.into(), deferred))?;
    let text = super::commands::value_recorded(&plan, &done);
    target
        .say(ctx, text, deferred)
        .await
        .map_err(|e| (e.into(), deferred))
}
