//! Where rendered files go: straight into a folder as they are rendered
//! (no whole site held in memory), or nowhere (checking only).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::write::safe_rel;

/// Receives the files of the site, from many threads at once.
pub trait Sink: Sync {
    /// Stores one file. `path` is relative to the output folder.
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()>;

    /// Says a file of an earlier round stays as it is (its inputs did not
    /// change). Only sinks that update a folder in place care.
    fn keep(&self, _path: &str) {}

    /// Announces the files about to be put, so that a sink writing into a
    /// folder can make their folders first, in one go.
    fn prepare(&self, _paths: &[&str]) {}
}

/// Writes nothing and remembers the size of every file put: what the
/// host limits are checked against (`check` writes nothing either).
#[derive(Default)]
pub struct TallySink {
    written: Mutex<Vec<(String, u64)>>,
}

impl TallySink {
    /// What a folder would hold of what was put (the last put of a path
    /// counts).
    pub fn tally(&self) -> crate::write::limits::Tally {
        let written = self.written.lock().map(|w| w.clone()).unwrap_or_default();
        let mut last: HashMap<&str, u64> = HashMap::with_capacity(written.len());
        for (p, n) in &written {
            last.insert(p, *n);
        }
        let mut tally = crate::write::limits::Tally::of_files(last);
        tally.add_file(crate::write::MARKER, crate::write::MARKER_TEXT.len() as u64);
        tally
    }
}

impl Sink for TallySink {
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        if let Ok(mut w) = self.written.lock() {
            w.push((path.to_string(), bytes.len() as u64));
        }
        Ok(())
    }
}

/// Writes each file into a folder (the build's staging folder), and
/// remembers what it wrote (for the host limits, without reading the
/// folder again).
pub struct DirSink {
    root: PathBuf,
    written: TallySink,
}

impl DirSink {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirSink {
            root: root.into(),
            written: TallySink::default(),
        }
    }

    /// What the folder holds of what was put into it, with the marker.
    pub fn tally(&self) -> crate::write::limits::Tally {
        self.written.tally()
    }
}

impl Sink for DirSink {
    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let target = self.root.join(safe_rel(path)?);
        // The folder usually exists (see `prepare`): write first, make the
        // folder only when it is missing.
        match std::fs::write(&target, bytes) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(target, bytes)?;
            }
            r => r?,
        }
        self.written.put(path, bytes)
    }

    /// Makes every folder the files need, from one thread: many threads
    /// making folders in one parent contend for it (and on ext4 each new
    /// folder is slow to place), so this is several times faster.
    fn prepare(&self, paths: &[&str]) {
        let mut dirs: Vec<&str> = paths
            .iter()
            .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d))
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        for d in dirs {
            if let Ok(rel) = safe_rel(d) {
                let _ = std::fs::create_dir_all(self.root.join(rel));
            }
        }
    }
}

/// Discards everything (`check` validates rendering without writing).
pub struct NullSink;

impl Sink for NullSink {
    fn put(&self, _path: &str, _bytes: &[u8]) -> io::Result<()> {
        Ok(())
    }
}

/// Lets writers into a folder know when it is being removed: every write
/// holds the gate open while it runs, and `close` waits for writes in
/// progress, after which writes are skipped. `serve` closes it before it
/// deletes its temporary folder, so no background build can put files
/// (or the folder itself) back.
#[derive(Clone, Default)]
pub struct Gate(Arc<RwLock<bool>>);

impl Gate {
    /// Waits for writes in progress; later writes do nothing.
    pub fn close(&self) {
        if let Ok(mut closed) = self.0.write() {
            *closed = true;
        }
    }

    /// Runs `write` unless the gate is closed, keeping it from closing
    /// meanwhile. A closed gate gives `None`.
    fn pass<T>(&self, write: impl FnOnce() -> T) -> Option<T> {
        let closed = self.0.read().ok()?;
        if *closed {
            return None;
        }
        let result = write();
        drop(closed);
        Some(result)
    }
}

/// Updates a live folder in place (`serve`): a file is written only when
/// its bytes changed, through a temporary file renamed over the old one,
/// so a reader never sees a half-written page.
pub struct UpdateSink {
    root: PathBuf,
    gate: Gate,
    /// Hash of each file's bytes as last written.
    known: Mutex<HashMap<String, u64>>,
    /// Files written by the current round.
    changed: Mutex<Vec<String>>,
    /// Files put (written or unchanged) by the current round.
    seen: Mutex<Vec<String>>,
}

impl UpdateSink {
    pub fn new(root: impl Into<PathBuf>, gate: Gate) -> Self {
        UpdateSink {
            root: root.into(),
            gate,
            known: Mutex::new(HashMap::new()),
            changed: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
        }
    }

