//! The relay's WebSocket endpoint (`/sync`, PROTOCOL.md): one task per connection.
//!
//! A connection parses frames strictly, enforces its limits (frame size, entries and
//! other requests per second, connections per address) and verifies signatures, so
//! that work spreads over every core; what passes goes to the core thread
//! (`core.rs`) as a [`Command`]. What the connection sends comes from its own
//! bounded queue: replies, acknowledgements, other peers' entries (frames encoded
//! once and shared), and catch-ups, which it reads from the store itself, one frame
//! at a time, off the async threads. A connection whose queue fills up is closed
//! rather than allowed to hold anyone else up. Whatever a peer sends, the worst it
//! can do is close its own connection.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use bytes::Bytes;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch, Notify};
use waymark_protocol::wire::entry_wire_len;
use waymark_protocol::{EntryKind, ErrorCode, Message, RelayId, SealedEntry, MIN_VERSION, VERSION};

use crate::core::{CatchUp, Command, Core};
use crate::store::{StoreError, Write, WriteKind};

/// What the relay allows; `waymark-relay --help` lists the flags and environment
/// variables that set them.
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
    /// Simultaneous connections from one IP address (loopback included).
    pub max_connections_per_ip: usize,
    /// Longest a catch-up may wait for the client to take one frame. A catch-up reads
    /// from one view of the store, which holds back the file's free space while it
    /// lasts: a client that stops reading is closed instead of pinning it.
    pub catch_up_frame_timeout: Duration,
    /// Bytes of frames queued for one connection before it counts as too slow and is
    /// closed (with at most 4,096 frames of up to `max_frame` each, a count alone would
    /// let one slow reader hold gigabytes).
    pub max_queued_bytes: usize,
    /// Bytes of frames queued for all connections together. Past it, a connection that
    /// is itself more than [`SLOW_SHARE`] behind is closed when a frame would be added.
    pub max_total_queued_bytes: usize,
    /// Bytes of changes received and waiting for the storage thread, all connections
    /// together; past it a change is refused as rate limited (clients send it again).
    pub max_pending_write_bytes: usize,
    /// What every workspace together may hold in the store ([`crate::store::Head::footprint`]).
    pub max_stored_bytes: u64,
    /// Workspaces one address may start (a first entry) per hour, sustained, and at once.
    pub new_workspaces_per_hour: f64,
    pub new_workspaces_burst: f64,
    /// Reverse proxies whose `X-Forwarded-For` is believed: a connection from one of
    /// them counts against the address the proxy names, not its own.
    pub trusted_proxies: Vec<IpAddr>,
}

/// How far behind a connection must itself be to be closed when the relay's total
/// queue budget is spent: one that keeps up never pays for one that does not.
pub const SLOW_SHARE: usize = 1 << 20;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frame: 16 << 20,
            max_workspace_bytes: 512 << 20,
            entries_per_second: 50.0,
            entries_burst: 500.0,
            max_connections_per_ip: 256,
            catch_up_frame_timeout: Duration::from_secs(30),
            max_queued_bytes: 64 << 20,
            max_total_queued_bytes: 1 << 30,
            max_pending_write_bytes: 256 << 20,
            max_stored_bytes: 32 << 30,
            new_workspaces_per_hour: 60.0,
            new_workspaces_burst: 100.0,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Limits {
    /// Refuses limits the relay cannot work with.
    pub fn check(&self) -> Result<(), String> {
        let hard = waymark_protocol::MAX_FRAME_HARD;
        if !(1024..=hard).contains(&self.max_frame) {
            return Err(format!("the frame limit must be between 1024 and {hard} bytes, not {}", self.max_frame));
        }
        if !(self.entries_per_second > 0.0 && self.entries_burst >= 1.0) {
            return Err("the entry rate must be above 0 and the burst at least 1".into());
        }
        if self.max_connections_per_ip == 0 {
            return Err("the connections per address must be at least 1".into());
        }
        if !(self.new_workspaces_per_hour > 0.0 && self.new_workspaces_burst >= 1.0) {
            return Err("the new workspaces per hour must be above 0 and the burst at least 1".into());
        }
        if self.max_queued_bytes < self.max_frame {
            return Err(format!("a connection's queue ({} bytes) must hold at least one frame ({} bytes)", self.max_queued_bytes, self.max_frame));
        }
        Ok(())
    }
}

