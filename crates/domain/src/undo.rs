//! Undo and redo of one person's own edits, as new changes.
//!
//! A step is what one edit made (or a run of typing in one field): the changes this
//! replica's actor committed after the heads the step began at. Undoing it makes the
//! inverse of those changes as a new change, slot by slot, so that what a teammate did
//! meanwhile survives:
//! - a map key (a field) is set back to the value it held before the step only while
//!   the step's own write is still the one shown; a teammate's later write wins;
//! - a counter is moved back by what the step added to it;
//! - a character or list element the step inserted is removed if still there; one it
//!   removed is put back where it stood, among whatever teammates typed around it;
//! - what lies inside an object the step made is left alone: the object goes, except
//!   an artifact, which is soft-deleted (its content kept, so redo brings it back);
//!   that is the undo of creating it.
//!
//! Redo is the undo of an undo, so it too leaves teammates' edits alone.

use std::collections::{HashMap, HashSet};

use automerge::{
    hydrate, legacy, AutoCommit, ChangeHash, Cursor, ObjId, ObjType, Prop, ReadDoc, ScalarValue, TextEncoding, Value, ROOT,
};
use automerge::transaction::Transactable;

use legacy::OpType;

use crate::link::Ref;
use crate::{EditError, Id, Workspace};

/// A run of typing in one field: the artifact's collection, its id and the field.
pub type Typing = (String, String, String);

/// Consecutive typing in one field joins the step before it if it comes within this
/// many milliseconds of the last keystroke.
const TYPING_JOINS_MS: i64 = 2_000;

/// One undoable step: the changes this replica made after `before`, the last of them
/// `after` (no one else's came in between: a step ends when they arrive).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub before: Vec<ChangeHash>,
    pub changes: Vec<ChangeHash>,
    pub after: Vec<ChangeHash>,
}

impl Step {
    fn of(before: Vec<ChangeHash>, changes: Vec<ChangeHash>) -> Option<Step> {
        let after = vec![*changes.last()?];
        Some(Step { before, changes, after })
    }
}

/// The step being made: where it began, and the typing it is, if any.
#[derive(Clone, Debug)]
struct Making {
    before: Vec<ChangeHash>,
    typing: Option<Typing>,
    last_ms: i64,
}

/// One tab's undo and redo stacks. The caller commits pending edits before asking it
/// anything that reads history ([`UndoLog::close`], [`UndoLog::take_undo`]…).
#[derive(Clone, Debug, Default)]
pub struct UndoLog {
    done: Vec<Step>,
    undone: Vec<Step>,
    making: Option<Making>,
}

/// At most this many steps are kept to undo.
const KEEP: usize = 200;

impl UndoLog {
    /// Whether an edit (typing into `typing`, if it types) at `now_ms` begins a new
    /// step, so that pending edits must be committed first and [`UndoLog::begin`]
    /// called; if not, it joins the step being made.
    pub fn begins_step(&mut self, typing: Option<&Typing>, now_ms: i64) -> bool {
        match &mut self.making {
            Some(m) if typing.is_some() && m.typing.as_ref() == typing && now_ms - m.last_ms <= TYPING_JOINS_MS => {
                m.last_ms = now_ms;
                false
            }
            _ => true,
        }
    }

    /// Closes the step being made (if any), then begins one where history stands.
    pub fn begin(&mut self, ws: &mut Workspace, typing: Option<Typing>, now_ms: i64) {
        self.close(ws);
        self.making = Some(Making { before: ws.heads(), typing, last_ms: now_ms });
    }

    /// An edit changed something: there is nothing left to redo.
    pub fn edited(&mut self) {
        self.undone.clear();
    }

    /// Ends the step being made: kept if it changed anything. Called when changes from
    /// elsewhere arrive, so that the next step begins after them.
    pub fn close(&mut self, ws: &mut Workspace) {
        if let Some(m) = self.making.take() {
            let changes = ws.own_changes_since(&m.before);
            if let Some(step) = Step::of(m.before, changes) {
                self.done.push(step);
                if self.done.len() > KEEP {
                    self.done.remove(0);
                }
            }
        }
    }

