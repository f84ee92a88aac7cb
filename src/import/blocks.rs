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
        /// The last line: the underline of a setext heading.
        end: usize,
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
        rows: Vec<Row>,
        start: usize,
        end: usize,
    },
    /// Code, HTML, quotes, rules.
    Other {
        start: usize,
        /// An HTML block that is not a comment: `build` leaves it out
        /// unless `[markdown] unsafe-html` is set.
        html: bool,
    },
}

#[derive(Clone, Debug)]
pub(super) struct Item {
    /// The text of the item's first paragraph.
    pub text: String,
    /// The number of an item of an ordered list written `19.`.
    pub ordinal: Option<usize>,
    /// The bold text the item starts with, if any (`**Title**: ...`).
    pub lead: Option<String>,
    pub task: Option<bool>,
    pub urls: Vec<String>,
    /// The whole first paragraph is struck through (`~~done~~`).
    pub struck: bool,
    /// The item is one paragraph of plain text (no links, images,
    /// footnotes or HTML, nothing nested): its text says all of it.
    pub plain: bool,
    /// The texts of the items nested under it, in order, at any depth.
    pub sub: Vec<String>,
    pub start: usize,
    pub end: usize,
}

/// A table row: its line, its cells' texts, and whether the texts say
/// all of it (no links, images, footnotes or HTML).
#[derive(Clone, Debug)]
pub(super) struct Row {
    pub line: usize,
    pub cells: Vec<String>,
    /// The first link's address in each cell (`[JIRA](https://…)`).
    pub links: Vec<Option<String>>,
    pub plain: bool,
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
            // `a<br>b` in a table cell: two words.
            NodeValue::HtmlInline(h) if h.trim_start().to_lowercase().starts_with("<br") => {
                out.push(' ')
            }
            NodeValue::HtmlInline(_) | NodeValue::FootnoteReference(_) => {}
            _ => stack.extend(n.reverse_children()),
        }
    }
}

/// Does the text of `node` say all of it: no links, images, footnote
/// references, HTML, code or struck text inside (plain text would lose
/// them)?
fn says_all<'a>(node: &'a AstNode<'a>) -> bool {
    !node.descendants().any(|d| {
        matches!(
            d.data().value,
            NodeValue::Link(_)
                | NodeValue::Image(_)
                | NodeValue::FootnoteReference(_)
                | NodeValue::HtmlInline(_)
                | NodeValue::WikiLink(_)
                | NodeValue::Code(_)
                | NodeValue::Strikethrough
        )
    })
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
                end: if h.setext { end } else { start },
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
            NodeValue::HtmlBlock(h) => Block::Other {
                start,
                html: !h.literal.trim_start().starts_with("<!--"),
            },
            _ => Block::Other { start, html: false },
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
    let task = match &iv {
        NodeValue::TaskItem(t) => Some(t.symbol.is_some_and(|c| c == 'x' || c == 'X')),
        _ => None,
    };
    // "19. April, 11:00 …" is read by Markdown as item 19 of a list.
    let ordinal = match &iv {
        NodeValue::Item(l)
            if l.list_type == comrak::nodes::ListType::Ordered
                && l.delimiter == comrak::nodes::ListDelimType::Period =>
        {
            Some(l.start)
        }
        _ => None,
    };
    let para = node
        .children()
        .find(|c| matches!(c.data().value, NodeValue::Paragraph));
    let text = para
        .map(plain)
        .or_else(|| ordinal_text(node))
        .unwrap_or_default();
    let lead = para
        .and_then(|p| p.first_child())
        .and_then(|f| matches!(f.data().value, NodeValue::Strong).then(|| plain(f)));
    let struck = para.is_some_and(|p| {
        p.children().all(|c| match &c.data().value {
            NodeValue::Strikethrough => true,
            NodeValue::Text(t) => t.trim().is_empty(),
            _ => false,
        }) && p.first_child().is_some()
    });
    let mut urls = Vec::new();
    for d in node.descendants() {
        if let NodeValue::Link(l) = &d.data().value {
            urls.push(l.url.clone());
        }
    }
    let only_para = node.children().count() == 1 && para.is_some();
    let mut sub = Vec::new();
    for d in node.descendants().skip(1) {
        if matches!(d.data().value, NodeValue::Item(_) | NodeValue::TaskItem(_))
            && let Some(p) = d
                .children()
                .find(|c| matches!(c.data().value, NodeValue::Paragraph))
        {
            let t = plain(p);
            if !t.is_empty() {
                sub.push(t);
            }
        }
    }
    Item {
        text,
        ordinal,
        lead,
        task,
        urls,
        struck,
        plain: only_para && para.is_some_and(says_all),
        sub,
        start: isp.start.line,
        end: isp.end.line.max(isp.start.line),
    }
}

