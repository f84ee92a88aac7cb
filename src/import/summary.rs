//! A converted file's severity, summary and impact: stated in its front
//! matter, else read from its text.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::blocks::{Block, find_heading, section};
use super::convert::Source;
use super::foreign_front_matter::Mapped;
use super::text::shorten;
use crate::markdown::vocabulary::heading_matches;

/// Foreign severity words and the rank they are guessed to have without
/// `[import] severity-map`: 0 is the most severe, 1 the second, 2 the
/// least.
const GUESSES: &[(&str, usize)] = &[
    ("down", 0),
    ("outage", 0),
    ("major", 0),
    ("critical", 0),
    ("high", 0),
    ("disrupted", 1),
    ("partial", 1),
    ("degraded", 1),
    ("degradation", 1),
    ("medium", 1),
    ("notice", 2),
    ("minor", 2),
    ("maintenance", 2),
    ("low", 2),
    ("info", 2),
];

static SEV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bsev(?:erity)?[\s:-]*([0-9])\b").expect("valid pattern"));

/// The severity of `sevN`-style text, when book.toml names severities so.
fn sev_number(text: &str, severities: &[String]) -> Option<String> {
    let c = SEV.captures(text)?;
    let want = format!("sev{}", &c[1]);
    severities
        .iter()
        .find(|s| s.to_lowercase().replace(['-', ' '], "") == want)
        .cloned()
}

/// The severity: the front matter's, else one the body labels
/// ("**Severity:** Critical"), else a "Sev 1" mention, else the least
/// severe. A foreign word the mapping does not know is kept under
/// `extra:` (in `fm`) when it comes from the front matter; every guess is
/// noted at its line.
pub(super) fn severity(src: &mut Source, fm: &mut Mapped) -> String {
    let severities = src.config.postmortem.severities.clone();
    let least = severities.last().cloned().unwrap_or_default();
    if let Some((word, line)) = fm.severity.clone() {
        return mapped_severity(src, fm, &word, line, true);
    }
    if let Some((word, body_line)) = labelled_severity(&src.blocks) {
        let line = body_line + src.offset;
        return mapped_severity(src, fm, &word, line, false);
    }
    if let Some((s, body_line)) = severity_in_text(&src.blocks, &severities) {
        src.note(
            body_line,
            format!(
                "`{s}` is taken from a mention in this text, not a statement of the severity; check it (the severity is the front matter's `severity:`)"
            ),
        );
        return s;
    }
    src.note(
        1,
        format!("no severity stated; `{least}` is set: review it"),
    );
    least
}

/// A severity word (of the front matter, or labelled in the body at file
/// line `line`) as one of book.toml's severities.
fn mapped_severity(
    src: &mut Source,
    fm: &mut Mapped,
    word: &str,
    line: usize,
    keep: bool,
) -> String {
    let severities = src.config.postmortem.severities.clone();
    let least = severities.last().cloned().unwrap_or_default();
    if severities.iter().any(|s| s == word) {
        return word.to_string();
    }
    let lower = word.trim().to_lowercase();
    if let Some(s) = src.config.import.severity_map.get(&lower) {
        return s.clone();
    }
    if let Some(s) = sev_number(word, &severities) {
        return s;
    }
    if keep {
        fm.extra.push((
            "severity".into(),
            serde_yaml::Value::String(word.to_string()),
        ));
    }
    // "P2 - Major": a number first, then the words, each on its own.
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let number = ranked(&lower, &severities).or_else(|| {
        words
            .first()
            .filter(|_| words.len() > 1)
            .and_then(|w| ranked(w, &severities))
    });
    let guess = GUESSES
        .iter()
        .find(|(w, _)| *w == lower)
        .or_else(|| {
            GUESSES
                .iter()
                .find(|(w, _)| words.contains(w) && number.is_none())
        })
        .map(|(_, rank)| match rank {
            0 => severities.first().cloned().unwrap_or_default(),
            1 if severities.len() > 2 => severities[1].clone(),
            _ => least.clone(),
        });
    let (s, how) = match (guess, number) {
        (Some(s), _) => (s, "a guess from the word"),
        (None, Some(s)) => (s, "a guess from the number: P0 and P1 the most severe"),
        (None, None) => (least.clone(), "the least severe, as the word is not known"),
    };
    let kept = if keep {
        " and the word is kept under `extra:`"
    } else {
        ""
    };
    src.note_file(
        line,
        format!(
            "severity `{word}` is not one of [postmortem] severities; `{s}` is set ({how}){kept}: to say what it means, add `[import] severity-map = {{ {} = \"{s}\" }}` to book.toml",
            toml_key(&lower)
        ),
    );
    s
}

