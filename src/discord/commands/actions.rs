use super::status::{StatusChoice, autocomplete_ref};
use crate::discord::{BotError, Context, Error, access, render};
use crate::plan::Status;
use crate::store::ActionFilter;
use futures::StreamExt;
use poise::serenity_prelude as serenity;
use std::time::Duration;

/// Lines on one page of a paginated list, at most.
const PAGE_LINES: usize = 12;
/// Room on a page for each line: a page of full lines and its heading fit
/// one message.
const LINE_ROOM: usize = (render::MESSAGE_LIMIT - 100) / PAGE_LINES;
/// The same on a page of the overdue list, which may end with a note.
const OVERDUE_LINE_ROOM: usize =
    (render::MESSAGE_LIMIT - 100 - render::GREEN_BUT_OVERDUE.len()) / PAGE_LINES;
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
    let (action, history) = ctx
        .data()
        .store
        .action_with_recent_history(&plan, &reference, render::LAST_UPDATES)
        .await?;
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
    let store = ctx.data().store.clone();
    // Each page is read when it is shown: a plan of thousands of actions
    // costs no more to list than a short one.
    let page_of = move |page: usize| {
        let (store, plan, filter) = (store.clone(), plan.clone(), filter.clone());
        async move {
            let found = store
                .actions_page(&plan, &filter, today, page * PAGE_LINES, PAGE_LINES)
                .await?;
            let lines = found
                .actions
                .iter()
                .map(|a| render::action_line(&plan, a, today, LINE_ROOM))
                .collect();
            Ok::<_, BotError>((found.total, lines))
        }
    };
    let (total, first) = page_of(0).await?;
    if total == 0 {
        return render::send_text(ctx, "No actions match.", true, "actions.txt").await;
    }
    let title = crate::text::count(total, "action", "actions");
    paginate(ctx, &title, true, total, first, page_of).await
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
    let name = plan.name.clone();
    let store = ctx.data().store.clone();
    // A page at a time, as /actions: the whole list of a large plan is
    // thousands of lines (the board digest has it as a file).
    let page_of = move |page: usize| {
        let (store, plan) = (store.clone(), plan.clone());
        async move {
            let found = store
                .overdue_page(&plan, priority, today, page * PAGE_LINES, PAGE_LINES)
                .await?;
            let mut lines: Vec<String> = found
                .actions
                .iter()
                .map(|a| render::overdue_line(&plan, a, OVERDUE_LINE_ROOM))
                .collect();
            if found.actions.iter().any(|a| a.status == Status::Green) {
                lines.push(render::GREEN_BUT_OVERDUE.to_string());
            }
            Ok::<_, BotError>((found.total, lines))
        }
    };
    let (total, first) = page_of(0).await?;
    if total == 0 {
        return render::send_text(ctx, "Nothing is overdue.", false, "overdue.txt").await;
    }
    let title = format!("{total} overdue actions in {name}");
    paginate(ctx, &title, false, total, first, page_of).await
}

/// Sends a list of `total` lines a page at a time, with buttons to turn
/// pages; `first` is page 0 and `page_of` reads any page. The buttons belong
/// to this command's invocation, so they turn only its pages.
async fn paginate<F, Fut>(
    ctx: Context<'_>,
    title: &str,
    ephemeral: bool,
    total: usize,
    first: Vec<String>,
    page_of: F,
) -> Result<(), Error>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(usize, Vec<String>), BotError>>,
{
    let pages = total.div_ceil(PAGE_LINES).max(1);
    let text = |page: usize, lines: &[String]| {
        let head = format!(
            "**{}** (page {} of {pages})",
            render::quote(title),
            page + 1
        );
        let page = format!("{head}\n{}", lines.join("\n"));
        if page.chars().count() <= render::MESSAGE_LIMIT {
            return page;
        }
        // Lines made to fit their room can still overrun it (a reference
        // of 100 characters): the last resort cuts each line's end.
        let room = (render::MESSAGE_LIMIT - head.chars().count()) / lines.len().max(1) - 1;
        let cut: Vec<String> = lines.iter().map(|l| render::shorten(l, room)).collect();
        format!("{head}\n{}", cut.join("\n"))
    };
    if pages == 1 {
        return render::send_text(ctx, &text(0, &first), ephemeral, "list.txt").await;
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
                .disabled(page + 1 == pages),
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
        .content(text(0, &first))
        .components(buttons(0))
        .ephemeral(ephemeral)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    ctx.send(reply).await?;
    while let Some(press) = presses.next().await {
        page = if press.data.custom_id == next_id {
            (page + 1).min(pages - 1)
        } else {
            page.saturating_sub(1)
        };
        let (_, lines) = page_of(page).await?;
        let update = serenity::CreateInteractionResponseMessage::new()
            .content(text(page, &lines))
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
