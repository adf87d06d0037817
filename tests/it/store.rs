use crate::helpers::*;
use planbot::plan::{AsOf, Status, StatusRequest};
use planbot::store::{ActionFilter, Store, StoreError};

fn request(to: Status, by: &str, at: chrono::DateTime<chrono::Utc>) -> StatusRequest {
    StatusRequest {
        to,
        note: Some(format!("{by} says {}", to.label())),
        evidence: None,
        by: by.into(),
        by_discord_id: None,
        at,
    }
}

#[tokio::test]
async fn import_creates_plan_people_and_initial_history() {
    let db = TestDb::new().await;
    let outcome = db
        .import_csv("Kirklees", SMALL_PLAN, utc(2018, 10, 1, 9, 0))
        .await;
    assert!(outcome.plan_created);
    assert_eq!(outcome.created.len(), 5);
    let plan = db.store.find_plan(None).await.unwrap();
    let a = db.store.action(&plan, "1.1").await.unwrap();
    assert_eq!(a.leads, ["Steve Comb", "Tom Brailsford"]);
    assert_eq!(a.due, Some(date(2018, 12, 31)));
    assert_eq!(a.recommendations, ["O18", "O19"]);
    let history = db.store.history(&plan, "1.1").await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].from, history[0].to), (None, Status::Green));
    let people: Vec<String> = db
        .store
        .people()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.person.name)
        .collect();
    assert!(people.contains(&"Julie Bragg".to_string()));
    assert!(people.contains(&"Mel Meggs".to_string()));
}

#[tokio::test]
async fn reimport_updates_by_ref_and_keeps_history() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(Some("P")).await.unwrap();
    db.store
        .record_status(
            &plan,
            "1.2",
            &request(Status::Amber, "Julie Bragg", utc(2018, 11, 1, 10, 0)),
        )
        .await
        .unwrap();

    // The council's new sheet rewords 1.2, marks it red again and drops 4.2.
    let edited: String = SMALL_PLAN
        .replace("Review the SGO policy", "Review and update the SGO policy")
        .lines()
        .filter(|l| !l.contains("4.2"))
        .map(|l| format!("{l}\n"))
        .collect();
    let outcome = db.import_csv("P", &edited, utc(2018, 12, 1, 9, 0)).await;
    assert!(!outcome.plan_created);
    assert_eq!(outcome.updated, ["1.2"]);
    assert_eq!(outcome.unchanged, 3);
    assert_eq!(outcome.missing, ["4.2"]);
    assert!(
        outcome.removed.is_empty(),
        "nothing is removed without prune"
    );

    let a = db.store.action(&plan, "1.2").await.unwrap();
    assert_eq!(a.text, "Review and update the SGO policy");
    assert_eq!(a.status, Status::Red);
    let history = db.store.history(&plan, "1.2").await.unwrap();
    let steps: Vec<(Option<Status>, Status, &str)> = history
        .iter()
        .map(|c| (c.from, c.to, c.by.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            (None, Status::Red, "test import"),
            (Some(Status::Red), Status::Amber, "Julie Bragg"),
            (Some(Status::Amber), Status::Red, "test import"),
        ]
    );
    // 4.2 is still there until pruned.
    assert!(db.store.action(&plan, "4.2").await.is_ok());
}

