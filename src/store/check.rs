//! Checking a database file: SQLite's own checks, then planbot's invariants
//! (each action's history is one unbroken chain that ends at its status;
//! the outbox holds only states the sender knows, with times that agree).
//! It reads through a read-only connection: `planbot verify` and the checks
//! of a backup change nothing, and a running bot can go on writing.

use super::open::{Found, classify, inspect};
use super::{Result, StoreError};
use sqlx::sqlite::SqliteConnection;
use sqlx::{Connection, Row};
use std::path::Path;
use std::time::Duration;

/// How much a database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub plans: i64,
    /// Current actions, and those a prune removed (kept with their history).
    pub actions: i64,
    pub removed: i64,
    pub history: i64,
}

/// What checking a file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub schema: i64,
    pub bytes: u64,
    pub counts: Counts,
    /// One line each; none when the file is sound.
    pub problems: Vec<String>,
    /// Tables kept for quick reads that disagree with what they are kept
    /// from, one line each. They are rebuilt from the rest
    /// (`Store::rebuild_kept`), so they do not make the file unsound: a
    /// backup or restore goes ahead.
    pub stale: Vec<String>,
}

/// Checks the planbot database at `path` without changing it. Refuses what
/// `Store::open` refuses (another program's file, a newer schema).
pub async fn check_file(path: &Path, wait: Duration) -> Result<Checked> {
    if !matches!(inspect(path, wait).await?, Found::Planbot) {
        return Err(StoreError::NoDatabase {
            path: path.to_path_buf(),
        });
    }
    let fail = |e: sqlx::Error| classify(path, wait, e);
    let mut conn = super::open::look_at(path, wait).await?;
    let checked = check(&mut conn).await.map_err(fail);
    let _ = conn.close().await;
    let mut checked = checked?;
    checked.bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(checked)
}

async fn check(conn: &mut SqliteConnection) -> sqlx::Result<Checked> {
    let mut problems = integrity(conn).await?;
    let mut stale = Vec::new();
    // Past a damaged page the other checks read nonsense, or fail outright.
    if problems.is_empty() {
        problems.extend(foreign_keys(conn).await?);
        problems.extend(migrations(conn).await?);
        problems.extend(history(conn).await?);
        if has_table(conn, "outbox").await? {
            problems.extend(outbox(conn).await?);
        }
        stale = kept(conn).await?;
    }
    let row = sqlx::query(
        "SELECT (SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success),
                (SELECT count(*) FROM plans),
                (SELECT count(*) FROM actions WHERE removed_at_ms IS NULL),
                (SELECT count(*) FROM status_changes),
                (SELECT count(*) FROM actions WHERE removed_at_ms IS NOT NULL)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Checked {
        schema: row.get(0),
        bytes: 0,
        counts: Counts {
            plans: row.get(1),
            actions: row.get(2),
            removed: row.get(4),
            history: row.get(3),
        },
        problems,
        stale,
    })
}

async fn integrity(conn: &mut SqliteConnection) -> sqlx::Result<Vec<String>> {
    let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r != "ok")
        .map(|r| format!("integrity: {r}"))
        .collect())
}

async fn foreign_keys(conn: &mut SqliteConnection) -> sqlx::Result<Vec<String>> {
    let rows = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let (table, rowid, parent): (String, Option<i64>, String) =
                (r.get(0), r.get(1), r.get(2));
            let rowid = rowid.map_or_else(|| "a row".into(), |id| format!("row {id}"));
            format!("foreign key: {table} {rowid} refers to a {parent} row that is not there")
        })
        .collect())
}

/// A migration recorded as started but not finished.
async fn migrations(conn: &mut SqliteConnection) -> sqlx::Result<Vec<String>> {
    let dirty: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE NOT success")
            .fetch_all(&mut *conn)
            .await?;
    Ok(dirty
        .into_iter()
        .map(|v| format!("schema: migration {v} did not finish"))
        .collect())
}

