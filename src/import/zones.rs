//! The time zones that postmortems state in their own words: a statement
//! near the timeline ("All times US/Pacific", "*(All times PDT, 24-hour
//! clock)*", "Times are Europe/Paris", "(all times UTC+1)", a `Time (UTC)`
//! column), or a zone written on one entry ("09:14 (UTC)", "16:22 PST",
//! "10:05 Chicago"). Abbreviations mean their usual zone, with its daylight
//! saving time ("PDT" is America/Los_Angeles, summer and winter); one with
//! several usual meanings (IST) is read as the first and reported with the
//! others. An offset ("UTC+5:30", "GMT-0330") is read to the minute; the
//! file is then written in the zone that has it (Asia/Kolkata), else the
//! nearest (America/St_Johns, which keeps daylight saving time), else UTC.

use std::collections::HashMap;
use std::sync::LazyLock;

use jiff::tz::{Offset, TimeZone};
use regex::Regex;

/// A zone as the text states it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Zone {
    /// The IANA name the imported file is written in: `Etc/GMT-2` for
    /// `UTC+2`, `Asia/Kolkata` for `UTC+05:30` (see [`offset_zone`]).
    pub name: String,
    /// The other usual meanings of an ambiguous abbreviation, and the
    /// abbreviation: `("IST", ["Europe/Dublin", "Asia/Jerusalem"])`.
    pub ambiguous: Option<(String, Vec<&'static str>)>,
    /// The offset the text writes (`UTC-03:30`): its times are read at
    /// exactly this offset, whatever offset `name` has on their day.
    pub offset: Option<Offset>,
}

impl Zone {
    pub fn named(name: impl Into<String>) -> Self {
        Zone {
            name: name.into(),
            ambiguous: None,
            offset: None,
        }
    }

    /// The zone the imported file is written in.
    pub fn tz(&self) -> TimeZone {
        TimeZone::get(&self.name).unwrap_or(TimeZone::UTC)
    }

    /// The zone the times written in this one are read in: the offset
    /// written, else the named zone.
    pub fn read_in(&self) -> TimeZone {
        self.offset.map_or_else(|| self.tz(), TimeZone::fixed)
    }

    /// The warning for an ambiguous abbreviation.
    pub fn ambiguity(&self) -> Option<String> {
        let (abbr, others) = self.ambiguous.as_ref()?;
        Some(format!(
            "`{abbr}` names several zones ({}, {}); it is read as {}: if that is wrong, set `timezone:` in the imported file",
            self.name,
            others.join(", "),
            self.name
        ))
    }
}

/// Abbreviations and their usual zones; the first is the one read, the
/// others make the abbreviation ambiguous.
const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("utc", &["UTC"]),
    ("gmt", &["UTC"]),
    ("z", &["UTC"]),
    ("cet", &["CET"]),
    ("cest", &["CET"]),
    ("met", &["CET"]),
    ("eet", &["EET"]),
    ("eest", &["EET"]),
    ("wet", &["WET"]),
    ("west", &["WET"]),
    ("bst", &["Europe/London"]),
    ("msk", &["Europe/Moscow"]),
    ("pst", &["America/Los_Angeles"]),
    ("pdt", &["America/Los_Angeles"]),
    ("pt", &["America/Los_Angeles"]),
    ("mst", &["America/Denver"]),
    ("mdt", &["America/Denver"]),
    ("mt", &["America/Denver"]),
    ("cst", &["America/Chicago", "Asia/Shanghai"]),
    ("cdt", &["America/Chicago"]),
    ("ct", &["America/Chicago"]),
    ("est", &["America/New_York"]),
    ("edt", &["America/New_York"]),
    ("et", &["America/New_York"]),
    ("akst", &["America/Anchorage"]),
    ("akdt", &["America/Anchorage"]),
    ("hst", &["Pacific/Honolulu"]),
    ("ast", &["America/Halifax", "Asia/Riyadh"]),
    ("adt", &["America/Halifax"]),
    ("ist", &["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"]),
    ("jst", &["Asia/Tokyo"]),
    ("kst", &["Asia/Seoul"]),
    ("sgt", &["Asia/Singapore"]),
    ("hkt", &["Asia/Hong_Kong"]),
    ("aest", &["Australia/Sydney"]),
    ("aedt", &["Australia/Sydney"]),
    ("acst", &["Australia/Adelaide"]),
    ("acdt", &["Australia/Adelaide"]),
    ("awst", &["Australia/Perth"]),
    ("nzst", &["Pacific/Auckland"]),
    ("nzdt", &["Pacific/Auckland"]),
    ("brt", &["America/Sao_Paulo"]),
    ("sast", &["Africa/Johannesburg"]),
];

