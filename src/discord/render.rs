//! Turning plan data into Discord messages that fit Discord's limits.

use super::{BotError, Context};
use crate::app::status::StatusOutcome;
use crate::plan::summary::RagCounts;
use crate::plan::{Action, OverdueAction, Plan, Status, StatusChange};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use poise::serenity_prelude as serenity;

/// Discord's limit on a message's text.
pub const MESSAGE_LIMIT: usize = 2000;

/// `<t:UNIX:D>`: every reader sees the date in their own time zone. Noon UTC
/// keeps the same calendar day from UTC-11 to UTC+11.
pub fn date(d: NaiveDate) -> String {
    let noon = Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).expect("noon exists"));
    format!("<t:{}:D>", noon.timestamp())
}

pub fn due(plan: &Plan, a: &Action) -> String {
    due_on(plan, a.due)
}

fn due_on(plan: &Plan, due: Option<NaiveDate>) -> String {
    match due {
        Some(d) => format!("{} ({})", plan.due_label(d), date(d)),
        None => "no due date".into(),
    }
}

/// Text users wrote, shown without letting it format or mention anything:
/// serenity's `push_safe`. That makes a dozen passes and copies over the
/// text; most text has nothing it would change, which one pass finds (a
/// page of a listing quotes each line's text and leads).
pub fn quote(text: &str) -> String {
    // What push_safe changes: markdown, mentions, the direction and
    // zero-width marks, and invite links (all of which say "discord").
    const TOUCHED: [char; 10] = [
        '*', '`', '_', '@', '\u{202E}', '\u{200F}', '\u{202B}', '\u{200B}', '\u{200D}', '\u{200C}',
    ];
    if !text.contains(TOUCHED) && !text.contains("discord") {
        return text.to_string();
    }
    serenity::utils::MessageBuilder::new()
        .push_safe(text)
        .build()
}

/// The answer to a status update: the row as written, with the time it
/// was stamped (later than asked when another update got in first).
pub fn status_recorded(plan: &Plan, done: &StatusOutcome, now: DateTime<Utc>) -> String {
    let (a, row) = (&done.after, &done.written);
    let mut text = format!(
        "**{}** {}\n{} → **{}** (by {}, recorded <t:{}:f>)\nDue {}",
        a.reference,
        quote(&shorten(&a.text, 300)),
        done.before.status.label(),
        row.to.label(),
        quote(&row.by),
        row.at.timestamp(),
        due(plan, a),
    );
    if let Some(days) = a.overdue_days(plan.today(now)) {
        text.push_str(&format!(", {days} days overdue"));
        if a.status.is_open() {
            text.push_str("\nStill overdue: it leaves the overdue list when it is marked Complete or given a new due date.");
        }
    }
    if let Some(note) = &row.note {
        text.push_str(&format!("\nNote: {}", quote(note)));
    }
    if let Some(ev) = &row.evidence {
        text.push_str(&format!("\nEvidence: {}", quote(ev)));
    }
    text
}

/// Why a Green action can be on the overdue list: Green says the work is on
/// track, but only completing it (or a new due date) takes it off.
pub const GREEN_BUT_OVERDUE: &str = "Green means on track; an action stays overdue until it is marked Complete or given a new due date.";

/// The short answer to a button or the update modal.
pub fn change_recorded(done: &StatusOutcome) -> String {
    format!(
        "Recorded: `{}` {} → **{}** (by {}, <t:{}:f>).",
        done.after.reference,
        done.before.status.label(),
        done.written.to.label(),
        quote(&done.written.by),
        done.written.at.timestamp()
    )
}

/// One action as a list shows it, in at most `room` characters: the
/// action's text is shortened to fit, never the facts after it.
pub fn action_line(plan: &Plan, a: &Action, today: NaiveDate, room: usize) -> String {
    let facts = facts(plan, a.status, a.due, a.overdue_days(today));
    fitted(&a.reference, &a.text, &facts, room)
}

/// The same line for an action on the overdue list, with its leads.
pub fn overdue_line(plan: &Plan, a: &OverdueAction, room: usize) -> String {
    let leads = if a.leads.is_empty() {
        "no lead".into()
    } else {
        quote(&shorten(&a.leads.join(", "), 60))
    };
    let facts = format!(
        "{} · {leads}",
        facts(plan, a.status, Some(a.due), Some(a.days_overdue))
    );
    fitted(&a.reference, &a.text, &facts, room)
}

/// What follows an action's text on its line: status, due date, lateness.
fn facts(plan: &Plan, status: Status, due: Option<NaiveDate>, days_overdue: Option<i64>) -> String {
    let overdue = days_overdue
        .map(|d| format!(", **{d} days overdue**"))
        .unwrap_or_default();
    format!(" — {}, due {}{overdue}", status.label(), due_on(plan, due))
}

/// The line with the text cut to what `room` leaves (at most 90
/// characters; at least 20, so that an action with a long reference or many
/// leads still says what it is, and the page's own check cuts the rest).
fn fitted(reference: &str, text: &str, facts: &str, room: usize) -> String {
    let head = format!("`{reference}` ");
    let fixed = head.chars().count() + facts.chars().count();
    // Quoting can add a backslash before markdown characters: leave room.
    let text_room = room.saturating_sub(fixed + 6).clamp(20, 90);
    format!("{head}{}{facts}", quote(&shorten(text, text_room)))
}

