//! The roadmap's timeline: features as bars from start to target, releases as
//! milestones, "blocks" links as arrows (red when the dates violate them), each
//! release's critical path highlighted, a today line; laid out here and drawn as one
//! SVG, the same for the screen, the SVG and PNG exports and print. The board is drawn
//! here too, for its exports ([`board_svg`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::date::Date;
use crate::feature::Feature;
use crate::kind::Kind;
use crate::link::{LinkIndex, Ref, Relation};
use crate::release::Release;
use crate::roadmap::{self, Violation};
use crate::schema::FEATURES;
use crate::stage::Stage;
use crate::Id;

/// How much time fits on the screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Zoom {
    Week,
    Month,
    Quarter,
    /// Every dated feature and release in `width` pixels of chart.
    Fit { width: f64 },
}

impl Zoom {
    fn px_per_day(self, days: i64) -> f64 {
        match self {
            Zoom::Week => 22.0,
            Zoom::Month => 5.0,
            Zoom::Quarter => 1.6,
            Zoom::Fit { width } => (width / days.max(1) as f64).clamp(0.4, 40.0),
        }
    }
}

/// How the timeline is framed: its zoom, the chart's least width in pixels (the
/// screen's, so a short plan still fills it) and the width of the titles' column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub zoom: Zoom,
    pub min_width: f64,
    pub label_width: f64,
}

impl Frame {
    /// `zoom` over at least `min_width` pixels, titles in a column of [`LABEL_WIDTH`].
    pub fn new(zoom: Zoom, min_width: f64) -> Frame {
        Frame { zoom, min_width, label_width: LABEL_WIDTH }
    }
}

/// Where things go: the titles' column on a wide screen (and in exports), on a phone.
pub const LABEL_WIDTH: f64 = 240.0;
pub const NARROW_LABEL_WIDTH: f64 = 128.0;
pub const HEADER: f64 = 78.0;
/// Where iterations and phases are drawn, under the dates and milestones.
const BAND_Y: f64 = 58.0;
const BAND: f64 = 14.0;
pub const ROW: f64 = 34.0;
const BAR: f64 = 20.0;

/// One feature's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub id: Id,
    pub title: String,
    pub start: Date,
    pub target: Date,
    pub x: f64,
    pub width: f64,
    pub y: f64,
    pub status: Option<&'static str>,
    pub critical: bool,
    pub clash: bool,
}

/// A release's milestone at its target date.
#[derive(Clone, Debug, PartialEq)]
pub struct Milestone {
    pub id: Id,
    pub name: String,
    pub date: Date,
    pub x: f64,
}

/// An iteration or a phase, as a band under the dates.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub id: Id,
    pub name: String,
    /// `iteration` or `phase` (or unset).
    pub kind: Option<&'static str>,
    pub start: Date,
    pub end: Date,
    pub x: f64,
    pub width: f64,
}

/// A "blocks" link between two bars.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub from: Id,
    pub to: Id,
    /// SVG path data.
    pub path: String,
    pub violated: bool,
}

/// A laid-out timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    pub width: f64,
    /// The titles' column, left of the chart.
    pub label_width: f64,
    pub height: f64,
    /// Day number ([`Date::days`]) at the chart's left edge, and pixels per day.
    pub first_day: i64,
    pub px_per_day: f64,
    pub bars: Vec<Bar>,
    pub milestones: Vec<Milestone>,
    /// Iterations and phases of the releases.
    pub bands: Vec<Band>,
    pub arrows: Vec<Arrow>,
    /// Grid lines: x and label.
    pub ticks: Vec<(f64, String)>,
    pub today_x: Option<f64>,
    /// Live features without both dates, in board order: listed beside the chart.
    pub undated: Vec<(Id, String)>,
    pub violations: Vec<Violation>,
}

