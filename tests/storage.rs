//! IndexedDB storage in a real browser: what is written comes back, and damaged saved
//! data never stops a workspace from opening. Run with `cargo xtask test`.

use std::rc::Rc;

use waymark::session::Session;
use waymark::storage::{Profile, Store, WorkspaceMeta};
use waymark_domain::edit::Edit;
use waymark_domain::{IdeaText, Workspace};
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh_workspace(store: &Store, name: &str) -> Workspace {
    let mut ws = Workspace::create(name, 1_700_000_000_000, "Ana");
    let meta = WorkspaceMeta { id: ws.workspace_id(), name: name.into(), ideas: 0, last_opened: 1.0, created: 1.0, shared: None };
    store.create(&meta, &ws.save()).await.expect("create");
    ws
}

#[wasm_bindgen_test]
async fn a_workspace_and_its_chunks_round_trip() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let mut ws = fresh_workspace(&store, "Round trip").await;
    let id = ws.workspace_id();
    let idea = ws.create_idea("Offline mode", 2, "Ana").unwrap();
    store.append_chunk(&store.next_chunk_key(&id), &ws.save_incremental()).await.unwrap();
    ws.set_idea_text(&idea, IdeaText::Description, "Sales work without signal", 3).unwrap();
    store.append_chunk(&store.next_chunk_key(&id), &ws.save_incremental()).await.unwrap();

    let session = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("session opens");
    let shown = session.ideas.get_untracked().get(&idea).copied().expect("idea is in the view").get_untracked();
    assert_eq!(shown.title, "Offline mode");
    assert_eq!(shown.description, "Sales work without signal");
    assert!(session.warnings.get_untracked().is_empty());
    assert!(store.list().await.unwrap().iter().any(|m| m.id == id), "Home lists it");

    store.delete(&id).await.unwrap();
    let after = store.load(&id).await.unwrap();
    assert!(after.snapshot.is_none() && after.chunks.is_empty(), "delete removes every byte");
}

#[wasm_bindgen_test]
async fn damaged_chunks_are_set_aside_and_the_rest_opens() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let mut ws = fresh_workspace(&store, "Damaged").await;
    let id = ws.workspace_id();
    let kept = ws.create_idea("Kept before the damage", 2, "Ana").unwrap();
    store.append_chunk(&store.next_chunk_key(&id), &ws.save_incremental()).await.unwrap();

    // A chunk with flipped bytes and a truncated one, as a crash or a bad disk leaves them.
    let lost = ws.create_idea("Only in damaged chunks", 3, "Ana").unwrap();
    let chunk = ws.save_incremental();
    let mut flipped = chunk.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0xff;
    flipped[mid + 1] ^= 0x55;
    store.append_chunk(&store.next_chunk_key(&id), &flipped).await.unwrap();
    store.append_chunk(&store.next_chunk_key(&id), &chunk[..chunk.len() - 7]).await.unwrap();

    let session = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("still opens");
    let ideas = session.ideas.get_untracked();
    assert!(ideas.contains_key(&kept), "valid work loads");
    assert!(!ideas.contains_key(&lost), "nothing half-applied from damaged bytes");
    let warnings = session.warnings.get_untracked();
    assert!(warnings.iter().any(|w| w.contains("2 pieces") && w.contains("kept, not deleted")), "{warnings:?}");

    let stored = store.load(&id).await.unwrap();
    assert_eq!(stored.quarantined, 2, "the bad bytes are kept");
    assert_eq!(stored.chunks.len(), 1, "only the good chunk is left to load");
    let again = Session::open(Rc::clone(&store), &id, "Ana".into()).await.unwrap();
    assert!(again.warnings.get_untracked().iter().any(|w| w.contains("kept aside")));
}

#[wasm_bindgen_test]
async fn the_profile_is_remembered() {
    let store = Store::open().await.unwrap();
    let me = Profile { name: "Priya".into(), colour: "#0f766e".into() };
    store.put_profile(&me).await.unwrap();
    assert_eq!(store.profile().await.unwrap(), Some(me));
}

