//! The document worker, from the page's side: a Web Worker started on first use, that
//! runs every Automerge document the page shows (see `crate::session`) and whatever
//! else needs one: building a workspace from a big JSON file, checking an `.automerge`
//! file, making a new workspace, reading a share link's download. [`DocWorker::request`]
//! posts a request and gives its replies as a stream; [`ask`] awaits a single answer.
//! It is stopped once it has nothing left to do and no document is open: WebAssembly
//! memory never shrinks, and importing 10,000 ideas peaks near 800 MB (natively), which
//! a kept worker would hold until the tab closes.
//!
//! The worker's script has a content-hashed name that `cargo xtask build` writes into
//! `index.html`'s `<meta name="waymark-worker">`, so a new version of the app never
//! runs an old worker (the service worker precaches it like the app's module).

mod host;
pub mod protocol;
pub mod serve;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use protocol::{decode, encode, Reply, Request};

/// Where the worker's script is when `index.html` does not say (a plain `trunk build`).
#[cfg_attr(feature = "inline-worker", allow(dead_code))]
const DEFAULT_SCRIPT: &str = "/waymark-worker_loader.js";

/// One reply, with its bytes if it carries any.
pub struct Answer {
    pub reply: Reply,
    pub payload: Option<Vec<u8>>,
}

/// Who waits for a request's replies.
enum Waiting {
    Stream(UnboundedSender<Answer>),
    /// Called with the one reply, in the order replies arrive (the worker answers
    /// requests in the order they were posted).
    Once(Box<dyn FnOnce(Answer)>),
}

/// The running worker.
pub struct DocWorker {
    /// `None`: requests are answered on the page's thread (the `inline-worker` feature,
    /// for the wasm tests), each in a task of its own as a worker's message would be.
    worker: Option<Worker>,
    /// Requests posted before the worker listens wait here.
    ready: Cell<bool>,
    queued: RefCell<Vec<(Array, Array)>>,
    pending: RefCell<HashMap<u32, Waiting>>,
    next_id: Cell<u32>,
    /// Documents open in it: while there are any, it is never stopped for being idle.
    documents: Cell<usize>,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_error: Option<Closure<dyn FnMut(ErrorEvent)>>,
}

thread_local! {
    static SHARED: RefCell<Option<Rc<DocWorker>>> = const { RefCell::new(None) };
}

impl DocWorker {
    /// The page's worker, started now if it is not running.
    pub fn shared() -> Result<Rc<DocWorker>, String> {
        if let Some(worker) = SHARED.with(|s| s.borrow().clone()) {
            return Ok(worker);
        }
        #[cfg(feature = "inline-worker")]
        let worker = DocWorker::inline();
        #[cfg(not(feature = "inline-worker"))]
        let worker = DocWorker::start(&script_url())?;
        SHARED.with(|s| *s.borrow_mut() = Some(Rc::clone(&worker)));
        Ok(worker)
    }

