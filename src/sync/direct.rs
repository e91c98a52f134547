//! Direct connections to teammates, the page's side: one WebRTC data channel per
//! teammate the relay announces, set up through signals the relay passes on sealed
//! (`Request::Signal`, `Reply::PeerSignal`). The page holds the connections (a worker
//! has no `RTCPeerConnection`); what crosses them is the document worker's business
//! (`doc_worker::host::direct`): frames go to it as they arrive and come from it to be
//! sent. Once open, a channel does not need the relay: teammates keep syncing when it
//! stops.
//!
//! No ICE server is contacted: only host addresses are offered, so teammates connect
//! directly on one machine or one network, and not across NATs (syncing then goes on
//! through the relay alone).
//!
//! Offers can cross (both sides see each other at once): each tab draws a number, and
//! the side with the lower one answers the other's offer and drops its own.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures::channel::oneshot;
use js_sys::{Array, ArrayBuffer, Uint8Array};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    MessageEvent, RtcConfiguration, RtcDataChannel, RtcDataChannelInit, RtcDataChannelState, RtcDataChannelType, RtcIceGatheringState, RtcPeerConnection,
    RtcSdpType, RtcSessionDescriptionInit,
};

use crate::doc_worker::protocol::{unpack, Request};
use crate::doc_worker::DocWorker;
use crate::sync::presence::Peer;

/// How long gathering addresses may take before the offer goes with what it has.
const GATHERING_AT_MOST: Duration = Duration::from_secs(5);

/// What a signal says (JSON, sealed by the worker's engine before the relay sees it).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signal {
    /// `offer` or `answer`.
    kind: String,
    /// The sender's number (see the module's note).
    me: u64,
    sdp: String,
}

/// One teammate's connection.
struct Conn {
    pc: RtcPeerConnection,
    channel: RtcDataChannel,
    /// Set while this tab's offer waits for its answer.
    offering: Cell<bool>,
    is_open: Cell<bool>,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.channel.set_onopen(None);
        self.channel.set_onmessage(None);
        self.channel.set_onclose(None);
        self.channel.close();
        self.pc.close();
    }
}

/// The direct connections of one synced document.
pub struct Direct {
    worker: Rc<DocWorker>,
    doc: String,
    me: u64,
    conns: RefCell<HashMap<u64, Rc<Conn>>>,
    /// Teammates connected directly now.
    pub open: RwSignal<usize>,
    /// Who is here (the engine's): one whose connection closes leaves it, and comes
    /// back with its next presence through the relay if it is still there.
    peers: RwSignal<BTreeMap<u64, Peer>>,
    this: Weak<Direct>,
}

impl Direct {
    pub fn new(worker: Rc<DocWorker>, doc: String, peers: RwSignal<BTreeMap<u64, Peer>>) -> Rc<Direct> {
        Rc::new_cyclic(|this| Direct {
            worker,
            doc,
            me: (js_sys::Math::random() * u64::MAX as f64) as u64,
            conns: RefCell::new(HashMap::new()),
            open: RwSignal::new(0),
            peers,
            this: this.clone(),
        })
    }

    /// Whether teammate `peer` is connected directly now.
    pub fn is_open(&self, peer: u64) -> bool {
        self.conns.borrow().get(&peer).is_some_and(|c| c.is_open.get())
    }

    /// The relay announced teammate `peer`: offer it a connection, unless there is one.
    pub fn peer_seen(&self, peer: u64) {
        if self.conns.borrow().contains_key(&peer) {
            return;
        }
        let Some(this) = self.this.upgrade() else { return };
        spawn_local(async move {
            if let Err(e) = this.offer(peer).await {
                this.forget(peer);
                leptos::logging::warn!("no direct connection to a teammate: {e:?}");
            }
        });
    }

    /// A teammate's signal.
    pub fn signal(&self, from: u64, plain: &str) {
        let Ok(signal) = serde_json::from_str::<Signal>(plain) else {
            return leptos::logging::warn!("a teammate's signal was not readable");
        };
        let Some(this) = self.this.upgrade() else { return };
        match signal.kind.as_str() {
            "offer" => {
                let crossing = self.conns.borrow().get(&from).is_some_and(|c| c.offering.get());
                // Both offered: the higher number's offer goes on.
                if crossing && self.me > signal.me {
                    return;
                }
                spawn_local(async move {
                    if let Err(e) = this.answer(from, &signal.sdp).await {
                        this.forget(from);
                        leptos::logging::warn!("could not answer a teammate's direct connection: {e:?}");
                    }
                });
            }
            "answer" => {
                let Some(conn) = self.conns.borrow().get(&from).cloned().filter(|c| c.offering.get()) else { return };
                conn.offering.set(false);
                let description = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
                description.set_sdp(&signal.sdp);
                spawn_local(async move {
                    if let Err(e) = JsFuture::from(conn.pc.set_remote_description(&description)).await {
                        this.forget(from);
                        leptos::logging::warn!("a teammate's answer was refused: {e:?}");
                    }
                });
            }
            _ => leptos::logging::warn!("a teammate's signal was of an unknown kind"),
        }
    }

    /// Sends the worker's frames (packed) to `peer`.
    pub fn send(&self, peer: u64, packed: &[u8]) {
        let Some(conn) = self.conns.borrow().get(&peer).cloned() else { return };
        if conn.channel.ready_state() != RtcDataChannelState::Open {
            return;
        }
        for frame in unpack(packed).unwrap_or_default() {
            if conn.channel.send_with_u8_array(&frame).is_err() {
                return conn.channel.close();
            }
        }
    }

