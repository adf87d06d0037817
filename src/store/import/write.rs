//! The plan-wide rows an import writes once: people, priorities and their
//! strategic leads, recommendation codes.

use super::json;
use crate::plan::PlanContent;
use crate::store::{Result, StoreError};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The people the file names, added where they are new.
pub(super) struct People<'a> {
    /// Those who are new, in order.
    pub(super) added: Vec<String>,
    /// Every name as the file spells it, and the person it names.
    pub(super) ids: HashMap<&'a str, i64>,
}

/// Adds the people the file names.
pub(super) async fn write_people<'a>(
    tx: &mut sqlx::SqliteConnection,
    content: &'a PlanContent,
) -> Result<People<'a>> {
    let cols = content.columns;
    let leads = content
        .actions
        .iter()
        .filter(|_| cols.leads)
        .flat_map(|a| a.leads.iter());
    let strategic = content
        .priorities
        .iter()
        .filter(|_| cols.strategic_leads)
        .flat_map(|p| p.strategic_leads.iter());
    let names = sorted(leads.chain(strategic).map(String::as_str));
    if names.is_empty() {
        return Ok(People {
            added: Vec::new(),
            ids: HashMap::new(),
        });
    }
    let list = json(&names);
    let mut added = sqlx::query_scalar!(
        "INSERT INTO people (name) SELECT value FROM json_each(?) WHERE true
         ON CONFLICT (name) DO NOTHING RETURNING name",
        list
    )
    .fetch_all(&mut *tx)
    .await?;
    added.sort();
    let found = sqlx::query_scalar!(
        r#"SELECT json_group_array(json_array(name, id)) AS "rows!: String"
             FROM people WHERE name IN (SELECT value FROM json_each(?))"#,
        list
    )
    .fetch_one(&mut *tx)
    .await?;
    let found: Vec<(String, i64)> =
        serde_json::from_str(&found).map_err(|e| StoreError::Corrupt(format!("people: {e}")))?;
    // Names are unique without regard to ASCII case (`COLLATE NOCASE`), so
    // the file's "lead name" is the recorded "Lead Name".
    let by_name: HashMap<String, i64> = found
        .into_iter()
        .map(|(name, id)| (name.to_ascii_lowercase(), id))
        .collect();
    let ids = names
        .into_iter()
        .filter_map(|name| Some((name, *by_name.get(&name.to_ascii_lowercase())?)))
        .collect();
    Ok(People { added, ids })
}

/// The distinct names, in order. A big plan names the same few thousand
/// people and codes hundreds of thousands of times: only the distinct ones
/// are worth sorting.
fn sorted<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut distinct: Vec<&str> = names.collect::<HashSet<_>>().into_iter().collect();
    distinct.sort_unstable();
    distinct
}

#[derive(Serialize)]
struct PriorityRow<'a> {
    number: u32,
    title: &'a str,
}

#[derive(Serialize)]
struct PriorityLeadRow<'a> {
    number: u32,
    name: &'a str,
    position: usize,
}

