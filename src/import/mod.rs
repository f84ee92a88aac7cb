//! `pmsite import SRC_DIR`: existing Markdown postmortems (no front matter,
//! or another tool's) converted into pmsite files under
//! `content/postmortems/`. Sources are only read; nothing is overwritten;
//! what could not be inferred is reported per file, with its line.

mod blocks;
mod causes;
pub mod convert;
mod follow_ups;
mod foreign_front_matter;
pub mod milestones;
mod summary;
mod text;
mod timeline;
pub mod times;
mod title_date;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use crate::config::Config;
use crate::config::slug::slugify;
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics, Pos, display_path};
use crate::model::followup::FollowUpStatus;
use crate::model::timeline::Milestone;

pub use convert::{Converted, convert};

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportResult {
    /// Files written (postmortems and the images they use), in order.
    pub written: Vec<PathBuf>,
    /// Errors (nothing was imported) or warnings (what could not be
    /// inferred, what was skipped).
    pub diagnostics: Diagnostics,
    pub imported: usize,
    pub skipped: usize,
}

/// Files that describe a folder rather than an incident.
fn is_not_a_postmortem(stem: &str) -> Option<&'static str> {
    let l = stem.to_lowercase();
    if matches!(
        l.as_str(),
        "readme"
            | "index"
            | "license"
            | "changelog"
            | "contributing"
            | "code_of_conduct"
            | "summary"
    ) {
        Some("it describes the folder, not an incident")
    } else if l.contains("template") {
        Some("it looks like a template")
    } else {
        None
    }
}

/// Is this file one to import? Markdown by extension, or a file with no
/// extension that starts with a Markdown heading.
fn is_markdown(path: &Path) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) => {
            let e = e.to_lowercase();
            e == "md" || e == "markdown"
        }
        None => std::fs::read(path)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .is_some_and(|t| {
                t.trim_start_matches('\u{feff}')
                    .trim_start()
                    .starts_with('#')
            }),
    }
}

fn stem_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for ext in [".md", ".markdown", ".MD", ".Markdown"] {
        if let Some(s) = name.strip_suffix(ext) {
            return s.to_string();
        }
    }
    name
}

/// The file name stem of an imported postmortem: the source's name as a
/// slug, with the incident date in front when the name has none.
fn target_stem(stem: &str, date: jiff::civil::Date) -> String {
    let mut slug = slugify(stem);
    if times::date_in_name(stem).is_none() {
        slug = format!("{date}-{slug}");
    }
    if slug.len() > 72 {
        let cut = slug[..72].rfind('-').unwrap_or(72);
        slug.truncate(cut);
    }
    if slug.is_empty() {
        slug = format!("{date}-incident");
    }
    slug
}

