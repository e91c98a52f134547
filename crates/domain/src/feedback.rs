//! Customer feedback: what people said, where, how they rated it, and the ideas it
//! supports. Its links (to the ideas it supports, the persona it speaks for) are
//! [`crate::link`]s from the feedback.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{transaction::Transactable, ObjId, ObjType, ReadDoc, ROOT};

use crate::date::Date;
use crate::fields::{ensure_map, write_text, DocFields, FieldSource, Problem, Reader};
use crate::link::{merge_many, merge_one, Link, Ref, Relation};
use crate::schema::{CREATED_AT, CREATED_BY, DELETED, FEEDBACK, IDEAS, PERSONAS, TAGS, UPDATED_AT};
use crate::stats::{csat, nps, Csat, Nps};
use crate::workspace::{EditError, Workspace};
use crate::Id;

/// Where builds before [`crate::link`] kept the ideas feedback supports.
const LEGACY_IDEAS: &str = "ideas";
/// Where builds before [`crate::link`] kept the persona it speaks for.
const LEGACY_PERSONA: &str = "persona";

/// Where feedback came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Survey,
    Poll,
    #[default]
    Interview,
    FocusGroup,
    Review,
    Support,
    UsabilityTest,
    Beta,
    /// Churned (ex-)customers' exit feedback.
    Churn,
}

impl Channel {
    pub const ALL: [Channel; 9] = [
        Channel::Survey,
        Channel::Poll,
        Channel::Interview,
        Channel::FocusGroup,
        Channel::Review,
        Channel::Support,
        Channel::UsabilityTest,
        Channel::Beta,
        Channel::Churn,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Channel::Survey => "survey",
            Channel::Poll => "poll",
            Channel::Interview => "interview",
            Channel::FocusGroup => "focus_group",
            Channel::Review => "review",
            Channel::Support => "support",
            Channel::UsabilityTest => "usability_test",
            Channel::Beta => "beta",
            Channel::Churn => "churn",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Survey => "Survey",
            Channel::Poll => "Poll",
            Channel::Interview => "Interview",
            Channel::FocusGroup => "Focus group",
            Channel::Review => "Review",
            Channel::Support => "Support",
            Channel::UsabilityTest => "Usability test",
            Channel::Beta => "Beta",
            Channel::Churn => "Churn / exit",
        }
    }

    /// The rating scale this channel usually collects, if any.
    pub fn default_scale(self) -> Option<RatingScale> {
        match self {
            Channel::Survey | Channel::Beta | Channel::Churn => Some(RatingScale::Nps),
            Channel::Poll | Channel::Review | Channel::Support | Channel::UsabilityTest => Some(RatingScale::Csat),
            Channel::Interview | Channel::FocusGroup => None,
        }
    }
}

/// How a rating was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingScale {
    /// "How likely are you to recommend…", 0–10.
    Nps,
    /// "How satisfied are you…", 1–5.
    Csat,
}

impl RatingScale {
    pub fn key(self) -> &'static str {
        match self {
            RatingScale::Nps => "nps",
            RatingScale::Csat => "csat",
        }
    }

    pub fn parse(s: &str) -> Option<RatingScale> {
        [RatingScale::Nps, RatingScale::Csat].into_iter().find(|r| r.key() == s)
    }

    /// The scale's name for people.
    pub fn label(self) -> &'static str {
        match self {
            RatingScale::Nps => "NPS",
            RatingScale::Csat => "CSAT",
        }
    }

    /// The ratings this scale allows.
    pub fn range(self) -> std::ops::RangeInclusive<i64> {
        match self {
            RatingScale::Nps => 0..=10,
            RatingScale::Csat => 1..=5,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    Positive,
    Neutral,
    Negative,
}

impl Sentiment {
    pub fn key(self) -> &'static str {
        match self {
            Sentiment::Positive => "positive",
            Sentiment::Neutral => "neutral",
            Sentiment::Negative => "negative",
        }
    }

    pub const ALL: [Sentiment; 3] = [Sentiment::Positive, Sentiment::Neutral, Sentiment::Negative];

    pub fn parse(s: &str) -> Option<Sentiment> {
        Sentiment::ALL.into_iter().find(|x| x.key() == s)
    }

    /// The sentiment's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Sentiment::Positive => "Positive",
            Sentiment::Neutral => "Neutral",
            Sentiment::Negative => "Negative",
        }
    }
}

