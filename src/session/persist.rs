//! Keeping the document: edits are committed after a pause in typing and written to
//! IndexedDB as one chunk, chunks are folded into a snapshot now and then, and the
//! whole document is saved or exported on demand.

use super::*;

impl Session {
    /// Commits pending edits and writes them to IndexedDB as one chunk, now.
    pub fn flush(self: &Rc<Self>) {
        // A session of the past is read-only and stored nowhere; one still opening has
        // no document yet (its edits wait in the queue).
        if self.past.is_some() || self.is_opening() {
            return;
        }
        if let Some(t) = self.commit_timer.take() {
            t.clear();
        }
        self.first_pending_edit.set(None);
        if let Some(link) = self.link() {
            self.commit_in_worker(&link);
        }
    }

    /// Writes `chunk` under a new key, if it holds anything.
    pub(super) fn write_new_chunk(self: &Rc<Self>, chunk: Vec<u8>) {
        if !chunk.is_empty() {
            self.write_chunk(self.store.next_chunk_key(&self.id), chunk);
        }
    }

    pub(super) fn write_chunk(self: &Rc<Self>, key: String, chunk: Vec<u8>) {
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
    pub(super) fn schedule_compaction(self: &Rc<Self>) {
        let this = Rc::clone(self);
        let handle = set_timeout_with_handle(move || this.compact(), Duration::from_secs(5)).ok();
        if let Some(old) = self.compact_timer.replace(handle) {
            old.clear();
        }
    }

    pub(super) fn compact(self: &Rc<Self>) {
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

    /// Folds every stored chunk into a new snapshot, now; false if it could not (the
    /// write failed: nothing is lost, the chunks stay).
    pub async fn compact_now(self: &Rc<Self>) -> bool {
        if self.is_opening() {
            return false;
        }
        let Some(link) = self.link() else { return false };
        self.compact_from_worker(&link).await
    }

    /// Folds the stored chunks into a snapshot of the worker's document. Chunks this
    /// session has not seen (another tab's, written since it opened) are applied there
    /// first, so the snapshot holds everything the chunks it replaces held; only chunks
    /// the worker's document holds are deleted (one written meanwhile stays, for next
    /// time).
    async fn compact_from_worker(self: &Rc<Self>, link: &Rc<worker::DocLink>) -> bool {
        let Ok(stored) = self.store.load(&self.id).await else { return false };
        let known: Vec<String> = self.written_chunks.borrow().clone();
        let (unseen_keys, unseen): (Vec<String>, Vec<Vec<u8>>) = stored.chunks.into_iter().filter(|(k, _)| !known.contains(k)).unzip();
        if !unseen.is_empty() && self.apply_in_worker(link, &unseen).await.is_err() {
            return false;
        }
        let covered: Vec<String> = known.into_iter().chain(unseen_keys).collect();
        let whole = match self.save_in_worker(link).await {
            Ok(whole) => whole,
            Err(_) => return false,
        };
        let folded = covered.clone();
        let result = self.store.compact(&self.id, move |stored| Some((whole, stored.into_iter().map(|(k, _)| k).filter(|k| folded.contains(k)).collect()))).await;
        match result {
            Ok(true) => {
                self.written_chunks.borrow_mut().retain(|k| !covered.contains(k));
                true
            }
            Ok(false) => false,
            Err(e) => {
                leptos::logging::warn!("compaction failed: {e}");
                false
            }
        }
    }

    /// Keeps Home's summary (name, idea count, last opened) in step.
    pub(super) fn write_meta(self: &Rc<Self>, opened: bool) {
        if self.past.is_some() {
            return;
        }
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
    pub async fn save_bytes(self: &Rc<Self>) -> Result<Vec<u8>, String> {
        self.ready()?;
        let link = self.link().ok_or(super::edit::CLOSED)?;
        self.save_in_worker(&link).await
    }

    /// A chunk was stored for this workspace by the sync engine.
    pub fn note_chunk(self: &Rc<Self>, key: String) {
        self.written_chunks.borrow_mut().push(key);
        if self.written_chunks.borrow().len() >= COMPACT_AFTER_CHUNKS {
            self.schedule_compaction();
        }
    }

    /// The workspace as Waymark JSON (see `waymark_domain::export`), or as a Markdown
    /// report.
    pub async fn export_text(self: &Rc<Self>, markdown: bool) -> Result<String, String> {
        self.ready()?;
        let link = self.link().ok_or(super::edit::CLOSED)?;
        self.export_in_worker(&link, markdown, None).await
    }

    /// What importing `backlog` as `choices` say would do to the workspace as it is now.
    pub async fn plan_import(self: &Rc<Self>, backlog: &waymark_domain::backlog::Backlog, choices: &waymark_domain::backlog_import::Choices) -> Result<waymark_domain::backlog_import::ImportPlan, String> {
        self.ready()?;
        let link = self.link().ok_or(super::edit::CLOSED)?;
        self.plan_in_worker(&link, backlog, choices).await
    }
}
