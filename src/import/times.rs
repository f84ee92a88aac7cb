//! Reading the dates and times that real postmortems write:
//! `2019-05-14 09:12`, `Aug 14 2019 21:37`, `19:48pm`, `~10:15-10:40`,
//! `12. March, 15:00`, `[11-14 08:30]`, `03/06/2021`, "On Tuesday 13th
//! September 2022", `00:03 UTC (Oct 30)` (the day after the time), and
//! the days that headings and lines such as `### June 3rd` set.

use std::sync::LazyLock;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use regex::Regex;

use super::zones;

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

/// How the day/month order of numeric dates (`03/06/2021`) is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// What dates written without a year, or with an ambiguous order, are
/// read with.
#[derive(Clone, Copy, Debug, Default)]
pub struct DateContext {
    /// The incident's year: fills in dates written without one.
    pub year: Option<i16>,
    /// The day/month order the book or the text settles.
    pub order: Option<DateOrder>,
    /// The date the file states: picks the reading of an ambiguous date
    /// that agrees with it.
    pub anchor: Option<Date>,
}

/// How sure a date read from a text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateHow {
    /// Written in full, or in an order the book or the text settles.
    Written,
    /// Written without a year: the incident's is used.
    YearFilled,
    /// Day and month could be either way round; read day first.
    Ambiguous,
    /// Written without a year, and the incident's does not fit: the
    /// timeline goes from December to January, so the year before (or
    /// after) is used.
    YearMoved,
    /// Written with a weekday that is not the date's ("Tuesday
    /// 2024-03-20"): the date is kept, and guessed.
    WeekdayDisagrees,
}

impl DateHow {
    /// Is the date as written, with nothing guessed but a year the text
    /// implies (the incident's)?
    pub fn certain(self) -> bool {
        matches!(self, DateHow::Written | DateHow::YearFilled)
    }
}

// "2020-10-02 ca. 07:45"
static MID_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{4}-\d{2}-\d{2})\s+(?:~|≈|ca\.?|circa|approx\.?|about|around)\s*")
        .expect("valid pattern")
});

static PREFIX_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:~|≈|ca\.?\s|circa\s|approx\.?\s|approximately\s|about\s|around\s)\s*")
        .expect("valid pattern")
});

// "19:48pm": a 24-hour time with a needless am/pm.
// "14h40" (French style): 14:40.
static H_MINUTES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{4}-\d{2}-\d{2}[T\s,]+)?([01]?\d|2[0-3])h([0-5]\d)\b")
        .expect("valid pattern")
});
// "2pm", "2 p.m.": 2:00 pm.
static HOUR_AMPM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{4}-\d{2}-\d{2}[T\s,]+)?(1[0-2]|0?[1-9])\s?([ap])\.?m\.?(\s|$|[-–—:|,])")
        .expect("valid pattern")
});
static H24_AMPM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{4}-\d{2}-\d{2}[T\s,]+)?(1[3-9]|2[0-3]):(\d{2})\s*[ap]\.?m\.?")
        .expect("valid pattern")
});

const WEEKDAY: &str = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?";

// "Aug 14 2019 21:37", "November 4, 2024 06:12", "Mar 7, 09:00", "June 3rd"
static MONTH_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^{WEEKDAY}(?P<mon>[a-z]{{3,9}})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(?P<year>\d{{4}})\b,?)?"
    ))
    .expect("valid pattern")
});

// "12. March, 15:00", "14 Aug 2019 21:37", "21 March", "Tuesday 13th September 2022"
static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^{WEEKDAY}(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?P<mon>[a-z]{{3,9}})\b\.?,?(?:\s+(?P<year>\d{{4}})\b,?)?"
    ))
    .expect("valid pattern")
});

// "03/06/2021", "03-06-2021", "3.6.2021", "11-14" (month-day, no year)
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P<sep2>[/.-])(?P<year>\d{4}))?\b")
        .expect("valid pattern")
});

static ISO_AT_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})-(\d{2})-(\d{2})\b").expect("valid pattern"));

