//! Ideas: capture, review, decide.

use automerge::{transaction::Transactable, ObjId, ObjType, ReadDoc, ScalarValue};

use crate::fields::{child_map, write_text, DocFields, FieldSource, Problem, Reader};
use crate::schema::{CREATED_AT, CREATED_BY, DELETED, TAGS, UPDATED_AT};
use crate::workspace::{EditError, Workspace};
use crate::Id;

/// Where an idea is in its review workflow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdeaStatus {
    #[default]
    New,
    UnderReview,
    Accepted,
    Parked,
    Rejected,
    Done,
}

impl IdeaStatus {
    pub const ALL: [IdeaStatus; 6] = [
        IdeaStatus::New,
        IdeaStatus::UnderReview,
        IdeaStatus::Accepted,
        IdeaStatus::Parked,
        IdeaStatus::Rejected,
        IdeaStatus::Done,
    ];

    /// The value stored in the document.
    pub fn key(self) -> &'static str {
        match self {
            IdeaStatus::New => "new",
            IdeaStatus::UnderReview => "under_review",
            IdeaStatus::Accepted => "accepted",
            IdeaStatus::Parked => "parked",
            IdeaStatus::Rejected => "rejected",
            IdeaStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<IdeaStatus> {
        IdeaStatus::ALL.into_iter().find(|st| st.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            IdeaStatus::New => "New",
            IdeaStatus::UnderReview => "Under review",
            IdeaStatus::Accepted => "Accepted",
            IdeaStatus::Parked => "Parked",
            IdeaStatus::Rejected => "Rejected",
            IdeaStatus::Done => "Done",
        }
    }

    /// The usual next steps from here, offered first in the editor. Any status can
    /// still be chosen: teams reopen and revisit decisions.
    pub fn next_steps(self) -> &'static [IdeaStatus] {
        use IdeaStatus::*;
        match self {
            New => &[UnderReview, Accepted, Parked, Rejected],
            UnderReview => &[Accepted, Parked, Rejected],
            Accepted => &[Done, Parked],
            Parked => &[UnderReview, Accepted, Rejected],
            Rejected => &[UnderReview],
            Done => &[Accepted],
        }
    }

    /// Whether a decision was made that deserves a recorded reason.
    pub fn wants_reason(self) -> bool {
        matches!(self, IdeaStatus::Parked | IdeaStatus::Rejected)
    }
}

/// A long-text field of an idea.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum IdeaText {
    Title,
    Description,
    /// Why it was parked or rejected.
    StatusReason,
}

impl IdeaText {
    pub fn key(self) -> &'static str {
        match self {
            IdeaText::Title => "title",
            IdeaText::Description => "description",
            IdeaText::StatusReason => "status_reason",
        }
    }
}

/// A short label of an idea (last writer wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum IdeaLabel {
    /// Where it came from: a customer call, support, sales, an internal workshop…
    Source,
    /// Who brought it in.
    Submitter,
}

impl IdeaLabel {
    pub fn key(self) -> &'static str {
        match self {
            IdeaLabel::Source => "source",
            IdeaLabel::Submitter => "submitter",
        }
    }
}

/// An idea as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Idea {
    pub id: Option<Id>,
    pub title: String,
    pub description: String,
    pub status: IdeaStatus,
    pub status_reason: String,
    pub source: String,
    pub submitter: String,
    /// Sorted, lowercase.
    pub tags: Vec<String>,
    pub votes: i64,
    /// Prioritisation inputs for every framework (see [`crate::priorities`]).
    pub scores: crate::priorities::ScoreInputs,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub deleted: bool,
}

/// Normalises a tag as typed: trimmed, inner whitespace collapsed, lowercase, at most
/// 40 characters. `None` if nothing is left.
pub fn normalize_tag(raw: &str) -> Option<String> {
    let tag: String = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase().chars().take(40).collect();
    (!tag.is_empty()).then_some(tag)
}

/// Reads an idea from any field source, reporting what is not in schema v1's shape.
fn read_idea<S: FieldSource + ?Sized>(source: &S, id: &Id, problems: &mut Vec<Problem>) -> Idea {
    let mut r = Reader { source, path: format!("ideas/{id}"), problems };
    let status_raw = r.str("status");
    let idea = Idea {
        id: Some(id.clone()),
        title: r.text(IdeaText::Title.key()),
        description: r.text(IdeaText::Description.key()),
        status: IdeaStatus::default(),
        status_reason: r.text(IdeaText::StatusReason.key()),
        source: r.str(IdeaLabel::Source.key()),
        submitter: r.str(IdeaLabel::Submitter.key()),
        tags: r.set(TAGS),
        votes: r.int("votes").unwrap_or(0),
        scores: crate::priorities::inputs_from_entries(r.number_map("scores")),
        created_at: r.int(CREATED_AT).unwrap_or(0),
        created_by: r.str(CREATED_BY),
        updated_at: r.int(UPDATED_AT).unwrap_or(0),
        deleted: r.bool(DELETED),
    };
    let status = IdeaStatus::parse(&status_raw).unwrap_or_else(|| {
        if !status_raw.is_empty() {
            problems.push(Problem { path: format!("ideas/{id}/status"), message: format!("unknown status {status_raw:?}, shown as New") });
        }
        IdeaStatus::New
    });
    Idea { status, ..idea }
}

impl Workspace {
    /// Every idea id, deleted ones included.
    pub fn idea_ids(&self) -> Vec<Id> {
        self.ids_in(&self.ideas)
    }

    /// Number of ideas that are not deleted.
    pub fn live_idea_count(&self) -> usize {
        self.ideas().0.iter().filter(|i| !i.deleted).count()
    }

