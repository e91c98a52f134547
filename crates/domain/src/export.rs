//! Import and export: JSON (a readable, documented shape), Markdown (a readable brief
//! and idea list), and checks for `.automerge` files before they touch anything.
//!
//! # JSON shape, version 1
//!
//! ```json
//! {
//!   "format": "waymark-workspace",
//!   "version": 1,
//!   "workspace_id": "…",
//!   "exported_at": 1700000000000,
//!   "brief": { "name": "…", "vision": "…", "strategy": "…", "north_star": "…",
//!              "what": "…", "why": "…", "timeline": "…", "benefits": "…",
//!              "resources": "…", "benefit_value": 300000.0, "budget": 120000.0,
//!              "roi": 1.5 },
//!   "ideas": [ { "id": "…", "title": "…", "description": "…", "status": "under_review",
//!                "status_reason": "…", "source": "…", "submitter": "…",
//!                "tags": ["…"], "votes": 3, "created_at": 1700000000000,
//!                "created_by": "…", "updated_at": 1700000000000 } ]
//! }
//! ```
//! `roi` is derived and ignored on import. Deleted ideas are not exported. Times are
//! milliseconds since the Unix epoch.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::format::group_thousands;
use crate::{Brief, BriefField, BriefNumber, IdeaLabel, IdeaStatus, IdeaText, LoadError, Workspace};

pub const FORMAT: &str = "waymark-workspace";
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

#[derive(Serialize, Deserialize)]
struct JsonIdea {
    id: String,
    title: String,
    description: String,
    status: String,
    status_reason: String,
    source: String,
    submitter: String,
    tags: Vec<String>,
    votes: i64,
    created_at: i64,
    created_by: String,
    updated_at: i64,
}

/// The workspace as pretty JSON (shape in the module docs).
pub fn to_json(ws: &Workspace, exported_at_ms: i64) -> String {
    let (brief, _) = ws.brief();
    let (mut ideas, _) = ws.ideas();
    ideas.retain(|i| !i.deleted);
    ideas.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
    let ideas: Vec<JsonIdea> = ideas
        .into_iter()
        .map(|i| JsonIdea {
            id: i.id.map(|id| id.to_string()).unwrap_or_default(),
            title: i.title,
            description: i.description,
            status: i.status.key().to_owned(),
            status_reason: i.status_reason,
            source: i.source,
            submitter: i.submitter,
            tags: i.tags,
            votes: i.votes,
            created_at: i.created_at,
            created_by: i.created_by,
            updated_at: i.updated_at,
        })
        .collect();
    let mut brief_json = serde_json::to_value(&brief).expect("brief serialises");
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

fn field_str(obj: &Value, path: &str, key: &str) -> Result<String, ImportError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ImportError::BadField { field: format!("{path}{key}"), expected: "text" }),
    }
}

fn field_num(obj: &Value, path: &str, key: &str) -> Result<Option<f64>, ImportError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().filter(|f| f.is_finite())),
        Some(_) => Err(ImportError::BadField { field: format!("{path}{key}"), expected: "a number" }),
    }
}

fn field_int(obj: &Value, path: &str, key: &str) -> Result<i64, ImportError> {
    Ok(field_num(obj, path, key)?.map_or(0, |f| f as i64))
}

