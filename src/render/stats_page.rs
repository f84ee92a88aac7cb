//! `/stats/`: charts drawn at build time as inline SVG (no JavaScript),
//! each with the same numbers as a table for screen readers and print.

use std::collections::BTreeMap;

use serde::Serialize;

use super::charts::{Category, hbars, sparkline, stacked_bars};
use super::distribution::{dot_plot, log_trend};
use super::facets::{Duration, duration};
use super::views::severity_class;
use super::{Job, Renderer};
use crate::model::durations::{DurationFigures, Granularity, Summary, duration_figures};
use crate::model::followup::FollowUpStatus;
use crate::model::postmortem::Kind;
use crate::model::site::{Facet, Incident, Site};
use crate::model::stats::{Quarter, per_quarter, site_quarters};

/// Buckets of the duration tables: upper bounds in seconds.
const BUCKETS: [(i64, &str); 8] = [
    (15 * 60, "under 15m"),
    (30 * 60, "15–30m"),
    (3600, "30m–1h"),
    (2 * 3600, "1–2h"),
    (4 * 3600, "2–4h"),
    (8 * 3600, "4–8h"),
    (24 * 3600, "8–24h"),
    (i64::MAX, "a day or more"),
];

#[derive(Serialize)]
struct MonthRow {
    month: String,
    counts: Vec<usize>,
    total: usize,
}

/// A duration summarised, as the page shows it.
#[derive(Serialize)]
struct SummaryView {
    n: usize,
    median: Option<Duration>,
    p90: Option<Duration>,
    /// Values, but fewer than `[stats] min-sample`.
    too_few: bool,
}

fn summary_view(s: &Summary) -> SummaryView {
    SummaryView {
        n: s.n(),
        median: duration(s.median),
        p90: duration(s.p90.map(|x| x as f64)),
        too_few: s.too_few(),
    }
}

#[derive(Serialize)]
struct PeriodRow {
    period: String,
    incidents: usize,
    ttd: SummaryView,
    ttr: SummaryView,
}

#[derive(Serialize)]
struct CauseRow {
    name: String,
    url: String,
    count: usize,
    as_trigger: usize,
    trend: super::charts::Sparkline,
}

#[derive(Serialize)]
struct CompletionRow {
    year: i16,
    total: usize,
    done: usize,
    pending: usize,
    wont_fix: usize,
    percent_done: Option<u32>,
}

impl Renderer<'_> {
    pub(crate) fn stats(&self) -> Job<'_> {
        self.page(
            "stats/index.html",
            "stats.html",
            "Stats",
            "stats",
            self.all("stats"),
            move |c| self.stats_context(c),
        )
    }

    fn stats_context(&self, c: &mut tera::Context) {
        let site = self.site;
        let span = site_quarters(site);
        let incidents: Vec<&Incident> = site
            .incidents
            .iter()
            .filter(|i| i.pm.kind == Kind::Incident)
            .collect();
        c.insert("postmortem_count", &site.incidents.len());
        incidents_per_month(site, &incidents, c);
        incidents_per_year(site, &incidents, c);
        durations(&duration_figures(site), c);
        top_causes(site, &span, c);
        detection_methods(&incidents, c);
        follow_up_completion(site, c);
        c.insert("recurrence_years", &super::recurrences::year_shares(site));
        c.insert("review", &super::review::review_figures(site));
    }
}