/// Connection ids are the relay's number (see [`crate::store::Log::relay_number`])
/// above this many bits and a count below, so they are unique across relays sharing
/// a store.
pub const CONN_BITS: u32 = 40;

/// Frames queued for one connection before it counts as too slow and is closed.
const QUEUE: usize = 4096;
/// Largest presence message forwarded.
const MAX_PRESENCE: usize = 4096;
/// Longest signal passed on (a sealed offer or answer: PostgreSQL's notifications carry
/// it between relays, as base64, within their 8,000 bytes).
const MAX_SIGNAL: usize = 4096;
/// Subscribes and presence messages per second per connection (they fan out to every
/// subscriber, so they are limited like entries): sustained, and at once.
const REQUESTS_PER_SECOND: f64 = 20.0;
const REQUESTS_BURST: f64 = 100.0;
/// Workspaces one connection may follow at once.
const MAX_SUBSCRIPTIONS: usize = 1000;
/// Room an entry must leave in a frame: the Entries frame that relays it is 54 bytes
/// larger than the entry (the app keeps the same margin).
const ENTRY_MARGIN: usize = 64;
/// Pings keep idle connections (and the proxies between) alive; a connection silent
/// for `IDLE` is closed.
const PING_EVERY: Duration = Duration::from_secs(30);
const IDLE: Duration = Duration::from_secs(90);
/// How long a graceful shutdown waits for connections to close.
const DRAIN: Duration = Duration::from_secs(10);

/// What a connection's queue holds.
pub(crate) enum Out {
    /// A frame ready to send, possibly shared with other connections.
    Frame(Bytes),
    /// An Entries frame of workspace `ws` whose newest entry (or snapshot) is `last`:
    /// not sent if a catch-up of that workspace on this connection already went that
    /// far (with a shared store, a catch-up may send a snapshot newer than the live
    /// entries queued behind it).
    Entries { ws: RelayId, last: u64, frame: Bytes },
    /// A catch-up to read from the store and send before anything queued after it.
    CatchUp(Box<CatchUp>),
}

/// How the core reaches a connection.
#[derive(Clone)]
pub(crate) struct Peer {
    out: mpsc::Sender<Out>,
    /// Tells the connection to close: its queue overflowed.
    kill: Arc<Notify>,
    /// Bytes of frames in its queue, and the most it may hold.
    queued: Arc<AtomicUsize>,
    max_queued: usize,
    /// Bytes of frames in every connection's queue, and the most they may hold.
    total: Arc<AtomicUsize>,
    max_total: usize,
    /// The address it counts against (see [`address_key`]).
    pub addr: IpAddr,
    /// Whether it speaks version 3, so signals may be passed to it.
    pub signals: bool,
}

impl Peer {
    /// Queues for the connection; a full queue means it cannot keep up and is closed.
    pub fn send(&self, out: Out) -> bool {
        let len = match &out {
            Out::Frame(frame) | Out::Entries { frame, .. } => frame.len(),
            Out::CatchUp(_) => 0,
        };
        let own = self.queued.fetch_add(len, Ordering::Relaxed) + len;
        let total = self.total.fetch_add(len, Ordering::Relaxed) + len;
        let over = own > self.max_queued || (total > self.max_total && own > SLOW_SHARE);
        let result = if over { Err(true) } else { self.out.try_send(out).map_err(|e| matches!(e, mpsc::error::TrySendError::Full(_))) };
        match result {
            Ok(()) => true,
            Err(too_slow) => {
                self.dequeued(len);
                if too_slow {
                    self.kill.notify_one();
                }
                false
            }
        }
    }

    pub fn send_frame(&self, frame: Bytes) -> bool {
        self.send(Out::Frame(frame))
    }

    /// A peer whose queue the test reads.
    #[cfg(test)]
    pub fn for_test(addr: IpAddr) -> (Peer, mpsc::Receiver<Out>) {
        let (out, rx) = mpsc::channel(QUEUE);
        let peer = Peer { out, kill: Arc::default(), queued: Arc::default(), max_queued: usize::MAX, total: Arc::default(), max_total: usize::MAX, addr, signals: true };
        (peer, rx)
    }

