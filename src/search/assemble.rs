//! From postings to term shards.
//!
//! The shards are cut out of elasticlunr-rs indexes. Building one index per
//! shard would repeat the per-document bookkeeping of elasticlunr-rs (every
//! incident has some term in almost every shard), so the shards are taken
//! in a few groups of neighbouring shards: one elasticlunr-rs index per
//! group (built in parallel), serialized once, and each shard of the group
//! copied out of that JSON as whole subtrees of the index's trie: the
//! subtree of each of its keys, without the branches that are keys of
//! their own, under a path of empty nodes from the root. The browser merges
//! the shards it fetches back into one trie.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use elasticlunr::pipeline::Pipeline;
use elasticlunr::{IndexBuilder, Language};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;

use super::FIELDS;
use super::shards::Plan;

/// One posting: incident, field, term, occurrences.
pub type Posting<'t> = (usize, usize, &'t str, u32);

/// Groups of shards per thread: enough to keep the threads busy.
const GROUPS_PER_THREAD: usize = 3;

/// Builds every shard file. `by_shard` holds each shard's postings (in
/// incident order), `words` each shard's word map (may be empty).
pub fn shard_files(
    plan: &Plan,
    by_shard: &[Vec<Posting<'_>>],
    words: &[BTreeMap<&str, &str>],
) -> Vec<Vec<u8>> {
    // Contiguous ranges of shards of about equal size.
    let total: usize = by_shard.iter().map(Vec::len).sum();
    let groups = (rayon::current_num_threads() * GROUPS_PER_THREAD).clamp(1, plan.shards.max(1));
    let per_group = total.div_ceil(groups).max(1);
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut acc = 0;
    for (s, p) in by_shard.iter().enumerate() {
        acc += p.len();
        if acc >= per_group {
            ranges.push(start..s + 1);
            start = s + 1;
            acc = 0;
        }
    }
    if start < by_shard.len() {
        ranges.push(start..by_shard.len());
    }
    // Keys of each shard.
    let mut shard_keys: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); plan.shards];
    for (k, &s) in &plan.keys {
        shard_keys[s].insert(k.as_str());
    }
    let built: Vec<Vec<(usize, Vec<u8>)>> = ranges
        .into_par_iter()
        .map(|range| {
            let mut postings: Vec<Posting<'_>> =
                by_shard[range.clone()].iter().flatten().copied().collect();
            postings.sort_by_key(|p| p.0);
            let json = group_index_json(&postings);
            drop(postings);
            let tries = field_roots(&json);
            let mut nodes: Vec<Nodes> = FIELDS
                .iter()
                .map(|_| Nodes {
                    cache: HashMap::new(),
                })
                .collect();
            range
                .map(|s| {
                    let bytes =
                        shard_json(&tries, &mut nodes, &plan.keys, &shard_keys[s], &words[s]);
                    (s, bytes)
                })
                .collect()
        })
        .collect();
    let mut files = vec![Vec::new(); plan.shards];
    for (s, bytes) in built.into_iter().flatten() {
        files[s] = bytes;
    }
    files
}

/// Terms arrive already analyzed; the index only splits them apart.
struct PreAnalyzed;

/// Separates the terms of a field handed to elasticlunr-rs.
const SEP: char = '\u{1f}';

