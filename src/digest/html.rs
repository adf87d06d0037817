//! The board paper: a digest as one self-contained HTML page, to print on A4
//! for an Improvement Board or to read with a screen reader.
//!
//! Everything the plan holds was typed by somebody, so every piece of it goes
//! through `escape`. The page loads nothing: it is mailed, archived and
//! printed, and must look the same wherever it is opened.

use super::chart::{fill, ink};
use super::model::{Coverage, Digest, Item, Movement, Question, SinceLastRun};
use crate::plan::Status;
use crate::plan::summary::RagCounts;
use chrono::{DateTime, NaiveDate, Utc};

/// Renders the board paper for `d`.
pub fn render_html(d: &Digest) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = format!("{}: improvement board digest, {}", d.plan, d.quarter);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&title)));
    out.push_str(&style());
    out.push_str("</head>\n<body>\n<main>\n");
    out.push_str(&format!(
        "<h1>{} <span class=\"subtitle\">Improvement board digest, {}</span></h1>\n",
        escape(&d.plan),
        escape(&d.quarter)
    ));
    out.push_str(&headline(d));

    section(&mut out, "summary", "RAG summary by priority", |out| {
        summary(out, d)
    });
    for part in action_sections(d) {
        section(&mut out, part.id, &part.heading, |out| items(out, &part));
    }
    section(&mut out, "movement", "Movement this quarter", |out| {
        movement(out, d)
    });
    section(&mut out, "coverage", "Recommendation coverage", |out| {
        coverage(out, &d.coverage)
    });
    section(&mut out, "questions", "Questions for the board", |out| {
        questions(out, &d.questions)
    });
    if let Some(run) = &d.since_last_run {
        let heading = format!(
            "Changes since the digest of {}",
            long_date(run.made_at.date_naive())
        );
        section(&mut out, "since-last-run", &heading, |out| {
            since_last_run(out, d, run)
        });
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// One of the sections that list actions.
struct ActionSection<'a> {
    id: &'static str,
    heading: String,
    caption: String,
    /// The sentence that stands in for an empty table.
    none: &'static str,
    items: &'a [Item],
    fields: &'static [Field],
}

fn action_sections(d: &Digest) -> [ActionSection<'_>; 6] {
    use Field::{Action, DaysOverdue, Due, Evidence, LastUpdate, Leads, Note};
    [
        ActionSection {
            id: "reds",
            heading: "Red actions".into(),
            caption: "Red actions, most overdue first".into(),
            none: "No actions are red.",
            items: &d.reds,
            fields: &[Action, Leads, Due, DaysOverdue, Note],
        },
        ActionSection {
            id: "overdue",
            heading: "Overdue actions that are not red".into(),
            caption: "Overdue actions not reported red, most overdue first".into(),
            none: "No other actions are overdue.",
            items: &d.overdue,
            fields: &[Action, Field::Status, Leads, Due, DaysOverdue, Note],
        },
        ActionSection {
            id: "completed",
            heading: "Completed this quarter".into(),
            caption: format!("Actions completed in {}", d.quarter),
            none: "No actions were completed this quarter.",
            items: &d.completed,
            fields: &[Action, Leads, Due, Evidence, Note],
        },
        ActionSection {
            id: "due-next",
            heading: format!("Due next quarter ({})", d.next_quarter),
            caption: format!("Open actions due in {}", d.next_quarter),
            none: "No open actions are due next quarter.",
            items: &d.due_next,
            fields: &[Action, Field::Status, Leads, Due, Note],
        },
        ActionSection {
            id: "stale",
            heading: "Stale actions".into(),
            caption: "Open actions with no recent update, and when they were last updated".into(),
            none: "Every open action has a recent update.",
            items: &d.stale,
            fields: &[Action, Field::Status, Leads, LastUpdate, Note],
        },
        ActionSection {
            id: "no-lead",
            heading: "Actions with no lead".into(),
            caption: "Open actions nobody leads".into(),
            none: "Every open action has a lead.",
            items: &d.no_lead,
            fields: &[Action, Field::Status, Due, DaysOverdue],
        },
    ]
}

/// Makes text from the plan safe inside elements and quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn short_date(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

/// The CSS class that colours a status; the status's word is always printed
/// with it, so nothing depends on colour alone.
fn rag_class(s: Status) -> String {
    format!("rag rag-{}", s.as_str().replace('_', "-"))
}

