//! Writing what was planned: links to other imported files follow them to
//! their new names, images and attachments are copied beside the
//! postmortem, the pmsite file (front matter, then the body) is created
//! without overwriting anything, and what its conversion could not infer
//! is reported. pmsite's own front matter keys in a source (`id`,
//! `related`, `causes`, `timeline`, ...) are settled here, against the
//! configuration and the other files: an id already taken, a related id
//! that names no postmortem or a cause outside `[causes]` is kept under
//! `extra:` instead, with a warning.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use serde_yaml::Value;

use super::convert::Converted;
use super::find::Planned;
use super::foreign_front_matter::{ForeignFrontMatter, Mapped, OwnFollowUp};
use super::milestones::Entry;
use super::{ImportResult, relative_dir_ok, times};
use crate::config::Config;
use crate::config::slug::slugify;
use crate::diagnostics::{Code, Diagnostic, Pos, display_path};
use crate::load::postmortem::is_valid_id;
use crate::model::timeline::Milestone;

/// Writes the planned files of one import.
pub(super) struct Writer<'a> {
    config: &'a Config,
    src: &'a Path,
    /// `src`, canonical: links to files under it are copied.
    src_canon: PathBuf,
    dest_root: &'a Path,
    /// The new file of each imported source (canonical path).
    new_names: HashMap<PathBuf, PathBuf>,
    /// The front matter of each planned source, by destination, read
    /// again: `Converted` carries only the keys convert.rs uses.
    fronts: HashMap<PathBuf, Mapped>,
    ids: Ids,
}

/// The ids of the knowledge base once the planned files are written
/// (known only when a planned source has `id:` or `related:`).
#[derive(Default)]
struct Ids {
    /// `id:`s of planned files that cannot be kept, by destination: why.
    refused: HashMap<PathBuf, String>,
    /// The ids a planned source was known by (its file name, its `id:`)
    /// → the id it is written with.
    renamed: HashMap<String, String>,
    /// Every id: the knowledge base's and the planned files'.
    all: HashSet<String>,
}

/// The id pmsite gives a file name.
fn stem_id(stem: &str) -> String {
    if is_valid_id(stem) {
        stem.to_string()
    } else {
        slugify(stem)
    }
}

impl Ids {
    fn new(config: &Config, planned: &[Planned], fronts: &HashMap<PathBuf, Mapped>) -> Ids {
        let needed = fronts
            .values()
            .any(|m| m.own.id.is_some() || !m.own.related.is_empty());
        if !needed {
            return Ids::default();
        }
        let existing = existing_ids(&config.content_dir().join("postmortems"));
        let stem = |p: &Planned| {
            p.dest
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let stems: HashMap<String, &Path> = planned
            .iter()
            .map(|p| (stem(p), p.dest.as_path()))
            .collect();
        let mut ids = Ids::default();
        let mut accepted: HashMap<String, &Path> = HashMap::new();
        for p in planned {
            let mut new_id = stem(p);
            if let Some((id, _)) = fronts.get(&p.dest).and_then(|m| m.own.id.as_ref()) {
                let other = stems
                    .get(id)
                    .filter(|d| **d != p.dest.as_path())
                    .or(accepted.get(id));
                let why = if existing.contains(id) {
                    Some(format!(
                        "the knowledge base already has a postmortem `{id}`"
                    ))
                } else {
                    other.map(|d| {
                        format!("{} is imported with that id too", display_path(d).display())
                    })
                };
                match why {
                    Some(w) => {
                        ids.refused.insert(p.dest.clone(), w);
                    }
                    None => {
                        accepted.insert(id.clone(), p.dest.as_path());
                        ids.renamed.insert(id.clone(), id.clone());
                        new_id = id.clone();
                    }
                }
            }
            let old = stem_id(&p.source.file_stem().unwrap_or_default().to_string_lossy());
            ids.renamed.entry(old).or_insert_with(|| new_id.clone());
            ids.renamed.insert(new_id.clone(), new_id.clone());
            ids.all.insert(new_id);
        }
        ids.all.extend(existing);
        ids
    }
}

/// The ids of the postmortems under `postmortems`: their `id:`, else
/// their file name's.
fn existing_ids(postmortems: &Path) -> HashSet<String> {
    let mut out = HashSet::new();
    for e in walkdir::WalkDir::new(postmortems).into_iter().flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        let id = std::fs::read_to_string(path).ok().and_then(|text| {
            let s = crate::load::frontmatter::split(&text).ok()?;
            let map = crate::load::frontmatter::parse_yaml(&text[s.yaml], s.yaml_line).ok()?;
            map.get("id")
                .and_then(crate::load::frontmatter::scalar_text)
                .filter(|id| is_valid_id(id))
        });
        out.insert(id.unwrap_or_else(|| stem_id(&stem)));
    }
    out
}

