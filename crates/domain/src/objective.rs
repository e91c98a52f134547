//! Objectives, key results and KPIs: one kind, told apart by its level. A KPI or key
//! result has a unit, a baseline, a target and measurements over time; its standing
//! (progress, where a straight line says it should be today, on track or not, a 0–1
//! grade and its band) comes from [`crate::measure`]. A key result is part of an
//! objective (a link), and the objective's grade is the mean of its key results'. One
//! KPI may be the workspace's north-star metric. Features serve objectives and KPIs.

use crate::date::Date;
use crate::kind::{FieldSpec, FieldType, FieldValue, Fields, Kind, Meta, Point, MAX_MEASURE};
use crate::link::{Link, Ref, Relation};
use crate::measure::{expected_progress, on_track, Band, Reading};
use crate::schema::OBJECTIVES;
use crate::Id;

pub const LEVEL: &[(&str, &str)] = &[("objective", "Objective"), ("key_result", "Key result"), ("kpi", "KPI"), ("north_star", "North-star metric")];

/// The fields only a measured level has.
const MEASURED_ONLY: &[&str] = &["unit", "baseline", "target", "measurements"];

/// An objective, key result or KPI as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Objective {
    pub meta: Meta,
    pub name: String,
    /// Unset reads as a KPI.
    #[serde(deserialize_with = "crate::keys::option")]
    pub level: Option<crate::keys::Key>,
    pub description: String,
    pub owner: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub start: Option<Date>,
    pub due: Option<Date>,
    /// Oldest first.
    pub measurements: Vec<Point>,
    /// The objective a key result is part of.
    pub part_of: Option<Id>,
}

/// Where a KPI or key result stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standing {
    /// The latest measurement.
    pub current: Point,
    pub baseline: f64,
    pub target: f64,
    /// (current − baseline) ÷ (target − baseline).
    pub progress: f64,
    /// The progress clamped to 0–1, and its band.
    pub grade: f64,
    pub band: Band,
    /// Where a straight line from the start (or the first measurement) to the due date
    /// says progress should be today, and whether progress is there; none without a
    /// due date.
    pub expected: Option<Expected>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expected {
    /// 0–1.
    pub progress: f64,
    /// baseline + (target − baseline) × expected progress, in the KPI's unit.
    pub value: f64,
    pub from: Date,
    pub due: Date,
    pub on_track: bool,
}

/// An objective's grade from its key results.
#[derive(Clone, Debug, PartialEq)]
pub struct Rollup {
    /// The mean of the graded key results' grades.
    pub grade: Option<f64>,
    /// Each key result with its standing on the day (none until it can be graded).
    pub key_results: Vec<(Objective, Option<Standing>)>,
}

impl Objective {
    /// Whether it is measured (a KPI, key result or north star; not an objective).
    pub fn is_measured(&self) -> bool {
        self.level != Some("objective")
    }

