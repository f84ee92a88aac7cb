//! The search index: built at build time from elasticlunr-rs's analysis
//! (tokenizer, stop words, stemmer of `[site] language`), queried in the
//! browser by elasticlunr.js (`themes/default/static/search/`).
//!
//! What a query costs is what it shows, whatever the size of the history:
//! nothing is fetched until the reader searches, and then only
//!
//! - `manifest.json`: the epoch, the language, the shard plan (which shard
//!   holds which terms), the tiers, and each filter's values with counts;
//! - `terms/<n>.bin`: the shards of the query's words: per term its
//!   document frequencies, the set of its incidents, and the postings
//!   (count and field length per field) of the 32 incidents it scores
//!   highest; `terms/<n>-<k>.bin` the further tiers, fetched only while an
//!   incident not yet scored could still rank among the results on screen
//!   (`terms.rs`), so the ranking is that of the whole index;
//! - `facets/<facet>-<k>.bin`: the incidents of a filter value, fetched
//!   when that filter is used;
//! - `docs/<c>.json` (id, title, date, severity) and, for searches by
//!   filters alone, `summaries/<c>.json`, for the results on screen only
//!   (`meta.rs`).
//!
//! Incidents are numbered newest first, so a search by filters alone
//! lists its set in order. Every file carries the epoch (a hash of
//! everything indexed), so a page open across a redeploy never mixes two
//! builds. The snippets of a search by words come from the results' own
//! pages: the section with the matches is shown with them highlighted,
//! and the result links to that section.
//!
//! The index is analysed in parallel (elasticlunr-rs is single-threaded),
//! its shards made in parallel and each written as soon as it is made,
//! and the whole index alongside the page rendering. Free pages
//! (`content/pages/`) are not indexed: search is for incidents.
//!
//! May use `write` (its sinks), `model`, `config` and `diagnostics`.

pub mod analyzer;
mod encode;
mod meta;
pub mod shards;
mod terms;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

use crate::diagnostics::Code;
use crate::diagnostics::Diagnostic;
use crate::model::site::{Incident, Site};
use crate::model::timeline::TimelineSource;
use crate::write::sink::Sink;
use analyzer::{Analyzer, Mode};
use shards::Plan;

/// The indexed fields, in the order of the postings' field bits.
pub const FIELDS: [&str; 7] = [
    "title", "summary", "causes", "services", "teams", "tags", "body",
];

/// How much a match in each field counts.
pub const BOOSTS: [u32; 7] = [10, 4, 3, 3, 2, 3, 1];

/// Estimated bytes of one term shard (its first tiers; before compression).
pub const SHARD_BUDGET: u64 = 16_000;

/// Where the index files go in the output.
pub const DIR: &str = "search";

/// The version of the index files' format (a part of every epoch).
const FORMAT: &str = "pmsite-search-2";

/// What the search index cost.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub docs: usize,
    pub terms: usize,
    pub shards: usize,
    /// Files and bytes: manifest, shards (first tiers), further tiers,
    /// rows and summaries, filter sets.
    pub files: usize,
    pub manifest_bytes: usize,
    pub shard_bytes: usize,
    pub tier_bytes: usize,
    pub row_bytes: usize,
    pub facet_bytes: usize,
    pub largest_shard: usize,
    /// Time spent reading the incidents into terms.
    pub analysis: Duration,
    /// Time spent making and writing the shards.
    pub indexing: Duration,
    pub elapsed: Duration,
}

