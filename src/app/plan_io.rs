//! Importing a plan (or its list of recommendations) from a spreadsheet, and
//! exporting it as CSV.

use super::{Actor, AppError, off_runtime};
use crate::import::{ImportFile, Parsed, read_plan_file, read_plan_path};
use crate::plan::Plan;
use crate::store::{ActionFilter, ImportOptions, ImportOutcome, PlanSettings, Store};
use chrono::{DateTime, Utc};
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
    /// Used only when the plan is new.
    pub settings: PlanSettings,
}

/// What an import did (or would do), with the file's warnings.
#[derive(Debug, Clone)]
pub struct Imported {
    pub plan: String,
    pub warnings: Vec<String>,
    pub more_warnings: usize,
    pub what: ImportedKind,
}

#[derive(Debug, Clone)]
pub enum ImportedKind {
    Plan {
        read: usize,
        outcome: Box<ImportOutcome>,
    },
    Recommendations {
        read: usize,
        total: usize,
    },
}

/// Reads the sheet (off the runtime) and writes it in one transaction; a bad
/// sheet changes nothing.
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
    let year_start = existing
        .as_ref()
        .map_or(request.settings.year_start, |p| p.year_start);
    let file: ImportFile = off_runtime(move || match source {
        Source::Path(path) => read_plan_path(&path, year_start),
        Source::Bytes { file_name, bytes } => read_plan_file(&file_name, &bytes, year_start),
    })
    .await??;
    let by = crate::store::import_actor(&actor.name, &file_name);
    let opts = ImportOptions {
        actor: by,
        at: now,
        prune: request.prune,
        dry_run: request.dry_run,
        settings: PlanSettings {
            year_start,
            ..request.settings
        },
    };
    let what = match &file.parsed {
        Parsed::Recommendations(recs) => ImportedKind::Recommendations {
            read: recs.len(),
            total: store.import_recommendations(plan_name, recs, &opts).await?,
        },
        Parsed::Plan(content) => ImportedKind::Plan {
            read: content.actions.len(),
            outcome: Box::new(store.import_plan(plan_name, content, &opts).await?),
        },
    };
    Ok(Imported {
        plan: plan_name.to_string(),
        warnings: file.warnings,
        more_warnings: file.more_warnings,
        what,
    })
}

/// The plan as CSV, in the columns an import reads.
pub struct Exported {
    pub csv: String,
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
