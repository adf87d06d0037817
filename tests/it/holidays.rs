//! Bank holidays that do not run out: gov.uk's file imported, a plan's
//! division chosen, and a warning while fewer than six months are known.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use planbot::jobs::PlanJobs;
use planbot_testkit::*;
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};

fn planbot(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planbot"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("PLANBOT_DB")
        .env_remove("PLANBOT_CONFIG")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The next Monday at least `days` from today, on the plan's calendar.
fn monday_after(days: i64) -> NaiveDate {
    let mut d = Utc::now().date_naive() + Duration::days(days);
    while d.weekday() != Weekday::Mon {
        d += Duration::days(1);
    }
    d
}

/// gov.uk's format: each division with its events; `scottish` is a day off
/// in Scotland only, and the last holiday anywhere is `last`.
fn gov_uk_file(dir: &Path, scottish: NaiveDate, last: NaiveDate) -> std::path::PathBuf {
    let event = |title: &str, d: NaiveDate| json!({"title": title, "date": d.to_string(), "notes": "", "bunting": true});
    let file = json!({
        "england-and-wales": {"division": "england-and-wales", "events": [event("Late holiday", last)]},
        "scotland": {"division": "scotland", "events": [
            event("St Andrew’s Day", scottish), event("Late holiday", last)
        ]},
        "northern-ireland": {"division": "northern-ireland", "events": [event("Late holiday", last)]},
    });
    let path = dir.join("bank-holidays.json");
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    path
}

async fn working(app: &TestApp) -> planbot::schedule::WorkingTime {
    let settings = settings(&app.server, &app.dir.path().join("bot.db"));
    PlanJobs::load(&app.store, &settings).await.unwrap()[0].working()
}

#[tokio::test]
async fn a_scottish_plan_keeps_scottish_bank_holidays_once_imported_and_chosen() {
    let app = spawn_app().await;
    let db = app.dir.path().join("bot.db");
    let holiday = monday_after(30);
    let file = gov_uk_file(app.dir.path(), holiday, monday_after(400));
    let nine = |d: NaiveDate| {
        chrono_tz::Europe::London
            .from_local_datetime(&d.and_hms_opt(9, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };

    let out = planbot(&db, &["holidays", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("4 bank holidays added"),
        "{}",
        text(&out)
    );
    // Still England and Wales: the Scottish holiday is a working day.
    assert_eq!(
        working(&app).await.next_working(nine(holiday)),
        nine(holiday)
    );

    let out = planbot(&db, &["holidays", "use", "scotland"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Kirklees keeps scotland's bank holidays"));
    let tuesday = holiday + Duration::days(1);
    assert_eq!(
        working(&app).await.next_working(nine(holiday)),
        nine(tuesday),
        "reminders wait for the day after St Andrew's Day"
    );
    let list = text(&planbot(&db, &["holidays"]));
    assert!(
        list.contains("scotland") && list.contains("imported"),
        "{list}"
    );
    assert!(!list.contains("warning"), "400 days are known: {list}");

    // Importing the same file again adds nothing and changes nothing.
    let out = planbot(&db, &["holidays", "import", file.to_str().unwrap()]);
    assert!(
        text(&out).contains("0 bank holidays added, 4 already known"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn a_file_of_another_shape_is_refused_with_where_and_nothing_changes() {
    let app = spawn_app().await;
    let db = app.dir.path().join("bot.db");
    let before = text(&planbot(&db, &["holidays"]));
    let bad = [
        // A CSV saved under the wrong name.
        (
            "title,date\nNew Year,2027-01-01\n",
            "line 1, column 2: this is not JSON",
        ),
        // A date gov.uk would never write.
        (
            "{\"scotland\": {\"division\": \"scotland\", \"events\": [\n  {\"title\": \"X\", \"date\": \"30/11/2026\"}]}}",
            "line 2",
        ),
        // A division gov.uk does not publish.
        (
            "{\"wales\": {\"division\": \"wales\", \"events\": []}}",
            "\"wales\" is not a division",
        ),
        // The object cut short.
        (
            "{\"scotland\": {\"division\": \"scotland\", \"events\": [",
            "ends before its JSON does",
        ),
    ];
    for (content, expected) in bad {
        let path = app.dir.path().join("bad.json");
        std::fs::write(&path, content).unwrap();
        let out = planbot(&db, &["holidays", "import", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{content}: {}", text(&out));
        let said = text(&out);
        assert!(
            said.contains(expected) && said.contains("nothing was imported"),
            "{said}"
        );
        assert_eq!(said.lines().count(), 1, "{said}");
    }
    assert_eq!(
        text(&planbot(&db, &["holidays"])),
        before,
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_and_holidays_warn_while_fewer_than_six_months_of_holidays_are_known() {
    let mut app = spawn_app().await;
    app.stop_bot().await;
    let db = app.dir.path().join("bot.db");
    let last = monday_after(60);
    let file = gov_uk_file(app.dir.path(), monday_after(30), last);
    assert!(
        planbot(&db, &["holidays", "import", file.to_str().unwrap()])
            .status
            .success()
    );

    let list = text(&planbot(&db, &["holidays"]));
    assert!(
        list.contains(&format!(
            "warning: plan Kirklees: they are known only until {last}"
        )) && list.contains("planbot holidays import"),
        "{list}"
    );

    let config = crate::process::write_config(&app, "");
    let log = app.dir.path().join("run.log");
    let mut bot = crate::process::spawn_planbot(&config, &log, "2026-12-01T10:00:00Z");
    assert!(app.server.wait_for_ready(WAIT).await);
    bot.kill();
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.contains("WARN") && log.contains(&format!("known only until {last}")),
        "{log}"
    );
}
