//! Tolerant reads and careful writes of single fields.
//!
//! Documents come from peers, so every read checks the type it finds. A missing field
//! is simply the default; a field of the wrong type is the default *and* a [`Problem`].

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value, transaction::Transactable};

/// Something in a document that was not what schema v1 expects; reading went on
/// with the default value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// One field as found, whatever its source (the live document or a hydrated copy).
pub(crate) enum Field {
    Missing,
    Text(String),
    Scalar(ScalarValue),
    /// A map: its keys (sets are stored as `key -> true`).
    Keys(Vec<String>),
    /// Some other object (a list, say), named for the problem report.
    Other(&'static str),
    Unreadable(String),
}

/// Where a [`Reader`] gets fields from.
pub(crate) trait FieldSource {
    fn field(&self, key: &str) -> Field;
    /// The scalar entries of the map at `key` (other values skipped); `None` if there
    /// is no map there.
    fn scalars(&self, key: &str) -> Option<Vec<(String, ScalarValue)>>;
}

/// Fields of one map in the live document.
pub(crate) struct DocFields<'a> {
    pub doc: &'a AutoCommit,
    pub obj: ObjId,
}

impl FieldSource for DocFields<'_> {
    fn field(&self, key: &str) -> Field {
        match self.doc.get(&self.obj, key) {
            Err(e) => Field::Unreadable(e.to_string()),
            Ok(None) => Field::Missing,
            Ok(Some((Value::Scalar(s), _))) => Field::Scalar(s.into_owned()),
            Ok(Some((Value::Object(ObjType::Text), id))) => match self.doc.text(&id) {
                Ok(t) => Field::Text(t),
                Err(e) => Field::Unreadable(e.to_string()),
            },
            Ok(Some((Value::Object(ObjType::Map), id))) => Field::Keys(self.doc.keys(&id).collect()),
            Ok(Some((Value::Object(ObjType::List), _))) => Field::Other("list"),
            Ok(Some((Value::Object(ObjType::Table), _))) => Field::Other("table"),
        }
    }

    fn scalars(&self, key: &str) -> Option<Vec<(String, ScalarValue)>> {
        let map = child_map(self.doc, &self.obj, key)?;
        Some(
            self.doc
                .keys(&map)
                .filter_map(|k| match self.doc.get(&map, k.as_str()) {
                    Ok(Some((Value::Scalar(s), _))) => Some((k, s.into_owned())),
                    _ => None,
                })
                .collect(),
        )
    }
}

/// Fields of a hydrated map: one pass over the document reads a whole collection,
/// several times faster than one lookup per field.
impl FieldSource for automerge::hydrate::Map {
    fn field(&self, key: &str) -> Field {
        use automerge::hydrate::Value as H;
        match self.get(key) {
            None => Field::Missing,
            Some(H::Scalar(s)) => Field::Scalar(s.clone()),
            Some(H::Text(t)) => Field::Text(t.to_string()),
            Some(H::Map(m)) => Field::Keys(m.iter().map(|(k, _)| k.clone()).collect()),
            Some(H::List(_)) => Field::Other("list"),
        }
    }

