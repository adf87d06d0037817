//! The digest as CSV: one row per action, its status then and now.

use super::Digest;
use crate::import::neutralise_formula;

pub const DIGEST_CSV_HEADER: [&str; 9] = [
    "Priority",
    "Ref",
    "Action",
    "Leads",
    "Due",
    "Status then",
    "Status now",
    "Days overdue",
    "Latest note",
];

pub fn render_csv(d: &Digest) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record(DIGEST_CSV_HEADER)
        .expect("writing to memory");
    for r in &d.rows {
        let record = [
            r.priority.clone(),
            r.reference.clone(),
            r.text.clone(),
            r.leads.join("; "),
            r.due_label.clone(),
            r.status_then.label().to_string(),
            r.status_now
                .map(|s| s.label().to_string())
                .unwrap_or_else(|| "Removed".into()),
            r.overdue_days.map(|d| d.to_string()).unwrap_or_default(),
            r.latest_note.clone().unwrap_or_default(),
        ];
        out.write_record(record.iter().map(|c| neutralise_formula(c)))
            .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("written from strings")
}

/// One row per measure, off target first: the latest value judged.
pub fn render_measures_csv(d: &Digest) -> String {
    let header = [
        "Code",
        "Measure",
        "Outcome",
        "Owners",
        "Latest",
        "Period",
        "Target",
        "Target date",
        "Baseline",
        "RAG",
        "Target met",
        "Travel",
        "Travel since",
    ];
    let rows = d.register.measures.iter().map(|m| {
        let latest = m.latest.as_ref();
        vec![
            m.code.clone(),
            m.name.clone(),
            m.outcome.clone().unwrap_or_default(),
            m.owners.join("; "),
            latest.map(|l| m.show(l.value)).unwrap_or_default(),
            latest.map(|l| l.period.clone()).unwrap_or_default(),
            m.show(m.target),
            m.target_date.to_string(),
            m.show(m.baseline),
            latest.map_or("Not judged".into(), |l| l.rag.to_string()),
            latest
                .map_or("", |l| if l.on_target { "Yes" } else { "No" })
                .into(),
            latest
                .map(|l| l.travel.word().to_string())
                .unwrap_or_default(),
            latest.map(|l| l.since.to_string()).unwrap_or_default(),
        ]
    });
    write(&header, rows)
}

/// One row per risk, highest score first, with its change since the
/// quarter before.
pub fn render_risks_csv(d: &Digest) -> String {
    let header = [
        "Code",
        "Risk",
        "Owners",
        "Likelihood",
        "Impact",
        "Score",
        "Band",
        "Score before",
        "Change",
    ];
    let rows = d.register.risks.iter().map(|r| {
        let n = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
        vec![
            r.code.clone(),
            r.title.clone(),
            r.owners.join("; "),
            n(r.rating.map(|x| x.likelihood)),
            n(r.rating.map(|x| x.impact)),
            n(r.score()),
            r.band().map_or("Not rated", |b| b.word()).into(),
            n(r.before.map(|x| x.score())),
            r.change_text(),
        ]
    });
    write(&header, rows)
}

fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record(header).expect("writing to memory");
    for row in rows {
        out.write_record(row.iter().map(|c| neutralise_formula(c)))
            .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("written from strings")
}
