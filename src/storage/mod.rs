//! Where workspaces live in the browser: IndexedDB, one database for the app.
//!
//! Each workspace is an Automerge snapshot plus the incremental chunks written since
//! (`<id>:<time>:<n>-<tag>`);
//! every committed change is written as a chunk at once, and chunks are folded into a
//! new snapshot in the background ([`Store::compact`]). Chunks that do not load are
//! moved to `quarantine`, never deleted.
//!
//! A chunk is first stashed synchronously in `localStorage` ([`stash`]) and removed
//! from there once IndexedDB has it: IndexedDB writes are asynchronous and a write
//! begun as the tab closes may never land, but the stash is already on disk.
//!
//! Stores: `meta` (workspace id → JSON [`WorkspaceMeta`]), `snapshots` (id → bytes),
//! `chunks` (`<id>:<time>:<n>-<tag>` → bytes), `quarantine` (same keys → bytes),
//! `profile` (`"me"` → JSON [`Profile`]); since version 2, for shared workspaces,
//! `sync` (id → JSON [`SyncRecord`]: the keys and how far the relay has been read) and
//! `outbox` (chunk keys → bytes: local changes the relay has not acknowledged yet).
//!
//! Several tabs share this database. Every write is one transaction; compaction reads,
//! merges and deletes in a single read-write transaction, so it folds in chunks another
//! tab wrote and never deletes a chunk it did not read.

pub mod idb;
pub mod import;

use waymark_domain::sort;
use std::cell::Cell;

use js_sys::{Array, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbKeyRange};

pub use idb::Result;

const DB_NAME: &str = "waymark";
const DB_VERSION: u32 = 3;
const META: &str = "meta";
const SNAPSHOTS: &str = "snapshots";
const CHUNKS: &str = "chunks";
const QUARANTINE: &str = "quarantine";
const PROFILE: &str = "profile";
const SYNC: &str = "sync";
const OUTBOX: &str = "outbox";
/// Each workspace's view cache (`waymark_domain::view_cache`), by workspace id.
const VIEWS: &str = "views";

/// What Home shows about a workspace without opening its document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceMeta {
    pub id: String,
    pub name: String,
    pub ideas: usize,
    /// ms since the epoch.
    pub last_opened: f64,
    pub created: f64,
    /// `"edit"` or `"view"` once the workspace is shared (Home shows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<String>,
}

/// A shared workspace's link to its relay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncRecord {
    /// The share link's fragment (edit or view): the keys. Never sent anywhere.
    pub fragment: String,
    /// The relay's origin, e.g. `http://127.0.0.1:8080`.
    pub relay: String,
    /// The newest relay sequence number whose entry is stored here.
    pub last_seq: u64,
    /// The sequence number covered by the newest snapshot we uploaded or received.
    #[serde(default)]
    pub snapshot_seq: u64,
    /// When the relay last confirmed we were up to date (ms since the epoch; 0: never).
    #[serde(default)]
    pub last_synced: f64,
    /// The relay log's epoch `last_seq` counts in (0: not known yet; learnt on the next
    /// connection).
    #[serde(default)]
    pub epoch: u64,
    /// This link's log was closed (an editor replaced the links): opening a new link
    /// to the same workspace may then switch this copy to it.
    #[serde(default)]
    pub closed: bool,
}

/// Who I am to my teammates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    /// A CSS colour, e.g. `#4338ca`.
    pub colour: String,
}

impl Default for Profile {
    fn default() -> Self {
        Profile { name: String::new(), colour: "#4338ca".into() }
    }
}

/// A workspace's stored bytes.
pub struct StoredDoc {
    pub snapshot: Option<Vec<u8>>,
    /// (key, bytes), oldest first.
    pub chunks: Vec<(String, Vec<u8>)>,
    /// How many damaged chunks were set aside earlier.
    pub quarantined: usize,
}

