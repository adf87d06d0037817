//! RAG statuses as people write them, and the rules a board applies: overdue,
//! past statuses, as-of moments, update checks, stale actions and summaries.

use crate::helpers::*;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use planbot::plan::Zone;
use planbot::plan::summary::{overdue_by_lead, rag_by_priority};
use planbot::plan::{
    Action, AsOf, MAX_NOTE_CHARS, Plan, Priority, RequestError, Status, StatusChange,
    StatusRequest, YearStart, local_today, overdue_days, status_at,
};

fn action(
    reference: &str,
    priority: u32,
    leads: &[&str],
    due: Option<NaiveDate>,
    status: Status,
) -> Action {
    Action {
        reference: reference.into(),
        priority,
        priority_title: format!("Priority {priority}"),
        group: None,
        text: format!("Action {reference}"),
        leads: leads.iter().map(|l| l.to_string()).collect(),
        due,
        status,
        recommendations: Vec::new(),
        evidence: Vec::new(),
        last_update: None,
    }
}

fn change(at: DateTime<Utc>, from: Option<Status>, to: Status) -> StatusChange {
    StatusChange {
        at,
        by: "Julie Bragg".into(),
        from,
        to,
        note: None,
        evidence: None,
    }
}

fn request(note: Option<&str>, by: &str) -> StatusRequest {
    StatusRequest {
        to: Status::Amber,
        note: note.map(str::to_string),
        evidence: None,
        by: by.into(),
        by_discord_id: Some(42),
        at: utc(2019, 1, 15, 9, 0),
    }
}

fn london_plan() -> Plan {
    Plan {
        id: 1,
        name: "Test".into(),
        time_zone: Zone::london(),
        year_start: YearStart::APRIL,
        stale_days: 30,
    }
}

#[test]
fn status_words_people_write_are_understood() {
    let cases: &[(&str, Status)] = &[
        ("G", Status::Green),
        ("g", Status::Green),
        ("green", Status::Green),
        ("GREEN", Status::Green),
        ("  Green  ", Status::Green),
        ("On track", Status::Green),
        ("on-track", Status::Green),
        ("A", Status::Amber),
        ("Amber", Status::Amber),
        ("at risk", Status::Amber),
        ("At Risk!", Status::Amber),
        ("R", Status::Red),
        ("red", Status::Red),
        ("off track", Status::Red),
        ("Off-Track", Status::Red),
        ("C", Status::Complete),
        ("Completed", Status::Complete),
        ("Done", Status::Complete),
        ("complete", Status::Complete),
        ("Complete.", Status::Complete),
        ("not started", Status::NotStarted),
        ("Not Started", Status::NotStarted),
        ("not-started", Status::NotStarted),
        ("", Status::NotStarted),
        ("   ", Status::NotStarted),
    ];
    for (text, want) in cases {
        assert_eq!(Status::parse(text), Ok(*want), "{text:?}");
        assert_eq!(text.parse::<Status>(), Ok(*want), "{text:?}");
    }
}

#[test]
fn every_status_reads_back_from_its_own_label_and_stored_value() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.label()), Ok(s));
        assert_eq!(Status::parse(s.as_str()), Ok(s));
        assert_eq!(Status::parse(s.meaning()), Ok(s), "{}", s.meaning());
        assert_eq!(s.to_string(), s.label());
    }
}

#[test]
fn unknown_status_words_are_refused_naming_the_word() {
    for text in ["purple", "Gren", "50%", "on hold", "R/A"] {
        let err = Status::parse(text).unwrap_err();
        assert!(err.to_string().contains(text), "{text}: {err}");
        // It also says what would have worked.
        assert!(err.to_string().contains("Amber"), "{err}");
    }
    let err = Status::parse("  purple ").unwrap_err();
    assert_eq!(err.0, "purple");
}

#[test]
fn a_status_written_only_in_symbols_is_not_taken_as_not_started() {
    for text in ["🔴", "???", "✓"] {
        assert!(
            Status::parse(text) != Ok(Status::NotStarted),
            "{text:?} was read as Not started"
        );
    }
}

