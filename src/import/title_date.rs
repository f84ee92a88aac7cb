//! A converted file's title and incident date: stated in its front matter,
//! else read from its headings, its file name and the dates in its text.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use super::blocks::Block;
use super::convert::Source;
use super::foreign_front_matter::Mapped;
use super::timeline::Timeline;
use super::times;
use crate::markdown::vocabulary::{heading_words, is_only_a_section_name};
use crate::model::timeline::Milestone;

static TITLE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:incident\s+date\s*:\s*)?(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})(?:\s+\d{1,2}:\d{2}\s*(?:[ap]m)?(?:\s+[A-Z]{2,4})?)?\s*[,:|–—-]?\s*")
        .expect("valid pattern")
});
static TITLE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:\[(?:incident|post[\s-]?mortem|outage|rca|resolved|update)\]\s*|\((?:incident|post[\s-]?mortem|outage|rca|resolved)\)\s*|(?:post[\s-]?mortem|incident(?:\s+(?:report|review|post[\s-]?mortem|summary))?|outage(?:\s+report)?|rca|root cause analysis|pm\d{4}-\d{3})\s*(?:[:|–—-]|\s-)\s*|(?:post[\s-]?mortem|incident report)\s+(?:for|of|on)\s+)")
        .expect("valid pattern")
});
static TRAILING_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\s*(?:[-–—|,:]\s*|\()(?:on\s+)?(?:\d{4}-\d{2}-\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+\d{4})\)?\s*$")
        .expect("valid pattern")
});
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
        .expect("valid pattern")
});

/// "2020-08-03, \"read-only disk\"" → "read-only disk"; "Post-Mortem:
/// Retries" → "Retries"; "[Incident] Login down" → "Login down";
/// "Incident report - API" → "API"; leading and trailing separators go.
pub fn clean_title(t: &str) -> String {
    let mut t = t.trim().to_string();
    // Prefixes and dates may come in either order, more than once.
    for _ in 0..3 {
        let before = t.clone();
        t = TITLE_DATE.replace(&t, "").into_owned();
        t = TITLE_PREFIX.replace(&t, "").into_owned();
        let without = TRAILING_DATE.replace(&t, "").into_owned();
        if !without.trim().is_empty() {
            t = without;
        }
        if t == before {
            break;
        }
    }
    let t = t
        .trim()
        .trim_matches(|c: char| matches!(c, '-' | '–' | '—' | ':' | '|' | ',' | '·'))
        .trim();
    let t = if t.len() > 2 && t.starts_with('"') && t.ends_with('"') && t.matches('"').count() == 2
    {
        &t[1..t.len() - 1]
    } else {
        t
    };
    t.trim().to_string()
}

/// Is a file name an identifier (a UUID, a hash) rather than words?
fn is_identifier(stem: &str) -> bool {
    let s = stem.trim();
    UUID.is_match(s)
        || (s.len() >= 12
            && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
            && s.chars().any(|c| c.is_ascii_digit()))
}

/// The title and the heading it was taken from: front matter, else the
/// first level-1 heading, else the first heading before any text, else
/// the file name (never an identifier such as a UUID).
pub(super) fn title(src: &mut Source, fm: &Mapped) -> String {
    let blocks = &src.blocks;
    // A heading that is a section's name and nothing more is no title; a
    // title may contain one ("Timeline service outage").
    let is_section_name = |i: usize| {
        matches!(&blocks[i], Block::Heading { text, .. } if is_only_a_section_name(text)
            || src.config.postmortem.sections.iter().any(|s| heading_words(text) == heading_words(s)))
    };
    let first_h1 = (0..blocks.len())
        .find(|&i| matches!(blocks[i], Block::Heading { level: 1, .. }) && !is_section_name(i));
    let first_heading = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { .. }));
    let title_block = first_h1.or(first_heading.filter(|&i| i == 0 && !is_section_name(i)));
    src.title_block = title_block;
    match (fm.title.clone(), title_block) {
        (Some(t), _) => t,
        (None, Some(i)) => title_from_heading(src, i),
        (None, None) => title_from_file_name(src),
    }
}

/// The title a heading gives; the heading leaves the body when it is the
/// first block.
fn title_from_heading(src: &mut Source, i: usize) -> String {
    let Block::Heading {
        text, line, end, ..
    } = &src.blocks[i]
    else {
        unreachable!("a heading block")
    };
    if i == 0 {
        for l in *line..=*end {
            src.remove.insert(l);
        }
    }
    let t = clean_title(text);
    if t.is_empty() {
        title_from_file_name(src)
    } else {
        t
    }
}