fn status_badge(s: Status) -> String {
    format!("<span class=\"{}\">{}</span>", rag_class(s), s.label())
}

const BASE_CSS: &str = "\
@page { size: A4; margin: 18mm 15mm 20mm; }
html { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.35; color: #0b0c0c; background: #fff; }
body { margin: 0; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.7rem; margin: 0 0 0.5rem; }
h1 .subtitle { display: block; font-size: 1.1rem; font-weight: normal; color: #383f43; }
h2 { font-size: 1.3rem; margin: 1.8rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 2px solid #0b0c0c; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 0.4rem 0 1rem; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.2rem 0; break-after: avoid; page-break-after: avoid; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #505a5f; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
thead th { background: #f3f2f1; }
tbody th { font-weight: bold; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.change { color: #383f43; font-size: 0.9em; white-space: nowrap; }
.total th, .total td { border-top: 2px solid #0b0c0c; font-weight: bold; }
.note { white-space: pre-line; }
.rag { font-weight: bold; }
span.rag { display: inline-block; padding: 0 0.3rem; border: 1px solid #0b0c0c; white-space: nowrap; }
.empty { font-style: italic; }
.alert { border-left: 6px solid #b10e1e; padding: 0.4rem 0.6rem; background: #fbe9ea; font-weight: bold; }
tr.unaddressed th, tr.unaddressed td { background: #fbe9ea; }
tr.unaddressed th { border-left: 6px solid #b10e1e; }
.flag { font-weight: bold; color: #8a0a16; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); border: 0; white-space: nowrap; }
@media print {
  html { font-size: 10pt; }
  main { max-width: none; padding: 0; }
}
";

fn style() -> String {
    let mut css = String::from("<style>\n");
    css.push_str(BASE_CSS);
    for s in Status::ALL {
        let hex = |[r, g, b]: [u8; 3]| format!("#{r:02x}{g:02x}{b:02x}");
        css.push_str(&format!(
            ".rag-{} {{ background: {}; color: {}; }}\n",
            s.as_str().replace('_', "-"),
            hex(fill(s)),
            hex(ink(s))
        ));
    }
    css.push_str("</style>\n");
    css
}

/// The position in one paragraph, and what the colours mean.
fn headline(d: &Digest) -> String {
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
    let mut out = format!(
        "<p>The plan as it stood on {}: {} ({}); {overdue}.</p>\n",
        long_date(d.as_of_date),
        plural(t.total(), "action", "actions"),
        counts.join(", "),
    );
    // "Not started means not started" tells nobody anything.
    let key: Vec<String> = Status::ALL
        .iter()
        .filter(|s| !s.label().eq_ignore_ascii_case(s.meaning()))
        .map(|&s| format!("{} means {}", status_badge(s), s.meaning()))
        .collect();
    out.push_str(&format!("<p>Key: {}.</p>\n", key.join("; ")));
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn section(out: &mut String, id: &str, heading: &str, body: impl FnOnce(&mut String)) {
    out.push_str(&format!(
        "<section aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{}</h2>\n",
        escape(heading)
    ));
    body(out);
    out.push_str("</section>\n");
}

fn empty(out: &mut String, sentence: &str) {
    out.push_str(&format!("<p class=\"empty\">{}</p>\n", escape(sentence)));
}

/// A column heading; numbers are right-aligned so they can be compared down a column.
struct Column {
    html: String,
    numeric: bool,
}

impl Column {
    fn text(label: &str) -> Column {
        Column {
            html: escape(label),
            numeric: false,
        }
    }

    fn num(label: &str) -> Column {
        Column {
            html: escape(label),
            numeric: true,
        }
    }
}

/// A body cell holding ready-made HTML.
struct Cell {
    html: String,
    class: String,
}

impl Cell {
    fn html(html: String) -> Cell {
        Cell {
            html,
            class: String::new(),
        }
    }

    fn text(text: &str) -> Cell {
        Cell::html(escape(text))
    }

    fn class(mut self, class: &str) -> Cell {
        self.class = class.to_string();
        self
    }

    fn num(n: impl ToString) -> Cell {
        Cell::html(n.to_string()).class("num")
    }

    fn status(s: Status) -> Cell {
        Cell::html(s.label().to_string()).class(&rag_class(s))
    }
}

/// A body row: its first cell heads the row for a screen reader.
struct Row {
    class: &'static str,
    head: Cell,
    cells: Vec<Cell>,
}

fn table(out: &mut String, caption: &str, columns: &[Column], rows: &[Row]) {
    out.push_str(&format!(
        "<table>\n<caption>{}</caption>\n<thead>\n<tr>",
        escape(caption)
    ));
    for c in columns {
        let class = if c.numeric { " class=\"num\"" } else { "" };
        out.push_str(&format!("<th scope=\"col\"{class}>{}</th>", c.html));
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for r in rows {
        let class_attr = |class: &str| {
            if class.is_empty() {
                String::new()
            } else {
                format!(" class=\"{class}\"")
            }
        };
        out.push_str(&format!("<tr{}>", class_attr(r.class)));
        out.push_str(&format!(
            "<th scope=\"row\"{}>{}</th>",
            class_attr(&r.head.class),
            r.head.html
        ));
        for c in &r.cells {
            out.push_str(&format!("<td{}>{}</td>", class_attr(&c.class), c.html));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn summary(out: &mut String, d: &Digest) {
    if d.priorities.is_empty() && d.total.total() == 0 {
        empty(out, "The plan has no actions yet.");
        return;
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
        Row {
            class: "",
            head,
            cells,
        }
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
    table(out, &caption, &columns, &rows);
}

/// "5 (+2)": a count and how it moved since the previous quarter. An
/// unchanged count stands alone, so the changes are what catches the eye.
fn count_with_change(now: usize, before: usize) -> Cell {
    let change = match now.cmp(&before) {
        std::cmp::Ordering::Greater => format!("+{}", now - before),
        std::cmp::Ordering::Less => format!("\u{2212}{}", before - now),
        std::cmp::Ordering::Equal => return Cell::num(now),
    };
    Cell::html(format!("{now} <span class=\"change\">({change})</span>")).class("num")
}

/// What an action table can show besides the reference, which heads each row.
#[derive(Clone, Copy)]
enum Field {
    Action,
    Status,
    Leads,
    Due,
    DaysOverdue,
    LastUpdate,
    Evidence,
    Note,
}

impl Field {
    fn column(self) -> Column {
        match self {
            Field::Action => Column::text("Action"),
            Field::Status => Column::text("Status"),
            Field::Leads => Column::text("Leads"),
            Field::Due => Column::text("Due"),
            Field::DaysOverdue => Column::num("Days overdue"),
            Field::LastUpdate => Column::text("Last update"),
            Field::Evidence => Column::text("Evidence"),
            Field::Note => Column::text("Latest note"),
        }
    }

    fn cell(self, item: &Item) -> Cell {
        match self {
            Field::Action => Cell::text(&item.text),
            Field::Status => Cell::status(item.status),
            Field::Leads => leads(&item.leads),
            Field::Due => due(item),
            Field::DaysOverdue => match item.overdue_days {
                Some(days) => Cell::num(days),
                None => Cell::text("Not overdue").class("num"),
            },
            Field::LastUpdate => match item.last_update {
                Some(t) => Cell::text(&short_date(t)),
                None => Cell::text("Never").class("flag"),
            },
            Field::Evidence if item.evidence.is_empty() => {
                Cell::text("None recorded").class("flag")
            }
            Field::Evidence => Cell::text(&item.evidence.join("; ")),
            Field::Note => match &item.latest_note {
                Some(note) => Cell::text(note).class("note"),
                None => Cell::text("No note"),
            },
        }
    }
}

fn leads(leads: &[String]) -> Cell {
    if leads.is_empty() {
        Cell::text("No lead").class("flag")
    } else {
        Cell::text(&leads.join(", "))
    }
}

fn due(item: &Item) -> Cell {
    if item.due_label.is_empty() {
        Cell::text("No date set")
    } else {
        Cell::text(&item.due_label)
    }
}

fn items(out: &mut String, part: &ActionSection<'_>) {
    if part.items.is_empty() {
        empty(out, part.none);
        return;
    }
    let mut columns = vec![Column::text("Ref")];
    columns.extend(part.fields.iter().map(|f| f.column()));
    let rows: Vec<Row> = part
        .items
        .iter()
        .map(|i| Row {
            class: "",
            head: Cell::text(&i.reference),
            cells: part.fields.iter().map(|f| f.cell(i)).collect(),
        })
        .collect();
    table(out, &part.caption, &columns, &rows);
}

/// "Red → Amber", read aloud as "Red to Amber".
fn change(from: Option<Status>, to: Status) -> Cell {
    let from = match from {
        Some(s) => status_badge(s),
        None => "Not in that digest".to_string(),
    };
    Cell::html(format!(
        "{from} <span aria-hidden=\"true\">\u{2192}</span><span class=\"visually-hidden\">to</span> {}",
        status_badge(to)
    ))
}

fn movement(out: &mut String, d: &Digest) {
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
    for (heading, moves, none) in parts {
        out.push_str(&format!("<h3>{heading}</h3>\n"));
        if moves.is_empty() {
            empty(out, none);
            continue;
        }
        let columns = [
            Column::text("Ref"),
            Column::text("Action"),
            Column::text("Leads"),
            Column::text("Change"),
        ];
        let rows: Vec<Row> = moves
            .iter()
            .map(|m| Row {
                class: "",
                head: Cell::text(&m.item.reference),
                cells: vec![
                    Cell::text(&m.item.text),
                    leads(&m.item.leads),
                    change(Some(m.from), m.to),
                ],
            })
            .collect();
        let caption = format!(
            "Actions whose status {} since the start of {}",
            heading.to_lowercase(),
            d.quarter
        );
        table(out, &caption, &columns, &rows);
    }
}

const NO_ACTION: &str = "No action addresses this";

fn coverage(out: &mut String, coverage: &[Coverage]) {
    if coverage.is_empty() {
        empty(out, "No recommendations are recorded for this plan.");
        return;
    }
    let unaddressed: Vec<&str> = coverage
        .iter()
        .filter(|c| c.actions.is_empty())
        .map(|c| c.code.as_str())
        .collect();
    match unaddressed.len() {
        0 => out.push_str("<p>Every recommendation has at least one action addressing it.</p>\n"),
        n => out.push_str(&format!(
            "<p class=\"alert\">{n} {} no action addressing {}: {}.</p>\n",
            if n == 1 {
                "recommendation has"
            } else {
                "recommendations have"
            },
            if n == 1 { "it" } else { "them" },
            escape(&unaddressed.join(", "))
        )),
    }
    let columns = [
        Column::text("Code"),
        Column::text("Recommendation"),
        Column::text("Actions"),
        Column::text("Complete"),
    ];
    let rows: Vec<Row> = coverage
        .iter()
        .map(|c| {
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
                        Cell::html(format!("<strong>{NO_ACTION}</strong>")).class("flag"),
                        Cell::text("Not applicable"),
                    ],
                }
            } else {
                Row {
                    class: "",
                    head: Cell::text(&c.code),
                    cells: vec![
                        text,
                        Cell::text(&c.actions.join(", ")),
                        Cell::text(&format!("{} of {}", c.complete, c.actions.len())),
                    ],
                }
            }
        })
        .collect();
    table(
        out,
        "Each recommendation and the actions that address it",
        &columns,
        &rows,
    );
}

fn questions(out: &mut String, questions: &[Question]) {
    if questions.is_empty() {
        empty(
            out,
            "Nothing in the plan needs the board's challenge this quarter.",
        );
        return;
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
        .map(|q| Row {
            class: "",
            head: Cell::text(&q.item.reference),
            cells: vec![
                Cell::text(&capitalise(&q.reason)),
                Cell::text(&q.item.text),
                Cell::status(q.item.status),
                leads(&q.item.leads),
            ],
        })
        .collect();
    table(
        out,
        "Statuses the facts do not bear out, for the chair to challenge",
        &columns,
        &rows,
    );
}

fn since_last_run(out: &mut String, d: &Digest, run: &SinceLastRun) {
    out.push_str(&format!(
        "<p>This digest was first made on {} at {} UTC; since then:</p>\n",
        long_date(run.made_at.date_naive()),
        run.made_at.format("%H:%M")
    ));
    if run.changed.is_empty() {
        empty(out, "No action's status has changed.");
        return;
    }
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
        .map(|(reference, before, now)| Row {
            class: "",
            head: Cell::text(reference),
            cells: vec![Cell::text(text_of(reference)), change(*before, *now)],
        })
        .collect();
    table(
        out,
        "Statuses that differ from the earlier digest",
        &columns,
        &rows,
    );
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
    fn escapes_every_markup_character() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn change_is_signed_or_says_none() {
        assert!(count_with_change(5, 3).html.contains("(+2)"));
        assert!(count_with_change(3, 5).html.contains("(\u{2212}2)"));
        assert_eq!(count_with_change(3, 3).html, "3");
    }
}
