//! The signals pages read: one per artifact (by collection), the brief, the settings;
//! and making them what a view delta from the document's worker names.

use super::*;
use waymark_domain::view_cache::{CacheError, CachedItems, ViewCache};
use waymark_domain::edit::Typed;
use waymark_domain::view_delta::ViewDelta;

impl Session {
    /// Counts the live ideas again and has the tag list re-read, after every idea was
    /// replaced at once (the change hook keeps them otherwise).
    pub(super) fn recount(&self) {
        self.live_count.set(self.idea_collection.items.with_untracked(|m| m.values().filter(|i| i.with_untracked(|i| !i.deleted)).count()));
        self.tags_version.update(|v| *v += 1);
    }

    pub(super) fn report_problems(&self, problems: Vec<Problem>) {
        if problems.is_empty() {
            return;
        }
        let shown: Vec<String> = problems.iter().take(3).map(|p| p.to_string()).collect();
        let more = problems.len().saturating_sub(3);
        let mut message = format!("{} and is shown with defaults: {}", super::open::SHAPE_WARNING, shown.join("; "));
        if more > 0 {
            message.push_str(&format!(" (and {more} more)"));
        }
        self.warnings.update(|w| {
            if !w.contains(&message) {
                w.push(message)
            }
        });
    }

    /// Shows what `edit` types at once, before the worker has made it (its answer then
    /// shows what the document holds): typing never waits on the worker.
    pub(super) fn show_typed(&self, edit: &Edit) {
        match edit.typed() {
            Some(Typed::Brief(field, text)) => self.brief.update(|b| *b.text_mut(field) = text.to_owned()),
            Some(Typed::Item { collection, id, field, text }) => {
                if let Some(c) = self.collections.get(collection) {
                    c.show_typed(id, field, text, self.owner.as_ref());
                }
            }
            None => {}
        }
    }

    /// Makes the view what a delta from the document's worker says.
    pub(super) fn apply_delta(&self, delta: ViewDelta) {
        let unreadable = |e: CacheError| format!("An update of what you see could not be read ({e}); reload the tab to see it.");
        if let Some(cache) = &delta.everything {
            self.dirty.borrow_mut().everything = true;
            if let Err(e) = self.fill_from(cache) {
                self.warn(unreadable(e));
            }
            return;
        }
        if let Some(brief) = delta.brief.clone() {
            self.brief.set(brief);
        }
        if let Some((framework, criteria)) = delta.settings.clone() {
            self.settings.set(Settings { framework, criteria });
        }
        let mut dirty = self.dirty.borrow_mut();
        dirty.brief |= delta.brief.is_some();
        dirty.settings |= delta.settings.is_some();
        drop(dirty);
        for (name, collection) in &self.collections {
            match collection.apply_delta(&delta, self.owner.as_ref()) {
                Ok(ids) => self.dirty.borrow_mut().items.extend(ids.into_iter().map(|id| (*name, id))),
                Err(e) => self.warn(unreadable(e)),
            }
        }
        self.report_problems(delta.problems);
    }
}

/// One signal per artifact of a collection (so an edit re-renders only that artifact's
/// views) plus a version that lists follow to re-filter and re-sort.
pub struct Collection<T: Artifact> {
    pub items: RwSignal<HashMap<Id, RwSignal<T>>>,
    /// Bumped after every change to the collection.
    pub version: RwSignal<u64>,
    /// Bumped only when an artifact appears, disappears, is deleted or restored: what
    /// a list's membership follows, so an edit to one artifact costs one row.
    pub members: RwSignal<u64>,
    /// Bumped with `members`, and after other edits once they pause: what a list's
    /// order, filters and aggregates follow, so typing never re-sorts a long list.
    pub settled: RwSignal<u64>,
    pause: StoredValue<Option<TimeoutHandle>, LocalStorage>,
    /// Told each artifact's old and new value (`None`: absent) on every refresh, for
    /// aggregates kept per change.
    hook: StoredValue<Option<ChangeHook<T>>, LocalStorage>,
}

type ChangeHook<T> = Box<dyn Fn(Option<&T>, Option<&T>)>;

impl<T: Artifact> Clone for Collection<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Artifact> Copy for Collection<T> {}

impl<T: Artifact> Collection<T> {
    pub(super) fn new() -> Self {
        Collection {
            items: RwSignal::new(HashMap::new()),
            version: RwSignal::new(0),
            members: RwSignal::new(0),
            settled: RwSignal::new(0),
            pause: StoredValue::new_local(None),
            hook: StoredValue::new_local(None),
        }
    }

    /// Calls `hook` with each artifact's old and new value whenever one changes.
    pub(super) fn on_change(&self, hook: impl Fn(Option<&T>, Option<&T>) + 'static) {
        self.hook.set_value(Some(Box::new(hook)));
    }

