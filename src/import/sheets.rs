//! Which kind of sheet a sheet is (by its name, or failing that its header),
//! and the columns of the sheets beside the actions: outcomes, measures,
//! measure values and risks. Their headers have aliases of their own, since
//! "Target date" is a measure's target there and an action's due date in
//! the action sheet.

/// What a sheet (or a CSV file) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SheetKind {
    Actions,
    Recommendations,
    Outcomes,
    Measures,
    Values,
    Risks,
}

impl SheetKind {
    pub fn word(self) -> &'static str {
        match self {
            SheetKind::Actions => "actions",
            SheetKind::Recommendations => "recommendations",
            SheetKind::Outcomes => "outcomes",
            SheetKind::Measures => "measures",
            SheetKind::Values => "measure values",
            SheetKind::Risks => "risks",
        }
    }

    /// "Measure values", "KPI values" and "Values" before "Measures" and "KPIs".
    pub fn by_name(name: &str) -> Option<SheetKind> {
        let n = name.to_lowercase();
        let has = |w: &str| n.contains(w);
        Some(if has("value") || has("actuals") {
            SheetKind::Values
        } else if has("measure") || has("kpi") || has("indicator") {
            SheetKind::Measures
        } else if has("risk") {
            SheetKind::Risks
        } else if has("outcome") {
            SheetKind::Outcomes
        } else if has("recommendation") {
            SheetKind::Recommendations
        } else if has("action") || has("plan") {
            SheetKind::Actions
        } else {
            return None;
        })
    }

    /// The kind a header row names, if any: the columns only that kind has.
    pub fn by_header(headers: &[String]) -> Option<SheetKind> {
        let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
        let has = |names: &[&str]| keys.iter().any(|k| names.contains(&k.as_str()));
        if has(&["unit", "units", "baseline", "baselinedate"]) {
            Some(SheetKind::Measures)
        } else if has(&["period", "month"]) && has(&["value", "actual"]) {
            Some(SheetKind::Values)
        } else if has(&[
            "likelihood",
            "risk",
            "riskcode",
            "mitigatingactions",
            "cause",
            "consequence",
        ]) {
            Some(SheetKind::Risks)
        } else if has(&["code", "outcomecode"]) && has(&["outcome", "statement"]) {
            Some(SheetKind::Outcomes)
        } else if has(&["code"]) && !has(&["action", "what", "project", "description"]) {
            Some(SheetKind::Recommendations)
        } else if has(&["action", "what", "project", "description", "actions"]) {
            Some(SheetKind::Actions)
        } else {
            None
        }
    }
}

/// Lower case, letters and digits only: "Baseline date" → "baselinedate".
pub fn key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A column of a register sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Code,
    Name,
    Priority,
    Actions,
    Unit,
    Outcome,
    Recommendations,
    Owners,
    Frequency,
    Baseline,
    BaselineDate,
    Target,
    TargetDate,
    Better,
    Tolerance,
    Measure,
    Period,
    Value,
    Note,
    Cause,
    Consequence,
    Likelihood,
    Impact,
    Mitigations,
    NextReview,
}

type Aliases = &'static [(Col, &'static str, &'static [&'static str])];

const OUTCOMES: Aliases = &[
    (Col::Code, "Code", &["code", "outcomecode", "ref"]),
    (Col::Name, "Outcome", &["outcome", "statement"]),
    (
        Col::Priority,
        "Priority",
        &["priority", "theme", "workstream"],
    ),
    (Col::Actions, "Actions", &["actions", "actionrefs", "refs"]),
];

const MEASURES: Aliases = &[
    (
        Col::Code,
        "Code",
        &["code", "measurecode", "kpicode", "ref", "kpiref"],
    ),
    (
        Col::Name,
        "Measure",
        &["measure", "name", "kpi", "indicator", "description"],
    ),
    (Col::Unit, "Unit", &["unit", "units"]),
    (Col::Outcome, "Outcome", &["outcome", "outcomecode"]),
    (
        Col::Priority,
        "Priority",
        &["priority", "theme", "workstream"],
    ),
    (
        Col::Recommendations,
        "Recommendations",
        &["recommendations", "recs", "ofsted"],
    ),
    (Col::Owners, "Owners", &["owners", "owner", "leads", "lead"]),
    (Col::Frequency, "Frequency", &["frequency", "reporting"]),
    (Col::Baseline, "Baseline", &["baseline"]),
    (
        Col::BaselineDate,
        "Baseline date",
        &["baselinedate", "baselineasat", "asat"],
    ),
    (Col::Target, "Target", &["target"]),
    (
        Col::TargetDate,
        "Target date",
        &["targetdate", "targetby", "by"],
    ),
    (
        Col::Better,
        "Better",
        &["better", "direction", "polarity", "goodis"],
    ),
    (Col::Tolerance, "Tolerance", &["tolerance", "amber"]),
];

