//! The service files in `deploy/` and the `Containerfile`: they start the
//! commands this planbot has, with the token where planbot looks for it, and
//! systemd accepts the units.

use clap::Parser;
use planbot::cli::Cli;
use std::path::{Path, PathBuf};

fn repo(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(file)
}

fn read(file: &str) -> String {
    std::fs::read_to_string(repo(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The values of `key=` in a unit file, in order.
fn values<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

/// A command line as planbot's own parser reads it.
fn parses(words: &[&str]) {
    if let Err(e) = Cli::try_parse_from(words) {
        panic!("{words:?} is not a planbot command: {e}");
    }
}

#[test]
fn the_service_runs_planbot_run_hardened_with_the_token_as_a_credential() {
    let unit = read("deploy/planbot.service");
    let exec = values(&unit, "ExecStart");
    assert_eq!(exec.len(), 1);
    let words: Vec<&str> = exec[0].split_whitespace().collect();
    assert_eq!(words[0], "/usr/local/bin/planbot");
    parses(&words);
    assert_eq!(words[1], "run");

    let credential = values(&unit, "LoadCredential");
    assert_eq!(credential.len(), 1);
    assert!(
        credential[0].starts_with(&format!("{}:", planbot::config::CREDENTIAL)),
        "planbot reads the credential {:?}: {credential:?}",
        planbot::config::CREDENTIAL
    );
    assert!(
        !unit.contains("DISCORD_TOKEN="),
        "never the token in the unit"
    );

    let state = values(&unit, "StateDirectory");
    assert_eq!(state, ["planbot"]);
    assert!(values(&unit, "Environment").contains(&"PLANBOT_DB=/var/lib/planbot/planbot.db"));
    for (key, value) in [
        ("DynamicUser", "yes"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("Restart", "on-failure"),
        ("CapabilityBoundingSet", ""),
    ] {
        assert_eq!(values(&unit, key), [value], "{key}");
    }
    // systemd waits this long after SIGTERM; planbot needs its grace and a little.
    let stop: u64 = values(&unit, "TimeoutStopSec")[0]
        .trim_end_matches('s')
        .parse()
        .unwrap();
    assert!(stop > planbot::runtime::STOP_GRACE.as_secs() + 2, "{stop}");
}

#[test]
fn the_backup_service_runs_planbot_backup_on_the_same_database() {
    let unit = read("deploy/planbot-backup.service");
    let exec = values(&unit, "ExecStart")[0];
    let command = exec
        .split_once("exec ")
        .expect("sh -c 'exec planbot ...'")
        .1
        .trim_end_matches('\'')
        // The shell's part: a time stamp in the name.
        .replace("$(date -u +%%Y%%m%%dT%%H%%M%%SZ)", "20260101T023000Z");
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(&words[..3], ["/usr/local/bin/planbot", "backup", "--out"]);
    parses(&words);
    let service = read("deploy/planbot.service");
    assert_eq!(
        values(&unit, "User"),
        values(&service, "User"),
        "the same user"
    );
    assert!(values(&unit, "Environment").contains(&"PLANBOT_DB=/var/lib/planbot/planbot.db"));
    assert!(values(&read("deploy/planbot-backup.timer"), "OnCalendar").len() == 1);
}

#[test]
fn systemd_accepts_the_units() {
    let Ok(out) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        assert!(
            std::env::var_os("PLANBOT_REQUIRE_SYSTEMD_ANALYZE").is_none(),
            "systemd-analyze is required here but not installed"
        );
        eprintln!("SKIPPED: systemd-analyze is not installed");
        return;
    };
    assert!(out.status.success());
    // The units name /usr/local/bin/planbot, which systemd checks exists:
    // point them at this build instead.
    let dir = tempfile::tempdir().unwrap();
    let mut units = Vec::new();
    for name in [
        "planbot.service",
        "planbot-backup.service",
        "planbot-backup.timer",
    ] {
        let text = read(&format!("deploy/{name}"))
            .replace("/usr/local/bin/planbot", env!("CARGO_BIN_EXE_planbot"));
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        units.push(path);
    }
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .args(&units)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}

#[test]
fn the_container_runs_planbot_as_a_user_with_its_licences_and_a_token_file() {
    let file = read("Containerfile");
    let cmd = file
        .lines()
        .find_map(|l| l.strip_prefix("CMD "))
        .expect("a CMD");
    let args: Vec<String> = serde_json::from_str(cmd).unwrap();
    let mut words = vec!["planbot"];
    words.extend(args.iter().map(String::as_str));
    parses(&words);
    assert!(file.contains("ENTRYPOINT [\"planbot\"]"));
    assert!(file.contains("USER planbot"), "not root");
    assert!(file.contains("VOLUME [\"/var/lib/planbot\"]"));
    assert!(file.contains("DISCORD_TOKEN_FILE=/run/secrets/discord-token"));
    assert!(file.contains("--profile dist"));
    assert!(read("Cargo.toml").contains("[profile.dist]"));
    // Everything it copies from the repository is there, the font's licence too.
    let copied: Vec<&str> = file
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from") && !l.starts_with(". "))
        .flat_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words[..words.len() - 1].to_vec()
        })
        .collect();
    assert!(
        copied.contains(&"assets/fonts/LICENSE-DejaVu.txt"),
        "{copied:?}"
    );
    for path in copied {
        assert!(
            repo(path).exists(),
            "the Containerfile copies {path}, which is missing"
        );
    }
}
