//! The document in the worker: the workspace screen's session keeps its Automerge
//! document in the document worker (`crate::doc_worker`), so loading it, making edits
//! and applying teammates' changes never take the page's thread. The page posts typed
//! edits and changes that arrive; each answer carries a view delta that updates the
//! signals. Chunks are still written, stashed, posted to other tabs and queued for the
//! relay by the page, exactly as when the document lives here.
//!
//! Invariants:
//! - Requests are answered in the order they were posted. A view delta is applied only
//!   once no other request that answers with one is outstanding (earlier deltas are
//!   held until then, and applied in order), so an answer never shows an older value
//!   of a field the person has typed further into since.
//! - An edit stays in `queued` (and in its localStorage stash) until a chunk holding it
//!   is stashed: a tab closed at any moment loses nothing, and the next opening makes
//!   the edits again (see `crate::storage::stashed_edits`).
//! - What needs the document itself (history, time travel, a backlog import's plan,
//!   republishing) first brings it to the page ([`Session::on_page`]).

use super::*;
use automerge::ChangeHash;
use futures::channel::oneshot;
use waymark_domain::view_delta::ViewDelta;

use crate::doc_worker::protocol::{pack, unpack, NewToYou, Reply, Request};
use crate::doc_worker::{Answer, DocWorker};

/// The session's link to its document in the worker.
pub(super) struct DocLink {
    worker: Rc<DocWorker>,
    /// The worker's name for the document: unique to this session.
    key: String,
    /// Whether `Open` is posted: edits made before it are posted right after it.
    opened: Cell<bool>,
    /// Requests answered with a view delta and not answered yet.
    in_flight: Cell<u32>,
    /// Deltas received while others were in flight, in order.
    held: RefCell<Vec<ViewDelta>>,
    /// The document's heads, as its last answer said.
    pub(super) heads: RefCell<Vec<ChangeHash>>,
    /// How many of the session's queued edits have been dropped since it opened
    /// (written in a chunk): a commit covers the edits posted before it.
    dropped: Cell<usize>,
    /// Whether the page is taking the document over (see [`Session::on_page`]).
    handing_over: Cell<bool>,
    /// What waits for the view to show every edit posted so far.
    when_shown: RefCell<Vec<Box<dyn FnOnce()>>>,
}

impl DocLink {
    /// Whether `Open` is posted (edits may be posted after it).
    pub(super) fn is_open(&self) -> bool {
        self.opened.get()
    }

    /// Whether answers that change the view are due: the signals may not show the
    /// document at `heads` yet.
    pub(super) fn busy(&self) -> bool {
        self.in_flight.get() > 0
    }
}

fn parse_heads(heads: &[String]) -> Vec<ChangeHash> {
    heads.iter().filter_map(|h| h.parse().ok()).collect()
}

/// A request's one answer, awaited.
fn ask(worker: &DocWorker, request: &Request, payload: &[u8]) -> oneshot::Receiver<Answer> {
    let (tx, rx) = oneshot::channel();
    worker.call(request, payload, move |answer| {
        let _ = tx.send(answer);
    });
    rx
}

/// What a request got: its reply and payload, or why it failed.
async fn answer_of(rx: oneshot::Receiver<Answer>) -> Result<(Reply, Vec<u8>), String> {
    match rx.await {
        Ok(Answer { reply: Reply::Failed { message }, .. }) => Err(message),
        Ok(Answer { reply, payload }) => Ok((reply, payload.unwrap_or_default())),
        Err(_) => Err("The background worker stopped: reload this tab.".into()),
    }
}

impl Session {
    /// The link to the document's worker, while the document lives there.
    pub(super) fn link(&self) -> Option<Rc<DocLink>> {
        self.link.borrow().clone()
    }

    /// Links this session to the page's document worker, if one can start.
    pub(super) fn link_worker(&self) -> bool {
        let Ok(worker) = DocWorker::shared() else { return false };
        worker.hold();
        let key = format!("{}:{}", self.id, Id::random());
        *self.link.borrow_mut() = Some(Rc::new(DocLink {
            worker,
            key,
            opened: Cell::new(false),
            in_flight: Cell::new(0),
            held: RefCell::new(Vec::new()),
            heads: RefCell::new(Vec::new()),
            dropped: Cell::new(0),
            handing_over: Cell::new(false),
            when_shown: RefCell::new(Vec::new()),
        }));
        true
    }

    /// Forgets the worker: its document is closed there.
    pub(super) fn unlink(&self) {
        if let Some(link) = self.link.borrow_mut().take() {
            link.worker.call(&Request::Close { doc: link.key.clone() }, &[], |_| {});
            link.worker.release();
        }
    }

