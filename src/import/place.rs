//! Placing a timeline's times on days: in the author's order, a bare time
//! earlier than the one before it is on the next day (the timeline crossed
//! midnight, `3:10 PM` then `5:02 AM` too) when it is more than three
//! hours earlier (a smaller step back is an entry written out of order, and
//! the timeline is sorted); day headings and lines set the
//! day of the bare times after them; month-day dates take the incident's
//! year, and a December before a January is in the year before; a time
//! the clocks skipped or passed twice (a daylight saving change) is read
//! in the author's order; a time at an offset the text writes
//! (`UTC-03:30`) is read at exactly that offset, and where the zone the
//! file is written in (America/St_Johns) has another one on its day, the
//! clock the file shows it on is noted. Every entry is certain or
//! guessed: guessed when its zone, its day, its instant or its place in
//! the order had to be assumed (each guess is a note at its line, or at
//! the line of the day or zone statement it follows).

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};

use super::milestones::Entry;
use super::times::DateHow;
use super::zones::Zone;
use crate::model::timeline::{Milestone, Parsed};

/// How far back (seconds) a bare time must go from the one before it to
/// be on the next day: `23:50` then `00:10`, `3:10 PM` then `5:02 AM`; not
/// `14:49` then `14:43`.
const ROLLOVER_STEP: i64 = 3 * 3600;

/// When an entry as written is: a time (with the date and zone written
/// on it), or only a day (a day heading or line).
pub(super) enum When {
    Time {
        parsed: Parsed,
        /// How sure the date written on the entry is.
        date: Option<DateHow>,
        /// A zone written after the time ("16:22 PST").
        zone: Option<Zone>,
    },
    Day(Date, DateHow),
}

/// A timeline entry as written, before its time is placed. Lines are
/// counted in the body.
pub(super) struct RawEntry {
    pub when: When,
    pub event: String,
    /// A `{detected}`-style mark.
    pub kind: Option<Milestone>,
    pub line: usize,
}

impl RawEntry {
    /// Does the entry name its zone (an offset, `UTC`, "PST")?
    pub fn own_zone(&self) -> bool {
        match &self.when {
            When::Time { parsed, zone, .. } => zone.is_some() || zone_in(parsed),
            When::Day(..) => true,
        }
    }

    fn date_mut(&mut self) -> Option<(&mut Date, &mut DateHow)> {
        match &mut self.when {
            When::Day(d, how) => Some((d, how)),
            When::Time {
                parsed: Parsed::Civil { date: Some(d), .. },
                date: Some(how),
                ..
            } => Some((d, how)),
            _ => None,
        }
    }
}

/// Does the time as read carry its zone (`09:14Z`, `+02:00`, `UTC`)?
fn zone_in(parsed: &Parsed) -> bool {
    matches!(
        parsed,
        Parsed::Instant(_) | Parsed::Civil { zone: Some(_), .. }
    )
}

/// What the text states of the zone of the times that name none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stated {
    /// Nothing: they are read in a zone assumed (noted by the caller).
    Nothing,
    /// One zone ("All times in UTC"), and the offset it writes
    /// ("All times UTC-03:30"), at which the times are read.
    Zone(Option<Offset>),
    /// An abbreviation with several usual meanings ("All times in IST"):
    /// read as the first, which the caller notes at the statement.
    Ambiguous,
}

impl From<bool> for Stated {
    /// Whether a zone is stated, when the caller knows no more (taken as
    /// one zone).
    fn from(stated: bool) -> Self {
        if stated {
            Stated::Zone(None)
        } else {
            Stated::Nothing
        }
    }
}

impl From<Option<&Zone>> for Stated {
    /// The zone the text states, if any.
    fn from(zone: Option<&Zone>) -> Self {
        match zone {
            None => Stated::Nothing,
            Some(z) if z.ambiguous.is_some() => Stated::Ambiguous,
            Some(z) => Stated::Zone(z.offset),
        }
    }
}

/// The placed entries, in time order, and what was guessed.
pub(super) struct Placed {
    pub entries: Vec<Entry>,
    /// (line in the body, message).
    pub notes: Vec<(usize, String)>,
}

