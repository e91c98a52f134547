//! Artifact kinds: one description per kind, and everything generic built on it.
//!
//! A kind (a competitor, a trend…) is a type implementing [`Kind`]: its collection,
//! its fields ([`FieldSpec`]: key, label, type), how it reads itself from the document
//! and how it shows each field. From that alone the workspace creates, reads, edits,
//! deletes and restores it ([`Workspace::create_item`], [`Workspace::item`],
//! [`Workspace::items`], [`Workspace::set_field`], [`Workspace::delete_item`]), change
//! tracking names it, and JSON and Markdown export and import carry it
//! ([`crate::export`]). Adding a kind is its own file plus a line in [`visit_kinds`].

use automerge::{transaction::Transactable, ObjType, ReadDoc, ScalarValue, ROOT};

use crate::date::Date;
use crate::fields::{ensure_map, write_text, FieldSource, Problem, Reader};
use crate::schema::{CREATED_AT, CREATED_BY, DELETED, UPDATED_AT};
use crate::workspace::{EditError, Workspace};
use crate::Id;

/// The fields every artifact carries.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    pub id: Option<Id>,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub deleted: bool,
    /// Its tags (a set in the document: two people tagging at once keep both).
    pub tags: Vec<String>,
}

/// What a field holds: how it is stored, validated, edited and exported.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldType {
    /// One line of collaborative text (Automerge `Text`).
    Line,
    /// Several lines of collaborative text (Automerge `Text`).
    Text,
    /// One of a fixed set of values, `(key, label)`; unset is allowed.
    Choice(&'static [(&'static str, &'static str)]),
    /// A calendar day ([`Date`]); unset is allowed.
    Date,
    /// Named rows, each with one of a fixed set of values `(key, label)` (e.g. a
    /// competitor's standing per feature). Stored as a map `row name -> key`, so two
    /// people adding rows at once keep both.
    Rows(&'static [(&'static str, &'static str)]),
    /// A number from `min` to `max`, in `unit` ("person-months"); unset is allowed.
    Number { min: f64, max: f64, unit: &'static str },
    /// The artifact's place among its neighbours on a board ([`crate::position`]).
    /// Set by moving the artifact, never typed; not shown as a field.
    Position,
    /// A fixed list of items (`(key, label)`), each with a state among `states`, an
    /// owner and a note: a release's readiness per function. Stored as one map with
    /// keys `<item>/state`, `<item>/owner`, `<item>/note`, so two people ticking
    /// different items, or one's owner and another's state, keep both.
    Checklist { items: &'static [(&'static str, &'static str)], states: &'static [(&'static str, &'static str)] },
    /// Rows added by people, each with a name and a whole number per column `(key,
    /// label)` (an experiment's variants: visitors, conversions), in the order they
    /// were added. Stored as one map with keys `<row>/name`, `<row>/at` (when it was
    /// added) and `<row>/<column>`, `<row>` a random id, so two people adding rows or
    /// typing in different cells keep both.
    Counts(&'static [(&'static str, &'static str)]),
    /// Numbers over time, one per day (a KPI's measurements). Stored as one map
    /// `YYYY-MM-DD -> f64`, so two people measuring different days keep both, and the
    /// same day measured twice holds one value. Its values read in the kind's `unit`
    /// field, when it has one.
    Series,
}

impl FieldType {
    /// Whether people edit it as a field (a position is changed by moving).
    pub fn is_shown(self) -> bool {
        self != FieldType::Position
    }
}

/// One field of a kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldSpec {
    /// The key in the artifact's map.
    pub key: &'static str,
    /// What people see ("Positioning").
    pub label: &'static str,
    pub ty: FieldType,
    /// An example of what goes here, shown in an empty input.
    pub placeholder: &'static str,
}

/// A field's value as read, for generic views and export.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Text(String),
    /// The chosen key, if any.
    Choice(Option<&'static str>),
    Date(Option<Date>),
    Rows(Vec<(String, &'static str)>),
    Number(Option<f64>),
    /// A position key (empty when the artifact was never moved).
    Position(String),
    /// Every item of the checklist, in the field's order.
    Checklist(Vec<Check>),
    /// Every row, in the order added.
    Counts(Vec<CountRow>),
    /// Every point, oldest first.
    Series(Vec<Point>),
}

/// One point of a `Series` field: a day's value.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    pub date: Date,
    pub value: f64,
}

/// The largest size of a `Series` value (either sign).
pub const MAX_MEASURE: f64 = 1e15;

/// One row of a `Counts` field.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CountRow {
    /// The row's id within the field.
    pub row: String,
    pub name: String,
    /// A value per column, in the field's column order.
    pub values: Vec<Option<u64>>,
}

/// The largest number a `Counts` cell holds.
pub const MAX_COUNT: u64 = 1_000_000_000_000;

/// Whether `row` can name a row of a `Counts` field (1 to 32 lowercase letters and digits).
pub fn is_row_id(row: &str) -> bool {
    (1..=32).contains(&row.len()) && row.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// One item of a `Checklist` field.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Check {
    #[serde(deserialize_with = "crate::keys::one")]
    pub item: crate::keys::Key,
    /// A key of the field's states, if set.
    #[serde(deserialize_with = "crate::keys::option")]
    pub state: Option<crate::keys::Key>,
    pub owner: String,
    pub note: String,
}

/// Which part of a checklist item an edit sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CheckPart {
    State,
    Owner,
    Note,
}

impl CheckPart {
    pub fn key(self) -> &'static str {
        match self {
            CheckPart::State => "state",
            CheckPart::Owner => "owner",
            CheckPart::Note => "note",
        }
    }
}

