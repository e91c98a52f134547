//! The worker's side: it listens for requests and answers each (the `waymark-worker`
//! binary calls [`serve`]). Its work runs here, off the page's thread, so the page
//! keeps answering clicks and keys however long a request takes.

use js_sys::Date;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::host::rt;
use super::protocol::{decode, encode, Reply, Request};
use waymark_domain::export;

/// How often progress is posted at most: often enough to move, rarely enough to cost
/// nothing.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// Starts listening, and says so.
pub fn serve() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    rt::set_poster(std::rc::Rc::new(move |id: u32, reply: &Reply, payload: Option<&[u8]>| {
        let (message, transfer) = encode(id, reply, payload);
        if let Err(e) = replies.post_message_with_transfer(&message, &transfer) {
            web_sys::console::error_2(&"the document worker could not answer".into(), &e);
        }
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        match decode::<Request>(&event.data()) {
            Ok((id, request, payload)) => handle(id, request, payload.unwrap_or_default()),
            Err(e) => web_sys::console::error_1(&format!("the document worker got a malformed request: {e}").into()),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let (message, transfer) = encode(0, &Reply::Ready, None);
    let _ = scope.post_message_with_transfer(&message, &transfer);
}

/// Does request `id`, answering it (as often as it has something to say, now or later).
pub(crate) fn handle(id: u32, request: Request, payload: Vec<u8>) {
    let answer = |reply: Reply, bytes: Option<&[u8]>| rt::post(id, &reply, bytes);
    if !matches!(request, Request::ImportJson { .. }) {
        if let Some((reply, bytes)) = super::host::handle(id, request, payload) {
            answer(reply, Some(&bytes));
        }
        return;
    }
    match request {
        Request::ImportJson { me, now_ms, taken_names } => {
            let Ok(text) = std::str::from_utf8(&payload) else {
                return answer(Reply::Failed { message: "This JSON file is not valid UTF-8 text.".into() }, None);
            };
            let mut last = 0.0;
            let mut progress = |done: usize, total: usize| {
                let now = Date::now();
                if now - last >= PROGRESS_EVERY_MS || done == total {
                    last = now;
                    answer(Reply::Progress { done, total }, None);
                }
            };
            let mut ws = match export::from_json_reporting(text, now_ms, &me, &mut progress) {
                Ok(ws) => ws,
                Err(e) => return answer(Reply::Failed { message: format!("This JSON file can't be imported: {e}.") }, None),
            };
            if let Err(e) = export::name_apart(&mut ws, &taken_names) {
                return answer(Reply::Failed { message: format!("The workspace could not be named: {e}") }, None);
            }
            answer(Reply::Saving, None);
            let bytes = ws.save();
            answer(Reply::Imported { workspace_id: ws.workspace_id(), name: ws.name(), ideas: ws.live_idea_count() }, Some(&bytes));
        }
        _ => {}
    }
}
