//! The search index: built at build time with elasticlunr-rs, queried in
//! the browser by elasticlunr.js (`themes/default/static/search/`).
//!
//! A knowledge base of ten thousand postmortems has an inverted index of
//! tens of megabytes, too much for a browser to fetch. It is cut in three
//! kinds of files under `search/`, fetched only once the reader searches:
//!
//! - `docs.json`: one compact row per incident (id, title, date, severity,
//!   causes, services, teams, open follow-ups, and the length of each field,
//!   which elasticlunr's scoring needs) in named columns ([`COLUMNS`]), the
//!   filter vocabularies, and the plan that says which shard holds which
//!   terms.
//! - `terms/<n>.json`: term shards. Each holds the inverted index (as
//!   elasticlunr-rs writes it) of the terms of one range of prefixes
//!   ([`shards::Plan`]), cut out of an elasticlunr-rs index
//!   (`assemble.rs`); a one-word query needs one of them. The browser merges
//!   the shards it has fetched into one elasticlunr.js index.
//!
//! The snippets of the results on screen come from the incidents' own
//! pages (fetched by the browser): the section with the matches is shown
//! with them highlighted, and the result links to that section.
//!
//! The elasticlunr-rs indexes are built in parallel (elasticlunr-rs is
//! single-threaded), and the whole index alongside the page rendering.
//! Free pages (`content/pages/`) are not indexed: search is for incidents.
//!
//! May use `write` (its sinks), `model`, `config` and `diagnostics`.

pub mod analyzer;
mod assemble;
pub mod shards;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use serde_json::Value;

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::model::site::{Incident, Site};
use crate::model::timeline::TimelineSource;
use crate::write::sink::Sink;
use analyzer::{Analyzer, Mode};
use shards::Plan;

/// The indexed fields, in the order of the rows of `docs.json`.
pub const FIELDS: [&str; 7] = [
    "title", "summary", "causes", "services", "teams", "tags", "body",
];

/// The columns of the rows of `docs.json` (`"docs"`), in order. docs.json
/// names them (`"columns"`) and the browser reads the cells by these names:
/// an array per row rather than an object keeps docs.json a third smaller.
pub const COLUMNS: [&str; 10] = [
    "id", "title", "date", "severity", "causes", "services", "teams", "open", "lengths", "kind",
];

/// How much a match in each field counts.
pub const BOOSTS: [u32; 7] = [10, 4, 3, 3, 2, 3, 1];

/// Estimated bytes of one term shard (before compression).
pub const SHARD_BUDGET: u64 = 160_000;

/// Where the index files go in the output.
pub const DIR: &str = "search";

/// What the search index cost.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub docs: usize,
    pub terms: usize,
    pub shards: usize,
    pub docs_bytes: usize,
    pub shard_bytes: usize,
    pub largest_shard: usize,
    /// Time spent reading the incidents into terms.
    pub analysis: Duration,
    /// Time spent building the elasticlunr-rs indexes and their shards.
    pub indexing: Duration,
    pub elapsed: Duration,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "search index: {} incidents, {} terms in {} shards; docs.json {} KB, shards {} KB (largest {} KB); built in {:.2?} (analysis {:.2?}, indexes {:.2?})",
            self.docs,
            self.terms,
            self.shards,
            self.docs_bytes / 1024,
            self.shard_bytes / 1024,
            self.largest_shard / 1024,
            self.elapsed,
            self.analysis,
            self.indexing,
        )
    }
}

/// The text of one incident, field by field, as it is indexed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchDoc {
    /// One text per entry of [`FIELDS`].
    pub fields: [String; 7],
}

/// What is indexed of an incident. The body is the text of every part of
/// its page that holds text: the sections of the Markdown body (code
/// included), and the timeline and follow-ups when the front matter holds
/// them. (Snippets are taken from the page itself, in the browser.)
pub fn search_doc(inc: &Incident) -> SearchDoc {
    let pm = &inc.pm;
    let mut summary = pm.summary.clone().unwrap_or_default();
    if let Some(impact) = &pm.impact {
        if !summary.is_empty() {
            summary.push('\n');
        }
        summary.push_str(impact);
    }
    let mut body = String::new();
    for s in &inc.body.sections {
        if let Some(h) = &s.heading {
            body.push_str(h);
            body.push('\n');
        }
        body.push_str(&s.text);
        body.push('\n');
    }
    if pm.timeline_source == TimelineSource::FrontMatter {
        for e in &pm.timeline {
            body.push_str(&e.event);
            body.push('\n');
        }
    }
    if inc.body.tasks.is_empty() {
        for f in &pm.follow_ups {
            body.push_str(&f.title);
            body.push('\n');
        }
    }
    SearchDoc {
        fields: [
            pm.title.clone(),
            summary,
            pm.causes.join(" "),
            pm.services.join(" "),
            pm.teams.join(" "),
            pm.tags.join(" "),
            body,
        ],
    }
}

