//! Duration charts on a log time axis: the distribution of every incident
//! as dots with the median marked, and the trend per period, where periods
//! with too few incidents to summarise show their incidents as points
//! instead of a median. Drawn by `components.html` (`dot_plot`,
//! `log_trend`).

use serde::Serialize;

use super::charts::{BOTTOM, HEIGHT, LEFT, Tick, WIDTH};
use crate::model::durations::{DurationFigures, Summary};
use crate::model::timeline::human_duration;

fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Round durations for a log axis's ticks, in seconds.
const LOG_TICKS: [i64; 10] = [
    60,
    5 * 60,
    15 * 60,
    3600,
    4 * 3600,
    86400,
    3 * 86400,
    7 * 86400,
    30 * 86400,
    365 * 86400,
];

/// A log time axis from one minute (shorter times sit at its start) to
/// the first round duration at or above the longest value.
#[derive(Clone, Copy, Debug)]
struct LogAxis {
    lo: f64,
    hi: f64,
}

impl LogAxis {
    fn over(values: impl Iterator<Item = i64>) -> LogAxis {
        let max = values.max().unwrap_or(0);
        let hi = LOG_TICKS
            .iter()
            .copied()
            .find(|t| *t >= max && *t > 60)
            .unwrap_or(max.max(3600));
        LogAxis {
            lo: 60.0,
            hi: hi as f64,
        }
    }

    /// Where `v` falls, from 0 (the start) to 1 (the end).
    fn frac(self, v: f64) -> f64 {
        let v = v.clamp(self.lo, self.hi);
        (v / self.lo).ln() / (self.hi / self.lo).ln()
    }

    /// The ticks, at fractions of the axis.
    fn ticks(self) -> Vec<(f64, String)> {
        LOG_TICKS
            .iter()
            .filter(|t| (**t as f64) <= self.hi)
            .map(|t| {
                let label = if *t == 60 {
                    "≤ 1m".to_string()
                } else {
                    human_duration(*t)
                };
                (self.frac(*t as f64), label)
            })
            .collect()
    }
}

/// One dot: where it is and what it stands for.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub title: String,
}

/// Every incident's duration as a dot on a log axis, dots of close
/// values stacked; with the median marked when there are enough.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DotPlot {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub base: f64,
    pub r: f64,
    pub dots: Vec<Dot>,
    pub ticks: Vec<Tick>,
    /// x of the median, and its label; `None` with too few values.
    pub median: Option<(f64, String)>,
    pub n: usize,
    /// Incidents one dot stands for (more than 1 only when the tallest
    /// stack would not fit).
    pub per_dot: usize,
}

/// Dots per stack before one dot stands for several incidents.
const MAX_STACK: usize = 14;
/// The width of a stack, in user units.
const DOT: f64 = 7.0;

pub fn dot_plot(s: &Summary) -> DotPlot {
    let axis = LogAxis::over(s.values.iter().copied());
    let room = WIDTH - LEFT;
    let x_of = |v: f64| r1(LEFT + axis.frac(v) * room);
    let columns = (room / DOT).floor().max(1.0) as usize;
    let mut stacks: Vec<Vec<i64>> = vec![Vec::new(); columns + 1];
    for &v in &s.values {
        let k = ((axis.frac(v as f64) * columns as f64).round() as usize).min(columns);
        stacks[k].push(v);
    }
    let tallest = stacks.iter().map(Vec::len).max().unwrap_or(0);
    let per_dot = tallest.div_ceil(MAX_STACK).max(1);
    let base = DOT * MAX_STACK as f64 + DOT;
    let mut dots = Vec::new();
    for (k, stack) in stacks.iter().enumerate() {
        for (j, chunk) in stack.chunks(per_dot).enumerate() {
            let title = match chunk {
                [one] => human_duration(*one),
                [first, .., last] => format!(
                    "{} incidents, {} to {}",
                    chunk.len(),
                    human_duration(*first),
                    human_duration(*last)
                ),
                [] => String::new(),
            };
            dots.push(Dot {
                x: r1(LEFT + k as f64 * room / columns as f64),
                y: r1(base - DOT / 2.0 - j as f64 * DOT),
                title,
            });
        }
    }
    DotPlot {
        width: WIDTH,
        height: base,
        left: LEFT,
        base,
        r: DOT / 2.0 - 0.5,
        dots,
        ticks: axis
            .ticks()
            .into_iter()
            .map(|(f, label)| Tick {
                pos: r1(LEFT + f * room),
                label,
            })
            .collect(),
        median: s.median.map(|m| {
            (
                x_of(m),
                format!("median {}", human_duration(m.round() as i64)),
            )
        }),
        n: s.n(),
        per_dot,
    }
}

/// A series of the trend: polylines (gaps where a period has too few)
/// and its points.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TrendSeries {
    pub name: &'static str,
    pub class: &'static str,
    pub lines: Vec<String>,
    pub points: Vec<Dot>,
}

