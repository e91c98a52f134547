//! Releases (milestones): a target date, a status, the features that ship in it
//! (links, [`crate::link::Relation::ShipsIn`]) and a readiness checklist per function,
//! summarised as go or no-go by [`crate::roadmap::readiness`].

use crate::date::Date;
use crate::kind::{Check, FieldSpec, FieldType, FieldValue, Fields, Kind, Meta};

pub const STATUS: &[(&str, &str)] = &[("planned", "Planned"), ("in_progress", "In progress"), ("released", "Released"), ("cancelled", "Cancelled")];

/// How the release is run.
pub const PROCESS: &[(&str, &str)] = &[("agile", "Iterations (agile)"), ("waterfall", "Phases (waterfall)")];

/// The functions whose readiness a release tracks.
pub const FUNCTIONS: &[(&str, &str)] = &[
    ("engineering", "Engineering"),
    ("qa", "QA"),
    ("docs", "Documentation"),
    ("training", "Training"),
    ("marketing", "Marketing"),
    ("sales", "Sales"),
    ("support", "Support"),
];

/// Where one function stands.
pub const READINESS: &[(&str, &str)] =
    &[("not_started", "Not started"), ("in_progress", "In progress"), ("ready", "Ready"), ("blocked", "Blocked"), ("not_needed", "Not needed")];

/// A release as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Release {
    pub meta: Meta,
    pub name: String,
    pub target: Option<Date>,
    /// A key of [`STATUS`].
    #[serde(deserialize_with = "crate::keys::option")]
    pub status: Option<crate::keys::Key>,
    /// A key of [`PROCESS`].
    #[serde(deserialize_with = "crate::keys::option")]
    pub process: Option<crate::keys::Key>,
    /// One item per [`FUNCTIONS`] entry, in that order.
    pub readiness: Vec<Check>,
    pub notes: String,
}

impl Kind for Release {
    const COLLECTION: &'static str = crate::schema::RELEASES;
    const SINGULAR: &'static str = "Release";
    const PLURAL: &'static str = "Releases";
    const ABOUT: &'static str = "Milestones the features ship in: a target date, and whether engineering, QA, documentation, training, marketing, sales and support are ready — the go / no-go.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "name", label: "Name", ty: FieldType::Line, placeholder: "2.0 — Offline" },
        FieldSpec { key: "status", label: "Status", ty: FieldType::Choice(STATUS), placeholder: "" },
        FieldSpec { key: "target", label: "Target date", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "process", label: "Process", ty: FieldType::Choice(PROCESS), placeholder: "" },
        FieldSpec { key: "readiness", label: "Readiness", ty: FieldType::Checklist { items: FUNCTIONS, states: READINESS }, placeholder: "" },
        FieldSpec { key: "notes", label: "Notes", ty: FieldType::Text, placeholder: "Scope decisions, dates agreed, who signs off" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Release {
            meta: Meta::default(),
            name: f.text("name"),
            target: f.date("target"),
            status: f.choice("status", STATUS),
            process: f.choice("process", PROCESS),
            readiness: f.checklist("readiness", FUNCTIONS, READINESS),
            notes: f.text("notes"),
        }
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "name" => FieldValue::Text(self.name.clone()),
            "target" => FieldValue::Date(self.target),
            "status" => FieldValue::Choice(self.status),
            "process" => FieldValue::Choice(self.process),
            "readiness" => FieldValue::Checklist(self.readiness.clone()),
            _ => FieldValue::Text(self.notes.clone()),
        }
    }
}
