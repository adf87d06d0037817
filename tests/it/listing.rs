//! The listings a chat reply reads a page at a time (`/actions`, the RAG
//! table of `/plan summary`, the actions offered as a reference is typed)
//! give what reading the whole plan gives: the same actions, in the same
//! order, with the same counts.

use crate::helpers::date;
use planbot::plan::summary::{rag_by_priority, rag_from_counts};
use planbot::plan::{Action, Plan, Status};
use planbot::store::{ActionFilter, Order, Store};
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
    order: Order,
    size: usize,
) -> (usize, Vec<String>) {
    let today = plan.today(demo_now());
    let mut all = Vec::new();
    let mut total = 0;
    for page in 0.. {
        let found = store
            .actions_page(plan, filter, today, order, page * size, size)
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
    let today = plan.today(demo_now());
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
        let whole = store.actions(&plan, filter, today).await.unwrap();
        let (total, pages) = paged(&store, &plan, filter, Order::Plan, 12).await;
        assert_eq!(total, whole.len(), "{filter:?}");
        assert_eq!(pages, refs(&whole), "{filter:?}");
    }
    assert!(
        !store
            .actions(&plan, &filters[3], today)
            .await
            .unwrap()
            .is_empty(),
        "the lead filter finds Ophelia's actions"
    );
    // Most overdue first, ties in plan order: as /overdue sorts them.
    let overdue = ActionFilter {
        overdue: true,
        ..Default::default()
    };
    let mut whole = store.actions(&plan, &overdue, today).await.unwrap();
    assert!(whole.len() > 5, "the example has overdue actions");
    whole.sort_by_key(|a| std::cmp::Reverse(a.overdue_days(today)));
    let (_, pages) = paged(&store, &plan, &overdue, Order::MostOverdue, 5).await;
    assert_eq!(pages, refs(&whole));
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
        let counted = store.counted(&plan, today).await.unwrap();
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
        let got = store
            .candidates(&plan, person, &partial, &words, 25)
            .await
            .unwrap();
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
