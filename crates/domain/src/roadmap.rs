//! The roadmap: what is derived from features, releases, stories and their links
//! (never typed in), and the moves that place a feature on the board.
//!
//! - progress: a feature's share of linked stories that are done;
//! - blocked: a feature with a blocker that is not done;
//! - violations: a feature that starts before a feature blocking it ends;
//! - critical path: the chain of "blocks" links ending in a release's feature whose
//!   summed durations are longest (DOMAIN.md);
//! - readiness: a release's go / no-go from its checklist;
//! - scope: MoSCoW's "must exceeds 60 % of the estimated effort" warning per release.

use std::collections::{BTreeMap, BTreeSet};

use crate::feature::{Feature, HORIZON};
use crate::kind::{FieldInput, Kind};
use crate::link::{LinkIndex, Ref, Relation};
use crate::release::Release;
use crate::schema::{FEATURES, IDEAS, RELEASES};
use crate::story::{Story, StoryStatus};
use crate::{EditError, Id, IdeaStatus, Workspace};

fn feature_ref(id: &Id) -> Ref {
    Ref::new(FEATURES, id.clone())
}

/// The roadmap's links as the artifacts read them (features' releases, blockers and
/// ideas, stories' features), in both directions: what a view derives from its
/// signals without asking the document.
pub fn links_of<'a>(features: impl IntoIterator<Item = &'a Feature>, stories: impl IntoIterator<Item = &'a Story>) -> LinkIndex {
    let mut links = Vec::new();
    for f in features {
        let Some(id) = f.id() else { continue };
        let from = feature_ref(id);
        let link = |relation, to: Ref| crate::link::Link { from: from.clone(), relation, to };
        links.extend(f.release.iter().map(|r| link(Relation::ShipsIn, Ref::new(RELEASES, r.clone()))));
        links.extend(f.blocks.iter().map(|b| link(Relation::Blocks, feature_ref(b))));
        links.extend(f.ideas.iter().map(|i| link(Relation::Delivers, Ref::new(IDEAS, i.clone()))));
    }
    for s in stories {
        if let (Some(id), Some(feature)) = (&s.id, &s.feature) {
            links.push(crate::link::Link { from: Ref::new(crate::schema::STORIES, id.clone()), relation: Relation::PartOf, to: feature_ref(feature) });
        }
    }
    LinkIndex::new(links)
}

/// How far a feature is, from its stories.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    /// Whole percent done, if it has stories.
    pub fn percent(self) -> Option<u32> {
        (self.total > 0).then(|| (self.done * 100 / self.total) as u32)
    }
}

/// Progress of feature `id`: its live stories ([`Relation::PartOf`]) that are done.
pub fn progress(id: &Id, links: &LinkIndex, stories: &BTreeMap<Id, &Story>) -> Progress {
    let mut p = Progress::default();
    for story in links.sources(&feature_ref(id), Relation::PartOf).filter_map(|r| stories.get(&r.id)) {
        if !story.deleted {
            p.total += 1;
            p.done += usize::from(story.status == StoryStatus::Done);
        }
    }
    p
}

/// The live features, by id (what the rules below read).
pub fn live_features(features: &[Feature]) -> BTreeMap<Id, &Feature> {
    features.iter().filter(|f| !f.is_deleted()).filter_map(|f| Some((f.id()?.clone(), f))).collect()
}

/// The live features that block `id` (it cannot start before they end).
pub fn blockers<'a>(id: &Id, links: &LinkIndex, features: &BTreeMap<Id, &'a Feature>) -> Vec<&'a Feature> {
    links.sources(&feature_ref(id), Relation::Blocks).filter_map(|r| features.get(&r.id).copied()).collect()
}

/// Whether something blocking `id` is not done yet.
pub fn is_blocked(id: &Id, links: &LinkIndex, features: &BTreeMap<Id, &Feature>) -> bool {
    blockers(id, links, features).iter().any(|b| !b.is_done() && b.status != Some("dropped"))
}

/// A feature that starts before a feature blocking it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub feature: Id,
    pub blocker: Id,
}

/// Every dependency violation: `feature` starts on or before the day `blocker` is due
/// to end (both dated), sorted.
pub fn violations(links: &LinkIndex, features: &BTreeMap<Id, &Feature>) -> Vec<Violation> {
    let mut found = Vec::new();
    for (id, f) in features {
        let Some(start) = f.start else { continue };
        for b in blockers(id, links, features) {
            if b.target.is_some_and(|end| start <= end) {
                found.push(Violation { feature: id.clone(), blocker: b.id().cloned().unwrap_or_else(|| id.clone()) });
            }
        }
    }
    crate::sort::sort_by(&mut found, |a, b| (&a.feature, &a.blocker).cmp(&(&b.feature, &b.blocker)));
    found
}

