//! A converted file's severity, summary and impact: stated in its front
//! matter, else read from its text.

use std::sync::LazyLock;

use regex::Regex;

use super::blocks::{Block, find_heading, section};
use super::convert::Source;
use super::foreign_front_matter::ForeignFrontMatter;
use super::text::shorten;
use crate::markdown::vocabulary::heading_matches;

/// Severity: written as "Sev 1" / "SEV2" somewhere, else the least severe.
pub(super) fn severity(src: &mut Source, fm: &ForeignFrontMatter) -> String {
    static SEV: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\bsev(?:erity)?[\s-]*([0-9])\b").expect("valid pattern"));
    let config = src.config;
    let severities = &config.postmortem.severities;
    let severity = fm
        .get("severity")
        .filter(|s| severities.contains(s))
        .or_else(|| {
            SEV.captures(src.body).and_then(|c| {
                let want = format!("sev{}", &c[1]);
                severities
                    .iter()
                    .find(|s| s.to_lowercase() == want)
                    .cloned()
            })
        });
    match severity {
        Some(s) => s,
        None => {
            let s = severities.last().cloned().unwrap_or_default();
            src.note(1, format!("no severity stated; `{s}` is set: review it"));
            s
        }
    }
}

/// The first paragraph of more than three words under heading `h`, or in
/// the whole body.
fn first_para_in(blocks: &[Block], h: Option<usize>) -> Option<String> {
    let range = match h {
        Some(h) => section(blocks, h),
        None => 0..blocks.len(),
    };
    blocks[range].iter().find_map(|b| match b {
        Block::Para { text, .. } if text.split_whitespace().count() > 3 => Some(text.clone()),
        _ => None,
    })
}

/// The summary: stated, else the first paragraph under a summary heading,
/// else the first in the body, else the title.
pub(super) fn summary(src: &mut Source, fm: &ForeignFrontMatter, title: &str) -> String {
    let summary_h = find_heading(&src.blocks, |t| heading_matches(t, "Summary"));
    fm.get("summary")
        .or_else(|| fm.get("description"))
        .or_else(|| first_para_in(&src.blocks, summary_h))
        .or_else(|| first_para_in(&src.blocks, None))
        .map(|s| shorten(&s, 400))
        .unwrap_or_else(|| {
            src.note(1, "no paragraph to take a summary from; the title is used");
            title.to_string()
        })
}

/// The impact: the first paragraph, or the first three items of the first
/// list, under an impact heading.
pub(super) fn impact(blocks: &[Block]) -> Option<String> {
    let h = find_heading(blocks, |t| heading_matches(t, "Impact"))?;
    let range = section(blocks, h);
    blocks[range].iter().find_map(|b| match b {
        Block::Para { text, .. } if !text.is_empty() => Some(shorten(text, 300)),
        Block::List { items, .. } if !items.is_empty() => Some(shorten(
            &items
                .iter()
                .take(3)
                .map(|i| i.text.trim_end_matches('.').to_string())
                .collect::<Vec<_>>()
                .join("; "),
            300,
        )),
        _ => None,
    })
}
