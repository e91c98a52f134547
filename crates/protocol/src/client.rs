//! The client side of the protocol as a state machine with no I/O: inputs (frames,
//! timer ticks, local changes, what storage did) go in, outputs (frames to send,
//! batches to apply, outbox entries acknowledged, the status to show) come out.
//!
//! The browser's engine (`src/sync`) only carries these between the socket, storage
//! and the document, so every rule of syncing — backoff, the send window, Ack, gaps,
//! rate limits, duplicate and out-of-order entries, snapshots — is tested here,
//! natively, without a browser or a relay.
//!
//! The outbox is held here in order (read once from storage when the engine starts,
//! then kept by `Local` and `Ack`), so draining N offline changes costs N sends, not N
//! re-reads. A batch of entries from the relay comes out as one `Apply`, so catching up
//! is one change set for the document however many entries it holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::wire::entry_wire_len;
use crate::peer::PeerMessage;
use crate::{Capability, EntryKind, ErrorCode, Message, RelayId, SealedEntry, MAX_FRAME_HARD, MIN_VERSION, VERSION};

/// Longest wait for the relay's Welcome before trying again.
pub const WELCOME_TIMEOUT_MS: f64 = 10_000.0;
/// Presence is re-sent this often, and a peer not heard from for `PEER_EXPIRY_MS` is gone.
pub const PRESENCE_EVERY_MS: f64 = 15_000.0;
pub const PEER_EXPIRY_MS: f64 = 45_000.0;
/// Entries received since the last snapshot after which a writer uploads a new one,
/// so the relay can drop them and newcomers download less.
pub const SNAPSHOT_AFTER_ENTRIES: u64 = 200;
/// Outbox entries in flight at once.
pub const WINDOW: usize = 64;
/// How long an acknowledged entry may wait to be seen in the relay's log before the
/// client reads the log again from it (see [`SyncCore`]'s "acknowledged, then seen").
pub const CONFIRM_AFTER_MS: f64 = 30_000.0;
/// Seconds before the next try after 1, 2, 3… failed connections in a row.
const BACKOFF_S: [u32; 6] = [1, 2, 4, 8, 15, 30];

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
    /// This log was closed: an editor replaced the workspace's links. Nothing more
    /// syncs through this link; the copy here stays.
    Closed,
}

/// Where this replica stands with the relay; stored with the workspace.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Position {
    /// The newest relay sequence number whose entry is stored here.
    pub last_seq: u64,
    /// The sequence number covered by the newest snapshot we uploaded or received.
    pub snapshot_seq: u64,
    /// When the relay last confirmed we were up to date (ms since the epoch; 0: never).
    pub last_synced: f64,
    /// The relay log's epoch these numbers count in (0: not known yet).
    pub epoch: u64,
}

/// What happened, for the core to act on.
#[derive(Debug)]
pub enum Input {
    /// Try to connect (on start, when the browser goes online, when a retry is due).
    Connect,
    /// The socket of this connection attempt opened.
    Opened { generation: u32 },
    /// A frame arrived on that socket.
    Frame { generation: u32, message: Message },
    /// A frame that does not decode arrived on that socket.
    Malformed { generation: u32, error: String },
    /// That socket closed (or could not open).
    Closed { generation: u32, reason: String },
    /// The timer: time-outs, presence, peers gone quiet, retries after a rate limit.
    Tick,
    /// The outbox as stored, oldest first, read once when the engine starts.
    Outbox(Vec<(String, Vec<u8>)>),
    /// A local change, already stored in the outbox under `key`.
    Local { key: String, chunk: Vec<u8> },
    /// What I am doing changed (presence, as the app encodes it).
    Presence(Vec<u8>),
    /// The whole document, asked for by [`Output::WantSnapshot`].
    SnapshotReady { covers: u64, bytes: Vec<u8> },
    /// Applying or storing the last [`Output::Apply`] failed: the position goes back
    /// to where it was before that batch, and the connection starts over.
    ApplyFailed { reason: String },
    /// Close this log for good (the links are being replaced): answered by
    /// [`Output::LogClosed`] once the relay stored the close, or [`Output::CloseFailed`].
    CloseLog,
    /// Pass a signal (an offer, answer or address for a direct connection, as the app
    /// encodes it) to the peer the relay calls `to`: sealed, and signed if this
    /// capability can write. Dropped unless the relay speaks version 3.
    Signal { to: u64, plain: Vec<u8> },
}

