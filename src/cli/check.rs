//! `pmsite check` on the command line: the findings printed for people, as
//! JSON or as GitHub annotations, and the closing verdict.

use std::io::Write;
use std::process::ExitCode;

use super::report::Reporter;
use super::{CheckArgs, GlobalArgs, find_root};
use crate::check::{CheckOptions, Format, Report};
use crate::diagnostics::{Code, plural};

pub(super) fn check(global: &GlobalArgs, reporter: &Reporter, args: CheckArgs) -> ExitCode {
    let opts = CheckOptions {
        format: args.format,
        deny_warnings: args.deny_warnings,
        overdue: args.overdue,
        now: args.now,
        quiet: reporter.quiet,
    };
    let report = match find_root(global.root.as_deref()) {
        Ok(root) => crate::check::check(&root, &opts),
        Err(d) => Report {
            findings: vec![d],
            overdue: Vec::new(),
            postmortems: None,
        },
    };
    print(&report, &opts);
    if report.passed(&opts) {
        ExitCode::SUCCESS
    } else if report.usage_error() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// The findings on standard output, the verdict on standard error.
fn print(report: &Report, opts: &CheckOptions) {
    let mut out = std::io::stdout().lock();
    match opts.format {
        Format::Human => {
            for d in &report.findings {
                if opts.quiet && !d.is_error() && d.code != Code::Overdue {
                    continue;
                }
                let _ = write!(out, "{}", d.render_human());
            }
        }
        Format::Github => {
            for d in &report.findings {
                let _ = writeln!(out, "{}", d.render_github());
            }
        }
        Format::Json => {
            let _ = writeln!(out, "{}", crate::check::to_json(report));
        }
    }
    let _ = out.flush();
    let passed = report.passed(opts);
    if !opts.quiet || !passed {
        eprintln!("{}", verdict(report, opts));
    }
}

/// `check passed: 0 errors, 1 warning in 12 postmortems`.
fn verdict(report: &Report, opts: &CheckOptions) -> String {
    let (errors, warnings, overdue) = report.counts();
    let summary = if opts.overdue {
        format!(
            "{} overdue follow-up{}{}",
            overdue,
            plural(overdue),
            if errors > 0 {
                format!(", {errors} error{}", plural(errors))
            } else {
                String::new()
            }
        )
    } else {
        let read = match report.postmortems {
            Some(n) => format!("in {n} postmortem{}", plural(n)),
            None => "before reading the postmortems".to_string(),
        };
        format!(
            "{errors} error{}, {warnings} warning{} {read}",
            plural(errors),
            plural(warnings),
        )
    };
    let verdict = if report.passed(opts) {
        "check passed"
    } else if errors == 0 && opts.deny_warnings && warnings > 0 {
        "check failed (--deny-warnings)"
    } else {
        "check failed"
    };
    format!("{verdict}: {summary}")
}
