//! Co-editing: a shared workspace's connection to its relay, its presence, and the
//! other tabs of this browser.
//!
//! One task per open shared workspace ([`Engine::start`]) handles, in order, every
//! event: the socket's frames, local changes to push, timer ticks, going online. It
//! never blocks editing: local changes are stored and queued in the IndexedDB outbox
//! first ([`crate::storage::Store::append_chunk_to`]), and the engine pushes whatever
//! the outbox holds whenever it is connected, until the relay acknowledges it.
//! Entries from the relay are verified and decrypted with the workspace's
//! [`Capability`], applied to the document, and stored with their sequence number, so
//! after any gap the engine asks for what came after the last one it stored.

pub mod join;
pub mod presence;
pub mod socket;
pub mod tabs;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::StreamExt;
use leptos::prelude::*;
use waymark_protocol::{Capability, EntryKind, ErrorCode, Message, RelayId, VERSION};

use crate::session::Session;
use crate::storage::{Store, SyncRecord};
use presence::{Peer, Presence};
use socket::{Socket, SocketEvent};

/// Longest wait for the relay's Welcome before trying again.
const WELCOME_TIMEOUT_MS: f64 = 10_000.0;
/// How often the engine looks at its timers.
const TICK: Duration = Duration::from_secs(2);
/// Presence is re-sent this often, and a peer not heard from for `PEER_EXPIRY_MS` is gone.
const PRESENCE_EVERY_MS: f64 = 15_000.0;
const PEER_EXPIRY_MS: f64 = 45_000.0;
/// Entries received since the last snapshot after which a writer uploads a new one,
/// so the relay can drop them and newcomers download less.
const SNAPSHOT_AFTER_ENTRIES: u64 = 200;
/// Outbox entries in flight at once.
const WINDOW: usize = 64;

/// What the sync indicator shows; it says only what is known.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncStatus {
    /// Not connected; trying again in about this many seconds.
    Offline { retry_in_s: u32, reason: String },
    Connecting,
    /// Connected, catching up or pushing local changes.
    Syncing,
    /// Everything here is on the relay and everything on the relay is here.
    UpToDate,
    /// The relay refused something it will keep refusing (the message says what).
    Refused(String),
}

enum Event {
    Socket(SocketEvent),
    /// A local change was stored in the outbox under this key.
    Local { key: String, chunk: Vec<u8> },
    Presence,
    Tick,
    Retry,
    Stop,
}

/// A shared workspace's sync.
pub struct Engine {
    cap: Capability,
    relay: RelayId,
    url: String,
    store: Rc<Store>,
    session: Weak<Session>,
    events: UnboundedSender<Event>,
    pub status: RwSignal<SyncStatus>,
    /// When the relay last confirmed we were up to date (ms since the epoch; 0: never).
    pub last_synced: RwSignal<f64>,
    /// Who else is here, by connection.
    pub peers: RwSignal<BTreeMap<u64, Peer>>,
    /// What I am doing, sent to the others.
    me: RefCell<Presence>,
    record: RefCell<SyncRecord>,
}

/// The engine's private state, owned by its task.
struct Conn {
    socket: Option<Socket>,
    generation: u32,
    welcomed: bool,
    opened_at: f64,
    attempts: u32,
    max_frame: usize,
    /// The relay's newest seq as last reported.
    head: u64,
    next_request: u32,
    /// Request → outbox key.
    in_flight: HashMap<u32, String>,
    /// Outbox keys sent on this connection.
    sent: HashSet<String>,
    snapshot_request: Option<(u32, u64)>,
    /// Sequence numbers the relay gave our own entries: we hold them already, so the
    /// read position moves past them once everything before them has arrived.
    own: std::collections::BTreeSet<u64>,
    last_presence_sent: f64,
    retry: Option<TimeoutHandle>,
}

