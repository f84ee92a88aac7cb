use std::process::ExitCode;

use clap::Parser;

// Builds allocate many small strings from several threads and a few very
// large ones; mimalloc handles both better than the system allocator
// (measured: less time in the kernel and in malloc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    pmsite::cli::run(pmsite::cli::Cli::parse())
}
