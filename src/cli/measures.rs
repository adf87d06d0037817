//! `planbot measures`, `measure record|history`, `risks`, `risk review`:
//! reading arguments and printing; the rules are in `app::measures` and
//! `app::risks`.

use super::output::{shorten, table};
use super::{MeasureCommand, MeasuresArgs, RiskCommand, RisksArgs};
use crate::app::Actor;
use crate::app::measures::{self, MeasureStanding, Reading};
use crate::app::plans::{Among, find_plan};
use crate::app::risks::{self, Review, RiskTrend};
use crate::plan::{AsOf, Plan};
use crate::store::Store;
use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use std::io::Write;

fn moment(plan: &Plan, as_of: Option<NaiveDate>) -> DateTime<Utc> {
    as_of.map_or_else(Utc::now, |d| AsOf::end_of_day(d, plan.time_zone).moment)
}

pub(super) async fn list(
    store: &Store,
    plan: Option<&str>,
    args: MeasuresArgs,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = find_plan(store, plan, Among::Database).await?;
    let all = measures::standings(store, &plan, moment(&plan, args.as_of)).await?;
    let shown: Vec<&MeasureStanding> = all
        .iter()
        .filter(|s| !args.off_target || s.off_target())
        .collect();
    if args.json {
        for s in &shown {
            writeln!(out, "{}", standing_json(&plan, s))?;
        }
        return Ok(());
    }
    if shown.is_empty() {
        writeln!(out, "No measures match.")?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = shown.iter().map(|s| standing_row(&plan, s)).collect();
    let head = [
        "Code", "Measure", "Latest", "Period", "RAG", "Travel", "Target",
    ];
    writeln!(out, "{}", table(&head, &rows))?;
    Ok(())
}

fn standing_row(plan: &Plan, s: &MeasureStanding) -> Vec<String> {
    let m = &s.measure;
    let (value, period, rag, travel) = match &s.latest {
        Some((p, j)) => (
            m.unit.show(j.value),
            p.label(plan.year_start),
            j.rag.to_string(),
            j.since_previous
                .map(|t| format!("{} {}", t.arrow(), t.word()))
                .unwrap_or_default(),
        ),
        None => (
            "none yet".into(),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    let target = format!("{} by {}", m.unit.show(m.target), m.target_date);
    vec![
        m.code.clone(),
        shorten(&m.name, 44),
        value,
        period,
        rag,
        travel,
        target,
    ]
}

fn standing_json(plan: &Plan, s: &MeasureStanding) -> serde_json::Value {
    let m = &s.measure;
    let latest = s.latest.map(|(p, j)| {
        json!({
            "period": p.start.to_string(),
            "period_label": p.label(plan.year_start),
            "value": j.value,
            "expected": j.expected,
            "rag": j.rag,
            "on_target": j.on_target,
            "since_previous": j.since_previous,
            "since_baseline": j.since_baseline,
        })
    });
    json!({
        "code": m.code, "name": m.name, "unit": m.unit, "owners": m.owners,
        "frequency": m.frequency, "better": m.better,
        "baseline": m.baseline, "baseline_date": m.baseline_date.to_string(),
        "target": m.target, "target_date": m.target_date.to_string(),
        "latest": latest,
    })
}

pub(super) async fn measure(
    store: &Store,
    plan: Option<&str>,
    command: MeasureCommand,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = find_plan(store, plan, Among::Database).await?;
    match command {
        MeasureCommand::Record {
            code,
            value,
            period,
            note,
            correct,
            by,
        } => {
            let for_date = period
                .as_deref()
                .map(|p| measures::period_date(&plan, p))
                .transpose()?;
            let reading = Reading {
                value,
                for_date,
                note,
                correction: correct,
            };
            let actor = Actor::trusted(&by);
            let done =
                measures::record_value(store, &plan, &actor, &code, reading, Utc::now()).await?;
            super::actor::warn_if_unknown(store, &by).await;
            let (m, v) = (&done.measure, &done.recorded);
            let period =
                crate::plan::measure::Period::containing(v.period, m.frequency, plan.year_start);
            let replaced = done
                .replaced
                .map(|old| format!(", replacing {}", m.unit.show(old.value)))
                .unwrap_or_default();
            writeln!(
                out,
                "{} {}: {} for {} (recorded for {}{replaced})",
                m.code,
                shorten(&m.name, 60),
                m.unit.show(v.value),
                period.label(plan.year_start),
                v.by
            )?;
        }
        MeasureCommand::History { code, json } => {
            let (m, values) = measures::history(store, &plan, &code).await?;
            let mut seen = std::collections::HashSet::new();
            for v in values {
                // A period met before is a correction of it.
                let correction = !seen.insert(v.period);
                if json {
                    let row = json!({
                        "code": m.code, "period": v.period.to_string(), "value": v.value,
                        "note": v.note, "by": v.by, "at": v.at.to_rfc3339(),
                        "correction": correction,
                    });
                    writeln!(out, "{row}")?;
                    continue;
                }
                let period = crate::plan::measure::Period::containing(
                    v.period,
                    m.frequency,
                    plan.year_start,
                );
                let when = v.at.with_timezone(&plan.time_zone).format("%Y-%m-%d %H:%M");
                let mut line = format!(
                    "{when}  {}: {} for {}",
                    v.by,
                    m.unit.show(v.value),
                    period.label(plan.year_start)
                );
                if correction {
                    line.push_str(" (correction)");
                }
                if let Some(n) = &v.note {
                    line.push_str(&format!(" — {}", shorten(n, 120)));
                }
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(())
}

pub(super) async fn register(
    store: &Store,
    plan: Option<&str>,
    args: RisksArgs,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = find_plan(store, plan, Among::Database).await?;
    let all = risks::register_now(store, &plan, moment(&plan, args.as_of)).await?;
    if args.json {
        for t in &all {
            writeln!(out, "{}", risk_json(t))?;
        }
        return Ok(());
    }
    if all.is_empty() {
        writeln!(out, "The plan has no risk register yet.")?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all.iter().map(risk_row).collect();
    let head = ["Code", "Risk", "Score", "Band", "L x I", "Change", "Owners"];
    writeln!(out, "{}", table(&head, &rows))?;
    Ok(())
}

fn risk_row(t: &RiskTrend) -> Vec<String> {
    let r = &t.now.risk;
    let rating = t.now.review.as_ref().map(|v| v.rating);
    let change = match t.change() {
        None => "new".into(),
        Some(0) => "same".into(),
        Some(c) => format!("{c:+}"),
    };
    vec![
        r.code.clone(),
        shorten(&r.title, 50),
        rating.map(|x| x.score().to_string()).unwrap_or_default(),
        rating
            .map(|x| x.band().word().to_string())
            .unwrap_or_default(),
        rating
            .map(|x| format!("{} x {}", x.likelihood, x.impact))
            .unwrap_or_default(),
        change,
        shorten(&r.owners.join(", "), 30),
    ]
}

fn risk_json(t: &RiskTrend) -> serde_json::Value {
    let r = &t.now.risk;
    let rating = t.now.review.as_ref().map(|v| v.rating);
    json!({
        "code": r.code, "title": r.title, "owners": r.owners,
        "likelihood": rating.map(|x| x.likelihood), "impact": rating.map(|x| x.impact),
        "score": rating.map(|x| x.score()), "band": rating.map(|x| x.band()),
        "change": t.change(),
        "next_review": r.next_review.map(|d| d.to_string()),
    })
}

pub(super) async fn risk(
    store: &Store,
    plan: Option<&str>,
    command: RiskCommand,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let plan = find_plan(store, plan, Among::Database).await?;
    let RiskCommand::Review {
        code,
        likelihood,
        impact,
        note,
        next_review,
        by,
    } = command;
    let review = Review {
        likelihood,
        impact,
        note,
        next_review,
    };
    let actor = Actor::trusted(&by);
    let (risk, written) =
        risks::review_risk(store, &plan, &actor, &code, review, Utc::now()).await?;
    super::actor::warn_if_unknown(store, &by).await;
    let r = written.rating;
    writeln!(
        out,
        "{} {}: {} x {} = {} {} (recorded for {})",
        risk.code,
        shorten(&risk.title, 60),
        r.likelihood,
        r.impact,
        r.score(),
        r.band().word(),
        written.by
    )?;
    Ok(())
}
