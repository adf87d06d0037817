//! The outbox as the sender and the admins see it: what is due, what was
//! delivered where, what failed.

use super::{Result, Store, StoreError, from_ms, to_ms};
use crate::schedule::{Notice, Outgoing, Recipient};
use chrono::{DateTime, Utc};

/// A queued message, with what the sender needs to deliver it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub key: String,
    pub plan_id: i64,
    pub job: String,
    /// The lead to message directly, if it is a direct message.
    pub lead: Option<Lead>,
    /// The channel to post in; for a direct message, where it goes instead
    /// when the lead cannot be reached.
    pub channel_id: Option<u64>,
    pub notice: Notice,
    pub attempts: i64,
    pub next_try: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub person_id: i64,
    pub name: String,
    pub discord_id: Option<u64>,
    pub dm_channel_id: Option<u64>,
}

/// One line of `planbot outbox`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub key: String,
    pub job: String,
    pub to: String,
    pub state: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub not_before: DateTime<Utc>,
    pub next_try: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_as: Option<String>,
    pub last_error: Option<String>,
}

/// The head of the queue: deliver it now, or wait until then.
#[derive(Debug, Clone, PartialEq)]
pub enum Head {
    Ready(Box<OutboxItem>),
    WaitUntil(DateTime<Utc>),
    Empty,
}

fn parse_id(text: Option<String>) -> Option<u64> {
    text.and_then(|t| t.parse().ok())
}

impl Store {
    /// The oldest pending message whose working time has come. Messages
    /// go in the order they were queued: one waiting to be retried holds
    /// back those behind it.
    pub async fn outbox_head(&self, now: DateTime<Utc>) -> Result<Head> {
        let now_ms = to_ms(now);
        let row = sqlx::query!(
            r#"SELECT o.id, o.key, o.plan_id, o.job, o.person_id, o.channel_id, o.body, o.attempts, o.next_try_ms,
                      pe.name AS "name?", pe.discord_id AS "discord_id?", pe.dm_channel_id AS "dm_channel_id?"
                 FROM outbox o LEFT JOIN people pe ON pe.id = o.person_id
                WHERE o.state = 'pending' AND o.not_before_ms <= ?
                ORDER BY o.id LIMIT 1"#,
            now_ms
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(Head::Empty);
        };
        if r.next_try_ms > now_ms {
            return Ok(Head::WaitUntil(from_ms(r.next_try_ms)));
        }
        let notice: Notice = serde_json::from_str(&r.body)
            .map_err(|e| StoreError::Corrupt(format!("outbox message {}: {e}", r.id)))?;
        Ok(Head::Ready(Box::new(OutboxItem {
            id: r.id,
            key: r.key,
            plan_id: r.plan_id,
            job: r.job,
            lead: r.person_id.map(|person_id| Lead {
                person_id,
                name: r.name.unwrap_or_default(),
                discord_id: parse_id(r.discord_id),
                dm_channel_id: parse_id(r.dm_channel_id),
            }),
            channel_id: parse_id(r.channel_id),
            notice,
            attempts: r.attempts,
            next_try: from_ms(r.next_try_ms),
        })))
    }

