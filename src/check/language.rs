//! Blameless language: `passive-voice` and `blame-language`, in the
//! sections about causes and what went poorly.
//!
//! Blamelessness is not the passive voice. "A script was run which deleted
//! half the production cluster" blames nobody, and tells the reader that
//! someone would be blamed if we said who. "I ran scale.sh, which deleted
//! half the production cluster" says who did what, and lets the analysis
//! move on to why it was possible. So an agentless passive (a be-verb and
//! a past participle with no "by …" after it) is flagged; a sentence that
//! names who acted is not. Words that judge people ("careless", "should
//! have known", "Alex's fault") are flagged too: they end the analysis
//! where it should start, at the conditions that made the mistake likely.
//!
//! Kept to few false positives: only past forms (`was`, `were`, `been`,
//! `got`), not present-tense descriptions of how a system works; state
//! adjectives ending in -ed ("was degraded", "were affected") and `un-`
//! adjectives ("was unexpected") are not participles here; a personal
//! pronoun as the subject ("I was paged") is not hiding an agent.

use std::sync::LazyLock;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, parse_document};
use regex::Regex;

use crate::diagnostics::{Code, Diagnostic, Pos};
use crate::markdown::Columns;
use crate::markdown::vocabulary::{SectionKind, is_section};
use crate::model::site::Incident;

/// Past-tense and perfect auxiliaries of the passive.
const BE: &[&str] = &["was", "were", "been", "got", "gotten"];

/// Adverbs that may stand between the auxiliary and the participle, besides
/// any word ending in -ly.
const ADVERBS: &[&str] = &[
    "then",
    "also",
    "later",
    "just",
    "again",
    "already",
    "never",
    "not",
    "being",
    "still",
    "once",
    "soon",
    "first",
    "all",
    "only",
    "always",
    "usually",
    "often",
    "sometimes",
];

/// Negations: an action that did not happen names nobody to blame (the
/// absence is the finding: "restores were never tested").
const NEGATIONS: &[&str] = &["not", "never"];

/// What may follow a participle in a passive: the end of the clause, a
/// preposition, a conjunction, an adverb. Another word is the noun an
/// adjective describes ("were fixed intervals").
const AFTER_PARTICIPLE: &[&str] = &[
    ".",
    "to",
    "in",
    "on",
    "at",
    "for",
    "from",
    "into",
    "onto",
    "with",
    "without",
    "by",
    "and",
    "or",
    "but",
    "which",
    "that",
    "who",
    "so",
    "because",
    "after",
    "before",
    "while",
    "when",
    "during",
    "until",
    "again",
    "twice",
    "once",
    "back",
    "up",
    "down",
    "out",
    "off",
    "over",
    "through",
    "as",
    "of",
    "than",
    "then",
    "instead",
    "every",
    "each",
    "within",
    "across",
    "via",
    "per",
    "since",
    "only",
    "still",
    "yet",
    "last",
    "yesterday",
    "today",
    "too",
    "here",
    "there",
    "early",
    "late",
    "away",
    "around",
    "first",
    "anyway",
    "between",
    "under",
    "behind",
];

/// Common irregular past participles.
const IRREGULAR: &[&str] = &[
    "run",
    "rerun",
    "done",
    "redone",
    "undone",
    "made",
    "taken",
    "given",
    "sent",
    "set",
    "reset",
    "put",
    "cut",
    "shut",
    "built",
    "rebuilt",
    "brought",
    "written",
    "rewritten",
    "overwritten",
    "broken",
    "chosen",
    "forgotten",
    "hidden",
    "left",
    "lost",
    "kept",
    "held",
    "found",
    "shown",
    "told",
    "begun",
    "drawn",
    "driven",
    "thrown",
    "split",
    "spun",
    "struck",
    "torn",
    "dealt",
    "hit",
    "shed",
    "bound",
    "overridden",
    "mistaken",
    "withdrawn",
    "rolled",
    "sold",
    "bought",
    "paid",
    "fed",
    "led",
    "read",
    "meant",
    "sent",
    "spent",
    "lent",
    "upheld",
    "overlooked",
];

