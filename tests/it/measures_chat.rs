//! /measure, /measures, /risk and /risks through the test server: what the
//! user sees, and that a refusal changes nothing.

use chrono::{TimeZone, Utc};
use discord_testserver::ResponseKind;
use planbot_testkit::*;
use serde_json::{Value, json};

/// The bot with the small register saved in January 2019 (its clock is
/// at 15 May 2019: April is the last month due).
async fn app_with_register() -> TestApp {
    let app = spawn_app().await;
    let january = Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap();
    save_small_register(&app.store, &app.plan().await, january).await;
    app
}

fn record(code: &str, value: &str, more: &[(&str, Value)]) -> Value {
    let mut opts = vec![
        json!({"type": 3, "name": "code", "value": code}),
        json!({"type": 3, "name": "value", "value": value}),
    ];
    for (name, v) in more {
        let kind = if v.is_boolean() { 5 } else { 3 };
        opts.push(json!({"type": kind, "name": name, "value": v}));
    }
    sub("record", Value::Array(opts))
}

/// The first direct message to `user` holding `text`, once the bot sends it.
async fn dm_containing(app: &TestApp, user: u64, text: &str) -> Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let found = app
            .server
            .dm_messages(user)
            .into_iter()
            .find(|m| m["content"].as_str().is_some_and(|t| t.contains(text)));
        if let Some(m) = found {
            return m;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no message with {text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn values(app: &TestApp, code: &str) -> Vec<f64> {
    let plan = app.plan().await;
    let all = app.store.measure_values(&plan, code).await.unwrap();
    all.into_iter().map(|v| v.value).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_records_a_value_and_the_channel_sees_it_judged() {
    let app = app_with_register().await;
    let reply = app
        .reply(OPHELIA, "measure", record("M1", "72%", &[]))
        .await;
    assert!(!reply.is_ephemeral(), "{}", reply.content());
    let text = reply.content();
    assert!(text.contains("**72%** for Apr 2019"), "{text}");
    assert!(text.contains("by Ophelia Rix"), "{text}");
    assert!(text.contains("Amber: expected 75.36%"), "{text}");
    assert_eq!(values(&app, "M1").await, [64.0, 66.0, 72.0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_private_and_change_nothing() {
    let app = app_with_register().await;
    let cases = [
        (
            STEVE,
            record("M1", "70", &[]),
            "Only the owners of M1 (Ophelia Rix)",
        ),
        (STRANGER, record("M1", "70", &[]), "Only the owners of M1"),
        (
            OPHELIA,
            record("M1", "lots", &[]),
            "\"lots\" is not a percentage: write it as 72 or 72%",
        ),
        (
            OPHELIA,
            record("M1", "120%", &[]),
            "a percentage is 0 to 100",
        ),
        (
            OPHELIA,
            record("M1", "70", &[("period", json!("July 2019"))]),
            "Jul 2019 has not begun by ",
        ),
        (
            OPHELIA,
            record("M1", "70", &[("period", json!("someday"))]),
            "is not a period",
        ),
        (OPHELIA, record("M9", "70", &[]), "has no measure M9"),
    ];
    for (user, options, says) in cases {
        let reply = app.reply(user, "measure", options).await;
        assert!(reply.is_ephemeral(), "{}", reply.content());
        assert!(
            reply.content().contains(says),
            "{says}: {}",
            reply.content()
        );
    }
    assert_eq!(values(&app, "M1").await, [64.0, 66.0], "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_already_recorded_is_corrected_only_when_confirmed() {
    let app = app_with_register().await;
    let nov = [("period", json!("Nov 2018"))];
    let reply = app
        .reply(OPHELIA, "measure", record("M1", "67", &nov))
        .await;
    assert!(reply.is_ephemeral());
    assert!(
        reply.content().contains("already has **66%** for Nov 2018"),
        "{}",
        reply.content()
    );
    assert_eq!(values(&app, "M1").await, [64.0, 66.0], "not yet");
    let button = &reply.data()["components"][0]["components"][0];
    assert_eq!(button["label"], "Correct it");
    let id = button["custom_id"].as_str().unwrap();
    let message = reply.message_id.expect("a message");

    // Someone who does not own it cannot even open the form.
    let refused = app.press(Some(GUILD), CHANNEL, STEVE, message, id).await;
    assert!(refused.is_ephemeral() && refused.content().contains("Only the owners"));

    let form = app.press(Some(GUILD), CHANNEL, OPHELIA, message, id).await;
    assert_eq!(form.kind, ResponseKind::Callback { type_: 9 });
    let fields = [("value", "67%"), ("note", "The return had a typo")];
    let sent = app
        .server
        .submit_modal(Some(GUILD), CHANNEL, OPHELIA, id, &fields)
        .await;
    let done = app.server.responses(sent, 1, WAIT).await.remove(0);
    let text = done.content();
    assert!(text.contains("**67%** for Nov 2018"), "{text}");
    assert!(text.contains("Corrected: it was 66%"), "{text}");
    assert!(text.contains("The return had a typo"), "{text}");
    assert_eq!(values(&app, "M1").await, [64.0, 66.0, 67.0]);

    // The option does the same in one go.
    let again = [("period", json!("Nov 2018")), ("correct", json!(true))];
    let reply = app
        .reply(OPHELIA, "measure", record("M1", "68", &again))
        .await;
    assert!(
        reply.content().contains("Corrected: it was 67%"),
        "{}",
        reply.content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_offers_your_own_measures_first() {
    let app = app_with_register().await;
    let ask = |user| {
        let typed = json!([{"type": 3, "name": "code", "value": "", "focused": true}]);
        app.server
            .send_autocomplete(GUILD, CHANNEL, user, "measure", sub("record", typed))
    };
    let codes = |answer: discord_testserver::Response| -> Vec<String> {
        answer.body["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["value"].as_str().unwrap().to_string())
            .collect()
    };
    let id = ask(OPHELIA).await;
    let answer = app.server.responses(id, 1, WAIT).await.remove(0);
    let labels = answer.body["data"]["choices"][0]["name"].clone();
    assert_eq!(codes(answer), ["M1", "M3", "M2"]);
    assert_eq!(labels, "M1 · Assessments within 45 days (yours)");
    let id = ask(ADMIN).await;
    let answer = app.server.responses(id, 1, WAIT).await.remove(0);
    assert_eq!(codes(answer), ["M1", "M2", "M3"], "plan order for others");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_gives_the_latest_value_in_words_and_a_trend_chart() {
    let app = app_with_register().await;
    let code = json!([{"type": 3, "name": "code", "value": "m1"}]);
    let reply = app.reply(STRANGER, "measure", sub("show", code)).await;
    let text = reply.content();
    assert!(text.contains("**M1** Assessments within 45 days"), "{text}");
    assert!(
        text.contains("Latest: **66%** for Nov 2018: **Green**"),
        "{text}"
    );
    assert!(
        text.contains("↑ improving since the period before"),
        "{text}"
    );
    let (name, png) = &reply.files[0];
    assert_eq!(name, "trend-m1.png");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");

    let list = app.reply(STRANGER, "measures", json!([])).await;
    let lines: Vec<&str> = list.content().lines().skip(1).collect();
    assert!(
        lines[0].starts_with("`M2`") && lines[0].contains("**Amber**"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("`M1`") && lines[1].contains("↑ improving"),
        "{lines:?}"
    );
    assert!(lines[2].contains("no value yet"), "{lines:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risks_are_listed_by_score_and_reviewed_by_their_owners() {
    let app = app_with_register().await;
    let plan = app.plan().await;
    let review = |l: i64| {
        sub(
            "review",
            json!([
                {"type": 3, "name": "code", "value": "R2"},
                {"type": 4, "name": "likelihood", "value": l},
                {"type": 4, "name": "impact", "value": 3},
                {"type": 3, "name": "note", "value": "Partners now meet monthly"},
            ]),
        )
    };
    let before = app.store.risk_reviews(&plan, "R2").await.unwrap().len();
    let refused = app.reply(OPHELIA, "risk", review(6)).await;
    assert!(refused.is_ephemeral());
    assert!(
        refused
            .content()
            .contains("likelihood must be 1 to 5, not 6. Nothing was changed."),
        "{}",
        refused.content()
    );
    let stranger = app.reply(STEVE, "risk", review(2)).await;
    assert!(stranger.is_ephemeral() && stranger.content().contains("Only the owners of R2"));
    assert_eq!(
        app.store.risk_reviews(&plan, "R2").await.unwrap().len(),
        before
    );

    let done = app.reply(OPHELIA, "risk", review(2)).await;
    assert!(
        done.content()
            .contains("likelihood 2 × impact 3 = **6 Moderate**"),
        "{}",
        done.content()
    );
    let list = app.reply(STRANGER, "risks", json!([])).await;
    let text = list.content();
    assert!(text.contains("since the end of Q4 18/19"), "{text}");
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert!(
        lines[0].starts_with("`R1`") && lines[0].contains("**16 Extreme**"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("`R3`") && lines[1].contains("**12 High**"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("`R2`") && lines[2].contains("↓ down 3 (better)"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_value_due_reminder_records_the_value_from_its_button() {
    let mut app = spawn_app().await;
    let plan = app.plan().await;
    save_small_register(
        &app.store,
        &plan,
        chrono::Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap(),
    )
    .await;
    app.stop_bot().await;
    // Monday 20 May 2019, 09:00:30 London: April's values are past their grace.
    app.start_jobs_at(chrono::Utc.with_ymd_and_hms(2019, 5, 20, 8, 0, 30).unwrap())
        .await;
    let reminder = dm_containing(&app, OPHELIA, "A value is due for M1").await;
    assert!(
        reminder["content"]
            .as_str()
            .unwrap()
            .contains("the value for Apr 2019")
    );
    let button = &reminder["components"][0]["components"][0];
    assert_eq!(button["label"], "Record M1");
    let id = button["custom_id"].as_str().unwrap().to_string();
    let channel = app.server.dm_channel_of(OPHELIA).unwrap();
    let message = reminder["id"].as_str().unwrap().parse().unwrap();

    let form = app.press(None, channel, OPHELIA, message, &id).await;
    assert_eq!(form.kind, ResponseKind::Callback { type_: 9 });
    let done = app
        .submit(channel, OPHELIA, &id, &[("value", "70%"), ("note", "")])
        .await;
    assert!(
        done.content().contains("**70%** for Apr 2019"),
        "{}",
        done.content()
    );
    assert_eq!(values(&app, "M1").await, [64.0, 66.0, 70.0]);

    // Pressed again, the form records nothing over it: it says so.
    let again = app
        .submit(channel, OPHELIA, &id, &[("value", "71%"), ("note", "")])
        .await;
    assert!(
        again.content().contains("already has 70% for Apr 2019"),
        "{}",
        again.content()
    );
    assert_eq!(values(&app, "M1").await, [64.0, 66.0, 70.0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_due_reminder_records_a_review_from_its_button() {
    let mut app = spawn_app().await;
    let plan = app.plan().await;
    let january = Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap();
    save_small_register(&app.store, &plan, january).await;
    app.stop_bot().await;
    // Monday 1 July 2019, 09:00:30 London: R2's review date, 30 June, has passed.
    app.start_jobs_at(Utc.with_ymd_and_hms(2019, 7, 1, 8, 0, 30).unwrap())
        .await;
    let reminder = dm_containing(&app, OPHELIA, "Risk R2").await;
    let button = &reminder["components"][0]["components"][0];
    assert_eq!(button["label"], "Review R2");
    let id = button["custom_id"].as_str().unwrap().to_string();
    let channel = app.server.dm_channel_of(OPHELIA).unwrap();
    let message = reminder["id"].as_str().unwrap().parse().unwrap();
    let reviews = || async { app.store.risk_reviews(&plan, "R2").await.unwrap() };
    let before = reviews().await.len();

    // Only an owner (or a plan admin) gets the form.
    let refused = app.press(None, channel, STEVE, message, &id).await;
    assert!(refused.is_ephemeral(), "{:?}", refused.kind);
    assert!(
        refused.content().contains("Only the owners of R2"),
        "{}",
        refused.content()
    );

    // The form starts from the last rating, 3 × 3.
    let form = app.press(None, channel, OPHELIA, message, &id).await;
    assert_eq!(form.kind, ResponseKind::Callback { type_: 9 });
    let fields = &form.data()["components"];
    assert_eq!(fields[0]["components"][0]["value"], "3", "{fields}");
    assert_eq!(fields[1]["components"][0]["value"], "3", "{fields}");

    let sent = |likelihood: &'static str| {
        [
            ("likelihood", likelihood),
            ("impact", "3"),
            ("note", "Partners now meet monthly"),
            ("next", "2019-09-30"),
        ]
    };
    for (typed, says) in [
        (
            "x",
            "The likelihood must be a whole number from 1 to 5, not \"x\". Nothing was recorded",
        ),
        ("7", "likelihood must be 1 to 5, not 7. Nothing was changed"),
    ] {
        let bad = app.submit(channel, OPHELIA, &id, &sent(typed)).await;
        assert!(bad.is_ephemeral());
        assert!(bad.content().contains(says), "{}", bad.content());
    }
    assert_eq!(
        reviews().await.len(),
        before,
        "a refused form records nothing"
    );

    let done = app.submit(channel, OPHELIA, &id, &sent("2")).await;
    let text = done.content();
    assert!(
        text.contains("likelihood 2 × impact 3 = **6 Moderate**"),
        "{text}"
    );
    assert!(text.contains("Next review"), "{text}");
    let all = reviews().await;
    assert_eq!(all.len(), before + 1);
    let last = all.last().unwrap();
    assert_eq!(last.by, "Ophelia Rix");
    assert_eq!(last.note.as_deref(), Some("Partners now meet monthly"));
}

/// Discord refuses a whole message whose button id is over 100
/// characters: a risk code that long gets its reminder without the button.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_for_a_risk_code_too_long_for_a_button_still_goes() {
    let mut app = spawn_app().await;
    let plan = app.plan().await;
    let long = format!("R2-{}", "x".repeat(95));
    let mut register = small_register();
    for (risk, _) in &mut register.risks {
        if risk.code == "R2" {
            risk.code = long.clone();
        }
    }
    let source = planbot::store::RegisterSource {
        by: "import of the test register".into(),
        at: Utc.with_ymd_and_hms(2019, 1, 5, 9, 0, 0).unwrap(),
    };
    app.store
        .save_register(&plan, &register, &source)
        .await
        .unwrap();
    app.stop_bot().await;
    app.start_jobs_at(Utc.with_ymd_and_hms(2019, 7, 1, 8, 0, 30).unwrap())
        .await;
    let reminder = dm_containing(&app, OPHELIA, &format!("Risk {long}")).await;
    let text = reminder["content"].as_str().unwrap();
    assert!(text.contains("use `/risk review`"), "{text}");
    assert!(!text.contains("press Review"), "{text}");
    assert!(
        reminder["components"]
            .as_array()
            .is_none_or(|rows| rows.is_empty()),
        "{reminder}"
    );
}
