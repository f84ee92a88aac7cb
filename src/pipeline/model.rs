//! The second stage: the site model made from the loaded files — ids
//! checked, bodies rendered (in parallel), timelines and follow-ups merged
//! from the bodies, relations derived. With a [`BuildState`], bodies whose
//! text and link targets did not change are reused.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::cache::CachedBody;
use super::{BuildState, Loaded, Pipeline};
use crate::diagnostics::yaml::{Target, YamlPath};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Pos};
use crate::model::body::RenderedBody;
use crate::model::links::{LinkEntry, LinkTable};
use crate::model::merge::{body_problems, merge_body};
use crate::model::postmortem::{Page, Postmortem};
use crate::model::site::{Clock, Incident, PageDoc, Site, assemble, is_built};
use crate::model::timeline::Metrics;
use crate::model::urls::postmortem_path;
use crate::render::fragments::Fp;

/// The link table and the ids known (drafts and broken files included),
/// and whether they are the ones the last run had.
struct Links {
    table: Arc<LinkTable>,
    ids: Arc<HashSet<String>>,
    reused: bool,
}

impl Pipeline {
    /// Builds the site model: ids checked, bodies rendered, timelines and
    /// relations derived. Errors in any file are all reported. With a
    /// state, bodies whose inputs did not change are reused.
    pub fn model(
        &self,
        loaded: Loaded,
        clock: Clock,
        mut state: Option<&mut BuildState>,
        diags: &mut Diagnostics,
    ) -> Option<Site> {
        let duplicates = duplicate_ids(&loaded.postmortems, diags);
        let links = self.links(&loaded, state.as_deref_mut());
        duplicate_pages(&loaded.pages, diags);
        let known: Vec<&str> = links.ids.iter().map(String::as_str).collect();
        let (drafts, public) = (self.options.drafts, self.options.public);
        let built: Vec<Arc<Postmortem>> = loaded
            .postmortems
            .into_iter()
            .filter(|pm| is_built(pm, drafts, public) && !duplicates.contains(&pm.source.file.path))
            .collect();
        let incidents = self.incidents(built, &links, &known, state.as_deref_mut(), diags);
        let pages = self.pages(loaded.pages, &links.table, &known, diags);
        let skeleton = state.as_mut().and_then(|s| s.skeleton.take());
        match assemble(
            self.config.clone(),
            clock,
            public,
            incidents,
            pages,
            &links.ids,
            skeleton,
        ) {
            Ok((site, skeleton)) => {
                if let Some(s) = state.as_mut() {
                    s.skeleton = Some(skeleton);
                }
                Some(site)
            }
            Err(d) => {
                diags.extend(d);
                None
            }
        }
    }

    /// What links can point at; reused while no id, title, visibility or
    /// file changed.
    fn links(&self, loaded: &Loaded, state: Option<&mut BuildState>) -> Links {
        let (drafts, public) = (self.options.drafts, self.options.public);
        let fp = links_fingerprint(loaded, drafts, public);
        let reuse = state
            .as_ref()
            .and_then(|s| s.links.clone())
            .filter(|l| l.0 == fp);
        let links = match reuse {
            Some((_, table, ids)) => Links {
                table,
                ids,
                reused: true,
            },
            None => Links {
                table: Arc::new(self.link_table(loaded)),
                ids: Arc::new(known_ids(loaded)),
                reused: false,
            },
        };
        if let Some(s) = state {
            s.links = Some((fp, links.table.clone(), links.ids.clone()));
        }
        links
    }

