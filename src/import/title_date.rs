//! A converted file's title and incident date: stated in its front matter,
//! else read from its headings, its file name and the dates in its text.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use super::blocks::{Block, heading_end};
use super::convert::Source;
use super::foreign_front_matter::ForeignFrontMatter;
use super::timeline::{Timeline, is_timeline_heading};
use super::times;
use crate::markdown::vocabulary::heading_matches;
use crate::model::timeline::Milestone;

static TITLE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:incident\s+date\s*:\s*)?\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}:\d{2}\s*(?:[ap]m)?(?:\s+[A-Z]{2,4})?)?\s*[,:–—-]?\s*")
        .expect("valid pattern")
});
static TITLE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:post[\s-]?mortem|incident(?:\s+report)?|pm\d{4}-\d{3})\s*[:–—-]\s*")
        .expect("valid pattern")
});

/// "2018-03-26, \"no space left\"" → "\"no space left\""; "Post-Mortem:
/// Changes" → "Changes".
pub fn clean_title(t: &str) -> String {
    let t = TITLE_DATE.replace(t, "");
    let t = TITLE_PREFIX.replace(&t, "");
    let t = t.trim();
    let t = if t.len() > 2 && t.starts_with('"') && t.ends_with('"') && t.matches('"').count() == 2
    {
        &t[1..t.len() - 1]
    } else {
        t
    };
    t.trim().to_string()
}

/// Title: front matter, else the first level-1 heading, else the first
/// heading before any text, else the file name.
pub(super) fn title(src: &mut Source, fm: &ForeignFrontMatter) -> String {
    let blocks = &src.blocks;
    let first_h1 = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 1, .. }));
    let first_heading = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { .. }));
    let is_section_name = |i: usize| {
        matches!(&blocks[i], Block::Heading { text, .. } if is_timeline_heading(text)
            || src.config.postmortem.sections.iter().any(|s| heading_matches(text, s)))
    };
    let title_block = first_h1.or(first_heading.filter(|&i| i == 0 && !is_section_name(i)));
    match (fm.get("title"), title_block) {
        (Some(t), _) => t,
        (None, Some(i)) => title_from_heading(src, i),
        (None, None) => title_from_file_name(src),
    }
}

/// The title a heading gives; the heading leaves the body when it is the
/// first block.
fn title_from_heading(src: &mut Source, i: usize) -> String {
    let Block::Heading { text, line, .. } = &src.blocks[i] else {
        unreachable!("a heading block")
    };
    if i == 0 {
        for l in *line..=heading_end(&src.blocks, i, &src.lines) {
            src.remove.insert(l);
        }
    }
    let t = clean_title(text);
    if t.is_empty() {
        src.stem.replace(['-', '_'], " ")
    } else {
        t
    }
}

fn title_from_file_name(src: &mut Source) -> String {
    src.note(
        1,
        "no heading to take the title from; the file name is used",
    );
    let t = clean_title(src.stem).replace(['-', '_'], " ");
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => "Untitled incident".into(),
    }
}

/// The dates a file gives before its timeline is read.
pub(super) struct Dates {
    /// The year in the file name.
    year_hint: Option<i16>,
    /// The date the front matter or the file name states.
    stated: Option<Date>,
    /// The first date in the text, in the file name's year when it gives
    /// one.
    first_in_text: Option<Date>,
}

impl Dates {
    pub fn read(fm: &ForeignFrontMatter, stem: &str, body: &str) -> Self {
        let year_hint = times::year_in_name(stem);
        let stated = fm
            .get("date")
            .and_then(|d| crate::load::frontmatter::parse_date(&d))
            .or_else(|| times::date_in_name(stem));
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

    /// The date the timeline's times are placed from: the one the file
    /// states, else the file name's, else the first in the text.
    pub fn anchor(&self) -> Option<Date> {
        self.stated.or(self.first_in_text)
    }

    /// The incident date: the stated one, else the day the timeline
    /// starts, else the first in the text, else the file name's year.
    pub fn incident_date(&self, timeline: &Timeline, src: &mut Source) -> Date {
        let started_day = timeline
            .entries
            .iter()
            .find(|e| e.kind == Milestone::Started)
            .or(timeline.entries.first())
            .map(|e| e.at.to_zoned_datetime(timeline.tz.clone()).date());
        if let Some(d) = self.stated.or(started_day).or(self.first_in_text) {
            return d;
        }
        match self.year_hint.and_then(|y| Date::new(y, 1, 1).ok()) {
            Some(d) => {
                src.note(
                    1,
                    format!("no date found in the text; the file name gives only the year, so {d} is used: set `date:`"),
                );
                d
            }
            None => {
                src.note(
                    1,
                    "no date found in the file name or the text; 2000-01-01 is used: set `date:`",
                );
                jiff::civil::date(2000, 1, 1)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cleaned() {
        assert_eq!(
            clean_title("2018-03-26, \"no space left on device\""),
            "no space left on device"
        );
        assert_eq!(
            clean_title("2017-11-30 4:23PM PST, OOM (Out of Memory) Proxy"),
            "OOM (Out of Memory) Proxy"
        );
        assert_eq!(
            clean_title("incident date: 2019-02-20, kubectl logs unavailable"),
            "kubectl logs unavailable"
        );
        assert_eq!(clean_title("Post-Mortem: Changes to SDK"), "Changes to SDK");
        assert_eq!(clean_title("2018-02-22 NGINX crash"), "NGINX crash");
    }
}