/// A numbered severity ("P1", "2", "level 3") as book.toml's severity of
/// that rank: P0 and P1 the most severe, the last for any higher number.
fn ranked(word: &str, severities: &[String]) -> Option<String> {
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:p|priority\s*|level\s*)?([0-9])$").expect("valid pattern")
    });
    let n: usize = NUMBER.captures(word.trim())?[1].parse().ok()?;
    let i = n.saturating_sub(1).min(severities.len().checked_sub(1)?);
    severities.get(i).cloned()
}

/// A severity the body labels at the start of a paragraph or list item:
/// "**Severity:** Critical", "Severity level - high", "Severity: SEV2".
/// The word and its line in the body.
fn labelled_severity(blocks: &[Block]) -> Option<(String, usize)> {
    static LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^\W*(?:incident\s+)?severity(?:\s+level)?\W*?\s*[:=\u2013\u2014-]\s*\W*?(?P<w>[a-z0-9][a-z0-9 -]{0,20}?)\s*(?:[*_.,;()\[\]]|$)",
        )
        .expect("valid pattern")
    });
    let read = |text: &str| LABEL.captures(text).map(|c| c["w"].trim().to_string());
    blocks.iter().find_map(|b| match b {
        Block::Para { text, start } => read(text).map(|w| (w, *start)),
        Block::List { items, .. } => items
            .iter()
            .find_map(|i| read(&i.text).map(|w| (w, i.start))),
        _ => None,
    })
}

/// A TOML key as written in an inline table: bare when it can be.
fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        k.to_string()
    } else {
        serde_json::to_string(k).unwrap_or_default()
    }
}

/// "Sev 1" / "SEV2" in the text: in a heading, paragraph or list item (not
/// in code), and not in a legend that lists several levels ("SEV1:
/// customers affected; SEV2: ...").
fn severity_in_text(blocks: &[Block], severities: &[String]) -> Option<(String, usize)> {
    let levels =
        |t: &str| -> BTreeSet<String> { SEV.captures_iter(t).map(|c| c[1].to_string()).collect() };
    for b in blocks {
        let texts: Vec<(&str, usize)> = match b {
            Block::Heading { text, line, .. } => vec![(text.as_str(), *line)],
            Block::Para { text, start } => vec![(text.as_str(), *start)],
            Block::List { items, .. } => items.iter().map(|i| (i.text.as_str(), i.start)).collect(),
            Block::Table { .. } | Block::Other { .. } => continue,
        };
        let all: BTreeSet<String> = texts.iter().flat_map(|(t, _)| levels(t)).collect();
        if all.len() == 1
            && let Some(found) = texts
                .iter()
                .find_map(|(t, line)| sev_number(t, severities).map(|s| (s, *line)))
        {
            return Some(found);
        }
    }
    None
}

/// The first paragraph of more than three words under heading `h`, or in
/// the whole body, that is not a statement of the zone; a list there is
/// the summary too, its items joined.
fn first_para_in(blocks: &[Block], h: Option<usize>, title: Option<usize>) -> Option<String> {
    let range = match h {
        Some(h) => section(blocks, h),
        None => 0..blocks.len(),
    };
    for i in range {
        if Some(i) == title {
            continue;
        }
        match &blocks[i] {
            Block::Para { text, .. }
                if text.split_whitespace().count() > 3 && !is_zone_note(text) =>
            {
                return Some(text.clone());
            }
            Block::List { items, .. } if h.is_some() && !items.is_empty() => {
                return Some(joined(items.iter().map(|i| i.text.as_str())));
            }
            Block::Heading { .. } if h.is_none() => {}
            _ => {}
        }
    }
    None
}

/// A short paragraph that states the timeline's zone ("All times in
/// UTC.") or is a day of it ("Day 3 (March 21)"): no summary.
fn is_zone_note(text: &str) -> bool {
    // Any year will do to tell a day line from a sentence.
    let any_year = super::times::DateContext {
        year: Some(2000),
        ..Default::default()
    };
    let day = || super::times::day_marker(text, &any_year, true).is_some();
    text.split_whitespace().count() <= 12 && (super::zones::zone_stated_in(text).is_some() || day())
}

