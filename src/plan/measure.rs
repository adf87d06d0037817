//! Measures (KPIs): what they count, how often a value is due, where they
//! start and where they should get to, and how a value is judged: its RAG
//! against the straight-line trajectory from baseline to target, and its
//! direction of travel. Values are kept over time; nothing here stores them.

use super::YearStart;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::fmt;

/// What a measure's values count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A count or a rate: any number.
    Number,
    /// 0 to 100.
    Percent,
    /// A duration in days: not negative.
    Days,
    /// Money, in pounds.
    Pounds,
}

impl Unit {
    pub fn parse(text: &str) -> Option<Unit> {
        match text.trim().to_lowercase().as_str() {
            "number" | "count" | "no." | "#" | "rate" => Some(Unit::Number),
            "%" | "percent" | "percentage" => Some(Unit::Percent),
            "days" | "day" => Some(Unit::Days),
            "£" | "gbp" | "pounds" | "money" => Some(Unit::Pounds),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Number => "number",
            Unit::Percent => "%",
            Unit::Days => "days",
            Unit::Pounds => "£",
        }
    }

    /// Reads a value written for this unit ("72", "72%", "£1,200", "-£500",
    /// "3.5", "14 days"). A comma only separates thousands: "1,20" is
    /// refused, where it had been read as 120 (a decimal comma, or a typo,
    /// is not a guess to make).
    pub fn read(self, text: &str) -> Result<f64, ValueError> {
        let bad = || ValueError::NotANumber {
            text: text.trim().to_string(),
            unit: self,
        };
        let mut t = text.trim();
        if self == Unit::Percent {
            t = t.strip_suffix('%').unwrap_or(t).trim_end();
        }
        if self == Unit::Days {
            t = strip_days(t);
        }
        // "-£500" and "£-500" alike.
        let (minus, mut t) = t.strip_prefix('-').map_or((false, t), |r| (true, r));
        if self == Unit::Pounds {
            t = t.strip_prefix('£').unwrap_or(t).trim_start();
        }
        if minus && t.starts_with('-') {
            return Err(bad());
        }
        let digits = without_thousands_commas(t).ok_or_else(bad)?;
        let value: f64 = digits.parse().map_err(|_| bad())?;
        if !value.is_finite() {
            return Err(bad());
        }
        let value = if minus { -value } else { value };
        self.check(value)?;
        Ok(value)
    }

    /// What a value of this unit is, and how to write one, for messages.
    fn written(self) -> (&'static str, &'static str) {
        match self {
            Unit::Number => ("a number", "12 or 1,200"),
            Unit::Percent => ("a percentage", "72 or 72%"),
            Unit::Days => ("a number of days", "14 or 14 days"),
            Unit::Pounds => ("an amount in pounds", "1200 or £1,200"),
        }
    }

    pub fn check(self, value: f64) -> Result<(), ValueError> {
        match self {
            Unit::Percent if !(0.0..=100.0).contains(&value) => {
                Err(ValueError::OutOfRange(value, "a percentage is 0 to 100"))
            }
            Unit::Days if value < 0.0 => {
                Err(ValueError::OutOfRange(value, "days are not negative"))
            }
            _ => Ok(()),
        }
    }

    /// A value as the board reads it: "72.5%", "0.12%", "£1200", "14 days",
    /// "31". Two decimals at most: a target of 0.12% must not read as 0.1%,
    /// and a trajectory's 33.333... reads as 33.33.
    pub fn show(self, value: f64) -> String {
        let rounded = format!("{value:.2}");
        let number = rounded.trim_end_matches('0').trim_end_matches('.');
        let number = if number == "-0" { "0" } else { number };
        match self {
            Unit::Number => number.to_string(),
            Unit::Percent => format!("{number}%"),
            Unit::Days if number == "1" => "1 day".to_string(),
            Unit::Days => format!("{number} days"),
            Unit::Pounds => format!("£{number}"),
        }
    }
}

/// `text` without its unit of days, written in any case: "14 days",
/// "1 Day", "3d".
fn strip_days(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    let number = ["days", "day", "d"]
        .iter()
        .find_map(|unit| lower.strip_suffix(unit))
        .map_or(text.len(), str::len);
    // ASCII lowercasing keeps every byte where it was.
    text[..number].trim_end()
}

