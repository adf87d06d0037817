//! `/risk review` and `/risks`: reading input and wording answers; the
//! rules are in `app::risks`.

use crate::app::risks::{self, Review, RiskTrend};
use crate::discord::{BotError, Context, Error, access, answer, render};
use crate::plan::risk::Risk;
use poise::serenity_prelude as serenity;

/// A risk on the register: review it
#[poise::command(slash_command, guild_only, subcommands("review"), subcommand_required)]
pub async fn risk(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Review a risk you own: its likelihood and impact now
#[poise::command(slash_command, guild_only)]
async fn review(
    ctx: Context<'_>,
    #[description = "The risk's code, such as R1 (type to search)"]
    #[autocomplete = "autocomplete_risk"]
    code: String,
    #[description = "How likely, 1 (rare) to 5 (almost certain)"]
    #[min = 1]
    #[max = 5]
    likelihood: i64,
    #[description = "How bad if it happens, 1 (negligible) to 5 (catastrophic)"]
    #[min = 1]
    #[max = 5]
    impact: i64,
    #[description = "What has changed, in a sentence or two (up to 1,000 characters)"] note: Option<
        String,
    >,
    #[description = "When to review it next: a date such as 2019-09-30"] next_review: Option<
        String,
    >,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let actor = access::app_actor(&ctx).await;
    let next_review = next_review
        .as_deref()
        .map(crate::plan::parse_date)
        .transpose()
        .map_err(crate::app::AppError::from)?;
    let asked = Review {
        likelihood,
        impact,
        note,
        next_review,
    };
    let now = ctx.data().clock.now();
    let work = risks::review_risk(&ctx.data().store, &plan, &actor, &code, asked, now);
    let (done, _) = answer::within(work, || ctx.defer()).await;
    let (risk, written) = done?;
    let text = reviewed(&risk, &written, next_review);
    render::send_text(ctx, &text, false, "review.txt").await
}

/// What a review recorded, as `/risk review` and the reminder's form say it.
pub(crate) fn reviewed(
    risk: &Risk,
    written: &crate::store::RiskReview,
    next_review: Option<chrono::NaiveDate>,
) -> String {
    let r = written.rating;
    let mut text = format!(
        "**{}** {}: likelihood {} × impact {} = **{} {}** (by {}, recorded <t:{}:f>)",
        risk.code,
        render::quote(&risk.title),
        r.likelihood,
        r.impact,
        r.score(),
        r.band().word(),
        render::quote(&written.by),
        written.at.timestamp()
    );
    if let Some(next) = next_review {
        text.push_str(&format!("\nNext review {}", render::date(next)));
    }
    if let Some(note) = &written.note {
        text.push_str(&format!("\nNote: {}", render::quote(note)));
    }
    text
}

/// The risk register, highest score first, with the change since last quarter
#[poise::command(slash_command, guild_only)]
pub async fn risks(
    ctx: Context<'_>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let now = ctx.data().clock.now();
    let all = risks::register_now(&ctx.data().store, &plan, now).await?;
    if all.is_empty() {
        return Err(BotError::user("This plan has no risk register yet."));
    }
    let (q, _) = crate::digest::last_quarter(&plan, now);
    let since = plan.year_start.label(q);
    let mut text = format!(
        "**Risks of {}**, highest score first (change since the end of {since})\n",
        render::quote(&plan.name)
    );
    for t in &all {
        text.push_str(&line(t));
        text.push('\n');
    }
    render::send_text(ctx, text.trim_end(), false, "risks.txt").await
}

fn line(t: &RiskTrend) -> String {
    let r = &t.now.risk;
    let head = format!(
        "`{}` {}",
        r.code,
        render::quote(&render::shorten(&r.title, 70))
    );
    let Some(review) = &t.now.review else {
        return format!("{head}: not rated yet");
    };
    let rating = review.rating;
    let change = match t.change() {
        None => "new since then".to_string(),
        Some(0) => "no change".to_string(),
        Some(up) if up > 0 => format!("↑ up {up} (worse)"),
        Some(down) => format!("↓ down {} (better)", -down),
    };
    format!(
        "{head}: **{} {}** (L{} × I{}) · {change}",
        rating.score(),
        rating.band().word(),
        rating.likelihood,
        rating.impact
    )
}

/// The caller's own risks first, then the rest.
async fn autocomplete_risk(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let choices = match risk_choices(ctx, partial).await {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("autocomplete failed: {e}");
            Vec::new()
        }
    };
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

async fn risk_choices(
    ctx: Context<'_>,
    partial: &str,
) -> Result<Vec<serenity::AutocompleteChoice>, BotError> {
    let plan = access::plan(&ctx, super::status::typed_plan(&ctx).as_deref()).await?;
    let actor = access::app_actor(&ctx).await;
    let now = ctx.data().clock.now();
    let all = risks::risk_choices(&ctx.data().store, &plan, &actor, now).await?;
    Ok(super::pick(all, partial, |r: &Risk| (&r.code, &r.title)))
}
