//! Bad input: every problem is reported as `file:line:col: error: message`
//! (the line counted in the file), with a hint where one helps, all of a
//! run's problems together, exit status 1, and the previous output intact.

use crate::harness::{Kb, snapshot};

const OK: &str = "---\ntitle: Fine\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\n---\n";

/// Builds a knowledge base holding one file and returns its error lines.
fn errors_of(name: &str, text: &[u8]) -> (Vec<String>, String) {
    let kb = Kb::new("");
    kb.write(&format!("content/postmortems/{name}"), text);
    let run = kb.build(&[]);
    run.failure();
    (run.error_lines(), run.stderr.clone())
}

#[track_caller]
fn assert_error(name: &str, text: &str, expected: &str) {
    let (lines, stderr) = errors_of(name, text.as_bytes());
    assert_eq!(lines, [expected.to_string()], "\n{stderr}");
}

#[test]
fn missing_front_matter() {
    assert_error(
        "a.md",
        "# Just a title\n\nNo front matter.\n",
        "content/postmortems/a.md:1:1: error: missing front matter: a postmortem starts with a `---` line, then `key: value` lines, then `---`",
    );
}

#[test]
fn unterminated_front_matter() {
    assert_error(
        "a.md",
        "---\ntitle: x\ndate: 2020-01-01\n",
        "content/postmortems/a.md:1:1: error: front matter is never closed: the `---` on line 1 has no closing `---` line",
    );
}

#[test]
fn invalid_yaml_is_placed_in_the_file() {
    assert_error(
        "a.md",
        "---\ntitle: API outage: slow calls\ndate: 2020-01-01\n---\n",
        "content/postmortems/a.md:2:18: error: invalid YAML: mapping values are not allowed in this context",
    );
    let (_, stderr) = errors_of("a.md", b"---\ntitle: API outage: slow calls\n---\n");
    assert!(stderr.contains("must be quoted"), "{stderr}");
}

#[test]
fn wrong_type() {
    assert_error(
        "a.md",
        "---\ntitle: [a, b]\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\n---\n",
        "content/postmortems/a.md:2:8: error: `title` must be text, found a list",
    );
    assert_error(
        "a.md",
        "---\ntitle: T\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\nservices: web\n---\n",
        "content/postmortems/a.md:6:11: error: `services` must be a list, found a string",
    );
}

#[test]
fn unknown_key_with_suggestion() {
    let (lines, stderr) = errors_of(
        "a.md",
        b"---\ntitle: T\ndate: 2020-01-01\nseverty: SEV2\nsummary: s\n---\n",
    );
    assert_eq!(
        lines,
        [
            "content/postmortems/a.md:2:1: error: missing required field `severity`",
            "content/postmortems/a.md:4:1: error: unknown key `severty` in postmortem front matter",
        ]
    );
    assert!(
        stderr.contains("hint: did you mean `severity`?"),
        "{stderr}"
    );
}

#[test]
fn missing_required_field_from_book_toml() {
    let kb = Kb::new("[postmortem]\nrequired = [\"title\", \"date\", \"impact\"]\n");
    kb.postmortem("a.md", "---\ntitle: T\ndate: 2020-01-01\n---\n");
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        ["content/postmortems/a.md:2:1: error: missing required field `impact`"]
    );
}

#[test]
fn invalid_date_and_time() {
    let (lines, _) = errors_of(
        "a.md",
        b"---\ntitle: T\ndate: 2018-02-30\nseverity: SEV2\nsummary: s\ntimeline:\n  - at: \"25:99\"\n    event: x\n  - at: soon\n    event: y\n---\n",
    );
    assert_eq!(
        lines,
        [
            "content/postmortems/a.md:3:7: error: `date` is not a valid date: `2018-02-30`",
            "content/postmortems/a.md:7:9: error: cannot read `25:99` as a time",
            "content/postmortems/a.md:9:9: error: cannot read `soon` as a time",
        ]
    );
}

#[test]
fn unknown_severity_suggests_the_configured_one() {
    let (lines, stderr) = errors_of(
        "a.md",
        b"---\ntitle: T\ndate: 2020-01-01\nseverity: sev2\nsummary: s\n---\n",
    );
    assert_eq!(
        lines,
        ["content/postmortems/a.md:4:11: error: unknown severity `sev2`"]
    );
    assert!(stderr.contains("did you mean `SEV2`?"), "{stderr}");
}

