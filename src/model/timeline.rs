//! Timelines: the times written in a postmortem (front matter `timeline:`,
//! or a list or table under a "Timeline" heading), read into instants, and
//! the metrics derived from their milestones.

use std::sync::LazyLock;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use regex::Regex;
use serde::Serialize;

/// What a timeline entry marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Milestone {
    Started,
    Detected,
    Acknowledged,
    Mitigated,
    Resolved,
    Other,
}

impl Milestone {
    pub const NAMES: &'static [&'static str] = &[
        "started",
        "detected",
        "acknowledged",
        "mitigated",
        "resolved",
        "other",
    ];

    pub fn parse(s: &str) -> Option<Milestone> {
        Some(match s {
            "started" => Milestone::Started,
            "detected" => Milestone::Detected,
            "acknowledged" => Milestone::Acknowledged,
            "mitigated" => Milestone::Mitigated,
            "resolved" => Milestone::Resolved,
            "other" => Milestone::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Started => "started",
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Mitigated => "mitigated",
            Milestone::Resolved => "resolved",
            Milestone::Other => "other",
        }
    }
}

/// Where a postmortem's timeline was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimelineSource {
    #[default]
    None,
    FrontMatter,
    BodyList,
    BodyTable,
}

/// One entry: when, what kind, what happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub at: Timestamp,
    pub kind: Milestone,
    /// The event text as written (Markdown in body timelines).
    pub event: String,
    /// The line in the file where the entry is written.
    pub line: usize,
}

/// The instants and durations derived from a timeline's milestones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Metrics {
    pub started: Option<Timestamp>,
    pub detected: Option<Timestamp>,
    pub acknowledged: Option<Timestamp>,
    pub mitigated: Option<Timestamp>,
    pub resolved: Option<Timestamp>,
    pub time_to_detect_s: Option<i64>,
    pub time_to_acknowledge_s: Option<i64>,
    pub time_to_mitigate_s: Option<i64>,
    pub time_to_resolve_s: Option<i64>,
}

impl Metrics {
    /// Derives the metrics. `started` is the `started` milestone or else the
    /// first entry; each other milestone is its first occurrence. A
    /// milestone before the start gives no metric rather than a negative one.
    pub fn from_entries(entries: &[TimelineEntry]) -> Metrics {
        let first = |k: Milestone| entries.iter().filter(|e| e.kind == k).map(|e| e.at).min();
        let started = first(Milestone::Started).or_else(|| entries.iter().map(|e| e.at).min());
        let since = |t: Option<Timestamp>| -> Option<i64> {
            let (s, t) = (started?, t?);
            let secs = t.as_second() - s.as_second();
            (secs >= 0).then_some(secs)
        };
        let detected = first(Milestone::Detected);
        let acknowledged = first(Milestone::Acknowledged);
        let mitigated = first(Milestone::Mitigated);
        let resolved = first(Milestone::Resolved);
        Metrics {
            started,
            detected,
            acknowledged,
            mitigated,
            resolved,
            time_to_detect_s: since(detected),
            time_to_acknowledge_s: since(acknowledged),
            time_to_mitigate_s: since(mitigated),
            time_to_resolve_s: since(resolved),
        }
    }

    /// Duration of impact: from the start until resolved.
    pub fn duration_s(&self) -> Option<i64> {
        self.time_to_resolve_s
    }
}

/// Days since 1970-01-01 of a date.
pub fn day_number(d: jiff::civil::Date) -> i64 {
    d.to_datetime(jiff::civil::Time::midnight())
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second().div_euclid(86_400))
        .unwrap_or(0)
}