/// What to do, in order.
#[derive(Debug, PartialEq)]
pub enum Output {
    /// Open a socket for connection attempt `generation`.
    Open { generation: u32 },
    /// Close the socket, if any.
    Close,
    /// Send this on the open socket.
    Send(Message),
    /// Feed [`Input::Connect`] back after this long.
    RetryIn { ms: u64 },
    Status(SyncStatus),
    /// Apply these changes (decrypted, in relay order) as one change set, and store
    /// the result with `last_seq` as the new read position.
    Apply { chunks: Vec<Vec<u8>>, last_seq: u64 },
    /// Our own entries directly follow the read position: store it as `last_seq`.
    Advance { last_seq: u64 },
    /// The relay holds this outbox entry (acknowledged, then seen in its log):
    /// remove it from storage.
    Acked { key: String },
    /// Store the position (snapshot or "up to date" time changed).
    Save(Position),
    /// Answer with [`Input::SnapshotReady`]: a snapshot covering `covers` is due.
    WantSnapshot { covers: u64 },
    /// The relay lost what it had of this workspace: store the whole document in the
    /// outbox and answer with [`Input::Local`], so it is sent again.
    Reupload,
    /// A teammate's presence (decrypted; the app parses it).
    /// `editor`: signed with the write key; otherwise a view-link holder, whatever
    /// name it gives.
    PeerPresence { from: u64, plain: Vec<u8>, editor: bool },
    /// That teammate left or went quiet.
    PeerGone { from: u64 },
    /// Every teammate is gone (the connection dropped).
    PeersCleared,
    /// Tell the person (entries that failed their checks).
    Warn(String),
    /// For the console (what the relay said when it refused something).
    Log(String),
    /// The relay stored our close: the log takes no more entries, from anyone.
    LogClosed,
    /// The log could not be closed now (not connected, view only, or refused).
    CloseFailed(String),
    /// A peer's signal (opened; the app parses it). `writer`: signed with the write key.
    PeerSignal { from: u64, plain: Vec<u8>, writer: bool },
    /// Whether the relay of the current connection passes signals (version 3).
    Signals(bool),
}

/// Why closing a log cannot start now.
const CLOSE_NEEDS_CONNECTION: &str = "Replacing links needs a connection to the relay; try again once this workspace is up to date.";

/// An acknowledged outbox entry waiting to be seen in the log.
struct Unconfirmed {
    order: u64,
    key: String,
    chunk: Vec<u8>,
    signature: [u8; 64],
    acked_at: f64,
}

/// One connection attempt.
struct Conn {
    generation: u32,
    welcomed: bool,
    /// The version the relay chose (0 until Welcome).
    version: u16,
    opened_at: f64,
    max_frame: usize,
    /// The relay's newest seq as last reported.
    head: u64,
    /// Request → outbox order and the signature it was sent with.
    in_flight: HashMap<u32, (u64, [u8; 64])>,
    /// Outbox order of the next entry not yet sent on this connection.
    cursor: u64,
    snapshot_request: Option<u32>,
    /// The Close we sent, until its Ack.
    close_request: Option<u32>,
    /// When we last asked to read the log again to see our acknowledged entries.
    confirm_asked: f64,
    /// Sequence numbers the relay gave our own entries: we hold them already, so the
    /// read position moves past them once everything before them has arrived.
    own: BTreeSet<u64>,
    last_presence_sent: f64,
}

/// A workspace's sync state; see the module documentation.
pub struct SyncCore {
    cap: Capability,
    relay: RelayId,
    position: Position,
    status: SyncStatus,
    conn: Option<Conn>,
    /// Connection attempts so far; events of older ones are ignored.
    generation: u32,
    /// Failed attempts in a row, for the backoff.
    attempts: u32,
    next_request: u32,
    /// Unacknowledged local changes by order, and the order of each key.
    outbox: BTreeMap<u64, (String, Vec<u8>)>,
    /// Acknowledged local changes not yet seen in the relay's log, by the seq the
    /// relay gave them: an Ack alone could be false (a relay that does not store), so
    /// an entry leaves storage only once the log read back holds it.
    unconfirmed: BTreeMap<u64, Unconfirmed>,
    order: HashMap<String, u64>,
    next_order: u64,
    presence: Vec<u8>,
    /// When each teammate was last heard from.
    peers: BTreeMap<u64, f64>,
    /// For the backoff's jitter (xorshift; seeded by the caller).
    rng: u64,
    /// The position before the last [`Output::Apply`].
    applied_from: u64,
}