    pub fn level_label(&self) -> &'static str {
        crate::kind::choice_label(LEVEL, self.level.unwrap_or("kpi"))
    }

    /// The latest measurement.
    pub fn current(&self) -> Option<Point> {
        self.measurements.last().copied()
    }

    /// Where it stands on `today`: none until it is measured, with a baseline and a
    /// target that differ.
    pub fn standing(&self, today: Date) -> Option<Standing> {
        let (baseline, target, current) = (self.baseline?, self.target?, self.current()?);
        let reading = Reading { baseline, target, current: current.value };
        let progress = reading.progress()?;
        let grade = reading.grade()?;
        let from = self.start.or(self.measurements.first().map(|p| p.date));
        let expected = match (from, self.due) {
            (Some(from), Some(due)) => {
                let share = expected_progress(today.days() - from.days(), due.days() - from.days());
                Some(Expected { progress: share, value: baseline + (target - baseline) * share, from, due, on_track: on_track(progress, share) })
            }
            _ => None,
        };
        Some(Standing { current, baseline, target, progress, grade, band: Band::of(grade), expected })
    }

    /// An objective's key results among `all` and its grade on `today`.
    pub fn rollup(&self, all: &[Objective], today: Date) -> Rollup {
        let me = self.meta.id.as_ref();
        let key_results: Vec<(Objective, Option<Standing>)> = all
            .iter()
            .filter(|o| !o.is_deleted() && o.is_measured() && o.part_of.as_ref().is_some_and(|p| Some(p) == me))
            .map(|o| (o.clone(), o.standing(today)))
            .collect();
        let grades: Vec<(f64, Option<f64>)> = key_results.iter().filter_map(|(_, s)| s.map(|s| (s.grade, None))).collect();
        Rollup { grade: crate::measure::objective_grade(&grades), key_results }
    }

    /// Its measurements as a chart: the target (and the baseline) across, and the
    /// straight line from the baseline at the start to the target on the due date.
    pub fn chart(&self) -> crate::chart::LineChart {
        use crate::chart::{Guide, LineChart};
        let mut guides = Vec::new();
        if let Some(target) = self.target {
            guides.push(Guide { label: "Target", value: target, strong: true });
        }
        if let Some(baseline) = self.baseline {
            guides.push(Guide { label: "Baseline", value: baseline, strong: false });
        }
        let from = self.start.or(self.measurements.first().map(|p| p.date));
        let expected = match (from, self.due, self.baseline, self.target) {
            (Some(from), Some(due), Some(b), Some(t)) if due > from => Some((Point { date: from, value: b }, Point { date: due, value: t })),
            _ => None,
        };
        LineChart { guides, expected, ..LineChart::new(self.title(), self.unit.trim(), self.measurements.clone()) }
    }

    /// "420 teams".
    pub fn with_unit(&self, value: f64) -> String {
        crate::format::with_unit(value, &self.unit)
    }
}

impl Kind for Objective {
    const COLLECTION: &'static str = OBJECTIVES;
    const SINGULAR: &'static str = "Objective or KPI";
    const PLURAL: &'static str = "Objectives & KPIs";
    const ABOUT: &'static str = "Say what success looks like and watch it move: objectives with their key results, KPIs with a baseline, a target and measurements over time, and whether each is on track.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "name", label: "Name", ty: FieldType::Line, placeholder: "Weekly active teams" },
        FieldSpec { key: "level", label: "Level", ty: FieldType::Choice(LEVEL), placeholder: "" },
        FieldSpec { key: "description", label: "Description", ty: FieldType::Text, placeholder: "What it counts, where the figure comes from" },
        FieldSpec { key: "owner", label: "Owner", ty: FieldType::Line, placeholder: "Ana" },
        FieldSpec { key: "unit", label: "Unit", ty: FieldType::Line, placeholder: "teams" },
        FieldSpec { key: "baseline", label: "Baseline", ty: FieldType::Number { min: -MAX_MEASURE, max: MAX_MEASURE, unit: "" }, placeholder: "" },
        FieldSpec { key: "target", label: "Target", ty: FieldType::Number { min: -MAX_MEASURE, max: MAX_MEASURE, unit: "" }, placeholder: "" },
        FieldSpec { key: "start", label: "Start", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "due", label: "Due", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "measurements", label: "Measurements", ty: FieldType::Series, placeholder: "" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Objective {
            meta: Meta::default(),
            name: f.text("name"),
            level: f.choice("level", LEVEL),
            description: f.text("description"),
            owner: f.text("owner"),
            unit: f.text("unit"),
            baseline: f.number("baseline", -MAX_MEASURE, MAX_MEASURE),
            target: f.number("target", -MAX_MEASURE, MAX_MEASURE),
            start: f.date("start"),
            due: f.date("due"),
            measurements: f.series("measurements"),
            part_of: None,
        }
    }

    fn read_links(&mut self, links: &[Link]) {
        self.part_of = links.iter().find(|l| l.relation == Relation::PartOf && l.to.collection == OBJECTIVES).map(|l| l.to.id.clone());
    }

    fn shows(&self, key: &str) -> bool {
        self.is_measured() || !MEASURED_ONLY.contains(&key)
    }

