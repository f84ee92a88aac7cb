//! Code highlighting at build time with syntect, into a few short CSS
//! classes so that the light and dark palettes are plain CSS.
//!
//! Each palette is one complete syntect theme, scoped by a media query so
//! that no rule of one shows in the other's colour scheme. Text colours
//! that fall short of WCAG AA contrast (4.5:1) on the background they are
//! drawn on are made lighter or darker (in OKLCH, keeping their hue) until
//! they reach it: most themes syntect ships have a few such colours.
//!
//! syntect resolves each token's style in both themes; a run of text with
//! the same pair of styles is one span whose classes name them: `l3` for
//! the light theme's fourth text colour, `db0` for the dark theme's first
//! background, `lB` for bold in light mode (see [`Palette`]). Text in a
//! theme's default colours has no class, and white space joins the run
//! before it, as its colour does not show. That is a fraction of the
//! markup of a span per scope (`hl-meta hl-function-call hl-go`).
//!
//! The syntax set is loaded once per process (from syntect's binary dump),
//! and highlighted blocks are cached by their language and text: the same
//! snippet appearing in many postmortems is highlighted once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::{Arc, OnceLock, RwLock};

use comrak::adapters::SyntaxHighlighterAdapter;
use palette::color_difference::Wcag21RelativeContrast;
use palette::{FromColor, IsWithinBounds, OklabHue, Oklch, Srgb};
use syntect::highlighting::{
    Color, FontStyle, Highlighter as ThemeHighlighter, Style, Theme, ThemeItem, ThemeSet,
};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

pub use crate::model::body::MAX_HIGHLIGHT_LINE;

/// The contrast every text colour of a palette reaches against its
/// background: WCAG 2.1 AA for normal text.
pub const MIN_CONTRAST: f32 = 4.5;

/// Where the light palette applies: everywhere the dark one does not
/// (print included, whatever the system prefers).
pub const LIGHT_MEDIA: &str = "not screen and (prefers-color-scheme: dark)";
/// Where the dark palette applies.
pub const DARK_MEDIA: &str = "screen and (prefers-color-scheme: dark)";

fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}
/// The stylesheet for highlighted code: `light_theme` for light mode and
/// print, `dark_theme` when the reader's system prefers dark, both with
/// readable colours.
pub fn stylesheet(light_theme: &str, dark_theme: &str) -> Arc<str> {
    palettes(light_theme, dark_theme).css.clone()
}

/// The two palettes of a pair of theme names, and their stylesheet: made
/// once per pair.
fn palettes(light_theme: &str, dark_theme: &str) -> Arc<Palettes> {
    type Made = RwLock<HashMap<(String, String), Arc<Palettes>>>;
    static MADE: OnceLock<Made> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    let key = (light_theme.to_string(), dark_theme.to_string());
    if let Ok(m) = made.read()
        && let Some(p) = m.get(&key)
    {
        return p.clone();
    }
    let p = Arc::new(Palettes::new(light_theme, dark_theme));
    if let Ok(mut m) = made.write() {
        m.insert(key, p.clone());
    }
    p
}

/// The light and the dark palette (either is missing when its theme is
/// not one syntect ships), and the stylesheet that gives their classes.
struct Palettes {
    sides: Vec<Palette>,
    css: Arc<str>,
}

impl Palettes {
    fn new(light_theme: &str, dark_theme: &str) -> Self {
        let themes = ThemeSet::load_defaults();
        let sides: Vec<Palette> = [
            (light_theme, 'l', LIGHT_MEDIA),
            (dark_theme, 'd', DARK_MEDIA),
        ]
        .into_iter()
        .filter_map(|(name, prefix, media)| {
            let theme = themes.themes.get(name)?;
            Some(Palette::new(theme, prefix, media))
        })
        .collect();
        let mut css = format!(
            "/* Highlighted code: \"{light_theme}\" in light mode and print, \"{dark_theme}\" when\n   \
             the system prefers dark. Text colours under {MIN_CONTRAST}:1 (WCAG AA) on their\n   \
             background were made darker or lighter by pmsite, keeping their hue. */\n"
        );
        for side in &sides {
            side.write_css(&mut css);
        }
        Palettes {
            sides,
            css: css.into(),
        }
    }
}

