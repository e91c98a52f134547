//! An open workspace: the view signals of its Automerge document (the single source of
//! truth, which lives in the document worker: see `worker`), and the path of every
//! edit to IndexedDB. The page's module holds no Automerge code at all.
//!
//! An edit is posted to the worker, which makes it and answers with the artifacts it
//! touched, read again (a view delta), so its cost follows the edit. Edits are batched:
//! they are committed and written to IndexedDB as one chunk after a short pause in
//! typing (or at the latest a few seconds after the first edit), and at once when the
//! tab is hidden or closed or an edit creates something. Changes from elsewhere (a
//! teammate's, another tab's, a merged file) are applied there too, and their deltas
//! say what to show.
//!
//! Split by what each part does: `view` (the signals pages read, and applying deltas
//! to them), `edit` (every change that enters the document), `persist` (commit
//! batching, IndexedDB, compaction, exports), `history` (Activity and time travel),
//! `open` (painting from the view cache, loading) and `worker` (the link to the
//! document). This file makes a session and connects it to sync.

mod edit;
mod history;
mod open;
mod persist;
mod view;
mod worker;

pub use history::{PastPoint, Timeline};
pub use waymark_domain::then_and_now::ChangedSince;
pub use open::STILL_OPENING;

pub use view::{Collection, Settings};
use view::AnyCollection;

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
use waymark_domain::{Artifact, Brief, Document, Id, Idea, Kind, Problem};

use crate::storage::{Store, StoredDoc, SyncRecord, WorkspaceMeta};
use crate::sync::presence::Presence;
use crate::sync::Engine;
use crate::util::now_ms;

/// Pause in typing after which edits are committed and saved.
const COMMIT_AFTER_IDLE: Duration = Duration::from_millis(400);
/// Longest time an edit waits for a commit while someone keeps typing.
const COMMIT_AT_MOST_AFTER_MS: f64 = 2_000.0;
/// Pause after which a list re-sorts and re-filters for edits that keep an artifact
/// in it (the edited row itself updates at once): see `Collection::settled`.
const RELIST_AFTER: Duration = Duration::from_millis(150);

/// What the save indicator shows. It tells the truth: `Saved` only once IndexedDB
/// has confirmed every write.
#[derive(Clone, Debug, PartialEq)]
pub enum SaveState {
    Saved,
    Saving,
    /// Painted from the view cache while the document loads; edits wait until it has.
    Opening,
    Failed(String),
}