/// An incident's terms, field by field.
struct Analyzed {
    /// Term (an index into its chunk's terms) and occurrences, in term
    /// order, one list per field.
    counts: [Vec<(u32, u32)>; 7],
    /// Number of terms in each field (elasticlunr's field length).
    lengths: [usize; 7],
    /// For [`Mode::WordMap`]: word as written → stem.
    words: BTreeMap<String, String>,
}

/// The analysed incidents of one run of consecutive incidents, with their
/// terms stored once (a posting names its term by number: millions of
/// postings, tens of thousands of terms).
struct Chunk {
    /// Index of the chunk's first incident.
    first: usize,
    terms: Vec<Box<str>>,
    docs: Vec<Analyzed>,
}

/// Numbers the terms of one chunk.
#[derive(Default)]
struct Interner {
    ids: HashMap<Box<str>, u32, FxBuildHasher>,
}

impl Interner {
    fn id(&mut self, term: String) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(term.into_boxed_str()).or_insert(next)
    }

    fn into_terms(self) -> Vec<Box<str>> {
        let mut terms: Vec<(u32, Box<str>)> = self.ids.into_iter().map(|(t, i)| (i, t)).collect();
        terms.sort_unstable_by_key(|(i, _)| *i);
        terms.into_iter().map(|(_, t)| t).collect()
    }
}

fn analyze(a: &Analyzer, doc: &SearchDoc, interner: &mut Interner) -> Analyzed {
    let mut counts: [Vec<(u32, u32)>; 7] = Default::default();
    let mut lengths = [0usize; 7];
    let mut words = BTreeMap::new();
    for (i, text) in doc.fields.iter().enumerate() {
        // The dictionaries of the CJK tokenizers are third-party code: a
        // panic there leaves the field out of the index rather than failing
        // the build.
        let (m, len) =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.count_terms(text)))
                .unwrap_or_default();
        lengths[i] = len;
        counts[i] = m.into_iter().map(|(t, n)| (interner.id(t), n)).collect();
        if a.mode == Mode::WordMap {
            a.word_map(text, &mut words);
        }
    }
    Analyzed {
        counts,
        lengths,
        words,
    }
}

/// One posting of a chunk: the incident (within the chunk), and the field
/// (3 bits) and position in that field's counts (29 bits).
#[derive(Clone, Copy)]
struct Posting {
    doc: u32,
    field_pos: u32,
}

const POS_BITS: u32 = 29;

/// Builds the index files of a site and writes them into `sink`: the term
/// shards as they are made, then `docs.json`, which names the version of
/// the shards.
pub fn build(site: &Site, sink: &dyn Sink) -> Result<Stats, Diagnostic> {
    let started = Instant::now();
    let code = site.config.site.language.clone();
    let mode = Mode::for_language(&code);
    let incidents = &site.incidents;

    let chunks = analyze_chunks(incidents, &code);
    let analysis = started.elapsed();

    let (plan, terms, words) = shard_plan(&chunks);
    let parts = postings_by_shard(&chunks, &plan);
    let epoch = shard_epoch(&code, incidents, &plan);
    let mut words_by_shard: Vec<BTreeMap<&str, &str>> = vec![BTreeMap::new(); plan.shards];
    for (w, s) in &words {
        if let Some(k) = plan.shard_of(w) {
            words_by_shard[k].insert(w, s);
        }
    }

    // The shards, written as they are made, and beside them docs.json.
    let (shards, docs_json) = rayon::join(
        || {
            let t = Instant::now();
            let written = write_shards(sink, &chunks, &parts, &words_by_shard, &epoch);
            (written, t.elapsed())
        },
        || docs_json(site, mode, &code, &chunks, &plan, &epoch),
    );
    let (written, indexing) = shards;
    drop(parts);
    drop(chunks);

    let mut stats = Stats {
        docs: incidents.len(),
        terms,
        shards: plan.shards,
        analysis,
        indexing,
        ..Stats::default()
    };
    write_docs_json(sink, written, &docs_json, &mut stats)?;
    stats.elapsed = started.elapsed();
    Ok(stats)
}

/// What is indexed of each incident, analysed into terms (the text is
/// dropped as soon as it is analysed). elasticlunr-rs languages are not
/// Send: one per chunk.
fn analyze_chunks(incidents: &[Incident], code: &str) -> Vec<Chunk> {
    let chunk = incidents
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(1);
    incidents
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, part)| {
            let a = Analyzer::new(code);
            let mut interner = Interner::default();
            let docs = part
                .iter()
                .map(|inc| analyze(&a, &search_doc(inc), &mut interner))
                .collect();
            Chunk {
                first: c * chunk,
                terms: interner.into_terms(),
                docs,
            }
        })
        .collect()
}