/// Formats seconds as a short human duration: `45s`, `41m`, `3h 12m`, `2d 4h`.
pub fn human_duration(secs: i64) -> String {
    if secs < 0 {
        return format!("-{}", human_duration(-secs));
    }
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, m) if s == 0 => format!("{m}m"),
        (0, 0, m) => format!("{m}m {s}s"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// An offset from the start: `+0m`, `+7m`, `+1h 5m`.
pub fn offset_label(secs: i64) -> String {
    if secs < 0 {
        format!("-{}", human_duration(-secs))
    } else if secs < 60 {
        format!("+{}m", 0)
    } else {
        format!("+{}", human_duration(secs - secs % 60))
    }
}

/// Reads the times of one timeline in order, placing bare times on the
/// incident's date in its time zone and rolling over past midnight.
pub struct TimeCursor {
    day: Date,
    tz: TimeZone,
    last: Option<Timestamp>,
}

/// What reading a time gave.
#[derive(Debug, PartialEq)]
pub struct ReadTime {
    pub at: Timestamp,
    /// The time was earlier than the previous entry and was taken to be on
    /// the next day.
    pub rolled_over: bool,
    /// The entry is before the previous one (an error).
    pub backwards: Option<Timestamp>,
    /// The wall-clock time does not exist on that day in the zone (the
    /// clocks moved forward over it); it was read as the moment after.
    pub skipped: Option<DateTime>,
}

impl TimeCursor {
    pub fn new(date: Date, tz: TimeZone) -> Self {
        TimeCursor {
            day: date,
            tz,
            last: None,
        }
    }

    /// Reads a time as written in a timeline (see [`parse_time`]).
    pub fn read(&mut self, text: &str) -> Result<ReadTime, String> {
        let parsed = parse_time(text)?;
        let mut rolled_over = false;
        let mut skipped = None;
        let mut check_gap = |dt: DateTime, tz: &TimeZone| {
            skipped = matches!(
                tz.to_ambiguous_timestamp(dt).offset(),
                jiff::tz::AmbiguousOffset::Gap { .. }
            )
            .then_some(dt);
        };
        let at = match parsed {
            Parsed::Instant(ts) => {
                self.day = ts.to_zoned_datetime(self.tz.clone()).date();
                ts
            }
            Parsed::Civil { date, time, zone } => {
                let tz = zone.unwrap_or_else(|| self.tz.clone());
                match date {
                    Some(d) => {
                        let ts = to_instant(d.to_datetime(time), &tz)?;
                        check_gap(d.to_datetime(time), &tz);
                        self.day = ts.to_zoned_datetime(self.tz.clone()).date();
                        ts
                    }
                    None => {
                        let mut ts = to_instant(self.day.to_datetime(time), &tz)?;
                        let mut day = self.day;
                        if let Some(last) = self.last
                            && ts < last
                        {
                            // Past midnight: the same time on the next day.
                            let next = self.day.checked_add(1.day()).map_err(|e| e.to_string())?;
                            let candidate = to_instant(next.to_datetime(time), &tz)?;
                            if candidate >= last {
                                self.day = next;
                                day = next;
                                ts = candidate;
                                rolled_over = true;
                            }
                        }
                        check_gap(day.to_datetime(time), &tz);
                        ts
                    }
                }
            }
        };
        let backwards = self.last.filter(|last| at < *last);
        if backwards.is_none() {
            self.last = Some(at);
        }
        Ok(ReadTime {
            at,
            rolled_over,
            backwards,
            skipped,
        })
    }
}

/// The warning for a wall-clock time the clocks skipped.
pub fn skipped_message(text: &str, dt: DateTime, at: Timestamp) -> String {
    format!(
        "`{text}` does not exist on {}: the clocks moved forward over it; read as {at}",
        dt.date()
    )
}

pub const SKIPPED_HINT: &str = "check the time (an hour off?), or write it with its UTC offset, e.g. 2021-03-28T02:30:00+01:00";

fn to_instant(dt: DateTime, tz: &TimeZone) -> Result<Timestamp, String> {
    tz.to_ambiguous_timestamp(dt)
        .compatible()
        .map_err(|e| format!("cannot place {dt} in the time zone: {e}"))
}

/// A time as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    /// A full timestamp with an offset.
    Instant(Timestamp),
    /// A wall-clock time, with a date or a zone when written.
    Civil {
        date: Option<Date>,
        time: Time,
        zone: Option<TimeZone>,
    },
}

