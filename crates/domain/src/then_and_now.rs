//! One artifact then and now: its fields as readable text, what changed between two
//! versions of the workspace (a word-by-word comparison), and restoring the past
//! version as new changes.
//!
//! It works on the document itself, not on a kind's typed view, so every kind (those
//! of tomorrow included) can be compared and restored the same way.

use automerge::{transaction::Transactable, AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};

use crate::kind::{visit_kinds, Kind, KindVisitor};
use crate::{Changed, EditError, Id, Workspace};

/// Bookkeeping every artifact has, which says nothing about what it is.
const BOOKKEEPING: &[&str] = &["created_at", "created_by", "updated_at", "updated_by"];
/// Past this many characters on either side, a field is compared line by line, not word
/// by word (a word comparison of two huge texts would stall the screen).
const WORDS_UP_TO: usize = 20_000;
/// Past this many characters or lines, a field is not compared piece by piece at all:
/// it shows as the old text replaced by the new one.
const LINES_UP_TO: usize = 200_000;
const MOST_LINES: usize = 2_000;
/// How deep fields are read and copied; the schema needs 3 below an artifact.
const MAX_DEPTH: usize = 12;

/// A field of an artifact as people read it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldText {
    pub key: String,
    pub label: String,
    pub text: String,
}

/// How a piece of a compared field fares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Fate {
    Kept,
    Removed,
    Added,
}

/// A field that differs between then and now, as pieces of text in reading order.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Difference {
    pub label: String,
    pub pieces: Vec<(Fate, String)>,
}

impl Workspace {
    /// Artifact `id`'s fields as text (bookkeeping left out), in the order they are
    /// stored; empty if there is no such artifact.
    pub fn artifact_text(&self, collection: &str, id: &Id) -> Vec<FieldText> {
        let Some(obj) = self.item_obj(collection, id) else { return Vec::new() };
        let mut out = Vec::new();
        texts(&self.doc, &obj, "", &old_links(collection), 0, &mut out);
        for field in &mut out {
            field.label = label_of(collection, &field.key);
        }
        out
    }

    /// Makes artifact `id` of `collection` what it is in `past` (this workspace at an
    /// earlier point), by new changes: text is edited to the past text (so a teammate's
    /// caret survives), other values are set, and fields added since are removed. An
    /// artifact created since is marked deleted. `now_ms` becomes its update time.
    pub fn restore_from(&mut self, past: &Workspace, collection: &'static str, id: &Id, now_ms: i64) -> Result<Changed, EditError> {
        let now = self.item_obj(collection, id);
        match (past.item_obj(collection, id), now) {
            (Some(then), Some(now)) => copy_map(&past.doc, &then, &mut self.doc, &now, &old_links(collection), 0)?,
            (Some(then), None) => {
                let coll = crate::fields::ensure_map(&mut self.doc, &automerge::ROOT, collection)?;
                let now = self.doc.put_object(&coll, id.as_str(), ObjType::Map)?;
                copy_map(&past.doc, &then, &mut self.doc, &now, &old_links(collection), 0)?;
            }
            (None, Some(now)) => {
                self.doc.put(&now, "deleted", true)?;
            }
            (None, None) => return Err(EditError::NotFound(id.clone())),
        }
        if let Some(now) = self.item_obj(collection, id) {
            self.doc.put(&now, "updated_at", now_ms)?;
        }
        Ok(Changed::one(collection, id.clone()))
    }
}

/// One artifact that differs between a point in the past and now.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChangedSince {
    #[serde(deserialize_with = "crate::keys::collection")]
    pub collection: crate::keys::Key,
    pub id: Id,
    /// "idea “Dark mode”" (as it is now, or as it was if it is gone).
    pub named: String,
    pub differences: Vec<Difference>,
}

/// Of the artifacts `touched` (by the moments since `then`), those that differ between
/// `then` and `now`, each with what changed.
pub fn changed_since(then: &Workspace, now: &Workspace, touched: impl IntoIterator<Item = (&'static str, Id)>) -> Vec<ChangedSince> {
    touched
        .into_iter()
        .filter_map(|(collection, id)| {
            let differences = compare(&then.artifact_text(collection, &id), &now.artifact_text(collection, &id));
            if differences.is_empty() {
                return None;
            }
            let title = Some(now.title_of(collection, &id)).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| then.title_of(collection, &id));
            let noun = crate::history::noun(collection);
            let named = if title.trim().is_empty() { format!("an untitled {noun}") } else { format!("{noun} “{}”", title.trim()) };
            Some(ChangedSince { collection, id, named, differences })
        })
        .collect()
}

/// What differs between `then` and `now` field by field (fields only one of them has
/// compare with nothing). Empty when the two read the same.
pub fn compare(then: &[FieldText], now: &[FieldText]) -> Vec<Difference> {
    let (old_by_key, new_by_key) = (by_key(then), by_key(now));
    let mut keys: Vec<&FieldText> = now.iter().collect();
    keys.extend(then.iter().filter(|t| !new_by_key.contains_key(t.key.as_str())));
    keys.into_iter()
        .filter_map(|field| {
            let old = old_by_key.get(field.key.as_str()).copied().unwrap_or("");
            let new = new_by_key.get(field.key.as_str()).copied().unwrap_or("");
            (old != new).then(|| Difference { label: field.label.clone(), pieces: pieces(old, new) })
        })
        .collect()
}

