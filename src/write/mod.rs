//! Writing the site: into a fresh folder beside the output folder, swapped
//! in only when everything was written, so a failed build leaves the
//! previous site as it was. pmsite only ever replaces folders it created
//! (a marker file tells), and never the knowledge base's own folders.
//!
//! May use `config` and `diagnostics` only.

pub mod limits;
pub mod sink;

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, display_path};

/// The file that marks a folder as pmsite's output.
pub const MARKER: &str = ".pmsite-output";
pub const MARKER_TEXT: &str =
    "This folder is written by `pmsite build` and replaced on every build.\n";

/// An absolute, normalized path, resolving symbolic links in the part of
/// it that exists.
pub fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut normal = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other.as_os_str()),
        }
    }
    // Canonicalize the longest existing prefix.
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => {
                rest.push(name.to_os_string());
                existing.pop();
            }
            None => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

/// Refuses output folders that would destroy the knowledge base: the root,
/// the content or themes folder, anything inside those two, or a parent of
/// any of them.
pub fn check_output_dir(config: &Config, out: &Path) -> Result<(), Diagnostic> {
    let out_r = resolve(out);
    let protected = [
        ("the knowledge base root", resolve(&config.root)),
        ("the content folder", resolve(&config.content_dir())),
        ("the themes folder", resolve(&config.themes_dir())),
    ];
    for (what, p) in &protected {
        let bad = if out_r == *p || p.starts_with(&out_r) {
            Some(format!("it is {what} or contains it"))
        } else if *what != "the knowledge base root" && out_r.starts_with(p) {
            Some(format!("it is inside {what}"))
        } else {
            None
        };
        if let Some(why) = bad {
            return Err(Diagnostic::error(
                Code::BadOutputDir,
                format!("refusing to use {} as the output folder: {why}", display_path(out).display()),
            )
            .with_hint("choose a folder of its own, e.g. `output-dir = \"public\"` in [build] or `--out public`"));
        }
    }
    Ok(())
}

/// Is this folder one pmsite may replace: absent, empty, or marked?
pub fn may_replace(out: &Path) -> io::Result<bool> {
    match std::fs::read_dir(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
        Ok(mut entries) => {
            if out.join(MARKER).is_file() {
                return Ok(true);
            }
            Ok(entries.next().is_none())
        }
    }
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let parent = out.parent().map(Path::to_path_buf).unwrap_or_default();
    parent.join(format!(".{name}.pmsite-{tag}-{}", std::process::id()))
}

/// A new site being written beside the output folder; swapped in by
/// [`Staging::commit`], removed if dropped before.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    done: bool,
}

impl Staging {
    /// Checks that `out` may be replaced and creates the staging folder.
    pub fn begin(out: &Path, force: bool) -> Result<Staging, Diagnostic> {
        let shown = display_path(out);
        let io_err = |what: &str, e: io::Error| {
            Diagnostic::error(Code::Io, format!("cannot {what} {}: {e}", shown.display()))
        };
        if out.exists() && !out.is_dir() {
            return Err(Diagnostic::error(
                Code::BadOutputDir,
                format!(
                    "the output path {} is a file, not a folder",
                    shown.display()
                ),
            )
            .with_hint("remove it or choose another --out"));
        }
        if !force && !may_replace(out).map_err(|e| io_err("read", e))? {
            return Err(Diagnostic::error(
                Code::OutputNotOurs,
                format!(
                    "the output folder {} is not empty and was not created by pmsite; refusing to replace it",
                    shown.display()
                ),
            )
            .with_hint("choose another folder with --out, empty it yourself, or pass --force to replace it"));
        }
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        std::fs::create_dir_all(&parent).map_err(|e| io_err("create the parent folder of", e))?;
        remove_stale_siblings(out);
        let dir = sibling(out, "new");
        if dir.exists() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        std::fs::create_dir_all(&dir).map_err(|e| io_err("create a folder next to", e))?;
        std::fs::write(dir.join(MARKER), MARKER_TEXT)
            .map_err(|e| io_err("write into a folder next to", e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            done: false,
        })
    }

    /// The folder to write the site into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Puts the new site in place of the old one.
    pub fn commit(mut self) -> Result<(), Diagnostic> {
        let out = self.out.clone();
        let shown = display_path(&out);
        let io_err = |what: &str, e: io::Error| {
            Diagnostic::error(Code::Io, format!("cannot {what} {}: {e}", shown.display()))
        };
        // The old site moves aside, the new one takes its place.
        let old = sibling(&out, "old");
        let had_old = out.exists();
        if had_old && let Err(e) = std::fs::rename(&out, &old) {
            return Err(io_err("move aside the previous", e));
        }
        if let Err(e) = std::fs::rename(&self.dir, &out) {
            if had_old {
                let _ = std::fs::rename(&old, &out);
            }
            return Err(io_err("put in place", e));
        }
        self.done = true;
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Folders left by an interrupted build (they carry the marker).
fn remove_stale_siblings(out: &Path) {
    let Some(parent) = out.parent() else { return };
    let Some(name) = out.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.pmsite-");
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with(&prefix) && e.path().join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Output paths are relative and never climb out of the output folder.
pub fn safe_rel(p: &str) -> io::Result<PathBuf> {
    let path = Path::new(p);
    if path.components().all(|c| matches!(c, Component::Normal(_))) {
        Ok(path.to_path_buf())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("unsafe output path {p}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(root: &Path) -> Config {
        Config::defaults(root.to_path_buf())
    }

    /// One file written through a staging folder, as a build does.
    fn write_site(out: &Path, files: &[(&str, &str)], force: bool) -> Result<(), Diagnostic> {
        let staging = Staging::begin(out, force)?;
        let sink = sink::DirSink::new(staging.dir());
        for (path, text) in files {
            sink::Sink::put(&sink, path, text.as_bytes()).unwrap();
        }
        staging.commit()
    }

    #[test]
    fn dangerous_output_folders_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("kb");
        std::fs::create_dir_all(root.join("content")).unwrap();
        let c = config(&root);
        assert!(check_output_dir(&c, &root).is_err());
        assert!(check_output_dir(&c, tmp.path()).is_err());
        assert!(check_output_dir(&c, &root.join("content")).is_err());
        assert!(check_output_dir(&c, &root.join("content/x")).is_err());
        assert!(check_output_dir(&c, &root.join("themes")).is_err());
        assert!(check_output_dir(&c, &root.join("public/../content")).is_err());
        assert!(check_output_dir(&c, &root.join("public")).is_ok());
        assert!(check_output_dir(&c, &tmp.path().join("elsewhere")).is_ok());
    }

    #[test]
    fn writes_swap_and_refuse_foreign_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_site(&out, &[("a/index.html", "one")], false).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "one"
        );
        write_site(&out, &[("b.html", "two")], false).unwrap();
        assert!(
            !out.join("a").exists(),
            "files of earlier builds do not linger"
        );
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);

        let foreign = tmp.path().join("mine");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "precious").unwrap();
        let e = write_site(&foreign, &[("x", "y")], false).unwrap_err();
        assert_eq!(e.code.as_str(), "output-not-ours");
        assert!(foreign.join("keep.txt").exists());
        write_site(&foreign, &[("x", "y")], true).unwrap();
        assert!(!foreign.join("keep.txt").exists());
    }

    #[test]
    fn unsafe_paths_are_rejected() {
        assert!(safe_rel("../x").is_err());
        assert!(safe_rel("/etc/x").is_err());
        assert!(safe_rel("a/b.html").is_ok());
    }
}
