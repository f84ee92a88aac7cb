//! Snapshots (insta) of the `<main>` of each kind of page, as built from
//! the fixture sites `tests/fixtures/basic` and `tests/fixtures/relations`
//! with the fixed build date, so that a change to a page is reviewed as a
//! diff: the home page, an incident, a cause, a service, the follow-up
//! board and the stats. The snapshots are in `snapshots/`; a run whose
//! output differs writes it beside them (`.snap.new`) for `cargo insta
//! review`; `INSTA_UPDATE=always cargo test --test suite pages::` rewrites
//! them after a deliberate change.

use crate::harness::Kb;

/// The `<main>` element of a page, as written (not parsed and printed
/// again, so that every byte of it is compared).
#[track_caller]
fn main_of(html: &str) -> &str {
    let opens: Vec<usize> = html.match_indices("<main").map(|(i, _)| i).collect();
    assert_eq!(opens.len(), 1, "one <main> element expected:\n{html}");
    let start = opens[0];
    let end = html[start..]
        .find("</main>")
        .map(|i| start + i + "</main>".len())
        .unwrap_or_else(|| panic!("no </main>:\n{html}"));
    assert_eq!(
        html.matches("</main>").count(),
        1,
        "one </main> expected:\n{html}"
    );
    &html[start..end]
}

/// Builds a fixture with the fixed date and snapshots the `<main>` of one
/// of its pages (a path under `public/`) as `snapshots/suite__pages__<name>.snap`.
#[track_caller]
fn assert_main_snapshot(name: &str, fixture: &str, page: &str) {
    let kb = Kb::fixture(fixture);
    kb.build(&[]).success();
    let html = kb.read(&format!("public/{page}"));
    insta::with_settings!({
        description => format!("tests/fixtures/{fixture}: <main> of public/{page}"),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, main_of(&html));
    });
}

#[test]
fn basic_home() {
    assert_main_snapshot("basic_home", "basic", "index.html");
}

#[test]
fn basic_incident() {
    assert_main_snapshot(
        "basic_incident",
        "basic",
        "postmortems/2018-04-12-timeouts/index.html",
    );
}

#[test]
fn basic_cause() {
    assert_main_snapshot("basic_cause", "basic", "causes/missing-timeout/index.html");
}

#[test]
fn basic_service() {
    assert_main_snapshot("basic_service", "basic", "services/web/index.html");
}

#[test]
fn basic_follow_ups() {
    assert_main_snapshot("basic_follow_ups", "basic", "follow-ups/index.html");
}

#[test]
fn basic_stats() {
    assert_main_snapshot("basic_stats", "basic", "stats/index.html");
}

#[test]
fn relations_home() {
    assert_main_snapshot("relations_home", "relations", "index.html");
}

#[test]
fn relations_incident() {
    assert_main_snapshot(
        "relations_incident",
        "relations",
        "postmortems/a/index.html",
    );
}

#[test]
fn relations_cause() {
    assert_main_snapshot("relations_cause", "relations", "causes/c1/index.html");
}

#[test]
fn relations_service() {
    assert_main_snapshot("relations_service", "relations", "services/s1/index.html");
}

#[test]
fn relations_follow_ups() {
    assert_main_snapshot("relations_follow_ups", "relations", "follow-ups/index.html");
}

#[test]
fn relations_stats() {
    assert_main_snapshot("relations_stats", "relations", "stats/index.html");
}
