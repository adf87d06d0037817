//! The databases the bots open: the Kirklees example, and a plan of 10,000
//! actions and ten outcomes, with one action updated 10,000 times.

use chrono::{Duration, Utc};
use planbot::plan::outcome::Outcome;
use planbot::plan::{Status, StatusRequest};
use planbot::store::{ActionFilter, Register, RegisterSource, Store};
use planbot_testkit::{OPHELIA, demo_now, example_store, import_csv};
use std::path::Path;

pub const BIG: &str = "Big";
/// Led by Ophelia; updated 10,000 times.
pub const LONG_HISTORY: &str = "1.0";
/// Updated once.
pub const SHORT_HISTORY: &str = "2.1";
const ACTIONS: usize = 10_000;
const UPDATES: usize = 10_000;
const OPHELIA_RIX: &str = "Ophelia Rix";

/// The Kirklees example with its people linked; returns what Ophelia leads.
pub async fn kirklees(db: &Path) -> Vec<String> {
    let store = example_store(db).await;
    let refs = ophelias(&store, "Kirklees").await;
    store.close().await;
    refs
}

/// A plan of [`ACTIONS`] actions over eight quarters, about half of them
/// done, with one lead per five actions; Ophelia leads one in 200 of them.
/// Returns what Ophelia leads.
pub async fn big(db: &Path) -> Vec<String> {
    let store = Store::open(db).await.unwrap();
    let quarters = [
        "Q3 18/19", "Q4 18/19", "Q1 19/20", "Q2 19/20", "Q3 19/20", "Q4 19/20", "Q1 20/21",
        "Q2 20/21",
    ];
    let statuses = [
        "Complete",
        "Green",
        "Complete",
        "Amber",
        "Red",
        "Not started",
    ];
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status,Recommendations\n");
    for i in 0..ACTIONS {
        let p = i % 10 + 1;
        let lead = if i % 200 == 0 {
            OPHELIA_RIX.to_string()
        } else {
            format!("Lead {}", i % (ACTIONS / 5))
        };
        csv.push_str(&format!(
            "{p}. Priority {p},{p}.{i},Deliver improvement action number {i} with partners,{lead},{},{},O{}\n",
            quarters[i % quarters.len()],
            statuses[i % statuses.len()],
            i % 27 + 1,
        ));
    }
    let at = demo_now() - Duration::days(365);
    import_csv(&store, BIG, &csv, at).await;
    store.link_person(OPHELIA_RIX, OPHELIA).await.unwrap();
    let plan = store.find_plan(Some(BIG)).await.unwrap();
    // Ten outcomes of 20 actions each, which `/plan summary` counts.
    let outcomes = (0..10)
        .map(|o| Outcome {
            code: format!("OC{}", o + 1),
            statement: format!("Outcome {} of the big plan", o + 1),
            priority: None,
            actions: (0..20)
                .map(|k| {
                    let i = o * 20 + k * 37;
                    format!("{}.{i}", i % 10 + 1)
                })
                .collect(),
        })
        .collect();
    let register = Register {
        outcomes,
        ..Default::default()
    };
    let source = RegisterSource {
        by: "bench".into(),
        at,
    };
    store
        .save_register(&plan, &register, &source)
        .await
        .unwrap();
    let update = |i: usize| StatusRequest {
        to: [Status::Green, Status::Amber, Status::Red][i % 3],
        note: Some(format!("update {i}")),
        evidence: None,
        by: OPHELIA_RIX.into(),
        by_discord_id: Some(OPHELIA),
        at: Utc::now(),
    };
    // In waves, so that the writer takes them in large batches.
    for wave in 0..UPDATES / 500 {
        let writes = (0..500).map(|j| {
            let (store, plan, request) = (store.clone(), plan.clone(), update(wave * 500 + j));
            async move { store.record_status(&plan, LONG_HISTORY, &request).await }
        });
        for done in futures::future::join_all(writes).await {
            done.expect("an update of the long history");
        }
    }
    store
        .record_status(&plan, SHORT_HISTORY, &update(0))
        .await
        .unwrap();
    let refs = ophelias(&store, BIG).await;
    store.close().await;
    refs
}

async fn ophelias(store: &Store, plan: &str) -> Vec<String> {
    let plan = store.find_plan(Some(plan)).await.unwrap();
    let filter = ActionFilter {
        lead: Some(OPHELIA_RIX.into()),
        ..Default::default()
    };
    let mine = store
        .actions(&plan, &filter, plan.today(demo_now()))
        .await
        .unwrap();
    assert!(!mine.is_empty(), "Ophelia leads nothing in {}", plan.name);
    mine.into_iter().map(|a| a.reference).collect()
}
