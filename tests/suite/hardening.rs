//! Hostile input: shapes that overflowed the stack (at 8,000 characters)
//! build at ten times that size with every character on the page, or fail
//! with a positioned error; `check` agrees with `build`; no script gets in
//! through book.toml or files under content/; staging folders of killed
//! builds neither linger nor show up in git; output paths are named as given.

use crate::harness::{Kb, pm};

/// Ten times the size that crashed `build` before.
const N: usize = 80_000;

fn pm_with(title: &str, extra: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\n{extra}---\n\n{body}\n"
    )
}

/// Builds a knowledge base of one postmortem; it must build, `check` must
/// pass too, and the incident page must hold `expect`. Returns the build's
/// standard error.
#[track_caller]
fn builds_whole(text: &str, expect: &str) -> String {
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    kb.postmortem("2020-01-01-x.md", text);
    let run = kb.build(&[]);
    run.success();
    let page = kb.read("public/postmortems/2020-01-01-x/index.html");
    assert!(page.contains(expect), "the text is on the page");
    let check = kb.run(&["check", "--now", "2020-06-01"]);
    assert_eq!(check.status, 0, "check agrees:\n{}", check.stderr);
    run.stderr.clone()
}

#[test]
fn one_long_token_in_the_body_the_title_and_a_heading() {
    let word = "a".repeat(N);
    builds_whole(&pm_with("t", "", &word), &word);
    builds_whole(&pm_with(&word, "", "x"), &word);
    builds_whole(&pm_with("t", "", &format!("# {word}")), &word);
}

#[test]
fn long_urls_autolinks_and_www_labels() {
    let path = "a".repeat(N);
    builds_whole(
        &pm_with("t", "", &format!("https://example.com/{path}")),
        &path,
    );
    builds_whole(
        &pm_with("t", "", &format!("[x](https://example.com/{path})")),
        &path,
    );
    let labels = "a.".repeat(N / 2);
    builds_whole(&pm_with("t", "", &format!("www.{labels}com")), &labels);
}

#[test]
fn long_code_lines_are_kept_and_the_highlighter_is_spared() {
    let blob = "QUJD".repeat(N / 4);
    builds_whole(&pm_with("t", "", &format!("```\n{blob}\n```")), &blob);
    // A language whose grammar is quadratic on one long line: published
    // whole and unhighlighted, with a warning at the line.
    let json = "{\"a\":\"b\"},".repeat(N / 10);
    let text = pm_with("t", "", &format!("Intro.\n\n```yaml\nkey: 1\n{json}\n```"));
    let stderr = builds_whole(&text, &json.replace('"', "&quot;"));
    let body_line = text.lines().position(|l| l.starts_with("{\"a\"")).unwrap() + 1;
    assert!(
        stderr.contains(&format!(
            "content/postmortems/2020-01-01-x.md:{body_line}:1: warning[not-highlighted]"
        )),
        "{stderr}"
    );
}

#[test]
fn backtick_runs_nested_emphasis_and_nested_links() {
    let mut runs = String::new();
    let mut i = 1;
    while runs.len() < N {
        runs.push_str(&"`".repeat(i));
        runs.push_str("x ");
        i += 1;
    }
    builds_whole(&pm_with("t", "", &runs), "x");
    let emph = format!("{}deep{}", "**".repeat(N / 4), "**".repeat(N / 4));
    builds_whole(&pm_with("t", "", &emph), "deep");
    let emph = format!("{}deep", "*a _".repeat(N / 4));
    builds_whole(&pm_with("t", "", &emph), "deep");
    let links = format!("{}inner{}", "[".repeat(N / 5), "](u)".repeat(N / 5));
    builds_whole(&pm_with("t", "", &links), "inner");
}

