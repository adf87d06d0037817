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

fn text_of(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The next Monday at least `days` from today that is, with the Tuesday
/// after it, a working day in England and Wales.
fn monday_after(days: i64) -> NaiveDate {
    let built_in = |d: NaiveDate| {
        planbot::schedule::ENGLAND_AND_WALES_BANK_HOLIDAYS.contains(&d.to_string().as_str())
    };
    let mut d = Utc::now().date_naive() + Duration::days(days);
    while d.weekday() != Weekday::Mon || built_in(d) || built_in(d + Duration::days(1)) {
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
        planbot::plan::Zone::london()
            .from_local_datetime(&d.and_hms_opt(9, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };

    let out = planbot(&db, &["holidays", "import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text_of(&out));
    assert!(
        text_of(&out).contains("4 bank holidays added"),
        "{}",
        text_of(&out)
    );
    // Still England and Wales: the Scottish holiday is a working day.
    assert_eq!(
        working(&app).await.next_working(nine(holiday)),
        nine(holiday)
    );

    let out = planbot(&db, &["holidays", "use", "scotland"]);
    assert!(out.status.success(), "{}", text_of(&out));
    assert!(text_of(&out).contains("Kirklees keeps scotland's bank holidays"));
    let tuesday = holiday + Duration::days(1);
    assert_eq!(
        working(&app).await.next_working(nine(holiday)),
        nine(tuesday),
        "reminders wait for the day after St Andrew's Day"
    );
    let list = text_of(&planbot(&db, &["holidays"]));
    assert!(
        list.contains("scotland") && list.contains("imported"),
        "{list}"
    );
    assert!(!list.contains("warning"), "400 days are known: {list}");

    // Importing the same file again adds nothing and changes nothing.
    let out = planbot(&db, &["holidays", "import", file.to_str().unwrap()]);
    assert!(
        text_of(&out).contains("0 bank holidays added, 4 already known"),
        "{}",
        text_of(&out)
    );
}

#[tokio::test]
async fn a_file_of_another_shape_is_refused_with_where_and_nothing_changes() {
    let app = spawn_app().await;
    let db = app.dir.path().join("bot.db");
    let before = text_of(&planbot(&db, &["holidays"]));
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
        assert_eq!(out.status.code(), Some(1), "{content}: {}", text_of(&out));
        let said = text_of(&out);
        assert!(
            said.contains(expected) && said.contains("nothing was imported"),
            "{said}"
        );
        assert_eq!(said.lines().count(), 1, "{said}");
    }
    assert_eq!(
        text_of(&planbot(&db, &["holidays"])),
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
    // Scotland's imported list replaces the built-in one (England and
    // Wales's imports add to it, so they never run short of it).
    assert!(
        planbot(&db, &["holidays", "use", "scotland"])
            .status
            .success()
    );

    let list = text_of(&planbot(&db, &["holidays"]));
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

#[tokio::test]
async fn importing_fewer_years_keeps_england_and_wales_built_in_holidays_and_says_what_is_missing()
{
    let app = spawn_app().await;
    let db = app.dir.path().join("bot.db");
    // England and Wales and Scotland, only a holiday next year each; with a
    // byte-order mark, as a Windows editor saves it.
    let next_year = monday_after(400);
    let file = app.dir.path().join("next-year.json");
    let event =
        json!({"title": "A holiday", "date": next_year.to_string(), "notes": "", "bunting": true});
    let text = json!({
        "england-and-wales": {"division": "england-and-wales", "events": [event]},
        "scotland": {"division": "scotland", "events": [event]},
    });
    std::fs::write(&file, format!("\u{feff}{text}")).unwrap();
    let out = planbot(&db, &["holidays", "import", file.to_str().unwrap()]);
    let said = text_of(&out);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("warning: the file has no bank holidays for northern-ireland")
            && !said.contains("for england-and-wales"),
        "{said}"
    );

    // Christmas Day 2026 is still a day off in England and Wales.
    let christmas = planbot::plan::Zone::london()
        .with_ymd_and_hms(2026, 12, 25, 9, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_ne!(working(&app).await.next_working(christmas), christmas);

    // A Scottish plan before Scotland's are imported is warned about.
    let other = tempfile::tempdir().unwrap();
    let db2 = other.path().join("plan.db");
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kirklees-plan.csv");
    assert!(
        planbot(&db2, &["import", csv, "--plan", "Kirklees"])
            .status
            .success()
    );
    assert!(
        planbot(&db2, &["holidays", "use", "scotland"])
            .status
            .success()
    );
    let list = text_of(&planbot(&db2, &["holidays"]));
    assert!(
        list.contains(
            "keeps scotland's bank holidays but none are imported (England and Wales's are used)"
        ),
        "{list}"
    );
}

#[tokio::test]
async fn a_file_listing_a_day_twice_is_refused() {
    let app = spawn_app().await;
    let db = app.dir.path().join("bot.db");
    let file = app.dir.path().join("twice.json");
    let event = json!({"title": "Christmas Day", "date": "2027-12-27"});
    let text =
        json!({"england-and-wales": {"division": "england-and-wales", "events": [event, event]}});
    std::fs::write(&file, text.to_string()).unwrap();
    let out = planbot(&db, &["holidays", "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text_of(&out).contains("england-and-wales lists 2027-12-27 twice"),
        "{}",
        text_of(&out)
    );
    let empty = app.dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let out = planbot(&db, &["holidays", "import", empty.to_str().unwrap()]);
    assert!(
        text_of(&out).contains("the file lists no bank holidays"),
        "{}",
        text_of(&out)
    );
}
