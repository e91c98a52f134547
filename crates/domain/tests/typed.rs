//! What the app shows at once while someone types (before the document's worker has
//! made the edit) is what the document then holds: each typing edit names the field of
//! the artifact's view that the edit sets.

use waymark_domain::edit::{Edit, FieldEdit, Typed};
use waymark_domain::feedback::Channel;
use waymark_domain::persona::PersonaText;
use waymark_domain::{BriefField, DocKind, IdeaText, Ref, Workspace};

/// The view of artifact `id` in `collection`, as JSON.
fn view(ws: &Workspace, collection: &str, id: &waymark_domain::Id) -> serde_json::Value {
    match collection {
        "ideas" => serde_json::to_value(ws.idea(id).unwrap().0),
        "feedback" => serde_json::to_value(ws.feedback(id).unwrap().0),
        "personas" => serde_json::to_value(ws.persona(id).unwrap().0),
        "stories" => serde_json::to_value(ws.story(id).unwrap().0),
        "documents" => serde_json::to_value(ws.document(id).unwrap().0),
        "features" => serde_json::to_value(ws.item::<waymark_domain::feature::Feature>(id).unwrap().0),
        other => panic!("no view for {other}"),
    }
    .unwrap()
}

#[test]
fn every_typing_edit_shows_at_once_what_the_document_then_holds() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let idea = ws.create_idea("Dark mode", 2, "Ana").unwrap();
    let feedback = ws.create_feedback("Too dark", Channel::Survey, 2, "Ana").unwrap();
    let persona = ws.create_persona("Priya", 2, "Ana").unwrap();
    let story = ws.create_story("pay by card", 2, "Ana").unwrap();
    let document = ws.create_document("Spec", DocKind::Spec, 2, "Ana").unwrap();
    let feature = ws.create_item::<waymark_domain::feature::Feature>("Offline", 2, "Ana").unwrap();
    let edits = vec![
        Edit::IdeaText(idea.clone(), IdeaText::Title, "Dark mode everywhere".into()),
        Edit::IdeaText(idea.clone(), IdeaText::Description, "At night".into()),
        Edit::IdeaText(idea, IdeaText::StatusReason, "Later".into()),
        Edit::FeedbackText(feedback, "Far too dark".into()),
        Edit::PersonaText(persona.clone(), PersonaText::PainPoints, "Slow checkout".into()),
        Edit::PersonaText(persona, PersonaText::Quote, "Just let me pay".into()),
        Edit::StoryText { story: story.clone(), benefit: false, text: "pay by card today".into() },
        Edit::StoryText { story, benefit: true, text: "I finish faster".into() },
        Edit::DocumentText { document: document.clone(), body: false, text: "Spec: dark mode".into() },
        Edit::DocumentText { document, body: true, text: "# Why\nNight use".into() },
        Edit::SetField { item: Ref { collection: "features", id: feature.clone() }, key: "title".into(), value: FieldEdit::Value("Offline first".into()) },
        Edit::SetField { item: Ref { collection: "features", id: feature }, key: "theme".into(), value: FieldEdit::Value("Work anywhere".into()) },
    ];
    for edit in edits {
        let Some(Typed::Item { collection, id, field, text }) = edit.typed() else { panic!("{edit:?} is typing") };
        let (collection, id, field, text) = (collection.to_owned(), id.clone(), field.to_owned(), text.to_owned());
        ws.apply_edit(edit, 3, "Ana").unwrap();
        assert_eq!(view(&ws, &collection, &id)[&field], serde_json::Value::String(text), "{collection}.{field}");
    }
    for field in [BriefField::Name, BriefField::What, BriefField::NorthStar, BriefField::Resources] {
        let edit = Edit::BriefText(field, format!("typed into {field:?}"));
        let Some(Typed::Brief(f, text)) = edit.typed() else { panic!("the brief is typed") };
        let mut shown = ws.brief().0;
        *shown.text_mut(f) = text.to_owned();
        ws.apply_edit(edit, 3, "Ana").unwrap();
        assert_eq!(ws.brief().0, shown);
    }
    assert_eq!(Edit::Vote { idea: waymark_domain::Id::random(), delta: 1 }.typed(), None, "only typing is shown ahead");
}
