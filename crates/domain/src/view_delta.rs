//! What a change did to the views, as data: the artifacts it touched as they read now,
//! and the brief and settings if it touched them. The document's worker sends one to
//! the page after every edit and every change that arrives, so the page keeps only view
//! signals and never reads the document itself.
//!
//! Like a [`ViewCache`], it crosses threads as JSON: artifacts are checked on the way
//! in ([`crate::keys`]) and one of a collection outside the schema is refused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::brief::Brief;
use crate::kind::{visit_artifacts, Artifact, ArtifactVisitor};
use crate::priorities::{Framework, WeightedCriterion};
use crate::view_cache::{CacheError, ViewCache};
use crate::workspace::{Changed, Workspace};
use crate::{Id, Problem};

/// What a change did to the views (see the module's note).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ViewDelta {
    /// Everything was read again (a collection itself was replaced): the whole view.
    pub everything: Option<Box<ViewCache>>,
    pub brief: Option<Brief>,
    pub settings: Option<(Framework, Vec<WeightedCriterion>)>,
    /// By collection: the ids touched, and those of them that still exist as read now
    /// (an id touched but not among them is gone).
    collections: BTreeMap<String, Touched>,
    /// What reading found not in the expected shape.
    pub problems: Vec<Problem>,
}

/// Where each id is in `ids` (the last place, if one is there twice).
fn positions(ids: Vec<Option<Id>>) -> std::collections::HashMap<Id, usize> {
    let mut at = std::collections::HashMap::with_capacity(ids.len());
    for (i, id) in ids.into_iter().enumerate() {
        if let Some(id) = id {
            at.insert(id, i);
        }
    }
    at
}

#[derive(Debug, Serialize, Deserialize)]
struct Touched {
    ids: Vec<Id>,
    items: Box<RawValue>,
}

