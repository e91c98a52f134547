//! Two people edit one workspace at once, offline; their copies merge, in either order
//! and by any route the app uses, to the same document with nothing lost.

use automerge::{hydrate, ReadDoc, ROOT};
use proptest::prelude::*;
use waymark_domain::{schema, Brief, BriefField, Id, Idea, IdeaLabel, IdeaStatus, IdeaText, Workspace};

/// Everything a replica shows: the brief, every idea (deleted ones too) by id, and
/// the raw document, so fields the typed readers skip are compared as well.
fn state(ws: &Workspace) -> (Brief, Vec<Idea>, hydrate::Value) {
    let mut ideas = ws.ideas().0;
    ideas.sort_by(|x, y| x.id.cmp(&y.id));
    (ws.brief().0, ideas, ws.doc().hydrate(ROOT, None).unwrap())
}

/// Merges A and B every way the app can: A←B and B←A, each by `save()` + `apply()`
/// and by `merge()`. Checks that all four results are identical and returns one.
fn merged(a: &mut Workspace, b: &mut Workspace) -> Workspace {
    a.commit();
    b.commit();
    let mut results = Vec::new();
    for (into, from) in [(&*a, &*b), (&*b, &*a)] {
        let mut by_bytes = into.clone();
        by_bytes.apply(&from.clone().save()).expect("a replica's bytes apply");
        let mut by_merge = into.clone();
        by_merge.merge(&mut from.clone()).expect("replicas merge");
        results.extend([by_bytes, by_merge]);
    }
    let first = state(&results[0]);
    for (n, other) in results.iter().enumerate().skip(1) {
        assert!(state(other) == first, "merge route {n} disagrees with route 0");
    }
    results.swap_remove(0)
}

/// A workspace with one idea, and a second replica of it (its own actor).
fn two_replicas(title: &str) -> (Workspace, Workspace, Id) {
    let mut a = Workspace::create("Payments", 1, "Ana");
    let id = a.create_idea(title, 2, "Ana").unwrap();
    a.commit();
    let b = a.fork();
    (a, b, id)
}

fn idea(ws: &Workspace, id: &Id) -> Idea {
    ws.idea(id).expect("the idea exists").0
}

#[test]
fn typing_at_both_ends_of_one_title_keeps_both_insertions() {
    let (mut a, mut b, id) = two_replicas("offline mode");
    a.set_idea_text(&id, IdeaText::Title, "Better offline mode", 3).unwrap();
    b.set_idea_text(&id, IdeaText::Title, "offline mode for field sales", 3).unwrap();
    assert_eq!(idea(&merged(&mut a, &mut b), &id).title, "Better offline mode for field sales");
}

#[test]
fn typing_in_the_middle_of_one_brief_field_keeps_both_insertions() {
    let mut a = Workspace::create("Payments", 1, "Ana");
    a.set_brief_text(BriefField::Vision, "get paid on time").unwrap();
    a.commit();
    let mut b = a.fork();
    a.set_brief_text(BriefField::Vision, "get paid fully on time").unwrap();
    b.set_brief_text(BriefField::Vision, "get paid on time, every time").unwrap();
    assert_eq!(merged(&mut a, &mut b).brief().0.vision, "get paid fully on time, every time");
}

#[test]
fn edits_to_different_fields_of_one_idea_are_all_kept() {
    let (mut a, mut b, id) = two_replicas("Offline mode");
    a.set_idea_text(&id, IdeaText::Description, "Field sales lose signal", 3).unwrap();
    a.set_idea_label(&id, IdeaLabel::Source, "support", 3).unwrap();
    b.set_idea_status(&id, IdeaStatus::Accepted, 4).unwrap();
    b.set_idea_label(&id, IdeaLabel::Submitter, "Chen", 4).unwrap();
    let m = idea(&merged(&mut a, &mut b), &id);
    assert_eq!(
        (m.description.as_str(), m.source.as_str(), m.status, m.submitter.as_str()),
        ("Field sales lose signal", "support", IdeaStatus::Accepted, "Chen")
    );
}

#[test]
fn an_idea_deleted_while_someone_edits_it_is_deleted_and_keeps_the_edit() {
    let (mut a, mut b, id) = two_replicas("Offline mode");
    a.delete_idea(&id, 3).unwrap();
    b.set_idea_text(&id, IdeaText::Description, "Written on the plane", 3).unwrap();
    let mut m = merged(&mut a, &mut b);
    assert!(idea(&m, &id).deleted, "the delete holds");
    assert_eq!(m.live_idea_count(), 0);
    m.restore_idea(&id, 4).unwrap();
    assert_eq!(idea(&m, &id).description, "Written on the plane", "and restoring shows the edit");
}

