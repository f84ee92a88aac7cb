//! Printing what a command found: diagnostics on standard error, as `-q`
//! and `-v` ask, and the closing line of a failed run with its exit status.

use std::io::Write;
use std::process::ExitCode;

use crate::diagnostics::{Diagnostic, Diagnostics, plural};

/// Where messages go, as the flags ask.
pub struct Reporter {
    pub quiet: bool,
    pub verbose: bool,
}

impl Reporter {
    pub fn diagnostics(&self, diags: &[Diagnostic]) {
        let mut err = std::io::stderr().lock();
        for d in diags {
            if self.quiet && !d.is_error() {
                continue;
            }
            let _ = write!(err, "{}", d.render_human());
        }
    }

    pub fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    pub fn detail(&self, msg: &str) {
        if self.verbose {
            eprintln!("{msg}");
        }
    }

    /// Prints the problems and a closing line; exit status 1.
    pub fn failed(&self, what: &str, diags: Diagnostics) -> ExitCode {
        let errors = diags.error_count();
        let warnings = diags.warning_count();
        let list = diags.into_sorted();
        // Only bad options or environment: a usage error (exit status 2),
        // as clap's own.
        let usage = errors > 0
            && list
                .iter()
                .filter(|d| d.is_error())
                .all(|d| d.code.is_usage());
        self.diagnostics(&list);
        let mut line = format!("error: {what} failed: {errors} error{}", plural(errors));
        if warnings > 0 && !self.quiet {
            line.push_str(&format!(", {warnings} warning{}", plural(warnings)));
        }
        eprintln!("{line}");
        ExitCode::from(if usage { 2 } else { 1 })
    }
}
