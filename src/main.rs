use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    pmsite::cli::run(pmsite::cli::Cli::parse())
}
