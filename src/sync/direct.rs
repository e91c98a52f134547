//! Direct connections to teammates, the page's side: one WebRTC data channel per
//! teammate the relay announces, set up through signals the relay passes on sealed
//! (`Request::Signal`, `Reply::PeerSignal`). The page holds the connections (a worker
//! has no `RTCPeerConnection`); what crosses them is the document worker's business
//! (`doc_worker::host::direct`): frames go to it as they arrive and come from it to be
//! sent. Once open, a channel does not need the relay: teammates keep syncing when it
//! stops.
//!
//! No ICE server is contacted unless the person adds one ([`ice`]): by default only
//! host addresses are offered, so teammates connect directly on one machine or one
//! network, and not across NATs (syncing then goes on through the relay alone).
//!
//! Offers can cross (both sides see each other at once): each tab draws a number, and
//! the side with the lower one answers the other's offer and drops its own.
//!
//! With no relay at all, people carry the offer and answer across themselves
//! ([`Direct::invite`], [`Direct::answer_invitation`], [`Direct::take_answer`]; the
//! text is `waymark_protocol::invitation`'s). Such a connection goes by the
//! invitation's number, which has its top bit set, so it never meets a relay's. A
//! `Direct` made for an invitation before its workspace is open here holds the
//! connection (and what arrives on it) until the workspace's sync adopts it
//! ([`hand_over`], [`adopt`]).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures::channel::oneshot;
use js_sys::{ArrayBuffer, Uint8Array};
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
use waymark_protocol::peer::PeerBudget;
use crate::sync::presence::Peer;

