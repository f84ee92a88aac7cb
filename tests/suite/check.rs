//! `pmsite check`: every lint and every output format, checked against
//! snapshots (insta, in `snapshots/suite__check__*.snap`; `cargo insta
//! review` shows and accepts a run's differing output, `INSTA_UPDATE=always
//! cargo test --test suite check::` rewrites them after a deliberate
//! change), exit statuses, allow lists and `--overdue`.

use crate::harness::Kb;

/// A postmortem that passes every lint; `extra` goes into its front matter
/// and `body` replaces its body when given.
fn clean(title: &str, date: &str, extra: &str, body: Option<&str>) -> String {
    let fm = format!(
        "---\ntitle: \"{title}\"\ndate: {date}\nstatus: final\nseverity: SEV2\nsummary: Something broke.\nimpact: Checkout failed for 34 minutes.\n{extra}"
    );
    let mut fm = fm;
    if !extra.contains("causes:") {
        fm.push_str("causes: [missing-timeout, slow-dependency]\n");
    }
    if !extra.contains("timeline:") {
        fm.push_str("timeline:\n  - at: \"09:00\"\n    kind: started\n    event: Latency rises\n  - at: \"09:07\"\n    kind: detected\n    event: Alert fires\n  - at: \"09:34\"\n    kind: resolved\n    event: Fix deployed\n");
    }
    if !extra.contains("follow_ups:") {
        fm.push_str(
            "follow_ups:\n  - title: Add a timeout\n    owner: alex\n    due: 2020-12-01\n",
        );
    }
    fm.push_str("---\n");
    let body = body.unwrap_or(
        "\n## Summary\n\nIt broke.\n\n## Contributing causes\n\n- No timeout.\n- A slow dependency.\n\n## What went well\n\n- Alerts.\n\n## What went poorly\n\n- Paging.\n",
    );
    fm + body
}

/// A knowledge base with one postmortem per lint, one with an error, and
/// one clean one.
fn lint_kb() -> Kb {
    let kb = Kb::new("[site]\ntitle = \"Lints\"\n\n[lint]\nallow = [\"timeline-rollover\"]\n");
    kb.postmortem(
        "2020-01-01-clean.md",
        &clean("Clean", "2020-01-01", "", None),
    );
    kb.postmortem(
        "2020-02-01-missing-sections.md",
        &clean(
            "Missing sections",
            "2020-02-01",
            "",
            Some("\n## Incident summary\n\nIt broke.\n\n## Contributing factors\n\n- No timeout.\n- Slow.\n\n## What went wrong\n\n- Paging.\n"),
        ),
    );
    kb.postmortem(
        "2020-03-01-human-error.md",
        &clean(
            "Human error",
            "2020-03-01",
            "causes: [human-error, missing-guardrail]\n",
            Some("\n## Summary\n\nIt broke.\n\n## Root causes\n\n- Operator error: the script ran against production.\n- No guardrail in the script.\n\n## What went well\n\n## What went poorly\n"),
        ),
    );
    kb.postmortem(
        "2020-04-01-single-cause.md",
        &clean("Single cause", "2020-04-01", "causes: [bad-deploy]\n", None),
    );
    kb.postmortem(
        "2020-05-01-no-follow-ups.md",
        &clean("No follow-ups", "2020-05-01", "follow_ups: []\n", None),
    );
    kb.postmortem(
        "2020-06-01-follow-ups.md",
        &clean(
            "Follow-ups",
            "2020-06-01",
            "follow_ups:\n  - title: Add a timeout\n  - title: Already done\n    status: done\n",
            None,
        ),
    );
    kb.postmortem(
        "2020-07-01-milestones.md",
        &clean(
            "Milestones",
            "2020-07-01",
            "timeline:\n  - at: \"09:00\"\n    event: Latency rises\n  - at: \"09:30\"\n    event: Fix deployed\n",
            None,
        ),
    );
    kb.postmortem(
        "2020-08-01-stats.md",
        &clean(
            "Stats",
            "2020-08-01",
            "",
            Some("\n## Summary\n\nIt broke.\n\n## Contributing causes\n\n- No timeout.\n- Slow.\n\n## What went well\n\n## What went poorly\n\n## Stats\n\n- Time to detection: 10 minutes\n- Time to recovery: 34 minutes\n"),
        ),
    );
    kb.postmortem(
        "2020-09-01-links.md",
        &clean(
            "Links",
            "2020-09-01",
            "",
            Some("\n## Summary\n\nSee [the runbook](../runbook.md) and ![graph](img/graph.png).\n\n## Contributing causes\n\n- No timeout.\n- Slow.\n\n## What went well\n\n## What went poorly\n"),
        ),
    );
    kb.postmortem(
        "2020-10-01-allowed.md",
        &clean(
            "Allowed",
            "2020-10-01",
            "causes: [bad-deploy]\nlint:\n  allow: [single-cause, human-eror]\n",
            None,
        ),
    );
    kb.postmortem(
        "2020-11-01-bad-severity.md",
        &clean("Bad severity", "2020-11-01", "", None).replace("severity: SEV2", "severity: sev2"),
    );
    kb.postmortem(
        "2020-12-01-draft.md",
        &clean("Draft", "2020-12-01", "causes: [bad-deploy]\n", None)
            .replace("status: final", "status: draft"),
    );
    kb
}