/// The app's database.
pub struct Store {
    db: IdbDatabase,
    counter: Cell<u32>,
    /// Tells this handle's chunk keys from those of another handle (another tab, or
    /// the page and its worker) made in the same millisecond.
    tag: u32,
    /// Set when a newer version of the app, in another tab, upgraded the database:
    /// this connection was closed so that it could.
    replaced: std::rc::Rc<Cell<bool>>,
}

impl Store {
    /// Opens the database, creating its stores on first use.
    pub async fn open() -> Result<Store> {
        let db = idb::open(DB_NAME, DB_VERSION, |db, old_version| {
            if old_version < 1 {
                for name in [META, SNAPSHOTS, CHUNKS, QUARANTINE, PROFILE] {
                    let _ = db.create_object_store(name);
                }
            }
            if old_version < 2 {
                for name in [SYNC, OUTBOX] {
                    let _ = db.create_object_store(name);
                }
            }
            if old_version < 3 {
                let _ = db.create_object_store(VIEWS);
            }
        })
        .await?;
        // A newer version opening in another tab must be able to upgrade the database:
        // step aside, or that tab would wait for this one to close. What this tab then
        // fails to write stays in its localStorage stash, and the next open recovers it.
        let replaced = std::rc::Rc::new(Cell::new(false));
        let on_version_change = wasm_bindgen::closure::Closure::<dyn FnMut()>::new({
            let (db, replaced) = (db.clone(), std::rc::Rc::clone(&replaced));
            move || {
                replaced.set(true);
                db.close();
            }
        });
        db.set_onversionchange(Some(wasm_bindgen::JsCast::unchecked_ref(on_version_change.as_ref())));
        on_version_change.forget();
        let tag = (js_sys::Math::random() * 65_536.0) as u32;
        Ok(Store { db, counter: Cell::new(0), tag, replaced })
    }

    /// A transaction over `stores`.
    fn tx(&self, stores: &[&str], write: bool) -> Result<web_sys::IdbTransaction> {
        if self.replaced.get() {
            return Err(idb::StorageError("a newer version of Waymark opened in another tab: reload this tab to keep saving here".into()));
        }
        idb::transaction(&self.db, stores, write)
    }

    /// Every workspace on this device, most recently opened first.
    pub async fn list(&self) -> Result<Vec<WorkspaceMeta>> {
        let tx = self.tx(&[META], false)?;
        let all = idb::request_done(&tx.object_store(META)?.get_all()?).await?;
        let mut metas: Vec<WorkspaceMeta> = Array::from(&all)
            .iter()
            .filter_map(|v| v.as_string())
            .filter_map(|s| serde_json::from_str(&s).ok())
            .collect();
        sort::sort_by(&mut metas, |a, b| b.last_opened.total_cmp(&a.last_opened));
        Ok(metas)
    }

