//! Which timeline entries are milestones: marked in the text ("(resolved)",
//! "**Detection:**"), found by the durations the postmortem states itself
//! ("Time to detection: 8 minutes"), or, failing those, by what the entries
//! say ("alert fired", "service restored").

use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;

use super::reconcile;
use crate::markdown::stated::{Stated, StatedKind};
use crate::model::timeline::{Milestone, human_duration};

/// A timeline entry being imported.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub at: Timestamp,
    pub event: String,
    pub kind: Milestone,
    /// The milestone is the author's: marked in the text, or where the
    /// postmortem's own stated durations put it (not guessed from words).
    pub kind_stated: bool,
    /// The line in the source file.
    pub line: usize,
    /// The time is placed with certainty (its zone and day are written).
    pub certain: bool,
    /// The entry names its zone.
    pub own_zone: bool,
}

fn re(p: &str) -> Regex {
    Regex::new(p).expect("valid pattern")
}

static EXPLICIT_START: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\((?:problem|incident|outage|impact|issue|degradation|disruption)?\s*(?:start(?:s|ed)?|beg[ia]ns?|began)\)|^(?:\W*(?:the\s+)?(?:problem|incident|outage|impact|issue|degradation|disruption|downtime)\s+(?:start(?:s|ed)?|beg[ia]ns?|began)\b)|^\W*start of (?:the )?(?:incident|outage|impact|issue|problem)|^\W*(?:impact|incident|outage) start\s*:",
    )
});
/// "Detection:" marks the detection; "Discovery:" does not (it is as often
/// the discovery of the cause, after an alert).
static EXPLICIT_DETECT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^\W*(?:detection|detected|incident detected)\s*[:.]|\((?:detected|detection)\)")
});
static EXPLICIT_RESOLVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\W*(?:recovery|resolution|resolved|recovered)\s*[:.]|\((?:resolved|recovered|outage (?:ended|over)|impact ended)\)|^\W*(?:the\s+)?(?:impact|incident|outage|problem|issue|downtime)\s+(?:ends|ended|is over|was over|resolved)\b|^\W*end of (?:the )?(?:incident|outage|impact)|\b(?:restored|resolved|recovered)\b[^.]{0,40}\bconfirmed\b|\bconfirmed (?:as )?(?:restored|resolved|recovered|fixed)\b",
    )
});
static EXPLICIT_MITIGATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^\W*(?:mitigation|mitigated)\s*[:.]|\(mitigated\)"));

/// Words that make the verb after them a plan, not an act: "a call is
/// opened to mitigate", "we will roll back", "trying to restore".
static PLAN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:to|will|would|could|should|can|shall|might|may|going to|plan(?:s|ned)? to|tr(?:y|ies|ied|ying) to|attempt(?:s|ed|ing)? to|in order to|how to|ways? to|options? to|decided to|need(?:s|ed)? to|want(?:s|ed)? to|proposed|planning)\s+(?:\w+\s+){0,2}$",
    )
});

/// Does `re` match `text` somewhere that is not a plan?
fn says(re: &Regex, text: &str) -> bool {
    re.find_iter(text)
        .any(|m| !PLAN.is_match(&text[..m.start()]))
}

static DETECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:detect(?:ed|s)?|alert(?:s|ed|ing)?|alarm|paged|pages? (?:the )?on-?call|on-?call (?:is |was |gets )?paged|notic(?:e|ed|es|ing)|notified|informed|became aware|made aware|aware of|report(?:s|ed)?\b(?:\s+(?:by|from|of|that|seeing|issues?|high|wrong))?|first report|reaching out|reached out|witnessed|observ(?:e|es|ed)|complain(?:s|ed)?)\b",
    )
});
static NOT_DETECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)root cause|reports? back|report(?:ed|s)? (?:that )?(?:it|everything) (?:works|is fine)|post-?mortem|resolved",
    )
});
static ACK: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:acknowledg\w*|investigat\w*(?:\s+\w+){0,3}\s+(?:start|began|begin|commenc|launch)\w*|(?:start|began|begin)\w* (?:investigat|looking into|to investigate|working on|diagnos)\w*|incident (?:declared|created|raised|opened)|joined (?:the )?call|on-?call (?:respond|join)\w*)",
    )
});
static MITIGATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:mitigat\w*|workaround|rolled back|roll-?back (?:performed|completed?|done)|reverted|manual(?:ly)? (?:fix|patch)\w*|quick fix|temporar(?:y|ily) fix\w*)",
    )
});
static RESOLVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:resolved|restored|recovered|back to normal|returns? to normal|(?:issue|problem|outage|it) (?:was |is |has been )?fixed|fully operational|operational again|service operational|(?:is|are|was|were) working (?:again|as (?:intended|expected))|working as (?:intended|expected)|verified (?:working|operational)|confirmed working|healthy again|goes away|everything is back|self-heal\w*|all systems (?:verified )?operational|back (?:online|to (?:service|operation)))",
    )
});
static NOT_RESOLVE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:not|never|un|partially|still not)\s*(?:resolved|restored|recovered)")
});

