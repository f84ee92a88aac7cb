//! The names of a postmortem's sections: which headings are its summary,
//! impact, timeline, contributing causes, what went well or poorly, and
//! follow-up actions. The Markdown reader (body timelines and task-list
//! follow-ups), the lints (`missing-section`) and the importer all ask
//! here, so that a heading one of them understands, all of them do.
//!
//! Headings match leniently: case, punctuation, numbering, a plural `s`
//! and the words "incident", "the" and "our" do not matter ("2. Incident
//! Root Causes" is `root cause`). A heading is a section when it contains
//! one of the section's names as a phrase ("Detailed timeline (UTC)");
//! names that are single generic words ("actions", "fix", "causes") must
//! be the whole heading, so that "Actions taken during the incident" is
//! not the follow-up section.

/// A kind of section a postmortem has (the six elements and their usual company).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectionKind {
    Summary,
    Impact,
    Timeline,
    Causes,
    WentWell,
    WentPoorly,
    FollowUps,
    Resolution,
    Lucky,
    Lessons,
}

/// The names of each section. A name starting with `=` must be the whole
/// heading; the others may be part of it.
const NAMES: &[(SectionKind, &[&str])] = &[
    (
        SectionKind::Summary,
        &[
            "summary",
            "executive summary",
            "=overview",
            "tldr",
            "tl dr",
            "what happened",
        ],
    ),
    (
        SectionKind::Impact,
        &["impact", "=scope", "user visible impact"],
    ),
    (
        SectionKind::Timeline,
        &["timeline", "chronology", "sequence of event"],
    ),
    (
        SectionKind::Causes,
        &[
            "contributing cause",
            "contributing factor",
            "=cause",
            "root cause",
            "=factor",
            "why did it happen",
            "=trigger",
        ],
    ),
    (
        SectionKind::WentWell,
        &[
            "what went well",
            "went well",
            "what went right",
            "went right",
        ],
    ),
    (
        SectionKind::WentPoorly,
        &[
            "what went poorly",
            "went poorly",
            "went wrong",
            "didnt go well",
            "did not go well",
            "could have gone better",
            "could be improved",
            "went badly",
        ],
    ),
    (
        SectionKind::FollowUps,
        &[
            "follow up action",
            "follow up",
            "followup",
            "action item",
            "=action",
            "remediation",
            "next step",
            "corrective action",
            "preventive action",
            "=todo",
        ],
    ),
    (
        SectionKind::Resolution,
        &[
            "resolution",
            "how it was resolved",
            "=recovery",
            "=mitigation",
            "=fix",
        ],
    ),
    (
        SectionKind::Lucky,
        &["where we got lucky", "got lucky", "=lucky"],
    ),
    (
        SectionKind::Lessons,
        &[
            "lessons learned",
            "lessons learnt",
            "=lesson",
            "=learning",
            "=takeaway",
        ],
    ),
];

