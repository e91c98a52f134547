//! The JSON export and import (shape documented in [`crate::export`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use super::oldest_first;
use crate::document::DocKind;
use crate::feedback::{satisfaction, Channel, Feedback, FeedbackLabel, RatingScale, Sentiment};
use crate::persona::{Persona, PersonaText};
use crate::priorities::{kano_answers, Framework, ScoreInputs};
use crate::ranking::{formula, rank};
use crate::schema::{DOCUMENTS, FEEDBACK, IDEAS, PERSONAS, STORIES, TAGS};
use crate::scoring::KanoAnswer;
use crate::story::{Step, Story, StoryStatus};
use crate::{Brief, BriefField, BriefNumber, Document, EditError, Id, Idea, IdeaLabel, IdeaStatus, IdeaText, Ref, Relation, Workspace};

/// The value of the file's `format` field.
pub const FORMAT: &str = "waymark-workspace";
/// The shape version this build writes. It also reads every older version.
pub const VERSION: u64 = 4;

/// Why a JSON file could not be imported. Nothing is created when this is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("it is not valid JSON ({0})")]
    NotJson(String),
    #[error("it is JSON, but not a Waymark workspace export")]
    WrongFormat,
    #[error("it is a version {0} export, and this app reads versions 1 to 4")]
    UnsupportedVersion(u64),
    #[error("the field {field} is not {expected}")]
    BadField { field: String, expected: &'static str },
}

fn id_text(id: &Option<Id>) -> String {
    id.as_ref().map(Id::to_string).unwrap_or_default()
}

/// Adds who created an artifact and when, and when it last changed.
fn stamped(mut value: Value, created_at: i64, created_by: &str, updated_at: i64) -> Value {
    value["created_at"] = created_at.into();
    value["created_by"] = created_by.into();
    value["updated_at"] = updated_at.into();
    value
}

/// One idea: its fields, inputs for every framework, Kano answers, and (derived) its
/// score, rank and worked formula under the workspace's framework.
fn idea_json(i: &Idea, ranked: Option<&crate::ranking::Ranked>, framework: Framework, criteria: &[crate::priorities::WeightedCriterion]) -> Value {
    let mut scores: ScoreInputs = i.scores.clone();
    scores.remove(Framework::Kano.key());
    let kano: Vec<Value> = kano_answers(&i.scores)
        .into_iter()
        .flat_map(|((f, d), ids)| std::iter::repeat_n(json!({ "functional": f.key(), "dysfunctional": d.key() }), ids.len()))
        .collect();
    let value = json!({
        "id": id_text(&i.id),
        "title": i.title,
        "description": i.description,
        "status": i.status.key(),
        "status_reason": i.status_reason,
        "source": i.source,
        "submitter": i.submitter,
        "tags": i.tags,
        "votes": i.votes,
        "scores": scores,
        "kano_answers": kano,
        "score": ranked.and_then(|r| r.score.value()),
        "rank": ranked.and_then(|r| r.rank),
        "score_formula": formula(framework, &i.scores, criteria),
    });
    stamped(value, i.created_at, &i.created_by, i.updated_at)
}

fn persona_json(p: &Persona) -> Value {
    let mut value = json!({ "id": id_text(&p.id) });
    for field in PersonaText::ALL {
        value[field.key()] = p.text(field).into();
    }
    value["segment_size"] = p.segment_size.into();
    stamped(value, p.created_at, &p.created_by, p.updated_at)
}

fn feedback_json(f: &Feedback) -> Value {
    let value = json!({
        "id": id_text(&f.id),
        "text": f.text,
        "channel": f.channel.key(),
        "customer": f.customer,
        "segment": f.segment,
        "date": f.date.map(|d| d.to_string()).unwrap_or_default(),
        "rating": f.rating,
        "rating_scale": f.scale.map(RatingScale::key),
        "sentiment": f.sentiment.map(Sentiment::key),
        "tags": f.tags,
    });
    stamped(value, f.created_at, &f.created_by, f.updated_at)
}

fn story_json(s: &Story) -> Value {
    let criteria: Vec<Value> = s.criteria.iter().map(|c| json!({ "given": c.given, "when": c.when, "then": c.then })).collect();
    let value = json!({
        "id": id_text(&s.id),
        "goal": s.goal,
        "benefit": s.benefit,
        "criteria": criteria,
        "estimate": s.estimate,
        "status": s.status.key(),
        "tags": s.tags,
    });
    stamped(value, s.created_at, &s.created_by, s.updated_at)
}

fn document_json(d: &Document) -> Value {
    let value = json!({
        "id": id_text(&d.id),
        "title": d.title,
        "kind": d.kind.key(),
        "body": d.body,
        "tags": d.tags,
    });
    stamped(value, d.created_at, &d.created_by, d.updated_at)
}

/// The workspace as pretty JSON: its brief (with the derived ROI), prioritisation
/// settings, and every live artifact, oldest first, with derived figures beside them.
pub fn to_json(ws: &Workspace, exported_at_ms: i64) -> String {
    let (brief, _) = ws.brief();
    let ideas = oldest_first(ws.ideas().0, |i| (i.deleted, i.created_at, i.id.as_ref()));
    let personas = oldest_first(ws.personas().0, |p| (p.deleted, p.created_at, p.id.as_ref()));
    let feedback = oldest_first(ws.all_feedback().0, |f| (f.deleted, f.created_at, f.id.as_ref()));
    let stories = oldest_first(ws.stories().0, |s| (s.deleted, s.created_at, s.id.as_ref()));
    let documents = oldest_first(ws.documents().0, |d| (d.deleted, d.created_at, d.id.as_ref()));

    let framework = ws.framework();
    let criteria = ws.weighted_criteria();
    let ranked: HashMap<Id, crate::ranking::Ranked> = rank(&ideas, framework, &criteria).into_iter().map(|r| (r.id.clone(), r)).collect();
    let criteria_json: Vec<Value> = criteria.iter().map(|c| json!({ "id": c.id.as_str(), "name": c.name, "weight": c.weight })).collect();

    let summary = satisfaction(&feedback);
    let nps = summary.nps.map(|n| {
        json!({ "score": n.score, "promoters": n.promoters, "passives": n.passives, "detractors": n.detractors, "respondents": n.respondents })
    });
    let csat = summary.csat.map(|c| json!({ "percent": c.percent, "satisfied": c.satisfied, "respondents": c.respondents }));

    let mut brief_json = serde_json::to_value(&brief).expect("a brief is plain data");
    brief_json["roi"] = brief.roi().map_or(Value::Null, Value::from);
    let mut doc = json!({
        "format": FORMAT,
        "version": VERSION,
        "workspace_id": ws.workspace_id(),
        "exported_at": exported_at_ms,
        "brief": brief_json,
        "prioritization": { "framework": framework.key(), "criteria": criteria_json },
        "ideas": ideas.iter().map(|i| idea_json(i, i.id.as_ref().and_then(|id| ranked.get(id)), framework, &criteria)).collect::<Vec<_>>(),
        "personas": personas.iter().map(persona_json).collect::<Vec<_>>(),
        "feedback": feedback.iter().map(feedback_json).collect::<Vec<_>>(),
        "feedback_summary": { "nps": nps, "csat": csat },
        "stories": stories.iter().map(story_json).collect::<Vec<_>>(),
        "documents": documents.iter().map(document_json).collect::<Vec<_>>(),
    });
    super::kinds::export_json(ws, &mut doc);
    doc["links"] = links_json(ws, &doc).into();
    serde_json::to_string_pretty(&doc).expect("JSON values serialise")
}

