//! Links between artifacts: from (kind, id) to (kind, id) with a relation.
//!
//! # Storage
//! Every link is one key of the root map `links`, so two people linking at once each
//! add their own key and both links survive:
//!
//! - a relation that holds many targets (feedback *supports* ideas) is keyed
//!   `<from collection>/<from id>><relation>><to collection>/<to id>`;
//! - a relation that holds one target (a story *speaks for* one persona) is keyed
//!   `<from collection>/<from id>><relation>`, so choosing another target replaces it
//!   (last writer wins, never two personas).
//!
//! Either way the value is the target, `<to collection>/<to id>`. `>` never occurs in
//! an id or a collection name, so all of one artifact's links are one key range and
//! reading them costs what they hold, not the size of the workspace.
//!
//! Documents made before this existed kept links on the artifact (`feedback.ideas`,
//! `feedback.persona`, `story.persona`, `story.idea`, `document.links`): those forms
//! are still read (by the artifact readers) and cleared whenever the link is written
//! again, so an unlinked old link never comes back. An old document has no `links`
//! map: if two people create it at once, Automerge keeps both maps as a conflict, and
//! the readers read all of them.

use std::collections::BTreeMap;

use automerge::{transaction::Transactable, ObjId, ObjType, ReadDoc, ScalarValueRef, ValueRef, ROOT};

use crate::fields::{child_map, ensure_map};
use crate::schema::{self, DOCUMENTS, FEATURES, FEEDBACK, IDEAS, OBJECTIVES, PERSONAS, RELEASES, RISKS, STORIES};
use crate::{EditError, Id, Problem, Workspace};

/// The root map holding every link.
pub const LINKS: &str = "links";
const SEP: char = '>';

/// One artifact: its collection (a [`schema::COLLECTIONS`] name) and its id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Ref {
    #[serde(deserialize_with = "crate::keys::collection")]
    pub collection: crate::keys::Key,
    pub id: Id,
}

impl Ref {
    pub fn new(collection: &'static str, id: Id) -> Ref {
        Ref { collection, id }
    }

    /// Reads `<collection>/<id>`; untrusted text from a peer.
    pub fn parse(s: &str) -> Option<Ref> {
        let (collection, id) = s.split_once('/')?;
        let collection = schema::COLLECTIONS.iter().find(|c| **c == collection)?;
        Some(Ref { collection, id: Id::parse(id)? })
    }
}

impl std::fmt::Display for Ref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.collection, self.id)
    }
}

/// What a link says about its two ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Relation {
    /// Feedback is evidence for an idea or a feature.
    Supports,
    /// A story or a piece of feedback speaks for a persona (one).
    SpeaksFor,
    /// A story comes from an idea (one).
    ComesFrom,
    /// A document describes an idea, a story, a feature, a release…
    Describes,
    /// A feature delivers an idea.
    Delivers,
    /// A story is part of a feature; a key result part of an objective (one).
    PartOf,
    /// A feature ships in a release (one).
    ShipsIn,
    /// A feature must finish before another can start.
    Blocks,
    /// A risk threatens a feature or a release.
    Threatens,
    /// A feature serves an objective.
    Serves,
    /// An experiment tests an idea or a feature.
    Tests,
    /// A beta program runs ahead of a release (one).
    BetaOf,
    /// An iteration or a phase is part of how a release is run (one).
    PeriodOf,
    /// A cost was spent on a feature or a release (one).
    SpentOn,
    /// A feature's success is judged by a KPI reaching its success target (one).
    JudgedBy,
}

impl Relation {
    pub const ALL: [Relation; 15] = [
        Relation::Supports,
        Relation::SpeaksFor,
        Relation::ComesFrom,
        Relation::Describes,
        Relation::Delivers,
        Relation::PartOf,
        Relation::ShipsIn,
        Relation::Blocks,
        Relation::Threatens,
        Relation::Serves,
        Relation::Tests,
        Relation::BetaOf,
        Relation::PeriodOf,
        Relation::SpentOn,
        Relation::JudgedBy,
    ];

