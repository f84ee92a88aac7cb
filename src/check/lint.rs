//! The lints of `pmsite check`: what makes a postmortem less useful than it
//! could be, reported as warnings. Each has a stable code that a file
//! (`lint: {allow: [code]}`) or the site (`[lint] allow` in book.toml) can
//! silence.

use std::sync::LazyLock;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};
use regex::Regex;

use crate::config::Config;
use crate::diagnostics::Code;
use crate::diagnostics::yaml::{Target, YamlPath};
use crate::diagnostics::{Diagnostic, Pos};
use crate::markdown::stated::{StatedKind, find_stated};
use crate::markdown::vocabulary::{SectionKind, heading_matches, is_section};
use crate::model::postmortem::{Postmortem, Status};
use crate::model::site::Incident;
use crate::model::timeline::{Milestone, TimelineSource, human_duration};

/// All lints of one incident. `fill_lines` must have run on its postmortem.
pub fn lint_incident(inc: &Incident, config: &Config) -> Vec<Diagnostic> {
    let pm = &inc.pm;
    let outline = Outline::parse(pm.source.body_text());
    let mut out = Vec::new();
    missing_sections(pm, &outline, config, &mut out);
    human_error(pm, &outline, &mut out);
    single_cause(pm, &outline, &mut out);
    follow_ups(pm, &mut out);
    milestones(pm, &mut out);
    stated_metrics(inc, &mut out);
    out
}

fn fm(pm: &Postmortem, d: Diagnostic, path: YamlPath, target: Target) -> Diagnostic {
    pm.source.diagnostic_at(d, &path, target)
}

fn body(pm: &Postmortem, d: Diagnostic, line: usize, column: usize) -> Diagnostic {
    pm.source
        .diagnostic_in_body(d, Pos::new(line.max(1), column.max(1)))
}

fn root() -> YamlPath {
    YamlPath::root()
}

// ---------------------------------------------------------------------
// Sections

fn is_causes_heading(heading: &str) -> bool {
    is_section(heading, SectionKind::Causes)
}

fn missing_sections(
    pm: &Postmortem,
    outline: &Outline,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    for section in &config.postmortem.sections {
        if outline
            .headings
            .iter()
            .any(|h| heading_matches(&h.text, section))
        {
            continue;
        }
        // Some sections may live in the front matter instead.
        let in_front_matter = if heading_matches("Timeline", section) {
            !pm.timeline.is_empty()
        } else if heading_matches("Follow-up actions", section) {
            !pm.follow_ups.is_empty()
        } else if heading_matches("Impact", section) {
            pm.impact.is_some()
        } else {
            false
        };
        if in_front_matter {
            continue;
        }
        let d = Diagnostic::warning(
            Code::MissingSection,
            format!("no \"{section}\" section in the body"),
        )
        .with_hint(format!(
            "add a `## {section}` heading (other usual names count too); [postmortem] sections in book.toml lists the sections every postmortem has"
        ));
        out.push(fm(pm, d, root().key("title"), Target::Key));
    }
}

// ---------------------------------------------------------------------
// Causes

static HUMAN_SLUG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|-)(human|operator|user|people|personnel|pilot|engineer)-(error|mistake|fault)s?(?:$|-)")
        .expect("valid pattern")
});

static HUMAN_ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^[\W_]*
        (?:(?:the\s+)?(?:root|primary|main|proximate|underlying|contributing)\s+(?:cause|factor)s?
           [\s*_]*(?:was|is|were|:|-|–)?[\s*_]*)?
        (?:(?:an?|simple|plain|pure)\s+)*
        (?P<who>human|operator|user|people|personnel|engineer)[\s-]+(?P<what>errors?|mistakes?)\b",
    )
    .expect("valid pattern")
});

static ROOT_CAUSE_HUMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^[\W_]*(?:the\s+)?(?:root|primary|main)\s+cause[\s*_]*(?:was|is|:|-|–)[\s*_]*(?:(?:an?|simple|plain)\s+)*(?P<who>human|operator|user)[\s-]+(?P<what>errors?|mistakes?)\b",
    )
    .expect("valid pattern")
});

fn human_error_message(phrase: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::HumanError,
        format!("\"{phrase}\" is given as a cause: human error is never a root cause, it marks where the analysis stopped"),
    )
    .with_hint(
        "ask what made the mistake possible and likely (tooling, defaults, missing safeguards, time pressure, unclear documentation) and list those systemic causes instead; naming who did what is fine",
    )
}

