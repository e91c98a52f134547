//! A workspace kept by the document worker, in a real browser: another tab's change
//! arrives while this tab holds edits not yet saved, and both end up stored, each as
//! its author's (never as an anonymous change). Run with `cargo xtask test`.

use std::rc::Rc;

use leptos::prelude::*;
use waymark::session::{SaveState, Session};
use waymark::storage::{Store, WorkspaceMeta};
use waymark::util::delay;
use waymark_domain::edit::Edit;
use waymark_domain::history::History;
use waymark_domain::{Id, IdeaText, Workspace};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Waits (polling, with a deadline) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        delay(25).await;
    }
    panic!("timed out waiting for {what}");
}

fn title(session: &Session, id: &Id) -> String {
    session.ideas.get_untracked().get(id).map(|s| s.get_untracked().title).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn another_tabs_change_waits_for_this_tabs_edits_and_both_are_stored_as_their_authors() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let mut ws = Workspace::create("Two tabs typing", 1_700_000_000_000, "Ana");
    let id = ws.workspace_id();
    let meta = WorkspaceMeta { id: id.clone(), name: "Two tabs typing".into(), ideas: 0, last_opened: 1.0, created: 1.0, shared: None };
    store.create(&meta, &ws.save()).await.expect("create");
    let mine = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("this tab opens it");
    let other_tab = Session::open(Rc::clone(&store), &id, "Bo".into()).await.expect("the other tab opens it");

    // Ana types; her edit is not committed yet (that waits for a pause in typing)...
    let my_idea = mine.create(Edit::CreateIdea { title: "Typed here".into() }).expect("an idea is made");
    // ...when Bo's tab saves a change at once, and tells this tab.
    let their_idea = other_tab.create(Edit::CreateIdea { title: "Made in the other tab".into() }).expect("an idea is made");
    other_tab.flush();

    until("the other tab's idea shows here", || title(&mine, &their_idea) == "Made in the other tab").await;
    assert_eq!(title(&mine, &my_idea), "Typed here", "this tab's own edit is still shown");
    until("both tabs have saved", || mine.save_state.get_untracked() == SaveState::Saved && other_tab.save_state.get_untracked() == SaveState::Saved).await;

    // What is stored holds both, each created in a change that names its author.
    let stored = store.load(&id).await.expect("read back");
    let (mut doc, bad) = Workspace::load_with_chunks(stored.snapshot.as_deref(), stored.chunks.iter().map(|(_, c)| c.as_slice())).expect("it loads");
    assert!(bad.is_empty(), "every stored chunk reads");
    assert!(doc.idea(&my_idea).is_some() && doc.idea(&their_idea).is_some(), "both ideas are stored");
    let mut history = History::default();
    history.update(&mut doc);
    let author = |idea: &Id| history.moments().iter().find(|m| m.items().any(|(_, i)| i == idea)).map(|m| m.by.clone());
    assert_eq!(author(&my_idea).as_deref(), Some("Ana"), "this tab's edit is its own change, not an anonymous one");
    assert_eq!(author(&their_idea).as_deref(), Some("Bo"));
    store.delete(&id).await.unwrap();
}

#[wasm_bindgen_test]
async fn an_edit_committed_by_reading_history_is_stored_when_another_tabs_change_arrives_first() {
    let store = Rc::new(Store::open().await.expect("open db"));
    let mut ws = Workspace::create("History open", 1_700_000_000_000, "Ana");
    let idea = ws.create_idea("Offline mode", 1_700_000_000_000, "Ana").unwrap();
    let id = ws.workspace_id();
    let meta = WorkspaceMeta { id: id.clone(), name: "History open".into(), ideas: 0, last_opened: 1.0, created: 1.0, shared: None };
    store.create(&meta, &ws.save()).await.expect("create");
    let mine = Session::open(Rc::clone(&store), &id, "Ana".into()).await.expect("this tab opens it");
    let other_tab = Session::open(Rc::clone(&store), &id, "Bo".into()).await.expect("the other tab opens it");

    // Ana types (saved after a pause), and the Activity page reading history commits
    // her edit as hers…
    mine.apply(Edit::IdeaText(idea.clone(), IdeaText::Description, "Typed with history open".into())).expect("an edit is made");
    mine.with_history(|_| ());
    // …then another tab's change arrives before her edit's own chunk is written.
    let their_idea = other_tab.create(Edit::CreateIdea { title: "From the other tab".into() }).expect("an idea is made");
    other_tab.flush();
    until("the other tab's idea shows here", || title(&mine, &their_idea) == "From the other tab").await;
    mine.flush();
    until("this tab has saved", || mine.save_state.get_untracked() == SaveState::Saved).await;

    let stored = store.load(&id).await.expect("read back");
    let (doc, _) = Workspace::load_with_chunks(stored.snapshot.as_deref(), stored.chunks.iter().map(|(_, c)| c.as_slice())).expect("it loads");
    assert_eq!(doc.idea(&idea).map(|(i, _)| i.description).as_deref(), Some("Typed with history open"), "her edit is stored, not skipped as if it had come from elsewhere");
    store.delete(&id).await.unwrap();
}
