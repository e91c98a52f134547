//! Receiving a workspace from a teammate connected directly, with no relay to download
//! it from (an invitation copied across by people, see `crate::sync::invite`): an
//! empty copy fills over Automerge's sync protocol (`waymark_domain::peer_sync::Fetch`),
//! sealed with the invitation's keys like every direct message. Once it holds what the
//! teammate has, it is answered `Loaded` for the page to store and open.
//!
//! The connection stays open: the workspace's keeping takes it over once the page opens
//! the workspace ([`take_over`]). What the teammate sends meanwhile is held here, in
//! order, and handed over, so nothing it sent is lost between the two.
//!
//! Invariants: only a writer's changes are taken; the copy becomes a workspace only if
//! it is the one the invitation named; what is held for the take-over is bounded like a
//! peer's messages.

use std::cell::RefCell;
use std::collections::HashMap;

use waymark_domain::peer_sync::Fetch;
use waymark_protocol::peer::{PeerMessage, Reassembly, MAX_MESSAGE};
use waymark_protocol::Capability;

use super::rt::post;
use super::{files, pack, Reply};

/// One workspace being received.
struct Fetching {
    /// The `Fetch` request: where frames to send, and the end, go.
    request: u32,
    /// Where the copy will be stored (the page's id for it).
    workspace: String,
    cap: Capability,
    /// `None` once the copy is complete.
    fetch: Option<Fetch>,
    peer: Option<u64>,
    reassembly: Reassembly,
    next_message: u32,
    /// Frames that came once the copy was complete, for the take-over, and their bytes.
    later: Vec<Vec<u8>>,
    later_bytes: usize,
    /// The teammate's last presence (plain, sealed by a writer).
    presence: Option<(Vec<u8>, bool)>,
}

thread_local! {
    static FETCHES: RefCell<HashMap<String, Fetching>> = RefCell::new(HashMap::new());
}

/// What the keeping of a workspace takes over from its fetch: frames to read, and the
/// teammate's presence.
pub(super) struct TakenOver {
    pub frames: Vec<Vec<u8>>,
    pub presence: Option<(Vec<u8>, bool)>,
}

/// Starts receiving workspace `expected` (its id) under the name `doc`, to be stored
/// as `workspace`, with the keys of `fragment`; request `id` hears how it goes.
pub(super) fn start(id: u32, doc: String, workspace: String, fragment: &str, expected: &str) {
    let Ok(cap) = Capability::from_fragment(fragment) else {
        return post(id, &Reply::Failed { message: "The invitation's keys are damaged.".into() }, None);
    };
    let fetching = Fetching {
        request: id,
        workspace,
        cap,
        fetch: Some(Fetch::new(expected)),
        peer: None,
        reassembly: Reassembly::default(),
        next_message: 0,
        later: Vec::new(),
        later_bytes: 0,
        presence: None,
    };
    FETCHES.with(|f| f.borrow_mut().insert(doc, fetching));
}

/// Whether `doc` names a workspace being received (or received and not yet taken over).
pub(super) fn is_fetch(doc: &str) -> bool {
    FETCHES.with(|f| f.borrow().contains_key(doc))
}

/// The connection to `peer` opened: say what this copy has (nothing) and needs.
pub(super) fn opened(doc: &str, peer: u64) {
    with_fetch(doc, |f| {
        f.peer = Some(peer);
        f.say_next();
    });
}

/// A frame from `peer`.
pub(super) fn frame(doc: &str, peer: u64, bytes: &[u8]) {
    let ended = with_fetch(doc, |f| {
        if f.peer != Some(peer) {
            return None;
        }
        if f.fetch.is_none() {
            f.later_bytes += bytes.len();
            if f.later_bytes > MAX_MESSAGE {
                return Some("The teammate sent more than this browser holds while the workspace opens.".to_owned());
            }
            f.later.push(bytes.to_vec());
            return None;
        }
        let whole = match f.reassembly.push(bytes) {
            Ok(Some(whole)) => whole,
            Ok(None) => return None,
            Err(e) => return Some(format!("The teammate sent a malformed message ({e}).")),
        };
        match PeerMessage::open(&f.cap, &whole) {
            Ok((PeerMessage::Sync(message), writer)) => f.read(&message, writer),
            Ok((PeerMessage::Presence(plain), writer)) => {
                f.presence = Some((plain, writer));
                None
            }
            Ok(_) => None,
            Err(e) => Some(format!("The teammate's message could not be opened with the invitation's keys ({e}).")),
        }
    })
    .flatten();
    if let Some(message) = ended {
        fail(doc, message);
    }
}

