//! What the search page shows and filters by, apart from the terms: the
//! manifest, the results' rows in chunks, and the filters' sets.
//!
//! - `docs/<c>.json`: id, title, date and severity of incidents
//!   `c × CHUNK …`, fetched for the results on screen.
//! - `summaries/<c>.json`: their summary and impact, the snippet of a
//!   search by filters alone (a search with words takes its snippets from
//!   the pages of the results, where the words matched).
//! - `facets/<facet>-<k>.bin`: the set of incidents with value `k` of a
//!   filter (severity, cause, service, team, year, kind, open follow-ups),
//!   fetched when that filter is used.
//! - `manifest.json`: the epoch, the language, the shard plan, the tiers,
//!   and each filter's values with their counts.

use serde_json::{Value, json};

use super::encode::Writer;
use super::shards::Plan;
use super::terms;
use super::{BOOSTS, FIELDS};
use crate::model::site::Site;

/// Incidents per chunk of `docs/` and `summaries/`: the results of a
/// search by words are scattered over the history, so each needs a chunk
/// of its own; small chunks keep that cheap.
pub const CHUNK: usize = 32;

/// The columns of the rows of `docs/<c>.json`.
pub const COLUMNS: [&str; 4] = ["id", "title", "date", "severity"];

/// One filter: its name in file names and the URL, and for each value
/// its name and its incidents (ascending numbers).
pub struct Facet {
    pub name: &'static str,
    pub values: Vec<(String, Vec<u32>)>,
}

/// The filters of a site, in the order of the form.
pub fn facets(site: &Site) -> Vec<Facet> {
    let incidents = &site.incidents;
    let severities = &site.config.postmortem.severities;
    let by = |name: &'static str,
              map: &std::collections::BTreeMap<String, crate::model::site::Facet>| {
        Facet {
            name,
            values: map
                .iter()
                .map(|(k, f)| {
                    let mut docs: Vec<u32> = f.incidents.iter().map(|&i| i as u32).collect();
                    docs.sort_unstable();
                    docs.dedup();
                    (k.clone(), docs)
                })
                .collect(),
        }
    };
    let where_ = |keep: &dyn Fn(usize) -> bool| -> Vec<u32> {
        (0..incidents.len())
            .filter(|&i| keep(i))
            .map(|i| i as u32)
            .collect()
    };
    let sev = Facet {
        name: "sev",
        values: severities
            .iter()
            .map(|s| {
                let docs = where_(&|i| incidents[i].pm.severity.as_ref() == Some(s));
                (s.clone(), docs)
            })
            .collect(),
    };
    let mut years: Vec<i16> = incidents.iter().map(|i| i.pm.date.year()).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let year = Facet {
        name: "year",
        values: years
            .iter()
            .map(|&y| {
                let docs = where_(&|i| incidents[i].pm.date.year() == y);
                (y.to_string(), docs)
            })
            .collect(),
    };
    let kind = Facet {
        name: "kind",
        values: crate::model::postmortem::Kind::ALL
            .iter()
            .map(|&k| {
                (
                    k.as_str().to_string(),
                    where_(&|i| incidents[i].pm.kind == k),
                )
            })
            .collect(),
    };
    let open = Facet {
        name: "open",
        values: vec![(
            "1".to_string(),
            where_(&|i| incidents[i].open_follow_ups() > 0),
        )],
    };
    vec![
        sev,
        by("cause", &site.causes),
        by("service", &site.services),
        by("team", &site.teams),
        year,
        kind,
        open,
    ]
}

/// `facets/<facet>-<k>.bin` for each filter value: path and bytes.
pub fn facet_files(facets: &[Facet], epoch: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for f in facets {
        for (k, (_, docs)) in f.values.iter().enumerate() {
            let mut w = Writer::new(epoch);
            w.docs(docs);
            out.push((format!("facets/{}-{k}.bin", f.name), w.buf));
        }
    }
    out
}

/// `docs/<c>.json` and `summaries/<c>.json`: path and bytes.
pub fn chunk_files(site: &Site, epoch: &str) -> Vec<(String, Vec<u8>)> {
    let severities = &site.config.postmortem.severities;
    let mut out = Vec::new();
    for (c, part) in site.incidents.chunks(CHUNK).enumerate() {
        let rows: Vec<Value> = part
            .iter()
            .map(|inc| {
                let pm = &inc.pm;
                let sev = pm
                    .severity
                    .as_ref()
                    .and_then(|s| severities.iter().position(|x| x == s))
                    .map_or(-1, |i| i as i64);
                json!([pm.id, pm.title, pm.date.to_string(), sev])
            })
            .collect();
        let summaries: Vec<String> = part
            .iter()
            .map(|inc| {
                let pm = &inc.pm;
                let mut s = pm.summary.clone().unwrap_or_default();
                if let Some(impact) = &pm.impact {
                    if !s.is_empty() {
                        s.push('\n');
                    }
                    s.push_str("Impact: ");
                    s.push_str(impact);
                }
                s
            })
            .collect();
        out.push((
            format!("docs/{c}.json"),
            to_vec(&json!({"epoch": epoch, "docs": rows})),
        ));
        out.push((
            format!("summaries/{c}.json"),
            to_vec(&json!({"epoch": epoch, "summaries": summaries})),
        ));
    }
    out
}

/// What `manifest.json` says.
pub struct Manifest<'a> {
    pub epoch: &'a str,
    pub code: &'a str,
    pub mode: &'a str,
    pub docs: usize,
    pub plan: &'a Plan,
    pub facets: &'a [Facet],
}

pub fn manifest(m: &Manifest) -> Vec<u8> {
    let (keys, key_shards): (Vec<&str>, Vec<usize>) =
        m.plan.keys.iter().map(|(k, s)| (k.as_str(), *s)).unzip();
    let mut facets = serde_json::Map::new();
    for f in m.facets {
        let (values, counts): (Vec<&str>, Vec<usize>) =
            f.values.iter().map(|(v, d)| (v.as_str(), d.len())).unzip();
        facets.insert(f.name.into(), json!({"values": values, "counts": counts}));
    }
    to_vec(&json!({
        "epoch": m.epoch,
        "lang": m.code,
        "mode": m.mode,
        "fields": FIELDS,
        "boosts": BOOSTS,
        "docs": m.docs,
        "chunk": CHUNK,
        "columns": COLUMNS,
        "tiers": {"first": terms::FIRST_TIER, "growth": terms::TIER_GROWTH, "count": terms::TIERS},
        "shards": m.plan.shards,
        "keys": keys,
        "keyShards": key_shards,
        "facets": facets,
    }))
}

fn to_vec(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec())
}
