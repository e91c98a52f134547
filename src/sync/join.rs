//! Opening a share link: the workspace is downloaded from the relay, checked, stored,
//! and added to Home. A link to a workspace already here only opens it (an edit link
//! upgrades a view-only copy); a new link to a shared workspace already here under
//! another link (its links were replaced) switches that copy to the new link.

use std::time::Duration;

use futures::channel::mpsc::unbounded;
use futures::StreamExt;
use waymark_protocol::client::{open_batch, refused_warning};
use waymark_protocol::{Capability, Message, VERSION};

use super::socket::{sync_url, Socket, SocketEvent};
use crate::doc_worker::protocol::{pack, Request};
use crate::doc_worker::Loaded;
use crate::storage::{Store, SyncRecord, WorkspaceMeta};

/// How long joining waits for the relay before saying so.
const JOIN_TIMEOUT: Duration = Duration::from_secs(20);

/// Opens the link's workspace on this device; returns its local id.
pub async fn join(store: &Store, link: &str, origin: &str) -> Result<String, String> {
    let cap = Capability::from_fragment(link).map_err(|e| format!("This link cannot be opened: {e}."))?;
    if let Some(id) = already_here(store, &cap).await? {
        return Ok(id);
    }
    let (snapshot, chunks, last_seq, snapshot_seq) = download(&cap, origin).await?;
    // Read (and checked) in the document worker.
    let payload = pack(std::iter::once(snapshot.as_deref().unwrap_or_default()).chain(chunks.iter().map(Vec::as_slice)));
    let ws = crate::doc_worker::load(&Request::Load, &payload).await.map_err(|e| format!("What the relay holds for this link could not be read: {e}"))?;
    if !ws.bad_chunks.is_empty() {
        return Err(format!("{} of the workspace's changes could not be read; nothing was saved.", ws.bad_chunks.len()));
    }
    let now = js_sys::Date::now();
    let record = SyncRecord { fragment: fragment_of(&cap), relay: origin.to_owned(), last_seq, snapshot_seq, last_synced: now, epoch: 0, closed: false };
    if let Some(id) = switch_to_new_link(store, &ws, &record, cap.can_write()).await? {
        return Ok(id);
    }
    // The document's own id, as on the sharer's device (merging a file of it then
    // works), unless a copy is already stored under that id.
    let id = match waymark_domain::Id::parse(&ws.workspace_id) {
        Some(own) if matches!(store.meta(own.as_str()).await, Ok(None)) => own.to_string(),
        _ => waymark_domain::Id::random().to_string(),
    };
    let meta = WorkspaceMeta {
        id: id.clone(),
        name: ws.name,
        ideas: ws.ideas,
        last_opened: now,
        created: now,
        shared: Some(if cap.can_write() { "edit" } else { "view" }.into()),
    };
    store.create_shared(&meta, &ws.bytes, &record).await.map_err(|e| format!("Could not save the workspace in this browser: {e}"))?;
    Ok(id)
}

/// The id of the copy of `cap`'s workspace this browser holds under the same keys, if
/// any; an edit link upgrades a view-only copy.
pub async fn already_here(store: &Store, cap: &Capability) -> Result<Option<String>, String> {
    let relay = cap.relay_id();
    let records = store.sync_records().await.map_err(|e| e.to_string())?;
    for (id, mut record) in records {
        let Ok(existing) = Capability::from_fragment(&record.fragment) else { continue };
        if existing.relay_id() != relay {
            continue;
        }
        if cap.can_write() && !existing.can_write() {
            record.fragment = cap.edit_fragment().expect("can write");
            store.put_sync_record(&id, &record).await.map_err(|e| e.to_string())?;
            if let Ok(Some(mut meta)) = store.meta(&id).await {
                meta.shared = Some("edit".into());
                let _ = store.put_meta(&meta).await;
            }
        }
        return Ok(Some(id));
    }
    Ok(None)
}

/// If this browser holds the link's workspace already, shared under a link whose log
/// was closed (an editor replaced the links), that copy switches to the new link: what
/// arrived is stored as one of its chunks (merging, whatever it lacked), and the whole
/// copy is queued for the new log. Its id, or `None` if there is no such copy. A
/// copy whose link still works is never moved by opening another link (anyone with a
/// copy of the document could make one).
async fn switch_to_new_link(store: &Store, ws: &Loaded, record: &SyncRecord, can_write: bool) -> Result<Option<String>, String> {
    let Some(id) = waymark_domain::Id::parse(&ws.workspace_id).map(|id| id.to_string()) else { return Ok(None) };
    let (Ok(Some(mut meta)), Ok(Some(old))) = (store.meta(&id).await, store.sync_record(&id).await) else { return Ok(None) };
    if !old.closed {
        return Ok(None);
    }
    store.put_sync_record(&id, record).await.map_err(|e| format!("Could not save the new link in this browser: {e}"))?;
    let key = store.next_chunk_key(&id);
    store.store_remote(&id, &record.fragment, &key, &ws.bytes, record.last_seq).await.map_err(|e| format!("Could not save the workspace in this browser: {e}"))?;
    if can_write {
        queue_whole_copy(store, &id).await?;
    }
    meta.shared = Some(if can_write { "edit" } else { "view" }.into());
    let _ = store.put_meta(&meta).await;
    Ok(Some(id))
}