/// One theme, made readable, with the class of each of its styles: its
/// text colours are `{prefix}0`, `{prefix}1`, … in the order its rules
/// name them, its backgrounds `{prefix}b0`, …, and bold, italic and
/// underline `{prefix}B`, `{prefix}I`, `{prefix}U`. Its default colours
/// have no class (the `.hl-code` rule gives them).
struct Palette {
    prefix: char,
    media: &'static str,
    theme: Theme,
    fg: Color,
    bg: Color,
    colours: Vec<Color>,
    backgrounds: Vec<Color>,
}

impl Palette {
    fn new(theme: &Theme, prefix: char, media: &'static str) -> Self {
        let theme = readable(theme);
        let fg = theme.settings.foreground.unwrap_or(BLACK);
        let bg = theme.settings.background.unwrap_or(WHITE);
        let distinct = |pick: fn(&ThemeItem) -> Option<Color>, default: Color| {
            let mut out: Vec<Color> = Vec::new();
            for c in theme.scopes.iter().filter_map(pick) {
                if c != default && !out.contains(&c) {
                    out.push(c);
                }
            }
            out
        };
        let colours = distinct(|i| i.style.foreground, fg);
        let backgrounds = distinct(|i| i.style.background, bg);
        Palette {
            prefix,
            media,
            theme,
            fg,
            bg,
            colours,
            backgrounds,
        }
    }

    /// Appends the classes of `style` (each after a space).
    fn push_classes(&self, style: &Style, out: &mut String) {
        let p = self.prefix;
        if style.foreground != self.fg
            && let Some(i) = self.colours.iter().position(|c| *c == style.foreground)
        {
            let _ = write!(out, " {p}{i}");
        }
        if style.background != self.bg
            && let Some(i) = self.backgrounds.iter().position(|c| *c == style.background)
        {
            let _ = write!(out, " {p}b{i}");
        }
        for (flag, name) in FONT_CLASSES {
            if style.font_style.contains(flag) {
                let _ = write!(out, " {p}{name}");
            }
        }
    }

    /// Whether white space in `style` shows: on a background of its own,
    /// or underlined.
    fn paints_space(&self, style: &Style) -> bool {
        style.background != self.bg || style.font_style.contains(FontStyle::UNDERLINE)
    }

    fn write_css(&self, css: &mut String) {
        let p = self.prefix;
        let _ = write!(
            css,
            "\n@media {} {{\n.hl-code {{ color: {}; background-color: {}; }}\n",
            self.media,
            css_color(self.fg),
            css_color(self.bg)
        );
        for (i, c) in self.colours.iter().enumerate() {
            let _ = writeln!(css, ".hl-code .{p}{i} {{ color: {}; }}", css_color(*c));
        }
        for (i, c) in self.backgrounds.iter().enumerate() {
            let _ = writeln!(
                css,
                ".hl-code .{p}b{i} {{ background-color: {}; }}",
                css_color(*c)
            );
        }
        for (rule, (_, name)) in FONT_RULES.iter().zip(FONT_CLASSES) {
            let _ = writeln!(css, ".hl-code .{p}{name} {{ {rule}; }}");
        }
        css.push_str("}\n");
    }
}

const FONT_CLASSES: [(FontStyle, char); 3] = [
    (FontStyle::BOLD, 'B'),
    (FontStyle::ITALIC, 'I'),
    (FontStyle::UNDERLINE, 'U'),
];
const FONT_RULES: [&str; 3] = [
    "font-weight: bold",
    "font-style: italic",
    "text-decoration: underline",
];

/// A colour as CSS: `#rrggbb`, or `#rrggbbaa` when it is not opaque.
fn css_color(c: Color) -> String {
    if c.a == 0xFF {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!("#{:02x}{:02x}{:02x}{:02x}", c.r, c.g, c.b, c.a)
    }
}

const WHITE: Color = Color::WHITE;
const BLACK: Color = Color::BLACK;

fn srgb(c: Color) -> Srgb<f32> {
    Srgb::new(c.r, c.g, c.b).into_format()
}

/// The WCAG 2.1 contrast ratio of two colours (alpha ignored, as the
/// stylesheet writes colours without it).
pub fn contrast(a: Color, b: Color) -> f32 {
    srgb(a).relative_contrast(srgb(b))
}

fn opaque(c: Color) -> Color {
    Color { a: 0xFF, ..c }
}

/// Whether black text reads better on `c` than white text.
fn is_light(c: Color) -> bool {
    contrast(c, BLACK) >= contrast(c, WHITE)
}

