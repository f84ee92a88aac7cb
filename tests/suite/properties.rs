//! Property tests: generated front matter and Markdown of the shapes that
//! once crashed or were quadratic (long tokens, long code lines, deep
//! emphasis, backtick runs, nested links, `[[id]]` links, many tags and
//! follow-ups, odd URLs), built in-process through `pmsite::bench`. For
//! every input: no panic; success, or errors that all carry a place;
//! `check` fails wherever `build` does; and the output grows linearly when
//! the input is doubled (a counted measure: bytes the build would write).
//!
//! Bounded (a fixed number of cases from a fixed seed, no files of
//! failures kept), so that it runs the same everywhere in a few seconds.
//! Longer campaigns: `scripts/fuzz.sh`.

use std::path::Path;

use pmsite::bench::{CheckOptions, Format, InMemory, Severity, build_in_memory, check};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A piece of a body.
fn piece() -> impl Strategy<Value = String> {
    let word = "[a-zA-Z0-9]{1,12}";
    prop_oneof![
        // Prose and punctuation.
        proptest::collection::vec(word, 1..12).prop_map(|w| w.join(" ")),
        // A long token (up to 4,000 characters: the tests of each shape
        // take them to 80,000).
        (1usize..4000, "[a-z0-9+/]").prop_map(|(n, c)| c.repeat(n)),
        // Emphasis, code spans, links, nesting.
        (1usize..300).prop_map(|n| format!("{}x{}", "**".repeat(n), "**".repeat(n))),
        (1usize..200).prop_map(|n| format!("{}x", "*a _".repeat(n))),
        (1usize..60).prop_map(|n| (1..n)
            .map(|i| format!("{}x", "`".repeat(i)))
            .collect::<Vec<_>>()
            .join(" ")),
        (1usize..300).prop_map(|n| format!("{}x{}", "[".repeat(n), "](u)".repeat(n))),
        (1usize..200).prop_map(|n| "[[2020-01-02-other]] ".repeat(n)),
        Just("[[no-such-id]]".to_string()),
        (1usize..300).prop_map(|n| format!("www.{}com", "a.".repeat(n))),
        (1usize..2000).prop_map(|n| format!("https://example.com/{}", "p".repeat(n))),
        // Links a browser could read as script.
        prop_oneof![
            Just("[x](javascript:alert(1))"),
            Just("[x](JaVaScRiPt:alert(1))"),
            Just("[x](java&#9;script:alert(1))"),
            Just("<javascript:alert(1)>"),
            Just("![x](data:text/html,<script>x</script>)"),
            Just("<script>alert(1)</script>"),
        ]
        .prop_map(str::to_string),
        // Code blocks, some with a line longer than the highlighter takes.
        (
            prop_oneof![
                Just(""),
                Just("yaml"),
                Just("rust"),
                Just("json"),
                Just("nope")
            ],
            1usize..3000
        )
            .prop_map(|(lang, n)| format!(
                "```{lang}\nkey: {}\n```",
                "{\"a\":1},".repeat(n / 8 + 1)
            )),
        // Block structure: headings, lists, quotes, tables, a timeline.
        (1u8..7, word).prop_map(|(l, w)| format!("{} {w}", "#".repeat(l as usize))),
        (1usize..120).prop_map(|n| format!("{}item", "> ".repeat(n))),
        (1usize..60).prop_map(|n| (0..n)
            .map(|i| format!("{}- item", "  ".repeat(i)))
            .collect::<Vec<_>>()
            .join("\n")),
        (1usize..30).prop_map(|n| format!("| a | b |\n|---|---|\n{}", "| 1 | 2 |\n".repeat(n))),
        Just(
            "## Timeline\n\n- 09:00 start {started}\n- 25:99 odd\n- 09:05 seen {detected}"
                .to_string()
        ),
        Just("## Follow-up actions\n\n- [ ] Fix it OPS-1\n- [x] Done https://t.test/2".to_string()),
    ]
}