fn by_key(fields: &[FieldText]) -> std::collections::HashMap<&str, &str> {
    fields.iter().map(|f| (f.key.as_str(), f.text.as_str())).collect()
}

/// `old` becoming `new`, as kept, removed and added runs of text.
fn pieces(old: &str, new: &str) -> Vec<(Fate, String)> {
    let longest = old.len().max(new.len());
    if longest > LINES_UP_TO || old.lines().count().max(new.lines().count()) > MOST_LINES {
        return [(Fate::Removed, old), (Fate::Added, new)].into_iter().filter(|(_, t)| !t.is_empty()).map(|(f, t)| (f, t.to_owned())).collect();
    }
    let diff = if longest <= WORDS_UP_TO { similar::TextDiff::from_words(old, new) } else { similar::TextDiff::from_lines(old, new) };
    // Changed words separated only by spaces read as one change: "Dark mode" became
    // "Night theme", not "Dark" became "Night", then "mode" became "theme".
    let (mut out, mut gone, mut came, mut gap) = (Vec::new(), String::new(), String::new(), String::new());
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            similar::ChangeTag::Equal if text.trim().is_empty() && !(gone.is_empty() && came.is_empty()) => gap.push_str(text),
            similar::ChangeTag::Equal => {
                flush(&mut out, &mut gone, &mut came, &mut gap);
                push(&mut out, Fate::Kept, text);
            }
            tag => {
                gone.push_str(&gap);
                came.push_str(&gap);
                gap.clear();
                if tag == similar::ChangeTag::Delete { gone.push_str(text) } else { came.push_str(text) }
            }
        }
    }
    flush(&mut out, &mut gone, &mut came, &mut gap);
    out
}

/// Ends a run of changed words: what went, what came, then the spaces after them.
fn flush(out: &mut Vec<(Fate, String)>, gone: &mut String, came: &mut String, gap: &mut String) {
    for (fate, text) in [(Fate::Removed, gone), (Fate::Added, came), (Fate::Kept, gap)] {
        push(out, fate, text);
        text.clear();
    }
}

fn push(out: &mut Vec<(Fate, String)>, fate: Fate, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some((last, run)) if *last == fate => run.push_str(text),
        _ => out.push((fate, text.to_owned())),
    }
}

/// What is never compared or restored: where an artifact of `collection` kept links
/// before the `links` map (an old link removed since must not come back), and its
/// comments (a conversation about it, not a version of it: a restore keeps them all).
fn old_links(collection: &str) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = crate::link::Relation::ALL.iter().filter_map(|r| crate::link::legacy_field(collection, *r)).collect();
    keys.push(crate::schema::COMMENTS);
    keys
}

/// The map's fields as text, nested maps as `outer.inner` (to [`MAX_DEPTH`]).
fn texts(doc: &AutoCommit, obj: &ObjId, prefix: &str, skip: &[&str], depth: usize, out: &mut Vec<FieldText>) {
    if depth > MAX_DEPTH {
        return;
    }
    for key in doc.keys(obj) {
        if prefix.is_empty() && (BOOKKEEPING.contains(&key.as_str()) || key == "id" || skip.contains(&key.as_str())) {
            continue;
        }
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match doc.get(obj, key.as_str()) {
            Ok(Some((Value::Object(ObjType::Map | ObjType::Table), inner))) => texts(doc, &inner, &path, &[], depth + 1, out),
            Ok(Some((value, inner))) => {
                let text = shown(doc, &value, &inner);
                if !(key == "deleted" && text == "no") {
                    out.push(FieldText { key: path, label: String::new(), text });
                }
            }
            _ => {}
        }
    }
}

/// A value as text: text as is, a list one item a line, a flag as yes or no.
fn shown(doc: &AutoCommit, value: &Value, obj: &ObjId) -> String {
    match value {
        Value::Object(ObjType::Text) => doc.text(obj).unwrap_or_default(),
        Value::Object(ObjType::List) => doc.values(obj).map(|(v, inner)| if matches!(v, Value::Object(ObjType::List)) { String::new() } else { shown(doc, &v, &inner) }).collect::<Vec<_>>().join("\n"),
        Value::Object(_) => String::new(),
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            ScalarValue::Boolean(b) => if *b { "yes" } else { "no" }.to_owned(),
            ScalarValue::Int(n) => n.to_string(),
            ScalarValue::Uint(n) => n.to_string(),
            ScalarValue::F64(n) => n.to_string(),
            ScalarValue::Counter(c) => i64::from(c).to_string(),
            ScalarValue::Timestamp(t) => t.to_string(),
            ScalarValue::Null => String::new(),
            other => other.to_string(),
        },
    }
}

