//! Co-editing: a shared workspace's connection to its relay, its presence, and the
//! other tabs of this browser.
//!
//! The syncing itself runs in the document worker, beside the document
//! (`crate::doc_worker`'s `engine`, over [`waymark_protocol::client::SyncCore`], which
//! holds every rule of syncing and has no I/O). The page holds an [`Engine`]: what the
//! sync indicator, the share dialog and the avatars show (kept up to date by the
//! worker's events, see `crate::session`), and what the person asks of it (presence,
//! closing the log, stopping). Opening a share link (`join`) and publishing a roadmap
//! (`publish`) talk to the relay from the page: each is one short exchange.

pub mod direct;
pub mod invite;
pub mod join;
pub mod presence;
pub mod publish;
pub mod socket;
pub mod tabs;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use waymark_protocol::Capability;

pub use waymark_protocol::client::SyncStatus;

use crate::doc_worker::protocol::{Reply, Request};
use crate::doc_worker::DocWorker;
use crate::storage::{Store, SyncRecord};
use presence::{Peer, Presence};

/// A shared workspace's sync, as the page sees it: its engine runs in the worker.
pub struct Engine {
    worker: Rc<DocWorker>,
    /// The worker's name for the document.
    doc: String,
    /// This engine's name: the worker's events for an earlier one are not its.
    pub generation: u32,
    cap: Capability,
    /// The relay's origin (where share links point).
    origin: String,
    pub status: RwSignal<SyncStatus>,
    /// When the relay last confirmed we were up to date (ms since the epoch; 0: never).
    pub last_synced: RwSignal<f64>,
    /// Who else is here, by connection.
    pub peers: RwSignal<BTreeMap<u64, Peer>>,
    /// What I am doing, sent to the others.
    me: RefCell<Presence>,
    /// Teammates connected directly.
    pub direct: Rc<direct::Direct>,
}

thread_local! {
    static GENERATIONS: Cell<u32> = const { Cell::new(0) };
}

impl Engine {
    /// Starts syncing document `doc` of workspace `workspace` (open in `worker`) through
    /// the relay of `record`, and directly with teammates.
    pub fn start(worker: Rc<DocWorker>, workspace: &str, doc: String, record: SyncRecord, cap: Capability, me: Presence) -> Rc<Engine> {
        let generation = GENERATIONS.with(|g| {
            g.set(g.get().wrapping_add(1));
            g.get()
        });
        let origin = record.relay.clone();
        let last_synced = record.last_synced;
        let peers = RwSignal::new(BTreeMap::new());
        // Connections an invitation made before the workspace was here are its own.
        let handed_over = direct::adopt_after(workspace);
        let direct = handed_over.clone().unwrap_or_else(|| direct::Direct::new(Rc::clone(&worker), doc.clone(), Some(peers)));
        let me = Presence { direct: Some(direct.me()), ..me };
        worker.call(&Request::StartSync { doc: doc.clone(), record, presence: me.clone(), generation }, &[], |_| {});
        if handed_over.is_some() {
            direct::adopt(&direct, &doc, peers);
        }
        Rc::new(Engine {
            worker,
            doc,
            generation,
            cap,
            origin,
            status: RwSignal::new(SyncStatus::Connecting),
            last_synced: RwSignal::new(last_synced),
            peers,
            me: RefCell::new(me),
            direct,
        })
    }

    pub fn can_write(&self) -> bool {
        self.cap.can_write()
    }

    pub fn capability(&self) -> Capability {
        self.cap.clone()
    }

    /// The relay's origin (where share links point).
    pub fn origin(&self) -> String {
        self.origin.clone()
    }

    pub fn stop(&self) {
        self.worker.call(&Request::StopSync { doc: self.doc.clone() }, &[], |_| {});
    }

    /// Closes this workspace's log at the relay for good (its links are being
    /// replaced): resolves once the relay stored the close, or says why it could not.
    pub async fn close_log(&self) -> Result<(), String> {
        match self.worker.ask(&Request::CloseLog { doc: self.doc.clone() }, &[]).await? {
            (Reply::LogClosed { error: None }, _) => Ok(()),
            (Reply::LogClosed { error: Some(e) }, _) => Err(e),
            _ => Err("The background worker answered something else.".into()),
        }
    }

    /// What I am looking at changed.
    pub fn set_presence(&self, f: impl FnOnce(&mut Presence)) {
        let mut me = self.me.borrow_mut();
        let before = me.clone();
        f(&mut me);
        if *me != before {
            self.worker.call(&Request::Presence { doc: self.doc.clone(), presence: me.clone() }, &[], |_| {});
        }
    }

    /// Shows one of the worker's events about this engine (others are ignored), with
    /// its payload.
    pub fn show(&self, event: &Reply, payload: &[u8]) {
        match event {
            Reply::PeerSignal { generation, from, plain, .. } if *generation == self.generation => self.direct.signal(*from, plain),
            Reply::ToPeer { peer } => self.direct.send(*peer, payload),
            Reply::Sync { generation, status, last_synced } if *generation == self.generation => {
                self.status.set(status.clone());
                self.last_synced.set(*last_synced);
            }
            Reply::Peer { generation, from, presence } if *generation == self.generation => self.peers.update(|p| match presence {
                Some(presence) => {
                    // Connected directly already, under the number the relay gave it
                    // before it restarted: the same teammate, not a second one.
                    let known = presence.direct.and_then(|me| self.direct.connected_as(me)).filter(|id| id != from);
                    let key = known.unwrap_or(*from);
                    if p.insert(key, Peer { presence: presence.clone(), seen: js_sys::Date::now() }).is_none() && known.is_none() {
                        self.direct.peer_seen(*from);
                    }
                }
                // Gone from the relay: still here if connected directly.
                None if self.direct.is_open(*from) => {}
                None => {
                    p.remove(from);
                    self.direct.gone(*from);
                }
            }),
            Reply::PeersCleared { generation } if *generation == self.generation => self.peers.update(|p| p.retain(|from, _| self.direct.is_open(*from))),
            _ => {}
        }
    }
}

/// The link a teammate opens: `<origin>/join#<fragment>`.
pub fn link(origin: &str, fragment: &str) -> String {
    format!("{}/join#{fragment}", origin.trim_end_matches('/'))
}

/// Stores new keys for a workspace about to be shared, or whose links are being
/// replaced (its old log closed), with the whole document queued as the first entry of
/// the new log (what the outbox still holds goes too; sending it twice is harmless).
/// `whole` is the document with everything this tab has made (its edits written first).
pub async fn start_sharing(store: &Store, id: &str, whole: Vec<u8>) -> Result<(SyncRecord, Capability), String> {
    let cap = Capability::generate().map_err(|e| e.to_string())?;
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).ok_or("no window")?;
    let record = SyncRecord {
        fragment: cap.edit_fragment().expect("fresh keys can write"),
        relay: origin,
        last_seq: 0,
        snapshot_seq: 0,
        last_synced: 0.0,
        epoch: 0,
        closed: false,
    };
    let key = store.next_chunk_key(id);
    store.start_sharing(id, &record, &key, &whole).await.map_err(|e| format!("Could not store the workspace's keys: {e}"))?;
    Ok((record, cap))
}
