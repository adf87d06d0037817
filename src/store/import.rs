//! Writing a whole imported plan in one transaction. Rows go in batches: each
//! table gets one statement that reads a JSON array through `json_each`, since
//! a statement costs about 100 µs and a plan can have thousands of rows.
//! `CROSS JOIN` keeps the JSON rows as the outer loop: left to itself the
//! planner scans the plan's actions and re-reads the whole array for each one.

use super::actions::load_plan_actions;
use super::plans::PlanSettings;
use super::{Result, Store, join_list, to_ms};
use crate::plan::{Action, PlanContent, Recommendation};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Who the history says made the status changes the file brings.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// Mark actions missing from the file as removed (their history is kept).
    pub prune: bool,
    /// Check and report, then roll back.
    pub dry_run: bool,
    /// Used only when the plan is new.
    pub settings: PlanSettings,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    pub plan: String,
    pub plan_created: bool,
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: usize,
    pub status_changes: usize,
    /// In the database but not in the file.
    pub missing: Vec<String>,
    /// Of the missing, those marked removed (with `prune`).
    pub removed: Vec<String>,
    pub recommendations: usize,
}

impl Store {
    pub async fn import_plan(
        &self,
        plan_name: &str,
        content: &PlanContent,
        opts: &ImportOptions,
    ) -> Result<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        let existed = plan_exists(&mut tx, plan_name).await?;
        let plan_id = Store::ensure_plan(&mut tx, plan_name, &opts.settings, opts.at).await?;
        let before: HashMap<String, Action> = load_plan_actions(&mut *tx, plan_id)
            .await?
            .into_iter()
            .map(|a| (a.reference.clone(), a))
            .collect();

        let reconciled = reconcile(content, &before);
        let content = &reconciled;
        let mut outcome = ImportOutcome {
            plan: plan_name.to_string(),
            plan_created: !existed,
            ..Default::default()
        };
        let mut changes = Vec::new();
        for a in &content.actions {
            match before.get(&a.reference) {
                None => {
                    outcome.created.push(a.reference.clone());
                    changes
                        .push(json!({"ref": a.reference, "from": null, "to": a.status.as_str()}));
                }
                Some(old) => {
                    if old.status != a.status {
                        changes.push(json!({"ref": a.reference, "from": old.status.as_str(), "to": a.status.as_str()}));
                    }
                    if same_content(old, a) {
                        outcome.unchanged += 1;
                    } else {
                        outcome.updated.push(a.reference.clone());
                    }
                }
            }
        }
        outcome.status_changes = changes.len();
        let in_file: BTreeSet<&str> = content
            .actions
            .iter()
            .map(|a| a.reference.as_str())
            .collect();
        outcome.missing = before
            .keys()
            .filter(|r| !in_file.contains(r.as_str()))
            .cloned()
            .collect();
        outcome.missing.sort();

        write_people(&mut tx, content).await?;
        write_priorities(&mut tx, plan_id, content).await?;
        write_actions(&mut tx, plan_id, content, opts.at).await?;
        outcome.recommendations = write_recommendations(&mut tx, plan_id, content).await?;
        write_history(&mut tx, plan_id, &changes, opts).await?;
        if opts.prune && !outcome.missing.is_empty() {
            let refs = serde_json::to_string(&outcome.missing).expect("strings serialise");
            let at = to_ms(opts.at);
            sqlx::query!(
                "UPDATE actions SET removed_at_ms = ? WHERE plan_id = ? AND ref IN (SELECT value FROM json_each(?))",
                at,
                plan_id,
                refs
            )
            .execute(&mut *tx)
            .await?;
            outcome.removed = outcome.missing.clone();
        }
        finish(tx, opts.dry_run).await?;
        Ok(outcome)
    }
}

impl Store {
    /// Adds or updates a plan's list of recommendations (code and wording).
    pub async fn import_recommendations(
        &self,
        plan_name: &str,
        recommendations: &[Recommendation],
        opts: &ImportOptions,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let plan_id = Store::ensure_plan(&mut tx, plan_name, &opts.settings, opts.at).await?;
        let content = PlanContent {
            recommendations: recommendations.to_vec(),
            ..Default::default()
        };
        let count = write_recommendations(&mut tx, plan_id, &content).await?;
        finish(tx, opts.dry_run).await?;
        Ok(count)
    }
}

