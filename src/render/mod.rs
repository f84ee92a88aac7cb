//! Rendering: every page of the site from the model, through the theme's
//! templates, in parallel, straight into a [`sink::Sink`].
//!
//! Each page carries a fingerprint of its inputs. A full build renders
//! everything; `serve` keeps a [`RenderState`] and skips pages whose
//! fingerprint did not change since the last round. The list items and
//! table rows of each incident are rendered once ([`fragments`]) and
//! reused by every page that lists it.
//!
//! May use `write` (its sinks), `markdown` (the highlighting stylesheet),
//! `load` (theme files follow the same ignore rules), `model`, `config` and
//! `diagnostics`.

pub mod board;
pub mod charts;
pub mod distribution;
pub mod export;
pub mod facets;
pub mod fragments;
pub mod lists;
pub mod paginate;
pub mod recurrences;
pub mod review;
pub mod stats_page;
pub mod theme;
pub mod views;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::diagnostics::Code;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::postmortem::Postmortem;
use crate::model::site::Site;
use crate::render::theme::Theme;
use crate::write::sink::Sink;
use fragments::{Fp, PieceCache, Pieces, incident_list, row_list};
use views::{Link, human_date, iso_date};

/// What is kept between renders (by `serve`).
#[derive(Default)]
pub struct RenderState {
    pieces: PieceCache,
    /// Page path → fingerprint of its inputs when last rendered.
    pages: HashMap<String, u64>,
}

impl RenderState {
    /// The paths of the pages of the last render.
    pub fn page_paths(&self) -> impl Iterator<Item = &str> {
        self.pages.keys().map(String::as_str)
    }
}

/// What a render did.
#[derive(Debug, Default)]
pub struct RenderReport {
    /// Pages rendered.
    pub rendered: usize,
    /// Pages whose inputs had not changed (incremental renders only).
    pub skipped: usize,
}

/// One page to render: its path, template, the fingerprint of its inputs,
/// and how to make its context (only called when it is rendered).
pub(crate) struct Job<'r> {
    path: String,
    template: &'static str,
    fp: u64,
    context: Box<dyn FnOnce(&str) -> Context + Send + 'r>,
}

/// What the caller of a render round hears and decides along the way.
/// `pmsite build` and `check` use [`Unobserved`]; `serve` reloads the
/// edited page as soon as its own pages are written, and renders the
/// rest (list pages, exports) at a lower priority, so that the browser
/// reloading that page comes first.
pub trait Progress: Sync {
    /// The pages of single incidents and the free pages are written.
    fn own_pages_written(&self) {}

    /// Runs `render`, which renders everything else.
    fn render_rest(&self, render: &mut (dyn FnMut() + Send)) {
        render()
    }
}

/// A round nobody watches.
pub struct Unobserved;

impl Progress for Unobserved {}

/// Renders the whole site.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    tera: Tera,
    /// Fingerprint of what every page shows (configuration, theme,
    /// navigation, build date).
    global_fp: u64,
    /// Fingerprint of every incident's pieces, in order.
    all_fp: u64,
    pieces: Vec<Arc<Pieces>>,
    /// The board's order and views, computed once when first needed.
    board: board::BoardCache,
    /// The site's path prefix.
    base: String,
}

#[derive(Serialize)]
struct NavItem {
    title: String,
    url: String,
    key: String,
}

#[derive(Serialize)]
struct SiteView {
    title: String,
    description: String,
    base: String,
    base_url: String,
    language: String,
    static_url: String,
    nav: Vec<NavItem>,
    pages: Vec<Link>,
    search: bool,
    severities: Vec<String>,
    today: String,
    /// Served by `pmsite serve`: pages load the live-reload script.
    live: bool,
    fu_columns: FollowUpColumns,
}

/// Whether any follow-up of the site has a team, and a type: a column
/// that no follow-up fills is left out of every follow-up table.
#[derive(Serialize)]
struct FollowUpColumns {
    team: bool,
    #[serde(rename = "type")]
    kind: bool,
}

/// Every follow-up of every incident.
fn follow_ups(site: &Site) -> impl Iterator<Item = &crate::model::followup::FollowUp> {
    site.incidents.iter().flat_map(|i| &i.pm.follow_ups)
}

