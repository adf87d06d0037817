//! Schedules in the plan's time zone and the working time reminders wait for.

use crate::helpers::utc;
use planbot::jobs::{WorkingTime, next_fire, parse_schedule};
use planbot::plan::Zone;

#[test]
fn crontab_and_seconds_forms_are_both_read() {
    let five = parse_schedule("0 9 * * Mon-Fri").unwrap();
    let six = parse_schedule("0 0 9 * * Mon-Fri").unwrap();
    let after = utc(2019, 1, 4, 10, 0);
    assert_eq!(
        next_fire(&five, Zone::london(), after),
        next_fire(&six, Zone::london(), after)
    );
    let err = parse_schedule("9 * *").unwrap_err();
    assert!(
        err.to_string()
            .contains("\"9 * *\" is not a schedule: it has 3 fields"),
        "{err}"
    );
    assert!(parse_schedule("0 25 * * *").is_err(), "hour 25");
}

#[test]
fn nine_oclock_stays_nine_oclock_in_london_across_dst() {
    let weekdays_nine = parse_schedule("0 9 * * Mon-Fri").unwrap();
    // Winter: London is on GMT, 09:00 is 09:00 UTC; Friday after 9 goes to Monday.
    assert_eq!(
        next_fire(&weekdays_nine, Zone::london(), utc(2019, 1, 4, 10, 0)),
        Some(utc(2019, 1, 7, 9, 0))
    );
    // Clocks went forward on Sunday 31 March 2019: Monday's 09:00 is 08:00 UTC.
    assert_eq!(
        next_fire(&weekdays_nine, Zone::london(), utc(2019, 3, 29, 10, 0)),
        Some(utc(2019, 4, 1, 8, 0))
    );
    // And back on Sunday 27 October 2019.
    assert_eq!(
        next_fire(&weekdays_nine, Zone::london(), utc(2019, 10, 25, 10, 0)),
        Some(utc(2019, 10, 28, 9, 0))
    );
}

#[test]
fn reminders_wait_for_working_hours_weekdays_and_not_bank_holidays() {
    let w = WorkingTime::england_and_wales();
    // Inside hours: now.
    assert_eq!(
        w.next_working(utc(2019, 5, 15, 11, 0)),
        utc(2019, 5, 15, 11, 0)
    );
    // Early morning BST: 09:00 local the same day.
    assert_eq!(
        w.next_working(utc(2019, 5, 15, 6, 0)),
        utc(2019, 5, 15, 8, 0)
    );
    // Friday evening: Monday 09:00.
    assert_eq!(
        w.next_working(utc(2019, 5, 17, 17, 30)),
        utc(2019, 5, 20, 8, 0)
    );
    // Maundy Thursday evening, Easter 2019: Good Friday, the weekend and
    // Easter Monday pass, Tuesday 23 April 09:00 BST.
    assert_eq!(
        w.next_working(utc(2019, 4, 18, 18, 0)),
        utc(2019, 4, 23, 8, 0)
    );
    // Christmas 2026: 25th Friday, weekend, 28th the substitute Boxing Day.
    assert_eq!(
        w.next_working(utc(2026, 12, 24, 18, 0)),
        utc(2026, 12, 29, 9, 0)
    );
    assert!(!w.is_working(utc(2026, 12, 28, 12, 0)));
    assert!(w.is_working(utc(2026, 12, 29, 12, 0)));
}

/// The UK's clock changes as the plan's zone reckons them: the hour skipped
/// in March has no moments, the hour repeated in October has two (the
/// earlier, in BST, first), and times print with the abbreviation in force.
#[test]
fn london_skips_an_hour_in_march_and_repeats_one_in_october() {
    use chrono::{NaiveDate, TimeZone};
    let london = Zone::london();
    let at = |d: NaiveDate, h, m| d.and_hms_opt(h, m, 0).unwrap();
    let march = NaiveDate::from_ymd_opt(2019, 3, 31).unwrap();
    let october = NaiveDate::from_ymd_opt(2019, 10, 27).unwrap();

    assert_eq!(
        london.from_local_datetime(&at(march, 1, 30)).earliest(),
        None
    );
    let after = london
        .from_local_datetime(&at(march, 2, 0))
        .single()
        .unwrap();
    assert_eq!(after.with_timezone(&chrono::Utc), utc(2019, 3, 31, 1, 0));

    let twice = london.from_local_datetime(&at(october, 1, 30));
    let (first, second) = (twice.earliest().unwrap(), twice.latest().unwrap());
    assert_eq!(first.with_timezone(&chrono::Utc), utc(2019, 10, 27, 0, 30));
    assert_eq!(second.with_timezone(&chrono::Utc), utc(2019, 10, 27, 1, 30));
    assert_eq!(first.format("%H:%M %Z").to_string(), "01:30 BST");
    assert_eq!(second.format("%H:%M %Z").to_string(), "01:30 GMT");
}

/// Zones are found whatever the case, kept under the database's spelling,
/// and a name the database does not have says what to give instead.
#[test]
fn zone_names_are_read_in_any_case_and_unknown_ones_refused() {
    assert_eq!(Zone::named("europe/london").unwrap(), Zone::london());
    assert_eq!(
        Zone::named("EUROPE/LONDON").unwrap().name(),
        "Europe/London"
    );
    let cairo = Zone::named("Africa/Cairo").unwrap();
    assert_ne!(cairo, Zone::london());
    assert_eq!(cairo.to_string(), "Africa/Cairo");
    let err = Zone::named("Mars/Olympus_Mons").unwrap_err().to_string();
    assert!(err.contains("\"Mars/Olympus_Mons\""), "{err}");
    assert!(err.contains("Europe/London"), "{err}");
}

/// Dates past the tz database's years still have an end of day: the last
/// day the CLI's `--as-of` accepts, 31 December 9999, ends at midnight GMT.
#[test]
fn the_last_day_a_date_can_name_still_ends() {
    use chrono::NaiveDate;
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    let as_of = planbot::plan::AsOf::end_of_day(last, Zone::london());
    assert_eq!(as_of.today, last);
    assert_eq!(
        as_of.moment + chrono::Duration::milliseconds(1),
        NaiveDate::from_ymd_opt(10000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
    );
}
