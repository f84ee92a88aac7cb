//! Writing postmortems: `pmsite init` (a new knowledge base), `pmsite new`
//! (a postmortem from a template), the templates, and the JSON Schema of
//! front matter that editors validate with (`pmsite schema`).
//!
//! May use `load`, `model`, `config` and `diagnostics`.

pub mod schema;
pub mod templates;

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use std::io::Write as _;

use crate::config::Config;
use crate::config::slug::slugify;
use crate::diagnostics::{Code, Diagnostic, Pos, display_path};
use crate::load::frontmatter::{SplitError, split};

/// The book.toml written by `pmsite init`.
pub fn book_toml(title: &str) -> String {
    format!(
        r#"# pmsite configuration. Every key is optional; the values shown are examples.

[site]
title = "{title}"
description = "What broke, why, and what we changed"
# base-url = "https://acme.github.io/postmortems/"   # sub-path hosting works
language = "en"
timezone = "UTC"            # how bare times such as "09:09" in timelines are read

[build]
content-dir = "content"
output-dir = "public"

[postmortem]
severities = ["SEV1", "SEV2", "SEV3", "SEV4"]   # most severe first
required = ["title", "date", "severity", "summary"]
# ticket-url = "https://acme.atlassian.net/browse/{{id}}"
reading-list = ["{example}"]

[markdown]
unsafe-html = false

[search]
enable = true
"#,
        title = title.replace('\\', "\\\\").replace('"', "\\\""),
        example = EXAMPLE_ID,
    )
}

const EXAMPLE_ID: &str = "2018-04-12-example-third-party-timeouts";

const EXAMPLE_POSTMORTEM: &str = r#"---
title: "API outage: slow third-party calls exhausted the web workers"
date: 2018-04-12
status: final
severity: SEV2
summary: >-
  A partner API became slow; our web workers waited on it without a timeout,
  and the website returned errors for 17 minutes.
impact: Website down 17 minutes; elevated 5xx for 24 more.
services: [web, api]
teams: [platform]
authors: [alex]
causes: [third-party-latency, missing-timeout, blocking-io-in-request]
trigger: third-party-latency
detection: alert
timeline:
  - at: "09:02"
    kind: started
    event: Partner API p99 latency rises above 20 s
  - at: "09:09"
    kind: detected
    event: Monitoring pages on-call; the website returns 503
  - at: "09:12"
    kind: acknowledged
    event: Alex acknowledges the page
  - at: "09:26"
    kind: mitigated
    event: Timeout added to the partner calls and deployed
  - at: "09:50"
    kind: resolved
    event: Error rates back to normal
follow_ups:
  - title: Add timeouts to every outbound HTTP call
    owner: alex
    status: done
    due: 2018-05-01
    completed: 2018-04-30
    priority: P1
    type: prevent
  - title: Alert on latency of calls to third parties
    owner: julie
    status: open
    due: 2018-06-01
    priority: P2
    type: detect
---

## Summary

The partner API slowed down. Every web request that called it waited,
the workers ran out, and the site went down.

## Impact

The website was down for 17 minutes, with elevated errors for 24 more.

## Timeline

See the timeline above; pmsite draws it and derives the time to detect and
to resolve.

## Contributing causes

- **third-party-latency**: the partner API slowed down (the trigger).
- **missing-timeout**: our HTTP client had no timeout.
- **blocking-io-in-request**: the call happens inside the web request.

## What went well

- The fix deployed in minutes.

## What went poorly

- Nothing showed which endpoint was slow.

## Follow-up actions

See the follow-up table above.
"#;

const START_HERE: &str = r#"---
title: Start here
description: How to read this incident library
weight: 1
---

# Start here

Welcome! This site collects our postmortems: what broke, why, and what we
changed. They are blameless: they look for systemic causes, not for people
to blame.

A good first read is [[2018-04-12-example-third-party-timeouts]].
"#;

/// Creates a knowledge base in `dir`. Refuses to touch an existing one.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if dir.join(crate::config::CONFIG_FILE).exists() {
        return Err(format!(
            "{} already holds a book.toml; not overwriting it",
            dir.display()
        ));
    }
    let title = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .map(|n| format!("{} Incident Library", titlecase(&n)))
        .unwrap_or_else(|| "Incident Library".into());
    let files: Vec<(PathBuf, String)> = vec![
        (dir.join("book.toml"), book_toml(&title)),
        (
            dir.join("content/postmortems")
                .join(format!("{EXAMPLE_ID}.md")),
            with_schema_line(
                EXAMPLE_POSTMORTEM,
                &crate::authoring::schema::schema_ref(
                    Path::new(""),
                    Path::new("content/postmortems/x.md"),
                ),
            ),
        ),
        (
            dir.join("content/pages/start-here.md"),
            START_HERE.to_string(),
        ),
    ];
    for (path, _) in &files {
        if path.exists() {
            return Err(format!(
                "{} already exists; not overwriting it",
                path.display()
            ));
        }
    }
    let mut written = Vec::new();
    for (path, text) in files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    // The JSON Schema the example's modeline points at.
    if let Ok(config) = Config::load(dir)
        && let Ok(path) = crate::authoring::schema::write_schema(&config)
    {
        written.push(path);
    }
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() && std::fs::write(&gitignore, "/public\n").is_ok() {
        written.push(gitignore);
    }
    Ok(written)
}