    pub async fn meta(&self, id: &str) -> Result<Option<WorkspaceMeta>> {
        let tx = self.tx(&[META], false)?;
        let v = idb::request_done(&tx.object_store(META)?.get(&id.into())?).await?;
        Ok(v.as_string().and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub async fn put_meta(&self, meta: &WorkspaceMeta) -> Result<()> {
        let tx = self.tx(&[META], true)?;
        let json = serde_json::to_string(meta).expect("meta serialises");
        tx.object_store(META)?.put_with_key(&json.into(), &meta.id.as_str().into())?;
        idb::transaction_done(&tx).await
    }

    /// Stores a brand-new workspace: its metadata and first snapshot, atomically.
    pub async fn create(&self, meta: &WorkspaceMeta, snapshot: &[u8]) -> Result<()> {
        let tx = self.tx(&[META, SNAPSHOTS], true)?;
        let json = serde_json::to_string(meta).expect("meta serialises");
        tx.object_store(META)?.put_with_key(&json.into(), &meta.id.as_str().into())?;
        tx.object_store(SNAPSHOTS)?.put_with_key(&bytes(snapshot), &meta.id.as_str().into())?;
        idb::transaction_done(&tx).await
    }

    /// Stores a workspace that came through a share link: metadata, document and keys.
    pub async fn create_shared(&self, meta: &WorkspaceMeta, snapshot: &[u8], record: &SyncRecord) -> Result<()> {
        let tx = self.tx(&[META, SNAPSHOTS, SYNC], true)?;
        let json = serde_json::to_string(meta).expect("meta serialises");
        tx.object_store(META)?.put_with_key(&json.into(), &meta.id.as_str().into())?;
        tx.object_store(SNAPSHOTS)?.put_with_key(&bytes(snapshot), &meta.id.as_str().into())?;
        let json = serde_json::to_string(record).expect("record serialises");
        tx.object_store(SYNC)?.put_with_key(&json.into(), &meta.id.as_str().into())?;
        idb::transaction_done(&tx).await
    }

    /// Everything stored for a workspace.
    pub async fn load(&self, id: &str) -> Result<StoredDoc> {
        let tx = self.tx(&[SNAPSHOTS, CHUNKS, QUARANTINE], false)?;
        let snapshot = idb::request_done(&tx.object_store(SNAPSHOTS)?.get(&id.into())?).await?;
        let range = chunk_range(id)?;
        let chunk_store = tx.object_store(CHUNKS)?;
        let keys = idb::request_done(&chunk_store.get_all_keys_with_key(&range)?).await?;
        let values = idb::request_done(&chunk_store.get_all_with_key(&range)?).await?;
        let quarantined = idb::request_done(&tx.object_store(QUARANTINE)?.count_with_key(&range)?).await?;
        let chunks = Array::from(&keys)
            .iter()
            .zip(Array::from(&values).iter())
            .map(|(k, v)| (k.as_string().unwrap_or_default(), to_vec(&v)))
            .collect();
        Ok(StoredDoc {
            snapshot: (!snapshot.is_undefined()).then(|| to_vec(&snapshot)),
            chunks,
            quarantined: quarantined.as_f64().unwrap_or(0.0) as usize,
        })
    }

    /// The workspace's view cache, if one was written.
    pub async fn view_cache(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let tx = self.tx(&[VIEWS], false)?;
        let v = idb::request_done(&tx.object_store(VIEWS)?.get(&id.into())?).await?;
        Ok((!v.is_undefined()).then(|| to_vec(&v)))
    }

    /// Replaces the workspace's view cache.
    pub async fn put_view_cache(&self, id: &str, cache: &[u8]) -> Result<()> {
        let tx = self.tx(&[VIEWS], true)?;
        tx.object_store(VIEWS)?.put_with_key(&bytes(cache), &id.into())?;
        idb::transaction_done(&tx).await
    }

    /// A key for a new chunk: ordered by time, and unique (a counter for this handle,
    /// and the handle's random tag).
    pub fn next_chunk_key(&self, id: &str) -> String {
        let n = self.counter.get().wrapping_add(1);
        self.counter.set(n);
        format!("{id}:{:015}:{n:06}-{:04x}", js_sys::Date::now() as u64, self.tag)
    }

    /// Writes one chunk; resolves once it is durable.
    pub async fn append_chunk(&self, key: &str, chunk: &[u8]) -> Result<()> {
        self.append_chunk_to(key, chunk, false).await
    }

    /// Writes one chunk, and with `outbox` the same bytes into the outbox, atomically:
    /// a local change of a shared workspace is never stored without being queued for
    /// the relay.
    pub async fn append_chunk_to(&self, key: &str, chunk: &[u8], outbox: bool) -> Result<()> {
        let entries: &[(String, &[u8])] = if outbox { &[(key.to_owned(), chunk)] } else { &[] };
        self.append_chunk_queuing(key, chunk, entries).await
    }

    /// Writes one chunk, and each of `entries` (key, bytes) into the outbox, atomically.
    pub async fn append_chunk_queuing(&self, key: &str, chunk: &[u8], entries: &[(String, &[u8])]) -> Result<()> {
        let stores: &[&str] = if entries.is_empty() { &[CHUNKS] } else { &[CHUNKS, OUTBOX] };
        let tx = self.tx(stores, true)?;
        tx.object_store(CHUNKS)?.put_with_key(&bytes(chunk), &key.into())?;
        for (key, entry) in entries {
            tx.object_store(OUTBOX)?.put_with_key(&bytes(entry), &key.as_str().into())?;
        }
        idb::transaction_done(&tx).await
    }

    /// Stores changes that came from the relay (entry `seq`) as a chunk, and moves the
    /// workspace's read position to `seq`, atomically.
    /// `fragment` names the link whose log `seq` counts in: a record since switched to
    /// another link (its links were replaced) keeps its own position.
    pub async fn store_remote(&self, id: &str, fragment: &str, key: &str, chunk: &[u8], seq: u64) -> Result<()> {
        let tx = self.tx(&[CHUNKS, SYNC], true)?;
        if !chunk.is_empty() {
            tx.object_store(CHUNKS)?.put_with_key(&bytes(chunk), &key.into())?;
        }
        let sync = tx.object_store(SYNC)?;
        let current = idb::request_done(&sync.get(&id.into())?).await?;
        if let Some(mut record) = current.as_string().and_then(|s| serde_json::from_str::<SyncRecord>(&s).ok()) {
            if seq > record.last_seq && record.fragment == fragment {
                record.last_seq = seq;
                let json = serde_json::to_string(&record).expect("record serialises");
                sync.put_with_key(&json.into(), &id.into())?;
            }
        }
        idb::transaction_done(&tx).await
    }

    /// Replaces the snapshot with `merge`'s output and drops the chunks it covers, in one
    /// read-write transaction: `merge` is given the stored snapshot and every stored
    /// chunk (including other tabs'), folds what it lacks into the document and returns
    /// (snapshot, keys of the chunks it included). A crash leaves either the old state
    /// or the new one. Returns whether it compacted (`merge` may decline with `None`).
    pub async fn compact(&self, id: &str, merge: impl FnOnce(Option<Vec<u8>>, Vec<(String, Vec<u8>)>) -> Option<(Vec<u8>, Vec<String>)>) -> Result<bool> {
        let tx = self.tx(&[SNAPSHOTS, CHUNKS], true)?;
        let old_snapshot = idb::request_done(&tx.object_store(SNAPSHOTS)?.get(&id.into())?).await?;
        let old_snapshot = (!old_snapshot.is_undefined()).then(|| to_vec(&old_snapshot));
        let chunks = tx.object_store(CHUNKS)?;
        let range = chunk_range(id)?;
        let keys = idb::request_done(&chunks.get_all_keys_with_key(&range)?).await?;
        let values = idb::request_done(&chunks.get_all_with_key(&range)?).await?;
        let stored: Vec<(String, Vec<u8>)> = Array::from(&keys)
            .iter()
            .zip(Array::from(&values).iter())
            .map(|(k, v)| (k.as_string().unwrap_or_default(), to_vec(&v)))
            .collect();
        let Some((snapshot, covered)) = merge(old_snapshot, stored) else {
            idb::transaction_done(&tx).await?;
            return Ok(false);
        };
        tx.object_store(SNAPSHOTS)?.put_with_key(&bytes(&snapshot), &id.into())?;
        for key in covered {
            chunks.delete(&key.as_str().into())?;
        }
        idb::transaction_done(&tx).await?;
        Ok(true)
    }

    pub async fn sync_record(&self, id: &str) -> Result<Option<SyncRecord>> {
        let tx = self.tx(&[SYNC], false)?;
        let v = idb::request_done(&tx.object_store(SYNC)?.get(&id.into())?).await?;
        Ok(v.as_string().and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Every shared workspace's record, with its local id.
    pub async fn sync_records(&self) -> Result<Vec<(String, SyncRecord)>> {
        let tx = self.tx(&[SYNC], false)?;
        let store = tx.object_store(SYNC)?;
        let keys = idb::request_done(&store.get_all_keys()?).await?;
        let values = idb::request_done(&store.get_all()?).await?;
        Ok(Array::from(&keys)
            .iter()
            .zip(Array::from(&values).iter())
            .filter_map(|(k, v)| Some((k.as_string()?, serde_json::from_str(&v.as_string()?).ok()?)))
            .collect())
    }

    pub async fn put_sync_record(&self, id: &str, record: &SyncRecord) -> Result<()> {
        let tx = self.tx(&[SYNC], true)?;
        let json = serde_json::to_string(record).expect("record serialises");
        tx.object_store(SYNC)?.put_with_key(&json.into(), &id.into())?;
        idb::transaction_done(&tx).await
    }

    /// Saves an engine's position, unless the record has moved to another link since
    /// (an engine of the old link in another tab must not overwrite the new one).
    pub async fn save_position(&self, id: &str, record: &SyncRecord) -> Result<()> {
        let tx = self.tx(&[SYNC], true)?;
        let sync = tx.object_store(SYNC)?;
        let current = idb::request_done(&sync.get(&id.into())?).await?;
        let same_link = current.as_string().and_then(|s| serde_json::from_str::<SyncRecord>(&s).ok()).is_none_or(|r| r.fragment == record.fragment);
        if same_link {
            let json = serde_json::to_string(record).expect("record serialises");
            sync.put_with_key(&json.into(), &id.into())?;
        }
        idb::transaction_done(&tx).await
    }

    /// Starts sharing: the record and the whole document as the first outbox entry.
    pub async fn start_sharing(&self, id: &str, record: &SyncRecord, key: &str, whole: &[u8]) -> Result<()> {
        let tx = self.tx(&[SYNC, OUTBOX], true)?;
        let json = serde_json::to_string(record).expect("record serialises");
        tx.object_store(SYNC)?.put_with_key(&json.into(), &id.into())?;
        // Whatever still waits from an earlier (closed) log stays, and goes to the new
        // one too (another tab's edit may not be in `whole` yet; twice is harmless).
        tx.object_store(OUTBOX)?.put_with_key(&bytes(whole), &key.into())?;
        idb::transaction_done(&tx).await
    }

    /// Local changes not yet acknowledged by the relay, oldest first.
    pub async fn outbox(&self, id: &str) -> Result<Vec<(String, Vec<u8>)>> {
        let tx = self.tx(&[OUTBOX], false)?;
        let store = tx.object_store(OUTBOX)?;
        let range = chunk_range(id)?;
        let keys = idb::request_done(&store.get_all_keys_with_key(&range)?).await?;
        let values = idb::request_done(&store.get_all_with_key(&range)?).await?;
        Ok(Array::from(&keys)
            .iter()
            .zip(Array::from(&values).iter())
            .map(|(k, v)| (k.as_string().unwrap_or_default(), to_vec(&v)))
            .collect())
    }

    /// Forgets an outbox entry the relay acknowledged.
    pub async fn remove_outbox(&self, key: &str) -> Result<()> {
        let tx = self.tx(&[OUTBOX], true)?;
        tx.object_store(OUTBOX)?.delete(&key.into())?;
        idb::transaction_done(&tx).await
    }

    /// Moves damaged chunks aside, keeping their bytes for recovery.
    pub async fn quarantine(&self, chunks: &[(String, Vec<u8>)]) -> Result<()> {
        let tx = self.tx(&[CHUNKS, QUARANTINE], true)?;
        let (from, to) = (tx.object_store(CHUNKS)?, tx.object_store(QUARANTINE)?);
        for (key, data) in chunks {
            to.put_with_key(&bytes(data), &key.as_str().into())?;
            from.delete(&key.as_str().into())?;
        }
        idb::transaction_done(&tx).await
    }

    /// Removes a workspace and everything stored for it.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let tx = self.tx(&[META, SNAPSHOTS, CHUNKS, QUARANTINE, SYNC, OUTBOX, VIEWS], true)?;
        tx.object_store(META)?.delete(&id.into())?;
        tx.object_store(VIEWS)?.delete(&id.into())?;
        tx.object_store(SNAPSHOTS)?.delete(&id.into())?;
        tx.object_store(SYNC)?.delete(&id.into())?;
        let range: JsValue = chunk_range(id)?.into();
        tx.object_store(CHUNKS)?.delete(&range)?;
        tx.object_store(QUARANTINE)?.delete(&range)?;
        tx.object_store(OUTBOX)?.delete(&range)?;
        idb::transaction_done(&tx).await
    }

    pub async fn profile(&self) -> Result<Option<Profile>> {
        let tx = self.tx(&[PROFILE], false)?;
        let v = idb::request_done(&tx.object_store(PROFILE)?.get(&"me".into())?).await?;
        Ok(v.as_string().and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub async fn put_profile(&self, profile: &Profile) -> Result<()> {
        let tx = self.tx(&[PROFILE], true)?;
        let json = serde_json::to_string(profile).expect("profile serialises");
        tx.object_store(PROFILE)?.put_with_key(&json.into(), &"me".into())?;
        idb::transaction_done(&tx).await
    }
}

const STASH_PREFIX: &str = "waymark-pending:";
const QUEUE_PREFIX: &str = "waymark-queued:";

/// Edits waiting for their workspace's document to load, kept in localStorage so a tab
/// closed meanwhile loses none of them.
#[derive(Serialize, Deserialize)]
struct StashedEdits {
    /// When the stash was last written (ms since the epoch).
    at: f64,
    /// Each with the id of what it creates, if it creates something.
    edits: Vec<QueuedEdit>,
}

/// An edit waiting for its document, with the id of what it creates.
/// An edit as JSON (the page never reads an edit back: the document's worker does), and
/// the id of what it creates, if it creates something.
pub type QueuedEdit = (EditJson, Option<waymark_domain::Id>);

/// A [`waymark_domain::edit::Edit`] serialized. Only the worker deserializes edits: that
/// code (66 KB) stays out of the page's module.
pub type EditJson = Box<serde_json::value::RawValue>;

/// The key under which a tab keeps the edits it made to workspace `id` while it
/// opened (`tab` tells tabs apart).
pub fn edit_stash_key(id: &str, tab: &str) -> String {
    format!("{QUEUE_PREFIX}{id}:{tab}")
}

/// Synchronously keeps `edits` under `key` (see [`edit_stash_key`]); best effort, like
/// [`stash`].
pub fn stash_edits(key: &str, edits: &[QueuedEdit]) {
    if let Some(ls) = local_storage() {
        let json = serde_json::to_string(&StashedEdits { at: js_sys::Date::now(), edits: edits.to_vec() }).expect("edits serialise");
        let _ = ls.set_item(key, &json);
    }
}

/// Forgets edits stashed under `key` once they are in a stashed or stored chunk.
pub fn unstash_edits(key: &str) {
    if let Some(ls) = local_storage() {
        let _ = ls.remove_item(key);
    }
}

/// Edits made to workspace `id` while a tab opened it, that the tab never got to make
/// (it closed before they were saved): each stash's key and edits. `held`: the Web
/// Locks held now, where the browser has them; a tab holds its stash's key while it
/// lives (`util::hold_lock`), so a stash whose key is not held is another tab's that
/// closed. Without Web Locks, only stashes left alone for `idle_ms` count. One that
/// does not read is left alone.
pub fn stashed_edits(id: &str, idle_ms: f64, held: &Option<Vec<String>>) -> Vec<(String, Vec<QueuedEdit>)> {
    let Some(ls) = local_storage() else { return Vec::new() };
    let prefix = format!("{QUEUE_PREFIX}{id}:");
    let now = js_sys::Date::now();
    let mut out: Vec<(f64, String, Vec<QueuedEdit>)> = Vec::new();
    for i in 0..ls.length().unwrap_or(0) {
        let Some(name) = ls.key(i).ok().flatten().filter(|n| n.starts_with(&prefix)) else { continue };
        match ls.get_item(&name).ok().flatten().and_then(|text| serde_json::from_str::<StashedEdits>(&text).ok()) {
            Some(stash) if held.as_ref().map_or(now - stash.at >= idle_ms, |held| !held.contains(&name)) => out.push((stash.at, name, stash.edits)),
            // Left where it is, like an undecodable chunk stash.
            _ => {}
        }
    }
    sort::sort_by(&mut out, |a, b| a.0.total_cmp(&b.0));
    out.into_iter().map(|(_, key, edits)| (key, edits)).collect()
}

const TAIL_PREFIX: &str = "waymark-view-tail:";
/// A view tail bigger than this is not kept: the cache's own write holds it, or the
/// next opening reads the changes from the document.
const TAIL_AT_MOST: usize = 512 * 1024;

/// Synchronously keeps the view tail of workspace `id`: what its view changed in since
/// its view cache at `base` (hex heads), as a view delta's bytes. Best effort.
pub fn stash_view_tail(id: &str, base: &[String], delta: &[u8]) {
    let Some(ls) = local_storage() else { return };
    let key = format!("{TAIL_PREFIX}{id}");
    match std::str::from_utf8(delta) {
        Ok(delta) if delta.len() <= TAIL_AT_MOST => {
            let _ = ls.set_item(&key, &format!("{}\n{delta}", base.join(",")));
        }
        _ => {
            let _ = ls.remove_item(&key);
        }
    }
}

/// Workspace `id`'s view tail: the heads of the cache it follows, and its delta's bytes.
pub fn view_tail(id: &str) -> Option<(Vec<String>, Vec<u8>)> {
    let text = local_storage()?.get_item(&format!("{TAIL_PREFIX}{id}")).ok().flatten()?;
    let (base, delta) = text.split_once('\n')?;
    Some((base.split(',').filter(|h| !h.is_empty()).map(str::to_owned).collect(), delta.as_bytes().to_vec()))
}

/// Forgets workspace `id`'s view tail.
pub fn drop_view_tail(id: &str) {
    if let Some(ls) = local_storage() {
        let _ = ls.remove_item(&format!("{TAIL_PREFIX}{id}"));
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Synchronously keeps a chunk until IndexedDB confirms it (see [`unstash`]).
/// Best effort: if localStorage is full or blocked, the IndexedDB write still runs.
pub fn stash(key: &str, chunk: &[u8]) {
    if let Some(ls) = local_storage() {
        let hex: String = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let _ = ls.set_item(&format!("{STASH_PREFIX}{key}"), &hex);
    }
}

/// Forgets a stashed chunk once IndexedDB holds it.
pub fn unstash(key: &str) {
    if let Some(ls) = local_storage() {
        let _ = ls.remove_item(&format!("{STASH_PREFIX}{key}"));
    }
}

/// Chunks of workspace `id` stashed but not confirmed in IndexedDB (the tab closed
/// first), oldest first.
pub fn stashed(id: &str) -> Vec<(String, Vec<u8>)> {
    let Some(ls) = local_storage() else { return Vec::new() };
    let prefix = format!("{STASH_PREFIX}{id}:");
    let mut out = Vec::new();
    for i in 0..ls.length().unwrap_or(0) {
        let Some(name) = ls.key(i).ok().flatten() else { continue };
        let Some(key) = name.strip_prefix(STASH_PREFIX).filter(|_| name.starts_with(&prefix)) else { continue };
        let hex = ls.get_item(&name).ok().flatten().unwrap_or_default();
        let bytes: Option<Vec<u8>> =
            (0..hex.len() / 2).map(|j| hex.get(2 * j..2 * j + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect();
        // Undecodable text is left where it is rather than deleted.
        if let Some(bytes) = bytes.filter(|_| hex.len() % 2 == 0) {
            out.push((key.to_owned(), bytes));
        }
    }
    out.sort();
    out
}

/// Keys `<id>:…` sort between `<id>:` and `<id>;` (';' follows ':' in ASCII).
fn chunk_range(id: &str) -> Result<IdbKeyRange> {
    Ok(IdbKeyRange::bound(&format!("{id}:").into(), &format!("{id};").into())?)
}

fn bytes(data: &[u8]) -> JsValue {
    Uint8Array::from(data).into()
}

fn to_vec(v: &JsValue) -> Vec<u8> {
    match v.dyn_ref::<Uint8Array>() {
        Some(a) => a.to_vec(),
        None => Vec::new(),
    }
}
