//! Front matter that a source already has (another tool's: a status page,
//! a curated catalogue, Jekyll, Hugo, MyST; or pmsite's own), YAML between
//! `---` lines or TOML between `+++` lines. Every key is kept: the ones
//! with a known meaning are mapped onto pmsite's (the README's table),
//! severity words through `[import] severity-map` (or a documented
//! guess), pmsite's own keys onto themselves, and the rest go under
//! `extra:`, shown on the incident page. A value pmsite's `check` would
//! reject (a name longer than a folder name can be, a kind that is none of
//! pmsite's) is kept under `extra:` too, with a warning at its line. Front
//! matter that cannot be read as a whole is read key by key where it can,
//! and its text is kept for the end of the body.

use std::cell::OnceCell;
use std::sync::LazyLock;

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use regex::Regex;
use serde_yaml::{Mapping, Value};

use super::milestones::Entry;
use crate::config::slug::{MAX_NAME_BYTES, slugify};
use crate::diagnostics::Code;
use crate::diagnostics::yaml::{Target, YamlLocator, YamlPath};
use crate::load::frontmatter;
use crate::load::postmortem::{FOLLOW_UP_KEYS, TIMELINE_KEYS};
use crate::model::followup::{FollowUpStatus, FollowUpType};
use crate::model::postmortem::{Kind, Status, Visibility};
use crate::model::timeline::{Milestone, Parsed, TimeCursor, parse_time, parse_time_prefix};

/// What the foreign front matter gives the imported file.
#[derive(Clone, Debug, Default)]
pub struct Mapped {
    pub title: Option<String>,
    /// The date as written (the day of a date-time with an offset is the
    /// day written, not the day in UTC), and its line in the file.
    pub date: Option<(Date, usize)>,
    /// The severity word as written, and its line.
    pub severity: Option<(String, usize)>,
    pub summary: Option<String>,
    pub impact: Option<String>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub teams: Vec<String>,
    pub source_url: Option<String>,
    pub draft: bool,
    /// Times of milestones (`start_time`, `resolvedWhen`): the time as
    /// read (a wall-clock time in the source's `timezone:` when it names
    /// one), the milestone, the key and its line.
    pub milestones: Vec<(Parsed, Milestone, String, usize)>,
    /// The offset each milestone time of `milestones` was written with
    /// (`Z`, `-05:00`), by the line of its key.
    pub offsets: Vec<(usize, Offset)>,
    /// Every other key, in the order written, with its value made a
    /// string, a number, a boolean or a list of those.
    pub extra: Vec<(String, Value)>,
    /// pmsite's own keys, when the source already uses them.
    pub own: Own,
    /// The front matter's text, when it cannot be read as a whole.
    pub unread: Option<Unread>,
}

/// pmsite's own front matter keys (those the table of foreign keys does
/// not map already), read as `check` reads them: a value it would reject
/// is kept under `extra:` instead, with a warning.
#[derive(Clone, Debug, Default)]
pub struct Own {
    /// `id:`, as a slug, and its line.
    pub id: Option<(String, usize)>,
    pub status: Option<Status>,
    pub causes: Vec<(String, usize)>,
    pub trigger: Option<(String, usize)>,
    pub detection: Option<String>,
    pub kind: Option<Kind>,
    pub visibility: Option<Visibility>,
    /// `timezone:`: its name, the zone and its line.
    pub timezone: Option<(String, TimeZone, usize)>,
    /// `timeline:` entries, and the line of the key.
    pub timeline: Vec<OwnEntry>,
    pub timeline_line: usize,
    pub follow_ups: Vec<OwnFollowUp>,
    /// `related:` ids as written (made slugs), with their lines.
    pub related: Vec<(String, usize)>,
    /// `lint: {allow: [...]}`: the lint codes.
    pub lint_allow: Vec<String>,
}

/// A `timeline:` entry in pmsite's shape.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnEntry {
    /// The time as written (readable by pmsite's timeline reader).
    pub at: String,
    pub kind: Milestone,
    pub event: String,
    pub line: usize,
}

/// A `follow_ups:` item in pmsite's shape.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnFollowUp {
    pub title: String,
    pub owner: Option<String>,
    pub status: FollowUpStatus,
    pub due: Option<Date>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
    pub kind: Option<FollowUpType>,
    pub team: Option<String>,
    pub completed: Option<Date>,
    pub line: usize,
}

/// Front matter that cannot be read as a whole, kept as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Unread {
    /// `yaml` or `toml`.
    pub lang: &'static str,
    pub text: String,
}

impl Own {
    /// The `timeline:` entries as timeline entries: bare times on `date`
    /// in `timezone:` (else in `site_tz`, named `site_tz_name`, with a
    /// note), each with the offset it was written with, if any. What had
    /// to be guessed is noted (line in the file, message).
    pub fn entries(
        &self,
        date: Date,
        site_tz: &TimeZone,
        site_tz_name: &str,
        notes: &mut Vec<(usize, String)>,
    ) -> Vec<(Entry, Option<Offset>)> {
        let tz = self
            .timezone
            .as_ref()
            .map_or_else(|| site_tz.clone(), |t| t.1.clone());
        let mut cursor = TimeCursor::new(date, tz);
        let mut out = Vec::new();
        let mut bare = false;
        for e in &self.timeline {
            let Ok(parsed) = parse_time(&e.at) else {
                continue;
            };
            let own_zone = matches!(
                parsed,
                Parsed::Instant(_) | Parsed::Civil { zone: Some(_), .. }
            );
            bare |= !own_zone;
            let r = match cursor.read(&e.at) {
                Ok(r) => r,
                Err(msg) => {
                    notes.push((e.line, format!("{msg}; the entry is left out: write the time as `HH:MM` or with its date and offset (2018-04-12T09:09:00Z) in the source, then import again")));
                    continue;
                }
            };
            if r.rolled_over {
                notes.push((e.line, format!("`{}` is earlier than the entry before it; it is taken as the next day ({}): write its date in the source to say so", e.at, r.at)));
            }
            if r.backwards.is_some() {
                notes.push((e.line, format!("`{}` is earlier than the entry before it; it is sorted into place: put the entries in the order they happened in the source", e.at)));
            }
            let entry = Entry {
                at: r.at,
                event: e.event.clone(),
                kind: e.kind,
                kind_stated: e.kind != Milestone::Other,
                line: e.line,
                certain: (own_zone || self.timezone.is_some()) && !r.rolled_over,
                own_zone,
            };
            out.push((entry, own_zone.then(|| written_offset(&e.at)).flatten()));
        }
        if bare && self.timezone.is_none() {
            notes.push((self.timeline_line, format!("the front matter's timeline names no time zone; its bare times are read in the site's ({site_tz_name}): add `timezone:` to the source's front matter if they are in another, then import again")));
        }
        out
    }
}

/// A source split into its front matter, if any, and its body.
pub(super) struct ForeignFrontMatter<'a> {
    pub mapped: Mapped,
    /// The file line on which the body starts.
    pub body_line: usize,
    pub body: &'a str,
}

