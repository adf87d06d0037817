//! Tying a lead's name to a Discord account.

use super::{Actor, AppError};
use crate::plan::{Person, Plan};
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Whether `name` is a person any plan names (a lead or an owner), in any case.
pub async fn is_known(store: &Store, name: &str) -> Result<bool, AppError> {
    Ok(store.has_person(name.trim()).await?)
}

/// Links `name` to `discord_id`. People are shared by every plan in the
/// database, so with `within` set the name must lead something in one of
/// those plans (a server's admin links only their own plans' leads).
pub async fn link_person(
    store: &Store,
    actor: &Actor,
    name: &str,
    discord_id: u64,
    within: Option<&[Plan]>,
    now: DateTime<Utc>,
) -> Result<Person, AppError> {
    if !actor.is_admin {
        return Err(AppError::NotAdmin);
    }
    if let Some(plans) = within
        && !leads_in(store, plans, now)
            .await?
            .contains(&name.trim().to_lowercase())
    {
        return Err(AppError::NoSuchPerson(name.trim().to_string()));
    }
    Ok(store.link_person(name, discord_id).await?)
}

/// The lower-cased names of everyone who leads an action or a priority in `plans`.
pub async fn leads_in(
    store: &Store,
    plans: &[Plan],
    now: DateTime<Utc>,
) -> Result<HashSet<String>, AppError> {
    let mut names = HashSet::new();
    for plan in plans {
        let today = plan.today(now);
        for a in store.actions(plan, &Default::default(), today).await? {
            names.extend(a.leads.iter().map(|l| l.to_lowercase()));
        }
        for p in store.priorities(plan).await? {
            names.extend(p.strategic_leads.iter().map(|l| l.to_lowercase()));
        }
    }
    Ok(names)
}
