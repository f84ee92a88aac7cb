//! Figures across incidents: medians and percentiles of durations, counts
//! per quarter, causes that occur together, follow-up completion.
//!
//! Durations are heavy-tailed, so trends use medians and the 90th
//! percentile, never means. The median of an even number of values is the
//! mean of the two middle ones; percentiles use the nearest-rank method.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::model::followup::FollowUpStatus;
use crate::model::site::{Facet, Incident, Site};

/// The median (exact: may end in .5).
pub fn median(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0
    })
}

/// The `p`th percentile (0 < p ≤ 100) by nearest rank: the smallest value
/// with at least p% of the values at or below it.
pub fn percentile(values: &[i64], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

/// A calendar quarter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i16,
    pub q: i8,
}

impl Quarter {
    pub fn of(d: Date) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    pub fn label(self) -> String {
        format!("{} Q{}", self.year, self.q)
    }

    /// Every quarter from `first` to `last`, both included.
    pub fn range(first: Quarter, last: Quarter) -> Vec<Quarter> {
        let mut out = Vec::new();
        let mut q = first;
        while q <= last {
            out.push(q);
            q = q.next();
        }
        out
    }
}

/// The site's span of quarters (oldest incident to newest), empty without
/// incidents.
pub fn site_quarters(site: &Site) -> Vec<Quarter> {
    match (site.incidents.last(), site.incidents.first()) {
        (Some(oldest), Some(newest)) => {
            Quarter::range(Quarter::of(oldest.pm.date), Quarter::of(newest.pm.date))
        }
        _ => Vec::new(),
    }
}

/// Incidents per quarter over the given span.
pub fn per_quarter(incidents: &[&Incident], span: &[Quarter]) -> Vec<usize> {
    let mut counts: BTreeMap<Quarter, usize> = BTreeMap::new();
    for i in incidents {
        *counts.entry(Quarter::of(i.pm.date)).or_default() += 1;
    }
    span.iter()
        .map(|q| counts.get(q).copied().unwrap_or(0))
        .collect()
}

/// Causes that appear together with `cause`, with how often, most
/// frequent first (then by name).
pub fn co_occurring(site: &Site, facet: &Facet) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &facet.incidents {
        for c in &site.incidents[i].pm.causes {
            if *c != facet.slug {
                *counts.entry(c.as_str()).or_default() += 1;
            }
        }
    }
    sorted_counts(counts)
}

/// The causes of a set of incidents, most frequent first (then by name).
pub fn top_causes(site: &Site, incidents: &[usize]) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in incidents {
        for c in &site.incidents[i].pm.causes {
            *counts.entry(c.as_str()).or_default() += 1;
        }
    }
    sorted_counts(counts)
}

pub fn sorted_counts(counts: BTreeMap<&str, usize>) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Median time to resolve of a set of incidents (those with the metric).
pub fn median_ttr(site: &Site, incidents: &[usize]) -> Option<f64> {
    let v: Vec<i64> = incidents
        .iter()
        .filter_map(|&i| site.incidents[i].metrics.time_to_resolve_s)
        .collect();
    median(&v)
}

/// Follow-up figures of the whole site, as of the build date.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct FollowUpFigures {
    pub total: usize,
    pub open: usize,
    pub in_progress: usize,
    /// Open or in progress.
    pub pending: usize,
    pub overdue: usize,
    pub done: usize,
    pub wont_fix: usize,
    /// Done with a `completed` date in the 90 days up to the build date.
    pub done_last_90_days: usize,
    /// Median days from the incident date to `completed`, over done
    /// follow-ups that have a completion date.
    pub median_days_to_done: Option<f64>,
}

pub fn follow_up_figures(site: &Site) -> FollowUpFigures {
    let today = site.clock.today;
    let since = today
        .checked_sub(jiff::Span::new().days(90))
        .unwrap_or(today);
    let mut f = FollowUpFigures::default();
    let mut days = Vec::new();
    for inc in &site.incidents {
        for fu in &inc.pm.follow_ups {
            f.total += 1;
            match fu.status {
                FollowUpStatus::Open => f.open += 1,
                FollowUpStatus::InProgress => f.in_progress += 1,
                FollowUpStatus::Done => f.done += 1,
                FollowUpStatus::WontFix => f.wont_fix += 1,
            }
            if fu.is_overdue(today) {
                f.overdue += 1;
            }
            if fu.status == FollowUpStatus::Done
                && let Some(c) = fu.completed
            {
                if c > since && c <= today {
                    f.done_last_90_days += 1;
                }
                days.push(
                    crate::model::timeline::day_number(c)
                        - crate::model::timeline::day_number(inc.pm.date),
                );
            }
        }
    }
    f.pending = f.open + f.in_progress;
    f.median_days_to_done = median(&days);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5.0));
        assert_eq!(median(&[3, 1, 2]), Some(2.0));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2.5));
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 90.0), Some(9));
        assert_eq!(percentile(&v, 100.0), Some(10));
        assert_eq!(percentile(&v, 50.0), Some(5));
        assert_eq!(percentile(&[7], 90.0), Some(7));
        assert_eq!(
            percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90.0),
            Some(10)
        );
        assert_eq!(percentile(&[], 90.0), None);
    }

    #[test]
    fn quarters() {
        let q = Quarter::of(jiff::civil::date(2018, 4, 1));
        assert_eq!(q, Quarter { year: 2018, q: 2 });
        assert_eq!(
            Quarter::of(jiff::civil::date(2018, 12, 31)).label(),
            "2018 Q4"
        );
        let r = Quarter::range(Quarter { year: 2018, q: 3 }, Quarter { year: 2019, q: 2 });
        assert_eq!(
            r.iter().map(|q| q.label()).collect::<Vec<_>>(),
            ["2018 Q3", "2018 Q4", "2019 Q1", "2019 Q2"]
        );
    }
}