impl<'a> ForeignFrontMatter<'a> {
    /// Splits `text`; what cannot be read is noted in `notes` (line in
    /// the file, message).
    pub fn read(text: &'a str, notes: &mut Vec<(usize, String)>) -> Self {
        let Some(s) = split(text) else {
            return ForeignFrontMatter {
                mapped: Mapped::default(),
                body_line: 1,
                body: text,
            };
        };
        let (map, unread) = match s.kind {
            Format::Yaml => match frontmatter::parse_yaml(s.fm, s.fm_line) {
                Ok(m) => (m, None),
                Err(d) => {
                    let map = salvage(s.fm, false);
                    let msg = d.message.trim_start_matches("invalid YAML: ");
                    let note = unread_note("YAML", msg, d.column, &map, d.hint.as_deref());
                    notes.push((d.line.max(1), note));
                    (map, Some("yaml"))
                }
            },
            Format::Toml => match toml_mapping(s.fm) {
                Ok(m) => (m, None),
                Err((msg, at)) => {
                    let map = salvage(s.fm, true);
                    let (line, col) = at.map_or((0, 1), |at| line_col(s.fm, at));
                    notes.push((s.fm_line + line, unread_note("TOML", &msg, col, &map, None)));
                    (map, Some("toml"))
                }
            },
        };
        let positions = matches!(s.kind, Format::Yaml) && unread.is_none();
        let mut mapped = Keys::new(s.fm, s.fm_line, positions, notes).map(&map);
        mapped.unread = unread.map(|lang| Unread {
            lang,
            text: s.fm.to_string(),
        });
        ForeignFrontMatter {
            mapped,
            body_line: s.body_line,
            body: s.body,
        }
    }
}

/// The warning for front matter that cannot be read as a whole.
fn unread_note(lang: &str, msg: &str, col: usize, map: &Mapping, hint: Option<&str>) -> String {
    let read: Vec<String> = map
        .keys()
        .filter_map(text_of)
        .map(|k| format!("`{k}`"))
        .collect();
    let used = if read.is_empty() {
        String::new()
    } else {
        format!(
            ", and the keys that can be read on their own ({}) are used",
            read.join(", ")
        )
    };
    let hint = hint.map(|h| format!(" ({h})")).unwrap_or_default();
    format!(
        "the front matter is not valid {lang} ({msg}, at column {col}); its text is kept as written in a `{}` code block at the end of the body{used}: fix it in the source{hint}, then import again",
        lang.to_lowercase()
    )
}

/// The 0-based line and 1-based column of a byte offset of `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The top-level keys of a front matter that cannot be read as a whole,
/// each key (with the lines that continue it) read on its own; for TOML,
/// those before the first table.
fn salvage(fm: &str, toml: bool) -> Mapping {
    let mut blocks: Vec<String> = Vec::new();
    for line in fm.lines() {
        let first = line.chars().next();
        if toml && first == Some('[') {
            break;
        }
        let starts = first.is_some_and(|c| !c.is_whitespace() && !"#-]},".contains(c));
        match blocks.last_mut() {
            Some(b) if !starts => {
                b.push_str(line);
                b.push('\n');
            }
            _ if starts => blocks.push(format!("{line}\n")),
            _ => {}
        }
    }
    let mut out = Mapping::new();
    for b in blocks {
        let map = if toml {
            toml_mapping(&b).ok()
        } else {
            serde_yaml::from_str::<Mapping>(&b).ok()
        };
        for (k, v) in map.into_iter().flatten() {
            if !out.contains_key(&k) {
                out.insert(k, v);
            }
        }
    }
    out
}

enum Format {
    Yaml,
    Toml,
}

struct Split<'a> {
    kind: Format,
    fm: &'a str,
    /// The file line of the front matter's first line.
    fm_line: usize,
    body_line: usize,
    body: &'a str,
}

/// `---` … `---` (YAML) or `+++` … `+++` (TOML) at the top of the file.
fn split(text: &str) -> Option<Split<'_>> {
    if let Ok(s) = frontmatter::split(text) {
        return Some(Split {
            kind: Format::Yaml,
            fm: &text[s.yaml.clone()],
            fm_line: s.yaml_line,
            body_line: s.body_line,
            body: &text[s.body.clone()],
        });
    }
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "+++" {
        return None;
    }
    let mut at = first_end + 1;
    let mut line = 2;
    while at <= text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if text[at..end].trim_end() == "+++" {
            let body_start = (end + 1).min(text.len());
            return Some(Split {
                kind: Format::Toml,
                fm: &text[first_end + 1..at],
                fm_line: 2,
                body_line: line + 1,
                body: &text[body_start..],
            });
        }
        if end == text.len() {
            break;
        }
        at = end + 1;
        line += 1;
    }
    None
}

/// TOML front matter as the YAML mapping the rest reads (dates become
/// their text); else the error and its byte offset.
fn toml_mapping(text: &str) -> Result<Mapping, (String, Option<usize>)> {
    let table: toml::Table = toml::from_str(text)
        .map_err(|e| (e.message().trim().to_string(), e.span().map(|s| s.start)))?;
    fn conv(v: toml::Value) -> Value {
        match v {
            toml::Value::String(s) => Value::String(s),
            toml::Value::Integer(i) => Value::Number(i.into()),
            toml::Value::Float(f) => Value::Number(f.into()),
            toml::Value::Boolean(b) => Value::Bool(b),
            toml::Value::Datetime(d) => Value::String(d.to_string()),
            toml::Value::Array(a) => Value::Sequence(a.into_iter().map(conv).collect()),
            toml::Value::Table(t) => Value::Mapping(
                t.into_iter()
                    .map(|(k, v)| (Value::String(k), conv(v)))
                    .collect(),
            ),
        }
    }
    Ok(table
        .into_iter()
        .map(|(k, v)| (Value::String(k), conv(v)))
        .collect())
}

/// The file line of a top-level key (`key:` or `key =` at the start of a
/// line of the front matter).
fn key_line(fm: &str, fm_line: usize, key: &str) -> usize {
    fm.lines()
        .position(|l| {
            let l = l.trim_start_matches(['"', '\'']);
            l.strip_prefix(key).is_some_and(|r| {
                let r = r.trim_start_matches(['"', '\'']).trim_start();
                r.starts_with(':') || r.starts_with('=')
            })
        })
        .map_or(fm_line, |i| fm_line + i)
}