/// An abbreviation (any case: "PST", "pdt").
fn abbreviation(word: &str) -> Option<Zone> {
    let l = word.to_lowercase();
    let (abbr, zones) = ABBREVIATIONS.iter().find(|(a, _)| *a == l)?;
    let mut z = Zone::named(zones[0]);
    if zones.len() > 1 {
        z.ambiguous = Some((abbr.to_uppercase(), zones[1..].to_vec()));
    }
    Some(z)
}

/// The regions of the time zone database whose last part is a city.
const REGIONS: &[&str] = &[
    "Africa",
    "America",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

/// Zones written as words ("Pacific time", "Central European Time").
const ZONE_WORDS: &[(&str, &str)] = &[
    ("central european", "CET"),
    ("eastern european", "EET"),
    ("western european", "WET"),
    ("pacific", "America/Los_Angeles"),
    ("mountain", "America/Denver"),
    ("central", "America/Chicago"),
    ("eastern", "America/New_York"),
];

/// A zone written as words or as a city, in lowercase ("new york").
fn zone_word(words: &str) -> Option<Zone> {
    if let Some((_, z)) = ZONE_WORDS.iter().find(|(w, _)| *w == words) {
        return Some(Zone::named(*z));
    }
    CITIES.get(words).map(|n| Zone::named(n.clone()))
}

/// The zone of each city the time zone database names ("chicago" →
/// America/Chicago, "new york" → America/New_York).
static CITIES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for name in jiff::tz::db().available() {
        let name = name.as_str();
        let Some((region, city)) = name.rsplit_once('/') else {
            continue;
        };
        let region = region.split('/').next().unwrap_or(region);
        if !REGIONS.contains(&region) || city.len() < 4 {
            continue;
        }
        m.entry(city.replace('_', " ").to_lowercase())
            .or_insert_with(|| name.to_string());
    }
    m
});

/// An IANA name as written ("US/Pacific", "Europe/Paris").
fn iana(word: &str) -> Option<Zone> {
    if !word.contains('/') {
        return None;
    }
    let tz = TimeZone::get(word).ok()?;
    Some(Zone::named(tz.iana_name().unwrap_or(word)))
}

/// What follows a `UTC` or `GMT`.
enum AfterUtc {
    /// No offset: UTC itself.
    Nothing,
    /// An offset: `UTC+1`, `GMT-05:00`, `UTC +2`, `UTC+5:30`, `GMT+0530`;
    /// the zone and the bytes it takes from the `UTC`.
    Offset(Zone, usize),
    /// A sign and digits that are no offset (`UTC+5.5`, `UTC+530`,
    /// `UTC+15`): no zone, rather than UTC.
    Unreadable,
}

/// The offset after a `UTC` or `GMT` at the start of `text` (see
/// [`AfterUtc`]). Hours and minutes are written `5`, `05`, `5:30`,
/// `05:30` or `0530`.
fn after_utc(text: &str) -> AfterUtc {
    static OFFSET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:UTC|GMT)\s*([+\-−])\s*(?:(\d{2})(\d{2})|(\d{1,2})(?::(\d{2}))?)\b")
            .expect("valid pattern")
    });
    static SIGNED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^(?:UTC|GMT)\s*[+\-−]\s*\d").expect("valid pattern"));
    let Some(c) = OFFSET.captures(text) else {
        return if SIGNED.is_match(text) {
            AfterUtc::Unreadable
        } else {
            AfterUtc::Nothing
        };
    };
    let used = c.get(0).map_or(0, |m| m.end());
    // "UTC+5.5", "UTC+5:3": a number the pattern only began.
    let mut rest = text[used..].chars();
    if matches!(rest.next(), Some('.' | ':')) && rest.next().is_some_and(|c| c.is_ascii_digit()) {
        return AfterUtc::Unreadable;
    }
    let number = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<i32>().ok());
    let (hours, minutes) = match (number(2), number(4)) {
        (Some(h), _) => (h, number(3).unwrap_or(0)),
        (None, Some(h)) => (h, number(5).unwrap_or(0)),
        (None, None) => return AfterUtc::Unreadable,
    };
    let sign = if &c[1] == "+" { 1 } else { -1 };
    let east = sign * (hours * 60 + minutes);
    // Real offsets run from UTC-12 to UTC+14.
    if minutes >= 60 || !(-12 * 60..=14 * 60).contains(&east) {
        return AfterUtc::Unreadable;
    }
    match Offset::from_seconds(east * 60) {
        Ok(o) => AfterUtc::Offset(offset_zone(o), used),
        Err(_) => AfterUtc::Unreadable,
    }
}

