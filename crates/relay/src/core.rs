//! The core thread: the only writer of the store and the keeper of who follows which
//! workspace.
//!
//! Connections send it [`Command`]s, which it handles in arrival order. The writes
//! that queued up while it was busy go into one transaction (group commit: one fsync
//! for all of them); only after that transaction commits does it acknowledge them and
//! fan them out, in sequence order, as frames encoded once and shared by every
//! subscriber. A Subscribe first commits what is pending, so the subscriber's
//! catch-up (read later by its own connection, from a view of this very commit) and
//! the live entries after it neither overlap nor leave a gap.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use waymark_protocol::{ErrorCode, Message, RelayId, SealedEntry};

use crate::store::{Log, Note, Outcome, Reader, Rules, StoreError, Write};
use crate::sync::{error, short, Limits, Out, Peer};

/// Most commands folded into one transaction.
const MAX_GROUP: usize = 1024;

/// How often a relay sharing its store reads what all workspaces hold (the others
/// write too).
const REFRESH_STORED: Duration = Duration::from_secs(10);

pub(crate) enum Command {
    Subscribe { ws: RelayId, conn: u64, after: u64, peer: Peer },
    Unsubscribe { ws: RelayId, conn: u64 },
    /// A change, a close or a snapshot.
    Write { write: Write, conn: u64, request: u32, peer: Peer },
    Presence { ws: RelayId, conn: u64, sealed: Vec<u8> },
    /// A signal from connection `conn` to connection `to`.
    Signal { ws: RelayId, conn: u64, to: u64, sealed: Vec<u8> },
    Gone { conn: u64 },
    /// From another relay sharing the store.
    Note(Note),
    Stop,
}

impl Command {
    /// Bytes of a change counted in the relay's pending budget.
    fn pending_bytes(&self) -> usize {
        match self {
            Command::Write { write, .. } => write.entry.len(),
            _ => 0,
        }
    }
}

/// A subscriber's catch-up, read and sent by its own connection: everything after
/// `after` up to `head`. Also how a relay sharing its store reads what other relays
/// wrote, to fan it out.
pub(crate) struct CatchUp {
    pub ws: RelayId,
    pub epoch: u64,
    pub head: u64,
    /// Entries after this seq are still to send.
    pub from: u64,
    /// Whether the first batch (which carries the snapshot, if any) has been read.
    pub started: bool,
    pub reader: Box<dyn Reader>,
}

/// Bytes an Entries frame takes before its entries.
const ENTRIES_OVERHEAD: usize = 1 + 32 + 8 + 8 + 1 + 4;

impl CatchUp {
    /// The next Entries frame, at most `max_frame` bytes (unless one stored entry alone
    /// is larger), or `None` when everything up to `head` was sent. The first frame
    /// carries the snapshot if it covers entries the subscriber lacks; so does any
    /// frame whose next entry a snapshot dropped meanwhile (a shared store's reader
    /// sees each page as committed when it reads it), so a subscriber never sees a gap.
    pub fn next_frame(&mut self, max_frame: usize) -> Result<Option<(Bytes, u64)>, StoreError> {
        let mut with_snapshot = !self.started;
        // A snapshot committed between reading the snapshot and reading the entries
        // shows as a gap: read both again (a few times at most; each read sees
        // every snapshot committed before it).
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut snapshot = None;
            let mut size = ENTRIES_OVERHEAD;
            if with_snapshot {
                if let Some((covers, entry)) = self.reader.snapshot(&self.ws)?.filter(|(covers, _)| *covers > self.from) {
                    size += 8 + waymark_protocol::wire::entry_wire_len(&entry);
                    snapshot = Some((covers, entry));
                }
            }
            let from = snapshot.as_ref().map_or(self.from, |(covers, _)| *covers);
            let mut entries: Vec<(u64, SealedEntry)> = Vec::new();
            let head = self.head;
            let has_snapshot = snapshot.is_some();
            // The first seq the reader had after `from`, whether it fits or not.
            let mut next = None;
            self.reader.entries_after(&self.ws, from, &mut |seq, entry| {
                next.get_or_insert(seq);
                let len = 8 + waymark_protocol::wire::entry_wire_len(&entry);
                // Stops at a gap too (a snapshot between two of the reader's pages):
                // the next frame starts with that snapshot.
                let gap = entries.last().is_some_and(|(last, _)| seq != last + 1);
                if seq > head || gap || (size + len > max_frame && (!entries.is_empty() || has_snapshot)) {
                    return false;
                }
                size += len;
                entries.push((seq, entry));
                true
            })?;
            let gap = from < head && next != Some(from + 1);
            if gap && attempts < 4 {
                // A snapshot dropped what comes next since it was last read: send it.
                with_snapshot = true;
                continue;
            }
            if gap {
                tracing::error!(workspace = %short(&self.ws), from, head, "the stored log has a gap no snapshot covers");
            }
            self.from = entries.last().map_or(from, |(seq, _)| *seq);
            // The first batch goes even when empty: it tells the subscriber the head.
            if self.started && entries.is_empty() && snapshot.is_none() {
                return Ok(None);
            }
            self.started = true;
            // A shared store's snapshot may be newer than `head`: the batch then says
            // the snapshot's seq, never a head behind what it carries.
            let head = head.max(self.from);
            let frame = Message::Entries { workspace: self.ws, epoch: self.epoch, head, snapshot, entries }.encode();
            return Ok(Some((Bytes::from(frame), self.from)));
        }
    }
}

