//! The roadmap's rules, as a product manager would check them by hand: progress from
//! stories, blocked features and dependency violations, a release's critical path,
//! its go / no-go, the MoSCoW 60 % warning, board moves and promoting an idea.

use std::collections::BTreeMap;

use waymark_domain::edit::Edit;
use waymark_domain::feature::Feature;
use waymark_domain::kind::{CheckPart, FieldInput};
use waymark_domain::release::Release;
use waymark_domain::roadmap::{column, critical_path, is_blocked, live_features, progress, readiness, scope, violations, Violation};
use waymark_domain::schema::{FEATURES, IDEAS, RELEASES, STORIES};
use waymark_domain::story::StoryStatus;
use waymark_domain::{Id, IdeaStatus, Kind, Ref, Relation, Workspace};

fn feature(ws: &mut Workspace, title: &str, start: &str, target: &str) -> Id {
    let id = ws.create_item::<Feature>(title, 1, "Ana").unwrap();
    for (key, v) in [("start", start), ("target", target)] {
        ws.set_field::<Feature>(&id, key, FieldInput::Value(v), 2).unwrap();
    }
    id
}

fn r(collection: &'static str, id: &Id) -> Ref {
    Ref::new(collection, id.clone())
}

fn blocks(ws: &mut Workspace, blocker: &Id, blocked: &Id) {
    ws.link(&r(FEATURES, blocker), Relation::Blocks, &r(FEATURES, blocked), 3).unwrap();
}

fn ships_in(ws: &mut Workspace, f: &Id, release: &Id) {
    ws.link(&r(FEATURES, f), Relation::ShipsIn, &r(RELEASES, release), 3).unwrap();
}

fn set(ws: &mut Workspace, f: &Id, key: &str, v: &str) {
    ws.set_field::<Feature>(f, key, FieldInput::Value(v), 3).unwrap();
}

#[test]
fn progress_rolls_up_from_the_features_live_stories() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let f = feature(&mut ws, "Offline mode", "", "");
    let mut stories = Vec::new();
    for (goal, status) in
        [("sync later", StoryStatus::Done), ("see what is unsent", StoryStatus::Done), ("resolve clashes", StoryStatus::InProgress), ("old", StoryStatus::Done)]
    {
        let s = ws.create_story(goal, 1, "Ana").unwrap();
        ws.set_story_status(&s, status, 2).unwrap();
        ws.link(&r(STORIES, &s), Relation::PartOf, &r(FEATURES, &f), 2).unwrap();
        stories.push(s);
    }
    ws.apply_edit(Edit::Delete(r(STORIES, &stories[3])), 3, "Ana").unwrap();
    let all = ws.stories().0;
    let by_id: BTreeMap<Id, _> = all.iter().map(|s| (s.id.clone().unwrap(), s)).collect();
    let p = progress(&f, &ws.link_index(), &by_id);
    assert_eq!((p.done, p.total, p.percent()), (2, 3, Some(66)));
    let lonely = feature(&mut ws, "Dark mode", "", "");
    assert_eq!(progress(&lonely, &ws.link_index(), &by_id).percent(), None, "no stories: no progress figure, not 0 %");
}

#[test]
fn a_feature_starting_before_its_blocker_ends_is_a_violation() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let api = feature(&mut ws, "Sync API", "2026-01-05", "2026-02-27");
    let app = feature(&mut ws, "Offline app", "2026-02-16", "2026-04-30");
    let docs = feature(&mut ws, "Docs", "2026-02-28", "2026-03-13");
    let undated = feature(&mut ws, "Undated", "", "");
    blocks(&mut ws, &api, &app);
    blocks(&mut ws, &api, &docs);
    blocks(&mut ws, &api, &undated);
    let features = ws.items::<Feature>().0;
    let live = live_features(&features);
    let links = ws.link_index();
    assert_eq!(violations(&links, &live), vec![Violation { feature: app.clone(), blocker: api.clone() }]);
    assert!(is_blocked(&app, &links, &live) && is_blocked(&docs, &links, &live));
    // Starting on the blocker's last day still overlaps it.
    set(&mut ws, &docs, "start", "2026-02-27");
    let features = ws.items::<Feature>().0;
    assert_eq!(violations(&ws.link_index(), &live_features(&features)).len(), 2);
    // A finished blocker no longer blocks, but the dates still disagree.
    set(&mut ws, &api, "status", "done");
    let features = ws.items::<Feature>().0;
    let live = live_features(&features);
    assert!(!is_blocked(&app, &ws.link_index(), &live));
    assert_eq!(violations(&ws.link_index(), &live).len(), 2);
}

