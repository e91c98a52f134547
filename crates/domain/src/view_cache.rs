//! The view cache: a compact copy of everything the app shows of a workspace (every
//! artifact as read, the brief, the settings) with the document's heads it was read at.
//!
//! Opening a large workspace paints from it at once, long before the document is
//! loaded: reading ten thousand ideas back from it is a JSON parse, where reading them
//! from the document means loading its whole history first. Once the document is
//! loaded, what changed since the cache's heads ([`Workspace::changed_since`]) is read
//! from the document as usual, so a stale cache costs only what changed since.
//!
//! A cache is a convenience, never a source of truth: one that does not parse, was
//! written by another format, lacks an artifact type or names heads the document does
//! not know is simply not used, and the document is read as before.

use std::collections::BTreeMap;

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::brief::Brief;
use crate::kind::{visit_artifacts, Artifact, ArtifactVisitor};
use crate::priorities::{Framework, WeightedCriterion};
use crate::workspace::Workspace;

/// The layout written; a cache of any other is not read.
const FORMAT: u32 = 1;

/// What the app shows of one workspace, as of `heads`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ViewCache {
    format: u32,
    /// The document's heads, in hex.
    heads: Vec<String>,
    pub brief: Brief,
    pub framework: Framework,
    pub criteria: Vec<WeightedCriterion>,
    /// Whom it is published for, if it is a published roadmap.
    pub audience: Option<crate::audience::Audience>,
    /// What reading the document found amiss (shown in the warning banner).
    pub warnings: Vec<String>,
    /// Each artifact type's artifacts (deleted ones too), by collection, kept as JSON
    /// text until asked for.
    collections: BTreeMap<String, Box<RawValue>>,
}

/// A collection's artifacts in a cache, read on demand (see [`ViewCache::items`]).
pub struct CachedItems<'a, T> {
    raw: Vec<&'a RawValue>,
    read: std::marker::PhantomData<T>,
}

impl<T: Artifact> CachedItems<'_, T> {
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The artifacts at `range` (clamped to those there are).
    pub fn read(&self, range: std::ops::Range<usize>) -> Result<Vec<T>, CacheError> {
        let end = range.end.min(self.raw.len());
        self.raw[range.start.min(end)..end]
            .iter()
            .map(|raw| serde_json::from_str(raw.get()).map_err(|e| CacheError(format!("its {} do not read: {e}", T::COLLECTION))))
            .collect()
    }
}

/// Why a cache cannot be used.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("the view cache cannot be used: {0}")]
pub struct CacheError(String);

impl CacheError {
    pub(crate) fn new(why: String) -> CacheError {
        CacheError(why)
    }
}

impl ViewCache {
    /// An empty cache for the document at `heads`; artifacts are added with [`ViewCache::put`].
    pub fn new(heads: &[ChangeHash], brief: Brief, settings: (Framework, Vec<WeightedCriterion>), audience: Option<crate::audience::Audience>, warnings: Vec<String>) -> ViewCache {
        let (framework, criteria) = settings;
        ViewCache { format: FORMAT, heads: heads.iter().map(ToString::to_string).collect(), brief, framework, criteria, audience, warnings, collections: BTreeMap::new() }
    }

