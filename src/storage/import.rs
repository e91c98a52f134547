//! New workspaces in this browser: created empty, or imported from a file
//! (`.automerge`, a whole workspace with its history, or Waymark JSON). A file is fully
//! checked before anything is stored, so a bad file changes nothing.

use std::rc::Rc;

use waymark_domain::export::{self, FileKind};
use waymark_domain::{BriefField, Workspace};

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
    let mut ws = Workspace::create(name, now_ms(), me);
    let id = ws.workspace_id();
    let now = js_sys::Date::now();
    let meta = WorkspaceMeta { id: id.clone(), name: name.to_owned(), ideas: 0, last_opened: now, created: now, shared: None };
    store.create(&meta, &ws.save()).await.map_err(|e| e.to_string())?;
    Ok(id)
}

/// Imports a file from Home: a new workspace, or a merge into the stored copy of the
/// same workspace (into a shared one only with `merge_into_shared`).
pub async fn import_file(store: Rc<Store>, bytes: &[u8], me: &str, merge_into_shared: bool) -> Result<Outcome, String> {
    match export::sniff(bytes) {
        Some(FileKind::Automerge) => {
            let plan = export::plan_automerge_import(bytes, None).map_err(|e| format!("This file can't be imported: {e}."))?;
            let existing = store.meta(&plan.workspace_id).await.map_err(|e| e.to_string())?;
            if let Some(meta) = existing {
                if meta.shared.is_some() && !merge_into_shared {
                    return Ok(Outcome::AsksFirst { name: meta.name });
                }
                let session = Session::open(store, &plan.workspace_id, me.to_owned()).await?;
                session.merge_bytes(bytes)?;
                // A shared workspace's merged changes wait in its outbox; they go to
                // the relay when it is next open.
                session.flush();
                return Ok(Outcome::Done(Imported { id: plan.workspace_id, name: plan.name, merged: true }));
            }
            let mut ws = Workspace::load(bytes).map_err(|e| format!("This file can't be imported: {e}."))?;
            store_new(&store, &mut ws).await.map(Outcome::Done)
        }
        Some(FileKind::Json) => {
            let text = std::str::from_utf8(bytes).map_err(|_| "This JSON file is not valid UTF-8 text.".to_owned())?;
            let mut ws = export::from_json(text, now_ms(), me).map_err(|e| format!("This JSON file can't be imported: {e}."))?;
            store_new(&store, &mut ws).await.map(Outcome::Done)
        }
        None => Err("This file is neither a Waymark workspace (.automerge) nor a Waymark JSON export. Nothing was imported.".into()),
    }
}

async fn store_new(store: &Store, ws: &mut Workspace) -> Result<Imported, String> {
    let id = ws.workspace_id();
    // Two cards with one name would be indistinguishable: mark the newcomer.
    let taken = store.list().await.map(|l| l.into_iter().any(|m| m.name == ws.name())).unwrap_or(false);
    if taken {
        let renamed = format!("{} (imported)", ws.name());
        ws.set_brief_text(BriefField::Name, &renamed).map_err(|e| e.to_string())?;
        ws.commit();
    }
    let name = ws.name();
    let now = js_sys::Date::now();
    let meta = WorkspaceMeta { id: id.clone(), name: name.clone(), ideas: ws.live_idea_count(), last_opened: now, created: now, shared: None };
    store.create(&meta, &ws.save()).await.map_err(|e| format!("The workspace could not be stored: {e}"))?;
    Ok(Imported { id, name, merged: false })
}
