//! Import and export: JSON (a documented, versioned shape other tools can read and
//! write), Markdown (a readable report of the whole workspace), and checks that tell
//! files apart and vet `.automerge` files before they touch anything.
//!
//! # JSON shape, version 3
//!
//! [`to_json`] writes, and [`from_json`] reads, one object holding every live
//! (not deleted) artifact:
//!
//! ```json
//! {
//!   "format": "waymark-workspace",
//!   "version": 3,
//!   "workspace_id": "0f3k…",
//!   "exported_at": 1700000000000,
//!   "brief": {
//!     "name": "Payments", "vision": "…", "strategy": "…", "north_star": "…",
//!     "what": "…", "why": "…", "timeline": "…", "benefits": "…", "resources": "…",
//!     "benefit_value": 300000.0, "budget": 120000.0, "roi": 1.5
//!   },
//!   "prioritization": {
//!     "framework": "weighted",
//!     "criteria": [ { "id": "c1…", "name": "Effort", "weight": -1.5 } ]
//!   },
//!   "ideas": [
//!     { "id": "7h2m…", "title": "Offline mode", "description": "…",
//!       "status": "under_review", "status_reason": "", "source": "support",
//!       "submitter": "Ana", "tags": ["mobile", "sync"], "votes": 3,
//!       "scores": { "rice": { "reach": 500.0, "impact": 2.0, "confidence": 0.8, "effort": 2.0 },
//!                   "weighted": { "c1…": 4.0 } },
//!       "kano_answers": [ { "functional": "like", "dysfunctional": "dislike" } ],
//!       "score": -6.0, "rank": 1, "score_formula": "(−1.5) × 4 = −6",
//!       "created_at": 1700000000000, "created_by": "Ana", "updated_at": 1700000000500 }
//!   ],
//!   "personas": [
//!     { "id": "p9…", "name": "Fiona", "role": "…", "goals": "…", "pain_points": "…",
//!       "motivations": "…", "behaviours": "…", "quote": "…", "segment_size": 12000.0,
//!       "created_at": …, "created_by": "Ana", "updated_at": … }
//!   ],
//!   "feedback": [
//!     { "id": "f4…", "text": "…", "channel": "survey", "customer": "Acme", "segment": "SMB",
//!       "date": "2025-06-03", "rating": 9, "rating_scale": "nps", "sentiment": "positive",
//!       "tags": ["cash flow"],
//!       "created_at": …, "created_by": "Ana", "updated_at": … }
//!   ],
//!   "feedback_summary": {
//!     "nps": { "score": 100.0, "promoters": 1, "passives": 0, "detractors": 0, "respondents": 1 },
//!     "csat": null
//!   },
//!   "stories": [
//!     { "id": "s2…", "goal": "…", "benefit": "…",
//!       "criteria": [ { "given": "…", "when": "…", "then": "…" } ],
//!       "estimate": 5.0, "status": "ready",
//!       "created_at": …, "created_by": "Ana", "updated_at": … }
//!   ],
//!   "documents": [
//!     { "id": "d7…", "title": "Reminder spec", "kind": "spec", "body": "# Goal…",
//!       "tags": [], "created_at": …, "created_by": "Ana", "updated_at": … }
//!   ],
//!   "competitors": [
//!     { "id": "c3…", "name": "Acme", "threat": "high", "positioning": "…", "strengths": "…",
//!       "weaknesses": "…", "comparison": { "Offline mode": "they_lack" }, "notes": "…",
//!       "created_at": …, "created_by": "Ana", "updated_at": … }
//!   ],
//!   "trends": [
//!     { "id": "t5…", "title": "Usage-based pricing", "date": "2026-03-31",
//!       "impact_level": "medium", "impact": "…", "notes": "…",
//!       "created_at": …, "created_by": "Ana", "updated_at": … }
//!   ],
//!   "links": [
//!     { "from": "feedback/f4…", "relation": "supports", "to": "ideas/7h2m…" },
//!     { "from": "feedback/f4…", "relation": "speaks_for", "to": "personas/p9…" },
//!     { "from": "stories/s2…", "relation": "comes_from", "to": "ideas/7h2m…" },
//!     { "from": "documents/d7…", "relation": "describes", "to": "stories/s2…" }
//!   ]
//! }
//! ```
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `format` | string | always `"waymark-workspace"` |
//! | `version` | integer | this shape's version, `4`; a reader refuses versions it does not know (this one reads 1 to 4; version 3 added `competitors` and `trends`, version 4 `links` in place of the per-artifact link fields) |
//! | `workspace_id` | string | the exported workspace's id (an import creates a new one) |
//! | `exported_at` | integer | when the file was written, ms since the Unix epoch |
//! | `brief.*` text | string | the brief's text fields, `""` when empty |
//! | `brief.benefit_value`, `brief.budget` | number or null | the business case's inputs |
//! | `brief.roi` | number or null | (benefit_value − budget) ÷ budget; derived, ignored on import |
//! | `prioritization.framework` | string | the framework ideas are ranked by: `rice`, `ice`, `wsjf`, `moscow`, `kano`, `value_effort`, `opportunity` or `weighted` |
//! | `prioritization.criteria` | array | weighted-scoring criteria in name order: `id`, `name`, `weight` (number; negative for a cost) |
//! | every artifact's `id` | string | its id; references in the file use it. Unique within the file |
//! | every artifact's `created_at`, `updated_at` | integer | ms since the Unix epoch |
//! | every artifact's `created_by` | string | who created it |
//! | `ideas`, `personas`, `feedback`, `stories`, `documents`, `competitors`, `trends` | array | live artifacts (deleted ones are not exported), oldest first |
//! | `ideas[].status` | string | `new`, `under_review`, `accepted`, `parked`, `rejected` or `done` |
//! | `ideas[].tags`, `feedback[].tags`, `documents[].tags` | array of strings | sorted, lowercase |
//! | `ideas[].votes` | integer | total votes |
//! | `ideas[].scores` | object | the idea's inputs per framework: framework → input → number. Inputs: `rice` reach, impact, confidence, effort; `ice` impact, confidence, ease; `wsjf` value, time_criticality, risk_reduction, job_size; `moscow` priority (0 must … 3 won't), effort; `value_effort` value, effort; `opportunity` importance, satisfaction; `weighted` keyed by criterion id |
//! | `ideas[].kano_answers` | array | one `{functional, dysfunctional}` pair per respondent, each `like`, `expect`, `neutral`, `live_with` or `dislike` |
//! | `ideas[].score`, `rank`, `score_formula` | number, integer, string (or null) | the score and shared rank under `prioritization.framework` (null when unscored or invalid) and the worked formula; derived, ignored on import |
//! | `personas[].name` … `quote` | string | name, role, goals, pain_points, motivations, behaviours, quote |
//! | `personas[].segment_size` | number or null | how many people the persona stands for, 0 or more |
//! | `feedback[].channel` | string | `survey`, `poll`, `interview`, `focus_group`, `review`, `support`, `usability_test`, `beta` or `churn` |
//! | `feedback[].customer`, `segment`, `date` | string | customer or company, segment, `YYYY-MM-DD` |
//! | `feedback[].rating`, `rating_scale` | integer or null, string or null | the rating on its scale: `nps` 0–10 or `csat` 1–5 (without a scale, the channel's usual one) |
//! | `feedback[].sentiment` | string or null | `positive`, `neutral` or `negative` |
//! | `feedback_summary.nps`, `.csat` | object or null | NPS (score −100…100 and counts) and CSAT (percent of 4s and 5s and counts) over all feedback; derived, ignored on import |
//! | `stories[].goal`, `benefit` | string | `I want …`, `so that …` |
//! | `stories[].criteria` | array | Given/When/Then scenarios, in order: `given`, `when`, `then` |
//! | `stories[].estimate` | number or null | points or days, 0 or more |
//! | `stories[].status` | string | `draft`, `ready`, `in_progress` or `done` |
//! | `documents[].kind` | string | `spec`, `decision`, `note`, `training` or `release_note` |
//! | `documents[].body` | string | the Markdown source |
//! | `links` | array | every link between two exported artifacts, in the order of their sources: `from` and `to` are `<collection>/<id>`, `relation` one of `supports` (feedback → idea), `speaks_for` (story or feedback → persona), `comes_from` (story → idea), `describes` (document → idea or story), and for the kinds to come `delivers`, `part_of`, `ships_in`, `blocks`, `threatens`, `serves`, `tests` (see `crate::link::Relation::allows`). A relation between kinds it does not allow refuses the file |
//! | (versions 1–3) `feedback[].persona`, `feedback[].ideas`, `stories[].persona`, `stories[].idea`, `documents[].links` | string or array of strings | the same links, as older files wrote them on the artifact: still read |
//! | `competitors`, `trends` (and every later kind) | array | written from the kind's fields (`crate::kind::Kind::FIELDS`): text as a string, a choice as its key or null, a date as `YYYY-MM-DD` or null, rows as an object `name -> key` |
//! | `competitors[].threat` | string or null | `low`, `medium` or `high` |
//! | `competitors[].comparison` | object | feature name → `they_lead`, `parity`, `we_lead` or `they_lack` |
//! | `trends[].date` | string or null | when it was seen, `YYYY-MM-DD` |
//! | `trends[].impact_level` | string or null | `low`, `medium` or `high` |
//!
//! On import every field may be missing or null (it takes its empty default), and so
//! may every array: a version 1 file (brief and ideas only) imports as before. A field
//! of another type, or a value outside its set or scale, refuses the whole file,
//! naming the field. The import creates new ids for everything and points every
//! reference at the new artifact; a reference to something the file does not hold (or
//! to the wrong kind of artifact) is dropped, and so are score inputs this version does
//! not know. Text is kept as written: it is data, and whatever shows it escapes it.

