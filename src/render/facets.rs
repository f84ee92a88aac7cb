//! Pages per cause, service, team and tag, and their indexes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::charts::{Sparkline, sparkline};
use std::sync::Arc;

use super::fragments::{Fp, row_list};
use super::paginate::{INCIDENTS_PER_PAGE, List, Pagination, ROWS_PER_PAGE};
use super::views::iso_date;
use super::{Job, Renderer};
use crate::model::site::Facet;
use crate::model::stats::{
    Quarter, co_occurring, median_ttr, per_quarter, site_quarters, top_causes,
};
use crate::model::timeline::human_duration;

/// How many open follow-ups a facet's page shows (the most urgent); the
/// rest are counted, and on the board's views for services and teams.
pub const PENDING_SHOWN: usize = 10;

/// What kind of grouping a facet is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// URL folder, e.g. `causes`.
    pub path: &'static str,
    pub title: &'static str,
    pub singular: &'static str,
}

pub const KINDS: [Kind; 5] = [
    Kind {
        path: "causes",
        title: "Causes",
        singular: "cause",
    },
    Kind {
        path: "services",
        title: "Services",
        singular: "service",
    },
    Kind {
        path: "teams",
        title: "Teams",
        singular: "team",
    },
    Kind {
        path: "tags",
        title: "Tags",
        singular: "tag",
    },
    Kind {
        path: "kinds",
        title: "Kinds",
        singular: "kind",
    },
];

/// A row of a facet index (and the head of a facet page).
#[derive(Clone, Debug, Serialize)]
pub struct FacetRow {
    pub name: String,
    pub url: String,
    pub count: usize,
    pub first: Option<String>,
    pub last: Option<String>,
    pub description: Option<String>,
    pub as_trigger: usize,
    pub trend: Sparkline,
}

#[derive(Clone, Debug, Serialize)]
pub struct Counted {
    pub name: String,
    pub url: String,
    pub count: usize,
}

/// A median duration, shown (`1h 5m`) and exact (`3900`, `3900.5`).
#[derive(Clone, Debug, Serialize)]
pub struct Duration {
    pub human: String,
    pub seconds: String,
}

pub fn duration(seconds: Option<f64>) -> Option<Duration> {
    seconds.map(|s| Duration {
        human: human_duration(s.round() as i64),
        seconds: if s.fract() == 0.0 {
            format!("{}", s as i64)
        } else {
            format!("{s}")
        },
    })
}

