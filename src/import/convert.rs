//! One Markdown postmortem converted: its title, date, timeline, causes and
//! follow-ups read out of the text, the rest kept as the body.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use regex::Regex;

use super::milestones::{self, Entry};
use super::times;
use crate::config::Config;
use crate::config::slug::{is_slug, slugify};
use crate::markdown::stated::find_stated;
use crate::markdown::vocabulary::{SectionKind, heading_matches, is_section};
use crate::model::followup::{FollowUpStatus, extract_ticket};
use crate::model::timeline::{Milestone, Parsed};

/// A follow-up read from an action-items list or table.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedFollowUp {
    pub title: String,
    pub status: FollowUpStatus,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
}

/// What a file gave.
#[derive(Clone, Debug)]
pub struct Converted {
    pub title: String,
    pub date: Date,
    pub severity: String,
    pub summary: String,
    pub impact: Option<String>,
    pub causes: Vec<String>,
    pub timezone: Option<String>,
    pub timeline: Vec<Entry>,
    pub tz: TimeZone,
    pub follow_ups: Vec<ImportedFollowUp>,
    pub body: String,
    /// Relative links and images of the body (targets as written, line).
    pub links: Vec<(String, usize)>,
    /// What could not be inferred: (line in the source, message).
    pub notes: Vec<(usize, String)>,
}

/// A block at the top of the document.
#[derive(Clone, Debug)]
enum Block {
    Heading {
        level: u8,
        text: String,
        line: usize,
    },
    Para {
        text: String,
        start: usize,
    },
    List {
        items: Vec<Item>,
        start: usize,
    },
    Table {
        header: Vec<String>,
        rows: Vec<(usize, Vec<String>)>,
        start: usize,
        end: usize,
    },
    Other {
        start: usize,
    },
}

#[derive(Clone, Debug)]
struct Item {
    text: String,
    /// The bold text the item starts with, if any (`**Title**: ...`).
    lead: Option<String>,
    task: Option<bool>,
    urls: Vec<String>,
    start: usize,
    end: usize,
}

impl Block {
    fn start(&self) -> usize {
        match self {
            Block::Heading { line, .. } => *line,
            Block::Para { start, .. }
            | Block::List { start, .. }
            | Block::Table { start, .. }
            | Block::Other { start, .. } => *start,
        }
    }
}

fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.table = true;
    o.extension.tasklist = true;
    o.extension.strikethrough = true;
    o.extension.footnotes = true;
    o.extension.autolink = true;
    o.parse.sourcepos_chars = true;
    o
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn plain<'a>(node: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    walk_text(node, &mut out);
    collapse(&out)
}

/// Without recursion: crafted input nests inline elements thousands deep.
fn walk_text<'a>(node: &'a AstNode<'a>, out: &mut String) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.data().value {
            NodeValue::Text(t) => out.push_str(t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
            NodeValue::HtmlInline(_) | NodeValue::FootnoteReference(_) => {}
            _ => stack.extend(n.reverse_children()),
        }
    }
}

fn blocks<'a>(root: &'a AstNode<'a>, links: &mut Vec<(String, usize)>) -> Vec<Block> {
    let mut out = Vec::new();
    for d in root.descendants() {
        match &d.data().value {
            NodeValue::Link(l) | NodeValue::Image(l) => {
                links.push((l.url.clone(), d.data().sourcepos.start.line));
            }
            _ => {}
        }
    }
    for node in root.children() {
        let (value, sp) = {
            let d = node.data();
            (d.value.clone(), d.sourcepos)
        };
        let (start, end) = (sp.start.line, sp.end.line.max(sp.start.line));
        let b = match value {
            NodeValue::Heading(h) => Block::Heading {
                level: h.level,
                text: plain(node),
                line: start,
            },
            NodeValue::Paragraph => Block::Para {
                text: plain(node),
                start,
            },
            NodeValue::List(_) => {
                let mut items = Vec::new();
                for item in node.children() {
                    let (iv, isp) = {
                        let d = item.data();
                        (d.value.clone(), d.sourcepos)
                    };
                    let task = match iv {
                        NodeValue::TaskItem(t) => {
                            Some(t.symbol.is_some_and(|c| c == 'x' || c == 'X'))
                        }
                        _ => None,
                    };
                    let para = item
                        .children()
                        .find(|c| matches!(c.data().value, NodeValue::Paragraph));
                    let text = para.map(plain).unwrap_or_default();
                    let lead = para.and_then(|p| p.first_child()).and_then(|f| {
                        matches!(f.data().value, NodeValue::Strong).then(|| plain(f))
                    });
                    let mut urls = Vec::new();
                    for d in item.descendants() {
                        if let NodeValue::Link(l) = &d.data().value {
                            urls.push(l.url.clone());
                        }
                    }
                    items.push(Item {
                        text,
                        lead,
                        task,
                        urls,
                        start: isp.start.line,
                        end: isp.end.line.max(isp.start.line),
                    });
                }
                Block::List { items, start }
            }
            NodeValue::Table(_) => {
                let mut header = Vec::new();
                let mut rows = Vec::new();
                for row in node.children() {
                    let is_header = matches!(row.data().value, NodeValue::TableRow(true));
                    let cells: Vec<String> = row.children().map(plain).collect();
                    if is_header {
                        header = cells;
                    } else {
                        rows.push((row.data().sourcepos.start.line, cells));
                    }
                }
                Block::Table {
                    header,
                    rows,
                    start,
                    end,
                }
            }
            _ => Block::Other { start },
        };
        out.push(b);
    }
    out
}