/// Words of a heading, lowercased, without punctuation, numbering, the
/// words "incident", "the" and "our", and a plural `s`:
/// "2. Incident Root Causes" → `root cause`.
pub fn heading_words(text: &str) -> Vec<String> {
    let cleaned: String = text
        .chars()
        .filter(|c| *c != '\'' && *c != '’')
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    let mut words: Vec<String> = cleaned
        .split_whitespace()
        .skip_while(|w| w.chars().all(|c| c.is_ascii_digit()))
        .map(|w| {
            if w.len() > 2 && w.ends_with('s') && !w.ends_with("ss") {
                w[..w.len() - 1].to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    if words.len() > 1 {
        words.retain(|w| w != "incident" && w != "the" && w != "our");
    }
    words
}

fn contains_phrase(haystack: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && haystack.windows(phrase.len()).any(|w| w == phrase)
}

/// A name of [`NAMES`] as words, and whether it must be the whole heading.
type NameWords = (bool, Vec<String>);

/// [`NAMES`] as words, split once (every heading of every body is
/// compared with them).
static NAME_WORDS: std::sync::LazyLock<Vec<(SectionKind, Vec<NameWords>)>> =
    std::sync::LazyLock::new(|| {
        NAMES
            .iter()
            .map(|(section, names)| {
                let words = names
                    .iter()
                    .map(|name| match name.strip_prefix('=') {
                        Some(whole) => (true, heading_words(whole)),
                        None => (false, heading_words(name)),
                    })
                    .collect();
                (*section, words)
            })
            .collect()
    });

/// Does a heading (as words) carry one of the names?
fn named(words: &[String], names: &[NameWords]) -> bool {
    names.iter().any(|(whole, name)| match whole {
        true => words == name.as_slice(),
        false => contains_phrase(words, name),
    })
}

/// Is this heading the given section?
pub fn is_section(heading: &str, section: SectionKind) -> bool {
    is_section_words(&heading_words(heading), section)
}

/// Is the heading a section's name and nothing more ("Timeline", "Timeline
/// of events (UTC)", "Action items")? A title may hold such a name among
/// other words ("Timeline service outage"), and is then no section.
pub fn is_only_a_section_name(heading: &str) -> bool {
    const FILLER: &[&str] = &["of", "event", "detailed", "full", "utc", "and"];
    let plain = heading.split('(').next().unwrap_or(heading);
    let words: Vec<String> = heading_words(plain)
        .into_iter()
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect();
    !words.is_empty()
        && NAME_WORDS.iter().any(|(_, names)| {
            names.iter().any(|(_, name)| {
                let name: Vec<&String> = name
                    .iter()
                    .filter(|w| !FILLER.contains(&w.as_str()))
                    .collect();
                name.len() == words.len() && name.iter().zip(&words).all(|(a, b)| *a == b)
            })
        })
}

/// [`is_section`] for a heading already cut into [`heading_words`].
pub fn is_section_words(words: &[String], section: SectionKind) -> bool {
    NAME_WORDS
        .iter()
        .filter(|(s, _)| *s == section)
        .any(|(_, names)| named(words, names))
}

/// The section a configured name (`[postmortem] sections`) stands for,
/// when it is one of the known ones.
fn section_named(name: &str) -> Option<SectionKind> {
    let words = heading_words(name);
    NAME_WORDS
        .iter()
        .find(|(_, names)| names.iter().any(|(_, n)| *n == words))
        .map(|(s, _)| *s)
}

/// Does a heading stand for a section named in `[postmortem] sections`?
/// A known section is matched by all its names ("Contributing factors" or
/// "Root cause analysis" for "Contributing causes", "What went wrong" for
/// "What went poorly", "Action items" for "Follow-up actions"); any other
/// name by containing it.
pub fn heading_matches(heading: &str, section: &str) -> bool {
    match section_named(section) {
        Some(s) => is_section(heading, s),
        None => contains_phrase(&heading_words(heading), &heading_words(section)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_match_their_sections_leniently() {
        assert!(is_section("Timeline", SectionKind::Timeline));
        assert!(is_section(
            "Detailed timeline (all times UTC)",
            SectionKind::Timeline
        ));
        assert!(is_section("2. Incident Root Causes", SectionKind::Causes));
        assert!(is_section("Contributing factors", SectionKind::Causes));
        assert!(is_section("Causes", SectionKind::Causes));
        assert!(is_section("Action items", SectionKind::FollowUps));
        assert!(is_section("Follow-up actions", SectionKind::FollowUps));
        assert!(is_section("Actions", SectionKind::FollowUps));
        assert!(is_section("What didn't go well", SectionKind::WentPoorly));
        assert!(is_section("Where we got lucky", SectionKind::Lucky));
    }

    #[test]
    fn generic_words_must_be_the_whole_heading() {
        assert!(!is_section(
            "Actions taken during the incident",
            SectionKind::FollowUps
        ));
        assert!(!is_section(
            "A quick fix that failed",
            SectionKind::Resolution
        ));
        assert!(!is_section("Because of the cause", SectionKind::Causes));
        assert!(!is_section("Summary", SectionKind::Timeline));
        assert!(is_only_a_section_name("Timeline"));
        assert!(is_only_a_section_name("Timeline of events (all times UTC)"));
        assert!(is_only_a_section_name("Action items"));
        assert!(!is_only_a_section_name("Timeline service outage"));
        assert!(!is_only_a_section_name(
            "Timeline of the 2021 storage outage"
        ));
    }

    #[test]
    fn configured_names_match_their_section_names() {
        assert!(heading_matches(
            "Root cause analysis",
            "Contributing causes"
        ));
        assert!(heading_matches("What went wrong", "What went poorly"));
        assert!(heading_matches("Remediation", "Follow-up actions"));
        assert!(heading_matches(
            "Customer communication",
            "Customer communication"
        ));
        assert!(!heading_matches("Summary", "Customer communication"));
    }
}