/// How sure the day of the bare times is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DaySure {
    /// Written: a day heading or line, a date on an entry, the file's date.
    Written,
    /// Written, but read with a guess noted at its line (the order of day
    /// and month, a year moved).
    Guessed,
    /// Nothing writes it: the first date in the text is taken (noted at
    /// the first bare time on it).
    Assumed,
}

impl DaySure {
    fn of(how: DateHow) -> Self {
        if how.certain() {
            DaySure::Written
        } else {
            DaySure::Guessed
        }
    }
}

/// The day bare times are on, and how sure it is.
struct Day {
    date: Date,
    sure: DaySure,
}

/// Places the entries. `anchor`: the date the file states (front matter
/// or file name), on which bare times before any day are (and whether it
/// is written, not assumed); `tz`: the zone of times that name none;
/// `stated`: what the text states of that zone (an `Option<&Zone>`, or
/// whether there is a statement).
pub(super) fn place(
    mut raw: Vec<RawEntry>,
    anchor: Option<(Date, bool)>,
    tz: &TimeZone,
    stated: impl Into<Stated>,
) -> Placed {
    let mut notes = Vec::new();
    roll_years(&mut raw, anchor.map(|a| a.0), &mut notes);
    let first_written = raw.iter().find_map(|r| match &r.when {
        When::Day(d, _) => Some(*d),
        When::Time {
            parsed: Parsed::Civil { date: Some(d), .. },
            ..
        } => Some(*d),
        When::Time {
            parsed: Parsed::Instant(ts),
            ..
        } => Some(ts.to_zoned_datetime(tz.clone()).date()),
        _ => None,
    });
    let day = match (anchor, first_written) {
        (Some((date, written)), _) => Day {
            date,
            sure: if written {
                DaySure::Written
            } else {
                DaySure::Assumed
            },
        },
        (None, Some(date)) => Day {
            date,
            sure: DaySure::Assumed,
        },
        (None, None) => {
            return Placed {
                entries: Vec::new(),
                notes,
            };
        }
    };
    let mut placer = Placer {
        tz,
        stated: stated.into(),
        day,
        guessed_day_noted: false,
        last: None,
        out: Vec::new(),
        sorted: false,
        shifted: Shifted::default(),
        notes,
    };
    for r in raw {
        placer.entry(r);
    }
    let Placer {
        mut out,
        sorted,
        shifted,
        mut notes,
        ..
    } = placer;
    notes.extend(shifted.note_on(tz));
    if sorted {
        out.sort_by_key(|e| e.at);
    }
    Placed {
        entries: out,
        notes,
    }
}

/// The state of placing one timeline's entries in order.
struct Placer<'a> {
    tz: &'a TimeZone,
    stated: Stated,
    /// The day bare times are on.
    day: Day,
    guessed_day_noted: bool,
    /// The latest time so far.
    last: Option<Timestamp>,
    out: Vec<Entry>,
    sorted: bool,
    shifted: Shifted,
    notes: Vec<(usize, String)>,
}

/// The entries written at an offset (`UTC-03:30`) that the zone the file
/// is written in (America/St_Johns) does not have on their day: the file
/// shows them on that zone's clock (the same instants), which is noted at
/// the first.
#[derive(Default)]
struct Shifted {
    /// Its line, its instant, the offset it was written at.
    first: Option<(usize, Timestamp, Offset)>,
    more: usize,
}

impl Shifted {
    fn add(&mut self, line: usize, at: Timestamp, written: Offset) {
        match self.first {
            None => self.first = Some((line, at, written)),
            Some(_) => self.more += 1,
        }
    }

    /// The note, `tz` the zone the file is written in.
    fn note_on(&self, tz: &TimeZone) -> Option<(usize, String)> {
        let (line, at, written) = self.first?;
        let info = tz.to_offset_info(at);
        let shown = info.offset();
        let dst = if info.dst().is_dst() {
            " (daylight saving time)"
        } else {
            ""
        };
        let more = match self.more {
            0 => String::new(),
            1 => " (and so for 1 more entry)".to_string(),
            n => format!(" (and so for {n} more entries)"),
        };
        Some((
            line,
            format!(
                "{o} is read as written; the imported file is written in {zone}, the zone taken for it, which is at {s} on {date}{dst}: the file shows this time as {shown_time}, the same instant as {written_time} at {o}{more}",
                o = utc_offset(written),
                zone = tz.iana_name().unwrap_or("the file's zone"),
                s = utc_offset(shown),
                date = shown.to_datetime(at).date(),
                shown_time = hm(shown.to_datetime(at).time()),
                written_time = hm(written.to_datetime(at).time()),
            ),
        ))
    }
}

