//! History as people see it: who changed what and when, the workspace as it was after
//! any change, an artifact then and now, and a past version restored as new changes
//! that reach a teammate like any other.

use waymark_domain::history::{summary, History, Moment, Place, SOMEONE};
use waymark_domain::then_and_now::{compare, Fate};
use waymark_domain::{Id, IdeaText, Workspace};

/// Ana's workspace with one idea, and Ben's copy of it.
fn two_people() -> (Workspace, Workspace, Id) {
    let mut ana = Workspace::create("Payments", 1_000, "Ana");
    let id = ana.create_idea("Dark mode", 2_000, "Ana").unwrap();
    ana.commit_by("Ana", 2_000);
    let ben = ana.fork();
    (ana, ben, id)
}

fn title(ws: &Workspace, id: &Id) -> String {
    ws.idea(id).unwrap().0.title
}

#[test]
fn each_change_says_who_made_it_when_and_what_it_touched() {
    let (mut ana, mut ben, id) = two_people();
    ben.set_idea_text(&id, IdeaText::Title, "Dark mode everywhere", 3_000).unwrap();
    ben.commit_by("Ben", 3_000_500);
    ana.apply(&ben.save()).unwrap();
    let mut history = History::default();
    history.update(&mut ana);
    let moments = history.moments();
    assert_eq!(moments.len(), 3, "create, Ana's idea, Ben's edit");
    assert_eq!(moments[0].by, "Ana");
    assert!(moments[0].touched.contains(&Place::Brief), "the workspace's creation wrote its brief");
    let said = |m: &Moment| summary(m, |c, id| ana.title_of(c, id));
    assert_eq!(said(&moments[0]), "created the workspace");
    assert_eq!(said(&moments[1]), "added idea “Dark mode everywhere”");
    assert_eq!(said(&moments[2]), "changed idea “Dark mode everywhere”");
    assert_eq!((moments[2].by.as_str(), moments[2].at_ms), ("Ben", 3_000_000), "seconds are what a change keeps");
    assert_eq!(moments[2].items().collect::<Vec<_>>(), vec![("ideas", &id)]);
    assert_eq!(moments[1].items().collect::<Vec<_>>(), vec![("ideas", &id)], "creating an idea touches it");
    assert_eq!(history.people(), vec!["Ana".to_owned(), "Ben".to_owned()]);
}

#[test]
fn updating_reads_only_what_is_new() {
    let (mut ana, _, id) = two_people();
    let mut history = History::default();
    assert_eq!(history.update(&mut ana), 2);
    ana.set_idea_text(&id, IdeaText::Description, "For night shifts", 4_000).unwrap();
    ana.commit_by("Ana", 4_000);
    assert_eq!(history.update(&mut ana), 1);
    assert_eq!(history.update(&mut ana), 0);
    assert_eq!(history.moments().len(), 3);
}

#[test]
fn a_peer_cannot_pass_off_a_page_of_text_or_control_characters_as_a_name() {
    let (mut ana, mut ben, id) = two_people();
    ben.set_idea_text(&id, IdeaText::Title, "x", 3_000).unwrap();
    ben.commit_by(&format!("Ben\u{1b}[31m{}", "a".repeat(10_000)), 3_000);
    ben.set_idea_text(&id, IdeaText::Title, "y", 4_000).unwrap();
    ben.commit_by(" \n\t", 4_000);
    ana.apply(&ben.save()).unwrap();
    let mut history = History::default();
    history.update(&mut ana);
    let names: Vec<&str> = history.moments()[2..].iter().map(|m| m.by.as_str()).collect();
    assert_eq!(names[0].chars().count(), 80);
    assert!(names[0].starts_with("Ben[31maaa"), "control characters are dropped: {}", names[0]);
    assert_eq!(names[1], SOMEONE);
}

