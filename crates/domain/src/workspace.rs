//! [`Workspace`]: one workspace document, its persistence bytes and its change feed.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{
    transaction::Transactable, AutoCommit, ChangeHash, LoadOptions, ObjId, OnPartialLoad, VerificationMode, ObjType, Patch, PatchAction, Prop, ReadDoc,
    ScalarValue, ROOT,
};

use crate::fields::{child_map, describe_field, ensure_map, write_text, DocFields, FieldSource, Problem, Reader};
use crate::schema::{self, BRIEF, COLLECTIONS, IDEAS, SCHEMA, SCHEMA_VERSION, SETTINGS, WORKSPACE_ID};
use crate::Id;

/// Why bytes could not be opened as a workspace. Nothing is changed when this is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("this is not an Automerge document ({0})")]
    NotAutomerge(String),
    #[error("this Automerge document is not a Waymark workspace (it has no workspace id)")]
    NotAWorkspace,
    #[error("this workspace was written by a newer Waymark (schema {0}); update the app to open it")]
    TooNew(u64),
    /// A peer's change would give the workspace another id or schema (or none), which
    /// would make it impossible to open: it is refused whole.
    #[error("a change would have altered this workspace's id or schema; it was refused")]
    ChangesIdentity,
    /// A peer's change nests objects deeper than any workspace does: reading it would
    /// exhaust the reader's stack (and crash every client that opens the workspace).
    #[error("a change nests data deeper than a workspace ever does; it was refused")]
    TooDeep,
    /// Compressed parts that would inflate past [`crate::inflation::inflation_budget`]:
    /// refused before anything is inflated.
    #[error("this data would take more than {0} MB once decompressed; it was refused")]
    Inflates(u64),
}

impl From<crate::inflation::Refusal> for LoadError {
    fn from(r: crate::inflation::Refusal) -> Self {
        match r {
            crate::inflation::Refusal::Bomb { limit } => LoadError::Inflates(limit >> 20),
            other => LoadError::NotAutomerge(other.to_string()),
        }
    }
}

/// How deep below the root an object may sit. The schema needs 5 (collection →
/// artifact → a map field → an entry → its text); a peer nesting deeper can only mean
/// to exhaust a reader's stack.
const MAX_DEPTH: usize = 16;

/// Why an edit could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("no item with id {0} in this workspace")]
    NotFound(Id),
    #[error("the document refused the edit: {0}")]
    Document(String),
    #[error("{0}")]
    Invalid(String),
}

impl From<automerge::AutomergeError> for EditError {
    fn from(e: automerge::AutomergeError) -> Self {
        EditError::Document(e.to_string())
    }
}

/// What a batch of changes touched, so views re-read only that.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    /// Re-read everything (a collection itself was replaced, or the first diff).
    pub everything: bool,
    pub brief: bool,
    /// The workspace settings (framework, weighted criteria).
    pub settings: bool,
    /// The artifacts touched, by collection (any of [`COLLECTIONS`]).
    items: BTreeMap<&'static str, BTreeSet<Id>>,
}

static NOTHING: BTreeSet<Id> = BTreeSet::new();

impl Changed {
    /// The workspace settings changed.
    pub fn settings() -> Changed {
        Changed { settings: true, ..Changed::default() }
    }

    /// The brief changed.
    pub fn brief() -> Changed {
        Changed { brief: true, ..Changed::default() }
    }

    /// Artifact `id` of `collection` changed.
    pub fn one(collection: &'static str, id: Id) -> Changed {
        let mut changed = Changed::default();
        changed.insert(collection, id);
        changed
    }

    /// Records that artifact `id` of `collection` changed.
    pub fn insert(&mut self, collection: &'static str, id: Id) {
        self.items.entry(collection).or_default().insert(id);
    }

    /// The artifacts of `collection` that changed.
    pub fn of(&self, collection: &str) -> &BTreeSet<Id> {
        self.items.get(collection).unwrap_or(&NOTHING)
    }

