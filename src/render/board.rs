//! The follow-up board (`/follow-ups/`) and its views by owner, team,
//! service and priority.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Value;

use super::fragments::row_list;
use super::views::FollowUpRow;
use super::{Job, Renderer};
use crate::model::followup::{FollowUp, FollowUpStatus};
use crate::model::site::{Incident, Site};
use crate::model::stats::follow_up_figures;

/// One group of a view.
#[derive(Clone, Debug, Serialize)]
struct Group {
    name: String,
    anchor: String,
    url: Option<String>,
    pending: usize,
    overdue: usize,
    done: usize,
    total: usize,
}

/// The views of the board: URL folder and title.
const VIEWS: [(&str, &str); 5] = [
    ("owners", "By owner"),
    ("teams", "By team"),
    ("services", "By service"),
    ("priorities", "By priority"),
    ("incidents", "By incident"),
];

/// Overdue first, then open and in progress, then done, then won't fix;
/// within each, by due date (none last), then in site order.
fn sort_key(
    r: &FollowUpRow,
    due_day: Option<i64>,
    at: (usize, usize),
) -> (u8, i64, (usize, usize)) {
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

impl Renderer<'_> {
    /// Every follow-up as `(incident index, follow-up index)`, in board
    /// order (computed once, shared by the board and its views).
    fn board_order(&self) -> &[(usize, usize)] {
        self.board_order.get_or_init(|| {
            let mut keyed: Vec<(u8, i64, (usize, usize))> = Vec::new();
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

    pub(crate) fn follow_up_pages(&self) -> Vec<Job<'_>> {
        let base = self.site.config.base_path();
        let views: Vec<(String, String)> = VIEWS
            .iter()
            .map(|(path, title)| (format!("{base}follow-ups/{path}/"), title.to_string()))
            .collect();
        let mut jobs = vec![self.board_page(views.clone())];
        for (path, title) in VIEWS {
            jobs.push(self.view_page(path, title, views.clone()));
        }
        jobs
    }

    /// The board: every follow-up, overdue first.
    fn board_page(&self, views: Vec<(String, String)>) -> Job<'_> {
        self.page(
            "follow-ups/index.html",
            "follow-ups.html",
            "Follow-up actions",
            "follow-ups",
            self.all("follow-ups"),
            move |c| self.board_context(c, &views),
        )
    }

    fn board_context(&self, c: &mut tera::Context, views: &[(String, String)]) {
        let figures = follow_up_figures(self.site);
        let order = self.board_order();
        let section = |pred: &dyn Fn(&FollowUpRow) -> bool| -> Value {
            row_list(
                order
                    .iter()
                    .filter(|&&(i, k)| pred(&self.pieces[i].rows[k]))
                    .map(|&(i, k)| &*self.pieces[i].board_rows[k]),
            )
        };
        c.insert_value("overdue", section(&|r| r.overdue));
        c.insert_value(
            "pending",
            section(&|r| !r.overdue && (r.status == "open" || r.status == "in-progress")),
        );
        c.insert_value("done", section(&|r| r.status == "done"));
        c.insert_value("wont_fix", section(&|r| r.status == "wont-fix"));
        let median_days = figures.median_days_to_done.map(|d| {
            if d.fract() == 0.0 {
                format!("{}", d as i64)
            } else {
                format!("{d:.1}")
            }
        });
        c.insert("figures", &figures);
        c.insert("median_days", &median_days);
        c.insert("views", &views);
    }

    /// One view of the board (`path` is one of [`VIEWS`]).
    fn view_page(
        &self,
        path: &'static str,
        title: &'static str,
        views: Vec<(String, String)>,
    ) -> Job<'_> {
        self.page(
            format!("follow-ups/{path}/index.html"),
            "follow-ups-view.html",
            &format!("Follow-ups {}", title.to_lowercase()),
            "follow-ups",
            self.all(path),
            move |c| self.view_context(c, path, title, &views),
        )
    }

    fn view_context(
        &self,
        c: &mut tera::Context,
        path: &str,
        title: &str,
        views: &[(String, String)],
    ) {
        let groups: Vec<Value> = self
            .view_groups(path)
            .into_iter()
            .map(|(g, rows)| {
                let mut map = tera::Map::new();
                map.insert("group".into(), super::views::value(&g));
                map.insert(
                    "rows".into(),
                    row_list(rows.iter().map(|&(i, k)| &*self.pieces[i].board_rows[k])),
                );
                Value::from(map)
            })
            .collect();
        c.insert("view_title", title);
        c.insert("view", path);
        c.insert("views", &views);
        c.insert_value("groups", Value::from(groups));
    }

    /// The groups of a view, each with its pending follow-ups in board
    /// order.
    fn view_groups(&self, path: &str) -> Vec<(Group, Vec<(usize, usize)>)> {
        let site = self.site;
        let mut groups: BTreeMap<String, (Group, Vec<(usize, usize)>)> = BTreeMap::new();
        for &(i, k) in self.board_order().iter() {
            let inc = &site.incidents[i];
            let fu = &inc.pm.follow_ups[k];
            for key in group_keys(path, inc, fu) {
                let entry = groups
                    .entry(key.clone())
                    .or_insert_with(|| (new_group(site, path, inc, &key), Vec::new()));
                entry.0.total += 1;
                if fu.status.is_pending() {
                    entry.0.pending += 1;
                    entry.1.push((i, k));
                }
                if fu.is_overdue(site.clock.today) {
                    entry.0.overdue += 1;
                }
                if fu.status == FollowUpStatus::Done {
                    entry.0.done += 1;
                }
            }
        }
        let mut list: Vec<(Group, Vec<(usize, usize)>)> = groups.into_values().collect();
        // Most still to do first; the rest by name.
        list.sort_by(|a, b| {
            b.0.pending
                .cmp(&a.0.pending)
                .then_with(|| a.0.name.cmp(&b.0.name))
        });
        list
    }
}

/// The groups of a view a follow-up belongs to.
fn group_keys(path: &str, inc: &Incident, fu: &FollowUp) -> Vec<String> {
    match path {
        "owners" => {
            vec![fu.owner.clone().unwrap_or_else(|| "(no owner)".into())]
        }
        "teams" => vec![
            fu.team
                .clone()
                .or_else(|| inc.pm.teams.first().cloned())
                .unwrap_or_else(|| "(no team)".into()),
        ],
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
        "teams" if !key.starts_with('(') => Some(site.facet_url("teams", key)),
        "services" if !key.starts_with('(') => Some(site.facet_url("services", key)),
        "incidents" => Some(inc.url.clone()),
        _ => None,
    };
    let name = match path {
        "incidents" => inc.pm.title.clone(),
        _ => key.to_string(),
    };
    Group {
        anchor: crate::config::slug::slugify(key),
        name,
        url,
        pending: 0,
        overdue: 0,
        done: 0,
        total: 0,
    }
}
