//! Fractional positions: the order of cards in a column (a feature within its
//! horizon, DOMAIN.md "Board order") as keys that sort as strings.
//!
//! Moving a card writes only that card's key, one chosen between its new neighbours',
//! so two people moving different cards at once both keep their moves, and every
//! replica sorts the merged keys the same way. Two moves that chose the same key (the
//! same gap, at once) are told apart by the card's id, so the order is still one and
//! the same everywhere; a random digit at the end of each new key makes that rare.
//!
//! Keys are base-62 digits (`0-9A-Za-z`, in ASCII order) read as a fraction after the
//! point, never ending in `0`. A key from a peer may be anything: it sorts as the
//! string it is, and a new key is always made valid.

use std::cmp::Ordering;

const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE: usize = 62;

fn digit(c: u8) -> Option<usize> {
    DIGITS.iter().position(|d| *d == c)
}

/// Whether `key` is a key this module would write: base-62 digits, not ending in `0`.
pub fn is_valid(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| digit(b).is_some()) && !key.ends_with('0')
}

/// The order of two cards: by key, then by id (so equal keys still give one order).
pub fn compare(a: (&str, &str), b: (&str, &str)) -> Ordering {
    a.0.cmp(b.0).then_with(|| a.1.cmp(b.1))
}

/// A key after `before` and before `after` (`None`: the start or the end of the
/// column). Between two cards, `jitter` (any number, e.g. random) picks one of many
/// such keys, so two people dropping into the same gap at once rarely pick the same
/// one; at the ends the key is a step from the end card's (ties there are told apart
/// by id). Keys that are
/// not valid, or not in order (concurrent moves can leave neighbours equal), are
/// treated as well as can be: the result is always valid and after `before`.
pub fn between(before: Option<&str>, after: Option<&str>, jitter: u32) -> String {
    let low = before.filter(|k| is_valid(k)).unwrap_or("");
    let high = after.filter(|k| is_valid(k) && *k > low);
    // At either end a step, not a halving: cards put on top (or at the bottom) one
    // after another keep short keys, about one more digit per 60.
    let key = match (low.is_empty(), high) {
        (true, Some(h)) => step(h.as_bytes(), |d| d > 1, |d| d - 1).unwrap_or_else(|| below_ones(h.as_bytes())),
        (false, None) => step(low.as_bytes(), |d| d < BASE - 1, |d| d + 1).unwrap_or_else(|| [low.as_bytes(), b"1"].concat()),
        (true, None) => vec![DIGITS[BASE / 2]],
        (false, Some(h)) => {
            let mid = midpoint(low.as_bytes(), Some(h.as_bytes()));
            // One more digit, from the jitter: any digit keeps it below `h` unless `h`
            // starts with it, and then one below `h`'s next digit does.
            let room = if h.as_bytes().starts_with(&mid) { digit(h.as_bytes()[mid.len()]).unwrap_or(0) } else { BASE };
            let mut key = mid;
            if room > 1 {
                key.push(DIGITS[1 + (jitter as usize % (room - 1))]);
            }
            key
        }
    };
    String::from_utf8(key).expect("base-62 digits are ASCII")
}

/// `key` up to its first digit that `can` move, moved by `to`: just below (or above)
/// `key`, and never ending in `0`; `None` if no digit can move.
fn step(key: &[u8], can: impl Fn(usize) -> bool, to: impl Fn(usize) -> usize) -> Option<Vec<u8>> {
    let i = key.iter().position(|c| digit(*c).is_some_and(&can))?;
    let mut out = key[..i].to_vec();
    out.push(DIGITS[to(digit(key[i])?)]);
    Some(out)
}

/// Just below a key made only of `0`s and `1`s (ending in `1`, as valid keys do): its
/// last `1` becomes `0z`, the top of the next level down.
fn below_ones(key: &[u8]) -> Vec<u8> {
    let mut out = key[..key.len() - 1].to_vec();
    out.extend(b"0z");
    out
}

/// A key strictly between `a` and `b` (`a < b`; `a` may be empty, `None` is the end),
/// both valid or empty.
fn midpoint(a: &[u8], b: Option<&[u8]>) -> Vec<u8> {
    if let Some(b) = b {
        // Shared leading digits (a padded with zeros) stay as they are.
        let n = b.iter().enumerate().take_while(|(i, d)| a.get(*i).copied().unwrap_or(b'0') == **d).count();
        if n > 0 {
            let mut out = b[..n].to_vec();
            out.extend(midpoint(a.get(n..).unwrap_or(&[]), Some(&b[n..])));
            return out;
        }
    }
    let da = a.first().and_then(|c| digit(*c)).unwrap_or(0);
    let db = b.and_then(|b| b.first()).and_then(|c| digit(*c)).unwrap_or(BASE);
    if db - da > 1 {
        return vec![DIGITS[(da + db) / 2]];
    }
    match b {
        // b's first digit alone is above a and below b.
        Some(b) if b.len() > 1 => vec![b[0]],
        _ => {
            let mut out = vec![DIGITS[da]];
            out.extend(midpoint(a.get(1..).unwrap_or(&[]), None));
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_between_two_sorts_between_them_and_is_valid() {
        let cases: [(Option<&str>, Option<&str>); 8] = [
            (None, None),
            (None, Some("V")),
            (Some("V"), None),
            (Some("V"), Some("W")),
            (Some("V"), Some("V1")),
            (Some("Vz"), Some("W")),
            (Some("1"), Some("11")),
            (Some("zzzz"), None),
        ];
        for (before, after) in cases {
            for jitter in [0, 1, 7, 61, 1000] {
                let key = between(before, after, jitter);
                assert!(is_valid(&key), "{key:?} from {before:?}..{after:?}");
                assert!(before.is_none_or(|b| key.as_str() > b), "{key:?} after {before:?}");
                assert!(after.is_none_or(|a| key.as_str() < a), "{key:?} before {after:?}");
            }
        }
    }

    #[test]
    fn a_thousand_cards_dropped_at_the_front_stay_in_order_with_short_keys() {
        let mut keys: Vec<String> = vec![between(None, None, 3)];
        for i in 0..1000 {
            let first = keys[0].clone();
            keys.insert(0, between(None, Some(&first), i));
        }
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(keys.iter().all(|k| k.len() <= 20), "longest {}", keys.iter().map(String::len).max().unwrap());
    }

    #[test]
    fn hostile_or_tied_neighbours_still_give_a_valid_key_after_the_first() {
        for (before, after) in [(Some("V"), Some("V")), (Some("W"), Some("V")), (Some("<script>"), Some("")), (Some("V0"), None), (Some(""), Some("0"))] {
            let key = between(before, after, 5);
            assert!(is_valid(&key), "{key:?}");
            if let Some(b) = before.filter(|b| is_valid(b)) {
                assert!(key.as_str() > b);
            }
        }
    }
}
