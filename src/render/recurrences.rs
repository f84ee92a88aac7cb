//! Recurrences in the pages: the notice on an incident that happened
//! again while an earlier incident's follow-ups were not done, "Recurred
//! in" on the earlier one, the `/recurrences/` list with its per-year
//! counts, and each cause's recurrences.

use serde::Serialize;
use tera::Value;

use std::sync::Arc;

use super::fragments::{Fp, incident_list};
use super::paginate::{INCIDENTS_PER_PAGE, List, Pagination};
use super::views::{Link, human_date, iso_date, links};
use super::{Job, Renderer};
use crate::model::followup::FollowUpStatus;
use crate::model::postmortem::Kind;
use crate::model::recurrence;
use crate::model::site::Site;

/// How many of each list a cause page shows (newest first; the counts are
/// whole, and `/recurrences/` has every recurrence).
const CAUSE_SHOWN: usize = 20;

/// How many later incidents an incident page lists under "Recurred in".
const RECURRED_IN_SHOWN: usize = 5;

/// A follow-up of the earlier incident that was not done.
#[derive(Clone, Debug, Serialize)]
pub struct NotDoneView {
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    /// Won't fix: a risk that was accepted (and came back).
    pub accepted_risk: bool,
    /// Done, but only later, on this date.
    pub completed: Option<String>,
}

/// An earlier incident, as a later one's page names it.
#[derive(Clone, Debug, Serialize)]
pub struct LinkView {
    pub id: String,
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_human: String,
    pub causes: Vec<Link>,
    pub not_done: Vec<NotDoneView>,
    /// How many of `not_done` are won't fix (accepted risks).
    pub accepted: usize,
    /// How many of `not_done` a notice names: all of up to
    /// [`NOT_DONE_NAMED`] + 1, else [`NOT_DONE_NAMED`] and a count.
    pub named: usize,
}

/// How many not-done follow-ups of an earlier incident a notice names
/// when it has more than one more (the rest are counted, and linked).
const NOT_DONE_NAMED: usize = 2;

pub fn link_view(site: &Site, l: &recurrence::Link) -> LinkView {
    let e = &site.incidents[l.earlier];
    let accepted = l
        .not_done
        .iter()
        .filter(|f| f.status == FollowUpStatus::WontFix)
        .count();
    let n = l.not_done.len();
    LinkView {
        accepted,
        named: if n <= NOT_DONE_NAMED + 1 {
            n
        } else {
            NOT_DONE_NAMED
        },
        id: e.pm.id.clone(),
        title: e.pm.title.clone(),
        url: e.url.clone(),
        date: iso_date(e.pm.date),
        date_human: human_date(e.pm.date),
        causes: links(site, "causes", &l.causes),
        not_done: l
            .not_done
            .iter()
            .map(|f| NotDoneView {
                title: f.title.clone(),
                status: f.status.as_str(),
                status_label: f.status.label(),
                accepted_risk: f.status == FollowUpStatus::WontFix,
                completed: f.completed.map(iso_date),
            })
            .collect(),
    }
}

fn views(site: &Site, list: Option<&Vec<recurrence::Link>>) -> Vec<LinkView> {
    list.map(|l| l.iter().map(|x| link_view(site, x)).collect())
        .unwrap_or_default()
}

/// One year of `/recurrences/`: incidents, and how many were recurrences.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct YearShare {
    pub year: i16,
    /// `kind: incident` postmortems of the year.
    pub incidents: usize,
    pub recurrences: usize,
    /// Rounded percentage; `None` without incidents.
    pub percent: Option<u32>,
}

/// Per year (newest first): incidents and recurrences among them.
pub fn year_shares(site: &Site) -> Vec<YearShare> {
    let mut out: Vec<YearShare> = Vec::new();
    for (i, inc) in site.incidents.iter().enumerate() {
        if inc.pm.kind != Kind::Incident {
            continue;
        }
        let y = inc.pm.date.year();
        if out.last().is_none_or(|r| r.year != y) {
            out.push(YearShare {
                year: y,
                incidents: 0,
                recurrences: 0,
                percent: None,
            });
        }
        if let Some(r) = out.last_mut() {
            r.incidents += 1;
            r.recurrences += usize::from(site.recurrences.is_recurrence(i));
        }
    }
    for r in &mut out {
        r.percent = (r.incidents > 0)
            .then(|| (r.recurrences as f64 * 100.0 / r.incidents as f64).round() as u32);
    }
    out
}

/// A recurring incident as a list row: its compact piece and the earlier
/// incidents it recurs.
#[derive(Serialize)]
struct Row {
    html: Value,
    earlier: Vec<LinkView>,
    /// Causes with more earlier incidents than linked.
    more: Vec<MoreView>,
}

/// A cause through which more earlier incidents qualified than are
/// linked: how many more (exactly), and where they are listed.
#[derive(Clone, Debug, Serialize)]
pub struct MoreView {
    pub cause: String,
    pub url: String,
    pub count: usize,
}

