//! `book.toml`: the site configuration, with defaults for every key and
//! precise errors (position, "did you mean") for everything else.
//!
//! May use `diagnostics` only.

pub mod host;
pub mod slug;
pub mod url;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Pos, display_path, suggest};

pub const CONFIG_FILE: &str = "book.toml";

/// The languages search can stem (the `[site] language` values).
pub const LANGUAGES: &[&str] = &[
    "en", "ar", "da", "de", "du", "es", "fi", "fr", "hu", "it", "ja", "ko", "no", "pt", "ro", "ru",
    "sv", "tr", "zh",
];

/// Front matter keys that `[postmortem] required` may name.
pub const REQUIRABLE_KEYS: &[&str] = &[
    "title",
    "date",
    "id",
    "status",
    "severity",
    "summary",
    "impact",
    "services",
    "teams",
    "authors",
    "causes",
    "trigger",
    "detection",
    "tags",
    "timeline",
    "follow_ups",
    "related",
];

/// The body sections `pmsite check` expects by default.
pub const DEFAULT_SECTIONS: &[&str] = &[
    "Summary",
    "Impact",
    "Timeline",
    "Contributing causes",
    "What went well",
    "What went poorly",
    "Follow-up actions",
];

#[derive(Clone, Debug)]
pub struct Config {
    /// The knowledge base root (the folder holding book.toml).
    pub root: PathBuf,
    pub site: SiteConfig,
    pub build: BuildConfig,
    pub postmortem: PostmortemConfig,
    /// The cause vocabulary: slug → description. Empty: any cause is allowed.
    pub causes: BTreeMap<String, String>,
    pub markdown: MarkdownConfig,
    pub search: SearchConfig,
    pub lint: LintConfig,
    pub stats: StatsConfig,
    pub import: ImportConfig,
    /// Where values that are checked against content later were written.
    pub positions: ConfigPositions,
    /// A fingerprint of book.toml's text (what a rebuild depends on).
    pub fingerprint: u64,
}

#[derive(Clone, Debug)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Always ends with `/`. Either an absolute URL or a path starting with `/`.
    pub base_url: String,
    pub language: String,
    pub timezone_name: String,
    pub timezone: jiff::tz::TimeZone,
}

#[derive(Clone, Debug)]
pub struct BuildConfig {
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    pub theme: String,
    pub drafts: bool,
    /// Publish SVG files under content/ that carry script (`unsafe-svg`).
    pub unsafe_svg: bool,
    /// The static host whose limits the output must fit (`host`).
    pub host: Option<host::Host>,
}

#[derive(Clone, Debug)]
pub struct PostmortemConfig {
    pub severities: Vec<String>,
    pub required: Vec<String>,
    pub ticket_url: Option<String>,
    pub reading_list: Vec<String>,
    pub sections: Vec<String>,
    /// Days after the incident date a postmortem may stay `draft` or
    /// `in-review` before it is overdue for review.
    pub review_days: u32,
}

/// `[stats]`: how figures across incidents are summarised.
#[derive(Clone, Debug)]
pub struct StatsConfig {
    /// The fewest incidents a median or percentile is computed from;
    /// fewer give none (the points are shown instead).
    pub min_sample: usize,
}

/// The highlighting themes syntect ships, usable as `[markdown]
/// highlight-theme` and `highlight-theme-dark` (`markdown::highlight`
/// draws them, raising colours that fall short of WCAG AA contrast).
pub const HIGHLIGHT_THEMES: &[&str] = &[
    "InspiredGitHub",
    "Solarized (dark)",
    "Solarized (light)",
    "base16-eighties.dark",
    "base16-mocha.dark",
    "base16-ocean.dark",
    "base16-ocean.light",
];

#[derive(Clone, Debug)]
pub struct MarkdownConfig {
    pub unsafe_html: bool,
    /// The code palette in light mode (and print).
    pub highlight_theme: String,
    /// The code palette when the reader's system prefers dark.
    pub highlight_theme_dark: String,
}

#[derive(Clone, Debug)]
pub struct SearchConfig {
    pub enable: bool,
}

/// `[import]`: how `pmsite import` reads other tools' postmortems.
#[derive(Clone, Debug, Default)]
pub struct ImportConfig {
    /// A foreign severity word, lowercase (`down`) → one of `[postmortem]
    /// severities`.
    pub severity_map: BTreeMap<String, String>,
    /// How numeric dates such as `03/06/2021` are read.
    pub date_order: Option<DateOrder>,
}

/// The order of day and month in numeric dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