/// The view of one workspace, derived from its document.
pub struct Session {
    pub id: String,
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
    /// How many edits (and changes the worker composes, such as an undo) this tab has
    /// made: what a notice's button refers to may have changed since.
    edits_made: Cell<u64>,
    commit_timer: RefCell<Option<TimeoutHandle>>,
    writes_in_flight: Cell<usize>,
    last_meta: RefCell<Option<WorkspaceMeta>>,
    /// The reactive scope of the screen showing this session: signals are created in
    /// it, so they are disposed with the screen.
    owner: Option<Owner>,
    /// How this workspace is shared, if it is: read at open, set when sharing starts.
    sync_record: RefCell<Option<SyncRecord>>,
    /// The relay connection of a shared workspace (`None` until it is shared): it runs
    /// in the worker, and this shows it.
    pub engine: RwSignal<Option<Rc<Engine>>, LocalStorage>,
    /// Opened through a view link: nothing can be edited.
    pub read_only: RwSignal<bool>,
    /// The workspace's history, as far as the worker has read it for the page.
    history: RefCell<Timeline>,
    /// The value of `changes` history was last asked for at.
    history_asked: Cell<Option<u64>>,
    /// Bumped when more of the history arrives.
    history_read: RwSignal<u64>,
    /// Bumped whenever the document gains changes (an edit saved, a teammate's,
    /// another tab's, a merge): what the Activity page follows.
    pub changes: RwSignal<u64>,
    /// The artifacts teammates changed since this browser's last visit (changes already
    /// here when the workspace opened, and those arriving since).
    pub new_since_visit: RwSignal<BTreeSet<(&'static str, Id)>>,
    /// Those changes themselves, for the Activity feed's marks.
    pub new_changes: RwSignal<BTreeSet<automerge::ChangeHash>>,
    /// Set for a read-only session of the past (see [`Session::at`]).
    pub past: Option<PastPoint>,
    /// Whether the workspace's document is loaded in the worker: a session painted from
    /// its view cache is not until it has (see `open`). What the session checks:
    /// unlike `opening`, it stays readable once the screen's signals are gone.
    loaded: Cell<bool>,
    /// True while the screen shows the view cache and the document loads (`!loaded`,
    /// for whatever follows it reactively).
    pub opening: RwSignal<bool>,
    /// Edits made while the document loads, made once it has; kept in localStorage
    /// under `queue_key` meanwhile (see `open`).
    /// Each with the id of what it creates, chosen when it was made.
    queued: RefCell<Vec<crate::storage::QueuedEdit>>,
    queue_key: String,
    /// Stashes of edits another tab made while opening this workspace and never made,
    /// folded into `queued`: forgotten once made.
    recovered_queues: RefCell<Vec<String>>,
    /// What waits for the document (syncing, "new since your last visit").
    when_loaded: RefCell<Vec<Box<dyn FnOnce(&Rc<Session>)>>>,
    /// The heads of the view cache last read or written, so an unchanged one is not
    /// written again.
    cache_heads: RefCell<Option<Vec<automerge::ChangeHash>>>,
    /// Whom a published roadmap is for, as the view cache (or the worker) says.
    cached_audience: Cell<Option<waymark_domain::audience::Audience>>,
    /// The document's worker (`None` once the session is closed).
    link: RefCell<Option<Rc<worker::DocLink>>>,
    /// A view cache write waits for the edits being committed (see `write_view_cache`).
    cache_after_commit: Cell<bool>,
    /// The view cache is written again once changes pause (see `recache_soon`).
    recache_timer: RefCell<Option<TimeoutHandle>>,
    /// What the view changed in since the last view cache write began, and what the
    /// write under way covers: what a view tail must hold (see `open`).
    dirty: RefCell<view::Dirty>,
    writing: RefCell<view::Dirty>,
}

/// What an edit in a view-only workspace gets.
pub const READ_ONLY: &str = "This workspace is view-only: you opened it with a view link.";

impl Session {
    /// Opens a stored workspace, its document loaded (see [`Session::open_painting`]
    /// for the workspace screen's way). Damaged chunks are set aside and reported; what
    /// is valid opens.
    pub fn open(store: Rc<Store>, id: &str, me: String) -> impl std::future::Future<Output = Result<Rc<Session>, String>> {
        // Captured now, synchronously: once the future runs, no scope is current.
        let owner = Owner::current();
        let id = id.to_owned();
        async move { Session::open_in(store, &id, me, owner, false).await }
    }

    fn new(store: Rc<Store>, id: &str, me: String, owner: Option<Owner>) -> Session {
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
            edits_made: Cell::new(0),
            commit_timer: RefCell::new(None),
            writes_in_flight: Cell::new(0),
            last_meta: RefCell::new(None),
            owner,
            sync_record: RefCell::new(None),
            engine: RwSignal::new_local(None),
            read_only: RwSignal::new(false),
            history: RefCell::new(Default::default()),
            history_asked: Cell::new(None),
            history_read: RwSignal::new(0),
            changes: RwSignal::new(0),
            new_since_visit: RwSignal::new(BTreeSet::new()),
            new_changes: RwSignal::new(BTreeSet::new()),
            past: None,
            loaded: Cell::new(true),
            opening: RwSignal::new(false),
            queued: RefCell::new(Vec::new()),
            queue_key: crate::storage::edit_stash_key(id, Id::random().as_str()),
            recovered_queues: RefCell::new(Vec::new()),
            when_loaded: RefCell::new(Vec::new()),
            cache_heads: RefCell::new(None),
            cached_audience: Cell::new(None),
            link: RefCell::new(None),
            cache_after_commit: Cell::new(false),
            recache_timer: RefCell::new(None),
            dirty: RefCell::new(Default::default()),
            writing: RefCell::new(Default::default()),
        }
    }

