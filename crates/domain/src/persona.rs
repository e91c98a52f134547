//! Personas: who the product is for.

use automerge::{transaction::Transactable, ObjId, ObjType, ROOT};

use crate::fields::{ensure_map, write_text, DocFields, FieldSource, Problem, Reader};
use crate::schema::{CREATED_AT, CREATED_BY, DELETED, PERSONAS, UPDATED_AT};
use crate::workspace::{EditError, Workspace};
use crate::Id;

/// A long-text field of a persona.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PersonaText {
    Name,
    Role,
    Goals,
    PainPoints,
    Motivations,
    Behaviours,
    Quote,
}

impl PersonaText {
    pub const ALL: [PersonaText; 7] = [
        PersonaText::Name,
        PersonaText::Role,
        PersonaText::Goals,
        PersonaText::PainPoints,
        PersonaText::Motivations,
        PersonaText::Behaviours,
        PersonaText::Quote,
    ];

    pub fn key(self) -> &'static str {
        match self {
            PersonaText::Name => "name",
            PersonaText::Role => "role",
            PersonaText::Goals => "goals",
            PersonaText::PainPoints => "pain_points",
            PersonaText::Motivations => "motivations",
            PersonaText::Behaviours => "behaviours",
            PersonaText::Quote => "quote",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PersonaText::Name => "Name",
            PersonaText::Role => "Role",
            PersonaText::Goals => "Goals",
            PersonaText::PainPoints => "Pain points",
            PersonaText::Motivations => "Motivations",
            PersonaText::Behaviours => "Behaviours",
            PersonaText::Quote => "Quote",
        }
    }
}

/// A persona as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Persona {
    pub id: Option<Id>,
    pub name: String,
    pub role: String,
    pub goals: String,
    pub pain_points: String,
    pub motivations: String,
    pub behaviours: String,
    pub quote: String,
    /// How many people (or accounts) this persona stands for.
    pub segment_size: Option<f64>,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub deleted: bool,
}

impl Persona {
    pub fn text(&self, field: PersonaText) -> &str {
        match field {
            PersonaText::Name => &self.name,
            PersonaText::Role => &self.role,
            PersonaText::Goals => &self.goals,
            PersonaText::PainPoints => &self.pain_points,
            PersonaText::Motivations => &self.motivations,
            PersonaText::Behaviours => &self.behaviours,
            PersonaText::Quote => &self.quote,
        }
    }
}

fn read_persona<S: FieldSource + ?Sized>(source: &S, id: &Id, problems: &mut Vec<Problem>) -> Persona {
    let mut r = Reader { source, path: format!("personas/{id}"), problems };
    Persona {
        id: Some(id.clone()),
        name: r.text(PersonaText::Name.key()),
        role: r.text(PersonaText::Role.key()),
        goals: r.text(PersonaText::Goals.key()),
        pain_points: r.text(PersonaText::PainPoints.key()),
        motivations: r.text(PersonaText::Motivations.key()),
        behaviours: r.text(PersonaText::Behaviours.key()),
        quote: r.text(PersonaText::Quote.key()),
        segment_size: r.number("segment_size").filter(|n| *n >= 0.0),
        created_at: r.int(CREATED_AT).unwrap_or(0),
        created_by: r.str(CREATED_BY),
        updated_at: r.int(UPDATED_AT).unwrap_or(0),
        deleted: r.bool(DELETED),
    }
}

impl Workspace {
    fn persona_obj(&self, id: &Id) -> Result<ObjId, EditError> {
        self.artifact(PERSONAS, id)
    }

    /// Adds a persona named `name`.
    pub fn create_persona(&mut self, name: &str, now_ms: i64, by: &str) -> Result<Id, EditError> {
        let id = self.new_id();
        let map = ensure_map(&mut self.doc, &ROOT, PERSONAS)?;
        let obj = self.doc.put_object(&map, id.as_str(), ObjType::Map)?;
        // Every Text is created with the persona, so concurrent first edits merge.
        for field in PersonaText::ALL {
            self.doc.put_object(&obj, field.key(), ObjType::Text)?;
        }
        write_text(&mut self.doc, &obj, PersonaText::Name.key(), name.trim())?;
        self.put_common_fields(&obj, now_ms, by)?;
        Ok(id)
    }

    pub fn persona(&self, id: &Id) -> Option<(Persona, Vec<Problem>)> {
        let obj = self.persona_obj(id).ok()?;
        let mut problems = Vec::new();
        let persona = read_persona(&DocFields { doc: &self.doc, obj }, id, &mut problems);
        Some((persona, problems))
    }

    /// Every persona (deleted included), read in one pass.
    pub fn personas(&self) -> (Vec<Persona>, Vec<Problem>) {
        self.read_collection(PERSONAS, read_persona)
    }

    pub fn set_persona_text(&mut self, id: &Id, field: PersonaText, value: &str, now_ms: i64) -> Result<(), EditError> {
        let obj = self.persona_obj(id)?;
        write_text(&mut self.doc, &obj, field.key(), value)?;
        self.touch(&obj, now_ms)
    }

    /// Sets how many people the persona stands for; negative sizes are refused.
    pub fn set_persona_segment_size(&mut self, id: &Id, size: Option<f64>, now_ms: i64) -> Result<(), EditError> {
        let obj = self.persona_obj(id)?;
        match size {
            Some(n) if !n.is_finite() || n < 0.0 => return Err(EditError::Invalid("a segment size is a number of people, 0 or more".into())),
            Some(n) => self.doc.put(&obj, "segment_size", n)?,
            None => self.doc.put(&obj, "segment_size", automerge::ScalarValue::Null)?,
        }
        self.touch(&obj, now_ms)
    }

    pub fn delete_persona(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.persona_obj(id)?;
        self.set_deleted(&obj, true, now_ms)
    }

    pub fn restore_persona(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.persona_obj(id)?;
        self.set_deleted(&obj, false, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persona_round_trips_every_field() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_persona("Fiona, finance admin", 2, "Ana").unwrap();
        for field in PersonaText::ALL.into_iter().skip(1) {
            ws.set_persona_text(&id, field, &format!("{} text", field.label()), 3).unwrap();
        }
        ws.set_persona_segment_size(&id, Some(12_000.0), 3).unwrap();
        let reloaded = Workspace::load(&ws.save()).unwrap();
        let (p, problems) = reloaded.persona(&id).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p.name, "Fiona, finance admin");
        assert_eq!(p.text(PersonaText::PainPoints), "Pain points text");
        assert_eq!(p.segment_size, Some(12_000.0));
        assert_eq!(reloaded.personas().0, vec![p]);
        assert!(matches!(ws.set_persona_segment_size(&id, Some(-1.0), 4), Err(EditError::Invalid(_))));
    }

    #[test]
    fn two_people_describing_one_persona_keep_both_edits() {
        let mut a = Workspace::create("Payments", 1, "Ana");
        let id = a.create_persona("Fiona", 2, "Ana").unwrap();
        let mut b = a.fork();
        a.set_persona_text(&id, PersonaText::Goals, "Close the month in a day", 3).unwrap();
        b.set_persona_text(&id, PersonaText::Quote, "I chase invoices every Friday", 3).unwrap();
        a.merge(&mut b).unwrap();
        let p = a.persona(&id).unwrap().0;
        assert_eq!((p.goals.as_str(), p.quote.as_str()), ("Close the month in a day", "I chase invoices every Friday"));
    }
}
