//! Reading the dates, times and time zones that real postmortems write:
//! `2018-03-26 10:34`, `Sep 27 2017 13:06`, `17:14pm`, `~13:30-13:45`,
//! `19. April, 11:00`, "All times in CEST (UTC+2)", "On Tuesday 22nd June
//! 2021".

use std::sync::LazyLock;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use regex::Regex;

use crate::model::timeline::{Parsed, parse_time_prefix, range_end};

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `Sep`, `sept`, `September` → 9.
fn month_number(name: &str) -> Option<i8> {
    let l = name.to_lowercase();
    if l.len() < 3 {
        return None;
    }
    let l = if l == "sept" { "sep".to_string() } else { l };
    MONTHS
        .iter()
        .position(|m| m.starts_with(&l))
        .map(|i| i as i8 + 1)
}

// "2018-07-08 ca. 18:30"
static MID_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{4}-\d{2}-\d{2})\s+(?:~|≈|ca\.?|circa|approx\.?|about|around)\s*")
        .expect("valid pattern")
});

static PREFIX_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:~|≈|ca\.?\s|circa\s|approx\.?\s|approximately\s|about\s|around\s)\s*")
        .expect("valid pattern")
});

// "17:14pm": a 24-hour time with a needless am/pm.
static H24_AMPM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{4}-\d{2}-\d{2}[T\s,]+)?(1[3-9]|2[0-3]):(\d{2})\s*[ap]\.?m\.?")
        .expect("valid pattern")
});

// "Sep 27 2017 13:06", "September 29, 2025 16:58", "Feb 21, 13:00"
static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?P<mon>[a-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?:(?P<year>\d{4}),?\s+)?(?:at\s+)?(?P<time>\d{1,2}:\d{2})")
        .expect("valid pattern")
});

// "19. April, 11:00", "27 Sep 2017 13:06"
static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?P<mon>[a-z]{3,9})\.?,?\s+(?:(?P<year>\d{4}),?\s+)?(?:at\s+)?(?P<time>\d{1,2}:\d{2})")
        .expect("valid pattern")
});

/// A time read from the start of a timeline cell, item or heading.
#[derive(Debug, PartialEq)]
pub struct ReadTime {
    pub parsed: Parsed,
    /// The text after the time.
    pub rest: String,
    /// The end of a range (`18:00` of `17:00-18:00`).
    pub until: Option<String>,
}

impl ReadTime {
    /// An entry's words, with the end of its range when it had one.
    pub fn describe(&self, event: String) -> String {
        match &self.until {
            Some(end) => format!("(until {end}) {event}").trim_end().to_string(),
            None => event,
        }
    }
}

/// Reads the time at the start of `text`. `year` fills in dates written
/// without one ("19. April, 11:00").
pub fn read_time(text: &str, year: i16) -> Option<ReadTime> {
    let mut t = PREFIX_NOISE.replace(text.trim(), "").into_owned();
    t = MID_NOISE.replace(&t, "$1 ").into_owned();
    if let Some(c) = H24_AMPM.captures(&t) {
        let end = c.get(0).map_or(0, |m| m.end());
        let date = c.get(1).map_or("", |m| m.as_str());
        t = format!("{date}{}:{}{}", &c[2], &c[3], &t[end..]);
    }
    for re in [&*MONTH_FIRST, &*DAY_FIRST] {
        if let Some(c) = re.captures(&t)
            && let Some(month) = month_number(&c["mon"])
            && let Ok(day) = c["day"].parse::<i8>()
        {
            let year = c
                .name("year")
                .and_then(|y| y.as_str().parse::<i16>().ok())
                .unwrap_or(year);
            if let Ok(d) = Date::new(year, month, day) {
                let start = c.name("time").map_or(0, |m| m.start());
                t = format!("{d} {}", &t[start..]);
            }
            break;
        }
    }
    let (n, parsed) = parse_time_prefix(&t)?;
    // "08:21 (approx)": the rest is text. A range ("17:00-18:00") is read
    // as its start.
    Some(ReadTime {
        parsed,
        rest: t[n..].to_string(),
        until: range_end(&t[..n]),
    })
}

/// Is a cell only a date ("2021-12-10"), or a time that cannot be read
/// ("2022-02-?? ??:??", "HH:mm")?
pub fn looks_like_a_time(text: &str) -> bool {
    static LOOKS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*[~≈]?\s*(?:\d{4,5}[-/][\d?]{1,2}[-/][\d?]{2}|\d{1,2}:\d{2}|[?x-]{2}:[?x-]{2}|hh:mm)")
            .expect("valid pattern")
    });
    LOOKS.is_match(text)
}

