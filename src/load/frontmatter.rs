//! Front matter: splitting it from the body, parsing it with serde_yaml,
//! and reading typed fields out of it while collecting every problem with
//! the path of the field it concerns.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde_yaml::{Mapping, Value};

use crate::diagnostics::yaml::{Target, YamlPath};
use crate::diagnostics::{Code, Diagnostic, Pos, suggest};
use crate::model::postmortem::Source;

/// A file cut in two: the YAML between the `---` lines, and the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Byte range of the YAML text in the file.
    pub yaml: Range<usize>,
    /// The file line on which the YAML text starts.
    pub yaml_line: usize,
    /// Byte range of the body.
    pub body: Range<usize>,
    /// The file line on which the body starts.
    pub body_line: usize,
}

/// Why a file has no usable front matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    Missing,
    Unterminated,
}

/// Finds the front matter: a first line `---`, then YAML, then a line `---`
/// (or `...`).
pub fn split(text: &str) -> Result<Split, SplitError> {
    let mut lines = line_spans(text);
    let Some(first) = lines.next() else {
        return Err(SplitError::Missing);
    };
    if text[first.clone()].trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.end;
    let mut line_no = 1;
    for span in lines {
        line_no += 1;
        let line = text[span.clone()].trim_end();
        if line == "---" || line == "..." {
            let body_start = span.end;
            return Ok(Split {
                yaml: yaml_start..span.start,
                yaml_line: 2,
                body: body_start..text.len(),
                body_line: line_no + 1,
            });
        }
    }
    Err(SplitError::Unterminated)
}

/// Byte ranges of each line including its newline.
fn line_spans(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        let r = start..end;
        start = end;
        Some(r)
    })
}

/// Parses the YAML of a front matter into a mapping. Syntax errors carry
/// their position in the file.
pub fn parse_yaml(yaml: &str, yaml_line: usize) -> Result<Mapping, Diagnostic> {
    if yaml.trim().is_empty() {
        return Ok(Mapping::new());
    }
    if let Some(pos) = too_deep_flow(yaml) {
        return Err(Diagnostic::error(
            Code::YamlSyntax,
            format!("invalid YAML: brackets nested more than {MAX_FLOW_NESTING} levels deep"),
        )
        .at(pos.offset_lines(yaml_line))
        .with_hint("front matter holds short lists and mappings; close the brackets opened here"));
    }
    match serde_yaml::from_str::<Value>(yaml) {
        Ok(Value::Mapping(m)) => Ok(m),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(other) => Err(Diagnostic::error(
            Code::WrongType,
            format!(
                "front matter must be a mapping of `key: value` lines, found {}",
                type_name(&other)
            ),
        )
        .at(Pos::new(yaml_line, 1))),
        Err(e) => {
            let full = e.to_string();
            let msg = yaml_message(&full);
            // serde_yaml places these at the start of the text.
            let pos = locate_unplaced(yaml, &full)
                .or_else(|| e.location().map(|l| Pos::new(l.line(), l.column())))
                .map(|p| p.offset_lines(yaml_line))
                .unwrap_or(Pos::new(yaml_line, 1));
            Err(
                Diagnostic::error(Code::YamlSyntax, format!("invalid YAML: {msg}"))
                    .at(pos)
                    .maybe_hint(yaml_hint(&msg)),
            )
        }
    }
}

/// The deepest `[`/`{` nesting a front matter may have: the YAML parser
/// takes more than quadratic time on deeper (crafted) input.
const MAX_FLOW_NESTING: usize = 64;

/// Where brackets first nest deeper than [`MAX_FLOW_NESTING`] (quoted
/// text and comments aside), counted in the YAML.
fn too_deep_flow(yaml: &str) -> Option<Pos> {
    let mut depth = 0usize;
    for (i, line) in yaml.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (col, c) in line.chars().enumerate() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '"' | '\'' => quote = Some(c),
                    '#' if prev.is_whitespace() => break,
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_FLOW_NESTING {
                            return Some(Pos::new(i + 1, col + 1));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            prev = c;
        }
    }
    None
}

