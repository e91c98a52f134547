//! Copies of a workspace syncing directly, peer to peer: what each lacks crosses, a
//! change reaches a third copy by either path exactly once, and a peer that may not
//! write changes nothing.

use waymark_domain::peer_sync::{PeerSync, PeerSyncError, Received};
use waymark_domain::{IdeaText, Workspace};

/// Exchanges messages between `a` and `b` until neither has anything to say; what
/// each received, summed. `a_writes` / `b_writes`: whether each may write.
fn sync(a: &mut Workspace, b: &mut Workspace, a_writes: bool, b_writes: bool) -> (Received, Received) {
    let (mut a_of_b, mut b_of_a) = (PeerSync::default(), PeerSync::default());
    let (mut at_a, mut at_b) = (Received::default(), Received::default());
    for _ in 0..20 {
        let to_b = a.sync_message(&mut b_of_a);
        let to_a = b.sync_message(&mut a_of_b);
        if to_a.is_none() && to_b.is_none() {
            return (at_a, at_b);
        }
        if let Some(m) = to_b {
            let r = b.receive_sync(&mut a_of_b, &m, a_writes).expect("b reads a's message");
            at_b.applied += r.applied;
            at_b.refused += r.refused;
            at_b.changed.absorb(r.changed);
        }
        if let Some(m) = to_a {
            let r = a.receive_sync(&mut b_of_a, &m, b_writes).expect("a reads b's message");
            at_a.applied += r.applied;
            at_a.refused += r.refused;
            at_a.changed.absorb(r.changed);
        }
    }
    panic!("the two copies never stopped talking");
}

fn title(ws: &Workspace, id: &waymark_domain::Id) -> Option<String> {
    ws.idea(id).map(|(idea, _)| idea.title)
}

#[test]
fn two_copies_edited_apart_converge_directly() {
    let mut a = Workspace::create("Direct", 1, "Ana");
    let mut b = a.fork();
    let from_a = a.create_idea("Offline mode", 2, "Ana").unwrap();
    let from_b = b.create_idea("Invoice reminders", 2, "Bo").unwrap();
    b.set_idea_text(&from_b, IdeaText::Description, "Nudge late payers", 3).unwrap();

    let (at_a, at_b) = sync(&mut a, &mut b, true, true);

    assert_eq!(title(&a, &from_b).as_deref(), Some("Invoice reminders"));
    assert_eq!(title(&b, &from_a).as_deref(), Some("Offline mode"));
    assert_eq!(a.heads(), b.heads(), "both copies hold the same history");
    assert!(at_a.changed.of("ideas").contains(&from_b) && at_b.changed.of("ideas").contains(&from_a), "each is told what to show");
    assert_eq!((at_a.refused, at_b.refused), (0, 0));
}

#[test]
fn a_change_reaches_a_third_copy_by_either_path_once() {
    let mut a = Workspace::create("Three", 1, "Ana");
    let mut b = a.fork();
    let mut c = a.fork();
    let idea = a.create_idea("Seen twice, kept once", 2, "Ana").unwrap();
    // The relay's path: c applies a's change as stored…
    let chunk = a.save_incremental();
    c.apply(&chunk).unwrap();
    // …and the direct path: a → b → c.
    sync(&mut a, &mut b, true, true);
    let (at_c, _) = sync(&mut c, &mut b, true, true);

    assert_eq!(at_c.applied, 0, "c had it already: nothing arrives twice");
    assert_eq!(c.live_idea_count(), 1);
    assert_eq!(title(&c, &idea).as_deref(), Some("Seen twice, kept once"));
    assert_eq!(a.heads(), c.heads());
}

#[test]
fn a_viewers_changes_are_refused_and_it_still_receives_everything() {
    let mut editor = Workspace::create("Read only for some", 1, "Ana");
    let mut viewer = editor.fork();
    let planned = editor.create_idea("Planned by the team", 2, "Ana").unwrap();
    // A view-link holder's copy is edited anyway (a hostile or modified app).
    let forged = viewer.create_idea("Forged by a viewer", 2, "Mallory").unwrap();

    let (at_editor, at_viewer) = sync(&mut editor, &mut viewer, true, false);

    assert!(title(&editor, &forged).is_none(), "the editor's copy never takes the viewer's change");
    // Whether the viewer offers its change at all depends on the editor's Bloom
    // filter (a false positive now and then means it is never sent); that it is
    // refused when sent is the next test's.
    assert_eq!(at_editor.applied, 0);
    assert!(at_editor.changed.is_empty(), "nothing to show");
    assert_eq!(title(&viewer, &planned).as_deref(), Some("Planned by the team"), "the viewer still receives");
    assert_eq!(at_viewer.refused, 0);
}

