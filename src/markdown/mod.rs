//! Markdown bodies: rendered to HTML with comrak (GitHub extensions, heading
//! anchors, highlighted code, `[[id]]` links), and read for the structure
//! pmsite derives from them: sections, a body timeline, task-list
//! follow-ups, and the links and images they contain.
//!
//! May use `model`, `config` and `diagnostics`.

mod formatter;
pub mod highlight;
pub mod stated;
pub mod vocabulary;

use std::sync::{Arc, LazyLock};

use comrak::nodes::{AstNode, NodeValue, Sourcepos};
use comrak::options::Plugins;
use comrak::{Anchorizer, Arena, Options, parse_document};
use regex::Regex;

use crate::diagnostics::Pos;
use crate::markdown::highlight::Highlighter;
use crate::markdown::vocabulary::{SectionKind, heading_words, is_section_words};
use crate::model::body::{
    BodyProblem, BodyTimelineForm, Heading, MAX_NESTING, RawEntry, RenderedBody, Section, TaskItem,
};
use crate::model::links::{LinkDep, LinkTable, Resolved};
use crate::model::timeline::{Milestone, parse_time_prefix, range_end};

/// Renders bodies with one configuration; shared by all documents.
pub struct MarkdownRenderer {
    unsafe_html: bool,
    highlighter: Arc<Highlighter>,
}

impl MarkdownRenderer {
    pub fn new(unsafe_html: bool, highlighter: Arc<Highlighter>) -> Self {
        MarkdownRenderer {
            unsafe_html,
            highlighter,
        }
    }

    fn options(&self) -> Options<'static> {
        let mut o = Options::default();
        o.extension.strikethrough = true;
        o.extension.table = true;
        o.extension.autolink = true;
        o.extension.tasklist = true;
        o.extension.footnotes = true;
        o.extension.header_id_prefix = Some(String::new());
        o.extension.wikilinks_title_after_pipe = true;
        // Columns are converted to characters by `Columns`, for the few
        // nodes whose position is reported: comrak's own conversion counts
        // from the start of the line for every node, quadratic on one long
        // line with many nodes (20,000 `[[id]]` links took 20 s).
        o.parse.sourcepos_chars = false;
        o.render.r#unsafe = self.unsafe_html;
        o.render.tasklist_classes = true;
        o.render.figure_with_caption = false;
        o
    }

    /// Renders a body. `doc_rel` is the file's path relative to the content
    /// folder (for relative links).
    pub fn render(&self, body: &str, doc_rel: &str, links: &LinkTable) -> RenderedBody {
        if let Some((depth, pos)) = too_deep(body) {
            // Crafted nesting would exhaust the parser's stack; nothing
            // of such a body is rendered, and the build fails on it.
            return RenderedBody {
                problems: vec![BodyProblem::TooDeep { depth, pos }],
                ..RenderedBody::default()
            };
        }
        let arena = Arena::new();
        let options = self.options();
        let root = parse_document(&arena, body, &options);
        let mut out = RenderedBody::default();
        let mut walk = Walk {
            arena: &arena,
            links,
            doc_rel,
            out: &mut out,
            anchorizer: Anchorizer::new(),
            columns: Columns::new(body),
        };
        walk.structure(root);
        walk.rewrite_links(root);
        let mut plugins = Plugins::default();
        plugins.render.codefence_syntax_highlighter = Some(&*self.highlighter);
        let mut html = String::with_capacity(body.len() * 2);
        // Headings link to themselves; task-list checkboxes are labelled by
        // their items (`formatter`).
        let format = formatter::BodyFormatter::format_document_with_plugins;
        if format(root, &options, &mut html, &plugins).is_err() {
            html.clear();
        }
        out.html_hash = xxhash_rust::xxh3::xxh3_64(html.as_bytes());
        out.html = html;
        out
    }
}

struct Walk<'a, 'o> {
    arena: &'a Arena<'a>,
    links: &'o LinkTable,
    doc_rel: &'o str,
    out: &'o mut RenderedBody,
    anchorizer: Anchorizer,
    columns: Columns<'o>,
}