fn text_of(v: &Value) -> Option<String> {
    frontmatter::scalar_text(v)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A list of words (`[a, b]`, or `"a, b"`), as written.
fn words_of(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(items) => items.iter().filter_map(text_of).collect(),
        other => text_of(other)
            .map(|s| {
                s.split(',')
                    .map(|w| w.trim().to_string())
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The items of a list (`[a, b]`, or `"a, b"`) with their paths (`key`
/// for the words of one text): `Ok` their text, `Err` an item that is no
/// text (a mapping, a list), as kept under `extra:`.
fn items_of(key: &str, v: &Value) -> Vec<(Result<String, Value>, YamlPath)> {
    let path = YamlPath::root().key(key);
    match v {
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.is_null())
            .filter_map(|(n, i)| {
                let item = match text_of(i) {
                    Some(t) => Ok(t),
                    None if frontmatter::scalar_text(i).is_some() => return None,
                    None => Err(extra_value(i)),
                };
                Some((item, path.index(n)))
            })
            .collect(),
        other => words_of(other)
            .into_iter()
            .map(|w| (Ok(w), path.clone()))
            .collect(),
    }
}

/// A value kept under `extra:`: scalars and lists of scalars as they are
/// (nothing, `~`, as an empty text), anything deeper as its JSON text.
fn extra_value(v: &Value) -> Value {
    let scalar = |v: &Value| match v {
        Value::Number(n) if n.as_f64().is_some_and(|f| !f.is_finite()) => {
            Value::String(n.to_string())
        }
        Value::String(_) | Value::Number(_) | Value::Bool(_) => v.clone(),
        Value::Null => Value::String(String::new()),
        Value::Tagged(t) => Value::String(frontmatter::scalar_text(&t.value).unwrap_or_default()),
        other => Value::String(serde_json::to_string(other).unwrap_or_default()),
    };
    match v {
        Value::Sequence(items) => Value::Sequence(items.iter().map(scalar).collect()),
        other => scalar(other),
    }
}

/// A date or date-time as another tool writes it: `2023-03-09`,
/// `2023-03-09T7:15:00-00:00`, `2018-06-08 21:22:00`, `June 8, 2018`,
/// `Fri, 08 Jun 2018 21:22:00 +0000`. The date is the one written; the
/// time, when there is one, is read as pmsite reads timeline times.
pub fn foreign_time(text: &str) -> Option<(Date, Option<Parsed>)> {
    let t = text.trim();
    if let Some((n, parsed)) = parse_time_prefix(t)
        && t[n..].trim().is_empty()
    {
        let date = match &parsed {
            Parsed::Civil { date: Some(d), .. } => *d,
            Parsed::Instant(_) => t.get(..10)?.parse().ok()?,
            Parsed::Civil { date: None, .. } => return None,
        };
        return Some((date, Some(parsed)));
    }
    if let Some(d) = frontmatter::parse_date(t) {
        return Some((d, None));
    }
    if let Ok(z) = jiff::fmt::rfc2822::parse(t) {
        return Some((z.date(), Some(Parsed::Instant(z.timestamp()))));
    }
    let ctx = super::times::DateContext::default();
    super::times::leading_date(t, &ctx)
        .filter(|(_, n, _)| t[*n..].trim().is_empty())
        .map(|(d, _, _)| (d, None))
}

/// The offset a time is written with at its end: `Z`, `UTC`, `+02:00`,
/// `-0500`.
pub fn written_offset(text: &str) -> Option<Offset> {
    static OFFSET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:\d)\s*(Z|UTC|GMT|([+-])(\d{2}):?(\d{2}))$").expect("valid pattern")
    });
    let c = OFFSET.captures(text.trim())?;
    let Some(sign) = c.get(2) else {
        return Some(Offset::UTC);
    };
    let h: i32 = c[3].parse().ok()?;
    let m: i32 = c[4].parse().ok()?;
    let secs = (h * 3600 + m * 60) * if sign.as_str() == "-" { -1 } else { 1 };
    Offset::from_seconds(secs).ok()
}

/// `word` shortened for a message.
fn short(word: &str) -> String {
    match word.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &word[..i]),
        None => word.to_string(),
    }
}

/// `word` as a slug that `check` accepts as a name (of a service, a tag,
/// a cause, an id); else the warning.
fn slug_of(word: &str, what: &str) -> Result<String, String> {
    let s = slugify(word);
    if s.is_empty() {
        return Err(format!(
            "the {what} `{}` has no letters or digits to make a name of; it is kept under `extra:`: write it with letters or digits in the source, then import again",
            short(word)
        ));
    }
    if s.len() > MAX_NAME_BYTES {
        return Err(format!(
            "the {what} `{}` is {} bytes long as a name, and each {what} becomes a folder of the site, at most {MAX_NAME_BYTES} bytes; it is kept under `extra:`: shorten it in the source, then import again",
            short(word),
            s.len()
        ));
    }
    Ok(s)
}

/// Reads the keys of one front matter into a [`Mapped`], noting what
/// cannot be used at its line.
struct Keys<'a> {
    fm: &'a str,
    fm_line: usize,
    /// Positions of values in the YAML (none for TOML, or YAML read key
    /// by key), found when a line inside a key is needed.
    positions: Option<OnceCell<YamlLocator>>,
    notes: &'a mut Vec<(usize, String)>,
    m: Mapped,
}

impl<'a> Keys<'a> {
    fn new(
        fm: &'a str,
        fm_line: usize,
        positions: bool,
        notes: &'a mut Vec<(usize, String)>,
    ) -> Self {
        Keys {
            fm,
            fm_line,
            positions: positions.then(OnceCell::new),
            notes,
            m: Mapped::default(),
        }
    }

    fn key_line(&self, key: &str) -> usize {
        key_line(self.fm, self.fm_line, key)
    }

    /// The file line of a value inside the front matter (else of its
    /// top-level key).
    fn line_of(&self, path: &YamlPath) -> usize {
        let found = self.positions.as_ref().and_then(|cell| {
            cell.get_or_init(|| YamlLocator::new(self.fm))
                .find(path, Target::Value)
                .map(|p| p.offset_lines(self.fm_line).line)
        });
        found.unwrap_or_else(|| match path.0.first() {
            Some(crate::diagnostics::yaml::Seg::Key(k)) => self.key_line(k),
            _ => self.fm_line,
        })
    }

    fn note(&mut self, line: usize, message: String) {
        self.notes.push((line, message));
    }

    /// Keeps `v` under `extra:` as `name`, with a warning at `line` that
    /// says why and how to fix it.
    fn kept(&mut self, name: String, v: &Value, line: usize, why: &str, fix: &str) {
        self.note(
            line,
            format!("`{name}` {why}; it is kept under `extra:`: {fix}"),
        );
        self.m.extra.push((name, extra_value(v)));
    }

    fn map(mut self, map: &Mapping) -> Mapped {
        self.timezone(map);
        let has_summary = map.get("summary").is_some_and(|v| !v.is_null());
        for (k, v) in map {
            let key = k
                .as_str()
                .map(str::to_string)
                .or_else(|| text_of(k))
                .unwrap_or_else(|| serde_json::to_string(&extra_value(k)).unwrap_or_default());
            // Nothing (`kind:`, `~`) is the default, as for pmsite.
            if v.is_null() && crate::load::postmortem::POSTMORTEM_KEYS.contains(&key.as_str()) {
                continue;
            }
            let line = self.key_line(&key);
            let keep = match self.known(&key, v, line, has_summary) {
                Some(keep) => keep,
                None => self.own(&key, v, line).unwrap_or(true),
            };
            if keep {
                self.m.extra.push((key, extra_value(v)));
            }
        }
        self.m
    }

