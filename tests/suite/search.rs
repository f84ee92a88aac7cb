//! Search: the index files a build writes, their size, and the search page
//! in headless Chromium (typing, filters, URL state, CJK).

use std::io::Write;

use crate::harness::browser::{self, Page, StaticServer};
use crate::harness::{self, Kb};
use serde_json::Value;

const BOOK: &str = r#"[site]
title = "Search <Library>"
base-url = "https://example.test/kb/"

[postmortem]
severities = ["SEV1", "SEV2", "SEV3"]
"#;

fn english_kb() -> Kb {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "2019-06-01-cert-expiry.md",
        r#"---
title: "Payments down: the TLS certificate expired"
date: 2019-06-01
severity: SEV1
summary: The certificate of the payments API expired and every client failed its handshake.
services: [payments]
teams: [platform]
causes: [certificate-expiry, no-alerting]
tags: [tls]
follow_ups:
  - title: Renew certificates automatically
    status: open
    due: 2030-01-01
---

## Summary

Clients could not connect for 40 minutes.

## Root cause

The renewal job had been failing silently since March. Clients logged:

```
x509: certificate has expired or is not yet valid: ECONNRESET on handshake
```
"#,
    );
    kb.postmortem(
        "2020-02-10-dns-outage.md",
        r#"---
title: "Checkout errors after a DNS change"
date: 2020-02-10
severity: SEV1
summary: A DNS record for the checkout service pointed to a decommissioned host.
services: [payments, checkout]
teams: [network]
causes: [config-change]
---

## What happened

The resolver cached the wrong record for an hour.

## Root cause

A manual DNS change removed the record; the upstream returned `ECONNREFUSED`.
"#,
    );
    kb.postmortem(
        "2018-03-03-queue.md",
        r#"---
title: "Queue backlog <b>delayed</b> emails"
date: 2018-03-03
severity: SEV2
summary: The email queue backed up after a deploy.
services: [email]
teams: [platform]
causes: [bad-deploy]
follow_ups:
  - title: Add a queue depth alert
    status: done
---

## Impact

Emails were delayed by three hours.
"#,
    );
    kb.postmortem(
        "2017-01-20-payments-latency.md",
        r#"---
title: "Slow payments during the sale"
date: 2017-01-20
severity: SEV2
summary: Payment latency rose fivefold under sale traffic.
services: [payments]
teams: [platform]
causes: [capacity]
---

## Timeline

- 10:00 Sale starts {started}
- 10:20 Latency alert {detected}
"#,
    );
    kb
}

fn json(kb: &Kb, rel: &str) -> Value {
    serde_json::from_str(&kb.read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The rows of every incident, in order (`search/docs/<c>.json`).
fn rows(kb: &Kb) -> Vec<Value> {
    let mut out = Vec::new();
    for c in 0.. {
        let rel = format!("public/search/docs/{c}.json");
        if !kb.exists(&rel) {
            break;
        }
        out.extend(
            json(kb, &rel)["docs"]
                .as_array()
                .expect("docs")
                .iter()
                .cloned(),
        );
    }
    out
}

/// The incident number of an id.
fn doc_number(rows: &[Value], id: &str) -> usize {
    rows.iter()
        .position(|row| row[0] == id)
        .unwrap_or_else(|| panic!("{id} not in the index"))
}

/// Reads the binary index files (src/search/encode.rs, loading.js).
struct Reader<'a>(&'a [u8], usize);

impl Reader<'_> {
    fn uint(&mut self) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let x = self.0[self.1];
            self.1 += 1;
            v |= u64::from(x & 0x7f) << shift;
            if x & 0x80 == 0 {
                return v;
            }
            shift += 7;
        }
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = self.uint() as usize;
        self.1 += n;
        self.0[self.1 - n..self.1].to_vec()
    }
    fn skip_docs(&mut self) {
        let kind = self.0[self.1];
        self.1 += 1;
        match kind {
            0 => (0..self.uint()).for_each(|_| {
                self.uint();
            }),
            1 => {
                self.bytes();
            }
            _ => (0..self.uint() * 2).for_each(|_| {
                self.uint();
            }),
        }
    }
    /// `m` incidents: (incident, field bit mask).
    fn hits(&mut self, m: u64) -> Vec<(u64, u64)> {
        let mut prev: i64 = -1;
        (0..m)
            .map(|_| {
                prev += self.uint() as i64 + 1;
                let mask = self.uint();
                for _ in 0..2 * mask.count_ones() {
                    self.uint();
                }
                (prev as u64, mask)
            })
            .collect()
    }
}

const FIELDS: [&str; 7] = [
    "title", "summary", "causes", "services", "teams", "tags", "body",
];

