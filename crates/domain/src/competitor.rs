//! Competitors: who else serves our customers, how they position themselves, where
//! they are strong or weak, how much of a threat they are and how they compare with
//! us feature by feature.

use crate::kind::{FieldSpec, FieldType, FieldValue, Fields, Kind, Meta};

/// How much of a threat a competitor is.
pub const THREAT: &[(&str, &str)] = &[("low", "Low"), ("medium", "Medium"), ("high", "High")];

/// How a competitor stands on one feature, compared with us.
pub const STANDING: &[(&str, &str)] = &[
    ("they_lead", "They lead"),
    ("parity", "On par"),
    ("we_lead", "We lead"),
    ("they_lack", "They lack it"),
];

/// A competitor as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Competitor {
    pub meta: Meta,
    pub name: String,
    pub positioning: String,
    pub strengths: String,
    pub weaknesses: String,
    /// A key of [`THREAT`], if assessed.
    #[serde(deserialize_with = "crate::keys::option")]
    pub threat: Option<crate::keys::Key>,
    /// Feature name and a key of [`STANDING`], sorted by feature.
    #[serde(deserialize_with = "crate::keys::rows")]
    pub comparison: Vec<(String, crate::keys::Key)>,
    pub notes: String,
}

impl Kind for Competitor {
    const COLLECTION: &'static str = crate::schema::COMPETITORS;
    const SINGULAR: &'static str = "Competitor";
    const PLURAL: &'static str = "Competitors";
    const ABOUT: &'static str = "Who else your customers could choose: how they position themselves, where they are strong or weak, how much of a threat they are, and how they compare with you feature by feature.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "name", label: "Name", ty: FieldType::Line, placeholder: "Acme Analytics" },
        FieldSpec { key: "threat", label: "Threat level", ty: FieldType::Choice(THREAT), placeholder: "" },
        FieldSpec { key: "positioning", label: "Positioning", ty: FieldType::Text, placeholder: "Who they sell to and the promise they make" },
        FieldSpec { key: "strengths", label: "Strengths", ty: FieldType::Text, placeholder: "Where they beat us today" },
        FieldSpec { key: "weaknesses", label: "Weaknesses", ty: FieldType::Text, placeholder: "Where customers complain about them" },
        FieldSpec { key: "comparison", label: "Feature comparison", ty: FieldType::Rows(STANDING), placeholder: "A feature, e.g. Offline mode" },
        FieldSpec { key: "notes", label: "Notes", ty: FieldType::Text, placeholder: "Pricing, recent moves, sources" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Competitor {
            meta: Meta::default(),
            name: f.text("name"),
            positioning: f.text("positioning"),
            strengths: f.text("strengths"),
            weaknesses: f.text("weaknesses"),
            threat: f.choice("threat", THREAT),
            comparison: f.rows("comparison", STANDING),
            notes: f.text("notes"),
        }
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "name" => FieldValue::Text(self.name.clone()),
            "positioning" => FieldValue::Text(self.positioning.clone()),
            "strengths" => FieldValue::Text(self.strengths.clone()),
            "weaknesses" => FieldValue::Text(self.weaknesses.clone()),
            "threat" => FieldValue::Choice(self.threat),
            "comparison" => FieldValue::Rows(self.comparison.clone()),
            _ => FieldValue::Text(self.notes.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::{EditError, Workspace};

    #[test]
    fn a_competitor_round_trips_every_field() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Competitor>("  Acme Analytics ", 2, "Ana").unwrap();
        ws.set_field::<Competitor>(&id, "positioning", FieldInput::Value("Self-serve BI for SMBs"), 3).unwrap();
        ws.set_field::<Competitor>(&id, "threat", FieldInput::Value("high"), 3).unwrap();
        ws.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: "Offline mode", value: "they_lack" }, 3).unwrap();
        ws.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: "dashboards", value: "they_lead" }, 3).unwrap();
        ws.set_field::<Competitor>(&id, "notes", FieldInput::Value("Raised a Series B\nin May"), 4).unwrap();
        let reloaded = Workspace::load(&ws.save()).unwrap();
        let (c, problems) = reloaded.item::<Competitor>(&id).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((c.name.as_str(), c.threat, c.notes.as_str()), ("Acme Analytics", Some("high"), "Raised a Series B\nin May"));
        assert_eq!(c.comparison, vec![("dashboards".to_owned(), "they_lead"), ("Offline mode".to_owned(), "they_lack")]);
        assert_eq!((c.meta.created_by.as_str(), c.meta.created_at, c.meta.updated_at), ("Ana", 2, 4));
        assert_eq!(reloaded.items::<Competitor>().0, vec![c]);
    }

    #[test]
    fn bad_values_are_refused_with_what_is_allowed() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Competitor>("Acme", 2, "Ana").unwrap();
        let err = ws.set_field::<Competitor>(&id, "threat", FieldInput::Value("extreme"), 3).unwrap_err();
        assert_eq!(err, EditError::Invalid("Threat level is one of low, medium or high".into()));
        assert!(ws.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: " ", value: "parity" }, 3).is_err());
        assert!(ws.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: "Sync", value: "winning" }, 3).is_err());
        assert!(ws.set_field::<Competitor>(&id, "price", FieldInput::Value("9"), 3).is_err());
        // Clearing a choice and removing a row.
        ws.set_field::<Competitor>(&id, "threat", FieldInput::Value("low"), 4).unwrap();
        ws.set_field::<Competitor>(&id, "threat", FieldInput::Value(""), 5).unwrap();
        ws.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: "Sync", value: "parity" }, 5).unwrap();
        ws.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: "Sync", value: "" }, 6).unwrap();
        let (c, problems) = ws.item::<Competitor>(&id).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((c.threat, c.comparison.len()), (None, 0));
    }

    #[test]
    fn two_people_comparing_features_at_once_keep_both_rows() {
        let mut a = Workspace::create("Payments", 1, "Ana");
        let id = a.create_item::<Competitor>("Acme", 2, "Ana").unwrap();
        let mut b = a.fork();
        a.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: "Offline", value: "we_lead" }, 3).unwrap();
        b.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: "Exports", value: "parity" }, 3).unwrap();
        b.set_field::<Competitor>(&id, "strengths", FieldInput::Value("Brand"), 3).unwrap();
        a.merge(&mut b).unwrap();
        let c = a.item::<Competitor>(&id).unwrap().0;
        assert_eq!(c.comparison.len(), 2);
        assert_eq!(c.strengths, "Brand");
    }

    #[test]
    fn delete_and_restore_keep_the_content() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Competitor>("Acme", 2, "Ana").unwrap();
        ws.delete_item::<Competitor>(&id, 3).unwrap();
        assert!(ws.item::<Competitor>(&id).unwrap().0.is_deleted());
        ws.restore_item::<Competitor>(&id, 4).unwrap();
        let c = ws.item::<Competitor>(&id).unwrap().0;
        assert_eq!((c.is_deleted(), c.title()), (false, "Acme".to_owned()));
    }
}
