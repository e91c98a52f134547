//! Opening a workspace: from its view cache first when it has one, so the screen
//! paints at once, then the document itself; and keeping that cache.
//!
//! Painted from the cache, a session is *opening*: it shows what the cache holds
//! (`waymark_domain::view_cache`), edits wait in a queue, and what needs the document
//! (syncing, history, exports) waits or says it is still opening. Once the worker has
//! loaded the document, what changed since the cache's heads is shown, the queued
//! edits are made, and the session is like any other.

use super::*;
use crate::doc_worker::protocol::{Reply, Request};
use automerge::ChangeHash;
use waymark_domain::view_cache::{CacheError, ViewCache};

/// What an action that needs the document gets while it loads.
pub const STILL_OPENING: &str = "This workspace is still opening: try again in a moment.";
/// How many artifacts of a view cache are read per task while painting from it.
const PAINT_SLICE: usize = 2_500;
/// How long a stash of edits made while opening must have been left alone before
/// another opening makes them: a tab still opening keeps its own.
const ORPHANED_AFTER_MS: f64 = 60_000.0;
/// How long after opening a stale or missing view cache is written again (at the
/// browser's next idle moment after that, and within `RECACHE_WITHIN` of it).
const RECACHE_AFTER: Duration = Duration::from_secs(1);
const RECACHE_WITHIN: Duration = Duration::from_secs(5);
/// How long edits or changes arriving must pause before the view cache is written again.
pub(super) const RECACHE_AFTER_CHANGES: Duration = Duration::from_secs(3);
/// The start of a warning about data not in the expected shape (see
/// `Session::report_problems`): the only warnings a view cache keeps, since the others
/// describe this visit (storage, sync) and are found again when they still hold.
pub(super) const SHAPE_WARNING: &str = "Some data in this workspace was not in the expected shape";

impl Session {
    /// Opens a stored workspace, painting it from its view cache when it has one: the
    /// session returned may still be loading its document (see [`Session::opening`]).
    /// Damaged chunks are set aside and reported; what is valid opens.
    pub fn open_painting(store: Rc<Store>, id: &str, me: String) -> impl std::future::Future<Output = Result<Rc<Session>, String>> {
        let owner = Owner::current();
        let id = id.to_owned();
        async move { Session::open_in(store, &id, me, owner, true).await }
    }

    pub(super) async fn open_in(store: Rc<Store>, id: &str, me: String, owner: Option<Owner>, paint_first: bool) -> Result<Rc<Session>, String> {
        let sync_record = store.sync_record(id).await.ok().flatten();
        // Chunks stashed as a tab closed, before IndexedDB confirmed them: move them in,
        // and for a shared workspace into the outbox too, as their write would have
        // (sending one the relay already has is harmless).
        for (key, chunk) in crate::storage::stashed(id) {
            let write = Request::Write { workspace: id.to_owned(), doc: None, key: key.clone(), shared: sync_record.is_some() };
            if let Ok((Reply::Written { error: None }, _)) = crate::doc_worker::ask(&write, &chunk).await {
                crate::storage::unstash(&key);
            }
        }
        let cache = if paint_first { store.view_cache(id).await.ok().flatten().and_then(|bytes| ViewCache::from_bytes(&bytes).ok()) } else { None };
        let session = Rc::new(match &owner {
            Some(o) => o.with(|| Session::new(store, id, me, owner.clone())),
            None => Session::new(store, id, me, None),
        });
        session.set_sharing(sync_record);
        for (key, edits) in crate::storage::stashed_edits(id, ORPHANED_AFTER_MS, &crate::util::held_locks().await) {
            session.queued.borrow_mut().extend(edits);
            session.recovered_queues.borrow_mut().push(key);
        }
        // This tab's stash is held while the tab lives: another tab's opening leaves it
        // alone until then, and makes its edits at once after.
        crate::util::hold_lock(&session.queue_key);
        session.link_worker()?;
        if !session.recovered_queues.borrow().is_empty() {
            // The recovered edits are this tab's own now, stashed as such.
            crate::storage::stash_edits(&session.queue_key, &session.queued.borrow());
            for key in session.recovered_queues.take() {
                crate::storage::unstash_edits(&key);
            }
        }
        let painted = match cache {
            Some(cache) => session.paint(&cache).await.ok(),
            None => None,
        };
        if let Some(heads) = &painted {
            session.apply_view_tail(heads);
        }
        if painted.is_some() {
            session.loaded.set(false);
            session.opening.set(true);
            session.save_state.set(SaveState::Opening);
        }
        let load = {
            let session = Rc::clone(&session);
            async move {
                if painted.is_some() {
                    // Let the browser draw what the cache holds before anything else.
                    crate::util::next_paint().await;
                }
                session.load_in_worker(painted).await
            }
        };
        if session.is_opening() {
            let loading = Rc::clone(&session);
            spawn_local(async move {
                if let Err(message) = load.await {
                    loading.warn(format!("{message} What you see is how it looked on your last visit, and it cannot be edited."));
                    loading.read_only.set(true);
                    // The stashes stay: the next opening that can load the
                    // document makes those edits.
                    loading.queued.borrow_mut().clear();
                    loading.save_state.set(SaveState::Failed("the workspace did not open".into()));
                }
            });
            return Ok(session);
        }
        load.await?;
        // Opened for a caller that waits: it shows every edit made so far (those a
        // closed tab left too).
        session.until_shown().await;
        Ok(session)
    }