#[tokio::test]
async fn prune_removes_missing_actions_but_not_their_past() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    let without: String = SMALL_PLAN
        .lines()
        .filter(|l| !l.contains("4.2"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut opts = import_opts(utc(2019, 1, 10, 9, 0));
    opts.prune = true;
    let outcome = db
        .store
        .import_plan("P", &plan_from_csv(&without), &opts)
        .await
        .unwrap();
    assert_eq!(outcome.removed, ["4.2"]);
    assert!(matches!(
        db.store.action(&plan, "4.2").await,
        Err(StoreError::NoSuchAction { .. })
    ));
    let then = AsOf::end_of_day(date(2018, 12, 1), plan.time_zone);
    let past = db
        .store
        .actions_as_of(&plan, &ActionFilter::default(), then)
        .await
        .unwrap();
    assert!(
        past.iter().any(|a| a.reference == "4.2"),
        "a board paper from December still shows 4.2"
    );
}

#[tokio::test]
async fn dry_run_changes_nothing() {
    let db = TestDb::new().await;
    let mut opts = import_opts(utc(2018, 10, 1, 9, 0));
    opts.dry_run = true;
    let outcome = db
        .store
        .import_plan("P", &plan_from_csv(SMALL_PLAN), &opts)
        .await
        .unwrap();
    assert_eq!(outcome.created.len(), 5);
    assert!(matches!(
        db.store.find_plan(None).await,
        Err(StoreError::NoPlans)
    ));
}

#[tokio::test]
async fn status_as_of_a_past_moment_comes_from_history() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    db.store
        .record_status(
            &plan,
            "1.1",
            &request(Status::Red, "Steve Comb", utc(2019, 1, 15, 12, 0)),
        )
        .await
        .unwrap();
    db.store
        .record_status(
            &plan,
            "1.1",
            &request(Status::Complete, "Tom Brailsford", utc(2019, 4, 2, 12, 0)),
        )
        .await
        .unwrap();

    let status_on = |d: chrono::NaiveDate| {
        let store = db.store.clone();
        let plan = plan.clone();
        async move {
            let actions = store
                .actions_as_of(
                    &plan,
                    &ActionFilter::default(),
                    AsOf::end_of_day(d, plan.time_zone),
                )
                .await
                .unwrap();
            actions
                .into_iter()
                .find(|a| a.reference == "1.1")
                .map(|a| a.status)
        }
    };
    assert_eq!(
        status_on(date(2018, 9, 30)).await,
        None,
        "before the plan was imported"
    );
    assert_eq!(status_on(date(2018, 12, 31)).await, Some(Status::Green));
    assert_eq!(status_on(date(2019, 3, 31)).await, Some(Status::Red));
    assert_eq!(status_on(date(2019, 4, 2)).await, Some(Status::Complete));
    // Overdue as of 31 March: due Q3 18/19 and red then.
    let then = AsOf::end_of_day(date(2019, 3, 31), plan.time_zone);
    let overdue = db
        .store
        .actions_as_of(
            &plan,
            &ActionFilter {
                overdue: true,
                ..Default::default()
            },
            then,
        )
        .await
        .unwrap();
    assert!(overdue.iter().any(|a| a.reference == "1.1"));
}

#[tokio::test]
async fn status_update_records_who_when_note_and_evidence() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    let mut req = request(Status::Complete, "Julie Bragg", utc(2019, 2, 1, 9, 30));
    req.evidence = Some("https://example.org/sgo-policy".into());
    let updated = db.store.record_status(&plan, "1.2", &req).await.unwrap();
    assert_eq!(updated.before.status, Status::Red);
    assert_eq!(updated.after.status, Status::Complete);
    assert_eq!(updated.after.evidence, ["https://example.org/sgo-policy"]);
    let last = db.store.history(&plan, "1.2").await.unwrap().pop().unwrap();
    assert_eq!(last.by, "Julie Bragg");
    assert_eq!(last.at, utc(2019, 2, 1, 9, 30));
    assert_eq!(last.note.as_deref(), Some("Julie Bragg says Complete"));
    assert_eq!(
        last.evidence.as_deref(),
        Some("https://example.org/sgo-policy")
    );
}

#[tokio::test]
async fn unknown_ref_is_refused() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    let err = db
        .store
        .record_status(
            &plan,
            "9.9",
            &request(Status::Green, "Julie Bragg", utc(2019, 1, 1, 9, 0)),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no action 9.9"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_leads_updating_at_once_both_land_in_order() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    let at = utc(2019, 1, 1, 9, 0);
    let spawn = |to, by: &'static str| {
        let (store, plan) = (db.store.clone(), plan.clone());
        tokio::spawn(async move {
            store
                .record_status(&plan, "1.1", &request(to, by, at))
                .await
        })
    };
    let (a, b) = (
        spawn(Status::Amber, "Steve Comb"),
        spawn(Status::Red, "Tom Brailsford"),
    );
    a.await.unwrap().unwrap();
    b.await.unwrap().unwrap();
    let history = db.store.history(&plan, "1.1").await.unwrap();
    assert_eq!(history.len(), 3);
    // Each update starts from where the one before it left the action.
    assert_eq!(history[2].from, Some(history[1].to));
    let now = db.store.action(&plan, "1.1").await.unwrap();
    assert_eq!(now.status, history[2].to);
}

