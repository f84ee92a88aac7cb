//! Plain-text helpers shared by the readers of a converted file:
//! whitespace collapsed, long texts shortened.

/// Runs of whitespace (line breaks included) as one space, trimmed.
pub(super) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts a text to about `max` characters, at a sentence end when there is
/// one, else at a word.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    if let Some(i) = cut.rfind(". ")
        && i > max / 3
    {
        return cut[..=i].to_string();
    }
    let i = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..i].trim_end_matches([',', ';', ':', ' ']))
}
