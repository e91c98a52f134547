//! Keeping an open document, in the worker: its chunks written to IndexedDB, other
//! tabs' changes applied as they are posted, chunks folded into a snapshot, and the
//! events that tell the page what happened.
//!
//! Invariants:
//! - Nothing from elsewhere is applied while the document holds edits not yet
//!   committed ([`until_clean`]): applying would commit them as an anonymous change,
//!   and they are committed (as the person's own) by the page's next `Commit`, at most
//!   a couple of seconds away.
//! - A chunk of the page's own edits is written only once the page has stashed it and
//!   asks (`Write`): until then its edits are stashed, so a tab closed at any moment
//!   loses nothing and makes nothing twice.
//! - Compaction deletes only chunks the document holds, and never commits edits.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen_futures::spawn_local;

use waymark_protocol::Capability;

use crate::storage::{Store, SyncRecord};
use crate::sync::presence::Presence;
use crate::sync::tabs::Tabs;

use super::rt::{post, Timer};
use super::{apply_others, engine::Engine, hex, Open, Reply, DOCS};

/// Chunks written before they are folded into a new snapshot.
const COMPACT_AFTER_CHUNKS: usize = 40;
/// How long after that the fold waits (for a pause in edits).
const COMPACT_AFTER_MS: u32 = 5_000;

/// What the worker keeps of a live document (a document of the past has none).
pub(super) struct Keeping {
    pub workspace: String,
    /// Stored chunks this document holds: what compaction may fold.
    pub known: Vec<String>,
    /// The stored snapshot this document holds all of (its [`fingerprint`]), as opened
    /// or last written here. Another one in the store was written by another tab's
    /// compaction and may hold changes this document never saw.
    snapshot: Option<u64>,
    /// A stored snapshot (its fingerprint) another tab wrote that does not read here:
    /// compaction leaves it in place and waits for another, trying again only when a
    /// new chunk is stored, and then without reading it again.
    refused: Option<u64>,
    /// The page's `Watch` request: where events go.
    pub watch: Option<u32>,
    pub tabs: Option<Tabs>,
    pub engine: Option<Rc<Engine>>,
    /// Teammates connected directly.
    pub peers: super::direct::Peers,
    /// The page's name for the engine being started or running.
    sync_generation: Option<u32>,
    /// What I am doing, for the engine.
    presence: Option<Presence>,
    /// Chunk writes under way.
    pub writing: usize,
    compact_timer: Option<Timer>,
    /// What waits for the page's edits to be committed.
    clean_waiters: Vec<oneshot::Sender<()>>,
}

thread_local! {
    static STORE: RefCell<Option<Rc<Store>>> = const { RefCell::new(None) };
    /// `Watch` requests posted for documents not open yet.
    static WATCHES: RefCell<Vec<(String, u32)>> = const { RefCell::new(Vec::new()) };
}

/// The worker's handle on the browser's database, opened on first use.
pub(super) async fn store() -> Result<Rc<Store>, String> {
    if let Some(store) = STORE.with(|s| s.borrow().clone()) {
        return Ok(store);
    }
    let store = Rc::new(Store::open().await.map_err(|e| e.to_string())?);
    STORE.with(|s| *s.borrow_mut() = Some(Rc::clone(&store)));
    Ok(store)
}

impl Keeping {
    /// Keeps document `doc` of `workspace`, which holds the stored chunks `known` and
    /// the stored snapshot whose [`fingerprint`] is `snapshot`.
    pub fn new(doc: &str, workspace: String, known: Vec<String>, snapshot: Option<u64>) -> Keeping {
        let watch = WATCHES.with(|w| {
            let mut w = w.borrow_mut();
            let at = w.iter().position(|(d, _)| d == doc)?;
            Some(w.remove(at).1)
        });
        let tabs = {
            let doc = doc.to_owned();
            Tabs::open(&workspace, move |chunk| from_tab(&doc, chunk))
        };
        let mut keeping =
            Keeping { workspace, known, snapshot, refused: None, watch, tabs, engine: None, peers: Default::default(), sync_generation: None, presence: None, writing: 0, compact_timer: None, clean_waiters: Vec::new() };
        keeping.maybe_compact(doc);
        keeping
    }

    /// Posts an event to the page.
    pub fn emit(&self, reply: &Reply, payload: Option<&[u8]>) {
        if let Some(id) = self.watch {
            post(id, reply, payload);
        }
    }

    /// The page's edits were committed: what waited for that goes on.
    pub fn committed(&mut self) {
        for tx in self.clean_waiters.drain(..) {
            let _ = tx.send(());
        }
    }