/// A position for the YAML errors serde_yaml gives none: a duplicate key
/// (its second occurrence) and a character at a position in the text.
fn locate_unplaced(yaml: &str, full: &str) -> Option<Pos> {
    let msg = full;
    static DUPLICATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"duplicate entry with key "([^"]*)""#).expect("valid pattern")
    });
    static AT_POSITION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"at position (\d+)").expect("valid pattern"));
    if let Some(c) = DUPLICATE.captures(msg) {
        let key = &c[1];
        let (line, text) = yaml
            .lines()
            .enumerate()
            .filter(|(_, l)| {
                let t = l.trim_start();
                let t = t.strip_prefix("- ").unwrap_or(t);
                [
                    format!("{key}:"),
                    format!("\"{key}\":"),
                    format!("'{key}':"),
                ]
                .iter()
                .any(|k| t.starts_with(k.as_str()))
            })
            .nth(1)?;
        let col = text.len() - text.trim_start().len() + 1;
        return Some(Pos::new(line + 1, col));
    }
    if let Some(c) = AT_POSITION.captures(full) {
        let at: usize = c[1].parse().ok()?;
        let before: String = yaml.chars().take(at).collect();
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return Some(Pos::new(line, col));
    }
    None
}

/// serde_yaml appends " at line L column C" to messages; the position is
/// printed separately (counted in the file), so drop it.
fn yaml_message(msg: &str) -> String {
    let msg = match msg.find(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    };
    // "… at position 72": an offset in the front matter, given as a
    // position instead.
    match msg.find(" at position ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn yaml_hint(msg: &str) -> Option<String> {
    if msg.contains("mapping values are not allowed") {
        Some(
            "a value containing `: ` must be quoted, e.g. title: \"API outage: slow calls\"".into(),
        )
    } else if msg.contains("did not find expected")
        || msg.contains("found character that cannot start")
    {
        Some("check the indentation and quote values that start with special characters such as `*`, `&`, `@` or `` ` ``".into())
    } else if msg.contains("unexpected end of stream") {
        Some("a quote or bracket opened in the front matter is never closed".into())
    } else if msg.contains("duplicate entry") {
        Some("each key may appear only once".into())
    } else {
        None
    }
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A problem with a field, before its position is known.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub path: YamlPath,
    pub target: Target,
    pub code: Code,
    pub message: String,
    pub hint: Option<String>,
    pub warning: bool,
}

/// Collects problems while reading fields.
#[derive(Debug, Default)]
pub struct FieldErrors {
    pub items: Vec<FieldError>,
}

impl FieldErrors {
    pub fn error(
        &mut self,
        path: YamlPath,
        target: Target,
        code: Code,
        message: String,
        hint: Option<String>,
    ) {
        self.items.push(FieldError {
            path,
            target,
            code,
            message,
            hint,
            warning: false,
        });
    }

    pub fn warning(
        &mut self,
        path: YamlPath,
        target: Target,
        code: Code,
        message: String,
        hint: Option<String>,
    ) {
        self.items.push(FieldError {
            path,
            target,
            code,
            message,
            hint,
            warning: true,
        });
    }

    /// Gives each problem its place in the file, from the file's positioned
    /// front matter (read once, when there is something to report).
    pub fn into_diagnostics(self, source: &Source) -> Vec<Diagnostic> {
        if self.items.is_empty() {
            return Vec::new();
        }
        let yaml_line = source.yaml_line;
        let locator = source.positions();
        self.items
            .into_iter()
            .map(|e| {
                let pos = locator
                    .find(&e.path, e.target)
                    .map(|p| p.offset_lines(yaml_line))
                    .unwrap_or(Pos::new(yaml_line.saturating_sub(1).max(1), 1));
                let d = if e.warning {
                    Diagnostic::warning(e.code, e.message)
                } else {
                    Diagnostic::error(e.code, e.message)
                };
                source.with_line(d.in_file(&source.file.shown).at(pos).maybe_hint(e.hint))
            })
            .collect()
    }
}

/// Reads typed fields from a YAML mapping.
pub struct Fields<'v> {
    pub map: &'v Mapping,
    pub path: YamlPath,
}