/// The zones the imported file is written in for the offsets that are not
/// whole hours (minutes east of UTC), and whether the zone has had the
/// offset all year, with no daylight saving time, in the years
/// postmortems are written in (since 2023 for Tehran; checked in the
/// tests). The others are the zone that has it in standard time or in
/// summer (Newfoundland, Lord Howe Island, the Chatham Islands), or had
/// it (Venezuela, 2007–2016).
const OFFSET_ZONES: &[(i32, &str, bool)] = &[
    (5 * 60 + 30, "Asia/Kolkata", true),
    (5 * 60 + 45, "Asia/Kathmandu", true),
    (6 * 60 + 30, "Asia/Yangon", true),
    (4 * 60 + 30, "Asia/Kabul", true),
    (9 * 60 + 30, "Australia/Darwin", true),
    (8 * 60 + 45, "Australia/Eucla", true),
    (-(9 * 60 + 30), "Pacific/Marquesas", true),
    (3 * 60 + 30, "Asia/Tehran", true),
    (-(3 * 60 + 30), "America/St_Johns", false),
    (-(2 * 60 + 30), "America/St_Johns", false),
    (10 * 60 + 30, "Australia/Lord_Howe", false),
    (12 * 60 + 45, "Pacific/Chatham", false),
    (13 * 60 + 45, "Pacific/Chatham", false),
    (-(4 * 60 + 30), "America/Caracas", false),
];

/// A fixed offset as a zone: its times are read at the offset; the file
/// is written in `UTC`, an `Etc` zone for whole hours (which counts the
/// other way: UTC+2 is Etc/GMT-2), else the zone of [`OFFSET_ZONES`],
/// else UTC. Where that zone is at another offset on a day (St John's in
/// summer), the file shows the same instants on its clock, and the placing
/// of the entries says so.
fn offset_zone(o: Offset) -> Zone {
    let minutes = o.seconds() / 60;
    let name = if minutes == 0 {
        "UTC".to_string()
    } else if minutes % 60 == 0 {
        let sign = if minutes > 0 { "-" } else { "+" };
        format!("Etc/GMT{sign}{}", (minutes / 60).abs())
    } else {
        OFFSET_ZONES
            .iter()
            .find(|(m, _, _)| *m == minutes)
            .map_or("UTC", |(_, n, _)| n)
            .to_string()
    };
    Zone {
        offset: Some(o),
        ..Zone::named(name)
    }
}

