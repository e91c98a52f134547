//! What the app and its document worker say to each other. A message is a JS array
//! `[header, payload]`: the header a JSON string, the payload bytes (a `Uint8Array`)
//! or `undefined`, so a big file or document never passes through JSON. Every request
//! carries an id that its replies repeat. The worker's first message, id 0, says it is
//! ready: what is posted to a worker before it listens is lost.

use js_sys::{Array, Uint8Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// What the app asks of the worker.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub enum Request {
    /// Builds a new workspace from a Waymark JSON export (the payload, UTF-8 text),
    /// named apart from `taken_names` (the workspaces already here).
    ImportJson { me: String, now_ms: i64, taken_names: Vec<String> },
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
