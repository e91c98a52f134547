//! Realistic workspaces for benchmarks and tests.

use crate::priorities::Framework;
use crate::scoring;
use crate::{Id, IdeaText, Workspace};

const VERBS: [&str; 10] = ["Export", "Sync", "Bulk-edit", "Schedule", "Approve", "Archive", "Preview", "Share", "Import", "Filter"];
const OBJECTS: [&str; 8] = [
    "invoices",
    "payment reminders",
    "customer statements",
    "tax reports",
    "expense claims",
    "purchase orders",
    "credit notes",
    "bank feeds",
];
const QUALIFIERS: [&str; 8] = [
    "for finance admins",
    "from the mobile app",
    "in bulk",
    "without signing in",
    "across teams",
    "by due date",
    "with one click",
    "before month end",
];
const SENTENCES: [&str; 8] = [
    "Customers told us in interviews that this step is slow and error-prone.",
    "Finance admins repeat it every week and often miss a case.",
    "Support sees several tickets a month about it, mostly from larger accounts.",
    "A quicker path would cut late payments and save time at month end.",
    "Two competitors already offer this, and sales hears about it in demos.",
    "It matters most for teams that work from phones in the field.",
    "We could start with a narrow version and learn from usage.",
    "The current workaround is a spreadsheet that drifts out of date.",
];
const TAGS: [&str; 6] = ["mobile", "billing", "onboarding", "export", "sync", "reporting"];

/// A small deterministic generator (xorshift), so every run builds the same workspace.
struct Dice(u64);

impl Dice {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        from[(self.0 % from.len() as u64) as usize]
    }

    /// A paragraph of about 200 characters.
    fn paragraph(&mut self) -> String {
        let mut text = String::new();
        while text.len() < 190 {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(self.pick(&SENTENCES));
        }
        text
    }
}

/// A workspace like a busy team's: `n` ideas with varied ~40-character titles, a
/// ~200-character paragraph each, two tags, some votes and (for nine in ten) RICE
/// inputs, all committed.
pub fn busy_workspace(n: usize) -> Workspace {
    let mut ws = Workspace::create(&format!("Bench {n}"), 1_700_000_000_000, "Bench");
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    for i in 0..n {
        let at = 1_700_000_000_000 + i as i64;
        let title = format!("{} {} {}", dice.pick(&VERBS), dice.pick(&OBJECTS), dice.pick(&QUALIFIERS));
        let description = dice.paragraph();
        let id = ws.create_idea(&title, at, "Bench").expect("fresh document");
        ws.set_idea_text(&id, IdeaText::Description, &description, at).expect("fresh document");
        ws.add_idea_tag(&id, TAGS[i % TAGS.len()], at).expect("fresh document");
        // An offset of 1 to 5 places: never the first tag again.
        ws.add_idea_tag(&id, TAGS[(i + 1 + (i / 7) % 5) % TAGS.len()], at).expect("fresh document");
        if i % 3 == 0 {
            ws.vote_idea(&id, (i % 11) as i64, at).expect("fresh document");
        }
        // Nine in ten ideas have RICE inputs; the rest wait to be scored.
        if i % 10 != 9 {
            let rice = [
                ("reach", [50.0, 200.0, 800.0, 3_000.0][i % 4] + (i % 97) as f64),
                ("impact", scoring::RICE_IMPACT[i % 5]),
                ("confidence", scoring::RICE_CONFIDENCE[i % 3]),
                ("effort", [0.5, 1.0, 2.0, 3.0, 5.0, 8.0][i % 6]),
            ];
            for (input, value) in rice {
                ws.set_score_input(&id, Framework::Rice, input, Some(value), at).expect("fresh document");
            }
        }
    }
    ws.commit();
    ws
}

/// Collections a list page shows, for benchmarks of one edit in a long list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Collection {
    Ideas,
    Personas,
    Stories,
    Feedback,
    Documents,
    Competitors,
    Trends,
}