/// The shard plan, from the weights of terms (and written words): a
/// posting is about `"1234":{"tf":1.414},`, a trie node about 20 bytes.
/// Also returns the number of terms and the written words (word → stem).
fn shard_plan(chunks: &[Chunk]) -> (Plan, usize, BTreeMap<&str, &str>) {
    let local_weights: Vec<Vec<u64>> = chunks
        .par_iter()
        .map(|ch| {
            let mut w = vec![0u64; ch.terms.len()];
            for d in &ch.docs {
                for f in &d.counts {
                    for &(t, _) in f {
                        w[t as usize] += 16;
                    }
                }
            }
            w
        })
        .collect();
    let mut by_term: HashMap<&str, u64, FxBuildHasher> = HashMap::with_hasher(FxBuildHasher);
    for (ch, w) in chunks.iter().zip(&local_weights) {
        for (t, &w) in ch.terms.iter().zip(w) {
            if w > 0 {
                *by_term
                    .entry(&**t)
                    .or_insert_with(|| 20 * t.chars().count() as u64) += w;
            }
        }
    }
    drop(local_weights);
    let mut words: BTreeMap<&str, &str> = BTreeMap::new();
    for d in chunks.iter().flat_map(|ch| &ch.docs) {
        for (w, s) in &d.words {
            words.entry(w.as_str()).or_insert(s.as_str());
        }
    }
    let mut weights: BTreeMap<String, u64> =
        by_term.iter().map(|(t, w)| (t.to_string(), *w)).collect();
    let terms = weights.len();
    for (w, s) in &words {
        *weights.entry(w.to_string()).or_insert(0) += (w.len() + s.len() + 6) as u64;
    }
    let plan = Plan::new(&weights, SHARD_BUDGET);
    (plan, terms, words)
}

/// Postings by chunk and shard, in incident order.
fn postings_by_shard(chunks: &[Chunk], plan: &Plan) -> Vec<Vec<Vec<Posting>>> {
    chunks
        .par_iter()
        .map(|ch| {
            let shard_of: Vec<Option<usize>> = ch.terms.iter().map(|t| plan.shard_of(t)).collect();
            let mut by_shard: Vec<Vec<Posting>> = vec![Vec::new(); plan.shards];
            for (k, d) in ch.docs.iter().enumerate() {
                for (f, m) in d.counts.iter().enumerate() {
                    for (pos, &(t, _)) in m.iter().enumerate() {
                        if pos >= 1 << POS_BITS {
                            break;
                        }
                        if let Some(s) = shard_of[t as usize] {
                            by_shard[s].push(Posting {
                                doc: k as u32,
                                field_pos: ((f as u32) << POS_BITS) | pos as u32,
                            });
                        }
                    }
                }
            }
            by_shard
        })
        .collect()
}

/// What the shards' document numbers and keys mean: the incidents in
/// order and the shard plan. Shards and docs.json carry it, so that a
/// page holding one build's docs.json never merges another's shards.
fn shard_epoch(code: &str, incidents: &[Incident], plan: &Plan) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(code.as_bytes());
    for inc in incidents {
        h.update(inc.pm.id.as_bytes());
        h.update(b"\n");
    }
    for (k, s) in &plan.keys {
        h.update(k.as_bytes());
        h.update(&(*s as u64).to_le_bytes());
    }
    format!("{:016x}", h.digest())
}

/// Writes the term shards (in parallel), one per entry of
/// `words_by_shard`; returns each one's length and hash.
fn write_shards(
    sink: &dyn Sink,
    chunks: &[Chunk],
    parts: &[Vec<Vec<Posting>>],
    words_by_shard: &[BTreeMap<&str, &str>],
    epoch: &str,
) -> Vec<Result<(usize, u64), Diagnostic>> {
    (0..words_by_shard.len())
        .into_par_iter()
        .map(|s| {
            let postings = chunks.iter().zip(parts).flat_map(|(ch, p)| {
                p[s].iter().filter_map(move |p| {
                    let f = (p.field_pos >> POS_BITS) as usize;
                    let pos = (p.field_pos & ((1 << POS_BITS) - 1)) as usize;
                    let d = ch.docs.get(p.doc as usize)?;
                    let &(t, n) = d.counts.get(f)?.get(pos)?;
                    let term = ch.terms.get(t as usize)?;
                    Some((ch.first + p.doc as usize, f, &**term, n))
                })
            });
            let bytes = assemble::shard_json(postings, &words_by_shard[s], epoch);
            let path = format!("{DIR}/terms/{s}.json");
            sink.put(&path, &bytes)
                .map_err(|e| write_error(&path, &e))?;
            Ok((bytes.len(), xxhash_rust::xxh3::xxh3_64(&bytes)))
        })
        .collect()
}

