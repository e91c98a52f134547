//! Experiments: a hypothesis ("we believe … we will know when …"), a metric, variants
//! (the first is the control) with their visitors and conversions, dates, a status and
//! a decision with its reason. Each variant is compared with the control by
//! [`crate::verdict::compare`]; the planner says how many visitors each arm needs
//! ([`crate::verdict::sample_size`]) and whether a verdict is being read too early.

use crate::kind::{CountRow, FieldSpec, FieldType, FieldValue, Fields, Kind, Meta};
use crate::link::{Link, Ref, Relation};
use crate::verdict::{compare, sample_size, Arm, Comparison, NoVerdict};

pub const STATUS: &[(&str, &str)] = &[("planned", "Planned"), ("running", "Running"), ("analysing", "Analysing"), ("decided", "Decided")];

pub const DECISION: &[(&str, &str)] = &[("ship", "Ship"), ("iterate", "Iterate"), ("stop", "Stop")];

pub const POWER: &[(&str, &str)] = &[("80", "80 %"), ("90", "90 %")];

pub const SIGNIFICANCE: &[(&str, &str)] = &[("0.05", "5 %"), ("0.01", "1 %"), ("0.1", "10 %")];

/// The columns of a variant.
pub const VARIANT_COLUMNS: &[(&str, &str)] = &[("visitors", "Visitors"), ("conversions", "Conversions")];

/// An experiment as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Experiment {
    pub meta: Meta,
    pub title: String,
    #[serde(deserialize_with = "crate::keys::option")]
    pub status: Option<crate::keys::Key>,
    /// "We believe …".
    pub hypothesis: String,
    /// "We will know when …".
    pub success_signal: String,
    pub metric: String,
    pub start: Option<crate::Date>,
    pub end: Option<crate::Date>,
    /// The control first, in the order added.
    pub variants: Vec<CountRow>,
    /// The planner's inputs: the control's conversion rate and the smallest change worth
    /// detecting, both in percent (points).
    pub baseline: Option<f64>,
    pub mde: Option<f64>,
    #[serde(deserialize_with = "crate::keys::option")]
    pub power: Option<crate::keys::Key>,
    #[serde(deserialize_with = "crate::keys::option")]
    pub significance: Option<crate::keys::Key>,
    #[serde(deserialize_with = "crate::keys::option")]
    pub decision: Option<crate::keys::Key>,
    pub reason: String,
    /// The ideas and features it tests.
    pub tests: Vec<Ref>,
}

/// Each variant against the control.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdicts {
    pub control: String,
    /// Each variant's name and its comparison (or why there is none).
    pub variants: Vec<(String, Result<Comparison, NoVerdict>)>,
    /// The significance chosen (5 % unless set).
    pub alpha: f64,
}

impl Verdicts {
    /// Several variants were each compared with the control: say so, and offer α ÷ k.
    pub fn bonferroni(&self) -> Option<(usize, f64)> {
        let k = self.variants.len();
        (k > 1).then(|| (k, self.alpha / k as f64))
    }
}

/// How many visitors each arm needs, and whether they are there yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub per_arm: u64,
    /// The same with α ÷ k, when several variants are compared.
    pub per_arm_corrected: Option<u64>,
    /// Arms below `per_arm`, with their visitors.
    pub short: Vec<(String, u64)>,
}

fn arm(row: &CountRow) -> Option<Arm> {
    Some(Arm { visitors: row.values.first().copied().flatten()?, conversions: row.values.get(1).copied().flatten()? })
}

impl Experiment {
    pub fn alpha(&self) -> f64 {
        self.significance.and_then(|s| s.parse().ok()).unwrap_or(0.05)
    }

    pub fn power_level(&self) -> f64 {
        self.power.and_then(|p| p.parse::<f64>().ok()).map_or(0.8, |p| p / 100.0)
    }

    /// Every variant against the control, once there are two or more variants.
    pub fn verdicts(&self) -> Option<Verdicts> {
        let (control, rest) = self.variants.split_first()?;
        if rest.is_empty() {
            return None;
        }
        let variants = rest
            .iter()
            .map(|v| {
                let result = match (arm(control), arm(v)) {
                    (Some(a), Some(b)) => compare(a, b),
                    _ => Err(NoVerdict::NoVisitors),
                };
                (v.name.clone(), result)
            })
            .collect();
        Some(Verdicts { control: control.name.clone(), variants, alpha: self.alpha() })
    }