/// Compares what `pmsite check` printed with its snapshot
/// `snapshots/suite__check__<name>.snap`. Insta ignores trailing
/// whitespace and reads `\r\n` as `\n`; that the output is whole lines
/// ended by `\n`, the last one by exactly one, is asserted here.
#[track_caller]
fn golden(name: &str, actual: &str) {
    insta::with_settings!({
        description => "stdout of `pmsite check` on a knowledge base of this module's, run at its root",
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, actual);
    });
    assert!(
        actual.ends_with('\n') && !actual.ends_with("\n\n") && !actual.contains('\r'),
        "not whole lines ending in one newline: {actual:?}"
    );
}

#[test]
fn every_lint_in_human_format() {
    let kb = lint_kb();
    let run = kb.run(&["check", "--now", "2020-06-01"]);
    run.failure();
    golden("human", &run.stdout);
    assert_eq!(
        run.stderr.trim(),
        "check failed: 2 errors, 14 warnings in 12 postmortems"
    );
}

#[test]
fn json_format_is_one_object_per_finding() {
    let kb = lint_kb();
    let run = kb.run(&["check", "--format", "json", "--now", "2020-06-01"]);
    run.failure();
    golden("json", &run.stdout);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 16);
    for item in items {
        for key in ["file", "line", "column", "severity", "code", "message"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
    }
    // Every lint code appears.
    let codes: Vec<&str> = items.iter().filter_map(|i| i["code"].as_str()).collect();
    for code in [
        "missing-section",
        "human-error",
        "single-cause",
        "no-follow-ups",
        "follow-up-owner",
        "follow-up-due",
        "timeline-no-detected",
        "timeline-no-resolved",
        "metric-mismatch",
        "broken-link",
        "missing-image",
        "unknown-lint",
        "unknown-severity",
    ] {
        assert!(codes.contains(&code), "no {code} in {codes:?}");
    }
}

#[test]
fn github_annotations_land_on_the_right_lines() {
    let kb = lint_kb();
    let run = kb.run(&["check", "--format", "github", "--now", "2020-06-01"]);
    run.failure();
    golden("github", &run.stdout);
    // The error is on the `severity:` line, under the value.
    assert!(
        run.stdout.lines().any(|l| l
            == "::error file=content/postmortems/2020-11-01-bad-severity.md,line=5,col=11,title=unknown-severity::unknown severity `sev2`%0Ahint: did you mean `SEV2`? (one of: SEV1, SEV2, SEV3, SEV4) (from [postmortem] severities in book.toml)"),
        "{}",
        run.stdout
    );
    let text = kb.read("content/postmortems/2020-11-01-bad-severity.md");
    assert_eq!(text.lines().nth(4), Some("severity: sev2"));
}

