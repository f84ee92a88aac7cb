//! Finding the knowledge base's files and reading them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Pos, display_path};
use crate::model::postmortem::{SourceFile, SourceKind, slash_path};

/// Files that editors and tools leave around and that are never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with('#')
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.ends_with(".orig")
}

/// Is this path (relative or absolute) one pmsite reads as content?
pub fn is_content_name(name: &str) -> bool {
    !is_ignored_name(name) && name.ends_with(".md")
}

/// A file under the content folder that is not Markdown (an image, a
/// diagram): published at the same path under the output folder.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Asset {
    /// Relative to the content folder, `/`-separated.
    pub rel: String,
    pub path: PathBuf,
}

/// What the content folder holds.
#[derive(Clone, Debug, Default)]
pub struct Discovered {
    pub files: Vec<SourceFile>,
    pub assets: Vec<Asset>,
}

/// The postmortem and page files of a knowledge base, and the asset files
/// beside them and anywhere else under the content folder, in a stable
/// order. Symbolic links are followed only to a file that would be
/// published itself: inside the content folder, not ignored, not in the
/// output or the themes, not book.toml.
pub fn discover(config: &Config) -> (Discovered, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut found = Discovered::default();
    let content = config.content_dir();
    if !content.is_dir() {
        diags.push(missing_content_dir(config, &content));
    }
    let regions = [
        (Some(SourceKind::Postmortem), content.join("postmortems")),
        (Some(SourceKind::Page), content.join("pages")),
        (None, content.clone()),
    ];
    // The rest of the content folder holds only assets. When it is the
    // root itself (`content-dir = "."`), the output, the themes and
    // book.toml are not content.
    let not_content = [
        content.join("postmortems"),
        content.join("pages"),
        config.output_dir(),
        config.themes_dir(),
        config.config_path(),
    ];
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let content_canon = canon(&content);
    let not_content_canon: Vec<PathBuf> = not_content[2..].iter().map(|p| canon(p)).collect();
    for (kind, dir) in regions {
        if !dir.is_dir() {
            continue;
        }
        let walker = WalkDir::new(&dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(is_ignored_name(&e.file_name().to_string_lossy())
                        || kind.is_none() && not_content.iter().any(|p| p == e.path()))
            });
        let seen = Seen {
            kind,
            content: &content,
            content_canon: &content_canon,
            not_content_canon: &not_content_canon,
        };
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diags.push(walk_error(&e, &dir));
                    continue;
                }
            };
            match (seen.classify(&entry, &mut diags), kind) {
                (Some(Found::File), Some(kind)) => found.files.push(SourceFile::new(
                    kind,
                    &config.root,
                    &content,
                    entry.path().to_path_buf(),
                )),
                (Some(Found::Asset(a)), _) => found.assets.push(a),
                _ => {}
            }
        }
    }
    found.files.sort();
    found.assets.sort();
    (found, diags)
}

fn walk_error(e: &walkdir::Error, dir: &Path) -> Diagnostic {
    let path = e
        .path()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.to_path_buf());
    Diagnostic::error(
        Code::Io,
        format!("cannot read {}: {e}", display_path(&path).display()),
    )
    .in_file(display_path(&path))
}

/// What a walked entry is.
enum Found {
    File,
    Asset(Asset),
}

/// Where an entry is being looked at from.
struct Seen<'a> {
    /// `None` outside content/postmortems/ and content/pages/.
    kind: Option<SourceKind>,
    content: &'a Path,
    content_canon: &'a Path,
    /// The output and themes folders and book.toml, resolved.
    not_content_canon: &'a [PathBuf],
}