/// Every shard and its tiers: term -> (field, incident number).
fn postings(
    kb: &Kb,
    manifest: &Value,
) -> std::collections::BTreeMap<String, Vec<(String, String)>> {
    let tiers = &manifest["tiers"];
    let first = tiers["first"].as_u64().expect("tiers");
    let growth = tiers["growth"].as_u64().expect("tiers");
    let end = |k: u64| first * growth.pow(k as u32);
    let mut out = std::collections::BTreeMap::new();
    let mut add = |term: &str, hits: Vec<(u64, u64)>| {
        for (d, mask) in hits {
            for (f, name) in FIELDS.iter().enumerate() {
                if mask & (1 << f) != 0 {
                    out.entry(term.to_string())
                        .or_insert_with(Vec::new)
                        .push((name.to_string(), d.to_string()));
                }
            }
        }
    };
    for n in 0..manifest["shards"].as_u64().expect("shards") {
        let bytes = std::fs::read(kb.join(&format!("public/search/terms/{n}.bin"))).expect("shard");
        assert_eq!(&bytes[..4], b"pmS1");
        assert_eq!(
            &bytes[4..20],
            manifest["epoch"].as_str().unwrap().as_bytes()
        );
        let mut r = Reader(&bytes, 20);
        let mut terms: Vec<(String, u64)> = Vec::new();
        let mut prev: Vec<u8> = Vec::new();
        for _ in 0..r.uint() {
            let shared = r.uint() as usize;
            prev.truncate(shared);
            prev.extend(r.bytes());
            let term = String::from_utf8(prev.clone()).expect("utf-8");
            let mask = r.uint();
            for _ in 0..mask.count_ones() {
                r.uint();
            }
            let total = r.uint();
            if total > first {
                r.skip_docs();
                r.1 += 8;
            }
            let hits = r.hits(total.min(first));
            add(&term, hits);
            terms.push((term, total));
        }
        for k in 1.. {
            let Ok(bytes) = std::fs::read(kb.join(&format!("public/search/terms/{n}-{k}.bin")))
            else {
                break;
            };
            let mut r = Reader(&bytes, 20);
            let mut ti = 0;
            for _ in 0..r.uint() {
                ti += r.uint() as usize;
                let (term, total) = &terms[ti];
                let last = k + 1 >= tiers["count"].as_u64().unwrap();
                if !last && *total > end(k) {
                    r.1 += 8;
                }
                let to = if last { *total } else { (*total).min(end(k)) };
                let hits = r.hits(to - end(k - 1));
                add(term, hits);
            }
        }
    }
    out
}

#[test]
fn the_index_holds_every_field_and_code_blocks() {
    let kb = english_kb();
    kb.build(&[]).success();
    let docs = json(&kb, "public/search/manifest.json");
    assert_eq!(docs["mode"], "en");
    assert_eq!(docs["docs"], 4);
    let rows = rows(&kb);
    assert_eq!(rows.len(), 4);
    let cert = doc_number(&rows, "2019-06-01-cert-expiry").to_string();
    let dns = doc_number(&rows, "2020-02-10-dns-outage").to_string();
    let row = &rows[cert.parse::<usize>().unwrap()];
    assert_eq!(row[1], "Payments down: the TLS certificate expired");
    assert_eq!(row[2], "2019-06-01");
    assert_eq!(
        docs["facets"]["sev"]["values"][row[3].as_u64().unwrap() as usize],
        "SEV1"
    );
    // Open follow-ups: a filter set of one incident.
    assert_eq!(docs["facets"]["open"]["counts"], serde_json::json!([1]));

    let p = postings(&kb, &docs);
    let has = |term: &str, field: &str, doc: &str| {
        p.get(term)
            .is_some_and(|v| v.iter().any(|(f, d)| f == field && d == doc))
    };
    // English stems, as elasticlunr.js computes them.
    assert!(has("certif", "title", &cert), "title");
    assert!(has("handshak", "summary", &cert), "summary");
    assert!(has("expiri", "causes", &cert), "causes");
    assert!(has("payment", "services", &cert), "services");
    assert!(has("platform", "teams", &cert), "teams");
    assert!(has("tl", "tags", &cert), "tags");
    assert!(has("x509", "body", &cert), "code block");
    assert!(has("econnreset", "body", &cert), "code block");
    assert!(has("econnrefus", "body", &dns), "inline code");
    assert!(has("renew", "body", &cert), "front matter follow-ups");
    assert!(!p.contains_key("the"), "stop words are not indexed");

    // Snippets come from the incident's page: its sections carry the
    // anchors that results link to (the index has only summaries, for
    // searches by filters alone).
    assert!(!kb.exists("public/search/text"), "no snippet files");
}

#[test]
fn search_can_be_turned_off() {
    let kb = english_kb();
    kb.write("book.toml", format!("{BOOK}\n[search]\nenable = false\n"));
    kb.build(&[]).success();
    assert!(!kb.exists("public/search"));
    assert!(!kb.read("public/index.html").contains("search-box"));
}

/// Opened from disk (a `file:` address: a USB stick, an air-gapped
/// laptop), where browsers do not run the search's modules nor fetch its
/// index, the search page says so and how to serve the folder, and typing
/// does not take that away.
#[test]
fn the_search_page_opened_from_disk_says_how_to_serve_it() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let kb = english_kb();
    kb.build(&[]).success();
    let page = chrome.page();
    let file = kb.join("public/search/index.html");
    page.goto(&format!("file://{}?q=certificate", file.display()));
    page.type_text("#search-q", "certificate");
    let status = page.wait_for(
        "the message for a page opened from disk",
        "(() => { const t = document.getElementById('search-status').textContent; return /file:/.test(t) && t; })()",
    );
    let status = status.as_str().unwrap_or_default();
    assert!(
        status.contains("pmsite serve") && status.contains("python3 -m http.server"),
        "{status}"
    );
    assert_eq!(
        page.eval("document.querySelectorAll('#search-results .result').length"),
        0
    );
}

