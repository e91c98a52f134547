//! Documents come from peers and files, so nothing in them is trusted: whatever they
//! hold, reading never panics, bad fields fall back to defaults and are reported,
//! fields from newer versions are kept, and damaged bytes change nothing.

use std::collections::BTreeSet;

use automerge::{transaction::Transactable, AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use proptest::prelude::*;
use waymark_domain::{schema, BriefField, Id, IdeaStatus, IdeaText, LoadError, Problem, Workspace};

/// A saved workspace with one idea, reopened as a raw Automerge document (with its own
/// actor, like a peer) so a test can write what a hostile or newer peer might.
fn peer_document() -> (Workspace, AutoCommit, Id) {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let id = ws.create_idea("Offline mode", 2, "Ana").unwrap();
    let doc = AutoCommit::load(&ws.save()).unwrap();
    (ws, doc, id)
}

fn map_at(doc: &AutoCommit, path: &[&str]) -> ObjId {
    path.iter().fold(ROOT, |obj, key| doc.get(&obj, *key).unwrap().expect("map exists").1)
}

/// The last path step of each problem (`ideas/4x…/votes` → `votes`).
fn fields(problems: &[Problem]) -> BTreeSet<String> {
    problems.iter().map(|p| p.path.rsplit('/').next().unwrap().to_owned()).collect()
}

#[test]
fn fields_of_the_wrong_type_read_as_defaults_and_are_reported() {
    let (_, mut doc, id) = peer_document();
    let idea = map_at(&doc, &["ideas", id.as_str()]);
    doc.put(&idea, "title", 42).unwrap();
    doc.put(&idea, "votes", "many").unwrap();
    doc.put_object(&idea, "tags", ObjType::List).unwrap();
    doc.put(&idea, "status", "wontfix").unwrap();
    doc.put_object(&idea, "description", ObjType::Map).unwrap();
    doc.put(&idea, "created_at", "yesterday").unwrap();
    doc.put(&idea, "deleted", "no").unwrap();
    let ws = Workspace::load(&doc.save()).unwrap();

    let (idea, problems) = ws.idea(&id).unwrap();
    assert_eq!((idea.title.as_str(), idea.description.as_str(), idea.votes, idea.status), ("", "", 0, IdeaStatus::New));
    assert_eq!((idea.tags.len(), idea.created_at, idea.deleted), (0, 0, false));
    let expected = ["created_at", "deleted", "description", "status", "tags", "title", "votes"];
    assert_eq!(fields(&problems), expected.iter().map(|s| s.to_string()).collect());
    assert!(problems.iter().all(|p| p.path.starts_with(&format!("ideas/{id}/"))), "{problems:?}");

    // The one-pass reader of the whole list says the same.
    let (ideas, list_problems) = ws.ideas();
    assert_eq!(ideas, vec![idea]);
    assert_eq!(list_problems, problems);
}

#[test]
fn problems_say_what_was_expected_and_what_was_found() {
    let (_, mut doc, id) = peer_document();
    let idea = map_at(&doc, &["ideas", id.as_str()]);
    doc.put(&idea, "votes", "many").unwrap();
    doc.put(&idea, "status", "wontfix").unwrap();
    let ws = Workspace::load(&doc.save()).unwrap();
    let messages: Vec<String> = ws.idea(&id).unwrap().1.iter().map(|p| p.to_string()).collect();
    assert!(messages.contains(&format!("ideas/{id}/votes: expected a whole number, found a string")), "{messages:?}");
    assert!(messages.contains(&format!("ideas/{id}/status: unknown status \"wontfix\", shown as New")), "{messages:?}");
}

#[test]
fn a_brief_that_is_not_a_map_reads_as_empty_is_reported_and_can_be_rewritten() {
    let (_, mut doc, _) = peer_document();
    doc.put(ROOT, "brief", "not a map").unwrap();
    let mut ws = Workspace::load(&doc.save()).unwrap();

    let (brief, problems) = ws.brief();
    assert_eq!(brief, waymark_domain::Brief::default());
    assert_eq!(problems.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["brief"]);
    assert!(problems[0].message.contains("found a string"), "{problems:?}");
    assert!(ws.problems().contains(&problems[0]), "reported at the top level too");

    ws.set_brief_text(BriefField::Vision, "Back on track").unwrap();
    let reopened = Workspace::load(&ws.save()).unwrap();
    assert_eq!(reopened.brief(), (waymark_domain::Brief { vision: "Back on track".into(), ..Default::default() }, vec![]));
}

#[test]
fn hostile_keys_in_the_idea_map_are_skipped_and_reported() {
    let (_, mut doc, id) = peer_document();
    let ideas = map_at(&doc, &["ideas"]);
    for key in ["../x", "<script>alert(1)</script>", "", "UPPER", &"x".repeat(500)] {
        let idea = doc.put_object(&ideas, key, ObjType::Map).unwrap();
        doc.put(&idea, "title", "planted").unwrap();
    }
    doc.put(&ideas, "0123456789abcdefghjkmnpqrs", "an id, but not an idea").unwrap();
    let ws = Workspace::load(&doc.save()).unwrap();

    let (read, problems) = ws.ideas();
    assert_eq!(read.iter().map(|i| i.id.clone().unwrap()).collect::<Vec<_>>(), [id], "only the real idea is read");
    assert_eq!(problems.len(), 6, "{problems:?}");
    assert!(problems.iter().any(|p| p.path == "ideas/\"../x\"" && p.message == "not an id; skipped"), "{problems:?}");
    assert!(problems.iter().any(|p| p.path == "ideas/0123456789abcdefghjkmnpqrs" && p.message.contains("found a string")));
    assert!(problems.iter().all(|p| p.path.len() < 60), "untrusted keys are cut short: {problems:?}");
    assert_eq!(ws.live_idea_count(), 1);
}

#[test]
fn an_idea_collection_that_is_not_a_map_reads_as_empty_and_takes_new_ideas() {
    let (_, mut doc, _) = peer_document();
    doc.put(ROOT, "ideas", 7).unwrap();
    let mut ws = Workspace::load(&doc.save()).unwrap();
    let (ideas, problems) = ws.ideas();
    assert!(ideas.is_empty());
    assert_eq!(problems.iter().map(|p| p.path.as_str()).collect::<Vec<_>>(), ["ideas"]);
    let id = ws.create_idea("Starting over", 3, "Ana").unwrap();
    assert_eq!(Workspace::load(&ws.save()).unwrap().idea(&id).unwrap().0.title, "Starting over");
}

#[test]
fn hostile_changes_arriving_from_a_peer_are_read_safely() {
    let (mut ws, mut peer, id) = peer_document();
    let _ = ws.save_incremental();
    let idea = map_at(&peer, &["ideas", id.as_str()]);
    peer.put(&idea, "votes", ScalarValue::F64(f64::NAN)).unwrap();
    peer.put_object(&idea, "title", ObjType::List).unwrap();
    peer.put(ROOT, "brief", ScalarValue::Bytes(vec![0xff; 3])).unwrap();
    let changed = ws.apply(&peer.save_incremental()).unwrap();
    assert!(changed.brief && changed.of(schema::IDEAS).contains(&id), "{changed:?}");
    let (idea, problems) = ws.idea(&id).unwrap();
    assert_eq!((idea.title.as_str(), idea.votes), ("", 0));
    assert_eq!(fields(&problems), ["title", "votes"].iter().map(|s| s.to_string()).collect());
    assert!(ws.brief().1.iter().any(|p| p.path == "brief" && p.message.contains("found bytes")));
}

#[test]
fn fields_from_a_newer_version_survive_edits_saves_and_merges() {
    let (_, mut doc, id) = peer_document();
    let idea = map_at(&doc, &["ideas", id.as_str()]);
    doc.put(&idea, "confidence_band", "p90").unwrap();
    let links = doc.put_object(&idea, "okr_links", ObjType::Map).unwrap();
    doc.put(&links, "kr-1", true).unwrap();
    doc.put(ROOT, "future_section", ScalarValue::Int(7)).unwrap();
    let brief = map_at(&doc, &["brief"]);
    doc.put(&brief, "horizon_years", 3).unwrap();
    let mut ws = Workspace::load(&doc.save()).unwrap();

    ws.set_idea_text(&id, IdeaText::Title, "Offline mode, v2", 3).unwrap();
    ws.vote_idea(&id, 1, 3).unwrap();
    ws.add_idea_tag(&id, "mobile", 3).unwrap();
    ws.set_idea_status(&id, IdeaStatus::Accepted, 3).unwrap();
    ws.delete_idea(&id, 4).unwrap();
    ws.restore_idea(&id, 5).unwrap();
    ws.set_brief_text(BriefField::Vision, "Paid on time").unwrap();
    let mut peer = ws.fork();
    peer.set_idea_text(&id, IdeaText::Description, "From a peer", 6).unwrap();
    ws.merge(&mut peer).unwrap();

    let reloaded = Workspace::load(&ws.save()).unwrap();
    assert_eq!(reloaded.idea_unknown_keys(&id), ["confidence_band", "okr_links"]);
    let raw = reloaded.doc();
    let get = |obj: &ObjId, key: &str| match raw.get(obj, key).unwrap() {
        Some((Value::Scalar(s), _)) => s.into_owned(),
        other => panic!("{key}: {other:?}"),
    };
    let idea = map_at(raw, &["ideas", id.as_str()]);
    assert_eq!(get(&idea, "confidence_band"), ScalarValue::from("p90"));
    assert_eq!(get(&map_at(raw, &["ideas", id.as_str(), "okr_links"]), "kr-1"), ScalarValue::Boolean(true));
    assert_eq!(get(&ROOT, "future_section"), ScalarValue::Int(7));
    assert_eq!(get(&map_at(raw, &["brief"]), "horizon_years"), ScalarValue::Int(3));
    let (idea, problems) = reloaded.idea(&id).unwrap();
    assert_eq!((idea.title.as_str(), idea.description.as_str(), idea.votes), ("Offline mode, v2", "From a peer", 1));
    assert!(problems.is_empty(), "unknown fields are not problems: {problems:?}");
}

#[test]
fn a_newer_schema_is_refused_with_the_version() {
    let (_, mut doc, _) = peer_document();
    doc.put(ROOT, "schema", ScalarValue::Uint(2)).unwrap();
    let bytes = doc.save();
    assert_eq!(Workspace::load(&bytes).err(), Some(LoadError::TooNew(2)));
    assert_eq!(Workspace::load_with_chunks(Some(&bytes), []).err(), Some(LoadError::TooNew(2)));
    doc.put(ROOT, "schema", ScalarValue::Int(3)).unwrap();
    assert_eq!(Workspace::load(&doc.save()).err(), Some(LoadError::TooNew(3)));
}

#[test]
fn documents_that_are_not_workspaces_are_refused() {
    let mut plain = AutoCommit::new();
    plain.put(ROOT, "hello", "world").unwrap();
    assert_eq!(Workspace::load(&plain.save()).err(), Some(LoadError::NotAWorkspace));
    assert_eq!(Workspace::load(&[]).err(), Some(LoadError::NotAWorkspace), "no bytes, no workspace");
    for bad_id in [ScalarValue::Str("../x".into()), ScalarValue::Int(5), ScalarValue::Str("".into())] {
        let (_, mut doc, _) = peer_document();
        doc.put(ROOT, "workspace_id", bad_id.clone()).unwrap();
        assert_eq!(Workspace::load(&doc.save()).err(), Some(LoadError::NotAWorkspace), "{bad_id:?}");
    }
}

#[test]
fn bytes_that_are_not_automerge_are_refused() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let bytes = ws.save();
    let not_automerge = |r: Result<Workspace, LoadError>| matches!(r, Err(LoadError::NotAutomerge(_)));
    assert!(not_automerge(Workspace::load(b"not automerge at all")));
    assert!(not_automerge(Workspace::load(b"{\"format\":\"waymark-workspace\",\"version\":1}")));
    assert!(not_automerge(Workspace::load(&bytes[..bytes.len() / 2])), "truncated");
    assert!(not_automerge(Workspace::load_with_chunks(Some(&b"garbage"[..]), []).map(|(ws, _)| ws)));
}

