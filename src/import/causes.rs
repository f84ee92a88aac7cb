//! A converted file's contributing causes: the first list under a causes
//! heading, each item made a short cause slug.

use super::blocks::{Block, Item, find_heading, section};
use super::convert::Source;
use crate::config::slug::{is_slug, slugify};
use crate::markdown::vocabulary::heading_matches;

const SLUG_FILLER: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "for", "with", "and", "was", "were", "is", "are",
    "by", "be", "been", "our", "we", "that", "which", "it", "its", "at", "as", "from", "into",
];

/// A short cause slug from a list item: its bold lead, else its first
/// clause, at most five words.
pub fn cause_slug(item_text: &str, lead: Option<&str>) -> Option<String> {
    let source = match lead {
        Some(l) if !l.trim().is_empty() => l.to_string(),
        _ => item_text
            .split([':', ';', ',', '(', '.'])
            .next()
            .unwrap_or("")
            .split(" - ")
            .next()
            .unwrap_or("")
            .to_string(),
    };
    let s = slugify(&source);
    let words: Vec<&str> = s
        .split('-')
        .filter(|w| !w.is_empty() && !SLUG_FILLER.contains(w))
        .take(5)
        .collect();
    let slug = words.join("-");
    (is_slug(&slug) && slug.len() >= 3).then_some(slug)
}

/// Causes: the first list under a causes heading.
/// `stated`: the source's front matter names its causes (then a missing
/// heading is no news).
pub(super) fn causes(src: &mut Source, stated: bool) -> Vec<String> {
    let Some(h) = find_heading(&src.blocks, src.title_block, |t| {
        heading_matches(t, "Contributing causes")
    }) else {
        if !stated {
            src.note(1, "no contributing-causes heading found");
        }
        return Vec::new();
    };
    let list = src.blocks[section(&src.blocks, h)]
        .iter()
        .find_map(|b| match b {
            Block::List { items, .. } => Some(items.clone()),
            _ => None,
        });
    match list {
        Some(items) => causes_from_list(src, &items),
        None => {
            let line = src.blocks[h].start();
            src.note(
                line,
                "no list of causes under this heading; `causes:` is left empty",
            );
            Vec::new()
        }
    }
}

/// The slugs of the first eight items, each once; those that a vocabulary
/// in book.toml does not know are noted and left out.
fn causes_from_list(src: &mut Source, items: &[Item]) -> Vec<String> {
    let mut causes: Vec<String> = Vec::new();
    let config = src.config;
    let known = &config.causes;
    for it in items.iter().take(8) {
        match cause_slug(&it.text, it.lead.as_deref()) {
            Some(s) if !known.is_empty() && !known.contains_key(&s) => {
                src.note(
                    it.start,
                    format!(
                        "cause `{s}` is not in [causes] of book.toml; it is left in the body only"
                    ),
                );
            }
            Some(s) if !causes.contains(&s) => causes.push(s),
            _ => {}
        }
    }
    causes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cause_slugs_are_short() {
        assert_eq!(
            cause_slug("Rollout of unreviewed cache settings.", None).as_deref(),
            Some("rollout-unreviewed-cache-settings")
        );
        assert_eq!(
            cause_slug(
                "Retry budget sizing: A queue consumer limit",
                Some("Retry budget sizing")
            )
            .as_deref(),
            Some("retry-budget-sizing")
        );
        assert_eq!(cause_slug("-", None), None);
    }
}
