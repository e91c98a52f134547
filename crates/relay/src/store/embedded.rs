//! The embedded store: sealed entries and snapshots in one redb file in the data
//! directory, for a relay on its own. Only the relay's core thread writes; every commit is fsynced before it
//! returns, so whatever was acknowledged survives a crash. Readers (subscribers
//! catching up) work on a [`Reader`], a consistent view taken at one commit.
//!
//! Tables: `entries` (workspace ‖ seq, big-endian → sealed entry bytes), `snapshots`
//! (workspace → covers ‖ sealed entry), `heads` (workspace → (head seq, stored bytes,
//! seq the snapshot covers)), `signatures` (workspace ‖ an entry's signature → its
//! seq: every entry ever stored, kept after a snapshot drops the entry, so a replayed
//! entry is recognised and stored once), `epochs` (workspace → the random number that
//! names this log of it, chosen with its first entry: a client that sees another one
//! knows the numbers restarted), `closed` (workspace → seq of the entry that closed
//! its log: it takes no more).

use std::path::Path;

use std::collections::HashMap;

use redb::{Database, ReadOnlyTable, ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction};
use waymark_protocol::{RelayId, SealedEntry};

use super::rules::Decision;
use super::{new_epoch, Head, Log, Note, Outcome, Rules, StoreError, Write, WriteKind};

const ENTRIES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("entries");
const SNAPSHOTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("snapshots");
const HEADS: TableDefinition<&[u8], (u64, u64, u64)> = TableDefinition::new("heads");
const SIGNATURES: TableDefinition<&[u8], u64> = TableDefinition::new("signatures");
const EPOCHS: TableDefinition<&[u8], u64> = TableDefinition::new("epochs");
const CLOSED: TableDefinition<&[u8], u64> = TableDefinition::new("closed");

/// The file in the data directory.
pub const FILE: &str = "relay.redb";

pub struct Store {
    db: Database,
}

fn entry_key(ws: &RelayId, seq: u64) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&ws.0);
    k[32..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn signature_key(ws: &RelayId, entry: &SealedEntry) -> [u8; 96] {
    let mut k = [0u8; 96];
    k[..32].copy_from_slice(&ws.0);
    k[32..].copy_from_slice(&entry.signature);
    k
}

pub(crate) fn encode_entry(e: &SealedEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(e.len());
    out.extend_from_slice(&e.nonce);
    out.extend_from_slice(&e.signature);
    out.extend_from_slice(&e.ciphertext);
    out
}

pub(crate) fn decode_entry(bytes: &[u8]) -> Option<SealedEntry> {
    if bytes.len() < 88 {
        return None;
    }
    Some(SealedEntry { nonce: bytes[..24].try_into().ok()?, signature: bytes[24..88].try_into().ok()?, ciphertext: bytes[88..].to_vec() })
}

/// One write transaction with its tables open, for a whole group commit.
pub struct Batch<'t> {
    entries: Table<'t, &'static [u8], &'static [u8]>,
    snapshots: Table<'t, &'static [u8], &'static [u8]>,
    heads: Table<'t, &'static [u8], (u64, u64, u64)>,
    signatures: Table<'t, &'static [u8], u64>,
    epochs: Table<'t, &'static [u8], u64>,
    closed: Table<'t, &'static [u8], u64>,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let db = Database::create(dir.join(FILE))?;
        let txn = db.begin_write()?;
        txn.open_table(ENTRIES)?;
        txn.open_table(SNAPSHOTS)?;
        txn.open_table(HEADS)?;
        txn.open_table(SIGNATURES)?;
        txn.open_table(CLOSED)?;
        {
            // Workspaces stored before logs had an epoch get one now.
            let heads = txn.open_table(HEADS)?;
            let mut epochs = txn.open_table(EPOCHS)?;
            let missing: Vec<Vec<u8>> = heads
                .iter()?
                .filter_map(|item| item.ok().map(|(k, _)| k.value().to_vec()))
                .filter(|k| epochs.get(k.as_slice()).ok().flatten().is_none())
                .collect();
            for ws in missing {
                epochs.insert(ws.as_slice(), new_epoch()?)?;
            }
        }
        txn.commit()?;
        Ok(Store { db })
    }

    pub fn head(&self, ws: &RelayId) -> Result<Head, StoreError> {
        let txn = self.db.begin_read()?;
        let heads = txn.open_table(HEADS)?;
        let epoch = txn.open_table(EPOCHS)?.get(ws.0.as_slice())?.map(|v| v.value()).unwrap_or(0);
        let closed = txn.open_table(CLOSED)?.get(ws.0.as_slice())?.map(|v| v.value()).unwrap_or(0);
        Ok(heads
            .get(ws.0.as_slice())?
            .map(|v| {
                let (seq, bytes, covers) = v.value();
                Head { seq, bytes, covers, epoch, closed }
            })
            .unwrap_or_default())
    }

    /// What every workspace together holds ([`Head::footprint`] summed).
    pub fn footprint(&self) -> Result<u64, StoreError> {
        let txn = self.db.begin_read()?;
        let mut total = 0u64;
        for item in txn.open_table(HEADS)?.iter()? {
            let (seq, bytes, covers) = item?.1.value();
            total = total.saturating_add(Head { seq, bytes, covers, ..Head::default() }.footprint());
        }
        Ok(total)
    }

    /// A write transaction; [`Store::batch`] opens its tables.
    pub fn begin(&self) -> Result<WriteTransaction, StoreError> {
        Ok(self.db.begin_write()?)
    }

    pub fn batch(txn: &WriteTransaction) -> Result<Batch<'_>, StoreError> {
        Ok(Batch {
            entries: txn.open_table(ENTRIES)?,
            snapshots: txn.open_table(SNAPSHOTS)?,
            heads: txn.open_table(HEADS)?,
            signatures: txn.open_table(SIGNATURES)?,
            epochs: txn.open_table(EPOCHS)?,
            closed: txn.open_table(CLOSED)?,
        })
    }

    /// A consistent view of everything committed so far.
    pub fn reader(&self) -> Result<Reader, StoreError> {
        let txn = self.db.begin_read()?;
        Ok(Reader { entries: txn.open_table(ENTRIES)?, snapshots: txn.open_table(SNAPSHOTS)? })
    }
}

