//! `pmsite import` on fixtures written for each class of issue 16 (none
//! copied from a corpus): zones stated in prose or on entries, day
//! markers, the author's order, nothing of the source lost, another tool's
//! front matter, follow-ups, milestones, one reader for body timelines,
//! summaries and titles, and the closing count of what was certain and
//! what was guessed.

use crate::harness::{Kb, Run};
use crate::import::passes_check_and_builds;
use serde_json::Value;

const BOOK: &str = "[site]\ntitle = \"Imported\"\n";

/// Imports `files` (name, text) from a folder of their own into a new
/// knowledge base with `book`.
pub(crate) fn import(book: &str, files: &[(&str, &str)]) -> (Kb, Run) {
    let src = Kb::empty();
    for (name, text) in files {
        src.write(name, text);
    }
    let kb = Kb::new(book);
    let run = kb.run(&["import", src.path().to_str().unwrap()]);
    // The sources stay where they are for the messages' paths.
    std::mem::forget(src);
    (kb, run)
}

pub(crate) fn front_matter(kb: &Kb, name: &str) -> Value {
    let text = kb.read(&format!("content/postmortems/{name}"));
    let rest = text.strip_prefix("---\n").expect("front matter");
    let end = rest.find("\n---\n").expect("closed");
    serde_yaml::from_str(&rest[..end]).expect("YAML")
}

pub(crate) fn ats(fm: &Value) -> Vec<String> {
    fm["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|e| e["at"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn events(fm: &Value) -> Vec<String> {
    fm["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

fn kinds(fm: &Value) -> Vec<String> {
    fm["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("other").to_string())
        .collect()
}

pub(crate) fn exported(kb: &Kb, id: &str) -> Value {
    let export: Value = serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    export["postmortems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
        .clone()
}

#[test]
fn zones_stated_in_prose_or_on_entries() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2023-07-10-queue.md",
                "# Queue backlog\n\n*(All times PDT, 24-hour clock)*\n\n## Timeline\n\n- 09:00 Consumer deploy starts\n- 16:14 (UTC) Alert fires for queue depth\n- 09:40 PST - Rollback finished, queue drains\n- 11:45 Chicago - Incident call closed\n",
            ),
            (
                "2023-01-10-dns.md",
                "# DNS errors\n\n## Timeline\n\nTimes are Europe/Paris.\n\n| Time | Event |\n|---|---|\n| 10:00 | Resolver errors rise |\n| 10:30 | Resolver restarted, errors stop |\n",
            ),
            (
                "2023-01-11-cdn.md",
                "# CDN misses\n\n## Timeline (all times UTC+1)\n\n- 10:00 Cache hit rate drops\n- 10:20 Purge reverted, hit rate recovers\n",
            ),
            (
                "2023-01-12-login.md",
                "# Login slow\n\nAll times in IST.\n\n## Timeline\n\n- 10:00 Login latency rises\n- 10:45 Pool resized, latency back to normal\n",
            ),
        ],
    );
    run.success();
    let fm = front_matter(&kb, "2023-07-10-queue.md");
    assert_eq!(fm["timezone"], "America/Los_Angeles");
    // Daylight saving time is part of the zone: PDT in July, whatever the
    // entry says; a zone on an entry wins for it and leaves its words.
    assert_eq!(
        ats(&fm),
        [
            "2023-07-10 09:00",
            "2023-07-10 09:14",
            "2023-07-10 09:40",
            "2023-07-10 09:45"
        ]
    );
    let ev = events(&fm);
    assert_eq!(ev[1], "Alert fires for queue depth");
    assert_eq!(ev[2], "Rollback finished, queue drains");
    assert!(
        ev.iter()
            .all(|e| !e.contains("UTC") && !e.contains("PST") && !e.contains("Chicago")),
        "{ev:?}"
    );
    assert_eq!(
        front_matter(&kb, "2023-01-10-dns.md")["timezone"],
        "Europe/Paris"
    );
    assert_eq!(
        front_matter(&kb, "2023-01-11-cdn.md")["timezone"],
        "Etc/GMT-1"
    );
    let fm = front_matter(&kb, "2023-01-12-login.md");
    assert_eq!(fm["timezone"], "Asia/Kolkata");
    run.stderr_has("2023-01-12-login.md:3:1: warning[import]: `IST` names several zones (Asia/Kolkata, Europe/Dublin, Asia/Jerusalem)");
    passes_check_and_builds(&kb);
}

/// Entries that each name a different zone, with no statement and a site
/// zone that is not UTC: each entry's instant is its own zone's, and the
/// file says its times are UTC.
#[test]
fn entries_in_several_zones_keep_their_instants() {
    let (kb, run) = import(
        "[site]\ntitle = \"Imported\"\ntimezone = \"Europe/Berlin\"\n",
        &[(
            "2022-07-10-edge.md",
            "# Edge packet loss\n\n## Timeline\n\n- 2022-07-10 16:22 PST Edge nodes start dropping packets\n- 2022-07-10 16:40 PST Alert: packet loss on the edge\n- 2022-07-10 19:55 EST East coast confirms recovery\n",
        )],
    );
    run.success();
    let fm = front_matter(&kb, "2022-07-10-edge.md");
    assert_eq!(fm["timezone"], "UTC");
    // PST and EST in July are read with their daylight saving time.
    assert_eq!(
        ats(&fm),
        ["2022-07-10 23:22", "2022-07-10 23:40", "2022-07-10 23:55"]
    );
    run.stderr_has("Imported 1 postmortem: 3 timeline entries (3 certain, 0 guessed)");
    passes_check_and_builds(&kb);
    assert_eq!(
        exported(&kb, "2022-07-10-edge")["started"],
        "2022-07-10T23:22:00Z"
    );
}

/// The severity a body labels is read (its word mapped, with a warning
/// when guessed); one taken from a passing mention is a warning at that
/// line.
#[test]
fn severity_labelled_or_mentioned() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2022-03-01-labelled.md",
                "# Payments stalled\n\n**Severity:** Critical\n\n## Timeline\n\n- 10:00 Payments stall\n- 10:30 Queue restarted, payments restored\n",
            ),
            (
                "2022-03-02-mention.md",
                "# Search slow\n\n## Summary\n\nSearch was slow while two teams were busy with other Sev 1 work.\n\n## Timeline\n\n- 10:00 Search latency rises\n- 10:30 Index rebuilt, latency back to normal\n",
            ),
            (
                "2022-03-03-sev.md",
                "# Login down\n\n- Severity: SEV2\n\n## Timeline\n\n- 10:00 Logins fail\n- 10:20 Config reverted, logins restored\n",
            ),
            (
                "2022-03-04-p2.md",
                "# Cart errors\n\nSeverity: P2 - Major\n\n## Timeline\n\n- 10:00 Cart errors rise\n- 10:20 Cache flushed, service restored\n",
            ),
        ],
    );
    assert_eq!(front_matter(&kb, "2022-03-04-p2.md")["severity"], "SEV2");
    run.success();
    assert_eq!(
        front_matter(&kb, "2022-03-01-labelled.md")["severity"],
        "SEV1"
    );
    run.stderr_has("2022-03-01-labelled.md:3:1: warning[import]: severity `Critical` is not one of [postmortem] severities; `SEV1` is set (a guess from the word): to say what it means, add `[import] severity-map = { critical = \"SEV1\" }` to book.toml");
    assert_eq!(
        front_matter(&kb, "2022-03-02-mention.md")["severity"],
        "SEV1"
    );
    run.stderr_has("2022-03-02-mention.md:5:1: warning[import]: `SEV1` is taken from a mention in this text, not a statement of the severity; check it");
    assert_eq!(front_matter(&kb, "2022-03-03-sev.md")["severity"], "SEV2");
    assert!(
        !run.stderr
            .contains("2022-03-03-sev.md:1:1: warning[import]: no severity"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("2022-03-03-sev.md:3:"),
        "{}",
        run.stderr
    );
    passes_check_and_builds(&kb);
}