/// A milestone the entry's words mark: at the start of the entry or of
/// one of its sentences ("Service resumes. Incident ends.").
fn explicit(e: &Entry) -> Option<Milestone> {
    let t = e.event.trim();
    let sentences = std::iter::once(t).chain(
        t.match_indices(['.', '!', ';'])
            .map(|(i, _)| t[i + 1..].trim_start())
            .filter(|s| !s.is_empty()),
    );
    for s in sentences {
        let found = if EXPLICIT_START.is_match(s) {
            Some(Milestone::Started)
        } else if EXPLICIT_DETECT.is_match(s) {
            Some(Milestone::Detected)
        } else if EXPLICIT_MITIGATE.is_match(s) {
            Some(Milestone::Mitigated)
        } else if EXPLICIT_RESOLVE.is_match(s) {
            Some(Milestone::Resolved)
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

pub(super) fn says_detect(e: &Entry) -> bool {
    says(&DETECT, &e.event) && !NOT_DETECT.is_match(&e.event)
}

pub(super) fn says_resolve(e: &Entry) -> bool {
    says(&RESOLVE, &e.event) && !NOT_RESOLVE.is_match(&e.event)
}

pub(super) fn says_mitigate(e: &Entry) -> bool {
    says(&MITIGATE, &e.event)
}

fn says_ack(e: &Entry) -> bool {
    says(&ACK, &e.event)
}

/// What inference could not do, for the import report: (line, message).
pub type Notes = Vec<(usize, String)>;

/// Marks the milestones of a timeline sorted by time.
pub fn infer(entries: &mut Vec<Entry>, stated: &[Stated]) -> Notes {
    if entries.is_empty() {
        return Vec::new();
    }
    mark_explicit(entries);
    let detect = stated.iter().find(|s| s.kind == StatedKind::Detect);
    let recover = stated.iter().find(|s| s.kind == StatedKind::Recover);
    let both: Vec<&Stated> = [detect, recover].into_iter().flatten().collect();
    let marked = entries.clone();
    let mut notes = mark_rest(entries, detect, recover);
    // A timeline that opens with its detection, and a stated time to
    // detection: the start is where the figure puts it, if that makes the
    // stated values agree.
    if let Some(start) = reconcile::stated_start(&marked, detect) {
        let mut trial = marked;
        trial.insert(0, start);
        let mut trial_notes = mark_rest(&mut trial, detect, recover);
        if reconcile::agreeing(&trial, &both) > reconcile::agreeing(entries, &both) {
            trial_notes.extend(detect.map(reconcile::start_note));
            *entries = trial;
            notes = trial_notes;
        }
    }
    reconcile::place_near(entries, &both, &mut notes);
    notes
}

/// What the text marks itself: pmsite's own `{detected}` tags, or words
/// such as "(resolved)".
fn mark_explicit(entries: &mut [Entry]) {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| re(r"\s*\{(started|detected|acknowledged|mitigated|resolved)\}\s*$"));
    for e in entries.iter_mut() {
        if let Some(c) = TAG.captures(&e.event) {
            let kind = Milestone::parse(&c[1]);
            let start = c.get(0).map_or(e.event.len(), |m| m.start());
            e.event.truncate(start);
            if let Some(k) = kind {
                e.kind = k;
                e.kind_stated = true;
                continue;
            }
        }
        if e.kind_stated {
            continue;
        }
        if let Some(k) = explicit(e) {
            e.kind = k;
            e.kind_stated = true;
        }
    }
}

/// The durations the postmortem states, then what the entries say, for
/// what is still unknown: guesses.
fn mark_rest(entries: &mut Vec<Entry>, detect: Option<&Stated>, recover: Option<&Stated>) -> Notes {
    let mut notes = Vec::new();
    if detect.is_some() || recover.is_some() {
        align(entries, detect, recover, &mut notes);
    }
    guess(entries, &mut notes);
    notes
}

/// Marks the milestones the text neither marks nor states by what the
/// entries say ("alert fired", "service restored"), each with a note.
fn guess(entries: &mut [Entry], notes: &mut Notes) {
    let has = |entries: &[Entry], k: Milestone| entries.iter().any(|e| e.kind == k);
    let marked_start = entries.iter().position(|e| e.kind == Milestone::Started);
    let start = marked_start.unwrap_or(0);
    let set = |entries: &mut [Entry], i: usize, k: Milestone, notes: &mut Notes| {
        entries[i].kind = k;
        entries[i].kind_stated = false;
        notes.push((
            entries[i].line,
            format!(
                "`{}` is guessed from this entry's words; check it (the milestone is the entry's `kind:`)",
                k.as_str()
            ),
        ));
    };
    let other = |e: &Entry| e.kind == Milestone::Other;
    if !has(entries, Milestone::Detected)
        && let Some(i) = (start..entries.len())
            .find(|&i| (i == start || other(&entries[i])) && says_detect(&entries[i]))
    {
        if i == start {
            // Detection at the start: nothing says when the incident
            // started, so there is no time to detect (rather than 0 s).
            notes.push((
                entries[i].line,
                "this entry reads as the detection, but no earlier entry marks the start, so no time to detect is derived: add the entry where the incident started, with `kind: started`".to_string(),
            ));
        } else {
            set(entries, i, Milestone::Detected, notes);
        }
    }
    let after_detect = entries
        .iter()
        .position(|e| e.kind == Milestone::Detected)
        .unwrap_or(start);
    if !has(entries, Milestone::Acknowledged)
        && let Some(i) =
            (after_detect..entries.len()).find(|&i| other(&entries[i]) && says_ack(&entries[i]))
    {
        set(entries, i, Milestone::Acknowledged, notes);
    }
    if !has(entries, Milestone::Resolved)
        && let Some(i) =
            (start + 1..entries.len()).find(|&i| other(&entries[i]) && says_resolve(&entries[i]))
    {
        set(entries, i, Milestone::Resolved, notes);
    }
    let resolved_at = entries.iter().position(|e| e.kind == Milestone::Resolved);
    if !has(entries, Milestone::Mitigated)
        && let Some(i) = (after_detect..resolved_at.unwrap_or(entries.len()))
            .find(|&i| other(&entries[i]) && says_mitigate(&entries[i]))
    {
        set(entries, i, Milestone::Mitigated, notes);
    }
}

/// Derived times that cannot be right: a time to detect longer than the
/// incident, a milestone before the start, weeks to resolve the most
/// severe kind of incident. Notes at the milestone's line.
pub fn implausible(entries: &[Entry], most_severe: bool) -> Notes {
    let mut notes = Vec::new();
    if entries.is_empty() {
        return notes;
    }
    let first = |k: Milestone| entries.iter().find(|e| e.kind == k);
    let start = first(Milestone::Started).unwrap_or(&entries[0]);
    let since = |e: &Entry| e.at.as_second() - start.at.as_second();
    for k in [
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::Mitigated,
        Milestone::Resolved,
    ] {
        if let Some(e) = first(k)
            && since(e) < 0
        {
            notes.push((
                e.line,
                format!(
                    "`{}` is before the start of the incident, so no time can be derived from it; check both milestones",
                    k.as_str()
                ),
            ));
        }
    }
    let detected = first(Milestone::Detected);
    let resolved = first(Milestone::Resolved).or(first(Milestone::Mitigated));
    if let (Some(d), Some(r)) = (detected, resolved)
        && since(d) > since(r)
        && since(r) >= 0
    {
        notes.push((
            d.line,
            format!(
                "the time to detect ({}) is longer than the incident ({}); check the `detected` and `{}` milestones",
                human_duration(since(d)),
                human_duration(since(r)),
                r.kind.as_str()
            ),
        ));
    }
    if most_severe
        && let Some(r) = resolved
        && since(r) >= 7 * 86_400
    {
        notes.push((
            r.line,
            format!(
                "a time to resolve of {} for an incident of the most severe kind is implausible; check the `started` and `{}` milestones, and the days of the times",
                human_duration(since(r)),
                r.kind.as_str()
            ),
        ));
    }
    notes
}

/// Where the stated durations put the milestones: the entry counted from,
/// and the detection and recovery entries when found.
#[derive(Clone, Copy, Debug)]
struct Alignment {
    start: usize,
    detect: Option<usize>,
    recover: Option<usize>,
}

/// Finds the start, detection and recovery entries that the stated
/// durations point at, preferring the ones whose words agree.
fn align(
    entries: &mut Vec<Entry>,
    detect: Option<&Stated>,
    recover: Option<&Stated>,
    notes: &mut Notes,
) {
    let Some(a) = best_alignment(entries, detect, recover) else {
        for st in [detect, recover].into_iter().flatten() {
            notes.push((
                st.line,
                format!(
                    "the stated {} ({}) matches no pair of timeline entries; milestones were guessed from the entries' words",
                    st.kind.label(),
                    st.text
                ),
            ));
        }
        return;
    };
    for (st, found) in [(detect, a.detect), (recover, a.recover)] {
        if let (Some(st), None) = (st, found) {
            notes.push((
                st.line,
                format!(
                    "the stated {} ({}) matches no timeline entry counted from the same start",
                    st.kind.label(),
                    st.text
                ),
            ));
        }
    }
    mark(entries, a);
}

/// The alignment that scores best, when it finds a stated value at least.
fn best_alignment(
    entries: &[Entry],
    detect: Option<&Stated>,
    recover: Option<&Stated>,
) -> Option<Alignment> {
    let n = entries.len();
    let secs = |a: usize, b: usize| entries[b].at.as_second() - entries[a].at.as_second();
    let mut best: Option<(i32, Alignment)> = None;
    for s in 0..n {
        if !can_start(&entries[s], detect) {
            continue;
        }
        // Each stated value may find no entry (then it is noted).
        let mut js: Vec<Option<usize>> = vec![None];
        if let Some(d) = detect {
            js.extend(
                (s..n)
                    .filter(|&j| d.agrees(secs(s, j)))
                    // Detection at the start: at the first entry, or
                    // when the text says so (a time to detect of 0).
                    .filter(|&j| j != s || s == 0 || d.secs == 0)
                    .map(Some),
            );
        }
        let mut ks: Vec<Option<usize>> = vec![None];
        if let Some(r) = recover {
            ks.extend((s + 1..n).filter(|&k| r.agrees(secs(s, k))).map(Some));
        }
        for &j in &js {
            for &k in &ks {
                if j.is_some() && j == k {
                    continue;
                }
                let a = Alignment {
                    start: s,
                    detect: j,
                    recover: k,
                };
                let Some(score) = score(entries, a) else {
                    continue;
                };
                if best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, a));
                }
            }
        }
    }
    best.filter(|(score, _)| *score >= 10).map(|(_, a)| a)
}

