//! Memory and time of importing a big plan file: 333,592 rows, about 50 MB,
//! the size of the file in issue 9. Run with `cargo bench --bench import_memory`;
//! figures go in the README. Set PLANBOT_BIG_CSV=path to keep the file.
//!
//! Peak memory is the process's high-water mark (VmHWM), reset before each
//! step, so it is what the import itself needed on top of the bench.

use chrono::Utc;
use planbot::import::{Parsed, read_plan_path};
use planbot::plan::YearStart;
use planbot::store::{ImportOptions, PlanSettings, Store};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const ROWS: usize = 333_592;

/// A plan shaped like the Kirklees one, written row by row so the bench
/// itself never holds the file.
fn write_big_plan(path: &Path, rows: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "Priority,Ref,Group,Action,Leads,Strategic Leads,Due,Status,Recommendations,Evidence"
    )?;
    let quarters = ["Q3 18/19", "Q4 18/19", "Q1 19/20", "Q2 19/20", "Q3 19/20"];
    let statuses = ["Green", "Amber", "Red", "Not started", "Complete"];
    let people = rows / 20;
    for i in 0..rows {
        let p = i % 10 + 1;
        let evidence = if i % 4 == 0 {
            "\"Board paper\nMinutes\""
        } else {
            ""
        };
        writeln!(
            out,
            "{p}. Priority {p},{p}.{i},Group {},Deliver improvement action number {i} with partners and report,\
             Lead {}; Lead {},Sponsor {p},{},{},\"O{}, O{}\",{evidence}",
            i % 7,
            i % people,
            (i + 7) % people,
            quarters[i % quarters.len()],
            statuses[i % statuses.len()],
            i % 27 + 1,
            i % 13 + 1,
        )?;
    }
    out.flush()
}

/// Kilobytes of a /proc/self/status field.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Starts a new high-water mark at the current size.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn step(name: &str, store: &Store, file: &Path, target: &str) {
    reset_peak();
    let before = status_kb("VmRSS:");
    let start = Instant::now();
    let read = read_plan_path(file, YearStart::APRIL).expect("the file reads");
    let Parsed::Plan(content) = read.parsed else {
        unreachable!("a plan")
    };
    let opts = ImportOptions {
        actor: "bench".into(),
        at: Utc::now(),
        prune: false,
        dry_run: false,
        settings: PlanSettings::default(),
    };
    let outcome = store
        .import_plan("Big", &content, &opts)
        .await
        .expect("the import");
    let seconds = start.elapsed().as_secs_f64();
    let peak = status_kb("VmHWM:");
    println!(
        "{name:<44} {seconds:>6.1} s  peak {:>5} MB (+{} MB over the bench's {} MB)  \
         ({} created, {} updated; target {target})",
        peak / 1024,
        peak.saturating_sub(before) / 1024,
        before / 1024,
        outcome.created.len(),
        outcome.updated.len() + outcome.unchanged,
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = std::env::var_os("PLANBOT_BIG_CSV")
        .map(Into::into)
        .unwrap_or_else(|| dir.path().join("big.csv"));
    write_big_plan(&file, ROWS).expect("write the plan");
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("{ROWS} rows, {:.1} MB", size as f64 / 1e6);
    let store = Store::open(dir.path().join("big.db")).await.expect("db");
    step("import into an empty database", &store, &file, "< 300 MB").await;
    step(
        "import again (every action updated)",
        &store,
        &file,
        "< 300 MB",
    )
    .await;
    store.close().await;
}