impl Stats {
    fn add(&mut self, path: &str, len: usize) {
        self.files += 1;
        if path.starts_with("terms/") {
            if path.contains('-') {
                self.tier_bytes += len;
            } else {
                self.shard_bytes += len;
                self.largest_shard = self.largest_shard.max(len);
            }
        } else if path.starts_with("facets/") {
            self.facet_bytes += len;
        } else {
            self.row_bytes += len;
        }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "search index: {} incidents, {} terms in {} shards; {} files, {} KB (manifest {} KB, shards {} KB, largest {} KB, further tiers {} KB, rows and summaries {} KB, filters {} KB); built in {:.2?} (analysis {:.2?}, shards {:.2?})",
            self.docs,
            self.terms,
            self.shards,
            self.files + 1,
            (self.manifest_bytes
                + self.shard_bytes
                + self.tier_bytes
                + self.row_bytes
                + self.facet_bytes)
                / 1024,
            self.manifest_bytes / 1024,
            self.shard_bytes / 1024,
            self.largest_shard / 1024,
            self.tier_bytes / 1024,
            self.row_bytes / 1024,
            self.facet_bytes / 1024,
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
    /// A hash of what the index holds of the incident (its epoch's part).
    hash: u64,
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
    fn id(&mut self, term: &str) -> u32 {
        if let Some(&i) = self.ids.get(term) {
            return i;
        }
        let next = self.ids.len() as u32;
        self.ids.insert(term.into(), next);
        next
    }

    fn into_terms(self) -> Vec<Box<str>> {
        let mut terms: Vec<(u32, Box<str>)> = self.ids.into_iter().map(|(t, i)| (i, t)).collect();
        terms.sort_unstable_by_key(|(i, _)| *i);
        terms.into_iter().map(|(_, t)| t).collect()
    }
}

fn analyze(a: &Analyzer, inc: &Incident, interner: &mut Interner) -> Analyzed {
    let doc = search_doc(inc);
    let mut counts: [Vec<(u32, u32)>; 7] = Default::default();
    let mut lengths = [0usize; 7];
    let mut words = BTreeMap::new();
    for (i, text) in doc.fields.iter().enumerate() {
        // The dictionaries of the CJK tokenizers are third-party code: a
        // panic there leaves the field out of the index rather than failing
        // the build.
        let (ids, len) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            a.count_term_ids(text, &mut |t| interner.id(t))
        }))
        .unwrap_or_default();
        lengths[i] = len;
        counts[i] = ids;
        if a.mode == Mode::WordMap {
            a.word_map(text, &mut words);
        }
    }
    Analyzed {
        counts,
        lengths,
        words,
        hash: incident_hash(inc, &doc),
    }
}

/// What the index holds of an incident: its indexed text, and what the
/// results and filters show of it.
fn incident_hash(inc: &Incident, doc: &SearchDoc) -> u64 {
    let pm = &inc.pm;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let date = pm.date.to_string();
    let open = if inc.open_follow_ups() > 0 { "1" } else { "0" };
    let shown = [
        pm.id.as_str(),
        date.as_str(),
        pm.severity.as_deref().unwrap_or(""),
        pm.impact.as_deref().unwrap_or(""),
        open,
    ];
    for part in doc.fields.iter().map(String::as_str).chain(shown) {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    for list in [&pm.causes, &pm.services, &pm.teams] {
        h.update(&(list.len() as u64).to_le_bytes());
        for x in list {
            h.update(&(x.len() as u64).to_le_bytes());
            h.update(x.as_bytes());
        }
    }
    h.digest()
}

/// One posting of a chunk: the incident (within the chunk), and the field
/// (3 bits) and position in that field's counts (29 bits).
#[derive(Clone, Copy)]
struct Posting {
    doc: u32,
    field_pos: u32,
}

const POS_BITS: u32 = 29;

/// Builds the index files of a site and writes them into `sink`: the
/// shards as they are made, the rows and filter sets, then the manifest.
pub fn build(site: &Site, sink: &dyn Sink) -> Result<Stats, Diagnostic> {
    let started = Instant::now();
    let code = site.config.site.language.clone();
    let mode = Mode::for_language(&code);
    let incidents = &site.incidents;

    let chunks = analyze_chunks(incidents, &code);
    let analysis = started.elapsed();
    let epoch = epoch(&code, &site.config.postmortem.severities, &chunks);

    let (plan, terms, words) = shard_plan(&chunks, incidents.len());
    let parts = postings_by_shard(&chunks, &plan);
    let mut words_by_shard: Vec<BTreeMap<&str, &str>> = vec![BTreeMap::new(); plan.shards];
    for (w, s) in &words {
        if let Some(k) = plan.shard_of(w) {
            words_by_shard[k].insert(w, s);
        }
    }

    // The shards, written as they are made, and beside them the rows and
    // the filter sets.
    let facets = meta::facets(site);
    let (shards, others) = rayon::join(
        || {
            let t = Instant::now();
            let written = write_shards(sink, &chunks, &parts, &words_by_shard, &epoch);
            (written, t.elapsed())
        },
        || {
            let mut files = meta::chunk_files(site, &epoch);
            files.extend(meta::facet_files(&facets, &epoch));
            files
                .into_iter()
                .map(|(path, bytes)| put(sink, &path, &bytes).map(|()| (path, bytes.len())))
                .collect::<Vec<_>>()
        },
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
    for w in written.into_iter().chain(others) {
        let (path, len) = w?;
        stats.add(&path, len);
    }
    let manifest = meta::manifest(&meta::Manifest {
        epoch: &epoch,
        code: &code,
        mode: mode.name(),
        docs: incidents.len(),
        plan: &plan,
        facets: &facets,
    });
    stats.manifest_bytes = manifest.len();
    put(sink, "manifest.json", &manifest)?;
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
                .map(|inc| analyze(&a, inc, &mut interner))
                .collect();
            Chunk {
                first: c * chunk,
                terms: interner.into_terms(),
                docs,
            }
        })
        .collect()
}

