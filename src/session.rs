//! An open workspace: the Automerge document (the single source of truth), the view
//! signals derived from it, and the path of every edit to IndexedDB.
//!
//! An edit changes the document inside Automerge's open transaction and re-reads just
//! the artifact it touched into that artifact's signal, so its cost follows the edit.
//! Edits are batched: the transaction is committed and written to IndexedDB as one
//! chunk after a short pause in typing (or at the latest a few seconds after the first
//! edit), and at once when the tab is hidden or closed. Changes from elsewhere (an
//! import merge, later a teammate) arrive as bytes, and the patches they produce say
//! which artifacts to re-read.

use std::cell::{Cell, RefCell};
use std::any::Any;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;
use waymark_domain::feedback::Feedback;
use waymark_domain::persona::Persona;
use waymark_domain::priorities::{Framework, WeightedCriterion};
use waymark_domain::story::Story;
use waymark_domain::kind::{visit_kinds, KindVisitor};
use waymark_domain::edit::{Applied, Edit};
use waymark_domain::{Artifact, Brief, Changed, Document, Id, Idea, Kind, Problem, Workspace};

use crate::storage::{Store, StoredDoc, SyncRecord, WorkspaceMeta};
use crate::sync::presence::Presence;
use crate::sync::tabs::Tabs;
use crate::sync::Engine;
use crate::util::now_ms;

/// Pause in typing after which edits are committed and saved.
const COMMIT_AFTER_IDLE: Duration = Duration::from_millis(400);
/// Longest time an edit waits for a commit while someone keeps typing.
const COMMIT_AT_MOST_AFTER_MS: f64 = 2_000.0;
/// Pause after which a list re-sorts and re-filters for edits that keep an artifact
/// in it (the edited row itself updates at once): see `Collection::settled`.
const RELIST_AFTER: Duration = Duration::from_millis(150);
/// Chunks written before they are folded into a new snapshot.
const COMPACT_AFTER_CHUNKS: usize = 40;

/// What the save indicator shows. It tells the truth: `Saved` only once IndexedDB
/// has confirmed every write.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    Saved,
    Saving,
    Failed(String),
}

/// The view of one workspace, derived from its document.
pub struct Session {
    pub id: String,
    doc: RefCell<Workspace>,
    store: Rc<Store>,
    me: String,
    pub brief: RwSignal<Brief>,
    /// One signal per idea, so an edit re-renders only that idea's row.
    pub ideas: RwSignal<HashMap<Id, RwSignal<Idea>>>,
    /// The ideas as a collection like any other (`ideas` is its `items`).
    pub idea_collection: Collection<Idea>,
    /// Ideas not deleted; kept up to date per change, so nothing counts on each key.
    pub live_count: RwSignal<usize>,
    /// Bumped when any idea's tags (or the set of live ideas) change: the tag list
    /// depends on this, not on every keystroke.
    pub tags_version: RwSignal<u64>,
    /// Bumped when the idea list should re-filter and re-sort: at once when ideas
    /// appear or disappear, after a short pause for other edits, so typing in a title
    /// never re-sorts ten thousand ideas per key (the idea collection's `settled`).
    pub list_version: RwSignal<u64>,
    pub feedback: Collection<Feedback>,
    pub personas: Collection<Persona>,
    pub stories: Collection<Story>,
    pub documents: Collection<Document>,
    /// Every collection above and one per kind described through [`Kind`], by
    /// collection name: what a change names is refreshed from here.
    collections: HashMap<&'static str, Box<dyn AnyCollection>>,
    /// The framework ideas are ranked by and the weighted-scoring criteria.
    pub settings: RwSignal<Settings>,
    pub save_state: RwSignal<SaveState>,
    /// Problems found reading the document or its storage, for the warning banner.
    pub warnings: RwSignal<Vec<String>>,
    first_pending_edit: Cell<Option<f64>>,
    commit_timer: RefCell<Option<TimeoutHandle>>,
    compact_timer: RefCell<Option<TimeoutHandle>>,
    /// Chunks written since the snapshot, which compaction may drop.
    written_chunks: RefCell<Vec<String>>,
    writes_in_flight: Cell<usize>,
    last_meta: RefCell<Option<WorkspaceMeta>>,
    /// The reactive scope of the screen showing this session: signals are created in
    /// it, so they are disposed with the screen.
    owner: Option<Owner>,
    /// How this workspace is shared, if it is: read at open, set when sharing starts.
    sync_record: RefCell<Option<SyncRecord>>,
    /// The relay connection of a shared workspace (`None` until it is shared).
    pub engine: RwSignal<Option<Rc<Engine>>, LocalStorage>,
    /// Opened through a view link: nothing can be edited.
    pub read_only: RwSignal<bool>,
    tabs: RefCell<Option<Tabs>>,
}