    /// As stored.
    pub fn key(self) -> &'static str {
        match self {
            Relation::Supports => "supports",
            Relation::SpeaksFor => "speaks_for",
            Relation::ComesFrom => "comes_from",
            Relation::Describes => "describes",
            Relation::Delivers => "delivers",
            Relation::PartOf => "part_of",
            Relation::ShipsIn => "ships_in",
            Relation::Blocks => "blocks",
            Relation::Threatens => "threatens",
            Relation::Serves => "serves",
            Relation::Tests => "tests",
            Relation::BetaOf => "beta_of",
            Relation::PeriodOf => "period_of",
            Relation::SpentOn => "spent_on",
            Relation::JudgedBy => "judged_by",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.key() == s)
    }

    /// Read from the link's source: "supports", "blocks".
    pub fn label(self) -> &'static str {
        match self {
            Relation::Supports => "supports",
            Relation::SpeaksFor => "speaks for",
            Relation::ComesFrom => "comes from",
            Relation::Describes => "describes",
            Relation::Delivers => "delivers",
            Relation::PartOf => "part of",
            Relation::ShipsIn => "ships in",
            Relation::Blocks => "blocks",
            Relation::Threatens => "threatens",
            Relation::Serves => "serves",
            Relation::Tests => "tests",
            Relation::BetaOf => "is a beta of",
            Relation::PeriodOf => "is a period of",
            Relation::SpentOn => "spent on",
            Relation::JudgedBy => "is judged by",
        }
    }

    /// Read from the link's target: "supported by", "blocked by".
    pub fn inverse_label(self) -> &'static str {
        match self {
            Relation::Supports => "supported by",
            Relation::SpeaksFor => "spoken for by",
            Relation::ComesFrom => "led to",
            Relation::Describes => "described in",
            Relation::Delivers => "delivered by",
            Relation::PartOf => "made of",
            Relation::ShipsIn => "ships",
            Relation::Blocks => "blocked by",
            Relation::Threatens => "threatened by",
            Relation::Serves => "served by",
            Relation::Tests => "tested by",
            Relation::BetaOf => "has the beta",
            Relation::PeriodOf => "is run in",
            Relation::SpentOn => "has the cost",
            Relation::JudgedBy => "judges",
        }
    }

    /// Whether a source holds at most one target of this relation.
    pub fn is_one(self) -> bool {
        matches!(self, Relation::SpeaksFor | Relation::ComesFrom | Relation::PartOf | Relation::ShipsIn | Relation::BetaOf | Relation::PeriodOf | Relation::SpentOn | Relation::JudgedBy)
    }

    /// Whether this relation may go from an artifact of `from` to one of `to`.
    pub fn allows(self, from: &str, to: &str) -> bool {
        let pairs: &[(&str, &str)] = match self {
            Relation::Supports => &[(FEEDBACK, IDEAS), (FEEDBACK, FEATURES)],
            Relation::SpeaksFor => &[(STORIES, PERSONAS), (FEEDBACK, PERSONAS)],
            Relation::ComesFrom => &[(STORIES, IDEAS)],
            Relation::Describes => &[(DOCUMENTS, IDEAS), (DOCUMENTS, STORIES), (DOCUMENTS, FEATURES), (DOCUMENTS, RELEASES)],
            Relation::Delivers => &[(FEATURES, IDEAS)],
            Relation::PartOf => &[(STORIES, FEATURES), (OBJECTIVES, OBJECTIVES)],
            Relation::ShipsIn => &[(FEATURES, RELEASES)],
            Relation::Blocks => &[(FEATURES, FEATURES), (STORIES, STORIES)],
            Relation::Threatens => &[(RISKS, FEATURES), (RISKS, RELEASES)],
            Relation::Serves => &[(FEATURES, OBJECTIVES)],
            Relation::Tests => &[(schema::EXPERIMENTS, IDEAS), (schema::EXPERIMENTS, FEATURES)],
            Relation::BetaOf => &[(schema::BETAS, RELEASES)],
            Relation::PeriodOf => &[(schema::STAGES, RELEASES)],
            Relation::SpentOn => &[(schema::COSTS, FEATURES), (schema::COSTS, RELEASES)],
            Relation::JudgedBy => &[(FEATURES, OBJECTIVES)],
        };
        pairs.iter().any(|(f, t)| *f == from && *t == to)
    }
}

