//! The relay: a WebSocket endpoint speaking PROTOCOL.md, and one core thread that owns
//! the store and the subscriptions.
//!
//! Each connection runs as its own task: it parses frames strictly, enforces the
//! per-connection limits, verifies signatures (so that work spreads over all cores),
//! and hands what passes to the core as a [`Command`]. The core handles commands in
//! arrival order, folding the appends that queued up meanwhile into one transaction
//! (group commit: one fsync for many appends). Only after the commit returns does it
//! acknowledge and fan out, in sequence order, already-encoded frames shared by every
//! subscriber. A subscriber whose queue is full is disconnected rather than allowed
//! to hold anyone else up.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use axum::Extension;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch, Notify};
use waymark_protocol::wire::entry_wire_len;
use waymark_protocol::{EntryKind, ErrorCode, Message, RelayId, SealedEntry, VERSION};

use crate::store::{Head, Store, StoreError};

/// What the relay allows. Every value has a flag and an environment variable.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest frame accepted, in bytes (told to clients in Welcome).
    pub max_frame: usize,
    /// Largest total stored for one workspace, in bytes.
    pub max_workspace_bytes: u64,
    /// Appends and snapshots per second per connection, sustained.
    pub entries_per_second: f64,
    /// How many may come at once before the rate applies.
    pub entries_burst: f64,
    /// Simultaneous connections from one IP address.
    pub max_connections_per_ip: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame: 16 << 20,
            max_workspace_bytes: 512 << 20,
            entries_per_second: 50.0,
            entries_burst: 500.0,
            max_connections_per_ip: 64,
        }
    }
}

/// Frames queued for one connection before it counts as too slow and is dropped.
const QUEUE: usize = 4096;
/// Largest presence message forwarded.
const MAX_PRESENCE: usize = 4096;
/// Pings keep idle connections (and the proxies between) alive; a connection silent
/// for `IDLE` is closed.
const PING_EVERY: Duration = Duration::from_secs(30);
const IDLE: Duration = Duration::from_secs(90);

/// A frame for one connection, shared by every connection it goes to.
type Frame = Bytes;

/// How the core reaches a connection.
#[derive(Clone)]
struct Peer {
    out: mpsc::Sender<Frame>,
    /// Tells the connection to close: its queue overflowed.
    kill: Arc<Notify>,
}