fn title_from_file_name(src: &mut Source) -> String {
    if is_identifier(src.stem) {
        let t = first_words(src).unwrap_or_else(|| "Untitled incident".into());
        src.note(
            1,
            format!("no heading to take the title from, and the file name is an identifier; the title is \"{t}\": set `title:`"),
        );
        return t;
    }
    src.note(
        1,
        "no heading to take the title from; the file name is used",
    );
    let t = clean_title(&clean_title(src.stem).replace(['-', '_'], " "));
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => "Untitled incident".into(),
    }
}

/// The first sentence of the body, at most eight words.
fn first_words(src: &Source) -> Option<String> {
    let text = src.blocks.iter().find_map(|b| match b {
        Block::Para { text, .. } if !text.trim().is_empty() => Some(text.clone()),
        _ => None,
    })?;
    let sentence = text.split(['.', '!', '?']).next().unwrap_or(&text);
    let words: Vec<&str> = sentence.split_whitespace().take(8).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The dates a file gives before its timeline is read.
pub(super) struct Dates {
    /// The year in the file name.
    year_hint: Option<i16>,
    /// The date the front matter or the file name states.
    pub stated: Option<Date>,
    /// The first date in the text, in the file name's year when it gives
    /// one.
    first_in_text: Option<Date>,
}

impl Dates {
    pub fn read(fm: &Mapped, stem: &str, body: &str) -> Self {
        let year_hint = times::year_in_name(stem);
        let stated = fm.date.map(|d| d.0).or_else(|| times::date_in_name(stem));
        let text_dates = times::dates_in(body);
        let first_in_text = text_dates
            .iter()
            .map(|(_, d)| *d)
            .find(|d| year_hint.is_none_or(|y| d.year() == y))
            .or_else(|| text_dates.first().map(|(_, d)| *d));
        Dates {
            year_hint,
            stated,
            first_in_text,
        }
    }

    /// What the timeline's dates are read with: the day bare times are on
    /// (and whether it is stated), the year of dates written without one.
    pub fn context(
        &self,
        order: Option<times::DateOrder>,
    ) -> (times::DateContext, Option<(Date, bool)>) {
        let anchor = self
            .stated
            .map(|d| (d, true))
            .or(self.first_in_text.map(|d| (d, false)));
        let ctx = times::DateContext {
            year: anchor.map(|a| a.0.year()).or(self.year_hint),
            order,
            anchor: self.stated,
        };
        (ctx, anchor)
    }

    /// The incident date: the stated one, else the day the timeline
    /// starts, else the first in the text. `None`: nothing gives one (a
    /// date is never made up).
    pub fn incident_date(&self, timeline: &Timeline) -> Option<Date> {
        let started_day = timeline
            .entries
            .iter()
            .find(|e| e.kind == Milestone::Started)
            .or(timeline.entries.first())
            .map(|e| e.at.to_zoned_datetime(timeline.tz.clone()).date());
        self.stated.or(started_day).or(self.first_in_text)
    }

    /// The year the file name gives, for the message when no date is
    /// found.
    pub fn year_hint(&self) -> Option<i16> {
        self.year_hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cleaned() {
        assert_eq!(
            clean_title("2020-08-03, \"read-only file system on worker\""),
            "read-only file system on worker"
        );
        assert_eq!(
            clean_title("2019-07-16 9:41AM PST, DNS (Domain Name System) Timeouts"),
            "DNS (Domain Name System) Timeouts"
        );
        assert_eq!(
            clean_title("incident date: 2021-11-04, metrics export stalled"),
            "metrics export stalled"
        );
        assert_eq!(
            clean_title("Post-Mortem: Rollout of the CLI"),
            "Rollout of the CLI"
        );
        assert_eq!(
            clean_title("2020-01-29 HAProxy restart loop"),
            "HAProxy restart loop"
        );
        assert_eq!(clean_title("[Incident] Login is down"), "Login is down");
        assert_eq!(clean_title("Incident report - API errors"), "API errors");
        assert_eq!(clean_title("Incident Report: 2021-03-04 - DNS"), "DNS");
        assert_eq!(
            clean_title("Postmortem for the LDAP cutover"),
            "the LDAP cutover"
        );
        assert_eq!(
            clean_title("March 3, 2021 | Queue backlog |"),
            "Queue backlog"
        );
        assert_eq!(
            clean_title("Actions runner outage"),
            "Actions runner outage"
        );
        assert!(is_identifier("4a7f0c2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b"));
        assert!(!is_identifier("2020-08-03-read-only-disk"));
    }
}
