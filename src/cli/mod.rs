//! The command line: one definition per flag (clap derive) feeds both
//! parsing and `--help`. This is the only module that prints or chooses
//! an exit status; every command below it returns values (or reports
//! through a trait, as `serve` does) and this module shows them.
//!
//! May use every other module.

mod check;
mod commands;
mod report;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::config::host::Host;
use crate::config::{CONFIG_FILE, Config};
use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics};
use report::Reporter;

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
    /// Fail when the output breaks this host's limits: github-pages, gitlab-pages, cloudflare-pages or netlify (default: [build] host)
    #[arg(long, value_name = "HOST", value_enum, ignore_case = true)]
    pub host: Option<Host>,
}

/// `--host` takes the names book.toml takes; clap lists them and suggests
/// the nearest one for a misspelling.
impl clap::ValueEnum for Host {
    fn value_variants<'a>() -> &'a [Self] {
        &Host::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
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
    crate::pipeline::init_worker_threads();
    let reporter = Reporter {
        quiet: cli.global.quiet,
        verbose: cli.global.verbose,
    };
    match cli.command {
        Command::Build(args) => commands::build(&cli.global, &reporter, args),
        Command::Serve(args) => cmd_serve(&cli.global, &reporter, args),
        Command::Init { dir } => commands::init(&reporter, dir),
        Command::New {
            title,
            date,
            template,
        } => commands::new(&cli.global, &reporter, &title, date.as_deref(), &template),
        Command::Check(args) => check::check(&cli.global, &reporter, args),
        Command::Schema { write } => commands::schema(&cli.global, &reporter, write),
        Command::Import(args) => commands::import(&cli.global, &reporter, args),
    }
}

fn cmd_serve(global: &GlobalArgs, reporter: &Reporter, args: ServeArgs) -> ExitCode {
    let root = match find_root(global.root.as_deref()) {
        Ok(r) => r,
        Err(d) => return reporter.failed("serve", one(d)),
    };
    let options = crate::serve::ServeOptions {
        root,
        bind: args.bind,
        port: args.port,
        open: args.open,
        poll: args.poll,
        public: args.public,
    };
    let printer = Arc::new(serve::Printer {
        quiet: reporter.quiet,
        verbose: reporter.verbose,
    });
    match crate::serve::run(options, printer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(d) => reporter.failed("serve", d),
    }
}

fn one(d: Diagnostic) -> Diagnostics {
    Diagnostics::from(d)
}