/// The shard plan, from the weights of terms (and written words): what a
/// term adds to its shard file is about its text, its document
/// frequencies, 6 bytes for each incident of its first tier and, for a
/// term in more incidents than that, the set of them (a bitmap at most).
/// Also returns the number of terms and the written words (word → stem).
fn shard_plan(chunks: &[Chunk], docs: usize) -> (Plan, usize, BTreeMap<&str, &str>) {
    let local_counts: Vec<Vec<u64>> = chunks
        .par_iter()
        .map(|ch| {
            let mut w = vec![0u64; ch.terms.len()];
            for d in &ch.docs {
                for f in &d.counts {
                    for &(t, _) in f {
                        w[t as usize] += 1;
                    }
                }
            }
            w
        })
        .collect();
    let mut counts: HashMap<&str, u64, FxBuildHasher> = HashMap::with_hasher(FxBuildHasher);
    for (ch, w) in chunks.iter().zip(&local_counts) {
        for (t, &w) in ch.terms.iter().zip(w) {
            if w > 0 {
                *counts.entry(&**t).or_insert(0) += w;
            }
        }
    }
    let first = terms::FIRST_TIER as u64;
    let by_term: HashMap<&str, u64, FxBuildHasher> = counts
        .iter()
        .map(|(t, &n)| {
            let set = if n > first {
                (n + n / 4).min(docs as u64 / 8) + 8
            } else {
                0
            };
            (*t, t.len() as u64 + 8 + 6 * n.min(first) + set)
        })
        .collect();
    drop(counts);
    let local_weights = local_counts;
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

/// The epoch of an index: a hash of everything it holds (the format, the
/// language, and each incident's indexed text and shown values), so that
/// a file of one build is never taken for one of another.
fn epoch(code: &str, severities: &[String], chunks: &[Chunk]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [FORMAT, env!("CARGO_PKG_VERSION"), code]
        .into_iter()
        .chain(severities.iter().map(String::as_str))
    {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    for d in chunks.iter().flat_map(|ch| &ch.docs) {
        h.update(&d.hash.to_le_bytes());
    }
    format!("{:016x}", h.digest())
}

/// Writes the term shards and their tiers (in parallel); returns each
/// file's path and length.
fn write_shards(
    sink: &dyn Sink,
    chunks: &[Chunk],
    parts: &[Vec<Vec<Posting>>],
    words_by_shard: &[BTreeMap<&str, &str>],
    epoch: &str,
) -> Vec<Result<(String, usize), Diagnostic>> {
    let docs = chunks.iter().map(|ch| ch.docs.len()).sum();
    (0..words_by_shard.len())
        .into_par_iter()
        .flat_map_iter(|s| {
            let postings = chunks.iter().zip(parts).flat_map(|(ch, p)| {
                p[s].iter().filter_map(move |p| {
                    let f = (p.field_pos >> POS_BITS) as usize;
                    let pos = (p.field_pos & ((1 << POS_BITS) - 1)) as usize;
                    let d = ch.docs.get(p.doc as usize)?;
                    let &(t, n) = d.counts.get(f)?.get(pos)?;
                    let term = ch.terms.get(t as usize)?;
                    let len = *d.lengths.get(f)? as u32;
                    Some(((ch.first + p.doc as usize) as u32, f, &**term, n, len))
                })
            });
            let files = terms::shard_files(postings, &words_by_shard[s], docs, epoch);
            files
                .into_iter()
                .enumerate()
                .map(|(k, bytes)| {
                    let path = if k == 0 {
                        format!("terms/{s}.bin")
                    } else {
                        format!("terms/{s}-{k}.bin")
                    };
                    put(sink, &path, &bytes).map(|()| (path, bytes.len()))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn put(sink: &dyn Sink, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let path = format!("{DIR}/{path}");
    sink.put(&path, bytes)
        .map_err(|e| Diagnostic::error(Code::Io, format!("cannot write {path}: {e}")))
}
