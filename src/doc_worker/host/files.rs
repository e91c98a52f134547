//! Whole workspaces the page stores but never opens itself: made new, read from a
//! share link's download or from storage, or checked as an `.automerge` file. Each is
//! answered `Loaded`, with the document as one snapshot to store.

use waymark_domain::audience::Audience;
use waymark_domain::{export, Workspace};

use super::{unpack, Reply};

/// What a `Loaded` reply says of `ws`, and its bytes.
pub(super) fn loaded(ws: &mut Workspace, bad_chunks: Vec<usize>) -> (Reply, Vec<u8>) {
    let reply = Reply::Loaded { workspace_id: ws.workspace_id(), name: ws.name(), ideas: ws.live_idea_count(), bad_chunks };
    (reply, ws.save())
}

/// An `.automerge` file, checked whole and named apart from `taken`. An error says
/// why it is not a workspace, for the caller to put in a sentence.
pub(super) fn import_automerge(bytes: &[u8], taken: &[String]) -> Result<(Reply, Vec<u8>), String> {
    if !waymark_domain::workspace::is_well_formed(bytes) {
        return Err("the file is damaged or incomplete".into());
    }
    let mut ws = Workspace::load(bytes).map_err(|e| e.to_string())?;
    // Its id stays: a copy of a workspace stored here merges into it.
    export::name_apart(&mut ws, taken).map_err(|e| format!("it could not be named ({e})"))?;
    Ok(loaded(&mut ws, Vec::new()))
}

/// A workspace from its snapshot and chunks ([`super::pack`]ed), the unreadable chunks
/// left out and named.
pub(super) fn load(payload: &[u8]) -> Result<(Reply, Vec<u8>), String> {
    let parts = unpack(payload)?;
    let (snapshot, chunks) = parts.split_first().ok_or("nothing was sent to read")?;
    let snapshot = (!snapshot.is_empty()).then_some(snapshot.as_slice());
    let (mut ws, bad) = Workspace::load_with_chunks(snapshot, chunks.iter().map(Vec::as_slice)).map_err(|e| format!("It is not a Waymark workspace ({e})."))?;
    Ok(loaded(&mut ws, bad))
}

/// A new workspace named `name`, or `audience`'s published roadmap.
pub(super) fn create(name: &str, me: &str, now_ms: i64, audience: Option<Audience>) -> Result<(Reply, Vec<u8>), String> {
    let mut ws = match audience {
        Some(audience) => Workspace::new_audience_roadmap(name, audience, now_ms).map_err(|e| e.to_string())?,
        None => Workspace::create(name, now_ms, me),
    };
    Ok(loaded(&mut ws, Vec::new()))
}
