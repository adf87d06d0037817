//! The digest as a Discord message: embeds inside Discord's limits, cut only
//! at line ends, always saying what more is in the attached files.

use super::{Digest, Item};
use crate::text::shorten;

/// Discord's limits on embeds.
pub const MAX_TOTAL: usize = 6000;
pub const MAX_DESCRIPTION: usize = 4096;
pub const MAX_FIELDS: usize = 25;
pub const MAX_FIELD_VALUE: usize = 1024;
pub const MAX_FIELD_NAME: usize = 256;
pub const MAX_TITLE: usize = 256;

/// An embed as plain text; the Discord adapter turns it into serenity's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedText {
    pub title: String,
    pub description: String,
    pub fields: Vec<(String, String)>,
    /// RGB: red when anything is red, amber when anything is overdue, else green.
    pub colour: u32,
}

impl EmbedText {
    /// Characters Discord counts towards the 6,000 across a message's embeds.
    pub fn size(&self) -> usize {
        self.title.chars().count()
            + self.description.chars().count()
            + self
                .fields
                .iter()
                .map(|(n, v)| n.chars().count() + v.chars().count())
                .sum::<usize>()
    }
}

pub fn embed(d: &Digest) -> EmbedText {
    let t = &d.total;
    let delta = |now: usize, before: usize| match now as i64 - before as i64 {
        0 => String::new(),
        n => format!(" ({n:+})"),
    };
    let description = format!(
        "As of {}: {} actions. **{} red**{}, {} amber{}, {} green{}, {} not started, {} complete{}; **{} overdue**{}.\nChanges are since the end of {}. The full pack (Markdown, CSV, HTML board paper, chart) is attached.",
        d.as_of_date.format("%-d %B %Y"),
        t.total(),
        t.red,
        delta(t.red, d.previous_total.red),
        t.amber,
        delta(t.amber, d.previous_total.amber),
        t.green,
        delta(t.green, d.previous_total.green),
        t.not_started,
        t.complete,
        delta(t.complete, d.previous_total.complete),
        t.overdue,
        delta(t.overdue, d.previous_total.overdue),
        d.previous_quarter,
    );
    let mut e = EmbedText {
        title: shorten(&format!("{}: digest for {}", d.plan, d.quarter), MAX_TITLE),
        description: shorten(&description, MAX_DESCRIPTION),
        fields: Vec::new(),
        colour: if t.red > 0 {
            0xC0_39_2B
        } else if t.overdue > 0 {
            0xE6_7E_22
        } else {
            0x27_AE_60
        },
    };
    let by_priority: Vec<String> = d
        .priorities
        .iter()
        .map(|p| {
            let c = &p.now.counts;
            format!(
                "{}. {}: {} red, {} amber, {} green, {} not started, {} complete",
                p.now.number,
                shorten(&p.now.title, 40),
                c.red,
                c.amber,
                c.green,
                c.not_started,
                c.complete
            )
        })
        .collect();
    let item_line = |i: &Item| {
        let late = i
            .overdue_days
            .map(|n| format!(", {n} days overdue"))
            .unwrap_or_default();
        action_line(
            &i.reference,
            &i.text,
            &format!(" ({}{late})", super::markdown::leads(i)),
        )
    };
    let sections: Vec<(String, Vec<String>)> = vec![
        ("RAG by priority".into(), by_priority),
        ("Red".into(), d.reds.iter().map(item_line).collect()),
        (
            "Overdue (not red)".into(),
            d.overdue.iter().map(item_line).collect(),
        ),
        (
            "Questions for the board".into(),
            d.questions
                .iter()
                .map(|q| action_line(&q.item.reference, &q.item.text, &format!(": {}", q.reason)))
                .collect(),
        ),
        ("Measures off target".into(), measure_lines(d)),
        ("Risks, highest score first".into(), risk_lines(d)),
        (
            "Recommendations no action addresses".into(),
            d.unaddressed()
                .map(|c| c.code.clone())
                .collect::<Vec<_>>()
                .chunks(10)
                .map(|c| c.join(", "))
                .collect(),
        ),
        (
            format!("Completed in {}", d.quarter),
            d.completed.iter().map(item_line).collect(),
        ),
    ];
    // Room kept for naming the sections that do not fit at all.
    const LEFT_OUT_ROOM: usize = 200;
    let mut left_out = Vec::new();
    for (name, lines) in sections {
        if lines.is_empty() {
            continue;
        }
        let budget = MAX_TOTAL.saturating_sub(e.size() + name.chars().count() + LEFT_OUT_ROOM);
        match fit_lines(&lines, MAX_FIELD_VALUE.min(budget)) {
            Some(value) if e.fields.len() < MAX_FIELDS => {
                e.fields.push((shorten(&name, MAX_FIELD_NAME), value))
            }
            _ => left_out.push(name),
        }
    }
    if !left_out.is_empty() {
        let note = format!("\nOnly in the attached files: {}.", left_out.join(", "));
        if e.size() + note.chars().count() <= MAX_TOTAL
            && e.description.chars().count() + note.chars().count() <= MAX_DESCRIPTION
        {
            e.description.push_str(&note);
        }
    }
    e
}