/// Reads fields of one JSON object, naming any of the wrong type by its full path.
pub(super) struct Fields<'a> {
    /// `None` for a missing object: every field reads as missing.
    obj: Option<&'a Map<String, Value>>,
    /// `brief.`, `ideas[3].`, or "" for the root.
    path: String,
}

impl<'a> Fields<'a> {
    /// The object `value` at `name` (`ideas[3]`).
    pub(super) fn of(value: &'a Value, name: String) -> Result<Fields<'a>, ImportError> {
        match value {
            Value::Object(obj) => Ok(Fields { obj: Some(obj), path: format!("{name}.") }),
            _ => Err(ImportError::BadField { field: name, expected: "an object" }),
        }
    }

    pub(super) fn bad(&self, key: &str, expected: &'static str) -> ImportError {
        ImportError::BadField { field: format!("{}{key}", self.path), expected }
    }

    /// A present, non-null value.
    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj?.get(key).filter(|v| !v.is_null())
    }

    /// The keys present, in file order.
    pub(super) fn keys(&self) -> impl Iterator<Item = &'a String> {
        self.obj.into_iter().flat_map(|o| o.keys())
    }

    pub(super) fn text(&self, key: &str) -> Result<String, ImportError> {
        match self.get(key) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.bad(key, "text")),
        }
    }

    pub(super) fn number(&self, key: &str) -> Result<Option<f64>, ImportError> {
        match self.get(key) {
            None => Ok(None),
            // serde_json refuses non-finite numbers while parsing, so any f64 is finite.
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(self.bad(key, "a number")),
        }
    }

    /// A number that may not be negative (a size, an estimate).
    pub(super) fn amount(&self, key: &str) -> Result<Option<f64>, ImportError> {
        match self.number(key)? {
            Some(n) if n < 0.0 => Err(self.bad(key, "a number, 0 or more")),
            n => Ok(n),
        }
    }

    pub(super) fn whole_or_none(&self, key: &str) -> Result<Option<i64>, ImportError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(Some(i)),
                // 3.0 is a whole number, written by a tool that only has floats.
                (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                _ => Err(self.bad(key, "a whole number")),
            },
            Some(_) => Err(self.bad(key, "a whole number")),
        }
    }

    pub(super) fn whole(&self, key: &str) -> Result<i64, ImportError> {
        Ok(self.whole_or_none(key)?.unwrap_or(0))
    }

    pub(super) fn text_list(&self, key: &str) -> Result<Vec<String>, ImportError> {
        self.list(key, "a list of text")?
            .iter()
            .map(|t| t.as_str().map(str::to_owned).ok_or_else(|| self.bad(key, "a list of text")))
            .collect()
    }

    /// One of a fixed set of keys (a status, a channel…); `None` when missing or "".
    /// A calendar day (`YYYY-MM-DD`); `None` when missing or "".
    pub(super) fn date(&self, key: &str) -> Result<Option<crate::Date>, ImportError> {
        match self.text(key).map_err(|_| self.bad(key, "a date (YYYY-MM-DD)"))?.as_str() {
            "" => Ok(None),
            raw => crate::Date::parse(raw).map(Some).map_err(|_| self.bad(key, "a date (YYYY-MM-DD)")),
        }
    }

    pub(super) fn choice<T>(&self, key: &str, parse: impl Fn(&str) -> Option<T>, expected: &'static str) -> Result<Option<T>, ImportError> {
        match self.text(key).map_err(|_| self.bad(key, expected))?.as_str() {
            "" => Ok(None),
            raw => parse(raw).map(Some).ok_or_else(|| self.bad(key, expected)),
        }
    }

    /// The object at `key`; a missing one reads as empty.
    pub(super) fn object(&self, key: &str) -> Result<Fields<'a>, ImportError> {
        match self.get(key) {
            None => Ok(Fields { obj: None, path: format!("{}{key}.", self.path) }),
            Some(v) => Fields::of(v, format!("{}{key}", self.path)),
        }
    }

    /// The array at `key`; a missing one reads as empty.
    pub(super) fn list(&self, key: &str, expected: &'static str) -> Result<&'a [Value], ImportError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.bad(key, expected)),
        }
    }

    /// Reads every object of the array at `key`.
    pub(super) fn each<T>(&self, key: &str, read: impl Fn(Fields<'a>) -> Result<T, ImportError>) -> Result<Vec<T>, ImportError> {
        let items = self.list(key, "a list")?;
        items.iter().enumerate().map(|(n, v)| read(Fields::of(v, format!("{}{key}[{n}]", self.path))?)).collect()
    }
}

/// An artifact read from the file: its id there, and what to create.
pub(super) struct Item<T> {
    pub(super) id: String,
    pub(super) value: T,
}

/// One functional/dysfunctional answer pair per respondent.
type KanoAnswers = Vec<(KanoAnswer, KanoAnswer)>;

/// Everything a file holds, checked, before anything is created.
struct File {
    brief: Brief,
    framework: Framework,
    /// Weighted-scoring criteria: name and weight.
    criteria: Vec<Item<(String, f64)>>,
    /// Each idea (its `scores` as in the file) with its Kano answers.
    ideas: Vec<Item<(Idea, KanoAnswers)>>,
    personas: Vec<Item<Persona>>,
    /// Feedback with the links its fields held before version 4.
    feedback: Vec<Item<(Feedback, Vec<FileLink>)>>,
    /// Stories with the links their fields held before version 4.
    stories: Vec<Item<(Story, Vec<FileLink>)>>,
    /// Documents with the file ids of the ideas and stories they linked before version 4.
    documents: Vec<Item<(Document, Vec<String>)>>,
    /// Artifacts of every kind described through [`crate::Kind`].
    kinds: Vec<Item<super::kinds::KindItem>>,
    /// The `links` array (version 4).
    links: Vec<FileLink>,
}