/// What the file leaves out keeps its recorded value: statuses when it has
/// no status column, and evidence, which only grows (an older export must not
/// erase evidence added since).
fn reconcile(content: &PlanContent, before: &HashMap<String, Action>) -> PlanContent {
    let mut out = content.clone();
    for a in &mut out.actions {
        let Some(old) = before.get(&a.reference) else {
            continue;
        };
        if !content.has_status {
            a.status = old.status;
        }
        let mut evidence = old.evidence.clone();
        if content.has_evidence {
            evidence.extend(
                a.evidence
                    .iter()
                    .filter(|e| !old.evidence.contains(e))
                    .cloned(),
            );
        }
        a.evidence = evidence;
    }
    out
}

/// The refs of the file's actions as a JSON array, for `json_each`.
fn refs_json(content: &PlanContent) -> String {
    let refs: Vec<&str> = content
        .actions
        .iter()
        .map(|a| a.reference.as_str())
        .collect();
    serde_json::to_string(&refs).expect("strings serialise")
}

/// Commits, or in a dry run rolls back what was only being tried.
async fn finish(tx: sqlx::Transaction<'static, sqlx::Sqlite>, dry_run: bool) -> Result<()> {
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}

fn same_content(old: &Action, new: &Action) -> bool {
    let mut a = old.clone();
    a.last_update = None;
    a == *new
}

async fn plan_exists(tx: &mut sqlx::SqliteConnection, name: &str) -> Result<bool> {
    Ok(
        sqlx::query_scalar!("SELECT id FROM plans WHERE name = ?", name)
            .fetch_optional(&mut *tx)
            .await?
            .is_some(),
    )
}