    /// Starts a round: forgets which files the last one touched.
    pub fn begin(&self) {
        if let Ok(mut c) = self.changed.lock() {
            c.clear();
        }
        if let Ok(mut s) = self.seen.lock() {
            s.clear();
        }
    }

    /// The files written since `begin`, sorted.
    pub fn changed(&self) -> Vec<String> {
        let mut v = self.changed.lock().map(|c| c.clone()).unwrap_or_default();
        v.sort();
        v
    }

    /// Ends a round: deletes the files of earlier rounds that this one
    /// neither put nor kept (a deleted or renamed postmortem's page).
    /// Returns the deleted paths.
    pub fn finish(&self) -> Vec<String> {
        self.gate.pass(|| self.remove_stale()).unwrap_or_default()
    }

    fn remove_stale(&self) -> Vec<String> {
        let seen: std::collections::HashSet<String> = self
            .seen
            .lock()
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        let mut removed = Vec::new();
        if let Ok(mut known) = self.known.lock() {
            let stale: Vec<String> = known
                .keys()
                .filter(|k| !seen.contains(*k))
                .cloned()
                .collect();
            for path in stale {
                known.remove(&path);
                if let Ok(rel) = safe_rel(&path) {
                    let target = self.root.join(rel);
                    if std::fs::remove_file(&target).is_ok() {
                        // Drop folders left empty (a page's own folder).
                        let mut dir = target.parent().map(Path::to_path_buf);
                        while let Some(d) = dir {
                            if d == self.root || std::fs::remove_dir(&d).is_err() {
                                break;
                            }
                            dir = d.parent().map(Path::to_path_buf);
                        }
                    }
                }
                removed.push(path);
            }
        }
        removed.sort();
        if let Ok(mut c) = self.changed.lock() {
            c.extend(removed.iter().cloned());
        }
        removed
    }
}

impl Sink for UpdateSink {
    fn keep(&self, path: &str) {
        if let Ok(mut s) = self.seen.lock() {
            s.push(path.to_string());
        }
    }

    fn put(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        let hash = xxhash_rust::xxh3::xxh3_64(bytes);
        if let Ok(mut s) = self.seen.lock() {
            s.push(path.to_string());
        }
        let unchanged = self
            .known
            .lock()
            .map(|k| k.get(path) == Some(&hash))
            .unwrap_or(false);
        if unchanged {
            return Ok(());
        }
        self.gate
            .pass(|| self.write(path, bytes, hash))
            .unwrap_or(Ok(()))
    }
}

impl UpdateSink {
    fn write(&self, path: &str, bytes: &[u8], hash: u64) -> io::Result<()> {
        let target = self.root.join(safe_rel(path)?);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // A short name of its own (not the file's name with more around
        // it, which may pass the file system's limit on a name's length).
        let tmp = target.with_file_name(format!(
            ".pmsite-{:016x}.tmp",
            xxhash_rust::xxh3::xxh3_64(path.as_bytes())
        ));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &target)?;
        if let Ok(mut k) = self.known.lock() {
            k.insert(path.to_string(), hash);
        }
        if let Ok(mut c) = self.changed.lock() {
            c.push(path.to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_sink_writes_only_changes_and_removes_stale_files() {
        let tmp = tempfile::tempdir().unwrap();
        let sink = UpdateSink::new(tmp.path(), Gate::default());
        sink.begin();
        sink.put("a/index.html", b"one").unwrap();
        sink.put("b/index.html", b"two").unwrap();
        sink.finish();
        assert_eq!(sink.changed(), ["a/index.html", "b/index.html"]);

        sink.begin();
        sink.put("a/index.html", b"one").unwrap();
        sink.finish();
        assert_eq!(sink.changed(), ["b/index.html"], "only the removal");
        assert!(
            !tmp.path().join("b").exists(),
            "the emptied folder goes too"
        );
        assert_eq!(
            std::fs::read(tmp.path().join("a/index.html")).unwrap(),
            b"one"
        );

        sink.begin();
        sink.keep("a/index.html");
        sink.finish();
        assert!(tmp.path().join("a/index.html").exists(), "kept files stay");
        assert!(sink.changed().is_empty());
    }

    #[test]
    fn a_closed_gate_stops_writes_and_removals() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let gate = Gate::default();
        let sink = UpdateSink::new(&root, gate.clone());
        sink.begin();
        sink.put("a/index.html", b"one").unwrap();
        sink.finish();
        gate.close();
        std::fs::remove_dir_all(&root).unwrap();

        sink.begin();
        sink.put("b/index.html", b"two").unwrap();
        sink.finish();
        assert!(
            !root.exists(),
            "a write after closing brings the folder back"
        );
    }
}
