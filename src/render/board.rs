//! The follow-up board (`/follow-ups/`): what still needs doing, overdue
//! first; the history of what is done or won't be (`/follow-ups/done/`);
//! and the views by owner, team, service, priority and incident, each a
//! table of its groups with their counts, linking to each group's own
//! list of what it still has to do (`/follow-ups/owners/<owner>/`). Every
//! list is paginated; the headline figures come from all follow-ups.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use super::fragments::{Fp, row_list};
use super::paginate::{FOLLOW_UPS_PER_PAGE, List, PageOf, Pagination, ROWS_PER_PAGE};
use super::views::FollowUpRow;
use super::{Job, Renderer};
use crate::model::followup::{FollowUp, FollowUpStatus};
use crate::model::site::{Incident, Site};
use crate::model::stats::{FollowUpFigures, follow_up_figures};

/// A follow-up: `(incident index, follow-up index)`.
type At = (usize, usize);

/// One group of a view, with its counts.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Group {
    name: String,
    /// The group's own list of what it still has to do (for the view by
    /// incident: the incident's follow-up table); none when nothing is
    /// left to do.
    list_url: Option<String>,
    /// The group's page elsewhere on the site (a team's, a service's).
    url: Option<String>,
    pending: usize,
    open: usize,
    in_progress: usize,
    overdue: usize,
    done: usize,
    total: usize,
}

/// A group with what it is made of.
pub(crate) struct GroupData {
    group: Group,
    /// The folder of its list below the site root.
    dir: String,
    /// Its follow-ups still to do, in board order.
    pending: Arc<[At]>,
}

/// A view of the board: its groups, most still to do first.
pub(crate) struct View {
    path: &'static str,
    title: &'static str,
    groups: Vec<Arc<GroupData>>,
    /// Group key → position in `groups`.
    by_key: HashMap<String, usize>,
}

/// The views of the board: URL folder and title.
const VIEWS: [(&str, &str); 5] = [
    ("owners", "By owner"),
    ("teams", "By team"),
    ("services", "By service"),
    ("priorities", "By priority"),
    ("incidents", "By incident"),
];

/// Names group folders may not take: the pages of the view itself.
const RESERVED: [&str; 1] = ["page"];

/// Overdue first, then open and in progress, then done, then won't fix;
/// within each, by due date (none last), then in site order.
fn sort_key(r: &FollowUpRow, due_day: Option<i64>, at: At) -> (u8, i64, At) {
    let class = if r.overdue {
        0
    } else {
        match r.status {
            "open" | "in-progress" => 1,
            "done" => 2,
            _ => 3,
        }
    };
    (class, due_day.unwrap_or(i64::MAX), at)
}

/// What the board's pages share, computed once.
#[derive(Default)]
pub(crate) struct BoardCache {
    order: OnceLock<Vec<At>>,
    views: OnceLock<Vec<View>>,
    figures: OnceLock<FollowUpFigures>,
}

