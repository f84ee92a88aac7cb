//! Honest duration figures: time to detect and to resolve per period and
//! overall, each with the number of incidents it comes from, and no median
//! or percentile from fewer than `[stats] min-sample` incidents.
//!
//! Durations are heavy-tailed and most periods hold few incidents: a
//! median of two points drawn as a trend misleads. So a summary from too
//! few incidents is `None` (the pages show the points instead), and only
//! `kind: incident` postmortems count (near misses and exercises harmed no
//! users; their times say nothing about how fast users got help).
//!
//! Periods are quarters when the incidents span at most three years (12
//! quarters), else years: long histories then have fewer, fuller periods.
//! Medians of an even number of values are the mean of the middle two;
//! percentiles are nearest-rank.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::model::postmortem::Kind;
use crate::model::site::Site;
use crate::model::stats::{Quarter, median, percentile};

/// The longest span, in quarters, shown per quarter.
pub const MAX_QUARTERS: usize = 12;

/// How a duration's values are summarised.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Sorted values, in seconds.
    pub values: Vec<i64>,
    /// `None` below the minimum sample.
    pub median: Option<f64>,
    pub p90: Option<i64>,
}

impl Summary {
    pub fn of(mut values: Vec<i64>, min_sample: usize) -> Summary {
        values.sort_unstable();
        let enough = values.len() >= min_sample.max(1);
        Summary {
            median: if enough { median(&values) } else { None },
            p90: if enough {
                percentile(&values, 90.0)
            } else {
                None
            },
            values,
        }
    }

    pub fn n(&self) -> usize {
        self.values.len()
    }

    /// There are values, but too few to summarise.
    pub fn too_few(&self) -> bool {
        !self.values.is_empty() && self.median.is_none()
    }
}

/// Per quarter or per year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    Quarter,
    Year,
}

/// A quarter or a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Period {
    Quarter(Quarter),
    Year(i16),
}

impl Period {
    fn of(d: Date, g: Granularity) -> Period {
        match g {
            Granularity::Quarter => Period::Quarter(Quarter::of(d)),
            Granularity::Year => Period::Year(d.year()),
        }
    }

    /// `2020-Q1` or `2020`, as in stats.json.
    pub fn key(self) -> String {
        match self {
            Period::Quarter(q) => format!("{}-Q{}", q.year, q.q),
            Period::Year(y) => y.to_string(),
        }
    }

    /// `2020 Q1` or `2020`, as the pages show it.
    pub fn label(self) -> String {
        match self {
            Period::Quarter(q) => q.label(),
            Period::Year(y) => y.to_string(),
        }
    }

    /// Is it the first of its year (where an axis labels the year)?
    pub fn starts_year(self) -> bool {
        match self {
            Period::Quarter(q) => q.q == 1,
            Period::Year(_) => true,
        }
    }

    fn next(self) -> Period {
        match self {
            Period::Quarter(q) => Period::Quarter(q.next()),
            Period::Year(y) => Period::Year(y + 1),
        }
    }
}

/// The figures of one period (or of all incidents).
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub incidents: usize,
    pub time_to_detect: Summary,
    pub time_to_resolve: Summary,
}

/// Every duration figure of the site.
#[derive(Clone, Debug, PartialEq)]
pub struct DurationFigures {
    pub granularity: Granularity,
    pub min_sample: usize,
    /// Oldest first, every period from the first incident to the last.
    pub periods: Vec<(Period, Figures)>,
    pub all: Figures,
    /// Postmortems left out: near misses and exercises.
    pub near_misses: usize,
    pub exercises: usize,
}

/// An incident's date, time to detect and time to resolve.
type Row = (Date, Option<i64>, Option<i64>);

fn figures(dates: &[Row], min_sample: usize) -> Figures {
    Figures {
        incidents: dates.len(),
        time_to_detect: Summary::of(dates.iter().filter_map(|d| d.1).collect(), min_sample),
        time_to_resolve: Summary::of(dates.iter().filter_map(|d| d.2).collect(), min_sample),
    }
}

/// The duration figures of a site's incidents.
pub fn duration_figures(site: &Site) -> DurationFigures {
    let min_sample = site.config.stats.min_sample;
    let mut rows = Vec::new();
    let (mut near_misses, mut exercises) = (0, 0);
    for inc in &site.incidents {
        match inc.pm.kind {
            Kind::Incident => rows.push((
                inc.pm.date,
                inc.metrics.time_to_detect_s,
                inc.metrics.time_to_resolve_s,
            )),
            Kind::NearMiss => near_misses += 1,
            Kind::Exercise => exercises += 1,
        }
    }
    // Newest first in the site: the last row is the oldest.
    let granularity = match (rows.last(), rows.first()) {
        (Some(o), Some(n))
            if Quarter::range(Quarter::of(o.0), Quarter::of(n.0)).len() > MAX_QUARTERS =>
        {
            Granularity::Year
        }
        _ => Granularity::Quarter,
    };
    let mut by_period: BTreeMap<Period, Vec<Row>> = BTreeMap::new();
    for r in &rows {
        by_period
            .entry(Period::of(r.0, granularity))
            .or_default()
            .push(*r);
    }
    let mut periods = Vec::new();
    if let (Some(first), Some(last)) = (
        by_period.keys().next().copied(),
        by_period.keys().last().copied(),
    ) {
        let mut p = first;
        while p <= last {
            let empty = Vec::new();
            periods.push((p, figures(by_period.get(&p).unwrap_or(&empty), min_sample)));
            p = p.next();
        }
    }
    DurationFigures {
        granularity,
        min_sample,
        periods,
        all: figures(&rows, min_sample),
        near_misses,
        exercises,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_values_give_no_summary() {
        let four = Summary::of(vec![600, 60, 6000, 120], 5);
        assert_eq!(four.n(), 4);
        assert!(four.too_few());
        assert_eq!((four.median, four.p90), (None, None));
        assert_eq!(four.values, [60, 120, 600, 6000], "sorted");
        let five = Summary::of(vec![600, 60, 6000, 120, 300], 5);
        assert!(!five.too_few());
        assert_eq!(five.median, Some(300.0));
        assert_eq!(five.p90, Some(6000));
        let none = Summary::of(Vec::new(), 5);
        assert!(!none.too_few(), "no values is not too few, it is nothing");
        assert_eq!(none.median, None);
    }

    #[test]
    fn periods_name_themselves() {
        let q = Period::Quarter(Quarter { year: 2020, q: 1 });
        assert_eq!((q.key(), q.label()), ("2020-Q1".into(), "2020 Q1".into()));
        assert_eq!(Period::Year(2020).key(), "2020");
        assert_eq!(
            Period::Quarter(Quarter { year: 2020, q: 4 }).next().key(),
            "2021-Q1"
        );
    }
}
