//! A Discord app with an out-of-date command list: commands, subcommands and
//! choices planbot does not have are answered privately as the user's to
//! fix, and change nothing.

use planbot_testkit::*;
use serde_json::{Value, json};

fn assert_reload(reply: &discord_testserver::Response, command: &str) {
    let text = reply.content();
    assert!(reply.is_ephemeral(), "{text}");
    assert!(
        text.contains(&format!("planbot does not have the command `/{command}`")),
        "{text}"
    );
    assert!(text.contains("reload Discord (Ctrl+R)"), "{text}");
    assert!(!text.contains("went wrong on our side"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_or_subcommand_planbot_does_not_have_is_answered_privately() {
    let app = spawn_app().await;
    let reply = app.reply(OPHELIA, "frobnicate", json!([])).await;
    assert_reload(&reply, "frobnicate");
    let reply = app.reply(ADMIN, "plan", sub("frobnicate", json!([]))).await;
    assert_reload(&reply, "plan frobnicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_outside_the_choices_is_refused_with_the_choices() {
    let app = spawn_app().await;
    let plan = app.plan().await;
    let before = app.store.history(&plan, "7.1").await.unwrap();
    let status = |value: Value| {
        json!([
            {"type": 3, "name": "ref", "value": "7.1"},
            {"type": if value.is_string() { 3 } else { 4 }, "name": "status", "value": value},
        ])
    };
    for (value, shown) in [(json!("Purple"), "\"Purple\""), (json!(9), "\"9\"")] {
        let reply = app.reply(OPHELIA, "status", status(value)).await;
        let text = reply.content();
        assert!(reply.is_ephemeral(), "{text}");
        assert!(
            text.starts_with(&format!("{shown} is not a status: choose one of ")),
            "{text}"
        );
        for label in ["Red", "Amber", "Green", "Not started", "Complete"] {
            assert!(text.contains(label), "{label} missing: {text}");
        }
        assert!(!text.contains("went wrong on our side"), "{text}");
    }
    assert_eq!(app.store.history(&plan, "7.1").await.unwrap(), before);
}