/// The RAG table of `/plan summary`, one labelled row each. Each count
/// column is as wide as its largest number, so that a plan of thousands of
/// actions does not run its counts together.
pub fn rag_table(rows: &[(String, &RagCounts)]) -> String {
    const HEADS: [&str; 6] = ["Red", "Amb", "Grn", "NS", "Cmp", "Late"];
    let widths: Vec<usize> = (0..HEADS.len())
        .map(|i| {
            rows.iter()
                .map(|(_, c)| c.columns()[i].to_string().len())
                .chain([HEADS[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut table = format!("{:<31}", "Priority");
    for (head, width) in HEADS.iter().zip(&widths) {
        table.push_str(&format!(" {head:>width$}"));
    }
    table.push('\n');
    for (label, counts) in rows {
        table.push_str(&format!("{:<31}", shorten(label, 31)));
        for (n, width) in counts.columns().iter().zip(&widths) {
            table.push_str(&format!(" {n:>width$}"));
        }
        table.push('\n');
    }
    table
}

/// How many of an action's updates `/action` shows, newest first.
pub const LAST_UPDATES: u32 = 3;

pub fn action_detail(
    plan: &Plan,
    a: &Action,
    today: NaiveDate,
    history: &[StatusChange],
) -> String {
    let mut lines = vec![
        format!("**{}** {}", a.reference, quote(&a.text)),
        format!("Priority {}: {}", a.priority, quote(&a.priority_title)),
        format!(
            "Leads: {}",
            if a.leads.is_empty() {
                "none named".into()
            } else {
                quote(&a.leads.join(", "))
            }
        ),
        format!("Due: {}", due(plan, a)),
    ];
    let overdue = a
        .overdue_days(today)
        .map(|d| format!(", {d} days overdue"))
        .unwrap_or_default();
    lines.push(format!(
        "Status: **{}** ({}){overdue}",
        a.status.label(),
        a.status.meaning()
    ));
    if !a.recommendations.is_empty() {
        lines.push(format!("Recommendations: {}", a.recommendations.join(", ")));
    }
    if !a.evidence.is_empty() {
        lines.push(format!("Evidence: {}", quote(&a.evidence.join("; "))));
    }
    if !history.is_empty() {
        lines.push("Last updates:".into());
        for c in history.iter().rev().take(LAST_UPDATES as usize) {
            let from = c
                .from
                .map(|f| format!("{} → ", f.label()))
                .unwrap_or_default();
            let note = c
                .note
                .as_deref()
                .map(|n| format!(": {}", quote(&shorten(n, 200))))
                .unwrap_or_default();
            lines.push(format!(
                "• <t:{}:d> {} {from}{}{note}",
                c.at.timestamp(),
                quote(&c.by),
                c.to.label()
            ));
        }
    }
    lines.join("\n")
}

/// Cuts at a word, marking the cut; for labels and previews only, never for
/// the only copy of what a user needs.
pub use crate::text::shorten;

/// Keeps a short text inside one message.
pub fn fit_message(text: &str) -> String {
    if text.chars().count() <= MESSAGE_LIMIT {
        text.to_string()
    } else {
        shorten(text, MESSAGE_LIMIT)
    }
}

/// Sends `text`; what does not fit in one message goes whole into an attached
/// file, so nothing is silently cut.
pub async fn send_text(
    ctx: Context<'_>,
    text: &str,
    ephemeral: bool,
    file_name: &str,
) -> Result<(), BotError> {
    let mut reply = poise::CreateReply::default()
        .ephemeral(ephemeral)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    if text.chars().count() <= MESSAGE_LIMIT {
        reply = reply.content(text);
    } else {
        let note = format!("\n\n… the full list is in the attached {file_name}.");
        let mut head = String::new();
        for line in text.lines() {
            if head.chars().count() + line.chars().count() + 1 + note.chars().count()
                > MESSAGE_LIMIT
            {
                break;
            }
            head.push_str(line);
            head.push('\n');
        }
        reply = reply
            .content(format!("{}{note}", head.trim_end()))
            .attachment(serenity::CreateAttachment::bytes(
                text.as_bytes().to_vec(),
                file_name,
            ));
    }
    ctx.send(reply).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::quote;
    use poise::serenity_prelude as serenity;

    #[test]
    fn quoting_is_what_serenity_makes_of_the_text() {
        for text in [
            "Increase foster placements",
            "Review *all* SGO cases_now `today`",
            "Ask @everyone and @here",
            "join discord.gg/abc or discordapp.com/invite/x",
            "rtl \u{202E}override and zero\u{200B}width",
            "Ofsted's O1-O27, 50% done; <@123> and #channel",
            "",
        ] {
            let serenity = serenity::utils::MessageBuilder::new()
                .push_safe(text)
                .build();
            assert_eq!(quote(text), serenity, "{text:?}");
        }
    }
}