#[tokio::test]
async fn history_cannot_be_rewritten() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.path().display()))
        .await
        .unwrap();
    let update = sqlx::query("UPDATE status_changes SET to_status = 'green'")
        .execute(&pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM status_changes")
        .execute(&pool)
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[tokio::test]
async fn linking_people_to_discord() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let person = db.store.link_person("julie bragg", 1234).await.unwrap();
    assert_eq!(person.name, "Julie Bragg");
    assert_eq!(
        db.store
            .person_by_discord_id(1234)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Julie Bragg"
    );
    assert!(matches!(
        db.store.link_person("Mel Meggs", 1234).await,
        Err(StoreError::DiscordIdTaken { .. })
    ));
    assert!(matches!(
        db.store.link_person("Nobody Known", 99).await,
        Err(StoreError::NoSuchPerson(_))
    ));
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(
        &path,
        "These are my meeting notes, not a database. ".repeat(100),
    )
    .unwrap();
    let err = Store::open(&path).await.unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("not a planbot database"));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("These are my meeting notes")
    );
}

#[tokio::test]
async fn another_programs_database_is_refused_and_a_missing_one_not_made() {
    use sqlx::{Connection, Executor};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
    conn.execute("CREATE TABLE invoices (n INTEGER)")
        .await
        .unwrap();
    conn.close().await.unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let err = Store::open(&path).await.unwrap_err();
    assert!(matches!(err, StoreError::NotPlanbot { .. }), "{err}");
    assert!(err.to_string().contains("it holds invoices"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    let missing = dir.path().join("missing.db");
    let err = Store::open_existing(&missing).await.unwrap_err();
    assert!(matches!(err, StoreError::NoDatabase { .. }), "{err}");
    assert!(!missing.exists());
    // Once made, a planbot database opens either way.
    Store::open(&missing).await.unwrap().close().await;
    Store::open_existing(&missing).await.unwrap().close().await;
}

#[tokio::test]
async fn overdue_filter_uses_the_plan_calendar() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    let filter = ActionFilter {
        overdue: true,
        ..Default::default()
    };
    let refs =
        |v: Vec<planbot::plan::Action>| v.into_iter().map(|a| a.reference).collect::<Vec<_>>();
    // 1 April 2019: Q3 items (1.1) and Q4 items (1.2, 4.2) are late; 4.1 is complete.
    let overdue = db
        .store
        .actions(&plan, &filter, date(2019, 4, 1))
        .await
        .unwrap();
    assert_eq!(refs(overdue), ["1.1", "1.2", "4.2"]);
    let overdue = db
        .store
        .actions(&plan, &filter, date(2019, 3, 31))
        .await
        .unwrap();
    assert_eq!(refs(overdue), ["1.1"]);
    let lead = ActionFilter {
        lead: Some("julie bragg".into()),
        ..Default::default()
    };
    assert_eq!(
        refs(
            db.store
                .actions(&plan, &lead, date(2019, 4, 1))
                .await
                .unwrap()
        ),
        ["1.2", "2.1"]
    );
}

/// Priority 2 comes first in the file, so the priorities' ids do not follow
/// their numbers; actions of both share due dates.
const OVERDUE_PLAN: &str = "\
Priority,Ref,Action,Leads,Due,Status
2. Second,2.1,Two one,Ann Lead; Bob Second,Q3 18/19,Red
1. First,1.1,One one,Cat Third,Q3 18/19,Green
2. Second,2.2,Two two,,Q2 18/19,Amber
1. First,1.2,One two,Ann Lead,Q2 18/19,Not started
1. First,1.3,One three,Ann Lead,Q2 18/19,Complete
1. First,1.4,No date,Ann Lead,,Red
3. Third,3.1,Due at the quarter's end,Ann Lead,31/03/2019,Red
3. Third,3.2,Pruned,Ann Lead,Q2 18/19,Red
";

#[tokio::test]
async fn the_overdue_list_is_the_overdue_filter_most_overdue_first() {
    let db = TestDb::new().await;
    db.import_csv("P", OVERDUE_PLAN, utc(2018, 4, 2, 9, 0))
        .await;
    let without_3_2: String = OVERDUE_PLAN
        .lines()
        .filter(|l| !l.contains(",3.2,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut prune = import_opts(utc(2018, 5, 1, 9, 0));
    prune.prune = true;
    db.store
        .import_plan("P", &plan_from_csv(&without_3_2), &prune)
        .await
        .unwrap();
    let plan = db.store.find_plan(None).await.unwrap();
    let overdue = ActionFilter {
        overdue: true,
        ..Default::default()
    };
    for (today, priority) in [
        (date(2019, 3, 31), None),
        (date(2019, 4, 1), None),
        (date(2018, 12, 31), None),
        (date(2019, 4, 1), Some(2)),
        (date(2017, 1, 1), None),
    ] {
        let list = db
            .store
            .overdue_page(&plan, priority, today, 0, usize::MAX)
            .await
            .unwrap()
            .actions;
        // What `/overdue` showed before it had a list of its own.
        let mut full = db
            .store
            .actions(
                &plan,
                &ActionFilter {
                    priority,
                    ..overdue.clone()
                },
                today,
            )
            .await
            .unwrap();
        full.sort_by_key(|a| std::cmp::Reverse(a.overdue_days(today)));
        let full: Vec<_> = full
            .into_iter()
            .map(|a| planbot::plan::OverdueAction {
                days_overdue: a.overdue_days(today).unwrap(),
                reference: a.reference,
                priority: a.priority,
                text: a.text,
                leads: a.leads,
                due: a.due.unwrap(),
                status: a.status,
            })
            .collect();
        assert_eq!(list, full, "{today} {priority:?}");
    }
    let refs = async |today| {
        db.store
            .overdue_page(&plan, None, today, 0, usize::MAX)
            .await
            .unwrap()
            .actions
            .into_iter()
            .map(|a| (a.reference, a.days_overdue))
            .collect::<Vec<_>>()
    };
    let r = |s: &str, d: i64| (s.to_string(), d);
    assert_eq!(
        refs(date(2019, 4, 1)).await,
        [
            r("1.2", 183),
            r("2.2", 183),
            r("1.1", 91),
            r("2.1", 91),
            r("3.1", 1)
        ]
    );
    assert_eq!(refs(date(2018, 12, 31)).await, [r("1.2", 92), r("2.2", 92)]);
    let list = db
        .store
        .overdue_page(&plan, None, date(2019, 4, 1), 0, usize::MAX)
        .await
        .unwrap()
        .actions;
    assert_eq!(list[3].leads, ["Ann Lead", "Bob Second"]);
    assert!(list[1].leads.is_empty());
}

#[tokio::test]
async fn a_sheet_without_status_or_evidence_keeps_what_is_recorded() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(None).await.unwrap();
    let mut req = request(Status::Complete, "Mel Meggs", utc(2018, 11, 1, 9, 0));
    req.evidence = Some("https://example.org/mash".into());
    db.store.record_status(&plan, "4.1", &req).await.unwrap();

    // An older export, with its own evidence column, does not erase the new link.
    let outcome = db.import_csv("P", SMALL_PLAN, utc(2018, 12, 1, 9, 0)).await;
    assert_eq!(outcome.status_changes, 0);
    let a = db.store.action(&plan, "4.1").await.unwrap();
    assert_eq!(
        a.evidence,
        ["Board paper March 2019", "https://example.org/mash"]
    );

    // A sheet with no Status column says nothing about statuses.
    let no_status = "Priority,Ref,Action\n1. Children Looked After,1.2,Review the SGO policy\n";
    let outcome = db.import_csv("P", no_status, utc(2019, 1, 1, 9, 0)).await;
    assert_eq!(outcome.status_changes, 0);
    assert_eq!(
        db.store.action(&plan, "1.2").await.unwrap().status,
        Status::Red
    );
}

#[tokio::test]
async fn an_action_comes_with_the_tail_of_its_whole_history_in_order() {
    let db = TestDb::new().await;
    db.import_csv("Kirklees", SMALL_PLAN, utc(2018, 10, 1, 9, 0))
        .await;
    let plan = db.store.find_plan(None).await.unwrap();
    let statuses = [Status::Amber, Status::Red, Status::Green];
    for i in 0..7 {
        // Two updates stamped in the same millisecond keep their order.
        let at = utc(2018, 11, 1, 9, 0) + chrono::Duration::hours(i / 2);
        db.store
            .record_status(
                &plan,
                "1.1",
                &request(statuses[i as usize % 3], "Steve Comb", at),
            )
            .await
            .unwrap();
    }
    let whole = db.store.history(&plan, "1.1").await.unwrap();
    assert_eq!(whole.len(), 8);
    let action = db.store.action(&plan, "1.1").await.unwrap();
    for n in [0, 1, 3, 8, 20] {
        let (shown, recent) = db
            .store
            .action_with_recent_history(&plan, " 1.1 ", n)
            .await
            .unwrap();
        assert_eq!(format!("{shown:?}"), format!("{action:?}"));
        let tail = &whole[whole.len().saturating_sub(n as usize)..];
        assert_eq!(format!("{recent:?}"), format!("{tail:?}"), "last {n}");
    }
    assert!(matches!(
        db.store.action_with_recent_history(&plan, "9.9", 3).await,
        Err(StoreError::NoSuchAction { .. })
    ));
}

/// Without SQLite's query planner stability guarantee, a statement whose
/// LIMIT is a bound value is compiled again on every run: every page and
/// choice list the bot reads. `.cargo/config.toml` builds SQLite with it.
#[tokio::test]
async fn sqlite_is_built_to_keep_each_statements_plan() {
    let db = TestDb::new().await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.path().display()))
        .await
        .unwrap();
    let options: Vec<String> =
        sqlx::query_scalar("SELECT compile_options FROM pragma_compile_options")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(
        options.iter().any(|o| o == "ENABLE_QPSG"),
        "SQLite was built without SQLITE_ENABLE_QPSG: {options:?}"
    );
}

