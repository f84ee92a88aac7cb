//! What one run of the pipeline leaves for the next (`serve`): the files
//! found and read, the bodies rendered, the link table, the site's
//! skeleton and the pages rendered, each with what it was made from.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use super::load::{ParsedFile, Stamp};
use crate::diagnostics::Diagnostic;
use crate::load::source::Discovered;
use crate::model::body::RenderedBody;
use crate::model::links::LinkTable;
use crate::model::postmortem::Postmortem;
use crate::model::timeline::Metrics;
use crate::render::RenderState;

/// A rendered body and what was derived with it, reusable while the file's
/// text and everything its links point at stay the same.
#[derive(Clone)]
pub(super) struct CachedBody {
    pub source_hash: u64,
    pub merged: Arc<Postmortem>,
    pub body: Arc<RenderedBody>,
    pub metrics: Metrics,
    pub diagnostics: Vec<Diagnostic>,
}

/// What one run leaves for the next (see the module documentation).
#[derive(Default)]
pub struct BuildState {
    pub(super) inputs_fp: u64,
    /// The files found by the last walk of the content folder.
    pub(super) discovered: Option<Arc<Discovered>>,
    pub(super) discovery_diagnostics: Vec<Diagnostic>,
    /// Paths reported changed since the last run (from a watcher).
    pub(super) changed: Option<Vec<PathBuf>>,
    pub(super) files: HashMap<PathBuf, (Stamp, ParsedFile)>,
    pub(super) bodies: HashMap<PathBuf, CachedBody>,
    pub(super) skeleton: Option<crate::model::site::Skeleton>,
    /// The link targets and known ids, with their fingerprint.
    pub(super) links: Option<(u64, Arc<LinkTable>, Arc<HashSet<String>>)>,
    pub render: RenderState,
}

impl BuildState {
    /// Tells the next run which paths changed, so that it need not look at
    /// the others. Without this, every file's time and size are checked.
    pub fn hint_changed(&mut self, paths: Vec<PathBuf>) {
        self.changed = Some(paths);
    }

    /// Forgets everything if the configuration or options changed.
    pub(super) fn align(&mut self, inputs_fp: u64) {
        if self.inputs_fp != inputs_fp {
            *self = BuildState {
                inputs_fp,
                ..BuildState::default()
            };
        }
    }
}
