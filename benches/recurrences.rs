//! The recurrence computation alone, on a knowledge base on disk (a
//! `gen-corpus` one): parses every postmortem once, then computes the
//! recurrences several times and prints the fastest and the median run.
//!
//! ```sh
//! /work/shared/tools/gen-corpus 10000 /tmp/k10
//! PMSITE_KB=/tmp/k10 cargo bench --bench recurrences
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use pmsite::bench::{Config, SourceFile, SourceKind, parse_postmortem, recurrence_links};

fn main() {
    let Some(root) = std::env::var_os("PMSITE_KB").map(std::path::PathBuf::from) else {
        eprintln!("set PMSITE_KB to a knowledge base (e.g. one gen-corpus wrote)");
        return;
    };
    let runs: usize = std::env::var("PMSITE_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    let config = Config::load(&root).expect("book.toml");
    let content = root.join("content");
    let mut pms = Vec::new();
    for entry in walkdir::WalkDir::new(content.join("postmortems")) {
        let entry = entry.expect("readable folder");
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let file = SourceFile::new(
            SourceKind::Postmortem,
            &root,
            &content,
            entry.path().to_path_buf(),
        );
        let text: Arc<str> = std::fs::read_to_string(entry.path())
            .expect("readable file")
            .into();
        if let Some(pm) = parse_postmortem(&file, text, &config).postmortem {
            pms.push(pm);
        }
    }
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut links = 0;
    for _ in 0..runs {
        let start = Instant::now();
        links = recurrence_links(&pms);
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "recurrences of {} postmortems: {} links; fastest {:.1} ms, median {:.1} ms of {runs} runs",
        pms.len(),
        links,
        times[0].as_secs_f64() * 1e3,
        times[runs / 2].as_secs_f64() * 1e3,
    );
}
