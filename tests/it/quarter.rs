//! UK financial quarters: reading them, the dates they stand for, and labels.

use crate::helpers::*;
use planbot::plan::{Quarter, QuarterError, YearStart, parse_date};

const APRIL: YearStart = YearStart::APRIL;

fn q(year: i32, number: u8) -> Quarter {
    Quarter { year, number }
}

fn start(month: u32) -> YearStart {
    YearStart::new(month).expect("a real month")
}

#[test]
fn the_ways_councils_write_a_quarter_all_mean_q3_of_2018_19() {
    for text in [
        "Q3 18/19",
        "q3 18/19",
        "  Q3 18/19  ",
        "Q3 2018/19",
        "2018/19 Q3",
        "Q3 FY18/19",
        "Q3 2018-2019",
    ] {
        assert_eq!(APRIL.parse_quarter(text), Ok(q(2018, 3)), "{text:?}");
        // An action due "in" Q3 18/19 is due on its last day, 31 December 2018.
        assert_eq!(APRIL.parse_due(text), Ok(date(2018, 12, 31)), "{text:?}");
    }
}

#[test]
fn dates_are_read_in_iso_and_uk_order() {
    assert_eq!(parse_date("2019-03-31"), Ok(date(2019, 3, 31)));
    assert_eq!(parse_date("31/03/2019"), Ok(date(2019, 3, 31)));
    assert_eq!(parse_date("31/3/19"), Ok(date(2019, 3, 31)));
    // Day first, never month first: 04/05 is the 4th of May.
    assert_eq!(parse_date("04/05/2019"), Ok(date(2019, 5, 4)));
    assert_eq!(parse_date(" 1/4/2019 "), Ok(date(2019, 4, 1)));
    // A due cell holding a plain date is that date.
    assert_eq!(APRIL.parse_due("31/12/2018"), Ok(date(2018, 12, 31)));
    assert_eq!(APRIL.parse_due("2019-02-14"), Ok(date(2019, 2, 14)));
}

#[test]
fn a_quarter_is_due_on_its_last_day() {
    assert_eq!(APRIL.last_day(q(2018, 1)), date(2018, 6, 30));
    assert_eq!(APRIL.last_day(q(2018, 2)), date(2018, 9, 30));
    assert_eq!(APRIL.last_day(q(2018, 3)), date(2018, 12, 31));
    assert_eq!(APRIL.last_day(q(2018, 4)), date(2019, 3, 31));
    assert_eq!(APRIL.last_day(q(2019, 1)), date(2019, 6, 30));
    assert_eq!(APRIL.parse_due("Q4 18/19"), Ok(date(2019, 3, 31)));
    assert_eq!(APRIL.parse_due("Q1 19/20"), Ok(date(2019, 6, 30)));
    assert_eq!(APRIL.first_day(q(2018, 4)), date(2019, 1, 1));
    assert_eq!(APRIL.first_day(q(2019, 1)), date(2019, 4, 1));
}

#[test]
fn the_financial_year_turns_on_1_april() {
    assert_eq!(APRIL.quarter_of(date(2019, 3, 31)), q(2018, 4));
    assert_eq!(APRIL.quarter_of(date(2019, 4, 1)), q(2019, 1));
    assert_eq!(APRIL.quarter_of(date(2018, 12, 31)), q(2018, 3));
    assert_eq!(APRIL.quarter_of(date(2019, 1, 1)), q(2018, 4));
    assert_eq!(
        APRIL.quarter_of(date(2019, 1, 1)),
        APRIL.quarter_of(date(2019, 2, 28))
    );
    assert_eq!(APRIL.label(APRIL.quarter_of(date(2019, 3, 31))), "Q4 18/19");
    assert_eq!(APRIL.label(APRIL.quarter_of(date(2019, 4, 1))), "Q1 19/20");
}

#[test]
fn every_day_of_a_year_lies_in_the_quarter_it_names() {
    for s in [1, 4, 7, 9, 12] {
        let ys = start(s);
        let mut d = date(2018, 1, 1);
        while d <= date(2020, 12, 31) {
            let quarter = ys.quarter_of(d);
            assert!(
                ys.first_day(quarter) <= d && d <= ys.last_day(quarter),
                "start month {s}: {d} is not inside {quarter:?}"
            );
            d = d.succ_opt().unwrap();
        }
    }
}