fn relative_dir_ok(p: &Path) -> bool {
    !p.is_absolute()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Converts every postmortem under `src` into `content/postmortems/`
/// (or its sub-folder `to`).
pub fn import(config: &Config, src: &Path, to: Option<&Path>) -> ImportResult {
    let mut result = ImportResult::default();
    let fail = |mut r: ImportResult, d: Diagnostic| {
        r.diagnostics.push(d);
        r
    };
    if !src.is_dir() {
        let what = if src.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        return fail(
            result,
            Diagnostic::error(Code::Import, format!("{} {what}", src.display()))
                .with_hint("pmsite import SRC_DIR reads the Markdown files of a folder"),
        );
    }
    if let Some(t) = to
        && !relative_dir_ok(t)
    {
        return fail(
            result,
            Diagnostic::error(
                Code::BadOption,
                format!(
                    "--to {}: must be a folder inside content/postmortems/",
                    t.display()
                ),
            )
            .with_hint("use a relative path without `..`, e.g. --to imported"),
        );
    }
    let postmortems = config.content_dir().join("postmortems");
    let dest_root = match to {
        Some(t) => postmortems.join(t),
        None => postmortems.clone(),
    };
    if let (Ok(s), Ok(c)) = (src.canonicalize(), config.content_dir().canonicalize())
        && (s.starts_with(&c) || c.starts_with(&s))
    {
        return fail(
            result,
            Diagnostic::error(
                Code::Import,
                format!(
                    "{} overlaps the content folder {}",
                    src.display(),
                    display_path(&config.content_dir()).display()
                ),
            )
            .with_hint("import from a folder outside the knowledge base's content"),
        );
    }

    // Ids already taken in the knowledge base.
    let mut taken: HashSet<String> = HashSet::new();
    if postmortems.is_dir() {
        for e in walkdir::WalkDir::new(&postmortems).into_iter().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".md") {
                taken.insert(slugify(stem));
            }
        }
    }

    // 1. Find and convert.
    struct Planned {
        source: PathBuf,
        rel_dir: PathBuf,
        shown: PathBuf,
        text: String,
        conv: Converted,
        dest: PathBuf,
    }
    let mut planned: Vec<Planned> = Vec::new();
    let mut used: HashSet<PathBuf> = HashSet::new();
    let walker = walkdir::WalkDir::new(src)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !crate::load::source::is_ignored_name(&e.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                result.diagnostics.push(Diagnostic::warning(
                    Code::Import,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        if !is_markdown(&path) {
            continue;
        }
        let shown = display_path(&path);
        let stem = stem_of(&path);
        if let Some(why) = is_not_a_postmortem(&stem) {
            result.skipped += 1;
            result.diagnostics.push(
                Diagnostic::warning(Code::Import, format!("skipped: {why}"))
                    .in_file(&shown)
                    .at(Pos::new(1, 1)),
            );
            continue;
        }
        let text = match std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| crate::load::source::decode(&b).map_err(|d| d.message))
        {
            Ok(t) => t.to_string(),
            Err(msg) => {
                result.skipped += 1;
                result.diagnostics.push(
                    Diagnostic::warning(Code::Import, format!("skipped: {msg}"))
                        .in_file(&shown)
                        .at(Pos::new(1, 1)),
                );
                continue;
            }
        };
        if let Some((depth, pos)) = crate::markdown::too_deep(&text) {
            result.skipped += 1;
            result.diagnostics.push(
                Diagnostic::warning(
                    Code::Import,
                    format!(
                        "skipped: block quotes and lists nested {depth} levels deep (pmsite reads at most {})",
                        crate::model::body::MAX_NESTING
                    ),
                )
                .in_file(&shown)
                .at(pos),
            );
            continue;
        }
        let conv = convert(&text, &stem, config);
        let rel_dir: PathBuf = path
            .parent()
            .and_then(|p| p.strip_prefix(src).ok())
            .map(|p| {
                p.components()
                    .filter_map(|c| match c {
                        Component::Normal(n) => Some(slugify(&n.to_string_lossy())),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let base = target_stem(&stem, conv.date);
        if taken.contains(&base) {
            result.skipped += 1;
            result.diagnostics.push(
                Diagnostic::warning(
                    Code::Import,
                    format!("skipped: the knowledge base already has a postmortem `{base}`; not overwriting it"),
                )
                .in_file(&shown)
                .at(Pos::new(1, 1)),
            );
            continue;
        }
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&PathBuf::from(&name)) || taken.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        used.insert(PathBuf::from(&name));
        let dest = dest_root.join(&rel_dir).join(format!("{name}.md"));
        planned.push(Planned {
            source: path,
            rel_dir,
            shown,
            text,
            conv,
            dest,
        });
    }

    // 2. Links between imported files follow them to their new names.
    let new_names: HashMap<PathBuf, PathBuf> = planned
        .iter()
        .filter_map(|p| Some((p.source.canonicalize().ok()?, p.dest.clone())))
        .collect();
    let src_canon = src.canonicalize().unwrap_or_else(|_| src.to_path_buf());

    // 3. Write.
    for p in planned {
        let mut body = p.conv.body.clone();
        let mut assets: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (target, line) in &p.conv.links {
            if target.contains("://")
                || target.starts_with('#')
                || target.starts_with("mailto:")
                || target.starts_with('/')
            {
                continue;
            }
            let path_part = target.split(['#', '?']).next().unwrap_or("");
            if path_part.is_empty() {
                continue;
            }
            let decoded = percent_encoding::percent_decode_str(path_part)
                .decode_utf8_lossy()
                .into_owned();
            let resolved = p.source.parent().unwrap_or(src).join(&decoded);
            let canon = resolved.canonicalize().ok();
            match canon {
                Some(c) if new_names.contains_key(&c) => {
                    let to = &new_names[&c];
                    let from_dir = p.dest.parent().unwrap_or(&dest_root);
                    let rel = relative_path(from_dir, to);
                    let anchor = target.find('#').map(|i| &target[i..]).unwrap_or("");
                    body = body.replace(&format!("]({target})"), &format!("]({rel}{anchor})"));
                    // Reference definitions: `[PM-9]: PM-9%20-%20Title.md`.
                    for (from, to) in [
                        (format!("]: {target}"), format!("]: {rel}{anchor}")),
                        (format!("]: <{target}>"), format!("]: <{rel}{anchor}>")),
                    ] {
                        body = body.replace(&from, &to);
                    }
                }
                Some(c) if c.starts_with(&src_canon) && c.is_file() => {
                    // An image or attachment: copied beside the postmortem.
                    let rel = Path::new(&decoded);
                    if relative_dir_ok(rel) {
                        let dest = p.dest.parent().unwrap_or(&dest_root).join(rel);
                        assets.push((c, dest));
                    } else {
                        result.diagnostics.push(
                            Diagnostic::warning(
                                Code::Import,
                                format!("`{target}` is outside this postmortem's folder and is not copied; the link will be reported as broken"),
                            )
                            .in_file(&p.shown)
                            .at(Pos::new(*line, 1))
                            .with_source(&p.text),
                        );
                    }
                }
                _ => result.diagnostics.push(
                    Diagnostic::warning(
                        Code::Import,
                        format!("`{target}` does not exist next to the source; the link is kept as it is"),
                    )
                    .in_file(&p.shown)
                    .at(Pos::new(*line, 1))
                    .with_source(&p.text),
                ),
            }
        }
        let source_rel = p
            .source
            .strip_prefix(src)
            .unwrap_or(&p.source)
            .display()
            .to_string();
        let schema_ref = crate::authoring::schema::schema_ref(&config.root, &p.dest);
        let text = render(&p.conv, &source_rel, &schema_ref, &body);
        if let Some(parent) = p.dest.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            result.diagnostics.push(Diagnostic::error(
                Code::Io,
                format!("cannot create {}: {e}", parent.display()),
            ));
            continue;
        }
        match write_new(&p.dest, text.as_bytes()) {
            Ok(true) => {
                result.imported += 1;
                result.written.push(p.dest.clone());
            }
            Ok(false) => {
                result.skipped += 1;
                result.diagnostics.push(
                    Diagnostic::warning(
                        Code::Import,
                        format!(
                            "skipped: {} already exists; not overwriting it",
                            display_path(&p.dest).display()
                        ),
                    )
                    .in_file(&p.shown)
                    .at(Pos::new(1, 1)),
                );
                continue;
            }
            Err(e) => {
                result.diagnostics.push(Diagnostic::error(
                    Code::Io,
                    format!("cannot write {}: {e}", p.dest.display()),
                ));
                continue;
            }
        }
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
        for (line, msg) in &p.conv.notes {
            result.diagnostics.push(
                Diagnostic::warning(Code::Import, msg.clone())
                    .in_file(&p.shown)
                    .at(Pos::new((*line).max(1), 1))
                    .with_source(&p.text),
            );
        }
        let _ = p.rel_dir;
    }
    if result
        .written
        .iter()
        .any(|w| w.extension().is_some_and(|e| e == "md"))
        && !crate::authoring::schema::schema_path(config).exists()
        && let Ok(path) = crate::authoring::schema::write_schema(config)
    {
        result.written.push(path);
    }
    result
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
    fn names_carry_the_date() {
        let d = jiff::civil::date(2021, 6, 22);
        assert_eq!(
            target_stem("PM2021-005 - All services returning 503 in Kubernetes", d),
            "2021-06-22-pm2021-005-all-services-returning-503-in-kubernetes"
        );
        assert_eq!(
            target_stem("2018-03-13-PVC-hub-locked", d),
            "2018-03-13-pvc-hub-locked"
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
