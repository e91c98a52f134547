//! History: who changed what and when, read from the document's own changes; and going
//! back: the workspace as it was after any change, an artifact then and now compared,
//! and one artifact's past version restored (as new changes, never by rewriting).
//!
//! Each change carries its author's display name as its message and its time in
//! seconds (Automerge's convention), so both travel with the document. What a change
//! touched is not taken from its author's word: it is read from the change's own
//! operations, each object resolved to the artifact it sits in.

use std::collections::{BTreeSet, HashMap};

use automerge::{transaction::CommitOptions, ChangeHash, ReadDoc, Value};

use crate::schema::{BRIEF, COLLECTIONS, SETTINGS};
use crate::{Id, Workspace};

/// The longest author name kept from a change: a peer's message is untrusted.
const MAX_NAME: usize = 80;
/// Who a change is shown as when it names no one (made before names were recorded).
pub const SOMEONE: &str = "Someone";

/// Where in the workspace an operation landed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Place {
    /// The workspace itself: only its creation writes its id.
    Workspace,
    Brief,
    Settings,
    /// The links between artifacts.
    Links,
    /// Artifact `id` of `collection` (one of [`COLLECTIONS`]).
    Item(#[serde(deserialize_with = "crate::keys::collection")] crate::keys::Key, Id),
}

/// One change of the workspace's history. It serializes (without what it builds on)
/// for the app's page, which shows history the document's worker reads.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Moment {
    #[serde(with = "hash_hex")]
    pub hash: ChangeHash,
    /// The author's display name, or [`SOMEONE`].
    pub by: String,
    /// When, in milliseconds since the epoch (0 when the change does not say).
    pub at_ms: i64,
    /// What it touched, each place once, in order.
    pub touched: Vec<Place>,
    /// The artifacts among them it created.
    pub added: Vec<Place>,
    /// The changes it builds on.
    #[serde(skip)]
    deps: Vec<ChangeHash>,
}

/// A change's hash as its hex spelling.
mod hash_hex {
    use automerge::ChangeHash;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(hash: &ChangeHash, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(hash)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ChangeHash, D::Error> {
        String::deserialize(d)?.parse().map_err(|_| D::Error::custom("not a change hash"))
    }
}

impl Moment {
    /// The artifacts it touched, with their collections.
    pub fn items(&self) -> impl Iterator<Item = (&'static str, &Id)> + '_ {
        self.touched.iter().filter_map(|p| match p {
            Place::Item(c, id) => Some((*c, id)),
            _ => None,
        })
    }
}

/// The workspace's history as moments, oldest first (each after everything it builds
/// on), brought up to date with [`History::update`] at the cost of what is new.
#[derive(Default)]
pub struct History {
    moments: Vec<Moment>,
    heads: Vec<ChangeHash>,
    /// Where each object seen in an operation sits (`None`: nowhere that matters).
    places: HashMap<automerge::legacy::OpId, Option<Spot>>,
}

/// Where an object sits: a collection map itself, or inside an artifact, the brief…
#[derive(Clone, Debug)]
enum Spot {
    Collection(&'static str),
    In(Place),
}

impl History {
    /// Reads the changes made since the last update. Returns how many were new.
    pub fn update(&mut self, ws: &mut Workspace) -> usize {
        ws.doc.commit();
        let changes = ws.doc.get_changes(&self.heads);
        let new = changes.len();
        for change in changes {
            let moment = self.moment_of(ws, &change);
            self.moments.push(moment);
        }
        self.heads = ws.doc.get_heads();
        new
    }