    fn headline(&self) -> Option<(String, &'static str)> {
        if !self.is_measured() {
            return None;
        }
        let current = self.current()?;
        let reading = Reading { baseline: self.baseline?, target: self.target?, current: current.value };
        let grade = reading.grade()?;
        let band = Band::of(grade);
        Some((format!("{} · {:.0} % of the way", self.with_unit(current.value), reading.progress()? * 100.0), band_style(band)))
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "name" => FieldValue::Text(self.name.clone()),
            "level" => FieldValue::Choice(self.level),
            "description" => FieldValue::Text(self.description.clone()),
            "owner" => FieldValue::Text(self.owner.clone()),
            "unit" => FieldValue::Text(self.unit.clone()),
            "baseline" => FieldValue::Number(self.baseline),
            "target" => FieldValue::Number(self.target),
            "start" => FieldValue::Date(self.start),
            "due" => FieldValue::Date(self.due),
            _ => FieldValue::Series(self.measurements.clone()),
        }
    }
}

/// The workspace's north-star metric: the first live one made (a second one is shown as
/// a KPI's level, never as the north star).
pub fn north_star(all: &[Objective]) -> Option<&Objective> {
    all.iter().filter(|o| !o.is_deleted() && o.level == Some("north_star")).min_by_key(|o| (o.meta.created_at, o.meta.id.clone()))
}

/// The style name of a band: `low` (green), `medium` (amber), `high` (red), as risks'.
pub fn band_style(band: Band) -> &'static str {
    match band {
        Band::Green => "low",
        Band::Amber => "medium",
        Band::Red => "high",
    }
}

/// "Green", "Amber", "Red".
pub fn band_label(band: Band) -> &'static str {
    match band {
        Band::Green => "Green",
        Band::Amber => "Amber",
        Band::Red => "Red",
    }
}