    fn link_table(&self, loaded: &Loaded) -> LinkTable {
        let (drafts, public) = (self.options.drafts, self.options.public);
        let base = self.config.base_path();
        let mut links = LinkTable {
            base_path: base.clone(),
            ..LinkTable::default()
        };
        for pm in &loaded.postmortems {
            let url = format!("{base}{}", postmortem_path(&pm.id));
            let built = is_built(pm, drafts, public);
            links
                .files
                .insert(pm.source.file.content_rel.clone(), (url.clone(), !built));
            if !built {
                links.hidden_pages.insert(url.clone());
            }
            links.ids.entry(pm.id.clone()).or_insert(LinkEntry {
                url,
                title: pm.title.clone(),
                hidden: !built,
            });
        }
        for id in &loaded.failed_ids {
            links.ids.entry(id.clone()).or_insert(LinkEntry {
                url: format!("{base}{}", postmortem_path(id)),
                title: id.clone(),
                hidden: true,
            });
        }
        for p in &loaded.pages {
            let url = format!("{base}{}/", p.slug);
            let hidden = p.draft && !drafts;
            if hidden {
                links.hidden_pages.insert(url.clone());
            }
            links
                .files
                .insert(p.source.file.content_rel.clone(), (url, hidden));
        }
        for a in &loaded.assets {
            links.assets.insert(a.rel.clone());
        }
        links
    }

    /// Every built postmortem with its rendered body and what is derived
    /// from it, in parallel; the bodies' problems go to `diags`.
    fn incidents(
        &self,
        built: Vec<Arc<Postmortem>>,
        links: &Links,
        known: &[&str],
        mut state: Option<&mut BuildState>,
        diags: &mut Diagnostics,
    ) -> Vec<Incident> {
        let cache = state.as_ref().map(|s| &s.bodies);
        let rendered: Vec<(Incident, Option<CachedBody>)> = built
            .into_par_iter()
            .map(|pm| {
                let cached = cache.and_then(|c| c.get(&pm.source.file.path));
                self.incident(pm, links, known, cached)
            })
            .collect();
        let mut incidents = Vec::with_capacity(rendered.len());
        let mut fresh_bodies = Vec::new();
        for (inc, fresh) in rendered {
            diags.extend(inc.diagnostics.iter().cloned());
            if let Some(entry) = fresh {
                fresh_bodies.push((inc.pm.source.file.path.clone(), entry));
            }
            incidents.push(inc);
        }
        if let Some(s) = state.as_mut() {
            // Keep the bodies of files still built; add the new ones.
            if s.bodies.len() != incidents.len() {
                let live: HashSet<&Path> = incidents
                    .iter()
                    .map(|i| i.pm.source.file.path.as_path())
                    .collect();
                s.bodies.retain(|p, _| live.contains(p.as_path()));
            }
            s.bodies.extend(fresh_bodies);
        }
        incidents
    }

    /// One incident: its body rendered and merged (or the cached one, when
    /// its text and link targets are the same), and a fresh cache entry.
    fn incident(
        &self,
        pm: Arc<Postmortem>,
        links: &Links,
        known: &[&str],
        cached: Option<&CachedBody>,
    ) -> (Incident, Option<CachedBody>) {
        let doc_rel = &pm.source.file.content_rel;
        let reusable = cached.filter(|c| {
            c.source_hash == pm.source.hash
                && c.body.problems.is_empty()
                && (links.reused || links.table.still_valid(doc_rel, &c.body.deps))
        });
        let (entry, fresh) = match reusable {
            Some(c) => (c.clone(), false),
            None => {
                let body = self
                    .markdown
                    .render(pm.source.body_text(), doc_rel, &links.table);
                let mut ds = body_problems(&pm.source, &body, known);
                let mut merged = (*pm).clone();
                ds.extend(merge_body(&mut merged, &body));
                let metrics = Metrics::from_entries(&merged.timeline);
                let entry = CachedBody {
                    source_hash: pm.source.hash,
                    merged: Arc::new(merged),
                    body: Arc::new(body),
                    metrics,
                    diagnostics: ds,
                };
                (entry, true)
            }
        };
        let severities = &self.config.postmortem.severities;
        let severity_rank = entry
            .merged
            .severity
            .as_ref()
            .and_then(|s| severities.iter().position(|x| x == s))
            .unwrap_or(severities.len());
        let inc = Incident {
            url: format!(
                "{}{}",
                self.config.base_path(),
                postmortem_path(&entry.merged.id)
            ),
            pm: entry.merged.clone(),
            body: entry.body.clone(),
            metrics: entry.metrics.clone(),
            related: Vec::new(),
            backlinks: Vec::new(),
            similar: Vec::new(),
            severity_rank,
            diagnostics: entry.diagnostics.clone(),
        };
        (inc, fresh.then_some(entry))
    }