#[test]
fn the_critical_path_is_the_longest_chain_into_the_release() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let release = ws.create_item::<Release>("2.0", 1, "Ana").unwrap();
    // design (10 d) -> api (30 d) -> app (20 d); spike (35 d) -> app; copy (5 d) alone.
    let design = feature(&mut ws, "Design", "2026-01-01", "2026-01-11");
    let api = feature(&mut ws, "API", "2026-01-12", "2026-02-11");
    let spike = feature(&mut ws, "Spike", "2026-01-01", "2026-02-05");
    let app = feature(&mut ws, "App", "2026-02-16", "2026-03-08");
    let copy = feature(&mut ws, "Copy", "2026-03-01", "2026-03-06");
    blocks(&mut ws, &design, &api);
    blocks(&mut ws, &api, &app);
    blocks(&mut ws, &spike, &app);
    ships_in(&mut ws, &app, &release);
    ships_in(&mut ws, &copy, &release);
    let features = ws.items::<Feature>().0;
    let live = live_features(&features);
    assert_eq!(critical_path(&release, &ws.link_index(), &live), vec![design.clone(), api.clone(), app.clone()], "10 + 30 + 20 days beat 35 + 20");
    // Stretch the spike: now it decides the date.
    set(&mut ws, &spike, "target", "2026-03-01");
    let features = ws.items::<Feature>().0;
    assert_eq!(critical_path(&release, &ws.link_index(), &live_features(&features)), vec![spike.clone(), app.clone()]);
    // A cycle (two people linking at once) is cut, not followed forever.
    blocks(&mut ws, &app, &design);
    let features = ws.items::<Feature>().0;
    let path = critical_path(&release, &ws.link_index(), &live_features(&features));
    assert_eq!(path.last(), Some(&app));
    // A release with no dated chain has no critical path.
    let empty = ws.create_item::<Release>("2.1", 1, "Ana").unwrap();
    assert!(critical_path(&empty, &ws.link_index(), &live_features(&features)).is_empty());
}

#[test]
fn readiness_is_go_only_when_every_needed_function_is_ready() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let id = ws.create_item::<Release>("2.0", 1, "Ana").unwrap();
    let tick = |ws: &mut Workspace, item: &str, state: &str| {
        ws.set_field::<Release>(&id, "readiness", FieldInput::Check { item, part: CheckPart::State, value: state }, 2).unwrap();
    };
    let summary = |ws: &Workspace| readiness(&ws.item::<Release>(&id).unwrap().0);
    assert_eq!(summary(&ws).summary(), "No-go: 0 of 7 functions ready");
    for item in ["engineering", "qa", "docs", "marketing", "sales"] {
        tick(&mut ws, item, "ready");
    }
    tick(&mut ws, "training", "not_needed");
    tick(&mut ws, "support", "blocked");
    let now = summary(&ws);
    assert!(!now.is_go());
    assert_eq!(now.summary(), "No-go: 5 of 6 functions ready; blocked: Support");
    tick(&mut ws, "support", "ready");
    assert_eq!(summary(&ws).summary(), "Go: all 6 functions ready");
    assert!(summary(&ws).is_go());
    // An owner and a note never change the verdict, and are kept.
    ws.set_field::<Release>(&id, "readiness", FieldInput::Check { item: "qa", part: CheckPart::Owner, value: "Bo" }, 3).unwrap();
    ws.set_field::<Release>(&id, "readiness", FieldInput::Check { item: "qa", part: CheckPart::Note, value: "Regression pass signed" }, 3).unwrap();
    let release = ws.item::<Release>(&id).unwrap().0;
    assert_eq!((release.readiness[1].owner.as_str(), release.readiness[1].note.as_str()), ("Bo", "Regression pass signed"));
    assert!(readiness(&release).is_go());
    assert!(ws.set_field::<Release>(&id, "readiness", FieldInput::Check { item: "legal", part: CheckPart::State, value: "ready" }, 3).is_err());
    assert!(ws.set_field::<Release>(&id, "readiness", FieldInput::Check { item: "qa", part: CheckPart::State, value: "done" }, 3).is_err());
}

