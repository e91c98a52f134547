//! Trends: what is changing in the industry, when it was noticed, what it could do to
//! the product.

use crate::date::Date;
use crate::kind::{FieldSpec, FieldType, FieldValue, Fields, Kind, Meta};

/// How much a trend could change the product's prospects.
pub const IMPACT: &[(&str, &str)] = &[("low", "Low"), ("medium", "Medium"), ("high", "High")];

/// An industry trend as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trend {
    pub meta: Meta,
    pub title: String,
    /// When it was seen or is expected.
    pub date: Option<Date>,
    /// A key of [`IMPACT`], if assessed.
    #[serde(deserialize_with = "crate::keys::option")]
    pub impact_level: Option<crate::keys::Key>,
    /// What it means for the product.
    pub impact: String,
    pub notes: String,
}

impl Kind for Trend {
    const COLLECTION: &'static str = crate::schema::TRENDS;
    const SINGULAR: &'static str = "Trend";
    const PLURAL: &'static str = "Trends";
    const ABOUT: &'static str = "What is changing in your industry, when you noticed it, and what it could mean for your customers and your roadmap.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "title", label: "Title", ty: FieldType::Line, placeholder: "Usage-based pricing" },
        FieldSpec { key: "date", label: "Date", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "impact_level", label: "Impact level", ty: FieldType::Choice(IMPACT), placeholder: "" },
        FieldSpec { key: "impact", label: "Expected impact", ty: FieldType::Text, placeholder: "What it could change for our customers and our roadmap" },
        FieldSpec { key: "notes", label: "Notes", ty: FieldType::Text, placeholder: "Sources, signals, who is watching it" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Trend {
            meta: Meta::default(),
            title: f.text("title"),
            date: f.date("date"),
            impact_level: f.choice("impact_level", IMPACT),
            impact: f.text("impact"),
            notes: f.text("notes"),
        }
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "title" => FieldValue::Text(self.title.clone()),
            "date" => FieldValue::Date(self.date),
            "impact_level" => FieldValue::Choice(self.impact_level),
            "impact" => FieldValue::Text(self.impact.clone()),
            _ => FieldValue::Text(self.notes.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::{EditError, Workspace};
    use automerge::transaction::Transactable;

    #[test]
    fn a_trend_keeps_a_real_day_and_refuses_garbage() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Trend>("Usage-based pricing", 2, "Ana").unwrap();
        ws.set_field::<Trend>(&id, "date", FieldInput::Value("2026-03-31"), 3).unwrap();
        let refused = ws.set_field::<Trend>(&id, "date", FieldInput::Value("31/03/2026"), 4);
        assert!(matches!(refused, Err(EditError::Invalid(m)) if m.contains("YYYY-MM-DD")));
        ws.set_field::<Trend>(&id, "impact", FieldInput::Value("Seat pricing looks dated"), 4).unwrap();
        let (t, problems) = Workspace::load(&ws.save()).unwrap().item::<Trend>(&id).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((t.date.map(|d| d.to_string()), t.impact.as_str()), (Some("2026-03-31".to_owned()), "Seat pricing looks dated"));
        ws.set_field::<Trend>(&id, "date", FieldInput::Value(""), 5).unwrap();
        assert_eq!(ws.item::<Trend>(&id).unwrap().0.date, None);
    }

    #[test]
    fn a_peers_garbage_date_is_a_problem_not_a_crash() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_item::<Trend>("Usage-based pricing", 2, "Ana").unwrap();
        let obj = ws.artifact(crate::schema::TRENDS, &id).unwrap();
        ws.doc.put(&obj, "date", "next spring").unwrap();
        ws.doc.put(&obj, "impact_level", "apocalyptic").unwrap();
        let (t, problems) = ws.item::<Trend>(&id).unwrap();
        assert_eq!((t.date, t.impact_level), (None, None));
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, vec![format!("trends/{id}/date").as_str(), format!("trends/{id}/impact_level").as_str()]);
        assert!(problems[0].message.contains("not a date"), "{problems:?}");
    }
}