/// A field's new value, for [`Workspace::set_field`].
#[derive(Clone, Debug, PartialEq)]
pub enum FieldInput<'a> {
    /// Text, a choice key ("" clears it) or a date (`YYYY-MM-DD`, "" clears it).
    Value(&'a str),
    /// Sets one row of a `Rows` field to a choice key ("" removes the row).
    Row { name: &'a str, value: &'a str },
    /// Sets one part of one item of a `Checklist` field ("" clears it).
    Check { item: &'a str, part: CheckPart, value: &'a str },
    /// Sets one cell of a `Counts` row: its `name` (a new row id adds the row; ""
    /// removes it) or a column's whole number ("" clears it).
    Count { row: &'a str, column: &'a str, value: &'a str },
    /// Sets days of a `Series` field: a value, or `None` to remove the day's point.
    Points(&'a [(Date, Option<f64>)]),
}

/// Longest row name of a `Rows` field, in characters.
pub const MAX_ROW_NAME: usize = 120;
/// Longest owner of a checklist item, in characters.
pub const MAX_CHECK_OWNER: usize = 120;
/// Longest note of a checklist item, in characters.
pub const MAX_CHECK_NOTE: usize = 2000;

/// `Kind::meta` and `Kind::meta_mut` for a kind whose struct keeps its [`Meta`] in a
/// field called `meta` (every kind so far).
macro_rules! meta_in_field {
    () => {
        fn meta(&self) -> &$crate::kind::Meta {
            &self.meta
        }

        fn meta_mut(&mut self) -> &mut $crate::kind::Meta {
            &mut self.meta
        }
    };
}
pub(crate) use meta_in_field;

/// An artifact kind. Implemented once per kind, in the kind's own module.
pub trait Kind: Clone + PartialEq + Default + Send + Sync + 'static + serde::Serialize + serde::de::DeserializeOwned {
    /// The document's collection key, one of [`crate::schema::COLLECTIONS`].
    const COLLECTION: &'static str;
    /// One of them, for people ("Competitor").
    const SINGULAR: &'static str;
    /// Several ("Competitors").
    const PLURAL: &'static str;
    /// What the kind is for, in a sentence or two (shown on its empty page).
    const ABOUT: &'static str;
    /// Every field but the common ones; the first is the title, a `Line`.
    const FIELDS: &'static [FieldSpec];

    /// The common fields.
    fn meta(&self) -> &Meta;
    fn meta_mut(&mut self) -> &mut Meta;
    /// Reads the kind's own fields (the common ones are read for it).
    fn read(fields: &mut Fields<'_>) -> Self;
    /// The value of field `key` (one of [`Kind::FIELDS`]).
    fn value(&self, key: &str) -> FieldValue;
    /// Keeps what the kind shows of the links that start at it (its release, what it
    /// blocks…), so a view of the artifact follows its links. Most kinds keep none.
    fn read_links(&mut self, _links: &[crate::link::Link]) {}
    /// Whether field `key` applies to this artifact (an objective, unlike a key result,
    /// has no measurements): the editor leaves out those that do not. All apply by
    /// default.
    fn shows(&self, _key: &str) -> bool {
        true
    }
    /// A derived figure shown first on the artifact's row, with a style name (a risk's
    /// "Score 20 · High", `high`). Most kinds have none.
    fn headline(&self) -> Option<(String, &'static str)> {
        None
    }

    /// What the artifact is called in lists.
    fn title(&self) -> String {
        match self.value(Self::FIELDS[0].key) {
            FieldValue::Text(t) if !t.trim().is_empty() => t.trim().to_owned(),
            _ => format!("Untitled {}", in_sentence(Self::SINGULAR)),
        }
    }

    fn id(&self) -> Option<&Id> {
        self.meta().id.as_ref()
    }

    fn is_deleted(&self) -> bool {
        self.meta().deleted
    }

    /// The spec of field `key`, if the kind has one.
    fn field(key: &str) -> Option<&'static FieldSpec> {
        Self::FIELDS.iter().find(|f| f.key == key)
    }
}

/// Typed, tolerant reads of one artifact's fields (a wrong type is the default plus a
/// [`Problem`]).
pub struct Fields<'a> {
    reader: Reader<'a, automerge::hydrate::Map>,
}

