//! From postings to term shard files.
//!
//! A shard holds the terms of its keys (see [`super::shards::Plan`]). For
//! each term it carries what elasticlunr.js scores with: the number of
//! incidents that have it in each field (`df`, for the idf), and for each
//! incident and field its count (the term frequency is its square root,
//! rounded to three decimals) and the field's length. The browser puts
//! these into an elasticlunr.js index and scores with elasticlunr.js.
//!
//! A word in every incident would make the cost of a query grow with the
//! history, so a term's incidents are ordered by what the term alone
//! scores them (`impact`, elasticlunr's formula summed over the fields
//! with their boosts) and cut into tiers of 32, 128, 512… incidents:
//! `terms/<n>.bin` has each term's first tier, the set of all its
//! incidents (for counts, filters and words that must all match) and the
//! impact of the best incident left out; `terms/<n>-<k>.bin` has tier k
//! of the shard's terms. The browser fetches further tiers only while an
//! incident it has not scored could still rank among those on screen, so
//! the ranking is the one of the whole index.

use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxBuildHasher;

use super::encode::Writer;
use super::{BOOSTS, FIELDS};

/// Incidents in a term's first tier; each further tier holds
/// [`TIER_GROWTH`] times more, the last one all that is left.
pub const FIRST_TIER: usize = 32;
pub const TIER_GROWTH: usize = 4;
/// Tiers a term has at most.
pub const TIERS: usize = 7;

/// Where tier `k` ends (exclusive rank).
pub fn tier_end(k: usize) -> usize {
    if k + 1 >= TIERS {
        usize::MAX
    } else {
        FIRST_TIER * TIER_GROWTH.pow(k as u32)
    }
}

fn tier_start(k: usize) -> usize {
    if k == 0 { 0 } else { tier_end(k - 1) }
}

/// One posting: incident, field, term, occurrences, the field's length.
pub type Posting<'t> = (u32, usize, &'t str, u32, u32);

/// A posting without its term: incident, field, count, field length.
type TermHit = (u32, usize, u32, u32);

/// elasticlunr.js's term frequency, as the shards have always carried it.
pub fn tf(count: u32) -> f64 {
    (f64::from(count).sqrt() * 1000.0).round() / 1000.0
}

/// One incident of a term: its number, its impact, and its postings.
struct Hit {
    doc: u32,
    impact: f64,
    /// (field, count, length), by field.
    fields: Vec<(usize, u32, u32)>,
}

/// A term's part of a further tier: its index in the shard, its incidents
/// in that tier, and the best impact after them.
type TierPart = (usize, Vec<Hit>, Option<f64>);

