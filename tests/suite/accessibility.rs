//! Accessibility, checked by a real engine in the browser: axe-core's
//! WCAG 2.0/2.1 A and AA rules on every kind of page of the repository's
//! sample and of a generated knowledge base, in light and dark colour
//! schemes; the keyboard alone reaching search, its filters, a result,
//! "Show more results" and the follow-up views, with focus visible at each
//! step; and a dark-mode screenshot of highlighted Python.
//!
//! axe-core is pinned in `tests/browser/package.json` (`npm ci --prefix
//! tests/browser` installs it; `.ci/run` does).

use std::path::Path;

use serde_json::Value;

use crate::harness::browser::{self, Page, StaticServer};
use crate::harness::{Kb, NOW, axe, corpus};

/// Postmortems in the generated knowledge base.
const GENERATED: usize = 300;

/// Builds the repository's own sample knowledge base into a temporary
/// folder (served under `/kb/`); the folder holding `public/`.
fn sample() -> Kb {
    let kb = Kb::empty();
    let root = env!("CARGO_MANIFEST_DIR");
    let out = kb.join("public");
    let out = out.to_str().expect("utf-8 path");
    let args = ["build", "--root", root, "--out", out, "--now", NOW];
    kb.run(&[&args[..], &["--base-url", "/kb/"]].concat())
        .success();
    kb
}

fn generated() -> Kb {
    let kb = corpus::generated(GENERATED);
    kb.build(&["--base-url", "/kb/"]).success();
    kb
}

