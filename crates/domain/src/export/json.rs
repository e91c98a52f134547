//! The JSON export and import (shape documented in [`crate::export`]).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Brief, BriefField, BriefNumber, Idea, IdeaLabel, IdeaStatus, IdeaText, Workspace};

/// The value of the file's `format` field.
pub const FORMAT: &str = "waymark-workspace";
/// The shape version this build writes and reads.
pub const VERSION: u64 = 1;

/// Why a JSON file could not be imported. Nothing is created when this is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("it is not valid JSON ({0})")]
    NotJson(String),
    #[error("it is JSON, but not a Waymark workspace export")]
    WrongFormat,
    #[error("it is a version {0} export, and this app reads version 1")]
    UnsupportedVersion(u64),
    #[error("the field {field} is not {expected}")]
    BadField { field: String, expected: &'static str },
}

/// One idea as exported.
#[derive(Serialize)]
struct JsonIdea {
    id: String,
    title: String,
    description: String,
    status: &'static str,
    status_reason: String,
    source: String,
    submitter: String,
    tags: Vec<String>,
    votes: i64,
    created_at: i64,
    created_by: String,
    updated_at: i64,
}

impl From<Idea> for JsonIdea {
    fn from(i: Idea) -> JsonIdea {
        JsonIdea {
            id: i.id.map(|id| id.to_string()).unwrap_or_default(),
            title: i.title,
            description: i.description,
            status: i.status.key(),
            status_reason: i.status_reason,
            source: i.source,
            submitter: i.submitter,
            tags: i.tags,
            votes: i.votes,
            created_at: i.created_at,
            created_by: i.created_by,
            updated_at: i.updated_at,
        }
    }
}

/// The workspace as pretty JSON: its brief (with the derived ROI) and its live ideas,
/// oldest first.
pub fn to_json(ws: &Workspace, exported_at_ms: i64) -> String {
    let (brief, _) = ws.brief();
    let (mut ideas, _) = ws.ideas();
    ideas.retain(|i| !i.deleted);
    ideas.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
    let ideas: Vec<JsonIdea> = ideas.into_iter().map(JsonIdea::from).collect();
    let mut brief_json = serde_json::to_value(&brief).expect("a brief is plain data");
    brief_json["roi"] = brief.roi().map_or(Value::Null, Value::from);
    let doc = serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "workspace_id": ws.workspace_id(),
        "exported_at": exported_at_ms,
        "brief": brief_json,
        "ideas": ideas,
    });
    serde_json::to_string_pretty(&doc).expect("JSON values serialise")
}

/// Reads fields of one JSON object, naming any of the wrong type by its full path.
struct Fields<'a> {
    obj: &'a Map<String, Value>,
    /// `brief.` or `ideas[3].`
    path: String,
}

impl Fields<'_> {
    fn bad(&self, key: &str, expected: &'static str) -> ImportError {
        ImportError::BadField { field: format!("{}{key}", self.path), expected }
    }

    /// A present, non-null value.
    fn get(&self, key: &str) -> Option<&Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn text(&self, key: &str) -> Result<String, ImportError> {
        match self.get(key) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.bad(key, "text")),
        }
    }

    fn number(&self, key: &str) -> Result<Option<f64>, ImportError> {
        match self.get(key) {
            None => Ok(None),
            // serde_json refuses non-finite numbers while parsing, so any f64 is finite.
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(self.bad(key, "a number")),
        }
    }

    fn whole(&self, key: &str) -> Result<i64, ImportError> {
        match self.get(key) {
            None => Ok(0),
            Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(i),
                // 3.0 is a whole number, written by a tool that only has floats.
                (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
                _ => Err(self.bad(key, "a whole number")),
            },
            Some(_) => Err(self.bad(key, "a whole number")),
        }
    }

    fn text_list(&self, key: &str) -> Result<Vec<String>, ImportError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                items.iter().map(|t| t.as_str().map(str::to_owned).ok_or_else(|| self.bad(key, "a list of text"))).collect()
            }
            Some(_) => Err(self.bad(key, "a list of text")),
        }
    }
}

/// The object at `key` of the root, or an empty one when it is missing.
fn object<'a>(root: &'a Map<String, Value>, key: &str, empty: &'a Map<String, Value>) -> Result<&'a Map<String, Value>, ImportError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(empty),
        Some(Value::Object(o)) => Ok(o),
        Some(_) => Err(ImportError::BadField { field: key.into(), expected: "an object" }),
    }
}

