//! Realistic workspaces for benchmarks and tests.

use crate::{IdeaText, Workspace};

/// A workspace like a busy team's: `n` ideas with short titles, a paragraph each, two
/// tags and some votes, all committed.
pub fn busy_workspace(n: usize) -> Workspace {
    let mut ws = Workspace::create(&format!("Bench {n}"), 1_700_000_000_000, "Bench");
    let tags = ["mobile", "billing", "onboarding", "export", "sync", "reporting"];
    let description = "Customers told us in interviews that this step is slow and error-prone; \
         a quicker path would save finance admins time every week and reduce late payments.";
    for i in 0..n {
        let at = 1_700_000_000_000 + i as i64;
        let id = ws.create_idea(&format!("Idea {i}: make invoices easier to send"), at, "Bench").expect("fresh document");
        ws.set_idea_text(&id, IdeaText::Description, description, at).expect("fresh document");
        ws.add_idea_tag(&id, tags[i % tags.len()], at).expect("fresh document");
        ws.add_idea_tag(&id, tags[(i / 7) % tags.len()], at).expect("fresh document");
        if i % 3 == 0 {
            ws.vote_idea(&id, (i % 11) as i64, at).expect("fresh document");
        }
    }
    ws.commit();
    ws
}
