//! The site model: every incident with what is derived from it (rendered
//! body, timeline metrics, related incidents), and the indexes by cause,
//! service, team and tag that the pages are made from.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::config::Config;
use crate::diagnostics::Code;
use crate::diagnostics::yaml::Target;
use crate::diagnostics::{Diagnostic, Diagnostics, suggest};
use crate::model::body::RenderedBody;
use crate::model::followup::FollowUpStatus;
use crate::model::postmortem::{Page, Postmortem, Visibility};
use crate::model::recurrence::{Recurrences, recurrences};
use crate::model::timeline::Metrics;

/// The build's notion of "now": overdue follow-ups and "on this day" are
/// computed against it, and it is the only time written into the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    pub now: Timestamp,
    pub today: Date,
}

impl Clock {
    pub fn at(now: Timestamp, tz: &jiff::tz::TimeZone) -> Self {
        Clock {
            now,
            today: now.to_zoned_datetime(tz.clone()).date(),
        }
    }
}

/// An incident in the site, with everything derived from it.
#[derive(Clone, Debug)]
pub struct Incident {
    /// The postmortem, with its body's timeline and task list merged in.
    pub pm: Arc<Postmortem>,
    /// The page's path-absolute URL, e.g. `/postmortems/2018-04-12-x/`.
    pub url: String,
    pub body: Arc<RenderedBody>,
    pub metrics: Metrics,
    /// Declared related incidents (indexes into `Site::incidents`).
    pub related: Vec<usize>,
    /// Incidents that declare or link to this one.
    pub backlinks: Vec<usize>,
    /// Computed similar incidents, best first.
    pub similar: Vec<usize>,
    pub severity_rank: usize,
    /// Problems found while deriving it (warnings; errors stop the build).
    pub diagnostics: Vec<Diagnostic>,
}

impl Incident {
    pub fn id(&self) -> &str {
        &self.pm.id
    }

    pub fn follow_ups_done(&self) -> usize {
        self.pm
            .follow_ups
            .iter()
            .filter(|f| f.status == FollowUpStatus::Done)
            .count()
    }

    pub fn open_follow_ups(&self) -> usize {
        self.pm
            .follow_ups
            .iter()
            .filter(|f| f.status.is_pending())
            .count()
    }
}

/// A free page in the site.
#[derive(Clone, Debug)]
pub struct PageDoc {
    pub page: Page,
    pub url: String,
    pub body: RenderedBody,
}

/// The incidents that share a cause, service, team or tag.
#[derive(Clone, Debug, Default)]
pub struct Facet {
    pub slug: String,
    /// Newest first.
    pub incidents: Vec<usize>,
    /// How often it was the trigger (causes only).
    pub as_trigger: usize,
}

/// The whole site.
#[derive(Clone, Debug)]
pub struct Site {
    pub config: Arc<Config>,
    pub clock: Clock,
    pub public: bool,
    /// Newest first (date, then id).
    pub incidents: Vec<Incident>,
    pub by_id: Arc<HashMap<String, usize>>,
    pub pages: Vec<PageDoc>,
    pub causes: Arc<BTreeMap<String, Facet>>,
    pub services: Arc<BTreeMap<String, Facet>>,
    pub teams: Arc<BTreeMap<String, Facet>>,
    pub tags: Arc<BTreeMap<String, Facet>>,
    /// The incidents of each kind (`incident`, `near-miss`, `exercise`).
    pub kinds: Arc<BTreeMap<String, Facet>>,
    /// Reading-list incidents, in the configured order.
    pub reading_list: Vec<usize>,
    /// Which incidents recur which (see [`crate::model::recurrence`]).
    pub recurrences: Arc<Recurrences>,
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.base_path(), path)
    }

    /// The page of a cause, service, team or tag (names are percent-encoded:
    /// tags may be in any language).
    pub fn facet_url(&self, kind: &str, name: &str) -> String {
        let seg = percent_encoding::utf8_percent_encode(name, crate::model::links::SEGMENT_SET);
        format!("{}{kind}/{seg}/", self.config.base_path())
    }
}