/// A date at the start of `text` written in any of the forms above, with
/// how many bytes it takes and how sure it is.
pub fn leading_date(text: &str, ctx: &DateContext) -> Option<(Date, usize, DateHow)> {
    if let Some(c) = ISO_AT_START.captures(text) {
        let d = Date::new(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?).ok()?;
        return Some((d, c.get(0)?.end(), DateHow::Written));
    }
    for re in [&*MONTH_FIRST, &*DAY_FIRST] {
        if let Some(c) = re.captures(text)
            && let Some(month) = month_number(&c["mon"])
            && let Ok(day) = c["day"].parse::<i8>()
        {
            let (year, how) = match c.name("year").and_then(|y| y.as_str().parse::<i16>().ok()) {
                Some(y) => (y, DateHow::Written),
                None => (ctx.year?, DateHow::YearFilled),
            };
            let d = Date::new(year, month, day).ok()?;
            return Some((d, c.get(0)?.end(), how));
        }
    }
    numeric_date(text, ctx)
}

/// `03/06/2021`, `3.6.2021`, `11-14` before a time.
fn numeric_date(text: &str, ctx: &DateContext) -> Option<(Date, usize, DateHow)> {
    let c = NUMERIC.captures(text)?;
    let (a, b): (i8, i8) = (c["a"].parse().ok()?, c["b"].parse().ok()?);
    let end = c.get(0)?.end();
    let dotted = &c["sep"] == ".";
    if c.name("sep2").is_some_and(|s| s.as_str() != &c["sep"]) {
        return None;
    }
    let (year, filled) = match c.name("year").and_then(|y| y.as_str().parse::<i16>().ok()) {
        Some(y) => (y, false),
        None => {
            // Month-day without a year only before a time: "[11-14 08:30]".
            let after = text[end..].trim_start();
            if dotted || !after.starts_with(|ch: char| ch.is_ascii_digit()) {
                return None;
            }
            (ctx.year?, true)
        }
    };
    let written = if filled {
        DateHow::YearFilled
    } else {
        DateHow::Written
    };
    let (d, how) = match (Date::new(year, b, a).ok(), Date::new(year, a, b).ok()) {
        (Some(d), None) | (None, Some(d)) => (d, written),
        (None, None) => return None,
        (Some(d), Some(_)) if a == b => (d, written),
        (Some(df), Some(mf)) => {
            let order = if dotted {
                Some(DateOrder::DayFirst)
            } else if filled && ctx.order.is_none() {
                // "11-14 08:30" is month first, as chat logs write it.
                Some(DateOrder::MonthFirst)
            } else {
                ctx.order
            };
            match order {
                Some(DateOrder::DayFirst) => (df, written),
                Some(DateOrder::MonthFirst) => (mf, written),
                None => match ctx.anchor {
                    Some(a) if near(mf, a) && !near(df, a) => (mf, written),
                    Some(a) if near(df, a) && !near(mf, a) => (df, written),
                    _ => (df, DateHow::Ambiguous),
                },
            }
        }
    };
    Some((d, end, how))
}

/// Within a week of each other.
fn near(a: Date, b: Date) -> bool {
    let days = crate::model::timeline::day_number;
    (days(a) - days(b)).abs() <= 7
}

/// The day/month order the numeric dates of a text settle: one with a
/// first number above 12 is day first, one with a second above 12 month
/// first. `None` when none settles it, or they disagree.
pub fn order_in(text: &str) -> Option<DateOrder> {
    static DATES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(\d{1,2})[/-](\d{1,2})[/-]\d{4}\b").expect("valid pattern")
    });
    let mut found = None;
    for c in DATES.captures_iter(text) {
        let (Ok(a), Ok(b)) = (c[1].parse::<u8>(), c[2].parse::<u8>()) else {
            continue;
        };
        let o = match (a > 12, b > 12) {
            (true, false) => DateOrder::DayFirst,
            (false, true) => DateOrder::MonthFirst,
            _ => continue,
        };
        if found.is_some_and(|f| f != o) {
            return None;
        }
        found = Some(o);
    }
    found
}

/// A timeline text with its leading date and time in the form pmsite's
/// timeline reader reads (`2019-08-14 21:37`).
#[derive(Debug, PartialEq)]
pub struct Normalised {
    pub text: String,
    /// How sure the date written before the time is, when there is one.
    pub date: Option<DateHow>,
}