impl Fields<'_> {
    pub fn text(&mut self, key: &str) -> String {
        self.reader.text(key)
    }

    /// A choice among `options`; an unknown value is reported and read as unset.
    pub fn choice(&mut self, key: &str, options: &'static [(&'static str, &'static str)]) -> Option<&'static str> {
        let raw = self.reader.str(key);
        if raw.is_empty() {
            return None;
        }
        let found = options.iter().find(|(k, _)| *k == raw).map(|(k, _)| *k);
        if found.is_none() {
            let shown: String = raw.chars().take(40).collect();
            self.reader.problem(key, format!("unknown value {shown:?}; shown as not set"));
        }
        found
    }

    /// A calendar day; anything else is reported and read as unset.
    pub fn date(&mut self, key: &str) -> Option<Date> {
        self.reader.date(key)
    }

    /// The rows of a `Rows` field, sorted by name; rows with an unknown value are
    /// reported and left out.
    pub fn rows(&mut self, key: &str, options: &'static [(&'static str, &'static str)]) -> Vec<(String, &'static str)> {
        let Some(entries) = self.reader.source.scalars(key) else {
            let _ = self.reader.set(key); // reports a non-map
            return Vec::new();
        };
        let mut rows = Vec::with_capacity(entries.len());
        for (name, value) in entries {
            let known = match &value {
                ScalarValue::Str(s) => options.iter().find(|(k, _)| *k == s.as_str()).map(|(k, _)| *k),
                _ => None,
            };
            match known {
                Some(k) => rows.push((name, k)),
                None => {
                    let shown: String = name.chars().take(40).collect();
                    self.reader.problem(&format!("{key}/{shown}"), "not a known value; left out".to_owned());
                }
            }
        }
        crate::sort::sort_by(&mut rows, |a, b| a.0.to_lowercase().cmp(&b.0.to_lowercase()).then_with(|| a.0.cmp(&b.0)));
        rows
    }
}

