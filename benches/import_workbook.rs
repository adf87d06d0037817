//! Speed of a whole council workbook: 10,000 actions, 500 measures with five
//! years of monthly values (30,000), 200 risks reviewed every quarter.
//! Run with `cargo bench --bench import_workbook`; figures go in the README.

use chrono::{Months, NaiveDate, Utc};
use planbot::app::Actor;
use planbot::app::plan_io::{ImportRequest, Source, import_plan};
use planbot::store::Store;
use planbot_testkit::report;
use rust_xlsxwriter::{Workbook, Worksheet};
use std::time::Instant;

const ACTIONS: usize = 10_000;
const MEASURES: usize = 500;
const MONTHS: u32 = 60;
const RISKS: usize = 200;

fn first_month() -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 4, 1).expect("a date")
}

fn rows(sheet: &mut Worksheet, rows: impl Iterator<Item = Vec<String>>) {
    for (r, row) in rows.enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet
                .write_string(r as u32, c as u16, cell)
                .expect("a cell");
        }
    }
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// The workbook; `quarter` (0, 1 ...) sets the risks' ratings, so each
/// quarter's sheet is a review.
fn workbook(quarter: usize) -> Vec<u8> {
    let mut book = Workbook::new();
    let actions = book.add_worksheet().set_name("Actions").expect("a name");
    let header = strings(&["Priority", "Ref", "Action", "Leads", "Due", "Status"]);
    rows(
        actions,
        std::iter::once(header).chain((0..ACTIONS).map(|i| {
            let p = i % 10 + 1;
            vec![
                format!("{p}. Priority {p}"),
                format!("{p}.{i}"),
                format!("Deliver improvement action {i}"),
                format!("Lead {}", i % 400),
                "Q4 19/20".into(),
                ["Green", "Amber", "Red"][i % 3].into(),
            ]
        })),
    );
    let measures = book.add_worksheet().set_name("Measures").expect("a name");
    let header = strings(&[
        "Code",
        "Measure",
        "Unit",
        "Better",
        "Baseline",
        "Baseline date",
        "Target",
        "Target date",
        "Tolerance",
    ]);
    rows(
        measures,
        std::iter::once(header).chain((0..MEASURES).map(|i| {
            strings(&[
                &format!("M{i}"),
                &format!("Measure {i}"),
                "%",
                "higher",
                "40",
                "2019-03-31",
                "80",
                "2024-03-31",
                "5",
            ])
        })),
    );
    let values = book
        .add_worksheet()
        .set_name("Measure values")
        .expect("a name");
    let header = strings(&["Measure", "Period", "Value"]);
    rows(
        values,
        std::iter::once(header).chain((0..MEASURES).flat_map(|i| {
            (0..MONTHS).map(move |m| {
                let month = first_month() + Months::new(m);
                vec![
                    format!("M{i}"),
                    month.format("%b %Y").to_string(),
                    format!("{:.1}", 40.0 + f64::from(m) * 0.6 + (i % 7) as f64),
                ]
            })
        })),
    );
    let risks = book.add_worksheet().set_name("Risks").expect("a name");
    let header = strings(&["Code", "Risk", "Likelihood", "Impact", "Mitigating actions"]);
    rows(
        risks,
        std::iter::once(header).chain((0..RISKS).map(|i| {
            vec![
                format!("R{i}"),
                format!("Risk {i}"),
                ((i + quarter) % 5 + 1).to_string(),
                ((i + 2 * quarter) % 5 + 1).to_string(),
                format!("{}.{i}", i % 10 + 1),
            ]
        })),
    );
    book.save_to_buffer().expect("a workbook")
}

async fn import(store: &Store, bytes: Vec<u8>, as_of: Option<NaiveDate>) {
    let source = Source::Bytes {
        file_name: "plan.xlsx".into(),
        bytes,
    };
    let request = ImportRequest {
        as_of,
        ..ImportRequest::default()
    };
    import_plan(
        store,
        &Actor::trusted(""),
        "Bench",
        source,
        request,
        Utc::now(),
    )
    .await
    .expect("the workbook imports");
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = workbook(0);
    println!("workbook: {} KB", bytes.len() / 1024);
    // 1. The whole workbook into a fresh database, dated its last month.
    let last = first_month() + Months::new(MONTHS);
    let mut times = Vec::new();
    for run in 0..3 {
        let store = Store::open(dir.path().join(format!("w{run}.db")))
            .await
            .unwrap();
        let start = Instant::now();
        import(&store, bytes.clone(), Some(last)).await;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        store.close().await;
    }
    report(
        "import a workbook (10k actions, 30k values, 200 risks)",
        times,
        "< 2 s",
    );

    // 2. A year of quarterly reviews: the same workbook again each quarter,
    // with new ratings (the values are already recorded, so only the ratings change).
    let store = Store::open(dir.path().join("q.db")).await.unwrap();
    import(&store, bytes, Some(last)).await;
    let mut times = Vec::new();
    for quarter in 1..=4u32 {
        let bytes = workbook(quarter as usize);
        let day = last + Months::new(3 * quarter);
        let start = Instant::now();
        import(&store, bytes, Some(day.min(Utc::now().date_naive()))).await;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    report(
        "the same again with a quarter's new risk ratings",
        times,
        "< 2 s",
    );
}
