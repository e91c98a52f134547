//! Co-editing: a shared workspace's connection to its relay, its presence, and the
//! other tabs of this browser.
//!
//! Every rule of syncing lives in [`waymark_protocol::client::SyncCore`], which has no
//! I/O and is tested natively. This module only carries its inputs and outputs: one
//! task per open shared workspace ([`Engine::start`]) turns the socket's frames, local
//! changes, timer ticks and going online into inputs, and performs the outputs in
//! order (send a frame, apply a batch to the document and store it with its sequence
//! number, remove an acknowledged outbox entry, save the position). Editing never waits
//! for it: local changes are stored in the IndexedDB outbox first
//! ([`crate::storage::Store::append_chunk_to`]); the outbox is read once when the task
//! starts and the core keeps it from then on.

pub mod join;
pub mod presence;
pub mod publish;
pub mod socket;
pub mod tabs;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::channel::oneshot;
use futures::StreamExt;
use leptos::prelude::*;
use waymark_protocol::client::{Inflow, Input, Output, Position, SyncCore};
use waymark_protocol::{Capability, Message};

pub use waymark_protocol::client::SyncStatus;

use crate::storage::{Store, SyncRecord};
use presence::{Peer, Presence};
use futures::future::LocalBoxFuture;
use socket::{Socket, SocketEvent};

/// What syncing needs of an open workspace. The session provides it; the engine only
/// holds it weakly and never names the session, so neither module reaches into the
/// other.
pub trait Replica {
    /// The workspace's id in this browser's storage.
    fn local_id(&self) -> String;
    /// Applies teammates' changes, in order, as one change set; the bytes to store
    /// (those that applied), or `None` if none did.
    fn apply_remote(self: Rc<Self>, changes: Vec<Vec<u8>>) -> LocalBoxFuture<'static, Option<Vec<u8>>>;
    /// A chunk was stored for this workspace (it counts towards compaction).
    fn note_chunk(self: Rc<Self>, key: String);
    /// The whole document, pending edits included (for a snapshot).
    fn snapshot(self: Rc<Self>) -> LocalBoxFuture<'static, Result<Vec<u8>, String>>;
    /// Tells the person (entries that failed their checks).
    fn warn(&self, message: String);
}

/// How often the engine looks at its timers.
const TICK: Duration = Duration::from_secs(2);

enum Event {
    Socket(SocketEvent),
    /// A local change was stored in the outbox under this key.
    Local { key: String, chunk: Vec<u8> },
    Presence,
    Tick,
    Retry,
    /// Close the log (the links are being replaced); the answer goes to `closing`.
    CloseLog,
    Stop,
}

/// A shared workspace's sync.
pub struct Engine {
    url: String,
    /// The relay's origin (where share links point).
    origin: String,
    /// The share link's fragment, kept with the position when it is saved.
    fragment: String,
    store: Rc<Store>,
    replica: Weak<dyn Replica>,
    events: UnboundedSender<Event>,
    core: RefCell<SyncCore>,
    pub status: RwSignal<SyncStatus>,
    /// When the relay last confirmed we were up to date (ms since the epoch; 0: never).
    pub last_synced: RwSignal<f64>,
    /// Who else is here, by connection.
    pub peers: RwSignal<BTreeMap<u64, Peer>>,
    /// What I am doing, sent to the others.
    me: RefCell<Presence>,
    /// Frames received and not yet handled.
    inflow: Rc<RefCell<Inflow>>,
    /// Waits for the relay to confirm a close ([`Engine::close_log`]).
    closing: RefCell<Option<oneshot::Sender<Result<(), String>>>>,
}

/// The socket of the current connection attempt and its retry timer.
#[derive(Default)]
struct Io {
    socket: Option<Socket>,
    retry: Option<TimeoutHandle>,
}

