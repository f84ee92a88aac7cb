//! A converted file's timeline: the section under its timeline heading read
//! as table rows, list items or sub-headings that start with a time (each
//! read by pmsite's own timeline reader, `markdown::parse_entry_text`, once
//! the forms only the importer reads are put in its form), the days that
//! day headings and lines set, the zone the text states, and the
//! milestones marked.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::blocks::{Block, Item, Row, find_heading, section};
use super::convert::{Source, front_matter_entries};
use super::foreign_front_matter::Mapped;
use super::milestones::{self, Entry};
use super::place::{self, RawEntry, When};
use super::text::collapse;
use super::times::{self, DateContext, DateHow};
use super::zones::{self, Zone};
use crate::diagnostics::Pos;
use crate::markdown::parse_entry_text;
use crate::markdown::stated::find_stated;
use crate::markdown::vocabulary::{SectionKind, is_section};
use crate::model::timeline::{Milestone, Parsed, parse_time_prefix};

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
    /// Entries that stay in the body as well would be read by pmsite as a
    /// second timeline (`timeline-both`).
    pub body_keeps_entries: bool,
}

/// Reads the timeline under the timeline heading and marks its milestones.
/// The table rows and list items that the front matter holds entirely
/// leave the body.
pub(super) fn read(
    src: &mut Source,
    ctx: DateContext,
    anchor: Option<(Date, bool)>,
    fm: &Mapped,
) -> Timeline {
    let stated = find_stated(src.body);
    let th = find_heading(&src.blocks, src.title_block, is_timeline_heading);
    // The source's own `timezone:` (a file in pmsite's format) is what
    // pmsite reads bare times in; else what the text states.
    let own_zone = fm.own.timezone.as_ref().map(|(name, _, line)| {
        (
            Zone::named(name.clone()),
            line.saturating_sub(src.offset).max(1),
        )
    });
    let zone = own_zone.or_else(|| stated_zone(src, th));
    if let Some(w) = zone
        .as_ref()
        .and_then(|(z, line)| z.ambiguity().map(|w| (*line, w)))
    {
        src.note(w.0, w.1);
    }
    let found = th.and_then(|th| read_found(src, th, ctx));
    // No statement: the zone the entries that name one all name.
    let named = match (&zone, &found) {
        (None, Some(f)) => common_zone(&f.entries),
        _ => None,
    };
    let (mut tz, mut tz_name) = match (&zone, &named) {
        (Some((z, _)), _) | (None, Some(z)) => (z.tz(), Some(z.name.clone())),
        (None, None) => (src.config.site.timezone.clone(), None),
    };
    let extra = front_matter_entries(fm, &tz, zone.is_some());
    let (mut entries, body_keeps_entries) = match (th, found) {
        (Some(th), Some(found)) => place_found(
            src,
            th,
            found,
            anchor,
            &tz,
            zone.as_ref().map(|(z, _)| z),
            named.as_ref(),
        ),
        (None, _) if extra.is_empty() && fm.own.timeline.is_empty() => {
            src.note(1, "no timeline heading found");
            (Vec::new(), false)
        }
        _ => (Vec::new(), false),
    };
    if tz_name.is_none() && every_entry_names_its_zone(&entries) {
        // Entries in several zones ("16:22 PST", "19:05 EST"): their
        // instants are written in UTC, and said to be.
        tz_name = Some("UTC".into());
        tz = jiff::tz::TimeZone::UTC;
    }
    if !extra.is_empty() {
        add_front_matter_milestones(&mut entries, extra);
    }
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
    Timeline {
        tz_name,
        tz,
        entries,
        body_keeps_entries,
    }
}