/// A title may contain a section's name; a heading that is only one is no
/// title.
#[test]
fn a_title_may_name_a_section() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2022-04-01-timeline-api.md",
                "# Timeline service outage\n\n## Timeline\n\n- 10:00 Timeline API returns errors\n- 10:40 Pods restarted, service restored\n",
            ),
            (
                "2022-04-02-disk.md",
                "# Timeline (UTC)\n\n- 10:00 Disk fills on the build host\n- 10:40 Old images deleted, service restored\n",
            ),
        ],
    );
    run.success();
    assert_eq!(
        front_matter(&kb, "2022-04-01-timeline-api.md")["title"],
        "Timeline service outage"
    );
    let fm = front_matter(&kb, "2022-04-02-disk.md");
    assert_eq!(fm["title"], "Disk");
    assert_eq!(ats(&fm).len(), 2);
    passes_check_and_builds(&kb);
}

/// "19. April, 11:00": Markdown reads the day as a list item's number,
/// alone or inside a bullet; the entry is read with it.
#[test]
fn a_day_that_markdown_takes_for_a_list_number() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2022-04-19-ordered.md",
                "# Archive disk\n\n## Timeline\n\nAll times in UTC.\n\n19. April, 11:00 Disk alarms on the archive\n20. April, 09:30 Archive restored from snapshot\n",
            ),
            (
                "2022-04-19-bullets.md",
                "# Archive disk again\n\n## Timeline\n\nAll times in UTC.\n\n- 19. April, 11:00 Disk alarms on the archive\n- 20. April, 09:30 Archive restored from snapshot\n",
            ),
        ],
    );
    run.success();
    for name in ["2022-04-19-ordered.md", "2022-04-19-bullets.md"] {
        let fm = front_matter(&kb, name);
        assert_eq!(ats(&fm), ["2022-04-19 11:00", "2022-04-20 09:30"], "{name}");
        assert_eq!(events(&fm)[0], "Disk alarms on the archive", "{name}");
    }
    passes_check_and_builds(&kb);
}

/// A table with the date and the time in columns of their own, the date
/// left empty on the later rows of its day.
#[test]
fn date_and_time_in_two_columns() {
    let (kb, run) = import(
        BOOK,
        &[(
            "2024-03-20-split.md",
            "# Split columns\n\n## Timeline\n\nAll times in UTC.\n\n| Date | Time | Event | Who |\n| --- | --- | --- | --- |\n| 2024-03-20 | 10:00 | Queue consumers stall | ana |\n| | 10:25 | Consumers restarted, service restored | rui |\n| 2024-03-21 | 09:00 | Root cause found | ana |\n",
        )],
    );
    run.success();
    let fm = front_matter(&kb, "2024-03-20-split.md");
    assert_eq!(
        ats(&fm),
        ["2024-03-20 10:00", "2024-03-20 10:25", "2024-03-21 09:00"]
    );
    assert_eq!(events(&fm)[0], "Queue consumers stall — ana");
    run.stderr_has("3 timeline entries (3 certain, 0 guessed)");
    passes_check_and_builds(&kb);
}