/// The zone a text names anywhere in it ("EEST (UTC+3)", "UTC+2 (Helsinki
/// time)", "US/Pacific"): an IANA name first, then a city, then an
/// abbreviation, then an offset.
pub(super) fn zone_named_in(written: &str) -> Option<Zone> {
    let words: Vec<&str> = written
        .split(|c: char| !(c.is_alphanumeric() || c == '/' || c == '_'))
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(z) = words.iter().find_map(|w| iana(w)) {
        return Some(z);
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    for n in [2, 1] {
        for w in lower.windows(n) {
            if let Some(z) = zone_word(&w.join(" ")) {
                return Some(z);
            }
        }
    }
    let mut utc = None;
    for (i, w) in words.iter().enumerate() {
        // "UTC+1": the offset, not UTC.
        if matches!(lower[i].as_str(), "utc" | "gmt") {
            let at = word_start(written, w).unwrap_or(0);
            match after_utc(&written[at..]) {
                AfterUtc::Offset(z, _) => return Some(z),
                AfterUtc::Nothing => utc = Some(Zone::named("UTC")),
                AfterUtc::Unreadable => {}
            }
            continue;
        }
        // Single letters ("Z") only as the whole text.
        if w.len() >= 2
            && w.chars().all(|c| c.is_ascii_uppercase())
            && let Some(z) = abbreviation(w)
        {
            return Some(z);
        }
    }
    utc
}

fn word_start(text: &str, word: &str) -> Option<usize> {
    let base = text.as_ptr() as usize;
    let w = word.as_ptr() as usize;
    (w >= base && w <= base + text.len()).then(|| w - base)
}

/// The zone a timeline states: "All times in CEST", "Times are
/// Europe/Paris", "(all times UTC+1)", "Date and Time in WET", "Timeline
/// (UTC)", a time column's header (`| When (UTC) |`, `| Time UTC |`,
/// `| Date/Time (UTC+05:30) |`); with the byte offset of the statement in
/// `text`.
pub(super) fn zone_stated_in(text: &str) -> Option<(Zone, usize)> {
    // The zone runs to the end of the sentence: a `.` before a digit
    // ("UTC+5.5") is in it, so that what it writes is read whole.
    static STATED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(?:times?|timestamps?|dates?(?:\s+and\s+times?)?|date/time|clock)\s+(?:are\s+|is\s+|shown\s+|given\s+|listed\s+|written\s+|noted\s+)?(?:in\s+|as\s+)?(?:the\s+)?(?P<z>(?:[^.\n|;]|\.\d){1,60})",
        )
        .expect("valid pattern")
    });
    static PARENS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(?:timeline|time|when|timestamps?|dates?)\s*[(\[](?P<z>[^)\]\n]{1,30})[)\]]",
        )
        .expect("valid pattern")
    });
    // A table's header cell "When UTC |" (a "When" in prose is no
    // statement).
    static WHEN_CELL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?im)(?:^|\|)[ \t]*when[ \t]+(?P<z>[^|\n]{1,30}?)[ \t]*\|")
            .expect("valid pattern")
    });
    for c in STATED.captures_iter(text) {
        let z = &c["z"];
        // The zone is the first thing said: "All times in EEST (UTC+3)",
        // not "times in the past, when UTC ...".
        let head: String = z.chars().take(40).collect();
        if let Some(zone) = first_zone_words(&head) {
            return Some((zone, c.get(0).map_or(0, |m| m.start())));
        }
    }
    for c in PARENS.captures_iter(text) {
        if let Some(zone) = zone_named_in(&c["z"]) {
            return Some((zone, c.get(0).map_or(0, |m| m.start())));
        }
    }
    for c in WHEN_CELL.captures_iter(text) {
        if let Some(zone) = first_zone_words(&c["z"]) {
            return Some((zone, c.get(0).map_or(0, |m| m.start())));
        }
    }
    None
}

/// A zone named by the first words of a statement's rest: "EEST (UTC+3)",
/// "PDT, 24-hour clock", "UTC+2 (Helsinki time)", "US/Pacific", "Chicago
/// time".
fn first_zone_words(rest: &str) -> Option<Zone> {
    let words: Vec<String> = rest
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .take(2)
        .map(|w| {
            w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '/' || c == '_' || c == '+'))
                .to_string()
        })
        .collect();
    let first = words.first()?;
    // "Amrica/Denver": a misspelt IANA name still names its city or region.
    if first.contains('/')
        && iana(first).is_none()
        && let Some(z) = first
            .split('/')
            .rev()
            .find_map(|p| zone_word(&p.to_lowercase()))
    {
        return Some(z);
    }
    let lower = first.to_lowercase();
    let bare = lower.split('+').next().unwrap_or(&lower);
    let starts_with_zone = iana(first).is_some()
        || (first.chars().all(|c| !c.is_lowercase()) && abbreviation(bare).is_some())
        || lower.starts_with("utc")
        || lower.starts_with("gmt")
        || zone_word(&lower).is_some()
        || zone_word(&words.join(" ").to_lowercase()).is_some();
    if !starts_with_zone {
        return None;
    }
    // Within the statement, a precise name beats an abbreviation.
    zone_named_in(rest)
}

