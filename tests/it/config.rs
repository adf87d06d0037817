//! Settings: the example file, environment overrides, and clear refusals.

use planbot::config::{ConfigError, Settings};
use std::path::Path;

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    }
}

fn write(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("planbot.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_example_config_loads_with_its_channels_and_job_schedules() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/planbot.example.toml");
    let s = Settings::load(Some(&file), env(&[("DISCORD_TOKEN", "secret-token-xyz")])).unwrap();
    let g = &s.guilds[0];
    assert_eq!(g.plans, ["Kirklees"]);
    assert_eq!(g.plan_channel, Some(223456789012345678));
    assert_eq!(
        g.reminder_channel(),
        Some(223456789012345678),
        "defaults to the plan channel"
    );
    assert_eq!(g.board_channel, Some(323456789012345678));
    assert_eq!(s.jobs.chase, "0 9 * * Mon-Fri");
    assert_eq!(s.jobs.quarter_end_days, [14, 3]);
    assert_eq!(s.jobs.catch_up_days, 7);
    assert!(
        s.jobs.bank_holidays.len() > 70,
        "England and Wales, 2018-2027"
    );
    assert!(
        !format!("{s:?}").contains("secret-token-xyz"),
        "the token never shows"
    );
}

#[test]
fn a_bad_schedule_or_working_hours_are_refused_with_the_key_and_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let base = "[[guilds]]\nid = 1\nplans = [\"Kirklees\"]\n";
    let token = [("DISCORD_TOKEN", "t")];
    let file = write(&dir, &format!("{base}[jobs]\nchase = \"9 * * Mon-Fri\"\n"));
    let e = Settings::load(Some(&file), env(&token))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("jobs.chase:"), "{e}");
    assert!(
        e.contains("it has 4 fields") && e.contains("\"0 9 * * Mon-Fri\""),
        "{e}"
    );

    let file = write(
        &dir,
        &format!("{base}[jobs]\nworking_hours = \"17:00-09:00\"\n"),
    );
    let e = Settings::load(Some(&file), env(&token))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("jobs.working_hours") && e.contains("09:00-17:00"),
        "{e}"
    );

    let file = write(&dir, &format!("{base}[jobs]\nchase_every = 3\n"));
    let e = Settings::load(Some(&file), env(&token)).unwrap_err();
    assert!(matches!(e, ConfigError::Invalid { .. }), "{e}");
    assert!(e.to_string().contains("line 5"), "{e}");
}

#[test]
fn the_token_comes_only_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(&dir, "[[guilds]]\nid = 1\nplans = [\"Kirklees\"]\n");
    let e = Settings::load(Some(&file), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("DISCORD_TOKEN is not set"), "{e}");
    // The CLI's job commands need no token.
    assert!(Settings::load_offline(Some(&file), env(&[])).is_ok());
}

/// Cairo's clocks go from 00:00 to 01:00 on Friday 28 April 2023, a working
/// day: working hours that start at 00:30 start, that day, when the clocks
/// have jumped (01:00), and nothing panics.
#[test]
fn working_hours_that_start_in_a_clock_change_gap_start_when_the_clocks_have_jumped() {
    use chrono::TimeZone;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "[[guilds]]\nid = 1\nplans = [\"P\"]\n[jobs]\nworking_hours = \"00:30-08:00\"\n",
    );
    let s = Settings::load_offline(Some(&path), env(&[])).unwrap();
    let cairo = planbot::plan::Zone::named("Africa/Cairo").unwrap();
    let work = s.jobs.working_time(
        cairo,
        s.jobs.days_off(
            planbot::schedule::Division::EnglandAndWales,
            Default::default(),
        ),
    );
    let thursday_noon = cairo.with_ymd_and_hms(2023, 4, 27, 12, 0, 0).unwrap();
    let start = work.next_working(thursday_noon.with_timezone(&chrono::Utc));
    assert_eq!(
        start.with_timezone(&cairo).to_string(),
        "2023-04-28 01:00:00 EEST"
    );
    assert!(work.is_working(start));
    // The next working day (1 May is a bank holiday) it is 00:30 again.
    let friday_noon = cairo.with_ymd_and_hms(2023, 4, 28, 12, 0, 0).unwrap();
    let monday = work.next_working(friday_noon.with_timezone(&chrono::Utc));
    assert_eq!(
        monday.with_timezone(&cairo).to_string(),
        "2023-05-02 00:30:00 EEST"
    );
}

#[test]
fn the_token_can_come_from_a_file_and_its_contents_never_show_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(&dir, "[[guilds]]\nid = 1\nplans = [\"Kirklees\"]\n");
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "file-token-abc\n").unwrap();
    let path = token_file.to_str().unwrap();

    let s = Settings::load(Some(&config), env(&[("DISCORD_TOKEN_FILE", path)])).unwrap();
    let token = s.discord.token.expect("a token");
    assert_eq!(
        token.expose(),
        "file-token-abc",
        "the newline is not part of it"
    );

    // The environment variable wins over the file, as a one-off override.
    let s = Settings::load(
        Some(&config),
        env(&[("DISCORD_TOKEN", "env-token"), ("DISCORD_TOKEN_FILE", path)]),
    )
    .unwrap();
    assert_eq!(s.discord.token.unwrap().expose(), "env-token");

    // systemd's LoadCredential=discord-token:... puts it in CREDENTIALS_DIRECTORY.
    std::fs::write(dir.path().join("discord-token"), "credential-token").unwrap();
    let creds = dir.path().to_str().unwrap();
    let s = Settings::load(Some(&config), env(&[("CREDENTIALS_DIRECTORY", creds)])).unwrap();
    assert_eq!(s.discord.token.unwrap().expose(), "credential-token");

    // A file holding two lines is refused without quoting either.
    std::fs::write(&token_file, "first-secret\nsecond-secret\n").unwrap();
    let e = Settings::load(Some(&config), env(&[("DISCORD_TOKEN_FILE", path)]))
        .unwrap_err()
        .to_string();
    assert!(e.contains(path) && e.contains("one line"), "{e}");
    assert!(!e.contains("secret"), "the contents never show: {e}");

    let missing = dir.path().join("no-such-token");
    let e = Settings::load(
        Some(&config),
        env(&[("DISCORD_TOKEN_FILE", missing.to_str().unwrap())]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("cannot read the token file") && e.contains("No such file or directory"),
        "{e}"
    );
}
