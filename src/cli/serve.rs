//! `pmsite serve` on the command line: what the server tells, printed as
//! `-q` and `-v` ask. The address goes to standard output (scripts and
//! tests read it), everything else to standard error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::pipeline::Built;

/// Prints the events of a running server.
pub(super) struct Printer {
    pub quiet: bool,
    pub verbose: bool,
}

fn shown(p: &Path) -> String {
    let shown = display_path(p).display().to_string();
    if shown.is_empty() { ".".into() } else { shown }
}

impl crate::serve::Events for Printer {
    fn serving(&self, url: &str, root: &Path, folder: &Path) {
        println!("Serving {url}");
        if !self.quiet {
            eprintln!("Watching {} for changes; Ctrl-C stops.", shown(root));
        }
        if self.verbose {
            eprintln!("Serving files from {}", folder.display());
        }
    }

    fn built(&self, built: &Built, took: Duration, files_written: usize) {
        if !self.quiet {
            for d in &built.warnings {
                eprint!("{}", d.render_human());
            }
            eprintln!(
                "Built in {} ms: {} pages rendered, {} unchanged, {} files written",
                took.as_millis(),
                built.report.rendered,
                built.report.skipped,
                files_written
            );
        }
        if self.verbose {
            for (stage, took) in &built.timings {
                eprintln!("  {stage}: {took:.0?}");
            }
        }
    }

    fn build_failed(&self, diags: &Diagnostics, served: bool) {
        let mut err = std::io::stderr().lock();
        for d in diags.clone().into_sorted() {
            if d.is_error() || !self.quiet {
                let _ = err.write_all(d.render_human().as_bytes());
            }
        }
        let _ = err.write_all(if served {
            b"error: build failed; serving the last good build\n"
        } else {
            b"error: the first build failed; fix the errors above and save to build again\n"
        });
    }

    fn search_made(&self, took: Duration, files_written: usize) {
        if self.verbose {
            eprintln!(
                "Search index made in {} ms: {} files written",
                took.as_millis(),
                files_written
            );
        }
    }

    fn changed(&self, paths: &[PathBuf]) {
        if self.verbose {
            for p in paths {
                eprintln!("changed: {}", shown(p));
            }
        }
    }

    fn problem(&self, d: &Diagnostic) {
        eprint!("{}", d.render_human());
    }

    fn stopped(&self) {
        if !self.quiet {
            eprintln!("Stopped.");
        }
    }
}
