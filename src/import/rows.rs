//! Turning rows of cells into priorities and actions, one row at a time,
//! collecting every error.

use super::columns::{Columns, Field};
use super::leads::split_leads;
use super::report::Report;
use super::table::{Cell, Row, excel_serial_date};
use crate::plan::{Action, FileColumns, PlanContent, Priority, Recommendation, Status, YearStart};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::hash_map::{Entry, RandomState};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

/// The text of a cell, undoing the quote our export puts before formula-like text.
pub(super) fn text(row: &Row, column: Option<usize>) -> String {
    cell_text(row, column).into_owned()
}

/// As `text`, borrowed from the cell where it can be: most cells are read
/// only to be parsed, and a big plan has millions of them.
fn cell_text(row: &Row, column: Option<usize>) -> Cow<'_, str> {
    fn unquoted(raw: &str) -> &str {
        match raw.strip_prefix('\'') {
            Some(rest) if super::neutralise_formula(rest) != rest => rest,
            _ => raw,
        }
    }
    match column.and_then(|c| row.cell(c)) {
        None => Cow::Borrowed(""),
        Some(Cell::Text(t)) => Cow::Borrowed(unquoted(t.trim())),
        Some(other) => Cow::Owned(unquoted(&other.text()).to_string()),
    }
}

