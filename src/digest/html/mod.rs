//! The board paper: a digest as one self-contained HTML page, to print on A4
//! for an Improvement Board or to read with a screen reader.
//!
//! Everything the plan holds was typed by somebody, so the page is written
//! with maud, which escapes whatever goes into it unless it is wrapped in
//! `PreEscaped`; only the style sheet, which is ours, is. The page loads
//! nothing: it is mailed, archived and printed, and must look the same
//! wherever it is opened.

mod actions;
mod register;
mod sections;
mod style;
mod table;

use super::model::Digest;
use crate::plan::Status;
use chrono::{DateTime, NaiveDate, Utc};
use maud::{DOCTYPE, Markup, Render, html};

/// Renders the board paper for `d`.
pub fn render_html(d: &Digest) -> String {
    let title = format!("{}: improvement board digest, {}", d.plan, d.quarter);
    // The line breaks keep the page readable as source and in diffs of the
    // golden file; maud writes none of its own.
    html! {
        (DOCTYPE) "\n"
        html lang="en-GB" {
            "\n"
            head {
                "\n" meta charset="utf-8";
                "\n" meta name="viewport" content="width=device-width, initial-scale=1";
                "\n" title { (Text(&title)) }
                "\n" (style::style(!d.register.is_empty()))
            }
            "\n"
            body {
                "\n"
                main {
                    "\n"
                    h1 {
                        (Text(&d.plan)) " "
                        span.subtitle { "Improvement board digest, " (Text(&d.quarter)) }
                    }
                    "\n"
                    (sections::headline(d))
                    (sections::all(d))
                }
                "\n"
            }
            "\n"
        }
        "\n"
    }
    .into_string()
}

/// Text, from the plan or ours. maud escapes `& < > "` itself; the
/// apostrophe is escaped too, as the board paper always has, so archived
/// and freshly made papers read the same byte for byte.
struct Text<'a>(&'a str);

impl Render for Text<'_> {
    fn render_to(&self, out: &mut String) {
        for (i, part) in self.0.split('\'').enumerate() {
            if i > 0 {
                out.push_str("&#39;");
            }
            part.render_to(out);
        }
    }
}

/// A `<section>` headed by an `<h2>` that names it for a screen reader.
fn section(id: &str, heading: &str, body: Markup) -> Markup {
    html! {
        section aria-labelledby=(id) {
            "\n" h2 id=(id) { (Text(heading)) } "\n"
            (body)
        }
        "\n"
    }
}

/// The sentence that stands in for an empty table.
fn empty(sentence: &str) -> Markup {
    html! { p.empty { (Text(sentence)) } "\n" }
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

fn status_badge(s: Status) -> Markup {
    html! { span class=(rag_class(s)) { (s.label()) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_markup_character() {
        assert_eq!(
            html! { (Text(r#"<a href="x">Tom & Jerry's</a>"#)) }.into_string(),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn text_in_an_attribute_cannot_leave_it() {
        let id = r#"x" onclick="alert(1)"#;
        assert_eq!(
            html! { p title=(Text(id)) {} }.into_string(),
            "<p title=\"x&quot; onclick=&quot;alert(1)\"></p>"
        );
    }
}
