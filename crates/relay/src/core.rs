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
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use waymark_protocol::{ErrorCode, Message, RelayId, SealedEntry};

use crate::store::{snapshot_size, Batch, Head, Reader, Store, StoreError, SIGNATURE_ROW};
use crate::sync::{error, short, Bucket, Limits, Out, Peer};

/// Most commands folded into one transaction.
const MAX_GROUP: usize = 1024;

pub(crate) enum Command {
    Subscribe { ws: RelayId, conn: u64, after: u64, peer: Peer },
    Unsubscribe { ws: RelayId, conn: u64 },
    /// A change, or with `close` the entry that closes the log.
    Append { ws: RelayId, conn: u64, request: u32, entry: SealedEntry, peer: Peer, close: bool },
    Snapshot { ws: RelayId, conn: u64, request: u32, covers: u64, entry: SealedEntry, peer: Peer },
    Presence { ws: RelayId, conn: u64, sealed: Vec<u8> },
    Gone { conn: u64 },
    Stop,
}

impl Command {
    fn writes(&self) -> bool {
        matches!(self, Command::Append { .. } | Command::Snapshot { .. })
    }

    /// Bytes of a change counted in the relay's pending budget.
    fn pending_bytes(&self) -> usize {
        match self {
            Command::Append { entry, .. } | Command::Snapshot { entry, .. } => entry.len(),
            _ => 0,
        }
    }
}

/// A subscriber's catch-up, read and sent by its own connection: everything after
/// `after` up to `head`, from a view of the store taken when it subscribed.
pub(crate) struct CatchUp {
    pub ws: RelayId,
    pub epoch: u64,
    pub head: u64,
    /// Entries after this seq are still to send.
    pub from: u64,
    /// Whether the first batch (which carries the snapshot, if any) has been read.
    pub started: bool,
    pub reader: Reader,
}

/// Bytes an Entries frame takes before its entries.
const ENTRIES_OVERHEAD: usize = 1 + 32 + 8 + 8 + 1 + 4;

impl CatchUp {
    /// The next Entries frame, at most `max_frame` bytes (unless one stored entry alone
    /// is larger), or `None` when everything up to `head` was sent. The first frame
    /// carries the snapshot if it covers entries the subscriber lacks.
    pub fn next_frame(&mut self, max_frame: usize) -> Result<Option<Bytes>, StoreError> {
        let mut snapshot = None;
        let mut size = ENTRIES_OVERHEAD;
        if !self.started {
            if let Some((covers, entry)) = self.reader.snapshot(&self.ws)?.filter(|(covers, _)| *covers > self.from) {
                size += 8 + waymark_protocol::wire::entry_wire_len(&entry);
                self.from = covers;
                snapshot = Some((covers, entry));
            }
        }
        let mut entries: Vec<(u64, SealedEntry)> = Vec::new();
        let head = self.head;
        self.reader.entries_after(&self.ws, self.from, |seq, entry| {
            let len = 8 + waymark_protocol::wire::entry_wire_len(&entry);
            if seq > head || (size + len > max_frame && (!entries.is_empty() || snapshot.is_some())) {
                return false;
            }
            size += len;
            entries.push((seq, entry));
            true
        })?;
        if let Some((seq, _)) = entries.last() {
            self.from = *seq;
        }
        // The first batch goes even when empty: it tells the subscriber the head.
        if self.started && entries.is_empty() {
            return Ok(None);
        }
        self.started = true;
        Ok(Some(Bytes::from(Message::Entries { workspace: self.ws, epoch: self.epoch, head, snapshot, entries }.encode())))
    }
}

/// The core's state: the store, each workspace's counters, and subscribers.
pub(crate) struct Core {
    store: Store,
    limits: Arc<Limits>,
    /// Counters of the workspaces someone follows (dropped when the last one leaves).
    heads: HashMap<RelayId, Head>,
    subscribers: HashMap<RelayId, BTreeMap<u64, Peer>>,
    subscriptions: HashMap<u64, HashSet<RelayId>>,
    /// What the store holds, all workspaces together (`Head::footprint` summed).
    stored: u64,
    /// Bytes of changes sent to the core and not yet taken (counted by connections).
    pending: Arc<AtomicUsize>,
    /// Workspaces each address may still start.
    starts: HashMap<IpAddr, Bucket>,
    /// Workspaces whose last subscriber left during the current group: their counters
    /// are dropped once it is committed.
    unfollowed: Vec<RelayId>,
}

