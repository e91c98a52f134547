//! A WebSocket to the relay whose events arrive on a channel, so one task can handle
//! them in order with everything else.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc::UnboundedSender;
use waymark_protocol::client::Inflow;
use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

/// What a socket reports; `generation` tells this connection's events from a
/// previous one's.
#[derive(Debug)]
pub enum SocketEvent {
    Open { generation: u32 },
    Frame { generation: u32, bytes: Vec<u8> },
    Closed { generation: u32, reason: String },
}

/// An open (or opening) connection. Dropping it closes it and silences its handlers.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut()>,
}

impl Socket {
    /// Opens a socket whose events go to `events`. Every frame is counted in `inflow`
    /// until whoever handles it says so ([`Inflow::done`]); a frame past its budget
    /// closes the connection instead of queueing without bound.
    pub fn open(url: &str, generation: u32, events: UnboundedSender<SocketEvent>, inflow: Rc<RefCell<Inflow>>) -> Result<Socket, String> {
        let ws = WebSocket::new(url).map_err(|e| format!("{e:?}"))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let on_open = {
            let events = events.clone();
            Closure::<dyn FnMut()>::new(move || {
                let _ = events.unbounded_send(SocketEvent::Open { generation });
            })
        };
        let on_message = {
            let events = events.clone();
            let ws = ws.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let event = match e.data().dyn_into::<ArrayBuffer>() {
                    Ok(buffer) if !inflow.borrow_mut().admit(buffer.byte_length() as usize) => {
                        let _ = ws.close();
                        SocketEvent::Closed { generation, reason: "the relay sent more than this browser can take in at once".into() }
                    }
                    Ok(buffer) => SocketEvent::Frame { generation, bytes: Uint8Array::new(&buffer).to_vec() },
                    // A text frame is not part of the protocol.
                    Err(_) => SocketEvent::Closed { generation, reason: "the relay sent a text frame".into() },
                };
                let _ = events.unbounded_send(event);
            })
        };
        let on_close = {
            let events = events.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
                let reason = if e.reason().is_empty() { format!("connection closed ({})", e.code()) } else { e.reason() };
                let _ = events.unbounded_send(SocketEvent::Closed { generation, reason });
            })
        };
        let on_error = Closure::<dyn FnMut()>::new(move || {
            let _ = events.unbounded_send(SocketEvent::Closed { generation, reason: "the relay cannot be reached".into() });
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Socket { ws, _on_open: on_open, _on_message: on_message, _on_close: on_close, _on_error: on_error })
    }

    /// Sends one frame; false if the socket is not open.
    pub fn send(&self, bytes: &[u8]) -> bool {
        self.ws.ready_state() == WebSocket::OPEN && self.ws.send_with_u8_array(bytes).is_ok()
    }

    /// Bytes queued in the browser and not yet sent.
    pub fn buffered(&self) -> u32 {
        self.ws.buffered_amount()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

/// `http://host:port` → `ws://host:port/sync` (and https → wss).
pub fn sync_url(origin: &str) -> String {
    let origin = origin.trim_end_matches('/');
    match origin.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}/sync"),
        None => format!("ws://{}/sync", origin.strip_prefix("http://").unwrap_or(origin)),
    }
}