/// A copy of `theme` whose every text colour reaches [`MIN_CONTRAST`]
/// on the background it is drawn on: its token's own; else that of a
/// scope its selector puts it in (the `+` of a diff's inserted line, on
/// that line's green); else the code background. A token with a
/// background and no colour gets the text colour, so that what it shows
/// is checked too.
fn readable(theme: &Theme) -> Theme {
    let mut t = theme.clone();
    let fg = t.settings.foreground.map_or(BLACK, opaque);
    let fallback_bg = if is_light(fg) { BLACK } else { WHITE };
    let bg = t.settings.background.map_or(fallback_bg, opaque);
    let fg = readable_on(fg, &[bg]);
    t.settings.background = Some(bg);
    t.settings.foreground = Some(fg);
    let backgrounds: Vec<Vec<Color>> = t.scopes.iter().map(|i| drawn_on(i, &t, bg)).collect();
    for (item, under) in t.scopes.iter_mut().zip(backgrounds) {
        let text = match item.style.background {
            Some(_) => Some(item.style.foreground.unwrap_or(fg)),
            None => item.style.foreground,
        };
        item.style.foreground = text.map(|c| readable_on(c, &under));
    }
    t
}

/// The backgrounds a token of `item` can be drawn on (see [`readable`]).
fn drawn_on(item: &ThemeItem, theme: &Theme, code_bg: Color) -> Vec<Color> {
    if let Some(own) = item.style.background {
        return vec![opaque(own)];
    }
    let background_of = |scope: Scope| {
        theme.scopes.iter().find_map(|other| {
            let bg = other.style.background?;
            let covers = other.scope.selectors.iter().any(|s| {
                let path = s.extract_scopes();
                path.len() == 1 && path[0].is_prefix_of(scope)
            });
            covers.then(|| opaque(bg))
        })
    };
    let mut out = Vec::new();
    for selector in &item.scope.selectors {
        let path = selector.extract_scopes();
        let outer = path.split_last().map_or(&[][..], |(_, outer)| outer);
        let bg = outer
            .iter()
            .rev()
            .find_map(|s| background_of(*s))
            .unwrap_or(code_bg);
        if !out.contains(&bg) {
            out.push(bg);
        }
    }
    if out.is_empty() {
        out.push(code_bg);
    }
    out
}

/// `fg` if it reaches [`MIN_CONTRAST`] on every background of `bgs`
/// (the first one chiefly); else the nearest colour of the same OKLCH hue
/// and chroma (less chroma only where sRGB has no such colour) that does:
/// lighter on a dark background, darker on a light one.
fn readable_on(fg: Color, bgs: &[Color]) -> Color {
    const STEP: f32 = 0.004;
    let passes = |c: Color| bgs.iter().all(|b| contrast(c, *b) >= MIN_CONTRAST);
    let fg = opaque(fg);
    if passes(fg) {
        return fg;
    }
    let lighter = bgs.first().is_some_and(|b| !is_light(*b));
    let start = Oklch::from_color(srgb(fg));
    let mut l = start.l;
    while (lighter && l < 1.0) || (!lighter && l > 0.0) {
        l = if lighter {
            (l + STEP).min(1.0)
        } else {
            (l - STEP).max(0.0)
        };
        let c = in_gamut(l, start.chroma, start.hue);
        if passes(c) {
            return c;
        }
    }
    if lighter { WHITE } else { BLACK }
}

/// The sRGB colour of lightness `l` and hue `hue` with the most chroma up
/// to `chroma`.
fn in_gamut(l: f32, chroma: f32, hue: OklabHue) -> Color {
    let fits = |c: f32| Srgb::from_color(Oklch::new(l, c, hue)).is_within_bounds();
    let mut best = chroma;
    if !fits(chroma) {
        let (mut lo, mut hi) = (0.0, chroma);
        for _ in 0..20 {
            let mid = (lo + hi) / 2.0;
            if fits(mid) { lo = mid } else { hi = mid }
        }
        best = lo;
    }
    let rgb: Srgb<u8> = Srgb::from_color(Oklch::new(l, best, hue)).into_format();
    Color {
        r: rgb.red,
        g: rgb.green,
        b: rgb.blue,
        a: 0xFF,
    }
}

/// The tag that opens every code block of a body (highlighted or not):
/// the `.hl-code` rules of `highlight.css` give its colours.
pub const PRE_TAG: &str = "<pre class=\"hl-code\">";

