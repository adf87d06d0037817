//! The scheduler end to end: jobs fire on the bot's clock, the outbox is
//! delivered through serenity to the test server, leads press the buttons.

use crate::helpers::utc;
use discord_testserver::ResponseKind;
use planbot::plan::Status;
use planbot_testkit::*;
use serde_json::Value;

/// Monday 20 May 2019, 09:00:30 in London: just after the weekday jobs fire.
fn monday_morning() -> chrono::DateTime<chrono::Utc> {
    utc(2019, 5, 20, 8, 0) + chrono::Duration::seconds(30)
}

fn custom_ids(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

fn texts(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The request body that created `message`: what it allowed to mention is
/// not part of the message itself.
fn request_for(app: &TestApp, message: &Value) -> Value {
    app.server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/messages") && r.status == 200)
        .filter_map(|r| r.body)
        .find(|b| b["content"] == message["content"])
        .expect("the request that posted the message")
}

async fn app_with_jobs_at(at: chrono::DateTime<chrono::Utc>) -> TestApp {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    app.start_jobs_at(at).await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chaser_messages_each_lead_once_with_all_their_overdue_actions() {
    let app = app_with_jobs_at(monday_morning()).await;
    let outbox = app.wait_outbox(4).await;
    let plan = app.plan().await;

    let ophelia = app.server.dm_messages(OPHELIA);
    assert_eq!(
        ophelia.len(),
        1,
        "one message per lead: {:?}",
        texts(&ophelia)
    );
    let text = ophelia[0]["content"].as_str().unwrap();
    for r in ["`7.1`", "`2.4`", "`6.6`", "`10.6`"] {
        assert!(text.contains(r), "{r} missing: {text}");
    }
    assert!(!text.contains("`1.2`"), "not hers: {text}");
    assert!(
        text.contains("140 days overdue"),
        "7.1 was due 31 Dec 2018: {text}"
    );
    assert!(text.contains("Amber") && text.contains("<t:"), "{text}");
    let ids = custom_ids(&ophelia[0]);
    assert_eq!(
        ids.len(),
        12,
        "three buttons on each of four actions: {ids:?}"
    );
    assert!(ids.contains(&format!("pb:u:{}:7.1", plan.id)), "{ids:?}");
    assert!(ids.contains(&format!("pb:s:{}:10.6", plan.id)), "{ids:?}");

    let steve = app.server.dm_messages(STEVE);
    assert_eq!(steve.len(), 1);
    assert!(steve[0]["content"].as_str().unwrap().contains("`1.2`"));
    assert!(
        app.server.dm_messages(TOM).is_empty(),
        "Tom has nothing overdue"
    );

    // Helen Severns and Christine Bennett have no Discord account linked.
    let channel = texts(&app.server.channel_messages(CHANNEL));
    let unlinked: Vec<_> = channel
        .iter()
        .filter(|t| t.contains("no Discord account linked"))
        .collect();
    assert_eq!(unlinked.len(), 2, "{channel:?}");
    assert!(
        unlinked
            .iter()
            .any(|t| t.contains("**Helen Severns**") && t.contains("`9.6`"))
    );
    assert!(
        unlinked
            .iter()
            .any(|t| t.contains("**Christine Bennett**") && t.contains("`4.3`"))
    );
    let chases: Vec<_> = outbox.iter().filter(|e| e.job == "chase").collect();
    assert_eq!(chases.len(), 4);
    assert!(chases.iter().all(|e| e.state == "sent"));
    let not_linked = chases
        .iter()
        .filter(|e| e.delivered_as.as_deref() == Some("not linked"))
        .count();
    assert_eq!(not_linked, 2);

    let runs = app.store.recent_runs(20).await.unwrap();
    let chase_runs: Vec<_> = runs.iter().filter(|r| r.job == "chase").collect();
    assert_eq!(chase_runs.len(), 1, "{runs:?}");
    assert_eq!(
        chase_runs[0].fire,
        utc(2019, 5, 20, 8, 0),
        "09:00 London is 08:00 UTC in May"
    );
    assert!(app.server.unknown_requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_overdue_actions_are_escalated_once_to_strategic_leads_and_admins() {
    let app = app_with_jobs_at(monday_morning()).await;
    app.wait_outbox(11).await;
    let messages = app.server.channel_messages(CHANNEL);
    let escalations: Vec<&Value> = messages
        .iter()
        .filter(|m| {
            m["content"]
                .as_str()
                .unwrap_or("")
                .starts_with("**Escalation")
        })
        .collect();
    // Priorities 1, 2, 4, 6, 7, 9 and 10 have actions due before 22 April.
    assert_eq!(escalations.len(), 7, "{:?}", texts(&messages));
    let p1 = escalations
        .iter()
        .find(|m| m["content"].as_str().unwrap().contains("priority 1,"))
        .expect("priority 1 escalated");
    let text = p1["content"].as_str().unwrap();
    assert!(
        text.contains(&format!("<@{STEVE}>")),
        "Steve Comb is a strategic lead: {text}"
    );
    assert!(
        text.contains("**Julie Bragg**"),
        "unlinked strategic lead named: {text}"
    );
    assert!(
        text.contains(&format!("<@&{}>", example::PLAN_ADMIN)),
        "{text}"
    );
    assert!(
        text.contains("`1.2`") && text.contains("more than 28 days overdue"),
        "{text}"
    );
    let allowed = request_for(&app, p1)["allowed_mentions"].clone();
    assert_eq!(
        allowed["users"],
        serde_json::json!([STEVE.to_string()]),
        "{allowed}"
    );
    assert_eq!(
        allowed["roles"],
        serde_json::json!([example::PLAN_ADMIN.to_string()])
    );

    // The next morning's run finds them all raised already.
    let plan = app.plan().await;
    let pj = plan_jobs(&app, &plan).await;
    let report = manual_run(
        &app,
        &pj,
        planbot::jobs::JobName::Escalate,
        utc(2019, 5, 21, 8, 0),
    )
    .await;
    assert_eq!(report.decided, 0);
}

/// Runs a job by hand as of `at`, as `planbot jobs run --as-of` does.
async fn manual_run(
    app: &TestApp,
    pj: &planbot::jobs::PlanJobs,
    job: planbot::jobs::JobName,
    at: chrono::DateTime<chrono::Utc>,
) -> planbot::jobs::RunReport {
    let kind = planbot::store::RunKind::Manual;
    planbot::jobs::run_job(&app.store, pj, job, at, at, kind)
        .await
        .unwrap()
}

pub async fn plan_jobs(app: &TestApp, plan: &planbot::plan::Plan) -> planbot::jobs::PlanJobs {
    let settings = jobs_settings(&app.server, &app.dir.path().join("bot.db"));
    planbot::jobs::PlanJobs::load(&app.store, &settings)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.plan.id == plan.id)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_on_a_reminder_complete_update_and_snooze_even_after_a_restart() {
    let mut app = app_with_jobs_at(monday_morning()).await;
    app.wait_outbox(4).await;
    let plan = app.plan().await;
    let dm = app.server.dm_channel_of(OPHELIA).unwrap();
    let message = app.server.dm_messages(OPHELIA)[0]["id"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();

    // Mark complete.
    let reply = app
        .press(None, dm, OPHELIA, message, &format!("pb:c:{}:7.1", plan.id))
        .await;
    assert!(
        reply.content().contains("`7.1` Amber → **Complete**"),
        "{}",
        reply.content()
    );
    let history = app.store.history(&plan, "7.1").await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.to, last.by.as_str()),
        (Status::Complete, "Ophelia Rix")
    );

    // Update status opens a modal; a status it cannot read changes nothing.
    let update_id = format!("pb:u:{}:2.4", plan.id);
    let modal = app.press(None, dm, OPHELIA, message, &update_id).await;
    assert_eq!(modal.kind, ResponseKind::Callback { type_: 9 });
    let refusal = app
        .submit(
            dm,
            OPHELIA,
            &update_id,
            &[("status", "purple"), ("note", "")],
        )
        .await;
    assert!(refusal.is_ephemeral());
    assert!(
        refusal.content().contains("Nothing was changed"),
        "{}",
        refusal.content()
    );
    assert_eq!(
        app.store.action(&plan, "2.4").await.unwrap().status,
        Status::Red
    );
    let fields = [("status", "amber"), ("note", "Panel met; date set")];
    let done = app.submit(dm, OPHELIA, &update_id, &fields).await;
    assert!(
        done.content().contains("Red → **Amber**"),
        "{}",
        done.content()
    );
    let last = app
        .store
        .history(&plan, "2.4")
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.note.as_deref(), Some("Panel met; date set"));

    // A restart later, the old message's buttons still work.
    app.stop_bot().await;
    let settings = settings(&app.server, &app.dir.path().join("bot.db"));
    let later = monday_morning() + chrono::Duration::hours(1);
    app.start_bot_at(settings, planbot::clock::Clock::starting_at(later))
        .await;
    let reply = app
        .press(None, dm, OPHELIA, message, &format!("pb:s:{}:6.6", plan.id))
        .await;
    assert!(
        reply
            .content()
            .starts_with("Snoozed: no more reminders about `6.6`"),
        "{}",
        reply.content()
    );

    // A week later 6.6 is still snoozed; 2.4 and 10.6 are chased again.
    let pj = plan_jobs(&app, &plan).await;
    let fire = utc(2019, 5, 27, 8, 0);
    let decision = planbot::jobs::decide_job(&app.store, &pj, planbot::jobs::JobName::Chase, fire)
        .await
        .unwrap();
    let mine = decision
        .outgoing
        .iter()
        .find_map(|o| match &o.notice {
            planbot::jobs::Notice::Chase { lead, actions, .. } if lead == "Ophelia Rix" => Some(
                actions
                    .iter()
                    .map(|a| a.reference.clone())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .unwrap();
    assert_eq!(mine, vec!["2.4", "10.6"], "6.6 snoozed, 7.1 complete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_leads_and_admins_may_press_a_reminder_button() {
    let app = app_with_jobs_at(monday_morning()).await;
    app.wait_outbox(4).await;
    let plan = app.plan().await;
    // Christine Bennett is not linked, so her reminder is in the channel.
    let post = app
        .server
        .channel_messages(CHANNEL)
        .into_iter()
        .find(|m| {
            m["content"]
                .as_str()
                .unwrap_or("")
                .contains("**Christine Bennett**")
        })
        .unwrap();
    let message: u64 = post["id"].as_str().unwrap().parse().unwrap();
    let complete = format!("pb:c:{}:4.3", plan.id);
    let refusal = app
        .press(Some(GUILD), CHANNEL, STRANGER, message, &complete)
        .await;
    assert!(refusal.is_ephemeral());
    assert!(
        refusal
            .content()
            .contains("Only the action's leads (Christine Bennett) and plan admins"),
        "{}",
        refusal.content()
    );
    assert_eq!(
        app.store.action(&plan, "4.3").await.unwrap().status,
        Status::Red
    );
    let lead_of_another = app
        .press(Some(GUILD), CHANNEL, OPHELIA, message, &complete)
        .await;
    assert!(
        lead_of_another
            .content()
            .contains("Only the action's leads")
    );

    let reply = app
        .press(Some(GUILD), CHANNEL, ADMIN, message, &complete)
        .await;
    assert!(
        reply.content().contains("Red → **Complete**"),
        "{}",
        reply.content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_with_closed_dms_is_reminded_in_the_channel_and_admins_see_it() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    app.server.fail_dms_to(STEVE);
    app.start_jobs_at(monday_morning()).await;
    let outbox = app.wait_outbox(4).await;
    assert!(app.server.dm_messages(STEVE).is_empty());
    let post = app
        .server
        .channel_messages(CHANNEL)
        .into_iter()
        .find(|m| {
            m["content"]
                .as_str()
                .unwrap_or("")
                .starts_with(&format!("<@{STEVE}>"))
        })
        .expect("Steve's reminder in the channel");
    let text = post["content"].as_str().unwrap();
    assert!(
        text.contains("DMs are closed") && text.contains("`1.2`"),
        "{text}"
    );
    let allowed = request_for(&app, &post)["allowed_mentions"].clone();
    assert_eq!(
        allowed["users"],
        serde_json::json!([STEVE.to_string()]),
        "{allowed}"
    );
    let steve = outbox.iter().find(|e| e.to == "Steve Comb").unwrap();
    assert_eq!(steve.delivered_as.as_deref(), Some("dm closed"));

    let reply = app.reply(ADMIN, "jobs", Value::Array(vec![])).await;
    assert!(reply.is_ephemeral());
    let text = reply.content();
    assert!(text.contains("Steve Comb (dm closed)"), "{text}");
    assert!(text.contains("Helen Severns (not linked)"), "{text}");
    assert!(text.contains("**chase** (`0 9 * * Mon-Fri`)"), "{text}");
    let refused = app.reply(STRANGER, "jobs", Value::Array(vec![])).await;
    assert!(
        refused
            .content()
            .contains("Only members with the \"Plan admin\" role"),
        "{}",
        refused.content()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_runs_a_missed_fire_once_and_a_long_outage_tells_the_admins() {
    let mut app = app_with_jobs_at(monday_morning()).await;
    app.wait_outbox(11).await;
    app.stop_bot().await;
    // Down Tuesday and Wednesday; back on Thursday 23 May at 11:00.
    app.start_jobs_at(utc(2019, 5, 23, 10, 0)).await;
    app.wait_outbox(11).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let runs = app.store.recent_runs(100).await.unwrap();
    let chase: Vec<_> = runs
        .iter()
        .filter(|r| r.job == "chase")
        .map(|r| r.fire)
        .collect();
    assert_eq!(
        chase,
        vec![utc(2019, 5, 23, 8, 0), utc(2019, 5, 20, 8, 0)],
        "once, for Thursday"
    );
    assert_eq!(
        app.server.dm_messages(OPHELIA).len(),
        1,
        "chased Monday; the 7-day interval holds"
    );
    app.stop_bot().await;

    // While it is down, a reminder is queued for Friday 24 May; then it
    // stays down until Monday 3 June, longer than the 7-day window.
    let plan = app.plan().await;
    let stale = planbot::jobs::Decision {
        outgoing: vec![planbot::jobs::Outgoing {
            key: "chase/test/stale".into(),
            to: planbot::jobs::Recipient::Channel(CHANNEL),
            notice: planbot::jobs::Notice::Chase {
                plan: "Kirklees".into(),
                lead: "Stale Lead".into(),
                actions: vec![],
            },
            not_before: utc(2019, 5, 24, 8, 0),
        }],
        ..Default::default()
    };
    app.store
        .record_run(
            &plan,
            &planbot::store::RunRecord {
                job: planbot::jobs::JobName::Chase,
                fire: utc(2019, 5, 24, 8, 0),
                ran_at: utc(2019, 5, 24, 8, 0),
                kind: planbot::store::RunKind::Manual,
                detail: None,
            },
            &stale,
            None,
        )
        .await
        .unwrap();
    let before = app.server.channel_messages(CHANNEL).len();
    app.start_jobs_at(utc(2019, 6, 3, 9, 0)).await;
    app.wait_outbox(12).await;
    let messages = texts(&app.server.channel_messages(CHANNEL)[before..]);
    let notices: Vec<_> = messages
        .iter()
        .filter(|t| t.contains("planbot was not running"))
        .collect();
    assert_eq!(notices.len(), 1, "{messages:?}");
    assert!(
        notices[0].contains("chase: 2 run(s), 24 May 09:00 to 27 May 09:00"),
        "{}",
        notices[0]
    );
    assert!(notices[0].contains(&format!("<@&{}>", example::PLAN_ADMIN)));
    assert!(
        notices[0].contains("1 reminder(s) queued before then were not sent"),
        "{}",
        notices[0]
    );
    assert!(
        !messages.iter().any(|t| t.contains("Stale Lead")),
        "the stale reminder is not sent"
    );
    let outbox = app.store.outbox_entries(&["expired"], 10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    let chase_runs = app.store.recent_runs(100).await.unwrap();
    let scheduled = chase_runs
        .iter()
        .filter(|r| r.job == "chase" && r.outcome == "ran");
    assert_eq!(scheduled.count(), 3, "plus one for 3 June");
    assert_eq!(
        app.server.dm_messages(OPHELIA).len(),
        2,
        "one fresh chase, no flood"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_server_errors_are_retried_and_each_message_lands_once() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    app.server.inject_status("/users/@me/channels", 500, 2, 0.0);
    app.server.inject_status("/channels/", 429, 3, 0.2);
    app.start_jobs_at(monday_morning()).await;
    let outbox = app.wait_outbox(11).await;
    assert!(outbox.iter().all(|e| e.state == "sent"), "{outbox:?}");
    assert_eq!(app.server.dm_messages(OPHELIA).len(), 1);
    assert_eq!(app.server.dm_messages(STEVE).len(), 1);
    let first = outbox.iter().find(|e| e.to == "Ophelia Rix").unwrap();
    assert!(first.attempts >= 3, "two 500s, then it went: {first:?}");
    // In order: the queue's order is the order they arrived in.
    let channel = app.server.channel_messages(CHANNEL);
    let escalations: Vec<_> = texts(&channel)
        .into_iter()
        .filter(|t| t.starts_with("**Escalation"))
        .collect();
    let priorities: Vec<_> = escalations
        .iter()
        .map(|t| {
            t.split("priority ")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(priorities, ["1", "2", "4", "6", "7", "9", "10"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_goes_to_the_board_on_the_first_working_day_of_the_next_quarter() {
    // Monday 1 July 2019, 09:00:30 London: Q1 19/20 ended on Sunday.
    let app = app_with_jobs_at(utc(2019, 7, 1, 8, 0) + chrono::Duration::seconds(30)).await;
    let board = app
        .server
        .wait_for_channel_messages(example::BOARD, 1, WAIT)
        .await;
    assert_eq!(board.len(), 1);
    let post = &board[0];
    assert!(
        post["content"]
            .as_str()
            .unwrap()
            .contains("Board digest: Kirklees, Q1 19/20"),
        "{post}"
    );
    let files: Vec<&str> = post["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["filename"].as_str())
        .collect();
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(
        files.iter().any(|f| f.ends_with(".png")) && files.iter().any(|f| f.ends_with(".html"))
    );
    assert_eq!(post["embeds"].as_array().map(Vec::len), Some(1));
    app.wait_outbox(1).await;
    // Its later runs that quarter post nothing more.
    let plan = app.plan().await;
    let pj = plan_jobs(&app, &plan).await;
    let d = planbot::jobs::decide_job(
        &app.store,
        &pj,
        planbot::jobs::JobName::Digest,
        utc(2019, 7, 2, 8, 0),
    )
    .await
    .unwrap();
    assert_eq!(d.outgoing.len(), 1, "it decides the same post again...");
    let r = manual_run(
        &app,
        &pj,
        planbot::jobs::JobName::Digest,
        utc(2019, 7, 2, 8, 0),
    )
    .await;
    assert_eq!(
        r.queued, 0,
        "...and its key keeps it from being queued twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_scheduler_leaves_the_jobs_to_the_lease_holder() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let held = app
        .store
        .hold_lease(
            "other-host/pid 1",
            monday_morning(),
            chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    assert!(held.is_ok());
    app.start_jobs_at(monday_morning()).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        app.store.recent_runs(10).await.unwrap().is_empty(),
        "no job ran"
    );
    assert!(app.server.dm_messages(OPHELIA).is_empty(), "nothing sent");
    let lease = app.store.lease().await.unwrap().unwrap();
    assert_eq!(lease.0, "other-host/pid 1");
    // The holder stops cleanly: the waiting one takes over.
    app.store.release_lease("other-host/pid 1").await.unwrap();
    app.wait_outbox(4).await;
    assert_eq!(app.server.dm_messages(OPHELIA).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_discord_down_for_an_hour_nothing_is_lost_and_all_goes_out_in_order() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    // Every DM channel and message request fails until Discord is back.
    app.server.inject_status("/users/@me/channels", 503, 3, 0.0);
    // 18 failures with backoff doubling from 1 s to 5 minutes: about 53 minutes.
    app.server.inject_status("/channels/", 500, 18, 0.0);
    let (clock, hand) = planbot::clock::Clock::manual(monday_morning());
    let settings = jobs_settings(&app.server, &app.dir.path().join("bot.db"));
    app.start_bot_at(settings, clock).await;
    let deadline = std::time::Instant::now() + WAIT;
    // Time passes in ten-minute steps; the sender retries as its backoff allows.
    let mut minutes = 0;
    loop {
        let outbox = app.store.outbox_entries(&[], 100).await.unwrap();
        if outbox.len() == 11 && outbox.iter().all(|e| e.state == "sent") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "stuck after {minutes} minutes: {outbox:?}"
        );
        if minutes < 90 {
            hand.advance(chrono::Duration::minutes(1));
            minutes += 1;
        }
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    }
    let outbox = app.store.outbox_entries(&[], 100).await.unwrap();
    assert_eq!(
        outbox[0].attempts, 19,
        "the head of the queue was retried: {:?}",
        outbox[0]
    );
    assert!(
        outbox[0].sent_at.unwrap() >= utc(2019, 5, 20, 8, 50),
        "{:?}",
        outbox[0]
    );
    let attempts: i64 = outbox.iter().map(|e| e.attempts).sum();
    assert_eq!(
        attempts,
        11 + 18 + 3,
        "each failure retried once, each message sent once"
    );
    assert_eq!(app.server.dm_messages(OPHELIA).len(), 1);
    assert_eq!(app.server.dm_messages(STEVE).len(), 1);
    let sent: Vec<_> = outbox.iter().map(|e| (e.id, e.sent_at.unwrap())).collect();
    assert!(
        sent.windows(2).all(|w| w[0].1 <= w[1].1),
        "sent in the order queued: {sent:?}"
    );
}

/// Reminders queued for Monday 09:00 that never went out (the bot was down
/// all day) are not sent when it comes back at 18:00: they wait, in their
/// order, for Tuesday 09:00.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_kept_back_by_an_outage_wait_for_the_next_working_morning() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let plan = app.store.find_plan(Some("Kirklees")).await.unwrap();
    let pj = plan_jobs(&app, &plan).await;
    let fire = utc(2019, 5, 20, 8, 0);
    planbot::jobs::run_job(
        &app.store,
        &pj,
        planbot::jobs::JobName::Chase,
        fire,
        fire,
        planbot::store::RunKind::Manual,
    )
    .await
    .unwrap();
    let queued = app.store.outbox_entries(&[], 100).await.unwrap();
    assert!(!queued.is_empty());
    assert!(queued.iter().all(|e| e.not_before == fire), "{queued:?}");

    // Monday 18:00 BST: past working hours.
    let (clock, hand) = planbot::clock::Clock::manual(utc(2019, 5, 20, 17, 0));
    let settings = jobs_settings(&app.server, &app.dir.path().join("bot.db"));
    app.start_bot_at(settings, clock).await;
    let tuesday = utc(2019, 5, 21, 8, 0);
    let deadline = std::time::Instant::now() + WAIT;
    let held = loop {
        let outbox = app.store.outbox_entries(&[], 100).await.unwrap();
        if outbox.iter().all(|e| e.not_before == tuesday) {
            break outbox;
        }
        assert!(std::time::Instant::now() < deadline, "not held: {outbox:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(held.iter().all(|e| e.state == "pending"), "{held:?}");
    // Held messages are sound: none is to be tried before its working time.
    let checked = planbot::store::check_file(&app.dir.path().join("bot.db"), WAIT)
        .await
        .unwrap();
    assert_eq!(checked.problems, Vec::<String>::new());
    assert!(
        app.server.dm_messages(OPHELIA).is_empty(),
        "nothing in the evening"
    );
    assert!(
        app.server.dm_messages(STEVE).is_empty(),
        "nothing in the evening"
    );

    hand.advance(tuesday - utc(2019, 5, 20, 17, 0));
    let sent = app.wait_outbox(queued.len()).await;
    assert!(sent.iter().all(|e| e.state == "sent"), "{sent:?}");
    assert!(
        sent.iter().all(|e| e.sent_at.unwrap() >= tuesday),
        "{sent:?}"
    );
    let order: Vec<_> = sent.iter().map(|e| (e.id, e.sent_at.unwrap())).collect();
    assert!(
        order.windows(2).all(|w| w[0].1 <= w[1].1),
        "in queue order: {order:?}"
    );
    assert_eq!(app.server.dm_messages(OPHELIA).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_the_quarter_ends_leads_with_no_update_this_quarter_are_asked_for_one() {
    let server = discord_testserver::TestServer::start(vec![guild()])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = planbot::store::Store::open(dir.path().join("bot.db"))
        .await
        .unwrap();
    let csv = "\
Priority,Ref,Action,Leads,Due,Status
1. Children Looked After,1.1,Recruit foster carers,Ophelia Rix,Q1 19/20,Amber
1. Children Looked After,1.2,Review the SGO policy,Ophelia Rix,Q1 19/20,Green
1. Children Looked After,1.3,Publish the sufficiency strategy,Steve Comb,Q1 19/20,Complete
1. Children Looked After,1.4,Open the new assessment unit,Steve Comb,Q2 19/20,Amber
1. Children Looked After,1.5,Agree the placement protocol,Tom Brailsford,15/06/2019,Red
";
    import_csv(&store, "Kirklees", csv, utc(2019, 3, 1, 9, 0)).await;
    for (name, id) in LINKED {
        store.link_person(name, id).await.unwrap();
    }
    let plan = store.find_plan(Some("Kirklees")).await.unwrap();
    let update = planbot::plan::StatusRequest {
        to: Status::Green,
        note: Some("On track".into()),
        evidence: None,
        by: "Ophelia Rix".into(),
        by_discord_id: None,
        at: utc(2019, 5, 1, 10, 0),
    };
    store.record_status(&plan, "1.2", &update).await.unwrap();
    let mut app = TestApp {
        server,
        store,
        dir,
        bot: None,
    };

    // Sunday 16 June, 09:00:30 London: 14 days before Q1 19/20 ends.
    let (clock, hand) =
        planbot::clock::Clock::manual(utc(2019, 6, 16, 8, 0) + chrono::Duration::seconds(30));
    let settings = jobs_settings(&app.server, &app.dir.path().join("bot.db"));
    app.start_bot_at(settings, clock).await;
    let deadline = std::time::Instant::now() + WAIT;
    let waiting = loop {
        let outbox = app.store.outbox_entries(&[], 100).await.unwrap();
        if outbox.len() >= 2 {
            break outbox;
        }
        assert!(std::time::Instant::now() < deadline, "nothing queued");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        waiting
            .iter()
            .all(|e| e.job == "quarter-end" && e.state == "pending"),
        "{waiting:?}"
    );
    assert!(
        waiting
            .iter()
            .all(|e| e.not_before == utc(2019, 6, 17, 8, 0)),
        "decided on Sunday, sent on Monday at 09:00: {waiting:?}"
    );
    assert!(
        app.server.dm_messages(OPHELIA).is_empty(),
        "nothing on a Sunday"
    );

    hand.advance(chrono::Duration::days(1));
    app.wait_outbox(3).await;
    let ophelia = texts(&app.server.dm_messages(OPHELIA));
    assert_eq!(ophelia.len(), 1, "{ophelia:?}");
    assert!(ophelia[0].starts_with("**Q1 19/20 ends"), "{}", ophelia[0]);
    assert!(
        ophelia[0].contains("`1.1`") && !ophelia[0].contains("`1.2`"),
        "1.2 was updated in May: {}",
        ophelia[0]
    );
    assert!(
        app.server.dm_messages(STEVE).is_empty(),
        "complete, or due next quarter"
    );
    let tom = texts(&app.server.dm_messages(TOM));
    assert!(
        tom.iter()
            .any(|t| t.contains("Q1 19/20 ends") && t.contains("`1.5`")),
        "{tom:?}"
    );
    assert!(
        tom.iter().any(|t| t.starts_with("**Overdue actions")),
        "Monday's chase too: {tom:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_keeps_within_discords_limits_without_being_refused() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    // Nine posts go to #planning: past five, its bucket makes the sender wait.
    app.server
        .enforce_rate_limits(discord_testserver::RateLimitRules::default());
    app.start_jobs_at(monday_morning()).await;
    let outbox = app
        .wait_outbox_for(11, std::time::Duration::from_secs(20))
        .await;
    assert!(outbox.iter().all(|e| e.state == "sent"), "{outbox:?}");
    assert_eq!(app.server.channel_messages(CHANNEL).len(), 9);
    assert_eq!(
        app.server.rate_limited().len(),
        0,
        "{:?}",
        app.server.rate_limited()
    );
}