#[test]
fn the_index_is_byte_identical_across_builds() {
    let kb = english_kb();
    kb.build(&[]).success();
    let a = harness::snapshot(&kb.join("public/search"));
    kb.build(&[]).success();
    let b = harness::snapshot(&kb.join("public/search"));
    assert!(a == b, "two builds of the same input differ");
}

/// Words for generated postmortems: a vocabulary of made-up words, as in
/// real knowledge bases (service names, hosts, error codes).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64*: deterministic, no dependency.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn word(&mut self) -> String {
        const COMMON: &[&str] = &[
            "the",
            "request",
            "latency",
            "database",
            "timeout",
            "deploy",
            "replica",
            "queue",
            "cache",
            "failover",
            "we",
            "restarted",
            "the",
            "pool",
            "connections",
            "alert",
            "customers",
            "errors",
            "increased",
            "rollback",
            "config",
            "was",
            "and",
            "of",
        ];
        const SYL: &[&str] = &[
            "ka", "ru", "mi", "zo", "pe", "ta", "vo", "ix", "ne", "lo", "dr", "ch",
        ];
        if !self.next().is_multiple_of(3) {
            COMMON[(self.next() % COMMON.len() as u64) as usize].to_string()
        } else {
            let n = 2 + self.next() % 3;
            (0..n)
                .map(|_| SYL[(self.next() % SYL.len() as u64) as usize])
                .collect()
        }
    }
    fn sentence(&mut self, words: usize) -> String {
        (0..words)
            .map(|_| self.word())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The bytes (gzip -9, as a server sends them) a new search page fetches
/// for a one-word query with its first 20 results and their snippets, and
/// for a search by one filter alone: every file but the page itself and
/// its stylesheet. A query pays for what it shows, not for the history:
/// the engine and the modules, the manifest, the word's shard, the rows of
/// the results on screen and their pages; never every incident's row or
/// all of a word's postings. The budgets follow the targets at 10,000
/// postmortems (250 KB for the query, 150 KB by filters alone; README,
/// Search), less what these smaller pages weigh less.
#[test]
fn a_query_fetches_what_it_shows() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    const N: usize = 600;
    let kb = generated_kb(N);
    kb.build(&[]).success();
    let public = kb.join("public");
    let server = StaticServer::start(&public, "/");
    let fetched = |server: &StaticServer| -> (usize, usize, Vec<String>) {
        let mut index = 0;
        let mut total = 0;
        let mut paths = Vec::new();
        for (p, _) in server.served() {
            let path = p.split('?').next().unwrap_or_default().to_string();
            if path == "/search/" || path.ends_with(".css") || path.ends_with("favicon.ico") {
                continue;
            }
            let file = if path.ends_with('/') {
                public.join(path.trim_start_matches('/')).join("index.html")
            } else {
                public.join(path.trim_start_matches('/'))
            };
            let n = gzip9_len(&std::fs::read(&file).unwrap_or_default());
            total += n;
            if path.starts_with("/search/") {
                index += n;
            }
            paths.push(path);
        }
        (total, index, paths)
    };

    let page = chrome.page();
    page.goto(&server.url("/search/?q=latency"));
    wait_results(&page, 20);
    page.wait_for(
        "the snippets",
        "document.querySelectorAll('.result-snippet mark').length >= 20",
    );
    let (total, index, paths) = fetched(&server);
    let shown = |prefix: &str| paths.iter().filter(|p| p.starts_with(prefix)).count();
    eprintln!(
        "one-word query at {N} postmortems: {total} bytes gzip, of which the index {index}; {paths:?}"
    );
    assert!(
        shown("/search/docs/") <= 20,
        "rows of the results on screen only"
    );
    assert!(
        shown("/search/summaries/") == 0,
        "snippets come from the pages"
    );
    assert!(shown("/search/facets/") == 0);
    assert!(
        shown("/search/terms/") <= 2,
        "the word's shard (and a tier at most)"
    );
    assert!(index <= 40_000, "index: {index} bytes > 40,000");
    assert!(total <= 200_000, "{total} bytes > 200,000");

    server.reset_log();
    let page = chrome.page();
    page.goto(&server.url("/search/?sev=SEV1"));
    wait_results(&page, 20);
    page.wait_for(
        "the snippets",
        "Array.from(document.querySelectorAll('.result-snippet')).every(p => p.textContent)",
    );
    let (total, index, paths) = fetched(&server);
    eprintln!(
        "SEV1 alone at {N} postmortems: {total} bytes gzip, of which the index {index}; {paths:?}"
    );
    assert!(!paths.iter().any(|p| p.starts_with("/search/terms/")));
    assert!(
        !paths.iter().any(|p| p.starts_with("/postmortems/")),
        "no pages"
    );
    assert_eq!(shown_in(&paths, "/search/facets/"), 1, "the SEV1 set only");
    assert!(index <= 30_000, "index: {index} bytes > 30,000");
    assert!(total <= 60_000, "{total} bytes > 60,000");
    assert!(
        page.eval("document.querySelector('label.check').textContent")
            .as_str()
            .unwrap_or_default()
            .contains(&format!("({})", N / 4)),
        "the filters show their counts"
    );
}