/// The blocks under heading `h` (until a heading of the same or a higher
/// level), as indexes.
fn section(blocks: &[Block], h: usize) -> std::ops::Range<usize> {
    let Block::Heading { level, .. } = blocks[h] else {
        return h..h;
    };
    let end = (h + 1..blocks.len())
        .find(|&i| matches!(blocks[i], Block::Heading { level: l, .. } if l <= level))
        .unwrap_or(blocks.len());
    h + 1..end
}

fn find_heading(blocks: &[Block], pred: impl Fn(&str) -> bool) -> Option<usize> {
    blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { text, .. } if pred(text)))
}

fn is_timeline_heading(text: &str) -> bool {
    is_section(text, SectionKind::Timeline)
}

static TITLE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:incident\s+date\s*:\s*)?\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}:\d{2}\s*(?:[ap]m)?(?:\s+[A-Z]{2,4})?)?\s*[,:–—-]?\s*")
        .expect("valid pattern")
});
static TITLE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:post[\s-]?mortem|incident(?:\s+report)?|pm\d{4}-\d{3})\s*[:–—-]\s*")
        .expect("valid pattern")
});

/// "2018-03-26, \"no space left\"" → "\"no space left\""; "Post-Mortem:
/// Changes" → "Changes".
pub fn clean_title(t: &str) -> String {
    let t = TITLE_DATE.replace(t, "");
    let t = TITLE_PREFIX.replace(&t, "");
    let t = t.trim();
    let t = if t.len() > 2 && t.starts_with('"') && t.ends_with('"') && t.matches('"').count() == 2
    {
        &t[1..t.len() - 1]
    } else {
        t
    };
    t.trim().to_string()
}

/// Cuts a text to about `max` characters, at a sentence end when there is
/// one, else at a word.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    if let Some(i) = cut.rfind(". ")
        && i > max / 3
    {
        return cut[..=i].to_string();
    }
    let i = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..i].trim_end_matches([',', ';', ':', ' ']))
}

const SLUG_FILLER: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "for", "with", "and", "was", "were", "is", "are",
    "by", "be", "been", "our", "we", "that", "which", "it", "its", "at", "as", "from", "into",
];

/// A short cause slug from a list item: its bold lead, else its first
/// clause, at most five words.
pub fn cause_slug(item_text: &str, lead: Option<&str>) -> Option<String> {
    let source = match lead {
        Some(l) if !l.trim().is_empty() => l.to_string(),
        _ => item_text
            .split([':', ';', ',', '(', '.'])
            .next()
            .unwrap_or("")
            .split(" - ")
            .next()
            .unwrap_or("")
            .to_string(),
    };
    let s = slugify(&source);
    let words: Vec<&str> = s
        .split('-')
        .filter(|w| !w.is_empty() && !SLUG_FILLER.contains(w))
        .take(5)
        .collect();
    let slug = words.join("-");
    (is_slug(&slug) && slug.len() >= 3).then_some(slug)
}