/// A zone written on one entry, at the start of the text after its time:
/// "(UTC)", "PST", "CEST -", "Chicago:", "(Chicago time)", "Europe/Paris",
/// "UTC+1". Returns the zone and how many bytes it takes.
pub(super) fn zone_on_entry(rest: &str) -> Option<(Zone, usize)> {
    let t = rest.trim_start();
    let lead = rest.len() - t.len();
    let (inner, open) = match t.strip_prefix('(') {
        Some(i) => (i, 1),
        None => (t, 0),
    };
    match after_utc(inner) {
        AfterUtc::Offset(z, used) => {
            return close(inner, used, open).map(|n| (z, lead + open + n));
        }
        AfterUtc::Unreadable => return None,
        AfterUtc::Nothing => {}
    }
    let word_end = inner
        .find(|c: char| !(c.is_alphanumeric() || c == '/' || c == '_'))
        .unwrap_or(inner.len());
    let word = &inner[..word_end];
    if word.is_empty() {
        return None;
    }
    let mut used = word_end;
    let zone = if let Some(z) = iana(word) {
        z
    } else if word.len() >= 2
        && word.chars().all(|c| c.is_ascii_uppercase())
        && let Some(z) = abbreviation(word)
    {
        z
    } else if word.chars().next().is_some_and(char::is_uppercase) {
        // A city: one or two capitalised words ("New York").
        let two = inner[word_end..].strip_prefix(' ').and_then(|r| {
            let e = r.find(|c: char| !c.is_alphanumeric()).unwrap_or(r.len());
            let w = &r[..e];
            let key = format!("{word} {w}").to_lowercase();
            let zone = zone_word(&key)?;
            w.chars()
                .next()
                .is_some_and(char::is_uppercase)
                .then(|| (zone, word_end + 1 + e))
        });
        match two {
            Some((zone, n)) => {
                used = n;
                zone
            }
            None => zone_word(&word.to_lowercase())?,
        }
    } else {
        return None;
    };
    // "Chicago time".
    if let Some(r) = inner[used..].strip_prefix(" time")
        && r.chars().next().is_none_or(|c| !c.is_alphanumeric())
    {
        used += " time".len();
    }
    let n = close(inner, used, open)?;
    // A city or an abbreviation that starts the event's words is a zone
    // only when a separator or the end follows it: "10:05 Chicago - ...",
    // not "10:05 Chicago office calls".
    let after = inner[n - open..].trim_start();
    let is_city = iana(word).is_none() && abbreviation(word).is_none();
    if open == 0
        && is_city
        && !(after.is_empty() || after.starts_with(['-', '–', '—', ':', '|', ',']))
    {
        return None;
    }
    Some((zone, lead + open + n))
}

