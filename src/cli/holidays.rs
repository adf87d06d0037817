//! `planbot holidays`: how far ahead bank holidays are known, importing
//! gov.uk's file, and choosing a plan's division.

use super::HolidaysCommand;
use super::output::table;
use crate::app::holidays::{self, shortfall};
use crate::app::plans::{Among, find_plan};
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::Utc;
use std::io::Write;
use std::path::Path;

pub(super) async fn holidays(
    store: &Store,
    plan_name: Option<&str>,
    config: Option<&Path>,
    command: Option<HolidaysCommand>,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    match command {
        Some(HolidaysCommand::Import { file }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let done = holidays::import(store, &text, Utc::now()).await?;
            writeln!(
                out,
                "{} bank holidays added, {} already known.",
                done.stored.added, done.stored.kept
            )?;
            for division in done.missing {
                writeln!(
                    out,
                    "warning: the file has no bank holidays for {division} (gov.uk's lists all three divisions)"
                )?;
            }
            for s in done.known {
                writeln!(
                    out,
                    "  {}: {}, {} to {}",
                    s.division,
                    crate::text::count(s.count, "day", "days"),
                    s.first,
                    s.last
                )?;
            }
        }
        Some(HolidaysCommand::Use { division }) => {
            let plan = find_plan(store, plan_name, Among::Database).await?;
            holidays::use_division(store, &plan, division).await?;
            writeln!(out, "{} keeps {division}'s bank holidays.", plan.name)?;
        }
        None => {}
    }
    let settings = super::jobs::settings(store, config).await?;
    let mut rows = Vec::new();
    let mut short = Vec::new();
    for plan in store.plans().await? {
        let c = holidays::coverage(store, &plan, &settings.jobs, Utc::now()).await?;
        if c.short {
            short.push(shortfall(&c));
        }
        rows.push(vec![
            c.plan,
            c.division.to_string(),
            if c.imported {
                "imported"
            } else {
                "built-in list"
            }
            .to_string(),
            c.known_until.map_or("none".into(), |d| d.to_string()),
        ]);
    }
    writeln!(
        out,
        "{}",
        table(&["Plan", "Division", "Holidays", "Known until"], &rows)
    )?;
    for line in short {
        writeln!(out, "warning: {line}")?;
    }
    Ok(())
}