    /// Makes `map` the collection's artifacts.
    fn replace_all(&self, map: HashMap<Id, RwSignal<T>>) {
        self.items.set(map);
        self.version.update(|v| *v += 1);
        self.members.update(|v| *v += 1);
        self.settle(true);
    }

    /// Bumps `settled` now, or once edits pause.
    pub(super) fn settle(&self, now: bool) {
        if let Some(t) = self.pause.try_update_value(Option::take).flatten() {
            t.clear();
        }
        let settled = self.settled;
        if now {
            settled.update(|v| *v += 1);
        } else {
            let handle = set_timeout_with_handle(move || settled.update(|v| *v += 1), RELIST_AFTER).ok();
            self.pause.set_value(handle);
        }
    }

    /// Makes each artifact what `read` says it is now (`None`: gone).
    pub(super) fn refresh_with(&self, read: impl IntoIterator<Item = (Id, Option<T>)>, owner: Option<&Owner>) {
        let mut membership_changed = false;
        let mut any = false;
        for (id, read) in read {
            any = true;
            let id = &id;
            let existing = self.items.with_untracked(|m| m.get(id).copied());
            self.hook.with_value(|hook| {
                if let Some(hook) = hook {
                    match existing {
                        Some(sig) => sig.with_untracked(|old| hook(Some(old), read.as_ref())),
                        None => hook(None, read.as_ref()),
                    }
                }
            });
            match (read, existing) {
                (Some(item), Some(sig)) => {
                    let (same, was_deleted) = sig.with_untracked(|old| (old == &item, old.artifact_deleted()));
                    membership_changed |= was_deleted != item.artifact_deleted();
                    if !same {
                        sig.set(item);
                    }
                }
                (Some(item), None) => {
                    let sig = match owner {
                        Some(o) => o.with(|| RwSignal::new(item)),
                        None => RwSignal::new(item),
                    };
                    self.items.update(|m| {
                        m.insert(id.clone(), sig);
                    });
                    membership_changed = true;
                }
                (None, Some(_)) => {
                    self.items.update(|m| {
                        m.remove(id);
                    });
                    membership_changed = true;
                }
                (None, None) => {}
            }
        }
        if any {
            self.version.update(|v| *v += 1);
        }
        if membership_changed {
            self.members.update(|v| *v += 1);
        }
        if any {
            self.settle(membership_changed);
        }
    }

    /// The artifact's signal, if it exists.
    pub fn get(&self, id: &Id) -> Option<RwSignal<T>> {
        self.items.with_untracked(|m| m.get(id).copied())
    }

    /// Every artifact not deleted, cloned; tracks the collection's version (use in a
    /// memo: it re-runs once per change, not once per artifact).
    pub fn live(&self) -> Vec<T> {
        self.version.track();
        self.items.with_untracked(|m| m.values().map(|s| s.get_untracked()).filter(|t| !t.artifact_deleted()).collect())
    }

    /// Every artifact not deleted, cloned, as of the last settled moment (see
    /// `settled`): for a list's order and filters, and aggregates over the list.
    pub fn settled_live(&self) -> Vec<T> {
        self.settled.track();
        self.items.with_untracked(|m| m.values().map(|s| s.get_untracked()).filter(|t| !t.artifact_deleted()).collect())
    }

    /// How many artifacts are not deleted; tracks membership only, so an edit does not
    /// recount.
    pub fn live_count(&self) -> usize {
        self.members.track();
        self.items.with_untracked(|m| m.values().filter(|s| s.with_untracked(|t| !t.artifact_deleted())).count())
    }
}

/// A collection of any artifact type, for refreshing what a change names by
/// collection name.
pub(super) trait AnyCollection {
    /// What fills it from a view cache, a slice at a time.
    fn filler<'a>(&self, cache: &'a ViewCache, owner: Option<&Owner>) -> Result<Box<dyn Filler + 'a>, CacheError>;
    /// Adds its artifacts to a view cache.
    fn put_into(&self, cache: &mut ViewCache);
    /// Artifact `id`'s title as shown (its `title`, `name` or `text`, first line);
    /// empty if it has none.
    fn title_of(&self, id: &Id) -> String;
    /// Shows `text` typed into field `field` of artifact `id` (nothing if it has no
    /// such text field).
    fn show_typed(&self, id: &Id, field: &str, text: &str, owner: Option<&Owner>);
    /// Makes the artifacts a view delta names what it says.
    fn apply_delta(&self, delta: &ViewDelta, owner: Option<&Owner>) -> Result<Vec<Id>, CacheError>;
    /// Adds the artifacts `ids` as shown now to `delta`.
    fn put_shown(&self, ids: &[Id], delta: &mut ViewDelta);
    fn as_any(&self) -> &dyn Any;
}

