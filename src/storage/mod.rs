//! Where workspaces live in the browser: IndexedDB, one database for the app.
//!
//! Each workspace is an Automerge snapshot plus the incremental chunks written since;
//! every committed change is written as a chunk at once, and chunks are folded into a
//! new snapshot in the background ([`Store::compact`]). Chunks that do not load are
//! moved to `quarantine`, never deleted.
//!
//! A chunk is first stashed synchronously in `localStorage` ([`stash`]) and removed
//! from there once IndexedDB has it: IndexedDB writes are asynchronous and a write
//! begun as the tab closes may never land, but the stash is already on disk.
//!
//! Stores: `meta` (workspace id → JSON [`WorkspaceMeta`]), `snapshots` (id → bytes),
//! `chunks` (`<id>:<time>:<n>` → bytes), `quarantine` (same keys → bytes),
//! `profile` (`"me"` → JSON [`Profile`]).

pub mod idb;

use std::cell::Cell;

use js_sys::{Array, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbKeyRange};

pub use idb::Result;

const DB_NAME: &str = "waymark";
const DB_VERSION: u32 = 1;
const META: &str = "meta";
const SNAPSHOTS: &str = "snapshots";
const CHUNKS: &str = "chunks";
const QUARANTINE: &str = "quarantine";
const PROFILE: &str = "profile";

/// What Home shows about a workspace without opening its document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceMeta {
    pub id: String,
    pub name: String,
    pub ideas: usize,
    /// ms since the epoch.
    pub last_opened: f64,
    pub created: f64,
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
        })
        .await?;
        Ok(Store { db, counter: Cell::new(0) })
    }

    /// Every workspace on this device, most recently opened first.
    pub async fn list(&self) -> Result<Vec<WorkspaceMeta>> {
        let tx = idb::transaction(&self.db, &[META], false)?;
        let all = idb::request_done(&tx.object_store(META)?.get_all()?).await?;
        let mut metas: Vec<WorkspaceMeta> = Array::from(&all)
            .iter()
            .filter_map(|v| v.as_string())
            .filter_map(|s| serde_json::from_str(&s).ok())
            .collect();
        metas.sort_by(|a, b| b.last_opened.total_cmp(&a.last_opened));
        Ok(metas)
    }

    pub async fn meta(&self, id: &str) -> Result<Option<WorkspaceMeta>> {
        let tx = idb::transaction(&self.db, &[META], false)?;
        let v = idb::request_done(&tx.object_store(META)?.get(&id.into())?).await?;
        Ok(v.as_string().and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub async fn put_meta(&self, meta: &WorkspaceMeta) -> Result<()> {
        let tx = idb::transaction(&self.db, &[META], true)?;
        let json = serde_json::to_string(meta).expect("meta serialises");
        tx.object_store(META)?.put_with_key(&json.into(), &meta.id.as_str().into())?;
        idb::transaction_done(&tx).await
    }

    /// Stores a brand-new workspace: its metadata and first snapshot, atomically.
    pub async fn create(&self, meta: &WorkspaceMeta, snapshot: &[u8]) -> Result<()> {
        let tx = idb::transaction(&self.db, &[META, SNAPSHOTS], true)?;
        let json = serde_json::to_string(meta).expect("meta serialises");
        tx.object_store(META)?.put_with_key(&json.into(), &meta.id.as_str().into())?;
        tx.object_store(SNAPSHOTS)?.put_with_key(&bytes(snapshot), &meta.id.as_str().into())?;
        idb::transaction_done(&tx).await
    }

    /// Everything stored for a workspace.
    pub async fn load(&self, id: &str) -> Result<StoredDoc> {
        let tx = idb::transaction(&self.db, &[SNAPSHOTS, CHUNKS, QUARANTINE], false)?;
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

    /// A key for a new chunk: ordered by time, unique within this tab.
    pub fn next_chunk_key(&self, id: &str) -> String {
        let n = self.counter.get().wrapping_add(1);
        self.counter.set(n);
        format!("{id}:{:015}:{n:06}", js_sys::Date::now() as u64)
    }

    /// Writes one chunk; resolves once it is durable.
    pub async fn append_chunk(&self, key: &str, chunk: &[u8]) -> Result<()> {
        let tx = idb::transaction(&self.db, &[CHUNKS], true)?;
        tx.object_store(CHUNKS)?.put_with_key(&bytes(chunk), &key.into())?;
        idb::transaction_done(&tx).await
    }

    /// Replaces the snapshot and drops the chunks it covers, in one transaction, so a
    /// crash leaves either the old state or the new one.
    pub async fn compact(&self, id: &str, snapshot: &[u8], covered: &[String]) -> Result<()> {
        let tx = idb::transaction(&self.db, &[SNAPSHOTS, CHUNKS], true)?;
        tx.object_store(SNAPSHOTS)?.put_with_key(&bytes(snapshot), &id.into())?;
        let chunks = tx.object_store(CHUNKS)?;
        for key in covered {
            chunks.delete(&key.as_str().into())?;
        }
        idb::transaction_done(&tx).await
    }

    /// Moves damaged chunks aside, keeping their bytes for recovery.
    pub async fn quarantine(&self, chunks: &[(String, Vec<u8>)]) -> Result<()> {
        let tx = idb::transaction(&self.db, &[CHUNKS, QUARANTINE], true)?;
        let (from, to) = (tx.object_store(CHUNKS)?, tx.object_store(QUARANTINE)?);
        for (key, data) in chunks {
            to.put_with_key(&bytes(data), &key.as_str().into())?;
            from.delete(&key.as_str().into())?;
        }
        idb::transaction_done(&tx).await
    }

    /// Removes a workspace and everything stored for it.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let tx = idb::transaction(&self.db, &[META, SNAPSHOTS, CHUNKS, QUARANTINE], true)?;
        tx.object_store(META)?.delete(&id.into())?;
        tx.object_store(SNAPSHOTS)?.delete(&id.into())?;
        let range: JsValue = chunk_range(id)?.into();
        tx.object_store(CHUNKS)?.delete(&range)?;
        tx.object_store(QUARANTINE)?.delete(&range)?;
        idb::transaction_done(&tx).await
    }

    pub async fn profile(&self) -> Result<Option<Profile>> {
        let tx = idb::transaction(&self.db, &[PROFILE], false)?;
        let v = idb::request_done(&tx.object_store(PROFILE)?.get(&"me".into())?).await?;
        Ok(v.as_string().and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub async fn put_profile(&self, profile: &Profile) -> Result<()> {
        let tx = idb::transaction(&self.db, &[PROFILE], true)?;
        let json = serde_json::to_string(profile).expect("profile serialises");
        tx.object_store(PROFILE)?.put_with_key(&json.into(), &"me".into())?;
        idb::transaction_done(&tx).await
    }
}

const STASH_PREFIX: &str = "waymark-pending:";

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
