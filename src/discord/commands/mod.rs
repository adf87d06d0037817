//! The slash commands. Each handler asks the core and renders the answer.

mod actions;
mod digest;
mod jobs;
mod measures;
mod people;
mod plan;
mod risks;
mod status;

pub(crate) use digest::to_embed as digest_embed;
pub(crate) use measures::recorded as value_recorded;
pub(crate) use risks::reviewed as risk_reviewed;

use super::{Context, Data, Error};

pub(super) fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        status::status(),
        actions::action(),
        actions::actions(),
        actions::overdue(),
        digest::digest(),
        jobs::jobs(),
        plan::plan(),
        people::people(),
        measures::measure(),
        measures::measures(),
        risks::risk(),
        risks::risks(),
        help(),
    ]
}

/// What planbot can do for you
#[poise::command(slash_command)]
async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let text = "\
**planbot** keeps the improvement plan on track.
• `/status ref status [note] [evidence]`: update an action you lead (Red, Amber, Green, Not started, Complete)
• `/action ref`: one action in full, with its last updates
• `/actions [mine] [priority] [status] [lead] [overdue]`: list actions
• `/overdue [priority]`: actions past their due date
• `/plan summary`: RAG by priority · `/plan export`: the plan as CSV
• `/digest [quarter]`: the board digest with its files (board secretaries and plan admins)
• `/measure record code value [period] [note] [correct]`: record a value of a measure you own
• `/measure show code`: a measure, its latest value and its trend chart · `/measures`: all, off target first
• `/risk review code likelihood impact [note] [next_review]`: review a risk you own · `/risks`: the register
Plan admins: `/plan import`, `/people link`, `/people list`, `/jobs` (reminders and the outbox).
Dates show in your own time zone; quarters are UK financial quarters (Q1 = Apr-Jun).";
    super::render::send_text(ctx, text, true, "help.txt").await
}

/// Autocomplete choices from `(item, own)` pairs already in order: those
/// whose code starts with what was typed, or whose name holds every typed
/// word; at most 25 (Discord's limit), the caller's own marked.
fn pick<T>(
    items: Vec<(T, bool)>,
    partial: &str,
    key: impl Fn(&T) -> (&String, &String),
) -> Vec<poise::serenity_prelude::AutocompleteChoice> {
    let typed = partial.trim().to_lowercase();
    let words: Vec<&str> = typed.split_whitespace().collect();
    items
        .iter()
        .filter(|(item, _)| {
            let (code, name) = key(item);
            let name = name.to_lowercase();
            code.to_lowercase().starts_with(&typed) || words.iter().all(|w| name.contains(w))
        })
        // Discord refuses the whole answer if one value is over 100 characters.
        .filter(|(item, _)| key(item).0.chars().count() <= 100)
        .take(25)
        .map(|(item, own)| {
            let (code, name) = key(item);
            let mine = if *own { " (yours)" } else { "" };
            let label = super::render::shorten(&format!("{code} · {name}{mine}"), 99);
            poise::serenity_prelude::AutocompleteChoice::new(label, code.clone())
        })
        .collect()
}
