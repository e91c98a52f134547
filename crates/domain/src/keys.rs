//! Reading back the fixed keys an artifact or an edit holds as `&'static str` (a
//! choice's key, a row's standing, a checklist's item and state, a status) from a
//! serialized copy of it, such as the app's view cache or an edit waiting in storage.
//! A key is only accepted if some kind's fields or a status declare it, so a copy can
//! never hold a key the document could not.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::de::{Deserialize, Deserializer, Error};

use crate::kind::{visit_kinds, FieldType, Kind, KindVisitor};

/// A fixed key, as fields that serialize hold it. (An alias, not `&'static str`
/// written out: serde's derive would read that lifetime as a borrow from the input.)
pub type Key = &'static str;

/// Every key some kind's fields declare.
fn declared() -> &'static HashSet<&'static str> {
    static KEYS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        struct Collect(HashSet<&'static str>);
        impl KindVisitor for Collect {
            fn visit<K: Kind>(&mut self) {
                for field in K::FIELDS {
                    let lists: &[&[(&'static str, &'static str)]] = match &field.ty {
                        FieldType::Choice(options) | FieldType::Rows(options) | FieldType::Counts(options) => &[options],
                        FieldType::Checklist { items, states } => &[items, states],
                        _ => &[],
                    };
                    self.0.extend(lists.iter().flat_map(|list| list.iter().map(|(key, _)| *key)));
                }
            }
        }
        let mut keys = Collect(HashSet::new());
        visit_kinds(&mut keys);
        // The statuses of the kinds written before `Kind` (a backlog import's choices
        // name them).
        keys.0.extend(crate::IdeaStatus::ALL.iter().map(|s| s.key()));
        keys.0.extend(crate::story::StoryStatus::ALL.iter().map(|s| s.key()));
        keys.0
    })
}

/// The declared key spelled `raw`.
pub fn find(raw: &str) -> Option<&'static str> {
    declared().get(raw).copied()
}

fn known<E: Error>(raw: String) -> Result<&'static str, E> {
    find(&raw).ok_or_else(|| E::custom(format!("\"{raw}\" is no field's key")))
}

/// For a `&'static str` field.
pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    known(String::deserialize(d)?)
}

/// For an `Option<&'static str>` field.
pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    Option::<String>::deserialize(d)?.map(known).transpose()
}

/// For a `Vec<(String, &'static str)>` field (named rows with a key each).
pub fn rows<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, &'static str)>, D::Error> {
    Vec::<(String, String)>::deserialize(d)?.into_iter().map(|(name, key)| Ok((name, known(key)?))).collect()
}

/// For a `BTreeMap<String, &'static str>` field (names mapped to a key each).
pub fn map<'de, D: Deserializer<'de>>(d: D) -> Result<std::collections::BTreeMap<String, &'static str>, D::Error> {
    std::collections::BTreeMap::<String, String>::deserialize(d)?.into_iter().map(|(name, key)| Ok((name, known(key)?))).collect()
}

/// For a collection's name (a [`crate::schema::COLLECTIONS`] entry).
pub fn collection<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let raw = String::deserialize(d)?;
    crate::schema::COLLECTIONS.iter().copied().find(|c| *c == raw).ok_or_else(|| D::Error::custom(format!("\"{raw}\" is no collection")))
}
