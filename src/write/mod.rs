//! Writing the site: into a fresh folder beside the output folder, swapped
//! in only when everything was written, so a failed build leaves the
//! previous site as it was. pmsite only ever replaces folders it created
//! (a marker file tells), and never the knowledge base's own folders.
//!
//! May use `config` and `diagnostics` only.

pub mod clash;
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
/// Written first into the staging folder (and into the previous site once
/// it is moved aside), so that git never offers a folder left by a killed
/// build for commit; removed just before the swap.
const IGNORE_ALL: (&str, &str) = (".gitignore", "# pmsite: a build in progress\n*\n");

/// An absolute, normalized path, as the operating system would resolve
/// it: `..` steps out of what the path before it resolves to (through
/// symbolic links, as the system does), and the longest existing part is
/// canonicalized.
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
                if let Ok(real) = normal.canonicalize() {
                    normal = real;
                }
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
/// any of them. `shown` is the path as the user wrote it, for the message.
pub fn check_output_dir(config: &Config, out: &Path, shown: &Path) -> Result<(), Diagnostic> {
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
                format!("refusing to use {} as the output folder: {why}", shown.display()),
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
        std::fs::write(dir.join(IGNORE_ALL.0), IGNORE_ALL.1)
            .and_then(|()| std::fs::write(dir.join(MARKER), MARKER_TEXT))
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
        // The published site is as the build wrote it.
        if let Err(e) = std::fs::remove_file(self.dir.join(IGNORE_ALL.0)) {
            return Err(io_err("finish the new site for", e));
        }
        // The old site moves aside, the new one takes its place.
        let old = sibling(&out, "old");
        let had_old = out.exists();
        if had_old && let Err(e) = std::fs::rename(&out, &old) {
            return Err(io_err("move aside the previous", e));
        }
        if had_old {
            // Ignored by git too, should the removal below be cut short.
            let _ = std::fs::write(old.join(IGNORE_ALL.0), IGNORE_ALL.1);
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
        let Some(rest) = n.strip_prefix(&prefix) else {
            continue;
        };
        // `new-PID` or `old-PID`
        let pid = rest
            .rsplit_once('-')
            .and_then(|(_, pid)| pid.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        if e.path().join(MARKER).is_file() && is_stale(pid, &e.path()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Was the folder left by a process that is gone? On Unix: no process has
/// its PID. Elsewhere: it is more than a day old.
#[cfg(unix)]
fn is_stale(pid: u32, _dir: &Path) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // Signal 0 checks for the process without signalling it.
    // SAFETY: kill(2) with signal 0 has no effect on the process.
    let alive = unsafe { libc::kill(pid, 0) } == 0
        || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    !alive
}

#[cfg(not(unix))]
fn is_stale(_pid: u32, dir: &Path) -> bool {
    const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    std::fs::metadata(dir)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > DAY)
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
        let chk = |p: &Path| check_output_dir(&c, p, p);
        assert!(chk(&root).is_err());
        assert!(chk(tmp.path()).is_err());
        assert!(chk(&root.join("content")).is_err());
        assert!(chk(&root.join("content/x")).is_err());
        assert!(chk(&root.join("themes")).is_err());
        assert!(chk(&root.join("public/../content")).is_err());
        assert!(chk(&root.join("public")).is_ok());
        assert!(chk(&tmp.path().join("elsewhere")).is_ok());
        // `..` after a symbolic link climbs out of where the link leads,
        // as the system resolves it.
        #[cfg(unix)]
        {
            std::fs::create_dir_all(root.join("content/deep/er")).unwrap();
            std::os::unix::fs::symlink(root.join("content/deep/er"), root.join("link")).unwrap();
            assert!(
                chk(&root.join("link/../x")).is_err(),
                "lands in content/deep"
            );
            assert!(chk(&root.join("content/../out2")).is_ok());
            assert!(chk(&root.join("content/..")).is_err());
        }
        let e = check_output_dir(&c, &root, Path::new("/")).unwrap_err();
        assert!(e.message.contains("refusing to use / as"), "{}", e.message);
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

    /// A staging folder as a build of process `pid` leaves it when killed.
    fn leftover(parent: &Path, pid: u32) -> PathBuf {
        let dir = parent.join(format!(".public.pmsite-new-{pid}"));
        std::fs::create_dir_all(dir.join("postmortems")).unwrap();
        std::fs::write(dir.join(MARKER), MARKER_TEXT).unwrap();
        std::fs::write(dir.join(IGNORE_ALL.0), IGNORE_ALL.1).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn staging_folders_of_dead_processes_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        // A process that has exited: its PID is free (until reused; the
        // test reads it at once).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = leftover(tmp.path(), dead);
        // A live process other than this one (whose own staging folder has
        // this name): the test's parent.
        let live = leftover(tmp.path(), std::os::unix::process::parent_id());
        write_site(&out, &[("index.html", "x")], false).unwrap();
        assert!(!stale.exists(), "the dead build's folder is removed");
        assert!(live.exists(), "a running build's folder is left alone");
        assert!(
            !out.join(IGNORE_ALL.0).exists(),
            "the output has no .gitignore"
        );
        assert!(out.join("index.html").exists());
    }

    #[test]
    fn git_does_not_see_the_folder_of_a_build_cut_short() {
        let tmp = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .current_dir(tmp.path())
                .output()
        };
        let Ok(init) = git(&["init", "-q"]) else {
            eprintln!("no git: skipped");
            return;
        };
        assert!(init.status.success());
        let staging = Staging::begin(&tmp.path().join("public"), false).unwrap();
        std::fs::write(staging.dir().join("index.html"), "half a site").unwrap();
        // The process is killed here: nothing removes the folder.
        std::mem::forget(staging);
        let status = git(&["status", "--porcelain", "--untracked-files=all"]).unwrap();
        assert!(status.status.success());
        assert_eq!(String::from_utf8_lossy(&status.stdout), "");
    }

    #[test]
    fn unsafe_paths_are_rejected() {
        assert!(safe_rel("../x").is_err());
        assert!(safe_rel("/etc/x").is_err());
        assert!(safe_rel("a/b.html").is_ok());
    }
}
