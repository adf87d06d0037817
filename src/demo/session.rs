//! The demo's second half: the bot itself, running against the local
//! Discord-compatible test server, playing a short scripted session.

use crate::clock::Clock;
use crate::config::{GuildSettings, Settings};
use crate::store::Store;
use crate::testserver::{GuildSpec, MemberSpec, Response, TestServer, example};
use anyhow::{Context, Result, bail};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

const OPHELIA: u64 = 1_000_000_000_000_000_201;
const WAIT: Duration = Duration::from_secs(10);

pub async fn play(
    store: &Store,
    db: &Path,
    now: DateTime<Utc>,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let mut guild = GuildSpec::example();
    guild.members.push(MemberSpec {
        user_id: OPHELIA,
        name: "ophelia".into(),
        roles: vec![],
    });
    let names = |id: u64| match id {
        OPHELIA => "ophelia (Ophelia Rix, a lead)",
        example::CAROL => "carol",
        example::BOB => "bob (board secretary)",
        _ => "someone",
    };
    store.link_person("Ophelia Rix", OPHELIA).await?;
    let server = TestServer::start(vec![guild])
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
    let script: [(u64, &str, Value, String); 3] = [
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
    Ok(())
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
    let mut text = answer.content().to_string();
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
    text.replace("**", "")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