/// Rewrites the date and time that start `text` in the form pmsite's
/// timeline reader reads, keeping the rest: "Aug 14 2019 21:37 x" →
/// "2019-08-14 21:37 x", "[11-14 08:30] x" → "[2021-11-14 08:30] x",
/// "~10:15" → "10:15", "19:48pm" → "19:48". A text that starts with no
/// date and time is returned as it is.
pub fn normalise(text: &str, ctx: &DateContext) -> Normalised {
    let text = text.trim();
    let (open, inner) = match text.strip_prefix(['[', '(']) {
        Some(rest) => (&text[..1], rest.trim_start()),
        None => ("", text),
    };
    let mut t = PREFIX_NOISE.replace(inner, "").into_owned();
    let mut date = None;
    if let Some((d, n, how)) = leading_date(&t, ctx) {
        let rest = t[n..].trim_start_matches([',', ' ', '\t']);
        let rest = rest
            .strip_prefix("at ")
            .or_else(|| rest.strip_prefix("@ "))
            .unwrap_or(rest);
        let rest = PREFIX_NOISE.replace(rest, "");
        if rest.starts_with(|c: char| c.is_ascii_digit()) && rest.contains(':') {
            t = format!("{d} {rest}");
            date = Some(how);
        }
    }
    if date.is_none()
        && let Some((moved, how)) = day_after_time(&t, ctx)
    {
        t = moved;
        date = Some(how);
    }
    t = MID_NOISE.replace(&t, "$1 ").into_owned();
    t = H_MINUTES.replace(&t, "${1}${2}:${3}").into_owned();
    t = HOUR_AMPM.replace(&t, "${1}${2}:00 ${3}m${4}").into_owned();
    if let Some(c) = H24_AMPM.captures(&t) {
        let end = c.get(0).map_or(0, |m| m.end());
        let d = c.get(1).map_or("", |m| m.as_str());
        t = format!("{d}{}:{}{}", &c[2], &c[3], &t[end..]);
    }
    Normalised {
        text: format!("{open}{t}"),
        date,
    }
}

// "00:03", "9:12 AM", "17:14:05": a time that a day may follow.
static TIME_AT_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?").expect("valid pattern")
});

/// A day written in parentheses right after the time and its zone, the
/// whole of the parentheses: "00:03 UTC (Oct 30) - x", "00:03 (30 Oct)",
/// "9:12 AM (2021-10-30)". Returns the text with the day moved in front
/// of the time and its parentheses gone ("2021-10-30 00:03 UTC - x"), so
/// that the day is the entry's and not its event's, and how sure the day
/// is.
fn day_after_time(t: &str, ctx: &DateContext) -> Option<(String, DateHow)> {
    let time = TIME_AT_START.find(t)?.end();
    let zone = zones::zone_on_entry(&t[time..]).map_or(0, |(_, n)| n);
    let head = time + zone;
    let inner = t[head..].trim_start().strip_prefix('(')?.trim_start();
    let (d, n, how) = leading_date(inner, ctx)?;
    let rest = inner[n..].trim_start().strip_prefix(')')?;
    Some((format!("{d} {}{rest}", &t[..head]), how))
}

/// A line that gives a day and no time ("2021-06-03", "June 3rd",
/// "**June 3, 2021**", "03/06/2021", "February 6, 2024 - Queue
/// stall", "Tuesday 2024-03-19", "Day 2 (March 20)", "2024-03-15
/// Recovery"): the day of the bare times after it. `whole`: the date
/// must be all of the text but for punctuation, a weekday and a "Day 2"
/// label (paragraphs are sentences otherwise).
///
/// A weekday written with the date does not change it, even one that is
/// not the date's, but picks the reading of a numeric date that could be
/// either way round (`Sun 03/06/2021` is March 6).
/// The weekday a day line writes ("Tuesday 2024-03-19"), whether or not it
/// is its date's.
pub fn written_weekday(text: &str, ctx: &DateContext) -> Option<Weekday> {
    DayLine::read(text, ctx)?.weekday()
}