impl SyncCore {
    /// `seed` makes the retry jitter differ between clients (any value but 0).
    pub fn new(cap: Capability, position: Position, seed: u64) -> SyncCore {
        SyncCore {
            relay: cap.relay_id(),
            cap,
            position,
            status: SyncStatus::Connecting,
            conn: None,
            generation: 0,
            attempts: 0,
            next_request: 1,
            outbox: BTreeMap::new(),
            unconfirmed: BTreeMap::new(),
            order: HashMap::new(),
            next_order: 0,
            presence: Vec::new(),
            peers: BTreeMap::new(),
            rng: seed.max(1),
            applied_from: position.last_seq,
        }
    }

    pub fn status(&self) -> &SyncStatus {
        &self.status
    }

    pub fn position(&self) -> Position {
        self.position
    }

    pub fn capability(&self) -> &Capability {
        &self.cap
    }

    /// Local changes the relay has not acknowledged yet.
    pub fn unsent(&self) -> usize {
        self.outbox.len()
    }

    /// Handles one input at time `now` (ms since the epoch).
    pub fn handle(&mut self, now: f64, input: Input) -> Vec<Output> {
        let mut out = Vec::new();
        match input {
            Input::Connect => {
                if self.conn.is_none() && self.status != SyncStatus::Closed {
                    self.open(now, &mut out);
                }
            }
            Input::Opened { generation } if self.is_current(generation) => {
                out.push(Output::Send(Message::Hello { min_version: MIN_VERSION, max_version: VERSION }));
            }
            Input::Frame { generation, message } if self.is_current(generation) => self.receive(now, message, &mut out),
            Input::Malformed { generation, error } if self.is_current(generation) => {
                self.disconnect(format!("the relay sent a malformed message ({error})"), &mut out);
            }
            Input::Closed { generation, reason } if self.is_current(generation) => self.disconnect(reason, &mut out),
            Input::Opened { .. } | Input::Frame { .. } | Input::Malformed { .. } | Input::Closed { .. } => {} // an earlier attempt's
            Input::Tick => self.tick(now, &mut out),
            Input::Outbox(entries) => {
                for (key, chunk) in entries {
                    self.queue(key, chunk);
                }
                self.push(&mut out);
            }
            Input::Local { key, chunk } => {
                self.queue(key, chunk);
                self.push(&mut out);
            }
            Input::Presence(plain) => {
                self.presence = plain;
                self.send_presence(now, &mut out);
            }
            Input::SnapshotReady { covers, bytes } => self.send_snapshot(covers, &bytes, &mut out),
            Input::ApplyFailed { reason } => {
                self.position.last_seq = self.position.last_seq.min(self.applied_from);
                self.disconnect(format!("this browser could not store what arrived ({reason})"), &mut out);
            }
            Input::CloseLog => self.close_log(&mut out),
            Input::Signal { to, plain } => self.signal(to, &plain, &mut out),
        }
        out
    }

    /// Sends a Close for this log, once connected and up to date (so nothing of ours
    /// is left behind in it).
    fn close_log(&mut self, out: &mut Vec<Output>) {
        let ready = self.status == SyncStatus::UpToDate && self.conn.as_ref().is_some_and(|c| c.welcomed && c.close_request.is_none());
        if !self.cap.can_write() {
            return out.push(Output::CloseFailed("Only an editor can replace the links.".into()));
        }
        if self.status == SyncStatus::Closed {
            // Closed already (our close whose Ack was lost, or another editor's): what
            // the caller wanted is done.
            return out.push(Output::LogClosed);
        }
        if !ready {
            return out.push(Output::CloseFailed(CLOSE_NEEDS_CONNECTION.into()));
        }
        let entry = match self.cap.seal_entry(EntryKind::Close, &[]) {
            Ok(e) => e,
            Err(e) => return out.push(Output::CloseFailed(e.to_string())),
        };
        let request = self.take_request();
        if let Some(c) = self.conn.as_mut() {
            c.close_request = Some(request);
        }
        out.push(Output::Send(Message::Close { workspace: self.relay, request, entry }));
    }

    /// The log is closed (by us or another editor): nothing more syncs through it, and
    /// no connection is tried again. A close of ours still waiting is thereby done.
    fn closed(&mut self, out: &mut Vec<Output>) {
        if self.conn.as_mut().and_then(|c| c.close_request.take()).is_some() {
            out.push(Output::LogClosed);
        }
        self.set_status(SyncStatus::Closed, out);
        if self.conn.take().is_some() {
            out.push(Output::Close);
        }
        if !self.peers.is_empty() {
            self.peers.clear();
            out.push(Output::PeersCleared);
        }
    }