/// Median and 90th percentile per period on a log time axis; the
/// incidents of periods with too few to summarise as hollow points.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LogTrend {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub bottom: f64,
    pub series: Vec<TrendSeries>,
    /// Single incidents of periods with too few to summarise.
    pub few: Vec<Dot>,
    pub y_ticks: Vec<Tick>,
    pub x_labels: Vec<Tick>,
}

/// The ticks of a trend's time axis and the year labels of its periods.
fn trend_axes(
    f: &DurationFigures,
    axis: LogAxis,
    x_of: impl Fn(usize) -> f64,
) -> (Vec<Tick>, Vec<Tick>) {
    let y_ticks = axis
        .ticks()
        .into_iter()
        .map(|(f, label)| Tick {
            pos: r1(HEIGHT - f * HEIGHT),
            label,
        })
        .collect();
    let x_labels = f
        .periods
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p.starts_year())
        .map(|(i, (p, _))| Tick {
            pos: x_of(i),
            label: match p {
                crate::model::durations::Period::Quarter(q) => q.year.to_string(),
                _ => p.label(),
            },
        })
        .collect();
    (y_ticks, x_labels)
}

/// The trend of one duration; `pick` chooses it from a period's figures.
pub fn log_trend(
    f: &DurationFigures,
    pick: impl Fn(&crate::model::durations::Figures) -> &Summary,
) -> LogTrend {
    let axis = LogAxis::over(
        f.periods
            .iter()
            .flat_map(|(_, x)| pick(x).values.iter().copied()),
    );
    let n = f.periods.len().max(1) as f64;
    let slot = (WIDTH - LEFT) / n;
    let x_of = |i: usize| r1(LEFT + (i as f64 + 0.5) * slot);
    let y_of = |v: f64| r1(HEIGHT - axis.frac(v) * HEIGHT);
    let mut series = [
        TrendSeries {
            name: "90th percentile",
            class: "line-p90",
            lines: Vec::new(),
            points: Vec::new(),
        },
        TrendSeries {
            name: "median",
            class: "line-median",
            lines: Vec::new(),
            points: Vec::new(),
        },
    ];
    let mut few = Vec::new();
    for (k, s) in series.iter_mut().enumerate() {
        let mut current: Vec<String> = Vec::new();
        for (i, (p, fig)) in f.periods.iter().enumerate() {
            let sum = pick(fig);
            let v = if k == 0 {
                sum.p90.map(|x| x as f64)
            } else {
                sum.median
            };
            match v {
                Some(v) => {
                    current.push(format!("{},{}", x_of(i), y_of(v)));
                    s.points.push(Dot {
                        x: x_of(i),
                        y: y_of(v),
                        title: format!(
                            "{} {}: {} (n = {})",
                            p.label(),
                            s.name,
                            human_duration(v.round() as i64),
                            sum.n()
                        ),
                    });
                }
                None => {
                    if !current.is_empty() {
                        s.lines.push(current.join(" "));
                        current.clear();
                    }
                    if k == 1 && sum.too_few() {
                        for v in &sum.values {
                            few.push(Dot {
                                x: x_of(i),
                                y: y_of(*v as f64),
                                title: format!(
                                    "{}: {} (too few to summarise, n = {})",
                                    p.label(),
                                    human_duration(*v),
                                    sum.n()
                                ),
                            });
                        }
                    }
                }
            }
        }
        if !current.is_empty() {
            s.lines.push(current.join(" "));
        }
    }
    let (y_ticks, x_labels) = trend_axes(f, axis, x_of);
    LogTrend {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        bottom: BOTTOM,
        series: series.into_iter().collect(),
        few,
        y_ticks,
        x_labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_axis_spreads_minutes_and_days() {
        let a = LogAxis::over([30, 600, 86400 * 2].into_iter());
        assert_eq!(a.hi, 3.0 * 86400.0);
        assert_eq!(a.frac(30.0), 0.0, "under a minute sits at the start");
        assert!(a.frac(3600.0) > 0.4 && a.frac(3600.0) < 0.5);
        assert_eq!(a.frac(3.0 * 86400.0), 1.0);
    }

    #[test]
    fn dots_stack_and_the_median_needs_enough() {
        let few = dot_plot(&Summary::of(vec![600, 600, 7200], 5));
        assert_eq!(few.dots.len(), 3);
        assert_eq!(few.median, None);
        assert_eq!(few.per_dot, 1);
        assert_eq!(few.dots[0].x, few.dots[1].x, "equal values share a stack");
        assert!(
            few.dots[1].y < few.dots[0].y,
            "the second sits on the first"
        );
        let many = dot_plot(&Summary::of(vec![600; 40], 5));
        assert_eq!(many.per_dot, 3);
        assert_eq!(many.dots.len(), 14);
        assert_eq!(
            many.median.as_ref().map(|m| m.1.as_str()),
            Some("median 10m")
        );
    }
}