#[test]
fn invalid_id() {
    assert_error(
        "a.md",
        "---\ntitle: T\nid: Bad_ID\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\n---\n",
        "content/postmortems/a.md:3:5: error: invalid id `Bad_ID`: ids use only lowercase letters, digits and `-`",
    );
}

#[test]
fn duplicate_id_names_both_files() {
    let kb = Kb::new("");
    let text = "---\ntitle: T\nid: same\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\n---\n";
    kb.postmortem("a.md", text);
    kb.postmortem("2019/b.md", text);
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        [
            "content/postmortems/a.md:3:5: error: duplicate id `same`: content/postmortems/2019/b.md:3 has the same id"
        ]
    );
}

#[test]
fn bad_follow_up_status() {
    assert_error(
        "a.md",
        "---\ntitle: T\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\nfollow_ups:\n  - title: Do it\n    status: finished\n---\n",
        "content/postmortems/a.md:8:13: error: unknown follow-up status `finished`",
    );
}

#[test]
fn a_file_that_is_not_utf8() {
    let (lines, _) = errors_of("a.md", b"---\ntitle: caf\xe9\ndate: 2020-01-01\n---\n");
    assert_eq!(
        lines,
        [
            "content/postmortems/a.md:2:11: error: file is not valid UTF-8 (byte 0xE9 cannot start a character)"
        ]
    );
}

#[test]
fn unknown_references_are_errors_with_suggestions() {
    let kb = Kb::new("");
    kb.postmortem("2020-01-01-db-failover.md", OK);
    kb.postmortem(
        "b.md",
        "---\ntitle: T\ndate: 2020-01-02\nseverity: SEV2\nsummary: s\nrelated: [2020-01-01-db-failvoer]\n---\n\nSee [[2020-01-01-db-failovr]].\n",
    );
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        [
            "content/postmortems/b.md:6:11: error: related postmortem `2020-01-01-db-failvoer` does not exist",
            "content/postmortems/b.md:9:5: error: `[[2020-01-01-db-failovr]]` links to no postmortem",
        ]
    );
    run.stderr_has("did you mean `2020-01-01-db-failover`?");
    run.stderr_has("did you mean `[[2020-01-01-db-failover]]`?");
}

#[test]
fn cause_names_must_be_slugs_and_in_the_vocabulary() {
    let kb = Kb::new("[causes]\nmissing-timeout = \"x\"\nconfig-change = \"y\"\n");
    kb.postmortem(
        "a.md",
        "---\ntitle: T\ndate: 2020-01-02\nseverity: SEV2\nsummary: s\ncauses: [Missing Timeout, config-chnage]\n---\n",
    );
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        [
            "content/postmortems/a.md:6:10: error: cause `Missing Timeout` must be written as a slug: `missing-timeout`",
            "content/postmortems/a.md:6:27: error: unknown cause `config-chnage`",
        ]
    );
    run.stderr_has("did you mean `config-change`?");
}

#[test]
fn every_problem_of_a_run_is_reported_together() {
    let kb = Kb::new("");
    kb.postmortem("a.md", "# no front matter\n");
    kb.postmortem(
        "b.md",
        "---\ntitle: T\ndate: 2020-13-01\nseverity: SEV9\nsummary: s\nstatsu: final\n---\n",
    );
    kb.postmortem("c.md", OK);
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        [
            "content/postmortems/a.md:1:1: error: missing front matter: a postmortem starts with a `---` line, then `key: value` lines, then `---`",
            "content/postmortems/b.md:3:7: error: `date` is not a valid date: `2020-13-01`",
            "content/postmortems/b.md:4:11: error: unknown severity `SEV9`",
            "content/postmortems/b.md:6:1: error: unknown key `statsu` in postmortem front matter",
        ]
    );
    run.stderr_has("error: build failed: 4 errors");
}

#[test]
fn errors_leave_the_previous_output_intact() {
    let kb = Kb::new("");
    kb.postmortem("c.md", OK);
    kb.build(&[]).success();
    let before = snapshot(&kb.join("public"));
    for bad in [
        "# nothing\n",
        "---\ntitle: [\n---\n",
        "---\ntitle: T\ndate: nope\nseverity: SEV2\nsummary: s\n---\n",
    ] {
        kb.postmortem("bad.md", bad);
        kb.build(&[]).failure();
        assert_eq!(snapshot(&kb.join("public")), before);
    }
}

