//! Documents: specs, decision records, notes, training and release notes, written in
//! Markdown and edited together. Its links to the ideas and stories it describes are
//! [`crate::link`]s from the document, so linking never touches the linked artifact.
//!
//! The body is stored as Automerge Text, so two people typing in one spec merge
//! character by character. It is rendered only through [`crate::markdown`], which
//! never lets raw HTML or a script link through.

use automerge::{transaction::Transactable, ObjId, ObjType, ROOT};

use crate::fields::{ensure_map, write_text, DocFields, FieldSource, Problem, Reader};
use crate::link::{Link, Ref, Relation};
use crate::schema::{CREATED_AT, CREATED_BY, DELETED, DOCUMENTS, UPDATED_AT};
use crate::workspace::{EditError, Workspace};
use crate::Id;

/// Where builds before [`crate::link`] kept the ids (ideas or stories) it describes.
const LEGACY_LINKS: &str = "links";

/// What a document is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DocKind {
    Spec,
    Decision,
    #[default]
    Note,
    Training,
    ReleaseNote,
}

impl DocKind {
    pub const ALL: [DocKind; 5] = [DocKind::Spec, DocKind::Decision, DocKind::Note, DocKind::Training, DocKind::ReleaseNote];

    pub fn key(self) -> &'static str {
        match self {
            DocKind::Spec => "spec",
            DocKind::Decision => "decision",
            DocKind::Note => "note",
            DocKind::Training => "training",
            DocKind::ReleaseNote => "release_note",
        }
    }

    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DocKind::Spec => "Spec",
            DocKind::Decision => "Decision record",
            DocKind::Note => "Note",
            DocKind::Training => "Training",
            DocKind::ReleaseNote => "Release note",
        }
    }
}

/// A document as read from the workspace.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Document {
    pub id: Option<Id>,
    pub title: String,
    pub kind: DocKind,
    /// Markdown source.
    pub body: String,
    /// The ideas and stories it describes (links, [`Relation::Describes`]), sorted.
    pub links: Vec<Ref>,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub deleted: bool,
}

impl Document {
    /// Whether it describes the artifact with this id.
    pub fn describes(&self, target: &Id) -> bool {
        self.links.iter().any(|l| &l.id == target)
    }
}

/// Reads a document, and the bare ids its old link form holds (their kind is looked up
/// by [`Workspace::legacy_document_targets`]).
fn read_document<S: FieldSource + ?Sized>(source: &S, id: &Id, problems: &mut Vec<Problem>) -> (Document, Vec<Id>) {
    let mut r = Reader { source, path: format!("documents/{id}"), problems };
    let kind_raw = r.str("kind");
    let legacy = r.set(LEGACY_LINKS).iter().filter_map(|k| Id::parse(k)).collect();
    let doc = Document {
        id: Some(id.clone()),
        title: r.text("title"),
        kind: DocKind::default(),
        body: r.text("body"),
        links: Vec::new(),
        tags: r.set(crate::schema::TAGS),
        created_at: r.int(CREATED_AT).unwrap_or(0),
        created_by: r.str(CREATED_BY),
        updated_at: r.int(UPDATED_AT).unwrap_or(0),
        deleted: r.bool(DELETED),
    };
    let kind = DocKind::parse(&kind_raw).unwrap_or_else(|| {
        if !kind_raw.is_empty() {
            problems.push(Problem { path: format!("documents/{id}/kind"), message: format!("unknown kind {kind_raw:?}, shown as a note") });
        }
        DocKind::Note
    });
    (Document { kind, ..doc }, legacy)
}

impl Workspace {
    fn document_obj(&self, id: &Id) -> Result<ObjId, EditError> {
        self.artifact(DOCUMENTS, id)
    }

    /// Starts a document of `kind` titled `title`.
    pub fn create_document(&mut self, title: &str, kind: DocKind, now_ms: i64, by: &str) -> Result<Id, EditError> {
        let id = self.new_id();
        let map = ensure_map(&mut self.doc, &ROOT, DOCUMENTS)?;
        let obj = self.doc.put_object(&map, id.as_str(), ObjType::Map)?;
        // Texts and the link set are created with the document, so concurrent first
        // edits merge instead of hiding one another.
        self.doc.put_object(&obj, "title", ObjType::Text)?;
        self.doc.put_object(&obj, "body", ObjType::Text)?;
        self.doc.put_object(&obj, crate::schema::TAGS, ObjType::Map)?;
        write_text(&mut self.doc, &obj, "title", title.trim())?;
        self.doc.put(&obj, "kind", kind.key())?;
        self.put_common_fields(&obj, now_ms, by)?;
        Ok(id)
    }

    pub fn document(&self, id: &Id) -> Option<(Document, Vec<Problem>)> {
        let obj = self.document_obj(id).ok()?;
        let mut problems = Vec::new();
        let read = read_document(&DocFields { doc: &self.doc, obj }, id, &mut problems);
        Some((self.with_links(read, &self.stored_links_from(&Ref::new(DOCUMENTS, id.clone()))), problems))
    }