impl Collection {
    pub const ALL: [Collection; 7] = [
        Collection::Ideas,
        Collection::Personas,
        Collection::Stories,
        Collection::Feedback,
        Collection::Documents,
        Collection::Competitors,
        Collection::Trends,
    ];
}

/// A workspace with `n` artifacts of `collection`, each with a name or title of
/// ~40 characters and a ~200-character text, all committed.
pub fn workspace_of(collection: Collection, n: usize) -> Workspace {
    use crate::competitor::Competitor;
    use crate::kind::FieldInput::Value;
    use crate::trend::Trend;
    let mut ws = Workspace::create(&format!("Bench {n} {collection:?}"), 1_700_000_000_000, "Bench");
    let mut dice = Dice(0x2545_f491_4f6c_dd1d);
    for i in 0..n {
        let at = 1_700_000_000_000 + i as i64;
        let title = format!("{} {} {}", dice.pick(&VERBS), dice.pick(&OBJECTS), dice.pick(&QUALIFIERS));
        let text = dice.paragraph();
        let made = match collection {
            Collection::Ideas => ws.create_idea(&title, at, "Bench").and_then(|id| ws.set_idea_text(&id, crate::IdeaText::Description, &text, at)),
            Collection::Personas => ws
                .create_persona(&title, at, "Bench")
                .and_then(|id| ws.set_persona_text(&id, crate::persona::PersonaText::Goals, &text, at)),
            Collection::Stories => ws.create_story(&title, at, "Bench").and_then(|id| ws.set_story_text(&id, true, &text, at)),
            Collection::Feedback => ws.create_feedback(&format!("{title}. {text}"), crate::feedback::Channel::Interview, at, "Bench").map(|_| ()),
            Collection::Documents => ws
                .create_document(&title, crate::DocKind::Spec, at, "Bench")
                .and_then(|id| ws.set_document_text(&id, true, &text, at)),
            Collection::Competitors => ws
                .create_item::<Competitor>(&title, at, "Bench")
                .and_then(|id| ws.set_field::<Competitor>(&id, "positioning", Value(&text), at)),
            Collection::Trends => ws.create_item::<Trend>(&title, at, "Bench").and_then(|id| ws.set_field::<Trend>(&id, "impact", Value(&text), at)),
        };
        made.expect("fresh document");
    }
    ws.commit();
    ws
}

/// A roadmap of `n` features spread over now / next / later, each moved once (a board
/// position), dated over two years, a third with a blocker, in six releases: what the
/// board and timeline benchmarks open.
pub fn roadmap_workspace(n: usize) -> Workspace {
    use crate::feature::Feature;
    use crate::kind::FieldInput::Value;
    let mut ws = Workspace::create(&format!("Bench roadmap {n}"), 1_700_000_000_000, "Bench");
    let mut dice = Dice(0x2545_f491_4f6c_dd1d);
    let at = 1_700_000_000_000;
    let releases: Vec<Id> = (0..6)
        .map(|r| {
            let id = ws.create_item::<crate::release::Release>(&format!("Release {}.0", r + 1), at, "Bench").expect("fresh document");
            let target = crate::Date::from_days(crate::Date::new(2026, 3, 31).expect("a day").days() + r * 120).expect("a day");
            ws.set_field::<crate::release::Release>(&id, "target", Value(&target.to_string()), at).expect("a date");
            id
        })
        .collect();
    let mut ids: Vec<Id> = Vec::with_capacity(n);
    let mut last: [Option<String>; 3] = [None, None, None];
    let first = crate::Date::new(2026, 1, 5).expect("a day").days();
    for i in 0..n {
        let title = format!("{} {} {}", dice.pick(&VERBS), dice.pick(&OBJECTS), dice.pick(&QUALIFIERS));
        let id = ws.create_item::<Feature>(&title, at + i as i64, "Bench").expect("fresh document");
        let start = first + (i as i64 * 700 / n.max(1) as i64);
        let end = start + 14 + (i as i64 % 5) * 7;
        for (key, v) in [
            ("start", crate::Date::from_days(start).expect("a day").to_string()),
            ("target", crate::Date::from_days(end).expect("a day").to_string()),
            ("status", ["planned", "in_progress", "done"][i % 3].to_owned()),
            ("owner", dice.pick(&["Ana", "Bo", "Chloé", "Dev"]).to_owned()),
        ] {
            ws.set_field::<Feature>(&id, key, Value(&v), at).expect("a valid value");
        }
        let column = i * 3 / n.max(1);
        let key = crate::position::between(last[column].as_deref(), None, 0);
        ws.set_field::<Feature>(&id, "horizon", Value(["now", "next", "later"][column]), at).expect("a column");
        ws.set_field::<Feature>(&id, "position", Value(&key), at).expect("a position");
        last[column] = Some(key);
        let release = &releases[i * releases.len() / n.max(1)];
        ws.link(&crate::Ref::new(crate::schema::FEATURES, id.clone()), crate::Relation::ShipsIn, &crate::Ref::new(crate::schema::RELEASES, release.clone()), at)
            .expect("both exist");
        if i % 3 == 2 {
            let blocker = ids[i - 1].clone();
            ws.link(&crate::Ref::new(crate::schema::FEATURES, blocker), crate::Relation::Blocks, &crate::Ref::new(crate::schema::FEATURES, id.clone()), at)
                .expect("both exist");
        }
        ids.push(id);
    }
    ws.commit();
    ws
}