fn more_views(site: &Site, i: usize) -> Vec<MoreView> {
    site.recurrences
        .more
        .get(i)
        .into_iter()
        .flatten()
        .map(|(cause, count)| MoreView {
            cause: cause.clone(),
            url: site.facet_url("causes", cause),
            count: *count,
        })
        .collect()
}

impl Renderer<'_> {
    /// What an incident page shows of recurrences; and its fingerprint.
    pub(crate) fn recurrence_context(&self, i: usize, c: &mut tera::Context) {
        let site = self.site;
        let r = &site.recurrences;
        c.insert("recurrence_of", &views(site, r.of.get(i)));
        c.insert("seen_again", &views(site, r.seen_again.get(i)));
        c.insert("after_fix", &views(site, r.after_fix.get(i)));
        c.insert("recurrence_more", &more_views(site, i));
        let later: &[usize] = r.recurred_in.get(i).map_or(&[], Vec::as_slice);
        let shown = &later[..later.len().min(RECURRED_IN_SHOWN)];
        c.insert_value(
            "recurred_in",
            incident_list(shown.iter().map(|&j| &*self.pieces[j].mini)),
        );
        c.insert("recurred_in_more", &(later.len() - shown.len()));
    }

    /// The fingerprint of what incident `i`'s page shows of recurrences.
    pub(crate) fn recurrence_fp(&self, i: usize) -> u64 {
        let r = &self.site.recurrences;
        let linked = [&r.of, &r.seen_again, &r.after_fix]
            .into_iter()
            .filter_map(|l| l.get(i))
            .flatten()
            .map(|l| self.pieces[l.earlier].fp);
        let later = r.recurred_in.get(i).into_iter().flatten();
        Fp::new()
            .u64(r.fingerprint(i, |j| self.pieces[j].fp))
            .u64s(linked)
            .u64s(later.map(|&j| self.pieces[j].fp))
            .finish()
    }

    /// `/recurrences/` and its further pages (paginated like the other
    /// incident lists): every recurrence, newest first; on the first page
    /// the share of incidents that were recurrences per year.
    pub(crate) fn recurrence_pages(&self) -> Vec<Job<'_>> {
        let site = self.site;
        let items: Arc<[usize]> = (0..site.incidents.len())
            .filter(|&i| site.recurrences.is_recurrence(i))
            .collect();
        self.paginate(List {
            pagination: Pagination::new("recurrences/", items.len(), INCIDENTS_PER_PAGE),
            template: "recurrences.html",
            title: "Recurrences".into(),
            section: "recurrences",
            fp: 0,
            // The per-year shares count every incident.
            first_fp: self.all_fp,
            item_fp: &|&i: &usize| {
                Fp::new()
                    .u64(self.pieces[i].fp)
                    .u64(self.recurrence_fp(i))
                    .finish()
            },
            items,
            context: Arc::new(move |c, page| {
                let rows: Vec<Row> = page
                    .items
                    .iter()
                    .map(|&i| Row {
                        html: Value::safe_string(&self.pieces[i].compact),
                        earlier: views(site, site.recurrences.of.get(i)),
                        more: more_views(site, i),
                    })
                    .collect();
                c.insert("rows", &rows);
                if page.pager.number == 1 {
                    c.insert("years", &year_shares(site));
                }
            }),
        })
    }

    /// A cause page's recurrences: incidents that recur an earlier one
    /// through this cause, near misses and exercises that met it while an
    /// earlier incident's follow-ups were not done, and incidents that
    /// came back after the earlier one's fix.
    pub(crate) fn cause_recurrences(
        &self,
        cause: &str,
        incidents: &[usize],
        c: &mut tera::Context,
    ) {
        let site = self.site;
        let r = &site.recurrences;
        let through = |links: &[recurrence::Link]| -> Vec<LinkView> {
            links
                .iter()
                .filter(|l| l.causes.iter().any(|x| x == cause))
                .map(|l| link_view(site, l))
                .collect()
        };
        let lists = [
            ("cause_recurrences", &r.of),
            ("cause_seen_again", &r.seen_again),
            ("cause_after_fix", &r.after_fix),
        ];
        for (name, list) in lists {
            // Newest first; only the first few are made into rows.
            let mut total = 0;
            let mut rows = Vec::new();
            for &i in incidents {
                let links = list.get(i).map_or(&[][..], Vec::as_slice);
                if !links.iter().any(|l| l.causes.iter().any(|x| x == cause)) {
                    continue;
                }
                total += 1;
                if rows.len() < CAUSE_SHOWN {
                    rows.push(Row {
                        html: Value::safe_string(&self.pieces[i].compact),
                        earlier: through(links),
                        more: more_views(site, i)
                            .into_iter()
                            .filter(|m| m.cause == cause)
                            .collect(),
                    });
                }
            }
            c.insert(format!("{name}_total"), &total);
            c.insert(name, &rows);
        }
    }
}
