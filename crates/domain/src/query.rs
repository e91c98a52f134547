//! Finding ideas: full-text search, filters and sort orders for the idea list and the
//! ranking, and the feedback inbox's filter and facets.

use crate::{Idea, IdeaStatus};

/// How the idea list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum IdeaSort {
    #[default]
    Newest,
    Oldest,
    MostVotes,
    RecentlyUpdated,
    Title,
}

impl IdeaSort {
    pub const ALL: [IdeaSort; 5] =
        [IdeaSort::Newest, IdeaSort::Oldest, IdeaSort::MostVotes, IdeaSort::RecentlyUpdated, IdeaSort::Title];

    pub fn key(self) -> &'static str {
        match self {
            IdeaSort::Newest => "newest",
            IdeaSort::Oldest => "oldest",
            IdeaSort::MostVotes => "votes",
            IdeaSort::RecentlyUpdated => "updated",
            IdeaSort::Title => "title",
        }
    }

    pub fn parse(s: &str) -> Option<IdeaSort> {
        IdeaSort::ALL.into_iter().find(|x| x.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            IdeaSort::Newest => "Newest first",
            IdeaSort::Oldest => "Oldest first",
            IdeaSort::MostVotes => "Most votes",
            IdeaSort::RecentlyUpdated => "Recently updated",
            IdeaSort::Title => "Title A–Z",
        }
    }
}

/// What the idea list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdeaFilter {
    /// Words that must all appear (case-insensitive) in the title, description,
    /// source, submitter or tags.
    pub text: String,
    pub status: Option<IdeaStatus>,
    pub tag: Option<String>,
}

impl IdeaFilter {
    /// Whether `idea` is shown (deleted ideas never are).
    pub fn matches(&self, idea: &Idea) -> bool {
        if idea.deleted {
            return false;
        }
        if self.status.is_some_and(|s| s != idea.status) {
            return false;
        }
        if let Some(tag) = &self.tag {
            if !idea.tags.iter().any(|t| t == tag) {
                return false;
            }
        }
        let query = self.text.trim();
        if query.is_empty() {
            return true;
        }
        let haystack = searchable_text(idea);
        query.to_lowercase().split_whitespace().all(|word| haystack.contains(word))
    }
}

/// What the feedback inbox shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedbackFilter {
    /// Text that must appear (case-insensitive) in what was said, the customer or the
    /// segment.
    pub text: String,
    pub channel: Option<crate::feedback::Channel>,
    pub segment: Option<String>,
    pub sentiment: Option<crate::feedback::Sentiment>,
    pub tag: Option<String>,
}

impl FeedbackFilter {
    /// Whether `f` is shown (deleted feedback never is).
    pub fn matches(&self, f: &crate::feedback::Feedback) -> bool {
        let query = self.text.trim().to_lowercase();
        !f.deleted
            && self.channel.is_none_or(|c| f.channel == c)
            && self.segment.as_ref().is_none_or(|s| &f.segment == s)
            && self.sentiment.is_none_or(|s| f.sentiment == Some(s))
            && self.tag.as_ref().is_none_or(|t| f.tags.contains(t))
            && (query.is_empty() || format!("{} {} {}", f.text, f.customer, f.segment).to_lowercase().contains(&query))
    }

    /// Whether anything narrows the inbox.
    pub fn is_active(&self) -> bool {
        !self.text.trim().is_empty() || self.channel.is_some() || self.segment.is_some() || self.sentiment.is_some() || self.tag.is_some()
    }

    /// The feedback of `all` shown, newest first (by the date it was given, then when
    /// it was logged).
    pub fn apply(&self, all: &[crate::feedback::Feedback]) -> Vec<crate::feedback::Feedback> {
        let mut out: Vec<_> = all.iter().filter(|f| self.matches(f)).cloned().collect();
        crate::sort::sort_by(&mut out, |a, b| b.date.cmp(&a.date).then(b.created_at.cmp(&a.created_at)));
        out
    }
}

/// The segments and tags that occur in `all`, each sorted and without repeats: what
/// the inbox's filters offer.
pub fn feedback_facets(all: &[crate::feedback::Feedback]) -> (Vec<String>, Vec<String>) {
    let segments: std::collections::BTreeSet<&String> = all.iter().map(|f| &f.segment).filter(|s| !s.is_empty()).collect();
    let tags: std::collections::BTreeSet<&String> = all.iter().flat_map(|f| &f.tags).collect();
    (segments.into_iter().cloned().collect(), tags.into_iter().cloned().collect())
}