/// The first folder under `public/<section>/` (a cause, a service…).
fn first_in(public: &Path, section: &str) -> String {
    let mut names: Vec<String> = std::fs::read_dir(public.join(section))
        .unwrap_or_else(|e| panic!("{section}: {e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "page")
        .collect();
    names.sort();
    names
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no page under {section}/"))
}

/// One page of every kind, as paths under the site root.
fn pages(public: &Path, incident: &str, view: &str) -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        "postmortems/",
        "causes/",
        "services/",
        "teams/",
        "tags/",
        "follow-ups/",
        "stats/",
        "timeline/",
        "recurrences/",
        "review/",
        "kinds/",
        "search/?q=timeout",
        "start-here/",
        "404.html",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push(format!("postmortems/{incident}/"));
    out.push(format!("follow-ups/{view}/"));
    for section in ["causes", "services", "teams", "tags", "kinds"] {
        out.push(format!("{section}/{}/", first_in(public, section)));
    }
    // An incident with a recurrence notice, one with a kind badge (a near
    // miss or an exercise), where the site has them.
    for mark in ["notice-recurrence", "badge-kind"] {
        if let Some(id) = first_with(public, mark)
            && !out.contains(&format!("postmortems/{id}/"))
        {
            out.push(format!("postmortems/{id}/"));
        }
    }
    out
}

/// The first incident (by folder name) whose page contains `mark`.
fn first_with(public: &Path, mark: &str) -> Option<String> {
    let mut ids: Vec<String> = std::fs::read_dir(public.join("postmortems"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "page")
        .collect();
    ids.sort();
    ids.into_iter().find(|id| {
        std::fs::read_to_string(public.join("postmortems").join(id).join("index.html"))
            .is_ok_and(|t| t.contains(mark))
    })
}

/// Emulates the system colour scheme, and checks that the page sees it.
fn scheme(page: &Page, scheme: &str) {
    page.color_scheme(scheme);
    let dark = page.eval("matchMedia('(prefers-color-scheme: dark)').matches");
    assert_eq!(dark, Value::Bool(scheme == "dark"), "{scheme} not emulated");
}

/// Waits for what the page shows once its scripts ran: search results.
fn settle(page: &Page, path: &str) {
    if path.starts_with("search/") {
        page.wait_for(
            "search results",
            "document.querySelectorAll('#search-results li a').length > 0",
        );
    }
}

/// The six languages of the generated incident are highlighted there.
fn assert_highlighted(page: &Page) {
    for (lang, _) in corpus::CODE {
        let n = page.eval(&format!(
            "document.querySelectorAll('pre.hl-code code.language-{lang} span[class]').length"
        ));
        assert!(
            n.as_u64().unwrap_or(0) > 3,
            "no highlighted {lang} on {}",
            page.url()
        );
    }
}

#[test]
fn every_kind_of_page_passes_axe_in_light_and_dark() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let axe_js = axe::source();
    let sites = [
        ("sample", sample(), "2018-04-12-facebook-timeouts"),
        ("generated", generated(), corpus::ALL_LANGUAGES_ID),
    ];
    let page = chrome.page();
    let mut violations = Vec::new();
    let mut checked = 0;
    let mut dark_code = None;
    for (name, kb, incident) in &sites {
        let public = kb.join("public");
        let server = StaticServer::start(&public, "/kb/");
        if *name == "sample" {
            for mark in ["notice-recurrence", "badge-kind"] {
                assert!(
                    first_with(&public, mark).is_some(),
                    "no {mark} in the sample"
                );
            }
        }
        for path in pages(&public, incident, "owners") {
            for s in ["light", "dark"] {
                page.goto(&server.url(&format!("/kb/{path}")));
                scheme(&page, s);
                settle(&page, &path);
                if *name == "generated" && path == format!("postmortems/{incident}/") {
                    assert_highlighted(&page);
                }
                let started = std::time::Instant::now();
                let found = axe::run(&page, &axe_js);
                eprintln!(
                    "axe: {name} /{path} ({s}): {} violations ({:.1} s)",
                    found.len(),
                    started.elapsed().as_secs_f64()
                );
                for mut v in found {
                    v.page = format!("{name} /{path} ({s})");
                    violations.push(v);
                }
                checked += 1;
            }
        }
        if *name == "generated" {
            dark_code = Some(dark_screenshot(&page, &server, incident));
        }
    }
    assert!(checked >= 60, "only {checked} pages checked");
    assert!(
        violations.is_empty(),
        "{} WCAG 2 A/AA violations (axe-core):{}",
        violations.len(),
        axe::report(&violations)
    );
    let (ratio, token) = dark_code.expect("the dark code block checked");
    assert!(
        ratio >= 4.5,
        "a token of the dark Python block is {ratio:.2}:1: {token}"
    );
}

/// A dark-mode picture of the highlighted Python block, for a person to
/// look at (written to the temporary folder, never compared); and the
/// lowest contrast of a token in it on the block's background as drawn,
/// with that token.
fn dark_screenshot(page: &Page, server: &StaticServer, incident: &str) -> (f64, String) {
    page.goto(&server.url(&format!("/kb/postmortems/{incident}/")));
    scheme(page, "dark");
    let selector = "pre.hl-code:has(code.language-python)";
    let png = page.screenshot_of(selector);
    let path = std::env::temp_dir().join("pmsite-dark-python.png");
    std::fs::write(&path, png).expect("write screenshot");
    eprintln!("dark-mode code block: {}", path.display());
    let worst = page.eval(&format!(
        "(() => {{
            const lum = (c) => {{
                const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {{
                    v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
                }});
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            }};
            const pre = document.querySelector({selector:?});
            const bg = lum(getComputedStyle(pre).backgroundColor);
            let worst = 99, what = '';
            for (const s of pre.querySelectorAll('span')) {{
                if (!s.textContent.trim()) continue;
                const fg = lum(getComputedStyle(s).color);
                const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
                if (ratio < worst) {{ worst = ratio; what = s.className + ' ' + s.textContent.trim(); }}
            }}
            return [worst, what];
        }})()"
    ));
    let ratio = worst[0].as_f64().unwrap_or(0.0);
    (ratio, worst[1].to_string())
}

// ---------- the keyboard alone ----------

/// What has the focus, whether it is drawn (an outline or a shadow), the
/// contrast of its outline with the background around it (WCAG 2.1 asks
/// 3:1 of what shows a component's state), and whether it is what `js`
/// (an expression on `e`, the focused element) looks for.
fn focused(page: &Page, js: &str) -> Value {
    page.eval(&format!(
        "(() => {{
            const e = document.activeElement;
            if (!e || e === document.body) return {{ what: 'body', visible: false, hit: false }};
            const s = getComputedStyle(e);
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
            const shadow = s.boxShadow && s.boxShadow !== 'none';
            const what = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + (e.getAttribute('href') ? '[href=' + e.getAttribute('href') + ']' : '')
                + (e.name ? '[name=' + e.name + ']' : '') + ' ' + (e.textContent || '').trim().slice(0, 40);
            const rgba = (c) => {{ const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; }};
            const lum = (c) => {{
                const [r, g, b] = c.slice(0, 3).map(v => {{ v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }});
                return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            }};
            let ring = null;
            if (outline) {{
                let bg = matchMedia('(prefers-color-scheme: dark)').matches ? [0, 0, 0, 1] : [255, 255, 255, 1];
                for (let n = e.parentElement; n; n = n.parentElement) {{
                    const c = rgba(getComputedStyle(n).backgroundColor);
                    if (c[3] > 0) {{ bg = c; break; }}
                }}
                let alpha = 1;
                for (let n = e; n; n = n.parentElement) alpha *= parseFloat(getComputedStyle(n).opacity);
                const o = rgba(s.outlineColor);
                alpha *= o[3];
                const drawn = [0, 1, 2].map(i => o[i] * alpha + bg[i] * (1 - alpha));
                const [a, b] = [lum(drawn), lum(bg)];
                ring = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            }}
            return {{ what, visible: !!(outline || shadow), ring, hit: !!({js}),
                      style: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor + ' / ' + s.boxShadow }};
        }})()"
    ))
}