    pub fn can_undo(&self) -> bool {
        self.making.is_some() || !self.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }

    /// Undoes the last step (`redo`: redoes the last undone one) as pending edits,
    /// which the caller then commits and hands to [`UndoLog::made`]. `None` when
    /// there is nothing to undo (or redo).
    pub fn take(&mut self, ws: &mut Workspace, redo: bool, now_ms: i64) -> Option<Result<Taken, EditError>> {
        self.close(ws);
        let step = if redo { self.undone.pop()? } else { self.done.pop()? };
        let before = ws.heads();
        match ws.revert(&step, now_ms) {
            Ok((touched, changed)) => Some(Ok(Taken { before, redo, touched, changed })),
            Err(e) => {
                // Nothing half made stays: the step can be tried again.
                ws.doc.rollback();
                if redo { self.undone.push(step) } else { self.done.push(step) }
                Some(Err(e))
            }
        }
    }

    /// Files the change an undo (or redo) made, once committed, so that it can be
    /// redone (or undone again).
    pub fn made(&mut self, ws: &mut Workspace, taken: &Taken) {
        let changes = ws.own_changes_since(&taken.before);
        let Some(step) = Step::of(taken.before.clone(), changes) else { return };
        if taken.redo { self.done.push(step) } else { self.undone.push(step) }
    }
}

/// What [`UndoLog::take`] did.
#[derive(Clone, Debug)]
pub struct Taken {
    before: Vec<ChangeHash>,
    redo: bool,
    /// How many slots it set back (0: teammates had changed all of it since).
    pub touched: usize,
    /// What it changed, to read again.
    pub changed: crate::Changed,
}

impl Taken {
    /// Where history stood before it: what changed since is what it did.
    pub fn before(&self) -> &[ChangeHash] {
        &self.before
    }
}

/// A place a value lives: a map's key, or a list's or text's element.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Slot {
    Key(ObjId, String),
    Element(ObjId, ObjId),
}

/// What a step did, gathered from its changes' operations.
#[derive(Default)]
struct Gathered {
    /// Objects the step made.
    made: HashSet<ObjId>,
    /// Each slot the step wrote, with its last write there (`None`: a removal).
    last: HashMap<Slot, Option<ObjId>>,
    /// Slots in the order first written.
    order: Vec<Slot>,
    /// What the step added to each counter.
    added: HashMap<(ObjId, String), i64>,
    /// Elements the step inserted, and those it removed.
    inserted: Vec<(ObjId, ObjId, String)>,
    removed: Vec<(ObjId, ObjId)>,
}

fn op_id(doc: &AutoCommit, counter: u64, actor: &automerge::ActorId) -> Option<ObjId> {
    doc.import_obj(&format!("{counter}@{actor}")).ok()
}

fn legacy_obj(doc: &AutoCommit, obj: &legacy::ObjectId) -> Option<ObjId> {
    match obj {
        legacy::ObjectId::Root => Some(ROOT),
        legacy::ObjectId::Id(id) => op_id(doc, id.counter(), id.actor()),
    }
}

fn gather(doc: &mut AutoCommit, changes: &[ChangeHash]) -> Gathered {
    let mut g = Gathered::default();
    for hash in changes {
        let Some(change) = doc.get_change_by_hash(hash) else { continue };
        let change = change.decode();
        for (i, op) in change.operations.iter().enumerate() {
            let Some(id) = op_id(doc, change.start_op.get() + i as u64, &change.actor_id) else { continue };
            let Some(obj) = legacy_obj(doc, &op.obj) else { continue };
            // A map made at the root (a collection made lazily) is never removed: what
            // the step put in it is undone one by one.
            if matches!(op.action, OpType::Make(_)) && obj != ROOT {
                g.made.insert(id.clone());
            }
            let slot = match (&op.key, op.insert) {
                (legacy::Key::Seq(_), true) => {
                    let text = match &op.action {
                        OpType::Put(ScalarValue::Str(s)) => s.to_string(),
                        _ => String::new(),
                    };
                    g.inserted.push((obj, id, text));
                    continue;
                }
                (legacy::Key::Seq(elem), false) => {
                    let Some(elem) = elem.as_opid().and_then(|e| op_id(doc, e.counter(), e.actor())) else { continue };
                    if matches!(op.action, OpType::Delete) {
                        g.removed.push((obj, elem));
                        continue;
                    }
                    Slot::Element(obj, elem)
                }
                (legacy::Key::Map(key), _) => {
                    if let OpType::Increment(by) = op.action {
                        *g.added.entry((obj, key.to_string())).or_default() += by;
                        continue;
                    }
                    Slot::Key(obj, key.to_string())
                }
            };
            if matches!(op.action, OpType::MarkBegin(..) | OpType::MarkEnd(_)) {
                continue;
            }
            let write = (!matches!(op.action, OpType::Delete)).then_some(id);
            if g.last.insert(slot.clone(), write).is_none() {
                g.order.push(slot);
            }
        }
    }
    g
}