impl Renderer<'_> {
    fn facets_of(&self, kind: Kind) -> &BTreeMap<String, Facet> {
        match kind.path {
            "causes" => &self.site.causes,
            "services" => &self.site.services,
            "teams" => &self.site.teams,
            "kinds" => &self.site.kinds,
            _ => &self.site.tags,
        }
    }

    fn facet_row(&self, kind: Kind, f: &Facet, span: &[Quarter]) -> FacetRow {
        let site = self.site;
        let incidents: Vec<&crate::model::site::Incident> =
            f.incidents.iter().map(|&i| &site.incidents[i]).collect();
        let counts = per_quarter(&incidents, span);
        let (first_q, last_q) = (
            span.first().map(|q| q.label()).unwrap_or_default(),
            span.last().map(|q| q.label()).unwrap_or_default(),
        );
        FacetRow {
            name: f.slug.clone(),
            url: site.facet_url(kind.path, &f.slug),
            count: f.incidents.len(),
            first: incidents.last().map(|i| iso_date(i.pm.date)),
            last: incidents.first().map(|i| iso_date(i.pm.date)),
            description: (kind.path == "causes")
                .then(|| site.config.causes.get(&f.slug).cloned())
                .flatten(),
            as_trigger: f.as_trigger,
            trend: sparkline(&counts, &first_q, &last_q),
        }
    }

    /// The index of a kind and the pages of each facet.
    pub(crate) fn facet_pages(&self, kind: Kind) -> Vec<Job<'_>> {
        let facets = self.facets_of(kind);
        let mut jobs = self.facet_index(kind);
        let span = site_quarters(self.site);
        let span_fp = Fp::new()
            .str(&span.first().map(|q| q.label()).unwrap_or_default())
            .str(&span.last().map(|q| q.label()).unwrap_or_default())
            .finish();
        for f in facets.values() {
            jobs.extend(self.facet(kind, f, span_fp));
        }
        jobs
    }

    /// `/causes/` and the like: every facet of a kind with its count and
    /// trend, most frequent first.
    fn facet_index(&self, kind: Kind) -> Vec<Job<'_>> {
        let site = self.site;
        let facets = self.facets_of(kind);
        let mut names: Vec<&Facet> = facets.values().collect();
        names.sort_by(|a, b| {
            b.incidents
                .len()
                .cmp(&a.incidents.len())
                .then_with(|| a.slug.cmp(&b.slug))
        });
        let items: Arc<[&Facet]> = names.into();
        // A row's trend is drawn over the whole history: every row depends
        // on every incident.
        let fp = self.all(kind.path);
        self.paginate(List {
            pagination: Pagination::new(kind.path, items.len(), ROWS_PER_PAGE),
            template: "facets.html",
            title: kind.title.into(),
            section: kind.path,
            fp,
            first_fp: 0,
            item_fp: &|f: &&Facet| Fp::new().str(&f.slug).finish(),
            items,
            context: Arc::new(move |c, page| {
                let span = site_quarters(site);
                let rows: Vec<FacetRow> = page
                    .items
                    .iter()
                    .map(|f| self.facet_row(kind, f, &span))
                    .collect();
                c.insert("kind", kind.path);
                c.insert("singular", kind.singular);
                c.insert("rows", &rows);
                c.insert("span_first", &span.first().map(|q| q.label()));
                c.insert("span_last", &span.last().map(|q| q.label()));
                // Causes of the vocabulary no incident has yet.
                if kind.path == "causes" && page.pager.number == 1 {
                    let unused: Vec<(&String, &String)> = site
                        .config
                        .causes
                        .iter()
                        .filter(|(k, _)| !facets.contains_key(*k))
                        .collect();
                    c.insert("unused", &unused);
                }
            }),
        })
    }

    /// The pages of one facet: its figures (from all its incidents) on
    /// the first, its incidents over all of them.
    fn facet<'r>(&'r self, kind: Kind, facet: &'r Facet, span_fp: u64) -> Vec<Job<'r>> {
        // A team's page also lists follow-ups assigned to the team on
        // other teams' incidents: it depends on every incident.
        let mut first_fp = Fp::new()
            .u64(span_fp)
            .u64s(facet.incidents.iter().map(|&i| self.pieces[i].fp));
        if kind.path == "teams" {
            first_fp = first_fp.u64(self.all_fp);
        }
        if kind.path == "causes" {
            first_fp = first_fp.u64s(facet.incidents.iter().map(|&i| self.recurrence_fp(i)));
        }
        let items: Arc<[usize]> = facet.incidents.clone().into();
        self.paginate(List {
            pagination: Pagination::new(
                &format!("{}/{}/", kind.path, facet.slug),
                items.len(),
                INCIDENTS_PER_PAGE,
            ),
            template: "facet.html",
            title: facet.slug.clone(),
            section: kind.path,
            fp: Fp::new().str(kind.path).str(&facet.slug).finish(),
            first_fp: first_fp.finish(),
            item_fp: &|&i: &usize| self.pieces[i].fp,
            items,
            context: Arc::new(move |c, page| {
                c.insert("kind", kind.path);
                c.insert("singular", kind.singular);
                c.insert_value("incidents", self.compact_list(page.items));
                if page.pager.number == 1 {
                    self.facet_context(kind, facet, c);
                } else {
                    c.insert("facet_url", &self.site.facet_url(kind.path, &facet.slug));
                }
            }),
        })
    }

    fn facet_context(&self, kind: Kind, f: &Facet, c: &mut tera::Context) {
        let site = self.site;
        let span = site_quarters(site);
        let row = self.facet_row(kind, f, &span);
        let related: Vec<Counted> = if kind.path == "causes" {
            co_occurring(site, f)
        } else {
            top_causes(site, &f.incidents)
        }
        .into_iter()
        .take(10)
        .map(|(name, count)| Counted {
            url: site.facet_url("causes", &name),
            name,
            count,
        })
        .collect();
        let pending = self.facet_pending(kind, f);
        let today = site.clock.today;
        let overdue = pending
            .iter()
            .filter(|&&(i, k)| site.incidents[i].pm.follow_ups[k].is_overdue(today))
            .count();
        c.insert("facet", &row);
        c.insert(
            "contributing_only",
            &(row.count - row.as_trigger.min(row.count)),
        );
        c.insert("related_causes", &related);
        c.insert("median_ttr", &duration(median_ttr(site, &f.incidents)));
        c.insert(
            "with_ttr",
            &f.incidents
                .iter()
                .filter(|&&i| site.incidents[i].metrics.time_to_resolve_s.is_some())
                .count(),
        );
        c.insert("pending_count", &pending.len());
        c.insert("overdue_count", &overdue);
        // The board's list of the service or team, where there is one.
        if matches!(kind.path, "services" | "teams") {
            c.insert(
                "pending_url",
                &self.group_url(kind.path, &f.slug).unwrap_or_default(),
            );
        }
        c.insert_value(
            "pending",
            row_list(
                pending
                    .iter()
                    .take(PENDING_SHOWN)
                    .map(|&(i, k)| &*self.pieces[i].board_rows[k]),
            ),
        );
        if kind.path == "causes" {
            self.cause_recurrences(&f.slug, &f.incidents, c);
        }
    }

    /// The open follow-ups of a facet's incidents (for a team, those it
    /// owns: see `FollowUp::teams`), overdue first, then by due date.
    fn facet_pending(&self, kind: Kind, f: &Facet) -> Vec<(usize, usize)> {
        let site = self.site;
        let mut pending: Vec<(usize, usize)> = Vec::new();
        let mut add = |i: usize| {
            let pm = &site.incidents[i].pm;
            for (k, fu) in pm.follow_ups.iter().enumerate() {
                let owned = kind.path != "teams" || fu.teams(&pm.teams).contains(&f.slug);
                if fu.status.is_pending() && owned {
                    pending.push((i, k));
                }
            }
        };
        if kind.path == "teams" {
            // The team's own follow-ups, on its incidents and on others'.
            (0..site.incidents.len()).for_each(&mut add);
        } else {
            f.incidents.iter().copied().for_each(&mut add);
        }
        let today = site.clock.today;
        pending.sort_by(|a, b| {
            let (fa, fb) = (
                &site.incidents[a.0].pm.follow_ups[a.1],
                &site.incidents[b.0].pm.follow_ups[b.1],
            );
            fb.is_overdue(today)
                .cmp(&fa.is_overdue(today))
                .then_with(|| fa.due.is_none().cmp(&fb.due.is_none()))
                .then_with(|| fa.due.cmp(&fb.due))
                .then_with(|| a.cmp(b))
        });
        pending
    }
}
