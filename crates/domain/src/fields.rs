//! Tolerant reads and careful writes of single fields.
//!
//! Documents come from peers, so every read checks the type it finds. A missing field
//! is simply the default; a field of the wrong type is the default *and* a [`Problem`].

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value, transaction::Transactable};

/// Something in a document that was not what schema v1 expects; reading went on
/// with the default value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where: e.g. `ideas/4x…/votes`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Collects problems while one object is read.
pub(crate) struct Reader<'a> {
    pub doc: &'a AutoCommit,
    pub obj: ObjId,
    pub path: String,
    pub problems: &'a mut Vec<Problem>,
}

impl<'a> Reader<'a> {
    fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(Problem { path: format!("{}/{}", self.path, key), message: message.into() });
    }

    fn value(&mut self, key: &str) -> Option<(Value<'a>, ObjId)> {
        let doc: &'a AutoCommit = self.doc;
        match doc.get(&self.obj, key) {
            Ok(v) => v,
            Err(e) => {
                let msg = format!("unreadable: {e}");
                self.problem(key, msg);
                None
            }
        }
    }

    /// Text stored as `Text` (or, tolerated, as a plain string).
    pub fn text(&mut self, key: &str) -> String {
        match self.value(key) {
            None => String::new(),
            Some((Value::Object(ObjType::Text), id)) => match self.doc.text(&id) {
                Ok(s) => s,
                Err(e) => {
                    self.problem(key, format!("unreadable text: {e}"));
                    String::new()
                }
            },
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(s) => s.to_string(),
                other => {
                    let msg = format!("expected text, found {}", describe(other));
                    self.problem(key, msg);
                    String::new()
                }
            },
            Some((Value::Object(t), _)) => {
                self.problem(key, format!("expected text, found a {t:?}"));
                String::new()
            }
        }
    }

    /// A short string label.
    pub fn str(&mut self, key: &str) -> String {
        match self.value(key) {
            None => String::new(),
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(s) => s.to_string(),
                other => {
                    let msg = format!("expected a string, found {}", describe(other));
                    self.problem(key, msg);
                    String::new()
                }
            },
            // A newer writer may have upgraded a label to Text: still readable.
            Some((Value::Object(ObjType::Text), id)) => self.doc.text(&id).unwrap_or_default(),
            Some((Value::Object(t), _)) => {
                self.problem(key, format!("expected a string, found a {t:?}"));
                String::new()
            }
        }
    }

    /// An integer (also accepts unsigned, counters and whole floats).
    pub fn int(&mut self, key: &str) -> Option<i64> {
        match self.value(key) {
            None => None,
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Int(i) => Some(*i),
                ScalarValue::Uint(u) => i64::try_from(*u).ok(),
                ScalarValue::Counter(c) => Some(i64::from(c)),
                ScalarValue::Timestamp(t) => Some(*t),
                ScalarValue::F64(f) if f.fract() == 0.0 && f.is_finite() => Some(*f as i64),
                other => {
                    let msg = format!("expected a whole number, found {}", describe(other));
                    self.problem(key, msg);
                    None
                }
            },
            Some((Value::Object(t), _)) => {
                self.problem(key, format!("expected a whole number, found a {t:?}"));
                None
            }
        }
    }

    /// A finite number.
    pub fn number(&mut self, key: &str) -> Option<f64> {
        match self.value(key) {
            None => None,
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::F64(f) if f.is_finite() => Some(*f),
                ScalarValue::Int(i) => Some(*i as f64),
                ScalarValue::Uint(u) => Some(*u as f64),
                ScalarValue::Null => None,
                other => {
                    let msg = format!("expected a number, found {}", describe(other));
                    self.problem(key, msg);
                    None
                }
            },
            Some((Value::Object(t), _)) => {
                self.problem(key, format!("expected a number, found a {t:?}"));
                None
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> bool {
        match self.value(key) {
            None => false,
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Boolean(b) => *b,
                other => {
                    let msg = format!("expected true/false, found {}", describe(other));
                    self.problem(key, msg);
                    false
                }
            },
            Some((Value::Object(t), _)) => {
                self.problem(key, format!("expected true/false, found a {t:?}"));
                false
            }
        }
    }

    /// The keys of a set stored as `map key -> true`, sorted.
    pub fn set(&mut self, key: &str) -> Vec<String> {
        match self.value(key) {
            None => Vec::new(),
            Some((Value::Object(ObjType::Map), id)) => self.doc.keys(&id).collect(),
            Some(_) => {
                self.problem(key, "expected a set (map)");
                Vec::new()
            }
        }
    }
}

fn describe(v: &ScalarValue) -> &'static str {
    match v {
        ScalarValue::Bytes(_) => "bytes",
        ScalarValue::Str(_) => "a string",
        ScalarValue::Int(_) | ScalarValue::Uint(_) => "a whole number",
        ScalarValue::F64(_) => "a number",
        ScalarValue::Counter(_) => "a counter",
        ScalarValue::Timestamp(_) => "a timestamp",
        ScalarValue::Boolean(_) => "true/false",
        ScalarValue::Null => "null",
        ScalarValue::Unknown { .. } => "an unknown value",
    }
}

/// The child map at `key`, if it is one.
pub(crate) fn child_map(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(obj, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

/// The child map at `key`, created if absent (or replaced if a peer stored a non-map).
pub(crate) fn ensure_map(doc: &mut AutoCommit, obj: &ObjId, key: &str) -> Result<ObjId, automerge::AutomergeError> {
    match child_map(doc, obj, key) {
        Some(id) => Ok(id),
        None => doc.put_object(obj, key, ObjType::Map),
    }
}

/// Replaces the text at `key` with `value`, as the smallest splice that gets there, so
/// concurrent edits elsewhere in the same text survive.
pub(crate) fn write_text(doc: &mut AutoCommit, obj: &ObjId, key: &str, value: &str) -> Result<(), automerge::AutomergeError> {
    let text = match doc.get(obj, key)? {
        Some((Value::Object(ObjType::Text), id)) => id,
        _ => doc.put_object(obj, key, ObjType::Text)?,
    };
    doc.update_text(&text, value)
}