#[test]
fn an_action_due_31_march_is_overdue_once_it_is_1_april_in_london() {
    let london = Zone::london();
    let due = Some(date(2019, 3, 31));
    // BST began at 01:00 UTC on 31 March 2019: 23:30 UTC is 00:30 on 1 April in London.
    let after_midnight = utc(2019, 3, 31, 23, 30);
    assert_eq!(local_today(after_midnight, london), date(2019, 4, 1));
    assert_eq!(
        overdue_days(due, Status::Red, local_today(after_midnight, london)),
        Some(1)
    );
    // 22:30 UTC is 23:30 in London, still 31 March.
    let before_midnight = utc(2019, 3, 31, 22, 30);
    assert_eq!(local_today(before_midnight, london), date(2019, 3, 31));
    assert_eq!(
        overdue_days(due, Status::Red, local_today(before_midnight, london)),
        None
    );
    // The plan's own calendar says the same.
    let plan = london_plan();
    let a = action("1.1", 1, &["Julie Bragg"], due, Status::Amber);
    assert_eq!(a.overdue_days(plan.today(after_midnight)), Some(1));
    assert_eq!(a.overdue_days(plan.today(before_midnight)), None);
}

#[test]
fn in_winter_london_time_is_utc() {
    let late = utc(2018, 12, 31, 23, 30);
    assert_eq!(local_today(late, Zone::london()), date(2018, 12, 31));
    assert_eq!(
        overdue_days(
            Some(date(2018, 12, 31)),
            Status::Green,
            local_today(late, Zone::london())
        ),
        None
    );
    let next_day = utc(2019, 1, 1, 0, 0);
    assert_eq!(
        overdue_days(
            Some(date(2018, 12, 31)),
            Status::Green,
            local_today(next_day, Zone::london())
        ),
        Some(1)
    );
}

#[test]
fn overdue_counts_whole_days_and_only_for_open_actions_with_a_due_date() {
    let due = Some(date(2018, 12, 31));
    assert_eq!(
        overdue_days(due, Status::NotStarted, date(2018, 12, 31)),
        None,
        "due today is not late"
    );
    assert_eq!(
        overdue_days(due, Status::NotStarted, date(2018, 12, 1)),
        None
    );
    assert_eq!(
        overdue_days(due, Status::NotStarted, date(2019, 1, 31)),
        Some(31)
    );
    assert_eq!(
        overdue_days(due, Status::Green, date(2019, 3, 31)),
        Some(90)
    );
    for late in [date(2019, 1, 1), date(2025, 6, 1)] {
        assert_eq!(
            overdue_days(due, Status::Complete, late),
            None,
            "complete is never overdue"
        );
    }
    assert_eq!(
        overdue_days(None, Status::Red, date(2030, 1, 1)),
        None,
        "no due date, never overdue"
    );
}

#[test]
fn status_at_reads_the_history_at_a_moment() {
    let t1 = utc(2018, 10, 1, 9, 0);
    let t2 = utc(2019, 1, 15, 12, 0);
    let t3 = utc(2019, 4, 2, 12, 0);
    let history = [
        change(t1, None, Status::Green),
        change(t2, Some(Status::Green), Status::Red),
        change(t3, Some(Status::Red), Status::Complete),
    ];
    let ms = Duration::milliseconds(1);
    assert_eq!(
        status_at(&history, t1 - ms),
        None,
        "before the action existed"
    );
    assert_eq!(
        status_at(&history, t1),
        Some(Status::Green),
        "at exactly the first entry"
    );
    assert_eq!(status_at(&history, t2 - ms), Some(Status::Green));
    assert_eq!(status_at(&history, t2), Some(Status::Red));
    assert_eq!(
        status_at(&history, utc(2019, 3, 1, 0, 0)),
        Some(Status::Red)
    );
    assert_eq!(status_at(&history, t3), Some(Status::Complete));
    assert_eq!(
        status_at(&history, utc(2030, 1, 1, 0, 0)),
        Some(Status::Complete)
    );
    assert_eq!(status_at(&[], t3), None);
}

