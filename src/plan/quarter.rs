//! UK financial quarters ("Q3 18/19") and the dates they stand for.
//!
//! A financial year is named by the calendar year it starts in: with the usual
//! April start, FY 2018 runs 1 April 2018 to 31 March 2019 and is written
//! "18/19". Plans may start their year in another month, so every calculation
//! goes through [`YearStart`].

use chrono::{Datelike, Months, NaiveDate};
use std::fmt;

/// One quarter of a financial year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    /// Calendar year in which the financial year starts (2018 for 18/19).
    pub year: i32,
    /// 1 to 4.
    pub number: u8,
}

/// The month a plan's financial year starts in (April for UK councils).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearStart(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuarterError {
    #[error("\"{0}\" is not a quarter or a date (write Q3 18/19, 2019-03-31 or 31/03/2019)")]
    Unrecognised(String),
    #[error("\"{0}\" is not a date (write 2019-03-31 or 31/03/2019)")]
    NotADate(String),
    #[error("\"{0}\" is not a quarter (write Q3 18/19 or 2018/19 Q3)")]
    NotAQuarter(String),
    #[error("\"{0}\" is not a real date")]
    ImpossibleDate(String),
    #[error("\"{0}\" names quarter {1}; a year has quarters Q1 to Q4")]
    NoSuchQuarter(String, u32),
    #[error("\"{0}\": a financial year runs over two consecutive years, such as 18/19")]
    ImpossibleYears(String),
    #[error(
        "\"{0}\": this plan's year starts in January, so a quarter names one year, such as Q3 2019"
    )]
    CalendarYear(String),
    #[error("year start month must be 1 to 12, not {0}")]
    BadStartMonth(u32),
}

impl Default for YearStart {
    fn default() -> Self {
        YearStart::APRIL
    }
}

impl YearStart {
    pub const APRIL: YearStart = YearStart(4);

    pub fn new(month: u32) -> Result<Self, QuarterError> {
        if (1..=12).contains(&month) {
            Ok(YearStart(month))
        } else {
            Err(QuarterError::BadStartMonth(month))
        }
    }

    pub fn month(self) -> u32 {
        self.0
    }