#[test]
fn two_people_ticking_readiness_at_once_keep_both_ticks() {
    let mut a = Workspace::create("Payments", 1, "Ana");
    let id = a.create_item::<Release>("2.0", 1, "Ana").unwrap();
    let mut b = a.fork();
    a.set_field::<Release>(&id, "readiness", FieldInput::Check { item: "qa", part: CheckPart::State, value: "ready" }, 2).unwrap();
    b.set_field::<Release>(&id, "readiness", FieldInput::Check { item: "docs", part: CheckPart::State, value: "ready" }, 2).unwrap();
    b.set_field::<Release>(&id, "readiness", FieldInput::Check { item: "qa", part: CheckPart::Owner, value: "Bo" }, 2).unwrap();
    a.merge(&mut b).unwrap();
    let release = a.item::<Release>(&id).unwrap().0;
    assert_eq!(readiness(&release).ready, 2);
    assert_eq!(release.readiness[1].owner, "Bo");
}

#[test]
fn must_over_sixty_percent_of_a_releases_effort_warns() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let release = ws.create_item::<Release>("2.0", 1, "Ana").unwrap();
    let add = |ws: &mut Workspace, title: &str, moscow: &str, effort: &str| {
        let f = feature(ws, title, "", "");
        set(ws, &f, "moscow", moscow);
        set(ws, &f, "effort", effort);
        ships_in(ws, &f, &release);
        f
    };
    add(&mut ws, "Sync", "must", "6");
    add(&mut ws, "Search", "should", "4");
    let s = scope(&release, &ws.link_index(), &live_features(&ws.items::<Feature>().0));
    assert_eq!((s.must, s.total, s.must_share()), (6.0, 10.0, Some(0.6)));
    assert!(!s.warns(), "exactly 60 % does not exceed it");
    let big = add(&mut ws, "Audit log", "must", "1");
    let s = scope(&release, &ws.link_index(), &live_features(&ws.items::<Feature>().0));
    assert!(s.warns(), "7 of 11 person-months is 64 %");
    add(&mut ws, "Themes", "could", "");
    let s = scope(&release, &ws.link_index(), &live_features(&ws.items::<Feature>().0));
    assert_eq!(s.unestimated, 1);
    set(&mut ws, &big, "status", "dropped");
    assert!(!scope(&release, &ws.link_index(), &live_features(&ws.items::<Feature>().0)).warns(), "dropped features leave the scope");
    // Another release's features never count.
    let other = ws.create_item::<Release>("3.0", 1, "Ana").unwrap();
    assert_eq!(scope(&other, &ws.link_index(), &live_features(&ws.items::<Feature>().0)).must_share(), None);
}

fn titles(ws: &Workspace, horizon: &str) -> Vec<String> {
    let all = ws.items::<Feature>().0;
    column(&all, Some(horizon)).iter().map(|f| f.title()).collect()
}

#[test]
fn moving_cards_puts_them_exactly_where_they_were_dropped() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let ids: Vec<Id> = ["A", "B", "C", "D"].iter().map(|t| ws.create_item::<Feature>(t, 1, "Ana").unwrap()).collect();
    for id in &ids {
        set(&mut ws, id, "horizon", "next");
    }
    assert_eq!(titles(&ws, "next").len(), 4);
    let shown = titles(&ws, "next");
    // Never-moved cards keep the order shown when one is dropped between them.
    let d = ws.items::<Feature>().0.into_iter().find(|f| f.title == "D").unwrap().id().cloned().unwrap();
    ws.move_feature(&d, "next", 1, 7, 2).unwrap();
    let mut expected = shown.clone();
    expected.retain(|t| t != "D");
    expected.insert(1, "D".into());
    assert_eq!(titles(&ws, "next"), expected);
    // Across columns, to the top and past the end.
    ws.move_feature(&ids[0], "now", 0, 1, 3).unwrap();
    ws.move_feature(&ids[1], "now", 99, 1, 3).unwrap();
    ws.move_feature(&ids[2], "now", 0, 1, 3).unwrap();
    assert_eq!(titles(&ws, "now"), ["C", "A", "B"]);
    ws.move_feature(&ids[1], "now", 1, 5, 4).unwrap();
    assert_eq!(titles(&ws, "now"), ["C", "B", "A"]);
    assert!(ws.move_feature(&ids[1], "someday", 0, 1, 4).is_err());
}

