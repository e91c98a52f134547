//! A bound on how much Automerge data from a peer may inflate to. Automerge stores a
//! change chunk, or a document's columns, deflated, and inflates them whole when it
//! loads them; a few kilobytes can inflate to gigabytes and take a browser tab (or a
//! process built with `panic = "abort"`) down on every reconnect. This walks the
//! chunks first and inflates each deflated part into a counter, never into memory.

use std::io::Read;

/// The most `n` bytes of Automerge data may inflate to: generous for real documents,
/// whose columns compress a few times over, and bounded for a bomb.
pub fn inflation_budget(n: usize) -> u64 {
    (64u64 << 20).saturating_add(32u64.saturating_mul(n as u64))
}

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT: u8 = 0;
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;
/// A column spec's bit that says its data is deflated.
const DEFLATE_BIT: u64 = 0b1000;

/// Why `bytes` were refused before Automerge read them.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Deflated parts that would inflate past [`inflation_budget`].
    Bomb { limit: u64 },
    /// A chunk this app never writes (Automerge's experimental bundles), or framing
    /// that does not parse.
    Unreadable(&'static str),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Bomb { limit } => write!(f, "its compressed parts would take more than {} MB once inflated", limit >> 20),
            Refusal::Unreadable(why) => f.write_str(why),
        }
    }
}

/// Checks that the deflated parts of `bytes` (a sequence of Automerge chunks) inflate
/// to at most [`inflation_budget`] in all.
pub fn check(bytes: &[u8]) -> Result<(), Refusal> {
    let mut budget = inflation_budget(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        let mut r = Reader(rest);
        if r.take(4)? != MAGIC {
            return Err(Refusal::Unreadable("not an Automerge chunk"));
        }
        r.take(4)?; // checksum: Automerge checks it
        let kind = r.take(1)?[0];
        let len = usize::try_from(r.leb()?).map_err(|_| Refusal::Unreadable("a chunk longer than memory"))?;
        let data = r.take(len)?;
        match kind {
            DOCUMENT => document(data, &mut budget)?,
            COMPRESSED_CHANGE => inflate(data, &mut budget)?,
            // A change chunk's columns are never deflated (Automerge refuses them).
            CHANGE => {}
            _ => return Err(Refusal::Unreadable("a kind of Automerge chunk this app never writes")),
        }
        rest = r.0;
    }
    Ok(())
}

/// A document chunk: actors, heads, then the change and operation columns' specs and
/// lengths, then their data in that order; each deflated column is inflated.
fn document(data: &[u8], budget: &mut u64) -> Result<(), Refusal> {
    let mut r = Reader(data);
    for _ in 0..r.leb()? {
        let n = r.len()?;
        r.take(n)?;
    }
    let heads = r.len()?;
    r.take(heads.checked_mul(32).ok_or(Refusal::Unreadable("too many heads"))?)?;
    let mut columns = Vec::new();
    for _ in 0..2 {
        for _ in 0..r.leb()? {
            columns.push((r.leb()?, r.len()?));
        }
    }
    for (spec, len) in columns {
        let column = r.take(len)?;
        if spec & DEFLATE_BIT != 0 {
            inflate(column, budget)?;
        }
    }
    Ok(())
}

/// Inflates a raw deflate stream into nothing, counting it against `budget`.
fn inflate(data: &[u8], budget: &mut u64) -> Result<(), Refusal> {
    let limit = *budget;
    let mut inflated = flate2::bufread::DeflateDecoder::new(data).take(limit + 1);
    let n = std::io::copy(&mut inflated, &mut std::io::sink()).map_err(|_| Refusal::Unreadable("a compressed part does not inflate"))?;
    if n > limit {
        return Err(Refusal::Bomb { limit: inflation_budget(0) });
    }
    *budget -= n;
    Ok(())
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Refusal> {
        if n > self.0.len() {
            return Err(Refusal::Unreadable("an Automerge chunk is cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn leb(&mut self) -> Result<u64, Refusal> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Refusal::Unreadable("a number in an Automerge chunk is too long"))
    }

    /// A length, which must fit in what is left.
    fn len(&mut self) -> Result<usize, Refusal> {
        let n = self.leb()?;
        usize::try_from(n).ok().filter(|n| *n <= self.0.len()).ok_or(Refusal::Unreadable("an Automerge chunk is cut short"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{transaction::Transactable, AutoCommit, ROOT};

    #[test]
    fn real_documents_and_changes_pass() {
        let mut doc = AutoCommit::new();
        for i in 0..200 {
            doc.put(ROOT, format!("key {i}"), "some text that repeats ".repeat(20)).unwrap();
        }
        let saved = doc.save();
        assert_eq!(check(&saved), Ok(()));
        doc.put(ROOT, "later", "x".repeat(5000)).unwrap();
        let incremental = doc.save_incremental();
        assert_eq!(check(&incremental), Ok(()));
        let both = [saved, incremental].concat();
        assert_eq!(check(&both), Ok(()));
    }

    #[test]
    fn a_document_that_inflates_past_the_budget_is_refused_unread() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "bomb", "\0".repeat(80 << 20)).unwrap();
        let saved = doc.save();
        assert!(saved.len() < 1 << 20, "it deflates to {} bytes", saved.len());
        assert_eq!(check(&saved), Err(Refusal::Bomb { limit: 64 << 20 }));
    }

    #[test]
    fn framing_that_lies_is_refused_not_trusted() {
        assert!(matches!(check(b"not automerge"), Err(Refusal::Unreadable(_))));
        // A chunk claiming more bytes than there are.
        let mut lying = MAGIC.to_vec();
        lying.extend([0, 0, 0, 0, DOCUMENT, 0xff, 0xff, 0x03, 1, 2]);
        assert!(matches!(check(&lying), Err(Refusal::Unreadable(_))));
        // An experimental bundle chunk.
        let mut bundle = MAGIC.to_vec();
        bundle.extend([0, 0, 0, 0, 3, 0]);
        assert!(matches!(check(&bundle), Err(Refusal::Unreadable(_))));
    }
}
