//! Joining a workspace with no server at all: the invitation a teammate copied across
//! (see `waymark_protocol::invitation`) is answered, the answer is copied back, and
//! once the two browsers connect directly the workspace arrives over the connection
//! (received by the worker's `Fetch`, checked like a share link's download) and is
//! stored like a shared workspace. The connection stays: once the workspace opens, its
//! sync adopts it (`direct::adopt`), and the two keep co-editing.
//!
//! This needs the two browsers to reach each other: on one machine or one network, or
//! across networks through a STUN or TURN server both have added (see `direct::ice`).

use std::rc::Rc;

use futures::future::LocalBoxFuture;
use futures::StreamExt;
use waymark_protocol::invitation::Invitation;
use waymark_protocol::Capability;

use super::direct::{self, Direct};
use crate::doc_worker::protocol::{Reply, Request};
use crate::doc_worker::DocWorker;
use crate::storage::{Store, SyncRecord, WorkspaceMeta};

/// An invitation being answered.
pub struct Accepting {
    /// The workspace's name, as the invitation says.
    pub name: String,
    /// The text to send back to the inviter.
    pub answer: String,
    /// Resolves with the workspace's id here, once it can open.
    pub arrived: LocalBoxFuture<'static, Result<String, String>>,
    /// Resolves once the connection opens (true) or is given up (false).
    pub connected: LocalBoxFuture<'static, bool>,
    /// The worker's name for the fetch, if the workspace is being received.
    fetch: Option<String>,
}

impl Accepting {
    /// The worker's name for the fetch, while the workspace is being received.
    pub fn fetching(&self) -> Option<&str> {
        self.fetch.as_deref()
    }
}

/// Gives up receiving `fetch` (the person left before the workspace arrived): its
/// connection closes.
pub fn give_up(fetch: String) {
    if let Ok(worker) = DocWorker::shared() {
        worker.call(&Request::Close { doc: fetch }, &[], |_| {});
    }
}

/// Answers the invitation `text`: the answer to send back, and the workspace once it
/// arrives (or is here already).
pub async fn accept(store: Rc<Store>, text: &str) -> Result<Accepting, String> {
    let (invitation, cap) = Invitation::from_text(text).map_err(|e| e.to_string())?;
    let worker = DocWorker::shared()?;
    let name = invitation.name.clone();
    if let Some(id) = super::join::already_here(&store, &cap).await? {
        // Here already: connect; once open, the workspace's sync adopts the connection.
        let direct = Direct::for_invitation(Rc::clone(&worker), String::new());
        let answer = direct.answer_invitation(&invitation, &cap).await?;
        let peer = invitation.id;
        let connected = Box::pin(direct.when_settled(peer));
        let arrived = Box::pin(async move {
            if !direct.when_settled(peer).await {
                return Err(NOT_CONNECTED.into());
            }
            direct::hand_over(&id, direct);
            Ok(id)
        });
        return Ok(Accepting { name, answer, arrived, connected, fetch: None });
    }
    let doc = format!("fetch:{}", waymark_domain::Id::random());
    let id = match waymark_domain::Id::parse(&invitation.workspace) {
        Some(own) if matches!(store.meta(own.as_str()).await, Ok(None)) => own.to_string(),
        _ => waymark_domain::Id::random().to_string(),
    };
    let direct = Direct::for_invitation(Rc::clone(&worker), doc.clone());
    let request = Request::Fetch { doc: doc.clone(), workspace: id.clone(), fragment: invitation.fragment.clone(), expected: invitation.workspace.clone() };
    let mut replies = worker.request(&request, &[]);
    let answer = match direct.answer_invitation(&invitation, &cap).await {
        Ok(answer) => answer,
        Err(e) => {
            give_up(doc);
            return Err(e);
        }
    };
    let connected = Box::pin(direct.when_settled(invitation.id));
    let arrived = Box::pin(async move {
        let peer = invitation.id;
        while let Some(answer) = replies.next().await {
            match answer.reply {
                Reply::ToPeer { peer } => direct.send(peer, &answer.payload.unwrap_or_default()),
                Reply::Loaded { name, ideas, .. } => {
                    store_received(&store, &id, &cap, name, ideas, &answer.payload.unwrap_or_default()).await?;
                    direct::hand_over(&id, Rc::clone(&direct));
                    return Ok(id);
                }
                Reply::Failed { message } => return Err(message),
                _ => {}
            }
        }
        // The stream ended without an answer: the worker stopped, or the fetch was
        // given up (the connection closed).
        Err(if direct.is_open(peer) { "The background worker stopped: reload this tab.".into() } else { NOT_CONNECTED.into() })
    });
    Ok(Accepting { name, answer, arrived, connected, fetch: Some(doc) })
}

const NOT_CONNECTED: &str = "The connection to whoever invited you did not open. Check that you are both on the same network (or that both browsers have the same STUN or TURN server), then ask for a new invitation.";

/// Stores the workspace received as a shared one (its keys the invitation's), to sync
/// through this origin's relay too when there is one.
async fn store_received(store: &Store, id: &str, cap: &Capability, name: String, ideas: usize, bytes: &[u8]) -> Result<(), String> {
    let now = js_sys::Date::now();
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let fragment = cap.edit_fragment().unwrap_or_else(|| cap.view_fragment());
    let record = SyncRecord { fragment, relay: origin, last_seq: 0, snapshot_seq: 0, last_synced: 0.0, epoch: 0, closed: false };
    let meta = WorkspaceMeta { id: id.to_owned(), name, ideas, last_opened: now, created: now, shared: Some(if cap.can_write() { "edit" } else { "view" }.into()) };
    store.create_shared(&meta, bytes, &record).await.map_err(|e| format!("Could not save the workspace in this browser: {e}"))
}
