//! Teammates connected directly (a WebRTC data channel the page holds, see
//! `crate::sync::direct`): the document's side of it. Each peer gets Automerge's sync
//! protocol (`waymark_domain::peer_sync`), its messages sealed with the workspace's keys
//! (`waymark_protocol::peer`), so what the channel carries is as unreadable and as
//! checked as what the relay carries.
//!
//! Invariants:
//! - A peer's messages are handled one at a time, in order, and only once the
//!   document's own edits are committed (like everything from elsewhere).
//! - A change from a peer is applied only if a writer sealed its message; it is stored
//!   as a chunk, told to the other tabs, and each change queued for the relay as an
//!   entry of its own (whatever the relay lacks reaches it when it is back; one it has
//!   is usually the author's entry byte for byte, which it keeps once).
//! - After anything changes the document, every connected peer is told.

use std::collections::HashMap;

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::StreamExt;
use wasm_bindgen_futures::spawn_local;
use waymark_domain::peer_sync::PeerSync;
use waymark_domain::view_delta::ViewDelta;
use waymark_protocol::peer::{PeerMessage, Reassembly};
use waymark_protocol::Capability;

use super::keep::{self, store, until_clean, with_keeping};
use crate::sync::presence::Presence;
use super::{hex, new_to_you, pack, Reply, DOCS};

/// One directly connected teammate.
pub(super) struct Peer {
    sync: PeerSync,
    reassembly: Reassembly,
    next_message: u32,
    /// Its messages, opened, waiting their turn: (message, sealed by a writer).
    inbox: UnboundedSender<(Vec<u8>, bool)>,
    /// Whether it was told once that its changes are refused.
    warned: bool,
}

/// The peers of one document, and the keys their messages are sealed with.
#[derive(Default)]
pub(super) struct Peers {
    cap: Option<Capability>,
    peers: HashMap<u64, Peer>,
}

impl Peers {
    /// The workspace's keys (known once it syncs).
    pub fn set_keys(&mut self, cap: Capability) {
        self.cap = Some(cap);
    }

    /// Whether this copy may write (its keys hold the write key).
    pub fn can_write(&self) -> bool {
        self.cap.as_ref().is_some_and(Capability::can_write)
    }

    /// Presence `plain`, sealed and framed for `only` (or every peer): (peer, packed
    /// frames).
    pub fn presence_frames(&mut self, plain: &[u8], only: Option<u64>) -> Vec<(u64, Vec<u8>)> {
        let Some(cap) = &self.cap else { return Vec::new() };
        let mut out = Vec::new();
        for (id, p) in self.peers.iter_mut().filter(|(id, _)| only.is_none_or(|o| o == **id)) {
            p.next_message = p.next_message.wrapping_add(1);
            if let Ok(frames) = PeerMessage::Presence(plain.to_vec()).seal(cap, p.next_message) {
                out.push((*id, pack(frames.iter().map(Vec::as_slice))));
            }
        }
        out
    }
}

/// A direct connection to `peer` opened: start syncing with it.
pub(super) fn opened(doc: &str, peer: u64) {
    let (tx, mut rx) = unbounded::<(Vec<u8>, bool)>();
    let added = with_keeping(doc, |k| {
        k.peers.peers.insert(peer, Peer { sync: PeerSync::default(), reassembly: Reassembly::default(), next_message: 0, inbox: tx, warned: false });
    });
    if added.is_none() {
        return;
    }
    with_keeping(doc, |k| k.tell_presence(Some(peer)));
    // A connection that brought this workspace here: what came since it was whole.
    let workspace = with_keeping(doc, |k| k.workspace.clone()).unwrap_or_default();
    if let Some(taken) = super::fetch::take_over(&workspace, peer) {
        if let Some((plain, writer)) = taken.presence {
            show_presence(doc, peer, &plain, writer);
        }
        for bytes in taken.frames {
            frame(doc, peer, &bytes);
        }
    }
    let doc = doc.to_owned();
    spawn_local(async move {
        talk(&doc, Some(peer)).await;
        while let Some((message, writer)) = rx.next().await {
            until_clean(&doc).await;
            received(&doc, peer, &message, writer).await;
        }
    });
}

/// The direct connection to `peer` closed.
pub(super) fn closed(doc: &str, peer: u64) {
    with_keeping(doc, |k| k.peers.peers.remove(&peer));
}

fn show_presence(doc: &str, peer: u64, plain: &[u8], writer: bool) {
    with_keeping(doc, |k| k.show_presence(peer, plain, writer));
}

impl keep::Keeping {
    /// Shows teammate `peer`'s presence `plain`: as through the relay, parsed strictly,
    /// and a viewer's whatever it says.
    fn show_presence(&self, peer: u64, plain: &[u8], writer: bool) {
        if let (Some(mut presence), Some(generation)) = (Presence::parse(plain), self.generation()) {
            presence.viewer |= !writer;
            self.emit(&Reply::Peer { generation, from: peer, presence: Some(presence) }, None);
        }
    }
}

