//! `pmsite serve` in headless Chromium: the time from saving a postmortem
//! to its open page having reloaded with the change (the new page's `load`
//! event), for an edit to the prose and one to the title, five times each,
//! on a knowledge base of your choice:
//!
//! ```sh
//! PMSITE_BENCH_KB=/tmp/kb10k cargo bench --bench serve_reload
//! ```
//!
//! It edits the first postmortem of the knowledge base and restores it.
//! Without `PMSITE_BENCH_KB` it says how to use it and exits 0, so a plain
//! `cargo bench` passes. It shares the test suite's harness (the server
//! and the browser).

#[path = "../tests/suite/harness/browser.rs"]
mod browser;
#[path = "../tests/suite/harness/serve.rs"]
mod serve;

use serve::Server;

fn main() {
    let Ok(kb) = std::env::var("PMSITE_BENCH_KB") else {
        eprintln!(
            "serve_reload: skipped; set PMSITE_BENCH_KB to a knowledge base (it edits its first postmortem and restores it), e.g.\n  PMSITE_BENCH_KB=/tmp/kb10k cargo bench --bench serve_reload"
        );
        return;
    };
    let Some(chrome) = browser::launch() else {
        return;
    };
    let kb = std::path::PathBuf::from(kb);
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(kb.join("content/postmortems"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let file = files.first().expect("a postmortem").clone();
    let original = std::fs::read_to_string(&file).unwrap();
    // Puts the file back however the bench ends.
    struct Restore<'a>(&'a std::path::Path, &'a str);
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let _ = std::fs::write(self.0, self.1);
        }
    }
    let _restore = Restore(&file, &original);
    let id = file.file_stem().unwrap().to_string_lossy().to_string();
    let server = Server::start(&kb, &[]);
    let page = chrome.page();
    let url = format!("{}/postmortems/{id}/", server.url.trim_end_matches('/'));
    page.goto(&url);
    page.wait_for(
        "the live-reload connection",
        "window.__pmsite && window.__pmsite.connected",
    );
    let now_ms = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1000.0
    };
    let measure = |what: &str, edited: String, marker: &str| {
        let saved = now_ms();
        std::fs::write(&file, edited).unwrap();
        let loaded = page.wait_for(
            "the reloaded page",
            &format!(
                "performance.timeOrigin > {saved} && document.body && document.body.textContent.includes({marker:?}) && performance.getEntriesByType('navigation')[0].loadEventEnd > 0 && performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd"
            ),
        );
        let ms = loaded.as_f64().unwrap_or(0.0) - saved;
        let began = page.eval("performance.timeOrigin").as_f64().unwrap_or(0.0) - saved;
        eprintln!(
            "{what}: save to reloaded page {ms:.0} ms (the reload began after {began:.0} ms)"
        );
        page.wait_for(
            "the live-reload connection",
            "window.__pmsite && window.__pmsite.connected",
        );
        // A writer saves every few seconds, not every few milliseconds:
        // let the round and the search index finish before the next save.
        for done in ["Built in", "Search index made"] {
            let line = server
                .wait_line(|l| l.starts_with(done))
                .unwrap_or_else(|| panic!("no `{done}` line from the server"));
            eprintln!("  server: {line}");
        }
        ms
    };
    // The first build's search index, made in the background.
    server.wait_line(|l| l.starts_with("Search index made"));
    let mut prose = Vec::new();
    let mut title = Vec::new();
    for run in 0..5 {
        let marker = format!("Benchmark paragraph {run}.");
        prose.push(measure("prose", format!("{original}\n{marker}\n"), &marker));
        let marker = format!("Benchmark title {run}");
        let edited = original.replacen("title: ", &format!("title: {marker} "), 1);
        let edited = edited.replacen(
            &format!("title: {marker} \""),
            &format!("title: \"{marker} "),
            1,
        );
        title.push(measure("title", edited, &marker));
        // Back to the original, so that the next prose edit is one from
        // the original (not also the undoing of this title).
        std::fs::write(&file, &original).unwrap();
        for done in ["Built in", "Search index made"] {
            server.wait_line(|l| l.starts_with(done));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    eprintln!(
        "median: prose {:.0} ms, title {:.0} ms",
        median(&mut prose),
        median(&mut title)
    );
}
