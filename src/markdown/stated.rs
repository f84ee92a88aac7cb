//! Times to detect and to recover as a postmortem states them in its own
//! words ("Time to detection: 6 minutes", "TTR 1h 5m", a Stats list), so
//! that `pmsite check` can compare them with what the timeline gives, and
//! `pmsite import` can use them to find the timeline's milestones.

use std::sync::LazyLock;

use regex::Regex;

/// Which duration a statement gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatedKind {
    /// Time to detect (from the start until the incident was noticed).
    Detect,
    /// Time to recover, restore, mitigate or resolve (from the start until
    /// users were no longer affected).
    Recover,
}

impl StatedKind {
    pub fn label(self) -> &'static str {
        match self {
            StatedKind::Detect => "time to detection",
            StatedKind::Recover => "time to recovery",
        }
    }
}

/// One stated duration, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stated {
    pub kind: StatedKind,
    /// The duration in seconds.
    pub secs: i64,
    /// How far a derived value may be from it and still agree: a minute,
    /// or half the smallest unit written when that is coarser ("7 hours"
    /// agrees with anything within half an hour).
    pub tolerance: i64,
    /// The duration as written, e.g. `3 hours 10 minutes`.
    pub text: String,
    /// 1-based line and column (in characters) in the scanned text.
    pub line: usize,
    pub column: usize,
}

impl Stated {
    /// Does a derived duration agree with this statement?
    pub fn agrees(&self, derived_secs: i64) -> bool {
        (derived_secs - self.secs).abs() <= self.tolerance
    }
}

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?:^|[^A-Za-z0-9])
        (?P<label>
            m?ttd | m?ttr | m?ttm | m?tta
          | (?:mean\s+)?time[\s-]+to[\s-]+
            (?P<what>detect(?:ion)?|discover(?:y)?|notice|recover(?:y)?|restor(?:e|ation)
                     |resol(?:ve|ution)|mitigat(?:e|ion)|repair|fix)
        )
        (?:[*_]{1,2})?
        (?:\s*(?:[:=–—-]|\bwas\b|\bof\b|\bis\b)\s*|\s+)
        (?:[*_]{1,2})?
        (?:(?:~|≈|about|approx\.?|approximately|around|roughly|ca\.?)\s*)?
        (?P<rest>\d.*)$",
    )
    .expect("the label pattern is valid")
});

static DURATION_PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^\s*(?:and\s+|,\s*)?
        (?P<n>\d+(?:\.\d+)?)\s*
        (?P<u>days?|d|hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b",
    )
    .expect("the duration pattern is valid")
});

/// Reads a duration written at the start of a text: `8 minutes`,
/// `19 hours 43 minutes`, `1h 5m`, `11 Days`, `90s`. Returns seconds, the
/// tolerance (see [`Stated::tolerance`]) and how many bytes were used.
pub fn parse_duration(text: &str) -> Option<(i64, i64, usize)> {
    let mut total = 0.0_f64;
    let mut used = 0;
    let mut finest = i64::MAX;
    let mut rest = text;
    while let Some(c) = DURATION_PART.captures(rest) {
        let whole = c.get(0)?;
        let n: f64 = c["n"].parse().ok()?;
        let unit = c["u"].to_lowercase();
        let secs = match unit.as_str() {
            "d" | "day" | "days" => 86_400,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            _ => 1,
        };
        // A fraction makes the written unit finer: "1.5 hours" is to the
        // half hour.
        let step = if c["n"].contains('.') {
            secs / 10
        } else {
            secs
        };
        finest = finest.min(step.max(1));
        total += n * secs as f64;
        used += whole.end();
        rest = &rest[whole.end()..];
    }
    if used == 0 {
        return None;
    }
    let tolerance = (finest / 2).max(60);
    Some((total.round() as i64, tolerance, used))
}

/// Finds the stated times to detect and to recover in a Markdown text
/// (fenced code is skipped). Positions are counted in `text`.
pub fn find_stated(text: &str) -> Vec<Stated> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") {
            fence = Some("```");
            continue;
        }
        if trimmed.starts_with("~~~") {
            fence = Some("~~~");
            continue;
        }
        let Some(c) = LABEL.captures(line) else {
            continue;
        };
        let (Some(label), Some(rest)) = (c.name("label"), c.name("rest")) else {
            continue;
        };
        let Some((secs, tolerance, used)) = parse_duration(rest.as_str()) else {
            continue;
        };
        let l = label.as_str().to_lowercase();
        let kind = if l.ends_with("ttd")
            || l.contains("detect")
            || l.contains("discover")
            || l.contains("notice")
        {
            StatedKind::Detect
        } else if l.ends_with("tta") {
            continue;
        } else {
            StatedKind::Recover
        };
        let written = rest.as_str()[..used].trim().trim_end_matches([',', '.']);
        out.push(Stated {
            kind,
            secs,
            tolerance,
            text: written.to_string(),
            line: i + 1,
            column: line[..label.start()].chars().count() + 1,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Stated {
        let found = find_stated(text);
        assert_eq!(found.len(), 1, "{text:?}: {found:?}");
        found.into_iter().next().unwrap()
    }

    #[test]
    fn stats_lists_and_prose() {
        let s = one("- Time to detection: 6 minutes\n");
        assert_eq!((s.kind, s.secs, s.tolerance), (StatedKind::Detect, 360, 60));
        assert_eq!((s.line, s.column), (1, 3));
        let s = one("- Time to recovery:  14 hours 35 minutes.\n");
        assert_eq!((s.kind, s.secs), (StatedKind::Recover, 14 * 3600 + 35 * 60));
        assert_eq!(s.text, "14 hours 35 minutes");
        let s = one("The time to detection was 1 minutes, thanks to alerts.");
        assert_eq!(s.secs, 60);
        let s = one("**TTD** 8m");
        assert_eq!((s.kind, s.secs), (StatedKind::Detect, 480));
        let s = one("* TTR: 1h 5m");
        assert_eq!((s.kind, s.secs), (StatedKind::Recover, 3900));
        let s = one("- Time to detection: 4 Days");
        assert_eq!((s.secs, s.tolerance), (4 * 86_400, 43_200));
        let s = one("- Time to recovery: 7 hours");
        assert_eq!(s.tolerance, 1800);
        let s = one("- Time to recovery: 163 minutes [^2]");
        assert_eq!(s.secs, 163 * 60);
    }

    #[test]
    fn unknown_values_and_code_are_skipped() {
        assert!(find_stated("- Time to detection: N/A\n- Time to recovery: ?\n").is_empty());
        assert!(find_stated("```\nTTD 8m\n```\n").is_empty());
        assert!(find_stated("Attend the meeting at 9").is_empty());
    }

    #[test]
    fn agreement_is_within_the_tolerance() {
        let s = one("Time to recovery: 40 minutes");
        assert!(s.agrees(40 * 60 + 59));
        assert!(s.agrees(39 * 60));
        assert!(!s.agrees(42 * 60));
    }
}
