//! One Markdown postmortem converted: its title, date, timeline, causes and
//! follow-ups read out of the text, the rest kept as the body. Each of those
//! is read by a module of its own (title_date, timeline, summary, causes,
//! follow_ups); this one runs them in turn over the state they share and
//! puts the body back together.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::blocks::{self, Block};
use super::foreign_front_matter::{ForeignFrontMatter, Mapped};
use super::milestones::{self, Entry};
use super::title_date::{self, Dates};
use super::{causes, follow_ups, summary, timeline};
use crate::config::Config;
use crate::model::timeline::{Milestone, Parsed};

pub use super::follow_ups::ImportedFollowUp;

/// What a file gave.
#[derive(Clone, Debug)]
pub struct Converted {
    pub title: String,
    /// `None`: nothing in the file gives a date (the file is not written).
    pub date: Option<Date>,
    pub severity: String,
    pub summary: String,
    pub impact: Option<String>,
    pub causes: Vec<String>,
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub draft: bool,
    pub source_url: Option<String>,
    /// Foreign front matter keys with no pmsite meaning, as written.
    pub extra: Vec<(String, serde_yaml::Value)>,
    pub timezone: Option<String>,
    pub timeline: Vec<Entry>,
    pub tz: TimeZone,
    pub follow_ups: Vec<ImportedFollowUp>,
    /// Lints the written file allows (`timeline-both` when timeline
    /// entries stay in the body as well).
    pub lint_allow: Vec<String>,
    pub body: String,
    /// Relative links and images of the body (targets as written, line).
    pub links: Vec<(String, usize)>,
    /// What could not be inferred: (line in the source, message).
    pub notes: Vec<(usize, String)>,
    /// Where to report that no date was found.
    pub date_line: usize,
    /// The year the file name gives, for that report.
    pub year_hint: Option<i16>,
}

impl Converted {
    /// Timeline entries placed with certainty, and guessed.
    pub fn entry_counts(&self) -> (usize, usize) {
        let certain = self.timeline.iter().filter(|e| e.certain).count();
        (certain, self.timeline.len() - certain)
    }

    /// Milestones the author marked or stated, and guessed.
    pub fn milestone_counts(&self) -> (usize, usize) {
        let ms = self.timeline.iter().filter(|e| e.kind != Milestone::Other);
        let stated = ms.clone().filter(|e| e.kind_stated).count();
        (stated, ms.count() - stated)
    }
}

/// What the readers of one file share: its body as blocks and as lines,
/// where the body starts in the file, what could not be inferred so far,
/// and the body lines that leave the body.
pub(super) struct Source<'a> {
    pub config: &'a Config,
    /// The file name without `.md`.
    pub stem: &'a str,
    /// The text after the front matter.
    pub body: &'a str,
    pub lines: Vec<&'a str>,
    pub blocks: Vec<Block>,
    /// The heading the title was taken from (it names the incident, it
    /// opens no section).
    pub title_block: Option<usize>,
    /// Links and images of the body (targets as written, line in the file).
    pub links: Vec<(String, usize)>,
    /// A body line plus `offset` is the line in the file.
    pub offset: usize,
    /// What could not be inferred: (line in the file, message).
    pub notes: Vec<(usize, String)>,
    /// Body lines (1-based) that became front matter: the title, the
    /// timeline.
    pub remove: BTreeSet<usize>,
    /// Body lines whose timeline time cannot be read: the time text, marked
    /// so that it stays text.
    pub unreadable: BTreeMap<usize, String>,
}

/// What marks a timeline time that cannot be read, in the body.
pub const UNREADABLE_MARK: &str = "(unreadable time)";

impl<'a> Source<'a> {
    fn new(
        fm: &ForeignFrontMatter<'a>,
        stem: &'a str,
        config: &'a Config,
        notes: Vec<(usize, String)>,
    ) -> Self {
        // Lines below are counted in the file.
        let offset = fm.body_line - 1;
        let (blocks, mut links) = blocks::parse(fm.body);
        for l in &mut links {
            l.1 += offset;
        }
        Source {
            config,
            stem,
            body: fm.body,
            lines: fm.body.lines().collect(),
            blocks,
            title_block: None,
            links,
            offset,
            notes,
            remove: BTreeSet::new(),
            unreadable: BTreeMap::new(),
        }
    }

    /// Notes what could not be inferred at a line of the body.
    pub fn note(&mut self, body_line: usize, message: impl Into<String>) {
        self.notes.push((body_line + self.offset, message.into()));
    }

    /// Notes what could not be inferred at a line of the file.
    pub fn note_file(&mut self, file_line: usize, message: impl Into<String>) {
        self.notes.push((file_line, message.into()));
    }