const VALUES: Aliases = &[
    (
        Col::Measure,
        "Measure",
        &["measure", "measurecode", "code", "kpi"],
    ),
    (
        Col::Period,
        "Period",
        &["period", "month", "quarter", "date"],
    ),
    (Col::Value, "Value", &["value", "actual", "result"]),
    (
        Col::Note,
        "Note",
        &["note", "notes", "comment", "commentary"],
    ),
];

const RISKS: Aliases = &[
    (Col::Code, "Code", &["code", "riskcode", "ref", "riskref"]),
    (Col::Name, "Risk", &["risk", "title", "description"]),
    (Col::Cause, "Cause", &["cause", "causes"]),
    (
        Col::Consequence,
        "Consequence",
        &["consequence", "consequences", "effect"],
    ),
    (
        Col::Owners,
        "Owners",
        &["owners", "owner", "riskowner", "lead"],
    ),
    (
        Col::Likelihood,
        "Likelihood",
        &["likelihood", "probability"],
    ),
    (Col::Impact, "Impact", &["impact", "severity"]),
    (
        Col::Mitigations,
        "Mitigating actions",
        &["mitigatingactions", "mitigations", "mitigation", "actions"],
    ),
    (
        Col::NextReview,
        "Next review",
        &["nextreview", "reviewdate", "nextreviewdate"],
    ),
];

/// The columns a register sheet's header row names.
#[derive(Debug, Clone, Default)]
pub struct RegisterColumns {
    found: Vec<(Col, usize, &'static str)>,
    pub ignored: Vec<String>,
}

impl RegisterColumns {
    pub fn from_headers(kind: SheetKind, headers: &[String]) -> Result<Self, String> {
        let table = match kind {
            SheetKind::Outcomes => OUTCOMES,
            SheetKind::Measures => MEASURES,
            SheetKind::Values => VALUES,
            SheetKind::Risks => RISKS,
            SheetKind::Actions | SheetKind::Recommendations => &[],
        };
        let mut cols = RegisterColumns::default();
        for (i, h) in headers.iter().enumerate() {
            let k = key(h);
            if k.is_empty() {
                continue;
            }
            match table
                .iter()
                .find(|(_, _, names)| names.contains(&k.as_str()))
            {
                Some((col, name, _)) => {
                    if let Some((_, first, _)) = cols.found.iter().find(|(c, ..)| c == col) {
                        return Err(format!(
                            "columns {} and {} both mean {name}; rename or remove one",
                            first + 1,
                            i + 1
                        ));
                    }
                    cols.found.push((*col, i, name));
                }
                None => cols.ignored.push(h.trim().to_string()),
            }
        }
        Ok(cols)
    }

    pub fn get(&self, col: Col) -> Option<usize> {
        self.found
            .iter()
            .find(|(c, ..)| *c == col)
            .map(|(_, i, _)| *i)
    }

    pub fn has(&self, col: Col) -> bool {
        self.get(col).is_some()
    }

    /// The header's name for a column, for error messages.
    pub fn name(kind: SheetKind, col: Col) -> &'static str {
        let table = match kind {
            SheetKind::Outcomes => OUTCOMES,
            SheetKind::Measures => MEASURES,
            SheetKind::Values => VALUES,
            _ => RISKS,
        };
        table
            .iter()
            .find(|(c, ..)| *c == col)
            .map_or("?", |(_, name, _)| name)
    }

    /// The columns a sheet of this kind cannot do without, and those missing.
    pub fn missing(&self, kind: SheetKind) -> Vec<&'static str> {
        let required: &[Col] = match kind {
            SheetKind::Outcomes => &[Col::Code, Col::Name],
            SheetKind::Measures => &[
                Col::Code,
                Col::Name,
                Col::Unit,
                Col::Better,
                Col::Baseline,
                Col::BaselineDate,
                Col::Target,
                Col::TargetDate,
            ],
            SheetKind::Values => &[Col::Measure, Col::Period, Col::Value],
            SheetKind::Risks => &[Col::Code, Col::Name],
            _ => &[],
        };
        required
            .iter()
            .filter(|c| !self.has(**c))
            .map(|c| Self::name(kind, *c))
            .collect()
    }

    /// The names of the columns found, for a message about what is missing.
    pub fn found_names(&self) -> Vec<&'static str> {
        self.found.iter().map(|(_, _, n)| *n).collect()
    }
}
