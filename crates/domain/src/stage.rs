//! A release's process: its iterations (agile: name, dates, goal) or phases
//! (waterfall: name, dates, exit criteria), each linked to its release
//! ([`crate::link::Relation::PeriodOf`]) and drawn on the timeline under it.

use crate::date::Date;
use crate::kind::{FieldSpec, FieldType, FieldValue, Fields, Kind, Meta};
use crate::link::{Link, Relation};
use crate::Id;

/// Iteration or phase.
pub const KIND: &[(&str, &str)] = &[("iteration", "Iteration"), ("phase", "Phase")];

/// An iteration or a phase as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stage {
    pub meta: Meta,
    pub name: String,
    /// A key of [`KIND`].
    #[serde(deserialize_with = "crate::keys::option")]
    pub kind: Option<crate::keys::Key>,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// An iteration's goal.
    pub goal: String,
    /// A phase's exit criteria.
    pub exit_criteria: String,
    /// The release it belongs to (a link).
    pub release: Option<Id>,
}

impl Kind for Stage {
    const COLLECTION: &'static str = crate::schema::STAGES;
    const SINGULAR: &'static str = "Iteration or phase";
    const PLURAL: &'static str = "Iterations & phases";
    const ABOUT: &'static str = "How a release is run: its iterations (agile, each with dates and a goal) or its phases (waterfall, each with dates and exit criteria), shown on the timeline under the release.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "name", label: "Name", ty: FieldType::Line, placeholder: "Sprint 14, or Design" },
        FieldSpec { key: "kind", label: "Kind", ty: FieldType::Choice(KIND), placeholder: "" },
        FieldSpec { key: "start", label: "Start", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "end", label: "End", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "goal", label: "Goal (iteration)", ty: FieldType::Text, placeholder: "What this iteration must achieve" },
        FieldSpec { key: "exit_criteria", label: "Exit criteria (phase)", ty: FieldType::Text, placeholder: "What must be true to leave this phase" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Stage {
            meta: Meta::default(),
            name: f.text("name"),
            kind: f.choice("kind", KIND),
            start: f.date("start"),
            end: f.date("end"),
            goal: f.text("goal"),
            exit_criteria: f.text("exit_criteria"),
            release: None,
        }
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "name" => FieldValue::Text(self.name.clone()),
            "kind" => FieldValue::Choice(self.kind),
            "start" => FieldValue::Date(self.start),
            "end" => FieldValue::Date(self.end),
            "goal" => FieldValue::Text(self.goal.clone()),
            _ => FieldValue::Text(self.exit_criteria.clone()),
        }
    }

    fn read_links(&mut self, links: &[Link]) {
        self.release = links.iter().find(|l| l.relation == Relation::PeriodOf).map(|l| l.to.id.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::link::Ref;
    use crate::schema::{RELEASES, STAGES};
    use crate::Workspace;

    #[test]
    fn an_iteration_belongs_to_one_release_and_keeps_its_dates() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let release = ws.create_item::<crate::release::Release>("2.0", 1, "Ana").unwrap();
        let other = ws.create_item::<crate::release::Release>("2.1", 1, "Ana").unwrap();
        let sprint = ws.create_item::<Stage>("Sprint 14", 1, "Ana").unwrap();
        ws.set_field::<Stage>(&sprint, "kind", FieldInput::Value("iteration"), 2).unwrap();
        ws.set_field::<Stage>(&sprint, "start", FieldInput::Value("2026-05-04"), 2).unwrap();
        ws.set_field::<Stage>(&sprint, "goal", FieldInput::Value("Sync survives a flaky train"), 2).unwrap();
        let from = Ref::new(STAGES, sprint.clone());
        ws.link(&from, Relation::PeriodOf, &Ref::new(RELEASES, release), 3).unwrap();
        ws.link(&from, Relation::PeriodOf, &Ref::new(RELEASES, other.clone()), 4).unwrap();
        let s = Workspace::load(&ws.save()).unwrap().item::<Stage>(&sprint).unwrap().0;
        assert_eq!((s.kind, s.release.as_ref(), s.goal.as_str()), (Some("iteration"), Some(&other), "Sync survives a flaky train"));
        assert_eq!(s.start.map(|d| d.to_string()).as_deref(), Some("2026-05-04"));
    }
}