/// A row whose date and time are in two columns (`| 2024-03-20 | 10:00 |
/// Event |`, the date left empty on later rows of the day) as one text:
/// `2024-03-20 10:00 — Event`.
fn date_and_time_columns(cells: &[String]) -> Option<String> {
    let [date, time, rest @ ..] = cells else {
        return None;
    };
    let (date, time) = (date.trim(), time.trim());
    if time.is_empty() || !time.starts_with(|c: char| c.is_ascii_digit()) || rest.is_empty() {
        return None;
    }
    let words: Vec<&str> = rest
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let when = if date.is_empty() {
        time.to_string()
    } else {
        format!("{date} {time}")
    };
    Some(format!("{when} — {}", words.join(" — ")))
}

/// Adds the milestones another tool's front matter gives (`resolvedWhen`,
/// `start_time`): an entry of the body at the same instant becomes that
/// milestone instead of being repeated.
fn add_front_matter_milestones(entries: &mut Vec<Entry>, extra: Vec<Entry>) {
    for x in extra {
        match entries
            .iter_mut()
            .find(|e| e.at == x.at && e.kind == Milestone::Other)
        {
            Some(e) => {
                e.kind = x.kind;
                e.kind_stated = true;
            }
            None => entries.push(x),
        }
    }
    entries.sort_by_key(|e| e.at);
}

/// The zone that every entry naming a zone with a word names ("16:22
/// PST", "16:59 PST"), when there is one.
fn common_zone(entries: &[RawEntry]) -> Option<Zone> {
    let mut found: Option<&Zone> = None;
    for r in entries {
        if let When::Time { zone: Some(z), .. } = &r.when {
            match found {
                Some(f) if f.name != z.name => return None,
                _ => found = Some(z),
            }
        }
    }
    found.cloned()
}

/// The zone the timeline states, with its line in the body: in the
/// timeline's section, else anywhere in the body.
fn stated_zone(src: &Source, th: Option<usize>) -> Option<(Zone, usize)> {
    let body = src.body;
    let in_text = |text: &str, first_line: usize| {
        zones::zone_stated_in(text)
            .map(|(z, at)| (z, first_line + text[..at].matches('\n').count()))
    };
    if let Some(th) = th {
        let range = section(&src.blocks, th);
        let start = src.blocks[th].start();
        let end = src
            .blocks
            .get(range.end)
            .map_or(src.lines.len(), |b| b.start().saturating_sub(1));
        let text = src
            .lines
            .get(start.saturating_sub(1)..end.min(src.lines.len()))
            .map(|l| l.join("\n"))
            .unwrap_or_default();
        if let Some(z) = in_text(&text, start) {
            return Some(z);
        }
    }
    in_text(body, 1)
}

/// Every entry names its zone, and there is one at least.
fn every_entry_names_its_zone(entries: &[Entry]) -> bool {
    !entries.is_empty() && entries.iter().all(|e| e.own_zone)
}

/// The blocks of the timeline under heading `th`: its section, and the
/// sections of the day headings of its level that follow it ("## 21
/// March" after "## Timeline").
fn timeline_section(blocks: &[Block], th: usize, ctx: &DateContext) -> std::ops::Range<usize> {
    let mut range = section(blocks, th);
    let Block::Heading { level, .. } = blocks[th] else {
        return range;
    };
    while let Some(Block::Heading { level: l, text, .. }) = blocks.get(range.end) {
        if *l != level || times::day_marker(text, ctx, false).is_none() {
            break;
        }
        range.end = section(blocks, range.end).end;
    }
    range
}

/// The entries of the section under heading `th` as written; what
/// cannot be read is noted. `None` when no entry can be read.
fn read_found(src: &mut Source, th: usize, ctx: DateContext) -> Option<Found> {
    let range = timeline_section(&src.blocks, th, &ctx);
    let found = Reader::new(ctx).read(&src.blocks[range]);
    for (line, t) in &found.unread {
        src.note(
            *line,
            format!("cannot read the time `{t}`; the entry stays in the body as text"),
        );
    }
    for (line, t) in &found.marked_unreadable {
        src.mark_unreadable(*line, t);
    }
    for (line, msg) in &found.notes {
        src.note(*line, msg.clone());
    }
    if found
        .entries
        .iter()
        .all(|r| matches!(r.when, When::Day(..)))
    {
        src.note(
            src.blocks[th].start(),
            "no timeline entries could be read under this heading",
        );
        return None;
    }
    Some(found)
}

