//! Bringing a read backlog ([`crate::backlog`]) into a workspace: first a plan the
//! person previews (what will be created, updated and skipped, and how the tool's
//! statuses map to the workspace's), then the writes. Epics and Linear projects become
//! roadmap features; stories and issues become user stories or ideas, as the person
//! chooses. Each imported artifact is remembered under its external key (the root map
//! `external`: `<source>:<key>` -> `<collection>/<id>`), so importing a newer export of
//! the same project updates what the last one made instead of duplicating it.

use std::collections::BTreeMap;

use automerge::{transaction::Transactable, ReadDoc, ROOT};

use crate::backlog::{Backlog, Row, RowKind, Source};
use crate::feature::Feature;
use crate::fields::{child_map, ensure_map};
use crate::kind::FieldInput;
use crate::link::{Ref, Relation};
use crate::schema::{FEATURES, IDEAS, STORIES, TAGS};
use crate::story::StoryStatus;
use crate::{EditError, Id, IdeaStatus, IdeaText, Workspace};

/// The root map remembering what each external key became.
pub const EXTERNAL: &str = "external";

/// What stories and issues become.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ItemsAs {
    #[default]
    Stories,
    Ideas,
}

impl ItemsAs {
    pub fn collection(self) -> &'static str {
        match self {
            ItemsAs::Stories => STORIES,
            ItemsAs::Ideas => IDEAS,
        }
    }
}

/// What the person chose before importing.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Choices {
    pub items_as: ItemsAs,
    /// The tool's status → a feature status key ([`crate::feature::STATUS`]).
    #[serde(deserialize_with = "crate::keys::map")]
    pub feature_status: BTreeMap<String, crate::keys::Key>,
    /// The tool's status → a story or idea status key.
    #[serde(deserialize_with = "crate::keys::map")]
    pub item_status: BTreeMap<String, crate::keys::Key>,
}

/// What a tool's status usually means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meaning {
    NotStarted,
    Started,
    Done,
    Dropped,
}

fn meaning(status: &str) -> Meaning {
    let s = status.trim().to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| s.contains(w));
    if has(&["cancel", "won't", "wont", "duplicate", "rejected", "declined"]) {
        Meaning::Dropped
    } else if has(&["done", "closed", "resolved", "released", "complete", "shipped"]) {
        Meaning::Done
    } else if has(&["progress", "review", "started", "development", "testing", "qa", "doing"]) {
        Meaning::Started
    } else {
        Meaning::NotStarted
    }
}

/// The feature status a tool status suggests.
pub fn suggest_feature_status(status: &str) -> &'static str {
    match meaning(status) {
        Meaning::NotStarted => "planned",
        Meaning::Started => "in_progress",
        Meaning::Done => "done",
        Meaning::Dropped => "dropped",
    }
}

/// The story or idea status a tool status suggests.
pub fn suggest_item_status(status: &str, items_as: ItemsAs) -> &'static str {
    match (items_as, meaning(status)) {
        (ItemsAs::Stories, Meaning::NotStarted | Meaning::Dropped) => StoryStatus::Draft.key(),
        (ItemsAs::Stories, Meaning::Started) => StoryStatus::InProgress.key(),
        (ItemsAs::Stories, Meaning::Done) => StoryStatus::Done.key(),
        (ItemsAs::Ideas, Meaning::NotStarted) => IdeaStatus::New.key(),
        (ItemsAs::Ideas, Meaning::Started) => IdeaStatus::Accepted.key(),
        (ItemsAs::Ideas, Meaning::Done) => IdeaStatus::Done.key(),
        (ItemsAs::Ideas, Meaning::Dropped) => IdeaStatus::Rejected.key(),
    }
}

impl Choices {
    /// The mapping first shown: each status of the file by its usual meaning.
    pub fn suggested(backlog: &Backlog, items_as: ItemsAs) -> Choices {
        let mut c = Choices { items_as, ..Choices::default() };
        for row in backlog.rows.iter().filter(|r| !r.status.is_empty()) {
            match row.kind {
                Some(RowKind::Feature) => c.feature_status.entry(row.status.clone()).or_insert_with(|| suggest_feature_status(&row.status)),
                _ => c.item_status.entry(row.status.clone()).or_insert_with(|| suggest_item_status(&row.status, items_as)),
            };
        }
        c
    }
}