fn shown_in(paths: &[String], prefix: &str) -> usize {
    paths.iter().filter(|p| p.starts_with(prefix)).count()
}

fn gzip9_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip").len()
}

/// The ranking of a search is the one of the whole index: for a set of
/// queries (with and without filters), the first 40 results the page
/// shows, fetching tiers as it needs them, are those elasticlunr.js gives
/// with every posting of every term loaded, scored and sorted as the
/// search page always did (`searchGroups`, then score, then number); so
/// are those of queries typed a key at a time (each keystroke reusing
/// what the earlier ones loaded and scored), and the order a search first
/// shows from what is loaded, once the tiers that settle it have come.
#[test]
fn the_ranking_is_that_of_the_whole_index() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let kb = generated_kb(600);
    kb.build(&[]).success();
    let server = StaticServer::start(&kb.join("public"), "/");
    let page = chrome.page();
    for q in [
        "latency",
        "database timeout",
        "the queue",
        "replica failover",
        "restarted pool",
        "kamiru",
        "late",
        "latency&sev=SEV2",
        "cache&team=team-3",
        "errors alert&year=2019",
    ] {
        page.goto(&server.url(&format!("/search/?q={q}")));
        check_ranking(&page, q);
    }

    // Typed a key at a time into one page.
    page.goto(&server.url("/search/"));
    for q in ["latency database", "replica fail", "queue"] {
        page.clear("#search-q");
        for c in q.chars() {
            page.type_text("#search-q", &c.to_string());
        }
        check_ranking(&page, q);
    }

    // A search whose first order, from the first tiers, is not the final
    // one: what the page shows at once, then after the tiers.
    page.eval(&format!("window.__reference = {REFERENCE}, true"));
    let got = page.wait_for(
        "the first and the settled order",
        &format!("window.__early || (window.__earlyStarted || (window.__earlyStarted = true, ({EARLY})('latency database').then(v => window.__early = v, e => window.__early = String(e))), null)"),
    );
    assert_eq!(got["settledAtOnce"], false, "{got}");
    assert_eq!(got["final"], got["reference"], "{got}");
}

/// Waits for the settled results of the search on `page`, shows 40 of
/// them (or all), and compares their links with [`REFERENCE`]'s for `q`.
#[track_caller]
fn check_ranking(page: &Page, q: &str) {
    page.wait_for(
        "the results",
        "(() => { const q = document.getElementById('search-q').value.trim(); const st = document.getElementById('search-status').textContent; const list = document.getElementById('search-results'); return /found/.test(st) && st.includes('“' + q + '”') && list.dataset.for === location.search && list.dataset.settled !== '0'; })()",
    );
    let n = page
        .eval("document.querySelectorAll('.result').length")
        .as_u64()
        .unwrap_or(0);
    if n == 20 {
        page.click("#search-more");
        page.wait_for(
            "more results",
            "document.querySelectorAll('.result').length > 20",
        );
    }
    let shown = page.eval(
        "Array.from(document.querySelectorAll('.result-title a')).map(a => a.getAttribute('href').split('#')[0])",
    );
    page.eval("window.__ref = null, window.__refStarted = false");
    let reference = page.wait_for(
        "the reference ranking",
        &format!("window.__ref || (window.__refStarted || (window.__refStarted = true, ({REFERENCE})({q:?}).then(v => window.__ref = v, e => window.__ref = String(e))), null)"),
    );
    assert_eq!(shown, reference, "{q}");
    assert!(shown.as_array().is_some_and(|a| !a.is_empty()), "{q}");
}

/// A word that begins several frequent terms ranks first the incidents
/// that have several of them, even when none of their postings is in the
/// first tier of any: 40 incidents say "zorbix" four times, 40 "zorbul"
/// four times, and 20 both twice (each term's 33rd best and after), which
/// scores them higher for "zorb". Until those postings are loaded, the
/// bound of an incident no tier has loaded yet is what keeps the order
/// open.
#[test]
fn a_prefix_ranks_the_incidents_with_several_of_its_terms() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let kb = Kb::new("[site]\ntitle = \"Prefixes\"\n");
    let filler = "filler ".repeat(36);
    for i in 0..100 {
        let (title, words) = match i % 5 {
            0 => ("Both", "zorbix zorbix zorbul zorbul"),
            1 | 2 => ("Ix", "zorbix zorbix zorbix zorbix"),
            _ => ("Ul", "zorbul zorbul zorbul zorbul"),
        };
        kb.postmortem(
            &format!("pm-{i:03}.md"),
            &format!(
                "---\ntitle: \"{title} {i}\"\ndate: 2020-{:02}-{:02}\nseverity: SEV2\nsummary: \"Case {i}.\"\n---\n\n{words} {filler}\n",
                1 + i / 28,
                1 + i % 28
            ),
        );
    }
    kb.build(&[]).success();
    let server = StaticServer::start(&kb.join("public"), "/");
    let page = chrome.page();
    page.goto(&server.url("/search/?q=zorb"));
    check_ranking(&page, "zorb");
    let titles = results(&page);
    assert!(
        titles[..20].iter().all(|t| t.starts_with("Both ")),
        "{titles:?}"
    );
}

