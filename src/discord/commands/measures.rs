//! `/measure record`, `/measure show` and `/measures`: reading input and
//! wording answers; the rules are in `app::measures`.

use crate::app::AppError;
use crate::app::measures::{self, MeasureStanding, Reading};
use crate::discord::{BotError, Context, Error, access, answer, corrections, render};
use crate::plan::Plan;
use crate::plan::measure::Measure;
use crate::store::ValueRecorded;
use poise::serenity_prelude as serenity;

/// A measure (KPI): record a value, or show one with its trend
#[poise::command(
    slash_command,
    guild_only,
    subcommands("record", "show"),
    subcommand_required
)]
pub async fn measure(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Record a value of a measure you own
#[poise::command(slash_command, guild_only)]
async fn record(
    ctx: Context<'_>,
    #[description = "The measure's code, such as M1 (type to search)"]
    #[autocomplete = "autocomplete_measure"]
    code: String,
    #[description = "The value in the measure's unit, such as 72%, 14 or £1,200"] value: String,
    #[description = "Which period: a date, a month (May 2019) or a quarter (default: the last one due)"]
    period: Option<String>,
    #[description = "What lies behind the figure (up to 1,000 characters)"] note: Option<String>,
    #[description = "Replace the value already recorded for the period"] correct: Option<bool>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let actor = access::app_actor(&ctx).await;
    let for_date = period
        .as_deref()
        .map(|p| measures::period_date(&plan, p))
        .transpose()?;
    let reading = Reading {
        value,
        for_date,
        note,
        correction: correct.unwrap_or(false),
    };
    let now = ctx.data().clock.now();
    let store = &ctx.data().store;
    let work = measures::record_value(store, &plan, &actor, &code, reading, now);
    let (done, _) = answer::within(work, || ctx.defer()).await;
    match done {
        Ok(done) => {
            let text = recorded(&plan, &done);
            render::send_text(ctx, &text, false, "value.txt").await
        }
        Err(AppError::AlreadyRecorded {
            measure,
            period,
            start,
            value,
            by,
        }) => {
            // Asked privately, so that a mistyped period costs nothing.
            let text = format!(
                "{} already has **{}** for {}, recorded by {}. Nothing was changed.\nPress *Correct it* to replace it (you will be asked why), or run the command again with correct: True.",
                render::quote(&measure),
                render::quote(&value),
                render::quote(&period),
                render::quote(&by)
            );
            let buttons = corrections::button(plan.id, &measure, start)
                .map(|b| vec![serenity::CreateActionRow::Buttons(vec![b])]);
            let reply = poise::CreateReply::default()
                .content(text)
                .components(buttons.unwrap_or_default())
                .ephemeral(true)
                .allowed_mentions(serenity::CreateAllowedMentions::new());
            ctx.send(reply).await?;
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// What was written, judged against the trajectory.
pub(crate) fn recorded(plan: &Plan, done: &ValueRecorded) -> String {
    let (m, v) = (&done.measure, &done.recorded);
    let period = crate::plan::measure::Period::containing(v.period, m.frequency, plan.year_start);
    let judged = m.judge(period, v.value, None);
    let mut text = format!(
        "**{}** {}: **{}** for {} (by {}, recorded <t:{}:f>)\n{}: expected {} by the end of {} on the way to {}",
        m.code,
        render::quote(&m.name),
        m.unit.show(v.value),
        period.label(plan.year_start),
        render::quote(&v.by),
        v.at.timestamp(),
        judged.rag,
        m.unit.show(judged.expected),
        period.label(plan.year_start),
        m.unit.show(m.target),
    );
    if let Some(old) = &done.replaced {
        text.push_str(&format!("\nCorrected: it was {}", m.unit.show(old.value)));
    }
    if let Some(note) = &v.note {
        text.push_str(&format!("\nNote: {}", render::quote(note)));
    }
    text
}

/// A measure's definition, its latest value and its trend chart
#[poise::command(slash_command, guild_only)]
async fn show(
    ctx: Context<'_>,
    #[description = "The measure's code, such as M1 (type to search)"]
    #[autocomplete = "autocomplete_measure"]
    code: String,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let now = ctx.data().clock.now();
    let (standing, png) = measures::show(&ctx.data().store, &plan, &code, now).await?;
    let file = format!("trend-{}.png", standing.measure.code.to_lowercase());
    let reply = poise::CreateReply::default()
        .content(render::fit_message(&detail(&plan, &standing)))
        .attachment(serenity::CreateAttachment::bytes(png, file))
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    ctx.send(reply).await?;
    Ok(())
}

fn detail(plan: &Plan, s: &MeasureStanding) -> String {
    let m = &s.measure;
    let owners = if m.owners.is_empty() {
        "none named".to_string()
    } else {
        m.owners.join(", ")
    };
    let mut lines = vec![
        format!("**{}** {}", m.code, render::quote(&m.name)),
        format!(
            "{} {}, {} is better · owners: {}",
            m.frequency.as_str(),
            m.unit.as_str(),
            m.better.as_str(),
            render::quote(&owners)
        ),
        format!(
            "Baseline {} ({}) → target {} by {}; amber within {}",
            m.unit.show(m.baseline),
            render::date(m.baseline_date),
            m.unit.show(m.target),
            render::date(m.target_date),
            m.tolerance
        ),
    ];
    lines.push(match &s.latest {
        None => "No value recorded yet.".into(),
        Some((period, j)) => {
            let travel = match j.since_previous {
                Some(t) => format!("{} {} since the period before", t.arrow(), t.word()),
                None => "first value".into(),
            };
            format!(
                "Latest: **{}** for {}: **{}** (expected {}) · {travel} · {} {} since the baseline",
                m.unit.show(j.value),
                period.label(plan.year_start),
                j.rag,
                m.unit.show(j.expected),
                j.since_baseline.arrow(),
                j.since_baseline.word()
            )
        }
    });
    lines.join("\n")
}

/// The plan's measures, off target first
#[poise::command(slash_command, guild_only)]
pub async fn measures(
    ctx: Context<'_>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let now = ctx.data().clock.now();
    let all = measures::standings(&ctx.data().store, &plan, now).await?;
    if all.is_empty() {
        return Err(BotError::user("This plan has no measures yet."));
    }
    let mut text = format!(
        "**Measures of {}**, off target first\n",
        render::quote(&plan.name)
    );
    for s in &all {
        text.push_str(&line(&plan, s));
        text.push('\n');
    }
    render::send_text(ctx, text.trim_end(), false, "measures.txt").await
}

fn line(plan: &Plan, s: &MeasureStanding) -> String {
    let m = &s.measure;
    let head = format!(
        "`{}` {}",
        m.code,
        render::quote(&render::shorten(&m.name, 60))
    );
    match &s.latest {
        None => format!("{head}: no value yet"),
        Some((period, j)) => {
            let travel = j
                .since_previous
                .map(|t| format!(" {} {}", t.arrow(), t.word()))
                .unwrap_or_default();
            format!(
                "{head}: {} ({}) **{}**{travel}",
                m.unit.show(j.value),
                period.label(plan.year_start),
                j.rag
            )
        }
    }
}

/// The caller's own measures first, then the rest, matching the code's
/// start or every typed word of the name.
async fn autocomplete_measure(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let choices = match measure_choices(ctx, partial).await {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("autocomplete failed: {e}");
            Vec::new()
        }
    };
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

async fn measure_choices(
    ctx: Context<'_>,
    partial: &str,
) -> Result<Vec<serenity::AutocompleteChoice>, BotError> {
    let plan = access::plan(&ctx, super::status::typed_plan(&ctx).as_deref()).await?;
    let actor = access::app_actor(&ctx).await;
    let all = measures::measure_choices(&ctx.data().store, &plan, &actor).await?;
    Ok(super::pick(all, partial, |m: &Measure| (&m.code, &m.name)))
}