    /// A chunk this document holds was stored under `key`.
    pub fn note_chunk(&mut self, doc: &str, key: String) {
        self.known.push(key);
        self.maybe_compact(doc);
    }

    fn maybe_compact(&mut self, doc: &str) {
        if self.known.len() >= COMPACT_AFTER_CHUNKS && self.compact_timer.is_none() {
            self.schedule_compaction(doc);
        }
    }

    fn schedule_compaction(&mut self, doc: &str) {
        let doc = doc.to_owned();
        self.compact_timer = Some(Timer::once(COMPACT_AFTER_MS, move || spawn_local(compact_when_idle(doc))));
    }

    /// What I am doing changed.
    pub fn set_presence(&mut self, presence: Presence) {
        if let Some(engine) = &self.engine {
            engine.set_presence(presence.clone());
        }
        self.presence = Some(presence);
        self.tell_presence(None);
    }

    /// Sends what I am doing to `only` (or every directly connected teammate).
    pub fn tell_presence(&mut self, only: Option<u64>) {
        let Some(presence) = &self.presence else { return };
        let plain = serde_json::to_vec(presence).expect("presence serialises");
        for (peer, frames) in self.peers.presence_frames(&plain, only) {
            self.emit(&Reply::ToPeer { peer }, Some(&frames));
        }
    }

    /// The page's name for the engine running now.
    pub fn generation(&self) -> Option<u32> {
        self.sync_generation
    }

    /// Stops syncing (the links are being replaced, or the document closes).
    pub fn stop_sync(&mut self) {
        self.sync_generation = None;
        if let Some(engine) = self.engine.take() {
            engine.stop();
        }
    }

    /// The document closes: its stream of events ends and what waited goes on.
    pub fn close(&mut self) {
        self.stop_sync();
        self.tabs = None;
        self.compact_timer = None;
        self.committed();
        if let Some(id) = self.watch.take() {
            post(id, &Reply::Closed, None);
        }
    }
}

/// Starts syncing document `doc` through the relay of `record` (once the worker's
/// database is open), as engine `generation`; whatever engine ran before stops.
pub(super) fn start_sync(doc: String, record: SyncRecord, presence: Presence, generation: u32) {
    let warn = |message: String| {
        with_keeping(&doc, |k| k.emit(&Reply::Warn { message }, None));
    };
    let Ok(cap) = Capability::from_fragment(&record.fragment) else {
        return warn("This workspace's share keys are damaged, so it cannot sync. Open its share link again.".into());
    };
    // The keys at once: a direct connection the page hands over next reads with them.
    let started = with_keeping(&doc, |k| {
        k.stop_sync();
        k.sync_generation = Some(generation);
        k.presence = Some(presence);
        k.peers.set_keys(cap.clone());
    });
    if started.is_none() {
        return;
    }
    spawn_local(async move {
        let warn = |message: String| {
            with_keeping(&doc, |k| k.emit(&Reply::Warn { message }, None));
        };
        let store = match store().await {
            Ok(store) => store,
            Err(e) => return warn(format!("This workspace cannot sync: the browser's storage did not open ({e}).")),
        };
        with_keeping(&doc, |k| {
            if k.sync_generation != Some(generation) {
                return;
            }
            let me = k.presence.clone().unwrap_or_default();
            k.engine = Some(Engine::start(&doc, generation, store, record, cap, me));
        });
    });
}

/// Registers the page's `Watch` request `id` for `doc`: answered `Closed` at once if it
/// was closed meanwhile.
pub(super) fn watch(doc: String, id: u32) {
    WATCHES.with(|w| w.borrow_mut().push((doc, id)));
}

/// Forgets a `Watch` for a document that never opened.
pub(super) fn unwatch(doc: &str) {
    let id = WATCHES.with(|w| {
        let mut w = w.borrow_mut();
        let at = w.iter().position(|(d, _)| d == doc)?;
        Some(w.remove(at).1)
    });
    if let Some(id) = id {
        post(id, &Reply::Closed, None);
    }
}

/// Runs `f` on document `doc`'s keeping, if it is open and kept.
pub(super) fn with_keeping<R>(doc: &str, f: impl FnOnce(&mut Keeping) -> R) -> Option<R> {
    DOCS.with(|d| d.borrow_mut().get_mut(doc).and_then(|open| open.keeping.as_mut()).map(f))
}

