//! Paginated lists, on a knowledge base with enough incidents and
//! follow-ups to need several pages of each list: every incident and
//! every follow-up is on exactly one page of each list it belongs to,
//! pages link to their neighbours (in the page and in the head), every
//! page is in the sitemap, `<list>/page/1/` redirects to the list, the
//! timeline jumps by year, and `serve` rewrites only the pages an edit
//! moves an incident between.

use std::collections::BTreeMap;

use scraper::{Html, Selector};

use crate::harness::serve::Server;
use crate::harness::{Kb, pm};

/// Incidents in the knowledge base of [`many`].
const N: usize = 120;

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// `N` incidents nine days apart from 2018-01-01 (three years), each with
/// a shared cause, service, team and tag, a cause of three, an open
/// follow-up owned by ann and a done one.
fn many() -> Kb {
    let kb = Kb::new("[site]\ntitle = \"Many\"\nbase-url = \"https://example.test/kb/\"\n");
    let start = jiff::civil::date(2018, 1, 1);
    for i in 0..N {
        let date = start
            .checked_add(jiff::Span::new().days(9 * i as i64))
            .unwrap();
        let extra = format!(
            "causes: [common, c{}]\nservices: [svc]\nteams: [team-a]\ntags: [t]\nfollow_ups:\n  - {{title: \"Fix {i:03}\", status: open, owner: ann, due: 2019-01-01}}\n  - {{title: \"Done {i:03}\", status: done, completed: 2019-02-01}}\n",
            i % 3
        );
        kb.postmortem(
            &format!("pm-{i:03}.md"),
            &pm(&format!("Incident {i:03}"), &date.to_string(), &extra),
        );
    }
    kb.build(&[]).success();
    kb
}

/// The pages of the list at `dir` (below public/, e.g. `causes/common/`),
/// following the `rel=next` links from the first; each page's file name.
fn pages(kb: &Kb, dir: &str) -> Vec<(String, Html)> {
    let mut out = Vec::new();
    let mut file = format!("{dir}index.html");
    loop {
        let doc = Html::parse_document(&kb.read(&format!("public/{file}")));
        let next = doc
            .select(&sel("nav.pager a[rel=next]"))
            .next()
            .and_then(|a| a.value().attr("href"))
            .map(|h| format!("{}index.html", h.trim_start_matches("/kb/")));
        out.push((file, doc));
        match next {
            Some(n) => file = n,
            None => return out,
        }
        assert!(out.len() < 100, "a loop of next links at {dir}");
    }
}

/// How often each incident title appears in the incident lists of pages.
fn titles(pages: &[(String, Html)]) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for (_, doc) in pages {
        for a in doc.select(&sel(".incident-list > li > a:first-of-type")) {
            *seen.entry(a.text().collect::<String>()).or_insert(0) += 1;
        }
    }
    seen
}

/// How often each follow-up title appears in the follow-up tables of pages.
fn follow_ups(pages: &[(String, Html)]) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for (_, doc) in pages {
        for td in doc.select(&sel("table.follow-ups tbody tr > td:first-child")) {
            *seen.entry(td.text().collect::<String>()).or_insert(0) += 1;
        }
    }
    seen
}

fn all_once(prefix: &str, n: usize) -> BTreeMap<String, usize> {
    (0..n).map(|i| (format!("{prefix} {i:03}"), 1)).collect()
}