/// `text` with the commas that group its whole part's digits in threes
/// taken out; `None` when a comma stands anywhere else.
fn without_thousands_commas(text: &str) -> Option<String> {
    if !text.contains(',') {
        return Some(text.to_string());
    }
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text, None), |(w, f)| (w, Some(f)));
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let grouped = (1..=3).contains(&first.len())
        && digits(first)
        && groups.all(|g| g.len() == 3 && digits(g));
    if !grouped || fraction.is_some_and(|f| f.contains(',')) {
        return None;
    }
    Some(text.replace(',', ""))
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("\"{text}\" is not {}: write it as {}", unit.written().0, unit.written().1)]
    NotANumber { text: String, unit: Unit },
    #[error("{0} is out of range: {1}")]
    OutOfRange(f64, &'static str),
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    pub fn parse(text: &str) -> Option<Better> {
        match text.trim().to_lowercase().as_str() {
            "higher" | "up" | "higher is better" | "increase" | "high" => Some(Better::Higher),
            "lower" | "down" | "lower is better" | "decrease" | "reduce" | "low" => {
                Some(Better::Lower)
            }
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
        }
    }

    /// How much better `a` is than `b` (negative when worse).
    fn gain(self, a: f64, b: f64) -> f64 {
        match self {
            Better::Higher => a - b,
            Better::Lower => b - a,
        }
    }
}

/// How often a value is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Monthly,
    Quarterly,
}

impl Frequency {
    pub fn parse(text: &str) -> Option<Frequency> {
        match text.trim().to_lowercase().as_str() {
            "monthly" | "month" | "m" => Some(Frequency::Monthly),
            "quarterly" | "quarter" | "q" => Some(Frequency::Quarterly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
        }
    }
}

/// One period a value is for: a month, or a quarter of the plan's year,
/// named by its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub frequency: Frequency,
}

impl Period {
    /// The period a date falls in.
    pub fn containing(date: NaiveDate, frequency: Frequency, year: YearStart) -> Period {
        let start = match frequency {
            Frequency::Monthly => date.with_day(1).expect("day 1 exists"),
            Frequency::Quarterly => year.first_day(year.quarter_of(date)),
        };
        Period { start, frequency }
    }

    fn months(self) -> u32 {
        match self.frequency {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
        }
    }

    pub fn end(self) -> NaiveDate {
        self.start + Months::new(self.months()) - chrono::Duration::days(1)
    }

    pub fn next(self) -> Period {
        Period {
            start: self.start + Months::new(self.months()),
            ..self
        }
    }

    pub fn previous(self) -> Period {
        Period {
            start: self.start - Months::new(self.months()),
            ..self
        }
    }

    /// "May 2019", or "Q1 19/20".
    pub fn label(self, year: YearStart) -> String {
        match self.frequency {
            Frequency::Monthly => self.start.format("%b %Y").to_string(),
            Frequency::Quarterly => year.label(year.quarter_of(self.start)),
        }
    }
}

/// A measure as the plan defines it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// Its code in the plan, such as M3.
    pub code: String,
    pub name: String,
    pub unit: Unit,
    /// The outcome it evidences, by code, and the priority.
    pub outcome: Option<String>,
    pub priority: Option<u32>,
    pub recommendations: Vec<String>,
    pub owners: Vec<String>,
    pub frequency: Frequency,
    pub baseline: f64,
    pub baseline_date: NaiveDate,
    pub target: f64,
    pub target_date: NaiveDate,
    pub better: Better,
    /// How far short of the trajectory a value may fall and be amber, not red.
    pub tolerance: f64,
}

/// What a value means for the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Direction of travel: better, worse or no different from before, by the
/// measure's own idea of better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Travel {
    Improving,
    Steady,
    Worsening,
}

impl Travel {
    pub fn word(self) -> &'static str {
        match self {
            Travel::Improving => "improving",
            Travel::Steady => "steady",
            Travel::Worsening => "worsening",
        }
    }

    /// An arrow for the direction of travel, not of the number: ↑ is better
    /// even for a measure where lower is better.
    pub fn arrow(self) -> &'static str {
        match self {
            Travel::Improving => "↑",
            Travel::Steady => "→",
            Travel::Worsening => "↓",
        }
    }
}

/// A value judged: against target and trajectory, and against the previous
/// period's value and the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Judged {
    pub value: f64,
    /// Where the straight line from baseline to target says it should be.
    pub expected: f64,
    pub rag: Rag,
    /// The target is reached (or beaten).
    pub on_target: bool,
    pub since_previous: Option<Travel>,
    pub since_baseline: Travel,
}