impl Batch<'_> {
    /// The workspace's counters as they stand in this transaction.
    pub fn head(&self, ws: &RelayId) -> Result<Head, StoreError> {
        let epoch = self.epochs.get(ws.0.as_slice())?.map(|v| v.value()).unwrap_or(0);
        let closed = self.closed.get(ws.0.as_slice())?.map(|v| v.value()).unwrap_or(0);
        Ok(self
            .heads
            .get(ws.0.as_slice())?
            .map(|v| {
                let (seq, bytes, covers) = v.value();
                Head { seq, bytes, covers, epoch, closed }
            })
            .unwrap_or_default())
    }

    /// Stores entry `head.seq` and the workspace's new counters.
    pub fn put_entry(&mut self, ws: &RelayId, entry: &SealedEntry, head: Head) -> Result<(), StoreError> {
        self.entries.insert(entry_key(ws, head.seq).as_slice(), encode_entry(entry).as_slice())?;
        self.signatures.insert(signature_key(ws, entry).as_slice(), head.seq)?;
        if head.seq == 1 {
            self.epochs.insert(ws.0.as_slice(), head.epoch)?;
        }
        self.heads.insert(ws.0.as_slice(), (head.seq, head.bytes, head.covers))?;
        if head.closed != 0 {
            self.closed.insert(ws.0.as_slice(), head.closed)?;
        }
        Ok(())
    }

    /// The seq this very entry was stored as, if it ever was (signatures are unique:
    /// each sealing draws a fresh nonce).
    pub fn stored_as(&self, ws: &RelayId, entry: &SealedEntry) -> Result<Option<u64>, StoreError> {
        Ok(self.signatures.get(signature_key(ws, entry).as_slice())?.map(|v| v.value()))
    }

    /// Bytes a snapshot covering `covers` would free: the entries it covers and the
    /// snapshot it replaces.
    pub fn covered_bytes(&self, ws: &RelayId, covers: u64) -> Result<u64, StoreError> {
        let mut freed = 0u64;
        for item in self.entries.range(entry_key(ws, 0).as_slice()..=entry_key(ws, covers).as_slice())? {
            freed += item?.1.value().len() as u64;
        }
        if let Some(old) = self.snapshots.get(ws.0.as_slice())? {
            freed += old.value().len() as u64;
        }
        Ok(freed)
    }

    /// Stores a snapshot covering `covers`, drops the entries it covers and the
    /// snapshot it replaces, and stores `head` (already counting the change).
    pub fn put_snapshot(&mut self, ws: &RelayId, covers: u64, entry: &SealedEntry, head: Head) -> Result<(), StoreError> {
        self.entries.retain_in(entry_key(ws, 0).as_slice()..=entry_key(ws, covers).as_slice(), |_, _| false)?;
        let mut value = covers.to_be_bytes().to_vec();
        value.extend(encode_entry(entry));
        self.snapshots.insert(ws.0.as_slice(), value.as_slice())?;
        self.heads.insert(ws.0.as_slice(), (head.seq, head.bytes, head.covers))?;
        Ok(())
    }
}

impl Log for Store {
    fn relay_number(&self) -> u64 {
        0
    }

    fn shared(&self) -> bool {
        false
    }

    fn head(&mut self, ws: &RelayId) -> Result<Head, StoreError> {
        Store::head(self, ws)
    }

    fn footprint(&mut self) -> Result<u64, StoreError> {
        Store::footprint(self)
    }