/// What happens to one row.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    Create,
    /// The artifact an earlier import made from the same key.
    Update(Id),
    Skip(String),
}

/// One row's plan.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Planned {
    pub line: u64,
    pub key: String,
    pub title: String,
    /// The collection it goes to.
    #[serde(deserialize_with = "crate::keys::collection")]
    pub collection: crate::keys::Key,
    pub action: Action,
}

/// The whole preview (serialized: the app's page asks the document's worker for it).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportPlan {
    pub source: Source,
    pub rows: Vec<Planned>,
    /// Every "blocks" link the file names, once each, and whether it is kept.
    pub dependencies: Vec<Dependency>,
}

/// A "blocks" link of the file: `blocker` (a key) blocks `blocked`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Dependency {
    pub blocker: String,
    pub blocked: String,
    /// Why it is left out; `None` when it is kept.
    pub dropped: Option<String>,
}

/// Each "blocks" pair the rows name (from either end), in file order, once.
fn dependencies(backlog: &Backlog, rows: &[Planned]) -> Vec<Dependency> {
    let (mut pairs, mut seen): (Vec<(String, String)>, std::collections::HashSet<(String, String)>) = (Vec::new(), Default::default());
    for row in &backlog.rows {
        let named = row.blocks.iter().map(|k| (row.key.clone(), k.clone())).chain(row.blocked_by.iter().map(|k| (k.clone(), row.key.clone())));
        for pair in named {
            if pair.0 != pair.1 && seen.insert(pair.clone()) {
                pairs.push(pair);
            }
        }
    }
    let by_key: std::collections::HashMap<&str, &Planned> = rows.iter().map(|p| (p.key.as_str(), p)).collect();
    let find = |key: &str| by_key.get(key).copied();
    pairs
        .into_iter()
        .map(|(blocker, blocked)| {
            let dropped = match (find(&blocker), find(&blocked)) {
                (None, _) => Some(format!("{blocker} is not in this file")),
                (_, None) => Some(format!("{blocked} is not in this file")),
                (Some(a), Some(b)) if matches!(a.action, Action::Skip(_)) || matches!(b.action, Action::Skip(_)) => Some("one end is skipped".to_owned()),
                (Some(a), Some(b)) if a.collection != b.collection => Some("Waymark keeps dependencies between features or between stories, not between a feature and a story".to_owned()),
                (Some(a), _) if a.collection == IDEAS => Some("ideas have no dependencies; import issues as user stories to keep them".to_owned()),
                _ => None,
            };
            Dependency { blocker, blocked, dropped }
        })
        .collect()
}

impl ImportPlan {
    pub fn count(&self, what: fn(&Action) -> bool) -> usize {
        self.rows.iter().filter(|r| what(&r.action)).count()
    }

    pub fn creates(&self) -> usize {
        self.count(|a| matches!(a, Action::Create))
    }

    pub fn updates(&self) -> usize {
        self.count(|a| matches!(a, Action::Update(_)))
    }

    pub fn skips(&self) -> usize {
        self.count(|a| matches!(a, Action::Skip(_)))
    }
}

fn external_key(source: Source, key: &str) -> String {
    format!("{}:{key}", source.label().to_lowercase())
}

impl Workspace {
    /// What an earlier import made from `key` of `source`, if anything.
    pub fn imported(&self, source: Source, key: &str) -> Option<Ref> {
        let map = child_map(&self.doc, &ROOT, EXTERNAL)?;
        let (value, _) = self.doc.get(&map, external_key(source, key).as_str()).ok()??;
        Ref::parse(&value.into_string().ok()?)
    }

    fn remember_import(&mut self, source: Source, key: &str, made: &Ref) -> Result<(), EditError> {
        let map = ensure_map(&mut self.doc, &ROOT, EXTERNAL)?;
        self.doc.put(&map, external_key(source, key), made.to_string())?;
        Ok(())
    }

    fn exists(&self, r: &Ref) -> bool {
        self.artifact(r.collection, &r.id).is_ok()
    }
}

/// The collection a row goes to.
fn collection_of(row: &Row, items_as: ItemsAs) -> &'static str {
    match row.kind {
        Some(RowKind::Feature) => FEATURES,
        _ => items_as.collection(),
    }
}

