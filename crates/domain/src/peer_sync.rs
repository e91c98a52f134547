//! Two copies of a workspace exchanging what the other lacks, directly (peer to peer,
//! without the relay): Automerge's sync protocol, one [`PeerSync`] per peer, with
//! every change that arrives checked like any other bytes from elsewhere
//! ([`Workspace::apply`]) and refused whole from a peer that may not write.
//!
//! The loop: each side calls [`Workspace::sync_message`] and sends what it returns (if
//! anything), and hands each message it receives to [`Workspace::receive_sync`]; it
//! stops when neither has anything to send. Both sides may start. What is sent does
//! not say who may write: the caller knows (a message signed with the write key, see
//! `waymark_protocol`) and says so to `receive_sync`.

use automerge::sync::{self, ChunkList, SyncDoc};

use crate::{Changed, Workspace};

/// Most chunks of changes one message may carry (a hostile peer cannot make one
/// message cost without bound; its size is bounded by whoever carries it).
pub const MAX_CHANGES_PER_MESSAGE: usize = 100_000;

/// What this copy knows of one peer's copy.
#[derive(Default)]
pub struct PeerSync {
    state: sync::State,
}

impl std::fmt::Debug for PeerSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PeerSync")
    }
}

/// What a peer's message did.
#[derive(Debug, Default, PartialEq)]
pub struct Received {
    /// What its changes touched (to show).
    pub changed: Changed,
    /// How many of its changes were applied.
    pub applied: usize,
    /// How many were refused: sent by a peer that may not write, or not readable.
    pub refused: usize,
    /// The applied changes as they came (to store, and for the relay's outbox).
    pub bytes: Vec<Vec<u8>>,
}

/// Why a peer's message was not read at all.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PeerSyncError {
    #[error("a peer's sync message was not readable: {0}")]
    Unreadable(String),
    #[error("a peer's sync message carried {0} chunks of changes, more than one message may")]
    TooManyChanges(usize),
}

impl Workspace {
    /// The next message for `peer`, if there is anything to say (what this copy has
    /// and needs, and the changes the peer lacks). Commits pending edits first, as
    /// an anonymous change: the caller commits them as the person's own before.
    pub fn sync_message(&mut self, peer: &mut PeerSync) -> Option<Vec<u8>> {
        self.doc.commit();
        self.doc.sync().generate_sync_message(&mut peer.state).map(sync::Message::encode)
    }

    /// Reads `peer`'s message. With `may_write` false (a view-link holder's peer), any
    /// change it carries is refused and nothing it sends changes the document; it is
    /// still told what this copy has, so it can receive.
    pub fn receive_sync(&mut self, peer: &mut PeerSync, message: &[u8], may_write: bool) -> Result<Received, PeerSyncError> {
        let mut message = sync::Message::decode(message).map_err(|e| PeerSyncError::Unreadable(e.to_string()))?;
        if message.changes.len() > MAX_CHANGES_PER_MESSAGE {
            return Err(PeerSyncError::TooManyChanges(message.changes.len()));
        }
        let changes: Vec<Vec<u8>> = message.changes.iter().map(<[u8]>::to_vec).collect();
        message.changes = ChunkList::empty();
        let mut received = Received::default();
        for change in changes {
            if !may_write {
                received.refused += 1;
                continue;
            }
            match self.apply(&change) {
                Ok(changed) => {
                    received.changed.absorb(changed);
                    received.applied += 1;
                    received.bytes.push(change);
                }
                Err(_) => received.refused += 1,
            }
        }
        if !may_write {
            // Its own heads, beyond what this copy has, are changes it may not make:
            // never asked for, so a hostile viewer cannot keep the exchange going.
            message.heads.retain(|h| self.doc.get_change_by_hash(h).is_some());
        }
        self.doc.sync().receive_sync_message(&mut peer.state, message).map_err(|e| PeerSyncError::Unreadable(e.to_string()))?;
        Ok(received)
    }
}

/// A copy that starts empty and fills from one peer: how a teammate who has nothing
/// yet gets a workspace directly, with no relay to download it from. Only a writer's
/// changes are taken, each checked whole like a file's; what it holds becomes a
/// workspace only once it reads as the one expected.
pub struct Fetch {
    doc: automerge::AutoCommit,
    peer: PeerSync,
    /// The workspace's id the invitation named.
    expected: String,
}

impl Fetch {
    /// An empty copy of workspace `expected` (its id).
    pub fn new(expected: &str) -> Fetch {
        Fetch { doc: automerge::AutoCommit::new(), peer: PeerSync::default(), expected: expected.to_owned() }
    }

    /// The next message for the peer (what this copy has and needs), if any.
    pub fn message(&mut self) -> Option<Vec<u8>> {
        self.doc.sync().generate_sync_message(&mut self.peer.state).map(sync::Message::encode)
    }

    /// Reads the peer's message: its changes are taken if `from_writer` and each reads
    /// whole; how many were refused.
    pub fn receive(&mut self, message: &[u8], from_writer: bool) -> Result<usize, PeerSyncError> {
        let mut message = sync::Message::decode(message).map_err(|e| PeerSyncError::Unreadable(e.to_string()))?;
        if message.changes.len() > MAX_CHANGES_PER_MESSAGE {
            return Err(PeerSyncError::TooManyChanges(message.changes.len()));
        }
        let changes: Vec<Vec<u8>> = message.changes.iter().map(<[u8]>::to_vec).collect();
        message.changes = ChunkList::empty();
        let mut refused = 0;
        for change in changes {
            if !from_writer || !crate::workspace::is_well_formed(&change) || self.doc.load_incremental(&change).is_err() {
                refused += 1;
            }
        }
        if !from_writer {
            message.heads.retain(|h| self.doc.get_change_by_hash(h).is_some());
        }
        self.doc.sync().receive_sync_message(&mut self.peer.state, message).map_err(|e| PeerSyncError::Unreadable(e.to_string()))?;
        Ok(refused)
    }

    /// Whether this copy holds everything the peer said it has (and something): the
    /// peer may still send more later, but the workspace can open now.
    pub fn is_complete(&mut self) -> bool {
        let heads = self.peer.state.their_heads.clone().unwrap_or_default();
        !heads.is_empty() && heads.iter().all(|h| self.doc.get_change_by_hash(h).is_some())
    }

    /// The workspace received, checked like a stored one, if it is the one expected.
    pub fn finish(mut self) -> Result<Workspace, String> {
        let ws = Workspace::load(&self.doc.save()).map_err(|e| format!("What the teammate sent is not a workspace that opens ({e})."))?;
        if ws.workspace_id() != self.expected {
            return Err("The teammate sent another workspace than the invitation named.".into());
        }
        Ok(ws)
    }
}