pub fn day_marker(text: &str, ctx: &DateContext, whole: bool) -> Option<(Date, DateHow)> {
    let line = DayLine::read(text, ctx)?;
    let (d, how) = line.settled(ctx);
    let rest = line
        .rest
        .trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    // A time after the date makes it an entry, not a day.
    if TIME_NEXT.is_match(rest) {
        return None;
    }
    let words = rest.trim_matches(|c: char| !c.is_alphanumeric());
    if words.is_empty() || weekday_at(words).is_some_and(|(_, n)| n == words.len()) {
        return Some((d, how));
    }
    if DAY_LABEL
        .find(words)
        .is_some_and(|m| m.end() == words.len())
    {
        return Some((d, how));
    }
    if whole {
        return None;
    }
    // "February 6, 2024 - Queue stall", "June 3 (Tuesday)".
    let sep = line.rest.trim_start();
    if sep.starts_with(['-', '–', '—', ':', '|', ')', ']', '(', ',']) {
        return Some((d, how));
    }
    // "2024-03-15 Recovery", "March 14 Followup", "Mar 20 wed"; not
    // "June 3rd was a bad day": in a sentence, the word after a date
    // written with its month's name is lowercase.
    let named_month = line.date_text.contains(|c: char| c.is_alphabetic());
    let sentence =
        named_month && weekday_at(words).is_none() && words.starts_with(|c: char| c.is_lowercase());
    (!sentence).then_some((d, how))
}

// "Day 2", "day 14", "Day2": a label before (or after) the day's date.
static DAY_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^day\s*\d{1,3}\b").expect("valid pattern"));

// "Tuesday", "Tue", "tues.", "Thurs": English weekdays and their
// abbreviations.
static WEEKDAY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:(mon)(?:day)?|(tue)(?:s|sday)?|(wed)(?:s|nesday)?|(thu)(?:r|rs|rsday)?|(fri)(?:day)?|(sat)(?:urday)?|(sun)(?:day)?)\b\.?",
    )
    .expect("valid pattern")
});

// What after a day's date says it is an entry's: a time ("10:00",
// "at 10:00", "~10:00"), or a time not filled in ("HH:mm", "??:??").
static TIME_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:at|@|from|~|≈|ca\.?|circa|approx\.?|approximately|about|around)\s*)?(?:\d|[?x-]{2}:[?x-]{2}|hh:mm)")
        .expect("valid pattern")
});

/// A weekday's name at the start of `t`, and the bytes it takes.
fn weekday_at(t: &str) -> Option<(Weekday, usize)> {
    let c = WEEKDAY_NAME.captures(t)?;
    let n = c.get(0)?.end();
    let w = (1..=7).find(|&i| c.get(i).is_some())?;
    let w = Weekday::from_monday_one_offset(i8::try_from(w).ok()?).ok()?;
    Some((w, n))
}

/// A day line cut at its date: the weekday written before the date, the
/// date's text, and what follows it.
struct DayLine<'a> {
    weekday: Option<Weekday>,
    date: Date,
    how: DateHow,
    date_text: &'a str,
    /// From the date, for a second reading.
    from_date: &'a str,
    rest: &'a str,
}

impl<'a> DayLine<'a> {
    fn read(text: &'a str, ctx: &DateContext) -> Option<Self> {
        let open =
            |t: &'a str| t.trim_start_matches(|c: char| c.is_whitespace() || "~*_[(".contains(c));
        let mut t = open(text);
        // "Day 2 - March 20", "Day 2 (March 20)", "Day 2: Wed 2024-03-20".
        if let Some(m) = DAY_LABEL.find(t) {
            let after = &t[m.end()..];
            let dated =
                after.trim_start_matches(|c: char| c.is_whitespace() || "-–—:,.|".contains(c));
            t = open(dated);
        }
        let mut weekday = None;
        if let Some((w, n)) = weekday_at(t)
            && t[n..].starts_with([',', ' ', '\t'])
        {
            weekday = Some(w);
            t = t[n..].trim_start_matches([',', ' ', '\t']);
        }
        let (date, n, how) = leading_date(t, ctx)?;
        Some(DayLine {
            weekday,
            date,
            how,
            date_text: &t[..n],
            from_date: t,
            rest: &t[n..],
        })
    }

    /// The weekday written before the date ("Tuesday 2024-03-19",
    /// "Day 2: Wed, Mar 20") or right after it ("2024-03-20 (Wednesday)",
    /// "June 3, Tue"), whether or not it is the date's.
    fn weekday(&self) -> Option<Weekday> {
        self.weekday.or_else(|| {
            let after = self
                .rest
                .trim_start_matches(|c: char| c.is_whitespace() || "-–—:|,([".contains(c));
            weekday_at(after).map(|(w, _)| w)
        })
    }