/// Fails unless focus is drawn, its outline (if any) at 3:1 or more.
#[track_caller]
fn assert_drawn(page: &Page, f: &Value) {
    assert_eq!(
        f["visible"],
        Value::Bool(true),
        "focus is not visible on {f} (on {})",
        page.url()
    );
    if let Some(ring) = f["ring"].as_f64() {
        assert!(
            ring >= 3.0,
            "the focus outline is {ring:.2}:1 on its background: {f} (on {})",
            page.url()
        );
    }
}

/// Presses Tab until the focused element matches `js` (an expression on
/// `e`, the focused element), checking at every step that focus is
/// drawn; fails after `max` presses, listing where focus went.
#[track_caller]
fn tab_to(page: &Page, what: &str, js: &str, max: usize) {
    let mut path = Vec::new();
    for _ in 0..max {
        page.press("Tab");
        let f = focused(page, js);
        assert_drawn(page, &f);
        if f["hit"] == Value::Bool(true) {
            return;
        }
        path.push(f["what"].as_str().unwrap_or("").to_string());
    }
    panic!(
        "{what} not reached with {max} Tabs on {}; focus went to:\n  {}",
        page.url(),
        path.join("\n  ")
    );
}

#[track_caller]
fn assert_focus_visible(page: &Page) {
    let f = focused(page, "true");
    assert_eq!(
        f["visible"],
        Value::Bool(true),
        "focus is not visible on {f}"
    );
}

/// Focuses the last link before a page's pager (fails if there is none).
#[track_caller]
fn focus_before_pager(page: &Page) {
    let n = page.eval(
        "(() => {
            const pager = document.querySelector('nav.pager');
            if (!pager) return 0;
            const before = [...document.querySelectorAll('main a[href]')].filter(a =>
                a.compareDocumentPosition(pager) & Node.DOCUMENT_POSITION_FOLLOWING);
            if (!before.length) return 0;
            before[before.length - 1].focus();
            return before.length;
        })()",
    );
    assert!(
        n.as_u64().unwrap_or(0) > 0,
        "no pager, or no link before it, on {}",
        page.url()
    );
}

