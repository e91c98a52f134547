//! Costs against budget. A cost entry is money spent (a date, an amount, a category, a
//! note) on a feature or a release. Against the business case's budget and the
//! features' cost estimates and dates, [`Spend`] gives what a finance partner asks for:
//! planned and actual cost, what remains, the forecast at completion, and the earned
//! value figures behind it ([`crate::measure::EarnedValue`]), each with its inputs.

use std::collections::BTreeMap;

use crate::date::Date;
use crate::feature::Feature;
use crate::kind::{FieldSpec, FieldType, FieldValue, Fields, Kind, Meta, Point};
use crate::link::{Link, Ref, Relation};
use crate::measure::EarnedValue;
use crate::schema::COSTS;

pub const CATEGORY: &[(&str, &str)] = &[("people", "People"), ("tooling", "Tooling"), ("vendor", "Vendor"), ("other", "Other")];

/// The largest amount one entry holds.
pub const MAX_AMOUNT: f64 = 1e12;

/// A cost entry as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cost {
    pub meta: Meta,
    /// What was paid for ("Contractor, October").
    pub title: String,
    pub date: Option<Date>,
    pub amount: Option<f64>,
    #[serde(deserialize_with = "crate::keys::option")]
    pub category: Option<crate::keys::Key>,
    pub note: String,
    /// The feature or release it was spent on.
    pub spent_on: Option<Ref>,
}

impl Kind for Cost {
    const COLLECTION: &'static str = COSTS;
    const SINGULAR: &'static str = "Cost";
    const PLURAL: &'static str = "Costs";
    const ABOUT: &'static str = "Record what the work really costs, and watch it against the business case's budget: planned and actual spend, what remains, and the forecast at completion.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "title", label: "What for", ty: FieldType::Line, placeholder: "Contractor, October" },
        FieldSpec { key: "date", label: "Date", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "amount", label: "Amount", ty: FieldType::Number { min: 0.0, max: MAX_AMOUNT, unit: "" }, placeholder: "" },
        FieldSpec { key: "category", label: "Category", ty: FieldType::Choice(CATEGORY), placeholder: "" },
        FieldSpec { key: "note", label: "Note", ty: FieldType::Text, placeholder: "Invoice number, who approved it" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Cost {
            meta: Meta::default(),
            title: f.text("title"),
            date: f.date("date"),
            amount: f.number("amount", 0.0, MAX_AMOUNT),
            category: f.choice("category", CATEGORY),
            note: f.text("note"),
            spent_on: None,
        }
    }

    fn read_links(&mut self, links: &[Link]) {
        self.spent_on = links.iter().find(|l| l.relation == Relation::SpentOn).map(|l| l.to.clone());
    }

    fn headline(&self) -> Option<(String, &'static str)> {
        self.amount.map(|a| (crate::format::measure(a), "amount"))
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "title" => FieldValue::Text(self.title.clone()),
            "date" => FieldValue::Date(self.date),
            "amount" => FieldValue::Number(self.amount),
            "category" => FieldValue::Choice(self.category),
            _ => FieldValue::Text(self.note.clone()),
        }
    }
}

/// Spend against the budget on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct Spend {
    /// The business case's budget (budget at completion), if set.
    pub budget: Option<f64>,
    /// The features' cost estimates added up, and how many features have one.
    pub planned: f64,
    pub estimated_features: usize,
    /// Every entry dated up to the day, added up (actual cost).
    pub actual: f64,
    /// Entries dated after the day, or with no date or amount: left out of `actual`.
    pub left_out: usize,
    /// Share of the estimated cost that the features' dates say should be done by the
    /// day (each feature's estimate spread evenly from its start to its target).
    pub planned_done: f64,
    /// Share of the estimated cost in features that are done.
    pub actually_done: f64,
    /// Estimated features without a start or target date: counted as not yet due.
    pub undated: usize,
    /// The running total of actual spend, a point a day with entries.
    pub cumulative: Vec<Point>,
    /// Actual spend by category key, largest first.
    pub by_category: Vec<(&'static str, f64)>,
}