/// The length up to and with the closing parenthesis when there was an
/// opening one; `None` when it is missing.
fn close(inner: &str, used: usize, open: usize) -> Option<usize> {
    if open == 0 {
        let next = inner[used..].chars().next();
        return next.is_none_or(|c| !c.is_alphanumeric()).then_some(used);
    }
    let after = &inner[used..];
    let t = after.trim_start();
    t.strip_prefix(')')
        .map(|_| used + (after.len() - t.len()) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stated(text: &str) -> Option<String> {
        zone_stated_in(text).map(|(z, _)| z.name)
    }

    #[test]
    fn zones_stated_in_prose() {
        assert_eq!(stated("All times in UTC.").as_deref(), Some("UTC"));
        assert_eq!(stated("All times in CEST").as_deref(), Some("CET"));
        assert_eq!(stated("All times in EEST (UTC+3)").as_deref(), Some("EET"));
        assert_eq!(
            stated("All times US/Pacific").as_deref(),
            Some("US/Pacific")
        );
        assert_eq!(
            stated("(All times PDT, 24-hour clock)").as_deref(),
            Some("America/Los_Angeles")
        );
        assert_eq!(
            stated("Times are Europe/Paris.").as_deref(),
            Some("Europe/Paris")
        );
        assert_eq!(stated("(all times UTC+1)").as_deref(), Some("Etc/GMT-1"));
        assert_eq!(stated("All times in EET").as_deref(), Some("EET"));
        assert_eq!(stated("All times in GMT+5").as_deref(), Some("Etc/GMT-5"));
        assert_eq!(
            stated("All times in UTC+2 (Helsinki time)").as_deref(),
            Some("Europe/Helsinki")
        );
        assert_eq!(
            stated("| Date and Time in WET | Step |").as_deref(),
            Some("WET")
        );
        assert_eq!(stated("## Timeline (UTC)").as_deref(), Some("UTC"));
        assert_eq!(
            stated("All times in Amrica/Denver").as_deref(),
            Some("America/Denver")
        );
        assert_eq!(stated("We retried three times in the hour."), None);
        assert_eq!(stated("Nothing here"), None);
    }

    #[test]
    fn an_ambiguous_abbreviation_names_the_choices() {
        let (z, _) = zone_stated_in("All times in IST").unwrap();
        assert_eq!(z.name, "Asia/Kolkata");
        let w = z.ambiguity().unwrap();
        assert!(
            w.contains("Europe/Dublin") && w.contains("Asia/Jerusalem"),
            "{w}"
        );
    }

    #[test]
    fn zones_on_entries() {
        let on = |t: &str| zone_on_entry(t).map(|(z, n)| (z.name, t[n..].to_string()));
        assert_eq!(
            on(" (UTC) Alex restarts"),
            Some(("UTC".into(), " Alex restarts".into()))
        );
        assert_eq!(
            on(" PST - pages fire"),
            Some(("America/Los_Angeles".into(), " - pages fire".into()))
        );
        assert_eq!(
            on(" Chicago - call opened"),
            Some(("America/Chicago".into(), " - call opened".into()))
        );
        assert_eq!(on(" Chicago office calls"), None);
        assert_eq!(
            on(" New York: paged"),
            Some(("America/New_York".into(), ": paged".into()))
        );
        assert_eq!(on(" (UTC+1) x").map(|x| x.0), Some("Etc/GMT-1".into()));
        assert_eq!(on(" Deploy starts"), None);
        assert_eq!(on(" CPU at 90%"), None);
    }

    /// The zone read and the offset its times are read at, in minutes.
    fn stated_offset(text: &str) -> Option<(String, Option<i32>)> {
        zone_stated_in(text).map(|(z, _)| (z.name, z.offset.map(|o| o.seconds() / 60)))
    }

    fn named(name: &str, minutes: i32) -> Option<(String, Option<i32>)> {
        Some((name.to_string(), Some(minutes)))
    }

    #[test]
    fn offsets_that_are_not_whole_hours_keep_their_minutes() {
        let kolkata = named("Asia/Kolkata", 330);
        assert_eq!(stated_offset("All times UTC+5:30."), kolkata);
        assert_eq!(stated_offset("## Timeline (UTC+05:30)"), kolkata);
        assert_eq!(
            stated_offset("All times in UTC+05:45"),
            named("Asia/Kathmandu", 345)
        );
        assert_eq!(
            stated_offset("Times are UTC-03:30."),
            named("America/St_Johns", -210)
        );
        assert_eq!(
            stated_offset("(all times UTC+06:30)"),
            named("Asia/Yangon", 390)
        );
        assert_eq!(
            stated_offset("All times UTC-9:30"),
            named("Pacific/Marquesas", -570)
        );
        // Whole hours stay `Etc` zones; an offset no table names is read
        // exactly and written in UTC.
        assert_eq!(stated_offset("All times UTC+1"), named("Etc/GMT-1", 60));
        assert_eq!(
            stated_offset("All times GMT-05:00"),
            named("Etc/GMT+5", -300)
        );
        assert_eq!(stated_offset("All times UTC+05:20"), named("UTC", 320));
    }

    /// Each zone written for an offset has it: the ones marked all year in
    /// summer and in winter (2015 to 2025, 2023 to 2025 for Tehran), the
    /// others at some time of the year (2024, or 2010 for Caracas) but not
    /// all of it.
    #[test]
    fn the_zones_taken_for_offsets_have_them() {
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let instants = |year: i32| {
            [
                at(&format!("{year}-01-15T12:00:00Z")),
                at(&format!("{year}-07-15T12:00:00Z")),
            ]
        };
        let offsets_in = |name: &str, years: &[i32]| -> Vec<i32> {
            let tz = TimeZone::get(name).unwrap();
            years
                .iter()
                .flat_map(|y| instants(*y))
                .map(|ts| tz.to_offset(ts).seconds() / 60)
                .collect()
        };
        for (minutes, name, all_year) in OFFSET_ZONES {
            let o = Offset::from_seconds(minutes * 60).unwrap();
            assert_eq!(offset_zone(o).name, *name);
            if *all_year {
                // Iran stopped daylight saving time in 2022.
                let first = if *name == "Asia/Tehran" { 2023 } else { 2015 };
                let years: Vec<i32> = (first..=2025).collect();
                let seen = offsets_in(name, &years);
                assert!(seen.iter().all(|m| m == minutes), "{name} {seen:?}");
            } else {
                let seen = offsets_in(name, &[2010, 2024]);
                assert!(seen.contains(minutes), "{name} {seen:?}");
                assert!(seen.iter().any(|m| m != minutes), "{name} {seen:?}");
            }
        }
        for hours in -12..=14 {
            let o = Offset::from_seconds(hours * 3600).unwrap();
            let z = offset_zone(o);
            assert_eq!(
                offsets_in(&z.name, &[2024]),
                [hours * 60, hours * 60],
                "{}",
                z.name
            );
        }
    }

    #[test]
    fn offsets_without_a_colon_are_read_and_others_are_no_zone() {
        assert_eq!(
            stated_offset("All times GMT+0530."),
            named("Asia/Kolkata", 330)
        );
        assert_eq!(
            stated_offset("All times in UTC-0330"),
            named("America/St_Johns", -210)
        );
        assert_eq!(
            stated_offset("All times UTC+1000"),
            named("Etc/GMT-10", 600)
        );
        // Neither UTC nor five hours.
        assert_eq!(stated("All times UTC+5.5."), None);
        assert_eq!(stated("All times UTC+530."), None);
        assert_eq!(stated("All times UTC+15"), None);
        assert_eq!(stated("All times UTC+05:75"), None);
        assert_eq!(stated("## Timeline (GMT+5.5)"), None);
    }

    #[test]
    fn offsets_on_entries_are_read_with_their_minutes() {
        let on = |t: &str| {
            zone_on_entry(t).map(|(z, n)| {
                (
                    z.name,
                    z.offset.map(|o| o.seconds() / 60),
                    t[n..].to_string(),
                )
            })
        };
        assert_eq!(
            on(" (UTC+05:30) - Requests failing"),
            Some((
                "Asia/Kolkata".into(),
                Some(330),
                " - Requests failing".into()
            ))
        );
        assert_eq!(
            on(" UTC+5:30 - Requests failing"),
            Some((
                "Asia/Kolkata".into(),
                Some(330),
                " - Requests failing".into()
            ))
        );
        assert_eq!(
            on(" GMT-0330: pager fires"),
            Some((
                "America/St_Johns".into(),
                Some(-210),
                ": pager fires".into()
            ))
        );
        assert_eq!(on(" UTC+5.5 - pager fires"), None);
        assert_eq!(on(" (UTC+05:75) pager fires"), None);
    }

    #[test]
    fn zones_in_time_column_headers() {
        for header in [
            "| When (UTC) | What |",
            "| When UTC | What |",
            "When (UTC) | What",
            "| Timestamp (UTC) | Event |",
            "| Timestamp UTC | Event |",
            "| Date (UTC) | Event |",
            "| Date UTC | Event |",
            "| Date/Time (UTC) | Event |",
            "| Date/Time UTC | Event |",
            "| Time/Date (UTC) | Event |",
            "| Time/Date UTC | Event |",
            "| Time UTC | Event |",
            "| Time [UTC] | Event |",
        ] {
            assert_eq!(stated(header).as_deref(), Some("UTC"), "{header}");
        }
        assert_eq!(
            stated_offset("| When (UTC+05:30) | What |"),
            named("Asia/Kolkata", 330)
        );
        assert_eq!(
            stated("| When PDT | What |").as_deref(),
            Some("America/Los_Angeles")
        );
        assert_eq!(stated("| When | What |"), None);
        assert_eq!(stated("| When it broke | What |"), None);
        assert_eq!(stated("When CET began, we paged."), None);
    }
}
