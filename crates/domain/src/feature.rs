//! Features: the roadmap's items (also called initiatives or epics). What a feature
//! is linked to (the ideas it delivers, its stories, its release, what blocks it, its
//! risks and documents) lives in [`crate::link`]; what is derived from those links
//! (progress, blocked, the critical path) in [`crate::roadmap`].

use crate::date::Date;
use crate::kind::{FieldSpec, FieldType, FieldValue, Fields, Kind, Meta};
use crate::link::{Link, Relation};
use crate::Id;

/// Where a feature stands.
pub const STATUS: &[(&str, &str)] = &[("planned", "Planned"), ("in_progress", "In progress"), ("at_risk", "At risk"), ("done", "Done"), ("dropped", "Dropped")];

/// The board's columns, in order.
pub const HORIZON: &[(&str, &str)] = &[("now", "Now"), ("next", "Next"), ("later", "Later")];

/// MoSCoW, for a release's scope.
pub const MOSCOW: &[(&str, &str)] = &[("must", "Must have"), ("should", "Should have"), ("could", "Could have"), ("wont", "Won't have (this time)")];

/// Who may see a feature on an audience roadmap.
pub const VISIBILITY: &[(&str, &str)] = &[("internal", "Internal"), ("executive", "Executives"), ("public", "Public")];

/// A feature as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Feature {
    pub meta: Meta,
    pub title: String,
    pub description: String,
    /// The theme or objective it serves, in words.
    pub theme: String,
    /// A key of [`STATUS`].
    #[serde(deserialize_with = "crate::keys::option")]
    pub status: Option<crate::keys::Key>,
    /// A key of [`HORIZON`]; unset: not on the board yet.
    #[serde(deserialize_with = "crate::keys::option")]
    pub horizon: Option<crate::keys::Key>,
    pub start: Option<Date>,
    pub target: Option<Date>,
    pub owner: String,
    /// A key of [`MOSCOW`].
    #[serde(deserialize_with = "crate::keys::option")]
    pub moscow: Option<crate::keys::Key>,
    /// Estimated effort, in person-months.
    pub effort: Option<f64>,
    pub cost: Option<f64>,
    /// A key of [`VISIBILITY`]; unset reads as internal.
    #[serde(deserialize_with = "crate::keys::option")]
    pub visibility: Option<crate::keys::Key>,
    pub success_metrics: String,
    /// Its place in its column ([`crate::position`]); empty until first moved.
    pub position: String,
    /// The release it ships in (a link, [`Relation::ShipsIn`]).
    pub release: Option<Id>,
    /// The features that cannot start before it ends (links, [`Relation::Blocks`]).
    pub blocks: Vec<Id>,
    /// The ideas it delivers (links, [`Relation::Delivers`]).
    pub ideas: Vec<Id>,
    /// The objectives and KPIs it serves (links, [`Relation::Serves`]).
    pub serves: Vec<Id>,
    /// The KPI its success is judged by (a link, [`Relation::JudgedBy`]), and the value
    /// that KPI should reach after it ships.
    pub success_kpi: Option<Id>,
    pub success_target: Option<f64>,
}

impl Feature {
    pub fn is_done(&self) -> bool {
        self.status == Some("done")
    }

    /// Who may see it: internal unless said otherwise.
    pub fn visibility(&self) -> &'static str {
        self.visibility.unwrap_or("internal")
    }
}