impl Fields<'_> {
    /// A number; anything but a finite number in `min..=max` is reported and read as unset.
    pub fn number(&mut self, key: &str, min: f64, max: f64) -> Option<f64> {
        let n = self.reader.number(key)?;
        if (min..=max).contains(&n) {
            Some(n)
        } else {
            self.reader.problem(key, format!("{n} is outside {min} to {max}; shown as not set"));
            None
        }
    }

    /// A position key; a malformed one is reported and read as empty (never moved).
    pub fn position(&mut self, key: &str) -> String {
        let raw = self.reader.str(key);
        if raw.is_empty() || crate::position::is_valid(&raw) {
            raw
        } else {
            self.reader.problem(key, "not a position; placed as never moved".to_owned());
            String::new()
        }
    }

    /// Every row of a `Counts` field, in the order added; a cell that is not a whole
    /// number in range is reported and read as empty, a row without a name (removed
    /// while someone typed in it) is left out.
    pub fn counts(&mut self, key: &str, columns: &'static [(&'static str, &'static str)]) -> Vec<CountRow> {
        let Some(entries) = self.reader.source.scalars(key) else {
            let _ = self.reader.set(key); // reports a non-map
            return Vec::new();
        };
        let mut rows: std::collections::BTreeMap<String, (i64, Option<String>, Vec<Option<u64>>)> = std::collections::BTreeMap::new();
        for (entry, value) in entries {
            let Some((row, part)) = entry.split_once('/') else { continue };
            if !is_row_id(row) {
                continue;
            }
            let slot = rows.entry(row.to_owned()).or_insert_with(|| (i64::MAX, None, vec![None; columns.len()]));
            match (part, value) {
                ("name", ScalarValue::Str(s)) => slot.1 = Some(s.chars().take(MAX_ROW_NAME).collect()),
                ("at", ScalarValue::Int(t)) => slot.0 = t,
                ("at", ScalarValue::Uint(t)) => slot.0 = i64::try_from(t).unwrap_or(i64::MAX),
                (column, v) => {
                    let Some(c) = columns.iter().position(|(k, _)| *k == column) else { continue };
                    let n = match v {
                        ScalarValue::Uint(n) => Some(n),
                        ScalarValue::Int(n) => u64::try_from(n).ok(),
                        ScalarValue::F64(f) if f.fract() == 0.0 && f >= 0.0 => Some(f as u64),
                        _ => None,
                    };
                    match n.filter(|n| *n <= MAX_COUNT) {
                        Some(n) => slot.2[c] = Some(n),
                        None => self.reader.problem(&format!("{key}/{row}/{column}"), "not a whole number in range; shown as empty".to_owned()),
                    }
                }
            }
        }
        let mut out: Vec<(i64, CountRow)> = rows.into_iter().filter_map(|(row, (at, name, values))| Some((at, CountRow { row, name: name?, values }))).collect();
        crate::sort::sort_by(&mut out, |a, b| a.0.cmp(&b.0).then_with(|| a.1.row.cmp(&b.1.row)));
        out.into_iter().map(|(_, r)| r).collect()
    }

    /// Every point of a `Series` field, oldest first; an entry that is not a day with a
    /// finite number in range is reported and left out.
    pub fn series(&mut self, key: &str) -> Vec<Point> {
        let Some(entries) = self.reader.source.scalars(key) else {
            let _ = self.reader.set(key); // reports a non-map
            return Vec::new();
        };
        let mut points = Vec::with_capacity(entries.len());
        for (day, value) in entries {
            let value = match value {
                ScalarValue::F64(f) => Some(f),
                ScalarValue::Int(n) => Some(n as f64),
                ScalarValue::Uint(n) => Some(n as f64),
                _ => None,
            };
            match (Date::parse(&day), value.filter(|v| v.is_finite() && v.abs() <= MAX_MEASURE)) {
                (Ok(date), Some(value)) => points.push(Point { date, value }),
                _ => {
                    let shown: String = day.chars().take(40).collect();
                    self.reader.problem(&format!("{key}/{shown}"), "not a day with a number; left out".to_owned());
                }
            }
        }
        crate::sort::sort_by_key(&mut points, |p| p.date);
        points
    }

    /// Every item of a checklist, in `items`' order; unknown states are reported and
    /// read as unset, unknown entries skipped.
    pub fn checklist(&mut self, key: &str, items: &'static [(&'static str, &'static str)], states: &'static [(&'static str, &'static str)]) -> Vec<Check> {
        let mut checks: Vec<Check> = items.iter().map(|(k, _)| Check { item: k, state: None, owner: String::new(), note: String::new() }).collect();
        let Some(entries) = self.reader.source.scalars(key) else {
            let _ = self.reader.set(key); // reports a non-map
            return checks;
        };
        for (entry, value) in entries {
            let text = match &value {
                ScalarValue::Str(s) => Some(s.to_string()),
                _ => None,
            };
            let slot = entry.split_once('/').and_then(|(item, part)| Some((checks.iter_mut().find(|c| c.item == item)?, part)));
            match (slot, text) {
                (Some((check, "state")), Some(t)) => match states.iter().find(|(k, _)| *k == t) {
                    Some((k, _)) => check.state = Some(k),
                    None => self.reader.problem(&format!("{key}/{}", check.item), "not a known state; shown as not set".to_owned()),
                },
                (Some((check, "owner")), Some(t)) => check.owner = t.chars().take(MAX_CHECK_OWNER).collect(),
                (Some((check, "note")), Some(t)) => check.note = t.chars().take(MAX_CHECK_NOTE).collect(),
                _ => {
                    let shown: String = entry.chars().take(40).collect();
                    self.reader.problem(&format!("{key}/{shown}"), "not an item this version knows; skipped".to_owned());
                }
            }
        }
        checks
    }
}

fn read_item<K: Kind>(map: &automerge::hydrate::Map, id: &Id, problems: &mut Vec<Problem>) -> K {
    let reader = Reader { source: map, path: format!("{}/{id}", K::COLLECTION), problems };
    let mut fields = Fields { reader };
    let mut item = K::read(&mut fields);
    let r = &mut fields.reader;
    *item.meta_mut() = Meta {
        id: Some(id.clone()),
        created_at: r.int(CREATED_AT).unwrap_or(0),
        created_by: r.str(CREATED_BY),
        updated_at: r.int(UPDATED_AT).unwrap_or(0),
        deleted: r.bool(DELETED),
        tags: r.set(crate::schema::TAGS),
    };
    item
}

impl Workspace {
    /// Adds an artifact of kind `K` titled `title`; every text field is created with
    /// it, so two people's first edits merge.
    pub fn create_item<K: Kind>(&mut self, title: &str, now_ms: i64, by: &str) -> Result<Id, EditError> {
        let id = self.new_id();
        let map = ensure_map(&mut self.doc, &ROOT, K::COLLECTION)?;
        let obj = self.doc.put_object(&map, id.as_str(), ObjType::Map)?;
        for field in K::FIELDS {
            match field.ty {
                FieldType::Line | FieldType::Text => {
                    self.doc.put_object(&obj, field.key, ObjType::Text)?;
                }
                FieldType::Rows(_) | FieldType::Checklist { .. } | FieldType::Counts(_) | FieldType::Series => {
                    self.doc.put_object(&obj, field.key, ObjType::Map)?;
                }
                FieldType::Choice(_) | FieldType::Date | FieldType::Number { .. } | FieldType::Position => {}
            }
        }
        write_text(&mut self.doc, &obj, K::FIELDS[0].key, title.trim())?;
        // Made with the artifact: two people adding the first tag at once keep both.
        self.doc.put_object(&obj, crate::schema::TAGS, ObjType::Map)?;
        self.put_common_fields(&obj, now_ms, by)?;
        Ok(id)
    }