/// Front matter lines beyond the required ones.
fn extra() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (0usize..300).prop_map(|n| format!("tags: [{}]\n", (0..n).map(|i| format!("t{i}")).collect::<Vec<_>>().join(", "))),
        (1usize..300).prop_map(|n| format!("tags: [{}]\n", "g".repeat(n))),
        (0usize..100).prop_map(|n| {
            let items: String = (0..n)
                .map(|i| format!("  - {{title: \"row {i} | a | b | c\", status: open, ticket: \"OPS-{i}\"}}\n"))
                .collect();
            if n == 0 { String::new() } else { format!("follow_ups:\n{items}") }
        }),
        prop_oneof![
            Just("follow_ups:\n  - {title: x, ticket: \"javascript:alert(1)\"}\n"),
            Just("timeline:\n  - {at: \"25:99\", event: x}\n"),
            Just("timeline:\n  - {at: \"2023-02-30 10:00\", event: x}\n"),
            Just("services: [\"Not A Slug\"]\n"),
            Just("related: [2020-01-02-other, nope]\n"),
            Just("status: draft\n"),
        ]
        .prop_map(str::to_string),
    ]
}

fn book() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[site]\ntitle = \"T\"\n"),
        Just("[site]\ntitle = \"T\"\nbase-url = \"/sub/\"\n[postmortem]\nticket-url = \"https://t.test/{id}\"\n"),
        Just("[postmortem]\nticket-url = \"javascript:alert(1)//{id}\"\n"),
        Just("[site]\nbase-url = \" JavaScript:x//\"\n"),
        Just("[search]\nenable = false\n"),
        Just("[site]\nlanguage = \"de\"\n"),
    ]
    .prop_map(str::to_string)
}

#[derive(Clone, Debug)]
struct Input {
    book: String,
    title: String,
    extra: String,
    body: Vec<String>,
}

fn input() -> impl Strategy<Value = Input> {
    (
        book(),
        prop_oneof![
            Just("Title".to_string()),
            (1usize..3000).prop_map(|n| "t".repeat(n))
        ],
        extra(),
        proptest::collection::vec(piece(), 1..6),
    )
        .prop_map(|(book, title, extra, body)| Input {
            book,
            title,
            extra,
            body,
        })
}

fn write_kb(root: &Path, input: &Input, times: usize) {
    let _ = std::fs::remove_dir_all(root.join("content"));
    let pms = root.join("content/postmortems");
    std::fs::create_dir_all(&pms).unwrap();
    std::fs::write(root.join("book.toml"), &input.book).unwrap();
    let body = vec![input.body.join("\n\n"); times].join("\n\n");
    std::fs::write(
        pms.join("2020-01-01-gen.md"),
        format!(
            "---\ntitle: \"{}\"\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\n{}---\n\n{body}\n",
            input.title, input.extra
        ),
    )
    .unwrap();
    std::fs::write(
        pms.join("2020-01-02-other.md"),
        "---\ntitle: Other\ndate: 2020-01-02\nseverity: SEV2\nsummary: s\n---\n\nx\n",
    )
    .unwrap();
}

fn check_fails(root: &Path) -> bool {
    let report = check(
        root,
        &CheckOptions {
            format: Format::Json,
            deny_warnings: false,
            overdue: false,
            now: Some("2020-06-01".into()),
            quiet: true,
        },
    );
    report
        .findings
        .iter()
        .any(|d| d.severity == Severity::Error)
}

fn properties(root: &Path, input: &Input) -> Result<(), TestCaseError> {
    write_kb(root, input, 1);
    let once: InMemory = build_in_memory(root);
    for p in &once.problems {
        if p.severity == Severity::Error {
            prop_assert!(
                p.file.is_some() && p.line > 0,
                "an error without a place: {p:?}"
            );
        }
    }
    prop_assert_eq!(
        once.failed,
        check_fails(root),
        "check and build disagree: {:?}",
        once.problems
    );
    if once.failed {
        return Ok(());
    }
    // The body twice: the output may grow by what the body adds, and no
    // more than doubles (a quadratic stage would show here as the search
    // index or a page growing fourfold).
    write_kb(root, input, 2);
    let twice = build_in_memory(root);
    prop_assert!(!twice.failed, "{:?}", twice.problems);
    prop_assert!(
        twice.bytes <= once.bytes * 2 + 4096,
        "doubling the body took the output from {} to {} bytes",
        once.bytes,
        twice.bytes
    );
    Ok(())
}

#[test]
fn generated_postmortems_build_or_fail_cleanly_and_linearly() {
    let config = Config {
        cases: 128,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[13; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let result = runner.run(&input(), |input| properties(&root, &input));
    if let Err(e) = result {
        panic!("{e}");
    }
}
