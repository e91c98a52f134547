//! The documents the worker holds for the page: each open workspace's Automerge
//! document, its edits, commits and the changes that arrive. Every answer that changes
//! what the page shows carries a [`ViewDelta`], so the page keeps only view signals
//! (see `crate::session`). The page never runs Automerge itself: what reads history
//! (`past`) and what makes or checks whole workspaces (`files`) is asked of this
//! module too. A live document is kept here too (`keep`): its chunks written, other
//! tabs' changes applied, chunks folded into snapshots, and, for a shared workspace,
//! its sync with the relay (`engine`) and with teammates connected directly (`direct`;
//! `fetch` receives a workspace from one, with no relay).

mod direct;
mod engine;
mod fetch;
mod files;
mod keep;
mod past;
pub mod rt;

use std::cell::RefCell;
use std::collections::HashMap;

use automerge::ChangeHash;
use waymark_domain::view_delta::ViewDelta;
use waymark_domain::edit::{Edit, Typed};
use waymark_domain::undo::{Typing, UndoLog};
use waymark_domain::{export, history, Changed, Workspace};

use super::protocol::{pack, unpack, NewToYou, Reply, Request};

/// One open document and who edits it here.
struct Open {
    ws: Workspace,
    me: String,
    /// Its history, read as far as the page asked.
    history: history::History,
    /// How it is kept, if it is the live document of a stored workspace.
    keeping: Option<keep::Keeping>,
    /// The person's own changes, committed (by reading history) but in no chunk yet,
    /// set aside before changes from elsewhere moved the incremental-save cursor past
    /// them: the next commit's chunk holds them.
    own_unsaved: Vec<u8>,
    /// What the person can undo and redo in this tab.
    undo: UndoLog,
}

thread_local! {
    static DOCS: RefCell<HashMap<String, Open>> = RefCell::new(HashMap::new());
}

fn hex(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(ToString::to_string).collect()
}

