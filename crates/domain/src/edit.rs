//! Every change a person can make, as data. Pages send an [`Edit`] and read signals;
//! only [`Workspace::apply_edit`] turns it into document operations, and it says what
//! changed. So the document can move (to a worker, say) without a page noticing.

use crate::document::DocKind;
use crate::feedback::{Channel, FeedbackLabel, RatingScale, Sentiment};
use crate::kind::{visit_kinds, CheckPart, FieldInput, Kind, KindVisitor};
use crate::link::{Ref, Relation};
use crate::persona::PersonaText;
use crate::priorities::Framework;
use crate::schema::{DOCUMENTS, FEATURES, FEEDBACK, IDEAS, PERSONAS, STORIES};
use crate::scoring::KanoAnswer;
use crate::story::{Step, StoryStatus};
use crate::{BriefField, BriefNumber, Changed, EditError, Id, IdeaLabel, IdeaStatus, IdeaText, Workspace};

/// A field value of a kind described through [`Kind`] (see [`FieldInput`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum FieldEdit {
    Value(String),
    Row { name: String, value: String },
    Check { item: String, part: CheckPart, value: String },
    Count { row: String, column: String, value: String },
    /// Days of a `Series` field: a value, or `None` to remove the day.
    Points(Vec<(crate::Date, Option<f64>)>),
}

/// One change, as a page asks for it. It serializes, so it can wait in storage or
/// cross to a worker.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Edit {
    BriefText(BriefField, String),
    BriefNumber(BriefNumber, Option<f64>),
    Framework(Framework),
    /// Adds (`id: None`) or changes a weighted-scoring criterion.
    PutWeightedCriterion { id: Option<Id>, name: String, weight: f64 },
    RemoveWeightedCriterion(Id),

    CreateIdea { title: String },
    IdeaText(Id, IdeaText, String),
    IdeaLabel(Id, IdeaLabel, String),
    IdeaStatus(Id, IdeaStatus),
    IdeaTag { idea: Id, tag: String, on: bool },
    Vote { idea: Id, delta: i64 },
    ScoreInput { idea: Id, framework: Framework, input: String, value: Option<f64> },
    KanoAnswer { idea: Id, functional: KanoAnswer, dysfunctional: KanoAnswer, add: bool },

    CreateFeedback { text: String, channel: Channel },
    FeedbackText(Id, String),
    FeedbackLabel(Id, FeedbackLabel, String),
    FeedbackChannel(Id, Channel),
    FeedbackRating(Id, Option<(i64, RatingScale)>),
    FeedbackSentiment(Id, Option<Sentiment>),
    FeedbackTag { feedback: Id, tag: String, on: bool },
    /// Tags (or untags) any other artifact with tags: a story, a feature, any kind's.
    Tag { target: Ref, tag: String, on: bool },
    /// Comments on any artifact, as the person making the edit.
    Comment { target: Ref, text: String },
    DeleteComment { target: Ref, comment: Id },

    CreatePersona { name: String },
    PersonaText(Id, PersonaText, String),
    PersonaSegmentSize(Id, Option<f64>),

    CreateStory { goal: String },
    /// The goal (`I want …`), or with `benefit` the benefit (`so that …`).
    StoryText { story: Id, benefit: bool, text: String },
    StoryStatus(Id, StoryStatus),
    StoryEstimate(Id, Option<f64>),
    AddScenario(Id),
    RemoveScenario { story: Id, scenario: Id },
    MoveScenario { story: Id, scenario: Id, to: usize },
    ScenarioStep { story: Id, scenario: Id, step: Step, text: String },

    CreateDocument { title: String, kind: DocKind },
    /// The title, or with `body` the Markdown body.
    DocumentText { document: Id, body: bool, text: String },
    DocumentKind(Id, DocKind),

    /// Links (`on`) or unlinks two artifacts.
    Link { from: Ref, relation: Relation, to: Ref, on: bool },
    /// Sets or clears the one target of a one-target relation.
    SetLink { from: Ref, relation: Relation, to: Option<Ref> },

    /// Creates an artifact of a kind described through [`Kind`].
    CreateItem {
        #[serde(deserialize_with = "crate::keys::collection")]
        collection: crate::keys::Key,
        title: String,
    },
    SetField { item: Ref, key: String, value: FieldEdit },

    /// Moves a feature to a board column (`now`, `next`, `later`) between two cards as
    /// the person saw them (`None`: the top, or the bottom).
    MoveFeature { feature: Id, horizon: String, before: Option<Id>, after: Option<Id> },
    /// Puts an accepted idea on the roadmap as a feature that delivers it.
    PromoteIdea(Id),
    /// Imports a read backlog as the person chose (see [`crate::backlog_import`]).
    ImportBacklog { backlog: Box<crate::backlog::Backlog>, choices: Box<crate::backlog_import::Choices> },

    Delete(Ref),
    Restore(Ref),
}