mod json;
mod kinds;
mod markdown;

pub use json::{from_json, from_json_reporting, to_json, ImportError, FORMAT, VERSION};
pub use markdown::{escape_markdown, to_markdown};

use crate::{BriefField, EditError, Id, LoadError, Workspace};

/// Two workspaces with one name would be indistinguishable on Home: an imported one
/// whose name is `taken` is marked "(imported)".
pub fn name_apart(ws: &mut Workspace, taken: &[String]) -> Result<(), EditError> {
    let name = ws.name();
    if taken.contains(&name) {
        ws.set_brief_text(BriefField::Name, &format!("{name} (imported)"))?;
        ws.commit();
    }
    Ok(())
}

/// The live (not deleted) artifacts of a collection, oldest first (ties by id); `key`
/// gives an artifact's deleted flag, creation time and id.
fn oldest_first<T>(mut all: Vec<T>, key: impl Fn(&T) -> (bool, i64, Option<&Id>)) -> Vec<T> {
    all.retain(|x| !key(x).0);
    crate::sort::sort_by(&mut all, |a, b| {
        let ((_, ta, ia), (_, tb, ib)) = (key(a), key(b));
        ta.cmp(&tb).then_with(|| ia.cmp(&ib))
    });
    all
}

/// What a file is, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Automerge,
    Json,
}

