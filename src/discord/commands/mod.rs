//! The slash commands. Each handler asks the core and renders the answer.

mod actions;
mod digest;
mod jobs;
mod people;
mod plan;
mod status;

pub(crate) use digest::to_embed as digest_embed;

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
Plan admins: `/plan import`, `/people link`, `/people list`, `/jobs` (reminders and the outbox).
Dates show in your own time zone; quarters are UK financial quarters (Q1 = Apr-Jun).";
    super::render::send_text(ctx, text, true, "help.txt").await
}