    /// Everything `ws` shows, read from the document.
    pub fn of(ws: &mut Workspace) -> ViewCache {
        let heads = ws.heads();
        let (brief, mut problems) = ws.brief();
        problems.extend(ws.settings_problems());
        struct Read<'a>(&'a Workspace, ViewCache, Vec<crate::Problem>);
        impl ArtifactVisitor for Read<'_> {
            fn visit<T: Artifact>(&mut self) {
                let (items, problems) = T::read_all(self.0);
                self.2.extend(problems);
                self.1.put(&items);
            }
        }
        let cache = ViewCache::new(&heads, brief, (ws.framework(), ws.weighted_criteria()), ws.audience(), Vec::new());
        let mut read = Read(ws, cache, problems);
        visit_artifacts(&mut read);
        let Read(_, mut cache, problems) = read;
        cache.warnings = problems.iter().map(ToString::to_string).collect();
        cache
    }

    /// Keeps `items` as `T`'s artifacts (borrowed: a view's ten thousand ideas are
    /// written without copying them first).
    pub fn put<'a, T: Artifact>(&mut self, items: impl IntoIterator<Item = &'a T>) {
        /// A sequence serialized straight from an iterator, once.
        struct Seq<I>(std::cell::Cell<Option<I>>);
        impl<'a, T: Serialize + 'a, I: Iterator<Item = &'a T>> Serialize for Seq<I> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.take().expect("serialized once"))
            }
        }
        let text = serde_json::to_string(&Seq(std::cell::Cell::new(Some(items.into_iter())))).expect("artifacts serialize: plain data with string keys");
        let raw = RawValue::from_string(text).expect("serde_json writes valid JSON");
        self.collections.insert(T::COLLECTION.to_owned(), raw);
    }

    /// `T`'s artifacts.
    pub fn take<T: Artifact>(&self) -> Result<Vec<T>, CacheError> {
        let raw = self.collections.get(T::COLLECTION).ok_or_else(|| CacheError(format!("it holds no {}", T::COLLECTION)))?;
        serde_json::from_str(raw.get()).map_err(|e| CacheError(format!("its {} do not read: {e}", T::COLLECTION)))
    }

    /// `T`'s artifacts, each still as its JSON: to read a slice at a time, so reading
    /// ten thousand never takes one long task.
    pub fn items<T: Artifact>(&self) -> Result<CachedItems<'_, T>, CacheError> {
        let raw = self.collections.get(T::COLLECTION).ok_or_else(|| CacheError(format!("it holds no {}", T::COLLECTION)))?;
        let raw: Vec<&RawValue> = serde_json::from_str(raw.get()).map_err(|e| CacheError(format!("its {} do not read: {e}", T::COLLECTION)))?;
        Ok(CachedItems { raw, read: std::marker::PhantomData })
    }

    /// The heads of the document it shows.
    pub fn heads(&self) -> Result<Vec<ChangeHash>, CacheError> {
        self.heads.iter().map(|h| h.parse().map_err(|_| CacheError(format!("\"{h}\" is not a change hash")))).collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a view cache serializes")
    }

    /// Reads a cache; one of another format, or damaged, is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<ViewCache, CacheError> {
        #[derive(Deserialize)]
        struct Format {
            format: u32,
        }
        // Written first, so read from the start without a parse of the whole (which
        // for ten thousand ideas is a dozen milliseconds); anything else is parsed.
        let written_first = bytes.strip_prefix(b"{\"format\":").and_then(|rest| std::str::from_utf8(&rest[..rest.iter().position(|b| *b == b',')?]).ok()?.parse().ok());
        let format = match written_first {
            Some(format) => format,
            None => serde_json::from_slice::<Format>(bytes).map_err(|e| CacheError(format!("it does not parse: {e}")))?.format,
        };
        if format != FORMAT {
            return Err(CacheError(format!("it was written in format {format}, this version reads {FORMAT}")));
        }
        serde_json::from_slice(bytes).map_err(|e| CacheError(format!("it does not parse: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Edit;
    use crate::{Id, Idea};

    /// Every artifact type compares equal to what the document shows: read back from
    /// the cache's bytes, each collection is exactly what reading the document gives.
    struct SameAsDocument<'a>(&'a Workspace, &'a ViewCache);
    impl ArtifactVisitor for SameAsDocument<'_> {
        fn visit<T: Artifact>(&mut self) {
            // In id order: the view keeps them by id, in no order.
            let by_id = |mut items: Vec<T>| {
                items.sort_by(|a, b| a.artifact_id().cmp(&b.artifact_id()));
                items
            };
            let from_doc = by_id(T::read_all(self.0).0);
            let from_cache = by_id(self.1.take().unwrap_or_else(|e| panic!("{}: {e}", T::COLLECTION)));
            assert!(!from_doc.is_empty(), "the workspace has {}", T::COLLECTION);
            let json = |items: &[T]| serde_json::to_string_pretty(items).unwrap();
            assert!(from_cache == from_doc, "{} differ:\n{}\n{}", T::COLLECTION, json(&from_cache), json(&from_doc));
            // Read two at a time, as the app reads a large one, they are the same.
            let items = self.1.items::<T>().unwrap();
            let sliced: Vec<T> = (0..items.len()).step_by(2).flat_map(|i| items.read(i..i + 2).unwrap()).collect();
            assert!(by_id(sliced) == from_cache, "{} read in slices differ", T::COLLECTION);
        }
    }

    /// A workspace with one of every artifact (the fixture's) and the kinds it lacks:
    /// a release with readiness, a beta with participants, a stage.
    fn everything() -> Workspace {
        use crate::kind::CheckPart;
        use crate::kind::FieldInput::{Check, Row, Value};
        use crate::{beta::Beta, release::Release, stage::Stage};
        let mut ws = crate::fixtures::one_of_everything();
        let release = ws.create_item::<Release>("2.0 <Offline>", 70, "Ana").unwrap();
        ws.set_field::<Release>(&release, "status", Value("in_progress"), 71).unwrap();
        ws.set_field::<Release>(&release, "target", Value("2026-12-24"), 71).unwrap();
        let item = crate::release::FUNCTIONS[0].0;
        ws.set_field::<Release>(&release, "readiness", Check { item, part: CheckPart::State, value: crate::release::READINESS[1].0 }, 71).unwrap();
        ws.set_field::<Release>(&release, "readiness", Check { item, part: CheckPart::Owner, value: "Jo" }, 71).unwrap();
        let beta = ws.create_item::<Beta>("Offline beta", 72, "Ana").unwrap();
        ws.set_field::<Beta>(&beta, "participants", Row { name: "Acme — Jo Park", value: "active" }, 73).unwrap();
        let stage = ws.create_item::<Stage>("Sprint 14", 74, "Ana").unwrap();
        ws.set_field::<Stage>(&stage, "kind", Value("iteration"), 75).unwrap();
        ws.commit();
        ws
    }

    #[test]
    fn a_cache_reads_back_as_the_document_shows_every_artifact() {
        let mut ws = everything();
        let bytes = ViewCache::of(&mut ws).to_bytes();
        let cache = ViewCache::from_bytes(&bytes).unwrap();
        visit_artifacts(&mut SameAsDocument(&ws, &cache));
        assert_eq!(cache.brief, ws.brief().0);
        assert_eq!(cache.framework, ws.framework());
        assert_eq!(cache.heads().unwrap(), ws.heads());
    }

    #[test]
    fn what_changed_after_a_cache_is_what_to_read_again() {
        let mut ws = everything();
        let cache = ViewCache::of(&mut ws);
        let idea: Id = ws.apply_edit(Edit::CreateIdea { title: "Later".into() }, 3, "Grace").unwrap().created.unwrap();
        ws.commit();
        let changed = ws.changed_since(&cache.heads().unwrap()).expect("the cache's heads are known");
        assert_eq!(changed.of(Idea::COLLECTION).iter().collect::<Vec<_>>(), vec![&idea]);
        assert!(!changed.brief && !changed.everything);
        let now = ws.heads();
        assert!(ws.changed_since(&now).unwrap().is_empty(), "nothing changed since now");
    }

    #[test]
    fn a_cache_of_unknown_heads_or_another_format_is_not_used() {
        let mut ws = everything();
        let mut other = Workspace::create("Elsewhere", 1, "Grace");
        other.apply_edit(Edit::CreateIdea { title: "Elsewhere".into() }, 3, "Grace").unwrap();
        let foreign = ViewCache::of(&mut other);
        assert!(ws.changed_since(&foreign.heads().unwrap()).is_none(), "heads from another document");
        let text = String::from_utf8(ViewCache::of(&mut ws).to_bytes()).unwrap().replacen("\"format\":1", "\"format\":99", 1);
        assert!(ViewCache::from_bytes(text.as_bytes()).is_err());
        assert!(ViewCache::from_bytes(b"{\"format\":1,\"heads\":[]").is_err());
    }

    #[test]
    fn a_cache_holding_a_key_no_field_declares_is_refused() {
        let mut ws = everything();
        let text = String::from_utf8(ViewCache::of(&mut ws).to_bytes()).unwrap();
        assert!(text.contains("\"mitigate\""), "the fixture's risk has a response");
        let cache = ViewCache::from_bytes(text.replace("\"mitigate\"", "\"no-such-key\"").as_bytes()).unwrap();
        assert!(cache.take::<crate::risk::Risk>().is_err());
    }
}