/// Waits until document `doc` holds no edits that are not committed (at once if it
/// holds none, or is closed).
pub(super) async fn until_clean(doc: &str) {
    loop {
        let waiting = DOCS.with(|d| {
            let mut docs = d.borrow_mut();
            let open = docs.get_mut(doc)?;
            if !open.ws.has_pending_edits() {
                return None;
            }
            let (tx, rx) = oneshot::channel();
            open.keeping.as_mut()?.clean_waiters.push(tx);
            Some(rx)
        });
        let Some(rx) = waiting else { return };
        if rx.await.is_err() {
            return;
        }
    }
}

/// Applies `changes` from elsewhere to document `doc` once its own edits are
/// committed, and tells the page: the positions of those that applied.
pub(super) async fn apply_from_elsewhere(doc: &str, changes: &[Vec<u8>]) -> Vec<usize> {
    until_clean(doc).await;
    let applied = DOCS.with(|d| {
        let mut docs = d.borrow_mut();
        let Some(open) = docs.get_mut(doc) else { return Vec::new() };
        let (applied, failed, delta, new) = apply_others(open, changes);
        let heads = hex(&open.ws.heads());
        if let Some(keeping) = &open.keeping {
            keeping.emit(&Reply::Changed { failed, heads, new }, Some(&delta));
        }
        applied
    });
    if !applied.is_empty() {
        super::direct::tell_peers(doc);
    }
    applied
}

/// A change another tab stored.
fn from_tab(doc: &str, chunk: Vec<u8>) {
    let doc = doc.to_owned();
    spawn_local(async move {
        apply_from_elsewhere(&doc, &[chunk]).await;
    });
}

/// The whole document once its own edits are committed (for the relay), without
/// committing anything itself.
pub(super) async fn snapshot(doc: &str) -> Result<Vec<u8>, String> {
    loop {
        until_clean(doc).await;
        let whole = DOCS.with(|d| {
            let mut docs = d.borrow_mut();
            let open = docs.get_mut(doc).ok_or_else(|| super::NOT_OPEN.to_owned())?;
            Ok::<_, String>((!open.ws.has_pending_edits()).then(|| open.ws.snapshot()))
        })?;
        if let Some(whole) = whole {
            return Ok(whole);
        }
    }
}

