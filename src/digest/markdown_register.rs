//! The Markdown digest's outcomes, measures and risk register sections;
//! written only for a plan that has them.

use super::markdown::cell;
use super::{Digest, MeasureLine, RegisterView};
use std::fmt::Write;

pub(super) fn sections(w: &mut String, d: &Digest) {
    let r = &d.register;
    if !r.outcomes.is_empty() {
        outcomes(w, r);
    }
    if !r.risks.is_empty() {
        risks(w, d);
    }
}

fn outcomes(w: &mut String, r: &RegisterView) {
    let _ = writeln!(w, "\n## Outcomes and measures\n");
    let _ = writeln!(
        w,
        "Measures off target first. Travel is the direction of travel by the \
         measure's own idea of better: ↑ improving, → steady, ↓ worsening."
    );
    for g in &r.outcomes {
        let heading = match &g.code {
            Some(code) => format!("{code}: {}", cell(&g.statement)),
            None => g.statement.clone(),
        };
        let _ = writeln!(w, "\n### {heading}\n");
        if g.measures.is_empty() {
            let _ = writeln!(w, "No measures evidence this outcome.");
        } else {
            let _ = writeln!(
                w,
                "| Measure | Latest | Period | Target | RAG | Travel | Owners |"
            );
            let _ = writeln!(w, "|---|---:|---|---|---|---|---|");
            for &i in &g.measures {
                measure_row(w, &r.measures[i]);
            }
        }
        if !g.actions.is_empty() {
            let actions: Vec<String> = g
                .actions
                .iter()
                .map(|(reference, status)| format!("{reference} ({})", status.label()))
                .collect();
            let _ = writeln!(w, "\nActions: {}.", actions.join(", "));
        }
    }
}

fn measure_row(w: &mut String, m: &MeasureLine) {
    let name = format!("{} {}", m.code, cell(&m.name));
    let owners = cell(&m.owners.join(", "));
    match &m.latest {
        Some(l) => {
            let _ = writeln!(
                w,
                "| {name} | {} | {} | {} | {}{} | {} | {owners} |",
                m.show(l.value),
                l.period,
                m.target_text(),
                l.rag,
                if l.on_target { " (target met)" } else { "" },
                l.travel_text()
            );
        }
        None => {
            let _ = writeln!(
                w,
                "| {name} | no value yet | | {} | not judged | | {owners} |",
                m.target_text()
            );
        }
    }
}

fn risks(w: &mut String, d: &Digest) {
    let _ = writeln!(w, "\n## Risk register\n");
    let _ = writeln!(
        w,
        "Highest score first. Score = likelihood × impact (each 1 to 5); \
         change since the end of {}.\n",
        d.previous_quarter
    );
    let _ = writeln!(
        w,
        "| Risk | Owners | Likelihood | Impact | Score | Band | Change |"
    );
    let _ = writeln!(w, "|---|---|---:|---:|---:|---|---|");
    for r in &d.register.risks {
        let (l, i, s, b) = match r.rating {
            Some(x) => (
                x.likelihood.to_string(),
                x.impact.to_string(),
                x.score().to_string(),
                x.band().word(),
            ),
            None => (String::new(), String::new(), String::new(), "not rated"),
        };
        let _ = writeln!(
            w,
            "| {} {} | {} | {l} | {i} | {s} | {b} | {} |",
            r.code,
            cell(&r.title),
            cell(&r.owners.join(", ")),
            r.change_text()
        );
    }
}
