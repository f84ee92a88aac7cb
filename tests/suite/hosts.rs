//! Host limits: `[build] host` and `build --host` check the finished output
//! against the host's published limits before it replaces the previous
//! one; without a host, crossing the strictest limit is a warning.

use crate::harness::{BOOK, Kb, pm};

/// A knowledge base with one postmortem and a 26 MiB asset (over
/// Cloudflare Pages' 25 MiB per file).
fn with_big_asset(book: &str) -> Kb {
    let kb = Kb::new(book);
    kb.postmortem("2020-01-01-a.md", &pm("A", "2020-01-01", ""));
    let big = kb.join("content/postmortems/capture.bin");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(26 * 1024 * 1024).unwrap();
    kb
}

#[test]
fn a_file_over_the_hosts_limit_fails_the_build_and_keeps_the_previous_output() {
    let kb = with_big_asset(BOOK);
    // The first build has no host: it succeeds, with a warning.
    let run = kb.build(&[]);
    run.success();
    run.stderr_has("warning[host-limit]: ")
        .stderr_has("capture.bin is 26.0 MiB (27262976 bytes); cloudflare-pages publishes files of at most 25.0 MiB (26214400 bytes): it would not publish there")
        .stderr_has("set `[build] host` to check the limits of the host you use");
    assert!(kb.exists("public/postmortems/capture.bin"));
    let before = kb.read("public/index.html");

    kb.postmortem("2020-02-01-b.md", &pm("B", "2020-02-01", ""));
    let run = kb.build(&["--host", "cloudflare-pages"]);
    run.failure();
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with("error: ")
            && errors[0].contains("public/postmortems/capture.bin is 26.0 MiB (27262976 bytes); cloudflare-pages publishes files of at most 25.0 MiB")
            && errors[0].ends_with("the previous output is left as it was"),
        "{}",
        errors[0]
    );
    run.stderr_has("hint: make the file smaller or keep it out of content/");
    assert_eq!(
        kb.read("public/index.html"),
        before,
        "the previous site stays"
    );
    assert!(!kb.exists("public/postmortems/2020-02-01-b/index.html"));
    let leftovers: Vec<String> = std::fs::read_dir(kb.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pmsite-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no staging folder stays: {leftovers:?}"
    );

    // The same host from book.toml; other hosts' limits are not this one.
    kb.write(
        "book.toml",
        format!("{BOOK}\n[build]\nhost = \"cloudflare-pages\"\n"),
    );
    kb.build(&[]).failure();
    kb.build(&["--host", "github-pages"]).success();
    assert!(kb.exists("public/postmortems/2020-02-01-b/index.html"));
}

#[test]
fn unknown_hosts_are_refused_with_the_list() {
    let kb = Kb::new(&format!("{BOOK}\n[build]\nhost = \"gh-pages\"\n"));
    kb.postmortem("2020-01-01-a.md", &pm("A", "2020-01-01", ""));
    let run = kb.build(&[]);
    run.failure();
    let line = BOOK.lines().count() + 3;
    run.stderr_has(&format!(
        "book.toml:{line}:8: error: unknown host `gh-pages`"
    ))
    .stderr_has("one of: github-pages, gitlab-pages, cloudflare-pages, netlify");

    let kb = Kb::new(BOOK);
    kb.postmortem("2020-01-01-a.md", &pm("A", "2020-01-01", ""));
    let run = kb.build(&["--host", "vercel"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    run.stderr_has("invalid value 'vercel' for '--host <HOST>'")
        .stderr_has("[possible values: github-pages, gitlab-pages, cloudflare-pages, netlify]");
    // A usage error, not a failed build.
    assert!(!run.stderr.contains("build failed"), "{}", run.stderr);
    let run = kb.build(&["--host", "netlfy"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    run.stderr_has("a similar value exists: 'netlify'");
    let run = kb.build(&["--host"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    run.stderr_has("[possible values: github-pages, gitlab-pages, cloudflare-pages, netlify]");

    // Not a string: the names, quoted as book.toml needs them.
    for (value, found) in [
        ("3", "integer"),
        ("true", "boolean"),
        ("[\"netlify\"]", "array"),
    ] {
        let kb = Kb::new(&format!("{BOOK}\n[build]\nhost = {value}\n"));
        kb.postmortem("2020-01-01-a.md", &pm("A", "2020-01-01", ""));
        let run = kb.build(&[]);
        run.failure();
        run.stderr_has(&format!(
            "book.toml:{line}:8: error: [build] host must be one host name in quotes: \"github-pages\", \"gitlab-pages\", \"cloudflare-pages\", \"netlify\", found {found}"
        ));
    }
}

/// `check` writes nothing, but counts what `build` would write: the host
/// limits fail it (or warn) where they fail `build`.
#[test]
fn check_reports_the_host_limits_as_build_does() {
    let kb = with_big_asset(BOOK);
    let run = kb.run(&["check"]);
    run.success();
    assert!(
        run.stderr.contains("warning[host-limit]: ")
            || run.stdout.contains("warning[host-limit]: "),
        "{}{}",
        run.stdout,
        run.stderr
    );
    kb.write(
        "book.toml",
        format!("{BOOK}\n[build]\nhost = \"cloudflare-pages\"\n"),
    );
    let run = kb.run(&["check"]);
    run.failure();
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("public/postmortems/capture.bin is 26.0 MiB")
            && all.contains("`pmsite build` would fail"),
        "{all}"
    );
    assert!(!kb.exists("public"), "check writes nothing");
}
