//! Import and export: JSON (a documented, versioned shape other tools can read and
//! write), Markdown (a readable brief and idea list), and checks that tell files apart
//! and vet `.automerge` files before they touch anything.
//!
//! # JSON shape, version 1
//!
//! [`to_json`] writes, and [`from_json`] reads, one object:
//!
//! ```json
//! {
//!   "format": "waymark-workspace",
//!   "version": 1,
//!   "workspace_id": "0f3k…",
//!   "exported_at": 1700000000000,
//!   "brief": {
//!     "name": "Payments", "vision": "…", "strategy": "…", "north_star": "…",
//!     "what": "…", "why": "…", "timeline": "…", "benefits": "…", "resources": "…",
//!     "benefit_value": 300000.0, "budget": 120000.0, "roi": 1.5
//!   },
//!   "ideas": [
//!     { "id": "7h2m…", "title": "Offline mode", "description": "…",
//!       "status": "under_review", "status_reason": "", "source": "support",
//!       "submitter": "Ana", "tags": ["mobile", "sync"], "votes": 3,
//!       "created_at": 1700000000000, "created_by": "Ana", "updated_at": 1700000000500 }
//!   ]
//! }
//! ```
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `format` | string | always `"waymark-workspace"` |
//! | `version` | integer | this shape's version, `1`; a reader refuses versions it does not know |
//! | `workspace_id` | string | the exported workspace's id (an import creates a new one) |
//! | `exported_at` | integer | when the file was written, ms since the Unix epoch |
//! | `brief.*` text | string | the brief's text fields, `""` when empty |
//! | `brief.benefit_value`, `brief.budget` | number or null | the business case's inputs |
//! | `brief.roi` | number or null | (benefit_value − budget) ÷ budget; derived, ignored on import |
//! | `ideas` | array | live ideas (deleted ones are not exported), oldest first |
//! | `ideas[].status` | string | `new`, `under_review`, `accepted`, `parked`, `rejected` or `done` |
//! | `ideas[].tags` | array of strings | sorted, lowercase |
//! | `ideas[].votes` | integer | total votes |
//! | `ideas[].created_at`, `updated_at` | integer | ms since the Unix epoch |
//!
//! On import every field may be missing or null (it takes its empty default); a field
//! of another type refuses the whole file, naming the field. Text is kept as written:
//! it is data, and whatever shows it escapes it.

mod json;
mod markdown;

pub use json::{from_json, to_json, ImportError, FORMAT, VERSION};
pub use markdown::{escape_markdown, to_markdown};

use crate::{LoadError, Workspace};

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
