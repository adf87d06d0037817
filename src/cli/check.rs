//! `planbot check` prints what the setup checks found; `planbot invite` the
//! link that adds the bot to a server.

use crate::app::setup::{Finding, Verdict};
use crate::config::{self, Settings};
use crate::store::Store;
use crate::text::count;
use anyhow::Result;
use chrono::Utc;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(super) async fn check(
    config: Option<&Path>,
    db: Option<PathBuf>,
    wait: Duration,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let mut settings = Settings::load(config, |k| std::env::var(k).ok())?;
    if let Some(db) = db {
        settings.database.path = db;
    }
    let mut findings = Vec::new();
    // Opened as is, never migrated or created: the check changes nothing.
    let plans = match Store::open_unchanged(&settings.database.path, wait).await {
        Ok(store) => {
            let checked = crate::app::setup::check_plans(&store, &settings, Utc::now()).await;
            store.close().await;
            let (found, plans) = checked?;
            findings.extend(found);
            plans
        }
        Err(e) => {
            findings.push(Finding::problem(e.to_string()));
            Vec::new()
        }
    };
    findings.extend(crate::discord::doctor::check(&settings, &plans).await?);
    for f in &findings {
        writeln!(out, "{:<8} {}", label(f.verdict), f.line)?;
    }
    let with = |v: Verdict| findings.iter().filter(|f| f.verdict == v).count();
    let (problems, warnings) = (with(Verdict::Problem), with(Verdict::Warning));
    if problems > 0 {
        anyhow::bail!(
            "{} found: each line marked `problem` says what to do",
            count(problems, "problem", "problems")
        );
    }
    match warnings {
        0 => writeln!(out, "all is well")?,
        n => writeln!(out, "all is well, with {}", count(n, "warning", "warnings"))?,
    }
    Ok(())
}

fn label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "ok",
        Verdict::Warning => "warning",
        Verdict::Problem => "problem",
    }
}

/// The token is all the link needs; a config file, if named, is checked
/// too, so that `invite --config FILE` fails as `run --config FILE` would.
pub(super) fn invite(config: Option<&Path>, out: &mut (dyn Write + Send)) -> Result<()> {
    let env = |k: &str| std::env::var(k).ok();
    let token = match config {
        Some(_) => Settings::load(config, env)?.discord.token,
        None => config::token_from_env(&env)?,
    }
    .ok_or_else(config::missing_token)?;
    writeln!(out, "{}", crate::discord::invite_url(&token)?)?;
    Ok(())
}