/// A workspace someone on this relay follows.
struct Followed {
    /// Its subscribers here.
    subscribers: BTreeMap<u64, Peer>,
    /// Every entry up to this seq was sent to them (or is in their catch-up).
    delivered: u64,
    epoch: u64,
    /// Connections on other relays that sent presence: connection → relay.
    remote: HashMap<u64, u64>,
}

/// The core's state: the store, who follows which workspace, and the rules.
pub(crate) struct Core {
    store: Box<dyn Log>,
    limits: Arc<Limits>,
    rules: Rules,
    followed: HashMap<RelayId, Followed>,
    subscriptions: HashMap<u64, HashSet<RelayId>>,
    /// Bytes of changes sent to the core and not yet taken (counted by connections).
    pending: Arc<AtomicUsize>,
    /// When `rules.stored` was last read from a shared store.
    stored_at: Instant,
    /// Followed workspaces whose read of new entries (or a commit) failed: read again
    /// every [`RETRY`].
    stale: HashSet<RelayId>,
    retried_at: Instant,
}

/// How often failed reads are tried again.
const RETRY: Duration = Duration::from_secs(1);

/// A write in a group, with whom to answer.
struct Asked {
    ws: RelayId,
    conn: u64,
    request: u32,
    peer: Peer,
}

impl Core {
    pub fn new(store: Box<dyn Log>, limits: Arc<Limits>, stored: u64, pending: Arc<AtomicUsize>) -> Core {
        let rules = Rules::new(Arc::clone(&limits), stored);
        Core { store, limits, rules, followed: HashMap::new(), subscriptions: HashMap::new(), pending, stored_at: Instant::now(), stale: HashSet::new(), retried_at: Instant::now() }
    }