    fn moment_of(&mut self, ws: &Workspace, change: &automerge::Change) -> Moment {
        use automerge::legacy::{Key, ObjectId};
        let (mut touched, mut added): (Vec<Place>, Vec<Place>) = (Vec::new(), Vec::new());
        // What is in each list, so a change of thousands of artifacts (an import) is
        // not quadratic.
        let (mut in_touched, mut in_added) = (std::collections::HashSet::new(), std::collections::HashSet::new());
        let decoded = change.decode();
        for (i, op) in decoded.operations.into_iter().enumerate() {
            if matches!(op.action, automerge::legacy::OpType::Make(_)) {
                // Where the object it makes sits follows from where it is made: noted
                // now, so `spot` never has to look it up (a lookup walks the document,
                // and an import makes tens of thousands of objects).
                let made = automerge::legacy::OpId(decoded.start_op.get() + i as u64, decoded.actor_id.clone());
                let spot = self.spot_of_child(ws, &op.obj, &op.key);
                self.places.insert(made, spot);
            }
            let makes = matches!(op.action, automerge::legacy::OpType::Make(automerge::ObjType::Map));
            let place = match (&op.obj, &op.key) {
                (ObjectId::Root, Key::Map(key)) => match key.as_str() {
                    BRIEF => Some(Place::Brief),
                    SETTINGS => Some(Place::Settings),
                    crate::link::LINKS => Some(Place::Links),
                    crate::schema::WORKSPACE_ID => Some(Place::Workspace),
                    _ => None,
                },
                (ObjectId::Root, _) => None,
                (ObjectId::Id(id), key) => match self.spot(ws, id) {
                    Some(Spot::In(place)) => Some(place),
                    Some(Spot::Collection(c)) => match key {
                        Key::Map(k) => Id::parse(k).map(|id| Place::Item(c, id)).inspect(|place| {
                            if makes && in_added.insert(place.clone()) {
                                added.push(place.clone());
                            }
                        }),
                        _ => None,
                    },
                    None => None,
                },
            };
            if let Some(place) = place {
                if in_touched.insert(place.clone()) {
                    touched.push(place);
                }
            }
        }
        Moment { hash: change.hash(), by: author_of(change.message()), at_ms: change.timestamp().saturating_mul(1000), touched, added, deps: change.deps().to_vec() }
    }

    /// Where an object made at `key` of object `parent` sits.
    fn spot_of_child(&mut self, ws: &Workspace, parent: &automerge::legacy::ObjectId, key: &automerge::legacy::Key) -> Option<Spot> {
        use automerge::legacy::{Key, ObjectId};
        match (parent, key) {
            (ObjectId::Root, Key::Map(key)) => match key.as_str() {
                BRIEF => Some(Spot::In(Place::Brief)),
                SETTINGS => Some(Spot::In(Place::Settings)),
                crate::link::LINKS => Some(Spot::In(Place::Links)),
                c => COLLECTIONS.iter().find(|k| **k == c).map(|c| Spot::Collection(c)),
            },
            (ObjectId::Root, _) => None,
            (ObjectId::Id(id), key) => match self.spot(ws, id)? {
                Spot::In(place) => Some(Spot::In(place)),
                Spot::Collection(c) => match key {
                    Key::Map(k) => Id::parse(k).map(|id| Spot::In(Place::Item(c, id))),
                    _ => None,
                },
            },
        }
    }

    /// Where object `obj` sits, found once and remembered.
    fn spot(&mut self, ws: &Workspace, obj: &automerge::legacy::OpId) -> Option<Spot> {
        if let Some(spot) = self.places.get(obj) {
            return spot.clone();
        }
        let spot = ws.doc.import_obj(&format!("{}@{}", obj.0, obj.1)).ok().and_then(|o| ws.doc.parents(&o).ok()).and_then(|parents| {
            let path = parents.path();
            let key = |i: usize| match path.get(i) {
                Some((_, automerge::Prop::Map(k))) => Some(k.as_str()),
                _ => None,
            };
            match key(0)? {
                BRIEF => Some(Spot::In(Place::Brief)),
                SETTINGS => Some(Spot::In(Place::Settings)),
                crate::link::LINKS => Some(Spot::In(Place::Links)),
                c => {
                    let collection = *COLLECTIONS.iter().find(|k| **k == c)?;
                    match key(1) {
                        None => Some(Spot::Collection(collection)),
                        Some(id) => Id::parse(id).map(|id| Spot::In(Place::Item(collection, id))),
                    }
                }
            }
        });
        self.places.insert(obj.clone(), spot.clone());
        spot
    }