/// In the page: the order of `q` from what its shards hold (`now`), and
/// after the tiers it needs (`top`), beside the reference's first 20
/// (`window.__reference`, [`REFERENCE`]).
const EARLY: &str = r#"async (q) => {
  const base = '/static/search/';
  const { SearchIndex } = await import(base + 'loading.js');
  const { analyse } = await import(base + 'query.js');
  const { Ranking } = await import(base + 'ranking.js');
  const index = await SearchIndex.load('/search/', '/static/elasticlunr.min.js');
  const r = new Ranking(index, await analyse(index, q), null);
  const first = r.now(20);
  const final = await r.top(20);
  const rows = await index.rows(final);
  const reference = (await window.__reference(q)).slice(0, 20);
  return {
    settledAtOnce: first.settled,
    final: rows.map((x) => '/postmortems/' + encodeURIComponent(x.id) + '/'),
    reference
  };
}"#;

/// The ranking of a query with the whole index loaded: every shard the
/// query needs, every tier of their terms, scored as the search page did
/// before tiers (its `searchGroups`), filtered, sorted by score then
/// number; the first 40 results' links.
const REFERENCE: &str = r#"async (qs) => {
  const p = new URLSearchParams('q=' + qs);
  const base = '/static/search/';
  const { SearchIndex } = await import(base + 'loading.js');
  const { analyse } = await import(base + 'query.js');
  const { filterSet, fromUrl } = await import(base + 'state.js');
  const index = await SearchIndex.load('/search/', '/static/elasticlunr.min.js');
  const groups = await analyse(index, p.get('q'));
  for (;;) {
    const more = [...index.termInfo.values()].filter((i) => i.loaded && index.hasMore(i));
    if (!more.length) break;
    await index.loadNextTiers(more);
  }
  const s = { q: p.get('q'), sev: p.getAll('sev'), cause: p.get('cause') || '', service: '', team: p.get('team') || '', year: p.get('year') || '', open: false };
  const keep = await filterSet(index, s);
  let total = null;
  groups.forEach((g, gi) => {
    const scores = new Map();
    for (const t of g.alts) {
      const alt = new Map();
      index.fields.forEach((f, k) => {
        const boost = index.boosts[k];
        const config = { [f]: { boost, bool: 'OR', expand: g.expand } };
        const found = index.idx.fieldSearch([t], f, config) || {};
        for (const [ref, score] of Object.entries(found)) alt.set(ref, (alt.get(ref) || 0) + score * boost);
      });
      for (const [ref, score] of alt) if (!(scores.get(ref) >= score)) scores.set(ref, score);
    }
    if (g.cut && gi === groups.length - 1 && total !== null && scores.size === 0) return;
    if (total === null) { total = scores; } else {
      const both = new Map();
      for (const [ref, score] of total) if (scores.has(ref)) both.set(ref, score + scores.get(ref));
      total = both;
    }
  });
  const found = [];
  for (const [ref, score] of total || []) if (!keep || keep.has(+ref)) found.push({ i: +ref, score });
  found.sort((a, b) => b.score - a.score || a.i - b.i);
  const top = found.slice(0, 40).map((x) => x.i);
  const rows = await index.rows(top);
  return rows.map((r) => '/postmortems/' + encodeURIComponent(r.id) + '/');
}"#;

/// The shard that holds `term`, from the manifest's plan.
fn shard_of(docs: &Value, term: &str) -> usize {
    let keys: Vec<&str> = docs["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let chars: Vec<char> = term.chars().collect();
    (1..=chars.len())
        .rev()
        .find_map(|n| {
            let k: String = chars[..n].iter().collect();
            keys.iter()
                .position(|x| *x == k)
                .map(|i| docs["keyShards"][i].as_u64().unwrap() as usize)
        })
        .expect("a shard")
}

/// A knowledge base of `n` generated postmortems, `pm-0000` … (enough of
/// them, and varied enough, for the index to have many shards).
fn generated_kb(n: usize) -> Kb {
    let kb = Kb::new("[site]\ntitle = \"Generated\"\n");
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    for i in 0..n {
        let mut body = String::new();
        for h in [
            "Summary",
            "Impact",
            "Root cause",
            "What went well",
            "What went poorly",
        ] {
            body.push_str(&format!("## {h}\n\n{}.\n\n", g.sentence(80)));
        }
        body.push_str(&format!(
            "```\nERR_{} {}\n```\n",
            g.next() % 1000,
            g.sentence(10)
        ));
        kb.postmortem(
            &format!("pm-{i:04}.md"),
            &format!(
                "---\ntitle: \"{}\"\ndate: {}-{:02}-{:02}\nseverity: SEV{}\nsummary: \"{}\"\nservices: [{}]\ncauses: [{}]\nteams: [team-{}]\n---\n\n{body}",
                g.sentence(7),
                2015 + i % 10,
                1 + i % 12,
                1 + i % 28,
                1 + i % 4,
                g.sentence(35),
                g.word(),
                g.word(),
                i % 9,
            ),
        );
    }
    kb
}

// ---------- in the browser ----------

fn results(page: &Page) -> Vec<String> {
    page.eval("Array.from(document.querySelectorAll('#search-results .result-title a')).map(a => a.textContent)")
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Waits until the results on screen are those of the query in the box
/// and of the URL (the status line names the query, the list the URL's
/// state), in their final order (the list is not marked as shown before
/// the tiers that settle it came), and there are `n` of them; returns
/// their titles.
#[track_caller]
fn wait_results(page: &Page, n: usize) -> Vec<String> {
    page.wait_for(
        &format!("{n} results"),
        &format!(
            "(() => {{
                const q = document.getElementById('search-q').value.trim();
                const st = document.getElementById('search-status').textContent;
                const list = document.getElementById('search-results');
                return /found/.test(st)
                    && (q ? st.includes('“' + q + '”') : !st.includes('“'))
                    && list.dataset.for === location.search
                    && list.dataset.settled !== '0'
                    && list.querySelectorAll('.result').length === {n};
            }})()"
        ),
    );
    results(page)
}

