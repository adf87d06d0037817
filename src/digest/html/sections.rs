//! The headline and every section of the board paper, in the order the board
//! reads them.

use super::super::model::{Coverage, Digest, Movement, Question, SinceLastRun};
use super::actions::{action_sections, items, leads};
use super::table::{Cell, Column, Row, table};
use super::{Text, empty, long_date, section, status_badge};
use crate::plan::Status;
use crate::plan::summary::RagCounts;
use maud::{Markup, html};

/// The sections after the headline.
pub(super) fn all(d: &Digest) -> Markup {
    html! {
        (section("summary", "RAG summary by priority", summary(d)))
        @for part in action_sections(d) {
            (section(part.id, &part.heading, items(&part)))
        }
        (section("movement", "Movement this quarter", movement(d)))
        (super::register::sections(d))
        (section("coverage", "Recommendation coverage", html! {
            @if let Some(bodies) = d.coverage_by_body_text() { p { "By body: " (bodies) "." } }
            (coverage(&d.coverage))
        }))
        (section("questions", "Questions for the board", questions(&d.questions)))
        @if let Some(run) = &d.since_last_run {
            (section(
                "since-last-run",
                &format!("Changes since the digest of {}", long_date(run.made_at.date_naive())),
                since_last_run(d, run),
            ))
        }
    }
}

/// The position in one paragraph, and what the colours mean.
pub(super) fn headline(d: &Digest) -> Markup {
    let t = &d.total;
    let counts: Vec<String> = Status::ALL
        .iter()
        .map(|&s| format!("{} {}", t.get(s), s.label().to_lowercase()))
        .collect();
    let overdue = match t.overdue {
        0 => "none is overdue".to_string(),
        1 => "1 is overdue".to_string(),
        n => format!("{n} are overdue"),
    };
    // "Not started means not started" tells nobody anything.
    let key: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|s| !s.label().eq_ignore_ascii_case(s.meaning()))
        .collect();
    html! {
        p {
            "The plan as it stood on " (long_date(d.as_of_date)) ": "
            (crate::text::count(t.total(), "action", "actions"))
            " (" (counts.join(", ")) "); " (overdue) "."
        }
        "\n"
        p {
            "Key: "
            @for (i, &s) in key.iter().enumerate() {
                @if i > 0 { "; " }
                (status_badge(s)) " means " (Text(s.meaning()))
            }
            "."
        }
        "\n"
    }
}

fn summary(d: &Digest) -> Markup {
    if d.priorities.is_empty() && d.total.total() == 0 {
        return empty("The plan has no actions yet.");
    }
    let mut columns = vec![Column::text("Priority")];
    for s in Status::ALL {
        columns.push(Column {
            html: status_badge(s),
            numeric: true,
        });
    }
    columns.push(Column::num("Total"));
    columns.push(Column::num("Overdue"));
    let counts_row = |head: Cell, now: &RagCounts, before: &RagCounts| {
        let mut cells: Vec<Cell> = Status::ALL
            .iter()
            .map(|&s| count_with_change(now.get(s), before.get(s)))
            .collect();
        cells.push(count_with_change(now.total(), before.total()));
        cells.push(count_with_change(now.overdue, before.overdue));
        Row::new(head, cells)
    };
    let mut rows: Vec<Row> = d
        .priorities
        .iter()
        .map(|p| {
            let head = Cell::text(&format!("{}. {}", p.now.number, p.now.title));
            counts_row(head, &p.now.counts, &p.previous)
        })
        .collect();
    let mut total = counts_row(Cell::text("Whole plan"), &d.total, &d.previous_total);
    total.class = "total";
    rows.push(total);
    let caption = format!(
        "Actions by priority and status on {}, with any change since the end of {} in brackets",
        long_date(d.as_of_date),
        d.previous_quarter
    );
    table(&caption, &columns, &rows)
}

/// "5 (+2)": a count and how it moved since the previous quarter. An
/// unchanged count stands alone, so the changes are what catches the eye.
fn count_with_change(now: usize, before: usize) -> Cell {
    let change = match now.cmp(&before) {
        std::cmp::Ordering::Greater => format!("+{}", now - before),
        std::cmp::Ordering::Less => format!("\u{2212}{}", before - now),
        std::cmp::Ordering::Equal => return Cell::num(now),
    };
    Cell::html(html! { (now) " " span.change { "(" (change) ")" } }).class("num")
}

/// "Red → Amber", read aloud as "Red to Amber".
fn change(from: Option<Status>, to: Status) -> Cell {
    Cell::html(html! {
        @match from {
            Some(s) => (status_badge(s)),
            None => "Not in that digest",
        }
        " " span aria-hidden="true" { "\u{2192}" } span.visually-hidden { "to" } " "
        (status_badge(to))
    })
}