fn read_brief(obj: &Map<String, Value>) -> Result<Brief, ImportError> {
    let f = Fields { obj, path: "brief.".into() };
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

fn read_idea(value: &Value, n: usize) -> Result<Idea, ImportError> {
    let Value::Object(obj) = value else {
        return Err(ImportError::BadField { field: format!("ideas[{n}]"), expected: "an object" });
    };
    let f = Fields { obj, path: format!("ideas[{n}].") };
    let status = match f.text("status")?.as_str() {
        "" => IdeaStatus::New,
        key => IdeaStatus::parse(key).ok_or_else(|| f.bad("status", "a known status"))?,
    };
    Ok(Idea {
        id: None,
        title: f.text("title")?,
        description: f.text("description")?,
        status,
        status_reason: f.text("status_reason")?,
        source: f.text("source")?,
        submitter: f.text("submitter")?,
        tags: f.text_list("tags")?,
        votes: f.whole("votes")?,
        scores: Default::default(),
        created_at: f.whole("created_at")?,
        created_by: f.text("created_by")?,
        updated_at: f.whole("updated_at")?,
        deleted: false,
    })
}

/// Creates a new workspace (with a new id, and new idea ids) from a JSON export. Ideas
/// keep who created them and when, their votes, tags and status.
pub fn from_json(text: &str, now_ms: i64, by: &str) -> Result<Workspace, ImportError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    let Value::Object(root) = root else { return Err(ImportError::WrongFormat) };
    if root.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(ImportError::WrongFormat);
    }
    match root.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => return Err(ImportError::UnsupportedVersion(v)),
        None => return Err(ImportError::BadField { field: "version".into(), expected: "a whole number" }),
    }
    // Read and check everything before creating anything.
    let empty = Map::new();
    let brief = read_brief(object(&root, "brief", &empty)?)?;
    let ideas = match root.get("ideas") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().enumerate().map(|(n, v)| read_idea(v, n)).collect::<Result<_, _>>()?,
        Some(_) => return Err(ImportError::BadField { field: "ideas".into(), expected: "a list" }),
    };
    let mut ws = Workspace::create(&brief.name, now_ms, by);
    write(&mut ws, &brief, &ideas, now_ms, by).expect("writing to a fresh in-memory document cannot fail");
    ws.commit();
    Ok(ws)
}

/// Writes a checked brief and ideas into a fresh workspace.
fn write(ws: &mut Workspace, brief: &Brief, ideas: &[Idea], now_ms: i64, by: &str) -> Result<(), crate::EditError> {
    for field in BriefField::ALL {
        ws.set_brief_text(field, brief.text(field))?;
    }
    ws.set_brief_number(BriefNumber::BenefitValue, brief.benefit_value)?;
    ws.set_brief_number(BriefNumber::Budget, brief.budget)?;
    for idea in ideas {
        // A tool that does not know when or by whom leaves these out: the import is both.
        let at = if idea.created_at > 0 { idea.created_at } else { now_ms };
        let author = if idea.created_by.is_empty() { by } else { &idea.created_by };
        let id = ws.create_idea(&idea.title, at, author)?;
        ws.set_idea_text(&id, IdeaText::Description, &idea.description, at)?;
        ws.set_idea_text(&id, IdeaText::StatusReason, &idea.status_reason, at)?;
        ws.set_idea_label(&id, IdeaLabel::Source, &idea.source, at)?;
        ws.set_idea_label(&id, IdeaLabel::Submitter, &idea.submitter, at)?;
        ws.set_idea_status(&id, idea.status, at)?;
        for tag in &idea.tags {
            ws.add_idea_tag(&id, tag, at)?;
        }
        if idea.votes != 0 {
            ws.vote_idea(&id, idea.votes, at)?;
        }
        ws.touch_idea(&id, idea.updated_at.max(at))?;
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
        ideas.sort_by_key(|i| i.created_at);
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
        assert_eq!(json["version"], 1);
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
        assert_eq!(from_json("{\"format\":\"waymark-workspace\"}", 1, "x").err(), bad("version", "a whole number"));
        let huge = "{\"format\":\"waymark-workspace\",\"version\":1,\"brief\":{\"budget\":1e400}}";
        assert!(matches!(from_json(huge, 1, "x"), Err(ImportError::NotJson(_))), "no infinite budgets");
        assert_eq!(from_json("{\"format\":\"waymark-workspace\",\"version\":\"1\"}", 1, "x").err(), bad("version", "a whole number"));
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named() {
        let file = |body: &str| format!("{{\"format\":\"waymark-workspace\",\"version\":1,{body}}}");
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
        ];
        for (body, field, expected) in cases {
            assert_eq!(from_json(&file(body), 1, "x").err(), bad(field, expected), "{body}");
        }
    }

    #[test]
    fn error_messages_read_as_sentences() {
        let err = bad("ideas[0].votes", "a whole number").unwrap();
        assert_eq!(err.to_string(), "the field ideas[0].votes is not a whole number");
        assert_eq!(ImportError::UnsupportedVersion(2).to_string(), "it is a version 2 export, and this app reads version 1");
    }
}
