//! Review debt in the pages: "Awaiting review" on the home page (the
//! first few), `/review/` (all of them, paginated) and the count on the
//! stats page. A normal build leaves drafts out entirely (they may be
//! unfinished or private), so only `in-review` postmortems are listed
//! unless the site is built with `--drafts`; `pmsite check` reports both.

use serde::Serialize;

use std::sync::Arc;

use super::fragments::Fp;
use super::paginate::{INCIDENTS_PER_PAGE, List, Pagination};
use super::views::severity_class;
use super::{Job, Renderer};
use crate::model::review::awaiting_review;
use crate::model::site::Site;

/// How many the home page lists.
pub const HOME_SHOWN: usize = 8;

/// A postmortem awaiting review.
#[derive(Clone, Debug, Serialize)]
pub struct ReviewRow {
    pub title: String,
    pub url: String,
    pub severity: Option<String>,
    pub severity_class: String,
    pub status: &'static str,
    pub age_days: i64,
}

/// How much review debt there is.
#[derive(Clone, Debug, Serialize)]
pub struct ReviewFigures {
    pub count: usize,
    /// Of them, in the two most severe severities.
    pub severe: usize,
    /// `SEV1 or SEV2`.
    pub severe_names: String,
    pub review_days: u32,
}

pub fn review_figures(site: &Site) -> ReviewFigures {
    let list = awaiting_review(site);
    ReviewFigures {
        count: list.len(),
        severe: list
            .iter()
            .filter(|(i, _)| site.incidents[*i].severity_rank < 2)
            .count(),
        severe_names: site
            .config
            .postmortem
            .severities
            .iter()
            .take(2)
            .cloned()
            .collect::<Vec<_>>()
            .join(" or "),
        review_days: site.config.postmortem.review_days,
    }
}

fn rows(site: &Site, list: &[(usize, i64)]) -> Vec<ReviewRow> {
    list.iter()
        .map(|&(i, age)| {
            let inc = &site.incidents[i];
            ReviewRow {
                title: inc.pm.title.clone(),
                url: inc.url.clone(),
                severity: inc.pm.severity.clone(),
                severity_class: severity_class(inc.severity_rank),
                status: inc.pm.status.as_str(),
                age_days: age,
            }
        })
        .collect()
}

/// The home page's "Awaiting review": the first few, and how many in all.
pub fn home_rows(site: &Site) -> (Vec<ReviewRow>, usize) {
    let list = awaiting_review(site);
    let shown = &list[..list.len().min(HOME_SHOWN)];
    (rows(site, shown), list.len())
}

impl Renderer<'_> {
    /// `/review/` and its further pages (paginated like the other
    /// incident lists).
    pub(crate) fn review_pages(&self) -> Vec<Job<'_>> {
        let site = self.site;
        let items: Arc<[(usize, i64)]> = awaiting_review(site).into();
        self.paginate(List {
            pagination: Pagination::new("review/", items.len(), INCIDENTS_PER_PAGE),
            template: "review.html",
            title: "Awaiting review".into(),
            section: "review",
            fp: 0,
            first_fp: 0,
            item_fp: &|&(i, age): &(usize, i64)| {
                Fp::new().u64(self.pieces[i].fp).u64(age as u64).finish()
            },
            items,
            context: Arc::new(move |c, page| {
                c.insert("rows", &rows(site, page.items));
                c.insert("review_days", &site.config.postmortem.review_days);
            }),
        })
    }
}

/// A kind of postmortem with its count, for the home page.
#[derive(Clone, Debug, Serialize)]
pub struct KindCount {
    pub name: &'static str,
    pub label: &'static str,
    pub url: String,
    pub count: usize,
}

impl Renderer<'_> {
    /// The home page's learning panels: awaiting review, the kinds, the
    /// recurrences.
    pub(crate) fn home_learning(&self, c: &mut tera::Context) {
        let site = self.site;
        let (rows, total) = home_rows(site);
        c.insert("awaiting_review", &rows);
        c.insert("awaiting_review_total", &total);
        c.insert("review_days", &site.config.postmortem.review_days);
        let kinds: Vec<KindCount> = crate::model::postmortem::Kind::ALL
            .iter()
            .filter_map(|k| {
                let f = site.kinds.get(k.as_str())?;
                Some(KindCount {
                    name: k.as_str(),
                    label: k.plural(),
                    url: site.facet_url("kinds", k.as_str()),
                    count: f.incidents.len(),
                })
            })
            .collect();
        c.insert("kind_counts", &kinds);
        c.insert(
            "recurrence_count",
            &(0..site.incidents.len())
                .filter(|&i| site.recurrences.is_recurrence(i))
                .count(),
        );
    }
}