#[test]
fn promoting_an_accepted_idea_makes_a_feature_that_delivers_it() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let idea = ws.apply_edit(Edit::CreateIdea { title: "Pay by QR code".into() }, 1, "Ana").unwrap().created.unwrap();
    assert!(ws.apply_edit(Edit::PromoteIdea(idea.clone()), 2, "Ana").is_err(), "a new idea is not promoted");
    ws.set_idea_status(&idea, IdeaStatus::Accepted, 2).unwrap();
    let made = ws.apply_edit(Edit::PromoteIdea(idea.clone()), 3, "Bo").unwrap();
    let f = made.created.unwrap();
    assert!(made.changed.of(IDEAS).contains(&idea) && made.changed.of(FEATURES).contains(&f));
    let feature = ws.item::<Feature>(&f).unwrap().0;
    assert_eq!(
        (feature.title.as_str(), feature.horizon, feature.status, feature.meta.created_by.as_str()),
        ("Pay by QR code", Some("next"), Some("planned"), "Bo")
    );
    let links = ws.link_index();
    assert_eq!(links.targets(&r(FEATURES, &f), Relation::Delivers).collect::<Vec<_>>(), vec![&r(IDEAS, &idea)]);
    assert_eq!(links.sources(&r(IDEAS, &idea), Relation::Delivers).collect::<Vec<_>>(), vec![&r(FEATURES, &f)]);
    let again = ws.apply_edit(Edit::PromoteIdea(idea), 4, "Ana").unwrap_err();
    assert!(again.to_string().contains("already on the roadmap as “Pay by QR code”"), "{again}");
}

#[test]
fn features_and_releases_survive_json_and_show_in_markdown() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let f = feature(&mut ws, "Offline mode", "2026-01-05", "2026-02-27");
    set(&mut ws, &f, "effort", "2.5");
    set(&mut ws, &f, "visibility", "public");
    ws.move_feature(&f, "now", 0, 3, 4).unwrap();
    let release = ws.create_item::<Release>("2.0", 1, "Ana").unwrap();
    ws.set_field::<Release>(&release, "readiness", FieldInput::Check { item: "qa", part: CheckPart::State, value: "blocked" }, 2).unwrap();
    ws.set_field::<Release>(&release, "readiness", FieldInput::Check { item: "qa", part: CheckPart::Note, value: "Flaky sync tests" }, 2).unwrap();
    ships_in(&mut ws, &f, &release);
    let json = waymark_domain::export::to_json(&ws, 9);
    let back = waymark_domain::export::from_json(&json, 10, "Cy").unwrap();
    let features = back.items::<Feature>().0;
    let g = &features[0];
    let original = ws.item::<Feature>(&f).unwrap().0;
    assert_eq!(
        (g.title.as_str(), g.effort, g.visibility, g.horizon, &g.position, g.start),
        ("Offline mode", Some(2.5), Some("public"), Some("now"), &original.position, original.start)
    );
    let releases = back.items::<Release>().0;
    assert_eq!(readiness(&releases[0]).blocked, vec!["QA"]);
    assert_eq!(releases[0].readiness[1].note, "Flaky sync tests");
    let links = back.link_index();
    let shipped: Vec<_> = links.targets(&r(FEATURES, g.id().unwrap()), Relation::ShipsIn).collect();
    assert_eq!(shipped, vec![&r(RELEASES, releases[0].id().unwrap())]);
    let md = waymark_domain::export::to_markdown(&ws);
    assert!(md.contains("## Features (1)") && md.contains("**Effort**: 2.5 person-months"), "{md}");
    assert!(md.contains("- QA: Blocked — Flaky sync tests"), "{md}");
    assert!(!md.contains("Board position"), "the board position is not prose");
    // A hostile file: a position that is not one, a readiness item nobody knows.
    let bad = json.replace(&format!("\"position\": \"{}\"", original.position), "\"position\": \"<script>\"");
    assert_ne!(bad, json);
    assert!(waymark_domain::export::from_json(&bad, 10, "Cy").is_err());
}

#[test]
fn the_artifacts_carry_the_roadmaps_links_as_the_document_does() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let release = ws.create_item::<Release>("2.0", 1, "Ana").unwrap();
    let a = feature(&mut ws, "A", "", "");
    let b = feature(&mut ws, "B", "", "");
    blocks(&mut ws, &a, &b);
    ships_in(&mut ws, &b, &release);
    let s = ws.create_story("sync later", 1, "Ana").unwrap();
    ws.link(&r(STORIES, &s), Relation::PartOf, &r(FEATURES, &b), 2).unwrap();
    let read = ws.item::<Feature>(&b).unwrap().0;
    assert_eq!(read.release.as_ref(), Some(&release));
    assert_eq!(ws.item::<Feature>(&a).unwrap().0.blocks, vec![b.clone()]);
    let features = ws.items::<Feature>().0;
    let stories = ws.stories().0;
    let from_artifacts = waymark_domain::roadmap::links_of(&features, &stories);
    let from_document = ws.link_index();
    for f in [&a, &b] {
        assert_eq!(from_artifacts.from(&r(FEATURES, f)), from_document.from(&r(FEATURES, f)));
        assert_eq!(from_artifacts.to(&r(FEATURES, f)), from_document.to(&r(FEATURES, f)));
    }
}

