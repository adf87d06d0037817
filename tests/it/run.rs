//! `planbot run` as a process, against the local test server: it connects,
//! answers, sends nothing anywhere else, and stops cleanly on SIGTERM.

use discord_testserver::TestServer;
use planbot::store::Store;
use planbot_testkit::*;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

unsafe extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}
const SIGTERM: i32 = 15;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planbot_run_sends_nothing_off_the_test_server_and_stops_on_sigterm() {
    // A trap posing as the network's proxy: every HTTP client request the bot
    // made to anywhere but the test server (exempt through NO_PROXY) would
    // arrive here instead of leaving the machine.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trap_url = format!("http://{}", trap.local_addr().unwrap());
    let trapped = Arc::new(AtomicUsize::new(0));
    let counter = trapped.clone();
    tokio::spawn(async move {
        while let Ok((_conn, _)) = trap.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });

    let dir = tempfile::tempdir().unwrap();
    let proxy = [
        ("HTTPS_PROXY", trap_url.as_str()),
        ("HTTP_PROXY", &trap_url),
        ("ALL_PROXY", &trap_url),
        ("NO_PROXY", "127.0.0.1"),
    ];
    let (server, child) = spawn_run(dir.path(), &proxy).await;

    let id = server
        .send_command(GUILD, CHANNEL, OPHELIA, "overdue", serde_json::json!([]))
        .await;
    let answer = server.responses(id, 1, WAIT).await;
    assert!(
        answer[0].content().contains("overdue actions"),
        "{:?}",
        answer
    );

    let pid = child.id().unwrap() as i32;
    assert_eq!(unsafe { kill(pid, SIGTERM) }, 0);
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("stops within 10 s")
        .unwrap();
    assert!(out.status.success(), "a clean stop: {:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("shutting down"), "{log}");
    assert!(
        !log.contains("test-token-never-logged"),
        "the token is never logged"
    );

    assert_eq!(
        trapped.load(Ordering::SeqCst),
        0,
        "a request tried to leave the test server"
    );
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/api/v10/gateway/bot" || r.path == "/api/v10/gateway")
    );
    assert!(
        server.unknown_requests().is_empty(),
        "{:?}",
        server.unknown_requests()
    );
    assert_eq!(server.identifies(), 1, "the gateway connection came here");
}

const DEBUG_LOG: &[(&str, &str)] = &[("PLANBOT_LOG", "planbot=debug,info")];