    /// The planner, once the baseline and the minimum detectable effect are set.
    pub fn plan(&self) -> Option<Plan> {
        let p1 = self.baseline? / 100.0;
        let p2 = p1 + self.mde? / 100.0;
        let per_arm = sample_size(p1, p2, self.alpha(), self.power_level())?;
        let k = self.variants.len().saturating_sub(1);
        let per_arm_corrected = (k > 1).then(|| sample_size(p1, p2, self.alpha() / k as f64, self.power_level())).flatten();
        let short = self
            .variants
            .iter()
            .filter_map(|v| {
                let visitors = v.values.first().copied().flatten().unwrap_or(0);
                (visitors < per_arm).then(|| (v.name.clone(), visitors))
            })
            .collect();
        Some(Plan { per_arm, per_arm_corrected, short })
    }
}

impl Kind for Experiment {
    const COLLECTION: &'static str = crate::schema::EXPERIMENTS;
    const SINGULAR: &'static str = "Experiment";
    const PLURAL: &'static str = "Experiments";
    const ABOUT: &'static str = "Test a hypothesis before you build on it: variants with their visitors and conversions, a verdict from a two-proportion z-test, and how many visitors you need before reading it.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "title", label: "Title", ty: FieldType::Line, placeholder: "One-page checkout" },
        FieldSpec { key: "status", label: "Status", ty: FieldType::Choice(STATUS), placeholder: "" },
        FieldSpec { key: "hypothesis", label: "We believe", ty: FieldType::Text, placeholder: "a one-page checkout will get more people to pay" },
        FieldSpec { key: "success_signal", label: "We will know when", ty: FieldType::Text, placeholder: "checkout conversion rises by at least one point" },
        FieldSpec { key: "metric", label: "Metric", ty: FieldType::Line, placeholder: "Checkout conversion" },
        FieldSpec { key: "start", label: "Start", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "end", label: "End", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "variants", label: "Variants (the first is the control)", ty: FieldType::Counts(VARIANT_COLUMNS), placeholder: "Control" },
        FieldSpec { key: "baseline", label: "Baseline conversion", ty: FieldType::Number { min: 0.0, max: 100.0, unit: "%" }, placeholder: "" },
        FieldSpec { key: "mde", label: "Minimum detectable effect", ty: FieldType::Number { min: 0.0, max: 100.0, unit: "points" }, placeholder: "" },
        FieldSpec { key: "power", label: "Power", ty: FieldType::Choice(POWER), placeholder: "" },
        FieldSpec { key: "significance", label: "Significance", ty: FieldType::Choice(SIGNIFICANCE), placeholder: "" },
        FieldSpec { key: "decision", label: "Decision", ty: FieldType::Choice(DECISION), placeholder: "" },
        FieldSpec { key: "reason", label: "Why", ty: FieldType::Text, placeholder: "What the result and everything else you know say" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Experiment {
            meta: Meta::default(),
            title: f.text("title"),
            status: f.choice("status", STATUS),
            hypothesis: f.text("hypothesis"),
            success_signal: f.text("success_signal"),
            metric: f.text("metric"),
            start: f.date("start"),
            end: f.date("end"),
            variants: f.counts("variants", VARIANT_COLUMNS),
            baseline: f.number("baseline", 0.0, 100.0),
            mde: f.number("mde", 0.0, 100.0),
            power: f.choice("power", POWER),
            significance: f.choice("significance", SIGNIFICANCE),
            decision: f.choice("decision", DECISION),
            reason: f.text("reason"),
            tests: Vec::new(),
        }
    }