static TIME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^
        (?:(?P<date>\d{4}-\d{2}-\d{2})(?:[T\s]+|,\s*))?
        (?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?
        (?:\s*(?P<ampm>[ap])\.?\s?m\.?)?
        (?:\s*(?P<zone>Z|(?:UTC|GMT)(?:\s?[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})\b)?
        ",
    )
    .expect("the time pattern is valid")
});

/// The end of a time range: `17:00-18:00`, `9:00 – 9:30 AM`, `17:00 to 18:00`.
static RANGE_END_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^
        \s*(?:[-–—]|to\s)\s*
        (?P<end>\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?)
        ",
    )
    .expect("the range pattern is valid")
});

/// The end of the range a timeline time was written as (`18:00` of
/// `17:00-18:00`), when it was one.
pub fn range_end(time_text: &str) -> Option<String> {
    let caps = TIME_RE.captures(time_text.trim())?;
    let after = [caps.name("ampm"), caps.name("s"), caps.name("m")]
        .into_iter()
        .flatten()
        .map(|m| m.end())
        .max()?;
    let range = RANGE_END_RE.captures(&time_text.trim()[after..])?;
    Some(range["end"].trim().to_string())
}

/// Parses a timeline time: an RFC 3339 timestamp (`2018-04-12T09:02:00Z`),
/// a date and time (`2018-04-12 09:02`), or a bare time (`09:09`, `9:09`,
/// `09:09:30`, `9:09 AM`), each optionally followed by `Z`, `UTC`, `GMT` or
/// an offset such as `+02:00`.
pub fn parse_time(text: &str) -> Result<Parsed, String> {
    let t = text.trim();
    let (len, parsed) =
        parse_time_prefix(t).ok_or_else(|| format!("cannot read `{t}` as a time"))?;
    if !t[len..].trim().is_empty() {
        return Err(format!(
            "cannot read `{t}` as a time (unexpected `{}`)",
            t[len..].trim()
        ));
    }
    Ok(parsed)
}

