//! New workspaces in this browser: created empty, or imported from a file
//! (`.automerge`, a whole workspace with its history, or Waymark JSON). A file is fully
//! checked before anything is stored, so a bad file changes nothing.

use std::rc::Rc;

use waymark_domain::export::{self, FileKind};

use futures::StreamExt;

use crate::doc_worker::protocol::{Reply, Request};
use crate::doc_worker::{Answer, DocWorker, Loaded};
use crate::session::Session;
use crate::storage::{Store, WorkspaceMeta};
use crate::util::now_ms;

/// What an import did, for the notice.
pub struct Imported {
    /// The workspace it went into.
    pub id: String,
    pub name: String,
    pub merged: bool,
}

/// What importing a file came to.
pub enum Outcome {
    Done(Imported),
    /// The file is a copy of a shared workspace here: merging would send its changes
    /// to everyone with a link, so the user is asked first (then `import_file` again,
    /// with `merge_into_shared`).
    AsksFirst { name: String },
}

/// Creates and stores an empty workspace named `name`; its id.
pub async fn create_workspace(store: &Store, name: &str, me: &str) -> Result<String, String> {
    let made = crate::doc_worker::load(&Request::Create { name: name.to_owned(), me: me.to_owned(), now_ms: now_ms(), audience: None }, &[]).await?;
    let now = js_sys::Date::now();
    let meta = WorkspaceMeta { id: made.workspace_id.clone(), name: name.to_owned(), ideas: 0, last_opened: now, created: now, shared: None };
    store.create(&meta, &made.bytes).await.map_err(|e| e.to_string())?;
    Ok(made.workspace_id)
}

/// Imports a file from Home: a new workspace, or a merge into the stored copy of the
/// same workspace (into a shared one only with `merge_into_shared`).
/// A JSON file is read in the document worker, so the page stays responsive however
/// big it is; `progress` hears how far it got.
pub async fn import_file(store: Rc<Store>, bytes: &[u8], me: &str, merge_into_shared: bool, progress: impl Fn(Progress)) -> Result<Outcome, String> {
    match export::sniff(bytes) {
        Some(FileKind::Automerge) => {
            // Checked whole (and named apart, should it be new) in the worker.
            let request = Request::ImportAutomerge { taken_names: names_here(&store).await };
            let file = crate::doc_worker::load(&request, bytes).await.map_err(|e| format!("This file can't be imported: {e}."))?;
            let existing = store.meta(&file.workspace_id).await.map_err(|e| e.to_string())?;
            if let Some(meta) = existing {
                if meta.shared.is_some() && !merge_into_shared {
                    return Ok(Outcome::AsksFirst { name: meta.name });
                }
                let session = Session::open(store, &file.workspace_id, me.to_owned()).await?;
                session.merge_bytes(bytes).await?;
                // A shared workspace's merged changes wait in its outbox; they go to
                // the relay when it is next open.
                session.flush();
                return Ok(Outcome::Done(Imported { id: file.workspace_id, name: meta.name, merged: true }));
            }
            let Loaded { workspace_id, name, ideas, bytes, .. } = file;
            store_bytes(&store, workspace_id, name, ideas, &bytes).await.map(Outcome::Done)
        }
        Some(FileKind::Json) => import_json(&store, bytes, me, progress).await.map(Outcome::Done),
        None => Err("This file is neither a Waymark workspace (.automerge) nor a Waymark JSON export. Nothing was imported.".into()),
    }
}

/// How far a JSON import got.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Progress {
    /// `done` of the file's `total` artifacts are written.
    Writing { done: usize, total: usize },
    /// Everything is written; the workspace is being saved.
    Saving,
}

async fn import_json(store: &Store, bytes: &[u8], me: &str, progress: impl Fn(Progress)) -> Result<Imported, String> {
    let taken_names = names_here(store).await;
    let request = Request::ImportJson { me: me.to_owned(), now_ms: now_ms(), taken_names };
    let mut replies = DocWorker::shared()?.request(&request, bytes);
    while let Some(Answer { reply, payload }) = replies.next().await {
        match reply {
            Reply::Progress { done, total } => progress(Progress::Writing { done, total }),
            Reply::Saving => progress(Progress::Saving),
            Reply::Imported { workspace_id, name, ideas } => {
                let bytes = payload.ok_or("The background worker sent no workspace.")?;
                return store_bytes(store, workspace_id, name, ideas, &bytes).await;
            }
            Reply::Failed { message } => return Err(message),
            _ => {}
        }
    }
    Err("The background worker stopped before the import finished. Nothing was changed; try again.".into())
}

/// The names of the workspaces in this browser.
async fn names_here(store: &Store) -> Vec<String> {
    store.list().await.map(|l| l.into_iter().map(|m| m.name).collect()).unwrap_or_default()
}

async fn store_bytes(store: &Store, id: String, name: String, ideas: usize, bytes: &[u8]) -> Result<Imported, String> {
    let now = js_sys::Date::now();
    let meta = WorkspaceMeta { id: id.clone(), name: name.clone(), ideas, last_opened: now, created: now, shared: None };
    store.create(&meta, bytes).await.map_err(|e| format!("The workspace could not be stored: {e}"))?;
    Ok(Imported { id, name, merged: false })
}
