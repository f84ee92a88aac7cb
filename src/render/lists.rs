//! The lists of every incident: `/postmortems/` and `/timeline/`, both
//! newest first and paginated.

use std::sync::Arc;

use tera::Value;

use super::fragments::{Fp, incident_list};
use super::paginate::{INCIDENTS_PER_PAGE, List, PageOf, Pagination};
use super::{Job, Renderer};

/// A year of a timeline page: its months, each with its incidents.
type YearGroup = (i16, Vec<(String, Vec<usize>)>);

/// A year of the timeline with the URL of the page where it starts.
#[derive(Clone, Debug, serde::Serialize)]
struct YearLink {
    year: i16,
    url: String,
    count: usize,
}

impl Renderer<'_> {
    fn every_incident(&self) -> Arc<[usize]> {
        (0..self.site.incidents.len()).collect()
    }

    /// `/postmortems/`: every incident, newest first.
    pub(crate) fn all_postmortems(&self) -> Vec<Job<'_>> {
        let items = self.every_incident();
        self.paginate(List {
            pagination: Pagination::new("postmortems/", items.len(), INCIDENTS_PER_PAGE),
            template: "postmortems.html",
            title: "All incidents".into(),
            section: "postmortems",
            fp: 0,
            first_fp: 0,
            item_fp: &|&i: &usize| self.pieces[i].fp,
            items,
            context: Arc::new(move |c, page| {
                c.insert_value(
                    "incidents",
                    incident_list(page.items.iter().map(|&i| &*self.pieces[i].with_causes)),
                );
            }),
        })
    }

    /// `/timeline/`: every incident, newest first, by year and month, with
    /// links to the page where each year starts.
    pub(crate) fn timeline(&self) -> Vec<Job<'_>> {
        let site = self.site;
        let items = self.every_incident();
        let pagination = Pagination::new("timeline/", items.len(), INCIDENTS_PER_PAGE);
        let mut years: Vec<YearLink> = Vec::new();
        for (k, inc) in site.incidents.iter().enumerate() {
            let y = inc.pm.date.year();
            match years.last_mut() {
                Some(last) if last.year == y => last.count += 1,
                _ => years.push(YearLink {
                    year: y,
                    url: format!(
                        "{}{}#y{y}",
                        self.base,
                        pagination.dir_of(pagination.page_of(k))
                    ),
                    count: 1,
                }),
            }
        }
        let fp = Fp::new()
            .str(&serde_json::to_string(&years).unwrap_or_default())
            .finish();
        let years = Arc::new(years);
        self.paginate(List {
            pagination,
            template: "timeline.html",
            title: "Timeline".into(),
            section: "timeline",
            fp,
            first_fp: 0,
            item_fp: &|&i: &usize| self.pieces[i].fp,
            items,
            context: Arc::new(move |c, page| {
                c.insert("year_links", &*years);
                c.insert_value("years", self.timeline_groups(page));
            }),
        })
    }

    /// The incidents of a timeline page by year, then month.
    fn timeline_groups(&self, page: &PageOf<'_, usize>) -> Value {
        let site = self.site;
        let mut years: Vec<YearGroup> = Vec::new();
        for &i in page.items {
            let date = site.incidents[i].pm.date;
            let (y, m) = (date.year(), date.strftime("%B").to_string());
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
                        map.insert(
                            "incidents".into(),
                            incident_list(list.iter().map(|&i| &*self.pieces[i].with_causes)),
                        );
                        Value::from(map)
                    })
                    .collect();
                let mut map = tera::Map::new();
                map.insert("year".into(), Value::from(y as i64));
                map.insert("months".into(), Value::from(months));
                Value::from(map)
            })
            .collect();
        Value::from(years)
    }
}
