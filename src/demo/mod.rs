//! `planbot demo`: the example Kirklees plan in a scratch database, showing
//! what the reminders will say and the board's RAG summary. No token, no
//! network, and the user's own database is never touched.

pub mod example;
mod session;

use crate::app::plan_io::{ImportRequest, Source, import_plan};
use crate::app::{self, Actor};
use crate::plan::AsOf;
use crate::plan::summary::{overdue_by_lead, rag_by_priority};
use crate::store::{ActionFilter, Store};
use crate::text::{shorten, table};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::io::Write;

pub const EXAMPLE_PLAN_CSV: &str = include_str!("../../examples/kirklees-plan.csv");
pub const EXAMPLE_RECOMMENDATIONS_CSV: &str =
    include_str!("../../examples/kirklees-recommendations.csv");
/// The plan's register beside the actions (illustrative; see examples/kirklees-plan.md),
/// in the order they are imported: a sheet refers only to what comes before it.
pub const EXAMPLE_REGISTER_CSVS: [(&str, &str); 5] = [
    (
        "kirklees-kscb-recommendations.csv",
        include_str!("../../examples/kirklees-kscb-recommendations.csv"),
    ),
    (
        "kirklees-outcomes.csv",
        include_str!("../../examples/kirklees-outcomes.csv"),
    ),
    (
        "kirklees-measures.csv",
        include_str!("../../examples/kirklees-measures.csv"),
    ),
    (
        "kirklees-values.csv",
        include_str!("../../examples/kirklees-values.csv"),
    ),
    (
        "kirklees-risks.csv",
        include_str!("../../examples/kirklees-risks.csv"),
    ),
];
pub const EXAMPLE_PLAN_NAME: &str = "Kirklees";

/// The day the demo looks at the plan from: mid-way through Q1 19/20.
pub fn demo_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 5, 15).expect("a real date")
}

/// The example's statuses are recorded at 08:00 on the demo day, so that
/// anything done later that day comes after them in the history.
pub fn example_recorded_at() -> AsOf {
    let tz = crate::plan::Zone::london();
    let morning = demo_day().and_hms_opt(8, 0, 0).expect("a real time");
    let moment = chrono::TimeZone::from_local_datetime(&tz, &morning)
        .earliest()
        .expect("08:00 exists in London")
        .with_timezone(&chrono::Utc);
    AsOf {
        moment,
        today: demo_day(),
    }
}

/// Imports the example plan into `store` as if on `as_of`.
/// The example plan with its register: outcomes, measures and their values,
/// risks and the KSCB's recommendations.
pub async fn load_example(store: &Store, as_of: AsOf) -> Result<()> {
    load_example_plan(store, as_of).await?;
    import_all(store, &EXAMPLE_REGISTER_CSVS, as_of).await
}

/// The example's actions and Ofsted recommendations only, for tests that
/// bring a register of their own.
pub async fn load_example_plan(store: &Store, as_of: AsOf) -> Result<()> {
    let sheets = [
        ("kirklees-plan.csv", EXAMPLE_PLAN_CSV),
        ("kirklees-recommendations.csv", EXAMPLE_RECOMMENDATIONS_CSV),
    ];
    import_all(store, &sheets, as_of).await
}

async fn import_all(store: &Store, sheets: &[(&str, &str)], as_of: AsOf) -> Result<()> {
    for (name, text) in sheets {
        let source = Source::Bytes {
            file_name: name.to_string(),
            bytes: text.as_bytes().to_vec(),
        };
        let request = ImportRequest::default();
        import_plan(
            store,
            &Actor::trusted(""),
            EXAMPLE_PLAN_NAME,
            source,
            request,
            as_of.moment,
        )
        .await?;
    }
    Ok(())
}

pub async fn run(out: &mut (dyn Write + Send)) -> Result<()> {
    let dir = tempfile::tempdir().context("cannot make a scratch folder for the demo database")?;
    let db = dir.path().join("demo.db");
    let store = Store::open(&db).await?;
    let tz = crate::plan::Zone::london();
    load_example(&store, example_recorded_at()).await?;
    let as_of = AsOf::end_of_day(demo_day(), tz);
    let among = app::plans::Among::Database;
    let plan = app::plans::find_plan(&store, Some(EXAMPLE_PLAN_NAME), among).await?;
    let actions = store
        .actions(&plan, &ActionFilter::default(), as_of.today)
        .await?;
    let priorities = store.priorities(&plan).await?;

    writeln!(
        out,
        "planbot demo: the Kirklees improvement plan ({} actions, {} priorities)",
        actions.len(),
        priorities.len()
    )?;
    writeln!(
        out,
        "as of {} ({}), in a scratch database that is deleted afterwards.\n",
        as_of.today.format("%-d %B %Y"),
        plan.year_start
            .label(plan.year_start.quarter_of(as_of.today))
    )?;

    writeln!(
        out,
        "== Overdue actions by lead: what the reminders will say ==\n"
    )?;
    for (lead, list) in overdue_by_lead(&actions, as_of.today) {
        let who = lead.unwrap_or_else(|| "No lead named (goes to the plan channel)".into());
        writeln!(out, "{who}: {} overdue", list.len())?;
        for o in list {
            let due = o.action.due.map(|d| plan.due_label(d)).unwrap_or_default();
            writeln!(
                out,
                "  {:<5} {:<62} due {:<8} {:<11} {} days overdue",
                o.action.reference,
                shorten(&o.action.text, 60),
                due,
                o.action.status.label(),
                o.days
            )?;
        }
        writeln!(out)?;
    }

    writeln!(out, "== RAG summary by priority ==\n")?;
    let (rows, total) = rag_by_priority(&priorities, &actions, as_of.today);
    let counts = |c: &crate::plan::summary::RagCounts| {
        let [red, amber, green, not_started, complete, overdue] = c.columns();
        [red, amber, green, not_started, complete, overdue, c.total()].map(|n| n.to_string())
    };
    let mut cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![format!("{}. {}", r.number, shorten(&r.title, 36))];
            row.extend(counts(&r.counts));
            row
        })
        .collect();
    let mut last = vec!["Whole plan".to_string()];
    last.extend(counts(&total));
    cells.push(last);
    writeln!(
        out,
        "{}",
        table(
            &[
                "Priority",
                "Red",
                "Amber",
                "Green",
                "Not started",
                "Complete",
                "Overdue",
                "Total"
            ],
            &cells
        )
    )?;
    // Midday on the demo day, when the lead sends her update.
    let noon = example_recorded_at().moment + chrono::Duration::hours(4);
    session::play(&store, &db, noon, out).await?;
    store.close().await;
    Ok(())
}