/// `planbot run` against a fresh test server, with `env` set as well.
pub(crate) async fn spawn_run(
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (TestServer, tokio::process::Child) {
    spawn_run_with(dir, env, "").await
}

/// As [`spawn_run`], with `config` added to the config file.
pub(crate) async fn spawn_run_with(
    dir: &std::path::Path,
    env: &[(&str, &str)],
    config_text: &str,
) -> (TestServer, tokio::process::Child) {
    let server = TestServer::start(vec![guild()]).await.unwrap();
    let db = dir.join("run.db");
    let store = Store::open(&db).await.unwrap();
    planbot::demo::load_example_plan(&store, planbot::demo::example_recorded_at())
        .await
        .unwrap();
    store.link_person("Ophelia Rix", OPHELIA).await.unwrap();
    store.close().await;
    let config = dir.join("planbot.toml");
    std::fs::write(
        &config,
        format!("[[guilds]]\nid = {GUILD}\nplans = [\"Kirklees\"]\n{config_text}"),
    )
    .unwrap();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(["run", "--config", config.to_str().unwrap()])
        .env("DISCORD_TOKEN", "test-token-never-logged")
        .env("DISCORD_API_BASE", server.base_url())
        .env("PLANBOT_DB", &db)
        .envs(env.iter().copied())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    assert!(
        server.wait_for_ready(WAIT).await,
        "planbot run never connected"
    );
    assert!(!server.wait_for_commands(Some(GUILD), WAIT).await.is_empty());
    (server, child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_command_list_is_the_users_to_fix_and_logged_at_debug_not_as_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (server, child) = spawn_run(dir.path(), DEBUG_LOG).await;
    let unknown = server
        .send_command(GUILD, CHANNEL, OPHELIA, "frobnicate", json!([]))
        .await;
    let purple = server
        .send_command(
            GUILD,
            CHANNEL,
            OPHELIA,
            "status",
            json!([
                {"type": 3, "name": "ref", "value": "7.1"},
                {"type": 3, "name": "status", "value": "Purple"},
            ]),
        )
        .await;
    for id in [unknown, purple] {
        let answer = server.responses(id, 1, WAIT).await;
        assert!(
            answer.first().is_some_and(|a| a.is_ephemeral()),
            "{answer:?}"
        );
    }

    let pid = child.id().unwrap() as i32;
    assert_eq!(unsafe { kill(pid, SIGTERM) }, 0);
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("stops within 10 s")
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let lines = |level: &str, what: &str| {
        log.lines()
            .filter(|l| l.contains(level) && l.contains(what))
            .count()
    };
    assert_eq!(
        lines("DEBUG", "a command planbot does not have"),
        1,
        "{log}"
    );
    assert_eq!(lines("DEBUG", "options that do not fit"), 1, "{log}");
    assert_eq!(lines("ERROR", ""), 0, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_discord_refuses_ends_planbot_run_with_one_line_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let (server, child) = spawn_run(dir.path(), DEBUG_LOG).await;
    // As Discord does when the token was reset in the Developer Portal.
    server.close_gateway_with(4004, "Authentication failed.");
    let out = tokio::time::timeout(std::time::Duration::from_secs(5), child.wait_with_output())
        .await
        .expect("planbot run ends within 5 s")
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = log.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{log}");
    let line = errors[0];
    assert!(
        line.contains("refused the bot's token")
            && line.contains("Developer Portal")
            && line.contains("DISCORD_TOKEN"),
        "{line}"
    );
    assert!(!log.contains("test-token-never-logged"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_planbot_log_format_json_every_log_line_is_one_json_object() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, child) = spawn_run(dir.path(), &[("PLANBOT_LOG_FORMAT", "json")]).await;
    let pid = child.id().unwrap() as i32;
    assert_eq!(unsafe { kill(pid, SIGTERM) }, 0);
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("stops")
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let messages: Vec<&str> = lines.iter().filter_map(|l| l["message"].as_str()).collect();
    assert!(messages.contains(&"starting planbot"), "{messages:?}");
    assert!(messages.contains(&"shutting down"), "{messages:?}");
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string())
    );
    assert!(!log.contains("test-token-never-logged"));

    // A command's error is the log's last line, and JSON like the rest.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args([
            "history",
            "9.9",
            "--db",
            dir.path().join("run.db").to_str().unwrap(),
        ])
        .env("PLANBOT_LOG_FORMAT", "json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let last: Value = serde_json::from_str(err.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {err}"));
    assert_eq!(last["level"], "ERROR", "{last}");
    assert!(last["message"].as_str().unwrap().contains("9.9"), "{last}");

    // So are a usage error and an import's warnings.
    let json_lines = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
            .args(args)
            .env("PLANBOT_LOG_FORMAT", "json")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let lines: Vec<Value> = err
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        (out.status.code(), lines)
    };
    let (code, lines) = json_lines(&["bogus"]);
    assert_eq!(code, Some(2));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0]["message"].as_str().unwrap().contains("bogus"),
        "{lines:?}"
    );
    let csv = dir.path().join("extra.csv");
    std::fs::write(
        &csv,
        "Priority,Ref,Action,Leads,Due,Status,Colour\n1. A,1.1,Do it,Ann Lee,Q3 18/19,Red,blue\n",
    )
    .unwrap();
    let db = dir.path().join("extra.db");
    let (code, lines) = json_lines(&[
        "import",
        csv.to_str().unwrap(),
        "--plan",
        "X",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l["level"] == "WARN" && l["message"].as_str().unwrap().contains("Colour")),
        "{lines:?}"
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(["plans", "--db", dir.path().join("run.db").to_str().unwrap()])
        .env("PLANBOT_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use json or text"));
}
