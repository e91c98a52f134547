//! User stories: "As a <persona>, I want <goal>, so that <benefit>", with acceptance
//! criteria as Given/When/Then scenarios.
//!
//! Criteria are a map keyed by id, each with a fractional `position`: moving one
//! changes one number, so a teammate's concurrent edit to the moved criterion survives
//! (a list move would be a delete and an insert, losing it).

use automerge::{transaction::Transactable, ObjId, ObjType, ReadDoc, ROOT};

use crate::fields::{child_map, ensure_map, write_text, DocFields, Problem, Reader};
use crate::link::{merge_one, Ref, Relation};
use crate::schema::{CREATED_AT, CREATED_BY, DELETED, IDEAS, PERSONAS, STORIES, UPDATED_AT};
use crate::workspace::{EditError, Workspace};
use crate::Id;

const CRITERIA: &str = "criteria";

/// Where a story is in delivery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryStatus {
    #[default]
    Draft,
    Ready,
    InProgress,
    Done,
}

impl StoryStatus {
    pub const ALL: [StoryStatus; 4] = [StoryStatus::Draft, StoryStatus::Ready, StoryStatus::InProgress, StoryStatus::Done];

    pub fn key(self) -> &'static str {
        match self {
            StoryStatus::Draft => "draft",
            StoryStatus::Ready => "ready",
            StoryStatus::InProgress => "in_progress",
            StoryStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<StoryStatus> {
        StoryStatus::ALL.into_iter().find(|x| x.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            StoryStatus::Draft => "Draft",
            StoryStatus::Ready => "Ready",
            StoryStatus::InProgress => "In progress",
            StoryStatus::Done => "Done",
        }
    }
}

/// One part of a Given/When/Then scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Step {
    Given,
    When,
    Then,
}

impl Step {
    pub fn key(self) -> &'static str {
        match self {
            Step::Given => "given",
            Step::When => "when",
            Step::Then => "then",
        }
    }
}

/// An acceptance criterion.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Criterion {
    pub id: Option<Id>,
    pub given: String,
    pub when: String,
    pub then: String,
    pub position: f64,
}

/// A user story as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Story {
    pub id: Option<Id>,
    /// The persona it speaks for (a link, [`Relation::SpeaksFor`]).
    pub persona: Option<Id>,
    pub goal: String,
    pub benefit: String,
    /// In order.
    pub criteria: Vec<Criterion>,
    /// Story points or days, as the team estimates.
    pub estimate: Option<f64>,
    pub status: StoryStatus,
    /// The idea it came from (a link, [`Relation::ComesFrom`]).
    pub idea: Option<Id>,
    /// The feature it is part of (a link, [`Relation::PartOf`]).
    pub feature: Option<Id>,
    /// The stories that cannot be done before it (links, [`Relation::Blocks`]).
    pub blocks: Vec<Id>,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub deleted: bool,
}

impl Story {
    /// The story in the standard form, criteria numbered, for pasting elsewhere.
    pub fn as_text(&self, persona_name: &str) -> String {
        let who = if persona_name.trim().is_empty() { "user" } else { persona_name.trim() };
        let mut text = format!("As a {who}, I want {}, so that {}.", self.goal.trim(), self.benefit.trim());
        if !self.criteria.is_empty() {
            text.push_str("\n\nAcceptance criteria:");
            for (n, c) in self.criteria.iter().enumerate() {
                text.push_str(&format!("\n{}. Given {}, when {}, then {}.", n + 1, c.given.trim(), c.when.trim(), c.then.trim()));
            }
        }
        text
    }
}

impl Workspace {
    fn story_obj(&self, id: &Id) -> Result<ObjId, EditError> {
        self.artifact(STORIES, id)
    }

