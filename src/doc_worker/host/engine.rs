//! A shared workspace's sync, in the worker beside its document.
//!
//! Every rule of syncing lives in [`waymark_protocol::client::SyncCore`], which has no
//! I/O and is tested natively. This module only carries its inputs and outputs: one
//! task per synced document ([`Engine::start`]) turns the socket's frames, local
//! changes, timer ticks and going online into inputs, and performs the outputs in
//! order (send a frame, apply a batch to the document and store it with its sequence
//! number, remove an acknowledged outbox entry, save the position). What the page
//! shows of it (status, who is here, warnings) goes to the page as events. Editing
//! never waits for it: local changes are stored in the IndexedDB outbox first
//! ([`crate::storage::Store::append_chunk_to`]); the outbox is read once when the task
//! starts and the core keeps it from then on.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::StreamExt;
use wasm_bindgen_futures::spawn_local;
use waymark_protocol::client::{Inflow, Input, Output, Position, SyncCore, SyncStatus};
use waymark_protocol::{Capability, Message};

use crate::storage::{Store, SyncRecord};
use crate::sync::presence::Presence;
use crate::sync::socket::{self, Socket, SocketEvent};

use super::keep::{self, with_keeping};
use super::rt::{post, OnOnline, Timer};
use super::Reply;

/// How often the engine looks at its timers.
const TICK_MS: u32 = 2_000;

enum Event {
    Socket(SocketEvent),
    /// A local change was stored in the outbox under this key.
    Local { key: String, chunk: Vec<u8> },
    Presence,
    Tick,
    Retry,
    /// Close the log (the links are being replaced); request `id` gets the answer.
    CloseLog(u32),
    /// Pass a signal to connection `to`.
    Signal { to: u64, plain: Vec<u8> },
    Stop,
}

/// A synced document's connection to its relay.
pub struct Engine {
    /// The worker's name for the document.
    doc: String,
    /// The page's name for this engine: its events say it.
    generation: u32,
    url: String,
    origin: String,
    /// The share link's fragment, kept with the position when it is saved.
    fragment: String,
    store: Rc<Store>,
    events: UnboundedSender<Event>,
    core: RefCell<SyncCore>,
    status: RefCell<SyncStatus>,
    last_synced: Cell<f64>,
    /// What I am doing, sent to the others.
    me: RefCell<Presence>,
    /// Frames received and not yet handled.
    inflow: Rc<RefCell<Inflow>>,
    /// The `CloseLog` request waiting for the relay's confirmation.
    closing: Cell<Option<u32>>,
}

/// The socket of the current connection attempt and its retry timer.
#[derive(Default)]
struct Io {
    socket: Option<Socket>,
    retry: Option<Timer>,
}

impl Engine {
    /// Starts syncing document `doc`; the task ends when it is stopped or the document
    /// closes.
    pub fn start(doc: &str, generation: u32, store: Rc<Store>, record: SyncRecord, cap: Capability, me: Presence) -> Rc<Engine> {
        let (tx, rx) = unbounded();
        let position = Position { last_seq: record.last_seq, snapshot_seq: record.snapshot_seq, last_synced: record.last_synced, epoch: record.epoch };
        let seed = (js_sys::Math::random() * u64::MAX as f64) as u64;
        let engine = Rc::new(Engine {
            doc: doc.to_owned(),
            generation,
            url: socket::sync_url(&record.relay),
            origin: record.relay.clone(),
            fragment: record.fragment.clone(),
            store,
            events: tx,
            core: RefCell::new(SyncCore::new(cap, position, seed)),
            status: RefCell::new(SyncStatus::Connecting),
            last_synced: Cell::new(record.last_synced),
            me: RefCell::new(me),
            inflow: Rc::new(RefCell::new(Inflow::default())),
            closing: Cell::new(None),
        });
        let ticker = {
            let events = engine.events.clone();
            Timer::every(TICK_MS, move || drop(events.unbounded_send(Event::Tick)))
        };
        let online = {
            let events = engine.events.clone();
            OnOnline::listen(move || drop(events.unbounded_send(Event::Retry)))
        };
        let this = Rc::clone(&engine);
        // Started inside the document's keeping: what it tells the page goes from its task.
        spawn_local(async move {
            this.tell_status();
            this.run(rx).await;
            drop((ticker, online));
            if let Some(id) = this.closing.take() {
                post(id, &Reply::LogClosed { error: Some("This workspace stopped syncing before the relay confirmed.".into()) }, None);
            }
        });
        engine
    }

    pub fn stop(&self) {
        let _ = self.events.unbounded_send(Event::Stop);
    }

    /// Closes the log at the relay for good; request `id` gets the answer.
    pub fn close_log(&self, id: u32) {
        if self.events.unbounded_send(Event::CloseLog(id)).is_err() {
            post(id, &Reply::LogClosed { error: Some("This workspace is no longer syncing.".into()) }, None);
        }
    }

