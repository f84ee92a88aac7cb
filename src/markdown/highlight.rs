//! Code highlighting at build time with syntect, into CSS classes so that
//! the light and dark palettes are plain CSS.
//!
//! Each palette is one complete syntect theme, scoped by a media query so
//! that no rule of one shows in the other's colour scheme. Text colours
//! that fall short of WCAG AA contrast (4.5:1) on the background they are
//! drawn on are made lighter or darker (in OKLCH, keeping their hue) until
//! they reach it: most themes syntect ships have a few such colours.
//!
//! The syntax set is loaded once per process (from syntect's binary dump),
//! and highlighted blocks are cached by their language and text: the same
//! snippet appearing in many postmortems is highlighted once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

use comrak::adapters::SyntaxHighlighterAdapter;
use palette::color_difference::Wcag21RelativeContrast;
use palette::{FromColor, IsWithinBounds, OklabHue, Oklch, Srgb};
use syntect::highlighting::{Color, Theme, ThemeItem, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{Scope, SyntaxSet};
use syntect::util::LinesWithEndings;

pub use crate::model::body::MAX_HIGHLIGHT_LINE;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

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
/// readable colours. Made once per pair of names.
pub fn stylesheet(light_theme: &str, dark_theme: &str) -> Arc<str> {
    type Made = RwLock<HashMap<(String, String), Arc<str>>>;
    static MADE: OnceLock<Made> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    let key = (light_theme.to_string(), dark_theme.to_string());
    if let Ok(m) = made.read()
        && let Some(css) = m.get(&key)
    {
        return css.clone();
    }
    let css: Arc<str> = make_stylesheet(light_theme, dark_theme).into();
    if let Ok(mut m) = made.write() {
        m.insert(key, css.clone());
    }
    css
}

fn make_stylesheet(light_theme: &str, dark_theme: &str) -> String {
    let themes = ThemeSet::load_defaults();
    let mut css = format!(
        "/* Highlighted code: \"{light_theme}\" in light mode and print, \"{dark_theme}\" when\n   \
         the system prefers dark. Text colours under {MIN_CONTRAST}:1 (WCAG AA) on their\n   \
         background were made darker or lighter by pmsite, keeping their hue. */\n"
    );
    for (name, media) in [(light_theme, LIGHT_MEDIA), (dark_theme, DARK_MEDIA)] {
        if let Some(theme) = themes.themes.get(name)
            && let Ok(s) = css_for_theme_with_class_style(&readable(theme), CLASS_STYLE)
        {
            css.push_str(&format!("\n@media {media} {{\n"));
            css.push_str(&s);
            css.push_str("}\n");
        }
    }
    css
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

/// Highlights fenced code for comrak; shared by every render of a build.
pub struct Highlighter {
    cache: RwLock<HashMap<(String, String), Arc<str>>>,
    /// What the stylesheet of the site's two themes styles.
    styled: Styled,
}

impl Highlighter {
    /// A highlighter for the stylesheet of `light_theme` and `dark_theme`
    /// (see [`stylesheet`]): its spans carry only the classes that
    /// stylesheet names.
    pub fn new(light_theme: &str, dark_theme: &str) -> Self {
        Highlighter {
            cache: RwLock::default(),
            styled: Styled::of(&stylesheet(light_theme, dark_theme)),
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
        let html: Arc<str> = highlight_uncached(lang, code, &self.styled).into();
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

fn highlight_uncached(lang: Option<&str>, code: &str, styled: &Styled) -> String {
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
    prune(&generator.finalize(), styled)
}

/// The compound selectors of a stylesheet's rules: each a set of `hl-`
/// classes one element must have (`.hl-constant.hl-numeric`), from every
/// part of every selector (`.hl-meta.hl-diff.hl-header .hl-punctuation`
/// gives two), CSS escapes undone.
///
/// syntect gives every span the whole scope of its token (`hl-meta
/// hl-function-call hl-method hl-go`), most of which the stylesheet does
/// not style; [`prune`] keeps on each span only the classes of the
/// compounds it matches.
#[derive(Default)]
pub struct Styled {
    /// Compounds by their first class.
    compounds: HashMap<String, Vec<Vec<String>>>,
}

impl Styled {
    fn of(css: &str) -> Self {
        let mut styled = Styled::default();
        for rule in css.split('}') {
            let Some((selectors, _)) = rule.rsplit_once('{') else {
                continue;
            };
            for compound in selectors.split([',', ' ', '\n', '\t', '>', '+', '~']) {
                let classes: Vec<String> = compound
                    .split('.')
                    .skip(1)
                    .map(|c| c.replace('\\', ""))
                    .filter(|c| c.starts_with("hl-"))
                    .collect();
                if classes.is_empty() || !compound.starts_with('.') {
                    continue;
                }
                let list = styled.compounds.entry(classes[0].clone()).or_default();
                if !list.contains(&classes) {
                    list.push(classes);
                }
            }
        }
        styled
    }

    /// The classes of `classes` that some compound they match names, in
    /// their order.
    fn keep<'c>(&self, classes: &[&'c str]) -> Vec<&'c str> {
        let mut keep = vec![false; classes.len()];
        for c in classes {
            for compound in self.compounds.get(*c).into_iter().flatten() {
                if compound.iter().all(|k| classes.contains(&k.as_str())) {
                    for (i, have) in classes.iter().enumerate() {
                        if compound.iter().any(|k| k == have) {
                            keep[i] = true;
                        }
                    }
                }
            }
        }
        classes
            .iter()
            .zip(keep)
            .filter(|(_, k)| *k)
            .map(|(c, _)| *c)
            .collect()
    }
}

/// `html` (syntect's spans and escaped text) with only the classes
/// `styled` needs: a span left with none is dropped, with its end tag.
/// What the stylesheet matches, and so every colour, is unchanged.
fn prune(html: &str, styled: &Styled) -> String {
    const OPEN: &str = "<span class=\"";
    const CLOSE: &str = "</span>";
    let mut out = String::with_capacity(html.len());
    // Per open span: whether its tag was kept.
    let mut kept: Vec<bool> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix(CLOSE) {
            if kept.pop().unwrap_or(true) {
                out.push_str(CLOSE);
            }
            rest = after;
        } else if let Some((classes, after)) =
            rest.strip_prefix(OPEN).and_then(|r| r.split_once("\">"))
        {
            let classes: Vec<&str> = classes.split(' ').collect();
            let used = styled.keep(&classes);
            kept.push(!used.is_empty());
            if !used.is_empty() {
                out.push_str(OPEN);
                out.push_str(&used.join(" "));
                out.push_str("\">");
            }
            rest = after;
        } else {
            // Not a tag syntect writes: kept as it is.
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
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

    /// The classes of a compound selector (`.hl-a.hl-b`).
    fn classes(compound: &str) -> Vec<&str> {
        compound.split('.').filter(|c| !c.is_empty()).collect()
    }

    /// The backgrounds a rule without its own is drawn on: for each of its
    /// selectors, that of the innermost ancestor compound that a rule
    /// with a background matches, else the code's.
    fn drawn_on(rule: &Rule, block: &[&Rule], code_bg: Color) -> Vec<Color> {
        let background_of = |ancestor: &str| {
            let have = classes(ancestor);
            block.iter().find_map(|other| {
                let bg = other.background?;
                let covers = other
                    .selector
                    .split(',')
                    .map(str::trim)
                    .any(|s| !s.contains(' ') && classes(s).iter().all(|c| have.contains(c)));
                covers.then_some(bg)
            })
        };
        rule.selector
            .split(',')
            .map(|s| {
                let compounds: Vec<&str> = s.split_whitespace().collect();
                let outer = compounds.split_last().map_or(&[][..], |(_, o)| o);
                outer
                    .iter()
                    .rev()
                    .find_map(|a| background_of(a))
                    .unwrap_or(code_bg)
            })
            .collect()
    }

    #[test]
    fn every_theme_book_toml_accepts_is_one_syntect_ships() {
        let shipped = ThemeSet::load_defaults();
        for name in HIGHLIGHT_THEMES {
            assert!(shipped.themes.contains_key(*name), "{name}");
        }
    }

    /// Every colour the stylesheet assigns, for every theme book.toml
    /// accepts in either role, against the background it is drawn on
    /// (its rule's own, else the code background of its palette).
    #[test]
    fn every_colour_the_stylesheet_assigns_reaches_aa() {
        let mut failures = Vec::new();
        let mut checked = 0;
        for name in HIGHLIGHT_THEMES {
            let css = make_stylesheet(name, name);
            let rules = rules(&css);
            for media in [LIGHT_MEDIA, DARK_MEDIA] {
                let block: Vec<&Rule> = rules
                    .iter()
                    .filter(|r| r.media.as_deref() == Some(media))
                    .collect();
                let code: Vec<&&Rule> = block.iter().filter(|r| r.selector == ".hl-code").collect();
                assert_eq!(code.len(), 1, "{name}: one .hl-code rule under {media}");
                let code_bg = code[0].background.expect("a code background");
                assert!(code[0].color.is_some(), "{name}: a code text colour");
                for r in &block {
                    let Some(fg) = r.color else { continue };
                    let bgs = r
                        .background
                        .map_or_else(|| drawn_on(r, &block, code_bg), |own| vec![own]);
                    for bg in bgs {
                        let ratio = contrast(fg, bg);
                        checked += 1;
                        if ratio < MIN_CONTRAST {
                            failures.push(format!(
                                "{name} under {media}: `{}` {fg:?} on {bg:?} is {ratio:.2}:1",
                                r.selector
                            ));
                        }
                    }
                }
            }
        }
        assert!(
            checked > 300,
            "only {checked} colours found: is the CSS parsed?"
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Each palette sits in its own media query, and the two never apply
    /// together: no rule of the light theme reaches dark mode.
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

    /// syntect's spans for `code`, every class of every scope kept.
    fn unpruned(lang: &str, code: &str) -> String {
        let syntax = syntax_for(Some(lang)).unwrap();
        let mut generator =
            ClassedHTMLGenerator::new_with_class_style(syntax, syntax_set(), CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        generator.finalize()
    }

    /// Each character of highlighted HTML with the chain of compounds of
    /// `styled` its spans match, outermost first (spans matching none
    /// left out): what decides its colour.
    fn chains(styled: &Styled, h: &str) -> Vec<(char, Vec<Vec<Vec<String>>>)> {
        let mut out = Vec::new();
        let mut stack: Vec<Vec<Vec<String>>> = Vec::new();
        let mut rest = h;
        while let Some(c) = rest.chars().next() {
            if let Some(r) = rest.strip_prefix("</span>") {
                stack.pop();
                rest = r;
            } else if let Some((classes, r)) = rest
                .strip_prefix("<span class=\"")
                .and_then(|r| r.split_once("\">"))
            {
                let classes: Vec<&str> = classes.split(' ').collect();
                let mut matched: Vec<Vec<String>> = classes
                    .iter()
                    .flat_map(|c| styled.compounds.get(*c).into_iter().flatten())
                    .filter(|k| k.iter().all(|x| classes.contains(&x.as_str())))
                    .cloned()
                    .collect();
                matched.sort();
                matched.dedup();
                stack.push(matched);
                rest = r;
            } else {
                let chain = stack.iter().filter(|m| !m.is_empty()).cloned().collect();
                out.push((c, chain));
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    #[test]
    fn pruned_spans_keep_the_text_and_every_styled_class() {
        let code =
            "ctx, cancel := context.WithTimeout(ctx, 2*time.Second) // a <b>\ndefer cancel()\n";
        let full = unpruned("go", code);
        let styled = Styled::of(&stylesheet("InspiredGitHub", "base16-ocean.dark"));
        let pruned = highlight_uncached(Some("go"), code, &styled);
        assert!(
            pruned.len() * 3 < full.len() * 2,
            "{} of {}:\n{pruned}",
            pruned.len(),
            full.len()
        );
        assert_eq!(
            pruned.matches("<span").count(),
            pruned.matches("</span>").count()
        );
        // Each character sits under the same chain of matched compounds
        // in both, so it has the same colour.
        let (a, b) = (chains(&styled, &full), chains(&styled, &pruned));
        assert_eq!(a, b);
        assert!(
            a.iter().any(|(_, chain)| chain.len() > 1),
            "some text sits under two styled spans"
        );
        assert!(pruned.contains("<span class=\"hl-comment\">"), "{pruned}");
        assert!(pruned.contains("&lt;b&gt;"));
    }

    #[test]
    fn pruning_keeps_every_colour_in_every_language_and_theme() {
        let samples = [
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
        for light in HIGHLIGHT_THEMES {
            for dark in ["base16-ocean.dark", "Solarized (dark)"] {
                let styled = Styled::of(&stylesheet(light, dark));
                for (lang, code) in samples {
                    let full = unpruned(lang, code);
                    let pruned = highlight_uncached(Some(lang), code, &styled);
                    assert_eq!(
                        chains(&styled, &full),
                        chains(&styled, &pruned),
                        "{lang} with {light} and {dark}:\n{full}\n{pruned}"
                    );
                }
            }
        }
    }

    #[test]
    fn known_languages_get_classes_and_unknown_ones_are_escaped() {
        let h = Highlighter::new("InspiredGitHub", "base16-ocean.dark");
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
        let out =
            Highlighter::new("InspiredGitHub", "base16-ocean.dark").highlight(Some("yaml"), &code);
        assert!(!out.contains("hl-"), "not highlighted");
        assert_eq!(out.len(), escape(&code).len());
        assert!(out.ends_with("&lt;x&gt;\n"));
        assert!(too_long_line(&"é".repeat(MAX_HIGHLIGHT_LINE)).is_none());
    }
}