    /// Seals `plain` as a signal and sends it to connection `to`, if the relay passes
    /// signals.
    fn signal(&mut self, to: u64, plain: &[u8], out: &mut Vec<Output>) {
        let Some(c) = self.conn.as_ref().filter(|c| c.welcomed && c.version >= 3) else {
            return out.push(Output::Log("a signal was dropped: the relay does not pass signals now".into()));
        };
        let sealed = match PeerMessage::Signal(plain.to_vec()).seal_whole(&self.cap) {
            Ok(sealed) if sealed.len() + 64 <= c.max_frame => sealed,
            Ok(_) => return out.push(Output::Log("a signal was dropped: it is longer than the relay takes".into())),
            Err(e) => return out.push(Output::Log(format!("a signal was dropped: {e}"))),
        };
        out.push(Output::Send(Message::Signal { workspace: self.relay, to, sealed }));
    }

    /// Starts a new connection attempt.
    fn open(&mut self, now: f64, out: &mut Vec<Output>) {
        self.generation = self.generation.wrapping_add(1);
        self.conn = Some(Conn {
            generation: self.generation,
            welcomed: false,
            version: 0,
            opened_at: now,
            max_frame: MAX_FRAME_HARD,
            head: 0,
            in_flight: HashMap::new(),
            cursor: 0,
            snapshot_request: None,
            close_request: None,
            confirm_asked: 0.0,
            own: BTreeSet::new(),
            last_presence_sent: 0.0,
        });
        self.set_status(SyncStatus::Connecting, out);
        out.push(Output::Open { generation: self.generation });
    }

    fn is_current(&self, generation: u32) -> bool {
        self.conn.as_ref().is_some_and(|c| c.generation == generation)
    }

    fn set_status(&mut self, status: SyncStatus, out: &mut Vec<Output>) {
        if self.status != status {
            self.status = status.clone();
            out.push(Output::Status(status));
        }
    }

    fn refused(&self) -> bool {
        matches!(self.status, SyncStatus::Refused(_) | SyncStatus::Closed)
    }

