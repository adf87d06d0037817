//! The command line's manners: exit codes, help, pipes and logs.

use crate::cli::imported;
use crate::helpers::*;
use clap::CommandFactory;
use std::process::{Command, Stdio};

#[test]
fn usage_errors_exit_2_in_every_command() {
    let (dir, db) = imported();
    let before = stdout(&planbot(&db, &["history", "1.1"]));
    let out_dir = dir.path().join("pack");
    for (args, expect) in [
        (&["actions", "--as-of", "soon"][..], "soon"),
        (&["jobs", "run", "chase", "--as-of", "soon"], "soon"),
        (
            &["jobs", "run", "chase", "--as-of", "2019-13-45 09:00"],
            "2019-13-45",
        ),
        (&["digest", "--format", "png"], "--out"),
        (&["digest", "--format", "all"], "--out"),
        (&["digest", "--quarter", "Q9 18/19"], "Q9 18/19"),
        (&["people", "link", "Julie Bragg", "0"], "0"),
        (
            &["people", "link", "Julie Bragg", "12"],
            "\"12\" is not a Discord user id: those are numbers of 17 to 20 digits",
        ),
    ] {
        let out = planbot(&db, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(expect), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    assert!(!out_dir.exists());
    assert_eq!(stdout(&planbot(&db, &["history", "1.1"])), before);
    let people = stdout(&planbot(&db, &["people", "--json"]));
    assert!(!people.contains("discord_id\":0"), "{people}");
}

#[tokio::test]
async fn discord_user_zero_is_refused_by_the_store() {
    let db = TestDb::new().await;
    db.import_csv("P", SMALL_PLAN, utc(2018, 10, 1, 9, 0)).await;
    let err = db.store.link_person("Julie Bragg", 0).await.unwrap_err();
    assert!(err.to_string().contains("not a Discord user id"), "{err}");
    assert_eq!(db.store.person_by_discord_id(0).await.unwrap(), None);
}

#[test]
fn a_reader_that_stops_early_is_a_normal_end() {
    let (_dir, db) = imported();
    // A pipe whose reading end is already closed, as after `| head -1` has read its line.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(["actions"])
        .env("PLANBOT_DB", &db)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn logs_to_a_file_or_pipe_carry_no_colour_codes() {
    let (_dir, db) = imported();
    let out = Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(["plans"])
        .env("PLANBOT_DB", &db)
        .env("PLANBOT_LOG", "debug")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(err.contains("DEBUG"), "some log lines: {err}");
    assert!(!err.contains('\u{1b}'), "{err}");
}

#[test]
fn every_argument_is_explained_and_none_is_shown_where_unused() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let builtin = matches!(arg.get_id().as_str(), "help" | "version");
            if !builtin && !arg.is_hide_set() && arg.get_help().is_none() {
                missing.push(format!("{path} {}", arg.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut cmd = planbot::cli::Cli::command();
    cmd.build();
    let mut missing = Vec::new();
    walk(&cmd, "planbot", &mut missing);
    assert!(missing.is_empty(), "arguments without help: {missing:?}");

    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_planbot"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        stdout(&out)
    };
    let demo = help(&["demo", "--help"]);
    assert!(!demo.contains("--db") && !demo.contains("--plan"), "{demo}");
    let run = help(&["run", "--help"]);
    assert!(!run.contains("--plan"), "{run}");
    let people = help(&["people", "link", "--help"]);
    assert!(people.contains("DISCORD_USER_ID"), "{people}");
    let actions = help(&["actions", "--help"]);
    assert!(actions.contains("--db") && actions.contains("--plan"));
}

#[test]
fn people_list_takes_json() {
    let (_dir, db) = imported();
    let out = planbot(&db, &["people", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"name\":\"Julie Bragg\""));
}

#[test]
fn planbot_licences_prints_its_own_licence_and_the_bundled_fonts() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .arg("licences")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("MIT licence or the Apache License 2.0"),
        "{text}"
    );
    let font_licence = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/fonts/LICENSE-DejaVu.txt"
    ))
    .unwrap();
    assert!(
        text.contains(font_licence.trim()),
        "the DejaVu licence in full"
    );
    // The licence files the crate's metadata names are in the repository.
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    for file in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        assert!(path.is_file(), "{file} is missing");
    }
}

#[test]
fn a_log_reader_that_went_away_neither_crashes_nor_hangs_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plan.db");
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kirklees-plan.csv");
    let import = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args([
            "import",
            csv,
            "--plan",
            "Kirklees",
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(import.status.success());
    for _ in 0..5 {
        // As `planbot plans 2>&1 | head -1` leaves it once head has exited.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
            .args(["plans", "--db", db.to_str().unwrap()])
            .env("PLANBOT_LOG", "debug")
            .stdout(std::process::Stdio::null())
            .stderr(writer)
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(20) {
                let _ = child.kill();
                panic!("still running 20 s later: hung on its log");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(status.success(), "{status:?}");
    }
}
