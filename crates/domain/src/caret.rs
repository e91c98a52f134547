//! Where a caret belongs after someone else changed the text it is in, so a teammate's
//! edit never throws the person typing to the end of the field.

/// Where a cursor at `pos` (UTF-16 units, as text controls count) in `old` belongs in
/// `new`: it stays on the same text wherever others wrote around it (a smallest diff
/// of the two says what stayed). Text inserted exactly at the cursor goes after it;
/// a cursor inside text that was replaced goes to the end of the replacement.
pub fn keep_caret(old: &[u16], new: &[u16], pos: u32) -> u32 {
    use similar::DiffOp;
    let pos = (pos as usize).min(old.len());
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, old, new) {
        let (olds, news) = (op.old_range(), op.new_range());
        match op {
            DiffOp::Insert { old_index, new_index, .. } if old_index == pos => return new_index as u32,
            DiffOp::Equal { .. } if olds.contains(&pos) => return (news.start + pos - olds.start) as u32,
            DiffOp::Delete { .. } | DiffOp::Replace { .. } if pos == olds.start => return news.start as u32,
            DiffOp::Delete { .. } | DiffOp::Replace { .. } if olds.contains(&pos) => return news.end as u32,
            _ => {}
        }
    }
    new.len() as u32
}

/// [`keep_caret`] for a selection `(start, end)` in `old` and `new` as strings.
pub fn keep_selection(old: &str, new: &str, (start, end): (u32, u32)) -> (u32, u32) {
    let (old16, new16): (Vec<u16>, Vec<u16>) = (old.encode_utf16().collect(), new.encode_utf16().collect());
    (keep_caret(&old16, &new16, start), keep_caret(&old16, &new16, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(old: &str, new: &str, pos: u32) -> u32 {
        keep_selection(old, new, (pos, pos)).0
    }

    #[test]
    fn the_cursor_stays_on_its_text_when_someone_else_edits() {
        // Typing at "Intro|" while a teammate appends at the end: the cursor stays.
        assert_eq!(at("Intro.\n\nEnd.", "Intro.\n\nEnd, by Ben.", 5), 5);
        // A teammate writes before the cursor: it moves along with its text.
        assert_eq!(at("Intro.\n\nEnd.", "Ana's intro.\n\nEnd.", 11), 17);
        // Text removed before the cursor.
        assert_eq!(at("Long intro.\n\nEnd.", "Intro.\n\nEnd.", 14), 9);
        // The cursor inside a replaced span goes to the end of the replacement.
        assert_eq!(at("one two three", "one 2 three", 6), 5);
        // Past the end, or into an empty document, it never points outside the text.
        assert_eq!(at("abc", "", 3), 0);
        assert_eq!(at("", "hello", 0), 0);
        assert_eq!(at("ab", "ab", 9), 2);
        // Counted in UTF-16 units, as text areas count: an emoji is two.
        assert_eq!(at("😀x", "😀😀x", 3), 5);
    }

    #[test]
    fn a_selection_keeps_covering_the_same_words() {
        // "the month" selected as a teammate writes before it and after it.
        let old = "Close the month in a day";
        let new = "Finance: Close the month in a day, every month";
        assert_eq!(keep_selection(old, new, (6, 15)), (15, 24));
        assert_eq!(&new[15..24], "the month");
    }
}
