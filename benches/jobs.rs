//! Speed of the reminders: deciding a chase over a large plan, and
//! delivering 1,000 direct messages within Discord's rate limits.
//! Run with `cargo bench --bench jobs`; figures go in the README.

use chrono::{DateTime, Duration, TimeZone, Utc};
use discord_testserver::{MemberSpec, RateLimitRules, TestServer};
use planbot::clock::Clock;
use planbot::jobs::{JobName, PlanJobs, run_job};
use planbot::store::{RunKind, Store};
use planbot_testkit::{example, import_csv, jobs_settings_for};
use std::time::Instant;

/// `actions` actions led by `leads` people, two leads each, due over eight
/// quarters from Q3 18/19; every one still open.
fn plan_csv(actions: usize, leads: usize) -> String {
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status\n");
    let quarters = [
        "Q3 18/19", "Q4 18/19", "Q1 19/20", "Q2 19/20", "Q3 19/20", "Q4 19/20", "Q1 20/21",
        "Q2 20/21",
    ];
    let statuses = ["Green", "Amber", "Red", "Not started"];
    for i in 0..actions {
        let p = i % 10 + 1;
        csv.push_str(&format!(
            "{p}. Priority {p},{p}.{i},Deliver improvement action number {i} with partners,Lead {} ; Lead {},{},{}\n",
            i % leads,
            (i + leads / 2 + 1) % leads,
            quarters[i % quarters.len()],
            statuses[i % statuses.len()],
        ));
    }
    csv
}

/// Monday 18 November 2019, 09:00 London (GMT).
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 11, 18, 9, 0, 0).unwrap()
}

async fn chase_decision() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("chase.db")).await.unwrap();
    let started = Instant::now();
    import_csv(
        &store,
        "Bench",
        &plan_csv(100_000, 20_000),
        monday() - Duration::days(400),
    )
    .await;
    println!(
        "(imported 100,000 actions in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let s = jobs_settings_for(
        "http://127.0.0.1:9".into(),
        &dir.path().join("chase.db"),
        "Bench",
    );
    let pj = PlanJobs::load(&store, &s).await.unwrap().remove(0);
    let t = Instant::now();
    let rows = store
        .lead_actions(&pj.plan, None, pj.plan.today(monday()))
        .await
        .unwrap();
    println!(
        "(read {} lead-action rows in {} ms)",
        rows.len(),
        t.elapsed().as_millis()
    );
    let t = Instant::now();
    let d = planbot::jobs::decide_job(&store, &pj, JobName::Chase, monday())
        .await
        .unwrap();
    println!(
        "(read and decided {} messages in {} ms)",
        d.outgoing.len(),
        t.elapsed().as_millis()
    );
    let mut ms = Vec::new();
    let mut queued = 0;
    // A week apart, so the chase interval lets every lead be chased again.
    for week in 0..9 {
        let fire = monday() + Duration::weeks(week);
        let t = Instant::now();
        let r = run_job(&store, &pj, JobName::Chase, fire, fire, RunKind::Scheduled)
            .await
            .unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        queued = r.queued;
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "{:<60} median {:>7.0} ms  max {:>7.0} ms  ({queued} messages, target < 1000 ms)",
        "Chase: decide + fill outbox, 100k actions (50k overdue), 20k leads",
        ms[ms.len() / 2],
        ms[ms.len() - 1]
    );
}

const DM_LEADS: usize = 1000;
const FIRST_USER: u64 = 2_000_000_000_000_000_000;

/// Delivers one chase to each of 1,000 linked leads against a server that
/// enforces Discord's limits; returns seconds from first queued to all sent.
async fn deliver(
    server: &TestServer,
    store: &Store,
    db: &std::path::Path,
    fire: DateTime<Utc>,
) -> f64 {
    let bot = planbot::discord::start(
        jobs_settings_for(server.base_url(), db, "Leads"),
        store.clone(),
        Clock::starting_at(fire),
    )
    .await
    .expect("bot starts");
    let deadline = Instant::now() + std::time::Duration::from_secs(300);
    let mut started = None;
    loop {
        let entries = store.outbox_entries(&[], 5000).await.unwrap();
        let chases: Vec<_> = entries
            .iter()
            .filter(|e| e.job == "chase" && e.created_at >= fire)
            .collect();
        if started.is_none() && !chases.is_empty() {
            started = Some(Instant::now());
        }
        if chases.len() == DM_LEADS && chases.iter().all(|e| e.state == "sent") {
            break;
        }
        assert!(Instant::now() < deadline, "the DMs never all went out");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let took = started.unwrap().elapsed().as_secs_f64();
    bot.shutdown().await;
    took
}

async fn dm_delivery() {
    let mut guild = example::guild();
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status\n");
    for i in 0..DM_LEADS {
        guild.members.push(MemberSpec {
            user_id: FIRST_USER + i as u64,
            name: format!("lead{i}"),
            roles: vec![],
        });
        csv.push_str(&format!(
            "1. Leads,1.{i},Action {i},Lead {i},Q1 19/20,Amber\n"
        ));
    }
    let server = TestServer::start(vec![guild]).await.unwrap();
    server.enforce_rate_limits(RateLimitRules::default());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dm.db");
    let store = Store::open(&db).await.unwrap();
    import_csv(&store, "Leads", &csv, monday() - Duration::days(200)).await;
    for i in 0..DM_LEADS {
        store
            .link_person(&format!("Lead {i}"), FIRST_USER + i as u64)
            .await
            .unwrap();
    }
    let cold = deliver(&server, &store, &db, monday()).await;
    let requests_cold = server.requests().len();
    let warm = deliver(&server, &store, &db, monday() + Duration::weeks(1)).await;
    let refused = server.rate_limited();
    println!(
        "{:<60} {cold:>6.1} s  ({:.1} DMs/s; opens each DM channel: 2 requests per DM)",
        "1,000 DMs, first time, limits enforced (50/s global)",
        DM_LEADS as f64 / cold
    );
    println!(
        "{:<60} {warm:>6.1} s  ({:.1} DMs/s; target about 20 s)",
        "1,000 DMs, DM channels known, limits enforced",
        DM_LEADS as f64 / warm
    );
    println!(
        "requests the server refused as over the limit: {} (of {} in the first run)",
        refused.len(),
        requests_cold
    );
    for hit in &refused {
        let global = if hit.global { "global" } else { "route" };
        println!("  refused ({global}): {} {}", hit.method, hit.path);
    }
}

#[tokio::main]
async fn main() {
    if std::env::var("SKIP_CHASE").is_err() {
        chase_decision().await;
    }
    if std::env::var("SKIP_DM").is_err() {
        dm_delivery().await;
    }
}
