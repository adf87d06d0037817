//! The listings a chat reply reads a page at a time (`/actions`, `/overdue`,
//! the RAG table of `/plan summary`, the actions offered as a reference is
//! typed) give what reading the whole plan gives: the same actions, in the
//! same order, with the same counts, also after updates, imports and pruning
//! (the counts are kept by the database as actions change).

use crate::helpers::date;
use planbot::plan::summary::{rag_by_priority, rag_from_counts};
use planbot::plan::{Action, Plan, Status};
use planbot::store::{ActionFilter, Store, Typist};
use planbot_testkit::*;

async fn kirklees() -> (tempfile::TempDir, Store, Plan) {
    let dir = tempfile::tempdir().unwrap();
    let store = example_store(&dir.path().join("k.db")).await;
    let plan = store.find_plan(Some("Kirklees")).await.unwrap();
    (dir, store, plan)
}

fn refs(actions: &[Action]) -> Vec<String> {
    actions.iter().map(|a| a.reference.clone()).collect()
}

/// Every page of the listing, read a page at a time.
async fn paged(
    store: &Store,
    plan: &Plan,
    filter: &ActionFilter,
    today: chrono::NaiveDate,
    size: usize,
) -> (usize, Vec<String>) {
    let mut all = Vec::new();
    let mut total = 0;
    for page in 0.. {
        let found = store
            .actions_page(plan, filter, today, page * size, size)
            .await
            .unwrap();
        total = found.total;
        if found.actions.is_empty() {
            break;
        }
        assert!(found.actions.len() <= size);
        all.extend(refs(&found.actions));
    }
    (total, all)
}

#[tokio::test]
async fn a_listing_read_a_page_at_a_time_is_the_whole_listing() {
    let (_dir, store, plan) = kirklees().await;
    listings_match_the_whole_plan(&store, &plan, plan.today(demo_now())).await;
}

/// Every listing read a page at a time against the whole plan, filtered
/// and sorted in memory.
async fn listings_match_the_whole_plan(store: &Store, plan: &Plan, today: chrono::NaiveDate) {
    let filters = [
        ActionFilter::default(),
        ActionFilter {
            priority: Some(4),
            ..Default::default()
        },
        ActionFilter {
            status: Some(Status::Red),
            ..Default::default()
        },
        // Any case, spaces around: as typed.
        ActionFilter {
            lead: Some("  ophelia RIX ".into()),
            ..Default::default()
        },
        ActionFilter {
            overdue: true,
            ..Default::default()
        },
        ActionFilter {
            priority: Some(1),
            overdue: true,
            ..Default::default()
        },
        ActionFilter {
            lead: Some("Nobody At All".into()),
            ..Default::default()
        },
    ];
    for filter in &filters {
        let whole = store.actions(plan, filter, today).await.unwrap();
        let (total, pages) = paged(store, plan, filter, today, 12).await;
        assert_eq!(
            total,
            whole.len(),
            "{filter:?} on {today}: {:?}",
            refs(&whole)
        );
        assert_eq!(pages, refs(&whole), "{filter:?}");
    }
    assert!(
        !store
            .actions(plan, &filters[3], today)
            .await
            .unwrap()
            .is_empty(),
        "the lead filter finds Ophelia's actions"
    );
    // Most overdue first, ties in plan order: as /overdue sorts them.
    for priority in [None, Some(1), Some(99)] {
        let overdue = ActionFilter {
            overdue: true,
            priority,
            ..Default::default()
        };
        let mut whole = store.actions(plan, &overdue, today).await.unwrap();
        whole.sort_by_key(|a| std::cmp::Reverse(a.overdue_days(today)));
        let mut pages = Vec::new();
        for page in 0.. {
            let found = store
                .overdue_page(plan, priority, today, page * 5, 5)
                .await
                .unwrap();
            assert_eq!(found.total, whole.len(), "priority {priority:?}");
            if found.actions.is_empty() {
                break;
            }
            assert!(found.actions.len() <= 5);
            pages.extend(found.actions.into_iter().map(|a| a.reference));
        }
        assert_eq!(pages, refs(&whole), "priority {priority:?}");
    }
    let counted = store.glance(plan, today).await.unwrap().counted;
    let got = rag_from_counts(
        counted
            .into_iter()
            .map(|c| (c.priority, c.title, c.status, c.overdue, c.actions)),
    );
    let all = store
        .actions(plan, &ActionFilter::default(), today)
        .await
        .unwrap();
    let expected = rag_by_priority(&store.priorities(plan).await.unwrap(), &all, today);
    assert_eq!(got, expected, "on {today}");
}

