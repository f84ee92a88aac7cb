//! The body of a source file read as its top-level blocks (headings,
//! paragraphs, lists, tables) with their lines, and the sections that
//! headings open.

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};

use super::text::collapse;

/// A block at the top of the document.
#[derive(Clone, Debug)]
pub(super) enum Block {
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
pub(super) struct Item {
    pub text: String,
    /// The bold text the item starts with, if any (`**Title**: ...`).
    pub lead: Option<String>,
    pub task: Option<bool>,
    pub urls: Vec<String>,
    pub start: usize,
    pub end: usize,
}

impl Block {
    pub fn start(&self) -> usize {
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

/// Parses a body: its top-level blocks, and its links and images (targets
/// as written, line in the body).
pub(super) fn parse(body: &str) -> (Vec<Block>, Vec<(String, usize)>) {
    let arena = Arena::new();
    let root = parse_document(&arena, body, &options());
    let mut links = Vec::new();
    let blocks = blocks(root, &mut links);
    (blocks, links)
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
            NodeValue::List(_) => Block::List {
                items: node.children().map(item).collect(),
                start,
            },
            NodeValue::Table(_) => table(node, start, end),
            _ => Block::Other { start },
        };
        out.push(b);
    }
    out
}

/// One item of a list.
fn item<'a>(node: &'a AstNode<'a>) -> Item {
    let (iv, isp) = {
        let d = node.data();
        (d.value.clone(), d.sourcepos)
    };
    let task = match iv {
        NodeValue::TaskItem(t) => Some(t.symbol.is_some_and(|c| c == 'x' || c == 'X')),
        _ => None,
    };
    let para = node
        .children()
        .find(|c| matches!(c.data().value, NodeValue::Paragraph));
    let text = para.map(plain).unwrap_or_default();
    let lead = para
        .and_then(|p| p.first_child())
        .and_then(|f| matches!(f.data().value, NodeValue::Strong).then(|| plain(f)));
    let mut urls = Vec::new();
    for d in node.descendants() {
        if let NodeValue::Link(l) = &d.data().value {
            urls.push(l.url.clone());
        }
    }
    Item {
        text,
        lead,
        task,
        urls,
        start: isp.start.line,
        end: isp.end.line.max(isp.start.line),
    }
}

/// A table: its header cells and its rows (line, cells).
fn table<'a>(node: &'a AstNode<'a>, start: usize, end: usize) -> Block {
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

/// The blocks under heading `h` (until a heading of the same or a higher
/// level), as indexes.
pub(super) fn section(blocks: &[Block], h: usize) -> std::ops::Range<usize> {
    let Block::Heading { level, .. } = blocks[h] else {
        return h..h;
    };
    let end = (h + 1..blocks.len())
        .find(|&i| matches!(blocks[i], Block::Heading { level: l, .. } if l <= level))
        .unwrap_or(blocks.len());
    h + 1..end
}

pub(super) fn find_heading(blocks: &[Block], pred: impl Fn(&str) -> bool) -> Option<usize> {
    blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { text, .. } if pred(text)))
}

/// The last line of a heading (setext headings take two).
pub(super) fn heading_end(blocks: &[Block], i: usize, lines: &[&str]) -> usize {
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
