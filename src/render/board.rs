//! The follow-up board (`/follow-ups/`) and its views by owner, team,
//! service and priority.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Value;

use super::views::{FollowUpRow, follow_up_row, value};
use super::{Job, Renderer};
use crate::followup::FollowUpStatus;
use crate::stats::follow_up_figures;

/// One group of a view: a name and its follow-ups still to do.
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

/// The views of the board: URL folder, title, and how a follow-up is
/// grouped (it may fall in several groups, e.g. the incident's services).
const VIEWS: [(&str, &str); 4] = [
    ("owners", "By owner"),
    ("teams", "By team"),
    ("services", "By service"),
    ("priorities", "By priority"),
];

fn sort_key(r: &FollowUpRow) -> (u8, bool, Option<String>, String, String) {
    let class = if r.overdue {
        0
    } else {
        match r.status {
            "open" | "in-progress" => 1,
            "done" => 2,
            _ => 3,
        }
    };
    (
        class,
        r.due.is_none(),
        r.due.clone(),
        r.incident_id.clone(),
        r.title.clone(),
    )
}

impl Renderer<'_> {
    pub(crate) fn follow_up_pages(&self) -> Vec<Job> {
        let site = self.site;
        let figures = follow_up_figures(site);

        // Every follow-up once, with what it is grouped by.
        struct Item {
            row: FollowUpRow,
            value: Value,
            owner: String,
            team: String,
            services: Vec<String>,
            priority: String,
            status: FollowUpStatus,
        }
        let mut items: Vec<Item> = Vec::with_capacity(figures.total);
        for inc in &site.incidents {
            for fu in &inc.pm.follow_ups {
                let row = follow_up_row(site, inc, fu);
                items.push(Item {
                    value: value(&row),
                    row,
                    owner: fu.owner.clone().unwrap_or_else(|| "(no owner)".into()),
                    team: fu
                        .team
                        .clone()
                        .or_else(|| inc.pm.teams.first().cloned())
                        .unwrap_or_else(|| "(no team)".into()),
                    services: if inc.pm.services.is_empty() {
                        vec!["(no service)".into()]
                    } else {
                        inc.pm.services.clone()
                    },
                    priority: fu
                        .priority
                        .clone()
                        .unwrap_or_else(|| "(no priority)".into()),
                    status: fu.status,
                });
            }
        }
        items.sort_by_key(|a| sort_key(&a.row));

        let section = |pred: &dyn Fn(&Item) -> bool| -> Value {
            Value::from(
                items
                    .iter()
                    .filter(|i| pred(i))
                    .map(|i| i.value.clone())
                    .collect::<Vec<_>>(),
            )
        };
        let overdue = section(&|i| i.row.overdue);
        let pending = section(&|i| i.status.is_pending() && !i.row.overdue);
        let done = section(&|i| i.status == FollowUpStatus::Done);
        let wont_fix = section(&|i| i.status == FollowUpStatus::WontFix);

        let base = site.config.base_path();
        let views: Vec<(String, String)> = VIEWS
            .iter()
            .map(|(path, title)| (format!("{base}follow-ups/{path}/"), title.to_string()))
            .collect();

        let mut board = self.page(
            "follow-ups/index.html",
            "follow-ups.html",
            "Follow-up actions",
            "follow-ups",
        );
        let c = &mut board.context;
        c.insert("figures", &figures);
        c.insert(
            "median_days",
            &figures.median_days_to_done.map(|d| {
                if d.fract() == 0.0 {
                    format!("{}", d as i64)
                } else {
                    format!("{d:.1}")
                }
            }),
        );
        c.insert_value("overdue", overdue);
        c.insert_value("pending", pending);
        c.insert_value("done", done);
        c.insert_value("wont_fix", wont_fix);
        c.insert("views", &views);
        c.insert("view", &"");
        let mut jobs = vec![board];

        for (path, title) in VIEWS {
            let mut groups: BTreeMap<String, (Group, Vec<Value>)> = BTreeMap::new();
            for item in &items {
                let keys: Vec<&String> = match path {
                    "owners" => vec![&item.owner],
                    "teams" => vec![&item.team],
                    "services" => item.services.iter().collect(),
                    _ => vec![&item.priority],
                };
                for k in keys {
                    let entry = groups.entry(k.clone()).or_insert_with(|| {
                        let url = match path {
                            "teams" if !k.starts_with('(') => Some(site.facet_url("teams", k)),
                            "services" if !k.starts_with('(') => {
                                Some(site.facet_url("services", k))
                            }
                            _ => None,
                        };
                        (
                            Group {
                                name: k.clone(),
                                anchor: crate::slug::slugify(k),
                                url,
                                pending: 0,
                                overdue: 0,
                                done: 0,
                                total: 0,
                            },
                            Vec::new(),
                        )
                    });
                    entry.0.total += 1;
                    if item.status.is_pending() {
                        entry.0.pending += 1;
                        entry.1.push(item.value.clone());
                    }
                    if item.row.overdue {
                        entry.0.overdue += 1;
                    }
                    if item.status == FollowUpStatus::Done {
                        entry.0.done += 1;
                    }
                }
            }
            let mut list: Vec<(Group, Vec<Value>)> = groups.into_values().collect();
            // Most still to do first; the rest by name.
            list.sort_by(|a, b| {
                b.0.pending
                    .cmp(&a.0.pending)
                    .then_with(|| a.0.name.cmp(&b.0.name))
            });
            let groups: Vec<Value> = list
                .into_iter()
                .map(|(g, rows)| {
                    let mut map = tera::Map::new();
                    map.insert("group".into(), value(&g));
                    map.insert("rows".into(), Value::from(rows));
                    Value::from(map)
                })
                .collect();
            let mut job = self.page(
                format!("follow-ups/{path}/index.html"),
                "follow-ups-view.html",
                &format!("Follow-ups {}", title.to_lowercase()),
                "follow-ups",
            );
            job.context.insert("view_title", title);
            job.context.insert("view", path);
            job.context.insert("views", &views);
            job.context.insert_value("groups", Value::from(groups));
            jobs.push(job);
        }
        jobs
    }
}