/// Answers request `id` (not a JSON import): now, or `None` if it is answered later
/// (through [`rt::post`]).
pub fn handle(id: u32, request: Request, payload: Vec<u8>) -> Option<(Reply, Vec<u8>)> {
    let failed = |message: String| (Reply::Failed { message }, Vec::new());
    let done = (Reply::Done, Vec::new());
    Some(match request {
        Request::Open { doc, workspace, me, cache_heads, chunk_keys } => match open(&payload, cache_heads) {
            Ok((ws, reply, delta, snapshot)) => {
                let Reply::Opened { bad_chunks, .. } = &reply else { unreachable!("open answers Opened") };
                let known = chunk_keys.into_iter().enumerate().filter(|(i, _)| !bad_chunks.contains(i)).map(|(_, k)| k).collect();
                let keeping = Some(keep::Keeping::new(&doc, workspace, known, snapshot));
                DOCS.with(|d| d.borrow_mut().insert(doc, Open { ws, me, history: Default::default(), keeping, own_unsaved: Vec::new(), undo: UndoLog::default() }));
                (reply, delta)
            }
            Err(message) => {
                keep::unwatch(&doc);
                failed(message)
            }
        },
        Request::Watch { doc } => {
            keep::watch(doc, id);
            return None;
        }
        Request::Write { workspace, doc, key, shared } => {
            keep::write(id, workspace, doc, key, shared, payload);
            return None;
        }
        Request::Compact { doc } => {
            wasm_bindgen_futures::spawn_local(async move {
                let done = keep::compact(&doc).await;
                rt::post(id, &Reply::Compacted { done }, None);
            });
            return None;
        }
        Request::StartSync { doc, record, presence, generation } => {
            keep::start_sync(doc, record, presence, generation);
            done
        }
        Request::Presence { doc, presence } => {
            keep::with_keeping(&doc, |k| k.set_presence(presence));
            done
        }
        Request::StopSync { doc } => {
            keep::with_keeping(&doc, |k| k.stop_sync());
            done
        }
        Request::Signal { doc, to, plain } => {
            if let Some(engine) = keep::with_keeping(&doc, |k| k.engine.clone()).flatten() {
                engine.signal(to, plain.into_bytes());
            }
            done
        }
        Request::Fetch { doc, workspace, fragment, expected } => {
            fetch::start(id, doc, workspace, &fragment, &expected);
            return None;
        }
        Request::PeerOpened { doc, peer } if fetch::is_fetch(&doc) => {
            fetch::opened(&doc, peer);
            done
        }
        Request::PeerOpened { doc, peer } => {
            direct::opened(&doc, peer);
            done
        }
        Request::PeerFrame { doc, peer } if fetch::is_fetch(&doc) => {
            fetch::frame(&doc, peer, &payload);
            done
        }
        Request::PeerFrame { doc, peer } => {
            direct::frame(&doc, peer, &payload);
            done
        }
        Request::PeerClosed { doc, peer } if fetch::is_fetch(&doc) => {
            fetch::closed(&doc, peer);
            done
        }
        Request::PeerClosed { doc, peer } => {
            direct::closed(&doc, peer);
            done
        }
        Request::CloseLog { doc } => {
            match keep::with_keeping(&doc, |k| k.engine.clone()).flatten() {
                Some(engine) => engine.close_log(id),
                None => rt::post(id, &Reply::LogClosed { error: Some("This workspace is not syncing.".into()) }, None),
            }
            return None;
        }
        Request::ImportAutomerge { taken_names } => files::import_automerge(&payload, &taken_names).unwrap_or_else(failed),
        Request::Load => files::load(&payload).unwrap_or_else(failed),
        Request::Create { name, me, now_ms, audience } => files::create(&name, &me, now_ms, audience).unwrap_or_else(failed),
        Request::At { doc, past, index } => DOCS.with(|d| {
            let mut docs = d.borrow_mut();
            let Some(open) = docs.get_mut(&doc) else { return failed(NOT_OPEN.into()) };
            match past::at(open, index) {
                Ok((then, reply, delta)) => {
                    docs.insert(past, then);
                    (reply, delta)
                }
                Err(message) => failed(message),
            }
        }),
        Request::ChangedSince { doc, past, index } => with_two(&doc, &past, |now, then| past::changed_since(now, then, index)),
        Request::Restore { doc, past, collection, id, now_ms } => with_two(&doc, &past, |now, then| past::restore(now, then, &collection, &id, now_ms)),
        Request::Republish { doc, source, now_ms } => with_two(&doc, &source, |published, source| {
            let error = published.ws.republish_from(&source.ws, now_ms).err().map(|e| format!("The roadmap could not be published: {e}"));
            (Reply::Edited { error }, ViewDelta::whole(&mut published.ws).to_bytes())
        }),
        Request::Close { doc } if fetch::cancel(&doc) => (Reply::Closed, Vec::new()),
        Request::Close { doc } => {
            match DOCS.with(|d| d.borrow_mut().remove(&doc)) {
                Some(Open { keeping: Some(mut keeping), .. }) => keeping.close(),
                _ => keep::unwatch(&doc),
            }
            (Reply::Closed, Vec::new())
        }
        request => {
            let doc = match &request {
                Request::Edit { doc, .. }
                | Request::Undo { doc, .. }
                | Request::Commit { doc, .. }
                | Request::Apply { doc, .. }
                | Request::Save { doc, .. }
                | Request::Export { doc, .. }
                | Request::Comments { doc, .. }
                | Request::Since { doc, .. }
                | Request::History { doc, .. }
                | Request::PlanImport { doc, .. }
                | Request::Identity { doc } => doc.clone(),
                _ => return Some(failed("not a request about an open workspace".into())),
            };
            DOCS.with(|d| match d.borrow_mut().get_mut(&doc) {
                Some(open) => on_open(open, request, payload),
                None => failed(NOT_OPEN.into()),
            })
        }
    })
}

const NOT_OPEN: &str = "This workspace is not open in the background worker: reload the tab.";

/// Runs `f` on two open documents (`a` and `b`, different ones).
fn with_two(a: &str, b: &str, f: impl FnOnce(&mut Open, &mut Open) -> (Reply, Vec<u8>)) -> (Reply, Vec<u8>) {
    DOCS.with(|d| match d.borrow_mut().get_disjoint_mut([a, b]) {
        [Some(a), Some(b)] => f(a, b),
        _ => (Reply::Failed { message: NOT_OPEN.into() }, Vec::new()),
    })
}