/// A short label of a piece of feedback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FeedbackLabel {
    /// The customer or company.
    Customer,
    Segment,
    /// When it was said, `YYYY-MM-DD`.
    Date,
}

impl FeedbackLabel {
    pub fn key(self) -> &'static str {
        match self {
            FeedbackLabel::Customer => "customer",
            FeedbackLabel::Segment => "segment",
            FeedbackLabel::Date => "date",
        }
    }
}

/// A piece of feedback as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Feedback {
    pub id: Option<Id>,
    pub text: String,
    pub channel: Channel,
    pub customer: String,
    pub segment: String,
    /// When it was given.
    pub date: Option<Date>,
    pub rating: Option<i64>,
    pub scale: Option<RatingScale>,
    pub sentiment: Option<Sentiment>,
    /// The persona it speaks for (a link, [`Relation::SpeaksFor`]), if any.
    pub persona: Option<Id>,
    pub tags: Vec<String>,
    /// The ideas this feedback supports (links, [`Relation::Supports`]).
    pub ideas: Vec<Id>,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub deleted: bool,
}

impl Feedback {
    /// The month it was given (`YYYY-MM`), for per-period statistics.
    pub fn period(&self) -> Option<String> {
        self.date.map(Date::period)
    }
}

fn read_feedback<S: FieldSource + ?Sized>(source: &S, id: &Id, problems: &mut Vec<Problem>) -> Feedback {
    let mut r = Reader { source, path: format!("feedback/{id}"), problems };
    let channel_raw = r.str("channel");
    let scale_raw = r.str("rating_scale");
    let sentiment_raw = r.str("sentiment");
    let mut fb = Feedback {
        id: Some(id.clone()),
        text: r.text("text"),
        channel: Channel::default(),
        customer: r.str(FeedbackLabel::Customer.key()),
        segment: r.str(FeedbackLabel::Segment.key()),
        date: r.date(FeedbackLabel::Date.key()),
        rating: r.int("rating"),
        scale: RatingScale::parse(&scale_raw),
        sentiment: Sentiment::parse(&sentiment_raw),
        persona: Id::parse(r.str(LEGACY_PERSONA).trim()),
        tags: r.set(TAGS),
        ideas: r.set(LEGACY_IDEAS).iter().filter_map(|k| Id::parse(k)).collect(),
        created_at: r.int(CREATED_AT).unwrap_or(0),
        created_by: r.str(CREATED_BY),
        updated_at: r.int(UPDATED_AT).unwrap_or(0),
        deleted: r.bool(DELETED),
    };
    match Channel::parse(&channel_raw) {
        Some(c) => fb.channel = c,
        None if !channel_raw.is_empty() => problems.push(Problem {
            path: format!("feedback/{id}/channel"),
            message: format!("unknown channel {channel_raw:?}, shown as Interview"),
        }),
        None => {}
    }
    // A rating outside its scale is not counted anywhere.
    if let (Some(rating), Some(scale)) = (fb.rating, fb.scale) {
        if !scale.range().contains(&rating) {
            problems.push(Problem { path: format!("feedback/{id}/rating"), message: format!("{rating} is outside the {} scale", scale.key()) });
            fb.rating = None;
        }
    }
    fb
}

impl Workspace {
    fn existing_feedback(&self, id: &Id) -> Result<ObjId, EditError> {
        self.artifact(FEEDBACK, id)
    }

    /// Logs a piece of feedback; the channel's usual rating scale is preset.
    pub fn create_feedback(&mut self, text: &str, channel: Channel, now_ms: i64, by: &str) -> Result<Id, EditError> {
        let id = self.new_id();
        let map = ensure_map(&mut self.doc, &ROOT, FEEDBACK)?;
        let obj = self.doc.put_object(&map, id.as_str(), ObjType::Map)?;
        self.doc.put_object(&obj, "text", ObjType::Text)?;
        write_text(&mut self.doc, &obj, "text", text.trim())?;
        self.doc.put(&obj, "channel", channel.key())?;
        if let Some(scale) = channel.default_scale() {
            self.doc.put(&obj, "rating_scale", scale.key())?;
        }
        self.doc.put_object(&obj, TAGS, ObjType::Map)?;
        self.put_common_fields(&obj, now_ms, by)?;
        Ok(id)
    }

    /// One piece of feedback, with problems found reading it.
    pub fn feedback(&self, id: &Id) -> Option<(Feedback, Vec<Problem>)> {
        let obj = self.existing_feedback(id).ok()?;
        let mut problems = Vec::new();
        let mut fb = read_feedback(&DocFields { doc: &self.doc, obj }, id, &mut problems);
        merge_links(&mut fb, &self.stored_links_from(&Ref::new(FEEDBACK, id.clone())));
        Some((fb, problems))
    }