/// pmsite's own keys of one source, settled against the configuration
/// and the other files: what is written, what is kept under `extra:`
/// instead, and why.
struct Settled<'m> {
    fm: &'m Mapped,
    id: Option<String>,
    causes: Vec<String>,
    trigger: Option<String>,
    related: Vec<String>,
    /// The `timeline:` entries not already among the converted ones, with
    /// the offsets they were written with.
    entries: Vec<(Entry, Option<Offset>)>,
    /// The `follow_ups:` items (before those read from the body, which
    /// do not repeat them).
    follow_ups: Vec<&'m OwnFollowUp>,
    extra: Vec<(String, Value)>,
    notes: Vec<(usize, String)>,
}

impl<'m> Settled<'m> {
    /// Keeps `value` under `extra:` as `key` (a list of the values, from
    /// the second on), with a warning that says why and how to fix it.
    fn keep(&mut self, key: &str, value: &str, line: usize, why: &str, fix: &str) {
        self.notes
            .push((line, format!("{why}; it is kept under `extra:`: {fix}")));
        let v = Value::String(value.to_string());
        match self.extra.iter_mut().find(|(k, _)| k == key) {
            Some((_, Value::Sequence(items))) => items.push(v),
            Some((_, first)) => *first = Value::Sequence(vec![first.clone(), v]),
            None => self.extra.push((key.to_string(), v)),
        }
    }
}

/// A file to copy beside a postmortem: (from, to, line of the link).
type Asset = (PathBuf, PathBuf, usize);

impl<'a> Writer<'a> {
    pub fn new(
        config: &'a Config,
        src: &'a Path,
        dest_root: &'a Path,
        planned: &[Planned],
    ) -> Self {
        // Links between imported files follow them to their new names.
        let new_names: HashMap<PathBuf, PathBuf> = planned
            .iter()
            .filter_map(|p| Some((p.source.canonicalize().ok()?, p.dest.clone())))
            .collect();
        let src_canon = src.canonicalize().unwrap_or_else(|_| src.to_path_buf());
        let fronts: HashMap<PathBuf, Mapped> = planned
            .iter()
            .map(|p| {
                let fm = ForeignFrontMatter::read(&p.text, &mut Vec::new());
                (p.dest.clone(), fm.mapped)
            })
            .collect();
        let ids = Ids::new(config, planned, &fronts);
        Writer {
            config,
            src,
            src_canon,
            dest_root,
            new_names,
            fronts,
            ids,
        }
    }