    /// Loads the document into the worker from storage. Painted from a cache showing
    /// `cache_heads`, only what changed since comes back. An error if the worker could
    /// not open it (the caller then loads it on the page).
    pub(super) async fn load_in_worker(self: &Rc<Self>, cache_heads: Option<Vec<ChangeHash>>) -> Result<(), String> {
        let link = self.link().ok_or("no worker")?;
        let StoredDoc { snapshot, chunks, quarantined } =
            self.store.load(&self.id).await.map_err(|e| format!("Could not read this workspace from the browser's storage: {e}."))?;
        if snapshot.is_none() && chunks.is_empty() {
            return Err("This workspace is not stored in this browser.".into());
        }
        let payload = pack(std::iter::once(snapshot.as_deref().unwrap_or_default()).chain(chunks.iter().map(|(_, c)| c.as_slice())));
        let request = Request::Open { doc: link.key.clone(), me: self.me.clone(), cache_heads: cache_heads.as_ref().map(|h| h.iter().map(ToString::to_string).collect()) };
        link.in_flight.set(link.in_flight.get() + 1);
        let opened = ask(&link.worker, &request, &payload);
        link.opened.set(true);
        // Edits made while it loads, in order, right after it.
        let queued: Vec<(Edit, Option<Id>)> = self.queued.borrow().clone();
        for (edit, id) in queued {
            self.post_edit(&link, edit, id);
        }
        let (reply, payload) = match answer_of(opened).await {
            Ok(answer) => answer,
            Err(message) => {
                link.in_flight.set(link.in_flight.get().saturating_sub(1));
                return Err(message);
            }
        };
        let Reply::Opened { bad_chunks, heads, audience } = reply else { return Err("The background worker answered something else.".into()) };
        self.report_damaged(&chunks, &bad_chunks, quarantined).await;
        *self.written_chunks.borrow_mut() = chunks.iter().enumerate().filter(|(i, _)| !bad_chunks.contains(i)).map(|(_, (k, _))| k.clone()).collect();
        *link.heads.borrow_mut() = parse_heads(&heads);
        self.cached_audience.set(audience);
        let fresh = cache_heads.is_some_and(|h| h == *link.heads.borrow());
        self.receive_delta(&link, &payload);
        *self.tabs.borrow_mut() = Tabs::open(&self.id, Rc::downgrade(self));
        self.finish_loading(fresh);
        if !self.queued.borrow().is_empty() {
            self.after_edit(Changed::default());
        }
        Ok(())
    }

    /// Posts one edit to the worker.
    pub(super) fn post_edit(self: &Rc<Self>, link: &Rc<DocLink>, edit: Edit, id: Option<Id>) {
        link.in_flight.set(link.in_flight.get() + 1);
        let this = Rc::downgrade(self);
        let held = Rc::clone(link);
        link.worker.call(&Request::Edit { doc: link.key.clone(), edit, id, now_ms: now_ms() }, &[], move |answer| {
            let Some(this) = this.upgrade() else { return };
            match answer.reply {
                Reply::Edited { error } => {
                    if let Some(e) = error {
                        this.warn(format!("An edit could not be made: {e}"));
                    }
                    this.receive_delta(&held, &answer.payload.unwrap_or_default());
                }
                Reply::Failed { message } => this.worker_failed(&held, message),
                _ => {}
            }
        });
    }

    /// Runs `then` once the view shows every edit made so far: now if it does (the
    /// document is on the page, or the worker owes no answer), else once it has
    /// answered. For what describes an edit's result, like where a card landed.
    pub fn when_shown(&self, then: impl FnOnce() + 'static) {
        match self.link() {
            Some(link) if link.busy() => link.when_shown.borrow_mut().push(Box::new(then)),
            _ => then(),
        }
    }

    /// Applies a delta from the worker, or holds it while other answers are due.
    fn receive_delta(self: &Rc<Self>, link: &DocLink, bytes: &[u8]) {
        link.in_flight.set(link.in_flight.get().saturating_sub(1));
        match ViewDelta::from_bytes(bytes) {
            Ok(delta) => link.held.borrow_mut().push(delta),
            Err(e) => self.warn(format!("An update of what you see could not be read ({e}); reload the tab to see it.")),
        }
        if link.in_flight.get() == 0 {
            let held = std::mem::take(&mut *link.held.borrow_mut());
            for delta in held {
                self.apply_delta(delta);
            }
            let waiting = std::mem::take(&mut *link.when_shown.borrow_mut());
            for then in waiting {
                then();
            }
            if self.cache_after_commit.take() {
                self.write_view_cache();
            }
        }
    }

