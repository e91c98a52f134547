//! Durable storage of sealed entries and snapshots, in one redb file in the data
//! directory. Only the relay's core thread writes; every commit is fsynced before it
//! returns, so whatever was acknowledged survives a crash.
//!
//! Tables: `entries` (workspace ‖ seq, big-endian → sealed entry bytes), `snapshots`
//! (workspace → covers ‖ sealed entry), `heads` (workspace → (head seq, stored bytes,
//! seq the snapshot covers)).

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use waymark_protocol::{RelayId, SealedEntry};

const ENTRIES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("entries");
const SNAPSHOTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("snapshots");
const HEADS: TableDefinition<&[u8], (u64, u64, u64)> = TableDefinition::new("heads");

pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

pub struct Store {
    db: Database,
}

/// A workspace's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Head {
    /// The newest sequence number (0: nothing yet).
    pub seq: u64,
    /// Bytes stored for the workspace (entries and snapshot).
    pub bytes: u64,
    /// The sequence number the snapshot covers (0: no snapshot).
    pub covers: u64,
}

fn entry_key(ws: &RelayId, seq: u64) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&ws.0);
    k[32..].copy_from_slice(&seq.to_be_bytes());
    k
}

pub fn encode_entry(e: &SealedEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(e.len());
    out.extend_from_slice(&e.nonce);
    out.extend_from_slice(&e.signature);
    out.extend_from_slice(&e.ciphertext);
    out
}

pub fn decode_entry(bytes: &[u8]) -> Option<SealedEntry> {
    if bytes.len() < 88 {
        return None;
    }
    Some(SealedEntry {
        nonce: bytes[..24].try_into().ok()?,
        signature: bytes[24..88].try_into().ok()?,
        ciphertext: bytes[88..].to_vec(),
    })
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let db = Database::create(dir.join("relay.redb"))?;
        let txn = db.begin_write()?;
        txn.open_table(ENTRIES)?;
        txn.open_table(SNAPSHOTS)?;
        txn.open_table(HEADS)?;
        txn.commit()?;
        Ok(Store { db })
    }

    pub fn head(&self, ws: &RelayId) -> Result<Head, StoreError> {
        let txn = self.db.begin_read()?;
        let heads = txn.open_table(HEADS)?;
        Ok(heads
            .get(ws.0.as_slice())?
            .map(|v| {
                let (seq, bytes, covers) = v.value();
                Head { seq, bytes, covers }
            })
            .unwrap_or_default())
    }

    pub fn begin(&self) -> Result<WriteTransaction, StoreError> {
        Ok(self.db.begin_write()?)
    }

    pub fn put_entry(txn: &WriteTransaction, ws: &RelayId, seq: u64, entry: &SealedEntry, head: Head) -> Result<(), StoreError> {
        txn.open_table(ENTRIES)?.insert(entry_key(ws, seq).as_slice(), encode_entry(entry).as_slice())?;
        txn.open_table(HEADS)?.insert(ws.0.as_slice(), (head.seq, head.bytes, head.covers))?;
        Ok(())
    }

    /// Stores a snapshot covering `covers` and drops the entries it covers (and the
    /// snapshot it replaces), updating `head`'s byte count.
    pub fn put_snapshot(txn: &WriteTransaction, ws: &RelayId, covers: u64, entry: &SealedEntry, head: &mut Head) -> Result<(), StoreError> {
        let mut freed = 0u64;
        {
            let mut entries = txn.open_table(ENTRIES)?;
            let start = entry_key(ws, 0);
            let end = entry_key(ws, covers);
            let doomed: Vec<[u8; 40]> = entries
                .range(start.as_slice()..=end.as_slice())?
                .filter_map(|r| r.ok())
                .map(|(k, v)| {
                    freed += v.value().len() as u64;
                    k.value().try_into().expect("entry keys are 40 bytes")
                })
                .collect();
            for k in doomed {
                entries.remove(k.as_slice())?;
            }
        }
        let mut snapshots = txn.open_table(SNAPSHOTS)?;
        if let Some(old) = snapshots.get(ws.0.as_slice())? {
            freed += old.value().len() as u64;
        }
        let mut value = covers.to_be_bytes().to_vec();
        value.extend(encode_entry(entry));
        snapshots.insert(ws.0.as_slice(), value.as_slice())?;
        head.bytes = head.bytes.saturating_sub(freed) + value.len() as u64;
        head.covers = covers;
        txn.open_table(HEADS)?.insert(ws.0.as_slice(), (head.seq, head.bytes, head.covers))?;
        Ok(())
    }

    /// The snapshot, if any: (covers, entry).
    pub fn snapshot(&self, ws: &RelayId) -> Result<Option<(u64, SealedEntry)>, StoreError> {
        let txn = self.db.begin_read()?;
        let snapshots = txn.open_table(SNAPSHOTS)?;
        let Some(v) = snapshots.get(ws.0.as_slice())? else { return Ok(None) };
        let bytes = v.value();
        if bytes.len() < 8 {
            return Ok(None);
        }
        let covers = u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"));
        Ok(decode_entry(&bytes[8..]).map(|e| (covers, e)))
    }

    /// Entries with `after < seq`, in order, calling `f` for each until it returns false.
    pub fn entries_after(&self, ws: &RelayId, after: u64, mut f: impl FnMut(u64, SealedEntry) -> bool) -> Result<(), StoreError> {
        let txn = self.db.begin_read()?;
        let entries = txn.open_table(ENTRIES)?;
        let start = entry_key(ws, after.saturating_add(1));
        let end = entry_key(ws, u64::MAX);
        for item in entries.range(start.as_slice()..=end.as_slice())? {
            let (k, v) = item?;
            let seq = u64::from_be_bytes(k.value()[32..40].try_into().expect("40-byte key"));
            if let Some(entry) = decode_entry(v.value()) {
                if !f(seq, entry) {
                    break;
                }
            }
        }
        Ok(())
    }
}