    /// The keys of the README's table of foreign keys. Whether the key is
    /// kept under `extra:`; `None` for a key the table does not map.
    fn known(&mut self, key: &str, v: &Value, line: usize, has_summary: bool) -> Option<bool> {
        let keep = match key {
            "title" | "name" if self.m.title.is_none() => {
                self.m.title = text_of(v);
                self.m.title.is_none()
            }
            "date" | "start_time" | "started" | "started_at" | "startedAt" => {
                self.start_key(key, v, line)
            }
            "resolved"
                if v.as_bool().is_none()
                    && text_of(v)
                        .as_deref()
                        .and_then(foreign_time)
                        .is_some_and(|t| t.1.is_some()) =>
            {
                self.end_key(key, v, line)
            }
            "end_time" | "resolvedWhen" | "resolved_at" | "resolvedAt" | "ended_at" => {
                self.end_key(key, v, line)
            }
            "severity" => match text_of(v) {
                Some(s) => {
                    self.m.severity = Some((s, line));
                    false
                }
                None => true,
            },
            "summary" => {
                self.m.summary = text_of(v);
                self.m.summary.is_none()
            }
            "description" if !has_summary => {
                self.m.summary = text_of(v);
                self.m.summary.is_none()
            }
            "impact" => {
                self.m.impact = text_of(v);
                self.m.impact.is_none()
            }
            "affected" | "services" | "components" => {
                let names = self.names(key, v, "service");
                extend(&mut self.m.services, names);
                false
            }
            "categories" | "keywords" | "tags" => {
                let names = self.names(key, v, "tag");
                extend(&mut self.m.tags, names);
                false
            }
            "authors" | "author" => {
                extend(&mut self.m.authors, words_of(v));
                false
            }
            "teams" | "team" => {
                let names = self.names(key, v, "team");
                extend(&mut self.m.teams, names);
                false
            }
            "url" | "source_url" if self.m.source_url.is_none() => {
                match text_of(v).filter(|u| crate::model::followup::is_url(u)) {
                    Some(u) => {
                        self.m.source_url = Some(u);
                        false
                    }
                    None => true,
                }
            }
            "draft" => {
                self.m.draft = v.as_bool() == Some(true);
                v.as_bool().is_none()
            }
            _ => return None,
        };
        Some(keep)
    }

    /// `timezone:`, read first: the zone the other times of the front
    /// matter are in when they name none.
    fn timezone(&mut self, map: &Mapping) {
        let Some(v) = map.get("timezone").filter(|v| !v.is_null()) else {
            return;
        };
        let line = self.key_line("timezone");
        match text_of(v).and_then(|n| TimeZone::get(&n).ok().map(|tz| (n, tz))) {
            Some((name, tz)) => self.m.own.timezone = Some((name, tz, line)),
            None => self.note(line, format!("`timezone: {}` is not a time zone pmsite knows; it is kept under `extra:`, and bare times are read as if it were absent: write an IANA name such as `UTC`, `Europe/Copenhagen` or `America/New_York` in the source, then import again", text_of(v).unwrap_or_default())),
        }
    }

    /// `date`, `start_time` and the like: the date, and a `started`
    /// milestone for a time of a start key. Whether the key is kept under
    /// `extra:`.
    fn start_key(&mut self, key: &str, v: &Value, line: usize) -> bool {
        let text = text_of(v);
        let Some((d, time)) = text.as_deref().and_then(foreign_time) else {
            self.note(
                line,
                format!(
                    "cannot read `{key}` ({}) as a date; it is kept under `extra:`: write it as YYYY-MM-DD (or with its time, 2018-04-12T09:02:00Z) in the source, then import again",
                    text.unwrap_or_default()
                ),
            );
            return true;
        };
        if key == "date" || self.m.date.is_none() {
            self.m.date = Some((d, line));
        }
        match time {
            // A date-time `date` is when the post was written as often as
            // when it happened: the time stays under `extra:`.
            Some(_) if key == "date" => true,
            Some(p) => {
                self.milestone(p, Milestone::Started, key, line, text.as_deref());
                false
            }
            None => false,
        }
    }

    /// `end_time`, `resolvedWhen` and the like: a `resolved` milestone.
    /// Whether the key is kept under `extra:`.
    fn end_key(&mut self, key: &str, v: &Value, line: usize) -> bool {
        let text = text_of(v);
        match text.as_deref().and_then(foreign_time) {
            Some((_, Some(p))) => {
                self.milestone(p, Milestone::Resolved, key, line, text.as_deref());
                false
            }
            _ => {
                self.note(
                    line,
                    format!(
                        "cannot read `{key}` ({}) as a time; it is kept under `extra:`: write it with its date and offset (2018-04-12T09:02:00Z) in the source, then import again",
                        text.unwrap_or_default()
                    ),
                );
                true
            }
        }
    }

    /// A milestone time: a wall-clock time is in `timezone:` when the
    /// front matter names one; the offset written is remembered.
    fn milestone(
        &mut self,
        p: Parsed,
        kind: Milestone,
        key: &str,
        line: usize,
        text: Option<&str>,
    ) {
        let p = match (p, &self.m.own.timezone) {
            (
                Parsed::Civil {
                    date,
                    time,
                    zone: None,
                },
                Some((_, tz, _)),
            ) => Parsed::Civil {
                date,
                time,
                zone: Some(tz.clone()),
            },
            (p, _) => p,
        };
        if matches!(p, Parsed::Instant(_))
            && let Some(off) = text.and_then(written_offset)
        {
            self.m.offsets.push((line, off));
        }
        self.m.milestones.push((p, kind, key.to_string(), line));
    }

    /// The names of a list as slugs, each once; one that gives no slug, or
    /// a slug longer than a folder name of the site can be, is kept under
    /// `extra:` (under `key`), with a warning at its line.
    fn names(&mut self, key: &str, v: &Value, what: &str) -> Vec<String> {
        self.names_at(key, v, what, false)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    /// [`Keys::names`], each with its line when `lines` (else 0: the
    /// positions are found only when needed).
    fn names_at(&mut self, key: &str, v: &Value, what: &str, lines: bool) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        let mut rejected: Vec<Value> = Vec::new();
        for (item, path) in items_of(key, v) {
            let name = match item.map(|word| slug_of(&word, what).map_err(|m| (word, m))) {
                Ok(Ok(s)) => s,
                Ok(Err((word, msg))) => {
                    let line = self.line_of(&path);
                    self.note(line, msg);
                    rejected.push(Value::String(word));
                    continue;
                }
                Err(value) => {
                    let line = self.line_of(&path);
                    self.note(line, format!("an item of `{key}` is no text, so it is no {what}; it is kept under `extra:`: write each {what} as a word in the source, then import again"));
                    rejected.push(value);
                    continue;
                }
            };
            if !out.iter().any(|(o, _)| *o == name) {
                let line = if lines { self.line_of(&path) } else { 0 };
                out.push((name, line));
            }
        }
        if !rejected.is_empty() {
            self.m
                .extra
                .push((key.to_string(), Value::Sequence(rejected)));
        }
        out
    }

