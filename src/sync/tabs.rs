//! Other tabs of this browser on the same workspace: each change one tab stores is
//! posted on a `BroadcastChannel`, and the others apply it at once, with or without a
//! relay. The tab that made a change is the one that stored it, so receivers only
//! apply (IndexedDB is shared; see `crate::storage` for how compaction stays safe).
//! The channel is the document worker's (a worker has `BroadcastChannel` too).

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

pub struct Tabs {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Tabs {
    /// Joins the workspace's channel; `None` where the browser has no BroadcastChannel.
    /// `received` gets each change another tab posts.
    pub fn open(id: &str, received: impl Fn(Vec<u8>) + 'static) -> Option<Tabs> {
        let channel = BroadcastChannel::new(&format!("waymark:{id}")).ok()?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(bytes) = e.data().dyn_ref::<Uint8Array>() {
                received(bytes.to_vec());
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Tabs { channel, _on_message: on_message })
    }

    /// Tells the other tabs about a change this tab stored.
    pub fn post(&self, chunk: &[u8]) {
        let _ = self.channel.post_message(&Uint8Array::from(chunk).into());
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