/// An entry's instant, and whether it is as written.
struct At {
    at: Timestamp,
    /// Its day is written (not assumed, not guessed).
    day_written: bool,
    /// Nothing else was guessed: it did not roll over to the next day, and
    /// its wall-clock time exists once in its zone.
    exact: bool,
}

impl Placer<'_> {
    fn entry(&mut self, r: RawEntry) {
        let own_zone = r.own_zone();
        let line = r.line;
        let (parsed, date_how, zone) = match r.when {
            When::Day(d, how) => {
                self.day = Day {
                    date: d,
                    sure: DaySure::of(how),
                };
                if how == DateHow::Ambiguous {
                    self.notes.push((line, ambiguous_date(d)));
                }
                return;
            }
            When::Time { parsed, date, zone } => (parsed, date, zone),
        };
        if let Some(w) = zone.as_ref().and_then(Zone::ambiguity) {
            self.notes.push((line, w));
        }
        // A zone the entry names decides; else the statement's.
        let zone_certain = match &zone {
            _ if zone_in(&parsed) => true,
            Some(z) => z.ambiguous.is_none(),
            None => matches!(self.stated, Stated::Zone(_)),
        };
        // An offset the text writes ("UTC-03:30") is read as written.
        let entry_tz = match (&zone, self.stated) {
            (Some(z), _) => z.read_in(),
            (None, Stated::Zone(Some(o))) => TimeZone::fixed(o),
            (None, _) => self.tz.clone(),
        };
        let shown = self.shown_offset(&parsed, zone.as_ref());
        let Some(at) = self.instant(parsed, date_how, &entry_tz, line) else {
            return;
        };
        if let Some(o) = shown
            && self.tz.to_offset(at.at) != o
        {
            self.shifted.add(line, at.at, o);
        }
        let mut certain = zone_certain && at.day_written && at.exact;
        if self.last.is_some_and(|l| at.at < l) {
            self.sorted = true;
            certain = false;
            self.notes.push((
                line,
                "this entry is earlier than the one before it; the timeline is sorted by time (write the day if it is on a later one)"
                    .to_string(),
            ));
        } else {
            self.last = Some(at.at);
        }
        self.out.push(Entry {
            at: at.at,
            event: r.event,
            kind: r.kind.unwrap_or(Milestone::Other),
            kind_stated: r.kind.is_some(),
            line,
            certain,
            own_zone,
        });
    }

    /// The offset an entry is written at when the file is written in the
    /// zone taken for it: the offset the statement writes, for a time that
    /// names no zone; the entry's own, when no zone is stated and the file
    /// is written in the one the entries name.
    fn shown_offset(&self, parsed: &Parsed, zone: Option<&Zone>) -> Option<Offset> {
        if zone_in(parsed) {
            return None;
        }
        match (zone, self.stated) {
            (None, Stated::Zone(o)) => o,
            (Some(z), Stated::Nothing) if self.tz.iana_name() == Some(z.name.as_str()) => z.offset,
            _ => None,
        }
    }

    /// The instant of a time as read, `entry_tz` the zone of a time that
    /// carries none; the day it is on becomes the day of the bare times
    /// after it.
    fn instant(
        &mut self,
        parsed: Parsed,
        date_how: Option<DateHow>,
        entry_tz: &TimeZone,
        line: usize,
    ) -> Option<At> {
        match parsed {
            Parsed::Instant(ts) => {
                self.day = Day {
                    date: ts.to_zoned_datetime(self.tz.clone()).date(),
                    sure: DaySure::Written,
                };
                Some(At {
                    at: ts,
                    day_written: true,
                    exact: true,
                })
            }
            Parsed::Civil {
                date: Some(d),
                time,
                zone: z,
            } => {
                let z = z.unwrap_or_else(|| entry_tz.clone());
                let (ts, clocks) = on(&z, d, time, self.last)?;
                let how = date_how.unwrap_or(DateHow::Written);
                if how == DateHow::Ambiguous {
                    self.notes.push((line, ambiguous_date(d)));
                }
                if let Some(n) = clocks.as_ref() {
                    self.notes.push((line, n.clone()));
                }
                self.day = Day {
                    date: d,
                    sure: DaySure::of(how),
                };
                Some(At {
                    at: ts,
                    day_written: how.certain(),
                    exact: clocks.is_none(),
                })
            }
            Parsed::Civil {
                date: None,
                time,
                zone: z,
            } => {
                let z = z.unwrap_or_else(|| entry_tz.clone());
                let (ts, rolled, clocks) = self.bare(&z, time, line)?;
                if let Some(n) = clocks.as_ref() {
                    self.notes.push((line, n.clone()));
                }
                Some(At {
                    at: ts,
                    day_written: self.day.sure == DaySure::Written,
                    exact: !rolled && clocks.is_none(),
                })
            }
        }
    }

    /// A bare time on the current day, or on the next when it goes back
    /// more than [`ROLLOVER_STEP`]; whether it rolled over, and the note
    /// on a change of the clocks at it.
    fn bare(
        &mut self,
        z: &TimeZone,
        time: Time,
        line: usize,
    ) -> Option<(Timestamp, bool, Option<String>)> {
        let (ts, clocks) = on(z, self.day.date, time, self.last)?;
        if self.day.sure == DaySure::Assumed && !self.guessed_day_noted {
            self.guessed_day_noted = true;
            self.notes.push((
                line,
                format!(
                    "no day is written for this time; it is taken to be {} (the first date in the text): set `date:`, or write the day before the timeline",
                    self.day.date
                ),
            ));
        }
        // A step back of more than three hours crossed midnight; a
        // smaller one is an entry written out of order.
        if let Some(l) = self.last
            && l.as_second() - ts.as_second() > ROLLOVER_STEP
            && let Ok(next) = self.day.date.tomorrow()
            && let Some((n, next_clocks)) = on(z, next, time, self.last)
            && n >= l
        {
            self.day.date = next;
            self.notes.push((
                line,
                format!(
                    "this time is earlier than the one before it, so it is taken to be on the next day ({next}); write the day if that is wrong"
                ),
            ));
            return Some((n, true, next_clocks));
        }
        Some((ts, false, clocks))
    }
}