fn human_error(pm: &Postmortem, outline: &Outline, out: &mut Vec<Diagnostic>) {
    for (i, cause) in pm.causes.iter().enumerate() {
        if !HUMAN_SLUG.is_match(cause) {
            continue;
        }
        let d = human_error_message(&cause.replace('-', " "));
        if pm.trigger.as_deref() == Some(cause) {
            out.push(fm(pm, d, root().key("trigger"), Target::Value));
        } else {
            out.push(fm(pm, d, root().key("causes").index(i), Target::Value));
        }
    }
    for b in &outline.blocks {
        let under_causes = b
            .enclosing
            .iter()
            .any(|&h| is_causes_heading(&outline.headings[h].text));
        let first_line = b.text.lines().next().unwrap_or("");
        let found = if under_causes {
            HUMAN_ITEM.captures(first_line)
        } else {
            ROOT_CAUSE_HUMAN.captures(first_line)
        };
        if let Some(c) = found {
            let phrase = format!("{} {}", c["who"].to_lowercase(), c["what"].to_lowercase());
            out.push(body(pm, human_error_message(&phrase), b.line, b.column));
        }
    }
}

fn single_cause(pm: &Postmortem, outline: &Outline, out: &mut Vec<Diagnostic>) {
    let hint = "list every condition without which this would not have happened: latent bugs, missing safeguards and alerts count as much as the trigger";
    if !pm.causes.is_empty() {
        if pm.causes.len() == 1 {
            let d = Diagnostic::warning(
                Code::SingleCause,
                format!(
                    "only one cause is listed (`{}`): failures in complex systems have several contributing causes",
                    pm.causes[0]
                ),
            )
            .with_hint(hint);
            let path = if pm.trigger.as_deref() == Some(pm.causes[0].as_str()) {
                root().key("trigger")
            } else {
                root().key("causes")
            };
            out.push(fm(pm, d, path, Target::Key));
        }
        return;
    }
    // No causes in the front matter: count the first list under a causes
    // heading.
    let Some(h) = outline
        .headings
        .iter()
        .position(|h| is_causes_heading(&h.text))
    else {
        return;
    };
    let items: Vec<&Block> = outline
        .blocks
        .iter()
        .filter(|b| b.enclosing.contains(&h) && b.list.is_some())
        .collect();
    let Some(first_list) = items.first().and_then(|b| b.list) else {
        return;
    };
    let n = items.iter().filter(|b| b.list == Some(first_list)).count();
    if n == 1 {
        let d = Diagnostic::warning(
            Code::SingleCause,
            "only one cause is listed under this heading: failures in complex systems have several contributing causes",
        )
        .with_hint(hint);
        out.push(body(pm, d, outline.headings[h].line, 1));
    }
}

// ---------------------------------------------------------------------
// Follow-ups and the timeline

fn follow_ups(pm: &Postmortem, out: &mut Vec<Diagnostic>) {
    if pm.status == Status::Final && pm.follow_ups.is_empty() {
        let d = Diagnostic::warning(
            Code::NoFollowUps,
            "a final postmortem with no follow-up actions",
        )
        .with_hint("add `follow_ups:` (each with an owner, a due date and a ticket) or a task list under a \"Follow-up actions\" heading; when nothing is to be done, say why and allow this lint: `lint: {allow: [no-follow-ups]}`");
        let path = if pm.source.yaml_text().contains("status:") {
            root().key("status")
        } else {
            root().key("title")
        };
        out.push(fm(pm, d, path, Target::Value));
    }
    for (i, fu) in pm.follow_ups.iter().enumerate() {
        if !fu.status.is_pending() {
            continue;
        }
        // Front matter follow-ups sit above the body; task-list ones in it.
        let from_front_matter = fu.line < pm.source.body_line;
        let place = |d: Diagnostic, key: &str| {
            if from_front_matter {
                let item = root().key("follow_ups").index(i);
                fm(pm, d, item.key(key), Target::Key)
            } else {
                at_line(pm, d, fu.line)
            }
        };
        let how = if from_front_matter {
            ""
        } else {
            " (a task list has no place for it: move the follow-ups to `follow_ups:` in the front matter)"
        };
        if fu.owner.is_none() {
            let d = Diagnostic::warning(
                Code::FollowUpOwner,
                format!("follow-up \"{}\" has no owner", fu.title),
            )
            .with_hint(format!(
                "add `owner:`: a follow-up nobody owns rarely gets done{how}"
            ));
            out.push(place(d, "owner"));
        }
        if fu.due.is_none() {
            let d = Diagnostic::warning(
                Code::FollowUpDue,
                format!("follow-up \"{}\" has no due date", fu.title),
            )
            .with_hint(format!(
                "add `due: YYYY-MM-DD` so that it shows as overdue when it slips{how}"
            ));
            out.push(place(d, "due"));
        }
    }
}