impl Kind for Feature {
    const COLLECTION: &'static str = crate::schema::FEATURES;
    const SINGULAR: &'static str = "Feature";
    const PLURAL: &'static str = "Features";
    const ABOUT: &'static str = "The roadmap's items (initiatives, epics): what you will deliver, when, for which release, and what blocks it. Promote an accepted idea, or add one here.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "title", label: "Title", ty: FieldType::Line, placeholder: "Offline mode" },
        FieldSpec { key: "status", label: "Status", ty: FieldType::Choice(STATUS), placeholder: "" },
        FieldSpec { key: "horizon", label: "Horizon", ty: FieldType::Choice(HORIZON), placeholder: "" },
        FieldSpec { key: "theme", label: "Theme or objective", ty: FieldType::Line, placeholder: "Work anywhere" },
        FieldSpec { key: "owner", label: "Owner", ty: FieldType::Line, placeholder: "Who drives it" },
        FieldSpec { key: "start", label: "Start", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "target", label: "Target", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "description", label: "Description", ty: FieldType::Text, placeholder: "What it is and why it matters" },
        FieldSpec { key: "success_metrics", label: "Success metrics", ty: FieldType::Text, placeholder: "How you will know it worked" },
        FieldSpec { key: "success_target", label: "Success target (in its KPI's unit)", ty: FieldType::Number { min: -crate::kind::MAX_MEASURE, max: crate::kind::MAX_MEASURE, unit: "" }, placeholder: "" },
        FieldSpec { key: "moscow", label: "MoSCoW", ty: FieldType::Choice(MOSCOW), placeholder: "" },
        FieldSpec { key: "effort", label: "Effort", ty: FieldType::Number { min: 0.0, max: 10_000.0, unit: "person-months" }, placeholder: "" },
        FieldSpec { key: "cost", label: "Cost estimate", ty: FieldType::Number { min: 0.0, max: 1e12, unit: "" }, placeholder: "" },
        FieldSpec { key: "visibility", label: "Visibility", ty: FieldType::Choice(VISIBILITY), placeholder: "" },
        FieldSpec { key: "position", label: "Board position", ty: FieldType::Position, placeholder: "" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Feature {
            meta: Meta::default(),
            title: f.text("title"),
            description: f.text("description"),
            theme: f.text("theme"),
            status: f.choice("status", STATUS),
            horizon: f.choice("horizon", HORIZON),
            start: f.date("start"),
            target: f.date("target"),
            owner: f.text("owner"),
            moscow: f.choice("moscow", MOSCOW),
            effort: f.number("effort", 0.0, 10_000.0),
            cost: f.number("cost", 0.0, 1e12),
            visibility: f.choice("visibility", VISIBILITY),
            success_metrics: f.text("success_metrics"),
            position: f.position("position"),
            release: None,
            blocks: Vec::new(),
            ideas: Vec::new(),
            serves: Vec::new(),
            success_kpi: None,
            success_target: f.number("success_target", -crate::kind::MAX_MEASURE, crate::kind::MAX_MEASURE),
        }
    }

    fn read_links(&mut self, links: &[Link]) {
        let targets = |r: Relation| links.iter().filter(move |l| l.relation == r).map(|l| l.to.id.clone());
        self.release = targets(Relation::ShipsIn).next();
        self.blocks = targets(Relation::Blocks).collect();
        self.ideas = targets(Relation::Delivers).collect();
        self.serves = targets(Relation::Serves).collect();
        self.success_kpi = targets(Relation::JudgedBy).next();
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "title" => FieldValue::Text(self.title.clone()),
            "description" => FieldValue::Text(self.description.clone()),
            "theme" => FieldValue::Text(self.theme.clone()),
            "status" => FieldValue::Choice(self.status),
            "horizon" => FieldValue::Choice(self.horizon),
            "start" => FieldValue::Date(self.start),
            "target" => FieldValue::Date(self.target),
            "owner" => FieldValue::Text(self.owner.clone()),
            "moscow" => FieldValue::Choice(self.moscow),
            "effort" => FieldValue::Number(self.effort),
            "cost" => FieldValue::Number(self.cost),
            "success_target" => FieldValue::Number(self.success_target),
            "visibility" => FieldValue::Choice(self.visibility),
            "position" => FieldValue::Position(self.position.clone()),
            _ => FieldValue::Text(self.success_metrics.clone()),
        }
    }
}