/// The files of one shard: `[terms/<n>.bin, tier 1, tier 2, …]`, from its
/// postings (in incident order, fields in order within an incident) and
/// its word map (may be empty); `docs` is the number of incidents. A tier
/// no term reaches is not there (the list ends before it).
pub fn shard_files<'t>(
    postings: impl Iterator<Item = Posting<'t>>,
    words: &BTreeMap<&str, &str>,
    docs: usize,
    epoch: &str,
) -> Vec<Vec<u8>> {
    // Grouped by hashing, then sorted once: a tree keyed by the terms
    // compared strings for every posting.
    let mut grouped: HashMap<&str, Vec<TermHit>, FxBuildHasher> =
        HashMap::with_hasher(FxBuildHasher);
    for (d, f, t, n, len) in postings {
        grouped.entry(t).or_default().push((d, f, n, len));
    }
    let mut by_term: Vec<(&str, Vec<TermHit>)> = grouped.into_iter().collect();
    by_term.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut tier0 = Writer::new(epoch);
    tier0.uint(by_term.len() as u64);
    let mut tiers: Vec<Writer> = Vec::new();
    let mut in_tier: Vec<Vec<TierPart>> = Vec::new();
    let mut prev = "";
    for (ti, (term, list)) in by_term.into_iter().enumerate() {
        let (df, mut hits) = hits(&list, docs);
        let shared = common_prefix(prev, term);
        tier0.uint(shared as u64);
        tier0.bytes(&term.as_bytes()[shared..]);
        prev = term;
        let mask = df
            .iter()
            .enumerate()
            .fold(0u64, |m, (f, &n)| if n > 0 { m | (1 << f) } else { m });
        tier0.uint(mask);
        for &n in df.iter().filter(|&&n| n > 0) {
            tier0.uint(n as u64);
        }
        tier0.uint(hits.len() as u64);
        if hits.len() > FIRST_TIER {
            let mut all: Vec<u32> = hits.iter().map(|h| h.doc).collect();
            all.sort_unstable();
            tier0.docs(&all);
        }
        hits.sort_by(|a, b| b.impact.total_cmp(&a.impact).then(a.doc.cmp(&b.doc)));
        let total = hits.len();
        let impacts: Vec<f64> = hits.iter().map(|h| h.impact).collect();
        let mut rest = hits.into_iter();
        let mut k = 0;
        while tier_start(k) < total {
            let end = tier_end(k).min(total);
            let bound = impacts.get(end).copied();
            let mut part: Vec<Hit> = rest.by_ref().take(end - tier_start(k)).collect();
            part.sort_unstable_by_key(|h| h.doc);
            if k == 0 {
                if let Some(b) = bound {
                    tier0.f64(b);
                }
                write_hits(&mut tier0, &part);
            } else {
                while in_tier.len() < k {
                    in_tier.push(Vec::new());
                }
                in_tier[k - 1].push((ti, part, bound));
            }
            k += 1;
        }
    }
    tier0.uint(words.len() as u64);
    let mut prev = "";
    for (w, s) in words {
        let shared = common_prefix(prev, w);
        tier0.uint(shared as u64);
        tier0.bytes(&w.as_bytes()[shared..]);
        tier0.bytes(s.as_bytes());
        prev = w;
    }
    for terms in in_tier {
        let mut w = Writer::new(epoch);
        w.uint(terms.len() as u64);
        let mut prev = 0;
        for (ti, part, bound) in terms {
            w.uint((ti - prev) as u64);
            prev = ti;
            if let Some(b) = bound {
                w.f64(b);
            }
            write_hits(&mut w, &part);
        }
        tiers.push(w);
    }
    std::iter::once(tier0).chain(tiers).map(|w| w.buf).collect()
}

/// A term's incidents with their impact, and its document frequency per
/// field.
fn hits(list: &[TermHit], docs: usize) -> ([usize; 7], Vec<Hit>) {
    let mut df = [0usize; 7];
    for &(_, f, _, _) in list {
        if let Some(n) = df.get_mut(f) {
            *n += 1;
        }
    }
    let idf: Vec<f64> = df
        .iter()
        .map(|&n| 1.0 + (docs as f64 / (n as f64 + 1.0)).ln())
        .collect();
    let mut hits: Vec<Hit> = Vec::new();
    for &(d, f, n, len) in list {
        if f >= FIELDS.len() {
            continue;
        }
        let norm = if len == 0 {
            1.0
        } else {
            1.0 / f64::from(len).sqrt()
        };
        let score = tf(n) * idf[f] * norm * f64::from(BOOSTS[f]);
        match hits.last_mut() {
            Some(h) if h.doc == d => {
                h.impact += score;
                h.fields.push((f, n, len));
            }
            _ => hits.push(Hit {
                doc: d,
                impact: score,
                fields: vec![(f, n, len)],
            }),
        }
    }
    (df, hits)
}

/// Incidents in order of number: the gap from the previous one, the
/// fields (a bit mask), and for each field the count and its length.
fn write_hits(w: &mut Writer, hits: &[Hit]) {
    let mut prev: i64 = -1;
    for h in hits {
        w.uint((i64::from(h.doc) - prev - 1) as u64);
        prev = i64::from(h.doc);
        w.uint(h.fields.iter().fold(0u64, |m, &(f, _, _)| m | (1 << f)));
        for &(_, n, len) in &h.fields {
            w.uint(u64::from(n));
            w.uint(u64::from(len));
        }
    }
}