#[test]
fn concurrent_votes_add_up() {
    let (mut a, mut b, id) = two_replicas("Offline mode");
    a.vote_idea(&id, 1, 3).unwrap();
    a.vote_idea(&id, 1, 4).unwrap();
    b.vote_idea(&id, 1, 3).unwrap();
    b.vote_idea(&id, 5, 4).unwrap();
    assert_eq!(idea(&merged(&mut a, &mut b), &id).votes, 8);
}

#[test]
fn concurrent_tag_changes_to_different_tags_all_apply() {
    let (mut a, mut b, id) = two_replicas("Offline mode");
    a.add_idea_tag(&id, "sync", 2).unwrap();
    a.add_idea_tag(&id, "billing", 2).unwrap();
    let mut a = merged(&mut a, &mut b);
    let mut b = a.fork();
    a.add_idea_tag(&id, "mobile", 3).unwrap();
    a.remove_idea_tag(&id, "billing", 3).unwrap();
    b.add_idea_tag(&id, "export", 3).unwrap();
    b.remove_idea_tag(&id, "sync", 3).unwrap();
    assert_eq!(idea(&merged(&mut a, &mut b), &id).tags, ["export", "mobile"]);
}

#[test]
fn a_tag_both_add_is_there_once_and_one_both_remove_is_gone() {
    let (mut a, mut b, id) = two_replicas("Offline mode");
    a.add_idea_tag(&id, "sync", 2).unwrap();
    let mut a = merged(&mut a, &mut b);
    let mut b = a.fork();
    a.add_idea_tag(&id, "Mobile", 3).unwrap();
    b.add_idea_tag(&id, "  mobile ", 3).unwrap();
    a.remove_idea_tag(&id, "sync", 3).unwrap();
    b.remove_idea_tag(&id, "sync", 3).unwrap();
    assert_eq!(idea(&merged(&mut a, &mut b), &id).tags, ["mobile"]);
}

#[test]
fn ideas_captured_at_the_same_time_both_exist() {
    let (mut a, mut b, first) = two_replicas("Offline mode");
    let x = a.create_idea("Dark mode", 3, "Ana").unwrap();
    let y = b.create_idea("Dark mode", 3, "Bo").unwrap();
    let m = merged(&mut a, &mut b);
    let mut ids = m.idea_ids();
    ids.sort();
    let mut expected = vec![first, x.clone(), y.clone()];
    expected.sort();
    assert_eq!(ids, expected, "same title, still two ideas");
    assert_eq!((idea(&m, &x).created_by, idea(&m, &y).created_by), ("Ana".to_owned(), "Bo".to_owned()));
}

#[test]
fn chunks_applied_one_by_one_and_out_of_order_converge() {
    let (mut a, mut b, id) = two_replicas("offline mode");
    let mut from_a = Vec::new();
    for (n, word) in ["Better ", "Better faster "].iter().enumerate() {
        a.set_idea_text(&id, IdeaText::Title, &format!("{word}offline mode"), 3 + n as i64).unwrap();
        from_a.push(a.save_incremental());
    }
    b.vote_idea(&id, 2, 3).unwrap();
    let from_b = b.save_incremental();
    // The later chunk first: it waits for the one it builds on, then both apply.
    b.apply(&from_a[1]).unwrap();
    assert!(b.has_unapplied_changes());
    assert_eq!(idea(&b, &id).title, "offline mode", "not shown until its base arrives");
    let changed = b.apply(&from_a[0]).unwrap();
    assert!(!b.has_unapplied_changes());
    assert!(changed.of(schema::IDEAS).contains(&id));
    a.apply(&from_b).unwrap();
    assert!(state(&a) == state(&b), "both replicas show the same document");
    assert_eq!((idea(&a, &id).title.as_str(), idea(&a, &id).votes), ("Better faster offline mode", 2));
}

// ---- Random concurrent edits -------------------------------------------------------

/// Where a generated edit types.
#[derive(Clone, Copy, Debug)]
enum Target {
    Title(usize),
    Description(usize),
    Vision,
}

/// One text field, named independently of which replica looks at it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Title(Id),
    Description(Id),
    Vision,
}