#[test]
fn a_viewers_change_pushed_unasked_is_refused_whole() {
    let mut editor = Workspace::create("Pushed at", 1, "Ana");
    let mut viewer = editor.fork();
    let heads = editor.heads();
    let forged = viewer.create_idea("Forged by a viewer", 2, "Mallory").unwrap();
    // A hostile app ignores what the editor says it has and sends its change anyway.
    let honest = viewer.sync_message(&mut PeerSync::default()).expect("a first message");
    let mut pushed = automerge::sync::Message::decode(&honest).unwrap();
    pushed.changes = vec![viewer.save_incremental()].into();

    let at_editor = editor.receive_sync(&mut PeerSync::default(), &pushed.encode(), false).expect("read, and refused");

    assert_eq!((at_editor.refused, at_editor.applied), (1, 0));
    assert!(at_editor.changed.is_empty() && at_editor.bytes.is_empty());
    assert!(title(&editor, &forged).is_none());
    assert_eq!(editor.heads(), heads, "nothing changed");
}

#[test]
fn an_unreadable_message_is_an_error_and_changes_nothing() {
    let mut ws = Workspace::create("Garbage in", 1, "Ana");
    let heads = ws.heads();
    let mut peer = PeerSync::default();
    for garbage in [&b""[..], b"\x42\x00\x01", &[0xff; 64]] {
        assert!(matches!(ws.receive_sync(&mut peer, garbage, true), Err(PeerSyncError::Unreadable(_))));
    }
    assert_eq!(ws.heads(), heads);
}

/// Syncs an empty copy from `source` until neither has anything to say.
fn fetch(source: &mut Workspace, expected: &str, from_writer: bool) -> (waymark_domain::peer_sync::Fetch, usize) {
    let mut fetching = waymark_domain::peer_sync::Fetch::new(expected);
    let mut of_fetcher = PeerSync::default();
    let mut refused = 0;
    for _ in 0..20 {
        let to_source = fetching.message();
        let to_fetcher = source.sync_message(&mut of_fetcher);
        if to_source.is_none() && to_fetcher.is_none() {
            return (fetching, refused);
        }
        if let Some(m) = to_source {
            source.receive_sync(&mut of_fetcher, &m, false).expect("the source reads the fetcher");
        }
        if let Some(m) = to_fetcher {
            refused += fetching.receive(&m, from_writer).expect("the fetcher reads the source");
        }
    }
    panic!("the fetch never ended");
}

#[test]
fn a_teammate_with_nothing_yet_gets_the_whole_workspace_directly() {
    let mut source = Workspace::create("Joined without a relay", 1, "Ana");
    let idea = source.create_idea("Offline mode", 2, "Ana").unwrap();
    source.set_idea_text(&idea, IdeaText::Description, "Field teams lose signal", 3).unwrap();
    let id = source.workspace_id();
    let (mut fetched, refused) = fetch(&mut source, &id, true);
    assert_eq!(refused, 0);
    assert!(fetched.is_complete(), "it holds everything the teammate has");
    assert!(!waymark_domain::peer_sync::Fetch::new(&id).is_complete(), "an empty copy is not complete");
    let mut copy = fetched.finish().expect("it opens as the workspace named");
    assert_eq!(title(&copy, &idea).as_deref(), Some("Offline mode"));
    assert_eq!(copy.heads(), source.heads(), "with its whole history");
    // Another workspace than the one named, or a viewer's copy, is not taken.
    let mut other = Workspace::create("Someone else's", 1, "Mallory");
    match fetch(&mut other, &id, true).0.finish() {
        Err(e) => assert!(e.contains("another workspace"), "{e}"),
        Ok(_) => panic!("another workspace was taken"),
    }
    let (mut from_viewer, refused) = fetch(&mut source, &id, false);
    assert!(refused > 0);
    assert!(!from_viewer.is_complete(), "a viewer's copy never completes");
    assert!(from_viewer.finish().is_err(), "nothing a viewer sends is taken");
}