static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("valid pattern"));
static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b")
        .expect("valid pattern")
});
static MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
        .expect("valid pattern")
});

/// Every full date in a text, with its byte offset, in order.
pub fn dates_in(text: &str) -> Vec<(usize, Date)> {
    let mut out = Vec::new();
    for c in ISO_DATE.captures_iter(text) {
        let (Ok(y), Ok(m), Ok(d)) = (c[1].parse(), c[2].parse(), c[3].parse()) else {
            continue;
        };
        if let Ok(date) = Date::new(y, m, d) {
            out.push((c.get(0).map_or(0, |m| m.start()), date));
        }
    }
    for (re, di, mi) in [(&*DMY, 1, 2), (&*MDY, 2, 1)] {
        for c in re.captures_iter(text) {
            let (Ok(d), Some(m), Ok(y)) = (
                c[di].parse::<i8>(),
                month_number(&c[mi]),
                c[3].parse::<i16>(),
            ) else {
                continue;
            };
            if let Ok(date) = Date::new(y, m, d) {
                out.push((c.get(0).map_or(0, |m| m.start()), date));
            }
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out.retain(|(_, d)| (1990..=2100).contains(&d.year()));
    out
}

/// A date at the start of a file name: `2018-03-26-...`.
pub fn date_in_name(stem: &str) -> Option<Date> {
    crate::load::frontmatter::parse_date(stem.get(..10)?)
}

/// The year a file name gives without a full date: `PM2021-005 ...`.
pub fn year_in_name(stem: &str) -> Option<i16> {
    static YEAR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)").expect("valid pattern")
    });
    YEAR.captures(stem).and_then(|c| c[1].parse().ok())
}

/// The time zone a timeline states ("All times in UTC", "Date and Time in
/// CET", "All times in CEST (UTC+2)"): its IANA name.
pub fn zone_in(text: &str) -> Option<String> {
    static STATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\btimes?\s+(?:are\s+)?in\s+(?P<z>[^.\n|]{1,60})").expect("valid pattern")
    });
    let c = STATED.captures(text)?;
    zone_name(&c["z"])
}

/// An IANA name for a zone as people write it.
pub fn zone_name(written: &str) -> Option<String> {
    static IANA: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b((?:Africa|America|Asia|Australia|Europe|Pacific|Atlantic|Indian)/[A-Za-z_]+(?:/[A-Za-z_]+)?)\b")
            .expect("valid pattern")
    });
    static OFFSET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?00)?\b").expect("valid pattern")
    });
    if let Some(c) = IANA.captures(written)
        && TimeZone::get(&c[1]).is_ok()
    {
        return Some(c[1].to_string());
    }
    let w = written.to_lowercase();
    let words: Vec<&str> = w
        .split(|c: char| !c.is_alphanumeric() && c != '/')
        .filter(|s| !s.is_empty())
        .collect();
    let has = |x: &str| words.contains(&x);
    let named = if has("cet") || has("cest") || w.contains("central european") {
        Some("CET")
    } else if has("pst") || has("pdt") || w.contains("pacific") || w.contains("uc/pacific") {
        Some("America/Los_Angeles")
    } else if has("est") || has("edt") || w.contains("eastern") {
        Some("America/New_York")
    } else if has("cst") || has("cdt") {
        Some("America/Chicago")
    } else if has("bst") || w.contains("london") {
        Some("Europe/London")
    } else if w.contains("zurich") {
        Some("Europe/Zurich")
    } else if w.contains("copenhagen") {
        Some("Europe/Copenhagen")
    } else if has("jst") {
        Some("Asia/Tokyo")
    } else {
        None
    };
    if let Some(n) = named {
        return Some(n.to_string());
    }
    if let Some(c) = OFFSET.captures(written) {
        let hours: i32 = c[2].parse().ok()?;
        if hours == 0 {
            return Some("UTC".into());
        }
        // IANA's Etc zones count the other way: UTC+2 is Etc/GMT-2.
        let sign = if &c[1] == "+" { "-" } else { "+" };
        let name = format!("Etc/GMT{sign}{hours}");
        return TimeZone::get(&name).is_ok().then_some(name);
    }
    if has("utc") || has("gmt") || has("z") {
        return Some("UTC".into());
    }
    None
}