    /// Counts `len` bytes out of the queues (sent, or never queued).
    fn dequeued(&self, len: usize) {
        self.queued.fetch_sub(len, Ordering::Relaxed);
        self.total.fetch_sub(len, Ordering::Relaxed);
    }
}

/// The address a connection counts against for per-address limits: IPv4 as it is, an
/// IPv4-mapped IPv6 address as IPv4, and IPv6 by its /64 (one subscriber's network,
/// which hands out its addresses freely).
pub(crate) fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

/// The client's address: the connection's own, or, from a trusted reverse proxy, the
/// nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
pub(crate) fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.to_canonical() == ip.to_canonical());
    if !is_trusted(peer) {
        return peer;
    }
    let Some(header) = forwarded_for else { return peer };
    // Right to left: each trusted proxy appended the address it heard from; the first
    // one not trusted is the client (anything left of it the client could have written).
    for hop in header.rsplit(',').map(str::trim) {
        match parse_hop(hop) {
            Some(ip) if is_trusted(ip) => continue,
            Some(ip) => return ip.to_canonical(),
            None => return peer,
        }
    }
    peer
}

/// One X-Forwarded-For hop: an address, possibly with a port (`1.2.3.4:5678`,
/// `[2001:db8::1]:5678`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// An Error frame.
pub(crate) fn error(code: ErrorCode, request: u32, message: impl Into<String>) -> Bytes {
    Bytes::from(Message::Error { code, request, message: message.into() }.encode())
}

/// A workspace's id in logs: enough to tell workspaces apart, not the whole id.
pub(crate) fn short(ws: &RelayId) -> String {
    ws.to_text().chars().take(8).collect()
}