/// The end of `day` in London is the last millisecond before the next local midnight.
fn assert_ends_the_london_day(day: NaiveDate) {
    let as_of = AsOf::end_of_day(day, Zone::london());
    assert_eq!(as_of.today, day);
    let last = as_of.moment.with_timezone(&Zone::london());
    assert_eq!(last.date_naive(), day, "{} is not on {day}", last);
    let next = (as_of.moment + Duration::milliseconds(1)).with_timezone(&Zone::london());
    assert_eq!(next.date_naive(), day.succ_opt().unwrap(), "{next}");
    assert_eq!(next.time(), NaiveTime::MIN, "{next}");
}

#[test]
fn as_of_the_end_of_a_day_is_the_last_moment_before_local_midnight() {
    // Spring forward (a 23-hour day) and fall back (a 25-hour day).
    assert_ends_the_london_day(date(2019, 3, 31));
    assert_ends_the_london_day(date(2019, 10, 27));
    assert_ends_the_london_day(date(2019, 1, 15));
    assert_ends_the_london_day(date(2019, 7, 1));
    // Summer: local midnight is 23:00 UTC.
    let summer = AsOf::end_of_day(date(2019, 3, 31), Zone::london());
    assert_eq!(
        summer.moment + Duration::milliseconds(1),
        utc(2019, 3, 31, 23, 0)
    );
    // Winter: local midnight is UTC midnight.
    let winter = AsOf::end_of_day(date(2019, 10, 27), Zone::london());
    assert_eq!(
        winter.moment + Duration::milliseconds(1),
        utc(2019, 10, 28, 0, 0)
    );
    // An update at 23:30 London time on 31 March counts "as of 31 March".
    let late_update = utc(2019, 3, 31, 22, 30);
    let history = [change(late_update, Some(Status::Red), Status::Complete)];
    assert_eq!(status_at(&history, summer.moment), Some(Status::Complete));
}

#[test]
fn as_of_now_goes_with_the_local_date() {
    let now = utc(2019, 3, 31, 23, 30);
    let as_of = AsOf::now(now, Zone::london());
    assert_eq!(as_of.moment, now);
    assert_eq!(as_of.today, date(2019, 4, 1));
}

#[test]
fn as_of_the_end_of_a_day_whose_midnight_is_skipped() {
    // Havana moved its clocks from 00:00 to 01:00 on 10 March 2019: the day
    // after 9 March starts at 01:00 local (05:00 UTC).
    let havana = planbot::plan::Zone::named("America/Havana").unwrap();
    let as_of = AsOf::end_of_day(date(2019, 3, 9), havana);
    let last = as_of.moment.with_timezone(&havana);
    assert_eq!(last.date_naive(), date(2019, 3, 9));
    let next = (as_of.moment + Duration::milliseconds(1)).with_timezone(&havana);
    assert_eq!(
        next.date_naive(),
        date(2019, 3, 10),
        "the day ended at {last}, hours early"
    );
    assert_eq!(
        as_of.moment + Duration::milliseconds(1),
        utc(2019, 3, 10, 5, 0)
    );
}

#[test]
fn a_note_may_be_up_to_the_limit_and_no_longer() {
    let longest = "x".repeat(MAX_NOTE_CHARS);
    let ok = request(Some(&longest), "Julie Bragg").validated().unwrap();
    assert_eq!(ok.note.as_deref(), Some(longest.as_str()));

    let too_long = "x".repeat(MAX_NOTE_CHARS + 1);
    let err = request(Some(&too_long), "Julie Bragg")
        .validated()
        .unwrap_err();
    assert_eq!(err, RequestError::NoteTooLong(MAX_NOTE_CHARS + 1));
    assert!(
        err.to_string().contains(&(MAX_NOTE_CHARS + 1).to_string()),
        "{err}"
    );
    assert!(
        err.to_string().contains(&MAX_NOTE_CHARS.to_string()),
        "{err}"
    );
}

