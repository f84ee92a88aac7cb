//! Causes, services, teams, tags, related incidents, history, feeds and the
//! JSON export, asserted exactly against a fixture.

use crate::harness::Kb;
use scraper::{Html, Selector};

fn build() -> Kb {
    let kb = Kb::fixture("relations");
    kb.run(&["build", "--now", "2023-01-10"]).success();
    kb
}

/// The title link of each incident of a list (the row's first link).
const TITLE: &str = ".incident-list > li > a:first-of-type";

fn page(kb: &Kb, path: &str) -> Html {
    Html::parse_document(&kb.read(&format!("public/{path}")))
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Titles of the incident list under the heading with this id.
fn list_after(doc: &Html, heading: &str) -> Vec<String> {
    let html = doc.html();
    let start = html
        .find(&format!("<h3>{heading}</h3>"))
        .unwrap_or_else(|| panic!("no {heading}"));
    let rest = &html[start + 4..];
    let end = rest
        .find("<h3>")
        .or_else(|| rest.find("</section>"))
        .unwrap();
    let frag = Html::parse_fragment(&rest[..end]);
    texts(&frag, TITLE)
}

#[test]
fn similar_incidents_are_ranked_by_causes_then_services_then_time() {
    let kb = build();
    let expect = [
        ("a", vec!["b", "d", "c", "e"]),
        ("b", vec!["a", "c", "d", "e"]),
        ("c", vec!["a", "b"]),
        ("d", vec!["a", "b"]),
        ("e", vec!["a", "b"]),
    ];
    for (id, want) in expect {
        let doc = page(&kb, &format!("postmortems/{id}/index.html"));
        let got = list_after(&doc, "Similar incidents");
        let want: Vec<String> = want.iter().map(|w| format!("Incident {w}")).collect();
        assert_eq!(got, want, "similar incidents of {id}");
    }
    let f = kb.read("public/postmortems/f/index.html");
    assert!(!f.contains("Similar incidents"), "f shares nothing");
}

#[test]
fn declared_relations_and_backlinks() {
    let kb = build();
    let a = page(&kb, "postmortems/a/index.html");
    assert_eq!(
        list_after(&a, "Incidents linking here"),
        ["Incident c", "Incident b"]
    );
    let b = page(&kb, "postmortems/b/index.html");
    assert_eq!(list_after(&b, "Declared related"), ["Incident a"]);
    let c = kb.read("public/postmortems/c/index.html");
    assert!(c.contains("<a href=\"/postmortems/a/\" data-wikilink=\"true\">Incident a</a>"));
}

#[test]
fn cause_counts_triggers_and_co_occurrence() {
    let kb = build();
    let idx = page(&kb, "causes/index.html");
    let rows: Vec<Vec<String>> = idx
        .select(&sel("table.facets tbody tr"))
        .map(|tr| {
            tr.select(&sel("td"))
                .take(3)
                .map(|td| td.text().collect::<String>().trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            ["c1", "3", "2"],
            ["c2", "3", "0"],
            ["c3", "2", "0"],
            ["c4", "1", "0"],
            ["c5", "1", "0"],
        ]
    );
    let c1 = page(&kb, "causes/c1/index.html");
    assert_eq!(
        texts(&c1, TITLE),
        ["Incident c", "Incident b", "Incident a"]
    );
    assert_eq!(texts(&c1, "table.counts tbody tr"), ["c2 2", "c3 1"]);
    assert_eq!(
        texts(&c1, ".stat-card dd")[..3],
        ["3".to_string(), "2".into(), "1".into()]
    );
    let c2 = page(&kb, "causes/c2/index.html");
    assert_eq!(texts(&c2, "table.counts tbody tr"), ["c1 2", "c3 2"]);
    // The trend is an inline SVG with a text equivalent.
    assert!(
        kb.read("public/causes/index.html")
            .contains("<svg class=\"sparkline\"")
    );
}

#[test]
fn service_and_team_pages() {
    let kb = build();
    let s1 = page(&kb, "services/s1/index.html");
    assert_eq!(
        texts(&s1, TITLE),
        ["Incident b", "Incident a", "Incident e"]
    );
    let html = kb.read("public/services/s1/index.html");
    // Median of 1h (a), 3h (b), 30m (e).
    assert!(html.contains("<data value=\"3600\">1h</data>"), "{html}");
    assert_eq!(
        texts(&s1, "table.counts tbody tr")[..2],
        ["c1 2".to_string(), "c2 2".into()]
    );
    let s4 = kb.read("public/services/s4/index.html");
    assert!(!s4.contains("<data value="), "no timeline: no median");
    let team = page(&kb, "teams/team-a/index.html");
    assert_eq!(texts(&team, TITLE), ["Incident a"]);
    let tag = page(&kb, "tags/network/index.html");
    assert_eq!(texts(&tag, TITLE), ["Incident f", "Incident d"]);
    assert!(kb.exists("public/tags/resolv.conf/index.html"));
}

#[test]
fn history_and_home() {
    let kb = build();
    let tl = page(&kb, "timeline/index.html");
    assert_eq!(
        texts(&tl, "section.year > h2"),
        ["2022", "2021", "2020", "2019"]
    );
    assert_eq!(
        texts(&tl, "section.year h3"),
        [
            "January 2022",
            "January 2021",
            "March 2020",
            "February 2020",
            "January 2020",
            "June 2019"
        ]
    );
    let home = page(&kb, "index.html");
    let html = home.html();
    let start = html.find("id=\"start-here\"").unwrap();
    let recent = html.find("id=\"recent\"").unwrap();
    let reading = Html::parse_fragment(&html[start..recent]);
    assert_eq!(texts(&reading, TITLE), ["Incident a"]);
    let otd = html.find("id=\"on-this-day\"").unwrap();
    let on_this_day = Html::parse_fragment(&html[otd..]);
    // --now 2023-01-10: a (2020-01-10) and d (2021-01-10).
    assert_eq!(
        texts(&on_this_day, TITLE)[..2],
        ["Incident d".to_string(), "Incident a".into()]
    );
}

#[test]
fn detection_is_counted_on_the_stats_page() {
    let kb = build();
    let stats = page(&kb, "stats/index.html");
    let html = stats.html();
    let start = html.find("id=\"detection\"").unwrap();
    let frag = Html::parse_fragment(&html[start..]);
    let rows: Vec<String> = texts(&frag, "table.stats-table tbody tr")
        .into_iter()
        .take(3)
        .collect();
    assert_eq!(rows, ["(not recorded) 3", "alert 2", "customer-report 1"]);
    let a = kb.read("public/postmortems/a/index.html");
    assert!(a.contains("<dt>Detected by</dt><dd>alert</dd>"));
}

#[test]
fn the_atom_feed_parses_with_absolute_links() {
    let kb = build();
    let xml = kb.read("public/feed.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("valid Atom");
    assert_eq!(feed.entries.len(), 6);
    assert_eq!(
        feed.entries[0].links[0].href,
        "https://kb.example/postmortems/f/"
    );
    assert!(feed.entries.iter().all(|e| {
        e.links[0]
            .href
            .starts_with("https://kb.example/postmortems/")
    }));
    assert!(feed.title.is_some());
}

#[test]
fn the_sitemap_lists_every_incident() {
    let kb = build();
    let xml = kb.read("public/sitemap.xml");
    for id in ["a", "b", "c", "d", "e", "f"] {
        assert!(
            xml.contains(&format!("<loc>https://kb.example/postmortems/{id}/</loc>")),
            "{id}"
        );
    }
    assert!(xml.contains("<loc>https://kb.example/causes/c1/</loc>"));
}

#[test]
fn the_json_export_is_stable_between_builds() {
    let kb = build();
    let first = kb.read("public/postmortems.json");
    kb.run(&["build", "--now", "2023-01-10"]).success();
    assert_eq!(first, kb.read("public/postmortems.json"));
    let json: serde_json::Value = serde_json::from_str(&first).unwrap();
    let ids: Vec<&str> = json["postmortems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["f", "d", "c", "b", "a", "e"]);
    let b = &json["postmortems"][3];
    assert_eq!(b["url"], "https://kb.example/postmortems/b/");
    assert_eq!(b["related"], serde_json::json!(["a"]));
    assert_eq!(b["time_to_detect_s"], 600);
    assert_eq!(b["detected"], "2020-02-10T10:10:00Z");
    assert_eq!(b["acknowledged"], serde_json::Value::Null);
}