/// A frame from `peer`: once a message is whole, it waits its turn.
pub(super) fn frame(doc: &str, peer: u64, bytes: &[u8]) {
    let problem = with_keeping(doc, |k| {
        let cap = k.peers.cap.clone()?;
        let p = k.peers.peers.get_mut(&peer)?;
        match p.reassembly.push(bytes).map_err(|e| e.to_string()).and_then(|whole| whole.map(|sealed| PeerMessage::open(&cap, &sealed).map_err(|e| e.to_string())).transpose()) {
            Ok(Some((PeerMessage::Sync(message), writer))) => {
                let _ = p.inbox.unbounded_send((message, writer));
                None
            }
            Ok(Some((PeerMessage::Presence(plain), writer))) => {
                k.show_presence(peer, &plain, writer);
                None
            }
            Ok(_) => None,
            Err(e) => {
                p.reassembly = Reassembly::default();
                Some(e)
            }
        }
    })
    .flatten();
    if let Some(e) = problem {
        web_sys::console::warn_1(&format!("a teammate's direct message was refused: {e}").into());
    }
}

/// Reads one of `peer`'s sync messages: what it brings is applied (if a writer sent
/// it), stored and shown, and the peers are answered.
async fn received(doc: &str, peer: u64, message: &[u8], writer: bool) {
    let outcome = DOCS.with(|d| {
        let mut docs = d.borrow_mut();
        let open = docs.get_mut(doc)?;
        super::hold_own(open);
        let before = open.ws.heads();
        let keeping = open.keeping.as_mut()?;
        let p = keeping.peers.peers.get_mut(&peer)?;
        let result = open.ws.receive_sync(&mut p.sync, message, writer);
        let warn = match &result {
            Ok(r) if r.refused > 0 && !writer && !p.warned => {
                p.warned = true;
                Some("A teammate with a view link sent changes directly; they were refused.".to_owned())
            }
            Err(e) => Some(format!("A teammate's direct message could not be read ({e}).")),
            _ => None,
        };
        if let Some(message) = warn {
            keeping.emit(&Reply::Warn { message }, None);
        }
        let received = result.ok()?;
        if received.applied == 0 {
            return Some(None);
        }
        // The person's next edit is a step of its own, after what arrived.
        open.undo.close(&mut open.ws);
        let _ = open.ws.save_incremental();
        let new = new_to_you(open, &before);
        let delta = ViewDelta::of(&mut open.ws, &received.changed).to_bytes();
        let heads = hex(&open.ws.heads());
        let keeping = open.keeping.as_ref()?;
        keeping.emit(&Reply::Changed { failed: received.refused, heads, new }, Some(&delta));
        Some(Some((keeping.workspace.clone(), received.bytes)))
    });
    if let Some(Some((workspace, changes))) = outcome {
        keep_changes(doc, &workspace, changes).await;
    }
    talk(doc, None).await;
}

/// Stores what a peer brought (its changes, as they came) as one chunk, like a
/// teammate's change from the relay; queues each change for the relay as an entry of
/// its own (the relay may not have it; one it has is usually the author's entry byte
/// for byte, which the relay keeps once: not when the author's entry held several
/// changes, and then it is stored twice, which changes nothing); and tells the other
/// tabs.
async fn keep_changes(doc: &str, workspace: &str, changes: Vec<Vec<u8>>) {
    let Ok(store) = store().await else { return };
    let key = store.next_chunk_key(workspace);
    let chunk = changes.concat();
    // Queued for the relay only by who may write (a viewer's engine sends nothing).
    let writer = with_keeping(doc, |k| k.peers.can_write()).unwrap_or(false);
    let entries: Vec<(String, Vec<u8>)> = if writer { changes.into_iter().enumerate().map(|(i, c)| (format!("{key}.{i:05}"), c)).collect() } else { Vec::new() };
    let queued: Vec<(String, &[u8])> = entries.iter().map(|(k, c)| (k.clone(), c.as_slice())).collect();
    match store.append_chunk_queuing(&key, &chunk, &queued).await {
        Ok(()) => {
            keep::stored(doc, key, &chunk, entries);
        }
        Err(e) => {
            let message = format!("A change from a teammate connected directly could not be stored ({e}); it comes again through the relay.");
            with_keeping(doc, |k| k.emit(&Reply::Warn { message }, None));
        }
    }
}

/// Tells `only` (or every connected peer) what this copy has and what they lack, once
/// the document's own edits are committed.
pub(super) async fn talk(doc: &str, only: Option<u64>) {
    until_clean(doc).await;
    DOCS.with(|d| {
        let mut docs = d.borrow_mut();
        let Some(open) = docs.get_mut(doc) else { return };
        if open.ws.has_pending_edits() {
            // Edits came in meanwhile: their commit talks again.
            return;
        }
        let Some(keeping) = open.keeping.as_mut() else { return };
        let Some(cap) = keeping.peers.cap.clone() else { return };
        let mut out = Vec::new();
        for (id, p) in keeping.peers.peers.iter_mut().filter(|(id, _)| only.is_none_or(|o| o == **id)) {
            if let Some(message) = open.ws.sync_message(&mut p.sync) {
                p.next_message = p.next_message.wrapping_add(1);
                if let Ok(frames) = PeerMessage::Sync(message).seal(&cap, p.next_message) {
                    out.push((*id, pack(frames.iter().map(Vec::as_slice))));
                }
            }
        }
        for (peer, frames) in out {
            keeping.emit(&Reply::ToPeer { peer }, Some(&frames));
        }
    });
}

/// Something changed the document: every connected peer hears of it.
pub(super) fn tell_peers(doc: &str) {
    if with_keeping(doc, |k| k.peers.peers.is_empty()).unwrap_or(true) {
        return;
    }
    let doc = doc.to_owned();
    spawn_local(async move { talk(&doc, None).await });
}

