//! Writing a plan back to CSV, in the same columns the importer reads.

use crate::plan::{Action, Plan, Priority};

pub const EXPORT_HEADER: [&str; 10] = [
    "Priority",
    "Ref",
    "Group",
    "Action",
    "Leads",
    "Strategic Leads",
    "Due",
    "Status",
    "Recommendations",
    "Evidence",
];

/// A spreadsheet runs a cell starting with one of these as a formula, so a
/// note like "=HYPERLINK(...)" could do harm when a board member opens the
/// export. A leading apostrophe makes it text; the importer takes it off.
pub fn neutralise_formula(cell: &str) -> String {
    const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    // Text that already starts with a quote before such a character gets a
    // second quote, so the importer's unquoting gives it back unchanged.
    if cell.starts_with(FORMULA)
        || cell
            .strip_prefix('\'')
            .is_some_and(|r| r.starts_with(FORMULA))
    {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

pub fn export_csv(plan: &Plan, priorities: &[Priority], actions: &[Action]) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record(EXPORT_HEADER).expect("writing to memory");
    for a in actions {
        let strategic = priorities
            .iter()
            .find(|p| p.number == a.priority)
            .map(|p| p.strategic_leads.join("; "))
            .unwrap_or_default();
        let record = [
            format!("{}. {}", a.priority, a.priority_title),
            a.reference.clone(),
            a.group.clone().unwrap_or_default(),
            a.text.clone(),
            a.leads.join("; "),
            strategic,
            a.due.map(|d| plan.due_label(d)).unwrap_or_default(),
            a.status.label().to_string(),
            a.recommendations.join(", "),
            a.evidence.join("\n"),
        ];
        out.write_record(record.iter().map(|c| neutralise_formula(c)))
            .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("written from strings")
}