/// What an edit did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    /// What to re-read.
    pub changed: Changed,
    /// What it created (an artifact, a scenario, a criterion), if anything.
    pub created: Option<Id>,
}

/// What an edit of typed text shows at once, before the document has it (the app's
/// page sets it in the view while the document's worker makes the edit, whose answer
/// then shows what the document holds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Typed<'a> {
    Brief(BriefField, &'a str),
    /// The text field `field` (as the artifact's view names it) of artifact `id`.
    Item { collection: &'a str, id: &'a Id, field: &'a str, text: &'a str },
}

impl Edit {
    /// What it shows at once, if it sets a text as typed.
    pub fn typed(&self) -> Option<Typed<'_>> {
        let item = |collection, id, field, text| Some(Typed::Item { collection, id, field, text });
        match self {
            Edit::BriefText(field, text) => Some(Typed::Brief(*field, text)),
            Edit::IdeaText(id, field, text) => item(IDEAS, id, field.key(), text),
            Edit::FeedbackText(id, text) => item(FEEDBACK, id, "text", text),
            Edit::PersonaText(id, field, text) => item(PERSONAS, id, field.key(), text),
            Edit::StoryText { story, benefit, text } => item(STORIES, story, if *benefit { "benefit" } else { "goal" }, text),
            Edit::DocumentText { document, body, text } => item(DOCUMENTS, document, if *body { "body" } else { "title" }, text),
            // A kind's view names its fields by their keys.
            Edit::SetField { item: target, key, value: FieldEdit::Value(text) } => item(target.collection, &target.id, key, text),
            _ => None,
        }
    }

    /// The collection of the artifact it creates, if it creates one.
    fn creates_in(&self) -> Option<&'static str> {
        match self {
            Edit::CreateIdea { .. } => Some(IDEAS),
            Edit::CreateFeedback { .. } => Some(FEEDBACK),
            Edit::CreatePersona { .. } => Some(PERSONAS),
            Edit::CreateStory { .. } => Some(STORIES),
            Edit::CreateDocument { .. } => Some(DOCUMENTS),
            Edit::CreateItem { collection, .. } => Some(collection),
            Edit::PromoteIdea(_) => Some(FEATURES),
            _ => None,
        }
    }

    /// Whether it makes something whose id the caller is given back ([`Applied::created`]).
    pub fn creates(&self) -> bool {
        matches!(
            self,
            Edit::CreateIdea { .. }
                | Edit::CreateFeedback { .. }
                | Edit::CreatePersona { .. }
                | Edit::CreateStory { .. }
                | Edit::CreateDocument { .. }
                | Edit::CreateItem { .. }
                | Edit::AddScenario(_)
                | Edit::PutWeightedCriterion { id: None, .. }
                | Edit::PromoteIdea(_)
        )
    }
}

impl Workspace {
    /// Makes `edit` as [`Workspace::apply_edit`] does, giving what it creates the id
    /// `id`, chosen by the caller so that it is known before the edit is made (an edit
    /// waiting for the document, or sent elsewhere to be made). Making the same create
    /// twice is harmless: when `id` already names the artifact it would create, nothing
    /// changes.
    pub fn apply_edit_as(&mut self, edit: Edit, id: Id, now_ms: i64, by: &str) -> Result<Applied, EditError> {
        if let Some(collection) = edit.creates_in() {
            if self.artifact(collection, &id).is_ok() {
                return Ok(Applied { changed: Changed::default(), created: Some(id) });
            }
        }
        self.next_id = Some(id);
        let result = self.apply_edit(edit, now_ms, by);
        self.next_id = None;
        result
    }