/// The bytes two strings share at their start, on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
        .min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::Analyzer;
    use crate::search::encode::read::Reader;
    use serde_json::Value;

    /// Term → field → incident → (tf, field length), and df per field, as
    /// the browser reads the files.
    type Fields = BTreeMap<usize, (usize, BTreeMap<u32, (f64, u32)>)>;
    type Decoded = BTreeMap<String, Fields>;

    fn read_hits(r: &mut Reader, m: usize, out: &mut Fields) {
        let mut prev: i64 = -1;
        for _ in 0..m {
            prev += r.uint() as i64 + 1;
            let mask = r.uint();
            for f in 0..7 {
                if mask & (1 << f) != 0 {
                    let n = r.uint() as u32;
                    let len = r.uint() as u32;
                    out.entry(f)
                        .or_default()
                        .1
                        .insert(prev as u32, (tf(n), len));
                }
            }
        }
    }

    /// Decodes a shard and its tiers (what loading.js does).
    fn decode(files: &[Vec<u8>]) -> Decoded {
        let (mut r, _) = Reader::new(&files[0]);
        let mut out = Decoded::new();
        let mut terms: Vec<(String, usize)> = Vec::new();
        let mut prev = String::new();
        for _ in 0..r.uint() {
            let shared = r.uint() as usize;
            let term = format!(
                "{}{}",
                &prev[..shared],
                std::str::from_utf8(r.bytes()).unwrap()
            );
            let mask = r.uint();
            let entry = out.entry(term.clone()).or_default();
            for f in 0..7 {
                if mask & (1 << f) != 0 {
                    entry.entry(f).or_default().0 = r.uint() as usize;
                }
            }
            let d = r.uint() as usize;
            if d > FIRST_TIER {
                assert_eq!(r.docs().len(), d);
                r.f64();
            }
            read_hits(&mut r, d.min(FIRST_TIER), entry);
            terms.push((term.clone(), d));
            prev = term;
        }
        for (k, file) in files.iter().enumerate().skip(1) {
            let (mut r, _) = Reader::new(file);
            let mut ti = 0;
            for _ in 0..r.uint() {
                ti += r.uint() as usize;
                let (term, d) = &terms[ti];
                if *d > tier_end(k) {
                    r.f64();
                }
                let m = (*d).min(tier_end(k)) - tier_start(k);
                read_hits(&mut r, m, out.get_mut(term).unwrap());
            }
        }
        out
    }

    #[test]
    fn shards_hold_the_elasticlunr_rs_index() {
        let mut texts: Vec<String> = vec![
            "The server was slow; servers restarted twice".into(),
            "Sessions and servers: a session expired".into(),
            "Serving stale data from the cache, then serving errors".into(),
            "DNS: the resolver served a stale record".into(),
            "Séance réseau Größe server".into(),
        ];
        // Enough incidents for "server" to need several tiers.
        for i in 0..300 {
            texts.push(format!("server {} log{} {}", "x ".repeat(i % 17), i % 5, i));
        }
        // The reference: elasticlunr-rs indexing the texts itself.
        let mut reference =
            elasticlunr::Index::with_language(Box::new(elasticlunr::lang::English::new()), FIELDS);
        for (i, t) in texts.iter().enumerate() {
            let mut fields = vec![""; FIELDS.len()];
            fields[0] = t;
            fields[6] = t;
            reference.add_doc(&i.to_string(), fields);
        }
        let want = serde_json::to_value(&reference).unwrap();

        let a = Analyzer::new("en");
        let counted: Vec<(BTreeMap<String, u32>, usize)> =
            texts.iter().map(|t| a.count_terms(t)).collect();
        let mut postings = Vec::new();
        for (d, (m, len)) in counted.iter().enumerate() {
            for (t, &n) in m {
                for f in [0, 6] {
                    postings.push((d as u32, f, t.as_str(), n, *len as u32));
                }
            }
        }
        postings.sort_by_key(|p| (p.0, p.1));
        let files = shard_files(
            postings.into_iter(),
            &BTreeMap::new(),
            texts.len(),
            "e".repeat(16).as_str(),
        );
        assert!(files.len() >= 3, "tiers: {}", files.len());
        let got = decode(&files);
        // Every term, field, df, tf and length of elasticlunr-rs's index.
        let mut checked = 0;
        for (term, fields) in &got {
            for (&f, (df, docs)) in fields {
                let mut node = &want["index"][FIELDS[f]]["root"];
                for c in term.chars() {
                    node = &node[c.to_string()];
                }
                assert_eq!(node["df"].as_u64(), Some(*df as u64), "{term} df");
                let ref_docs = node["docs"].as_object().unwrap();
                assert_eq!(ref_docs.len(), docs.len(), "{term}");
                for (d, (tf, len)) in docs {
                    let r = ref_docs[&d.to_string()]["tf"].as_f64().unwrap();
                    assert_eq!(*tf, (r * 1000.0).round() / 1000.0, "{term} {d}");
                    let info = &want["documentStore"]["docInfo"][d.to_string()];
                    assert_eq!(
                        info[FIELDS[f]].as_u64(),
                        Some(u64::from(*len)),
                        "{term} {d} length"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 600, "{checked}");
        let _: &Value = &want;
    }
}