    fn commit(&mut self, writes: &[Write], rules: &mut Rules) -> Result<Vec<Outcome>, StoreError> {
        let txn = self.begin()?;
        let mut outcomes = Vec::with_capacity(writes.len());
        {
            let mut batch = Store::batch(&txn)?;
            // Heads as this group leaves them (the tables see the group's writes too;
            // this saves reading three of them per write).
            let mut heads: HashMap<RelayId, Head> = HashMap::new();
            for w in writes {
                let head = match heads.get(&w.ws) {
                    Some(h) => *h,
                    None => batch.head(&w.ws)?,
                };
                let decision = match w.kind {
                    WriteKind::Change | WriteKind::Close => rules.append(head, batch.stored_as(&w.ws, &w.entry)?, w)?,
                    WriteKind::Snapshot { covers } => rules.snapshot(head, covers, w, || batch.covered_bytes(&w.ws, covers))?,
                };
                outcomes.push(match decision {
                    Decision::Answer(outcome) => outcome,
                    Decision::Store(new) => {
                        heads.insert(w.ws, new);
                        match w.kind {
                            WriteKind::Snapshot { covers } => {
                                batch.put_snapshot(&w.ws, covers, &w.entry, new)?;
                                Outcome::Acked { seq: covers }
                            }
                            _ => {
                                batch.put_entry(&w.ws, &w.entry, new)?;
                                Outcome::Stored { seq: new.seq, epoch: new.epoch }
                            }
                        }
                    }
                });
            }
        }
        txn.commit()?;
        Ok(outcomes)
    }

    fn reader(&mut self) -> Result<Box<dyn super::Reader>, StoreError> {
        Ok(Box::new(Store::reader(self)?))
    }

    fn tell(&mut self, _note: &Note) -> Result<(), StoreError> {
        Ok(())
    }

    fn listen(&mut self, _to_core: Box<dyn Fn(Note) -> bool + Send>) -> Result<(), StoreError> {
        Ok(())
    }
}

/// What one subscriber's catch-up reads: the store as it was at one commit, whatever
/// is written or compacted meanwhile.
pub struct Reader {
    entries: ReadOnlyTable<&'static [u8], &'static [u8]>,
    snapshots: ReadOnlyTable<&'static [u8], &'static [u8]>,
}

impl super::Reader for Reader {
    fn snapshot(&mut self, ws: &RelayId) -> Result<Option<(u64, SealedEntry)>, StoreError> {
        let Some(v) = self.snapshots.get(ws.0.as_slice())? else { return Ok(None) };
        let bytes = v.value();
        let Some((covers, entry)) = bytes.split_first_chunk::<8>() else { return Err("a stored snapshot is damaged".into()) };
        let entry = decode_entry(entry).ok_or("a stored snapshot is damaged")?;
        Ok(Some((u64::from_be_bytes(*covers), entry)))
    }

    fn entries_after(&mut self, ws: &RelayId, after: u64, f: &mut dyn FnMut(u64, SealedEntry) -> bool) -> Result<(), StoreError> {
        let Some(start) = after.checked_add(1) else { return Ok(()) };
        for item in self.entries.range(entry_key(ws, start).as_slice()..=entry_key(ws, u64::MAX).as_slice())? {
            let (k, v) = item?;
            let seq = k.value().split_last_chunk::<8>().map(|(_, s)| u64::from_be_bytes(*s)).ok_or("a stored entry key is damaged")?;
            let entry = decode_entry(v.value()).ok_or("a stored entry is damaged")?;
            if !f(seq, entry) {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{snapshot_size, Reader as _};
    use waymark_protocol::{Capability, EntryKind};

    #[test]
    fn a_snapshot_drops_what_it_covers_and_readers_keep_their_view() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let cap = Capability::generate().unwrap();
        let ws = cap.relay_id();
        let mut head = Head::default();
        let txn = store.begin().unwrap();
        {
            let mut batch = Store::batch(&txn).unwrap();
            for i in 0..5 {
                let e = cap.seal_entry(EntryKind::Change, format!("change {i}").as_bytes()).unwrap();
                head.seq += 1;
                head.bytes += e.len() as u64;
                batch.put_entry(&ws, &e, head).unwrap();
            }
        }
        txn.commit().unwrap();
        assert_eq!(store.head(&ws).unwrap(), head);
        let mut before = store.reader().unwrap();

        let snap = cap.seal_entry(EntryKind::Snapshot { covers: 3 }, b"whole").unwrap();
        let txn = store.begin().unwrap();
        {
            let mut batch = Store::batch(&txn).unwrap();
            let freed = batch.covered_bytes(&ws, 3).unwrap();
            assert_eq!(freed, 3 * 88 + (3 * "change 0".len() + 3 * 16) as u64);
            head.bytes = head.bytes - freed + snapshot_size(&snap);
            head.covers = 3;
            batch.put_snapshot(&ws, 3, &snap, head).unwrap();
        }
        txn.commit().unwrap();
        assert_eq!(store.head(&ws).unwrap(), head);

        let seqs = |r: &mut Reader| {
            let mut v = Vec::new();
            r.entries_after(&ws, 0, &mut |s, _| {
                v.push(s);
                true
            })
            .unwrap();
            v
        };
        let mut after = store.reader().unwrap();
        assert_eq!(seqs(&mut after), [4, 5]);
        assert_eq!(after.snapshot(&ws).unwrap(), Some((3, snap)));
        // The earlier view still sees everything, and no snapshot.
        assert_eq!(seqs(&mut before), [1, 2, 3, 4, 5]);
        assert_eq!(before.snapshot(&ws).unwrap(), None);
    }
}
