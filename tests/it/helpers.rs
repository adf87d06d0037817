#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use planbot::store::Store;
pub use planbot_testkit::{import_opts, plan_from_csv};
use std::path::PathBuf;
use std::process::Output;

/// A database of its own in a temporary folder, removed when dropped.
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("test.db"))
            .await
            .expect("open store");
        TestDb { dir, store }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }

    /// Imports CSV text as plan `name`, at `at`.
    pub async fn import_csv(
        &self,
        name: &str,
        csv: &str,
        at: DateTime<Utc>,
    ) -> planbot::store::ImportOutcome {
        planbot_testkit::import_csv(&self.store, name, csv, at).await
    }
}

pub fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid time")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A small plan: three priorities, five actions, several leads.
pub const SMALL_PLAN: &str = "\
Priority,Ref,Group,Action,Leads,Due,Status,Recommendations,Evidence
1. Children Looked After,1.1,Sufficiency,Increase foster placements,Steve Comb; Tom Brailsford,Q3 18/19,Green,\"O18, O19\",
1. Children Looked After,1.2,,Review the SGO policy,Julie Bragg,Q4 18/19,Red,O19,
2. Care Leavers,2.1,,Publish the local offer,Julie Bragg,Q1 19/20,Amber,O23,
4. Front Door,4.1,,Agree the MASH plan,Mel Meggs,Q3 18/19,Complete,O12; O14,Board paper March 2019
4. Front Door,4.2,,Roll out Operation Encompass,,31/03/2019,Not started,O13,
";

/// Each line of a command's `--json` output.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs the planbot binary with `args` against the database at `db`.
pub fn planbot(db: &std::path::Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(args)
        .env("PLANBOT_DB", db)
        .env_remove("PLANBOT_PLAN")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run planbot")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
