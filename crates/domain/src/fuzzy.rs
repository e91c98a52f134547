//! Finding things by typing part of their name (the command palette): each word of the
//! query must appear in the title, whole or as letters in order ("rdmp" finds
//! "Roadmap"), and titles rank by how well they match: a word found whole beats one
//! found letter by letter, at the start of the title or of a word beats in the middle,
//! a whole word beats the start of a longer one, letters next to each other beat
//! scattered ones, and a shorter title beats a longer one. Case is ignored (accents
//! are not).
//!
//! Cost: for a word not found whole, a pass over the title per letter; [`best`] keeps
//! only the `limit` best, never sorting every match.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// How well `title` matches `query` (higher is better), or `None` if some word of the
/// query is not in it. An empty query matches everything equally (0).
pub fn score(query: &str, title: &str) -> Option<i32> {
    let title: Vec<char> = title.chars().flat_map(char::to_lowercase).collect();
    let mut total = 0;
    for word in query.split_whitespace() {
        let word: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
        total += word_score(&word, &title)?;
    }
    Some(total - title.len() as i32 / 4)
}

/// Whether `title[at]` starts a word.
fn starts_word(title: &[char], at: usize) -> bool {
    at == 0 || !title[at - 1].is_alphanumeric()
}

/// Whether `word`'s letters are in `title`, in order.
fn in_order(word: &[char], title: &[char]) -> bool {
    let mut rest = title.iter();
    word.iter().all(|c| rest.any(|t| t == c))
}

fn word_score(word: &[char], title: &[char]) -> Option<i32> {
    if word.is_empty() {
        return Some(0);
    }
    // Found whole: the best place (a word's start, then the earliest).
    let whole = (0..title.len().saturating_sub(word.len() - 1))
        .filter(|&at| title[at..at + word.len()] == *word)
        .map(|at| {
            let ends_word = title.get(at + word.len()).is_none_or(|c| !c.is_alphanumeric());
            100 + 10 * word.len() as i32 + if at == 0 { 60 } else if starts_word(title, at) { 40 } else { 0 } + if ends_word { 20 } else { 0 } - (at as i32).min(30)
        })
        .max();
    if whole.is_some() {
        return whole;
    }
    // Letter by letter, in order: each letter taken at a later word start if the rest
    // of the word still follows it, else at its next occurrence.
    let mut at = 0;
    let mut total = 0;
    let mut previous: Option<usize> = None;
    for (k, &c) in word.iter().enumerate() {
        let found = (at..title.len()).find(|&i| title[i] == c)?;
        let rest = &word[k + 1..];
        let found = (found..title.len()).find(|&i| title[i] == c && starts_word(title, i) && in_order(rest, &title[i + 1..])).unwrap_or(found);
        total += 4;
        if starts_word(title, found) {
            total += 8;
        }
        if previous.is_some_and(|p| p + 1 == found) {
            total += 6;
        }
        total -= (found - at).min(5) as i32;
        previous = Some(found);
        at = found + 1;
    }
    Some(total)
}

/// The `limit` best matches of `query` among `items` (each a thing and its title), best
/// first; equal scores keep the items' order.
pub fn best<T, S: AsRef<str>>(query: &str, items: impl IntoIterator<Item = (T, S)>, limit: usize) -> Vec<(T, i32)> {
    if limit == 0 {
        return Vec::new();
    }
    // A min-heap of the best so far: (score, earlier first), the worst on top.
    let mut heap: BinaryHeap<Reverse<(i32, Reverse<usize>)>> = BinaryHeap::with_capacity(limit + 1);
    let mut kept: Vec<Option<T>> = Vec::new();
    for (n, (item, title)) in items.into_iter().enumerate() {
        let Some(s) = score(query, title.as_ref()) else { continue };
        let key = Reverse((s, Reverse(n)));
        if heap.len() < limit {
            heap.push(key);
        } else if heap.peek().is_some_and(|worst| key < *worst) {
            heap.pop();
            heap.push(key);
        } else {
            continue;
        }
        if kept.len() <= n {
            kept.resize_with(n + 1, || None);
        }
        kept[n] = Some(item);
    }
    let mut ranked: Vec<(i32, usize)> = heap.into_iter().map(|Reverse((s, Reverse(n)))| (s, n)).collect();
    ranked.sort_by_key(|&(s, n)| (Reverse(s), n));
    ranked.into_iter().filter_map(|(s, n)| kept.get_mut(n)?.take().map(|t| (t, s))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(query: &str, titles: &[&'static str]) -> Vec<&'static str> {
        best(query, titles.iter().map(|t| (*t, *t)), 10).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn every_word_must_be_there_whole_or_letter_by_letter() {
        assert!(score("road", "Roadmap 2027").is_some());
        assert!(score("rdmp", "Roadmap 2027").is_some(), "letters in order");
        assert!(score("pmdr", "Roadmap 2027").is_none(), "not in order");
        assert!(score("offline sync", "Sync when offline").is_some(), "words in any order");
        assert!(score("offline zebra", "Sync when offline").is_none());
        assert_eq!(score("", "Anything"), Some(-2), "an empty query matches, shorter first");
        assert!(score("ÉTÉ", "Plan d'été").is_some(), "case is ignored beyond ASCII");
        assert!(score("rdmp", "Roadmap Mobile").is_some(), "a later word start is taken only if the rest still follows");
        assert!(score("İ", "i̇stanbul").is_some(), "a letter that lowercases to two");
    }

    #[test]
    fn a_title_starting_with_the_words_ranks_before_one_containing_them() {
        let titles = ["Make uploads work offline", "Offline mode", "Sync offline edits", "Official pricing page"];
        // (Its letters are in "Official pricing page" too, scattered: found, last.)
        assert_eq!(ranked("offline", &titles), ["Offline mode", "Sync offline edits", "Make uploads work offline", "Official pricing page"]);
        // Whole words beat scattered letters; word starts beat the middle of words.
        assert_eq!(ranked("op", &titles)[0], "Official pricing page");
        assert_eq!(ranked("idea 42", &["Imported idea 420", "Imported idea 42", "Imported idea 4 2"])[0], "Imported idea 42");
    }

    #[test]
    fn only_the_best_are_kept_in_order_and_ties_keep_the_given_order() {
        let titles: Vec<String> = (0..10_000).map(|i| format!("Imported idea {i}")).collect();
        let top = best("idea 999", titles.iter().enumerate().map(|(i, t)| (i, t.as_str())), 3);
        assert_eq!(top.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [999, 9990, 9991], "whole and shortest first");
        let same = best("x", ["x 1", "x 2", "x 3"].iter().map(|t| (*t, *t)), 2);
        assert_eq!(same.iter().map(|(t, _)| *t).collect::<Vec<_>>(), ["x 1", "x 2"]);
        assert!(best("x", ["x"].iter().map(|t| (*t, *t)), 0).is_empty());
    }
}