impl Engine {
    /// Starts syncing `session`'s workspace; the task ends when the session's screen
    /// goes away ([`Engine::stop`]).
    pub fn start(store: Rc<Store>, session: &Rc<Session>, record: SyncRecord, cap: Capability, me: Presence) -> Rc<Engine> {
        let (tx, rx) = unbounded();
        let engine = Rc::new(Engine {
            relay: cap.relay_id(),
            cap,
            url: socket::sync_url(&record.relay),
            store,
            session: Rc::downgrade(session),
            events: tx,
            status: RwSignal::new(SyncStatus::Connecting),
            last_synced: RwSignal::new(record.last_synced),
            peers: RwSignal::new(BTreeMap::new()),
            me: RefCell::new(me),
            record: RefCell::new(record),
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
        let _ = engine.events.unbounded_send(Event::Retry);
        engine
    }

    pub fn can_write(&self) -> bool {
        self.cap.can_write()
    }

    pub fn capability(&self) -> &Capability {
        &self.cap
    }

    /// The relay's origin (where share links point).
    pub fn origin(&self) -> String {
        self.record.borrow().relay.clone()
    }

    pub fn stop(&self) {
        let _ = self.events.unbounded_send(Event::Stop);
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

    async fn run(self: Rc<Self>, mut rx: UnboundedReceiver<Event>) {
        let mut c = Conn {
            socket: None,
            generation: 0,
            welcomed: false,
            opened_at: 0.0,
            attempts: 0,
            max_frame: waymark_protocol::MAX_FRAME_HARD,
            head: 0,
            next_request: 1,
            in_flight: HashMap::new(),
            sent: HashSet::new(),
            snapshot_request: None,
            own: Default::default(),
            last_presence_sent: 0.0,
            retry: None,
        };
        while let Some(event) = rx.next().await {
            if self.session.upgrade().is_none() {
                break;
            }
            match event {
                Event::Stop => break,
                Event::Retry => {
                    if c.socket.is_none() {
                        self.connect(&mut c);
                    }
                }
                Event::Tick => {
                    self.tick(&mut c);
                    // Whatever the relay turned away for a while (rate limit) goes again.
                    if c.welcomed && c.in_flight.is_empty() && matches!(self.status.get_untracked(), SyncStatus::Syncing) {
                        self.push_outbox(&mut c).await;
                        self.check_up_to_date(&mut c).await;
                    }
                }
                Event::Presence => self.send_presence(&mut c),
                Event::Local { key, chunk } => {
                    if c.welcomed && c.in_flight.len() < WINDOW {
                        self.append(&mut c, key, &chunk);
                    }
                }
                Event::Socket(SocketEvent::Open { generation }) if generation == c.generation => {
                    if let Some(s) = &c.socket {
                        s.send(&Message::Hello { min_version: VERSION, max_version: VERSION }.encode());
                    }
                }
                Event::Socket(SocketEvent::Frame { generation, bytes }) if generation == c.generation => {
                    match Message::decode(&bytes) {
                        Ok(message) => self.handle(&mut c, message).await,
                        Err(e) => self.disconnect(&mut c, format!("the relay sent a malformed message ({e})")),
                    }
                }
                Event::Socket(SocketEvent::Closed { generation, reason }) if generation == c.generation => {
                    self.disconnect(&mut c, reason);
                }
                Event::Socket(_) => {} // from an earlier connection
            }
        }
        c.socket = None;
        if let Some(t) = c.retry.take() {
            t.clear();
        }
    }

    fn connect(&self, c: &mut Conn) {
        if let Some(t) = c.retry.take() {
            t.clear();
        }
        c.generation += 1;
        c.welcomed = false;
        c.in_flight.clear();
        c.sent.clear();
        c.own.clear();
        c.snapshot_request = None;
        c.opened_at = js_sys::Date::now();
        self.status.set(SyncStatus::Connecting);
        let (tx, mut rx) = unbounded();
        match Socket::open(&self.url, c.generation, tx) {
            Ok(socket) => {
                c.socket = Some(socket);
                let events = self.events.clone();
                leptos::task::spawn_local(async move {
                    while let Some(e) = rx.next().await {
                        if events.unbounded_send(Event::Socket(e)).is_err() {
                            break;
                        }
                    }
                });
            }
            Err(e) => self.disconnect(c, format!("cannot open a connection: {e}")),
        }
    }

    /// Drops the connection and schedules the next try with exponential backoff.
    fn disconnect(&self, c: &mut Conn, reason: String) {
        c.socket = None;
        c.welcomed = false;
        c.in_flight.clear();
        c.sent.clear();
        c.generation += 1;
        self.peers.set(BTreeMap::new());
        c.attempts = c.attempts.saturating_add(1);
        let base = [1u32, 2, 4, 8, 15, 30][(c.attempts as usize - 1).min(5)];
        // ±25 % so a relay restart is not met by every client at the same instant.
        let delay_ms = (base as f64 * 1000.0 * (0.75 + js_sys::Math::random() * 0.5)) as u64;
        if !matches!(self.status.get_untracked(), SyncStatus::Refused(_)) {
            self.status.set(SyncStatus::Offline { retry_in_s: base, reason });
        }
        let events = self.events.clone();
        c.retry = set_timeout_with_handle(move || drop(events.unbounded_send(Event::Retry)), Duration::from_millis(delay_ms)).ok();
    }

    fn tick(&self, c: &mut Conn) {
        let now = js_sys::Date::now();
        if c.socket.is_some() && !c.welcomed && now - c.opened_at > WELCOME_TIMEOUT_MS {
            self.disconnect(c, "the relay did not answer in time".into());
            return;
        }
        if c.welcomed && now - c.last_presence_sent > PRESENCE_EVERY_MS {
            self.send_presence(c);
        }
        let stale = self.peers.with_untracked(|p| p.values().any(|peer| now - peer.seen > PEER_EXPIRY_MS));
        if stale {
            self.peers.update(|p| p.retain(|_, peer| now - peer.seen <= PEER_EXPIRY_MS));
        }
    }

    fn send(&self, c: &Conn, message: &Message) -> bool {
        c.socket.as_ref().is_some_and(|s| s.send(&message.encode()))
    }

    fn send_presence(&self, c: &mut Conn) {
        if !c.welcomed {
            return;
        }
        let json = serde_json::to_vec(&*self.me.borrow()).expect("presence serialises");
        if let Ok(sealed) = self.cap.seal_presence(&json) {
            self.send(c, &Message::Presence { workspace: self.relay, sealed });
            c.last_presence_sent = js_sys::Date::now();
        }
    }

    fn append(&self, c: &mut Conn, key: String, chunk: &[u8]) {
        if c.sent.contains(&key) || !self.cap.can_write() {
            return;
        }
        let entry = match self.cap.seal_entry(EntryKind::Change, chunk) {
            Ok(entry) => entry,
            Err(e) => {
                self.status.set(SyncStatus::Refused(e.to_string()));
                return;
            }
        };
        if waymark_protocol::wire::entry_wire_len(&entry) + 64 > c.max_frame {
            self.status.set(SyncStatus::Refused(format!(
                "A change of {} KB is larger than this relay accepts ({} KB); it is kept here and not shared.",
                entry.len() / 1024,
                c.max_frame / 1024
            )));
            return;
        }
        let request = c.next_request;
        c.next_request = c.next_request.wrapping_add(1).max(1);
        if self.send(c, &Message::Append { workspace: self.relay, request, entry }) {
            c.in_flight.insert(request, key.clone());
            c.sent.insert(key);
            if matches!(self.status.get_untracked(), SyncStatus::UpToDate) {
                self.status.set(SyncStatus::Syncing);
            }
        }
    }

    /// Sends what the outbox holds that is not in flight yet, up to the window.
    async fn push_outbox(&self, c: &mut Conn) {
        let id = self.session.upgrade().map(|s| s.id.clone()).unwrap_or_default();
        let Ok(outbox) = self.store.outbox(&id).await else { return };
        for (key, chunk) in outbox {
            if c.in_flight.len() >= WINDOW {
                break;
            }
            self.append(c, key, &chunk);
        }
    }

    async fn handle(&self, c: &mut Conn, message: Message) {
        match message {
            Message::Welcome { version, max_frame } => {
                if version != VERSION {
                    self.status.set(SyncStatus::Refused(format!("The relay speaks protocol version {version}; this app speaks {VERSION}. Reload to update the app.")));
                    c.socket = None;
                    return;
                }
                c.welcomed = true;
                c.attempts = 0;
                c.max_frame = (max_frame as usize).min(waymark_protocol::MAX_FRAME_HARD);
                self.status.set(SyncStatus::Syncing);
                let after = self.record.borrow().last_seq;
                self.send(c, &Message::Subscribe { workspace: self.relay, after });
                self.send_presence(c);
                self.push_outbox(c).await;
            }
            Message::Entries { workspace, head, snapshot, entries } if workspace == self.relay => {
                c.head = c.head.max(head);
                self.receive(snapshot, entries).await;
                self.skip_own(c).await;
                self.check_up_to_date(c).await;
            }
            Message::Ack { workspace, request, seq } if workspace == self.relay => {
                if c.snapshot_request.is_some_and(|(r, _)| r == request) {
                    c.snapshot_request = None;
                    let mut record = self.record.borrow().clone();
                    record.snapshot_seq = record.snapshot_seq.max(seq);
                    *self.record.borrow_mut() = record.clone();
                    let _ = self.store.put_sync_record(&self.local_id(), &record).await;
                } else if let Some(key) = c.in_flight.remove(&request) {
                    c.head = c.head.max(seq);
                    c.own.insert(seq);
                    let _ = self.store.remove_outbox(&key).await;
                    self.skip_own(c).await;
                    self.push_outbox(c).await;
                }
                self.check_up_to_date(c).await;
            }
            Message::PeerPresence { workspace, from, sealed } if workspace == self.relay => {
                let peer = self.cap.open_presence(&sealed).ok().and_then(|plain| Presence::parse(&plain));
                if let Some(presence) = peer {
                    self.peers.update(|p| {
                        p.insert(from, Peer { presence, seen: js_sys::Date::now() });
                    });
                }
            }
            Message::PeerLeft { workspace, from } if workspace == self.relay => {
                self.peers.update(|p| {
                    p.remove(&from);
                });
            }
            Message::Error { code, request, message } => {
                leptos::logging::warn!("relay error {code:?} (request {request}): {message}");
                match code {
                    ErrorCode::RateLimited => {
                        // Sent again after a pause, from the outbox.
                        c.in_flight.remove(&request).map(|key| c.sent.remove(&key));
                    }
                    ErrorCode::BadSnapshot if c.snapshot_request.is_some_and(|(r, _)| r == request) => c.snapshot_request = None,
                    _ if code.is_fatal() => {
                        self.status.set(SyncStatus::Refused(format!("The relay refused this connection: {message}")));
                        self.disconnect(c, message);
                    }
                    _ => {
                        c.in_flight.remove(&request);
                        self.status.set(SyncStatus::Refused(format!("The relay refused a change: {message}")));
                    }
                }
            }
            // Another workspace's messages, or ones only a relay receives: ignored.
            _ => {}
        }
    }

    fn local_id(&self) -> String {
        self.session.upgrade().map(|s| s.id.clone()).unwrap_or_default()
    }

    /// Verifies, decrypts and applies a batch, then stores it with its last seq.
    async fn receive(&self, snapshot: Option<(u64, waymark_protocol::SealedEntry)>, entries: Vec<(u64, waymark_protocol::SealedEntry)>) {
        let Some(session) = self.session.upgrade() else { return };
        let last_seq = self.record.borrow().last_seq;
        let mut plain = Vec::new();
        let mut newest = last_seq;
        let mut refused = 0;
        if let Some((covers, entry)) = snapshot.filter(|(covers, _)| *covers > last_seq) {
            match self.cap.open_entry(EntryKind::Snapshot, &entry) {
                Ok(bytes) => plain.push(bytes),
                Err(_) => refused += 1,
            }
            newest = newest.max(covers);
            let mut record = self.record.borrow_mut();
            record.snapshot_seq = record.snapshot_seq.max(covers);
        }
        for (seq, entry) in entries.into_iter().filter(|(seq, _)| *seq > last_seq) {
            match self.cap.open_entry(EntryKind::Change, &entry) {
                Ok(bytes) => plain.push(bytes),
                Err(_) => refused += 1,
            }
            newest = newest.max(seq);
        }
        if refused > 0 {
            session.warn(format!(
                "{refused} change{} from the relay failed its signature or decryption check and {} ignored.",
                if refused == 1 { "" } else { "s" },
                if refused == 1 { "was" } else { "were" }
            ));
        }
        if newest == last_seq {
            return;
        }
        // Entries that do not apply were warned about; the position moves past them
        // anyway, or they would be fetched and refused again forever.
        let chunk = session.apply_remote(&plain).unwrap_or_default();
        let key = self.store.next_chunk_key(&session.id);
        if self.store.store_remote(&session.id, &key, &chunk, newest).await.is_ok() {
            self.record.borrow_mut().last_seq = newest;
            if !chunk.is_empty() {
                session.note_chunk(key);
            }
        }
    }

    /// Moves the read position past our own acknowledged entries that directly follow it.
    async fn skip_own(&self, c: &mut Conn) {
        let start = self.record.borrow().last_seq;
        let mut seq = start;
        c.own.retain(|s| *s > start);
        while c.own.remove(&(seq + 1)) {
            seq += 1;
        }
        if seq > start {
            let mut record = self.record.borrow().clone();
            record.last_seq = seq;
            *self.record.borrow_mut() = record;
            let _ = self.store.store_remote(&self.local_id(), "", &[], seq).await;
        }
    }

    async fn check_up_to_date(&self, c: &mut Conn) {
        let caught_up = self.record.borrow().last_seq >= c.head;
        if !(c.welcomed && caught_up && c.in_flight.is_empty()) {
            if c.welcomed && !matches!(self.status.get_untracked(), SyncStatus::Refused(_)) {
                self.status.set(SyncStatus::Syncing);
            }
            return;
        }
        // Anything left in the outbox (more than the window held) goes next.
        let id = self.local_id();
        if self.store.outbox(&id).await.map(|o| !o.is_empty()).unwrap_or(false) {
            self.push_outbox(c).await;
            if !c.in_flight.is_empty() {
                return;
            }
        }
        let now = js_sys::Date::now();
        if !matches!(self.status.get_untracked(), SyncStatus::Refused(_)) {
            self.status.set(SyncStatus::UpToDate);
        }
        self.last_synced.set(now);
        let mut record = self.record.borrow().clone();
        record.last_synced = now;
        *self.record.borrow_mut() = record.clone();
        let _ = self.store.put_sync_record(&id, &record).await;
        self.maybe_snapshot(c, &record);
    }

    /// A writer that is up to date uploads a snapshot once enough entries piled up.
    fn maybe_snapshot(&self, c: &mut Conn, record: &SyncRecord) {
        if !self.cap.can_write() || c.snapshot_request.is_some() || record.last_seq < record.snapshot_seq + SNAPSHOT_AFTER_ENTRIES {
            return;
        }
        let Some(session) = self.session.upgrade() else { return };
        let whole = session.save_bytes();
        let Ok(entry) = self.cap.seal_entry(EntryKind::Snapshot, &whole) else { return };
        if waymark_protocol::wire::entry_wire_len(&entry) + 64 > c.max_frame {
            return;
        }
        let request = c.next_request;
        c.next_request = c.next_request.wrapping_add(1).max(1);
        if self.send(c, &Message::Snapshot { workspace: self.relay, request, covers: record.last_seq, entry }) {
            c.snapshot_request = Some((request, record.last_seq));
        }
    }
}

/// The link a teammate opens: `<origin>/join#<fragment>`.
pub fn link(origin: &str, fragment: &str) -> String {
    format!("{}/join#{fragment}", origin.trim_end_matches('/'))
}

/// Stores keys for a workspace about to be shared, with the whole document queued as
/// its first entry.
pub async fn start_sharing(store: &Store, session: &Rc<Session>) -> Result<(SyncRecord, Capability), String> {
    let cap = Capability::generate().map_err(|e| e.to_string())?;
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).ok_or("no window")?;
    let record = SyncRecord {
        fragment: cap.edit_fragment().expect("fresh keys can write"),
        relay: origin,
        last_seq: 0,
        snapshot_seq: 0,
        last_synced: 0.0,
    };
    session.flush();
    let whole = session.save_bytes();
    let key = store.next_chunk_key(&session.id);
    store.start_sharing(&session.id, &record, &key, &whole).await.map_err(|e| format!("Could not store the workspace's keys: {e}"))?;
    Ok((record, cap))
}