    /// Makes `edit` at `now_ms` on behalf of `by`.
    pub fn apply_edit(&mut self, edit: Edit, now_ms: i64, by: &str) -> Result<Applied, EditError> {
        let one = |collection: &'static str, id: &Id| Changed::one(collection, id.clone());
        let (changed, created) = match edit {
            Edit::BriefText(field, text) => (self.set_brief_text(field, &text).map(|()| Changed::brief())?, None),
            Edit::BriefNumber(field, value) => (self.set_brief_number(field, value).map(|()| Changed::brief())?, None),
            Edit::Framework(f) => (self.set_framework(f).map(|()| Changed::settings())?, None),
            Edit::PutWeightedCriterion { id, name, weight } => (Changed::settings(), Some(self.put_weighted_criterion(id.as_ref(), &name, weight)?)),
            Edit::RemoveWeightedCriterion(id) => (self.remove_weighted_criterion(&id).map(|()| Changed::settings())?, None),

            Edit::CreateIdea { title } => {
                let id = self.create_idea(&title, now_ms, by)?;
                (one(IDEAS, &id), Some(id))
            }
            Edit::IdeaText(id, field, text) => (self.set_idea_text(&id, field, &text, now_ms).map(|()| one(IDEAS, &id))?, None),
            Edit::IdeaLabel(id, field, text) => (self.set_idea_label(&id, field, &text, now_ms).map(|()| one(IDEAS, &id))?, None),
            Edit::IdeaStatus(id, status) => (self.set_idea_status(&id, status, now_ms).map(|()| one(IDEAS, &id))?, None),
            Edit::IdeaTag { idea, tag, on: true } => (self.add_idea_tag(&idea, &tag, now_ms).map(|_| one(IDEAS, &idea))?, None),
            Edit::IdeaTag { idea, tag, on: false } => (self.remove_idea_tag(&idea, &tag, now_ms).map(|()| one(IDEAS, &idea))?, None),
            Edit::Vote { idea, delta } => (self.vote_idea(&idea, delta, now_ms).map(|()| one(IDEAS, &idea))?, None),
            Edit::ScoreInput { idea, framework, input, value } => {
                (self.set_score_input(&idea, framework, &input, value, now_ms).map(|()| one(IDEAS, &idea))?, None)
            }
            Edit::KanoAnswer { idea, functional, dysfunctional, add: true } => {
                (self.add_kano_answer(&idea, functional, dysfunctional, now_ms).map(|()| one(IDEAS, &idea))?, None)
            }
            Edit::KanoAnswer { idea, functional, dysfunctional, add: false } => {
                (self.remove_kano_answer(&idea, functional, dysfunctional, now_ms).map(|()| one(IDEAS, &idea))?, None)
            }

            Edit::CreateFeedback { text, channel } => {
                let id = self.create_feedback(&text, channel, now_ms, by)?;
                (one(FEEDBACK, &id), Some(id))
            }
            Edit::FeedbackText(id, text) => (self.set_feedback_text(&id, &text, now_ms).map(|()| one(FEEDBACK, &id))?, None),
            Edit::FeedbackLabel(id, field, text) => (self.set_feedback_label(&id, field, &text, now_ms).map(|()| one(FEEDBACK, &id))?, None),
            Edit::FeedbackChannel(id, channel) => (self.set_feedback_channel(&id, channel, now_ms).map(|()| one(FEEDBACK, &id))?, None),
            Edit::FeedbackRating(id, rating) => (self.set_feedback_rating(&id, rating, now_ms).map(|()| one(FEEDBACK, &id))?, None),
            Edit::FeedbackSentiment(id, s) => (self.set_feedback_sentiment(&id, s, now_ms).map(|()| one(FEEDBACK, &id))?, None),
            Edit::Comment { target, text } => (self.add_comment(&target, &text, now_ms, by).map(|_| one(target.collection, &target.id))?, None),
            Edit::DeleteComment { target, comment } => (self.delete_comment(&target, &comment).map(|()| one(target.collection, &target.id))?, None),
            Edit::Tag { target, tag, on } => (self.set_tag(&target, &tag, on, now_ms).map(|_| one(target.collection, &target.id))?, None),
            Edit::FeedbackTag { feedback, tag, on } => (self.set_feedback_tag(&feedback, &tag, on, now_ms).map(|_| one(FEEDBACK, &feedback))?, None),

            Edit::CreatePersona { name } => {
                let id = self.create_persona(&name, now_ms, by)?;
                (one(PERSONAS, &id), Some(id))
            }
            Edit::PersonaText(id, field, text) => (self.set_persona_text(&id, field, &text, now_ms).map(|()| one(PERSONAS, &id))?, None),
            Edit::PersonaSegmentSize(id, size) => (self.set_persona_segment_size(&id, size, now_ms).map(|()| one(PERSONAS, &id))?, None),

            Edit::CreateStory { goal } => {
                let id = self.create_story(&goal, now_ms, by)?;
                (one(STORIES, &id), Some(id))
            }
            Edit::StoryText { story, benefit, text } => (self.set_story_text(&story, benefit, &text, now_ms).map(|()| one(STORIES, &story))?, None),
            Edit::StoryStatus(id, status) => (self.set_story_status(&id, status, now_ms).map(|()| one(STORIES, &id))?, None),
            Edit::StoryEstimate(id, estimate) => (self.set_story_estimate(&id, estimate, now_ms).map(|()| one(STORIES, &id))?, None),
            Edit::AddScenario(story) => (one(STORIES, &story), Some(self.add_criterion(&story, now_ms)?)),
            Edit::RemoveScenario { story, scenario } => (self.remove_criterion(&story, &scenario, now_ms).map(|()| one(STORIES, &story))?, None),
            Edit::MoveScenario { story, scenario, to } => (self.move_criterion(&story, &scenario, to, now_ms).map(|()| one(STORIES, &story))?, None),
            Edit::ScenarioStep { story, scenario, step, text } => {
                (self.set_criterion_step(&story, &scenario, step, &text, now_ms).map(|()| one(STORIES, &story))?, None)
            }

            Edit::CreateDocument { title, kind } => {
                let id = self.create_document(&title, kind, now_ms, by)?;
                (one(DOCUMENTS, &id), Some(id))
            }
            Edit::DocumentText { document, body, text } => {
                (self.set_document_text(&document, body, &text, now_ms).map(|()| one(DOCUMENTS, &document))?, None)
            }
            Edit::DocumentKind(id, kind) => (self.set_document_kind(&id, kind, now_ms).map(|()| one(DOCUMENTS, &id))?, None),

            Edit::Link { from, relation, to, on } => (self.set_linked(&from, relation, &to, on, now_ms).map(|()| one(from.collection, &from.id))?, None),
            Edit::SetLink { from, relation, to } => (self.set_link(&from, relation, to.as_ref(), now_ms).map(|()| one(from.collection, &from.id))?, None),

            Edit::CreateItem { collection, title } => {
                let id = self.on_kind(collection, |ws, k| k.create(ws, &title, now_ms, by))?;
                (one(collection, &id), Some(id))
            }
            Edit::SetField { item, key, value } => {
                self.on_kind(item.collection, |ws, k| k.set_field(ws, &item.id, &key, &value, now_ms))?;
                (one(item.collection, &item.id), None)
            }
            Edit::MoveFeature { feature, horizon, before, after } => {
                let mut jitter = [0u8; 4];
                getrandom::fill(&mut jitter).map_err(|e| EditError::Invalid(format!("no random numbers: {e}")))?;
                // Never-moved neighbours may have been given places too.
                let mut changed = Changed::default();
                for id in self.move_feature_between(&feature, &horizon, before.as_ref(), after.as_ref(), u32::from_le_bytes(jitter), now_ms)? {
                    changed.insert(FEATURES, id);
                }
                (changed, None)
            }
            Edit::ImportBacklog { backlog, choices } => {
                let plan = crate::backlog_import::plan(&backlog, self, &choices);
                let mut changed = Changed::default();
                for made in crate::backlog_import::apply(self, &backlog, &plan, &choices, now_ms, by)?.into_values() {
                    changed.insert(made.collection, made.id);
                }
                (changed, None)
            }
            Edit::PromoteIdea(idea) => {
                let id = self.promote_idea(&idea, now_ms, by)?;
                let mut changed = Changed::one(FEATURES, id.clone());
                changed.insert(IDEAS, idea);
                (changed, Some(id))
            }
            Edit::Delete(item) => (self.set_deleted_ref(&item, true, now_ms).map(|()| one(item.collection, &item.id))?, None),
            Edit::Restore(item) => (self.set_deleted_ref(&item, false, now_ms).map(|()| one(item.collection, &item.id))?, None),
        };
        Ok(Applied { changed, created })
    }

