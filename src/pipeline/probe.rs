//! A whole build run in-process and written nowhere, for the property
//! tests and the fuzz target (through `pmsite::bench`): what it found,
//! and how much it would have written.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{BuildOptions, Pipeline, clock};
use crate::diagnostics::Diagnostic;
use crate::render::Unobserved;
use crate::write::sink::Sink;

/// What a build in memory gave.
#[derive(Debug, Default)]
pub struct InMemory {
    /// The build stopped on errors.
    pub failed: bool,
    /// Its errors and warnings.
    pub problems: Vec<Diagnostic>,
    /// Files and bytes it would have written.
    pub files: u64,
    pub bytes: u64,
}

#[derive(Default)]
struct Counting {
    files: AtomicU64,
    bytes: AtomicU64,
}

impl Sink for Counting {
    fn put(&self, _path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

/// `pmsite build` of the knowledge base at `root` (drafts included), the
/// search index too, on the fixed date 2020-06-01, written nowhere.
pub fn build_in_memory(root: &Path) -> InMemory {
    let options = BuildOptions {
        drafts: true,
        now: "2020-06-01T00:00:00Z".parse().ok(),
        ..BuildOptions::default()
    };
    let failed = |problems: Vec<Diagnostic>| InMemory {
        failed: true,
        problems,
        ..InMemory::default()
    };
    let pipeline = match Pipeline::new(root, options) {
        Ok(p) => p,
        Err(d) => return failed(d.into_sorted()),
    };
    let clock = match clock(&pipeline.config, pipeline.options.now) {
        Ok(c) => c,
        Err(d) => return failed(vec![d]),
    };
    let sink = Counting::default();
    match pipeline.run_into(clock, &sink, None, &Unobserved) {
        Ok(built) => InMemory {
            failed: false,
            problems: built.warnings,
            files: sink.files.into_inner(),
            bytes: sink.bytes.into_inner(),
        },
        Err(d) => failed(d.into_sorted()),
    }
}
