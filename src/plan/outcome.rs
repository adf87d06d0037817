//! Outcomes: what success looks like for a priority, with the actions and
//! measures that serve it.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Its code in the plan, such as OC1.
    pub code: String,
    pub statement: String,
    pub priority: Option<u32>,
    /// The actions that serve it, by reference.
    pub actions: Vec<String>,
}

/// A recommendation's source: Ofsted, or a safeguarding board (LSCB, KSCB).
pub const DEFAULT_BODY: &str = "Ofsted";