/// The entries read, placed in time (milestones not marked yet); whether
/// some stay in the body as well.
fn place_found(
    src: &mut Source,
    th: usize,
    found: Found,
    anchor: Option<(Date, bool)>,
    tz: &TimeZone,
    stated: Option<&Zone>,
    named: Option<&Zone>,
) -> (Vec<Entry>, bool) {
    let sec_start = src.blocks[th].start();
    src.remove.extend(found.remove.iter().copied());
    let kept = found.kept;
    if stated.is_none() && found.entries.iter().any(|r| !r.own_zone()) {
        let msg = match named {
            Some(z) => format!(
                "the timeline states no time zone; times that name none are read in the one the others name ({})",
                z.name
            ),
            None => format!(
                "the timeline states no time zone; its times are read in the site's ({}): say it, e.g. \"All times in UTC\", or set `timezone:`",
                src.config.site.timezone_name
            ),
        };
        src.note(sec_start, msg);
    }
    // Entries in a stated zone whose abbreviation has several meanings
    // (IST) are guessed.
    let placed = place::place(found.entries, anchor, tz, stated);
    for (line, msg) in placed.notes {
        src.note(line, msg);
    }
    let offset = src.offset;
    let entries = placed
        .entries
        .into_iter()
        .map(|mut e| {
            e.line += offset;
            e
        })
        .collect();
    (entries, kept)
}

/// What one way of writing a timeline gave: the entries, the body lines
/// that leave the body, the time-like texts that could not be read.
#[derive(Default)]
struct Found {
    entries: Vec<RawEntry>,
    remove: Vec<usize>,
    /// Entries whose source also stays in the body.
    kept: bool,
    unread: Vec<(usize, String)>,
    /// Entries pmsite would read but whose time cannot be read: (line,
    /// time text), marked in the body so that they stay text.
    marked_unreadable: Vec<(usize, String)>,
    /// Other notes at lines of the section: (line, message).
    notes: Vec<(usize, String)>,
}

impl Found {
    fn unreadable(&mut self, line: usize, time_text: &str) {
        self.unread.push((line, time_text.to_string()));
        self.marked_unreadable.push((line, time_text.to_string()));
    }
}

/// An entry read with pmsite's reader: the time, the event, the mark.
struct Read {
    parsed: Parsed,
    date: Option<DateHow>,
    zone: Option<Zone>,
    event: String,
    kind: Option<crate::model::timeline::Milestone>,
}

/// What a text that may start a timeline entry is.
enum Reading {
    Entry(Read),
    /// pmsite reads it as an entry, but its time cannot be read.
    Unreadable(String),
    /// It starts like a time that nothing reads ("HH:mm", "2022-02-??").
    TimeLike(String),
    NoEntry,
}

/// Reads a text the way pmsite reads a body timeline entry, once the
/// importer's forms are put in pmsite's.
fn read_entry(text: &str, ctx: &DateContext) -> Reading {
    let norm = times::normalise(text, ctx);
    let Some(raw) = parse_entry_text(&norm.text, Pos::new(1, 1)) else {
        return if times::looks_like_a_time(text) {
            Reading::TimeLike(text.chars().take(30).collect())
        } else {
            Reading::NoEntry
        };
    };
    let Some((n, parsed)) = parse_time_prefix(&raw.time_text) else {
        return Reading::Unreadable(raw.time_text);
    };
    if n != raw.time_text.len() {
        return Reading::Unreadable(raw.time_text);
    }
    let mut event = raw.event;
    // A `{word}` that is no milestone tag is the author's text: it stays.
    if raw.bad_tag.is_some()
        && let Some(open) = norm.text.rfind('{')
    {
        event = format!("{event} {}", norm.text[open..].trim());
    }
    let mut zone = None;
    if let Some((z, used)) = zones::zone_on_entry(&event) {
        zone = Some(z);
        event = event[used..]
            .trim_start()
            .trim_start_matches(['-', '–', '—', ':', '|'])
            .trim()
            .to_string();
    }
    Reading::Entry(Read {
        parsed,
        date: norm.date,
        zone,
        event: collapse(&event),
        kind: raw.kind,
    })
}

