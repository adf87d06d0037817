//! What the jobs read, and the one transaction that records a run with the
//! messages it decided and the bookkeeping that stops it deciding them again.

use super::actions::{ActionRow, parse_status};
use super::{Result, Store, StoreError, each_row, from_ms, parse_day, to_ms};
use crate::plan::{Action, Plan, Status};
use crate::schedule::{Decision, JobName, Recipient};
use chrono::{DateTime, NaiveDate, Utc};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// An open action and one of its leads, with when that lead was last chased
/// about it and any snooze.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadAction {
    pub action_id: i64,
    pub person_id: i64,
    pub lead: String,
    pub reference: String,
    pub text: String,
    pub due: Option<NaiveDate>,
    pub status: Status,
    pub last_update: Option<DateTime<Utc>>,
    pub last_chased: Option<DateTime<Utc>>,
    pub snoozed_until: Option<DateTime<Utc>>,
}

/// An overdue action not yet escalated for its due date.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationCandidate {
    pub action_id: i64,
    pub action: Action,
}

/// How a run came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Scheduled,
    /// `planbot jobs run`: may repeat a fire time; the outbox keys still
    /// keep every message single.
    Manual,
    /// Owed but past the catch-up window.
    Skipped,
}

impl RunKind {
    fn as_str(self) -> &'static str {
        match self {
            RunKind::Scheduled => "ran",
            RunKind::Manual => "manual",
            RunKind::Skipped => "skipped",
        }
    }
}

/// A run about to be recorded.
#[derive(Debug, Clone, Copy)]
pub struct RunRecord<'a> {
    pub job: JobName,
    /// The scheduled time it ran for (or the `--as-of` time).
    pub fire: DateTime<Utc>,
    pub ran_at: DateTime<Utc>,
    pub kind: RunKind,
    pub detail: Option<&'a str>,
}

/// One recorded run of a job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobRun {
    pub job: String,
    pub plan: String,
    pub fire: DateTime<Utc>,
    pub ran_at: DateTime<Utc>,
    pub outcome: String,
    pub queued: i64,
    pub detail: Option<String>,
}

