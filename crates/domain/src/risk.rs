//! Risks: what could go wrong (its cause, not only its outcome), how likely it is and
//! how much it would hurt, who owns it and the response. Score = likelihood × impact
//! (1–25), in zones low (1–4), medium (5–14) and high (15–25); a 5 × 5 heat map places
//! every open risk. A risk threatens features and releases (a link), and is shown on
//! them.

use crate::kind::{FieldSpec, FieldType, FieldValue, Fields, Kind, Meta};
use crate::link::{Link, Ref, Relation};
use crate::Id;

pub const CATEGORY: &[(&str, &str)] = &[
    ("technical", "Technical"),
    ("schedule", "Schedule"),
    ("cost", "Cost"),
    ("market", "Market"),
    ("security", "Security"),
    ("compliance", "Compliance"),
];

/// How likely it is, 1 to 5.
pub const LIKELIHOOD: &[(&str, &str)] = &[("1", "1 · Rare"), ("2", "2 · Unlikely"), ("3", "3 · Possible"), ("4", "4 · Likely"), ("5", "5 · Almost certain")];

/// How much it would hurt, 1 to 5.
pub const IMPACT: &[(&str, &str)] = &[("1", "1 · Negligible"), ("2", "2 · Minor"), ("3", "3 · Moderate"), ("4", "4 · Major"), ("5", "5 · Severe")];

pub const RESPONSE: &[(&str, &str)] = &[("avoid", "Avoid"), ("mitigate", "Mitigate"), ("transfer", "Transfer"), ("accept", "Accept")];

pub const STATUS: &[(&str, &str)] = &[("open", "Open"), ("watching", "Watching"), ("occurred", "Occurred"), ("mitigated", "Mitigated"), ("closed", "Closed")];

/// A risk as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Risk {
    pub meta: Meta,
    pub title: String,
    /// Cause and effect: "if … then …".
    pub description: String,
    #[serde(deserialize_with = "crate::keys::option")]
    pub category: Option<crate::keys::Key>,
    /// A key of [`LIKELIHOOD`] ("1"–"5").
    #[serde(deserialize_with = "crate::keys::option")]
    pub likelihood: Option<crate::keys::Key>,
    /// A key of [`IMPACT`] ("1"–"5").
    #[serde(deserialize_with = "crate::keys::option")]
    pub impact: Option<crate::keys::Key>,
    pub owner: String,
    #[serde(deserialize_with = "crate::keys::option")]
    pub response: Option<crate::keys::Key>,
    pub mitigation: String,
    /// What tells you it is happening.
    pub trigger: String,
    #[serde(deserialize_with = "crate::keys::option")]
    pub status: Option<crate::keys::Key>,
    /// The features and releases it threatens.
    pub threatens: Vec<Ref>,
}

/// Where a score falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Zone {
    Low,
    Medium,
    High,
}

impl Zone {
    /// 1–4 low, 5–14 medium, 15–25 high.
    pub fn of(score: u8) -> Zone {
        match score {
            0..=4 => Zone::Low,
            5..=14 => Zone::Medium,
            _ => Zone::High,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Zone::Low => "Low",
            Zone::Medium => "Medium",
            Zone::High => "High",
        }
    }

    /// A stable name for styles: `low`, `medium`, `high`.
    pub fn key(self) -> &'static str {
        match self {
            Zone::Low => "low",
            Zone::Medium => "medium",
            Zone::High => "high",
        }
    }
}

fn level(key: Option<&str>) -> Option<u8> {
    key.and_then(|k| k.parse().ok()).filter(|n| (1..=5).contains(n))
}

impl Risk {
    pub fn likelihood_level(&self) -> Option<u8> {
        level(self.likelihood)
    }

    pub fn impact_level(&self) -> Option<u8> {
        level(self.impact)
    }

    /// Likelihood × impact, once both are set.
    pub fn score(&self) -> Option<u8> {
        Some(self.likelihood_level()? * self.impact_level()?)
    }

    pub fn zone(&self) -> Option<Zone> {
        self.score().map(Zone::of)
    }

    /// Still to be dealt with: not mitigated or closed (a risk without a status is open).
    pub fn is_open(&self) -> bool {
        !matches!(self.status, Some("mitigated" | "closed"))
    }