/// A link as read from the document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Link {
    pub from: Ref,
    pub relation: Relation,
    pub to: Ref,
}

/// The first part of every key of `from`'s links.
fn prefix(from: &Ref) -> String {
    format!("{from}{SEP}")
}

/// The key a link from `from` is stored under.
fn key(from: &Ref, relation: Relation, to: &Ref) -> String {
    if relation.is_one() {
        format!("{from}{SEP}{}", relation.key())
    } else {
        format!("{from}{SEP}{}{SEP}{to}", relation.key())
    }
}

/// Reads one stored entry; `None` when the key or value is not one this build wrote.
fn parse_entry(key: &str, value: &str) -> Option<Link> {
    let mut parts = key.split(SEP);
    let from = Ref::parse(parts.next()?)?;
    let relation = Relation::parse(parts.next()?)?;
    let to = Ref::parse(value)?;
    let slot = parts.next();
    if parts.next().is_some() || relation.is_one() != slot.is_none() || slot.is_some_and(|s| s != value) {
        return None;
    }
    relation.allows(from.collection, to.collection).then_some(Link { from, relation, to })
}

/// The source artifact named by a stored key (to say which artifact a change touched).
pub(crate) fn source_of(key: &str) -> Option<Ref> {
    Ref::parse(key.split(SEP).next()?)
}

/// Every link read in both directions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkIndex {
    from: BTreeMap<Ref, Vec<Link>>,
    to: BTreeMap<Ref, Vec<Link>>,
}

impl LinkIndex {
    pub fn new(links: impl IntoIterator<Item = Link>) -> LinkIndex {
        let mut index = LinkIndex::default();
        for link in links {
            index.to.entry(link.to.clone()).or_default().push(link.clone());
            index.from.entry(link.from.clone()).or_default().push(link);
        }
        index
    }

    /// The links that start at `from`.
    pub fn from(&self, from: &Ref) -> &[Link] {
        self.from.get(from).map_or(&[], Vec::as_slice)
    }

    /// The links that end at `to`.
    pub fn to(&self, to: &Ref) -> &[Link] {
        self.to.get(to).map_or(&[], Vec::as_slice)
    }

    /// The targets `from` has under `relation`.
    pub fn targets(&self, from: &Ref, relation: Relation) -> impl Iterator<Item = &Ref> {
        self.from(from).iter().filter(move |l| l.relation == relation).map(|l| &l.to)
    }

    /// The sources that point at `to` under `relation`.
    pub fn sources(&self, to: &Ref, relation: Relation) -> impl Iterator<Item = &Ref> {
        self.to(to).iter().filter(move |l| l.relation == relation).map(|l| &l.from)
    }
}