/// A link as a file writes it: each end is a collection and an id in the file. The
/// `from` id is left empty by the item that holds an old-form link (it is that item).
struct FileLink {
    from: (&'static str, String),
    relation: Relation,
    to: (&'static str, String),
}

impl FileLink {
    /// A link an item's own field held before version 4 (`to` may be "": none).
    fn old(from: &'static str, relation: Relation, to: &'static str, to_id: String) -> FileLink {
        FileLink { from: (from, String::new()), relation, to: (to, to_id) }
    }
}

/// Every link between two exported artifacts, in the file's order of their sources.
fn links_json(ws: &Workspace, doc: &Value) -> Vec<Value> {
    let mut position: HashMap<Ref, usize> = HashMap::new();
    for collection in crate::schema::COLLECTIONS {
        for item in doc[*collection].as_array().into_iter().flatten() {
            if let Some(id) = item["id"].as_str().and_then(Id::parse) {
                let n = position.len();
                position.insert(Ref::new(collection, id), n);
            }
        }
    }
    let index = ws.link_index();
    let mut links: Vec<(usize, &str, usize, Value)> = position
        .keys()
        .flat_map(|from| index.from(from))
        .filter_map(|l| {
            let (from, to) = (position.get(&l.from)?, position.get(&l.to)?);
            Some((*from, l.relation.key(), *to, json!({ "from": l.from.to_string(), "relation": l.relation.key(), "to": l.to.to_string() })))
        })
        .collect();
    crate::sort::sort_by(&mut links, |a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    links.into_iter().map(|l| l.3).collect()
}

/// The `links` array: `from` and `to` name a collection and an id in the file.
fn read_links(root: &Fields) -> Result<Vec<FileLink>, ImportError> {
    root.each("links", |l| {
        let end = |key: &str| -> Result<(&'static str, String), ImportError> {
            let raw = l.text(key)?;
            let (collection, id) = raw.split_once('/').ok_or_else(|| l.bad(key, "a collection and an id (ideas/…)"))?;
            let collection = crate::schema::COLLECTIONS.iter().find(|c| **c == collection).ok_or_else(|| l.bad(key, "a collection and an id (ideas/…)"))?;
            Ok((collection, id.to_owned()))
        };
        let relation = l.choice("relation", Relation::parse, "a known relation")?.ok_or_else(|| l.bad("relation", "a known relation"))?;
        let (from, to) = (end("from")?, end("to")?);
        if !relation.allows(from.0, to.0) {
            return Err(l.bad("relation", "a relation between those kinds"));
        }
        Ok(FileLink { from, relation, to })
    })
}

/// The artifact's `id`, which no other artifact in the file may share.
fn file_id(f: &Fields, seen: &mut BTreeSet<String>) -> Result<String, ImportError> {
    let id = f.text("id")?;
    if !id.is_empty() && !seen.insert(id.clone()) {
        return Err(f.bad("id", "an id no other item in the file has"));
    }
    Ok(id)
}

fn read_brief(f: &Fields) -> Result<Brief, ImportError> {
    Ok(Brief {
        name: f.text("name")?,
        vision: f.text("vision")?,
        strategy: f.text("strategy")?,
        north_star: f.text("north_star")?,
        what: f.text("what")?,
        why: f.text("why")?,
        timeline: f.text("timeline")?,
        benefits: f.text("benefits")?,
        resources: f.text("resources")?,
        benefit_value: f.number("benefit_value")?,
        budget: f.number("budget")?,
    })
}

/// `scores`: framework → input → number (inputs this app does not know are ignored
/// when writing).
fn read_scores(f: &Fields) -> Result<ScoreInputs, ImportError> {
    let scores = f.object("scores")?;
    let mut out = ScoreInputs::new();
    for framework in scores.keys() {
        let inputs = scores.object(framework)?;
        let mut values = BTreeMap::new();
        for input in inputs.keys() {
            if let Some(v) = inputs.number(input)? {
                values.insert(input.clone(), v);
            }
        }
        out.insert(framework.clone(), values);
    }
    Ok(out)
}

const KANO: &str = "like, expect, neutral, live_with or dislike";

fn read_idea(f: &Fields) -> Result<(Idea, KanoAnswers), ImportError> {
    let kano = f.each("kano_answers", |a| {
        let answer = |key| a.choice(key, KanoAnswer::parse, KANO)?.ok_or_else(|| a.bad(key, KANO));
        Ok((answer("functional")?, answer("dysfunctional")?))
    })?;
    let idea = Idea {
        id: None,
        title: f.text("title")?,
        description: f.text("description")?,
        status: f.choice("status", IdeaStatus::parse, "a known status")?.unwrap_or_default(),
        status_reason: f.text("status_reason")?,
        source: f.text("source")?,
        submitter: f.text("submitter")?,
        tags: f.text_list("tags")?,
        votes: f.whole("votes")?,
        scores: read_scores(f)?,
        created_at: f.whole("created_at")?,
        created_by: f.text("created_by")?,
        updated_at: f.whole("updated_at")?,
        deleted: false,
    };
    Ok((idea, kano))
}

fn read_persona(f: &Fields) -> Result<Persona, ImportError> {
    let mut p = Persona {
        segment_size: f.amount("segment_size")?,
        created_at: f.whole("created_at")?,
        created_by: f.text("created_by")?,
        updated_at: f.whole("updated_at")?,
        ..Persona::default()
    };
    for field in PersonaText::ALL {
        let text = f.text(field.key())?;
        match field {
            PersonaText::Name => p.name = text,
            PersonaText::Role => p.role = text,
            PersonaText::Goals => p.goals = text,
            PersonaText::PainPoints => p.pain_points = text,
            PersonaText::Motivations => p.motivations = text,
            PersonaText::Behaviours => p.behaviours = text,
            PersonaText::Quote => p.quote = text,
        }
    }
    Ok(p)
}

fn read_feedback(f: &Fields) -> Result<(Feedback, Vec<FileLink>), ImportError> {
    let channel = f.choice("channel", Channel::parse, "a known channel")?.unwrap_or_default();
    let scale = f.choice("rating_scale", RatingScale::parse, "nps or csat")?.or(channel.default_scale());
    let rating = f.whole_or_none("rating")?;
    if let Some(r) = rating {
        let scale = scale.ok_or_else(|| f.bad("rating_scale", "nps or csat, for the rating"))?;
        if !scale.range().contains(&r) {
            return Err(f.bad("rating", "a rating on its scale (NPS 0–10, CSAT 1–5)"));
        }
    }
    let fb = Feedback {
        id: None,
        text: f.text("text")?,
        channel,
        customer: f.text(FeedbackLabel::Customer.key())?,
        segment: f.text(FeedbackLabel::Segment.key())?,
        date: f.date(FeedbackLabel::Date.key())?,
        rating,
        scale,
        sentiment: f.choice("sentiment", Sentiment::parse, "positive, neutral or negative")?,
        persona: None,
        tags: f.text_list("tags")?,
        ideas: Vec::new(),
        created_at: f.whole("created_at")?,
        created_by: f.text("created_by")?,
        updated_at: f.whole("updated_at")?,
        deleted: false,
    };
    let mut links: Vec<FileLink> = f.text_list("ideas")?.into_iter().map(|to| FileLink::old(FEEDBACK, Relation::Supports, IDEAS, to)).collect();
    links.push(FileLink::old(FEEDBACK, Relation::SpeaksFor, PERSONAS, f.text("persona")?));
    Ok((fb, links))
}

fn read_story(f: &Fields) -> Result<(Story, Vec<FileLink>), ImportError> {
    let criteria = f.each("criteria", |c| {
        Ok(crate::story::Criterion { given: c.text("given")?, when: c.text("when")?, then: c.text("then")?, ..Default::default() })
    })?;
    let story = Story {
        id: None,
        persona: None,
        goal: f.text("goal")?,
        benefit: f.text("benefit")?,
        criteria,
        estimate: f.amount("estimate")?,
        status: f.choice("status", StoryStatus::parse, "a known story status")?.unwrap_or_default(),
        idea: None,
        feature: None,
        blocks: Vec::new(),
        tags: f.text_list("tags")?,
        created_at: f.whole("created_at")?,
        created_by: f.text("created_by")?,
        updated_at: f.whole("updated_at")?,
        deleted: false,
    };
    let links = vec![
        FileLink::old(STORIES, Relation::SpeaksFor, PERSONAS, f.text("persona")?),
        FileLink::old(STORIES, Relation::ComesFrom, IDEAS, f.text("idea")?),
    ];
    Ok((story, links))
}

/// A document, with the file ids (ideas or stories) its old link form names.
fn read_document(f: &Fields) -> Result<(Document, Vec<String>), ImportError> {
    let doc = Document {
        id: None,
        title: f.text("title")?,
        kind: f.choice("kind", DocKind::parse, "a known document kind")?.unwrap_or_default(),
        body: f.text("body")?,
        links: Vec::new(),
        tags: f.text_list("tags")?,
        created_at: f.whole("created_at")?,
        created_by: f.text("created_by")?,
        updated_at: f.whole("updated_at")?,
        deleted: false,
    };
    Ok((doc, f.text_list("links")?))
}

/// Reads every artifact of the array at `key`, each with its file id.
pub(super) fn items<'a, T>(
    root: &Fields<'a>,
    key: &str,
    seen: &mut BTreeSet<String>,
    read: impl Fn(&Fields<'a>) -> Result<T, ImportError>,
) -> Result<Vec<Item<T>>, ImportError> {
    let fields = root.each(key, Ok)?;
    fields.iter().map(|f| Ok(Item { id: file_id(f, seen)?, value: read(f)? })).collect()
}

fn read_file(root: &Fields) -> Result<File, ImportError> {
    let mut seen = BTreeSet::new();
    let prioritization = root.object("prioritization")?;
    Ok(File {
        brief: read_brief(&root.object("brief")?)?,
        framework: prioritization.choice("framework", Framework::parse, "a known framework")?.unwrap_or_default(),
        criteria: items(&prioritization, "criteria", &mut seen, |c| Ok((c.text("name")?, c.number("weight")?.unwrap_or(0.0))))?,
        ideas: items(root, "ideas", &mut seen, read_idea)?,
        personas: items(root, "personas", &mut seen, read_persona)?,
        feedback: items(root, "feedback", &mut seen, read_feedback)?,
        stories: items(root, "stories", &mut seen, read_story)?,
        documents: items(root, "documents", &mut seen, read_document)?,
        kinds: super::kinds::read_json(root, &mut seen)?,
        links: read_links(root)?,
    })
}

/// Creates a new workspace (with a new id, and new ids for everything in it) from a
/// JSON export of any version up to [`VERSION`]. Artifacts keep who created them and
/// when; references between them point at the new ids.
pub fn from_json(text: &str, now_ms: i64, by: &str) -> Result<Workspace, ImportError> {
    from_json_reporting(text, now_ms, by, &mut |_, _| {})
}

/// [`from_json`], telling `progress` (artifacts written, artifacts in the file) after
/// each artifact it writes: a big file takes seconds, and a person should see it move.
pub fn from_json_reporting(text: &str, now_ms: i64, by: &str, progress: &mut dyn FnMut(usize, usize)) -> Result<Workspace, ImportError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    let Value::Object(obj) = &root else { return Err(ImportError::WrongFormat) };
    if obj.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(ImportError::WrongFormat);
    }
    match obj.get("version").and_then(Value::as_u64) {
        Some(1..=VERSION) => {}
        Some(v) => return Err(ImportError::UnsupportedVersion(v)),
        None => return Err(ImportError::BadField { field: "version".into(), expected: "a whole number" }),
    }
    // Read and check everything before creating anything.
    let file = read_file(&Fields { obj: Some(obj), path: String::new() })?;
    let mut ws = Workspace::create(&file.brief.name, now_ms, by);
    let total = file.personas.len() + file.ideas.len() + file.stories.len() + file.feedback.len() + file.documents.len() + file.kinds.len();
    let mut done = 0;
    let mut tick = |n: usize| {
        done += n;
        progress(done, total);
    };
    // Each artifact's "last changed" is written once, by `finish`, not by every setter.
    ws.touches_deferred = true;
    write(&mut ws, &file, now_ms, by, &mut tick).expect("writing checked data to a fresh in-memory document cannot fail");
    ws.touches_deferred = false;
    ws.commit();
    Ok(ws)
}

/// The new artifact of each id in the file (ids are unique across a file).
#[derive(Default)]
pub(super) struct NewIds(HashMap<String, Ref>);

impl NewIds {
    pub(super) fn add(&mut self, collection: &'static str, file_id: &str, id: &Id) {
        if !file_id.is_empty() {
            self.0.insert(file_id.to_owned(), Ref::new(collection, id.clone()));
        }
    }

