//! Front matter that a source already has (another tool's: a status page,
//! a curated catalogue, Jekyll, Hugo, MyST), YAML between `---` lines or
//! TOML between `+++` lines. Every key is kept: the ones with a known
//! meaning are mapped onto pmsite's (the README's table), severity
//! words through `[import] severity-map` (or a documented guess), and the
//! rest go under `extra:`, shown on the incident page. Front matter that
//! cannot be read is left out, with a note.

use jiff::civil::Date;
use serde_yaml::{Mapping, Value};

use crate::config::slug::slugify;
use crate::load::frontmatter;
use crate::model::timeline::{Milestone, Parsed, parse_time_prefix};

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
    /// read, the milestone, the key and its line.
    pub milestones: Vec<(Parsed, Milestone, String, usize)>,
    /// Every other key, in the order written, with its value made a
    /// string, a number, a boolean or a list of those.
    pub extra: Vec<(String, Value)>,
}

/// A source split into its front matter, if any, and its body.
pub(super) struct ForeignFrontMatter<'a> {
    pub mapped: Mapped,
    /// The file line on which the body starts.
    pub body_line: usize,
    pub body: &'a str,
}

impl<'a> ForeignFrontMatter<'a> {
    /// Splits `text`; front matter that cannot be read is noted in `notes`
    /// (line in the file, message).
    pub fn read(text: &'a str, notes: &mut Vec<(usize, String)>) -> Self {
        let (map, fm_text, fm_line, body_line, body) = match split(text) {
            Some(s) => {
                let map = match s.kind {
                    Kind::Yaml => frontmatter::parse_yaml(s.fm, s.fm_line).map_err(|d| {
                        (
                            d.line.max(1),
                            format!(
                                "the file's front matter is not valid YAML ({}); it is left out",
                                d.message
                            ),
                        )
                    }),
                    Kind::Toml => toml_mapping(s.fm).map_err(|m| {
                        (
                            s.fm_line,
                            format!(
                                "the file's TOML front matter cannot be read ({m}); it is left out"
                            ),
                        )
                    }),
                };
                let map = map.map_err(|n| notes.push(n)).ok();
                (map, s.fm, s.fm_line, s.body_line, s.body)
            }
            None => (None, "", 1, 1, text),
        };
        let mapped = map
            .map(|m| map_keys(&m, fm_text, fm_line, notes))
            .unwrap_or_default();
        ForeignFrontMatter {
            mapped,
            body_line,
            body,
        }
    }
}

enum Kind {
    Yaml,
    Toml,
}

struct Split<'a> {
    kind: Kind,
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
            kind: Kind::Yaml,
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
                kind: Kind::Toml,
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
/// their text).
fn toml_mapping(text: &str) -> Result<Mapping, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.message().trim().to_string())?;
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

