//! What a chat reply shows, read a page at a time: a listing's page, a page
//! of the overdue list, the actions offered as a reference is typed. Each
//! reads what it shows, walking the plan in order along an index and
//! stopping once it has enough, and takes its totals from the counts the
//! database keeps (`action_counts`, migration 8): a plan of ten thousand
//! actions answers about as fast as a small one.

use super::actions::{ActionFilter, OverdueRow, into_actions, parse_status};
use super::{Result, Store, each_row};
use crate::plan::{Action, OverdueAction, Plan, Status};
use chrono::NaiveDate;

/// One page of a listing, and how many the listing holds in all.
#[derive(Debug, Clone)]
pub struct Page {
    pub total: usize,
    pub actions: Vec<Action>,
}

/// One page of the overdue list, and how many are overdue in all.
#[derive(Debug, Clone)]
pub struct OverduePage {
    pub total: usize,
    pub actions: Vec<OverdueAction>,
}

/// Who is typing a reference: their own open actions are offered first.
#[derive(Debug, Clone, Copy)]
pub enum Typist<'a> {
    /// A lead, by name (any case).
    Lead(&'a str),
    /// A Discord user, whose linked lead (if any) is found in the same query.
    DiscordUser(u64),
    Anyone,
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
    /// The actions `filter` keeps, `limit` of them from `offset` in plan
    /// order, and how many it keeps in all.
    pub async fn actions_page(
        &self,
        plan: &Plan,
        filter: &ActionFilter,
        today: NaiveDate,
        offset: usize,
        limit: usize,
    ) -> Result<Page> {
        let priority = filter.priority.map(i64::from);
        let status = filter.status.map(Status::as_str);
        let day = today.format("%Y-%m-%d").to_string();
        let (offset, limit) = (offset as i64, limit as i64);
        // people.name compares without regard to (ASCII) case, as the
        // filter's lead does.
        // Each is one read: the total and the page's rows together.
        let (total, json) = match filter.lead.as_deref().map(str::trim) {
            // The total from the kept counts; the page walks the plan in order.
            None => {
                let row = sqlx::query!(
                    r#"SELECT (SELECT coalesce(sum(c.n), 0) FROM action_counts c
                                WHERE c.plan_id = ?1
                                  AND (?2 IS NULL OR c.priority_id = (SELECT id FROM priorities WHERE plan_id = ?1 AND number = ?2))
                                  AND (?3 IS NULL OR c.status = ?3)
                                  AND (NOT ?4 OR (c.status <> 'complete' AND c.due <> '' AND c.due < ?5))) AS "total!: i64",
                              (SELECT json_group_array(json_array(id, ref, priority, priority_title, grp, text, due, status,
                                                                  evidence, last_update_ms, leads, recommendations))
                                 FROM (SELECT a.id, a.ref, p.number AS priority, p.title AS priority_title, a.grp, a.text, a.due,
                                              a.status, a.evidence, a.last_update_ms, a.leads, a.recommendations
                                         FROM priorities p CROSS JOIN actions a ON a.priority_id = p.id
                                        WHERE p.plan_id = ?1 AND a.removed_at_ms IS NULL
                                          AND (?2 IS NULL OR p.number = ?2)
                                          AND (?3 IS NULL OR a.status = ?3)
                                          AND (NOT ?4 OR (a.status <> 'complete' AND a.due < ?5))
                                        ORDER BY p.number, a.position
                                        LIMIT ?6 OFFSET ?7)) AS "rows!: String""#,
                    plan.id,
                    priority,
                    status,
                    filter.overdue,
                    day,
                    limit,
                    offset
                )
                .fetch_one(&self.pool)
                .await?;
                (row.total, row.rows)
            }
            // Counted and sorted among what the lead leads, however large the
            // plan: CROSS JOIN keeps SQLite starting from the person (left
            // to itself, it walked the whole plan).
            Some(lead) => {
                let row = sqlx::query!(
                    r#"SELECT (SELECT count(*)
                                 FROM people pe CROSS JOIN action_leads l ON l.person_id = pe.id
                                 CROSS JOIN actions a ON a.id = l.action_id
                                WHERE pe.name = ?1 AND a.plan_id = ?2 AND a.removed_at_ms IS NULL
                                  AND (?3 IS NULL OR a.priority_id = (SELECT id FROM priorities WHERE plan_id = ?2 AND number = ?3))
                                  AND (?4 IS NULL OR a.status = ?4)
                                  AND (NOT ?5 OR (a.status <> 'complete' AND a.due < ?6))) AS "total!: i64",
                              (SELECT json_group_array(json_array(id, ref, priority, priority_title, grp, text, due, status,
                                                                  evidence, last_update_ms, leads, recommendations))
                                 FROM (SELECT a.id, a.ref, p.number AS priority, p.title AS priority_title, a.grp, a.text, a.due,
                                              a.status, a.evidence, a.last_update_ms, a.leads, a.recommendations
                                         FROM people pe CROSS JOIN action_leads l ON l.person_id = pe.id
                                         CROSS JOIN actions a ON a.id = l.action_id JOIN priorities p ON p.id = a.priority_id
                                        WHERE pe.name = ?1 AND a.plan_id = ?2 AND a.removed_at_ms IS NULL
                                          AND (?3 IS NULL OR p.number = ?3)
                                          AND (?4 IS NULL OR a.status = ?4)
                                          AND (NOT ?5 OR (a.status <> 'complete' AND a.due < ?6))
                                        ORDER BY p.number, a.position
                                        LIMIT ?7 OFFSET ?8)) AS "rows!: String""#,
                    lead,
                    plan.id,
                    priority,
                    status,
                    filter.overdue,
                    day,
                    limit,
                    offset
                )
                .fetch_one(&self.pool)
                .await?;
                (row.total, row.rows)
            }
        };
        Ok(Page {
            total: total as usize,
            actions: into_actions(&json, |_| true)?,
        })
    }

    /// `limit` lines of the overdue list from `offset`: open actions past
    /// their due date on `today`, the most overdue first and in plan order
    /// within a day; in one priority if asked. The kept counts say which
    /// days the page spans; each of those is read in plan order, the first
    /// in the same read as the counts.
    pub async fn overdue_page(
        &self,
        plan: &Plan,
        priority: Option<u32>,
        today: NaiveDate,
        offset: usize,
        limit: usize,
    ) -> Result<OverduePage> {
        let day = today.format("%Y-%m-%d").to_string();
        let priority = priority.map(i64::from);
        let (from, want) = (
            i64::try_from(offset).unwrap_or(i64::MAX),
            i64::try_from(limit).unwrap_or(i64::MAX),
        );
        let first = sqlx::query!(
            r#"WITH days AS (
                   SELECT c.due, sum(c.n) AS n FROM action_counts c
                    WHERE c.plan_id = ?1 AND c.status <> 'complete' AND c.due <> '' AND c.due < ?2
                      AND (?3 IS NULL OR c.priority_id = (SELECT id FROM priorities WHERE plan_id = ?1 AND number = ?3))
                    GROUP BY c.due HAVING sum(c.n) > 0),
               -- The day the page starts on, and how many of it come before.
               start AS (
                   SELECT due, ?4 - before AS skip
                     FROM (SELECT due, n, sum(n) OVER (ORDER BY due) - n AS before FROM days)
                    WHERE before <= ?4 AND ?4 < before + n)
               SELECT (SELECT json_group_array(json_array(due, n)) FROM (SELECT due, n FROM days ORDER BY due)) AS "days!: String",
                      (SELECT json_group_array(json_array(ref, priority, text, leads, due, status))
                         FROM (SELECT a.ref, p.number AS priority, a.text, a.leads, a.due, a.status
                                 FROM priorities p CROSS JOIN actions a ON a.priority_id = p.id
                                WHERE p.plan_id = ?1 AND (?3 IS NULL OR p.number = ?3)
                                  AND a.due = (SELECT due FROM start) AND a.removed_at_ms IS NULL AND a.status <> 'complete'
                                ORDER BY p.number, a.position
                                LIMIT ?5 OFFSET coalesce((SELECT skip FROM start), 0))) AS "rows!: String""#,
            plan.id,
            day,
            priority,
            from,
            want
        )
        .fetch_one(&self.pool)
        .await?;
        let mut days: Vec<(String, usize)> = Vec::new();
        each_row(&first.days, "overdue days", |d: (String, usize)| {
            days.push(d);
            Ok(())
        })?;
        let total = days.iter().map(|(_, n)| n).sum();
        let mut actions = Vec::with_capacity(limit.min(total));
        let read = |json: &str, actions: &mut Vec<OverdueAction>| {
            each_row(json, "overdue rows", |r: OverdueRow| {
                actions.extend(r.into_overdue(today)?);
                Ok(())
            })
        };
        read(&first.rows, &mut actions)?;
        // A page that runs past its first day goes on into the next ones.
        let mut before = 0;
        for (due, n) in days {
            let first_day = before <= offset && offset < before + n;
            before += n;
            if before <= offset || first_day {
                continue;
            }
            if actions.len() >= limit {
                break;
            }
            let want = i64::try_from(limit - actions.len()).unwrap_or(i64::MAX);
            let json = sqlx::query_scalar!(
                r#"SELECT json_group_array(json_array(ref, priority, text, leads, due, status)) AS "rows!: String"
                     FROM (SELECT a.ref, p.number AS priority, a.text, a.leads, a.due, a.status
                             FROM priorities p CROSS JOIN actions a ON a.priority_id = p.id
                            WHERE p.plan_id = ?1 AND (?2 IS NULL OR p.number = ?2)
                              AND a.due = ?3 AND a.removed_at_ms IS NULL AND a.status <> 'complete'
                            ORDER BY p.number, a.position
                            LIMIT ?4)"#,
                plan.id,
                priority,
                due,
                want
            )
            .fetch_one(&self.pool)
            .await?;
            read(&json, &mut actions)?;
        }
        Ok(OverduePage { total, actions })
    }

    /// Up to `limit` actions whose reference starts with `partial` or whose
    /// text holds every one of `words` (both lower case); with neither, all.
    /// SQLite lowers only ASCII letters, so "É" in a text is not found by
    /// typing "é" (plans are in English; references are digits and dots).
    /// Open actions the typist leads come first, then other open ones, then
    /// the rest, each in plan order. One read: each group walks the plan in
    /// order and stops at `limit`, and a group is not read at all once the
    /// ones before it fill the answer (SQLite runs a UNION ALL's parts in
    /// turn and stops at the outer LIMIT; the bot's tests check the order).
    pub async fn candidates(
        &self,
        plan: &Plan,
        typist: Typist<'_>,
        partial: &str,
        words: &[String],
        limit: usize,
    ) -> Result<Vec<Candidate>> {
        let words = serde_json::to_string(words).unwrap_or_else(|_| "[]".into());
        let (name, discord_id) = match typist {
            Typist::Lead(name) => (Some(name.trim()), None),
            Typist::DiscordUser(id) => (None, Some(id.to_string())),
            Typist::Anyone => (None, None),
        };
        let limit = limit as i64;
        // Discord refuses the whole answer if one value is over 100
        // characters: such references are not offered.
        let json = sqlx::query_scalar!(
            r#"SELECT json_group_array(json_array(ref, text, status, mine)) AS "rows!: String" FROM (
                 SELECT * FROM (
                   SELECT a.ref, a.text, a.status, 1 AS mine
                     FROM people pe CROSS JOIN action_leads l ON l.person_id = pe.id
                     CROSS JOIN actions a ON a.id = l.action_id JOIN priorities p ON p.id = a.priority_id
                    WHERE (pe.name = ?3 OR pe.discord_id = ?6) AND a.plan_id = ?1 AND a.removed_at_ms IS NULL
                      AND a.status <> 'complete' AND length(a.ref) <= 100
                      AND (?2 = '' OR substr(lower(a.ref), 1, length(?2)) = ?2
                           OR NOT EXISTS (SELECT 1 FROM json_each(?4) w WHERE instr(lower(a.text), w.value) = 0))
                    ORDER BY p.number, a.position LIMIT ?5)
                 UNION ALL
                 SELECT * FROM (
                   SELECT a.ref, a.text, a.status, 0 AS mine
                     FROM priorities p CROSS JOIN actions a ON a.priority_id = p.id
                    WHERE p.plan_id = ?1 AND a.removed_at_ms IS NULL AND a.status <> 'complete' AND length(a.ref) <= 100
                      AND (?2 = '' OR substr(lower(a.ref), 1, length(?2)) = ?2
                           OR NOT EXISTS (SELECT 1 FROM json_each(?4) w WHERE instr(lower(a.text), w.value) = 0))
                      AND a.id NOT IN (SELECT l.action_id FROM people pe JOIN action_leads l ON l.person_id = pe.id
                                        WHERE pe.name = ?3 OR pe.discord_id = ?6)
                    ORDER BY p.number, a.position LIMIT ?5)
                 UNION ALL
                 SELECT * FROM (
                   SELECT a.ref, a.text, a.status,
                          a.id IN (SELECT l.action_id FROM people pe JOIN action_leads l ON l.person_id = pe.id
                                    WHERE pe.name = ?3 OR pe.discord_id = ?6) AS mine
                     FROM priorities p CROSS JOIN actions a ON a.priority_id = p.id
                    WHERE p.plan_id = ?1 AND a.removed_at_ms IS NULL AND a.status = 'complete' AND length(a.ref) <= 100
                      AND (?2 = '' OR substr(lower(a.ref), 1, length(?2)) = ?2
                           OR NOT EXISTS (SELECT 1 FROM json_each(?4) w WHERE instr(lower(a.text), w.value) = 0))
                    ORDER BY p.number, a.position LIMIT ?5)
                 LIMIT ?5)"#,
            plan.id,
            partial,
            name,
            words,
            limit,
            discord_id
        )
        .fetch_one(&self.pool)
        .await?;
        let mut found = Vec::new();
        each_row(&json, "candidates", |r: CandidateRow| {
            found.push(Candidate {
                status: parse_status(&r.status)?,
                reference: r.reference,
                text: r.text,
                mine: r.mine,
            });
            Ok(())
        })?;
        Ok(found)
    }
}

/// A candidate as SQLite's JSON array gives it.
#[derive(serde::Deserialize)]
struct CandidateRow<'a> {
    reference: String,
    text: String,
    #[serde(borrow)]
    status: std::borrow::Cow<'a, str>,
    #[serde(deserialize_with = "super::sqlite_bool")]
    mine: bool,
}
