//! The relay's log: sealed entries and snapshots per workspace, each with a gap-free
//! sequence number, behind one trait ([`Log`]) with two stores:
//!
//! - [`embedded`]: one redb file in the data directory, for a relay on its own (the
//!   default). Only this relay writes it.
//! - [`postgres`]: a PostgreSQL database that several relays share. Each workspace's
//!   head row is locked for the length of a commit, so commits of one workspace land
//!   in seq order and a rollback loses no number; notifications tell the other relays
//!   that there is more to read (a hint only: they read the rows themselves).
//!
//! Whether a write is stored is decided by [`Rules`] against the workspace's head as
//! the store reads it inside the commit, so the same limits and snapshot rules hold
//! however many relays write.

pub mod embedded;
pub mod postgres;
pub(crate) mod rules;

use std::net::IpAddr;

use waymark_protocol::{ErrorCode, RelayId, SealedEntry};

pub use rules::Rules;

pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// A workspace's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Head {
    /// The newest sequence number (0: nothing yet).
    pub seq: u64,
    /// Bytes stored for the workspace (entries and snapshot).
    pub bytes: u64,
    /// The sequence number the snapshot covers (0: no snapshot).
    pub covers: u64,
    /// The log's epoch (0: nothing stored yet).
    pub epoch: u64,
    /// The seq of the entry that closed the log (0: open).
    pub closed: u64,
}

/// Bytes one entry's signature row takes: kept for good (a snapshot does not drop it),
/// so that a replay is recognised however old the entry.
pub const SIGNATURE_ROW: u64 = 96 + 8;

impl Head {
    /// Everything the workspace holds in the store: its entries and snapshot, and one
    /// signature row per entry it ever stored.
    pub fn footprint(&self) -> u64 {
        self.bytes.saturating_add(SIGNATURE_ROW.saturating_mul(self.seq))
    }
}

/// A fresh epoch: random, never 0 (which means "no entries yet").
pub fn new_epoch() -> Result<u64, StoreError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random numbers: {e}"))?;
    Ok(u64::from_be_bytes(bytes).max(1))
}

/// Bytes a snapshot takes in storage (its `covers` prefix included).
pub fn snapshot_size(entry: &SealedEntry) -> u64 {
    8 + entry.len() as u64
}

/// What a write asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WriteKind {
    Change,
    /// The entry that closes the log.
    Close,
    Snapshot { covers: u64 },
}

/// One write of a group commit (its signature was checked by its connection).
#[derive(Clone, Debug)]
pub struct Write {
    pub ws: RelayId,
    pub entry: SealedEntry,
    pub kind: WriteKind,
    /// The address it came from (new workspaces are limited per address).
    pub addr: IpAddr,
}

/// What became of a write once its group committed.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Stored as `seq` of the log named `epoch`: acknowledged and sent to subscribers.
    Stored { seq: u64, epoch: u64 },
    /// Acknowledged with `seq` and nothing stored or sent: an entry stored before, a
    /// close of a closed log, or a snapshot (covering `seq`).
    Acked { seq: u64 },
    Refused { code: ErrorCode, message: String },
}

/// What the relays sharing a store tell each other (nothing is stored).
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// A workspace's log has entries up to `seq`: read them if you serve it.
    Appended { ws: RelayId, seq: u64 },
    Presence { ws: RelayId, from: u64, sealed: Vec<u8> },
    /// Connection `from` passes a signal to connection `to` (served by the relay that
    /// numbered it).
    Signal { ws: RelayId, from: u64, to: u64, sealed: Vec<u8> },
    /// Connection `from` left the workspace.
    Left { ws: RelayId, from: u64 },
    /// A relay stopped answering: its connections are gone.
    RelayGone { relay: u64 },
    /// Notes may have been lost (the listening connection dropped): read every head
    /// again.
    Resync,
}

/// A consistent-enough view for reading a log: a catch-up reads it a page at a time.
/// The embedded store's is one view at one commit; PostgreSQL's reads each page as
/// committed when it is read, so a snapshot may drop entries between pages (the
/// catch-up then sends the snapshot, see `core::CatchUp`).
pub trait Reader: Send {
    /// The snapshot, if any: (covers, entry).
    fn snapshot(&mut self, ws: &RelayId) -> Result<Option<(u64, SealedEntry)>, StoreError>;
    /// Entries with `after < seq`, in order, calling `f` for each until it returns false.
    fn entries_after(&mut self, ws: &RelayId, after: u64, f: &mut dyn FnMut(u64, SealedEntry) -> bool) -> Result<(), StoreError>;
}

/// A relay's log store.
pub trait Log: Send {
    /// This relay's number among the relays sharing the store (0 when it is alone):
    /// the high bits of its connection ids, so those are unique across relays.
    fn relay_number(&self) -> u64;
    /// Whether other relays write this store too.
    fn shared(&self) -> bool;
    /// A workspace's counters as committed now.
    fn head(&mut self, ws: &RelayId) -> Result<Head, StoreError>;
    /// What every workspace together holds ([`Head::footprint`] summed).
    fn footprint(&mut self) -> Result<u64, StoreError>;
    /// Commits a group of writes durably, all or nothing, each decided by `rules`
    /// against its workspace's head as it stands in the transaction. On `Err`
    /// nothing was stored (or, if the connection dropped during the commit, it is
    /// unknown: writes are sent again and recognised by their signatures).
    fn commit(&mut self, writes: &[Write], rules: &mut Rules) -> Result<Vec<Outcome>, StoreError>;
    /// A reader for a catch-up, used on another thread.
    fn reader(&mut self) -> Result<Box<dyn Reader>, StoreError>;
    /// Tells the other relays (nothing for a store of one relay).
    fn tell(&mut self, note: &Note) -> Result<(), StoreError>;
    /// Starts passing the other relays' notes to `to_core` (nothing for a store of one
    /// relay).
    fn listen(&mut self, to_core: Box<dyn Fn(Note) -> bool + Send>) -> Result<(), StoreError>;
}

/// Where the relay keeps its log: `--store` (a `postgres://` URL) or the data
/// directory's embedded file.
pub fn open(data_dir: &std::path::Path, url: Option<&str>) -> Result<Box<dyn Log>, StoreError> {
    match url {
        Some(url) => Ok(Box::new(postgres::Store::open(url)?)),
        None => Ok(Box::new(embedded::Store::open(data_dir)?)),
    }
}

#[cfg(test)]
pub(crate) fn write(ws: RelayId, entry: SealedEntry, kind: WriteKind) -> Write {
    Write { ws, entry, kind, addr: IpAddr::from([127, 0, 0, 1]) }
}
