//! Turning rows of cells into priorities and actions, collecting every error.

use super::columns::{Columns, Field};
use super::table::{Cell, Row, Table, excel_serial_date};
use super::{ImportError, RowError};
use crate::plan::{Action, PlanContent, Priority, Recommendation, Status, YearStart};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

struct Errors<'a> {
    table: &'a Table,
    list: Vec<RowError>,
}

impl Errors<'_> {
    fn add(&mut self, row: &Row, column: Option<usize>, field: Field, reason: impl Into<String>) {
        let location = match column {
            Some(c) => format!("{} ({field})", self.table.locate(row.line, c)),
            None => format!("line {}", row.line),
        };
        self.list.push(RowError {
            location,
            line: row.line,
            reason: reason.into(),
        });
    }
}

/// The text of a cell, undoing the quote our export puts before formula-like text.
fn text(row: &Row, column: Option<usize>) -> String {
    let raw = column
        .and_then(|c| row.cell(c))
        .map(Cell::text)
        .unwrap_or_default();
    match raw.strip_prefix('\'') {
        Some(rest) if super::neutralise_formula(rest) != rest => rest.to_string(),
        _ => raw,
    }
}

fn split_names(s: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    s.split([';', '\n'])
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty() && seen.insert(n.to_lowercase()))
        .collect()
}