/// Words ending in -ed that describe a state, not an action someone did.
const STATE_ADJECTIVES: &[&str] = &[
    "affected",
    "degraded",
    "overloaded",
    "saturated",
    "exhausted",
    "throttled",
    "delayed",
    "limited",
    "expected",
    "supposed",
    "required",
    "needed",
    "related",
    "involved",
    "based",
    "located",
    "designed",
    "intended",
    "configured",
    "misconfigured",
    "concerned",
    "interested",
    "tired",
    "worried",
    "surprised",
    "confused",
    "overwhelmed",
    "distracted",
    "blocked",
    "stuck",
    "allowed",
    "permitted",
    "used",
    "unused",
    "named",
    "called",
    "considered",
    "scheduled",
    "tied",
    "coupled",
    "backed",
    "pinned",
    "capped",
    "bounded",
    "deprecated",
    "outdated",
    "exposed",
    "connected",
    "disconnected",
    "isolated",
    "shared",
    "dedicated",
    "partitioned",
    "sized",
    "undersized",
    "oversized",
    "loaded",
    "aware",
    "able",
    "broken",
];

/// `un-` words that are verbs after all.
const UN_VERBS: &[&str] = &[
    "unplugged",
    "uninstalled",
    "unmounted",
    "unpinned",
    "unlocked",
    "unregistered",
    "unset",
    "undone",
    "unpublished",
    "unmerged",
    "unassigned",
];

/// Subjects that name who it happened to.
const PERSONAL: &[&str] = &["i", "we", "you", "he", "she", "they"];

/// What may follow `by` without being an agent.
const NOT_AGENTS: &[&str] = &[
    "then",
    "default",
    "design",
    "hand",
    "mistake",
    "accident",
    "now",
    "far",
    "itself",
    "themselves",
    "chance",
    "about",
    "around",
    "up",
    "some",
    "much",
    "more",
    "less",
    "at",
    "over",
    "roughly",
    "nearly",
    "almost",
    "midnight",
    "noon",
    "morning",
    "evening",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "end",
];

static BLAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        \b(?:
            careless(?:ly|ness)? | negligen(?:t|ce|tly) | should(?:\s+have|'ve)\s+known
          | failed\s+to\s+notice | lazy | laziness | sloppy | sloppily | incompeten(?:t|ce)
          | stupid(?:ity)? | blam(?:e|ed|es|ing)
          | (?:\w+['’]s|his|her|their|your|my|our)\s+fault
        )\b
        (?:[\s-]+(?:tolerance|tolerant|detection|domain|injection|handler|handling|code|line|zone|isolation))?",
    )
    .expect("valid pattern")
});

/// A run of prose (a paragraph) with where each character came from.
struct Prose {
    text: String,
    /// For each char of `text`: (line, column) in the section slice.
    at: Vec<(usize, usize)>,
}

impl Prose {
    fn push(&mut self, s: &str, line: usize, column: usize) {
        for (col, ch) in (column..).zip(s.chars()) {
            self.text.push(ch);
            self.at.push((line, col));
        }
    }
}

/// Collects the text of a paragraph (inline code becomes a word);
/// `columns` turns comrak's byte columns into character columns.
fn prose<'a>(node: &'a AstNode<'a>, columns: &Columns<'_>, out: &mut Prose) {
    for child in node.children() {
        let (value, sp) = {
            let d = child.data();
            (d.value.clone(), d.sourcepos)
        };
        match value {
            NodeValue::Text(t) => {
                let column = columns.char_column(sp.start.line, sp.start.column);
                out.push(&t, sp.start.line, column);
            }
            NodeValue::Code(c) => {
                let word: String = c.literal.chars().filter(|c| !c.is_whitespace()).collect();
                let column = columns.char_column(sp.start.line, sp.start.column);
                out.push(
                    if word.is_empty() { "x" } else { &word },
                    sp.start.line,
                    column,
                );
            }
            NodeValue::SoftBreak | NodeValue::LineBreak => {
                let (l, c) = out.at.last().copied().unwrap_or((sp.start.line, 1));
                out.push(" ", l, c + 1);
            }
            _ => prose(child, columns, out),
        }
    }
}