/// List items as one text: "a; b; c".
fn joined<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|t| t.trim().trim_end_matches(['.', ';']).to_string())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A paragraph that says it is the summary: `**Summary**: text`,
/// `Summary: text`, `TL;DR: text`.
fn labelled_summary(blocks: &[Block]) -> Option<String> {
    static LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*(?:executive\s+)?(?:summary|tl;?\s?dr)\s*[:.–—-]\s*(?P<rest>\S.*)$")
            .expect("valid pattern")
    });
    blocks.iter().find_map(|b| match b {
        Block::Para { text, .. } => LABEL
            .captures(text)
            .map(|c| c["rest"].trim().to_string())
            .filter(|t| t.split_whitespace().count() > 3),
        _ => None,
    })
}

/// The summary: stated, else a paragraph labelled "Summary:", else the
/// first paragraph (or list) under a summary heading, else the first
/// paragraph in the body, else the title.
pub(super) fn summary(src: &mut Source, fm: &Mapped, title: &str) -> String {
    let summary_h = find_heading(&src.blocks, src.title_block, |t| {
        heading_matches(t, "Summary")
    });
    fm.summary
        .clone()
        .or_else(|| labelled_summary(&src.blocks))
        .or_else(|| summary_h.and_then(|h| first_para_in(&src.blocks, Some(h), src.title_block)))
        .or_else(|| first_para_in(&src.blocks, None, src.title_block))
        .map(|s| shorten(&s, 400))
        .unwrap_or_else(|| {
            src.note(1, "no paragraph to take a summary from; the title is used");
            title.to_string()
        })
}

/// The impact: the first paragraph, or the first three items of the first
/// list, under an impact heading.
pub(super) fn impact(blocks: &[Block], title: Option<usize>) -> Option<String> {
    let h = find_heading(blocks, title, |t| heading_matches(t, "Impact"))?;
    let range = section(blocks, h);
    blocks[range].iter().find_map(|b| match b {
        Block::Para { text, .. } if !text.is_empty() => Some(shorten(text, 300)),
        Block::List { items, .. } if !items.is_empty() => Some(shorten(
            &joined(items.iter().take(3).map(|i| i.text.as_str())),
            300,
        )),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::blocks;

    #[test]
    fn severities_in_text_skip_code_and_legends() {
        let sev: Vec<String> = ["SEV1", "SEV2", "SEV3"].map(String::from).to_vec();
        let (b, _) = blocks::parse(
            "```\nlevel=sev1\n```\n\n- SEV1: everyone down\n- SEV2: some down\n\nThis was a SEV2 incident.\n",
        );
        assert_eq!(severity_in_text(&b, &sev), Some(("SEV2".to_string(), 8)));
        let (b, _) = blocks::parse("```\nsev1\n```\n\nSeverity levels: SEV1 all, SEV3 one.\n");
        assert_eq!(severity_in_text(&b, &sev), None);
    }

    #[test]
    fn numbered_severities_by_rank() {
        let sev: Vec<String> = ["SEV1", "SEV2", "SEV3"].map(String::from).to_vec();
        assert_eq!(ranked("P0", &sev).as_deref(), Some("SEV1"));
        assert_eq!(ranked("p1", &sev).as_deref(), Some("SEV1"));
        assert_eq!(ranked("2", &sev).as_deref(), Some("SEV2"));
        assert_eq!(ranked("Level 7", &sev).as_deref(), Some("SEV3"));
        assert_eq!(ranked("P1-ish", &sev), None);
    }

    #[test]
    fn a_labelled_number_with_words() {
        let (b, _) = blocks::parse("# T\n\nSeverity: P2 - Major\n\nBody words here.\n");
        assert_eq!(labelled_severity(&b), Some(("P2 - Major".to_string(), 3)));
    }

    #[test]
    fn a_zone_statement_is_no_summary() {
        let (b, _) = blocks::parse(
            "# T\n\nAll times in UTC unless noted.\n\n**Day 3 (March 21)**\n\nThe cache layer dropped every session at noon.\n",
        );
        assert_eq!(
            first_para_in(&b, None, Some(0)).as_deref(),
            Some("The cache layer dropped every session at noon.")
        );
    }

    #[test]
    fn summaries_as_written() {
        let (b, _) = blocks::parse(
            "# T\n\n## Summary\n\n- The API went down for all users.\n- Payments failed.\n\n## Impact\n\nx\n",
        );
        assert_eq!(
            first_para_in(&b, Some(1), Some(0)).as_deref(),
            Some("The API went down for all users; Payments failed")
        );
        let (b, _) = blocks::parse(
            "# T\n\nIntro words here.\n\n**Summary**: the database ran out of disk space.\n",
        );
        assert_eq!(
            labelled_summary(&b).as_deref(),
            Some("the database ran out of disk space.")
        );
    }
}