/// Writes `docs.json` with a version that changes with the content (the
/// hashes of the shards `written` and of `docs_json`), so browsers never
/// mix files of two builds; adds the shards' and docs.json's sizes to
/// `stats`.
fn write_docs_json(
    sink: &dyn Sink,
    written: Vec<Result<(usize, u64), Diagnostic>>,
    docs_json: &[u8],
    stats: &mut Stats,
) -> Result<(), Diagnostic> {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for w in written {
        let (len, hash) = w?;
        stats.shard_bytes += len;
        stats.largest_shard = stats.largest_shard.max(len);
        h.update(&hash.to_le_bytes());
    }
    h.update(docs_json);
    let version = format!("{:016x}", h.digest());
    let mut docs_json_final = Vec::with_capacity(docs_json.len() + 40);
    docs_json_final.extend_from_slice(format!("{{\"version\":\"{version}\"").as_bytes());
    if docs_json.len() > 2 {
        docs_json_final.push(b',');
        docs_json_final.extend_from_slice(&docs_json[1..]);
    } else {
        docs_json_final.push(b'}');
    }
    stats.docs_bytes = docs_json_final.len();
    let path = format!("{DIR}/docs.json");
    sink.put(&path, &docs_json_final)
        .map_err(|e| write_error(&path, &e))
}

fn write_error(path: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(Code::Io, format!("cannot write {path}: {e}"))
}

/// The rows of `docs.json`, the filter vocabularies and the shard plan.
fn docs_json(
    site: &Site,
    mode: Mode,
    code: &str,
    chunks: &[Chunk],
    plan: &Plan,
    epoch: &str,
) -> Vec<u8> {
    fn vocab<'a>(
        names: impl Iterator<Item = &'a String>,
    ) -> (Vec<&'a str>, HashMap<&'a str, usize>) {
        let list: Vec<&str> = names.map(String::as_str).collect();
        let idx = list.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        (list, idx)
    }
    let (causes, cause_idx) = vocab(site.causes.keys());
    let (services, service_idx) = vocab(site.services.keys());
    let (teams, team_idx) = vocab(site.teams.keys());
    let severities = &site.config.postmortem.severities;
    let ids = |names: &[String], idx: &HashMap<&str, usize>| -> Value {
        Value::from(
            names
                .iter()
                .filter_map(|n| idx.get(n.as_str()).copied())
                .collect::<Vec<_>>(),
        )
    };
    let rows: Vec<Value> = site
        .incidents
        .iter()
        .zip(chunks.iter().flat_map(|ch| &ch.docs))
        .map(|(inc, a)| {
            let pm = &inc.pm;
            let sev = pm
                .severity
                .as_ref()
                .and_then(|s| severities.iter().position(|x| x == s))
                .map_or(-1, |i| i as i64);
            // The cells of COLUMNS: id, title, date, severity (an index
            // into severities, -1 for none), causes, services and teams
            // (indexes into their lists), open (1 if follow-ups are open),
            // lengths (the number of terms of each of FIELDS).
            serde_json::json!([
                pm.id,
                pm.title,
                pm.date.to_string(),
                sev,
                ids(&pm.causes, &cause_idx),
                ids(&pm.services, &service_idx),
                ids(&pm.teams, &team_idx),
                u8::from(inc.open_follow_ups() > 0),
                a.lengths,
                // kind: an index into `kinds`.
                crate::model::postmortem::Kind::ALL
                    .iter()
                    .position(|k| *k == pm.kind)
                    .unwrap_or(0),
            ])
        })
        .collect();
    let (keys, key_shards): (Vec<&str>, Vec<usize>) =
        plan.keys.iter().map(|(k, s)| (k.as_str(), *s)).unzip();
    let value = serde_json::json!({
        "epoch": epoch,
        "lang": code,
        "mode": mode.name(),
        "fields": FIELDS,
        "columns": COLUMNS,
        "boosts": BOOSTS,
        "severities": severities,
        "causes": causes,
        "services": services,
        "teams": teams,
        "kinds": crate::model::postmortem::Kind::NAMES,
        "shards": plan.shards,
        "keys": keys,
        "keyShards": key_shards,
        "docs": rows,
    });
    serde_json::to_vec(&value).unwrap_or_else(|_| b"{}".to_vec())
}