#[derive(Clone, Debug, Default)]
pub struct LintConfig {
    pub allow: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ConfigPositions {
    /// Position of each `reading-list` entry.
    pub reading_list: Vec<Pos>,
    /// Position of each `lint.allow` entry.
    pub lint_allow: Vec<Pos>,
}

impl Config {
    /// The configuration used when a key is absent from book.toml.
    pub fn defaults(root: PathBuf) -> Self {
        Config {
            root,
            site: SiteConfig {
                title: "Incident Library".into(),
                description: String::new(),
                base_url: "/".into(),
                language: "en".into(),
                timezone_name: "UTC".into(),
                timezone: jiff::tz::TimeZone::UTC,
            },
            build: BuildConfig {
                content_dir: PathBuf::from("content"),
                output_dir: PathBuf::from("public"),
                theme: "default".into(),
                drafts: false,
                unsafe_svg: false,
                host: None,
            },
            postmortem: PostmortemConfig {
                severities: ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec(),
                required: ["title", "date", "severity", "summary"]
                    .map(String::from)
                    .to_vec(),
                ticket_url: None,
                reading_list: Vec::new(),
                sections: DEFAULT_SECTIONS.iter().map(|s| s.to_string()).collect(),
                review_days: 14,
            },
            causes: BTreeMap::new(),
            markdown: MarkdownConfig {
                unsafe_html: false,
                highlight_theme: "InspiredGitHub".into(),
                highlight_theme_dark: "base16-ocean.dark".into(),
            },
            search: SearchConfig { enable: true },
            lint: LintConfig::default(),
            stats: StatsConfig { min_sample: 5 },
            import: ImportConfig::default(),
            positions: ConfigPositions::default(),
            fingerprint: 0,
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    pub fn content_dir(&self) -> PathBuf {
        self.root.join(&self.build.content_dir)
    }

    pub fn output_dir(&self) -> PathBuf {
        self.root.join(&self.build.output_dir)
    }

    pub fn themes_dir(&self) -> PathBuf {
        self.root.join("themes")
    }

    /// The path part of the base URL, e.g. `/postmortems/` for
    /// `https://acme.github.io/postmortems/`. Links inside the site start
    /// with it, so the site works when hosted under a sub-path.
    pub fn base_path(&self) -> String {
        base_path_of(&self.site.base_url)
    }

    /// The base URL made absolute (for feeds and sitemaps); a bare path
    /// stays a path.
    pub fn absolute_base(&self) -> &str {
        &self.site.base_url
    }

    /// Replace the base URL (from `--base-url`, or by `serve`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        self.site.base_url = normalize_base_url(url)?;
        Ok(())
    }

    /// Finds `book.toml` in `start` or the nearest folder above it.
    pub fn find_root(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .find(|dir| dir.join(CONFIG_FILE).is_file())
            .map(Path::to_path_buf)
    }

    /// Reads and checks `root/book.toml`. Every problem is reported.
    pub fn load(root: &Path) -> Result<Config, Diagnostics> {
        let path = root.join(CONFIG_FILE);
        let shown = display_path(&path);
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let mut ds = Diagnostics::new();
                    ds.push(
                        Diagnostic::error(
                            Code::NotUtf8,
                            format!(
                                "{CONFIG_FILE} is not valid UTF-8 (invalid byte at offset {})",
                                e.utf8_error().valid_up_to()
                            ),
                        )
                        .in_file(&shown)
                        .with_hint("save the file as UTF-8"),
                    );
                    return Err(ds);
                }
            },
            Err(e) => {
                let mut ds = Diagnostics::new();
                ds.push(
                    Diagnostic::error(Code::Io, format!("cannot read {}: {e}", path.display()))
                        .in_file(&shown),
                );
                return Err(ds);
            }
        };
        Self::parse(root, &text, &shown)
    }

    /// Checks the text of a book.toml (`shown` is the path used in messages).
    pub fn parse(root: &Path, text: &str, shown: &Path) -> Result<Config, Diagnostics> {
        let mut reader = ConfigReader {
            text,
            lines: LineIndex::new(text),
            file: shown.to_path_buf(),
            diags: Diagnostics::new(),
            severity_targets: Vec::new(),
        };
        let mut config = Config::defaults(root.to_path_buf());
        config.fingerprint = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        let (table, errors) = DeTable::parse_recoverable(text);
        for e in errors {
            let pos = e
                .span()
                .map(|s| reader.lines.pos(s.start))
                .unwrap_or_default();
            reader.push(
                Diagnostic::error(
                    Code::TomlSyntax,
                    format!("invalid TOML: {}", e.message().trim()),
                )
                .at(pos),
            );
        }
        reader.read(table.get_ref(), &mut config);
        reader.check_severity_map(&config);
        if reader.diags.has_errors() {
            Err(reader.diags)
        } else {
            Ok(config)
        }
    }
}

/// `https://host/sub/` → `/sub/`; `/sub` → `/sub/`.
pub fn base_path_of(base_url: &str) -> String {
    let after_scheme = match base_url.find("://") {
        Some(i) => {
            let rest = &base_url[i + 3..];
            match rest.find('/') {
                Some(j) => &rest[j..],
                None => "/",
            }
        }
        None => base_url,
    };
    let mut p = after_scheme.to_string();
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    if !p.ends_with('/') {
        p.push('/');
    }
    p
}