fn movement(d: &Digest) -> Markup {
    let parts: [(&str, &[Movement], &str); 2] = [
        (
            "Declined",
            &d.declined,
            "No action's status got worse this quarter.",
        ),
        (
            "Improved",
            &d.improved,
            "No action's status improved this quarter.",
        ),
    ];
    let columns = [
        Column::text("Ref"),
        Column::text("Action"),
        Column::text("Leads"),
        Column::text("Change"),
    ];
    html! {
        @for (heading, moves, none) in parts {
            h3 { (heading) } "\n"
            @if moves.is_empty() {
                (empty(none))
            } @else {
                (table(
                    &format!(
                        "Actions whose status {} since the start of {}",
                        heading.to_lowercase(),
                        d.quarter
                    ),
                    &columns,
                    &moves.iter().map(movement_row).collect::<Vec<_>>(),
                ))
            }
        }
    }
}

fn movement_row(m: &Movement) -> Row {
    Row::new(
        Cell::text(&m.item.reference),
        vec![
            Cell::text(&m.item.text),
            leads(&m.item.leads),
            change(Some(m.from), m.to),
        ],
    )
}

fn coverage(coverage: &[Coverage]) -> Markup {
    if coverage.is_empty() {
        return empty("No recommendations are recorded for this plan.");
    }
    let unaddressed: Vec<&str> = coverage
        .iter()
        .filter(|c| c.actions.is_empty())
        .map(|c| c.code.as_str())
        .collect();
    let columns = [
        Column::text("Code"),
        Column::text("Recommendation"),
        Column::text("Actions"),
        Column::text("Complete"),
    ];
    let rows: Vec<Row> = coverage.iter().map(coverage_row).collect();
    html! {
        @match unaddressed.len() {
            0 => p { "Every recommendation has at least one action addressing it." },
            1 => p.alert {
                "1 recommendation has no action addressing it: " (Text(unaddressed[0])) "."
            },
            n => p.alert {
                (n) " recommendations have no action addressing them: "
                (Text(&unaddressed.join(", "))) "."
            },
        }
        "\n"
        (table("Each recommendation and the actions that address it", &columns, &rows))
    }
}

fn coverage_row(c: &Coverage) -> Row {
    let text = match &c.text {
        Some(t) => Cell::text(t),
        None => Cell::text("No wording recorded"),
    };
    if c.actions.is_empty() {
        Row {
            class: "unaddressed",
            head: Cell::text(&c.code),
            cells: vec![
                text,
                Cell::html(html! { strong { "No action addresses this" } }).class("flag"),
                Cell::text("Not applicable"),
            ],
        }
    } else {
        Row::new(
            Cell::text(&c.code),
            vec![
                text,
                Cell::text(&c.actions.join(", ")),
                Cell::text(&format!("{} of {}", c.complete, c.actions.len())),
            ],
        )
    }
}

fn questions(questions: &[Question]) -> Markup {
    if questions.is_empty() {
        return empty("Nothing in the plan needs the board's challenge this quarter.");
    }
    let columns = [
        Column::text("Ref"),
        Column::text("Question"),
        Column::text("Action"),
        Column::text("Status"),
        Column::text("Leads"),
    ];
    let rows: Vec<Row> = questions
        .iter()
        .map(|q| {
            Row::new(
                Cell::text(&q.item.reference),
                vec![
                    Cell::text(&capitalise(&q.reason)),
                    Cell::text(&q.item.text),
                    Cell::status(q.item.status),
                    leads(&q.item.leads),
                ],
            )
        })
        .collect();
    table(
        "Statuses the facts do not bear out, for the chair to challenge",
        &columns,
        &rows,
    )
}

fn since_last_run(d: &Digest, run: &SinceLastRun) -> Markup {
    let text_of = |reference: &str| {
        d.rows
            .iter()
            .find(|r| r.reference == reference)
            .map_or("", |r| r.text.as_str())
    };
    let columns = [
        Column::text("Ref"),
        Column::text("Action"),
        Column::text("Change"),
    ];
    let rows: Vec<Row> = run
        .changed
        .iter()
        .map(|(reference, before, now)| {
            Row::new(
                Cell::text(reference),
                vec![Cell::text(text_of(reference)), change(*before, *now)],
            )
        })
        .collect();
    html! {
        p {
            "This digest was first made on " (long_date(run.made_at.date_naive()))
            " at " (run.made_at.format("%H:%M").to_string()) " UTC; since then:"
        }
        "\n"
        @if run.changed.is_empty() {
            (empty("No action's status has changed."))
        } @else {
            (table("Statuses that differ from the earlier digest", &columns, &rows))
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_is_signed_or_says_none() {
        let html = |n: usize, before: usize| count_with_change(n, before).html.into_string();
        assert!(html(5, 3).contains("(+2)"));
        assert!(html(3, 5).contains("(\u{2212}2)"));
        assert_eq!(html(3, 3), "3");
    }
}