    /// All feedback (deleted included), read in one pass.
    pub fn all_feedback(&self) -> (Vec<Feedback>, Vec<Problem>) {
        let (mut all, problems) = self.read_collection(FEEDBACK, read_feedback);
        let links = self.stored_links_by_source(FEEDBACK);
        for fb in &mut all {
            if let Some(stored) = fb.id.as_ref().and_then(|id| links.get(id)) {
                merge_links(fb, stored);
            }
        }
        (all, problems)
    }

    pub fn set_feedback_text(&mut self, id: &Id, value: &str, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_feedback(id)?;
        write_text(&mut self.doc, &obj, "text", value)?;
        self.touch(&obj, now_ms)
    }

    /// Sets a label; the date must be a calendar day (`YYYY-MM-DD`) or empty.
    pub fn set_feedback_label(&mut self, id: &Id, field: FeedbackLabel, value: &str, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_feedback(id)?;
        let value = value.trim();
        if field == FeedbackLabel::Date && !value.is_empty() {
            let day = Date::parse(value).map_err(|e| EditError::Invalid(e.to_string()))?;
            self.doc.put(&obj, field.key(), day.to_string())?;
        } else {
            self.doc.put(&obj, field.key(), value)?;
        }
        self.touch(&obj, now_ms)
    }

    pub fn set_feedback_channel(&mut self, id: &Id, channel: Channel, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_feedback(id)?;
        self.doc.put(&obj, "channel", channel.key())?;
        self.touch(&obj, now_ms)
    }

    /// Sets (or clears) the rating on `scale`; a rating outside the scale is refused.
    pub fn set_feedback_rating(&mut self, id: &Id, rating: Option<(i64, RatingScale)>, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_feedback(id)?;
        match rating {
            Some((value, scale)) if !scale.range().contains(&value) => {
                return Err(EditError::Invalid(format!(
                    "a {} rating is {} to {}",
                    scale.key().to_uppercase(),
                    scale.range().start(),
                    scale.range().end()
                )))
            }
            Some((value, scale)) => {
                self.doc.put(&obj, "rating", value)?;
                self.doc.put(&obj, "rating_scale", scale.key())?;
            }
            None => {
                if self.doc.get(&obj, "rating")?.is_some() {
                    self.doc.delete(&obj, "rating")?;
                }
            }
        }
        self.touch(&obj, now_ms)
    }

    pub fn set_feedback_sentiment(&mut self, id: &Id, sentiment: Option<Sentiment>, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_feedback(id)?;
        match sentiment {
            Some(s) => self.doc.put(&obj, "sentiment", s.key())?,
            None => self.doc.put(&obj, "sentiment", "")?,
        }
        self.touch(&obj, now_ms)
    }

    /// Links (or unlinks) feedback to an idea it supports.
    pub fn link_feedback_to_idea(&mut self, feedback: &Id, idea: &Id, linked: bool, now_ms: i64) -> Result<(), EditError> {
        let (from, to) = (Ref::new(FEEDBACK, feedback.clone()), Ref::new(IDEAS, idea.clone()));
        self.set_linked(&from, Relation::Supports, &to, linked, now_ms)
    }

    /// Sets (or clears) the persona the feedback speaks for.
    pub fn set_feedback_persona(&mut self, feedback: &Id, persona: Option<&Id>, now_ms: i64) -> Result<(), EditError> {
        let to = persona.map(|p| Ref::new(PERSONAS, p.clone()));
        self.set_link(&Ref::new(FEEDBACK, feedback.clone()), Relation::SpeaksFor, to.as_ref(), now_ms)
    }

    /// Tags feedback (normalised like idea tags); returns the tag as stored.
    pub fn set_feedback_tag(&mut self, id: &Id, raw: &str, on: bool, now_ms: i64) -> Result<Option<String>, EditError> {
        let obj = self.existing_feedback(id)?;
        let Some(tag) = crate::idea::normalize_tag(raw) else { return Ok(None) };
        self.set_member(&obj, TAGS, &tag, on)?;
        self.touch(&obj, now_ms)?;
        Ok(Some(tag))
    }

    pub fn delete_feedback(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_feedback(id)?;
        self.set_deleted(&obj, true, now_ms)
    }