    /// The earliest working time after `now` of a pending message: when
    /// the sender next has something to look at, besides retries.
    pub async fn outbox_next_not_before(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let now_ms = to_ms(now);
        let ms = sqlx::query_scalar!(
            r#"SELECT min(not_before_ms) AS "ms: i64" FROM outbox
                WHERE state = 'pending' AND not_before_ms > ?"#,
            now_ms
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(ms.map(from_ms))
    }

    pub async fn mark_sent(
        &self,
        id: i64,
        at: DateTime<Utc>,
        message_id: u64,
        delivered_as: &str,
    ) -> Result<()> {
        let (at, message) = (to_ms(at), message_id.to_string());
        sqlx::query!(
            "UPDATE outbox SET state = 'sent', sent_at_ms = ?, message_id = ?, delivered_as = ?,
                               attempts = attempts + 1, last_error = NULL
              WHERE id = ? AND state = 'pending'",
            at,
            message,
            delivered_as,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Holds back until `until` every message of the plan whose working time
    /// had come by `now`: what an outage kept from going out in working
    /// hours waits for the next ones. Their order is kept.
    pub async fn hold_outbox(
        &self,
        plan_id: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<u64> {
        let (now, until) = (to_ms(now), to_ms(until));
        let held = sqlx::query!(
            // A message is never to be tried before its working time
            // (`planbot verify` checks that).
            "UPDATE outbox SET not_before_ms = ?1, next_try_ms = max(next_try_ms, ?1)
              WHERE state = 'pending' AND plan_id = ?2 AND not_before_ms <= ?3",
            until,
            plan_id,
            now
        )
        .execute(&self.pool)
        .await?;
        Ok(held.rows_affected())
    }

    /// Tries again at `next_try`; a rate limit does not count as a failed attempt.
    pub async fn retry_later(
        &self,
        id: i64,
        next_try: DateTime<Utc>,
        error: &str,
        count_attempt: bool,
    ) -> Result<()> {
        let (next, add) = (to_ms(next_try), i64::from(count_attempt));
        sqlx::query!(
            "UPDATE outbox SET next_try_ms = ?, last_error = ?, attempts = attempts + ?
              WHERE id = ? AND state = 'pending'",
            next,
            error,
            add,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up on a message Discord refuses for good; the admins see it in the outbox.
    pub async fn mark_failed(&self, id: i64, error: &str) -> Result<()> {
        sqlx::query!(
            "UPDATE outbox SET state = 'failed', last_error = ?, attempts = attempts + 1
              WHERE id = ? AND state = 'pending'",
            error,
            id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Remembers a lead's DM channel once Discord has opened it.
    pub async fn set_dm_channel(&self, person_id: i64, channel_id: u64) -> Result<()> {
        let channel = channel_id.to_string();
        sqlx::query!(
            "UPDATE people SET dm_channel_id = ? WHERE id = ?",
            channel,
            person_id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn forget_dm_channel(&self, person_id: i64) -> Result<()> {
        sqlx::query!(
            "UPDATE people SET dm_channel_id = NULL WHERE id = ?",
            person_id
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks reminders queued for before `cutoff` as expired, records the
    /// skipped runs, and queues the admins' notice built from what expired,
    /// in one transaction. Returns how many reminders expired.
    pub async fn catch_up(
        &self,
        plan: &crate::plan::Plan,
        cutoff: DateTime<Utc>,
        ran_at: DateTime<Utc>,
        skipped: &[(crate::schedule::JobName, DateTime<Utc>)],
        notice: impl FnOnce(Vec<String>) -> Option<Outgoing>,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let cutoff_ms = to_ms(cutoff);
        let expired = sqlx::query_scalar!(
            "UPDATE outbox SET state = 'expired', last_error = 'not sent: queued before the catch-up window'
              WHERE plan_id = ? AND state = 'pending' AND not_before_ms < ?
                AND job IN ('chase', 'quarter-end', 'escalate')
              RETURNING key",
            plan.id,
            cutoff_ms
        )
        .fetch_all(&mut *tx)
        .await?;
        let ran_ms = to_ms(ran_at);
        for (job, fire) in skipped {
            let (name, fire) = (job.as_str(), to_ms(*fire));
            sqlx::query!(
                "INSERT INTO job_runs (job, plan_id, fire_ms, ran_at_ms, outcome, detail)
                 VALUES (?, ?, ?, ?, 'skipped', 'past the catch-up window')
                 ON CONFLICT (job, plan_id, fire_ms) WHERE outcome <> 'manual' DO NOTHING",
                name,
                plan.id,
                fire,
                ran_ms
            )
            .execute(&mut *tx)
            .await?;
        }
        let count = expired.len();
        if let Some(out) = notice(expired) {
            let body = serde_json::to_string(&out.notice)
                .map_err(|e| StoreError::Corrupt(format!("notice: {e}")))?;
            let channel = match out.to {
                Recipient::Channel(c) => Some(c.to_string()),
                Recipient::Lead(_) => None,
            };
            let not_before = to_ms(out.not_before);
            sqlx::query!(
                "INSERT INTO outbox (key, plan_id, job, channel_id, body, created_at_ms, not_before_ms, next_try_ms)
                 VALUES (?, ?, 'notice', ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                out.key,
                plan.id,
                channel,
                body,
                ran_ms,
                not_before,
                not_before
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(count)
    }

    /// Messages in the given states, oldest first (all states when empty).
    pub async fn outbox_entries(&self, states: &[&str], limit: i64) -> Result<Vec<OutboxEntry>> {
        let states = serde_json::to_string(states).unwrap_or_default();
        let rows = sqlx::query!(
            r#"SELECT o.id, o.key, o.job, o.state, o.attempts, o.created_at_ms, o.not_before_ms, o.next_try_ms,
                      o.sent_at_ms, o.delivered_as, o.last_error, o.channel_id, pe.name AS "name?"
                 FROM outbox o LEFT JOIN people pe ON pe.id = o.person_id
                WHERE ?1 = '[]' OR o.state IN (SELECT value FROM json_each(?1))
                ORDER BY o.id DESC LIMIT ?2"#,
            states,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        let mut entries: Vec<OutboxEntry> = rows
            .into_iter()
            .map(|r| OutboxEntry {
                id: r.id,
                key: r.key,
                job: r.job,
                to: match (r.name, r.channel_id) {
                    (Some(name), _) => name,
                    (None, Some(c)) => format!("channel {c}"),
                    (None, None) => "nobody".into(),
                },
                state: r.state,
                attempts: r.attempts,
                created_at: from_ms(r.created_at_ms),
                not_before: from_ms(r.not_before_ms),
                next_try: from_ms(r.next_try_ms),
                sent_at: r.sent_at_ms.map(from_ms),
                delivered_as: r.delivered_as,
                last_error: r.last_error,
            })
            .collect();
        entries.reverse();
        Ok(entries)
    }

    /// Leads whose reminders since `since` went to the channel instead of a
    /// direct message, with why: the admins' list of who could not be reached.
    pub async fn unreachable(&self, since: DateTime<Utc>) -> Result<Vec<(String, String)>> {
        let since = to_ms(since);
        let rows = sqlx::query!(
            r#"SELECT pe.name AS "name!", o.delivered_as AS "why!" FROM outbox o JOIN people pe ON pe.id = o.person_id
                WHERE o.state = 'sent' AND o.delivered_as <> 'dm' AND o.sent_at_ms >= ?
                GROUP BY pe.id ORDER BY pe.name"#,
            since
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.name, r.why)).collect())
    }
}

/// What monitoring needs to know about the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxHealth {
    /// Pending messages whose time came before `due_before`, and the oldest.
    pub overdue: i64,
    pub oldest_due: Option<DateTime<Utc>>,
    /// Messages given up on, queued since `failed_since`, and the last error.
    pub failed: i64,
    pub last_error: Option<String>,
}

impl Store {
    pub async fn outbox_health(
        &self,
        due_before: DateTime<Utc>,
        failed_since: DateTime<Utc>,
    ) -> Result<OutboxHealth> {
        let (due_ms, since_ms) = (to_ms(due_before), to_ms(failed_since));
        let due = sqlx::query!(
            r#"SELECT COUNT(*) AS "n!: i64", MIN(not_before_ms) AS "oldest: i64"
                 FROM outbox WHERE state = 'pending' AND not_before_ms < ?"#,
            due_ms
        )
        .fetch_one(&self.pool)
        .await?;
        let failed = sqlx::query!(
            r#"SELECT COUNT(*) AS "n!: i64",
                      (SELECT last_error FROM outbox WHERE state = 'failed' AND created_at_ms >= ?1
                        ORDER BY id DESC LIMIT 1) AS "last_error?: String"
                 FROM outbox WHERE state = 'failed' AND created_at_ms >= ?1"#,
            since_ms
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(OutboxHealth {
            overdue: due.n,
            oldest_due: due.oldest.map(from_ms),
            failed: failed.n,
            last_error: failed.last_error,
        })
    }
}
