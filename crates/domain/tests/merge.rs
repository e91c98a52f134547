//! Two people edit the same workspace at once, offline; their copies merge, in either
//! order, to the same result with nothing lost.

use proptest::prelude::*;
use waymark_domain::{BriefField, IdeaStatus, IdeaText, Workspace};

/// Merges each replica's changes into the other, both ways, and checks they agree.
fn sync_both_ways(a: &mut Workspace, b: &mut Workspace) {
    let (to_b, to_a) = (a.save(), b.save());
    b.apply(&to_b).expect("a's bytes apply");
    a.apply(&to_a).expect("b's bytes apply");
    assert_eq!(a.brief().0, b.brief().0, "briefs converge");
    let sorted = |w: &Workspace| {
        let mut v = w.ideas().0;
        v.sort_by(|x, y| x.id.cmp(&y.id));
        v
    };
    assert_eq!(sorted(a), sorted(b), "ideas converge");
}

fn pair() -> (Workspace, Workspace, waymark_domain::Id) {
    let mut a = Workspace::create("Payments", 1, "Ana");
    let id = a.create_idea("Offline mode", 2, "Ana").unwrap();
    a.commit();
    let b = a.fork();
    (a, b, id)
}

#[test]
fn typing_in_the_same_title_keeps_both_peoples_words() {
    let (mut a, mut b, id) = pair();
    a.set_idea_text(&id, IdeaText::Title, "Offline mode for sales", 3).unwrap();
    b.set_idea_text(&id, IdeaText::Title, "Better offline mode", 3).unwrap();
    sync_both_ways(&mut a, &mut b);
    let title = a.idea(&id).unwrap().0.title;
    assert!(title.contains("for sales") && title.contains("Better"), "{title}");
}

#[test]
fn different_fields_of_one_idea_are_both_kept() {
    let (mut a, mut b, id) = pair();
    a.set_idea_text(&id, IdeaText::Description, "Field sales lose signal", 3).unwrap();
    b.set_idea_status(&id, IdeaStatus::Accepted, 3).unwrap();
    b.add_idea_tag(&id, "mobile", 3).unwrap();
    sync_both_ways(&mut a, &mut b);
    let idea = b.idea(&id).unwrap().0;
    assert_eq!((idea.description.as_str(), idea.status, idea.tags), ("Field sales lose signal", IdeaStatus::Accepted, vec!["mobile".to_owned()]));
}

#[test]
fn an_edit_made_while_someone_deleted_the_idea_survives_its_restore() {
    let (mut a, mut b, id) = pair();
    a.delete_idea(&id, 3).unwrap();
    b.set_idea_text(&id, IdeaText::Description, "Written on the plane", 3).unwrap();
    sync_both_ways(&mut a, &mut b);
    assert!(a.idea(&id).unwrap().0.deleted, "the delete wins");
    a.restore_idea(&id, 4).unwrap();
    assert_eq!(a.idea(&id).unwrap().0.description, "Written on the plane", "and loses nothing");
}

#[test]
fn concurrent_votes_add_up_and_tag_changes_merge() {
    let (mut a, mut b, id) = pair();
    a.add_idea_tag(&id, "sync", 2).unwrap();
    sync_both_ways(&mut a, &mut b);
    a.vote_idea(&id, 1, 3).unwrap();
    a.vote_idea(&id, 1, 3).unwrap();
    b.vote_idea(&id, 1, 3).unwrap();
    a.add_idea_tag(&id, "mobile", 3).unwrap();
    b.remove_idea_tag(&id, "sync", 3).unwrap();
    sync_both_ways(&mut a, &mut b);
    let idea = a.idea(&id).unwrap().0;
    assert_eq!(idea.votes, 3);
    assert_eq!(idea.tags, vec!["mobile".to_owned()]);
}

#[test]
fn ideas_captured_at_the_same_time_both_exist() {
    let (mut a, mut b, _) = pair();
    let x = a.create_idea("From Ana", 3, "Ana").unwrap();
    let y = b.create_idea("From Bo", 3, "Bo").unwrap();
    sync_both_ways(&mut a, &mut b);
    assert_eq!(a.idea(&x).unwrap().0.title, "From Ana");
    assert_eq!(a.idea(&y).unwrap().0.title, "From Bo");
}