/// Whether every word of `query` is in one of `texts` (case-insensitive): the search
/// of the persona and story lists.
pub fn mentions_all(query: &str, texts: &[&str]) -> bool {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return true;
    }
    let haystack = texts.join("\n").to_lowercase();
    words.iter().all(|w| haystack.contains(w.as_str()))
}

/// Whether persona `p` mentions every word of `query` (name, role, any of its texts).
pub fn persona_matches(p: &crate::persona::Persona, query: &str) -> bool {
    mentions_all(query, &[&p.name, &p.role, &p.goals, &p.pain_points, &p.motivations, &p.behaviours, &p.quote])
}

/// Whether story `s` mentions every word of `query` (its persona's name `persona`, as
/// its sentence shows it, its goal, benefit or criteria).
pub fn story_matches(s: &crate::story::Story, persona: &str, query: &str) -> bool {
    let mut texts: Vec<&str> = vec![persona, &s.goal, &s.benefit];
    for c in &s.criteria {
        texts.extend([c.given.as_str(), c.when.as_str(), c.then.as_str()]);
    }
    mentions_all(query, &texts)
}

/// The lowercase text a search looks through.
pub fn searchable_text(idea: &Idea) -> String {
    let mut s = String::with_capacity(idea.title.len() + idea.description.len() + 32);
    for part in [&idea.title, &idea.description, &idea.source, &idea.submitter] {
        s.push_str(&part.to_lowercase());
        s.push('\n');
    }
    for tag in &idea.tags {
        s.push_str(tag);
        s.push('\n');
    }
    s
}

/// Orders ideas in place. Ties fall back to creation time, then id, so the order is
/// stable across reloads and replicas.
pub fn sort_ideas(ideas: &mut [&Idea], sort: IdeaSort) {
    ideas.sort_by(|a, b| {
        let primary = match sort {
            IdeaSort::Newest => b.created_at.cmp(&a.created_at),
            IdeaSort::Oldest => a.created_at.cmp(&b.created_at),
            IdeaSort::MostVotes => b.votes.cmp(&a.votes),
            IdeaSort::RecentlyUpdated => b.updated_at.cmp(&a.updated_at),
            IdeaSort::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
        };
        primary.then_with(|| b.created_at.cmp(&a.created_at)).then_with(|| a.id.cmp(&b.id))
    });
}

/// Every tag in use by live ideas, sorted, with how many ideas carry it.
pub fn tag_counts<'a>(ideas: impl IntoIterator<Item = &'a Idea>) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for idea in ideas.into_iter().filter(|i| !i.deleted) {
        for tag in &idea.tags {
            *counts.entry(tag).or_default() += 1;
        }
    }
    counts.into_iter().map(|(t, n)| (t.to_owned(), n)).collect()
}

/// Which ideas the ranking shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Not yet parked, rejected or done: what is still to decide.
    #[default]
    Open,
    All,
    Only(IdeaStatus),
}

impl StatusFilter {
    pub fn key(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::All => "all",
            StatusFilter::Only(s) => s.key(),
        }
    }

    /// Reads a key; anything unknown is [`StatusFilter::Open`].
    pub fn parse(s: &str) -> StatusFilter {
        match s {
            "all" => StatusFilter::All,
            other => IdeaStatus::parse(other).map_or(StatusFilter::Open, StatusFilter::Only),
        }
    }

    pub fn matches(self, status: IdeaStatus) -> bool {
        match self {
            StatusFilter::Open => matches!(status, IdeaStatus::New | IdeaStatus::UnderReview | IdeaStatus::Accepted),
            StatusFilter::All => true,
            StatusFilter::Only(s) => s == status,
        }
    }
}

/// How the ranking is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RankOrder {
    #[default]
    Rank,
    RankReversed,
    Title,
    /// Most distinct customers in the linked feedback first.
    Customers,
}

impl RankOrder {
    pub const ALL: [RankOrder; 4] = [RankOrder::Rank, RankOrder::RankReversed, RankOrder::Title, RankOrder::Customers];