/// The bot keeps each plan it has read; that is right only because a
/// plan's row cannot change, whoever writes to the file.
#[tokio::test]
async fn a_plans_name_and_settings_cannot_change_nor_the_plan_go() {
    let db = TestDb::new().await;
    db.import_csv("Kirklees", SMALL_PLAN, utc(2018, 10, 1, 9, 0))
        .await;
    let before = db.store.find_plan(Some("kirklees")).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.path().display()))
        .await
        .unwrap();
    for change in [
        "UPDATE plans SET time_zone = 'Europe/Paris'",
        "UPDATE plans SET name = 'Renamed'",
        "UPDATE plans SET year_start_month = 1",
        "UPDATE plans SET stale_days = 7",
        "DELETE FROM plans",
    ] {
        let refused = sqlx::query(change).execute(&pool).await.unwrap_err();
        assert!(refused.to_string().contains("plan"), "{change}: {refused}");
    }
    // The bank holiday division is not part of what is kept.
    sqlx::query("UPDATE plans SET holiday_division = 'scotland'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let reopened = Store::open(db.path()).await.unwrap();
    let after = reopened.find_plan(Some("Kirklees")).await.unwrap();
    assert_eq!(
        (after.id, after.name, after.time_zone, after.stale_days),
        (before.id, before.name, before.time_zone, before.stale_days)
    );
}

