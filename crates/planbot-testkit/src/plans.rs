//! Plans written as CSV text, imported as the tests and benches need.

use chrono::{DateTime, Utc};
use planbot::import::{Parsed, read_plan_file};
use planbot::plan::{PlanContent, YearStart};
use planbot::store::{ImportOptions, ImportOutcome, PlanSettings, Store};

pub fn import_opts(at: DateTime<Utc>) -> ImportOptions {
    ImportOptions {
        actor: "test import".into(),
        at,
        prune: false,
        dry_run: false,
        settings: PlanSettings::default(),
    }
}

pub fn plan_from_csv(csv: &str) -> PlanContent {
    match read_plan_file("plan.csv", csv.as_bytes(), YearStart::APRIL)
        .expect("valid csv")
        .parsed
    {
        Parsed::Plan(c) => c,
        Parsed::Recommendations(_) | Parsed::Workbook(_) => panic!("expected a plan"),
    }
}

/// Imports CSV text into `store` as plan `name`, at `at`.
pub async fn import_csv(store: &Store, name: &str, csv: &str, at: DateTime<Utc>) -> ImportOutcome {
    store
        .import_plan(name, &plan_from_csv(csv), &import_opts(at))
        .await
        .expect("import")
}