    /// One name (`id:`, `trigger:`, `detection:`) as a slug.
    fn one_name(&mut self, key: &str, v: &Value, line: usize) -> Option<String> {
        match text_of(v).map(|t| slug_of(&t, key)) {
            Some(Ok(s)) => Some(s),
            Some(Err(msg)) => {
                self.note(line, msg);
                None
            }
            None => {
                self.note(line, format!("`{key}` is not one name; it is kept under `extra:`: write one word in the source, then import again"));
                None
            }
        }
    }

    /// One of `names`, written in any case, with spaces or dashes.
    fn one_of<T>(
        &mut self,
        key: &str,
        v: &Value,
        line: usize,
        names: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = text_of(v).unwrap_or_default();
        let found = parse(&slugify(&text.replace('\'', "")));
        if found.is_none() {
            self.note(line, format!("`{key}: {}` is none of pmsite's ({}); it is kept under `extra:`: write one of them in the source, then import again", short(&text), names.join(", ")));
        }
        found
    }

    /// pmsite's own keys (those `known` does not map). Whether the key is
    /// kept under `extra:`; `None` for a key pmsite does not know.
    fn own(&mut self, key: &str, v: &Value, line: usize) -> Option<bool> {
        if !crate::load::postmortem::POSTMORTEM_KEYS.contains(&key) {
            return None;
        }
        let used = match key {
            "id" => self
                .one_name(key, v, line)
                .map(|s| self.m.own.id = Some((s, line))),
            "status" => self
                .one_of(key, v, line, Status::NAMES, Status::parse)
                .map(|s| self.m.own.status = Some(s)),
            "causes" => {
                let causes = self.names_at(key, v, "cause", true);
                self.m.own.causes.extend(causes);
                Some(())
            }
            "trigger" => self
                .one_name(key, v, line)
                .map(|s| self.m.own.trigger = Some((s, line))),
            "detection" => self
                .one_name(key, v, line)
                .map(|s| self.m.own.detection = Some(s)),
            "kind" => self
                .one_of(key, v, line, Kind::NAMES, Kind::parse)
                .map(|k| self.m.own.kind = Some(k)),
            "visibility" => self
                .one_of(key, v, line, &["public", "internal"], |s| match s {
                    "public" => Some(Visibility::Public),
                    "internal" => Some(Visibility::Internal),
                    _ => None,
                })
                .map(|x| self.m.own.visibility = Some(x)),
            "timezone" => self.m.own.timezone.as_ref().map(|_| ()),
            "timeline" => self.own_timeline(v, line),
            "follow_ups" => self.own_follow_ups(v, line),
            "related" => {
                let ids = self.names_at(key, v, "related id", true);
                self.m.own.related.extend(ids);
                Some(())
            }
            "lint" => self.own_lint(v, line),
            "extra" => self.own_extra(v),
            // Mapped by `known` when usable (a second `title`, a
            // `source_url` that is no address): kept.
            _ => None,
        };
        Some(used.is_none())
    }

    /// `extra:` of a file already imported: its fields stay fields.
    fn own_extra(&mut self, v: &Value) -> Option<()> {
        match v {
            Value::Mapping(map) => {
                for (k, v) in map {
                    let name = text_of(k).unwrap_or_else(|| {
                        serde_json::to_string(&extra_value(k)).unwrap_or_default()
                    });
                    self.m.extra.push((name, extra_value(v)));
                }
                Some(())
            }
            Value::Null => Some(()),
            _ => None,
        }
    }

    /// `lint: {allow: [...]}`: codes of `pmsite check`'s lints.
    fn own_lint(&mut self, v: &Value, line: usize) -> Option<()> {
        let Some(map) = v.as_mapping() else {
            self.note(line, "`lint` is not `allow: [lint codes]` as pmsite writes it; it is kept under `extra:`".into());
            return None;
        };
        let lints = Code::lint_names();
        for (k, v) in map {
            let name = text_of(k).unwrap_or_default();
            if name != "allow" {
                self.kept(
                    format!("lint.{name}"),
                    v,
                    line,
                    "is not a setting of pmsite's `lint:` (only `allow` is)",
                    "write the lints to allow under `allow:` in the source, then import again",
                );
                continue;
            }
            for (code, path) in items_of("lint", v) {
                let at = self.line_of(&path.key("allow"));
                match code {
                    Ok(c) if lints.contains(&c.as_str()) => self.m.own.lint_allow.push(c),
                    Ok(c) => self.kept(
                        "lint.allow".into(),
                        &Value::String(c.clone()),
                        at,
                        &format!("names `{c}`, which is no lint of `pmsite check`"),
                        "name a lint of the README's lint table in the source, then import again",
                    ),
                    Err(v) => self.kept(
                        "lint.allow".into(),
                        &v,
                        at,
                        "holds an item that is no lint code",
                        "write each lint as a word in the source, then import again",
                    ),
                }
            }
        }
        Some(())
    }
}

fn extend(list: &mut Vec<String>, more: Vec<String>) {
    for x in more {
        if !list.contains(&x) {
            list.push(x);
        }
    }
}

/// Whether a list is in pmsite's shape: mappings, one at least holding
/// one of `keys`.
fn in_shape<'v>(v: &'v Value, keys: &[&str]) -> Option<&'v Vec<Value>> {
    let Value::Sequence(items) = v else {
        return None;
    };
    let shaped = items.is_empty()
        || items
            .iter()
            .any(|i| matches!(i, Value::Mapping(m) if keys.iter().any(|k| m.contains_key(*k))));
    shaped.then_some(items)
}