/// What an edit in a view-only workspace gets.
pub const READ_ONLY: &str = "This workspace is view-only: you opened it with a view link.";

impl Session {
    /// Opens a stored workspace. Damaged chunks are set aside and reported; what is
    /// valid opens.
    pub fn open(store: Rc<Store>, id: &str, me: String) -> impl std::future::Future<Output = Result<Rc<Session>, String>> {
        // Captured now, synchronously: once the future runs, no scope is current.
        let owner = Owner::current();
        let id = id.to_owned();
        async move { Session::open_in(store, &id, me, owner).await }
    }

    async fn open_in(store: Rc<Store>, id: &str, me: String, owner: Option<Owner>) -> Result<Rc<Session>, String> {
        // Chunks stashed as a tab closed, before IndexedDB confirmed them: move them in.
        for (key, chunk) in crate::storage::stashed(id) {
            if store.append_chunk(&key, &chunk).await.is_ok() {
                crate::storage::unstash(&key);
            }
        }
        let StoredDoc { snapshot, chunks, quarantined } =
            store.load(id).await.map_err(|e| format!("Could not read this workspace from the browser's storage: {e}"))?;
        if snapshot.is_none() && chunks.is_empty() {
            return Err("This workspace is not stored in this browser.".into());
        }
        let (doc, bad) = Workspace::load_with_chunks(snapshot.as_deref(), chunks.iter().map(|(_, c)| c.as_slice()))
            .map_err(|e| format!("This workspace could not be opened: {e}. Its saved data has been left untouched."))?;
        let mut warnings = Vec::new();
        if !bad.is_empty() {
            let damaged: Vec<(String, Vec<u8>)> = bad.iter().map(|&i| chunks[i].clone()).collect();
            match store.quarantine(&damaged).await {
                Ok(()) => warnings.push(format!(
                    "{} piece{} of saved work could not be read and {} set aside (kept, not deleted). Everything else is here.",
                    damaged.len(),
                    if damaged.len() == 1 { "" } else { "s" },
                    if damaged.len() == 1 { "was" } else { "were" },
                )),
                Err(e) => warnings.push(format!("Some saved work could not be read, and setting it aside failed: {e}")),
            }
        } else if quarantined > 0 {
            warnings.push(format!(
                "{quarantined} damaged piece{} of earlier saved work {} kept aside for recovery.",
                if quarantined == 1 { "" } else { "s" },
                if quarantined == 1 { "is" } else { "are" },
            ));
        }
        let sync_record = store.sync_record(id).await.ok().flatten();
        let good_chunks = chunks.iter().enumerate().filter(|(i, _)| !bad.contains(i)).map(|(_, (k, _))| k.clone()).collect();
        let session = Rc::new(match &owner {
            Some(o) => o.with(|| Session::new(store, id, doc, me, owner.clone())),
            None => Session::new(store, id, doc, me, None),
        });
        *session.written_chunks.borrow_mut() = good_chunks;
        if let Some(record) = &sync_record {
            let can_write = waymark_protocol::Capability::from_fragment(&record.fragment).map(|c| c.can_write()).unwrap_or(false);
            session.read_only.set(!can_write);
        }
        *session.sync_record.borrow_mut() = sync_record;
        *session.tabs.borrow_mut() = Tabs::open(id, Rc::downgrade(&session));
        session.warnings.update(|w| w.extend(warnings));
        session.reload_all();
        session.write_meta(true);
        if session.written_chunks.borrow().len() >= COMPACT_AFTER_CHUNKS {
            session.schedule_compaction();
        }
        Ok(session)
    }