    /// Artifact `id` of kind `K` (deleted or not), with any problems reading it.
    pub fn item<K: Kind>(&self, id: &Id) -> Option<(K, Vec<Problem>)> {
        let obj = self.artifact(K::COLLECTION, id).ok()?;
        let mut problems = Vec::new();
        let mut item = match self.doc.hydrate(&obj, None) {
            Ok(automerge::hydrate::Value::Map(map)) => read_item::<K>(&map, id, &mut problems),
            _ => return None,
        };
        item.read_links(&self.stored_links_from(&crate::link::Ref::new(K::COLLECTION, id.clone())));
        Some((item, problems))
    }

    /// Every artifact of kind `K` (deleted included), read in one pass.
    pub fn items<K: Kind>(&self) -> (Vec<K>, Vec<Problem>) {
        let (mut items, problems) = self.read_collection(K::COLLECTION, read_item::<K>);
        for item in &mut items {
            if let Some(id) = item.id().cloned() {
                item.read_links(&self.stored_links_from(&crate::link::Ref::new(K::COLLECTION, id)));
            }
        }
        (items, problems)
    }

    /// Sets field `key` of artifact `id`, validating the value for the field's type.
    pub fn set_field<K: Kind>(&mut self, id: &Id, key: &str, input: FieldInput<'_>, now_ms: i64) -> Result<(), EditError> {
        let spec = K::field(key).ok_or_else(|| EditError::Invalid(format!("a {} has no field {key:?}", in_sentence(K::SINGULAR))))?;
        let obj = self.artifact(K::COLLECTION, id)?;
        match (spec.ty, input) {
            (FieldType::Line, FieldInput::Value(v)) => write_text(&mut self.doc, &obj, key, &v.replace(['\n', '\r'], " "))?,
            (FieldType::Text, FieldInput::Value(v)) => write_text(&mut self.doc, &obj, key, v)?,
            (FieldType::Choice(options), FieldInput::Value(v)) => {
                if v.is_empty() {
                    self.clear(&obj, key)?;
                } else if options.iter().any(|(k, _)| *k == v) {
                    self.doc.put(&obj, key, v)?;
                } else {
                    return Err(EditError::Invalid(format!("{} is one of {}", spec.label, labels(options))));
                }
            }
            (FieldType::Date, FieldInput::Value(v)) => {
                if v.trim().is_empty() {
                    self.clear(&obj, key)?;
                } else {
                    let day = Date::parse(v).map_err(|e| EditError::Invalid(e.to_string()))?;
                    self.doc.put(&obj, key, day.to_string())?;
                }
            }
            (FieldType::Rows(options), FieldInput::Row { name, value }) => {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > MAX_ROW_NAME {
                    return Err(EditError::Invalid(format!("a row of {} needs a name of 1 to {MAX_ROW_NAME} characters", spec.label)));
                }
                let rows = ensure_map(&mut self.doc, &obj, key)?;
                if value.is_empty() {
                    if self.doc.get(&rows, name)?.is_some() {
                        self.doc.delete(&rows, name)?;
                    }
                } else if options.iter().any(|(k, _)| *k == value) {
                    self.doc.put(&rows, name, value)?;
                } else {
                    return Err(EditError::Invalid(format!("each row of {} is one of {}", spec.label, labels(options))));
                }
            }
            (FieldType::Number { min, max, .. }, FieldInput::Value(v)) => {
                if v.trim().is_empty() {
                    self.clear(&obj, key)?;
                } else {
                    let n = v.trim().parse::<f64>().ok().filter(|n| n.is_finite() && (min..=max).contains(n));
                    let n = n.ok_or_else(|| EditError::Invalid(format!("{} is a number from {min} to {max}", spec.label)))?;
                    self.doc.put(&obj, key, n)?;
                }
            }
            (FieldType::Position, FieldInput::Value(v)) => {
                if !crate::position::is_valid(v) {
                    return Err(EditError::Invalid(format!("{v:?} is not a position")));
                }
                self.doc.put(&obj, key, v)?;
            }
            (FieldType::Checklist { items, states }, FieldInput::Check { item, part, value }) => {
                if !items.iter().any(|(k, _)| *k == item) {
                    return Err(EditError::Invalid(format!("{} has no item {item:?}", spec.label)));
                }
                let value = value.trim();
                let valid = match part {
                    CheckPart::State => value.is_empty() || states.iter().any(|(k, _)| *k == value),
                    CheckPart::Owner => value.chars().count() <= MAX_CHECK_OWNER,
                    CheckPart::Note => value.chars().count() <= MAX_CHECK_NOTE,
                };
                if !valid {
                    return Err(EditError::Invalid(match part {
                        CheckPart::State => {
                            format!("each item of {} is {}", spec.label, labels(states))
                        }
                        CheckPart::Owner => {
                            format!("an owner is at most {MAX_CHECK_OWNER} characters")
                        }
                        CheckPart::Note => format!("a note is at most {MAX_CHECK_NOTE} characters"),
                    }));
                }
                let map = ensure_map(&mut self.doc, &obj, key)?;
                let entry = format!("{item}/{}", part.key());
                if value.is_empty() {
                    if self.doc.get(&map, entry.as_str())?.is_some() {
                        self.doc.delete(&map, entry.as_str())?;
                    }
                } else {
                    self.doc.put(&map, entry, value)?;
                }
            }
            (FieldType::Counts(columns), FieldInput::Count { row, column, value }) => {
                if !is_row_id(row) {
                    return Err(EditError::Invalid(format!("{row:?} is not a row of {}", spec.label)));
                }
                let map = ensure_map(&mut self.doc, &obj, key)?;
                let prefix = format!("{row}/");
                let value = value.trim();
                if column == "name" {
                    if value.is_empty() {
                        let entries: Vec<String> = self.doc.keys(&map).filter(|k| k.starts_with(&prefix)).collect();
                        for entry in entries {
                            self.doc.delete(&map, entry.as_str())?;
                        }
                    } else if value.chars().count() > MAX_ROW_NAME {
                        return Err(EditError::Invalid(format!("a row of {} is named in at most {MAX_ROW_NAME} characters", spec.label)));
                    } else {
                        if self.doc.get(&map, format!("{prefix}at").as_str())?.is_none() {
                            self.doc.put(&map, format!("{prefix}at"), now_ms)?;
                        }
                        self.doc.put(&map, format!("{prefix}name"), value)?;
                    }
                } else if columns.iter().any(|(k, _)| *k == column) {
                    let entry = format!("{prefix}{column}");
                    if value.is_empty() {
                        if self.doc.get(&map, entry.as_str())?.is_some() {
                            self.doc.delete(&map, entry.as_str())?;
                        }
                    } else {
                        let n = value.replace([',', '_', ' '], "").parse::<u64>().ok().filter(|n| *n <= MAX_COUNT);
                        let n = n.ok_or_else(|| EditError::Invalid(format!("{} takes whole numbers from 0 to {MAX_COUNT}", spec.label)))?;
                        self.doc.put(&map, entry, n)?;
                    }
                } else {
                    return Err(EditError::Invalid(format!("{} has no column {column:?}", spec.label)));
                }
            }
            (FieldType::Series, FieldInput::Points(points)) => {
                if let Some((date, _)) = points.iter().find(|(_, v)| v.is_some_and(|v| !v.is_finite() || v.abs() > MAX_MEASURE)) {
                    return Err(EditError::Invalid(format!("{} on {date} is not a number up to 10¹⁵", spec.label)));
                }
                let map = ensure_map(&mut self.doc, &obj, key)?;
                for (date, value) in points {
                    let day = date.to_string();
                    match value {
                        Some(v) => self.doc.put(&map, day, *v)?,
                        None => {
                            if self.doc.get(&map, day.as_str())?.is_some() {
                                self.doc.delete(&map, day.as_str())?;
                            }
                        }
                    }
                }
            }
            (_, input) => return Err(EditError::Invalid(format!("{} does not take {input:?}", spec.label))),
        }
        self.touch(&obj, now_ms)
    }