/// Reads a time at the start of a text; returns how many bytes it used.
pub fn parse_time_prefix(t: &str) -> Option<(usize, Parsed)> {
    let caps = TIME_RE.captures(t)?;
    let whole = caps.get(0)?;
    // "9:091" or "12:30pm2" are not times.
    if t[whole.end()..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    let mut hour: i8 = caps["h"].parse().ok()?;
    let minute: i8 = caps["m"].parse().ok()?;
    let second: i8 = caps
        .name("s")
        .map_or(Some(0), |s| s.as_str().parse().ok())?;
    if let Some(ampm) = caps.name("ampm") {
        if !(1..=12).contains(&hour) {
            return None;
        }
        let pm = ampm.as_str().eq_ignore_ascii_case("p");
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    let time = Time::new(hour, minute, second, 0).ok()?;
    let date = match caps.name("date") {
        Some(d) => Some(d.as_str().parse::<Date>().ok()?),
        None => None,
    };
    let mut end = whole.end();
    let mut zone_text = caps.name("zone").map(|z| z.as_str());
    // `17:00-18:00` is a range, not 17:00 at UTC-18: a `-hh:mm` after a
    // bare time, or one beyond any real offset (UTC-12), ends a range,
    // and the time read is its start.
    let after_time = [caps.name("ampm"), caps.name("s"), caps.name("m")]
        .into_iter()
        .flatten()
        .map(|m| m.end())
        .max()
        .unwrap_or(end);
    let minus_offset = zone_text.is_some_and(|z| z.starts_with('-'));
    let beyond_real = zone_text
        .and_then(|z| z.get(1..3))
        .and_then(|h| h.parse::<u8>().ok())
        .is_some_and(|h| h > 12);
    if (zone_text.is_none() || (minus_offset && (date.is_none() || beyond_real)))
        && let Some(range) = RANGE_END_RE.captures(&t[after_time..])
        && parse_time_prefix_plain(&range["end"])
    {
        zone_text = None;
        end = after_time + range.get(0).map_or(0, |m| m.end());
        if t[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return None;
        }
    }
    let zone = match zone_text {
        None => None,
        Some(z) if z.eq_ignore_ascii_case("z") => Some(TimeZone::UTC),
        // `UTC`, `GMT`, `UTC+5:30`, `GMT-0330`, `+02:00`.
        Some(z) => {
            let off = z
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .trim();
            if off.is_empty() {
                Some(TimeZone::UTC)
            } else {
                Some(TimeZone::fixed(written_offset(off)?))
            }
        }
    };
    let parsed = match (date, &zone) {
        (Some(d), Some(z)) => {
            let ts = z
                .to_ambiguous_timestamp(d.to_datetime(time))
                .compatible()
                .ok()?;
            Parsed::Instant(ts)
        }
        _ => Parsed::Civil { date, time, zone },
    };
    Some((end, parsed))
}

/// An offset as written after a time: `+5`, `+05`, `+5:30`, `+0530`,
/// `-03:30`; at most 14 hours.
fn written_offset(off: &str) -> Option<jiff::tz::Offset> {
    let (sign, rest) = match off.as_bytes().first()? {
        b'+' => (1, &off[1..]),
        b'-' => (-1, &off[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() <= 2 => (rest, "0"),
        None if rest.len() == 4 => rest.split_at(2),
        None => return None,
    };
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m >= 60 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// Is `text` a whole wall-clock time (`18:00`, `6:00 PM`)?
fn parse_time_prefix_plain(text: &str) -> bool {
    matches!(
        parse_time_prefix(text),
        Some((n, Parsed::Civil { date: None, zone: None, .. })) if n == text.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn cursor(tz: &str) -> TimeCursor {
        TimeCursor::new(date(2018, 4, 12), TimeZone::get(tz).unwrap())
    }

    #[test]
    fn every_accepted_form() {
        let mut c = cursor("UTC");
        assert_eq!(
            c.read("2018-04-12T09:02:00Z").unwrap().at,
            ts("2018-04-12T09:02:00Z")
        );
        assert_eq!(c.read("09:09").unwrap().at, ts("2018-04-12T09:09:00Z"));
        assert_eq!(c.read("9:10").unwrap().at, ts("2018-04-12T09:10:00Z"));
        assert_eq!(c.read("09:10:30").unwrap().at, ts("2018-04-12T09:10:30Z"));
        assert_eq!(c.read("9:11 AM").unwrap().at, ts("2018-04-12T09:11:00Z"));
        assert_eq!(c.read("1:05 pm").unwrap().at, ts("2018-04-12T13:05:00Z"));
        assert_eq!(
            c.read("2018-04-12 14:00").unwrap().at,
            ts("2018-04-12T14:00:00Z")
        );
        assert_eq!(
            c.read("2018-04-12T15:00").unwrap().at,
            ts("2018-04-12T15:00:00Z")
        );
        assert_eq!(
            c.read("2018-04-12 16:00 UTC").unwrap().at,
            ts("2018-04-12T16:00:00Z")
        );
        assert_eq!(
            c.read("2018-04-12T17:00:00+02:00").unwrap().at,
            ts("2018-04-12T15:00:00Z")
        );
    }

    #[test]
    fn twelve_hour_clock_edges() {
        let mut c = cursor("UTC");
        assert_eq!(c.read("12:00 AM").unwrap().at, ts("2018-04-12T00:00:00Z"));
        assert_eq!(c.read("12:30 p.m.").unwrap().at, ts("2018-04-12T12:30:00Z"));
        assert!(parse_time("13:00 PM").is_err());
    }

    #[test]
    fn bare_times_use_the_zone_with_dst() {
        // Copenhagen is UTC+2 in April (summer time) and UTC+1 in January.
        let mut c = cursor("Europe/Copenhagen");
        assert_eq!(c.read("09:09").unwrap().at, ts("2018-04-12T07:09:00Z"));
        let mut c = TimeCursor::new(
            date(2018, 1, 12),
            TimeZone::get("Europe/Copenhagen").unwrap(),
        );
        assert_eq!(c.read("09:09").unwrap().at, ts("2018-01-12T08:09:00Z"));
    }

    #[test]
    fn a_dst_change_during_the_incident() {
        // 2018-03-25: Copenhagen moves from +1 to +2 at 02:00 local.
        let mut c = TimeCursor::new(
            date(2018, 3, 25),
            TimeZone::get("Europe/Copenhagen").unwrap(),
        );
        let a = c.read("01:30").unwrap().at;
        let b = c.read("03:30").unwrap().at;
        assert_eq!(a, ts("2018-03-25T00:30:00Z"));
        assert_eq!(b, ts("2018-03-25T01:30:00Z"));
        assert_eq!(b.as_second() - a.as_second(), 3600);
    }

    #[test]
    fn midnight_rolls_over_to_the_next_day() {
        let mut c = cursor("UTC");
        c.read("23:50").unwrap();
        let r = c.read("00:10").unwrap();
        assert!(r.rolled_over);
        assert_eq!(r.at, ts("2018-04-13T00:10:00Z"));
        assert_eq!(c.read("00:20").unwrap().at, ts("2018-04-13T00:20:00Z"));
    }

    #[test]
    fn dated_entries_going_backwards_are_reported() {
        let mut c = cursor("UTC");
        c.read("2018-04-12T10:00:00Z").unwrap();
        let r = c.read("2018-04-12T09:00:00Z").unwrap();
        assert_eq!(r.backwards, Some(ts("2018-04-12T10:00:00Z")));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_time("soon").is_err());
        assert!(parse_time("25:00").is_err());
        assert!(parse_time("09:61").is_err());
        assert!(parse_time("09:09 tomorrow").is_err());
        assert!(parse_time("2018-13-01 09:00").is_err());
    }

    #[test]
    fn prefixes_leave_the_rest() {
        let (n, _) = parse_time_prefix("09:09 - Monitoring pages").unwrap();
        assert_eq!(n, 5);
        let (n, _) = parse_time_prefix("2018-04-12 09:14: Alex restarts").unwrap();
        assert_eq!(n, 16);
        assert!(parse_time_prefix("0909 x").is_none());
        assert!(parse_time_prefix("9:091 x").is_none());
        // A word after the time that starts like a zone is no zone.
        let (n, parsed) = parse_time_prefix("10:05 Zoom call opened").unwrap();
        assert_eq!(n, 5);
        assert!(matches!(parsed, Parsed::Civil { zone: None, .. }));
        let (n, _) = parse_time_prefix("10:05 UTC Zoom call").unwrap();
        assert_eq!(n, 9);
    }

    #[test]
    fn offsets_after_utc_or_gmt_are_read_to_the_minute() {
        for (text, at) in [
            ("10:20 UTC+5:30", "2018-04-12T04:50:00Z"),
            ("10:20 UTC+05:30", "2018-04-12T04:50:00Z"),
            ("10:30 GMT-0330", "2018-04-12T14:00:00Z"),
            ("10:30 UTC+2", "2018-04-12T08:30:00Z"),
            ("10:30 UTC -3", "2018-04-12T13:30:00Z"),
        ] {
            assert_eq!(cursor("UTC").read(text).unwrap().at, ts(at), "{text}");
        }
        let (n, _) = parse_time_prefix("10:20 UTC+5:30 - Requests fail").unwrap();
        assert_eq!(n, 14);
        // Beyond any real offset: no zone, so the rest is not a time.
        assert!(parse_time("10:20 UTC+15").is_err());
    }

    #[test]
    fn ranges_are_read_as_their_start() {
        let civil = |h, m| Parsed::Civil {
            date: None,
            time: Time::new(h, m, 0, 0).unwrap(),
            zone: None,
        };
        for text in [
            "17:00-18:00 something slow",
            "17:00 - 18:00 something slow",
            "17:00–18:00 something slow",
            "17:00 to 18:00 something slow",
        ] {
            let (n, parsed) = parse_time_prefix(text).unwrap();
            assert_eq!(parsed, civil(17, 0), "{text}");
            assert_eq!(text[n..].trim(), "something slow", "{text}");
            assert_eq!(range_end(&text[..n]).as_deref(), Some("18:00"), "{text}");
        }
        let (_, parsed) = parse_time_prefix("9:00 AM - 9:30 AM").unwrap();
        assert_eq!(parsed, civil(9, 0));
        // A dated time with a real offset is a timestamp…
        let (n, parsed) = parse_time_prefix("2018-04-12 09:00-05:00 x").unwrap();
        assert_eq!(parsed, Parsed::Instant(ts("2018-04-12T14:00:00Z")));
        assert_eq!(n, 22);
        // …with an impossible one, a range.
        let (_, parsed) = parse_time_prefix("2018-04-12 17:00-18:00").unwrap();
        assert!(matches!(
            parsed,
            Parsed::Civil {
                date: Some(_),
                zone: None,
                ..
            }
        ));
        // A bare time with a positive offset keeps it.
        let (_, parsed) = parse_time_prefix("09:00+02:00").unwrap();
        assert!(matches!(parsed, Parsed::Civil { zone: Some(_), .. }));
        // Not a range: a separator, then words.
        let (n, _) = parse_time_prefix("09:09 - 3 pods restarted").unwrap();
        assert_eq!(n, 5);
        assert_eq!(range_end("09:09"), None);
    }

    fn entry(at: &str, kind: Milestone) -> TimelineEntry {
        TimelineEntry {
            at: ts(at),
            kind,
            event: String::new(),
            line: 1,
        }
    }

    #[test]
    fn metrics_from_milestones() {
        let m = Metrics::from_entries(&[
            entry("2018-04-12T09:00:00Z", Milestone::Other),
            entry("2018-04-12T09:02:00Z", Milestone::Started),
            entry("2018-04-12T09:09:00Z", Milestone::Detected),
            entry("2018-04-12T09:12:00Z", Milestone::Acknowledged),
            entry("2018-04-12T09:19:00Z", Milestone::Mitigated),
            entry("2018-04-12T09:43:00Z", Milestone::Resolved),
        ]);
        assert_eq!(m.started, Some(ts("2018-04-12T09:02:00Z")));
        assert_eq!(m.time_to_detect_s, Some(420));
        assert_eq!(m.time_to_acknowledge_s, Some(600));
        assert_eq!(m.time_to_mitigate_s, Some(1020));
        assert_eq!(m.time_to_resolve_s, Some(2460));
    }

    #[test]
    fn missing_milestones_give_absent_metrics() {
        let m = Metrics::from_entries(&[
            entry("2018-04-12T09:00:00Z", Milestone::Other),
            entry("2018-04-12T09:30:00Z", Milestone::Resolved),
        ]);
        assert_eq!(m.started, Some(ts("2018-04-12T09:00:00Z")));
        assert_eq!(m.time_to_detect_s, None);
        assert_eq!(m.time_to_resolve_s, Some(1800));
        assert_eq!(Metrics::from_entries(&[]), Metrics::default());
    }

    #[test]
    fn a_milestone_before_the_start_is_no_metric() {
        let m = Metrics::from_entries(&[
            entry("2018-04-12T09:00:00Z", Milestone::Detected),
            entry("2018-04-12T09:30:00Z", Milestone::Started),
        ]);
        assert_eq!(m.time_to_detect_s, None);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(41 * 60), "41m");
        assert_eq!(human_duration(7 * 60 + 30), "7m 30s");
        assert_eq!(human_duration(3 * 3600 + 12 * 60), "3h 12m");
        assert_eq!(human_duration(7200), "2h");
        assert_eq!(human_duration(2 * 86400 + 4 * 3600 + 60), "2d 4h");
        assert_eq!(offset_label(0), "+0m");
        assert_eq!(offset_label(7 * 60 + 20), "+7m");
    }
}
