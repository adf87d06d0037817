//! Which plan a request is about: the one named, or the only one there is.
//! A Discord server may work only on the plans its config gives it.

use super::AppError;
use crate::plan::Plan;
use crate::store::Store;

/// The plans a request may name: every plan in the database, or a server's.
#[derive(Debug, Clone, Copy)]
pub enum Among<'a> {
    Database,
    These(&'a [String]),
}

/// The plan named, or the only one; it must be in the database.
pub async fn find_plan(
    store: &Store,
    named: Option<&str>,
    among: Among<'_>,
) -> Result<Plan, AppError> {
    match among {
        Among::Database => Ok(store.find_plan(named).await?),
        Among::These(_) => {
            let name = plan_name(store, named, among).await?;
            store.find_plan(Some(&name)).await.map_err(|e| match e {
                crate::store::StoreError::NoSuchPlan(n) => AppError::NotImported(n),
                other => other.into(),
            })
        }
    }
}

/// The name of the plan meant, which may not exist yet (an import makes it).
pub async fn plan_name(
    store: &Store,
    named: Option<&str>,
    among: Among<'_>,
) -> Result<String, AppError> {
    let known: Vec<String> = match among {
        Among::Database => store.plans().await?.into_iter().map(|p| p.name).collect(),
        Among::These(names) => names.to_vec(),
    };
    match named.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => match among {
            // A new plan may take any name on the command line.
            Among::Database => Ok(known
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(n))
                .unwrap_or_else(|| n.to_string())),
            Among::These(_) => known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(n))
                .cloned()
                .ok_or_else(|| AppError::NoSuchPlan {
                    name: n.to_string(),
                    known: known.clone(),
                }),
        },
        None => match known.as_slice() {
            [only] => Ok(only.clone()),
            [] => Err(AppError::NoPlans),
            _ => Err(AppError::SeveralPlans(known)),
        },
    }
}

/// Refuses a question about a moment before the plan's record begins (its
/// first import): the plan was not empty then, planbot just does not know.
pub async fn check_recorded(
    store: &Store,
    plan: &Plan,
    as_of: crate::plan::AsOf,
) -> Result<(), AppError> {
    let first = store.first_record(plan).await?;
    if as_of.moment < first {
        return Err(AppError::BeforeFirstRecord {
            plan: plan.name.clone(),
            asked: as_of.today,
            first: first.with_timezone(&plan.time_zone).date_naive(),
        });
    }
    Ok(())
}
