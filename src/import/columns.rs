//! Which column holds what, by the header names councils actually use.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Priority,
    Ref,
    Group,
    Action,
    Leads,
    StrategicLeads,
    Due,
    Status,
    Recommendations,
    Evidence,
    /// In a list of recommendations: the code (O18).
    Code,
    /// In a list of recommendations: its wording.
    Wording,
    /// In a list of recommendations: who made it (Ofsted, LSCB, KSCB).
    Body,
}

impl Field {
    /// Header names (compared lower-case, letters and digits only) for each field.
    const ALIASES: &'static [(Field, &'static [&'static str])] = &[
        (
            Field::Priority,
            &["priority", "theme", "workstream", "area", "priorityarea"],
        ),
        (Field::Ref, &["ref", "reference", "id", "actionref", "no"]),
        (Field::Group, &["group", "subheading"]),
        (
            Field::Action,
            &["action", "what", "project", "description", "actions"],
        ),
        (Field::Leads, &["leads", "lead", "owner", "owners", "who"]),
        (
            Field::StrategicLeads,
            &[
                "strategicleads",
                "strategiclead",
                "strategicresponsibility",
                "sponsor",
            ],
        ),
        (
            Field::Due,
            &[
                "due",
                "timeframe",
                "deadline",
                "targetdate",
                "when",
                "duedate",
            ],
        ),
        (Field::Status, &["status", "rag", "progress", "ragstatus"]),
        (
            Field::Recommendations,
            &[
                "recommendations",
                "recs",
                "ofsted",
                "refs",
                "recommendation",
            ],
        ),
        (Field::Evidence, &["evidence", "notes"]),
        (Field::Code, &["code"]),
        (Field::Wording, &["text", "wording"]),
        (Field::Body, &["body", "source", "issuedby", "madeby"]),
    ];

    pub fn from_header(header: &str) -> Option<Field> {
        let key: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Field::ALIASES
            .iter()
            .find(|(_, names)| names.contains(&key.as_str()))
            .map(|(f, _)| *f)
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::Priority => "Priority",
            Field::Ref => "Ref",
            Field::Group => "Group",
            Field::Action => "Action",
            Field::Leads => "Leads",
            Field::StrategicLeads => "Strategic Leads",
            Field::Due => "Due",
            Field::Status => "Status",
            Field::Recommendations => "Recommendations",
            Field::Evidence => "Evidence",
            Field::Code => "Code",
            Field::Wording => "Recommendation",
            Field::Body => "Body",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The header row: which column each field is in.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    found: Vec<(Field, usize)>,
    pub ignored: Vec<String>,
}

impl Columns {
    pub fn get(&self, field: Field) -> Option<usize> {
        self.found
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| *c)
    }

    pub fn has(&self, field: Field) -> bool {
        self.get(field).is_some()
    }

    /// Reads a header row; a field named twice is an error (which one would win?).
    pub fn from_headers(headers: &[String]) -> Result<Columns, String> {
        let mut cols = Columns::default();
        for (i, h) in headers.iter().enumerate() {
            if h.trim().is_empty() {
                continue;
            }
            match Field::from_header(h) {
                Some(f) => {
                    if let Some(first) = cols.get(f) {
                        return Err(format!(
                            "columns {} and {} both mean {f}; rename or remove one",
                            first + 1,
                            i + 1
                        ));
                    }
                    cols.found.push((f, i));
                }
                None => cols.ignored.push(h.trim().to_string()),
            }
        }
        // "Recommendation" on its own heads the wording in a list of them.
        if cols.has(Field::Code)
            && !cols.has(Field::Wording)
            && let Some(i) = cols.get(Field::Recommendations)
        {
            cols.found.retain(|(f, _)| *f != Field::Recommendations);
            cols.found.push((Field::Wording, i));
        }
        Ok(cols)
    }
}