#[wasm_bindgen_test]
async fn a_chunk_stashed_as_the_tab_closed_is_recovered_on_open() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let mut ws = fresh_workspace(&store, "Closed mid-write").await;
    let id = ws.workspace_id();
    let idea = ws.create_idea("Typed just before closing", 2, "Ana").unwrap();
    // The tab closed after the synchronous stash but before IndexedDB confirmed.
    let key = store.next_chunk_key(&id);
    waymark::storage::stash(&key, &ws.save_incremental());

    let session = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("opens");
    assert!(session.ideas.get_untracked().contains_key(&idea), "the stashed edit is back");
    assert!(waymark::storage::stashed(&id).is_empty(), "and now lives in IndexedDB");
    assert_eq!(store.load(&id).await.unwrap().chunks.len(), 1);
}

#[wasm_bindgen_test]
async fn a_shared_workspaces_stashed_chunk_is_queued_for_the_relay_on_open() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let mut ws = fresh_workspace(&store, "Closed mid-write, shared").await;
    let id = ws.workspace_id();
    let record = waymark::storage::SyncRecord {
        fragment: "v1.edit.not-a-real-key".into(),
        relay: "http://127.0.0.1:9".into(),
        last_seq: 0,
        snapshot_seq: 0,
        last_synced: 0.0,
        epoch: 0,
        closed: false,
    };
    store.put_sync_record(&id, &record).await.unwrap();
    ws.create_idea("Typed just before closing, offline", 2, "Ana").unwrap();
    let key = store.next_chunk_key(&id);
    waymark::storage::stash(&key, &ws.save_incremental());

    let _session = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("opens");
    // Its write would have queued it for teammates: the recovery does too.
    let queued = store.outbox(&id).await.unwrap();
    assert_eq!(queued.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), [key.as_str()], "the stashed change waits for the relay");
    store.delete(&id).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_shared_workspaces_changes_wait_in_the_outbox_until_acknowledged() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let mut ws = fresh_workspace(&store, "Outbox").await;
    let id = ws.workspace_id();
    ws.create_idea("Queued for the relay", 2, "Ana").unwrap();
    let key = store.next_chunk_key(&id);
    store.append_chunk_to(&key, &ws.save_incremental(), true).await.unwrap();
    // A second handle on the database, as after a reload, still sees it queued.
    let reopened = Store::open().await.expect("open db");
    let queued = reopened.outbox(&id).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].0, key);
    reopened.remove_outbox(&key).await.unwrap();
    assert!(store.outbox(&id).await.unwrap().is_empty());
    assert_eq!(store.load(&id).await.unwrap().chunks.len(), 1, "the change itself stays stored");
    store.delete(&id).await.unwrap();
}

/// A workspace open in this tab (its store and session) while "another tab" has its
/// own handle on the database and its own copy of the document (`ws`).
async fn this_tab_and_another(name: &str) -> (Rc<Store>, Rc<Session>, Store, Workspace, String) {
    let store = Rc::new(Store::open().await.expect("open db"));
    let ws = fresh_workspace(&store, name).await;
    let id = ws.workspace_id();
    let session = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("session opens");
    let other_tab = Store::open().await.expect("open db");
    (store, session, other_tab, ws, id)
}