/// What the model derives from how incidents relate (order, relations,
/// facets, similar incidents), reusable while what it is computed from —
/// ids, dates, causes, services, teams, tags, relations and links — stays
/// the same (editing prose or a follow-up changes none of it).
#[derive(Clone, Debug)]
pub struct Skeleton {
    fp: u64,
    by_id: Arc<HashMap<String, usize>>,
    related: Vec<Vec<usize>>,
    backlinks: Vec<Vec<usize>>,
    similar: Vec<Vec<usize>>,
    causes: Arc<BTreeMap<String, Facet>>,
    services: Arc<BTreeMap<String, Facet>>,
    teams: Arc<BTreeMap<String, Facet>>,
    tags: Arc<BTreeMap<String, Facet>>,
    kinds: Arc<BTreeMap<String, Facet>>,
    reading_list: Vec<usize>,
    /// The recurrences of the last run and the fingerprint of what they
    /// were computed from ([`recurrence_fp`]).
    recurrences: Option<(u64, Arc<Recurrences>)>,
}

/// What recurrences depend on beyond the skeleton: every follow-up's
/// title, status and completion date (a prose edit changes none of them,
/// so `serve` does not compute them again).
fn recurrence_fp(skeleton_fp: u64, incidents: &[Incident]) -> u64 {
    let mut b = FpBytes::default();
    b.u64(skeleton_fp);
    for inc in incidents {
        b.u64(inc.pm.follow_ups.len() as u64);
        for f in &inc.pm.follow_ups {
            b.put(0, f.title.as_bytes());
            b.put(1, &[f.status as u8]);
            let day = f
                .completed
                .map_or(i64::MIN, crate::model::timeline::day_number);
            b.put(2, &day.to_le_bytes());
        }
    }
    b.digest()
}

/// The bytes a fingerprint is taken of, gathered first and hashed in one
/// go: hashing each of the hundreds of thousands of short fields on its
/// own cost `serve` about 20 ms a round at 10,000 incidents.
#[derive(Default)]
struct FpBytes(Vec<u8>);

