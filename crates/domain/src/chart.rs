//! A line chart of values over time, drawn as SVG text: a KPI's measurements with its
//! target, baseline and the straight line it should follow; later, spend against a
//! budget. The same text is put on screen (in the theme's palette) and exported (in
//! the light one), so what is downloaded is what was seen. It carries its own title and
//! a text alternative; the table view is drawn by the page from the same points.

use crate::date::Date;
use crate::format::with_unit;
use crate::kind::Point;
use crate::timeline::{esc, short_day, Palette};

/// A horizontal line across the chart at `value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Guide {
    /// "Target", "Baseline", "Budget".
    pub label: &'static str,
    pub value: f64,
    /// Drawn strong (a target, a budget) or faint (a baseline).
    pub strong: bool,
}

/// What a chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    pub title: String,
    /// The values' unit ("teams", "%", "€").
    pub unit: String,
    /// Oldest first.
    pub points: Vec<Point>,
    pub guides: Vec<Guide>,
    /// A dashed straight line between two points (where a KPI should be).
    pub expected: Option<(Point, Point)>,
    /// What a point is, one and several ("measurement", "measurements").
    pub noun: (&'static str, &'static str),
    /// The value axis starts at zero (amounts of money, counts).
    pub zero: bool,
    /// A running total: the line steps up at each point instead of sloping to it.
    pub steps: bool,
}

impl LineChart {
    /// A chart of `points` with nothing else on it yet.
    pub fn new(title: impl Into<String>, unit: impl Into<String>, points: Vec<Point>) -> LineChart {
        LineChart { title: title.into(), unit: unit.into(), points, guides: Vec::new(), expected: None, noun: ("measurement", "measurements"), zero: false, steps: false }
    }
}

/// The drawing's size.
pub const WIDTH: f64 = 440.0;
pub const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 28.0;

/// A round step for about `count` ticks over `span`: 1, 2, 2.5 or 5 times a power of ten.
fn nice_step(span: f64, count: f64) -> f64 {
    let raw = (span / count).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|s| *s >= raw);
    step.unwrap_or(10.0 * magnitude)
}

/// The value axis: its ends, rounded out to whole steps, and the step.
fn value_axis(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        let pad = (hi.abs() * 0.1).max(1.0);
        (lo, hi) = (lo - pad, hi + pad);
    }
    let step = nice_step(hi - lo, 4.0);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

impl LineChart {
    /// Every day shown, first and last: the points' and the expected line's.
    fn days(&self) -> (i64, i64) {
        let days = self.points.iter().map(|p| p.date.days()).chain(self.expected.iter().flat_map(|(a, b)| [a.date.days(), b.date.days()]));
        let (first, last) = days.fold((i64::MAX, i64::MIN), |(f, l), d| (f.min(d), l.max(d)));
        match (first, last) {
            (i64::MAX, _) => (0, 1),
            (f, l) if f == l => (f - 3, l + 3),
            range => range,
        }
    }

    fn value_axis(&self) -> (f64, f64, f64) {
        let values = self.points.iter().map(|p| p.value).chain(self.guides.iter().map(|g| g.value)).chain(self.expected.iter().flat_map(|(a, b)| [a.value, b.value]));
        value_axis(values.chain(self.zero.then_some(0.0)))
    }

    /// The text alternative: what the chart says, in a sentence or two.
    pub fn describe(&self) -> String {
        let mut text = match (self.points.first(), self.points.last()) {
            (Some(first), Some(last)) if self.points.len() > 1 => format!(
                "{}: {} {} from {} to {}, latest {}",
                self.title,
                self.points.len(),
                self.noun.1,
                short_day(first.date),
                short_day(last.date),
                with_unit(last.value, &self.unit)
            ),
            (Some(only), _) => format!("{}: 1 {}, {} on {}", self.title, self.noun.0, with_unit(only.value, &self.unit), short_day(only.date)),
            _ => format!("{}: no {} yet", self.title, self.noun.1),
        };
        for g in &self.guides {
            text.push_str(&format!("; {} {}", g.label.to_lowercase(), with_unit(g.value, &self.unit)));
        }
        text.push('.');
        text
    }

