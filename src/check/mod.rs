//! `pmsite check`: everything `build` validates (drafts and internal
//! postmortems included) plus the lints, printed for people, for programs
//! (JSON) or for GitHub workflows (annotations); and `--overdue`, the list
//! of overdue follow-ups.
//!
//! May use `pipeline` and everything below it, and `authoring` (the schema
//! it checks is up to date).

pub mod language;
pub mod lint;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::diagnostics::Code;
use crate::diagnostics::yaml::{Target, YamlPath};
use crate::diagnostics::{Diagnostic, Diagnostics, Pos, Severity, display_path};
use crate::load::postmortem::fill_lines;
use crate::model::site::Site;
use crate::pipeline::{BuildOptions, Loaded, Pipeline, clock, parse_now};

/// How findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `file:line:col: warning[code]: message`, the line and a caret
    Human,
    /// A JSON array, one object per finding
    Json,
    /// GitHub workflow commands (`::warning file=...::message`)
    Github,
}

/// What `check` is asked to do.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub format: Format,
    pub deny_warnings: bool,
    pub overdue: bool,
    pub now: Option<String>,
    pub quiet: bool,
}

/// An overdue follow-up, as `--overdue --format json` gives it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct OverdueInfo {
    pub postmortem: String,
    pub title: String,
    pub owner: Option<String>,
    pub status: &'static str,
    pub due: String,
    pub days_overdue: i64,
    pub ticket: Option<String>,
}

/// One finding as printed in JSON.
#[derive(Serialize)]
struct Finding<'a> {
    file: Option<String>,
    line: usize,
    column: usize,
    severity: Severity,
    code: Code,
    message: &'a str,
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    follow_up: Option<&'a OverdueInfo>,
}

/// What a check found.
pub struct Report {
    /// Sorted findings (after allow lists).
    pub findings: Vec<Diagnostic>,
    /// Overdue follow-up details, by finding (only with `--overdue`).
    pub overdue: Vec<Option<OverdueInfo>>,
    /// How many postmortems were read; `None` when the configuration (or
    /// an option) stopped the check before any was.
    pub postmortems: Option<usize>,
}

/// Runs the check; returns the findings (errors included).
pub fn check(root: &Path, opts: &CheckOptions) -> Report {
    let fail = |diags: Diagnostics| Report {
        findings: diags.into_sorted(),
        overdue: Vec::new(),
        postmortems: None,
    };
    let options = BuildOptions {
        drafts: true,
        public: false,
        ..BuildOptions::default()
    };
    let mut pipeline = match Pipeline::new(root, options) {
        Ok(p) => p,
        Err(d) => return fail(d),
    };
    if let Some(now) = &opts.now {
        match parse_now(now, &pipeline.config.site.timezone) {
            Ok(ts) => pipeline.options.now = Some(ts),
            Err(msg) => {
                let mut d = Diagnostics::new();
                d.push(Diagnostic::error(Code::BadOption, format!("--now: {msg}")));
                return fail(d);
            }
        }
    }
    let clock = match clock(&pipeline.config, pipeline.options.now) {
        Ok(c) => c,
        Err(d) => {
            let mut ds = Diagnostics::new();
            ds.push(d);
            return fail(ds);
        }
    };

    let mut diags = Diagnostics::new();
    let loaded = pipeline.load(None, &mut diags);
    let postmortems = loaded.postmortems.len();
    crate::pipeline::check_allow_lists(&pipeline.config, &loaded, &mut diags);
    let allow = AllowLists::new(&pipeline.config, &loaded);
    let assets = loaded.assets.clone();
    let backup = loaded.clone();
    let mut site = pipeline.model(loaded, clock, None, &mut diags);
    if let Some(s) = &site
        && !diags.has_errors()
    {
        // Template errors, the search index, clashes, the host limits:
        // what `build` would stop on or warn of.
        diags.extend(pipeline.render_nowhere(s, &assets));
    }
    if site.is_none() {
        site = lenient_model(&mut pipeline, backup, clock);
    }
    schema_outdated(&pipeline, &mut diags);

    let mut overdue = Vec::new();
    if let Some(site) = &mut site {
        if opts.overdue {
            overdue = overdue_follow_ups(site, &mut diags);
        } else {
            for inc in &mut site.incidents {
                fill_lines(Arc::make_mut(&mut inc.pm));
                diags.extend(crate::check::lint::lint_incident(inc, &pipeline.config));
                diags.extend(language::lint_language(inc));
                diags.extend(review_overdue(inc, site.clock.today, &pipeline.config));
            }
        }
    }
    // In `--overdue` mode only errors and the overdue list are reported.
    if opts.overdue {
        diags.retain(|d| d.is_error() || d.code == Code::Overdue);
    }
    diags.retain(|d| d.is_error() || !allow.allows(d));
    let findings = diags.into_sorted();
    let overdue = findings
        .iter()
        .map(|d| {
            if d.code != Code::Overdue {
                return None;
            }
            overdue
                .iter()
                .find(|(k, _)| *k == (d.file.clone(), d.line))
                .map(|(_, info)| info.clone())
        })
        .collect();
    Report {
        findings,
        overdue,
        postmortems: Some(postmortems),
    }
}