/// Converts one file. `stem` is its file name without `.md`.
pub fn convert(text: &str, stem: &str, config: &Config) -> Converted {
    let mut notes: Vec<(usize, String)> = Vec::new();

    // Front matter that the source already has (title, date, ...).
    let (fm, body_start_line, body) = match crate::load::frontmatter::split(text) {
        Ok(s) => match crate::load::frontmatter::parse_yaml(&text[s.yaml.clone()], s.yaml_line) {
            Ok(map) => (Some(map), s.body_line, &text[s.body.clone()]),
            Err(d) => {
                notes.push((
                    d.line.max(1),
                    format!(
                        "the file's front matter is not valid YAML ({}); it is left out",
                        d.message
                    ),
                ));
                (None, s.body_line, &text[s.body.clone()])
            }
        },
        Err(_) => (None, 1, text),
    };
    let fm_str = |k: &str| {
        fm.as_ref()
            .and_then(|m| m.get(k))
            .and_then(crate::load::frontmatter::scalar_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    // Lines below are counted in the file.
    let offset = body_start_line - 1;

    let arena = Arena::new();
    let root = parse_document(&arena, body, &options());
    let mut links = Vec::new();
    let blocks = blocks(root, &mut links);
    for l in &mut links {
        l.1 += offset;
    }
    let body_lines: Vec<&str> = body.lines().collect();
    let mut remove: BTreeSet<usize> = BTreeSet::new(); // body lines (1-based)

    // Title: front matter, else the first level-1 heading, else the first
    // heading before any text, else the file name.
    let first_h1 = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 1, .. }));
    let first_heading = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { .. }));
    let is_section_name = |i: usize| {
        matches!(&blocks[i], Block::Heading { text, .. } if is_timeline_heading(text)
            || config.postmortem.sections.iter().any(|s| heading_matches(text, s)))
    };
    let title_block = first_h1.or(first_heading.filter(|&i| i == 0 && !is_section_name(i)));
    let title = match (fm_str("title"), title_block) {
        (Some(t), _) => t,
        (None, Some(i)) => {
            let Block::Heading { text, line, .. } = &blocks[i] else {
                unreachable!("a heading block")
            };
            if i == 0 {
                for l in *line..=heading_end(&blocks, i, &body_lines) {
                    remove.insert(l);
                }
            }
            let t = clean_title(text);
            if t.is_empty() {
                stem.replace(['-', '_'], " ")
            } else {
                t
            }
        }
        (None, None) => {
            notes.push((
                1 + offset,
                "no heading to take the title from; the file name is used".into(),
            ));
            let t = clean_title(stem).replace(['-', '_'], " ");
            let mut c = t.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => "Untitled incident".into(),
            }
        }
    };

    // Dates: the one the file states, else the file name's, else the
    // first in the text (in the file name's year when it gives one).
    let year_hint = times::year_in_name(stem);
    let stated_date = fm_str("date")
        .and_then(|d| crate::load::frontmatter::parse_date(&d))
        .or_else(|| times::date_in_name(stem));
    let text_dates = times::dates_in(body);
    let first_text_date = text_dates
        .iter()
        .map(|(_, d)| *d)
        .find(|d| year_hint.is_none_or(|y| d.year() == y))
        .or_else(|| text_dates.first().map(|(_, d)| *d));
    let anchor = stated_date.or(first_text_date);

    // The timeline.
    let stated = find_stated(body);
    let mut tz_name: Option<String> = None;
    let mut timeline: Vec<Entry> = Vec::new();
    if let Some(th) = find_heading(&blocks, is_timeline_heading) {
        let range = section(&blocks, th);
        let sec_start = blocks[th].start();
        let sec_end = blocks
            .get(range.end)
            .map(|b| b.start().saturating_sub(1))
            .unwrap_or(body_lines.len());
        let sec_text = body_lines
            .get(sec_start.saturating_sub(1)..sec_end.min(body_lines.len()))
            .map(|l| l.join("\n"))
            .unwrap_or_default();
        tz_name = times::zone_in(&sec_text);
        let tz = tz_name
            .as_deref()
            .and_then(|n| TimeZone::get(n).ok())
            .unwrap_or_else(|| config.site.timezone.clone());
        let year = anchor.map_or(2000, |d| d.year());
        let (raw, removed, unread) = read_timeline(&blocks[range], year);
        for (line, t) in &unread {
            notes.push((
                line + offset,
                format!("cannot read the time `{t}`; the entry stays in the body"),
            ));
        }
        if raw.is_empty() {
            notes.push((
                sec_start + offset,
                "no timeline entries could be read under this heading".into(),
            ));
        } else {
            remove.extend(removed);
            if tz_name.is_none()
                && !raw
                    .iter()
                    .any(|r| matches!(r.parsed, Some(Parsed::Instant(_))))
            {
                notes.push((
                    sec_start + offset,
                    format!(
                        "the timeline states no time zone; its times are read in the site's ({})",
                        config.site.timezone_name
                    ),
                ));
            }
            // Explicit per-entry zones ("16:58 UTC") name the zone when
            // the section does not.
            if tz_name.is_none()
                && raw.iter().all(|r| match &r.parsed {
                    Some(Parsed::Civil { zone, .. }) => zone.is_some(),
                    _ => true,
                })
                && raw
                    .iter()
                    .any(|r| matches!(&r.parsed, Some(Parsed::Civil { zone: Some(_), .. })))
            {
                tz_name = Some("UTC".into());
            }
            let day = anchor.unwrap_or_else(|| jiff::civil::date(2000, 1, 1));
            let (entries, reordered) = place(raw, day, &tz);
            for line in reordered {
                notes.push((
                    line + offset,
                    "this entry is earlier than the one before it; the timeline is sorted by time"
                        .into(),
                ));
            }
            timeline = entries
                .into_iter()
                .map(|mut e| {
                    e.line += offset;
                    e
                })
                .collect();
        }
    } else {
        notes.push((1 + offset, "no timeline heading found".into()));
    }
    let tz = tz_name
        .as_deref()
        .and_then(|n| TimeZone::get(n).ok())
        .unwrap_or_else(|| config.site.timezone.clone());
    let stated_file: Vec<_> = stated
        .iter()
        .cloned()
        .map(|mut s| {
            s.line += offset;
            s
        })
        .collect();
    notes.extend(milestones::infer(&mut timeline, &stated_file));
    if !timeline.is_empty() {
        for (k, name) in [
            (Milestone::Detected, "detected"),
            (Milestone::Resolved, "resolved"),
        ] {
            if !timeline.iter().any(|e| e.kind == k) {
                notes.push((
                    timeline[0].line,
                    format!("no `{name}` milestone could be inferred from the timeline"),
                ));
            }
        }
    }

    // The incident date.
    let started_day = timeline
        .iter()
        .find(|e| e.kind == Milestone::Started)
        .or(timeline.first())
        .map(|e| e.at.to_zoned_datetime(tz.clone()).date());
    let date = match stated_date.or(started_day).or(first_text_date) {
        Some(d) => d,
        None => match year_hint.and_then(|y| Date::new(y, 1, 1).ok()) {
            Some(d) => {
                notes.push((
                    1 + offset,
                    format!("no date found in the text; the file name gives only the year, so {d} is used: set `date:`"),
                ));
                d
            }
            None => {
                notes.push((
                    1 + offset,
                    "no date found in the file name or the text; 2000-01-01 is used: set `date:`"
                        .into(),
                ));
                jiff::civil::date(2000, 1, 1)
            }
        },
    };

    // Severity: written as "Sev 1" / "SEV2" somewhere, else the least severe.
    static SEV: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\bsev(?:erity)?[\s-]*([0-9])\b").expect("valid pattern"));
    let severities = &config.postmortem.severities;
    let severity = fm_str("severity")
        .filter(|s| severities.contains(s))
        .or_else(|| {
            SEV.captures(body).and_then(|c| {
                let want = format!("sev{}", &c[1]);
                severities
                    .iter()
                    .find(|s| s.to_lowercase() == want)
                    .cloned()
            })
        });
    let severity = match severity {
        Some(s) => s,
        None => {
            let s = severities.last().cloned().unwrap_or_default();
            notes.push((
                1 + offset,
                format!("no severity stated; `{s}` is set: review it"),
            ));
            s
        }
    };

    // Summary and impact.
    let first_para_in = |h: Option<usize>| -> Option<String> {
        let range = match h {
            Some(h) => section(&blocks, h),
            None => 0..blocks.len(),
        };
        blocks[range].iter().find_map(|b| match b {
            Block::Para { text, .. } if text.split_whitespace().count() > 3 => Some(text.clone()),
            _ => None,
        })
    };
    let summary_h = find_heading(&blocks, |t| heading_matches(t, "Summary"));
    let summary = fm_str("summary")
        .or_else(|| fm_str("description"))
        .or_else(|| first_para_in(summary_h))
        .or_else(|| first_para_in(None))
        .map(|s| shorten(&s, 400))
        .unwrap_or_else(|| {
            notes.push((
                1 + offset,
                "no paragraph to take a summary from; the title is used".into(),
            ));
            title.clone()
        });
    let impact = find_heading(&blocks, |t| heading_matches(t, "Impact")).and_then(|h| {
        let range = section(&blocks, h);
        blocks[range].iter().find_map(|b| match b {
            Block::Para { text, .. } if !text.is_empty() => Some(shorten(text, 300)),
            Block::List { items, .. } if !items.is_empty() => Some(shorten(
                &items
                    .iter()
                    .take(3)
                    .map(|i| i.text.trim_end_matches('.').to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
                300,
            )),
            _ => None,
        })
    });

    // Causes: the first list under a causes heading.
    let mut causes: Vec<String> = Vec::new();
    if let Some(h) = find_heading(&blocks, |t| heading_matches(t, "Contributing causes")) {
        let list = blocks[section(&blocks, h)].iter().find_map(|b| match b {
            Block::List { items, .. } => Some(items.clone()),
            _ => None,
        });
        match list {
            Some(items) => {
                for it in items.iter().take(8) {
                    match cause_slug(&it.text, it.lead.as_deref()) {
                        Some(s) if !config.causes.is_empty() && !config.causes.contains_key(&s) => {
                            notes.push((
                                it.start + offset,
                                format!("cause `{s}` is not in [causes] of book.toml; it is left in the body only"),
                            ));
                        }
                        Some(s) if !causes.contains(&s) => causes.push(s),
                        _ => {}
                    }
                }
            }
            None => notes.push((
                blocks[h].start() + offset,
                "no list of causes under this heading; `causes:` is left empty".into(),
            )),
        }
    } else {
        notes.push((1 + offset, "no contributing-causes heading found".into()));
    }

    // Follow-ups: lists and tables under action-item headings.
    let mut follow_ups = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let is_actions = matches!(&blocks[i], Block::Heading { text, .. } if heading_matches(text, "Follow-up actions"));
        if !is_actions {
            i += 1;
            continue;
        }
        let range = section(&blocks, i);
        let mut done_heading = false;
        for b in &blocks[range.clone()] {
            match b {
                Block::Heading { text, .. } => {
                    let l = text.to_lowercase();
                    done_heading = l.contains("completed") || l.contains("(done)");
                }
                Block::List { items, .. } => {
                    for it in items {
                        if let Some(f) = follow_up_from_item(it, done_heading) {
                            follow_ups.push(f);
                        }
                    }
                }
                Block::Table { header, rows, .. } => {
                    follow_ups.extend(follow_ups_from_table(header, rows));
                }
                _ => {}
            }
        }
        i = range.end.max(i + 1);
    }

    // The body: everything but the title and what became the timeline.
    let mut out = String::new();
    for (n, line) in body.split_inclusive('\n').enumerate() {
        if !remove.contains(&(n + 1)) {
            out.push_str(line);
        }
    }
    let body = tidy_body(&out);

    Converted {
        title,
        date,
        severity,
        summary,
        impact,
        causes,
        timezone: tz_name,
        timeline,
        tz,
        follow_ups,
        body,
        links,
        notes,
    }
}