/// Stores chunk `bytes` of `workspace` under `key` (and in the outbox if `shared`),
/// then answers request `id`; a chunk of open document `doc` goes to the other tabs
/// and the relay too.
pub(super) fn write(id: u32, workspace: String, doc: Option<String>, key: String, shared: bool, bytes: Vec<u8>) {
    if let Some(doc) = &doc {
        with_keeping(doc, |k| k.writing += 1);
    }
    spawn_local(async move {
        let result = match store().await {
            Ok(store) => store.append_chunk_to(&key, &bytes, shared).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        if let Some(doc) = &doc {
            with_keeping(doc, |k| k.writing = k.writing.saturating_sub(1));
        }
        if result.is_ok() {
            match doc.as_deref() {
                Some(doc) if stored(doc, key.clone(), &bytes, vec![(key, bytes.clone())]) => super::direct::tell_peers(doc),
                // The document closed meanwhile (its screen went away): the other tabs
                // still hear of it; the relay gets it from the outbox next time.
                _ => {
                    if let Some(tabs) = Tabs::open(&workspace, |_| {}) {
                        tabs.post(&bytes);
                    }
                }
            }
        }
        post(id, &Reply::Written { error: result.err() }, None);
    });
}

/// A chunk of open document `doc` was stored under `key`: the other tabs hear of it,
/// compaction counts it, and the relay gets `to_relay` (the outbox entries queued with
/// it: key, bytes). False if `doc` is not open (then nothing is done).
pub(super) fn stored(doc: &str, key: String, bytes: &[u8], to_relay: Vec<(String, Vec<u8>)>) -> bool {
    let engine = with_keeping(doc, |k| {
        if let Some(tabs) = &k.tabs {
            tabs.post(bytes);
        }
        k.note_chunk(doc, key.clone());
        k.engine.clone()
    });
    match engine {
        None => false,
        Some(engine) => {
            if let Some(engine) = engine {
                for (key, entry) in to_relay {
                    engine.push(key, entry);
                }
            }
            true
        }
    }
}

/// Folds the chunks once the document is idle (no edits waiting, no write under way).
async fn compact_when_idle(doc: String) {
    let busy = DOCS.with(|d| d.borrow().get(&doc).map(|open| open.ws.has_pending_edits() || open.keeping.as_ref().is_some_and(|k| k.writing > 0)));
    let done = match busy {
        None => return,
        Some(true) => false,
        Some(false) => compact(&doc).await,
    };
    with_keeping(&doc, |k| {
        k.compact_timer = None;
        // Busy: again soon. Stuck on a snapshot that does not read: at the next chunk.
        if !done && k.refused.is_none() {
            k.schedule_compaction(&doc);
        }
    });
}

/// Which stored snapshot `bytes` is: cheap to compare, and different for any other.
pub(super) fn fingerprint(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

/// Folds every stored chunk of `doc` into a new snapshot of the document, now. What it
/// does not hold is applied first: another tab's chunks written since it opened, and a
/// snapshot another tab's compaction wrote (its chunks are gone, and their changes with
/// them unless they are kept here). So the new snapshot holds everything the one and
/// the chunks it replaces held; a chunk written meanwhile stays, for next time. False
/// if it could not (nothing is lost: everything stays as it was).
pub(super) async fn compact(doc: &str) -> bool {
    until_clean(doc).await;
    let Some(workspace) = with_keeping(doc, |k| k.workspace.clone()) else { return false };
    let Ok(store) = store().await else { return false };
    let covered = Rc::new(RefCell::new(Vec::new()));
    let written = Rc::new(RefCell::new(None));
    let result = {
        let (covered, written) = (Rc::clone(&covered), Rc::clone(&written));
        store
            .compact(&workspace, move |old_snapshot, stored| {
                DOCS.with(|d| {
                    let mut docs = d.borrow_mut();
                    let open = docs.get_mut(doc)?;
                    let keeping = open.keeping.as_mut()?;
                    let (known, held) = (keeping.known.clone(), keeping.snapshot);
                    let other = old_snapshot.map(|s| (fingerprint(&s), s)).filter(|(print, _)| Some(*print) != held);
                    keeping.refused = keeping.refused.filter(|r| other.as_ref().is_some_and(|(print, _)| print == r));
                    // Edits made while the chunks were read wait for their commit; a
                    // snapshot that did not read stays until another replaces it.
                    if open.ws.has_pending_edits() || keeping.refused.is_some() {
                        return None;
                    }
                    // Another tab's snapshot: folded in unless its heads show it is all
                    // here already (its changes came over the tab channel).
                    if let Some((print, other)) = other.filter(|(_, s)| !open.ws.holds_all_of(s)) {
                        if fold_in(open, &[other], false).is_empty() {
                            web_sys::console::warn_1(&"compaction waits: the snapshot another tab stored does not read here".into());
                            open.keeping.as_mut()?.refused = Some(print);
                            return None;
                        }
                    }
                    let (unseen_keys, unseen): (Vec<String>, Vec<Vec<u8>>) = stored.into_iter().filter(|(k, _)| !known.contains(k)).unzip();
                    // One that does not apply stays where it is (the next opening sets it aside).
                    let applied = if unseen.is_empty() { Vec::new() } else { fold_in(open, &unseen, true) };
                    let keys: Vec<String> = known.into_iter().chain(applied.into_iter().filter_map(|i| unseen_keys.get(i).cloned())).collect();
                    *covered.borrow_mut() = keys.clone();
                    let snapshot = open.ws.snapshot();
                    *written.borrow_mut() = Some(fingerprint(&snapshot));
                    Some((snapshot, keys))
                })
            })
            .await
    };
    match result {
        Ok(true) => {
            let covered = covered.take();
            with_keeping(doc, |k| {
                k.known.retain(|key| !covered.contains(key));
                k.snapshot = written.take();
            });
            true
        }
        Ok(false) => false,
        Err(e) => {
            web_sys::console::warn_1(&format!("compaction failed: {e}").into());
            false
        }
    }
}

/// Applies stored chunks the document had not seen, and tells the page: the positions
/// of those that applied. `failures_are_changes`: whether one that does not read is a
/// change the page should say was skipped (not so for another tab's snapshot, which
/// skips nothing: it stays where it is).
fn fold_in(open: &mut Open, chunks: &[Vec<u8>], failures_are_changes: bool) -> Vec<usize> {
    let (applied, failed, delta, new) = apply_others(open, chunks);
    let failed = if failures_are_changes { failed } else { 0 };
    if applied.is_empty() && failed == 0 {
        return applied;
    }
    let heads = hex(&open.ws.heads());
    if let Some(keeping) = &open.keeping {
        keeping.emit(&Reply::Changed { failed, heads, new }, Some(&delta));
    }
    applied
}