#[test]
fn search_in_the_browser() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let kb = english_kb();
    kb.build(&[]).success();
    let server = StaticServer::start(&kb.join("public"), "/kb/");
    let page = chrome.page();

    // Every page has the box, and `/` focuses it; nothing of the index loads.
    page.goto(&server.url("/kb/"));
    page.press("/");
    page.wait_for(
        "the search box focused by /",
        "document.activeElement && document.activeElement.id === 'search-box-q'",
    );
    page.goto(&server.url("/kb/search/"));
    assert!(
        !server
            .served()
            .iter()
            .any(|(p, _)| p.contains("/search/manifest.json")),
        "the index was fetched before any search"
    );

    // A word from a title, stemmed: "certificates" finds "certificate".
    page.type_text("#search-q", "certificates");
    let titles = wait_results(&page, 1);
    assert_eq!(titles, ["Payments down: the TLS certificate expired"]);
    assert!(
        server
            .served()
            .iter()
            .any(|(p, _)| p.contains("/search/manifest.json"))
    );
    page.wait_for(
        "a highlighted match",
        "document.querySelector('#search-results mark')",
    );
    let marks = page.eval(
        "Array.from(document.querySelectorAll('.result-title mark')).map(m => m.textContent)",
    );
    assert_eq!(marks, serde_json::json!(["certificate"]));

    // Half a word whose stem no indexed term begins with ("certifica";
    // the index holds "certif") keeps its results while typing.
    page.clear("#search-q").type_text("#search-q", "certifica");
    assert_eq!(
        wait_results(&page, 1),
        ["Payments down: the TLS certificate expired"]
    );

    // An error message from a code block: the result links to its section.
    page.clear("#search-q")
        .type_text("#search-q", "ECONNREFUSED");
    let titles = wait_results(&page, 1);
    assert_eq!(titles, ["Checkout errors after a DNS change"]);
    let link = page.wait_for(
        "the link to the section",
        "(document.querySelector('.result-title a').href.match(/#root-cause$/) || [null])[0]",
    );
    assert_eq!(link, "#root-cause");
    assert_eq!(
        page.eval("document.querySelector('.result-section').textContent"),
        ", in § Root cause"
    );
    assert_eq!(
        page.eval("document.querySelector('.result-snippet mark').textContent"),
        "ECONNREFUSED"
    );
    // Severity, date and section read as separate items (the commas are
    // for screen readers and copies; they are not shown).
    assert_eq!(
        page.eval("document.querySelector('.result-meta').textContent"),
        "SEV1, 2020-02-10, in § Root cause"
    );
    assert_eq!(
        page.eval("document.querySelector('.result-meta time').textContent"),
        "2020-02-10"
    );

    // Stop words do not empty a query whose other words match; words combine.
    page.clear("#search-q")
        .type_text("#search-q", "the payments");
    let all_payments = wait_results(&page, 3);
    assert!(all_payments.contains(&"Slow payments during the sale".to_string()));
    page.type_text("#search-q", " dns");
    assert_eq!(
        wait_results(&page, 1),
        ["Checkout errors after a DNS change"]
    );
    // A prefix while typing.
    page.clear("#search-q").type_text("#search-q", "handsh");
    assert_eq!(
        wait_results(&page, 1),
        ["Payments down: the TLS certificate expired"]
    );

    // Filters with no query: all SEV1 incidents of the payments service.
    page.clear("#search-q");
    page.click("input[name=sev][value=SEV1]");
    page.eval("(() => { const s = document.getElementById('search-service'); s.value = 'payments'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()");
    let titles = wait_results(&page, 2);
    assert_eq!(
        titles,
        [
            "Checkout errors after a DNS change",
            "Payments down: the TLS certificate expired"
        ],
        "newest first"
    );
    let url = page.url();
    assert!(
        url.contains("sev=SEV1") && url.contains("service=payments"),
        "{url}"
    );
    // Has open follow-ups.
    page.click("#search-open");
    assert_eq!(
        wait_results(&page, 1),
        ["Payments down: the TLS certificate expired"]
    );
    assert!(page.url().contains("open=1"));

    // The state in the URL is shareable: a fresh page restores it.
    let page2 = chrome.page();
    page2.goto(&server.url("/kb/search/?q=emails&year=2018&team=platform"));
    assert_eq!(
        wait_results(&page2, 1),
        ["Queue backlog <b>delayed</b> emails"]
    );
    assert_eq!(
        page2.eval("document.getElementById('search-q').value"),
        "emails"
    );
    assert_eq!(
        page2.eval("document.getElementById('search-year').value"),
        "2018"
    );
    // Titles are text, never markup.
    assert_eq!(
        page2.eval("document.querySelectorAll('#search-results b').length"),
        0
    );
    // Keyboard: down from the box into the results, Escape back.
    page2.focus("#search-q").press("ArrowDown");
    page2.wait_for(
        "focus on the first result",
        "document.activeElement && document.activeElement.closest('.result') !== null",
    );
    page2.press("Escape");
    page2.wait_for(
        "focus back in the box",
        "document.activeElement.id === 'search-q'",
    );
    // Results are announced.
    assert_eq!(
        page2.eval("document.getElementById('search-status').getAttribute('aria-live')"),
        "polite"
    );

    // No match says so.
    page2.clear("#search-q").type_text("#search-q", "zzyzx");
    page2.wait_for(
        "no results",
        "/No incidents found/.test(document.getElementById('search-status').textContent)",
    );
    assert_eq!(results(&page2).len(), 0);
}

