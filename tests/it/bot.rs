//! The bot end to end: slash commands sent through the Discord-compatible
//! test server, answered by serenity + poise, checked in replies and database.

use discord_testserver::ResponseKind;
use planbot::plan::Status;
use planbot_testkit::*;
use serde_json::{Value, json};

/// Presses the Next button of a paged reply; the page it turns to.
async fn press_next(
    app: &TestApp,
    reply: &discord_testserver::Response,
) -> discord_testserver::Response {
    let next = reply.data()["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["label"] == "Next")
        .expect("a Next button")
        .clone();
    let message = reply.message_id.expect("the reply is a message");
    let press = app
        .server
        .press_button(
            Some(GUILD),
            CHANNEL,
            STRANGER,
            message,
            next["custom_id"].as_str().unwrap(),
        )
        .await;
    app.server.responses(press, 1, WAIT).await.remove(0)
}

fn s(reference: &str) -> Value {
    json!([{"type": 3, "name": "ref", "value": reference}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_in_the_guild_with_readable_descriptions() {
    let app = spawn_app().await;
    let commands = app.server.commands(Some(GUILD));
    let names: Vec<&str> = commands.iter().filter_map(|c| c["name"].as_str()).collect();
    for want in [
        "status", "action", "actions", "overdue", "plan", "people", "measure", "measures", "risk",
        "risks", "help",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let status = commands.iter().find(|c| c["name"] == "status").unwrap();
    assert_eq!(
        status["description"],
        "Update the status of an action you lead"
    );
    let labels: Vec<&str> = status["options"][1]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(labels.contains(&"Red: off track"), "{labels:?}");
    let people = commands.iter().find(|c| c["name"] == "people").unwrap();
    assert_eq!(
        people["default_member_permissions"], "32",
        "admin commands are gated on Manage Server"
    );
    assert!(app.server.unknown_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_updates_their_action_and_the_history_keeps_it() {
    let app = spawn_app().await;
    let opts = app.status_options(
        "7.1",
        "Green: on track",
        Some("Task group met; plan agreed"),
    );
    let reply = app.reply(OPHELIA, "status", opts).await;
    assert!(
        !reply.is_ephemeral(),
        "a status change is shared with the channel"
    );
    let text = reply.content();
    assert!(text.contains("**7.1**"), "{text}");
    assert!(text.contains("Amber → **Green**"), "{text}");
    assert!(text.contains("by Ophelia Rix"), "{text}");
    assert!(text.contains("<t:"), "dates are Discord timestamps: {text}");
    assert_eq!(
        reply.data()["allowed_mentions"]["parse"],
        json!([]),
        "pings nobody"
    );

    let plan = app.plan().await;
    let last = app
        .store
        .history(&plan, "7.1")
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!((last.from, last.to), (Some(Status::Amber), Status::Green));
    assert_eq!(last.by, "Ophelia Rix");
    assert_eq!(last.note.as_deref(), Some("Task group met; plan agreed"));
    assert_eq!(last.at, demo_now());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_who_does_not_lead_it_is_refused_privately() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    let before = app.store.history(&plan, "7.1").await.unwrap();
    for user in [STRANGER, STEVE, SECRETARY] {
        let reply = app
            .reply(user, "status", app.status_options("7.1", "Complete", None))
            .await;
        assert!(reply.is_ephemeral());
        assert!(
            reply
                .content()
                .contains("Only the action's leads (Ophelia Rix) and plan admins"),
            "{}",
            reply.content()
        );
    }
    let stranger = app
        .reply(
            STRANGER,
            "status",
            app.status_options("7.1", "Complete", None),
        )
        .await;
    assert!(
        stranger.content().contains("not linked to a lead"),
        "{}",
        stranger.content()
    );
    assert_eq!(app.store.history(&plan, "7.1").await.unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_admin_may_update_any_action() {
    let app = spawn_app().await;
    let reply = app
        .reply(
            ADMIN,
            "status",
            app.status_options("2.4", "Amber: at risk", None),
        )
        .await;
    assert!(
        reply.content().contains("Red → **Amber**"),
        "{}",
        reply.content()
    );
    assert_eq!(
        app.store
            .action(&app.plan().await, "2.4")
            .await
            .unwrap()
            .status,
        Status::Amber
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_a_private_reason_and_change_nothing() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    let before = app.store.history(&plan, "7.1").await.unwrap();

    let reply = app
        .reply(
            OPHELIA,
            "status",
            app.status_options("99.9", "Green: on track", None),
        )
        .await;
    assert!(reply.is_ephemeral());
    assert!(
        reply.content().contains("has no action 99.9"),
        "{}",
        reply.content()
    );
    assert!(
        reply.content().contains("/actions"),
        "says what to do: {}",
        reply.content()
    );

    let long = "x".repeat(1001);
    let reply = app
        .reply(
            OPHELIA,
            "status",
            app.status_options("7.1", "Green: on track", Some(&long)),
        )
        .await;
    assert!(reply.is_ephemeral());
    assert!(
        reply.content().contains("1001 characters"),
        "{}",
        reply.content()
    );
    assert_eq!(app.store.history(&plan, "7.1").await.unwrap(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_with_mentions_pings_nobody() {
    let app = spawn_app().await;
    let note = format!(
        "@everyone see <@{STRANGER}> and <@&{}>",
        example::PLAN_ADMIN
    );
    let reply = app
        .reply(
            OPHELIA,
            "status",
            app.status_options("7.1", "Green: on track", Some(&note)),
        )
        .await;
    assert_eq!(reply.data()["allowed_mentions"]["parse"], json!([]));
    assert!(
        !reply.content().contains("@everyone"),
        "{}",
        reply.content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ref_autocomplete_offers_my_open_actions_first_within_limits() {
    let app = spawn_app().await;
    let focused = |value: &str| {
        json!([{"type": 3, "name": "ref", "value": value, "focused": true},
               {"type": 4, "name": "status", "value": 0}])
    };
    let id = app
        .server
        .send_autocomplete(GUILD, CHANNEL, OPHELIA, "status", focused(""))
        .await;
    let answer = app.server.responses(id, 1, WAIT).await.remove(0);
    assert_eq!(answer.kind, ResponseKind::Callback { type_: 8 });
    let choices = answer.body["data"]["choices"].as_array().unwrap().clone();
    assert_eq!(choices.len(), 25, "at most 25 of the 58");
    let plan = app.plan().await;
    let mine: Vec<String> = app
        .store
        .actions(
            &plan,
            &planbot::store::ActionFilter {
                lead: Some("Ophelia Rix".into()),
                ..Default::default()
            },
            planbot::demo::demo_day(),
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.status.is_open())
        .map(|a| a.reference)
        .collect();
    let first: Vec<&str> = choices
        .iter()
        .take(mine.len())
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        first,
        mine.iter().map(String::as_str).collect::<Vec<_>>(),
        "her own open actions come first"
    );
    for c in &choices {
        let label = c["name"].as_str().unwrap();
        assert!(label.chars().count() < 100, "{label}");
    }

    let id = app
        .server
        .send_autocomplete(GUILD, CHANNEL, STRANGER, "status", focused("foster"))
        .await;
    let answer = app.server.responses(id, 1, WAIT).await.remove(0);
    let found: Vec<&str> = answer.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert!(!found.is_empty());
    for r in &found {
        let a = app.store.action(&plan, r).await.unwrap();
        assert!(a.text.to_lowercase().contains("foster"), "{r}: {}", a.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn action_overdue_and_summary_show_the_plan() {
    let app = spawn_app().await;
    let reply = app.reply(STRANGER, "action", s("7.1")).await;
    assert!(reply.is_ephemeral());
    assert!(
        reply.content().contains("Leads: Ophelia Rix"),
        "{}",
        reply.content()
    );
    assert!(reply.content().contains("Q3 18/19"), "{}", reply.content());

    let reply = app.reply(STRANGER, "overdue", json!([])).await;
    let plan = app.plan().await;
    let overdue = app
        .store
        .overdue_page(&plan, None, planbot::demo::demo_day(), 0, usize::MAX)
        .await
        .unwrap()
        .actions;
    assert!(
        reply.content().contains(&format!(
            "**{} overdue actions in Kirklees** (page 1 of {})",
            overdue.len(),
            overdue.len().div_ceil(12)
        )),
        "{}",
        reply.content()
    );
    // The first page: the twelve most overdue, in order.
    let shown: Vec<usize> = overdue
        .iter()
        .take(12)
        .map(|a| {
            reply
                .content()
                .find(&format!("`{}`", a.reference))
                .unwrap_or_else(|| panic!("{} is on the first page", a.reference))
        })
        .collect();
    assert!(shown.is_sorted(), "{}", reply.content());
    // A long text is shortened, never what follows it: how late, and who
    // leads it (the line's end used to be cut, leaving "**" open).
    for a in overdue.iter().take(12) {
        let line = reply
            .content()
            .lines()
            .find(|l| l.starts_with(&format!("`{}`", a.reference)))
            .unwrap();
        let leads = if a.leads.is_empty() {
            "no lead".to_string()
        } else {
            a.leads.join(", ")
        };
        assert!(
            line.ends_with(&format!("**{} days overdue** · {leads}", a.days_overdue)),
            "{line}"
        );
    }

    let reply = app.reply(STRANGER, "plan", sub("summary", json!([]))).await;
    let text = reply.content();
    assert!(text.contains("Whole plan"), "{text}");
    assert!(text.contains("58 actions"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lists_are_paged_with_buttons() {
    let app = spawn_app().await;
    let reply = app.reply(STRANGER, "actions", json!([])).await;
    assert!(reply.is_ephemeral());
    assert!(
        reply.content().contains("58 actions** (page 1 of 5)"),
        "{}",
        reply.content()
    );
    for line in reply.content().lines() {
        assert_eq!(line.matches("**").count() % 2, 0, "bold left open: {line}");
    }
    let update = press_next(&app, &reply).await;
    assert_eq!(update.kind, ResponseKind::Callback { type_: 7 });
    assert!(
        update.content().contains("(page 2 of 5)"),
        "{}",
        update.content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_attaches_the_csv() {
    let app = spawn_app().await;
    let answers = app
        .command(STRANGER, "plan", sub("export", json!([])), 2)
        .await;
    let file = answers
        .iter()
        .find(|r| !r.files.is_empty())
        .expect("a file");
    let (name, bytes) = &file.files[0];
    assert_eq!(name, "kirklees.csv");
    let csv = String::from_utf8(bytes.clone()).unwrap();
    assert!(csv.starts_with("Priority,Ref,Group,Action"));
    assert_eq!(csv.lines().count(), 59);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_is_for_admins_and_reports_every_bad_row() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    let before = app
        .store
        .actions(&plan, &Default::default(), planbot::demo::demo_day())
        .await
        .unwrap();
    let bad = "Priority,Ref,Action,Status\n1. A,1.1,Do it,Purple\n1. A,1.1,Again,Green\n";
    let file = app.server.add_file("plan.csv", bad.as_bytes().to_vec());
    let options = sub(
        "import",
        json!([{"type": 11, "name": "file", "value": file["id"].clone()}]),
    );

    let refused = app.reply(STRANGER, "plan", options.clone()).await;
    assert!(refused.is_ephemeral());
    assert!(
        refused
            .content()
            .contains("Only members with the \"Plan admin\" role"),
        "{}",
        refused.content()
    );

    let answers = app.command(ADMIN, "plan", options, 2).await;
    let text: String = answers.iter().map(|r| r.content().to_string()).collect();
    assert!(text.contains("Nothing was imported"), "{text}");
    assert!(
        text.contains("line 2, column 4 (Status): \"Purple\" is not a status"),
        "{text}"
    );
    assert!(
        text.contains("line 3, column 2 (Ref): ref 1.1 is already used on line 2"),
        "{text}"
    );
    let after = app
        .store
        .actions(&plan, &Default::default(), planbot::demo::demo_day())
        .await
        .unwrap();
    assert_eq!(after, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_imports_and_links_people() {
    let app = spawn_app().await;
    let csv = planbot::demo::EXAMPLE_PLAN_CSV.replacen(
        "Carry out the work needed",
        "Do the work needed",
        1,
    );
    let file = app.server.add_file("kirklees.csv", csv.into_bytes());
    let answers = app
        .command(
            ADMIN,
            "plan",
            sub(
                "import",
                json!([{"type": 11, "name": "file", "value": file["id"].clone()}]),
            ),
            2,
        )
        .await;
    let text: String = answers.iter().map(|r| r.content().to_string()).collect();
    assert!(text.contains("Imported 58 actions"), "{text}");
    assert!(text.contains("1 changed"), "{text}");

    let link = sub(
        "link",
        json!([{"type": 3, "name": "name", "value": "julie bragg"}, {"type": 6, "name": "user", "value": STRANGER.to_string()}]),
    );
    let reply = app.reply(ADMIN, "people", link).await;
    assert!(
        reply.content().contains("Julie Bragg is now linked"),
        "{}",
        reply.content()
    );
    let plan = app.plan().await;
    let julies = app
        .store
        .actions(
            &plan,
            &planbot::store::ActionFilter {
                lead: Some("Julie Bragg".into()),
                ..Default::default()
            },
            planbot::demo::demo_day(),
        )
        .await
        .unwrap();
    let reference = julies[0].reference.clone();
    let reply = app
        .reply(
            STRANGER,
            "status",
            app.status_options(&reference, "Green: on track", None),
        )
        .await;
    assert!(!reply.is_ephemeral(), "{}", reply.content());

    let reply = app.reply(STRANGER, "people", sub("list", json!([]))).await;
    assert!(
        reply
            .content()
            .contains("Only members with the \"Plan admin\" role"),
        "{}",
        reply.content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_leads_updating_one_action_at_once_are_both_kept() {
    let app = spawn_app().await;
    let a = app
        .server
        .send_command(
            GUILD,
            CHANNEL,
            STEVE,
            "status",
            app.status_options("1.1", "Green: on track", Some("Steve")),
        )
        .await;
    let b = app
        .server
        .send_command(
            GUILD,
            CHANNEL,
            TOM,
            "status",
            app.status_options("1.1", "Red: off track", Some("Tom")),
        )
        .await;
    app.server.responses(a, 1, WAIT).await;
    app.server.responses(b, 1, WAIT).await;
    let plan = app.plan().await;
    let history = app.store.history(&plan, "1.1").await.unwrap();
    let notes: Vec<&str> = history.iter().filter_map(|c| c.note.as_deref()).collect();
    assert!(
        notes.contains(&"Steve") && notes.contains(&"Tom"),
        "{notes:?}"
    );
    let n = history.len();
    assert_eq!(
        history[n - 1].from,
        Some(history[n - 2].to),
        "the later update starts where the earlier left off"
    );
    assert_eq!(
        app.store.action(&plan, "1.1").await.unwrap().status,
        history[n - 1].to
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_too_long_for_one_message_comes_with_the_whole_text_attached() {
    let app = spawn_app().await;
    // One action in each of 300 priorities: a summary table of 300 rows.
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status\n");
    for i in 1..=300 {
        csv.push_str(&format!(
            "{i}. Priority number {i},{i}.1,Action {i},Ophelia Rix,Q3 18/19,Red\n"
        ));
    }
    import_csv(&app.store, "Kirklees", &csv, demo_now()).await;
    let reply = app.reply(STRANGER, "plan", sub("summary", json!([]))).await;
    assert!(reply.content().chars().count() <= 2000);
    assert!(
        reply
            .content()
            .contains("the full list is in the attached summary.txt"),
        "{}",
        reply.content()
    );
    let text = String::from_utf8(reply.files[0].1.clone()).unwrap();
    for i in 1..=300 {
        assert!(
            text.contains(&format!("Priority number {i}")),
            "priority {i} missing from the file"
        );
    }
}

/// A long overdue list comes a page at a time, most overdue first, and
/// every overdue action is on one of its pages, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_overdue_list_is_paged_and_holds_every_overdue_action() {
    let app = spawn_app().await;
    // On the demo's day, Q3 18/19 is the most overdue, Q4 18/19 overdue
    // and Q1 19/20 not yet due: 67 overdue actions, on six pages.
    let quarters = ["Q3 18/19", "Q4 18/19", "Q1 19/20"];
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status\n");
    for i in 1..=100 {
        csv.push_str(&format!(
            "{},{}.{i},Deliver a long-winded improvement action number {i},Ophelia Rix,{},Red\n",
            ["1. First", "2. Second"][i % 2],
            i % 2 + 1,
            quarters[i % 3],
        ));
    }
    let file = app.server.add_file("big.csv", csv.into_bytes());
    app.command(ADMIN, "plan", sub("import", json!([{"type": 11, "name": "file", "value": file["id"].clone()}, {"type": 5, "name": "prune", "value": true}])), 2).await;
    let reply = app.reply(STRANGER, "overdue", json!([])).await;
    assert!(
        reply
            .content()
            .contains("**67 overdue actions in Kirklees** (page 1 of 6)"),
        "{}",
        reply.content()
    );
    let mut pages = vec![reply.content().to_string()];
    for page in 2..=6 {
        let update = press_next(&app, &reply).await;
        assert!(
            update.content().contains(&format!("(page {page} of 6)")),
            "{}",
            update.content()
        );
        assert!(update.content().chars().count() <= 2000);
        pages.push(update.content().to_string());
    }
    // Where each action appears: overdue ones on one page only, the
    // earliest due (i % 3 == 0) before the later ones; the others nowhere.
    let on_pages = |i: usize| {
        let r = format!("`{}.{i}`", i % 2 + 1);
        (0..pages.len())
            .filter(|p| pages[*p].contains(&r))
            .collect::<Vec<usize>>()
    };
    let page_of = |i: usize| {
        let found = on_pages(i);
        assert_eq!(found.len(), 1, "{i} is on pages {found:?}");
        found[0]
    };
    let last_q3 = (1..=100).filter(|i| i % 3 == 0).map(page_of).max();
    let first_q4 = (1..=100).filter(|i| i % 3 == 1).map(page_of).min();
    assert!(last_q3 <= first_q4, "most overdue first");
    for i in (1..=100).filter(|i| i % 3 == 2) {
        assert!(on_pages(i).is_empty(), "{i} is not due yet");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_or_plan_not_set_up_is_told_so() {
    let mut other = example::guild();
    other.guild_id = 1_000_000_000_000_000_900;
    other.channels = vec![(1_000_000_000_000_000_910, "general".into())];
    let app = spawn_app_with(vec![guild(), other]).await;
    let id = app
        .server
        .send_command(
            1_000_000_000_000_000_900,
            1_000_000_000_000_000_910,
            STRANGER,
            "overdue",
            json!([]),
        )
        .await;
    let reply = app.server.responses(id, 1, WAIT).await.remove(0);
    assert!(reply.is_ephemeral());
    assert!(
        reply.content().contains("not set up for planbot"),
        "{}",
        reply.content()
    );

    let reply = app
        .reply(
            STRANGER,
            "overdue",
            json!([{"type": 3, "name": "plan", "value": "Leeds"}]),
        )
        .await;
    assert!(
        reply.content().contains("no plan called \"Leeds\""),
        "{}",
        reply.content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_bot_keeps_its_state_and_a_dropped_gateway_is_resumed() {
    let mut app = spawn_app().await;
    app.reply(
        OPHELIA,
        "status",
        app.status_options("7.1", "Complete", Some("done")),
    )
    .await;

    app.server.close_gateway().await;
    assert!(
        app.server.wait_until(WAIT, |s| s.resumes() == 1).await,
        "the bot resumes"
    );
    let reply = app.reply(STRANGER, "action", s("7.1")).await;
    assert!(
        reply.content().contains("Status: **Complete**"),
        "{}",
        reply.content()
    );

    app.stop_bot().await;
    app.start_bot().await;
    let reply = app.reply(STRANGER, "action", s("7.1")).await;
    assert!(
        reply.content().contains("Status: **Complete**"),
        "{}",
        reply.content()
    );
    assert!(reply.content().contains("done"), "{}", reply.content());
    assert!(
        app.server.unknown_requests().is_empty(),
        "{:?}",
        app.server.unknown_requests()
    );
    assert!(
        app.server.parse_errors().is_empty(),
        "{:?}",
        app.server.parse_errors()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_refuses_to_start_when_the_api_cannot_name_a_gateway() {
    let server = discord_testserver::TestServer::start(vec![guild()])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = planbot::store::Store::open(dir.path().join("x.db"))
        .await
        .unwrap();
    server.inject_status("/gateway", 500, 10, 0.0);
    let err = planbot::discord::start(
        settings(&server, &dir.path().join("x.db")),
        store,
        planbot::clock::Clock::system(),
    )
    .await
    .err()
    .expect("refuses to start");
    assert!(
        err.to_string().contains("cannot get the gateway address"),
        "{err}"
    );
    assert_eq!(server.identifies(), 0, "nothing connected anywhere");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_and_the_people_list_answer() {
    let app = spawn_app().await;
    let help = app.reply(STRANGER, "help", json!([])).await;
    assert!(help.is_ephemeral());
    for command in [
        "/status",
        "/action",
        "/actions",
        "/overdue",
        "/plan summary",
        "/digest",
        "/measure record",
        "/measure show",
        "/measures",
        "/risk review",
        "/risks",
    ] {
        assert!(
            help.content().contains(command),
            "{command} missing from help: {}",
            help.content()
        );
    }
    let list = app.reply(ADMIN, "people", sub("list", json!([]))).await;
    assert!(list.is_ephemeral());
    let text = list.content();
    assert!(
        text.contains(&format!("Ophelia Rix · <@{OPHELIA}>")),
        "{text}"
    );
    assert!(text.contains("Julie Bragg · not linked"), "{text}");
    assert_eq!(
        list.data()["allowed_mentions"]["parse"],
        json!([]),
        "listing people pings nobody"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_several_plans_autocomplete_follows_the_chosen_plan() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let other = "Priority,Ref,Action,Leads,Due,Status\n1. Leeds work,L1,Share the Leeds practice model,Ophelia Rix,Q1 19/20,Green\n";
    import_csv(&app.store, "Leeds", other, demo_now()).await;
    let mut settings = settings(&app.server, &app.dir.path().join("bot.db"));
    settings.guilds[0].plans.push("Leeds".into());
    app.start_bot_with(settings).await;

    let ask = |plan: Option<&str>| {
        let mut options = vec![json!({"type": 3, "name": "ref", "value": "", "focused": true})];
        if let Some(p) = plan {
            options.push(json!({"type": 3, "name": "plan", "value": p}));
        }
        Value::Array(options)
    };
    let id = app
        .server
        .send_autocomplete(GUILD, CHANNEL, OPHELIA, "status", ask(Some("Leeds")))
        .await;
    let answer = app.server.responses(id, 1, WAIT).await.remove(0);
    let refs: Vec<&str> = answer.body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["L1"]);

    // Without the plan chosen there is no knowing which plan's refs to offer.
    let id = app
        .server
        .send_autocomplete(GUILD, CHANNEL, OPHELIA, "status", ask(None))
        .await;
    let answer = app.server.responses(id, 1, WAIT).await.remove(0);
    assert!(
        answer.body["data"]["choices"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // And a command without the plan says how to choose one.
    let reply = app.reply(OPHELIA, "overdue", json!([])).await;
    assert!(
        reply.content().contains("several plans (Kirklees, Leeds)"),
        "{}",
        reply.content()
    );
}

/// With thousands of actions the summary's counts stay apart, each under
/// its heading (they used to run together once a count had four digits).
#[tokio::test]
async fn the_summary_table_keeps_four_digit_counts_apart() {
    let app = spawn_app().await;
    let mut csv = String::from("Priority,Ref,Action,Leads,Due,Status\n");
    for i in 0..2200 {
        let status = ["Red", "Amber"][i % 2];
        csv.push_str(&format!(
            "11. Extra,11.{i},Extra action {i},Lead {i},Q4 18/19,{status}\n"
        ));
    }
    import_csv(&app.store, "Kirklees", &csv, demo_now()).await;
    let reply = app.reply(STRANGER, "plan", sub("summary", json!([]))).await;
    let text = reply.content();
    assert!(text.contains("2258 actions"), "{text}");
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Priority"))
        .collect();
    let (head, whole) = (
        table[0],
        table.iter().find(|l| l.starts_with("Whole plan")).unwrap(),
    );
    let counts: Vec<usize> = whole["Whole plan".len()..]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 6, "{whole}");
    assert_eq!(counts[..5].iter().sum::<usize>(), 2258, "{whole}");
    // Every count ends where its heading ends.
    let ends = |line: &str| -> Vec<usize> {
        line.char_indices()
            .filter(|&(i, c)| {
                c != ' ' && line[i + c.len_utf8()..].starts_with(' ')
                    || i + c.len_utf8() == line.len()
            })
            .map(|(i, _)| i)
            .collect()
    };
    let head_ends = ends(head);
    let row_ends = ends(whole);
    assert_eq!(
        head_ends[head_ends.len() - 6..],
        row_ends[row_ends.len() - 6..],
        "\n{head}\n{whole}"
    );
}