/// Checks a base URL and gives it a trailing slash.
pub fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Ok("/".into());
    }
    if let Err(msg) = crate::config::url::check_link(url) {
        return Err(format!("base-url: {msg}"));
    }
    let ok_scheme = crate::config::url::scheme(url).is_some();
    if !ok_scheme && (!url.starts_with('/') || url.starts_with("//")) {
        return Err(format!(
            "base-url `{url}` must be an absolute URL (https://host/path/) or a path starting with `/`"
        ));
    }
    if ok_scheme {
        let rest = url.split_once("://").map(|x| x.1).unwrap_or("");
        if rest.is_empty() || rest.starts_with('/') {
            return Err(format!("base-url `{url}` has no host name"));
        }
    }
    if url.contains(['"', '<', '>', ' ', '\'', '\\', '?', '#']) {
        return Err(format!(
            "base-url `{url}` contains characters that do not belong in a URL prefix"
        ));
    }
    let mut s = url.to_string();
    if !s.ends_with('/') {
        s.push('/');
    }
    Ok(s)
}

/// A TOML value as a message shows it: `0`, `-3`, `"14"`, `1.5`.
fn describe(value: &Val<'_>) -> String {
    match value.get_ref() {
        DeValue::Integer(i) => i.to_string(),
        DeValue::Float(f) => f.to_string(),
        DeValue::String(s) => format!("the string \"{s}\""),
        other => other.type_str().to_string(),
    }
}

struct ConfigReader<'a> {
    text: &'a str,
    lines: LineIndex<'a>,
    file: PathBuf,
    diags: Diagnostics,
    /// `[import] severity-map` targets and where they are written, checked
    /// against `[postmortem] severities` once every section is read.
    severity_targets: Vec<(String, Pos)>,
}

type Val<'i> = Spanned<DeValue<'i>>;

const SECTIONS: &[&str] = &[
    "site",
    "build",
    "postmortem",
    "causes",
    "markdown",
    "search",
    "lint",
    "stats",
    "import",
];

impl<'a> ConfigReader<'a> {
    fn push(&mut self, d: Diagnostic) {
        let d = d.in_file(&self.file).with_source(self.text);
        self.diags.push(d);
    }

    fn pos(&self, span: Range<usize>) -> Pos {
        self.lines.pos(span.start)
    }

    fn unknown_key(
        &mut self,
        section: Option<&str>,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        known: &[&str],
    ) {
        let name = key.get_ref().as_ref();
        let place = match section {
            Some(s) => format!("in [{s}]"),
            None => "at the top level".to_string(),
        };
        let hint = match suggest(name, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known keys {place}: {}", known.join(", ")),
        };
        let what = if section.is_none() { "section" } else { "key" };
        self.push(
            Diagnostic::error(Code::UnknownKey, format!("unknown {what} `{name}` {place}"))
                .at(self.pos(key.span()))
                .with_hint(hint),
        );
    }

    fn type_error(&mut self, section: &str, key: &str, value: &Val<'_>, expected: &str) {
        self.push(
            Diagnostic::error(
                Code::WrongType,
                format!(
                    "[{section}] {key} must be {expected}, found {}",
                    value.get_ref().type_str()
                ),
            )
            .at(self.pos(value.span())),
        );
    }