    /// Deletes or restores any artifact.
    fn set_deleted_ref(&mut self, item: &Ref, deleted: bool, now_ms: i64) -> Result<(), EditError> {
        match (item.collection, deleted) {
            (IDEAS, true) => self.delete_idea(&item.id, now_ms),
            (IDEAS, false) => self.restore_idea(&item.id, now_ms),
            (FEEDBACK | PERSONAS | STORIES | DOCUMENTS, _) => {
                let obj = self.artifact(item.collection, &item.id)?;
                self.set_deleted(&obj, deleted, now_ms)
            }
            (collection, true) => self.on_kind(collection, |ws, k| k.delete(ws, &item.id, now_ms)),
            (collection, false) => self.on_kind(collection, |ws, k| k.restore(ws, &item.id, now_ms)),
        }
    }

    /// Runs `f` with the kind whose collection is `collection`.
    fn on_kind<R>(&mut self, collection: &str, f: impl FnOnce(&mut Workspace, &dyn KindOps) -> Result<R, EditError>) -> Result<R, EditError> {
        struct Find<'a> {
            collection: &'a str,
            found: Option<&'static dyn KindOps>,
        }
        impl KindVisitor for Find<'_> {
            fn visit<K: Kind>(&mut self) {
                if K::COLLECTION == self.collection {
                    self.found = Some(&Ops::<K>(std::marker::PhantomData));
                }
            }
        }
        let mut find = Find { collection, found: None };
        visit_kinds(&mut find);
        let ops = find.found.ok_or_else(|| EditError::Invalid(format!("{collection:?} is not a kind of artifact this version knows")))?;
        f(self, ops)
    }
}

