//! Pages per cause, service, team and tag, and their indexes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::charts::{Sparkline, sparkline};
use super::fragments::{Fp, row_list};
use super::views::iso_date;
use super::{Job, Renderer};
use crate::model::site::Facet;
use crate::model::stats::{
    Quarter, co_occurring, median_ttr, per_quarter, site_quarters, top_causes,
};
use crate::model::timeline::human_duration;

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

    /// The index of a kind and one page per facet.
    pub(crate) fn facet_pages(&self, kind: Kind) -> Vec<Job<'_>> {
        let site = self.site;
        let facets = self.facets_of(kind);
        let mut jobs = Vec::with_capacity(facets.len() + 1);
        jobs.push(self.page(
            format!("{}/index.html", kind.path),
            "facets.html",
            kind.title,
            kind.path,
            self.all(kind.path),
            move |c| {
                let span = site_quarters(site);
                let mut rows: Vec<FacetRow> = facets
                    .values()
                    .map(|f| self.facet_row(kind, f, &span))
                    .collect();
                rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
                c.insert("kind", kind.path);
                c.insert("singular", kind.singular);
                c.insert("rows", &rows);
                c.insert("span_first", &span.first().map(|q| q.label()));
                c.insert("span_last", &span.last().map(|q| q.label()));
                // Causes of the vocabulary no incident has yet.
                if kind.path == "causes" {
                    let unused: Vec<(&String, &String)> = site
                        .config
                        .causes
                        .iter()
                        .filter(|(k, _)| !facets.contains_key(*k))
                        .collect();
                    c.insert("unused", &unused);
                }
            },
        ));
        for f in facets.values() {
            // A team's page also lists follow-ups assigned to the team on
            // other teams' incidents: it depends on every incident.
            let mut fp = Fp::new()
                .u64(self.global_fp)
                .str(kind.path)
                .str(&f.slug)
                .u64s(f.incidents.iter().map(|&i| self.pieces[i].fp));
            if kind.path == "teams" {
                fp = fp.u64(self.all_fp);
            }
            if kind.path == "causes" {
                fp = fp.u64s(f.incidents.iter().map(|&i| self.recurrence_fp(i)));
            }
            jobs.push(self.page(
                format!("{}/{}/index.html", kind.path, f.slug),
                "facet.html",
                &f.slug,
                kind.path,
                fp.finish(),
                move |c| self.facet_context(kind, f, c),
            ));
        }
        jobs
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
        // Open follow-ups of these incidents (and, for a team, those
        // assigned to it on other incidents), overdue first, then by due date.
        let mut pending: Vec<(usize, usize)> = Vec::new();
        for &i in &f.incidents {
            for (k, fu) in site.incidents[i].pm.follow_ups.iter().enumerate() {
                if fu.status.is_pending() {
                    pending.push((i, k));
                }
            }
        }
        if kind.path == "teams" {
            for (i, inc) in site.incidents.iter().enumerate() {
                if inc.pm.teams.contains(&f.slug) {
                    continue;
                }
                for (k, fu) in inc.pm.follow_ups.iter().enumerate() {
                    if fu.status.is_pending() && fu.team.as_deref() == Some(f.slug.as_str()) {
                        pending.push((i, k));
                    }
                }
            }
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
        c.insert("kind", kind.path);
        c.insert("singular", kind.singular);
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
        c.insert_value(
            "pending",
            row_list(pending.iter().map(|&(i, k)| &*self.pieces[i].board_rows[k])),
        );
        c.insert_value("incidents", self.compact_list(&f.incidents));
        if kind.path == "causes" {
            self.cause_recurrences(&f.slug, &f.incidents, c);
        }
    }
}
