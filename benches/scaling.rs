//! Inputs that were quadratic, doubled and doubled again: the time of each
//! step over the one before should be about 2, not 4. `cargo bench --bench
//! scaling` (release build; best of 3 runs per size, in-process, written
//! nowhere, so that the file system's cost of many folders stays out;
//! wall time and the process's CPU time, which other work on a shared
//! machine disturbs less).
//!
//! - `[[id]]` links on one line (build): 5,000 took 1.35 s and 20,000 more
//!   than 20 s, from comrak's conversion of every node's column to characters;
//! - follow-ups from a list of wide rows (check): 2,000 took 14 s, each
//!   finding counting the lines of the file up to its own;
//! - tags of one incident (build): 50,000 took 15 s, each tag compared with
//!   every one before it.

use std::path::Path;
use std::time::{Duration, Instant};

use pmsite::bench::{CheckOptions, Format, build_in_memory, check};

const BOOK: &str = "[site]\ntitle = \"Scaling\"\n";

fn front(extra: &str) -> String {
    format!(
        "---\ntitle: \"A\"\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\nstatus: final\n{extra}---\n\n"
    )
}

fn write(root: &Path, files: &[(&str, String)]) {
    let _ = std::fs::remove_dir_all(root.join("content"));
    std::fs::create_dir_all(root.join("content/postmortems")).unwrap();
    std::fs::write(root.join("book.toml"), BOOK).unwrap();
    for (name, text) in files {
        std::fs::write(root.join("content/postmortems").join(name), text).unwrap();
    }
}

fn links(root: &Path, n: usize) {
    let other = format!("{}x\n", front(""));
    let body = "[[2020-01-02-b]] ".repeat(n);
    write(
        root,
        &[
            ("2020-01-01-a.md", format!("{}{body}\n", front(""))),
            ("2020-01-02-b.md", other),
        ],
    );
}

fn follow_ups(root: &Path, n: usize) {
    let rows: String = (0..n)
        .map(|i| format!("- [ ] Fix thing {i} {}\n", "| wide column ".repeat(80)))
        .collect();
    write(
        root,
        &[(
            "2020-01-01-a.md",
            format!("{}## Follow-up actions\n\n{rows}", front("")),
        )],
    );
}

fn tags(root: &Path, n: usize) {
    let list: Vec<String> = (0..n).map(|i| format!("tag{i}")).collect();
    write(
        root,
        &[(
            "2020-01-01-a.md",
            format!("{}x\n", front(&format!("tags: [{}]\n", list.join(", ")))),
        )],
    );
}

/// CPU time of the process, all threads (less disturbed than wall time
/// by other work on a shared machine).
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The best of 3 runs: (wall time, CPU time).
fn best_of_3(f: impl Fn()) -> (Duration, Duration) {
    let runs: Vec<(Duration, Duration)> = (0..3)
        .map(|_| {
            let (t, c) = (Instant::now(), cpu_time());
            f();
            (t.elapsed(), cpu_time() - c)
        })
        .collect();
    let wall = runs.iter().map(|r| r.0).min().unwrap_or_default();
    let cpu = runs.iter().map(|r| r.1).min().unwrap_or_default();
    (wall, cpu)
}

fn run_build(root: &Path) {
    let r = build_in_memory(root);
    assert!(!r.failed, "{:?}", r.problems.first());
}

fn run_check(root: &Path) {
    let r = check(
        root,
        &CheckOptions {
            format: Format::Json,
            deny_warnings: false,
            overdue: false,
            now: Some("2020-06-01".into()),
            quiet: true,
        },
    );
    assert!(r.findings.len() >= 2, "the follow-ups have findings");
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument picks cases by name.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    type Case<'a> = (&'a str, fn(&Path, usize), fn(&Path), &'a [usize]);
    let cases: [Case; 3] = [
        (
            "[[id]] links on one line, build",
            links,
            run_build,
            &[5_000, 10_000, 20_000, 40_000],
        ),
        (
            "follow-ups from wide rows, check",
            follow_ups,
            run_check,
            &[1_000, 2_000, 4_000, 8_000],
        ),
        (
            "tags of one incident, build",
            tags,
            run_build,
            &[12_500, 25_000, 50_000, 100_000],
        ),
    ];
    for (name, make, run, sizes) in cases {
        if !only.is_empty() && !only.iter().any(|o| name.contains(o.as_str())) {
            continue;
        }
        println!("{name}");
        let mut before: Option<(Duration, Duration)> = None;
        for &n in sizes {
            make(root, n);
            let (wall, cpu) = best_of_3(|| run(root));
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            let ratio = |now: Duration, then: Duration| now.as_secs_f64() / then.as_secs_f64();
            match before {
                Some((w, c)) => println!(
                    "  {n:>7}: wall {:>8.1} ms ×{:.2}   CPU {:>8.1} ms ×{:.2}",
                    ms(wall),
                    ratio(wall, w),
                    ms(cpu),
                    ratio(cpu, c)
                ),
                None => println!(
                    "  {n:>7}: wall {:>8.1} ms         CPU {:>8.1} ms",
                    ms(wall),
                    ms(cpu)
                ),
            }
            before = Some((wall, cpu));
        }
    }
}
