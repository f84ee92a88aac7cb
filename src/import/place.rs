//! Placing a timeline's times on days: in the author's order, a bare time
//! earlier than the one before it is on the next day (the timeline crossed
//! midnight, `3:10 PM` then `5:02 AM` too) when it is more than three
//! hours earlier (a smaller step back is an entry written out of order, and
//! the timeline is sorted); day headings and lines set the
//! day of the bare times after them; month-day dates take the incident's
//! year, and a December before a January is in the year before. Every entry is certain or guessed: guessed when its zone, its
//! day or its place in the order had to be assumed (each guess is a note
//! at its line).

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

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
            When::Time { parsed, zone, .. } => {
                zone.is_some()
                    || matches!(parsed, Parsed::Instant(_))
                    || matches!(parsed, Parsed::Civil { zone: Some(_), .. })
            }
            When::Day(..) => true,
        }
    }

    fn date_mut(&mut self) -> Option<(&mut Date, DateHow)> {
        match &mut self.when {
            When::Day(d, how) => Some((d, *how)),
            When::Time {
                parsed: Parsed::Civil { date: Some(d), .. },
                date: Some(how),
                ..
            } => Some((d, *how)),
            _ => None,
        }
    }
}

/// The placed entries, in time order, and what was guessed.
pub(super) struct Placed {
    pub entries: Vec<Entry>,
    /// (line in the body, message).
    pub notes: Vec<(usize, String)>,
}

/// The day bare times are on, and whether it is known or assumed.
struct Day {
    date: Date,
    certain: bool,
}

/// Places the entries. `anchor`: the date the file states (front matter
/// or file name), on which bare times before any day are; `tz`: the zone
/// of times that name none; `zone_stated`: the text states it.
pub(super) fn place(
    mut raw: Vec<RawEntry>,
    anchor: Option<(Date, bool)>,
    tz: &TimeZone,
    zone_stated: bool,
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
        (Some((d, certain)), _) => Day { date: d, certain },
        (None, Some(d)) => Day {
            date: d,
            certain: false,
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
        zone_stated,
        day,
        guessed_day_noted: false,
        last: None,
        out: Vec::new(),
        sorted: false,
        notes,
    };
    for r in raw {
        placer.entry(r);
    }
    let Placer {
        mut out,
        sorted,
        notes,
        ..
    } = placer;
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
    zone_stated: bool,
    /// The day bare times are on.
    day: Day,
    guessed_day_noted: bool,
    /// The latest time so far.
    last: Option<Timestamp>,
    out: Vec<Entry>,
    sorted: bool,
    notes: Vec<(usize, String)>,
}

impl Placer<'_> {
    fn entry(&mut self, r: RawEntry) {
        let own_zone = r.own_zone();
        let line = r.line;
        let (parsed, date_how, zone) = match r.when {
            When::Day(d, how) => {
                self.day = Day {
                    date: d,
                    certain: how != DateHow::Ambiguous,
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
        let zone_certain =
            (own_zone && zone.as_ref().is_none_or(|z| z.ambiguous.is_none())) || self.zone_stated;
        let entry_tz = zone.as_ref().map_or_else(|| self.tz.clone(), Zone::tz);
        let mut rolled = false;
        let at = match parsed {
            Parsed::Instant(ts) => {
                self.day = Day {
                    date: ts.to_zoned_datetime(self.tz.clone()).date(),
                    certain: true,
                };
                ts
            }
            Parsed::Civil {
                date: Some(d),
                time,
                zone: z,
            } => {
                let z = z.unwrap_or(entry_tz);
                let Some(ts) = on(&z, d, time) else { return };
                if date_how == Some(DateHow::Ambiguous) {
                    self.notes.push((line, ambiguous_date(d)));
                }
                self.day = Day {
                    date: d,
                    certain: date_how != Some(DateHow::Ambiguous),
                };
                ts
            }
            Parsed::Civil {
                date: None,
                time,
                zone: z,
            } => {
                let z = z.unwrap_or(entry_tz);
                let Some((ts, r)) = self.bare(&z, time, line) else {
                    return;
                };
                rolled = r;
                ts
            }
        };
        let mut certain = zone_certain && self.day.certain && !rolled;
        if self.last.is_some_and(|l| at < l) {
            self.sorted = true;
            certain = false;
            self.notes.push((
                line,
                "this entry is earlier than the one before it; the timeline is sorted by time (write the day if it is on a later one)"
                    .to_string(),
            ));
        } else {
            self.last = Some(at);
        }
        self.out.push(Entry {
            at,
            event: r.event,
            kind: r.kind.unwrap_or(Milestone::Other),
            kind_stated: r.kind.is_some(),
            line,
            certain,
            own_zone,
        });
    }

    /// A bare time on the current day, or on the next when it goes back
    /// more than [`ROLLOVER_STEP`]; whether it rolled over.
    fn bare(
        &mut self,
        z: &TimeZone,
        time: jiff::civil::Time,
        line: usize,
    ) -> Option<(Timestamp, bool)> {
        let ts = on(z, self.day.date, time)?;
        if !self.day.certain && !self.guessed_day_noted {
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
            && let Some(n) = on(z, next, time)
            && n >= l
        {
            self.day.date = next;
            self.notes.push((
                line,
                format!(
                    "this time is earlier than the one before it, so it is taken to be on the next day ({next}); write the day if that is wrong"
                ),
            ));
            return Some((n, true));
        }
        Some((ts, false))
    }
}

fn on(tz: &TimeZone, d: Date, time: jiff::civil::Time) -> Option<Timestamp> {
    tz.to_ambiguous_timestamp(d.to_datetime(time))
        .compatible()
        .ok()
}

fn ambiguous_date(d: Date) -> String {
    format!(
        "day and month could be either way round in this date; it is read day first ({d}): set `[import] date-order` in book.toml if the text writes month first"
    )
}

/// Dates written without a year take the incident's; when they go from
/// December to January, the December ones are in the year before (or the
/// January ones in the year after, for an incident in December).
fn roll_years(raw: &mut [RawEntry], anchor: Option<Date>, notes: &mut Vec<(usize, String)>) {
    let filled: Vec<usize> = (0..raw.len())
        .filter(|&i| {
            raw[i]
                .date_mut()
                .is_some_and(|(_, how)| how == DateHow::YearFilled)
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
    for k in range {
        let i = filled[k];
        if let Some((d, _)) = raw[i].date_mut()
            && let Ok(moved) = Date::new(d.year() + shift, d.month(), d.day())
        {
            *d = moved;
            first.get_or_insert((raw[i].line, moved));
        }
    }
    if let Some((line, d)) = first {
        notes.push((
            line,
            format!("the timeline goes from December to January, so this date is taken to be {d}; write the year if that is wrong"),
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