/// Each entry starts where the one before ended, no earlier in time; the
/// first starts from nothing (the import that made the action); the last
/// ends at the action's status.
async fn history(conn: &mut SqliteConnection) -> sqlx::Result<Vec<String>> {
    let rows = sqlx::query(
        "WITH h AS (
            SELECT s.action_id, s.id, s.from_status, s.to_status, s.at_ms,
                   lag(s.to_status) OVER w AS prev_to, lag(s.at_ms) OVER w AS prev_at,
                   lead(s.id) OVER w AS next_id
              FROM status_changes s WINDOW w AS (PARTITION BY s.action_id ORDER BY s.id)),
         problems AS (
            SELECT p.name AS plan, a.ref, h.id,
                   CASE WHEN h.prev_to IS NULL AND h.from_status IS NOT NULL
                          THEN 'starts from ' || h.from_status || ' with no entry before it'
                        WHEN h.prev_to IS NOT NULL AND h.from_status IS NOT h.prev_to
                          THEN 'goes from ' || coalesce(h.from_status, 'nothing')
                               || ' but the entry before it ended at ' || h.prev_to
                        WHEN h.at_ms < h.prev_at THEN 'is dated before the entry before it'
                        WHEN h.next_id IS NULL AND h.to_status <> a.status
                          THEN 'ends at ' || h.to_status || ' but the action is ' || a.status
                   END AS problem
              FROM h JOIN actions a ON a.id = h.action_id JOIN plans p ON p.id = a.plan_id)
         SELECT plan, ref, id, problem FROM problems WHERE problem IS NOT NULL ORDER BY plan, ref, id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let (plan, reference, id, problem): (String, String, i64, String) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            format!("history: plan \"{plan}\", action {reference}, entry {id} {problem}")
        })
        .collect())
}

/// The states of `store::outbox`, and what each implies about its times.
async fn outbox(conn: &mut SqliteConnection) -> sqlx::Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT id, key, problem FROM (
            SELECT id, key,
                   CASE WHEN state NOT IN ('pending', 'sent', 'failed', 'expired')
                          THEN 'is in a state planbot does not know: ' || quote(state)
                        WHEN state = 'sent' AND sent_at_ms IS NULL THEN 'is sent but has no time sent'
                        WHEN state <> 'sent' AND sent_at_ms IS NOT NULL
                          THEN 'is ' || state || ' but has a time sent'
                        WHEN sent_at_ms < created_at_ms THEN 'was sent before it was queued'
                        WHEN next_try_ms < not_before_ms THEN 'is to be tried before its working time'
                        WHEN attempts < 0 THEN 'has a negative count of attempts'
                   END AS problem
              FROM outbox)
          WHERE problem IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let (id, key, problem): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
            format!("outbox: message {id} ({key}) {problem}")
        })
        .collect())
}