    fn string(&mut self, section: &str, key: &str, value: &Val<'_>) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.type_error(section, key, value, "a string");
                None
            }
        }
    }

    /// A whole number of at least 1.
    fn positive(&mut self, section: &str, key: &str, value: &Val<'_>) -> Option<u32> {
        let n = match value.get_ref() {
            DeValue::Integer(i) => i.to_string().parse::<i64>().ok(),
            _ => None,
        };
        match n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n >= 1) {
            Some(n) => Some(n),
            None => {
                self.push(
                    Diagnostic::error(
                        Code::BadValue,
                        format!(
                            "[{section}] {key} must be a positive whole number, found {}",
                            describe(value)
                        ),
                    )
                    .at(self.pos(value.span()))
                    .with_hint(format!("for example: {key} = 14")),
                );
                None
            }
        }
    }

    fn boolean(&mut self, section: &str, key: &str, value: &Val<'_>) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.type_error(section, key, value, "true or false");
                None
            }
        }
    }

    fn strings(&mut self, section: &str, key: &str, value: &Val<'_>) -> Option<Vec<(String, Pos)>> {
        match value.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::String(s) => out.push((s.to_string(), self.pos(item.span()))),
                        _ => {
                            self.type_error(section, key, item, "a list of strings; this item");
                            return None;
                        }
                    }
                }
                Some(out)
            }
            _ => {
                self.type_error(section, key, value, "a list of strings");
                None
            }
        }
    }

    fn section<'t, 'i>(&mut self, name: &str, value: &'t Val<'i>) -> Option<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.push(
                    Diagnostic::error(
                        Code::WrongType,
                        format!(
                            "`{name}` must be a section ([{name}]), found {}",
                            value.get_ref().type_str()
                        ),
                    )
                    .at(self.pos(value.span())),
                );
                None
            }
        }
    }

    fn read(&mut self, table: &DeTable<'_>, config: &mut Config) {
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            match name {
                "site" => {
                    if let Some(t) = self.section(name, value) {
                        self.read_site(t, config);
                    }
                }
                "build" => {
                    if let Some(t) = self.section(name, value) {
                        self.read_build(t, config);
                    }
                }
                "postmortem" => {
                    if let Some(t) = self.section(name, value) {
                        self.read_postmortem(t, config);
                    }
                }
                "causes" => {
                    if let Some(t) = self.section(name, value) {
                        self.read_causes(t, config);
                    }
                }
                "markdown" => {
                    if let Some(t) = self.section(name, value) {
                        self.read_markdown(t, config);
                    }
                }
                "search" => {
                    if let Some(t) = self.section(name, value) {
                        for (k, v) in t.iter() {
                            match k.get_ref().as_ref() {
                                "enable" => {
                                    if let Some(b) = self.boolean("search", "enable", v) {
                                        config.search.enable = b;
                                    }
                                }
                                _ => self.unknown_key(Some("search"), k, &["enable"]),
                            }
                        }
                    }
                }
                "import" => {
                    if let Some(t) = self.section(name, value) {
                        self.read_import(t, config);
                    }
                }
                "lint" => {
                    if let Some(t) = self.section(name, value) {
                        for (k, v) in t.iter() {
                            match k.get_ref().as_ref() {
                                "allow" => {
                                    if let Some(list) = self.strings("lint", "allow", v) {
                                        config.positions.lint_allow =
                                            list.iter().map(|(_, p)| *p).collect();
                                        config.lint.allow =
                                            list.into_iter().map(|(s, _)| s).collect();
                                    }
                                }
                                _ => self.unknown_key(Some("lint"), k, &["allow"]),
                            }
                        }
                    }
                }
                "stats" => {
                    if let Some(t) = self.section(name, value) {
                        for (k, v) in t.iter() {
                            match k.get_ref().as_ref() {
                                "min-sample" => {
                                    if let Some(n) = self.positive("stats", "min-sample", v) {
                                        config.stats.min_sample = n as usize;
                                    }
                                }
                                _ => self.unknown_key(Some("stats"), k, &["min-sample"]),
                            }
                        }
                    }
                }
                _ => self.unknown_key(None, key, SECTIONS),
            }
        }
    }

    fn read_site(&mut self, t: &DeTable<'_>, config: &mut Config) {
        const KNOWN: &[&str] = &["title", "description", "base-url", "language", "timezone"];
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "title" => {
                    if let Some(s) = self.string("site", "title", v) {
                        config.site.title = s;
                    }
                }
                "description" => {
                    if let Some(s) = self.string("site", "description", v) {
                        config.site.description = s;
                    }
                }
                "base-url" => {
                    if let Some(s) = self.string("site", "base-url", v) {
                        match normalize_base_url(&s) {
                            Ok(u) => config.site.base_url = u,
                            Err(msg) => self.push(
                                Diagnostic::error(Code::BadValue, msg)
                                    .at(self.pos(v.span()))
                                    .with_hint("for example: base-url = \"https://acme.github.io/postmortems/\""),
                            ),
                        }
                    }
                }
                "language" => {
                    if let Some(s) = self.string("site", "language", v) {
                        if LANGUAGES.contains(&s.as_str()) {
                            config.site.language = s;
                        } else {
                            let hint = match suggest(&s, LANGUAGES.iter().copied()) {
                                Some(x) => format!("did you mean `{x}`?"),
                                None => format!("supported: {}", LANGUAGES.join(", ")),
                            };
                            self.push(
                                Diagnostic::error(
                                    Code::BadValue,
                                    format!("unsupported language `{s}`"),
                                )
                                .at(self.pos(v.span()))
                                .with_hint(hint),
                            );
                        }
                    }
                }
                "timezone" => {
                    if let Some(s) = self.string("site", "timezone", v) {
                        match jiff::tz::TimeZone::get(&s) {
                            Ok(tz) => {
                                config.site.timezone = tz;
                                config.site.timezone_name = s;
                            }
                            Err(_) => self.push(
                                Diagnostic::error(
                                    Code::BadValue,
                                    format!("unknown time zone `{s}`"),
                                )
                                .at(self.pos(v.span()))
                                .with_hint("use an IANA name such as `UTC`, `Europe/Copenhagen` or `America/New_York`"),
                            ),
                        }
                    }
                }
                _ => self.unknown_key(Some("site"), k, KNOWN),
            }
        }
    }

    fn read_build(&mut self, t: &DeTable<'_>, config: &mut Config) {
        const KNOWN: &[&str] = &[
            "content-dir",
            "output-dir",
            "theme",
            "drafts",
            "unsafe-svg",
            "host",
        ];
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "content-dir" => {
                    if let Some(s) = self.string("build", "content-dir", v)
                        && let Some(p) = self.relative_dir("content-dir", &s, v)
                    {
                        config.build.content_dir = p;
                    }
                }
                "output-dir" => {
                    if let Some(s) = self.string("build", "output-dir", v)
                        && let Some(p) = self.relative_dir("output-dir", &s, v)
                    {
                        config.build.output_dir = p;
                    }
                }
                "theme" => {
                    if let Some(s) = self.string("build", "theme", v) {
                        if s.is_empty() || s.contains(['/', '\\']) || s.starts_with('.') {
                            self.push(
                                Diagnostic::error(
                                    Code::BadValue,
                                    format!("theme `{s}` must be a folder name under themes/"),
                                )
                                .at(self.pos(v.span())),
                            );
                        } else {
                            config.build.theme = s;
                        }
                    }
                }
                "drafts" => {
                    if let Some(b) = self.boolean("build", "drafts", v) {
                        config.build.drafts = b;
                    }
                }
                "unsafe-svg" => {
                    if let Some(b) = self.boolean("build", "unsafe-svg", v) {
                        config.build.unsafe_svg = b;
                    }
                }
                "host" if !matches!(v.get_ref(), DeValue::String(_)) => {
                    let names: Vec<String> = host::Host::names()
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect();
                    let expected = format!("one host name in quotes: {}", names.join(", "));
                    self.type_error("build", "host", v, &expected);
                }
                "host" => {
                    if let Some(s) = self.string("build", "host", v) {
                        match host::Host::parse(&s) {
                            Some(h) => config.build.host = Some(h),
                            None => {
                                let names = host::Host::names();
                                let hint = match suggest(&s, names.iter().copied()) {
                                    Some(x) => format!(
                                        "did you mean `{x}`? (one of: {})",
                                        names.join(", ")
                                    ),
                                    None => format!("one of: {}", names.join(", ")),
                                };
                                self.push(
                                    Diagnostic::error(
                                        Code::BadValue,
                                        format!("unknown host `{s}`"),
                                    )
                                    .at(self.pos(v.span()))
                                    .with_hint(hint),
                                );
                            }
                        }
                    }
                }
                _ => self.unknown_key(Some("build"), k, KNOWN),
            }
        }
    }

    /// Folders in book.toml are relative to the root and stay inside it.
    fn relative_dir(&mut self, key: &str, s: &str, v: &Val<'_>) -> Option<PathBuf> {
        let p = PathBuf::from(s);
        let escapes = p.is_absolute()
            || p.components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
            || s.trim().is_empty();
        if escapes {
            self.push(
                Diagnostic::error(
                    Code::BadValue,
                    format!("{key} `{s}` must be a folder inside the knowledge base"),
                )
                .at(self.pos(v.span()))
                .with_hint("use a relative path without `..`, e.g. \"public\""),
            );
            None
        } else {
            Some(p)
        }
    }

    fn read_postmortem(&mut self, t: &DeTable<'_>, config: &mut Config) {
        const KNOWN: &[&str] = &[
            "severities",
            "required",
            "ticket-url",
            "reading-list",
            "sections",
            "review-days",
        ];
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "severities" => {
                    if let Some(list) = self.strings("postmortem", "severities", v) {
                        let mut seen: Vec<String> = Vec::new();
                        for (s, pos) in &list {
                            if s.trim().is_empty() || s.contains(['/', '<', '>', '"']) {
                                self.push(
                                    Diagnostic::error(
                                        Code::BadValue,
                                        format!("severity `{s}` is not a usable name"),
                                    )
                                    .at(*pos),
                                );
                            } else if seen.contains(s) {
                                self.push(
                                    Diagnostic::error(
                                        Code::BadValue,
                                        format!("severity `{s}` is listed twice"),
                                    )
                                    .at(*pos),
                                );
                            } else {
                                seen.push(s.clone());
                            }
                        }
                        if seen.is_empty() {
                            self.push(
                                Diagnostic::error(Code::BadValue, "[postmortem] severities must not be empty")
                                    .at(self.pos(v.span()))
                                    .with_hint("list them most severe first, e.g. [\"SEV1\", \"SEV2\", \"SEV3\"]"),
                            );
                        } else {
                            config.postmortem.severities = seen;
                        }
                    }
                }
                "required" => {
                    if let Some(list) = self.strings("postmortem", "required", v) {
                        let mut out = Vec::new();
                        for (s, pos) in list {
                            if REQUIRABLE_KEYS.contains(&s.as_str()) {
                                out.push(s);
                            } else {
                                let hint = match suggest(&s, REQUIRABLE_KEYS.iter().copied()) {
                                    Some(x) => format!("did you mean `{x}`?"),
                                    None => {
                                        format!("front matter keys: {}", REQUIRABLE_KEYS.join(", "))
                                    }
                                };
                                self.push(
                                    Diagnostic::error(
                                        Code::BadValue,
                                        format!("`{s}` is not a front matter key"),
                                    )
                                    .at(pos)
                                    .with_hint(hint),
                                );
                            }
                        }
                        config.postmortem.required = out;
                    }
                }
                "ticket-url" => {
                    if let Some(s) = self.string("postmortem", "ticket-url", v) {
                        if let Err(msg) = crate::config::url::check_link(&s) {
                            self.push(
                                Diagnostic::error(Code::BadValue, format!("ticket-url: {msg}"))
                                    .at(self.pos(v.span()))
                                    .with_hint("for example: ticket-url = \"https://acme.atlassian.net/browse/{id}\""),
                            );
                        } else if s.contains("{id}") {
                            config.postmortem.ticket_url = Some(s);
                        } else {
                            self.push(
                                Diagnostic::error(Code::BadValue, "ticket-url must contain `{id}`, where the ticket id goes")
                                    .at(self.pos(v.span()))
                                    .with_hint("for example: ticket-url = \"https://acme.atlassian.net/browse/{id}\""),
                            );
                        }
                    }
                }
                "reading-list" => {
                    if let Some(list) = self.strings("postmortem", "reading-list", v) {
                        config.positions.reading_list = list.iter().map(|(_, p)| *p).collect();
                        config.postmortem.reading_list = list.into_iter().map(|(s, _)| s).collect();
                    }
                }
                "sections" => {
                    if let Some(list) = self.strings("postmortem", "sections", v) {
                        config.postmortem.sections = list.into_iter().map(|(s, _)| s).collect();
                    }
                }
                "review-days" => {
                    if let Some(n) = self.positive("postmortem", "review-days", v) {
                        config.postmortem.review_days = n;
                    }
                }
                _ => self.unknown_key(Some("postmortem"), k, KNOWN),
            }
        }
    }

    fn read_causes(&mut self, t: &DeTable<'_>, config: &mut Config) {
        for (k, v) in t.iter() {
            let name = k.get_ref().to_string();
            if !crate::config::slug::is_slug(&name) {
                self.push(
                    Diagnostic::error(Code::BadCause, format!("cause `{name}` is not a slug"))
                        .at(self.pos(k.span()))
                        .with_hint(format!(
                            "write it as `{}` (lowercase letters, digits and dashes)",
                            crate::config::slug::slugify(&name)
                        )),
                );
                continue;
            }
            if let Some(desc) = self.string("causes", &name, v) {
                config.causes.insert(name, desc);
            }
        }
    }

    fn read_import(&mut self, t: &DeTable<'_>, config: &mut Config) {
        const KNOWN: &[&str] = &["severity-map", "date-order"];
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "severity-map" => {
                    let DeValue::Table(map) = v.get_ref() else {
                        self.type_error(
                            "import",
                            "severity-map",
                            v,
                            "a table of foreign word = severity",
                        );
                        continue;
                    };
                    for (word, target) in map.iter() {
                        let w = word.get_ref().trim().to_lowercase();
                        if let Some(s) = self.string("import", "severity-map", target) {
                            self.severity_targets
                                .push((s.clone(), self.pos(target.span())));
                            config.import.severity_map.insert(w, s);
                        }
                    }
                }
                "date-order" => {
                    if let Some(s) = self.string("import", "date-order", v) {
                        match s.as_str() {
                            "day-month" => config.import.date_order = Some(DateOrder::DayFirst),
                            "month-day" => config.import.date_order = Some(DateOrder::MonthFirst),
                            _ => self.push(
                                Diagnostic::error(
                                    Code::BadValue,
                                    format!("unknown date order `{s}`"),
                                )
                                .at(self.pos(v.span()))
                                .with_hint("use \"day-month\" (03/06/2021 is 3 June) or \"month-day\" (it is 6 March)"),
                            ),
                        }
                    }
                }
                _ => self.unknown_key(Some("import"), k, KNOWN),
            }
        }
    }

    /// Every `[import] severity-map` target is one of the severities.
    fn check_severity_map(&mut self, config: &Config) {
        let severities = &config.postmortem.severities;
        for (target, pos) in std::mem::take(&mut self.severity_targets) {
            if severities.contains(&target) {
                continue;
            }
            let hint = match suggest(&target, severities.iter().map(String::as_str)) {
                Some(s) => format!(
                    "did you mean `{s}`? (one of [postmortem] severities: {})",
                    severities.join(", ")
                ),
                None => format!(
                    "map to one of [postmortem] severities: {}",
                    severities.join(", ")
                ),
            };
            self.push(
                Diagnostic::error(
                    Code::UnknownSeverity,
                    format!("[import] severity-map maps to `{target}`, which is not a severity"),
                )
                .at(pos)
                .with_hint(hint),
            );
        }
    }

    fn read_markdown(&mut self, t: &DeTable<'_>, config: &mut Config) {
        const KNOWN: &[&str] = &["unsafe-html", "highlight-theme", "highlight-theme-dark"];
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "unsafe-html" => {
                    if let Some(b) = self.boolean("markdown", "unsafe-html", v) {
                        config.markdown.unsafe_html = b;
                    }
                }
                "highlight-theme" => {
                    if let Some(s) = self.highlight_theme("highlight-theme", v) {
                        config.markdown.highlight_theme = s;
                    }
                }
                "highlight-theme-dark" => {
                    if let Some(s) = self.highlight_theme("highlight-theme-dark", v) {
                        config.markdown.highlight_theme_dark = s;
                    }
                }
                _ => self.unknown_key(Some("markdown"), k, KNOWN),
            }
        }
    }

    /// A `[markdown]` highlighting theme: one of [`HIGHLIGHT_THEMES`].
    fn highlight_theme(&mut self, key: &str, v: &Val<'_>) -> Option<String> {
        let s = self.string("markdown", key, v)?;
        let themes = HIGHLIGHT_THEMES;
        if themes.contains(&s.as_str()) {
            return Some(s);
        }
        let hint = match suggest(&s, themes.iter().copied()) {
            Some(x) => format!("did you mean `{x}`?"),
            None => format!("available: {}", themes.join(", ")),
        };
        self.push(
            Diagnostic::error(Code::BadValue, format!("unknown highlight theme `{s}`"))
                .at(self.pos(v.span()))
                .with_hint(hint),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(Path::new("/kb"), text, Path::new("book.toml")).map_err(|d| d.into_sorted())
    }

    #[test]
    fn the_import_section() {
        let c = parse("[import]\nseverity-map = { Down = \"SEV1\", notice = \"SEV4\" }\ndate-order = \"month-day\"\n").unwrap();
        assert_eq!(c.import.severity_map["down"], "SEV1");
        assert_eq!(c.import.date_order, Some(DateOrder::MonthFirst));
        // Targets are checked against the severities, wherever those are.
        let e = parse("[import]\nseverity-map = { down = \"P0\" }\n[postmortem]\nseverities = [\"P1\", \"P2\"]\n").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].column), (2, 25), "{e:?}");
        assert!(
            e[0].message.contains("`P0`, which is not a severity"),
            "{}",
            e[0].message
        );
        assert!(
            parse(
                "[import]\nseverity-map = { down = \"P0\" }\n[postmortem]\nseverities = [\"P0\"]\n"
            )
            .is_ok()
        );
    }

    #[test]
    fn defaults_apply_to_an_empty_file() {
        let c = parse("").unwrap();
        assert_eq!(c.site.base_url, "/");
        assert_eq!(c.postmortem.severities, ["SEV1", "SEV2", "SEV3", "SEV4"]);
        assert!(c.search.enable);
        assert_eq!(c.build.output_dir, PathBuf::from("public"));
    }

    #[test]
    fn every_key_is_read() {
        let c = parse(
            r#"
[site]
title = "Acme"
description = "d"
base-url = "https://acme.github.io/postmortems"
language = "de"
timezone = "Europe/Copenhagen"
[build]
content-dir = "docs"
output-dir = "site"
theme = "mine"
drafts = true
[postmortem]
severities = ["P0", "P1"]
required = ["title"]
ticket-url = "https://x/{id}"
reading-list = ["a"]
[causes]
missing-timeout = "no timeout"
[markdown]
unsafe-html = true
highlight-theme = "base16-ocean.light"
highlight-theme-dark = "Solarized (dark)"
[search]
enable = false
"#,
        )
        .unwrap();
        assert_eq!(c.site.base_url, "https://acme.github.io/postmortems/");
        assert_eq!(c.base_path(), "/postmortems/");
        assert_eq!(c.site.timezone_name, "Europe/Copenhagen");
        assert_eq!(c.build.content_dir, PathBuf::from("docs"));
        assert!(c.build.drafts);
        assert_eq!(c.postmortem.severities, ["P0", "P1"]);
        assert_eq!(c.causes["missing-timeout"], "no timeout");
        assert!(c.markdown.unsafe_html);
        assert_eq!(c.markdown.highlight_theme, "base16-ocean.light");
        assert_eq!(c.markdown.highlight_theme_dark, "Solarized (dark)");
        assert!(!c.search.enable);
    }

    #[test]
    fn unknown_highlight_themes_are_errors_at_their_value() {
        let errs = parse(
            "[markdown]\nhighlight-theme = \"InspiredGithub\"\nhighlight-theme-dark = \"base16-ocean-dark\"\n",
        )
        .unwrap_err();
        let got: Vec<_> = errs
            .iter()
            .map(|e| (e.line, e.column, e.message.as_str(), e.hint.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    2,
                    19,
                    "unknown highlight theme `InspiredGithub`",
                    Some("did you mean `InspiredGitHub`?")
                ),
                (
                    3,
                    24,
                    "unknown highlight theme `base16-ocean-dark`",
                    Some("did you mean `base16-ocean.dark`?")
                ),
            ]
        );
        let c = parse("").unwrap();
        assert_eq!(c.markdown.highlight_theme, "InspiredGitHub");
        assert_eq!(c.markdown.highlight_theme_dark, "base16-ocean.dark");
    }

    #[test]
    fn unknown_keys_are_all_reported_with_positions_and_suggestions() {
        let errs =
            parse("[site]\ntitel = \"x\"\n[postmortem]\nseverites = []\n[serch]\n").unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert_eq!(errs[0].line, 2);
        assert_eq!(errs[0].column, 1);
        assert_eq!(errs[0].message, "unknown key `titel` in [site]");
        assert_eq!(errs[0].hint.as_deref(), Some("did you mean `title`?"));
        assert_eq!(errs[1].hint.as_deref(), Some("did you mean `severities`?"));
        assert_eq!(errs[2].message, "unknown section `serch` at the top level");
        assert_eq!(errs[2].hint.as_deref(), Some("did you mean `search`?"));
    }

    #[test]
    fn the_host_is_one_of_the_known_ones() {
        let c = parse("[build]\nhost = \"cloudflare-pages\"\n").unwrap();
        assert_eq!(c.build.host, Some(host::Host::CloudflarePages));
        let errs = parse("[site]\ntitle = \"x\"\n[build]\nhost = \"github\"\n").unwrap_err();
        assert_eq!((errs[0].line, errs[0].column), (4, 8));
        assert_eq!(errs[0].message, "unknown host `github`");
        assert_eq!(
            errs[0].hint.as_deref(),
            Some(
                "did you mean `github-pages`? (one of: github-pages, gitlab-pages, cloudflare-pages, netlify)"
            )
        );
    }

    #[test]
    fn wrong_types_and_bad_values_are_errors() {
        let errs = parse("[site]\ntitle = 3\ntimezone = \"Mars/Base\"\n[build]\ndrafts = \"yes\"\noutput-dir = \"../x\"\n").unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(
            msgs,
            [
                (2, "[site] title must be a string, found integer"),
                (3, "unknown time zone `Mars/Base`"),
                (5, "[build] drafts must be true or false, found string"),
                (
                    6,
                    "output-dir `../x` must be a folder inside the knowledge base"
                ),
            ]
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let errs = parse("[site]\ntitle = \"unterminated\n").unwrap_err();
        assert_eq!(errs[0].line, 2);
        assert!(
            errs[0].message.starts_with("invalid TOML"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path_of("https://a.b"), "/");
        assert_eq!(base_path_of("https://a.b/x/y"), "/x/y/");
        assert_eq!(base_path_of("/x"), "/x/");
        assert!(normalize_base_url("ftp:x").is_err());
        assert!(normalize_base_url("javascript:alert(1)//").is_err());
        assert!(normalize_base_url(" JavaScript:alert(1)").is_err());
        assert!(normalize_base_url("data:text/html,x/").is_err());
        assert!(normalize_base_url("//evil.example/").is_err());
        assert!(normalize_base_url("/ok/").is_ok());
        assert!(normalize_base_url("https://").is_err());
    }

    #[test]
    fn review_days_and_min_sample_are_positive_whole_numbers() {
        let c = parse("[postmortem]\nreview-days = 30\n[stats]\nmin-sample = 3\n").unwrap();
        assert_eq!(c.postmortem.review_days, 30);
        assert_eq!(c.stats.min_sample, 3);
        let d = parse("").unwrap();
        assert_eq!((d.postmortem.review_days, d.stats.min_sample), (14, 5));
        let errs =
            parse("[postmortem]\nreview-days = 0\n[stats]\nmin-sample = -2\n[x]\n").unwrap_err();
        let got: Vec<(usize, &str)> = errs.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(
            &got[..2],
            [
                (
                    2,
                    "[postmortem] review-days must be a positive whole number, found 0"
                ),
                (
                    4,
                    "[stats] min-sample must be a positive whole number, found -2"
                ),
            ]
        );
        for bad in ["\"14\"", "1.5", "true", "99999999999"] {
            let errs = parse(&format!("[stats]\nmin-sample = {bad}\n")).unwrap_err();
            assert_eq!(errs[0].line, 2, "{bad}");
            assert!(errs[0].message.contains("positive whole number"), "{bad}");
        }
    }
}
