//! Opening from the view cache, in a real browser: the screen's signals are filled from
//! the cache at once, edits made before the document has loaded are kept, and what
//! changed behind the cache's back shows once it has. Run with `cargo xtask test`.

use std::rc::Rc;

use waymark::session::{Session, STILL_OPENING};
use waymark::storage::{Store, WorkspaceMeta};
use waymark::util::delay;
use waymark_domain::edit::Edit;
use waymark_domain::{Id, IdeaText, Workspace};
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A stored workspace with two ideas: its id and theirs.
async fn stored_workspace(store: &Store, name: &str) -> (Workspace, Id, Id) {
    let mut ws = Workspace::create(name, 1_700_000_000_000, "Ana");
    let first = ws.create_idea("Offline mode", 2, "Ana").unwrap();
    let second = ws.create_idea("Invoice reminders", 2, "Ana").unwrap();
    let meta = WorkspaceMeta { id: ws.workspace_id(), name: name.into(), ideas: 2, last_opened: 1.0, created: 1.0, shared: None };
    store.create(&meta, &ws.save()).await.expect("create");
    (ws, first, second)
}

/// Waits (polling, with a deadline) until `done` holds.
async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        delay(25).await;
    }
    panic!("timed out waiting for {what}");
}

fn title(session: &Session, id: &Id) -> String {
    session.ideas.get_untracked().get(id).map(|s| s.get_untracked().title).unwrap_or_default()
}

fn description(session: &Session, id: &Id) -> String {
    session.ideas.get_untracked().get(id).map(|s| s.get_untracked().description).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_workspace_paints_from_its_view_cache_and_keeps_an_edit_made_before_its_document_loaded() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let (mut ws, first, second) = stored_workspace(&store, "Cached").await;
    let id = ws.workspace_id();

    // A first visit writes the cache.
    let visit = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("opens");
    visit.write_view_cache();
    until("the view cache to be written", async || store.view_cache(&id).await.unwrap().is_some()).await;
    drop(visit);

    // A change the cache never saw (another tab's, or a teammate's stored by sync).
    ws.set_idea_text(&second, IdeaText::Title, "Invoice reminders by email", 3).unwrap();
    store.append_chunk(&store.next_chunk_key(&id), &ws.save_incremental()).await.unwrap();

    let session = Session::open_painting(Rc::clone(&store), &id, "Ana".into()).await.expect("opens");
    assert!(session.opening.get_untracked(), "painted from the cache, the document still loading");
    assert_eq!(title(&session, &first), "Offline mode", "the cache's ideas are shown at once");
    assert_eq!(title(&session, &second), "Invoice reminders", "as the cache saw them");
    // Typed at once: kept for when the document is there. A new idea gets its id now.
    session.apply(Edit::IdeaText(first.clone(), IdeaText::Description, "Typed while opening".into())).expect("an edit is taken while opening");
    let early = session.apply(Edit::CreateIdea { title: "Captured while opening".into() }).unwrap().created.expect("its id, at once");
    assert_eq!(session.ready().unwrap_err(), STILL_OPENING, "exports and sharing wait");

    // The worker answers the opening and then each edit: what changed since the cache
    // and the edits show together, once every answer is in.
    until("the document to load and the edits to show", async || !session.opening.get_untracked() && description(&session, &first) == "Typed while opening").await;
    assert_eq!(title(&session, &second), "Invoice reminders by email", "what changed since the cache is read again");
    assert_eq!(description(&session, &first), "Typed while opening", "the edit made while opening was made");
    assert_eq!(title(&session, &early), "Captured while opening", "the idea created while opening has the id it was given");
    assert!(session.warnings.get_untracked().is_empty(), "{:?}", session.warnings.get_untracked());
    session.flush();
    until("the edit to be saved", async || session.save_state.get_untracked() == waymark::session::SaveState::Saved).await;

    let again = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("opens again");
    assert_eq!(description(&again, &first), "Typed while opening", "and it was saved");
    assert_eq!(title(&again, &second), "Invoice reminders by email");
    assert_eq!(title(&again, &early), "Captured while opening");
    store.delete(&id).await.unwrap();
    assert!(store.view_cache(&id).await.unwrap().is_none(), "deleting a workspace deletes its cache");
}

#[wasm_bindgen_test]
async fn a_damaged_view_cache_is_ignored_and_the_document_opens() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let (ws, first, _) = stored_workspace(&store, "Damaged cache").await;
    let id = ws.workspace_id();
    store.put_view_cache(&id, b"{\"format\":1,\"heads\":[\"not a hash\"]").await.unwrap();
    let session = Session::open_painting(Rc::clone(&store), &id, "Ana".into()).await.expect("opens");
    assert!(!session.opening.get_untracked(), "read from the document, not the damaged cache");
    assert_eq!(title(&session, &first), "Offline mode");
    assert!(session.warnings.get_untracked().is_empty());
    store.delete(&id).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_edit_made_while_opening_is_kept_in_local_storage_and_a_later_opening_makes_it() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let (ws, first, _) = stored_workspace(&store, "Closed while opening").await;
    let id = ws.workspace_id();
    let visit = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("opens");
    visit.write_view_cache();
    until("the view cache to be written", async || store.view_cache(&id).await.unwrap().is_some()).await;
    drop(visit);

    let session = Session::open_painting(Rc::clone(&store), &id, "Ana".into()).await.expect("opens");
    session.apply(Edit::IdeaText(first.clone(), IdeaText::Description, "Typed, then the tab closed".into())).unwrap();
    // What a tab closed now would leave: the edit, in localStorage, synchronously.
    let kept = local_storage_with(&id);
    assert_eq!(kept.len(), 1, "one stash of edits for this workspace");
    assert!(kept[0].1.contains("Typed, then the tab closed"));
    until("the document to load", async || !session.opening.get_untracked()).await;
    // Kept until a stored chunk holds it.
    until("the edit to be made and saved, and its stash to go", async || local_storage_with(&id).is_empty()).await;

    // A tab that closed before its document loaded left this stash (a minute ago):
    // the next opening makes its edit.
    let old = js_sys::Date::now() - 120_000.0;
    let orphan = serde_json::json!({
        "at": old,
        "edits": [[serde_json::to_value(Edit::IdeaText(first.clone(), IdeaText::StatusReason, "From a closed tab".into())).unwrap(), null]],
    });
    let key = waymark::storage::edit_stash_key(&id, "closedtab");
    web_sys::window().unwrap().local_storage().unwrap().unwrap().set_item(&key, &orphan.to_string()).unwrap();
    let again = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("opens");
    let idea = again.ideas.get_untracked().get(&first).unwrap().get_untracked();
    assert_eq!((idea.description.as_str(), idea.status_reason.as_str()), ("Typed, then the tab closed", "From a closed tab"));
    until("the recovered edit to be saved, and its stash to go", async || local_storage_with(&id).is_empty()).await;
    store.delete(&id).await.unwrap();
}

/// The localStorage entries naming workspace `id` (other than stashed chunks).
fn local_storage_with(id: &str) -> Vec<(String, String)> {
    let ls = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    (0..ls.length().unwrap())
        .filter_map(|i| ls.key(i).unwrap())
        .filter(|k| k.contains(id) && !k.starts_with("waymark-pending:") && !k.starts_with("waymark.visit.") && !k.starts_with("waymark-view-tail:"))
        .map(|k| (k.clone(), ls.get_item(&k).unwrap().unwrap()))
        .collect()
}