    /// Writes a new story.
    pub fn create_story(&mut self, goal: &str, now_ms: i64, by: &str) -> Result<Id, EditError> {
        let id = self.new_id();
        let map = ensure_map(&mut self.doc, &ROOT, STORIES)?;
        let obj = self.doc.put_object(&map, id.as_str(), ObjType::Map)?;
        for key in ["goal", "benefit"] {
            self.doc.put_object(&obj, key, ObjType::Text)?;
        }
        write_text(&mut self.doc, &obj, "goal", goal.trim())?;
        self.doc.put_object(&obj, CRITERIA, ObjType::Map)?;
        self.doc.put_object(&obj, crate::schema::TAGS, ObjType::Map)?;
        self.doc.put(&obj, "status", StoryStatus::Draft.key())?;
        self.put_common_fields(&obj, now_ms, by)?;
        Ok(id)
    }

    /// One story with its criteria in order.
    pub fn story(&self, id: &Id) -> Option<(Story, Vec<Problem>)> {
        let obj = self.story_obj(id).ok()?;
        let mut problems = Vec::new();
        let mut r = Reader { source: &DocFields { doc: &self.doc, obj: obj.clone() }, path: format!("stories/{id}"), problems: &mut problems };
        let status_raw = r.str("status");
        let mut story = Story {
            id: Some(id.clone()),
            persona: Id::parse(r.str("persona").trim()),
            goal: r.text("goal"),
            benefit: r.text("benefit"),
            criteria: Vec::new(),
            estimate: r.number("estimate"),
            status: StoryStatus::parse(&status_raw).unwrap_or_default(),
            idea: Id::parse(r.str("idea").trim()),
            feature: None,
            blocks: Vec::new(),
            tags: r.set(crate::schema::TAGS),
            created_at: r.int(CREATED_AT).unwrap_or(0),
            created_by: r.str(CREATED_BY),
            updated_at: r.int(UPDATED_AT).unwrap_or(0),
            deleted: r.bool(DELETED),
        };
        if let Some(criteria) = child_map(&self.doc, &obj, CRITERIA) {
            for key in self.doc.keys(&criteria).collect::<Vec<_>>() {
                let (Some(cid), Some(cobj)) = (Id::parse(&key), child_map(&self.doc, &criteria, &key)) else { continue };
                let mut r = Reader { source: &DocFields { doc: &self.doc, obj: cobj }, path: format!("stories/{id}/criteria/{cid}"), problems: &mut problems };
                story.criteria.push(Criterion {
                    given: r.text(Step::Given.key()),
                    when: r.text(Step::When.key()),
                    then: r.text(Step::Then.key()),
                    position: r.number("position").unwrap_or(0.0),
                    id: Some(cid),
                });
            }
        }
        crate::sort::sort_by(&mut story.criteria, |a, b| a.position.total_cmp(&b.position).then_with(|| a.id.cmp(&b.id)));
        let stored = self.stored_links_from(&Ref::new(STORIES, id.clone()));
        merge_one(&mut story.persona, &stored, Relation::SpeaksFor);
        merge_one(&mut story.idea, &stored, Relation::ComesFrom);
        merge_one(&mut story.feature, &stored, Relation::PartOf);
        story.blocks = stored.iter().filter(|l| l.relation == Relation::Blocks && l.to.collection == STORIES).map(|l| l.to.id.clone()).collect();
        Some((story, problems))
    }

    /// Every story (deleted included).
    pub fn stories(&self) -> (Vec<Story>, Vec<Problem>) {
        let mut problems = Vec::new();
        let Some(map) = child_map(&self.doc, &ROOT, STORIES) else { return (Vec::new(), problems) };
        let ids: Vec<Id> = self.ids_in(&map);
        let all = ids
            .iter()
            .filter_map(|id| {
                let (s, p) = self.story(id)?;
                problems.extend(p);
                Some(s)
            })
            .collect();
        (all, problems)
    }

    /// Sets the goal (`I want …`) or the benefit (`so that …`).
    pub fn set_story_text(&mut self, id: &Id, benefit: bool, value: &str, now_ms: i64) -> Result<(), EditError> {
        let obj = self.story_obj(id)?;
        write_text(&mut self.doc, &obj, if benefit { "benefit" } else { "goal" }, value)?;
        self.touch(&obj, now_ms)
    }