/// A diagnostic at the start of a file line.
fn at_line(pm: &Postmortem, d: Diagnostic, line: usize) -> Diagnostic {
    pm.source.with_line(
        d.in_file(&pm.source.file.shown)
            .at(Pos::new(line.max(1), 1)),
    )
}

fn milestones(pm: &Postmortem, out: &mut Vec<Diagnostic>) {
    if pm.timeline.is_empty() {
        return;
    }
    for (kind, code) in [
        (Milestone::Detected, Code::TimelineNoDetected),
        (Milestone::Resolved, Code::TimelineNoResolved),
    ] {
        if pm.timeline.iter().any(|e| e.kind == kind) {
            continue;
        }
        let what = match kind {
            Milestone::Detected => "the time to detect",
            _ => "the time to resolve and the duration",
        };
        let name = kind.as_str();
        let d = Diagnostic::warning(
            code,
            format!("the timeline marks no `{name}` milestone, so {what} cannot be derived"),
        );
        let d = if pm.timeline_source == TimelineSource::FrontMatter {
            fm(
                pm,
                d.with_hint(format!(
                    "add `kind: {name}` to the entry where that happened"
                )),
                root().key("timeline"),
                Target::Key,
            )
        } else {
            at_line(
                pm,
                d.with_hint(format!(
                    "end the entry where that happened with `{{{name}}}`"
                )),
                pm.timeline[0].line,
            )
        };
        out.push(d);
    }
}

fn stated_metrics(inc: &Incident, out: &mut Vec<Diagnostic>) {
    let pm = &inc.pm;
    let m = &inc.metrics;
    for s in find_stated(pm.source.body_text()) {
        let (candidates, names): (Vec<(i64, &str)>, &str) = match s.kind {
            StatedKind::Detect => (
                m.time_to_detect_s
                    .map(|v| (v, "detected"))
                    .into_iter()
                    .collect(),
                "`detected`",
            ),
            StatedKind::Recover => (
                [
                    m.time_to_mitigate_s.map(|v| (v, "mitigated")),
                    m.time_to_resolve_s.map(|v| (v, "resolved")),
                ]
                .into_iter()
                .flatten()
                .collect(),
                "`mitigated` or `resolved`",
            ),
        };
        if candidates.is_empty() || candidates.iter().any(|(v, _)| s.agrees(*v)) {
            continue;
        }
        let shown: Vec<String> = candidates
            .iter()
            .map(|(v, name)| format!("{} until {name}", human_duration(*v)))
            .collect();
        let d = Diagnostic::warning(
            Code::MetricMismatch,
            format!(
                "the body states a {} of {}, but the timeline gives {}",
                s.kind.label(),
                s.text,
                shown.join(" and ")
            ),
        )
        .with_hint(format!(
            "correct the stated value, or the timeline's `started` and {names} milestones (the metric counts from `started`, else from the first entry)"
        ));
        out.push(body(pm, d, s.line, s.column));
    }
}

// ---------------------------------------------------------------------
// The outline of a body

/// A heading of a body (line counted in the body).
#[derive(Clone, Debug)]
pub struct OutlineHeading {
    pub text: String,
    pub line: usize,
}

/// A paragraph or list item at the top of a section.
#[derive(Clone, Debug)]
pub struct Block {
    pub text: String,
    pub line: usize,
    pub column: usize,
    /// Indexes of the headings it is under, outermost first.
    pub enclosing: Vec<usize>,
    /// For list items: which list of the body (a counter).
    pub list: Option<usize>,
}

/// How the lints parse a body: the extensions the site renders with
/// that change its blocks.
pub(super) fn body_options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.table = true;
    options.extension.tasklist = true;
    options.extension.strikethrough = true;
    options.extension.footnotes = true;
    options
}

/// Headings, and the paragraphs and list items under them.
#[derive(Clone, Debug, Default)]
pub struct Outline {
    pub headings: Vec<OutlineHeading>,
    pub blocks: Vec<Block>,
}