    /// Every document (deleted included), read in one pass.
    pub fn documents(&self) -> (Vec<Document>, Vec<Problem>) {
        let (all, problems) = self.read_collection(DOCUMENTS, read_document);
        let links = self.stored_links_by_source(DOCUMENTS);
        let all = all
            .into_iter()
            .map(|read| {
                let stored = read.0.id.as_ref().and_then(|id| links.get(id)).map_or(&[][..], Vec::as_slice);
                self.with_links(read, stored)
            })
            .collect();
        (all, problems)
    }

    /// The document with its links: the current form and the old one, merged.
    fn with_links(&self, (mut doc, legacy): (Document, Vec<Id>), stored: &[Link]) -> Document {
        doc.links = self.legacy_document_targets(&legacy);
        for link in stored.iter().filter(|l| l.relation == Relation::Describes) {
            if !doc.links.contains(&link.to) {
                doc.links.push(link.to.clone());
            }
        }
        doc.links.sort();
        doc
    }

    /// Sets the title (`body: false`) or the Markdown body (`body: true`).
    pub fn set_document_text(&mut self, id: &Id, body: bool, value: &str, now_ms: i64) -> Result<(), EditError> {
        let obj = self.document_obj(id)?;
        write_text(&mut self.doc, &obj, if body { "body" } else { "title" }, value)?;
        self.touch(&obj, now_ms)
    }

    pub fn set_document_kind(&mut self, id: &Id, kind: DocKind, now_ms: i64) -> Result<(), EditError> {
        let obj = self.document_obj(id)?;
        self.doc.put(&obj, "kind", kind.key())?;
        self.touch(&obj, now_ms)
    }

    /// Links (or unlinks) the document to what it describes (an idea or a story).
    pub fn link_document(&mut self, id: &Id, target: &Ref, linked: bool, now_ms: i64) -> Result<(), EditError> {
        self.set_linked(&Ref::new(DOCUMENTS, id.clone()), Relation::Describes, target, linked, now_ms)
    }

    pub fn delete_document(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.document_obj(id)?;
        self.set_deleted(&obj, true, now_ms)
    }

    pub fn restore_document(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.document_obj(id)?;
        self.set_deleted(&obj, false, now_ms)
    }
}

/// The live documents linked to `target` (an idea or a story).
pub fn documents_linking<'a>(all: &'a [Document], target: &Id) -> Vec<&'a Document> {
    all.iter().filter(|d| !d.deleted && d.describes(target)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_round_trips_and_links() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let idea = ws.create_idea("Reminders", 1, "Ana").unwrap();
        let id = ws.create_document("  Reminder spec ", DocKind::Spec, 2, "Ana").unwrap();
        ws.set_document_text(&id, true, "# Goal\nSend **reminders**.", 3).unwrap();
        ws.link_document(&id, &Ref::new(crate::schema::IDEAS, idea.clone()), true, 4).unwrap();
        let reloaded = Workspace::load(&ws.save()).unwrap();
        let (d, problems) = reloaded.document(&id).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((d.title.as_str(), d.kind, d.body.as_str()), ("Reminder spec", DocKind::Spec, "# Goal\nSend **reminders**."));
        assert_eq!(d.links, vec![Ref::new(crate::schema::IDEAS, idea.clone())]);
        let all = reloaded.documents().0;
        assert_eq!(documents_linking(&all, &idea).len(), 1);
        ws.link_document(&id, &Ref::new(crate::schema::IDEAS, idea.clone()), false, 5).unwrap();
        assert!(ws.document(&id).unwrap().0.links.is_empty());
    }

    #[test]
    fn two_people_writing_one_spec_keep_both_edits() {
        let mut a = Workspace::create("Payments", 1, "Ana");
        let id = a.create_document("Spec", DocKind::Spec, 2, "Ana").unwrap();
        a.set_document_text(&id, true, "Intro.\n\nEnd.", 3).unwrap();
        let mut b = a.fork();
        a.set_document_text(&id, true, "Intro, by Ana.\n\nEnd.", 4).unwrap();
        b.set_document_text(&id, true, "Intro.\n\nEnd, by Ben.", 4).unwrap();
        a.merge(&mut b).unwrap();
        assert_eq!(a.document(&id).unwrap().0.body, "Intro, by Ana.\n\nEnd, by Ben.");
    }

    #[test]
    fn an_unknown_kind_reads_as_a_note_and_is_reported() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_document("Spec", DocKind::Spec, 2, "Ana").unwrap();
        let obj = ws.document_obj(&id).unwrap();
        ws.doc.put(&obj, "kind", "<script>").unwrap();
        let (d, problems) = ws.document(&id).unwrap();
        assert_eq!(d.kind, DocKind::Note);
        assert_eq!(problems.len(), 1);
    }
}