    /// pmsite's own keys of a planned source, settled.
    fn settle<'m>(&'m self, p: &Planned, fm: &'m Mapped) -> Settled<'m> {
        let own = &fm.own;
        let mut s = Settled {
            fm,
            id: None,
            causes: Vec::new(),
            trigger: None,
            related: Vec::new(),
            entries: Vec::new(),
            follow_ups: Vec::new(),
            extra: Vec::new(),
            notes: Vec::new(),
        };
        if let Some((id, line)) = &own.id {
            match self.ids.refused.get(&p.dest) {
                Some(why) => s.keep(
                    "id",
                    id,
                    *line,
                    &format!("`id: {id}` cannot be used, as {why}, so the file's name is its id"),
                    "give it another `id:` in the source, then import again",
                ),
                None => s.id = Some(id.clone()),
            }
        }
        let vocabulary = &self.config.causes;
        let known = |c: &str| vocabulary.is_empty() || vocabulary.contains_key(c);
        for (c, line) in &own.causes {
            if known(c) {
                s.causes.push(c.clone());
            } else {
                s.keep(
                    "causes",
                    c,
                    *line,
                    &format!("the cause `{c}` is not in [causes] of book.toml"),
                    "add it there, or name one that is in the source, then import again",
                );
            }
        }
        if let Some((t, line)) = &own.trigger {
            if known(t) {
                s.trigger = Some(t.clone());
            } else {
                s.keep(
                    "trigger",
                    t,
                    *line,
                    &format!("the trigger `{t}` is not in [causes] of book.toml"),
                    "add it there, or name one that is in the source, then import again",
                );
            }
        }
        for (r, line) in &own.related {
            let resolved = if self.ids.all.contains(r) {
                Some(r)
            } else {
                self.ids.renamed.get(r)
            };
            match resolved {
                Some(id) => s.related.push(id.clone()),
                None => s.keep(
                    "related",
                    r,
                    *line,
                    &format!(
                        "`related: {r}` names no postmortem of the knowledge base or of this import"
                    ),
                    "import that one too, or remove it from `related:` in the source",
                ),
            }
        }
        if let Some(date) = p.conv.date {
            let site = &self.config.site;
            s.entries = own
                .entries(date, &site.timezone, &site.timezone_name, &mut s.notes)
                .into_iter()
                .filter(|(e, _)| {
                    !p.conv
                        .timeline
                        .iter()
                        .any(|c| c.at == e.at && c.event == e.event)
                })
                .collect();
        }
        s.follow_ups = own.follow_ups.iter().collect();
        s
    }

    /// Writes one postmortem and the files it links to, and reports its
    /// notes.
    pub fn write(&self, p: Planned, result: &mut ImportResult) {
        let (body, assets) = self.relink(&p, result);
        let source_rel = p
            .source
            .strip_prefix(self.src)
            .unwrap_or(&p.source)
            .display()
            .to_string();
        let schema_ref = crate::authoring::schema::schema_ref(&self.config.root, &p.dest);
        let none = Mapped::default();
        let own = self.settle(&p, self.fronts.get(&p.dest).unwrap_or(&none));
        let text = render(&p.conv, &own, &source_rel, &schema_ref, &body);
        if !self.create(&p, &text, result) {
            return;
        }
        let (certain, guessed) = p.conv.entry_counts();
        let (stated, guessed_ms) = p.conv.milestone_counts();
        let own_certain = own.entries.iter().filter(|(e, _)| e.certain).count();
        let own_milestones = own
            .entries
            .iter()
            .filter(|(e, _)| e.kind != Milestone::Other)
            .count();
        result.entries_certain += certain + own_certain;
        result.entries_guessed += guessed + own.entries.len() - own_certain;
        result.milestones_stated += stated + own_milestones;
        result.milestones_guessed += guessed_ms;
        copy_assets(assets, &p, result);
        for (line, msg) in p.conv.notes.iter().chain(&own.notes) {
            result
                .diagnostics
                .push(warning_at(&p, (*line).max(1), msg.clone()));
        }
    }

    /// The folder the postmortem is written into.
    fn dest_dir<'p>(&'p self, p: &'p Planned) -> &'p Path {
        p.dest.parent().unwrap_or(self.dest_root)
    }