#[test]
fn damaged_bytes_from_a_peer_change_nothing() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let before = ws.save();
    let mut peer = ws.fork();
    peer.create_idea("From a peer", 2, "Bo").unwrap();
    let mut bytes = peer.save_incremental();
    let truncated = bytes[..bytes.len() - 5].to_vec();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    assert!(matches!(ws.apply(&bytes), Err(LoadError::NotAutomerge(_))));
    assert!(matches!(ws.apply(&truncated), Err(LoadError::NotAutomerge(_))));
    assert!(!ws.has_pending_edits());
    assert_eq!(ws.save(), before, "nothing was half-applied");
}

/// A saved workspace and four chunks, each from a different replica of that save, so
/// none depends on another: an idea title edit, a new idea, a vote, a brief edit.
fn snapshot_and_independent_chunks() -> (Vec<u8>, Vec<Vec<u8>>, Id) {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let id = ws.create_idea("Offline mode", 2, "Ana").unwrap();
    let snapshot = ws.save();
    let replica = || {
        let mut r = Workspace::load(&snapshot).unwrap();
        let _ = r.save_incremental();
        r
    };
    let mut chunks = Vec::new();
    let mut r = replica();
    r.set_idea_text(&id, IdeaText::Title, "Offline mode for sales", 3).unwrap();
    chunks.push(r.save_incremental());
    let mut r = replica();
    r.create_idea("Dark mode", 3, "Bo").unwrap();
    chunks.push(r.save_incremental());
    let mut r = replica();
    r.vote_idea(&id, 4, 3).unwrap();
    chunks.push(r.save_incremental());
    let mut r = replica();
    r.set_brief_text(BriefField::Vision, "Paid on time").unwrap();
    chunks.push(r.save_incremental());
    (snapshot, chunks, id)
}