impl Measure {
    /// Where the value should be by the end of `period`: the straight line
    /// from baseline to target, held at the target after its date.
    pub fn expected(&self, period: Period) -> f64 {
        let end = period.end();
        if end <= self.baseline_date {
            return self.baseline;
        }
        if end >= self.target_date || self.target_date <= self.baseline_date {
            return self.target;
        }
        let whole = (self.target_date - self.baseline_date).num_days() as f64;
        let gone = (end - self.baseline_date).num_days() as f64;
        self.baseline + (self.target - self.baseline) * gone / whole
    }

    /// Green on or better than the trajectory; amber short of it by no more
    /// than the tolerance; red beyond.
    pub fn judge(&self, period: Period, value: f64, previous: Option<f64>) -> Judged {
        let expected = self.expected(period);
        let short = -self.better.gain(value, expected);
        let rag = if short <= 1e-9 {
            Rag::Green
        } else if short <= self.tolerance + 1e-9 {
            Rag::Amber
        } else {
            Rag::Red
        };
        Judged {
            value,
            expected,
            rag,
            on_target: self.better.gain(value, self.target) >= -1e-9,
            since_previous: previous.map(|p| self.travel(value, p)),
            since_baseline: self.travel(value, self.baseline),
        }
    }

    /// Steady when the change is within a tenth of the amber tolerance (or
    /// none at all, with no tolerance): a measure that wobbles is not moving.
    fn travel(&self, now: f64, before: f64) -> Travel {
        let gain = self.better.gain(now, before);
        let band = (self.tolerance / 10.0).max(1e-9);
        if gain > band {
            Travel::Improving
        } else if gain < -band {
            Travel::Worsening
        } else {
            Travel::Steady
        }
    }

    /// Why the definition cannot stand, if it cannot.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.target_date <= self.baseline_date {
            out.push(format!(
                "the target date {} is not after the baseline date {}",
                self.target_date, self.baseline_date
            ));
        }
        for (what, v) in [("baseline", self.baseline), ("target", self.target)] {
            if let Err(e) = self.unit.check(v) {
                out.push(format!("the {what}: {e}"));
            }
        }
        if self.tolerance < 0.0 || !self.tolerance.is_finite() {
            out.push("the tolerance is not a number of 0 or more".into());
        }
        out
    }

    /// The period a value written for `asked` is for, and whether it may be
    /// recorded on `today`: not before the baseline's period, not after
    /// today's. A quarter given for a monthly measure names three months,
    /// not one, and is refused.
    pub fn period_for(
        &self,
        asked: Written,
        today: NaiveDate,
        year: YearStart,
    ) -> Result<Period, PeriodError> {
        if asked.span == Span::Quarter && self.frequency == Frequency::Monthly {
            let month = Period::containing(asked.start, Frequency::Monthly, year);
            return Err(PeriodError::QuarterForMonthly {
                quarter: year.label(year.quarter_of(asked.start)),
                month: month.label(year),
            });
        }
        let period = Period::containing(asked.start, self.frequency, year);
        let first = Period::containing(self.baseline_date, self.frequency, year);
        if period < first {
            return Err(PeriodError::BeforeBaseline {
                period: period.label(year),
                baseline: self.baseline_date,
            });
        }
        if period.start > today {
            return Err(PeriodError::Future {
                period: period.label(year),
                today,
                starts: period.start,
            });
        }
        Ok(period)
    }

    /// The latest period whose value is due by `today`: the last one that
    /// has ended, from the first after the baseline.
    pub fn last_due(&self, today: NaiveDate, year: YearStart) -> Option<Period> {
        let current = Period::containing(today, self.frequency, year);
        let last = current.previous();
        let first = Period::containing(self.baseline_date, self.frequency, year).next();
        (last >= first).then_some(last)
    }
}

/// How much of the calendar a period, as written, covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Day,
    Month,
    Quarter,
}

/// A period as someone wrote it: the day it starts and how much it covers.
/// The measure's frequency then settles the period it falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub start: NaiveDate,
    pub span: Span,
}

impl Written {
    pub fn day(start: NaiveDate) -> Written {
        Written {
            start,
            span: Span::Day,
        }
    }
}

