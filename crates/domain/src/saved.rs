//! What a saved document (a snapshot's bytes) records in its header, read without
//! loading it: whether a copy already holds all of it. Loading a whole document to find
//! out costs about a second at 10,000 ideas; this costs a few hundred bytes.

use automerge::ChangeHash;

use crate::Workspace;

/// Automerge's chunk header: these bytes, a checksum, the chunk's type and length.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;

/// The heads `bytes` records if it is exactly one document chunk (what
/// [`Workspace::snapshot`] makes), read from its header alone; `None` for anything else.
pub fn saved_heads(bytes: &[u8]) -> Option<Vec<ChangeHash>> {
    let rest = bytes.strip_prefix(&MAGIC)?;
    // After the checksum: the chunk's type and length.
    let (&kind, rest) = rest.get(4..)?.split_first()?;
    let (length, rest) = uleb(rest)?;
    // One document and nothing after it: changes after it would not be in its heads.
    if kind != DOCUMENT || u64::try_from(rest.len()).ok()? != length {
        return None;
    }
    let (actors, mut rest) = uleb(rest)?;
    for _ in 0..actors {
        let (n, after) = uleb(rest)?;
        rest = after.get(usize::try_from(n).ok()?..)?;
    }
    let (count, mut rest) = uleb(rest)?;
    let mut heads = Vec::new();
    for _ in 0..count {
        let (hash, after) = rest.split_at_checked(32)?;
        heads.push(ChangeHash::try_from(hash).ok()?);
        rest = after;
    }
    Some(heads)
}

/// An unsigned LEB128 number and what follows it.
fn uleb(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

impl Workspace {
    /// Whether this copy already holds every change of the saved document `bytes`
    /// (a change is held only with everything before it, so its heads tell: nothing
    /// is missing from them). False when unsure: bytes that are not one document, or
    /// changes of this copy still waiting for theirs.
    pub fn holds_all_of(&mut self, saved: &[u8]) -> bool {
        saved_heads(saved).is_some_and(|heads| self.doc.get_missing_deps(&heads).is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_tells_its_heads_and_whether_a_copy_holds_it() {
        let mut ws = Workspace::create("Saved", 1, "Ana");
        ws.create_idea("Offline mode", 2, "Ana").unwrap();
        let mut other = ws.fork();
        let snapshot = ws.snapshot();
        assert_eq!(saved_heads(&snapshot), Some(ws.heads()));
        assert!(ws.holds_all_of(&snapshot) && other.holds_all_of(&snapshot));

        // A change only the other copy has: its snapshot is not all held here, until it
        // arrives.
        other.create_idea("Invoice reminders", 3, "Bo").unwrap();
        let theirs = other.snapshot();
        assert!(!ws.holds_all_of(&theirs));
        ws.apply(&other.save_incremental()).unwrap();
        assert!(ws.holds_all_of(&theirs));
    }

    #[test]
    fn anything_but_exactly_one_document_is_not_vouched_for() {
        let mut ws = Workspace::create("Saved", 1, "Ana");
        let mut snapshot = ws.snapshot();
        for cut in 0..snapshot.len() {
            assert_eq!(saved_heads(&snapshot[..cut]), None, "cut at {cut}");
        }
        let mut other = ws.fork();
        other.create_idea("After the snapshot", 2, "Bo").unwrap();
        // A change chunk after the document: its change is not in the document's heads.
        snapshot.extend(other.save_incremental());
        assert_eq!(saved_heads(&snapshot), None);
        assert!(!ws.holds_all_of(&snapshot));
        assert_eq!(saved_heads(&other.save_incremental()), None, "a change chunk is not a document");
        assert_eq!(saved_heads(b"\x85\x6f\x4a\x83garbage"), None);
    }
}