/// A day heading whose weekday is not its date's keeps the date, with a
/// warning, and its entries are guessed.
#[test]
fn a_weekday_that_is_not_the_dates() {
    let (kb, run) = import(
        BOOK,
        &[(
            "2024-03-20-weekday.md",
            "# Disk alarms\n\n## Timeline\n\nAll times in UTC.\n\n### Tuesday 2024-03-20\n\n- 10:00 Disk alarms on the build host\n- 10:30 Old images deleted, service restored\n",
        )],
    );
    run.success();
    let fm = front_matter(&kb, "2024-03-20-weekday.md");
    assert_eq!(ats(&fm), ["2024-03-20 10:00", "2024-03-20 10:30"]);
    run.stderr_has("2024-03-20-weekday.md:7:1: warning[import]: Tuesday is not the weekday of 2024-03-20 (a Wednesday); the date is kept: check it");
    run.stderr_has("2 timeline entries (0 certain, 2 guessed)");
    passes_check_and_builds(&kb);
}

#[test]
fn day_headings_and_lines_set_the_day() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2021-06-03-storage.md",
                "# Storage degraded\n\n## Timeline\n\nAll times in UTC.\n\n### June 3rd\n\n- 22:10 Disk latency climbs on node 4\n- 23:55 Node 4 evicted\n\n### June 4th\n\n- 00:20 Rebuild starts\n- 06:00 Rebuild done, service restored\n\n**June 5, 2021**\n\n- 09:00 Review meeting held\n",
            ),
            (
                "2021-01-01-year-end.md",
                "# Year-end batch\n\n## Timeline\n\nAll times in UTC.\n\n## 31 December\n\n- 23:50 Batch starts late\n\n## 1 January\n\n- 00:10 Batch fails, alert fires\n- 00:40 Batch rerun, service restored\n",
            ),
            (
                "2022-11-14-chat.md",
                "# Pager storm\n\n## Timeline\n\nAll times in UTC.\n\n- [11-14 08:30] alice: pager fires for api\n- [11-14 08:41] bob: restarted api, pages stop\n",
            ),
            (
                "PM2021-007 - Cache.md",
                "# Cache flush\n\n## Timeline\n\nAll times in UTC.\n\n### 03/06/2021\n\n- 10:00 Cache flushed by a cron job\n- 10:30 Cache warm again, service restored\n",
            ),
        ],
    );
    run.success();
    let fm = front_matter(&kb, "2021-06-03-storage.md");
    assert_eq!(
        ats(&fm),
        [
            "2021-06-03 22:10",
            "2021-06-03 23:55",
            "2021-06-04 00:20",
            "2021-06-04 06:00",
            "2021-06-05 09:00"
        ]
    );
    // December before January: the year before.
    let fm = front_matter(&kb, "2021-01-01-year-end.md");
    assert_eq!(
        ats(&fm),
        ["2020-12-31 23:50", "2021-01-01 00:10", "2021-01-01 00:40"]
    );
    run.stderr_has("2021-01-01-year-end.md:7:1: warning[import]: the timeline goes from December to January, so this date is taken to be 2020-12-31");
    let fm = front_matter(&kb, "2022-11-14-chat.md");
    assert_eq!(ats(&fm), ["2022-11-14 08:30", "2022-11-14 08:41"]);
    // Day and month either way round, nothing to settle it: day first,
    // with a warning naming the setting.
    let fm = front_matter(&kb, "2021-06-03-pm2021-007-cache.md");
    assert_eq!(ats(&fm)[0], "2021-06-03 10:00");
    run.stderr_has("PM2021-007 - Cache.md:7:1: warning[import]: day and month could be either way round in this date; it is read day first (2021-06-03): set `[import] date-order`");
    passes_check_and_builds(&kb);

    // The book settles it.
    let (kb, run) = import(
        "[import]\ndate-order = \"month-day\"\n",
        &[(
            "PM2021-007 - Cache.md",
            "# Cache flush\n\n## Timeline\n\nAll times in UTC.\n\n### 03/06/2021\n\n- 10:00 Cache flushed by a cron job\n",
        )],
    );
    run.success();
    assert!(!run.stderr.contains("either way round"), "{}", run.stderr);
    assert_eq!(
        ats(&front_matter(&kb, "2021-03-06-pm2021-007-cache.md")),
        ["2021-03-06 10:00"]
    );
}