    /// Sets (or clears) the persona the story speaks for (`As a …`).
    pub fn set_story_persona(&mut self, id: &Id, persona: Option<&Id>, now_ms: i64) -> Result<(), EditError> {
        let to = persona.map(|p| Ref::new(PERSONAS, p.clone()));
        self.set_link(&Ref::new(STORIES, id.clone()), Relation::SpeaksFor, to.as_ref(), now_ms)
    }

    /// Sets (or clears) the idea the story comes from.
    pub fn set_story_idea(&mut self, id: &Id, idea: Option<&Id>, now_ms: i64) -> Result<(), EditError> {
        let to = idea.map(|i| Ref::new(IDEAS, i.clone()));
        self.set_link(&Ref::new(STORIES, id.clone()), Relation::ComesFrom, to.as_ref(), now_ms)
    }

    pub fn set_story_status(&mut self, id: &Id, status: StoryStatus, now_ms: i64) -> Result<(), EditError> {
        let obj = self.story_obj(id)?;
        self.doc.put(&obj, "status", status.key())?;
        self.touch(&obj, now_ms)
    }

    /// Sets (or clears) the estimate; negative estimates are refused.
    pub fn set_story_estimate(&mut self, id: &Id, estimate: Option<f64>, now_ms: i64) -> Result<(), EditError> {
        let obj = self.story_obj(id)?;
        match estimate {
            Some(e) if !e.is_finite() || e < 0.0 => return Err(EditError::Invalid("an estimate is 0 or more".into())),
            Some(e) => self.doc.put(&obj, "estimate", e)?,
            None => self.doc.put(&obj, "estimate", automerge::ScalarValue::Null)?,
        }
        self.touch(&obj, now_ms)
    }

    /// Adds an empty Given/When/Then scenario at the end and returns its id.
    pub fn add_criterion(&mut self, story: &Id, now_ms: i64) -> Result<Id, EditError> {
        let obj = self.story_obj(story)?;
        let last = self.story(story).and_then(|(s, _)| s.criteria.last().map(|c| c.position)).unwrap_or(0.0);
        let map = ensure_map(&mut self.doc, &obj, CRITERIA)?;
        let id = self.new_id();
        let c = self.doc.put_object(&map, id.as_str(), ObjType::Map)?;
        for step in [Step::Given, Step::When, Step::Then] {
            self.doc.put_object(&c, step.key(), ObjType::Text)?;
        }
        self.doc.put(&c, "position", last + 1.0)?;
        self.touch(&obj, now_ms)?;
        Ok(id)
    }

    fn criterion_obj(&self, story: &Id, criterion: &Id) -> Result<(ObjId, ObjId), EditError> {
        let obj = self.story_obj(story)?;
        let c = child_map(&self.doc, &obj, CRITERIA)
            .and_then(|m| child_map(&self.doc, &m, criterion.as_str()))
            .ok_or_else(|| EditError::NotFound(criterion.clone()))?;
        Ok((obj, c))
    }

    pub fn set_criterion_step(&mut self, story: &Id, criterion: &Id, step: Step, value: &str, now_ms: i64) -> Result<(), EditError> {
        let (obj, c) = self.criterion_obj(story, criterion)?;
        write_text(&mut self.doc, &c, step.key(), value)?;
        self.touch(&obj, now_ms)
    }

    /// Moves a criterion to `index` in the current order.
    pub fn move_criterion(&mut self, story: &Id, criterion: &Id, index: usize, now_ms: i64) -> Result<(), EditError> {
        let (obj, c) = self.criterion_obj(story, criterion)?;
        let others: Vec<f64> = self
            .story(story)
            .map(|(s, _)| s.criteria.into_iter().filter(|x| x.id.as_ref() != Some(criterion)).map(|x| x.position).collect())
            .unwrap_or_default();
        let index = index.min(others.len());
        let before = if index == 0 { others.first().map_or(0.0, |p| p - 2.0) } else { others[index - 1] };
        let after = others.get(index).copied().unwrap_or(before + 2.0);
        self.doc.put(&c, "position", (before + after) / 2.0)?;
        self.touch(&obj, now_ms)
    }