/// Creates a new workspace (with a new id) from a JSON export.
pub fn from_json(text: &str, now_ms: i64, by: &str) -> Result<Workspace, ImportError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    if root.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(ImportError::WrongFormat);
    }
    match root.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => return Err(ImportError::UnsupportedVersion(v)),
        None => return Err(ImportError::BadField { field: "version".into(), expected: "a whole number" }),
    }
    let empty = Value::Object(Default::default());
    let brief = match root.get("brief") {
        None | Some(Value::Null) => &empty,
        Some(b @ Value::Object(_)) => b,
        Some(_) => return Err(ImportError::BadField { field: "brief".into(), expected: "an object" }),
    };
    let ideas = match root.get("ideas") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return Err(ImportError::BadField { field: "ideas".into(), expected: "a list" }),
    };
    // Read and check everything before creating anything.
    let parsed_brief = Brief {
        name: field_str(brief, "brief.", "name")?,
        vision: field_str(brief, "brief.", "vision")?,
        strategy: field_str(brief, "brief.", "strategy")?,
        north_star: field_str(brief, "brief.", "north_star")?,
        what: field_str(brief, "brief.", "what")?,
        why: field_str(brief, "brief.", "why")?,
        timeline: field_str(brief, "brief.", "timeline")?,
        benefits: field_str(brief, "brief.", "benefits")?,
        resources: field_str(brief, "brief.", "resources")?,
        benefit_value: field_num(brief, "brief.", "benefit_value")?,
        budget: field_num(brief, "brief.", "budget")?,
    };
    let mut parsed_ideas = Vec::with_capacity(ideas.len());
    for (n, idea) in ideas.iter().enumerate() {
        let path = format!("ideas[{n}].");
        if !idea.is_object() {
            return Err(ImportError::BadField { field: format!("ideas[{n}]"), expected: "an object" });
        }
        let tags = match idea.get("tags") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|t| t.as_str().map(str::to_owned).ok_or(ImportError::BadField { field: format!("{path}tags"), expected: "a list of text" }))
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(ImportError::BadField { field: format!("{path}tags"), expected: "a list of text" }),
        };
        let status_raw = field_str(idea, &path, "status")?;
        let status = if status_raw.is_empty() {
            IdeaStatus::New
        } else {
            IdeaStatus::parse(&status_raw).ok_or(ImportError::BadField { field: format!("{path}status"), expected: "a known status" })?
        };
        parsed_ideas.push((
            JsonIdea {
                id: String::new(),
                title: field_str(idea, &path, "title")?,
                description: field_str(idea, &path, "description")?,
                status: String::new(),
                status_reason: field_str(idea, &path, "status_reason")?,
                source: field_str(idea, &path, "source")?,
                submitter: field_str(idea, &path, "submitter")?,
                tags,
                votes: field_int(idea, &path, "votes")?,
                created_at: field_int(idea, &path, "created_at")?,
                created_by: field_str(idea, &path, "created_by")?,
                updated_at: field_int(idea, &path, "updated_at")?,
            },
            status,
        ));
    }

    let mut ws = Workspace::create(&parsed_brief.name, now_ms, by);
    let write = |ws: &mut Workspace| -> Result<(), crate::EditError> {
        for field in BriefField::ALL {
            ws.set_brief_text(field, parsed_brief.text(field))?;
        }
        ws.set_brief_number(BriefNumber::BenefitValue, parsed_brief.benefit_value)?;
        ws.set_brief_number(BriefNumber::Budget, parsed_brief.budget)?;
        for (idea, status) in &parsed_ideas {
            let created_at = if idea.created_at > 0 { idea.created_at } else { now_ms };
            let author = if idea.created_by.is_empty() { by } else { &idea.created_by };
            let id = ws.create_idea(&idea.title, created_at, author)?;
            ws.set_idea_text(&id, IdeaText::Description, &idea.description, created_at)?;
            ws.set_idea_text(&id, IdeaText::StatusReason, &idea.status_reason, created_at)?;
            ws.set_idea_label(&id, IdeaLabel::Source, &idea.source, created_at)?;
            ws.set_idea_label(&id, IdeaLabel::Submitter, &idea.submitter, created_at)?;
            ws.set_idea_status(&id, *status, created_at)?;
            for tag in &idea.tags {
                ws.add_idea_tag(&id, tag, created_at)?;
            }
            if idea.votes != 0 {
                ws.vote_idea(&id, idea.votes, created_at)?;
            }
            let updated = idea.updated_at.max(created_at);
            ws.touch_idea(&id, updated)?;
        }
        Ok(())
    };
    write(&mut ws).map_err(|e| ImportError::BadField { field: "document".into(), expected: if matches!(e, crate::EditError::NotFound(_)) { "consistent" } else { "writable" } })?;
    ws.commit();
    Ok(ws)
}

/// Escapes text so Markdown shows it literally (a title can't add headings or links).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.' | '!' | '<' | '>' | '|' | '~') {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Long text as Markdown paragraphs: escaped, line breaks kept.
fn paragraph(text: &str) -> String {
    text.lines().map(escape_markdown).collect::<Vec<_>>().join("  \n")
}