/// What people call field `key` of `collection`: the kind's own label, else the key
/// in words ("target_date" → "Target date", "scores.reach" → "Scores › reach").
fn label_of(collection: &str, key: &str) -> String {
    struct Find<'a>(&'a str, &'a str, Option<&'static str>);
    impl KindVisitor for Find<'_> {
        fn visit<K: Kind>(&mut self) {
            if K::COLLECTION == self.0 {
                self.2 = self.2.or(K::FIELDS.iter().find(|f| f.key == self.1).map(|f| f.label));
            }
        }
    }
    let mut find = Find(collection, key, None);
    visit_kinds(&mut find);
    if let Some(label) = find.2 {
        return label.to_owned();
    }
    let words = key.replace('_', " ").replace('.', " › ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Makes map `dst` hold what map `src` holds (see [`Workspace::restore_from`]), but
/// for the keys in `skip`; to [`MAX_DEPTH`].
fn copy_map(src: &AutoCommit, from: &ObjId, dst: &mut AutoCommit, to: &ObjId, skip: &[&str], depth: usize) -> Result<(), automerge::AutomergeError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let keep: Vec<String> = src.keys(from).filter(|k| !skip.contains(&k.as_str())).collect();
    let kept: std::collections::HashSet<&str> = keep.iter().map(String::as_str).collect();
    let gone: Vec<String> = dst.keys(to).filter(|k| !kept.contains(k.as_str()) && !BOOKKEEPING.contains(&k.as_str()) && !skip.contains(&k.as_str())).collect();
    for key in gone {
        dst.delete(to, key.as_str())?;
    }
    for key in keep {
        let Some((value, inner)) = src.get(from, key.as_str())? else { continue };
        let here = dst.get(to, key.as_str())?;
        match value {
            Value::Scalar(s) => match (s.as_ref(), &here) {
                // A counter is moved by the difference: votes cast meanwhile elsewhere
                // still count (a new counter would drop them).
                (ScalarValue::Counter(then), Some((Value::Scalar(h), _))) if matches!(h.as_ref(), ScalarValue::Counter(_)) => {
                    let now = match h.as_ref() {
                        ScalarValue::Counter(c) => i64::from(c),
                        _ => 0,
                    };
                    let by = i64::from(then) - now;
                    if by != 0 {
                        dst.increment(to, key.as_str(), by)?;
                    }
                }
                _ if matches!(&here, Some((Value::Scalar(h), _)) if h == &s) => {}
                _ => {
                    dst.put(to, key.as_str(), s.into_owned())?;
                }
            },
            Value::Object(ObjType::Text) => {
                let text = src.text(&inner)?;
                crate::fields::write_text(dst, to, &key, &text)?;
            }
            Value::Object(ty @ (ObjType::Map | ObjType::Table)) => {
                let target = match here {
                    Some((Value::Object(t), id)) if t == ty => id,
                    _ => dst.put_object(to, key.as_str(), ty)?,
                };
                copy_map(src, &inner, dst, &target, &[], depth + 1)?;
            }
            Value::Object(ObjType::List) => {
                let same = matches!(&here, Some((Value::Object(ObjType::List), id)) if same_list(src, &inner, dst, id));
                if !same {
                    let list = dst.put_object(to, key.as_str(), ObjType::List)?;
                    copy_list(src, &inner, dst, &list, depth + 1)?;
                }
            }
        }
    }
    Ok(())
}

/// Whether two lists hold the same values (objects in them compared as their text).
fn same_list(a: &AutoCommit, x: &ObjId, b: &AutoCommit, y: &ObjId) -> bool {
    let (xs, ys): (Vec<_>, Vec<_>) = (a.values(x).collect(), b.values(y).collect());
    xs.len() == ys.len()
        && xs.iter().zip(&ys).all(|((v, i), (w, j))| match (v, w) {
            (Value::Scalar(s), Value::Scalar(t)) => s == t,
            (Value::Object(p), Value::Object(q)) => p == q && shown(a, v, i) == shown(b, w, j),
            _ => false,
        })
}

/// Fills the empty list `to` with what list `from` holds, objects included.
fn copy_list(src: &AutoCommit, from: &ObjId, dst: &mut AutoCommit, to: &ObjId, depth: usize) -> Result<(), automerge::AutomergeError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    for (value, inner) in src.values(from) {
        let at = dst.length(to);
        match value {
            Value::Scalar(s) => {
                dst.insert(to, at, s.into_owned())?;
            }
            Value::Object(ObjType::Text) => {
                let text = dst.insert_object(to, at, ObjType::Text)?;
                dst.update_text(&text, &src.text(&inner)?)?;
            }
            Value::Object(ObjType::List) => {
                let list = dst.insert_object(to, at, ObjType::List)?;
                copy_list(src, &inner, dst, &list, depth + 1)?;
            }
            Value::Object(ty) => {
                let map = dst.insert_object(to, at, ty)?;
                copy_map(src, &inner, dst, &map, &[], depth + 1)?;
            }
        }
    }
    Ok(())
}