#[test]
fn a_corrupted_and_a_truncated_chunk_are_reported_and_the_rest_opens() {
    let (snapshot, mut chunks, id) = snapshot_and_independent_chunks();
    let mid = chunks[1].len() / 2;
    chunks[1][mid] ^= 0xff;
    chunks[1][mid + 1] ^= 0x5a;
    let cut = chunks[3].len() - 6;
    chunks[3].truncate(cut);

    let (ws, bad) = Workspace::load_with_chunks(Some(&snapshot), chunks.iter().map(Vec::as_slice)).unwrap();
    assert_eq!(bad, [1, 3]);
    let idea = ws.idea(&id).unwrap().0;
    assert_eq!((idea.title.as_str(), idea.votes), ("Offline mode for sales", 4), "the valid chunks' edits");
    assert_eq!(ws.idea_ids().len(), 1, "the corrupted chunk's idea is not half-there");
    assert_eq!(ws.brief().0.vision, "", "the truncated chunk's edit is not half-there");
    assert!(!ws.has_unapplied_changes());
}

#[test]
fn chunks_open_without_a_snapshot_and_garbage_chunks_are_reported() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let id = ws.create_idea("Offline mode", 2, "Ana").unwrap();
    let first = ws.save_incremental();
    ws.vote_idea(&id, 1, 3).unwrap();
    let second = ws.save_incremental();
    let chunks: [&[u8]; 4] = [&first, b"", b"\x85\x6f\x4a\x83 not really", &second];
    let (opened, bad) = Workspace::load_with_chunks(None, chunks).unwrap();
    assert_eq!(bad, [1, 2], "an empty chunk is bad too");
    assert_eq!(opened.idea(&id).unwrap().0.votes, 1);
}