#[wasm_bindgen_test]
async fn compaction_keeps_what_another_tabs_compaction_folded_in() {
    let (store, session, other_tab, mut ws, id) = this_tab_and_another("Two tabs compacting").await;
    // "Another tab" stores a change this tab never hears of, then compacts: its chunk is
    // gone, the change lives only in the snapshot that tab wrote.
    let theirs = ws.create_idea("Folded in by the other tab", 2, "Bo").unwrap();
    other_tab.append_chunk(&other_tab.next_chunk_key(&id), &ws.save_incremental()).await.unwrap();
    let snapshot = ws.snapshot();
    assert!(other_tab.compact(&id, move |_, chunks| Some((snapshot, chunks.into_iter().map(|(k, _)| k).collect()))).await.unwrap());
    // This tab edits and compacts: its snapshot must hold both, not replace theirs.
    let mine = session.apply(Edit::CreateIdea { title: "Made in this tab".into() }).unwrap().created.expect("its id");
    assert!(session.compact_now().await, "compaction ran");
    // (This tab's own chunk may still be on its way to the store, kept for next time.)
    let stored = store.load(&id).await.unwrap();
    let (doc, _) = Workspace::load_with_chunks(stored.snapshot.as_deref(), stored.chunks.iter().map(|(_, c)| c.as_slice())).unwrap();
    assert!(doc.idea(&theirs).is_some(), "the other tab's idea survived this tab's compaction");
    assert!(doc.idea(&mine).is_some(), "and this tab's own");
    assert!(session.ideas.get_untracked().contains_key(&theirs), "this tab shows the other's idea now");
    store.delete(&id).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_snapshot_from_another_tab_that_does_not_read_is_left_and_nothing_is_deleted() {
    let (store, session, other_tab, mut ws, id) = this_tab_and_another("Damaged elsewhere").await;
    let original = ws.snapshot();
    let mine = session.apply(Edit::CreateIdea { title: "Kept in a chunk".into() }).unwrap().created.expect("its id");
    // (Stored once this tab says it saved.)
    for _ in 0..200 {
        if session.save_state.get_untracked() == waymark::session::SaveState::Saved {
            break;
        }
        waymark::util::delay(25).await;
    }
    assert_eq!(session.save_state.get_untracked(), waymark::session::SaveState::Saved, "the edit saved");
    // "Another tab" stores a snapshot this tab cannot read.
    let damaged = b"\x85\x6f\x4a\x83 not a document".to_vec();
    let stored = damaged.clone();
    assert!(other_tab.compact(&id, move |_, _| Some((stored, Vec::new()))).await.unwrap());
    // This tab's compaction waits rather than replace it or drop a chunk; so does the next.
    assert!(!session.compact_now().await, "compaction waited");
    assert!(!session.compact_now().await, "and waits again, for another snapshot");
    let after = store.load(&id).await.unwrap();
    assert_eq!(after.snapshot.as_deref(), Some(&damaged[..]), "the snapshot is left as it was");
    let (doc, _) = Workspace::load_with_chunks(Some(&original), after.chunks.iter().map(|(_, c)| c.as_slice())).unwrap();
    assert!(doc.idea(&mine).is_some(), "this tab's change is still in its chunk");
    store.delete(&id).await.unwrap();
}

#[wasm_bindgen_test]
async fn compaction_in_one_tab_keeps_what_another_tab_wrote() {
    let (store, session, other_tab, mut ws, id) = this_tab_and_another("Two tabs").await;
    // "Another tab" (its own handle on the database) stores a change this tab never saw.
    let idea = ws.create_idea("Written in the other tab", 2, "Bo").unwrap();
    other_tab.append_chunk(&other_tab.next_chunk_key(&id), &ws.save_incremental()).await.unwrap();
    // This tab compacts: its new snapshot must hold the other tab's idea, not drop it.
    assert!(session.compact_now().await, "compaction ran");
    let stored = store.load(&id).await.unwrap();
    assert!(stored.chunks.is_empty(), "the chunk was folded into the snapshot");
    let (doc, _) = Workspace::load_with_chunks(stored.snapshot.as_deref(), std::iter::empty()).unwrap();
    assert!(doc.idea(&idea).is_some(), "the other tab's idea survived compaction");
    assert!(session.ideas.get_untracked().contains_key(&idea), "and this tab shows it now");
    store.delete(&id).await.unwrap();
}
