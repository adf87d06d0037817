//! Tables a screen reader can navigate: a caption, column headers and a
//! header cell heading each row, every header scoped.

use super::{Text, rag_class};
use crate::plan::Status;
use maud::{Markup, Render, html};

/// A column heading; numbers are right-aligned so they can be compared down a column.
pub(super) struct Column {
    pub html: Markup,
    pub numeric: bool,
}

impl Column {
    pub fn text(label: &str) -> Column {
        Column {
            html: html! { (Text(label)) },
            numeric: false,
        }
    }

    pub fn num(label: &str) -> Column {
        Column {
            numeric: true,
            ..Column::text(label)
        }
    }
}

/// A body cell.
pub(super) struct Cell {
    pub html: Markup,
    pub class: String,
}

impl Cell {
    pub fn html(html: Markup) -> Cell {
        Cell {
            html,
            class: String::new(),
        }
    }

    pub fn text(text: &str) -> Cell {
        Cell::html(html! { (Text(text)) })
    }

    pub fn class(mut self, class: &str) -> Cell {
        self.class = class.to_string();
        self
    }

    pub fn num(n: impl Render) -> Cell {
        Cell::html(html! { (n) }).class("num")
    }

    pub fn status(s: Status) -> Cell {
        Cell::text(s.label()).class(&rag_class(s))
    }
}

/// A body row: its first cell heads the row for a screen reader.
pub(super) struct Row {
    pub class: &'static str,
    pub head: Cell,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn new(head: Cell, cells: Vec<Cell>) -> Row {
        Row {
            class: "",
            head,
            cells,
        }
    }
}

/// An attribute written only when it has a value.
fn class_attr(class: &str) -> Option<&str> {
    (!class.is_empty()).then_some(class)
}

pub(super) fn table(caption: &str, columns: &[Column], rows: &[Row]) -> Markup {
    html! {
        table {
            "\n" caption { (Text(caption)) }
            "\n" thead {
                "\n" tr {
                    @for c in columns {
                        th scope="col" class=[c.numeric.then_some("num")] { (c.html) }
                    }
                }
                "\n"
            }
            "\n" tbody {
                "\n"
                @for r in rows {
                    tr class=[class_attr(r.class)] {
                        th scope="row" class=[class_attr(&r.head.class)] { (r.head.html) }
                        @for c in &r.cells {
                            td class=[class_attr(&c.class)] { (c.html) }
                        }
                    }
                    "\n"
                }
            }
            "\n"
        }
        "\n"
    }
}