#[test]
fn next_and_previous_cross_the_year_end() {
    assert_eq!(APRIL.next(q(2018, 3)), q(2018, 4));
    assert_eq!(APRIL.next(q(2018, 4)), q(2019, 1));
    assert_eq!(APRIL.previous(q(2019, 1)), q(2018, 4));
    assert_eq!(APRIL.previous(q(2018, 2)), q(2018, 1));
    assert_eq!(APRIL.label(APRIL.next(q(2018, 4))), "Q1 19/20");
    // The day after a quarter ends is the first day of the next one.
    let q4 = q(2018, 4);
    assert_eq!(
        APRIL.last_day(q4).succ_opt().unwrap(),
        APRIL.first_day(APRIL.next(q4))
    );
}

#[test]
fn the_turn_of_the_century_is_labelled_99_00() {
    let q4 = q(1999, 4);
    assert_eq!(APRIL.label(q4), "Q4 99/00");
    assert_eq!(APRIL.last_day(q4), date(2000, 3, 31));
    assert_eq!(APRIL.next(q4), q(2000, 1));
    assert_eq!(APRIL.label(APRIL.next(q4)), "Q1 00/01");
    assert_eq!(APRIL.previous(q(2000, 1)), q4);
    // Four-digit years say which century.
    assert_eq!(APRIL.parse_quarter("Q4 1999/2000"), Ok(q4));
    assert_eq!(APRIL.parse_quarter("Q4 1999/00"), Ok(q4));
    // "99/00" is accepted as consecutive years, and reads back as written.
    let short = APRIL
        .parse_quarter("Q4 99/00")
        .expect("99/00 are consecutive years");
    assert_eq!(short.number, 4);
    assert_eq!(APRIL.label(short), "Q4 99/00");
    assert_eq!(APRIL.parse_due("Q4 99/00").unwrap(), APRIL.last_day(short));
}

#[test]
fn labels_read_back_to_the_same_quarter() {
    assert_eq!(APRIL.label(q(2018, 3)), "Q3 18/19");
    assert_eq!(q(2018, 3).to_string(), "Q3 18/19");
    assert_eq!(APRIL.label(q(2009, 2)), "Q2 09/10");
    for quarter in [q(2018, 1), q(2018, 4), q(2019, 2), q(2009, 3), q(2030, 4)] {
        let label = APRIL.label(quarter);
        assert_eq!(APRIL.parse_quarter(&label), Ok(quarter), "{label}");
    }
}

#[test]
fn a_january_start_is_a_calendar_year() {
    let jan = start(1);
    assert_eq!(jan.label(q(2019, 3)), "Q3 2019");
    assert_eq!(jan.parse_quarter("Q1 2019"), Ok(q(2019, 1)));
    assert_eq!(jan.parse_due("Q1 2019"), Ok(date(2019, 3, 31)));
    assert_eq!(jan.parse_due("Q4 2019"), Ok(date(2019, 12, 31)));
    assert_eq!(jan.quarter_of(date(2019, 1, 1)), q(2019, 1));
    assert_eq!(jan.quarter_of(date(2019, 12, 31)), q(2019, 4));
    assert_eq!(jan.next(q(2019, 4)), q(2020, 1));
    assert_eq!(jan.parse_quarter(&jan.label(q(2019, 3))), Ok(q(2019, 3)));
    // A financial year's label says how this plan writes its quarters
    // instead, where it said a year must span two.
    assert_eq!(
        jan.parse_quarter("Q3 18/19"),
        Err(QuarterError::CalendarYear("Q3 18/19".into()))
    );
    assert_eq!(
        jan.parse_quarter("Q3 18/20"),
        Err(QuarterError::ImpossibleYears("Q3 18/20".into()))
    );
}

#[test]
fn a_july_start_moves_every_quarter() {
    let july = start(7);
    assert_eq!(july.month(), 7);
    assert_eq!(july.parse_due("Q1 19/20"), Ok(date(2019, 9, 30)));
    assert_eq!(july.parse_due("Q4 19/20"), Ok(date(2020, 6, 30)));
    assert_eq!(july.quarter_of(date(2019, 6, 30)), q(2018, 4));
    assert_eq!(july.quarter_of(date(2019, 7, 1)), q(2019, 1));
    assert_eq!(july.label(q(2019, 1)), "Q1 19/20");
}