    /// The worker stopped or refused: nothing more can be saved from this tab, and
    /// nothing is lost (the edits are stashed; a reload makes them).
    fn worker_failed(&self, link: &DocLink, message: String) {
        link.in_flight.set(link.in_flight.get().saturating_sub(1));
        if self.is_opening() {
            // The opening says so itself, or loads the document on the page and makes
            // the queued edits there.
            return;
        }
        self.warn(format!("{message} Your latest edits are kept in this browser and will be saved when you reload."));
        self.save_state.set(SaveState::Failed("the background worker stopped".into()));
    }

    /// Commits the edits posted so far and writes their chunk.
    pub(super) fn commit_in_worker(self: &Rc<Self>, link: &Rc<DocLink>) {
        if !link.opened.get() {
            return;
        }
        let covers = link.dropped.get() + self.queued.borrow().len();
        // Held until answered: the chunk is written even if the screen has gone.
        let this = Rc::clone(self);
        let held = Rc::clone(link);
        link.worker.call(&Request::Commit { doc: link.key.clone(), now_ms: now_ms() }, &[], move |answer| {
            match answer.reply {
                Reply::Committed { heads } => {
                    *held.heads.borrow_mut() = parse_heads(&heads);
                    let chunk = answer.payload.unwrap_or_default();
                    if !chunk.is_empty() {
                        this.write_chunk(this.store.next_chunk_key(&this.id), chunk);
                        this.write_meta(false);
                        this.changes.update(|n| *n += 1);
                        this.recache_soon(super::open::RECACHE_AFTER_CHANGES);
                    }
                    this.drop_committed(&held, covers);
                    if this.writes_in_flight.get() == 0 && this.first_pending_edit.get().is_none() && this.save_state.get_untracked() == SaveState::Saving {
                        this.save_state.set(SaveState::Saved);
                    }
                }
                Reply::Failed { message } => {
                    this.warn(format!("{message} Your latest edits are kept in this browser and will be saved when you reload."));
                    this.save_state.set(SaveState::Failed("the background worker stopped".into()));
                }
                _ => {}
            }
        });
    }

    /// Forgets the queued edits a stashed chunk now holds (the first `covers` made
    /// since the document opened).
    fn drop_committed(&self, link: &DocLink, covers: usize) {
        let n = covers.saturating_sub(link.dropped.get()).min(self.queued.borrow().len());
        if n == 0 {
            return;
        }
        self.queued.borrow_mut().drain(..n);
        link.dropped.set(link.dropped.get() + n);
        if self.queued.borrow().is_empty() {
            crate::storage::unstash_edits(&self.queue_key);
        } else {
            crate::storage::stash_edits(&self.queue_key, &self.queued.borrow());
        }
    }

    /// Applies changes from elsewhere in the worker: what applied (to store), and
    /// what it did is shown once the worker answers.
    pub(super) async fn apply_in_worker(self: &Rc<Self>, link: &Rc<DocLink>, changes: &[Vec<u8>]) -> Result<Option<Vec<u8>>, String> {
        // This page's edits become their own chunk first, never mistaken for theirs.
        self.flush();
        link.in_flight.set(link.in_flight.get() + 1);
        let rx = ask(&link.worker, &Request::Apply { doc: link.key.clone(), now_ms: now_ms() }, &pack(changes.iter().map(Vec::as_slice)));
        let (reply, payload) = match answer_of(rx).await {
            Ok(answer) => answer,
            Err(message) => {
                self.worker_failed(link, message.clone());
                return Err(message);
            }
        };
        let Reply::Applied { applied, failed, heads, new } = reply else { return Err("The background worker answered something else.".into()) };
        let parts = unpack(&payload)?;
        let (delta, own) = match parts.as_slice() {
            [delta, own] => (delta.as_slice(), own.clone()),
            _ => return Err("The background worker's answer was not readable.".into()),
        };
        self.write_new_chunk(own);
        *link.heads.borrow_mut() = parse_heads(&heads);
        if failed > 0 {
            self.warn(format!("{failed} change{} from a teammate could not be read and {} skipped.", if failed == 1 { "" } else { "s" }, if failed == 1 { "was" } else { "were" }));
        }
        self.receive_delta(link, delta);
        self.mark_new(new);
        self.write_meta(false);
        self.changes.update(|n| *n += 1);
        self.recache_soon(super::open::RECACHE_AFTER_CHANGES);
        let bytes: Vec<u8> = applied.iter().filter_map(|&i| changes.get(i)).flatten().copied().collect();
        Ok((!bytes.is_empty()).then_some(bytes))
    }