/// An English knowledge base with a postmortem in Japanese (as the bundled
/// sample has): its text is found too.
#[test]
fn japanese_inside_an_english_knowledge_base() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let kb = Kb::new("[site]\ntitle = \"Mixed\"\n");
    kb.postmortem(
        "2023-11-24-jp.md",
        "---\ntitle: \"決済サービスの障害\"\ndate: 2023-11-24\nseverity: SEV1\nsummary: ブラックフライデーに決済が503を返す状態になった。\n---\n\n## 原因\n\n接続プールが枯渇した。\n",
    );
    kb.postmortem(
        "2023-11-25-en.md",
        "---\ntitle: \"Payments slow\"\ndate: 2023-11-25\nseverity: SEV2\nsummary: The payment provider returned 503.\n---\n\nBody.\n",
    );
    kb.build(&[]).success();
    let server = StaticServer::start(&kb.join("public"), "/");
    let page = chrome.page();
    page.goto(&server.url("/search/"));
    for q in ["決済", "ブラックフライデー", "接続プール"] {
        page.clear("#search-q").insert_text("#search-q", q);
        assert_eq!(wait_results(&page, 1), ["決済サービスの障害"], "{q}");
    }
    page.wait_for(
        "the match highlighted whole",
        "Array.from(document.querySelectorAll('#search-results mark')).some(m => m.textContent === '接続プール')",
    );
    // Latin words next to Japanese ones are words of their own.
    page.clear("#search-q").insert_text("#search-q", "503");
    assert_eq!(wait_results(&page, 2).len(), 2);
}

/// A search page left open while the site is redeployed never mixes the
/// the old manifest with new shards (their document numbers differ): it
/// notices and loads the new index.
#[test]
fn a_page_open_across_a_redeploy_loads_the_new_index() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let kb = generated_kb(300);
    kb.build(&[]).success();
    let docs: Value = json(&kb, "public/search/manifest.json");
    assert_ne!(
        shard_of(&docs, "latenc"),
        shard_of(&docs, "zyzzyva"),
        "the two words need different shards"
    );
    let server = StaticServer::start(&kb.join("public"), "/");
    let page = chrome.page();
    page.goto(&server.url("/search/?q=latency"));
    wait_results(&page, 20);

    // Redeployed with a new, newest incident: every document number moves.
    kb.postmortem(
        "zebra.md",
        "---\ntitle: \"Zebra stampede in the data centre\"\ndate: 2030-01-01\nseverity: SEV1\nsummary: \"A zyzzyva got loose.\"\n---\n\nBody.\n",
    );
    kb.build(&[]).success();
    page.clear("#search-q").type_text("#search-q", "zyzzyva");
    assert_eq!(
        wait_results(&page, 1),
        ["Zebra stampede in the data centre"]
    );
}

