//! Postmortem templates for `pmsite new --template NAME`: three shipped in
//! the binary, and any a knowledge base keeps in `templates/NAME.md`.
//!
//! A template is a whole postmortem file in which `{{title}}` (a quoted
//! YAML string), `{{title_text}}`, `{{date}}`, `{{severity}}` (the least
//! severe of [postmortem] severities) and `{{severities}}` are replaced.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::config::Config;
use crate::diagnostics::suggest;

/// The folder (at the knowledge base root) holding a knowledge base's own
/// templates.
pub const TEMPLATES_DIR: &str = "templates";

/// The templates shipped in the binary: name, what it is for, text.
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "default",
        "the six elements of a good postmortem",
        DEFAULT_TEMPLATE,
    ),
    (
        "sre",
        "Google SRE book style: root causes, trigger, detection, where we got lucky",
        SRE_TEMPLATE,
    ),
    ("minor", "a short one for minor incidents", MINOR_TEMPLATE),
    (
        "near-miss",
        "something that could have harmed users and did not (`kind: near-miss`)",
        NEAR_MISS_TEMPLATE,
    ),
    (
        "exercise",
        "a tabletop exercise, game day or chaos test (`kind: exercise`)",
        EXERCISE_TEMPLATE,
    ),
];

const DEFAULT_TEMPLATE: &str = r#"---
title: {{title}}
date: {{date}}
status: draft                 # draft | in-review | final
severity: {{severity}}          # {{severities}}
summary: What happened, in one paragraph (shown in lists and search results).
impact: Who was affected, how, and for how long.
services: []
teams: []
authors: []
causes: []                    # contributing causes, as slugs: [missing-timeout, ...]
trigger:                      # the proximate trigger (one of the causes)
detection:                    # alert | customer-report | employee-report | synthetic-check
timeline:
  - at: "00:00"
    kind: started             # started | detected | acknowledged | mitigated | resolved | other
    event: What happened first
follow_ups: []
---

## Summary

What happened and what users saw.

## Impact

How many users, which features, for how long.

## Resolution

What stopped the bleeding.

## Timeline

The timeline is in the front matter above (or write it here as a list:
`- 09:09 Monitoring pages on-call {detected}`).

## Contributing causes

Every condition without which this would not have happened, latent bugs
included. Look past "human error": ask what made the mistake easy to make
and hard to catch.

## What went well

## What went poorly

## Where we got lucky

## Follow-up actions

Each with an owner, a ticket and a due date (in `follow_ups` above).
"#;

const SRE_TEMPLATE: &str = r#"---
title: {{title}}
date: {{date}}
status: draft                 # draft | in-review | final
severity: {{severity}}          # {{severities}}
summary: One paragraph on what happened and its impact.
impact: Users affected, revenue lost, queries or requests failed.
services: []
teams: []
authors: []
causes: []                    # root causes, as slugs
trigger:                      # what turned the latent causes into an incident
detection:                    # alert | customer-report | employee-report | synthetic-check
timeline:
  - at: "00:00"
    kind: started
    event: The first symptom
follow_ups: []                # each: title, owner, type (mitigate | prevent | detect | process), priority, ticket, due
---

## Summary

## Impact

## Root causes

The conditions that made this possible, each explained. There are usually
several; latent bugs count as much as the trigger.

## Trigger

What turned them into an incident.

## Resolution

What was done to mitigate and to fix it.

## Detection

How the problem was noticed, and how it could have been noticed sooner.

## Action items

In `follow_ups` above: one per action, with an owner, a type, a priority, a
ticket and a due date.

## Lessons learned

### What went well

### What went wrong

### Where we got lucky

## Timeline

In the front matter above: what was seen and done, minute by minute, with
the `detected`, `mitigated` and `resolved` milestones marked.

## Supporting information

Graphs, logs, links.
"#;

const MINOR_TEMPLATE: &str = r#"---
title: {{title}}
date: {{date}}
status: draft
severity: {{severity}}          # {{severities}}
summary: One or two sentences.
impact: Who noticed, for how long.
causes: []
timeline:
  - at: "00:00"
    kind: started
    event: What happened
  - at: "00:30"
    kind: resolved
    event: How it ended
follow_ups: []
---

## Summary

## Contributing causes

## What went well and what went poorly

## Follow-up actions
"#;

const NEAR_MISS_TEMPLATE: &str = r#"---
title: {{title}}
date: {{date}}
kind: near-miss               # nobody was harmed: left out of time-to-detect/resolve figures
status: draft                 # draft | in-review | final
severity: {{severity}}          # what it would have been: {{severities}}
summary: What almost happened, and what stopped it.
impact: None for users. What it would have been, had nothing stopped it.
services: []
teams: []
authors: []
causes: []                    # the same causes an incident would have had
trigger:
detection:                    # how it was caught: alert | employee-report | review | ...
timeline:
  - at: "00:00"
    kind: started
    event: What set it off