    /// Every collection with changed artifacts, and those artifacts.
    pub fn collections(&self) -> impl Iterator<Item = (&'static str, &BTreeSet<Id>)> {
        self.items.iter().filter(|(_, ids)| !ids.is_empty()).map(|(c, ids)| (*c, ids))
    }

    pub fn is_empty(&self) -> bool {
        !self.everything && !self.brief && !self.settings && self.items.values().all(BTreeSet::is_empty)
    }

    /// Adds what `other` names (for a batch of changes applied one by one).
    pub fn absorb(&mut self, other: Changed) {
        self.everything |= other.everything;
        self.brief |= other.brief;
        self.settings |= other.settings;
        for (collection, ids) in other.items {
            self.items.entry(collection).or_default().extend(ids);
        }
    }

    /// Folds in what `patches` touched. A patch's path starts at the root, so its first
    /// two steps name the collection and the artifact.
    pub fn add_patches(&mut self, patches: &[Patch]) {
        for patch in patches {
            match patch.path.as_slice() {
                [] => match &patch.action {
                    PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => match key.as_str() {
                        BRIEF => self.brief = true,
                        SETTINGS => self.settings = true,
                        SCHEMA | WORKSPACE_ID | crate::link::LINKS => self.everything = true,
                        other if collection(other).is_some() => self.everything = true,
                        _ => {}
                    },
                    _ => {}
                },
                [(_, Prop::Map(top)), ..] if top == BRIEF => self.brief = true,
                [(_, Prop::Map(top)), ..] if top == SETTINGS => self.settings = true,
                // A link changes the artifact it starts at.
                [(_, Prop::Map(top))] if top == crate::link::LINKS => match &patch.action {
                    PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                        if let Some(source) = crate::link::source_of(key) {
                            self.insert(source.collection, source.id);
                        }
                    }
                    _ => {}
                },
                [(_, Prop::Map(top))] => match &patch.action {
                    PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => self.touched(top, key),
                    _ => {}
                },
                [(_, Prop::Map(top)), (_, Prop::Map(key)), ..] => self.touched(top, key),
                _ => {}
            }
        }
    }

    /// Folds in a write at `path`: the map keys from the root down to the key written
    /// (as [`Changed::add_patches`] reads a patch's path and key).
    pub fn add_path(&mut self, path: &[String]) {
        match path {
            [] => {}
            [key] => match key.as_str() {
                BRIEF => self.brief = true,
                SETTINGS => self.settings = true,
                SCHEMA | WORKSPACE_ID | crate::link::LINKS => self.everything = true,
                other if collection(other).is_some() => self.everything = true,
                _ => {}
            },
            [top, ..] if top == BRIEF => self.brief = true,
            [top, ..] if top == SETTINGS => self.settings = true,
            [top, key] if top == crate::link::LINKS => {
                if let Some(source) = crate::link::source_of(key) {
                    self.insert(source.collection, source.id);
                }
            }
            [top, key, ..] => self.touched(top, key),
        }
    }

    /// Records that artifact `key` of collection `top` changed (keys that are not ids,
    /// and maps that are not collections, are not artifacts).
    fn touched(&mut self, top: &str, key: &str) {
        if let (Some(collection), Some(id)) = (collection(top), Id::parse(key)) {
            self.insert(collection, id);
        }
    }
}

/// The collection named `key`, as its schema constant.
fn collection(key: &str) -> Option<&'static str> {
    COLLECTIONS.iter().find(|c| **c == key).copied()
}