    /// Removes field `key` of `obj` (an unset choice or date reads as missing).
    fn clear(&mut self, obj: &automerge::ObjId, key: &str) -> Result<(), EditError> {
        if self.doc.get(obj, key)?.is_some() {
            self.doc.delete(obj, key)?;
        }
        Ok(())
    }

    /// Soft-deletes artifact `id`: its content stays, so undo and a concurrent edit
    /// lose nothing.
    pub fn delete_item<K: Kind>(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.artifact(K::COLLECTION, id)?;
        self.set_deleted(&obj, true, now_ms)
    }

    /// Brings a deleted artifact back.
    pub fn restore_item<K: Kind>(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.artifact(K::COLLECTION, id)?;
        self.set_deleted(&obj, false, now_ms)
    }
}

/// The labels of `options`, for an error message ("low, medium or high").
fn labels(options: &[(&str, &str)]) -> String {
    let names: Vec<String> = options.iter().map(|(_, l)| l.to_lowercase()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// A kind's name inside a sentence: each word lower-cased but acronyms, words with two
/// capitals or more ("Objectives & KPIs" → "objectives & KPIs").
pub fn in_sentence(name: &str) -> String {
    name.split(' ')
        .map(|w| if w.chars().filter(|c| c.is_uppercase()).count() > 1 { w.to_owned() } else { w.to_lowercase() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The label of choice `key` among `options`.
pub fn choice_label(options: &[(&'static str, &'static str)], key: &str) -> &'static str {
    options.iter().find(|(k, _)| *k == key).map_or("", |(_, l)| *l)
}

/// Something done once per kind, e.g. exporting each kind's artifacts.
pub trait KindVisitor {
    fn visit<K: Kind>(&mut self);
}

/// Visits every kind described through [`Kind`], in the order they are shown. A new
/// kind is added here (and nowhere else in this crate but its own module).
pub fn visit_kinds(visitor: &mut impl KindVisitor) {
    visitor.visit::<crate::feature::Feature>();
    visitor.visit::<crate::release::Release>();
    visitor.visit::<crate::stage::Stage>();
    visitor.visit::<crate::beta::Beta>();
    visitor.visit::<crate::objective::Objective>();
    visitor.visit::<crate::risk::Risk>();
    visitor.visit::<crate::experiment::Experiment>();
    visitor.visit::<crate::cost::Cost>();
    visitor.visit::<crate::competitor::Competitor>();
    visitor.visit::<crate::trend::Trend>();
}

/// Something done once per artifact type, e.g. keeping a view of each.
pub trait ArtifactVisitor {
    fn visit<T: Artifact>(&mut self);
}

/// Visits every artifact type: the kinds written before [`Kind`] existed, then every
/// [`Kind`] (see [`visit_kinds`]).
pub fn visit_artifacts(visitor: &mut impl ArtifactVisitor) {
    visitor.visit::<crate::Idea>();
    visitor.visit::<crate::feedback::Feedback>();
    visitor.visit::<crate::persona::Persona>();
    visitor.visit::<crate::story::Story>();
    visitor.visit::<crate::document::Document>();
    struct Kinds<'a, V>(&'a mut V);
    impl<V: ArtifactVisitor> KindVisitor for Kinds<'_, V> {
        fn visit<K: Kind>(&mut self) {
            self.0.visit::<K>();
        }
    }
    visit_kinds(&mut Kinds(visitor));
}

/// Any artifact kept one signal per artifact in a view: a [`Kind`], or one of the
/// kinds written before [`Kind`] existed (ideas, feedback, personas, stories, documents).
pub trait Artifact: Clone + PartialEq + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static {
    /// The document's collection key.
    const COLLECTION: &'static str;
    /// Every artifact (deleted included), in one pass.
    fn read_all(ws: &Workspace) -> (Vec<Self>, Vec<Problem>);
    fn read_one(ws: &Workspace, id: &Id) -> Option<(Self, Vec<Problem>)>;
    fn artifact_id(&self) -> Option<&Id>;
    fn artifact_deleted(&self) -> bool;
}

impl<K: Kind> Artifact for K {
    const COLLECTION: &'static str = <K as Kind>::COLLECTION;
    fn read_all(ws: &Workspace) -> (Vec<Self>, Vec<Problem>) {
        ws.items::<K>()
    }
    fn read_one(ws: &Workspace, id: &Id) -> Option<(Self, Vec<Problem>)> {
        ws.item::<K>(id)
    }
    fn artifact_id(&self) -> Option<&Id> {
        self.id()
    }
    fn artifact_deleted(&self) -> bool {
        self.is_deleted()
    }
}

macro_rules! artifact {
    ($t:ty, $collection:expr, $all:ident, $one:ident) => {
        impl Artifact for $t {
            const COLLECTION: &'static str = $collection;
            fn read_all(ws: &Workspace) -> (Vec<Self>, Vec<Problem>) {
                ws.$all()
            }
            fn read_one(ws: &Workspace, id: &Id) -> Option<(Self, Vec<Problem>)> {
                ws.$one(id)
            }
            fn artifact_id(&self) -> Option<&Id> {
                self.id.as_ref()
            }
            fn artifact_deleted(&self) -> bool {
                self.deleted
            }
        }
    };
}
artifact!(crate::Idea, crate::schema::IDEAS, ideas, idea);
artifact!(crate::feedback::Feedback, crate::schema::FEEDBACK, all_feedback, feedback);
artifact!(crate::persona::Persona, crate::schema::PERSONAS, personas, persona);
artifact!(crate::story::Story, crate::schema::STORIES, stories, story);
artifact!(crate::document::Document, crate::schema::DOCUMENTS, documents, document);

/// Whether `item` mentions every word of `query` (case-insensitive) in any of its text,
/// choice labels, dates or comparison rows: the search of every kind's list.
pub fn matches<K: Kind>(item: &K, query: &str) -> bool {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return true;
    }
    let mut haystack = String::new();
    for field in K::FIELDS {
        match (field.ty, item.value(field.key)) {
            (_, FieldValue::Text(t)) => haystack.push_str(&t),
            (FieldType::Choice(options), FieldValue::Choice(Some(k))) => haystack.push_str(choice_label(options, k)),
            (_, FieldValue::Date(Some(d))) => haystack.push_str(&d.to_string()),
            (_, FieldValue::Rows(rows)) => rows.iter().for_each(|(name, _)| {
                haystack.push_str(name);
                haystack.push(' ');
            }),
            (_, FieldValue::Counts(rows)) => rows.iter().for_each(|r| {
                haystack.push_str(&r.name);
                haystack.push(' ');
            }),
            (_, FieldValue::Checklist(checks)) => checks.iter().for_each(|c| {
                haystack.push_str(&c.owner);
                haystack.push(' ');
                haystack.push_str(&c.note);
                haystack.push(' ');
            }),
            _ => {}
        }
        haystack.push('\n');
    }
    let haystack = haystack.to_lowercase();
    words.iter().all(|w| haystack.contains(w.as_str()))
}

/// The live artifacts of `items` matching `query`, in title order.
pub fn search<'a, K: Kind>(items: impl IntoIterator<Item = &'a K>, query: &str) -> Vec<&'a K> {
    let mut found: Vec<&K> = items.into_iter().filter(|i| !i.is_deleted() && matches(*i, query)).collect();
    found.sort_by_cached_key(|i| (i.title().to_lowercase(), i.id().cloned()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::competitor::Competitor;
    use crate::schema::{COMPETITORS, IDEAS, TRENDS};
    use crate::trend::Trend;

    #[test]
    fn a_peers_edit_to_any_kind_names_that_artifact() {
        let mut mine = Workspace::create("Payments", 1, "Ana");
        let acme = mine.create_item::<Competitor>("Acme", 2, "Ana").unwrap();
        mine.commit();
        let mut peer = mine.fork();
        mine.save_incremental();
        mine.mark_changes_seen();
        peer.set_field::<Competitor>(&acme, "strengths", FieldInput::Value("Brand"), 3).unwrap();
        let trend = peer.create_item::<Trend>("AI everywhere", 3, "Bo").unwrap();
        let changed = mine.apply(&peer.save_incremental()).unwrap();
        assert_eq!(changed.of(COMPETITORS).iter().collect::<Vec<_>>(), vec![&acme]);
        assert_eq!(changed.of(TRENDS).iter().collect::<Vec<_>>(), vec![&trend]);
        assert!(changed.of(IDEAS).is_empty() && !changed.everything && !changed.brief, "{changed:?}");
        assert_eq!(mine.item::<Competitor>(&acme).unwrap().0.strengths, "Brand");
    }

    #[test]
    fn every_reserved_collection_is_tracked() {
        // A collection is named by what touched it, even as a bare map of no known shape.
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let mut peer = ws.fork();
        let features = crate::fields::child_map(&peer.doc, &ROOT, crate::schema::OBJECTIVES).unwrap();
        let id = Id::random();
        peer.doc.put_object(&features, id.as_str(), ObjType::Map).unwrap();
        let changed = ws.apply(&peer.save_incremental()).unwrap();
        assert!(changed.of(crate::schema::OBJECTIVES).contains(&id), "{changed:?}");
    }

    #[test]
    fn names_in_a_sentence_keep_their_acronyms() {
        assert_eq!(in_sentence("Objective or KPI"), "objective or KPI");
        assert_eq!(in_sentence("Objectives & KPIs"), "objectives & KPIs");
        assert_eq!(in_sentence("Beta programs"), "beta programs");
        assert_eq!(in_sentence("A"), "a");
    }

    #[test]
    fn search_matches_every_word_in_any_field() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let acme = ws.create_item::<Competitor>("Acme", 2, "Ana").unwrap();
        ws.set_field::<Competitor>(&acme, "threat", FieldInput::Value("high"), 3).unwrap();
        ws.set_field::<Competitor>(&acme, "comparison", FieldInput::Row { name: "Offline mode", value: "we_lead" }, 3).unwrap();
        let zed = ws.create_item::<Competitor>("Zed Corp", 2, "Ana").unwrap();
        ws.set_field::<Competitor>(&zed, "weaknesses", FieldInput::Value("No OFFLINE support"), 3).unwrap();
        let gone = ws.create_item::<Competitor>("Offline Inc", 2, "Ana").unwrap();
        ws.delete_item::<Competitor>(&gone, 3).unwrap();
        let all = ws.items::<Competitor>().0;
        let titles = |q: &str| search(&all, q).into_iter().map(|c| c.title()).collect::<Vec<_>>();
        assert_eq!(titles("offline"), ["Acme", "Zed Corp"]);
        assert_eq!(titles("high offline"), ["Acme"]);
        assert_eq!(titles("  "), ["Acme", "Zed Corp"]);
        assert!(titles("pricing").is_empty());
    }
}