#[test]
fn every_incident_and_follow_up_is_on_exactly_one_page_of_each_list() {
    let kb = many();
    for dir in [
        "postmortems/",
        "timeline/",
        "causes/common/",
        "services/svc/",
        "teams/team-a/",
        "tags/t/",
        "kinds/incident/",
    ] {
        let p = pages(&kb, dir);
        assert_eq!(p.len(), 3, "{dir}: 50 + 50 + 20");
        assert_eq!(titles(&p), all_once("Incident", N), "{dir}");
    }
    // Every incident but the first recurs the ones before it (their
    // follow-ups stay open): 50 + 50 + 19.
    let recurrences = pages(&kb, "recurrences/");
    assert_eq!(recurrences.len(), 3);
    let mut later = all_once("Incident", N);
    later.remove("Incident 000");
    let mut seen = BTreeMap::new();
    for (_, doc) in &recurrences {
        for a in doc.select(&sel(".recurrence-list > li > a:first-of-type")) {
            *seen.entry(a.text().collect::<String>()).or_insert(0) += 1;
        }
    }
    assert_eq!(seen, later);
    // The first page says which of them it holds, as the others do.
    let first: String = recurrences[0].1.root_element().text().collect();
    assert!(first.contains("1–50 on this page"), "{first}");
    // A cause of a third of the incidents: one page.
    let c0 = pages(&kb, "causes/c0/");
    assert_eq!(c0.len(), 1);
    assert_eq!(titles(&c0).len(), N / 3);

    let board = pages(&kb, "follow-ups/");
    assert_eq!(board.len(), 2, "100 + 20 still to do");
    assert_eq!(follow_ups(&board), all_once("Fix", N));
    let history = pages(&kb, "follow-ups/done/");
    assert_eq!(history.len(), 2);
    assert_eq!(follow_ups(&history), all_once("Done", N));
    for group in [
        "follow-ups/owners/ann/",
        "follow-ups/teams/team-a/",
        "follow-ups/services/svc/",
        "follow-ups/priorities/no-priority/",
    ] {
        let p = pages(&kb, group);
        assert_eq!(p.len(), 2, "{group}");
        assert_eq!(follow_ups(&p), all_once("Fix", N), "{group}");
    }
    // The view by incident: one row per incident, over two pages.
    let view = pages(&kb, "follow-ups/incidents/");
    assert_eq!(view.len(), 2);
    let rows: usize = view
        .iter()
        .map(|(_, d)| d.select(&sel("table.counts tbody tr")).count())
        .sum();
    assert_eq!(rows, N);
    // Headline figures count every follow-up, whatever the page.
    let first = kb.read("public/follow-ups/index.html");
    assert!(first.contains("<dt>Open</dt><dd>120</dd>"), "{first}");
    assert!(first.contains("<a href=\"/kb/follow-ups/done/\">120 done and 0 won't fix</a>"));
}

#[test]
fn pages_link_to_their_neighbours_in_the_page_and_the_head() {
    let kb = many();
    let p = pages(&kb, "postmortems/");
    let files: Vec<&str> = p.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        files,
        [
            "postmortems/index.html",
            "postmortems/page/2/index.html",
            "postmortems/page/3/index.html"
        ]
    );
    let head_link = |doc: &Html, rel: &str| {
        doc.select(&sel(&format!("head link[rel={rel}]")))
            .next()
            .and_then(|l| l.value().attr("href"))
            .map(str::to_string)
    };
    let nav_link = |doc: &Html, rel: &str| {
        doc.select(&sel(&format!("nav.pager a[rel={rel}]")))
            .next()
            .and_then(|l| l.value().attr("href"))
            .map(str::to_string)
    };
    let (first, second, third) = (&p[0].1, &p[1].1, &p[2].1);
    assert_eq!(head_link(first, "prev"), None);
    assert_eq!(
        head_link(first, "next").as_deref(),
        Some("/kb/postmortems/page/2/")
    );
    assert_eq!(
        head_link(second, "prev").as_deref(),
        Some("/kb/postmortems/")
    );
    assert_eq!(
        head_link(second, "next").as_deref(),
        Some("/kb/postmortems/page/3/")
    );
    assert_eq!(
        head_link(third, "prev").as_deref(),
        Some("/kb/postmortems/page/2/")
    );
    assert_eq!(head_link(third, "next"), None);
    for (doc, rel) in [
        (first, "next"),
        (second, "prev"),
        (second, "next"),
        (third, "prev"),
    ] {
        assert_eq!(nav_link(doc, rel), head_link(doc, rel), "{rel}");
    }
    let place = |doc: &Html| {
        doc.select(&sel("nav.pager span"))
            .next()
            .map(|s| s.text().collect::<String>())
    };
    assert_eq!(place(second).as_deref(), Some("Page 2 of 3"));
    assert!(
        kb.read("public/postmortems/page/3/index.html")
            .contains("<title>All incidents (page 3 of 3) · Many</title>")
    );
    // A list of one page has no pager and no neighbours.
    let one = kb.read("public/causes/c0/index.html");
    assert!(!one.contains("class=\"pager\"") && !one.contains("rel=\"next\""));
}

