//! Realistic workspaces for benchmarks and tests.

use crate::priorities::Framework;
use crate::scoring;
use crate::{IdeaText, Workspace};

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
    Personas,
    Stories,
    Feedback,
    Documents,
    Competitors,
    Trends,
}

impl Collection {
    pub const ALL: [Collection; 6] =
        [Collection::Personas, Collection::Stories, Collection::Feedback, Collection::Documents, Collection::Competitors, Collection::Trends];
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