/// Incidents per month, stacked by severity.
fn incidents_per_month(site: &Site, incidents: &[&Incident], c: &mut tera::Context) {
    let sevs = &site.config.postmortem.severities;
    let nsev = sevs.len();
    let mut months: BTreeMap<(i16, i8), Vec<usize>> = BTreeMap::new();
    if let (Some(oldest), Some(newest)) = (incidents.last(), incidents.first()) {
        let (mut y, mut m) = (oldest.pm.date.year(), oldest.pm.date.month());
        while (y, m) <= (newest.pm.date.year(), newest.pm.date.month()) {
            months.insert((y, m), vec![0; nsev + 1]);
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
    }
    for inc in incidents {
        if let Some(row) = months.get_mut(&(inc.pm.date.year(), inc.pm.date.month())) {
            row[inc.severity_rank.min(nsev)] += 1;
        }
    }
    let mut sev_names: Vec<String> = sevs.clone();
    sev_names.push("no severity".into());
    let month_rows: Vec<MonthRow> = months
        .iter()
        .map(|((y, m), counts)| MonthRow {
            month: format!("{y}-{m:02}"),
            total: counts.iter().sum(),
            counts: counts.clone(),
        })
        .collect();
    let categories: Vec<Category> = month_rows
        .iter()
        .map(|r| {
            (
                r.month[..4].to_string(),
                r.counts
                    .iter()
                    .enumerate()
                    .map(|(k, n)| {
                        (
                            severity_class(k),
                            format!("{} {}: {n}", r.month, sev_names[k]),
                            *n as f64,
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let per_month = stacked_bars(&categories, 12.max(categories.len() / 10 / 12 * 12));
    c.insert("per_month", &per_month);
    c.insert("month_rows", &month_rows);
    c.insert("sev_names", &sev_names);
    c.insert(
        "sev_classes",
        &(0..=nsev).map(severity_class).collect::<Vec<_>>(),
    );
}

/// Per-year table (the month chart's summary).
fn incidents_per_year(site: &Site, incidents: &[&Incident], c: &mut tera::Context) {
    let nsev = site.config.postmortem.severities.len();
    let mut per_year: BTreeMap<i16, Vec<usize>> = BTreeMap::new();
    for inc in incidents {
        let row = per_year
            .entry(inc.pm.date.year())
            .or_insert_with(|| vec![0; nsev + 1]);
        row[inc.severity_rank.min(nsev)] += 1;
    }
    let per_year: Vec<(i16, Vec<usize>, usize)> = per_year
        .into_iter()
        .rev()
        .map(|(y, counts)| {
            let total = counts.iter().sum();
            (y, counts, total)
        })
        .collect();
    c.insert("per_year", &per_year);
    c.insert("incident_count", &incidents.len());
}

/// Time to detect and resolve: the whole history's figures, the trend
/// per period and the distribution, each with its n.
fn durations(f: &DurationFigures, c: &mut tera::Context) {
    c.insert("ttd_all", &summary_view(&f.all.time_to_detect));
    c.insert("ttr_all", &summary_view(&f.all.time_to_resolve));
    c.insert("duration_incidents", &f.all.incidents);
    c.insert("left_out_near_misses", &f.near_misses);
    c.insert("left_out_exercises", &f.exercises);
    c.insert("min_sample", &f.min_sample);
    c.insert(
        "per_period",
        match f.granularity {
            Granularity::Quarter => "quarter",
            Granularity::Year => "year",
        },
    );
    c.insert("ttd_trend", &log_trend(f, |x| &x.time_to_detect));
    c.insert("ttr_trend", &log_trend(f, |x| &x.time_to_resolve));
    c.insert("ttd_dots", &dot_plot(&f.all.time_to_detect));
    c.insert("ttr_dots", &dot_plot(&f.all.time_to_resolve));
    c.insert("ttd_buckets", &buckets(&f.all.time_to_detect.values));
    c.insert("ttr_buckets", &buckets(&f.all.time_to_resolve.values));
    let rows: Vec<PeriodRow> = f
        .periods
        .iter()
        .map(|(p, x)| PeriodRow {
            period: p.label(),
            incidents: x.incidents,
            ttd: summary_view(&x.time_to_detect),
            ttr: summary_view(&x.time_to_resolve),
        })
        .collect();
    c.insert("period_rows", &rows);
}

/// How many values fall in each bucket of [`BUCKETS`].
fn buckets(values: &[i64]) -> Vec<(&'static str, usize)> {
    let mut counts = vec![0usize; BUCKETS.len()];
    for v in values {
        let k = BUCKETS
            .iter()
            .position(|(max, _)| v < max)
            .unwrap_or(BUCKETS.len() - 1);
        counts[k] += 1;
    }
    BUCKETS.iter().map(|(_, l)| *l).zip(counts).collect()
}

/// Top causes and their trend.
fn top_causes(site: &Site, span: &[Quarter], c: &mut tera::Context) {
    let mut causes: Vec<&Facet> = site.causes.values().collect();
    causes.sort_by(|a, b| {
        b.incidents
            .len()
            .cmp(&a.incidents.len())
            .then_with(|| a.slug.cmp(&b.slug))
    });
    causes.truncate(15);
    let first = span.first().map(|q| q.label()).unwrap_or_default();
    let last = span.last().map(|q| q.label()).unwrap_or_default();
    let cause_rows: Vec<CauseRow> = causes
        .iter()
        .map(|f| {
            let incs: Vec<&Incident> = f.incidents.iter().map(|&i| &site.incidents[i]).collect();
            CauseRow {
                name: f.slug.clone(),
                url: site.facet_url("causes", &f.slug),
                count: f.incidents.len(),
                as_trigger: f.as_trigger,
                trend: sparkline(&per_quarter(&incs, span), &first, &last),
            }
        })
        .collect();
    c.insert(
        "top_causes",
        &hbars(
            &cause_rows
                .iter()
                .map(|r| (r.name.clone(), Some(r.url.clone()), r.count))
                .collect::<Vec<_>>(),
        ),
    );
    c.insert("cause_rows", &cause_rows);
}

/// Detection methods.
fn detection_methods(incidents: &[&Incident], c: &mut tera::Context) {
    let mut detection: BTreeMap<&str, usize> = BTreeMap::new();
    for inc in incidents {
        *detection
            .entry(inc.pm.detection.as_deref().unwrap_or("(not recorded)"))
            .or_default() += 1;
    }
    let detection = crate::model::stats::sorted_counts(detection);
    c.insert(
        "detection",
        &hbars(
            &detection
                .iter()
                .map(|(n, k)| (n.clone(), None, *k))
                .collect::<Vec<_>>(),
        ),
    );
    c.insert("detection_rows", &detection);
}

/// Follow-up completion by incident year.
fn follow_up_completion(site: &Site, c: &mut tera::Context) {
    let mut completion: BTreeMap<i16, CompletionRow> = BTreeMap::new();
    for inc in &site.incidents {
        let y = inc.pm.date.year();
        let row = completion.entry(y).or_insert(CompletionRow {
            year: y,
            total: 0,
            done: 0,
            pending: 0,
            wont_fix: 0,
            percent_done: None,
        });
        for f in &inc.pm.follow_ups {
            row.total += 1;
            match f.status {
                FollowUpStatus::Done => row.done += 1,
                FollowUpStatus::WontFix => row.wont_fix += 1,
                _ => row.pending += 1,
            }
        }
    }
    let completion: Vec<CompletionRow> = completion
        .into_values()
        .map(|mut r| {
            r.percent_done =
                (r.total > 0).then(|| (r.done as f64 * 100.0 / r.total as f64).round() as u32);
            r
        })
        .collect();
    c.insert(
        "completion_chart",
        &stacked_bars(
            &completion.iter().map(completion_bar).collect::<Vec<_>>(),
            1,
        ),
    );
    c.insert(
        "follow_up_total",
        &completion.iter().map(|r| r.total).sum::<usize>(),
    );
    c.insert("completion", &completion);
}

/// One year's bar of the follow-up completion chart.
fn completion_bar(r: &CompletionRow) -> Category {
    (
        r.year.to_string(),
        vec![
            (
                "fu-done".to_string(),
                format!("{}: {} done", r.year, r.done),
                r.done as f64,
            ),
            (
                "fu-pending".to_string(),
                format!("{}: {} open or in progress", r.year, r.pending),
                r.pending as f64,
            ),
            (
                "fu-wont-fix".to_string(),
                format!("{}: {} won't fix", r.year, r.wont_fix),
                r.wont_fix as f64,
            ),
        ],
    )
}