/// Days from start to target (0 when either is missing or they are reversed).
pub fn duration_days(f: &Feature) -> i64 {
    match (f.start, f.target) {
        (Some(s), Some(t)) => (t.days() - s.days()).max(0),
        _ => 0,
    }
}

/// The live features that ship in release `release`.
pub fn release_features<'a>(release: &Id, links: &LinkIndex, features: &BTreeMap<Id, &'a Feature>) -> Vec<&'a Feature> {
    let mut out: Vec<&Feature> = links.sources(&Ref::new(RELEASES, release.clone()), Relation::ShipsIn).filter_map(|r| features.get(&r.id).copied()).collect();
    crate::sort::sort_by_key(&mut out, |f| (f.target, f.title().to_lowercase()));
    out
}

/// The critical path of release `release`: among chains of "blocks" links that end in
/// one of its features, the one whose summed durations are longest (ties: the one
/// ending latest, then by id), first blocker first. Empty when no chain has a duration.
/// A cycle of "blocks" (two people linking at once can make one) is cut where it closes.
pub fn critical_path(release: &Id, links: &LinkIndex, features: &BTreeMap<Id, &Feature>) -> Vec<Id> {
    let mut memo: BTreeMap<Id, (i64, Vec<Id>)> = BTreeMap::new();
    let mut best: Option<(i64, Option<crate::Date>, Vec<Id>)> = None;
    for f in release_features(release, links, features) {
        let Some(id) = f.id() else { continue };
        let (days, path) = longest_chain(id, links, features, &mut memo, &mut BTreeSet::new());
        let candidate = (days, f.target, path);
        let better = match &best {
            None => true,
            Some((d, t, p)) => (candidate.0, candidate.1, std::cmp::Reverse(&candidate.2)) > (*d, *t, std::cmp::Reverse(p)),
        };
        if better {
            best = Some(candidate);
        }
    }
    best.filter(|(days, _, _)| *days > 0).map(|(_, _, path)| path).unwrap_or_default()
}

/// The longest chain of blockers ending at `id`, with its summed duration.
fn longest_chain(
    id: &Id,
    links: &LinkIndex,
    features: &BTreeMap<Id, &Feature>,
    memo: &mut BTreeMap<Id, (i64, Vec<Id>)>,
    on_path: &mut BTreeSet<Id>,
) -> (i64, Vec<Id>) {
    if let Some(done) = memo.get(id) {
        return done.clone();
    }
    let own = features.get(id).map_or(0, |f| duration_days(f));
    on_path.insert(id.clone());
    let mut longest: (i64, Vec<Id>) = (0, Vec::new());
    let mut before: Vec<Id> = links.sources(&feature_ref(id), Relation::Blocks).filter(|r| features.contains_key(&r.id)).map(|r| r.id.clone()).collect();
    before.sort();
    for b in before {
        if on_path.contains(&b) {
            continue;
        }
        let chain = longest_chain(&b, links, features, memo, on_path);
        if chain.0 > longest.0 {
            longest = chain;
        }
    }
    on_path.remove(id);
    longest.0 += own;
    longest.1.push(id.clone());
    memo.insert(id.clone(), longest.clone());
    longest
}

/// Go when every function that is needed is ready; otherwise no-go, saying why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// Functions ready, of those needed.
    pub ready: usize,
    pub needed: usize,
    /// Labels of the functions marked blocked.
    pub blocked: Vec<&'static str>,
    /// Labels of the functions needed and not ready (blocked ones included).
    pub open: Vec<&'static str>,
}

impl Readiness {
    pub fn is_go(&self) -> bool {
        self.needed > 0 && self.ready == self.needed
    }

    /// "Go: 6 of 6 functions ready" or "No-go: 4 of 7 ready; blocked: QA".
    pub fn summary(&self) -> String {
        if self.is_go() {
            return format!("Go: all {} functions ready", self.needed);
        }
        if self.needed == 0 {
            return "No-go: no function is needed yet".to_owned();
        }
        let mut s = format!("No-go: {} of {} functions ready", self.ready, self.needed);
        if !self.blocked.is_empty() {
            s.push_str(&format!("; blocked: {}", self.blocked.join(", ")));
        }
        s
    }
}