#[test]
fn the_order_is_the_authors() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2021-03-02-batch.md",
                "# Nightly batch\n\n## Timeline\n\nAll times in UTC.\n\n- 3:10 PM Batch job starts\n- 11:45 PM Job still running\n- 5:02 AM Job fails, alert fires\n- 6:30 AM Job rerun, service restored\n",
            ),
            (
                "2021-03-04-noted.md",
                "# Noted late\n\n## Timeline\n\nAll times in UTC.\n\n- 10:00 Error rate rises\n- 10:20 Config reverted, service restored\n- 10:05 (noted later) an alert had fired\n",
            ),
        ],
    );
    run.success();
    let fm = front_matter(&kb, "2021-03-02-batch.md");
    assert_eq!(
        ats(&fm),
        [
            "2021-03-02 15:10",
            "2021-03-02 23:45",
            "2021-03-03 05:02",
            "2021-03-03 06:30"
        ]
    );
    run.stderr_has("2021-03-02-batch.md:9:1: warning[import]: this time is earlier than the one before it, so it is taken to be on the next day (2021-03-03)");
    // A small step back is an entry written out of order: sorted, and said.
    let fm = front_matter(&kb, "2021-03-04-noted.md");
    assert_eq!(
        ats(&fm),
        ["2021-03-04 10:00", "2021-03-04 10:05", "2021-03-04 10:20"]
    );
    run.stderr_has("2021-03-04-noted.md:9:1: warning[import]: this entry is earlier than the one before it; the timeline is sorted by time");
    passes_check_and_builds(&kb);
}

#[test]
fn nothing_of_the_source_is_lost() {
    let long = "Traffic shifts to the secondary region while the primary database replays its write-ahead log, which takes far longer than the runbook promises because the replica was lagging by forty minutes before the failover began and nobody had been told";
    let source = format!(
        "# Database failover\n\n## Timeline\n\nAll times in UTC.\n\n- 09:00 Primary database stops accepting writes\n- 09:04 On-call paged, see [the chat](https://chat.example.test/archives/C1/p123)\n- 09:10 {long}\n- 09:20 Failover finished\n  - replica promoted by hand\n  - DNS updated[^dns]\n- 09:30 Writes accepted again, service restored <!-- check the exact minute -->\n\n| Time | Event | Who |\n|---|---|---|\n| 09:40 | Backfill started | dana |\n\n<!-- the backfill timing is from memory -->\n\n[^dns]: The TTL was 300 seconds.\n"
    );
    let (kb, run) = import(BOOK, &[("2024-05-06-failover.md", &source)]);
    run.success();
    let fm = front_matter(&kb, "2024-05-06-failover.md");
    let ev = events(&fm);
    assert_eq!(ev[2], long, "long events are never cut");
    assert_eq!(
        ev.len(),
        5,
        "the list is the timeline; the table stays as it is"
    );
    let pm = kb.read("content/postmortems/2024-05-06-failover.md");
    // What the front matter cannot hold stays in the body: the link, the
    // sub-items, the footnote, the HTML comments (as comments).
    assert!(
        pm.contains("[the chat](https://chat.example.test/archives/C1/p123)"),
        "{pm}"
    );
    assert!(pm.contains("  - replica promoted by hand"), "{pm}");
    assert!(pm.contains("[^dns]: The TTL was 300 seconds."), "{pm}");
    assert!(pm.contains("<!-- check the exact minute -->"), "{pm}");
    assert!(
        pm.contains("<!-- the backfill timing is from memory -->"),
        "{pm}"
    );
    assert!(pm.contains("| 09:40 | Backfill started | dana |"), "{pm}");
    // A plain entry the front matter holds entirely leaves the body.
    assert!(!pm.contains("- 09:00 Primary database"), "{pm}");
    assert!(pm.contains("  allow: [timeline-both]"), "{pm}");
    let findings = passes_check_and_builds(&kb);
    assert!(!findings.iter().any(|f| f["code"] == "timeline-both"));
    let page = kb.read("public/postmortems/2024-05-06-failover/index.html");
    for shown in [
        "https://chat.example.test/archives/C1/p123",
        "replica promoted by hand",
        "The TTL was 300 seconds.",
        "nobody had been told",
        "dana",
    ] {
        assert!(page.contains(shown), "{shown} is not on the page");
    }
}

/// Issue 13, point 5: what `import` writes passes `check`, even when a
/// source's times cannot be read.
#[test]
fn unreadable_times_are_warnings_and_stay_text() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2023-02-27-typos.md",
                "# Typos\n\n## Timeline\n\nAll times in UTC.\n\n- 25:99 Something odd happened\n- 2023-02-30 10:00 A day that does not exist\n",
            ),
            (
                "2023-02-28-mixed.md",
                "# Mixed\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n|---|---|\n| 09:00 | Queue fills |\n| 9:7O | A typo in the time |\n| 09:30 | Queue drained, service restored |\n",
            ),
        ],
    );
    run.success();
    run.stderr_has("2023-02-27-typos.md:7:1: warning[import]: cannot read the time `25:99`; the entry stays in the body as text");
    run.stderr_has(
        "2023-02-27-typos.md:8:1: warning[import]: cannot read the time `2023-02-30 10:00`",
    );
    run.stderr_has("2023-02-28-mixed.md:10:1: warning[import]: cannot read the time `9:7O`");
    let pm = kb.read("content/postmortems/2023-02-27-typos.md");
    assert!(
        pm.contains("- (unreadable time) 25:99 Something odd happened"),
        "{pm}"
    );
    assert!(
        pm.contains("- (unreadable time) 2023-02-30 10:00 A day"),
        "{pm}"
    );
    assert_eq!(
        ats(&front_matter(&kb, "2023-02-28-mixed.md")),
        ["2023-02-28 09:00", "2023-02-28 09:30"]
    );
    passes_check_and_builds(&kb);
}

