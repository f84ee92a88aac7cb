//! The data the templates see: the site model turned into plain values
//! (dates formatted, durations made human, URLs built).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use tera::Value;

use crate::model::followup::FollowUp;
use crate::model::site::{Incident, Site};
use crate::model::timeline::{Milestone, human_duration, offset_label};

/// A name with its page.
#[derive(Clone, Debug, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// `12 Apr 2018`
pub fn human_date(d: Date) -> String {
    d.strftime("%-d %b %Y").to_string()
}

pub fn iso_date(d: Date) -> String {
    d.to_string()
}

/// Severity as a CSS class: `sev-1` for the most severe.
pub fn severity_class(rank: usize) -> String {
    format!("sev-{}", rank + 1)
}

/// What lists show of an incident.
#[derive(Clone, Debug, Serialize)]
pub struct Card {
    pub id: String,
    pub url: String,
    pub title: String,
    pub date: String,
    pub date_human: String,
    pub year: i16,
    pub severity: Option<String>,
    pub severity_class: String,
    pub status: &'static str,
    pub summary: Option<String>,
    pub services: Vec<Link>,
    pub teams: Vec<Link>,
    pub causes: Vec<Link>,
    pub trigger: Option<String>,
    pub duration: Option<String>,
    pub follow_ups_total: usize,
    pub follow_ups_done: usize,
    pub follow_ups_open: usize,
    pub follow_ups_overdue: usize,
    pub internal: bool,
    /// `incident`, `near-miss` or `exercise`.
    pub kind: &'static str,
    pub kind_label: &'static str,
    /// It recurs an earlier incident whose follow-ups were not done.
    pub recurrence: bool,
}

pub fn card(site: &Site, inc: &Incident) -> Card {
    let pm = &inc.pm;
    let today = site.clock.today;
    Card {
        id: pm.id.clone(),
        url: inc.url.clone(),
        title: pm.title.clone(),
        date: iso_date(pm.date),
        date_human: human_date(pm.date),
        year: pm.date.year(),
        severity: pm.severity.clone(),
        severity_class: severity_class(inc.severity_rank),
        status: pm.status.as_str(),
        summary: pm.summary.clone(),
        services: links(site, "services", &pm.services),
        teams: links(site, "teams", &pm.teams),
        causes: links(site, "causes", &pm.causes),
        trigger: pm.trigger.clone(),
        duration: inc.metrics.duration_s().map(human_duration),
        follow_ups_total: pm.follow_ups.len(),
        follow_ups_done: inc.follow_ups_done(),
        follow_ups_open: inc.open_follow_ups(),
        follow_ups_overdue: pm.follow_ups.iter().filter(|f| f.is_overdue(today)).count(),
        internal: pm.visibility == crate::model::postmortem::Visibility::Internal,
        kind: pm.kind.as_str(),
        kind_label: pm.kind.label(),
        recurrence: site
            .by_id
            .get(&pm.id)
            .is_some_and(|&i| site.recurrences.is_recurrence(i)),
    }
}

pub fn links(site: &Site, kind: &str, names: &[String]) -> Vec<Link> {
    names
        .iter()
        .map(|n| Link {
            name: n.clone(),
            url: site.facet_url(kind, n),
        })
        .collect()
}

/// A follow-up as shown in tables.
#[derive(Clone, Debug, Serialize)]
pub struct FollowUpRow {
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub owner: Option<String>,
    pub team: Option<Link>,
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub ticket_url: Option<String>,
    pub priority: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<&'static str>,
    pub completed: Option<String>,
    pub overdue: bool,
    /// The incident it belongs to (on the board).
    pub incident_title: String,
    pub incident_url: String,
    pub incident_id: String,
}

pub fn follow_up_row(site: &Site, inc: &Incident, f: &FollowUp) -> FollowUpRow {
    FollowUpRow {
        title: f.title.clone(),
        status: f.status.as_str(),
        status_label: f.status.label(),
        owner: f.owner.clone(),
        // A team named only on follow-ups has no page: its name, unlinked.
        team: f.team.as_ref().map(|t| Link {
            name: t.clone(),
            url: if site.teams.contains_key(t) {
                site.facet_url("teams", t)
            } else {
                String::new()
            },
        }),
        due: f.due.map(iso_date),
        ticket: f.ticket.clone(),
        ticket_url: f.ticket_url(site.config.postmortem.ticket_url.as_deref()),
        priority: f.priority.clone(),
        kind: f.kind.map(|k| k.as_str()),
        completed: f.completed.map(iso_date),
        overdue: f.is_overdue(site.clock.today),
        incident_title: inc.pm.title.clone(),
        incident_url: inc.url.clone(),
        incident_id: inc.pm.id.clone(),
    }
}

