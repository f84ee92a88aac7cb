//! From postings to term shards.
//!
//! Each shard holds the terms of its keys (see [`super::shards::Plan`]): for every field,
//! an elasticlunr-rs [`InvertedIndex`] of exactly those terms, built from
//! the shard's postings with elasticlunr-rs's own `add_token` (the term
//! frequency is the square root of the count, as `Index::add_doc` computes
//! it) and serialized as elasticlunr-rs writes it. The browser merges the
//! shards it fetches back into one index. The postings were analysed once
//! beforehand, so the shards are built independently, in parallel, with
//! none of the per-document bookkeeping of a whole index.

use std::collections::BTreeMap;

use elasticlunr::inverted_index::InvertedIndex;
use serde::Serialize;

use super::FIELDS;

/// One posting: incident, field, term, occurrences.
pub type Posting<'t> = (usize, usize, &'t str, u32);

/// One shard, `{"index":{field:{"root":trie}},"words":{...}}`, from its
/// postings (in incident order) and its word map (may be empty).
pub fn shard_json<'t>(
    postings: impl Iterator<Item = Posting<'t>>,
    words: &BTreeMap<&str, &str>,
    epoch: &str,
) -> Vec<u8> {
    let mut fields: Vec<InvertedIndex> = FIELDS.iter().map(|_| InvertedIndex::new()).collect();
    let mut doc_ref = String::new();
    let mut count = 0;
    for (d, f, t, n) in postings {
        if let Some(index) = fields.get_mut(f) {
            doc_ref.clear();
            doc_ref.push_str(itoa::Buffer::new().format(d));
            index.add_token(&doc_ref, t, f64::from(n).sqrt());
            count += 1;
        }
    }
    #[derive(Serialize)]
    struct Shard<'a> {
        /// Which docs.json the document numbers belong to.
        epoch: &'a str,
        index: BTreeMap<&'static str, &'a InvertedIndex>,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        words: &'a BTreeMap<&'a str, &'a str>,
    }
    let shard = Shard {
        epoch,
        index: FIELDS.iter().copied().zip(fields.iter()).collect(),
        words,
    };
    let mut buf = Vec::with_capacity(count * 24 + 256);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, RoundingFormatter);
    if shard.serialize(&mut ser).is_err() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::Analyzer;
    use crate::search::shards::Plan;
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
            // (CJK text is indexed as character pairs, unlike
            // elasticlunr-rs's English: see the analyzer's tests.)
            "Séance réseau Größe server",
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
        let files: Vec<Vec<u8>> = by_shard
            .iter()
            .map(|p| shard_json(p.iter().copied(), &BTreeMap::new(), "e"))
            .collect();
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