impl Peer {
    /// Queues a frame; a full queue means the connection cannot keep up and is closed.
    fn send(&self, frame: Frame) -> bool {
        match self.out.try_send(frame) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.kill.notify_one();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

enum Command {
    Subscribe { ws: RelayId, conn: u64, after: u64, peer: Peer },
    Unsubscribe { ws: RelayId, conn: u64 },
    Append { ws: RelayId, conn: u64, request: u32, entry: SealedEntry, peer: Peer },
    Snapshot { ws: RelayId, conn: u64, request: u32, covers: u64, entry: SealedEntry, peer: Peer },
    Presence { ws: RelayId, conn: u64, sealed: Vec<u8> },
    Gone { conn: u64 },
    Stop,
}

/// The relay's shared state, cloned into every connection.
#[derive(Clone)]
pub struct Relay {
    core: std::sync::mpsc::Sender<Command>,
    limits: Arc<Limits>,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
    next_conn: Arc<AtomicU64>,
    shutdown: watch::Receiver<bool>,
}

/// Stops the relay: connections close, the core commits what it holds and ends.
pub struct RelayHandle {
    core: std::sync::mpsc::Sender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
    shutdown: watch::Sender<bool>,
}

impl RelayHandle {
    /// Asks every connection to close (they send close frames at once).
    pub fn close_connections(&self) {
        let _ = self.shutdown.send(true);
    }

    /// Closes connections and waits for the core to finish writing.
    pub fn stop(mut self) {
        self.close_connections();
        let _ = self.core.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Relay {
    /// Opens the store in `data_dir` and starts the core thread.
    pub fn start(data_dir: &std::path::Path, limits: Limits) -> Result<(Relay, RelayHandle), StoreError> {
        let store = Store::open(data_dir)?;
        let (tx, rx) = std::sync::mpsc::channel();
        let limits = Arc::new(limits);
        let core_limits = Arc::clone(&limits);
        let thread = std::thread::Builder::new().name("relay-core".into()).spawn(move || Core::new(store, core_limits).run(rx))?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        Ok((
            Relay {
                core: tx.clone(),
                limits,
                per_ip: Arc::new(Mutex::new(HashMap::new())),
                next_conn: Arc::new(AtomicU64::new(1)),
                shutdown: shutdown_rx,
            },
            RelayHandle { core: tx, thread: Some(thread), shutdown: shutdown_tx },
        ))
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// `GET /sync`: upgrades to a WebSocket.
pub async fn endpoint(State(relay): State<Relay>, peer: Option<Extension<ConnectInfo<SocketAddr>>>, upgrade: WebSocketUpgrade) -> Response {
    let ip = peer.map(|Extension(ConnectInfo(a))| a.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    // Read a little past the limit, so an oversized frame gets a clear error rather
    // than a dropped connection; beyond that the WebSocket layer refuses it.
    let read_limit = relay.limits.max_frame.saturating_mul(2).min(waymark_protocol::MAX_FRAME_HARD + 1024);
    upgrade
        // tungstenite's default 128 KiB read buffer, zero-filled per connection, is
        // most of an idle connection's memory; frames larger than this still arrive.
        .read_buffer_size(4096)
        .max_message_size(read_limit)
        .max_frame_size(read_limit)
        .on_upgrade(move |socket| connection(socket, relay, ip))
}

fn error(code: ErrorCode, request: u32, message: impl Into<String>) -> Frame {
    Bytes::from(Message::Error { code, request, message: message.into() }.encode())
}

/// One connection's whole life.
async fn connection(socket: WebSocket, relay: Relay, ip: IpAddr) {
    let conn = relay.next_conn.fetch_add(1, Ordering::Relaxed);
    let (mut sink, mut stream) = socket.split();
    let admitted = {
        let mut per_ip = relay.per_ip.lock().expect("per-ip map");
        let n = per_ip.entry(ip).or_insert(0);
        if *n >= relay.limits.max_connections_per_ip {
            false
        } else {
            *n += 1;
            true
        }
    };
    if !admitted {
        tracing::warn!(%ip, limit = relay.limits.max_connections_per_ip, "refused: too many connections from one address");
        let message = format!("Too many connections from your address (the limit is {}).", relay.limits.max_connections_per_ip);
        let _ = sink.send(WsMessage::Binary(error(ErrorCode::TooManyConnections, 0, message))).await;
        let _ = sink.send(WsMessage::Close(Some(CloseFrame { code: 1008, reason: "too many connections".into() }))).await;
        return;
    }
    tracing::debug!(conn, %ip, "connected");
    let (out_tx, mut out_rx) = mpsc::channel::<Frame>(QUEUE);
    let peer = Peer { out: out_tx, kill: Arc::new(Notify::new()) };
    let mut state = Conn { id: conn, relay: relay.clone(), peer: peer.clone(), hello: false, subscribed: HashSet::new(), tokens: relay.limits.entries_burst, refilled: Instant::now() };
    let mut shutdown = relay.shutdown.clone();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let close = loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(message)) = incoming else { break None };
                last_heard = Instant::now();
                match message {
                    WsMessage::Binary(bytes) => match state.frame(&bytes) {
                        Ok(()) => {}
                        Err((frame, reason)) => {
                            let _ = sink.send(WsMessage::Binary(frame)).await;
                            break Some((1008, reason));
                        }
                    },
                    WsMessage::Text(_) => {
                        let _ = sink.send(WsMessage::Binary(error(ErrorCode::Malformed, 0, "Text frames are not part of the protocol."))).await;
                        tracing::info!(conn, "closed: text frame");
                        break Some((1003, "text frame"));
                    }
                    WsMessage::Close(_) => break None,
                    WsMessage::Ping(_) | WsMessage::Pong(_) => {}
                }
            }
            Some(frame) = out_rx.recv() => {
                if sink.send(WsMessage::Binary(frame)).await.is_err() {
                    break None;
                }
            }
            _ = peer.kill.notified() => {
                tracing::warn!(conn, "closed: too slow to keep up with its workspace");
                break Some((1008, "too slow"));
            }
            _ = shutdown.changed() => break Some((1001, "relay restarting")),
            _ = ping.tick() => {
                if last_heard.elapsed() > IDLE {
                    break Some((1000, "idle"));
                }
                if sink.send(WsMessage::Ping(Bytes::new())).await.is_err() {
                    break None;
                }
            }
        }
    };
    if let Some((code, reason)) = close {
        let _ = sink.send(WsMessage::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
    }
    let _ = relay.core.send(Command::Gone { conn });
    if let Some(n) = relay.per_ip.lock().expect("per-ip map").get_mut(&ip) {
        *n = n.saturating_sub(1);
    }
    tracing::debug!(conn, "disconnected");
}

/// A connection's protocol state.
struct Conn {
    id: u64,
    relay: Relay,
    peer: Peer,
    hello: bool,
    subscribed: HashSet<RelayId>,
    tokens: f64,
    refilled: Instant,
}

type Fatal = (Frame, &'static str);

impl Conn {
    /// Handles one frame. `Err` carries the error frame to send before closing.
    fn frame(&mut self, bytes: &[u8]) -> Result<(), Fatal> {
        let limits = &self.relay.limits;
        if bytes.len() > limits.max_frame {
            tracing::info!(conn = self.id, size = bytes.len(), "closed: frame too large");
            let message = format!("A frame of {} bytes is over this relay's limit of {} bytes.", bytes.len(), limits.max_frame);
            return Err((error(ErrorCode::FrameTooLarge, 0, message), "frame too large"));
        }
        let message = match Message::decode(bytes) {
            Ok(m) => m,
            Err(e) => {
                tracing::info!(conn = self.id, error = %e, "closed: malformed frame");
                return Err((error(ErrorCode::Malformed, 0, format!("Malformed frame: {e}.")), "malformed"));
            }
        };
        if !self.hello {
            let Message::Hello { min_version, max_version } = message else {
                return Err((error(ErrorCode::Malformed, 0, "The first frame must be Hello."), "no hello"));
            };
            if !(min_version..=max_version).contains(&VERSION) {
                let text = format!("This relay speaks protocol version {VERSION}; the client asked for {min_version}–{max_version}.");
                return Err((error(ErrorCode::UnsupportedVersion, 0, text), "unsupported version"));
            }
            self.hello = true;
            self.reply(Message::Welcome { version: VERSION, max_frame: limits.max_frame.min(u32::MAX as usize) as u32 });
            return Ok(());
        }
        match message {
            Message::Subscribe { workspace, after } => {
                if workspace.verifying_key().is_none() {
                    self.reply(Message::Error { code: ErrorCode::NotSubscribed, request: 0, message: "That is not a workspace id.".into() });
                    return Ok(());
                }
                self.subscribed.insert(workspace);
                self.core(Command::Subscribe { ws: workspace, conn: self.id, after, peer: self.peer.clone() });
            }
            Message::Unsubscribe { workspace } => {
                if self.subscribed.remove(&workspace) {
                    self.core(Command::Unsubscribe { ws: workspace, conn: self.id });
                }
            }
            Message::Append { workspace, request, entry } => {
                if self.admit(&workspace, request, &entry, EntryKind::Change) {
                    self.core(Command::Append { ws: workspace, conn: self.id, request, entry, peer: self.peer.clone() });
                }
            }
            Message::Snapshot { workspace, request, covers, entry } => {
                if self.admit(&workspace, request, &entry, EntryKind::Snapshot) {
                    self.core(Command::Snapshot { ws: workspace, conn: self.id, request, covers, entry, peer: self.peer.clone() });
                }
            }
            Message::Presence { workspace, sealed } => {
                if self.subscribed.contains(&workspace) && sealed.len() <= MAX_PRESENCE {
                    self.core(Command::Presence { ws: workspace, conn: self.id, sealed });
                }
            }
            Message::Hello { .. } => {}
            // A relay's messages sent to the relay.
            _ => return Err((error(ErrorCode::Malformed, 0, "That message is only sent by a relay."), "wrong direction")),
        }
        Ok(())
    }

    /// Checks subscription, rate and signature; answers the refusal itself.
    fn admit(&mut self, ws: &RelayId, request: u32, entry: &SealedEntry, kind: EntryKind) -> bool {
        if !self.subscribed.contains(ws) {
            self.reply(Message::Error { code: ErrorCode::NotSubscribed, request, message: "Subscribe to the workspace before writing to it.".into() });
            return false;
        }
        let limits = &self.relay.limits;
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.refilled).as_secs_f64() * limits.entries_per_second).min(limits.entries_burst);
        self.refilled = now;
        if self.tokens < 1.0 {
            tracing::info!(conn = self.id, "rate limited");
            let message = format!("Too many changes at once (the limit is {} per second); send it again shortly.", limits.entries_per_second);
            self.reply(Message::Error { code: ErrorCode::RateLimited, request, message });
            return false;
        }
        self.tokens -= 1.0;
        if entry.verify(ws, kind).is_err() {
            tracing::info!(conn = self.id, "refused: bad signature");
            self.reply(Message::Error { code: ErrorCode::BadSignature, request, message: "The signature does not match this workspace's write key.".into() });
            return false;
        }
        true
    }

    fn reply(&self, message: Message) {
        self.peer.send(Bytes::from(message.encode()));
    }

    fn core(&self, command: Command) {
        let _ = self.relay.core.send(command);
    }
}

/// The core thread's state: the store, each workspace's head, and subscribers.
struct Core {
    store: Store,
    limits: Arc<Limits>,
    heads: HashMap<RelayId, Head>,
    subscribers: HashMap<RelayId, BTreeMap<u64, Peer>>,
    subscriptions: HashMap<u64, HashSet<RelayId>>,
}

/// An append written in the open transaction, to acknowledge and fan out after commit.
struct Pending {
    ws: RelayId,
    conn: u64,
    request: u32,
    seq: u64,
    peer: Peer,
    /// The Entries frame for everyone else (None for a snapshot).
    frame: Option<Frame>,
}

impl Core {
    fn new(store: Store, limits: Arc<Limits>) -> Core {
        Core { store, limits, heads: HashMap::new(), subscribers: HashMap::new(), subscriptions: HashMap::new() }
    }

    fn head(&mut self, ws: &RelayId) -> Result<Head, StoreError> {
        if let Some(h) = self.heads.get(ws) {
            return Ok(*h);
        }
        let h = self.store.head(ws)?;
        self.heads.insert(*ws, h);
        Ok(h)
    }

    fn run(mut self, rx: std::sync::mpsc::Receiver<Command>) {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            while batch.len() < 1024 {
                match rx.try_recv() {
                    Ok(c) => batch.push(c),
                    Err(_) => break,
                }
            }
            let mut txn = None;
            let mut pending = Vec::new();
            let mut stop = false;
            for command in batch {
                match command {
                    Command::Append { ws, conn, request, entry, peer } => self.append(&mut txn, &mut pending, ws, conn, request, entry, peer),
                    Command::Snapshot { ws, conn, request, covers, entry, peer } => {
                        self.snapshot(&mut txn, &mut pending, ws, conn, request, covers, entry, peer)
                    }
                    Command::Subscribe { ws, conn, after, peer } => {
                        // Catch-up reads committed data, so what is pending is committed first.
                        self.commit(&mut txn, &mut pending);
                        self.subscribe(ws, conn, after, peer);
                    }
                    Command::Unsubscribe { ws, conn } => self.leave(ws, conn),
                    Command::Gone { conn } => {
                        for ws in self.subscriptions.remove(&conn).unwrap_or_default() {
                            self.leave(ws, conn);
                        }
                    }
                    Command::Presence { ws, conn, sealed } => {
                        let frame = Bytes::from(Message::PeerPresence { workspace: ws, from: conn, sealed }.encode());
                        self.fan_out(&ws, conn, &frame);
                    }
                    Command::Stop => stop = true,
                }
            }
            self.commit(&mut txn, &mut pending);
            if stop {
                tracing::info!("relay core stopped; everything acknowledged is on disk");
                return;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn append(&mut self, txn: &mut Option<redb::WriteTransaction>, pending: &mut Vec<Pending>, ws: RelayId, conn: u64, request: u32, entry: SealedEntry, peer: Peer) {
        let result = (|| -> Result<Option<u64>, StoreError> {
            let mut head = self.head(&ws)?;
            let size = entry.len() as u64;
            if head.bytes + size > self.limits.max_workspace_bytes {
                return Ok(None);
            }
            if txn.is_none() {
                *txn = Some(self.store.begin()?);
            }
            head.seq += 1;
            head.bytes += size;
            Store::put_entry(txn.as_ref().expect("opened above"), &ws, head.seq, &entry, head)?;
            self.heads.insert(ws, head);
            Ok(Some(head.seq))
        })();
        match result {
            Ok(Some(seq)) => {
                let frame = Bytes::from(Message::Entries { workspace: ws, head: seq, snapshot: None, entries: vec![(seq, entry)] }.encode());
                pending.push(Pending { ws, conn, request, seq, peer, frame: Some(frame) });
            }
            Ok(None) => {
                let message = format!("This workspace has reached the relay's size limit ({} MB).", self.limits.max_workspace_bytes >> 20);
                tracing::warn!(conn, "refused: workspace full");
                peer.send(error(ErrorCode::WorkspaceFull, request, message));
            }
            Err(e) => self.fail(txn, pending, e, Some((peer, request))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn snapshot(&mut self, txn: &mut Option<redb::WriteTransaction>, pending: &mut Vec<Pending>, ws: RelayId, conn: u64, request: u32, covers: u64, entry: SealedEntry, peer: Peer) {
        let result = (|| -> Result<Result<(), String>, StoreError> {
            let mut head = self.head(&ws)?;
            if covers == 0 || covers > head.seq {
                return Ok(Err(format!("A snapshot must cover entries that exist (1 to {}), not {covers}.", head.seq)));
            }
            if covers <= head.covers {
                return Ok(Err(format!("The relay already has a snapshot covering up to {}.", head.covers)));
            }
            if txn.is_none() {
                *txn = Some(self.store.begin()?);
            }
            Store::put_snapshot(txn.as_ref().expect("opened above"), &ws, covers, &entry, &mut head)?;
            if head.bytes > self.limits.max_workspace_bytes {
                // Still stored: a snapshot only ever shrinks what the relay holds.
                tracing::warn!(conn, "snapshot leaves the workspace over its size limit");
            }
            self.heads.insert(ws, head);
            Ok(Ok(()))
        })();
        match result {
            Ok(Ok(())) => pending.push(Pending { ws, conn, request, seq: covers, peer, frame: None }),
            Ok(Err(message)) => {
                peer.send(error(ErrorCode::BadSnapshot, request, message));
            }
            Err(e) => self.fail(txn, pending, e, Some((peer, request))),
        }
    }

    /// A storage error: the open transaction is abandoned, its appends refused, and
    /// the cached heads re-read from disk.
    fn fail(&mut self, txn: &mut Option<redb::WriteTransaction>, pending: &mut Vec<Pending>, e: StoreError, current: Option<(Peer, u32)>) {
        tracing::error!(error = %e, "storage error; the changes in this batch were not stored");
        if let Some(t) = txn.take() {
            let _ = t.abort();
        }
        self.heads.clear();
        let message = "The relay could not store this change; send it again.";
        for p in pending.drain(..) {
            p.peer.send(error(ErrorCode::Internal, p.request, message));
        }
        if let Some((peer, request)) = current {
            peer.send(error(ErrorCode::Internal, request, message));
        }
    }

    /// Commits the open transaction (fsync), then acknowledges and fans out in order.
    fn commit(&mut self, txn: &mut Option<redb::WriteTransaction>, pending: &mut Vec<Pending>) {
        let Some(t) = txn.take() else { return };
        if let Err(e) = t.commit() {
            return self.fail(txn, pending, e.into(), None);
        }
        for p in pending.drain(..) {
            p.peer.send(Bytes::from(Message::Ack { workspace: p.ws, request: p.request, seq: p.seq }.encode()));
            if let Some(frame) = p.frame {
                self.fan_out(&p.ws, p.conn, &frame);
            }
        }
    }

    fn fan_out(&self, ws: &RelayId, except: u64, frame: &Frame) {
        if let Some(subs) = self.subscribers.get(ws) {
            for (conn, peer) in subs {
                if *conn != except {
                    peer.send(frame.clone());
                }
            }
        }
    }

    fn subscribe(&mut self, ws: RelayId, conn: u64, after: u64, peer: Peer) {
        let sent = (|| -> Result<bool, StoreError> {
            let head = self.head(&ws)?;
            let budget = self.limits.max_frame.saturating_sub(128).max(1);
            let mut snapshot = None;
            let mut from = after;
            if head.covers > after {
                if let Some((covers, entry)) = self.store.snapshot(&ws)? {
                    from = from.max(covers);
                    snapshot = Some((covers, entry));
                }
            }
            let mut size = snapshot.as_ref().map_or(0, |(_, e)| entry_wire_len(e));
            let mut batch: Vec<(u64, SealedEntry)> = Vec::new();
            let mut ok = true;
            let frames = std::cell::Cell::new(0);
            let send = |snapshot: &mut Option<(u64, SealedEntry)>, batch: &mut Vec<(u64, SealedEntry)>| {
                frames.set(frames.get() + 1);
                let frame = Message::Entries { workspace: ws, head: head.seq, snapshot: snapshot.take(), entries: std::mem::take(batch) };
                peer.send(Bytes::from(frame.encode()))
            };
            self.store.entries_after(&ws, from, |seq, entry| {
                let len = 8 + entry_wire_len(&entry);
                if size + len > budget && (!batch.is_empty() || snapshot.is_some()) {
                    ok = send(&mut snapshot, &mut batch);
                    size = 0;
                }
                size += len;
                batch.push((seq, entry));
                ok
            })?;
            // At least one batch, even an empty one: it tells the client the head.
            if ok && (!batch.is_empty() || snapshot.is_some() || frames.get() == 0) {
                ok = send(&mut snapshot, &mut batch);
            }
            Ok(ok)
        })();
        match sent {
            Ok(true) => {
                self.subscribers.entry(ws).or_default().insert(conn, peer);
                self.subscriptions.entry(conn).or_default().insert(ws);
            }
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "could not read a workspace for a subscriber");
                peer.send(error(ErrorCode::Internal, 0, "The relay could not read this workspace; try again."));
            }
        }
    }

    fn leave(&mut self, ws: RelayId, conn: u64) {
        let Some(subs) = self.subscribers.get_mut(&ws) else { return };
        if subs.remove(&conn).is_none() {
            return;
        }
        if subs.is_empty() {
            self.subscribers.remove(&ws);
        } else {
            let frame = Bytes::from(Message::PeerLeft { workspace: ws, from: conn }.encode());
            self.fan_out(&ws, conn, &frame);
        }
        if let Some(set) = self.subscriptions.get_mut(&conn) {
            set.remove(&ws);
        }
    }
}
