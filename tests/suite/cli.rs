//! The command line itself: init, new, help and version.

use crate::harness::Kb;

#[test]
fn init_creates_a_knowledge_base_that_builds() {
    let kb = Kb::empty();
    let run = kb.run(&["init", "incidents"]);
    run.success();
    assert!(kb.exists("incidents/book.toml"));
    assert!(kb.exists("incidents/content/pages/start-here.md"));
    let root = kb.join("incidents");
    kb.run_in(&root, &["build", "--now", "2020-01-01"])
        .success();
    assert!(kb.exists("incidents/public/index.html"));
    assert!(kb.exists("incidents/public/start-here/index.html"));

    let again = kb.run(&["init", "incidents"]);
    again.failure();
    again.stderr_has("already holds a book.toml");
}

#[test]
fn new_writes_a_dated_file_and_never_overwrites() {
    let kb = Kb::new("");
    let run = kb.run(&[
        "new",
        "API outage: slow Facebook calls",
        "--date",
        "2018-04-12",
    ]);
    run.success();
    let path = "content/postmortems/2018-04-12-api-outage-slow-facebook-calls.md";
    assert_eq!(run.stdout.trim(), path);
    let text = kb.read(path);
    assert!(text.contains("title: \"API outage: slow Facebook calls\""));
    assert!(text.contains("date: 2018-04-12"));
    for heading in [
        "## Summary",
        "## Impact",
        "## Resolution",
        "## Timeline",
        "## Contributing causes",
        "## What went well",
        "## What went poorly",
        "## Follow-up actions",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    // The new file is a valid (draft) postmortem.
    kb.build(&["--drafts"]).success();
    assert!(kb.exists("public/postmortems/2018-04-12-api-outage-slow-facebook-calls/index.html"));

    std::fs::write(kb.join(path), "mine").unwrap();
    let again = kb.run(&[
        "new",
        "API outage: slow Facebook calls",
        "--date",
        "2018-04-12",
    ]);
    again.failure();
    again.stderr_has("already exists");
    assert_eq!(kb.read(path), "mine");

    let bad = kb.run(&["new", "X", "--date", "12/04/2018"]);
    assert_eq!(bad.status, 2, "a bad option value is a usage error");
    bad.stderr_has("not a date");
}

#[test]
fn help_and_version() {
    let kb = Kb::empty();
    let run = kb.run(&["--help"]);
    run.success();
    assert!(run.stdout.contains("Examples:"));
    for cmd in ["build", "init", "new"] {
        assert!(run.stdout.contains(cmd), "help lists {cmd}");
    }
    let v = kb.run(&["--version"]);
    v.success();
    assert!(v.stdout.starts_with("pmsite "));
    let bad = kb.run(&["build", "--no-such-flag"]);
    assert_eq!(bad.status, 2, "usage errors exit with 2");
}

#[test]
fn bad_option_values_are_usage_errors() {
    let kb = Kb::new("");
    for args in [
        &["build", "--now", "bogus"][..],
        &["build", "--now", "9999-12-31"],
        &["build", "--base-url", "not a url"],
        &["new", "Title", "--date", "2018-02-30"],
        &["new", "  "],
        &["check", "--now", "soon"],
    ] {
        let run = kb.run(args);
        assert_eq!(run.status, 2, "{args:?}\n{}", run.stderr);
        assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
    }
}
