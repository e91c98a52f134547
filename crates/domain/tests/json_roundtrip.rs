//! Random workspaces with every kind of artifact and every kind of link survive a JSON
//! export and import: exporting the imported workspace gives the same file, ids aside.

use proptest::prelude::*;
use serde_json::Value;
use waymark_domain::competitor::{Competitor, STANDING, THREAT};
use waymark_domain::document::DocKind;
use waymark_domain::export::{from_json, to_json};
use waymark_domain::feedback::{Channel, FeedbackLabel, RatingScale, Sentiment};
use waymark_domain::persona::PersonaText;
use waymark_domain::priorities::Framework;
use waymark_domain::story::{Step, StoryStatus};
use waymark_domain::trend::{Trend, IMPACT};
use waymark_domain::{BriefField, FieldInput, Id, IdeaStatus, IdeaText, Workspace};

/// Text people type, hostile characters and line breaks included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z ]{1,12}",
        "[a-z0-9 <>#*_\\[\\]()!&\"'\n-]{1,24}",
        "\\PC{1,8}",
    ]
}

/// A one-line name (what a title field keeps).
fn line() -> impl Strategy<Value = String> {
    "[A-Za-z][a-zA-Z0-9 <>&'-]{0,16}".prop_map(|s| s.trim().to_owned())
}