    /// Marks what teammates changed as new to this person.
    pub(super) fn mark_new(&self, new: NewToYou) {
        if new.hashes.is_empty() {
            return;
        }
        let hashes: Vec<ChangeHash> = parse_heads(&new.hashes);
        let items: Vec<(&'static str, Id)> = new.items.into_iter().filter_map(|(c, id)| Some((self.collections.keys().find(|k| **k == c)?.to_owned(), id))).collect();
        self.mark_theirs(hashes, items);
    }

    /// Asks the worker what teammates changed after `heads`.
    pub(super) fn since_in_worker(self: &Rc<Self>, link: &DocLink, heads: &[ChangeHash]) {
        let this = Rc::downgrade(self);
        link.worker.call(&Request::Since { doc: link.key.clone(), heads: heads.iter().map(ToString::to_string).collect() }, &[], move |answer| {
            if let (Some(this), Reply::New { new }) = (this.upgrade(), answer.reply) {
                this.mark_new(new);
            }
        });
    }

    /// The whole document from the worker (its uncommitted edits written as a chunk
    /// first).
    pub(super) async fn save_in_worker(self: &Rc<Self>, link: &DocLink) -> Result<Vec<u8>, String> {
        self.flush();
        let (_, payload) = answer_of(ask(&link.worker, &Request::Save { doc: link.key.clone(), now_ms: now_ms() }, &[])).await?;
        let mut parts = unpack(&payload)?;
        let (Some(whole), Some(own)) = (parts.pop(), parts.pop()) else { return Err("The background worker's answer was not readable.".into()) };
        self.write_new_chunk(own);
        Ok(whole)
    }

    /// The workspace as Waymark JSON or Markdown, from the worker.
    pub(super) async fn export_in_worker(&self, link: &DocLink, markdown: bool) -> Result<String, String> {
        let (_, payload) = answer_of(ask(&link.worker, &Request::Export { doc: link.key.clone(), markdown, now_ms: now_ms() }, &[])).await?;
        String::from_utf8(payload).map_err(|_| "The export was not text.".into())
    }

    /// The comments on `target`, from the worker.
    pub(super) async fn comments_in_worker(&self, link: &DocLink, target: &waymark_domain::Ref) -> Result<Vec<waymark_domain::comments::Comment>, String> {
        match answer_of(ask(&link.worker, &Request::Comments { doc: link.key.clone(), target: target.clone() }, &[])).await? {
            (Reply::Comments { comments }, _) => Ok(comments),
            _ => Err("The background worker answered something else.".into()),
        }
    }

    /// Brings the document from the worker to the page, for what reads the document
    /// itself (history, time travel). Edits made meanwhile wait and are made here.
    /// Nothing if it is here already.
    pub async fn on_page(self: &Rc<Self>) -> Result<(), String> {
        let Some(link) = self.link() else { return Ok(()) };
        if link.handing_over.get() || !link.opened.get() || self.is_opening() {
            return Err(STILL_OPENING.into());
        }
        link.handing_over.set(true);
        let whole = self.save_in_worker(&link).await;
        let Ok(whole) = whole else {
            link.handing_over.set(false);
            return whole.map(|_| ());
        };
        // Edits posted after the snapshot are still queued: they are made here below.
        let doc = Workspace::load(&whole).map_err(|e| format!("The workspace could not be read: {e}"));
        self.unlink();
        let doc = match doc {
            Ok(doc) => doc,
            Err(e) => {
                self.warn(format!("{e} Reload the tab."));
                return Err(e);
            }
        };
        *self.doc.borrow_mut() = doc;
        let queued = self.queued.take();
        for (edit, id) in queued {
            if let Err(e) = self.make(edit, id) {
                self.warn(format!("An edit could not be made: {e}"));
            }
        }
        self.flush();
        crate::storage::unstash_edits(&self.queue_key);
        self.changes.update(|n| *n += 1);
        Ok(())
    }

    /// Starts bringing the document to the page, for a reader that found it in the
    /// worker: the reader is run again once it is here (`changes` moves).
    pub(super) fn bring_to_page(self: &Rc<Self>) {
        let Some(link) = self.link() else { return };
        if link.handing_over.get() {
            return;
        }
        let this = Rc::clone(self);
        spawn_local(async move {
            if let Err(e) = this.on_page().await {
                if e != STILL_OPENING {
                    this.warn(e);
                }
            }
        });
    }
}