/// What importing `backlog` into `ws` would do, row by row.
pub fn plan(backlog: &Backlog, ws: &Workspace, choices: &Choices) -> ImportPlan {
    let rows = backlog
        .rows
        .iter()
        .map(|row| {
            let collection = collection_of(row, choices.items_as);
            let action = if row.title.trim().is_empty() {
                Action::Skip("no title".to_owned())
            } else {
                match ws.imported(backlog.source, &row.key).filter(|r| ws.exists(r)) {
                    Some(r) if r.collection == collection => Action::Update(r.id),
                    Some(r) => Action::Skip(format!("imported before as {}", if r.collection == IDEAS { "an idea" } else { "a user story" })),
                    None => Action::Create,
                }
            };
            Planned { line: row.line, key: row.key.clone(), title: row.title.clone(), collection, action }
        })
        .collect::<Vec<_>>();
    let dependencies = dependencies(backlog, &rows);
    ImportPlan { source: backlog.source, rows, dependencies }
}

/// "As a finance admin, I want automatic reminders, so that I get paid on time." →
/// ("automatic reminders", "I get paid on time").
fn story_parts(text: &str) -> Option<(String, String)> {
    let lower = text.to_lowercase();
    let want = lower.find("i want")? + "i want".len();
    let so = lower[want..].find("so that").map(|n| want + n);
    let goal = text[want..so.unwrap_or(text.len())].trim().trim_end_matches([',', '.']).trim();
    let benefit = so.map(|s| text[s + "so that".len()..].trim().trim_end_matches('.').trim().to_owned()).unwrap_or_default();
    (!goal.is_empty()).then(|| (goal.to_owned(), benefit))
}

/// Writes `plan` into `ws`: creates and updates, then the links between what it made
/// (a story under its feature, an idea delivered by its feature, the dependencies the
/// plan keeps), and remembers each external key. Returns what it made or updated, by key.
pub fn apply(ws: &mut Workspace, backlog: &Backlog, plan: &ImportPlan, choices: &Choices, now_ms: i64, by: &str) -> Result<BTreeMap<String, Ref>, EditError> {
    let mut made: BTreeMap<String, Ref> = BTreeMap::new();
    for (row, planned) in backlog.rows.iter().zip(&plan.rows) {
        let id = match &planned.action {
            Action::Skip(_) => continue,
            Action::Update(id) => id.clone(),
            Action::Create => match planned.collection {
                FEATURES => ws.create_item::<Feature>(&row.title, now_ms, by)?,
                IDEAS => ws.create_idea(&row.title, now_ms, by)?,
                _ => ws.create_story("", now_ms, by)?,
            },
        };
        let r = Ref::new(planned.collection, id.clone());
        write_row(ws, row, &r, choices, now_ms)?;
        // The tool's comments, each once: a re-import adds only those not here yet.
        let here: Vec<(String, String)> = ws.comments(&r).into_iter().map(|c| (c.author, c.text)).collect();
        for c in &row.comments {
            if !c.text.is_empty() && !here.iter().any(|(a, t)| *a == c.author && *t == c.text) {
                let at = c.at.map_or(now_ms, |d| d.days() * 86_400_000);
                ws.add_comment(&r, &c.text, at, &c.author)?;
            }
        }
        ws.remember_import(backlog.source, &row.key, &r)?;
        made.insert(row.key.clone(), r);
    }
    for row in &backlog.rows {
        let Some(me) = made.get(&row.key).cloned() else { continue };
        if let Some(parent) = row.parent.as_ref().and_then(|p| made.get(p)).filter(|p| p.collection == FEATURES) {
            match me.collection {
                STORIES => ws.set_link(&me, Relation::PartOf, Some(parent), now_ms)?,
                IDEAS => ws.set_linked(parent, Relation::Delivers, &me, true, now_ms)?,
                _ => {}
            }
        }
    }
    for dependency in plan.dependencies.iter().filter(|d| d.dropped.is_none()) {
        if let (Some(from), Some(to)) = (made.get(&dependency.blocker), made.get(&dependency.blocked)) {
            ws.set_linked(from, Relation::Blocks, to, true, now_ms)?;
        }
    }
    Ok(made)
}