#[test]
fn another_tools_front_matter_is_mapped_or_kept() {
    let status_page = "---\ntitle: Checkout API degraded\ndate: 2023-03-09T7:15:00-00:00\nresolved: true\nresolvedWhen: 2023-03-09T9:40:00-00:00\nseverity: disrupted\naffected: [Checkout API]\nsection: issue\n---\nPayments were slow for some of the customers in the morning.\n";
    let catalogue = "+++\ntitle = \"Object storage unavailable\"\nstart_time = 2019-07-02T13:42:00Z\nend_time = \"2019-07-02T14:20:00Z\"\nurl = \"https://status.example.test/incidents/7\"\ncompany = \"Example Corp\"\ncategories = [\"storage\", \"Config Change\"]\nkeywords = [\"s3\"]\nuuid = \"5f1c2e\"\n+++\nThe object store refused all requests for most of an hour.\n";
    let (kb, run) = import(
        "[import]\nseverity-map = { disrupted = \"SEV2\" }\n",
        &[("status.md", status_page), ("catalogue.md", catalogue)],
    );
    run.success();
    assert!(
        !run.stderr.contains("severity `disrupted`"),
        "{}",
        run.stderr
    );
    let fm = front_matter(&kb, "2023-03-09-status.md");
    assert_eq!(
        fm["date"], "2023-03-09",
        "the date as written, one-digit hour read"
    );
    assert_eq!(fm["severity"], "SEV2");
    assert_eq!(fm["services"], serde_json::json!(["checkout-api"]));
    assert_eq!(
        fm["extra"],
        serde_json::json!({"date": "2023-03-09T7:15:00-00:00", "resolved": true, "section": "issue"})
    );
    assert_eq!(kinds(&fm), ["resolved"]);
    let fm = front_matter(&kb, "2019-07-02-catalogue.md");
    assert_eq!(fm["date"], "2019-07-02");
    assert_eq!(kinds(&fm), ["started", "resolved"]);
    assert_eq!(fm["source_url"], "https://status.example.test/incidents/7");
    assert_eq!(
        fm["tags"],
        serde_json::json!(["storage", "config-change", "s3"])
    );
    assert_eq!(
        fm["extra"],
        serde_json::json!({"company": "Example Corp", "uuid": "5f1c2e"})
    );
    passes_check_and_builds(&kb);
    let p = exported(&kb, "2019-07-02-catalogue");
    assert_eq!(
        p["extra"],
        serde_json::json!({"company": "Example Corp", "uuid": "5f1c2e"})
    );
    assert_eq!(p["source_url"], "https://status.example.test/incidents/7");
    assert_eq!(p["time_to_resolve_s"], 38 * 60);
    assert_eq!(
        exported(&kb, "2023-03-09-status")["extra"]["section"],
        "issue"
    );
    let page = kb.read("public/postmortems/2019-07-02-catalogue/index.html");
    assert!(page.contains("Imported fields"), "{page}");
    assert!(
        page.contains("<dt>company</dt><dd>Example Corp</dd>"),
        "{page}"
    );
    assert!(page.contains("<a href=\"https://status.example.test/incidents/7\" rel=\"noopener\">Original report</a>"), "{page}");

    // Without a mapping: a documented guess, a warning naming the mapping
    // to add, and the word kept.
    let (kb, run) = import(BOOK, &[("status.md", status_page)]);
    run.success();
    run.stderr_has("status.md:6:1: warning[import]: severity `disrupted` is not one of [postmortem] severities; `SEV2` is set (a guess from the word) and the word is kept under `extra:`: to say what it means, add `[import] severity-map = { disrupted = \"SEV2\" }` to book.toml");
    let fm = front_matter(&kb, "2023-03-09-status.md");
    assert_eq!(fm["severity"], "SEV2");
    assert_eq!(fm["extra"]["severity"], "disrupted");

    // A mapping to no severity is an error at its line.
    let (_, run) = import(
        "[import]\nseverity-map = { down = \"P0\" }\n",
        &[("status.md", status_page)],
    );
    run.failure();
    run.stderr_has(
        "book.toml:2:25: error: [import] severity-map maps to `P0`, which is not a severity",
    );
}

/// A milestone of another tool's front matter at the time of a body entry
/// marks that entry instead of repeating it.
#[test]
fn a_front_matter_milestone_marks_the_body_entry_at_its_time() {
    let (kb, run) = import(
        BOOK,
        &[(
            "status.md",
            "---\ntitle: Search errors\ndate: 2023-05-04\nresolvedWhen: 2023-05-04T09:45:00Z\n---\n\n## Timeline\n\nAll times in UTC.\n\n- 09:10 Search returns errors\n- 09:45 Errors stop after the index swap\n",
        )],
    );
    run.success();
    let fm = front_matter(&kb, "2023-05-04-status.md");
    assert_eq!(ats(&fm), ["2023-05-04 09:10", "2023-05-04 09:45"]);
    assert_eq!(kinds(&fm), ["other", "resolved"]);
    assert_eq!(events(&fm)[1], "Errors stop after the index swap");
    passes_check_and_builds(&kb);
}