/// One drawn timeline entry.
#[derive(Clone, Debug, Serialize)]
pub struct TimelineRow {
    pub time: String,
    pub iso: String,
    pub offset: String,
    pub kind: &'static str,
    pub milestone: bool,
    pub event: String,
}

/// The proportional bar of phases.
#[derive(Clone, Debug, Serialize)]
pub struct Phase {
    pub name: &'static str,
    pub label: String,
    /// Share of the whole bar, in percent (2 decimals).
    pub percent: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimelineView {
    pub rows: Vec<TimelineRow>,
    pub phases: Vec<Phase>,
    pub zone: String,
}

fn local_time(ts: Timestamp, tz: &jiff::tz::TimeZone, day: Date) -> String {
    let z = ts.to_zoned_datetime(tz.clone());
    if z.date() == day {
        z.strftime("%H:%M").to_string()
    } else {
        z.strftime("%-d %b %H:%M").to_string()
    }
}

pub fn timeline_view(inc: &Incident) -> Option<TimelineView> {
    let pm = &inc.pm;
    if pm.timeline.is_empty() {
        return None;
    }
    let start = inc.metrics.started;
    let rows = pm
        .timeline
        .iter()
        .map(|e| TimelineRow {
            time: local_time(e.at, &pm.timezone, pm.date),
            // Seconds only when there are any: `2018-04-12T09:14Z`.
            iso: if e.at.as_second() % 60 == 0 {
                e.at.strftime("%Y-%m-%dT%H:%MZ").to_string()
            } else {
                e.at.to_string()
            },
            offset: start.map_or(String::new(), |s| {
                offset_label(e.at.as_second() - s.as_second())
            }),
            kind: e.kind.as_str(),
            milestone: e.kind != Milestone::Other,
            event: e.event.clone(),
        })
        .collect();
    let m = &inc.metrics;
    let mut phases = Vec::new();
    if let Some(total) = m.time_to_resolve_s.filter(|t| *t > 0) {
        let d = m.time_to_detect_s.filter(|x| *x <= total);
        let mi = m
            .time_to_mitigate_s
            .filter(|x| *x <= total && d.is_none_or(|d| *x >= d));
        let mut last = 0;
        for (name, until, label) in [
            ("detect", d, "until detected"),
            ("mitigate", mi, "until mitigated"),
            ("resolve", Some(total), "until resolved"),
        ] {
            if let Some(u) = until {
                let span = u - last;
                phases.push(Phase {
                    name,
                    label: format!("{} {label}", human_duration(span)),
                    percent: (span as f64 * 10000.0 / total as f64).round() / 100.0,
                });
                last = u;
            }
        }
    }
    let zone = pm.timezone.iana_name().unwrap_or("UTC").to_string();
    Some(TimelineView { rows, phases, zone })
}

/// One field another tool wrote, as the incident page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ExtraField {
    pub name: String,
    pub value: String,
}

/// The `extra:` fields of a postmortem as text: lists joined with ", ".
pub fn extra_view(pm: &crate::model::postmortem::Postmortem) -> Vec<ExtraField> {
    fn text(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => {
                items.iter().map(text).collect::<Vec<_>>().join(", ")
            }
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }
    }
    pm.extra
        .iter()
        .map(|(name, v)| ExtraField {
            name: name.clone(),
            value: text(v),
        })
        .collect()
}

/// The metrics row of an incident header.
#[derive(Clone, Debug, Serialize)]
pub struct MetricsView {
    pub time_to_detect: Option<String>,
    pub time_to_acknowledge: Option<String>,
    pub time_to_mitigate: Option<String>,
    pub time_to_resolve: Option<String>,
}

pub fn metrics_view(inc: &Incident) -> MetricsView {
    let m = &inc.metrics;
    MetricsView {
        time_to_detect: m.time_to_detect_s.map(human_duration),
        time_to_acknowledge: m.time_to_acknowledge_s.map(human_duration),
        time_to_mitigate: m.time_to_mitigate_s.map(human_duration),
        time_to_resolve: m.time_to_resolve_s.map(human_duration),
    }
}

/// A value from anything serializable.
pub fn value<T: Serialize + ?Sized>(v: &T) -> Value {
    Value::from_serializable(v)
}