impl FpBytes {
    /// A field: its tag and length, then its bytes.
    fn put(&mut self, tag: u8, s: &[u8]) {
        self.0.push(tag);
        self.0.extend_from_slice(&(s.len() as u64).to_le_bytes());
        self.0.extend_from_slice(s);
    }

    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn digest(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

/// The fingerprint a [`Skeleton`] is valid for. `incidents` are in site
/// order.
fn skeleton_fp(incidents: &[Incident], config: &Config, all_ids: &HashSet<String>) -> u64 {
    let mut b = FpBytes::default();
    let mut put = |tag: u8, s: &[u8]| b.put(tag, s);
    for inc in incidents {
        let pm = &inc.pm;
        put(0, pm.id.as_bytes());
        put(
            1,
            &crate::model::timeline::day_number(pm.date).to_le_bytes(),
        );
        for c in &pm.causes {
            put(2, c.as_bytes());
        }
        put(3, pm.trigger.as_deref().unwrap_or("").as_bytes());
        for x in &pm.services {
            put(4, x.as_bytes());
        }
        for x in &pm.teams {
            put(5, x.as_bytes());
        }
        for x in &pm.tags {
            put(6, x.as_bytes());
        }
        for r in &pm.related {
            put(7, r.id.as_bytes());
        }
        for l in &inc.body.links_to {
            put(8, l.as_bytes());
        }
        put(11, pm.kind.as_str().as_bytes());
    }
    for id in &config.postmortem.reading_list {
        put(9, id.as_bytes());
    }
    // Which other ids exist decides whether a relation is an error.
    let mut ids: Vec<&String> = all_ids.iter().collect();
    ids.sort_unstable();
    for id in ids {
        put(10, id.as_bytes());
    }
    b.digest()
}

/// Builds the model from checked postmortems (already filtered for drafts
/// and visibility) and their rendered bodies. A skeleton from an earlier
/// run is reused when it still fits; the skeleton of this run is returned
/// with the site.
pub fn assemble(
    config: Arc<Config>,
    clock: Clock,
    public: bool,
    incidents: Vec<Incident>,
    pages: Vec<PageDoc>,
    all_ids: &HashSet<String>,
    previous: Option<Skeleton>,
) -> Result<(Site, Skeleton), Diagnostics> {
    let mut incidents = newest_first(incidents);
    let fp = skeleton_fp(&incidents, &config, all_ids);
    let mut skeleton = match previous {
        Some(s) if s.fp == fp => s,
        _ => skeleton(fp, &incidents, &config, all_ids)?,
    };
    for (i, inc) in incidents.iter_mut().enumerate() {
        inc.related = skeleton.related[i].clone();
        inc.backlinks = skeleton.backlinks[i].clone();
        inc.similar = skeleton.similar[i].clone();
    }
    // Follow-up statuses decide recurrences, and they are not part of the
    // skeleton: computed again (linear in the causes' incidents) whenever
    // a follow-up changed, reused otherwise (a prose edit in `serve`).
    let rfp = recurrence_fp(fp, &incidents);
    let recurrences = match &skeleton.recurrences {
        Some((f, r)) if *f == rfp => Arc::clone(r),
        _ => {
            let pms: Vec<&Postmortem> = incidents.iter().map(|i| &*i.pm).collect();
            Arc::new(recurrences(&pms, &skeleton.causes))
        }
    };
    skeleton.recurrences = Some((rfp, Arc::clone(&recurrences)));
    let site = Site {
        config,
        clock,
        public,
        incidents,
        by_id: skeleton.by_id.clone(),
        pages,
        causes: skeleton.causes.clone(),
        services: skeleton.services.clone(),
        teams: skeleton.teams.clone(),
        tags: skeleton.tags.clone(),
        kinds: skeleton.kinds.clone(),
        reading_list: skeleton.reading_list.clone(),
        recurrences,
    };
    Ok((site, skeleton))
}

/// Incidents newest first, by id within a day. An order of indices is
/// sorted, and each incident moved once: sorting the incidents themselves
/// moved them (large values) at every step.
fn newest_first(incidents: Vec<Incident>) -> Vec<Incident> {
    let mut order: Vec<usize> = (0..incidents.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&incidents[a].pm, &incidents[b].pm);
        b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id))
    });
    let mut slots: Vec<Option<Incident>> = incidents.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Computes a skeleton; reports unknown relations and reading-list ids.
fn skeleton(
    fp: u64,
    incidents: &[Incident],
    config: &Config,
    all_ids: &HashSet<String>,
) -> Result<Skeleton, Diagnostics> {
    let mut diags = Diagnostics::new();
    let by_id: HashMap<String, usize> = incidents
        .iter()
        .enumerate()
        .map(|(i, x)| (x.pm.id.clone(), i))
        .collect();
    let known: Vec<&str> = all_ids.iter().map(String::as_str).collect();
    let (related, backlinks) = relations(incidents, &by_id, all_ids, &known, &mut diags);
    let facets = Facets::of(incidents);
    let similar =
        crate::model::similar::similar_incidents(incidents, &facets.causes, &facets.services, 5);
    let reading_list = reading_list(config, &by_id, all_ids, &known, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Skeleton {
        fp,
        by_id: Arc::new(by_id),
        related,
        backlinks,
        similar,
        causes: Arc::new(facets.causes),
        services: Arc::new(facets.services),
        teams: Arc::new(facets.teams),
        tags: Arc::new(facets.tags),
        kinds: Arc::new(facets.kinds),
        reading_list,
        recurrences: None,
    })
}