/// comrak's byte columns as character columns (what messages show), for
/// the lines of one text. Positions asked for in document order cost as
/// much as the text up to them, once: a cursor remembers the last one.
pub struct Columns<'t> {
    lines: Vec<&'t str>,
    /// Line (1-based), byte index and the characters that start before it.
    cursor: std::cell::Cell<(usize, usize, usize)>,
}

impl<'t> Columns<'t> {
    pub fn new(text: &'t str) -> Self {
        Columns {
            lines: text.lines().collect(),
            cursor: std::cell::Cell::new((0, 0, 0)),
        }
    }

    /// The character column (1-based) of a byte column (1-based) on a line.
    pub fn char_column(&self, line: usize, byte_col: usize) -> usize {
        let Some(text) = line.checked_sub(1).and_then(|i| self.lines.get(i)) else {
            return byte_col;
        };
        let bytes = text.as_bytes();
        let target = byte_col.saturating_sub(1).min(bytes.len());
        let (l, at, chars) = self.cursor.get();
        let (from, before) = if l == line && at <= target {
            (at, chars)
        } else {
            (0, 0)
        };
        let starts = bytes[from..target]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        let n = before + starts;
        self.cursor.set((line, target, n));
        n + 1
    }

    pub fn pos(&self, sp: Sourcepos) -> Pos {
        Pos::new(
            sp.start.line,
            self.char_column(sp.start.line, sp.start.column),
        )
    }
}

/// The first line whose block quotes and list items nest deeper than
/// [`MAX_NESTING`]: its depth and position. The depth of a line is the
/// markers it starts with (`>`, `-`, `*`, `+`, `1.`), plus half the
/// indentation before them (nested list items are indented). Fenced
/// code is counted too: telling it apart would take the parser this guards.
pub fn too_deep(body: &str) -> Option<(usize, Pos)> {
    for (i, line) in body.lines().enumerate() {
        let b = line.as_bytes();
        let mut j = 0;
        let mut indent = 0;
        let mut markers = 0;
        while markers <= MAX_NESTING {
            while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                if markers == 0 {
                    indent += if b[j] == b'\t' { 4 } else { 1 };
                }
                j += 1;
            }
            let space_at = |k: usize| k >= b.len() || b[k] == b' ' || b[k] == b'\t';
            let quote = j < b.len() && b[j] == b'>';
            let bullet = j < b.len() && matches!(b[j], b'-' | b'*' | b'+') && space_at(j + 1);
            if quote || bullet {
                j += 1;
            } else {
                let digits = b[j..]
                    .iter()
                    .take(10)
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                let k = j + digits;
                if digits > 0 && k < b.len() && matches!(b[k], b'.' | b')') && space_at(k + 1) {
                    j = k + 1;
                } else {
                    break;
                }
            }
            markers += 1;
        }
        let depth = if markers > 0 { markers + indent / 2 } else { 0 };
        if depth > MAX_NESTING {
            return Some((depth, Pos::new(i + 1, 1)));
        }
    }
    None
}

static TAG_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*\{([A-Za-z_-]+)\}[.;,!]?\s*$").expect("valid pattern"));
/// What a writer meant as a time, readable or not: `25:61`, `9:5O`.
static TIME_LIKE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{4}-\d{2}-\d{2}[T ]+)?\d{1,2}:\d\S*").expect("valid pattern")
});

/// The time at the start of a timeline entry: how many bytes it takes,
/// and how many of those are the time itself (`[09:02]` and `(09:02)`
/// have their brackets around it). A text that starts like a time but
/// cannot be read gives its first word, so that reading it reports it.
fn entry_time(text: &str) -> Option<(usize, std::ops::Range<usize>)> {
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let Some(inner) = text.strip_prefix(open)
            && let Some((n, _)) = parse_time_prefix(inner.trim_start())
        {
            let lead = 1 + inner.len() - inner.trim_start().len();
            let after = text[lead + n..].trim_start();
            if let Some(rest) = after.strip_prefix(close) {
                return Some((text.len() - rest.len(), lead..lead + n));
            }
        }
    }
    if let Some((n, _)) = parse_time_prefix(text) {
        return Some((n, 0..n));
    }
    let m = TIME_LIKE_RE.find(text)?;
    Some((m.end(), 0..m.end()))
}
static SEPARATOR_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:[-–—:|]\s*)?").expect("valid pattern"));