/// How many units of the document's text encoding `s` takes.
fn width(encoding: TextEncoding, s: &str) -> usize {
    match encoding {
        TextEncoding::UnicodeCodePoint => s.chars().count(),
        TextEncoding::Utf8CodeUnit => s.len(),
        TextEncoding::Utf16CodeUnit => s.encode_utf16().count(),
        TextEncoding::GraphemeCluster => 1,
    }
}

fn cursor(elem: &ObjId) -> Option<Cursor> {
    Cursor::try_from(elem.to_string().as_str()).ok()
}

/// Where element `elem` of `obj` stands now, and whether it is shown there.
fn position(doc: &AutoCommit, obj: &ObjId, elem: &ObjId) -> Option<(usize, bool)> {
    let cursor = cursor(elem)?;
    let at = doc.get_cursor_position(obj, &cursor, None).ok()?;
    let shown = doc.get_cursor(obj, at, None).is_ok_and(|c| c == cursor);
    Some((at, shown))
}

/// Writes `value` (read from an earlier version) under `key` of map `obj`, or at
/// `index` of list `obj` (`insert`: as a new element).
fn write_value(doc: &mut AutoCommit, obj: &ObjId, prop: Prop, insert: bool, value: &hydrate::Value) -> Result<(), automerge::AutomergeError> {
    let made = match value {
        hydrate::Value::Scalar(s) => {
            return match (prop, insert) {
                (Prop::Seq(i), true) => doc.insert(obj, i, s.clone()),
                (prop, _) => doc.put(obj, prop, s.clone()),
            };
        }
        hydrate::Value::Map(_) => ObjType::Map,
        hydrate::Value::List(_) => ObjType::List,
        hydrate::Value::Text(_) => ObjType::Text,
    };
    let new = match (prop, insert) {
        (Prop::Seq(i), true) => doc.insert_object(obj, i, made)?,
        (prop, _) => doc.put_object(obj, prop, made)?,
    };
    match value {
        hydrate::Value::Map(map) => {
            for (key, inner) in map.iter() {
                write_value(doc, &new, Prop::Map(key.clone()), false, &inner.value)?;
            }
        }
        hydrate::Value::List(list) => {
            for (i, inner) in list.iter().enumerate() {
                write_value(doc, &new, Prop::Seq(i), true, &inner.value)?;
            }
        }
        hydrate::Value::Text(text) => doc.splice_text(&new, 0, 0, &text.to_string())?,
        hydrate::Value::Scalar(_) => {}
    }
    Ok(())
}

/// The value `prop` of `obj` held at `heads`, owned.
fn value_at(doc: &AutoCommit, obj: &ObjId, prop: Prop, heads: &[ChangeHash]) -> Option<hydrate::Value> {
    match doc.get_at(obj, prop, heads).ok()?? {
        (Value::Scalar(s), _) => Some(hydrate::Value::Scalar(s.into_owned())),
        (Value::Object(_), inner) => doc.hydrate(&inner, Some(heads)).ok(),
    }
}

