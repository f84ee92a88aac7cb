//! Which files of the source folder are imported, and where each goes:
//! Markdown files that describe an incident are read, converted and given
//! a file name that is free in the knowledge base; the others are skipped
//! with the reason.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use super::convert::{Converted, convert};
use super::{ImportResult, times};
use crate::config::Config;
use crate::config::slug::slugify;
use crate::diagnostics::{Code, Diagnostic, Pos, display_path};

/// A file converted and given its destination, not written yet.
pub(super) struct Planned {
    /// The source file.
    pub source: PathBuf,
    /// The source as reports show it.
    pub shown: PathBuf,
    /// The source's text.
    pub text: String,
    pub conv: Converted,
    /// The file to write.
    pub dest: PathBuf,
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

/// The text of a source file, or why it cannot be read.
/// Why a source cannot be imported as it is.
enum Unreadable {
    /// Skipped, with a warning: not a postmortem (empty, binary).
    Skip(String),
    /// An error: a postmortem pmsite cannot read until it is fixed.
    Error(String, &'static str),
}

fn read_text(path: &Path) -> Result<String, Unreadable> {
    let bytes = std::fs::read(path)
        .map_err(|e| Unreadable::Error(e.to_string(), "check the file's permissions"))?;
    if bytes.contains(&0) {
        return Err(Unreadable::Skip(
            "it holds NUL bytes: a binary file, not Markdown".into(),
        ));
    }
    let text = crate::load::source::decode(&bytes).map_err(|d| {
        Unreadable::Error(
            format!("{}; the file is not imported", d.message),
            "convert it to UTF-8 (e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > NEW`), then import again",
        )
    })?;
    if text.trim().is_empty() {
        return Err(Unreadable::Skip("it is empty".into()));
    }
    Ok(text.to_string())
}

/// Ids already taken in the knowledge base: the slugs of the file names
/// under `postmortems`.
pub(super) fn taken_ids(postmortems: &Path) -> HashSet<String> {
    let mut taken: HashSet<String> = HashSet::new();
    if postmortems.is_dir() {
        for e in walkdir::WalkDir::new(postmortems).into_iter().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".md") {
                taken.insert(slugify(stem));
            }
        }
    }
    taken
}

/// Finds and converts the files of a source folder.
pub(super) struct Planner<'a> {
    config: &'a Config,
    src: &'a Path,
    dest_root: &'a Path,
    /// Ids already taken in the knowledge base.
    taken: HashSet<String>,
    /// File names given to the files planned so far.
    used: HashSet<PathBuf>,
}

impl<'a> Planner<'a> {
    pub fn new(
        config: &'a Config,
        src: &'a Path,
        dest_root: &'a Path,
        taken: HashSet<String>,
    ) -> Self {
        Planner {
            config,
            src,
            dest_root,
            taken,
            used: HashSet::new(),
        }
    }

    /// The files to write, in file name order; what is skipped is
    /// reported in `result` (a file with no date as an error).
    pub fn plan(mut self, result: &mut ImportResult) -> Vec<Planned> {
        let mut planned: Vec<Planned> = Vec::new();
        let walker = walkdir::WalkDir::new(self.src)
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
            if let Some(p) = self.plan_file(path, result) {
                planned.push(p);
            }
        }
        planned
    }

    /// Reads and converts one Markdown file, unless it is to be skipped.
    fn plan_file(&mut self, path: PathBuf, result: &mut ImportResult) -> Option<Planned> {
        let shown = display_path(&path);
        let stem = stem_of(&path);
        let first_line = Pos::new(1, 1);
        if let Some(why) = is_not_a_postmortem(&stem) {
            result.skip(&shown, why, first_line);
            return None;
        }
        let text = match read_text(&path) {
            Ok(t) => t,
            Err(Unreadable::Skip(msg)) => {
                result.skip(&shown, msg, first_line);
                return None;
            }
            Err(Unreadable::Error(msg, hint)) => {
                result.skipped += 1;
                result.skipped_with_error += 1;
                result.diagnostics.push(
                    Diagnostic::error(Code::Import, msg)
                        .in_file(&shown)
                        .at(first_line)
                        .with_hint(hint),
                );
                return None;
            }
        };
        if let Some((depth, pos)) = crate::markdown::too_deep(&text) {
            let why = format!(
                "block quotes and lists nested {depth} levels deep (pmsite reads at most {})",
                crate::model::body::MAX_NESTING
            );
            result.skip(&shown, why, pos);
            return None;
        }
        let conv = convert(&text, &stem, self.config);
        let Some(date) = conv.date else {
            let year = match conv.year_hint {
                Some(y) => format!(" (the file name gives only the year {y})"),
                None => String::new(),
            };
            result.skipped += 1;
            result.skipped_with_error += 1;
            // Times or front matter that could not be read may be where
            // the date was ("20202-01-16 12:00"): each is named at its line.
            let unread: Vec<&(usize, String)> = conv
                .notes
                .iter()
                .filter(|(_, m)| {
                    m.starts_with("cannot read the time")
                        || m.starts_with("the front matter is not valid")
                })
                .collect();
            for (line, msg) in &unread {
                let what = msg.split(';').next().unwrap_or(msg);
                result.diagnostics.push(
                    Diagnostic::warning(Code::Import, what.to_string())
                        .in_file(&shown)
                        .at(Pos::new((*line).max(1), 1))
                        .with_source(&text),
                );
            }
            let year = if unread.is_empty() {
                year
            } else {
                format!(
                    "{year}, and {} of its parts cannot be read (each is named at its line)",
                    unread.len()
                )
            };
            result.diagnostics.push(
                Diagnostic::error(
                    Code::Import,
                    format!("no date found in the front matter, the file name, the timeline or the text{year}; the file is not imported"),
                )
                .in_file(&shown)
                .at(Pos::new(conv.date_line, 1))
                .with_source(&text)
                .with_hint("add `date: YYYY-MM-DD` to the source's front matter (or the date to its file name, `2021-06-22-...`), then import again"),
            );
            return None;
        };
        let base = target_stem(&stem, date);
        if self.taken.contains(&base) {
            let why =
                format!("the knowledge base already has a postmortem `{base}`; not overwriting it");
            result.skip(&shown, why, first_line);
            return None;
        }
        let name = self.free_name(&base);
        let dest = self
            .dest_root
            .join(self.rel_dir(&path))
            .join(format!("{name}.md"));
        Some(Planned {
            source: path,
            shown,
            text,
            conv,
            dest,
        })
    }

    /// `base`, or `base-2`, `base-3`... when another file has it; taken
    /// from now on.
    fn free_name(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 2;
        while self.used.contains(&PathBuf::from(&name)) || self.taken.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        self.used.insert(PathBuf::from(&name));
        name
    }

    /// The sub-folders of the source folder that hold `path`, as slugs.
    fn rel_dir(&self, path: &Path) -> PathBuf {
        path.parent()
            .and_then(|p| p.strip_prefix(self.src).ok())
            .map(|p| {
                p.components()
                    .filter_map(|c| match c {
                        Component::Normal(n) => Some(slugify(&n.to_string_lossy())),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
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
}
