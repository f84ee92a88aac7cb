//! The postmortem's own stated durations ("Time to detection: 95
//! minutes") against the milestones its timeline gives. A stated figure is
//! the author's words, so where the timeline cannot give it, and it is
//! close to an entry that reads as the milestone or points at a start the
//! timeline does not hold, a milestone entry is placed where the figure
//! puts it, next to the entries as written, with a note at the statement.
//! A figure far from every such entry is left to the timeline (the
//! `metric-mismatch` lint and the importer's note name it).

use jiff::{SignedDuration, Timestamp};

use super::milestones::{Entry, Notes, says_detect, says_mitigate, says_resolve};
use crate::markdown::stated::{Stated, StatedKind};
use crate::model::timeline::{Milestone, human_duration};

/// How far a stated duration may point from an entry that reads as its
/// milestone and still be taken as that moment counted a little
/// differently: 2% of the duration, at most 10 minutes, and never less
/// than the statement's own tolerance.
fn near(st: &Stated) -> i64 {
    (st.secs / 50).min(600).max(st.tolerance)
}

/// The entry the metrics count from: the first `started`, else the first.
fn start(entries: &[Entry]) -> Option<usize> {
    entries
        .iter()
        .position(|e| e.kind == Milestone::Started)
        .or((!entries.is_empty()).then_some(0))
}

fn first(entries: &[Entry], kind: Milestone) -> Option<usize> {
    entries.iter().position(|e| e.kind == kind)
}

/// Does the stated value agree with what the milestones give, counted as
/// the metrics count them (recovery: until mitigated or until resolved)?
pub(super) fn agrees(entries: &[Entry], st: &Stated) -> bool {
    let Some(s) = start(entries) else {
        return false;
    };
    let since = |i: usize| entries[i].at.as_second() - entries[s].at.as_second();
    let kinds: &[Milestone] = match st.kind {
        StatedKind::Detect => &[Milestone::Detected],
        StatedKind::Recover => &[Milestone::Mitigated, Milestone::Resolved],
    };
    kinds
        .iter()
        .filter_map(|&k| first(entries, k))
        .any(|i| st.agrees(since(i)))
}

/// How many of the stated values agree.
pub(super) fn agreeing(entries: &[Entry], stated: &[&Stated]) -> usize {
    stated.iter().filter(|st| agrees(entries, st)).count()
}

/// A `started` entry where the stated time to detection puts it, when the
/// timeline opens with its detection and no entry marks the start
/// (`entries` as the author marked them, before any guess).
pub(super) fn stated_start(entries: &[Entry], detect: Option<&Stated>) -> Option<Entry> {
    let d = detect.filter(|d| d.secs > 0)?;
    let opening = entries.first()?;
    let opens_with_detection = opening.kind == Milestone::Detected
        || (opening.kind == Milestone::Other && says_detect(opening));
    if !opens_with_detection || entries.iter().any(|e| e.kind == Milestone::Started) {
        return None;
    }
    Some(Entry {
        at: opening
            .at
            .checked_sub(SignedDuration::from_secs(d.secs))
            .ok()?,
        event: format!(
            "Started, as the stated {} ({}) puts it: {} before the first entry of the timeline",
            d.kind.label(),
            d.text,
            human_duration(d.secs)
        ),
        kind: Milestone::Started,
        kind_stated: true,
        line: d.line,
        certain: false,
        own_zone: opening.own_zone,
    })
}

/// The note for a start placed by [`stated_start`].
pub(super) fn start_note(d: &Stated) -> (usize, String) {
    (
        d.line,
        format!(
            "no entry of the timeline marks the start: a `started` entry is placed {} before the first entry, where the stated {} puts it; check it",
            human_duration(d.secs),
            d.kind.label()
        ),
    )
}

