//! The quarterly digest as a post for the board channel, with its files.

use super::BotError;
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
    let q = plan
        .year_start
        .parse_quarter(quarter)
        .map_err(|e| BotError::Internal(e.to_string()))?;
    let as_of = digest::quarter_as_of(&plan, q, now);
    let made = digest::make(store, &plan, q, as_of, now).await?;
    let mut message = serenity::CreateMessage::new()
        .content(format!(
            "**Board digest: {}, {}**, as the plan stood at the end of the quarter. The files hold the full board pack.",
            super::render::quote(&plan.name),
            made.quarter
        ))
        .embed(super::commands::digest_embed(&digest::embed(&made)))
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    for f in Format::All.expand() {
        let (name, bytes) =
            digest::render(&made, f).map_err(|e| BotError::Internal(e.to_string()))?;
        message = message.add_file(serenity::CreateAttachment::bytes(bytes, name));
    }
    Ok(DigestPost {
        message,
        plan,
        digest: made,
    })
}