/// One lead-action row as SQLite's JSON array gives it (see `ActionRow`).
#[derive(serde::Deserialize)]
struct LeadActionRow<'a>(
    i64,
    i64,
    String,
    String,
    String,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Cow<'a, str>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Store {
    /// Open actions due in `[from, before)` with each of their leads, the
    /// longest overdue first.
    pub async fn lead_actions(
        &self,
        plan: &Plan,
        from: Option<NaiveDate>,
        before: NaiveDate,
    ) -> Result<Vec<LeadAction>> {
        let from = from.map_or_else(|| "0000".to_string(), day);
        let before = day(before);
        // One JSON string for all rows: see ActionRow for why.
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(id, person_id, name, ref, text, due, status,
                                                  last_update_ms, chased_ms, until_ms))
                      AS "rows!: String"
                 FROM (SELECT a.id, al.person_id, pe.name, a.ref, a.text, a.due, a.status,
                              a.last_update_ms, c.at_ms AS chased_ms, s.until_ms
                         FROM actions a
                         JOIN action_leads al ON al.action_id = a.id
                         JOIN people pe ON pe.id = al.person_id
                         LEFT JOIN chases c ON c.action_id = a.id AND c.person_id = al.person_id
                         -- Few actions are ever snoozed: one pass over them, not a lookup per row.
                         LEFT JOIN (SELECT action_id, max(until_ms) AS until_ms FROM snoozes GROUP BY action_id) s
                                ON s.action_id = a.id
                        WHERE a.plan_id = ?1 AND a.removed_at_ms IS NULL AND a.status <> 'complete'
                          AND a.due >= ?2 AND a.due < ?3
                        -- The index on open actions by due date gives this order.
                        ORDER BY a.due, a.id)"#,
            plan.id,
            from,
            before
        )
        .fetch_one(&self.pool)
        .await?;
        let mut out = Vec::new();
        each_row(&json, "lead actions", |r: LeadActionRow| {
            out.push(LeadAction {
                action_id: r.0,
                person_id: r.1,
                lead: r.2,
                reference: r.3,
                text: r.4,
                due: r.5.as_deref().map(parse_day).transpose()?,
                status: parse_status(&r.6)?,
                last_update: r.7.map(from_ms),
                last_chased: r.8.map(from_ms),
                snoozed_until: r.9.map(from_ms),
            });
            Ok(())
        })?;
        Ok(out)
    }

    /// Open actions due before `before` that have not been escalated for
    /// their current due date.
    pub async fn escalation_candidates(
        &self,
        plan: &Plan,
        before: NaiveDate,
    ) -> Result<Vec<EscalationCandidate>> {
        let before = day(before);
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(id, ref, priority, priority_title, grp, text, due, status,
                                                  evidence, last_update_ms, leads, recommendations)) AS "rows!: String"
                 FROM (SELECT * FROM action_rows v
                        WHERE plan_id = ? AND removed_at_ms IS NULL AND status <> 'complete' AND due < ?
                          AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.action_id = v.id AND e.due = v.due)
                        ORDER BY priority, position)"#,
            plan.id,
            before
        )
        .fetch_one(&self.pool)
        .await?;
        let mut out = Vec::new();
        each_row(&json, "action rows", |row: ActionRow| {
            let (action_id, action) = row.into_action()?;
            out.push(EscalationCandidate { action_id, action });
            Ok(())
        })?;
        Ok(out)
    }

    /// Everyone's person id by lower-cased name: owners are named in the
    /// register, and reminded by id.
    pub async fn person_ids(&self) -> Result<std::collections::HashMap<String, i64>> {
        let rows = sqlx::query!(r#"SELECT id AS "id!", name FROM people"#)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.name.to_lowercase(), r.id))
            .collect())
    }

    /// Linked people's Discord ids by lower-cased name.
    pub async fn discord_ids(&self) -> Result<std::collections::HashMap<String, u64>> {
        let rows = sqlx::query!(
            r#"SELECT name, discord_id AS "discord_id!" FROM people WHERE discord_id IS NOT NULL"#
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((r.name.to_lowercase(), r.discord_id.parse().ok()?)))
            .collect())
    }

    /// Records a run and queues what it decided, all or nothing. A message
    /// whose key is already queued is left alone. Returns how many messages
    /// are new, or `None` when a scheduled run for this fire time was
    /// already recorded (another process got there first).
    pub async fn record_run(
        &self,
        plan: &Plan,
        run: &RunRecord<'_>,
        decision: &Decision,
        fallback_channel: Option<u64>,
    ) -> Result<Option<usize>> {
        let RunRecord {
            job,
            fire,
            ran_at,
            kind,
            detail,
        } = *run;
        let mut tx = self.begin_write().await?;
        let (job_name, fire_ms, ran_ms, outcome) =
            (job.as_str(), to_ms(fire), to_ms(ran_at), kind.as_str());
        let inserted = sqlx::query!(
            "INSERT INTO job_runs (job, plan_id, fire_ms, ran_at_ms, outcome, detail)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (job, plan_id, fire_ms) WHERE outcome <> 'manual' DO NOTHING",
            job_name,
            plan.id,
            fire_ms,
            ran_ms,
            outcome,
            detail
        )
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok(None);
        }
        let run_id = inserted.last_insert_rowid();
        let fallback = fallback_channel.map(|c| c.to_string());
        // One statement for all the messages (and the bookkeeping below):
        // a chase over a large plan queues tens of thousands. Each body goes
        // in as a JSON string, not an object: SQLite would otherwise parse
        // every notice and write it out again as text.
        let rows = decision
            .outgoing
            .iter()
            .map(|out| {
                let (person, channel) = match out.to {
                    Recipient::Lead(p) => (Some(p), fallback.clone()),
                    Recipient::Channel(c) => (None, Some(c.to_string())),
                };
                let body = serde_json::to_string(&out.notice)?;
                Ok((&out.key, person, channel, body, to_ms(out.not_before)))
            })
            .collect::<serde_json::Result<Vec<_>>>()
            .and_then(|rows| serde_json::to_string(&rows))
            .map_err(|e| StoreError::Corrupt(format!("notice: {e}")))?;
        let queued = sqlx::query!(
            "INSERT INTO outbox (key, plan_id, job, person_id, channel_id, body, created_at_ms, not_before_ms, next_try_ms)
             SELECT j.value ->> 0, ?2, ?3, j.value ->> 1, j.value ->> 2, j.value ->> 3, ?4, j.value ->> 4, j.value ->> 4
               FROM json_each(?1) j WHERE true
             ON CONFLICT (key) DO NOTHING",
            rows,
            plan.id,
            job_name,
            ran_ms
        )
        .execute(&mut *tx)
        .await?
        .rows_affected() as usize;
        // Bulk bookkeeping through json_each: one statement, not one per row.
        // The chased leads go by action, {"action id": [person ids]}, in
        // action order: SQLite reads numbers off each action's list rather
        // than taking a pair apart per row, and writes the chases in the
        // order of their key.
        let mut chased: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (action, person) in &decision.chased {
            chased.entry(*action).or_default().push(*person);
        }
        let chased = serde_json::to_string(&chased).unwrap_or_default();
        sqlx::query!(
            "INSERT INTO chases (action_id, person_id, at_ms)
             SELECT CAST(a.key AS INTEGER), p.value, ?2 FROM json_each(?1) a, json_each(a.value) p WHERE true
             ON CONFLICT (action_id, person_id) DO UPDATE SET at_ms = excluded.at_ms",
            chased,
            fire_ms
        )
        .execute(&mut *tx)
        .await?;
        let escalated: Vec<(i64, String)> = decision
            .escalated
            .iter()
            .map(|(id, due)| (*id, day(*due)))
            .collect();
        let escalated = serde_json::to_string(&escalated).unwrap_or_default();
        sqlx::query!(
            "INSERT INTO escalations (action_id, due, at_ms)
             SELECT j.value ->> 0, j.value ->> 1, ?2 FROM json_each(?1) j WHERE true
             ON CONFLICT DO NOTHING",
            escalated,
            fire_ms
        )
        .execute(&mut *tx)
        .await?;
        let queued_i = queued as i64;
        sqlx::query!(
            "UPDATE job_runs SET queued = ? WHERE id = ?",
            queued_i,
            run_id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(queued))
    }

    /// The fire time of the last scheduled (or skipped) run of a job.
    pub async fn last_fire(&self, plan: &Plan, job: JobName) -> Result<Option<DateTime<Utc>>> {
        let name = job.as_str();
        let ms = sqlx::query_scalar!(
            r#"SELECT max(fire_ms) AS "ms: i64" FROM job_runs
                WHERE plan_id = ? AND job = ? AND outcome <> 'manual'"#,
            plan.id,
            name
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(ms.map(from_ms))
    }

    /// Recent runs, newest first.
    pub async fn recent_runs(&self, limit: i64) -> Result<Vec<JobRun>> {
        let rows = sqlx::query!(
            r#"SELECT r.job, p.name AS plan, r.fire_ms, r.ran_at_ms, r.outcome, r.queued, r.detail
                 FROM job_runs r JOIN plans p ON p.id = r.plan_id
                ORDER BY r.ran_at_ms DESC, r.id DESC LIMIT ?"#,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| JobRun {
                job: r.job,
                plan: r.plan,
                fire: from_ms(r.fire_ms),
                ran_at: from_ms(r.ran_at_ms),
                outcome: r.outcome,
                queued: r.queued,
                detail: r.detail,
            })
            .collect())
    }

    /// Keeps an action out of the chaser until `until`, for trusted callers.
    pub async fn snooze(
        &self,
        plan: &Plan,
        reference: &str,
        by: &str,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<()> {
        let by = by.to_string();
        self.snooze_if(plan, reference, |_| Ok::<_, StoreError>(by), at, until)
            .await
    }

    /// Keeps an action out of the chaser until `until`, once `check` agrees
    /// with the action as it stands inside the write transaction.
    pub async fn snooze_if<E: From<StoreError>>(
        &self,
        plan: &Plan,
        reference: &str,
        check: impl FnOnce(&Action) -> Result<String, E>,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), E> {
        let mut tx = self.begin_write().await?;
        let (id, action) = super::actions::load_action(&mut *tx, plan, reference).await?;
        let by = check(&action)?;
        let (at, until) = (to_ms(at), to_ms(until));
        sqlx::query!(
            "INSERT INTO snoozes (action_id, by_name, at_ms, until_ms) VALUES (?, ?, ?, ?)",
            id,
            by,
            at,
            until
        )
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Takes or renews the scheduler lease for `holder`. Returns the current
    /// holder and expiry when someone else holds it.
    pub async fn hold_lease(
        &self,
        holder: &str,
        now: DateTime<Utc>,
        ttl: chrono::Duration,
    ) -> Result<Result<(), (String, DateTime<Utc>)>> {
        let (now_ms, until) = (to_ms(now), to_ms(now + ttl));
        let mut tx = self.begin_write().await?;
        sqlx::query!(
            "INSERT INTO scheduler_lease (id, holder, expires_ms) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms
              WHERE scheduler_lease.holder = excluded.holder OR scheduler_lease.expires_ms <= ?3",
            holder,
            until,
            now_ms
        )
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query!("SELECT holder, expires_ms FROM scheduler_lease WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        if row.holder == holder {
            Ok(Ok(()))
        } else {
            Ok(Err((row.holder, from_ms(row.expires_ms))))
        }
    }

    /// Gives the lease up at a clean stop, so a successor need not wait.
    pub async fn release_lease(&self, holder: &str) -> Result<()> {
        sqlx::query!(
            "UPDATE scheduler_lease SET expires_ms = 0 WHERE id = 1 AND holder = ?",
            holder
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Who holds the lease, and until when.
    pub async fn lease(&self) -> Result<Option<(String, DateTime<Utc>)>> {
        let row = sqlx::query!("SELECT holder, expires_ms FROM scheduler_lease WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (r.holder, from_ms(r.expires_ms))))
    }
}
