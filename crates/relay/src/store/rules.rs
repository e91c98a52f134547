//! What a write may do to a log, decided against the head a store reads inside its
//! commit: closed logs, replays, the workspace and relay storage budgets, new
//! workspaces per address, and the snapshot rules.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use waymark_protocol::ErrorCode;

use super::{new_epoch, snapshot_size, Head, Outcome, StoreError, Write, WriteKind, SIGNATURE_ROW};
use crate::sync::{short, Bucket, Limits};

/// Addresses whose workspace-start buckets are kept before full ones are forgotten.
const MAX_START_BUCKETS: usize = 10_000;

pub struct Rules {
    limits: Arc<Limits>,
    /// What the store holds, all workspaces together (`Head::footprint` summed). With
    /// a shared store it counts this relay's writes since it was last read.
    pub stored: u64,
    /// Workspaces each address may still start.
    starts: HashMap<IpAddr, Bucket>,
}

/// What a store does with a write.
pub enum Decision {
    /// Store it with these counters.
    Store(Head),
    /// Store nothing; this is the answer.
    Answer(Outcome),
}

fn refuse(code: ErrorCode, message: impl Into<String>) -> Decision {
    Decision::Answer(Outcome::Refused { code, message: message.into() })
}

impl Rules {
    pub fn new(limits: Arc<Limits>, stored: u64) -> Rules {
        Rules { limits, stored, starts: HashMap::new() }
    }

    /// A change or a close, given the head and the seq this very entry was stored as
    /// (if it ever was). A close (88 bytes) is never refused for room: it is how
    /// access is removed, and it ends the log's growth.
    pub fn append(&mut self, head: Head, stored_as: Option<u64>, write: &Write) -> Result<Decision, StoreError> {
        let close = write.kind == WriteKind::Close;
        let ws = short(&write.ws);
        if head.closed != 0 {
            return Ok(if close {
                // Closed already (by us, a lost Ack ago, or by another editor).
                Decision::Answer(Outcome::Acked { seq: head.closed })
            } else {
                refuse(ErrorCode::Closed, CLOSED)
            });
        }
        if let Some(seq) = stored_as {
            // A replay (or a client sending again after a lost Ack): nothing is stored
            // or fanned out; the sender learns the seq it already has.
            tracing::debug!(workspace = %ws, seq, "a stored entry was sent again");
            return Ok(Decision::Answer(Outcome::Acked { seq }));
        }
        let size = write.entry.len() as u64;
        if !close && head.bytes.saturating_add(size) > self.limits.max_workspace_bytes {
            tracing::warn!(workspace = %ws, stored = head.bytes, limit = self.limits.max_workspace_bytes, "refused: workspace full");
            return Ok(refuse(ErrorCode::WorkspaceFull, self.full_message()));
        }
        if !close && self.stored.saturating_add(size + SIGNATURE_ROW) > self.limits.max_stored_bytes {
            tracing::warn!(workspace = %ws, stored = self.stored, limit = self.limits.max_stored_bytes, "refused: the relay's storage budget is spent");
            return Ok(refuse(ErrorCode::WorkspaceFull, RELAY_FULL));
        }
        if head.seq == 0 && !self.may_start(write.addr) {
            tracing::warn!(addr = %write.addr, "refused: too many new workspaces from one address");
            let message = format!("Too many new workspaces from your address (the limit is {} per hour); try again later.", self.limits.new_workspaces_per_hour);
            return Ok(refuse(ErrorCode::RateLimited, message));
        }
        self.stored += size + SIGNATURE_ROW;
        let mut head = head;
        head.seq += 1;
        head.bytes += size;
        if close {
            head.closed = head.seq;
            tracing::info!(workspace = %ws, seq = head.seq, "log closed: its links were replaced");
        }
        if head.seq == 1 {
            head.epoch = new_epoch()?;
        }
        Ok(Decision::Store(head))
    }

    /// A snapshot covering `covers`; `freed` tells what the entries it covers and the
    /// snapshot it replaces take (asked only of a snapshot that may be stored).
    pub fn snapshot(&mut self, head: Head, covers: u64, write: &Write, freed: impl FnOnce() -> Result<u64, StoreError>) -> Result<Decision, StoreError> {
        let ws = short(&write.ws);
        if head.closed != 0 {
            return Ok(refuse(ErrorCode::Closed, CLOSED));
        }
        if covers == 0 || covers > head.seq {
            tracing::info!(workspace = %ws, covers, head = head.seq, "refused: bad snapshot");
            return Ok(refuse(ErrorCode::BadSnapshot, format!("A snapshot must cover entries the relay has (1 to {}), not {covers}.", head.seq)));
        }
        if covers < head.covers {
            tracing::info!(workspace = %ws, covers, head = head.seq, "refused: bad snapshot");
            return Ok(refuse(ErrorCode::BadSnapshot, format!("The relay already has a snapshot covering up to {}, beyond {covers}.", head.covers)));
        }
        let bytes = head.bytes.saturating_sub(freed()?) + snapshot_size(&write.entry);
        // Compaction is how a full workspace makes room, so only a snapshot that
        // would grow a workspace past the limit is refused.
        if bytes > self.limits.max_workspace_bytes && bytes > head.bytes {
            tracing::warn!(workspace = %ws, stored = head.bytes, limit = self.limits.max_workspace_bytes, "refused: snapshot over the workspace limit");
            return Ok(refuse(ErrorCode::WorkspaceFull, self.full_message()));
        }
        if bytes > head.bytes && self.stored.saturating_add(bytes - head.bytes) > self.limits.max_stored_bytes {
            tracing::warn!(workspace = %ws, stored = self.stored, limit = self.limits.max_stored_bytes, "refused: snapshot over the relay's storage budget");
            return Ok(refuse(ErrorCode::WorkspaceFull, RELAY_FULL));
        }
        self.stored = (self.stored + bytes).saturating_sub(head.bytes);
        tracing::debug!(workspace = %ws, covers, stored = bytes, "snapshot stored");
        Ok(Decision::Store(Head { bytes, covers, ..head }))
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

    fn full_message(&self) -> String {
        format!("This workspace has reached the relay's size limit ({}); a snapshot can make room.", crate::sync::size(self.limits.max_workspace_bytes))
    }
}

pub const CLOSED: &str = "This workspace's links were replaced by an editor: this link no longer syncs. Ask a teammate for the new link; what you have stays in your browser.";

const RELAY_FULL: &str = "This relay has used all the storage its operator gave it; a snapshot of a workspace can make room, or ask the operator for more.";