#[test]
fn a_chunk_that_builds_on_a_lost_one_waits_is_kept_and_applies_when_it_arrives() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let id = ws.create_idea("Offline mode", 2, "Ana").unwrap();
    let snapshot = ws.save();
    ws.set_idea_text(&id, IdeaText::Title, "Offline mode for sales", 3).unwrap();
    let lost = ws.save_incremental();
    ws.vote_idea(&id, 2, 4).unwrap();
    let later = ws.save_incremental();
    let mut damaged = lost.clone();
    damaged.truncate(lost.len() - 3);

    let (mut opened, bad) = Workspace::load_with_chunks(Some(&snapshot), [damaged.as_slice(), later.as_slice()]).unwrap();
    assert_eq!(bad, [0]);
    assert!(opened.has_unapplied_changes(), "the vote waits for the title edit it builds on");
    assert_eq!(opened.idea(&id).unwrap().0.votes, 0);
    // A new snapshot (compaction) keeps the waiting change rather than dropping it.
    let mut compacted = Workspace::load(&opened.save()).unwrap();
    assert!(compacted.has_unapplied_changes());
    // Once the lost change arrives again (from a teammate, say) everything shows.
    compacted.apply(&lost).unwrap();
    let idea = compacted.idea(&id).unwrap().0;
    assert_eq!((idea.title.as_str(), idea.votes, compacted.has_unapplied_changes()), ("Offline mode for sales", 2, false));
}