impl ViewDelta {
    /// What `changed` did to the views of `ws`, read from it now.
    pub fn of(ws: &mut Workspace, changed: &Changed) -> ViewDelta {
        if changed.everything {
            return ViewDelta::whole(ws);
        }
        let mut delta = ViewDelta::default();
        if changed.brief {
            let (brief, problems) = ws.brief();
            delta.brief = Some(brief);
            delta.problems.extend(problems);
        }
        if changed.settings {
            delta.settings = Some((ws.framework(), ws.weighted_criteria()));
            delta.problems.extend(ws.settings_problems());
        }
        struct Read<'a>(&'a Workspace, &'a Changed, &'a mut ViewDelta);
        impl ArtifactVisitor for Read<'_> {
            fn visit<T: Artifact>(&mut self) {
                let ids = self.1.of(T::COLLECTION);
                if ids.is_empty() {
                    return;
                }
                let mut items = Vec::new();
                for id in ids {
                    if let Some((item, problems)) = T::read_one(self.0, id) {
                        items.push(item);
                        self.2.problems.extend(problems);
                    }
                }
                let text = serde_json::to_string(&items).expect("artifacts serialize: plain data with string keys");
                let items = RawValue::from_string(text).expect("serde_json writes valid JSON");
                self.2.collections.insert(T::COLLECTION.to_owned(), Touched { ids: ids.iter().cloned().collect(), items });
            }
        }
        visit_artifacts(&mut Read(ws, changed, &mut delta));
        delta
    }

    /// The whole view of `ws`.
    pub fn whole(ws: &mut Workspace) -> ViewDelta {
        ViewDelta { everything: Some(Box::new(ViewCache::of(ws))), ..ViewDelta::default() }
    }

    /// Adds artifacts of `T` as they are now (`None`: gone), for a delta made from a
    /// view rather than from the document.
    pub fn put<'a, T: Artifact>(&mut self, touched: impl IntoIterator<Item = (Id, Option<&'a T>)>) {
        let (mut ids, mut items) = (Vec::new(), Vec::new());
        for (id, item) in touched {
            ids.push(id);
            items.extend(item);
        }
        if ids.is_empty() {
            return;
        }
        let text = serde_json::to_string(&items).expect("artifacts serialize: plain data with string keys");
        let items = RawValue::from_string(text).expect("serde_json writes valid JSON");
        self.collections.insert(T::COLLECTION.to_owned(), Touched { ids, items });
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.everything.is_none() && self.brief.is_none() && self.settings.is_none() && self.collections.is_empty()
    }

    /// The collections it names that are not part of the schema (a forged delta).
    pub fn unknown_collections(&self) -> Vec<String> {
        struct Known(Vec<&'static str>);
        impl ArtifactVisitor for Known {
            fn visit<T: Artifact>(&mut self) {
                self.0.push(T::COLLECTION);
            }
        }
        let mut known = Known(Vec::new());
        visit_artifacts(&mut known);
        self.collections.keys().filter(|c| !known.0.contains(&c.as_str())).cloned().collect()
    }

    /// The ids of `T` it touched, each with the artifact as it reads now (`None`: gone).
    /// Empty if it touched none.
    pub fn touched<T: Artifact>(&self) -> Result<Vec<(Id, Option<T>)>, CacheError> {
        let Some(Touched { ids, items }) = self.collections.get(T::COLLECTION) else { return Ok(Vec::new()) };
        let items: Vec<T> = serde_json::from_str(items.get()).map_err(|e| CacheError::new(format!("its {} do not read: {e}", T::COLLECTION)))?;
        // Matched by position, through an index that is not generic: a map keyed by id
        // per artifact type would put another copy of a sort in the app for each.
        let at = positions(items.iter().map(|t| t.artifact_id().cloned()).collect());
        let mut items: Vec<Option<T>> = items.into_iter().map(Some).collect();
        Ok(ids.iter().map(|id| (id.clone(), at.get(id).and_then(|&i| items[i].take()))).collect())
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a view delta serializes")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<ViewDelta, CacheError> {
        let delta: ViewDelta = serde_json::from_slice(bytes).map_err(|e| CacheError::new(format!("it does not parse: {e}")))?;
        match delta.unknown_collections().first() {
            Some(c) => Err(CacheError::new(format!("it names \"{c}\", which is not a collection"))),
            None => Ok(delta),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Edit;
    use crate::feedback::Channel;
    use crate::feedback::Feedback;
    use crate::Idea;

    fn round_trip(delta: &ViewDelta) -> ViewDelta {
        ViewDelta::from_bytes(&delta.to_bytes()).unwrap()
    }

    #[test]
    fn an_edit_sends_the_artifact_it_touched_as_it_reads_now() {
        let mut ws = Workspace::create("Acme", 1, "ann");
        let id = ws.apply_edit(Edit::CreateIdea { title: "Dark mode".into() }, 2, "ann").unwrap().created.unwrap();
        ws.apply_edit(Edit::CreateFeedback { text: "Too bright".into(), channel: Channel::Support }, 3, "ann").unwrap();
        let applied = ws.apply_edit(Edit::IdeaText(id.clone(), crate::IdeaText::Title, "Dark mode, everywhere".into()), 4, "ann").unwrap();
        let delta = round_trip(&ViewDelta::of(&mut ws, &applied.changed));
        let ideas = delta.touched::<Idea>().unwrap();
        assert_eq!(ideas.len(), 1, "only the idea edited");
        assert_eq!(ideas[0].0, id);
        assert_eq!(ideas[0].1.as_ref().unwrap().title, "Dark mode, everywhere");
        assert!(delta.touched::<Feedback>().unwrap().is_empty(), "feedback untouched");
        assert!(delta.brief.is_none() && delta.settings.is_none() && delta.everything.is_none());
    }

    #[test]
    fn the_brief_settings_and_a_vanished_artifact_are_sent_too() {
        let mut ws = Workspace::create("Acme", 1, "ann");
        let mut changed = ws.apply_edit(Edit::Framework(Framework::Ice), 2, "ann").unwrap().changed;
        changed.absorb(ws.apply_edit(Edit::BriefText(crate::BriefField::Name, "Acme 2".into()), 3, "ann").unwrap().changed);
        let gone = Id::random();
        changed.insert(Idea::COLLECTION, gone.clone());
        let delta = round_trip(&ViewDelta::of(&mut ws, &changed));
        assert_eq!(delta.brief.as_ref().unwrap().name, "Acme 2");
        assert_eq!(delta.settings.as_ref().unwrap().0, Framework::Ice);
        assert_eq!(delta.touched::<Idea>().unwrap(), vec![(gone, None)], "an id with nothing behind it reads as gone");
    }

    #[test]
    fn a_delta_made_from_a_view_reads_back_the_same() {
        let mut ws = Workspace::create("Acme", 1, "ann");
        let id = ws.apply_edit(Edit::CreateIdea { title: "Dark mode".into() }, 2, "ann").unwrap().created.unwrap();
        let idea = Idea::read_one(&ws, &id).unwrap().0;
        let gone = Id::random();
        let mut delta = ViewDelta::default();
        delta.put::<Idea>([(id.clone(), Some(&idea)), (gone.clone(), None)]);
        assert_eq!(round_trip(&delta).touched::<Idea>().unwrap(), vec![(id, Some(idea)), (gone, None)]);
    }

    #[test]
    fn everything_is_the_whole_view_and_a_forged_collection_is_refused() {
        let mut ws = crate::fixtures::one_of_everything();
        let delta = round_trip(&ViewDelta::of(&mut ws, &{
            let mut c = Changed::default();
            c.everything = true;
            c
        }));
        let ideas: Vec<Idea> = delta.everything.as_ref().unwrap().take().unwrap();
        assert_eq!(ideas.len(), Idea::read_all(&ws).0.len());
        let forged = String::from_utf8(ViewDelta::of(&mut ws, &Changed::one(Idea::COLLECTION, Id::random())).to_bytes()).unwrap().replace("\"ideas\"", "\"secrets\"");
        let refused = ViewDelta::from_bytes(forged.as_bytes()).unwrap_err();
        assert!(refused.to_string().contains("secrets"), "{refused}");
    }
}