/// How long gathering addresses may take before the offer goes with what it has.
const GATHERING_AT_MOST: Duration = Duration::from_secs(5);
/// Bytes handed to a channel and not yet sent, at most: more waits here (a browser
/// closes a channel whose buffer overflows), and goes once it drains to `LOW_WATER`.
const HIGH_WATER: u32 = 4 << 20;
const LOW_WATER: u32 = 1 << 20;
/// Bytes waiting for one teammate at most: a peer that stops reading (or keeps asking
/// for everything again) is disconnected rather than held in memory without bound.
const MAX_WAITING: usize = 64 << 20;
/// How long a connection may take to open before it is given up (and offered again
/// when the relay next announces the teammate).
const OPEN_WITHIN: Duration = Duration::from_secs(20);

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
    /// The teammate's number, once its offer or answer said it.
    remote: Cell<Option<u64>>,
    is_open: Cell<bool>,
    /// Frames waiting for the channel's buffer to drain, and their bytes.
    waiting: RefCell<std::collections::VecDeque<Vec<u8>>>,
    waiting_bytes: Cell<usize>,
    _on_open: Closure<dyn FnMut()>,
    _on_low: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Conn {
    /// Hands waiting frames to the channel while its buffer has room.
    fn drain(&self) {
        while self.channel.buffered_amount() < HIGH_WATER {
            let Some(frame) = self.waiting.borrow_mut().pop_front() else { return };
            self.waiting_bytes.set(self.waiting_bytes.get().saturating_sub(frame.len()));
            if self.channel.send_with_u8_array(&frame).is_err() {
                return self.channel.close();
            }
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.channel.set_onopen(None);
        self.channel.set_onmessage(None);
        self.channel.set_onclose(None);
        self.channel.set_onbufferedamountlow(None);
        self.channel.close();
        self.pc.close();
    }
}

/// The direct connections of one synced document.
pub struct Direct {
    worker: Rc<DocWorker>,
    /// The worker's name for the document; empty while it is not open here yet (what
    /// arrives then waits in `unread`).
    doc: RefCell<String>,
    me: u64,
    conns: RefCell<HashMap<u64, Rc<Conn>>>,
    /// Teammates connected directly now.
    pub open: ArcRwSignal<usize>,
    /// Who is here (the engine's): one whose connection closes leaves it, and comes
    /// back with its next presence through the relay if it is still there.
    peers: RefCell<Option<RwSignal<BTreeMap<u64, Peer>>>>,
    /// Frames that came while no document was named, in order: (peer, frame).
    unread: RefCell<Vec<(u64, Vec<u8>)>>,
    /// Whether this keeps the worker running (made for an invitation, not adopted yet).
    holds_worker: Cell<bool>,
    /// Who waits for a connection to open (true) or be given up (false).
    settle_waiters: RefCell<Vec<(u64, oneshot::Sender<bool>)>>,
    this: Weak<Direct>,
}

thread_local! {
    /// Connections made for an invitation, waiting for their workspace to open here.
    static HANDED_OVER: RefCell<HashMap<String, Rc<Direct>>> = RefCell::new(HashMap::new());
}

/// Keeps `direct` for workspace `workspace` (its id here) until its sync adopts it.
pub fn hand_over(workspace: &str, direct: Rc<Direct>) {
    HANDED_OVER.with(|h| h.borrow_mut().insert(workspace.to_owned(), direct));
}

/// The connections handed over for `workspace`, if there are any: [`adopt`] them once
/// the worker syncs the document (its keys known).
pub fn adopt_after(workspace: &str) -> Option<Rc<Direct>> {
    HANDED_OVER.with(|h| h.borrow_mut().remove(workspace))
}

/// `direct` (handed over) is now document `doc`'s (open in the worker, syncing as
/// `peers`): the worker hears of its open connections and what came on them meanwhile.
pub fn adopt(direct: &Direct, doc: &str, peers: RwSignal<BTreeMap<u64, Peer>>) {
    *direct.peers.borrow_mut() = Some(peers);
    *direct.doc.borrow_mut() = doc.to_owned();
    let open: Vec<u64> = direct.conns.borrow().iter().filter(|(_, c)| c.is_open.get()).map(|(id, _)| *id).collect();
    for peer in open {
        direct.worker.call(&Request::PeerOpened { doc: doc.to_owned(), peer }, &[], |_| {});
    }
    for (peer, frame) in direct.unread.take() {
        direct.worker.call(&Request::PeerFrame { doc: doc.to_owned(), peer }, &frame, |_| {});
    }
    direct.release_worker();
}

impl Direct {
    pub fn new(worker: Rc<DocWorker>, doc: String, peers: Option<RwSignal<BTreeMap<u64, Peer>>>) -> Rc<Direct> {
        Rc::new_cyclic(|this| Direct {
            worker,
            doc: RefCell::new(doc),
            me: (js_sys::Math::random() * u64::MAX as f64) as u64,
            conns: RefCell::new(HashMap::new()),
            open: ArcRwSignal::new(0),
            peers: RefCell::new(peers),
            unread: RefCell::new(Vec::new()),
            holds_worker: Cell::new(false),
            settle_waiters: RefCell::new(Vec::new()),
            this: this.clone(),
        })
    }

    /// Connections for an invitation, before its workspace is open here: they keep the
    /// worker running until adopted. `doc` names the worker's `Fetch` if the workspace
    /// is being received; empty if it is here already.
    pub fn for_invitation(worker: Rc<DocWorker>, doc: String) -> Rc<Direct> {
        worker.hold();
        let direct = Direct::new(worker, doc, None);
        direct.holds_worker.set(true);
        direct
    }

    /// Resolves once the connection to `peer` opens (true) or is given up (false),
    /// without holding this `Direct` meanwhile (false if it goes away first).
    pub fn when_settled(&self, peer: u64) -> impl std::future::Future<Output = bool> + 'static {
        let (tx, rx) = oneshot::channel();
        match self.conns.borrow().get(&peer) {
            None => drop(tx.send(false)),
            Some(c) if c.is_open.get() => drop(tx.send(true)),
            Some(_) => self.settle_waiters.borrow_mut().push((peer, tx)),
        }
        async move { rx.await.unwrap_or(false) }
    }

    /// Whether there is a connection to `peer`, open or being set up.
    pub fn has(&self, peer: u64) -> bool {
        self.conns.borrow().contains_key(&peer)
    }

    fn tell_settled(&self, peer: u64, open: bool) {
        let waiting = std::mem::take(&mut *self.settle_waiters.borrow_mut());
        let (now, later): (Vec<_>, Vec<_>) = waiting.into_iter().partition(|(p, _)| *p == peer);
        *self.settle_waiters.borrow_mut() = later;
        for (_, tx) in now {
            let _ = tx.send(open);
        }
    }

    fn release_worker(&self) {
        if self.holds_worker.replace(false) {
            self.worker.release();
        }
    }

    fn doc(&self) -> String {
        self.doc.borrow().clone()
    }

    /// Tells the worker about `request` for the document, if one is named.
    fn tell_worker(&self, request: impl FnOnce(String) -> Request) {
        let doc = self.doc();
        if !doc.is_empty() {
            self.worker.call(&request(doc), &[], |_| {});
        }
    }

    /// A frame from `peer`: to the worker, or held until a document is named.
    fn received(&self, peer: u64, frame: Vec<u8>) {
        let doc = self.doc();
        if doc.is_empty() {
            self.unread.borrow_mut().push((peer, frame));
        } else {
            self.worker.call(&Request::PeerFrame { doc, peer }, &frame, |_| {});
        }
    }

    /// Offers a connection to whoever will answer the invitation this returns: its
    /// number and text (the keys of `fragment`, for workspace `workspace` named `name`).
    pub async fn invite(&self, fragment: String, workspace: String, name: String) -> Result<(u64, String), String> {
        let id = (1 << 63) | (js_sys::Math::random() * (1u64 << 53) as f64) as u64;
        let conn = self.connect(id).map_err(|e| format!("This browser could not make a direct connection ({e:?})."))?;
        conn.offering.set(true);
        let sdp = self.describe(id, &conn, RtcSdpType::Offer, conn.pc.create_offer()).await;
        let sdp = sdp.map_err(|e| format!("This browser could not make an offer ({e:?})."))?.ok_or("A newer invitation replaced this one.")?;
        let signal = serde_json::to_string(&Signal { kind: "offer".into(), me: self.me, sdp }).expect("a signal serialises");
        match (waymark_protocol::invitation::Invitation { fragment, workspace, name, id, signal }).to_text() {
            Some(text) => Ok((id, text)),
            None => {
                self.forget(id);
                Err("This browser offered more network addresses than an invitation can hold.".into())
            }
        }
    }

    /// Gives up invitation `id` if its connection has not opened (a newer one replaces
    /// it, or the person closed it).
    pub fn withdraw(&self, id: u64) {
        if !self.is_open(id) {
            self.forget(id);
        }
    }

    /// Takes a pasted answer to one of this tab's invitations (`cap`: the workspace's
    /// keys): the connection opens soon after, or is given up.
    pub async fn take_answer(&self, text: &str, cap: &waymark_protocol::Capability) -> Result<(), String> {
        let (answer, _) = waymark_protocol::invitation::Answer::from_text(text, cap).map_err(|e| e.to_string())?;
        let signal = serde_json::from_str::<Signal>(&answer.signal).ok().filter(|s| s.kind == "answer").ok_or("This answer is damaged. Ask for it again.")?;
        let Some(conn) = self.conns.borrow().get(&answer.to).cloned() else {
            return Err("This answer is for an invitation this tab no longer has (it was reloaded, or a newer invitation replaced it). Make a new invitation.".into());
        };
        if !conn.offering.get() {
            return Err("This invitation was answered already.".into());
        }
        conn.offering.set(false);
        conn.remote.set(Some(signal.me));
        let description = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
        description.set_sdp(&signal.sdp);
        let result = JsFuture::from(conn.pc.set_remote_description(&description)).await.map(drop);
        self.settle(answer.to, &conn, result.clone(), "a pasted answer was refused");
        result.map_err(|e| format!("This browser could not use the answer ({e:?})."))?;
        self.give_up_unless_open(answer.to, &conn);
        Ok(())
    }

    /// Answers `invitation`: the text to send back. The connection opens once its
    /// inviter takes the answer.
    pub async fn answer_invitation(&self, invitation: &waymark_protocol::invitation::Invitation, cap: &waymark_protocol::Capability) -> Result<String, String> {
        let offer = serde_json::from_str::<Signal>(&invitation.signal).ok().filter(|s| s.kind == "offer").ok_or("This invitation is damaged. Ask for it again.")?;
        let id = invitation.id;
        let conn = self.connect(id).map_err(|e| format!("This browser could not make a direct connection ({e:?})."))?;
        conn.remote.set(Some(offer.me));
        let description = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
        description.set_sdp(&offer.sdp);
        let made = async {
            JsFuture::from(conn.pc.set_remote_description(&description)).await?;
            self.describe(id, &conn, RtcSdpType::Answer, conn.pc.create_answer()).await
        };
        let sdp = made.await.map_err(|e| format!("This browser could not answer the invitation ({e:?})."))?.ok_or("The invitation was answered again meanwhile.")?;
        let signal = serde_json::to_string(&Signal { kind: "answer".into(), me: self.me, sdp }).expect("a signal serialises");
        waymark_protocol::invitation::Answer { to: id, signal }.to_text(cap).map_err(|e| format!("The answer could not be sealed ({e})."))
    }

    /// The number this tab's connections go by.
    pub fn me(&self) -> u64 {
        self.me
    }

    /// The relay's number of the teammate whose tab goes by `me`, if it is connected
    /// directly now.
    pub fn connected_as(&self, me: u64) -> Option<u64> {
        self.conns.borrow().iter().find(|(_, c)| c.is_open.get() && c.remote.get() == Some(me)).map(|(id, _)| *id)
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
            if let Ok(conn) = this.connect(peer) {
                conn.offering.set(true);
                let result = this.offer(peer, &conn).await;
                this.settle(peer, &conn, result, "no direct connection to a teammate");
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
                // Already connected to that tab, under another number: nothing to do.
                if self.connected_as(signal.me).is_some_and(|id| id != from) {
                    return;
                }
                let crossing = self.conns.borrow().get(&from).is_some_and(|c| c.offering.get());
                // Both offered: the higher number's offer goes on.
                if crossing && self.me > signal.me {
                    return;
                }
                let Ok(conn) = self.connect(from) else { return };
                conn.remote.set(Some(signal.me));
                spawn_local(async move {
                    let result = this.answer(from, &conn, &signal.sdp).await;
                    this.settle(from, &conn, result, "could not answer a teammate's direct connection");
                });
            }
            "answer" => {
                let Some(conn) = self.conns.borrow().get(&from).cloned().filter(|c| c.offering.get()) else { return };
                conn.offering.set(false);
                conn.remote.set(Some(signal.me));
                let description = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
                description.set_sdp(&signal.sdp);
                spawn_local(async move {
                    let result = JsFuture::from(conn.pc.set_remote_description(&description)).await.map(drop);
                    this.settle(from, &conn, result, "a teammate's answer was refused");
                });
            }
            _ => leptos::logging::warn!("a teammate's signal was of an unknown kind"),
        }
    }

    /// Sends the worker's frames (packed) to `peer`, as fast as its channel drains.
    pub fn send(&self, peer: u64, packed: &[u8]) {
        let Some(conn) = self.conns.borrow().get(&peer).cloned() else { return };
        if conn.channel.ready_state() != RtcDataChannelState::Open {
            return;
        }
        let frames = unpack(packed).unwrap_or_default();
        let bytes = conn.waiting_bytes.get() + frames.iter().map(Vec::len).sum::<usize>();
        if bytes > MAX_WAITING {
            leptos::logging::warn!("a teammate connected directly is not reading what it asked for: disconnected");
            return self.forget(peer);
        }
        conn.waiting_bytes.set(bytes);
        conn.waiting.borrow_mut().extend(frames);
        conn.drain();
    }

    /// The relay says teammate `peer` left: a connection still being set up is given up
    /// (an open one carries on without the relay).
    pub fn gone(&self, peer: u64) {
        if self.conns.borrow().get(&peer).is_some_and(|c| !c.is_open.get()) {
            self.forget(peer);
        }
    }

    /// Gives `conn` up if it has not opened within `OPEN_WITHIN`.
    fn give_up_unless_open(&self, peer: u64, conn: &Rc<Conn>) {
        let (this, conn) = (self.this.clone(), Rc::downgrade(conn));
        set_timeout(
            move || {
                let (Some(this), Some(conn)) = (this.upgrade(), conn.upgrade()) else { return };
                if !conn.is_open.get() && this.is_current(peer, &conn) {
                    this.forget(peer);
                }
            },
            OPEN_WITHIN,
        );
    }

    /// Whether `conn` is still the connection to `peer` (a crossing offer or a new one
    /// may have replaced it while it was being set up).
    fn is_current(&self, peer: u64, conn: &Rc<Conn>) -> bool {
        self.conns.borrow().get(&peer).is_some_and(|c| Rc::ptr_eq(c, conn))
    }

    /// After setting up `conn`: a failure closes it, unless it was replaced meanwhile
    /// (then the failure is its own and the new one stays).
    fn settle(&self, peer: u64, conn: &Rc<Conn>, result: Result<(), JsValue>, what: &str) {
        if let Err(e) = result {
            if self.is_current(peer, conn) {
                self.forget(peer);
            }
            leptos::logging::warn!("{what}: {e:?}");
        }
    }

    /// Offers `conn` to `peer` through the relay; nothing is sent if it was replaced
    /// meanwhile.
    async fn offer(&self, peer: u64, conn: &Rc<Conn>) -> Result<(), JsValue> {
        let sdp = self.describe(peer, conn, RtcSdpType::Offer, conn.pc.create_offer()).await?;
        self.signal_through_relay(peer, conn, "offer", sdp);
        Ok(())
    }

    /// Answers `peer`'s offer on `conn` through the relay; nothing is sent if it was
    /// replaced meanwhile.
    async fn answer(&self, peer: u64, conn: &Rc<Conn>, offer: &str) -> Result<(), JsValue> {
        let description = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
        description.set_sdp(offer);
        JsFuture::from(conn.pc.set_remote_description(&description)).await?;
        let sdp = self.describe(peer, conn, RtcSdpType::Answer, conn.pc.create_answer()).await?;
        self.signal_through_relay(peer, conn, "answer", sdp);
        Ok(())
    }

    /// Takes the description `made` (an offer or answer being created) as `conn`'s own
    /// and gathers its addresses: its text, if `conn` is still `peer`'s connection.
    async fn describe(&self, peer: u64, conn: &Rc<Conn>, kind: RtcSdpType, made: js_sys::Promise) -> Result<Option<String>, JsValue> {
        let made = JsFuture::from(made).await?;
        let description = RtcSessionDescriptionInit::new(kind);
        description.set_sdp(&js_sys::Reflect::get(&made, &"sdp".into())?.as_string().unwrap_or_default());
        JsFuture::from(conn.pc.set_local_description(&description)).await?;
        let sdp = gathered(&conn.pc).await;
        Ok(self.is_current(peer, conn).then_some(sdp))
    }

    /// Signals `sdp` (if any) to `peer` through the relay; `conn` is given up if it
    /// does not open in time.
    fn signal_through_relay(&self, peer: u64, conn: &Rc<Conn>, kind: &str, sdp: Option<String>) {
        if let Some(sdp) = sdp {
            self.send_signal(peer, kind, sdp);
            self.give_up_unless_open(peer, conn);
        }
    }

    fn send_signal(&self, to: u64, kind: &str, sdp: String) {
        let plain = serde_json::to_string(&Signal { kind: kind.into(), me: self.me, sdp }).expect("a signal serialises");
        self.tell_worker(|doc| Request::Signal { doc, to, plain });
    }

    /// A new connection to `peer`, replacing any earlier one.
    fn connect(&self, peer: u64) -> Result<Rc<Conn>, JsValue> {
        self.forget(peer);
        let config = RtcConfiguration::new();
        config.set_ice_servers(&ice::as_js());
        let pc = RtcPeerConnection::new_with_configuration(&config)?;
        // Negotiated on both sides with the same id: no announcement needed.
        let init = RtcDataChannelInit::new();
        init.set_negotiated(true);
        init.set_id(0);
        let channel = pc.create_data_channel_with_data_channel_dict("waymark", &init);
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        let this = self.this.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            let Some(this) = this.upgrade() else { return };
            if let Some(conn) = this.conns.borrow().get(&peer) {
                conn.is_open.set(true);
            }
            this.open.update(|n| *n += 1);
            this.tell_worker(|doc| Request::PeerOpened { doc, peer });
            this.tell_settled(peer, true);
        });
        // A peer sending more than its budget (or anything but frames) is disconnected.
        let mut budget = PeerBudget::new(js_sys::Date::now());
        let this = self.this.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(this) = this.upgrade() else { return };
            match e.data().dyn_into::<ArrayBuffer>() {
                Ok(buffer) if budget.admit(buffer.byte_length() as usize, js_sys::Date::now()) => this.received(peer, Uint8Array::new(&buffer).to_vec()),
                _ => {
                    leptos::logging::warn!("a teammate connected directly sent more than it may, or not frames: disconnected");
                    this.forget(peer);
                }
            }
        });
        let this = self.this.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            if let Some(this) = this.upgrade() {
                this.forget(peer);
            }
        });
        let this = self.this.clone();
        let on_low = Closure::<dyn FnMut()>::new(move || {
            let conn = this.upgrade().and_then(|this| this.conns.borrow().get(&peer).cloned());
            if let Some(conn) = conn {
                conn.drain();
            }
        });
        channel.set_buffered_amount_low_threshold(LOW_WATER);
        channel.set_onbufferedamountlow(Some(on_low.as_ref().unchecked_ref()));
        channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        channel.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let conn = Rc::new(Conn {
            pc,
            channel,
            offering: Cell::new(false),
            remote: Cell::new(None),
            is_open: Cell::new(false),
            waiting: RefCell::new(Default::default()),
            waiting_bytes: Cell::new(0),
            _on_open: on_open,
            _on_low: on_low,
            _on_message: on_message,
            _on_close: on_close,
        });
        self.conns.borrow_mut().insert(peer, Rc::clone(&conn));
        Ok(conn)
    }

    /// Closes and forgets the connection to `peer`.
    fn forget(&self, peer: u64) {
        let Some(conn) = self.conns.borrow_mut().remove(&peer) else { return };
        self.tell_settled(peer, false);
        if conn.is_open.get() {
            self.open.update(|n| *n = n.saturating_sub(1));
            if let Some(peers) = *self.peers.borrow() {
                peers.try_update(|p| {
                    p.remove(&peer);
                });
            }
            self.tell_worker(|doc| Request::PeerClosed { doc, peer });
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
                self.tell_worker(|doc| Request::PeerClosed { doc, peer });
            }
        }
        self.release_worker();
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