#[test]
fn page_one_redirects_to_the_list_and_every_page_is_in_the_sitemap() {
    let kb = many();
    let redirect = kb.read("public/causes/common/page/1/index.html");
    assert!(
        redirect.contains("<meta http-equiv=\"refresh\" content=\"0; url=/kb/causes/common/\">")
    );
    assert!(
        redirect
            .contains("<link rel=\"canonical\" href=\"https://example.test/kb/causes/common/\">")
    );
    assert!(redirect.contains("<a href=\"/kb/causes/common/\">"));
    assert!(redirect.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(redirect.len() < 600, "a tiny page");
    for list in ["recurrences", "kinds/incident"] {
        let r = kb.read(&format!("public/{list}/page/1/index.html"));
        assert!(
            r.contains(&format!(
                "<meta http-equiv=\"refresh\" content=\"0; url=/kb/{list}/\">"
            )),
            "{r}"
        );
    }

    let sitemap = kb.read("public/sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .collect();
    for want in [
        "https://example.test/kb/postmortems/",
        "https://example.test/kb/postmortems/page/2/",
        "https://example.test/kb/postmortems/page/3/",
        "https://example.test/kb/timeline/page/3/",
        "https://example.test/kb/causes/common/page/2/",
        "https://example.test/kb/tags/t/page/3/",
        "https://example.test/kb/follow-ups/page/2/",
        "https://example.test/kb/follow-ups/done/page/2/",
        "https://example.test/kb/follow-ups/owners/ann/page/2/",
        "https://example.test/kb/follow-ups/incidents/page/2/",
        "https://example.test/kb/kinds/incident/page/3/",
        "https://example.test/kb/recurrences/page/3/",
        "https://example.test/kb/postmortems/pm-000/",
    ] {
        assert_eq!(locs.iter().filter(|l| **l == want).count(), 1, "{want}");
    }
    assert!(
        !locs.iter().any(|l| l.ends_with("/page/1/")),
        "no redirects"
    );
    // Every page written is in the sitemap (the 404 page and the
    // redirects aside).
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(kb.join("public")) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(kb.join("public"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if let Some(dir) = rel.strip_suffix("index.html")
            && !dir.ends_with("page/1/")
        {
            pages += 1;
            let url = format!("https://example.test/kb/{dir}");
            assert!(locs.contains(&url.as_str()), "{url} is not in the sitemap");
        }
    }
    assert_eq!(locs.len(), pages);
}

/// The list of postmortems awaiting review paginates like the others:
/// every one on exactly one page, neighbours linked, page 1 redirected.
#[test]
fn postmortems_awaiting_review_paginate_like_the_other_lists() {
    let kb = Kb::new("[site]\ntitle = \"Reviews\"\nbase-url = \"https://example.test/kb/\"\n");
    for i in 0..60 {
        kb.postmortem(
            &format!("pm-{i:03}.md"),
            &pm(
                &format!("Review {i:03}"),
                &format!("2019-01-{:02}", i % 28 + 1),
                "status: in-review\ncauses: [a, b]\n",
            ),
        );
    }
    kb.run(&["build", "--now", "2020-01-01"]).success();
    let p = pages(&kb, "review/");
    assert_eq!(p.len(), 2, "50 + 10");
    let mut seen = BTreeMap::new();
    for (_, doc) in &p {
        for a in doc.select(&sel(".review-list > li > a")) {
            *seen.entry(a.text().collect::<String>()).or_insert(0) += 1;
        }
    }
    assert_eq!(seen, all_once("Review", 60));
    let second = kb.read("public/review/page/2/index.html");
    assert!(second.contains("<link rel=\"prev\" href=\"/kb/review/\">"));
    assert!(second.contains("<span>Page 2 of 2</span>"));
    let redirect = kb.read("public/review/page/1/index.html");
    assert!(redirect.contains("url=/kb/review/"));
    assert!(
        kb.read("public/sitemap.xml")
            .contains("<loc>https://example.test/kb/review/page/2/</loc>")
    );
}

#[test]
fn the_timeline_jumps_to_the_page_where_each_year_starts() {
    let kb = many();
    let doc = Html::parse_document(&kb.read("public/timeline/page/2/index.html"));
    let years: Vec<(String, String)> = doc
        .select(&sel("nav.years a"))
        .map(|a| {
            (
                a.text().collect(),
                a.value().attr("href").unwrap_or_default().to_string(),
            )
        })
        .collect();
    // Newest first: 2020 (incidents 82 to 119) and 2019 (41 to 81, the
    // 39th to 79th newest) start on page 1, 2018 (0 to 40) on page 2.
    assert_eq!(
        years,
        [
            ("2020".to_string(), "/kb/timeline/#y2020".to_string()),
            ("2019".into(), "/kb/timeline/#y2019".into()),
            ("2018".into(), "/kb/timeline/page/2/#y2018".into()),
        ]
    );
    let ids: Vec<&str> = doc
        .select(&sel("section.year > h2"))
        .filter_map(|h| h.value().attr("id"))
        .collect();
    assert!(ids.contains(&"y2019") && ids.contains(&"y2018"), "{ids:?}");
}

#[test]
fn a_paginated_list_page() {
    let kb = many();
    let html = kb.read("public/causes/common/page/2/index.html");
    let start = html.find("<main").unwrap();
    let end = html.find("</main>").unwrap() + "</main>".len();
    insta::with_settings!({
        description => "a knowledge base of 120 incidents: <main> of public/causes/common/page/2/index.html",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("paginated_cause_page_2", &html[start..end]);
    });
}

/// `N` incidents two days apart in 2020 with a tag in common (and
/// nothing that makes them similar to each other), files named by number
/// so that a date can change without the id.
fn served_kb() -> Kb {
    let kb = Kb::new("[site]\ntitle = \"Served\"\n");
    let start = jiff::civil::date(2020, 1, 1);
    for i in 0..N {
        let date = start
            .checked_add(jiff::Span::new().days(2 * i as i64))
            .unwrap();
        kb.postmortem(
            &format!("pm-{i:03}.md"),
            &pm(
                &format!("Incident {i:03}"),
                &date.to_string(),
                &format!("causes: [only-{i:03}]\ntags: [t]\n"),
            ),
        );
    }
    kb
}

#[test]
fn serve_rewrites_only_the_pages_an_incident_moves_between() {
    let kb = served_kb();
    let server = Server::start(kb.path(), &[]);
    let events = server.events();
    events.wait("hello");
    // Incident 70 is the 50th newest, the last on page 1 of every list.
    // A date between those of incidents 58 and 59 makes it the 61st:
    // page 2.
    let file = "content/postmortems/pm-070.md";
    let text = kb.read(file);
    let moved = text.replace("date: 2020-05-20", "date: 2020-04-27");
    assert_ne!(text, moved);
    kb.write(file, moved);
    let data = events.wait("reload");
    let notice: serde_json::Value = serde_json::from_str(&data).unwrap();
    let changed: Vec<&str> = notice["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for list in ["postmortems/", "timeline/", "tags/t/", "kinds/incident/"] {
        for page in ["", "page/2/"] {
            let f = format!("{list}{page}index.html");
            assert!(changed.contains(&f.as_str()), "{f} in {changed:?}");
        }
        let third = format!("{list}page/3/index.html");
        assert!(!changed.contains(&third.as_str()), "{third} in {changed:?}");
    }
    // Besides those and the incident's own page, only figures of the
    // whole history change (the date moved in them).
    let allowed = [
        "postmortems/pm-070/index.html",
        "postmortems.json",
        "sitemap.xml",
        "feed.xml",
        "index.html",
        "stats/index.html",
        "causes/index.html",
        "causes/page/2/index.html",
        "tags/index.html",
        "kinds/index.html",
        "stats.json",
        "causes/only-070/index.html",
    ];
    for f in &changed {
        let list_page = ["postmortems/", "timeline/", "tags/t/", "kinds/incident/"]
            .iter()
            .any(|l| *f == format!("{l}index.html") || *f == format!("{l}page/2/index.html"));
        assert!(list_page || allowed.contains(f), "{f} changed: {changed:?}");
    }
    // What is served is consistent: the incident is on page 2, once.
    let (_, page1) = server.get("/postmortems/");
    let (_, page2) = server.get("/postmortems/page/2/");
    assert!(!page1.contains(">Incident 070<"));
    assert_eq!(page2.matches(">Incident 070<").count(), 1);
}
