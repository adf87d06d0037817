use super::status::{StatusChoice, autocomplete_ref};
use crate::discord::{BotError, Context, Error, access, render};
use crate::plan::Status;
use crate::store::ActionFilter;
use futures::StreamExt;
use poise::serenity_prelude as serenity;
use std::time::Duration;

/// Lines on one page of a paginated list, at most.
const PAGE_LINES: usize = 12;
/// Room on a page for its heading.
const HEADING_ROOM: usize = 100;
/// How long the page buttons keep working.
const PAGE_TIMEOUT: Duration = Duration::from_secs(600);

/// One action in full, with its last updates
#[poise::command(slash_command, guild_only)]
pub async fn action(
    ctx: Context<'_>,
    #[description = "The action's reference, such as 4.2 (type to search)"]
    #[autocomplete = "autocomplete_ref"]
    #[rename = "ref"]
    reference: String,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let store = &ctx.data().store;
    let action = store.action(&plan, &reference).await?;
    let history = store.history(&plan, &action.reference).await?;
    let today = plan.today(ctx.data().clock.now());
    let text = render::action_detail(&plan, &action, today, &history);
    render::send_text(
        ctx,
        &text,
        true,
        &format!("action-{}.txt", action.reference),
    )
    .await
}

/// List the plan's actions, filtered
#[poise::command(slash_command, guild_only)]
pub async fn actions(
    ctx: Context<'_>,
    #[description = "Only the actions you lead"] mine: Option<bool>,
    #[description = "Only this priority (its number)"] priority: Option<u32>,
    #[description = "Only this status"] status: Option<StatusChoice>,
    #[description = "Only actions this person leads"] lead: Option<String>,
    #[description = "Only actions past their due date"] overdue: Option<bool>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let mut lead = lead;
    if mine == Some(true) {
        let actor = access::actor(&ctx).await?;
        lead = Some(actor.person.ok_or_else(|| {
            BotError::user("Your Discord account is not linked to a lead, so you have no actions of your own. A plan admin can link it with /people link.")
        })?);
    }
    let filter = ActionFilter {
        priority,
        status: status.map(Status::from),
        lead,
        overdue: overdue.unwrap_or(false),
    };
    let today = plan.today(ctx.data().clock.now());
    let found = ctx.data().store.actions(&plan, &filter, today).await?;
    if found.is_empty() {
        return render::send_text(ctx, "No actions match.", true, "actions.txt").await;
    }
    let lines: Vec<String> = found
        .iter()
        .map(|a| render::action_line(&plan, a, today))
        .collect();
    paginate(ctx, &format!("{} actions", found.len()), &lines).await
}

/// Actions past their due date, most overdue first
#[poise::command(slash_command, guild_only)]
pub async fn overdue(
    ctx: Context<'_>,
    #[description = "Only this priority (its number)"] priority: Option<u32>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let today = plan.today(ctx.data().clock.now());
    let found = ctx
        .data()
        .store
        .overdue_actions(&plan, priority, today)
        .await?;
    if found.is_empty() {
        return render::send_text(ctx, "Nothing is overdue.", false, "overdue.txt").await;
    }
    let mut text = format!(
        "**{} overdue actions** in {}\n",
        found.len(),
        render::quote(&plan.name)
    );
    for a in &found {
        let leads = if a.leads.is_empty() {
            "no lead".into()
        } else {
            render::quote(&a.leads.join(", "))
        };
        text.push_str(&format!("{} · {leads}\n", render::overdue_line(&plan, a)));
    }
    if found.iter().any(|a| a.status == crate::plan::Status::Green) {
        text.push_str(render::GREEN_BUT_OVERDUE);
        text.push('\n');
    }
    render::send_text(ctx, &text, false, "overdue.txt").await
}

/// Sends a long list a page at a time, with buttons to turn pages. The
/// buttons belong to this command's invocation, so they turn only its pages.
async fn paginate(ctx: Context<'_>, title: &str, lines: &[String]) -> Result<(), Error> {
    let pages = pages_of(title, lines);
    if pages.len() == 1 {
        return render::send_text(ctx, &pages[0], true, "actions.txt").await;
    }
    let prefix = ctx.id().to_string();
    let (prev_id, next_id) = (format!("{prefix}:prev"), format!("{prefix}:next"));
    let buttons = |page: usize| {
        vec![serenity::CreateActionRow::Buttons(vec![
            serenity::CreateButton::new(&prev_id)
                .label("Previous")
                .disabled(page == 0),
            serenity::CreateButton::new(&next_id)
                .label("Next")
                .disabled(page + 1 == pages.len()),
        ])]
    };
    let mut page = 0;
    // Listen before sending, so even an instant press is not missed.
    let mut presses = serenity::ComponentInteractionCollector::new(ctx)
        .filter({
            let prefix = format!("{prefix}:");
            move |press| press.data.custom_id.starts_with(&prefix)
        })
        .timeout(PAGE_TIMEOUT)
        .stream();
    let reply = poise::CreateReply::default()
        .content(&pages[0])
        .components(buttons(0))
        .ephemeral(true)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    ctx.send(reply).await?;
    while let Some(press) = presses.next().await {
        page = if press.data.custom_id == next_id {
            (page + 1).min(pages.len() - 1)
        } else {
            page.saturating_sub(1)
        };
        let update = serenity::CreateInteractionResponseMessage::new()
            .content(&pages[page])
            .components(buttons(page))
            .allowed_mentions(serenity::CreateAllowedMentions::new());
        press
            .create_response(
                ctx,
                serenity::CreateInteractionResponse::UpdateMessage(update),
            )
            .await?;
    }
    Ok(())
}

/// Splits lines into pages of whole lines that fit one message each.
fn pages_of(title: &str, lines: &[String]) -> Vec<String> {
    let mut chunks: Vec<Vec<&str>> = vec![Vec::new()];
    let mut size = 0;
    for line in lines {
        let len = line.chars().count() + 1;
        let chunk = chunks.last_mut().expect("not empty");
        if !chunk.is_empty()
            && (chunk.len() == PAGE_LINES || size + len > render::MESSAGE_LIMIT - HEADING_ROOM)
        {
            chunks.push(Vec::new());
            size = 0;
        }
        chunks.last_mut().expect("not empty").push(line);
        size += len;
    }
    let total = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "**{}** (page {} of {total})\n{}",
                render::quote(title),
                i + 1,
                c.join("\n")
            )
        })
        .collect()
}
