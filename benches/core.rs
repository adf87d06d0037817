//! Speed of the plan core: import, overdue listing, durable status updates,
//! and recording a measure's value through the application layer.
//! Run with `cargo bench --bench core`; figures go in the README.

use chrono::{Duration, NaiveDate, Utc};
use planbot::app::Actor;
use planbot::app::measures::{Reading, record_value};
use planbot::plan::{Status, StatusRequest};
use planbot::store::{ActionFilter, Store};
use planbot_testkit::{import_csv, report, save_small_register};
use std::time::Instant;

/// A plan of `actions` actions over eight quarters (Q3 18/19 to Q2 20/21).
/// Statuses follow the due date as in a real plan: of the actions already due
/// on the overdue day (15 November 2019), `late_share` are still open.
fn synthetic_plan(actions: usize, late_share: f64) -> String {
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status,Recommendations\n");
    let quarters = [
        "Q3 18/19", "Q4 18/19", "Q1 19/20", "Q2 19/20", "Q3 19/20", "Q4 19/20", "Q1 20/21",
        "Q2 20/21",
    ];
    let open = ["Green", "Amber", "Red", "Not started"];
    let leads = (actions / 5).max(1);
    for i in 0..actions {
        let p = i % 10 + 1;
        let q = i % quarters.len();
        let past_due = q < 4;
        // Spread the open ones evenly through the past-due rows.
        let late =
            past_due && ((i / quarters.len()) as f64 * late_share).fract() + late_share >= 1.0;
        let status = if past_due && !late {
            "Complete"
        } else {
            open[i % open.len()]
        };
        csv.push_str(&format!(
            "{p}. Priority {p},{p}.{i},Deliver improvement action number {i} with partners,Lead {} ; Lead {},{},{status},O{}\n",
            i % leads,
            (i + 7) % leads,
            quarters[q],
            i % 27 + 1,
        ));
    }
    csv
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();

    // 1. Import a 10,000-action plan into a fresh database (parse + store).
    let csv = synthetic_plan(10_000, 0.1);
    let mut times = Vec::new();
    for run in 0..5 {
        let store = Store::open(dir.path().join(format!("import{run}.db")))
            .await
            .unwrap();
        let start = Instant::now();
        import_csv(&store, "Bench", &csv, Utc::now()).await;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        store.close().await;
    }
    report(
        "import 10,000 actions (csv parse + store)",
        times,
        "< 1000 ms",
    );

    // 2. Overdue list over 100,000 actions: a realistic plan (one in ten
    // past-due actions still open) and a worst case (all of them open).
    // The pages `/overdue` shows, the whole list at once, and the same
    // actions in full, as `planbot actions --overdue` lists them.
    let today = NaiveDate::from_ymd_opt(2019, 11, 15).unwrap();
    let filter = ActionFilter {
        overdue: true,
        ..Default::default()
    };
    let mut stores = Vec::new();
    for (name, late_share) in [("realistic", 0.1), ("worst case", 1.0)] {
        let store = Store::open(dir.path().join(format!("big-{late_share}.db")))
            .await
            .unwrap();
        import_csv(
            &store,
            "Bench",
            &synthetic_plan(100_000, late_share),
            Utc::now(),
        )
        .await;
        let plan = store.find_plan(Some("Bench")).await.unwrap();
        // `/overdue` reads a page of 12 at a time: the first (most
        // overdue) and the last (which skips every day before its own).
        let total = store
            .overdue_page(&plan, None, today, 0, 12)
            .await
            .unwrap()
            .total;
        for (page, offset) in [("first", 0), ("last", total.saturating_sub(12))] {
            let mut times = Vec::new();
            for _ in 0..30 {
                let start = Instant::now();
                let shown = store
                    .overdue_page(&plan, None, today, offset, 12)
                    .await
                    .unwrap();
                times.push(start.elapsed().as_secs_f64() * 1e3);
                assert_eq!(shown.actions.len(), 12.min(total));
            }
            report(
                &format!("overdue list of 100,000, {name} ({total} overdue): {page} page"),
                times,
                "< 50 ms",
            );
        }
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..10 {
            let start = Instant::now();
            found = store
                .overdue_page(&plan, None, today, 0, usize::MAX)
                .await
                .unwrap()
                .actions
                .len();
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        assert_eq!(found, total);
        report(
            &format!("  the whole list in one read ({name})"),
            times,
            "none",
        );
        let mut times = Vec::new();
        for _ in 0..10 {
            let start = Instant::now();
            let full = store.actions(&plan, &filter, today).await.unwrap();
            times.push(start.elapsed().as_secs_f64() * 1e3);
            assert_eq!(full.len(), found);
        }
        report(&format!("  the same in full ({name})"), times, "none");
        stores.push((store, plan));
    }
    let (store, plan) = stores.swap_remove(0);

    // 3. Durable status updates (synchronous=FULL), one after another and 8 at once.
    let refs: Vec<String> = (0..2000).map(|i| format!("{}.{i}", i % 10 + 1)).collect();
    let request = |i: usize| StatusRequest {
        to: Status::ALL[i % 5],
        note: Some(format!("update {i}")),
        evidence: None,
        by: "Bench".into(),
        by_discord_id: None,
        at: Utc::now() + Duration::milliseconds(i as i64),
    };
    let start = Instant::now();
    for (i, r) in refs.iter().enumerate() {
        store.record_status(&plan, r, &request(i)).await.unwrap();
    }
    let rate = refs.len() as f64 / start.elapsed().as_secs_f64();
    println!(
        "{:<52} {rate:>8.0} updates/s  (n={}, target >= 1000/s)",
        "status updates, sequential",
        refs.len()
    );

    let start = Instant::now();
    let mut tasks = Vec::new();
    for chunk in refs.chunks(refs.len() / 8) {
        let (store, plan, chunk) = (store.clone(), plan.clone(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            for (i, r) in chunk.iter().enumerate() {
                store.record_status(&plan, r, &request(i)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let rate = refs.len() as f64 / start.elapsed().as_secs_f64();
    println!(
        "{:<52} {rate:>8.0} updates/s  (n={}, target >= 1000/s)",
        "status updates, 8 concurrent",
        refs.len()
    );

    // 4. Recording a measure's value: as fast as a status update? Through
    // app::measures::record_value (rights, unit, period, one transaction),
    // cycling over the small register's 3 measures and every month since
    // its baseline; repeats go in as corrections, so every call writes.
    save_small_register(&store, &plan, Utc::now()).await;
    let actor = Actor::trusted("Bench");
    let months: Vec<NaiveDate> = (0..60)
        .map(|m| NaiveDate::from_ymd_opt(2018 + (9 + m) / 12, (9 + m) as u32 % 12 + 1, 1).unwrap())
        .collect();
    let start = Instant::now();
    let n = 2000;
    for i in 0..n {
        let reading = Reading {
            value: format!("{}", 20 + i % 50),
            for_date: Some(planbot::plan::measure::Written::day(
                months[i % months.len()],
            )),
            note: Some(format!("value {i}")),
            correction: true,
        };
        let code = ["M1", "M2", "M3"][i % 3];
        record_value(&store, &plan, &actor, code, reading, Utc::now())
            .await
            .unwrap();
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    println!(
        "{:<52} {rate:>8.0} values/s   (n={n}, target: as fast as a status update)",
        "measure values (app::measures::record_value), sequential",
    );
}
