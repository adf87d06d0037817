//! The demo's second half: the bot itself, running against the local
//! Discord-compatible test server, playing a short scripted session.

use super::example::{self, OPHELIA};
use crate::clock::Clock;
use crate::config::{GuildSettings, Settings};
use crate::store::Store;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, TimeZone, Utc};
use discord_testserver::{Response, TestServer};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

pub async fn play(
    store: &Store,
    db: &Path,
    now: DateTime<Utc>,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let names = |id: u64| match id {
        OPHELIA => "ophelia (Ophelia Rix, a lead)",
        example::CAROL => "carol",
        example::BOB => "bob (board secretary)",
        _ => "someone",
    };
    let admin = crate::app::Actor::trusted("");
    crate::app::people::link_person(store, &admin, "Ophelia Rix", OPHELIA, None, now).await?;
    let server = TestServer::start(vec![example::guild()])
        .await
        .context("cannot start the local test server")?;
    let settings = Settings::local(
        server.base_url(),
        db.to_path_buf(),
        "demo-token",
        vec![GuildSettings::new(
            example::GUILD,
            vec![super::EXAMPLE_PLAN_NAME.into()],
        )],
    );
    let bot = crate::discord::start(settings, store.clone(), Clock::fixed(now)).await?;
    if !server.wait_for_ready(WAIT).await
        || server
            .wait_for_commands(Some(example::GUILD), WAIT)
            .await
            .is_empty()
    {
        bail!("the bot did not connect to the local test server");
    }
    writeln!(
        out,
        "\n== The bot, on a local Discord-compatible server (127.0.0.1, no token) ==\n"
    )?;

    let status_choice = choice(&server, "status", "status", "Green: on track")?;
    let script: [(u64, &str, Value, String); 4] = [
        (
            OPHELIA,
            "status",
            json!([
                {"type": 3, "name": "ref", "value": "7.1"},
                {"type": 4, "name": "status", "value": status_choice},
                {"type": 3, "name": "note", "value": "Task and finish group met; the plan is agreed"}
            ]),
            "/status ref:7.1 status:Green note:Task and finish group met; the plan is agreed"
                .into(),
        ),
        (
            OPHELIA,
            "measure",
            json!([{"type": 1, "name": "record", "options": [
                {"type": 3, "name": "code", "value": "M2"},
                {"type": 3, "name": "value", "value": "24%"},
                {"type": 3, "name": "note", "value": "Six permanent starters in April"}
            ]}]),
            "/measure record code:M2 value:24% note:Six permanent starters in April".into(),
        ),
        (example::CAROL, "overdue", json!([]), "/overdue".into()),
        (
            example::BOB,
            "plan",
            json!([{"type": 1, "name": "summary", "options": []}]),
            "/plan summary".into(),
        ),
    ];
    for (user, name, options, typed) in script {
        writeln!(out, "{}: {typed}", names(user))?;
        let id = server
            .send_command(example::GUILD, example::PLANNING, user, name, options)
            .await;
        let answers = server.responses(id, 1, WAIT).await;
        let Some(answer) = answers.first() else {
            bail!("the bot did not answer {typed}");
        };
        writeln!(
            out,
            "planbot{}:\n{}\n",
            if answer.is_ephemeral() {
                " (only you can see this)"
            } else {
                ""
            },
            indent(&readable(answer))
        )?;
    }
    bot.shutdown().await;
    chase(store, db, &server, out).await?;
    board_pack(store, now, out).await
}

/// What the board reads besides the actions: the digest's outcomes,
/// measures and risk register, for the quarter under way (the example's
/// record starts in it, on 15 May 2019), with the value Ophelia recorded.
async fn board_pack(store: &Store, now: DateTime<Utc>, out: &mut (dyn Write + Send)) -> Result<()> {
    let admin = crate::app::Actor::trusted("demo");
    let plan = store.find_plan(Some(super::EXAMPLE_PLAN_NAME)).await?;
    let made = crate::app::digest::make_digest(
        store,
        &admin,
        &plan,
        Some("Q1 19/20"),
        &[crate::digest::Format::Md],
        now,
    )
    .await?;
    let markdown = made
        .files
        .first()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .unwrap_or_default();
    let Some(start) = markdown.find("## Outcomes and measures") else {
        bail!("the digest has no measures section");
    };
    let end = markdown[start..]
        .find("## Recommendation coverage")
        .map_or(markdown.len(), |i| start + i);
    writeln!(
        out,
        "\n== The board's digest of Q1 19/20 so far: outcomes, measures and risks (`planbot digest`) ==\n"
    )?;
    writeln!(out, "{}", markdown[start..end].trim_end())?;
    Ok(())
}