impl Timeline {
    /// The day at pixel `x` of the chart (for dragging).
    pub fn day_at(&self, x: f64) -> i64 {
        self.first_day + ((x - self.label_width) / self.px_per_day).round() as i64
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// "16 Feb 2026".
pub fn short_day(d: Date) -> String {
    format!("{} {} {}", d.day(), MONTHS[usize::from(d.month() - 1)], d.year())
}

/// Lays out the live features and releases (deleted ones are left out) in `frame`.
pub fn lay_out(features: &[Feature], releases: &[Release], stages: &[Stage], links: &LinkIndex, today: Date, frame: Frame) -> Timeline {
    let Frame { zoom, min_width, label_width } = frame;
    let live = roadmap::live_features(features);
    let mut dated: Vec<&Feature> = Vec::new();
    let mut undated = Vec::new();
    for horizon in [Some("now"), Some("next"), Some("later"), None] {
        for f in roadmap::column(live.values().copied(), horizon) {
            match (f.start, f.target, f.id()) {
                (Some(_), Some(_), Some(_)) => dated.push(f),
                (_, _, Some(id)) => undated.push((id.clone(), f.title())),
                _ => {}
            }
        }
    }
    crate::sort::sort_by_key(&mut dated, |f| (f.start, f.target));
    let live_releases: Vec<&Release> = releases.iter().filter(|r| !r.is_deleted() && r.target.is_some()).collect();
    let live_stages: Vec<&Stage> = stages.iter().filter(|s| !s.is_deleted() && s.start.is_some() && s.end.is_some()).collect();
    let days = dated
        .iter()
        .flat_map(|f| [f.start, f.target])
        .chain(live_stages.iter().flat_map(|s| [s.start, s.end]))
        .chain(live_releases.iter().map(|r| r.target))
        .flatten()
        .map(Date::days)
        .chain([today.days()]);
    let (lo, hi) = days.fold((i64::MAX, i64::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
    let first_day = lo - 7;
    let span = hi + 14 - first_day;
    let px = zoom.px_per_day(span);
    let hi = hi.max(first_day + (min_width / px).ceil() as i64 - 14);
    let x_of = |d: i64| label_width + (d - first_day) as f64 * px;
    let critical: BTreeSet<Id> = live_releases.iter().filter_map(|r| r.id()).flat_map(|r| roadmap::critical_path(r, links, &live)).collect();
    let violations = roadmap::violations(links, &live);
    let mut bars = Vec::with_capacity(dated.len());
    let mut row_of: BTreeMap<Id, usize> = BTreeMap::new();
    for (row, f) in dated.iter().enumerate() {
        let (Some(start), Some(target), Some(id)) = (f.start, f.target, f.id()) else { continue };
        let x = x_of(start.days());
        let width = ((target.days() - start.days() + 1).max(1) as f64 * px).max(4.0);
        row_of.insert(id.clone(), row);
        bars.push(Bar {
            id: id.clone(),
            title: f.title(),
            start,
            target,
            x,
            width,
            y: HEADER + row as f64 * ROW + (ROW - BAR) / 2.0,
            status: f.status,
            critical: critical.contains(id),
            clash: violations.iter().any(|v| &v.feature == id),
        });
    }
    let mut arrows = Vec::new();
    for bar in &bars {
        for blocker in links.sources(&Ref::new(FEATURES, bar.id.clone()), Relation::Blocks) {
            let Some(from) = row_of.get(&blocker.id).map(|r| &bars[*r]) else { continue };
            let (x1, y1) = (from.x + from.width, from.y + BAR / 2.0);
            let (x2, y2) = (bar.x, bar.y + BAR / 2.0);
            let bend = x1 + 8.0;
            let path = if x2 - 8.0 > bend {
                format!("M{x1:.1} {y1:.1} H{bend:.1} V{y2:.1} H{x2:.1}")
            } else {
                // Going back in time: out, down between the rows, back, in.
                let mid = (from.y.max(bar.y) - (ROW - BAR) / 2.0).max(HEADER);
                format!("M{x1:.1} {y1:.1} H{bend:.1} V{mid:.1} H{:.1} V{y2:.1} H{x2:.1}", x2 - 8.0)
            };
            arrows.push(Arrow { from: blocker.id.clone(), to: bar.id.clone(), path, violated: from.target >= bar.start });
        }
    }
    let milestones = live_releases
        .iter()
        .filter_map(|r| Some(Milestone { id: r.id()?.clone(), name: r.title(), date: r.target?, x: x_of(r.target?.days()) + px / 2.0 }))
        .collect();
    let bands = live_stages
        .iter()
        .filter_map(|st| {
            let (start, end) = (st.start?, st.end?);
            let x = x_of(start.days());
            Some(Band { id: st.id()?.clone(), name: st.title(), kind: st.kind, start, end, x, width: ((end.days() - start.days() + 1).max(1) as f64 * px).max(4.0) })
        })
        .collect();
    let width = x_of(hi + 14);
    let ticks = ticks(first_day, hi + 14, px, x_of);
    Timeline {
        width,
        label_width,
        height: HEADER + (bars.len().max(1)) as f64 * ROW + 8.0,
        first_day,
        px_per_day: px,
        bars,
        milestones,
        bands,
        arrows,
        ticks,
        today_x: Some(x_of(today.days()) + px / 2.0),
        undated,
        violations,
    }
}

/// Grid lines: weeks (Mondays) when days are wide, months, or quarters.
fn ticks(first: i64, last: i64, px: f64, x_of: impl Fn(i64) -> f64) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    for d in first..=last {
        let Some(date) = Date::from_days(d) else { continue };
        let label = if px >= 12.0 {
            ((d + 3).rem_euclid(7) == 0).then(|| format!("{} {}", date.day(), MONTHS[usize::from(date.month() - 1)]))
        } else if px >= 2.5 {
            (date.day() == 1).then(|| format!("{} {}", MONTHS[usize::from(date.month() - 1)], date.year()))
        } else {
            (date.day() == 1 && date.month() % 3 == 1).then(|| format!("Q{} {}", date.month() / 3 + 1, date.year()))
        };
        if let Some(label) = label {
            out.push((x_of(d), label));
        }
    }
    out
}

/// Colours of a drawing: the screen's theme, or light for exports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    pub background: &'static str,
    pub text: &'static str,
    pub muted: &'static str,
    pub grid: &'static str,
    pub bar: &'static str,
    pub done: &'static str,
    pub critical: &'static str,
    pub danger: &'static str,
    pub milestone: &'static str,
}

pub const LIGHT: Palette = Palette {
    background: "#ffffff",
    text: "#1a1c29",
    muted: "#5b6075",
    grid: "#e3e5ee",
    bar: "#6366f1",
    done: "#94a3b8",
    critical: "#c2410c",
    danger: "#be123c",
    milestone: "#0f766e",
};

pub const DARK: Palette = Palette {
    background: "#171a23",
    text: "#e8eaf2",
    muted: "#9aa1b8",
    grid: "#2a2f3f",
    bar: "#818cf8",
    done: "#64748b",
    critical: "#fb923c",
    danger: "#fb7185",
    milestone: "#2dd4bf",
};

/// Text made safe inside SVG.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// At most `n` characters, with an ellipsis when cut.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// The whole timeline as a standalone SVG document: [`svg_open`], [`svg_backdrop`],
/// every bar's arrows, then every bar ([`svg_bars`]). Bars carry `data-bar` (the
/// feature's id) and their ends `data-edge`, for dragging on screen.
pub fn to_svg(t: &Timeline, p: &Palette, title: &str) -> String {
    let bars = svg_bars(t, p);
    let mut s = svg_open(t, title);
    s.push_str(&svg_backdrop(t, p));
    for b in &bars {
        s.push_str(&b.arrows);
    }
    for b in &bars {
        s.push_str(&b.bar);
    }
    s.push_str("</svg>");
    s
}

/// The SVG's opening tag: its size and its accessible name.
pub fn svg_open(t: &Timeline, title: &str) -> String {
    let (w, h) = (t.width.ceil(), t.height.ceil());
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Inter, system-ui, sans-serif" font-size="12" role="img" aria-label="{}">"#,
        esc(title)
    )
}

/// Everything under the bars: the arrowheads, the background, the date grid,
/// milestones, iterations and phases, the today line (and a word when nothing is dated).
pub fn svg_backdrop(t: &Timeline, p: &Palette) -> String {
    let (w, h) = (t.width.ceil(), t.height.ceil());
    let mut s = String::with_capacity(2048 + t.ticks.len() * 120);
    let _ = write!(
        s,
        r#"<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="{}"/></marker><marker id="arrow-bad" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="{}"/></marker></defs>"#,
        p.muted, p.danger
    );
    let _ = write!(s, r#"<rect width="{w}" height="{h}" fill="{}"/>"#, p.background);
    for (x, label) in &t.ticks {
        let _ = write!(s, r#"<line x1="{x:.1}" y1="24" x2="{x:.1}" y2="{h}" stroke="{}"/><text x="{:.1}" y="18" fill="{}">{}</text>"#, p.grid, x + 4.0, p.muted, esc(label));
    }
    let _ = write!(s, r#"<line x1="0" y1="{HEADER}" x2="{w}" y2="{HEADER}" stroke="{}"/>"#, p.grid);
    for m in &t.milestones {
        let (x, y) = (m.x, 38.0);
        let _ = write!(
            s,
            r#"<g class="milestone" data-release="{}"><line x1="{x:.1}" y1="{y}" x2="{x:.1}" y2="{h}" stroke="{}" stroke-dasharray="4 3"/><path d="M{x:.1} {:.1} l6 6 l-6 6 l-6 -6 z" fill="{}"/><text x="{:.1}" y="{:.1}" fill="{}" font-weight="600">{}</text><title>{} — {}</title></g>"#,
            m.id,
            p.milestone,
            y - 6.0,
            p.milestone,
            x + 9.0,
            y + 4.0,
            p.milestone,
            esc(&cut(&m.name, 28)),
            esc(&m.name),
            short_day(m.date)
        );
    }
    for b in &t.bands {
        let fill = if b.kind == Some("phase") { p.milestone } else { p.bar };
        let said = format!("{}{}, {} to {}", b.kind.map_or(String::new(), |k| format!("{} ", crate::kind::choice_label(crate::stage::KIND, k))), b.name, short_day(b.start), short_day(b.end));
        let room = ((b.width - 8.0) / 6.5).max(0.0) as usize;
        let _ = write!(
            s,
            r#"<g class="band" data-stage="{}"><rect x="{:.1}" y="{BAND_Y}" width="{:.1}" height="{BAND}" rx="3" fill="{fill}" fill-opacity="0.22" stroke="{fill}" stroke-opacity="0.6"/><text x="{:.1}" y="{:.1}" fill="{}" font-size="10">{}</text><title>{}</title></g>"#,
            b.id,
            b.x,
            b.width,
            b.x + 4.0,
            BAND_Y + 10.5,
            p.text,
            if room >= 3 { esc(&cut(&b.name, room)) } else { String::new() },
            esc(&said)
        );
    }
    if let Some(x) = t.today_x {
        let _ = write!(s, r#"<line x1="{x:.1}" y1="24" x2="{x:.1}" y2="{h}" stroke="{}" stroke-width="2"/><text x="{:.1}" y="34" fill="{}" font-size="11" font-weight="600">Today</text>"#, p.danger, x + 4.0, p.danger);
    }
    if t.bars.is_empty() {
        let _ = write!(s, r#"<text x="12" y="{:.1}" fill="{}">No feature has both a start and a target date yet.</text>"#, HEADER + 22.0, p.muted);
    }
    s
}

/// One bar's drawing, in two layers: the arrows into it (drawn under every bar) and the
/// bar with its title. A screen replaces only the parts whose text changed.
#[derive(Clone, Debug, PartialEq)]
pub struct BarSvg {
    pub id: Id,
    pub arrows: String,
    pub bar: String,
}

/// Every bar's drawing, in row order.
pub fn svg_bars(t: &Timeline, p: &Palette) -> Vec<BarSvg> {
    let mut arrows: BTreeMap<&Id, String> = BTreeMap::new();
    for a in &t.arrows {
        let (stroke, marker, dash) = if a.violated { (p.danger, "arrow-bad", r#" stroke-dasharray="5 3""#) } else { (p.muted, "arrow", "") };
        let _ = write!(arrows.entry(&a.to).or_default(), r#"<path d="{}" fill="none" stroke="{stroke}" stroke-width="1.5"{dash} marker-end="url(#{marker})"/>"#, a.path);
    }
    let room = ((t.label_width - 24.0) / 7.2).max(8.0) as usize;
    t.bars
        .iter()
        .enumerate()
        .map(|(row, b)| {
            let row_y = HEADER + row as f64 * ROW;
            let label = esc(&cut(&b.title, room));
            let fill = if b.status == Some("done") { p.done } else { p.bar };
            let outline = if b.clash {
                format!(r#" stroke="{}" stroke-width="2""#, p.danger)
            } else if b.critical {
                format!(r#" stroke="{}" stroke-width="2.5""#, p.critical)
            } else {
                String::new()
            };
            let said = format!("{}, {} to {}{}{}", b.title, short_day(b.start), short_day(b.target), if b.critical { ", on the critical path" } else { "" }, if b.clash { ", starts before a blocker ends" } else { "" });
            let bar = format!(
                r#"<text x="12" y="{:.1}" fill="{}">{label}</text><g class="bar" data-bar="{}" tabindex="0" role="button" aria-label="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{BAR}" rx="4" fill="{fill}"{outline}/><rect data-edge="start" x="{:.1}" y="{:.1}" width="6" height="{BAR}" fill="transparent" style="cursor: ew-resize"/><rect data-edge="end" x="{:.1}" y="{:.1}" width="6" height="{BAR}" fill="transparent" style="cursor: ew-resize"/><title>{}</title></g>"#,
                row_y + ROW / 2.0 + 4.0,
                p.text,
                b.id,
                esc(&said),
                b.x,
                b.y,
                b.width,
                b.x,
                b.y,
                b.x + b.width - 6.0,
                b.y,
                esc(&said)
            );
            BarSvg { id: b.id.clone(), arrows: arrows.remove(&b.id).unwrap_or_default(), bar }
        })
        .collect()
}

/// The board as one SVG (for the SVG and PNG exports): a column per horizon, each card
/// with its title, status, release and dates, and "Blocked" when something blocking it
/// is not done. `releases` names releases by id. Returns the SVG and its width and
/// height.
pub fn board_svg(features: &[Feature], releases: &BTreeMap<Id, String>, links: &LinkIndex, p: &Palette, title: &str) -> (String, f64, f64) {
    const COL: f64 = 300.0;
    const GAP: f64 = 16.0;
    const CARD: f64 = 64.0;
    const TOP: f64 = 64.0;
    let live = roadmap::live_features(features);
    let columns: Vec<(&str, Vec<&Feature>)> =
        crate::feature::HORIZON.iter().map(|(k, label)| (*label, roadmap::column(live.values().copied(), Some(k)))).collect();
    let rows = columns.iter().map(|(_, c)| c.len()).max().unwrap_or(0).max(1);
    let w = GAP + columns.len() as f64 * (COL + GAP);
    let h = TOP + rows as f64 * (CARD + 10.0) + GAP;
    let mut s = String::with_capacity(1024 + live.len() * 700);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Inter, system-ui, sans-serif" font-size="12" role="img" aria-label="{}"><rect width="{w}" height="{h}" fill="{}"/><text x="{GAP}" y="24" fill="{}" font-size="15" font-weight="700">{}</text>"#,
        esc(title),
        p.background,
        p.text,
        esc(title)
    );
    for (c, (label, cards)) in columns.iter().enumerate() {
        let x = GAP + c as f64 * (COL + GAP);
        let _ = write!(s, r#"<text x="{x}" y="52" fill="{}" font-size="13" font-weight="700">{} ({})</text>"#, p.text, esc(label), cards.len());
        for (r, f) in cards.iter().enumerate() {
            let y = TOP + r as f64 * (CARD + 10.0);
            let blocked = f.id().is_some_and(|id| roadmap::is_blocked(id, links, &live));
            let mut meta = Vec::new();
            if let Some(st) = f.status {
                meta.push(crate::kind::choice_label(crate::feature::STATUS, st).to_owned());
            }
            if let Some(name) = f.release.as_ref().and_then(|r| releases.get(r)) {
                meta.push(name.clone());
            }
            if let (Some(a), Some(b)) = (f.start, f.target) {
                meta.push(format!("{} → {}", short_day(a), short_day(b)));
            }
            let _ = write!(
                s,
                r#"<rect x="{x}" y="{y}" width="{COL}" height="{CARD}" rx="6" fill="{}" stroke="{}"/><text x="{:.1}" y="{:.1}" fill="{}" font-weight="600">{}</text><text x="{:.1}" y="{:.1}" fill="{}" font-size="11">{}</text>"#,
                p.background,
                if blocked { p.danger } else { p.grid },
                x + 12.0,
                y + 24.0,
                p.text,
                esc(&cut(&f.title(), 40)),
                x + 12.0,
                y + 46.0,
                p.muted,
                esc(&cut(&meta.join(" · "), 48))
            );
            if blocked {
                let _ = write!(s, r#"<text x="{:.1}" y="{:.1}" fill="{}" font-size="11" font-weight="700" text-anchor="end">Blocked</text>"#, x + COL - 12.0, y + 24.0, p.danger);
            }
        }
    }
    s.push_str("</svg>");
    (s, w, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::Workspace;

    #[test]
    fn bars_span_their_days_and_a_violated_dependency_is_red() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let api = ws.create_item::<Feature>("Sync <API>", 1, "Ana").unwrap();
        let app = ws.create_item::<Feature>("Offline app", 1, "Ana").unwrap();
        let later = ws.create_item::<Feature>("Someday", 1, "Ana").unwrap();
        for (id, start, target) in [(&api, "2026-01-05", "2026-02-27"), (&app, "2026-02-16", "2026-04-30")] {
            ws.set_field::<Feature>(id, "start", FieldInput::Value(start), 2).unwrap();
            ws.set_field::<Feature>(id, "target", FieldInput::Value(target), 2).unwrap();
        }
        ws.link(&Ref::new(FEATURES, api.clone()), Relation::Blocks, &Ref::new(FEATURES, app.clone()), 3).unwrap();
        let release = ws.create_item::<Release>("2.0", 1, "Ana").unwrap();
        ws.set_field::<Release>(&release, "target", FieldInput::Value("2026-05-15"), 2).unwrap();
        let today = Date::parse("2026-01-10").unwrap();
        let sprint = ws.create_item::<Stage>("Sprint 14", 1, "Ana").unwrap();
        ws.set_field::<Stage>(&sprint, "kind", FieldInput::Value("iteration"), 2).unwrap();
        ws.set_field::<Stage>(&sprint, "start", FieldInput::Value("2026-05-04"), 2).unwrap();
        ws.set_field::<Stage>(&sprint, "end", FieldInput::Value("2026-05-15"), 2).unwrap();
        let t = lay_out(&ws.items::<Feature>().0, &ws.items::<Release>().0, &ws.items::<Stage>().0, &ws.link_index(), today, Frame::new(Zoom::Month, 0.0));
        assert_eq!(t.bars.len(), 2);
        assert_eq!(t.undated, vec![(later, "Someday".to_owned())]);
        let (a, b) = (&t.bars[0], &t.bars[1]);
        assert_eq!(a.id, api);
        assert!((a.width - 54.0 * 5.0).abs() < 1e-9, "54 days at 5 px: {}", a.width);
        assert_eq!(t.day_at(b.x), Date::parse("2026-02-16").unwrap().days());
        assert_eq!(t.arrows.len(), 1);
        assert!(t.arrows[0].violated && b.clash && !a.clash);
        assert_eq!(t.milestones[0].name, "2.0");
        assert_eq!((t.bands[0].name.as_str(), t.bands[0].width), ("Sprint 14", 12.0 * 5.0));
        let svg = to_svg(&t, &LIGHT, "Payments timeline");
        assert!(svg.contains("Sync &lt;API&gt;") && !svg.contains("<API>"), "titles are escaped");
        assert!(svg.contains("arrow-bad") && svg.contains("Today") && svg.contains("Feb 2026") && svg.contains("Iteration Sprint 14, 4 May 2026 to 15 May 2026"));
    }

    #[test]
    fn the_board_drawing_has_every_column_and_card_and_escapes_titles() {
        let ws = crate::fixtures::roadmap_workspace(9);
        let features = ws.items::<Feature>().0;
        let names = ws.items::<Release>().0.iter().filter_map(|r| Some((r.id()?.clone(), r.title()))).collect();
        let (svg, w, h) = board_svg(&features, &names, &ws.link_index(), &LIGHT, "Payments <roadmap>");
        assert!(w > 900.0 && h > 64.0 * 3.0, "{w} × {h}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Now (3)") && svg.contains("Next (3)") && svg.contains("Later (3)"), "{svg}");
        assert!(svg.contains("Payments &lt;roadmap&gt;") && svg.contains("Release 1.0") && svg.contains(">Blocked<"));
        assert_eq!(svg.matches("rx=\"6\"").count(), 9);
    }

    #[test]
    fn a_moved_bar_redraws_itself_and_the_arrows_it_draws_but_nothing_else() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let mut ids = Vec::new();
        for (title, start, target) in [("Ledger", "2026-01-05", "2026-01-30"), ("Payouts", "2026-03-02", "2026-03-27"), ("Refunds", "2026-05-04", "2026-05-29")] {
            let id = ws.create_item::<Feature>(title, 1, "Ana").unwrap();
            ws.set_field::<Feature>(&id, "start", FieldInput::Value(start), 2).unwrap();
            ws.set_field::<Feature>(&id, "target", FieldInput::Value(target), 2).unwrap();
            ids.push(id);
        }
        ws.link(&Ref::new(FEATURES, ids[0].clone()), Relation::Blocks, &Ref::new(FEATURES, ids[1].clone()), 3).unwrap();
        let today = Date::parse("2026-01-10").unwrap();
        let draw = |ws: &Workspace| svg_bars(&lay_out(&ws.items::<Feature>().0, &[], &[], &ws.link_index(), today, Frame::new(Zoom::Month, 0.0)), &LIGHT);
        let before = draw(&ws);
        assert!(before[1].arrows.contains("marker-end") && before[0].arrows.is_empty(), "the arrow is drawn with the bar it points to");
        // The last bar a day later: only it changes.
        ws.set_field::<Feature>(&ids[2], "target", FieldInput::Value("2026-05-30"), 4).unwrap();
        let after = draw(&ws);
        let changed: Vec<usize> = (0..3).filter(|i| before[*i] != after[*i]).collect();
        assert_eq!(changed, vec![2]);
        // The blocker a day later: it and the arrow it starts change, the third does not.
        ws.set_field::<Feature>(&ids[0], "target", FieldInput::Value("2026-01-31"), 5).unwrap();
        let later = draw(&ws);
        assert!(later[0].bar != after[0].bar && later[1].arrows != after[1].arrows && later[1].bar == after[1].bar && later[2] == after[2]);
        // Everything together is the export.
        let t = lay_out(&ws.items::<Feature>().0, &[], &[], &ws.link_index(), today, Frame::new(Zoom::Month, 0.0));
        let whole = to_svg(&t, &LIGHT, "Plan");
        assert!(later.iter().all(|b| whole.contains(&b.bar) && whole.contains(&b.arrows)) && whole.contains(&svg_backdrop(&t, &LIGHT)));
    }

    #[test]
    fn a_narrow_frame_keeps_titles_short_and_drags_still_land_on_their_day() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let f = ws.create_item::<Feature>("Reconcile every payout with the bank statement", 1, "Ana").unwrap();
        ws.set_field::<Feature>(&f, "start", FieldInput::Value("2026-02-02"), 2).unwrap();
        ws.set_field::<Feature>(&f, "target", FieldInput::Value("2026-02-20"), 2).unwrap();
        let frame = Frame { label_width: NARROW_LABEL_WIDTH, ..Frame::new(Zoom::Month, 300.0) };
        let t = lay_out(&ws.items::<Feature>().0, &[], &[], &ws.link_index(), Date::parse("2026-02-01").unwrap(), frame);
        assert_eq!(t.day_at(t.bars[0].x), Date::parse("2026-02-02").unwrap().days());
        assert!(t.bars[0].x < LABEL_WIDTH, "the chart starts right of the narrow column: {}", t.bars[0].x);
        let bar = &svg_bars(&t, &LIGHT)[0].bar;
        assert!(bar.contains(">Reconcile eve…</text>"), "{bar}");
        assert!(bar.contains("aria-label=\"Reconcile every payout with the bank statement, 2 Feb 2026"), "the full title is still said");
    }

    #[test]
    fn fit_all_puts_everything_in_the_width() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let f = ws.create_item::<Feature>("Long", 1, "Ana").unwrap();
        ws.set_field::<Feature>(&f, "start", FieldInput::Value("2026-01-01"), 2).unwrap();
        ws.set_field::<Feature>(&f, "target", FieldInput::Value("2027-12-31"), 2).unwrap();
        let t = lay_out(&ws.items::<Feature>().0, &[], &[], &ws.link_index(), Date::parse("2026-06-01").unwrap(), Frame::new(Zoom::Fit { width: 1000.0 }, 1000.0));
        assert!((t.width - LABEL_WIDTH - 1000.0).abs() < 1.0, "{}", t.width);
        assert!(t.ticks.iter().any(|(_, l)| l == "Q1 2027"), "{:?}", t.ticks);
    }
}