/// A byte count for people.
pub(crate) fn size(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// The relay's shared state, cloned into every connection.
#[derive(Clone)]
pub struct Relay {
    core: std::sync::mpsc::Sender<Command>,
    limits: Arc<Limits>,
    per_ip: Arc<Mutex<HashMap<IpAddr, usize>>>,
    next_conn: Arc<AtomicU64>,
    shutdown: watch::Receiver<bool>,
    /// Connections open now.
    live: Arc<watch::Sender<usize>>,
    /// Bytes of frames queued for every connection together.
    queued: Arc<AtomicUsize>,
    /// Bytes of changes sent to the core and not yet taken by it.
    pending: Arc<AtomicUsize>,
}

/// Stops the relay: connections close, the core commits what it holds and ends.
pub struct RelayHandle {
    core: std::sync::mpsc::Sender<Command>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    shutdown: watch::Sender<bool>,
    live: Arc<watch::Sender<usize>>,
}

impl RelayHandle {
    /// Asks every connection to close (each sends a close frame at once).
    pub fn close_connections(&self) {
        self.shutdown.send_replace(true);
    }

    /// Closes connections, waits (a while) for them to go, then for the core to
    /// finish its last commit.
    pub async fn stop(&self) {
        self.close_connections();
        let mut live = self.live.subscribe();
        if tokio::time::timeout(DRAIN, live.wait_for(|n| *n == 0)).await.is_err() {
            tracing::warn!(open = *live.borrow(), "connections still open after {DRAIN:?}; stopping anyway");
        }
        let _ = self.core.send(Command::Stop);
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = thread {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
    }
}

impl Relay {
    /// Opens the embedded store in `data_dir` and starts the core thread.
    pub fn start(data_dir: &std::path::Path, limits: Limits) -> Result<(Relay, RelayHandle), StoreError> {
        Relay::start_with(crate::store::open(data_dir, None)?, limits)
    }

    /// Starts the core thread on `store`; with a shared store, the other relays'
    /// notes reach the core too.
    pub fn start_with(mut store: Box<dyn crate::store::Log>, limits: Limits) -> Result<(Relay, RelayHandle), StoreError> {
        let stored = store.footprint()?;
        let first_conn = (store.relay_number() << CONN_BITS) + 1;
        // Unbounded in frames but not in bytes: the changes in it are counted in
        // `pending`, and everything else a connection sends it is rate limited.
        let (tx, rx) = std::sync::mpsc::channel();
        let limits = Arc::new(limits);
        let pending = Arc::new(AtomicUsize::new(0));
        let notes = tx.clone();
        store.listen(Box::new(move |note| notes.send(Command::Note(note)).is_ok()))?;
        let core = Core::new(store, Arc::clone(&limits), stored, Arc::clone(&pending));
        let thread = std::thread::Builder::new().name("relay-core".into()).spawn(move || core.run(rx))?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let live = Arc::new(watch::Sender::new(0));
        Ok((
            Relay {
                core: tx.clone(),
                limits,
                per_ip: Arc::new(Mutex::new(HashMap::new())),
                next_conn: Arc::new(AtomicU64::new(first_conn)),
                shutdown: shutdown_rx,
                live: Arc::clone(&live),
                queued: Arc::default(),
                pending,
            },
            RelayHandle { core: tx, thread: Mutex::new(Some(thread)), shutdown: shutdown_tx, live },
        ))
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Counts a connection from `ip` in, unless that address is at its limit.
    fn admit(&self, ip: IpAddr) -> Option<Admitted> {
        let mut per_ip = self.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        let n = per_ip.entry(ip).or_insert(0);
        if *n >= self.limits.max_connections_per_ip {
            return None;
        }
        *n += 1;
        self.live.send_modify(|n| *n += 1);
        Some(Admitted { relay: self.clone(), ip })
    }
}

/// A connection counted in; counted out when dropped, however the connection ends.
struct Admitted {
    relay: Relay,
    ip: IpAddr,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut per_ip = self.relay.per_ip.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
        self.relay.live.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// `GET /sync`: upgrades to a WebSocket.
pub async fn endpoint(State(relay): State<Relay>, peer: Option<Extension<ConnectInfo<SocketAddr>>>, headers: HeaderMap, upgrade: WebSocketUpgrade) -> Response {
    let peer = peer.map(|Extension(ConnectInfo(a))| a.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    // Every X-Forwarded-For line, in order (a proxy may add a line of its own).
    let forwarded: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let forwarded = (!forwarded.is_empty()).then(|| forwarded.join(","));
    let ip = address_key(client_address(peer, forwarded.as_deref(), &relay.limits.trusted_proxies));
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

type Sink = SplitSink<WebSocket, WsMessage>;

/// Why a connection ends: a close code and a reason (None: it is already gone).
type Close = Option<(u16, &'static str)>;

/// One connection's whole life.
async fn connection(socket: WebSocket, relay: Relay, ip: IpAddr) {
    let (mut sink, mut stream) = socket.split();
    let Some(_admitted) = relay.admit(ip) else {
        let limit = relay.limits.max_connections_per_ip;
        tracing::warn!(%ip, limit, "refused: too many connections from one address");
        let message = format!("Too many connections from your address (the limit is {limit}); close some and try again.");
        let _ = sink.send(WsMessage::Binary(error(ErrorCode::TooManyConnections, 0, message))).await;
        let _ = sink.send(WsMessage::Close(Some(CloseFrame { code: 1008, reason: "too many connections".into() }))).await;
        return;
    };
    let conn = relay.next_conn.fetch_add(1, Ordering::Relaxed);
    tracing::info!(conn, %ip, "connected");
    let (out_tx, mut out_rx) = mpsc::channel::<Out>(QUEUE);
    let peer = Peer {
        out: out_tx,
        kill: Arc::new(Notify::new()),
        queued: Arc::default(),
        max_queued: relay.limits.max_queued_bytes,
        total: Arc::clone(&relay.queued),
        max_total: relay.limits.max_total_queued_bytes,
        addr: ip,
        signals: false,
    };
    let limits = Arc::clone(&relay.limits);
    let mut state = Conn {
        id: conn,
        core: relay.core.clone(),
        pending: Arc::clone(&relay.pending),
        limits: Arc::clone(&limits),
        peer: peer.clone(),
        hello: false,
        version: 0,
        subscribed: HashSet::new(),
        caught_up: HashMap::new(),
        entries: Bucket::new(limits.entries_per_second, limits.entries_burst),
        requests: Bucket::new(REQUESTS_PER_SECOND, REQUESTS_BURST),
    };
    let mut shutdown = relay.shutdown.clone();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let close: Close = loop {
        tokio::select! {
            incoming = stream.next() => {
                let message = match incoming {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => {
                        tracing::info!(conn, error = %e, "closed: WebSocket error");
                        break None;
                    }
                    None => break None,
                };
                last_heard = Instant::now();
                match message {
                    WsMessage::Binary(bytes) => {
                        if let Err((frame, reason)) = state.frame(&bytes) {
                            let _ = sink.send(WsMessage::Binary(frame)).await;
                            break Some((1008, reason));
                        }
                    }
                    WsMessage::Text(_) => {
                        tracing::info!(conn, "closed: text frame");
                        let _ = sink.send(WsMessage::Binary(error(ErrorCode::Malformed, 0, "Text frames are not part of the protocol; every message is a binary frame."))).await;
                        break Some((1003, "text frame"));
                    }
                    WsMessage::Close(_) => break None,
                    WsMessage::Ping(_) | WsMessage::Pong(_) => {}
                }
            }
            Some(out) = out_rx.recv() => {
                let sent = match out {
                    Out::Frame(frame) => {
                        peer.dequeued(frame.len());
                        sink.send(WsMessage::Binary(frame)).await.map_err(|_| None)
                    }
                    Out::Entries { ws, last, frame } => {
                        peer.dequeued(frame.len());
                        if state.caught_up.get(&ws).is_some_and(|upto| *upto >= last) {
                            Ok(())
                        } else {
                            sink.send(WsMessage::Binary(frame)).await.map_err(|_| None)
                        }
                    }
                    Out::CatchUp(job) => {
                        let ws = job.ws;
                        let sent = tokio::select! {
                            r = catch_up(&mut sink, *job, limits.max_frame, limits.catch_up_frame_timeout) => r,
                            _ = peer.kill.notified() => Err(slow(conn)),
                            _ = shutdown.changed() => Err(Some((1001, "relay restarting"))),
                        };
                        // It was reading all along.
                        last_heard = Instant::now();
                        sent.map(|upto| {
                            state.caught_up.insert(ws, upto);
                        })
                    }
                };
                if let Err(close) = sent {
                    if let Some((_, reason)) = close {
                        tracing::info!(conn, reason, "closed during a catch-up");
                    }
                    break close;
                }
            }
            _ = peer.kill.notified() => break slow(conn),
            _ = shutdown.changed() => break Some((1001, "relay restarting")),
            _ = ping.tick() => {
                if last_heard.elapsed() > IDLE {
                    tracing::info!(conn, "closed: idle");
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
    // What is still queued will never be sent: out of the relay's total too.
    out_rx.close();
    while let Ok(out) = out_rx.try_recv() {
        if let Out::Frame(frame) | Out::Entries { frame, .. } = out {
            peer.dequeued(frame.len());
        }
    }
    let _ = relay.core.send(Command::Gone { conn });
    tracing::info!(conn, "disconnected");
}

fn slow(conn: u64) -> Close {
    tracing::warn!(conn, "closed: too slow to keep up with its workspaces (queue full)");
    Some((1008, "too slow"))
}

/// Sends a catch-up, reading one frame at a time on the blocking pool; returns how far
/// it went (the newest seq sent, or the snapshot's).
async fn catch_up(sink: &mut Sink, mut job: CatchUp, max_frame: usize, frame_timeout: Duration) -> Result<u64, Close> {
    loop {
        let read = tokio::task::spawn_blocking(move || {
            let frame = job.next_frame(max_frame);
            (job, frame)
        })
        .await;
        let frame = match read {
            Ok((j, Ok(Some((frame, _))))) => {
                job = j;
                frame
            }
            Ok((job, Ok(None))) => return Ok(job.from),
            Ok((_, Err(e))) => {
                tracing::error!(error = %e, "storage error during a catch-up");
                let _ = sink.send(WsMessage::Binary(error(ErrorCode::Internal, 0, "The relay could not read this workspace; connect again later."))).await;
                return Err(Some((1011, "storage error")));
            }
            Err(e) => {
                tracing::error!(error = %e, "a catch-up read failed");
                return Err(Some((1011, "internal error")));
            }
        };
        match tokio::time::timeout(frame_timeout, sink.send(WsMessage::Binary(frame))).await {
            Ok(sent) => sent.map_err(|_| None)?,
            Err(_) => {
                tracing::warn!("closed: a catch-up frame was not taken within {frame_timeout:?}");
                return Err(Some((1008, "too slow")));
            }
        }
    }
}

/// A token bucket: `rate` per second, up to `burst` at once.
pub(crate) struct Bucket {
    tokens: f64,
    rate: f64,
    burst: f64,
    at: Instant,
    /// Whether the last take failed (so a flood logs once, not per frame).
    limited: bool,
}

impl Bucket {
    pub(crate) fn new(rate: f64, burst: f64) -> Bucket {
        Bucket { tokens: burst, rate, burst, at: Instant::now(), limited: false }
    }

    /// The tokens it holds now.
    pub(crate) fn refilled(&self) -> f64 {
        (self.tokens + self.at.elapsed().as_secs_f64() * self.rate).min(self.burst)
    }

    /// Takes a token; `Err(first)` when there is none, `first` for the first refusal
    /// of a run.
    pub(crate) fn take(&mut self) -> Result<(), bool> {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.rate).min(self.burst);
        self.at = now;
        if self.tokens < 1.0 {
            let first = !self.limited;
            self.limited = true;
            return Err(first);
        }
        self.tokens -= 1.0;
        self.limited = false;
        Ok(())
    }
}

/// A connection's protocol state.
struct Conn {
    id: u64,
    core: std::sync::mpsc::Sender<Command>,
    /// Bytes of changes on their way to the core, from every connection.
    pending: Arc<AtomicUsize>,
    limits: Arc<Limits>,
    peer: Peer,
    hello: bool,
    /// The version agreed in Hello/Welcome.
    version: u16,
    subscribed: HashSet<RelayId>,
    /// How far each workspace's last catch-up on this connection went (forgotten when
    /// the client subscribes or unsubscribes again).
    caught_up: HashMap<RelayId, u64>,
    /// Appends and snapshots.
    entries: Bucket,
    /// Subscribes and presence.
    requests: Bucket,
}

/// A fatal error: the frame to send, and the reason to close with.
type Fatal = (Bytes, &'static str);

impl Conn {
    /// Handles one frame. `Err` carries the error frame to send before closing.
    fn frame(&mut self, bytes: &[u8]) -> Result<(), Fatal> {
        let max_frame = self.limits.max_frame;
        if bytes.len() > max_frame {
            tracing::info!(conn = self.id, size = bytes.len(), limit = max_frame, "closed: frame too large");
            let message = format!("A frame of {} bytes is over this relay's limit of {}.", bytes.len(), size(max_frame as u64));
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
                tracing::info!(conn = self.id, "closed: no Hello first");
                return Err((error(ErrorCode::Malformed, 0, "The first frame must be Hello."), "no hello"));
            };
            // The highest version both speak.
            let version = max_version.min(VERSION);
            if version < min_version.max(MIN_VERSION) {
                tracing::info!(conn = self.id, min_version, max_version, "closed: unsupported version");
                let text = format!("This relay speaks protocol versions {MIN_VERSION} to {VERSION}; this app speaks {min_version} to {max_version}. Reload the page to update the app.");
                return Err((error(ErrorCode::UnsupportedVersion, 0, text), "unsupported version"));
            }
            self.hello = true;
            self.version = version;
            self.peer.signals = version >= 3;
            self.reply(Message::Welcome { version, max_frame: max_frame.min(u32::MAX as usize) as u32 });
            return Ok(());
        }
        match message {
            Message::Subscribe { workspace, after } => {
                self.caught_up.remove(&workspace);
                self.subscribe(workspace, after)
            }
            Message::Unsubscribe { workspace } => {
                self.caught_up.remove(&workspace);
                if self.subscribed.remove(&workspace) {
                    tracing::info!(conn = self.id, workspace = %short(&workspace), "unsubscribed");
                    self.core(Command::Unsubscribe { ws: workspace, conn: self.id });
                }
            }
            Message::Append { workspace, request, entry } => {
                self.fits(&entry)?;
                if self.writable(&workspace, request, &entry, EntryKind::Change) {
                    self.write(workspace, request, entry, WriteKind::Change);
                }
            }
            Message::Snapshot { workspace, request, covers, entry } => {
                self.fits(&entry)?;
                if self.writable(&workspace, request, &entry, EntryKind::Snapshot { covers }) {
                    self.write(workspace, request, entry, WriteKind::Snapshot { covers });
                }
            }
            Message::Close { workspace, request, entry } => {
                self.fits(&entry)?;
                if self.writable(&workspace, request, &entry, EntryKind::Close) {
                    self.write(workspace, request, entry, WriteKind::Close);
                }
            }
            Message::Presence { workspace, sealed } => {
                // Ephemeral: what cannot be forwarded is dropped, and the next one
                // (the app repeats it) says the same.
                if !self.subscribed.contains(&workspace) || sealed.len() > MAX_PRESENCE {
                    tracing::debug!(conn = self.id, size = sealed.len(), "presence dropped: not subscribed or too large");
                } else if let Err(first) = self.requests.take() {
                    if first {
                        tracing::info!(conn = self.id, "rate limited: presence dropped");
                    }
                } else {
                    self.core(Command::Presence { ws: workspace, conn: self.id, sealed });
                }
            }
            Message::Signal { workspace, to, sealed } => {
                if self.version < 3 {
                    tracing::info!(conn = self.id, "closed: a signal on a version 2 connection");
                    return Err((error(ErrorCode::Malformed, 0, "Signals need protocol version 3."), "signal before version 3"));
                }
                // Ephemeral, like presence: what cannot be passed on is dropped, and
                // the sender asks again if it still wants to connect.
                if !self.subscribed.contains(&workspace) || sealed.len() > MAX_SIGNAL {
                    tracing::debug!(conn = self.id, size = sealed.len(), "signal dropped: not subscribed or too large");
                } else if let Err(first) = self.requests.take() {
                    if first {
                        tracing::info!(conn = self.id, "rate limited: signal dropped");
                    }
                } else {
                    self.core(Command::Signal { ws: workspace, conn: self.id, to, sealed });
                }
            }
            // Hello again changes nothing.
            Message::Hello { .. } => {}
            Message::Welcome { .. }
            | Message::Entries { .. }
            | Message::Ack { .. }
            | Message::PeerPresence { .. }
            | Message::PeerLeft { .. }
            | Message::PeerSignal { .. }
            | Message::Error { .. } => {
                tracing::info!(conn = self.id, "closed: a relay's message sent to the relay");
                return Err((error(ErrorCode::Malformed, 0, "That message is only sent by a relay."), "wrong direction"));
            }
        }
        Ok(())
    }

    fn subscribe(&mut self, workspace: RelayId, after: u64) {
        let refusal = if workspace.verifying_key().is_none() {
            Some((ErrorCode::NotSubscribed, "That is not a workspace id.".to_string()))
        } else if !self.subscribed.contains(&workspace) && self.subscribed.len() >= MAX_SUBSCRIPTIONS {
            Some((ErrorCode::NotSubscribed, format!("One connection can follow at most {MAX_SUBSCRIPTIONS} workspaces.")))
        } else if let Err(first) = self.requests.take() {
            if first {
                tracing::info!(conn = self.id, "rate limited: subscribe");
            }
            Some((ErrorCode::RateLimited, format!("Too many requests at once (the limit is {REQUESTS_PER_SECOND} per second); subscribe again shortly.")))
        } else {
            None
        };
        if let Some((code, message)) = refusal {
            self.reply(Message::Error { code, request: 0, message });
            return;
        }
        self.subscribed.insert(workspace);
        self.core(Command::Subscribe { ws: workspace, conn: self.id, after, peer: self.peer.clone() });
    }

    /// An entry must fit, once relayed, in a frame within the limit.
    fn fits(&self, entry: &SealedEntry) -> Result<(), Fatal> {
        let max_frame = self.limits.max_frame;
        if entry_wire_len(entry) + ENTRY_MARGIN <= max_frame {
            return Ok(());
        }
        tracing::info!(conn = self.id, size = entry.len(), limit = max_frame, "closed: entry too large to relay");
        let message = format!("An entry of {} bytes does not fit, once relayed, in this relay's frame limit of {}: it must leave {ENTRY_MARGIN} bytes.", entry.len(), size(max_frame as u64));
        Err((error(ErrorCode::FrameTooLarge, 0, message), "entry too large"))
    }

    /// Checks subscription, rate and signature, and answers a refusal itself.
    fn writable(&mut self, ws: &RelayId, request: u32, entry: &SealedEntry, kind: EntryKind) -> bool {
        if !self.subscribed.contains(ws) {
            self.reply(Message::Error { code: ErrorCode::NotSubscribed, request, message: "Subscribe to the workspace before writing to it.".into() });
            return false;
        }
        // Before the signature check, so that bad signatures cost a token too.
        if let Err(first) = self.entries.take() {
            if first {
                tracing::info!(conn = self.id, limit = self.limits.entries_per_second, "rate limited: entries");
            }
            let message = format!("Too many changes at once (the limit is {} per second); send it again shortly.", self.limits.entries_per_second);
            self.reply(Message::Error { code: ErrorCode::RateLimited, request, message });
            return false;
        }
        if !self.reserve(entry.len()) {
            tracing::warn!(conn = self.id, "refused: the storage thread is behind (pending write budget spent)");
            self.reply(Message::Error { code: ErrorCode::RateLimited, request, message: "The relay is busy storing other changes; send it again shortly.".into() });
            return false;
        }
        if entry.verify(ws, kind).is_err() {
            self.pending.fetch_sub(entry.len(), Ordering::Relaxed);
            tracing::info!(conn = self.id, workspace = %short(ws), request, "refused: bad signature");
            self.reply(Message::Error { code: ErrorCode::BadSignature, request, message: "The signature does not match this workspace's write key; nothing was stored.".into() });
            return false;
        }
        true
    }

    /// Counts `len` bytes of a change on their way to the core, unless the budget for
    /// them is spent (the first change always goes: one alone is never refused).
    fn reserve(&self, len: usize) -> bool {
        let before = self.pending.fetch_add(len, Ordering::Relaxed);
        if before > 0 && before + len > self.limits.max_pending_write_bytes {
            self.pending.fetch_sub(len, Ordering::Relaxed);
            return false;
        }
        true
    }

    fn reply(&self, message: Message) {
        self.peer.send_frame(Bytes::from(message.encode()));
    }

    fn write(&self, ws: RelayId, request: u32, entry: SealedEntry, kind: WriteKind) {
        let write = Write { ws, entry, kind, addr: self.peer.addr };
        self.core(Command::Write { write, conn: self.id, request, peer: self.peer.clone() });
    }

    fn core(&self, command: Command) {
        let _ = self.core.send(command);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        let key = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:198.51.100.7"), key("198.51.100.7"));
        assert_ne!(key("198.51.100.7"), key("198.51.100.8"));
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client_and_only_right_of_what_a_client_wrote() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // Not from a proxy: the header is the client's own words.
        assert_eq!(client_address(ip("203.0.113.5"), Some("198.51.100.1"), &proxies), ip("203.0.113.5"));
        // Through two proxies: the first address neither of them is.
        assert_eq!(client_address(ip("10.0.0.1"), Some("6.6.6.6, 198.51.100.1, 10.0.0.2"), &proxies), ip("198.51.100.1"));
        // Garbage where the proxy wrote: the proxy's own address, never what lies left.
        assert_eq!(client_address(ip("10.0.0.1"), Some("6.6.6.6, unknown"), &proxies), ip("10.0.0.1"));
        assert_eq!(client_address(ip("10.0.0.1"), None, &proxies), ip("10.0.0.1"));
        // The proxy seen through an IPv6 socket, hops with ports, and a second header
        // line (joined by the caller) are all understood.
        assert_eq!(client_address(ip("::ffff:10.0.0.1"), Some("6.6.6.6, 198.51.100.1:4321"), &proxies), ip("198.51.100.1"));
        assert_eq!(client_address(ip("10.0.0.1"), Some("6.6.6.6,[2001:db8::7]:443"), &proxies), ip("2001:db8::7"));
    }
}
