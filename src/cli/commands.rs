//! The commands other than `check` and `serve`: each runs the library and
//! prints what it gives.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::report::Reporter;
use super::{BuildArgs, GlobalArgs, ImportArgs, find_root, one};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, display_path, plural};
use crate::pipeline::{BuildOptions, Pipeline, parse_now};

pub(super) fn build(global: &GlobalArgs, reporter: &Reporter, args: BuildArgs) -> ExitCode {
    let started = Instant::now();
    let root = match find_root(global.root.as_deref()) {
        Ok(r) => r,
        Err(d) => return reporter.failed("build", one(d)),
    };
    let options = BuildOptions {
        drafts: args.drafts,
        public: args.public,
        out: args.out.clone(),
        base_url: args.base_url.clone(),
        now: None,
        force: args.force,
        live_reload: false,
        host: args.host,
    };
    let mut pipeline = match Pipeline::new(&root, options) {
        Ok(p) => p,
        Err(d) => return reporter.failed("build", d),
    };
    if let Some(now) = &args.now {
        match parse_now(now, &pipeline.config.site.timezone) {
            Ok(ts) => pipeline.options.now = Some(ts),
            Err(msg) => {
                return reporter.failed(
                    "build",
                    one(Diagnostic::error(Code::BadOption, format!("--now: {msg}"))),
                );
            }
        }
    }
    reporter.detail(&format!(
        "loaded configuration and theme in {:.0?}",
        started.elapsed()
    ));
    match pipeline.build() {
        Ok(built) => {
            let mut warnings = crate::diagnostics::Diagnostics::new();
            warnings.extend(built.warnings.iter().cloned());
            warnings.extend(crate::check::language_warnings(&built.site));
            reporter.diagnostics(&warnings.into_sorted());
            for (stage, took) in &built.timings {
                reporter.detail(&format!("  {stage}: {:.0?}", took));
            }
            if let Some(stats) = &built.search {
                reporter.detail(&stats.to_string());
            }
            let out = display_path(&pipeline.output_dir());
            reporter.info(&format!(
                "Built {} postmortem{} and {} page{} into {} in {:.2}s",
                built.site.incidents.len(),
                plural(built.site.incidents.len()),
                built.site.pages.len(),
                plural(built.site.pages.len()),
                out.display(),
                started.elapsed().as_secs_f64()
            ));
            ExitCode::SUCCESS
        }
        Err(d) => reporter.failed("build", d),
    }
}

pub(super) fn init(reporter: &Reporter, dir: Option<PathBuf>) -> ExitCode {
    let dir = dir.unwrap_or_else(|| PathBuf::from("."));
    match crate::authoring::init(&dir) {
        Ok(files) => {
            for f in &files {
                println!("{}", f.display());
            }
            reporter.info(&format!(
                "Created a knowledge base in {}. Next: `cd {}` and `pmsite build`, or `pmsite new \"Title\"`.",
                dir.display(),
                dir.display()
            ));
            ExitCode::SUCCESS
        }
        Err(msg) => reporter.failed("init", one(Diagnostic::error(Code::Init, msg))),
    }
}

pub(super) fn new(
    global: &GlobalArgs,
    reporter: &Reporter,
    title: &str,
    date: Option<&str>,
    template: &str,
) -> ExitCode {
    let root = match find_root(global.root.as_deref()) {
        Ok(r) => r,
        Err(d) => return reporter.failed("new", one(d)),
    };
    let config = match Config::load(&root) {
        Ok(c) => c,
        Err(d) => return reporter.failed("new", d),
    };
    match crate::authoring::new_postmortem(&config, title, date, template) {
        Ok(created) => {
            if let Some(p) = &created.schema {
                reporter.info(&format!(
                    "Wrote {} (the JSON Schema editors validate front matter with)",
                    display_path(p).display()
                ));
            }
            println!("{}", display_path(&created.path).display());
            ExitCode::SUCCESS
        }
        Err(d) => reporter.failed("new", one(d)),
    }
}

pub(super) fn schema(global: &GlobalArgs, reporter: &Reporter, write: bool) -> ExitCode {
    let root = match find_root(global.root.as_deref()) {
        Ok(r) => r,
        Err(d) => return reporter.failed("schema", one(d)),
    };
    let config = match Config::load(&root) {
        Ok(c) => c,
        Err(d) => return reporter.failed("schema", d),
    };
    if write {
        match crate::authoring::schema::write_schema(&config) {
            Ok(p) => {
                println!("{}", display_path(&p).display());
                ExitCode::SUCCESS
            }
            Err(msg) => reporter.failed("schema", one(Diagnostic::error(Code::Io, msg))),
        }
    } else {
        print!("{}", crate::authoring::schema::schema_text(&config));
        ExitCode::SUCCESS
    }
}

pub(super) fn import(global: &GlobalArgs, reporter: &Reporter, args: ImportArgs) -> ExitCode {
    let root = match find_root(global.root.as_deref()) {
        Ok(r) => r,
        Err(d) => return reporter.failed("import", one(d)),
    };
    let config = match Config::load(&root) {
        Ok(c) => c,
        Err(d) => return reporter.failed("import", d),
    };
    let result = crate::import::import(&config, &args.src, args.to.as_deref());
    let warnings = result.diagnostics.warning_count();
    let errors = result.diagnostics.error_count();
    for p in &result.written {
        println!("{}", display_path(p).display());
    }
    // An error that stopped the whole import (a bad folder): nothing done.
    if errors > result.skipped_with_error {
        return reporter.failed("import", result.diagnostics);
    }
    reporter.diagnostics(&result.diagnostics.into_sorted());
    let entries = result.entries_certain + result.entries_guessed;
    let milestones = result.milestones_stated + result.milestones_guessed;
    let with_error = match result.skipped_with_error {
        0 => String::new(),
        n => format!(" ({n} with an error)"),
    };
    reporter.info(&format!(
        "Imported {} postmortem{}: {entries} timeline entr{} ({} certain, {} guessed), {milestones} milestone{} ({} stated, {} guessed), {} skipped{with_error}, {} warning{}.",
        result.imported,
        plural(result.imported),
        if entries == 1 { "y" } else { "ies" },
        result.entries_certain,
        result.entries_guessed,
        plural(milestones),
        result.milestones_stated,
        result.milestones_guessed,
        result.skipped,
        warnings,
        plural(warnings)
    ));
    if errors > 0 {
        eprintln!(
            "error: the files above with an error were not imported: fix their sources and run the import again (files already imported are kept)"
        );
        return ExitCode::FAILURE;
    }
    reporter.info("Next: `pmsite check`, then `pmsite build`.");
    ExitCode::SUCCESS
}
