//! Finds where a key or value sits in a YAML text, so that problems found
//! after parsing (with serde_yaml) can name their line and column.
//!
//! serde_yaml gives positions for syntax errors only; this reads the same
//! text with saphyr-parser's event stream, which carries spans, and builds a
//! small positioned tree. It runs only when a file has a problem to report.

use saphyr_parser::{Event, Parser, Span};

use crate::diagnostics::Pos;

/// One step of a path into a YAML document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path such as `follow_ups[2].status`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YamlPath(pub Vec<Seg>);

impl YamlPath {
    pub fn root() -> Self {
        YamlPath(Vec::new())
    }

    pub fn key(&self, k: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.to_string()));
        YamlPath(v)
    }

    pub fn index(&self, i: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        YamlPath(v)
    }
}

impl std::fmt::Display for YamlPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for s in &self.0 {
            match s {
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

/// Which part of an entry a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The key of a mapping entry (unknown keys).
    Key,
    /// The value (wrong types, bad values).
    Value,
}

#[derive(Debug)]
enum Node {
    Scalar(Span),
    Seq(Span, Vec<Node>),
    Map(Span, Vec<(String, Span, Node)>),
}

impl Node {
    fn span(&self) -> Span {
        match self {
            Node::Scalar(s) | Node::Seq(s, _) | Node::Map(s, _) => *s,
        }
    }
}

/// A positioned view of one YAML document.
#[derive(Debug)]
pub struct YamlLocator {
    root: Option<Node>,
}

impl YamlLocator {
    pub fn new(text: &str) -> Self {
        let mut parser = Parser::new_from_str(text);
        let mut root = None;
        while let Some(Ok((ev, span))) = parser.next_event() {
            match ev {
                Event::StreamStart | Event::DocumentStart(_) => continue,
                Event::StreamEnd | Event::DocumentEnd => break,
                _ => {
                    root = read_node(&mut parser, ev, span);
                    break;
                }
            }
        }
        YamlLocator { root }
    }

    /// Where the thing at `path` is. Falls back to the nearest enclosing
    /// entry that exists when the path runs past the document (for a
    /// missing key, that is the mapping that should hold it).
    pub fn find(&self, path: &YamlPath, target: Target) -> Option<Pos> {
        let mut node = self.root.as_ref()?;
        let mut best = node.span();
        let n = path.0.len();
        for (i, seg) in path.0.iter().enumerate() {
            let last = i + 1 == n;
            match (seg, node) {
                (Seg::Key(k), Node::Map(_, entries)) => {
                    let Some((_, kspan, v)) = entries.iter().find(|(name, _, _)| name == k) else {
                        return Some(to_pos(best));
                    };
                    if last && target == Target::Key {
                        return Some(to_pos(*kspan));
                    }
                    // An empty value has an empty span: point at the key.
                    best = if v.span().start.index() == v.span().end.index()
                        && matches!(v, Node::Scalar(_))
                    {
                        *kspan
                    } else {
                        v.span()
                    };
                    node = v;
                }
                (Seg::Index(idx), Node::Seq(_, items)) => {
                    let Some(v) = items.get(*idx) else {
                        return Some(to_pos(best));
                    };
                    best = v.span();
                    node = v;
                }
                _ => return Some(to_pos(best)),
            }
        }
        Some(to_pos(best))
    }
}

fn to_pos(span: Span) -> Pos {
    Pos::new(span.start.line(), span.start.col() + 1)
}

fn read_node<'a>(
    parser: &mut Parser<'a, saphyr_parser::StrInput<'a>>,
    ev: Event<'a>,
    span: Span,
) -> Option<Node> {
    match ev {
        Event::Scalar(..) | Event::Alias(_) => Some(Node::Scalar(span)),
        Event::SequenceStart(..) => {
            let mut items = Vec::new();
            loop {
                let (ev, sp) = parser.next_event()?.ok()?;
                if matches!(ev, Event::SequenceEnd) {
                    break;
                }
                items.push(read_node(parser, ev, sp)?);
            }
            Some(Node::Seq(span, items))
        }
        Event::MappingStart(..) => {
            let mut entries = Vec::new();
            loop {
                let (kev, ksp) = parser.next_event()?.ok()?;
                if matches!(kev, Event::MappingEnd) {
                    break;
                }
                let key = match &kev {
                    Event::Scalar(s, ..) => s.to_string(),
                    _ => String::new(),
                };
                // Complex keys are walked over but never matched by name.
                if !matches!(kev, Event::Scalar(..)) {
                    read_node(parser, kev, ksp)?;
                }
                let (vev, vsp) = parser.next_event()?.ok()?;
                let value = read_node(parser, vev, vsp)?;
                entries.push((key, ksp, value));
            }
            Some(Node::Map(span, entries))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "title: Hello\nseverity: SEV9\nfollow_ups:\n  - title: a\n    status: nope\n  - title: b\n    statsu: open\nempty:\nlist: [a, b]\n";

    #[test]
    fn finds_keys_and_values() {
        let loc = YamlLocator::new(DOC);
        let p = YamlPath::root().key("severity");
        assert_eq!(loc.find(&p, Target::Value), Some(Pos::new(2, 11)));
        assert_eq!(loc.find(&p, Target::Key), Some(Pos::new(2, 1)));
        let p = YamlPath::root().key("follow_ups").index(0).key("status");
        assert_eq!(loc.find(&p, Target::Value), Some(Pos::new(5, 13)));
        let p = YamlPath::root().key("follow_ups").index(1).key("statsu");
        assert_eq!(loc.find(&p, Target::Key), Some(Pos::new(7, 5)));
        let p = YamlPath::root().key("list").index(1);
        assert_eq!(loc.find(&p, Target::Value), Some(Pos::new(9, 11)));
    }

    #[test]
    fn empty_values_point_at_their_key() {
        let loc = YamlLocator::new(DOC);
        let p = YamlPath::root().key("empty");
        assert_eq!(loc.find(&p, Target::Value), Some(Pos::new(8, 1)));
    }

    #[test]
    fn missing_keys_fall_back_to_the_enclosing_node() {
        let loc = YamlLocator::new(DOC);
        let p = YamlPath::root().key("follow_ups").index(1).key("owner");
        assert_eq!(loc.find(&p, Target::Key), Some(Pos::new(6, 5)));
        let p = YamlPath::root().key("nothing");
        assert_eq!(loc.find(&p, Target::Key), Some(Pos::new(1, 1)));
    }
}
