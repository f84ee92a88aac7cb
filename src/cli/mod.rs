//! The command line: one definition per flag (clap derive) feeds both
//! parsing and `--help`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::pipeline::{BuildOptions, Pipeline, parse_now};

const EXAMPLES: &str = "\
Examples:
  pmsite init my-incidents          create a knowledge base
  pmsite new \"API outage: slow Facebook calls\" --date 2018-04-12
  pmsite build                      build the site into public/
  pmsite build --public --base-url https://acme.github.io/postmortems/
  pmsite build --root path/to/kb --out /tmp/site --now 2024-01-01
  pmsite check --format github --deny-warnings
  pmsite check --overdue --now 2024-01-01
  pmsite import ../old-postmortems";

/// A static site generator for a postmortem knowledge base.
#[derive(Debug, Parser)]
#[command(name = "pmsite", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The knowledge base (default: the nearest folder upwards holding book.toml)
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: timings of each stage
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (nothing is written on error)
    #[command(
        after_help = "Examples:\n  pmsite build\n  pmsite build --drafts --out /tmp/preview\n  pmsite build --public --base-url https://acme.github.io/postmortems/\n  SOURCE_DATE_EPOCH=1700000000 pmsite build   # reproducible overdue marks"
    )]
    Build(BuildArgs),
    /// Build, serve on 127.0.0.1, rebuild on every save and reload the open pages
    #[command(
        after_help = "Examples:\n  pmsite serve\n  pmsite serve --port 0 --open\n  pmsite serve --poll            # file systems without change events\n\nDrafts are included. Pages reload after each successful rebuild; build errors\nshow over the open pages until the next good save."
    )]
    Serve(ServeArgs),
    /// Create a new knowledge base: book.toml, content/, an example postmortem, a "start here" page
    #[command(after_help = "Examples:\n  pmsite init\n  pmsite init my-incidents")]
    Init {
        /// Where to create it (default: the current folder)
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write a new postmortem from a template and print its path
    #[command(
        after_help = "Examples:\n  pmsite new \"Checkout errors after config push\"\n  pmsite new \"DNS outage\" --date 2024-03-01\n  pmsite new \"Cache node restarted\" --template minor\n\nTemplates: default (the six elements), sre (root causes, trigger, where we got lucky),\nminor (short), and any templates/NAME.md of the knowledge base."
    )]
    New {
        /// The incident's title
        title: String,
        /// The incident date, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The template: default, sre, minor, or templates/NAME.md of the knowledge base
        #[arg(long, value_name = "NAME", default_value = "default")]
        template: String,
    },
    /// Validate and lint every postmortem (drafts and internal ones included) for CI; writes nothing
    #[command(
        after_help = "Examples:\n  pmsite check\n  pmsite check --format github --deny-warnings\n  pmsite check --format json > findings.json\n  pmsite check --overdue --now 2024-01-01\n\nExit status: 0 clean (warnings allowed), 1 errors (or warnings with --deny-warnings,\nor overdue follow-ups with --overdue), 2 usage errors."
    )]
    Check(CheckArgs),
    /// Print the JSON Schema of postmortem front matter, for editors
    #[command(
        after_help = "Examples:\n  pmsite schema > schema.json\n  pmsite schema --write     # refresh .pmsite/postmortem.schema.json"
    )]
    Schema {
        /// Write it to .pmsite/postmortem.schema.json (where postmortems' modelines point) instead of printing it
        #[arg(long)]
        write: bool,
    },
    /// Convert existing Markdown postmortems (no front matter) into pmsite files under content/postmortems/
    #[command(
        after_help = "Examples:\n  pmsite import ../postmortems\n  pmsite import docs/incident-reports --to imported\n\nNever overwrites a file and never changes the sources; reports per file what it could not infer."
    )]
    Import(ImportArgs),
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// The port to listen on (0: any free port)
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// The address to listen on (an IP address or a host name such as localhost); anything but loopback shares the preview with your network
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Open the site in a browser
    #[arg(long)]
    pub open: bool,
    /// Look for changes by scanning every 300 ms instead of file system events
    #[arg(long)]
    pub poll: bool,
    /// Leave out postmortems with `visibility: internal`
    #[arg(long)]
    pub public: bool,
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// How findings are printed
    #[arg(long, value_enum, default_value = "human")]
    pub format: crate::check::Format,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// List overdue follow-ups instead of linting; exit 1 when there are any
    #[arg(long)]
    pub overdue: bool,
    /// The date follow-ups are overdue against (YYYY-MM-DD or RFC 3339; default: SOURCE_DATE_EPOCH, else today)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct ImportArgs {
    /// The folder of Markdown postmortems to convert (read recursively; never modified)
    #[arg(value_name = "SRC_DIR")]
    pub src: PathBuf,
    /// A sub-folder of content/postmortems/ to write into (default: content/postmortems/ itself)
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct BuildArgs {
    /// Include postmortems with `status: draft`
    #[arg(long)]
    pub drafts: bool,
    /// Leave out postmortems with `visibility: internal`
    #[arg(long)]
    pub public: bool,
    /// Output folder (default: [build] output-dir, "public")
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace [site] base-url, e.g. https://acme.github.io/postmortems/
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The build date for overdue follow-ups and "on this day" (YYYY-MM-DD or RFC 3339; default: SOURCE_DATE_EPOCH, else today)
    #[arg(long, value_name = "DATE")]
    pub now: Option<String>,
    /// Replace the output folder even if pmsite did not create it
    #[arg(long)]
    pub force: bool,
}

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

pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Finds the knowledge base root: `--root`, else the nearest folder upwards
/// from the working folder that holds book.toml.
pub fn find_root(explicit: Option<&Path>) -> Result<PathBuf, Diagnostic> {
    match explicit {
        Some(dir) => {
            if dir.join(CONFIG_FILE).is_file() {
                Ok(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()))
            } else if !dir.exists() {
                Err(Diagnostic::error(
                    Code::NoRoot,
                    format!("--root {}: no such folder", dir.display()),
                ))
            } else {
                Err(Diagnostic::error(
                    Code::NoRoot,
                    format!(
                        "{} has no {CONFIG_FILE}: it is not a pmsite knowledge base",
                        dir.display()
                    ),
                )
                .with_hint(format!("run `pmsite init {}` to create one", dir.display())))
            }
        }
        None => {
            let cwd = std::env::current_dir().map_err(|e| {
                Diagnostic::error(Code::NoRoot, format!("cannot read the working folder: {e}"))
            })?;
            Config::find_root(&cwd).ok_or_else(|| {
                Diagnostic::error(
                    Code::NoRoot,
                    format!(
                        "no {CONFIG_FILE} found in {} or any folder above it",
                        cwd.display()
                    ),
                )
                .with_hint("run `pmsite init` to create a knowledge base here, or pass --root DIR")
            })
        }
    }
}

/// Runs the command line; returns the exit status.
pub fn run(cli: Cli) -> ExitCode {
    let reporter = Reporter {
        quiet: cli.global.quiet,
        verbose: cli.global.verbose,
    };
    match cli.command {
        Command::Build(args) => cmd_build(&cli.global, &reporter, args),
        Command::Serve(args) => {
            let root = match find_root(cli.global.root.as_deref()) {
                Ok(r) => r,
                Err(d) => return reporter.failed("serve", one(d)),
            };
            crate::serve::run(
                crate::serve::ServeOptions {
                    root,
                    bind: args.bind.clone(),
                    port: args.port,
                    open: args.open,
                    poll: args.poll,
                    public: args.public,
                },
                &reporter,
            )
        }
        Command::Init { dir } => cmd_init(&reporter, dir),
        Command::New {
            title,
            date,
            template,
        } => cmd_new(&cli.global, &reporter, &title, date.as_deref(), &template),
        Command::Check(args) => cmd_check(&cli.global, &reporter, args),
        Command::Schema { write } => cmd_schema(&cli.global, &reporter, write),
        Command::Import(args) => cmd_import(&cli.global, &reporter, args),
    }
}

fn one(d: Diagnostic) -> Diagnostics {
    let mut ds = Diagnostics::new();
    ds.push(d);
    ds
}