/// A readable brief plus the idea list grouped by status.
pub fn to_markdown(ws: &Workspace) -> String {
    let (brief, _) = ws.brief();
    let name = if brief.name.trim().is_empty() { "Untitled workspace".to_owned() } else { brief.name.clone() };
    let mut md = format!("# {}\n", escape_markdown(&name));
    let sections: [(&str, &[BriefField]); 3] = [
        ("Direction", &[BriefField::Vision, BriefField::Strategy, BriefField::NorthStar]),
        ("Product summary", &[BriefField::What, BriefField::Why, BriefField::Timeline]),
        ("Business case", &[BriefField::Benefits, BriefField::Resources]),
    ];
    for (title, fields) in sections {
        let filled: Vec<_> = fields.iter().filter(|f| !brief.text(**f).trim().is_empty()).collect();
        let is_case = title == "Business case";
        let has_numbers = brief.benefit_value.is_some() || brief.budget.is_some();
        if filled.is_empty() && !(is_case && has_numbers) {
            continue;
        }
        md.push_str(&format!("\n## {title}\n"));
        for f in filled {
            md.push_str(&format!("\n**{}**  \n{}\n", f.label(), paragraph(brief.text(*f))));
        }
        if is_case {
            if let Some(v) = brief.benefit_value {
                md.push_str(&format!("\n**Expected benefit:** {}\n", group_thousands(v)));
            }
            if let Some(v) = brief.budget {
                md.push_str(&format!("\n**Budget:** {}\n", group_thousands(v)));
            }
            if let (Some(b), Some(c), Some(roi)) = (brief.benefit_value, brief.budget, brief.roi()) {
                md.push_str(&format!("\n**ROI:** {:.0} % = ({} − {}) ÷ {}\n", roi * 100.0, group_thousands(b), group_thousands(c), group_thousands(c)));
            }
        }
    }
    let (mut ideas, _) = ws.ideas();
    ideas.retain(|i| !i.deleted);
    md.push_str(&format!("\n## Ideas ({})\n", ideas.len()));
    for status in IdeaStatus::ALL {
        let mut group: Vec<_> = ideas.iter().filter(|i| i.status == status).collect();
        if group.is_empty() {
            continue;
        }
        group.sort_by(|a, b| b.votes.cmp(&a.votes).then_with(|| a.created_at.cmp(&b.created_at)));
        md.push_str(&format!("\n### {} ({})\n\n", status.label(), group.len()));
        for idea in group {
            let title = if idea.title.trim().is_empty() { "Untitled idea" } else { &idea.title };
            let mut line = format!("- **{}** · {} vote{}", escape_markdown(title), idea.votes, if idea.votes == 1 { "" } else { "s" });
            if !idea.tags.is_empty() {
                let tags: Vec<String> = idea.tags.iter().map(|t| format!("`{}`", t.replace('`', "'"))).collect();
                line.push_str(&format!(" · {}", tags.join(" ")));
            }
            md.push_str(&line);
            md.push('\n');
            if !idea.description.trim().is_empty() {
                md.push_str(&format!("  {}\n", paragraph(&idea.description).replace("  \n", "  \n  ")));
            }
        }
    }
    md
}

/// What a file is, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Automerge,
    Json,
}