/// Slugs of a list of names, each once.
fn slugs_of(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words_of(v) {
        let s = slugify(&w);
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// A value kept under `extra:`: scalars and lists of scalars as they are,
/// anything deeper as its JSON text.
fn extra_value(v: &Value) -> Option<Value> {
    let scalar = |v: &Value| match v {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(v.clone()),
        Value::Null => None,
        Value::Tagged(t) => Some(Value::String(
            frontmatter::scalar_text(&t.value).unwrap_or_default(),
        )),
        other => serde_json::to_string(other).ok().map(Value::String),
    };
    match v {
        Value::Sequence(items) => Some(Value::Sequence(items.iter().filter_map(scalar).collect())),
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

fn map_keys(map: &Mapping, fm: &str, fm_line: usize, notes: &mut Vec<(usize, String)>) -> Mapped {
    let mut m = Mapped::default();
    let has = |k: &str| map.get(k).is_some_and(|v| !v.is_null());
    for (k, v) in map {
        let Some(key) = k.as_str().map(str::to_string).or_else(|| text_of(k)) else {
            continue;
        };
        let line = key_line(fm, fm_line, &key);
        let mut keep = true;
        match key.as_str() {
            "title" | "name" if m.title.is_none() => {
                m.title = text_of(v);
                keep = m.title.is_none();
            }
            "date" | "start_time" | "started" | "started_at" | "startedAt" => {
                keep = start_key(&mut m, &key, v, line, notes);
            }
            "resolved"
                if v.as_bool().is_none()
                    && text_of(v)
                        .as_deref()
                        .and_then(foreign_time)
                        .is_some_and(|t| t.1.is_some()) =>
            {
                keep = end_key(&mut m, &key, v, line, notes);
            }
            "end_time" | "resolvedWhen" | "resolved_at" | "resolvedAt" | "ended_at" => {
                keep = end_key(&mut m, &key, v, line, notes);
            }
            "severity" => {
                if let Some(s) = text_of(v) {
                    m.severity = Some((s, line));
                    keep = false;
                }
            }
            "summary" => {
                m.summary = text_of(v);
                keep = m.summary.is_none();
            }
            "description" if !has("summary") => {
                m.summary = text_of(v);
                keep = m.summary.is_none();
            }
            "impact" => {
                m.impact = text_of(v);
                keep = m.impact.is_none();
            }
            "affected" | "services" | "components" => {
                extend(&mut m.services, slugs_of(v));
                keep = false;
            }
            "categories" | "keywords" | "tags" => {
                extend(&mut m.tags, slugs_of(v));
                keep = false;
            }
            "authors" | "author" => {
                extend(&mut m.authors, words_of(v));
                keep = false;
            }
            "teams" | "team" => {
                extend(&mut m.teams, slugs_of(v));
                keep = false;
            }
            "url" | "source_url" if m.source_url.is_none() => {
                if let Some(u) = text_of(v).filter(|u| crate::model::followup::is_url(u)) {
                    m.source_url = Some(u);
                    keep = false;
                }
            }
            "draft" => {
                m.draft = v.as_bool() == Some(true);
                keep = v.as_bool().is_none();
            }
            _ => {}
        }
        if keep && let Some(value) = extra_value(v) {
            m.extra.push((key, value));
        }
    }
    m
}

/// `date`, `start_time` and the like: the date, and a `started` milestone
/// for a time of a start key. Whether the key is kept under `extra:`.
fn start_key(
    m: &mut Mapped,
    key: &str,
    v: &Value,
    line: usize,
    notes: &mut Vec<(usize, String)>,
) -> bool {
    let text = text_of(v);
    let Some((d, time)) = text.as_deref().and_then(foreign_time) else {
        notes.push((
            line,
            format!(
                "cannot read `{key}` ({}) as a date; it is kept under `extra:`",
                text.unwrap_or_default()
            ),
        ));
        return true;
    };
    if key == "date" || m.date.is_none() {
        m.date = Some((d, line));
    }
    match time {
        // A date-time `date` is when the post was written as often as
        // when it happened: the time stays under `extra:`.
        Some(_) if key == "date" => true,
        Some(p) => {
            m.milestones
                .push((p, Milestone::Started, key.to_string(), line));
            false
        }
        None => false,
    }
}

/// `end_time`, `resolvedWhen` and the like: a `resolved` milestone.
/// Whether the key is kept under `extra:`.
fn end_key(
    m: &mut Mapped,
    key: &str,
    v: &Value,
    line: usize,
    notes: &mut Vec<(usize, String)>,
) -> bool {
    let text = text_of(v);
    match text.as_deref().and_then(foreign_time) {
        Some((_, Some(p))) => {
            m.milestones
                .push((p, Milestone::Resolved, key.to_string(), line));
            false
        }
        _ => {
            notes.push((
                line,
                format!(
                    "cannot read `{key}` ({}) as a time; it is kept under `extra:`",
                    text.unwrap_or_default()
                ),
            ));
            true
        }
    }
}

fn extend(list: &mut Vec<String>, more: Vec<String>) {
    for x in more {
        if !list.contains(&x) {
            list.push(x);
        }
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
}