/// Every paragraph outside block quotes, code and tables.
fn paragraphs<'a>(node: &'a AstNode<'a>, columns: &Columns<'_>, out: &mut Vec<Prose>) {
    for child in node.children() {
        let value = child.data().value.clone();
        match value {
            NodeValue::Paragraph => {
                let mut p = Prose {
                    text: String::new(),
                    at: Vec::new(),
                };
                prose(child, columns, &mut p);
                out.push(p);
            }
            NodeValue::BlockQuote | NodeValue::Table(_) | NodeValue::CodeBlock(_) => {}
            _ => paragraphs(child, columns, out),
        }
    }
}

/// A finding: the code, what was found, its position in the slice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub phrase: String,
    pub line: usize,
    pub column: usize,
}

/// The words of a text with their char offsets.
fn words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut word = String::new();
    for (i, ch) in text.chars().enumerate() {
        if ch.is_alphanumeric() || ch == '\'' || ch == '’' || ch == '-' || ch == '_' {
            if start.is_none() {
                start = Some(i);
            }
            word.push(ch);
        } else {
            if let Some(s) = start.take() {
                out.push((s, std::mem::take(&mut word)));
            }
            if matches!(ch, '.' | '!' | '?' | ';' | ':') {
                out.push((i, ".".into()));
            }
        }
    }
    if let Some(s) = start {
        out.push((s, word));
    }
    out
}

fn is_participle(w: &str) -> bool {
    if STATE_ADJECTIVES.contains(&w) {
        return false;
    }
    if w.starts_with("un") && !UN_VERBS.contains(&w) {
        return false;
    }
    IRREGULAR.contains(&w) || (w.len() >= 4 && w.ends_with("ed") && !w.ends_with("eed"))
}

/// Times that follow "by the": "by the time", "by the end".
const BY_THE_TIMES: &[&str] = &[
    "time",
    "end",
    "way",
    "hour",
    "minute",
    "day",
    "morning",
    "afternoon",
    "evening",
    "weekend",
    "next",
    "same",
];