    fn new(store: Rc<Store>, id: &str, doc: Workspace, me: String, owner: Option<Owner>) -> Session {
        let (feedback, personas, stories, documents) = (Collection::new(), Collection::new(), Collection::new(), Collection::new());
        let ideas = Collection::<Idea>::new();
        let (live_count, tags_version) = (RwSignal::new(0usize), RwSignal::new(0u64));
        // The aggregates every screen shows, kept per change from each idea's old and
        // new value, never recounted on a keystroke.
        ideas.on_change(move |old: Option<&Idea>, new: Option<&Idea>| {
            let (was, is) = (old.is_some_and(|i| !i.deleted), new.is_some_and(|i| !i.deleted));
            if was != is {
                live_count.update(|n| if is { *n += 1 } else { *n = n.saturating_sub(1) });
            }
            if was != is || old.map(|i| &i.tags) != new.map(|i| &i.tags) {
                tags_version.update(|v| *v += 1);
            }
        });
        let mut collections: HashMap<&'static str, Box<dyn AnyCollection>> = HashMap::new();
        collections.insert(Idea::COLLECTION, Box::new(ideas));
        collections.insert(Feedback::COLLECTION, Box::new(feedback));
        collections.insert(Persona::COLLECTION, Box::new(personas));
        collections.insert(Story::COLLECTION, Box::new(stories));
        collections.insert(<Document as Artifact>::COLLECTION, Box::new(documents));
        struct Register<'a>(&'a mut HashMap<&'static str, Box<dyn AnyCollection>>);
        impl KindVisitor for Register<'_> {
            fn visit<K: Kind>(&mut self) {
                self.0.insert(<K as Kind>::COLLECTION, Box::new(Collection::<K>::new()));
            }
        }
        visit_kinds(&mut Register(&mut collections));
        Session {
            id: id.to_owned(),
            doc: RefCell::new(doc),
            store,
            me,
            brief: RwSignal::new(Brief::default()),
            ideas: ideas.items,
            idea_collection: ideas,
            live_count,
            tags_version,
            list_version: ideas.settled,
            feedback,
            personas,
            stories,
            documents,
            collections,
            settings: RwSignal::new(Settings::default()),
            save_state: RwSignal::new(SaveState::Saved),
            warnings: RwSignal::new(Vec::new()),
            first_pending_edit: Cell::new(None),
            commit_timer: RefCell::new(None),
            compact_timer: RefCell::new(None),
            written_chunks: RefCell::new(Vec::new()),
            writes_in_flight: Cell::new(0),
            last_meta: RefCell::new(None),
            owner,
            sync_record: RefCell::new(None),
            engine: RwSignal::new_local(None),
            read_only: RwSignal::new(false),
            tabs: RefCell::new(None),
        }
    }

    /// Reads the whole document into the view (on open, and after a merge that
    /// replaced a collection).
    fn reload_all(&self) {
        let doc = self.doc.borrow();
        let (brief, problems) = doc.brief();
        drop(doc);
        self.brief.set(brief);
        self.report_problems(problems);
        let owner = self.owner.clone();
        let doc = self.doc.borrow();
        let mut problems = Vec::new();
        for collection in self.collections.values() {
            problems.extend(collection.reload(&doc, owner.as_ref()));
        }
        self.live_count.set(self.idea_collection.items.with_untracked(|m| m.values().filter(|i| i.with_untracked(|i| !i.deleted)).count()));
        self.tags_version.update(|v| *v += 1);
        self.settings.set(Settings::read(&doc));
        problems.extend(doc.settings_problems());
        drop(doc);
        self.report_problems(problems);
    }

    fn report_problems(&self, problems: Vec<Problem>) {
        if problems.is_empty() {
            return;
        }
        let shown: Vec<String> = problems.iter().take(3).map(|p| p.to_string()).collect();
        let more = problems.len().saturating_sub(3);
        let mut message = format!("Some data in this workspace was not in the expected shape and is shown with defaults: {}", shown.join("; "));
        if more > 0 {
            message.push_str(&format!(" (and {more} more)"));
        }
        self.warnings.update(|w| {
            if !w.contains(&message) {
                w.push(message)
            }
        });
    }

    /// Re-reads what `changed` names into the view.
    fn refresh(&self, changed: &Changed) {
        if changed.everything {
            self.reload_all();
            return;
        }
        if changed.brief {
            let (brief, problems) = self.doc.borrow().brief();
            self.brief.set(brief);
            self.report_problems(problems);
        }
        let owner = self.owner.clone();
        let doc = self.doc.borrow();
        let mut problems = Vec::new();
        for (name, ids) in changed.collections() {
            if let Some(collection) = self.collections.get(name) {
                problems.extend(collection.refresh(&doc, ids, owner.as_ref()));
            }
        }
        if changed.settings {
            self.settings.set(Settings::read(&doc));
            problems.extend(doc.settings_problems());
        }
        drop(doc);
        self.report_problems(problems);
    }

    /// Refuses every edit of a view-only workspace (the pages show no edit affordance
    /// there either; this makes sure nothing slips through).
    fn writable(&self) -> Result<(), String> {
        if self.read_only.get_untracked() {
            Err(READ_ONLY.to_owned())
        } else {
            Ok(())
        }
    }

    /// The display name recorded as author of new things.
    pub fn me(&self) -> &str {
        &self.me
    }

    /// Makes one edit as the person using this browser, then re-reads what it
    /// changed. Every page edits through here: it sends data, never code that touches
    /// the document.
    pub fn apply(self: &Rc<Self>, edit: Edit) -> Result<Applied, String> {
        self.writable()?;
        let result = self.doc.borrow_mut().apply_edit(edit, now_ms(), &self.me);
        match result {
            Ok(applied) => {
                self.after_edit(applied.changed.clone());
                Ok(applied)
            }
            Err(e) => {
                // Whatever was written before the refusal is still saved.
                self.after_edit(Changed::default());
                Err(e.to_string())
            }
        }
    }

    /// Creates an artifact through `edit` (one of the `Create…` edits): its id.
    pub fn create(self: &Rc<Self>, edit: Edit) -> Result<Id, String> {
        self.apply(edit)?.created.ok_or_else(|| "nothing was created".to_owned())
    }

    /// The signals of kind `K`'s collection.
    pub fn collection<K: Kind>(&self) -> Collection<K> {
        self.collections
            .get(<K as Kind>::COLLECTION)
            .and_then(|c| c.as_any().downcast_ref::<Collection<K>>())
            .copied()
            .expect("every kind's collection is registered when the session opens")
    }

    fn after_edit(self: &Rc<Self>, changed: Changed) {
        self.refresh(&changed);
        if !self.doc.borrow().has_pending_edits() {
            return;
        }
        let now = js_sys::Date::now();
        let first = *self.first_pending_edit.get().get_or_insert(now);
        self.first_pending_edit.set(Some(first));
        self.save_state.set(SaveState::Saving);
        let wait = COMMIT_AFTER_IDLE.min(Duration::from_millis((first + COMMIT_AT_MOST_AFTER_MS - now).max(0.0) as u64));
        let this = Rc::clone(self);
        let handle = set_timeout_with_handle(move || this.flush(), wait).ok();
        if let Some(old) = self.commit_timer.replace(handle) {
            old.clear();
        }
    }

    /// Commits pending edits and writes them to IndexedDB as one chunk, now.
    pub fn flush(self: &Rc<Self>) {
        if let Some(t) = self.commit_timer.take() {
            t.clear();
        }
        self.first_pending_edit.set(None);
        let chunk = {
            let mut doc = self.doc.borrow_mut();
            let chunk = doc.save_incremental();
            // Our own commit: the view already shows it, so skip computing its patches.
            doc.mark_changes_seen();
            chunk
        };
        if chunk.is_empty() {
            if self.writes_in_flight.get() == 0 && self.save_state.get_untracked() == SaveState::Saving {
                self.save_state.set(SaveState::Saved);
            }
            return;
        }
        self.write_chunk(self.store.next_chunk_key(&self.id), chunk);
        self.write_meta(false);
    }

    fn write_chunk(self: &Rc<Self>, key: String, chunk: Vec<u8>) {
        crate::storage::stash(&key, &chunk);
        self.writes_in_flight.set(self.writes_in_flight.get() + 1);
        self.save_state.set(SaveState::Saving);
        let this = Rc::clone(self);
        // A shared workspace's change is queued for the relay in the same transaction.
        let shared = self.sync_record.borrow().is_some();
        spawn_local(async move {
            let result = this.store.append_chunk_to(&key, &chunk, shared).await;
            this.writes_in_flight.set(this.writes_in_flight.get() - 1);
            match result {
                Ok(()) => {
                    crate::storage::unstash(&key);
                    if let Some(tabs) = &*this.tabs.borrow() {
                        tabs.post(&chunk);
                    }
                    if let Some(engine) = this.engine.get_untracked() {
                        engine.push(key.clone(), chunk.clone());
                    }
                    this.written_chunks.borrow_mut().push(key);
                    let idle = this.writes_in_flight.get() == 0 && this.first_pending_edit.get().is_none();
                    if idle && !matches!(this.save_state.get_untracked(), SaveState::Failed(_)) {
                        this.save_state.set(SaveState::Saved);
                    }
                    if this.written_chunks.borrow().len() >= COMPACT_AFTER_CHUNKS {
                        this.schedule_compaction();
                    }
                }
                Err(e) => {
                    // Keep the bytes and try again: the edit is still in memory.
                    this.save_state.set(SaveState::Failed(e.to_string()));
                    let retry = Rc::clone(&this);
                    set_timeout(move || retry.write_chunk(key, chunk), Duration::from_secs(3));
                }
            }
        });
    }

    /// Folds the chunks into a fresh snapshot when the tab is idle.
    fn schedule_compaction(self: &Rc<Self>) {
        let this = Rc::clone(self);
        let handle = set_timeout_with_handle(move || this.compact(), Duration::from_secs(5)).ok();
        if let Some(old) = self.compact_timer.replace(handle) {
            old.clear();
        }
    }

    fn compact(self: &Rc<Self>) {
        if self.first_pending_edit.get().is_some() || self.writes_in_flight.get() > 0 {
            return self.schedule_compaction();
        }
        let this = Rc::clone(self);
        spawn_local(async move {
            if !this.compact_now().await {
                this.schedule_compaction();
            }
        });
    }

    /// Folds every stored chunk into a new snapshot, now; false if it could not (an
    /// edit is pending, or the write failed: nothing is lost, the chunks stay).
    pub async fn compact_now(self: &Rc<Self>) -> bool {
        let covered: Vec<String> = self.written_chunks.borrow_mut().drain(..).collect();
        let merging = Rc::clone(self);
        // Inside one read-write transaction: every stored chunk (another tab's too) is
        // folded in, so the new snapshot holds everything the chunks it replaces held,
        // and no chunk is deleted that was not read.
        let result = self
            .store
            .compact(&self.id, move |stored| {
                let mut doc = merging.doc.borrow_mut();
                if doc.has_pending_edits() {
                    // Typing began meanwhile: the edits must reach a chunk first.
                    return None;
                }
                let mut included = Vec::new();
                let mut changed = Changed::default();
                for (key, bytes) in stored {
                    if let Ok(c) = doc.apply(&bytes) {
                        changed.absorb(c);
                        included.push(key);
                    }
                }
                let snapshot = doc.save();
                drop(doc);
                merging.refresh(&changed);
                Some((snapshot, included))
            })
            .await;
        match result {
            Ok(done) => {
                if !done {
                    self.written_chunks.borrow_mut().splice(0..0, covered);
                }
                done
            }
            Err(e) => {
                leptos::logging::warn!("compaction failed: {e}");
                self.written_chunks.borrow_mut().splice(0..0, covered);
                false
            }
        }
    }

    /// Keeps Home's summary (name, idea count, last opened) in step.
    fn write_meta(self: &Rc<Self>, opened: bool) {
        let name = self.brief.with_untracked(|b| b.name.clone());
        let ideas = self.live_count.get_untracked();
        let previous = self.last_meta.borrow().clone();
        let meta = WorkspaceMeta {
            id: self.id.clone(),
            name,
            ideas,
            last_opened: if opened { js_sys::Date::now() } else { previous.as_ref().map_or(js_sys::Date::now(), |m| m.last_opened) },
            created: previous.as_ref().map_or(0.0, |m| m.created),
            shared: self.sync_record.borrow().as_ref().map(|r| {
                let edit = waymark_protocol::Capability::from_fragment(&r.fragment).map(|c| c.can_write()).unwrap_or(false);
                if edit { "edit" } else { "view" }.to_owned()
            }),
        };
        if !opened && previous.as_ref() == Some(&meta) {
            return;
        }
        *self.last_meta.borrow_mut() = Some(meta.clone());
        let store = Rc::clone(&self.store);
        spawn_local(async move {
            let created = match store.meta(&meta.id).await {
                Ok(Some(old)) => old.created,
                _ => meta.last_opened,
            };
            let _ = store.put_meta(&WorkspaceMeta { created, ..meta }).await;
        });
    }

    /// The whole document with its history, for `.automerge` export and snapshots.
    /// Pending edits are written first: `save` would otherwise fold them into this
    /// copy only, and they would never reach a chunk or the outbox.
    pub fn save_bytes(self: &Rc<Self>) -> Vec<u8> {
        self.flush();
        self.doc.borrow_mut().save()
    }

    /// Shows a warning in the banner.
    pub fn warn(&self, message: String) {
        self.warnings.update(|w| {
            if !w.contains(&message) {
                w.push(message)
            }
        });
    }

    /// Applies changes from the relay, in order. Returns the bytes to store (those that
    /// applied), or `None` if none did.
    pub fn apply_remote(self: &Rc<Self>, changes: &[Vec<u8>]) -> Option<Vec<u8>> {
        // Local edits become their own chunk first, so they are never mistaken for
        // the teammate's (below, the incremental cursor moves past what arrives).
        self.flush();
        let mut changed = Changed::default();
        let mut applied = Vec::new();
        let mut failed = 0;
        {
            let mut doc = self.doc.borrow_mut();
            for bytes in changes {
                match doc.apply(bytes) {
                    Ok(c) => {
                        changed.absorb(c);
                        applied.extend_from_slice(bytes);
                    }
                    Err(_) => failed += 1,
                }
            }
            // What arrived is stored as it came; our next chunk holds only our edits.
            let _ = doc.save_incremental();
        }
        if failed > 0 {
            self.warn(format!("{failed} change{} from a teammate could not be read and {} skipped.", if failed == 1 { "" } else { "s" }, if failed == 1 { "was" } else { "were" }));
        }
        self.refresh(&changed);
        self.write_meta(false);
        (!applied.is_empty()).then_some(applied)
    }

    /// Applies a change another tab of this browser stored.
    pub fn apply_from_tab(self: &Rc<Self>, bytes: &[u8]) {
        self.flush();
        let changed = {
            let mut doc = self.doc.borrow_mut();
            let changed = doc.apply(bytes);
            let _ = doc.save_incremental();
            changed
        };
        if let Ok(changed) = changed {
            self.refresh(&changed);
        }
    }

    /// A chunk was stored for this workspace by the sync engine.
    pub fn note_chunk(self: &Rc<Self>, key: String) {
        self.written_chunks.borrow_mut().push(key);
        if self.written_chunks.borrow().len() >= COMPACT_AFTER_CHUNKS {
            self.schedule_compaction();
        }
    }

    /// The workspace's share record, if it is shared.
    pub fn sync_record(&self) -> Option<SyncRecord> {
        self.sync_record.borrow().clone()
    }

    /// Connects a shared workspace to its relay (nothing for one not shared).
    pub fn start_sync(self: &Rc<Self>, me: Presence) {
        let Some(record) = self.sync_record() else { return };
        let Ok(cap) = waymark_protocol::Capability::from_fragment(&record.fragment) else {
            self.warn("This workspace's share keys are damaged, so it cannot sync. Open its share link again.".into());
            return;
        };
        let me = Presence { viewer: !cap.can_write(), ..me };
        let engine = Engine::start(Rc::clone(&self.store), self, record, cap, me);
        self.engine.set(Some(engine));
    }

    /// Shares this workspace: keys are made and stored, the document is queued as the
    /// first entry, and syncing starts.
    pub async fn share(self: &Rc<Self>, me: Presence) -> Result<(), String> {
        if self.sync_record.borrow().is_some() {
            return Ok(());
        }
        let (record, _) = crate::sync::start_sharing(&self.store, self).await?;
        *self.sync_record.borrow_mut() = Some(record);
        self.write_meta(false);
        self.start_sync(me);
        Ok(())
    }

    /// Stops syncing (the screen is going away).
    pub fn stop_sync(&self) {
        if let Some(engine) = self.engine.get_untracked() {
            engine.stop();
        }
        self.tabs.borrow_mut().take();
    }

    /// The workspace as Waymark JSON (see `waymark_domain::export`).
    pub fn export_json(&self) -> String {
        waymark_domain::export::to_json(&self.doc.borrow(), now_ms())
    }

    /// The workspace as a Markdown report.
    pub fn export_markdown(&self) -> String {
        waymark_domain::export::to_markdown(&self.doc.borrow())
    }

    /// Merges another copy of this workspace (an `.automerge` file) into it.
    pub fn merge_bytes(self: &Rc<Self>, bytes: &[u8]) -> Result<Changed, String> {
        self.writable()?;
        self.flush();
        let changed = self.doc.borrow_mut().apply(bytes).map_err(|e| e.to_string())?;
        self.refresh(&changed);
        // Persist the merged state as a chunk of its own.
        let chunk = self.doc.borrow_mut().save_incremental();
        if !chunk.is_empty() {
            self.write_chunk(self.store.next_chunk_key(&self.id), chunk);
        }
        self.write_meta(false);
        Ok(changed)
    }
}

