//! Documents come from peers and files: whatever they hold, reading never panics, bad
//! fields fall back to defaults and are reported, and damaged bytes change nothing.

use automerge::{transaction::Transactable, AutoCommit, ObjType, ReadDoc, ScalarValue, ROOT};
use proptest::prelude::*;
use waymark_domain::{Id, IdeaStatus, IdeaText, LoadError, Workspace};

/// A workspace whose raw document a test can damage the way a hostile peer might.
fn raw(f: impl FnOnce(&mut AutoCommit, &automerge::ObjId)) -> (Workspace, Id) {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let id = ws.create_idea("Offline mode", 2, "Ana").unwrap();
    let mut doc = AutoCommit::load(&ws.save()).unwrap();
    let (_, ideas) = doc.get(ROOT, "ideas").unwrap().unwrap();
    let (_, idea) = doc.get(&ideas, id.as_str()).unwrap().unwrap();
    f(&mut doc, &idea);
    (Workspace::load(&doc.save()).expect("still a workspace"), id)
}

#[test]
fn wrong_types_fall_back_to_defaults_and_are_reported() {
    let (ws, id) = raw(|doc, idea| {
        doc.put(idea, "title", 42).unwrap();
        doc.put(idea, "votes", "many").unwrap();
        doc.put_object(idea, "tags", ObjType::List).unwrap();
        doc.put(idea, "status", "wontfix").unwrap();
    });
    let (idea, problems) = ws.idea(&id).unwrap();
    assert_eq!((idea.title.as_str(), idea.votes, idea.status), ("", 0, IdeaStatus::New));
    assert!(idea.tags.is_empty());
    let paths: Vec<_> = problems.iter().map(|p| p.path.rsplit('/').next().unwrap().to_owned()).collect();
    for field in ["title", "votes", "tags", "status"] {
        assert!(paths.contains(&field.to_owned()), "{field} not reported in {problems:?}");
    }
}

#[test]
fn a_damaged_brief_and_hostile_keys_do_not_stop_reading() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let mut doc = AutoCommit::load(&ws.save()).unwrap();
    doc.put(ROOT, "brief", "not a map").unwrap();
    let (_, ideas) = doc.get(ROOT, "ideas").unwrap().unwrap();
    for key in ["../x", "<script>", ""] {
        doc.put_object(&ideas, key, ObjType::Map).unwrap();
    }
    let mut ws = Workspace::load(&doc.save()).unwrap();
    assert_eq!(ws.brief().0.name, "", "a missing brief reads as empty");
    assert!(ws.idea_ids().is_empty(), "keys that are not ids are skipped");
    // And the workspace is usable again: writing the brief repairs it.
    ws.set_brief_text(waymark_domain::BriefField::Vision, "Back on track").unwrap();
    assert_eq!(ws.brief().0.vision, "Back on track");
}

#[test]
fn fields_from_a_newer_version_survive_edits_and_saves() {
    let (mut ws, id) = raw(|doc, idea| {
        doc.put(idea, "confidence_band", "p90").unwrap();
        doc.put(&ROOT, "future_section", ScalarValue::Int(7)).unwrap();
    });
    ws.set_idea_text(&id, IdeaText::Title, "Offline mode, v2", 3).unwrap();
    ws.vote_idea(&id, 1, 3).unwrap();
    let reloaded = Workspace::load(&ws.save()).unwrap();
    assert_eq!(reloaded.idea_unknown_keys(&id), vec!["confidence_band".to_owned()]);
    assert!(reloaded.doc().get(ROOT, "future_section").unwrap().is_some());
}

#[test]
fn documents_that_are_not_workspaces_are_refused_clearly() {
    let mut newer = AutoCommit::load(&Workspace::create("x", 1, "a").save()).unwrap();
    newer.put(ROOT, "schema", ScalarValue::Uint(2)).unwrap();
    assert_eq!(Workspace::load(&newer.save()).err(), Some(LoadError::TooNew(2)));

    let mut plain = AutoCommit::new();
    plain.put(ROOT, "hello", "world").unwrap();
    assert_eq!(Workspace::load(&plain.save()).err(), Some(LoadError::NotAWorkspace));

    assert!(matches!(Workspace::load(b"not automerge at all"), Err(LoadError::NotAutomerge(_))));
}

#[test]
fn damaged_bytes_from_a_peer_change_nothing() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let before = ws.save();
    let mut other = ws.fork();
    other.create_idea("From a peer", 2, "Bo").unwrap();
    let mut bytes = other.save_incremental();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    assert!(ws.apply(&bytes).is_err());
    assert!(ws.apply(&bytes[..10]).is_err());
    assert_eq!(ws.save(), before, "nothing was half-applied");
}

#[test]
fn remote_changes_name_exactly_what_they_touched() {
    let mut a = Workspace::create("Payments", 1, "Ana");
    let x = a.create_idea("One", 2, "Ana").unwrap();
    let y = a.create_idea("Two", 2, "Ana").unwrap();
    a.save_incremental();
    let mut b = a.fork();
    let _ = a.take_changes();
    b.set_idea_text(&y, IdeaText::Description, "Edited remotely", 3).unwrap();
    let changed = a.apply(&b.save_incremental()).unwrap();
    assert!(changed.ideas.contains(&y) && !changed.ideas.contains(&x), "{changed:?}");
    assert!(!changed.brief && !changed.everything);

    b.set_brief_text(waymark_domain::BriefField::Strategy, "Own the invoice").unwrap();
    let changed = a.apply(&b.save_incremental()).unwrap();
    assert!(changed.brief && changed.ideas.is_empty(), "{changed:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Workspace::load(&bytes);
        let mut ws = Workspace::create("x", 1, "a");
        let _ = ws.apply(&bytes);
        let _ = Workspace::load_with_chunks(Some(&bytes), [bytes.as_slice()]);
        let _ = Workspace::load_with_chunks(None, [bytes.as_slice()]);
        let _ = waymark_domain::export::plan_automerge_import(&bytes, None);
        let _ = waymark_domain::export::from_json(&String::from_utf8_lossy(&bytes), 1, "a");
    }

    #[test]
    fn corrupted_real_documents_never_panic(flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut ws = Workspace::create("x", 1, "a");
        ws.create_idea("An idea", 2, "a").unwrap();
        let mut bytes = ws.save();
        for (at, x) in flips {
            let i = at % bytes.len();
            bytes[i] ^= x | 1;
        }
        if let Ok(opened) = Workspace::load(&bytes) {
            let _ = opened.ideas();
            let _ = opened.brief();
        }
    }
}
