//! The quarterly digest as a post for the board channel, with its files.

use super::BotError;
use crate::app;
use crate::digest::{self, Format};
use crate::store::Store;
use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;

/// The post, and what to record once it has gone.
pub struct DigestPost {
    pub message: serenity::CreateMessage,
    pub plan: crate::plan::Plan,
    pub digest: digest::Digest,
}

pub async fn build(
    store: &Store,
    plan_id: i64,
    quarter: &str,
    now: DateTime<Utc>,
) -> Result<DigestPost, BotError> {
    let plan = store
        .plan_by_id(plan_id)
        .await?
        .ok_or_else(|| BotError::Internal(format!("plan {plan_id} is gone")))?;
    let made =
        app::digest::make_scheduled_digest(store, &plan, Some(quarter), &Format::All.expand(), now)
            .await
            .map_err(|e| BotError::Internal(e.to_string()))?;
    let mut message = serenity::CreateMessage::new()
        .content(format!(
            "**Board digest: {}, {}**, as the plan stood at the end of the quarter. The files hold the full board pack.",
            super::render::quote(&plan.name),
            made.digest.quarter
        ))
        .embed(super::commands::digest_embed(&made.embed))
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    for (name, bytes) in made.files {
        message = message.add_file(serenity::CreateAttachment::bytes(bytes, name));
    }
    Ok(DigestPost {
        message,
        plan,
        digest: made.digest,
    })
}