/// One signal per artifact of a collection (so an edit re-renders only that artifact's
/// views) plus a version that lists follow to re-filter and re-sort.
pub struct Collection<T: Artifact> {
    pub items: RwSignal<HashMap<Id, RwSignal<T>>>,
    /// Bumped after every change to the collection.
    pub version: RwSignal<u64>,
    /// Bumped only when an artifact appears, disappears, is deleted or restored: what
    /// a list's membership follows, so an edit to one artifact costs one row.
    pub members: RwSignal<u64>,
    /// Bumped with `members`, and after other edits once they pause: what a list's
    /// order, filters and aggregates follow, so typing never re-sorts a long list.
    pub settled: RwSignal<u64>,
    pause: StoredValue<Option<TimeoutHandle>, LocalStorage>,
    /// Told each artifact's old and new value (`None`: absent) on every refresh, for
    /// aggregates kept per change.
    hook: StoredValue<Option<ChangeHook<T>>, LocalStorage>,
}

type ChangeHook<T> = Box<dyn Fn(Option<&T>, Option<&T>)>;

impl<T: Artifact> Clone for Collection<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Artifact> Copy for Collection<T> {}

impl<T: Artifact> Collection<T> {
    fn new() -> Self {
        Collection {
            items: RwSignal::new(HashMap::new()),
            version: RwSignal::new(0),
            members: RwSignal::new(0),
            settled: RwSignal::new(0),
            pause: StoredValue::new_local(None),
            hook: StoredValue::new_local(None),
        }
    }

