//! `pmsite build` on valid knowledge bases: every page, escaping, base-url,
//! determinism, and the output folder's safety rules.

use crate::harness::{Kb, pm, snapshot};

const BUILT_IDS: &[&str] = &[
    "2018-04-12-timeouts",
    "2019-03-01-config-push",
    "2020-01-15-internal-thing",
];

#[test]
fn every_page_exists() {
    let kb = Kb::fixture("basic");
    kb.build(&[]).success();
    for page in [
        "index.html",
        "404.html",
        "postmortems/index.html",
        "causes/index.html",
        "causes/missing-timeout/index.html",
        "causes/config-change/index.html",
        "services/index.html",
        "services/web/index.html",
        "services/dns/index.html",
        "teams/index.html",
        "teams/platform/index.html",
        "tags/index.html",
        "tags/facebook/index.html",
        "follow-ups/index.html",
        "timeline/index.html",
        "stats/index.html",
        "start-here/index.html",
        "feed.xml",
        "sitemap.xml",
        "postmortems.json",
        "static/style.css",
        "static/highlight.css",
        "postmortems/img/latency.png",
        ".pmsite-output",
    ] {
        assert!(
            kb.exists(&format!("public/{page}")),
            "missing public/{page}"
        );
    }
    for id in BUILT_IDS {
        assert!(
            kb.exists(&format!("public/postmortems/{id}/index.html")),
            "missing {id}"
        );
    }
    assert!(
        !kb.exists("public/postmortems/2020-02-01-draft/index.html"),
        "drafts are left out"
    );
}

#[test]
fn drafts_and_public_builds() {
    let kb = Kb::fixture("basic");
    kb.build(&["--drafts"]).success();
    assert!(kb.exists("public/postmortems/2020-02-01-draft/index.html"));

    kb.build(&["--public"]).success();
    assert!(!kb.exists("public/postmortems/2020-01-15-internal-thing/index.html"));
    let json = kb.read("public/postmortems.json");
    assert!(
        !json.contains("internal-thing"),
        "internal incidents are left out of the JSON"
    );
    let feed = kb.read("public/feed.xml");
    assert!(!feed.contains("internal-thing"));
    // A link to the internal incident becomes plain text on public pages.
    let page = kb.read("public/start-here/index.html");
    assert!(
        !page.contains("postmortems/2020-01-15-internal-thing"),
        "{page}"
    );
}

#[test]
fn text_from_files_is_escaped() {
    let kb = Kb::fixture("basic");
    kb.build(&[]).success();
    let page = kb.read("public/postmortems/2018-04-12-timeouts/index.html");
    assert!(
        page.contains("slow &lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2F;script&gt; calls")
            || page.contains("slow &lt;script&gt;"),
        "title escaped"
    );
    assert!(page.contains("&lt;b&gt;exhausted&lt;"), "summary escaped");
    assert!(
        page.contains("<!-- raw HTML omitted -->"),
        "raw HTML left out"
    );
    for (path, bytes) in snapshot(&kb.join("public")) {
        if !(path.ends_with(".html") || path.ends_with(".xml")) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("<script>alert"),
            "unescaped script in {path}"
        );
    }
    let home = kb.read("public/index.html");
    assert!(
        home.contains("<title>Fixture &lt;Library&gt;</title>"),
        "{home}"
    );
}