/// The tables kept from others agree with them: the action counts
/// (migration 8, kept by triggers) with the actions, each outcome's counts
/// (migration 11, kept by triggers) with its actions, and each outcome's
/// action rows (migration 10, written with it) with its list.
async fn kept(conn: &mut SqliteConnection) -> sqlx::Result<Vec<String>> {
    let mut problems = Vec::new();
    if has_table(conn, "action_counts").await? {
        let plans: Vec<String> = sqlx::query_scalar(
            "WITH kept AS (SELECT plan_id, priority_id, status, due, n FROM action_counts WHERE n > 0),
                  made AS (SELECT plan_id, priority_id, status, coalesce(due, '') AS due, count(*) AS n
                             FROM actions WHERE removed_at_ms IS NULL GROUP BY 1, 2, 3, 4),
                  differ AS (SELECT * FROM (SELECT * FROM kept EXCEPT SELECT * FROM made)
                             UNION SELECT * FROM (SELECT * FROM made EXCEPT SELECT * FROM kept))
             SELECT DISTINCT p.name FROM differ d JOIN plans p ON p.id = d.plan_id ORDER BY p.name",
        )
        .fetch_all(&mut *conn)
        .await?;
        problems.extend(plans.into_iter().map(|plan| {
            format!("plan {plan}: the action counts kept for listings disagree with its actions")
        }));
    }
    if has_table(conn, "outcome_action_counts").await? {
        let outcomes: Vec<String> = sqlx::query_scalar(
            "WITH kept AS (SELECT outcome_id, status, due, n FROM outcome_action_counts WHERE n > 0),
                  made AS (SELECT oa.outcome_id, a.status, coalesce(a.due, '') AS due, count(*) AS n
                             FROM outcome_actions oa JOIN outcomes o ON o.id = oa.outcome_id
                             JOIN actions a ON a.plan_id = o.plan_id AND a.ref = oa.ref
                            WHERE a.removed_at_ms IS NULL GROUP BY 1, 2, 3),
                  differ AS (SELECT * FROM (SELECT * FROM kept EXCEPT SELECT * FROM made)
                             UNION SELECT * FROM (SELECT * FROM made EXCEPT SELECT * FROM kept))
             SELECT DISTINCT p.name || ' outcome ' || o.code
               FROM differ d JOIN outcomes o ON o.id = d.outcome_id JOIN plans p ON p.id = o.plan_id
              ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await?;
        problems.extend(outcomes.into_iter().map(|o| {
            format!("plan {o}: the counts of its actions kept for /plan summary disagree with them")
        }));
    }
    if has_table(conn, "outcome_actions").await? {
        let outcomes: Vec<String> = sqlx::query_scalar(
            "WITH RECURSIVE named (outcome_id, ref, rest) AS (
                 SELECT id, '', actions || char(31) FROM outcomes
                 UNION ALL
                 SELECT outcome_id, substr(rest, 1, instr(rest, char(31)) - 1), substr(rest, instr(rest, char(31)) + 1)
                   FROM named WHERE rest <> ''),
             listed AS (SELECT DISTINCT outcome_id, ref FROM named WHERE ref <> ''),
             differ AS (SELECT * FROM (SELECT * FROM listed EXCEPT SELECT outcome_id, ref FROM outcome_actions)
                        UNION SELECT * FROM (SELECT outcome_id, ref FROM outcome_actions EXCEPT SELECT * FROM listed))
             SELECT DISTINCT p.name || ' outcome ' || o.code
               FROM differ d JOIN outcomes o ON o.id = d.outcome_id JOIN plans p ON p.id = o.plan_id
              ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await?;
        problems.extend(
            outcomes
                .into_iter()
                .map(|o| format!("plan {o}: the actions kept for it disagree with its list")),
        );
    }
    Ok(problems)
}

impl super::Store {
    /// Rebuilds the tables kept for quick reads from what they are kept
    /// from, in one transaction: what `planbot verify --repair` does when
    /// the check finds them stale.
    pub async fn rebuild_kept(&self) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query!("DELETE FROM action_counts")
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT INTO action_counts (plan_id, priority_id, status, due, n)
             SELECT plan_id, priority_id, status, coalesce(due, ''), count(*)
               FROM actions WHERE removed_at_ms IS NULL GROUP BY 1, 2, 3, 4"
        )
        .execute(&mut *tx)
        .await?;
        // The outcomes' counts go first: emptying outcome_actions counts them
        // down, which a count already too low could not take (n >= 0).
        sqlx::query!("DELETE FROM outcome_action_counts")
            .execute(&mut *tx)
            .await?;
        sqlx::query!("DELETE FROM outcome_actions")
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT OR IGNORE INTO outcome_actions (outcome_id, ref)
             WITH RECURSIVE named (outcome_id, ref, rest) AS (
                 SELECT id, '', actions || char(31) FROM outcomes
                 UNION ALL
                 SELECT outcome_id, substr(rest, 1, instr(rest, char(31)) - 1), substr(rest, instr(rest, char(31)) + 1)
                   FROM named WHERE rest <> '')
             SELECT outcome_id, ref FROM named WHERE ref <> ''"
        )
        .execute(&mut *tx)
        .await?;
        // Made again from the rows just written, over what their triggers counted.
        sqlx::query!("DELETE FROM outcome_action_counts")
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "INSERT INTO outcome_action_counts (outcome_id, status, due, n)
             SELECT oa.outcome_id, a.status, coalesce(a.due, ''), count(*)
               FROM outcome_actions oa JOIN outcomes o ON o.id = oa.outcome_id
               JOIN actions a ON a.plan_id = o.plan_id AND a.ref = oa.ref
              WHERE a.removed_at_ms IS NULL GROUP BY 1, 2, 3"
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub(super) async fn has_table(conn: &mut SqliteConnection, name: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?")
        .bind(name)
        .fetch_one(&mut *conn)
        .await
}
