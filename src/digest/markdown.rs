//! The digest as Markdown: the text board members read in e-mail or a wiki.

use super::{Digest, Item, Movement};
use crate::plan::summary::RagCounts;
use std::fmt::Write;

pub fn render_markdown(d: &Digest) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# {}: improvement plan digest, {}", d.plan, d.quarter);
    let _ = writeln!(
        w,
        "\nAs of {}. Reds first.\n",
        d.as_of_date.format("%-d %B %Y")
    );

    let _ = writeln!(w, "## RAG summary by priority\n");
    let _ = writeln!(
        w,
        "| Priority | Red | Amber | Green | Not started | Complete | Overdue | Total |"
    );
    let _ = writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for p in &d.priorities {
        let _ = writeln!(
            w,
            "| {}. {} | {} |",
            p.now.number,
            cell(&p.now.title),
            counts(&p.now.counts, &p.previous)
        );
    }
    let _ = writeln!(
        w,
        "| **Whole plan** | {} |",
        counts(&d.total, &d.previous_total)
    );
    let _ = writeln!(
        w,
        "\nChanges in brackets are since the end of {}.",
        d.previous_quarter
    );

    section(w, "Red actions", "No actions are red.", &d.reds);
    section(
        w,
        "Overdue (not red)",
        "Nothing else is overdue.",
        &d.overdue,
    );
    section(
        w,
        &format!("Completed in {}", d.quarter),
        "Nothing was completed this quarter.",
        &d.completed,
    );
    section(
        w,
        &format!("Due next quarter ({})", d.next_quarter),
        "Nothing is due next quarter.",
        &d.due_next,
    );
    section(
        w,
        "Stale (no recent update)",
        "Every open action has a recent update.",
        &d.stale,
    );
    section(w, "No lead", "Every open action has a lead.", &d.no_lead);
    movement(
        w,
        "Improved this quarter",
        "No action improved.",
        &d.improved,
    );
    movement(
        w,
        "Declined this quarter",
        "No action declined.",
        &d.declined,
    );

    super::markdown_register::sections(w, d);

    let _ = writeln!(w, "\n## Recommendation coverage\n");
    if d.coverage.is_empty() {
        let _ = writeln!(w, "The plan lists no recommendations.");
    }
    if let Some(bodies) = d.coverage_by_body_text() {
        let _ = writeln!(w, "By body: {bodies}.\n");
    }
    for c in &d.coverage {
        let text = c
            .text
            .as_deref()
            .map(|t| format!(" ({})", cell(t)))
            .unwrap_or_default();
        if c.actions.is_empty() {
            let _ = writeln!(
                w,
                "- **{}{text}: no action addresses this recommendation.**",
                c.code
            );
        } else {
            let _ = writeln!(
                w,
                "- {}{text}: {} of {} complete ({})",
                c.code,
                c.complete,
                crate::text::count(c.actions.len(), "action", "actions"),
                c.actions.join(", ")
            );
        }
    }

    let _ = writeln!(w, "\n## Questions for the board\n");
    if d.questions.is_empty() {
        let _ = writeln!(w, "No status contradicts the facts.");
    }
    for q in &d.questions {
        let _ = writeln!(
            w,
            "- {} {}: {}",
            q.item.reference,
            cell(&q.item.text),
            q.reason
        );
    }
    if let Some(since) = &d.since_last_run {
        let _ = writeln!(
            w,
            "\n## Changes since the digest of {}\n",
            since.made_at.format("%-d %B %Y %H:%M UTC")
        );
        if since.changed.is_empty() {
            let _ = writeln!(w, "Nothing has changed.");
        }
        for (r, before, now) in &since.changed {
            let before = before.map_or("not in the plan".to_string(), |s| s.label().to_string());
            let _ = writeln!(w, "- {r}: {before} → {}", now.label());
        }
    }
    out
}

fn counts(now: &RagCounts, before: &RagCounts) -> String {
    let f = |n: usize, b: usize| {
        let delta = n as i64 - b as i64;
        if delta == 0 {
            n.to_string()
        } else {
            format!("{n} ({delta:+})")
        }
    };
    [
        f(now.red, before.red),
        f(now.amber, before.amber),
        f(now.green, before.green),
        f(now.not_started, before.not_started),
        f(now.complete, before.complete),
        f(now.overdue, before.overdue),
        f(now.total(), before.total()),
    ]
    .join(" | ")
}

fn section(w: &mut String, title: &str, empty: &str, items: &[Item]) {
    let _ = writeln!(w, "\n## {title}\n");
    if items.is_empty() {
        let _ = writeln!(w, "{empty}");
        return;
    }
    let _ = writeln!(
        w,
        "| Ref | Action | Leads | Due | Status | Days overdue | Latest note |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|---:|---|");
    for i in items {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            i.reference,
            cell(&i.text),
            cell(&leads(i)),
            i.due_label,
            i.status.label(),
            i.overdue_days.map(|d| d.to_string()).unwrap_or_default(),
            cell(i.latest_note.as_deref().unwrap_or(""))
        );
    }
}

fn movement(w: &mut String, title: &str, empty: &str, moves: &[Movement]) {
    let _ = writeln!(w, "\n## {title}\n");
    if moves.is_empty() {
        let _ = writeln!(w, "{empty}");
    }
    for m in moves {
        let _ = writeln!(
            w,
            "- {} {}: {} → {}",
            m.item.reference,
            cell(&m.item.text),
            m.from.label(),
            m.to.label()
        );
    }
}

pub(super) fn leads(i: &Item) -> String {
    if i.leads.is_empty() {
        "no lead".into()
    } else {
        i.leads.join(", ")
    }
}

/// Keeps user text on one table line and from breaking the table.
pub(super) fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