    #[cfg_attr(feature = "inline-worker", allow(dead_code))]
    fn start(url: &str) -> Result<Rc<DocWorker>, String> {
        let worker = Worker::new(url).map_err(|e| format!("The document worker could not start ({e:?})."))?;
        Ok(Rc::new_cyclic(|this: &std::rc::Weak<DocWorker>| {
            let me = this.clone();
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(me) = me.upgrade() {
                    me.received(&event.data());
                }
            });
            let me = this.clone();
            let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
                event.prevent_default();
                if let Some(me) = me.upgrade() {
                    me.failed(&event.message());
                }
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            DocWorker::new(Some((worker, on_message, on_error)))
        }))
    }

    /// `worker` and its handlers; without one, requests are answered inline.
    fn new(worker: Option<(Worker, Closure<dyn FnMut(MessageEvent)>, Closure<dyn FnMut(ErrorEvent)>)>) -> DocWorker {
        let ready = worker.is_none();
        let (worker, on_message, on_error) = match worker {
            Some((w, m, e)) => (Some(w), Some(m), Some(e)),
            None => (None, None, None),
        };
        DocWorker {
            worker,
            ready: Cell::new(ready),
            queued: RefCell::new(Vec::new()),
            pending: RefCell::new(HashMap::new()),
            next_id: Cell::new(1),
            documents: Cell::new(0),
            _on_message: on_message,
            _on_error: on_error,
        }
    }

    /// A worker that answers on the page's thread (see `worker`).
    #[cfg(feature = "inline-worker")]
    fn inline() -> Rc<DocWorker> {
        // Replies, late ones too, reach whichever inline worker is the page's then.
        host::rt::set_poster(Rc::new(|id: u32, reply: &Reply, payload: Option<&[u8]>| {
            if let Some(me) = SHARED.with(|s| s.borrow().clone()) {
                me.received(&encode(id, reply, payload).0);
            }
        }));
        Rc::new(DocWorker::new(None))
    }

    /// Posts `request` with `payload`; its replies arrive on the stream, which ends
    /// after the last one (or if the worker stops).
    pub fn request(&self, request: &Request, payload: &[u8]) -> UnboundedReceiver<Answer> {
        let (tx, rx) = unbounded();
        self.send(request, payload, Waiting::Stream(tx));
        rx
    }

    /// Posts `request` with `payload`; `done` is called with its one reply (a
    /// `Failed` one if the worker stops first).
    pub fn call(&self, request: &Request, payload: &[u8], done: impl FnOnce(Answer) + 'static) {
        self.send(request, payload, Waiting::Once(Box::new(done)));
    }

    fn send(&self, request: &Request, payload: &[u8], waiting: Waiting) {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1).max(1));
        self.pending.borrow_mut().insert(id, waiting);
        let message = encode(id, request, Some(payload));
        if self.ready.get() {
            self.post(message);
        } else {
            self.queued.borrow_mut().push(message);
        }
    }

    /// Posts `request` with `payload` now; the future gives its one answer: the reply
    /// and its payload, or why it failed (a `Failed` reply, or the worker stopped).
    pub fn ask(&self, request: &Request, payload: &[u8]) -> impl std::future::Future<Output = Result<(Reply, Vec<u8>), String>> + 'static {
        let (tx, rx) = futures::channel::oneshot::channel();
        self.call(request, payload, move |answer| {
            let _ = tx.send(answer);
        });
        async move {
            match rx.await {
                Ok(Answer { reply: Reply::Failed { message }, .. }) => Err(message),
                Ok(Answer { reply, payload }) => Ok((reply, payload.unwrap_or_default())),
                Err(_) => Err("The background worker stopped: reload this tab.".into()),
            }
        }
    }

    /// Keeps the worker running while a document is open in it (until
    /// [`DocWorker::release`]).
    pub fn hold(&self) {
        self.documents.set(self.documents.get() + 1);
    }

    pub fn release(&self) {
        self.documents.set(self.documents.get().saturating_sub(1));
        if self.documents.get() == 0 && self.pending.borrow().is_empty() && self.queued.borrow().is_empty() {
            self.stop();
        }
    }

    fn post(&self, (message, transfer): (Array, Array)) {
        match &self.worker {
            Some(worker) => {
                if let Err(e) = worker.post_message_with_transfer(&message, &transfer) {
                    self.failed(&format!("{e:?}"));
                }
            }
            None => self.answer_inline(message),
        }
    }

    /// Answers `message` on this thread, in a task of its own (after whatever was
    /// posted before it), its replies arriving as a worker's would.
    fn answer_inline(&self, message: Array) {
        #[cfg(feature = "inline-worker")]
        {
            leptos::prelude::set_timeout(
                move || match decode::<Request>(&message) {
                    Ok((id, request, payload)) => serve::handle(id, request, payload.unwrap_or_default()),
                    Err(e) => leptos::logging::warn!("a malformed request: {e}"),
                },
                std::time::Duration::ZERO,
            );
        }
        #[cfg(not(feature = "inline-worker"))]
        {
            let _ = message;
            unreachable!("only the inline-worker feature makes a worker without a script");
        }
    }

    fn received(&self, data: &JsValue) {
        let (id, reply, payload) = match decode::<Reply>(data) {
            Ok(message) => message,
            Err(e) => return leptos::logging::warn!("the document worker sent a malformed message: {e}"),
        };
        if reply == Reply::Ready {
            self.ready.set(true);
            let queued = std::mem::take(&mut *self.queued.borrow_mut());
            queued.into_iter().for_each(|m| self.post(m));
            return;
        }
        let last = reply.is_last();
        let answer = Answer { reply, payload };
        let waiting = if last { self.pending.borrow_mut().remove(&id) } else { None };
        match waiting {
            Some(Waiting::Once(done)) => done(answer),
            Some(Waiting::Stream(tx)) => {
                let _ = tx.unbounded_send(answer);
            }
            None => {
                if let Some(Waiting::Stream(tx)) = self.pending.borrow().get(&id) {
                    let _ = tx.unbounded_send(answer);
                }
            }
        }
        let idle = self.documents.get() == 0 && self.pending.borrow().is_empty() && self.queued.borrow().is_empty();
        if idle {
            self.stop();
        }
    }

    /// Ends the worker and frees its memory; the next request starts a new one.
    fn stop(&self) {
        if let Some(worker) = &self.worker {
            worker.terminate();
        }
        // Called from the worker's own message or error handler: dropping the last
        // handle here would free that handler while it runs, so it goes a moment later.
        if let Some(last) = SHARED.with(|s| s.borrow_mut().take()) {
            wasm_bindgen_futures::spawn_local(async move { drop(last) });
        }
    }

    /// The worker could not load, or stopped: every open request fails with `why`, and
    /// the next request starts a new worker.
    fn failed(&self, why: &str) {
        leptos::logging::warn!("the document worker stopped: {why}");
        self.stop();
        self.queued.borrow_mut().clear();
        self.documents.set(0);
        let message = format!("The background worker stopped ({}). Nothing was changed; try again.", if why.is_empty() { "no reason given" } else { why });
        let mut waiting: Vec<(u32, Waiting)> = self.pending.borrow_mut().drain().collect();
        // In the order they were asked.
        waymark_domain::sort::sort_by_key(&mut waiting, |(id, _)| *id);
        for (_, w) in waiting {
            let answer = Answer { reply: Reply::Failed { message: message.clone() }, payload: None };
            match w {
                Waiting::Stream(tx) => {
                    let _ = tx.unbounded_send(answer);
                }
                Waiting::Once(done) => done(answer),
            }
        }
    }
}

