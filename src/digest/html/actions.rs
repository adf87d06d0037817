//! The sections that list actions: red, overdue, completed, due next, stale
//! and with no lead, each with the columns that matter for it.

use super::super::model::{Digest, Item};
use super::table::{Cell, Column, Row, table};
use super::{empty, short_date};
use maud::Markup;

/// One of the sections that list actions.
pub(super) struct ActionSection<'a> {
    pub id: &'static str,
    pub heading: String,
    caption: String,
    /// The sentence that stands in for an empty table.
    none: &'static str,
    items: &'a [Item],
    fields: &'static [Field],
}

pub(super) fn action_sections(d: &Digest) -> [ActionSection<'_>; 6] {
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

pub(super) fn leads(leads: &[String]) -> Cell {
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

pub(super) fn items(part: &ActionSection<'_>) -> Markup {
    if part.items.is_empty() {
        return empty(part.none);
    }
    let mut columns = vec![Column::text("Ref")];
    columns.extend(part.fields.iter().map(|f| f.column()));
    let rows: Vec<Row> = part
        .items
        .iter()
        .map(|i| {
            Row::new(
                Cell::text(&i.reference),
                part.fields.iter().map(|f| f.cell(i)).collect(),
            )
        })
        .collect();
    table(&part.caption, &columns, &rows)
}