    /// Records how the workspace is shared: a view link's workspace is read-only.
    fn set_sharing(&self, record: Option<SyncRecord>) {
        if let Some(record) = &record {
            let can_write = waymark_protocol::Capability::from_fragment(&record.fragment).map(|c| c.can_write()).unwrap_or(false);
            self.read_only.set(!can_write);
        }
        *self.sync_record.borrow_mut() = record;
    }

    /// Fills every signal from `cache`: the heads it shows, or why it cannot be used
    /// (then the signals are read from the document instead).
    async fn paint(&self, cache: &ViewCache) -> Result<Vec<ChangeHash>, CacheError> {
        let heads = cache.heads()?;
        self.fill_in_slices(cache).await?;
        // The screen is drawn in a task of its own.
        crate::util::delay(0).await;
        *self.cache_heads.borrow_mut() = Some(heads.clone());
        Ok(heads)
    }

    /// Shows the view tail over a cache painted at `heads`: the changes the view had
    /// when the tab last went away, if the cache written then did not reach
    /// IndexedDB. The document's changes since `heads` are read again all the same.
    fn apply_view_tail(&self, heads: &[ChangeHash]) {
        let Some((base, bytes)) = crate::storage::view_tail(&self.id) else { return };
        let base: Vec<ChangeHash> = base.iter().filter_map(|h| h.parse().ok()).collect();
        if base != heads {
            // It follows another cache than the one painted.
            return crate::storage::drop_view_tail(&self.id);
        }
        if let Ok(delta) = waymark_domain::view_delta::ViewDelta::from_bytes(&bytes) {
            self.apply_delta(delta);
        }
    }

    /// Keeps what the view changed in since the cache it was painted from (or last
    /// wrote), synchronously: written when the tab goes away, it is there for the next
    /// visit even when the cache's own write is cut short.
    fn stash_view_tail(&self) {
        let Some(base) = self.cache_heads.borrow().clone() else { return };
        let mut dirty = self.writing.borrow().clone();
        dirty.absorb(self.dirty.borrow().clone());
        if dirty.everything {
            return crate::storage::drop_view_tail(&self.id);
        }
        let mut delta = waymark_domain::view_delta::ViewDelta::default();
        if dirty.brief {
            delta.brief = Some(self.brief.get_untracked());
        }
        if dirty.settings {
            let settings = self.settings.get_untracked();
            delta.settings = Some((settings.framework, settings.criteria));
        }
        for (name, collection) in &self.collections {
            let ids: Vec<Id> = dirty.items.iter().filter(|(c, _)| c == name).map(|(_, id)| id.clone()).collect();
            if !ids.is_empty() {
                collection.put_shown(&ids, &mut delta);
            }
        }
        let base: Vec<String> = base.iter().map(ToString::to_string).collect();
        crate::storage::stash_view_tail(&self.id, &base, &delta.to_bytes());
    }

    /// Makes every signal what `cache` shows.
    pub(super) fn fill_from(&self, cache: &ViewCache) -> Result<(), CacheError> {
        for collection in self.collections.values() {
            collection.filler(cache, self.owner.as_ref())?.step(usize::MAX)?;
        }
        self.show_cached(cache);
        Ok(())
    }

    /// Makes every signal what `cache` shows, a slice of artifacts per task (see
    /// `PAINT_SLICE`): the long cache of a large workspace never blocks the page for
    /// long. Nothing shows until all is read.
    pub(super) async fn fill_in_slices(&self, cache: &ViewCache) -> Result<(), CacheError> {
        let mut fillers = Vec::new();
        for collection in self.collections.values() {
            fillers.push(collection.filler(cache, self.owner.as_ref())?);
        }
        for mut filler in fillers {
            while !filler.step(PAINT_SLICE)? {
                crate::util::delay(0).await;
            }
        }
        self.show_cached(cache);
        Ok(())
    }

    /// The parts of `cache` besides its artifacts, shown.
    fn show_cached(&self, cache: &ViewCache) {
        self.brief.set(cache.brief.clone());
        self.settings.set(Settings { framework: cache.framework, criteria: cache.criteria.clone() });
        self.cached_audience.set(cache.audience);
        self.recount();
        self.warnings.update(|w| {
            for warning in &cache.warnings {
                if !w.contains(warning) {
                    w.push(warning.clone());
                }
            }
        });
    }