impl Renderer<'_> {
    /// Every follow-up in board order.
    fn board_order(&self) -> &[At] {
        self.board.order.get_or_init(|| {
            let mut keyed: Vec<(u8, i64, At)> = Vec::new();
            for (i, inc) in self.site.incidents.iter().enumerate() {
                for (k, fu) in inc.pm.follow_ups.iter().enumerate() {
                    let due = fu.due.map(crate::model::timeline::day_number);
                    keyed.push(sort_key(&self.pieces[i].rows[k], due, (i, k)));
                }
            }
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, _, at)| at).collect()
        })
    }

    fn views(&self) -> &[View] {
        self.board.views.get_or_init(|| {
            VIEWS
                .iter()
                .map(|&(path, title)| self.make_view(path, title))
                .collect()
        })
    }

    /// The URL of the list of what group `key` of view `view` still has to
    /// do (`services`, `teams`), if it has anything left.
    pub(crate) fn group_url(&self, view: &str, key: &str) -> Option<String> {
        let v = self.views().iter().find(|v| v.path == view)?;
        let g = &v.groups[*v.by_key.get(key)?];
        g.group.list_url.clone()
    }

    pub(crate) fn follow_up_pages(&self) -> Vec<Job<'_>> {
        let base = self.site.config.base_path();
        let nav: Arc<Vec<(String, String)>> = Arc::new(
            VIEWS
                .iter()
                .map(|(path, title)| (format!("{base}follow-ups/{path}/"), title.to_string()))
                .collect(),
        );
        let mut jobs = self.board_pages(nav.clone());
        jobs.extend(self.history_pages());
        for view in self.views() {
            jobs.extend(self.view_pages(view, nav.clone()));
            for g in &view.groups {
                if !g.pending.is_empty() && view.path != "incidents" {
                    jobs.extend(self.group_pages(view, g));
                }
            }
        }
        jobs
    }

    /// The fingerprint of the rows of follow-ups: their incidents' pieces.
    fn rows_fp(&self) -> impl Fn(&At) -> u64 + '_ {
        |&(i, k)| Fp::new().u64(self.pieces[i].fp).u64(k as u64).finish()
    }

    /// `/follow-ups/`: what still needs doing, overdue first, with the
    /// headline figures of every follow-up.
    fn board_pages(&self, nav: Arc<Vec<(String, String)>>) -> Vec<Job<'_>> {
        let order = self.board_order();
        let items: Arc<[At]> = order
            .iter()
            .copied()
            .filter(|&(i, k)| self.site.incidents[i].pm.follow_ups[k].status.is_pending())
            .collect();
        let fp = self.rows_fp();
        self.paginate(List {
            pagination: Pagination::new("follow-ups/", items.len(), FOLLOW_UPS_PER_PAGE),
            template: "follow-ups.html",
            title: "Follow-up actions".into(),
            section: "follow-ups",
            fp: 0,
            first_fp: self.all("follow-ups"),
            item_fp: &fp,
            items,
            context: Arc::new(move |c, page| self.board_context(c, page, &nav)),
        })
    }

    fn board_context(
        &self,
        c: &mut tera::Context,
        page: &PageOf<'_, At>,
        nav: &[(String, String)],
    ) {
        let figures = self
            .board
            .figures
            .get_or_init(|| follow_up_figures(self.site));
        let split = page
            .items
            .iter()
            .position(|&(i, k)| !self.pieces[i].rows[k].overdue)
            .unwrap_or(page.items.len());
        let rows =
            |list: &[At]| row_list(list.iter().map(|&(i, k)| &*self.pieces[i].board_rows[k]));
        c.insert_value("overdue", rows(&page.items[..split]));
        c.insert_value("pending", rows(&page.items[split..]));
        let median_days = figures.median_days_to_done.map(|d| {
            if d.fract() == 0.0 {
                format!("{}", d as i64)
            } else {
                format!("{d:.1}")
            }
        });
        c.insert("figures", figures);
        c.insert("median_days", &median_days);
        c.insert("views", nav);
        c.insert("done_url", &self.site.url("follow-ups/done/"));
    }

    /// `/follow-ups/done/`: what is done or won't be done, the most
    /// recently completed first.
    fn history_pages(&self) -> Vec<Job<'_>> {
        let site = self.site;
        let mut items: Vec<At> = self
            .board_order()
            .iter()
            .copied()
            .filter(|&(i, k)| !site.incidents[i].pm.follow_ups[k].status.is_pending())
            .collect();
        items.sort_by(|a, b| {
            let (fa, fb) = (
                &site.incidents[a.0].pm.follow_ups[a.1],
                &site.incidents[b.0].pm.follow_ups[b.1],
            );
            fa.completed
                .is_none()
                .cmp(&fb.completed.is_none())
                .then_with(|| fb.completed.cmp(&fa.completed))
                .then_with(|| a.cmp(b))
        });
        let items: Arc<[At]> = items.into();
        let fp = self.rows_fp();
        self.paginate(List {
            pagination: Pagination::new("follow-ups/done/", items.len(), FOLLOW_UPS_PER_PAGE),
            template: "follow-ups-done.html",
            title: "Follow-ups done and won't fix".into(),
            section: "follow-ups",
            fp: 0,
            first_fp: 0,
            item_fp: &fp,
            items,
            context: Arc::new(move |c, page| {
                c.insert_value(
                    "rows",
                    row_list(
                        page.items
                            .iter()
                            .map(|&(i, k)| &*self.pieces[i].board_rows[k]),
                    ),
                );
            }),
        })
    }

    /// `/follow-ups/<view>/`: the groups of a view with their counts.
    fn view_pages<'r>(&'r self, view: &'r View, nav: Arc<Vec<(String, String)>>) -> Vec<Job<'r>> {
        let items: Arc<[Arc<GroupData>]> = view.groups.iter().cloned().collect();
        self.paginate(List {
            pagination: Pagination::new(
                &format!("follow-ups/{}/", view.path),
                items.len(),
                ROWS_PER_PAGE,
            ),
            template: "follow-ups-view.html",
            title: format!("Follow-ups {}", view.title.to_lowercase()),
            section: "follow-ups",
            fp: 0,
            first_fp: 0,
            item_fp: &|g: &Arc<GroupData>| {
                Fp::new()
                    .str(&serde_json::to_string(&g.group).unwrap_or_default())
                    .finish()
            },
            items,
            context: Arc::new(move |c, page| {
                let groups: Vec<&Group> = page.items.iter().map(|g| &g.group).collect();
                c.insert("view_title", view.title);
                c.insert("view", view.path);
                c.insert("views", &*nav);
                c.insert("done_url", &self.site.url("follow-ups/done/"));
                c.insert("groups", &groups);
            }),
        })
    }

    /// The list of what one group of a view still has to do.
    fn group_pages<'r>(&'r self, view: &'r View, g: &'r GroupData) -> Vec<Job<'r>> {
        let fp = self.rows_fp();
        self.paginate(List {
            pagination: Pagination::new(&g.dir, g.pending.len(), FOLLOW_UPS_PER_PAGE),
            template: "follow-ups-group.html",
            title: format!("Follow-ups: {}", g.group.name),
            section: "follow-ups",
            fp: Fp::new()
                .str(&serde_json::to_string(&g.group).unwrap_or_default())
                .finish(),
            first_fp: 0,
            item_fp: &fp,
            items: g.pending.clone(),
            context: Arc::new(move |c, page| {
                c.insert("view_title", view.title);
                c.insert(
                    "view_url",
                    &self.site.url(&format!("follow-ups/{}/", view.path)),
                );
                c.insert("group", &g.group);
                c.insert_value(
                    "rows",
                    row_list(
                        page.items
                            .iter()
                            .map(|&(i, k)| &*self.pieces[i].board_rows[k]),
                    ),
                );
            }),
        })
    }

    /// The groups of a view, each with its counts and its follow-ups still
    /// to do in board order; most still to do first, then by name.
    fn make_view(&self, path: &'static str, title: &'static str) -> View {
        let site = self.site;
        let today = site.clock.today;
        let mut groups: BTreeMap<String, (Group, Vec<At>)> = BTreeMap::new();
        for &(i, k) in self.board_order() {
            let inc = &site.incidents[i];
            let fu = &inc.pm.follow_ups[k];
            for key in group_keys(path, inc, fu) {
                let entry = groups
                    .entry(key.clone())
                    .or_insert_with(|| (new_group(site, path, inc, &key), Vec::new()));
                let g = &mut entry.0;
                g.total += 1;
                match fu.status {
                    FollowUpStatus::Open => g.open += 1,
                    FollowUpStatus::InProgress => g.in_progress += 1,
                    FollowUpStatus::Done => g.done += 1,
                    FollowUpStatus::WontFix => {}
                }
                if fu.status.is_pending() {
                    g.pending += 1;
                    entry.1.push((i, k));
                }
                if fu.is_overdue(today) {
                    g.overdue += 1;
                }
            }
        }
        // Folders in key order, so that they do not depend on the counts;
        // the groups of follow-ups without an owner, team, … last, so that
        // a team called "no team" keeps its folder when they appear.
        // The view by incident links to the incidents' own pages.
        let mut taken: HashSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        let mut list: Vec<(String, GroupData)> = Vec::with_capacity(groups.len());
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort_by_key(|(key, _)| is_placeholder(key));
        for (key, (mut group, pending)) in groups {
            let dir = match path {
                "incidents" => String::new(),
                _ => format!("follow-ups/{path}/{}/", unique_slug(&key, &mut taken)),
            };
            group.list_url = match path {
                "incidents" => group
                    .url
                    .as_ref()
                    .map(|u| format!("{u}#pm-follow-ups-title")),
                _ if pending.is_empty() => None,
                _ => Some(site.url(&dir)),
            };
            let pending: Arc<[At]> = pending.into();
            list.push((
                key,
                GroupData {
                    group,
                    dir,
                    pending,
                },
            ));
        }
        list.sort_by(|a, b| {
            b.1.group
                .pending
                .cmp(&a.1.group.pending)
                .then_with(|| a.1.group.name.cmp(&b.1.group.name))
                .then_with(|| a.0.cmp(&b.0))
        });
        let by_key = list
            .iter()
            .enumerate()
            .map(|(n, (key, _))| (key.clone(), n))
            .collect();
        View {
            path,
            title,
            groups: list.into_iter().map(|(_, g)| Arc::new(g)).collect(),
            by_key,
        }
    }
}