/// A kind's generic operations, without its type.
trait KindOps: Sync {
    fn create(&self, ws: &mut Workspace, title: &str, now_ms: i64, by: &str) -> Result<Id, EditError>;
    fn set_field(&self, ws: &mut Workspace, id: &Id, key: &str, value: &FieldEdit, now_ms: i64) -> Result<(), EditError>;
    fn delete(&self, ws: &mut Workspace, id: &Id, now_ms: i64) -> Result<(), EditError>;
    fn restore(&self, ws: &mut Workspace, id: &Id, now_ms: i64) -> Result<(), EditError>;
}

struct Ops<K>(std::marker::PhantomData<fn() -> K>);

impl<K: Kind> KindOps for Ops<K> {
    fn create(&self, ws: &mut Workspace, title: &str, now_ms: i64, by: &str) -> Result<Id, EditError> {
        ws.create_item::<K>(title, now_ms, by)
    }

    fn set_field(&self, ws: &mut Workspace, id: &Id, key: &str, value: &FieldEdit, now_ms: i64) -> Result<(), EditError> {
        let input = match value {
            FieldEdit::Value(v) => FieldInput::Value(v),
            FieldEdit::Row { name, value } => FieldInput::Row { name, value },
            FieldEdit::Check { item, part, value } => FieldInput::Check { item, part: *part, value },
            FieldEdit::Count { row, column, value } => FieldInput::Count { row, column, value },
            FieldEdit::Points(points) => FieldInput::Points(points),
        };
        ws.set_field::<K>(id, key, input, now_ms)
    }

    fn delete(&self, ws: &mut Workspace, id: &Id, now_ms: i64) -> Result<(), EditError> {
        ws.delete_item::<K>(id, now_ms)
    }

