//! The board paper's outcomes, measures and risk register: tables for the
//! measures under each outcome and for the register, and the heat map as a
//! 5x5 table (each cell names its score and band, so it reads in print in
//! black and white and to a screen reader).

use super::super::model::Digest;
use super::super::register::{MeasureLine, OutcomeGroup, RegisterView, rag_status};
use super::table::{Cell, Column, Row, table};
use super::{Text, empty, rag_class, section};
use crate::plan::risk::Rating;
use maud::{Markup, html};

pub(super) fn sections(d: &Digest) -> Markup {
    let r = &d.register;
    html! {
        @if !r.outcomes.is_empty() {
            (section("outcomes", "Outcomes and measures", outcomes(r)))
        }
        @if !r.risks.is_empty() {
            (section("risks", "Risk register", risks(d)))
        }
    }
}

fn outcomes(r: &RegisterView) -> Markup {
    html! {
        p {
            "Measures off target first. Travel is the direction of travel by each measure's own "
            "idea of better: \u{2191} improving, \u{2192} steady, \u{2193} worsening."
        }
        "\n"
        @for g in &r.outcomes {
            (outcome(g, r))
        }
    }
}

fn outcome(g: &OutcomeGroup, r: &RegisterView) -> Markup {
    let heading = match &g.code {
        Some(code) => format!("{code}: {}", g.statement),
        None => g.statement.clone(),
    };
    let columns = [
        Column::text("Measure"),
        Column::num("Latest"),
        Column::text("Period"),
        Column::text("Target"),
        Column::text("RAG"),
        Column::text("Travel"),
        Column::text("Owners"),
    ];
    let rows: Vec<Row> = g
        .measures
        .iter()
        .map(|&i| measure_row(&r.measures[i]))
        .collect();
    html! {
        h3 { (Text(&heading)) } "\n"
        @if rows.is_empty() {
            (empty("No measures evidence this outcome."))
        } @else {
            (table(&format!("Measures for {}", g.code.as_deref().unwrap_or("no outcome")), &columns, &rows))
        }
        @if !g.actions.is_empty() {
            p {
                "Actions: "
                @for (i, (reference, status)) in g.actions.iter().enumerate() {
                    @if i > 0 { ", " }
                    (Text(reference)) " (" (status.label()) ")"
                }
                "."
            }
            "\n"
        }
    }
}

fn measure_row(m: &MeasureLine) -> Row {
    let head = Cell::text(&format!("{} {}", m.code, m.name));
    let owners = Cell::text(&m.owners.join(", "));
    let Some(l) = &m.latest else {
        return Row::new(
            head,
            vec![
                Cell::text("No value yet").class("num"),
                Cell::text(""),
                Cell::text(&m.target_text()),
                Cell::text("Not judged"),
                Cell::text(""),
                owners,
            ],
        );
    };
    let rag = if l.on_target {
        format!("{} (target met)", l.rag)
    } else {
        l.rag.to_string()
    };
    Row::new(
        head,
        vec![
            Cell::text(&m.show(l.value)).class("num"),
            Cell::text(&l.period),
            Cell::text(&m.target_text()),
            Cell::text(&rag).class(&rag_class(rag_status(l.rag))),
            Cell::html(html! {
                span aria-hidden="true" { (l.travel.arrow()) } " " (l.travel.word())
                " since " (l.since)
            }),
            owners,
        ],
    )
}

fn risks(d: &Digest) -> Markup {
    let columns = [
        Column::text("Risk"),
        Column::text("Owners"),
        Column::num("Likelihood"),
        Column::num("Impact"),
        Column::num("Score"),
        Column::text("Band"),
        Column::text("Change"),
    ];
    let rows: Vec<Row> =
        d.register
            .risks
            .iter()
            .map(|r| {
                let n = |v: Option<u8>| {
                    Cell::text(&v.map(|v| v.to_string()).unwrap_or_default()).class("num")
                };
                let band = match r.band() {
                    Some(b) => Cell::text(b.word())
                        .class(&format!("band band-{}", b.word().to_lowercase())),
                    None => Cell::text("Not rated"),
                };
                Row::new(
                    Cell::text(&format!("{} {}", r.code, r.title)),
                    vec![
                        Cell::text(&r.owners.join(", ")),
                        n(r.rating.map(|x| x.likelihood)),
                        n(r.rating.map(|x| x.impact)),
                        n(r.score()),
                        band,
                        Cell::text(&r.change_text()),
                    ],
                )
            })
            .collect();
    let caption = format!(
        "Risks by score (likelihood \u{d7} impact, each 1 to 5), highest first, with the change since the end of {}",
        d.previous_quarter
    );
    html! {
        (table(&caption, &columns, &rows))
        h3 { "Heat map" } "\n"
        (heat_map(d))
    }
}

const LIKELIHOOD: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
const IMPACT: [&str; 5] = ["Negligible", "Minor", "Moderate", "Major", "Catastrophic"];

fn heat_map(d: &Digest) -> Markup {
    if d.register.risks.iter().all(|r| r.rating.is_none()) {
        return empty("No risk had been rated by then.");
    }
    html! {
        table.heat-map {
            "\n" caption { "Risks by likelihood (rows) and impact (columns); each cell gives its score and band" }
            "\n" thead { "\n" tr {
                td {}
                @for (i, name) in IMPACT.iter().enumerate() {
                    th scope="col" { "Impact " (i + 1) ": " (name) }
                }
            } "\n" }
            "\n" tbody { "\n"
                @for likelihood in (1..=5u8).rev() {
                    tr {
                        th scope="row" { "Likelihood " (likelihood) ": " (LIKELIHOOD[usize::from(likelihood) - 1]) }
                        @for impact in 1..=5u8 {
                            (heat_cell(d, Rating { likelihood, impact }))
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

fn heat_cell(d: &Digest, rating: Rating) -> Markup {
    let codes: Vec<&str> = d
        .register
        .risks
        .iter()
        .filter(|r| r.rating == Some(rating))
        .map(|r| r.code.as_str())
        .collect();
    let band = rating.band();
    html! {
        td class=(format!("band band-{}", band.word().to_lowercase())) {
            span.cell-band { (rating.score()) " " (band.word()) }
            @if !codes.is_empty() {
                " " strong { (Text(&codes.join(", "))) }
            }
        }
    }
}