    /// The body with its links to other imported files following them to
    /// their new names, and the files it links to that are to be copied.
    fn relink(&self, p: &Planned, result: &mut ImportResult) -> (String, Vec<Asset>) {
        let mut assets: Vec<Asset> = Vec::new();
        let mut renames: Vec<(String, String)> = Vec::new();
        for (target, line) in &p.conv.links {
            let Some(decoded) = local_path(target) else {
                continue;
            };
            let resolved = p.source.parent().unwrap_or(self.src).join(&decoded);
            let canon = resolved.canonicalize().ok();
            match canon {
                Some(c) if self.new_names.contains_key(&c) => {
                    let rel = relative_path(self.dest_dir(p), &self.new_names[&c]);
                    let anchor = target.find('#').map(|i| &target[i..]).unwrap_or("");
                    renames.push((target.clone(), format!("{rel}{anchor}")));
                }
                Some(c) if c.starts_with(&self.src_canon) && c.is_file() => {
                    // An image or attachment: copied beside the postmortem.
                    let rel = Path::new(&decoded);
                    if relative_dir_ok(rel) {
                        assets.push((c, self.dest_dir(p).join(rel), *line));
                    } else {
                        result.diagnostics.push(warning_at(
                            p,
                            *line,
                            format!("`{target}` is outside this postmortem's folder and is not copied; the link will be reported as broken"),
                        ));
                    }
                }
                _ => result.diagnostics.push(warning_at(
                    p,
                    *line,
                    format!(
                        "`{target}` does not exist next to the source; the link is kept as it is"
                    ),
                )),
            }
        }
        (retarget(&p.conv.body, &renames), assets)
    }

    /// Creates the postmortem's file; `false` when it was not written.
    fn create(&self, p: &Planned, text: &str, result: &mut ImportResult) -> bool {
        if let Some(parent) = p.dest.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            result.diagnostics.push(Diagnostic::error(
                Code::Io,
                format!("cannot create {}: {e}", parent.display()),
            ));
            return false;
        }
        match write_new(&p.dest, text.as_bytes()) {
            Ok(true) => {
                result.imported += 1;
                result.written.push(p.dest.clone());
                true
            }
            Ok(false) => {
                let why = format!(
                    "{} already exists; not overwriting it",
                    display_path(&p.dest).display()
                );
                result.skip(&p.shown, why, Pos::new(1, 1));
                false
            }
            Err(e) => {
                result.diagnostics.push(Diagnostic::error(
                    Code::Io,
                    format!("cannot write {}: {e}", p.dest.display()),
                ));
                false
            }
        }
    }
}

/// A warning at a line of a planned file's source, with the line shown.
fn warning_at(p: &Planned, line: usize, message: String) -> Diagnostic {
    Diagnostic::warning(Code::Import, message)
        .in_file(&p.shown)
        .at(Pos::new(line, 1))
        .with_source(&p.text)
}

