//! What a Markdown body gives the model once rendered: its HTML, headings
//! and sections, the timeline and task list written in it, the links it
//! makes and the problems found in it. (`markdown` makes these.)

use serde::Serialize;

use crate::diagnostics::Pos;
use crate::model::timeline::Milestone;

/// The deepest nesting of block quotes and lists a body may have. Real
/// documents stay far below it; crafted ones beyond it would exhaust the
/// Markdown parser's stack (a crash) or take minutes.
pub const MAX_NESTING: usize = 100;

/// The longest line, in characters, that code is highlighted with.
/// syntect's grammars match their regular expressions (Oniguruma) from
/// every position of a line, and some are quadratic in its length (YAML
/// on a line of JSON: 0.75 s at 16,000 characters, 38 s at 80,000): a code
/// block with a longer line (a pasted base64 blob, a minified file) is
/// published whole, escaped and unhighlighted, with a warning at the line.
pub const MAX_HIGHLIGHT_LINE: usize = 2_000;

/// A heading of a body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// The anchor id (the same as in the HTML).
    pub anchor: String,
    pub line: usize,
}

/// The text under one heading (for search).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    pub heading: Option<String>,
    pub anchor: Option<String>,
    pub text: String,
}

/// How a body timeline was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyTimelineForm {
    List,
    Table,
}

/// A timeline entry as written in the body, before its time is placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEntry {
    pub time_text: String,
    pub event: String,
    pub kind: Option<Milestone>,
    /// An unknown `{tag}` at the end of the entry.
    pub bad_tag: Option<String>,
    pub pos: Pos,
}

/// A task-list item under a follow-up heading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskItem {
    pub text: String,
    pub done: bool,
    /// Link targets inside the item (a ticket may be one).
    pub urls: Vec<String>,
    pub pos: Pos,
}

/// A problem found in a body (positions counted in the body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyProblem {
    TooDeep {
        depth: usize,
        pos: Pos,
    },
    UnknownId {
        id: String,
        pos: Pos,
    },
    BrokenLink {
        url: String,
        pos: Pos,
    },
    MissingImage {
        url: String,
        pos: Pos,
    },
    /// A code block line too long for the highlighter: the block is
    /// published unhighlighted.
    NotHighlighted {
        chars: usize,
        pos: Pos,
    },
}

/// Everything a body gives.
#[derive(Clone, Debug, Default)]
pub struct RenderedBody {
    pub html: String,
    /// xxh3 of `html` (pages that show the body depend on it).
    pub html_hash: u64,
    pub headings: Vec<Heading>,
    pub sections: Vec<Section>,
    pub timeline: Option<(BodyTimelineForm, Vec<RawEntry>)>,
    pub tasks: Vec<TaskItem>,
    /// Postmortem ids linked with `[[id]]` that exist.
    pub links_to: Vec<String>,
    pub problems: Vec<BodyProblem>,
    /// What the body's links looked up (to know when it must be redone).
    pub deps: Vec<crate::model::links::LinkDep>,
}