/// Reads the period a value is for as people write it: a date
/// (2019-05-20, 20/05/2019, 20 May 2019), a month ("May 2019", "Sept 2019",
/// "Apr 19", "2019-05", "05/2019") or a quarter ("Q1 19/20"). A two-digit
/// year is this century's, in months as in quarters.
pub fn read_period(text: &str, year: YearStart) -> Result<Written, PeriodError> {
    let t = text.trim();
    if let Ok(d) = super::parse_date(t) {
        return Ok(Written::day(d));
    }
    if let Ok(q) = year.parse_quarter(t) {
        return Ok(Written {
            start: year.first_day(q),
            span: Span::Quarter,
        });
    }
    let words: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '.' | ','))
        .filter(|w| !w.is_empty())
        .collect();
    let number = |w: &str| {
        w.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| w.parse::<u32>().ok())
            .flatten()
    };
    let year_of = |w: &str| match (w.len(), number(w)) {
        (4, Some(y)) => Some(y as i32),
        (2, Some(y)) => Some(2000 + y as i32),
        _ => None,
    };
    let month_of = |w: &str| month_named(w).or_else(|| number(w).filter(|m| (1..=12).contains(m)));
    let day = |y: Option<i32>, m: Option<u32>, d: u32| NaiveDate::from_ymd_opt(y?, m?, d);
    let found = match words.as_slice() {
        [m, y] if month_named(m).is_some() => {
            day(year_of(y), month_of(m), 1).map(|d| (d, Span::Month))
        }
        [y, m] if y.len() == 4 => day(year_of(y), month_of(m), 1).map(|d| (d, Span::Month)),
        [m, y] if y.len() == 4 => day(year_of(y), month_of(m), 1).map(|d| (d, Span::Month)),
        [d, m, y] => number(d)
            .and_then(|d| day(year_of(y), month_of(m), d))
            .map(|d| (d, Span::Day)),
        _ => None,
    };
    found
        .map(|(start, span)| Written { start, span })
        .ok_or_else(|| PeriodError::Unreadable(t.to_string()))
}

