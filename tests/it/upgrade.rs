//! Upgrades: a database from every schema planbot has had opens with the
//! current one, its data intact; one from a newer planbot is refused
//! without a byte changed. The fixtures are in tests/fixtures/schema/.

use crate::helpers::*;
use chrono::TimeZone;
use planbot::plan::Status;
use planbot::store::{Store, StoreError, check_file, latest_schema_version};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, Connection, Executor};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The version of each file in migrations/, from its name (`0003_jobs.sql`).
fn migration_versions() -> Vec<i64> {
    let mut versions: Vec<i64> = std::fs::read_dir(root().join("migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .map(|name| name.split('_').next().unwrap().parse().unwrap())
        .collect();
    versions.sort();
    versions
}

fn fixture(version: i64) -> PathBuf {
    root().join(format!("tests/fixtures/schema/{version:04}.sql"))
}

async fn connect(path: &Path) -> SqliteConnection {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    SqliteConnection::connect_with(&opts).await.unwrap()
}

/// A database as planbot left it at schema `version`: migrations up to it,
/// then the fixture's rows.
async fn database_at(version: i64, path: &Path) {
    let mut conn = connect(path).await;
    let migrator = Migrator::new(root().join("migrations")).await.unwrap();
    migrator.run_to(version, &mut conn).await.unwrap();
    let rows = std::fs::read_to_string(fixture(version)).unwrap();
    sqlx::raw_sql(AssertSqlSafe(rows))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// Rows in each table of planbot's (not sqlx's bookkeeping).
async fn row_counts(path: &Path) -> BTreeMap<String, i64> {
    let mut conn = connect(path).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
            AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut counts = BTreeMap::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM \"{table}\"")))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        counts.insert(table, n);
    }
    conn.close().await.unwrap();
    counts
}

#[test]
fn every_migration_has_a_schema_fixture() {
    let versions = migration_versions();
    assert!(!versions.is_empty());
    for v in &versions {
        assert!(
            fixture(*v).is_file(),
            "migration {v} has no fixture: add {} (see tests/fixtures/schema/README.md)",
            fixture(*v).display()
        );
    }
    assert_eq!(*versions.last().unwrap(), latest_schema_version());
}

#[tokio::test]
async fn a_database_from_every_schema_opens_with_its_data_intact() {
    for version in migration_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("schema-{version}.db"));
        database_at(version, &path).await;
        let before = row_counts(&path).await;
        for (table, n) in &before {
            assert!(*n > 0, "fixture {version} has no rows in {table}");
        }

        let store = Store::open_existing(&path).await.unwrap();
        assert_eq!(
            store.schema_version().await.unwrap(),
            latest_schema_version()
        );
        let plan = store.find_plan(Some("Fixture")).await.unwrap();
        let action = store.action(&plan, "1.1").await.unwrap();
        assert_eq!(action.status, Status::Red, "schema {version}");
        assert_eq!(action.leads, ["Ann Lead", "Bob Second"], "schema {version}");
        let history: Vec<_> = store
            .history(&plan, "1.1")
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.from, c.to))
            .collect();
        assert_eq!(
            history,
            [
                (None, Status::NotStarted),
                (Some(Status::NotStarted), Status::Amber),
                (Some(Status::Amber), Status::Red)
            ],
            "schema {version}"
        );
        // Plans from before schema 4 keep England and Wales's holidays.
        let division = if version >= 4 {
            planbot::schedule::Division::Scotland
        } else {
            planbot::schedule::Division::EnglandAndWales
        };
        assert_eq!(store.holiday_division(&plan).await.unwrap(), division);
        let ann = store.person_by_discord_id(1001).await.unwrap();
        assert_eq!(ann.map(|p| p.name).as_deref(), Some("Ann Lead"));
        // The counts kept since schema 8 are made for older data too.
        let today = chrono::NaiveDate::from_ymd_opt(2019, 6, 1).unwrap();
        let all = store
            .actions(&plan, &Default::default(), today)
            .await
            .unwrap();
        let counted: usize = store
            .glance(&plan, today)
            .await
            .unwrap()
            .counted
            .iter()
            .map(|c| c.actions)
            .sum();
        assert_eq!(counted, all.len(), "schema {version}");
        // So are the rows of each outcome's actions kept since schema 10.
        if version >= 5 {
            let at = chrono::Utc.with_ymd_and_hms(2019, 6, 1, 12, 0, 0).unwrap();
            let summary = planbot::app::summary::summary(&store, &plan, at)
                .await
                .unwrap();
            let outcomes: Vec<_> = summary
                .outcomes
                .iter()
                .map(|o| (o.code.as_str(), o.actions, o.actions_overdue))
                .collect();
            assert_eq!(outcomes, [("OC1", 1, 1)], "schema {version}");
        }
        store.close().await;

        let after = row_counts(&path).await;
        for (table, n) in &before {
            assert_eq!(
                after.get(table),
                Some(n),
                "schema {version}: rows of {table}"
            );
        }
        let checked = check_file(&path, planbot::store::DEFAULT_WAIT)
            .await
            .unwrap();
        assert_eq!(checked.problems, Vec::<String>::new(), "schema {version}");
        // The tables kept for quick reads are made right for older data.
        assert_eq!(checked.stale, Vec::<String>::new(), "schema {version}");
    }
}

#[tokio::test]
async fn a_database_from_a_newer_planbot_is_refused_without_a_byte_changed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    database_at(latest_schema_version(), &path).await;
    let mut conn = connect(&path).await;
    conn.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (999, 'from the future', true, x'00', 0)",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let known = latest_schema_version();
    let said = format!(
        "the database at {} was written by a newer planbot (schema 999; this binary knows up to {known}): upgrade planbot, or restore a backup",
        path.display()
    );
    match Store::open(&path).await {
        Err(e @ StoreError::NewerSchema { .. }) => assert_eq!(e.to_string(), said),
        other => panic!("opened a newer database: {other:?}"),
    }
    for args in [
        &["plans"][..],
        &["status", "1.1", "green", "--by", "X"],
        &["verify"],
    ] {
        let out = planbot(&path, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out).trim(), format!("error: {said}"), "{args:?}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "not a byte changed");
}

/// What open.rs says of sqlx: each migration is a transaction of its own,
/// so one that fails halfway leaves nothing of itself behind.
#[tokio::test]
async fn a_migration_that_fails_halfway_leaves_nothing_of_itself() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    std::fs::copy(
        root().join("migrations/0001_plans.sql"),
        migrations.join("0001_plans.sql"),
    )
    .unwrap();
    std::fs::write(
        migrations.join("0002_broken.sql"),
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n",
    )
    .unwrap();
    let path = dir.path().join("db.sqlite");
    let mut conn = connect(&path).await;
    let migrator = Migrator::new(migrations).await.unwrap();
    assert!(migrator.run(&mut conn).await.is_err());
    let half: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(half, 0, "the failed migration's first statement was undone");
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(applied, [1], "the migration before it stays");
    conn.close().await.unwrap();
}

#[test]
fn the_version_says_which_schema_it_writes() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .arg("--version")
        .output()
        .unwrap();
    let latest = migration_versions().last().copied().unwrap();
    assert_eq!(
        stdout(&out).trim(),
        format!(
            "planbot {} (database schema {latest})",
            env!("CARGO_PKG_VERSION")
        )
    );
}
