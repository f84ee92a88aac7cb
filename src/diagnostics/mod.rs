//! Problems found in a knowledge base, each with the place in the file it
//! comes from, and the ways of printing them (terminal, JSON, GitHub).
//!
//! Uses nothing else of pmsite: every other module may use it.

pub mod code;
pub mod yaml;

pub use code::Code;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem, at one place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, as shown to the user (relative to the working folder when
    /// it is inside it). `None` for problems that belong to no file.
    pub file: Option<PathBuf>,
    /// 1-based line in the file; 0 when unknown.
    pub line: usize,
    /// 1-based column (in characters); 0 when unknown.
    pub column: usize,
    pub severity: Severity,
    /// A short stable name of the kind of problem, e.g. `unknown-key`.
    pub code: Code,
    pub message: String,
    /// What to do about it, when we can tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The text of the offending line, for the caret display: the whole
    /// line, or a window of it around the column when it is long (see
    /// [`excerpt`]), so that a finding on a 10,000-character line does not
    /// carry a copy of it.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// The caret's column in `source_line`.
    #[serde(skip)]
    source_caret: usize,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            file: None,
            line: 0,
            column: 0,
            severity: Severity::Error,
            code,
            message: message.into(),
            hint: None,
            source_line: None,
            source_caret: 0,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn at(mut self, pos: Pos) -> Self {
        self.line = pos.line;
        self.column = pos.column;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    /// Attach the offending line, found by the caller (a file with many
    /// findings finds its lines through an index: counting lines from the
    /// start for each, as [`Diagnostic::with_source`] does, is quadratic).
    pub fn with_source_line(mut self, line: Option<&str>) -> Self {
        if self.line > 0
            && let Some(l) = line
        {
            self.keep_source(l);
        }
        self
    }

    fn keep_source(&mut self, line: &str) {
        let (shown, caret) = excerpt(line.trim_end_matches('\r'), self.column);
        self.source_line = Some(shown);
        self.source_caret = caret;
    }

    /// Attach the offending line from the file's text, for display.
    pub fn with_source(mut self, text: &str) -> Self {
        if self.line > 0
            && let Some(l) = text.lines().nth(self.line - 1)
        {
            self.keep_source(l);
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col` (or less, when parts are unknown).
    pub fn location(&self) -> String {
        let mut s = String::new();
        if let Some(f) = &self.file {
            s.push_str(&f.display().to_string());
            if self.line > 0 {
                let _ = write!(s, ":{}", self.line);
                if self.column > 0 {
                    let _ = write!(s, ":{}", self.column);
                }
            }
        }
        s
    }

    /// The one-line form: `file:line:col: error: message`. Warnings carry
    /// their code: `file:line:col: warning[code]: message`.
    pub fn headline(&self) -> String {
        let loc = self.location();
        let prefix = if loc.is_empty() {
            String::new()
        } else {
            format!("{loc}: ")
        };
        match self.severity {
            Severity::Error => format!("{prefix}error: {}", self.message),
            Severity::Warning => format!("{prefix}warning[{}]: {}", self.code, self.message),
        }
    }

    /// The human form: headline, the offending line with a caret under the
    /// column, and the hint.
    pub fn render_human(&self) -> String {
        let mut out = self.headline();
        out.push('\n');
        if let Some(src) = &self.source_line {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{num} | {src}");
            if self.column > 0 {
                let lead = caret_lead(src, self.source_caret);
                let _ = writeln!(out, "{pad} | {lead}^");
            }
        }
        if let Some(h) = &self.hint {
            let mut lines = h.lines();
            if let Some(first) = lines.next() {
                let _ = writeln!(out, "  = hint: {first}");
            }
            for l in lines {
                let _ = writeln!(out, "          {l}");
            }
        }
        visible_controls(&out)
    }

    /// A GitHub Actions workflow command, shown as an annotation on the line.
    pub fn render_github(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(f) = &self.file {
            props.push(format!(
                "file={}",
                escape_github_property(&f.display().to_string())
            ));
            if self.line > 0 {
                props.push(format!("line={}", self.line));
                if self.column > 0 {
                    props.push(format!("col={}", self.column));
                }
            }
        }
        props.push(format!(
            "title={}",
            escape_github_property(self.code.as_str())
        ));
        let mut msg = self.message.clone();
        if let Some(h) = &self.hint {
            msg.push_str("\nhint: ");
            msg.push_str(h);
        }
        format!(
            "::{kind} {}::{}",
            props.join(","),
            escape_github_data(&visible_controls(&msg))
        )
    }
}

/// The characters of a source line shown at most.
const EXCERPT_CHARS: usize = 160;

/// A line as kept for showing under a headline: whole when short, else a window of
/// [`EXCERPT_CHARS`] characters around `column`, cut with `…` (a pasted
/// base64 line of 10,000 characters would fill the terminal); and the
/// column of the caret in what is shown.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    // Bytes first: most lines are short, and then not counted.
    if line.len() <= EXCERPT_CHARS {
        return (line.to_string(), column);
    }
    let n = line.chars().count();
    if n <= EXCERPT_CHARS {
        return (line.to_string(), column);
    }
    let at = column.saturating_sub(1).min(n);
    let start = at.saturating_sub(EXCERPT_CHARS / 4);
    let end = (start + EXCERPT_CHARS).min(n);
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(line.chars().skip(start).take(end - start));
    if end < n {
        shown.push('…');
    }
    let column = if column == 0 {
        0
    } else {
        column - start + usize::from(start > 0)
    };
    (shown, column)
}

/// The blanks before a caret under the `column`th character of `line`:
/// tabs stay tabs, and wide characters (CJK, emoji) take two columns, so
/// the caret lines up in a terminal.
fn caret_lead(line: &str, column: usize) -> String {
    let mut lead = String::new();
    for c in line.chars().take(column.saturating_sub(1)) {
        match c {
            '\t' => lead.push('\t'),
            c => {
                let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                lead.extend(std::iter::repeat_n(' ', w));
            }
        }
    }
    lead
}

/// `"s"` unless `n` is one: `format!("{n} error{}", plural(n))`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Shows control characters from user files as their pictures (`␛` for
/// ESC), so that a file cannot retitle a terminal or spoof a CI log, and
/// a caret under the line still lines up. Newlines and tabs stay.
pub fn visible_controls(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    s.chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

fn escape_github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_github_property(s: &str) -> String {
    escape_github_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// A place in a file: 1-based line and column (column counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const fn new(line: usize, column: usize) -> Self {
        Pos { line, column }
    }

    /// Moves a position counted inside an embedded text (front matter, a
    /// body) to the file: `first_line` is the file line of the text's line 1.
    pub fn offset_lines(self, first_line: usize) -> Self {
        Pos {
            line: self.line + first_line - 1,
            column: self.column,
        }
    }
}

/// Maps byte offsets in a text to line and column.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text));
        LineIndex { text, starts }
    }

    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        Pos::new(line + 1, column)
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i + 1)
}

/// All the problems of a run, in a stable order.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl From<Diagnostic> for Diagnostics {
    /// A list of one.
    fn from(d: Diagnostic) -> Self {
        let mut ds = Diagnostics::new();
        ds.push(d);
        ds
    }
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Sorted by file, line, column, and deduplicated.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.sort();
        self.items
    }

    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.severity, &b.message))
        });
        self.items.dedup();
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    pub fn retain(&mut self, f: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(f);
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_sorted().into_iter()
    }
}

/// How a file's path is shown: relative to the working folder when the file
/// is inside it, else as given.
pub fn display_path(path: &Path) -> PathBuf {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = path.strip_prefix(&cwd)
    {
        // The working folder itself is `.`, never an empty name.
        return if rel.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            rel.to_path_buf()
        };
    }
    path.to_path_buf()
}

/// "did you mean" for a misspelled word among the known ones.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = if c.to_lowercase() == lower {
            1.0
        } else {
            strsim::jaro_winkler(&lower, &c.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_line_up_under_wide_characters() {
        assert_eq!(caret_lead("ab", 2), " ");
        assert_eq!(caret_lead("\tx", 2), "\t");
        // 障害 is two characters four columns wide.
        assert_eq!(caret_lead("障害: x", 5), "      ");
        let d = Diagnostic::error(Code::BadValue, "m")
            .in_file("f.md")
            .at(Pos::new(1, 9))
            .with_source("tags: [障害]");
        let text = d.render_human();
        let lines: Vec<&str> = text.lines().collect();
        // Under 害: seven narrow characters and one wide one before it.
        assert_eq!(lines[3], format!("  | {}^", " ".repeat(9)), "{text}");
    }

    #[test]
    fn line_index_counts_lines_and_characters() {
        let text = "ab\nçd\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(0), Pos::new(1, 1));
        assert_eq!(idx.pos(3), Pos::new(2, 1));
        // 'd' is after the two-byte 'ç'
        assert_eq!(idx.pos(5), Pos::new(2, 2));
        assert_eq!(idx.pos(7), Pos::new(3, 1));
        assert_eq!(idx.pos(8), Pos::new(4, 1));
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        let d = Diagnostic::error(Code::BadValue, "unknown severity `\u{1b}]0;PWNED\u{7}`");
        let shown = d.render_human();
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
        assert!(shown.contains("␛]0;PWNED␇"), "{shown}");
        assert!(!d.render_github().contains('\u{1b}'));
        assert_eq!(visible_controls("a\tb\n"), "a\tb\n");
    }

    #[test]
    fn suggestions_find_close_words_only() {
        assert_eq!(
            suggest("severty", ["severity", "summary"]),
            Some("severity")
        );
        assert_eq!(suggest("zzz", ["severity", "summary"]), None);
        assert_eq!(suggest("Title", ["title"]), Some("title"));
    }

    #[test]
    fn a_long_line_is_shown_around_its_column() {
        let line: String = "a".repeat(5_000) + "X" + &"b".repeat(5_000);
        let (shown, col) = excerpt(&line, 5_001);
        assert!(
            shown.chars().count() <= EXCERPT_CHARS + 2,
            "{}",
            shown.len()
        );
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(col - 1), Some('X'));
        let (shown, col) = excerpt(&line, 3);
        assert!(!shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(col, 3);
        assert_eq!(excerpt("short", 2), ("short".to_string(), 2));
    }

    #[test]
    fn human_rendering_puts_the_caret_under_the_column() {
        let d = Diagnostic::error(Code::BadValue, "bad")
            .in_file("a.md")
            .at(Pos::new(2, 5))
            .with_source("one\nkey: value\n")
            .with_hint("fix it");
        let out = d.render_human();
        assert!(out.starts_with("a.md:2:5: error: bad\n"), "{out}");
        assert!(out.contains("2 | key: value\n"), "{out}");
        assert!(out.contains("  |     ^\n"), "{out}");
        assert!(out.contains("= hint: fix it"), "{out}");
    }

    #[test]
    fn github_annotations_escape_their_data() {
        let d = Diagnostic::warning(Code::SingleCause, "a: b\nc")
            .in_file("x,y.md")
            .at(Pos::new(3, 1));
        assert_eq!(
            d.render_github(),
            "::warning file=x%2Cy.md,line=3,col=1,title=single-cause::a: b%0Ac"
        );
    }
}
