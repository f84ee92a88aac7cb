//! Which term goes into which shard. Terms are grouped by prefix ("keys"):
//! a term belongs to the longest key that is a prefix of it. Keys start as
//! the first character of every term; a key whose terms weigh more than
//! the budget is split into longer keys for its heavy branches. Keys are
//! then packed, in order, into shards of about the budget.
//!
//! The browser finds a term's shard the same way (longest key that is a
//! prefix), and the shards a prefix search needs as that one plus the
//! shards of every key that starts with the prefix.

use std::collections::BTreeMap;

/// Keys longer than this are not split further.
const MAX_KEY_CHARS: usize = 8;

/// The keys and the shard of each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Key → shard number, keys in order.
    pub keys: BTreeMap<String, usize>,
    pub shards: usize,
}

impl Plan {
    /// Plans shards for terms with their weights (estimated bytes).
    pub fn new(weights: &BTreeMap<String, u64>, budget: u64) -> Plan {
        let items: Vec<(&str, u64)> = weights
            .iter()
            .filter(|(t, _)| !t.is_empty())
            .map(|(t, w)| (t.as_str(), *w))
            .collect();
        let mut keys: Vec<String> = Vec::new();
        // Every first character is a key.
        for (c, group) in group_by_char(&items, 0) {
            split(group, c.to_string(), 1, budget, &mut keys);
        }
        keys.sort();
        keys.dedup();
        // The weight left under each key (terms whose longest key it is).
        let mut residue: BTreeMap<&str, u64> = keys.iter().map(|k| (k.as_str(), 0)).collect();
        let key_set: std::collections::BTreeSet<&str> = keys.iter().map(String::as_str).collect();
        for (t, w) in &items {
            if let Some(k) = longest_key(&key_set, t)
                && let Some(r) = residue.get_mut(k)
            {
                *r += w;
            }
        }
        let mut plan = Plan::default();
        let mut current = 0u64;
        let mut shard = 0usize;
        for (k, w) in residue {
            if current > 0 && current + w > budget {
                shard += 1;
                current = 0;
            }
            current += w;
            plan.keys.insert(k.to_string(), shard);
        }
        plan.shards = if plan.keys.is_empty() { 0 } else { shard + 1 };
        plan
    }

    /// The shard of a term (the shard of its longest key).
    pub fn shard_of(&self, term: &str) -> Option<usize> {
        let mut ends: Vec<usize> = term.char_indices().map(|(i, _)| i).skip(1).collect();
        ends.push(term.len());
        ends.iter()
            .rev()
            .find_map(|&e| self.keys.get(&term[..e]).copied())
    }
}

fn longest_key<'k>(keys: &std::collections::BTreeSet<&'k str>, term: &str) -> Option<&'k str> {
    let mut ends: Vec<usize> = term.char_indices().map(|(i, _)| i).skip(1).collect();
    ends.push(term.len());
    ends.iter()
        .rev()
        .find_map(|&e| keys.get(&term[..e]).copied())
}

/// Groups sorted items by their character at `pos` (items shorter than
/// that are left out).
fn group_by_char<'a>(items: &[(&'a str, u64)], pos: usize) -> Vec<(char, Vec<(&'a str, u64)>)> {
    let mut groups: BTreeMap<char, Vec<(&'a str, u64)>> = BTreeMap::new();
    for &(t, w) in items {
        if let Some(c) = t.chars().nth(pos) {
            groups.entry(c).or_default().push((t, w));
        }
    }
    groups.into_iter().collect()
}

fn split(
    items: Vec<(&str, u64)>,
    prefix: String,
    depth: usize,
    budget: u64,
    keys: &mut Vec<String>,
) {
    let total: u64 = items.iter().map(|(_, w)| w).sum();
    keys.push(prefix.clone());
    if total <= budget || depth >= MAX_KEY_CHARS {
        return;
    }
    for (c, group) in group_by_char(&items, depth) {
        let w: u64 = group.iter().map(|(_, w)| w).sum();
        // Light branches stay under this key; heavy ones get their own.
        if w > budget / 8 {
            split(group, format!("{prefix}{c}"), depth + 1, budget, keys);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(items: &[(&str, u64)]) -> BTreeMap<String, u64> {
        items.iter().map(|(t, w)| (t.to_string(), *w)).collect()
    }

    #[test]
    fn light_terms_share_a_shard_under_first_characters() {
        let p = Plan::new(&weights(&[("alpha", 10), ("beta", 10), ("bravo", 5)]), 100);
        assert_eq!(p.shards, 1);
        assert_eq!(p.keys.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(p.shard_of("bravo"), Some(0));
        assert_eq!(p.shard_of("zulu"), None);
    }

    #[test]
    fn heavy_prefixes_are_split_and_terms_find_their_shard() {
        let p = Plan::new(
            &weights(&[
                ("sa", 5),
                ("serv", 60),
                ("server", 60),
                ("session", 60),
                ("s", 1),
                ("t", 1),
                ("数据库", 30),
                ("数据", 30),
            ]),
            100,
        );
        assert!(p.keys.contains_key("se"), "{p:?}");
        assert!(p.keys.contains_key("s"));
        assert!(p.shards >= 3, "{p:?}");
        // Every term has a shard, and terms under one split key stay together.
        for t in [
            "sa",
            "serv",
            "server",
            "session",
            "s",
            "t",
            "数据库",
            "数据",
        ] {
            assert!(p.shard_of(t).is_some(), "{t}");
        }
        assert_eq!(p.shard_of("数据"), p.shard_of("数据库"));
        assert_ne!(p.shard_of("sa"), p.shard_of("session"));
    }
}