    fn answer_close(&self, error: Option<String>) {
        if let Some(id) = self.closing.take() {
            post(id, &Reply::LogClosed { error }, None);
        }
    }

    /// Passes a signal for a direct connection to teammate `to`.
    pub fn signal(&self, to: u64, plain: Vec<u8>) {
        let _ = self.events.unbounded_send(Event::Signal { to, plain });
    }

    /// A local change is stored and in the outbox: push it now if connected.
    pub fn push(&self, key: String, chunk: Vec<u8>) {
        let _ = self.events.unbounded_send(Event::Local { key, chunk });
    }

    /// What I am doing changed.
    pub fn set_presence(&self, presence: Presence) {
        let changed = *self.me.borrow() != presence;
        if changed {
            *self.me.borrow_mut() = presence;
            let _ = self.events.unbounded_send(Event::Presence);
        }
    }

    /// Tells the page an event of this engine.
    fn emit(&self, reply: Reply) {
        with_keeping(&self.doc, |k| k.emit(&reply, None));
    }

    fn tell_status(&self) {
        self.emit(Reply::Sync { generation: self.generation, status: self.status.borrow().clone(), last_synced: self.last_synced.get() });
    }

    fn workspace(&self) -> Option<String> {
        with_keeping(&self.doc, |k| k.workspace.clone())
    }

    async fn run(self: &Rc<Self>, mut rx: UnboundedReceiver<Event>) {
        let mut io = Io::default();
        // The outbox is read once; from here on the core keeps it.
        let outbox = match self.workspace() {
            Some(id) => self.store.outbox(&id).await.unwrap_or_default(),
            None => return,
        };
        self.step(&mut io, Input::Outbox(outbox)).await;
        self.step(&mut io, Input::Presence(self.presence_bytes())).await;
        self.step(&mut io, Input::Connect).await;
        while let Some(event) = rx.next().await {
            if self.workspace().is_none() {
                break;
            }
            let input = match event {
                Event::Stop => break,
                Event::Retry => Input::Connect,
                Event::CloseLog(id) => {
                    if let Some(earlier) = self.closing.replace(Some(id)) {
                        post(earlier, &Reply::LogClosed { error: Some("Asked again.".into()) }, None);
                    }
                    Input::CloseLog
                }
                Event::Tick => Input::Tick,
                Event::Signal { to, plain } => Input::Signal { to, plain },
                Event::Presence => Input::Presence(self.presence_bytes()),
                Event::Local { key, chunk } => Input::Local { key, chunk },
                Event::Socket(SocketEvent::Open { generation }) => Input::Opened { generation },
                Event::Socket(SocketEvent::Frame { generation, bytes }) => {
                    self.inflow.borrow_mut().done(bytes.len());
                    match Message::decode(&bytes) {
                        Ok(message) => Input::Frame { generation, message },
                        Err(e) => Input::Malformed { generation, error: e.to_string() },
                    }
                }
                Event::Socket(SocketEvent::Closed { generation, reason }) => Input::Closed { generation, reason },
            };
            self.step(&mut io, input).await;
        }
        io.socket = None;
        io.retry = None;
    }

    /// The record to store for `position` on this engine's link.
    fn record(&self, position: Position, closed: bool) -> SyncRecord {
        SyncRecord {
            fragment: self.fragment.clone(),
            relay: self.origin.clone(),
            last_seq: position.last_seq,
            snapshot_seq: position.snapshot_seq,
            last_synced: position.last_synced,
            epoch: position.epoch,
            closed,
        }
    }