/// A workspace with one of everything, for export and import tests: a brief, weighted
/// scoring chosen with a cost criterion, two ideas (one hostile) with inputs for
/// several frameworks and Kano answers, a persona, feedback linked to both ideas, a
/// story with reordered criteria, a document linking an idea and the story, and a
/// deleted artifact of each kind (which no export shows).
pub fn one_of_everything() -> Workspace {
    use crate::document::DocKind;
    use crate::feedback::{Channel, FeedbackLabel, RatingScale, Sentiment};
    use crate::persona::PersonaText;
    use crate::priorities::Framework;
    use crate::scoring::KanoAnswer;
    use crate::story::{Step, StoryStatus};
    use crate::{BriefField, BriefNumber, IdeaLabel, IdeaStatus, IdeaText};

    let mut ws = Workspace::create("Payments", 1, "Ana");
    ws.set_brief_text(BriefField::Vision, "Get paid on time").unwrap();
    ws.set_brief_number(BriefNumber::BenefitValue, Some(300_000.0)).unwrap();
    ws.set_brief_number(BriefNumber::Budget, Some(120_000.0)).unwrap();
    ws.set_framework(Framework::Weighted).unwrap();
    let value = ws.put_weighted_criterion(None, "Customer value", 2.0).unwrap();
    let effort = ws.put_weighted_criterion(None, "Effort", -1.5).unwrap();

    let persona = ws.create_persona("Fiona, finance admin", 5, "Ana").unwrap();
    for field in PersonaText::ALL.into_iter().skip(1) {
        ws.set_persona_text(&persona, field, &format!("{} of Fiona\nsecond line", field.label()), 6).unwrap();
    }
    ws.set_persona_segment_size(&persona, Some(12_000.0), 7).unwrap();

    let reminders = ws.create_idea("Invoice reminders", 10, "Ana").unwrap();
    ws.set_idea_text(&reminders, IdeaText::Description, "Chase late payers.\n\nAutomatically.", 11).unwrap();
    ws.set_idea_label(&reminders, IdeaLabel::Source, "support", 11).unwrap();
    ws.set_idea_label(&reminders, IdeaLabel::Submitter, "Chen", 11).unwrap();
    ws.add_idea_tag(&reminders, "cash", 11).unwrap();
    ws.vote_idea(&reminders, 4, 11).unwrap();
    ws.set_idea_status(&reminders, IdeaStatus::Accepted, 11).unwrap();
    for (k, v) in [("reach", 500.0), ("impact", 2.0), ("confidence", 0.8), ("effort", 2.0)] {
        ws.set_score_input(&reminders, Framework::Rice, k, Some(v), 12).unwrap();
    }
    ws.set_score_input(&reminders, Framework::Moscow, "priority", Some(0.0), 12).unwrap();
    ws.set_score_input(&reminders, Framework::Weighted, value.as_str(), Some(8.0), 12).unwrap();
    ws.set_score_input(&reminders, Framework::Weighted, effort.as_str(), Some(4.0), 12).unwrap();
    ws.add_kano_answer(&reminders, KanoAnswer::Like, KanoAnswer::Dislike, 13).unwrap();
    ws.add_kano_answer(&reminders, KanoAnswer::Expect, KanoAnswer::Dislike, 13).unwrap();
    ws.add_kano_answer(&reminders, KanoAnswer::Expect, KanoAnswer::Dislike, 13).unwrap();

    let hostile = ws.create_idea("# Owned [x](javascript:alert(1)) <script>", 20, "Bo").unwrap();
    for (k, v) in [("impact", 8.0), ("confidence", 5.0), ("ease", 3.0)] {
        ws.set_score_input(&hostile, Framework::Ice, k, Some(v), 21).unwrap();
    }
    ws.set_score_input(&hostile, Framework::Weighted, value.as_str(), Some(3.0), 21).unwrap();
    ws.set_idea_status(&hostile, IdeaStatus::Parked, 22).unwrap();
    ws.set_idea_text(&hostile, IdeaText::StatusReason, "Not this year", 22).unwrap();
    let gone_idea = ws.create_idea("Deleted idea", 25, "Ana").unwrap();

    let survey = ws.create_feedback("Reminders would save me an hour a week", Channel::Survey, 30, "Ana").unwrap();
    ws.set_feedback_label(&survey, FeedbackLabel::Customer, "Acme", 31).unwrap();
    ws.set_feedback_label(&survey, FeedbackLabel::Segment, "SMB", 31).unwrap();
    ws.set_feedback_label(&survey, FeedbackLabel::Date, "2025-06-03", 31).unwrap();
    ws.set_feedback_persona(&survey, Some(&persona), 31).unwrap();
    ws.set_feedback_rating(&survey, Some((9, RatingScale::Nps)), 31).unwrap();
    ws.set_feedback_sentiment(&survey, Some(Sentiment::Positive), 31).unwrap();
    ws.set_feedback_tag(&survey, "Cash flow", true, 31).unwrap();
    for idea in [&reminders, &hostile, &gone_idea] {
        ws.link_feedback_to_idea(&survey, idea, true, 32).unwrap();
    }
    let support = ws.create_feedback("The export is slow", Channel::Support, 35, "Bo").unwrap();
    ws.set_feedback_rating(&support, Some((2, RatingScale::Csat)), 36).unwrap();

    let story = ws.create_story("automatic reminders", 40, "Ana").unwrap();
    ws.set_story_text(&story, true, "I get paid on time", 41).unwrap();
    ws.set_story_persona(&story, Some(&persona), 41).unwrap();
    ws.set_story_idea(&story, Some(&reminders), 41).unwrap();
    ws.set_story_status(&story, StoryStatus::Ready, 41).unwrap();
    ws.set_story_estimate(&story, Some(5.0), 41).unwrap();
    let mut criteria = Vec::new();
    for (g, w, t) in [("an overdue invoice", "a day passes", "a reminder is sent"), ("a paid invoice", "a day passes", "nothing is sent"), ("a disputed invoice", "a day passes", "the owner is told")] {
        let c = ws.add_criterion(&story, 42).unwrap();
        for (step, text) in [(Step::Given, g), (Step::When, w), (Step::Then, t)] {
            ws.set_criterion_step(&story, &c, step, text, 42).unwrap();
        }
        criteria.push(c);
    }
    ws.move_criterion(&story, &criteria[2], 0, 43).unwrap();

    let spec = ws.create_document("Reminder spec", DocKind::Spec, 50, "Ana").unwrap();
    ws.set_document_text(&spec, true, "# Goal\n\nSend **reminders**.\n\n```\ncode\n```", 51).unwrap();
    ws.link_document(&spec, &crate::Ref::new(crate::schema::IDEAS, reminders.clone()), true, 52).unwrap();
    ws.link_document(&spec, &crate::Ref::new(crate::schema::STORIES, story.clone()), true, 52).unwrap();
    let obj = ws.artifact(crate::schema::DOCUMENTS, &spec).unwrap();
    ws.set_member(&obj, crate::schema::TAGS, "billing", true).unwrap();
    ws.touch(&obj, 53).unwrap();

    use crate::competitor::Competitor;
    use crate::kind::FieldInput::{Row, Value};
    use crate::trend::Trend;
    let acme = ws.create_item::<Competitor>("Acme <b>Analytics</b>", 54, "Bo").unwrap();
    ws.set_field::<Competitor>(&acme, "threat", Value("high"), 55).unwrap();
    ws.set_field::<Competitor>(&acme, "positioning", Value("Self-serve BI\nfor SMBs"), 55).unwrap();
    ws.set_field::<Competitor>(&acme, "comparison", Row { name: "Offline mode", value: "they_lack" }, 55).unwrap();
    ws.set_field::<Competitor>(&acme, "comparison", Row { name: "# Dashboards", value: "they_lead" }, 55).unwrap();
    let trend = ws.create_item::<Trend>("Usage-based pricing", 56, "Ana").unwrap();
    ws.set_field::<Trend>(&trend, "date", Value("2026-03-31"), 57).unwrap();
    ws.set_field::<Trend>(&trend, "impact_level", Value("medium"), 57).unwrap();
    ws.set_field::<Trend>(&trend, "impact", Value("Seat pricing looks dated"), 57).unwrap();
    use crate::risk::Risk;
    let outage = ws.create_item::<Risk>("Processor <outage>", 58, "Ana").unwrap();
    for (key, value) in [("likelihood", "3"), ("impact", "5"), ("category", "technical"), ("status", "open"), ("response", "mitigate")] {
        ws.set_field::<Risk>(&outage, key, Value(value), 59).unwrap();
    }
    ws.set_field::<Risk>(&outage, "description", Value("If the processor is down on launch day,\nthen no one can pay"), 59).unwrap();
    let offline = ws.create_item::<crate::feature::Feature>("Offline mode", 58, "Ana").unwrap();
    ws.link(&crate::Ref::new(crate::schema::RISKS, outage), crate::Relation::Threatens, &crate::Ref::new(crate::schema::FEATURES, offline.clone()), 59).unwrap();
    use crate::experiment::Experiment;
    use crate::kind::FieldInput::Count;
    let checkout = ws.create_item::<Experiment>("One-page checkout", 58, "Ana").unwrap();
    for (row, name, visitors, conversions) in [("control", "Control", "5000", "250"), ("onepage", "One <page>", "5000", "295")] {
        ws.set_field::<Experiment>(&checkout, "variants", Count { row, column: "name", value: name }, 58).unwrap();
        ws.set_field::<Experiment>(&checkout, "variants", Count { row, column: "visitors", value: visitors }, 59).unwrap();
        ws.set_field::<Experiment>(&checkout, "variants", Count { row, column: "conversions", value: conversions }, 59).unwrap();
    }
    ws.set_field::<Experiment>(&checkout, "baseline", Value("5"), 59).unwrap();
    use crate::objective::Objective;
    use crate::schema::{COSTS, FEATURES, OBJECTIVES};
    let goal = ws.create_item::<Objective>("Teams <rely> on us", 58, "Ana").unwrap();
    ws.set_field::<Objective>(&goal, "level", Value("objective"), 58).unwrap();
    let teams = ws.create_item::<Objective>("Weekly active teams", 59, "Ana").unwrap();
    for (key, value) in [("level", "key_result"), ("unit", "teams"), ("baseline", "300"), ("target", "500"), ("start", "2026-10-01"), ("due", "2027-01-01")] {
        ws.set_field::<Objective>(&teams, key, Value(value), 59).unwrap();
    }
    let measured = [(crate::Date::parse("2026-10-01").unwrap(), Some(300.0)), (crate::Date::parse("2026-11-01").unwrap(), Some(420.5))];
    ws.set_field::<Objective>(&teams, "measurements", crate::kind::FieldInput::Points(&measured), 59).unwrap();
    ws.link(&crate::Ref::new(OBJECTIVES, teams.clone()), crate::Relation::PartOf, &crate::Ref::new(OBJECTIVES, goal), 59).unwrap();
    ws.link(&crate::Ref::new(FEATURES, offline.clone()), crate::Relation::Serves, &crate::Ref::new(OBJECTIVES, teams.clone()), 59).unwrap();
    ws.link(&crate::Ref::new(FEATURES, offline.clone()), crate::Relation::JudgedBy, &crate::Ref::new(OBJECTIVES, teams), 59).unwrap();
    ws.set_field::<crate::feature::Feature>(&offline, "success_target", Value("450"), 59).unwrap();
    let contractor = ws.create_item::<crate::cost::Cost>("Contractor, <October>", 58, "Ana").unwrap();
    for (key, value) in [("date", "2026-10-31"), ("amount", "12500.5"), ("category", "people")] {
        ws.set_field::<crate::cost::Cost>(&contractor, key, Value(value), 59).unwrap();
    }
    ws.link(&crate::Ref::new(COSTS, contractor), crate::Relation::SpentOn, &crate::Ref::new(FEATURES, offline), 59).unwrap();

    // One deleted artifact of each kind.
    ws.delete_idea(&gone_idea, 60).unwrap();
    let p = ws.create_persona("Deleted persona", 61, "Ana").unwrap();
    ws.delete_persona(&p, 61).unwrap();
    let f = ws.create_feedback("Deleted feedback", Channel::Review, 62, "Ana").unwrap();
    ws.delete_feedback(&f, 62).unwrap();
    let s = ws.create_story("Deleted story", 63, "Ana").unwrap();
    ws.delete_story(&s, 63).unwrap();
    let d = ws.create_document("Deleted document", DocKind::Note, 64, "Ana").unwrap();
    ws.delete_document(&d, 64).unwrap();
    let c = ws.create_item::<Competitor>("Deleted competitor", 65, "Ana").unwrap();
    ws.delete_item::<Competitor>(&c, 65).unwrap();
    let t = ws.create_item::<Trend>("Deleted trend", 66, "Ana").unwrap();
    ws.delete_item::<Trend>(&t, 66).unwrap();
    ws.commit();
    ws
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_workspace_has_the_promised_shape() {
        let ws = busy_workspace(60);
        let (ideas, problems) = ws.ideas();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(ideas.len(), 60);
        let mean = |f: fn(&crate::Idea) -> usize| ideas.iter().map(f).sum::<usize>() / ideas.len();
        assert!((30..=50).contains(&mean(|i| i.title.len())), "titles ~40 characters");
        assert!((190..=260).contains(&mean(|i| i.description.len())), "descriptions ~200 characters");
        assert!(ideas.iter().all(|i| i.tags.len() == 2));
        assert!(ideas.iter().any(|i| i.votes > 0));
        let distinct: std::collections::BTreeSet<_> = ideas.iter().map(|i| &i.title).collect();
        assert!(distinct.len() > 40, "titles vary");
        let scored = ideas.iter().filter(|i| i.scores.get("rice").is_some_and(|m| m.len() == 4)).count();
        assert_eq!(scored, 54, "nine in ten ideas have RICE inputs");
    }

    #[test]
    fn a_workspace_of_each_collection_has_n_of_it() {
        for c in Collection::ALL {
            let ws = workspace_of(c, 12);
            let n = match c {
                Collection::Ideas => ws.ideas().0.len(),
                Collection::Personas => ws.personas().0.len(),
                Collection::Stories => ws.stories().0.len(),
                Collection::Feedback => ws.all_feedback().0.len(),
                Collection::Documents => ws.documents().0.len(),
                Collection::Competitors => ws.items::<crate::competitor::Competitor>().0.len(),
                Collection::Trends => ws.items::<crate::trend::Trend>().0.len(),
            };
            assert_eq!(n, 12, "{c:?}");
        }
    }
}