impl Workspace {
    /// What `changed` names, for a person: an artifact's title, "the brief"…
    pub fn describe(&self, changed: &crate::Changed) -> String {
        let items: Vec<(&str, &Id)> = changed.collections().flat_map(|(c, ids)| ids.iter().map(move |id| (c, id))).collect();
        match items.as_slice() {
            [(collection, id)] => match self.title_of(collection, id) {
                title if title.trim().is_empty() => "an untitled item".to_owned(),
                title => {
                    let title = title.trim();
                    match title.char_indices().nth(60) {
                        Some((cut, _)) => format!("“{}…”", &title[..cut]),
                        None => format!("“{title}”"),
                    }
                }
            },
            [] if changed.brief => "the brief".to_owned(),
            [] if changed.settings => "the prioritization settings".to_owned(),
            [] => "the workspace".to_owned(),
            many => format!("{} items", many.len()),
        }
    }

    /// This replica's own changes after `heads`, oldest first (commits pending edits).
    pub fn own_changes_since(&mut self, heads: &[ChangeHash]) -> Vec<ChangeHash> {
        self.doc.commit();
        let me = self.doc.get_actor().clone();
        self.doc.get_changes(heads).into_iter().filter(|c| c.actor_id() == &me).map(|c| c.hash()).collect()
    }

    /// Makes the inverse of `step` as pending edits (see the module's notes): how many
    /// slots it set back, and what it changed.
    pub fn revert(&mut self, step: &Step, now_ms: i64) -> Result<(usize, crate::Changed), EditError> {
        let g = gather(&mut self.doc, &step.changes);
        let kept = self.written_in_since(&g, &step.after)?;
        let outside = |obj: &ObjId| !g.made.contains(obj);
        let mut changed = crate::Changed::default();
        let mut touched = 0;
        for slot in &g.order {
            let (obj, mine) = match slot {
                Slot::Key(obj, _) | Slot::Element(obj, _) => (obj, &g.last[slot]),
            };
            if !outside(obj) || mine.as_ref().is_some_and(|m| kept.contains(m)) {
                continue;
            }
            if self.revert_slot(slot, mine.as_ref(), &step.before, now_ms, &mut changed)? {
                touched += 1;
            }
        }
        for ((obj, key), added) in &g.added {
            let counter = matches!(self.doc.get(obj, key.as_str()), Ok(Some((Value::Scalar(s), _))) if matches!(s.as_ref(), ScalarValue::Counter(_)));
            if outside(obj) && *added != 0 && counter && !g.last.contains_key(&Slot::Key(obj.clone(), key.clone())) {
                self.doc.increment(obj, key.as_str(), -added)?;
                self.note(&mut changed, obj, Some(key));
                touched += 1;
            }
        }
        let removed: HashSet<&ObjId> = g.removed.iter().map(|(_, e)| e).collect();
        let encoding = self.doc.text_encoding();
        for (obj, elem, text) in g.inserted.iter().rev() {
            if !outside(obj) || removed.contains(elem) {
                continue;
            }
            if let Some((at, true)) = position(&self.doc, obj, elem) {
                match self.doc.object_type(obj) {
                    Ok(ObjType::Text) => self.doc.splice_text(obj, at, width(encoding, text) as isize, "")?,
                    _ => self.doc.delete(obj, at)?,
                }
                self.note(&mut changed, obj, None);
                touched += 1;
            }
        }
        let inserted: HashSet<&ObjId> = g.inserted.iter().map(|(_, e, _)| e).collect();
        let mut by_obj: HashMap<&ObjId, Vec<&ObjId>> = HashMap::new();
        for (obj, elem) in &g.removed {
            if outside(obj) && !inserted.contains(elem) {
                by_obj.entry(obj).or_default().push(elem);
            }
        }
        for (obj, elems) in by_obj {
            let put = self.put_back(obj, &elems, &step.before)?;
            if put > 0 {
                self.note(&mut changed, obj, None);
            }
            touched += put;
        }
        Ok((touched, changed))
    }