    pub fn run(mut self, rx: std::sync::mpsc::Receiver<Command>) {
        let mut next = None;
        loop {
            let first = match next.take() {
                Some(c) => c,
                None => match rx.recv_timeout(if self.stale.is_empty() { REFRESH_STORED } else { RETRY }) {
                    Ok(c) => c,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        self.refresh_stored();
                        self.retry_stale_now_and_then();
                        continue;
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                },
            };
            match first {
                Command::Stop => {
                    tracing::info!("relay core stopped; everything acknowledged is stored");
                    return;
                }
                Command::Subscribe { ws, conn, after, peer } => self.subscribe(ws, conn, after, peer),
                first => {
                    // Everything queued behind it, up to the next Subscribe or Stop,
                    // which must see this group committed.
                    let mut group = vec![first];
                    while group.len() < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(c @ (Command::Subscribe { .. } | Command::Stop)) => {
                                next = Some(c);
                                break;
                            }
                            Ok(c) => group.push(c),
                            Err(_) => break,
                        }
                    }
                    self.group(group);
                }
            }
            self.refresh_stored();
            self.retry_stale_now_and_then();
        }
    }

    /// Reads the stale workspaces again if [`RETRY`] has passed since the last try
    /// (also on a relay too busy for the queue ever to be empty).
    fn retry_stale_now_and_then(&mut self) {
        if !self.stale.is_empty() && self.retried_at.elapsed() >= RETRY {
            self.retried_at = Instant::now();
            self.retry_stale();
        }
    }

    /// With a shared store, reads what all workspaces hold now and then.
    fn refresh_stored(&mut self) {
        if !self.store.shared() || self.stored_at.elapsed() < REFRESH_STORED {
            return;
        }
        self.stored_at = Instant::now();
        match self.store.footprint() {
            Ok(n) => self.rules.stored = n,
            Err(e) => tracing::error!(error = %e, "storage error: cannot read what the store holds"),
        }
    }

    /// Handles a group of commands; its writes share one transaction.
    fn group(&mut self, group: Vec<Command>) {
        let mut writes = Vec::new();
        let mut asked = Vec::new();
        for command in group {
            self.pending.fetch_sub(command.pending_bytes(), Ordering::Relaxed);
            match command {
                Command::Write { write, conn, request, peer } => {
                    asked.push(Asked { ws: write.ws, conn, request, peer });
                    writes.push(write);
                }
                Command::Unsubscribe { ws, conn } => self.leave(ws, conn),
                Command::Gone { conn } => {
                    for ws in self.subscriptions.remove(&conn).unwrap_or_default() {
                        self.leave(ws, conn);
                    }
                }
                Command::Presence { ws, conn, sealed } => {
                    let frame = Bytes::from(Message::PeerPresence { workspace: ws, from: conn, sealed: sealed.clone() }.encode());
                    self.fan_out(&ws, conn, &frame);
                    self.tell(Note::Presence { ws, from: conn, sealed });
                }
                Command::Signal { ws, conn, to, sealed } => {
                    if !self.signal(ws, conn, to, &sealed) && self.store.shared() {
                        // Another relay's connection, perhaps: it delivers it.
                        self.tell(Note::Signal { ws, from: conn, to, sealed });
                    }
                }
                Command::Note(note) => self.note(note),
                // `run` never puts these in a group.
                Command::Subscribe { .. } | Command::Stop => {}
            }
        }
        if writes.is_empty() {
            return;
        }
        let outcomes = match self.store.commit(&writes, &mut self.rules) {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(error = %e, "storage error; this group of writes is abandoned");
                // Counters moved for writes that are not stored: read them again.
                match self.store.footprint() {
                    Ok(n) => self.rules.stored = n,
                    Err(e) => tracing::error!(error = %e, "storage error: cannot read what the store holds"),
                }
                for a in asked {
                    a.peer.send_frame(error(ErrorCode::Internal, a.request, STORE_FAILED));
                    // The commit may have happened after all (the answer was lost).
                    if self.store.shared() && self.followed.contains_key(&a.ws) {
                        self.stale.insert(a.ws);
                    }
                }
                return;
            }
        };
        for ((a, write), outcome) in asked.into_iter().zip(writes).zip(outcomes) {
            match outcome {
                Outcome::Stored { seq, epoch } => {
                    a.peer.send_frame(Bytes::from(Message::Ack { workspace: a.ws, request: a.request, seq }.encode()));
                    self.stored(a.ws, a.conn, seq, epoch, write.entry);
                }
                Outcome::Acked { seq } => {
                    a.peer.send_frame(Bytes::from(Message::Ack { workspace: a.ws, request: a.request, seq }.encode()));
                    // Stored before, perhaps by a commit whose answer was lost on the
                    // way: make sure subscribers here have it.
                    if !matches!(write.kind, crate::store::WriteKind::Snapshot { .. }) {
                        self.read_new(a.ws, seq);
                    }
                }
                Outcome::Refused { code, message } => {
                    a.peer.send_frame(error(code, a.request, message));
                }
            }
        }
    }

    /// Sends an entry this relay stored to the workspace's other subscribers, unless
    /// other relays' entries came before it unseen: then reads them all, in order.
    fn stored(&mut self, ws: RelayId, conn: u64, seq: u64, epoch: u64, entry: SealedEntry) {
        let Some(f) = self.followed.get_mut(&ws) else { return };
        f.epoch = epoch;
        if seq <= f.delivered {
            return;
        }
        if seq == f.delivered + 1 {
            f.delivered = seq;
            let frame = Bytes::from(Message::Entries { workspace: ws, epoch, head: seq, snapshot: None, entries: vec![(seq, entry)] }.encode());
            self.fan_out_entries(&ws, conn, seq, &frame);
        } else {
            self.read_new(ws, seq);
        }
    }

    /// Reads the entries other relays stored after what this relay delivered, up to
    /// `seq` at least, and sends them to every subscriber here, frame by frame.
    fn read_new(&mut self, ws: RelayId, seq: u64) {
        let Some(delivered) = self.followed.get(&ws).map(|f| f.delivered) else { return };
        if seq <= delivered {
            return;
        }
        // Once more on failure: a connection may have dropped since it was used.
        let mut result = self.send_new(ws, delivered);
        if result.is_err() {
            result = self.send_new(ws, self.followed.get(&ws).map_or(delivered, |f| f.delivered));
        }
        match result {
            Ok(()) => {
                self.stale.remove(&ws);
            }
            Err(e) => {
                tracing::error!(workspace = %short(&ws), error = %e, "storage error: cannot read other relays' entries (tried again shortly)");
                self.stale.insert(ws);
            }
        }
    }

    fn send_new(&mut self, ws: RelayId, delivered: u64) -> Result<(), StoreError> {
        let head = self.store.head(&ws)?;
        let mut job = CatchUp { ws, epoch: head.epoch, head: head.seq, from: delivered, started: true, reader: self.store.reader()? };
        while let Some((frame, last)) = job.next_frame(self.limits.max_frame)? {
            self.fan_out_entries(&ws, 0, last, &frame);
            if let Some(f) = self.followed.get_mut(&ws) {
                f.delivered = f.delivered.max(last);
                f.epoch = head.epoch;
            }
        }
        Ok(())
    }

    /// Reads again the workspaces whose last read or commit failed.
    fn retry_stale(&mut self) {
        for ws in std::mem::take(&mut self.stale) {
            match self.store.head(&ws) {
                Ok(head) => self.read_new(ws, head.seq),
                Err(_) => {
                    self.stale.insert(ws);
                }
            }
        }
    }

    /// What another relay told.
    fn note(&mut self, note: Note) {
        match note {
            Note::Appended { ws, seq } => self.read_new(ws, seq),
            Note::Presence { ws, from, sealed } => {
                let relay = from >> crate::sync::CONN_BITS;
                let Some(f) = self.followed.get_mut(&ws) else { return };
                f.remote.insert(from, relay);
                let frame = Bytes::from(Message::PeerPresence { workspace: ws, from, sealed }.encode());
                self.fan_out(&ws, from, &frame);
            }
            Note::Signal { ws, from, to, sealed } => {
                self.signal(ws, from, to, &sealed);
            }
            Note::Left { ws, from } => {
                let Some(f) = self.followed.get_mut(&ws) else { return };
                if f.remote.remove(&from).is_some() {
                    let frame = Bytes::from(Message::PeerLeft { workspace: ws, from }.encode());
                    self.fan_out(&ws, from, &frame);
                }
            }
            Note::RelayGone { relay } => {
                tracing::warn!(relay, "a relay sharing the store stopped answering: its connections left");
                let mut left = Vec::new();
                for (ws, f) in &mut self.followed {
                    f.remote.retain(|conn, r| {
                        if *r == relay {
                            left.push((*ws, *conn));
                        }
                        *r != relay
                    });
                }
                for (ws, from) in left {
                    self.fan_out(&ws, from, &Bytes::from(Message::PeerLeft { workspace: ws, from }.encode()));
                }
            }
            Note::Resync => {
                tracing::info!(workspaces = self.followed.len(), "reading every followed workspace again (notes may have been lost)");
                self.stale.extend(self.followed.keys().copied());
                self.retry_stale();
            }
        }
    }

    fn tell(&mut self, note: Note) {
        if !self.store.shared() {
            return;
        }
        if let Err(e) = self.store.tell(&note) {
            tracing::warn!(error = %e, "could not tell the other relays (they read every head again when their notes resume)");
        }
    }

    /// An Entries frame whose newest entry (or snapshot) is `last`.
    fn fan_out_entries(&self, ws: &RelayId, except: u64, last: u64, frame: &Bytes) {
        if let Some(f) = self.followed.get(ws) {
            for (conn, peer) in &f.subscribers {
                if *conn != except {
                    peer.send(Out::Entries { ws: *ws, last, frame: frame.clone() });
                }
            }
        }
    }

    /// Passes a signal to connection `to` if it is subscribed to `ws` here and speaks
    /// signals (version 3); whether it is here.
    fn signal(&self, ws: RelayId, from: u64, to: u64, sealed: &[u8]) -> bool {
        let Some(peer) = self.followed.get(&ws).and_then(|f| f.subscribers.get(&to)) else { return false };
        if peer.signals {
            peer.send_frame(Bytes::from(Message::PeerSignal { workspace: ws, from, sealed: sealed.to_vec() }.encode()));
        }
        true
    }

    fn fan_out(&self, ws: &RelayId, except: u64, frame: &Bytes) {
        if let Some(f) = self.followed.get(ws) {
            for (conn, peer) in &f.subscribers {
                if *conn != except {
                    peer.send_frame(frame.clone());
                }
            }
        }
    }

    /// Registers a subscriber and queues its catch-up: up to what this relay has
    /// delivered to the workspace's subscribers here (or, for the first one, the head
    /// as committed now), so the live entries after it neither overlap nor leave a gap.
    fn subscribe(&mut self, ws: RelayId, conn: u64, after: u64, peer: Peer) {
        let fresh = self.store.head(&ws);
        if let (Ok(fresh), Some(f)) = (&fresh, self.followed.get(&ws)) {
            if fresh.seq > f.delivered {
                // Other relays' entries not sent here yet: first to those who follow,
                // so the new subscriber's head is never behind what it saw elsewhere.
                self.read_new(ws, fresh.seq);
            }
        }
        let queued = (|| -> Result<(bool, u64), StoreError> {
            let fresh = fresh?;
            let (upto, epoch) = match self.followed.get(&ws) {
                Some(f) => (f.delivered, if f.epoch != 0 { f.epoch } else { fresh.epoch }),
                None => (fresh.seq, fresh.epoch),
            };
            tracing::info!(conn, workspace = %short(&ws), after, head = upto, "subscribed");
            let sent = if upto <= after {
                // Nothing to read: just the head.
                let frame = Message::Entries { workspace: ws, epoch, head: upto, snapshot: None, entries: Vec::new() };
                peer.send_frame(Bytes::from(frame.encode()))
            } else {
                let job = CatchUp { ws, epoch, head: upto, from: after, started: false, reader: self.store.reader()? };
                peer.send(Out::CatchUp(Box::new(job)))
            };
            if sent && fresh.closed != 0 && fresh.closed <= upto {
                // After its catch-up (which ends with the close entry), said plainly.
                peer.send_frame(error(ErrorCode::Closed, 0, crate::store::rules::CLOSED));
            }
            Ok((sent, upto))
        })();
        match queued {
            Ok((true, upto)) => {
                let f = self.followed.entry(ws).or_insert_with(|| Followed { subscribers: BTreeMap::new(), delivered: upto, epoch: 0, remote: HashMap::new() });
                f.subscribers.insert(conn, peer);
                self.subscriptions.entry(conn).or_default().insert(ws);
            }
            Ok((false, _)) => {}
            Err(e) => {
                tracing::error!(conn, error = %e, "storage error: cannot read a workspace for a subscriber");
                peer.send_frame(error(ErrorCode::Internal, 0, "The relay could not read this workspace; subscribe again later."));
            }
        }
    }

    fn leave(&mut self, ws: RelayId, conn: u64) {
        let Some(f) = self.followed.get_mut(&ws) else { return };
        if f.subscribers.remove(&conn).is_none() {
            return;
        }
        if f.subscribers.is_empty() {
            self.followed.remove(&ws);
        } else {
            let frame = Bytes::from(Message::PeerLeft { workspace: ws, from: conn }.encode());
            self.fan_out(&ws, conn, &frame);
        }
        if let Some(set) = self.subscriptions.get_mut(&conn) {
            set.remove(&ws);
        }
        self.tell(Note::Left { ws, from: conn });
    }
}

