//! Workspaces with every kind of artifact and every kind of link survive a JSON export
//! and import: exporting the imported workspace gives the same file, ids aside — for
//! one of everything, spelled out, and for random workspaces.

use proptest::prelude::*;
use serde_json::Value;
use waymark_domain::competitor::{Competitor, STANDING, THREAT};
use waymark_domain::document::DocKind;
use waymark_domain::export::{from_json, to_json};
use waymark_domain::feedback::{Channel, FeedbackLabel, RatingScale, Sentiment};
use waymark_domain::schema::{IDEAS, PERSONAS, STORIES};
use waymark_domain::persona::PersonaText;
use waymark_domain::priorities::Framework;
use waymark_domain::story::{Step, StoryStatus};
use waymark_domain::trend::{Trend, IMPACT};
use waymark_domain::{BriefField, FieldInput, Id, Idea, IdeaStatus, IdeaText, Ref, Relation, Workspace};

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
            ws.set_feedback_persona(&id, Some(persona), 131).unwrap();
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
            ws.set_story_persona(&id, Some(persona), 141).unwrap();
        }
        if let Some(idea) = idea.and_then(|i| ideas.get(i)) {
            ws.set_story_idea(&id, Some(idea), 141).unwrap();
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
        let targets: Vec<Ref> = ideas.iter().map(|i| Ref::new(IDEAS, i.clone())).chain(stories.iter().map(|s| Ref::new(STORIES, s.clone()))).collect();
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

/// The export with every artifact id (and criterion id) replaced by its place in
/// the file, and the workspace id and time left out: two exports of the same
/// content compare equal, references included.
fn by_position(ws: &Workspace) -> Value {
    let mut text = to_json(ws, 0);
    let json: Value = serde_json::from_str(&text).unwrap();
    let mut n = 0;
    for list in [&json["prioritization"]["criteria"], &json["ideas"], &json["personas"], &json["feedback"], &json["stories"], &json["documents"], &json["features"], &json["objectives"], &json["risks"], &json["experiments"], &json["costs"], &json["competitors"], &json["trends"]] {
        for item in list.as_array().map_or(&[][..], Vec::as_slice) {
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

#[test]
fn one_of_everything_survives_a_round_trip_with_its_references() {
    let ws = waymark_domain::fixtures::one_of_everything();
    let back = from_json(&to_json(&ws, 99), 1_000, "Bo").unwrap();
    assert_ne!(back.workspace_id(), ws.workspace_id());
    let (before, after) = (by_position(&ws), by_position(&back));
    assert_eq!(after, before, "every field, reference and derived figure is the same");
    assert_eq!(back.problems(), vec![], "and the result reads without problems");

    // What that comparison covers, spelled out.
    let j = &after;
    assert_eq!(j["prioritization"]["framework"], "weighted");
    assert_eq!(j["prioritization"]["criteria"], serde_json::json!([{"id": "#0", "name": "Customer value", "weight": 2.0}, {"id": "#1", "name": "Effort", "weight": -1.5}]));
    let idea = &j["ideas"][0];
    assert_eq!(idea["scores"]["weighted"], serde_json::json!({"#0": 8.0, "#1": 4.0}));
    assert_eq!(idea["scores"]["rice"], serde_json::json!({"confidence": 0.8, "effort": 2.0, "impact": 2.0, "reach": 500.0}));
    assert_eq!(idea["scores"]["moscow"], serde_json::json!({"priority": 0.0}));
    assert_eq!(idea["kano_answers"].as_array().unwrap().len(), 3);
    assert_eq!((idea["score"].as_f64(), idea["rank"].as_u64()), (Some(10.0), Some(1)), "2 × 8 + (−1.5) × 4, derived");
    assert_eq!(idea["score_formula"], "2 × 8 + (−1.5) × 4 = 10");
    assert_eq!((&j["ideas"][1]["score"], &j["ideas"][1]["rank"]), (&Value::Null, &Value::Null), "unscored: no effort input");
    assert_eq!(j["ideas"].as_array().unwrap().len(), 2, "the deleted idea is left out");
    let fb = &j["feedback"][0];
    assert_eq!((fb["rating"].as_i64(), fb["rating_scale"].as_str()), (Some(9), Some("nps")));
    assert_eq!((fb["sentiment"].as_str(), &fb["tags"]), (Some("positive"), &serde_json::json!(["cash flow"])));
    assert_eq!(j["feedback_summary"]["nps"]["respondents"], 1);
    assert_eq!(j["feedback_summary"]["csat"]["percent"], 0.0);
    let story = &j["stories"][0];
    assert_eq!(story["status"].as_str(), Some("ready"));
    let givens: Vec<&str> = story["criteria"].as_array().unwrap().iter().map(|c| c["given"].as_str().unwrap()).collect();
    assert_eq!(givens, ["a disputed invoice", "an overdue invoice", "a paid invoice"], "in their reordered order");
    let doc = &j["documents"][0];
    assert_eq!((doc["kind"].as_str(), doc["tags"].clone()), (Some("spec"), serde_json::json!(["billing"])));
    let link = |from: &str, relation: &str, to: &str| serde_json::json!({ "from": from, "relation": relation, "to": to });
    assert_eq!(
        j["links"],
        serde_json::json!([
            link("feedback/#5", "speaks_for", "personas/#4"),
            link("feedback/#5", "supports", "ideas/#2"),
            link("feedback/#5", "supports", "ideas/#3"),
            link("stories/#7", "comes_from", "ideas/#2"),
            link("stories/#7", "speaks_for", "personas/#4"),
            link("features/#9", "judged_by", "objectives/#11"),
            link("features/#9", "serves", "objectives/#11"),
            link("objectives/#11", "part_of", "objectives/#10"),
            link("risks/#12", "threatens", "features/#9"),
            link("costs/#14", "spent_on", "features/#9"),
            link("documents/#8", "describes", "ideas/#2"),
            link("documents/#8", "describes", "stories/#7"),
        ]),
        "between live artifacts only: not to the deleted idea"
    );
    let kpi = &j["objectives"][1];
    assert_eq!(kpi["measurements"], serde_json::json!([{"date": "2026-10-01", "value": 300.0}, {"date": "2026-11-01", "value": 420.5}]));
    assert_eq!((j["costs"][0]["amount"].as_f64(), j["features"][0]["success_target"].as_f64()), (Some(12_500.5), Some(450.0)));
    assert_eq!(j["personas"][0]["segment_size"], 12_000.0);
    assert_eq!(j["personas"][0]["pain_points"], "Pain points of Fiona\nsecond line");
    for (list, n) in [("personas", 1), ("feedback", 2), ("stories", 1), ("documents", 1)] {
        assert_eq!(j[list].as_array().unwrap().len(), n, "{list}: deleted ones are left out");
    }

    // And in the typed model: the references point at the new artifacts.
    let ideas = live_ideas(&back);
    let persona = back.personas().0.into_iter().find(|p| !p.deleted).unwrap();
    let story = back.stories().0.into_iter().find(|s| !s.deleted).unwrap();
    let feedback = back.all_feedback().0.into_iter().find(|f| f.rating == Some(9)).unwrap();
    let document = back.documents().0.into_iter().find(|d| !d.deleted).unwrap();
    assert_eq!(story.persona, persona.id.clone());
    assert_eq!(story.idea, ideas[0].id.clone());
    assert_eq!(feedback.persona, persona.id.clone());
    let mut linked = feedback.ideas.clone();
    linked.sort();
    let mut expected: Vec<Id> = ideas.iter().filter_map(|i| i.id.clone()).collect();
    expected.sort();
    assert_eq!(linked, expected);
    assert!(document.describes(ideas[0].id.as_ref().unwrap()) && document.describes(story.id.as_ref().unwrap()));
    let story_ref = Ref::new(STORIES, story.id.clone().unwrap());
    let index = back.link_index();
    assert_eq!(index.sources(&Ref::new(PERSONAS, persona.id.clone().unwrap()), Relation::SpeaksFor).count(), 2, "the story and the feedback");
    assert_eq!(index.sources(&story_ref, Relation::Describes).count(), 1, "read from the story's side");

    assert_eq!(waymark_domain::priorities::kano_result(&ideas[0].scores).counts, [0, 1, 2, 0, 0, 0]);
    assert_eq!(ideas[1].title, "# Owned [x](javascript:alert(1)) <script>", "hostile text is data");
    assert_eq!((persona.created_at, persona.created_by.as_str(), persona.updated_at), (5, "Ana", 7));
    assert_eq!((document.created_at, document.updated_at), (50, 53));
}


/// The live ideas, oldest first.
fn live_ideas(ws: &Workspace) -> Vec<Idea> {
    let mut ideas: Vec<Idea> = ws.ideas().0.into_iter().filter(|i| !i.deleted).collect();
    ideas.sort_by_key(|i| i.created_at);
    ideas
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

#[test]
fn tags_on_stories_and_on_every_kind_survive_a_round_trip() {
    use waymark_domain::feature::Feature;
    use waymark_domain::schema::FEATURES;
    let mut ws = Workspace::create("Tags", 1, "Ana");
    let story = ws.create_story("Pay by card", 2, "Ana").unwrap();
    let feature = ws.create_item::<Feature>("Self-serve billing", 2, "Ana").unwrap();
    for (target, tag) in [(Ref::new(STORIES, story), "billing"), (Ref::new(FEATURES, feature), "q3"), (Ref::new(FEATURES, Id::random()), "x")] {
        let _ = ws.set_tag(&target, tag, true, 3);
    }
    let back = from_json(&to_json(&ws, 4), 5, "Ben").unwrap();
    assert_eq!(back.stories().0[0].tags, ["billing"]);
    assert_eq!(back.items::<Feature>().0[0].meta.tags, ["q3"]);
}
