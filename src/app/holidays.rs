//! Bank holidays: importing gov.uk's file, choosing a plan's division, and
//! knowing whether enough of them are known for the reminders ahead.

use super::AppError;
use crate::config::JobSettings;
use crate::plan::Plan;
use crate::schedule::{Division, HOLIDAYS_AHEAD_DAYS};
use crate::store::{HolidaySpan, HolidaysStored, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Reads gov.uk's bank-holidays.json and stores every division in it.
/// What an import did: rows added and kept, the divisions the file had
/// nothing for (gov.uk's always has all three), and what is known now.
#[derive(Debug, Clone)]
pub struct HolidaysImported {
    pub stored: HolidaysStored,
    pub missing: Vec<Division>,
    pub known: Vec<HolidaySpan>,
}

pub async fn import(
    store: &Store,
    text: &str,
    now: DateTime<Utc>,
) -> Result<HolidaysImported, AppError> {
    let holidays = crate::import::parse_holidays(text)?;
    let stored = store.import_holidays(&holidays, now).await?;
    let missing = Division::ALL
        .into_iter()
        .filter(|d| !holidays.iter().any(|h| h.division == *d))
        .collect();
    Ok(HolidaysImported {
        stored,
        missing,
        known: store.holiday_spans().await?,
    })
}

pub async fn use_division(store: &Store, plan: &Plan, division: Division) -> Result<(), AppError> {
    Ok(store.set_holiday_division(plan, division).await?)
}

/// How far ahead a plan's bank holidays are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub plan: String,
    pub division: Division,
    /// False when none of the division's are imported and the config's list is used.
    pub imported: bool,
    pub known_until: Option<NaiveDate>,
    /// Fewer than six months ahead are known.
    pub short: bool,
}

pub async fn coverage(
    store: &Store,
    plan: &Plan,
    jobs: &JobSettings,
    now: DateTime<Utc>,
) -> Result<Coverage, AppError> {
    let division = store.holiday_division(plan).await?;
    let imported = !store.holidays(division).await?.is_empty();
    let days_off = jobs.days_off(division, store.holidays(division).await?);
    let known_until = days_off.last().copied();
    let horizon = plan.today(now) + Duration::days(HOLIDAYS_AHEAD_DAYS);
    Ok(Coverage {
        plan: plan.name.clone(),
        division,
        imported,
        known_until,
        // Another division's plan on England and Wales's list is as good as
        // knowing none of its own.
        short: known_until.is_none_or(|last| last < horizon)
            || (!imported && division != Division::EnglandAndWales),
    })
}

/// The warning `holidays`, `run` and `check` give when fewer than six
/// months of bank holidays are known.
pub fn shortfall(c: &Coverage) -> String {
    let known = match c.known_until {
        _ if !c.imported && c.division != Division::EnglandAndWales => format!(
            "it keeps {}'s bank holidays but none are imported (England and Wales's are used)",
            c.division
        ),
        Some(d) => format!("they are known only until {d}"),
        None => "none are known".to_string(),
    };
    format!(
        "plan {}: {known}, so reminders may go out on a bank holiday; \
         download https://www.gov.uk/bank-holidays.json and run `planbot holidays import FILE`",
        c.plan
    )
}
