//! URLs from book.toml and the command line that end up in `href`s: only
//! `http:` and `https:` URLs or relative paths, so that no configuration
//! puts a `javascript:` (or `data:`, `vbscript:`…) link on the site.

/// The scheme a browser reads at the start of a URL, lowercased: as the
/// URL standard parses it, tabs and line breaks anywhere are dropped and
/// spaces and control characters at the ends are trimmed first
/// (`" Java\tScript:x"` is a `javascript:` URL). `None` for a relative URL.
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let s = cleaned.trim_matches(|c: char| c <= ' ');
    let (head, _) = s.split_once(':')?;
    let mut chars = head.chars();
    let first = chars.next()?;
    let is_scheme = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| head.to_ascii_lowercase())
}

/// An `http:` or `https:` URL, or a relative one; nothing else. The
/// message says what is wrong.
pub fn check_link(url: &str) -> Result<(), String> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{}` contains spaces or control characters, which browsers drop or misread in a link",
            url.escape_debug()
        ));
    }
    match scheme(url) {
        Some(s) if s == "http" || s == "https" => Ok(()),
        Some(s) => Err(format!(
            "`{s}:` URLs are not allowed here: only http: and https: URLs or a relative path (a `{s}:` link could run script or open something other than a page)"
        )),
        None => Ok(()),
    }
}

/// A URL that runs script or opens a document of its own (with the
/// site's origin) when followed or loaded.
pub fn is_script_url(value: &str) -> bool {
    match scheme(value).as_deref() {
        Some("javascript" | "vbscript" | "livescript") => true,
        Some("data") => {
            let media = value
                .trim_matches(|c: char| c <= ' ')
                .get(5..)
                .unwrap_or("")
                .trim_start()
                .to_ascii_lowercase();
            [
                "text/html",
                "application/xhtml",
                "image/svg",
                "text/xml",
                "application/xml",
                "text/javascript",
                "application/javascript",
            ]
            .iter()
            .any(|m| media.starts_with(m))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_https_and_relative_urls_pass() {
        for ok in [
            "https://acme.atlassian.net/browse/{id}",
            "HTTP://x/{id}",
            "/tickets/{id}",
            "tickets/{id}",
            "//jira.acme.com/{id}",
            "https://x/a:b",
            "./a:b",
        ] {
            assert!(check_link(ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)//{id}",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
        ] {
            assert!(check_link(bad).is_err(), "{bad:?}");
        }
        assert_eq!(scheme(" Java\tScript:x").as_deref(), Some("javascript"));
        assert_eq!(scheme("a/b:c"), None);
    }
}
