//! Keeping the document: edits are committed after a pause in typing and written to
//! IndexedDB as one chunk (by the worker, see `crate::doc_worker`, which also folds
//! chunks into a snapshot now and then), and the whole document is saved or exported
//! on demand.

use super::*;
use crate::doc_worker::protocol::{Reply, Request};

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

    /// Writes `chunk` (of this tab's edits, or a merged file) under `key`: stashed in
    /// localStorage first, then written by the worker, which also tells the other tabs
    /// and the relay. The stash goes once the write is durable; a failed write is tried
    /// again (the bytes are still stashed).
    pub(super) fn write_chunk(self: &Rc<Self>, key: String, chunk: Vec<u8>) {
        crate::storage::stash(&key, &chunk);
        self.writes_in_flight.set(self.writes_in_flight.get() + 1);
        self.save_state.set(SaveState::Saving);
        // A shared workspace's change is queued for the relay in the same transaction.
        let shared = self.sync_record.borrow().is_some();
        let request = Request::Write { workspace: self.id.clone(), doc: self.link().map(|l| l.key().to_owned()), key: key.clone(), shared };
        let written = match crate::doc_worker::DocWorker::shared() {
            Ok(worker) => worker.ask(&request, &chunk),
            Err(e) => return self.write_failed(key, chunk, e),
        };
        let this = Rc::clone(self);
        spawn_local(async move {
            let result = match written.await {
                Ok((Reply::Written { error: None }, _)) => Ok(()),
                Ok((Reply::Written { error: Some(e) }, _)) | Err(e) => Err(e),
                Ok(_) => Err("the background worker answered something else".into()),
            };
            match result {
                Ok(()) => {
                    this.writes_in_flight.set(this.writes_in_flight.get() - 1);
                    crate::storage::unstash(&key);
                    let idle = this.writes_in_flight.get() == 0 && this.first_pending_edit.get().is_none();
                    if idle && !matches!(this.save_state.get_untracked(), SaveState::Failed(_)) {
                        this.save_state.set(SaveState::Saved);
                    }
                }
                Err(e) => this.write_failed(key, chunk, e),
            }
        });
    }

    /// A chunk's write failed: keep the bytes (stashed) and try again.
    fn write_failed(self: &Rc<Self>, key: String, chunk: Vec<u8>, error: String) {
        self.writes_in_flight.set(self.writes_in_flight.get().saturating_sub(1));
        self.save_state.set(SaveState::Failed(error));
        let retry = Rc::clone(self);
        set_timeout(move || retry.write_chunk(key, chunk), Duration::from_secs(3));
    }

    /// Folds every stored chunk into a new snapshot, now (the worker does this by
    /// itself every few dozen chunks); false if it could not (nothing is lost: the
    /// chunks stay).
    pub async fn compact_now(self: &Rc<Self>) -> bool {
        if self.is_opening() {
            return false;
        }
        let Some(link) = self.link() else { return false };
        self.flush();
        matches!(link.worker().ask(&Request::Compact { doc: link.key().to_owned() }, &[]).await, Ok((Reply::Compacted { done: true }, _)))
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
