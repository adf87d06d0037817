use crate::discord::{Context, Error, access};
use crate::jobs::SchedulerStatus;

/// Reminder jobs: next runs, the outbox, who could not be reached (plan admins)
#[poise::command(slash_command, guild_only, check = "access::require_admin")]
pub async fn jobs(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let now = data.clock.now();
    let guild = access::guild_settings(&ctx)?;
    let statuses = SchedulerStatus::all(&data.store, &data.settings, now)
        .await
        .map_err(|e| crate::discord::BotError::Internal(e.to_string()))?;
    let mut text = String::from("**Scheduled jobs**\n");
    for s in statuses
        .iter()
        .filter(|s| guild.plans.iter().any(|p| p.eq_ignore_ascii_case(&s.plan)))
    {
        let next = s
            .next_fire
            .map_or("never".to_string(), |t| format!("<t:{}:f>", t.timestamp()));
        text.push_str(&format!(
            "• {} · **{}** (`{}`): next {next}",
            s.plan, s.job, s.schedule
        ));
        if let Some(p) = &s.problem {
            text.push_str(&format!(" — not running: {p}"));
        }
        text.push('\n');
    }
    match data.store.lease().await? {
        Some((holder, until)) if until > now => {
            text.push_str(&format!("Scheduler: running ({holder}).\n"))
        }
        _ => text.push_str("Scheduler: **not running**; no reminders go out.\n"),
    }
    let waiting = data
        .store
        .outbox_entries(&["pending", "failed"], 500)
        .await?;
    let (pending, failed): (Vec<_>, Vec<_>) = waiting.iter().partition(|e| e.state == "pending");
    text.push_str(&format!(
        "Outbox: {} waiting, {} failed.\n",
        pending.len(),
        failed.len()
    ));
    for e in failed.iter().take(10) {
        text.push_str(&format!(
            "• failed: {} to {}: {}\n",
            e.job,
            super::super::render::quote(&e.to),
            super::super::render::quote(e.last_error.as_deref().unwrap_or(""))
        ));
    }
    let unreachable = data.store.unreachable(chrono::DateTime::UNIX_EPOCH).await?;
    if !unreachable.is_empty() {
        text.push_str("Could not be reached by DM (reminded in the channel instead):\n");
        for (name, why) in &unreachable {
            text.push_str(&format!(
                "• {} ({why})\n",
                super::super::render::quote(name)
            ));
        }
    }
    super::super::render::send_text(ctx, &text, true, "jobs.txt").await
}