impl<'a> Renderer<'a> {
    /// Prepares a render: the template engine with the site's globals, and
    /// the pieces of every incident (from `state` when unchanged).
    /// `inputs_fp` fingerprints the configuration and options.
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        engine: &Tera,
        inputs_fp: u64,
        live: bool,
        state: &mut RenderState,
    ) -> Result<Self, Diagnostics> {
        let mut tera = engine.clone();
        let base = site.config.base_path();
        let nav = [
            ("Incidents", "postmortems/", "postmortems"),
            ("Timeline", "timeline/", "timeline"),
            ("Causes", "causes/", "causes"),
            ("Recurrences", "recurrences/", "recurrences"),
            ("Services", "services/", "services"),
            ("Follow-ups", "follow-ups/", "follow-ups"),
            ("Stats", "stats/", "stats"),
        ]
        .into_iter()
        .map(|(t, u, k)| NavItem {
            title: t.into(),
            url: format!("{base}{u}"),
            key: k.into(),
        })
        .collect();
        let mut pages: Vec<&crate::model::site::PageDoc> = site.pages.iter().collect();
        pages.sort_by(|a, b| {
            a.page
                .weight
                .cmp(&b.page.weight)
                .then_with(|| a.page.title.cmp(&b.page.title))
        });
        let view = SiteView {
            title: site.config.site.title.clone(),
            description: site.config.site.description.clone(),
            base: base.clone(),
            base_url: site.config.site.base_url.clone(),
            language: site.config.site.language.clone(),
            static_url: format!("{base}static/"),
            nav,
            pages: pages
                .iter()
                .map(|p| Link {
                    name: p.page.title.clone(),
                    url: p.url.clone(),
                })
                .collect(),
            search: site.config.search.enable,
            severities: site.config.postmortem.severities.clone(),
            today: iso_date(site.clock.today),
            live,
            fu_columns: FollowUpColumns {
                team: follow_ups(site).any(|f| f.team.is_some()),
                kind: follow_ups(site).any(|f| f.kind.is_some()),
            },
        };
        let global_fp = Fp::new()
            .u64(inputs_fp)
            .u64(theme.fingerprint())
            .str(&serde_json::to_string(&view).unwrap_or_default())
            // Follow-up rows link a team only where it has a page.
            .strs(site.teams.keys())
            .finish();
        tera.global_context().insert("site", &view);
        let pieces = fragments::pieces(site, &tera, theme, global_fp, &mut state.pieces)?;
        let all_fp = Fp::new()
            .u64(global_fp)
            .u64s(pieces.iter().map(|p| p.fp))
            .u64s(site.reading_list.iter().map(|&i| i as u64))
            .finish();
        Ok(Renderer {
            site,
            theme,
            tera,
            global_fp,
            all_fp,
            pieces,
            board: board::BoardCache::default(),
            base: site.config.base_path(),
        })
    }

    /// Incidents as cards (with their summary): the home page's.
    fn card_list(&self, idx: &[usize]) -> Value {
        incident_list(idx.iter().map(|&i| {
            let p = &self.pieces[i];
            p.full.as_deref().unwrap_or(&p.with_causes)
        }))
    }

    /// Incidents by severity, title and date (related incidents).
    fn mini_list(&self, idx: &[usize]) -> Value {
        incident_list(idx.iter().map(|&i| &*self.pieces[i].mini))
    }

    fn compact_list(&self, idx: &[usize]) -> Value {
        incident_list(idx.iter().map(|&i| &*self.pieces[i].compact))
    }

    /// The fingerprint of a page that depends on every incident.
    fn all(&self, path: &str) -> u64 {
        Fp::new().u64(self.all_fp).str(path).finish()
    }

    /// A page job. `context` fills in what the page shows beyond the
    /// common values.
    fn page<'r>(
        &'r self,
        path: impl Into<String>,
        template: &'static str,
        title: &str,
        section: &str,
        fp: u64,
        context: impl FnOnce(&mut Context) + Send + 'r,
    ) -> Job<'r> {
        let path = path.into();
        let title = title.to_string();
        let section = section.to_string();
        let base = &self.base;
        Job {
            template,
            fp,
            context: Box::new(move |path: &str| {
                let mut c = Context::new();
                c.insert("page_title", &title);
                c.insert("section", &section);
                c.insert(
                    "page_url",
                    &format!("{base}{}", path.trim_end_matches("index.html")),
                );
                context(&mut c);
                c
            }),
            path,
        }
    }

    /// Renders every file into `sink`. With `incremental`, pages whose
    /// inputs did not change since the last render (in `state`) are kept
    /// as they are.
    pub fn render_all(
        &self,
        sink: &dyn Sink,
        state: &mut RenderState,
        incremental: bool,
        progress: &dyn Progress,
    ) -> Result<RenderReport, Diagnostics> {
        let old = std::mem::take(&mut state.pages);
        let mut report = RenderReport::default();
        // Pages of one incident (and free pages) first: they are small and
        // what a writer looks at. Their jobs are made and rendered before
        // any list page is so much as fingerprinted, and `progress` is told
        // when they are written (serve reloads them before the list pages
        // are done).
        let mut own = self.incident_pages();
        own.extend(self.free_pages());
        own.push(self.page(
            "404.html",
            "404.html",
            "Page not found",
            "",
            self.global_fp,
            |_| {},
        ));
        let own_paths: Vec<(String, &'static str)> =
            own.iter().map(|j| (j.path.clone(), j.template)).collect();
        let first = schedule(own, &old, state, incremental, sink, &mut report);
        let mut diags = Diagnostics::new();
        diags.extend(self.render_jobs(first, sink));
        if !diags.has_errors() {
            progress.own_pages_written();
        }

        let json_fp = self.all("postmortems.json");
        let json_changed = !incremental || old.get("postmortems.json") != Some(&json_fp);
        let mut later = Vec::new();
        let mut done = false;
        progress.render_rest(&mut || {
            // A `Progress` runs this once; a second call has nothing to do.
            if std::mem::replace(&mut done, true) {
                return;
            }
            let rest = self.list_jobs(&own_paths);
            let todo = schedule(rest, &old, state, incremental, sink, &mut report);
            // The JSON export is one long serialization: beside the pages.
            let (pages, files) = rayon::join(
                || self.render_jobs(todo, sink),
                || self.write_unrendered(sink, json_changed),
            );
            later = pages;
            later.extend(files);
        });
        diags.extend(later);
        state.pages.insert("postmortems.json".into(), json_fp);
        if diags.has_errors() {
            // A failed round must not count as rendered.
            state.pages.clear();
            return Err(diags);
        }
        Ok(report)
    }

    /// Every page that is not one incident's or a free page (those are
    /// `own`, by path and template): the lists, the board, the stats,
    /// the feed, the search page and the sitemap of them all.
    fn list_jobs(&self, own: &[(String, &'static str)]) -> Vec<Job<'_>> {
        let mut jobs: Vec<Job<'_>> = Vec::new();
        jobs.push(self.home());
        jobs.extend(self.all_postmortems());
        let lists_before_own = jobs.len();
        for kind in facets::KINDS {
            jobs.extend(self.facet_pages(kind));
        }
        jobs.extend(self.follow_up_pages());
        jobs.extend(self.timeline());
        jobs.extend(self.recurrence_pages());
        jobs.extend(self.review_pages());
        jobs.push(self.stats());
        let after_stats = jobs.len();
        jobs.push(self.feed());
        if self.site.config.search.enable {
            jobs.push(self.search_page());
        }
        // The sitemap lists the pages in the order of the site: the home
        // page and the incident list, the incidents, the other lists, the
        // free pages, the feed.
        fn path_of<'j>(j: &'j Job<'_>) -> (&'j str, &'j str) {
            (j.path.as_str(), j.template)
        }
        let (incidents, free) = own.split_at(self.site.incidents.len().min(own.len()));
        let mut listed: Vec<(&str, &str)> = Vec::with_capacity(jobs.len() + own.len());
        listed.extend(jobs[..lists_before_own].iter().map(path_of));
        listed.extend(incidents.iter().map(|(p, t)| (p.as_str(), *t)));
        listed.extend(jobs[lists_before_own..after_stats].iter().map(path_of));
        listed.extend(free.iter().map(|(p, t)| (p.as_str(), *t)));
        listed.extend(jobs[after_stats..].iter().map(path_of));
        let sitemap = self.sitemap(&listed);
        jobs.push(sitemap);
        jobs
    }

    /// The files made without templates: the JSON export (written when
    /// `json_changed`, else kept), the theme's static files, the
    /// highlighting stylesheet. Returns the problems.
    fn write_unrendered(&self, sink: &dyn Sink, json_changed: bool) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        if json_changed {
            let bytes =
                serde_json::to_vec(&export::export(self.site)).unwrap_or_else(|_| b"{}".to_vec());
            if let Err(e) = sink.put("postmortems.json", &bytes) {
                diags.push(Diagnostic::error(
                    Code::Io,
                    format!("cannot write postmortems.json: {e}"),
                ));
            }
        } else {
            sink.keep("postmortems.json");
        }
        if json_changed {
            let bytes = serde_json::to_vec_pretty(&export::stats_json(self.site))
                .unwrap_or_else(|_| b"{}".to_vec());
            if let Err(e) = sink.put("stats.json", &bytes) {
                diags.push(Diagnostic::error(
                    Code::Io,
                    format!("cannot write stats.json: {e}"),
                ));
            }
        } else {
            sink.keep("stats.json");
        }
        for (name, file) in &self.theme.statics {
            if let Err(e) = sink.put(&format!("static/{name}"), &file.bytes) {
                diags.push(Diagnostic::error(
                    Code::Io,
                    format!("cannot write static/{name}: {e}"),
                ));
            }
        }
        let md = &self.site.config.markdown;
        let css =
            crate::markdown::highlight::stylesheet(&md.highlight_theme, &md.highlight_theme_dark);
        if let Err(e) = sink.put("static/highlight.css", css.as_bytes()) {
            diags.push(Diagnostic::error(
                Code::Io,
                format!("cannot write static/highlight.css: {e}"),
            ));
        }
        diags
    }

    /// Renders jobs in parallel into `sink`; returns the problems.
    fn render_jobs(&self, jobs: Vec<Job<'_>>, sink: &dyn Sink) -> Vec<Diagnostic> {
        jobs.into_par_iter()
            .filter_map(|job| {
                let path = job.path;
                let context = (job.context)(&path);
                // Rendered as bytes, straight to the sink (no second pass
                // to make a String of it).
                let mut html = Vec::with_capacity(32 * 1024);
                let result = self
                    .tera
                    .render_to(job.template, &context, &mut html)
                    .map_err(|e| self.theme.template_error(&e))
                    .and_then(|()| {
                        sink.put(&path, &html).map_err(|e| {
                            Diagnostic::error(Code::Io, format!("cannot write {path}: {e}"))
                        })
                    });
                result.err()
            })
            .collect()
    }

    fn home(&self) -> Job<'_> {
        let site = self.site;
        self.page(
            "index.html",
            "index.html",
            &site.config.site.title,
            "home",
            self.all("index.html"),
            move |c| {
                let today = site.clock.today;
                let recent: Vec<usize> = (0..site.incidents.len().min(fragments::RECENT)).collect();
                let mut on_this_day: Vec<usize> = site
                    .incidents
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| {
                        i.pm.date.month() == today.month()
                            && i.pm.date.day() == today.day()
                            && i.pm.date.year() < today.year()
                    })
                    .map(|(k, _)| k)
                    .collect();
                let on_this_day_count = on_this_day.len();
                on_this_day.truncate(fragments::RECENT);
                let mut open = 0;
                let mut overdue = Vec::new();
                for (i, inc) in site.incidents.iter().enumerate() {
                    for (k, f) in inc.pm.follow_ups.iter().enumerate() {
                        if f.status.is_pending() {
                            open += 1;
                        }
                        if f.is_overdue(today) {
                            overdue.push((i, k));
                        }
                    }
                }
                let overdue_count = overdue.len();
                overdue.sort_by(|a, b| {
                    let (fa, fb) = (
                        &site.incidents[a.0].pm.follow_ups[a.1],
                        &site.incidents[b.0].pm.follow_ups[b.1],
                    );
                    fa.due
                        .cmp(&fb.due)
                        .then_with(|| site.incidents[a.0].pm.id.cmp(&site.incidents[b.0].pm.id))
                });
                overdue.truncate(10);
                let overdue_rows: Vec<&views::FollowUpRow> = overdue
                    .iter()
                    .map(|&(i, k)| &self.pieces[i].rows[k])
                    .collect();
                let mut severity_counts = Vec::new();
                for (rank, sev) in site.config.postmortem.severities.iter().enumerate() {
                    let n = site
                        .incidents
                        .iter()
                        .filter(|i| i.pm.severity.as_deref() == Some(sev))
                        .count();
                    severity_counts.push((sev.clone(), views::severity_class(rank), n));
                }
                c.insert_value("recent", self.card_list(&recent));
                c.insert_value("reading_list", self.card_list(&site.reading_list));
                c.insert_value("on_this_day", self.compact_list(&on_this_day));
                c.insert("on_this_day_count", &on_this_day_count);
                c.insert("incident_count", &site.incidents.len());
                c.insert("open_follow_ups", &open);
                c.insert("overdue_follow_ups", &overdue_count);
                c.insert("overdue_rows", &overdue_rows);
                c.insert("severity_counts", &severity_counts);
                c.insert("cause_count", &site.causes.len());
                c.insert("service_count", &site.services.len());
                c.insert("today_human", &human_date(today));
                self.home_learning(c);
            },
        )
    }

    fn incident_pages(&self) -> Vec<Job<'_>> {
        let site = self.site;
        site.incidents
            .par_iter()
            .enumerate()
            .map(|(i, inc)| {
                let listed = inc.related.iter().chain(&inc.backlinks).chain(&inc.similar);
                let fp = Fp::new()
                    .u64(self.global_fp)
                    .u64(self.pieces[i].fp)
                    .u64(inc.body.html_hash)
                    .str(&inc.pm.source.file.rel)
                    .u64s(listed.map(|&j| self.pieces[j].fp))
                    .u64s([inc.related.len() as u64, inc.backlinks.len() as u64])
                    .u64(self.recurrence_fp(i))
                    .finish();
                self.page(
                    crate::model::urls::postmortem_file(&inc.pm.id),
                    "postmortem.html",
                    &inc.pm.title,
                    "postmortems",
                    fp,
                    move |c| {
                        let pm = &inc.pm;
                        let pieces = &self.pieces[i];
                        c.insert_value("incident", pieces.card.clone());
                        c.insert("impact", &pm.impact);
                        c.insert("authors", &pm.authors);
                        c.insert("detection", &pm.detection);
                        c.insert("tags", &views::links(site, "tags", &pm.tags));
                        c.insert_value("body", Value::safe_string(&inc.body.html));
                        c.insert("has_code", &has_code(&inc.body.html));
                        c.insert("timeline", &views::timeline_view(inc));
                        c.insert("metrics", &views::metrics_view(inc));
                        c.insert_value(
                            "follow_ups",
                            row_list(pieces.own_rows.iter().map(|r| &**r)),
                        );
                        c.insert_value("related", self.mini_list(&inc.related));
                        c.insert_value("backlinks", self.mini_list(&inc.backlinks));
                        c.insert_value("similar", self.similar_list(i));
                        c.insert("source_path", &pm.source.file.rel);
                        c.insert("source_url", &pm.source_url);
                        c.insert("extra", &views::extra_view(pm));
                        self.recurrence_context(i, c);
                    },
                )
            })
            .collect()
    }

    /// The similar incidents of incident `i`: `items`, each with what it
    /// shares, and `common`, what every one of them shares when that is
    /// the same for all (then said once, not on every row).
    fn similar_list(&self, i: usize) -> Value {
        let me = &self.site.incidents[i].pm;
        let shared: Vec<String> = self.site.incidents[i]
            .similar
            .iter()
            .map(|&j| shared_with(me, &self.site.incidents[j].pm))
            .collect();
        let common = (shared.len() > 1 && shared.windows(2).all(|w| w[0] == w[1]))
            .then(|| shared[0].clone());
        let items: Vec<Value> = self.site.incidents[i]
            .similar
            .iter()
            .zip(shared)
            .map(|(&j, shared)| {
                let mut map = tera::Map::new();
                map.insert("html".into(), Value::safe_string(&self.pieces[j].mini));
                let own = if common.is_some() {
                    String::new()
                } else {
                    shared
                };
                map.insert("shared".into(), Value::from(own));
                Value::from(map)
            })
            .collect();
        let mut out = tera::Map::new();
        out.insert("items".into(), Value::from(items));
        out.insert("common".into(), Value::from(common.unwrap_or_default()));
        Value::from(out)
    }

    fn free_pages(&self) -> Vec<Job<'_>> {
        self.site
            .pages
            .iter()
            .map(|p| {
                let fp = Fp::new()
                    .u64(self.global_fp)
                    .u64(p.page.source.hash)
                    .u64(p.body.html_hash)
                    .finish();
                self.page(
                    format!("{}/index.html", p.page.slug),
                    "page.html",
                    &p.page.title,
                    &p.page.slug,
                    fp,
                    move |c| {
                        c.insert("description", &p.page.description);
                        c.insert_value("body", Value::safe_string(&p.body.html));
                        c.insert("has_code", &has_code(&p.body.html));
                    },
                )
            })
            .collect()
    }

    fn feed(&self) -> Job<'_> {
        let site = self.site;
        self.page(
            "feed.xml",
            "feed.xml",
            &site.config.site.title,
            "",
            self.all("feed.xml"),
            move |c| {
                let n = site.incidents.len().min(50);
                let entries: Vec<FeedEntry> = site.incidents[..n]
                    .iter()
                    .map(|inc| FeedEntry {
                        title: inc.pm.title.clone(),
                        url: absolute(site, &inc.url),
                        id: absolute(site, &inc.url),
                        updated: format!("{}T00:00:00Z", iso_date(inc.pm.date)),
                        summary: inc.pm.summary.clone().unwrap_or_default(),
                        categories: inc.pm.causes.clone(),
                        severity: inc.pm.severity.clone(),
                    })
                    .collect();
                let updated = entries.first().map_or_else(
                    || format!("{}T00:00:00Z", iso_date(site.clock.today)),
                    |e| e.updated.clone(),
                );
                c.insert("entries", &entries);
                c.insert("updated", &updated);
                c.insert("feed_url", &absolute(site, &site.url("feed.xml")));
                c.insert("home_url", &absolute(site, &site.url("")));
            },
        )
    }

    /// `/search/`: the form and its filters; the results come from the
    /// index, in the browser.
    fn search_page(&self) -> Job<'_> {
        let site = self.site;
        self.page(
            "search/index.html",
            "search.html",
            "Search",
            "search",
            self.all("search"),
            move |c| {
                // Each filter's values with their number of incidents.
                let counted = |m: &std::collections::BTreeMap<
                    String,
                    crate::model::site::Facet,
                >| {
                    m.iter()
                        .map(|(k, f)| serde_json::json!({"name": k, "count": f.incidents.len()}))
                        .collect::<Vec<_>>()
                };
                let mut years: std::collections::BTreeMap<i16, usize> = Default::default();
                let mut severities: std::collections::BTreeMap<&str, usize> = Default::default();
                for i in &site.incidents {
                    *years.entry(i.pm.date.year()).or_insert(0) += 1;
                    if let Some(s) = &i.pm.severity {
                        *severities.entry(s.as_str()).or_insert(0) += 1;
                    }
                }
                let years: Vec<_> = years
                    .iter()
                    .rev()
                    .map(|(y, n)| serde_json::json!({"name": y, "count": n}))
                    .collect();
                c.insert("causes", &counted(&site.causes));
                c.insert("services", &counted(&site.services));
                c.insert("teams", &counted(&site.teams));
                c.insert("years", &years);
                c.insert("severity_counts", &severities);
                let open = site
                    .incidents
                    .iter()
                    .filter(|i| i.open_follow_ups() > 0)
                    .count();
                c.insert("open_count", &open);
                let kinds: Vec<(&str, &str, usize)> = crate::model::postmortem::Kind::ALL
                    .iter()
                    .map(|&k| {
                        let n = site.incidents.iter().filter(|i| i.pm.kind == k).count();
                        (k.as_str(), k.label(), n)
                    })
                    .collect();
                c.insert("kinds", &kinds);
            },
        )
    }

    /// `/sitemap.xml`: every page of `pages` (path, template), every page
    /// of every list included; not the 404 page, nor the redirects from
    /// `page/1/`.
    fn sitemap(&self, pages: &[(&str, &str)]) -> Job<'_> {
        let site = self.site;
        let mut urls: Vec<(String, Option<String>)> = Vec::new();
        for &(path, template) in pages {
            let Some(dir) = path.strip_suffix("index.html") else {
                continue;
            };
            if matches!(template, "redirect.html" | "404.html") {
                continue;
            }
            let lastmod = dir
                .strip_prefix("postmortems/")
                .and_then(|id| site.by_id.get(id.trim_end_matches('/')))
                .map(|&i| iso_date(site.incidents[i].pm.date));
            let path: Vec<String> = dir
                .split('/')
                .map(|seg| {
                    percent_encoding::utf8_percent_encode(seg, crate::model::links::SEGMENT_SET)
                        .to_string()
                })
                .collect();
            urls.push((absolute(site, &site.url(&path.join("/"))), lastmod));
        }
        let fp = Fp::new()
            .u64(self.all("sitemap.xml"))
            .str(&serde_json::to_string(&urls).unwrap_or_default())
            .finish();
        self.page("sitemap.xml", "sitemap.xml", "", "", fp, move |c| {
            c.insert("urls", &urls);
        })
    }
}

