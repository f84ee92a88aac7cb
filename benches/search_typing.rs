//! Typing in the search page of a built site, in headless Chromium: the
//! time from each query's `input` event to its results on screen, then
//! what a new page transfers (each file gzipped, as a static host would)
//! to show the first results of a one-word query, snippets included.
//!
//! ```sh
//! PMSITE_BENCH_SITE=/tmp/out10k cargo bench --bench search_typing
//! ```
//!
//! Without `PMSITE_BENCH_SITE` it says how to use it and exits 0, so a
//! plain `cargo bench` passes. It shares the test suite's browser harness.

#[path = "../tests/suite/harness/browser.rs"]
mod browser;

use std::io::Write;

use browser::StaticServer;

fn gzip_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip").len()
}

fn main() {
    let Ok(dir) = std::env::var("PMSITE_BENCH_SITE") else {
        eprintln!(
            "search_typing: skipped; set PMSITE_BENCH_SITE to a built site (served at /), e.g.\n  PMSITE_BENCH_SITE=/tmp/out10k cargo bench --bench search_typing"
        );
        return;
    };
    let Some(chrome) = browser::launch() else {
        return;
    };
    let server = StaticServer::start(std::path::Path::new(&dir), "/");
    let page = chrome.page();
    page.goto(&server.url("/search/"));
    // Time from the input event to the results on screen, in the page.
    page.eval("(() => { window.__done = 0; new MutationObserver(() => { window.__done = performance.now(); }).observe(document.getElementById('search-results'), {attributes: true, attributeFilter: ['data-for']}); return true; })()");
    let time = |q: &str| {
        let start = std::time::Instant::now();
        page.eval(&format!(
            "(() => {{ const i = document.getElementById('search-q'); i.value = {q:?}; window.__start = performance.now(); window.__done = 0; i.dispatchEvent(new Event('input')); return true; }})()"
        ));
        let n = page.wait_for(
            "results",
            "(() => { const q = document.getElementById('search-q').value.trim(); const st = document.getElementById('search-status').textContent; return window.__done && st.includes('\u{201c}' + q + '\u{201d}') ? (st.match(/\\d+/) || ['0'])[0] : null; })()",
        );
        let ms = page.eval("window.__done - window.__start");
        eprintln!(
            "{ms:>6} ms in the page ({:.1?} with the harness) until results for {q:?} ({n} found)",
            start.elapsed()
        );
    };
    time("latency"); // cold: engine, manifest, a shard, rows
    for q in [
        "l",
        "la",
        "lat",
        "late",
        "kafka",
        "kafka t",
        "kafka ti",
        "kafka tim",
        "kafka timeout",
        "certificate expired",
    ] {
        time(q);
    }
    let served: usize = server.served().iter().map(|(_, n)| n).sum();
    eprintln!("{served} bytes served (uncompressed)");

    // What a fresh page transfers to show the first results of a one-word
    // query, snippets included, each file gzipped as a static host would.
    server.reset_log();
    let fresh = chrome.page();
    fresh.goto(&server.url("/search/?q=latency"));
    fresh.wait_for(
        "snippets",
        "(() => { const r = document.querySelectorAll('#search-results .result-snippet'); return r.length && Array.prototype.every.call(r, p => p.textContent.length > 0) ? r.length : null; })()",
    );
    let mut total = 0;
    for (path, _) in server.served() {
        let rel = path.split('?').next().unwrap_or("").trim_start_matches('/');
        let mut file = std::path::Path::new(&dir).join(rel);
        if rel.is_empty() || rel.ends_with('/') {
            file = file.join("index.html");
        }
        if let Ok(bytes) = std::fs::read(&file) {
            total += gzip_len(&bytes);
        }
    }
    eprintln!(
        "{total} bytes gzip fetched by a new page for \"latency\" (page, engine, manifest, shards, rows, snippet pages: {} requests)",
        server.served().len()
    );
}
