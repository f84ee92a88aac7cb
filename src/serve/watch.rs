//! Watching the knowledge base for changes: `content/`, `themes/` and
//! `book.toml` (never the output folder), with bursts of events — an
//! editor's atomic save is a write, a rename and a delete — folded into one
//! rebuild.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

use crate::config::{CONFIG_FILE, Config};
use crate::load::source::is_ignored_name;

/// How long the file system must stay quiet before a rebuild starts.
const QUIET: Duration = Duration::from_millis(25);
/// A rebuild starts at the latest this long after the first event.
const LONGEST: Duration = Duration::from_millis(400);

/// What changed in one burst of events.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Content files (postmortems, pages, assets) or folders.
    pub content: Vec<PathBuf>,
    /// book.toml or a theme file: the pipeline is made anew.
    pub config_or_theme: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.content.is_empty() && !self.config_or_theme
    }
}

/// The watcher and the events it sends.
pub struct Watch {
    rx: Receiver<notify::Result<notify::Event>>,
    _watcher: Box<dyn Watcher + Send>,
    root: PathBuf,
    content: PathBuf,
    themes: PathBuf,
    /// Polling sees modification times to the second: a second save in
    /// the same second as the first goes unseen. So the content paths of
    /// each burst are handed out once more, when that second is over, for
    /// a rebuild that re-reads them only if they changed meanwhile.
    recheck: Option<std::cell::RefCell<Option<Recheck>>>,
}

/// When to look again, and at what.
type Recheck = (Instant, Vec<PathBuf>);

/// How long after a burst, when polling, its paths are looked at again.
const RECHECK: Duration = Duration::from_millis(1200);

impl Watch {
    /// Starts watching. `poll` uses periodic scans instead of file system
    /// events (network mounts, some containers).
    pub fn start(config: &Config, poll: bool) -> Result<Watch, String> {
        let (tx, rx) = channel();
        let mut watcher: Box<dyn Watcher + Send> = if poll {
            let cfg = notify::Config::default().with_poll_interval(Duration::from_millis(300));
            Box::new(PollWatcher::new(tx, cfg).map_err(|e| format!("cannot watch files: {e}"))?)
        } else {
            Box::new(
                RecommendedWatcher::new(tx, notify::Config::default())
                    .map_err(|e| format!("cannot watch files: {e} (try `pmsite serve --poll`)"))?,
            )
        };
        let root = config.root.clone();
        let content = config.content_dir();
        let themes = config.themes_dir();
        // The root itself, not recursively: book.toml, and content/ or
        // themes/ appearing. The output folder is never watched.
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        for dir in [&content, &themes] {
            if dir.is_dir() {
                watcher.watch(dir, RecursiveMode::Recursive).map_err(|e| {
                    format!(
                        "cannot watch {}: {e} (try `pmsite serve --poll`)",
                        dir.display()
                    )
                })?;
            }
        }
        Ok(Watch {
            rx,
            _watcher: watcher,
            root,
            content,
            themes,
            recheck: poll.then(|| std::cell::RefCell::new(None)),
        })
    }

    /// Sorts an event's paths into what they mean for the site.
    fn classify(&self, path: &Path, changes: &mut Changes) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.starts_with(&self.content) {
            if path == self.content || !is_ignored_name(&name) {
                changes.content.push(path.to_path_buf());
            }
        } else if path.starts_with(&self.themes) {
            if !is_ignored_name(&name) {
                changes.config_or_theme = true;
            }
        } else if path.parent() == Some(self.root.as_path()) && name == CONFIG_FILE {
            changes.config_or_theme = true;
        }
    }

    /// Waits for the next burst of relevant changes; `None` when the
    /// watcher stopped.
    pub fn next(&self) -> Option<Changes> {
        loop {
            let pending = self.recheck.as_ref().and_then(|r| r.borrow_mut().take());
            let first = match pending {
                None => self.rx.recv().ok()?,
                Some((at, paths)) => {
                    match self
                        .rx
                        .recv_timeout(at.saturating_duration_since(Instant::now()))
                    {
                        Ok(ev) => {
                            // New events first; the paths wait their turn.
                            let mut changes = Changes::default();
                            self.absorb(ev, &mut changes);
                            changes.content.extend(paths);
                            return self.settle(changes);
                        }
                        Err(RecvTimeoutError::Timeout) => {
                            return Some(Changes {
                                content: paths,
                                config_or_theme: false,
                            });
                        }
                        Err(RecvTimeoutError::Disconnected) => return None,
                    }
                }
            };
            let mut changes = Changes::default();
            self.absorb(first, &mut changes);
            let changes = self.settle(changes)?;
            if !changes.is_empty() {
                return Some(changes);
            }
        }
    }

    /// Gathers the events that follow within the quiet time into
    /// `changes`, sorts its paths and, when polling, schedules their
    /// second look. `None` when the watcher stopped.
    fn settle(&self, mut changes: Changes) -> Option<Changes> {
        let started = Instant::now();
        loop {
            let left = LONGEST.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match self.rx.recv_timeout(QUIET.min(left)) {
                Ok(ev) => self.absorb(ev, &mut changes),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        changes.content.sort();
        changes.content.dedup();
        if let Some(r) = &self.recheck
            && !changes.content.is_empty()
        {
            *r.borrow_mut() = Some((Instant::now() + RECHECK, changes.content.clone()));
        }
        Some(changes)
    }

    fn absorb(&self, ev: notify::Result<notify::Event>, changes: &mut Changes) {
        match ev {
            Ok(ev) => {
                if matches!(ev.kind, notify::EventKind::Access(_)) {
                    return;
                }
                for p in &ev.paths {
                    self.classify(p, changes);
                }
            }
            // A lost event (queue overflow): rebuild everything.
            Err(_) => changes.config_or_theme = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_sorted_into_content_and_configuration() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content/postmortems")).unwrap();
        let config = Config::defaults(root.clone());
        let w = Watch::start(&config, false).unwrap();
        let mut c = Changes::default();
        w.classify(&root.join("content/postmortems/a.md"), &mut c);
        w.classify(&root.join("content/postmortems/.a.md.swp"), &mut c);
        w.classify(&root.join("content/postmortems/a.md~"), &mut c);
        w.classify(&root.join("public/index.html"), &mut c);
        assert_eq!(c.content, [root.join("content/postmortems/a.md")]);
        assert!(!c.config_or_theme);
        w.classify(&root.join("book.toml"), &mut c);
        assert!(c.config_or_theme);
    }
}