impl Language for PreAnalyzed {
    fn name(&self) -> String {
        "PreAnalyzed".into()
    }
    fn code(&self) -> String {
        "pre".into()
    }
    fn tokenize(&self, text: &str) -> Vec<String> {
        text.split(SEP)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
    fn make_pipeline(&self) -> Pipeline {
        Pipeline { queue: Vec::new() }
    }
}

/// The elasticlunr-rs index of some postings (sorted by incident), as JSON
/// with term frequencies rounded.
fn group_index_json(postings: &[Posting<'_>]) -> Vec<u8> {
    let mut index = IndexBuilder::with_language(Box::new(PreAnalyzed))
        .save_docs(false)
        .add_fields(FIELDS)
        .build();
    let mut i = 0;
    while i < postings.len() {
        let doc = postings[i].0;
        let mut fields: [String; 7] = Default::default();
        while i < postings.len() && postings[i].0 == doc {
            let (_, f, t, n) = postings[i];
            for _ in 0..n {
                fields[f].push_str(t);
                fields[f].push(SEP);
            }
            i += 1;
        }
        index.add_doc(&doc.to_string(), &fields);
    }
    let mut buf = Vec::with_capacity(postings.len() * 24 + 1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, RoundingFormatter);
    if index.serialize(&mut ser).is_err() {
        buf.clear();
    }
    buf
}

/// Writes numbers with three decimals at most: term frequencies are square
/// roots, and three decimals are plenty for ranking while making the
/// shards much smaller. (The index has no other fractional numbers.)
struct RoundingFormatter;

impl serde_json::ser::Formatter for RoundingFormatter {
    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        let r = (value * 1000.0).round() / 1000.0;
        if !r.is_finite() {
            w.write_all(b"0")
        } else if r.fract() == 0.0 && r.abs() < 1e15 {
            write!(w, "{}", r as i64)
        } else {
            write!(w, "{r}")
        }
    }
}

/// The trie root of each field of a serialized index.
fn field_roots(json: &[u8]) -> Vec<Option<&RawValue>> {
    #[derive(serde::Deserialize)]
    struct Parts<'a> {
        #[serde(borrow)]
        index: BTreeMap<String, FieldIndex<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct FieldIndex<'a> {
        #[serde(borrow)]
        root: &'a RawValue,
    }
    let parts: Option<Parts> = serde_json::from_slice(json).ok();
    FIELDS
        .iter()
        .map(|f| parts.as_ref().and_then(|p| p.index.get(*f)).map(|x| x.root))
        .collect()
}

/// A trie node: its members (`docs`, `df`, one per next character), as
/// unparsed JSON.
type Node<'a> = Rc<BTreeMap<String, &'a RawValue>>;

/// Parses trie nodes once each.
struct Nodes<'a> {
    cache: HashMap<String, Node<'a>>,
}

impl<'a> Nodes<'a> {
    fn get(&mut self, prefix: &str, raw: &'a RawValue) -> Node<'a> {
        if let Some(n) = self.cache.get(prefix) {
            return n.clone();
        }
        let n: Node<'a> = Rc::new(serde_json::from_str(raw.get()).unwrap_or_default());
        self.cache.insert(prefix.to_string(), n.clone());
        n
    }
}

/// One shard: `{"index":{field:{"root":trie}},"words":{...}}`.
fn shard_json<'a>(
    roots: &[Option<&'a RawValue>],
    nodes: &mut [Nodes<'a>],
    all_keys: &BTreeMap<String, usize>,
    keys: &BTreeSet<&str>,
    words: &BTreeMap<&str, &str>,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"index\":{");
    for (i, ((field, root), nodes)) in FIELDS.iter().zip(roots).zip(nodes).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(&mut out, field);
        out.extend_from_slice(b":{\"root\":");
        match root {
            Some(raw) => emit(&mut out, nodes, raw, "", all_keys, keys),
            None => out.extend_from_slice(EMPTY),
        }
        out.push(b'}');
    }
    out.push(b'}');
    if !words.is_empty() {
        out.extend_from_slice(b",\"words\":");
        if serde_json::to_writer(&mut out, words).is_err() {
            out.extend_from_slice(b"{}");
        }
    }
    out.push(b'}');
    out
}

const EMPTY: &[u8] = b"{\"docs\":{},\"df\":0}";

