//! The three ways to write a timeline give the same metrics; zones, DST and
//! midnight are handled; the stats page shows medians and percentiles.

use crate::harness::Kb;

const BOOK: &str = "[site]\ntitle = \"T\"\ntimezone = \"Europe/Copenhagen\"\n";

fn head(id: &str) -> String {
    format!("---\ntitle: \"{id}\"\ndate: 2021-03-28\nseverity: SEV2\nsummary: s\n")
}

/// 2021-03-28: Copenhagen springs forward from 02:00 to 03:00 (UTC+1 → +2),
/// and the incident runs past midnight.
fn three_forms() -> Kb {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "front-matter.md",
        &format!(
            "{}timeline:\n  - {{at: \"01:30\", kind: started, event: Disk fills}}\n  - {{at: \"01:50\", kind: detected, event: Alert fires}}\n  - {{at: \"03:10\", kind: acknowledged, event: On-call acks}}\n  - {{at: \"22:00\", kind: mitigated, event: Traffic drained}}\n  - {{at: \"00:15\", kind: resolved, event: All clear}}\n---\n",
            head("front-matter")
        ),
    );
    kb.postmortem(
        "list.md",
        &format!(
            "{}---\n\n## Timeline\n\n- 1:30 AM Disk fills {{started}}\n- **01:50** - Alert fires {{detected}}\n- 03:10: On-call acks {{acknowledged}}\n- 10:00 PM – Traffic drained {{mitigated}}\n- 00:15 All clear {{resolved}}\n",
            head("list")
        ),
    );
    kb.postmortem(
        "table.md",
        &format!(
            "{}---\n\n### Incident timeline\n\nAll times local.\n\n| Time | Event |\n|------|-------|\n| 01:30 | Disk fills {{started}} |\n| 01:50 | Alert fires {{detected}} |\n| 03:10 | On-call acks {{acknowledged}} |\n| 22:00 | Traffic drained {{mitigated}} |\n| 00:15 | All clear {{resolved}} |\n",
            head("table")
        ),
    );
    kb
}

#[test]
fn the_three_forms_give_identical_metrics() {
    let kb = three_forms();
    let run = kb.build(&[]);
    run.success();
    // The midnight rollover is reported as a warning, not an error.
    assert!(
        run.stderr.contains("warning[timeline-rollover]"),
        "{}",
        run.stderr
    );
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    let pms = json["postmortems"].as_array().unwrap();
    assert_eq!(pms.len(), 3);
    for p in pms {
        assert_eq!(p["started"], "2021-03-28T00:30:00Z", "{}", p["id"]);
        assert_eq!(p["detected"], "2021-03-28T00:50:00Z", "{}", p["id"]);
        // 03:10 is already summer time (UTC+2): 40 minutes after the start.
        assert_eq!(p["acknowledged"], "2021-03-28T01:10:00Z", "{}", p["id"]);
        assert_eq!(p["mitigated"], "2021-03-28T20:00:00Z", "{}", p["id"]);
        // 00:15 after 22:00 is the next day.
        assert_eq!(p["resolved"], "2021-03-28T22:15:00Z", "{}", p["id"]);
        assert_eq!(p["time_to_detect_s"], 1200, "{}", p["id"]);
        assert_eq!(p["time_to_resolve_s"], 78300, "{}", p["id"]);
    }
    let page = kb.read("public/postmortems/list/index.html");
    assert!(
        page.contains("<dt>Time to detect</dt><dd>20m</dd>"),
        "{page}"
    );
    assert!(page.contains("<dt>Time to acknowledge</dt><dd>40m</dd>"));
    assert!(page.contains("<dt>Time to resolve</dt><dd>21h 45m</dd>"));
    // The drawn timeline: offsets from the start, milestones marked.
    assert!(page.contains("</time><span>+40m</span>"));
    assert!(page.contains("<li class=\"kind-detected is-milestone\">"));
    assert!(page.contains("<span class=\"phase-detect\""));
}

#[test]
fn front_matter_wins_over_a_body_timeline() {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "both.md",
        &format!(
            "{}timeline:\n  - {{at: \"10:00\", kind: started, event: a}}\n  - {{at: \"10:05\", kind: detected, event: b}}\n---\n\n## Timeline\n\n- 11:00 other {{started}}\n- 11:30 other {{detected}}\n",
            head("both")
        ),
    );
    let run = kb.build(&[]);
    run.success();
    assert!(
        run.stderr.contains("warning[timeline-both]"),
        "{}",
        run.stderr
    );
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    assert_eq!(json["postmortems"][0]["time_to_detect_s"], 300);
}

#[test]
fn body_timeline_problems_are_placed_in_the_file() {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "bad.md",
        &format!(
            "{}---\n\n## Timeline\n\n- 2021-03-28 10:00 a {{started}}\n- 2021-03-28 09:00 b {{detcted}}\n",
            head("bad")
        ),
    );
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        [
            "content/postmortems/bad.md:11:1: error: timeline goes backwards: `2021-03-28 09:00` is before the previous entry (2021-03-28T08:00:00Z)",
            "content/postmortems/bad.md:11:1: error: unknown milestone tag `{detcted}`",
        ]
    );
    run.stderr_has("did you mean `{detected}`?");
}

