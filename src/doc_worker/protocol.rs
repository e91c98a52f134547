//! What the app and its document worker say to each other. A message is a JS array
//! `[header, payload]`: the header a JSON string, the payload bytes (a `Uint8Array`)
//! or `undefined`, so a big file or document never passes through JSON. Every request
//! carries an id that its replies repeat. The worker's first message, id 0, says it is
//! ready: what is posted to a worker before it listens is lost.

use js_sys::{Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use waymark_domain::audience::Audience;
use waymark_domain::backlog::Backlog;
use waymark_domain::backlog_import::{Choices, ImportPlan};
use waymark_domain::comments::Comment;
use waymark_domain::history::Moment;
use waymark_domain::then_and_now::ChangedSince;
use waymark_domain::{Id, Ref};
use waymark_protocol::client::SyncStatus;

use crate::storage::SyncRecord;
use crate::sync::presence::Presence;

/// What the app asks of the worker.
#[derive(Serialize, Deserialize, Debug, Clone)]
pub enum Request {
    /// Builds a new workspace from a Waymark JSON export (the payload, UTF-8 text),
    /// named apart from `taken_names` (the workspaces already here).
    ImportJson { me: String, now_ms: i64, taken_names: Vec<String> },
    /// Checks an `.automerge` file (the payload) and names it apart from `taken_names`:
    /// answered `Loaded` with the document to store (`Failed` says why it is not one).
    ImportAutomerge { taken_names: Vec<String> },
    /// Reads a workspace from its stored or downloaded bytes (the payload, [`pack`]ed:
    /// the snapshot, empty if there is none, then each chunk): answered `Loaded` with the
    /// whole document as one snapshot.
    Load,
    /// Makes a new workspace named `name`, or the published roadmap of `audience`:
    /// answered `Loaded`.
    Create { name: String, me: String, now_ms: i64, audience: Option<Audience> },
    /// Opens document `doc` of stored workspace `workspace` as `me` from its stored
    /// bytes (the payload, [`pack`]ed: the snapshot, empty if there is none, then each
    /// chunk, stored under `chunk_keys`). `cache_heads` are those of the view cache the
    /// page painted: only what changed since is sent back, or the whole view if the
    /// document does not know them. From then on the worker keeps it: it stores what
    /// arrives from other tabs and the relay, and folds chunks into snapshots.
    Open { doc: String, workspace: String, me: String, cache_heads: Option<Vec<String>>, chunk_keys: Vec<String> },
    /// What happens to document `doc` that the page did not ask for (posted before its
    /// `Open`): answered with events (`Changed`, `Warn`, `Sync`, `Peer`, `PeersCleared`)
    /// until the document closes (`Closed`).
    Watch { doc: String },
    /// Stores a chunk (the payload) of workspace `workspace` under `key`, and with
    /// `shared` queues it for the relay in the same transaction; then tells the other
    /// tabs and the relay about it if document `doc` is open. Answered `Written` once
    /// the write is durable (or failed).
    Write { workspace: String, doc: Option<String>, key: String, shared: bool },
    /// Folds the stored chunks into a snapshot now: answered `Compacted`.
    Compact { doc: String },
    /// Starts syncing shared document `doc` through the relay of `record`, as `presence`.
    /// Its events carry `generation`.
    StartSync { doc: String, record: SyncRecord, presence: Presence, generation: u32 },
    /// What I am doing changed.
    Presence { doc: String, presence: Presence },
    /// Stops syncing `doc` (its links are being replaced).
    StopSync { doc: String },
    /// Closes `doc`'s log at the relay for good: answered `LogClosed` once the relay
    /// stored the close.
    CloseLog { doc: String },
    /// Passes `plain` (an offer or answer for a direct connection) to the teammate the
    /// relay calls `to`, sealed.
    Signal { doc: String, to: u64, plain: String },
    /// Receives workspace `expected` (its id) from the one teammate that will connect
    /// directly under the name `doc` (`PeerOpened`, `PeerFrame`), with the keys of
    /// `fragment`, to be stored as `workspace`: answered with `ToPeer` events, then
    /// `Loaded` with the whole document (or `Failed`). The connection stays open: once
    /// the workspace opens, its `PeerOpened` takes it over, with whatever came meanwhile.
    /// `Close { doc }` gives up.
    Fetch { doc: String, workspace: String, fragment: String, expected: String },
    /// A direct connection to teammate `peer` opened: the two copies start syncing.
    PeerOpened { doc: String, peer: u64 },
    /// A frame from teammate `peer` (the payload) over the direct connection.
    PeerFrame { doc: String, peer: u64 },
    /// The direct connection to `peer` closed.
    PeerClosed { doc: String, peer: u64 },
    /// Makes one edit (an `Edit` as JSON: only the worker reads it), giving what it
    /// creates the id `id` if chosen.
    Edit { doc: String, edit: Box<serde_json::value::RawValue>, id: Option<Id>, now_ms: i64 },
    /// Undoes (`redo`: redoes) the person's last step in this tab as a new change:
    /// answered `Undone`.
    Undo { doc: String, redo: bool, now_ms: i64 },
    /// Commits the edits made so far into one change and answers with its bytes.
    Commit { doc: String, now_ms: i64 },
    /// Applies changes from elsewhere (the payload, packed): a teammate's, another tab's,
    /// a merged file.
    Apply { doc: String, now_ms: i64 },
    /// The whole document with its history.
    Save { doc: String, now_ms: i64 },
    /// The workspace as Waymark JSON (`markdown`: false) or a Markdown report; JSON
    /// `renamed` if a name is given (a copy of the past).
    Export { doc: String, markdown: bool, now_ms: i64, renamed: Option<String> },
    /// The comments on `target`.
    Comments { doc: String, target: Ref },
    /// What teammates changed after `heads` (this browser's last visit).
    Since { doc: String, heads: Vec<String> },
    /// The moments of the workspace's history from the `from`th on (this page's edits
    /// committed first).
    History { doc: String, from: usize },
    /// Opens the workspace as it was after its first `index` moments, as document
    /// `past` (read-only): answered `Opened` with the whole view.
    At { doc: String, past: String, index: usize },
    /// What differs between `past` (opened by `At` after `index` moments) and now.
    ChangedSince { doc: String, past: String, index: usize },
    /// Makes artifact `id` of `collection` what it is in `past`, as new changes:
    /// answered `Edited`.
    Restore { doc: String, past: String, collection: String, id: Id, now_ms: i64 },
    /// Brings this published roadmap up to date with the open workspace `source`:
    /// answered `Edited`.
    Republish { doc: String, source: String, now_ms: i64 },
    /// What importing `backlog` as `choices` say would do to the workspace now.
    PlanImport { doc: String, backlog: Box<Backlog>, choices: Box<Choices> },
    /// The workspace's own id and name (what an invitation names): answered `Identity`.
    Identity { doc: String },
    /// Forgets the document (the screen went away).
    Close { doc: String },
}

/// The changes of others after some heads: their hashes, and the artifacts they touched.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct NewToYou {
    pub hashes: Vec<String>,
    pub items: Vec<(String, Id)>,
}

