//! A postmortem and a free page as the model holds them, with the file
//! they were read from (its text and where its parts are, for messages).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::diagnostics::yaml::{Target, YamlLocator, YamlPath};
use crate::diagnostics::{Diagnostic, Pos, display_path};
use crate::model::followup::FollowUp;
use crate::model::timeline::{TimelineEntry, TimelineSource};

/// What a content file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    Postmortem,
    Page,
}

/// A content file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceFile {
    pub kind: SourceKind,
    /// Absolute (or as given with --root) path.
    pub path: PathBuf,
    /// Relative to the knowledge base root, with `/` separators.
    pub rel: String,
    /// Relative to the content folder (`postmortems/2018/x.md`): how links
    /// between content files are resolved.
    pub content_rel: String,
    /// As shown in messages.
    pub shown: PathBuf,
}

pub fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

impl SourceFile {
    pub fn new(kind: SourceKind, root: &Path, content: &Path, path: PathBuf) -> Self {
        let rel = slash_path(path.strip_prefix(root).unwrap_or(&path));
        let content_rel = slash_path(path.strip_prefix(content).unwrap_or(&path));
        let shown = display_path(&path);
        SourceFile {
            kind,
            path,
            rel,
            content_rel,
            shown,
        }
    }

    /// The file name without `.md`.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    InReview,
    Final,
}

impl Status {
    pub const NAMES: &'static [&'static str] = &["draft", "in-review", "final"];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Status::Draft,
            "in-review" => Status::InReview,
            "final" => Status::Final,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in-review",
            Status::Final => "final",
        }
    }
}

/// What a postmortem is about: an incident that harmed users, a near
/// miss that could have, or an exercise (a tabletop, a game day, a chaos
/// test) that practised one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    #[default]
    Incident,
    NearMiss,
    Exercise,
}

impl Kind {
    pub const NAMES: &'static [&'static str] = &["incident", "near-miss", "exercise"];
    pub const ALL: [Kind; 3] = [Kind::Incident, Kind::NearMiss, Kind::Exercise];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "incident" => Kind::Incident,
            "near-miss" => Kind::NearMiss,
            "exercise" => Kind::Exercise,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::NearMiss => "near-miss",
            Kind::Exercise => "exercise",
        }
    }

    /// As a badge or a heading: `near miss`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::NearMiss => "near miss",
            Kind::Exercise => "exercise",
        }
    }

    /// `near misses`.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Incident => "incidents",
            Kind::NearMiss => "near misses",
            Kind::Exercise => "exercises",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Internal,
}

/// A reference to another postmortem, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdRef {
    pub id: String,
    pub path: YamlPath,
}

/// The source of a file: its text and where its parts are.
#[derive(Clone, Debug)]
pub struct Source {
    pub file: SourceFile,
    pub text: Arc<str>,
    /// xxh3 of the text, for caches.
    pub hash: u64,
    pub yaml: Range<usize>,
    pub yaml_line: usize,
    pub body: Range<usize>,
    pub body_line: usize,
    /// Where every key and value of the front matter is: made once, the
    /// first time a problem needs a position.
    pub positions: Arc<OnceLock<YamlLocator>>,
    /// Where each line starts: made once, the first time a problem shows
    /// its line.
    pub line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl Source {
    /// A file's text, cut at the given front matter and body ranges.
    pub fn new(
        file: SourceFile,
        text: Arc<str>,
        yaml: (Range<usize>, usize),
        body: (Range<usize>, usize),
    ) -> Self {
        let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        Source {
            file,
            text,
            hash,
            yaml: yaml.0,
            yaml_line: yaml.1,
            body: body.0,
            body_line: body.1,
            positions: Arc::default(),
            line_starts: Arc::default(),
        }
    }

    /// Line `n` (1-based) of the file, as `text.lines().nth(n - 1)`.
    pub fn line(&self, n: usize) -> Option<&str> {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.text
                        .bytes()
                        .enumerate()
                        .filter(|(_, b)| *b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        });
        let start = *starts.get(n.checked_sub(1)?)?;
        if start >= self.text.len() {
            return None;
        }
        let end = starts.get(n).map_or(self.text.len(), |e| e - 1);
        self.text.get(start..end)
    }

    /// Attaches the offending line of this file to a diagnostic.
    pub fn with_line(&self, d: Diagnostic) -> Diagnostic {
        let line = self.line(d.line);
        d.with_source_line(line)
    }

    /// The positioned front matter, read (once) on first use.
    pub fn positions(&self) -> &YamlLocator {
        self.positions
            .get_or_init(|| YamlLocator::new(&self.text[self.yaml.clone()]))
    }

    pub fn yaml_text(&self) -> &str {
        &self.text[self.yaml.clone()]
    }

    pub fn body_text(&self) -> &str {
        &self.text[self.body.clone()]
    }

    /// Where a front matter path is in the file.
    pub fn locate(&self, path: &YamlPath, target: Target) -> Pos {
        self.positions()
            .find(path, target)
            .map(|p| p.offset_lines(self.yaml_line))
            .unwrap_or(Pos::new(1, 1))
    }

    /// A diagnostic about a front matter path.
    pub fn diagnostic_at(&self, d: Diagnostic, path: &YamlPath, target: Target) -> Diagnostic {
        let pos = self.locate(path, target);
        self.with_line(d.in_file(&self.file.shown).at(pos))
    }

    /// A diagnostic about a body position (line counted in the body).
    pub fn diagnostic_in_body(&self, d: Diagnostic, body_pos: Pos) -> Diagnostic {
        self.with_line(
            d.in_file(&self.file.shown)
                .at(body_pos.offset_lines(self.body_line)),
        )
    }
}

/// A postmortem as written.
#[derive(Clone, Debug)]
pub struct Postmortem {
    pub source: Source,
    pub id: String,
    pub title: String,
    pub date: Date,
    pub status: Status,
    pub severity: Option<String>,
    pub summary: Option<String>,
    pub impact: Option<String>,
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub authors: Vec<String>,
    /// Contributing causes, the trigger included.
    pub causes: Vec<String>,
    pub trigger: Option<String>,
    pub detection: Option<String>,
    pub tags: Vec<String>,
    pub visibility: Visibility,
    pub kind: Kind,
    pub timezone: TimeZone,
    pub timeline: Vec<TimelineEntry>,
    pub timeline_source: TimelineSource,
    pub follow_ups: Vec<FollowUp>,
    pub related: Vec<IdRef>,
    pub lint_allow: Vec<String>,
    /// The original report, when the postmortem was imported from one.
    pub source_url: Option<String>,
    /// Fields another tool wrote (kept by `pmsite import`), in the order
    /// written: strings, numbers, booleans or lists of those.
    pub extra: Vec<(String, serde_json::Value)>,
    /// Problems that do not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// The file has errors (already reported): it is checked against the
    /// others but never built.
    pub has_errors: bool,
}

/// A free page (content/pages/*.md).
#[derive(Clone, Debug)]
pub struct Page {
    pub source: Source,
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub weight: i64,
    pub draft: bool,
}