#[test]
fn going_back_shows_the_old_text_and_restoring_it_is_a_new_change() {
    let (mut ana, _, id) = two_people();
    ana.set_idea_text(&id, IdeaText::Title, "Night theme", 3_000).unwrap();
    ana.set_idea_text(&id, IdeaText::Description, "Easier on the eyes", 3_000).unwrap();
    ana.commit_by("Ana", 3_000);
    let mut history = History::default();
    history.update(&mut ana);
    let before_edit = history.heads_after(2);
    let past = ana.at(&before_edit).unwrap();
    assert_eq!(title(&past, &id), "Dark mode");
    assert_eq!(title(&ana, &id), "Night theme", "travelling leaves the present alone");

    let differences = compare(&past.artifact_text("ideas", &id), &ana.artifact_text("ideas", &id));
    let title_change = differences.iter().find(|d| d.label == "Title").expect("the title differs");
    assert_eq!(title_change.pieces, vec![(Fate::Removed, "Dark mode".to_owned()), (Fate::Added, "Night theme".to_owned())]);
    assert!(differences.iter().any(|d| d.label == "Description"));

    let changes_before = history.moments().len();
    ana.restore_from(&past, "ideas", &id, 5_000).unwrap();
    ana.commit_by("Ana", 5_000);
    assert_eq!(title(&ana, &id), "Dark mode");
    assert_eq!(ana.idea(&id).unwrap().0.description, "");
    assert!(compare(&past.artifact_text("ideas", &id), &ana.artifact_text("ideas", &id)).is_empty());
    assert_eq!(history.update(&mut ana), 1, "history grew; nothing was rewritten");
    assert_eq!(history.moments().len(), changes_before + 1);
    // The past copy is untouched by the restore, and still reads as it was.
    assert_eq!(title(&past, &id), "Dark mode");
}

#[test]
fn a_restore_reaches_a_teammate_and_keeps_their_edit_to_another_artifact() {
    let (mut ana, mut ben, id) = two_people();
    let other = ben.create_idea("Offline sync", 2_500, "Ben").unwrap();
    ben.commit_by("Ben", 2_500);
    ana.apply(&ben.save()).unwrap();
    ana.set_idea_text(&id, IdeaText::Title, "Night theme", 3_000).unwrap();
    ana.commit_by("Ana", 3_000);
    let mut history = History::default();
    history.update(&mut ana);
    let past = ana.at(&history.heads_after(3)).unwrap();
    // Meanwhile Ben renames his own idea.
    ben.set_idea_text(&other, IdeaText::Title, "Offline sync v2", 3_500).unwrap();
    ben.commit_by("Ben", 3_500);
    ana.restore_from(&past, "ideas", &id, 4_000).unwrap();
    ana.commit_by("Ana", 4_000);
    ben.apply(&ana.save()).unwrap();
    assert_eq!(title(&ben, &id), "Dark mode", "the teammate sees the restore");
    assert_eq!(title(&ben, &other), "Offline sync v2", "their own edit stays");
}

#[test]
fn restoring_to_before_an_artifact_existed_deletes_it_and_back_undeletes_it() {
    let (mut ana, _, _) = two_people();
    let mut history = History::default();
    history.update(&mut ana);
    let before = ana.at(&history.heads_after(1)).unwrap();
    let id = ana.create_idea("Late idea", 3_000, "Ana").unwrap();
    ana.commit_by("Ana", 3_000);
    history.update(&mut ana);
    let with_it = ana.at(&history.heads_after(history.moments().len())).unwrap();
    ana.restore_from(&before, "ideas", &id, 4_000).unwrap();
    assert!(ana.idea(&id).unwrap().0.deleted);
    ana.restore_from(&with_it, "ideas", &id, 5_000).unwrap();
    assert!(!ana.idea(&id).unwrap().0.deleted);
    assert_eq!(title(&ana, &id), "Late idea");
}

#[test]
fn a_comparison_keeps_what_stayed_and_groups_what_changed() {
    use waymark_domain::then_and_now::FieldText;
    let field = |text: &str| vec![FieldText { key: "description".into(), label: "Description".into(), text: text.into() }];
    let differences = compare(&field("Works offline on the train, then syncs"), &field("Works offline on trains and planes, then syncs"));
    assert_eq!(
        differences[0].pieces,
        vec![
            (Fate::Kept, "Works offline on ".to_owned()),
            (Fate::Removed, "the train,".to_owned()),
            (Fate::Added, "trains and planes,".to_owned()),
            (Fate::Kept, " then syncs".to_owned()),
        ]
    );
    assert!(compare(&field("same"), &field("same")).is_empty());
}