/// The last line of a heading (setext headings take two).
fn heading_end(blocks: &[Block], i: usize, lines: &[&str]) -> usize {
    let Block::Heading { line, .. } = blocks[i] else {
        return 0;
    };
    match lines.get(line) {
        Some(next)
            if !next.trim().is_empty() && next.trim().chars().all(|c| c == '=' || c == '-') =>
        {
            line + 1
        }
        _ => line,
    }
}

/// A timeline entry as written, before its time is placed.
struct RawEntry {
    /// `None` for a line that gives only a day ("### October 21, 2025"):
    /// the bare times after it are on that day.
    parsed: Option<Parsed>,
    day: Option<Date>,
    event: String,
    line: usize,
}

/// A date at the start of a text that has no time ("2021-12-10",
/// "October 21, 2025 - Redis Overload").
fn leading_date(text: &str) -> Option<Date> {
    let t = text.trim_start_matches(['~', ' ', '*']);
    times::dates_in(t)
        .into_iter()
        .find(|(at, _)| *at == 0)
        .map(|(_, d)| d)
}

static EVENT_SEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:UTC|GMT|Z|[PMCE][SD]T|CEST|BST)\b)?\s*(?:\((?:approx\.?|ca\.?|about|UTC|local)\))?\s*[-–—:|]*\s*")
        .expect("valid pattern")
});