async fn write_people(tx: &mut sqlx::SqliteConnection, content: &PlanContent) -> Result<()> {
    let names: BTreeSet<&str> = content
        .actions
        .iter()
        .flat_map(|a| a.leads.iter())
        .chain(
            content
                .priorities
                .iter()
                .flat_map(|p| p.strategic_leads.iter()),
        )
        .map(String::as_str)
        .collect();
    let names = serde_json::to_string(&names).expect("strings serialise");
    sqlx::query!(
        "INSERT INTO people (name) SELECT value FROM json_each(?) WHERE true ON CONFLICT (name) DO NOTHING",
        names
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn write_priorities(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    content: &PlanContent,
) -> Result<()> {
    let rows: Vec<_> = content
        .priorities
        .iter()
        .map(|p| json!({"number": p.number, "title": p.title}))
        .collect();
    let rows = serde_json::Value::from(rows).to_string();
    sqlx::query!(
        "INSERT INTO priorities (plan_id, number, title)
         SELECT ?1, j.value ->> '$.number', j.value ->> '$.title' FROM json_each(?2) j WHERE true
         ON CONFLICT (plan_id, number) DO UPDATE SET title = excluded.title",
        plan_id,
        rows
    )
    .execute(&mut *tx)
    .await?;
    let leads: Vec<_> = content
        .priorities
        .iter()
        .flat_map(|p| {
            p.strategic_leads
                .iter()
                .enumerate()
                .map(move |(i, name)| json!({"number": p.number, "name": name, "position": i}))
        })
        .collect();
    let leads = serde_json::Value::from(leads).to_string();
    sqlx::query!(
        "DELETE FROM priority_leads WHERE priority_id IN (SELECT id FROM priorities WHERE plan_id = ?)",
        plan_id
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
    Ok(())
}

async fn write_actions(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    content: &PlanContent,
    at: DateTime<Utc>,
) -> Result<()> {
    let rows: Vec<_> = content
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "ref": a.reference, "priority": a.priority, "position": i, "group": a.group,
                "text": a.text, "due": a.due.map(|d| d.format("%Y-%m-%d").to_string()),
                "status": a.status.as_str(), "evidence": a.evidence.join("\n"),
                "leads": join_list(&a.leads), "recommendations": join_list(&a.recommendations),
            })
        })
        .collect();
    let rows = serde_json::Value::from(rows).to_string();
    let at = to_ms(at);
    sqlx::query!(
        "INSERT INTO actions (plan_id, priority_id, ref, position, grp, text, due, status, evidence,
                              leads, recommendations, created_at_ms)
         SELECT ?1, p.id, j.value ->> '$.ref', j.value ->> '$.position', j.value ->> '$.group',
                j.value ->> '$.text', j.value ->> '$.due', j.value ->> '$.status', j.value ->> '$.evidence',
                j.value ->> '$.leads', j.value ->> '$.recommendations', ?3
           FROM json_each(?2) j CROSS JOIN priorities p ON p.plan_id = ?1 AND p.number = j.value ->> '$.priority'
          WHERE true
         ON CONFLICT (plan_id, ref) DO UPDATE SET
            priority_id = excluded.priority_id, position = excluded.position, grp = excluded.grp,
            text = excluded.text, due = excluded.due, status = excluded.status,
            evidence = excluded.evidence, leads = excluded.leads,
            recommendations = excluded.recommendations, removed_at_ms = NULL",
        plan_id,
        rows,
        at
    )
    .execute(&mut *tx)
    .await?;

    let in_file = refs_json(content);
    sqlx::query!(
        "DELETE FROM action_leads WHERE action_id IN
            (SELECT id FROM actions WHERE plan_id = ? AND ref IN (SELECT value FROM json_each(?)))",
        plan_id,
        in_file
    )
    .execute(&mut *tx)
    .await?;
    let leads: Vec<_> = content
        .actions
        .iter()
        .flat_map(|a| {
            a.leads
                .iter()
                .enumerate()
                .map(move |(i, name)| json!({"ref": a.reference, "name": name, "position": i}))
        })
        .collect();
    let leads = serde_json::Value::from(leads).to_string();
    sqlx::query!(
        "INSERT INTO action_leads (action_id, person_id, position)
         SELECT a.id, pe.id, j.value ->> '$.position'
           FROM json_each(?2) j
           CROSS JOIN actions a ON a.plan_id = ?1 AND a.ref = j.value ->> '$.ref'
           JOIN people pe ON pe.name = j.value ->> '$.name'
          WHERE true ON CONFLICT DO NOTHING",
        plan_id,
        leads
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Returns how many recommendations the plan has after the import.
async fn write_recommendations(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    content: &PlanContent,
) -> Result<usize> {
    let mut recs: Vec<Recommendation> = content.recommendations.clone();
    let known: BTreeSet<String> = recs.iter().map(|r| r.code.clone()).collect();
    let cited: BTreeSet<&String> = content
        .actions
        .iter()
        .flat_map(|a| a.recommendations.iter())
        .collect();
    recs.extend(
        cited
            .into_iter()
            .filter(|c| !known.contains(*c))
            .map(|c| Recommendation {
                code: c.clone(),
                text: None,
            }),
    );
    let rows = serde_json::to_string(
        &recs
            .iter()
            .map(|r| json!({"code": r.code, "text": r.text}))
            .collect::<Vec<_>>(),
    )
    .expect("strings serialise");
    sqlx::query!(
        "INSERT INTO recommendations (plan_id, code, text)
         SELECT ?1, j.value ->> '$.code', j.value ->> '$.text' FROM json_each(?2) j WHERE true
         ON CONFLICT (plan_id, code) DO UPDATE SET text = coalesce(excluded.text, text)",
        plan_id,
        rows
    )
    .execute(&mut *tx)
    .await?;

    let in_file = refs_json(content);
    sqlx::query!(
        "DELETE FROM action_recommendations WHERE action_id IN
            (SELECT id FROM actions WHERE plan_id = ? AND ref IN (SELECT value FROM json_each(?)))",
        plan_id,
        in_file
    )
    .execute(&mut *tx)
    .await?;
    let links: Vec<_> = content
        .actions
        .iter()
        .flat_map(|a| {
            a.recommendations
                .iter()
                .map(move |c| json!({"ref": a.reference, "code": c}))
        })
        .collect();
    let links = serde_json::Value::from(links).to_string();
    sqlx::query!(
        "INSERT INTO action_recommendations (action_id, recommendation_id)
         SELECT a.id, r.id FROM json_each(?2) j
           CROSS JOIN actions a ON a.plan_id = ?1 AND a.ref = j.value ->> '$.ref'
           JOIN recommendations r ON r.plan_id = ?1 AND r.code = j.value ->> '$.code'
          WHERE true ON CONFLICT DO NOTHING",
        plan_id,
        links
    )
    .execute(&mut *tx)
    .await?;
    let count = sqlx::query_scalar!(
        "SELECT count(*) FROM recommendations WHERE plan_id = ?",
        plan_id
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(count as usize)
}

async fn write_history(
    tx: &mut sqlx::SqliteConnection,
    plan_id: i64,
    changes: &[serde_json::Value],
    opts: &ImportOptions,
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let rows = serde_json::Value::from(changes.to_vec()).to_string();
    let at = to_ms(opts.at);
    sqlx::query!(
        "INSERT INTO status_changes (action_id, at_ms, actor, from_status, to_status)
         SELECT a.id, ?3, ?4, j.value ->> '$.from', j.value ->> '$.to'
           FROM json_each(?2) j CROSS JOIN actions a ON a.plan_id = ?1 AND a.ref = j.value ->> '$.ref'",
        plan_id,
        rows,
        at,
        opts.actor
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE actions SET last_update_ms = ?3
          WHERE plan_id = ?1 AND ref IN (SELECT j.value ->> '$.ref' FROM json_each(?2) j)",
        plan_id,
        rows,
        at
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
