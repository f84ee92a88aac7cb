//! Learning across incidents (issue 17): recurrences, honest numbers,
//! kinds, blameless language, review debt.

use crate::harness::Kb;

#[track_caller]
fn has(out: &str, needle: &str) {
    assert!(out.contains(needle), "lacks {needle:?}:\n{out}");
}

const BOOK: &str = "[site]\ntitle = \"Learning\"\n";

/// A postmortem: its date, kind, causes and follow-ups (YAML list items).
fn pm(kb: &Kb, id: &str, date: &str, kind: &str, causes: &str, follow_ups: &str) {
    kb.postmortem(
        &format!("{id}.md"),
        &format!(
            "---\ntitle: \"{id}\"\ndate: {date}\nkind: {kind}\nseverity: SEV2\nsummary: s\ncauses: [{causes}]\nfollow_ups:\n{follow_ups}---\n\n## Summary\n\nText.\n"
        ),
    );
}

/// The recurrence rules, each edge case in one knowledge base.
fn recurrences_kb() -> Kb {
    let kb = Kb::new(BOOK);
    // An open follow-up: a later incident with the cause recurs it.
    pm(
        &kb,
        "a-open",
        "2019-01-10",
        "incident",
        "cache-stampede, no-alerting",
        "  - {title: Add request coalescing, status: open}\n  - {title: Alert on miss rate, status: done, completed: 2019-01-20}\n",
    );
    pm(
        &kb,
        "b-recurs-a",
        "2019-03-01",
        "incident",
        "cache-stampede",
        "  - {title: x, status: done}\n",
    );
    // An exercise sharing the cause: seen again, not a recurrence; its own
    // open follow-ups make no recurrence.
    pm(
        &kb,
        "c-exercise",
        "2019-04-01",
        "exercise",
        "cache-stampede, disk-full",
        "  - {title: Runbook for disk-full, status: open}\n",
    );
    pm(
        &kb,
        "d-after-exercise",
        "2019-05-01",
        "incident",
        "disk-full",
        "  - {title: y, status: done}\n",
    );
    // Completed on the later incident's date: done, so "after its fix";
    // completed a day after an earlier later incident: a recurrence.
    pm(
        &kb,
        "e-fixed-later",
        "2020-01-10",
        "incident",
        "bad-deploy",
        "  - {title: Canary deploys, status: done, completed: 2020-03-01}\n",
    );
    pm(
        &kb,
        "f-before-fix",
        "2020-02-01",
        "incident",
        "bad-deploy",
        "  - {title: z, status: done}\n",
    );
    pm(
        &kb,
        "g-on-fix-day",
        "2020-03-01",
        "incident",
        "bad-deploy",
        "",
    );
    // Only won't-fix follow-ups: an accepted risk that came back.
    pm(
        &kb,
        "h-wont-fix",
        "2021-01-10",
        "incident",
        "vendor-outage",
        "  - {title: Second payment provider, status: wont-fix}\n",
    );
    pm(
        &kb,
        "i-near-miss",
        "2021-02-01",
        "near-miss",
        "vendor-outage",
        "",
    );
    pm(
        &kb,
        "j-recurs-h",
        "2021-06-01",
        "incident",
        "vendor-outage",
        "",
    );
    kb
}

fn export(kb: &Kb) -> serde_json::Value {
    serde_json::from_str(&kb.read("public/postmortems.json")).unwrap()
}