impl Keys<'_> {
    /// `timeline:` in pmsite's shape: each entry with a readable `at` and
    /// an `event` is kept; one without is kept whole under `extra:`, a bad
    /// `kind` or an unknown key alone.
    fn own_timeline(&mut self, v: &Value, line: usize) -> Option<()> {
        let Some(items) = in_shape(v, &["at", "event"]) else {
            self.note(line, "`timeline` is not a list of entries (`at`, `kind`, `event`) as pmsite writes it; it is kept under `extra:` as written".into());
            return None;
        };
        self.m.own.timeline_line = line;
        for (i, item) in items.iter().enumerate() {
            let path = YamlPath::root().key("timeline").index(i);
            let name = path.to_string();
            let at_line = self.line_of(&path);
            let Value::Mapping(e) = item else {
                self.kept(
                    name,
                    item,
                    at_line,
                    "is not an entry of `at`, `kind` and `event`",
                    "write it as one in the source, then import again",
                );
                continue;
            };
            let at = e.get("at").and_then(text_of);
            let event = e.get("event").and_then(text_of);
            let readable = at.as_deref().map(parse_time);
            match (&at, readable, &event) {
                (Some(at), Some(Ok(_)), Some(event)) => {
                    let kind = self.entry_kind(e, &path);
                    self.unknown_keys(e, &path, TIMELINE_KEYS, "of a pmsite timeline entry");
                    self.m.own.timeline.push(OwnEntry {
                        at: at.clone(),
                        kind,
                        event: event.clone(),
                        line: at_line,
                    });
                }
                (_, Some(Err(msg)), _) => self.kept(name, item, at_line, &format!("has a time pmsite cannot read ({msg})"), "write it as `HH:MM` or as 2018-04-12T09:09:00Z in the source, then import again"),
                (None, _, _) => self.kept(name, item, at_line, "has no `at` time", "add one in the source, then import again"),
                _ => self.kept(name, item, at_line, "has no `event`", "say what happened in the source, then import again"),
            }
        }
        Some(())
    }

    /// An entry's `kind:` (`other` when absent); one that is none of
    /// pmsite's milestones is kept under `extra:`.
    fn entry_kind(&mut self, e: &Mapping, path: &YamlPath) -> Milestone {
        let Some(v) = e.get("kind").filter(|v| !v.is_null()) else {
            return Milestone::Other;
        };
        let text = text_of(v).unwrap_or_default();
        if let Some(k) = Milestone::parse(&slugify(&text)) {
            return k;
        }
        let p = path.key("kind");
        let line = self.line_of(&p);
        let why = format!(
            "is none of pmsite's milestones ({}), so the entry is an ordinary one",
            Milestone::NAMES.join(", ")
        );
        self.kept(
            p.to_string(),
            v,
            line,
            &why,
            "write one of them in the source, then import again",
        );
        Milestone::Other
    }

    /// Keys of an entry or item that pmsite does not know: kept under
    /// `extra:`.
    fn unknown_keys(&mut self, e: &Mapping, path: &YamlPath, known: &[&str], what: &str) {
        for (k, v) in e {
            let name = text_of(k).unwrap_or_default();
            if known.contains(&name.as_str()) {
                continue;
            }
            let p = path.key(&name);
            let line = self.line_of(&p);
            self.kept(
                p.to_string(),
                v,
                line,
                &format!("is no key {what} ({})", known.join(", ")),
                "rename it in the source if it means one of them, then import again",
            );
        }
    }

    /// `follow_ups:` in pmsite's shape: each item with a `title` is kept,
    /// its fields that `check` would reject kept under `extra:` one by one;
    /// an item without a title is kept whole under `extra:`.
    fn own_follow_ups(&mut self, v: &Value, line: usize) -> Option<()> {
        let Some(items) = in_shape(v, &["title"]) else {
            self.note(line, "`follow_ups` is not a list of follow-ups (`title`, `owner`, `status`, ...) as pmsite writes it; it is kept under `extra:` as written".into());
            return None;
        };
        for (i, item) in items.iter().enumerate() {
            let path = YamlPath::root().key("follow_ups").index(i);
            let at_line = self.line_of(&path);
            let title = item.get("title").and_then(text_of);
            let (Value::Mapping(f), Some(title)) = (item, title) else {
                self.kept(
                    path.to_string(),
                    item,
                    at_line,
                    "has no `title`",
                    "say what will be done in the source, then import again",
                );
                continue;
            };
            self.unknown_keys(f, &path, FOLLOW_UP_KEYS, "of a pmsite follow-up");
            let fu = self.follow_up(f, &path, title, at_line);
            self.m.own.follow_ups.push(fu);
        }
        Some(())
    }

    /// One follow-up's fields; one that `check` would reject is kept
    /// under `extra:`.
    fn follow_up(
        &mut self,
        f: &Mapping,
        path: &YamlPath,
        title: String,
        line: usize,
    ) -> OwnFollowUp {
        let mut fu = OwnFollowUp {
            title,
            owner: None,
            status: FollowUpStatus::Open,
            due: None,
            ticket: None,
            priority: None,
            kind: None,
            team: None,
            completed: None,
            line,
        };
        for (k, v) in f {
            let Some(name) = text_of(k) else { continue };
            if v.is_null() || name == "title" {
                continue;
            }
            let text = text_of(v);
            let word = || slugify(&text.clone().unwrap_or_default().replace('\'', ""));
            let date = || text.as_deref().and_then(frontmatter::parse_date);
            let bad = match name.as_str() {
                "owner" | "ticket" | "priority" => {
                    let slot = match name.as_str() {
                        "owner" => &mut fu.owner,
                        "ticket" => &mut fu.ticket,
                        _ => &mut fu.priority,
                    };
                    *slot = text.clone();
                    slot.is_none().then(|| "is no text".to_string())
                }
                "status" => match FollowUpStatus::parse(&word()) {
                    Some(s) => {
                        fu.status = s;
                        None
                    }
                    None => Some(format!(
                        "is none of pmsite's follow-up statuses ({})",
                        FollowUpStatus::NAMES.join(", ")
                    )),
                },
                "type" => {
                    fu.kind = FollowUpType::parse(&word());
                    fu.kind.is_none().then(|| {
                        format!(
                            "is none of pmsite's follow-up types ({})",
                            FollowUpType::NAMES.join(", ")
                        )
                    })
                }
                "team" => {
                    let s = word();
                    fu.team = (!s.is_empty() && s.len() <= MAX_NAME_BYTES).then_some(s);
                    fu.team.is_none().then(|| format!("is no team name pmsite can use (letters, digits and dashes, at most {MAX_NAME_BYTES} bytes)"))
                }
                "due" => {
                    fu.due = date();
                    fu.due
                        .is_none()
                        .then(|| "is not a date (YYYY-MM-DD)".to_string())
                }
                "completed" => {
                    fu.completed = date();
                    fu.completed
                        .is_none()
                        .then(|| "is not a date (YYYY-MM-DD)".to_string())
                }
                _ => None,
            };
            if let Some(why) = bad {
                let p = path.key(&name);
                let at = self.line_of(&p);
                self.kept(
                    p.to_string(),
                    v,
                    at,
                    &why,
                    "correct it in the source, then import again",
                );
            }
        }
        fu
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Mapped, Vec<(usize, String)>) {
        let mut notes = Vec::new();
        let fm = ForeignFrontMatter::read(text, &mut notes);
        (fm.mapped, notes)
    }

    #[test]
    fn a_status_page_front_matter() {
        let (m, notes) = read(
            "---\ntitle: API degraded\ndate: 2023-03-09T7:15:00-05:00\nresolved: true\nresolvedWhen: 2023-03-09T9:40:00-05:00\nseverity: disrupted\naffected: [API, Web App]\nsection: issue\n---\n\nBody.\n",
        );
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(m.title.as_deref(), Some("API degraded"));
        assert_eq!(m.date, Some((jiff::civil::date(2023, 3, 9), 3)));
        assert_eq!(m.severity, Some(("disrupted".into(), 6)));
        assert_eq!(m.services, ["api", "web-app"]);
        assert_eq!(m.milestones.len(), 1);
        assert_eq!(m.milestones[0].1, Milestone::Resolved);
        let keys: Vec<&str> = m.extra.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["date", "resolved", "section"]);
    }

    #[test]
    fn a_catalogue_front_matter_in_toml() {
        let (m, notes) = read(
            "+++\ntitle = \"Storage outage\"\nstart_time = 2019-07-02T13:42:00Z\nend_time = \"2019-07-02T14:20:00Z\"\nurl = \"https://status.example.test/i/1\"\ncompany = \"Example\"\ncategories = [\"storage\", \"Config Change\"]\nkeywords = [\"disk\"]\nuuid = \"4a7f\"\n+++\n# Storage outage\n",
        );
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(m.date.map(|d| d.0), Some(jiff::civil::date(2019, 7, 2)));
        // TOML tables are read in key order.
        let mut kinds: Vec<_> = m.milestones.iter().map(|x| x.1).collect();
        kinds.sort();
        assert_eq!(kinds, [Milestone::Started, Milestone::Resolved]);
        assert_eq!(
            m.source_url.as_deref(),
            Some("https://status.example.test/i/1")
        );
        assert_eq!(m.tags, ["storage", "config-change", "disk"]);
        let keys: Vec<&str> = m.extra.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["company", "uuid"]);
    }

    /// Foreign keys with a pmsite meaning, and what they become.
    const KNOWN: &[(&str, &str)] = &[
        ("title", "title"),
        ("name", "title"),
        ("date", "date"),
        ("start_time", "date, and a `started` timeline entry"),
        ("started", "date, and a `started` timeline entry"),
        ("started_at", "date, and a `started` timeline entry"),
        ("startedAt", "date, and a `started` timeline entry"),
        ("end_time", "a `resolved` timeline entry"),
        ("resolvedWhen", "a `resolved` timeline entry"),
        ("resolved_at", "a `resolved` timeline entry"),
        ("resolvedAt", "a `resolved` timeline entry"),
        ("ended_at", "a `resolved` timeline entry"),
        ("severity", "severity (through `[import] severity-map`)"),
        ("summary", "summary"),
        ("description", "summary (when there is no `summary`)"),
        ("impact", "impact"),
        ("affected", "services"),
        ("services", "services"),
        ("components", "services"),
        ("categories", "tags"),
        ("keywords", "tags"),
        ("tags", "tags"),
        ("authors", "authors"),
        ("author", "authors"),
        ("teams", "teams"),
        ("team", "teams"),
        ("url", "source_url (a link \"Original report\" on the page)"),
        ("source_url", "source_url"),
        ("draft", "status: draft (when true)"),
    ];

    #[test]
    fn the_readme_documents_every_mapped_key() {
        let readme = include_str!("../../README.md");
        for (key, _) in KNOWN {
            assert!(
                readme.contains(&format!("| `{key}` |")),
                "README: no row for `{key}`"
            );
        }
    }

    #[test]
    fn foreign_times_keep_their_written_day() {
        assert_eq!(
            foreign_time("2023-03-09T7:15:00-00:00").map(|x| x.0),
            Some(jiff::civil::date(2023, 3, 9))
        );
        assert_eq!(
            foreign_time("2023-03-09T23:15:00-05:00").map(|x| x.0),
            Some(jiff::civil::date(2023, 3, 9))
        );
        assert_eq!(
            foreign_time("June 8, 2018").map(|x| x.0),
            Some(jiff::civil::date(2018, 6, 8))
        );
        assert!(foreign_time("soon").is_none());
    }

    fn extra_of<'m>(m: &'m Mapped, key: &str) -> Option<&'m Value> {
        m.extra.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A source already in pmsite's format (all words ours).
    const PMSITE_SHAPED: &str = "---