/// The file a link names, percent-decoded, when it is a relative link to
/// a file (not a URL, an anchor, an address or an absolute path).
fn local_path(target: &str) -> Option<String> {
    if target.contains("://")
        || target.starts_with('#')
        || target.starts_with("mailto:")
        || target.starts_with('/')
    {
        return None;
    }
    let path_part = target.split(['#', '?']).next().unwrap_or("");
    if path_part.is_empty() {
        return None;
    }
    Some(
        percent_encoding::percent_decode_str(path_part)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// `body` with the destinations of its links and images to each renamed
/// target (as written, e.g. `PM-9%20-%20Title.md`) replaced by the new
/// path: inline links (`[a](x.md)`, `[a](<x y.md> "title")`) found by the
/// Markdown parser, so that text in code is left alone, and reference
/// definitions (`[PM-9]: x.md "title"`) outside code.
fn retarget(body: &str, renames: &[(String, String)]) -> String {
    if renames.is_empty() {
        return body.to_string();
    }
    let new_of = |url: &str| {
        renames
            .iter()
            .find(|(t, _)| t == url)
            .map(|(_, n)| n.as_str())
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: usize, col: usize| -> Option<usize> {
        Some(line_starts.get(line.checked_sub(1)?)? + col.checked_sub(1)?)
    };
    // (byte range of the destination as written, new destination)
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let arena = comrak::Arena::new();
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.footnotes = true;
    let root = comrak::parse_document(&arena, body, &options);
    for node in root.descendants() {
        let data = node.data();
        let url = match &data.value {
            comrak::nodes::NodeValue::Link(l) | comrak::nodes::NodeValue::Image(l) => &l.url,
            _ => continue,
        };
        let Some(new) = new_of(url) else { continue };
        let sp = data.sourcepos;
        let (Some(start), Some(end)) = (
            offset(sp.start.line, sp.start.column),
            offset(sp.end.line, sp.end.column),
        ) else {
            continue;
        };
        let Some(span) = body.get(start..=end.min(body.len().saturating_sub(1))) else {
            continue;
        };
        // The destination follows the last `](` of the span.
        if let Some(i) = span.rfind("](")
            && let Some(r) = destination(&span[i + 2..])
        {
            let from = start + i + 2 + r.start;
            edits.push((from..start + i + 2 + r.end, new.to_string()));
        }
    }
    // Reference definitions, outside fenced code.
    let mut fence: Option<&str> = None;
    for (n, line) in body.split('\n').enumerate() {
        let t = line.trim_start();
        for f in ["```", "~~~"] {
            if t.starts_with(f) {
                fence = match fence {
                    Some(open) if open == f => None,
                    None => Some(f),
                    other => other,
                };
            }
        }
        let indent = line.len() - t.len();
        if fence.is_some() || indent > 3 || !t.starts_with('[') {
            continue;
        }
        let Some(close) = t.find("]:") else { continue };
        let after = &t[close + 2..];
        let lead = after.len() - after.trim_start().len();
        if let Some(r) = destination(after.trim_start()) {
            let written = &after.trim_start()[r.clone()];
            if let Some(new) = new_of(written) {
                let base = line_starts[n] + indent + close + 2 + lead;
                edits.push((base + r.start..base + r.end, new.to_string()));
            }
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(body.len());
    let mut at = 0;
    for (r, new) in edits {
        if r.start < at {
            continue;
        }
        out.push_str(&body[at..r.start]);
        out.push_str(&new);
        at = r.end;
    }
    out.push_str(&body[at..]);
    out
}

/// The destination at the start of `text` (after `](` or `]:`), without
/// its angle brackets: `x.md` of `x.md "title")`, `x y.md` of `<x y.md>)`.
fn destination(text: &str) -> Option<std::ops::Range<usize>> {
    let t = text.trim_start();
    let lead = text.len() - t.len();
    if let Some(rest) = t.strip_prefix('<') {
        let end = rest.find('>')?;
        return Some(lead + 1..lead + 1 + end);
    }
    let mut depth = 0i32;
    let mut end = t.len();
    for (i, c) in t.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                end = i;
                break;
            }
            ')' => depth -= 1,
            c if c.is_whitespace() => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    (end > 0).then_some(lead..lead + end)
}

/// Copies the files a postmortem links to. A file already there with the
/// same bytes is fine; one with other bytes is kept, and reported.
fn copy_assets(assets: Vec<Asset>, p: &Planned, result: &mut ImportResult) {
    for (from, to, line) in assets {
        if to.exists() {
            let same = std::fs::read(&from).ok() == std::fs::read(&to).ok();
            if !same {
                result.diagnostics.push(warning_at(
                    p,
                    line,
                    format!(
                        "{} already exists with other content; it is kept, so this link shows that file: rename one of them and import again",
                        display_path(&to).display()
                    ),
                ));
            }
            continue;
        }
        if let Some(parent) = to.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        match std::fs::copy(&from, &to) {
            Ok(_) => result.written.push(to),
            Err(e) => result.diagnostics.push(Diagnostic::warning(
                Code::Import,
                format!("cannot copy {} to {}: {e}", from.display(), to.display()),
            )),
        }
    }
}

/// Creates a file that must not exist yet; `Ok(false)` when it does.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut f) => {
            f.write_all(bytes)?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// `to` relative to the folder `from_dir` (both under one root).
fn relative_path(from_dir: &Path, to: &Path) -> String {
    let from: Vec<_> = from_dir.components().collect();
    let target: Vec<_> = to.components().collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); from.len() - common];
    parts.extend(
        target[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// A YAML flow list of strings.
fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|i| q(i)).collect::<Vec<_>>().join(", ")
    )
}

/// The zone the file's times are written in: the one the timeline
/// states, else the source's `timezone:`, else the site's (not named).
fn written_zone(c: &Converted, fm: &Mapped) -> (Option<String>, TimeZone) {
    match (&c.timezone, &fm.own.timezone) {
        (Some(n), _) => (Some(n.clone()), c.tz.clone()),
        (None, Some((n, tz, _))) => (Some(n.clone()), tz.clone()),
        (None, None) => (None, c.tz.clone()),
    }
}

/// An instant in RFC 3339 with `offset` (`2020-08-01T14:00:00Z`,
/// `2023-03-09T09:40:00-05:00`).
fn rfc3339(at: Timestamp, offset: Offset) -> String {
    let dt = offset.to_datetime(at);
    let secs = offset.seconds();
    let zone = if secs == 0 {
        "Z".to_string()
    } else {
        let sign = if secs < 0 { '-' } else { '+' };
        let a = secs.abs();
        format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
    };
    format!(
        "{}T{:02}:{:02}:{:02}{zone}",
        dt.date(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// The timeline: the converted entries and the source's own `timeline:`
/// ones, in time order. With no zone named, an entry that names its own
/// is written with its offset, so that it stays where it is when the
/// site's zone changes.
fn write_timeline(s: &mut String, c: &Converted, own: &Settled) {
    let (zone, tz) = written_zone(c, own.fm);
    let offset_of = |line: usize| {
        own.fm
            .offsets
            .iter()
            .find(|(l, _)| *l == line)
            .map(|(_, o)| *o)
    };
    let mut entries: Vec<(&Entry, Option<Offset>)> = c
        .timeline
        .iter()
        .map(|e| (e, offset_of(e.line)))
        .chain(own.entries.iter().map(|(e, o)| (e, *o)))
        .collect();
    if entries.is_empty() {
        return;
    }
    entries.sort_by_key(|(e, _)| e.at);
    s.push_str("timeline:\n");
    for (e, offset) in entries {
        let at = match (&zone, e.own_zone) {
            (None, true) => rfc3339(e.at, offset.unwrap_or(Offset::UTC)),
            _ => times::written_time(e.at, &tz),
        };
        let _ = writeln!(s, "  - at: {}", q(&at));
        if e.kind != Milestone::Other {
            let _ = writeln!(s, "    kind: {}", e.kind.as_str());
        }
        let _ = writeln!(s, "    event: {}", q(&e.event));
    }
}

/// The follow-ups: the source's own `follow_ups:`, then those read from
/// the body.
fn write_follow_ups(s: &mut String, c: &Converted, own: &Settled) {
    if c.follow_ups.is_empty() && own.follow_ups.is_empty() {
        return;
    }
    s.push_str("follow_ups:\n");
    for f in &own.follow_ups {
        let _ = writeln!(s, "  - title: {}", q(&f.title));
        let _ = writeln!(s, "    status: {}", f.status.as_str());
        for (key, value) in [
            ("owner", &f.owner),
            ("ticket", &f.ticket),
            ("priority", &f.priority),
            ("team", &f.team),
        ] {
            if let Some(v) = value {
                let _ = writeln!(s, "    {key}: {}", q(v));
            }
        }
        if let Some(t) = f.kind {
            let _ = writeln!(s, "    type: {}", t.as_str());
        }
        for (key, value) in [("due", f.due), ("completed", f.completed)] {
            if let Some(d) = value {
                let _ = writeln!(s, "    {key}: {d}");
            }
        }
    }
    // A follow-up the source's `follow_ups:` has is not repeated from
    // the body's lists.
    let title_key = |t: &str| t.trim().to_lowercase();
    let own_titles: HashSet<String> = own.follow_ups.iter().map(|f| title_key(&f.title)).collect();
    for f in c
        .follow_ups
        .iter()
        .filter(|f| !own_titles.contains(&title_key(&f.title)))
    {
        let _ = writeln!(s, "  - title: {}", q(&f.title));
        let _ = writeln!(s, "    status: {}", f.status.as_str());
        if let Some(o) = &f.owner {
            let _ = writeln!(s, "    owner: {}", q(o));
        }
        if let Some(d) = f.due {
            let _ = writeln!(s, "    due: {d}");
        }
        if let Some(t) = &f.ticket {
            let _ = writeln!(s, "    ticket: {}", q(t));
        }
        if let Some(p) = &f.priority {
            let _ = writeln!(s, "    priority: {}", q(p));
        }
    }
}

/// `extra:`: the converted file's and what settling kept out, each name
/// once (a repeated one gets ` (2)`, ` (3)`, …).
fn write_extra(s: &mut String, c: &Converted, own: &Settled) {
    if c.extra.is_empty() && own.extra.is_empty() {
        return;
    }
    s.push_str("extra:\n");
    let mut seen: HashSet<String> = HashSet::new();
    for (k, v) in c.extra.iter().chain(&own.extra) {
        let mut name = k.clone();
        let mut n = 2;
        while !seen.insert(name.clone()) {
            name = format!("{k} ({n})");
            n += 1;
        }
        let value = serde_json::to_string(v).unwrap_or_else(|_| "\"\"".into());
        let _ = writeln!(s, "  {}: {value}", q(&name));
    }
}

/// Front matter that could not be read, kept as written at the end of
/// the body, in a code block its text cannot close.
fn write_unread(s: &mut String, fm: &Mapped) {
    let Some(u) = &fm.unread else {
        return;
    };
    let mut longest = 0;
    let mut run = 0;
    for ch in u.text.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    if !s.ends_with("\n\n") {
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "*The source's front matter, which is not valid {}, as it was written:*\n",
        u.lang.to_uppercase()
    );
    let _ = writeln!(s, "{fence}{}", u.lang);
    s.push_str(&u.text);
    if !u.text.ends_with('\n') {
        s.push('\n');
    }
    let _ = writeln!(s, "{fence}");
}

/// The pmsite file: front matter, then the body.
fn render(c: &Converted, own: &Settled, source_rel: &str, schema_ref: &str, body: &str) -> String {
    let o = &own.fm.own;
    let mut s = String::new();
    s.push_str("---\n");
    let _ = writeln!(s, "{}", crate::authoring::schema::modeline(schema_ref));
    let _ = writeln!(
        s,
        "# Imported by `pmsite import` from {}",
        source_rel.replace('\n', " ")
    );
    let _ = writeln!(s, "title: {}", q(&c.title));
    if let Some(id) = &own.id {
        let _ = writeln!(s, "id: {id}");
    }
    if let Some(d) = c.date {
        let _ = writeln!(s, "date: {d}");
    }
    let status = match o.status {
        Some(st) => st.as_str(),
        None if c.draft => "draft",
        None => "final",
    };
    let _ = writeln!(s, "status: {status}");
    let _ = writeln!(s, "severity: {}", q(&c.severity));
    let _ = writeln!(s, "summary: {}", q(&c.summary));
    if let Some(i) = &c.impact {
        let _ = writeln!(s, "impact: {}", q(i));
    }
    for (key, items) in [
        ("services", &c.services),
        ("teams", &c.teams),
        ("authors", &c.authors),
    ] {
        if !items.is_empty() {
            let _ = writeln!(s, "{key}: {}", list(items));
        }
    }
    let mut causes: Vec<String> = own.causes.clone();
    for cause in &c.causes {
        if !causes.contains(cause) {
            causes.push(cause.clone());
        }
    }
    if !causes.is_empty() {
        let _ = writeln!(s, "causes: [{}]", causes.join(", "));
    }
    if let Some(t) = &own.trigger {
        let _ = writeln!(s, "trigger: {t}");
    }
    if let Some(d) = &o.detection {
        let _ = writeln!(s, "detection: {d}");
    }
    if !c.tags.is_empty() {
        let _ = writeln!(s, "tags: {}", list(&c.tags));
    }
    if let Some(k) = o.kind {
        let _ = writeln!(s, "kind: {}", k.as_str());
    }
    if o.visibility == Some(crate::model::postmortem::Visibility::Internal) {
        s.push_str("visibility: internal\n");
    }
    if let Some(u) = &c.source_url {
        let _ = writeln!(s, "source_url: {}", q(u));
    }
    if let Some(tz) = written_zone(c, own.fm).0 {
        let _ = writeln!(s, "timezone: {}", q(&tz));
    }
    write_timeline(&mut s, c, own);
    write_follow_ups(&mut s, c, own);
    if !own.related.is_empty() {
        let _ = writeln!(s, "related: [{}]", own.related.join(", "));
    }
    write_extra(&mut s, c, own);
    let mut allow: Vec<&String> = c.lint_allow.iter().collect();
    for l in &o.lint_allow {
        if !allow.contains(&l) {
            allow.push(l);
        }
    }
    if !allow.is_empty() {
        if c.lint_allow.iter().any(|l| l == "timeline-both") {
            s.push_str("# Timeline entries whose links or sub-items the front matter cannot hold stay in the body too.\n");
        }
        let names: Vec<&str> = allow.iter().map(|l| l.as_str()).collect();
        let _ = writeln!(s, "lint:\n  allow: [{}]", names.join(", "));
    }
    s.push_str("---\n\n");
    s.push_str(body);
    write_unread(&mut s, own.fm);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_renamed_files_but_not_in_code() {
        let body = "See [a](x.md), [b](<x.md> \"t\"), [c](x.md#part 'u') and `[d](x.md)`.\n\n```\n[e](x.md)\n[r]: x.md\n```\n\n[r]: x.md \"title\"\n  [s]: <x.md>\n";
        let out = retarget(
            body,
            &[
                ("x.md".into(), "2021-new.md".into()),
                ("x.md#part".into(), "2021-new.md#part".into()),
            ],
        );
        assert_eq!(
            out,
            "See [a](2021-new.md), [b](<2021-new.md> \"t\"), [c](2021-new.md#part 'u') and `[d](x.md)`.\n\n```\n[e](x.md)\n[r]: x.md\n```\n\n[r]: 2021-new.md \"title\"\n  [s]: <2021-new.md>\n"
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("/kb/c/p"), Path::new("/kb/c/p/x.md")),
            "x.md"
        );
        assert_eq!(
            relative_path(Path::new("/kb/c/p/a"), Path::new("/kb/c/p/b/x.md")),
            "../b/x.md"
        );
    }

    #[test]
    fn instants_keep_their_offset() {
        let at: Timestamp = "2020-08-01T15:30:00Z".parse().unwrap();
        assert_eq!(rfc3339(at, Offset::UTC), "2020-08-01T15:30:00Z");
        let four = Offset::from_seconds(-4 * 3600).unwrap();
        assert_eq!(rfc3339(at, four), "2020-08-01T11:30:00-04:00");
        let half = Offset::from_seconds(5 * 3600 + 1800).unwrap();
        assert_eq!(rfc3339(at, half), "2020-08-01T21:00:00+05:30");
    }

    #[test]
    fn unreadable_front_matter_gets_a_fence_it_cannot_close() {
        let fm = Mapped {
            unread: Some(super::super::foreign_front_matter::Unread {
                lang: "yaml",
                text: "note: ```\ntitle: [x".into(),
            }),
            ..Mapped::default()
        };
        let mut s = String::from("Body.\n");
        write_unread(&mut s, &fm);
        assert_eq!(
            s,
            "Body.\n\n*The source's front matter, which is not valid YAML, as it was written:*\n\n````yaml\nnote: ```\ntitle: [x\n````\n"
        );
    }
}