/// A wall-clock time on a day in a zone, and the note when the clocks
/// changed there, which makes its instant a guess:
/// - a time the clocks skipped (`02:30` when they went forward from 02:00
///   to 03:00) is read as the instant the gap ends (03:00): it is after
///   every time written before the change and not after any written after
///   it, so the author's order stands. The old clock's reading (03:30),
///   which jiff's `compatible` gives, would pass a `03:10` written after
///   it and re-sort the timeline; the note names it.
/// - a time the clocks passed twice (`02:30` when they went back from
///   03:00 to 02:00) is read as the first passing, unless that is before
///   `last` (the entry before it) and the second is not: whichever keeps
///   the author's order.
fn on(
    tz: &TimeZone,
    d: Date,
    time: Time,
    last: Option<Timestamp>,
) -> Option<(Timestamp, Option<String>)> {
    let dt = d.to_datetime(time);
    let zone = tz.iana_name().unwrap_or("the timeline's zone");
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => Some((offset.to_timestamp(dt).ok()?, None)),
        AmbiguousOffset::Gap { before, after } => {
            let old_clock = before.to_timestamp(dt).ok()?;
            let change = tz
                .following(after.to_timestamp(dt).ok()?)
                .next()
                .map_or(old_clock, |t| t.timestamp());
            let note = format!(
                "{t} does not exist in {zone} on {d}: the clocks went forward at {} to {new}; read as {new}, the moment after the change, which keeps the author's order (check it: by the clock before the change, {t} would be {})",
                hm(before.to_datetime(change).time()),
                hm(after.to_datetime(old_clock).time()),
                t = hm(time),
                new = hm(after.to_datetime(change).time()),
            );
            Some((change, Some(note)))
        }
        AmbiguousOffset::Fold { before, after } => {
            let first = before.to_timestamp(dt).ok()?;
            let second = after.to_timestamp(dt).ok()?;
            let change = tz.following(first).next().map_or(second, |t| t.timestamp());
            // The first passing, unless only the second keeps the order.
            let second_keeps = last.is_some_and(|l| first < l && second >= l);
            let (at, read, other, why) = if second_keeps {
                let why = ", as the entry before it is later than the first";
                (second, ("second", after), ("first", before), why)
            } else {
                (first, ("first", before), ("second", after), "")
            };
            let note = format!(
                "{t} happens twice in {zone} on {d}: the clocks went back at {} to {}; read as the {} {t} ({}), not the {} ({}){why} (check it)",
                hm(before.to_datetime(change).time()),
                hm(after.to_datetime(change).time()),
                read.0,
                utc_offset(read.1),
                other.0,
                utc_offset(other.1),
                t = hm(time),
            );
            Some((at, Some(note)))
        }
    }
}