/// A plan imported by another program (the CLI) while the bot runs is
/// found by the bot, and makes "the only plan" ambiguous at once.
#[tokio::test]
async fn a_plan_made_by_another_program_is_found() {
    let db = TestDb::new().await;
    db.import_csv("Kirklees", SMALL_PLAN, utc(2018, 10, 1, 9, 0))
        .await;
    assert_eq!(db.store.find_plan(None).await.unwrap().name, "Kirklees");
    assert_eq!(
        db.store.find_plan(Some(" KIRKLEES ")).await.unwrap().name,
        "Kirklees"
    );
    assert!(matches!(
        db.store.find_plan(Some("Leeds")).await,
        Err(StoreError::NoSuchPlan(_))
    ));
    let cli = Store::open(db.path()).await.unwrap();
    planbot_testkit::import_csv(&cli, "Leeds", SMALL_PLAN, utc(2018, 10, 2, 9, 0)).await;
    let leeds = db.store.find_plan(Some("leeds")).await.unwrap();
    assert_eq!(leeds.name, "Leeds");
    assert_eq!(
        db.store.plan_by_id(leeds.id).await.unwrap().unwrap().name,
        "Leeds"
    );
    assert!(matches!(
        db.store.find_plan(None).await,
        Err(StoreError::AmbiguousPlan(_))
    ));
}