    pub fn key(self) -> &'static str {
        match self {
            RankOrder::Rank => "rank",
            RankOrder::RankReversed => "rank_reversed",
            RankOrder::Title => "title",
            RankOrder::Customers => "customers",
        }
    }

    pub fn parse(s: &str) -> RankOrder {
        RankOrder::ALL.into_iter().find(|o| o.key() == s).unwrap_or_default()
    }

    pub fn label(self) -> &'static str {
        match self {
            RankOrder::Rank => "Highest score first",
            RankOrder::RankReversed => "Lowest score first",
            RankOrder::Title => "Title",
            RankOrder::Customers => "Most customers",
        }
    }

    /// Puts `rows` (as [`crate::ranking::rank`] returns them: by rank, unscored last)
    /// in this order. Unscored ideas stay last when the ranking is reversed.
    pub fn apply(self, rows: &mut [crate::ranking::Ranked], title: impl Fn(&crate::Id) -> String, customers: &std::collections::HashMap<crate::Id, usize>) {
        match self {
            RankOrder::Rank => {}
            RankOrder::RankReversed => {
                let unranked = rows.iter().position(|r| r.rank.is_none()).unwrap_or(rows.len());
                rows[..unranked].reverse();
            }
            RankOrder::Title => rows.sort_by_cached_key(|r| title(&r.id).to_lowercase()),
            RankOrder::Customers => crate::sort::sort_by_key(rows, |r| std::cmp::Reverse(customers.get(&r.id).copied().unwrap_or(0))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persona_or_story_is_found_by_every_word_in_any_of_its_texts() {
        let fiona = crate::persona::Persona { name: "Fiona".into(), role: "Finance admin".into(), goals: "Close the month in a day".into(), ..Default::default() };
        assert!(persona_matches(&fiona, "  "));
        assert!(persona_matches(&fiona, "finance MONTH"));
        assert!(!persona_matches(&fiona, "finance week"));
        let story = crate::story::Story {
            goal: "pay in one tap".into(),
            criteria: vec![crate::story::Criterion { given: "a saved card".into(), ..Default::default() }],
            ..Default::default()
        };
        assert!(story_matches(&story, "Fiona", "tap card"));
        assert!(story_matches(&story, "Fiona", "fiona tap"), "the persona its sentence names");
        assert!(!story_matches(&story, "Fiona", "cash"));
    }

    #[test]
    fn the_ranking_shows_open_ideas_unless_asked_otherwise() {
        assert_eq!(StatusFilter::parse("nonsense"), StatusFilter::Open);
        assert!(StatusFilter::Open.matches(IdeaStatus::Accepted) && !StatusFilter::Open.matches(IdeaStatus::Parked));
        assert!(StatusFilter::All.matches(IdeaStatus::Rejected));
        let parked = StatusFilter::parse("parked");
        assert_eq!((parked, parked.key()), (StatusFilter::Only(IdeaStatus::Parked), "parked"));
        assert!(parked.matches(IdeaStatus::Parked) && !parked.matches(IdeaStatus::New));
    }

    #[test]
    fn a_reversed_ranking_keeps_unscored_ideas_last_and_other_orders_sort_as_named() {
        use crate::priorities::Framework;
        let mut ws = crate::Workspace::create("W", 1, "Ana");
        let mut ids = Vec::new();
        for (title, reach) in [("b high", Some(9.0)), ("a low", Some(1.0)), ("c none", None)] {
            let id = ws.create_idea(title, 1, "Ana").unwrap();
            for (input, v) in [("reach", reach), ("impact", Some(1.0)), ("confidence", Some(1.0)), ("effort", Some(1.0))] {
                ws.set_score_input(&id, Framework::Rice, input, v, 1).unwrap();
            }
            ids.push(id);
        }
        let ideas = ws.ideas().0;
        let title = |id: &crate::Id| ideas.iter().find(|i| i.id.as_ref() == Some(id)).unwrap().title.clone();
        let order = |o: RankOrder, customers: &std::collections::HashMap<crate::Id, usize>| {
            let mut rows = crate::ranking::rank(&ideas, Framework::Rice, &[]);
            o.apply(&mut rows, title, customers);
            rows.iter().map(|r| title(&r.id)).collect::<Vec<_>>()
        };
        let none = std::collections::HashMap::new();
        assert_eq!(order(RankOrder::Rank, &none), ["b high", "a low", "c none"]);
        assert_eq!(order(RankOrder::RankReversed, &none), ["a low", "b high", "c none"]);
        assert_eq!(order(RankOrder::Title, &none), ["a low", "b high", "c none"]);
        let customers = std::collections::HashMap::from([(ids[2].clone(), 4), (ids[1].clone(), 2)]);
        assert_eq!(order(RankOrder::Customers, &customers), ["c none", "a low", "b high"]);
        assert_eq!(RankOrder::parse("title"), RankOrder::Title);
        assert_eq!(RankOrder::parse("?"), RankOrder::Rank);
    }

    fn idea(title: &str, created_at: i64, votes: i64, tags: &[&str]) -> Idea {
        Idea {
            title: title.into(),
            created_at,
            updated_at: created_at,
            votes,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Idea::default()
        }
    }

    #[test]
    fn search_needs_every_word_in_any_field() {
        let mut a = idea("Offline mode", 1, 0, &["mobile"]);
        a.description = "Field sales work without signal".into();
        let f = |text: &str| IdeaFilter { text: text.into(), ..IdeaFilter::default() };
        assert!(f("offline SIGNAL").matches(&a));
        assert!(f("mobile").matches(&a), "tags are searched");
        assert!(!f("offline desktop").matches(&a));
    }

    #[test]
    fn filters_by_status_and_tag_and_hides_deleted() {
        let mut a = idea("A", 1, 0, &["billing"]);
        a.status = IdeaStatus::Accepted;
        let by_status = IdeaFilter { status: Some(IdeaStatus::Accepted), ..IdeaFilter::default() };
        let by_tag = IdeaFilter { tag: Some("billing".into()), ..IdeaFilter::default() };
        let other_tag = IdeaFilter { tag: Some("export".into()), ..IdeaFilter::default() };
        assert!(by_status.matches(&a) && by_tag.matches(&a) && !other_tag.matches(&a));
        a.deleted = true;
        assert!(!IdeaFilter::default().matches(&a));
    }

    #[test]
    fn sorts_with_stable_tie_breaks() {
        let (a, b, c) = (idea("banana", 1, 5, &[]), idea("Apple", 2, 5, &[]), idea("cherry", 3, 1, &[]));
        let mut v = vec![&a, &b, &c];
        sort_ideas(&mut v, IdeaSort::MostVotes);
        assert_eq!(v.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(), ["Apple", "banana", "cherry"]);
        sort_ideas(&mut v, IdeaSort::Title);
        assert_eq!(v[0].title, "Apple");
        sort_ideas(&mut v, IdeaSort::Oldest);
        assert_eq!(v[0].title, "banana");
    }

    #[test]
    fn tag_counts_skip_deleted_ideas() {
        let a = idea("a", 1, 0, &["x", "y"]);
        let mut b = idea("b", 2, 0, &["x"]);
        assert_eq!(tag_counts([&a, &b]), vec![("x".into(), 2), ("y".into(), 1)]);
        b.deleted = true;
        assert_eq!(tag_counts([&a, &b]), vec![("x".into(), 1), ("y".into(), 1)]);
    }

    #[test]
    fn the_feedback_filter_narrows_by_every_facet_and_lists_newest_first() {
        use crate::feedback::{Channel, Feedback, Sentiment};
        let day = |d: &str| crate::Date::parse(d).ok();
        let f = |text: &str, channel, segment: &str, date: &str, at: i64| Feedback {
            text: text.into(),
            channel,
            segment: segment.into(),
            date: day(date),
            created_at: at,
            ..Feedback::default()
        };
        let mut all = vec![
            f("Reminders would save us hours", Channel::Survey, "SMB", "2026-03-01", 1),
            f("Too expensive", Channel::Churn, "Enterprise", "2026-03-05", 2),
            f("Love the reminders", Channel::Review, "SMB", "2026-03-05", 3),
            f("Deleted reminders note", Channel::Survey, "SMB", "2026-03-09", 4),
        ];
        all[2].sentiment = Some(Sentiment::Positive);
        all[2].tags = vec!["reminders".into()];
        all[3].deleted = true;
        let texts = |filter: &FeedbackFilter| filter.apply(&all).into_iter().map(|f| f.text).collect::<Vec<_>>();
        let every = FeedbackFilter::default();
        assert!(!every.is_active());
        assert_eq!(texts(&every), ["Love the reminders", "Too expensive", "Reminders would save us hours"], "newest first, ties by when logged");
        assert_eq!(texts(&FeedbackFilter { text: " REMINDERS ".into(), ..every.clone() }), ["Love the reminders", "Reminders would save us hours"]);
        assert_eq!(texts(&FeedbackFilter { text: "enterprise".into(), ..every.clone() }), ["Too expensive"], "the segment is searched too");
        assert_eq!(texts(&FeedbackFilter { channel: Some(Channel::Survey), ..every.clone() }), ["Reminders would save us hours"]);
        assert_eq!(texts(&FeedbackFilter { segment: Some("SMB".into()), sentiment: Some(Sentiment::Positive), ..every.clone() }), ["Love the reminders"]);
        assert_eq!(texts(&FeedbackFilter { tag: Some("reminders".into()), ..every.clone() }), ["Love the reminders"]);
        assert_eq!(feedback_facets(&all), (vec!["Enterprise".to_owned(), "SMB".to_owned()], vec!["reminders".to_owned()]));
    }
}