    /// Every moment, oldest first.
    pub fn moments(&self) -> &[Moment] {
        &self.moments
    }

    /// The heads of the workspace as it was after its first `n` moments.
    pub fn heads_after(&self, n: usize) -> Vec<ChangeHash> {
        let n = n.min(self.moments.len());
        if n == self.moments.len() {
            return self.heads.clone();
        }
        // Moments come after what they build on, so the first `n` are a whole history:
        // its heads are those no other of them builds on.
        let prefix = &self.moments[..n];
        let built_on: BTreeSet<ChangeHash> = prefix.iter().flat_map(|m| m.deps.iter().copied()).collect();
        prefix.iter().map(|m| m.hash).filter(|h| !built_on.contains(h)).collect()
    }

    /// Everyone who made a change, in the order they first did.
    pub fn people(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.moments.iter().filter(|m| seen.insert(m.by.clone())).map(|m| m.by.clone()).collect()
    }
}

/// The moments made after `heads` (a point someone saw), read on their own: only the
/// changes `heads` does not include are decoded, so this costs what is new, not the
/// whole history. Hashes this workspace does not know are ignored.
pub fn since(ws: &mut Workspace, heads: &[ChangeHash]) -> Vec<Moment> {
    ws.doc.commit();
    // Which of `heads` the document holds, from its change graph: asking for each
    // change instead rebuilds changes from the whole op set.
    let missing = ws.doc.get_missing_deps(heads);
    let known: Vec<ChangeHash> = heads.iter().copied().filter(|h| !missing.contains(h)).collect();
    // Nothing came after them (reopening a workspace nobody else touched): no need to
    // collect changes, which costs as much as the whole document the first time
    // (0.8 s at 10,000 ideas).
    if ws.doc.get_heads().iter().all(|h| known.contains(h)) {
        return Vec::new();
    }
    let changes = ws.doc.get_changes(&known);
    let mut reader = History::default();
    changes.iter().map(|c| reader.moment_of(ws, c)).collect()
}

/// A name as it may be shown: no control characters, none of the invisible marks that
/// reorder text around it (bidirectional overrides and isolates), at most [`MAX_NAME`]
/// characters.
fn shown_name(raw: &str) -> String {
    let invisible = |c: &char| matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}');
    raw.chars().filter(|c| !c.is_control() && !invisible(c)).take(MAX_NAME).collect()
}

/// A change's author as shown: its message, trimmed of control characters and cut to
/// [`MAX_NAME`] characters; [`SOMEONE`] if that leaves nothing.
fn author_of(message: Option<&str>) -> String {
    let name = shown_name(message.unwrap_or_default());
    let name = name.trim();
    if name.is_empty() {
        SOMEONE.to_owned()
    } else {
        name.to_owned()
    }
}

/// One artifact of `collection`, as a word in a sentence ("idea", "key result").
pub fn noun(collection: &str) -> String {
    struct Find<'a>(&'a str, Option<&'static str>);
    impl crate::kind::KindVisitor for Find<'_> {
        fn visit<K: crate::kind::Kind>(&mut self) {
            if K::COLLECTION == self.0 {
                self.1 = Some(K::SINGULAR);
            }
        }
    }
    let mut find = Find(collection, None);
    crate::kind::visit_kinds(&mut find);
    match find.1 {
        Some(singular) => crate::kind::in_sentence(singular),
        None => match collection {
            crate::schema::IDEAS => "idea",
            crate::schema::FEEDBACK => "feedback",
            crate::schema::PERSONAS => "persona",
            crate::schema::STORIES => "story",
            crate::schema::DOCUMENTS => "document",
            _ => "item",
        }
        .to_owned(),
    }
}

/// What a moment did, in one line after its author's name: "added idea “Dark mode”",
/// "changed story “Pay by card” and 2 more", "changed the brief". `title` names an
/// artifact (empty when it has no title).
pub fn summary(moment: &Moment, title: impl Fn(&str, &Id) -> String) -> String {
    let items: Vec<(&'static str, &Id)> = moment.items().collect();
    let verb = |place: &Place| if moment.added.contains(place) { "added" } else { "changed" };
    let named = |collection: &str, id: &Id| {
        let t = title(collection, id);
        let t: String = t.chars().take(60).collect();
        if t.trim().is_empty() { format!("an untitled {}", noun(collection)) } else { format!("{} “{}”", noun(collection), t.trim()) }
    };
    match items.as_slice() {
        [] if moment.touched.contains(&Place::Workspace) => "created the workspace".to_owned(),
        [] => {
            let parts: Vec<&str> = moment
                .touched
                .iter()
                .map(|p| match p {
                    Place::Brief => "the brief",
                    Place::Settings => "the settings",
                    Place::Links => "links",
                    Place::Item(..) | Place::Workspace => "",
                })
                .filter(|p| !p.is_empty())
                .collect();
            if parts.is_empty() { "changed nothing visible".to_owned() } else { format!("changed {}", parts.join(" and ")) }
        }
        [(c, id)] => format!("{} {}", verb(&Place::Item(c, (*id).clone())), named(c, id)),
        [(c, id), rest @ ..] => {
            let first = Place::Item(c, (*id).clone());
            let all_added = items.iter().all(|(c, id)| moment.added.contains(&Place::Item(c, (*id).clone())));
            let verb = if all_added { "added" } else { verb(&first) };
            format!("{verb} {} and {} more", named(c, id), rest.len())
        }
    }
}

impl Workspace {
    /// Closes the pending edits into one change that records `by` as its author and
    /// `now_ms` as its time. Returns whether there were any.
    pub fn commit_by(&mut self, by: &str, now_ms: i64) -> bool {
        let by = shown_name(by);
        self.doc.commit_with(CommitOptions::default().with_message(by).with_time(now_ms.div_euclid(1000))).is_some()
    }

    /// How many changes are not in `heads`' history (all of them for `&[]`).
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> usize {
        self.doc.commit();
        self.doc.get_changes(heads).len()
    }

    /// Where history stands now (commits pending edits first).
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.commit();
        self.doc.get_heads()
    }

    /// The workspace as it was at `heads` (see [`History::heads_after`]): a separate
    /// copy, so reading or changing it leaves this one alone.
    pub fn at(&mut self, heads: &[ChangeHash]) -> Result<Workspace, crate::LoadError> {
        self.doc.commit();
        let doc = self.doc.fork_at(heads).map_err(|e| crate::LoadError::NotAutomerge(e.to_string()))?;
        Ok(Workspace::wrap(doc))
    }

    /// An artifact's title as stored (its `title`, `name` or `text`), for lists of
    /// what changed; empty if it has none.
    pub fn title_of(&self, collection: &str, id: &Id) -> String {
        let Some(obj) = self.item_obj(collection, id) else { return String::new() };
        ["title", "name", "text"]
            .into_iter()
            .find_map(|key| match self.doc.get(&obj, key) {
                Ok(Some((Value::Object(automerge::ObjType::Text), text))) => self.doc.text(&text).ok(),
                Ok(Some((Value::Scalar(s), _))) => s.as_str().map(str::to_owned),
                _ => None,
            })
            .map(|t| t.lines().next().unwrap_or_default().to_owned())
            .unwrap_or_default()
    }

    pub(crate) fn item_obj(&self, collection: &str, id: &Id) -> Option<automerge::ObjId> {
        let coll = crate::fields::child_map(&self.doc, &automerge::ROOT, collection)?;
        crate::fields::child_map(&self.doc, &coll, id.as_str())
    }
}