fn event_text(rest: &str) -> String {
    let e = EVENT_SEP.replace(rest, "");
    shorten(&collapse(&e), 200)
}

/// Reads the entries of a timeline section: table rows, list items, or
/// sub-headings that start with a time, whichever gives the most.
/// Returns the entries, the body lines they came from (to be removed) and
/// the time-like texts that could not be read.
fn read_timeline(blocks: &[Block], year: i16) -> (Vec<RawEntry>, Vec<usize>, Vec<(usize, String)>) {
    let mut table = (Vec::new(), Vec::new(), Vec::new());
    let mut list = (Vec::new(), Vec::new(), Vec::new());
    let mut heads = (Vec::new(), Vec::new(), Vec::new());
    let mut days: Vec<RawEntry> = Vec::new();
    let mut day_marker = |text: &str, line: usize| -> bool {
        match leading_date(text) {
            Some(d) => {
                days.push(RawEntry {
                    parsed: None,
                    day: Some(d),
                    event: String::new(),
                    line,
                });
                true
            }
            None => false,
        }
    };
    for (bi, b) in blocks.iter().enumerate() {
        match b {
            Block::Table {
                rows, start, end, ..
            } => {
                let mut converted = 0;
                for (line, cells) in rows {
                    let Some(first) = cells.first() else { continue };
                    match times::read_time(first, year) {
                        Some(t) => {
                            let mut parts: Vec<String> = Vec::new();
                            let rest = event_text(&t.rest);
                            if !rest.is_empty() {
                                parts.push(rest);
                            }
                            parts.extend(
                                cells[1..]
                                    .iter()
                                    .map(|c| collapse(c))
                                    .filter(|c| !c.is_empty()),
                            );
                            let event = shorten(&parts.join(" — "), 200);
                            if event.is_empty() {
                                continue;
                            }
                            let event = t.describe(event);
                            table.0.push(RawEntry {
                                parsed: Some(t.parsed),
                                day: None,
                                event,
                                line: *line,
                            });
                            table.1.push(*line);
                            converted += 1;
                        }
                        None if times::looks_like_a_time(first) => {
                            day_marker(first, *line);
                            table.2.push((*line, first.trim().to_string()));
                        }
                        None => {}
                    }
                }
                if converted == rows.len() {
                    // The whole table became the timeline: drop it all.
                    table.1.extend(*start..=*end);
                }
            }
            Block::List { items, .. } => {
                for it in items {
                    match times::read_time(&it.text, year) {
                        Some(t) => {
                            let event = event_text(&t.rest);
                            if event.is_empty() {
                                continue;
                            }
                            let event = t.describe(event);
                            list.0.push(RawEntry {
                                parsed: Some(t.parsed),
                                day: None,
                                event,
                                line: it.start,
                            });
                            list.1.extend(it.start..=it.end);
                        }
                        None if times::looks_like_a_time(&it.text) => {
                            day_marker(&it.text, it.start);
                            list.2.push((it.start, it.text.chars().take(30).collect()));
                        }
                        None => {}
                    }
                }
            }
            Block::Heading { text, line, .. } => match times::read_time(text, year) {
                Some(t) => {
                    let mut event = event_text(&t.rest);
                    if event.is_empty() {
                        // The first paragraph or item under the heading.
                        event = blocks[bi + 1..]
                            .iter()
                            .take_while(|b| !matches!(b, Block::Heading { .. }))
                            .find_map(|b| match b {
                                Block::Para { text, .. } if !text.is_empty() => Some(text.clone()),
                                Block::List { items, .. } => items.first().map(|i| i.text.clone()),
                                _ => None,
                            })
                            .map(|t| event_text(&t))
                            .unwrap_or_default();
                    }
                    if event.is_empty() {
                        event = "(no description)".into();
                    }
                    let event = t.describe(event);
                    heads.0.push(RawEntry {
                        parsed: Some(t.parsed),
                        day: None,
                        event,
                        line: *line,
                    });
                }
                None => {
                    // A heading with a day and no time sets the day; other
                    // headings are not entries (and not lost: headings stay).
                    day_marker(text, *line);
                }
            },
            _ => {}
        }
    }
    // Heading timelines keep their text in the body: nothing is removed.
    heads.1.clear();
    let mut best = table;
    for cand in [list, heads] {
        if cand.0.len() > best.0.len() {
            best = cand;
        }
    }
    if !best.0.is_empty() {
        best.0.extend(days);
        best.0.sort_by_key(|r| r.line);
    }
    best
}