impl Workspace {
    /// Every `links` map at the root: one, or several when two people created it at
    /// once in a document made before links existed.
    pub(crate) fn links_maps(&self) -> Vec<ObjId> {
        self.doc
            .get_all(ROOT, LINKS)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(value, obj)| matches!(value, automerge::Value::Object(ObjType::Map)).then_some(obj))
            .collect()
    }

    /// The links stored in the current form that start at `from` (one key range).
    pub fn stored_links_from(&self, from: &Ref) -> Vec<Link> {
        let start = prefix(from);
        let mut end = start.clone();
        end.pop();
        end.push(char::from(SEP as u8 + 1));
        let mut links: Vec<Link> = Vec::new();
        for map in self.links_maps() {
            for item in self.doc.map_range(&map, start.clone()..end.clone()) {
                if let ValueRef::Scalar(ScalarValueRef::Str(value)) = &item.value {
                    if let Some(link) = parse_entry(&item.key, value) {
                        if !links.contains(&link) {
                            links.push(link);
                        }
                    }
                }
            }
        }
        links.sort();
        links
    }

    /// Every link stored in the current form, with a problem for each entry that is
    /// not one (a hostile or newer peer's), which is skipped.
    pub fn stored_links(&self) -> (Vec<Link>, Vec<Problem>) {
        let mut links = Vec::new();
        let mut problems = Vec::new();
        for map in self.links_maps() {
            for item in self.doc.map_range(&map, ..) {
                let link = match &item.value {
                    ValueRef::Scalar(ScalarValueRef::Str(value)) => parse_entry(&item.key, value),
                    _ => None,
                };
                match link {
                    Some(link) => links.push(link),
                    None => {
                        let shown: String = item.key.chars().take(80).collect();
                        problems.push(Problem { path: format!("{LINKS}/{shown:?}"), message: "not a link this version knows; skipped".into() });
                    }
                }
            }
        }
        links.sort();
        links.dedup();
        (links, problems)
    }

    /// Every link in both directions: the current form plus the forms documents made
    /// before it keep on their artifacts.
    pub fn link_index(&self) -> LinkIndex {
        let mut links = self.stored_links().0;
        links.extend(self.artifact_links());
        links.sort();
        links.dedup();
        LinkIndex::new(links)
    }

    /// Links `from` to `to` under `relation`. For a relation that holds one target,
    /// this replaces the one it had. Both ends must exist.
    pub fn link(&mut self, from: &Ref, relation: Relation, to: &Ref, now_ms: i64) -> Result<(), EditError> {
        if !relation.allows(from.collection, to.collection) {
            return Err(EditError::Invalid(format!("a {} cannot {} a {}", from.collection, relation.label(), to.collection)));
        }
        if from == to {
            return Err(EditError::Invalid(format!("an artifact cannot {} itself", relation.label())));
        }
        self.artifact(to.collection, &to.id)?;
        let source = self.artifact(from.collection, &from.id)?;
        self.clear_legacy(&source, from, relation, Some(to))?;
        let maps = self.links_maps();
        let map = match maps.first() {
            Some(map) => map.clone(),
            None => ensure_map(&mut self.doc, &ROOT, LINKS)?,
        };
        let stored = key(from, relation, to);
        // A one-target relation in a second copy of the map would read as a second target.
        for other in maps.iter().skip(1) {
            if self.doc.get(other, stored.as_str())?.is_some() {
                self.doc.delete(other, stored.as_str())?;
            }
        }
        self.doc.put(&map, stored, to.to_string())?;
        self.touch(&source, now_ms)
    }

    /// Removes the link (from every copy of the `links` map, and its old form).
    pub fn unlink(&mut self, from: &Ref, relation: Relation, to: &Ref, now_ms: i64) -> Result<(), EditError> {
        let source = self.artifact(from.collection, &from.id)?;
        self.clear_legacy(&source, from, relation, Some(to))?;
        let stored = key(from, relation, to);
        for map in self.links_maps() {
            let holds_it = match self.doc.get(&map, stored.as_str())? {
                Some((automerge::Value::Scalar(v), _)) => v.as_str() == Some(to.to_string().as_str()) || !relation.is_one(),
                Some(_) => true,
                None => false,
            };
            if holds_it {
                self.doc.delete(&map, stored.as_str())?;
            }
        }
        self.touch(&source, now_ms)
    }

    /// Sets the one target of `relation` (or clears it with `None`).
    pub fn set_link(&mut self, from: &Ref, relation: Relation, to: Option<&Ref>, now_ms: i64) -> Result<(), EditError> {
        debug_assert!(relation.is_one());
        match to {
            Some(to) => self.link(from, relation, to, now_ms),
            None => {
                let source = self.artifact(from.collection, &from.id)?;
                self.clear_legacy(&source, from, relation, None)?;
                let stored = format!("{from}{SEP}{}", relation.key());
                for map in self.links_maps() {
                    if self.doc.get(&map, stored.as_str())?.is_some() {
                        self.doc.delete(&map, stored.as_str())?;
                    }
                }
                self.touch(&source, now_ms)
            }
        }
    }

    /// When an artifact last changed (`None` when it does not exist or never said).
    pub(crate) fn updated_at(&self, of: &Ref) -> Option<i64> {
        let obj = self.artifact(of.collection, &of.id).ok()?;
        match self.doc.get(&obj, schema::UPDATED_AT).ok()?? {
            (automerge::Value::Scalar(v), _) => v.as_i64(),
            _ => None,
        }
    }

    /// Links or unlinks, as `on` says.
    pub fn set_linked(&mut self, from: &Ref, relation: Relation, to: &Ref, on: bool, now_ms: i64) -> Result<(), EditError> {
        if on {
            self.link(from, relation, to, now_ms)
        } else {
            self.unlink(from, relation, to, now_ms)
        }
    }

    /// The links stored in the current form from every artifact of `collection`, by
    /// artifact (one pass over the links, for reading a whole collection).
    pub(crate) fn stored_links_by_source(&self, collection: &str) -> BTreeMap<Id, Vec<Link>> {
        let mut by_source: BTreeMap<Id, Vec<Link>> = BTreeMap::new();
        for link in self.stored_links().0 {
            if link.from.collection == collection {
                by_source.entry(link.from.id.clone()).or_default().push(link);
            }
        }
        by_source
    }

    /// Clears the old form of a link on its source artifact, so that writing the link
    /// in the current form is the only place it lives.
    fn clear_legacy(&mut self, source: &ObjId, from: &Ref, relation: Relation, to: Option<&Ref>) -> Result<(), EditError> {
        let Some(field) = legacy_field(from.collection, relation) else { return Ok(()) };
        if relation.is_one() {
            if self.doc.get(source, field)?.is_some() {
                self.doc.put(source, field, "")?;
            }
        } else if let Some(map) = child_map(&self.doc, source, field) {
            if let Some(to) = to {
                if self.doc.get(&map, to.id.as_str())?.is_some() {
                    self.doc.delete(&map, to.id.as_str())?;
                }
            }
        }
        Ok(())
    }

    /// The links the artifact readers report (current and old forms merged).
    fn artifact_links(&self) -> Vec<Link> {
        let mut links = Vec::new();
        for fb in self.all_feedback().0 {
            let Some(id) = fb.id else { continue };
            let from = Ref::new(FEEDBACK, id);
            links.extend(fb.ideas.into_iter().map(|i| Link { from: from.clone(), relation: Relation::Supports, to: Ref::new(IDEAS, i) }));
            links.extend(fb.persona.map(|p| Link { from, relation: Relation::SpeaksFor, to: Ref::new(PERSONAS, p) }));
        }
        for story in self.stories().0 {
            let Some(id) = story.id else { continue };
            let from = Ref::new(STORIES, id);
            links.extend(story.persona.map(|p| Link { from: from.clone(), relation: Relation::SpeaksFor, to: Ref::new(PERSONAS, p) }));
            links.extend(story.idea.map(|i| Link { from, relation: Relation::ComesFrom, to: Ref::new(IDEAS, i) }));
        }
        for doc in self.documents().0 {
            let Some(id) = doc.id else { continue };
            let from = Ref::new(DOCUMENTS, id);
            links.extend(doc.links.into_iter().map(|to| Link { from: from.clone(), relation: Relation::Describes, to }));
        }
        links
    }

    /// The old `document.links` held bare ids of ideas or stories: their kind is
    /// found by looking the id up (only this old form ever needs that).
    pub(crate) fn legacy_document_targets(&self, ids: &[Id]) -> Vec<Ref> {
        ids.iter()
            .filter_map(|id| {
                [IDEAS, STORIES].into_iter().find(|c| self.artifact(c, id).is_ok()).map(|c| Ref::new(c, id.clone()))
            })
            .collect()
    }
}

