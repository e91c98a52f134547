//! Every change the page makes to the document: a person's `Edit`, a republished
//! roadmap, a merged file. (A teammate's batch from the relay and another tab's chunk
//! arrive in the worker, which says what they changed: see `worker`.)

use super::*;
use crate::doc_worker::protocol::Request;

/// What a session closed (its screen gone) answers.
pub(super) const CLOSED: &str = "This workspace was closed: open it again.";

impl Session {
    /// Refuses every edit of a view-only workspace (the pages show no edit affordance
    /// there either; this makes sure nothing slips through).
    pub(super) fn writable(&self) -> Result<(), String> {
        // (A closed workspace's signals are gone: nothing is written to it.)
        if self.read_only.try_get_untracked().unwrap_or(true) {
            Err(READ_ONLY.to_owned())
        } else {
            Ok(())
        }
    }

    /// The display name recorded as author of new things.
    pub fn me(&self) -> &str {
        &self.me
    }

    /// Makes one edit as the person using this browser: posted to the document's
    /// worker, whose answer updates what it changed. Every page edits through here: it
    /// sends data, never code that touches the document.
    /// Until a stored chunk holds it, the edit is kept (and stashed, so a closed tab
    /// loses nothing); while the document loads, it waits and is made once it has. One
    /// that creates something is given its id now, so the caller has it at once.
    pub fn apply(self: &Rc<Self>, edit: Edit) -> Result<Applied, String> {
        self.writable()?;
        let link = self.link().ok_or(CLOSED)?;
        self.show_typed(&edit);
        let created = edit.creates().then(Id::random);
        let json = serde_json::value::to_raw_value(&edit).map_err(|e| format!("The edit could not be kept: {e}"))?;
        self.queued.borrow_mut().push((json.clone(), created.clone()));
        crate::storage::stash_edits(&self.queue_key, &self.queued.borrow());
        // Posted now, or right after the document's `Open` if that is not posted yet.
        if link.is_open() {
            self.post_edit(&link, json, created.clone());
        }
        if !self.is_opening() {
            self.after_edit();
            // Something new is saved (and reaches teammates) at once; typing waits for
            // a pause, so a burst of keys is one change.
            if created.is_some() {
                self.flush();
            }
        }
        Ok(Applied { changed: Default::default(), created })
    }

    /// Brings this published roadmap up to date with `source` (see
    /// [`waymark_domain::audience`]) and saves it at once.
    pub async fn republish_from(self: &Rc<Self>, source: &Session) -> Result<(), String> {
        self.writable()?;
        self.ready()?;
        source.ready()?;
        let source = source.link().ok_or(CLOSED)?;
        let request = |doc| Request::Republish { doc, source: source.key().to_owned(), now_ms: now_ms() };
        self.change_in_worker(request).await.map(|_| ())
    }

    /// Undoes (`redo`: redoes) the last step of the person's own edits in this tab,
    /// across every section, as a new change: a teammate's edits stay. What it set
    /// back, for a person (empty: teammates had changed all of it since); `None` if
    /// there was nothing to undo.
    pub async fn undo(self: &Rc<Self>, redo: bool) -> Result<Option<String>, String> {
        self.writable()?;
        self.ready()?;
        self.change_in_worker(|doc| Request::Undo { doc, redo, now_ms: now_ms() }).await
    }

    /// Creates an artifact through `edit` (one of the `Create…` edits): its id.
    pub fn create(self: &Rc<Self>, edit: Edit) -> Result<Id, String> {
        self.apply(edit)?.created.ok_or_else(|| "nothing was created".to_owned())
    }

    /// How many edits this tab has made since the workspace opened (undo included).
    pub fn edits_made(&self) -> u64 {
        self.edits_made.get()
    }

    /// Saves the edits made so far once typing pauses (see `COMMIT_AFTER_IDLE`).
    pub(super) fn after_edit(self: &Rc<Self>) {
        self.edits_made.set(self.edits_made.get() + 1);
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

    /// Merges another copy of this workspace (an `.automerge` file) into it.
    pub async fn merge_bytes(self: &Rc<Self>, bytes: &[u8]) -> Result<(), String> {
        self.writable()?;
        self.ready()?;
        let link = self.link().ok_or(CLOSED)?;
        // Stored as it came, like a teammate's changes.
        match self.apply_in_worker(&link, &[bytes.to_vec()]).await? {
            Some(chunk) => {
                self.write_new_chunk(chunk);
                Ok(())
            }
            None => Err("it is not a copy of a Waymark workspace that could be read".into()),
        }
    }
}
