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
use crate::model::followup::FollowUpStatus;
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

/// A file to copy beside a postmortem: (from, to).
type Asset = (PathBuf, PathBuf);

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
        copy_assets(assets, result);
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
        let mut body = p.conv.body.clone();
        let mut assets: Vec<Asset> = Vec::new();
        for (target, line) in &p.conv.links {
            let Some(decoded) = local_path(target) else {
                continue;
            };
            let resolved = p.source.parent().unwrap_or(self.src).join(&decoded);
            let canon = resolved.canonicalize().ok();
            match canon {
                Some(c) if self.new_names.contains_key(&c) => {
                    body = retarget(body, target, self.dest_dir(p), &self.new_names[&c]);
                }
                Some(c) if c.starts_with(&self.src_canon) && c.is_file() => {
                    // An image or attachment: copied beside the postmortem.
                    let rel = Path::new(&decoded);
                    if relative_dir_ok(rel) {
                        assets.push((c, self.dest_dir(p).join(rel)));
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
        (body, assets)
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

/// `body` with its links to `target` (inline, and reference definitions)
/// pointing at `to`, relative to the folder `from_dir`; the anchor kept.
fn retarget(body: String, target: &str, from_dir: &Path, to: &Path) -> String {
    let rel = relative_path(from_dir, to);
    let anchor = target.find('#').map(|i| &target[i..]).unwrap_or("");
    let mut body = body.replace(&format!("]({target})"), &format!("]({rel}{anchor})"));
    // Reference definitions: `[PM-9]: PM-9%20-%20Title.md`.
    for (from, to) in [
        (format!("]: {target}"), format!("]: {rel}{anchor}")),
        (format!("]: <{target}>"), format!("]: <{rel}{anchor}>")),
    ] {
        body = body.replace(&from, &to);
    }
    body
}

/// Copies the files a postmortem links to; a file already there is kept.
fn copy_assets(assets: Vec<Asset>, result: &mut ImportResult) {
    for (from, to) in assets {
        if to.exists() {
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
    let _ = writeln!(s, "date: {}", c.date);
    s.push_str("status: final\n");
    let _ = writeln!(s, "severity: {}", q(&c.severity));
    let _ = writeln!(s, "summary: {}", q(&c.summary));
    if let Some(i) = &c.impact {
        let _ = writeln!(s, "impact: {}", q(i));
    }
    if !c.causes.is_empty() {
        let _ = writeln!(s, "causes: [{}]", c.causes.join(", "));
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
            if f.status != FollowUpStatus::Open {
                let _ = writeln!(s, "    status: {}", f.status.as_str());
            } else {
                s.push_str("    status: open\n");
            }
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
    s.push_str("---\n\n");
    s.push_str(body);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