    fn idea_obj(&self, id: &Id) -> Option<ObjId> {
        child_map(&self.doc, &self.ideas, id.as_str())
    }

    /// One idea, with problems found reading it; `None` if there is no such idea.
    pub fn idea(&self, id: &Id) -> Option<(Idea, Vec<Problem>)> {
        let obj = self.idea_obj(id)?;
        let mut problems = Vec::new();
        let idea = read_idea(&DocFields { doc: &self.doc, obj }, id, &mut problems);
        Some((idea, problems))
    }

    /// Captures a new idea and returns its id.
    pub fn create_idea(&mut self, title: &str, now_ms: i64, by: &str) -> Result<Id, EditError> {
        let id = self.new_id();
        let ideas = self.ideas.clone();
        let obj = self.doc.put_object(&ideas, id.as_str(), ObjType::Map)?;
        // Text objects are created with the idea, never lazily: two people creating the
        // same Text at once would conflict and one person's typing would be hidden.
        for field in [IdeaText::Title, IdeaText::Description, IdeaText::StatusReason] {
            self.doc.put_object(&obj, field.key(), ObjType::Text)?;
        }
        write_text(&mut self.doc, &obj, IdeaText::Title.key(), title.trim())?;
        self.doc.put(&obj, "status", IdeaStatus::New.key())?;
        self.doc.put(&obj, "votes", ScalarValue::counter(0))?;
        self.doc.put_object(&obj, TAGS, ObjType::Map)?;
        // Prioritisation inputs (`<framework>.<input>` keys); see `priorities`.
        self.doc.put_object(&obj, "scores", ObjType::Map)?;
        self.put_common_fields(&obj, now_ms, by)?;
        Ok(id)
    }

    fn existing_idea(&self, id: &Id) -> Result<ObjId, EditError> {
        self.idea_obj(id).ok_or_else(|| EditError::NotFound(id.clone()))
    }

    /// Sets a long-text field of an idea.
    pub fn set_idea_text(&mut self, id: &Id, field: IdeaText, value: &str, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_idea(id)?;
        write_text(&mut self.doc, &obj, field.key(), value)?;
        self.touch(&obj, now_ms)
    }

    /// Sets a short label of an idea.
    pub fn set_idea_label(&mut self, id: &Id, field: IdeaLabel, value: &str, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_idea(id)?;
        self.doc.put(&obj, field.key(), value.trim())?;
        self.touch(&obj, now_ms)
    }

    /// Moves an idea to `status`.
    pub fn set_idea_status(&mut self, id: &Id, status: IdeaStatus, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_idea(id)?;
        self.doc.put(&obj, "status", status.key())?;
        self.touch(&obj, now_ms)
    }

    /// Adds a tag (normalised); returns the tag as stored, or `None` if it was empty.
    pub fn add_idea_tag(&mut self, id: &Id, raw: &str, now_ms: i64) -> Result<Option<String>, EditError> {
        let obj = self.existing_idea(id)?;
        let Some(tag) = normalize_tag(raw) else { return Ok(None) };
        self.set_member(&obj, TAGS, &tag, true)?;
        self.touch(&obj, now_ms)?;
        Ok(Some(tag))
    }

    pub fn remove_idea_tag(&mut self, id: &Id, tag: &str, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_idea(id)?;
        self.set_member(&obj, TAGS, tag, false)?;
        self.touch(&obj, now_ms)
    }

    /// Adds `delta` votes (a counter, so concurrent votes add up).
    pub fn vote_idea(&mut self, id: &Id, delta: i64, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_idea(id)?;
        match self.doc.get(&obj, "votes")? {
            Some((automerge::Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Counter(_)) => {
                self.doc.increment(&obj, "votes", delta)?;
            }
            // Missing or damaged: start a counter from what was readable.
            _ => {
                let current = self.idea(id).map(|(i, _)| i.votes).unwrap_or(0);
                self.doc.put(&obj, "votes", ScalarValue::counter(current + delta))?;
            }
        }
        self.touch(&obj, now_ms)
    }

    /// Sets when an idea was last updated (imports keep the original time).
    pub fn touch_idea(&mut self, id: &Id, at_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_idea(id)?;
        self.touch(&obj, at_ms)
    }

    /// Soft-deletes an idea: it disappears from lists but keeps its content, so undo
    /// (and a teammate's concurrent edit) loses nothing.
    pub fn delete_idea(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        self.set_idea_deleted(id, true, now_ms)
    }

    /// Brings a deleted idea back.
    pub fn restore_idea(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        self.set_idea_deleted(id, false, now_ms)
    }

    fn set_idea_deleted(&mut self, id: &Id, deleted: bool, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_idea(id)?;
        self.set_deleted(&obj, deleted, now_ms)
    }

    /// Every idea, in no particular order, with problems found reading them. Reads the
    /// collection in one pass (opening a workspace reads every idea once).
    pub fn ideas(&self) -> (Vec<Idea>, Vec<Problem>) {
        self.read_collection(crate::schema::IDEAS, read_idea)
    }

    /// Reads the keys of an idea map that this version does not know (for tests and
    /// diagnostics: they are preserved untouched on every write).
    pub fn idea_unknown_keys(&self, id: &Id) -> Vec<String> {
        const KNOWN: &[&str] = &[
            "title", "description", "status_reason", "status", "source", "submitter", "votes",
            TAGS, crate::schema::COMMENTS, "scores", CREATED_AT, CREATED_BY, UPDATED_AT, DELETED,
        ];
        match self.idea_obj(id) {
            Some(obj) => self.doc.keys(&obj).filter(|k| !KNOWN.contains(&k.as_str())).collect(),
            None => Vec::new(),
        }
    }
}
