use crate::app::status::{Change, update_status};
use crate::discord::{BotError, Context, Error, access, answer, render};
use crate::plan::Status;
use crate::store::Typist;
use poise::serenity_prelude as serenity;

/// The statuses, as Discord's picker shows them.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum StatusChoice {
    #[name = "Green: on track"]
    Green,
    #[name = "Amber: at risk"]
    Amber,
    #[name = "Red: off track"]
    Red,
    #[name = "Complete"]
    Complete,
    #[name = "Not started"]
    NotStarted,
}

impl From<StatusChoice> for Status {
    fn from(c: StatusChoice) -> Status {
        match c {
            StatusChoice::Green => Status::Green,
            StatusChoice::Amber => Status::Amber,
            StatusChoice::Red => Status::Red,
            StatusChoice::Complete => Status::Complete,
            StatusChoice::NotStarted => Status::NotStarted,
        }
    }
}

/// Update the status of an action you lead
#[poise::command(slash_command, guild_only)]
pub async fn status(
    ctx: Context<'_>,
    #[description = "The action's reference, such as 4.2 (type to search)"]
    #[autocomplete = "autocomplete_ref"]
    #[rename = "ref"]
    reference: String,
    #[description = "Where the action stands now"] status: StatusChoice,
    #[description = "What has happened, in a sentence or two (up to 1,000 characters)"]
    note: Option<String>,
    #[description = "A link to the evidence"] evidence: Option<String>,
    #[description = "Which plan (only if this server has several)"] plan: Option<String>,
) -> Result<(), Error> {
    let plan = access::plan(&ctx, plan.as_deref()).await?;
    let actor = access::app_actor(&ctx).await;
    let change = Change {
        to: status.into(),
        note,
        evidence,
    };
    let now = ctx.data().clock.now();
    let work = update_status(&ctx.data().store, &plan, &actor, &reference, change, now);
    let (done, _) = answer::within(work, || ctx.defer()).await;
    let text = render::status_recorded(&plan, &done?, now);
    render::send_text(ctx, &text, false, "update.txt").await
}

/// The caller's own open actions first, then the rest; matching the ref's
/// start or every typed word; at most 25, labels cut at a word.
pub async fn autocomplete_ref(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::CreateAutocompleteResponse {
    let choices = match ref_choices(ctx, partial).await {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("autocomplete failed: {e}");
            Vec::new()
        }
    };
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Discord shows at most 25 choices.
const CHOICES: usize = 25;

async fn ref_choices(
    ctx: Context<'_>,
    partial: &str,
) -> Result<Vec<serenity::AutocompleteChoice>, BotError> {
    let plan = access::plan(&ctx, typed_plan(&ctx).as_deref()).await?;
    // The lead linked to this account is looked up with the candidates.
    let typist = Typist::DiscordUser(ctx.author().id.get());
    let words: Vec<String> = partial.split_whitespace().map(str::to_lowercase).collect();
    let partial = partial.trim().to_lowercase();
    let found = ctx
        .data()
        .store
        .candidates(&plan, typist, &partial, &words, CHOICES)
        .await?;
    Ok(found
        .into_iter()
        .map(|a| {
            let label = format!("{} · {} ({})", a.reference, a.text, a.status.label());
            serenity::AutocompleteChoice::new(render::shorten(&label, 99), a.reference)
        })
        .collect())
}

/// The plan option as typed so far, so that autocomplete works in a server
/// with several plans once the plan is chosen.
pub(super) fn typed_plan(ctx: &Context<'_>) -> Option<String> {
    let poise::Context::Application(actx) = ctx else {
        return None;
    };
    actx.interaction
        .data
        .options()
        .into_iter()
        .find_map(|o| match (o.name, o.value) {
            ("plan", serenity::ResolvedValue::String(s)) => Some(s.to_string()),
            ("plan", serenity::ResolvedValue::Autocomplete { value, .. }) => {
                Some(value.to_string())
            }
            _ => None,
        })
}