    /// Marks the unreadable time `time_text` on a body line.
    pub fn mark_unreadable(&mut self, body_line: usize, time_text: &str) {
        self.unreadable.insert(body_line, time_text.to_string());
    }

    /// The body: everything but the title and what became the timeline.
    fn kept_body(&self) -> String {
        let mut out = String::new();
        for (n, line) in self.body.split_inclusive('\n').enumerate() {
            if self.remove.contains(&(n + 1)) {
                continue;
            }
            match self.unreadable.get(&(n + 1)) {
                Some(t) if line.contains(t.as_str()) => {
                    out.push_str(&line.replacen(t.as_str(), &format!("{UNREADABLE_MARK} {t}"), 1));
                }
                _ => out.push_str(line),
            }
        }
        tidy_body(&out)
    }
}

/// The front matter's milestone times (`start_time`, `resolvedWhen`) as
/// timeline entries, in the file's zone when they name none.
pub(super) fn front_matter_entries(fm: &Mapped, tz: &TimeZone, zone_known: bool) -> Vec<Entry> {
    fm.milestones
        .iter()
        .filter_map(|(parsed, kind, key, line)| {
            let (at, own_zone) = match parsed {
                Parsed::Instant(ts) => (*ts, true),
                Parsed::Civil {
                    date: Some(d),
                    time,
                    zone,
                } => (
                    zone.clone()
                        .unwrap_or_else(|| tz.clone())
                        .to_ambiguous_timestamp(d.to_datetime(*time))
                        .compatible()
                        .ok()?,
                    zone.is_some(),
                ),
                Parsed::Civil { date: None, .. } => return None,
            };
            let what = match kind {
                Milestone::Started => "Incident starts",
                _ => "Incident resolved",
            };
            Some(Entry {
                at,
                event: format!("{what} (`{key}` of the imported front matter)"),
                kind: *kind,
                kind_stated: true,
                line: *line,
                certain: own_zone || zone_known,
                own_zone,
            })
        })
        .collect()
}

/// HTML blocks (a pasted table, a `<div>`) stay in the body, but `build`
/// shows no raw HTML unless `[markdown] unsafe-html` is set: each is noted.
fn note_raw_html(src: &mut Source, config: &Config) {
    if config.markdown.unsafe_html {
        return;
    }
    let lines: Vec<usize> = src
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Other { start, html: true } => Some(*start),
            _ => None,
        })
        .collect();
    for line in lines {
        src.note(
            line,
            "this HTML stays in the body, but the built page leaves raw HTML out: write it as Markdown (a table, a list), or set `[markdown] unsafe-html = true` in book.toml",
        );
    }
}

/// Converts one file. `stem` is its file name without `.md`.
pub fn convert(text: &str, stem: &str, config: &Config) -> Converted {
    let mut notes: Vec<(usize, String)> = Vec::new();
    // Front matter that the source already has (title, date, ...).
    let fm = ForeignFrontMatter::read(text, &mut notes);
    let mut mapped = fm.mapped.clone();
    let mut src = Source::new(&fm, stem, config, notes);
    let title = title_date::title(&mut src, &mapped);
    let dates = Dates::read(&mapped, stem, src.body);
    let order = config
        .import
        .date_order
        .map(|o| match o {
            crate::config::DateOrder::DayFirst => super::times::DateOrder::DayFirst,
            crate::config::DateOrder::MonthFirst => super::times::DateOrder::MonthFirst,
        })
        .or_else(|| super::times::order_in(src.body));
    let (ctx, anchor) = dates.context(order);
    let timeline = timeline::read(&mut src, ctx, anchor, &mapped);
    let date = dates.incident_date(&timeline);
    let severity = summary::severity(&mut src, &mut mapped);
    let most_severe = config.postmortem.severities.first() == Some(&severity);
    src.notes
        .extend(milestones::implausible(&timeline.entries, most_severe));
    let summary = summary::summary(&mut src, &mapped, &title);
    let impact = mapped
        .impact
        .clone()
        .or_else(|| summary::impact(&src.blocks, src.title_block));
    let causes = causes::causes(&mut src, !mapped.own.causes.is_empty());
    let follow_ups = follow_ups::follow_ups(&src.blocks, src.title_block, &ctx);
    note_raw_html(&mut src, config);
    let body = src.kept_body();
    let mut lint_allow = Vec::new();
    if timeline.body_keeps_entries {
        lint_allow.push("timeline-both".to_string());
    }
    Converted {
        title,
        date,
        severity,
        summary,
        impact,
        causes,
        services: mapped.services,
        teams: mapped.teams,
        authors: mapped.authors,
        tags: mapped.tags,
        draft: mapped.draft,
        source_url: mapped.source_url,
        extra: mapped.extra,
        timezone: timeline.tz_name,
        timeline: timeline.entries,
        tz: timeline.tz,
        follow_ups,
        lint_allow,
        body,
        links: src.links,
        notes: src.notes,
        date_line: mapped.date.map_or(1, |d| d.1),
        year_hint: dates.year_hint(),
    }
}