/// "O12,O13 and O14", "(O18; O22)", "KSCB 3" → ["O12", "O13", "O14"] ...
pub(super) fn split_codes(s: &str) -> Result<Vec<String>, String> {
    let mut codes = Vec::new();
    // Most cells have none of these to replace, and need no copy.
    let mut cleaned = Cow::Borrowed(s);
    if cleaned.contains(['(', ')']) {
        cleaned = Cow::Owned(cleaned.replace(['(', ')'], " "));
    }
    for and in [" and ", " AND "] {
        if cleaned.contains(and) {
            cleaned = Cow::Owned(cleaned.replace(and, ","));
        }
    }
    for piece in cleaned.split([';', ',', '\n']) {
        let code: String = piece
            .split_whitespace()
            .flat_map(str::chars)
            .map(|c| c.to_ascii_uppercase())
            .collect();
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
    codes.shrink_to_fit();
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

pub(super) fn due_of(
    cell: Option<&Cell>,
    year_start: YearStart,
) -> Result<Option<NaiveDate>, String> {
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

/// The refs the file gives, each with the line that first gave it, found
/// by a hash of the ref: the refs are in the actions already, and a copy of
/// each as a key (hashed again each time the map grew) cost a big plan a
/// tenth of its reading. A ref whose hash another ref has is kept whole.
#[derive(Default)]
struct Refs {
    /// The hash of a ref, the action (an index into the actions) that has
    /// it, and that action's line.
    by_hash: HashMap<u64, (usize, usize)>,
    collided: HashMap<String, usize>,
    hasher: RandomState,
}

impl Refs {
    /// Adds the ref of the next action (the one after `actions`) on `line`;
    /// if another row has it already, returns that row's line instead.
    fn add(&mut self, actions: &[Action], reference: &str, line: usize) -> Option<usize> {
        match self.by_hash.entry(self.hasher.hash_one(reference)) {
            Entry::Vacant(e) => {
                e.insert((actions.len(), line));
                None
            }
            Entry::Occupied(e) => {
                let (index, first) = *e.get();
                if actions[index].reference == reference {
                    return Some(first);
                }
                match self.collided.entry(reference.to_string()) {
                    Entry::Occupied(e) => Some(*e.get()),
                    Entry::Vacant(e) => {
                        e.insert(line);
                        None
                    }
                }
            }
        }
    }
}

/// Due dates read so far, by the cell's text: a plan gives the same few
/// quarters and dates on thousands of rows, and reading one takes several
/// allocations. Only dates read without error are kept, and only so many.
#[derive(Default)]
struct Dues(HashMap<String, NaiveDate>);

impl Dues {
    const KEPT: usize = 1024;

    fn read(
        &mut self,
        cell: Option<&Cell>,
        year_start: YearStart,
    ) -> Result<Option<NaiveDate>, String> {
        let Some(Cell::Text(text)) = cell else {
            return due_of(cell, year_start);
        };
        if let Some(date) = self.0.get(text.trim()) {
            return Ok(Some(*date));
        }
        let due = due_of(cell, year_start)?;
        if let Some(date) = due
            && self.0.len() < Self::KEPT
        {
            self.0.insert(text.trim().to_string(), date);
        }
        Ok(due)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PriorityKey {
    number: Option<u32>,
    title: String,
}

/// Reads a plan's rows as they come; `finish` settles what needs the whole
/// file (priority numbers, generated refs).
pub(super) struct ActionReader<'a> {
    cols: &'a Columns,
    year_start: YearStart,
    actions: Vec<Action>,
    /// Each action's priority, as an index into `keys`.
    key_of: Vec<u32>,
    keys: Vec<PriorityKey>,
    key_index: HashMap<PriorityKey, u32>,
    /// Numbered priorities' titles, as first written.
    titles: HashMap<u32, String>,
    explicit_refs: Refs,
    /// For each priority key, the first row naming strategic leads: the
    /// action's index, the names and the file's line.
    strategic: HashMap<u32, (usize, Vec<String>, usize)>,
    last_priority: Option<String>,
    dues: Dues,
}

impl<'a> ActionReader<'a> {
    pub fn new(cols: &'a Columns, year_start: YearStart) -> Self {
        ActionReader {
            cols,
            year_start,
            actions: Vec::new(),
            key_of: Vec::new(),
            keys: Vec::new(),
            key_index: HashMap::new(),
            titles: HashMap::new(),
            explicit_refs: Refs::default(),
            strategic: HashMap::new(),
            last_priority: None,
            dues: Dues::default(),
        }
    }

    pub fn push(&mut self, row: &Row, report: &mut Report) {
        let col = |f: Field| self.cols.get(f);
        let mut error = |f: Field, reason: String| report.error(row.line, col(f), Some(f), reason);
        let mut priority_text = cell_text(row, col(Field::Priority));
        if priority_text.is_empty() {
            // Merged cells leave the priority on the first row of its block only.
            match &self.last_priority {
                Some(p) => priority_text = Cow::Owned(p.clone()),
                None => error(
                    Field::Priority,
                    "no priority is given, on this row or above it".into(),
                ),
            }
        }
        let (number, title) = split_priority(&priority_text);
        if self.last_priority.as_deref() != Some(&*priority_text) {
            self.last_priority = Some(priority_text.into_owned());
        }
        if let Some(n) = number.filter(|_| !title.is_empty()) {
            match self.titles.get(&n) {
                Some(t) if !t.eq_ignore_ascii_case(&title) => error(
                    Field::Priority,
                    format!("priority {n} is called \"{t}\" above and \"{title}\" here"),
                ),
                Some(_) => {}
                None => {
                    self.titles.insert(n, title.clone());
                }
            }
        }
        let key = PriorityKey { number, title };
        let index = match self.key_index.get(&key) {
            Some(&index) => index,
            None => {
                let index = self.keys.len() as u32;
                self.keys.push(key.clone());
                self.key_index.insert(key, index);
                index
            }
        };

        let action_text = text(row, col(Field::Action));
        if action_text.is_empty() {
            error(
                Field::Action,
                "the action is empty; say what will be done".into(),
            );
        }
        let reference = text(row, col(Field::Ref));
        if !reference.is_empty()
            && let Some(first) = self.explicit_refs.add(&self.actions, &reference, row.line)
        {
            error(
                Field::Ref,
                format!("ref {reference} is already used on line {first}"),
            );
        }
        let status = Status::parse(&cell_text(row, col(Field::Status))).unwrap_or_else(|e| {
            error(Field::Status, e.to_string());
            Status::NotStarted
        });
        let due_cell = col(Field::Due).and_then(|c| row.cell(c));
        let due = self
            .dues
            .read(due_cell, self.year_start)
            .unwrap_or_else(|e| {
                error(Field::Due, e);
                None
            });
        let recommendations = split_codes(&cell_text(row, col(Field::Recommendations)))
            .unwrap_or_else(|e| {
                error(Field::Recommendations, e);
                Vec::new()
            });
        let leads = self.names(row, Field::Leads, report);
        let strategic_leads = self.names(row, Field::StrategicLeads, report);
        if !strategic_leads.is_empty() {
            match self.strategic.get(&index) {
                // Which list would the priority keep? Saying so beats a guess.
                Some((_, first, line)) if !same_people(first, &strategic_leads) => {
                    let field = Field::StrategicLeads;
                    let reason = format!(
                        "the priority's strategic leads are \"{}\" on line {line} and \"{}\" here; \
                         give them once, or the same on every row",
                        first.join("; "),
                        strategic_leads.join("; ")
                    );
                    report.error(row.line, self.cols.get(field), Some(field), reason);
                }
                Some(_) => {}
                None => {
                    let first = (self.actions.len(), strategic_leads, row.line);
                    self.strategic.insert(index, first);
                }
            }
        }
        let group = Some(text(row, col(Field::Group))).filter(|g| !g.is_empty());
        self.actions.push(Action {
            reference,
            priority: 0,
            priority_title: String::new(),
            group,
            text: action_text,
            leads,
            due,
            status,
            recommendations,
            evidence: evidence(&cell_text(row, col(Field::Evidence))),
            last_update: None,
        });
        self.key_of.push(index);
    }

    /// The people a cell names; a cell it cannot split with confidence is
    /// kept whole, with a warning so the admin can fix it.
    fn names(&self, row: &Row, field: Field, report: &mut Report) -> Vec<String> {
        let column = self.cols.get(field);
        let (names, unsure) = split_leads(&cell_text(row, column));
        for doubt in unsure {
            let at = report.locate(row.line, column, Some(field));
            report.warn(format!("{at}: {}", doubt.warning()));
        }
        names
    }

    /// The plan, unless a row had a problem.
    pub fn finish(self, report: &Report) -> Option<PlanContent> {
        if report.has_errors() {
            return None;
        }
        let ActionReader {
            cols,
            mut actions,
            key_of,
            keys,
            mut titles,
            strategic,
            ..
        } = self;
        let numbered = number_priorities(&keys, &mut titles);
        // A priority's strategic leads come from its first row that names any.
        let mut leads_of: HashMap<u32, (usize, &Vec<String>)> = HashMap::new();
        for (key, (row, names, _)) in &strategic {
            let number = numbered[*key as usize].0;
            let first = leads_of.entry(number).or_insert((*row, names));
            if *row < first.0 {
                *first = (*row, names);
            }
        }
        let mut out: Vec<Priority> = Vec::new();
        for (action, key) in actions.iter_mut().zip(key_of) {
            let (number, title) = &numbered[key as usize];
            action.priority = *number;
            action.priority_title = title.clone();
            if !out.iter().any(|p| p.number == *number) {
                out.push(Priority {
                    number: *number,
                    title: title.clone(),
                    strategic_leads: leads_of
                        .get(number)
                        .map(|(_, names)| (*names).clone())
                        .unwrap_or_default(),
                });
            }
        }
        generate_refs(&mut actions);
        actions.shrink_to_fit();
        Some(PlanContent {
            priorities: out,
            actions,
            recommendations: Vec::new(),
            columns: FileColumns {
                group: cols.has(Field::Group),
                leads: cols.has(Field::Leads),
                strategic_leads: cols.has(Field::StrategicLeads),
                due: cols.has(Field::Due),
                status: cols.has(Field::Status),
                recommendations: cols.has(Field::Recommendations),
                evidence: cols.has(Field::Evidence),
            },
            ..Default::default()
        })
    }
}

/// Gives every priority a number and title. Bare titles take the number of
/// a numbered priority with the same title, else the next free number in order
/// of first appearance.
fn number_priorities(
    keys: &[PriorityKey],
    titles: &mut HashMap<u32, String>,
) -> Vec<(u32, String)> {
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

fn same_people(a: &[String], b: &[String]) -> bool {
    if a == b {
        // As most rows give them: no need for sets of lower-case copies.
        return true;
    }
    let set = |names: &[String]| -> std::collections::BTreeSet<String> {
        names.iter().map(|n| n.to_lowercase()).collect()
    };
    set(a) == set(b)
}

/// Rows without a ref get `<priority>.<n>`, skipping refs the file already
/// uses.
fn generate_refs(actions: &mut [Action]) {
    if actions.iter().all(|a| !a.reference.is_empty()) {
        return;
    }
    let mut used: HashSet<String> = actions
        .iter()
        .filter(|a| !a.reference.is_empty())
        .map(|a| a.reference.clone())
        .collect();
    let mut counters: HashMap<u32, u32> = HashMap::new();
    for a in actions.iter_mut().filter(|a| a.reference.is_empty()) {
        let n = counters.entry(a.priority).or_insert(0);
        loop {
            *n += 1;
            let candidate = format!("{}.{}", a.priority, n);
            if !used.contains(&candidate) {
                used.insert(candidate.clone());
                a.reference = candidate;
                break;
            }
        }
    }
}

/// One item per line. Lists are sized to fit: a plan holds hundreds of
/// thousands of them.
fn evidence(cell: &str) -> Vec<String> {
    let mut items: Vec<String> = cell
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    items.shrink_to_fit();
    items
}

/// Reads a list of recommendations (code and wording) row by row.
#[derive(Default)]
pub(super) struct RecommendationReader {
    seen: HashMap<String, usize>,
    out: Vec<Recommendation>,
}

impl RecommendationReader {
    pub fn push(&mut self, cols: &Columns, row: &Row, report: &mut Report) {
        let column = cols.get(Field::Code);
        let mut error = |reason: String| report.error(row.line, column, Some(Field::Code), reason);
        match split_codes(&text(row, column)).as_deref() {
            Ok([code]) => {
                if let Some(first) = self.seen.insert(code.clone(), row.line) {
                    error(format!("{code} is already listed on line {first}"));
                }
                let wording = text(row, cols.get(Field::Wording));
                // An empty Body cell means Ofsted, as the column's absence does for a new code.
                let body = cols.get(Field::Body).map(|c| {
                    Some(text(row, Some(c)))
                        .filter(|b| !b.is_empty())
                        .unwrap_or_else(|| crate::plan::outcome::DEFAULT_BODY.to_string())
                });
                self.out.push(Recommendation {
                    code: code.clone(),
                    text: Some(wording).filter(|w| !w.is_empty()),
                    body,
                });
            }
            Ok(_) => error("give exactly one code such as O18".into()),
            Err(e) => error(e.clone()),
        }
    }

    pub fn finish(self) -> Vec<Recommendation> {
        self.out
    }
}