/// Splits `09:09 - Monitoring pages on-call {detected}` into its parts.
pub fn parse_entry_text(text: &str, pos: Pos) -> Option<RawEntry> {
    let text = text.trim();
    let (n, time) = entry_time(text)?;
    let time_text = text[time].trim().to_string();
    let rest = &text[n..];
    let sep = SEPARATOR_RE.find(rest).map_or(0, |m| m.end());
    let mut event = rest[sep..].trim().to_string();
    // `17:00-18:00 something slow`: the entry is at the start of the
    // range; its end stays in the words.
    if let Some(end) = range_end(&time_text) {
        event = format!("(until {end}) {event}").trim().to_string();
    }
    let mut kind = None;
    let mut bad_tag = None;
    if let Some(c) = TAG_RE.captures(&event) {
        let tag = c[1].to_lowercase();
        match Milestone::parse(&tag) {
            Some(m) => kind = Some(m),
            None => bad_tag = Some(tag),
        }
        let start = c.get(0).map_or(event.len(), |m| m.start());
        event.truncate(start);
    }
    Some(RawEntry {
        time_text,
        event: event.trim().to_string(),
        kind,
        bad_tag,
        pos,
    })
}

impl<'a> Walk<'a, '_> {
    /// Headings, sections, timeline and task lists, from the top-level blocks.
    fn structure(&mut self, root: &'a AstNode<'a>) {
        let mut current = Section {
            heading: None,
            anchor: None,
            text: String::new(),
        };
        // The heading level that opened the timeline / follow-up section.
        let mut in_timeline: Option<u8> = None;
        let mut in_follow_ups: Option<u8> = None;
        for node in root.children() {
            let (value, sp) = {
                let d = node.data();
                (d.value.clone(), d.sourcepos)
            };
            match value {
                NodeValue::Heading(h) => {
                    let text = node.collect_text();
                    let anchor = self.anchorizer.anchorize(&text);
                    if in_timeline.is_some_and(|l| h.level <= l) {
                        in_timeline = None;
                    }
                    if in_follow_ups.is_some_and(|l| h.level <= l) {
                        in_follow_ups = None;
                    }
                    let words = heading_words(&text);
                    if self.out.timeline.is_none()
                        && is_section_words(&words, SectionKind::Timeline)
                    {
                        in_timeline = Some(h.level);
                    }
                    if is_section_words(&words, SectionKind::FollowUps) {
                        in_follow_ups = Some(h.level);
                    }
                    self.out.headings.push(Heading {
                        level: h.level,
                        text: text.clone(),
                        anchor: anchor.clone(),
                        line: sp.start.line,
                    });
                    let done = std::mem::replace(
                        &mut current,
                        Section {
                            heading: Some(text.clone()),
                            anchor: Some(anchor),
                            text: String::new(),
                        },
                    );
                    if done.heading.is_some() || !done.text.trim().is_empty() {
                        self.out.sections.push(done);
                    }
                }
                _ => {
                    if in_timeline.is_some() && self.out.timeline.is_none() {
                        match value {
                            NodeValue::List(_) => {
                                let entries = self.list_entries(node);
                                if !entries.is_empty() {
                                    self.out.timeline = Some((BodyTimelineForm::List, entries));
                                    strip_milestone_tags(node.children());
                                }
                            }
                            NodeValue::Table(_) => {
                                let entries = self.table_entries(node);
                                if !entries.is_empty() {
                                    self.out.timeline = Some((BodyTimelineForm::Table, entries));
                                    strip_milestone_tags(node.children());
                                }
                            }
                            _ => {}
                        }
                    }
                    if in_follow_ups.is_some() && matches!(value, NodeValue::List(_)) {
                        self.task_items(node);
                    }
                    let mut text = String::new();
                    plain_text(node, &mut text);
                    push_text(&mut current.text, &text);
                }
            }
        }
        if current.heading.is_some() || !current.text.trim().is_empty() {
            self.out.sections.push(current);
        }
    }

    fn list_entries(&self, list: &'a AstNode<'a>) -> Vec<RawEntry> {
        let mut out = Vec::new();
        for item in list.children() {
            let sp = item.data().sourcepos;
            // The item's first paragraph holds the time and the event.
            let Some(para) = item
                .children()
                .find(|c| matches!(c.data().value, NodeValue::Paragraph))
            else {
                continue;
            };
            let text = para.collect_text();
            if let Some(e) = parse_entry_text(&text, self.columns.pos(sp)) {
                out.push(e);
            }
        }
        out
    }

    fn table_entries(&self, table: &'a AstNode<'a>) -> Vec<RawEntry> {
        let mut out = Vec::new();
        for row in table.children() {
            let is_header = matches!(row.data().value, NodeValue::TableRow(true));
            if is_header {
                continue;
            }
            let sp = row.data().sourcepos;
            let cells: Vec<String> = row
                .children()
                .map(|c| c.collect_text().trim().to_string())
                .collect();
            let Some(first) = cells.first() else { continue };
            let Some((_, time)) = entry_time(first.trim()) else {
                continue;
            };
            // Times with trailing words ("08:21 (approx)") still count.
            let time_text = first.trim()[time].trim().to_string();
            let event = cells[1..]
                .iter()
                .filter(|c| !c.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" — ");
            let joined = format!("{time_text} {event}");
            if let Some(mut e) = parse_entry_text(&joined, self.columns.pos(sp)) {
                e.time_text = time_text;
                out.push(e);
            }
        }
        out
    }

    fn task_items(&mut self, list: &'a AstNode<'a>) {
        for item in list.children() {
            let (value, sp) = {
                let d = item.data();
                (d.value.clone(), d.sourcepos)
            };
            let NodeValue::TaskItem(task) = value else {
                continue;
            };
            let mut urls = Vec::new();
            for d in item.descendants() {
                if let NodeValue::Link(l) = &d.data().value {
                    urls.push(l.url.clone());
                }
            }
            let text = item
                .children()
                .find(|c| matches!(c.data().value, NodeValue::Paragraph))
                .map(|p| p.collect_text())
                .unwrap_or_default();
            self.out.tasks.push(TaskItem {
                text: text.trim().to_string(),
                done: task.symbol.is_some_and(|c| c == 'x' || c == 'X'),
                urls,
                pos: self.columns.pos(sp),
            });
        }
    }

    /// Resolves a link or image URL, noting the lookup.
    fn lookup(&mut self, url: &str) -> Resolved {
        self.out.deps.push(LinkDep::Url(
            url.to_string(),
            self.links.url_fingerprint(self.doc_rel, url),
        ));
        self.links.resolve(self.doc_rel, url)
    }

    /// `[[id]]` to postmortem links; relative links and images to their
    /// URLs in the site.
    fn rewrite_links(&mut self, root: &'a AstNode<'a>) {
        let nodes: Vec<&'a AstNode<'a>> = root.descendants().collect();
        for node in nodes {
            let (value, sp) = {
                let d = node.data();
                (d.value.clone(), d.sourcepos)
            };
            match value {
                NodeValue::WikiLink(w) => {
                    let id = w.url.trim().to_string();
                    self.out
                        .deps
                        .push(LinkDep::Id(id.clone(), self.links.id_fingerprint(&id)));
                    let label = node.collect_text();
                    let custom_label = label.trim() != id;
                    match self.links.postmortem(&id) {
                        Some(entry) if !entry.hidden => {
                            if let NodeValue::WikiLink(w) = &mut node.data_mut().value {
                                w.url = entry.url.clone();
                            }
                            if !custom_label {
                                for c in node.children().collect::<Vec<_>>() {
                                    c.detach();
                                }
                                let text = self.arena.alloc(AstNode::from(NodeValue::Text(
                                    entry.title.clone().into(),
                                )));
                                node.append(text);
                            }
                            self.out.links_to.push(id);
                        }
                        Some(entry) => {
                            let title = if custom_label {
                                label
                            } else {
                                entry.title.clone()
                            };
                            let text = self
                                .arena
                                .alloc(AstNode::from(NodeValue::Text(title.into())));
                            node.insert_before(text);
                            node.detach();
                        }
                        None => {
                            self.out.problems.push(BodyProblem::UnknownId {
                                id: id.clone(),
                                pos: self.columns.pos(sp),
                            });
                            let text = self
                                .arena
                                .alloc(AstNode::from(NodeValue::Text(format!("[[{id}]]").into())));
                            node.insert_before(text);
                            node.detach();
                        }
                    }
                }
                NodeValue::Link(l) => match self.lookup(&l.url) {
                    Resolved::Url(u) => {
                        if let NodeValue::Link(l) = &mut node.data_mut().value {
                            l.url = u;
                        }
                    }
                    Resolved::Missing(url) => self.out.problems.push(BodyProblem::BrokenLink {
                        url,
                        pos: self.columns.pos(sp),
                    }),
                    Resolved::Hidden => {
                        // Keep the text, drop the link.
                        for c in node.children().collect::<Vec<_>>() {
                            node.insert_before(c);
                        }
                        node.detach();
                    }
                    Resolved::External => drop_script_url(node),
                },
                NodeValue::CodeBlock(c) => {
                    let lang = c.info.split_whitespace().next();
                    if highlight::highlights(lang)
                        && let Some((i, chars)) = highlight::too_long_line(&c.literal)
                    {
                        // Fenced code starts on the line after the fence.
                        let line = sp.start.line + i + usize::from(c.fenced);
                        self.out.problems.push(BodyProblem::NotHighlighted {
                            chars,
                            pos: Pos::new(line, 1),
                        });
                    }
                }
                NodeValue::Image(l) => match self.lookup(&l.url) {
                    Resolved::Url(u) => {
                        if let NodeValue::Image(l) = &mut node.data_mut().value {
                            l.url = u;
                        }
                    }
                    Resolved::Missing(url) => self.out.problems.push(BodyProblem::MissingImage {
                        url,
                        pos: self.columns.pos(sp),
                    }),
                    Resolved::Hidden => {}
                    Resolved::External => drop_script_url(node),
                },
                _ => {}
            }
        }
    }
}