impl Outline {
    pub fn parse(text: &str) -> Outline {
        if crate::markdown::too_deep(text).is_some() {
            // An error already (the body is not rendered): no lints.
            return Outline::default();
        }
        let arena = Arena::new();
        let options = body_options();
        // Byte columns, converted for the blocks kept (comrak's conversion
        // is quadratic on long lines; see `markdown::Columns`).
        let columns = crate::markdown::Columns::new(text);
        let root = parse_document(&arena, text, &options);
        let mut out = Outline::default();
        let mut stack: Vec<(u8, usize)> = Vec::new();
        let mut lists = 0;
        for node in root.children() {
            let (value, sp) = {
                let d = node.data();
                (d.value.clone(), d.sourcepos)
            };
            let enclosing: Vec<usize> = stack.iter().map(|(_, i)| *i).collect();
            match value {
                NodeValue::Heading(h) => {
                    while stack.last().is_some_and(|(l, _)| *l >= h.level) {
                        stack.pop();
                    }
                    out.headings.push(OutlineHeading {
                        text: node.collect_text(),
                        line: sp.start.line,
                    });
                    stack.push((h.level, out.headings.len() - 1));
                }
                NodeValue::Paragraph => out.blocks.push(Block {
                    text: node.collect_text(),
                    line: sp.start.line,
                    column: columns.pos(sp).column,
                    enclosing,
                    list: None,
                }),
                NodeValue::List(_) => {
                    lists += 1;
                    for item in node.children() {
                        let isp = item.data().sourcepos;
                        let text = first_paragraph(item).unwrap_or_default();
                        out.blocks.push(Block {
                            text,
                            line: isp.start.line,
                            column: columns.pos(isp).column,
                            enclosing: enclosing.clone(),
                            list: Some(lists),
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }
}

fn first_paragraph<'a>(item: &'a AstNode<'a>) -> Option<String> {
    item.children()
        .find(|c| matches!(c.data().value, NodeValue::Paragraph))
        .map(|p| p.collect_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_match_leniently() {
        assert!(heading_matches("Summary", "Summary"));
        assert!(heading_matches("Incident Summary", "Summary"));
        assert!(heading_matches("1. SUMMARY", "Summary"));
        assert!(heading_matches(
            "Contributing Factors",
            "Contributing causes"
        ));
        assert!(heading_matches(
            "Root Cause Analysis",
            "Contributing causes"
        ));
        assert!(heading_matches("What went wrong", "What went poorly"));
        assert!(heading_matches("What Didn't Go Well", "What went poorly"));
        assert!(!heading_matches("What Didn't Go Well", "What went well"));
        assert!(heading_matches("Action items", "Follow-up actions"));
        assert!(heading_matches("Follow-ups", "Follow-up actions"));
        assert!(heading_matches("Incident timeline", "Timeline"));
        assert!(!heading_matches("Impact", "Summary"));
        assert!(!heading_matches("Because", "Contributing causes"));
        // A section of one's own matches its words.
        assert!(heading_matches(
            "Customer communication",
            "Customer communication"
        ));
        assert!(!heading_matches("Summary", "Customer communication"));
    }

    #[test]
    fn human_error_items() {
        for yes in [
            "Human error",
            "**Human error**: the script was run",
            "Root cause: operator error.",
            "an operator mistake",
            "User error when configuring",
        ] {
            assert!(HUMAN_ITEM.is_match(yes), "{yes}");
        }
        for no in [
            "Look past human error: ask what made it easy",
            "Missing timeout on outbound calls",
            "At first we blamed user error",
        ] {
            assert!(!HUMAN_ITEM.is_match(no), "{no}");
        }
        assert!(HUMAN_SLUG.is_match("human-error"));
        assert!(HUMAN_SLUG.is_match("operator-mistake"));
        assert!(!HUMAN_SLUG.is_match("humane-errors-handler"));
    }

    #[test]
    fn outline_blocks_know_their_sections() {
        let o = Outline::parse("# T\n\n## Causes\n\n- one\n- two\n\nText.\n\n## Other\n\n- x\n");
        assert_eq!(o.headings.len(), 3);
        let under: Vec<&str> = o
            .blocks
            .iter()
            .filter(|b| b.enclosing.contains(&1))
            .map(|b| b.text.as_str())
            .collect();
        assert_eq!(under, ["one", "two", "Text."]);
        assert_eq!(o.blocks[0].line, 5);
    }
}