    /// Sets aside the chunks at `bad` (positions in `chunks`) and says so, or says that
    /// damaged chunks are kept from before.
    pub(super) async fn report_damaged(&self, chunks: &[(String, Vec<u8>)], bad: &[usize], quarantined: usize) {
        if !bad.is_empty() {
            let damaged: Vec<(String, Vec<u8>)> = bad.iter().filter_map(|&i| chunks.get(i).cloned()).collect();
            match self.store.quarantine(&damaged).await {
                Ok(()) => self.warn(format!(
                    "{} piece{} of saved work could not be read and {} set aside (kept, not deleted). Everything else is here.",
                    damaged.len(),
                    if damaged.len() == 1 { "" } else { "s" },
                    if damaged.len() == 1 { "was" } else { "were" },
                )),
                Err(e) => self.warn(format!("Some saved work could not be read, and setting it aside failed: {e}")),
            }
        } else if quarantined > 0 {
            self.warn(format!(
                "{quarantined} damaged piece{} of earlier saved work {} kept aside for recovery.",
                if quarantined == 1 { "" } else { "s" },
                if quarantined == 1 { "is" } else { "are" },
            ));
        }
    }

    /// The document is loaded (here or in the worker): the session is like any other.
    /// `fresh`: the painted view cache showed it exactly.
    pub(super) fn finish_loading(self: &Rc<Self>, fresh: bool) {
        self.loaded.set(true);
        self.opening.set(false);
        // For `cargo xtask bench open`: navigation → document loaded.
        if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
            let _ = perf.mark("waymark:document-loaded");
        }
        if self.save_state.get_untracked() == SaveState::Opening {
            self.save_state.set(SaveState::Saved);
        }
        self.write_meta(true);
        for then in self.when_loaded.take() {
            then(self);
        }
        // What reads the document itself (comments, history) reads it again.
        self.changes.update(|n| *n += 1);
        if !fresh || !self.queued.borrow().is_empty() {
            self.recache_soon(RECACHE_AFTER);
        }
    }

    /// Writes the view cache again once changes pause for `after`, at the browser's
    /// next idle moment. Serializing every view is one task (a quarter of a second at
    /// 10,000 ideas): done when the browser is idle, not on someone's keystroke. The
    /// write when the tab goes away is not enough alone: a reload can end it before
    /// IndexedDB has it, and the next visit would paint an older view.
    pub(super) fn recache_soon(self: &Rc<Self>, after: Duration) {
        if self.past.is_some() {
            return;
        }
        let this = Rc::downgrade(self);
        let handle = set_timeout_with_handle(
            move || {
                if let Some(this) = this.upgrade() {
                    crate::util::when_idle(move || this.write_view_cache(), RECACHE_WITHIN)
                }
            },
            after,
        )
        .ok();
        if let Some(old) = self.recache_timer.replace(handle) {
            old.clear();
        }
    }

    /// Whether the document is still loading (the screen shows the view cache).
    pub(super) fn is_opening(&self) -> bool {
        !self.loaded.get()
    }

    /// Refuses what needs the document while it loads.
    pub fn ready(&self) -> Result<(), String> {
        if self.is_opening() {
            Err(STILL_OPENING.to_owned())
        } else {
            Ok(())
        }
    }

    /// Runs `then` once the document is loaded (now, if it is).
    pub(super) fn once_loaded(self: &Rc<Self>, then: impl FnOnce(&Rc<Session>) + 'static) {
        if self.is_opening() {
            self.when_loaded.borrow_mut().push(Box::new(then));
        } else {
            then(self);
        }
    }

    /// Writes the view cache, if the document has changed since the last one: pending
    /// edits are saved first, so the cache shows exactly the document at its heads.
    /// The workspace screen calls it when the tab is hidden or closed.
    pub fn write_view_cache(self: &Rc<Self>) {
        if self.is_opening() || self.past.is_some() {
            return;
        }
        self.flush();
        // If the write below is cut short (or never made), the next visit still shows
        // what changed.
        self.stash_view_tail();
        // In the worker, the signals show the document at its last heads plus the
        // edits not yet committed (which stay stashed until they are, and are made
        // again if the tab closes first): a cache of them is right once no answer is
        // due.
        let pending = match self.link() {
            Some(link) if link.busy() => {
                self.cache_after_commit.set(true);
                return;
            }
            Some(_) => !self.queued.borrow().is_empty(),
            None => false,
        };
        let heads = self.heads_now();
        if !pending && self.cache_heads.borrow().as_deref() == Some(heads.as_slice()) {
            return;
        }
        let warnings = self.warnings.with_untracked(|w| w.iter().filter(|w| w.starts_with(SHAPE_WARNING)).cloned().collect());
        let settings = self.settings.get_untracked();
        let mut cache = ViewCache::new(&heads, self.brief.get_untracked(), (settings.framework, settings.criteria), self.audience(), warnings);
        for collection in self.collections.values() {
            collection.put_into(&mut cache);
        }
        let bytes = cache.to_bytes();
        let covers = self.dirty.take();
        self.writing.borrow_mut().absorb(covers);
        let this = Rc::clone(self);
        spawn_local(async move {
            if this.store.put_view_cache(&this.id, &bytes).await.is_ok() {
                *this.cache_heads.borrow_mut() = Some(heads);
                this.writing.take();
            } else {
                let missed = this.writing.take();
                this.dirty.borrow_mut().absorb(missed);
            }
        });
    }
}