/// A postmortem still draft or in review more than `[postmortem]
/// review-days` after its incident, at its `status:` line.
fn review_overdue(
    inc: &crate::model::site::Incident,
    today: jiff::civil::Date,
    config: &Config,
) -> Option<Diagnostic> {
    let pm = &inc.pm;
    let days = config.postmortem.review_days;
    let age = crate::model::review::overdue_days(pm, today, days)?;
    let d = Diagnostic::warning(
        Code::ReviewOverdue,
        format!(
            "still `{}` {age} days after the incident (more than [postmortem] review-days = {days})",
            pm.status.as_str()
        ),
    )
    .with_hint("review it with the people who were there and set `status: final`; a postmortem nobody reviews teaches nobody");
    Some(
        pm.source
            .diagnostic_at(d, &YamlPath::root().key("status"), Target::Value),
    )
}

/// The blameless-language warnings of a built site (`build` reports them
/// too; they never fail it), after the allow lists.
pub fn language_warnings(site: &Site) -> Vec<Diagnostic> {
    let allow = AllowLists {
        site: site.config.lint.allow.clone(),
        files: site
            .incidents
            .iter()
            .filter(|i| !i.pm.lint_allow.is_empty())
            .map(|i| (i.pm.source.file.shown.clone(), i.pm.lint_allow.clone()))
            .collect(),
    };
    let found: Vec<Vec<Diagnostic>> = {
        use rayon::prelude::*;
        site.incidents
            .par_iter()
            .map(language::lint_language)
            .collect()
    };
    found
        .into_iter()
        .flatten()
        .filter(|d| !allow.allows(d))
        .collect()
}

/// When cross-file errors (an unknown related id, a wrong reading list)
/// stop the model, lint a model without them, so that every problem of a
/// run is reported. Its own diagnostics are already known and dropped.
fn lenient_model(
    pipeline: &mut Pipeline,
    mut loaded: Loaded,
    clock: crate::model::site::Clock,
) -> Option<Site> {
    for pm in &mut loaded.postmortems {
        Arc::make_mut(pm).related.clear();
    }
    let mut config = (*pipeline.config).clone();
    config.postmortem.reading_list.clear();
    pipeline.config = Arc::new(config);
    pipeline.model(loaded, clock, None, &mut Diagnostics::new())
}

/// Warns when the editor schema file differs from the schema of the
/// current book.toml.
fn schema_outdated(pipeline: &Pipeline, diags: &mut Diagnostics) {
    let path = crate::authoring::schema::schema_path(&pipeline.config);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    if text != crate::authoring::schema::schema_text(&pipeline.config) {
        diags.push(
            Diagnostic::warning(
                Code::SchemaOutdated,
                "the editor schema does not match book.toml any more",
            )
            .in_file(display_path(&path))
            .at(Pos::new(1, 1))
            .with_hint("run `pmsite schema --write` to refresh it"),
        );
    }
}

type OverdueKey = (Option<PathBuf>, usize);

