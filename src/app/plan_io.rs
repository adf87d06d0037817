//! Importing a plan (or its list of recommendations) from a spreadsheet, and
//! exporting it as CSV.

use super::imported::recorded;
pub use super::imported::{
    Changed, Imported, ImportedKind, RegisterRead, RegisterRecorded, ValueCorrection,
};
use super::{Actor, AppError, off_runtime};
use crate::import::{
    Problems, Reading, Recorded, Settled, SheetKind, read_plan_file_partly, read_plan_path_partly,
};
use crate::plan::{AsOf, Plan};
use crate::store::{ActionFilter, ImportOptions, PlanSettings, Register, Store};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashSet;
use std::path::PathBuf;

/// Where the sheet comes from.
pub enum Source {
    /// A file on this machine, read as a stream.
    Path(PathBuf),
    /// An upload: its name (which says its kind) and bytes.
    Bytes { file_name: String, bytes: Vec<u8> },
}

impl Source {
    fn file_name(&self) -> String {
        match self {
            Source::Path(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Source::Bytes { file_name, .. } => file_name.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub prune: bool,
    pub dry_run: bool,
    /// The day the sheet reports on: its statuses, values and ratings are
    /// recorded as of the end of that day in the plan's time zone, not now.
    pub as_of: Option<NaiveDate>,
    pub settings: NewPlanSettings,
    /// The plan's name is checked already (a server's config names it), so
    /// a file without actions may start it though the database has others.
    pub name_checked: bool,
}

/// The settings asked for a new plan; each one left out takes its default.
/// An import does not change a plan that exists: a setting given for one
/// must be the one it has, so that a flag is never silently ignored.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewPlanSettings {
    pub time_zone: Option<crate::plan::Zone>,
    pub year_start: Option<crate::plan::YearStart>,
    pub stale_days: Option<u32>,
}

impl NewPlanSettings {
    fn for_plan(self, existing: Option<&Plan>) -> Result<PlanSettings, AppError> {
        let Some(plan) = existing else {
            let default = PlanSettings::default();
            return Ok(PlanSettings {
                time_zone: self.time_zone.unwrap_or(default.time_zone),
                year_start: self.year_start.unwrap_or(default.year_start),
                stale_days: self.stale_days.unwrap_or(default.stale_days),
            });
        };
        let differs = |setting: &'static str, has: String, given: String| {
            Err(AppError::SettingDiffers {
                plan: plan.name.clone(),
                setting,
                has,
                given,
            })
        };
        if let Some(zone) = self.time_zone.filter(|z| !z.same_as(&plan.time_zone)) {
            return differs("time zone", plan.time_zone.to_string(), zone.to_string());
        }
        if let Some(start) = self.year_start.filter(|y| *y != plan.year_start) {
            let month = |y: crate::plan::YearStart| y.month_name().to_string();
            return differs(
                "a financial year from",
                month(plan.year_start),
                month(start),
            );
        }
        if let Some(days) = self.stale_days.filter(|d| *d != plan.stale_days) {
            return differs("stale days", plan.stale_days.to_string(), days.to_string());
        }
        Ok(PlanSettings {
            time_zone: plan.time_zone,
            year_start: plan.year_start,
            stale_days: plan.stale_days,
        })
    }
}

/// Reads the sheet (off the runtime) and writes it in one transaction; a bad
/// sheet changes nothing. A workbook's sheets are checked against each other
/// and the plan (mitigating actions exist, values' measures exist) first.
pub async fn import_plan(
    store: &Store,
    actor: &Actor,
    plan_name: &str,
    source: Source,
    request: ImportRequest,
    now: DateTime<Utc>,
) -> Result<Imported, AppError> {
    if !actor.is_admin {
        return Err(AppError::NotAdmin);
    }
    let file_name = source.file_name();
    let existing = store.find_plan(Some(plan_name)).await.ok();
    let settings = request.settings.for_plan(existing.as_ref())?;
    let (year_start, time_zone) = (settings.year_start, settings.time_zone);
    let at = reported_at(store, existing.as_ref(), request.as_of, time_zone, now).await?;
    let Reading { file, problems } = off_runtime(move || match source {
        Source::Path(path) => read_plan_path_partly(&path, year_start),
        Source::Bytes { file_name, bytes } => read_plan_file_partly(&file_name, &bytes, year_start),
    })
    .await??;
    let by = crate::store::import_actor(&actor.name, &file_name);
    let asked = settings.clone();
    let opts = ImportOptions {
        actor: by,
        at,
        prune: request.prune,
        dry_run: request.dry_run,
        settings,
    };
    let (warnings, more_warnings) = (file.warnings, file.more_warnings);
    let book = file.parsed.into_workbook();
    // A file whose actions sheet has problems says them, not that it would
    // start a plan without actions; any other file is for a plan first.
    if existing.is_none()
        && book.plan.is_none()
        && !request.name_checked
        && !problems.troubled(SheetKind::Actions)
    {
        let known: Vec<String> = store.plans().await?.into_iter().map(|p| p.name).collect();
        if !known.is_empty() {
            let name = plan_name.to_string();
            return Err(AppError::NewPlanWithoutActions { name, known });
        }
    }
    let today = at.with_timezone(&time_zone).date_naive();
    let settled = settle(
        store,
        existing.as_ref(),
        &book,
        problems,
        request.prune,
        today,
        year_start,
    )
    .await?;
    let register = Register {
        outcomes: settled.outcomes,
        measures: settled.measures,
        risks: settled.risks,
        values: settled.values,
        notes_given: settled.notes_given,
    };
    let read = RegisterRead {
        outcomes: register.outcomes.len(),
        measures: register.measures.len(),
        values: register.values.len(),
        risks: register.risks.len(),
        ratings: register.risks.iter().filter(|(_, r)| r.is_some()).count(),
    };
    let recommendations = book.recommendations.unwrap_or_default();
    let mut imported = Imported {
        plan: plan_name.to_string(),
        warnings,
        more_warnings,
        what: ImportedKind::Register,
        register: read,
        recorded: RegisterRecorded::default(),
        at,
        new_plan: None,
    };
    // A sheet with only its header writes nothing, and makes no plan.
    if book.plan.is_none() && recommendations.is_empty() && read.is_empty() {
        return Ok(imported);
    }
    let written = store
        .import_workbook(
            plan_name,
            book.plan.as_ref(),
            &recommendations,
            &register,
            &opts,
        )
        .await?;
    imported.new_plan = written.plan_created.then_some(asked);
    imported.recorded = recorded(&read, written.register, year_start);
    let total = written.recommendations;
    imported.what = match (written.actions, &book.plan) {
        (Some(outcome), Some(content)) => ImportedKind::Plan {
            read: content.actions.len(),
            outcome: Box::new(outcome),
        },
        _ if !recommendations.is_empty() => ImportedKind::Recommendations {
            read: recommendations.len(),
            total,
        },
        _ => ImportedKind::Register,
    };
    Ok(imported)
}

/// When the import's statuses, values and ratings are recorded: now, or the
/// end of the `as_of` day; never before what the plan already records (the
/// history would then run backwards) nor after now.
async fn reported_at(
    store: &Store,
    plan: Option<&Plan>,
    as_of: Option<NaiveDate>,
    time_zone: crate::plan::Zone,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    let Some(day) = as_of else {
        return Ok(now);
    };
    let at = AsOf::end_of_day(day, time_zone).moment;
    if day > now.with_timezone(&time_zone).date_naive() {
        return Err(AppError::AsOfInFuture { day });
    }
    if let Some(plan) = plan
        && let Some(latest) = store.latest_change(plan).await?
        && at < latest
    {
        return Err(AppError::AsOfBeforeLatest {
            day,
            latest: latest.with_timezone(&time_zone).date_naive(),
        });
    }
    Ok(at)
}

/// Checks the register's sheets against the plan as it will be after the
/// import (its actions, its measures) and fills what a sheet leaves out.
/// The problems met in reading the rows are reported with those found here.
async fn settle(
    store: &Store,
    plan: Option<&Plan>,
    book: &crate::import::Workbook,
    problems: Problems,
    prune: bool,
    today: NaiveDate,
    year: crate::plan::YearStart,
) -> Result<Settled, AppError> {
    let is_register = book.outcomes.is_some()
        || book.measures.is_some()
        || book.values.is_some()
        || book.risks.is_some();
    if !is_register {
        problems.into_result()?;
        return Ok(Settled::default());
    }
    let mut refs: HashSet<String> = HashSet::new();
    let (mut measures, mut outcomes, mut risks) = (Vec::new(), Vec::new(), Vec::new());
    let mut measured = HashSet::new();
    if let Some(plan) = plan {
        // Pruning removes the actions the file lacks, so they cannot mitigate.
        if !(prune && book.plan.is_some()) {
            refs.extend(store.action_refs(plan).await?);
        }
        measures = store.measures(plan).await?;
        measured = store.measured_codes(plan).await?;
        outcomes = store.outcomes(plan).await?;
        risks = store
            .risks(plan, Utc::now())
            .await?
            .into_iter()
            .map(|s| s.risk)
            .collect();
    }
    if let Some(content) = &book.plan {
        refs.extend(content.actions.iter().map(|a| a.reference.clone()));
    }
    let recorded = Recorded {
        refs: &refs,
        measures: &measures,
        measured: &measured,
        outcomes: &outcomes,
        risks: &risks,
        today,
        year,
    };
    Ok(book.settle(&recorded, problems)?)
}

/// The plan as CSV, in the columns an import reads.
pub struct Exported {
    pub csv: String,
    /// The rows written: actions, or the kind asked for.
    pub actions: usize,
    pub file_name: String,
}

pub async fn export_plan(
    store: &Store,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Exported, AppError> {
    let actions = store
        .actions(plan, &ActionFilter::default(), plan.today(now))
        .await?;
    let priorities = store.priorities(plan).await?;
    let count = actions.len();
    let for_csv = plan.clone();
    let csv =
        off_runtime(move || crate::import::export_csv(&for_csv, &priorities, &actions)).await?;
    Ok(Exported {
        csv,
        actions: count,
        file_name: format!(
            "{}.csv",
            plan.name.to_lowercase().replace(char::is_whitespace, "-")
        ),
    })
}

/// One kind of sheet as CSV, in the columns an import reads: what
/// `import` of the file gives back. Values are each period's latest, with
/// its note; risks carry their current rating.
pub async fn export_sheet(
    store: &Store,
    plan: &Plan,
    kind: SheetKind,
    now: DateTime<Utc>,
) -> Result<Exported, AppError> {
    use crate::import as x;
    let (csv, rows) = match kind {
        SheetKind::Actions => return export_plan(store, plan, now).await,
        SheetKind::Outcomes => {
            let outcomes = store.outcomes(plan).await?;
            (x::outcomes_csv(&outcomes), outcomes.len())
        }
        SheetKind::Measures => {
            let measures = store.measures(plan).await?;
            (x::measures_csv(&measures), measures.len())
        }
        SheetKind::Values => {
            let measures = store.measures(plan).await?;
            let mut values: Vec<x::ExportedValue> = Vec::new();
            for m in &measures {
                // In the order written, so a correction replaces the value it corrects.
                let mut latest = std::collections::BTreeMap::new();
                for v in store.measure_values(plan, &m.code).await? {
                    latest.insert(v.period, (v.value, v.note));
                }
                values.extend(
                    latest
                        .into_iter()
                        .map(|(period, (value, note))| (m.code.clone(), period, value, note)),
                );
            }
            let count = values.len();
            let year = plan.year_start;
            let csv = off_runtime(move || x::values_csv(&measures, &values, year)).await?;
            (csv, count)
        }
        SheetKind::Risks => {
            let risks: Vec<_> = store
                .risks(plan, now)
                .await?
                .into_iter()
                .map(|s| (s.risk, s.review.map(|r| r.rating)))
                .collect();
            (x::risks_csv(&risks), risks.len())
        }
        SheetKind::Recommendations => {
            let recommendations = store.recommendations(plan).await?;
            (
                x::recommendations_csv(&recommendations),
                recommendations.len(),
            )
        }
    };
    Ok(Exported {
        csv,
        actions: rows,
        file_name: format!(
            "{}-{}.csv",
            plan.name.to_lowercase().replace(char::is_whitespace, "-"),
            kind.word().replace(' ', "-")
        ),
    })
}