#[test]
fn a_tag_too_long_for_a_folder_name_is_an_error_at_its_place() {
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    let tag = "g".repeat(N);
    kb.postmortem(
        "2020-01-01-x.md",
        &pm_with("t", &format!("tags: [{tag}]\n"), "x"),
    );
    let run = kb.build(&[]);
    run.failure();
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with(
            "content/postmortems/2020-01-01-x.md:6:8: error: this tag name is 80000 bytes long"
        ),
        "{}",
        errors[0]
    );
    let check = kb.run(&["check"]);
    check.failure();
    assert!(check.stdout.contains(&errors[0]), "check reports it alike");
}

#[test]
fn many_links_and_tags_stay_fast_enough_to_test() {
    // The benchmark (scripts/scaling.sh) measures the growth; this makes
    // sure the shapes work at all: 20,000 `[[id]]` links on one line and
    // 20,000 tags.
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    kb.postmortem("2020-01-02-b.md", &pm("B", "2020-01-02", ""));
    kb.postmortem(
        "2020-01-01-a.md",
        &pm_with("A", "", &"[[2020-01-02-b]] ".repeat(20_000)),
    );
    kb.build(&[]).success();
    let page = kb.read("public/postmortems/2020-01-01-a/index.html");
    assert_eq!(page.matches("data-wikilink").count(), 20_000);
}

#[test]
fn script_urls_in_book_toml_are_errors_at_their_line() {
    for (book, line) in [
        (
            "[site]\ntitle = \"T\"\n\n[postmortem]\nticket-url = \"javascript:alert(1)//{id}\"\n",
            "book.toml:5:14: error: ticket-url: `javascript:` URLs are not allowed here",
        ),
        (
            "[postmortem]\nticket-url = \" JaVa\\tScript:alert(1)//{id}\"\n",
            "book.toml:2:14: error: ticket-url: ",
        ),
        (
            "[postmortem]\nticket-url = \"data:text/html,<script>x</script>{id}\"\n",
            "book.toml:2:14: error: ticket-url: `data:` URLs are not allowed here",
        ),
        (
            "[site]\nbase-url = \"javascript:alert(1)//\"\n",
            "book.toml:2:12: error: base-url: `javascript:` URLs are not allowed here",
        ),
        (
            "[site]\nbase-url = \"VBScript:x/\"\n",
            "book.toml:2:12: error: base-url: `vbscript:` URLs are not allowed here",
        ),
    ] {
        let kb = Kb::new(book);
        kb.postmortem("a.md", &pm("A", "2020-01-01", ""));
        let run = kb.build(&[]);
        run.failure();
        let errors = run.error_lines();
        assert!(
            errors.iter().any(|e| e.starts_with(line)),
            "{book}\n{}",
            run.stderr
        );
    }
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    kb.postmortem("a.md", &pm("A", "2020-01-01", ""));
    let run = kb.build(&["--base-url", "javascript:alert(1)//"]);
    assert_eq!(run.status, 2, "a usage error:\n{}", run.stderr);
    run.stderr_has("--base-url: base-url: `javascript:` URLs are not allowed here");
    kb.build(&["--base-url", "/sub/"]).success();
    kb.build(&["--base-url", "https://acme.test/pm/"]).success();
}

#[test]
fn follow_up_tickets_never_become_script_links() {
    let kb = Kb::new("[postmortem]\nticket-url = \"https://t.test/browse/{id}\"\n");
    kb.postmortem(
        "a.md",
        &pm(
            "A",
            "2020-01-01",
            "follow_ups:\n  - {title: x, owner: a, due: 2020-02-01, ticket: \"javascript:alert(1)\"}\n  - {title: y, owner: a, due: 2020-02-01, ticket: \"JAVASCRIPT:alert(1)\"}\n",
        ),
    );
    kb.build(&[]).success();
    for page in [
        "public/postmortems/a/index.html",
        "public/follow-ups/index.html",
    ] {
        let html = kb.read(page).to_lowercase();
        assert!(!html.contains("href=\"javascript:"), "{page}");
    }
}