    /// The objects the step made, outside any other it made, that someone has written
    /// in since (`after`): they stay, with what was written in them.
    fn written_in_since(&mut self, g: &Gathered, after: &[ChangeHash]) -> Result<HashSet<ObjId>, EditError> {
        // Read before anything is written: a diff commits pending edits.
        let now = self.doc.get_heads();
        let mut kept = HashSet::new();
        for (slot, mine) in &g.last {
            let (Slot::Key(obj, _) | Slot::Element(obj, _)) = slot;
            let Some(made) = mine.as_ref().filter(|m| g.made.contains(*m) && !g.made.contains(obj)) else { continue };
            let prop = match slot {
                Slot::Key(_, key) => Prop::Map(key.clone()),
                Slot::Element(..) => Prop::Seq(0),
            };
            // An artifact is soft-deleted, its content kept: nothing to check.
            if self.created_artifact(obj, &prop).is_some() {
                continue;
            }
            if !self.doc.diff_obj(made, after, &now, true)?.is_empty() {
                kept.insert(made.clone());
            }
        }
        Ok(kept)
    }

    /// Notes that `obj` (its key `key`, if given) was written, in `changed`.
    fn note(&self, changed: &mut crate::Changed, obj: &ObjId, key: Option<&str>) {
        let mut path: Vec<String> = match self.doc.parents(obj) {
            Ok(parents) => parents
                .map(|p| match p.prop {
                    Prop::Map(k) => k,
                    Prop::Seq(i) => i.to_string(),
                })
                .collect(),
            Err(_) => return,
        };
        path.reverse();
        path.extend(key.map(str::to_owned));
        changed.add_path(&path);
    }

    /// Sets `slot` back to what it held at `before`, if `mine` (the step's last write
    /// there, `None` for a removal) is still what it shows. Whether it did.
    fn revert_slot(&mut self, slot: &Slot, mine: Option<&ObjId>, before: &[ChangeHash], now_ms: i64, changed: &mut crate::Changed) -> Result<bool, EditError> {
        let (obj, prop, then) = match slot {
            Slot::Key(obj, key) => (obj, Prop::Map(key.clone()), Prop::Map(key.clone())),
            Slot::Element(obj, elem) => {
                let Some((now, true)) = position(&self.doc, obj, elem) else { return Ok(false) };
                let Some(cursor) = cursor(elem) else { return Ok(false) };
                let Ok(then) = self.doc.get_cursor_position(obj, &cursor, Some(before)) else { return Ok(false) };
                (obj, Prop::Seq(now), Prop::Seq(then))
            }
        };
        let shown: Vec<ObjId> = self.doc.get_all(obj, prop.clone())?.into_iter().map(|(_, id)| id).collect();
        let still_mine = match mine {
            Some(id) => shown.len() == 1 && &shown[0] == id,
            None => shown.is_empty(),
        };
        if !still_mine {
            return Ok(false);
        }
        match value_at(&self.doc, obj, then, before) {
            Some(value) => write_value(&mut self.doc, obj, prop.clone(), false, &value)?,
            None => match self.created_artifact(obj, &prop) {
                // Undoing a create deletes the artifact as a person would: it stays
                // restorable, and redo restores it.
                Some(item) => {
                    changed.absorb(self.apply_edit(crate::edit::Edit::Delete(item), now_ms, "")?.changed);
                    return Ok(true);
                }
                // A collection is never removed (see `gather`).
                None if *obj == ROOT => return Ok(false),
                None => self.doc.delete(obj, prop.clone())?,
            },
        }
        match prop {
            Prop::Map(key) => self.note(changed, obj, Some(&key)),
            Prop::Seq(_) => self.note(changed, obj, None),
        }
        Ok(true)
    }

    /// The artifact `prop` of `obj` names, if `obj` is a collection.
    fn created_artifact(&self, obj: &ObjId, prop: &Prop) -> Option<Ref> {
        let Prop::Map(id) = prop else { return None };
        let mut parents = self.doc.parents(obj).ok()?;
        let parent = parents.next()?;
        let Prop::Map(collection) = parent.prop else { return None };
        if parent.obj != ROOT || parents.next().is_some() {
            return None;
        }
        let collection = crate::schema::COLLECTIONS.iter().copied().find(|c| *c == collection)?;
        Some(Ref { collection, id: Id::parse(id)? })
    }