impl Engine {
    /// Starts syncing `replica`'s workspace; the task ends when its screen goes away
    /// ([`Engine::stop`]) or the replica is dropped.
    pub fn start(store: Rc<Store>, replica: Weak<dyn Replica>, record: SyncRecord, cap: Capability, me: Presence) -> Rc<Engine> {
        let (tx, rx) = unbounded();
        let position = Position { last_seq: record.last_seq, snapshot_seq: record.snapshot_seq, last_synced: record.last_synced, epoch: record.epoch };
        let seed = (js_sys::Math::random() * u64::MAX as f64) as u64;
        let engine = Rc::new(Engine {
            url: socket::sync_url(&record.relay),
            origin: record.relay.clone(),
            fragment: record.fragment.clone(),
            store,
            replica,
            events: tx,
            core: RefCell::new(SyncCore::new(cap, position, seed)),
            status: RwSignal::new(SyncStatus::Connecting),
            last_synced: RwSignal::new(record.last_synced),
            peers: RwSignal::new(BTreeMap::new()),
            me: RefCell::new(me),
            inflow: Rc::new(RefCell::new(Inflow::default())),
            closing: RefCell::new(None),
        });
        let ticker = {
            let events = engine.events.clone();
            set_interval_with_handle(move || drop(events.unbounded_send(Event::Tick)), TICK).ok()
        };
        let online = {
            let events = engine.events.clone();
            window_event_listener(leptos::ev::online, move |_| drop(events.unbounded_send(Event::Retry)))
        };
        let this = Rc::clone(&engine);
        leptos::task::spawn_local(async move {
            this.run(rx).await;
            if let Some(t) = ticker {
                t.clear();
            }
            online.remove();
        });
        engine
    }

    pub fn can_write(&self) -> bool {
        self.core.borrow().capability().can_write()
    }

    pub fn capability(&self) -> Capability {
        self.core.borrow().capability().clone()
    }

    /// The relay's origin (where share links point).
    pub fn origin(&self) -> String {
        self.origin.clone()
    }

    pub fn stop(&self) {
        let _ = self.events.unbounded_send(Event::Stop);
    }

    /// Closes this workspace's log at the relay for good (its links are being
    /// replaced): resolves once the relay stored the close, or says why it could not.
    pub async fn close_log(&self) -> Result<(), String> {
        let (tx, rx) = oneshot::channel();
        *self.closing.borrow_mut() = Some(tx);
        self.events.unbounded_send(Event::CloseLog).map_err(|_| "This workspace is no longer syncing.".to_owned())?;
        rx.await.unwrap_or_else(|_| Err("This workspace stopped syncing before the relay confirmed.".into()))
    }

    fn answer_close(&self, answer: Result<(), String>) {
        if let Some(tx) = self.closing.borrow_mut().take() {
            let _ = tx.send(answer);
        }
    }

    /// A local change is stored and in the outbox: push it now if connected.
    pub fn push(&self, key: String, chunk: Vec<u8>) {
        let _ = self.events.unbounded_send(Event::Local { key, chunk });
    }

    /// What I am looking at changed.
    pub fn set_presence(&self, f: impl FnOnce(&mut Presence)) {
        let mut me = self.me.borrow_mut();
        let before = me.clone();
        f(&mut me);
        if *me != before {
            let _ = self.events.unbounded_send(Event::Presence);
        }
    }

    fn local_id(&self) -> Option<String> {
        self.replica.upgrade().map(|r| r.local_id())
    }