/// The go / no-go of `release` from its readiness checklist: an item with no state is
/// needed and not started; "not needed" items are left out.
pub fn readiness(release: &Release) -> Readiness {
    let label = |key: &str| crate::kind::choice_label(crate::release::FUNCTIONS, key);
    let mut r = Readiness { ready: 0, needed: 0, blocked: Vec::new(), open: Vec::new() };
    for check in &release.readiness {
        match check.state {
            Some("not_needed") => {}
            Some("ready") => {
                r.needed += 1;
                r.ready += 1;
            }
            state => {
                r.needed += 1;
                r.open.push(label(check.item));
                if state == Some("blocked") {
                    r.blocked.push(label(check.item));
                }
            }
        }
    }
    r
}

/// A release's effort by MoSCoW, for the "must exceeds 60 %" warning.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scope {
    /// Person-months of its "must have" features.
    pub must: f64,
    /// Person-months of all its estimated features.
    pub total: f64,
    /// Features with no effort estimate (not counted).
    pub unestimated: usize,
}

/// The share above which "must" effort warns (DOMAIN.md, MoSCoW).
pub const MUST_LIMIT: f64 = 0.6;

impl Scope {
    /// Must's share of the estimated effort, if any effort is estimated.
    pub fn must_share(&self) -> Option<f64> {
        (self.total > 0.0).then(|| self.must / self.total)
    }

    /// Whether "must" exceeds 60 % of the estimated effort.
    pub fn warns(&self) -> bool {
        self.must_share().is_some_and(|s| s > MUST_LIMIT)
    }
}

/// The MoSCoW scope of release `release`.
pub fn scope(release: &Id, links: &LinkIndex, features: &BTreeMap<Id, &Feature>) -> Scope {
    let mut s = Scope::default();
    for f in release_features(release, links, features) {
        if f.status == Some("dropped") {
            continue;
        }
        match f.effort {
            Some(e) => {
                s.total += e;
                if f.moscow == Some("must") {
                    s.must += e;
                }
            }
            None => s.unestimated += 1,
        }
    }
    s
}

/// The cards of one board column (`horizon`, or `None` for features with none), in
/// board order: moved cards by position (then id), then never-moved ones oldest first.
pub fn column<'a>(features: impl IntoIterator<Item = &'a Feature>, horizon: Option<&str>) -> Vec<&'a Feature> {
    let mut cards: Vec<&Feature> = features.into_iter().filter(|f| !f.is_deleted() && f.horizon == horizon).collect();
    crate::sort::sort_by(&mut cards, |a, b| board_order(a, b));
    cards
}

/// The order of two cards in a column.
pub fn board_order(a: &Feature, b: &Feature) -> std::cmp::Ordering {
    let id = |f: &Feature| f.id().map_or(String::new(), |i| i.as_str().to_owned());
    match (a.position.is_empty(), b.position.is_empty()) {
        (false, false) => crate::position::compare((&a.position, &id(a)), (&b.position, &id(b))),
        (false, true) => std::cmp::Ordering::Less,
        (true, false) => std::cmp::Ordering::Greater,
        (true, true) => (a.meta.created_at, id(a)).cmp(&(b.meta.created_at, id(b))),
    }
}

fn check_horizon(horizon: &str) -> Result<(), EditError> {
    if HORIZON.iter().any(|(k, _)| *k == horizon) {
        Ok(())
    } else {
        Err(EditError::Invalid(format!("{horizon:?} is not a column of the board (now, next or later)")))
    }
}

impl Workspace {
    /// Moves feature `id` to column `horizon` at `index` among the column's other cards
    /// (0: top; past the end: bottom); see [`Workspace::move_feature_between`]. Returns
    /// every feature it wrote.
    pub fn move_feature(&mut self, id: &Id, horizon: &str, index: usize, jitter: u32, now_ms: i64) -> Result<Vec<Id>, EditError> {
        check_horizon(horizon)?;
        self.artifact(FEATURES, id)?;
        let others = self.column_cards(horizon, id);
        let index = index.min(others.len());
        let before = index.checked_sub(1).map(|i| others[i].0.clone());
        let after = others.get(index).map(|c| c.0.clone());
        self.move_feature_between(id, horizon, before.as_ref(), after.as_ref(), jitter, now_ms)
    }

