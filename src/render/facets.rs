//! Pages per cause, service, team and tag, and their indexes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::charts::{Sparkline, sparkline};
use super::views::{follow_up_row, iso_date};
use super::{Job, Renderer};
use crate::site::Facet;
use crate::stats::{Quarter, co_occurring, median_ttr, per_quarter, site_quarters, top_causes};
use crate::timeline::human_duration;

/// What kind of grouping a facet is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// URL folder, e.g. `causes`.
    pub path: &'static str,
    pub title: &'static str,
    pub singular: &'static str,
}

pub const KINDS: [Kind; 4] = [
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
    #[serde(skip)]
    pub value: f64,
}

pub fn duration(seconds: Option<f64>) -> Option<Duration> {
    seconds.map(|s| Duration {
        human: human_duration(s.round() as i64),
        seconds: if s.fract() == 0.0 {
            format!("{}", s as i64)
        } else {
            format!("{s}")
        },
        value: s,
    })
}

impl Renderer<'_> {
    fn facets_of(&self, kind: Kind) -> &BTreeMap<String, Facet> {
        match kind.path {
            "causes" => &self.site.causes,
            "services" => &self.site.services,
            "teams" => &self.site.teams,
            _ => &self.site.tags,
        }
    }

    fn facet_row(&self, kind: Kind, f: &Facet, span: &[Quarter]) -> FacetRow {
        let site = self.site;
        let incidents: Vec<&crate::site::Incident> =
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
    pub(crate) fn facet_pages(&self, kind: Kind) -> Vec<Job> {
        let site = self.site;
        let facets = self.facets_of(kind);
        let span = site_quarters(site);
        let rows: Vec<FacetRow> = facets
            .values()
            .map(|f| self.facet_row(kind, f, &span))
            .collect();

        let mut by_count = rows.clone();
        by_count.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        let mut index = self.page(
            format!("{}/index.html", kind.path),
            "facets.html",
            kind.title,
            kind.path,
        );
        index.context.insert("kind", kind.path);
        index.context.insert("singular", kind.singular);
        index.context.insert("rows", &by_count);
        index
            .context
            .insert("span_first", &span.first().map(|q| q.label()));
        index
            .context
            .insert("span_last", &span.last().map(|q| q.label()));
        // Causes also listed with their descriptions when a vocabulary exists
        // but no incident has them yet.
        if kind.path == "causes" {
            let unused: Vec<(&String, &String)> = site
                .config
                .causes
                .iter()
                .filter(|(k, _)| !facets.contains_key(*k))
                .collect();
            index.context.insert("unused", &unused);
        }
        let mut jobs = vec![index];

        for (f, row) in facets.values().zip(rows) {
            let mut job = self.page(
                format!("{}/{}/index.html", kind.path, f.slug),
                "facet.html",
                &f.slug,
                kind.path,
            );
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
            // assigned to it elsewhere).
            let mut pending = Vec::new();
            for &i in &f.incidents {
                let inc = &site.incidents[i];
                for fu in &inc.pm.follow_ups {
                    if fu.status.is_pending() {
                        pending.push(follow_up_row(site, inc, fu));
                    }
                }
            }
            if kind.path == "teams" {
                for inc in &site.incidents {
                    if inc.pm.teams.contains(&f.slug) {
                        continue;
                    }
                    for fu in &inc.pm.follow_ups {
                        if fu.status.is_pending() && fu.team.as_deref() == Some(f.slug.as_str()) {
                            pending.push(follow_up_row(site, inc, fu));
                        }
                    }
                }
            }
            pending.sort_by(|a, b| {
                b.overdue
                    .cmp(&a.overdue)
                    .then_with(|| a.due.is_none().cmp(&b.due.is_none()))
                    .then_with(|| a.due.cmp(&b.due))
                    .then_with(|| a.incident_id.cmp(&b.incident_id))
            });
            let c = &mut job.context;
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
            c.insert("pending", &pending);
            c.insert_value("incidents", self.cards_of(&f.incidents));
            jobs.push(job);
        }
        jobs
    }
}