    /// "Score 20 · High", once scored.
    pub fn score_label(&self) -> Option<String> {
        Some(format!("Score {} · {}", self.score()?, self.zone()?.label()))
    }
}

/// The live, open risks that threaten `target`, the highest score first (unscored last).
pub fn threats_to<'a>(target: &Ref, risks: &'a [Risk]) -> Vec<&'a Risk> {
    let mut out: Vec<&Risk> = risks.iter().filter(|r| !r.is_deleted() && r.is_open() && r.threatens.contains(target)).collect();
    crate::sort::sort_by(&mut out, |a, b| b.score().cmp(&a.score()).then_with(|| a.title().to_lowercase().cmp(&b.title().to_lowercase())));
    out
}

/// The 5 × 5 heat map of the live, open, scored risks: `cells[impact - 1][likelihood - 1]`
/// holds their ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeatMap {
    pub cells: [[Vec<Id>; 5]; 5],
    /// Open risks without both levels: not on the map.
    pub unscored: usize,
}

impl HeatMap {
    pub fn of(risks: &[Risk]) -> HeatMap {
        let mut map = HeatMap::default();
        for r in risks.iter().filter(|r| !r.is_deleted() && r.is_open()) {
            match (r.likelihood_level(), r.impact_level(), r.id()) {
                (Some(l), Some(i), Some(id)) => map.cells[usize::from(i - 1)][usize::from(l - 1)].push(id.clone()),
                _ => map.unscored += 1,
            }
        }
        map
    }

    /// The ids in the cell of `likelihood` and `impact` (1–5 each).
    pub fn cell(&self, likelihood: u8, impact: u8) -> &[Id] {
        self.cells.get(usize::from(impact).wrapping_sub(1)).and_then(|row| row.get(usize::from(likelihood).wrapping_sub(1))).map_or(&[], Vec::as_slice)
    }
}

impl Kind for Risk {
    const COLLECTION: &'static str = crate::schema::RISKS;
    const SINGULAR: &'static str = "Risk";
    const PLURAL: &'static str = "Risks";
    const ABOUT: &'static str = "What could go wrong, why, how likely and how bad: score = likelihood × impact, placed on a heat map, with an owner, a response and the features and releases it threatens.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "title", label: "Title", ty: FieldType::Line, placeholder: "Card processor outage on launch day" },
        FieldSpec { key: "status", label: "Status", ty: FieldType::Choice(STATUS), placeholder: "" },
        FieldSpec { key: "likelihood", label: "Likelihood", ty: FieldType::Choice(LIKELIHOOD), placeholder: "" },
        FieldSpec { key: "impact", label: "Impact", ty: FieldType::Choice(IMPACT), placeholder: "" },
        FieldSpec { key: "category", label: "Category", ty: FieldType::Choice(CATEGORY), placeholder: "" },
        FieldSpec { key: "description", label: "Cause and effect", ty: FieldType::Text, placeholder: "If … happens, then …, because …" },
        FieldSpec { key: "owner", label: "Owner", ty: FieldType::Line, placeholder: "Who watches it" },
        FieldSpec { key: "response", label: "Response", ty: FieldType::Choice(RESPONSE), placeholder: "" },
        FieldSpec { key: "mitigation", label: "Mitigation", ty: FieldType::Text, placeholder: "What you do to make it less likely or less bad" },
        FieldSpec { key: "trigger", label: "Trigger", ty: FieldType::Text, placeholder: "What tells you it is happening" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Risk {
            meta: Meta::default(),
            title: f.text("title"),
            description: f.text("description"),
            category: f.choice("category", CATEGORY),
            likelihood: f.choice("likelihood", LIKELIHOOD),
            impact: f.choice("impact", IMPACT),
            owner: f.text("owner"),
            response: f.choice("response", RESPONSE),
            mitigation: f.text("mitigation"),
            trigger: f.text("trigger"),
            status: f.choice("status", STATUS),
            threatens: Vec::new(),
        }
    }

