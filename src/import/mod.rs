//! `pmsite import SRC_DIR`: existing Markdown postmortems (no front matter,
//! or another tool's) converted into pmsite files under
//! `content/postmortems/`. Sources are only read; nothing is overwritten;
//! what could not be inferred is reported per file, with its line.
//!
//! An import finds and converts the files (find, convert and the readers it
//! runs: title_date, timeline with zones, times and place, milestones,
//! summary, causes, follow_ups, over the blocks of the body and the
//! foreign_front_matter), then writes them (write). Timeline entries are
//! read with pmsite's own reader (`markdown::parse_entry_text`), so that
//! what `build` reads in a body timeline, `import` reads too.
//!
//! May use `authoring` (the schema modeline), `markdown` (the section
//! vocabulary, stated times), `load`, `model`, `config` and `diagnostics`.

mod blocks;
mod causes;
pub mod convert;
mod find;
mod follow_ups;
mod foreign_front_matter;
pub mod milestones;
mod place;
mod reconcile;
mod summary;
mod text;
mod timeline;
pub mod times;
mod title_date;
mod write;
mod zones;

use std::fmt::Display;
use std::path::{Component, Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics, Pos, display_path};

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportResult {
    /// Files written (postmortems and the images they use), in order.
    pub written: Vec<PathBuf>,
    /// Errors (nothing was imported) or warnings (what could not be
    /// inferred, what was skipped).
    pub diagnostics: Diagnostics,
    pub imported: usize,
    /// Source files not imported (those with an error among them).
    pub skipped: usize,
    /// Source files not imported because of an error (no date found).
    pub skipped_with_error: usize,
    /// Timeline entries written, placed with certainty (zone and day
    /// written) or guessed (each guess is a warning at its line).
    pub entries_certain: usize,
    pub entries_guessed: usize,
    /// Milestones written: marked or stated by the author, or guessed from
    /// the entries' words.
    pub milestones_stated: usize,
    pub milestones_guessed: usize,
}

impl ImportResult {
    /// Counts a source file that is not imported, and reports why.
    fn skip(&mut self, shown: &Path, why: impl Display, at: Pos) {
        self.skipped += 1;
        self.diagnostics.push(
            Diagnostic::warning(Code::Import, format!("skipped: {why}"))
                .in_file(shown)
                .at(at),
        );
    }
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
    let dest_root = match destination(config, src, to) {
        Ok(d) => d,
        Err(d) => {
            result.diagnostics.push(d);
            return result;
        }
    };
    let taken = find::taken_ids(&config.content_dir().join("postmortems"));
    // 1. Find and convert.
    let planned = find::Planner::new(config, src, &dest_root, taken).plan(&mut result);
    // 2. Links between imported files follow them to their new names.
    let writer = write::Writer::new(config, src, &dest_root, &planned);
    // 3. Write.
    for p in planned {
        writer.write(p, &mut result);
    }
    // The folder is there even when every file was skipped, so that the
    // knowledge base builds (empty) rather than failing on a missing
    // content folder.
    let _ = std::fs::create_dir_all(&dest_root);
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

/// The folder to write into, or the error that stops the import: `src` is
/// no folder, `to` leaves content/postmortems/, or `src` overlaps the
/// content folder.
fn destination(config: &Config, src: &Path, to: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    if !src.is_dir() {
        let what = if src.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        // A wrong argument: a usage error (exit status 2), like a bad option.
        return Err(
            Diagnostic::error(Code::BadOption, format!("{} {what}", src.display()))
                .with_hint("pmsite import SRC_DIR reads the Markdown files of a folder"),
        );
    }
    if let Some(t) = to
        && !relative_dir_ok(t)
    {
        return Err(Diagnostic::error(
            Code::BadOption,
            format!(
                "--to {}: must be a folder inside content/postmortems/",
                t.display()
            ),
        )
        .with_hint("use a relative path without `..`, e.g. --to imported"));
    }
    if let (Ok(s), Ok(c)) = (src.canonicalize(), config.content_dir().canonicalize())
        && (s.starts_with(&c) || c.starts_with(&s))
    {
        return Err(Diagnostic::error(
            Code::Import,
            format!(
                "{} overlaps the content folder {}",
                src.display(),
                display_path(&config.content_dir()).display()
            ),
        )
        .with_hint("import from a folder outside the knowledge base's content"));
    }
    let postmortems = config.content_dir().join("postmortems");
    Ok(match to {
        Some(t) => postmortems.join(t),
        None => postmortems,
    })
}