fn push_text(out: &mut String, text: &str) {
    let t = text.trim();
    if t.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(t);
}

/// The `{detected}`-style tags at the end of timeline entries mark
/// milestones for pmsite; readers of the body do not see them. `entries`
/// are list items or table rows.
fn strip_milestone_tags<'a>(entries: impl Iterator<Item = &'a AstNode<'a>>) {
    for entry in entries {
        let last_text = entry
            .descendants()
            .filter(|n| matches!(n.data().value, NodeValue::Text(_)))
            .filter(|n| {
                // Within the first paragraph of a list item (or the row).
                !n.ancestors()
                    .take_while(|a| !std::ptr::eq(*a, entry))
                    .any(|a| matches!(a.data().value, NodeValue::List(_)))
            })
            .last();
        if let Some(t) = last_text
            && let NodeValue::Text(text) = &mut t.data_mut().value
            && let Some(c) = TAG_RE.captures(text)
            && Milestone::parse(&c[1].to_lowercase()).is_some()
        {
            let start = c.get(0).map_or(text.len(), |m| m.start());
            let kept = text[..start].to_string();
            *text = kept.into();
        }
    }
}

/// The readable text of a block, code included, words kept apart. Walks
/// without recursion: crafted input nests inline elements thousands deep.
fn plain_text<'a>(node: &'a AstNode<'a>, out: &mut String) {
    use comrak::arena_tree::NodeEdge;
    let mut skip: Option<&'a AstNode<'a>> = None;
    for edge in node.traverse() {
        match edge {
            NodeEdge::Start(n) => {
                if skip.is_some() {
                    continue;
                }
                match &n.data().value {
                    NodeValue::Text(t) => out.push_str(t),
                    NodeValue::Code(c) => out.push_str(&c.literal),
                    NodeValue::CodeBlock(c) => {
                        out.push_str(&c.literal);
                        out.push('\n');
                    }
                    NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
                    NodeValue::HtmlBlock(_) | NodeValue::HtmlInline(_) => skip = Some(n),
                    _ => {}
                }
            }
            NodeEdge::End(n) => {
                if let Some(s) = skip {
                    if std::ptr::eq(s, n) {
                        skip = None;
                    }
                    continue;
                }
                match &n.data().value {
                    NodeValue::TableCell => out.push(' '),
                    NodeValue::Paragraph
                    | NodeValue::Item(_)
                    | NodeValue::TaskItem(_)
                    | NodeValue::TableRow(_)
                    | NodeValue::Heading(_) => out.push('\n'),
                    _ => {}
                }
            }
        }
    }
}