/// A source pmsite cannot read is an error that says how to fix it; an
/// empty or binary file is no postmortem and is skipped, with its reason.
#[test]
fn unreadable_empty_and_binary_sources() {
    let src = Kb::empty();
    std::fs::write(
        src.join("2021-02-03-latin.md"),
        b"# Caf\xe9 outage\n\n## Timeline\n\n- 10:00 x\n",
    )
    .unwrap();
    src.write("2021-02-04-empty.md", "\n  \n");
    std::fs::write(src.join("2021-02-05-bin.md"), b"\x00\x01\x02PNG").unwrap();
    src.write("2021-02-06-fine.md", "# Fine\n\n## Timeline\n\nAll times in UTC.\n\n- 10:00 Queue stalls\n- 10:20 Queue restarted, service restored\n");
    let kb = Kb::new(BOOK);
    let run = kb.run(&["import", src.path().to_str().unwrap()]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    run.stderr_has("2021-02-03-latin.md:1:1: error: file is not valid UTF-8");
    run.stderr_has(
        "convert it to UTF-8 (e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > NEW`), then import again",
    );
    run.stderr_has("2021-02-04-empty.md:1:1: warning[import]: skipped: it is empty");
    run.stderr_has("2021-02-05-bin.md:1:1: warning[import]: skipped: it holds NUL bytes: a binary file, not Markdown");
    run.stderr_has("Imported 1 postmortem: ");
    run.stderr_has("3 skipped (1 with an error)");
    passes_check_and_builds(&kb);
}

/// HTML the built page leaves out is named at its line; comments are not.
#[test]
fn raw_html_is_named() {
    let (kb, run) = import(
        BOOK,
        &[(
            "2024-02-02-pasted.md",
            "# Pasted table\n\n## Timeline\n\n<table>\n<tr><td>10:00</td><td>Errors</td></tr>\n</table>\n\n<!-- kept as a comment -->\n\nThe checkout errors lasted an hour.\n",
        )],
    );
    run.success();
    run.stderr_has("2024-02-02-pasted.md:5:1: warning[import]: this HTML stays in the body, but the built page leaves raw HTML out");
    assert!(
        !run.stderr.contains("2024-02-02-pasted.md:9:1"),
        "{}",
        run.stderr
    );
    passes_check_and_builds(&kb);
}

#[test]
fn a_date_is_never_made_up() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "notes.md",
                "# Something broke\n\nIt broke, and then it was fixed.\n",
            ),
            ("2022-04-01-fine.md", "# Fine\n\nAll good, really good.\n"),
        ],
    );
    run.failure();
    run.stderr_has("notes.md:1:1: error: no date found in the front matter, the file name, the timeline or the text; the file is not imported");
    run.stderr_has("Imported 1 postmortem: 0 timeline entries (0 certain, 0 guessed), 0 milestones (0 stated, 0 guessed), 1 skipped (1 with an error),");
    assert!(kb.exists("content/postmortems/2022-04-01-fine.md"));
    let all = harness_files(&kb);
    assert_eq!(all, ["2022-04-01-fine.md"], "{all:?}");
}