const SVG_SCRIPT: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <rect width=\"1\" height=\"1\"/>\n  <script>alert(document.domain)</script>\n</svg>\n";

#[test]
fn svg_and_html_with_script_are_refused_unless_allowed() {
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    kb.postmortem("a.md", &pm("A", "2020-01-01", ""));
    kb.write("content/postmortems/diagram.svg", SVG_SCRIPT);
    kb.write(
        "content/postmortems/anim.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><a><set attributeName=\"href\" to=\"javascript:alert(1)\"/><text onclick=\"x()\">t</text></a></svg>",
    );
    kb.write(
        "content/pages/runbook.html",
        "<p>Steps</p>\n<img src=x onerror=alert(1)>\n",
    );
    kb.write(
        "content/postmortems/clean.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"https://x.test/\"><rect width=\"1\" height=\"1\"/></a></svg>",
    );
    let run = kb.build(&[]);
    run.failure();
    let errors = run.error_lines();
    let expected = [
        "content/pages/runbook.html:2:1: error: an event handler attribute `onerror` on `<img>` in an HTML file",
        "content/postmortems/anim.svg:1:44: error: `<set>` setting a link to a script URL (`to`) in an SVG file",
        "content/postmortems/anim.svg:1:96: error: an event handler attribute `onclick` on `<text>` in an SVG file",
        "content/postmortems/diagram.svg:3:3: error: a `<script>` element in an SVG file",
    ];
    assert_eq!(errors.len(), expected.len(), "{}", run.stderr);
    for (e, want) in errors.iter().zip(expected) {
        assert!(e.starts_with(want), "{e}\n  wanted {want}");
    }
    assert!(!kb.exists("public"), "nothing is published");
    // `check` reports the same.
    let check = kb.run(&["check"]);
    check.failure();
    for e in &errors {
        assert!(check.stdout.contains(e.as_str()), "check reports {e}");
    }

    // Allowed in book.toml: published as they are.
    kb.write(
        "book.toml",
        "[site]\ntitle = \"T\"\n\n[build]\nunsafe-svg = true\n\n[markdown]\nunsafe-html = true\n",
    );
    kb.build(&[]).success();
    assert_eq!(kb.read("public/postmortems/diagram.svg"), SVG_SCRIPT);
    assert!(kb.exists("public/pages/runbook.html") || kb.exists("public/runbook.html"));
}

/// `[markdown] unsafe-html` lets raw HTML through, not script links:
/// Markdown links and images to `javascript:` and the like lose their URL
/// with it as without it.
#[test]
fn script_links_in_markdown_are_dropped_even_with_unsafe_html() {
    for book in [
        "[site]\ntitle = \"T\"\n",
        "[site]\ntitle = \"T\"\n\n[markdown]\nunsafe-html = true\n",
    ] {
        let kb = Kb::new(book);
        kb.postmortem(
            "a.md",
            &format!(
                "{}\n[one](JAVASCRIPT:alert(1)) [two](<java\tscript:alert(2)>) ![three](javascript:alert(3)) [four](data:text/html,<b>x</b>) [ok](https://example.com/)\n",
                pm("A", "2020-01-01", "")
            ),
        );
        kb.build(&[]).success();
        let page = kb
            .read("public/postmortems/a/index.html")
            .to_ascii_lowercase();
        assert!(!page.contains("javascript:"), "{book}: {page}");
        assert!(!page.contains("data:text/html"), "{book}: {page}");
        assert!(
            page.contains("href=\"https://example.com/\""),
            "{book}: {page}"
        );
        assert!(page.contains(">one</a>"), "the text stays: {page}");
    }
}