#[test]
fn missing_milestones_give_absent_metrics() {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "partial.md",
        &format!("{}timeline:\n  - {{at: \"10:00\", event: something}}\n  - {{at: \"10:30\", kind: resolved, event: done}}\n---\n", head("partial")),
    );
    kb.build(&[]).success();
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    let p = &json["postmortems"][0];
    assert_eq!(
        p["started"], "2021-03-28T08:00:00Z",
        "the first entry when there is no started milestone"
    );
    assert_eq!(p["detected"], serde_json::Value::Null);
    assert_eq!(p["time_to_detect_s"], serde_json::Value::Null);
    assert_eq!(p["time_to_resolve_s"], 1800);
    let page = kb.read("public/postmortems/partial/index.html");
    assert!(page.contains("<dt>Time to detect</dt><dd>—</dd>"));
}

#[test]
fn the_stats_page_shows_medians_and_percentiles() {
    let kb = Kb::fixture("relations");
    // By default (min-sample 5) two or three incidents are too few.
    kb.run(&["build", "--now", "2023-01-10"]).success();
    let html = kb.read("public/stats/index.html");
    assert!(
        html.contains("<dt>Median time to detect</dt><dd><span class=\"too-few\">too few to summarise</span></dd><dd class=\"n\">n = 2</dd>"),
        "{html}"
    );
    let book = kb.read("book.toml");
    kb.write("book.toml", format!("{book}\n[stats]\nmin-sample = 2\n"));
    kb.run(&["build", "--now", "2023-01-10"]).success();
    let html = kb.read("public/stats/index.html");
    // Time to detect: a 5m, b 10m → median 7.5m, p90 (nearest rank) 10m.
    assert!(
        html.contains("<dt>Median time to detect</dt><dd><data value=\"450\">7m 30s</data>"),
        "{html}"
    );
    assert!(
        html.contains("<dt>90th percentile time to detect</dt><dd><data value=\"600\">10m</data>")
    );
    // Time to resolve: e 30m, a 1h, b 3h → median 1h, p90 3h.
    assert!(html.contains("<dt>Median time to resolve</dt><dd><data value=\"3600\">1h</data>"));
    assert!(
        html.contains(
            "<dt>90th percentile time to resolve</dt><dd><data value=\"10800\">3h</data>"
        )
    );
    // Charts are inline SVG with a text equivalent.
    for id in [
        "per-month",
        "time-to-detect",
        "time-to-resolve",
        "periods",
        "recurrences",
        "top-causes",
        "detection",
        "follow-up-completion",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("<svg class=\"chart bar-chart\""));
    assert!(html.contains("<svg class=\"chart line-chart log-chart\""));
    assert!(html.contains("<svg class=\"chart dot-plot\""));
    // The charts need no JavaScript: the page's content has no script (the
    // site-wide search box has its own).
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap()];
    assert!(
        !main.contains("<script"),
        "the stats page needs no JavaScript"
    );
    let doc = scraper::Html::parse_document(&html);
    let q = scraper::Selector::parse("#periods tbody tr").unwrap();
    let rows: Vec<String> = doc
        .select(&q)
        .filter(|r| r.text().any(|t| t.contains("2020 Q1")))
        .map(|r| {
            r.text()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].starts_with("2020 Q1|3|2|7m 30s|10m|") && rows[0].ends_with("|2h|3h"),
        "{}",
        rows[0]
    );
}

#[test]
fn ranges_brackets_and_unreadable_times_in_the_body() {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "ranges.md",
        &format!(
            "{}---\n\n## Timeline\n\n- [16:55] start {{started}}\n- 17:00-18:00 something slow\n- 18:03 detected {{detected}}.\n- (18:30) fixed {{resolved}}\n",
            head("ranges")
        ),
    );
    kb.build(&[]).success();
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    let p = &json["postmortems"][0];
    // 16:55 → 18:03 the same day: a range is not a time at UTC-18.
    assert_eq!(p["time_to_detect_s"], 68 * 60);
    assert_eq!(p["time_to_resolve_s"], 95 * 60);
    let page = kb.read("public/postmortems/ranges/index.html");
    assert!(page.contains("(until 18:00) something slow"), "{page}");
    // The tags are for pmsite; the body shows the entries without them.
    assert!(
        !page.contains("{started}") && !page.contains("{detected}"),
        "{page}"
    );
    assert!(
        page.contains("<li>18:03 detected</li>"),
        "the words stay: {page}"
    );

    kb.postmortem(
        "bad-time.md",
        &format!(
            "{}---\n\n## Timeline\n\n- 09:00 start {{started}}\n- 25:61 bad time {{detected}}\n- 09:30 ok {{resolved}}\n",
            head("bad-time")
        ),
    );
    let run = kb.build(&[]);
    run.failure();
    assert_eq!(
        run.error_lines(),
        ["content/postmortems/bad-time.md:11:1: error: cannot read `25:61` as a time"]
    );
}

#[test]
fn a_time_the_clocks_skipped_is_a_warning() {
    let kb = Kb::new(BOOK);
    // 2021-03-28 in Copenhagen: 02:00 → 03:00.
    kb.postmortem(
        "gap.md",
        &format!(
            "{}timeline:\n  - {{at: \"01:50\", kind: started, event: a}}\n  - {{at: \"02:30\", kind: detected, event: b}}\n  - {{at: \"03:40\", kind: resolved, event: c}}\n---\n",
            head("gap")
        ),
    );
    let run = kb.build(&[]);
    run.success();
    run.stderr_has("content/postmortems/gap.md:8:10: warning[timeline-dst-gap]: `02:30` does not exist on 2021-03-28: the clocks moved forward over it; read as 2021-03-28T01:30:00Z");
}