    /// The chart as a standalone SVG document of [`WIDTH`] × [`HEIGHT`]. Each point is a
    /// circle with `data-point` (its day) and a tooltip; each guide a line with
    /// `data-line` (its label, lower case), the expected line `data-line="expected"`.
    pub fn to_svg(&self, p: &Palette) -> String {
        let (first, last) = self.days();
        let (lo, hi, step) = self.value_axis();
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let x = |d: Date| LEFT + (d.days() - first) as f64 / (last - first) as f64 * plot_w;
        let y = |v: f64| TOP + (hi - v) / (hi - lo) * plot_h;
        let mut s = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Inter, system-ui, sans-serif" font-size="12" role="img" aria-label="{}"><title>{}</title><rect width="{WIDTH}" height="{HEIGHT}" fill="{}"/>"#,
            esc(&self.describe()),
            esc(&self.title),
            p.background
        );
        // Value grid and labels.
        let ticks = ((hi - lo) / step).round() as i64;
        for i in 0..=ticks {
            let v = lo + step * i as f64;
            let yy = y(v);
            s.push_str(&format!(r#"<line x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="{}"/>"#, WIDTH - RIGHT, p.grid));
            s.push_str(&format!(r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{}">{}</text>"#, LEFT - 8.0, yy + 4.0, p.muted, esc(&crate::format::measure(v))));
        }
        // Day labels: up to four, evenly spread, with the year on the first and where
        // it changes.
        let span = last - first;
        let labels = span.clamp(1, 3);
        let mut year = None;
        for i in 0..=labels {
            let Some(d) = Date::from_days(first + span * i / labels) else { continue };
            let anchor = if i == 0 { "start" } else if i == labels { "end" } else { "middle" };
            let label = if year == Some(d.year()) { short_day(d).rsplit_once(' ').map_or_else(|| short_day(d), |(dm, _)| dm.to_owned()) } else { short_day(d) };
            year = Some(d.year());
            s.push_str(&format!(r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" fill="{}">{}</text>"#, x(d), HEIGHT - 9.0, p.muted, esc(&label)));
        }
        for g in &self.guides {
            let (colour, dash) = if g.strong { (p.milestone, "6 4") } else { (p.muted, "2 3") };
            let yy = y(g.value);
            s.push_str(&format!(
                r#"<line data-line="{}" x1="{LEFT}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}"/>"#,
                esc(&g.label.to_lowercase()),
                WIDTH - RIGHT
            ));
            s.push_str(&format!(
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{colour}" font-weight="600">{} {}</text>"#,
                WIDTH - RIGHT - 4.0,
                yy - 5.0,
                esc(g.label),
                esc(&with_unit(g.value, &self.unit))
            ));
        }
        if let Some((a, b)) = self.expected {
            s.push_str(&format!(
                r#"<line data-line="expected" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="1.5" stroke-dasharray="3 4"><title>Where a straight line says it should be</title></line>"#,
                x(a.date),
                y(a.value),
                x(b.date),
                y(b.value),
                p.muted
            ));
        }
        if self.points.len() > 1 {
            let mut path: Vec<String> = Vec::with_capacity(self.points.len() * 2);
            for (i, pt) in self.points.iter().enumerate() {
                if self.steps && i > 0 {
                    path.push(format!("{:.1},{:.1}", x(pt.date), y(self.points[i - 1].value)));
                }
                path.push(format!("{:.1},{:.1}", x(pt.date), y(pt.value)));
            }
            s.push_str(&format!(r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"/>"#, path.join(" "), p.bar));
        }
        for pt in &self.points {
            s.push_str(&format!(
                r#"<circle data-point="{}" cx="{:.1}" cy="{:.1}" r="4.5" fill="{}" stroke="{}" stroke-width="2"><title>{}: {}</title></circle>"#,
                pt.date,
                x(pt.date),
                y(pt.value),
                p.bar,
                p.background,
                short_day(pt.date),
                esc(&with_unit(pt.value, &self.unit))
            ));
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::LIGHT;

    fn point(d: &str, value: f64) -> Point {
        Point { date: Date::parse(d).unwrap(), value }
    }

    fn chart(points: Vec<Point>) -> LineChart {
        LineChart { guides: vec![Guide { label: "Target", value: 500.0, strong: true }], ..LineChart::new("Weekly active <teams>", "teams", points) }
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(200.0, 4.0), 50.0);
        assert_eq!(nice_step(9.0, 4.0), 2.5);
        assert_eq!(nice_step(0.03, 4.0), 0.01);
        assert_eq!(value_axis([300.0, 420.0, 500.0].into_iter()), (300.0, 500.0, 50.0));
        assert_eq!(value_axis([7.0].into_iter()), (6.0, 8.0, 0.5), "one value gets room around it");
    }

    #[test]
    fn three_measurements_draw_three_points_and_the_target() {
        let c = chart(vec![point("2026-10-01", 300.0), point("2026-10-15", 350.0), point("2026-11-01", 420.0)]);
        let svg = c.to_svg(&LIGHT);
        assert_eq!(svg.matches("<circle data-point=").count(), 3);
        assert_eq!(svg.matches(r#"data-line="target""#).count(), 1);
        assert!(svg.contains("Target 500 teams") && svg.contains("1 Nov 2026: 420 teams"));
        assert!(svg.contains("&lt;teams&gt;") && !svg.contains("<teams>"), "the title is escaped");
        assert_eq!(c.describe(), "Weekly active <teams>: 3 measurements from 1 Oct 2026 to 1 Nov 2026, latest 420 teams; target 500 teams.");
        // The highest value sits on the top grid line, the lowest on the bottom one.
        assert!(svg.contains(r#"cx="56.0" cy="192.0""#), "{svg}");
        assert!(svg.contains(">1 Oct 2026<") && svg.contains(">1 Nov<"), "the year only once: {svg}");
    }

    #[test]
    fn a_running_total_steps_from_zero_and_says_what_its_points_are() {
        let c = LineChart { zero: true, steps: true, noun: ("day with costs", "days with costs"), ..LineChart::new("Spend", "", vec![point("2026-10-01", 300.0), point("2026-10-11", 500.0)]) };
        let svg = c.to_svg(&LIGHT);
        // Flat at 300 until 11 Oct, then up to 500; the axis starts at 0.
        assert!(svg.contains(r#"points="56.0,105.0 426.0,105.0 426.0,47.0""#), "{svg}");
        assert!(svg.contains(">0</text>"), "{svg}");
        assert_eq!(c.describe(), "Spend: 2 days with costs from 1 Oct 2026 to 11 Oct 2026, latest 500.");
    }

    #[test]
    fn an_empty_chart_still_draws_and_says_so() {
        let c = chart(Vec::new());
        assert!(c.to_svg(&LIGHT).ends_with("</svg>"));
        assert_eq!(c.describe(), "Weekly active <teams>: no measurements yet; target 500 teams.");
    }
}