    /// Calls `hook` with each artifact's old and new value whenever one changes.
    fn on_change(&self, hook: impl Fn(Option<&T>, Option<&T>) + 'static) {
        self.hook.set_value(Some(Box::new(hook)));
    }

    fn reload(&self, doc: &Workspace, owner: Option<&Owner>) -> Vec<Problem> {
        let (all, problems) = T::read_all(doc);
        let make = || all.into_iter().filter_map(|t| Some((t.artifact_id()?.clone(), RwSignal::new(t)))).collect();
        let map = match owner {
            Some(o) => o.with(make),
            None => make(),
        };
        self.items.set(map);
        self.version.update(|v| *v += 1);
        self.members.update(|v| *v += 1);
        self.settle(true);
        problems
    }

    /// Bumps `settled` now, or once edits pause.
    fn settle(&self, now: bool) {
        if let Some(t) = self.pause.try_update_value(Option::take).flatten() {
            t.clear();
        }
        let settled = self.settled;
        if now {
            settled.update(|v| *v += 1);
        } else {
            let handle = set_timeout_with_handle(move || settled.update(|v| *v += 1), RELIST_AFTER).ok();
            self.pause.set_value(handle);
        }
    }

    fn refresh(&self, doc: &Workspace, ids: &BTreeSet<Id>, owner: Option<&Owner>) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut membership_changed = false;
        for id in ids {
            let existing = self.items.with_untracked(|m| m.get(id).copied());
            let read = T::read_one(doc, id);
            self.hook.with_value(|hook| {
                if let Some(hook) = hook {
                    match existing {
                        Some(sig) => sig.with_untracked(|old| hook(Some(old), read.as_ref().map(|(new, _)| new))),
                        None => hook(None, read.as_ref().map(|(new, _)| new)),
                    }
                }
            });
            match (read, existing) {
                (Some((item, p)), Some(sig)) => {
                    problems.extend(p);
                    let (same, was_deleted) = sig.with_untracked(|old| (old == &item, old.artifact_deleted()));
                    membership_changed |= was_deleted != item.artifact_deleted();
                    if !same {
                        sig.set(item);
                    }
                }
                (Some((item, p)), None) => {
                    problems.extend(p);
                    let sig = match owner {
                        Some(o) => o.with(|| RwSignal::new(item)),
                        None => RwSignal::new(item),
                    };
                    self.items.update(|m| {
                        m.insert(id.clone(), sig);
                    });
                    membership_changed = true;
                }
                (None, Some(_)) => {
                    self.items.update(|m| {
                        m.remove(id);
                    });
                    membership_changed = true;
                }
                (None, None) => {}
            }
        }
        if !ids.is_empty() {
            self.version.update(|v| *v += 1);
        }
        if membership_changed {
            self.members.update(|v| *v += 1);
        }
        if !ids.is_empty() {
            self.settle(membership_changed);
        }
        problems
    }

    /// The artifact's signal, if it exists.
    pub fn get(&self, id: &Id) -> Option<RwSignal<T>> {
        self.items.with_untracked(|m| m.get(id).copied())
    }

    /// Every artifact not deleted, cloned; tracks the collection's version (use in a
    /// memo: it re-runs once per change, not once per artifact).
    pub fn live(&self) -> Vec<T> {
        self.version.track();
        self.items.with_untracked(|m| m.values().map(|s| s.get_untracked()).filter(|t| !t.artifact_deleted()).collect())
    }

    /// Every artifact not deleted, cloned, as of the last settled moment (see
    /// `settled`): for a list's order and filters, and aggregates over the list.
    pub fn settled_live(&self) -> Vec<T> {
        self.settled.track();
        self.items.with_untracked(|m| m.values().map(|s| s.get_untracked()).filter(|t| !t.artifact_deleted()).collect())
    }

    /// How many artifacts are not deleted; tracks membership only, so an edit does not
    /// recount.
    pub fn live_count(&self) -> usize {
        self.members.track();
        self.items.with_untracked(|m| m.values().filter(|s| s.with_untracked(|t| !t.artifact_deleted())).count())
    }
}