fn day() -> impl Strategy<Value = String> {
    (1990u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

#[derive(Clone, Debug)]
struct Plan {
    ideas: Vec<(String, String, usize, i64, Vec<String>, Option<(f64, f64)>)>,
    personas: Vec<(String, String, Option<f64>)>,
    feedback: Vec<(String, usize, String, Option<String>, Option<i64>, usize, Option<usize>, Option<usize>)>,
    stories: Vec<(String, String, Option<usize>, Option<usize>, usize, Vec<(String, String, String)>)>,
    documents: Vec<(String, usize, String, Vec<usize>)>,
    competitors: Vec<(String, String, Option<usize>, Vec<(String, usize)>)>,
    trends: Vec<(String, Option<String>, Option<usize>, String)>,
    deleted: Vec<usize>,
}

fn plan() -> impl Strategy<Value = Plan> {
    let ideas = prop::collection::vec(
        (line(), text(), 0..IdeaStatus::ALL.len(), 0i64..5, prop::collection::vec("[a-z]{1,8}", 0..3), prop::option::of((1.0f64..1000.0, 0.5f64..8.0))),
        0..4,
    );
    let personas = prop::collection::vec((line(), text(), prop::option::of(0.0f64..1e6)), 0..3);
    let feedback = prop::collection::vec(
        (text(), 0..Channel::ALL.len(), line(), prop::option::of(day()), prop::option::of(0i64..=5), 0usize..3, prop::option::of(0usize..4), prop::option::of(0usize..3)),
        0..4,
    );
    let stories = prop::collection::vec(
        (line(), text(), prop::option::of(0usize..3), prop::option::of(0usize..4), 0..StoryStatus::ALL.len(), prop::collection::vec((text(), text(), text()), 0..3)),
        0..3,
    );
    let documents = prop::collection::vec((line(), 0..DocKind::ALL.len(), text(), prop::collection::vec(0usize..7, 0..3)), 0..3);
    let competitors = prop::collection::vec(
        (line(), text(), prop::option::of(0..THREAT.len()), prop::collection::vec(("[A-Za-z][a-z ]{0,10}", 0..STANDING.len()), 0..3)),
        0..3,
    );
    let trends = prop::collection::vec((line(), prop::option::of(day()), prop::option::of(0..IMPACT.len()), text()), 0..3);
    (ideas, personas, feedback, stories, documents, competitors, trends, prop::collection::vec(0usize..40, 0..4)).prop_map(
        |(ideas, personas, feedback, stories, documents, competitors, trends, deleted)| Plan {
            ideas,
            personas,
            feedback,
            stories,
            documents,
            competitors,
            trends,
            deleted,
        },
    )
}

/// Builds the workspace a plan describes, through the same calls the app makes (each
/// artifact created before it is edited, as in life).
fn build(p: &Plan) -> Workspace {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    ws.set_brief_text(BriefField::Vision, "Get paid on time").unwrap();
    let mut all: Vec<(u8, Id)> = Vec::new();
    let mut ideas = Vec::new();
    for (n, (title, description, status, votes, tags, rice)) in p.ideas.iter().enumerate() {
        let id = ws.create_idea(title, 10 + n as i64, "Ana").unwrap();
        ws.set_idea_text(&id, IdeaText::Description, description, 111).unwrap();
        ws.set_idea_status(&id, IdeaStatus::ALL[*status], 111).unwrap();
        ws.vote_idea(&id, *votes, 111).unwrap();
        for tag in tags {
            ws.add_idea_tag(&id, tag, 111).unwrap();
        }
        if let Some((reach, effort)) = rice {
            for (input, value) in [("reach", *reach), ("impact", 2.0), ("confidence", 0.8), ("effort", *effort)] {
                ws.set_score_input(&id, Framework::Rice, input, Some(value), 112).unwrap();
            }
        }
        all.push((0, id.clone()));
        ideas.push(id);
    }
    let mut personas = Vec::new();
    for (n, (name, goals, size)) in p.personas.iter().enumerate() {
        let id = ws.create_persona(name, 20 + n as i64, "Bo").unwrap();
        ws.set_persona_text(&id, PersonaText::Goals, goals, 121).unwrap();
        ws.set_persona_segment_size(&id, *size, 121).unwrap();
        all.push((1, id.clone()));
        personas.push(id);
    }
    for (n, (said, channel, customer, date, rating, sentiment, idea, persona)) in p.feedback.iter().enumerate() {
        let channel = Channel::ALL[*channel];
        let id = ws.create_feedback(said, channel, 30 + n as i64, "Ana").unwrap();
        ws.set_feedback_label(&id, FeedbackLabel::Customer, customer, 131).unwrap();
        if let Some(date) = date {
            ws.set_feedback_label(&id, FeedbackLabel::Date, date, 131).unwrap();
        }
        if let Some(persona) = persona.and_then(|i| personas.get(i)) {
            ws.set_feedback_label(&id, FeedbackLabel::Persona, persona.as_str(), 131).unwrap();
        }
        if let Some(r) = rating {
            ws.set_feedback_rating(&id, Some((*r, RatingScale::Nps)), 131).unwrap();
        }
        ws.set_feedback_sentiment(&id, [None, Some(Sentiment::Positive), Some(Sentiment::Negative)][*sentiment], 131).unwrap();
        if let Some(idea) = idea.and_then(|i| ideas.get(i)) {
            ws.link_feedback_to_idea(&id, idea, true, 132).unwrap();
        }
        all.push((2, id));
    }
    let mut stories = Vec::new();
    for (n, (goal, benefit, persona, idea, status, criteria)) in p.stories.iter().enumerate() {
        let id = ws.create_story(goal, 40 + n as i64, "Ana").unwrap();
        ws.set_story_text(&id, true, benefit, 141).unwrap();
        if let Some(persona) = persona.and_then(|i| personas.get(i)) {
            ws.set_story_link(&id, false, persona.as_str(), 141).unwrap();
        }
        if let Some(idea) = idea.and_then(|i| ideas.get(i)) {
            ws.set_story_link(&id, true, idea.as_str(), 141).unwrap();
        }
        ws.set_story_status(&id, StoryStatus::ALL[*status], 141).unwrap();
        for (given, when, then) in criteria {
            let c = ws.add_criterion(&id, 142).unwrap();
            for (step, t) in [(Step::Given, given), (Step::When, when), (Step::Then, then)] {
                ws.set_criterion_step(&id, &c, step, t, 142).unwrap();
            }
        }
        all.push((3, id.clone()));
        stories.push(id);
    }
    for (n, (title, kind, body, links)) in p.documents.iter().enumerate() {
        let id = ws.create_document(title, DocKind::ALL[*kind], 50 + n as i64, "Bo").unwrap();
        ws.set_document_text(&id, true, body, 151).unwrap();
        let targets: Vec<&Id> = ideas.iter().chain(&stories).collect();
        for target in links.iter().filter_map(|l| targets.get(*l)) {
            ws.link_document(&id, target, true, 152).unwrap();
        }
        all.push((4, id));
    }
    for (n, (name, positioning, threat, rows)) in p.competitors.iter().enumerate() {
        let id = ws.create_item::<Competitor>(name, 60 + n as i64, "Ana").unwrap();
        ws.set_field::<Competitor>(&id, "positioning", FieldInput::Value(positioning), 161).unwrap();
        if let Some(t) = threat {
            ws.set_field::<Competitor>(&id, "threat", FieldInput::Value(THREAT[*t].0), 161).unwrap();
        }
        for (feature, standing) in rows {
            ws.set_field::<Competitor>(&id, "comparison", FieldInput::Row { name: feature, value: STANDING[*standing].0 }, 162).unwrap();
        }
        all.push((5, id));
    }
    for (n, (title, date, level, impact)) in p.trends.iter().enumerate() {
        let id = ws.create_item::<Trend>(title, 70 + n as i64, "Bo").unwrap();
        if let Some(date) = date {
            ws.set_field::<Trend>(&id, "date", FieldInput::Value(date), 171).unwrap();
        }
        if let Some(l) = level {
            ws.set_field::<Trend>(&id, "impact_level", FieldInput::Value(IMPACT[*l].0), 171).unwrap();
        }
        ws.set_field::<Trend>(&id, "impact", FieldInput::Value(impact), 171).unwrap();
        all.push((6, id));
    }
    for n in &p.deleted {
        let Some((kind, id)) = all.get(*n) else { continue };
        match kind {
            0 => ws.delete_idea(id, 180),
            1 => ws.delete_persona(id, 180),
            2 => ws.delete_feedback(id, 180),
            3 => ws.delete_story(id, 180),
            4 => ws.delete_document(id, 180),
            5 => ws.delete_item::<Competitor>(id, 180),
            _ => ws.delete_item::<Trend>(id, 180),
        }
        .unwrap();
    }
    ws.commit();
    ws
}

/// The export with every id replaced by its place in the file and the workspace id
/// and time left out.
fn by_position(ws: &Workspace) -> Value {
    let mut text = to_json(ws, 0);
    let json: Value = serde_json::from_str(&text).unwrap();
    let mut n = 0;
    for key in ["ideas", "personas", "feedback", "stories", "documents", "competitors", "trends"] {
        for item in json[key].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            assert_eq!(id.len(), 26, "an exported id");
            text = text.replace(id, &format!("#{n}"));
            n += 1;
        }
    }
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["workspace_id"] = Value::Null;
    json
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn export_import_export_is_the_same_file(p in plan()) {
        let ws = build(&p);
        let imported = from_json(&to_json(&ws, 5), 1_000, "Cy").expect("an export imports");
        prop_assert_eq!(imported.problems(), vec![]);
        prop_assert_eq!(by_position(&imported), by_position(&ws));
        // And the imported workspace is a real document: it saves and opens again.
        let reopened = Workspace::load(&imported.clone().save()).expect("it opens");
        prop_assert_eq!(by_position(&reopened), by_position(&ws));
    }
}