    /// Puts removed elements `elems` of `obj` back where they stood, in their order
    /// at `before`: how many.
    fn put_back(&mut self, obj: &ObjId, elems: &[&ObjId], before: &[ChangeHash]) -> Result<usize, EditError> {
        let text = matches!(self.doc.object_type(obj), Ok(ObjType::Text));
        // Their order and values then, read once.
        let then: HashMap<ObjId, (usize, hydrate::Value)> = self
            .doc
            .list_range_at(obj, .., before)
            .filter_map(|item| {
                let id = item.id();
                let value = match item.value {
                    automerge::ValueRef::Scalar(s) => hydrate::Value::Scalar(ScalarValue::from(s)),
                    automerge::ValueRef::Object(_) => self.doc.hydrate(&id, Some(before)).ok()?,
                };
                Some((id, (item.index, value)))
            })
            .collect();
        let mut order: Vec<(usize, &ObjId, &hydrate::Value)> =
            elems.iter().filter_map(|e| then.get(*e).map(|(i, v)| (*i, *e, v))).collect();
        order.sort_by_key(|(i, ..)| *i);
        let mut put = 0;
        for (_, elem, value) in order {
            let Some((at, false)) = position(&self.doc, obj, elem) else { continue };
            match (text, value) {
                (true, hydrate::Value::Scalar(ScalarValue::Str(s))) => self.doc.splice_text(obj, at, 0, s)?,
                (true, _) => continue,
                (false, value) => write_value(&mut self.doc, obj, Prop::Seq(at), true, value)?,
            }
            put += 1;
        }
        Ok(put)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Edit;
    use crate::{IdeaStatus, IdeaText};

    /// One tab: a workspace and its undo log, editing as Ana.
    struct Tab {
        ws: Workspace,
        log: UndoLog,
        now: i64,
    }

    impl Tab {
        fn new() -> Tab {
            Tab { ws: Workspace::create("Payments", 1, "Ana"), log: UndoLog::default(), now: 10_000 }
        }

        /// Makes `edit` as the worker does; `typing` joins a run of typing in one field.
        fn edit(&mut self, edit: Edit) -> Option<Id> {
            self.now += 5_000;
            let typing = edit.typed().and_then(|t| match t {
                crate::edit::Typed::Item { collection, id, field, .. } => Some((collection.to_owned(), id.to_string(), field.to_owned())),
                crate::edit::Typed::Brief(..) => None,
            });
            if self.log.begins_step(typing.as_ref(), self.now) {
                self.ws.commit();
                self.log.begin(&mut self.ws, typing, self.now);
            }
            let applied = self.ws.apply_edit(edit, self.now, "Ana").unwrap();
            if !applied.changed.is_empty() {
                self.log.edited();
            }
            applied.created
        }

        fn type_fast(&mut self, edit: Edit) {
            self.now -= 4_900;
            self.edit(edit);
        }

        fn undo(&mut self, redo: bool) -> usize {
            self.undo_taken(redo).touched
        }

        fn undo_taken(&mut self, redo: bool) -> Taken {
            self.ws.commit();
            let taken = self.log.take(&mut self.ws, redo, self.now).expect("something to undo").unwrap();
            self.ws.commit();
            self.log.made(&mut self.ws, &taken);
            taken
        }

        fn idea(&self, id: &Id) -> crate::Idea {
            self.ws.idea(id).unwrap().0
        }

        /// A teammate's copy, with everything so far.
        fn teammate(&mut self) -> Workspace {
            self.ws.commit();
            self.ws.fork()
        }

        /// Takes in what the teammate did.
        fn receive(&mut self, from: &mut Workspace) {
            self.ws.commit();
            self.log.close(&mut self.ws);
            from.commit();
            let theirs = from.doc.save_after(&self.ws.doc.get_heads());
            self.ws.apply(&theirs).unwrap();
        }
    }

    #[test]
    fn undo_sets_back_the_last_edits_in_turn_and_redo_makes_one_again() {
        let mut tab = Tab::new();
        let id = tab.edit(Edit::CreateIdea { title: "Checkout".into() }).unwrap();
        tab.edit(Edit::IdeaText(id.clone(), IdeaText::Title, "Checkout revamp".into()));
        tab.edit(Edit::IdeaStatus(id.clone(), IdeaStatus::Accepted));
        tab.edit(Edit::Vote { idea: id.clone(), delta: 3 });

        assert!(tab.undo(false) > 0);
        assert_eq!(tab.idea(&id).votes, 0);
        tab.undo(false);
        assert_eq!(tab.idea(&id).status, IdeaStatus::New);
        tab.undo(false);
        assert_eq!(tab.idea(&id).title, "Checkout");

        tab.undo(true);
        assert_eq!(tab.idea(&id).title, "Checkout revamp");
        assert_eq!(tab.idea(&id).status, IdeaStatus::New);
        tab.undo(true);
        assert_eq!(tab.idea(&id).status, IdeaStatus::Accepted);
        // Undoing the redo sets it back again.
        tab.undo(false);
        assert_eq!(tab.idea(&id).status, IdeaStatus::New);
    }

    #[test]
    fn undoing_a_create_deletes_the_artifact_and_redo_brings_it_back_whole() {
        let mut tab = Tab::new();
        let id = tab.edit(Edit::CreateIdea { title: "Dark mode".into() }).unwrap();
        tab.undo(false);
        assert!(tab.idea(&id).deleted);
        assert_eq!(tab.idea(&id).title, "Dark mode", "its content is kept");
        tab.undo(true);
        assert!(!tab.idea(&id).deleted);
        assert_eq!(tab.idea(&id).title, "Dark mode");
        assert!(!tab.log.can_redo());
    }

    #[test]
    fn a_run_of_typing_in_one_field_is_one_step() {
        let mut tab = Tab::new();
        let id = tab.edit(Edit::CreateIdea { title: "A".into() }).unwrap();
        for title in ["A b", "A bo", "A bol", "A bold idea"] {
            tab.type_fast(Edit::IdeaText(id.clone(), IdeaText::Title, title.into()));
        }
        tab.undo(false);
        assert_eq!(tab.idea(&id).title, "A");
        assert!(!tab.idea(&id).deleted, "the create is a step of its own");
    }

    #[test]
    fn a_teammates_edits_made_meanwhile_survive_an_undo() {
        let mut tab = Tab::new();
        let id = tab.edit(Edit::CreateIdea { title: "Checkout".into() }).unwrap();
        tab.edit(Edit::IdeaText(id.clone(), IdeaText::Description, "Fewer steps to pay".into()));
        tab.edit(Edit::IdeaStatus(id.clone(), IdeaStatus::Accepted));
        let mut grace = tab.teammate();
        grace.apply_edit(Edit::IdeaText(id.clone(), IdeaText::Title, "Checkout in one page".into()), 20_000, "Grace").unwrap();
        grace.apply_edit(Edit::IdeaText(id.clone(), IdeaText::Description, "Much fewer steps to pay".into()), 20_000, "Grace").unwrap();
        tab.receive(&mut grace);

        tab.undo(false); // the status
        tab.undo(false); // the description: Grace's words stay, Ana's go
        let idea = tab.idea(&id);
        assert_eq!(idea.status, IdeaStatus::New);
        assert_eq!(idea.title, "Checkout in one page");
        // Grace made "Fewer" into "Much fewer": the "f" is hers.
        assert_eq!(idea.description, "Much f");

        tab.undo(true);
        assert_eq!(tab.idea(&id).description, "Much fewer steps to pay");
    }

    #[test]
    fn a_field_a_teammate_wrote_since_is_left_as_they_wrote_it() {
        let mut tab = Tab::new();
        let id = tab.edit(Edit::CreateIdea { title: "Checkout".into() }).unwrap();
        tab.edit(Edit::IdeaStatus(id.clone(), IdeaStatus::Accepted));
        let mut grace = tab.teammate();
        grace.apply_edit(Edit::IdeaStatus(id.clone(), IdeaStatus::Parked), 20_000, "Grace").unwrap();
        tab.receive(&mut grace);
        tab.undo(false);
        assert_eq!(tab.idea(&id).status, IdeaStatus::Parked);
    }

    #[test]
    fn deleted_words_come_back_in_order_around_what_a_teammate_typed() {
        let mut tab = Tab::new();
        let id = tab.edit(Edit::CreateIdea { title: "Checkout".into() }).unwrap();
        tab.edit(Edit::IdeaText(id.clone(), IdeaText::Description, "one two three four".into()));
        tab.edit(Edit::IdeaText(id.clone(), IdeaText::Description, "one four".into()));
        let mut grace = tab.teammate();
        grace.apply_edit(Edit::IdeaText(id.clone(), IdeaText::Description, "one 🚀 four!".into()), 20_000, "Grace").unwrap();
        tab.receive(&mut grace);
        tab.undo(false);
        // Grace typed "🚀 " after "one ", where "two three " stood: it comes back after hers.
        assert_eq!(tab.idea(&id).description, "one 🚀 two three four!");
    }

    #[test]
    fn a_removed_scenario_comes_back_with_its_steps() {
        let mut tab = Tab::new();
        let story = tab.edit(Edit::CreateStory { goal: "pay in one tap".into() }).unwrap();
        let scenario = tab.edit(Edit::AddScenario(story.clone())).unwrap();
        tab.edit(Edit::ScenarioStep { story: story.clone(), scenario: scenario.clone(), step: crate::story::Step::Given, text: "a saved card".into() });
        tab.edit(Edit::RemoveScenario { story: story.clone(), scenario: scenario.clone() });
        assert!(tab.ws.story(&story).unwrap().0.criteria.is_empty());
        tab.undo(false);
        let criteria = tab.ws.story(&story).unwrap().0.criteria;
        assert_eq!(criteria.len(), 1);
        assert_eq!((criteria[0].id.as_ref(), criteria[0].given.as_str()), (Some(&scenario), "a saved card"));
    }

    #[test]
    fn any_kinds_field_is_undone_the_same_way() {
        use crate::competitor::Competitor;
        use crate::kind::Kind;
        let mut tab = Tab::new();
        let acme = tab.edit(Edit::CreateItem { collection: crate::schema::COMPETITORS, title: "Acme".into() }).unwrap();
        let field = |value: &str| Edit::SetField { item: Ref::new(crate::schema::COMPETITORS, acme.clone()), key: "strengths".into(), value: crate::edit::FieldEdit::Value(value.into()) };
        tab.edit(field("Brand"));
        tab.edit(field("Brand and price"));
        tab.undo(false);
        assert_eq!(tab.ws.item::<Competitor>(&acme).unwrap().0.strengths, "Brand");
        tab.undo(false);
        assert_eq!(tab.ws.item::<Competitor>(&acme).unwrap().0.strengths, "");
        tab.undo(false);
        assert!(tab.ws.item::<Competitor>(&acme).unwrap().0.is_deleted());
    }

    #[test]
    fn a_scenario_a_teammate_has_written_in_since_stays() {
        let mut tab = Tab::new();
        let story = tab.edit(Edit::CreateStory { goal: "pay in one tap".into() }).unwrap();
        let scenario = tab.edit(Edit::AddScenario(story.clone())).unwrap();
        let mut grace = tab.teammate();
        let given = Edit::ScenarioStep { story: story.clone(), scenario: scenario.clone(), step: crate::story::Step::Given, text: "a saved card".into() };
        grace.apply_edit(given, 20_000, "Grace").unwrap();
        tab.receive(&mut grace);
        tab.undo(false);
        let criteria = tab.ws.story(&story).unwrap().0.criteria;
        assert_eq!(criteria.iter().map(|c| c.given.as_str()).collect::<Vec<_>>(), ["a saved card"], "Grace's words are not undone with it");
    }

    #[test]
    fn an_undo_names_what_it_changed_and_a_new_edit_leaves_nothing_to_redo() {
        let mut tab = Tab::new();
        let id = tab.edit(Edit::CreateIdea { title: "Checkout".into() }).unwrap();
        tab.edit(Edit::IdeaStatus(id.clone(), IdeaStatus::Accepted));
        let taken = tab.undo_taken(false);
        assert_eq!(taken.changed.of(crate::schema::IDEAS).iter().collect::<Vec<_>>(), [&id]);
        assert_eq!(tab.ws.describe(&taken.changed), "“Checkout”");
        assert!(tab.log.can_redo());
        tab.edit(Edit::Vote { idea: id.clone(), delta: 1 });
        assert!(!tab.log.can_redo());
    }
}