    async fn run(self: Rc<Self>, mut rx: UnboundedReceiver<Event>) {
        let mut io = Io::default();
        // The outbox is read once; from here on the core keeps it.
        let outbox = match self.local_id() {
            Some(id) => self.store.outbox(&id).await.unwrap_or_default(),
            None => return,
        };
        self.step(&mut io, Input::Outbox(outbox)).await;
        self.step(&mut io, Input::Presence(self.presence_bytes())).await;
        self.step(&mut io, Input::Connect).await;
        while let Some(event) = rx.next().await {
            if self.replica.upgrade().is_none() {
                break;
            }
            let input = match event {
                Event::Stop => break,
                Event::Retry => Input::Connect,
                Event::CloseLog => Input::CloseLog,
                Event::Tick => Input::Tick,
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
        if let Some(t) = io.retry.take() {
            t.clear();
        }
    }

    /// The record to store for `position` on this engine's link.
    fn record(&self, position: Position) -> SyncRecord {
        SyncRecord {
            fragment: self.fragment.clone(),
            relay: self.origin.clone(),
            last_seq: position.last_seq,
            snapshot_seq: position.snapshot_seq,
            last_synced: position.last_synced,
            epoch: position.epoch,
            closed: false,
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

    async fn perform(&self, io: &mut Io, output: Output) -> Option<Input> {
        let replica = self.replica.upgrade()?;
        let id = replica.local_id();
        match output {
            Output::Open { generation } => {
                if let Some(t) = io.retry.take() {
                    t.clear();
                }
                let (tx, mut rx) = unbounded();
                match Socket::open(&self.url, generation, tx, Rc::clone(&self.inflow)) {
                    Ok(socket) => {
                        io.socket = Some(socket);
                        let events = self.events.clone();
                        leptos::task::spawn_local(async move {
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
                io.retry = set_timeout_with_handle(move || drop(events.unbounded_send(Event::Retry)), Duration::from_millis(ms)).ok();
            }
            Output::Status(status) => {
                if status == SyncStatus::Closed {
                    let record = SyncRecord { closed: true, ..self.record(self.core.borrow().position()) };
                    let _ = self.store.save_position(&id, &record).await;
                }
                self.status.set(status);
            }
            Output::Apply { chunks, last_seq } => {
                let chunk = Rc::clone(&replica).apply_remote(chunks).await.unwrap_or_default();
                let key = self.store.next_chunk_key(&id);
                match self.store.store_remote(&id, &self.fragment, &key, &chunk, last_seq).await {
                    Ok(()) if !chunk.is_empty() => replica.note_chunk(key),
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
                let record = SyncRecord { closed: self.status.get_untracked() == SyncStatus::Closed, ..self.record(position) };
                let _ = self.store.save_position(&id, &record).await;
            }
            Output::WantSnapshot { covers } => match Rc::clone(&replica).snapshot().await {
                Ok(bytes) => return Some(Input::SnapshotReady { covers, bytes }),
                Err(e) => replica.warn(format!("A snapshot for the relay could not be made: {e}")),
            },
            Output::Reupload => {
                // The relay lost what it had: the whole document goes in the outbox
                // (stored first, like any local change) and is sent again.
                let key = self.store.next_chunk_key(&id);
                let whole = match Rc::clone(&replica).snapshot().await {
                    Ok(whole) => whole,
                    Err(e) => {
                        replica.warn(format!("The relay lost this workspace's history and it could not be sent again: {e}"));
                        return None;
                    }
                };
                if let Err(e) = self.store.append_chunk_to(&key, &whole, true).await {
                    replica.warn(format!("The relay lost this workspace's history and it could not be queued to send again: {e}"));
                    return None;
                }
                // Stored as a chunk too: the next compaction folds it in.
                Rc::clone(&replica).note_chunk(key.clone());
                return Some(Input::Local { key, chunk: whole });
            }
            Output::PeerPresence { from, plain, editor } => {
                if let Some(mut presence) = Presence::parse(&plain) {
                    // Only an editor's presence is signed: anyone else is shown as a
                    // viewer, whatever it says.
                    presence.viewer |= !editor;
                    self.peers.update(|p| {
                        p.insert(from, Peer { presence, seen: js_sys::Date::now() });
                    });
                }
            }
            Output::PeerGone { from } => self.peers.update(|p| {
                p.remove(&from);
            }),
            Output::PeersCleared => self.peers.set(BTreeMap::new()),
            Output::Warn(message) => replica.warn(message),
            Output::LogClosed => self.answer_close(Ok(())),
            Output::CloseFailed(reason) => self.answer_close(Err(reason)),
            Output::Log(message) => leptos::logging::warn!("{message}"),
        }
        None
    }
}

/// The link a teammate opens: `<origin>/join#<fragment>`.
pub fn link(origin: &str, fragment: &str) -> String {
    format!("{}/join#{fragment}", origin.trim_end_matches('/'))
}

/// Stores new keys for a workspace about to be shared, or whose links are being
/// replaced (its old log closed), with the whole document queued as the first entry of
/// the new log (what the outbox still holds goes too; sending it twice is harmless).
pub async fn start_sharing(store: &Store, replica: Rc<dyn Replica>) -> Result<(SyncRecord, Capability), String> {
    let cap = Capability::generate().map_err(|e| e.to_string())?;
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).ok_or("no window")?;
    let record = SyncRecord {
        fragment: cap.edit_fragment().expect("fresh keys can write"),
        relay: origin,
        last_seq: 0,
        snapshot_seq: 0,
        last_synced: 0.0,
        epoch: 0,
        closed: false,
    };
    let id = replica.local_id();
    let whole = replica.snapshot().await?;
    let key = store.next_chunk_key(&id);
    store.start_sharing(&id, &record, &key, &whole).await.map_err(|e| format!("Could not store the workspace's keys: {e}"))?;
    Ok((record, cap))
}