/// Highlights fenced code for comrak; shared by every render of a build.
pub struct Highlighter {
    cache: RwLock<HashMap<(String, String), Arc<str>>>,
    palettes: Arc<Palettes>,
}

impl Highlighter {
    /// A highlighter for the stylesheet of `light_theme` and `dark_theme`
    /// (see [`stylesheet`]).
    pub fn new(light_theme: &str, dark_theme: &str) -> Self {
        Highlighter {
            cache: RwLock::default(),
            palettes: palettes(light_theme, dark_theme),
        }
    }

    /// The highlighted HTML (without `<pre>`/`<code>`) for a snippet.
    pub fn highlight(&self, lang: Option<&str>, code: &str) -> Arc<str> {
        let key = (lang.unwrap_or("").to_string(), code.to_string());
        if let Ok(cache) = self.cache.read()
            && let Some(hit) = cache.get(&key)
        {
            return hit.clone();
        }
        let html: Arc<str> = highlight_uncached(lang, code, &self.palettes).into();
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

fn highlight_uncached(lang: Option<&str>, code: &str, palettes: &Palettes) -> String {
    let Some(syntax) = syntax_for(lang) else {
        return escape(code);
    };
    if too_long_line(code).is_some() {
        return escape(code);
    }
    match runs(syntax, code, palettes) {
        Some(runs) => runs.to_html(),
        None => escape(code),
    }
}

/// The text of `code` in runs of one pair of styles, with the classes of
/// that pair; `None` when syntect cannot parse it. Each scope stack's
/// styles are resolved once per snippet.
fn runs(
    syntax: &syntect::parsing::SyntaxReference,
    code: &str,
    palettes: &Palettes,
) -> Option<Runs> {
    let ss = syntax_set();
    let highlighters: Vec<ThemeHighlighter> = palettes
        .sides
        .iter()
        .map(|p| ThemeHighlighter::new(&p.theme))
        .collect();
    let mut styles_of: HashMap<Vec<Scope>, Vec<Style>> = HashMap::new();
    let mut parse = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut runs = Runs::default();
    for line in LinesWithEndings::from(code) {
        let ops = parse.parse_line(line, ss).ok()?;
        let mut pos = 0;
        let ends = ops.iter().map(|(at, op)| (*at, Some(op)));
        for (at, op) in ends.chain([(line.len(), None)]) {
            if at > pos {
                let text = line.get(pos..at)?;
                let key = stack.as_slice();
                if !styles_of.contains_key(key) {
                    let styles = highlighters
                        .iter()
                        .map(|h| h.style_for_stack(key))
                        .collect();
                    styles_of.insert(key.to_vec(), styles);
                }
                let styles = styles_of.get(key)?;
                runs.push_styled(text, styles, &palettes.sides);
                pos = at;
            }
            if let Some(op) = op {
                stack.apply(op).ok()?;
            }
        }
    }
    Some(runs)
}

/// Highlighted text as runs: the classes of each (empty: none) and its
/// text.
#[derive(Default)]
struct Runs {
    /// Classes, text, and whether white space in it shows.
    runs: Vec<(String, String, bool)>,
}

impl Runs {
    /// Adds `text` drawn in `styles` (one per palette of `sides`).
    fn push_styled(&mut self, text: &str, styles: &[Style], sides: &[Palette]) {
        let mut classes = String::new();
        let mut paints = false;
        for (side, style) in sides.iter().zip(styles) {
            side.push_classes(style, &mut classes);
            paints |= side.paints_space(style);
        }
        self.push(classes.trim_start(), text, paints);
    }

    /// Adds `text` with `classes`: to the last run when they are the same,
    /// or when it is white space whose look does not show (`paints`
    /// false).
    fn push(&mut self, classes: &str, text: &str, paints: bool) {
        if text.is_empty() {
            return;
        }
        let bare_space = !paints && text.trim().is_empty();
        if let Some((last, t, last_paints)) = self.runs.last_mut()
            && (*last == classes || (bare_space && !*last_paints))
        {
            t.push_str(text);
            return;
        }
        let classes = if bare_space { "" } else { classes };
        self.runs
            .push((classes.to_string(), text.to_string(), paints && !bare_space));
    }

    fn to_html(&self) -> String {
        let mut out = String::new();
        for (classes, text, _) in &self.runs {
            if classes.is_empty() {
                out.push_str(&escape(text));
            } else {
                let _ = write!(out, "<span class=\"{classes}\">{}</span>", escape(text));
            }
        }
        out
    }
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
        output.write_str(PRE_TAG)
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
    use crate::config::HIGHLIGHT_THEMES;

    /// A rule of a generated stylesheet: the media query around it, its
    /// selector, and the colours it assigns.
    #[derive(Debug)]
    struct Rule {
        media: Option<String>,
        selector: String,
        color: Option<Color>,
        background: Option<Color>,
    }

    fn hex(value: &str) -> Color {
        let h = value.trim().trim_start_matches('#');
        let byte = |i: usize| {
            u8::from_str_radix(&h[i..i + 2], 16).unwrap_or_else(|_| panic!("colour {value}"))
        };
        assert_eq!(h.len(), 6, "colour {value}");
        Color {
            r: byte(0),
            g: byte(2),
            b: byte(4),
            a: 0xFF,
        }
    }

    /// The rules of a stylesheet as pmsite writes it (comments, `@media`
    /// blocks one level deep, rules of `name: value;` declarations).
    fn rules(css: &str) -> Vec<Rule> {
        let mut text = String::new();
        let mut rest = css;
        while let Some(i) = rest.find("/*") {
            text.push_str(&rest[..i]);
            let end = rest[i..].find("*/").expect("closed comment");
            rest = &rest[i + end + 2..];
        }
        text.push_str(rest);
        let mut out = Vec::new();
        let mut media = None;
        let mut rest = text.as_str();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                return out;
            }
            if let Some(r) = rest.strip_prefix('}') {
                assert!(media.is_some(), "a `}}` closes nothing");
                media = None;
                rest = r;
                continue;
            }
            let open = rest.find('{').expect("a block");
            let head = rest[..open].trim();
            if let Some(q) = head.strip_prefix("@media") {
                assert!(media.is_none(), "nested @media");
                media = Some(q.trim().to_string());
                rest = &rest[open + 1..];
                continue;
            }
            let close = open + rest[open..].find('}').expect("a closed rule");
            let mut rule = Rule {
                media: media.clone(),
                selector: head.to_string(),
                color: None,
                background: None,
            };
            for decl in rest[open + 1..close].split(';') {
                match decl.split_once(':').map(|(k, v)| (k.trim(), v)) {
                    Some(("color", v)) => rule.color = Some(hex(v)),
                    Some(("background-color" | "background", v)) => rule.background = Some(hex(v)),
                    _ => {}
                }
            }
            out.push(rule);
            rest = &rest[close + 1..];
        }
    }