/// Empties the URL of a link or image that would run script
/// (`javascript:`, `data:text/html`, …). comrak does that itself unless
/// `[markdown] unsafe-html` is set; that setting is about raw HTML, so
/// such links are dropped either way.
fn drop_script_url<'a>(node: &'a AstNode<'a>) {
    let mut d = node.data_mut();
    if let NodeValue::Link(l) | NodeValue::Image(l) = &mut d.value
        && crate::config::url::is_script_url(&l.url)
    {
        l.url.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::links::LinkEntry;

    fn renderer(unsafe_html: bool) -> MarkdownRenderer {
        MarkdownRenderer::new(
            unsafe_html,
            Arc::new(Highlighter::new("InspiredGitHub", "base16-ocean.dark")),
        )
    }

    fn links() -> LinkTable {
        let mut t = LinkTable {
            base_path: "/".into(),
            ..Default::default()
        };
        t.ids.insert(
            "other".into(),
            LinkEntry {
                url: "/postmortems/other/".into(),
                title: "Other <incident>".into(),
                hidden: false,
            },
        );
        t.ids.insert(
            "secret".into(),
            LinkEntry {
                url: "/postmortems/secret/".into(),
                title: "Secret".into(),
                hidden: true,
            },
        );
        t
    }

    #[test]
    fn github_extensions_and_anchors() {
        let r = renderer(false).render(
            "# Title\n\n## What went well\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] open\n\n~~gone~~ https://example.com\n\nNote[^1]\n\n[^1]: A footnote.\n",
            "postmortems/x.md",
            &links(),
        );
        assert!(r.html.contains("<h2 id=\"what-went-well\">"), "{}", r.html);
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("type=\"checkbox\""));
        assert!(r.html.contains("<del>gone</del>"));
        assert!(r.html.contains("<a href=\"https://example.com\">"));
        assert!(r.html.contains("footnote"));
        assert_eq!(r.headings[1].anchor, "what-went-well");
    }

    #[test]
    fn raw_html_is_left_out_unless_allowed() {
        let body = "<script>alert(1)</script>\n\nHi <b onclick=x>there</b>\n";
        let safe = renderer(false).render(body, "x.md", &links());
        assert!(!safe.html.contains("<script"), "{}", safe.html);
        assert!(!safe.html.contains("<b onclick"), "{}", safe.html);
        let unsafe_ = renderer(true).render(body, "x.md", &links());
        assert!(unsafe_.html.contains("<b onclick"));
        let js = renderer(false).render("[x](javascript:alert(1))", "x.md", &links());
        assert!(!js.html.contains("javascript:"), "{}", js.html);
    }

    #[test]
    fn no_script_url_gets_through_links() {
        let body = "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java&#9;script:alert(1)) \
            [d](<  javascript:alert(1)>) [e](&#x6A;avascript:alert(1)) [f](vbscript:x) \
            [g](data:text/html,<script>x</script>) ![h](javascript:alert(1)) <javascript:alert(1)> \
            [i](java&#10;script:alert(1)) [j]\n\n[j]: javascript:alert(1)\n";
        let html = renderer(false).render(body, "x.md", &links()).html;
        let hrefs = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
        let mut n = 0;
        for c in hrefs.captures_iter(&html) {
            n += 1;
            // What a browser makes of it: entities decoded, tabs and line
            // breaks dropped, the ends trimmed.
            let url = c[1]
                .replace("&#9;", "")
                .replace("&#10;", "")
                .replace("&amp;", "&");
            let scheme = crate::config::url::scheme(&url);
            assert!(
                scheme.is_none() || scheme.as_deref() == Some("http"),
                "{url} in {html}"
            );
        }
        assert!(n > 0, "{html}");
    }

    #[test]
    fn code_is_highlighted_into_classes() {
        let r = renderer(false).render("```python\nx = requests.get(url)\n```\n", "x.md", &links());
        assert!(r.html.contains("<pre class=\"hl-code\">"), "{}", r.html);
        assert!(r.html.contains("<span class=\""), "{}", r.html);
        assert!(r.sections[0].text.contains("requests.get"));
    }

    #[test]
    fn wikilinks_resolve_to_titles_and_report_unknown_ids() {
        let r = renderer(false).render(
            "See [[other]], [[other|that one]], [[secret]] and [[nope]].\n",
            "x.md",
            &links(),
        );
        assert!(
            r.html.contains(
                "<a href=\"/postmortems/other/\" data-wikilink=\"true\">Other &lt;incident&gt;</a>"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains(">that one</a>"), "{}", r.html);
        assert!(r.html.contains("Secret"));
        assert!(!r.html.contains("/postmortems/secret/"), "{}", r.html);
        assert_eq!(r.links_to, ["other", "other"]);
        assert_eq!(
            r.problems,
            [BodyProblem::UnknownId {
                id: "nope".into(),
                pos: Pos::new(1, 51)
            }]
        );
    }

    #[test]
    fn timeline_lists_and_tables() {
        let body = "## Timeline\n\n- 09:02 Latency rises {started}\n- **09:09** Monitoring pages on-call {detected}\n- 9:12 AM - Alex acks {acknowledged}\n- a note without time\n- 2018-04-12 09:14: Alex restarts nginx {bogus}\n\n## Other\n\n- 10:00 not a timeline\n";
        let r = renderer(false).render(body, "x.md", &links());
        let (form, entries) = r.timeline.unwrap();
        assert_eq!(form, BodyTimelineForm::List);
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].time_text, "09:02");
        assert_eq!(entries[0].kind, Some(Milestone::Started));
        assert_eq!(entries[1].event, "Monitoring pages on-call");
        assert_eq!(entries[1].pos, Pos::new(4, 1));
        assert_eq!(entries[2].time_text, "9:12 AM");
        assert_eq!(entries[2].event, "Alex acks");
        assert_eq!(entries[3].time_text, "2018-04-12 09:14");
        assert_eq!(entries[3].bad_tag.as_deref(), Some("bogus"));

        let table = "### Incident timeline\n\nAll times UTC.\n\n| Time | Event |\n|---|---|\n| 2022-09-13 16:40 | Broker config pushed |\n| 2022-09-13 16:52 | Alerts fire {detected} |\n";
        let r = renderer(false).render(table, "x.md", &links());
        let (form, entries) = r.timeline.unwrap();
        assert_eq!(form, BodyTimelineForm::Table);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].kind, Some(Milestone::Detected));
        assert_eq!(entries[1].event, "Alerts fire");
    }

    #[test]
    fn task_lists_under_follow_up_headings() {
        let body = "## Follow-up actions\n\n- [x] Add timeouts (OPS-1)\n- [ ] Enable SMTP [issue](https://x.test/365)\n- plain bullet\n\n## Notes\n\n- [ ] not a follow-up\n";
        let r = renderer(false).render(body, "x.md", &links());
        assert_eq!(r.tasks.len(), 2);
        assert!(r.tasks[0].done);
        assert_eq!(r.tasks[0].text, "Add timeouts (OPS-1)");
        assert_eq!(r.tasks[1].urls, ["https://x.test/365"]);
        // Each checkbox is labelled by its item.
        assert!(
            r.html.contains("<label><input type=\"checkbox\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("/> Add timeouts (OPS-1)</label>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn sections_carry_their_heading_and_text() {
        let r = renderer(false).render(
            "Intro text.\n\n## Impact\n\nUsers saw `503` errors.\n",
            "x.md",
            &links(),
        );
        assert_eq!(r.sections.len(), 2);
        assert_eq!(r.sections[0].heading, None);
        assert_eq!(r.sections[1].anchor.as_deref(), Some("impact"));
        assert!(r.sections[1].text.contains("503 errors"));
    }
}
