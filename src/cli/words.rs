//! What the command line says when a request cannot be done: the
//! application's errors in words for someone at a terminal.

use super::UsageError;
use crate::app::AppError;
use crate::store::StoreError;

/// An application or store error, worded for the command line; anything
/// else as it was.
pub(super) fn word(e: anyhow::Error) -> anyhow::Error {
    let e = match e.downcast::<AppError>() {
        Ok(app) => return say(app),
        Err(e) => e,
    };
    match e.downcast::<StoreError>() {
        Ok(store) => say(store.into()),
        Err(e) => e,
    }
}

fn say(e: AppError) -> anyhow::Error {
    let text = match e {
        AppError::Store(e) => return e.into(),
        AppError::BadFile(e) => return e.into(),
        AppError::BadQuarter(e) => return UsageError(e.to_string()).into(),
        AppError::BadHolidays(e) => {
            format!("the holidays file is not as gov.uk publishes it: {e}; nothing was imported")
        }
        AppError::NoSuchAction { plan, reference } => {
            format!("plan \"{plan}\" has no action {reference}; `planbot actions` lists them")
        }
        AppError::NoSuchPlan { name, .. } => {
            format!("no plan is called \"{name}\"; `planbot plans` lists them")
        }
        AppError::SeveralPlans(names) => format!(
            "there are several plans ({}); say which with --plan",
            names.join(", ")
        ),
        AppError::NoPlans => {
            "there is no plan yet: import one with `planbot import FILE --plan NAME`".into()
        }
        AppError::NoSuchPerson(name) => {
            format!("nobody called \"{name}\" leads anything; `planbot people` lists who does")
        }
        AppError::NotADiscordId => {
            "0 is not a Discord user id (Developer Mode > Copy User ID gives the right number)"
                .into()
        }
        AppError::AlreadyRecorded {
            measure,
            period,
            value,
            by,
            ..
        } => format!(
            "{measure} already has {value} for {period}, recorded by {by}; add --correct to replace it"
        ),
        AppError::SameValue {
            measure,
            period,
            value,
        } => format!(
            "{measure} already has {value} for {period}, with the same note: the correction changes nothing, so nothing was recorded"
        ),
        AppError::BadPeriod(e @ crate::plan::measure::PeriodError::Unreadable(_)) => {
            return UsageError(e.to_string()).into();
        }
        AppError::NoSuchMeasure { plan, code } => {
            format!("plan \"{plan}\" has no measure {code}; `planbot measures` lists them")
        }
        AppError::NoSuchRisk { plan, code } => {
            format!("plan \"{plan}\" has no risk {code}; `planbot risks` lists them")
        }
        AppError::BeforeFirstRecord { plan, asked, first } => format!(
            "plan \"{plan}\" has no record before its first import, on {}: planbot cannot say \
             how it stood on {} (import an older sheet with `import --as-of DATE` into a new plan to go back further)",
            first.format("%-d %b %Y"),
            asked.format("%-d %b %Y")
        ),
        AppError::AsOfBeforeLatest { day, latest } => format!(
            "the plan already records changes up to {}, so this import cannot be dated {}; nothing was imported",
            latest.format("%-d %b %Y"),
            day.format("%-d %b %Y")
        ),
        AppError::JobInFuture { as_of, time_zone } => format!(
            "{} is still to come: a job run by hand as of then would queue its messages now, \
             and the real run would not queue them again; try it with --dry-run, which records nothing",
            as_of
                .with_timezone(&time_zone)
                .format("%a %-d %b %Y %H:%M %Z")
        ),
        AppError::NewPlanWithoutActions { name, known } => format!(
            "no plan is called \"{name}\" (the database has {}), and a file without actions does not \
             start one: check --plan, or import the new plan's actions first; nothing was imported",
            known.join(", ")
        ),
        AppError::SettingDiffers {
            plan,
            setting,
            has,
            given,
        } => format!(
            "plan \"{plan}\" has {setting} {has}, not {given}, and an import does not change a plan's \
             settings: leave the option out, or import into a new plan; nothing was imported"
        ),
        other => other.to_string(),
    };
    anyhow::Error::msg(text)
}