/// Can the stated durations be counted from this entry? Not from one
/// marked as a later milestone, except a detection when the time to detect
/// is stated as zero.
fn can_start(e: &Entry, detect: Option<&Stated>) -> bool {
    !(matches!(
        e.kind,
        Milestone::Detected | Milestone::Resolved | Milestone::Mitigated
    ) && !(detect.is_some_and(|d| d.secs == 0) && e.kind == Milestone::Detected))
}

/// How well an alignment agrees with the entries' marks and words; `None`
/// when it is not to be trusted.
fn score(entries: &[Entry], a: Alignment) -> Option<i32> {
    let Alignment {
        start: s,
        detect: j,
        recover: k,
    } = a;
    let mut score = 0;
    if s == 0 {
        score += 2;
    }
    if entries[s].kind == Milestone::Started {
        score += 4;
    }
    if let Some(j) = j {
        score += match entries[j].kind {
            Milestone::Detected => 4,
            _ if says_detect(&entries[j]) => 2,
            _ if says_ack(&entries[j]) => 1,
            _ => 0,
        };
    }
    if let Some(k) = k {
        score += match entries[k].kind {
            Milestone::Resolved | Milestone::Mitigated => 4,
            _ if says_resolve(&entries[k]) || says_mitigate(&entries[k]) => 2,
            _ => 0,
        };
    }
    // Both stated values found beat one. One alone is trusted only counted
    // from the first entry or a marked start: a single duration fits some
    // pair of entries by chance.
    let found = j.is_some() as i32 + k.is_some() as i32;
    let supported = j
        .is_some_and(|j| entries[j].kind == Milestone::Detected || says_detect(&entries[j]))
        || k.is_some_and(|k| {
            matches!(entries[k].kind, Milestone::Resolved | Milestone::Mitigated)
                || says_resolve(&entries[k])
                || says_mitigate(&entries[k])
        });
    if found == 1 && s != 0 && entries[s].kind != Milestone::Started && !supported {
        return None;
    }
    Some(score + 10 * found + supported as i32)
}

