//! `pmsite serve`: the real server on 127.0.0.1 with --port 0, changed by
//! editing, adding, renaming and deleting files; every wait is for an event
//! with a deadline.

use crate::harness::serve::Server;
use crate::harness::{self, Kb, pm};

fn kb() -> Kb {
    let kb = Kb::new("[site]\ntitle = \"Served\"\nbase-url = \"https://example.test/sub/\"\n");
    kb.postmortem(
        "2021-01-01-first.md",
        &pm(
            "First incident",
            "2021-01-01",
            "causes: [dns-misconfiguration, config-change]\n",
        ),
    );
    kb.postmortem(
        "2021-02-01-second.md",
        &pm("Second incident", "2021-02-01", "causes: [config-change]\n"),
    );
    kb
}

#[test]
fn serves_the_site_with_local_links_and_the_reload_script() {
    let kb = kb();
    let server = Server::start(kb.path(), &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let (status, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        body.contains("href=\"/postmortems/2021-01-01-first/\""),
        "base-url is replaced by the local address"
    );
    assert!(body.contains("<script src=\"/__pmsite/live.js\"></script>"));
    let (status, _) = server.get("/postmortems/2021-01-01-first/");
    assert_eq!(status, 200);
    let (status, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's own 404 page");
    let (status, js) = server.get("/__pmsite/live.js");
    assert_eq!(status, 200);
    assert!(js.contains("EventSource"));

    // The build output of `pmsite build` never has the script.
    kb.build(&[]).success();
    assert!(!kb.read("public/index.html").contains("__pmsite"));
}

#[test]
fn paths_outside_the_site_are_404() {
    let kb = kb();
    std::fs::write(kb.join("secret.txt"), "top secret").unwrap();
    let server = Server::start(kb.path(), &[]);
    for target in [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/static/..%2f..%2fsecret.txt",
        "//etc/passwd",
        "/static/%5c..%5csecret.txt",
    ] {
        assert_eq!(server.raw_status(target), 404, "{target}");
    }
}

#[test]
fn edits_additions_renames_and_deletions_reload_the_pages() {
    let kb = kb();
    let server = Server::start(kb.path(), &[]);
    let events = server.events();
    events.wait("hello");

    // An edit: the edited incident's page is announced first, before the
    // list pages are redone; then the whole rebuild.
    kb.postmortem(
        "2021-01-01-first.md",
        &pm("First incident, revised", "2021-01-01", ""),
    );
    let early = events.wait_early("postmortems/2021-01-01-first/index.html");
    assert!(
        early.contains("postmortems/2021-01-01-first/index.html"),
        "{early}"
    );
    assert!(
        !early.contains("\"index.html\""),
        "the home page comes later: {early}"
    );
    let data = events.wait("reload");
    assert!(data.contains("\"index.html\""), "{data}");
    let (_, body) = server.get("/postmortems/2021-01-01-first/");
    assert!(body.contains("First incident, revised"));

    // An atomic save, as editors do it: write a temporary file, rename it
    // over the original.
    let tmp = kb.join("content/postmortems/.2021-01-01-first.md.tmp");
    std::fs::write(
        &tmp,
        pm("First incident, saved atomically", "2021-01-01", ""),
    )
    .unwrap();
    std::fs::rename(&tmp, kb.join("content/postmortems/2021-01-01-first.md")).unwrap();
    events.wait("reload");
    let (_, body) = server.get("/postmortems/2021-01-01-first/");
    assert!(body.contains("First incident, saved atomically"));

    // A new postmortem in a new folder.
    kb.postmortem(
        "2022/2022-03-01-third.md",
        &pm("Third incident", "2022-03-01", ""),
    );
    events.wait("reload");
    assert_eq!(server.get("/postmortems/2022-03-01-third/").0, 200);
    assert!(server.get("/").1.contains("Third incident"));

    // A rename: the page moves.
    std::fs::rename(
        kb.join("content/postmortems/2021-02-01-second.md"),
        kb.join("content/postmortems/2021-02-01-second-renamed.md"),
    )
    .unwrap();
    events.wait("reload");
    assert_eq!(server.get("/postmortems/2021-02-01-second/").0, 404);
    assert_eq!(server.get("/postmortems/2021-02-01-second-renamed/").0, 200);

    // A deletion: the page disappears, and so do the lists' entries.
    std::fs::remove_file(kb.join("content/postmortems/2022/2022-03-01-third.md")).unwrap();
    events.wait("reload");
    assert_eq!(server.get("/postmortems/2022-03-01-third/").0, 404);
    assert!(!server.get("/").1.contains("Third incident"));
}

#[test]
fn a_broken_file_keeps_the_server_alive_and_reports_the_error() {
    let kb = kb();
    let server = Server::start(kb.path(), &[]);
    let events = server.events();
    events.wait("hello");

    kb.postmortem(
        "2021-01-01-first.md",
        "---\ntitle: First\ndate: 2021-01-01\nseverity: SEV9\nsummary: s\n---\n",
    );
    let data = events.wait("failed");
    assert!(
        data.contains(
            "content/postmortems/2021-01-01-first.md:4:11: error: unknown severity `SEV9`"
        ),
        "{data}"
    );
    assert!(
        server
            .wait_line(|l| l.contains("unknown severity `SEV9`"))
            .is_some(),
        "printed in the terminal too"
    );
    // The last good build is still served.
    let (status, body) = server.get("/postmortems/2021-01-01-first/");
    assert_eq!(status, 200);
    assert!(body.contains("First incident"));
    // A page that connects now learns about the error at once.
    let late = server.events();
    let hello = late.wait("hello");
    assert!(hello.contains("unknown severity"), "{hello}");

    // The next good save clears it.
    kb.postmortem(
        "2021-01-01-first.md",
        &pm("First incident, fixed", "2021-01-01", ""),
    );
    events.wait("reload");
    let hello = server.events().wait("hello");
    assert!(hello.contains("\"error\":null"), "{hello}");
    assert!(
        server
            .get("/postmortems/2021-01-01-first/")
            .1
            .contains("First incident, fixed")
    );
}

#[test]
fn undoing_a_broken_save_clears_the_error() {
    let kb = kb();
    let server = Server::start(kb.path(), &[]);
    let events = server.events();
    events.wait("hello");
    let file = kb.join("content/postmortems/2021-01-01-first.md");
    let good = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, good.replace("severity: SEV", "severity: XEV")).unwrap();
    events.wait("failed");
    // Back to the last good text: no page changes, yet the error goes.
    std::fs::write(&file, &good).unwrap();
    let ok = events.wait("ok");
    assert!(ok.contains("\"build\""), "{ok}");
    let hello = server.events().wait("hello");
    assert!(hello.contains("\"error\":null"), "{hello}");
}

/// Swap and backup files are ignored: writing them neither rebuilds nor
/// publishes anything (any other file under `content/` is published beside
/// the postmortems and named in the rebuild it causes).
#[test]
fn swap_and_backup_files_do_not_rebuild() {
    let kb = kb();
    let server = Server::start(kb.path(), &[]);
    let events = server.events();
    events.wait("hello");
    std::fs::write(
        kb.join("content/postmortems/.2021-01-01-first.md.swp"),
        "garbage",
    )
    .unwrap();
    std::fs::write(
        kb.join("content/postmortems/2021-01-01-first.md~"),
        "garbage",
    )
    .unwrap();
    // A real change afterwards is the next thing the pages hear about.
    kb.postmortem(
        "2021-02-01-second.md",
        &pm("Second incident, edited", "2021-02-01", ""),
    );
    let data = events.wait("reload");
    assert!(data.contains("2021-02-01-second"), "{data}");
    assert!(!data.contains(".swp") && !data.contains(".md~"), "{data}");
    // The first rebuild since the server started was for that change
    // alone: a swap or backup file it saw would be named with it (in the
    // same burst) or in a rebuild of its own before it.
    let log = server
        .lines_until(|l| l.starts_with("Built in "))
        .expect("the rebuild is logged");
    let changed: Vec<&str> = log
        .iter()
        .filter_map(|l| l.strip_prefix("changed: "))
        .collect();
    assert_eq!(
        changed,
        ["content/postmortems/2021-02-01-second.md"],
        "{log:#?}"
    );
    // What is served: the saved text, the other page as it was, and
    // neither leftover file.
    assert!(
        server
            .get("/postmortems/2021-02-01-second/")
            .1
            .contains("Second incident, edited")
    );
    assert!(
        server
            .get("/postmortems/2021-01-01-first/")
            .1
            .contains("First incident")
    );
    assert_eq!(server.get("/postmortems/.2021-01-01-first.md.swp").0, 404);
    assert_eq!(server.get("/postmortems/2021-01-01-first.md~").0, 404);
    assert!(!server.get("/").1.contains("garbage"));
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let kb = kb();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = kb.run(&["serve", "--port", &port]);
    run.failure();
    run.stderr_has("the port is already in use");
    run.stderr_has("--port 0");
}

#[test]
fn ctrl_c_stops_cleanly_and_removes_the_temporary_folder() {
    let kb = kb();
    let server = Server::start(kb.path(), &[]);
    let dir = server
        .dir
        .clone()
        .expect("the served folder is printed with -v");
    assert!(dir.join("index.html").exists());
    assert_eq!(server.interrupt(), 0);
    assert!(!dir.exists(), "{} is left behind", dir.display());
}

#[test]
fn polling_finds_changes_without_file_system_events() {
    let kb = kb();
    let server = Server::start(kb.path(), &["--poll"]);
    let events = server.events();
    events.wait("hello");
    kb.postmortem(
        "2021-01-01-first.md",
        &pm("First incident, polled", "2021-01-01", ""),
    );
    // Polling compares modification times to the second: make this write
    // unmistakably later than the file's creation, whatever the clock.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(2);
    std::fs::File::options()
        .write(true)
        .open(kb.join("content/postmortems/2021-01-01-first.md"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    events.wait("reload");
    assert!(
        server
            .get("/postmortems/2021-01-01-first/")
            .1
            .contains("First incident, polled")
    );
}

/// What a writer sees: the open page reloads itself after a save, keeps its
/// scroll position, shows a broken save's error over the page (which stays
/// the last good build) and clears it after the fix. In headless Chromium.
#[test]
fn the_open_page_reloads_and_shows_errors_in_the_browser() {
    let Some(chrome) = harness::browser::launch() else {
        return;
    };
    let kb = kb();
    // A body long enough to scroll.
    let long = |title: &str| {
        let mut text = pm(title, "2021-01-01", "");
        for i in 0..80 {
            text.push_str(&format!("\nParagraph {i} of the analysis.\n"));
        }
        text
    };
    kb.postmortem("2021-01-01-first.md", &long("First incident"));
    let server = Server::start(kb.path(), &[]);
    let page = chrome.page();
    page.goto(&format!(
        "{}/postmortems/2021-01-01-first/",
        server.url.trim_end_matches('/')
    ));
    page.wait_for(
        "the first build",
        "document.querySelector('h1') && document.querySelector('h1').textContent.includes('First incident')",
    );
    // Connected to the event stream before anything changes.
    page.wait_for(
        "the live-reload connection",
        "window.__pmsite && window.__pmsite.connected",
    );
    page.eval("(window.scrollTo(0, 700), window.__notReloaded = true)");
    page.wait_for("the scroll", "window.scrollY >= 700");

    // A save: the page reloads by itself with the new text, where it was.
    kb.postmortem("2021-01-01-first.md", &long("First incident, revised"));
    page.wait_for(
        "the reloaded page",
        "!window.__notReloaded && document.querySelector('h1') && document.querySelector('h1').textContent.includes('revised')",
    );
    page.wait_for("the scroll position kept", "window.scrollY >= 700");

    // A broken save: the error, with its place in the file, over the page.
    page.eval("window.__notReloaded = true");
    kb.postmortem(
        "2021-01-01-first.md",
        "---\ntitle: First\ndate: 2021-01-01\nseverity: SEV9\nsummary: s\n---\n",
    );
    let shown = page.wait_for(
        "the error overlay",
        "(() => { const o = document.getElementById('pmsite-error-overlay'); return o && o.style.display !== 'none' && o.textContent; })()",
    );
    let shown = shown.as_str().unwrap_or_default().to_string();
    assert!(
        shown.contains("content/postmortems/2021-01-01-first.md:4:11")
            && shown.contains("unknown severity `SEV9`"),
        "{shown}"
    );
    assert_eq!(
        page.eval(
            "!!window.__notReloaded && document.querySelector('h1').textContent.includes('revised')"
        ),
        serde_json::Value::Bool(true),
        "the page under the error stays the last good build"
    );

    // The fix: the error goes and the page shows the fixed text.
    kb.postmortem("2021-01-01-first.md", &long("First incident, fixed"));
    page.wait_for(
        "the fixed page without the overlay",
        "!document.getElementById('pmsite-error-overlay') && document.querySelector('h1') && document.querySelector('h1').textContent.includes('fixed')",
    );

    // A page that is hidden or left lets go of its connection (browsers
    // allow six per host), and catches up when shown again.
    page.wait_for(
        "the live-reload connection",
        "window.__pmsite && window.__pmsite.connected",
    );
    page.eval("(window.__stillHere = true, window.dispatchEvent(new PageTransitionEvent('pagehide')), true)");
    assert_eq!(
        page.eval("window.__pmsite.connected"),
        serde_json::Value::Bool(false)
    );
    kb.postmortem("2021-01-01-first.md", &long("First incident, while away"));
    page.eval("(window.dispatchEvent(new PageTransitionEvent('pageshow')), true)");
    page.wait_for(
        "the page caught up after being shown",
        "!window.__stillHere && document.querySelector('h1') && document.querySelector('h1').textContent.includes('while away')",
    );
}

#[test]
fn bind_takes_host_names() {
    let kb = kb();
    let server = Server::start(kb.path(), &["--bind", "localhost"]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    assert_eq!(server.get("/").0, 200);
    drop(server);
    let run = kb.run(&["serve", "--bind", "no.such.host.invalid"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    run.stderr_has("--bind `no.such.host.invalid` is not an address or a known host name");
}

/// A file whose name is near the file system's limit on a name's length
/// is served as it is built (the server's temporary file has a short name
/// of its own).
#[test]
fn a_file_with_a_long_name_is_served() {
    let kb = kb();
    let name = format!("{}.txt", "a".repeat(250));
    kb.write(&format!("content/diagrams/{name}"), "long");
    let server = Server::start(kb.path(), &[]);
    let (status, body) = server.get(&format!("/diagrams/{name}"));
    assert_eq!(status, 200);
    assert_eq!(body, "long");
}

/// A file that takes a path the site makes stops the round before any
/// page is written: the last good build stays served while it is there,
/// and the site's own file comes back when it goes.
#[test]
fn a_file_taking_a_path_of_the_site_keeps_the_last_good_build() {
    let kb = kb();
    let server = Server::start(kb.path(), &[]);
    let events = server.events();
    events.wait("hello");
    let stats = server.get("/stats.json").1;

    kb.write("content/stats.json", "mine");
    let data = events.wait("failed");
    assert!(
        data.contains("content/stats.json: error: this file cannot be published at /stats.json"),
        "{data}"
    );
    kb.postmortem(
        "2022-03-01-third.md",
        &pm("Third incident", "2022-03-01", ""),
    );
    events.wait("failed");
    assert_eq!(server.get("/postmortems/2022-03-01-third/").0, 404);
    assert_eq!(server.get("/stats.json").1, stats);

    std::fs::remove_file(kb.join("content/stats.json")).unwrap();
    events.wait("reload");
    assert_eq!(server.get("/postmortems/2022-03-01-third/").0, 200);
    assert_ne!(server.get("/stats.json").1, "mine");
}