    pub fn restore_feedback(&mut self, id: &Id, now_ms: i64) -> Result<(), EditError> {
        let obj = self.existing_feedback(id)?;
        self.set_deleted(&obj, false, now_ms)
    }
}

/// Lays the links stored in the current form over the old ones the reader found.
fn merge_links(fb: &mut Feedback, stored: &[Link]) {
    merge_many(&mut fb.ideas, stored, Relation::Supports, IDEAS);
    merge_one(&mut fb.persona, stored, Relation::SpeaksFor);
}

/// The live feedback that supports `idea`.
pub fn feedback_for_idea<'a>(all: &'a [Feedback], idea: &Id) -> Vec<&'a Feedback> {
    all.iter().filter(|f| !f.deleted && f.ideas.contains(idea)).collect()
}

/// How many distinct customers (case- and space-insensitive) gave this feedback; for
/// scoring, e.g. as RICE reach. Feedback without a customer is not counted.
pub fn distinct_customers<'a>(feedback: impl IntoIterator<Item = &'a Feedback>) -> usize {
    feedback
        .into_iter()
        .map(|f| f.customer.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
        .filter(|c| !c.is_empty())
        .collect::<BTreeSet<_>>()
        .len()
}

/// NPS and CSAT over a set of feedback.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Satisfaction {
    pub nps: Option<Nps>,
    pub csat: Option<Csat>,
}

fn ratings(feedback: &[&Feedback], scale: RatingScale) -> Vec<i64> {
    feedback.iter().filter(|f| !f.deleted && f.scale == Some(scale)).filter_map(|f| f.rating).collect()
}

/// NPS and CSAT for all the given feedback.
pub fn satisfaction<'a>(feedback: impl IntoIterator<Item = &'a Feedback>) -> Satisfaction {
    let list: Vec<&Feedback> = feedback.into_iter().collect();
    Satisfaction { nps: nps(ratings(&list, RatingScale::Nps)), csat: csat(ratings(&list, RatingScale::Csat)) }
}