/// Asks the page's worker `request` (with `payload`) and waits for its one answer (see
/// [`DocWorker::ask`]).
pub async fn ask(request: &Request, payload: &[u8]) -> Result<(Reply, Vec<u8>), String> {
    DocWorker::shared()?.ask(request, payload).await
}

/// A whole workspace the worker read, made or checked (a `Loaded` reply).
pub struct Loaded {
    pub workspace_id: String,
    pub name: String,
    pub ideas: usize,
    /// The chunks (by position) that could not be read.
    pub bad_chunks: Vec<usize>,
    /// The document, as one snapshot.
    pub bytes: Vec<u8>,
}

/// Asks the worker for a whole workspace (`Load`, `Create` or `ImportAutomerge`).
pub async fn load(request: &Request, payload: &[u8]) -> Result<Loaded, String> {
    match ask(request, payload).await? {
        (Reply::Loaded { workspace_id, name, ideas, bad_chunks }, bytes) => Ok(Loaded { workspace_id, name, ideas, bad_chunks, bytes }),
        _ => Err("The background worker answered something else.".into()),
    }
}

/// The worker script `index.html` names (see the module's note).
#[cfg_attr(feature = "inline-worker", allow(dead_code))]
fn script_url() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("meta[name='waymark-worker']").ok().flatten())
        .and_then(|m| m.get_attribute("content"))
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_SCRIPT.to_owned())
}