/// Writes the priorities' titles, and their strategic leads when the file
/// has that column. Returns the priorities whose leads an empty cell clears.
pub(super) async fn write_priorities(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    content: &PlanContent,
) -> Result<Vec<String>> {
    let rows: Vec<PriorityRow> = content
        .priorities
        .iter()
        .map(|p| PriorityRow {
            number: p.number,
            title: &p.title,
        })
        .collect();
    let rows = json(&rows);
    sqlx::query!(
        "INSERT INTO priorities (plan_id, number, title)
         SELECT ?1, j.value ->> '$.number', j.value ->> '$.title' FROM json_each(?2) j WHERE true
         ON CONFLICT (plan_id, number) DO UPDATE SET title = excluded.title",
        plan_id,
        rows
    )
    .execute(&mut *tx)
    .await?;
    if !content.columns.strategic_leads {
        return Ok(Vec::new());
    }
    let with_leads = sqlx::query_scalar!(
        r#"SELECT p.number AS "number!: i64" FROM priorities p
            WHERE p.plan_id = ? AND EXISTS (SELECT 1 FROM priority_leads pl WHERE pl.priority_id = p.id)"#,
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let cleared = content
        .priorities
        .iter()
        .filter(|p| p.strategic_leads.is_empty() && with_leads.contains(&i64::from(p.number)))
        .map(|p| format!("priority {}", p.number))
        .collect();
    let leads: Vec<PriorityLeadRow> = content
        .priorities
        .iter()
        .flat_map(|p| {
            p.strategic_leads
                .iter()
                .enumerate()
                .map(|(position, name)| PriorityLeadRow {
                    number: p.number,
                    name,
                    position,
                })
        })
        .collect();
    let leads = json(&leads);
    let numbers = json(
        &content
            .priorities
            .iter()
            .map(|p| p.number)
            .collect::<Vec<_>>(),
    );
    sqlx::query!(
        "DELETE FROM priority_leads WHERE priority_id IN
            (SELECT id FROM priorities WHERE plan_id = ? AND number IN (SELECT value FROM json_each(?)))",
        plan_id,
        numbers
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO priority_leads (priority_id, person_id, position)
         SELECT p.id, pe.id, j.value ->> '$.position'
           FROM json_each(?2) j
           CROSS JOIN priorities p ON p.plan_id = ?1 AND p.number = j.value ->> '$.number'
           JOIN people pe ON pe.name = j.value ->> '$.name'
          WHERE true ON CONFLICT DO NOTHING",
        plan_id,
        leads
    )
    .execute(&mut *tx)
    .await?;
    Ok(cleared)
}

#[derive(Serialize)]
struct CodeRow<'a> {
    code: &'a str,
    text: Option<&'a str>,
    body: Option<&'a str>,
}

/// Adds the recommendations a list gives and the codes actions cite.
pub(super) async fn write_codes(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    content: &PlanContent,
) -> Result<()> {
    let known: BTreeSet<&str> = content
        .recommendations
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    let cited = sorted(
        content
            .actions
            .iter()
            .flat_map(|a| a.recommendations.iter())
            .map(String::as_str)
            .filter(|c| !known.contains(c)),
    );
    let rows: Vec<CodeRow> = content
        .recommendations
        .iter()
        .map(|r| CodeRow {
            code: &r.code,
            text: r.text.as_deref(),
            body: r.body.as_deref(),
        })
        .chain(cited.into_iter().map(|code| CodeRow {
            code,
            text: None,
            body: None,
        }))
        .collect();
    let rows = json(&rows);
    sqlx::query!(
        "INSERT INTO recommendations (plan_id, code, text, body)
         SELECT ?1, j.value ->> '$.code', j.value ->> '$.text',
                coalesce(j.value ->> '$.body', 'Ofsted') FROM json_each(?2) j WHERE true
         ON CONFLICT (plan_id, code) DO UPDATE SET text = coalesce(excluded.text, text)",
        plan_id,
        rows
    )
    .execute(&mut *tx)
    .await?;
    // A body the sheet gives replaces the recorded one; no Body column keeps it.
    sqlx::query!(
        "UPDATE recommendations SET body = j.value ->> '$.body' FROM json_each(?2) j
          WHERE recommendations.plan_id = ?1 AND recommendations.code = j.value ->> '$.code'
            AND j.value ->> '$.body' IS NOT NULL",
        plan_id,
        rows
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The plan's recommendations by code.
pub(super) async fn recommendation_ids(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
) -> Result<HashMap<String, i64>> {
    let rows = sqlx::query!(
        "SELECT code, id FROM recommendations WHERE plan_id = ?",
        plan_id
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.code, r.id)).collect())
}

pub(super) async fn count_recommendations(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
) -> Result<usize> {
    let count = sqlx::query_scalar!(
        "SELECT count(*) FROM recommendations WHERE plan_id = ?",
        plan_id
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(count as usize)
}
