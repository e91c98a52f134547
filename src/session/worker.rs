//! The document in the worker: a session keeps its Automerge document in the document
//! worker (`crate::doc_worker`), so loading it, making edits, applying teammates'
//! changes and reading history never take the page's thread, and the page's module
//! holds no Automerge code. The page posts typed edits and changes that arrive; each
//! answer carries a view delta that updates the signals. The page stashes each chunk
//! of its edits and asks the worker to write it; the worker tells the other tabs and
//! the relay, applies what they send, and says so through the document's events
//! (`Watch`), which are shown like answers.
//!
//! Invariants:
//! - Requests are answered in the order they were posted. A view delta is applied only
//!   once no other request that answers with one is outstanding (earlier deltas are
//!   held until then, and applied in order), so an answer never shows an older value
//!   of a field the person has typed further into since.
//! - An edit stays in `queued` (and in its localStorage stash) until a chunk holding it
//!   is stashed: a tab closed at any moment loses nothing, and the next opening makes
//!   the edits again (see `crate::storage::stashed_edits`).
//! - A session of the past ([`Session::at`]) is a read-only document of its own in the
//!   same worker, made from the live one.

use super::*;
use automerge::ChangeHash;
use futures::channel::oneshot;
use waymark_domain::view_delta::ViewDelta;

use crate::doc_worker::protocol::{pack, unpack, NewToYou, Reply, Request};
use crate::doc_worker::DocWorker;

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
    /// What waits for the view to show every edit posted so far.
    when_shown: RefCell<Vec<Box<dyn FnOnce()>>>,
}

impl DocLink {
    /// A link to document `key` in `worker`, which is kept running while it lives.
    fn new(worker: Rc<DocWorker>, key: String) -> DocLink {
        worker.hold();
        DocLink {
            worker,
            key,
            opened: Cell::new(false),
            in_flight: Cell::new(0),
            held: RefCell::new(Vec::new()),
            heads: RefCell::new(Vec::new()),
            dropped: Cell::new(0),
            when_shown: RefCell::new(Vec::new()),
        }
    }

    /// Whether `Open` is posted (edits may be posted after it).
    pub(super) fn is_open(&self) -> bool {
        self.opened.get()
    }

    /// Whether answers that change the view are due: the signals may not show the
    /// document at `heads` yet.
    pub(super) fn busy(&self) -> bool {
        self.in_flight.get() > 0
    }

    /// The worker's name for the document.
    pub(super) fn key(&self) -> &str {
        &self.key
    }

    /// The worker the document is open in.
    pub(super) fn worker(&self) -> Rc<DocWorker> {
        Rc::clone(&self.worker)
    }

    /// Asks for the moments of history from the `from`th on; `then` gets them.
    pub(super) fn ask_history(&self, from: usize, then: impl FnOnce(Vec<waymark_domain::history::Moment>) + 'static) {
        self.worker.call(&Request::History { doc: self.key.clone(), from }, &[], move |answer| {
            if let Reply::Moments { moments } = answer.reply {
                then(moments)
            }
        });
    }

    /// What differs between the past document `past` (after `index` moments) and this one.
    pub(super) async fn changed_since(&self, past: &str, index: usize) -> Result<Vec<ChangedSince>, String> {
        match self.worker.ask(&Request::ChangedSince { doc: self.key.clone(), past: past.to_owned(), index }, &[]).await? {
            (Reply::ChangedSince { changed }, _) => Ok(changed),
            _ => Err(OTHER_ANSWER.into()),
        }
    }
}

/// What an unexpected answer says.
const OTHER_ANSWER: &str = "The background worker answered something else.";

fn parse_heads(heads: &[String]) -> Vec<ChangeHash> {
    heads.iter().filter_map(|h| h.parse().ok()).collect()
}

impl Session {
    /// The link to the document's worker, while the document lives there.
    pub(super) fn link(&self) -> Option<Rc<DocLink>> {
        self.link.borrow().clone()
    }