/// Loads a document from its stored bytes: it, the `Opened` reply and its view delta.
/// Opens the stored document in `payload` (its snapshot, then its chunks): the
/// document, the reply, its view, and the snapshot's [`keep::fingerprint`].
fn open(payload: &[u8], cache_heads: Option<Vec<String>>) -> Result<(Workspace, Reply, Vec<u8>, Option<u64>), String> {
    let parts = unpack(payload)?;
    let (snapshot, chunks) = parts.split_first().ok_or("nothing was sent to open")?;
    let snapshot = (!snapshot.is_empty()).then_some(snapshot.as_slice());
    let fingerprint = snapshot.map(keep::fingerprint);
    let (mut ws, bad_chunks) = Workspace::load_with_chunks(snapshot, chunks.iter().map(Vec::as_slice))
        .map_err(|e| format!("This workspace could not be opened: {e}. Its saved data has been left untouched."))?;
    let cache_heads: Option<Vec<ChangeHash>> = cache_heads.and_then(|h| h.iter().map(|h| h.parse().ok()).collect());
    let delta = match cache_heads.and_then(|h| ws.changed_since(&h)) {
        Some(changed) => ViewDelta::of(&mut ws, &changed),
        None => ViewDelta::whole(&mut ws),
    };
    let reply = Reply::Opened { bad_chunks, heads: hex(&ws.heads()), audience: ws.audience() };
    Ok((ws, reply, delta.to_bytes(), fingerprint))
}

/// Commits this page's edits not yet committed, as the person's own change.
fn commit_mine(open: &mut Open, now_ms: i64) {
    open.ws.commit_by(&open.me, now_ms);
    if let Some(keeping) = &mut open.keeping {
        keeping.committed();
    }
}

/// Commits this page's edits not yet committed: the change's bytes, empty if none.
fn commit(open: &mut Open, now_ms: i64) -> Vec<u8> {
    commit_mine(open, now_ms);
    let mut chunk = std::mem::take(&mut open.own_unsaved);
    chunk.extend(open.ws.save_incremental());
    // The page already shows its own edits: their patches need not be computed.
    open.ws.mark_changes_seen();
    chunk
}

/// Sets aside the person's committed changes that no chunk holds yet (see
/// `Open::own_unsaved`), before changes from elsewhere are applied.
fn hold_own(open: &mut Open) {
    // Pending edits are the person's own change, never an anonymous one.
    commit_mine(open, js_sys::Date::now() as i64);
    let own = open.ws.save_incremental();
    open.own_unsaved.extend(own);
}

/// What teammates' changes after `heads` touched.
fn new_to_you(open: &mut Open, heads: &[ChangeHash]) -> NewToYou {
    let moments = history::since(&mut open.ws, heads);
    let theirs = moments.iter().filter(|m| m.by != open.me);
    let mut new = NewToYou::default();
    for moment in theirs {
        new.hashes.push(moment.hash.to_string());
        new.items.extend(moment.items().map(|(c, id)| (c.to_owned(), id.clone())));
    }
    new
}

/// The document's history brought up to date, this page's edits first committed as
/// its own change (never an anonymous one).
fn read_history(open: &mut Open) -> &history::History {
    commit_mine(open, js_sys::Date::now() as i64);
    open.history.update(&mut open.ws);
    &open.history
}

/// Applies changes from elsewhere to a document holding no uncommitted edits: the
/// positions of those that applied, how many could not, the view delta, and what is
/// new to the person.
fn apply_others(open: &mut Open, changes: &[Vec<u8>]) -> (Vec<usize>, usize, Vec<u8>, NewToYou) {
    hold_own(open);
    let before = open.ws.heads();
    let mut changed = Changed::default();
    let (mut applied, mut failed) = (Vec::new(), 0);
    for (i, bytes) in changes.iter().enumerate() {
        match open.ws.apply(bytes) {
            Ok(c) => {
                changed.absorb(c);
                applied.push(i);
            }
            Err(_) => failed += 1,
        }
    }
    // What arrived is stored as it came: the next chunk holds only this page's edits.
    let _ = open.ws.save_incremental();
    if !applied.is_empty() {
        // The person's next edit is a step of its own, after what arrived.
        open.undo.close(&mut open.ws);
    }
    let new = if applied.is_empty() { NewToYou::default() } else { new_to_you(open, &before) };
    let delta = ViewDelta::of(&mut open.ws, &changed).to_bytes();
    (applied, failed, delta, new)
}

/// The field an edit types into, if it types: a run of typing there is one step to undo.
fn typing(edit: &Edit) -> Option<Typing> {
    match edit.typed()? {
        Typed::Item { collection, id, field, .. } => Some((collection.to_owned(), id.to_string(), field.to_owned())),
        Typed::Brief(field, _) => Some(("brief".to_owned(), String::new(), format!("{field:?}"))),
    }
}