/// The STUN or TURN servers this browser's direct connections may use: none unless the
/// person adds some (no third-party service is contacted otherwise). Kept in this
/// browser's localStorage, one per line: `stun:host:port`, or `turn:host:port user
/// credential`.
pub mod ice {
    /// Where they are kept.
    const KEY: &str = "waymark-ice-servers";

    /// One server.
    #[derive(Clone, Debug, PartialEq)]
    pub struct IceServer {
        pub url: String,
        pub username: Option<String>,
        pub credential: Option<String>,
    }

    /// Reads the servers from `text` (one per line, blank lines ignored), or says which
    /// line is wrong.
    pub fn parse(text: &str) -> Result<Vec<IceServer>, String> {
        let mut servers = Vec::new();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let url = parts[0];
            let scheme_ok = ["stun:", "stuns:", "turn:", "turns:"].iter().any(|s| url.starts_with(s) && url.len() > s.len());
            let clean = url.len() <= 200 && url.chars().all(|c| c.is_ascii_graphic());
            if !scheme_ok || !clean {
                return Err(format!("Line {}: “{}” is not a STUN or TURN address (stun:host:port or turn:host:port).", n + 1, url.chars().take(60).collect::<String>()));
            }
            let turn = url.starts_with("turn");
            let server = match (turn, &parts[1..]) {
                (false, []) => IceServer { url: url.into(), username: None, credential: None },
                (true, [user, credential]) => IceServer { url: url.into(), username: Some((*user).into()), credential: Some((*credential).into()) },
                (true, _) => return Err(format!("Line {}: a TURN server needs a user name and a credential after its address.", n + 1)),
                (false, _) => return Err(format!("Line {}: a STUN server takes only its address.", n + 1)),
            };
            servers.push(server);
        }
        Ok(servers)
    }

    /// The servers as kept (their text), empty if none.
    pub fn saved_text() -> String {
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()).and_then(|ls| ls.get_item(KEY).ok().flatten()).unwrap_or_default()
    }

    /// Keeps `text` if it reads; the error otherwise.
    pub fn save(text: &str) -> Result<usize, String> {
        let servers = parse(text)?;
        let ls = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).ok_or("This browser keeps no settings (localStorage is blocked).")?;
        let result = if servers.is_empty() { ls.remove_item(KEY) } else { ls.set_item(KEY, text.trim()) };
        result.map_err(|_| "The servers could not be kept in this browser.".to_owned())?;
        Ok(servers.len())
    }

    /// The servers as `RTCConfiguration.iceServers` wants them.
    pub fn as_js() -> js_sys::Array {
        let array = js_sys::Array::new();
        for server in parse(&saved_text()).unwrap_or_default() {
            let object = js_sys::Object::new();
            let set = |k: &str, v: &str| {
                let _ = js_sys::Reflect::set(&object, &k.into(), &v.into());
            };
            set("urls", &server.url);
            if let (Some(user), Some(credential)) = (&server.username, &server.credential) {
                set("username", user);
                set("credential", credential);
            }
            array.push(&object);
        }
        array
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use wasm_bindgen_test::wasm_bindgen_test;

        #[wasm_bindgen_test]
        fn servers_read_strictly_and_say_which_line_is_wrong() {
            assert_eq!(parse("").unwrap(), vec![]);
            let servers = parse("stun:stun.example.org:3478\n\n  turn:turn.example.org:3478?transport=udp ada s3cret  ").unwrap();
            assert_eq!(servers.len(), 2);
            assert_eq!(servers[1].username.as_deref(), Some("ada"));
            assert!(parse("https://example.org").unwrap_err().starts_with("Line 1:"));
            assert!(parse("stun:a\nturn:b").unwrap_err().contains("Line 2: a TURN server needs"));
            assert!(parse("stun:a b").is_err());
            assert!(parse("stun:").is_err(), "an address is needed");
        }
    }
}