#[test]
fn staging_folders_of_dead_builds_go_and_live_ones_stay() {
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    kb.postmortem("a.md", &pm("A", "2020-01-01", ""));
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let leftover = |pid: u32| {
        let rel = format!(".public.pmsite-new-{pid}");
        kb.write(&format!("{rel}/.pmsite-output"), "x");
        kb.write(&format!("{rel}/.gitignore"), "*\n");
        kb.write(&format!("{rel}/index.html"), "half");
        rel
    };
    let stale = leftover(dead);
    let live = leftover(std::process::id());
    kb.build(&[]).success();
    assert!(!kb.exists(&stale), "a dead build's folder is removed");
    assert!(kb.exists(&live), "a running build's folder is left alone");
    assert!(!kb.exists("public/.gitignore"), "the output is as built");
}

#[test]
fn output_paths_are_named_as_given_and_resolved_before_the_check() {
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    kb.postmortem("a.md", &pm("A", "2020-01-01", ""));
    let run = kb.build(&["--out", "/"]);
    run.failure();
    run.stderr_has("refusing to use / as the output folder");
    for out in ["content/../content/x", "content/..", "./content/./x/../y"] {
        let run = kb.build(&["--out", out]);
        run.failure();
        run.stderr_has(&format!("refusing to use {out} as the output folder"));
    }
    assert!(!kb.exists("content/x") && !kb.exists("content/y"));
    kb.build(&["--out", "content/../out2"]).success();
    assert!(kb.exists("out2/index.html"));
}

/// XHTML, and XML with a stylesheet that makes it a page, open as pages
/// and run script: refused as HTML is, allowed with `unsafe-html`.
#[test]
fn xhtml_and_xml_with_script_are_refused_unless_allowed() {
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    kb.postmortem("a.md", &pm("A", "2020-01-01", ""));
    let xhtml = "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>\n<script>alert(document.domain)</script></body></html>\n";
    kb.write("content/notes/c.xht", xhtml);
    kb.write("content/notes/feed.XML", xhtml);
    kb.write(
        "content/notes/t.xsl",
        "<xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\">\n<xsl:template match=\"/\"><xsl:element name=\"script\">alert(1)</xsl:element></xsl:template></xsl:stylesheet>\n",
    );
    kb.write(
        "content/notes/styled.svg",
        "<?xml-stylesheet type=\"text/xsl\" href=\"x.txt\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    kb.write("content/notes/map.kml", xhtml);
    kb.write(
        "content/notes/t.html",
        "<!doctype html><title><a title=\"</title><img src=x onerror=alert(1)>\"></a></title>\n",
    );
    kb.write(
        "content/notes/styled.xml",
        "<?xml-stylesheet type=\"text/css\" href=\"a.css\"?><samples/>",
    );
    kb.write(
        "content/notes/data.xml",
        "<?xml version=\"1.0\"?><samples><sample at=\"2020-01-01\" value=\"3\"/></samples>",
    );
    let run = kb.build(&[]);
    run.failure();
    let errors = run.error_lines();
    let expected = [
        "content/notes/c.xht:3:1: error: a `<script>` element in an XML file",
        "content/notes/feed.XML:3:1: error: a `<script>` element in an XML file",
        "content/notes/map.kml:3:1: error: a `<script>` element in an XML file",
        "content/notes/styled.svg:1:1: error: an `<?xml-stylesheet?>` that is not CSS (an XSLT stylesheet can write script) in an SVG file",
        "content/notes/t.html:1:1: error: an event handler attribute `onerror` on `<img>` in an HTML file",
        "content/notes/t.xsl:2:25: error: a `<xsl:element>` that writes `script` in an XML file",
    ];
    assert_eq!(errors.len(), expected.len(), "{}", run.stderr);
    for (e, want) in errors.iter().zip(expected) {
        assert!(e.starts_with(want), "{e}\n  wanted {want}");
    }
    kb.write(
        "book.toml",
        "[site]\ntitle = \"T\"\n\n[build]\nunsafe-svg = true\n\n[markdown]\nunsafe-html = true\n",
    );
    kb.build(&[]).success();
    assert_eq!(kb.read("public/notes/c.xht"), xhtml);
    assert!(kb.exists("public/notes/data.xml"));
}