#[test]
fn the_note_limit_counts_characters_not_bytes() {
    // "é" is two bytes in UTF-8; the limit is about what a reader sees.
    let accented = "é".repeat(MAX_NOTE_CHARS);
    assert!(request(Some(&accented), "Julie Bragg").validated().is_ok());
    let over = "é".repeat(MAX_NOTE_CHARS + 1);
    assert_eq!(
        request(Some(&over), "Julie Bragg").validated().unwrap_err(),
        RequestError::NoteTooLong(MAX_NOTE_CHARS + 1)
    );
}

#[test]
fn an_update_must_say_who_made_it() {
    for by in ["", "   "] {
        let err = request(Some("progress"), by).validated().unwrap_err();
        assert_eq!(err, RequestError::NoAuthor, "{by:?}");
    }
    let ok = request(None, "  Julie Bragg ").validated().unwrap();
    assert_eq!(ok.by, "Julie Bragg");
}

#[test]
fn blank_notes_and_evidence_are_dropped_and_others_trimmed() {
    let mut req = request(Some("   "), "Julie Bragg");
    req.evidence = Some("\n".into());
    let ok = req.validated().unwrap();
    assert_eq!(ok.note, None);
    assert_eq!(ok.evidence, None);
    let ok = request(Some("  Panel agreed the policy  "), "Julie Bragg")
        .validated()
        .unwrap();
    assert_eq!(ok.note.as_deref(), Some("Panel agreed the policy"));
    assert_eq!(
        (ok.to, ok.by_discord_id, ok.at),
        (Status::Amber, Some(42), utc(2019, 1, 15, 9, 0))
    );
}

#[test]
fn an_open_action_goes_stale_after_the_plan_stale_days_without_an_update() {
    let updated = utc(2019, 1, 1, 9, 0);
    let mut a = action("1.1", 1, &["Julie Bragg"], None, Status::Green);
    a.last_update = Some(updated);
    assert!(!a.is_stale(updated + Duration::days(29), 30));
    assert!(
        !a.is_stale(updated + Duration::days(30), 30),
        "exactly 30 days is not yet stale"
    );
    assert!(a.is_stale(updated + Duration::days(30) + Duration::minutes(1), 30));
    assert!(
        a.is_stale(updated + Duration::days(8), 7),
        "the plan's own setting applies"
    );

    let mut never_updated = action("1.2", 1, &[], None, Status::NotStarted);
    assert!(
        never_updated.is_stale(updated, 30),
        "never updated is stale"
    );
    never_updated.status = Status::Complete;
    assert!(
        !never_updated.is_stale(updated, 30),
        "complete actions need no updates"
    );
    a.status = Status::Complete;
    assert!(!a.is_stale(updated + Duration::days(365), 30));
}

#[test]
fn rag_by_priority_counts_each_priority_and_the_whole_plan() {
    let today = date(2019, 4, 1);
    let priorities = [
        Priority {
            number: 1,
            title: "Children Looked After".into(),
            strategic_leads: vec![],
        },
        Priority {
            number: 2,
            title: "Care Leavers".into(),
            strategic_leads: vec![],
        },
        Priority {
            number: 3,
            title: "No actions yet".into(),
            strategic_leads: vec![],
        },
    ];
    let actions = [
        // Listed out of order: the summary is in priority order.
        action("2.1", 2, &[], Some(date(2019, 6, 30)), Status::Amber),
        action("1.1", 1, &[], Some(date(2018, 12, 31)), Status::Green),
        action("1.2", 1, &[], Some(date(2019, 3, 31)), Status::Red),
        action("1.3", 1, &[], Some(date(2018, 12, 31)), Status::Complete),
        action("1.4", 1, &[], None, Status::NotStarted),
        action("1.5", 1, &[], Some(date(2019, 4, 1)), Status::Red),
    ];
    let (rows, total) = rag_by_priority(&priorities, &actions, today);
    let numbers: Vec<u32> = rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 2], "a priority with no actions has no row");
    let one = &rows[0];
    assert_eq!(one.title, "Children Looked After");
    assert_eq!(
        (
            one.counts.red,
            one.counts.amber,
            one.counts.green,
            one.counts.not_started,
            one.counts.complete
        ),
        (2, 0, 1, 1, 1)
    );
    // 1.1 (Q3) and 1.2 (Q4) are late; 1.3 is complete; 1.5 is due today.
    assert_eq!(one.counts.overdue, 2);
    assert_eq!(one.counts.total(), 5);
    assert_eq!(rows[1].counts.amber, 1);
    assert_eq!(rows[1].counts.overdue, 0);
    assert_eq!(rows[1].counts.total(), 1);

    assert_eq!(total.total(), 6);
    assert_eq!(
        (
            total.red,
            total.amber,
            total.green,
            total.not_started,
            total.complete,
            total.overdue
        ),
        (2, 1, 1, 1, 1, 2)
    );
    for s in Status::ALL {
        assert_eq!(
            total.get(s),
            rows.iter().map(|r| r.counts.get(s)).sum::<usize>(),
            "{s}"
        );
    }
}

