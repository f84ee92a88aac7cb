//! Writing what was planned: links to other imported files follow them to
//! their new names, images and attachments are copied beside the
//! postmortem, the pmsite file (front matter, then the body) is created
//! without overwriting anything, and what its conversion could not infer
//! is reported.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::convert::Converted;
use super::find::Planned;
use super::{ImportResult, relative_dir_ok, times};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Pos, display_path};
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
        Writer {
            config,
            src,
            src_canon,
            dest_root,
            new_names,
        }
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
        let text = render(&p.conv, &source_rel, &schema_ref, &body);
        if !self.create(&p, &text, result) {
            return;
        }
        let (certain, guessed) = p.conv.entry_counts();
        let (stated, guessed_ms) = p.conv.milestone_counts();
        result.entries_certain += certain;
        result.entries_guessed += guessed;
        result.milestones_stated += stated;
        result.milestones_guessed += guessed_ms;
        copy_assets(assets, &p, result);
        for (line, msg) in &p.conv.notes {
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

/// The pmsite file: front matter, then the body.
pub fn render(c: &Converted, source_rel: &str, schema_ref: &str, body: &str) -> String {
    let mut s = String::new();
    s.push_str("---\n");
    let _ = writeln!(s, "{}", crate::authoring::schema::modeline(schema_ref));
    let _ = writeln!(
        s,
        "# Imported by `pmsite import` from {}",
        source_rel.replace('\n', " ")
    );
    let _ = writeln!(s, "title: {}", q(&c.title));
    if let Some(d) = c.date {
        let _ = writeln!(s, "date: {d}");
    }
    let _ = writeln!(s, "status: {}", if c.draft { "draft" } else { "final" });
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
    if !c.causes.is_empty() {
        let _ = writeln!(s, "causes: [{}]", c.causes.join(", "));
    }
    if !c.tags.is_empty() {
        let _ = writeln!(s, "tags: {}", list(&c.tags));
    }
    if let Some(u) = &c.source_url {
        let _ = writeln!(s, "source_url: {}", q(u));
    }
    if let Some(tz) = &c.timezone {
        let _ = writeln!(s, "timezone: {}", q(tz));
    }
    if !c.timeline.is_empty() {
        s.push_str("timeline:\n");
        for e in &c.timeline {
            let _ = writeln!(s, "  - at: {}", q(&times::written_time(e.at, &c.tz)));
            if e.kind != Milestone::Other {
                let _ = writeln!(s, "    kind: {}", e.kind.as_str());
            }
            let _ = writeln!(s, "    event: {}", q(&e.event));
        }
    }
    if !c.follow_ups.is_empty() {
        s.push_str("follow_ups:\n");
        for f in &c.follow_ups {
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
    if !c.extra.is_empty() {
        s.push_str("extra:\n");
        for (k, v) in &c.extra {
            let value = serde_json::to_string(v).unwrap_or_else(|_| "\"\"".into());
            let _ = writeln!(s, "  {}: {value}", q(k));
        }
    }
    if !c.lint_allow.is_empty() {
        s.push_str("# Timeline entries whose links or sub-items the front matter cannot hold stay in the body too.\n");
        let _ = writeln!(s, "lint:\n  allow: [{}]", c.lint_allow.join(", "));
    }
    s.push_str("---\n\n");
    s.push_str(body);
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
}
