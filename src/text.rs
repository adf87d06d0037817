//! Text helpers shared by every place that shows plan text to people.

/// Cuts text to `max` characters at a word boundary, marking the cut.
pub fn shorten(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|i| *i > max / 2)
        .map_or(cut.as_str(), |i| &cut[..i]);
    format!("{at_word}…")
}