    /// A number in [0, 1) for the jitter.
    fn random(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Drops the connection and schedules the next try with exponential backoff.
    fn disconnect(&mut self, reason: String, out: &mut Vec<Output>) {
        if self.status == SyncStatus::Closed {
            return self.closed(out);
        }
        if self.conn.as_mut().and_then(|c| c.close_request.take()).is_some() {
            // Whether the relay stored it shows on the next connection (the log then
            // ends with it, and replacing the links again goes straight on).
            out.push(Output::CloseFailed("The connection dropped before the relay confirmed; try again once connected.".into()));
        }
        self.conn = None;
        out.push(Output::Close);
        if !self.peers.is_empty() {
            self.peers.clear();
            out.push(Output::PeersCleared);
        }
        self.attempts = self.attempts.saturating_add(1);
        let base = BACKOFF_S[(self.attempts as usize - 1).min(BACKOFF_S.len() - 1)];
        // ±25 % so a relay restart is not met by every client at the same instant.
        let ms = (f64::from(base) * 1000.0 * (0.75 + self.random() * 0.5)) as u64;
        if !self.refused() {
            self.set_status(SyncStatus::Offline { retry_in_s: base, reason }, out);
        }
        out.push(Output::RetryIn { ms });
    }

    fn tick(&mut self, now: f64, out: &mut Vec<Output>) {
        let Some(c) = &self.conn else { return self.expire_peers(now, out) };
        if !c.welcomed {
            if now - c.opened_at > WELCOME_TIMEOUT_MS {
                self.disconnect("the relay did not answer in time".into(), out);
            }
            return;
        }
        if now - c.last_presence_sent > PRESENCE_EVERY_MS {
            self.send_presence(now, out);
        }
        self.expire_peers(now, out);
        self.ask_to_confirm(now, out);
        // Whatever the relay turned away for a while (rate limit) goes again.
        if self.conn.as_ref().is_some_and(|c| c.in_flight.is_empty()) && self.status == SyncStatus::Syncing {
            self.push(out);
            self.check_up_to_date(now, out);
        }
    }

    fn expire_peers(&mut self, now: f64, out: &mut Vec<Output>) {
        let gone: Vec<u64> = self.peers.iter().filter(|(_, seen)| now - **seen > PEER_EXPIRY_MS).map(|(from, _)| *from).collect();
        for from in gone {
            self.peers.remove(&from);
            out.push(Output::PeerGone { from });
        }
    }

    fn send_presence(&mut self, now: f64, out: &mut Vec<Output>) {
        let Some(c) = self.conn.as_mut().filter(|c| c.welcomed) else { return };
        if let Ok(sealed) = self.cap.seal_presence(&self.presence) {
            out.push(Output::Send(Message::Presence { workspace: self.relay, sealed }));
            c.last_presence_sent = now;
        }
    }

    fn queue(&mut self, key: String, chunk: Vec<u8>) {
        if self.order.contains_key(&key) {
            return;
        }
        let n = self.next_order;
        self.next_order += 1;
        self.order.insert(key.clone(), n);
        self.outbox.insert(n, (key, chunk));
    }

    fn take_request(&mut self) -> u32 {
        let request = self.next_request;
        self.next_request = self.next_request.wrapping_add(1).max(1);
        request
    }

    /// Sends outbox entries not yet sent on this connection, up to the window. Each
    /// entry is looked at once per connection (the cursor only moves forward, except
    /// back to an entry the relay asked to have again).
    fn push(&mut self, out: &mut Vec<Output>) {
        if !self.cap.can_write() {
            return;
        }
        loop {
            // Nothing goes after a close of ours: it belongs to the next log.
            let Some(c) = self.conn.as_ref().filter(|c| c.welcomed && c.in_flight.len() < WINDOW && c.close_request.is_none()) else { return };
            let Some((&n, (_, chunk))) = self.outbox.range(c.cursor..).next() else { return };
            let max_frame = c.max_frame;
            let entry = match self.cap.seal_entry(EntryKind::Change, chunk) {
                Ok(entry) => entry,
                Err(e) => return self.set_status(SyncStatus::Refused(e.to_string()), out),
            };
            if entry_wire_len(&entry) + 64 > max_frame {
                let message = format!(
                    "A change of {} KB is larger than this relay accepts ({} KB); it is kept here and not shared.",
                    entry.len() / 1024,
                    max_frame / 1024
                );
                return self.set_status(SyncStatus::Refused(message), out);
            }
            let request = self.take_request();
            let c = self.conn.as_mut().expect("checked above");
            c.cursor = n + 1;
            c.in_flight.insert(request, (n, entry.signature));
            out.push(Output::Send(Message::Append { workspace: self.relay, request, entry }));
            if self.status == SyncStatus::UpToDate {
                self.set_status(SyncStatus::Syncing, out);
            }
        }
    }

    fn receive(&mut self, now: f64, message: Message, out: &mut Vec<Output>) {
        match message {
            Message::Welcome { version, max_frame } => {
                if !(MIN_VERSION..=VERSION).contains(&version) {
                    let message = format!("The relay speaks protocol version {version}; this app speaks {MIN_VERSION} to {VERSION}. Reload to update the app.");
                    self.set_status(SyncStatus::Refused(message), out);
                    self.conn = None;
                    out.push(Output::Close);
                    return;
                }
                let Some(c) = self.conn.as_mut() else { return };
                c.welcomed = true;
                c.version = version;
                c.max_frame = (max_frame as usize).min(MAX_FRAME_HARD);
                out.push(Output::Signals(version >= 3));
                self.attempts = 0;
                if !self.refused() {
                    self.set_status(SyncStatus::Syncing, out);
                }
                // From before our oldest acknowledged entry not yet seen in the log, if any.
                let after = self.unconfirmed.keys().next().map_or(self.position.last_seq, |s| self.position.last_seq.min(s.saturating_sub(1)));
                if let Some(c) = self.conn.as_mut() {
                    // This very subscribe reads them back.
                    c.confirm_asked = now;
                }
                out.push(Output::Send(Message::Subscribe { workspace: self.relay, after }));
                self.send_presence(now, out);
                self.push(out);
            }
            Message::Entries { workspace, epoch, head, snapshot, entries } if workspace == self.relay => {
                if self.relay_log_changed(now, epoch, head, out) {
                    return;
                }
                if let Some(c) = self.conn.as_mut() {
                    c.head = c.head.max(head);
                }
                self.confirm(snapshot.as_ref().map(|(covers, _)| *covers), &entries, out);
                self.entries(snapshot, entries, out);
                self.skip_own(out);
                self.check_up_to_date(now, out);
            }
            Message::Ack { workspace, request, .. } if workspace == self.relay && self.conn.as_ref().is_some_and(|c| c.close_request == Some(request)) => {
                self.closed(out);
            }
            Message::Ack { workspace, request, seq } if workspace == self.relay => {
                let Some(c) = self.conn.as_mut() else { return };
                if c.snapshot_request == Some(request) {
                    c.snapshot_request = None;
                    self.position.snapshot_seq = self.position.snapshot_seq.max(seq);
                    out.push(Output::Save(self.position));
                } else if let Some((n, signature)) = c.in_flight.remove(&request) {
                    c.head = c.head.max(seq);
                    c.own.insert(seq);
                    if let Some((key, chunk)) = self.outbox.remove(&n) {
                        self.unconfirmed.insert(seq, Unconfirmed { order: n, key, chunk, signature, acked_at: now });
                    }
                    self.skip_own(out);
                    self.push(out);
                }
                self.check_up_to_date(now, out);
            }
            Message::PeerPresence { workspace, from, sealed } if workspace == self.relay => {
                if let Ok((plain, editor)) = self.cap.open_presence(&sealed) {
                    self.peers.insert(from, now);
                    out.push(Output::PeerPresence { from, plain, editor });
                }
            }
            Message::PeerSignal { workspace, from, sealed } if workspace == self.relay => match PeerMessage::open(&self.cap, &sealed) {
                Ok((PeerMessage::Signal(plain), writer)) => out.push(Output::PeerSignal { from, plain, writer }),
                Ok(_) => out.push(Output::Log(format!("peer {from} sent something other than a signal through the relay"))),
                Err(e) => out.push(Output::Log(format!("peer {from}'s signal was refused: {e}"))),
            },
            Message::PeerLeft { workspace, from } if workspace == self.relay => {
                if self.peers.remove(&from).is_some() {
                    out.push(Output::PeerGone { from });
                }
            }
            Message::Error { code, request, message } => {
                out.push(Output::Log(format!("relay error {code:?} (request {request}): {message}")));
                let Some(c) = self.conn.as_mut() else { return };
                if code != ErrorCode::Closed && request != 0 && c.close_request == Some(request) {
                    // Our close was turned away (busy, full): nothing changed; say so.
                    c.close_request = None;
                    return out.push(Output::CloseFailed(message));
                }
                match code {
                    ErrorCode::RateLimited => {
                        // Sent again after a pause (the next tick), from where it was.
                        if let Some((n, _)) = c.in_flight.remove(&request) {
                            c.cursor = c.cursor.min(n);
                        }
                    }
                    ErrorCode::BadSnapshot if c.snapshot_request == Some(request) => c.snapshot_request = None,
                    ErrorCode::Closed => self.closed(out),
                    _ if code.is_fatal() => {
                        self.set_status(SyncStatus::Refused(format!("The relay refused this connection: {message}")), out);
                        self.disconnect(message, out);
                    }
                    _ => {
                        c.in_flight.remove(&request);
                        self.set_status(SyncStatus::Refused(format!("The relay refused a change: {message}")), out);
                    }
                }
            }
            // Another workspace's messages, or ones only a relay receives: ignored.
            _ => {}
        }
    }

    /// Whether the relay's log of this workspace is not the one our position counts in:
    /// another epoch (the relay was reset, or replaced), or a head behind what we
    /// already read from it (restored from an older copy). Then the position starts
    /// over: everything is read again (applying it twice changes nothing), and the
    /// whole document is sent again, so the relay gets back what it lost.
    fn relay_log_changed(&mut self, now: f64, epoch: u64, head: u64, out: &mut Vec<Output>) -> bool {
        let known = self.position.epoch;
        if epoch != 0 && known == 0 && head >= self.position.last_seq {
            // First contact with this log (or a position saved before epochs existed).
            self.position.epoch = epoch;
            out.push(Output::Save(self.position));
            return false;
        }
        let other_log = epoch != known && !(epoch != 0 && known == 0);
        if !other_log && head >= self.position.last_seq {
            return false;
        }
        out.push(Output::Log(format!("the relay's log changed (epoch {known} → {epoch}, head {head}, our position {}): reading it again and sending everything", self.position.last_seq)));
        self.position = Position { last_seq: 0, snapshot_seq: 0, last_synced: self.position.last_synced, epoch };
        self.applied_from = 0;
        // Numbers of the old log mean nothing now: what it acknowledged goes again.
        for (_, u) in std::mem::take(&mut self.unconfirmed) {
            self.outbox.insert(u.order, (u.key, u.chunk));
        }
        out.push(Output::Save(self.position));
        if self.cap.can_write() {
            out.push(Output::Reupload);
        }
        // A fresh connection, so nothing still on its way under the old numbers
        // arrives after the position was reset; it subscribes from 0.
        self.conn = None;
        out.push(Output::Close);
        self.open(now, out);
        true
    }

    /// Opens a batch (snapshot and entries after the read position, each once) into
    /// one [`Output::Apply`]; entries that fail their checks are counted and skipped.
    fn entries(&mut self, snapshot: Option<(u64, SealedEntry)>, entries: Vec<(u64, SealedEntry)>, out: &mut Vec<Output>) {
        let last_seq = self.position.last_seq;
        let Opened { snapshot, changes, newest, snapshot_covers, refused, closed } = open_batch(&self.cap, last_seq, snapshot, entries);
        let chunks: Vec<Vec<u8>> = snapshot.into_iter().chain(changes).collect();
        if let Some(covers) = snapshot_covers {
            self.position.snapshot_seq = self.position.snapshot_seq.max(covers);
        }
        if let Some(warning) = refused_warning(refused) {
            out.push(Output::Warn(warning));
        }
        if newest > last_seq {
            // Entries that failed were warned about; the position moves past them
            // anyway, or they would be fetched and refused again forever.
            self.applied_from = last_seq;
            self.position.last_seq = newest;
            out.push(Output::Apply { chunks, last_seq: newest });
        }
        if closed {
            self.closed(out);
        }
    }

    /// Checks our acknowledged entries against the log as read back: one found at its
    /// seq with our signature (or covered by a snapshot, which its signer built from
    /// the log) is confirmed and leaves storage; a seq the batch passes over holding
    /// something else, or nothing, means the Ack was false: the entry is sent again.
    fn confirm(&mut self, covers: Option<u64>, entries: &[(u64, SealedEntry)], out: &mut Vec<Output>) {
        let (Some(first), Some(last)) = (entries.first().map(|e| e.0).or(covers), entries.last().map(|e| e.0).or(covers)) else { return };
        let seen: Vec<u64> = self.unconfirmed.range(..=last).map(|(s, _)| *s).filter(|s| *s >= first || covers.is_some_and(|c| *s <= c)).collect();
        let mut false_acks = 0;
        for seq in seen {
            let Some(u) = self.unconfirmed.remove(&seq) else { continue };
            let held = covers.is_some_and(|c| seq <= c) || entries.iter().any(|(s, e)| *s == seq && e.signature == u.signature);
            if held {
                self.order.remove(&u.key);
                out.push(Output::Acked { key: u.key });
            } else {
                false_acks += 1;
                self.outbox.insert(u.order, (u.key, u.chunk));
                if let Some(c) = self.conn.as_mut() {
                    c.cursor = c.cursor.min(u.order);
                }
            }
        }
        if false_acks > 0 {
            out.push(Output::Warn(format!(
                "The relay acknowledged {false_acks} of your changes without keeping {}; {} sent again.",
                if false_acks == 1 { "it" } else { "them" },
                if false_acks == 1 { "it is being" } else { "they are being" }
            )));
            self.push(out);
        }
    }

    /// Asks to read the log again from our oldest acknowledged entry not yet seen in
    /// it, once it has waited [`CONFIRM_AFTER_MS`] (our own entries are not sent back
    /// to us live).
    fn ask_to_confirm(&mut self, now: f64, out: &mut Vec<Output>) {
        let Some((&seq, u)) = self.unconfirmed.iter().next() else { return };
        let Some(c) = self.conn.as_mut().filter(|c| c.welcomed) else { return };
        if now - u.acked_at < CONFIRM_AFTER_MS || now - c.confirm_asked < CONFIRM_AFTER_MS {
            return;
        }
        c.confirm_asked = now;
        out.push(Output::Send(Message::Subscribe { workspace: self.relay, after: seq.saturating_sub(1) }));
    }

    /// Moves the read position past our own acknowledged entries that directly follow it.
    fn skip_own(&mut self, out: &mut Vec<Output>) {
        let Some(c) = self.conn.as_mut() else { return };
        let start = self.position.last_seq;
        let mut seq = start;
        c.own.retain(|s| *s > start);
        while c.own.remove(&(seq + 1)) {
            seq += 1;
        }
        if seq > start {
            self.position.last_seq = seq;
            out.push(Output::Advance { last_seq: seq });
        }
    }

    fn check_up_to_date(&mut self, now: f64, out: &mut Vec<Output>) {
        let Some(c) = &self.conn else { return };
        let caught_up = self.position.last_seq >= c.head;
        if !(c.welcomed && caught_up && c.in_flight.is_empty()) {
            if c.welcomed && !self.refused() {
                self.set_status(SyncStatus::Syncing, out);
            }
            return;
        }
        // Anything left in the outbox (more than the window held) goes next.
        self.push(out);
        if self.conn.as_ref().is_some_and(|c| !c.in_flight.is_empty()) {
            return;
        }
        if !self.refused() {
            self.set_status(SyncStatus::UpToDate, out);
        }
        self.position.last_synced = now;
        out.push(Output::Save(self.position));
        let due = self.position.last_seq >= self.position.snapshot_seq + SNAPSHOT_AFTER_ENTRIES;
        if self.cap.can_write() && due && self.conn.as_ref().is_some_and(|c| c.snapshot_request.is_none()) {
            out.push(Output::WantSnapshot { covers: self.position.last_seq });
        }
    }

    /// A writer that is up to date uploads a snapshot once enough entries piled up.
    fn send_snapshot(&mut self, covers: u64, bytes: &[u8], out: &mut Vec<Output>) {
        let Some(c) = self.conn.as_ref().filter(|c| c.welcomed && c.snapshot_request.is_none() && c.close_request.is_none()) else { return };
        let max_frame = c.max_frame;
        let Ok(entry) = self.cap.seal_entry(EntryKind::Snapshot { covers }, bytes) else { return };
        if entry_wire_len(&entry) + 64 > max_frame {
            return;
        }
        let request = self.take_request();
        if let Some(c) = self.conn.as_mut() {
            c.snapshot_request = Some(request);
        }
        out.push(Output::Send(Message::Snapshot { workspace: self.relay, request, covers, entry }));
    }
}

/// Frames received and not yet handled, counted so that a relay (or anyone on its
/// path) sending faster than a client handles cannot grow the client's memory without
/// bound: past the budget the connection is dropped (and tried again later).
#[derive(Debug)]
pub struct Inflow {
    frames: usize,
    bytes: usize,
    max_frames: usize,
    max_bytes: usize,
}

impl Default for Inflow {
    /// 4,096 frames or 128 MiB waiting, whichever comes first.
    fn default() -> Self {
        Inflow::new(4096, 128 << 20)
    }
}

impl Inflow {
    pub fn new(max_frames: usize, max_bytes: usize) -> Inflow {
        Inflow { frames: 0, bytes: 0, max_frames, max_bytes }
    }