/// Checks that `bytes` parse completely as Automerge data (where a plain load would
/// quietly keep the part before any damage).
fn strict_check(bytes: &[u8]) -> Result<(), automerge::AutomergeError> {
    let options = LoadOptions::new().on_partial_load(OnPartialLoad::Error).verification_mode(VerificationMode::DontCheck);
    match AutoCommit::load_with_options(bytes, options) {
        // Changes that build on others not in `bytes` (an incremental chunk): Automerge
        // says so only after parsing every byte cleanly.
        Ok(_) | Err(automerge::AutomergeError::MissingDeps) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `bytes` are complete, undamaged Automerge data (a document or changes).
pub fn is_well_formed(bytes: &[u8]) -> bool {
    !bytes.is_empty() && crate::inflation::check(bytes).is_ok() && strict_check(bytes).is_ok()
}

/// A workspace document plus cached handles to its top-level maps.
pub struct Workspace {
    pub(crate) doc: AutoCommit,
    pub(crate) brief: ObjId,
    pub(crate) ideas: ObjId,
    /// Top-level maps that held something else and were re-created empty. The value
    /// they held is out of view after that, so the readers report it from here.
    repaired: Vec<Problem>,
    /// The heads the last save, incremental save or load covered: the next incremental
    /// save holds only what came after them. Kept here, not in Automerge's own cursor,
    /// which a load leaves empty (so the first edit after opening a workspace saved its
    /// whole history again as one chunk) and `save_nocompress` moves.
    saved: Vec<ChangeHash>,
    /// The id the next artifact created gets, when the caller chose it (see
    /// [`Workspace::apply_edit_as`]); otherwise ids are random.
    pub(crate) next_id: Option<Id>,
    /// Set while an import writes artifacts field by field: each setter would record
    /// "last changed" again (an operation each time, in the document for good), and
    /// the import sets it once per artifact at the end.
    pub(crate) touches_deferred: bool,
}

impl Workspace {
    /// A new, empty workspace with every schema v1 collection in place.
    pub fn create(name: &str, now_ms: i64, by: &str) -> Workspace {
        let mut doc = AutoCommit::new();
        let setup = |doc: &mut AutoCommit| -> Result<(), automerge::AutomergeError> {
            doc.put(ROOT, SCHEMA, ScalarValue::Uint(SCHEMA_VERSION))?;
            doc.put(ROOT, WORKSPACE_ID, Id::random().as_str())?;
            doc.put(ROOT, schema::CREATED_AT, now_ms)?;
            doc.put(ROOT, schema::CREATED_BY, by)?;
            let brief = doc.put_object(ROOT, BRIEF, ObjType::Map)?;
            for field in crate::BriefField::ALL {
                doc.put_object(&brief, field.key(), ObjType::Text)?;
            }
            write_text(doc, &brief, crate::BriefField::Name.key(), name)?;
            let settings = doc.put_object(ROOT, schema::SETTINGS, ObjType::Map)?;
            doc.put(&settings, "framework", "rice")?;
            // Created now, never lazily: two people adding the first criterion at once
            // would otherwise each create a map and one of them would be hidden.
            doc.put_object(&settings, "criteria", ObjType::Map)?;
            for c in COLLECTIONS {
                doc.put_object(ROOT, *c, ObjType::Map)?;
            }
            doc.put_object(ROOT, crate::link::LINKS, ObjType::Map)?;
            Ok(())
        };
        setup(&mut doc).expect("writing to a fresh in-memory document cannot fail");
        let mut ws = Workspace::wrap(doc);
        ws.commit_by(by, now_ms);
        // Start the incremental diff cursor here, so later diffs only cover later edits.
        ws.doc.update_diff_cursor();
        ws
    }

    /// A document with no changes at all, standing in for one not loaded yet (the app
    /// paints a workspace from its view cache meanwhile). Nothing should be written to
    /// it: unlike [`Workspace::create`] it has no schema, and its handles are the root.
    pub fn standing_in() -> Workspace {
        Workspace { doc: AutoCommit::new(), brief: ROOT, ideas: ROOT, repaired: Vec::new(), saved: Vec::new(), next_id: None, touches_deferred: false }
    }

    /// Opens a saved document (`save()` output, or any Automerge file).
    pub fn load(bytes: &[u8]) -> Result<Workspace, LoadError> {
        crate::inflation::check(bytes)?;
        let doc = AutoCommit::load(bytes).map_err(|e| LoadError::NotAutomerge(e.to_string()))?;
        let mut ws = Workspace::check(doc)?;
        ws.doc.update_diff_cursor();
        ws.saved = ws.doc.get_heads();
        Ok(ws)
    }

    /// Opens a workspace from a snapshot plus incremental chunks, as stored in the
    /// browser. A chunk that does not load is skipped and its index returned: what is
    /// valid still opens, and the caller keeps the bad bytes.
    pub fn load_with_chunks<'a>(
        snapshot: Option<&[u8]>,
        chunks: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<(Workspace, Vec<usize>), LoadError> {
        let mut doc = match snapshot {
            Some(bytes) => AutoCommit::load(crate::inflation::check(bytes).map(|()| bytes)?).map_err(|e| LoadError::NotAutomerge(e.to_string()))?,
            None => AutoCommit::new(),
        };
        let mut bad = Vec::new();
        for (i, chunk) in chunks.into_iter().enumerate() {
            // Automerge applies what it can of a damaged chunk and says nothing, so check
            // each chunk strictly first: a chunk is applied whole or not at all.
            if !is_well_formed(chunk) || doc.load_incremental(chunk).is_err() {
                bad.push(i);
            }
        }
        let mut ws = Workspace::check(doc)?;
        ws.doc.update_diff_cursor();
        // Everything it holds is stored already: only later changes are new chunks.
        ws.saved = ws.doc.get_heads();
        Ok((ws, bad))
    }

    fn check(mut doc: AutoCommit) -> Result<Workspace, LoadError> {
        let has_id = matches!(doc.get(ROOT, WORKSPACE_ID), Ok(Some((automerge::Value::Scalar(s), _))) if s.as_str().and_then(Id::parse).is_some());
        if !has_id {
            return Err(LoadError::NotAWorkspace);
        }
        let version = match doc.get(ROOT, SCHEMA) {
            Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Uint(v) => *v,
                ScalarValue::Int(v) => (*v).max(0) as u64,
                _ => SCHEMA_VERSION,
            },
            _ => SCHEMA_VERSION,
        };
        if version > SCHEMA_VERSION {
            return Err(LoadError::TooNew(version));
        }
        let _ = doc.get_heads();
        Ok(Workspace::wrap(doc))
    }

    pub(crate) fn wrap(doc: AutoCommit) -> Workspace {
        // A new or forked document: its first incremental save holds everything.
        let mut ws = Workspace { doc, brief: ROOT, ideas: ROOT, repaired: Vec::new(), saved: Vec::new(), next_id: None, touches_deferred: false };
        ws.refresh_handles();
        ws
    }

    /// Re-finds the top-level maps, creating any that a damaged document lacks. Called
    /// after remote changes, which may (if hostile) have replaced them.
    fn refresh_handles(&mut self) {
        self.brief = self.top_level_map(BRIEF);
        self.ideas = self.top_level_map(IDEAS);
    }

    /// The top-level map `key`. Only a damaged document lacks it; then it is re-created
    /// empty (an edit, committed with the next one) and the repair is reported.
    fn top_level_map(&mut self, key: &str) -> ObjId {
        if let Some(map) = child_map(&self.doc, &ROOT, key) {
            return map;
        }
        let found = describe_field(&DocFields { doc: &self.doc, obj: ROOT }.field(key));
        let problem = Problem { path: key.to_owned(), message: format!("expected a map, found {found}; started an empty one") };
        if !self.repaired.contains(&problem) {
            self.repaired.push(problem);
        }
        ensure_map(&mut self.doc, &ROOT, key).expect("root is a map")
    }

    /// Repairs made to the top-level map `key` (see [`Workspace::top_level_map`]).
    pub(crate) fn repairs_of(&self, key: &str) -> impl Iterator<Item = Problem> + '_ {
        let key = key.to_owned();
        self.repaired.iter().filter(move |p| p.path == key).cloned()
    }

    /// The stable id shared by every copy of this workspace.
    pub fn workspace_id(&self) -> String {
        match self.doc.get(ROOT, WORKSPACE_ID) {
            Ok(Some((automerge::Value::Scalar(s), _))) => s.as_str().unwrap_or_default().to_owned(),
            _ => String::new(),
        }
    }

    /// Schema problems at the document's top level (not per artifact).
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let source = DocFields { doc: &self.doc, obj: ROOT };
        let mut r = Reader { source: &source, path: String::new(), problems: &mut problems };
        let _ = r.int(SCHEMA);
        let _ = r.str(schema::CREATED_BY);
        problems.extend(self.repaired.iter().cloned());
        problems.extend(self.stored_links().1);
        problems
    }

    /// Whether there are edits not yet committed into a change.
    pub fn has_pending_edits(&self) -> bool {
        self.doc.pending_ops() > 0
    }

    /// Closes the pending edits into one change. Returns whether there were any.
    pub fn commit(&mut self) -> bool {
        self.doc.commit().is_some()
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        let bytes = self.doc.save();
        self.saved = self.doc.get_heads();
        bytes
    }

    /// The whole document, compacted, leaving what the next incremental save holds as
    /// it was (a snapshot for storage or a peer, taken beside the chunks).
    pub fn snapshot(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Every byte of the document, history included, uncompressed: what to search to
    /// be sure a text is nowhere in it (a published roadmap's check). Leaves what the
    /// next incremental save holds as it was.
    pub fn uncompressed(&mut self) -> Vec<u8> {
        self.doc.save_nocompress()
    }

    /// The changes since the last `save`, `save_incremental` or load (commits pending
    /// edits first). Empty when nothing changed.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        let bytes = self.doc.save_after(&self.saved);
        if !bytes.is_empty() {
            self.saved = self.doc.get_heads();
        }
        bytes
    }

    /// Applies bytes from elsewhere (a peer's changes, a chunk, a whole saved document
    /// of the same workspace) and says what they touched.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<Changed, LoadError> {
        // Validate strictly first, so damaged bytes change nothing.
        crate::inflation::check(bytes)?;
        strict_check(bytes).map_err(|e| LoadError::NotAutomerge(e.to_string()))?;
        let before = self.identity_point();
        self.doc.load_incremental(bytes).map_err(|e| LoadError::NotAutomerge(e.to_string()))?;
        self.keep_identity(before)?;
        Ok(self.take_changes())
    }

    /// Merges another copy of this workspace into this one (refused whole, like
    /// [`Workspace::apply`], if it would change the workspace's id or schema).
    pub fn merge(&mut self, other: &mut Workspace) -> Result<Changed, EditError> {
        let before = self.identity_point();
        self.doc.merge(&mut other.doc)?;
        self.keep_identity(before).map_err(|e| EditError::Invalid(e.to_string()))?;
        Ok(self.take_changes())
    }

    /// The workspace's id and schema as they stand, and where history stands: what
    /// [`Workspace::keep_identity`] compares against.
    fn identity_point(&mut self) -> (Vec<automerge::ChangeHash>, Vec<String>) {
        self.doc.commit();
        (self.doc.get_heads(), self.identity())
    }

    /// Every value (conflicts included) of the root keys that make the document this
    /// workspace: its id and its schema version.
    fn identity(&self) -> Vec<String> {
        [WORKSPACE_ID, SCHEMA]
            .into_iter()
            .flat_map(|key| self.doc.get_all(ROOT, key).unwrap_or_default().into_iter().map(move |(v, _)| format!("{key}={v:?}")))
            .collect()
    }

    /// Only `Workspace::create` writes the id and the schema, so a change that touches
    /// them is hostile (or from a newer app that must not do this): the document goes
    /// back to where it was before it, exactly, and the change is refused.
    fn keep_identity(&mut self, (heads, identity): (Vec<automerge::ChangeHash>, Vec<String>)) -> Result<(), LoadError> {
        let refusal = if self.identity() != identity {
            LoadError::ChangesIdentity
        } else if self.nests_too_deep(&heads) {
            LoadError::TooDeep
        } else {
            return Ok(());
        };
        let actor = self.doc.get_actor().clone();
        let mut restored = self.doc.fork_at(&heads).map_err(|e| LoadError::NotAutomerge(e.to_string()))?;
        // Our own changes are all before `heads`, so our actor carries on where it was.
        restored.set_actor(actor);
        restored.update_diff_cursor();
        // Everything it holds was saved before: the next incremental save starts here.
        self.saved = restored.get_heads();
        self.doc = restored;
        self.refresh_handles();
        Err(refusal)
    }

    /// Whether the changes since `heads` create an object deeper than [`MAX_DEPTH`].
    /// Looks only at what they create: each new object's depth is its parent's plus
    /// one, the parent's found in the same changes or (bounded) in the document.
    fn nests_too_deep(&mut self, heads: &[automerge::ChangeHash]) -> bool {
        use automerge::legacy::{ObjectId, OpId};
        let mut depths: std::collections::HashMap<OpId, usize> = std::collections::HashMap::new();
        for change in self.doc.get_changes(heads) {
            let change = change.decode();
            for (i, op) in change.operations.iter().enumerate() {
                if !matches!(op.action, automerge::legacy::OpType::Make(_)) {
                    continue;
                }
                let parent = match &op.obj {
                    ObjectId::Root => 0,
                    ObjectId::Id(id) => match depths.get(id) {
                        Some(d) => *d,
                        None => self
                            .doc
                            .import_obj(&format!("{}@{}", id.0, id.1))
                            .ok()
                            .and_then(|obj| self.doc.parents(&obj).ok().map(|p| p.take(MAX_DEPTH + 1).count()))
                            .unwrap_or(MAX_DEPTH),
                    },
                };
                if parent + 1 > MAX_DEPTH {
                    return true;
                }
                depths.insert(OpId(change.start_op.get() + i as u64, change.actor_id.clone()), parent + 1);
            }
        }
        false
    }

    /// What changed since the last call (commits pending edits first). It reads
    /// Automerge's incremental patch log, yet turning that into patches still costs time
    /// in proportion to the document (about 1 ms per 1,000 ideas natively, see the
    /// domain benchmark), so own commits use [`Workspace::mark_changes_seen`] instead.
    pub fn take_changes(&mut self) -> Changed {
        let first = self.doc.diff_cursor().is_empty();
        let patches = self.doc.diff_incremental();
        self.refresh_handles();
        let mut changed = Changed { everything: first && !patches.is_empty(), ..Changed::default() };
        changed.add_patches(&patches);
        changed
    }

    /// What changed after `heads` (an earlier point of this document, such as a view
    /// cache's): `None` if the document does not know them all (they come from
    /// another document, or from changes that were never stored), and the view must
    /// be read afresh. Cheap when nothing changed; otherwise it costs what changed.
    pub fn changed_since(&mut self, heads: &[ChangeHash]) -> Option<Changed> {
        self.doc.commit();
        // The change graph answers whether they are known without decoding changes
        // (`get_change_by_hash` would rebuild them from the op set).
        if !self.doc.get_missing_deps(heads).is_empty() {
            return None;
        }
        let now = self.doc.get_heads();
        let mut changed = Changed::default();
        let (mut was, mut is) = (heads.to_vec(), now.clone());
        was.sort();
        is.sort();
        if was != is {
            changed.add_patches(&self.doc.diff(heads, &now));
        }
        Some(changed)
    }

    /// Marks everything so far as seen, without computing patches: for our own
    /// commits, whose effect the view already shows. O(1), where `take_changes` costs
    /// time in proportion to the document.
    pub fn mark_changes_seen(&mut self) {
        self.doc.update_diff_cursor();
    }

    /// A second, independent replica (same history, its own actor), for tests and merges.
    pub fn fork(&mut self) -> Workspace {
        let doc = self.doc.fork();
        let mut ws = Workspace::wrap(doc);
        ws.doc.update_diff_cursor();
        ws
    }

    /// Whether this copy holds changes it cannot apply yet, because they build on
    /// changes it lacks (a damaged chunk, say). They are kept, saved with the document
    /// and applied once the missing changes arrive; until then their edits are not shown.
    pub fn has_unapplied_changes(&self) -> bool {
        !self.doc.get_missing_deps(&[]).is_empty()
    }

    /// Read-only access for modules that read other collections.
    pub fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    /// Number of Automerge changes in the history (for diagnostics and benchmarks).
    pub fn change_count(&mut self) -> usize {
        self.doc.get_changes(&[]).len()
    }

    /// Reads every artifact of `collection` in one `hydrate` pass (several times
    /// faster than a lookup per field), skipping keys that are not ids.
    pub(crate) fn read_collection<T>(
        &self,
        collection: &str,
        read: impl Fn(&automerge::hydrate::Map, &Id, &mut Vec<Problem>) -> T,
    ) -> (Vec<T>, Vec<Problem>) {
        let mut problems: Vec<Problem> = self.repairs_of(collection).collect();
        let Some(map) = child_map(&self.doc, &ROOT, collection) else {
            // Missing reads as empty; anything else there is damage worth reporting.
            let root = DocFields { doc: &self.doc, obj: ROOT };
            match root.field(collection) {
                crate::fields::Field::Missing => {}
                found => problems.push(Problem {
                    path: collection.to_owned(),
                    message: format!("expected a map, found {}; shown as empty", describe_field(&found)),
                }),
            }
            return (Vec::new(), problems);
        };
        let all = match self.doc.hydrate(&map, None) {
            Ok(automerge::hydrate::Value::Map(m)) => m
                .iter()
                .filter_map(|(key, entry)| match (Id::parse(key), &entry.value) {
                    (Some(id), automerge::hydrate::Value::Map(fields)) => Some(read(fields, &id, &mut problems)),
                    (Some(_), _) => {
                        let found = describe_field(&m.field(key));
                        problems.push(Problem { path: format!("{collection}/{key}"), message: format!("expected a map, found {found}; skipped") });
                        None
                    }
                    (None, _) => {
                        // The key is untrusted: shown quoted and cut short.
                        let shown: String = key.chars().take(40).collect();
                        problems.push(Problem { path: format!("{collection}/{shown:?}"), message: "not an id; skipped".into() });
                        None
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        (all, problems)
    }

    /// Ids in a collection map, skipping keys that are not valid ids.
    pub(crate) fn ids_in(&self, collection: &ObjId) -> Vec<Id> {
        self.doc.keys(collection).filter_map(|k| Id::parse(&k)).collect()
    }

    pub(crate) fn touch(&mut self, obj: &ObjId, now_ms: i64) -> Result<(), EditError> {
        if self.touches_deferred {
            return Ok(());
        }
        self.touch_now(obj, now_ms)
    }

    /// Sets when the artifact was last changed, even while touches are deferred.
    pub(crate) fn touch_now(&mut self, obj: &ObjId, now_ms: i64) -> Result<(), EditError> {
        self.doc.put(obj, schema::UPDATED_AT, now_ms)?;
        Ok(())
    }

    /// Writes the fields every artifact carries when it is created.
    pub(crate) fn put_common_fields(&mut self, obj: &ObjId, now_ms: i64, by: &str) -> Result<(), EditError> {
        self.doc.put(obj, schema::CREATED_AT, now_ms)?;
        self.doc.put(obj, schema::CREATED_BY, by)?;
        self.doc.put(obj, schema::UPDATED_AT, now_ms)?;
        self.doc.put(obj, schema::DELETED, false)?;
        // Made with the artifact: two people writing the first comment at once keep both.
        self.doc.put_object(obj, schema::COMMENTS, ObjType::Map)?;
        Ok(())
    }

    /// An id for something being created: the one the caller chose, or a random one.
    pub(crate) fn new_id(&mut self) -> Id {
        self.next_id.take().unwrap_or_else(Id::random)
    }

    /// The map of artifact `id` in `collection`, or `NotFound`.
    pub(crate) fn artifact(&self, collection: &str, id: &Id) -> Result<ObjId, EditError> {
        child_map(&self.doc, &ROOT, collection)
            .and_then(|m| child_map(&self.doc, &m, id.as_str()))
            .ok_or_else(|| EditError::NotFound(id.clone()))
    }

    /// Soft-deletes (or restores) an artifact: its content stays, so undo and a
    /// concurrent edit lose nothing.
    pub(crate) fn set_deleted(&mut self, obj: &ObjId, deleted: bool, now_ms: i64) -> Result<(), EditError> {
        self.doc.put(obj, schema::DELETED, deleted)?;
        self.touch(obj, now_ms)
    }

    /// Sets a set member (`map key -> true`) on or off.
    /// Adds (`on`) or removes tag `raw` (normalised first) on artifact `target`; the tag
    /// as stored, or `None` if `raw` holds no tag.
    pub fn set_tag(&mut self, target: &crate::Ref, raw: &str, on: bool, now_ms: i64) -> Result<Option<String>, EditError> {
        let obj = self.artifact(target.collection, &target.id)?;
        let Some(tag) = crate::idea::normalize_tag(raw) else { return Ok(None) };
        self.set_member(&obj, schema::TAGS, &tag, on)?;
        self.touch(&obj, now_ms)?;
        Ok(Some(tag))
    }

    pub(crate) fn set_member(&mut self, obj: &ObjId, set: &str, member: &str, on: bool) -> Result<(), EditError> {
        let map = ensure_map(&mut self.doc, obj, set)?;
        if on {
            self.doc.put(&map, member, true)?;
        } else if self.doc.get(&map, member)?.is_some() {
            self.doc.delete(&map, member)?;
        }
        Ok(())
    }
}

impl Clone for Workspace {
    fn clone(&self) -> Self {
        let doc = self.doc.clone();
        Workspace { doc, brief: self.brief.clone(), ideas: self.ideas.clone(), repaired: self.repaired.clone(), saved: self.saved.clone(), next_id: None, touches_deferred: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_edit_after_opening_saves_only_itself() {
        let mut ws = crate::fixtures::busy_workspace(200);
        let stored = ws.save();
        let id = ws.idea_ids()[0].clone();
        for (mut opened, how) in [
            (Workspace::load(&stored).unwrap(), "load"),
            (Workspace::load_with_chunks(Some(&stored), std::iter::empty()).unwrap().0, "load_with_chunks"),
        ] {
            opened.set_idea_text(&id, crate::IdeaText::Title, "Renamed after opening", 9).unwrap();
            let _ = opened.uncompressed();
            let chunk = opened.save_incremental();
            // One edit's change is a few hundred bytes; the whole history was 50 times
            // the stored document before.
            assert!(chunk.len() < 1_000, "{how}: the first chunk after opening is {} bytes", chunk.len());
            let (reopened, bad) = Workspace::load_with_chunks(Some(&stored), [chunk.as_slice()]).unwrap();
            assert!(bad.is_empty());
            assert_eq!(reopened.idea(&id).unwrap().0.title, "Renamed after opening", "{how}: the chunk carries the edit");
            assert!(opened.save_incremental().is_empty(), "{how}: nothing more to save");
        }
    }

    #[test]
    fn chunks_are_checked_strictly_but_may_build_on_earlier_ones() {
        let mut ws = Workspace::create("x", 1, "a");
        let snapshot = ws.save();
        let id = ws.create_idea("Offline", 2, "a").unwrap();
        let chunk = ws.save_incremental();
        assert!(is_well_formed(&chunk), "a chunk whose dependencies are elsewhere is fine");
        assert!(!is_well_formed(&chunk[..chunk.len() - 7]), "truncated");
        let mut flipped = chunk.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0xff;
        flipped[mid + 1] ^= 0x55;
        assert!(!is_well_formed(&flipped), "bit rot");

        let (opened, bad) = Workspace::load_with_chunks(Some(&snapshot), [flipped.as_slice(), chunk.as_slice()]).unwrap();
        assert_eq!(bad, vec![0]);
        assert!(opened.idea(&id).is_some());
    }
}