/// Addresses whose workspace-start buckets are kept before full ones are forgotten.
const MAX_START_BUCKETS: usize = 10_000;

/// A write in the open transaction, to acknowledge (and fan out) once it commits.
struct Done {
    ws: RelayId,
    conn: u64,
    request: u32,
    seq: u64,
    peer: Peer,
    /// The Entries frame for the other subscribers (none for a snapshot).
    frame: Option<Bytes>,
}

impl Core {
    pub fn new(store: Store, limits: Arc<Limits>, stored: u64, pending: Arc<AtomicUsize>) -> Core {
        Core {
            store,
            limits,
            heads: HashMap::new(),
            subscribers: HashMap::new(),
            subscriptions: HashMap::new(),
            stored,
            pending,
            starts: HashMap::new(),
            unfollowed: Vec::new(),
        }
    }

    pub fn run(mut self, rx: std::sync::mpsc::Receiver<Command>) {
        let mut next = None;
        loop {
            let first = match next.take() {
                Some(c) => c,
                None => match rx.recv() {
                    Ok(c) => c,
                    Err(_) => return,
                },
            };
            match first {
                Command::Stop => {
                    tracing::info!("relay core stopped; everything acknowledged is on disk");
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
        }
    }

    /// Handles a group of commands; its writes share one transaction.
    fn group(&mut self, group: Vec<Command>) {
        let txn = if group.iter().any(Command::writes) {
            match self.store.begin() {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::error!(error = %e, "storage error: cannot begin a transaction");
                    None
                }
            }
        } else {
            None
        };
        let mut done = Vec::new();
        let mut failed = false;
        {
            let mut batch = match txn.as_ref().map(Store::batch) {
                Some(Ok(b)) => Some(b),
                Some(Err(e)) => {
                    tracing::error!(error = %e, "storage error: cannot open the tables");
                    None
                }
                None => None,
            };
            for command in group {
                self.pending.fetch_sub(command.pending_bytes(), Ordering::Relaxed);
                match command {
                    Command::Append { ws, conn, request, entry, peer, close } => {
                        let result = match batch.as_mut().filter(|_| !failed) {
                            Some(b) => self.append(b, &mut done, ws, conn, request, entry, &peer, close),
                            None => Err("the transaction was abandoned".into()),
                        };
                        if let Err(e) = result {
                            failed = self.storage_failed(failed, &e, &peer, request);
                        }
                    }
                    Command::Snapshot { ws, conn, request, covers, entry, peer } => {
                        let result = match batch.as_mut().filter(|_| !failed) {
                            Some(b) => self.snapshot(b, &mut done, ws, conn, request, covers, entry, &peer),
                            None => Err("the transaction was abandoned".into()),
                        };
                        if let Err(e) = result {
                            failed = self.storage_failed(failed, &e, &peer, request);
                        }
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
                    // `run` never puts these in a group.
                    Command::Subscribe { .. } | Command::Stop => {}
                }
            }
        }
        let Some(txn) = txn else {
            self.forget_unfollowed();
            return;
        };
        let committed = if failed {
            let _ = txn.abort();
            false
        } else {
            match txn.commit() {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(error = %e, "storage error: the commit failed");
                    false
                }
            }
        };
        if !committed {
            // Counters were moved for writes that are not on disk: read them again.
            self.heads.clear();
            self.unfollowed.clear();
            match self.store.footprint() {
                Ok(n) => self.stored = n,
                Err(e) => tracing::error!(error = %e, "storage error: cannot read what the store holds"),
            }
            for d in done {
                d.peer.send_frame(error(ErrorCode::Internal, d.request, STORE_FAILED));
            }
            return;
        }
        for d in done {
            d.peer.send_frame(Bytes::from(Message::Ack { workspace: d.ws, request: d.request, seq: d.seq }.encode()));
            if let Some(frame) = d.frame {
                self.fan_out(&d.ws, d.conn, &frame);
            }
        }
        self.forget_unfollowed();
    }

    /// Drops the counters of workspaces no one follows any more (read again from the
    /// store if someone comes back), so the cache holds only followed workspaces.
    fn forget_unfollowed(&mut self) {
        for ws in std::mem::take(&mut self.unfollowed) {
            if !self.subscribers.contains_key(&ws) {
                self.heads.remove(&ws);
            }
        }
    }

    /// Whether `addr` may start another workspace (its bucket has a token).
    fn may_start(&mut self, addr: IpAddr) -> bool {
        if self.starts.len() >= MAX_START_BUCKETS && !self.starts.contains_key(&addr) {
            // Forget the addresses that have not started a workspace lately.
            let burst = self.limits.new_workspaces_burst;
            self.starts.retain(|_, b| b.refilled() < burst);
        }
        let (rate, burst) = (self.limits.new_workspaces_per_hour / 3600.0, self.limits.new_workspaces_burst);
        self.starts.entry(addr).or_insert_with(|| Bucket::new(rate, burst)).take().is_ok()
    }

    /// Refuses a write the store failed on; the first failure abandons the group.
    fn storage_failed(&mut self, already: bool, e: &StoreError, peer: &Peer, request: u32) -> bool {
        if !already {
            tracing::error!(error = %e, "storage error; this group of writes is abandoned");
        }
        peer.send_frame(error(ErrorCode::Internal, request, STORE_FAILED));
        true
    }

    fn head(&mut self, ws: &RelayId) -> Result<Head, StoreError> {
        if let Some(h) = self.heads.get(ws) {
            return Ok(*h);
        }
        let h = self.store.head(ws)?;
        self.heads.insert(*ws, h);
        Ok(h)
    }

    /// Stores a change, or with `close` the entry that closes the log (after which
    /// the log takes nothing more).
    #[allow(clippy::too_many_arguments)]
    fn append(&mut self, batch: &mut Batch, done: &mut Vec<Done>, ws: RelayId, conn: u64, request: u32, entry: SealedEntry, peer: &Peer, close: bool) -> Result<(), StoreError> {
        let closed = self.head(&ws)?.closed;
        if closed != 0 {
            if close {
                // Closed already (by us, a lost Ack ago, or by another editor).
                done.push(Done { ws, conn, request, seq: closed, peer: peer.clone(), frame: None });
            } else {
                peer.send_frame(error(ErrorCode::Closed, request, CLOSED));
            }
            return Ok(());
        }
        if let Some(seq) = batch.stored_as(&ws, &entry)? {
            // A replay (or a client sending again after a lost Ack): nothing is stored
            // or fanned out; the sender learns the seq it already has.
            tracing::debug!(conn, workspace = %short(&ws), seq, "a stored entry was sent again");
            done.push(Done { ws, conn, request, seq, peer: peer.clone(), frame: None });
            return Ok(());
        }
        let mut head = self.head(&ws)?;
        let size = entry.len() as u64;
        // A close (88 bytes) is never refused for room: it is how access is removed,
        // and it ends the log's growth.
        if !close && head.bytes.saturating_add(size) > self.limits.max_workspace_bytes {
            tracing::warn!(conn, workspace = %short(&ws), stored = head.bytes, limit = self.limits.max_workspace_bytes, "refused: workspace full");
            peer.send_frame(error(ErrorCode::WorkspaceFull, request, full_message(&self.limits)));
            return Ok(());
        }
        if !close && self.stored.saturating_add(size + SIGNATURE_ROW) > self.limits.max_stored_bytes {
            tracing::warn!(conn, workspace = %short(&ws), stored = self.stored, limit = self.limits.max_stored_bytes, "refused: the relay's storage budget is spent");
            peer.send_frame(error(ErrorCode::WorkspaceFull, request, RELAY_FULL));
            return Ok(());
        }
        if head.seq == 0 && !self.may_start(peer.addr) {
            tracing::warn!(conn, addr = %peer.addr, "refused: too many new workspaces from one address");
            let message = format!("Too many new workspaces from your address (the limit is {} per hour); try again later.", self.limits.new_workspaces_per_hour);
            peer.send_frame(error(ErrorCode::RateLimited, request, message));
            return Ok(());
        }
        self.stored += size + SIGNATURE_ROW;
        head.seq += 1;
        head.bytes += size;
        if close {
            head.closed = head.seq;
            tracing::info!(conn, workspace = %short(&ws), seq = head.seq, "log closed: its links were replaced");
        }
        if head.seq == 1 {
            head.epoch = crate::store::new_epoch()?;
        }
        batch.put_entry(&ws, &entry, head)?;
        self.heads.insert(ws, head);
        let frame = Bytes::from(Message::Entries { workspace: ws, epoch: head.epoch, head: head.seq, snapshot: None, entries: vec![(head.seq, entry)] }.encode());
        done.push(Done { ws, conn, request, seq: head.seq, peer: peer.clone(), frame: Some(frame) });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn snapshot(&mut self, batch: &mut Batch, done: &mut Vec<Done>, ws: RelayId, conn: u64, request: u32, covers: u64, entry: SealedEntry, peer: &Peer) -> Result<(), StoreError> {
        let mut head = self.head(&ws)?;
        if head.closed != 0 {
            peer.send_frame(error(ErrorCode::Closed, request, CLOSED));
            return Ok(());
        }
        let refusal = if covers == 0 || covers > head.seq {
            Some(format!("A snapshot must cover entries the relay has (1 to {}), not {covers}.", head.seq))
        } else if covers < head.covers {
            Some(format!("The relay already has a snapshot covering up to {}, beyond {covers}.", head.covers))
        } else {
            None
        };
        if let Some(message) = refusal {
            tracing::info!(conn, workspace = %short(&ws), covers, head = head.seq, "refused: bad snapshot");
            peer.send_frame(error(ErrorCode::BadSnapshot, request, message));
            return Ok(());
        }
        let bytes = head.bytes.saturating_sub(batch.covered_bytes(&ws, covers)?) + snapshot_size(&entry);
        // Compaction is how a full workspace makes room, so only a snapshot that
        // would grow a workspace past the limit is refused.
        if bytes > self.limits.max_workspace_bytes && bytes > head.bytes {
            tracing::warn!(conn, workspace = %short(&ws), stored = head.bytes, limit = self.limits.max_workspace_bytes, "refused: snapshot over the workspace limit");
            peer.send_frame(error(ErrorCode::WorkspaceFull, request, full_message(&self.limits)));
            return Ok(());
        }
        if bytes > head.bytes && self.stored.saturating_add(bytes - head.bytes) > self.limits.max_stored_bytes {
            tracing::warn!(conn, workspace = %short(&ws), stored = self.stored, limit = self.limits.max_stored_bytes, "refused: snapshot over the relay's storage budget");
            peer.send_frame(error(ErrorCode::WorkspaceFull, request, RELAY_FULL));
            return Ok(());
        }
        self.stored = (self.stored + bytes).saturating_sub(head.bytes);
        head.bytes = bytes;
        head.covers = covers;
        batch.put_snapshot(&ws, covers, &entry, head)?;
        self.heads.insert(ws, head);
        tracing::debug!(conn, workspace = %short(&ws), covers, stored = bytes, "snapshot stored");
        done.push(Done { ws, conn, request, seq: covers, peer: peer.clone(), frame: None });
        Ok(())
    }

    fn fan_out(&self, ws: &RelayId, except: u64, frame: &Bytes) {
        if let Some(subs) = self.subscribers.get(ws) {
            for (conn, peer) in subs {
                if *conn != except {
                    peer.send_frame(frame.clone());
                }
            }
        }
    }

    /// Registers a subscriber and queues its catch-up (everything is committed here).
    fn subscribe(&mut self, ws: RelayId, conn: u64, after: u64, peer: Peer) {
        let queued = (|| -> Result<bool, StoreError> {
            let head = self.head(&ws)?;
            tracing::info!(conn, workspace = %short(&ws), after, head = head.seq, "subscribed");
            if head.seq <= after {
                // Nothing to read: just the head.
                let frame = Message::Entries { workspace: ws, epoch: head.epoch, head: head.seq, snapshot: None, entries: Vec::new() };
                return Ok(peer.send_frame(Bytes::from(frame.encode())));
            }
            let job = CatchUp { ws, epoch: head.epoch, head: head.seq, from: after, started: false, reader: self.store.reader()? };
            Ok(peer.send(Out::CatchUp(Box::new(job))))
        })();
        match queued {
            Ok(true) => {
                if self.heads.get(&ws).is_some_and(|h| h.closed != 0) {
                    // After its catch-up (which ends with the close entry), said plainly.
                    peer.send_frame(error(ErrorCode::Closed, 0, CLOSED));
                }
                self.subscribers.entry(ws).or_default().insert(conn, peer);
                self.subscriptions.entry(conn).or_default().insert(ws);
            }
            Ok(false) => self.unfollowed.push(ws),
            Err(e) => {
                tracing::error!(conn, error = %e, "storage error: cannot read a workspace for a subscriber");
                peer.send_frame(error(ErrorCode::Internal, 0, "The relay could not read this workspace; subscribe again later."));
                self.unfollowed.push(ws);
            }
        }
        // Subscribe runs outside a group: nothing uncommitted to lose.
        self.forget_unfollowed();
    }

    fn leave(&mut self, ws: RelayId, conn: u64) {
        let Some(subs) = self.subscribers.get_mut(&ws) else { return };
        if subs.remove(&conn).is_none() {
            return;
        }
        if subs.is_empty() {
            self.subscribers.remove(&ws);
            self.unfollowed.push(ws);
        } else {
            let frame = Bytes::from(Message::PeerLeft { workspace: ws, from: conn }.encode());
            self.fan_out(&ws, conn, &frame);
        }
        if let Some(set) = self.subscriptions.get_mut(&conn) {
            set.remove(&ws);
        }
    }
}

const STORE_FAILED: &str = "The relay could not store this change; send it again.";

const CLOSED: &str = "This workspace's links were replaced by an editor: this link no longer syncs. Ask a teammate for the new link; what you have stays in your browser.";

const RELAY_FULL: &str = "This relay has used all the storage its operator gave it; a snapshot of a workspace can make room, or ask the operator for more.";

fn full_message(limits: &Limits) -> String {
    format!("This workspace has reached the relay's size limit ({}); a snapshot can make room.", crate::sync::size(limits.max_workspace_bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_protocol::{Capability, EntryKind};

    /// The head cache holds only followed workspaces, so a client visiting many
    /// workspaces in turn cannot grow the relay's memory without bound.
    #[test]
    fn a_workspace_no_one_follows_leaves_the_head_cache() {
        let dir = tempfile::tempdir().unwrap();
        let mut core = Core::new(Store::open(dir.path()).unwrap(), Arc::new(Limits::default()), 0, Arc::default());
        let (peer, _queue) = Peer::for_test([127, 0, 0, 1].into());
        for i in 0..50u64 {
            let cap = Capability::generate().unwrap();
            let ws = cap.relay_id();
            core.subscribe(ws, i, 0, peer.clone());
            let entry = cap.seal_entry(EntryKind::Change, b"x").unwrap();
            core.group(vec![Command::Append { ws, conn: i, request: 1, entry, peer: peer.clone(), close: false }]);
            core.group(vec![Command::Unsubscribe { ws, conn: i }]);
        }
        assert_eq!(core.heads.len(), 0);
        assert!(core.stored > 50 * SIGNATURE_ROW, "what was stored is counted ({})", core.stored);
        assert_eq!(core.stored, core.store.footprint().unwrap());
    }
}