/// Measures off target (red first), or one line saying none is; nothing
/// for a plan without measures.
fn measure_lines(d: &Digest) -> Vec<String> {
    let measures = &d.register.measures;
    let off: Vec<String> = measures
        .iter()
        .filter_map(|m| {
            let l = m
                .latest
                .as_ref()
                .filter(|l| l.rag != crate::plan::measure::Rag::Green)?;
            let facts = format!(
                ": {} {} ({}), {} {}; target {}",
                l.rag,
                m.show(l.value),
                l.period,
                l.travel.arrow(),
                l.travel.word(),
                m.target_text()
            );
            Some(action_line(&m.code, &m.name, &facts))
        })
        .collect();
    if off.is_empty() && !measures.is_empty() {
        return vec![format!(
            "None of the {} measures is off target.",
            measures.len()
        )];
    }
    off
}

fn risk_lines(d: &Digest) -> Vec<String> {
    d.register
        .risks
        .iter()
        .filter_map(|r| {
            let rating = r.rating?;
            let facts = format!(
                ": {} {}, {}",
                rating.score(),
                rating.band().word(),
                r.change_text()
            );
            Some(action_line(&r.code, &r.title, &facts))
        })
        .collect()
}

/// The longest line an action gets in the embed.
const MAX_LINE: usize = 200;

/// "1.4 Deliver … (Julie Bragg, 90 days overdue)": the facts after the action
/// text are what the board acts on, so only the action text gives way.
fn action_line(reference: &str, text: &str, facts: &str) -> String {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let room =
        MAX_LINE.saturating_sub(flat(reference).chars().count() + 1 + flat(facts).chars().count());
    // Facts too long to leave the text any room are cut like any line.
    shorten(
        &format!("{reference} {}{facts}", shorten(text, room)),
        MAX_LINE,
    )
}

/// As many whole lines as fit in `limit` characters, with a last line saying
/// how many more are in the files; none if not even that fits.
fn fit_lines(lines: &[String], limit: usize) -> Option<String> {
    let more = |n: usize| format!("… and {n} more in the attached files");
    // Length of the first k lines joined by newlines, for every k.
    let mut prefix = vec![0usize];
    for line in lines {
        let sep = usize::from(prefix.len() > 1);
        prefix.push(prefix.last().expect("not empty") + sep + line.chars().count());
    }
    let size = |keep: usize| {
        let dropped = lines.len() - keep;
        let note = if dropped == 0 {
            0
        } else {
            more(dropped).chars().count() + usize::from(keep > 0)
        };
        prefix[keep] + note
    };
    let keep = (0..=lines.len()).rev().find(|k| size(*k) <= limit)?;
    let mut parts = lines[..keep].to_vec();
    if keep < lines.len() {
        parts.push(more(lines.len() - keep));
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}