/// Drops leading blank lines and runs of more than two blank lines that
/// removed blocks leave, and `[[` that pmsite would read as a link to a
/// postmortem.
fn tidy_body(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut blank = 0;
    let mut started = false;
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            let f = if t.starts_with("```") { "```" } else { "~~~" };
            fence = match fence {
                Some(open) if open == f => None,
                None => Some(f),
                other => other,
            };
        }
        if line.trim().is_empty() {
            blank += 1;
            if !started || blank > 1 {
                continue;
            }
        } else {
            blank = 0;
            started = true;
        }
        if fence.is_none() && line.contains("[[") && !t.starts_with("```") {
            out.push_str(&line.replace("[[", "\\[["));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::followup::FollowUpStatus;
    use std::path::PathBuf;

    fn config() -> Config {
        Config::defaults(PathBuf::from("/kb"))
    }

    #[test]
    fn a_stats_list_file() {
        let text = "# Checkout pages time out\n\n## Summary\n\nOn Thursday 9th March 2023, a resize of the session cache made checkout requests hang.\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n| :--- | --- |\n| 2023-03-09 14:05 | Session cache resized by the deploy job |\n| 2023-03-09 14:18 | Slow checkouts detected by the latency alert |\n| 2023-03-09 14:52 | Cache size put back (resolved) |\n\n## Contributing Factors\n\n- Cache eviction threshold was halved.\n- Rollout of unreviewed cache settings.\n\n## Action Items\n\n- Raise the eviction threshold back to 512 MB.\n- [x] Add a checkout smoke test.\n\n## Stats\n\n- Time to detection: 13 minutes\n- Time to recovery: 47 minutes\n";
        let c = convert(text, "PM2023-014 - Checkout pages time out", &config());
        assert_eq!(c.title, "Checkout pages time out");
        assert_eq!(c.date, Some(jiff::civil::date(2023, 3, 9)));
        assert_eq!(c.timezone.as_deref(), Some("UTC"));
        assert_eq!(c.timeline.len(), 3);
        let kinds: Vec<_> = c.timeline.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["started", "detected", "resolved"]);
        assert_eq!(c.timeline[0].line, 13);
        assert_eq!(
            c.causes,
            [
                "cache-eviction-threshold-halved",
                "rollout-unreviewed-cache-settings"
            ]
        );
        assert_eq!(c.follow_ups.len(), 2);
        assert_eq!(c.follow_ups[1].status, FollowUpStatus::Done);
        assert!(!c.body.contains("| 2023-03-09"), "{}", c.body);
        assert!(!c.body.contains("# Checkout"), "{}", c.body);
        assert!(c.body.starts_with("## Summary"), "{}", c.body);
        assert!(c.body.contains("All times in UTC."));
        assert_eq!(c.severity, "SEV4");
    }

    #[test]
    fn a_table_with_no_rows_stays() {
        // A second table in the timeline, with a header and no rows, is
        // no table "every row of which was converted".
        let text = "# T\n\n## Timeline\n\n| Time | Event |\n|---|---|\n| 2021-06-22 08:00 | Deploy |\n| 08:10 | Alert fires |\n\n| Who | Role |\n|---|---|\n";
        let c = convert(text, "2021-06-22-t", &config());
        assert_eq!(c.timeline.len(), 2);
        assert!(c.body.contains("| Who | Role |"), "{}", c.body);
        assert!(!c.body.contains("Deploy"), "{}", c.body);
    }

    #[test]
    fn heading_timelines_keep_their_text() {
        let text = "# 2019-05-14, \"disk quota exceeded on build node\"\n\n## Summary\n\nA build node ran out of scratch space and image builds failed for half an hour.\n\n## Timeline\n\nAll times in CEST\n\n### 2019-05-14 09:12\n\nImage build pass rate falls to 0%.\n\n### 09:40\n\nThe nightly cleanup empties the scratch volume and builds return to normal.\n\n### 13:25\n\nDrop in the build pass-rate graph noticed on the dashboard.\n";
        let c = convert(text, "2019-05-14-disk-quota", &config());
        assert_eq!(c.title, "disk quota exceeded on build node");
        assert_eq!(c.timezone.as_deref(), Some("CET"));
        let kinds: Vec<_> = c.timeline.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["other", "resolved", "detected"]);
        assert_eq!(c.timeline[0].at.to_string(), "2019-05-14T07:12:00Z");
        assert!(c.body.contains("### 09:40"));
    }
}