    pub fn remove_criterion(&mut self, story: &Id, criterion: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.story_obj(story)?;
        if let Some(map) = child_map(&self.doc, &obj, CRITERIA) {
            if self.doc.get(&map, criterion.as_str())?.is_some() {
                self.doc.delete(&map, criterion.as_str())?;
            }
        }
        self.touch(&obj, now_ms)
    }

    pub fn delete_story(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.story_obj(id)?;
        self.set_deleted(&obj, true, now_ms)
    }

    pub fn restore_story(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.story_obj(id)?;
        self.set_deleted(&obj, false, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn story_with_criteria(ws: &mut Workspace) -> (Id, Vec<Id>) {
        let id = ws.create_story("automatic reminders", 1, "Ana").unwrap();
        ws.set_story_text(&id, true, "I get paid on time", 1).unwrap();
        let mut cs = Vec::new();
        for (g, w, t) in [("an overdue invoice", "a day passes", "a reminder is sent"), ("a paid invoice", "a day passes", "nothing is sent")] {
            let c = ws.add_criterion(&id, 1).unwrap();
            ws.set_criterion_step(&id, &c, Step::Given, g, 1).unwrap();
            ws.set_criterion_step(&id, &c, Step::When, w, 1).unwrap();
            ws.set_criterion_step(&id, &c, Step::Then, t, 1).unwrap();
            cs.push(c);
        }
        (id, cs)
    }

    #[test]
    fn a_story_copies_as_text_in_the_standard_form() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let (id, _) = story_with_criteria(&mut ws);
        let story = Workspace::load(&ws.save()).unwrap().story(&id).unwrap().0;
        assert_eq!(
            story.as_text("finance admin"),
            "As a finance admin, I want automatic reminders, so that I get paid on time.\n\n\
             Acceptance criteria:\n\
             1. Given an overdue invoice, when a day passes, then a reminder is sent.\n\
             2. Given a paid invoice, when a day passes, then nothing is sent."
        );
    }

    #[test]
    fn criteria_reorder_and_remove() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let (id, cs) = story_with_criteria(&mut ws);
        let third = ws.add_criterion(&id, 2).unwrap();
        ws.move_criterion(&id, &third, 0, 3).unwrap();
        let order = |ws: &Workspace| ws.story(&id).unwrap().0.criteria.into_iter().map(|c| c.id.unwrap()).collect::<Vec<_>>();
        assert_eq!(order(&ws), vec![third.clone(), cs[0].clone(), cs[1].clone()]);
        ws.move_criterion(&id, &third, 1, 4).unwrap();
        assert_eq!(order(&ws), vec![cs[0].clone(), third.clone(), cs[1].clone()]);
        ws.remove_criterion(&id, &cs[0], 5).unwrap();
        assert_eq!(order(&ws), vec![third, cs[1].clone()]);
    }

    #[test]
    fn moving_a_criterion_keeps_a_concurrent_edit_to_it() {
        let mut a = Workspace::create("Payments", 1, "Ana");
        let (id, cs) = story_with_criteria(&mut a);
        let mut b = a.fork();
        a.move_criterion(&id, &cs[1], 0, 2).unwrap();
        b.set_criterion_step(&id, &cs[1], Step::Then, "nothing is sent, and it is logged", 2).unwrap();
        a.merge(&mut b).unwrap();
        let story = a.story(&id).unwrap().0;
        assert_eq!(story.criteria[0].id.as_ref(), Some(&cs[1]));
        assert_eq!(story.criteria[0].then, "nothing is sent, and it is logged");
    }

    #[test]
    fn estimates_and_status() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_story("exports", 1, "Ana").unwrap();
        ws.set_story_estimate(&id, Some(5.0), 2).unwrap();
        ws.set_story_status(&id, StoryStatus::Ready, 2).unwrap();
        assert!(matches!(ws.set_story_estimate(&id, Some(-1.0), 3), Err(EditError::Invalid(_))));
        let s = ws.story(&id).unwrap().0;
        assert_eq!((s.estimate, s.status), (Some(5.0), StoryStatus::Ready));
        assert_eq!(ws.stories().0.len(), 1);
    }
}