#[test]
fn chinese_and_japanese_in_the_browser() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let zh = Kb::new("[site]\ntitle = \"事故库\"\nlanguage = \"zh\"\n");
    zh.postmortem(
        "2021-05-01-db.md",
        "---\ntitle: \"数据库连接池耗尽导致支付失败\"\ndate: 2021-05-01\nseverity: SEV1\nsummary: 支付服务的数据库连接池耗尽，所有请求超时。\nservices: [payments]\n---\n\n## 根本原因\n\n连接泄漏使连接池在高峰期耗尽。日志中出现 DNS 解析错误。\n",
    );
    zh.postmortem(
        "2021-06-01-cert.md",
        "---\ntitle: \"证书过期\"\ndate: 2021-06-01\nseverity: SEV2\nsummary: 网关的证书过期了。\nservices: [gateway]\n---\n\n## 经过\n\n客户端握手失败。\n",
    );
    zh.build(&[]).success();
    let server = StaticServer::start(&zh.join("public"), "/");
    let page = chrome.page();
    page.goto(&server.url("/search/"));
    page.insert_text("#search-q", "数据库连接池");
    assert_eq!(wait_results(&page, 1), ["数据库连接池耗尽导致支付失败"]);
    page.wait_for(
        "a highlighted match",
        "document.querySelector('#search-results mark')",
    );
    // A stop word (的) in the query does not empty it.
    page.clear("#search-q")
        .insert_text("#search-q", "网关的证书");
    assert_eq!(wait_results(&page, 1), ["证书过期"]);
    // A Latin word inside Chinese text, any case.
    page.clear("#search-q").type_text("#search-q", "dns");
    assert_eq!(wait_results(&page, 1), ["数据库连接池耗尽导致支付失败"]);

    let ja = Kb::new("[site]\ntitle = \"障害\"\nlanguage = \"ja\"\n");
    ja.postmortem(
        "2022-01-10-cert.md",
        "---\ntitle: \"証明書の有効期限切れでAPIが停止\"\ndate: 2022-01-10\nseverity: SEV1\nsummary: 証明書の更新が失敗していました。\n---\n\n## 原因\n\n自動更新のジョブが停止していました。\n",
    );
    ja.postmortem(
        "2022-02-10-disk.md",
        "---\ntitle: \"ディスク容量不足\"\ndate: 2022-02-10\nseverity: SEV3\nsummary: ログでディスクが一杯になりました。\nservices: [search]\n---\n\nRedisのデプロイ後に503エラー。\n",
    );
    ja.build(&[]).success();
    let server = StaticServer::start(&ja.join("public"), "/");
    page.goto(&server.url("/search/"));
    page.insert_text("#search-q", "証明書の期限");
    assert_eq!(wait_results(&page, 1), ["証明書の有効期限切れでAPIが停止"]);
    page.clear("#search-q").insert_text("#search-q", "ディスク");
    assert_eq!(wait_results(&page, 1), ["ディスク容量不足"]);
    // Latin words, numbers, service names and katakana loanwords in
    // Japanese text are found too.
    for q in ["redis", "503", "search", "デプロイ", "Redis デプロイ"] {
        page.clear("#search-q").insert_text("#search-q", q);
        assert_eq!(wait_results(&page, 1), ["ディスク容量不足"], "{q}");
    }
}

#[test]
fn the_search_page_works_without_javascript_in_its_words() {
    let kb = english_kb();
    kb.build(&[]).success();
    let html = kb.read("public/search/index.html");
    assert!(html.contains("<noscript>"), "{html}");
    assert!(html.contains("href=\"/kb/causes/\"") && html.contains("href=\"/kb/services/\""));
    assert!(html.contains("<label for=\"search-q\">"));
    assert!(html.contains("aria-live=\"polite\""));
    // The filters list the knowledge base's values.
    assert!(html.contains("<option value=\"payments\">payments (3)</option>"));
    assert!(html.contains("<option value=\"2019\">2019 (1)</option>"));
    // Every page has the search box; no page loads the index by itself.
    let home = kb.read("public/index.html");
    assert!(home.contains("action=\"/kb/search/\"") && home.contains("aria-keyshortcuts=\"/\""));
    assert!(!home.contains("manifest.json") && !html.contains("manifest.json"));
}

#[test]
fn stemmed_languages_in_the_browser() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let de = Kb::new("[site]\ntitle = \"Störungen\"\nlanguage = \"de\"\n");
    de.postmortem(
        "2023-03-01-db.md",
        "---\ntitle: \"Die Datenbankverbindungen waren erschöpft\"\ndate: 2023-03-01\nseverity: SEV1\nsummary: Alle Verbindungen zum Server sind abgebrochen.\n---\n\n## Ursache\n\nEin Zertifikat war abgelaufen.\n",
    );
    de.postmortem(
        "2023-04-01-disk.md",
        "---\ntitle: \"Festplatte voll\"\ndate: 2023-04-01\nseverity: SEV3\nsummary: Protokolle füllten die Festplatte.\n---\n\nText.\n",
    );
    de.build(&[]).success();
    let docs: Value = serde_json::from_str(&de.read("public/search/manifest.json")).expect("json");
    assert_eq!(docs["mode"], "map");
    let server = StaticServer::start(&de.join("public"), "/");
    let page = chrome.page();
    page.goto(&server.url("/search/"));
    // Another form of the word, found through its stem; a stop word ("die")
    // is left out rather than emptying the query.
    page.type_text("#search-q", "die Verbindung");
    assert_eq!(
        wait_results(&page, 1),
        ["Die Datenbankverbindungen waren erschöpft"]
    );
    page.wait_for(
        "a highlighted match",
        "document.querySelector('.result-snippet mark')",
    );
    page.clear("#search-q")
        .type_text("#search-q", "Zertifikate");
    assert_eq!(
        wait_results(&page, 1),
        ["Die Datenbankverbindungen waren erschöpft"]
    );
    assert_eq!(
        page.eval("document.querySelector('.result-section').textContent"),
        ", in § Ursache"
    );
    page.clear("#search-q").type_text("#search-q", "festpl");
    assert_eq!(wait_results(&page, 1), ["Festplatte voll"]);
}