/// Does a clause name an agent: "by" and a word that names one?
fn has_agent(rest: &[&str]) -> bool {
    rest.windows(2).enumerate().any(|(k, pair)| {
        if pair[0] != "by" {
            return false;
        }
        let next = pair[1];
        if matches!(next, "the" | "a" | "an") {
            return rest.get(k + 2).is_some_and(|w| !BY_THE_TIMES.contains(w));
        }
        !NOT_AGENTS.contains(&next) && !next.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The agentless passives of a text: (char offset, phrase).
fn passives(text: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let ws: Vec<(usize, String)> = words(text)
        .into_iter()
        .map(|(i, w)| (i, w.to_lowercase()))
        .collect();
    let mut out = Vec::new();
    for (k, (at, w)) in ws.iter().enumerate() {
        if !BE.contains(&w.as_str()) {
            continue;
        }
        if k > 0 && PERSONAL.contains(&ws[k - 1].1.as_str()) {
            continue;
        }
        // "would have been stopped": what did not happen.
        if w == "been"
            && k >= 2
            && ws[k - 1].1 == "have"
            && matches!(ws[k - 2].1.as_str(), "would" | "could" | "might" | "should")
        {
            continue;
        }
        let mut j = k + 1;
        while j < ws.len()
            && j <= k + 3
            && (ADVERBS.contains(&ws[j].1.as_str()) || ws[j].1.ends_with("ly"))
        {
            j += 1;
        }
        let Some((p_at, p)) = ws.get(j) else { continue };
        // A quoted word ("was \"done\" twice") is a mention, not a passive.
        if p_at
            .checked_sub(1)
            .and_then(|i| chars.get(i))
            .is_some_and(|c| matches!(c, '"' | '“' | '\'' | '‘'))
        {
            continue;
        }
        if !is_participle(p)
            || ws[k + 1..j]
                .iter()
                .any(|(_, x)| NEGATIONS.contains(&x.as_str()))
        {
            continue;
        }
        let after = ws.get(j + 1).map_or(".", |(_, x)| x.as_str());
        if !AFTER_PARTICIPLE.contains(&after) && !after.ends_with("ly") {
            continue;
        }
        let rest: Vec<&str> = ws[j + 1..]
            .iter()
            .map(|(_, x)| x.as_str())
            .take_while(|x| *x != ".")
            .collect();
        if has_agent(&rest) {
            continue;
        }
        out.push((*at, format!("{w} {p}")));
    }
    out
}

/// The findings in a Markdown text (a section of a body).
pub fn findings(text: &str) -> Vec<Finding> {
    if crate::markdown::too_deep(text).is_some() {
        // An error already (the body is not rendered): no lints.
        return Vec::new();
    }
    let arena = Arena::new();
    let options = super::lint::body_options();
    // Byte columns, converted for the text kept (comrak's conversion is
    // quadratic on long lines; see `markdown::Columns`).
    let columns = Columns::new(text);
    let root = parse_document(&arena, text, &options);
    let mut paras = Vec::new();
    paragraphs(root, &columns, &mut paras);
    let mut out = Vec::new();
    for p in &paras {
        let place = |offset: usize| p.at.get(offset).copied().unwrap_or((1, 1));
        for (offset, phrase) in passives(&p.text) {
            let (line, column) = place(offset);
            out.push(Finding {
                code: Code::PassiveVoice,
                phrase,
                line,
                column,
            });
        }
        // Matches come in order: their char offsets by a running count.
        let (mut byte, mut chars) = (0, 0);
        for m in BLAME.find_iter(&p.text) {
            // Fault tolerance and the like are not blame.
            let s = m.as_str().to_lowercase();
            if s.contains("fault") && s.split_whitespace().count() > 2 {
                continue;
            }
            chars += p.text[byte..m.start()].chars().count();
            byte = m.start();
            let (line, column) = place(chars);
            out.push(Finding {
                code: Code::BlameLanguage,
                phrase: m.as_str().to_string(),
                line,
                column,
            });
        }
    }
    out
}

/// The body lines (first, last) of each causes or what-went-poorly section.
fn sections(inc: &Incident, body_lines: usize) -> Vec<(usize, usize)> {
    let hs = &inc.body.headings;
    let mut out = Vec::new();
    for (k, h) in hs.iter().enumerate() {
        if !(is_section(&h.text, SectionKind::Causes)
            || is_section(&h.text, SectionKind::WentPoorly))
        {
            continue;
        }
        let end = hs[k + 1..]
            .iter()
            .find(|x| x.level <= h.level)
            .map_or(body_lines, |x| x.line.saturating_sub(1));
        // A sub-section of one already taken is in it.
        if out.last().is_some_and(|&(_, e)| e >= h.line) {
            continue;
        }
        out.push((h.line + 1, end));
    }
    out
}

fn message(f: &Finding) -> Diagnostic {
    match f.code {
        Code::PassiveVoice => Diagnostic::warning(
            Code::PassiveVoice,
            format!("\"{}\" does not say who did it: the passive voice reads as if someone would be blamed if we knew who", f.phrase),
        )
        .with_hint("say who did what (\"I ran scale.sh, which deleted half the cluster\"): naming people is fine; then move the analysis on to why it was possible and what made it likely"),
        _ => Diagnostic::warning(
            Code::BlameLanguage,
            format!("\"{}\" judges a person: blame ends the analysis where it should start", f.phrase),
        )
        .with_hint("describe the conditions instead: what the tools, defaults, alerts, documentation or time pressure made easy or hard"),
    }
}

/// The blameless-language findings of one incident, at their place in
/// the file.
pub fn lint_language(inc: &Incident) -> Vec<Diagnostic> {
    let pm = &inc.pm;
    let body = pm.source.body_text();
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let mut out = Vec::new();
    for (first, last) in sections(inc, lines.len()) {
        if first > last || first > lines.len() {
            continue;
        }
        let slice: String = lines[first - 1..last.min(lines.len())].concat();
        for f in findings(&slice) {
            let d = message(&f);
            out.push(
                pm.source
                    .diagnostic_in_body(d, Pos::new(f.line + first - 1, f.column)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases(text: &str) -> Vec<(Code, String, usize, usize)> {
        findings(text)
            .into_iter()
            .map(|f| (f.code, f.phrase, f.line, f.column))
            .collect()
    }

    #[test]
    fn agentless_passives_are_found_where_they_are() {
        assert_eq!(
            phrases("A script was run which deleted half the production cluster.\n"),
            [(Code::PassiveVoice, "was run".into(), 1, 10)]
        );
        assert_eq!(
            phrases("Then the config\nwas changed, and the workers were restarted.\n"),
            [
                (Code::PassiveVoice, "was changed".into(), 2, 1),
                (Code::PassiveVoice, "were restarted".into(), 2, 30),
            ]
        );
        assert_eq!(
            phrases("- The build was accidentally deployed to production.\n"),
            [(Code::PassiveVoice, "was deployed".into(), 1, 13)]
        );
        assert_eq!(
            phrases("The flag had been `set` to 100.\n"),
            [(Code::PassiveVoice, "been set".into(), 1, 14)]
        );
    }

    #[test]
    fn agents_and_states_are_not_flagged() {
        for ok in [
            "I ran scale.sh, which deleted half the production cluster.",
            "Alex restarted the workers.",
            "The config was changed by the deploy bot at 09:02.",
            "The workers were restarted by Julie.",
            "The API was down and the queue was unavailable.",
            "Users were affected for 17 minutes; the database was degraded.",
            "The failure was unexpected and the runbook was outdated.",
            "I was paged at 09:09 and we were told to wait.",
            "The pool was exhausted and requests were stuck.",
            "The service was supposed to retry.",
            "Syncs were fixed intervals from app start.",
            "The change was not announced and restores were never tested.",
            "A canary would have been stopped at 5 %.",
            "Logins were still broken.",
            "Latency rose by 40% and errors were reduced by half.",
        ] {
            assert_eq!(phrases(ok), [], "{ok}");
        }
        // By and a non-agent is still agentless.
        assert_eq!(
            phrases("The value was changed by hand.")[0].1,
            "was changed"
        );
        // Code and quotes are not prose.
        assert_eq!(
            phrases("```\nit was deleted\n```\n\n> it was deleted\n"),
            []
        );
    }

    #[test]
    fn blaming_words_are_found_with_word_boundaries() {
        let got = phrases(
            "Alex carelessly ran it; he should have known. It was Alex's fault.\nThe on-call failed to notice the alert. Sloppy work.\n",
        );
        let words: Vec<(&str, usize, usize)> = got
            .iter()
            .filter(|f| f.0 == Code::BlameLanguage)
            .map(|f| (f.1.as_str(), f.2, f.3))
            .collect();
        assert_eq!(
            words,
            [
                ("carelessly", 1, 6),
                ("should have known", 1, 28),
                ("Alex's fault", 1, 54),
                ("failed to notice", 2, 13),
                ("Sloppy", 2, 41),
            ]
        );
        for ok in [
            "A blameless review; fault tolerance of the disk's fault domain.",
            "The page fault rate rose. Blameless postmortems work.",
            "The cluster's fault detection was slow.",
        ] {
            assert!(
                phrases(ok).iter().all(|f| f.0 != Code::BlameLanguage),
                "{ok}: {:?}",
                phrases(ok)
            );
        }
    }
}
