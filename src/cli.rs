//! The command line: one definition per flag (clap derive) feeds both
//! parsing and `--help`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use crate::build::{BuildOptions, Pipeline, parse_now};
use crate::config::{CONFIG_FILE, Config};
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};

const EXAMPLES: &str = "\
Examples:
  pmsite init my-incidents          create a knowledge base
  pmsite new \"API outage: slow Facebook calls\" --date 2018-04-12
  pmsite build                      build the site into public/
  pmsite build --public --base-url https://acme.github.io/postmortems/
  pmsite build --root path/to/kb --out /tmp/site --now 2024-01-01";

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
    /// Create a new knowledge base: book.toml, content/, an example postmortem, a "start here" page
    #[command(after_help = "Examples:\n  pmsite init\n  pmsite init my-incidents")]
    Init {
        /// Where to create it (default: the current folder)
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Write a new postmortem from the template and print its path
    #[command(
        after_help = "Examples:\n  pmsite new \"Checkout errors after config push\"\n  pmsite new \"DNS outage\" --date 2024-03-01"
    )]
    New {
        /// The incident's title
        title: String,
        /// The incident date, YYYY-MM-DD (default: today)
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
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
        self.diagnostics(&list);
        let mut line = format!("error: {what} failed: {errors} error{}", plural(errors));
        if warnings > 0 && !self.quiet {
            line.push_str(&format!(", {warnings} warning{}", plural(warnings)));
        }
        eprintln!("{line}");
        ExitCode::from(1)
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
                    "no-root",
                    format!("--root {}: no such folder", dir.display()),
                ))
            } else {
                Err(Diagnostic::error(
                    "no-root",
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
                Diagnostic::error("no-root", format!("cannot read the working folder: {e}"))
            })?;
            Config::find_root(&cwd).ok_or_else(|| {
                Diagnostic::error(
                    "no-root",
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
        Command::Init { dir } => cmd_init(&reporter, dir),
        Command::New { title, date } => cmd_new(&cli.global, &reporter, &title, date.as_deref()),
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
                    one(Diagnostic::error("bad-option", format!("--now: {msg}"))),
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
    match crate::scaffold::init(&dir) {
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
        Err(msg) => reporter.failed("init", one(Diagnostic::error("init", msg))),
    }
}

fn cmd_new(global: &GlobalArgs, reporter: &Reporter, title: &str, date: Option<&str>) -> ExitCode {
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
            one(Diagnostic::error("bad-option", "the title is empty")
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
                        Diagnostic::error("bad-option", format!("--date `{d}` is not a date"))
                            .with_hint("write it as YYYY-MM-DD"),
                    ),
                );
            }
        },
        None => jiff::Timestamp::now()
            .to_zoned_datetime(config.site.timezone.clone())
            .date(),
    };
    let dir = config.content_dir().join("postmortems");
    let path = dir.join(crate::scaffold::new_file_name(title, date));
    let text = crate::scaffold::new_postmortem(&config, title.trim(), date);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return reporter.failed(
            "new",
            one(Diagnostic::error(
                "io",
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
                        "io",
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
                "exists",
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
                "io",
                format!("cannot write {}: {e}", path.display()),
            )),
        ),
    }
}