#[test]
fn what_changed_since_a_visit_is_what_came_after_it() {
    let (mut ana, mut ben, id) = two_people();
    let seen = ana.heads();
    ben.set_idea_text(&id, IdeaText::Title, "Night theme", 3_000).unwrap();
    ben.commit_by("Ben", 3_000);
    ana.apply(&ben.save()).unwrap();
    let since: Vec<String> = waymark_domain::history::since(&mut ana, &seen).into_iter().map(|m| m.by).collect();
    assert_eq!(since, vec!["Ben"]);
    let unknown: automerge::ChangeHash = "00".repeat(32).parse().unwrap();
    assert_eq!(waymark_domain::history::since(&mut ana, &[unknown]).len(), 3, "an unknown point means everything is new");
    let now = ana.heads();
    assert!(waymark_domain::history::since(&mut ana, &now).is_empty(), "reopened with nothing new: nothing is new");
    let mut with_unknown = now.clone();
    with_unknown.push(unknown);
    assert!(waymark_domain::history::since(&mut ana, &with_unknown).is_empty(), "a visit that saw more than is here: still nothing new");
    // Two people editing at once leave two heads; a visit that saw only one has the
    // other's change to show.
    ana.set_idea_text(&id, IdeaText::Description, "Ana's words", 4_000).unwrap();
    ana.commit_by("Ana", 4_000);
    ben.set_idea_text(&id, IdeaText::Title, "Night theme, please", 4_000).unwrap();
    ben.commit_by("Ben", 4_000);
    let ana_only = ana.heads();
    ana.apply(&ben.save()).unwrap();
    let since: Vec<String> = waymark_domain::history::since(&mut ana, &ana_only).into_iter().map(|m| m.by).collect();
    assert_eq!(since, vec!["Ben"], "only the change after one of the heads");
}

#[test]
fn a_peer_change_with_a_hostile_raw_message_shows_a_clean_short_name() {
    use automerge::transaction::{CommitOptions, Transactable};
    let (mut ana, _, id) = two_people();
    // Ben's app is not ours: it writes whatever message it likes.
    let mut raw = automerge::AutoCommit::load(&ana.save()).unwrap();
    let ideas = match automerge::ReadDoc::get(&raw, automerge::ROOT, "ideas").unwrap() {
        Some((_, obj)) => obj,
        None => panic!("ideas"),
    };
    raw.put(&ideas, "stray", 1).unwrap();
    raw.commit_with(CommitOptions::default().with_message(format!("Ben\u{202e}\u{1b}[31m{}", "a".repeat(10_000))).with_time(3));
    ana.apply(&raw.save()).unwrap();
    let mut history = History::default();
    history.update(&mut ana);
    let by = &history.moments().last().unwrap().by;
    assert_eq!(by.chars().count(), 80);
    assert!(by.starts_with("Ben[31maaa"), "control and reordering marks are dropped: {by:?}");
    let _ = id;
}

#[test]
fn points_of_a_branched_history_hold_exactly_what_came_before_them() {
    let (mut ana, mut ben, id) = two_people();
    // Concurrent edits: Ana renames the idea, Ben describes it, neither seeing the other.
    ana.set_idea_text(&id, IdeaText::Title, "Night theme", 3_000).unwrap();
    ana.commit_by("Ana", 3_000);
    ben.set_idea_text(&id, IdeaText::Description, "For night shifts", 3_000).unwrap();
    ben.commit_by("Ben", 3_000);
    ana.apply(&ben.save()).unwrap();
    let mut history = History::default();
    history.update(&mut ana);
    assert_eq!(history.moments().len(), 4);
    let after_three = history.heads_after(3);
    assert_eq!(after_three.len(), 1, "three moments form one line: {after_three:?}");
    let all = history.heads_after(4);
    assert_eq!(all.len(), 2, "the two concurrent edits are both heads");
    let third = ana.at(&after_three).unwrap();
    let (third_title, third_description) = (title(&third, &id), third.idea(&id).unwrap().0.description);
    // Whichever of the two concurrent edits is listed third is there, the other is not.
    assert!(
        (third_title == "Night theme" && third_description.is_empty()) || (third_title == "Dark mode" && third_description == "For night shifts"),
        "{third_title:?} / {third_description:?}"
    );
    let whole = ana.at(&all).unwrap();
    assert_eq!((title(&whole, &id), whole.idea(&id).unwrap().0.description), ("Night theme".to_owned(), "For night shifts".to_owned()));
}