/// What the worker answers.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum Reply {
    /// The worker listens: requests may be posted.
    Ready,
    /// `done` of the `total` artifacts in the file are written.
    Progress { done: usize, total: usize },
    /// Everything is written; the document is being saved.
    Saving,
    /// The workspace, saved (the payload: its bytes).
    Imported { workspace_id: String, name: String, ideas: usize },
    /// Nothing was made; the message says why, for a person.
    Failed { message: String },
    /// The document is open (the payload: the view delta since the painted cache).
    /// `bad_chunks`: the chunks (by position) that could not be read and were skipped.
    Opened { bad_chunks: Vec<usize>, heads: Vec<String>, audience: Option<Audience> },
    /// An edit was made, or refused for `error` (the payload: the view delta).
    Edited { error: Option<String> },
    /// An undo (or redo) was made (the payload: the view delta): `what` it set back,
    /// for a person (empty: teammates had changed all of it since); `None`: there was
    /// nothing to undo.
    Undone { what: Option<String> },
    /// Edits are committed (the payload: the change's bytes, empty if there were none).
    Committed { heads: Vec<String> },
    /// Changes from elsewhere were applied: those at `applied` (positions), `failed` of
    /// them could not be. The payload packs the view delta and a chunk of this page's
    /// own edits that had not been committed (empty if none).
    Applied { applied: Vec<usize>, failed: usize, heads: Vec<String>, new: NewToYou },
    /// The payload packs a chunk of edits not yet committed (empty if none) and the
    /// whole document.
    Saved,
    /// The payload is UTF-8 text.
    Text,
    Comments { comments: Vec<Comment> },
    New { new: NewToYou },
    /// A workspace read, made or checked (the payload: the whole document). `bad_chunks`:
    /// the chunks (by position) that could not be read and were left out.
    Loaded { workspace_id: String, name: String, ideas: usize, bad_chunks: Vec<usize> },
    Moments { moments: Vec<Moment> },
    Identity { workspace_id: String, name: String },
    ChangedSince { changed: Vec<ChangedSince> },
    ImportPlan { plan: Box<ImportPlan> },
    Closed,
    /// A request that needs no other answer was done.
    Done,
    Written { error: Option<String> },
    Compacted { done: bool },
    LogClosed { error: Option<String> },
    /// Event: changes from elsewhere (another tab, the relay, a stored chunk) were
    /// applied (the payload: the view delta); `failed` could not be.
    Changed { failed: usize, heads: Vec<String>, new: NewToYou },
    /// Event: something the person should know.
    Warn { message: String },
    /// Event: where syncing stands.
    Sync {
        generation: u32,
        #[serde(with = "SyncStatusDef")]
        status: SyncStatus,
        last_synced: f64,
    },
    /// Event: a teammate is here (as `presence`), or left (`None`).
    Peer { generation: u32, from: u64, presence: Option<Presence> },
    /// Event: nobody else is known to be here (the connection dropped).
    PeersCleared { generation: u32 },
    /// Event: teammate `from` sent a signal for a direct connection (`writer`: signed
    /// with the write key).
    PeerSignal { generation: u32, from: u64, plain: String, writer: bool },
    /// Event: frames to send to teammate `peer` over the direct connection (the payload,
    /// [`pack`]ed).
    ToPeer { peer: u64 },
}

