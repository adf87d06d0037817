//! Splitting a Leads cell into people. Plans write several leads as
//! "Mel Meggs; Ophelia Rix", "Mel Meggs, Ophelia Rix", "Mel Meggs & Ophelia
//! Rix", one per line, "Mel Meggs / Ophelia Rix" or "Mel Meggs and Ophelia
//! Rix"; a lead left as one
//! "person" can never be linked to a Discord account.

use std::borrow::Cow;

/// The names in a cell, each once, and the pieces holding " and " that were
/// kept whole because a side does not look like a person's name ("Head of
/// Fostering and Adoption").
pub fn split_leads(cell: &str) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let mut unsure = Vec::new();
    for piece in cell.split([';', ',', '&', '\n', '\r']) {
        let whole = joined(piece.split_whitespace());
        if whole.is_empty() {
            continue;
        }
        // "Mel Meggs / Ophelia Rix" is read like "Mel Meggs and Ophelia Rix".
        let spaced = if piece.contains('/') {
            Cow::Owned(piece.replace('/', " / "))
        } else {
            Cow::Borrowed(piece)
        };
        let words: Vec<&str> = spaced.split_whitespace().collect();
        // A serial comma leaves "and Ophelia Rix": an empty side is no one.
        let sides: Vec<&[&str]> = words
            .split(|w| w.eq_ignore_ascii_case("and") || *w == "/")
            .filter(|side| !side.is_empty())
            .collect();
        let parts: Vec<String> = if sides.len() == 1 && sides[0].len() == words.len() {
            // One side that is every word: the piece as it was.
            vec![whole]
        } else if sides.len() == 1 {
            vec![sides[0].join(" ")]
        } else if sides.iter().all(|s| looks_like_a_name(s)) {
            sides.iter().map(|s| s.join(" ")).collect()
        } else {
            unsure.push(whole.clone());
            vec![whole]
        };
        for name in parts {
            // A cell lists a few names: comparing them beats hashing each.
            if !names.iter().any(|n| same_name(n, &name)) {
                names.push(name);
            }
        }
    }
    names.shrink_to_fit();
    (names, unsure)
}

/// The words with single spaces between them.
fn joined<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut joined = String::new();
    for word in words {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    joined
}

/// The same name in another case; ASCII names, nearly all, are compared
/// without making lower-case copies.
fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// "Mel Meggs", "Dr Ann O'Neill": two to four capitalised words.
fn looks_like_a_name(words: &[&str]) -> bool {
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && !w.chars().any(|c| c.is_ascii_digit())
        })
}