follow_ups: []
---

## Summary

What almost happened, and what stopped it.

## What would have happened

Who would have been affected, how, and for how long.

## Timeline

## Contributing causes

The same conditions an incident would have had. Say who did what ("I ran
restore.sh against the wrong host"), then ask why it was possible.

## What stopped it

A safeguard, a habit, luck? Luck is a finding: name it.

## What went well

## What went poorly

## Follow-up actions
"#;

const EXERCISE_TEMPLATE: &str = r#"---
title: {{title}}
date: {{date}}
kind: exercise                # a tabletop, game day or chaos test
status: draft                 # draft | in-review | final
severity: {{severity}}          # what the scenario would be: {{severities}}
summary: The scenario practised, and what we learned.
impact: None for users (staging), or what users saw during the test.
services: []
teams: []
authors: []
causes: []                    # the causes the scenario exercised
detection:
timeline:
  - at: "00:00"
    kind: started
    event: The scenario begins
follow_ups: []
---

## Summary

The scenario, who took part, and the one thing to remember.

## Scenario

What was broken on purpose (or imagined, for a tabletop), where, and what
we expected to happen.

## Timeline

## What we expected and what happened

## Contributing causes

What made the system or the response behave differently than expected.

## What went well

## What went poorly

## Follow-up actions
"#;

/// A template found by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub name: String,
    pub text: String,
    /// The file of a knowledge base template; `None` when built in.
    pub path: Option<PathBuf>,
}

/// The names of every template available in a knowledge base (its own
/// first, then the built-in ones it does not replace), sorted.
pub fn available(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = BUILTIN.iter().map(|(n, _, _)| n.to_string()).collect();
    names.extend(own_templates(root).into_iter().map(|(n, _)| n));
    names.sort();
    names.dedup();
    names
}

fn own_templates(root: &Path) -> Vec<(String, PathBuf)> {
    let dir = root.join(TEMPLATES_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if crate::load::source::is_content_name(&name)
            && path.is_file()
            && let Some(stem) = name.strip_suffix(".md")
        {
            out.push((stem.to_string(), path));
        }
    }
    out.sort();
    out
}

/// Finds a template: the knowledge base's `templates/NAME.md`, else a
/// built-in one. The error lists the available ones.
pub fn find(root: &Path, name: &str) -> Result<Template, (String, String)> {
    if let Some((_, path)) = own_templates(root).into_iter().find(|(n, _)| n == name) {
        return match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Template {
                name: name.to_string(),
                text,
                path: Some(path),
            }),
            Err(e) => Err((
                format!("cannot read template {}: {e}", path.display()),
                "save it as UTF-8 text".into(),
            )),
        };
    }
    if let Some((n, _, text)) = BUILTIN.iter().find(|(n, _, _)| *n == name) {
        return Ok(Template {
            name: n.to_string(),
            text: text.to_string(),
            path: None,
        });
    }
    let names = available(root);
    let list = names.join(", ");
    let hint = match suggest(name, names.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`? Available templates: {list}"),
        None => format!(
            "available templates: {list} (a knowledge base adds its own as {TEMPLATES_DIR}/NAME.md)"
        ),
    };
    Err((format!("unknown template `{name}`"), hint))
}

fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Fills a template's placeholders.
pub fn render(text: &str, config: &Config, title: &str, date: Date) -> String {
    let severities = config.postmortem.severities.join(" | ");
    let severity = config
        .postmortem
        .severities
        .last()
        .cloned()
        .unwrap_or_default();
    text.replace("{{title}}", &yaml_string(title))
        .replace("{{title_text}}", title)
        .replace("{{date}}", &date.to_string())
        .replace("{{severity}}", &severity)
        .replace("{{severities}}", &severities)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_listed_with_a_suggestion() {
        let dir = tempfile_dir();
        let (msg, hint) = find(&dir, "sre-book").unwrap_err();
        assert_eq!(msg, "unknown template `sre-book`");
        assert!(hint.contains("did you mean `sre`?"), "{hint}");
        assert!(
            hint.contains("default, exercise, minor, near-miss, sre"),
            "{hint}"
        );
    }

    fn tempfile_dir() -> PathBuf {
        std::env::temp_dir().join("pmsite-no-such-kb-for-templates")
    }

    #[test]
    fn placeholders_are_filled() {
        let c = Config::defaults(PathBuf::from("/kb"));
        let t = render(
            MINOR_TEMPLATE,
            &c,
            "A \"quoted\" title",
            jiff::civil::date(2020, 1, 2),
        );
        assert!(t.contains("title: \"A \\\"quoted\\\" title\""), "{t}");
        assert!(t.contains("date: 2020-01-02"));
        assert!(t.contains("severity: SEV4"));
        assert!(!t.contains("{{"));
    }
}