/// A link making `key_result` part of `objective`.
pub fn part_of(key_result: &Id, objective: &Id) -> (Ref, Relation, Ref) {
    (Ref::new(OBJECTIVES, key_result.clone()), Relation::PartOf, Ref::new(OBJECTIVES, objective.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::Workspace;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn measure(ws: &mut Workspace, id: &Id, points: &[(&str, f64)]) {
        let points: Vec<(Date, Option<f64>)> = points.iter().map(|(d, v)| (day(d), Some(*v))).collect();
        ws.set_field::<Objective>(id, "measurements", FieldInput::Points(&points), 5).unwrap();
    }

    fn kpi(ws: &mut Workspace, name: &str, fields: &[(&str, &str)]) -> Id {
        let id = ws.create_item::<Objective>(name, 1, "Ana").unwrap();
        for (key, value) in fields {
            ws.set_field::<Objective>(&id, key, FieldInput::Value(value), 2).unwrap();
        }
        id
    }

    #[test]
    fn progress_and_on_track_follow_domain_md() {
        // Weekly active teams from 300 to 500 over the quarter; on 1 Nov (31 of 92 days
        // in) 420 is 60 % of the way, ahead of the straight line's 33.7 %.
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = kpi(&mut ws, "Weekly active teams", &[("unit", "teams"), ("baseline", "300"), ("target", "500"), ("start", "2026-10-01"), ("due", "2027-01-01")]);
        measure(&mut ws, &id, &[("2026-10-15", 350.0), ("2026-11-01", 420.0), ("2026-10-01", 300.0)]);
        let k = Workspace::load(&ws.save()).unwrap().item::<Objective>(&id).unwrap().0;
        assert_eq!(k.measurements.iter().map(|p| p.date.to_string()).collect::<Vec<_>>(), ["2026-10-01", "2026-10-15", "2026-11-01"]);
        let s = k.standing(day("2026-11-01")).unwrap();
        assert_eq!((s.current.value, s.progress, s.grade, s.band), (420.0, 0.6, 0.6, Band::Amber));
        let e = s.expected.unwrap();
        assert!((e.progress - 31.0 / 92.0).abs() < 1e-12 && e.on_track, "{e:?}");
        assert!((e.value - (300.0 + 200.0 * 31.0 / 92.0)).abs() < 1e-9);
        assert_eq!(k.headline(), Some(("420 teams · 60 % of the way".to_owned(), "medium")));
        let chart = k.chart();
        assert_eq!((chart.points.len(), chart.guides.len()), (3, 2));
        assert_eq!(chart.expected.map(|(a, b)| (a.value, b.date.to_string())), Some((300.0, "2027-01-01".to_owned())));
        // Late in the quarter the same figure is behind the line.
        assert!(!k.standing(day("2026-12-20")).unwrap().expected.unwrap().on_track);
    }

    #[test]
    fn lower_is_better_works_the_same_way() {
        // Churn from 5 % down to 3 %: at 3.5 % it is 75 % of the way, green.
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = kpi(&mut ws, "Monthly churn", &[("unit", "%"), ("baseline", "5"), ("target", "3")]);
        measure(&mut ws, &id, &[("2026-11-01", 3.5)]);
        let s = ws.item::<Objective>(&id).unwrap().0.standing(day("2026-11-02")).unwrap();
        assert_eq!((s.progress, s.band, s.expected), (0.75, Band::Green, None));
        assert_eq!(ws.item::<Objective>(&id).unwrap().0.with_unit(3.5), "3.5 %");
    }

    #[test]
    fn an_objective_grades_as_the_mean_of_its_key_results() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let objective = kpi(&mut ws, "Teams pay on time", &[("level", "objective")]);
        let a = kpi(&mut ws, "On-time invoices", &[("level", "key_result"), ("baseline", "0"), ("target", "100")]);
        let b = kpi(&mut ws, "Reminder opens", &[("level", "key_result"), ("baseline", "0"), ("target", "10")]);
        let unmeasured = kpi(&mut ws, "NPS", &[("level", "key_result")]);
        let elsewhere = kpi(&mut ws, "Signups", &[("baseline", "0"), ("target", "10")]);
        measure(&mut ws, &a, &[("2026-11-01", 90.0)]);
        measure(&mut ws, &b, &[("2026-11-01", 14.0)]); // past the target: graded 1
        measure(&mut ws, &elsewhere, &[("2026-11-01", 1.0)]);
        for kr in [&a, &b, &unmeasured] {
            let (from, relation, to) = part_of(kr, &objective);
            ws.link(&from, relation, &to, 3).unwrap();
        }
        let all = ws.items::<Objective>().0;
        let o = all.iter().find(|o| o.meta.id.as_ref() == Some(&objective)).unwrap();
        let r = o.rollup(&all, day("2026-11-02"));
        assert_eq!(r.key_results.len(), 3);
        assert!((r.grade.unwrap() - 0.95).abs() < 1e-12, "{:?}", r.grade);
        assert!(!o.shows("measurements") && o.shows("due"), "an objective is not measured itself");
        assert_eq!(o.headline(), None);
    }

    #[test]
    fn bad_points_are_refused_and_a_day_holds_one_value() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = kpi(&mut ws, "Signups", &[]);
        let bad = [(day("2026-11-01"), Some(f64::NAN))];
        assert!(ws.set_field::<Objective>(&id, "measurements", FieldInput::Points(&bad), 2).is_err());
        let huge = [(day("2026-11-01"), Some(2e15))];
        assert!(ws.set_field::<Objective>(&id, "measurements", FieldInput::Points(&huge), 2).is_err());
        measure(&mut ws, &id, &[("2026-11-01", 10.0)]);
        measure(&mut ws, &id, &[("2026-11-01", 12.0)]);
        let gone = [(day("2026-11-01"), None)];
        assert_eq!(ws.item::<Objective>(&id).unwrap().0.measurements, vec![Point { date: day("2026-11-01"), value: 12.0 }]);
        ws.set_field::<Objective>(&id, "measurements", FieldInput::Points(&gone), 3).unwrap();
        assert!(ws.item::<Objective>(&id).unwrap().0.measurements.is_empty());
    }

    #[test]
    fn two_people_measuring_different_days_keep_both() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = kpi(&mut ws, "Signups", &[]);
        ws.commit();
        let mut peer = ws.fork();
        measure(&mut ws, &id, &[("2026-11-01", 10.0)]);
        measure(&mut peer, &id, &[("2026-11-08", 14.0)]);
        ws.apply(&peer.save_incremental()).unwrap();
        assert_eq!(ws.item::<Objective>(&id).unwrap().0.measurements.len(), 2);
    }
}