/// The Monday chase: the scheduler wakes at 09:00 on 20 May 2019, queues the
/// reminders and delivers them; Ophelia snoozes one from her DM.
async fn chase(
    store: &Store,
    db: &Path,
    server: &TestServer,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let mut guild = GuildSettings::new(example::GUILD, vec![super::EXAMPLE_PLAN_NAME.into()]);
    guild.plan_channel = Some(example::PLANNING);
    guild.board_channel = Some(example::BOARD);
    let mut settings = Settings::local(
        server.base_url(),
        db.to_path_buf(),
        "demo-token",
        vec![guild],
    );
    settings.jobs.enabled = true;
    settings.jobs.poll_seconds = 0.05;
    let monday = Utc
        .with_ymd_and_hms(2019, 5, 20, 8, 0, 5)
        .single()
        .expect("a real time");
    let bot = crate::discord::start(settings, store.clone(), Clock::starting_at(monday)).await?;
    let deadline = std::time::Instant::now() + WAIT;
    let sent = loop {
        let entries = store.outbox_entries(&[], 100).await?;
        if !entries.is_empty() && entries.iter().all(|e| e.state != "pending") {
            break entries;
        }
        if std::time::Instant::now() > deadline {
            bail!("the reminders did not go out");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    writeln!(
        out,
        "== Monday 20 May, 09:00: the scheduler's jobs run ==\n\n{} messages sent: {}.\n",
        sent.len(),
        summary(&sent)
    )?;
    let escalations: Vec<String> = server
        .channel_messages(example::PLANNING)
        .iter()
        .filter_map(|m| m["content"].as_str())
        .filter(|c| c.starts_with("**Escalation"))
        .map(readable_text)
        .collect();
    if !escalations.is_empty() {
        writeln!(
            out,
            "planbot, in #planning ({} escalations):",
            escalations.len()
        )?;
        for e in &escalations {
            writeln!(out, "{}\n", indent(e))?;
        }
    }
    let dm = server.dm_messages(OPHELIA);
    let Some(message) = dm.first() else {
        bail!("Ophelia got no reminder");
    };
    writeln!(
        out,
        "planbot, in a direct message to ophelia:\n{}",
        indent(&readable_text(message["content"].as_str().unwrap_or("")))
    )?;
    let buttons: Vec<&str> = message["components"][0]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["label"].as_str())
        .collect();
    writeln!(out, "  [{}] ... on each action\n", buttons.join("] ["))?;
    let snooze = message["components"][1]["components"][2]["custom_id"]
        .as_str()
        .unwrap_or("");
    let message_id: u64 = message["id"]
        .as_str()
        .and_then(|i| i.parse().ok())
        .unwrap_or(0);
    let channel = server.dm_channel_of(OPHELIA).unwrap_or(0);
    let press = server
        .press_button(None, channel, OPHELIA, message_id, snooze)
        .await;
    if let Some(answer) = server.responses(press, 1, WAIT).await.first() {
        writeln!(
            out,
            "ophelia presses [{}]\nplanbot:\n{}\n",
            message["components"][1]["components"][2]["label"]
                .as_str()
                .unwrap_or(""),
            indent(&readable(answer))
        )?;
    }
    bot.shutdown().await;
    Ok(())
}

/// "4 chasers (2 by DM, 2 in #planning: not linked), 7 escalations".
fn summary(sent: &[crate::store::OutboxEntry]) -> String {
    let count = |job: &str| sent.iter().filter(|e| e.job == job).count();
    let unlinked = sent
        .iter()
        .filter(|e| e.job == "chase" && e.delivered_as.as_deref() == Some("not linked"))
        .count();
    let mut text = format!(
        "{} overdue chasers ({} by direct message, {unlinked} in #planning for leads with no Discord account linked), {} escalations of actions over 28 days overdue in #planning",
        count("chase"),
        count("chase").saturating_sub(unlinked),
        count("escalate")
    );
    if count("register") > 0 {
        text.push_str(&format!(
            ", {} reminders to record a measure's value or review a risk",
            count("register")
        ));
    }
    text
}

fn choice(server: &TestServer, command: &str, option: &str, label: &str) -> Result<Value> {
    let commands = server.commands(Some(example::GUILD));
    commands
        .iter()
        .find(|c| c["name"] == command)
        .and_then(|c| {
            c["options"]
                .as_array()?
                .iter()
                .find(|o| o["name"] == option)
                .cloned()
        })
        .and_then(|o| {
            o["choices"]
                .as_array()?
                .iter()
                .find(|c| c["name"] == label)
                .map(|c| c["value"].clone())
        })
        .context("the status command has no such choice")
}

/// A terminal cannot show Discord's `<t:UNIX:D>` timestamps; print the date.
fn readable(answer: &Response) -> String {
    readable_text(answer.content())
}

fn readable_text(text: &str) -> String {
    let mut text = text.to_string();
    while let Some(start) = text.find("<t:") {
        let Some(len) = text[start..].find('>') else {
            break;
        };
        let inner = &text[start + 3..start + len];
        let unix: i64 = inner
            .split(':')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_default();
        let date = Utc
            .timestamp_opt(unix, 0)
            .single()
            .map(|d| d.format("%-d %b %Y").to_string())
            .unwrap_or_default();
        text.replace_range(start..start + len + 1, &date);
    }
    readable_mentions(&text).replace("**", "")
}

/// `<@id>` and `<@&role>` as a terminal reader would see them in Discord.
fn readable_mentions(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let inner = &rest[start + 2..start + len];
        out.push_str(match inner.strip_prefix('&') {
            Some(_) => "@Plan admin",
            None if inner == OPHELIA.to_string() => "@ophelia",
            None => "@someone",
        });
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