/// [`SyncStatus`] as the worker's messages carry it.
#[derive(Serialize, Deserialize)]
#[serde(remote = "SyncStatus")]
enum SyncStatusDef {
    Offline { retry_in_s: u32, reason: String },
    Connecting,
    Syncing,
    UpToDate,
    Refused(String),
    Closed,
}

impl Reply {
    /// Whether it is the last reply to its request.
    pub fn is_last(&self) -> bool {
        !matches!(
            self,
            Reply::Ready
                | Reply::Progress { .. }
                | Reply::Saving
                | Reply::Changed { .. }
                | Reply::Warn { .. }
                | Reply::Sync { .. }
                | Reply::Peer { .. }
                | Reply::PeersCleared { .. }
                | Reply::PeerSignal { .. }
                | Reply::ToPeer { .. }
        )
    }
}

/// Several byte strings as one payload: each its length (4 bytes, little-endian) then
/// its bytes.
pub fn pack<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(&(part.len() as u32).to_le_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// The byte strings [`pack`] joined; an error if `bytes` is not such a payload.
pub fn unpack(mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut parts = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_first_chunk::<4>().ok_or("a packed payload ends inside a length")?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return Err("a packed payload ends inside a part".into());
        }
        parts.push(rest[..len].to_vec());
        bytes = &rest[len..];
    }
    Ok(parts)
}

#[derive(Serialize, Deserialize)]
struct Header<T> {
    id: u32,
    body: T,
}

/// The message for `body` (with `payload`), and the buffer to transfer with it.
pub fn encode<T: Serialize>(id: u32, body: &T, payload: Option<&[u8]>) -> (Array, Array) {
    let header = serde_json::to_string(&Header { id, body }).expect("protocol messages serialise");
    let message = Array::new();
    message.push(&JsValue::from_str(&header));
    let transfer = Array::new();
    match payload {
        Some(bytes) => {
            let array = Uint8Array::from(bytes);
            transfer.push(&array.buffer());
            message.push(&array);
        }
        None => {
            message.push(&JsValue::UNDEFINED);
        }
    }
    (message, transfer)
}

/// Reads a message: its id, body and payload. A message that is not one is an error
/// (said, never acted on).
pub fn decode<T: DeserializeOwned>(data: &JsValue) -> Result<(u32, T, Option<Vec<u8>>), String> {
    let message: &Array = data.dyn_ref().ok_or("not a [header, payload] array")?;
    let header = message.get(0).as_string().ok_or("the header is not text")?;
    let Header { id, body } = serde_json::from_str::<Header<T>>(&header).map_err(|e| format!("unreadable header: {e}"))?;
    let payload = message.get(1);
    let payload = if payload.is_undefined() {
        None
    } else {
        Some(payload.dyn_into::<Uint8Array>().map_err(|_| "the payload is not bytes")?.to_vec())
    };
    Ok((id, body, payload))
}
