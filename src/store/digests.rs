use super::actions::parse_status;
use super::{Result, Store, StoreError, from_ms, to_ms};
use crate::plan::{Plan, Recommendation, Status, StatusChange};
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::collections::HashMap;

/// One history entry as SQLite's JSON array gives it (see `ActionRow` for
/// why JSON, and for what is borrowed).
#[derive(serde::Deserialize)]
struct PlanChangeRow<'a>(
    #[serde(borrow)] Cow<'a, str>,
    i64,
    String,
    #[serde(borrow)] Option<Cow<'a, str>>,
    #[serde(borrow)] Cow<'a, str>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// Every action's history up to a moment, in one read, oldest first, by ref.
    pub async fn plan_history(
        &self,
        plan: &Plan,
        until: DateTime<Utc>,
    ) -> Result<HashMap<String, Vec<StatusChange>>> {
        let until = to_ms(until);
        // Action by action (in the order of the index on refs), each one's
        // history in the order of the index on it: SQLite sorts nothing.
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(ref, at_ms, actor, from_status, to_status, note, evidence)) AS "rows!: String"
                 FROM (SELECT a.ref, s.at_ms, s.actor, s.from_status, s.to_status, s.note, s.evidence
                         FROM actions a JOIN status_changes s ON s.action_id = a.id
                        WHERE a.plan_id = ? AND s.at_ms <= ? ORDER BY a.ref, s.at_ms, s.id)"#,
            plan.id,
            until
        )
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<PlanChangeRow> = serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("history rows: {e}")))?;
        let mut out: HashMap<String, Vec<StatusChange>> = HashMap::new();
        let mut rows = rows.into_iter().peekable();
        while let Some(first) = rows.peek() {
            let reference = first.0.clone();
            let mut changes = Vec::new();
            while let Some(row) = rows.next_if(|r| r.0 == reference) {
                let PlanChangeRow(_, at_ms, actor, from, to, note, evidence) = row;
                changes.push(StatusChange {
                    at: from_ms(at_ms),
                    by: actor,
                    from: from.as_deref().map(parse_status).transpose()?,
                    to: parse_status(&to)?,
                    note,
                    evidence,
                });
            }
            out.entry(reference.into_owned())
                .or_default()
                .extend(changes);
        }
        Ok(out)
    }

    pub async fn recommendations(&self, plan: &Plan) -> Result<Vec<Recommendation>> {
        let rows = sqlx::query!(
            "SELECT code, text, body FROM recommendations WHERE plan_id = ? ORDER BY code",
            plan.id
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Recommendation {
                code: r.code,
                text: r.text,
                body: Some(r.body),
            })
            .collect())
    }

    /// Keeps the statuses a digest showed, so a re-run can say what changed.
    pub async fn save_digest(
        &self,
        plan: &Plan,
        quarter: &str,
        as_of: DateTime<Utc>,
        made_at: DateTime<Utc>,
        statuses: &HashMap<String, Status>,
    ) -> Result<()> {
        let json = serde_json::to_string(statuses).expect("statuses serialise");
        let (as_of, made_at) = (to_ms(as_of), to_ms(made_at));
        sqlx::query!(
            "INSERT INTO digests (plan_id, quarter, as_of_ms, made_at_ms, statuses) VALUES (?, ?, ?, ?, ?)",
            plan.id,
            quarter,
            as_of,
            made_at,
            json
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The statuses of the last digest made for a quarter, and when it was made.
    pub async fn last_digest(
        &self,
        plan: &Plan,
        quarter: &str,
    ) -> Result<Option<(DateTime<Utc>, HashMap<String, Status>)>> {
        let row = sqlx::query!(
            "SELECT made_at_ms, statuses FROM digests WHERE plan_id = ? AND quarter = ?
              ORDER BY made_at_ms DESC, id DESC LIMIT 1",
            plan.id,
            quarter
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let statuses = serde_json::from_str(&r.statuses)
                .map_err(|e| StoreError::Corrupt(format!("digest statuses: {e}")))?;
            Ok((from_ms(r.made_at_ms), statuses))
        })
        .transpose()
    }
}