/// The jobs whose inputs changed since the last round (all of them
/// unless `incremental`); the others are kept in `sink` as they are.
/// Records every job's fingerprint in `state` and counts in `report`.
fn schedule<'r>(
    jobs: Vec<Job<'r>>,
    old: &HashMap<String, u64>,
    state: &mut RenderState,
    incremental: bool,
    sink: &dyn Sink,
    report: &mut RenderReport,
) -> Vec<Job<'r>> {
    let mut todo = Vec::with_capacity(jobs.len());
    for job in jobs {
        state.pages.insert(job.path.clone(), job.fp);
        if incremental && old.get(&job.path) == Some(&job.fp) {
            sink.keep(&job.path);
            report.skipped += 1;
        } else {
            todo.push(job);
        }
    }
    report.rendered += todo.len();
    let paths: Vec<&str> = todo.iter().map(|j| j.path.as_str()).collect();
    sink.prepare(&paths);
    todo
}

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    id: String,
    updated: String,
    summary: String,
    categories: Vec<String>,
    severity: Option<String>,
}

/// The paths of the files `Renderer::write_unrendered` makes with `theme`.
pub fn unrendered_paths(theme: &Theme) -> Vec<String> {
    let mut paths = vec!["postmortems.json".to_string(), "stats.json".to_string()];
    paths.extend(theme.statics.keys().map(|n| format!("static/{n}")));
    paths.push("static/highlight.css".into());
    paths
}