    /// The new artifact `file_id` names, if the file holds it and it is a `collection`.
    fn of(&self, collection: &str, file_id: &str) -> Option<&Ref> {
        self.0.get(file_id).filter(|r| r.collection == collection)
    }
}

/// When and by whom an artifact was created: a tool that does not know leaves these
/// out, and then the import is both.
pub(super) fn origin<'a>(created_at: i64, created_by: &'a str, now_ms: i64, by: &'a str) -> (i64, &'a str) {
    (if created_at > 0 { created_at } else { now_ms }, if created_by.is_empty() { by } else { created_by })
}

/// Sets when an artifact last changed, after everything else was written.
pub(super) fn finish(ws: &mut Workspace, collection: &str, id: &Id, updated_at: i64) -> Result<(), EditError> {
    let obj = ws.artifact(collection, id)?;
    ws.touch_now(&obj, updated_at)
}

/// Writes a checked file into a fresh workspace.
/// Writes `file` into `ws`, calling `tick(n)` as each `n` artifacts are written.
fn write(ws: &mut Workspace, file: &File, now_ms: i64, by: &str, tick: &mut dyn FnMut(usize)) -> Result<(), EditError> {
    let brief = &file.brief;
    for field in BriefField::ALL {
        ws.set_brief_text(field, brief.text(field))?;
    }
    ws.set_brief_number(BriefNumber::BenefitValue, brief.benefit_value)?;
    ws.set_brief_number(BriefNumber::Budget, brief.budget)?;
    ws.set_framework(file.framework)?;
    let mut criteria: HashMap<&str, Id> = HashMap::new();
    for Item { id: file_id, value: (name, weight) } in &file.criteria {
        let id = ws.put_weighted_criterion(None, name, *weight)?;
        criteria.insert(file_id, id);
    }

    let mut new_ids = NewIds::default();
    // Links as written in the file, with the new id of the item that held an old form.
    let mut links: Vec<(Option<Ref>, &FileLink)> = Vec::new();
    for Item { id: file_id, value: p } in &file.personas {
        let (at, author) = origin(p.created_at, &p.created_by, now_ms, by);
        let id = ws.create_persona("", at, author)?;
        for field in PersonaText::ALL {
            ws.set_persona_text(&id, field, p.text(field), at)?;
        }
        ws.set_persona_segment_size(&id, p.segment_size, at)?;
        finish(ws, PERSONAS, &id, p.updated_at.max(at))?;
        new_ids.add(PERSONAS, file_id, &id);
        tick(1);
    }

    for Item { id: file_id, value: (idea, kano) } in &file.ideas {
        let (at, author) = origin(idea.created_at, &idea.created_by, now_ms, by);
        let id = ws.create_idea("", at, author)?;
        // A new idea's fields are empty and its status is "new": only what differs is
        // written (every write is an operation the document keeps and loads).
        for (field, text) in [(IdeaText::Title, &idea.title), (IdeaText::Description, &idea.description), (IdeaText::StatusReason, &idea.status_reason)] {
            if !text.is_empty() {
                ws.set_idea_text(&id, field, text, at)?;
            }
        }
        for (field, text) in [(IdeaLabel::Source, &idea.source), (IdeaLabel::Submitter, &idea.submitter)] {
            if !text.trim().is_empty() {
                ws.set_idea_label(&id, field, text, at)?;
            }
        }
        if idea.status != IdeaStatus::New {
            ws.set_idea_status(&id, idea.status, at)?;
        }
        for tag in &idea.tags {
            ws.add_idea_tag(&id, tag, at)?;
        }
        if idea.votes != 0 {
            ws.vote_idea(&id, idea.votes, at)?;
        }
        for (key, inputs) in &idea.scores {
            let Some(framework) = Framework::parse(key) else { continue };
            for (input, value) in inputs {
                // Weighted inputs are keyed by criterion; other frameworks' by name.
                let input = match framework {
                    Framework::Weighted => criteria.get(input.as_str()).map_or("", Id::as_str),
                    Framework::Kano => continue,
                    other => other.inputs().iter().copied().find(|known| *known == input.as_str()).unwrap_or_default(),
                };
                if !input.is_empty() {
                    ws.set_score_input(&id, framework, input, Some(*value), at)?;
                }
            }
        }
        for (functional, dysfunctional) in kano {
            ws.add_kano_answer(&id, *functional, *dysfunctional, at)?;
        }
        finish(ws, IDEAS, &id, idea.updated_at.max(at))?;
        new_ids.add(IDEAS, file_id, &id);
        tick(1);
    }

    for Item { id: file_id, value: (s, old_links) } in &file.stories {
        let (at, author) = origin(s.created_at, &s.created_by, now_ms, by);
        let id = ws.create_story("", at, author)?;
        ws.set_story_text(&id, false, &s.goal, at)?;
        ws.set_story_text(&id, true, &s.benefit, at)?;
        links.extend(old_links.iter().map(|l| (Some(Ref::new(STORIES, id.clone())), l)));
        ws.set_story_status(&id, s.status, at)?;
        ws.set_story_estimate(&id, s.estimate, at)?;
        for tag in &s.tags {
            ws.set_tag(&Ref::new(STORIES, id.clone()), tag, true, at)?;
        }
        for c in &s.criteria {
            let cid = ws.add_criterion(&id, at)?;
            for (step, text) in [(Step::Given, &c.given), (Step::When, &c.when), (Step::Then, &c.then)] {
                ws.set_criterion_step(&id, &cid, step, text, at)?;
            }
        }
        finish(ws, STORIES, &id, s.updated_at.max(at))?;
        new_ids.add(STORIES, file_id, &id);
        tick(1);
    }

    for Item { id: file_id, value: (fb, old_links) } in &file.feedback {
        let (at, author) = origin(fb.created_at, &fb.created_by, now_ms, by);
        let id = ws.create_feedback("", fb.channel, at, author)?;
        ws.set_feedback_text(&id, &fb.text, at)?;
        for (label, value) in [
            (FeedbackLabel::Customer, fb.customer.as_str()),
            (FeedbackLabel::Segment, fb.segment.as_str()),
            (FeedbackLabel::Date, fb.date.map(|d| d.to_string()).unwrap_or_default().as_str()),
        ] {
            ws.set_feedback_label(&id, label, value, at)?;
        }
        if let (Some(rating), Some(scale)) = (fb.rating, fb.scale) {
            ws.set_feedback_rating(&id, Some((rating, scale)), at)?;
        }
        ws.set_feedback_sentiment(&id, fb.sentiment, at)?;
        for tag in &fb.tags {
            ws.set_feedback_tag(&id, tag, true, at)?;
        }
        links.extend(old_links.iter().map(|l| (Some(Ref::new(FEEDBACK, id.clone())), l)));
        finish(ws, FEEDBACK, &id, fb.updated_at.max(at))?;
        new_ids.add(FEEDBACK, file_id, &id);
        tick(1);
    }

    for Item { id: file_id, value: (d, old_links) } in &file.documents {
        let (at, author) = origin(d.created_at, &d.created_by, now_ms, by);
        let id = ws.create_document("", d.kind, at, author)?;
        ws.set_document_text(&id, false, &d.title, at)?;
        ws.set_document_text(&id, true, &d.body, at)?;
        for target in old_links.iter().filter_map(|l| new_ids.of(IDEAS, l).or_else(|| new_ids.of(STORIES, l))) {
            ws.link_document(&id, &target.clone(), true, at)?;
        }
        // Documents have no tag editor yet; their tags are kept as a set like any other.
        let obj = ws.artifact(DOCUMENTS, &id)?;
        for tag in d.tags.iter().filter_map(|t| crate::idea::normalize_tag(t)) {
            ws.set_member(&obj, TAGS, &tag, true)?;
        }
        finish(ws, DOCUMENTS, &id, d.updated_at.max(at))?;
        new_ids.add(DOCUMENTS, file_id, &id);
        tick(1);
    }
    super::kinds::write(ws, &file.kinds, &mut new_ids, now_ms, by)?;
    tick(file.kinds.len());

    links.extend(file.links.iter().map(|l| (None, l)));
    for (holder, l) in links {
        let from = match holder {
            Some(holder) => Some(holder),
            None => new_ids.of(l.from.0, &l.from.1).cloned(),
        };
        // A link to what the file does not hold, or to the wrong kind, is dropped.
        let (Some(from), Some(to)) = (from, new_ids.of(l.to.0, &l.to.1)) else { continue };
        // Linking is not an edit the file records: the source keeps its `updated_at`.
        let updated_at = ws.updated_at(&from).unwrap_or(now_ms);
        ws.link(&from, l.relation, &to.clone(), updated_at)?;
    }
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Workspace {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        ws.set_brief_text(BriefField::Vision, "Get paid on time").unwrap();
        ws.set_brief_text(BriefField::Timeline, "Q3: beta\nQ4: everyone").unwrap();
        ws.set_brief_number(BriefNumber::BenefitValue, Some(300_000.0)).unwrap();
        ws.set_brief_number(BriefNumber::Budget, Some(120_000.0)).unwrap();
        let a = ws.create_idea("Offline mode", 10, "Ana").unwrap();
        ws.set_idea_text(&a, IdeaText::Description, "Field sales lose signal.\nThey retype orders.", 11).unwrap();
        ws.set_idea_label(&a, IdeaLabel::Source, "support", 11).unwrap();
        ws.set_idea_label(&a, IdeaLabel::Submitter, "Chen", 11).unwrap();
        ws.add_idea_tag(&a, "mobile", 11).unwrap();
        ws.add_idea_tag(&a, "sync", 11).unwrap();
        ws.vote_idea(&a, 3, 12).unwrap();
        ws.set_idea_status(&a, IdeaStatus::Parked, 13).unwrap();
        ws.set_idea_text(&a, IdeaText::StatusReason, "After the billing rewrite", 14).unwrap();
        let b = ws.create_idea("<script>alert(1)</script> ../../etc", 20, "Bo").unwrap();
        ws.vote_idea(&b, 1, 21).unwrap();
        let gone = ws.create_idea("Deleted one", 30, "Ana").unwrap();
        ws.delete_idea(&gone, 31).unwrap();
        ws
    }

    fn live_ideas(ws: &Workspace) -> Vec<Idea> {
        let mut ideas: Vec<Idea> = ws.ideas().0.into_iter().filter(|i| !i.deleted).collect();
        crate::sort::sort_by_key(&mut ideas, |i| i.created_at);
        ideas
    }

    fn bad(field: &str, expected: &'static str) -> Option<ImportError> {
        Some(ImportError::BadField { field: field.into(), expected })
    }

    #[test]
    fn export_has_the_documented_shape() {
        let ws = sample();
        let json: Value = serde_json::from_str(&to_json(&ws, 99)).unwrap();
        assert_eq!(json["format"], "waymark-workspace");
        assert_eq!(json["version"], 4);
        assert_eq!(json["workspace_id"], ws.workspace_id().as_str());
        assert_eq!(json["exported_at"], 99);
        let brief = json["brief"].as_object().unwrap();
        let mut keys: Vec<&str> = brief.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["benefit_value", "benefits", "budget", "name", "north_star", "resources", "roi", "strategy", "timeline", "vision", "what", "why"]
        );
        assert_eq!(brief["roi"], 1.5);
        let ideas = json["ideas"].as_array().unwrap();
        assert_eq!(ideas.len(), 2, "deleted ideas are not exported");
        let first = &ideas[0];
        assert_eq!(first["title"], "Offline mode");
        assert_eq!(first["status"], "parked");
        assert_eq!(first["status_reason"], "After the billing rewrite");
        assert_eq!(first["tags"], serde_json::json!(["mobile", "sync"]));
        assert_eq!((first["votes"].as_i64(), first["created_at"].as_i64(), first["updated_at"].as_i64()), (Some(3), Some(10), Some(14)));
        assert_eq!((first["created_by"].as_str(), first["source"].as_str(), first["submitter"].as_str()), (Some("Ana"), Some("support"), Some("Chen")));
        assert!(first["id"].as_str().is_some_and(|id| !id.is_empty()));
    }

    #[test]
    fn a_big_import_reports_its_progress_to_the_end() {
        let text = to_json(&crate::fixtures::busy_workspace(120), 5);
        let mut seen = Vec::new();
        let ws = from_json_reporting(&text, 9, "Ana", &mut |done, total| seen.push((done, total))).unwrap();
        assert_eq!(ws.live_idea_count(), 120);
        let total = seen[0].1;
        assert!(total >= 120, "every artifact counts: {total}");
        assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0 && w[1].1 == total), "it only moves forward");
        assert_eq!(seen.last(), Some(&(total, total)), "and ends at the whole file");
        assert!(seen.len() >= 120, "a step per idea, not one jump at the end");
    }

    #[test]
    fn roi_is_null_without_a_budget() {
        let ws = Workspace::create("Empty", 1, "Ana");
        let json: Value = serde_json::from_str(&to_json(&ws, 1)).unwrap();
        assert_eq!((&json["brief"]["roi"], &json["brief"]["budget"]), (&Value::Null, &Value::Null));
        assert_eq!(json["ideas"], serde_json::json!([]));
    }

    #[test]
    fn import_creates_a_new_workspace_with_the_same_content() {
        let ws = sample();
        let back = from_json(&to_json(&ws, 99), 1_000, "Bo").unwrap();
        assert_ne!(back.workspace_id(), ws.workspace_id(), "an import is a new workspace");
        assert_eq!(back.brief().0, ws.brief().0);
        let strip = |ideas: Vec<Idea>| ideas.into_iter().map(|i| Idea { id: None, ..i }).collect::<Vec<_>>();
        assert_eq!(strip(live_ideas(&back)), strip(live_ideas(&ws)), "everything but the ids is kept");
        assert_eq!(back.ideas().1, vec![], "and the result reads without problems");
    }

    #[test]
    fn hostile_text_is_kept_as_plain_text() {
        let back = from_json(&to_json(&sample(), 99), 1_000, "Bo").unwrap();
        assert_eq!(live_ideas(&back)[1].title, "<script>alert(1)</script> ../../etc");
    }

    #[test]
    fn missing_fields_take_defaults_and_the_importer_is_the_author() {
        let json = r#"{"format":"waymark-workspace","version":1,"ideas":[{"title":"Bare"},{"votes":2.0,"status":null}]}"#;
        let ws = from_json(json, 500, "Bo").unwrap();
        assert_eq!(ws.name(), "");
        let ideas = live_ideas(&ws);
        assert_eq!(ideas.len(), 2);
        assert_eq!((ideas[0].created_at, ideas[0].created_by.as_str(), ideas[0].status), (500, "Bo", IdeaStatus::New));
        assert_eq!(ideas.iter().map(|i| i.votes).sum::<i64>(), 2, "2.0 is a whole number");
    }

    #[test]
    fn files_that_are_not_exports_are_refused() {
        assert!(matches!(from_json("{not json", 1, "x"), Err(ImportError::NotJson(_))));
        assert!(matches!(from_json("", 1, "x"), Err(ImportError::NotJson(_))));
        assert_eq!(from_json("{\"a\":1}", 1, "x").err(), Some(ImportError::WrongFormat));
        assert_eq!(from_json("[1,2]", 1, "x").err(), Some(ImportError::WrongFormat));
        assert_eq!(from_json("\"waymark-workspace\"", 1, "x").err(), Some(ImportError::WrongFormat));
        assert_eq!(from_json("{\"format\":\"waymark-workspace\",\"version\":7}", 1, "x").err(), Some(ImportError::UnsupportedVersion(7)));
        assert_eq!(from_json("{\"format\":\"waymark-workspace\",\"version\":5}", 1, "x").err(), Some(ImportError::UnsupportedVersion(5)));
        assert_eq!(from_json("{\"format\":\"waymark-workspace\",\"version\":0}", 1, "x").err(), Some(ImportError::UnsupportedVersion(0)));
        assert_eq!(from_json("{\"format\":\"waymark-workspace\"}", 1, "x").err(), bad("version", "a whole number"));
        let huge = "{\"format\":\"waymark-workspace\",\"version\":1,\"brief\":{\"budget\":1e400}}";
        assert!(matches!(from_json(huge, 1, "x"), Err(ImportError::NotJson(_))), "no infinite budgets");
        assert_eq!(from_json("{\"format\":\"waymark-workspace\",\"version\":\"1\"}", 1, "x").err(), bad("version", "a whole number"));
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named() {
        let cases = [
            ("\"brief\":\"Payments\"", "brief", "an object"),
            ("\"brief\":{\"vision\":[\"a\"]}", "brief.vision", "text"),
            ("\"brief\":{\"budget\":\"lots\"}", "brief.budget", "a number"),
            ("\"ideas\":{\"title\":\"x\"}", "ideas", "a list"),
            ("\"ideas\":[{},\"x\"]", "ideas[1]", "an object"),
            ("\"ideas\":[{\"title\":5}]", "ideas[0].title", "text"),
            ("\"ideas\":[{\"votes\":\"3\"}]", "ideas[0].votes", "a whole number"),
            ("\"ideas\":[{\"votes\":2.5}]", "ideas[0].votes", "a whole number"),
            ("\"ideas\":[{\"created_at\":true}]", "ideas[0].created_at", "a whole number"),
            ("\"ideas\":[{\"tags\":\"mobile\"}]", "ideas[0].tags", "a list of text"),
            ("\"ideas\":[{\"tags\":[\"ok\",3]}]", "ideas[0].tags", "a list of text"),
            ("\"ideas\":[{\"status\":\"wontfix\"}]", "ideas[0].status", "a known status"),
            ("\"prioritization\":[]", "prioritization", "an object"),
            ("\"prioritization\":{\"framework\":\"vibes\"}", "prioritization.framework", "a known framework"),
            ("\"prioritization\":{\"criteria\":[{\"weight\":\"-1\"}]}", "prioritization.criteria[0].weight", "a number"),
            ("\"ideas\":[{\"scores\":[]}]", "ideas[0].scores", "an object"),
            ("\"ideas\":[{\"scores\":{\"rice\":5}}]", "ideas[0].scores.rice", "an object"),
            ("\"ideas\":[{\"scores\":{\"rice\":{\"reach\":\"many\"}}}]", "ideas[0].scores.rice.reach", "a number"),
            ("\"ideas\":[{\"kano_answers\":[{\"functional\":\"like\"}]}]", "ideas[0].kano_answers[0].dysfunctional", KANO),
            ("\"ideas\":[{\"kano_answers\":[{\"functional\":\"love\",\"dysfunctional\":\"like\"}]}]", "ideas[0].kano_answers[0].functional", KANO),
            ("\"personas\":{}", "personas", "a list"),
            ("\"personas\":[{\"quote\":7}]", "personas[0].quote", "text"),
            ("\"personas\":[{\"segment_size\":\"big\"}]", "personas[0].segment_size", "a number"),
            ("\"personas\":[{\"segment_size\":-3}]", "personas[0].segment_size", "a number, 0 or more"),
            ("\"feedback\":[{},{\"channel\":\"fax\"}]", "feedback[1].channel", "a known channel"),
            ("\"feedback\":[{\"ideas\":\"i1\"}]", "feedback[0].ideas", "a list of text"),
            ("\"feedback\":[{\"rating\":11,\"rating_scale\":\"nps\"}]", "feedback[0].rating", "a rating on its scale (NPS 0–10, CSAT 1–5)"),
            ("\"feedback\":[{\"rating\":4.5,\"rating_scale\":\"csat\"}]", "feedback[0].rating", "a whole number"),
            ("\"feedback\":[{\"rating\":4,\"channel\":\"interview\"}]", "feedback[0].rating_scale", "nps or csat, for the rating"),
            ("\"feedback\":[{\"sentiment\":\"meh\"}]", "feedback[0].sentiment", "positive, neutral or negative"),
            ("\"stories\":[{\"criteria\":[{},\"Given x\"]}]", "stories[0].criteria[1]", "an object"),
            ("\"stories\":[{\"criteria\":[{\"then\":false}]}]", "stories[0].criteria[0].then", "text"),
            ("\"stories\":[{\"estimate\":-1}]", "stories[0].estimate", "a number, 0 or more"),
            ("\"stories\":[{\"status\":\"shipped\"}]", "stories[0].status", "a known story status"),
            ("\"documents\":[{\"kind\":\"memo\"}]", "documents[0].kind", "a known document kind"),
            ("\"documents\":[{\"links\":[1]}]", "documents[0].links", "a list of text"),
            ("\"ideas\":[{\"id\":\"a\"}],\"documents\":[{\"id\":\"a\"}]", "documents[0].id", "an id no other item in the file has"),
            ("\"competitors\":[{\"threat\":\"dire\"}]", "competitors[0].threat", "one of its listed values"),
            ("\"competitors\":[{\"comparison\":{\"Sync\":\"ahead\"}}]", "competitors[0].comparison.Sync", "one of its listed values"),
            ("\"competitors\":[{\"comparison\":{\" \":\"parity\"}}]", "competitors[0].comparison. ", "a row name of 1 to 120 characters"),
            ("\"competitors\":[{\"comparison\":[\"Sync\"]}]", "competitors[0].comparison", "an object"),
            ("\"trends\":[{\"date\":\"31/03/2026\"}]", "trends[0].date", "a date (YYYY-MM-DD)"),
            ("\"trends\":[{\"date\":\"2026-02-30\"}]", "trends[0].date", "a date (YYYY-MM-DD)"),
            ("\"trends\":[{\"title\":[]}]", "trends[0].title", "text"),
            ("\"feedback\":[{\"date\":\"last week\"}]", "feedback[0].date", "a date (YYYY-MM-DD)"),
            ("\"links\":{}", "links", "a list"),
            ("\"links\":[{\"from\":\"feedback/a\",\"relation\":\"loves\",\"to\":\"ideas/b\"}]", "links[0].relation", "a known relation"),
            ("\"links\":[{\"from\":\"feedback/a\",\"to\":\"ideas/b\"}]", "links[0].relation", "a known relation"),
            ("\"links\":[{\"from\":\"ideas/a\",\"relation\":\"supports\",\"to\":\"feedback/b\"}]", "links[0].relation", "a relation between those kinds"),
            ("\"links\":[{\"from\":\"a\",\"relation\":\"supports\",\"to\":\"ideas/b\"}]", "links[0].from", "a collection and an id (ideas/…)"),
            ("\"links\":[{\"from\":\"feedback/a\",\"relation\":\"supports\",\"to\":\"planets/b\"}]", "links[0].to", "a collection and an id (ideas/…)"),
            ("\"ideas\":[{\"id\":\"a\"}],\"trends\":[{\"id\":\"a\"}]", "trends[0].id", "an id no other item in the file has"),
        ];
        // Version 1 files are read by the same rules: they just lack the newer arrays.
        for version in [1, 2, 3, 4] {
            for (body, field, expected) in cases {
                let file = format!("{{\"format\":\"waymark-workspace\",\"version\":{version},{body}}}");
                assert_eq!(from_json(&file, 1, "x").err(), bad(field, expected), "{body}");
            }
        }
    }

    #[test]
    fn error_messages_read_as_sentences() {
        let err = bad("ideas[0].votes", "a whole number").unwrap();
        assert_eq!(err.to_string(), "the field ideas[0].votes is not a whole number");
        assert_eq!(ImportError::UnsupportedVersion(5).to_string(), "it is a version 5 export, and this app reads versions 1 to 4");
    }
    #[test]
    fn a_version_1_file_still_imports() {
        let v1 = r#"{
          "format": "waymark-workspace", "version": 1, "workspace_id": "0f3k", "exported_at": 1700000000000,
          "brief": { "name": "Payments", "vision": "Get paid", "strategy": "", "north_star": "", "what": "", "why": "",
                     "timeline": "", "benefits": "", "resources": "", "benefit_value": 300000.0, "budget": 120000.0, "roi": 1.5 },
          "ideas": [
            { "id": "7h2m", "title": "Offline mode", "description": "…", "status": "under_review", "status_reason": "",
              "source": "support", "submitter": "Ana", "tags": ["mobile", "sync"], "votes": 3,
              "created_at": 1700000000000, "created_by": "Ana", "updated_at": 1700000000500 }
          ]
        }"#;
        let ws = from_json(v1, 5, "Bo").unwrap();
        assert_eq!((ws.name(), ws.brief().0.budget), ("Payments".to_owned(), Some(120_000.0)));
        let ideas = live_ideas(&ws);
        assert_eq!((ideas[0].title.as_str(), ideas[0].status, ideas[0].votes), ("Offline mode", IdeaStatus::UnderReview, 3));
        assert_eq!((ideas[0].created_at, ideas[0].updated_at), (1_700_000_000_000, 1_700_000_000_500));
        assert!(ws.personas().0.is_empty() && ws.all_feedback().0.is_empty() && ws.stories().0.is_empty() && ws.documents().0.is_empty());
        assert_eq!((ws.framework(), ws.weighted_criteria()), (Framework::Rice, vec![]));
    }

    #[test]
    fn references_to_what_the_file_does_not_hold_are_dropped() {
        let json = r#"{"format":"waymark-workspace","version":2,
          "ideas":[{"id":"i1","title":"Reminders","scores":{"weighted":{"nope":3},"rice":{"reach":10,"vibes":2},"warp":{"x":1}}}],
          "personas":[{"id":"p1","name":"Fiona"}],
          "feedback":[{"text":"Please","ideas":["i1","p1","gone"],"persona":"i1"}],
          "stories":[{"id":"s1","goal":"reminders","persona":"gone","idea":"p1"}],
          "documents":[{"title":"Spec","links":["s1","p1","gone"]}]}"#;
        let ws = from_json(json, 5, "Bo").unwrap();
        let idea = live_ideas(&ws).remove(0);
        assert_eq!(idea.scores, ScoreInputs::from([("rice".to_owned(), BTreeMap::from([("reach".to_owned(), 10.0)]))]), "unknown inputs are ignored");
        let fb = ws.all_feedback().0.remove(0);
        assert_eq!((fb.ideas, fb.persona), (vec![idea.id.clone().unwrap()], None), "a persona is not an idea, nor an idea a persona");
        let story = ws.stories().0.remove(0);
        assert_eq!((story.persona, story.idea), (None, None));
        assert_eq!(ws.documents().0[0].links, vec![Ref::new(STORIES, story.id.unwrap())]);
    }
}
