//! Every change that enters the document: a person's `Edit`, a teammate's batch from
//! the relay, another tab's chunk, a merged file. Each re-reads what it changed.

use super::*;

impl Session {
    /// Refuses every edit of a view-only workspace (the pages show no edit affordance
    /// there either; this makes sure nothing slips through).
    pub(super) fn writable(&self) -> Result<(), String> {
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
    /// While the document loads, an edit waits in a queue and is made once it has; one
    /// that creates something is given its id now, so the caller has it at once.
    pub fn apply(self: &Rc<Self>, edit: Edit) -> Result<Applied, String> {
        self.writable()?;
        if let Some(link) = self.link() {
            // In the worker: kept (and stashed) until a stored chunk holds it. Posted
            // now, or right after the document's `Open` if that is not posted yet.
            let created = edit.creates().then(Id::random);
            self.queued.borrow_mut().push((edit.clone(), created.clone()));
            crate::storage::stash_edits(&self.queue_key, &self.queued.borrow());
            if link.is_open() {
                self.post_edit(&link, edit, created.clone());
            }
            if !self.is_opening() {
                self.after_edit(Changed::default());
            }
            return Ok(Applied { changed: Changed::default(), created });
        }
        if self.is_opening() {
            let created = edit.creates().then(Id::random);
            self.queued.borrow_mut().push((edit, created.clone()));
            // Kept at once: a tab closed before the document loads loses nothing.
            crate::storage::stash_edits(&self.queue_key, &self.queued.borrow());
            return Ok(Applied { changed: Changed::default(), created });
        }
        self.make(edit, None)
    }

    /// Makes `edit` in the document, giving what it creates the id `id` if chosen.
    pub(super) fn make(self: &Rc<Self>, edit: Edit, id: Option<Id>) -> Result<Applied, String> {
        self.writable()?;
        let result = {
            let mut doc = self.doc.borrow_mut();
            match id {
                Some(id) => doc.apply_edit_as(edit, id, now_ms(), &self.me),
                None => doc.apply_edit(edit, now_ms(), &self.me),
            }
        };
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

    /// Brings this published roadmap up to date with `source` (see
    /// [`waymark_domain::audience`]) and saves it at once.
    pub fn republish_from(self: &Rc<Self>, source: &Session) -> Result<(), String> {
        self.writable()?;
        self.ready()?;
        source.ready()?;
        if self.link().is_some() || source.link().is_some() {
            return Err(STILL_OPENING.into());
        }
        let result = self.doc.borrow_mut().republish_from(&source.doc.borrow(), now_ms());
        result.map_err(|e| format!("The roadmap could not be published: {e}"))?;
        self.reload_all();
        self.flush();
        Ok(())
    }

    /// Creates an artifact through `edit` (one of the `Create…` edits): its id.
    pub fn create(self: &Rc<Self>, edit: Edit) -> Result<Id, String> {
        self.apply(edit)?.created.ok_or_else(|| "nothing was created".to_owned())
    }

    pub(super) fn after_edit(self: &Rc<Self>, changed: Changed) {
        self.refresh(&changed);
        if self.link().is_none() && !self.doc.borrow().has_pending_edits() {
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

    /// Applies changes from the relay, in order. Returns the bytes to store (those that
    /// applied), or `None` if none did.
    pub async fn apply_remote(self: &Rc<Self>, changes: &[Vec<u8>]) -> Option<Vec<u8>> {
        if let Some(link) = self.link() {
            return self.apply_in_worker(&link, changes).await.ok().flatten();
        }
        // Local edits become their own chunk first, so they are never mistaken for
        // the teammate's (below, the incremental cursor moves past what arrives).
        self.flush();
        let before = self.heads_now();
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
        if !applied.is_empty() {
            self.note_new(&before);
        }
        self.changes.update(|n| *n += 1);
        (!applied.is_empty()).then_some(applied)
    }

    /// Applies a change another tab of this browser stored.
    pub fn apply_from_tab(self: &Rc<Self>, bytes: &[u8]) {
        if let Some(link) = self.link() {
            let (this, changes) = (Rc::clone(self), vec![bytes.to_vec()]);
            spawn_local(async move {
                let _ = this.apply_in_worker(&link, &changes).await;
            });
            return;
        }
        self.flush();
        let before = self.heads_now();
        let changed = {
            let mut doc = self.doc.borrow_mut();
            let changed = doc.apply(bytes);
            let _ = doc.save_incremental();
            changed
        };
        if let Ok(changed) = changed {
            self.refresh(&changed);
            self.note_new(&before);
            self.changes.update(|n| *n += 1);
        }
    }

    /// Merges another copy of this workspace (an `.automerge` file) into it.
    pub async fn merge_bytes(self: &Rc<Self>, bytes: &[u8]) -> Result<(), String> {
        self.writable()?;
        self.ready()?;
        if let Some(link) = self.link() {
            if !waymark_domain::workspace::is_well_formed(bytes) {
                return Err("it is not an Automerge document".into());
            }
            // Stored as it came, like a teammate's changes.
            return match self.apply_in_worker(&link, &[bytes.to_vec()]).await? {
                Some(chunk) => {
                    self.write_new_chunk(chunk);
                    Ok(())
                }
                None => Err("none of its changes could be read".into()),
            };
        }
        self.flush();
        let changed = self.doc.borrow_mut().apply(bytes).map_err(|e| e.to_string())?;
        self.refresh(&changed);
        // Persist the merged state as a chunk of its own.
        let chunk = self.doc.borrow_mut().save_incremental();
        if !chunk.is_empty() {
            self.write_chunk(self.store.next_chunk_key(&self.id), chunk);
        }
        self.write_meta(false);
        self.changes.update(|n| *n += 1);
        Ok(())
    }
}