/// A site URL made absolute with the configured base URL (when it has a
/// host); a path-only base leaves it as a path.
pub fn absolute(site: &Site, path_url: &str) -> String {
    let base = &site.config.site.base_url;
    match base.find("://") {
        Some(i) => {
            let host_end = base[i + 3..].find('/').map_or(base.len(), |j| i + 3 + j);
            format!("{}{}", &base[..host_end], path_url)
        }
        None => path_url.to_string(),
    }
}

/// What `other` shares with `me`: "causes a, b; service c".
fn shared_with(me: &Postmortem, other: &Postmortem) -> String {
    let causes: Vec<&str> = other
        .causes
        .iter()
        .filter(|c| me.causes.contains(c))
        .map(String::as_str)
        .collect();
    let services: Vec<&str> = other
        .services
        .iter()
        .filter(|s| me.services.contains(s))
        .map(String::as_str)
        .collect();
    let mut parts = Vec::new();
    for (names, one, many) in [
        (causes, "cause", "causes"),
        (services, "service", "services"),
    ] {
        if !names.is_empty() {
            let word = if names.len() == 1 { one } else { many };
            parts.push(format!("{word} {}", names.join(", ")));
        }
    }
    parts.join("; ")
}

/// Whether a rendered body holds a code block, whose colours
/// `static/highlight.css` gives (the other pages do not load it).
fn has_code(body_html: &str) -> bool {
    body_html.contains(crate::markdown::highlight::PRE_TAG)
}