/// `/plan summary` counts each outcome's actions (each once, however often
/// the outcome names it) and those overdue, reading only those actions.
#[tokio::test]
async fn an_outcome_counts_the_actions_it_names_once_and_those_overdue() {
    let db = TestDb::new().await;
    let plan = small_plan_with_outcomes(
        &db,
        &[
            ("OC1", &["1.1", "1.2", "1.2", "4.1"]),
            ("OC2", &["2.1"]),
            ("OC3", &[]),
        ],
    )
    .await;
    // Each outcome's code, actions and those overdue on 15 January 2019.
    let counts = || async {
        let summary = planbot::app::summary::summary(&db.store, &plan, utc(2019, 1, 15, 9, 0))
            .await
            .unwrap();
        let counts: Vec<(String, usize, usize)> = summary
            .outcomes
            .into_iter()
            .map(|o| (o.code, o.actions, o.actions_overdue))
            .collect();
        counts
    };
    // 1.1 (Green, due 31 December) is overdue; 1.2 is not yet due; 4.1 is
    // complete.
    assert_eq!(
        counts().await,
        [
            ("OC1".into(), 3, 1),
            ("OC2".into(), 1, 0),
            ("OC3".into(), 0, 0)
        ]
    );

    // A new sheet that names other actions replaces what each outcome names.
    save_outcomes(&db, &plan, &[("OC1", &["2.1"]), ("OC3", &["1.1", "1.2"])]).await;
    assert_eq!(
        counts().await,
        [
            ("OC1".into(), 1, 0),
            ("OC2".into(), 1, 0),
            ("OC3".into(), 2, 1)
        ]
    );
    // The counts follow the actions as they change: pruned, 1.2 is no
    // longer counted; 5.1, named before it existed, is counted once
    // imported; 1.1 completed is no longer overdue.
    save_outcomes(
        &db,
        &plan,
        &[("OC1", &["2.1", "5.1"]), ("OC3", &["1.1", "1.2"])],
    )
    .await;
    let edited: String = SMALL_PLAN
        .lines()
        .filter(|l| !l.contains(",1.2,"))
        .map(|l| format!("{l}\n"))
        .chain(["5. Early Help,5.1,,Open the hub,Mel Meggs,Q3 18/19,Red,O1,\n".to_string()])
        .collect();
    let options = planbot::store::ImportOptions {
        prune: true,
        ..planbot_testkit::import_opts(utc(2019, 1, 12, 9, 0))
    };
    db.store
        .import_plan(
            "Kirklees",
            &planbot_testkit::plan_from_csv(&edited),
            &options,
        )
        .await
        .unwrap();
    assert_eq!(
        counts().await,
        [
            ("OC1".into(), 2, 1),
            ("OC2".into(), 1, 0),
            ("OC3".into(), 1, 1)
        ]
    );
    db.store
        .record_status(
            &plan,
            "1.1",
            &request(Status::Complete, "Steve Comb", utc(2019, 1, 13, 9, 0)),
        )
        .await
        .unwrap();
    assert_eq!(
        counts().await,
        [
            ("OC1".into(), 2, 1),
            ("OC2".into(), 1, 0),
            ("OC3".into(), 1, 0)
        ]
    );
}

