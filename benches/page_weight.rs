//! How heavy the pages of a built site are, per kind of page: how many
//! there are, the largest one's HTML bytes, and that page's DOM elements
//! and load time in headless Chromium (the `load` event, median of 3
//! loads), from a static server of your choice; then the whole output's
//! size and file count, and how many HTML pages are over 1 MB.
//!
//! ```sh
//! (cd /tmp/site && python3 -m http.server 8000 --bind 127.0.0.1) &
//! PMSITE_BENCH_SITE=/tmp/site PMSITE_BENCH_URL=http://127.0.0.1:8000/ cargo bench --bench page_weight
//! ```
//!
//! `scripts/page-weight.sh` builds a generated knowledge base, serves it
//! and runs this. Without the variables it says how to use it and exits 0.

#[path = "../tests/suite/harness/browser.rs"]
mod browser;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The kind of page a file of the site is, from its path.
fn kind(rel: &str) -> Option<String> {
    if rel == "404.html" {
        return Some("404".into());
    }
    let dir = rel.strip_suffix("index.html")?;
    let parts: Vec<&str> = dir.trim_end_matches('/').split('/').collect();
    if dir.ends_with("page/1/") {
        return Some("redirect (<list>/page/1/)".into());
    }
    let paged = dir.contains("/page/") || dir.starts_with("page/");
    let page = |name: &str| {
        if paged {
            format!("{name}, page 2..N")
        } else {
            format!("{name}, page 1")
        }
    };
    let list_of = |parts: &[&str]| -> usize {
        parts
            .iter()
            .position(|p| *p == "page")
            .unwrap_or(parts.len())
    };
    let n = list_of(&parts);
    Some(match (parts[0], n) {
        ("", _) => "home".into(),
        ("postmortems", 1) => page("/postmortems/"),
        ("postmortems", _) => "incident".into(),
        ("timeline", _) => page("/timeline/"),
        ("causes" | "services" | "teams" | "tags", 1) => page(&format!("/{}/ index", parts[0])),
        ("causes" | "services" | "teams" | "tags", _) => {
            page(&format!("{} page", parts[0].trim_end_matches('s')))
        }
        ("follow-ups", 1) => page("/follow-ups/ board"),
        ("follow-ups", 2) if parts[1] == "done" => page("/follow-ups/done/"),
        ("follow-ups", 2) => page("/follow-ups/<view>/"),
        ("follow-ups", _) => page("/follow-ups/<view>/<group>/"),
        ("recurrences", _) => page("/recurrences/"),
        ("review", _) => page("/review/"),
        ("kinds", 1) => page("/kinds/ index"),
        ("kinds", _) => page("kind page"),
        ("stats", _) => "/stats/".into(),
        ("search", _) => "/search/".into(),
        _ => "free page".into(),
    })
}

struct Kind {
    pages: usize,
    largest: (u64, String),
}

fn main() {
    let (Ok(site), Ok(url)) = (
        std::env::var("PMSITE_BENCH_SITE"),
        std::env::var("PMSITE_BENCH_URL"),
    ) else {
        eprintln!(
            "page_weight: skipped; set PMSITE_BENCH_SITE to a built site and PMSITE_BENCH_URL to a static server of it, e.g.\n  PMSITE_BENCH_SITE=/tmp/site PMSITE_BENCH_URL=http://127.0.0.1:8000/ cargo bench --bench page_weight\n(scripts/page-weight.sh does all of it)"
        );
        return;
    };
    let site = PathBuf::from(site);
    let url = format!("{}/", url.trim_end_matches('/'));
    let mut kinds: BTreeMap<String, Kind> = BTreeMap::new();
    let (mut bytes, mut blocks, mut files, mut folders, mut over_1mb) = (0u64, 0u64, 0u64, 0u64, 0);
    for entry in walkdir::WalkDir::new(&site).min_depth(1) {
        let entry = entry.expect("walk the site");
        let meta = entry.metadata().expect("stat");
        blocks += meta.blocks() * 512;
        if entry.file_type().is_dir() {
            folders += 1;
            continue;
        }
        files += 1;
        bytes += meta.len();
        let rel = rel(&site, entry.path());
        if rel.ends_with(".html") && meta.len() > 1_000_000 {
            over_1mb += 1;
        }
        if let Some(k) = kind(&rel) {
            let e = kinds.entry(k).or_insert(Kind {
                pages: 0,
                largest: (0, String::new()),
            });
            e.pages += 1;
            if meta.len() > e.largest.0 {
                e.largest = (meta.len(), rel);
            }
        }
    }
    let Some(chrome) = browser::launch() else {
        return;
    };
    let page = chrome.page();
    // Warm the stylesheet and scripts, as a reader's second page would.
    page.goto(&url);
    println!(
        "| page | pages | largest HTML | DOM elements | load (ms, median of 3) | measured on |"
    );
    println!("|---|---|---|---|---|---|");
    let mut worst = (0.0f64, 0u64);
    for (name, k) in &kinds {
        let (size, rel) = &k.largest;
        let target = format!("{url}{}", rel.trim_end_matches("index.html"));
        let rel = rel.trim_end_matches("index.html");
        let (dom, ms) = if name.starts_with("redirect") {
            ("—".to_string(), "—".to_string())
        } else {
            let (dom, ms) = measure(&page, &target);
            worst = (worst.0.max(ms), worst.1.max(dom));
            (dom.to_string(), format!("{ms:.0}"))
        };
        println!(
            "| {name} | {} | {} | {dom} | {ms} | `{}` |",
            k.pages,
            human(*size),
            if rel.is_empty() { "/" } else { rel }
        );
    }
    println!();
    println!(
        "output: {} in {files} files and {folders} folders (the files' bytes); {} on disk (du); {over_1mb} HTML pages over 1 MB; slowest load {:.0} ms, most DOM elements {}",
        human(bytes),
        human(blocks),
        worst.0,
        worst.1
    );
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn human(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else {
        format!("{:.1} KB", n as f64 / 1e3)
    }
}

/// DOM elements and the median load time of three loads of `url`.
fn measure(page: &browser::Page, url: &str) -> (u64, f64) {
    let mut loads = Vec::new();
    let mut dom = 0;
    for _ in 0..3 {
        page.goto(url);
        let ms = page.wait_for(
            "the load event",
            "performance.getEntriesByType('navigation')[0].loadEventEnd",
        );
        loads.push(ms.as_f64().unwrap_or(0.0));
        dom = page
            .eval("document.getElementsByTagName('*').length")
            .as_u64()
            .unwrap_or(0);
    }
    loads.sort_by(f64::total_cmp);
    (dom, loads[1])
}