    fn presence_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&*self.me.borrow()).expect("presence serialises")
    }

    /// Feeds one input to the core and performs what it says, in order. An output that
    /// needs an answer (a snapshot, a failed store) is answered before the next input.
    async fn step(&self, io: &mut Io, input: Input) {
        let mut pending = std::collections::VecDeque::from([input]);
        while let Some(input) = pending.pop_front() {
            let outputs = self.core.borrow_mut().handle(js_sys::Date::now(), input);
            for output in outputs {
                match self.perform(io, output).await {
                    // What followed the batch assumed it was stored: the core starts over.
                    Some(failed @ Input::ApplyFailed { .. }) => {
                        pending.push_back(failed);
                        break;
                    }
                    Some(answer) => pending.push_back(answer),
                    None => {}
                }
            }
        }
    }

    fn warn(&self, message: String) {
        self.emit(Reply::Warn { message });
    }

    async fn perform(&self, io: &mut Io, output: Output) -> Option<Input> {
        let id = self.workspace()?;
        match output {
            Output::Open { generation } => {
                io.retry = None;
                let (tx, mut rx) = unbounded();
                match Socket::open(&self.url, generation, tx, Rc::clone(&self.inflow)) {
                    Ok(socket) => {
                        io.socket = Some(socket);
                        let events = self.events.clone();
                        spawn_local(async move {
                            while let Some(e) = rx.next().await {
                                if events.unbounded_send(Event::Socket(e)).is_err() {
                                    break;
                                }
                            }
                        });
                    }
                    Err(e) => return Some(Input::Closed { generation, reason: format!("cannot open a connection: {e}") }),
                }
            }
            Output::Close => io.socket = None,
            Output::Send(message) => {
                if let Some(s) = &io.socket {
                    s.send(&message.encode());
                }
            }
            Output::RetryIn { ms } => {
                let events = self.events.clone();
                io.retry = Some(Timer::once(ms.min(u32::MAX as u64) as u32, move || drop(events.unbounded_send(Event::Retry))));
            }
            Output::Status(status) => {
                if status == SyncStatus::Closed {
                    let record = self.record(self.core.borrow().position(), true);
                    let _ = self.store.save_position(&id, &record).await;
                }
                *self.status.borrow_mut() = status;
                self.tell_status();
            }
            Output::Apply { chunks, last_seq } => {
                let applied = keep::apply_from_elsewhere(&self.doc, &chunks).await;
                let chunk: Vec<u8> = applied.iter().filter_map(|&i| chunks.get(i)).flatten().copied().collect();
                let key = self.store.next_chunk_key(&id);
                match self.store.store_remote(&id, &self.fragment, &key, &chunk, last_seq).await {
                    Ok(()) if !chunk.is_empty() => {
                        let doc = self.doc.clone();
                        with_keeping(&self.doc, |k| k.note_chunk(&doc, key));
                    }
                    Ok(()) => {}
                    Err(e) => return Some(Input::ApplyFailed { reason: e.to_string() }),
                }
            }
            Output::Advance { last_seq } => {
                let _ = self.store.store_remote(&id, &self.fragment, "", &[], last_seq).await;
            }
            Output::Acked { key } => {
                let _ = self.store.remove_outbox(&key).await;
            }
            Output::Save(position) => {
                self.last_synced.set(position.last_synced);
                self.tell_status();
                let closed = *self.status.borrow() == SyncStatus::Closed;
                let _ = self.store.save_position(&id, &self.record(position, closed)).await;
            }
            Output::WantSnapshot { covers } => match keep::snapshot(&self.doc).await {
                Ok(bytes) => return Some(Input::SnapshotReady { covers, bytes }),
                Err(e) => self.warn(format!("A snapshot for the relay could not be made: {e}")),
            },
            Output::Reupload => {
                // The relay lost what it had: the whole document goes in the outbox
                // (stored first, like any local change) and is sent again.
                let key = self.store.next_chunk_key(&id);
                let whole = match keep::snapshot(&self.doc).await {
                    Ok(whole) => whole,
                    Err(e) => {
                        self.warn(format!("The relay lost this workspace's history and it could not be sent again: {e}"));
                        return None;
                    }
                };
                if let Err(e) = self.store.append_chunk_to(&key, &whole, true).await {
                    self.warn(format!("The relay lost this workspace's history and it could not be queued to send again: {e}"));
                    return None;
                }
                // Stored as a chunk too: the next compaction folds it in.
                let doc = self.doc.clone();
                with_keeping(&self.doc, |k| k.note_chunk(&doc, key.clone()));
                return Some(Input::Local { key, chunk: whole });
            }
            Output::PeerPresence { from, plain, editor } => {
                if let Some(mut presence) = Presence::parse(&plain) {
                    // Only an editor's presence is signed: anyone else is shown as a
                    // viewer, whatever it says.
                    presence.viewer |= !editor;
                    self.emit(Reply::Peer { generation: self.generation, from, presence: Some(presence) });
                }
            }
            Output::PeerGone { from } => self.emit(Reply::Peer { generation: self.generation, from, presence: None }),
            Output::PeersCleared => self.emit(Reply::PeersCleared { generation: self.generation }),
            Output::Warn(message) => self.warn(message),
            Output::LogClosed => self.answer_close(None),
            Output::CloseFailed(reason) => self.answer_close(Some(reason)),
            Output::Log(message) => web_sys::console::warn_1(&message.into()),
            Output::PeerSignal { from, plain, writer } => match String::from_utf8(plain) {
                Ok(plain) => self.emit(Reply::PeerSignal { generation: self.generation, from, plain, writer }),
                Err(_) => web_sys::console::warn_1(&format!("teammate {from}'s signal was not text").into()),
            },
            // The page offers direct connections to teammates as they appear; through a
            // relay that passes no signals, none opens.
            Output::Signals(_) => {}
        }
        None
    }
}
