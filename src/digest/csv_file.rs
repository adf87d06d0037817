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