fn titlecase(s: &str) -> String {
    s.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Puts the comment that points YAML editors at pmsite's JSON Schema
/// (`# yaml-language-server: $schema=...`, the path relative to the file)
/// at the top of a postmortem's front matter. A text that already has one,
/// or has no front matter, is returned as it is.
pub fn with_schema_line(text: &str, schema_ref: &str) -> String {
    if text.contains("yaml-language-server:") {
        return text.to_string();
    }
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return text.to_string();
    };
    format!(
        "---\n{}\n{rest}",
        crate::authoring::schema::modeline(schema_ref)
    )
}

/// The file name for a new postmortem: `<date>-<slug>.md`, the slug cut at
/// a word boundary so names stay readable.
pub fn new_file_name(title: &str, date: Date) -> String {
    let mut slug = slugify(title);
    if slug.len() > 60 {
        let cut = slug[..60].rfind('-').unwrap_or(60);
        slug.truncate(cut);
    }
    if slug.is_empty() {
        slug = "incident".into();
    }
    format!("{date}-{slug}.md")
}

/// What `pmsite new` made.
#[derive(Debug)]
pub struct Created {
    /// The new postmortem.
    pub path: PathBuf,
    /// The editor schema, when it was missing and has been written.
    pub schema: Option<PathBuf>,
}

/// `pmsite new`: a new postmortem from a template, dated `date`
/// (YYYY-MM-DD; default: today in the site's time zone). Never overwrites.
pub fn new_postmortem(
    config: &Config,
    title: &str,
    date: Option<&str>,
    template: &str,
) -> Result<Created, Diagnostic> {
    if title.trim().is_empty() {
        return Err(Diagnostic::error(Code::BadOption, "the title is empty")
            .with_hint("pmsite new \"API outage: slow Facebook calls\""));
    }
    let date = match date {
        Some(d) => d.trim().parse::<Date>().map_err(|_| {
            Diagnostic::error(Code::BadOption, format!("--date `{d}` is not a date"))
                .with_hint("write it as YYYY-MM-DD")
        })?,
        None => jiff::Timestamp::now()
            .to_zoned_datetime(config.site.timezone.clone())
            .date(),
    };
    let template = templates::find(&config.root, template)
        .map_err(|(msg, hint)| Diagnostic::error(Code::BadOption, msg).with_hint(hint))?;
    let dir = config.content_dir().join("postmortems");
    let path = dir.join(new_file_name(title, date));
    let text = templates::render(&template.text, config, title.trim(), date);
    if let (Some(tpath), Err(SplitError::Missing)) = (&template.path, split(&text)) {
        return Err(Diagnostic::error(
            Code::BadTemplate,
            format!("template {} has no front matter", display_path(tpath).display()),
        )
        .in_file(display_path(tpath))
        .at(Pos::new(1, 1))
        .with_hint("start it with a `---` line, the front matter (`title: {{title}}`, `date: {{date}}`, ...), and another `---` line"));
    }
    let text = with_schema_line(&text, &schema::schema_ref(&config.root, &path));
    create_new(&dir, &path, &text)?;
    // The schema the modeline points at.
    let schema = if schema::schema_path(config).exists() {
        None
    } else {
        schema::write_schema(config).ok()
    };
    Ok(Created { path, schema })
}

/// Writes `text` to `path`, a file that must not exist yet.
fn create_new(dir: &Path, path: &Path, text: &str) -> Result<(), Diagnostic> {
    let io = |what: &Path, e: std::io::Error| {
        Diagnostic::error(Code::Io, format!("cannot write {}: {e}", what.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| {
        Diagnostic::error(Code::Io, format!("cannot create {}: {e}", dir.display()))
    })?;
    // create_new: never overwrite an existing postmortem.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    match file {
        Ok(mut f) => f.write_all(text.as_bytes()).map_err(|e| io(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Diagnostic::error(
            Code::Exists,
            format!(
                "{} already exists; not overwriting it",
                display_path(path).display()
            ),
        )
        .with_hint("choose another title or --date")),
        Err(e) => Err(io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_dated_slugs() {
        let d = jiff::civil::date(2018, 4, 12);
        assert_eq!(
            new_file_name("API outage: slow Facebook calls!", d),
            "2018-04-12-api-outage-slow-facebook-calls.md"
        );
        assert_eq!(new_file_name("???", d), "2018-04-12-incident.md");
        let long = new_file_name(&"word ".repeat(40), d);
        assert!(long.len() <= 10 + 1 + 60 + 3, "{long}");
        assert!(!long.contains("-.md"));
    }
}