fn write_str(out: &mut Vec<u8>, s: &str) {
    if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

/// Writes the node at `prefix`: its own documents and the branches that
/// belong to it when `prefix` is a key of this shard; else an empty node
/// on the way to such keys.
fn emit<'a>(
    out: &mut Vec<u8>,
    nodes: &mut Nodes<'a>,
    raw: &'a RawValue,
    prefix: &str,
    all_keys: &BTreeMap<String, usize>,
    keys: &BTreeSet<&str>,
) {
    let node = nodes.get(prefix, raw);
    let owned = !prefix.is_empty() && keys.contains(prefix);
    out.push(b'{');
    match (owned, node.get("docs"), node.get("df")) {
        (true, Some(docs), Some(df)) => {
            out.extend_from_slice(b"\"docs\":");
            out.extend_from_slice(docs.get().as_bytes());
            out.extend_from_slice(b",\"df\":");
            out.extend_from_slice(df.get().as_bytes());
        }
        _ => out.extend_from_slice(b"\"docs\":{},\"df\":0"),
    }
    for (c, child) in node.iter() {
        if c == "docs" || c == "df" {
            continue;
        }
        let p = format!("{prefix}{c}");
        let is_key = all_keys.contains_key(&p);
        if owned && !is_key {
            // Part of this key's terms: copied as elasticlunr-rs wrote it.
            out.push(b',');
            write_str(out, c);
            out.push(b':');
            out.extend_from_slice(child.get().as_bytes());
        } else if keys
            .range(p.as_str()..)
            .next()
            .is_some_and(|k| k.starts_with(&p))
        {
            out.push(b',');
            write_str(out, c);
            out.push(b':');
            emit(out, nodes, child, &p, all_keys, keys);
        }
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::Analyzer;
    use serde_json::Value;

    /// What the browser does with the shards it fetches (search.js).
    fn merge(dst: &mut Value, src: &Value) {
        let (Some(d), Some(s)) = (dst.as_object_mut(), src.as_object()) else {
            return;
        };
        for (k, v) in s {
            match k.as_str() {
                "docs" => {
                    let docs = d.entry("docs").or_insert_with(|| serde_json::json!({}));
                    for (r, tf) in v.as_object().into_iter().flatten() {
                        docs[r.as_str()] = tf.clone();
                    }
                }
                "df" => {
                    let sum =
                        d.get("df").and_then(Value::as_i64).unwrap_or(0) + v.as_i64().unwrap_or(0);
                    d.insert("df".into(), sum.into());
                }
                _ => match d.get_mut(k) {
                    Some(x) => merge(x, v),
                    None => {
                        d.insert(k.clone(), v.clone());
                    }
                },
            }
        }
    }

    fn round(v: &mut Value) {
        if let Value::Object(m) = v {
            for (k, x) in m.iter_mut() {
                if k == "tf" {
                    let r = (x.as_f64().unwrap_or(0.0) * 1000.0).round() / 1000.0;
                    *x = serde_json::json!(r);
                } else {
                    round(x);
                }
            }
        }
    }

    #[test]
    fn shards_merge_back_into_the_elasticlunr_rs_index() {
        let texts = [
            "The server was slow; servers restarted twice",
            "Sessions and servers: a session expired",
            "Serving stale data from the cache, then serving errors",
            "DNS: the resolver served a stale record",
            "Séance réseau 数据库 server",
        ];
        // The reference: elasticlunr-rs indexing the texts itself.
        let mut reference =
            elasticlunr::Index::with_language(Box::new(elasticlunr::lang::English::new()), FIELDS);
        for (i, t) in texts.iter().enumerate() {
            let mut fields = vec![""; FIELDS.len()];
            fields[0] = t;
            fields[6] = t;
            reference.add_doc(&i.to_string(), fields);
        }
        let mut want = serde_json::to_value(&reference).unwrap()["index"].take();
        round(&mut want);

        // The same texts through analysis, a plan with tiny shards, and
        // the shard files.
        let a = Analyzer::new("en");
        let counts: Vec<BTreeMap<String, u32>> = texts.iter().map(|t| a.count_terms(t).0).collect();
        let mut weights = BTreeMap::new();
        for m in &counts {
            for t in m.keys() {
                *weights.entry(t.clone()).or_insert(0) += 30;
            }
        }
        let plan = Plan::new(&weights, 60);
        assert!(plan.shards > 3, "{plan:?}");
        let mut by_shard: Vec<Vec<Posting>> = vec![Vec::new(); plan.shards];
        for (d, m) in counts.iter().enumerate() {
            for f in [0, 6] {
                for (t, &n) in m {
                    by_shard[plan.shard_of(t).unwrap()].push((d, f, t.as_str(), n));
                }
            }
        }
        for s in &mut by_shard {
            s.sort_by_key(|p| (p.0, p.1));
        }
        let words = vec![BTreeMap::new(); plan.shards];
        let files = shard_files(&plan, &by_shard, &words);
        let mut got = serde_json::json!({});
        for f in FIELDS {
            got[f] = serde_json::json!({"root": {"docs": {}, "df": 0}});
        }
        for (s, bytes) in files.iter().enumerate() {
            let shard: Value = serde_json::from_slice(bytes).unwrap();
            // Each shard holds only the terms of its keys.
            let field = &shard["index"]["body"]["root"];
            assert!(field.is_object(), "shard {s}");
            for f in FIELDS {
                merge(&mut got[f]["root"], &shard["index"][f]["root"]);
            }
        }
        round(&mut got);
        assert_eq!(got, want);
    }
}