    /// The signals of kind `K`'s collection.
    pub fn collection<K: Kind>(&self) -> Collection<K> {
        self.collections
            .get(<K as Kind>::COLLECTION)
            .and_then(|c| c.as_any().downcast_ref::<Collection<K>>())
            .copied()
            .expect("every kind's collection is registered when the session opens")
    }

    /// Shows a warning in the banner.
    pub fn warn(&self, message: String) {
        self.warnings.update(|w| {
            if !w.contains(&message) {
                w.push(message)
            }
        });
    }

    /// This browser's storage.
    pub fn store(&self) -> Rc<Store> {
        Rc::clone(&self.store)
    }

    /// The audience of a published roadmap opened here; `None` for a workspace.
    pub fn audience(&self) -> Option<waymark_domain::audience::Audience> {
        self.cached_audience.get()
    }

    /// The workspace's share record, if it is shared.
    pub fn sync_record(&self) -> Option<SyncRecord> {
        self.sync_record.borrow().clone()
    }

    /// Connects a shared workspace to its relay (nothing for one not shared).
    pub fn start_sync(self: &Rc<Self>, me: Presence) {
        if self.is_opening() {
            return self.once_loaded(move |s| s.start_sync(me));
        }
        let Some(record) = self.sync_record() else { return };
        let Ok(cap) = waymark_protocol::Capability::from_fragment(&record.fragment) else {
            self.warn("This workspace's share keys are damaged, so it cannot sync. Open its share link again.".into());
            return;
        };
        let me = Presence { viewer: !cap.can_write(), ..me };
        let Some(link) = self.link() else { return };
        let engine = Engine::start(link.worker(), &self.id, link.key().to_owned(), record, cap, me);
        self.engine.set(Some(engine));
    }

    /// Shares this workspace: keys are made and stored, the document is queued as the
    /// first entry, and syncing starts.
    pub async fn share(self: &Rc<Self>, me: Presence) -> Result<(), String> {
        self.ready()?;
        if self.sync_record.borrow().is_some() {
            return Ok(());
        }
        let whole = self.save_bytes().await?;
        let (record, _) = crate::sync::start_sharing(&self.store, &self.id, whole).await?;
        *self.sync_record.borrow_mut() = Some(record);
        self.write_meta(false);
        self.start_sync(me);
        Ok(())
    }

    /// Replaces the share links, so that whoever holds the current ones loses access:
    /// the relay closes the current log (old links get nothing new and cannot write),
    /// and the workspace is shared afresh under new keys. The new links are then the
    /// engine's (the share dialog shows them).
    pub async fn replace_links(self: &Rc<Self>, me: Presence) -> Result<(), String> {
        self.ready()?;
        let engine = self.engine.get_untracked().ok_or("This workspace is not shared.")?;
        if !engine.can_write() {
            return Err("Only an editor can replace the links.".into());
        }
        engine.close_log().await?;
        // Only the engine: the channel to this browser's other tabs stays open.
        engine.stop();
        let whole = self.save_bytes().await?;
        let (record, _) = crate::sync::start_sharing(&self.store, &self.id, whole).await?;
        *self.sync_record.borrow_mut() = Some(record);
        self.write_meta(false);
        self.start_sync(me);
        Ok(())
    }

    /// Stops syncing (the screen is going away).
    pub fn stop_sync(&self) {
        // Nothing waiting for the document starts once the screen has gone.
        self.when_loaded.borrow_mut().clear();
        // The worker stops its engine and leaves the other tabs' channel as it closes
        // the document, after the last commit the screen posted (answered first).
        self.unlink();
    }
}

impl Drop for Session {
    /// Its document is closed in the worker (nothing if `stop_sync` did already).
    fn drop(&mut self) {
        self.unlink();
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