title: Kiln controller lost its schedule
date: 2022-10-04
severity: SEV2
summary: The kiln controller forgot the night schedule after a firmware push.
timezone: America/New_York
kind: near-miss
visibility: internal
status: in-review
id: kiln-schedule
causes: [firmware-push, Missing Canary]
trigger: firmware-push
detection: employee-report
related: [fan-outage]
timeline:
  - at: \"21:05\"
    kind: started
    event: Firmware 4.2 rolled to the kilns
  - at: 2022-10-05T02:30:00Z
    kind: resolved
    event: Schedule restored from backup
follow_ups:
  - title: Add a canary stage for firmware
    owner: rui
    status: in-progress
    due: 2022-11-01
    type: prevent
    team: Devices
lint:
  allow: [timeline-both]
extra:
  vendor: Lumo
---
Body.
";

    #[test]
    fn pmsites_own_keys_map_to_themselves() {
        let (m, notes) = read(PMSITE_SHAPED);
        assert!(notes.is_empty(), "{notes:?}");
        let own = &m.own;
        assert_eq!(
            own.timezone.as_ref().map(|t| (t.0.as_str(), t.2)),
            Some(("America/New_York", 6))
        );
        assert_eq!(own.kind, Some(Kind::NearMiss));
        assert_eq!(own.visibility, Some(Visibility::Internal));
        assert_eq!(own.status, Some(Status::InReview));
        assert_eq!(own.id, Some(("kiln-schedule".into(), 10)));
        let causes: Vec<&str> = own.causes.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(causes, ["firmware-push", "missing-canary"]);
        assert_eq!(own.trigger, Some(("firmware-push".into(), 12)));
        assert_eq!(own.detection.as_deref(), Some("employee-report"));
        assert_eq!(own.related, [("fan-outage".to_string(), 14)]);
        assert_eq!(own.timeline_line, 15);
        assert_eq!(
            own.timeline,
            [
                OwnEntry {
                    at: "21:05".into(),
                    kind: Milestone::Started,
                    event: "Firmware 4.2 rolled to the kilns".into(),
                    line: 16,
                },
                OwnEntry {
                    at: "2022-10-05T02:30:00Z".into(),
                    kind: Milestone::Resolved,
                    event: "Schedule restored from backup".into(),
                    line: 19,
                },
            ]
        );
        let f = &own.follow_ups[0];
        assert_eq!(f.title, "Add a canary stage for firmware");
        assert_eq!(f.status, FollowUpStatus::InProgress);
        assert_eq!(f.due, Some(jiff::civil::date(2022, 11, 1)));
        assert_eq!(f.kind, Some(FollowUpType::Prevent));
        assert_eq!(f.team.as_deref(), Some("devices"));
        assert_eq!(f.line, 23);
        assert_eq!(own.lint_allow, ["timeline-both"]);
        // Only the `extra:` fields are extra.
        let keys: Vec<&str> = m.extra.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["vendor"]);
        // Bare times are on the date, in `timezone:`; written offsets kept.
        let mut notes = Vec::new();
        let entries = own.entries(
            jiff::civil::date(2022, 10, 4),
            &TimeZone::UTC,
            "UTC",
            &mut notes,
        );
        assert!(notes.is_empty(), "{notes:?}");
        let at: Vec<String> = entries.iter().map(|(e, _)| e.at.to_string()).collect();
        assert_eq!(at, ["2022-10-05T01:05:00Z", "2022-10-05T02:30:00Z"]);
        assert_eq!(entries[1].1, Some(Offset::UTC));
        assert!(entries.iter().all(|(e, _)| e.certain && e.kind_stated));
    }

    #[test]
    fn own_values_check_would_reject_are_kept_at_their_line() {
        let (m, notes) = read(
            "---\ntitle: T\nkind: accident\nstatus: resolved\ntimezone: Mars/Olympus\ntimeline:\n  - at: \"25:99\"\n    event: Clock from the future\n  - at: \"10:00\"\n    kind: noticed\n    event: Someone looked\n    who: ana\nfollow_ups:\n  - title: Fix it\n    status: finished\n    due: soon\n  - owner: nobody\n---\n",
        );
        let lines: Vec<usize> = notes.iter().map(|n| n.0).collect();
        assert_eq!(lines, [5, 3, 4, 7, 10, 12, 15, 16, 17], "{notes:#?}");
        assert!(
            notes[0]
                .1
                .contains("`timezone: Mars/Olympus` is not a time zone"),
            "{}",
            notes[0].1
        );
        assert!(notes[1].1.starts_with("`kind: accident` is none of pmsite's (incident, near-miss, exercise); it is kept under `extra:`: write one of them"), "{}", notes[1].1);
        assert!(
            notes[3]
                .1
                .starts_with("`timeline[0]` has a time pmsite cannot read"),
            "{}",
            notes[3].1
        );
        assert!(
            notes[6]
                .1
                .starts_with("`follow_ups[0].status` is none of pmsite's follow-up statuses"),
            "{}",
            notes[6].1
        );
        for key in [
            "kind",
            "status",
            "timezone",
            "timeline[0]",
            "timeline[1].kind",
            "timeline[1].who",
            "follow_ups[0].status",
            "follow_ups[0].due",
            "follow_ups[1]",
        ] {
            assert!(
                extra_of(&m, key).is_some(),
                "no extra `{key}`: {:?}",
                m.extra
            );
        }
        assert_eq!(
            extra_of(&m, "follow_ups[0].due"),
            Some(&Value::String("soon".into()))
        );
        assert!(m.own.kind.is_none() && m.own.status.is_none() && m.own.timezone.is_none());
        assert_eq!(m.own.timeline.len(), 1);
        assert_eq!(m.own.timeline[0].kind, Milestone::Other);
        assert_eq!(m.own.follow_ups.len(), 1);
        assert_eq!(m.own.follow_ups[0].status, FollowUpStatus::Open);
    }

    #[test]
    fn names_check_would_reject_are_kept_at_their_line() {
        let long = "very-long-tag-".repeat(16);
        let (m, notes) = read(&format!(
            "---\ntitle: T\ntags:\n  - fine\n  - {long}\naffected: [\"+++\", Web]\nteam: {long}\n---\n"
        ));
        let lines: Vec<usize> = notes.iter().map(|n| n.0).collect();
        assert_eq!(lines, [5, 6, 7], "{notes:#?}");
        assert!(
            notes[0].1.starts_with(
                "the tag `very-long-tag-very-long-tag-very-long-ta…` is 223 bytes long as a name"
            ),
            "{}",
            notes[0].1
        );
        assert!(
            notes[0]
                .1
                .contains("at most 200 bytes; it is kept under `extra:`: shorten it")
        );
        assert_eq!(m.tags, ["fine"]);
        assert_eq!(m.services, ["web"]);
        assert!(m.teams.is_empty());
        assert_eq!(
            extra_of(&m, "tags"),
            Some(&Value::Sequence(vec![Value::String(long.clone())]))
        );
        assert_eq!(
            extra_of(&m, "affected"),
            Some(&Value::Sequence(vec![Value::String("+++".into())]))
        );
        assert!(extra_of(&m, "team").is_some());
    }

    #[test]
    fn nothing_is_kept_as_empty() {
        let (m, notes) = read("---\ntitle: T\nowner:\nfoo: null\nlist: [a, ~]\nkind:\n---\n");
        assert!(notes.is_empty(), "{notes:?}");
        let empty = Value::String(String::new());
        assert_eq!(extra_of(&m, "owner"), Some(&empty));
        assert_eq!(extra_of(&m, "foo"), Some(&empty));
        assert_eq!(
            extra_of(&m, "list"),
            Some(&Value::Sequence(vec![
                Value::String("a".into()),
                empty.clone()
            ]))
        );
        // pmsite's own key with nothing is its default, as for pmsite.
        assert!(extra_of(&m, "kind").is_none());
    }

    #[test]
    fn milestones_keep_their_offset_and_take_the_sources_zone() {
        let (m, notes) = read(
            "---\nstart_time: 2020-08-01T14:00:00Z\nend_time: 2020-08-01T11:30:00-04:00\n---\n",
        );
        assert!(notes.is_empty(), "{notes:?}");
        let four = Offset::from_seconds(-4 * 3600).unwrap();
        assert_eq!(m.offsets, [(2, Offset::UTC), (3, four)]);
        let (m, _) = read("---\ntimezone: America/New_York\nstart_time: 2020-08-01 10:00\n---\n");
        let Parsed::Civil { zone: Some(z), .. } = &m.milestones[0].0 else {
            panic!("{:?}", m.milestones);
        };
        assert_eq!(z.iana_name(), Some("America/New_York"));
        assert_eq!(
            written_offset("Fri, 08 Jun 2018 21:22:00 +0200"),
            Offset::from_seconds(7200).ok()
        );
        assert_eq!(written_offset("2018-06-08 21:22"), None);
    }

    #[test]
    fn front_matter_that_cannot_be_read_is_named_and_kept() {
        let text =
            "---\ntitle: [unclosed\ndate: 2021-03-04\nseverity: SEV1\ntags:\n- a\n---\n# Broken\n";
        let mut notes = Vec::new();
        let fm = ForeignFrontMatter::read(text, &mut notes);
        assert_eq!(notes.len(), 1, "{notes:?}");
        let (line, msg) = &notes[0];
        assert_eq!(*line, 3);
        assert!(
            msg.starts_with(
                "the front matter is not valid YAML (did not find expected ',' or ']', at column "
            ),
            "{msg}"
        );
        assert!(msg.contains("its text is kept as written in a `yaml` code block at the end of the body, and the keys that can be read on their own (`date`, `severity`, `tags`) are used"), "{msg}");
        assert!(msg.ends_with(": fix it in the source (check the indentation and quote values that start with special characters such as `*`, `&`, `@` or `` ` ``), then import again"), "{msg}");
        let m = &fm.mapped;
        assert_eq!(m.date, Some((jiff::civil::date(2021, 3, 4), 3)));
        assert_eq!(m.severity, Some(("SEV1".into(), 4)));
        assert_eq!(m.tags, ["a"]);
        assert!(m.title.is_none());
        assert_eq!(
            m.unread,
            Some(Unread {
                lang: "yaml",
                text: "title: [unclosed\ndate: 2021-03-04\nseverity: SEV1\ntags:\n- a\n".into()
            })
        );
        assert_eq!(fm.body, "# Broken\n");

        let mut notes = Vec::new();
        let fm = ForeignFrontMatter::read(
            "+++\ndate = 2021-03-04\ntitle = \"open\n[extra]\nx = 1\n+++\nBody\n",
            &mut notes,
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].0, 3, "{notes:?}");
        assert!(
            notes[0]
                .1
                .starts_with("the front matter is not valid TOML ("),
            "{}",
            notes[0].1
        );
        assert_eq!(
            fm.mapped.date.map(|d| d.0),
            Some(jiff::civil::date(2021, 3, 4))
        );
        assert_eq!(fm.mapped.unread.map(|u| u.lang), Some("toml"));
    }
}