/// Places the times on days and sorts them. A bare time earlier than the
/// previous one is on the next day only when that is the nearer reading
/// (23:50 → 00:10); otherwise it is an entry written out of order. Returns
/// the entries in time order and the lines of entries that were out of
/// order.
fn place(raw: Vec<RawEntry>, first_day: Date, tz: &TimeZone) -> (Vec<Entry>, Vec<usize>) {
    let mut day = first_day;
    let mut last: Option<jiff::Timestamp> = None;
    let mut out: Vec<Entry> = Vec::new();
    let mut reordered = Vec::new();
    for r in raw {
        let Some(parsed) = r.parsed else {
            if let Some(d) = r.day {
                day = d;
            }
            continue;
        };
        let at = match parsed {
            Parsed::Instant(ts) => {
                day = ts.to_zoned_datetime(tz.clone()).date();
                ts
            }
            Parsed::Civil { date, time, zone } => {
                let z = zone.unwrap_or_else(|| tz.clone());
                let on = |d: Date| {
                    z.to_ambiguous_timestamp(d.to_datetime(time))
                        .compatible()
                        .ok()
                };
                match date {
                    Some(d) => {
                        let Some(ts) = on(d) else { continue };
                        day = d;
                        ts
                    }
                    None => {
                        let Some(same) = on(day) else { continue };
                        match last {
                            Some(l) if same < l => {
                                let next = day.tomorrow().ok().and_then(on);
                                match next {
                                    Some(n)
                                        if n.as_second() - l.as_second()
                                            < l.as_second() - same.as_second() =>
                                    {
                                        day = day.tomorrow().unwrap_or(day);
                                        n
                                    }
                                    _ => same,
                                }
                            }
                            _ => same,
                        }
                    }
                }
            }
        };
        if last.is_some_and(|l| at < l) {
            reordered.push(r.line);
        } else {
            last = Some(at);
        }
        out.push(Entry {
            at,
            event: r.event,
            kind: Milestone::Other,
            line: r.line,
        });
    }
    out.sort_by_key(|e| e.at);
    (out, reordered)
}