#[test]
fn a_remote_change_names_exactly_what_it_touched() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let x = ws.create_idea("One", 2, "Ana").unwrap();
    let y = ws.create_idea("Two", 2, "Ana").unwrap();
    ws.commit();
    let mut peer = ws.fork();
    let _ = peer.save_incremental();
    let _ = ws.take_changes();
    let only = |id: &Id| BTreeSet::from([id.clone()]);

    peer.set_idea_text(&y, IdeaText::Description, "Edited remotely", 3).unwrap();
    let changed = ws.apply(&peer.save_incremental()).unwrap();
    assert_eq!((changed.of(schema::IDEAS).clone(), changed.brief, changed.everything), (only(&y), false, false));

    peer.set_brief_text(BriefField::Strategy, "Own the invoice").unwrap();
    let changed = ws.apply(&peer.save_incremental()).unwrap();
    assert_eq!((changed.of(schema::IDEAS).len(), changed.brief, changed.everything), (0, true, false));

    peer.vote_idea(&x, 1, 4).unwrap();
    assert_eq!(ws.apply(&peer.save_incremental()).unwrap().of(schema::IDEAS).clone(), only(&x), "a vote");
    peer.delete_idea(&x, 5).unwrap();
    assert_eq!(ws.apply(&peer.save_incremental()).unwrap().of(schema::IDEAS).clone(), only(&x), "a delete");
    let z = peer.create_idea("Three", 6, "Bo").unwrap();
    assert_eq!(ws.apply(&peer.save_incremental()).unwrap().of(schema::IDEAS).clone(), only(&z), "a new idea");

    peer.add_idea_tag(&y, "sync", 7).unwrap();
    assert_eq!(ws.merge(&mut peer).unwrap().of(schema::IDEAS).clone(), only(&y), "merge() reports the same way");
    assert!(ws.apply(&peer.save_incremental()).unwrap().is_empty(), "changes already here touch nothing");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes are refused (or, if they happen to parse, read safely); never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(ws) = Workspace::load(&bytes) {
            let _ = (ws.brief(), ws.ideas(), ws.problems());
        }
        let mut ws = Workspace::create("x", 1, "a");
        let before = ws.save();
        if ws.apply(&bytes).is_err() {
            prop_assert_eq!(ws.save(), before.clone(), "a refused apply changes nothing");
        }
        let _ = Workspace::load_with_chunks(Some(&bytes), [bytes.as_slice()]);
        let _ = Workspace::load_with_chunks(None, [bytes.as_slice()]);
        let (_, bad) = Workspace::load_with_chunks(Some(&before), [bytes.as_slice()]).unwrap();
        prop_assert!(bad.is_empty() || bad == [0]);
        // The import screen sees the same bytes as a file.
        let _ = waymark_domain::export::sniff(&bytes);
        let _ = waymark_domain::export::plan_automerge_import(&bytes, Some("x"));
        let _ = waymark_domain::export::from_json(&String::from_utf8_lossy(&bytes), 1, "a");
    }

    /// The same for real documents and chunks with bytes flipped or cut off.
    #[test]
    fn damaged_real_documents_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..), 0..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_idea("Offline mode", 2, "Ana").unwrap();
        let snapshot = ws.save();
        ws.set_idea_text(&id, IdeaText::Description, "Field sales lose signal", 3).unwrap();
        ws.vote_idea(&id, 2, 3).unwrap();
        let chunk = ws.save_incremental();
        for original in [&snapshot, &chunk] {
            let mut bytes = original.clone();
            for (at, x) in &flips {
                let i = at.index(bytes.len());
                bytes[i] ^= x;
            }
            bytes.truncate(if flips.is_empty() { cut.index(bytes.len()) } else { bytes.len() });
            if let Ok(opened) = Workspace::load(&bytes) {
                let _ = (opened.brief(), opened.ideas());
            }
            let mut target = Workspace::load(&snapshot).unwrap();
            let before = target.save();
            if target.apply(&bytes).is_err() {
                prop_assert_eq!(target.save(), before.clone());
            }
            if let Ok((opened, _)) = Workspace::load_with_chunks(Some(&snapshot), [bytes.as_slice(), chunk.as_slice()]) {
                let _ = (opened.brief(), opened.ideas());
            }
        }
    }
}