/// A collection of any artifact type, for refreshing what a change names by
/// collection name.
trait AnyCollection {
    fn reload(&self, doc: &Workspace, owner: Option<&Owner>) -> Vec<Problem>;
    fn refresh(&self, doc: &Workspace, ids: &BTreeSet<Id>, owner: Option<&Owner>) -> Vec<Problem>;
    fn as_any(&self) -> &dyn Any;
}

impl<T: Artifact> AnyCollection for Collection<T> {
    fn reload(&self, doc: &Workspace, owner: Option<&Owner>) -> Vec<Problem> {
        Collection::reload(self, doc, owner)
    }
    fn refresh(&self, doc: &Workspace, ids: &BTreeSet<Id>, owner: Option<&Owner>) -> Vec<Problem> {
        Collection::refresh(self, doc, ids, owner)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The workspace's prioritisation settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub framework: Framework,
    pub criteria: Vec<WeightedCriterion>,
}

impl Settings {
    fn read(doc: &Workspace) -> Settings {
        Settings { framework: doc.framework(), criteria: doc.weighted_criteria() }
    }
}

/// The open session, shared with every component of the workspace screen.
#[derive(Clone, Copy)]
pub struct SessionCtx(pub StoredValue<Rc<Session>, LocalStorage>);

impl SessionCtx {
    /// The session itself (not `Send`, so fetched where it is used, never captured).
    pub fn get(&self) -> Rc<Session> {
        self.0.get_value()
    }
}

/// A handle to the open workspace's session, cheap to capture in views.
pub fn use_session() -> SessionCtx {
    expect_context::<SessionCtx>()
}

