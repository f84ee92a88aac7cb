//! A converted file's timeline: the section under its timeline heading read
//! as table rows, list items or sub-headings that start with a time, the
//! times placed on days in the zone the section states, and the milestones
//! marked.

use std::sync::LazyLock;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use regex::Regex;

use super::blocks::{Block, Item, find_heading, section};
use super::convert::Source;
use super::milestones::{self, Entry};
use super::text::{collapse, shorten};
use super::times;
use crate::config::Config;
use crate::markdown::stated::find_stated;
use crate::markdown::vocabulary::{SectionKind, is_section};
use crate::model::timeline::{Milestone, Parsed};

pub(super) fn is_timeline_heading(text: &str) -> bool {
    is_section(text, SectionKind::Timeline)
}

/// The timeline of a file.
pub(super) struct Timeline {
    /// The zone the file states (or `UTC` when every entry names its zone).
    pub tz_name: Option<String>,
    /// The zone its times are written in: the stated one, else the site's.
    pub tz: TimeZone,
    /// The entries in time order, milestones marked; lines in the file.
    pub entries: Vec<Entry>,
}

/// The stated zone, else the site's.
fn zone(name: Option<&str>, config: &Config) -> TimeZone {
    name.and_then(|n| TimeZone::get(n).ok())
        .unwrap_or_else(|| config.site.timezone.clone())
}

/// Reads the timeline under the timeline heading and marks its milestones.
/// The table rows and list items it came from leave the body.
pub(super) fn read(src: &mut Source, anchor: Option<Date>) -> Timeline {
    let stated = find_stated(src.body);
    let (tz_name, mut entries) = match find_heading(&src.blocks, is_timeline_heading) {
        Some(th) => read_section(src, th, anchor),
        None => {
            src.note(1, "no timeline heading found");
            (None, Vec::new())
        }
    };
    let tz = zone(tz_name.as_deref(), src.config);
    let stated_file: Vec<_> = stated
        .iter()
        .cloned()
        .map(|mut s| {
            s.line += src.offset;
            s
        })
        .collect();
    src.notes
        .extend(milestones::infer(&mut entries, &stated_file));
    if !entries.is_empty() {
        for (k, name) in [
            (Milestone::Detected, "detected"),
            (Milestone::Resolved, "resolved"),
        ] {
            if !entries.iter().any(|e| e.kind == k) {
                src.notes.push((
                    entries[0].line,
                    format!("no `{name}` milestone could be inferred from the timeline"),
                ));
            }
        }
    }
    Timeline {
        tz_name,
        tz,
        entries,
    }
}

/// The zone and the entries of the section under heading `th`, placed in
/// time (milestones not marked yet).
fn read_section(src: &mut Source, th: usize, anchor: Option<Date>) -> (Option<String>, Vec<Entry>) {
    let range = section(&src.blocks, th);
    let sec_start = src.blocks[th].start();
    let sec_end = src
        .blocks
        .get(range.end)
        .map(|b| b.start().saturating_sub(1))
        .unwrap_or(src.lines.len());
    let sec_text = src
        .lines
        .get(sec_start.saturating_sub(1)..sec_end.min(src.lines.len()))
        .map(|l| l.join("\n"))
        .unwrap_or_default();
    let mut tz_name = times::zone_in(&sec_text);
    let tz = zone(tz_name.as_deref(), src.config);
    let year = anchor.map_or(2000, |d| d.year());
    let found = read_timeline(&src.blocks[range], year);
    for (line, t) in &found.unread {
        src.note(
            *line,
            format!("cannot read the time `{t}`; the entry stays in the body"),
        );
    }
    if found.entries.is_empty() {
        src.note(
            sec_start,
            "no timeline entries could be read under this heading",
        );
        return (tz_name, Vec::new());
    }
    src.remove.extend(found.lines);
    let raw = found.entries;
    if tz_name.is_none()
        && !raw
            .iter()
            .any(|r| matches!(r.parsed, Some(Parsed::Instant(_))))
    {
        let site_zone = &src.config.site.timezone_name;
        src.note(
            sec_start,
            format!(
                "the timeline states no time zone; its times are read in the site's ({site_zone})"
            ),
        );
    }
    // Explicit per-entry zones ("16:58 UTC") name the zone when the section
    // does not.
    if tz_name.is_none() && every_entry_names_its_zone(&raw) {
        tz_name = Some("UTC".into());
    }
    let day = anchor.unwrap_or_else(|| jiff::civil::date(2000, 1, 1));
    let (entries, reordered) = place(raw, day, &tz);
    for line in reordered {
        src.note(
            line,
            "this entry is earlier than the one before it; the timeline is sorted by time",
        );
    }
    let entries = entries
        .into_iter()
        .map(|mut e| {
            e.line += src.offset;
            e
        })
        .collect();
    (tz_name, entries)
}