/// Declared relations (checked), and the backlinks of declarations and
/// `[[id]]` links.
fn relations(
    incidents: &[Incident],
    by_id: &HashMap<String, usize>,
    all_ids: &HashSet<String>,
    known: &[&str],
    diags: &mut Diagnostics,
) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let mut related_all: Vec<Vec<usize>> = Vec::with_capacity(incidents.len());
    let mut backlinks: Vec<Vec<usize>> = vec![Vec::new(); incidents.len()];
    for (i, inc) in incidents.iter().enumerate() {
        let mut related = Vec::new();
        let mut seen = HashSet::new();
        for r in &inc.pm.related {
            match by_id.get(&r.id) {
                Some(&j) if j != i => {
                    if seen.insert(j) {
                        related.push(j);
                    }
                    backlinks[j].push(i);
                }
                Some(_) => {}
                None if all_ids.contains(&r.id) => {} // a draft or internal incident left out of this build
                None => {
                    let d = Diagnostic::error(
                        Code::UnknownId,
                        format!("related postmortem `{}` does not exist", r.id),
                    )
                    .maybe_hint(
                        suggest(&r.id, known.iter().copied())
                            .map(|s| format!("did you mean `{s}`?")),
                    );
                    diags.push(inc.pm.source.diagnostic_at(d, &r.path, Target::Value));
                }
            }
        }
        for id in &inc.body.links_to {
            if let Some(&j) = by_id.get(id)
                && j != i
            {
                backlinks[j].push(i);
            }
        }
        related_all.push(related);
    }
    for b in &mut backlinks {
        b.sort_unstable();
        b.dedup();
    }
    (related_all, backlinks)
}

/// The incidents of each cause, service, team and tag.
struct Facets {
    causes: BTreeMap<String, Facet>,
    services: BTreeMap<String, Facet>,
    teams: BTreeMap<String, Facet>,
    tags: BTreeMap<String, Facet>,
    kinds: BTreeMap<String, Facet>,
}

impl Facets {
    fn of(incidents: &[Incident]) -> Facets {
        let mut f = Facets {
            causes: BTreeMap::new(),
            services: BTreeMap::new(),
            teams: BTreeMap::new(),
            tags: BTreeMap::new(),
            kinds: BTreeMap::new(),
        };
        for (i, inc) in incidents.iter().enumerate() {
            for c in &inc.pm.causes {
                add_to_facet(&mut f.causes, c, i);
            }
            if let Some(t) = &inc.pm.trigger
                && let Some(c) = f.causes.get_mut(t)
            {
                c.as_trigger += 1;
            }
            for s in &inc.pm.services {
                add_to_facet(&mut f.services, s, i);
            }
            for t in &inc.pm.teams {
                add_to_facet(&mut f.teams, t, i);
            }
            for t in &inc.pm.tags {
                add_to_facet(&mut f.tags, t, i);
            }
            add_to_facet(&mut f.kinds, inc.pm.kind.as_str(), i);
        }
        f
    }
}

fn add_to_facet(map: &mut BTreeMap<String, Facet>, key: &str, i: usize) {
    match map.get_mut(key) {
        Some(f) => f.incidents.push(i),
        None => {
            map.insert(
                key.to_string(),
                Facet {
                    slug: key.to_string(),
                    incidents: vec![i],
                    as_trigger: 0,
                },
            );
        }
    }
}

/// The reading list, which names postmortems by id.
fn reading_list(
    config: &Config,
    by_id: &HashMap<String, usize>,
    all_ids: &HashSet<String>,
    known: &[&str],
    diags: &mut Diagnostics,
) -> Vec<usize> {
    let mut list = Vec::new();
    for (k, id) in config.postmortem.reading_list.iter().enumerate() {
        match by_id.get(id) {
            Some(&i) => list.push(i),
            None if all_ids.contains(id) => {}
            None => {
                let pos = config
                    .positions
                    .reading_list
                    .get(k)
                    .copied()
                    .unwrap_or_default();
                diags.push(
                    Diagnostic::error(
                        Code::UnknownId,
                        format!("reading-list names `{id}`, which is not a postmortem id"),
                    )
                    .in_file(crate::diagnostics::display_path(&config.config_path()))
                    .at(pos)
                    .maybe_hint(
                        suggest(id, known.iter().copied()).map(|s| format!("did you mean `{s}`?")),
                    ),
                );
            }
        }
    }
    list
}

/// Should this postmortem be in the build?
pub fn is_built(pm: &Postmortem, drafts: bool, public: bool) -> bool {
    (drafts || pm.status != crate::model::postmortem::Status::Draft)
        && !(public && pm.visibility == Visibility::Internal)
}