#[test]
fn a_clean_knowledge_base_passes_and_deny_warnings_fails_on_warnings() {
    let kb = Kb::new("");
    kb.postmortem(
        "2020-01-01-clean.md",
        &clean("Clean", "2020-01-01", "", None),
    );
    let run = kb.run(&["check"]);
    run.success();
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr.trim(),
        "check passed: 0 errors, 0 warnings in 1 postmortem"
    );
    kb.run(&["check", "--deny-warnings"]).success();

    kb.postmortem(
        "2020-02-01-single.md",
        &clean("Single", "2020-02-01", "causes: [bad-deploy]\n", None),
    );
    let run = kb.run(&["check"]);
    run.success();
    assert!(
        run.stdout.contains("warning[single-cause]"),
        "{}",
        run.stdout
    );
    let run = kb.run(&["check", "--deny-warnings"]);
    run.failure();
    assert_eq!(
        run.stderr.trim(),
        "check failed (--deny-warnings): 0 errors, 1 warning in 2 postmortems"
    );
    // Quiet hides warnings but not the verdict of a failure.
    let run = kb.run(&["check", "-q"]);
    run.success();
    assert_eq!(run.stdout, "");
}

#[test]
fn site_allow_lists_silence_and_unknown_codes_are_errors() {
    let kb = Kb::new("[lint]\nallow = [\"single-cause\", \"no-folow-ups\"]\n");
    kb.postmortem(
        "2020-02-01-single.md",
        &clean("Single", "2020-02-01", "causes: [bad-deploy]\n", None),
    );
    let run = kb.run(&["check"]);
    run.failure();
    assert!(!run.stdout.contains("single-cause]"), "{}", run.stdout);
    assert!(
        run.stdout
            .starts_with("book.toml:2:26: error: unknown lint code `no-folow-ups`\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("did you mean `no-follow-ups`?"),
        "{}",
        run.stdout
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let kb = Kb::new("");
    assert_eq!(kb.run(&["check", "--format", "xml"]).status, 2);
    let run = kb.run(&["check", "--now", "yesterday"]);
    assert_eq!(run.status, 2);
    assert!(
        run.stdout.contains("--now: `yesterday` is not a date"),
        "{}",
        run.stdout
    );
}

fn overdue_kb() -> Kb {
    let kb = Kb::new("");
    kb.postmortem(
        "2020-01-01-late.md",
        &clean(
            "Late",
            "2020-01-01",
            "follow_ups:\n  - title: Add a timeout\n    owner: alex\n    due: 2020-03-01\n    ticket: OPS-1\n  - title: In progress\n    owner: kim\n    status: in-progress\n    due: 2020-05-31\n  - title: Done late\n    owner: kim\n    status: done\n    due: 2020-01-15\n  - title: Due today\n    owner: kim\n    due: 2020-06-01\n",
            None,
        ),
    );
    kb.postmortem(
        "2020-02-01-tasks.md",
        &clean(
            "Tasks",
            "2020-02-01",
            "follow_ups: []\n",
            Some("\n## Follow-up actions\n\n- [ ] No due date, never overdue\n"),
        ),
    );
    kb
}

#[test]
fn overdue_follow_ups_are_listed_with_their_lines() {
    let kb = overdue_kb();
    let run = kb.run(&["check", "--overdue", "--now", "2020-06-01"]);
    run.failure();
    golden("overdue-human", &run.stdout);
    assert_eq!(run.stderr.trim(), "check failed: 2 overdue follow-ups");

    let json = kb.run(&[
        "check",
        "--overdue",
        "--format",
        "json",
        "--now",
        "2020-06-01",
    ]);
    json.failure();
    golden("overdue-json", &json.stdout);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v[0]["follow_up"]["days_overdue"], 92);
    assert_eq!(v[0]["follow_up"]["ticket"], "OPS-1");
    assert_eq!(v[0]["line"], 11);
    assert_eq!(v[0]["column"], 10);

    // SOURCE_DATE_EPOCH fixes the date as for build: 2020-03-02.
    let out = assert_cmd::Command::cargo_bin("pmsite")
        .unwrap()
        .current_dir(kb.path())
        .env("SOURCE_DATE_EPOCH", "1583107200")
        .args(["check", "--overdue"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("due 2020-03-01 (1 day ago)"), "{stdout}");

    // Before anything is due: nothing listed, exit 0.
    let early = kb.run(&["check", "--overdue", "--now", "2020-01-02"]);
    early.success();
    assert_eq!(early.stdout, "");
    assert_eq!(early.stderr.trim(), "check passed: 0 overdue follow-ups");
}

#[test]
fn templates_and_new_files_pass_check() {
    let kb = Kb::new("");
    for t in ["default", "sre", "minor", "near-miss", "exercise"] {
        let run = kb.run(&[
            "new",
            &format!("A {t} one"),
            "--date",
            "2020-01-02",
            "--template",
            t,
        ]);
        run.success();
    }
    let run = kb.run(&["check"]);
    run.success();
    assert!(!run.stdout.contains(": error"), "{}", run.stdout);
    let sre = kb.read("content/postmortems/2020-01-02-a-sre-one.md");
    assert!(
        sre.starts_with(
            "---\n# yaml-language-server: $schema=../../.pmsite/postmortem.schema.json\n"
        ),
        "{sre}"
    );
    for h in [
        "## Root causes",
        "## Trigger",
        "### Where we got lucky",
        "## Detection",
    ] {
        assert!(sre.contains(h), "sre template lacks {h}");
    }
    assert!(kb.exists(".pmsite/postmortem.schema.json"));

    let bad = kb.run(&["new", "X", "--template", "sre-book"]);
    assert_eq!(bad.status, 2, "a bad option value is a usage error");
    bad.stderr_has("error: unknown template `sre-book`");
    bad.stderr_has(
        "did you mean `sre`? Available templates: default, exercise, minor, near-miss, sre",
    );

    // A knowledge base's own template.
    kb.write(
        "templates/security.md",
        "---\ntitle: {{title}}\ndate: {{date}}\nseverity: {{severity}}\nsummary: A security incident.\n---\n\n## Disclosure timeline\n",
    );
    let run = kb.run(&[
        "new",
        "Leaked token",
        "--date",
        "2020-01-03",
        "--template",
        "security",
    ]);
    run.success();
    let text = kb.read("content/postmortems/2020-01-03-leaked-token.md");
    assert!(
        text.contains("title: \"Leaked token\"\ndate: 2020-01-03\nseverity: SEV4\n"),
        "{text}"
    );
    let list = kb.run(&["new", "Y", "--template", "nope"]);
    list.stderr_has("available templates: default, exercise, minor, near-miss, security, sre");
}

#[test]
fn an_initialised_knowledge_base_passes_check_cleanly() {
    let kb = Kb::empty();
    kb.run(&["init", "kb"]).success();
    let root = kb.join("kb");
    let run = kb.run_in(&root, &["check", "--deny-warnings"]);
    run.success();
    assert_eq!(run.stdout, "");
    let example = std::fs::read_to_string(
        root.join("content/postmortems/2018-04-12-example-third-party-timeouts.md"),
    )
    .unwrap();
    assert!(example.starts_with(
        "---\n# yaml-language-server: $schema=../../.pmsite/postmortem.schema.json\n"
    ));
    assert!(root.join(".pmsite/postmortem.schema.json").is_file());

    // A schema left behind by a changed book.toml is reported.
    let book = std::fs::read_to_string(root.join("book.toml")).unwrap();
    std::fs::write(
        root.join("book.toml"),
        book.replace("\"SEV4\"]", "\"SEV4\", \"SEV5\"]"),
    )
    .unwrap();
    let run = kb.run_in(&root, &["check"]);
    run.success();
    assert!(
        run.stdout
            .starts_with(".pmsite/postmortem.schema.json:1:1: warning[schema-outdated]"),
        "{}",
        run.stdout
    );
    kb.run_in(&root, &["schema", "--write"]).success();
    kb.run_in(&root, &["check", "--deny-warnings"]).success();
}

/// A configuration error stops the check before any postmortem is read,
/// and the verdict says so rather than counting none.
#[test]
fn a_bad_configuration_is_not_reported_as_zero_postmortems() {
    let kb = Kb::new("[build]\nhost = \"gh\"\n");
    kb.postmortem(
        "2020-01-01-clean.md",
        &clean("Clean", "2020-01-01", "", None),
    );
    let run = kb.run(&["check"]);
    run.failure();
    assert!(run.stdout.contains("unknown host `gh`"), "{}", run.stdout);
    assert_eq!(
        run.stderr.trim(),
        "check failed: 1 error, 0 warnings before reading the postmortems"
    );
}