fn follow_up_from_item(it: &Item, done_heading: bool) -> Option<ImportedFollowUp> {
    let text = it.text.trim();
    // Template leftovers ("-", "{{ summary }}") are no follow-ups.
    if text.chars().filter(|c| c.is_alphanumeric()).count() < 3 || text.contains("{{") {
        return None;
    }
    let (mut ticket, rest) = extract_ticket(text);
    if ticket.is_none() {
        ticket = it
            .urls
            .iter()
            .find(|u| crate::model::followup::is_url(u))
            .cloned();
    }
    let title = match &it.lead {
        Some(l) if l.split_whitespace().count() >= 2 => l.trim().trim_end_matches(':').to_string(),
        _ => {
            let r = rest.trim().trim_end_matches(['[', '(']).trim();
            if r.is_empty() {
                text.to_string()
            } else {
                r.to_string()
            }
        }
    };
    let status = match it.task {
        Some(true) => FollowUpStatus::Done,
        _ if done_heading => FollowUpStatus::Done,
        _ => FollowUpStatus::Open,
    };
    Some(ImportedFollowUp {
        title: shorten(title.trim_end_matches('.'), 160),
        status,
        owner: None,
        due: None,
        ticket,
        priority: None,
    })
}

fn follow_ups_from_table(
    header: &[String],
    rows: &[(usize, Vec<String>)],
) -> Vec<ImportedFollowUp> {
    let col = |words: &[&str]| {
        header.iter().position(|h| {
            let h = h.to_lowercase();
            words.iter().any(|w| h.contains(w))
        })
    };
    let title_col = col(&["action", "item", "task", "title", "what", "description"]).unwrap_or(0);
    let owner_col = col(&["owner", "assignee", "who", "responsible"]);
    let status_col = col(&["status", "state"]);
    let due_col = col(&["due", "deadline", "eta", "date"]);
    let ticket_col = col(&["ticket", "issue", "link", "jira", "bug"]);
    let prio_col = col(&["priority", "prio"]);
    let cell = |cells: &[String], c: Option<usize>| {
        c.and_then(|c| cells.get(c))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s != "-")
    };
    let mut out = Vec::new();
    for (_, cells) in rows {
        let Some(title) = cell(cells, Some(title_col)) else {
            continue;
        };
        if title.contains("{{") {
            continue;
        }
        let status = cell(cells, status_col)
            .map(|s| {
                let l = s.to_lowercase();
                if l.contains("won") || l.contains("wont") {
                    FollowUpStatus::WontFix
                } else if l.contains("progress") || l.contains("doing") || l.contains("started") {
                    FollowUpStatus::InProgress
                } else if l.contains("done")
                    || l.contains("complete")
                    || l.contains("closed")
                    || l.contains("fixed")
                    || l == "x"
                {
                    FollowUpStatus::Done
                } else {
                    FollowUpStatus::Open
                }
            })
            .unwrap_or(FollowUpStatus::Open);
        let (ticket_in_title, title) = extract_ticket(&title);
        out.push(ImportedFollowUp {
            title: shorten(&title, 160),
            status,
            owner: cell(cells, owner_col),
            due: cell(cells, due_col).and_then(|d| crate::load::frontmatter::parse_date(&d)),
            ticket: cell(cells, ticket_col).or(ticket_in_title),
            priority: cell(cells, prio_col),
        });
    }
    out
}

