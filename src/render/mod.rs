//! Rendering: every page of the site from the model, through the theme's
//! templates, in parallel.

pub mod export;
pub mod views;

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera, Value};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::{Facet, Site};
use crate::theme::Theme;
use views::{Link, card, follow_up_row, human_date, iso_date, value};

/// A file of the built site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the output folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// One page to render: a template and its context.
struct Job {
    path: String,
    template: &'static str,
    context: Context,
}

/// Renders the whole site.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    tera: Tera,
    cards: Vec<Value>,
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
    incident_count: usize,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Result<Self, Diagnostics> {
        let mut tera = theme.engine()?;
        let base = site.config.base_path();
        let nav = [
            ("Incidents", "postmortems/", "postmortems"),
            ("Timeline", "timeline/", "timeline"),
            ("Causes", "causes/", "causes"),
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
        let mut pages: Vec<&crate::site::PageDoc> = site.pages.iter().collect();
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
            incident_count: site.incidents.len(),
        };
        tera.global_context().insert("site", &view);
        let cards = site
            .incidents
            .par_iter()
            .map(|inc| value(&card(site, inc)))
            .collect();
        Ok(Renderer {
            site,
            theme,
            tera,
            cards,
        })
    }

    fn cards_of(&self, idx: &[usize]) -> Value {
        Value::from(
            idx.iter()
                .map(|&i| self.cards[i].clone())
                .collect::<Vec<_>>(),
        )
    }

    fn page(
        &self,
        path: impl Into<String>,
        template: &'static str,
        title: &str,
        section: &str,
    ) -> Job {
        let mut context = Context::new();
        context.insert("page_title", title);
        context.insert("section", section);
        let path = path.into();
        let url = format!(
            "{}{}",
            self.site.config.base_path(),
            path.trim_end_matches("index.html")
        );
        context.insert("page_url", &url);
        Job {
            path,
            template,
            context,
        }
    }

    /// Every file of the site.
    pub fn render_all(&self) -> Result<Vec<OutputFile>, Diagnostics> {
        let mut jobs = Vec::new();
        jobs.push(self.home());
        jobs.push(self.all_postmortems());
        jobs.extend(self.incident_pages());
        jobs.extend(self.facet_pages("causes", "Causes", "cause", &self.site.causes));
        jobs.extend(self.facet_pages("services", "Services", "service", &self.site.services));
        jobs.extend(self.facet_pages("teams", "Teams", "team", &self.site.teams));
        jobs.extend(self.facet_pages("tags", "Tags", "tag", &self.site.tags));
        jobs.push(self.follow_ups());
        jobs.push(self.timeline());
        jobs.push(self.stats());
        jobs.extend(self.free_pages());
        jobs.push(self.page("404.html", "404.html", "Page not found", ""));
        jobs.push(self.feed());
        jobs.push(self.sitemap());
        if self.site.config.search.enable {
            jobs.push(self.search_page());
        }

        let results: Vec<Result<OutputFile, Diagnostic>> = jobs
            .into_par_iter()
            .map(|job| {
                self.tera
                    .render(job.template, &job.context)
                    .map(|html| OutputFile::new(job.path, html))
                    .map_err(|e| self.theme.template_error(&e))
            })
            .collect();
        let mut files = Vec::with_capacity(results.len() + 8);
        let mut diags = Diagnostics::new();
        for r in results {
            match r {
                Ok(f) => files.push(f),
                Err(d) => diags.push(d),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        files.push(export::postmortems_json(self.site));
        for (name, file) in &self.theme.statics {
            files.push(OutputFile::new(
                format!("static/{name}"),
                file.bytes.to_vec(),
            ));
        }
        files.push(OutputFile::new(
            "static/highlight.css",
            crate::highlight::stylesheet(&self.site.config.markdown.highlight_theme),
        ));
        Ok(files)
    }

    fn home(&self) -> Job {
        let site = self.site;
        let mut job = self.page("index.html", "index.html", &site.config.site.title, "home");
        let recent: Vec<usize> = (0..site.incidents.len().min(10)).collect();
        let today = site.clock.today;
        let on_this_day: Vec<usize> = site
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
        let mut open = 0;
        let mut overdue_rows = Vec::new();
        let mut overdue = 0;
        for inc in &site.incidents {
            for f in &inc.pm.follow_ups {
                if f.status.is_pending() {
                    open += 1;
                }
                if f.is_overdue(today) {
                    overdue += 1;
                    overdue_rows.push(follow_up_row(site, inc, f));
                }
            }
        }
        overdue_rows.sort_by(|a, b| {
            a.due
                .cmp(&b.due)
                .then_with(|| a.incident_id.cmp(&b.incident_id))
        });
        overdue_rows.truncate(10);
        let mut severity_counts = Vec::new();
        for (rank, sev) in site.config.postmortem.severities.iter().enumerate() {
            let n = site
                .incidents
                .iter()
                .filter(|i| i.pm.severity.as_deref() == Some(sev))
                .count();
            severity_counts.push((sev.clone(), views::severity_class(rank), n));
        }
        let c = &mut job.context;
        c.insert_value("recent", self.cards_of(&recent));
        c.insert_value("reading_list", self.cards_of(&site.reading_list));
        c.insert_value("on_this_day", self.cards_of(&on_this_day));
        c.insert("open_follow_ups", &open);
        c.insert("overdue_follow_ups", &overdue);
        c.insert("overdue_rows", &overdue_rows);
        c.insert("severity_counts", &severity_counts);
        c.insert("cause_count", &site.causes.len());
        c.insert("service_count", &site.services.len());
        c.insert("today_human", &human_date(today));
        job
    }

    fn all_postmortems(&self) -> Job {
        let mut job = self.page(
            "postmortems/index.html",
            "postmortems.html",
            "All incidents",
            "postmortems",
        );
        let all: Vec<usize> = (0..self.site.incidents.len()).collect();
        job.context.insert_value("incidents", self.cards_of(&all));
        job
    }

    fn incident_pages(&self) -> Vec<Job> {
        let site = self.site;
        site.incidents
            .par_iter()
            .enumerate()
            .map(|(i, inc)| {
                let mut job = self.page(
                    format!("postmortems/{}/index.html", inc.pm.id),
                    "postmortem.html",
                    &inc.pm.title,
                    "postmortems",
                );
                let pm = &inc.pm;
                let c = &mut job.context;
                c.insert_value("incident", self.cards[i].clone());
                c.insert("impact", &pm.impact);
                c.insert("authors", &pm.authors);
                c.insert("detection", &pm.detection);
                c.insert("tags", &views::links(site, "tags", &pm.tags));
                c.insert_value("body", Value::safe_string(&inc.body.html));
                c.insert("timeline", &views::timeline_view(inc));
                c.insert("metrics", &views::metrics_view(inc));
                c.insert("started", &inc.metrics.started.map(|t| t.to_string()));
                let rows: Vec<_> = pm
                    .follow_ups
                    .iter()
                    .map(|f| follow_up_row(site, inc, f))
                    .collect();
                c.insert("follow_ups", &rows);
                c.insert_value("related", self.cards_of(&inc.related));
                c.insert_value("backlinks", self.cards_of(&inc.backlinks));
                c.insert_value("similar", self.cards_of(&inc.similar));
                c.insert("source_path", &pm.source.file.rel);
                job
            })
            .collect()
    }

    fn facet_pages(
        &self,
        kind: &'static str,
        title: &str,
        singular: &'static str,
        facets: &BTreeMap<String, Facet>,
    ) -> Vec<Job> {
        let site = self.site;
        let mut rows = Vec::new();
        for f in facets.values() {
            let newest = f.incidents.first().map(|&i| site.incidents[i].pm.date);
            let oldest = f.incidents.last().map(|&i| site.incidents[i].pm.date);
            rows.push(FacetRow {
                name: f.slug.clone(),
                url: site.facet_url(kind, &f.slug),
                count: f.incidents.len(),
                first: oldest.map(iso_date),
                last: newest.map(iso_date),
                description: (kind == "causes")
                    .then(|| site.config.causes.get(&f.slug).cloned())
                    .flatten(),
            });
        }
        let mut by_count = rows.clone();
        by_count.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        let mut index = self.page(format!("{kind}/index.html"), "facets.html", title, kind);
        index.context.insert("kind", kind);
        index.context.insert("singular", singular);
        index.context.insert("rows", &by_count);
        let mut jobs = vec![index];
        for (f, row) in facets.values().zip(rows) {
            let mut job = self.page(
                format!("{kind}/{}/index.html", f.slug),
                "facet.html",
                &f.slug,
                kind,
            );
            let c = &mut job.context;
            c.insert("kind", kind);
            c.insert("singular", singular);
            c.insert("facet", &row);
            c.insert("as_trigger", &f.as_trigger);
            c.insert_value("incidents", self.cards_of(&f.incidents));
            jobs.push(job);
        }
        jobs
    }

    fn follow_ups(&self) -> Job {
        let site = self.site;
        let mut job = self.page(
            "follow-ups/index.html",
            "follow-ups.html",
            "Follow-up actions",
            "follow-ups",
        );
        let mut rows = Vec::new();
        for inc in &site.incidents {
            for f in &inc.pm.follow_ups {
                rows.push(follow_up_row(site, inc, f));
            }
        }
        job.context.insert("rows", &rows);
        job
    }

    fn timeline(&self) -> Job {
        let site = self.site;
        let mut job = self.page(
            "timeline/index.html",
            "timeline.html",
            "Timeline",
            "timeline",
        );
        let mut years: Vec<YearGroup> = Vec::new();
        for (i, inc) in site.incidents.iter().enumerate() {
            let y = inc.pm.date.year();
            let m = inc.pm.date.strftime("%B").to_string();
            if years.last().is_none_or(|(yy, _)| *yy != y) {
                years.push((y, Vec::new()));
            }
            if let Some((_, months)) = years.last_mut() {
                if months.last().is_none_or(|(mm, _)| *mm != m) {
                    months.push((m, Vec::new()));
                }
                if let Some((_, list)) = months.last_mut() {
                    list.push(i);
                }
            }
        }
        let years: Vec<Value> = years
            .into_iter()
            .map(|(y, months)| {
                let months: Vec<Value> = months
                    .into_iter()
                    .map(|(m, list)| {
                        let mut map = tera::Map::new();
                        map.insert("name".into(), Value::from(m));
                        map.insert("incidents".into(), self.cards_of(&list));
                        Value::from(map)
                    })
                    .collect();
                let mut map = tera::Map::new();
                map.insert("year".into(), Value::from(y as i64));
                map.insert("months".into(), Value::from(months));
                Value::from(map)
            })
            .collect();
        job.context.insert_value("years", Value::from(years));
        job
    }

    fn stats(&self) -> Job {
        let site = self.site;
        let mut job = self.page("stats/index.html", "stats.html", "Stats", "stats");
        let mut per_year: BTreeMap<i16, Vec<usize>> = BTreeMap::new();
        let nsev = site.config.postmortem.severities.len();
        for inc in &site.incidents {
            let row = per_year
                .entry(inc.pm.date.year())
                .or_insert_with(|| vec![0; nsev + 1]);
            row[inc.severity_rank.min(nsev)] += 1;
        }
        let rows: Vec<(i16, Vec<usize>, usize)> = per_year
            .into_iter()
            .rev()
            .map(|(y, counts)| {
                let total = counts.iter().sum();
                (y, counts, total)
            })
            .collect();
        job.context.insert("per_year", &rows);
        job
    }

    fn free_pages(&self) -> Vec<Job> {
        self.site
            .pages
            .iter()
            .map(|p| {
                let mut job = self.page(
                    format!("{}/index.html", p.page.slug),
                    "page.html",
                    &p.page.title,
                    &p.page.slug,
                );
                job.context.insert("description", &p.page.description);
                job.context
                    .insert_value("body", Value::safe_string(&p.body.html));
                job
            })
            .collect()
    }

    fn feed(&self) -> Job {
        let site = self.site;
        let mut job = self.page("feed.xml", "feed.xml", &site.config.site.title, "");
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
        job.context.insert("entries", &entries);
        job.context.insert("updated", &updated);
        job.context
            .insert("feed_url", &absolute(site, &site.url("feed.xml")));
        job.context
            .insert("home_url", &absolute(site, &site.url("")));
        job
    }

    /// `/search/`: the form and its filters; the results come from the
    /// index, in the browser.
    fn search_page(&self) -> Job {
        let site = self.site;
        let mut job = self.page("search/index.html", "search.html", "Search", "search");
        let mut years: Vec<i16> = site.incidents.iter().map(|i| i.pm.date.year()).collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let c = &mut job.context;
        c.insert("causes", &site.causes.keys().collect::<Vec<_>>());
        c.insert("services", &site.services.keys().collect::<Vec<_>>());
        c.insert("teams", &site.teams.keys().collect::<Vec<_>>());
        c.insert("years", &years);
        job
    }

    fn sitemap(&self) -> Job {
        let site = self.site;
        let mut job = self.page("sitemap.xml", "sitemap.xml", "", "");
        let mut urls = vec![(absolute(site, &site.url("")), None::<String>)];
        for p in [
            "postmortems/",
            "timeline/",
            "causes/",
            "services/",
            "teams/",
            "tags/",
            "follow-ups/",
            "stats/",
        ] {
            urls.push((absolute(site, &site.url(p)), None));
        }
        for inc in &site.incidents {
            urls.push((absolute(site, &inc.url), Some(iso_date(inc.pm.date))));
        }
        for (kind, facets) in [
            ("causes", &site.causes),
            ("services", &site.services),
            ("teams", &site.teams),
            ("tags", &site.tags),
        ] {
            for f in facets.keys() {
                urls.push((absolute(site, &site.facet_url(kind, f)), None));
            }
        }
        for p in &site.pages {
            urls.push((absolute(site, &p.url), None));
        }
        job.context.insert("urls", &urls);
        job
    }
}

/// A year of the timeline: its months, each with its incidents.
type YearGroup = (i16, Vec<(String, Vec<usize>)>);

#[derive(Clone, Debug, Serialize)]
struct FacetRow {
    name: String,
    url: String,
    count: usize,
    first: Option<String>,
    last: Option<String>,
    description: Option<String>,
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