/// Automerge files start with these magic bytes.
const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Tells an `.automerge` file from a JSON one; `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(&AUTOMERGE_MAGIC) {
        return Some(FileKind::Automerge);
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Some(FileKind::Json),
        _ => None,
    }
}

/// What an `.automerge` file would import, checked fully without changing anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutomergeImport {
    pub workspace_id: String,
    pub name: String,
    pub idea_count: usize,
    /// It is a copy of the workspace that is open (so it merges into it).
    pub same_as_open: bool,
}

/// Checks an `.automerge` file: strictly well-formed, and a Waymark workspace.
pub fn plan_automerge_import(bytes: &[u8], open_workspace_id: Option<&str>) -> Result<AutomergeImport, LoadError> {
    if !crate::is_well_formed(bytes) {
        return Err(LoadError::NotAutomerge("the file is damaged or incomplete".into()));
    }
    let ws = Workspace::load(bytes)?;
    let workspace_id = ws.workspace_id();
    Ok(AutomergeImport {
        same_as_open: open_workspace_id == Some(workspace_id.as_str()),
        name: ws.name(),
        idea_count: ws.live_idea_count(),
        workspace_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Workspace {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        ws.set_brief_text(BriefField::Vision, "Get paid on time").unwrap();
        ws.set_brief_number(BriefNumber::BenefitValue, Some(300_000.0)).unwrap();
        ws.set_brief_number(BriefNumber::Budget, Some(120_000.0)).unwrap();
        let a = ws.create_idea("# Offline *mode* [x](javascript:alert(1))", 10, "Ana").unwrap();
        ws.add_idea_tag(&a, "mobile", 11).unwrap();
        ws.vote_idea(&a, 3, 12).unwrap();
        ws.set_idea_status(&a, IdeaStatus::Accepted, 13).unwrap();
        let gone = ws.create_idea("Deleted one", 14, "Ana").unwrap();
        ws.delete_idea(&gone, 15).unwrap();
        ws
    }

    #[test]
    fn json_round_trips_into_a_new_workspace() {
        let ws = sample();
        let json = to_json(&ws, 99);
        let back = from_json(&json, 100, "Bo").unwrap();
        assert_ne!(back.workspace_id(), ws.workspace_id(), "an import is a new workspace");
        assert_eq!(back.brief().0, ws.brief().0);
        let (ideas, _) = back.ideas();
        assert_eq!(ideas.len(), 1, "deleted ideas are not exported");
        let i = &ideas[0];
        assert_eq!((i.votes, i.status, i.tags.clone(), i.created_by.as_str()), (3, IdeaStatus::Accepted, vec!["mobile".to_owned()], "Ana"));
        assert!(json.contains("\"roi\": 1.5"));
    }

    #[test]
    fn bad_json_is_refused_with_a_reason() {
        assert!(matches!(from_json("{not json", 1, "x"), Err(ImportError::NotJson(_))));
        assert_eq!(from_json("{\"a\":1}", 1, "x").err(), Some(ImportError::WrongFormat));
        assert_eq!(from_json("{\"format\":\"waymark-workspace\",\"version\":7}", 1, "x").err(), Some(ImportError::UnsupportedVersion(7)));
        let bad = "{\"format\":\"waymark-workspace\",\"version\":1,\"ideas\":[{\"title\":5}]}";
        assert_eq!(
            from_json(bad, 1, "x").err(),
            Some(ImportError::BadField { field: "ideas[0].title".into(), expected: "text" })
        );
    }

    #[test]
    fn markdown_shows_inputs_beside_roi_and_cannot_be_injected() {
        let md = to_markdown(&sample());
        assert!(md.contains("**ROI:** 150 % = (300,000 − 120,000) ÷ 120,000"), "{md}");
        assert!(md.contains("\\# Offline \\*mode\\* \\[x\\]\\(javascript:alert\\(1\\)\\)"), "{md}");
        assert!(!md.contains("Deleted one"));
        assert!(md.contains("### Accepted (1)"));
    }

    #[test]
    fn sniff_tells_files_apart() {
        let mut ws = sample();
        assert_eq!(sniff(&ws.save()), Some(FileKind::Automerge));
        assert_eq!(sniff(b"  {\"format\":1}"), Some(FileKind::Json));
        assert_eq!(sniff(b"PK\x03\x04"), None);
    }

    #[test]
    fn automerge_import_plan_checks_without_changing_anything() {
        let mut ws = sample();
        let bytes = ws.save();
        let plan = plan_automerge_import(&bytes, Some(&ws.workspace_id())).unwrap();
        assert!(plan.same_as_open);
        assert_eq!((plan.name.as_str(), plan.idea_count), ("Payments", 1));
        assert!(plan_automerge_import(&bytes[..bytes.len() - 10], None).is_err(), "truncated file refused");
        assert!(!plan_automerge_import(&bytes, Some("other")).unwrap().same_as_open);
    }
}
