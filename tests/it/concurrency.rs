//! Many people changing one action at once: every change is kept, the
//! history chains (each row starts where the one before ended) and the
//! action's status, its last history row and the point-in-time view agree.

use discord_testserver::Response;
use futures::future::join_all;
use planbot::clock::Clock;
use planbot::plan::{AsOf, Plan, Status};
use planbot::store::{ActionFilter, Store};
use planbot_testkit::*;
use serde_json::{Value, json};

/// Led by Steve Comb and Tom Brailsford together.
const SHARED: &str = "1.1";

/// The values of the `/status` command's status choices.
fn status_values(app: &TestApp) -> Vec<Value> {
    let commands = app.server.commands(Some(GUILD));
    let status = commands.iter().find(|c| c["name"] == "status").unwrap();
    status["options"][1]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].clone())
        .collect()
}

/// The bot on the system clock: requests stamped a moment apart race for
/// the write lock, as they do in use.
async fn spawn_on_system_clock() -> TestApp {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let settings = settings(&app.server, &app.dir.path().join("bot.db"));
    app.start_bot_at(settings, Clock::system()).await;
    app
}

/// Checks the history of `reference` chains and agrees with the action and
/// with the plan as of the end of today; returns how many rows it has.
async fn assert_consistent(store: &Store, plan: &Plan, reference: &str, round: usize) -> usize {
    let history = store.history(plan, reference).await.unwrap();
    for pair in history.windows(2) {
        assert_eq!(
            pair[1].from,
            Some(pair[0].to),
            "round {round}: a history row does not start where the one before ended: {pair:#?}"
        );
        assert!(
            pair[1].at >= pair[0].at,
            "round {round}: a history row is stamped before the one before it: {pair:#?}"
        );
    }
    let last = history.last().expect("history").to;
    let now = store.action(plan, reference).await.unwrap().status;
    assert_eq!(now, last, "round {round}: status and last history row");
    let as_of = AsOf::end_of_day(plan.today(chrono::Utc::now()), plan.time_zone);
    let then = store
        .actions_as_of(plan, &ActionFilter::default(), as_of)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.reference == reference)
        .expect("action in the point-in-time view")
        .status;
    assert_eq!(then, last, "round {round}: point-in-time view and last row");
    history.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_updates_by_two_leads_chain_in_fifty_rounds() {
    let app = spawn_on_system_clock().await;
    let plan = app.plan().await;
    let values = status_values(&app);
    let mut rows = app.store.history(&plan, SHARED).await.unwrap().len();
    for round in 0..50 {
        let updates = (0..20).map(|i| {
            let lead = if i % 2 == 0 { STEVE } else { TOM };
            let options = json!([
                {"type": 3, "name": "ref", "value": SHARED},
                {"type": 4, "name": "status", "value": values[(round + i) % values.len()]},
                {"type": 3, "name": "note", "value": format!("round {round}, update {i}")},
            ]);
            app.reply(lead, "status", options)
        });
        for reply in join_all(updates).await {
            assert!(
                reply.content().contains(SHARED),
                "round {round}: {}",
                reply.content()
            );
        }
        let now = assert_consistent(&app.store, &plan, SHARED, round).await;
        assert_eq!(now, rows + 20, "round {round}: every update is kept");
        rows = now;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_buttons_modals_and_an_import_at_once_keep_one_history() {
    let app = spawn_on_system_clock().await;
    let plan = app.plan().await;
    let values = status_values(&app);
    let complete = format!("pb:c:{}:{SHARED}", plan.id);
    let update = format!("pb:u:{}:{SHARED}", plan.id);
    // A sheet that sets 1.1 to Red, imported by another process meanwhile.
    let text = app.store.action(&plan, SHARED).await.unwrap().text;
    let sheet = app.dir.path().join("red.csv");
    let csv = format!(
        "Priority,Ref,Action,Leads,Status\n1. Children Looked After,{SHARED},\"{text}\",Steve Comb; Tom Brailsford,Red\n"
    );
    std::fs::write(&sheet, csv).unwrap();
    for round in 0..10 {
        let import = tokio::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
            .arg("import")
            .arg(&sheet)
            .args(["--plan", "Kirklees", "--db"])
            .arg(app.dir.path().join("bot.db"))
            .output();
        let commands = (0..6).map(|i| {
            let lead = if i % 2 == 0 { STEVE } else { TOM };
            let options = json!([
                {"type": 3, "name": "ref", "value": SHARED},
                {"type": 4, "name": "status", "value": values[(round + i) % values.len()]},
            ]);
            app.reply(lead, "status", options)
        });
        let presses = (0..3).map(|_| app.press(Some(GUILD), CHANNEL, STEVE, 1, &complete));
        let modals = (0..3).map(|i| {
            let status = ["amber", "green", "red"][i];
            submit_in_channel(&app, TOM, &update, status)
        });
        let (import, commands, presses, modals) = tokio::join!(
            import,
            join_all(commands),
            join_all(presses),
            join_all(modals)
        );
        let import = import.unwrap();
        assert!(
            import.status.success(),
            "round {round}: import: {}",
            String::from_utf8_lossy(&import.stderr)
        );
        for reply in commands.iter().chain(&presses).chain(&modals) {
            assert!(
                reply.content().contains(SHARED),
                "round {round}: {}",
                reply.content()
            );
        }
        assert_consistent(&app.store, &plan, SHARED, round).await;
    }
    let history = app.store.history(&plan, SHARED).await.unwrap();
    assert!(
        history.iter().any(|c| c.to == Status::Complete)
            && history.iter().any(|c| c.to == Status::Red),
        "buttons and the import both wrote"
    );
}

/// Submits the update modal from a button in the plan channel.
async fn submit_in_channel(app: &TestApp, user: u64, custom_id: &str, status: &str) -> Response {
    let fields = [("status", status), ("note", "")];
    let id = app
        .server
        .submit_modal(Some(GUILD), CHANNEL, user, custom_id, &fields)
        .await;
    app.server.responses(id, 1, WAIT).await.remove(0)
}

/// Fifty updates arriving together are written together (one transaction),
/// but each is still checked on its own: a refused one, or one naming no
/// action, takes nothing from the others, and each allowed one keeps its
/// own history row.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_update_among_fifty_at_once_leaves_the_others_recorded() {
    use planbot::app::{Actor, AppError, status};
    let app = spawn_app().await;
    let plan = app.plan().await;
    let mine: Vec<String> = app
        .store
        .actions(
            &plan,
            &ActionFilter {
                lead: Some("Ophelia Rix".into()),
                ..Default::default()
            },
            plan.today(demo_now()),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.reference)
        .collect();
    let mut before = Vec::new();
    for r in &mine {
        before.push(app.store.history(&plan, r).await.unwrap().len());
    }
    let ophelia = Actor::discord("ophelia", OPHELIA, false, false);
    let stranger = Actor::discord("carol", STRANGER, false, false);
    let updates = (0..50).map(|i| {
        let (store, plan) = (app.store.clone(), plan.clone());
        let (actor, reference) = match i % 10 {
            3 => (stranger.clone(), mine[i % mine.len()].clone()),
            7 => (ophelia.clone(), "99.99".to_string()),
            _ => (ophelia.clone(), mine[i % mine.len()].clone()),
        };
        async move {
            let change = status::Change {
                to: Status::Amber,
                note: Some(format!("update {i}")),
                evidence: None,
            };
            let outcome =
                status::update_status(&store, &plan, &actor, &reference, change, demo_now()).await;
            (i, outcome)
        }
    });
    for (i, outcome) in join_all(updates).await {
        match (i % 10, outcome) {
            (3, Err(AppError::NotAllowed { .. })) => {}
            (7, Err(AppError::NoSuchAction { .. })) => {}
            (3 | 7, other) => panic!("update {i} should have been refused: {other:?}"),
            (_, Ok(done)) => {
                assert_eq!(done.written.note.as_deref(), Some(&*format!("update {i}")))
            }
            (_, Err(e)) => panic!("update {i} was refused: {e:?}"),
        }
    }
    let mut written = 0;
    for (r, before) in mine.iter().zip(before) {
        let history = app.store.history(&plan, r).await.unwrap();
        for change in &history[before..] {
            let i: usize = change.note.as_deref().unwrap()["update ".len()..]
                .parse()
                .unwrap();
            assert!(
                i % 10 != 3 && i % 10 != 7,
                "refused update {i} is in {r}'s history"
            );
            assert_eq!(change.by, "Ophelia Rix");
        }
        written += history.len() - before;
    }
    assert_eq!(written, 40, "each of the 40 allowed updates has its row");
}

/// Updates of one action that land in the same batch each add their
/// evidence link after the ones before, in the order the history gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_from_updates_written_together_is_kept_in_history_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = example_store(&dir.path().join("k.db")).await;
    let plan = store.find_plan(Some("Kirklees")).await.unwrap();
    let before = store.action(&plan, SHARED).await.unwrap().evidence;
    let writes = (0..40).map(|i| {
        let (store, plan) = (store.clone(), plan.clone());
        async move {
            let request = planbot::plan::StatusRequest {
                to: [Status::Green, Status::Amber, Status::Red][i % 3],
                note: Some(format!("update {i}")),
                evidence: (i % 4 != 0).then(|| format!("https://example.org/evidence/{i}")),
                by: "Steve Comb".into(),
                by_discord_id: None,
                at: chrono::Utc::now(),
            };
            store.record_status(&plan, SHARED, &request).await.unwrap()
        }
    });
    let written = join_all(writes).await;
    let history = store.history(&plan, SHARED).await.unwrap();
    let links: Vec<String> = history.iter().filter_map(|c| c.evidence.clone()).collect();
    assert_eq!(links.len(), 30);
    let mut expected = before.clone();
    expected.extend(links);
    let action = store.action(&plan, SHARED).await.unwrap();
    assert_eq!(action.evidence, expected);
    assert_eq!(Some(action.status), history.last().map(|c| c.to));
    assert_eq!(action.last_update, history.last().map(|c| c.at));
    // Each caller was told the action as its own update left it.
    for w in &written {
        let n = w.after.evidence.len();
        assert_eq!(w.after.evidence, expected[..n], "{:?}", w.change.note);
        assert_eq!(w.after.status, w.change.to);
    }
    assert_consistent(&store, &plan, SHARED, 0).await;
}

