use super::{Result, Store, StoreError, to_ms};
use crate::plan::Zone;
use crate::plan::{Plan, YearStart};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Settings a plan is created with.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    pub time_zone: Zone,
    pub year_start: YearStart,
    pub stale_days: u32,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            time_zone: crate::plan::Zone::london(),
            year_start: YearStart::APRIL,
            stale_days: crate::plan::DEFAULT_STALE_DAYS,
        }
    }
}

struct PlanRow {
    id: i64,
    name: String,
    time_zone: String,
    year_start_month: i64,
    stale_days: i64,
}

impl PlanRow {
    fn into_plan(self) -> Result<Plan> {
        let time_zone = Zone::named(&self.time_zone)
            .map_err(|_| StoreError::Corrupt(format!("time zone \"{}\"", self.time_zone)))?;
        let year_start = YearStart::new(self.year_start_month as u32)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Plan {
            id: self.id,
            name: self.name,
            time_zone,
            year_start,
            stale_days: self.stale_days as u32,
        })
    }
}

impl Store {
    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let rows = sqlx::query_as!(
            PlanRow,
            "SELECT id, name, time_zone, year_start_month, stale_days FROM plans ORDER BY name"
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(PlanRow::into_plan).collect()
    }

    /// The plan with this id: buttons and queued messages name plans by id.
    pub async fn plan_by_id(&self, id: i64) -> Result<Option<Plan>> {
        let known = self.known().values().find(|p| p.id == id).cloned();
        if known.is_some() {
            return Ok(known);
        }
        let plans = self.plans().await?;
        self.keep(&plans);
        Ok(plans.into_iter().find(|p| p.id == id))
    }

    /// The plan called `name` (in any case), or the only plan when no name
    /// is given. A plan once read is kept and not read again: a plan's row
    /// never changes once made (the database refuses to, see migration 9),
    /// so every chat command, which names its plan, goes to the database
    /// only for what it shows.
    pub async fn find_plan(&self, name: Option<&str>) -> Result<Plan> {
        let key = name.map(|n| n.trim().to_ascii_lowercase());
        if let Some(plan) = key.as_ref().and_then(|k| self.known().get(k).cloned()) {
            return Ok(plan);
        }
        let plans = self.plans().await?;
        self.keep(&plans);
        match key {
            Some(key) => plans
                .into_iter()
                .find(|p| p.name.to_ascii_lowercase() == key)
                .ok_or_else(|| StoreError::NoSuchPlan(name.unwrap_or_default().to_string())),
            None => match plans.len() {
                0 => Err(StoreError::NoPlans),
                1 => Ok(plans.into_iter().next().expect("one plan")),
                _ => Err(StoreError::AmbiguousPlan(
                    plans.into_iter().map(|p| p.name).collect(),
                )),
            },
        }
    }

    fn keep(&self, plans: &[Plan]) {
        self.known().extend(
            plans
                .iter()
                .map(|p| (p.name.to_ascii_lowercase(), p.clone())),
        );
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<String, Plan>> {
        // Only whole inserts happen under the lock: a panic elsewhere
        // cannot leave it half-written.
        self.known_plans
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The plan's id, and whether this call created it.
    pub(super) async fn ensure_plan(
        tx: &mut sqlx::SqliteConnection,
        name: &str,
        settings: &PlanSettings,
        now: DateTime<Utc>,
    ) -> Result<(i64, bool)> {
        let tz = settings.time_zone.name();
        let month = settings.year_start.month();
        let now_ms = to_ms(now);
        let created = sqlx::query!(
            "INSERT INTO plans (name, time_zone, year_start_month, stale_days, created_at_ms)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
            name,
            tz,
            month,
            settings.stale_days,
            now_ms
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        let id = sqlx::query_scalar!("SELECT id FROM plans WHERE name = ?", name)
            .fetch_one(&mut *tx)
            .await?;
        Ok((id, created))
    }
}

struct PriorityRow {
    number: i64,
    title: String,
    leads: Option<String>,
}

impl Store {
    /// A plan's priorities with their strategic leads, in number order.
    pub async fn priorities(&self, plan: &Plan) -> Result<Vec<crate::plan::Priority>> {
        let rows = sqlx::query_as!(
            PriorityRow,
            r#"SELECT p.number, p.title,
                      (SELECT group_concat(pe.name, char(31) ORDER BY pl.position)
                         FROM priority_leads pl JOIN people pe ON pe.id = pl.person_id
                        WHERE pl.priority_id = p.id) AS "leads?: String"
                 FROM priorities p WHERE p.plan_id = ? ORDER BY p.number"#,
            plan.id
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| crate::plan::Priority {
                number: r.number as u32,
                title: r.title,
                strategic_leads: super::split_list(r.leads.as_deref().unwrap_or_default()),
            })
            .collect())
    }
}

impl Store {
    /// When the plan's record begins: its creation (its first import), or
    /// an earlier history entry if one was stamped before it.
    pub async fn first_record(&self, plan: &Plan) -> Result<DateTime<Utc>> {
        let ms = sqlx::query_scalar!(
            r#"SELECT min(p.created_at_ms, coalesce((SELECT min(s.at_ms) FROM status_changes s
                    JOIN actions a ON a.id = s.action_id WHERE a.plan_id = p.id),
                    p.created_at_ms)) AS "ms!: i64"
                 FROM plans p WHERE p.id = ?"#,
            plan.id
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(super::from_ms(ms))
    }

    /// The plan's latest recorded change: a status, a value or a rating.
    pub async fn latest_change(&self, plan: &Plan) -> Result<Option<DateTime<Utc>>> {
        let ms = sqlx::query_scalar!(
            r#"SELECT max(coalesce((SELECT max(s.at_ms) FROM status_changes s
                        JOIN actions a ON a.id = s.action_id WHERE a.plan_id = ?1), 0),
                    coalesce((SELECT max(v.at_ms) FROM measure_values v
                        JOIN measures m ON m.id = v.measure_id WHERE m.plan_id = ?1), 0),
                    coalesce((SELECT max(r.at_ms) FROM risk_reviews r
                        JOIN risks k ON k.id = r.risk_id WHERE k.plan_id = ?1), 0)) AS "ms!: i64""#,
            plan.id
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((ms > 0).then(|| super::from_ms(ms)))
    }

    /// The refs of the plan's current actions.
    pub async fn action_refs(&self, plan: &Plan) -> Result<Vec<String>> {
        let mut conn = self.pool.acquire().await?;
        super::actions::load_plan_refs(&mut conn, plan.id).await
    }
}
