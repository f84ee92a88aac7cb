//! `/postmortems.json`: the whole knowledge base as JSON, a stable public
//! interface for dashboards and other tools. Absent values are `null`.

use serde::Serialize;

use super::views::iso_date;
use crate::model::site::Site;

#[derive(Serialize)]
pub struct Export {
    pub generated: String,
    pub postmortems: Vec<ExportedPostmortem>,
}

#[derive(Serialize)]
pub struct ExportedPostmortem {
    pub id: String,
    pub url: String,
    pub title: String,
    pub date: String,
    pub severity: Option<String>,
    pub status: &'static str,
    pub summary: Option<String>,
    pub services: Vec<String>,
    pub teams: Vec<String>,
    pub causes: Vec<String>,
    pub trigger: Option<String>,
    pub detection: Option<String>,
    pub started: Option<String>,
    pub detected: Option<String>,
    pub acknowledged: Option<String>,
    pub mitigated: Option<String>,
    pub resolved: Option<String>,
    pub time_to_detect_s: Option<i64>,
    pub time_to_resolve_s: Option<i64>,
    pub follow_ups: Vec<ExportedFollowUp>,
    pub related: Vec<String>,
    /// `incident`, `near-miss` or `exercise`.
    pub kind: &'static str,
    /// The earlier incidents this one recurs (empty when none).
    pub recurrence_of: Vec<ExportedRecurrence>,
    /// The original report (imported postmortems).
    pub source_url: Option<String>,
    /// Fields another tool wrote, kept by `pmsite import` (`{}` when none).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An earlier incident that a later one recurs.
#[derive(Serialize)]
pub struct ExportedRecurrence {
    pub id: String,
    /// The causes both have.
    pub causes: Vec<String>,
    /// Titles of the earlier incident's follow-ups not done on the later
    /// incident's date.
    pub open_follow_ups: Vec<String>,
}

#[derive(Serialize)]
pub struct ExportedFollowUp {
    pub title: String,
    pub status: &'static str,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub url: Option<String>,
    pub overdue: bool,
}

pub fn export(site: &Site) -> Export {
    Export {
        generated: site.clock.now.to_string(),
        postmortems: site
            .incidents
            .iter()
            .map(|inc| exported(site, inc))
            .collect(),
    }
}

/// One incident as the export shows it.
pub fn exported(site: &Site, inc: &crate::model::site::Incident) -> ExportedPostmortem {
    let ticket_url = site.config.postmortem.ticket_url.as_deref();
    let today = site.clock.today;
    let ts = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string());
    let pm = &inc.pm;
    let m = &inc.metrics;
    ExportedPostmortem {
        id: pm.id.clone(),
        url: super::absolute(site, &inc.url),
        title: pm.title.clone(),
        date: iso_date(pm.date),
        severity: pm.severity.clone(),
        status: pm.status.as_str(),
        summary: pm.summary.clone(),
        services: pm.services.clone(),
        teams: pm.teams.clone(),
        causes: pm.causes.clone(),
        trigger: pm.trigger.clone(),
        detection: pm.detection.clone(),
        started: ts(m.started),
        detected: ts(m.detected),
        acknowledged: ts(m.acknowledged),
        mitigated: ts(m.mitigated),
        resolved: ts(m.resolved),
        time_to_detect_s: m.time_to_detect_s,
        time_to_resolve_s: m.time_to_resolve_s,
        follow_ups: pm
            .follow_ups
            .iter()
            .map(|f| ExportedFollowUp {
                title: f.title.clone(),
                status: f.status.as_str(),
                owner: f.owner.clone(),
                due: f.due.map(iso_date),
                ticket: f.ticket.clone(),
                url: f.ticket_url(ticket_url),
                overdue: f.is_overdue(today),
            })
            .collect(),
        related: inc
            .related
            .iter()
            .map(|&j| site.incidents[j].pm.id.clone())
            .collect(),
        kind: pm.kind.as_str(),
        recurrence_of: site
            .by_id
            .get(&pm.id)
            .and_then(|&i| site.recurrences.of.get(i))
            .map(|links| {
                links
                    .iter()
                    .map(|l| ExportedRecurrence {
                        id: site.incidents[l.earlier].pm.id.clone(),
                        causes: l.causes.clone(),
                        open_follow_ups: l.not_done.iter().map(|f| f.title.clone()).collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        source_url: pm.source_url.clone(),
        extra: pm.extra.iter().cloned().collect(),
    }
}

/// A number as JSON: whole numbers without a fraction (`300`, not `300.0`).
fn number(x: f64) -> serde_json::Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        serde_json::Value::from(x as i64)
    } else {
        serde_json::Value::from(x)
    }
}

/// A duration summarised, with its sample size.
#[derive(Serialize)]
pub struct SummaryJson {
    pub n: usize,
    pub median_s: Option<serde_json::Value>,
    pub p90_s: Option<i64>,
}

impl SummaryJson {
    fn of(s: &crate::model::durations::Summary) -> Self {
        SummaryJson {
            n: s.n(),
            median_s: s.median.map(number),
            p90_s: s.p90,
        }
    }
}

#[derive(Serialize)]
pub struct PeriodJson {
    pub period: String,
    pub incidents: usize,
    pub time_to_detect: SummaryJson,
    pub time_to_resolve: SummaryJson,
}

#[derive(Serialize)]
pub struct AllJson {
    pub incidents: usize,
    pub time_to_detect: SummaryJson,
    pub time_to_resolve: SummaryJson,
}

#[derive(Serialize)]
pub struct StatsJson {
    pub periods: Vec<PeriodJson>,
    pub all: AllJson,
}

/// `/stats.json`: time to detect and resolve per period and overall, each
/// with its sample size; medians and 90th percentiles are `null` from
/// fewer than `[stats] min-sample` incidents. Only `kind: incident`
/// postmortems count.
pub fn stats_json(site: &Site) -> StatsJson {
    let f = crate::model::durations::duration_figures(site);
    StatsJson {
        periods: f
            .periods
            .iter()
            .map(|(p, x)| PeriodJson {
                period: p.key(),
                incidents: x.incidents,
                time_to_detect: SummaryJson::of(&x.time_to_detect),
                time_to_resolve: SummaryJson::of(&x.time_to_resolve),
            })
            .collect(),
        all: AllJson {
            incidents: f.all.incidents,
            time_to_detect: SummaryJson::of(&f.all.time_to_detect),
            time_to_resolve: SummaryJson::of(&f.all.time_to_resolve),
        },
    }
}