/// Drops leading blank lines and runs of more than two blank lines that
/// removed blocks leave, and `[[` that pmsite would read as a link to a
/// postmortem.
fn tidy_body(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut blank = 0;
    let mut started = false;
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            let f = if t.starts_with("```") { "```" } else { "~~~" };
            fence = match fence {
                Some(open) if open == f => None,
                None => Some(f),
                other => other,
            };
        }
        if line.trim().is_empty() {
            blank += 1;
            if !started || blank > 1 {
                continue;
            }
        } else {
            blank = 0;
            started = true;
        }
        if fence.is_none() && line.contains("[[") && !t.starts_with("```") {
            out.push_str(&line.replace("[[", "\\[["));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn config() -> Config {
        Config::defaults(PathBuf::from("/kb"))
    }

    #[test]
    fn titles_are_cleaned() {
        assert_eq!(
            clean_title("2018-03-26, \"no space left on device\""),
            "no space left on device"
        );
        assert_eq!(
            clean_title("2017-11-30 4:23PM PST, OOM (Out of Memory) Proxy"),
            "OOM (Out of Memory) Proxy"
        );
        assert_eq!(
            clean_title("incident date: 2019-02-20, kubectl logs unavailable"),
            "kubectl logs unavailable"
        );
        assert_eq!(clean_title("Post-Mortem: Changes to SDK"), "Changes to SDK");
        assert_eq!(clean_title("2018-02-22 NGINX crash"), "NGINX crash");
    }

    #[test]
    fn cause_slugs_are_short() {
        assert_eq!(
            cause_slug("Replacement of essential network component.", None).as_deref(),
            Some("replacement-essential-network-component")
        );
        assert_eq!(
            cause_slug(
                "Configuration change timing: A connection timeout",
                Some("Configuration change timing")
            )
            .as_deref(),
            Some("configuration-change-timing")
        );
        assert_eq!(cause_slug("-", None), None);
    }

    #[test]
    fn a_dfds_shaped_file() {
        let text = "# All services returning 503\n\n## Summary\n\nOn Tuesday 22nd June 2021, changes to the VPC CNI caused target groups to detach.\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n| :--- | --- |\n| 2021-06-22 08:21 | VPC CNI replaced by the pipeline |\n| 2021-06-22 08:29 | Issue detected as a result of alerts |\n| 2021-06-22 08:46 | Target groups reattached (resolved) |\n\n## Contributing Factors\n\n- ALB de-registration delay was lowered.\n- Replacement of essential network component.\n\n## Action Items\n\n- Revert to default of 300 seconds.\n- [x] Create ingress test suite.\n\n## Stats\n\n- Time to detection: 8 minutes\n- Time to recovery: 25 minutes\n";
        let c = convert(text, "PM2021-005 - All services returning 503", &config());
        assert_eq!(c.title, "All services returning 503");
        assert_eq!(c.date, jiff::civil::date(2021, 6, 22));
        assert_eq!(c.timezone.as_deref(), Some("UTC"));
        assert_eq!(c.timeline.len(), 3);
        let kinds: Vec<_> = c.timeline.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["started", "detected", "resolved"]);
        assert_eq!(c.timeline[0].line, 13);
        assert_eq!(
            c.causes,
            [
                "alb-de-registration-delay-lowered",
                "replacement-essential-network-component"
            ]
        );
        assert_eq!(c.follow_ups.len(), 2);
        assert_eq!(c.follow_ups[1].status, FollowUpStatus::Done);
        assert!(!c.body.contains("| 2021-06-22"), "{}", c.body);
        assert!(!c.body.contains("# All services"), "{}", c.body);
        assert!(c.body.starts_with("## Summary"), "{}", c.body);
        assert!(c.body.contains("All times in UTC."));
        assert_eq!(c.severity, "SEV4");
    }

    #[test]
    fn heading_timelines_keep_their_text() {
        let text = "# 2018-03-26, \"no space left on device\"\n\n## Summary\n\nA node became unhealthy and launches failed for a while.\n\n## Timeline\n\nAll times in CEST\n\n### 2018-03-26 10:34\n\nLaunch success metric reaches 0%.\n\n### 10:55\n\nCluster self-heals and everything returns to normal.\n\n### 15:00\n\nDip in log success metric noticed via grafana.\n";
        let c = convert(text, "2018-03-26-no-space-left", &config());
        assert_eq!(c.title, "no space left on device");
        assert_eq!(c.timezone.as_deref(), Some("CET"));
        let kinds: Vec<_> = c.timeline.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["other", "resolved", "detected"]);
        assert_eq!(c.timeline[0].at.to_string(), "2018-03-26T08:34:00Z");
        assert!(c.body.contains("### 10:55"));
    }
}