#[test]
fn rag_by_priority_keeps_actions_of_an_unlisted_priority() {
    let actions = [action("7.1", 7, &[], None, Status::Red)];
    let (rows, total) = rag_by_priority(&[], &actions, date(2019, 1, 1));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].number, rows[0].title.as_str(), rows[0].counts.red),
        (7, "Priority 7", 1)
    );
    assert_eq!(total.red, 1);
}

#[test]
fn overdue_by_lead_chases_each_lead_most_overdue_first_and_the_unassigned_last() {
    let today = date(2019, 4, 1);
    let actions = [
        action(
            "1.1",
            1,
            &["Steve Comb", "Tom Brailsford"],
            Some(date(2018, 12, 31)),
            Status::Green,
        ),
        action(
            "1.2",
            1,
            &["Julie Bragg"],
            Some(date(2019, 3, 31)),
            Status::Red,
        ),
        action(
            "2.1",
            2,
            &["Julie Bragg"],
            Some(date(2018, 9, 30)),
            Status::Amber,
        ),
        action(
            "2.2",
            2,
            &["Julie Bragg"],
            Some(date(2019, 6, 30)),
            Status::Red,
        ),
        action(
            "4.1",
            4,
            &["Mel Meggs"],
            Some(date(2018, 12, 31)),
            Status::Complete,
        ),
        action("4.2", 4, &[], Some(date(2019, 3, 31)), Status::NotStarted),
        action("4.3", 4, &[], Some(date(2018, 6, 30)), Status::Red),
    ];
    let grouped = overdue_by_lead(&actions, today);
    type LeadView<'a> = (Option<&'a str>, Vec<(&'a str, i64)>);
    let view: Vec<LeadView> = grouped
        .iter()
        .map(|(lead, list)| {
            (
                lead.as_deref(),
                list.iter()
                    .map(|o| (o.action.reference.as_str(), o.days))
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            // 2.1 is 183 days late (30 Sep to 1 Apr), 1.2 one day; 2.2 is not due yet.
            (Some("Julie Bragg"), vec![("2.1", 183), ("1.2", 1)]),
            // 1.1 has two leads: both are chased for it.
            (Some("Steve Comb"), vec![("1.1", 91)]),
            (Some("Tom Brailsford"), vec![("1.1", 91)]),
            // 4.3 (30 June 2018) is more overdue than 4.2; Mel Meggs's 4.1 is complete.
            (None, vec![("4.3", 275), ("4.2", 1)]),
        ]
    );
}

#[test]
fn overdue_by_lead_is_empty_when_nothing_is_late() {
    let actions = [
        action(
            "1.1",
            1,
            &["Julie Bragg"],
            Some(date(2019, 6, 30)),
            Status::Red,
        ),
        action("1.2", 1, &[], None, Status::Red),
    ];
    assert!(overdue_by_lead(&actions, date(2019, 4, 1)).is_empty());
}
