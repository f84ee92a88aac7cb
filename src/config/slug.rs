//! Slugs: the lowercase, dash-separated names used for ids, causes,
//! services and URLs.

/// The longest name (an id, a cause, a service, a team, a tag) in bytes:
/// each becomes a folder name of the site, and file systems take at most
/// 255 bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// `[a-z0-9]+(-[a-z0-9]+)*`
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The slug for a free text ("Missing Timeout" → "missing-timeout").
pub fn slugify(s: &str) -> String {
    slug::slugify(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("missing-timeout"));
        assert!(is_slug("2018-04-12-x"));
        assert!(!is_slug("Missing Timeout"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
        assert!(!is_slug(""));
        assert_eq!(slugify("Missing Timeout"), "missing-timeout");
        assert_eq!(slugify("  DNS / resolver  "), "dns-resolver");
    }
}