/// `planbot verify` finds a kept table that no longer agrees with what it
/// is kept from (a hand edit, another program) and says how to rebuild it;
/// such a table does not stop a backup, and `--repair` rebuilds it.
#[tokio::test]
async fn verify_finds_stale_kept_tables_and_repair_rebuilds_them() {
    let db = TestDb::new().await;
    let plan = small_plan_with_outcomes(&db, &[("OC1", &["1.1", "1.2"])]).await;
    db.store.close().await;
    let clean = planbot(&db.path(), &["verify"]);
    assert!(clean.status.success(), "{}", stdout(&clean));

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.path().display()))
        .await
        .unwrap();
    sqlx::query("DELETE FROM outcome_actions WHERE ref = '1.2'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE action_counts SET n = n + 1 WHERE status = 'red'")
        .execute(&pool)
        .await
        .unwrap();
    // Too low: emptying outcome_actions while repairing must not count it below 0.
    sqlx::query("UPDATE outcome_action_counts SET n = 0")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let stale = planbot(&db.path(), &["verify"]);
    assert_eq!(stale.status.code(), Some(1));
    assert_eq!(
        stdout(&stale).lines().collect::<Vec<_>>(),
        [
            "plan Kirklees: the action counts kept for listings disagree with its actions; `planbot verify --repair` rebuilds it",
            "plan Kirklees outcome OC1: the counts of its actions kept for /plan summary disagree with them; `planbot verify --repair` rebuilds it",
            "plan Kirklees outcome OC1: the actions kept for it disagree with its list; `planbot verify --repair` rebuilds it",
        ]
    );
    let copy = db.dir.path().join("copy.db");
    let backup = planbot(&db.path(), &["backup", "--out", copy.to_str().unwrap()]);
    assert!(backup.status.success(), "{}", stdout(&backup));

    let repaired = planbot(&db.path(), &["verify", "--repair"]);
    assert!(repaired.status.success(), "{}", stdout(&repaired));
    assert!(
        stdout(&repaired).starts_with("rebuilt the tables kept for quick reads\n"),
        "{}",
        stdout(&repaired)
    );
    let store = Store::open(db.path()).await.unwrap();
    let summary = planbot::app::summary::summary(&store, &plan, utc(2019, 1, 15, 9, 0))
        .await
        .unwrap();
    assert_eq!(summary.outcomes[0].actions, 2);
    let red: usize = summary
        .counted
        .iter()
        .filter(|c| c.status == Status::Red)
        .map(|c| c.actions)
        .sum();
    assert_eq!(red, 1, "SMALL_PLAN has one red action");
}

/// SMALL_PLAN imported, with these outcomes naming these actions.
async fn small_plan_with_outcomes(
    db: &TestDb,
    outcomes: &[(&str, &[&str])],
) -> planbot::plan::Plan {
    db.import_csv("Kirklees", SMALL_PLAN, utc(2018, 10, 1, 9, 0))
        .await;
    let plan = db.store.find_plan(None).await.unwrap();
    save_outcomes(db, &plan, outcomes).await;
    plan
}

/// Saves a register of these outcomes, each naming these actions.
async fn save_outcomes(db: &TestDb, plan: &planbot::plan::Plan, outcomes: &[(&str, &[&str])]) {
    use planbot::plan::outcome::Outcome;
    use planbot::store::{Register, RegisterSource};
    let register = Register {
        outcomes: outcomes
            .iter()
            .map(|(code, refs)| Outcome {
                code: code.to_string(),
                statement: format!("Outcome {code}"),
                priority: None,
                actions: refs.iter().map(|r| r.to_string()).collect(),
            })
            .collect(),
        ..Default::default()
    };
    let source = RegisterSource {
        by: "test".into(),
        at: utc(2018, 10, 2, 9, 0),
    };
    db.store
        .save_register(plan, &register, &source)
        .await
        .unwrap();
}

/// The write itself refuses a new unit or frequency for a measure with
/// values (one may be recorded after an import's checks read the plan), and
/// writes nothing of the register.
#[tokio::test]
async fn a_measure_with_values_keeps_its_unit_in_the_write_itself() {
    use planbot::plan::measure::{Frequency, Unit};
    use planbot::store::RegisterSource;
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let plan = db.store.find_plan(Some("P")).await.unwrap();
    let at = utc(2018, 12, 1, 9, 0);
    planbot_testkit::save_small_register(&db.store, &plan, at).await;
    let source = RegisterSource {
        by: "test".into(),
        at,
    };
    for change in [
        |m: &mut planbot::plan::measure::Measure| m.unit = Unit::Days,
        |m: &mut planbot::plan::measure::Measure| m.frequency = Frequency::Quarterly,
    ] {
        let mut register = planbot_testkit::small_register();
        register.values.clear();
        let m1 = register
            .measures
            .iter_mut()
            .find(|m| m.code == "M1")
            .unwrap();
        change(m1);
        let err = db.store.save_register(&plan, &register, &source).await;
        assert!(
            matches!(&err, Err(StoreError::MeasureHasValues(code)) if code == "M1"),
            "{err:?}"
        );
    }
    let m1 = db.store.measures(&plan).await.unwrap();
    let m1 = m1.iter().find(|m| m.code == "M1").unwrap();
    assert_eq!((m1.unit, m1.frequency), (Unit::Percent, Frequency::Monthly));
}