/// Lays the current form of a many-target relation over the old one a reader found.
pub(crate) fn merge_many(ids: &mut Vec<Id>, stored: &[Link], relation: Relation, collection: &str) {
    for link in stored.iter().filter(|l| l.relation == relation && l.to.collection == collection) {
        if !ids.contains(&link.to.id) {
            ids.push(link.to.id.clone());
        }
    }
}

/// Lays the current form of a one-target relation over the old one: it wins when set.
pub(crate) fn merge_one(id: &mut Option<Id>, stored: &[Link], relation: Relation) {
    if let Some(link) = stored.iter().find(|l| l.relation == relation) {
        *id = Some(link.to.id.clone());
    }
}

/// Where a relation lived on its source before the `links` map.
pub(crate) fn legacy_field(from: &str, relation: Relation) -> Option<&'static str> {
    match (from, relation) {
        (FEEDBACK, Relation::Supports) => Some("ideas"),
        (FEEDBACK, Relation::SpeaksFor) | (STORIES, Relation::SpeaksFor) => Some("persona"),
        (STORIES, Relation::ComesFrom) => Some("idea"),
        (DOCUMENTS, Relation::Describes) => Some("links"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_ideas_and_feedback() -> (Workspace, Ref, Ref, Ref) {
        let mut ws = Workspace::create("W", 1, "Ada");
        let a = Ref::new(IDEAS, ws.create_idea("A", 1, "Ada").unwrap());
        let b = Ref::new(IDEAS, ws.create_idea("B", 1, "Ada").unwrap());
        let fb = Ref::new(FEEDBACK, ws.create_feedback("It is slow", crate::feedback::Channel::Support, 1, "Ada").unwrap());
        (ws, a, b, fb)
    }

    #[test]
    fn a_link_reads_in_both_directions() {
        let (mut ws, a, b, fb) = two_ideas_and_feedback();
        ws.link(&fb, Relation::Supports, &a, 2).unwrap();
        let index = ws.link_index();
        assert_eq!(index.targets(&fb, Relation::Supports).collect::<Vec<_>>(), vec![&a]);
        assert_eq!(index.sources(&a, Relation::Supports).collect::<Vec<_>>(), vec![&fb]);
        assert!(index.to(&b).is_empty());
        ws.unlink(&fb, Relation::Supports, &a, 3).unwrap();
        assert!(ws.link_index().from(&fb).is_empty());
    }

    #[test]
    fn two_people_linking_at_once_both_keep_their_links() {
        let (mut ada, a, b, fb) = two_ideas_and_feedback();
        ada.commit();
        let mut bob = ada.fork();
        ada.link(&fb, Relation::Supports, &a, 2).unwrap();
        bob.link(&fb, Relation::Supports, &b, 2).unwrap();
        ada.merge(&mut bob).unwrap();
        let index = ada.link_index();
        let mut both: Vec<&Ref> = index.targets(&fb, Relation::Supports).collect();
        both.sort();
        let mut expected = vec![&a, &b];
        expected.sort();
        assert_eq!(both, expected);
    }

    #[test]
    fn a_relation_of_one_target_keeps_one_when_two_people_choose_at_once() {
        let mut ada = Workspace::create("W", 1, "Ada");
        let p1 = Ref::new(PERSONAS, ada.create_persona("Pat", 1, "Ada").unwrap());
        let p2 = Ref::new(PERSONAS, ada.create_persona("Sam", 1, "Ada").unwrap());
        let story = Ref::new(STORIES, ada.create_story("export", 1, "Ada").unwrap());
        ada.commit();
        let mut bob = ada.fork();
        ada.set_link(&story, Relation::SpeaksFor, Some(&p1), 2).unwrap();
        bob.set_link(&story, Relation::SpeaksFor, Some(&p2), 2).unwrap();
        ada.merge(&mut bob).unwrap();
        let index = ada.link_index();
        let targets: Vec<&Ref> = index.targets(&story, Relation::SpeaksFor).collect();
        assert_eq!(targets.len(), 1, "one persona, never two: {targets:?}");
        ada.set_link(&story, Relation::SpeaksFor, None, 3).unwrap();
        assert!(ada.link_index().from(&story).is_empty());
    }

    #[test]
    fn links_are_checked_for_kinds_and_ends() {
        let (mut ws, a, _, fb) = two_ideas_and_feedback();
        assert!(matches!(ws.link(&a, Relation::Supports, &fb, 2), Err(EditError::Invalid(_))), "an idea does not support feedback");
        let ghost = Ref::new(IDEAS, Id::random());
        assert!(matches!(ws.link(&fb, Relation::Supports, &ghost, 2), Err(EditError::NotFound(_))));
        assert!(ws.link_index().from(&fb).is_empty());
    }

    #[test]
    fn old_forms_are_read_and_an_unlinked_old_link_stays_gone() {
        let (mut ws, a, _, fb) = two_ideas_and_feedback();
        let story = Ref::new(STORIES, ws.create_story("export", 1, "Ada").unwrap());
        let doc = Ref::new(DOCUMENTS, ws.create_document("Spec", crate::DocKind::Spec, 1, "Ada").unwrap());
        // What a build before the links map wrote:
        let fobj = ws.artifact(FEEDBACK, &fb.id).unwrap();
        let ideas = ensure_map(&mut ws.doc, &fobj, "ideas").unwrap();
        ws.doc.put(&ideas, a.id.as_str(), true).unwrap();
        let sobj = ws.artifact(STORIES, &story.id).unwrap();
        ws.doc.put(&sobj, "idea", a.id.as_str()).unwrap();
        let dobj = ws.artifact(DOCUMENTS, &doc.id).unwrap();
        let dlinks = ensure_map(&mut ws.doc, &dobj, "links").unwrap();
        ws.doc.put(&dlinks, story.id.as_str(), true).unwrap();

        let index = ws.link_index();
        assert_eq!(index.targets(&fb, Relation::Supports).collect::<Vec<_>>(), vec![&a]);
        assert_eq!(index.targets(&story, Relation::ComesFrom).collect::<Vec<_>>(), vec![&a]);
        assert_eq!(index.targets(&doc, Relation::Describes).collect::<Vec<_>>(), vec![&story], "the old id is found to be a story");
        assert_eq!(index.sources(&a, Relation::ComesFrom).collect::<Vec<_>>(), vec![&story]);

        ws.unlink(&fb, Relation::Supports, &a, 2).unwrap();
        ws.set_link(&story, Relation::ComesFrom, None, 2).unwrap();
        ws.unlink(&doc, Relation::Describes, &story, 2).unwrap();
        let index = ws.link_index();
        assert!(index.from(&fb).is_empty() && index.from(&story).is_empty() && index.from(&doc).is_empty());
    }

    #[test]
    fn a_links_map_created_twice_at_once_loses_no_link() {
        let (mut ada, a, b, fb) = two_ideas_and_feedback();
        // A document from before links existed: no root map.
        ada.doc.delete(ROOT, LINKS).unwrap();
        ada.commit();
        let mut bob = ada.fork();
        ada.link(&fb, Relation::Supports, &a, 2).unwrap();
        bob.link(&fb, Relation::Supports, &b, 2).unwrap();
        ada.merge(&mut bob).unwrap();
        assert_eq!(ada.links_maps().len(), 2, "both maps kept as a conflict");
        assert_eq!(ada.link_index().targets(&fb, Relation::Supports).count(), 2);
        ada.unlink(&fb, Relation::Supports, &b, 3).unwrap();
        let index = ada.link_index();
        assert_eq!(index.targets(&fb, Relation::Supports).collect::<Vec<_>>(), vec![&a]);
    }

    #[test]
    fn a_teammates_link_names_the_artifact_it_starts_at() {
        let (mut ada, a, _, fb) = two_ideas_and_feedback();
        ada.save_incremental();
        let _ = ada.take_changes();
        let mut bob = ada.fork();
        bob.link(&fb, Relation::Supports, &a, 2).unwrap();
        let changed = ada.apply(&bob.save_incremental()).unwrap();
        assert!(changed.of(FEEDBACK).contains(&fb.id), "{changed:?}");
        bob.unlink(&fb, Relation::Supports, &a, 3).unwrap();
        let _ = ada.take_changes();
        let changed = ada.apply(&bob.save_incremental()).unwrap();
        assert!(changed.of(FEEDBACK).contains(&fb.id), "{changed:?}");
    }

    #[test]
    fn hostile_entries_are_reported_and_skipped() {
        let (mut ws, a, _, fb) = two_ideas_and_feedback();
        ws.link(&fb, Relation::Supports, &a, 2).unwrap();
        let map = ws.links_maps()[0].clone();
        for (k, v) in [
            ("feedback/x>supports>ideas/y", "ideas/z"),
            ("ideas/x>supports>feedback/y", "feedback/y"),
            ("feedback/x>unknown>ideas/y", "ideas/y"),
            ("feedback/x>speaks_for>personas/y", "personas/y"),
            ("nonsense", "<script>"),
        ] {
            ws.doc.put(&map, k, v).unwrap();
        }
        ws.doc.put(&map, "feedback/x>supports>ideas/q", 7).unwrap();
        let (links, problems) = ws.stored_links();
        assert_eq!(links.len(), 1);
        assert_eq!(problems.len(), 6);
        assert_eq!(ws.problems().len(), 6, "reported with the workspace's own problems");
        assert_eq!(ws.stored_links_from(&fb).len(), 1);
    }
}