fn result_count(page: &Page) -> u64 {
    page.eval("document.querySelectorAll('#search-results li').length")
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn search_results_and_follow_up_views_with_the_keyboard_alone() {
    let Some(chrome) = browser::launch() else {
        return;
    };
    let kb = generated();
    let server = StaticServer::start(&kb.join("public"), "/kb/");
    let page = chrome.page();

    // Home: Tab reaches the search box (focus drawn in either scheme, and
    // through an incident, whose headings link to themselves); typing and
    // Enter search.
    page.goto(&server.url(&format!("/kb/postmortems/{}/", corpus::ALL_LANGUAGES_ID)));
    tab_to(
        &page,
        "a heading's link to itself",
        "e.matches('.prose h2 > a[href^=\"#\"]')",
        60,
    );
    page.color_scheme("dark");
    page.goto(&server.url("/kb/"));
    tab_to(&page, "the search box", "e.id === 'search-box-q'", 30);
    page.color_scheme("light");
    page.goto(&server.url("/kb/"));
    tab_to(&page, "the search box", "e.id === 'search-box-q'", 30);
    page.tab.type_str("timeout").expect("type");
    page.press("Enter");
    page.wait_for(
        "the search page with results",
        "location.pathname.endsWith('/search/') && document.querySelectorAll('#search-results li a').length > 0",
    );
    let all = page.wait_for(
        "every result counted",
        "(() => { const m = document.getElementById('search-status').textContent.match(/^(\\d+) incidents found/); return m && Number(m[1]); })()",
    );
    let all = all.as_u64().unwrap_or(0);
    assert!(all > 20, "{all} results: too few for \"Show more results\"");

    // The filters: a severity checkbox (Space toggles it), a select
    // (arrow keys choose), each narrowing the results.
    tab_to(&page, "a severity filter", "e.name === 'sev'", 10);
    page.press(" ");
    page.wait_for(
        "the severity in the URL",
        "location.search.includes('sev=')",
    );
    tab_to(&page, "the cause filter", "e.id === 'search-cause'", 10);
    page.press("ArrowDown");
    page.wait_for("the cause in the URL", "location.search.includes('cause=')");
    tab_to(&page, "the Clear button", "e.id === 'search-clear'", 10);
    page.press("Enter");
    page.wait_for(
        "the filters cleared",
        "!location.search.includes('sev=') && !location.search.includes('cause=') && !document.querySelector('input[name=sev]:checked')",
    );

    // "Show more results", reached by Tab, pressed with Enter (after `/`
    // and the words again: Clear cleared them too).
    page.press("/");
    page.wait_for(
        "the query box focused by /",
        "document.activeElement.id === 'search-q'",
    );
    page.tab.type_str("timeout").expect("type");
    page.wait_for(
        "20 results and a Show more button",
        "document.querySelectorAll('#search-results li').length === 20 && !document.getElementById('search-more').hidden",
    );
    tab_to(&page, "Show more results", "e.id === 'search-more'", 40);
    page.press("Enter");
    page.wait_for(
        "more results",
        "document.querySelectorAll('#search-results li').length > 20",
    );
    assert!(result_count(&page) > 20);

    // Back in the box, ↓ moves into the results (as the page says), and
    // Enter opens one.
    page.press("/");
    page.wait_for(
        "the query box focused by /",
        "document.activeElement.id === 'search-q'",
    );
    page.press("ArrowDown");
    page.wait_for(
        "the first result focused",
        "document.activeElement.closest && !!document.activeElement.closest('#search-results')",
    );
    assert_focus_visible(&page);
    page.press("ArrowDown");
    assert_focus_visible(&page);
    let href = page.eval("document.activeElement.href");
    let href = href.as_str().expect("a result link").to_string();
    page.press("Enter");
    page.wait_for(
        "the incident of the result",
        &format!("location.href === {href:?} && !!document.querySelector('h1')"),
    );

    // A paginated list: Tab reaches "Next", Enter opens page 2, and from
    // there Tab reaches "Previous", which leads back to the list's URL;
    // the timeline's year links are reached and followed the same way.
    // (Focus starts on the last link before the pager, as if the reader
    // had tabbed through the 50 rows: those Tabs are not what is tested.)
    page.goto(&server.url("/kb/postmortems/"));
    focus_before_pager(&page);
    tab_to(
        &page,
        "the Next page link",
        "e.matches('nav.pager a[rel=next]')",
        10,
    );
    page.press("Enter");
    page.wait_for(
        "page 2 of the incidents",
        "location.pathname === '/kb/postmortems/page/2/' && !!document.querySelector('nav.pager')",
    );
    focus_before_pager(&page);
    tab_to(
        &page,
        "the Previous page link",
        "e.matches('nav.pager a[rel=prev]')",
        10,
    );
    page.press("Enter");
    page.wait_for("back on page 1", "location.pathname === '/kb/postmortems/'");
    page.goto(&server.url("/kb/timeline/"));
    let years = page.eval("document.querySelectorAll('nav.years a').length");
    assert!(
        years.as_u64().unwrap_or(0) > 1,
        "the generated timeline has year links: {years}"
    );
    tab_to(
        &page,
        "a year link",
        "e.matches('nav.years a') && e.getAttribute('href').includes('/page/')",
        60,
    );
    let target = page.eval("document.activeElement.href");
    let target = target.as_str().expect("a year link").to_string();
    page.press("Enter");
    page.wait_for(
        "the page where that year starts",
        &format!("location.href === {target:?}.split('#')[0] || location.href === {target:?}"),
    );

    // The follow-up board's views, by Tab and Enter, one after the other
    // (on the sample: its pages are small).
    let sample = sample();
    let server = StaticServer::start(&sample.join("public"), "/kb/");
    page.goto(&server.url("/kb/follow-ups/"));
    let views: Vec<String> = page
        .eval(
            "Array.from(document.querySelectorAll('nav.views a')).map(a => a.getAttribute('href'))",
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert!(views.len() >= 3, "views: {views:?}");
    for (k, view) in views.iter().enumerate() {
        tab_to(
            &page,
            &format!("the view link {view}"),
            &format!("e.matches('nav.views a') && e.getAttribute('href') === {view:?}"),
            60 + 10 * k,
        );
        page.press("Enter");
        page.wait_for(
            &format!("the view {view}"),
            &format!(
                "location.pathname === {view:?} && (!document.querySelector('nav.views') || !!document.querySelector('nav.views a[aria-current=\"page\"][href={view:?}]'))"
            ),
        );
    }
}