/// The connection closed: a workspace not received whole is given up.
pub(super) fn closed(doc: &str, _peer: u64) {
    let receiving = with_fetch(doc, |f| f.fetch.is_some()).unwrap_or(false);
    if receiving {
        fail(doc, "The connection closed before the whole workspace arrived. Ask for a new invitation.".into());
    } else {
        FETCHES.with(|f| f.borrow_mut().remove(doc));
    }
}

/// Forgets `doc` (the page gave up): its request ends, if it had not.
pub(super) fn cancel(doc: &str) -> bool {
    let receiving = with_fetch(doc, |f| f.fetch.is_some());
    match receiving {
        Some(true) => fail(doc, "Given up.".into()),
        Some(false) => drop(FETCHES.with(|f| f.borrow_mut().remove(doc))),
        None => {}
    }
    receiving.is_some()
}

/// The received copy of `workspace`, opened now, takes over its connection to `peer`:
/// what came meanwhile, to read in order.
pub(super) fn take_over(workspace: &str, peer: u64) -> Option<TakenOver> {
    FETCHES.with(|f| {
        let mut fetches = f.borrow_mut();
        let doc = fetches.iter().find(|(_, x)| x.workspace == workspace && x.peer == Some(peer) && x.fetch.is_none()).map(|(d, _)| d.clone())?;
        let x = fetches.remove(&doc)?;
        Some(TakenOver { frames: x.later, presence: x.presence })
    })
}

impl Fetching {
    /// Reads one sync message; once the copy holds what the teammate has, it is
    /// answered. An error ends the fetch.
    fn read(&mut self, message: &[u8], writer: bool) -> Option<String> {
        let fetch = self.fetch.as_mut()?;
        match fetch.receive(message, writer) {
            Ok(refused) if refused > 0 && !writer => {
                return Some("Whoever sent the invitation can only view this workspace, so what it sent cannot be taken. Ask an editor for an invitation.".into());
            }
            // A writer's change that does not read: the copy could never be whole.
            Ok(refused) if refused > 0 => {
                return Some(format!("{refused} of the changes the teammate sent could not be read; nothing was saved."));
            }
            Ok(_) => {}
            Err(e) => return Some(format!("The teammate sent a message that could not be read ({e}).")),
        }
        if !fetch.is_complete() {
            self.say_next();
            return None;
        }
        let fetch = self.fetch.take()?;
        match fetch.finish() {
            Ok(mut ws) => {
                let (reply, bytes) = files::loaded(&mut ws, Vec::new());
                post(self.request, &reply, Some(&bytes));
                None
            }
            Err(e) => Some(e),
        }
    }

    /// Sends this copy's next sync message, if it has one.
    fn say_next(&mut self) {
        let (Some(fetch), Some(peer)) = (self.fetch.as_mut(), self.peer) else { return };
        let Some(message) = fetch.message() else { return };
        self.next_message = self.next_message.wrapping_add(1);
        if let Ok(frames) = PeerMessage::Sync(message).seal(&self.cap, self.next_message) {
            post(self.request, &Reply::ToPeer { peer }, Some(&pack(frames.iter().map(Vec::as_slice))));
        }
    }
}

fn with_fetch<R>(doc: &str, f: impl FnOnce(&mut Fetching) -> R) -> Option<R> {
    FETCHES.with(|x| x.borrow_mut().get_mut(doc).map(f))
}

/// Ends the fetch of `doc` with `message`.
fn fail(doc: &str, message: String) {
    if let Some(f) = FETCHES.with(|f| f.borrow_mut().remove(doc)) {
        post(f.request, &Reply::Failed { message }, None);
    }
}
