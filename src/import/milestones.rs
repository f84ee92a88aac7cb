//! Which timeline entries are milestones: marked in the text ("(resolved)",
//! "**Detection:**"), found by the durations the postmortem states itself
//! ("Time to detection: 8 minutes"), or, failing those, by what the entries
//! say ("alert fired", "service restored").

use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;

use crate::markdown::stated::{Stated, StatedKind};
use crate::model::timeline::Milestone;

/// A timeline entry being imported.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub at: Timestamp,
    pub event: String,
    pub kind: Milestone,
    /// The line in the source file.
    pub line: usize,
}

fn re(p: &str) -> Regex {
    Regex::new(p).expect("valid pattern")
}

static EXPLICIT_START: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\((?:problem|incident|outage)?\s*start(?:s|ed)?\)|^(?:problem|incident|outage)\s+start(?:s|ed)?\b|^start of (?:the )?incident",
    )
});
static EXPLICIT_DETECT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:detection|discovery|detected)\s*:|\((?:detected|detection)\)"));
static EXPLICIT_RESOLVE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)^(?:recovery|resolution|resolved|recovered)\s*:|\((?:resolved|recovered)\)")
});
static EXPLICIT_MITIGATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)^(?:mitigation|mitigated)\s*:|\(mitigated\)"));

static DETECT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:detect(?:ed|s)?|alert(?:s|ed|ing)?|alarm|paged?|pages|notic(?:e|ed|es)|notified|became aware|made aware|aware of|report(?:s|ed)?\b(?:\s+(?:by|from|of|that|seeing|issues?|high|wrong))?|first report|reaching out|reached out|witnessed|observ(?:e|es|ed)|complain(?:s|ed)?)\b",
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

fn explicit(e: &Entry) -> Option<Milestone> {
    let t = e.event.trim();
    if EXPLICIT_START.is_match(t) {
        Some(Milestone::Started)
    } else if EXPLICIT_DETECT.is_match(t) {
        Some(Milestone::Detected)
    } else if EXPLICIT_MITIGATE.is_match(t) {
        Some(Milestone::Mitigated)
    } else if EXPLICIT_RESOLVE.is_match(t) {
        Some(Milestone::Resolved)
    } else {
        None
    }
}

fn says_detect(e: &Entry) -> bool {
    DETECT.is_match(&e.event) && !NOT_DETECT.is_match(&e.event)
}

fn says_resolve(e: &Entry) -> bool {
    RESOLVE.is_match(&e.event) && !NOT_RESOLVE.is_match(&e.event)
}

fn says_mitigate(e: &Entry) -> bool {
    MITIGATE.is_match(&e.event)
}

/// What inference could not do, for the import report: (line, message).
pub type Notes = Vec<(usize, String)>;