    #[test]
    fn every_theme_book_toml_accepts_is_one_syntect_ships() {
        let shipped = ThemeSet::load_defaults();
        for name in HIGHLIGHT_THEMES {
            assert!(shipped.themes.contains_key(*name), "{name}");
        }
    }

    /// Code in many languages, for the tests that highlight.
    const SAMPLES: [(&str, &str); 9] = [
        (
            "python",
            "import os\n@cache\ndef f(x: int) -> str:\n    return f\"{x!r}\"  # why\n",
        ),
        (
            "rust",
            "fn main() { let v: Vec<u8> = vec![1]; println!(\"{v:?}\"); }\n",
        ),
        ("yaml", "key: [a, 'b', 3]\n# note\nanchor: &x {k: v}\n"),
        (
            "bash",
            "for f in *.log; do grep -c \"$f\" | wc -l; done # count\n",
        ),
        (
            "sql",
            "SELECT id, COUNT(*) FROM t WHERE a = 'x' GROUP BY id; -- n\n",
        ),
        ("json", "{\"a\": [1, true, null, \"s\"]}\n"),
        ("diff", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n"),
        (
            "js",
            "const f = async (x) => { await g(`t${x}`); /* c */ };\n",
        ),
        ("html", "<div class=\"a\">&amp; <b>x</b></div>\n"),
    ];

    /// Each character of highlighted HTML with the classes of its span.
    fn decode(html: &str) -> Vec<(char, String)> {
        let mut out = Vec::new();
        let mut classes = String::new();
        let mut rest = html;
        while let Some(c) = rest.chars().next() {
            if let Some(r) = rest.strip_prefix("</span>") {
                classes.clear();
                rest = r;
            } else if let Some((cl, r)) = rest
                .strip_prefix("<span class=\"")
                .and_then(|r| r.split_once("\">"))
            {
                assert!(classes.is_empty(), "a span in a span: {html}");
                classes = cl.to_string();
                rest = r;
            } else if let Some((entity, ch)) = [
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&amp;", '&'),
                ("&quot;", '"'),
            ]
            .into_iter()
            .find(|(e, _)| rest.starts_with(e))
            {
                out.push((ch, classes.clone()));
                rest = &rest[entity.len()..];
            } else {
                assert!(c != '<' && c != '>', "unescaped {c} in {html}");
                out.push((c, classes.clone()));
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    /// The style the classes give in `side`'s palette.
    fn style_of(side: &Palette, classes: &str) -> Style {
        let mut style = Style {
            foreground: side.fg,
            background: side.bg,
            font_style: FontStyle::empty(),
        };
        let p = side.prefix;
        for class in classes.split(' ').filter_map(|c| c.strip_prefix(p)) {
            if let Some(i) = class.strip_prefix('b') {
                style.background = side.backgrounds[i.parse::<usize>().expect("index")];
            } else if let Ok(i) = class.parse::<usize>() {
                style.foreground = side.colours[i];
            } else {
                for (flag, name) in FONT_CLASSES {
                    if class == name.to_string() {
                        style.font_style |= flag;
                    }
                }
            }
        }
        style
    }

    /// Every colour a readable theme gives text reaches AA on every
    /// background that text can be drawn on, for every theme book.toml
    /// accepts; and so does highlighted code, as its classes paint it.
    #[test]
    fn every_colour_of_every_palette_reaches_aa() {
        let mut checked = 0;
        let mut failures = Vec::new();
        for name in HIGHLIGHT_THEMES {
            let palettes = Palettes::new(name, name);
            assert_eq!(palettes.sides.len(), 2, "{name}");
            for side in &palettes.sides {
                assert!(contrast(side.fg, side.bg) >= MIN_CONTRAST, "{name}");
                for item in &side.theme.scopes {
                    let Some(fg) = item.style.foreground else {
                        continue;
                    };
                    for bg in super::drawn_on(item, &side.theme, side.bg) {
                        checked += 1;
                        if contrast(fg, bg) < MIN_CONTRAST {
                            failures.push(format!("{name}: {:?} {fg:?} on {bg:?}", item.scope));
                        }
                    }
                }
            }
            for (lang, code) in SAMPLES {
                let html = highlight_uncached(Some(lang), code, &palettes);
                for (c, classes) in decode(&html) {
                    if c.is_whitespace() {
                        continue;
                    }
                    for side in &palettes.sides {
                        let s = style_of(side, &classes);
                        checked += 1;
                        let ratio = contrast(s.foreground, s.background);
                        if ratio < MIN_CONTRAST {
                            failures
                                .push(format!("{name}, {lang}: {c:?} ({classes}) {ratio:.2}:1"));
                        }
                    }
                }
            }
        }
        assert!(checked > 3000, "only {checked} colours checked");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn no_rule_of_one_palette_applies_in_the_other_scheme() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark");
        let rules = rules(&css);
        assert!(
            rules.iter().all(|r| r.media.is_some()),
            "a rule outside the palettes"
        );
        assert_eq!(LIGHT_MEDIA, format!("not {DARK_MEDIA}"));
        let light = rules
            .iter()
            .filter(|r| r.media.as_deref() == Some(LIGHT_MEDIA));
        let dark = rules
            .iter()
            .filter(|r| r.media.as_deref() == Some(DARK_MEDIA));
        assert!(light.count() > 20);
        assert!(dark.count() > 20);
        // Dark mode's code background is the dark theme's.
        let dark_bg = rules
            .iter()
            .find(|r| r.media.as_deref() == Some(DARK_MEDIA) && r.selector == ".hl-code")
            .and_then(|r| r.background);
        assert_eq!(dark_bg, Some(hex("#2b303b")));
    }

    #[test]
    fn failing_colours_change_little_and_keep_their_hue() {
        let hue = |c: Color| Oklch::from_color(srgb(c)).hue.into_positive_degrees();
        // InspiredGitHub's comments and constants on white.
        for before in [hex("#969896"), hex("#0086b3")] {
            let after = readable_on(before, &[WHITE]);
            let ratio = contrast(after, WHITE);
            assert!(
                (MIN_CONTRAST..MIN_CONTRAST + 0.3).contains(&ratio),
                "{after:?}: {ratio}"
            );
            let (h0, h1) = (hue(before), hue(after));
            assert!(
                (h0 - h1).abs() < 3.0,
                "{before:?} -> {after:?}: hue {h0} -> {h1}"
            );
        }
        // base16-ocean.dark's comments on its background: lighter.
        let bg = hex("#2b303b");
        let after = readable_on(hex("#65737e"), &[bg]);
        assert!(contrast(after, bg) >= MIN_CONTRAST);
        assert!(
            after.r > 0x65 && after.g > 0x73 && after.b > 0x7e,
            "{after:?}"
        );
        // Colours that pass stay as they are.
        assert_eq!(readable_on(hex("#183691"), &[WHITE]), hex("#183691"));
        // Even on a mid grey, where only one direction can pass.
        let grey = hex("#767676");
        assert!(contrast(readable_on(grey, &[grey]), grey) >= MIN_CONTRAST);
        // A token inside a scope with a background: on that one.
        let github = &ThemeSet::load_defaults().themes["InspiredGitHub"];
        let plus = github
            .scopes
            .iter()
            .find(|i| {
                let s = format!("{:?}", i.scope);
                s.contains("<markup.inserted>") && s.contains("punctuation.definition.inserted")
            })
            .expect("the diff's + in InspiredGitHub");
        assert_eq!(super::drawn_on(plus, github, WHITE), [hex("#eaffea")]);
    }

    /// Every character of highlighted code looks as syntect draws it with
    /// the readable theme, in light and in dark mode (white space only
    /// where it shows), in every language and theme; and the markup is a
    /// fraction of syntect's span per scope.
    #[test]
    fn flat_spans_give_every_character_its_style_in_both_palettes() {
        let mut spans = 0;
        for light in HIGHLIGHT_THEMES {
            for dark in ["base16-ocean.dark", "Solarized (dark)"] {
                let palettes = Palettes::new(light, dark);
                for (lang, code) in SAMPLES {
                    let html = highlight_uncached(Some(lang), code, &palettes);
                    spans += html.matches("<span").count();
                    let got = decode(&html);
                    let text: String = got.iter().map(|(c, _)| *c).collect();
                    assert_eq!(text, code, "{lang}: the text is kept");
                    let syntax = syntax_for(Some(lang)).expect("a syntax");
                    for side in &palettes.sides {
                        let mut lines = syntect::easy::HighlightLines::new(syntax, &side.theme);
                        let mut want = Vec::new();
                        for line in LinesWithEndings::from(code) {
                            for (style, piece) in lines.highlight_line(line, syntax_set()).unwrap()
                            {
                                want.extend(piece.chars().map(|c| (c, style)));
                            }
                        }
                        for ((c, classes), (_, style)) in got.iter().zip(&want) {
                            let drawn = style_of(side, classes);
                            if c.is_whitespace() && !side.paints_space(style) {
                                assert!(!side.paints_space(&drawn), "{lang}: space painted");
                                continue;
                            }
                            assert_eq!(
                                drawn, *style,
                                "{lang} with {light} and {dark}: {c:?} ({classes})\n{html}"
                            );
                        }
                    }
                }
            }
        }
        assert!(spans > 500, "only {spans} spans: is anything highlighted?");
        let palettes = Palettes::new("InspiredGitHub", "base16-ocean.dark");
        let code =
            "ctx, cancel := context.WithTimeout(ctx, 2*time.Second) // a <b>\ndefer cancel()\n";
        let flat = highlight_uncached(Some("go"), code, &palettes);
        assert!(
            flat.len() < code.len() * 5,
            "{} bytes for {}:\n{flat}",
            flat.len(),
            code.len()
        );
        assert!(flat.contains("&lt;b&gt;"), "{flat}");
    }

    #[test]
    fn known_languages_get_classes_and_unknown_ones_are_escaped() {
        let h = Highlighter::new("InspiredGitHub", "base16-ocean.dark");
        let out = h.highlight(Some("python"), "def f():\n    return 1\n");
        assert!(out.contains("<span class=\""), "{out}");
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
        let out =
            Highlighter::new("InspiredGitHub", "base16-ocean.dark").highlight(Some("yaml"), &code);
        assert!(!out.contains("<span"), "not highlighted");
        assert_eq!(out.len(), escape(&code).len());
        assert!(out.ends_with("&lt;x&gt;\n"));
        assert!(too_long_line(&"é".repeat(MAX_HIGHLIGHT_LINE)).is_none());
    }
}
