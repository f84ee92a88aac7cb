//! axe-core, the accessibility engine, run in a page of headless Chromium.
//!
//! axe-core comes from npm, pinned in `tests/browser/package.json` and
//! its lock file; `.ci/run` installs it with `npm ci --prefix
//! tests/browser`. Without it, [`source`] fails the test saying so: a
//! missing engine never passes silently.
//!
//! ```ignore
//! let axe = axe::source();
//! page.goto(&url);
//! let violations = axe::run(&page, &axe);
//! assert!(violations.is_empty(), "{}", axe::report(&violations));
//! ```

use std::path::Path;

use serde::Deserialize;

use super::browser::Page;

/// The rules run: WCAG 2.0 and 2.1, levels A and AA.
pub const TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// One rule broken on a page, with the elements that break it.
#[derive(Debug, Deserialize)]
pub struct Violation {
    /// The page (filled in by [`run`]).
    #[serde(default)]
    pub page: String,
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
pub struct Node {
    /// CSS selectors of the element (more than one inside frames).
    pub target: Vec<serde_json::Value>,
    #[serde(rename = "failureSummary")]
    pub failure_summary: Option<String>,
    pub html: String,
}

/// The text of `axe.min.js`, from `tests/browser/node_modules`.
pub fn source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is not installed ({}: {e}): run `npm ci --prefix tests/browser` \
             (Node and npm from Debian's `nodejs` and `npm`); .ci/run does it in CI",
            path.display()
        )
    })
}

/// Runs the WCAG 2 A/AA rules of axe on the page as it is now; the
/// violations found, each naming the page's URL.
pub fn run(page: &Page, axe_source: &str) -> Vec<Violation> {
    let url = page.url();
    let loaded = page.eval("typeof window.axe === 'object'");
    if loaded != serde_json::Value::Bool(true) {
        page.tab
            .evaluate(axe_source, false)
            .unwrap_or_else(|e| panic!("inject axe-core into {url}: {e}"));
    }
    let tags = serde_json::to_string(TAGS).expect("tags");
    let js = format!(
        "axe.run(document, {{ runOnly: {{ type: 'tag', values: {tags} }}, resultTypes: ['violations'] }})
            .then(r => JSON.stringify(r.violations.map(v => ({{
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({{ target: n.target, failureSummary: n.failureSummary, html: n.html }}))
            }}))))
            .catch(e => JSON.stringify({{ error: String(e) }}))"
    );
    let result = page
        .tab
        .evaluate(&js, true)
        .unwrap_or_else(|e| panic!("run axe on {url}: {e}"));
    let text = match result.value {
        Some(serde_json::Value::String(s)) => s,
        other => panic!("axe on {url} gave no result: {other:?}"),
    };
    let mut violations: Vec<Violation> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("axe on {url} failed: {text} ({e})"));
    for v in &mut violations {
        v.page = url.clone();
    }
    violations
}

/// Every violation with its rule, impact, help, and the elements to fix
/// (selector, what is wrong, the element's HTML).
pub fn report(violations: &[Violation]) -> String {
    let mut out = String::new();
    for v in violations {
        out.push_str(&format!(
            "\n{} — {} [{}] {}\n  {}\n",
            v.page,
            v.id,
            v.impact.as_deref().unwrap_or("?"),
            v.help,
            v.help_url
        ));
        for n in v.nodes.iter().take(10) {
            let target: Vec<String> = n
                .target
                .iter()
                .map(|t| t.as_str().map_or_else(|| t.to_string(), str::to_string))
                .collect();
            let html: String = n.html.chars().take(160).collect();
            out.push_str(&format!("  - {}\n      {html}\n", target.join(" >>> ")));
            if let Some(s) = &n.failure_summary {
                for line in s.lines() {
                    out.push_str(&format!("      {line}\n"));
                }
            }
        }
        if v.nodes.len() > 10 {
            out.push_str(&format!("  … and {} more elements\n", v.nodes.len() - 10));
        }
    }
    out
}
