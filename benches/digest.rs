//! Speed of the board digest on a 10,000-action plan with a year of history.
//! Run with `cargo bench --bench digest`; figures go in the README.

use chrono::{TimeZone, Utc};
use planbot::digest::{self, Format};
use planbot::store::Store;
use planbot_testkit::{import_csv, report};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

// In a folder of its own, so cargo does not take it for a bench.
#[path = "digest/register.rs"]
mod register;

/// The plan with every action's status moved on at each of `round`.
fn plan_csv(actions: usize, round: usize) -> String {
    let statuses = ["Not started", "Green", "Amber", "Red", "Complete"];
    let quarters = [
        "Q1 18/19", "Q2 18/19", "Q3 18/19", "Q4 18/19", "Q1 19/20", "Q2 19/20",
    ];
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status,Recommendations\n");
    for i in 0..actions {
        let p = i % 10 + 1;
        csv.push_str(&format!(
            "{p}. Priority {p},{p}.{i},Deliver improvement action number {i} with partners,Lead {},{},{},O{}\n",
            i % 2000,
            quarters[i % quarters.len()],
            statuses[(i + round) % statuses.len()],
            i % 27 + 1
        ));
    }
    csv
}

/// Milliseconds for each of 9 `planbot digest --format all` processes, start
/// to exit; and, to tell the process's own cost from the digest's, those of
/// `planbot plans` (start, open the database, list, exit).
fn cli_digest(db: &Path, out: &Path) -> Vec<f64> {
    let run = |args: &[&str]| {
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_planbot"))
            .args(args)
            .arg("--db")
            .arg(db)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "planbot {args:?} failed");
        start.elapsed().as_secs_f64() * 1e3
    };
    let out = out.to_str().unwrap();
    let digest = [
        "digest",
        "--plan",
        "Bench",
        "--quarter",
        "Q4 18/19",
        "--format",
        "all",
        "--out",
        out,
    ];
    // A first run maps the binary in, as any run after an upgrade would.
    run(&digest);
    let mut plans: Vec<f64> = (0..9).map(|_| run(&["plans"])).collect();
    plans.sort_by(f64::total_cmp);
    println!(
        "(`planbot plans`, start to exit: {:.1} ms median of 9)",
        plans[plans.len() / 2]
    );
    (0..9).map(|_| run(&digest)).collect()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("digest.db")).await.unwrap();
    // Four imports a quarter apart, each moving every status on: 40,000 history rows.
    let dates = [(2018, 4, 2), (2018, 7, 2), (2018, 10, 1), (2019, 1, 7)];
    for (round, (y, m, d)) in dates.into_iter().enumerate() {
        let at = Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap();
        import_csv(&store, "Bench", &plan_csv(10_000, round), at).await;
    }
    let plan = store.find_plan(Some("Bench")).await.unwrap();
    let now = Utc.with_ymd_and_hms(2019, 4, 15, 9, 0, 0).unwrap();
    let q3 = plan.year_start.parse_quarter("Q3 18/19").unwrap();
    let q4 = plan.year_start.parse_quarter("Q4 18/19").unwrap();

    let mut past = Vec::new();
    let mut whole = Vec::new();
    let mut chart = Vec::new();
    let mut sizes = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        let d = digest::make(
            &store,
            &plan,
            q3,
            digest::quarter_as_of(&plan, q3, now),
            now,
        )
        .await
        .unwrap();
        past.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(d.rows.len(), 10_000);

        let start = Instant::now();
        let d = digest::make(
            &store,
            &plan,
            q4,
            digest::quarter_as_of(&plan, q4, now),
            now,
        )
        .await
        .unwrap();
        let _ = digest::embed(&d);
        sizes.clear();
        // As the application renders them: each format on its own thread.
        for (_, bytes) in digest::render_formats(&d, &Format::All.expand()).unwrap() {
            sizes.push(bytes.len());
        }
        whole.push(start.elapsed().as_secs_f64() * 1e3);

        let start = Instant::now();
        let png = digest::render_png(&d).unwrap();
        chart.push(start.elapsed().as_secs_f64() * 1e3);
        assert!(!png.is_empty());
    }
    // Where the time goes, once.
    let as_of = digest::quarter_as_of(&plan, q4, now);
    let t = Instant::now();
    let then = store
        .actions_as_of(&plan, &Default::default(), as_of)
        .await
        .unwrap();
    let t1 = t.elapsed();
    let current = store.statuses(&plan).await.unwrap();
    let t2 = t.elapsed();
    let history = store.plan_history(&plan, as_of.moment).await.unwrap();
    let t3 = t.elapsed();
    let input = digest::DigestInput {
        plan: plan.clone(),
        quarter: q4,
        as_of,
        priorities: store.priorities(&plan).await.unwrap(),
        then,
        now: current,
        history,
        recommendations: store.recommendations(&plan).await.unwrap(),
        last_run: None,
        outcomes: Vec::new(),
        measures: Vec::new(),
        risks: Vec::new(),
    };
    let t4 = t.elapsed();
    let d = digest::build(&input);
    let t5 = t.elapsed();
    let mut per_format = Vec::new();
    for f in Format::All.expand() {
        let s = Instant::now();
        digest::render(&d, f).unwrap();
        per_format.push(format!("{f:?} {:.1} ms", s.elapsed().as_secs_f64() * 1e3));
    }
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "breakdown: actions then {:.1} ms, actions now {:.1} ms, history {:.1} ms, rest {:.1} ms, build {:.1} ms; {}",
        ms(t1),
        ms(t2 - t1),
        ms(t3 - t2),
        ms(t4 - t3),
        ms(t5 - t4),
        per_format.join(", ")
    );
    report(
        "past-quarter reconstruction (Q3, 10,000 actions)",
        past,
        "< 200 ms",
    );
    report("whole digest, all formats + embed (Q4)", whole, "< 300 ms");
    report("chart alone", chart, "< 100 ms");
    println!("file sizes (md, csv, html, png): {sizes:?} bytes");

    // The same digest as a board secretary makes it: a whole `planbot
    // digest` process (start, open and check the database, make, render,
    // write the files, record the digest), against a copy of this database
    // so that the digests it records leave the runs below as they were.
    let copy = dir.path().join("cli.db");
    store.vacuum_into(&copy).await.unwrap();
    let cli_runs = cli_digest(&copy, &dir.path().join("out"));
    report(
        "whole `planbot digest --format all` run (Q4)",
        cli_runs,
        "< 400 ms",
    );

    // The same plan with a register: 500 measures x 60 monthly values and
    // 200 risks x 20 quarterly reviews; every format and its extra files.
    let values = register::save_large_register(&store, &plan).await;
    let mut with_register = Vec::new();
    let mut files = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        let d = digest::make(
            &store,
            &plan,
            q4,
            digest::quarter_as_of(&plan, q4, now),
            now,
        )
        .await
        .unwrap();
        assert_eq!(
            (d.register.measures.len(), d.register.risks.len()),
            (500, 200)
        );
        let _ = digest::embed(&d);
        files.clear();
        for (name, bytes) in digest::render_formats(&d, &Format::All.expand()).unwrap() {
            files.push((name, bytes.len()));
        }
        with_register.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report(
        &format!("whole digest with register ({values} values, 200 risks)"),
        with_register,
        "< 500 ms",
    );
    println!("files with the register: {files:?}");
}
