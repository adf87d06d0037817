//! Measures as the board reads them at a moment: each with its values so
//! far and the latest judged. Pure, so the application layer and the digest
//! (which may not call the application layer) read measures the same way.

use super::measure::{Judged, Measure, Period, Rag};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// A measure with its latest value as known at some moment, judged.
#[derive(Debug, Clone)]
pub struct MeasureStanding {
    pub measure: Measure,
    /// The latest period with a value, and the value judged.
    pub latest: Option<(Period, Judged)>,
    /// Every period's value, oldest first: the trend.
    pub series: Vec<(Period, f64)>,
}

impl MeasureStanding {
    pub fn off_target(&self) -> bool {
        self.latest.is_some_and(|(_, j)| j.rag != Rag::Green)
    }
}

/// Each measure with its values (keyed by measure code, then period start),
/// off target first (red, then amber), then in the plan's order; a measure
/// with no value yet counts as green here, as nothing says it is off target.
pub fn standings(
    measures: Vec<Measure>,
    values: &HashMap<String, BTreeMap<NaiveDate, f64>>,
) -> Vec<MeasureStanding> {
    let mut out: Vec<MeasureStanding> = measures
        .into_iter()
        .map(|measure| {
            let series: Vec<(Period, f64)> = values
                .get(&measure.code)
                .map(|periods| {
                    periods
                        .iter()
                        .map(|(start, v)| {
                            let period = Period {
                                start: *start,
                                frequency: measure.frequency,
                            };
                            (period, *v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let latest = series.last().map(|&(period, value)| {
                let previous = series.iter().rev().nth(1).map(|&(_, v)| v);
                (period, measure.judge(period, value, previous))
            });
            MeasureStanding {
                measure,
                latest,
                series,
            }
        })
        .collect();
    // A stable sort: the plan's order within each RAG.
    out.sort_by_key(|s| s.latest.map_or(Rag::Green, |(_, j)| j.rag));
    out
}
