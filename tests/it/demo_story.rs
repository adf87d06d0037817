//! The demo tells its story whole: why a Green action is still overdue, and
//! the escalations it counts are shown, not only counted.

use std::process::Command;

fn demo() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_planbot"))
        .arg("demo")
        .env_remove("PLANBOT_DB")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_demo_says_why_a_green_action_is_overdue_and_shows_its_escalations() {
    let text = demo();
    let overdue = text
        .split("/overdue")
        .nth(1)
        .and_then(|t| t.split("/plan summary").next())
        .expect("the /overdue answer");
    assert!(
        overdue.contains("`7.1`") && overdue.contains("Green"),
        "{overdue}"
    );
    assert!(
        overdue.contains("stays overdue until it is marked Complete"),
        "why 7.1 is still listed: {overdue}"
    );
    let shown = text.matches("Escalation: Kirklees plan, priority").count();
    assert_eq!(shown, 7, "each escalation counted is shown: {text}");
    assert!(!text.contains("<@"), "mentions read as names: {text}");
}

#[test]
fn the_demo_records_a_measure_from_chat_and_shows_the_boards_measures_and_risks() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_planbot"))
        .arg("demo")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("/measure record code:M2 value:24%")
            && text.contains("M2 Social work posts filled by agency staff: 24% for Apr 2019"),
        "{text}"
    );
    let pack = text
        .split("== The board's digest of Q1 19/20 so far")
        .nth(1)
        .unwrap_or_else(|| panic!("no digest section: {text}"));
    assert!(pack.contains("## Outcomes and measures") && pack.contains("## Risk register"));
    // The value recorded from chat is the one the board reads.
    assert!(
        pack.lines().any(|l| l.starts_with("| M2 ")
            && l.contains("| 24% | Apr 2019 |")
            && l.contains("Red")),
        "{pack}"
    );
    assert!(
        pack.contains("| R1 Recruitment and retention of social workers and practice managers")
    );
}