/// "O12,O13 and O14", "(O18; O22)", "KSCB 3" → ["O12", "O13", "O14"] ...
fn split_codes(s: &str) -> Result<Vec<String>, String> {
    let mut codes = Vec::new();
    let cleaned = s
        .replace(['(', ')'], " ")
        .replace(" and ", ",")
        .replace(" AND ", ",");
    for piece in cleaned.split([';', ',', '\n']) {
        let code: String = piece
            .split_whitespace()
            .collect::<String>()
            .to_ascii_uppercase();
        if code.is_empty() {
            continue;
        }
        let letters = code.trim_end_matches(|c: char| c.is_ascii_digit());
        let valid = !letters.is_empty()
            && letters.len() < code.len()
            && letters.chars().all(|c| c.is_ascii_alphabetic());
        if !valid {
            return Err(format!(
                "\"{}\" is not a recommendation code such as O18 (separate codes with ; or ,)",
                piece.trim()
            ));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// "4. Front Door", "Priority 4: Front Door", "Theme 2 - Staffing" or a bare title.
fn split_priority(s: &str) -> (Option<u32>, String) {
    let trimmed = s.trim();
    let lower = trimmed.to_lowercase();
    let mut rest = trimmed;
    let mut named = false;
    for word in [
        "priority",
        "theme",
        "workstream",
        "work-stream",
        "work stream",
        "area",
    ] {
        if lower.starts_with(word)
            && trimmed[word.len()..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit())
        {
            rest = trimmed[word.len()..].trim_start();
            named = true;
            break;
        }
    }
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() > 4 {
        return (None, trimmed.to_string());
    }
    let after = &rest[digits.len()..];
    let title = after.trim_start_matches(|c: char| c.is_whitespace() || ".:)-–—".contains(c));
    let punctuated = after
        .trim_start()
        .starts_with(|c: char| ".:)-–—".contains(c));
    // "4 Front Door" is priority 4, but "2020 Vision" is a title.
    if !named
        && !punctuated
        && !after.is_empty()
        && (digits.len() > 2 || title.len() == after.len())
    {
        return (None, trimmed.to_string());
    }
    (digits.parse().ok(), title.trim().to_string())
}

fn due_of(cell: Option<&Cell>, year_start: YearStart) -> Result<Option<NaiveDate>, String> {
    match cell {
        None => Ok(None),
        Some(Cell::Date(d)) => Ok(Some(*d)),
        Some(Cell::Number(n)) => excel_serial_date(*n)
            .filter(|_| (20_000.0..80_000.0).contains(n))
            .map(Some)
            .ok_or_else(|| format!("{n} is not a quarter or a date")),
        Some(Cell::Text(t)) => {
            let t = t.trim();
            if t.is_empty() {
                Ok(None)
            } else {
                year_start.parse_due(t).map(Some).map_err(|e| e.to_string())
            }
        }
    }
}

struct PriorityKey {
    number: Option<u32>,
    title: String,
}

pub(super) fn read_actions(
    table: &Table,
    cols: &Columns,
    body: &[Row],
    year_start: YearStart,
) -> Result<PlanContent, ImportError> {
    let mut errors = Errors {
        table,
        list: Vec::new(),
    };
    let col = |f: Field| cols.get(f);
    let mut keys: Vec<PriorityKey> = Vec::with_capacity(body.len());
    let mut actions: Vec<Action> = Vec::with_capacity(body.len());
    let mut explicit_refs: HashMap<String, usize> = HashMap::new();
    let mut strategic: HashMap<usize, Vec<String>> = HashMap::new();
    let mut last_priority: Option<String> = None;

    for row in body {
        let mut priority_text = text(row, col(Field::Priority));
        if priority_text.is_empty() {
            // Merged cells leave the priority on the first row of its block only.
            match &last_priority {
                Some(p) => priority_text = p.clone(),
                None => errors.add(
                    row,
                    col(Field::Priority),
                    Field::Priority,
                    "no priority is given, on this row or above it",
                ),
            }
        }
        last_priority = Some(priority_text.clone());
        let (number, title) = split_priority(&priority_text);

        let action_text = text(row, col(Field::Action));
        if action_text.is_empty() {
            errors.add(
                row,
                col(Field::Action),
                Field::Action,
                "the action is empty; say what will be done",
            );
        }
        let reference = text(row, col(Field::Ref));
        if !reference.is_empty() {
            if let Some(first) = explicit_refs.get(&reference) {
                errors.add(
                    row,
                    col(Field::Ref),
                    Field::Ref,
                    format!("ref {reference} is already used on line {first}"),
                );
            } else {
                explicit_refs.insert(reference.clone(), row.line);
            }
        }
        let status = match Status::parse(&text(row, col(Field::Status))) {
            Ok(s) => s,
            Err(e) => {
                errors.add(row, col(Field::Status), Field::Status, e.to_string());
                Status::NotStarted
            }
        };
        let due_cell = col(Field::Due).and_then(|c| row.cell(c));
        let due = due_of(due_cell, year_start).unwrap_or_else(|e| {
            errors.add(row, col(Field::Due), Field::Due, e);
            None
        });
        let recommendations =
            split_codes(&text(row, col(Field::Recommendations))).unwrap_or_else(|e| {
                errors.add(row, col(Field::Recommendations), Field::Recommendations, e);
                Vec::new()
            });
        let strategic_leads = split_names(&text(row, col(Field::StrategicLeads)));
        if !strategic_leads.is_empty() {
            strategic.entry(keys.len()).or_insert(strategic_leads);
        }
        let group = Some(text(row, col(Field::Group))).filter(|g| !g.is_empty());
        actions.push(Action {
            reference,
            priority: 0,
            priority_title: String::new(),
            group,
            text: action_text,
            leads: split_names(&text(row, col(Field::Leads))),
            due,
            status,
            recommendations,
            evidence: text(row, col(Field::Evidence))
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            last_update: None,
        });
        keys.push(PriorityKey { number, title });
    }

    let priorities = number_priorities(&keys, body, &mut errors, col(Field::Priority));
    if !errors.list.is_empty() {
        return Err(ImportError::Rows(errors.list));
    }
    let mut out: Vec<Priority> = Vec::new();
    for (i, action) in actions.iter_mut().enumerate() {
        let (number, title) = &priorities[i];
        action.priority = *number;
        action.priority_title = title.clone();
        match out.iter_mut().find(|p| p.number == *number) {
            Some(p) => {
                if p.strategic_leads.is_empty() {
                    p.strategic_leads = strategic.get(&i).cloned().unwrap_or_default();
                }
            }
            None => out.push(Priority {
                number: *number,
                title: title.clone(),
                strategic_leads: strategic.get(&i).cloned().unwrap_or_default(),
            }),
        }
    }
    generate_refs(&mut actions);
    Ok(PlanContent {
        priorities: out,
        actions,
        recommendations: Vec::new(),
        has_status: cols.has(Field::Status),
        has_evidence: cols.has(Field::Evidence),
    })
}

/// Gives every row a priority number and title. Bare titles take the number of
/// a numbered priority with the same title, else the next free number in order
/// of first appearance.
fn number_priorities(
    keys: &[PriorityKey],
    body: &[Row],
    errors: &mut Errors,
    col: Option<usize>,
) -> Vec<(u32, String)> {
    let mut titles: HashMap<u32, String> = HashMap::new();
    for (key, row) in keys.iter().zip(body) {
        let Some(n) = key.number else { continue };
        if key.title.is_empty() {
            continue;
        }
        match titles.get(&n) {
            Some(t) if !t.eq_ignore_ascii_case(&key.title) => errors.add(
                row,
                col,
                Field::Priority,
                format!(
                    "priority {n} is called \"{t}\" above and \"{}\" here",
                    key.title
                ),
            ),
            Some(_) => {}
            None => {
                titles.insert(n, key.title.clone());
            }
        }
    }
    let mut by_title: HashMap<String, u32> =
        titles.iter().map(|(n, t)| (t.to_lowercase(), *n)).collect();
    let mut next = 1;
    keys.iter()
        .map(|key| match key.number {
            Some(n) => (
                n,
                titles
                    .get(&n)
                    .cloned()
                    .unwrap_or_else(|| format!("Priority {n}")),
            ),
            None => {
                let n = *by_title.entry(key.title.to_lowercase()).or_insert_with(|| {
                    while titles.contains_key(&next) {
                        next += 1;
                    }
                    titles.insert(next, key.title.clone());
                    next
                });
                (n, key.title.clone())
            }
        })
        .collect()
}

/// Rows without a ref get `<priority>.<n>`, skipping refs the file already uses.
fn generate_refs(actions: &mut [Action]) {
    let mut used: HashSet<String> = actions
        .iter()
        .map(|a| a.reference.clone())
        .filter(|r| !r.is_empty())
        .collect();
    let mut counters: HashMap<u32, u32> = HashMap::new();
    for a in actions.iter_mut().filter(|a| a.reference.is_empty()) {
        let n = counters.entry(a.priority).or_insert(0);
        loop {
            *n += 1;
            let candidate = format!("{}.{}", a.priority, n);
            if used.insert(candidate.clone()) {
                a.reference = candidate;
                break;
            }
        }
    }
}

pub(super) fn read_recommendations(
    table: &Table,
    cols: &Columns,
    body: &[Row],
) -> Result<Vec<Recommendation>, ImportError> {
    let mut errors = Errors {
        table,
        list: Vec::new(),
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for row in body {
        let raw = text(row, cols.get(Field::Code));
        match split_codes(&raw).as_deref() {
            Ok([code]) => {
                if let Some(first) = seen.insert(code.clone(), row.line) {
                    errors.add(
                        row,
                        cols.get(Field::Code),
                        Field::Code,
                        format!("{code} is already listed on line {first}"),
                    );
                }
                let wording = text(row, cols.get(Field::Wording));
                out.push(Recommendation {
                    code: code.clone(),
                    text: Some(wording).filter(|w| !w.is_empty()),
                });
            }
            Ok(_) => errors.add(
                row,
                cols.get(Field::Code),
                Field::Code,
                "give exactly one code such as O18",
            ),
            Err(e) => errors.add(row, cols.get(Field::Code), Field::Code, e.clone()),
        }
    }
    if errors.list.is_empty() {
        Ok(out)
    } else {
        Err(ImportError::Rows(errors.list))
    }
}
