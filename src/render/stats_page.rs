//! `/stats/`: charts drawn at build time as inline SVG (no JavaScript),
//! each with the same numbers as a table for screen readers and print.

use std::collections::BTreeMap;

use serde::Serialize;

use super::charts::{Axis, Category, LineChart, hbars, line_chart, sparkline, stacked_bars};
use super::facets::{Duration, duration};
use super::views::severity_class;
use super::{Job, Renderer};
use crate::model::followup::FollowUpStatus;
use crate::model::site::{Facet, Incident, Site};
use crate::model::stats::{Quarter, median, per_quarter, percentile, site_quarters};

/// Buckets of the time-to-resolve distribution: upper bounds in seconds.
const TTR_BUCKETS: [(i64, &str); 8] = [
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

#[derive(Serialize)]
struct QuarterRow {
    quarter: String,
    incidents: usize,
    ttd_n: usize,
    ttd_median: Option<Duration>,
    ttd_p90: Option<Duration>,
    ttr_n: usize,
    ttr_median: Option<Duration>,
    ttr_p90: Option<Duration>,
}

#[derive(Serialize)]
struct Summary {
    incidents: usize,
    with_ttd: usize,
    with_ttr: usize,
    ttd_median: Option<Duration>,
    ttd_p90: Option<Duration>,
    ttr_median: Option<Duration>,
    ttr_p90: Option<Duration>,
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

fn p90(v: &[i64]) -> Option<f64> {
    percentile(v, 90.0).map(|x| x as f64)
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
        incidents_per_month(site, c);
        incidents_per_year(site, c);
        time_to_detect_and_resolve(site, &span, c);
        let all_ttr = summary(site, c);
        ttr_distribution(&all_ttr, c);
        top_causes(site, &span, c);
        detection_methods(site, c);
        follow_up_completion(site, c);
    }
}

/// Incidents per month, stacked by severity.
fn incidents_per_month(site: &Site, c: &mut tera::Context) {
    let sevs = &site.config.postmortem.severities;
    let nsev = sevs.len();
    let mut months: BTreeMap<(i16, i8), Vec<usize>> = BTreeMap::new();
    if let (Some(oldest), Some(newest)) = (site.incidents.last(), site.incidents.first()) {
        let (mut y, mut m) = (oldest.pm.date.year(), oldest.pm.date.month());
        while (y, m) <= (newest.pm.date.year(), newest.pm.date.month()) {
            months.insert((y, m), vec![0; nsev + 1]);
            (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        }
    }
    for inc in &site.incidents {
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
fn incidents_per_year(site: &Site, c: &mut tera::Context) {
    let nsev = site.config.postmortem.severities.len();
    let mut per_year: BTreeMap<i16, Vec<usize>> = BTreeMap::new();
    for inc in &site.incidents {
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
}

/// Time to detect and resolve per quarter: medians and p90.
fn time_to_detect_and_resolve(site: &Site, span: &[Quarter], c: &mut tera::Context) {
    let mut by_quarter: BTreeMap<Quarter, Vec<&Incident>> = BTreeMap::new();
    for inc in &site.incidents {
        by_quarter
            .entry(Quarter::of(inc.pm.date))
            .or_default()
            .push(inc);
    }
    let empty = Vec::new();
    let quarter_rows: Vec<QuarterRow> = span
        .iter()
        .map(|q| quarter_row(q, by_quarter.get(q).unwrap_or(&empty)))
        .collect();
    let labels: Vec<String> = span
        .iter()
        .map(|q| {
            if q.q == 1 {
                q.year.to_string()
            } else {
                String::new()
            }
        })
        .collect();
    let secs = |d: &Option<Duration>| d.as_ref().map(|d| d.value);
    let ttd_chart = p90_and_median_chart(
        &labels,
        quarter_rows.iter().map(|r| secs(&r.ttd_p90)).collect(),
        quarter_rows.iter().map(|r| secs(&r.ttd_median)).collect(),
    );
    let ttr_chart = p90_and_median_chart(
        &labels,
        quarter_rows.iter().map(|r| secs(&r.ttr_p90)).collect(),
        quarter_rows.iter().map(|r| secs(&r.ttr_median)).collect(),
    );
    c.insert("ttd_chart", &ttd_chart);
    c.insert("ttr_chart", &ttr_chart);
    c.insert("quarter_rows", &quarter_rows);
}

/// The time-to-detect and time-to-resolve figures of one quarter.
fn quarter_row(q: &Quarter, incs: &[&Incident]) -> QuarterRow {
    let ttd: Vec<i64> = incs
        .iter()
        .filter_map(|i| i.metrics.time_to_detect_s)
        .collect();
    let ttr: Vec<i64> = incs
        .iter()
        .filter_map(|i| i.metrics.time_to_resolve_s)
        .collect();
    QuarterRow {
        quarter: q.label(),
        incidents: incs.len(),
        ttd_n: ttd.len(),
        ttd_median: duration(median(&ttd)),
        ttd_p90: duration(p90(&ttd)),
        ttr_n: ttr.len(),
        ttr_median: duration(median(&ttr)),
        ttr_p90: duration(p90(&ttr)),
    }
}

/// A duration chart over quarters: the 90th percentile and the median.
fn p90_and_median_chart(
    labels: &[String],
    p90: Vec<Option<f64>>,
    median: Vec<Option<f64>>,
) -> LineChart {
    line_chart(
        labels,
        &[
            ("90th percentile".into(), "line-p90".into(), p90),
            ("median".into(), "line-median".into(), median),
        ],
        Axis::Duration,
        1,
    )
}

/// The whole site's time to detect and resolve; returns every incident's
/// time to resolve (for its distribution).
fn summary(site: &Site, c: &mut tera::Context) -> Vec<i64> {
    let all_ttd: Vec<i64> = site
        .incidents
        .iter()
        .filter_map(|i| i.metrics.time_to_detect_s)
        .collect();
    let all_ttr: Vec<i64> = site
        .incidents
        .iter()
        .filter_map(|i| i.metrics.time_to_resolve_s)
        .collect();
    c.insert(
        "summary",
        &Summary {
            incidents: site.incidents.len(),
            with_ttd: all_ttd.len(),
            with_ttr: all_ttr.len(),
            ttd_median: duration(median(&all_ttd)),
            ttd_p90: duration(p90(&all_ttd)),
            ttr_median: duration(median(&all_ttr)),
            ttr_p90: duration(p90(&all_ttr)),
        },
    );
    all_ttr
}

/// Distribution of time to resolve.
fn ttr_distribution(all_ttr: &[i64], c: &mut tera::Context) {
    let mut buckets = vec![0usize; TTR_BUCKETS.len()];
    for t in all_ttr {
        let k = TTR_BUCKETS
            .iter()
            .position(|(max, _)| t < max)
            .unwrap_or(TTR_BUCKETS.len() - 1);
        buckets[k] += 1;
    }
    let dist: Vec<(String, Option<String>, usize)> = TTR_BUCKETS
        .iter()
        .zip(&buckets)
        .map(|((_, l), n)| (l.to_string(), None, *n))
        .collect();
    c.insert(
        "ttr_distribution",
        &stacked_bars(
            &dist
                .iter()
                .map(|(l, _, n)| {
                    (
                        l.clone(),
                        vec![("bar-ttr".to_string(), format!("{l}: {n}"), *n as f64)],
                    )
                })
                .collect::<Vec<_>>(),
            1,
        ),
    );
    c.insert(
        "ttr_buckets",
        &dist
            .iter()
            .map(|(l, _, n)| (l.clone(), *n))
            .collect::<Vec<_>>(),
    );
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
fn detection_methods(site: &Site, c: &mut tera::Context) {
    let mut detection: BTreeMap<&str, usize> = BTreeMap::new();
    for inc in &site.incidents {
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
