//! Changing an action: a status update (from `/status`, the update modal,
//! *Mark complete* or `planbot status`) and a snooze. Each goes through one
//! write path: permission, validation, time stamp and write in one
//! transaction.

use super::{Actor, AppError};
use crate::plan::{Action, Plan, Status, StatusChange, StatusRequest, access};
use crate::store::Store;
use chrono::{DateTime, Utc};

/// What somebody asks to record.
#[derive(Debug, Clone)]
pub struct Change {
    pub to: Status,
    pub note: Option<String>,
    pub evidence: Option<String>,
}

/// A status update as recorded.
#[derive(Debug, Clone)]
pub struct StatusOutcome {
    pub before: Action,
    pub after: Action,
    /// The history row written, with the time it was stamped.
    pub written: StatusChange,
}

/// The note a *Mark complete* press leaves in the history.
pub const COMPLETE_NOTE: &str = "Marked complete from a reminder";

pub async fn update_status(
    store: &Store,
    plan: &Plan,
    actor: &Actor,
    reference: &str,
    change: Change,
    now: DateTime<Utc>,
) -> Result<StatusOutcome, AppError> {
    // The linked lead is looked up in the write's own transaction.
    let actor = actor.clone();
    let updated = store
        .change_status(
            plan,
            reference,
            actor.linked_account(),
            move |action, linked| {
                let rights = actor.rights_linked(linked);
                allowed(&rights, action)?;
                let request = StatusRequest {
                    to: change.to,
                    note: change.note,
                    evidence: change.evidence,
                    by: rights.person.unwrap_or(actor.name),
                    by_discord_id: actor.discord_id,
                    at: now,
                };
                Ok::<_, AppError>(request.validated()?)
            },
        )
        .await?;
    Ok(StatusOutcome {
        before: updated.before,
        after: updated.after,
        written: updated.change,
    })
}

/// *Mark complete*: a status update to Complete, through the same path.
pub async fn complete(
    store: &Store,
    plan: &Plan,
    actor: &Actor,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<StatusOutcome, AppError> {
    let change = Change {
        to: Status::Complete,
        note: Some(COMPLETE_NOTE.into()),
        evidence: None,
    };
    update_status(store, plan, actor, reference, change, now).await
}

/// A snooze as recorded.
#[derive(Debug, Clone)]
pub struct Snoozed {
    pub reference: String,
    pub until: DateTime<Utc>,
}

/// No more reminders about the action for `days`.
pub async fn snooze(
    store: &Store,
    plan: &Plan,
    actor: &Actor,
    reference: &str,
    days: u32,
    now: DateTime<Utc>,
) -> Result<Snoozed, AppError> {
    let rights = actor.rights(store).await?;
    let by = rights.person.clone().unwrap_or_else(|| actor.name.clone());
    let until = now + chrono::Duration::days(i64::from(days));
    let mut reference_now = String::new();
    store
        .snooze_if(
            plan,
            reference,
            |action| {
                allowed(&rights, action)?;
                reference_now = action.reference.clone();
                Ok::<_, AppError>(by)
            },
            now,
            until,
        )
        .await?;
    Ok(Snoozed {
        reference: reference_now,
        until,
    })
}

/// Whether the actor may change the action, as it stands now.
pub fn allowed(rights: &access::Actor, action: &Action) -> Result<(), AppError> {
    if rights.may_update(action) {
        return Ok(());
    }
    Err(AppError::NotAllowed {
        reference: action.reference.clone(),
        leads: action.leads.clone(),
        linked: rights.person.is_some(),
    })
}