/// The month a word names: "May", "sept", "September" (three letters or
/// more of its English name, in any case).
fn month_named(word: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.to_ascii_lowercase();
    (word.len() >= 3)
        .then(|| NAMES.iter().position(|n| n.starts_with(&word)))
        .flatten()
        .map(|i| i as u32 + 1)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "\"{0}\" is not a period: write a date (2019-05-20), a month (May 2019) or a quarter (Q1 19/20)"
    )]
    Unreadable(String),
    /// `today` is the day the check was made for: an import's `--as-of`
    /// day, which the person may not have in mind.
    #[error(
        "{period} has not begun by {}: it starts on {}",
        today.format("%-d %b %Y"),
        starts.format("%-d %b %Y")
    )]
    Future {
        period: String,
        today: NaiveDate,
        starts: NaiveDate,
    },
    #[error(
        "{quarter} is a quarter, and the measure is recorded monthly: give a month, such as {month}, or make the measure quarterly (its Frequency)"
    )]
    QuarterForMonthly { quarter: String, month: String },
    #[error("{period} is before the measure's baseline ({baseline})")]
    BeforeBaseline { period: String, baseline: NaiveDate },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Children waiting over 3 weeks for an assessment, as a % (lower is better).
    fn waiting() -> Measure {
        Measure {
            code: "M1".into(),
            name: "Assessments late".into(),
            unit: Unit::Percent,
            outcome: None,
            priority: None,
            recommendations: vec![],
            owners: vec![],
            frequency: Frequency::Monthly,
            baseline: 40.0,
            baseline_date: d(2019, 3, 31),
            target: 10.0,
            target_date: d(2020, 3, 31),
            better: Better::Lower,
            tolerance: 5.0,
        }
    }

    #[test]
    fn a_value_is_judged_against_the_line_from_baseline_to_target() {
        let m = waiting();
        let sept = Period::containing(d(2019, 9, 15), Frequency::Monthly, YearStart::APRIL);
        let expected = m.expected(sept);
        assert!((expected - 25.0).abs() < 0.5, "half way: {expected}");
        assert_eq!(m.judge(sept, 24.0, None).rag, Rag::Green);
        assert_eq!(m.judge(sept, 29.0, None).rag, Rag::Amber);
        assert_eq!(m.judge(sept, 31.0, None).rag, Rag::Red);
        let j = m.judge(sept, 24.0, Some(26.0));
        assert_eq!(j.since_previous, Some(Travel::Improving), "lower is better");
        assert_eq!(j.since_baseline, Travel::Improving);
        assert!(!j.on_target);
        assert_eq!(
            m.judge(sept, 26.2, Some(26.0)).since_previous,
            Some(Travel::Steady)
        );
    }

    #[test]
    fn values_are_read_and_checked_for_their_unit() {
        assert_eq!(Unit::Percent.read("72.5%"), Ok(72.5));
        assert!(Unit::Percent.read("120").is_err());
        assert!(Unit::Number.read("lots").is_err());
        assert_eq!(Unit::Pounds.read("£1,200"), Ok(1200.0));
        assert!(Unit::Days.read("-3").is_err());
        for days in ["3days", "3 Days", "3d", "3 DAY", "3"] {
            assert_eq!(Unit::Days.read(days), Ok(3.0), "{days}");
        }
        assert!(Unit::Days.read("3 weeks").is_err());
        assert_eq!(Unit::Days.show(1.0), "1 day");
        assert_eq!(Unit::Days.show(1.5), "1.5 days");
        assert_eq!(Unit::Days.show(0.9999), "1 day");
        assert_eq!(Unit::Percent.show(0.12), "0.12%");
        assert_eq!(Unit::Percent.show(100.0 / 3.0), "33.33%");
        assert_eq!(Unit::Pounds.show(-0.001), "£0");
        assert_eq!(Unit::Number.show(1200.0), "1200");
        for overspend in ["-£500", "£-500", "-500", "-£ 500"] {
            assert_eq!(Unit::Pounds.read(overspend), Ok(-500.0), "{overspend}");
        }
        assert!(Unit::Pounds.read("--500").is_err());
        // A comma groups thousands, or the value is refused: never 120.
        assert_eq!(Unit::Number.read("1,234,567.5"), Ok(1_234_567.5));
        for bad in ["1,20", "12,5", ",120", "1,2345", "1,234.5,6", "1,,234"] {
            assert!(Unit::Number.read(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Unit::Percent.read("£72").unwrap_err().to_string(),
            "\"£72\" is not a percentage: write it as 72 or 72%"
        );
    }

    #[test]
    fn periods_are_read_as_dates_months_or_quarters() {
        let y = YearStart::APRIL;
        let read = |t: &str| read_period(t, y).map(|w| (w.start, w.span));
        assert_eq!(read("May 2019"), Ok((d(2019, 5, 1), Span::Month)));
        assert_eq!(read("sept 2019"), Ok((d(2019, 9, 1), Span::Month)));
        assert_eq!(read("05/2019"), Ok((d(2019, 5, 1), Span::Month)));
        assert_eq!(read("20 May 2019"), Ok((d(2019, 5, 20), Span::Day)));
        assert_eq!(read("20.05.2019"), Ok((d(2019, 5, 20), Span::Day)));
        // Two-digit years are this century's, as in quarters ("Q1 99/00").
        assert_eq!(read("Apr 99"), Ok((d(2099, 4, 1), Span::Month)));
        for bad in [
            "Ma 2019",
            "13/2019",
            "May 19 2019",
            "31 Feb 2019",
            "May 123",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        assert_eq!(read("Sep 2019"), Ok((d(2019, 9, 1), Span::Month)));
        assert_eq!(read("Apr 19"), Ok((d(2019, 4, 1), Span::Month)));
        assert_eq!(read("2019-05"), Ok((d(2019, 5, 1), Span::Month)));
        assert_eq!(read("20/05/2019"), Ok((d(2019, 5, 20), Span::Day)));
        assert_eq!(read("Q2 19/20"), Ok((d(2019, 7, 1), Span::Quarter)));
        assert!(read("soon").is_err());
    }

    #[test]
    fn a_quarter_is_not_taken_for_one_of_its_months() {
        let y = YearStart::APRIL;
        let q1 = read_period("Q1 19/20", y).unwrap();
        let today = d(2019, 8, 1);
        assert_eq!(
            waiting().period_for(q1, today, y).map(|p| p.start),
            Err(PeriodError::QuarterForMonthly {
                quarter: "Q1 19/20".into(),
                month: "Apr 2019".into()
            })
        );
        let quarterly = Measure {
            frequency: Frequency::Quarterly,
            ..waiting()
        };
        let may = read_period("May 2019", y).unwrap();
        for asked in [q1, may] {
            let period = quarterly.period_for(asked, today, y);
            assert_eq!(period.map(|p| p.start), Ok(d(2019, 4, 1)));
        }
    }

    #[test]
    fn a_period_in_the_future_or_before_the_baseline_is_refused() {
        let m = waiting();
        let y = YearStart::APRIL;
        let day = |y, m, dd| Written::day(d(y, m, dd));
        assert!(m.period_for(day(2019, 2, 1), d(2019, 6, 1), y).is_err());
        assert!(m.period_for(day(2019, 7, 1), d(2019, 6, 1), y).is_err());
        assert!(m.period_for(day(2019, 5, 20), d(2019, 6, 1), y).is_ok());
        assert_eq!(
            m.last_due(d(2019, 6, 10), y).map(|p| p.start),
            Some(d(2019, 5, 1))
        );
    }
}