/// Marks the milestones of an alignment.
fn mark(entries: &mut Vec<Entry>, a: Alignment) {
    let Alignment {
        start: s,
        detect: j,
        recover: k,
    } = a;
    // Clear the milestones the alignment replaces.
    for e in entries.iter_mut() {
        if (j.is_some() && e.kind == Milestone::Detected)
            || (k.is_some() && matches!(e.kind, Milestone::Resolved | Milestone::Mitigated))
            || e.kind == Milestone::Started
        {
            e.kind = Milestone::Other;
            e.kind_stated = false;
        }
    }
    if let Some(k) = k {
        mark_recovery(entries, k);
    }
    if j != Some(s) {
        entries[s].kind = Milestone::Started;
        entries[s].kind_stated = true;
    }
    match j {
        // Detected as it started, at a later entry than the first: the
        // start and the detection are two entries at one time.
        Some(j) if j == s && s != 0 => {
            entries[s].kind = Milestone::Started;
            entries[s].kind_stated = true;
            let mut detected = entries[s].clone();
            detected.kind = Milestone::Detected;
            detected.event =
                "Detected as it started (the postmortem states a time to detection of 0 minutes)"
                    .into();
            entries.insert(s + 1, detected);
        }
        Some(j) => {
            entries[j].kind = Milestone::Detected;
            entries[j].kind_stated = true;
        }
        None => {}
    }
}