/// Queues everything the copy `id` holds for the new log: edits made while the old
/// link was closed, and any the old log took that the editor who replaced the links
/// never received. Its outbox alone may not have them (an acknowledged change left it).
async fn queue_whole_copy(store: &Store, id: &str) -> Result<(), String> {
    let stored = store.load(id).await.map_err(|e| format!("Could not read the workspace from this browser: {e}"))?;
    let payload = pack(std::iter::once(stored.snapshot.as_deref().unwrap_or_default()).chain(stored.chunks.iter().map(|(_, c)| c.as_slice())));
    let local = crate::doc_worker::load(&Request::Load, &payload).await.map_err(|e| format!("The copy of this workspace in this browser could not be opened: {e}"))?;
    let key = store.next_chunk_key(id);
    store.append_chunk_to(&key, &local.bytes, true).await.map_err(|e| format!("Could not queue the workspace for the new link: {e}"))
}

fn fragment_of(cap: &Capability) -> String {
    cap.edit_fragment().unwrap_or_else(|| cap.view_fragment())
}

type Downloaded = (Option<Vec<u8>>, Vec<Vec<u8>>, u64, u64);

/// Everything the relay holds for `cap`'s workspace: (snapshot, changes, last seq, snapshot seq).
async fn download(cap: &Capability, origin: &str) -> Result<Downloaded, String> {
    let (tx, mut rx) = unbounded();
    let timeout = {
        let tx = tx.clone();
        leptos::prelude::set_timeout_with_handle(
            move || drop(tx.unbounded_send(SocketEvent::Closed { generation: 0, reason: "the relay did not answer in time".into() })),
            JOIN_TIMEOUT,
        )
        .ok()
    };
    let inflow = std::rc::Rc::new(std::cell::RefCell::new(waymark_protocol::client::Inflow::default()));
    let socket = Socket::open(&sync_url(origin), 0, tx, std::rc::Rc::clone(&inflow)).map_err(|e| format!("Cannot reach the relay: {e}"))?;
    let relay = cap.relay_id();
    let mut snapshot = None;
    let mut refused = 0;
    let mut chunks = Vec::new();
    let (mut last_seq, mut snapshot_seq) = (0, 0);
    let result = loop {
        let Some(event) = rx.next().await else { break Err("the connection ended".to_owned()) };
        if let SocketEvent::Frame { bytes, .. } = &event {
            inflow.borrow_mut().done(bytes.len());
        }
        match event {
            SocketEvent::Open { .. } => {
                socket.send(&Message::Hello { min_version: VERSION, max_version: VERSION }.encode());
            }
            SocketEvent::Closed { reason, .. } => break Err(reason),
            SocketEvent::Frame { bytes, .. } => match Message::decode(&bytes) {
                Ok(Message::Welcome { .. }) => {
                    socket.send(&Message::Subscribe { workspace: relay, after: 0 }.encode());
                }
                Ok(Message::Entries { workspace, head, snapshot: snap, entries, .. }) if workspace == relay => {
                    // An entry that does not open is skipped (and said), never a reason
                    // to refuse the whole workspace.
                    let opened = open_batch(cap, last_seq, snap, entries);
                    if opened.closed {
                        break Err("This link was replaced by an editor of the workspace and no longer works. Ask whoever sent it for the new link.".into());
                    }
                    if let Some(covers) = opened.snapshot_covers {
                        snapshot_seq = covers;
                    }
                    snapshot = opened.snapshot.or(snapshot);
                    chunks.extend(opened.changes);
                    refused += opened.refused;
                    last_seq = last_seq.max(opened.newest);
                    if head == 0 {
                        break Err("The relay has nothing for this link yet. Ask whoever sent it to open the workspace once while online.".into());
                    }
                    if last_seq >= head {
                        break Ok(());
                    }
                }
                Ok(Message::Error { message, .. }) => break Err(format!("The relay refused: {message}")),
                Ok(_) => {}
                Err(e) => break Err(format!("The relay sent a malformed message ({e})")),
            },
        }
    };
    if let Some(t) = timeout {
        t.clear();
    }
    drop(socket);
    if let Some(warning) = refused_warning(refused) {
        leptos::logging::warn!("joining: {warning}");
    }
    result.map(|()| (snapshot, chunks, last_seq, snapshot_seq)).map_err(|e| {
        if e.starts_with("The ") || e.starts_with("A ") { e } else { format!("Cannot reach the relay: {e}. Check your connection and try again.") }
    })
}