#[test]
fn a_restore_edits_text_in_place_moves_counters_by_the_difference_and_drops_fields_added_since() {
    let (mut ana, mut ben, id) = two_people();
    let idea = waymark_domain::Ref::new("ideas", id.clone());
    let mut history = History::default();
    history.update(&mut ana);
    let past = ana.at(&history.heads_after(2)).unwrap();
    ana.set_idea_text(&id, IdeaText::Title, "Dark mode for all", 3_000).unwrap();
    ana.vote_idea(&id, 1, 3_000).unwrap();
    ana.set_tag(&idea, "ui", true, 3_000).unwrap();
    ana.commit_by("Ana", 3_000);
    ben.apply(&ana.save()).unwrap();
    // While Ana restores, Ben votes and types at the end of the same title.
    ben.vote_idea(&id, 1, 3_500).unwrap();
    ben.set_idea_text(&id, IdeaText::Title, "Dark mode for all, please", 3_500).unwrap();
    ben.commit_by("Ben", 3_500);
    ana.restore_from(&past, "ideas", &id, 4_000).unwrap();
    ana.commit_by("Ana", 4_000);
    ana.apply(&ben.save()).unwrap();
    let now = ana.idea(&id).unwrap().0;
    assert_eq!(now.votes, 1, "Ana's vote undone, Ben's concurrent vote kept");
    assert_eq!(now.title, "Dark mode, please", "the restore removed ' for all' in place; Ben's typing survives");
    assert!(now.tags.is_empty(), "the tag added since is gone");
}

#[test]
fn after_going_back_and_restoring_new_edits_still_land() {
    let (mut ana, _, id) = two_people();
    ana.set_idea_text(&id, IdeaText::Description, "Easier at night", 3_000).unwrap();
    ana.commit_by("Ana", 3_000);
    let mut history = History::default();
    history.update(&mut ana);
    let past = ana.at(&history.heads_after(2)).unwrap();
    ana.restore_from(&past, "ideas", &id, 4_000).unwrap();
    ana.commit_by("Ana", 4_000);
    let _ = ana.save_incremental();
    ana.mark_changes_seen();
    let later = ana.create_idea("Right after travel", 5_000, "Ana").unwrap();
    ana.commit_by("Ana", 5_000);
    assert!(ana.idea(&later).is_some());
    assert_eq!(history.update(&mut ana), 2, "the restore and the new idea");
    assert_eq!(waymark_domain::history::summary(history.moments().last().unwrap(), |c, i| ana.title_of(c, i)), "added idea “Right after travel”");
}

#[test]
fn moments_and_what_changed_since_cross_to_the_app_page_and_back_as_they_were() {
    let (mut ana, mut ben, id) = two_people();
    let then = ana.fork();
    ben.set_idea_text(&id, IdeaText::Title, "Dark mode everywhere", 3_000).unwrap();
    ben.commit_by("Ben", 3_000_500);
    ana.apply(&ben.save()).unwrap();
    let mut history = History::default();
    history.update(&mut ana);
    // The page reads history from the document's worker as JSON.
    let json = serde_json::to_string(history.moments()).unwrap();
    let back: Vec<Moment> = serde_json::from_str(&json).unwrap();
    assert_eq!(back.len(), 3);
    for (sent, read) in history.moments().iter().zip(&back) {
        assert_eq!((read.hash, &read.by, read.at_ms, &read.touched, &read.added), (sent.hash, &sent.by, sent.at_ms, &sent.touched, &sent.added));
    }
    let said = |m: &Moment| summary(m, |c, id| ana.title_of(c, id));
    assert_eq!(said(&back[2]), "changed idea “Dark mode everywhere”");
    // A place in a collection the schema does not have is refused, not invented.
    let forged = json.replacen("\"ideas\"", "\"passwords\"", 1);
    assert!(serde_json::from_str::<Vec<Moment>>(&forged).is_err());

    let changed = waymark_domain::then_and_now::changed_since(&then, &ana, [("ideas", id.clone())]);
    let back: Vec<waymark_domain::then_and_now::ChangedSince> = serde_json::from_str(&serde_json::to_string(&changed).unwrap()).unwrap();
    assert_eq!(back, changed);
    assert_eq!(back[0].named, "idea “Dark mode everywhere”");
    assert!(back[0].differences[0].pieces.iter().any(|(fate, text)| *fate == Fate::Added && text.contains("everywhere")));
}
