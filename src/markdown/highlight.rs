//! Code highlighting at build time with syntect, into CSS classes so that
//! the light and dark palettes are plain CSS.
//!
//! The syntax set is loaded once per process (from syntect's binary dump),
//! and highlighted blocks are cached by their language and text: the same
//! snippet appearing in many postmortems is highlighted once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

use comrak::adapters::SyntaxHighlighterAdapter;
use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

pub use crate::model::body::MAX_HIGHLIGHT_LINE;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The palette used in dark mode.
pub const DARK_THEME: &str = "base16-ocean.dark";

fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The stylesheet for highlighted code: the configured theme, and the dark
/// theme when the reader's system prefers dark. Made once per theme name.
pub fn stylesheet(light_theme: &str) -> Arc<str> {
    static MADE: OnceLock<RwLock<HashMap<String, Arc<str>>>> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    if let Ok(m) = made.read()
        && let Some(css) = m.get(light_theme)
    {
        return css.clone();
    }
    let css: Arc<str> = make_stylesheet(light_theme).into();
    if let Ok(mut m) = made.write() {
        m.insert(light_theme.to_string(), css.clone());
    }
    css
}

fn make_stylesheet(light_theme: &str) -> String {
    let themes = ThemeSet::load_defaults();
    let mut css = String::new();
    if let Some(t) = themes.themes.get(light_theme)
        && let Ok(s) = css_for_theme_with_class_style(t, CLASS_STYLE)
    {
        css.push_str(&s);
    }
    if let Some(t) = themes.themes.get(DARK_THEME)
        && let Ok(s) = css_for_theme_with_class_style(t, CLASS_STYLE)
    {
        css.push_str("\n@media (prefers-color-scheme: dark) {\n");
        css.push_str(&s);
        css.push_str("}\n");
    }
    css
}

/// Highlights fenced code for comrak; shared by every render of a build.
#[derive(Default)]
pub struct Highlighter {
    cache: RwLock<HashMap<(String, String), Arc<str>>>,
}

impl Highlighter {
    pub fn new() -> Self {
        Self::default()
    }

    /// The highlighted HTML (without `<pre>`/`<code>`) for a snippet.
    pub fn highlight(&self, lang: Option<&str>, code: &str) -> Arc<str> {
        let key = (lang.unwrap_or("").to_string(), code.to_string());
        if let Ok(cache) = self.cache.read()
            && let Some(hit) = cache.get(&key)
        {
            return hit.clone();
        }
        let html: Arc<str> = highlight_uncached(lang, code).into();
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(key, html.clone());
        }
        html
    }
}

/// The first line of `code` longer than [`MAX_HIGHLIGHT_LINE`]
/// characters: its index (0-based) and length in characters.
pub fn too_long_line(code: &str) -> Option<(usize, usize)> {
    code.lines()
        .enumerate()
        .filter(|(_, l)| l.len() > MAX_HIGHLIGHT_LINE)
        .map(|(i, l)| (i, l.chars().count()))
        .find(|(_, n)| *n > MAX_HIGHLIGHT_LINE)
}

/// The syntax a fence's language names, if syntect has one.
fn syntax_for(lang: Option<&str>) -> Option<&'static syntect::parsing::SyntaxReference> {
    let lang = lang.map(str::trim).filter(|l| !l.is_empty())?;
    let ss = syntax_set();
    ss.find_syntax_by_token(lang)
        .or_else(|| ss.find_syntax_by_token(&lang.to_lowercase()))
}

/// Whether code in this language would be highlighted (so that a line
/// too long for it is worth a warning).
pub fn highlights(lang: Option<&str>) -> bool {
    syntax_for(lang).is_some()
}

fn highlight_uncached(lang: Option<&str>, code: &str) -> String {
    let Some(syntax) = syntax_for(lang) else {
        return escape(code);
    };
    if too_long_line(code).is_some() {
        return escape(code);
    }
    let ss = syntax_set();
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, ss, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return escape(code);
        }
    }
    generator.finalize()
}

fn escape(code: &str) -> String {
    let mut s = String::with_capacity(code.len() + 16);
    for c in code.chars() {
        match c {
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '&' => s.push_str("&amp;"),
            '"' => s.push_str("&quot;"),
            _ => s.push(c),
        }
    }
    s
}

impl SyntaxHighlighterAdapter for Highlighter {
    fn write_highlighted(
        &self,
        output: &mut dyn fmt::Write,
        lang: Option<&str>,
        code: &str,
    ) -> fmt::Result {
        output.write_str(&self.highlight(lang, code))
    }

    fn write_pre_tag(
        &self,
        output: &mut dyn fmt::Write,
        _attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        output.write_str("<pre class=\"hl-code\">")
    }

    fn write_code_tag(
        &self,
        output: &mut dyn fmt::Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        match attributes.get("class") {
            Some(class) => write!(output, "<code class=\"{}\">", escape(class)),
            None => output.write_str("<code>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_book_toml_accepts_is_one_syntect_ships() {
        let shipped = ThemeSet::load_defaults();
        for name in crate::config::HIGHLIGHT_THEMES {
            assert!(shipped.themes.contains_key(*name), "{name}");
        }
        assert!(crate::config::HIGHLIGHT_THEMES.contains(&DARK_THEME));
    }

    #[test]
    fn known_languages_get_classes_and_unknown_ones_are_escaped() {
        let h = Highlighter::new();
        let out = h.highlight(Some("python"), "def f():\n    return 1\n");
        assert!(out.contains("hl-"), "{out}");
        let out = h.highlight(Some("no-such-lang"), "<b>\n");
        assert_eq!(&*out, "&lt;b&gt;\n");
        let out = h.highlight(None, "a & b\n");
        assert_eq!(&*out, "a &amp; b\n");
    }

    #[test]
    fn a_line_too_long_for_the_highlighter_is_escaped_whole() {
        let long = format!("key: {}<x>\n", "{\"a\":\"b\"},".repeat(MAX_HIGHLIGHT_LINE));
        let code = format!("a: 1\n{long}");
        assert_eq!(too_long_line(&code).map(|(i, _)| i), Some(1));
        let out = Highlighter::new().highlight(Some("yaml"), &code);
        assert!(!out.contains("hl-"), "not highlighted");
        assert_eq!(out.len(), escape(&code).len());
        assert!(out.ends_with("&lt;x&gt;\n"));
        assert!(too_long_line(&"é".repeat(MAX_HIGHLIGHT_LINE)).is_none());
    }

    #[test]
    fn stylesheet_has_both_palettes() {
        let css = stylesheet("InspiredGitHub");
        assert!(css.contains(".hl-code"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}