/// Marks the recovery entry `k`. Recovery by a workaround, with a real fix
/// later: mitigated, and the later fix resolved.
fn mark_recovery(entries: &mut [Entry], k: usize) {
    let later_fix = (k + 1..entries.len()).find(|&i| {
        entries[i].kind == Milestone::Other
            && (explicit(&entries[i]) == Some(Milestone::Resolved) || says_resolve(&entries[i]))
    });
    match later_fix {
        Some(f) if says_mitigate(&entries[k]) && !says_resolve(&entries[k]) => {
            entries[k].kind = Milestone::Mitigated;
            entries[k].kind_stated = true;
            entries[f].kind = Milestone::Resolved;
            entries[f].kind_stated = true;
        }
        _ => {
            entries[k].kind = Milestone::Resolved;
            entries[k].kind_stated = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::stated::find_stated;

    fn entries(rows: &[(&str, &str)]) -> Vec<Entry> {
        rows.iter()
            .enumerate()
            .map(|(i, (at, event))| Entry {
                at: format!("2021-06-22T{at}:00Z").parse().unwrap(),
                event: event.to_string(),
                kind: Milestone::Other,
                kind_stated: false,
                line: i + 1,
                certain: true,
                own_zone: false,
            })
            .collect()
    }

    fn kinds(es: &[Entry]) -> Vec<&'static str> {
        es.iter().map(|e| e.kind.as_str()).collect()
    }

    #[test]
    fn words_make_milestones() {
        let mut es = entries(&[
            ("08:21", "Balancer pool swapped by the deploy job"),
            ("08:29", "Problem detected through the error-rate alerts"),
            ("08:30", "Investigation of the pool commenced"),
            ("08:46", "Old pool put back behind the balancer (resolved)"),
        ]);
        infer(&mut es, &[]);
        assert_eq!(
            kinds(&es),
            ["other", "detected", "acknowledged", "resolved"]
        );
    }

    #[test]
    fn discovery_is_no_detection_marker() {
        let mut es = entries(&[
            ("10:00", "Nightly export job starts"),
            ("10:02", "Automated monitoring detects rising error rates"),
            ("10:45", "Discovery: the export holds a table lock"),
            ("11:10", "Lock released, service restored"),
        ]);
        infer(&mut es, &[]);
        assert_eq!(kinds(&es), ["other", "detected", "other", "resolved"]);
    }

    #[test]
    fn the_authors_markers_win_over_words() {
        let mut es = entries(&[
            ("08:00", "Deploy of the new cache"),
            ("08:05", "**Impact starts.** Error rate climbs"),
            ("08:20", "Alert fires, a call is opened to mitigate"),
            ("08:40", "Config reverted. Service resumes. IMPACT ENDS"),
            ("09:10", "Service restored, confirmed by the checkout team"),
        ]);
        let notes = infer(&mut es, &[]);
        // Both ends are the author's words; the metrics take the first.
        assert_eq!(
            kinds(&es),
            ["other", "started", "detected", "resolved", "resolved"]
        );
        assert!(es[1].kind_stated && es[3].kind_stated && es[4].kind_stated && !es[2].kind_stated);
        // The guess is noted at its line; the plan to mitigate is none.
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].0, 3);
    }

    #[test]
    fn detection_at_the_start_gives_no_time_to_detect() {
        let mut es = entries(&[
            ("09:00", "Alert fires for high latency"),
            ("09:30", "Service restored"),
        ]);
        let notes = infer(&mut es, &[]);
        assert_eq!(kinds(&es), ["other", "resolved"]);
        assert!(
            notes
                .iter()
                .any(|(l, m)| *l == 1 && m.contains("no time to detect")),
            "{notes:?}"
        );
    }

    #[test]
    fn implausible_times_are_noted() {
        let mut es = entries(&[("08:00", "a"), ("09:00", "b"), ("08:30", "c")]);
        es[1].kind = Milestone::Detected;
        es[2].kind = Milestone::Resolved;
        es.swap(1, 2);
        let notes = implausible(&es, false);
        assert!(notes[0].1.contains("longer than the incident"), "{notes:?}");
        let mut long = entries(&[("08:00", "a"), ("09:00", "b")]);
        long[1].at = "2021-07-12T09:00:00Z".parse().unwrap();
        long[1].kind = Milestone::Resolved;
        assert!(implausible(&long, true)[0].1.contains("implausible"));
        assert!(implausible(&long, false).is_empty());
    }

    #[test]
    fn stated_durations_find_a_later_start() {
        // The outage starts at the third entry; the stats count from it.
        let mut es = entries(&[
            ("08:32", "Database major upgrade begun."),
            ("09:59", "Schema migration 41 applied."),
            ("10:00", "Checkout timeouts witnessed."),
            ("10:04", "Connection pool manually resized (resolved)."),
            ("10:26", "Migration 42 carries the fix"),
        ]);
        let stated = find_stated("- Time to detection: 1 minute\n- Time to recovery: 5 minutes\n");
        let notes = infer(&mut es, &stated);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(
            kinds(&es),
            ["other", "started", "detected", "resolved", "other"]
        );
    }

    #[test]
    fn a_workaround_then_a_fix() {
        let mut es = entries(&[
            ("11:25", "A new image cache was rolled out"),
            ("11:40", "Support notified us that thumbnails were missing"),
            ("11:50", "Manual patch applied"),
            ("15:26", "Proper fix shipped, everything is back to normal"),
        ]);
        let stated = find_stated("Time to detection: 15 minutes\nTime to recovery: 25 minutes\n");
        infer(&mut es, &stated);
        assert_eq!(kinds(&es), ["started", "detected", "mitigated", "resolved"]);
    }

    #[test]
    fn a_stated_figure_moves_its_milestone_only_when_near() {
        // 300 minutes: 2% is 6 minutes. 5 minutes off the alert moves the
        // detection to the stated time; the alert stays as written.
        let rows = [
            ("04:00", "Config pushed"),
            ("09:05", "Alert for error rate seen by the on-call"),
            ("09:40", "Service restored"),
        ];
        let mut es = entries(&rows);
        let notes = infer(&mut es, &find_stated("Time to detection: 300 minutes\n"));
        assert_eq!(kinds(&es), ["other", "detected", "other", "resolved"]);
        assert_eq!(es[1].at.to_string(), "2021-06-22T09:00:00Z");
        assert_eq!(es[2].event, "Alert for error rate seen by the on-call");
        assert!(!es[1].certain && es[1].kind_stated);
        assert!(
            notes
                .iter()
                .any(|(l, m)| *l == 1 && m.contains("5m before")),
            "{notes:?}"
        );
        // 7 minutes off: the timeline wins, and the statement is noted.
        let mut es = entries(&rows);
        let notes = infer(&mut es, &find_stated("Time to detection: 298 minutes\n"));
        assert_eq!(kinds(&es), ["other", "detected", "resolved"]);
        assert!(
            notes.iter().any(|(_, m)| m.contains("matches no")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_stated_figure_never_puts_a_recovery_before_the_detection() {
        // The stated 299 minutes point at 04:59, within 2% of the restore
        // at 05:04 but before the alert at 05:00 that the stated detection
        // finds: nothing is placed, and the statement is noted.
        let mut es = entries(&[
            ("00:00", "Nodes cordoned for the upgrade"),
            ("05:00", "Alert fired for failing pods"),
            ("05:04", "Failover done, service restored"),
        ]);
        let stated = find_stated("Time to detection: 300 minutes\nTime to recovery: 299 minutes\n");
        let notes = infer(&mut es, &stated);
        assert_eq!(es.len(), 3);
        assert_eq!(kinds(&es), ["started", "detected", "resolved"]);
        assert!(
            notes.iter().any(|(_, m)| m.contains("time to recovery")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_stated_start_only_for_a_timeline_that_opens_with_its_detection() {
        let stated = find_stated("Time to detection: 20 minutes\nTime to recovery: 50 minutes\n");
        let mut es = entries(&[
            ("10:00", "Customer reported failed logins"),
            ("10:30", "Session store restored"),
        ]);
        infer(&mut es, &stated);
        assert_eq!(kinds(&es), ["started", "detected", "resolved"]);
        assert_eq!(es[0].at.to_string(), "2021-06-22T09:40:00Z");
        // The first entry is no detection: no start is made up.
        let mut es = entries(&[
            ("10:00", "Session store config changed"),
            ("10:30", "Session store restored"),
        ]);
        infer(&mut es, &stated);
        assert_eq!(es.len(), 2);
    }

    #[test]
    fn unmatched_statements_are_noted() {
        let mut es = entries(&[("08:00", "a"), ("08:10", "b")]);
        let stated = find_stated("Time to detection: 3 minutes\n");
        let notes = infer(&mut es, &stated);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].1.contains("matches no"), "{notes:?}");
    }
}