fn harness_files(kb: &Kb) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(kb.join("content/postmortems"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn follow_ups_are_the_action_items() {
    let (kb, run) = import(
        BOOK,
        &[(
            "2022-09-01-runners.md",
            "# GitHub Actions runners outage\n\nRunners were gone for an hour on the first of the month.\n\n- not an action item\n\n## Action items\n\n- Add a canary pool\n  - size it at two runners\n  - alert when it is empty\n- ~~Remove the old cron~~\n- Pin the image by SHA-256 digest (fixed during the incident)\n- Decode runner logs as UTF-8 (OPS-77)\n\n### Completed\n\n- Restart policy set\n- [ ] Write the runbook\n\n| Task | Details | State | ETA |\n|---|---|---|---|\n| Page the right team | metadata | not done | 2022-10-01 |\n",
        )],
    );
    run.success();
    let fm = front_matter(&kb, "2022-09-01-runners.md");
    let fus = fm["follow_ups"].as_array().unwrap();
    let got: Vec<(String, String, String)> = fus
        .iter()
        .map(|f| {
            (
                f["title"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                f["ticket"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [
        (
            "Add a canary pool; size it at two runners; alert when it is empty",
            "open",
            "",
        ),
        ("Remove the old cron", "done", ""),
        (
            "Pin the image by SHA-256 digest (fixed during the incident)",
            "done",
            "",
        ),
        ("Decode runner logs as UTF-8", "open", "OPS-77"),
        ("Restart policy set", "done", ""),
        ("Write the runbook", "open", ""),
        ("Page the right team", "open", ""),
    ];
    assert_eq!(
        got,
        want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    assert_eq!(fus[6]["due"], "2022-10-01");
    passes_check_and_builds(&kb);
}

#[test]
fn milestones_from_the_authors_words_first() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2023-05-02-cache.md",
                "# Cache stampede\n\n## Timeline\n\nAll times in UTC.\n\n- 08:00 New cache keys deployed\n- 08:05 **Impact starts.** Origin load triples\n- 08:20 Alert fires; a call is opened to mitigate\n- 08:40 Keys reverted. IMPACT ENDS\n",
            ),
            (
                "2023-05-03-disk.md",
                "# Disk full\n\n## Timeline\n\nAll times in UTC.\n\n- 09:00 Alert fires: disk 95% full\n- 09:30 Old logs deleted, service restored\n",
            ),
        ],
    );
    run.success();
    let fm = front_matter(&kb, "2023-05-02-cache.md");
    assert_eq!(kinds(&fm), ["other", "started", "detected", "resolved"]);
    run.stderr_has(
        "2023-05-02-cache.md:9:1: warning[import]: `detected` is guessed from this entry's words",
    );
    let fm = front_matter(&kb, "2023-05-03-disk.md");
    assert_eq!(kinds(&fm), ["other", "resolved"]);
    run.stderr_has("2023-05-03-disk.md:7:1: warning[import]: this entry reads as the detection, but no earlier entry marks the start, so no time to detect is derived");
    passes_check_and_builds(&kb);
    let p = exported(&kb, "2023-05-02-cache");
    assert_eq!(p["time_to_detect_s"], 15 * 60);
    assert_eq!(p["time_to_resolve_s"], 35 * 60);
    // Without a start, no time to detect (not 0 s).
    assert_eq!(
        exported(&kb, "2023-05-03-disk")["time_to_detect_s"],
        Value::Null
    );
}

/// Class 10: the durations a postmortem states in its own Stats list are
/// the author's figures. A figure a few minutes off the entry that reads as
/// its milestone places the milestone where the figure says (the entry
/// stays as written); a timeline that opens with its detection gets the
/// start the stated time to detection gives; a figure far from every entry
/// is left to the timeline and named at its line.
#[test]
fn stated_figures_agree_or_are_named() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2022-09-14-queue.md",
                "# Queue consumers stalled\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n| --- | --- |\n| 2022-09-14 06:10 | Broker upgrade rolled out to the fleet |\n| 2022-09-14 10:17 | Pager alert for consumer lag is seen by the on-call |\n| 2022-09-14 12:40 | Broker upgrade reverted |\n| 2022-09-14 13:05 | Lag back to zero, service restored |\n\n## Stats\n\n- Time to detection: 243 minutes\n- Time to recovery: 396 minutes\n",
            ),
            (
                "2022-09-20-labels.md",
                "# Wrong labels on billing metrics\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n| --- | --- |\n| 2022-09-20 14:05 | Analyst reported odd labels on the billing dashboard |\n| 2022-09-20 15:40 | Exporter config fixed and labels back to normal |\n\n## Stats\n\n- Time to detection: 45 minutes\n- Time to recovery: 2 hours 20 minutes\n",
            ),
            (
                "2022-09-25-dns.md",
                "# Resolver timeouts\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n| --- | --- |\n| 2022-09-25 11:00 | Resolver config pushed |\n| 2022-09-25 11:20 | Alert fired for DNS latency |\n| 2022-09-25 12:00 | Config reverted, service restored |\n\n## Stats\n\n- Time to detection: 20 minutes\n- Time to recovery: 3 hours\n",
            ),
        ],
    );
    run.success();
    // A few minutes off: a milestone at each stated time, the entries kept.
    let fm = front_matter(&kb, "2022-09-14-queue.md");
    assert_eq!(
        ats(&fm),
        [
            "2022-09-14 06:10",
            "2022-09-14 10:13",
            "2022-09-14 10:17",
            "2022-09-14 12:40",
            "2022-09-14 12:46",
            "2022-09-14 13:05"
        ]
    );
    assert_eq!(
        kinds(&fm),
        [
            "other",
            "detected",
            "other",
            "other",
            "mitigated",
            "resolved"
        ]
    );
    let ev = events(&fm);
    assert_eq!(ev[2], "Pager alert for consumer lag is seen by the on-call");
    assert_eq!(ev[3], "Broker upgrade reverted");
    assert!(ev[1].contains("time to detection (243 minutes)"), "{ev:?}");
    run.stderr_has("2022-09-14-queue.md:16:1: warning[import]: the stated time to detection (243 minutes) is 4m before the entry that reads as `detected` (line 10)");
    run.stderr_has("2022-09-14-queue.md:17:1: warning[import]: the stated time to recovery (396 minutes) is 6m after the entry that reads as `mitigated` (line 11)");
    // The timeline opens with its detection: the start is 45 minutes
    // before it, and the recovery counts from there.
    let fm = front_matter(&kb, "2022-09-20-labels.md");
    assert_eq!(ats(&fm)[0], "2022-09-20 13:20");
    assert_eq!(kinds(&fm), ["started", "detected", "resolved"]);
    run.stderr_has("2022-09-20-labels.md:14:1: warning[import]: no entry of the timeline marks the start: a `started` entry is placed 45m before the first entry");
    // Far off: the timeline wins and the statement is named at its line.
    let fm = front_matter(&kb, "2022-09-25-dns.md");
    assert_eq!(kinds(&fm), ["started", "detected", "resolved"]);
    assert_eq!(ats(&fm).len(), 3);
    run.stderr_has("2022-09-25-dns.md:16:1: warning[import]: the stated time to recovery (3 hours) matches no timeline entry counted from the same start");
    let check = passes_check_and_builds(&kb);
    let p = exported(&kb, "2022-09-14-queue");
    assert_eq!(p["time_to_detect_s"], 243 * 60);
    assert_eq!(p["mitigated"], "2022-09-14T12:46:00Z");
    let p = exported(&kb, "2022-09-20-labels");
    assert_eq!(p["time_to_detect_s"], 45 * 60);
    assert_eq!(p["time_to_resolve_s"], 140 * 60);
    let p = exported(&kb, "2022-09-25-dns");
    assert_eq!(p["time_to_resolve_s"], 60 * 60);
    // `check` names only the figure the timeline could not give.
    let mismatches: Vec<&Value> = check
        .iter()
        .filter(|f| f["code"] == "metric-mismatch")
        .collect();
    assert_eq!(mismatches.len(), 1, "{mismatches:#?}");
    assert!(
        mismatches[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("2022-09-25-dns.md")
    );
}

/// `import` reads a body timeline with pmsite's own reader: what `build`
/// makes of the list, `import` makes of it too.
#[test]
fn one_reader_for_body_timelines() {
    let body = "## Timeline\n\nAll times in UTC.\n\n* [08:47] Error budget alert {detected}\n* [09:02] Rolled back the release\n* **09:15** - Errors back to baseline {resolved}\n";
    // The same list, built as it is.
    let native = Kb::new(BOOK);
    native.write(
        "content/postmortems/2023-08-01-native.md",
        format!("---\ntitle: Native\ndate: 2023-08-01\nseverity: SEV3\nsummary: The same list, read by build.\n---\n\n{body}"),
    );
    native.build(&[]).success();
    let built = exported(&native, "2023-08-01-native");
    let (kb, run) = import(
        BOOK,
        &[("2023-08-01-imported.md", &format!("# Imported\n\n{body}"))],
    );
    run.success();
    assert!(!run.stderr.contains("cannot read"), "{}", run.stderr);
    let fm = front_matter(&kb, "2023-08-01-imported.md");
    assert_eq!(fm["timezone"], "UTC");
    assert_eq!(
        events(&fm),
        [
            "Error budget alert",
            "Rolled back the release",
            "Errors back to baseline"
        ]
    );
    passes_check_and_builds(&kb);
    let imported = exported(&kb, "2023-08-01-imported");
    for k in [
        "started",
        "detected",
        "resolved",
        "time_to_detect_s",
        "time_to_resolve_s",
    ] {
        assert_eq!(imported[k], built[k], "{k}");
    }
}

/// A `{word}` that is no milestone tag is the author's text, not cut.
#[test]
fn an_unknown_tag_stays_in_the_event() {
    let (kb, run) = import(
        BOOK,
        &[(
            "2023-08-02-braces.md",
            "# Braces\n\n## Timeline\n\nAll times in UTC.\n\n- 10:00 Emails show the raw placeholder {user_id}\n- 10:10 Fix deployed {resolved}\n",
        )],
    );
    run.success();
    let fm = front_matter(&kb, "2023-08-02-braces.md");
    assert_eq!(
        events(&fm),
        ["Emails show the raw placeholder {user_id}", "Fix deployed"]
    );
    assert_eq!(kinds(&fm), ["other", "resolved"]);
    passes_check_and_builds(&kb);
}

#[test]
fn summaries_and_titles() {
    let (kb, run) = import(
        BOOK,
        &[
            (
                "2020-02-02-login.md",
                "# [Incident] Login is down\n\n## Summary\n\n- Logins failed for every user\n- Sessions already open kept working\n\n## Impact\n\nNobody could sign in.\n",
            ),
            (
                "2020-02-03-report.md",
                "# Incident report - Search slow\n\nSome words first, before the summary.\n\n**Summary**: search took ten seconds for every query.\n",
            ),
            (
                "0f8fad5b-d9cb-469f-a165-70867728950e.md",
                "On 2020-02-04 the exporter stopped writing files.\n",
            ),
            (
                "2020-02-05-rule.md",
                "# Rule after title\n---\n\nText under a rule kept.\n",
            ),
        ],
    );
    run.success();
    let fm = front_matter(&kb, "2020-02-02-login.md");
    assert_eq!(fm["title"], "Login is down");
    assert_eq!(
        fm["summary"],
        "Logins failed for every user; Sessions already open kept working"
    );
    let fm = front_matter(&kb, "2020-02-03-report.md");
    assert_eq!(fm["title"], "Search slow");
    assert_eq!(fm["summary"], "search took ten seconds for every query.");
    let fm = front_matter(&kb, "2020-02-04-0f8fad5b-d9cb-469f-a165-70867728950e.md");
    assert_eq!(
        fm["title"],
        "On 2020-02-04 the exporter stopped writing files"
    );
    run.stderr_has("0f8fad5b-d9cb-469f-a165-70867728950e.md:1:1: warning[import]: no heading to take the title from, and the file name is an identifier");
    let pm = kb.read("content/postmortems/2020-02-05-rule.md");
    assert!(pm.contains("---\n\nText under a rule kept."), "{pm}");
    passes_check_and_builds(&kb);
}

#[test]
fn the_closing_line_counts_what_is_certain_and_what_is_guessed() {
    let (_, run) = import(
        BOOK,
        &[
            (
                "2021-05-05-stated.md",
                "# Stated\n\n## Timeline\n\nAll times in UTC.\n\n- 10:00 Deploy starts {started}\n- 10:05 Alert fires\n- 10:30 Rolled back (resolved)\n",
            ),
            (
                "2021-05-06-unstated.md",
                "# Unstated\n\n## Timeline\n\n- 10:00 Deploy starts\n- 10:30 Service restored\n",
            ),
        ],
    );
    run.success();
    // Unstated: its zone is the site's, a guess for both entries; two
    // milestones stated (the tag, "(resolved)"), two guessed from words.
    run.stderr_has("Imported 2 postmortems: 5 timeline entries (3 certain, 2 guessed), 4 milestones (2 stated, 2 guessed), 0 skipped,");
}