    /// Links this session to the page's document worker (started now if it is not
    /// running).
    pub(super) fn link_worker(&self) -> Result<(), String> {
        let key = format!("{}:{}", self.id, Id::random());
        *self.link.borrow_mut() = Some(Rc::new(DocLink::new(DocWorker::shared()?, key)));
        Ok(())
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
    /// not open it.
    pub(super) async fn load_in_worker(self: &Rc<Self>, cache_heads: Option<Vec<ChangeHash>>) -> Result<(), String> {
        let link = self.link().ok_or("no worker")?;
        let StoredDoc { snapshot, chunks, quarantined } =
            self.store.load(&self.id).await.map_err(|e| format!("Could not read this workspace from the browser's storage: {e}."))?;
        if snapshot.is_none() && chunks.is_empty() {
            return Err("This workspace is not stored in this browser.".into());
        }
        let payload = pack(std::iter::once(snapshot.as_deref().unwrap_or_default()).chain(chunks.iter().map(|(_, c)| c.as_slice())));
        // What happens to the document that the page did not ask for: from its opening on.
        self.watch(&link);
        let request = Request::Open {
            doc: link.key.clone(),
            workspace: self.id.clone(),
            me: self.me.clone(),
            cache_heads: cache_heads.as_ref().map(|h| h.iter().map(ToString::to_string).collect()),
            chunk_keys: chunks.iter().map(|(k, _)| k.clone()).collect(),
        };
        link.in_flight.set(link.in_flight.get() + 1);
        let opened = link.worker.ask(&request, &payload);
        link.opened.set(true);
        // Edits made while it loads, in order, right after it.
        let queued: Vec<crate::storage::QueuedEdit> = self.queued.borrow().clone();
        for (edit, id) in queued {
            self.post_edit(&link, edit, id);
        }
        let (reply, payload) = match opened.await {
            Ok(answer) => answer,
            Err(message) => {
                link.in_flight.set(link.in_flight.get().saturating_sub(1));
                return Err(message);
            }
        };
        let Reply::Opened { bad_chunks, heads, audience } = reply else { return Err(OTHER_ANSWER.into()) };
        self.report_damaged(&chunks, &bad_chunks, quarantined).await;
        *link.heads.borrow_mut() = parse_heads(&heads);
        self.cached_audience.set(audience);
        let fresh = cache_heads.is_some_and(|h| h == *link.heads.borrow());
        match ViewDelta::from_bytes(&payload) {
            Ok(ViewDelta { everything: Some(whole), .. }) => {
                // The whole view (no cache was painted, or the document did not know
                // its heads): read a slice per task, later answers held meanwhile.
                self.dirty.borrow_mut().everything = true;
                if let Err(e) = self.fill_in_slices(&whole).await {
                    self.warn(format!("What this workspace shows could not be read ({e}); reload the tab to see it."));
                }
                self.take_delta(&link, None);
            }
            _ => self.receive_delta(&link, &payload),
        }
        self.finish_loading(fresh);
        if !self.queued.borrow().is_empty() {
            self.after_edit();
        }
        Ok(())
    }

    /// Follows the document's events (see `Request::Watch`) until it closes.
    fn watch(self: &Rc<Self>, link: &DocLink) {
        let mut events = link.worker.request(&Request::Watch { doc: link.key.clone() }, &[]);
        let this = Rc::downgrade(self);
        spawn_local(async move {
            use futures::StreamExt;
            while let Some(answer) = events.next().await {
                let Some(this) = this.upgrade() else { return };
                this.on_event(answer.reply, answer.payload.unwrap_or_default());
            }
        });
    }

    /// Shows one of the document's events.
    fn on_event(self: &Rc<Self>, event: Reply, payload: Vec<u8>) {
        match event {
            Reply::Changed { failed, heads, new } => {
                let Some(link) = self.link() else { return };
                *link.heads.borrow_mut() = parse_heads(&heads);
                if failed > 0 {
                    self.warn(format!("{failed} change{} from a teammate could not be read and {} skipped.", if failed == 1 { "" } else { "s" }, if failed == 1 { "was" } else { "were" }));
                }
                match ViewDelta::from_bytes(&payload) {
                    Ok(delta) => self.show_delta(&link, Some(delta)),
                    Err(e) => self.warn(format!("An update of what you see could not be read ({e}); reload the tab to see it.")),
                }
                self.mark_new(new);
                self.write_meta(false);
                self.changes.update(|n| *n += 1);
                self.recache_soon(super::open::RECACHE_AFTER_CHANGES);
            }
            Reply::Warn { message } => self.warn(message),
            Reply::Failed { message } if !self.is_opening() => self.warn(format!("{message} Changes from other tabs and teammates stopped arriving: reload the tab.")),
            event @ (Reply::Sync { .. } | Reply::Peer { .. } | Reply::PeersCleared { .. } | Reply::PeerSignal { .. } | Reply::ToPeer { .. }) => {
                if let Some(engine) = self.engine.try_get_untracked().flatten() {
                    engine.show(&event, &payload);
                }
            }
            _ => {}
        }
    }

    /// Opens this session of the past in `live`'s worker, as the live document was
    /// after `index` moments: its view is shown once the worker has made it.
    pub(super) fn open_past(self: &Rc<Self>, live: &DocLink, index: usize) {
        let link = Rc::new(DocLink::new(Rc::clone(&live.worker), format!("{}:past:{}", self.id, Id::random())));
        // Its `At` is posted below, and answered with its view.
        link.opened.set(true);
        link.in_flight.set(1);
        *self.link.borrow_mut() = Some(Rc::clone(&link));
        let this = Rc::downgrade(self);
        let request = Request::At { doc: live.key.clone(), past: link.key.clone(), index };
        let worker = Rc::clone(&link.worker);
        worker.call(&request, &[], move |answer| {
            let Some(this) = this.upgrade() else { return };
            match answer.reply {
                Reply::Opened { heads, audience, .. } => {
                    *link.heads.borrow_mut() = parse_heads(&heads);
                    this.cached_audience.set(audience);
                    this.receive_delta(&link, &answer.payload.unwrap_or_default());
                    this.loaded.set(true);
                    this.opening.set(false);
                    this.changes.update(|n| *n += 1);
                }
                Reply::Failed { message } => {
                    link.in_flight.set(0);
                    this.warn(message);
                }
                _ => {}
            }
        });
    }

    /// Makes a change the worker composes (`request`, given the document's name), like
    /// an edit: shown once answered, and saved at once. Its error, if it refused; what
    /// an undo set back (see `Reply::Undone`).
    pub(super) async fn change_in_worker(self: &Rc<Self>, request: impl FnOnce(String) -> Request) -> Result<Option<String>, String> {
        let link = self.link().ok_or(super::edit::CLOSED)?;
        link.in_flight.set(link.in_flight.get() + 1);
        match link.worker.ask(&request(link.key.clone()), &[]).await {
            Ok((reply @ (Reply::Edited { .. } | Reply::Undone { .. }), payload)) => {
                self.receive_delta(&link, &payload);
                self.after_edit();
                self.flush();
                match reply {
                    Reply::Edited { error: Some(error) } => Err(error),
                    Reply::Undone { what } => Ok(what),
                    _ => Ok(None),
                }
            }
            Ok(_) => {
                link.in_flight.set(link.in_flight.get().saturating_sub(1));
                Err(OTHER_ANSWER.into())
            }
            Err(message) => {
                self.worker_failed(&link, message.clone());
                Err(message)
            }
        }
    }

    /// Posts one edit to the worker.
    pub(super) fn post_edit(self: &Rc<Self>, link: &Rc<DocLink>, edit: crate::storage::EditJson, id: Option<Id>) {
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

    /// Waits until the view shows every edit made so far (see [`Session::when_shown`]).
    pub(super) async fn until_shown(&self) {
        let (tx, rx) = oneshot::channel();
        self.when_shown(move || {
            let _ = tx.send(());
        });
        let _ = rx.await;
    }

    /// Applies a delta from the worker, or holds it while other answers are due.
    fn receive_delta(self: &Rc<Self>, link: &DocLink, bytes: &[u8]) {
        match ViewDelta::from_bytes(bytes) {
            Ok(delta) => self.take_delta(link, Some(delta)),
            Err(e) => {
                self.warn(format!("An update of what you see could not be read ({e}); reload the tab to see it."));
                self.take_delta(link, None);
            }
        }
    }

    /// Takes an answer's delta (`None`: it had none to show): held, and applied with
    /// those held before it once no other answer is due.
    fn take_delta(self: &Rc<Self>, link: &DocLink, delta: Option<ViewDelta>) {
        link.in_flight.set(link.in_flight.get().saturating_sub(1));
        self.show_delta(link, delta);
    }

    /// Shows `delta` (with those held before it) once no answer is due, else holds it.
    fn show_delta(self: &Rc<Self>, link: &DocLink, delta: Option<ViewDelta>) {
        link.held.borrow_mut().extend(delta);
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
        if link.in_flight.get() == 0 {
            // No answer that would show them is coming: what waits goes on.
            let waiting = std::mem::take(&mut *link.when_shown.borrow_mut());
            waiting.into_iter().for_each(|then| then());
        }
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
        let rx = link.worker.ask(&Request::Apply { doc: link.key.clone(), now_ms: now_ms() }, &pack(changes.iter().map(Vec::as_slice)));
        let (reply, payload) = match rx.await {
            Ok(answer) => answer,
            Err(message) => {
                self.worker_failed(link, message.clone());
                return Err(message);
            }
        };
        let Reply::Applied { applied, failed, heads, new } = reply else { return Err(OTHER_ANSWER.into()) };
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
        let (_, payload) = link.worker.ask(&Request::Save { doc: link.key.clone(), now_ms: now_ms() }, &[]).await?;
        let mut parts = unpack(&payload)?;
        let (Some(whole), Some(own)) = (parts.pop(), parts.pop()) else { return Err("The background worker's answer was not readable.".into()) };
        self.write_new_chunk(own);
        Ok(whole)
    }

    /// The workspace as Waymark JSON (`renamed` if a name is given) or Markdown, from
    /// the worker.
    pub(super) async fn export_in_worker(&self, link: &DocLink, markdown: bool, renamed: Option<String>) -> Result<String, String> {
        let (_, payload) = link.worker.ask(&Request::Export { doc: link.key.clone(), markdown, now_ms: now_ms(), renamed }, &[]).await?;
        String::from_utf8(payload).map_err(|_| "The export was not text.".into())
    }

    /// The comments on `target`, from the worker.
    pub(super) async fn comments_in_worker(&self, link: &DocLink, target: &waymark_domain::Ref) -> Result<Vec<waymark_domain::comments::Comment>, String> {
        match link.worker.ask(&Request::Comments { doc: link.key.clone(), target: target.clone() }, &[]).await? {
            (Reply::Comments { comments }, _) => Ok(comments),
            _ => Err(OTHER_ANSWER.into()),
        }
    }

    /// A backlog import's plan, from the worker.
    pub(super) async fn plan_in_worker(&self, link: &DocLink, backlog: &waymark_domain::backlog::Backlog, choices: &waymark_domain::backlog_import::Choices) -> Result<waymark_domain::backlog_import::ImportPlan, String> {
        let request = Request::PlanImport { doc: link.key.clone(), backlog: Box::new(backlog.clone()), choices: Box::new(choices.clone()) };
        match link.worker.ask(&request, &[]).await? {
            (Reply::ImportPlan { plan }, _) => Ok(*plan),
            _ => Err(OTHER_ANSWER.into()),
        }
    }

    /// The workspace's own id and name, as its document says (what an invitation names).
    pub async fn identity(&self) -> Result<(String, String), String> {
        let link = self.link().ok_or(super::edit::CLOSED)?;
        match link.worker.ask(&Request::Identity { doc: link.key.clone() }, &[]).await? {
            (Reply::Identity { workspace_id, name }, _) => Ok((workspace_id, name)),
            _ => Err(OTHER_ANSWER.into()),
        }
    }
}
