//! The follow-up board: ordering, overdue marks, counts, ticket links,
//! task lists, and the views.

use crate::harness::Kb;
use scraper::{Html, Selector};

const BOOK: &str =
    "[site]\ntitle = \"F\"\n\n[postmortem]\nticket-url = \"https://tickets.example/browse/{id}\"\n";

const X: &str = r#"---
title: Incident X
date: 2020-01-01
severity: SEV2
summary: s
services: [api]
teams: [platform]
follow_ups:
  - {title: Overdue open, status: open, due: 2020-05-01, owner: ann, ticket: OPS-1, priority: P1}
  - {title: Overdue by a day, status: in-progress, due: 2020-05-31, owner: bob, ticket: "https://x.example/2"}
  - {title: Due today, status: open, due: 2020-06-01, owner: ann}
  - {title: No due date, status: open, owner: cid}
  - {title: Due later, status: in-progress, due: 2020-07-01, team: storage}
  - {title: Done recently, status: done, due: 2020-01-15, completed: 2020-03-10, owner: ann}
  - {title: Done long ago, status: done, completed: 2020-01-31, owner: bob}
  - {title: Not doing it, status: wont-fix, due: 2020-01-01}
  - {title: Done undated, status: done}
---
"#;

const Y: &str = r#"---
title: Incident Y
date: 2020-02-01
severity: SEV3
summary: s
services: [web]
---

## Follow-up actions

- [x] Add an alert (OPS-9)
- [ ] Write the runbook https://wiki.example/rb
"#;

fn build() -> Kb {
    let kb = Kb::new(BOOK);
    kb.postmortem("x.md", X);
    kb.postmortem("y.md", Y);
    kb.build(&[]).success();
    kb
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn cell_texts(doc: &Html, section: &str, col: usize) -> Vec<String> {
    doc.select(&sel(&format!(
        "section[aria-labelledby={section}] tbody tr"
    )))
    .map(|tr| {
        tr.select(&sel("td"))
            .nth(col)
            .map(|td| td.text().collect::<String>().trim().to_string())
            .unwrap_or_default()
    })
    .collect()
}

#[test]
fn the_board_orders_overdue_first_then_by_due_date() {
    let kb = build();
    let doc = Html::parse_document(&kb.read("public/follow-ups/index.html"));
    assert_eq!(
        cell_texts(&doc, "overdue", 0),
        ["Overdue open", "Overdue by a day"]
    );
    assert_eq!(
        cell_texts(&doc, "pending", 0),
        ["Due today", "Due later", "Write the runbook", "No due date"]
    );
    // Done and won't fix are the history, on their own list.
    let board = doc.select(&sel("table.follow-ups tbody tr")).count();
    assert_eq!(board, 6);
    let done = Html::parse_document(&kb.read("public/follow-ups/done/index.html"));
    let history: Vec<String> = done
        .select(&sel("table.follow-ups tbody tr td:first-child"))
        .map(|td| td.text().collect())
        .collect();
    // The most recently completed first; those without a date after,
    // the newest incident's first.
    assert_eq!(
        history,
        [
            "Done recently",
            "Done long ago",
            "Add an alert",
            "Not doing it",
            "Done undated"
        ]
    );
    // Every follow-up exactly once across the two.
    assert_eq!(board + history.len(), 11);
    // Overdue rows are marked; the others are not.
    let overdue_rows = doc.select(&sel("tr.is-overdue")).count();
    assert_eq!(overdue_rows, 2);
    assert_eq!(
        texts_of(
            &doc,
            "section[aria-labelledby=overdue] tr.is-overdue td:nth-child(3)"
        ),
        ["Open overdue", "In progress overdue"]
    );
    let board = kb.read("public/follow-ups/index.html");
    assert!(
        board.contains("<a href=\"/follow-ups/done/\">4 done and 1 won't fix</a>"),
        "the board links its history with the counts"
    );
}

fn texts_of(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| e.text().collect::<String>())
        .collect()
}

#[test]
fn headline_figures() {
    let kb = build();
    let doc = Html::parse_document(&kb.read("public/follow-ups/index.html"));
    let cards: Vec<String> = doc
        .select(&sel(".stat-card"))
        .map(|c| {
            c.text()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(": ")
        })
        .collect();
    assert_eq!(
        cards,
        [
            "Open: 4",
            "In progress: 2",
            "Overdue: 2",
            "Done in the last 90 days: 1",
            "Median days from incident to done: 49.5",
        ]
    );
    let home = kb.read("public/index.html");
    assert!(
        home.contains("<dt>Open follow-ups</dt><dd><a href=\"/follow-ups/\">6</a></dd>"),
        "{home}"
    );
    assert!(
        home.contains("<dt>Overdue follow-ups</dt><dd><a href=\"/follow-ups/#overdue\">2</a></dd>")
    );
}

