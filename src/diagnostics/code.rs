//! The kinds of problem pmsite reports, each with a stable name (shown in
//! messages and in `check --format json`, and used by allow lists). The
//! exit status of a run is chosen from them: usage errors exit 2, other
//! errors 1.

use std::fmt;

use serde::Serialize;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A kind of problem.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable name, e.g. `unknown-key`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    // Reading files and folders.
    Io = "io",
    NotUtf8 = "not-utf8",
    NoRoot = "no-root",
    // book.toml.
    TomlSyntax = "toml-syntax",
    UnknownTheme = "unknown-theme",
    BadOutputDir = "bad-output-dir",
    OutputNotOurs = "output-not-ours",
    // Front matter.
    NoFrontMatter = "no-front-matter",
    UnterminatedFrontMatter = "unterminated-front-matter",
    YamlSyntax = "yaml-syntax",
    UnknownKey = "unknown-key",
    MissingField = "missing-field",
    WrongType = "wrong-type",
    BadValue = "bad-value",
    BadDate = "bad-date",
    BadTime = "bad-time",
    BadId = "bad-id",
    BadSlug = "bad-slug",
    BadTag = "bad-tag",
    BadCause = "bad-cause",
    BadFollowUpStatus = "bad-follow-up-status",
    /// A value that is empty where text is needed.
    Empty = "empty",
    UnknownSeverity = "unknown-severity",
    UnknownCause = "unknown-cause",
    UnknownId = "unknown-id",
    UnknownLint = "unknown-lint",
    DuplicateId = "duplicate-id",
    DuplicatePage = "duplicate-page",
    BadPageName = "bad-page-name",
    /// A file under content/ that would take a path the site makes.
    PathTaken = "path-taken",
    TimelineBackwards = "timeline-backwards",
    // Bodies and templates.
    TooDeep = "too-deep",
    /// An SVG or HTML file under content/ that would run script.
    UnsafeAsset = "unsafe-asset",
    Template = "template",
    BadTemplate = "bad-template",
    // Commands.
    Init = "init",
    /// `pmsite new` would overwrite a file.
    Exists = "exists",
    Import = "import",
    Serve = "serve",
    /// A bad command-line option or option value (exit status 2).
    BadOption = "bad-option",
    /// An unreadable environment variable such as SOURCE_DATE_EPOCH (exit status 2).
    BadEnv = "bad-env",
    /// The output breaks a limit of the static host it is for (or, with
    /// no host chosen, the strictest of them: a warning).
    HostLimit = "host-limit",
    /// A follow-up past its due date (`check --overdue`).
    Overdue = "overdue",
    // Lints: warnings of `pmsite check` that allow lists may silence.
    MissingSection = "missing-section",
    HumanError = "human-error",
    SingleCause = "single-cause",
    NoFollowUps = "no-follow-ups",
    FollowUpOwner = "follow-up-owner",
    FollowUpDue = "follow-up-due",
    TimelineNoDetected = "timeline-no-detected",
    TimelineNoResolved = "timeline-no-resolved",
    MetricMismatch = "metric-mismatch",
    BrokenLink = "broken-link",
    MissingImage = "missing-image",
    /// A code block with a line too long to highlight.
    NotHighlighted = "not-highlighted",
    TimelineBoth = "timeline-both",
    TimelineRollover = "timeline-rollover",
    TimelineDstGap = "timeline-dst-gap",
    SymlinkOutside = "symlink-outside",
    NotRead = "not-read",
    SchemaOutdated = "schema-outdated",
    PassiveVoice = "passive-voice",
    BlameLanguage = "blame-language",
    ReviewOverdue = "review-overdue",
}

/// Every lint, in the order the README lists them, with what it finds.
pub const LINTS: &[Code] = &[
    // a section of [postmortem] sections is missing from the body
    Code::MissingSection,
    // "human error", "operator error" or "user error" given as a cause
    Code::HumanError,
    // only one cause is listed (contributing causes are plural)
    Code::SingleCause,
    // a final postmortem has no follow-up actions
    Code::NoFollowUps,
    // an open or in-progress follow-up has no owner
    Code::FollowUpOwner,
    // an open or in-progress follow-up has no due date
    Code::FollowUpDue,
    // the timeline marks no `detected` milestone
    Code::TimelineNoDetected,
    // the timeline marks no `resolved` milestone
    Code::TimelineNoResolved,
    // a time to detect or recover stated in the body disagrees with the timeline by more than a minute
    Code::MetricMismatch,
    // a relative link leads to no file
    Code::BrokenLink,
    // an image file does not exist
    Code::MissingImage,
    // a code block has a line too long to highlight; it is published unhighlighted
    Code::NotHighlighted,
    // a timeline in both the front matter and the body
    Code::TimelineBoth,
    // a bare time earlier than the previous entry was taken as the next day
    Code::TimelineRollover,
    // a wall-clock time the clocks skipped (moving forward for daylight saving time)
    Code::TimelineDstGap,
    // a symbolic link leads outside content/, nowhere, to a folder or to a file not published, and is skipped
    Code::SymlinkOutside,
    // a Markdown file that is not read: not `.md`, or a page in a sub-folder
    Code::NotRead,
    // the editor schema file differs from what `pmsite schema` prints now
    Code::SchemaOutdated,
    // an agentless passive ("the config was changed") about causes or what went poorly
    Code::PassiveVoice,
    // words that judge a person ("careless", "should have known", "X's fault")
    Code::BlameLanguage,
    // still draft or in review more than [postmortem] review-days after the incident
    Code::ReviewOverdue,
];

impl Code {
    /// Is it a usage error (a bad option or environment variable)? Those
    /// exit with status 2, every other error with 1.
    pub fn is_usage(self) -> bool {
        matches!(self, Code::BadOption | Code::BadEnv)
    }

    /// Is it a lint, which allow lists may name?
    pub fn is_lint(self) -> bool {
        LINTS.contains(&self)
    }

    /// The lint of this name, if there is one.
    pub fn lint(name: &str) -> Option<Code> {
        LINTS.iter().copied().find(|c| c.as_str() == name)
    }

    /// The names allow lists accept.
    pub fn lint_names() -> Vec<&'static str> {
        LINTS.iter().map(|c| c.as_str()).collect()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{c}"
            );
        }
    }

    #[test]
    fn lints_are_found_by_name() {
        assert_eq!(Code::lint("single-cause"), Some(Code::SingleCause));
        assert_eq!(Code::lint("io"), None);
        assert!(Code::HumanError.is_lint());
        assert!(!Code::BadOption.is_lint());
        assert!(Code::BadEnv.is_usage());
    }
}