    fn read_links(&mut self, links: &[Link]) {
        self.tests = links.iter().filter(|l| l.relation == Relation::Tests).map(|l| l.to.clone()).collect();
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "title" => FieldValue::Text(self.title.clone()),
            "status" => FieldValue::Choice(self.status),
            "hypothesis" => FieldValue::Text(self.hypothesis.clone()),
            "success_signal" => FieldValue::Text(self.success_signal.clone()),
            "metric" => FieldValue::Text(self.metric.clone()),
            "start" => FieldValue::Date(self.start),
            "end" => FieldValue::Date(self.end),
            "variants" => FieldValue::Counts(self.variants.clone()),
            "baseline" => FieldValue::Number(self.baseline),
            "mde" => FieldValue::Number(self.mde),
            "power" => FieldValue::Choice(self.power),
            "significance" => FieldValue::Choice(self.significance),
            "decision" => FieldValue::Choice(self.decision),
            _ => FieldValue::Text(self.reason.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::Workspace;

    fn count(ws: &mut Workspace, id: &crate::Id, row: &str, column: &str, value: &str, at: i64) {
        ws.set_field::<Experiment>(id, "variants", FieldInput::Count { row, column, value }, at).unwrap();
    }

    #[test]
    fn variants_keep_their_order_and_give_domain_md_verdict() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Experiment>("One-page checkout", 1, "Ana").unwrap();
        // Added B first by id order but A first in time: the control is the first added.
        count(&mut ws, &id, "zz", "name", "Control", 2);
        count(&mut ws, &id, "aa", "name", "One page", 3);
        for (row, v, c) in [("zz", "5,000", "250"), ("aa", "5000", "295")] {
            count(&mut ws, &id, row, "visitors", v, 4);
            count(&mut ws, &id, row, "conversions", c, 4);
        }
        let e = Workspace::load(&ws.save()).unwrap().item::<Experiment>(&id).unwrap().0;
        assert_eq!(e.variants.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["Control", "One page"]);
        let v = e.verdicts().unwrap();
        let c = v.variants[0].1.as_ref().unwrap();
        assert!((c.z - 1.98).abs() < 0.005 && (c.p - 0.047).abs() < 0.001, "{c:?}");
        assert_eq!(v.bonferroni(), None, "one comparison");
        // A third arm: two comparisons, α ÷ 2 offered.
        count(&mut ws, &id, "mm", "name", "Two pages", 5);
        let e = ws.item::<Experiment>(&id).unwrap().0;
        let v = e.verdicts().unwrap();
        assert_eq!(v.bonferroni(), Some((2, 0.025)));
        assert_eq!(v.variants[1].1, Err(NoVerdict::NoVisitors));
        // Removing a row removes all of it.
        count(&mut ws, &id, "mm", "name", "", 6);
        assert_eq!(ws.item::<Experiment>(&id).unwrap().0.variants.len(), 2);
    }

    #[test]
    fn the_planner_says_what_each_arm_needs_and_who_is_short() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Experiment>("Trial length", 1, "Ana").unwrap();
        for (key, value) in [("baseline", "10"), ("mde", "2")] {
            ws.set_field::<Experiment>(&id, key, FieldInput::Value(value), 2).unwrap();
        }
        count(&mut ws, &id, "a", "name", "Control", 3);
        count(&mut ws, &id, "a", "visitors", "4000", 3);
        count(&mut ws, &id, "b", "name", "30 days", 4);
        count(&mut ws, &id, "b", "visitors", "1200", 4);
        let plan = ws.item::<Experiment>(&id).unwrap().0.plan().unwrap();
        assert_eq!((plan.per_arm, plan.per_arm_corrected), (3841, None));
        assert_eq!(plan.short, vec![("30 days".to_owned(), 1200)]);
        ws.set_field::<Experiment>(&id, "power", FieldInput::Value("90"), 5).unwrap();
        assert_eq!(ws.item::<Experiment>(&id).unwrap().0.plan().unwrap().per_arm, 5142);
    }

    #[test]
    fn bad_cells_are_refused() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Experiment>("X", 1, "Ana").unwrap();
        let set = |ws: &mut Workspace, row: &str, column: &str, value: &str| ws.set_field::<Experiment>(&id, "variants", FieldInput::Count { row, column, value }, 2);
        assert!(set(&mut ws, "a", "visitors", "-3").is_err());
        assert!(set(&mut ws, "a", "visitors", "1.5").is_err());
        assert!(set(&mut ws, "a", "revenue", "3").is_err());
        assert!(set(&mut ws, "A/B", "name", "Control").is_err(), "row ids are plain");
        assert!(set(&mut ws, "a", "name", &"x".repeat(121)).is_err());
    }
}