fn overdue_follow_ups(site: &mut Site, diags: &mut Diagnostics) -> Vec<(OverdueKey, OverdueInfo)> {
    let today = site.clock.today;
    let mut out = Vec::new();
    for inc in &mut site.incidents {
        fill_lines(Arc::make_mut(&mut inc.pm));
        let pm = &inc.pm;
        for (i, fu) in pm.follow_ups.iter().enumerate() {
            if !fu.is_overdue(today) {
                continue;
            }
            let Some(due) = fu.due else { continue };
            let days = due.until(today).map_or(0, |s| i64::from(s.get_days()));
            let owner = fu
                .owner
                .as_deref()
                .map(|o| format!(", owner {o}"))
                .unwrap_or_else(|| ", no owner".into());
            let d = Diagnostic::warning(
                Code::Overdue,
                format!(
                    "follow-up \"{}\" is overdue: due {due} ({days} day{} ago), {}{owner}",
                    fu.title,
                    crate::diagnostics::plural(days.unsigned_abs() as usize),
                    fu.status.as_str()
                ),
            )
            .with_hint(
                "do it and set `status: done` (with `completed:`), move `due:` with a reason, or set `status: wont-fix`",
            );
            let d = if fu.line < pm.source.body_line {
                let path = YamlPath::root().key("follow_ups").index(i).key("due");
                pm.source.diagnostic_at(d, &path, Target::Value)
            } else {
                pm.source.with_line(
                    d.in_file(&pm.source.file.shown)
                        .at(Pos::new(fu.line.max(1), 1)),
                )
            };
            out.push((
                (d.file.clone(), d.line),
                OverdueInfo {
                    postmortem: pm.id.clone(),
                    title: fu.title.clone(),
                    owner: fu.owner.clone(),
                    status: fu.status.as_str(),
                    due: due.to_string(),
                    days_overdue: days,
                    ticket: fu.ticket.clone(),
                },
            ));
            diags.push(d);
        }
    }
    out
}

/// The allow lists: per file (`lint: {allow: [...]}`) and per site
/// (`[lint] allow`). (Unknown codes in them are errors of the pipeline.)
struct AllowLists {
    site: Vec<String>,
    files: HashMap<PathBuf, Vec<String>>,
}

impl AllowLists {
    fn new(config: &Config, loaded: &Loaded) -> AllowLists {
        let files = loaded
            .postmortems
            .iter()
            .filter(|pm| !pm.lint_allow.is_empty())
            .map(|pm| (pm.source.file.shown.clone(), pm.lint_allow.clone()))
            .collect();
        AllowLists {
            site: config.lint.allow.clone(),
            files,
        }
    }

    fn allows(&self, d: &Diagnostic) -> bool {
        let code = d.code.as_str();
        if self.site.iter().any(|c| c == code) {
            return true;
        }
        d.file
            .as_ref()
            .and_then(|f| self.files.get(f))
            .is_some_and(|list| list.iter().any(|c| c == code))
    }
}

impl Report {
    /// How many errors, warnings and overdue follow-ups it holds.
    pub fn counts(&self) -> (usize, usize, usize) {
        let errors = self.findings.iter().filter(|d| d.is_error()).count();
        let overdue = self
            .findings
            .iter()
            .filter(|d| d.code == Code::Overdue)
            .count();
        (errors, self.findings.len() - errors, overdue)
    }

    /// Whether the run passed: no errors, and no warnings with
    /// `--deny-warnings`, no overdue follow-ups with `--overdue`.
    pub fn passed(&self, opts: &CheckOptions) -> bool {
        let (errors, warnings, overdue) = self.counts();
        errors == 0 && !(opts.deny_warnings && warnings > 0) && !(opts.overdue && overdue > 0)
    }

    /// Whether it failed on usage errors (bad options) alone.
    pub fn usage_error(&self) -> bool {
        self.findings.iter().any(|d| d.code.is_usage())
    }
}

/// The findings as a JSON array, one object per line.
pub fn to_json(report: &Report) -> String {
    let items: Vec<String> = report
        .findings
        .iter()
        .zip(
            report
                .overdue
                .iter()
                .map(Some)
                .chain(std::iter::repeat(None)),
        )
        .map(|(d, info)| {
            let f = Finding {
                file: d.file.as_ref().map(|p| p.display().to_string()),
                line: d.line,
                column: d.column,
                severity: d.severity,
                code: d.code,
                message: &d.message,
                hint: d.hint.as_deref(),
                follow_up: info.and_then(|i| i.as_ref()),
            };
            serde_json::to_string(&f).unwrap_or_default()
        })
        .collect();
    if items.is_empty() {
        "[]".to_string()
    } else {
        format!("[\n{}\n]", items.join(",\n"))
    }
}
