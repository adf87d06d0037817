//! What a chat reply shows, read a page at a time: a listing's page, a plan's
//! RAG counts, the actions offered as a reference is typed. Each reads what
//! it shows (and counts the rest along an index), never the whole plan, so
//! that a plan of ten thousand actions answers about as fast as a small one.

use super::actions::{ActionFilter, into_actions, parse_status};
use super::{Result, Store};
use crate::plan::{Action, Plan, Status};
use chrono::NaiveDate;

/// One page of a listing, and how many the listing holds in all.
#[derive(Debug, Clone)]
pub struct Page {
    pub total: usize,
    pub actions: Vec<Action>,
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// As the plan lists them: by priority, then as the file gave them.
    Plan,
    /// Most overdue (earliest due) first, then in plan order.
    MostOverdue,
}

/// How many actions of one priority have one status, and whether overdue.
#[derive(Debug, Clone)]
pub struct Counted {
    pub priority: u32,
    pub title: String,
    pub status: Status,
    pub overdue: bool,
    pub actions: usize,
}

/// An action offered while a reference is typed.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub reference: String,
    pub text: String,
    pub status: Status,
    /// Led by the person typing.
    pub mine: bool,
}

impl Store {
    /// The actions `filter` keeps, `limit` of them from `offset` in `order`,
    /// and how many it keeps in all.
    pub async fn actions_page(
        &self,
        plan: &Plan,
        filter: &ActionFilter,
        today: NaiveDate,
        order: Order,
        offset: usize,
        limit: usize,
    ) -> Result<Page> {
        let priority = filter.priority.map(i64::from);
        let status = filter.status.map(Status::as_str);
        let lead = filter.lead.as_deref().map(str::trim);
        let day = today.format("%Y-%m-%d").to_string();
        let overdue_first = order == Order::MostOverdue;
        let (offset, limit) = (offset as i64, limit as i64);
        // The same conditions in both queries; people.name compares
        // without regard to (ASCII) case, as the filter's lead does.
        let total = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!: i64"
                 FROM actions a
                WHERE a.plan_id = ?1 AND a.removed_at_ms IS NULL
                  AND (?2 IS NULL OR a.priority_id = (SELECT id FROM priorities WHERE plan_id = ?1 AND number = ?2))
                  AND (?3 IS NULL OR a.status = ?3)
                  AND (?4 IS NULL OR EXISTS (SELECT 1 FROM action_leads l JOIN people pe ON pe.id = l.person_id
                                              WHERE l.action_id = a.id AND pe.name = ?4))
                  AND (NOT ?5 OR (a.status <> 'complete' AND a.due < ?6))"#,
            plan.id,
            priority,
            status,
            lead,
            filter.overdue,
            day
        )
        .fetch_one(&self.pool)
        .await?;
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(id, ref, priority, priority_title, grp, text, due, status,
                                                  evidence, last_update_ms, leads, recommendations)) AS "rows!: String"
                 FROM (SELECT * FROM action_rows v
                        WHERE v.plan_id = ?1 AND v.removed_at_ms IS NULL
                          AND (?2 IS NULL OR v.priority = ?2)
                          AND (?3 IS NULL OR v.status = ?3)
                          AND (?4 IS NULL OR EXISTS (SELECT 1 FROM action_leads l JOIN people pe ON pe.id = l.person_id
                                                      WHERE l.action_id = v.id AND pe.name = ?4))
                          AND (NOT ?5 OR (v.status <> 'complete' AND v.due < ?6))
                        ORDER BY CASE WHEN ?7 THEN v.due END, v.priority, v.position
                        LIMIT ?8 OFFSET ?9)"#,
            plan.id,
            priority,
            status,
            lead,
            filter.overdue,
            day,
            overdue_first,
            limit,
            offset
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Page {
            total: total as usize,
            actions: into_actions(&json, |_| true)?,
        })
    }

    /// The plan's current actions counted by priority, status and whether
    /// overdue on `today`, in priority order.
    pub async fn counted(&self, plan: &Plan, today: NaiveDate) -> Result<Vec<Counted>> {
        let day = today.format("%Y-%m-%d").to_string();
        let rows = sqlx::query!(
            r#"SELECT p.number AS "number!: i64", p.title AS "title!: String", c.status AS "status!: String",
                      c.overdue AS "overdue!: bool", c.n AS "n!: i64"
                 FROM (SELECT priority_id, status, (status <> 'complete' AND due < ?2) AS overdue, count(*) AS n
                         FROM actions WHERE plan_id = ?1 AND removed_at_ms IS NULL
                        GROUP BY 1, 2, 3) c
                 JOIN priorities p ON p.id = c.priority_id
                ORDER BY p.number"#,
            plan.id,
            day
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Counted {
                    priority: r.number as u32,
                    title: r.title,
                    status: parse_status(&r.status)?,
                    overdue: r.overdue,
                    actions: r.n as usize,
                })
            })
            .collect()
    }

    /// Up to `limit` actions whose reference starts with `partial` or whose
    /// text holds every one of `words` (both lower case); with neither, all.
    /// SQLite lowers only ASCII letters, so "É" in a text is not found by
    /// typing "é" (plans are in English; references are digits and dots).
    /// Open actions `person` leads come first, then other open ones, then
    /// the rest, each in plan order.
    pub async fn candidates(
        &self,
        plan: &Plan,
        person: Option<&str>,
        partial: &str,
        words: &[String],
        limit: usize,
    ) -> Result<Vec<Candidate>> {
        let words = serde_json::to_string(words).unwrap_or_else(|_| "[]".into());
        let limit = limit as i64;
        let rows = sqlx::query!(
            r#"SELECT ref AS "reference!: String", text AS "text!: String", status AS "status!: String",
                      mine AS "mine!: bool"
                 FROM (SELECT a.ref, a.text, a.status, p.number, a.position,
                              (?3 IS NOT NULL AND EXISTS (SELECT 1 FROM action_leads l JOIN people pe ON pe.id = l.person_id
                                                           WHERE l.action_id = a.id AND pe.name = ?3)) AS mine
                         FROM actions a JOIN priorities p ON p.id = a.priority_id
                        WHERE a.plan_id = ?1 AND a.removed_at_ms IS NULL
                          -- Discord refuses the whole answer if one value is over 100 characters.
                          AND length(a.ref) <= 100
                          AND (?2 = '' OR substr(lower(a.ref), 1, length(?2)) = ?2
                               OR NOT EXISTS (SELECT 1 FROM json_each(?4) w WHERE instr(lower(a.text), w.value) = 0)))
                ORDER BY (status <> 'complete' AND mine) DESC, status = 'complete', number, position
                LIMIT ?5"#,
            plan.id,
            partial,
            person,
            words,
            limit
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Candidate {
                    reference: r.reference,
                    text: r.text,
                    status: parse_status(&r.status)?,
                    mine: r.mine,
                })
            })
            .collect()
    }
}