/// Undoes (or redoes) the person's last step in this tab, as a new change of theirs.
fn undo(open: &mut Open, redo: bool, now_ms: i64) -> (Reply, Vec<u8>) {
    commit_mine(open, now_ms);
    let nothing = || (Reply::Undone { what: None }, ViewDelta::default().to_bytes());
    let Some(taken) = open.undo.take(&mut open.ws, redo, now_ms) else { return nothing() };
    let taken = match taken {
        Ok(taken) => taken,
        Err(e) => return (Reply::Edited { error: Some(e.to_string()) }, ViewDelta::default().to_bytes()),
    };
    commit_mine(open, now_ms);
    open.undo.made(&mut open.ws, &taken);
    let what = if taken.touched == 0 { String::new() } else { open.ws.describe(&taken.changed) };
    (Reply::Undone { what: Some(what) }, ViewDelta::of(&mut open.ws, &taken.changed).to_bytes())
}

fn on_open(open: &mut Open, request: Request, payload: Vec<u8>) -> (Reply, Vec<u8>) {
    match request {
        Request::Edit { edit, id, now_ms, .. } => {
            let me = open.me.clone();
            let edit = match serde_json::from_str::<Edit>(edit.get()) {
                Ok(edit) => edit,
                Err(e) => return (Reply::Edited { error: Some(format!("it was not readable ({e})")) }, ViewDelta::default().to_bytes()),
            };
            let typing = typing(&edit);
            if open.undo.begins_step(typing.as_ref(), now_ms) {
                commit_mine(open, now_ms);
                open.undo.begin(&mut open.ws, typing, now_ms);
            }
            let result = match id {
                Some(id) => open.ws.apply_edit_as(edit, id, now_ms, &me),
                None => open.ws.apply_edit(edit, now_ms, &me),
            };
            let (changed, error) = match result {
                Ok(applied) => {
                    if !applied.changed.is_empty() {
                        open.undo.edited();
                    }
                    (applied.changed, None)
                }
                Err(e) => (Changed::default(), Some(e.to_string())),
            };
            (Reply::Edited { error }, ViewDelta::of(&mut open.ws, &changed).to_bytes())
        }
        Request::Undo { redo, now_ms, .. } => undo(open, redo, now_ms),
        Request::Commit { now_ms, .. } => {
            let chunk = commit(open, now_ms);
            (Reply::Committed { heads: hex(&open.ws.heads()) }, chunk)
        }
        Request::Apply { now_ms, .. } => {
            let Ok(changes) = unpack(&payload) else {
                return (Reply::Failed { message: "Changes sent to the worker were not readable.".into() }, Vec::new());
            };
            let own = commit(open, now_ms);
            let (applied, failed, delta, new) = apply_others(open, &changes);
            (Reply::Applied { applied, failed, heads: hex(&open.ws.heads()), new }, pack([delta.as_slice(), own.as_slice()]))
        }
        Request::Save { now_ms, .. } => {
            let own = commit(open, now_ms);
            let whole = open.ws.save();
            (Reply::Saved, pack([own.as_slice(), whole.as_slice()]))
        }
        Request::Export { markdown, now_ms, renamed, .. } => {
            let text = match renamed {
                _ if markdown => export::to_markdown(&open.ws),
                None => export::to_json(&open.ws, now_ms),
                Some(name) => {
                    let mut copy = open.ws.fork();
                    if let Err(e) = copy.set_brief_text(waymark_domain::BriefField::Name, &name) {
                        return (Reply::Failed { message: e.to_string() }, Vec::new());
                    }
                    export::to_json(&copy, now_ms)
                }
            };
            (Reply::Text, text.into_bytes())
        }
        Request::History { from, .. } => {
            let moments = read_history(open).moments().get(from..).unwrap_or_default().to_vec();
            (Reply::Moments { moments }, Vec::new())
        }
        Request::PlanImport { backlog, choices, .. } => {
            let plan = waymark_domain::backlog_import::plan(&backlog, &open.ws, &choices);
            (Reply::ImportPlan { plan: Box::new(plan) }, Vec::new())
        }
        Request::Comments { target, .. } => (Reply::Comments { comments: open.ws.comments(&target) }, Vec::new()),
        Request::Identity { .. } => (Reply::Identity { workspace_id: open.ws.workspace_id(), name: open.ws.name() }, Vec::new()),
        Request::Since { heads, .. } => {
            // This page's edits are its own change, never an anonymous one.
            commit_mine(open, js_sys::Date::now() as i64);
            let heads: Vec<ChangeHash> = heads.iter().filter_map(|h| h.parse().ok()).collect();
            (Reply::New { new: new_to_you(open, &heads) }, Vec::new())
        }
        _ => (Reply::Failed { message: "not a request about an open workspace".into() }, Vec::new()),
    }
}