impl Spend {
    /// Reads the live costs and features on `today`.
    pub fn on(costs: &[Cost], features: &[Feature], budget: Option<f64>, today: Date) -> Spend {
        let mut by_day: BTreeMap<Date, f64> = BTreeMap::new();
        let mut categories: BTreeMap<&'static str, f64> = BTreeMap::new();
        let mut left_out = 0;
        for c in costs.iter().filter(|c| !c.is_deleted()) {
            match (c.date, c.amount) {
                (Some(d), Some(a)) if d <= today => {
                    *by_day.entry(d).or_default() += a;
                    *categories.entry(c.category.unwrap_or("other")).or_default() += a;
                }
                _ => left_out += 1,
            }
        }
        let mut running = 0.0;
        let cumulative = by_day
            .into_iter()
            .map(|(date, a)| {
                running += a;
                Point { date, value: running }
            })
            .collect();
        let mut by_category: Vec<(&'static str, f64)> = categories.into_iter().collect();
        crate::sort::sort_by(&mut by_category, |a, b| b.1.total_cmp(&a.1));
        let estimated: Vec<&Feature> = features.iter().filter(|f| !f.is_deleted() && f.cost.is_some_and(|c| c > 0.0)).collect();
        let planned: f64 = estimated.iter().filter_map(|f| f.cost).sum();
        let (mut due, mut done) = (0.0, 0.0);
        for f in &estimated {
            let cost = f.cost.unwrap_or(0.0);
            due += cost * scheduled_share(f.start, f.target, today);
            if f.is_done() {
                done += cost;
            }
        }
        let share = |x: f64| if planned > 0.0 { x / planned } else { 0.0 };
        Spend {
            budget,
            planned,
            estimated_features: estimated.len(),
            actual: running,
            left_out,
            planned_done: share(due),
            actually_done: share(done),
            undated: estimated.iter().filter(|f| f.start.is_none() || f.target.is_none()).count(),
            cumulative,
            by_category,
        }
    }

    /// Remaining budget: budget − actual.
    pub fn remaining(&self) -> Option<f64> {
        self.budget.map(|b| b - self.actual)
    }

    /// The business case's ROI with the planned cost (its budget): (benefit − budget) ÷
    /// budget.
    pub fn roi_planned(&self, benefit: Option<f64>) -> Option<f64> {
        crate::brief::roi(benefit?, self.budget?)
    }

    /// The same with the forecast cost at completion: (benefit − EAC) ÷ EAC.
    pub fn roi_forecast(&self, benefit: Option<f64>) -> Option<f64> {
        crate::brief::roi(benefit?, self.earned_value()?.eac()?)
    }

    /// The earned value figures, once there is a budget and some estimated work.
    pub fn earned_value(&self) -> Option<EarnedValue> {
        let budget = self.budget.filter(|b| *b > 0.0)?;
        (self.planned > 0.0).then(|| EarnedValue::new(budget, self.planned_done, self.actually_done, self.actual))
    }
}

/// How much of a feature's schedule has passed on `today` (0–1): none before its start,
/// all after its target; a feature missing a date counts as not started.
fn scheduled_share(start: Option<Date>, target: Option<Date>, today: Date) -> f64 {
    match (start, target) {
        (Some(s), Some(t)) if t > s => ((today.days() - s.days()) as f64 / (t.days() - s.days()) as f64).clamp(0.0, 1.0),
        (_, Some(t)) if today >= t => 1.0,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::schema::FEATURES;
    use crate::Workspace;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn set<K: Kind>(ws: &mut Workspace, id: &crate::Id, fields: &[(&str, &str)]) {
        for (key, value) in fields {
            ws.set_field::<K>(id, key, FieldInput::Value(value), 2).unwrap();
        }
    }

    #[test]
    fn spend_against_budget_with_a_forecast_at_completion() {
        // Budget 100,000. Two features estimated 40,000 (done) and 60,000 (half its
        // schedule gone on 1 Nov). Spent 50,000 by 1 Nov; 9,000 more dated later.
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let done = ws.create_item::<Feature>("Reminders", 1, "Ana").unwrap();
        set::<Feature>(&mut ws, &done, &[("cost", "40000"), ("status", "done"), ("start", "2026-09-01"), ("target", "2026-10-01")]);
        let half = ws.create_item::<Feature>("Offline mode", 1, "Ana").unwrap();
        set::<Feature>(&mut ws, &half, &[("cost", "60000"), ("start", "2026-10-01"), ("target", "2026-12-01")]);
        for (title, date, amount, category) in [("Contractor", "2026-09-15", "30000", "people"), ("Licences", "2026-10-20", "20000", "tooling"), ("Agency", "2026-11-20", "9000", "vendor")] {
            let id = ws.create_item::<Cost>(title, 1, "Ana").unwrap();
            set::<Cost>(&mut ws, &id, &[("date", date), ("amount", amount), ("category", category)]);
            if title == "Contractor" {
                ws.link(&Ref::new(COSTS, id.clone()), Relation::SpentOn, &Ref::new(FEATURES, done.clone()), 3).unwrap();
            }
        }
        let costs = ws.items::<Cost>().0;
        assert_eq!(costs.iter().find(|c| c.title == "Contractor").unwrap().spent_on, Some(Ref::new(FEATURES, done.clone())));
        let s = Spend::on(&costs, &ws.items::<Feature>().0, Some(100_000.0), day("2026-11-01"));
        assert_eq!((s.planned, s.estimated_features, s.actual, s.left_out, s.undated), (100_000.0, 2, 50_000.0, 1, 0));
        assert_eq!(s.remaining(), Some(50_000.0));
        assert_eq!(s.cumulative, vec![Point { date: day("2026-09-15"), value: 30_000.0 }, Point { date: day("2026-10-20"), value: 50_000.0 }]);
        assert_eq!(s.by_category, vec![("people", 30_000.0), ("tooling", 20_000.0)]);
        // Planned done: 40,000 + 60,000 × 31/61 days; actually done: 40,000 of 100,000.
        let planned_done = (40_000.0 + 60_000.0 * 31.0 / 61.0) / 100_000.0;
        assert!((s.planned_done - planned_done).abs() < 1e-12 && s.actually_done == 0.4, "{s:?}");
        let ev = s.earned_value().unwrap();
        assert_eq!((ev.ev, ev.ac, ev.cv()), (40_000.0, 50_000.0, -10_000.0));
        // CPI 0.8: at this rate the whole costs 125,000, 25,000 over budget.
        assert_eq!((ev.cpi(), ev.eac(), ev.vac()), (Some(0.8), Some(125_000.0), Some(-25_000.0)));
        // A benefit of 250,000: ROI 150 % as planned, 100 % at the forecast cost.
        assert_eq!((s.roi_planned(Some(250_000.0)), s.roi_forecast(Some(250_000.0))), (Some(1.5), Some(1.0)));
    }

    #[test]
    fn no_budget_or_no_estimate_gives_no_forecast() {
        let s = Spend::on(&[], &[], None, day("2026-11-01"));
        assert_eq!((s.remaining(), s.earned_value()), (None, None));
        let s = Spend::on(&[], &[], Some(1000.0), day("2026-11-01"));
        assert_eq!((s.remaining(), s.earned_value()), (Some(1000.0), None));
        assert_eq!(scheduled_share(None, Some(day("2026-10-01")), day("2026-11-01")), 1.0);
        assert_eq!(scheduled_share(Some(day("2026-12-01")), Some(day("2027-01-01")), day("2026-11-01")), 0.0);
    }
}