/// The name of the group of follow-ups that have no owner, team, service
/// or priority.
fn is_placeholder(key: &str) -> bool {
    key.starts_with("(no ") && key.ends_with(')')
}

/// A folder name for a group: its slug, made unique among `taken` (which
/// it joins) with `-2`, `-3`, …
fn unique_slug(key: &str, taken: &mut HashSet<String>) -> String {
    let mut base = crate::config::slug::slugify(key);
    if base.is_empty() {
        base = "group".into();
    }
    let mut slug = base.clone();
    let mut n = 1;
    while taken.contains(&slug) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    taken.insert(slug.clone());
    slug
}

/// The groups of a view a follow-up belongs to.
fn group_keys(path: &str, inc: &Incident, fu: &FollowUp) -> Vec<String> {
    match path {
        "owners" => {
            vec![fu.owner.clone().unwrap_or_else(|| "(no owner)".into())]
        }
        "teams" => match fu.teams(&inc.pm.teams) {
            [] => vec!["(no team)".into()],
            teams => teams.to_vec(),
        },
        "services" if inc.pm.services.is_empty() => vec!["(no service)".into()],
        "services" => inc.pm.services.clone(),
        // Completion per incident: its id (unique), shown as its title.
        "incidents" => vec![inc.pm.id.clone()],
        _ => vec![
            fu.priority
                .clone()
                .unwrap_or_else(|| "(no priority)".into()),
        ],
    }
}

/// An empty group of a view, named `key`; `inc` is the incident of its
/// first follow-up.
fn new_group(site: &Site, path: &str, inc: &Incident, key: &str) -> Group {
    let url = match path {
        "teams" if site.teams.contains_key(key) => Some(site.facet_url("teams", key)),
        "services" if !key.starts_with('(') => Some(site.facet_url("services", key)),
        "incidents" => Some(inc.url.clone()),
        _ => None,
    };
    let name = match path {
        "incidents" => inc.pm.title.clone(),
        _ => key.to_string(),
    };
    Group {
        name,
        list_url: None,
        url,
        pending: 0,
        open: 0,
        in_progress: 0,
        overdue: 0,
        done: 0,
        total: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_folders_are_unique_slugs() {
        let mut taken: HashSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        assert_eq!(unique_slug("(no owner)", &mut taken), "no-owner");
        assert_eq!(unique_slug("Ann", &mut taken), "ann");
        assert_eq!(unique_slug("ann", &mut taken), "ann-2");
        assert_eq!(unique_slug("page", &mut taken), "page-2");
        assert_eq!(unique_slug("!!", &mut taken), "group");
    }
}