impl<T: Artifact> AnyCollection for Collection<T> {
    fn filler<'a>(&self, cache: &'a ViewCache, owner: Option<&Owner>) -> Result<Box<dyn Filler + 'a>, CacheError> {
        Ok(Box::new(CollectionFiller { target: *self, items: cache.items::<T>()?, next: 0, map: HashMap::new(), owner: owner.cloned() }))
    }
    fn put_into(&self, cache: &mut ViewCache) {
        self.items.with_untracked(|m| {
            let items: Vec<_> = m.values().map(|s| s.read_untracked()).collect();
            cache.put(items.iter().map(|item| &**item));
        });
    }
    fn title_of(&self, id: &Id) -> String {
        self.get(id).and_then(|s| s.with_untracked(|item| serde_json::to_string(item).ok())).map(|json| title_in(&json)).unwrap_or_default()
    }
    fn show_typed(&self, id: &Id, field: &str, text: &str, owner: Option<&Owner>) {
        // Through its serialized form, so every kind is served alike: a field that is
        // not text there, or a value its view would not read, is left to the worker.
        let typed = self.get(id).and_then(|s| {
            let json = s.with_untracked(|item| serde_json::to_string(item).ok())?;
            serde_json::from_str::<T>(&with_text(&json, field, text)?).ok()
        });
        if let Some(item) = typed {
            self.refresh_with([(id.clone(), Some(item))], owner);
        }
    }
    fn apply_delta(&self, delta: &ViewDelta, owner: Option<&Owner>) -> Result<Vec<Id>, CacheError> {
        let touched = delta.touched::<T>()?;
        let ids = touched.iter().map(|(id, _)| id.clone()).collect();
        if !touched.is_empty() {
            self.refresh_with(touched, owner);
        }
        Ok(ids)
    }
    fn put_shown(&self, ids: &[Id], delta: &mut ViewDelta) {
        let shown: Vec<(Id, Option<T>)> = ids.iter().map(|id| (id.clone(), self.get(id).map(|s| s.get_untracked()))).collect();
        delta.put::<T>(shown.iter().map(|(id, item)| (id.clone(), item.as_ref())));
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

// An artifact is read and changed by field name through its JSON text, not
// `serde_json::to_value`: the text (de)serializers of every artifact type are in the
// module already (the view cache uses them), where a set for `Value` would add 150 KB;
// and the work on the text is done once, not once per artifact type.

/// The title in an artifact's JSON (its `title`, `name` or `text`, first line).
fn title_in(json: &str) -> String {
    let Ok(fields) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) else { return String::new() };
    ["title", "name", "text"]
        .into_iter()
        .find_map(|key| fields.get(key).and_then(|v| v.as_str()))
        .map(|t| t.lines().next().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

/// An artifact's JSON with its text field `field` set to `text`; `None` if it has no
/// such text field.
fn with_text(json: &str, field: &str, text: &str) -> Option<String> {
    let mut fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).ok()?;
    let slot = fields.get_mut(field).filter(|v| v.is_string())?;
    *slot = serde_json::Value::String(text.to_owned());
    serde_json::to_string(&fields).ok()
}

/// Fills a collection from a view cache, a slice of artifacts at a time, so reading
/// ten thousand never takes one long task. The collection changes once, when all are
/// read.
pub(super) trait Filler {
    /// Reads `most` more artifacts: true once every one is read (and shown).
    fn step(&mut self, most: usize) -> Result<bool, CacheError>;
}

struct CollectionFiller<'a, T: Artifact> {
    target: Collection<T>,
    items: CachedItems<'a, T>,
    next: usize,
    map: HashMap<Id, RwSignal<T>>,
    owner: Option<Owner>,
}

impl<T: Artifact> Filler for CollectionFiller<'_, T> {
    fn step(&mut self, most: usize) -> Result<bool, CacheError> {
        let slice = self.items.read(self.next..self.next.saturating_add(most))?;
        self.next += slice.len();
        let add = || self.map.extend(slice.into_iter().filter_map(|t| Some((t.artifact_id()?.clone(), RwSignal::new(t)))));
        match &self.owner {
            Some(o) => o.with(add),
            None => add(),
        }
        let done = self.next >= self.items.len();
        if done {
            self.target.replace_all(std::mem::take(&mut self.map));
        }
        Ok(done)
    }
}

/// What the view changed in since the last view cache written (what a view tail holds:
/// see `open`).
#[derive(Clone, Debug, Default)]
pub(super) struct Dirty {
    pub items: BTreeSet<(&'static str, Id)>,
    pub brief: bool,
    pub settings: bool,
    /// Too much to say by item (everything was read again).
    pub everything: bool,
}

impl Dirty {
    pub fn absorb(&mut self, other: Dirty) {
        self.items.extend(other.items);
        self.brief |= other.brief;
        self.settings |= other.settings;
        self.everything |= other.everything;
    }
}

/// The workspace's prioritisation settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub framework: Framework,
    pub criteria: Vec<WeightedCriterion>,
}
