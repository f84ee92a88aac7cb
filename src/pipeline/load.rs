//! The first stage: every file of the knowledge base found and parsed, in
//! parallel; with a [`BuildState`], only the files that changed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;

use super::{BuildState, Pipeline};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::postmortem::{parse_page, parse_postmortem};
use crate::load::source::{Asset, Discovered, discover, read_text};
use crate::model::postmortem::{Page, Postmortem, SourceFile, SourceKind};

/// One file read: a postmortem or a page (when usable), its problems, and
/// the id a postmortem claims.
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    pub postmortem: Option<Arc<Postmortem>>,
    pub page: Option<Arc<Page>>,
    pub diagnostics: Vec<Diagnostic>,
    pub claimed_id: Option<String>,
}

/// The files of a knowledge base, read and parsed.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub postmortems: Vec<Arc<Postmortem>>,
    pub pages: Vec<Arc<Page>>,
    pub assets: Vec<Asset>,
    /// Ids of postmortem files that have errors (their own errors are
    /// reported; links to them are not reported again).
    pub failed_ids: Vec<String>,
}

/// Gathers parsed files into what the model is built from.
fn collect_loaded<'a>(
    config: &crate::config::Config,
    found: &Discovered,
    parsed: impl Iterator<Item = &'a ParsedFile>,
    diags: &mut Diagnostics,
) -> Loaded {
    // SVG and HTML files that would run script (unless book.toml allows it).
    diags.extend(crate::load::assets::check_assets(config, &found.assets));
    let mut loaded = Loaded {
        assets: found.assets.clone(),
        ..Loaded::default()
    };
    for parsed in parsed {
        diags.extend(parsed.diagnostics.iter().cloned());
        match &parsed.postmortem {
            Some(pm) => {
                diags.extend(pm.warnings.iter().cloned());
                loaded.postmortems.push(pm.clone());
            }
            None => {
                if let Some(id) = &parsed.claimed_id {
                    loaded.failed_ids.push(id.clone());
                }
            }
        }
        if let Some(p) = &parsed.page {
            loaded.pages.push(p.clone());
        }
    }
    loaded
}

/// What changed `paths` mean for the known files, when they only modified
/// or deleted files already known: the new file list, the files to read
/// again, the files gone. `None` when a walk is needed (a new file, a
/// folder, a link).
fn fast_discover(
    prev: &Discovered,
    changed: &[PathBuf],
) -> Option<(Discovered, HashSet<PathBuf>, HashSet<PathBuf>)> {
    let known: HashSet<&Path> = prev
        .files
        .iter()
        .map(|f| f.path.as_path())
        .chain(prev.assets.iter().map(|a| a.path.as_path()))
        .collect();
    let mut reparse = HashSet::new();
    let mut deleted = HashSet::new();
    for p in changed {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if crate::load::source::is_ignored_name(&name) {
            continue;
        }
        match std::fs::symlink_metadata(p) {
            Ok(m) if m.file_type().is_file() && known.contains(p.as_path()) => {
                reparse.insert(p.clone());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if known.contains(p.as_path()) {
                    deleted.insert(p.clone());
                }
            }
            _ => return None,
        }
    }
    let found = if deleted.is_empty() {
        Discovered::default()
    } else {
        Discovered {
            files: prev
                .files
                .iter()
                .filter(|f| !deleted.contains(&f.path))
                .cloned()
                .collect(),
            assets: prev
                .assets
                .iter()
                .filter(|a| !deleted.contains(&a.path))
                .cloned()
                .collect(),
        }
    };
    Some((found, reparse, deleted))
}

/// When a file was last changed, as far as reuse is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
    })
}

impl Pipeline {
    /// Finds and parses every file (in parallel). With a state, files whose
    /// modification time and size are unchanged are not read again.
    pub fn load(&self, state: Option<&mut BuildState>, diags: &mut Diagnostics) -> Loaded {
        let Some(state) = state else {
            let (found, d) = discover(&self.config);
            diags.extend(d);
            let parsed: Vec<ParsedFile> = found.files.par_iter().map(|f| self.parse(f)).collect();
            return collect_loaded(&self.config, &found, parsed.iter(), diags);
        };
        // With the paths the watcher saw change, a round that only edited
        // or deleted known files skips walking the folders and looking at
        // the other files.
        let hint = state.changed.take();
        let fast = match (&state.discovered, &hint) {
            (Some(d), Some(changed)) => fast_discover(d, changed),
            _ => None,
        };
        match fast {
            Some((found, reparse, deleted)) => {
                for p in &deleted {
                    state.files.remove(p);
                }
                if !deleted.is_empty() {
                    state.discovered = Some(Arc::new(found));
                }
                let Some(current) = state.discovered.clone() else {
                    return Loaded::default();
                };
                let fresh: Vec<(PathBuf, Option<Stamp>, ParsedFile)> = current
                    .files
                    .par_iter()
                    .filter(|f| reparse.contains(&f.path))
                    .map(|f| (f.path.clone(), stamp(&f.path), self.parse(f)))
                    .collect();
                for (p, st, parsed) in fresh {
                    match st {
                        Some(st) => {
                            state.files.insert(p, (st, parsed));
                        }
                        None => {
                            state.files.remove(&p);
                        }
                    }
                }
            }
            None => {
                let (found, d) = discover(&self.config);
                state.discovery_diagnostics = d.into_sorted();
                let previous = &state.files;
                let parsed: Vec<(PathBuf, Option<Stamp>, ParsedFile)> = found
                    .files
                    .par_iter()
                    .map(|file| {
                        let st = stamp(&file.path);
                        if let Some(st) = st
                            && let Some((old, parsed)) = previous.get(&file.path)
                            && *old == st
                        {
                            return (file.path.clone(), Some(st), parsed.clone());
                        }
                        (file.path.clone(), st, self.parse(file))
                    })
                    .collect();
                state.files = parsed
                    .into_iter()
                    .filter_map(|(p, st, parsed)| st.map(|st| (p, (st, parsed))))
                    .collect();
                state.discovered = Some(Arc::new(found));
            }
        }
        diags.extend(state.discovery_diagnostics.iter().cloned());
        let Some(found) = state.discovered.clone() else {
            return Loaded::default();
        };
        // A file that vanished between the walk and the read has no entry.
        let missing = ParsedFile::default();
        let parsed = found
            .files
            .iter()
            .map(|f| state.files.get(&f.path).map_or(&missing, |(_, p)| p));
        collect_loaded(&self.config, &found, parsed, diags)
    }

    /// Parses one file; for a postmortem with errors, also the id it claims.
    pub fn parse(&self, file: &SourceFile) -> ParsedFile {
        let text = match read_text(file) {
            Ok(t) => t,
            Err(d) => {
                let claimed = (file.kind == SourceKind::Postmortem)
                    .then(|| crate::config::slug::slugify(&file.stem()));
                return ParsedFile {
                    diagnostics: vec![d],
                    claimed_id: claimed,
                    ..ParsedFile::default()
                };
            }
        };
        match file.kind {
            SourceKind::Postmortem => {
                let p = parse_postmortem(file, text, &self.config);
                ParsedFile {
                    postmortem: p.postmortem.map(Arc::new),
                    page: None,
                    diagnostics: p.diagnostics,
                    claimed_id: p.claimed_id,
                }
            }
            SourceKind::Page => {
                let (p, ds) = parse_page(file, text);
                ParsedFile {
                    postmortem: None,
                    page: p.map(Arc::new),
                    diagnostics: ds,
                    claimed_id: None,
                }
            }
        }
    }
}