fn entry<'a>(json: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    json["postmortems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn recurrences_follow_the_rules_and_their_edges() {
    let kb = recurrences_kb();
    kb.run(&["build", "--now", "2022-01-01"]).success();
    let json = export(&kb);
    let of = |id: &str| entry(&json, id)["recurrence_of"].clone();
    assert_eq!(
        of("b-recurs-a"),
        serde_json::json!([{"id": "a-open", "causes": ["cache-stampede"], "open_follow_ups": ["Add request coalescing"]}])
    );
    assert_eq!(
        of("a-open"),
        serde_json::json!([]),
        "an empty list when none"
    );
    assert_eq!(
        of("c-exercise"),
        serde_json::json!([]),
        "an exercise is never a recurrence"
    );
    assert_eq!(
        of("d-after-exercise"),
        serde_json::json!([]),
        "an exercise's follow-ups make none"
    );
    assert_eq!(
        of("f-before-fix"),
        serde_json::json!([{"id": "e-fixed-later", "causes": ["bad-deploy"], "open_follow_ups": ["Canary deploys"]}]),
        "done only after the later incident's date"
    );
    assert_eq!(
        of("g-on-fix-day"),
        serde_json::json!([]),
        "completed on the day counts as done"
    );
    assert_eq!(
        of("j-recurs-h"),
        serde_json::json!([{"id": "h-wont-fix", "causes": ["vendor-outage"], "open_follow_ups": ["Second payment provider"]}])
    );
    assert_eq!(of("i-near-miss"), serde_json::json!([]));
    assert_eq!(entry(&json, "i-near-miss")["kind"], "near-miss");
    assert_eq!(entry(&json, "a-open")["kind"], "incident");

    // The later incident's page says so near the top; the earlier one
    // lists where it recurred.
    let page = kb.read("public/postmortems/j-recurs-h/index.html");
    let notice = &page[page.find("<aside class=\"notice").unwrap()..];
    let notice = &notice[..notice.find("</aside>").unwrap() + 8];
    assert!(page.find("<aside class=\"notice").unwrap() < page.find("pm-facts").unwrap());
    insta::assert_snapshot!("recurrence_notice", notice);
    let earlier = kb.read("public/postmortems/h-wont-fix/index.html");
    assert!(earlier.contains("<h3 id=\"recurred-in\">Recurred in</h3>"));
    assert!(earlier.contains("href=\"/postmortems/j-recurs-h/\""));
    let g = kb.read("public/postmortems/g-on-fix-day/index.html");
    assert!(g.contains("Came back after the fix of"), "{g}");
    assert!(!g.contains("notice-recurrence"));
    let exercise = kb.read("public/postmortems/c-exercise/index.html");
    assert!(exercise.contains("This exercise met a risk an earlier incident left open."));
    assert!(exercise.contains("badge-kind kind-exercise"));

    // /recurrences/: newest first, with the per-year share.
    let list = kb.read("public/recurrences/index.html");
    assert_eq!(
        later_rows(&list),
        ["j-recurs-h", "f-before-fix", "b-recurs-a"],
        "newest first, incidents only"
    );
    assert!(list.contains("<tr><th scope=\"row\">2021</th><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">50%</td></tr>"), "{list}");
    assert!(list.contains("won't fix: accepted risk"));

    // The cause page: its recurrences, what was seen again, what came back.
    let cause = kb.read("public/causes/cache-stampede/index.html");
    assert!(cause.contains("<h2 id=\"recurrences\">Recurrences</h2>"));
    assert!(cause.contains("Seen again in a near miss or exercise"));
    let deploy = kb.read("public/causes/bad-deploy/index.html");
    assert!(deploy.contains("Came back after its fix"));
    // The stats page: the share of recurrences per year.
    let stats = kb.read("public/stats/index.html");
    assert!(stats.contains("id=\"recurrences\""));
}

/// The later incidents of a recurrence list (`ul.recurrence-list`), in
/// order.
fn later_rows(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("ul.recurrence-list > li > a:first-of-type").unwrap();
    doc.select(&sel).map(|a| a.text().collect()).collect()
}

#[test]
fn every_qualifying_earlier_incident_is_linked_up_to_three_per_cause() {
    let kb = Kb::new(BOOK);
    let open = "  - {title: Fix it, status: open}\n";
    // A and B both have open fixes when C happens: C recurs both.
    pm(&kb, "a", "2020-01-01", "incident", "dns", open);
    pm(&kb, "b", "2020-02-01", "incident", "dns", open);
    // Fixed before C: not a recurrence, "came back after its fix".
    pm(
        &kb,
        "fixed",
        "2020-02-15",
        "incident",
        "dns",
        "  - {title: Done, status: done, completed: 2020-02-20}\n",
    );
    pm(&kb, "c", "2020-03-01", "incident", "dns", "");
    // Twelve incidents with open fixes before `late`: the most recent
    // linked, eleven more counted; through a second shared cause, `b`
    // linked and `a` counted.
    for k in 0..12 {
        pm(
            &kb,
            &format!("m{k:02}"),
            &format!("2021-01-{:02}", k + 1),
            "incident",
            "cache",
            open,
        );
    }
    pm(&kb, "late", "2021-06-01", "incident", "cache, dns", "");
    kb.run(&["build", "--now", "2022-01-01"]).success();
    let json = export(&kb);
    let ids = |id: &str| -> Vec<String> {
        entry(&json, id)["recurrence_of"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("c"), ["b"], "the most recent");
    assert_eq!(ids("b"), ["a"]);
    assert_eq!(
        ids("late"),
        ["m11", "b"],
        "the most recent through cache, then through dns"
    );
    let page = kb.read("public/postmortems/late/index.html");
    has(
        &page,
        "And more with the same causes: <a href=\"/causes/cache/\">cache</a> (11), \
         <a href=\"/causes/dns/\">dns</a> (1); their pages list them all.",
    );
    let c = kb.read("public/postmortems/c/index.html");
    has(&c, "An earlier incident had the same cause");
    has(
        &c,
        "And more with the same cause: <a href=\"/causes/dns/\">dns</a> (1); its page lists them all.",
    );
    let b = kb.read("public/postmortems/b/index.html");
    assert!(!b.contains("And "), "nothing more: {b}");
    let list = kb.read("public/recurrences/index.html");
    assert_eq!(
        later_rows(&list),
        [
            "late", "m11", "m10", "m09", "m08", "m07", "m06", "m05", "m04", "m03", "m02", "m01",
            "c", "fixed", "b"
        ]
    );
    has(&list, "<li>and 11 more with cache</li>");
    let a = kb.read("public/postmortems/a/index.html");
    has(&a, "<h3 id=\"recurred-in\">Recurred in</h3>");
    for later in ["b", "c", "late"] {
        has(&a, &format!("href=\"/postmortems/{later}/\""));
    }
}

#[test]
fn recurrences_paginate_like_the_other_lists() {
    let kb = Kb::new(BOOK);
    pm(
        &kb,
        "first",
        "2010-01-01",
        "incident",
        "c",
        "  - {title: never, status: open}\n",
    );
    for k in 0..55 {
        pm(
            &kb,
            &format!("later-{k:02}"),
            &format!("2011-01-{:02}", k % 28 + 1),
            "incident",
            "c",
            "",
        );
    }
    kb.build(&[]).success();
    let one = kb.read("public/recurrences/index.html");
    has(&one, "55 recurrences");
    has(&one, "<span>Page 1 of 2</span>");
    has(
        &one,
        "<a rel=\"next\" href=\"/recurrences/page/2/\">Next</a>",
    );
    has(&one, "<link rel=\"next\" href=\"/recurrences/page/2/\">");
    has(&one, "id=\"per-year\"");
    let two = kb.read("public/recurrences/page/2/index.html");
    assert_eq!(later_rows(&two).len(), 5);
    has(&two, "<link rel=\"prev\" href=\"/recurrences/\">");
    assert!(
        !two.contains("id=\"per-year\""),
        "the figures are on page 1"
    );
    let redirect = kb.read("public/recurrences/page/1/index.html");
    has(&redirect, "url=/recurrences/");
    let sitemap = kb.read("public/sitemap.xml");
    has(&sitemap, "/recurrences/page/2/</loc>");
}

/// Incidents with a time to detect of `minutes` each, in one quarter.
fn timed(kb: &Kb, id: &str, date: &str, kind: &str, detect_min: u32) {
    kb.postmortem(
        &format!("{id}.md"),
        &format!(
            "---\ntitle: \"{id}\"\ndate: {date}\nkind: {kind}\nseverity: SEV3\nsummary: s\ntimeline:\n  - {{at: \"10:00\", kind: started, event: a}}\n  - {{at: \"10:{detect_min:02}\", kind: detected, event: b}}\n  - {{at: \"11:00\", kind: resolved, event: c}}\n---\n"
        ),
    );
}

#[test]
fn stats_need_the_minimum_sample() {
    let kb = Kb::new(BOOK);
    // 2020 Q1: four incidents (just below the minimum of 5); Q2: five.
    for (k, m) in [1, 2, 3, 4].iter().enumerate() {
        timed(
            &kb,
            &format!("q1-{k}"),
            &format!("2020-02-0{}", k + 1),
            "incident",
            *m,
        );
    }
    for (k, m) in [5, 6, 7, 8, 50].iter().enumerate() {
        timed(
            &kb,
            &format!("q2-{k}"),
            &format!("2020-05-0{}", k + 1),
            "incident",
            *m,
        );
    }
    // Left out of the durations: a near miss and an exercise.
    timed(&kb, "nm", "2020-05-10", "near-miss", 59);
    timed(&kb, "ex", "2020-05-11", "exercise", 59);
    kb.build(&[]).success();
    let stats = kb.read("public/stats.json");
    insta::assert_snapshot!("stats_json", stats);
    let json: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(json["periods"][0]["period"], "2020-Q1");
    assert_eq!(
        json["periods"][0]["time_to_detect"]["median_s"],
        serde_json::Value::Null
    );
    assert_eq!(json["periods"][1]["time_to_detect"]["median_s"], 420);
    assert_eq!(json["periods"][1]["time_to_detect"]["p90_s"], 3000);
    assert_eq!(json["all"]["incidents"], 9);
    let page = kb.read("public/stats/index.html");
    let main = &page[page.find("<main").unwrap()..page.find("</main>").unwrap()];
    let figures = &main[..main.find("id=\"top-causes\"").unwrap()];
    insta::assert_snapshot!("stats_figures", figures);
    assert!(main.contains("1 near miss and 1 exercise left out"));
    assert!(main.contains("2020 Q1: 4m (too few to summarise, n = 4)"));

    // min-sample 4: the first quarter has enough.
    kb.write("book.toml", format!("{BOOK}[stats]\nmin-sample = 4\n"));
    kb.build(&[]).success();
    let json: serde_json::Value = serde_json::from_str(&kb.read("public/stats.json")).unwrap();
    assert_eq!(json["periods"][0]["time_to_detect"]["median_s"], 150);
    assert_eq!(json["periods"][0]["time_to_detect"]["p90_s"], 240);

    kb.write(
        "book.toml",
        format!("{BOOK}[stats]\nmin-sample = 0\n[postmortem]\nreview-days = \"two weeks\"\n"),
    );
    let bad = kb.build(&[]);
    assert_eq!(bad.status, 1);
    bad.stderr_has(
        "book.toml:4:14: error: [stats] min-sample must be a positive whole number, found 0",
    );
    bad.stderr_has(
        "book.toml:6:15: error: [postmortem] review-days must be a positive whole number",
    );
}

#[test]
fn kinds_are_checked_shown_and_listed() {
    let kb = Kb::new(BOOK);
    kb.postmortem(
        "bad.md",
        "---\ntitle: t\ndate: 2020-01-01\nseverity: SEV1\nsummary: s\nkind: nearmiss\n---\n",
    );
    let run = kb.run(&["check"]);
    assert_eq!(run.status, 1);
    has(
        &run.stdout,
        "content/postmortems/bad.md:6:7: error: unknown kind `nearmiss`",
    );
    has(
        &run.stdout,
        "did you mean `near-miss`? (one of: incident, near-miss, exercise)",
    );
    kb.postmortem(
        "bad.md",
        "---\ntitle: Tabletop\ndate: 2020-01-01\nseverity: SEV1\nsummary: s\nkind: exercise\n---\n",
    );
    kb.postmortem(
        "real.md",
        "---\ntitle: Real\ndate: 2020-02-01\nseverity: SEV1\nsummary: s\n---\n",
    );
    kb.build(&[]).success();
    let home = kb.read("public/index.html");
    assert!(
        home.contains("<a href=\"/kinds/exercise/\">1 exercises</a>")
            || home.contains("<a href=\"/kinds/exercise/\">1 exercise"),
        "{home}"
    );
    assert!(
        home.contains("badge-kind kind-exercise"),
        "list rows have the badge"
    );
    let list = kb.read("public/kinds/exercise/index.html");
    assert!(list.contains("Tabletop") && !list.contains(">Real<"));
    // The search filter by kind: a set of incidents per kind, fetched
    // only when the filter is used, named in the manifest with counts.
    let manifest: serde_json::Value =
        serde_json::from_str(&kb.read("public/search/manifest.json")).expect("manifest");
    assert_eq!(
        manifest["facets"]["kind"]["values"],
        serde_json::json!(["incident", "near-miss", "exercise"]),
        "{manifest}"
    );
    assert_eq!(
        manifest["facets"]["kind"]["counts"],
        serde_json::json!([1, 0, 1]),
        "{manifest}"
    );
    assert!(kb.join("public/search/facets/kind-2.bin").is_file());
    let search = kb.read("public/search/index.html");
    assert!(search.contains("<select id=\"search-kind\" name=\"kind\">"));
}

const LANGUAGE: &str = "---
title: Cluster shrink
date: 2020-05-01
severity: SEV1
summary: s
status: final
follow_ups:
  - {title: t, owner: o, due: 2020-06-01}
---

## Summary

The config was changed and nobody noticed.

## Contributing causes

- A script was run which deleted half the production cluster.
- I ran scale.sh, which deleted half the production cluster.
- Alex restarted the workers; the workers were restarted by Alex.

## What went poorly

The on-call engineer carelessly ignored it and should have known better.
";

#[test]
fn blameless_language_lints_land_on_their_phrases() {
    let kb = Kb::new(BOOK);
    kb.postmortem("lang.md", LANGUAGE);
    let run = kb.run(&["check", "--now", "2020-06-01"]);
    run.success();
    let found: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("warning[passive-voice]") || l.contains("warning[blame-language]"))
        .collect();
    assert_eq!(
        found,
        [
            "content/postmortems/lang.md:17:12: warning[passive-voice]: \"was run\" does not say who did it: the passive voice reads as if someone would be blamed if we knew who",
            "content/postmortems/lang.md:23:22: warning[blame-language]: \"carelessly\" judges a person: blame ends the analysis where it should start",
            "content/postmortems/lang.md:23:48: warning[blame-language]: \"should have known\" judges a person: blame ends the analysis where it should start",
        ],
        "the summary's passive is outside the sections; agentful sentences are not flagged:\n{}",
        run.stdout
    );
    has(&run.stdout, "= hint: say who did what");
    // build reports them as warnings and succeeds.
    let build = kb.build(&[]);
    build.success();
    build.stderr_has("lang.md:17:12: warning[passive-voice]");
    // Allowed per file and per site.
    kb.postmortem(
        "lang.md",
        &LANGUAGE.replacen(
            "status: final\n",
            "status: final\nlint: {allow: [passive-voice]}\n",
            1,
        ),
    );
    let run = kb.run(&["check", "--now", "2020-06-01"]);
    assert!(!run.stdout.contains("passive-voice"), "{}", run.stdout);
    assert!(run.stdout.contains("blame-language"));
    kb.write(
        "book.toml",
        format!("{BOOK}[lint]\nallow = [\"blame-language\"]\n"),
    );
    let build = kb.build(&[]);
    assert!(
        !build.stderr.contains("blame-language") && !build.stderr.contains("passive-voice"),
        "{}",
        build.stderr
    );
}

#[test]
fn review_debt_is_reported_listed_and_counted() {
    let kb = Kb::new(&format!("{BOOK}[postmortem]\nreview-days = 10\n"));
    let one = |id: &str, date: &str, status: &str, sev: &str| {
        kb.postmortem(
            &format!("{id}.md"),
            &format!("---\ntitle: \"{id}\"\ndate: {date}\nstatus: {status}\nseverity: {sev}\nsummary: s\n---\n"),
        );
    };
    one("old-sev3", "2020-01-01", "in-review", "SEV3");
    one("newer-sev1", "2020-05-01", "in-review", "SEV1");
    one("recent", "2020-05-25", "in-review", "SEV1");
    one("a-draft", "2020-02-01", "draft", "SEV2");
    one("done", "2019-01-01", "final", "SEV1");
    let run = kb.run(&["check", "--now", "2020-06-01"]);
    run.success();
    has(
        &run.stdout,
        "content/postmortems/old-sev3.md:4:9: warning[review-overdue]: still `in-review` 152 days after the incident (more than [postmortem] review-days = 10)",
    );
    has(
        &run.stdout,
        "content/postmortems/a-draft.md:4:9: warning[review-overdue]: still `draft` 121 days",
    );
    assert!(
        !run.stdout
            .contains("recent.md:4:9: warning[review-overdue]")
    );
    assert!(!run.stdout.contains("done.md:4:9: warning[review-overdue]"));

    kb.build(&[]).success();
    let home = kb.read("public/index.html");
    let panel = &home[home.find("id=\"awaiting-review\"").unwrap()..];
    let panel = &panel[..panel.find("</section>").unwrap()];
    let sev1 = panel.find("newer-sev1").unwrap();
    let sev3 = panel.find("old-sev3").unwrap();
    assert!(sev1 < sev3, "SEV1 and SEV2 first: {panel}");
    assert!(panel.contains("152 days since the incident"));
    assert!(
        !panel.contains("a-draft"),
        "a normal build leaves drafts out"
    );
    assert!(!panel.contains("recent"));
    let stats = kb.read("public/stats/index.html");
    assert!(stats.contains("2 postmortems awaiting review</a> more than 10 days after the incident, 1 of them SEV1 or SEV2."), "{stats}");
    kb.build(&["--drafts"]).success();
    let home = kb.read("public/index.html");
    assert!(home.contains("a-draft"), "drafts are listed with --drafts");
    assert!(
        kb.read("public/review/index.html")
            .contains("3 postmortems")
    );
}

/// `serve` computes recurrences again when a follow-up changes, and keeps
/// them when only prose changed: the later incident's page follows.
#[test]
fn serve_follows_a_fix_into_the_recurrence_notice() {
    let kb = Kb::new(BOOK);
    pm(
        &kb,
        "a",
        "2020-01-01",
        "incident",
        "dns",
        "  - {title: Fix dns, status: open}\n",
    );
    pm(&kb, "c", "2020-03-01", "incident", "dns", "");
    let server = crate::harness::serve::Server::start(kb.path(), &[]);
    let events = server.events();
    events.wait("hello");
    let (_, c) = server.get("/postmortems/c/");
    has(&c, "<ul class=\"recurs\">");
    has(&c, "Fix dns");
    // Prose only: the notice stays.
    let file = "content/postmortems/a.md";
    let text = kb.read(file);
    kb.write(file, text.replace("Text.", "Other text."));
    events.wait("reload");
    let (_, c) = server.get("/postmortems/c/");
    has(&c, "<ul class=\"recurs\">");
    // Fixed before c: no recurrence any more.
    let text = kb.read(file);
    kb.write(
        file,
        text.replace(
            "{title: Fix dns, status: open}",
            "{title: Fix dns, status: done, completed: 2020-02-01}",
        ),
    );
    let data = events.wait("reload");
    assert!(data.contains("postmortems/c/index.html"), "{data}");
    let (_, c) = server.get("/postmortems/c/");
    assert!(!c.contains("<ul class=\"recurs\">"), "{c}");
}

/// The notice names up to three not-done follow-ups of an earlier
/// incident; of more, it names two and counts and links the rest.
#[test]
fn the_notice_names_a_few_not_done_follow_ups_and_counts_the_rest() {
    let kb = Kb::new(BOOK);
    let open = |n: usize| -> String {
        (1..=n)
            .map(|k| format!("  - {{title: Fix number {k}, status: open}}\n"))
            .collect()
    };
    pm(&kb, "three", "2010-01-01", "incident", "x", &open(3));
    pm(&kb, "five", "2010-02-01", "incident", "y", &open(5));
    pm(&kb, "later", "2010-03-01", "incident", "x, y", "");
    kb.build(&[]).success();
    let page = kb.read("public/postmortems/later/index.html");
    has(
        &page,
        "Not done: Fix number 1 (open); Fix number 2 (open); Fix number 3 (open).</li>",
    );
    has(
        &page,
        "Not done: Fix number 1 (open); Fix number 2 (open); and \
         <a href=\"/postmortems/five/#pm-follow-ups-title\">3 more</a>.</li>",
    );
    assert!(!page.contains("Fix number 4"), "{page}");
    // The export and the earlier page keep every one.
    let json = export(&kb);
    let of = &entry(&json, "later")["recurrence_of"];
    assert!(of.to_string().contains("Fix number 5"), "{of}");
}