fn cmd_build(global: &GlobalArgs, reporter: &Reporter, args: BuildArgs) -> ExitCode {
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
            reporter.diagnostics(&built.warnings);
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

fn cmd_init(reporter: &Reporter, dir: Option<PathBuf>) -> ExitCode {
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

fn cmd_new(
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
    if title.trim().is_empty() {
        return reporter.failed(
            "new",
            one(Diagnostic::error(Code::BadOption, "the title is empty")
                .with_hint("pmsite new \"API outage: slow Facebook calls\"")),
        );
    }
    let date = match date {
        Some(d) => match d.trim().parse::<jiff::civil::Date>() {
            Ok(d) => d,
            Err(_) => {
                return reporter.failed(
                    "new",
                    one(
                        Diagnostic::error(Code::BadOption, format!("--date `{d}` is not a date"))
                            .with_hint("write it as YYYY-MM-DD"),
                    ),
                );
            }
        },
        None => jiff::Timestamp::now()
            .to_zoned_datetime(config.site.timezone.clone())
            .date(),
    };
    let template = match crate::authoring::templates::find(&config.root, template) {
        Ok(t) => t,
        Err((msg, hint)) => {
            return reporter.failed(
                "new",
                one(Diagnostic::error(Code::BadOption, msg).with_hint(hint)),
            );
        }
    };
    let dir = config.content_dir().join("postmortems");
    let path = dir.join(crate::authoring::new_file_name(title, date));
    let text = crate::authoring::templates::render(&template.text, &config, title.trim(), date);
    if let (Some(tpath), Err(crate::load::frontmatter::SplitError::Missing)) =
        (&template.path, crate::load::frontmatter::split(&text))
    {
        return reporter.failed(
            "new",
            one(Diagnostic::error(
                Code::BadTemplate,
                format!("template {} has no front matter", display_path(tpath).display()),
            )
            .in_file(display_path(tpath))
            .at(crate::diagnostics::Pos::new(1, 1))
            .with_hint("start it with a `---` line, the front matter (`title: {{title}}`, `date: {{date}}`, ...), and another `---` line")),
        );
    }
    let text = crate::authoring::with_schema_line(
        &text,
        &crate::authoring::schema::schema_ref(&config.root, &path),
    );
    // The schema the modeline points at.
    if !crate::authoring::schema::schema_path(&config).exists()
        && let Ok(p) = crate::authoring::schema::write_schema(&config)
    {
        reporter.info(&format!(
            "Wrote {} (the JSON Schema editors validate front matter with)",
            display_path(&p).display()
        ));
    }
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return reporter.failed(
            "new",
            one(Diagnostic::error(
                Code::Io,
                format!("cannot create {}: {e}", dir.display()),
            )),
        );
    }
    // create_new: never overwrite an existing postmortem.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    match file {
        Ok(mut f) => {
            if let Err(e) = f.write_all(text.as_bytes()) {
                return reporter.failed(
                    "new",
                    one(Diagnostic::error(
                        Code::Io,
                        format!("cannot write {}: {e}", path.display()),
                    )),
                );
            }
            println!("{}", display_path(&path).display());
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => reporter.failed(
            "new",
            one(Diagnostic::error(
                Code::Exists,
                format!(
                    "{} already exists; not overwriting it",
                    display_path(&path).display()
                ),
            )
            .with_hint("choose another title or --date")),
        ),
        Err(e) => reporter.failed(
            "new",
            one(Diagnostic::error(
                Code::Io,
                format!("cannot write {}: {e}", path.display()),
            )),
        ),
    }
}

fn cmd_check(global: &GlobalArgs, reporter: &Reporter, args: CheckArgs) -> ExitCode {
    let opts = crate::check::CheckOptions {
        format: args.format,
        deny_warnings: args.deny_warnings,
        overdue: args.overdue,
        now: args.now,
        quiet: reporter.quiet,
    };
    let report = match find_root(global.root.as_deref()) {
        Ok(root) => crate::check::check(&root, &opts),
        Err(d) => crate::check::Report {
            findings: vec![d],
            overdue: Vec::new(),
            postmortems: 0,
        },
    };
    let usage = report.findings.iter().any(|d| d.code.is_usage());
    if crate::check::print(&report, &opts) {
        ExitCode::SUCCESS
    } else if usage {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

fn cmd_schema(global: &GlobalArgs, reporter: &Reporter, write: bool) -> ExitCode {
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

fn cmd_import(global: &GlobalArgs, reporter: &Reporter, args: ImportArgs) -> ExitCode {
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
    if errors > 0 {
        return reporter.failed("import", result.diagnostics);
    }
    reporter.diagnostics(&result.diagnostics.into_sorted());
    reporter.info(&format!(
        "Imported {} postmortem{} ({} skipped, {} warning{}). Next: `pmsite check`, then `pmsite build`.",
        result.imported,
        plural(result.imported),
        result.skipped,
        warnings,
        plural(warnings)
    ));
    ExitCode::SUCCESS
}