#[test]
fn the_benchmark_roadmap_is_a_real_one() {
    let ws = waymark_domain::fixtures::roadmap_workspace(60);
    let features = ws.items::<Feature>().0;
    assert_eq!(features.len(), 60);
    assert_eq!((column(&features, Some("now")).len(), column(&features, Some("next")).len(), column(&features, Some("later")).len()), (20, 20, 20));
    let live = live_features(&features);
    let links = ws.link_index();
    assert!(features.iter().filter(|f| is_blocked(f.id().unwrap(), &links, &live)).count() > 5);
    let releases = ws.items::<Release>().0;
    assert!(releases.iter().any(|r| !critical_path(r.id().unwrap(), &links, &live).is_empty()));
}

#[test]
fn a_move_between_neighbours_a_teammate_just_moved_lands_by_the_one_still_there() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let ids: Vec<Id> = ["A", "B", "C", "D"].iter().map(|t| ws.create_item::<Feature>(t, 1, "Ana").unwrap()).collect();
    for id in &ids {
        ws.move_feature(id, "next", usize::MAX, 3, 2).unwrap();
    }
    assert_eq!(titles(&ws, "next"), ["A", "B", "C", "D"]);
    // Ana saw D dropped between A and B, but B has just gone to Now.
    ws.move_feature(&ids[1], "now", 0, 1, 3).unwrap();
    ws.move_feature_between(&ids[3], "next", Some(&ids[0]), Some(&ids[1]), 9, 4).unwrap();
    assert_eq!(titles(&ws, "next"), ["A", "D", "C"]);
    // Between two cards still there: two lookups, same result as by index.
    ws.move_feature_between(&ids[2], "next", Some(&ids[0]), Some(&ids[3]), 5, 5).unwrap();
    assert_eq!(titles(&ws, "next"), ["A", "C", "D"]);
    // A neighbour never moved: the column is read and the card still lands there.
    let e = ws.create_item::<Feature>("E", 6, "Ana").unwrap();
    ws.set_field::<Feature>(&e, "horizon", FieldInput::Value("next"), 6).unwrap();
    assert_eq!(titles(&ws, "next"), ["A", "C", "D", "E"]);
    ws.move_feature_between(&ids[0], "next", Some(&ids[3]), Some(&e), 2, 7).unwrap();
    assert_eq!(titles(&ws, "next"), ["C", "D", "A", "E"]);
}

#[test]
fn release_notes_are_drafted_from_the_releases_features() {
    let mut ws = Workspace::create("Payments", 1, "Ana");
    let release = ws.create_item::<Release>("2.0 <Offline>", 1, "Ana").unwrap();
    ws.set_field::<Release>(&release, "target", FieldInput::Value("2026-05-15"), 2).unwrap();
    let shipped = feature(&mut ws, "Offline mode", "", "");
    set(&mut ws, &shipped, "status", "done");
    set(&mut ws, &shipped, "description", "Work on the *train*.");
    let open = feature(&mut ws, "Conflict view", "", "");
    let dropped = feature(&mut ws, "Fax export", "", "");
    set(&mut ws, &dropped, "status", "dropped");
    for f in [&shipped, &open, &dropped] {
        ships_in(&mut ws, f, &release);
    }
    let features = ws.items::<Feature>().0;
    let live = live_features(&features);
    let mine = waymark_domain::roadmap::release_features(&release, &ws.link_index(), &live);
    let notes = waymark_domain::roadmap::release_notes(&ws.item::<Release>(&release).unwrap().0, &mine);
    assert!(notes.starts_with("# 2\\.0 \\<Offline\\> — release notes\n"), "{notes}");
    assert!(notes.contains("Target date: 2026-05-15"));
    let new = notes.find("## What's new").unwrap();
    let progress = notes.find("## Still in progress").unwrap();
    assert!(new < notes.find("### Offline mode").unwrap() && progress < notes.find("### Conflict view").unwrap());
    assert!(notes.contains("Work on the \\*train\\*.") && !notes.contains("Fax export"), "{notes}");
}