#[test]
fn merging_the_other_way_round_gives_the_same_document() {
    let (mut a, mut b, id) = pair();
    a.set_brief_text(BriefField::Vision, "Paid on time").unwrap();
    b.set_idea_text(&id, IdeaText::Title, "Offline mode, finally", 3).unwrap();
    let (mut a1, mut b1) = (a.clone(), b.clone());
    a1.merge(&mut b1).unwrap();
    let (mut a2, mut b2) = (a.clone(), b.clone());
    b2.merge(&mut a2).unwrap();
    assert_eq!(a1.brief().0, b2.brief().0);
    assert_eq!(a1.idea(&id).unwrap().0, b2.idea(&id).unwrap().0);
}

#[derive(Clone, Debug)]
enum Op {
    Insert { field: bool, at: usize, marker: u32 },
    Vote,
    Tag(u8),
    Status(u8),
    New(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<bool>(), 0usize..64, any::<u32>()).prop_map(|(field, at, marker)| Op::Insert { field, at, marker }),
        Just(Op::Vote),
        (0u8..4).prop_map(Op::Tag),
        (0u8..6).prop_map(Op::Status),
        any::<u32>().prop_map(Op::New),
    ]
}

/// Applies `op`, returning a marker string that must survive any merge.
fn apply(ws: &mut Workspace, id: &waymark_domain::Id, op: &Op, who: &str) -> Option<String> {
    match op {
        Op::Insert { field, at, marker } => {
            let field = if *field { IdeaText::Title } else { IdeaText::Description };
            let idea = ws.idea(id).unwrap().0;
            let current = if field == IdeaText::Title { idea.title } else { idea.description };
            let chars: Vec<char> = current.chars().collect();
            let at = (*at).min(chars.len());
            // Insert at a word boundary so markers never split each other.
            let token = format!("[{who}{marker}]");
            let new: String = chars[..at].iter().chain(token.chars().collect::<Vec<_>>().iter()).chain(chars[at..].iter()).collect();
            let at_boundary = at == 0 || at == chars.len() || chars[at - 1] == ']';
            if !at_boundary {
                let end: String = chars.iter().chain(token.chars().collect::<Vec<_>>().iter()).collect();
                ws.set_idea_text(id, field, &end, 5).unwrap();
            } else {
                ws.set_idea_text(id, field, &new, 5).unwrap();
            }
            Some(token)
        }
        Op::Vote => {
            ws.vote_idea(id, 1, 5).unwrap();
            None
        }
        Op::Tag(t) => {
            ws.add_idea_tag(id, &format!("tag{t}"), 5).unwrap();
            None
        }
        Op::Status(s) => {
            ws.set_idea_status(id, IdeaStatus::ALL[*s as usize], 5).unwrap();
            None
        }
        Op::New(m) => {
            let title = format!("[{who}new{m}]");
            ws.create_idea(&title, 5, who).unwrap();
            Some(title)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever two people do concurrently, both copies converge in either merge order,
    /// every word either typed is still there, and every vote counts.
    #[test]
    fn random_concurrent_edits_converge_and_lose_nothing(ops_a in prop::collection::vec(op(), 1..12), ops_b in prop::collection::vec(op(), 1..12)) {
        let (mut a, mut b, id) = pair();
        let mut markers = Vec::new();
        for o in &ops_a { markers.extend(apply(&mut a, &id, o, "a")); }
        for o in &ops_b { markers.extend(apply(&mut b, &id, o, "b")); }
        let votes = ops_a.iter().chain(&ops_b).filter(|o| matches!(o, Op::Vote)).count() as i64;
        sync_both_ways(&mut a, &mut b);
        let everything: String = a.ideas().0.iter().map(|i| format!("{} {}\n", i.title, i.description)).collect();
        for m in &markers {
            prop_assert!(everything.contains(m.as_str()), "lost {m} in {everything}");
        }
        prop_assert_eq!(a.idea(&id).unwrap().0.votes, votes);
    }
}