/// For each stated value the milestones do not give: when an entry that
/// reads as its milestone is within [`near`] of where the value puts it, a
/// milestone entry at that time takes the milestone from the entry.
pub(super) fn place_near(entries: &mut Vec<Entry>, stated: &[&Stated], notes: &mut Notes) {
    for st in stated {
        if agrees(entries, st) {
            continue;
        }
        let mut trial = entries.clone();
        let Some((moved, kind, at)) = move_to_stated(&mut trial, st) else {
            continue;
        };
        if !agrees(&trial, st) || agreeing(&trial, stated) <= agreeing(entries, stated) {
            continue;
        }
        let secs = at.as_second() - moved.at.as_second();
        let side = if secs < 0 { "before" } else { "after" };
        let off = format!("{} {side}", human_duration(secs.abs()));
        *entries = trial;
        let guessed = format!("`{}` is guessed", kind.as_str());
        let unmatched = format!("the stated {}", st.kind.label());
        let stale = |line: usize, msg: &str| {
            (line == st.line && msg.starts_with(&unmatched))
                || (line == moved.line && msg.starts_with(&guessed))
        };
        notes.retain(|(line, msg)| !stale(*line, msg));
        notes.push((
            st.line,
            format!(
                "the stated {} ({}) is {} the entry that reads as `{}` (line {}): a `{}` entry is placed where the stated figure puts it, and the entry is kept as written; check which time is right",
                st.kind.label(),
                st.text,
                off,
                kind.as_str(),
                moved.line,
                kind.as_str()
            ),
        ));
    }
}

/// Moves the milestone of a stated value from the entry that reads as it
/// to a new entry at the stated time. The moved-from entry (as it was) and
/// the milestone and the stated time, or `None` when no entry is near
/// enough.
fn move_to_stated(entries: &mut Vec<Entry>, st: &Stated) -> Option<(Entry, Milestone, Timestamp)> {
    let s = start(entries)?;
    let target = entries[s]
        .at
        .checked_add(SignedDuration::from_secs(st.secs))
        .ok()?;
    if !within_bounds(entries, st.kind, s, target) {
        return None;
    }
    let window = near(st);
    let i = (0..entries.len())
        .filter(|&i| i != s && reads_as(&entries[i], st.kind))
        .filter(|&i| (entries[i].at.as_second() - target.as_second()).abs() <= window)
        .min_by_key(|&i| (entries[i].at.as_second() - target.as_second()).abs())?;
    let kind = match st.kind {
        StatedKind::Detect => Milestone::Detected,
        StatedKind::Recover => recovery_kind(entries, i),
    };
    let moved = entries[i].clone();
    if entries[i].kind == kind {
        entries[i].kind = Milestone::Other;
        entries[i].kind_stated = false;
    }
    let placed = Entry {
        at: target,
        event: format!(
            "{}, as the stated {} ({}) puts it",
            past_tense(kind),
            st.kind.label(),
            st.text
        ),
        kind,
        kind_stated: true,
        line: moved.line,
        certain: false,
        own_zone: moved.own_zone,
    };
    let at = entries.partition_point(|e| e.at <= target);
    entries.insert(at, placed);
    Some((moved, kind, target))
}

/// A detection after the start and before the recovery; a recovery after
/// the start and the detection.
fn within_bounds(entries: &[Entry], kind: StatedKind, s: usize, target: Timestamp) -> bool {
    if target <= entries[s].at {
        return false;
    }
    match kind {
        StatedKind::Detect => [Milestone::Mitigated, Milestone::Resolved]
            .iter()
            .filter_map(|&k| first(entries, k))
            .all(|r| target < entries[r].at),
        StatedKind::Recover => {
            first(entries, Milestone::Detected).is_none_or(|d| target > entries[d].at)
        }
    }
}

/// Does the entry read as the milestone (marked so, or in its words)?
fn reads_as(e: &Entry, kind: StatedKind) -> bool {
    match kind {
        StatedKind::Detect => {
            e.kind == Milestone::Detected || (e.kind == Milestone::Other && says_detect(e))
        }
        StatedKind::Recover => {
            matches!(e.kind, Milestone::Mitigated | Milestone::Resolved)
                || (e.kind == Milestone::Other && (says_resolve(e) || says_mitigate(e)))
        }
    }
}

/// The recovery milestone an entry stands for: its mark, else mitigated
/// when its words say a workaround and a later entry is the fix.
fn recovery_kind(entries: &[Entry], i: usize) -> Milestone {
    let e = &entries[i];
    match e.kind {
        Milestone::Mitigated | Milestone::Resolved => e.kind,
        _ if says_mitigate(e)
            && !says_resolve(e)
            && entries[i + 1..]
                .iter()
                .any(|l| l.kind == Milestone::Resolved) =>
        {
            Milestone::Mitigated
        }
        _ => Milestone::Resolved,
    }
}

fn past_tense(kind: Milestone) -> &'static str {
    match kind {
        Milestone::Started => "Started",
        Milestone::Detected => "Detected",
        Milestone::Acknowledged => "Acknowledged",
        Milestone::Mitigated => "Mitigated",
        Milestone::Resolved => "Resolved",
        Milestone::Other => "Happened",
    }
}