/// The three ways of writing a timeline read side by side, and the days
/// that lines without a time set.
struct Reader {
    ctx: DateContext,
    table: Found,
    list: Found,
    heads: Found,
    days: Vec<RawEntry>,
    notes: Vec<(usize, String)>,
}

impl Reader {
    fn new(ctx: DateContext) -> Self {
        Reader {
            ctx,
            table: Found::default(),
            list: Found::default(),
            heads: Found::default(),
            days: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn read(mut self, blocks: &[Block]) -> Found {
        for (bi, b) in blocks.iter().enumerate() {
            match b {
                Block::Table {
                    rows, start, end, ..
                } => self.table(rows, *start, *end),
                Block::List { items, .. } => self.list(items),
                Block::Heading { text, line, .. } => self.heading(text, *line, &blocks[bi + 1..]),
                Block::Para { text, start, .. } => {
                    self.day_marker(text, *start, true);
                }
                Block::Other { .. } => {}
            }
        }
        self.best()
    }

    /// A text with a day and no time sets the day of the bare times after
    /// it.
    fn day_marker(&mut self, text: &str, line: usize, whole: bool) -> bool {
        match times::day_marker(text, &self.ctx, whole) {
            Some((d, mut how)) => {
                // "Tuesday 2024-03-20", a Wednesday: the date is kept, and
                // the entries on it are guessed.
                if let Some(w) = times::written_weekday(text, &self.ctx)
                    && w != d.weekday()
                {
                    how = DateHow::WeekdayDisagrees;
                    self.notes.push((
                        line,
                        format!(
                            "{w:?} is not the weekday of {d} (a {:?}); the date is kept: check it",
                            d.weekday()
                        ),
                    ));
                }
                self.days.push(RawEntry::day(d, how, line));
                true
            }
            None => false,
        }
    }

    /// Table rows whose first cell is a time; the other cells are the
    /// event.
    fn table(&mut self, rows: &[Row], start: usize, end: usize) {
        let mut converted = 0;
        for row in rows {
            let Some(first) = row.cells.first() else {
                continue;
            };
            let others: Vec<&str> = row.cells[1..]
                .iter()
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
                .collect();
            let joined = if others.is_empty() {
                first.clone()
            } else {
                format!("{first} — {}", others.join(" — "))
            };
            let mut reading = read_entry(&joined, &self.ctx);
            // `| 2024-03-20 | 10:00 | Event |`, or `| | 10:05 | Event |`
            // under it: the date and the time in columns of their own.
            if !matches!(reading, Reading::Entry(_))
                && let Some(two) = date_and_time_columns(&row.cells)
                && let r @ Reading::Entry(_) = read_entry(&two, &self.ctx)
            {
                reading = r;
            }
            match reading {
                Reading::Entry(r) if !r.event.is_empty() => {
                    self.table.entries.push(RawEntry::entry(r, row.line));
                    if row.plain {
                        self.table.remove.push(row.line);
                        converted += 1;
                    } else {
                        self.table.kept = true;
                    }
                }
                Reading::Entry(_) | Reading::NoEntry => {
                    self.day_marker(first, row.line, false);
                }
                Reading::Unreadable(t) => self.table.unreadable(row.line, &t),
                Reading::TimeLike(_) => {
                    if !self.day_marker(first, row.line, false) {
                        self.table.unread.push((row.line, first.trim().to_string()));
                    }
                }
            }
        }
        if converted > 0 && converted == rows.len() {
            // The whole table became the timeline: its header goes too.
            self.table.remove.extend(start..=end);
        }
    }

    /// List items that start with a time.
    fn list(&mut self, items: &[Item]) {
        for it in items {
            let mut reading = read_entry(&it.text, &self.ctx);
            // "19. April, 11:00 …": Markdown took the day for the item's
            // number; with it, the text may read as an entry.
            if let (Some(n), Reading::NoEntry | Reading::TimeLike(_)) = (it.ordinal, &reading)
                && let with_day @ Reading::Entry(_) =
                    read_entry(&format!("{n}. {}", it.text), &self.ctx)
            {
                reading = with_day;
            }
            match reading {
                Reading::Entry(r) if !r.event.is_empty() => {
                    self.list.entries.push(RawEntry::entry(r, it.start));
                    if it.plain {
                        self.list.remove.extend(it.start..=it.end);
                    } else {
                        self.list.kept = true;
                    }
                }
                Reading::Entry(_) | Reading::NoEntry => {
                    self.day_marker(&it.text, it.start, false);
                }
                Reading::Unreadable(t) => self.list.unreadable(it.start, &t),
                Reading::TimeLike(t) => {
                    if !self.day_marker(&it.text, it.start, false) {
                        self.list.unread.push((it.start, t));
                    }
                }
            }
        }
    }

    /// A heading that starts with a time; its event is the rest of the
    /// heading, else the first text under it (`after`: the blocks after
    /// the heading). Heading timelines keep their text in the body.
    fn heading(&mut self, text: &str, line: usize, after: &[Block]) {
        match read_entry(text, &self.ctx) {
            Reading::Entry(mut r) => {
                // "### 8:04 - 8:24": the range's end is all the heading says.
                let bare = r.event.is_empty()
                    || (r.event.starts_with("(until ")
                        && r.event.ends_with(')')
                        && !r.event.contains(") "));
                if bare && let Some(under) = first_text_under(after) {
                    r.event = format!("{} {under}", r.event).trim().to_string();
                }
                if r.event.is_empty() {
                    r.event = "(no description)".into();
                }
                self.heads.entries.push(RawEntry::entry(r, line));
            }
            Reading::Unreadable(t) => self.heads.unread.push((line, t)),
            Reading::TimeLike(t) => {
                if !self.day_marker(text, line, false) {
                    self.heads.unread.push((line, t));
                }
            }
            Reading::NoEntry => {
                self.day_marker(text, line, false);
            }
        }
    }

    /// The way that gave the most entries (the table on a tie, then the
    /// list), with the day markers among its entries in line order.
    fn best(self) -> Found {
        let Reader {
            table,
            list,
            heads,
            days,
            notes,
            ..
        } = self;
        let mut best = table;
        let mut rest = Vec::new();
        for cand in [list, heads] {
            if cand.entries.len() > best.entries.len() {
                rest.push(std::mem::replace(&mut best, cand));
            } else {
                rest.push(cand);
            }
        }
        // What the other ways could not read is reported all the same.
        for r in rest {
            best.unread.extend(r.unread);
            best.marked_unreadable.extend(r.marked_unreadable);
        }
        if !best.entries.is_empty() {
            best.entries.extend(days);
            best.entries.sort_by_key(|r| r.line);
        }
        best.notes.extend(notes);
        best
    }
}

impl RawEntry {
    fn entry(r: Read, line: usize) -> Self {
        RawEntry {
            when: When::Time {
                parsed: r.parsed,
                date: r.date,
                zone: r.zone,
            },
            event: r.event,
            kind: r.kind,
            line,
        }
    }

    fn day(d: Date, how: DateHow, line: usize) -> Self {
        RawEntry {
            when: When::Day(d, how),
            event: String::new(),
            kind: None,
            line,
        }
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
