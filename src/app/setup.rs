//! `planbot check`: whether the setup works, as findings an adapter prints.
//! This part asks the database; the Discord adapter asks Discord.

use super::AppError;
use crate::config::Settings;
use crate::plan::Person;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};

/// One verdict of the check, worded for the person setting planbot up: what
/// is wrong and what to do, or what was found to be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub verdict: Verdict,
    pub line: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    /// Worth knowing, but planbot works (or fixes it itself when it runs).
    Warning,
    /// planbot will not work as configured until someone acts.
    Problem,
}

impl Finding {
    pub fn ok(line: impl Into<String>) -> Finding {
        Finding {
            verdict: Verdict::Ok,
            line: line.into(),
        }
    }

    pub fn warning(line: impl Into<String>) -> Finding {
        Finding {
            verdict: Verdict::Warning,
            line: line.into(),
        }
    }

    pub fn problem(line: impl Into<String>) -> Finding {
        Finding {
            verdict: Verdict::Problem,
            line: line.into(),
        }
    }
}

/// A configured plan's leads who are linked to a Discord account: the people
/// reminders try to reach by direct message.
#[derive(Debug, Clone)]
pub struct PlanLeads {
    pub plan: String,
    pub linked: Vec<Person>,
}

/// What the database says: its schema, whether each configured plan is in
/// it, and each plan's linked leads (for the Discord side to look for).
pub async fn check_plans(
    store: &Store,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<(Vec<Finding>, Vec<PlanLeads>), AppError> {
    let mut findings = vec![schema_finding(store).await?];
    // Bank holidays are kept from schema 4; an older database has the
    // built-in list until `run` brings it up to date.
    let holidays_kept = store.schema_version().await? >= 4;
    let people = store.people().await?;
    let mut leads = Vec::new();
    let names = settings.guilds.iter().flat_map(|g| g.plans.iter());
    for name in names {
        let plan = match store.find_plan(Some(name)).await {
            Ok(plan) => plan,
            Err(StoreError::NoSuchPlan(_) | StoreError::NoPlans) => {
                findings.push(Finding::problem(format!(
                    "plan \"{name}\" is not in the database {}: import it with `planbot import FILE --plan \"{name}\"`, or correct its name in the config",
                    store.path().display()
                )));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let lead_names = super::people::leads_in(store, std::slice::from_ref(&plan), now).await?;
        let linked: Vec<Person> = people
            .iter()
            .map(|p| &p.person)
            .filter(|p| p.discord_id.is_some() && lead_names.contains(&p.name.to_lowercase()))
            .cloned()
            .collect();
        findings.push(Finding::ok(format!(
            "plan \"{}\" is in the database: {} leads, {} linked to a Discord account",
            plan.name,
            lead_names.len(),
            linked.len()
        )));
        if holidays_kept {
            findings.push(holidays_finding(store, &plan, settings, now).await?);
        }
        leads.push(PlanLeads {
            plan: plan.name,
            linked,
        });
    }
    Ok((findings, leads))
}

async fn holidays_finding(
    store: &Store,
    plan: &crate::plan::Plan,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Finding, AppError> {
    let c = super::holidays::coverage(store, plan, &settings.jobs, now).await?;
    Ok(match (c.short, c.known_until) {
        (true, _) | (false, None) => Finding::warning(super::holidays::shortfall(&c)),
        (false, Some(until)) => Finding::ok(format!(
            "plan \"{}\": {} bank holidays known until {until}",
            plan.name, c.division
        )),
    })
}

/// An older schema is no fault: `planbot run` (or any command that writes)
/// brings it up to date, so it is worth a warning only.
async fn schema_finding(store: &Store) -> Result<Finding, AppError> {
    let path = store.path().display();
    let version = store.schema_version().await?;
    let latest = crate::store::latest_schema_version();
    Ok(if version >= latest {
        Finding::ok(format!("database {path}: schema version {version}"))
    } else {
        Finding::warning(format!(
            "database {path}: schema version {version}, older than this planbot's {latest}: `planbot run` brings it up to date"
        ))
    })
}
