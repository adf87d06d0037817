//! How listings look on a terminal and to scripts.

use crate::plan::{Action, Plan, StatusChange};
use crate::text::count;
use chrono::NaiveDate;
use serde_json::json;

pub use crate::text::{shorten, table};

pub fn action_table(plan: &Plan, actions: &[Action], today: NaiveDate) -> String {
    let rows: Vec<Vec<String>> = actions
        .iter()
        .map(|a| {
            vec![
                a.reference.clone(),
                shorten(&a.text, 56),
                shorten(&a.leads.join(", "), 28),
                a.due.map(|d| plan.due_label(d)).unwrap_or_default(),
                a.status.label().to_string(),
                a.overdue_days(today)
                    .map(|d| count(d, "day", "days"))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &["Ref", "Action", "Leads", "Due", "Status", "Overdue"],
        &rows,
    )
}

pub fn action_json(plan: &Plan, a: &Action, today: NaiveDate) -> serde_json::Value {
    json!({
        "plan": plan.name,
        "ref": a.reference,
        "priority": a.priority,
        "priority_title": a.priority_title,
        "group": a.group,
        "action": a.text,
        "leads": a.leads,
        "due": a.due.map(|d| d.format("%Y-%m-%d").to_string()),
        "due_label": a.due.map(|d| plan.due_label(d)),
        "status": a.status.as_str(),
        "overdue_days": a.overdue_days(today),
        "recommendations": a.recommendations,
        "evidence": a.evidence,
        "last_update": a.last_update.map(|t| t.to_rfc3339()),
    })
}

pub fn action_detail(
    plan: &Plan,
    a: &Action,
    today: NaiveDate,
    history: &[StatusChange],
) -> String {
    let mut out = vec![
        format!("{}  {}", a.reference, a.text),
        format!("  Priority:        {}. {}", a.priority, a.priority_title),
    ];
    if let Some(g) = &a.group {
        out.push(format!("  Group:           {g}"));
    }
    let due = a
        .due
        .map(|d| format!("{} ({})", plan.due_label(d), d.format("%-d %B %Y")));
    out.push(format!(
        "  Leads:           {}",
        or_none(&a.leads.join(", "))
    ));
    out.push(format!(
        "  Due:             {}",
        due.unwrap_or_else(|| "not set".into())
    ));
    let overdue = a
        .overdue_days(today)
        .map(|d| format!(", {} overdue", count(d, "day", "days")))
        .unwrap_or_default();
    // "Red (off track)"; "Not started" needs no gloss.
    let meaning = a.status.meaning();
    let status = if meaning.eq_ignore_ascii_case(a.status.label()) {
        a.status.label().to_string()
    } else {
        format!("{} ({meaning})", a.status.label())
    };
    out.push(format!("  Status:          {status}{overdue}"));
    out.push(format!(
        "  Recommendations: {}",
        or_none(&a.recommendations.join(", "))
    ));
    out.push(format!(
        "  Evidence:        {}",
        or_none(&a.evidence.join("; "))
    ));
    if !history.is_empty() {
        out.push("  Recent updates:".into());
        for c in history.iter().rev().take(5) {
            out.push(format!("    {}", change_line(plan, c)));
        }
    }
    out.join("\n")
}

pub fn change_line(plan: &Plan, c: &StatusChange) -> String {
    let when = c.at.with_timezone(&plan.time_zone).format("%Y-%m-%d %H:%M");
    let from = c
        .from
        .map(|f| format!("{} -> ", f.label()))
        .unwrap_or_default();
    let mut line = format!("{when}  {}: {from}{}", c.by, c.to.label());
    if let Some(n) = &c.note {
        line.push_str(&format!(" — {}", shorten(n, 120)));
    }
    if let Some(e) = &c.evidence {
        line.push_str(&format!(" [evidence: {e}]"));
    }
    line
}

pub fn change_json(c: &StatusChange) -> serde_json::Value {
    json!({
        "at": c.at.to_rfc3339(),
        "by": c.by,
        "from": c.from.map(|s| s.as_str()),
        "to": c.to.as_str(),
        "note": c.note,
        "evidence": c.evidence,
    })
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}