/// Every entry with a civil time names its zone, and one at least does.
fn every_entry_names_its_zone(raw: &[RawEntry]) -> bool {
    raw.iter().all(|r| match &r.parsed {
        Some(Parsed::Civil { zone, .. }) => zone.is_some(),
        _ => true,
    }) && raw
        .iter()
        .any(|r| matches!(&r.parsed, Some(Parsed::Civil { zone: Some(_), .. })))
}

/// A timeline entry as written, before its time is placed.
struct RawEntry {
    /// `None` for a line that gives only a day ("### October 21, 2025"):
    /// the bare times after it are on that day.
    parsed: Option<Parsed>,
    day: Option<Date>,
    event: String,
    line: usize,
}

/// A date at the start of a text that has no time ("2021-12-10",
/// "October 21, 2025 - Redis Overload").
fn leading_date(text: &str) -> Option<Date> {
    let t = text.trim_start_matches(['~', ' ', '*']);
    times::dates_in(t)
        .into_iter()
        .find(|(at, _)| *at == 0)
        .map(|(_, d)| d)
}

static EVENT_SEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:UTC|GMT|Z|[PMCE][SD]T|CEST|BST)\b)?\s*(?:\((?:approx\.?|ca\.?|about|UTC|local)\))?\s*[-–—:|]*\s*")
        .expect("valid pattern")
});

fn event_text(rest: &str) -> String {
    let e = EVENT_SEP.replace(rest, "");
    shorten(&collapse(&e), 200)
}

/// What one way of writing a timeline gave: the entries, the body lines
/// they came from (to be removed) and the time-like texts that could not
/// be read.
#[derive(Default)]
struct Found {
    entries: Vec<RawEntry>,
    lines: Vec<usize>,
    unread: Vec<(usize, String)>,
}

/// Reads the entries of a timeline section: table rows, list items, or
/// sub-headings that start with a time, whichever gives the most.
fn read_timeline(blocks: &[Block], year: i16) -> Found {
    let mut reader = Reader {
        year,
        table: Found::default(),
        list: Found::default(),
        heads: Found::default(),
        days: Vec::new(),
    };
    for (bi, b) in blocks.iter().enumerate() {
        match b {
            Block::Table {
                rows, start, end, ..
            } => reader.table(rows, *start, *end),
            Block::List { items, .. } => reader.list(items),
            Block::Heading { text, line, .. } => reader.heading(text, *line, &blocks[bi + 1..]),
            _ => {}
        }
    }
    reader.best()
}

/// The three ways of writing a timeline read side by side, and the days
/// that lines without a time set.
struct Reader {
    /// Fills in dates written without one.
    year: i16,
    table: Found,
    list: Found,
    heads: Found,
    days: Vec<RawEntry>,
}

impl Reader {
    /// A text with a day and no time sets the day of the bare times after
    /// it.
    fn day_marker(&mut self, text: &str, line: usize) {
        if let Some(d) = leading_date(text) {
            self.days.push(RawEntry {
                parsed: None,
                day: Some(d),
                event: String::new(),
                line,
            });
        }
    }

    /// Table rows whose first cell is a time; the other cells are the
    /// event.
    fn table(&mut self, rows: &[(usize, Vec<String>)], start: usize, end: usize) {
        let mut converted = 0;
        for (line, cells) in rows {
            let Some(first) = cells.first() else { continue };
            match times::read_time(first, self.year) {
                Some(t) => {
                    let mut parts: Vec<String> = Vec::new();
                    let rest = event_text(&t.rest);
                    if !rest.is_empty() {
                        parts.push(rest);
                    }
                    parts.extend(
                        cells[1..]
                            .iter()
                            .map(|c| collapse(c))
                            .filter(|c| !c.is_empty()),
                    );
                    let event = shorten(&parts.join(" — "), 200);
                    if event.is_empty() {
                        continue;
                    }
                    let event = t.describe(event);
                    self.table.entries.push(RawEntry {
                        parsed: Some(t.parsed),
                        day: None,
                        event,
                        line: *line,
                    });
                    self.table.lines.push(*line);
                    converted += 1;
                }
                None if times::looks_like_a_time(first) => {
                    self.day_marker(first, *line);
                    self.table.unread.push((*line, first.trim().to_string()));
                }
                None => {}
            }
        }
        if converted == rows.len() {
            // The whole table became the timeline: drop it all.
            self.table.lines.extend(start..=end);
        }
    }