/// NPS and CSAT per group (a segment, a month…), groups sorted by name. Feedback whose
/// group is `None` (no segment, no date) is left out.
pub fn satisfaction_by<'a, G: AsRef<str>>(feedback: &'a [Feedback], group: impl Fn(&'a Feedback) -> Option<G>) -> BTreeMap<String, Satisfaction> {
    let mut groups: BTreeMap<String, Vec<&Feedback>> = BTreeMap::new();
    for f in feedback.iter().filter(|f| !f.deleted) {
        if let Some(g) = group(f).filter(|g| !g.as_ref().is_empty()) {
            groups.entry(g.as_ref().to_owned()).or_default().push(f);
        }
    }
    groups.into_iter().map(|(g, list)| (g, satisfaction(list))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::IDEAS;

    #[test]
    fn feedback_tags_are_normalised_and_removable() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_feedback("Love it", Channel::Review, 1, "Ana").unwrap();
        assert_eq!(ws.set_feedback_tag(&id, "  Onboarding   Flow ", true, 2).unwrap().as_deref(), Some("onboarding flow"));
        ws.set_feedback_tag(&id, "pricing", true, 2).unwrap();
        ws.set_feedback_tag(&id, "pricing", false, 3).unwrap();
        assert_eq!(ws.feedback(&id).unwrap().0.tags, vec!["onboarding flow".to_owned()]);
        assert_eq!(ws.set_feedback_tag(&id, "   ", true, 4).unwrap(), None);
    }

    fn survey(ws: &mut Workspace, customer: &str, segment: &str, date: &str, rating: i64) -> Id {
        let id = ws.create_feedback("Love it", Channel::Survey, 1, "Ana").unwrap();
        ws.set_feedback_label(&id, FeedbackLabel::Customer, customer, 1).unwrap();
        ws.set_feedback_label(&id, FeedbackLabel::Segment, segment, 1).unwrap();
        ws.set_feedback_label(&id, FeedbackLabel::Date, date, 1).unwrap();
        ws.set_feedback_rating(&id, Some((rating, RatingScale::Nps)), 1).unwrap();
        id
    }

    #[test]
    fn feedback_round_trips_and_presets_the_channel_scale() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_feedback("Reminders would save me an hour a week", Channel::Support, 2, "Ana").unwrap();
        ws.set_feedback_rating(&id, Some((4, RatingScale::Csat)), 3).unwrap();
        ws.set_feedback_sentiment(&id, Some(Sentiment::Positive), 3).unwrap();
        let reloaded = Workspace::load(&ws.save()).unwrap();
        let (fb, problems) = reloaded.feedback(&id).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((fb.channel, fb.rating, fb.scale, fb.sentiment), (Channel::Support, Some(4), Some(RatingScale::Csat), Some(Sentiment::Positive)));
        assert_eq!(reloaded.all_feedback().0, vec![fb]);
    }

    #[test]
    fn ratings_outside_their_scale_are_refused() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = ws.create_feedback("Meh", Channel::Review, 2, "Ana").unwrap();
        assert!(matches!(ws.set_feedback_rating(&id, Some((6, RatingScale::Csat)), 3), Err(EditError::Invalid(_))));
        assert!(ws.set_feedback_rating(&id, Some((10, RatingScale::Nps)), 3).is_ok());
        ws.set_feedback_rating(&id, None, 4).unwrap();
        assert_eq!(ws.feedback(&id).unwrap().0.rating, None);
    }

    #[test]
    fn an_idea_counts_its_distinct_customers() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let idea = ws.create_idea("Invoice reminders", 1, "Ana").unwrap();
        for customer in ["Acme", "acme ", "Globex", ""] {
            let f = ws.create_feedback("Please", Channel::Interview, 1, "Ana").unwrap();
            ws.set_feedback_label(&f, FeedbackLabel::Customer, customer, 1).unwrap();
            ws.link_feedback_to_idea(&f, &idea, true, 1).unwrap();
        }
        let unrelated = ws.create_feedback("Other", Channel::Interview, 1, "Ana").unwrap();
        ws.set_feedback_label(&unrelated, FeedbackLabel::Customer, "Initech", 1).unwrap();
        let all = ws.all_feedback().0;
        let linked = feedback_for_idea(&all, &idea);
        assert_eq!(linked.len(), 4);
        assert_eq!(distinct_customers(linked), 2, "Acme once, Globex once, no-name not counted");
    }

    #[test]
    fn nps_per_segment_and_per_month_with_respondent_counts() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        survey(&mut ws, "A", "SMB", "2025-06-03", 10);
        survey(&mut ws, "B", "SMB", "2025-06-20", 9);
        survey(&mut ws, "C", "SMB", "2025-07-01", 3);
        survey(&mut ws, "D", "Enterprise", "2025-07-02", 8);
        let all = ws.all_feedback().0;
        let overall = satisfaction(&all);
        assert_eq!(overall.nps.as_ref().map(|n| (n.score, n.respondents)), Some((25.0, 4)));
        let by_segment = satisfaction_by(&all, |f| Some(f.segment.as_str()));
        assert_eq!(by_segment["SMB"].nps.as_ref().map(|n| (n.promoters, n.detractors, n.respondents)), Some((2, 1, 3)));
        assert_eq!(by_segment["Enterprise"].nps.as_ref().map(|n| n.score), Some(0.0));
        let by_month = satisfaction_by(&all, Feedback::period);
        assert_eq!(by_month.keys().collect::<Vec<_>>(), ["2025-06", "2025-07"]);
        assert_eq!(by_month["2025-06"].nps.as_ref().map(|n| n.score), Some(100.0));
    }

    #[test]
    fn a_remote_feedback_edit_names_that_feedback() {
        let mut a = Workspace::create("Payments", 1, "Ana");
        let f = a.create_feedback("One", Channel::Support, 1, "Ana").unwrap();
        a.save_incremental();
        let _ = a.take_changes();
        let mut b = a.fork();
        b.set_feedback_text(&f, "One, edited", 2).unwrap();
        let changed = a.apply(&b.save_incremental()).unwrap();
        assert!(changed.of(FEEDBACK).contains(&f) && changed.of(IDEAS).is_empty(), "{changed:?}");
    }

    #[test]
    fn links_made_concurrently_are_all_kept() {
        let mut a = Workspace::create("Payments", 1, "Ana");
        let idea = a.create_idea("Reminders", 1, "Ana").unwrap();
        let f1 = a.create_feedback("One", Channel::Support, 1, "Ana").unwrap();
        let f2 = a.create_feedback("Two", Channel::Support, 1, "Ana").unwrap();
        let mut b = a.fork();
        a.link_feedback_to_idea(&f1, &idea, true, 2).unwrap();
        b.link_feedback_to_idea(&f2, &idea, true, 2).unwrap();
        a.merge(&mut b).unwrap();
        assert_eq!(feedback_for_idea(&a.all_feedback().0, &idea).len(), 2);
    }
}