    /// The date, read the other way round when it could be either and
    /// only that reading is on the weekday written with it.
    fn settled(&self, ctx: &DateContext) -> (Date, DateHow) {
        let (d, how) = (self.date, self.how);
        let Some(w) = self.weekday().filter(|_| how == DateHow::Ambiguous) else {
            return (d, how);
        };
        let month_first = DateContext {
            order: Some(DateOrder::MonthFirst),
            ..*ctx
        };
        let Some((other, ..)) = leading_date(self.from_date, &month_first) else {
            return (d, how);
        };
        match (d.weekday() == w, other.weekday() == w) {
            (true, false) => (d, DateHow::Written),
            (false, true) => (other, DateHow::Written),
            _ => (d, how),
        }
    }
}

/// Does a text start like a date or a time ("2023-05-?? ??:??", "HH:mm",
/// "2024-01-09 HH:mm", "2024-01-09")?
pub fn looks_like_a_time(text: &str) -> bool {
    static LOOKS: LazyLock<Regex> = LazyLock::new(|| {
        // Also "1400 -" and "10.20 " (hours and minutes without a colon):
        // not read, but named as times that cannot be read.
        Regex::new(r"(?i)^\s*[\[(]?[~≈]?\s*(?:\d{4,5}[-/][\d?]{1,2}[-/][\d?]{2}|\d{1,2}:\d{2}|[?x-]{2}:[?x-]{2}|hh:mm|(?:[01]\d|2[0-3])[0-5]\d\s*(?:[-–—:|]|utc\b|z\b)|(?:[01]?\d|2[0-3])\.[0-5]\d\s)")
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

    fn ctx() -> DateContext {
        DateContext {
            year: Some(2018),
            ..DateContext::default()
        }
    }

    fn norm(text: &str) -> String {
        normalise(text, &ctx()).text
    }

    #[test]
    fn hours_written_other_ways() {
        let ctx = DateContext::default();
        let n = |t: &str| normalise(t, &ctx).text;
        assert_eq!(n("14h40 - Mitigated"), "14:40 - Mitigated");
        assert_eq!(n("2024-03-20 9h05 paged"), "2024-03-20 9:05 paged");
        assert_eq!(n("2pm - Errors start"), "2:00 pm - Errors start");
        assert_eq!(n("3 p.m. Service restored"), "3:00 pm Service restored");
        assert_eq!(n("2 pods restarted"), "2 pods restarted");
        // Hours and minutes without a colon are named, not read.
        assert!(looks_like_a_time("1400 - Errors start"));
        assert!(looks_like_a_time("10.20 odd one"));
        assert!(!looks_like_a_time("1400 users affected"));
        assert!(!looks_like_a_time("3.6.2021 was a Thursday"));
    }

    #[test]
    fn times_as_written() {
        assert_eq!(norm("Aug 14 2019 21:37 x"), "2019-08-14 21:37 x");
        assert_eq!(norm("2018-05-02 19:48pm"), "2018-05-02 19:48");
        assert_eq!(norm("~10:15-10:40 slow"), "10:15-10:40 slow");
        assert_eq!(norm("12. March, 15:00"), "2018-03-12 15:00");
        assert_eq!(norm("2018-10-02 ca. 07:45"), "2018-10-02 07:45");
        assert_eq!(norm("November 4, 2024 at 06:12"), "2024-11-04 06:12");
        assert_eq!(norm("[11-14 08:30] paged"), "[2018-11-14 08:30] paged");
        assert_eq!(norm("June 3, 10:05 x"), "2018-06-03 10:05 x");
        assert_eq!(norm("25/06/2021 10:00"), "2021-06-25 10:00");
        assert_eq!(norm("Tue, 13 September 2022 08:00"), "2022-09-13 08:00");
        assert_eq!(
            norm("06:50am - Customer ticket"),
            "06:50am - Customer ticket"
        );
        assert_eq!(norm("Deploy at 10:00"), "Deploy at 10:00");
        let n = normalise("03/06/2021 10:00", &ctx());
        assert_eq!(
            (n.text.as_str(), n.date),
            ("2021-06-03 10:00", Some(DateHow::Ambiguous))
        );
        let settled = DateContext {
            order: Some(DateOrder::MonthFirst),
            ..ctx()
        };
        assert_eq!(
            normalise("03/06/2021 10:00", &settled).text,
            "2021-03-06 10:00"
        );
        let anchored = DateContext {
            anchor: Some(date(2021, 3, 6)),
            ..ctx()
        };
        let n = normalise("03/06/2021 10:00", &anchored);
        assert_eq!(
            (n.text.as_str(), n.date),
            ("2021-03-06 10:00", Some(DateHow::Written))
        );
        assert!(looks_like_a_time("2023-05-?? ??:??"));
        assert!(looks_like_a_time("2023/24-??-?? HH:mm"));
        assert!(looks_like_a_time("2024-01-09 HH:mm"));
        assert!(!looks_like_a_time("Time"));
    }

    #[test]
    fn a_day_in_parentheses_after_the_time_is_the_entrys() {
        let n = normalise("00:03 UTC (Oct 30) - errors rise", &ctx());
        assert_eq!(
            (n.text.as_str(), n.date),
            (
                "2018-10-30 00:03 UTC - errors rise",
                Some(DateHow::YearFilled)
            )
        );
        assert_eq!(norm("00:20 (30 Oct) rollback"), "2018-10-30 00:20 rollback");
        let n = normalise("9:40 PM (2021-10-30): all fine", &ctx());
        assert_eq!(
            (n.text.as_str(), n.date),
            ("2021-10-30 9:40 PM: all fine", Some(DateHow::Written))
        );
        assert_eq!(
            norm("00:40 (UTC) (30.10.2021) - fine"),
            "2021-10-30 00:40 (UTC) - fine"
        );
        // Parentheses that hold more than a day stay in the event.
        assert_eq!(norm("10:00 (2 hours later) x"), "10:00 (2 hours later) x");
        assert_eq!(norm("10:00 (Oct 30 deploy) x"), "10:00 (Oct 30 deploy) x");
    }

    #[test]
    fn day_markers() {
        let c = ctx();
        let day = |t: &str, whole| day_marker(t, &c, whole).map(|(d, _)| d);
        assert_eq!(day("2021-06-03", true), Some(date(2021, 6, 3)));
        assert_eq!(day("June 3rd", true), Some(date(2018, 6, 3)));
        assert_eq!(day("21 March", true), Some(date(2018, 3, 21)));
        assert_eq!(day("June 3, 2021", true), Some(date(2021, 6, 3)));
        assert_eq!(day("Tuesday, June 3, 2021:", true), Some(date(2021, 6, 3)));
        assert_eq!(day("25/06/2021", true), Some(date(2021, 6, 25)));
        assert_eq!(day("25-06-2021", true), Some(date(2021, 6, 25)));
        assert_eq!(
            day("February 6, 2024 - Queue stall", false),
            Some(date(2024, 2, 6))
        );
        assert_eq!(day("February 6, 2024 - Queue stall", true), None);
        assert_eq!(day("June 3rd was a bad day", false), None);
        assert_eq!(day("2021-06-03 10:00", false), None);
        assert_eq!(day("May the team rest", false), None);
        assert_eq!(
            order_in("on 25/06/2021 and 03/07/2021"),
            Some(DateOrder::DayFirst)
        );
        assert_eq!(order_in("on 06/25/2021"), Some(DateOrder::MonthFirst));
        assert_eq!(order_in("on 03/06/2021"), None);
    }

    fn day_of(t: &str, whole: bool) -> Option<jiff::civil::Date> {
        day_marker(t, &ctx(), whole).map(|(d, _)| d)
    }

    #[test]
    fn a_weekday_before_the_date_is_read_past() {
        for t in [
            "Tuesday 2024-05-07",
            "Tue 2024-05-07",
            "tue. 2024-05-07",
            "Tues, 2024-05-07 - cleanup",
            "TUESDAY 07/05/2024",
        ] {
            assert_eq!(day_of(t, false), Some(date(2024, 5, 7)), "{t}");
        }
        assert_eq!(day_of("Thurs, May 10", true), Some(date(2018, 5, 10)));
        assert_eq!(day_of("Sat 7 May 2022", true), Some(date(2022, 5, 7)));
        // A weekday that is not the date's leaves the date as written.
        assert_eq!(day_of("Friday 2024-05-07", false), Some(date(2024, 5, 7)));
        // Words that only start like a weekday are no weekday.
        assert_eq!(day_of("Monitoring 2024-05-07", false), None);
        assert_eq!(day_of("Sun outage", false), None);
        // A time after the date makes it an entry.
        assert_eq!(day_of("Tue 2024-05-07 10:00 paged", false), None);
    }

    #[test]
    fn a_weekday_settles_a_date_either_way_round() {
        let c = ctx();
        let read = |t: &str| day_marker(t, &c, true);
        // 6 March 2021 is a Saturday, 3 June 2021 a Thursday.
        assert_eq!(
            read("Sat 03/06/2021"),
            Some((date(2021, 3, 6), DateHow::Written))
        );
        assert_eq!(
            read("Thursday, 03/06/2021"),
            Some((date(2021, 6, 3), DateHow::Written))
        );
        assert_eq!(
            read("03/06/2021 (Saturday)"),
            Some((date(2021, 3, 6), DateHow::Written))
        );
        // Neither reading is a Friday: still guessed day first.
        assert_eq!(
            read("Fri 03/06/2021"),
            Some((date(2021, 6, 3), DateHow::Ambiguous))
        );
    }

    #[test]
    fn a_day_label_before_the_date_is_read_past() {
        for (t, whole) in [
            ("Day 2 (May 7)", true),
            ("Day 2 (May 7)", false),
            ("Day 2 - May 7", false),
            ("Day 2 – 7 May", false),
            ("Day 2: Mon, May 7", false),
            ("Day 2 May 7", true),
            ("day2 (2018-05-07) - cleanup", false),
            ("Day 12 (Monday 7 May) Cleanup", false),
        ] {
            assert_eq!(day_of(t, whole), Some(date(2018, 5, 7)), "{t}");
        }
        // And after it, or a weekday after it, on a line of its own.
        assert_eq!(day_of("May 7 (Day 2)", true), Some(date(2018, 5, 7)));
        assert_eq!(day_of("2018-05-07 (Monday)", true), Some(date(2018, 5, 7)));
        assert_eq!(day_of("Day 2", false), None);
        assert_eq!(day_of("Day 2 of the cleanup", false), None);
        assert_eq!(day_of("Day 2 - May 7 09:30 paged", false), None);
    }

    #[test]
    fn words_after_the_date_name_the_day() {
        for t in [
            "2024-05-07 Cleanup",
            "2024-05-07 Follow-up items day",
            "2024-05-07 cleanup",
            "07/05/2024 Cleanup",
        ] {
            assert_eq!(day_of(t, false), Some(date(2024, 5, 7)), "{t}");
        }
        assert_eq!(day_of("May 7 Retro", false), Some(date(2018, 5, 7)));
        assert_eq!(day_of("7 May Retro", false), Some(date(2018, 5, 7)));
        assert_eq!(day_of("May 7 tuesday", false), Some(date(2018, 5, 7)));
        // A paragraph with words after the date is a sentence.
        assert_eq!(day_of("2024-05-07 Cleanup", true), None);
        // So is a date written with its month's name and a lowercase word.
        assert_eq!(day_of("May 7 we rolled back", false), None);
        // A time after the date makes it an entry.
        for t in [
            "2024-05-07 10:00 Cleanup",
            "2024-05-07 at 10:00 Cleanup",
            "2024-05-07 ~10:00 Cleanup",
            "May 7, 10:00 Retro",
            "2024-05-07 HH:mm",
            "2024-05-07 ??:?? Cleanup",
        ] {
            assert_eq!(day_of(t, false), None, "{t}");
        }
    }

    #[test]
    fn dates_in_prose() {
        let d = dates_in("On Tuesday 13th September 2022, a rollout. Then November 4, 2024.");
        assert_eq!(d[0].1, date(2022, 9, 13));
        assert_eq!(d[1].1, date(2024, 11, 4));
        assert_eq!(
            date_in_name("2020-08-03-read-only-disk"),
            Some(date(2020, 8, 3))
        );
        assert_eq!(year_in_name("PM2023-014 - Checkout pages"), Some(2023));
    }

    #[test]
    fn written_times_round_trip() {
        let tz = TimeZone::get("CET").unwrap();
        let at: jiff::Timestamp = "2022-09-13T16:40:00Z".parse().unwrap();
        assert_eq!(written_time(at, &tz), "2022-09-13 18:40");
        assert_eq!(written_time(at, &TimeZone::UTC), "2022-09-13 16:40");
    }
}
