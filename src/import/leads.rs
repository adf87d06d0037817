//! Splitting a Leads cell into people. Plans write several leads as
//! "Mel Meggs; Ophelia Rix", "Mel Meggs, Ophelia Rix", "Mel Meggs & Ophelia
//! Rix", one per line, "Mel Meggs / Ophelia Rix" or "Mel Meggs and Ophelia
//! Rix"; a lead left as one
//! "person" can never be linked to a Discord account.

/// A reading of a cell the admin should check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doubt {
    /// A piece holding " and " kept whole because a side does not look like
    /// a person's name ("Head of Fostering and Adoption").
    KeptWhole(String),
    /// "Smith, John": two one-word names, as a name written surname first
    /// would be read.
    SurnameFirst(String),
}

impl Doubt {
    /// The warning, after the cell's place.
    pub fn warning(&self) -> String {
        match self {
            Doubt::KeptWhole(piece) => format!(
                "\"{piece}\" was kept as one name; if it names several people, \
                 separate them with ; or ,"
            ),
            Doubt::SurnameFirst(cell) => {
                let (first, second) = cell.split_once(',').unwrap_or((cell, ""));
                let (first, second) = (first.trim(), second.trim());
                format!(
                    "\"{cell}\" was read as two people, {first} and {second}; if it names \
                     one person, write \"{second} {first}\""
                )
            }
        }
    }
}

/// The names in a cell, each once, and the readings to check.
pub fn split_leads(cell: &str) -> (Vec<String>, Vec<Doubt>) {
    let mut names: Vec<String> = Vec::new();
    let mut unsure = Vec::new();
    // "Smith, John & Rix, Ophelia": split as the names are, bar the comma.
    let segments = cell.split([';', '&', '\n', '\r']).flat_map(|piece| {
        let spaced = piece.replace('/', " / ");
        let words: Vec<&str> = spaced.split_whitespace().collect();
        words
            .split(|w| w.eq_ignore_ascii_case("and") || *w == "/")
            .map(|side| side.join(" "))
            .collect::<Vec<_>>()
    });
    for segment in segments {
        if surname_first(&segment) {
            unsure.push(Doubt::SurnameFirst(joined(segment.split_whitespace())));
        }
    }
    let is_and = |w: &&str| w.eq_ignore_ascii_case("and");
    for piece in cell.split([';', ',', '&', '\n', '\r']) {
        let whole = joined(piece.split_whitespace());
        if whole.is_empty() {
            continue;
        }
        // Most pieces name one person, with nothing to split them on.
        if !piece.contains('/') && !piece.split_whitespace().any(|w| is_and(&w)) {
            add_name(&mut names, whole);
            continue;
        }
        // "Mel Meggs / Ophelia Rix" is read like "Mel Meggs and Ophelia Rix".
        let spaced = piece.replace('/', " / ");
        let words: Vec<&str> = spaced.split_whitespace().collect();
        // A serial comma leaves "and Ophelia Rix": an empty side is no one.
        let sides: Vec<&[&str]> = words
            .split(|w| is_and(w) || *w == "/")
            .filter(|side| !side.is_empty())
            .collect();
        if sides.len() == 1 {
            add_name(&mut names, sides[0].join(" "));
        } else if sides.iter().all(|s| looks_like_a_name(s)) {
            for side in sides {
                add_name(&mut names, side.join(" "));
            }
        } else {
            unsure.push(Doubt::KeptWhole(whole.clone()));
            add_name(&mut names, whole);
        }
    }
    names.shrink_to_fit();
    (names, unsure)
}

/// "Smith, John", "O'Brien, Sean", "SMITH, J.": one word either side of one
/// comma, as a name written surname first is.
fn surname_first(segment: &str) -> bool {
    let Some((a, b)) = segment.split_once(',') else {
        return false;
    };
    [a, b].iter().all(|side| {
        let mut words = side.split_whitespace();
        let (Some(word), None) = (words.next(), words.next()) else {
            return false;
        };
        word.chars().next().is_some_and(char::is_uppercase)
            && word
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.'))
    })
}

/// Adds `name` unless the cell named the person already. A cell lists a
/// few names: comparing them beats hashing each.
fn add_name(names: &mut Vec<String>, name: String) {
    if !names.iter().any(|n| same_name(n, &name)) {
        names.push(name);
    }
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