const STORE_FAILED: &str = "The relay could not store this change; send it again.";

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_protocol::{Capability, EntryKind};

    /// Only followed workspaces are kept, so a client visiting many workspaces in turn
    /// cannot grow the relay's memory without bound.
    #[test]
    fn a_workspace_no_one_follows_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::embedded::Store::open(dir.path()).unwrap();
        let mut core = Core::new(Box::new(store), Arc::new(Limits::default()), 0, Arc::default());
        let (peer, _queue) = Peer::for_test([127, 0, 0, 1].into());
        for i in 0..50u64 {
            let cap = Capability::generate().unwrap();
            let ws = cap.relay_id();
            core.subscribe(ws, i, 0, peer.clone());
            let entry = cap.seal_entry(EntryKind::Change, b"x").unwrap();
            let write = crate::store::write(ws, entry, crate::store::WriteKind::Change);
            core.group(vec![Command::Write { write, conn: i, request: 1, peer: peer.clone() }]);
            core.group(vec![Command::Unsubscribe { ws, conn: i }]);
        }
        assert_eq!(core.followed.len(), 0);
        let stored = core.rules.stored;
        assert!(stored > 50 * crate::store::SIGNATURE_ROW, "what was stored is counted ({stored})");
        assert_eq!(stored, core.store.footprint().unwrap());
    }
}