/// One generated edit. Indexes pick among the ideas a replica knows (wrapping).
#[derive(Clone, Debug)]
enum Op {
    /// Inserts a unique marker such as `[A7]`.
    Type(Target, usize),
    /// Deletes one character of the shared starting text.
    Erase(Target, usize),
    Vote(usize, i64),
    AddTag(usize, u8),
    RemoveTag(usize, u8),
    Status(usize, u8),
    Source(usize, u8),
    Delete(usize),
    Restore(usize),
    /// Captures an idea whose title is a marker.
    Create,
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![(0usize..8).prop_map(Target::Title), (0usize..8).prop_map(Target::Description), Just(Target::Vision)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (target(), any::<usize>()).prop_map(|(t, at)| Op::Type(t, at)),
        2 => (target(), any::<usize>()).prop_map(|(t, at)| Op::Erase(t, at)),
        2 => (0usize..8, 1i64..4).prop_map(|(i, d)| Op::Vote(i, d)),
        1 => (0usize..8, 0u8..4).prop_map(|(i, t)| Op::AddTag(i, t)),
        1 => (0usize..8, 0u8..4).prop_map(|(i, t)| Op::RemoveTag(i, t)),
        1 => (0usize..8, 0u8..6).prop_map(|(i, s)| Op::Status(i, s)),
        1 => (0usize..8, 0u8..3).prop_map(|(i, s)| Op::Source(i, s)),
        1 => (0usize..8).prop_map(Op::Delete),
        1 => (0usize..8).prop_map(Op::Restore),
        1 => Just(Op::Create),
    ]
}

/// The shared starting text is lowercase letters and spaces; markers are brackets,
/// capitals and digits, so the two can never be confused. No character appears twice in
/// one text, so no erasure can leave two equal characters side by side: erasing either
/// of two equal neighbours ("ee") gives the same text, which a text edit cannot tell
/// apart, and two people doing so at once rightly erase one, not two.
const TITLES: [&str; 3] = ["quick brown", "jumpy dogs", "lazy fox"];
const DESCRIPTION: &str = "mixed bugs";
const VISION: &str = "get paid";

/// One replica under test, and what it promises survives any merge.
struct Replica {
    ws: Workspace,
    /// `A` or `B`: markers are `[A1]`, `[B2]`…
    who: char,
    ideas: Vec<Id>,
    markers: Vec<(Field, String)>,
    /// Characters of the starting text this replica erased: field, original position.
    erased: Vec<(Field, usize)>,
    votes: Vec<(Id, i64)>,
    chunks: Vec<Vec<u8>>,
}

impl Replica {
    fn new(ws: Workspace, who: char, ideas: &[Id]) -> Replica {
        Replica { ws, who, ideas: ideas.to_vec(), markers: vec![], erased: vec![], votes: vec![], chunks: vec![] }
    }

    fn idea(&self, i: usize) -> Id {
        self.ideas[i % self.ideas.len()].clone()
    }

    fn field(&self, target: Target) -> Field {
        match target {
            Target::Title(i) => Field::Title(self.idea(i)),
            Target::Description(i) => Field::Description(self.idea(i)),
            Target::Vision => Field::Vision,
        }
    }

    fn write(&mut self, field: &Field, text: &str) {
        match field {
            Field::Title(id) => self.ws.set_idea_text(id, IdeaText::Title, text, 5).unwrap(),
            Field::Description(id) => self.ws.set_idea_text(id, IdeaText::Description, text, 5).unwrap(),
            Field::Vision => self.ws.set_brief_text(BriefField::Vision, text).unwrap(),
        }
    }

    fn apply(&mut self, op: &Op) {
        let n = self.markers.len() + 1;
        match *op {
            Op::Type(target, at) => {
                let field = self.field(target);
                let mut chars: Vec<char> = read(&self.ws, &field).chars().collect();
                let at = outside_markers(&chars, at % (chars.len() + 1));
                let marker = format!("[{}{n}]", self.who);
                chars.splice(at..at, marker.chars());
                self.write(&field, &chars.into_iter().collect::<String>());
                self.markers.push((field, marker));
            }
            Op::Erase(target, at) => {
                let field = self.field(target);
                let mut chars: Vec<char> = read(&self.ws, &field).chars().collect();
                let shared = shared_positions(&chars);
                if !shared.is_empty() {
                    let k = at % shared.len();
                    // The k-th character still here is the k-th original one not yet erased.
                    let gone: Vec<usize> = self.erased.iter().filter(|(f, _)| *f == field).map(|(_, p)| *p).collect();
                    let original = (0..).filter(|p| !gone.contains(p)).nth(k).unwrap();
                    chars.remove(shared[k]);
                    self.write(&field, &chars.into_iter().collect::<String>());
                    self.erased.push((field, original));
                }
            }
            Op::Vote(i, delta) => {
                self.ws.vote_idea(&self.idea(i), delta, 5).unwrap();
                self.votes.push((self.idea(i), delta));
            }
            Op::AddTag(i, t) => {
                self.ws.add_idea_tag(&self.idea(i), &format!("tag{t}"), 5).unwrap();
            }
            Op::RemoveTag(i, t) => self.ws.remove_idea_tag(&self.idea(i), &format!("tag{t}"), 5).unwrap(),
            Op::Status(i, s) => self.ws.set_idea_status(&self.idea(i), IdeaStatus::ALL[s as usize], 5).unwrap(),
            Op::Source(i, s) => self.ws.set_idea_label(&self.idea(i), IdeaLabel::Source, ["call", "support", "sales"][s as usize], 5).unwrap(),
            Op::Delete(i) => self.ws.delete_idea(&self.idea(i), 5).unwrap(),
            Op::Restore(i) => self.ws.restore_idea(&self.idea(i), 5).unwrap(),
            Op::Create => {
                let marker = format!("[{}{n}]", self.who);
                let id = self.ws.create_idea(&marker, 5, "someone").unwrap();
                self.ideas.push(id.clone());
                self.markers.push((Field::Title(id), marker));
            }
        }
        // The app stores (and sends) a chunk per commit; here every edit is one.
        self.chunks.push(self.ws.save_incremental());
    }
}

