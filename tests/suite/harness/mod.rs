//! A small harness for running the real `pmsite` binary on knowledge bases
//! made in temporary folders.

#![allow(dead_code)]

pub mod axe;
pub mod browser;
pub mod corpus;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

pub mod serve;

/// A knowledge base in a temporary folder.
pub struct Kb {
    pub dir: TempDir,
}

/// What a run printed and how it ended.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            status: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(
            self.status, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(&self) -> &Self {
        assert_eq!(
            self.status, 1,
            "expected exit status 1\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The `file:line:col: error: message` lines, in order.
    pub fn error_lines(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter(|l| l.contains(": error: ") || l.starts_with("error: "))
            .filter(|l| {
                !l.starts_with("error: build failed") && !l.starts_with("error: check failed")
            })
            .map(str::to_string)
            .collect()
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// The fixed build date used by tests.
pub const NOW: &str = "2020-06-01";

pub const BOOK: &str = r#"[site]
title = "Test Library"
base-url = "https://example.test/"

[postmortem]
ticket-url = "https://tickets.example.test/browse/{id}"
"#;

impl Kb {
    /// An empty folder.
    pub fn empty() -> Kb {
        Kb {
            dir: tempfile::Builder::new()
                .prefix("pmsite-test")
                .tempdir()
                .expect("temp dir"),
        }
    }

    /// A knowledge base with the given book.toml.
    pub fn new(book: &str) -> Kb {
        let kb = Kb::empty();
        kb.write("book.toml", book);
        kb
    }

    /// A copy of a fixture under tests/fixtures.
    pub fn fixture(name: &str) -> Kb {
        let kb = Kb::empty();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&src, kb.path());
        kb
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Self {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
        self
    }

    /// Writes `content/postmortems/<name>`.
    pub fn postmortem(&self, name: &str, text: &str) -> &Self {
        self.write(&format!("content/postmortems/{name}"), text)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.join(rel).exists()
    }

    /// Runs pmsite with the working folder at the knowledge base root.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(self.path(), args)
    }

    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let out = Command::cargo_bin("pmsite")
            .expect("binary")
            .current_dir(cwd)
            .env_remove("SOURCE_DATE_EPOCH")
            .args(args)
            .output()
            .expect("run pmsite");
        Run::from(out)
    }

    /// `pmsite build --now 2020-06-01` plus extra arguments.
    pub fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build", "--now", NOW];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

pub fn copy_dir(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(src).expect("prefix");
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// All files under a folder with their bytes, for comparing builds.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read(entry.path()).expect("read")));
        }
    }
    out
}

/// A minimal valid postmortem.
pub fn pm(title: &str, date: &str, extra: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndate: {date}\nseverity: SEV2\nsummary: Something broke.\n{extra}---\n\n## Summary\n\nBody text.\n"
    )
}