/// Marks the milestones of a timeline sorted by time.
pub fn infer(entries: &mut [Entry], stated: &[Stated]) -> Notes {
    let mut notes = Vec::new();
    if entries.is_empty() {
        return notes;
    }
    // 1. What the text marks itself: pmsite's own `{detected}` tags, or
    // words such as "(resolved)".
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| re(r"\s*\{(started|detected|acknowledged|mitigated|resolved)\}\s*$"));
    for e in entries.iter_mut() {
        if let Some(c) = TAG.captures(&e.event) {
            let kind = Milestone::parse(&c[1]);
            let start = c.get(0).map_or(e.event.len(), |m| m.start());
            e.event.truncate(start);
            if let Some(k) = kind {
                e.kind = k;
                continue;
            }
        }
        if let Some(k) = explicit(e) {
            e.kind = k;
        }
    }
    // 2. The durations the postmortem states.
    let detect = stated.iter().find(|s| s.kind == StatedKind::Detect);
    let recover = stated.iter().find(|s| s.kind == StatedKind::Recover);
    if detect.is_some() || recover.is_some() {
        align(entries, detect, recover, &mut notes);
    }
    // 3. What the entries say, for what is still unknown.
    let has = |entries: &[Entry], k: Milestone| entries.iter().any(|e| e.kind == k);
    let start = entries
        .iter()
        .position(|e| e.kind == Milestone::Started)
        .unwrap_or(0);
    if !has(entries, Milestone::Detected)
        && let Some(i) = (start..entries.len())
            .find(|&i| entries[i].kind == Milestone::Other && says_detect(&entries[i]))
    {
        // Detection at the first entry gives no start of its own; that
        // is right only when it is the first entry.
        if i != start || start == 0 {
            entries[i].kind = Milestone::Detected;
        }
    }
    let after_detect = entries
        .iter()
        .position(|e| e.kind == Milestone::Detected)
        .unwrap_or(start);
    if !has(entries, Milestone::Acknowledged)
        && let Some(i) = (after_detect..entries.len())
            .find(|&i| entries[i].kind == Milestone::Other && ACK.is_match(&entries[i].event))
    {
        entries[i].kind = Milestone::Acknowledged;
    }
    if !has(entries, Milestone::Resolved)
        && let Some(i) = (start + 1..entries.len())
            .find(|&i| entries[i].kind == Milestone::Other && says_resolve(&entries[i]))
    {
        entries[i].kind = Milestone::Resolved;
    }
    let resolved_at = entries.iter().position(|e| e.kind == Milestone::Resolved);
    if !has(entries, Milestone::Mitigated)
        && let Some(i) = (after_detect..resolved_at.unwrap_or(entries.len()))
            .find(|&i| entries[i].kind == Milestone::Other && says_mitigate(&entries[i]))
    {
        entries[i].kind = Milestone::Mitigated;
    }
    // A start marked on the first entry says nothing the metrics do not
    // already assume; it stays only when the text marked it.
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
    entries: &mut [Entry],
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
                    // Detection at the start is only expressible at the first entry.
                    .filter(|&j| j != s || s == 0)
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
            _ if ACK.is_match(&entries[j].event) => 1,
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
fn mark(entries: &mut [Entry], a: Alignment) {
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
        }
    }
    if j != Some(s) {
        entries[s].kind = Milestone::Started;
    }
    if let Some(j) = j {
        entries[j].kind = Milestone::Detected;
    }
    if let Some(k) = k {
        mark_recovery(entries, k);
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
            entries[f].kind = Milestone::Resolved;
        }
        _ => entries[k].kind = Milestone::Resolved,
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
                line: i + 1,
            })
            .collect()
    }

    fn kinds(es: &[Entry]) -> Vec<&'static str> {
        es.iter().map(|e| e.kind.as_str()).collect()
    }

    #[test]
    fn words_make_milestones() {
        let mut es = entries(&[
            ("08:21", "VPC CNI replaced by the pipeline"),
            ("08:29", "Issue detected as a result of alerts"),
            ("08:30", "Investigation into issue commenced"),
            (
                "08:46",
                "Target groups reattached to the ALB by the pipeline (resolved)",
            ),
        ]);
        infer(&mut es, &[]);
        assert_eq!(
            kinds(&es),
            ["other", "detected", "acknowledged", "resolved"]
        );
    }

    #[test]
    fn stated_durations_find_a_later_start() {
        // The outage starts at the third entry; the stats count from it.
        let mut es = entries(&[
            ("08:32", "Kubernetes upgrade commenced."),
            ("09:59", "Infrastructure Modules release 0.2.119."),
            ("10:00", "Status 503 messages witnessed."),
            (
                "10:04",
                "Target group manually reattached to ALB's (resolved).",
            ),
            ("10:26", "Release contains fix"),
        ]);
        let stated =
            find_stated("- Time to detection: 1 minutes\n- Time to recovery:  5 minutes\n");
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
            ("11:25", "A new CSI driver was deployed"),
            (
                "11:40",
                "Developer notified us of potential issue with logging",
            ),
            ("11:50", "Manual fix applied"),
            (
                "15:26",
                "Long-term fix applied, everything is back to normal",
            ),
        ]);
        let stated = find_stated("Time to detection: 15 minutes\nTime to recovery: 25 minutes\n");
        infer(&mut es, &stated);
        assert_eq!(kinds(&es), ["started", "detected", "mitigated", "resolved"]);
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