    async fn offer(&self, peer: u64) -> Result<(), JsValue> {
        let conn = self.connect(peer)?;
        conn.offering.set(true);
        let offer = JsFuture::from(conn.pc.create_offer()).await?;
        let description = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
        description.set_sdp(&js_sys::Reflect::get(&offer, &"sdp".into())?.as_string().unwrap_or_default());
        JsFuture::from(conn.pc.set_local_description(&description)).await?;
        let sdp = gathered(&conn.pc).await;
        self.send_signal(peer, "offer", sdp);
        Ok(())
    }

    async fn answer(&self, peer: u64, offer: &str) -> Result<(), JsValue> {
        let conn = self.connect(peer)?;
        let description = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
        description.set_sdp(offer);
        JsFuture::from(conn.pc.set_remote_description(&description)).await?;
        let answer = JsFuture::from(conn.pc.create_answer()).await?;
        let description = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
        description.set_sdp(&js_sys::Reflect::get(&answer, &"sdp".into())?.as_string().unwrap_or_default());
        JsFuture::from(conn.pc.set_local_description(&description)).await?;
        let sdp = gathered(&conn.pc).await;
        self.send_signal(peer, "answer", sdp);
        Ok(())
    }

    fn send_signal(&self, to: u64, kind: &str, sdp: String) {
        let plain = serde_json::to_string(&Signal { kind: kind.into(), me: self.me, sdp }).expect("a signal serialises");
        self.worker.call(&Request::Signal { doc: self.doc.clone(), to, plain }, &[], |_| {});
    }

    /// A new connection to `peer`, replacing any earlier one.
    fn connect(&self, peer: u64) -> Result<Rc<Conn>, JsValue> {
        self.forget(peer);
        let config = RtcConfiguration::new();
        config.set_ice_servers(&Array::new());
        let pc = RtcPeerConnection::new_with_configuration(&config)?;
        // Negotiated on both sides with the same id: no announcement needed.
        let init = RtcDataChannelInit::new();
        init.set_negotiated(true);
        init.set_id(0);
        let channel = pc.create_data_channel_with_data_channel_dict("waymark", &init);
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        let (worker, doc) = (Rc::clone(&self.worker), self.doc.clone());
        let this = self.this.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            let Some(this) = this.upgrade() else { return };
            if let Some(conn) = this.conns.borrow().get(&peer) {
                conn.is_open.set(true);
            }
            this.open.update(|n| *n += 1);
            this.worker.call(&Request::PeerOpened { doc: this.doc.clone(), peer }, &[], |_| {});
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Ok(buffer) = e.data().dyn_into::<ArrayBuffer>() {
                worker.call(&Request::PeerFrame { doc: doc.clone(), peer }, &Uint8Array::new(&buffer).to_vec(), |_| {});
            }
        });
        let this = self.this.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            if let Some(this) = this.upgrade() {
                this.forget(peer);
            }
        });
        channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        channel.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let conn = Rc::new(Conn { pc, channel, offering: Cell::new(false), is_open: Cell::new(false), _on_open: on_open, _on_message: on_message, _on_close: on_close });
        self.conns.borrow_mut().insert(peer, Rc::clone(&conn));
        Ok(conn)
    }

    /// Closes and forgets the connection to `peer`.
    fn forget(&self, peer: u64) {
        let Some(conn) = self.conns.borrow_mut().remove(&peer) else { return };
        if conn.is_open.get() {
            self.open.update(|n| *n = n.saturating_sub(1));
            self.peers.try_update(|p| {
                p.remove(&peer);
            });
            self.worker.call(&Request::PeerClosed { doc: self.doc.clone(), peer }, &[], |_| {});
        }
        // Closed in a task of its own: this may run inside the channel's own handler.
        spawn_local(async move { drop(conn) });
    }
}

impl Drop for Direct {
    /// Closes every connection, and the worker forgets them.
    fn drop(&mut self) {
        for (peer, conn) in self.conns.borrow_mut().drain() {
            if conn.is_open.get() {
                self.worker.call(&Request::PeerClosed { doc: self.doc.clone(), peer }, &[], |_| {});
            }
        }
    }
}

/// The local description once its addresses are gathered (or after
/// `GATHERING_AT_MOST`, with those found).
async fn gathered(pc: &RtcPeerConnection) -> String {
    if pc.ice_gathering_state() != RtcIceGatheringState::Complete {
        let (tx, rx) = oneshot::channel::<()>();
        let tx = Rc::new(RefCell::new(Some(tx)));
        let done = {
            let tx = Rc::clone(&tx);
            move || {
                if let Some(tx) = tx.borrow_mut().take() {
                    let _ = tx.send(());
                }
            }
        };
        let watching = pc.clone();
        let on_change = {
            let done = done.clone();
            Closure::<dyn FnMut()>::new(move || {
                if watching.ice_gathering_state() == RtcIceGatheringState::Complete {
                    done();
                }
            })
        };
        pc.set_onicegatheringstatechange(Some(on_change.as_ref().unchecked_ref()));
        let timer = set_timeout_with_handle(done, GATHERING_AT_MOST).ok();
        let _ = rx.await;
        pc.set_onicegatheringstatechange(None);
        if let Some(t) = timer {
            t.clear();
        }
    }
    pc.local_description().map(|d| d.sdp()).unwrap_or_default()
}
