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
        let mut description = String::new();
        while description.len() < 190 {
            if !description.is_empty() {
                description.push(' ');
            }
            description.push_str(dice.pick(&SENTENCES));
        }
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
}