/// What a peer's change would do to the workspace's identity: each is refused whole,
/// and the workspace still opens afterwards with its own id and schema.
#[test]
fn a_change_to_the_workspaces_identity_or_schema_is_refused() {
    let rewrites: [(&str, Box<dyn Fn(&mut AutoCommit)>); 3] = [
        ("a newer schema", Box::new(|doc: &mut AutoCommit| doc.put(ROOT, schema::SCHEMA, ScalarValue::Uint(2)).unwrap())),
        ("another workspace id", Box::new(|doc: &mut AutoCommit| doc.put(ROOT, schema::WORKSPACE_ID, "0000000000000000000000hack").unwrap())),
        ("no workspace id", Box::new(|doc: &mut AutoCommit| doc.delete(ROOT, schema::WORKSPACE_ID).unwrap())),
    ];
    for (what, rewrite) in rewrites {
        let (mut ws, mut peer, _) = peer_document();
        let before = ws.workspace_id();
        ws.save_incremental();
        peer.update_diff_cursor();
        let _ = peer.save_incremental();
        rewrite(&mut peer);
        let bytes = peer.save_incremental();
        assert!(matches!(ws.apply(&bytes), Err(LoadError::ChangesIdentity)), "{what} must be refused");
        assert_eq!(ws.workspace_id(), before, "{what}: the id is unchanged");
        assert!(ws.save_incremental().is_empty(), "{what}: nothing new to store or send");
        let reopened = Workspace::load(&ws.save()).unwrap_or_else(|e| panic!("{what}: the workspace must still open: {e}"));
        assert_eq!(reopened.workspace_id(), before);
        // Our own edits go on as before.
        ws.create_idea("After the attempt", 3, "Ana").unwrap();
        assert_eq!(Workspace::load(&ws.save()).unwrap().ideas().0.len(), 2, "{what}");
    }
}

/// A peer nests maps thousands deep under an idea (a 4 KB change): reading that would
/// overflow every client's stack on every open. It is refused whole.
#[test]
fn a_change_nesting_data_absurdly_deep_is_refused() {
    let (mut ws, mut peer, id) = peer_document();
    ws.save_incremental();
    let _ = peer.save_incremental();
    let idea = map_at(&peer, &["ideas", id.as_str()]);
    let mut obj = peer.put_object(&idea, "deep", ObjType::Map).unwrap();
    for _ in 0..5_000 {
        obj = peer.put_object(&obj, "d", ObjType::Map).unwrap();
    }
    let bytes = peer.save_incremental();
    assert!(matches!(ws.apply(&bytes), Err(LoadError::TooDeep)));
    assert_eq!(ws.ideas().0.len(), 1, "and the workspace reads as before");
    assert!(ws.save_incremental().is_empty());
    // Ordinary nesting (a story's scenario text is 5 deep) is of course fine.
    let mut honest = AutoCommit::load(&ws.save()).unwrap();
    let stories = map_at(&honest, &["stories"]);
    let story = honest.put_object(&stories, Id::random().as_str(), ObjType::Map).unwrap();
    let criteria = honest.put_object(&story, "criteria", ObjType::Map).unwrap();
    let criterion = honest.put_object(&criteria, Id::random().as_str(), ObjType::Map).unwrap();
    honest.put_object(&criterion, "given", ObjType::Text).unwrap();
    let _ = ws.save_incremental();
    assert!(ws.apply(&honest.save()).is_ok());
}

/// A peer sends its whole document (as a joiner's snapshot would be) holding 80 MB of
/// zeros, which deflate to a few kilobytes: inflating it would take every client's
/// memory on every reconnect. It is refused before anything is inflated, whether it
/// arrives as a change, a snapshot to open or a stored chunk.
#[test]
fn data_that_would_inflate_past_the_budget_is_refused_unread() {
    let (mut ws, mut peer, id) = peer_document();
    ws.save_incremental();
    let idea = map_at(&peer, &["ideas", id.as_str()]);
    peer.put(&idea, "padding", "\0".repeat(80 << 20)).unwrap();
    let bomb = peer.save();
    assert!(bomb.len() < 1 << 20, "a small payload: {} bytes", bomb.len());
    assert_eq!(ws.apply(&bomb).unwrap_err(), LoadError::Inflates(64));
    assert!(ws.save_incremental().is_empty(), "nothing was applied");
    assert!(matches!(Workspace::load(&bomb), Err(LoadError::Inflates(64))));
    let (opened, bad) = Workspace::load_with_chunks(Some(&ws.save()), [bomb.as_slice()]).unwrap();
    assert_eq!((opened.ideas().0.len(), bad), (1, vec![0]), "a stored bomb is skipped like a damaged chunk");
}