/// The wall-clock text written for an instant in a zone: `2018-04-12
/// 09:09` (seconds when there are some), or RFC 3339 with the offset when
/// the wall-clock time alone would be ambiguous (a DST change).
pub fn written_time(at: jiff::Timestamp, tz: &TimeZone) -> String {
    let z = at.to_zoned_datetime(tz.clone());
    let dt = z.datetime();
    let text = if dt.second() == 0 {
        format!("{} {:02}:{:02}", dt.date(), dt.hour(), dt.minute())
    } else {
        format!(
            "{} {:02}:{:02}:{:02}",
            dt.date(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )
    };
    let round_trip = tz
        .to_ambiguous_timestamp(dt)
        .compatible()
        .ok()
        .is_some_and(|ts| ts == at);
    if round_trip {
        text
    } else {
        let off = z.offset();
        let secs = off.seconds();
        let sign = if secs < 0 { '-' } else { '+' };
        format!(
            "{}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            dt.date(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            secs.abs() / 3600,
            secs.abs() % 3600 / 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn civil(text: &str) -> (Option<Date>, String, String) {
        let r = read_time(text, 2018).unwrap_or_else(|| panic!("cannot read {text:?}"));
        match r.parsed {
            Parsed::Civil { date, time, .. } => (date, time.to_string(), r.rest),
            Parsed::Instant(ts) => (None, ts.to_string(), r.rest),
        }
    }

    #[test]
    fn times_as_written() {
        assert_eq!(civil("2018-03-26 10:34").0, Some(date(2018, 3, 26)));
        assert_eq!(civil("Sep 27 2017 13:06").0, Some(date(2017, 9, 27)));
        assert_eq!(civil("Feb 20 2018 14:17").1, "14:17:00");
        assert_eq!(civil("2018-01-17 17:14pm").1, "17:14:00");
        assert_eq!(civil("~13:30-13:45").1, "13:30:00");
        assert_eq!(civil("19. April, 11:00").0, Some(date(2018, 4, 19)));
        assert_eq!(civil("2018-07-08 ca. 18:30").1, "18:30:00");
        let (_, t, rest) = civil("07:30am - First report");
        assert_eq!((t.as_str(), rest.as_str()), ("07:30:00", " - First report"));
        assert_eq!(civil("~2025-03-03 19:30").0, Some(date(2025, 3, 3)));
        assert_eq!(civil("2020-11-17 10:45~").1, "10:45:00");
        assert!(read_time("2021-12-10", 2021).is_none());
        assert!(read_time("2022-02-?? ??:??", 2022).is_none());
        assert!(read_time("20202-01-16 12:00", 2020).is_none());
        assert!(looks_like_a_time("2022-02-?? ??:??"));
        assert!(looks_like_a_time("2021/22-??-?? HH:mm"));
        assert!(!looks_like_a_time("Time"));
    }

    #[test]
    fn dates_in_prose() {
        let d = dates_in("On Tuesday 22nd June 2021, changes. Then September 29, 2025.");
        assert_eq!(d[0].1, date(2021, 6, 22));
        assert_eq!(d[1].1, date(2025, 9, 29));
        assert_eq!(
            date_in_name("2018-03-26-no-space-left"),
            Some(date(2018, 3, 26))
        );
        assert_eq!(year_in_name("PM2021-005 - All services"), Some(2021));
    }

    #[test]
    fn zones_as_written() {
        assert_eq!(zone_in("All times in UTC.").as_deref(), Some("UTC"));
        assert_eq!(zone_in("All times in CET").as_deref(), Some("CET"));
        assert_eq!(zone_in("All times in CEST (UTC+2)").as_deref(), Some("CET"));
        assert_eq!(
            zone_in("All times in PST (UTC-7)").as_deref(),
            Some("America/Los_Angeles")
        );
        assert_eq!(
            zone_in("All times in UTC+1 (Zurich time)").as_deref(),
            Some("Europe/Zurich")
        );
        assert_eq!(zone_in("All times in GMT+2").as_deref(), Some("Etc/GMT-2"));
        assert_eq!(
            zone_in("All times in UC/Pacific").as_deref(),
            Some("America/Los_Angeles")
        );
        assert_eq!(
            zone_in("| Date and Time in CET | Event |").as_deref(),
            Some("CET")
        );
        assert_eq!(zone_in("Nothing here"), None);
    }

    #[test]
    fn written_times_round_trip() {
        let tz = TimeZone::get("CET").unwrap();
        let at: jiff::Timestamp = "2021-06-22T08:21:00Z".parse().unwrap();
        assert_eq!(written_time(at, &tz), "2021-06-22 10:21");
        assert_eq!(written_time(at, &TimeZone::UTC), "2021-06-22 08:21");
    }
}