/// The counts the database keeps follow every kind of change: status
/// updates, an import that moves actions between priorities, changes due
/// dates and statuses and adds actions, and a pruning import that removes
/// some and brings one back.
#[tokio::test]
async fn listings_stay_right_as_the_plan_changes() {
    let (_dir, store, plan) = kirklees().await;
    let today = plan.today(demo_now());
    assert!(
        !store
            .overdue_page(&plan, None, today, 0, usize::MAX)
            .await
            .unwrap()
            .actions
            .is_empty(),
        "the example has overdue actions"
    );
    for (reference, to) in [
        ("1.1", Status::Complete),
        ("4.2", Status::Red),
        ("7.1", Status::NotStarted),
    ] {
        let request = planbot::plan::StatusRequest {
            to,
            note: None,
            evidence: None,
            by: "Test".into(),
            by_discord_id: None,
            at: demo_now(),
        };
        store
            .record_status(&plan, reference, &request)
            .await
            .unwrap();
    }
    listings_match_the_whole_plan(&store, &plan, today).await;

    let edited = "Priority,Ref,Action,Leads,Due,Status\n\
        1. Moved,1.1,Moved and reopened,Ophelia Rix,Q4 20/21,Amber\n\
        2. Second,2.1,Due later now,Steve Comb,Q2 21/22,Red\n\
        2. Second,2.99,A new action,Steve Comb,Q3 18/19,Green\n\
        12. New priority,12.1,Another new one,,Q3 18/19,Not started\n";
    import_csv(&store, "Kirklees", edited, demo_now()).await;
    listings_match_the_whole_plan(&store, &plan, today).await;

    let pruned = store
        .import_plan(
            "Kirklees",
            &plan_from_csv(edited),
            &planbot::store::ImportOptions {
                prune: true,
                ..import_opts(demo_now())
            },
        )
        .await
        .unwrap();
    assert!(pruned.removed.len() > 10, "{:?}", pruned.removed);
    listings_match_the_whole_plan(&store, &plan, today).await;

    let back = format!("{edited}1. Moved,1.2,Brought back,Ophelia Rix,Q3 18/19,Red\n");
    import_csv(&store, "Kirklees", &back, demo_now()).await;
    assert_eq!(
        store.action(&plan, "1.2").await.unwrap().status,
        Status::Red
    );
    listings_match_the_whole_plan(&store, &plan, today).await;
    for day in [date(2018, 10, 1), date(2021, 1, 1)] {
        listings_match_the_whole_plan(&store, &plan, day).await;
    }
}

#[tokio::test]
async fn counts_made_by_the_database_match_counting_every_action() {
    let (_dir, store, plan) = kirklees().await;
    // A day on which some actions are overdue and some not yet due.
    for today in [date(2019, 5, 15), date(2018, 10, 1), date(2021, 1, 1)] {
        let actions = store
            .actions(&plan, &ActionFilter::default(), today)
            .await
            .unwrap();
        let expected = rag_by_priority(&store.priorities(&plan).await.unwrap(), &actions, today);
        let counted = store.glance(&plan, today).await.unwrap().counted;
        let got = rag_from_counts(
            counted
                .into_iter()
                .map(|c| (c.priority, c.title, c.status, c.overdue, c.actions)),
        );
        assert_eq!(got, expected, "on {today}");
    }
}

#[tokio::test]
async fn candidates_are_my_open_actions_then_open_ones_then_the_rest() {
    let (_dir, store, plan) = kirklees().await;
    let mut linked = std::collections::HashMap::new();
    for (i, name) in ["Ophelia Rix", "Steve Comb"].into_iter().enumerate() {
        let id = 4_000_000_000_000_000_001 + i as u64;
        store.link_person(name, id).await.unwrap();
        linked.insert(name.to_lowercase(), id);
    }
    let today = plan.today(demo_now());
    let actions = store
        .actions(&plan, &ActionFilter::default(), today)
        .await
        .unwrap();
    for (typed, person) in [
        ("", Some("Ophelia Rix")),
        ("", None),
        ("1.", Some("Ophelia Rix")),
        ("10", None),
        ("Foster", Some("Steve Comb")),
        ("  social WORK ", Some("ophelia rix")),
        ("no such words", None),
    ] {
        let words: Vec<String> = typed.split_whitespace().map(str::to_lowercase).collect();
        let partial = typed.trim().to_lowercase();
        let mine =
            |a: &Action| person.is_some_and(|p| a.leads.iter().any(|l| l.eq_ignore_ascii_case(p)));
        let mut expected: Vec<&Action> = actions
            .iter()
            .filter(|a| {
                partial.is_empty()
                    || a.reference.to_lowercase().starts_with(&partial)
                    || words
                        .iter()
                        .all(|w| a.text.to_lowercase().contains(w.as_str()))
            })
            .collect();
        expected.sort_by_key(|a| (!(mine(a) && a.status.is_open()), !a.status.is_open()));
        expected.truncate(25);
        let typist = person.map_or(Typist::Anyone, Typist::Lead);
        let got = store
            .candidates(&plan, typist, &partial, &words, 25)
            .await
            .unwrap();
        // The same for the Discord account linked to that lead.
        if let Some(p) = person {
            let id = linked[&p.to_lowercase()];
            let by_account = store
                .candidates(&plan, Typist::DiscordUser(id), &partial, &words, 25)
                .await
                .unwrap();
            assert_eq!(
                format!("{by_account:?}"),
                format!("{got:?}"),
                "{typed:?} as {p}"
            );
        }
        assert_eq!(
            got.iter().map(|c| c.reference.as_str()).collect::<Vec<_>>(),
            expected
                .iter()
                .map(|a| a.reference.as_str())
                .collect::<Vec<_>>(),
            "typed {typed:?} as {person:?}"
        );
        for c in &got {
            let a = actions.iter().find(|a| a.reference == c.reference).unwrap();
            assert_eq!((c.mine, c.status), (mine(a), a.status), "{}", c.reference);
        }
    }
}