    /// Counts a frame of `len` bytes in; false (and nothing counted) when it would pass
    /// the budget.
    pub fn admit(&mut self, len: usize) -> bool {
        if self.frames + 1 > self.max_frames || self.bytes.saturating_add(len) > self.max_bytes {
            return false;
        }
        self.frames += 1;
        self.bytes += len;
        true
    }

    /// A frame of `len` bytes was handled.
    pub fn done(&mut self, len: usize) {
        self.frames = self.frames.saturating_sub(1);
        self.bytes = self.bytes.saturating_sub(len);
    }
}

/// A batch from the relay, opened.
#[derive(Debug, Default, PartialEq)]
pub struct Opened {
    /// The snapshot's plaintext, if the batch had one beyond the position that opened.
    pub snapshot: Option<Vec<u8>>,
    /// The changes' plaintexts, in relay order.
    pub changes: Vec<Vec<u8>>,
    /// The newest seq the batch reaches (the position it leaves).
    pub newest: u64,
    /// What the snapshot covers, if the batch had one beyond the position.
    pub snapshot_covers: Option<u64>,
    /// Entries that failed their signature or decryption check, skipped.
    pub refused: usize,
    /// The batch holds the log's close (signed with the write key): nothing follows.
    pub closed: bool,
}

/// Opens what a batch holds beyond `after`, each entry once and in order: a replayed
/// or reordered one at or before the position is already here. An entry that fails its
/// check is counted and skipped, never a reason to stop: one bad entry must not keep
/// everything after it (or a newcomer's whole join) out.
pub fn open_batch(cap: &Capability, after: u64, snapshot: Option<(u64, SealedEntry)>, entries: Vec<(u64, SealedEntry)>) -> Opened {
    let mut opened = Opened { newest: after, ..Opened::default() };
    if let Some((covers, entry)) = snapshot.filter(|(covers, _)| *covers > after) {
        match cap.open_entry(EntryKind::Snapshot { covers }, &entry) {
            Ok(bytes) => opened.snapshot = Some(bytes),
            Err(_) => opened.refused += 1,
        }
        opened.newest = covers;
        opened.snapshot_covers = Some(covers);
    }
    for (seq, entry) in entries {
        if seq <= opened.newest {
            continue;
        }
        match cap.open_entry(EntryKind::Change, &entry) {
            Ok(bytes) => opened.changes.push(bytes),
            Err(_) if cap.open_entry(EntryKind::Close, &entry).is_ok() => opened.closed = true,
            Err(_) => opened.refused += 1,
        }
        opened.newest = seq;
    }
    opened
}

/// What to tell the person about `refused` entries, if any.
pub fn refused_warning(refused: usize) -> Option<String> {
    (refused > 0).then(|| {
        format!(
            "{refused} change{} from the relay failed its signature or decryption check and {} ignored.",
            if refused == 1 { "" } else { "s" },
            if refused == 1 { "was" } else { "were" }
        )
    })
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
