//! `planbot health`, as a monitoring system runs it: exit 0 and one line
//! while a bot is doing its work, exit 1 and one line per problem otherwise.

use std::path::Path;
use std::process::{Command, Output};

fn health(db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(["health", "--db", db.to_str().unwrap()])
        .env_remove("PLANBOT_DB")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_ok_while_a_bot_runs_the_jobs_and_fails_once_it_stops() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("run.db");
    let (_server, mut child) =
        crate::run::spawn_run_with(dir.path(), &[], "[jobs]\nlease_seconds = 2\n").await;
    // The lease is taken once the guilds are known, just after READY.
    let mut out = health(&db);
    for _ in 0..100 {
        if out.status.success() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        out = health(&db);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        text.starts_with("ok: the scheduler lease is held by"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");

    child.start_kill().unwrap();
    child.wait().await.unwrap();
    // Killed, it could not give the lease up: health fails once it runs out.
    let store = planbot::store::Store::open(&db).await.unwrap();
    let (_, until) = store.lease().await.unwrap().expect("a lease");
    store.close().await;
    let wait = (until - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + std::time::Duration::from_millis(100)).await;
    let out = health(&db);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no planbot is running the jobs: the scheduler's lease ran out"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn health_names_each_problem_on_its_own_line() {
    let app = planbot_testkit::spawn_app().await;
    let db = app.dir.path().join("bot.db");
    // Messages queued for 20 May 2019 and never sent: long overdue now.
    let queued = Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args([
            "jobs",
            "run",
            "chase",
            "--as-of",
            "2019-05-20T08:00:00Z",
            "--db",
        ])
        .arg(&db)
        .env_remove("PLANBOT_DB")
        .output()
        .unwrap();
    assert!(queued.status.success(), "{}", stderr(&queued));
    let entries = app.store.outbox_entries(&["pending"], 100).await.unwrap();
    assert!(entries.len() >= 2, "{entries:?}");
    app.store
        .mark_failed(entries[0].id, "Missing Permissions")
        .await
        .unwrap();

    let out = health(&db);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stderr(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].contains("nobody holds the scheduler lease"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains(&format!("{} messages due and not sent", entries.len() - 1))
            && lines[1].contains("days"),
        "{lines:?}"
    );
    assert!(
        lines[2].contains("1 message Discord refused for good")
            && lines[2].contains("Missing Permissions"),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| l.starts_with("error: ")), "{lines:?}");
}

#[test]
fn health_refuses_windows_it_cannot_look_back_over() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        ["--failed-days", "4294967295"],
        ["--failed-days", "0"],
        ["--backlog-minutes", "200000000"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_planbot"))
            .arg("health")
            .args(args)
            .arg("--db")
            .arg(dir.path().join("none.db"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("is not in"), "{}", stderr(&out));
    }
}