/// Writes one row's fields into the artifact `r` it made or updates.
fn write_row(ws: &mut Workspace, row: &Row, r: &Ref, choices: &Choices, now_ms: i64) -> Result<(), EditError> {
    match r.collection {
        FEATURES => {
            let set = |ws: &mut Workspace, key: &str, value: &str| ws.set_field::<Feature>(&r.id, key, FieldInput::Value(value), now_ms);
            set(ws, "title", &row.title)?;
            set(ws, "description", &row.description)?;
            set(ws, "owner", &row.owner)?;
            if let Some(s) = choices.feature_status.get(&row.status) {
                set(ws, "status", s)?;
            }
            for (key, day) in [("start", row.start), ("target", row.due.or(row.end))] {
                if let Some(d) = day {
                    set(ws, key, &d.to_string())?;
                }
            }
        }
        IDEAS => {
            ws.set_idea_text(&r.id, IdeaText::Title, &row.title, now_ms)?;
            ws.set_idea_text(&r.id, IdeaText::Description, &row.description, now_ms)?;
            if let Some(s) = choices.item_status.get(&row.status).and_then(|s| IdeaStatus::parse(s)) {
                ws.set_idea_status(&r.id, s, now_ms)?;
            }
        }
        _ => {
            let (goal, benefit) = story_parts(&row.description).unwrap_or_else(|| (row.title.clone(), String::new()));
            ws.set_story_text(&r.id, false, &goal, now_ms)?;
            ws.set_story_text(&r.id, true, &benefit, now_ms)?;
            ws.set_story_estimate(&r.id, row.estimate, now_ms)?;
            if let Some(s) = choices.item_status.get(&row.status).and_then(|s| StoryStatus::parse(s)) {
                ws.set_story_status(&r.id, s, now_ms)?;
            }
        }
    }
    let obj = ws.artifact(r.collection, &r.id)?;
    for label in &row.labels {
        if let Some(tag) = crate::idea::normalize_tag(label) {
            ws.set_member(&obj, TAGS, &tag, true)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backlog::read_backlog;
    use crate::kind::Kind;

    const JIRA: &str = include_str!("../testdata/jira-export-sample.csv");
    const LINEAR: &str = include_str!("../testdata/linear-export-sample.csv");

    #[test]
    fn a_jira_export_becomes_a_feature_with_its_stories_and_a_reimport_updates_it() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let backlog = read_backlog(JIRA).unwrap();
        let choices = Choices::suggested(&backlog, ItemsAs::Stories);
        assert_eq!(choices.feature_status.get("In Progress"), Some(&"in_progress"));
        assert_eq!((choices.item_status.get("To Do"), choices.item_status.get("In Review"), choices.item_status.get("Done")), (Some(&"draft"), Some(&"in_progress"), Some(&"done")));
        let p = plan(&backlog, &ws, &choices);
        assert_eq!((p.creates(), p.updates(), p.skips()), (4, 0, 0));
        let made = apply(&mut ws, &backlog, &p, &choices, 10, "Ana").unwrap();

        let epic = ws.item::<Feature>(&made["PAY-101"].id).unwrap().0;
        assert_eq!((epic.title.as_str(), epic.status, epic.owner.as_str()), ("Guided onboarding tour", Some("in_progress"), "Dana Ortiz"));
        assert_eq!(epic.target.map(|d| d.to_string()).as_deref(), Some("2025-09-30"));
        let story = ws.story(&made["PAY-102"].id).unwrap().0;
        assert_eq!((story.goal.as_str(), story.benefit.as_str(), story.estimate), ("automatic reminders", "I get paid on time", Some(5.0)));
        assert_eq!(story.feature.as_ref(), Some(&made["PAY-101"].id), "under its epic");
        let obj = ws.artifact(FEATURES, &made["PAY-101"].id).unwrap();
        let tags: Vec<String> = ws.doc.keys(&child_map(&ws.doc, &obj, TAGS).unwrap()).collect();
        assert_eq!(tags, ["activation", "onboarding"], "labels as tags");
        assert_eq!(epic.meta.tags, ["activation", "onboarding"], "read back with the feature");
        let said: Vec<(String, String)> = ws.comments(&made["PAY-101"]).into_iter().map(|c| (c.author, c.text)).collect();
        assert_eq!(said, [("Sam Lee".to_owned(), "Linked to the Q3 activation goal".to_owned())], "its Jira comment");
        let bug_dependency = Dependency {
            blocker: "PAY-101".into(),
            blocked: "PAY-104".into(),
            dropped: Some("Waymark keeps dependencies between features or between stories, not between a feature and a story".into()),
        };
        assert_eq!(p.dependencies, vec![bug_dependency], "named once though both rows name it, and said why it is left out");

        // A newer export: the epic renamed. One update each, nothing duplicated.
        let newer = JIRA.replace("Guided onboarding tour,PAY-101", "Guided onboarding tour v2,PAY-101");
        let backlog = read_backlog(&newer).unwrap();
        let p = plan(&backlog, &ws, &choices);
        assert_eq!((p.creates(), p.updates(), p.skips()), (0, 4, 0));
        apply(&mut ws, &backlog, &p, &choices, 20, "Ana").unwrap();
        let features: Vec<String> = ws.items::<Feature>().0.iter().map(Kind::title).collect();
        assert_eq!(features, ["Guided onboarding tour v2"]);
        assert_eq!(ws.comments(&made["PAY-101"]).len(), 1, "the comment is not imported twice");
        assert_eq!(ws.stories().0.len(), 3);
    }

    #[test]
    fn a_linear_export_as_ideas_delivered_by_their_project() {
        let mut ws = Workspace::create("Field sales", 1, "Ana");
        let backlog = read_backlog(LINEAR).unwrap();
        let choices = Choices::suggested(&backlog, ItemsAs::Ideas);
        let p = plan(&backlog, &ws, &choices);
        assert_eq!(p.rows.iter().map(|r| r.collection).collect::<Vec<_>>(), [FEATURES, IDEAS, IDEAS, IDEAS]);
        let made = apply(&mut ws, &backlog, &p, &choices, 10, "Ana").unwrap();
        let project = ws.item::<Feature>(&made["project:p-1"].id).unwrap().0;
        assert_eq!(project.title, "Field Sales");
        assert_eq!(project.ideas, vec![made["ENG-12"].id.clone()], "ENG-15's parent is an issue, ENG-19 has no project");
        let offline = ws.idea(&made["ENG-12"].id).unwrap().0;
        assert_eq!((offline.status, offline.tags.clone()), (IdeaStatus::Accepted, vec!["mobile".to_owned(), "sync".to_owned()]));
        // Choosing stories now cannot duplicate what came in as ideas.
        let as_stories = Choices::suggested(&backlog, ItemsAs::Stories);
        let again = plan(&backlog, &ws, &as_stories);
        assert_eq!((again.updates(), again.skips()), (1, 3));
        assert_eq!(again.rows[1].action, Action::Skip("imported before as an idea".into()));
    }

    #[test]
    fn a_linear_export_as_stories_keeps_the_dependency_between_them_and_their_labels() {
        let mut ws = Workspace::create("Field sales", 1, "Ana");
        let backlog = read_backlog(LINEAR).unwrap();
        let choices = Choices::suggested(&backlog, ItemsAs::Stories);
        let p = plan(&backlog, &ws, &choices);
        assert_eq!(p.dependencies, vec![Dependency { blocker: "ENG-15".into(), blocked: "ENG-12".into(), dropped: None }]);
        let made = apply(&mut ws, &backlog, &p, &choices, 10, "Ana").unwrap();
        let blocker = ws.story(&made["ENG-15"].id).unwrap().0;
        assert_eq!(blocker.blocks, vec![made["ENG-12"].id.clone()]);
        let offline = ws.story(&made["ENG-12"].id).unwrap().0;
        assert_eq!(offline.tags, ["mobile", "sync"]);
        assert_eq!(offline.feature.as_ref(), Some(&made["project:p-1"].id), "under its project");
        // Imported twice, the dependency is still one link.
        let again = plan(&backlog, &ws, &choices);
        apply(&mut ws, &backlog, &again, &choices, 20, "Ana").unwrap();
        assert_eq!(ws.story(&made["ENG-15"].id).unwrap().0.blocks.len(), 1);
    }

    #[test]
    fn statuses_map_by_their_usual_meaning() {
        for (tool, feature, story, idea) in [
            ("To Do", "planned", "draft", "new"),
            ("Backlog", "planned", "draft", "new"),
            ("In Review", "in_progress", "in_progress", "accepted"),
            ("Done", "done", "done", "done"),
            ("Canceled", "dropped", "draft", "rejected"),
        ] {
            assert_eq!((suggest_feature_status(tool), suggest_item_status(tool, ItemsAs::Stories), suggest_item_status(tool, ItemsAs::Ideas)), (feature, story, idea), "{tool}");
        }
        assert_eq!(story_parts("As a rep, I want offline notes."), Some(("offline notes".to_owned(), String::new())));
        assert_eq!(story_parts("Plain text"), None);
    }
}