/// The text of an item whose only content Markdown read as an ordered
/// list: "- 19. April, 11:00 …" is one item holding item 19 of a list.
/// Its text is the number and the inner item's, as written.
fn ordinal_text<'a>(node: &'a AstNode<'a>) -> Option<String> {
    let list = node.first_child()?;
    let NodeValue::List(l) = &list.data().value else {
        return None;
    };
    if l.list_type != comrak::nodes::ListType::Ordered
        || l.delimiter != comrak::nodes::ListDelimType::Period
        || node.children().count() != 1
        || list.children().count() != 1
    {
        return None;
    }
    let inner = list.first_child()?;
    let para = inner
        .children()
        .find(|c| matches!(c.data().value, NodeValue::Paragraph))?;
    Some(format!("{}. {}", l.start, plain(para)))
}

/// The address of the first link in a node.
fn first_link<'a>(node: &'a AstNode<'a>) -> Option<String> {
    node.descendants().find_map(|d| match &d.data().value {
        NodeValue::Link(l) => Some(l.url.clone()),
        _ => None,
    })
}

/// A table: its header cells and its rows.
fn table<'a>(node: &'a AstNode<'a>, start: usize, end: usize) -> Block {
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for row in node.children() {
        let is_header = matches!(row.data().value, NodeValue::TableRow(true));
        let cells: Vec<String> = row.children().map(plain).collect();
        if is_header {
            header = cells;
        } else {
            let links = row.children().map(first_link).collect();
            rows.push(Row {
                line: row.data().sourcepos.start.line,
                cells,
                links,
                plain: says_all(row),
            });
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

/// The first heading that `pred` accepts, after the title heading (which
/// names the incident, not a section).
pub(super) fn find_heading(
    blocks: &[Block],
    title: Option<usize>,
    pred: impl Fn(&str) -> bool,
) -> Option<usize> {
    (0..blocks.len()).find(|&i| {
        Some(i) != title && matches!(&blocks[i], Block::Heading { text, .. } if pred(text))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_break_in_a_cell_parts_words_and_code_keeps_a_row_in_the_body() {
        let (b, _) = parse(
            "| Time | Event |\n| --- | --- |\n| 10:00 | disk full<br>then waited |\n| 10:05 | ran `df -h` |\n| 10:10 | plain words |\n",
        );
        let Block::Table { rows, .. } = &b[0] else {
            panic!("a table: {b:?}");
        };
        assert_eq!(rows[0].cells[1], "disk full then waited");
        assert_eq!(
            rows.iter().map(|r| r.plain).collect::<Vec<_>>(),
            [false, false, true]
        );
    }

    #[test]
    fn items_know_what_their_text_leaves_out() {
        let (blocks, _) = parse(
            "- 09:00 plain\n- 09:05 see [chat](https://chat.test/p/1)\n- 09:10 parent\n  - child one\n  - child two\n    - grandchild\n- ~~struck~~\n",
        );
        let Block::List { items, .. } = &blocks[0] else {
            panic!("a list")
        };
        assert!(items[0].plain);
        assert!(!items[1].plain);
        assert_eq!(items[1].urls, ["https://chat.test/p/1"]);
        assert!(!items[2].plain);
        assert_eq!(items[2].sub, ["child one", "child two", "grandchild"]);
        assert!(items[3].struck && !items[0].struck);
    }

    #[test]
    fn a_rule_after_an_atx_title_is_no_underline() {
        let (blocks, _) = parse("# Title\n---\n\nText\n\nSetext\n======\n");
        assert!(matches!(
            blocks[0],
            Block::Heading {
                line: 1,
                end: 1,
                ..
            }
        ));
        assert!(matches!(blocks[1], Block::Other { start: 2, .. }));
        assert!(matches!(
            blocks[3],
            Block::Heading {
                line: 6,
                end: 7,
                ..
            }
        ));
    }
}
