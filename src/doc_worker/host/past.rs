//! The workspace's past, for the page: the workspace as it was after any moment of its
//! history (a read-only document of its own), what differs between then and now, and
//! restoring one artifact as it was.

use std::collections::BTreeSet;

use waymark_domain::then_and_now;
use waymark_domain::view_delta::ViewDelta;
use waymark_domain::Id;

use super::{hex, read_history, Open, Reply};

/// The workspace `open` as it was after its first `index` moments: that document, its
/// `Opened` reply and its whole view.
pub(super) fn at(open: &mut Open, index: usize) -> Result<(Open, Reply, Vec<u8>), String> {
    let heads = read_history(open).heads_after(index);
    let mut then = open.ws.at(&heads).map_err(|e| format!("That point in history could not be opened: {e}"))?;
    let delta = ViewDelta::whole(&mut then).to_bytes();
    let reply = Reply::Opened { bad_chunks: Vec::new(), heads: hex(&heads), audience: then.audience() };
    Ok((Open { ws: then, me: open.me.clone(), history: Default::default(), keeping: None, own_unsaved: Vec::new(), undo: Default::default() }, reply, delta))
}

/// The artifacts the moments after the first `index` touched that differ between
/// `then` and `now`.
pub(super) fn changed_since(now: &mut Open, then: &mut Open, index: usize) -> (Reply, Vec<u8>) {
    let moments = read_history(now).moments();
    let mut seen = BTreeSet::new();
    let touched: Vec<(&'static str, Id)> =
        moments[index.min(moments.len())..].iter().flat_map(|m| m.items().map(|(c, id)| (c, id.clone()))).filter(|item| seen.insert(item.clone())).collect();
    (Reply::ChangedSince { changed: then_and_now::changed_since(&then.ws, &now.ws, touched) }, Vec::new())
}

/// Makes artifact `id` of `collection` in `now` what it is in `then`.
pub(super) fn restore(now: &mut Open, then: &mut Open, collection: &str, id: &Id, now_ms: i64) -> (Reply, Vec<u8>) {
    let Some(collection) = waymark_domain::schema::COLLECTIONS.iter().copied().find(|c| *c == collection) else {
        return (Reply::Edited { error: Some(format!("“{collection}” is not a kind of artifact")) }, ViewDelta::default().to_bytes());
    };
    // A step of its own, to undo like an edit.
    super::commit_mine(now, now_ms);
    now.undo.begin(&mut now.ws, None, now_ms);
    let restored = now.ws.restore_from(&then.ws, collection, id, now_ms);
    super::commit_mine(now, now_ms);
    now.undo.close(&mut now.ws);
    match restored {
        Ok(changed) => {
            now.undo.edited();
            (Reply::Edited { error: None }, ViewDelta::of(&mut now.ws, &changed).to_bytes())
        }
        Err(e) => (Reply::Edited { error: Some(format!("It could not be restored: {e}")) }, ViewDelta::default().to_bytes()),
    }
}