    /// List items that start with a time.
    fn list(&mut self, items: &[Item]) {
        for it in items {
            match times::read_time(&it.text, self.year) {
                Some(t) => {
                    let event = event_text(&t.rest);
                    if event.is_empty() {
                        continue;
                    }
                    let event = t.describe(event);
                    self.list.entries.push(RawEntry {
                        parsed: Some(t.parsed),
                        day: None,
                        event,
                        line: it.start,
                    });
                    self.list.lines.extend(it.start..=it.end);
                }
                None if times::looks_like_a_time(&it.text) => {
                    self.day_marker(&it.text, it.start);
                    self.list
                        .unread
                        .push((it.start, it.text.chars().take(30).collect()));
                }
                None => {}
            }
        }
    }

    /// A heading that starts with a time; its event is the rest of the
    /// heading, else the first text under it (`after`: the blocks after
    /// the heading).
    fn heading(&mut self, text: &str, line: usize, after: &[Block]) {
        let Some(t) = times::read_time(text, self.year) else {
            // A heading with a day and no time sets the day; other
            // headings are not entries (and not lost: headings stay).
            self.day_marker(text, line);
            return;
        };
        let mut event = event_text(&t.rest);
        if event.is_empty() {
            event = first_text_under(after)
                .map(|t| event_text(&t))
                .unwrap_or_default();
        }
        if event.is_empty() {
            event = "(no description)".into();
        }
        let event = t.describe(event);
        self.heads.entries.push(RawEntry {
            parsed: Some(t.parsed),
            day: None,
            event,
            line,
        });
    }

    /// The way that gave the most entries (the table on a tie, then the
    /// list), with the day markers among its entries in line order.
    fn best(self) -> Found {
        let Reader {
            table,
            list,
            mut heads,
            days,
            ..
        } = self;
        // Heading timelines keep their text in the body: nothing is removed.
        heads.lines.clear();
        let mut best = table;
        for cand in [list, heads] {
            if cand.entries.len() > best.entries.len() {
                best = cand;
            }
        }
        if !best.entries.is_empty() {
            best.entries.extend(days);
            best.entries.sort_by_key(|r| r.line);
        }
        best
    }
}

/// The first paragraph or item under a heading, before the next heading.
fn first_text_under(after: &[Block]) -> Option<String> {
    after
        .iter()
        .take_while(|b| !matches!(b, Block::Heading { .. }))
        .find_map(|b| match b {
            Block::Para { text, .. } if !text.is_empty() => Some(text.clone()),
            Block::List { items, .. } => items.first().map(|i| i.text.clone()),
            _ => None,
        })
}

/// Places the times on days and sorts them. A bare time earlier than the
/// previous one is on the next day only when that is the nearer reading
/// (23:50 → 00:10); otherwise it is an entry written out of order. Returns
/// the entries in time order and the lines of entries that were out of
/// order.
fn place(raw: Vec<RawEntry>, first_day: Date, tz: &TimeZone) -> (Vec<Entry>, Vec<usize>) {
    let mut day = first_day;
    let mut last: Option<jiff::Timestamp> = None;
    let mut out: Vec<Entry> = Vec::new();
    let mut reordered = Vec::new();
    for r in raw {
        let Some(parsed) = r.parsed else {
            if let Some(d) = r.day {
                day = d;
            }
            continue;
        };
        let at = match parsed {
            Parsed::Instant(ts) => {
                day = ts.to_zoned_datetime(tz.clone()).date();
                ts
            }
            Parsed::Civil { date, time, zone } => {
                let z = zone.unwrap_or_else(|| tz.clone());
                let on = |d: Date| {
                    z.to_ambiguous_timestamp(d.to_datetime(time))
                        .compatible()
                        .ok()
                };
                match date {
                    Some(d) => {
                        let Some(ts) = on(d) else { continue };
                        day = d;
                        ts
                    }
                    None => {
                        let Some(same) = on(day) else { continue };
                        match last {
                            Some(l) if same < l => {
                                let next = day.tomorrow().ok().and_then(on);
                                match next {
                                    Some(n)
                                        if n.as_second() - l.as_second()
                                            < l.as_second() - same.as_second() =>
                                    {
                                        day = day.tomorrow().unwrap_or(day);
                                        n
                                    }
                                    _ => same,
                                }
                            }
                            _ => same,
                        }
                    }
                }
            }
        };
        if last.is_some_and(|l| at < l) {
            reordered.push(r.line);
        } else {
            last = Some(at);
        }
        out.push(Entry {
            at,
            event: r.event,
            kind: Milestone::Other,
            line: r.line,
        });
    }
    out.sort_by_key(|e| e.at);
    (out, reordered)
}