#[test]
fn book_toml_problems_have_positions_and_suggestions() {
    let kb = Kb::new("[site]\ntitel = \"x\"\n[biuld]\n");
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        [
            "book.toml:2:1: error: unknown key `titel` in [site]",
            "book.toml:3:2: error: unknown section `biuld` at the top level",
        ]
    );
    run.stderr_has("did you mean `title`?");
    run.stderr_has("did you mean `build`?");
}

#[test]
fn hidden_and_editor_files_are_ignored() {
    let kb = Kb::new("");
    kb.postmortem("c.md", OK);
    kb.postmortem(".c.md.swp", "garbage");
    kb.postmortem("c.md~", "garbage");
    kb.postmortem("#c.md#", "garbage");
    kb.postmortem(".hidden.md", "garbage");
    kb.postmortem("notes.txt", "not markdown");
    kb.build(&[]).success();
}

#[test]
fn crafted_nesting_is_an_error_not_a_crash() {
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    let head = "---\ntitle: q\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\n---\n";
    kb.postmortem("quotes.md", &format!("{head}{} hi\n", ">".repeat(50_000)));
    kb.postmortem("lists.md", &format!("{head}{}x\n", "- ".repeat(5_000)));
    // Deep inline nesting is rendered (slowly by the parser, but without
    // recursion in pmsite).
    kb.postmortem(
        "strong.md",
        &format!("{head}{}x{}\n", "**".repeat(5_000), "**".repeat(5_000)),
    );
    kb.postmortem(
        "yaml.md",
        &format!(
            "---\ntitle: q\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\ntags: {}\n---\n",
            "[".repeat(10_000)
        ),
    );
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        [
            "content/postmortems/lists.md:7:1: error: block quotes and lists nested 101 levels deep; pmsite reads at most 100",
            "content/postmortems/quotes.md:7:1: error: block quotes and lists nested 101 levels deep; pmsite reads at most 100",
            "content/postmortems/yaml.md:6:71: error: invalid YAML: brackets nested more than 64 levels deep",
        ]
    );
}

#[test]
fn yaml_errors_without_a_place_get_one() {
    let kb = Kb::new("[site]\ntitle = \"T\"\n");
    let head = "---\ntitle: q\ndate: 2020-01-01\nseverity: SEV2\nsummary: s\n";
    kb.postmortem("dup.md", &format!("{head}tags: [a]\ntitle: again\n---\n"));
    kb.postmortem(
        "ctl.md",
        &format!("{head}impact: \"x\u{1b}]0;PWNED\u{7}\"\n---\n"),
    );
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        [
            "content/postmortems/ctl.md:6:11: error: invalid YAML: control characters are not allowed",
            "content/postmortems/dup.md:7:1: error: invalid YAML: duplicate entry with key \"title\"",
        ]
    );
    assert!(
        !run.stderr.contains('\u{1b}'),
        "control characters reach the terminal"
    );
}

#[test]
fn markdown_under_other_names_is_reported_and_never_published() {
    let kb = Kb::new("");
    kb.postmortem("c.md", OK);
    kb.postmortem(
        "secret.markdown",
        "---\nvisibility: internal\n---\nINTERNAL-SECRET\n",
    );
    kb.write("content/pages/sub/deep.md", "---\ntitle: Deep\n---\n");
    let run = kb.build(&["--public"]);
    run.success();
    run.stderr_has("content/postmortems/secret.markdown:1:1: warning[not-read]: content/postmortems/secret.markdown is not read: postmortems and pages are `.md` files");
    run.stderr_has("content/pages/sub/deep.md:1:1: warning[not-read]");
    assert!(!kb.join("public/postmortems/secret.markdown").exists());
    assert!(!kb.join("public/sub/deep/index.html").exists());
}

#[test]
fn a_missing_content_folder_is_an_error() {
    let kb = Kb::new("[build]\ncontent-dir = \"contnet\"\n");
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        ["book.toml:2:1: error: the content folder contnet does not exist"]
    );
}

#[test]
fn unknown_lint_codes_fail_the_build_as_they_fail_check() {
    let kb = Kb::new("[lint]\nallow = [\"folow-up-due\"]\n");
    kb.postmortem("c.md", OK);
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        ["book.toml:2:10: error: unknown lint code `folow-up-due`"]
    );
    run.stderr_has("did you mean `follow-up-due`?");
}
