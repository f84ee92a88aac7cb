//! Chart data for the SVG templates: values placed on a grid (bar
//! positions, line points, axis ticks), rounded for compact output. The
//! templates in `themes/default/templates/components.html` draw them.

use serde::Serialize;

/// Plot area, in SVG user units.
pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 200.0;
/// Room for axis labels.
pub const LEFT: f64 = 48.0;
pub const BOTTOM: f64 = 24.0;

fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten.
pub fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let exp = max.log10().floor();
    let base = 10f64.powf(exp);
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * base >= max {
            return m * base;
        }
    }
    10.0 * base
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Tick {
    pub pos: f64,
    pub label: String,
}

/// What a value axis measures; decides round tick steps and labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Whole numbers: steps of 1, 2 or 5 times a power of ten.
    Count,
}

impl Axis {
    /// The tick step: four steps reach `max`.
    fn step(self, max: f64) -> f64 {
        let want = (max / 4.0).max(f64::MIN_POSITIVE);
        match self {
            Axis::Count => nice_max(want.max(1.0)),
        }
    }

    fn label(self, v: f64) -> String {
        match self {
            Axis::Count => format!("{}", v.round() as i64),
        }
    }

    /// The top of the axis and its ticks (0 and four steps).
    fn ticks(self, max: f64) -> (f64, Vec<Tick>) {
        let step = self.step(max);
        let top = step * 4.0;
        let ticks = (0..=4)
            .map(|k| {
                let v = step * k as f64;
                Tick {
                    pos: r1(HEIGHT - v / top * HEIGHT),
                    label: self.label(v),
                }
            })
            .collect();
        (top, ticks)
    }
}

/// One part of a stacked bar.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Segment {
    pub y: f64,
    pub h: f64,
    pub class: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub w: f64,
    pub segments: Vec<Segment>,
}

/// Vertical (stacked) bars over categories.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BarChart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub bottom: f64,
    pub bars: Vec<Bar>,
    pub y_ticks: Vec<Tick>,
    pub x_labels: Vec<Tick>,
}

/// A category of a bar chart: its label and its stacked parts, each
/// `(css class, title, value)`.
pub type Category = (String, Vec<(String, String, f64)>);

/// One stack per category. Every `label_every`th category gets an axis
/// label.
pub fn stacked_bars(categories: &[Category], label_every: usize) -> BarChart {
    let n = categories.len().max(1) as f64;
    let slot = (WIDTH - LEFT) / n;
    let w = r1((slot * 0.8).max(0.5));
    let max = categories
        .iter()
        .map(|(_, parts)| parts.iter().map(|p| p.2).sum::<f64>())
        .fold(0.0, f64::max);
    let (top, y_ticks) = Axis::Count.ticks(max);
    let bars = categories
        .iter()
        .enumerate()
        .map(|(i, (_, parts))| {
            let mut base = 0.0;
            let segments = parts
                .iter()
                .filter(|p| p.2 > 0.0)
                .map(|(class, title, v)| {
                    let h = v / top * HEIGHT;
                    base += h;
                    Segment {
                        y: r1(HEIGHT - base),
                        h: r1(h),
                        class: class.clone(),
                        title: title.clone(),
                    }
                })
                .collect();
            Bar {
                x: r1(LEFT + i as f64 * slot + (slot - w) / 2.0),
                w,
                segments,
            }
        })
        .collect();
    let every = label_every.max(1);
    let x_labels = categories
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, (label, _))| Tick {
            pos: r1(LEFT + (i as f64 + 0.5) * slot),
            label: label.clone(),
        })
        .collect();
    BarChart {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        bottom: BOTTOM,
        bars,
        y_ticks,
        x_labels,
    }
}

/// A horizontal bar: a label, a value, and its share of the largest.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HBar {
    pub label: String,
    pub url: Option<String>,
    pub value: usize,
    pub width: f64,
    pub y: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct HBarChart {
    pub width: f64,
    pub height: f64,
    pub label_width: f64,
    pub row: f64,
    pub bars: Vec<HBar>,
}

/// Horizontal bars, one row each, longest for the largest value.
pub fn hbars(rows: &[(String, Option<String>, usize)]) -> HBarChart {
    const ROW: f64 = 22.0;
    const LABEL: f64 = 200.0;
    let max = rows.iter().map(|r| r.2).max().unwrap_or(0).max(1) as f64;
    let room = WIDTH - LABEL - 48.0;
    HBarChart {
        width: WIDTH,
        height: ROW * rows.len() as f64,
        label_width: LABEL,
        row: ROW,
        bars: rows
            .iter()
            .enumerate()
            .map(|(i, (label, url, v))| HBar {
                label: label.clone(),
                url: url.clone(),
                value: *v,
                width: r1((*v as f64 / max * room).max(if *v > 0 { 1.0 } else { 0.0 })),
                y: r1(i as f64 * ROW),
            })
            .collect(),
    }
}

/// A tiny trend line of counts (e.g. per quarter) for tables.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Sparkline {
    pub width: f64,
    pub height: f64,
    pub bars: Vec<Segment>,
    pub bar_width: f64,
    pub xs: Vec<f64>,
    pub summary: String,
}

pub fn sparkline(counts: &[usize], first_label: &str, last_label: &str) -> Sparkline {
    const W: f64 = 120.0;
    const H: f64 = 24.0;
    let n = counts.len().max(1) as f64;
    let slot = W / n;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut xs = Vec::new();
    let bars = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| {
            let h = (*c as f64 / max * H).max(1.0);
            xs.push(r1(i as f64 * slot));
            Segment {
                y: r1(H - h),
                h: r1(h),
                class: String::new(),
                title: c.to_string(),
            }
        })
        .collect();
    let total: usize = counts.iter().sum();
    Sparkline {
        width: W,
        height: H,
        bars,
        bar_width: r1((slot * 0.8).max(0.5)),
        xs,
        summary: format!(
            "{total} incidents from {first_label} to {last_label}, at most {} in a quarter",
            max as usize
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_bounds() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(13.0), 20.0);
        assert_eq!(nice_max(41.0), 50.0);
        assert_eq!(nice_max(100.0), 100.0);
    }

    #[test]
    fn stacked_bars_stack_from_the_bottom() {
        let c = stacked_bars(
            &[
                (
                    "a".into(),
                    vec![
                        ("s1".into(), "x".into(), 2.0),
                        ("s2".into(), "y".into(), 3.0),
                    ],
                ),
                (
                    "b".into(),
                    vec![
                        ("s1".into(), "x".into(), 0.0),
                        ("s2".into(), "y".into(), 10.0),
                    ],
                ),
            ],
            1,
        );
        assert_eq!(c.bars[0].segments.len(), 2);
        // Ten fits in four steps of 5: the axis tops at 20.
        assert_eq!(c.bars[0].segments[0].h, 20.0);
        assert_eq!(c.bars[0].segments[0].y, 180.0);
        assert_eq!(c.bars[0].segments[1].y, 150.0);
        assert_eq!(c.bars[1].segments.len(), 1, "empty parts are left out");
        assert_eq!(c.bars[1].segments[0].y, 100.0);
        let labels: Vec<&str> = c.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "5", "10", "15", "20"]);
    }

    #[test]
    fn axes_use_round_steps() {
        let (top, ticks) = Axis::Count.ticks(1.0);
        assert_eq!(top, 4.0);
        assert_eq!(
            ticks.iter().map(|t| t.label.clone()).collect::<Vec<_>>(),
            ["0", "1", "2", "3", "4"]
        );
    }
}