    /// The free pages, rendered (drafts only when asked), by slug.
    fn pages(
        &self,
        pages: Vec<Arc<Page>>,
        links: &LinkTable,
        known: &[&str],
        diags: &mut Diagnostics,
    ) -> Vec<PageDoc> {
        let base = self.config.base_path();
        let drafts = self.options.drafts;
        let rendered: Vec<(PageDoc, Vec<Diagnostic>)> = pages
            .into_par_iter()
            .filter(|p| drafts || !p.draft)
            .map(|page| {
                let body: RenderedBody = self.markdown.render(
                    page.source.body_text(),
                    &page.source.file.content_rel,
                    links,
                );
                let ds = body_problems(&page.source, &body, known);
                let url = format!("{base}{}/", page.slug);
                let doc = PageDoc {
                    page: (*page).clone(),
                    url,
                    body,
                };
                (doc, ds)
            })
            .collect();
        let mut docs = Vec::new();
        for (p, ds) in rendered {
            diags.extend(ds);
            docs.push(p);
        }
        docs.sort_by(|a, b| a.page.slug.cmp(&b.page.slug));
        docs
    }
}

/// Ids are unique across the knowledge base (drafts included): the files
/// that repeat an id are reported and left out.
fn duplicate_ids(postmortems: &[Arc<Postmortem>], diags: &mut Diagnostics) -> HashSet<PathBuf> {
    let mut first_use: HashMap<&str, &Postmortem> = HashMap::new();
    let mut duplicates = HashSet::new();
    let id_path = YamlPath::root().key("id");
    for pm in postmortems {
        match first_use.get(pm.id.as_str()) {
            Some(other) => {
                let other_pos = other.source.locate(&id_path, Target::Value);
                let d = Diagnostic::error(
                    Code::DuplicateId,
                    format!(
                        "duplicate id `{}`: {}:{} has the same id",
                        pm.id,
                        other.source.file.shown.display(),
                        other_pos.line
                    ),
                )
                .with_hint("give one of them another `id:` (or rename the file)");
                diags.push(pm.source.diagnostic_at(d, &id_path, Target::Value));
                duplicates.insert(pm.source.file.path.clone());
            }
            None => {
                first_use.insert(&pm.id, pm);
            }
        }
    }
    duplicates
}

/// Pages with the same slug collide.
fn duplicate_pages(pages: &[Arc<Page>], diags: &mut Diagnostics) {
    let mut page_slugs: HashMap<&str, &Page> = HashMap::new();
    for p in pages {
        if let Some(other) = page_slugs.insert(&p.slug, p) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicatePage,
                    format!(
                        "page `/{}/` is also made by {}",
                        p.slug,
                        other.source.file.shown.display()
                    ),
                )
                .in_file(&p.source.file.shown)
                .at(Pos::new(1, 1)),
            );
        }
    }
}

/// The ids of every postmortem, broken files' included.
fn known_ids(loaded: &Loaded) -> HashSet<String> {
    let mut ids: HashSet<String> = loaded.postmortems.iter().map(|p| p.id.clone()).collect();
    ids.extend(loaded.failed_ids.iter().cloned());
    ids
}

/// What the link table is made from: ids, titles, visibility, files.
fn links_fingerprint(loaded: &Loaded, drafts: bool, public: bool) -> u64 {
    let mut f = Fp::new();
    for pm in &loaded.postmortems {
        f = f
            .str(&pm.id)
            .str(&pm.title)
            .u64(u64::from(is_built(pm, drafts, public)))
            .str(&pm.source.file.content_rel);
    }
    for id in &loaded.failed_ids {
        f = f.str("\u{0}failed").str(id);
    }
    for p in &loaded.pages {
        f = f
            .str("\u{0}page")
            .str(&p.slug)
            .u64(u64::from(p.draft))
            .str(&p.source.file.content_rel);
    }
    for a in &loaded.assets {
        f = f.str("\u{0}asset").str(&a.rel);
    }
    f.finish()
}