impl<'v> Fields<'v> {
    pub fn new(map: &'v Mapping, path: YamlPath) -> Self {
        Fields { map, path }
    }

    /// Reports keys that are not in `known`, with a suggestion.
    pub fn check_keys(&self, known: &[&str], what: &str, errs: &mut FieldErrors) {
        for k in self.map.keys() {
            let name = match k {
                Value::String(s) => s.clone(),
                other => {
                    errs.error(
                        self.path.clone(),
                        Target::Value,
                        Code::UnknownKey,
                        format!("keys {what} must be names, found {}", type_name(other)),
                        None,
                    );
                    continue;
                }
            };
            if !known.contains(&name.as_str()) {
                let hint = match suggest(&name, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known keys {what}: {}", known.join(", ")),
                };
                errs.error(
                    self.path.key(&name),
                    Target::Key,
                    Code::UnknownKey,
                    format!("unknown key `{name}` {what}"),
                    Some(hint),
                );
            }
        }
    }

    /// The value of a key; `~`/empty counts as absent.
    pub fn get(&self, key: &str) -> Option<&'v Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &Value, errs: &mut FieldErrors) {
        errs.error(
            self.path.key(key),
            Target::Value,
            Code::WrongType,
            format!("`{key}` must be {expected}, found {}", type_name(found)),
            None,
        );
    }

    /// A string; numbers are taken as their text (`ticket: 123`).
    pub fn string(&self, key: &str, errs: &mut FieldErrors) -> Option<String> {
        let v = self.get(key)?;
        match scalar_text(v) {
            Some(s) => Some(s),
            None => {
                self.wrong_type(key, "text", v, errs);
                None
            }
        }
    }

    /// A non-empty single-line string.
    pub fn text(&self, key: &str, errs: &mut FieldErrors) -> Option<String> {
        let s = self.string(key, errs)?;
        let t = s.trim();
        if t.is_empty() {
            errs.error(
                self.path.key(key),
                Target::Value,
                Code::Empty,
                format!("`{key}` is empty"),
                None,
            );
            return None;
        }
        Some(t.to_string())
    }

    pub fn boolean(&self, key: &str, errs: &mut FieldErrors) -> Option<bool> {
        let v = self.get(key)?;
        match v {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(key, "true or false", v, errs);
                None
            }
        }
    }

    /// A list of strings, each with its path.
    pub fn string_list(&self, key: &str, errs: &mut FieldErrors) -> Vec<(String, YamlPath)> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let Value::Sequence(items) = v else {
            errs.error(
                self.path.key(key),
                Target::Value,
                Code::WrongType,
                format!("`{key}` must be a list, found {}", type_name(v)),
                scalar_text(v).map(|s| format!("write `{key}: [{s}]`")),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match scalar_text(item) {
                Some(s) if !s.trim().is_empty() => {
                    out.push((s.trim().to_string(), self.path.key(key).index(i)))
                }
                Some(_) => errs.error(
                    self.path.key(key).index(i),
                    Target::Value,
                    Code::Empty,
                    format!("`{key}` has an empty entry"),
                    None,
                ),
                None => errs.error(
                    self.path.key(key).index(i),
                    Target::Value,
                    Code::WrongType,
                    format!(
                        "each entry of `{key}` must be text, found {}",
                        type_name(item)
                    ),
                    None,
                ),
            }
        }
        out
    }

    /// A list of mappings (timeline entries, follow-ups).
    pub fn map_list(&self, key: &str, errs: &mut FieldErrors) -> Vec<(Fields<'v>, usize)> {
        let Some(v) = self.get(key) else {
            return Vec::new();
        };
        let Value::Sequence(items) = v else {
            self.wrong_type(key, "a list", v, errs);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::Mapping(m) => out.push((Fields::new(m, self.path.key(key).index(i)), i)),
                other => errs.error(
                    self.path.key(key).index(i),
                    Target::Value,
                    Code::WrongType,
                    format!(
                        "each entry of `{key}` must be a mapping of `key: value` lines, found {}",
                        type_name(other)
                    ),
                    None,
                ),
            }
        }
        out
    }

    /// A nested mapping.
    pub fn mapping(&self, key: &str, errs: &mut FieldErrors) -> Option<Fields<'v>> {
        let v = self.get(key)?;
        match v {
            Value::Mapping(m) => Some(Fields::new(m, self.path.key(key))),
            _ => {
                self.wrong_type(key, "a mapping", v, errs);
                None
            }
        }
    }

    /// A calendar date, `YYYY-MM-DD` (a full timestamp is taken at its date).
    pub fn date(&self, key: &str, errs: &mut FieldErrors) -> Option<jiff::civil::Date> {
        let s = self.string(key, errs)?;
        match parse_date(&s) {
            Some(d) => Some(d),
            None => {
                errs.error(
                    self.path.key(key),
                    Target::Value,
                    Code::BadDate,
                    format!("`{key}` is not a valid date: `{s}`"),
                    Some("write dates as YYYY-MM-DD, e.g. 2018-04-12".into()),
                );
                None
            }
        }
    }
}