    /// Moves feature `id` to column `horizon` between the cards `before` and `after`
    /// (`None`: the top or the bottom), as the person saw them. Writes the feature's
    /// horizon and a position between the two (`jitter` picks among the keys that fit,
    /// see [`crate::position::between`]): two lookups, whatever the board's size. When
    /// a neighbour was never moved, or is no longer where the person saw it (a
    /// teammate moved it meanwhile), the column is read: never-moved cards are given
    /// positions in the order shown, and the card lands next to the neighbour that is
    /// still there. Returns every feature it wrote.
    pub fn move_feature_between(&mut self, id: &Id, horizon: &str, before: Option<&Id>, after: Option<&Id>, jitter: u32, now_ms: i64) -> Result<Vec<Id>, EditError> {
        check_horizon(horizon)?;
        self.artifact(FEATURES, id)?;
        let quick = match (before.map(|b| self.card_key(b, horizon)), after.map(|a| self.card_key(a, horizon))) {
            (Some(None), _) | (_, Some(None)) => None,
            (b, a) => {
                let (b, a) = (b.flatten(), a.flatten());
                let in_order = match (&b, &a, before, after) {
                    (Some(bk), Some(ak), Some(bi), Some(ai)) => crate::position::compare((bk, bi.as_str()), (ak, ai.as_str())).is_lt(),
                    _ => true,
                };
                in_order.then(|| crate::position::between(b.as_deref(), a.as_deref(), jitter))
            }
        };
        let mut touched = vec![id.clone()];
        let key = match quick {
            Some(key) => key,
            None => {
                let others = self.column_cards(horizon, id);
                let at = |n: &Id| others.iter().position(|(o, _)| o == n);
                let index = before.and_then(|b| at(b).map(|i| i + 1)).or_else(|| after.and_then(at)).unwrap_or(others.len());
                let mut keys: Vec<String> = others.iter().map(|(_, key)| key.clone()).collect();
                if others.iter().take(index + 1).any(|(_, key)| key.is_empty()) {
                    let mut last = keys.iter().filter(|k| !k.is_empty()).next_back().cloned();
                    for ((fid, _), key) in others.iter().zip(keys.iter_mut()) {
                        if key.is_empty() {
                            let placed = crate::position::between(last.as_deref(), None, 0);
                            self.set_field::<Feature>(fid, "position", FieldInput::Value(&placed), now_ms)?;
                            touched.push(fid.clone());
                            *key = placed.clone();
                            last = Some(placed);
                        }
                    }
                }
                crate::position::between(index.checked_sub(1).map(|i| keys[i].as_str()), keys.get(index).map(String::as_str), jitter)
            }
        };
        self.set_field::<Feature>(id, "horizon", FieldInput::Value(horizon), now_ms)?;
        self.set_field::<Feature>(id, "position", FieldInput::Value(&key), now_ms)?;
        Ok(touched)
    }

    /// The position of card `id` if it is live, in column `horizon` and was moved
    /// before; `None` when it must be looked at in its column (never moved, elsewhere,
    /// deleted or missing).
    fn card_key(&self, id: &Id, horizon: &str) -> Option<String> {
        use automerge::{ReadDoc, ScalarValue, Value};
        let Ok(obj) = self.artifact(FEATURES, id) else { return None };
        let scalar = |key: &str| match self.doc.get(&obj, key) {
            Ok(Some((Value::Scalar(v), _))) => Some(v.into_owned()),
            _ => None,
        };
        let live = !matches!(scalar(crate::schema::DELETED), Some(ScalarValue::Boolean(true)));
        let here = matches!(scalar("horizon"), Some(ScalarValue::Str(h)) if h.as_str() == horizon);
        match scalar("position") {
            Some(ScalarValue::Str(p)) if live && here && crate::position::is_valid(&p) => Some(p.to_string()),
            _ => None,
        }
    }