    fn restore(&self, ws: &mut Workspace, id: &Id, now_ms: i64) -> Result<(), EditError> {
        ws.restore_item::<K>(id, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::competitor::Competitor;

    #[test]
    fn an_edit_says_what_it_changed_and_what_it_created() {
        let mut ws = Workspace::create("W", 1, "Ana");
        let made = ws.apply_edit(Edit::CreateIdea { title: "Reminders".into() }, 2, "Ana").unwrap();
        let idea = made.created.clone().unwrap();
        assert_eq!(made.changed, Changed::one(IDEAS, idea.clone()));
        assert_eq!(ws.idea(&idea).unwrap().0.created_by, "Ana");
        let voted = ws.apply_edit(Edit::Vote { idea: idea.clone(), delta: 2 }, 3, "Ana").unwrap();
        assert_eq!((voted.changed, voted.created), (Changed::one(IDEAS, idea.clone()), None));
        assert_eq!(ws.apply_edit(Edit::Framework(Framework::Ice), 4, "Ana").unwrap().changed, Changed::settings());
        assert_eq!(ws.apply_edit(Edit::BriefText(BriefField::Vision, "Paid on time".into()), 4, "Ana").unwrap().changed, Changed::brief());
    }

    #[test]
    fn an_edit_reads_back_as_written_and_says_before_whether_it_creates() {
        use crate::kind::CheckPart;
        let mut ws = crate::fixtures::one_of_everything();
        let idea = ws.apply_edit(Edit::CreateIdea { title: "R".into() }, 2, "Ana").unwrap().created.unwrap();
        let story = ws.apply_edit(Edit::CreateStory { goal: "pay".into() }, 2, "Ana").unwrap().created.unwrap();
        let release = ws.apply_edit(Edit::CreateItem { collection: crate::schema::RELEASES, title: "2.0".into() }, 2, "Ana").unwrap().created.unwrap();
        let edits = [
            Edit::IdeaText(idea.clone(), IdeaText::Description, "Typed <b>while</b> opening".into()),
            Edit::Vote { idea: idea.clone(), delta: -1 },
            Edit::ScoreInput { idea: idea.clone(), framework: Framework::Rice, input: "reach".into(), value: Some(5.0) },
            Edit::CreateItem { collection: crate::schema::RISKS, title: "Outage".into() },
            Edit::SetField {
                item: Ref::new(crate::schema::RELEASES, release.clone()),
                key: "readiness".into(),
                value: FieldEdit::Check { item: "qa".into(), part: CheckPart::State, value: "ready".into() },
            },
            Edit::AddScenario(story.clone()),
            Edit::PutWeightedCriterion { id: None, name: "Value".into(), weight: 2.0 },
            Edit::IdeaStatus(idea.clone(), IdeaStatus::Accepted),
            Edit::PromoteIdea(idea.clone()),
            Edit::Delete(Ref::new(IDEAS, idea.clone())),
        ];
        for edit in edits {
            let text = serde_json::to_string(&edit).unwrap();
            let back: Edit = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(back, edit);
            let creates = edit.creates();
            let applied = ws.apply_edit(back, 3, "Ana").unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(applied.created.is_some(), creates, "{text}");
        }
        let forged = r#"{"CreateItem":{"collection":"passwords","title":"x"}}"#;
        assert!(serde_json::from_str::<Edit>(forged).is_err(), "no collection outside the schema");
    }

    #[test]
    fn a_create_made_with_a_chosen_id_gets_it_and_made_twice_changes_nothing() {
        let mut ws = Workspace::create("W", 1, "Ana");
        let chosen = Id::random();
        let made = ws.apply_edit_as(Edit::CreateIdea { title: "Chosen".into() }, chosen.clone(), 2, "Ana").unwrap();
        assert_eq!((made.created.as_ref(), made.changed), (Some(&chosen), Changed::one(IDEAS, chosen.clone())));
        ws.apply_edit(Edit::IdeaText(chosen.clone(), IdeaText::Description, "Kept".into()), 3, "Ana").unwrap();
        let again = ws.apply_edit_as(Edit::CreateIdea { title: "Chosen".into() }, chosen.clone(), 4, "Ana").unwrap();
        assert_eq!((again.created.as_ref(), again.changed), (Some(&chosen), Changed::default()));
        assert_eq!(ws.idea(&chosen).unwrap().0.description, "Kept", "the second create replaced nothing");
        let story = ws.apply_edit(Edit::CreateStory { goal: "pay".into() }, 5, "Ana").unwrap().created.unwrap();
        let scenario = Id::random();
        assert_eq!(ws.apply_edit_as(Edit::AddScenario(story.clone()), scenario.clone(), 6, "Ana").unwrap().created, Some(scenario.clone()));
        assert!(ws.story(&story).unwrap().0.criteria.iter().any(|c| c.id.as_ref() == Some(&scenario)));
        let other = ws.apply_edit(Edit::CreateIdea { title: "Random".into() }, 7, "Ana").unwrap().created.unwrap();
        assert_ne!(other, chosen, "the chosen id served one create only");
    }

    #[test]
    fn a_link_edit_changes_its_source() {
        let mut ws = Workspace::create("W", 1, "Ana");
        let idea = ws.apply_edit(Edit::CreateIdea { title: "R".into() }, 2, "Ana").unwrap().created.unwrap();
        let fb = ws.apply_edit(Edit::CreateFeedback { text: "Please".into(), channel: Channel::Support }, 2, "Ana").unwrap().created.unwrap();
        let (from, to) = (Ref::new(FEEDBACK, fb.clone()), Ref::new(IDEAS, idea.clone()));
        let linked = ws.apply_edit(Edit::Link { from, relation: Relation::Supports, to, on: true }, 3, "Ana").unwrap();
        assert_eq!(linked.changed, Changed::one(FEEDBACK, fb.clone()));
        assert_eq!(ws.feedback(&fb).unwrap().0.ideas, vec![idea]);
    }

    #[test]
    fn any_artifact_deletes_and_restores_through_one_edit() {
        let mut ws = Workspace::create("W", 1, "Ana");
        let creations = [
            Edit::CreateIdea { title: "i".into() },
            Edit::CreateFeedback { text: "f".into(), channel: Channel::Survey },
            Edit::CreatePersona { name: "p".into() },
            Edit::CreateStory { goal: "s".into() },
            Edit::CreateDocument { title: "d".into(), kind: DocKind::Note },
            Edit::CreateItem { collection: crate::schema::COMPETITORS, title: "c".into() },
            Edit::CreateItem { collection: crate::schema::TRENDS, title: "t".into() },
        ];
        for (edit, collection) in creations.into_iter().zip([IDEAS, FEEDBACK, PERSONAS, STORIES, DOCUMENTS, crate::schema::COMPETITORS, crate::schema::TRENDS]) {
            let id = ws.apply_edit(edit, 2, "Ana").unwrap().created.unwrap();
            let item = Ref::new(collection, id);
            let deleted = |ws: &Workspace| -> bool {
                let obj = ws.artifact(collection, &item.id).unwrap();
                matches!(automerge::ReadDoc::get(&ws.doc, &obj, crate::schema::DELETED), Ok(Some((automerge::Value::Scalar(v), _))) if v.as_ref() == &automerge::ScalarValue::Boolean(true))
            };
            ws.apply_edit(Edit::Delete(item.clone()), 3, "Ana").unwrap();
            assert!(deleted(&ws), "{collection}");
            ws.apply_edit(Edit::Restore(item.clone()), 4, "Ana").unwrap();
            assert!(!deleted(&ws), "{collection}");
        }
    }

    #[test]
    fn a_kind_field_is_set_by_collection_name_and_an_unknown_one_is_refused() {
        let mut ws = Workspace::create("W", 1, "Ana");
        let id = ws.apply_edit(Edit::CreateItem { collection: crate::schema::COMPETITORS, title: "Acme".into() }, 2, "Ana").unwrap().created.unwrap();
        let item = Ref::new(crate::schema::COMPETITORS, id.clone());
        ws.apply_edit(Edit::SetField { item: item.clone(), key: "threat".into(), value: FieldEdit::Value("high".into()) }, 3, "Ana").unwrap();
        ws.apply_edit(Edit::SetField { item, key: "comparison".into(), value: FieldEdit::Row { name: "Sync".into(), value: "we_lead".into() } }, 3, "Ana").unwrap();
        let c: Competitor = ws.item::<Competitor>(&id).unwrap().0;
        assert_eq!((c.threat, c.comparison), (Some("high"), vec![("Sync".to_owned(), "we_lead")]));
        let bad = ws.apply_edit(Edit::CreateItem { collection: "planets", title: "x".into() }, 4, "Ana");
        assert!(matches!(bad, Err(EditError::Invalid(_))));
    }
}