    fn read_links(&mut self, links: &[Link]) {
        self.threatens = links.iter().filter(|l| l.relation == Relation::Threatens).map(|l| l.to.clone()).collect();
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "title" => FieldValue::Text(self.title.clone()),
            "description" => FieldValue::Text(self.description.clone()),
            "category" => FieldValue::Choice(self.category),
            "likelihood" => FieldValue::Choice(self.likelihood),
            "impact" => FieldValue::Choice(self.impact),
            "owner" => FieldValue::Text(self.owner.clone()),
            "response" => FieldValue::Choice(self.response),
            "mitigation" => FieldValue::Text(self.mitigation.clone()),
            "trigger" => FieldValue::Text(self.trigger.clone()),
            _ => FieldValue::Choice(self.status),
        }
    }

    fn headline(&self) -> Option<(String, &'static str)> {
        Some((self.score_label()?, self.zone()?.key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feature::Feature;
    use crate::kind::FieldInput;
    use crate::schema::{FEATURES, RISKS};
    use crate::{EditError, Workspace};

    #[test]
    fn score_is_likelihood_times_impact_in_three_zones() {
        let mut r = Risk { likelihood: Some("4"), impact: Some("5"), ..Risk::default() };
        assert_eq!((r.score(), r.zone(), r.score_label().as_deref()), (Some(20), Some(Zone::High), Some("Score 20 · High")));
        r.impact = Some("1");
        assert_eq!((r.score(), r.zone()), (Some(4), Some(Zone::Low)));
        r.likelihood = Some("5");
        assert_eq!((r.score(), r.zone()), (Some(5), Some(Zone::Medium)));
        assert_eq!([14, 15].map(Zone::of), [Zone::Medium, Zone::High]);
        r.impact = None;
        assert_eq!((r.score(), r.headline()), (None, None), "no score until both are set");
    }

    #[test]
    fn a_risk_round_trips_threatens_a_feature_and_lands_on_the_heat_map() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let feature = ws.create_item::<Feature>("Offline mode", 1, "Ana").unwrap();
        let outage = ws.create_item::<Risk>("Processor outage", 2, "Ana").unwrap();
        for (key, value) in [("likelihood", "3"), ("impact", "5"), ("category", "technical"), ("response", "mitigate"), ("status", "open")] {
            ws.set_field::<Risk>(&outage, key, FieldInput::Value(value), 3).unwrap();
        }
        ws.set_field::<Risk>(&outage, "description", FieldInput::Value("If the processor is down on launch day, then no one can pay"), 3).unwrap();
        let small = ws.create_item::<Risk>("Typo in the docs", 2, "Ana").unwrap();
        ws.set_field::<Risk>(&small, "likelihood", FieldInput::Value("2"), 3).unwrap();
        ws.set_field::<Risk>(&small, "impact", FieldInput::Value("1"), 3).unwrap();
        let done = ws.create_item::<Risk>("Old risk", 2, "Ana").unwrap();
        ws.set_field::<Risk>(&done, "status", FieldInput::Value("closed"), 3).unwrap();
        let target = Ref::new(FEATURES, feature.clone());
        for r in [&outage, &small, &done] {
            ws.link(&Ref::new(RISKS, r.clone()), Relation::Threatens, &target, 4).unwrap();
        }
        let reloaded = Workspace::load(&ws.save()).unwrap();
        let (risk, problems) = reloaded.item::<Risk>(&outage).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((risk.score(), risk.category, risk.threatens.clone()), (Some(15), Some("technical"), vec![target.clone()]));
        let all = reloaded.items::<Risk>().0;
        let threats: Vec<String> = threats_to(&target, &all).iter().map(|r| r.title()).collect();
        assert_eq!(threats, ["Processor outage", "Typo in the docs"], "open ones, the highest score first");
        let map = HeatMap::of(&all);
        assert_eq!((map.cell(3, 5), map.cell(2, 1), map.unscored), (&[outage][..], &[small][..], 0), "the closed risk is not on the map");
        assert!(map.cell(0, 9).is_empty());
    }

    #[test]
    fn levels_out_of_range_are_refused() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Risk>("Outage", 2, "Ana").unwrap();
        let err = ws.set_field::<Risk>(&id, "likelihood", FieldInput::Value("6"), 3).unwrap_err();
        assert!(matches!(err, EditError::Invalid(ref m) if m.starts_with("Likelihood is one of")), "{err:?}");
        assert!(ws.link(&Ref::new(RISKS, id.clone()), Relation::Threatens, &Ref::new(crate::schema::IDEAS, id), 3).is_err(), "a risk threatens features and releases only");
    }
}