    /// The live cards of column `horizon` but `except`, in board order ([`board_order`]):
    /// id and position key (empty: never moved). Read straight from the document, a few
    /// lookups per feature, so a move does not read every feature in full.
    fn column_cards(&self, horizon: &str, except: &Id) -> Vec<(Id, String)> {
        use automerge::{ReadDoc, ScalarValue, Value};
        let Some(map) = crate::fields::child_map(&self.doc, &automerge::ROOT, FEATURES) else { return Vec::new() };
        let scalar = |obj: &automerge::ObjId, key: &str| match self.doc.get(obj, key) {
            Ok(Some((Value::Scalar(v), _))) => Some(v.into_owned()),
            _ => None,
        };
        let mut placed = Vec::new();
        let mut unplaced = Vec::new();
        for key in self.doc.keys(&map) {
            let Some(id) = Id::parse(&key).filter(|i| i != except) else { continue };
            let Some(obj) = crate::fields::child_map(&self.doc, &map, &key) else { continue };
            let deleted = matches!(scalar(&obj, crate::schema::DELETED), Some(ScalarValue::Boolean(true)));
            let in_column = matches!(scalar(&obj, "horizon"), Some(ScalarValue::Str(h)) if h.as_str() == horizon);
            if deleted || !in_column {
                continue;
            }
            match scalar(&obj, "position") {
                Some(ScalarValue::Str(p)) if crate::position::is_valid(&p) => placed.push((id, p.to_string())),
                _ => {
                    let created = match scalar(&obj, crate::schema::CREATED_AT) {
                        Some(ScalarValue::Int(t)) => t,
                        Some(ScalarValue::Uint(t)) => t as i64,
                        Some(ScalarValue::Timestamp(t)) => t,
                        _ => 0,
                    };
                    unplaced.push((created, id));
                }
            }
        }
        crate::sort::sort_by(&mut placed, |a, b| crate::position::compare((&a.1, a.0.as_str()), (&b.1, b.0.as_str())));
        unplaced.sort();
        placed.into_iter().chain(unplaced.into_iter().map(|(_, id)| (id, String::new()))).collect()
    }

    /// Puts accepted idea `idea` on the roadmap: a feature with its title and
    /// description, planned, at the bottom of "next", that delivers the idea (the
    /// link shows from both). Refused for an idea not accepted or already delivered.
    pub fn promote_idea(&mut self, idea: &Id, now_ms: i64, by: &str) -> Result<Id, EditError> {
        let (found, _) = self.idea(idea).ok_or_else(|| EditError::Invalid("that idea does not exist".into()))?;
        if found.deleted || found.status != IdeaStatus::Accepted {
            return Err(EditError::Invalid("only an accepted idea is promoted to the roadmap".into()));
        }
        let idea_ref = Ref::new(IDEAS, idea.clone());
        let links = self.link_index();
        let all = self.items::<Feature>().0;
        let live = live_features(&all);
        if let Some(f) = links.sources(&idea_ref, Relation::Delivers).find_map(|r| live.get(&r.id)) {
            return Err(EditError::Invalid(format!("this idea is already on the roadmap as “{}”", f.title())));
        }
        let id = self.create_item::<Feature>(&found.title, now_ms, by)?;
        if !found.description.trim().is_empty() {
            self.set_field::<Feature>(&id, "description", FieldInput::Value(&found.description), now_ms)?;
        }
        self.set_field::<Feature>(&id, "status", FieldInput::Value("planned"), now_ms)?;
        self.move_feature(&id, "next", usize::MAX, 0, now_ms)?;
        self.link(&feature_ref(&id), Relation::Delivers, &idea_ref, now_ms)?;
        Ok(id)
    }
}

/// Release notes for `release`, drafted from its features (dropped ones left out), as
/// a Markdown document to edit: what ships, each feature's description, and what is
/// still in progress. Workspace text is escaped; nothing is invented.
pub fn release_notes(release: &Release, features: &[&Feature]) -> String {
    use crate::export::escape_markdown;
    let mut md = format!("# {} — release notes\n", escape_markdown(&release.title()));
    if let Some(day) = release.target {
        md.push_str(&format!("\nTarget date: {day}\n"));
    }
    let shipping: Vec<&&Feature> = features.iter().filter(|f| f.status != Some("dropped")).collect();
    if shipping.is_empty() {
        md.push_str("\nNo feature ships in this release yet.\n");
        return md;
    }
    let (done, open): (Vec<&&Feature>, Vec<&&Feature>) = shipping.into_iter().partition(|f| f.is_done());
    let section = |md: &mut String, heading: &str, list: &[&&Feature]| {
        if list.is_empty() {
            return;
        }
        md.push_str(&format!("\n## {heading}\n"));
        for f in list {
            md.push_str(&format!("\n### {}\n", escape_markdown(&f.title())));
            let about = f.description.trim();
            if !about.is_empty() {
                md.push_str(&format!("\n{}\n", escape_markdown(about)));
            }
        }
    };
    section(&mut md, "What's new", &done);
    section(&mut md, "Still in progress", &open);
    md
}