impl Seen<'_> {
    /// A content file, an asset, or nothing (reported when it looks like
    /// content that is not read).
    fn classify(&self, entry: &walkdir::DirEntry, diags: &mut Diagnostics) -> Option<Found> {
        let name = entry.file_name().to_string_lossy();
        if is_ignored_name(&name) || entry.file_type().is_dir() {
            return None;
        }
        let path = entry.path().to_path_buf();
        if entry.path_is_symlink() {
            if let Some(d) = self.bad_link(&path) {
                diags.push(d);
                return None;
            }
        } else if !entry.file_type().is_file() {
            return None;
        }
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if MARKDOWN_EXTENSIONS.contains(&extension.as_str()) && extension != "md" {
            // Never published as a file: it may be an internal postmortem
            // saved under another name.
            diags.push(not_read(
                &path,
                "postmortems and pages are `.md` files",
                "rename it to end in `.md`",
            ));
            return None;
        }
        if extension != "md" {
            let rel = slash_path(path.strip_prefix(self.content).ok()?);
            return Some(Found::Asset(Asset { rel, path }));
        }
        if self.kind.is_none() {
            diags.push(not_read(
                &path,
                "postmortems go in content/postmortems/ and pages in content/pages/",
                "move it there to publish it, or rename it (e.g. `notes.txt`) to publish it as a file",
            ));
            return None;
        }
        // Pages are flat: content/pages/*.md.
        if self.kind == Some(SourceKind::Page) && entry.depth() > 1 {
            diags.push(not_read(
                &path,
                "pages are the `.md` files directly in content/pages/",
                "move it up into content/pages/",
            ));
            return None;
        }
        Some(Found::File)
    }

    /// Only links to a file that would be published itself are followed
    /// (so no link publishes a secret beside the knowledge base, a dotfile,
    /// book.toml or the last build); the others are a warning.
    fn bad_link(&self, path: &Path) -> Option<Diagnostic> {
        let why = match path.canonicalize() {
            Err(_) => "a link that leads nowhere (or to itself)",
            Ok(target) => match target.strip_prefix(self.content_canon) {
                Err(_) => "a link that leads outside the content folder",
                Ok(_) if self.not_content_canon.iter().any(|p| target.starts_with(p)) => {
                    "a link to the output, the themes or book.toml"
                }
                Ok(rel)
                    if rel
                        .components()
                        .any(|c| is_ignored_name(&c.as_os_str().to_string_lossy())) =>
                {
                    "a link to a file that is not published (a dotfile or an editor's leftover)"
                }
                Ok(_) if target.is_dir() => "a link to a folder (folder links are not followed)",
                Ok(_) if is_markdown(path) != is_markdown(&target) => {
                    "a link between a Markdown file and a file of another kind (a postmortem's source is never published as it is)"
                }
                Ok(rel)
                    if is_markdown(&target)
                        && !(rel.starts_with("postmortems") || rel.starts_with("pages")) =>
                {
                    "a link to a Markdown file that is not read (outside content/postmortems/ and content/pages/)"
                }
                Ok(_) if target.is_file() => return None,
                Ok(_) => "a link to something that is not a file",
            },
        };
        Some(
            Diagnostic::warning(
                Code::SymlinkOutside,
                format!("{} is {why}; skipped", display_path(path).display()),
            )
            .in_file(display_path(path))
            .with_hint(
                "link only to files inside content/, or copy the file there; remove the link to silence this",
            ),
        )
    }
}

/// Is this a Markdown file, by its extension?
fn is_markdown(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| MARKDOWN_EXTENSIONS.contains(&e.as_str()))
}

fn not_read(path: &Path, why: &str, hint: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::NotRead,
        format!("{} is not read: {why}", display_path(path).display()),
    )
    .in_file(display_path(path))
    .at(Pos::new(1, 1))
    .with_hint(hint)
}

/// File name extensions of Markdown. Only `.md` (in any case) is read;
/// the others are reported and never published.
const MARKDOWN_EXTENSIONS: [&str; 7] = ["md", "markdown", "mdown", "mkd", "mkdn", "mdwn", "mdx"];

/// The content folder of book.toml does not exist: an error at its
/// `content-dir` line, or at the top of book.toml.
fn missing_content_dir(config: &Config, content: &Path) -> Diagnostic {
    let book = config.config_path();
    let pos = std::fs::read_to_string(&book)
        .ok()
        .and_then(|text| {
            text.lines().enumerate().find_map(|(i, l)| {
                let t = l.trim_start();
                t.starts_with("content-dir")
                    .then(|| Pos::new(i + 1, l.len() - t.len() + 1))
            })
        })
        .unwrap_or(Pos::new(1, 1));
    Diagnostic::error(
        Code::Io,
        format!(
            "the content folder {} does not exist",
            display_path(content).display()
        ),
    )
    .in_file(display_path(&book))
    .at(pos)
    .with_hint("postmortems go in content/postmortems/ (`pmsite init` makes it); or set `[build] content-dir` to the folder that holds them")
}

/// Reads a file as UTF-8 text. A byte-order mark is dropped.
pub fn read_text(file: &SourceFile) -> Result<Arc<str>, Diagnostic> {
    let bytes = std::fs::read(&file.path).map_err(|e| {
        Diagnostic::error(Code::Io, format!("cannot read file: {e}")).in_file(&file.shown)
    })?;
    decode(&bytes).map_err(|d| d.in_file(&file.shown))
}

/// UTF-8 text from bytes, or an error that names where the first bad byte is.
pub fn decode(bytes: &[u8]) -> Result<Arc<str>, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Arc::from(s)),
        Err(e) => {
            let good = e.valid_up_to();
            // Lines before the bad byte are valid text; count in them.
            let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or("");
            let pos = LineIndex::new(prefix).pos(good);
            Err(Diagnostic::error(
                Code::NotUtf8,
                format!("file is not valid UTF-8 (byte 0x{:02X} cannot start a character)", bytes[good]),
            )
            .at(pos)
            .with_source(&String::from_utf8_lossy(bytes))
            .with_hint("save the file with UTF-8 encoding (in most editors: \"Save with encoding\" → UTF-8)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Pos;

    #[test]
    fn editor_leftovers_are_ignored() {
        for name in [
            ".x.md.swp",
            "x.md~",
            "#x.md#",
            ".#x.md",
            ".hidden.md",
            "x.md.bak",
            "x.txt",
            "4913",
        ] {
            assert!(!is_content_name(name), "{name}");
        }
        assert!(is_content_name("2018-04-12-x.md"));
    }

    #[test]
    fn bad_utf8_names_its_position() {
        let d = decode(b"---\ntitle: caf\xE9\n").unwrap_err();
        assert_eq!(
            (d.line, d.column),
            (Pos::new(2, 11).line, Pos::new(2, 11).column)
        );
        assert!(d.message.contains("0xE9"));
        assert_eq!(&*decode(b"\xEF\xBB\xBFhi").unwrap(), "hi");
    }
}