/// `02:30`, `02:30:15`.
fn hm(t: Time) -> String {
    if t.second() == 0 {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    }
}

/// `UTC+2`, `UTC-3:30`.
fn utc_offset(o: Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let (h, m) = (s.abs() / 3600, s.abs() % 3600 / 60);
    if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    }
}

/// The note on a numeric date whose day and month could be either way
/// round, read day first as `d`: both readings, and how to settle it.
fn ambiguous_date(d: Date) -> String {
    let words = |d: Date| d.strftime("%-d %B").to_string();
    match Date::new(d.year(), d.day(), d.month()) {
        Ok(other) => format!(
            "day and month could be either way round in this date; it is read day first ({d}): set `[import] date-order` in book.toml to \"month-day\" if it means {} ({other}), or to \"day-month\" to keep {}, or write the date unambiguously ({d} or {other})",
            words(other),
            words(d),
        ),
        Err(_) => format!(
            "day and month could be either way round in this date; it is read day first ({d}): set `[import] date-order` in book.toml if the text writes month first"
        ),
    }
}

/// Dates written without a year take the incident's; when they go from
/// December to January, the December ones are in the year before (or the
/// January ones in the year after, for an incident in December), and they
/// are guessed.
fn roll_years(raw: &mut [RawEntry], anchor: Option<Date>, notes: &mut Vec<(usize, String)>) {
    let filled: Vec<usize> = (0..raw.len())
        .filter(|&i| {
            raw[i]
                .date_mut()
                .is_some_and(|(_, how)| *how == DateHow::YearFilled)
        })
        .collect();
    let month = |raw: &mut [RawEntry], i: usize| raw[i].date_mut().map_or(0, |(d, _)| d.month());
    let Some(wrap) =
        (1..filled.len()).find(|&k| month(raw, filled[k - 1]) >= 11 && month(raw, filled[k]) <= 2)
    else {
        return;
    };
    let late_incident = anchor.is_some_and(|a| a.month() >= 11);
    let (shift, range) = if late_incident {
        (1, wrap..filled.len())
    } else {
        (-1, 0..wrap)
    };
    let mut first = None;
    let mut moved_count = 0;
    for k in range {
        let i = filled[k];
        if let Some((d, how)) = raw[i].date_mut()
            && let Ok(moved) = Date::new(d.year() + shift, d.month(), d.day())
        {
            *d = moved;
            *how = DateHow::YearMoved;
            moved_count += 1;
            first.get_or_insert((raw[i].line, moved));
        }
    }
    if let Some((line, d)) = first {
        let others = match moved_count {
            1 => String::new(),
            n => format!(
                " (and the {} such dates after it, in {} too)",
                n - 1,
                d.year()
            ),
        };
        notes.push((
            line,
            format!("the timeline goes from December to January, so this date is taken to be {d}{others}; write the year if that is wrong"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn bare(h: i8, m: i8, line: usize) -> RawEntry {
        RawEntry {
            when: When::Time {
                parsed: Parsed::Civil {
                    date: None,
                    time: time(h, m, 0, 0),
                    zone: None,
                },
                date: None,
                zone: None,
            },
            event: format!("at line {line}"),
            kind: None,
            line,
        }
    }

    fn ats(p: &Placed) -> Vec<String> {
        p.entries.iter().map(|e| e.at.to_string()).collect()
    }

    #[test]
    fn bare_times_going_backwards_cross_midnight() {
        let raw = vec![bare(15, 10, 1), bare(5, 2, 2), bare(5, 30, 3)];
        let p = place(raw, Some((date(2021, 6, 3), true)), &TimeZone::UTC, true);
        assert_eq!(
            ats(&p),
            [
                "2021-06-03T15:10:00Z",
                "2021-06-04T05:02:00Z",
                "2021-06-04T05:30:00Z"
            ]
        );
        assert!(p.entries[0].certain && !p.entries[1].certain && p.entries[2].certain);
        assert_eq!(p.notes.len(), 1);
        assert!(p.notes[0].1.contains("next day"), "{:?}", p.notes);
    }

    #[test]
    fn day_lines_set_the_day_and_years_roll_back() {
        let raw = vec![
            RawEntry::day_for_test(date(2021, 12, 31), 1),
            bare(23, 50, 2),
            RawEntry::day_for_test(date(2021, 1, 1), 3),
            bare(0, 10, 4),
        ];
        let p = place(raw, Some((date(2021, 1, 1), true)), &TimeZone::UTC, true);
        assert_eq!(ats(&p), ["2020-12-31T23:50:00Z", "2021-01-01T00:10:00Z"]);
        // The December day is a guess (noted); the January one is not.
        assert_eq!(certain(&p), [false, true]);
        assert!(
            p.notes
                .iter()
                .any(|(l, m)| *l == 1 && m.contains("2020-12-31"))
        );
    }

    #[test]
    fn a_small_step_back_is_sorted_not_rolled_over() {
        let raw = vec![bare(14, 49, 1), bare(14, 43, 2), bare(14, 55, 3)];
        let p = place(raw, Some((date(2018, 4, 18), true)), &TimeZone::UTC, true);
        assert_eq!(
            ats(&p),
            [
                "2018-04-18T14:43:00Z",
                "2018-04-18T14:49:00Z",
                "2018-04-18T14:55:00Z"
            ]
        );
        assert!(p.notes[0].1.contains("sorted"), "{:?}", p.notes);
    }

    #[test]
    fn written_dates_out_of_order_are_sorted() {
        let dated = |d: Date, line| RawEntry {
            when: When::Time {
                parsed: Parsed::Civil {
                    date: Some(d),
                    time: time(10, 0, 0, 0),
                    zone: None,
                },
                date: Some(DateHow::Written),
                zone: None,
            },
            event: String::new(),
            kind: None,
            line,
        };
        let raw = vec![dated(date(2021, 6, 4), 1), dated(date(2021, 6, 3), 2)];
        let p = place(raw, None, &TimeZone::UTC, false);
        assert_eq!(ats(&p), ["2021-06-03T10:00:00Z", "2021-06-04T10:00:00Z"]);
        assert!(p.entries.iter().all(|e| !e.certain));
        assert!(p.notes[0].1.contains("sorted"));
    }

    fn dated(d: Date, h: i8, m: i8, line: usize) -> RawEntry {
        RawEntry {
            when: When::Time {
                parsed: Parsed::Civil {
                    date: Some(d),
                    time: time(h, m, 0, 0),
                    zone: None,
                },
                date: Some(DateHow::Written),
                zone: None,
            },
            event: format!("at line {line}"),
            kind: None,
            line,
        }
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn certain(p: &Placed) -> Vec<bool> {
        p.entries.iter().map(|e| e.certain).collect()
    }

    #[test]
    fn a_time_the_clocks_skipped_is_guessed_at_its_line_and_keeps_the_order() {
        let spring = date(2019, 3, 31);
        let raw = vec![
            dated(spring, 1, 50, 1),
            dated(spring, 2, 30, 2),
            dated(spring, 3, 10, 3),
        ];
        let p = place(raw, None, &berlin(), true);
        // 02:30 is read as 03:00 local, the instant the gap ends.
        assert_eq!(
            ats(&p),
            [
                "2019-03-31T00:50:00Z",
                "2019-03-31T01:00:00Z",
                "2019-03-31T01:10:00Z"
            ]
        );
        assert_eq!(certain(&p), [true, false, true]);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        let (line, msg) = &p.notes[0];
        assert_eq!(*line, 2);
        assert!(
            msg.starts_with("02:30 does not exist in Europe/Berlin on 2019-03-31: the clocks went forward at 02:00")
                && msg.contains("read as 03:00")
                && msg.contains("would be 03:30"),
            "{msg}"
        );
        // A bare time in the gap too.
        let raw = vec![bare(1, 50, 1), bare(2, 30, 2), bare(3, 10, 3)];
        let p = place(raw, Some((spring, true)), &berlin(), true);
        assert_eq!(ats(&p)[1], "2019-03-31T01:00:00Z");
        assert_eq!(certain(&p), [true, false, true]);
        assert!(p.notes.iter().all(|(_, m)| !m.contains("sorted")));
    }

    #[test]
    fn a_time_the_clocks_passed_twice_is_guessed_in_the_authors_order() {
        let autumn = date(2019, 10, 27);
        let raw = vec![bare(1, 50, 1), bare(2, 30, 2), bare(3, 10, 3)];
        let p = place(raw, Some((autumn, true)), &berlin(), true);
        // The first 02:30 (summer time, UTC+2).
        assert_eq!(ats(&p)[1], "2019-10-27T00:30:00Z");
        assert_eq!(certain(&p), [true, false, true]);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        assert_eq!(p.notes[0].0, 2);
        assert!(
            p.notes[0]
                .1
                .starts_with("02:30 happens twice in Europe/Berlin on 2019-10-27")
                && p.notes[0].1.contains("UTC+2")
                && p.notes[0].1.contains("UTC+1"),
            "{}",
            p.notes[0].1
        );
        // 02:40 then 02:10: only the second 02:10 keeps the order.
        let raw = vec![bare(2, 40, 1), bare(2, 10, 2)];
        let p = place(raw, Some((autumn, true)), &berlin(), true);
        assert_eq!(ats(&p), ["2019-10-27T00:40:00Z", "2019-10-27T01:10:00Z"]);
        assert_eq!(certain(&p), [false, false]);
        assert!(p.notes.iter().all(|(_, m)| !m.contains("sorted")));
        assert!(p.notes[1].1.contains("read as the second"), "{:?}", p.notes);
    }

    #[test]
    fn times_in_an_ambiguous_abbreviation_are_guessed() {
        let (ist, _) = super::super::zones::zone_stated_in("All times in IST").unwrap();
        let raw = vec![bare(10, 0, 1), bare(10, 30, 2)];
        let p = place(raw, Some((date(2021, 6, 3), true)), &ist.tz(), Some(&ist));
        assert_eq!(certain(&p), [false, false]);
        let utc = Zone::named("UTC");
        let p = place(
            vec![bare(9, 0, 1)],
            Some((date(2021, 6, 3), true)),
            &TimeZone::UTC,
            Some(&utc),
        );
        assert_eq!(certain(&p), [true]);
        // An entry's own "CST" under an "All times in UTC" statement.
        let (cst, _) = super::super::zones::zone_on_entry(" CST - paged").unwrap();
        let mut own = bare(11, 0, 2);
        if let When::Time { zone, .. } = &mut own.when {
            *zone = Some(cst);
        }
        let raw = vec![bare(9, 0, 1), own];
        let p = place(
            raw,
            Some((date(2021, 6, 3), true)),
            &TimeZone::UTC,
            Some(&utc),
        );
        assert_eq!(certain(&p), [true, false]);
        assert!(p.notes.iter().any(|(l, m)| *l == 2 && m.contains("`CST`")));
    }

    #[test]
    fn times_at_a_written_offset_are_read_at_it_and_a_clock_shown_otherwise_is_noted() {
        use super::super::zones::{zone_on_entry, zone_stated_in};
        let (z, _) = zone_stated_in("All times UTC-03:30.").unwrap();
        let tz = z.tz();
        assert_eq!(tz.iana_name(), Some("America/St_Johns"));
        // Winter: St John's is at UTC-3:30; nothing to say.
        let raw = vec![bare(10, 0, 1), bare(10, 30, 2)];
        let p = place(raw, Some((date(2024, 1, 20), true)), &tz, Some(&z));
        assert_eq!(ats(&p), ["2024-01-20T13:30:00Z", "2024-01-20T14:00:00Z"]);
        assert_eq!(certain(&p), [true, true]);
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        // Summer: St John's is at UTC-2:30, the times are still read at
        // UTC-3:30, and the clock the file shows is noted at the first.
        let raw = vec![bare(10, 0, 3), bare(10, 30, 4)];
        let p = place(raw, Some((date(2024, 7, 20), true)), &tz, Some(&z));
        assert_eq!(ats(&p), ["2024-07-20T13:30:00Z", "2024-07-20T14:00:00Z"]);
        assert_eq!(certain(&p), [true, true]);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        let (line, msg) = &p.notes[0];
        assert_eq!(*line, 3);
        assert!(
            msg.starts_with("UTC-3:30 is read as written")
                && msg.contains("America/St_Johns")
                && msg.contains("UTC-2:30 on 2024-07-20 (daylight saving time)")
                && msg.contains("shows this time as 11:00, the same instant as 10:00")
                && msg.contains("1 more entry"),
            "{msg}"
        );
        // Tehran: +3:30 all year since 2023; in 2021's summer it was not.
        let (z, _) = zone_stated_in("All times UTC+03:30").unwrap();
        let tz = z.tz();
        let p = place(
            vec![bare(10, 0, 1)],
            Some((date(2024, 7, 1), true)),
            &tz,
            Some(&z),
        );
        assert_eq!(ats(&p), ["2024-07-01T06:30:00Z"]);
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        let p = place(
            vec![bare(10, 0, 1)],
            Some((date(2021, 7, 1), true)),
            &tz,
            Some(&z),
        );
        assert_eq!(ats(&p), ["2021-07-01T06:30:00Z"]);
        assert!(
            p.notes[0].1.contains("UTC+4:30 on 2021-07-01"),
            "{:?}",
            p.notes
        );
        // An entry's own offset, in a file written in UTC: read at it, and
        // nothing to say of UTC's clock.
        let (own, _) = zone_on_entry(" (UTC+05:30) - x").unwrap();
        let mut e = bare(10, 0, 1);
        if let When::Time { zone, .. } = &mut e.when {
            *zone = Some(own);
        }
        let utc = Zone::named("UTC");
        let p = place(
            vec![e],
            Some((date(2024, 7, 1), true)),
            &TimeZone::UTC,
            Some(&utc),
        );
        assert_eq!(ats(&p), ["2024-07-01T04:30:00Z"]);
        assert_eq!(certain(&p), [true]);
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        // Entries that all name UTC-03:30, no statement, the file written
        // in St John's: read at it, the summer clock noted.
        let (own, _) = zone_on_entry(" UTC-0330 - x").unwrap();
        let mut e = bare(10, 0, 5);
        if let When::Time { zone, .. } = &mut e.when {
            *zone = Some(own.clone());
        }
        let p = place(vec![e], Some((date(2024, 7, 20), true)), &own.tz(), false);
        assert_eq!(ats(&p), ["2024-07-20T13:30:00Z"]);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        assert_eq!(p.notes[0].0, 5);
    }

    #[test]
    fn an_ambiguous_day_heading_says_so_at_its_line_not_that_no_day_is_written() {
        let raw = vec![
            RawEntry {
                when: When::Day(date(2021, 6, 3), DateHow::Ambiguous),
                event: String::new(),
                kind: None,
                line: 4,
            },
            bare(10, 0, 6),
            bare(10, 30, 7),
        ];
        let p = place(raw, None, &TimeZone::UTC, true);
        assert_eq!(ats(&p), ["2021-06-03T10:00:00Z", "2021-06-03T10:30:00Z"]);
        assert_eq!(certain(&p), [false, false]);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        let (line, msg) = &p.notes[0];
        assert_eq!(*line, 4);
        assert!(
            msg.contains("read day first (2021-06-03)")
                && msg.contains("6 March (2021-03-06)")
                && msg.contains("keep 3 June")
                && msg.contains("`[import] date-order")
                && !msg.contains("no day is written"),
            "{msg}"
        );
    }

    impl RawEntry {
        fn day_for_test(d: Date, line: usize) -> Self {
            RawEntry {
                when: When::Day(d, DateHow::YearFilled),
                event: String::new(),
                kind: None,
                line,
            }
        }
    }
}