/// Updates from several Discord accounts written in one batch: each is
/// judged by the lead its own account is linked to, and recorded in that
/// lead's name; an account linked to no one may change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_update_in_a_batch_is_judged_by_its_own_account() {
    use planbot::app::status::{Change, update_status};
    use planbot::app::{Actor, AppError};
    let db = crate::helpers::TestDb::new().await;
    db.import_csv(
        "Kirklees",
        crate::helpers::SMALL_PLAN,
        crate::helpers::utc(2018, 10, 1, 9, 0),
    )
    .await;
    let store = &db.store;
    store.link_person("Steve Comb", 11).await.unwrap();
    store.link_person("Julie Bragg", 22).await.unwrap();
    let plan = store.find_plan(None).await.unwrap();
    let asks = (0..30).map(|i| {
        // Steve leads 1.1; Julie leads 1.2; account 33 is linked to no one.
        let (account, reference) = [(11, "1.1"), (22, "1.2"), (33, "1.1"), (22, "1.1")][i % 4];
        let actor = Actor::discord(&format!("user{account}"), account, false, false);
        let (store, plan) = (store.clone(), plan.clone());
        async move {
            let change = Change {
                to: [Status::Red, Status::Amber][i % 2],
                note: Some(format!("update {i}")),
                evidence: None,
            };
            let done =
                update_status(&store, &plan, &actor, reference, change, chrono::Utc::now()).await;
            (account, reference, done)
        }
    });
    for (account, reference, done) in join_all(asks).await {
        match (account, reference, done) {
            (11, "1.1", Ok(d)) => assert_eq!(d.written.by, "Steve Comb"),
            (22, "1.2", Ok(d)) => assert_eq!(d.written.by, "Julie Bragg"),
            (33, _, Err(AppError::NotAllowed { linked, .. })) => assert!(!linked),
            (22, "1.1", Err(AppError::NotAllowed { linked, .. })) => assert!(linked),
            (account, reference, other) => {
                panic!(
                    "account {account} on {reference}: {:?}",
                    other.map(|d| d.written)
                )
            }
        }
    }
    let by: Vec<String> = store
        .history(&plan, "1.1")
        .await
        .unwrap()
        .into_iter()
        .skip(1)
        .map(|c| c.by)
        .collect();
    assert_eq!(by.len(), 8, "{by:?}");
    assert!(by.iter().all(|b| b == "Steve Comb"), "{by:?}");
}
