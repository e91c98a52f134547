//! Board order under concurrency: two replicas move cards at random, then merge in
//! both orders. Both end with one and the same order, every card once, and a card only
//! one side moved sits where that side put it (no lost move).

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, ROOT};
use proptest::prelude::*;
use waymark_domain::position::{between, compare};

/// The column as the board shows it: card ids by (key, id).
fn order(doc: &AutoCommit) -> Vec<String> {
    let cards = doc.get(ROOT, "cards").unwrap().unwrap().1;
    let mut all: Vec<(String, String)> = doc
        .map_range(&cards, ..)
        .map(|item| (item.value.into_value().as_str().map(str::to_owned).unwrap_or_default(), item.key.to_string()))
        .collect();
    all.sort_by(|a, b| compare((&a.0, &a.1), (&b.0, &b.1)));
    all.into_iter().map(|(_, id)| id).collect()
}

fn key_of(doc: &AutoCommit, id: &str) -> String {
    let cards = doc.get(ROOT, "cards").unwrap().unwrap().1;
    doc.get(&cards, id).unwrap().unwrap().0.into_string().unwrap()
}

/// Moves card `which` (an index into the order) to position `to`, as a drag would:
/// a new key between its new neighbours, nothing else written.
fn drag(doc: &mut AutoCommit, which: usize, to: usize, jitter: u32) -> String {
    let ids = order(doc);
    let id = ids[which % ids.len()].clone();
    let rest: Vec<String> = ids.into_iter().filter(|c| *c != id).collect();
    let to = to % (rest.len() + 1);
    let before = to.checked_sub(1).map(|i| key_of(doc, &rest[i]));
    let after = rest.get(to).map(|c| key_of(doc, c));
    let key = between(before.as_deref(), after.as_deref(), jitter);
    let cards = doc.get(ROOT, "cards").unwrap().unwrap().1;
    doc.put(&cards, &id, key.as_str()).unwrap();
    let view = order(doc);
    assert_eq!(view.iter().position(|c| *c == id), Some(to), "the card lands where it was dropped");
    id
}

fn column(n: usize) -> AutoCommit {
    let mut doc = AutoCommit::new();
    let cards = doc.put_object(ROOT, "cards", ObjType::Map).unwrap();
    let mut last: Option<String> = None;
    for i in 0..n {
        let key = between(last.as_deref(), None, i as u32);
        doc.put(&cards, format!("card{i:02}"), key.as_str()).unwrap();
        last = Some(key);
    }
    doc.commit();
    doc
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn concurrent_moves_converge_to_one_order_and_keep_every_move(
        n in 2usize..12,
        a_moves in prop::collection::vec((any::<usize>(), any::<usize>(), any::<u32>()), 1..8),
        b_moves in prop::collection::vec((any::<usize>(), any::<usize>(), any::<u32>()), 1..8),
    ) {
        let mut base = column(n);
        let mut a = base.clone();
        let mut b = base.fork();
        let moved_a: BTreeSet<String> = a_moves.iter().map(|(w, t, j)| drag(&mut a, *w, *t, *j)).collect();
        let moved_b: BTreeSet<String> = b_moves.iter().map(|(w, t, j)| drag(&mut b, *w, *t, *j)).collect();
        let keys_a: BTreeMap<String, String> = moved_a.iter().map(|c| (c.clone(), key_of(&a, c))).collect();
        let keys_b: BTreeMap<String, String> = moved_b.iter().map(|c| (c.clone(), key_of(&b, c))).collect();
        let (mut ab, mut ba) = (a.clone(), b.clone());
        ab.merge(&mut b).unwrap();
        ba.merge(&mut a).unwrap();
        let (order_ab, order_ba) = (order(&ab), order(&ba));
        prop_assert_eq!(&order_ab, &order_ba, "both orders of merge give one order");
        prop_assert_eq!(order_ab.iter().collect::<BTreeSet<_>>().len(), n, "every card once");
        for (card, key) in keys_a.iter().filter(|(c, _)| !moved_b.contains(*c)) {
            prop_assert_eq!(&key_of(&ab, card), key, "A's move of {} is kept", card);
        }
        for (card, key) in keys_b.iter().filter(|(c, _)| !moved_a.contains(*c)) {
            prop_assert_eq!(&key_of(&ab, card), key, "B's move of {} is kept", card);
        }
    }
}