#[test]
fn links_honour_the_base_url_sub_path() {
    let kb = Kb::fixture("basic");
    kb.build(&[]).success();
    let page = kb.read("public/postmortems/2018-04-12-timeouts/index.html");
    assert!(page.contains("href=\"/incidents/static/style.css\""));
    assert!(page.contains("href=\"/incidents/causes/missing-timeout/\""));
    assert!(
        page.contains("src=\"/incidents/postmortems/img/latency.png\""),
        "image rewritten"
    );
    assert!(page.contains("<a href=\"/incidents/postmortems/2019-03-01-config-push/\" data-wikilink=\"true\">Config push broke DNS</a>"));
    let feed = kb.read("public/feed.xml");
    assert!(
        feed.contains("<id>https://acme.example/incidents/postmortems/2018-04-12-timeouts/</id>"),
        "{feed}"
    );

    kb.build(&["--base-url", "https://other.example/kb"])
        .success();
    let page = kb.read("public/postmortems/2018-04-12-timeouts/index.html");
    assert!(page.contains("href=\"/kb/static/style.css\""));
    let json = kb.read("public/postmortems.json");
    assert!(json.contains("\"url\":\"https://other.example/kb/postmortems/2018-04-12-timeouts/\""));
}

#[test]
fn every_internal_link_resolves() {
    let kb = Kb::fixture("basic");
    kb.build(&["--base-url", "/"]).success();
    let out = kb.join("public");
    let re = regex::Regex::new(r##"(?:href|src)="(/[^"#]*)"##).unwrap();
    for (path, bytes) in snapshot(&out) {
        if !path.ends_with(".html") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for cap in re.captures_iter(&text) {
            let url = &cap[1];
            let decoded = percent_encoding::percent_decode_str(url)
                .decode_utf8_lossy()
                .into_owned();
            let target = out.join(decoded.trim_start_matches('/'));
            let ok = if url.ends_with('/') {
                target.join("index.html").is_file()
            } else {
                target.is_file()
            };
            assert!(ok, "{path}: broken link {url}");
        }
    }
}

#[test]
fn output_is_deterministic() {
    let kb = Kb::fixture("basic");
    kb.build(&["--out", "one"]).success();
    kb.build(&["--out", "two"]).success();
    let a = snapshot(&kb.join("one"));
    let b = snapshot(&kb.join("two"));
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(b.iter()) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between two builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let kb = Kb::fixture("basic");
    kb.build(&[]).success();
    let before = snapshot(&kb.join("public"));
    kb.postmortem("broken.md", "---\ntitle: [unclosed\n---\n");
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(snapshot(&kb.join("public")), before);
    let leftovers: Vec<String> = std::fs::read_dir(kb.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pmsite-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn files_of_earlier_builds_do_not_linger() {
    let kb = Kb::fixture("basic");
    kb.build(&[]).success();
    assert!(kb.exists("public/postmortems/2019-03-01-config-push/index.html"));
    std::fs::remove_file(kb.join("content/postmortems/2019/2019-03-01-config-push.md")).unwrap();
    // Nothing else refers to it by id any more once these go too.
    kb.write(
        "content/postmortems/2018-04-12-timeouts.md",
        kb.read("content/postmortems/2018-04-12-timeouts.md")
            .replace("related: [2019-03-01-config-push]\n", "")
            .replace("See [[2019-03-01-config-push]] too.", ""),
    );
    kb.build(&[]).success();
    assert!(!kb.exists("public/postmortems/2019-03-01-config-push/index.html"));
}

#[test]
fn the_output_folder_is_never_the_knowledge_base() {
    let kb = Kb::fixture("basic");
    for out in [".", "content", "themes", "content/postmortems", ".."] {
        let run = kb.build(&["--out", out]);
        run.failure();
        run.stderr_has("refusing to use");
    }
    assert!(kb.exists("content/postmortems/2018-04-12-timeouts.md"));
    assert!(kb.exists("book.toml"));
}

#[test]
fn a_foreign_output_folder_needs_force() {
    let kb = Kb::fixture("basic");
    kb.write("public/keep.txt", "mine");
    let run = kb.build(&[]);
    run.failure();
    run.stderr_has("was not created by pmsite");
    assert_eq!(kb.read("public/keep.txt"), "mine");
    kb.build(&["--force"]).success();
    assert!(!kb.exists("public/keep.txt"));
    assert!(kb.exists("public/index.html"));
}

#[test]
fn body_timelines_and_task_lists_are_read() {
    let kb = Kb::fixture("basic");
    kb.build(&[]).success();
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    let pms = json["postmortems"].as_array().unwrap();
    let push = pms
        .iter()
        .find(|p| p["id"] == "2019-03-01-config-push")
        .unwrap();
    // Copenhagen is UTC+1 on 1 March.
    assert_eq!(push["started"], "2019-03-01T08:47:00Z");
    assert_eq!(push["time_to_detect_s"], 8 * 60);
    assert_eq!(push["time_to_resolve_s"], 44 * 60);
    let fus = push["follow_ups"].as_array().unwrap();
    assert_eq!(fus.len(), 2);
    assert_eq!(fus[0]["status"], "done");
    assert_eq!(fus[0]["ticket"], "OPS-200");
    assert_eq!(fus[0]["url"], "https://tickets.example/browse/OPS-200");
    assert_eq!(fus[1]["status"], "open");
}

#[test]
fn the_json_export_has_the_documented_shape() {
    let kb = Kb::fixture("basic");
    kb.build(&[]).success();
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    assert_eq!(
        json["generated"], "2020-05-31T22:00:00Z",
        "--now is midnight in the site zone"
    );
    let keys = [
        "id",
        "url",
        "title",
        "date",
        "severity",
        "status",
        "summary",
        "services",
        "teams",
        "causes",
        "trigger",
        "detection",
        "started",
        "detected",
        "acknowledged",
        "mitigated",
        "resolved",
        "time_to_detect_s",
        "time_to_resolve_s",
        "follow_ups",
        "related",
        "kind",
        "recurrence_of",
        "source_url",
        "extra",
    ];
    for p in json["postmortems"].as_array().unwrap() {
        let obj = p.as_object().unwrap();
        let mut have: Vec<&str> = obj.keys().map(String::as_str).collect();
        have.sort();
        let mut want = keys.to_vec();
        want.sort();
        assert_eq!(have, want);
        assert_eq!(
            p["extra"],
            serde_json::json!({}),
            "an object, empty when none"
        );
        for f in p["follow_ups"].as_array().unwrap() {
            let mut have: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
            have.sort();
            assert_eq!(
                have,
                [
                    "due", "overdue", "owner", "ticket", "title", "status", "url"
                ]
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
            );
        }
    }
    let t = json["postmortems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "2018-04-12-timeouts")
        .unwrap();
    assert_eq!(t["time_to_detect_s"], 420);
    assert_eq!(t["time_to_resolve_s"], 2460);
    assert_eq!(t["related"], serde_json::json!(["2019-03-01-config-push"]));
    assert_eq!(
        t["follow_ups"][1]["overdue"], true,
        "due 2019-01-01, open, build date 2020-06-01"
    );
    assert_eq!(t["follow_ups"][0]["overdue"], false);
    let internal = json["postmortems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "2020-01-15-internal-thing")
        .unwrap();
    assert_eq!(internal["trigger"], serde_json::Value::Null);
    assert_eq!(internal["started"], serde_json::Value::Null);
}

#[test]
fn source_date_epoch_fixes_the_build_date() {
    let kb = Kb::fixture("basic");
    let out = assert_cmd::Command::cargo_bin("pmsite")
        .unwrap()
        .current_dir(kb.path())
        .env("SOURCE_DATE_EPOCH", "1546300800")
        .args(["build"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    assert_eq!(json["generated"], "2019-01-01T00:00:00Z");
}

#[test]
fn a_minimal_knowledge_base_builds() {
    let kb = Kb::new("");
    kb.postmortem("2021-01-01-x.md", &pm("X", "2021-01-01", ""));
    kb.build(&[]).success();
    assert!(kb.exists("public/postmortems/2021-01-01-x/index.html"));
    assert!(
        kb.read("public/index.html")
            .contains("href=\"/static/style.css\"")
    );
}

#[test]
fn root_is_found_upwards_or_reported() {
    let kb = Kb::new("");
    kb.postmortem("2021-01-01-x.md", &pm("X", "2021-01-01", ""));
    let sub = kb.join("content/postmortems");
    kb.run_in(&sub, &["build", "--now", "2020-01-01"]).success();
    assert!(kb.exists("public/index.html"));

    let empty = Kb::empty();
    let run = empty.run(&["build"]);
    run.failure();
    run.stderr_has("no book.toml found in");
    run.stderr_has("pmsite init");

    let run = empty.run(&["build", "--root", "nowhere"]);
    run.failure();
    run.stderr_has("no such folder");
}

/// Every non-Markdown file under content/ is published at its path, not
/// only those beside postmortems and pages, and Markdown links reach it;
/// a Markdown file outside postmortems/ and pages/ is reported, not read.
#[test]
fn files_anywhere_under_content_are_published() {
    let kb = Kb::new("");
    kb.postmortem(
        "2021-01-01-x.md",
        &format!(
            "{}\n![The flow](../diagrams/flow.png)\n\n[Raw log](../logs/2021/x.txt)\n",
            pm("X", "2021-01-01", "")
        ),
    );
    kb.write("content/diagrams/flow.png", [1u8, 2, 3]);
    kb.write("content/logs/2021/x.txt", "log");
    kb.write("content/robots.txt", "User-agent: *\n");
    kb.write("content/notes/README.md", "# Notes\n");
    let run = kb.build(&[]);
    run.success();
    assert_eq!(
        std::fs::read(kb.join("public/diagrams/flow.png")).unwrap(),
        [1, 2, 3]
    );
    assert_eq!(kb.read("public/logs/2021/x.txt"), "log");
    assert!(kb.exists("public/robots.txt"));
    assert!(!run.stderr.contains("missing-image"), "{}", run.stderr);
    let page = kb.read("public/postmortems/2021-01-01-x/index.html");
    assert!(page.contains("src=\"/diagrams/flow.png\""), "{page}");
    assert!(page.contains("href=\"/logs/2021/x.txt\""), "{page}");
    run.stderr_has("content/notes/README.md:1:1: warning[not-read]: ")
        .stderr_has("postmortems go in content/postmortems/ and pages in content/pages/");
    assert!(!kb.exists("public/notes/README.md"));
}

/// With `content-dir = "."` the rest of the root is content too, but the
/// themes and book.toml are never published as files.
#[test]
fn a_content_folder_at_the_root_does_not_publish_the_theme_or_the_config() {
    let kb = Kb::new("[build]\ncontent-dir = \".\"\n");
    kb.write("postmortems/2021-01-01-x.md", pm("X", "2021-01-01", ""));
    kb.write("themes/default/static/extra.css", "a{}");
    kb.write("img/a.png", [1u8]);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    kb.build(&["--out", site.to_str().unwrap()]).success();
    assert!(site.join("postmortems/2021-01-01-x/index.html").exists());
    assert!(site.join("img/a.png").exists());
    assert!(!site.join("book.toml").exists());
    assert!(!site.join("themes").exists());
}

/// A file of the author's never replaces a file the site makes (a page,
/// the export, the theme's CSS, the search index), nor needs a folder
/// where the site makes a file or a file where it makes a folder: each is
/// an error at the file, from `build` and `check` alike.
#[test]
fn a_file_of_the_authors_never_takes_a_path_the_site_makes() {
    let kb = Kb::new("");
    kb.postmortem("2021-01-01-x.md", &pm("X", "2021-01-01", ""));
    let taken = [
        "content/index.html",
        "content/postmortems/2021-01-01-x/index.html",
        "content/postmortems.json",
        "content/static/style.css",
        "content/search/manifest.json",
        "content/timeline",
        "content/feed.xml/a.txt",
    ];
    for rel in taken {
        kb.write(rel, "mine");
    }
    kb.write("content/causes/diagram.png", [1u8]);
    kb.write("content/static/logo.png", [1u8]);
    let run = kb.build(&[]);
    run.failure();
    let errors = run.error_lines();
    let expected = [
        "content/feed.xml/a.txt: error: this file cannot be published at /feed.xml/a.txt: it needs a folder /feed.xml/, and the site makes the file /feed.xml",
        "content/index.html: error: this file cannot be published at /index.html: the site makes a file of its own there",
        "content/postmortems/2021-01-01-x/index.html: error: this file cannot be published at /postmortems/2021-01-01-x/index.html: the site makes a file of its own there",
        "content/postmortems.json: error: this file cannot be published at /postmortems.json: the site makes a file of its own there",
        "content/search/manifest.json: error: this file cannot be published at /search/manifest.json: /search/ holds the search index the site makes",
        "content/static/style.css: error: this file cannot be published at /static/style.css: the site makes a file of its own there",
        "content/timeline: error: this file cannot be published at /timeline: the site makes the folder /timeline/ (its own files go there)",
    ];
    assert_eq!(errors, expected, "{}", run.stderr);
    run.stderr_has("put yours in themes/<theme>/static/");
    assert!(!kb.exists("public"));
    let check = kb.run(&["check"]);
    check.failure();
    for e in &errors {
        assert!(check.stdout.contains(e.as_str()), "check reports {e}");
    }
    // Beside the site's files, not on them: published.
    for rel in taken {
        std::fs::remove_file(kb.join(rel)).unwrap();
    }
    kb.build(&[]).success();
    assert!(kb.exists("public/causes/diagram.png"));
    assert!(kb.exists("public/static/logo.png"));
    assert!(kb.read("public/index.html").contains("<html"));
}

/// Symbolic links are followed only to a file that would be published
/// itself: inside content/, not a dotfile, not the output or book.toml.
#[cfg(unix)]
#[test]
fn symbolic_links_lead_only_to_files_that_are_published_themselves() {
    use std::os::unix::fs::symlink;
    let kb = Kb::new("");
    kb.postmortem("2021-01-01-x.md", &pm("X", "2021-01-01", ""));
    kb.write("content/shared/flow.png", [7u8]);
    kb.write("content/.private/key.txt", "k");
    kb.write(".env", "SECRET=1");
    kb.write("content/diagrams/keep.txt", "x");
    let link = |target: &str, name: &str| {
        symlink(target, kb.join(&format!("content/diagrams/{name}"))).unwrap()
    };
    link("../shared/flow.png", "flow.png");
    link("../../.env", "env.txt");
    link("../.private/key.txt", "key.txt");
    link("../../book.toml", "book.txt");
    link("../nowhere.png", "gone.png");
    link("../shared", "folder");
    link("../postmortems/2021-01-01-x.md", "source.txt");
    kb.write("content/notes/secret.md", "# not read\n");
    kb.write("content/pages/.keep", "");
    symlink("../notes/secret.md", kb.join("content/pages/notes.md")).unwrap();
    let run = kb.build(&[]);
    run.success();
    run.stderr_has("content/pages/notes.md: warning[symlink-outside]: content/pages/notes.md is a link to a Markdown file that is not read");
    assert!(!kb.exists("public/notes/index.html"));
    assert_eq!(
        std::fs::read(kb.join("public/diagrams/flow.png")).unwrap(),
        [7]
    );
    for (name, why) in [
        ("env.txt", "a link that leads outside the content folder"),
        ("book.txt", "a link that leads outside the content folder"),
        ("key.txt", "a link to a file that is not published"),
        ("gone.png", "a link that leads nowhere"),
        ("folder", "a link to a folder"),
        (
            "source.txt",
            "a link between a Markdown file and a file of another kind",
        ),
    ] {
        run.stderr_has(&format!(
            "content/diagrams/{name}: warning[symlink-outside]: content/diagrams/{name} is {why}"
        ));
        assert!(!kb.exists(&format!("public/diagrams/{name}")), "{name}");
    }
}
