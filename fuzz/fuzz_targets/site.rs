//! One knowledge base per input, built in-process (search index
//! included, written nowhere) and checked: no panic, no stack overflow, no
//! hang (libFuzzer's -timeout), every error at a place in a file, and
//! `check` failing wherever `build` fails.
//!
//! The input is a postmortem file; a first part ending in a line `%%` is
//! book.toml, and a part after a second `%%` line is an SVG file beside it
//! (seeds in fuzz/seeds/).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pmsite::bench::{CheckOptions, Format, Severity, build_in_memory, check};

fn root() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        (dir, root)
    })
    .1
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, "\n%%\n");
    let (book, pm, svg) = match (parts.next(), parts.next(), parts.next()) {
        (Some(b), Some(p), svg) => (b, p, svg),
        (Some(p), None, _) => ("", p, None),
        _ => return,
    };
    let root = root();
    let _ = std::fs::remove_dir_all(root.join("content"));
    let pms = root.join("content/postmortems");
    std::fs::create_dir_all(&pms).expect("mkdir");
    std::fs::write(root.join("book.toml"), book).expect("write");
    std::fs::write(pms.join("2020-01-01-fuzz.md"), pm).expect("write");
    std::fs::write(
        pms.join("2020-01-02-other.md"),
        "---\ntitle: Other\ndate: 2020-01-02\nseverity: SEV2\nsummary: s\n---\n\nSee [[2020-01-01-fuzz]].\n",
    )
    .expect("write");
    if let Some(svg) = svg {
        std::fs::write(pms.join("diagram.svg"), svg).expect("write");
    }

    let built = build_in_memory(root);
    for p in &built.problems {
        if p.severity == Severity::Error {
            assert!(
                p.file.is_some() && p.line > 0,
                "an error without a place: {p:?}"
            );
        }
    }
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
    let check_failed = report
        .findings
        .iter()
        .any(|d| d.severity == Severity::Error);
    if built.failed {
        assert!(
            check_failed,
            "build failed, check passed: {:?}",
            built.problems
        );
    }
});
