//! Splitting a Leads cell into people. Plans write several leads as
//! "Mel Meggs; Ophelia Rix", "Mel Meggs, Ophelia Rix", "Mel Meggs & Ophelia
//! Rix", one per line, "Mel Meggs / Ophelia Rix" or "Mel Meggs and Ophelia
//! Rix"; a lead left as one
//! "person" can never be linked to a Discord account.

use std::collections::HashSet;

/// The names in a cell, each once, and the pieces holding " and " that were
/// kept whole because a side does not look like a person's name ("Head of
/// Fostering and Adoption").
pub fn split_leads(cell: &str) -> (Vec<String>, Vec<String>) {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    let mut unsure = Vec::new();
    for piece in cell.split([';', ',', '&', '\n', '\r']) {
        let whole = piece.split_whitespace().collect::<Vec<_>>().join(" ");
        if whole.is_empty() {
            continue;
        }
        // "Mel Meggs / Ophelia Rix" is read like "Mel Meggs and Ophelia Rix".
        let spaced = piece.replace('/', " / ");
        let words: Vec<&str> = spaced.split_whitespace().collect();
        // A serial comma leaves "and Ophelia Rix": an empty side is no one.
        let sides: Vec<&[&str]> = words
            .split(|w| w.eq_ignore_ascii_case("and") || *w == "/")
            .filter(|side| !side.is_empty())
            .collect();
        let parts: Vec<String> = if sides.len() == 1 {
            vec![sides[0].join(" ")]
        } else if sides.iter().all(|s| looks_like_a_name(s)) {
            sides.iter().map(|s| s.join(" ")).collect()
        } else {
            unsure.push(whole.clone());
            vec![whole]
        };
        for name in parts {
            if seen.insert(name.to_lowercase()) {
                names.push(name);
            }
        }
    }
    names.shrink_to_fit();
    (names, unsure)
}

/// "Mel Meggs", "Dr Ann O'Neill": two to four capitalised words.
fn looks_like_a_name(words: &[&str]) -> bool {
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && !w.chars().any(|c| c.is_ascii_digit())
        })
}