/// Every Automerge chunk starts with these magic bytes.
const AUTOMERGE_MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Tells an `.automerge` file from a JSON one; `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(&AUTOMERGE_MAGIC) {
        return Some(FileKind::Automerge);
    }
    // Editors on Windows like to start UTF-8 files with a byte-order mark.
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
    /// Ideas that are not deleted.
    pub idea_count: usize,
    /// It is a copy of the workspace that is open, so it merges into it (`apply`);
    /// otherwise it is stored as a workspace of its own.
    pub same_as_open: bool,
}

/// Checks an `.automerge` file: strictly well-formed (no damaged or missing tail) and
/// a Waymark workspace this version can open.
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
    use automerge::{transaction::Transactable, AutoCommit, ScalarValue, ROOT};

    use super::*;

    fn payments() -> Workspace {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        ws.create_idea("Offline mode", 2, "Ana").unwrap();
        let gone = ws.create_idea("Dropped", 3, "Ana").unwrap();
        ws.delete_idea(&gone, 4).unwrap();
        ws
    }

    #[test]
    fn an_import_named_like_a_workspace_here_is_marked() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        name_apart(&mut ws, &["Growth".to_owned()]).unwrap();
        assert_eq!(ws.name(), "Payments", "a free name is kept");
        name_apart(&mut ws, &["Payments".to_owned()]).unwrap();
        assert_eq!(ws.name(), "Payments (imported)");
    }

    #[test]
    fn sniff_tells_automerge_from_json_from_anything_else() {
        assert_eq!(sniff(&payments().save()), Some(FileKind::Automerge));
        assert_eq!(sniff(&payments().save_incremental()), Some(FileKind::Automerge), "a bare chunk too");
        assert_eq!(sniff(b"{\"format\":1}"), Some(FileKind::Json));
        assert_eq!(sniff(b" \n\t {"), Some(FileKind::Json));
        assert_eq!(sniff(b"\xef\xbb\xbf{}"), Some(FileKind::Json), "after a byte-order mark");
        for other in [&b""[..], b"   ", b"[1,2]", b"PK\x03\x04", b"\x85\x6f\x4a", b"Summary,Issue key\n"] {
            assert_eq!(sniff(other), None, "{other:?}");
        }
    }

    #[test]
    fn plan_describes_the_file_and_whether_it_is_the_open_workspace() {
        let mut ws = payments();
        let bytes = ws.save();
        let plan = plan_automerge_import(&bytes, Some(&ws.workspace_id())).unwrap();
        assert_eq!(
            plan,
            AutomergeImport { workspace_id: ws.workspace_id(), name: "Payments".into(), idea_count: 1, same_as_open: true }
        );
        assert!(!plan_automerge_import(&bytes, Some("another")).unwrap().same_as_open);
        assert!(!plan_automerge_import(&bytes, None).unwrap().same_as_open);
    }

    #[test]
    fn plan_refuses_damaged_foreign_and_newer_files() {
        let bytes = payments().save();
        let not_automerge = |r: Result<AutomergeImport, LoadError>| matches!(r, Err(LoadError::NotAutomerge(_)));
        assert!(not_automerge(plan_automerge_import(&bytes[..bytes.len() - 9], None)), "truncated");
        assert!(not_automerge(plan_automerge_import(b"{\"format\":\"waymark-workspace\"}", None)));
        assert!(not_automerge(plan_automerge_import(&[], None)));
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0xa5;
        assert!(not_automerge(plan_automerge_import(&flipped, None)), "bit rot");

        let mut plain = AutoCommit::new();
        plain.put(ROOT, "title", "someone else's document").unwrap();
        assert_eq!(plan_automerge_import(&plain.save(), None), Err(LoadError::NotAWorkspace));

        let mut newer = AutoCommit::load(&bytes).unwrap();
        newer.put(ROOT, "schema", ScalarValue::Uint(2)).unwrap();
        assert_eq!(plan_automerge_import(&newer.save(), None), Err(LoadError::TooNew(2)));
    }
}