/// `2018-04-12`, or the date of `2018-04-12T09:00:00Z` / `2018-04-12 09:00`.
pub fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<jiff::civil::Date>()
        && s.len() == 10
    {
        return Some(d);
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        // The date as written, whatever the offset.
        return s
            .get(..10)?
            .parse()
            .ok()
            .or(Some(ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()));
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return Some(dt.date());
    }
    None
}

/// The text of a scalar (strings, numbers); not of booleans or collections.
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let text = "---\ntitle: x\ndate: 2018-01-01\n---\n\n# Body\n";
        let s = split(text).unwrap();
        assert_eq!(&text[s.yaml.clone()], "title: x\ndate: 2018-01-01\n");
        assert_eq!(s.yaml_line, 2);
        assert_eq!(s.body_line, 5);
        assert_eq!(&text[s.body.clone()], "\n# Body\n");
    }

    #[test]
    fn crlf_and_dots_close_front_matter() {
        let text = "---\r\ntitle: x\r\n...\r\nbody";
        let s = split(text).unwrap();
        assert_eq!(&text[s.body.clone()], "body");
    }

    #[test]
    fn missing_and_unterminated() {
        assert_eq!(split("# Title\n"), Err(SplitError::Missing));
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("---\ntitle: x\n"), Err(SplitError::Unterminated));
    }

    #[test]
    fn yaml_errors_are_placed_in_the_file() {
        let d = parse_yaml("title: a\nsummary: [unclosed\n", 2).unwrap_err();
        assert_eq!(d.code.as_str(), "yaml-syntax");
        assert!(d.line >= 3, "{d:?}");
        assert!(!d.message.contains(" at line "), "{}", d.message);
        let d = parse_yaml("title: API outage: slow\n", 2).unwrap_err();
        assert_eq!(d.line, 2);
        assert!(d.hint.is_some());
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2018-04-12"),
            Some(jiff::civil::date(2018, 4, 12))
        );
        assert_eq!(
            parse_date("2018-04-12T23:30:00-05:00"),
            Some(jiff::civil::date(2018, 4, 12))
        );
        assert_eq!(parse_date("2018-02-30"), None);
        assert_eq!(parse_date("12/04/2018"), None);
        assert_eq!(parse_date("2018-4-1"), None);
    }
}