    /// "April".
    pub fn month_name(self) -> &'static str {
        u8::try_from(self.month())
            .ok()
            .and_then(|m| chrono::Month::try_from(m).ok())
            .map_or("?", |m| m.name())
    }

    /// The quarter a date falls in.
    pub fn quarter_of(self, date: NaiveDate) -> Quarter {
        let months_in = (date.month() + 12 - self.0) % 12;
        let year = if date.month() >= self.0 {
            date.year()
        } else {
            date.year() - 1
        };
        Quarter {
            year,
            number: (months_in / 3 + 1) as u8,
        }
    }

    pub fn first_day(self, q: Quarter) -> NaiveDate {
        let start = NaiveDate::from_ymd_opt(q.year, self.0, 1).expect("month 1-12, day 1");
        start + Months::new(3 * (u32::from(q.number) - 1))
    }

    /// The due date of an action due "in" a quarter: its last day.
    pub fn last_day(self, q: Quarter) -> NaiveDate {
        self.first_day(self.next(q))
            .pred_opt()
            .expect("not the first day of time")
    }

    pub fn next(self, q: Quarter) -> Quarter {
        if q.number == 4 {
            Quarter {
                year: q.year + 1,
                number: 1,
            }
        } else {
            Quarter {
                year: q.year,
                number: q.number + 1,
            }
        }
    }

    pub fn previous(self, q: Quarter) -> Quarter {
        if q.number == 1 {
            Quarter {
                year: q.year - 1,
                number: 4,
            }
        } else {
            Quarter {
                year: q.year,
                number: q.number - 1,
            }
        }
    }

    /// "Q3 18/19"; a year that starts in January is a calendar year: "Q3 2019".
    pub fn label(self, q: Quarter) -> String {
        if self.0 == 1 {
            format!("Q{} {}", q.number, q.year)
        } else {
            format!(
                "Q{} {:02}/{:02}",
                q.number,
                q.year.rem_euclid(100),
                (q.year + 1).rem_euclid(100)
            )
        }
    }

    /// Reads a due date written as a quarter or as a date; a quarter means its last day.
    pub fn parse_due(self, text: &str) -> Result<NaiveDate, QuarterError> {
        let t = text.trim();
        let parsed = if t.to_ascii_uppercase().contains('Q') {
            self.parse_quarter(t).map(|q| self.last_day(q))
        } else {
            parse_date(t)
        };
        // A due cell may hold either, so the advice names both.
        parsed.map_err(|e| match e {
            QuarterError::NotADate(_) | QuarterError::NotAQuarter(_) => {
                QuarterError::Unrecognised(t.to_string())
            }
            other => other,
        })
    }

    /// Reads "Q3 18/19", "Q3 2018/19", "2018/19 Q3", "Q3 FY18/19", "Q3 2018-2019";
    /// with a January start, also "Q3 2019".
    pub fn parse_quarter(self, text: &str) -> Result<Quarter, QuarterError> {
        let unrecognised = || QuarterError::NotAQuarter(text.trim().to_string());
        let upper = text.trim().to_ascii_uppercase().replace("FY", " ");
        let tokens: Vec<&str> = upper
            .split(|c: char| c.is_whitespace() || c == ',' || c == ':')
            .filter(|t| !t.is_empty() && *t != "-")
            .collect();
        let (q_tokens, year_tokens): (Vec<&str>, Vec<&str>) =
            tokens.iter().partition(|t| t.starts_with('Q'));
        let [q_token] = q_tokens.as_slice() else {
            return Err(unrecognised());
        };
        let number: u32 = q_token[1..].parse().map_err(|_| unrecognised())?;
        if !(1..=4).contains(&number) {
            return Err(QuarterError::NoSuchQuarter(text.trim().to_string(), number));
        }
        let [years] = year_tokens.as_slice() else {
            return Err(unrecognised());
        };
        let year = self.parse_year(text.trim(), years)?;
        Ok(Quarter {
            year,
            number: number as u8,
        })
    }

    fn parse_year(self, whole: &str, years: &str) -> Result<i32, QuarterError> {
        let unrecognised = || QuarterError::NotAQuarter(whole.to_string());
        let parts: Vec<&str> = years.split(['/', '-']).collect();
        let num = |s: &str| -> Result<i32, QuarterError> {
            if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unrecognised());
            }
            let n: i32 = s.parse().map_err(|_| unrecognised())?;
            Ok(if s.len() <= 2 { 2000 + n } else { n })
        };
        match parts.as_slice() {
            [single] if self.0 == 1 => num(single),
            [first, second] => {
                let start = num(first)?;
                let end = num(second)?;
                let consecutive = if second.len() <= 2 {
                    (start + 1).rem_euclid(100) == end.rem_euclid(100)
                } else {
                    end == start + 1
                };
                match (consecutive, self.0) {
                    (true, 1) => Err(QuarterError::CalendarYear(whole.to_string())),
                    (true, _) => Ok(start),
                    (false, _) => Err(QuarterError::ImpossibleYears(whole.to_string())),
                }
            }
            _ => Err(unrecognised()),
        }
    }
}

/// Reads an ISO date (2019-03-31) or a UK date (31/03/2019, 31/3/19).
pub fn parse_date(text: &str) -> Result<NaiveDate, QuarterError> {
    let t = text.trim();
    let unrecognised = || QuarterError::NotADate(t.to_string());
    let fields: Vec<&str>;
    let (y, m, d) = if t.contains('-') {
        fields = t.split('-').collect();
        match fields.as_slice() {
            [y, m, d] if y.len() == 4 => (*y, *m, *d),
            _ => return Err(unrecognised()),
        }
    } else if t.contains('/') {
        fields = t.split('/').collect();
        match fields.as_slice() {
            [d, m, y] if y.len() == 4 || y.len() == 2 => (*y, *m, *d),
            _ => return Err(unrecognised()),
        }
    } else {
        return Err(unrecognised());
    };
    let parse = |s: &str| -> Result<u32, QuarterError> {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unrecognised());
        }
        s.parse().map_err(|_| unrecognised())
    };
    let mut year = parse(y)? as i32;
    if y.len() == 2 {
        year += 2000;
    }
    NaiveDate::from_ymd_opt(year, parse(m)?, parse(d)?)
        .ok_or_else(|| QuarterError::ImpossibleDate(t.to_string()))
}

impl fmt::Display for Quarter {
    /// The label with an April year start; use [`YearStart::label`] for others.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&YearStart::APRIL.label(*self))
    }
}