fn read(ws: &Workspace, field: &Field) -> String {
    match field {
        Field::Title(id) => idea(ws, id).title,
        Field::Description(id) => idea(ws, id).description,
        Field::Vision => ws.brief().0.vision,
    }
}

/// The first position at or after `at` that is not inside a marker, so markers stay whole.
fn outside_markers(chars: &[char], at: usize) -> usize {
    let balanced = |p: &usize| chars[..*p].iter().filter(|&&c| c == '[').count() == chars[..*p].iter().filter(|&&c| c == ']').count();
    (at..=chars.len()).find(balanced).unwrap_or(chars.len())
}

/// Positions of the characters that belong to the starting text (not to a marker).
fn shared_positions(chars: &[char]) -> Vec<usize> {
    let mut depth = 0;
    let mut out = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(i),
            _ => {}
        }
    }
    out
}

/// The text with every marker taken out.
fn without_markers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    shared_positions(&chars).into_iter().map(|i| chars[i]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever two people do at once: every merge route gives one document; every
    /// marker either typed is in its field exactly once; the starting text is there
    /// once, less what either erased; every vote counts; and each idea's tags are those
    /// either person last saw on it.
    #[test]
    fn random_concurrent_edits_converge_and_lose_nothing(
        ops_a in prop::collection::vec(op(), 1..16),
        ops_b in prop::collection::vec(op(), 1..16),
    ) {
        let mut base = Workspace::create("Payments", 1, "Ana");
        base.set_brief_text(BriefField::Vision, VISION).unwrap();
        let mut starting_text = vec![(Field::Vision, VISION.to_owned())];
        let mut ideas = Vec::new();
        for title in TITLES {
            let id = base.create_idea(title, 2, "Ana").unwrap();
            base.set_idea_text(&id, IdeaText::Description, DESCRIPTION, 2).unwrap();
            starting_text.push((Field::Title(id.clone()), title.to_owned()));
            starting_text.push((Field::Description(id.clone()), DESCRIPTION.to_owned()));
            ideas.push(id);
        }
        base.commit();
        let mut b = Replica::new(base.fork(), 'B', &ideas);
        let mut a = Replica::new(base, 'A', &ideas);
        for op in &ops_a { a.apply(op); }
        for op in &ops_b { b.apply(op); }

        let m = merged(&mut a.ws, &mut b.ws);
        for (field, marker) in a.markers.iter().chain(&b.markers) {
            let text = read(&m, field);
            prop_assert_eq!(text.matches(marker.as_str()).count(), 1, "{} in {:?}: {:?}", marker, field, text);
        }
        for (field, start) in &starting_text {
            let erased: Vec<usize> = a.erased.iter().chain(&b.erased).filter(|(f, _)| f == field).map(|(_, p)| *p).collect();
            let expected: String = start.chars().enumerate().filter(|(p, _)| !erased.contains(p)).map(|(_, c)| c).collect();
            prop_assert_eq!(without_markers(&read(&m, field)), expected, "{:?}", field);
        }
        for id in m.idea_ids() {
            let votes: i64 = a.votes.iter().chain(&b.votes).filter(|(v, _)| *v == id).map(|(_, d)| d).sum();
            prop_assert_eq!(idea(&m, &id).votes, votes);
            // No idea had tags before the fork, so a tag survives iff either side ended with it.
            let mut tags: Vec<String> = [&a.ws, &b.ws].iter().filter_map(|w| w.idea(&id)).flat_map(|(i, _)| i.tags).collect();
            tags.sort();
            tags.dedup();
            prop_assert_eq!(idea(&m, &id).tags, tags);
        }

        // The app's own route: chunks, the later ones first, wait for what they build on.
        let mut by_chunks = a.ws.clone();
        for chunk in b.chunks.iter().rev() {
            by_chunks.apply(chunk).unwrap();
        }
        prop_assert!(!by_chunks.has_unapplied_changes());
        prop_assert!(state(&by_chunks) == state(&m), "chunk by chunk gives the same document");
    }
}