#[test]
fn tickets_become_links() {
    let kb = build();
    let board = kb.read("public/follow-ups/index.html");
    assert!(
        board.contains(
            "<a href=\"https://tickets.example/browse/OPS-1\" rel=\"noopener\">OPS-1</a>"
        )
    );
    assert!(
        board.contains("<a href=\"https://x.example/2\" rel=\"noopener\">https://x.example/2</a>")
    );
    // Without ticket-url an id stays text.
    let kb2 = Kb::new("");
    kb2.postmortem("x.md", X);
    kb2.build(&[]).success();
    let board = kb2.read("public/follow-ups/index.html");
    assert!(!board.contains("href=\"OPS-1\""));
    assert!(board.contains("<td>OPS-1</td>"));
}

#[test]
fn task_lists_become_follow_ups() {
    let kb = build();
    let json: serde_json::Value =
        serde_json::from_str(&kb.read("public/postmortems.json")).unwrap();
    let y = json["postmortems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "y")
        .unwrap();
    assert_eq!(
        y["follow_ups"],
        serde_json::json!([
            {"title": "Add an alert", "status": "done", "owner": null, "due": null, "ticket": "OPS-9", "url": "https://tickets.example/browse/OPS-9", "overdue": false},
            {"title": "Write the runbook", "status": "open", "owner": null, "due": null, "ticket": "https://wiki.example/rb", "url": "https://wiki.example/rb", "overdue": false}
        ])
    );
}

#[test]
fn completion_figures_appear_on_pages_and_in_lists() {
    let kb = build();
    let x = kb.read("public/postmortems/x/index.html");
    assert!(
        x.contains("<strong>3 of 9 done</strong>, <span class=\"overdue\">2 overdue</span>"),
        "{x}"
    );
    let list = kb.read("public/postmortems/index.html");
    assert!(list.contains("3 of 9 follow-ups done, <span class=\"overdue\">2 overdue</span>"));
    assert!(list.contains("1 of 2 follow-ups done"));
    for page in [
        "timeline/index.html",
        "services/api/index.html",
        "index.html",
    ] {
        assert!(
            kb.read(&format!("public/{page}"))
                .contains("3 of 9 follow-ups done"),
            "{page}"
        );
    }
}

#[test]
fn views_by_owner_team_service_priority_and_incident() {
    let kb = build();
    let owners = Html::parse_document(&kb.read("public/follow-ups/owners/index.html"));
    let summary: Vec<String> = owners
        .select(&sel("table.counts tbody tr"))
        .map(|r| {
            r.text()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    // owner, open, in progress, overdue, done, total; most to do first.
    assert_eq!(
        summary,
        [
            "(no owner) 1 1 0 2 5",
            "ann 2 0 1 1 3",
            "bob 0 1 1 1 2",
            "cid 1 0 0 0 1"
        ]
    );
    // Each group with something to do links to its own list of it.
    let links: Vec<&str> = owners
        .select(&sel("table.counts tbody a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        links,
        [
            "/follow-ups/owners/no-owner/",
            "/follow-ups/owners/ann/",
            "/follow-ups/owners/bob/",
            "/follow-ups/owners/cid/"
        ]
    );
    let ann = Html::parse_document(&kb.read("public/follow-ups/owners/ann/index.html"));
    assert_eq!(
        texts_of(&ann, "table.follow-ups tbody td:first-child"),
        ["Overdue open", "Due today"]
    );
    // Completion per incident.
    let incidents = Html::parse_document(&kb.read("public/follow-ups/incidents/index.html"));
    let summary: Vec<String> = incidents
        .select(&sel("table.counts tbody tr"))
        .map(|r| {
            r.text()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(summary, ["Incident X 3 2 2 3 9", "Incident Y 1 0 0 1 2"]);
    assert!(
        incidents
            .select(&sel("a[href='/postmortems/x/#pm-follow-ups-title']"))
            .next()
            .is_some(),
        "each incident links to its follow-up table"
    );
    assert!(
        !kb.exists("public/follow-ups/incidents/x/index.html"),
        "an incident's follow-ups are on its own page"
    );
    for view in ["teams", "services", "priorities"] {
        assert!(
            kb.exists(&format!("public/follow-ups/{view}/index.html")),
            "{view}"
        );
    }
    let teams = kb.read("public/follow-ups/teams/index.html");
    assert!(
        teams.contains("storage"),
        "a follow-up's own team wins over the incident's"
    );
    assert!(kb.exists("public/follow-ups/teams/storage/index.html"));
    assert!(kb.exists("public/follow-ups/priorities/p1/index.html"));
    assert!(kb.exists("public/follow-ups/services/api/index.html"));
}

/// A follow-up without a `team:` belongs to every team of its incident,
/// as it belongs to every service; one with a `team:` only to that team.
/// A team's page and its group on the board count the same follow-ups.
#[test]
fn a_follow_up_belongs_to_every_team_of_its_incident() {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "two.md",
        r#"---
title: Two teams
date: 2020-03-01
severity: SEV2
summary: s
teams: [docker, network]
follow_ups:
  - {title: Shared work, status: open}
  - {title: Storage work, status: open, team: storage}
  - {title: Finished, status: done}
---
"#,
    );
    kb.build(&[]).success();
    for team in ["docker", "network"] {
        let group =
            Html::parse_document(&kb.read(&format!("public/follow-ups/teams/{team}/index.html")));
        assert_eq!(
            texts_of(&group, "table.follow-ups tbody td:first-child"),
            ["Shared work"],
            "{team}"
        );
        let page = kb.read(&format!("public/teams/{team}/index.html"));
        assert!(page.contains("1 still to do"), "{team}: {page}");
        assert!(!page.contains("Storage work"), "{team}");
    }
    let storage = Html::parse_document(&kb.read("public/follow-ups/teams/storage/index.html"));
    assert_eq!(
        texts_of(&storage, "table.follow-ups tbody td:first-child"),
        ["Storage work"]
    );
    // A team named only on follow-ups has no page: it is not linked.
    assert!(!kb.exists("public/teams/storage/index.html"));
    assert!(storage.select(&sel("h1 a")).next().is_none());
    let board = Html::parse_document(&kb.read("public/follow-ups/index.html"));
    let team_links: Vec<&str> = board
        .select(&sel("table.follow-ups tbody a"))
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| h.starts_with("/teams/"))
        .collect();
    assert!(team_links.is_empty(), "{team_links:?}");
    assert!(texts_of(&board, "table.follow-ups tbody td").contains(&"storage".to_string()));
}

/// The Team and Type columns are drawn when some follow-up of the site
/// has one, on every table; a site where none has one leaves them out.
#[test]
fn team_and_type_columns_only_where_some_follow_up_has_one() {
    let headers = |html: &str| -> Vec<String> {
        let doc = Html::parse_document(html);
        doc.select(&sel("table.follow-ups thead th"))
            .map(|th| th.text().collect::<String>())
            .collect()
    };
    let kb = build();
    let board = headers(&kb.read("public/follow-ups/index.html"));
    assert!(board.iter().any(|h| h == "Team"), "{board:?}");
    assert!(!board.iter().any(|h| h == "Type"), "{board:?}");
    // Incident Y has no team of its own: its table has the column still.
    let y = headers(&kb.read("public/postmortems/y/index.html"));
    assert!(y.iter().any(|h| h == "Team"), "{y:?}");
    let plain = Kb::new(BOOK);
    plain.postmortem("y.md", Y);
    plain.build(&[]).success();
    let y = headers(&plain.read("public/postmortems/y/index.html"));
    assert!(
        !y.is_empty() && !y.iter().any(|h| h == "Team" || h == "Type"),
        "{y:?}"
    );
}

/// The group of follow-ups without a team takes its folder after the
/// teams do: a team whose name makes the same folder keeps it.
#[test]
fn a_team_keeps_its_folder_when_follow_ups_without_a_team_appear() {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "named.md",
        r#"---
title: Named
date: 2020-03-01
severity: SEV2
summary: s
teams: [no-team]
follow_ups:
  - {title: Named team work, status: open}
---
"#,
    );
    kb.postmortem(
        "unowned.md",
        r#"---
title: Unowned
date: 2020-03-02
severity: SEV2
summary: s
follow_ups:
  - {title: Nobody's work, status: open}
---
"#,
    );
    kb.build(&[]).success();
    let group = |dir: &str| {
        let html =
            Html::parse_document(&kb.read(&format!("public/follow-ups/teams/{dir}/index.html")));
        texts_of(&html, "table.follow-ups tbody td:first-child")
    };
    assert_eq!(group("no-team"), ["Named team work"]);
    assert_eq!(group("no-team-2"), ["Nobody's work"]);
}