#[test]
fn a_september_start_ends_q2_on_a_leap_day() {
    let sept = start(9);
    assert_eq!(sept.last_day(q(2019, 1)), date(2019, 11, 30));
    // December to February 2020, a leap year.
    assert_eq!(sept.parse_due("Q2 19/20"), Ok(date(2020, 2, 29)));
    assert_eq!(sept.last_day(q(2018, 2)), date(2019, 2, 28));
    assert_eq!(sept.last_day(q(2019, 4)), date(2020, 8, 31));
    assert_eq!(sept.quarter_of(date(2020, 2, 29)), q(2019, 2));
    assert_eq!(sept.quarter_of(date(2019, 8, 31)), q(2018, 4));
    assert_eq!(sept.quarter_of(date(2019, 9, 1)), q(2019, 1));
}

#[test]
fn a_fifth_quarter_is_refused() {
    let err = APRIL.parse_quarter("Q5 18/19").unwrap_err();
    assert!(matches!(err, QuarterError::NoSuchQuarter(_, 5)), "{err:?}");
    assert!(err.to_string().contains("Q5 18/19"), "{err}");
    assert!(matches!(
        APRIL.parse_due("Q0 18/19"),
        Err(QuarterError::NoSuchQuarter(_, 0))
    ));
}

#[test]
fn years_that_do_not_follow_each_other_are_refused() {
    for text in ["Q3 18/20", "Q3 2018/2020", "Q3 19/18", "Q3 2018-19/20"] {
        let err = APRIL.parse_due(text).unwrap_err();
        assert!(
            matches!(
                err,
                QuarterError::ImpossibleYears(_) | QuarterError::Unrecognised(_)
            ),
            "{text}: {err:?}"
        );
    }
    let err = APRIL.parse_quarter("Q3 18/20").unwrap_err();
    assert!(matches!(err, QuarterError::ImpossibleYears(_)), "{err:?}");
    assert!(err.to_string().contains("Q3 18/20"), "{err}");
}

#[test]
fn impossible_dates_are_refused_not_rolled_over() {
    for text in [
        "31/02/2019",
        "29/02/2019",
        "2019-02-30",
        "31/04/2019",
        "0/1/2019",
    ] {
        let err = parse_date(text).unwrap_err();
        assert!(
            matches!(err, QuarterError::ImpossibleDate(_)),
            "{text}: {err:?}"
        );
        assert!(err.to_string().contains(text), "{err}");
    }
    // The 29th is real in a leap year.
    assert_eq!(parse_date("29/02/2020"), Ok(date(2020, 2, 29)));
    assert!(matches!(
        APRIL.parse_due("31/02/2019"),
        Err(QuarterError::ImpossibleDate(_))
    ));
}

#[test]
fn words_that_are_not_a_date_are_refused_with_the_text() {
    for text in [
        "next tuesday",
        "ASAP",
        "ongoing",
        "",
        "March 2019",
        "Q3",
        "Q 18/19",
    ] {
        let err = APRIL.parse_due(text).unwrap_err();
        assert!(
            matches!(err, QuarterError::Unrecognised(_)),
            "{text:?}: {err:?}"
        );
        assert!(err.to_string().contains(text.trim()), "{err}");
    }
    // The message also says what would work.
    let err = APRIL.parse_due("next tuesday").unwrap_err();
    assert!(err.to_string().contains("Q3 18/19"), "{err}");
    // Where only a date (or only a quarter) will do, the advice offers no other.
    let err = parse_date("Q3 18/19").unwrap_err();
    assert_eq!(err, QuarterError::NotADate("Q3 18/19".into()));
    assert!(!err.to_string().contains("Q3 18/19 or"), "{err}");
    assert!(err.to_string().contains("2019-03-31"), "{err}");
    let err = APRIL.parse_quarter("2019-03-31").unwrap_err();
    assert_eq!(err, QuarterError::NotAQuarter("2019-03-31".into()));
    assert!(!err.to_string().contains("31/03/2019"), "{err}");
}

#[test]
fn a_year_start_must_be_a_month() {
    let err = YearStart::new(13).unwrap_err();
    assert_eq!(err, QuarterError::BadStartMonth(13));
    assert!(err.to_string().contains("13"), "{err}");
    assert!(YearStart::new(0).is_err());
    assert_eq!(YearStart::new(4), Ok(YearStart::APRIL));
    assert_eq!(YearStart::default(), YearStart::APRIL);
    assert_eq!(YearStart::new(12).unwrap().month(), 12);
}