    fn scalars(&self, key: &str) -> Option<Vec<(String, ScalarValue)>> {
        use automerge::hydrate::Value as H;
        match self.get(key) {
            Some(H::Map(m)) => Some(
                m.iter()
                    .filter_map(|(k, v)| match &v.value {
                        H::Scalar(s) => Some((k.clone(), s.clone())),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// Reads typed fields from a source, collecting problems.
pub(crate) struct Reader<'a, S: FieldSource + ?Sized> {
    pub source: &'a S,
    pub path: String,
    pub problems: &'a mut Vec<Problem>,
}

impl<S: FieldSource + ?Sized> Reader<'_, S> {
    pub fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(Problem { path: format!("{}/{}", self.path, key), message: message.into() });
    }

    /// Reports a field of the wrong kind and yields the default.
    fn wrong<T: Default>(&mut self, key: &str, expected: &str, found: Field) -> T {
        self.problem(key, format!("expected {expected}, found {}", describe_field(&found)));
        T::default()
    }

    /// Text stored as `Text` (or, tolerated, as a plain string).
    pub fn text(&mut self, key: &str) -> String {
        match self.source.field(key) {
            Field::Missing => String::new(),
            Field::Text(t) => t,
            Field::Scalar(ScalarValue::Str(s)) => s.to_string(),
            other => self.wrong(key, "text", other),
        }
    }

    /// A short string label (a newer writer may have upgraded it to Text).
    pub fn str(&mut self, key: &str) -> String {
        match self.source.field(key) {
            Field::Missing => String::new(),
            Field::Text(t) => t,
            Field::Scalar(ScalarValue::Str(s)) => s.to_string(),
            other => self.wrong(key, "a string", other),
        }
    }

    /// An integer (also accepts unsigned, counters, timestamps and whole floats).
    pub fn int(&mut self, key: &str) -> Option<i64> {
        match self.source.field(key) {
            Field::Missing => None,
            Field::Scalar(ScalarValue::Int(i)) => Some(i),
            Field::Scalar(ScalarValue::Uint(u)) => i64::try_from(u).ok(),
            Field::Scalar(ScalarValue::Counter(c)) => Some(i64::from(&c)),
            Field::Scalar(ScalarValue::Timestamp(t)) => Some(t),
            Field::Scalar(ScalarValue::F64(f)) if f.fract() == 0.0 && f.is_finite() => Some(f as i64),
            other => self.wrong::<Option<i64>>(key, "a whole number", other),
        }
    }

    /// A finite number.
    pub fn number(&mut self, key: &str) -> Option<f64> {
        match self.source.field(key) {
            Field::Missing | Field::Scalar(ScalarValue::Null) => None,
            Field::Scalar(ScalarValue::F64(f)) if f.is_finite() => Some(f),
            Field::Scalar(ScalarValue::Int(i)) => Some(i as f64),
            Field::Scalar(ScalarValue::Uint(u)) => Some(u as f64),
            other => self.wrong::<Option<f64>>(key, "a number", other),
        }
    }

    /// A calendar day (`YYYY-MM-DD`); anything else is reported and read as unset.
    pub fn date(&mut self, key: &str) -> Option<crate::Date> {
        let raw = self.str(key);
        if raw.trim().is_empty() {
            return None;
        }
        match crate::Date::parse(&raw) {
            Ok(day) => Some(day),
            Err(e) => {
                self.problem(key, format!("{e}; shown as not set"));
                None
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> bool {
        match self.source.field(key) {
            Field::Missing => false,
            Field::Scalar(ScalarValue::Boolean(b)) => b,
            other => self.wrong(key, "true/false", other),
        }
    }

    /// The numeric entries of a map (numbers, whole numbers and counters); entries of
    /// another type are skipped and reported.
    pub fn number_map(&mut self, key: &str) -> Vec<(String, f64)> {
        let Some(entries) = self.source.scalars(key) else {
            return match self.source.field(key) {
                Field::Missing => Vec::new(),
                other => self.wrong(key, "a map", other),
            };
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match v {
                ScalarValue::F64(f) if f.is_finite() => out.push((k, f)),
                ScalarValue::Int(i) => out.push((k, i as f64)),
                ScalarValue::Uint(u) => out.push((k, u as f64)),
                ScalarValue::Counter(c) => out.push((k, i64::from(&c) as f64)),
                // Cleared inputs may be stored as null by other writers.
                ScalarValue::Null => {}
                other => {
                    let shown: String = k.chars().take(40).collect();
                    self.problem(&format!("{key}/{shown}"), format!("expected a number, found {}", describe(&other)));
                }
            }
        }
        out
    }

    /// The members of a set stored as `map key -> true`, sorted.
    pub fn set(&mut self, key: &str) -> Vec<String> {
        match self.source.field(key) {
            Field::Missing => Vec::new(),
            Field::Keys(mut keys) => {
                keys.sort();
                keys
            }
            other => self.wrong(key, "a set (map)", other),
        }
    }
}

/// What a field holds, in words for a problem report ("a string", "nothing").
pub(crate) fn describe_field(found: &Field) -> String {
    match found {
        Field::Scalar(s) => describe(s).to_owned(),
        Field::Text(_) => "text".to_owned(),
        Field::Keys(_) => "a map".to_owned(),
        Field::Other(kind) => format!("a {kind}"),
        Field::Unreadable(e) => format!("something unreadable ({e})"),
        Field::Missing => "nothing".to_owned(),
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
