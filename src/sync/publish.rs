//! Publishing an audience roadmap: a separate workspace holding only what the audience
//! may see ([`waymark_domain::audience`]), stored in this browser, shared through the
//! relay under its own keys, and republished from the workspace when its owner is
//! ready. Which published workspace belongs to which workspace and audience is kept in
//! this browser only (`localStorage`), never in the shared document: its keys would
//! otherwise reach everyone holding a link to the workspace.

use std::rc::Rc;

use leptos::prelude::*;
use waymark_domain::audience::Audience;
use waymark_protocol::Capability;

use super::SyncStatus;

use super::presence::Presence;
use crate::session::Session;
use crate::storage::WorkspaceMeta;

fn key(source: &str, audience: Audience) -> String {
    format!("waymark.published.{source}.{}", audience.key())
}

fn local() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The local id of the roadmap published from `source` for `audience`, if any.
pub fn published_id(source: &str, audience: Audience) -> Option<String> {
    local()?.get_item(&key(source, audience)).ok().flatten()
}

/// The view link of a published roadmap, once it is shared.
pub async fn view_link(store: &crate::storage::Store, id: &str) -> Option<String> {
    let record = store.sync_record(id).await.ok().flatten()?;
    let cap = Capability::from_fragment(&record.fragment).ok()?;
    Some(super::link(&record.relay, &cap.view_fragment()))
}

/// Publishes the roadmap of `audience` from `source` (or republishes it): returns its
/// view link once the relay has it. Offline, it is published here and the error says
/// it will reach the relay later.
pub async fn publish(source: Rc<Session>, audience: Audience, me: Presence) -> Result<String, String> {
    let store = source.store();
    let existing = match published_id(&source.id, audience) {
        Some(id) if store.meta(&id).await.ok().flatten().is_some() => Some(id),
        _ => None,
    };
    let id = match existing {
        Some(id) => id,
        None => {
            let request = crate::doc_worker::protocol::Request::Create { name: String::new(), me: me.name.clone(), now_ms: crate::util::now_ms(), audience: Some(audience) };
            let made = crate::doc_worker::load(&request, &[]).await.map_err(|e| format!("The roadmap could not be made: {e}"))?;
            let id = made.workspace_id;
            let now = js_sys::Date::now();
            let meta = WorkspaceMeta { id: id.clone(), name: audience.label().to_owned(), ideas: 0, last_opened: now, created: now, shared: None };
            store.create(&meta, &made.bytes).await.map_err(|e| format!("The roadmap could not be stored: {e}"))?;
            if let Some(l) = local() {
                let _ = l.set_item(&key(&source.id, audience), &id);
            }
            id
        }
    };
    // A scope of its own for the published session's signals, dropped at the end.
    let owner = Owner::new();
    let published = owner.with(|| Session::open(Rc::clone(&store), &id, me.name.clone())).await?;
    let result = async {
        // Both documents are open in the page's worker, which republishes.
        published.republish_from(&source).await?;
        // Stored (and, once shared, queued for the relay) before syncing starts.
        while published.save_state.get_untracked() == crate::session::SaveState::Saving {
            crate::util::delay(50).await;
        }
        if published.sync_record().is_none() {
            published.share(me.clone()).await?;
        } else {
            published.start_sync(me.clone());
        }
        wait_until_sent(&published).await?;
        view_link(&store, &id).await.ok_or_else(|| "The roadmap has no link yet.".to_owned())
    }
    .await;
    published.stop_sync();
    drop(published);
    owner.cleanup();
    result
}

/// Waits until everything of `published` is stored and on the relay (30 s at most).
/// The engine starts after the changes were saved (and queued), so "up to date" means
/// they were sent and acknowledged.
async fn wait_until_sent(published: &Rc<Session>) -> Result<(), String> {
    for _ in 0..150 {
        let saved = published.save_state.get_untracked() == crate::session::SaveState::Saved;
        let status = published.engine.get_untracked().map(|e| e.status.get_untracked());
        match status {
            Some(SyncStatus::UpToDate) if saved => return Ok(()),
            Some(SyncStatus::Refused(why)) => return Err(format!("The relay refused the roadmap: {why}")),
            _ => crate::util::delay(200).await,
        }
    }
    Err("Published in this browser; it reaches the relay, and its link works, once you are back online.".into())
}
