//! The workspace's history for the Activity page, "new since your last visit" marks,
//! and time travel: a read-only session of the workspace as it was, and restoring one
//! artifact from it as new changes.

use super::*;
use crate::doc_worker::protocol::Request;
use waymark_domain::history::{summary, Moment};

/// Where a session of the past stands: after the first `index` of the workspace's
/// moments (the last of them made by `by` at `at_ms`; none for the very start).
#[derive(Clone, Debug, PartialEq)]
pub struct PastPoint {
    pub index: usize,
    pub last: Option<(String, i64)>,
}

/// The workspace's history as the document's worker read it, oldest first.
#[derive(Default)]
pub struct Timeline {
    moments: Vec<Moment>,
}

impl Timeline {
    /// Every moment, oldest first.
    pub fn moments(&self) -> &[Moment] {
        &self.moments
    }

    /// Everyone who made a change, in the order they first did.
    pub fn people(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.moments.iter().filter(|m| seen.insert(m.by.clone())).map(|m| m.by.clone()).collect()
    }

    /// Adds the moments a `History` reply sent, which start at the `from`th (history
    /// only grows, so what is here already is skipped).
    fn extend(&mut self, from: usize, moments: Vec<Moment>) -> bool {
        let Some(skip) = self.moments.len().checked_sub(from) else { return false };
        let before = self.moments.len();
        self.moments.extend(moments.into_iter().skip(skip));
        self.moments.len() > before
    }
}

/// The key under which this browser keeps where history stood at the last visit.
fn visit_key(id: &str) -> String {
    format!("waymark.visit.{id}")
}

impl Session {
    /// The moments of this workspace's history, for `f`: as far as the worker has read
    /// them. When the document has changed since they were asked for, the rest is
    /// asked for, and what tracks this runs again once it arrives. While the document
    /// loads, there is no history to read yet.
    pub fn with_history<R>(self: &Rc<Self>, f: impl FnOnce(&Timeline) -> R) -> R {
        self.history_read.track();
        self.read_history();
        f(&self.history.borrow())
    }

    fn read_history(self: &Rc<Self>) {
        let Some(link) = self.link().filter(|_| !self.is_opening()) else { return };
        let changes = self.changes.get_untracked();
        if self.history_asked.replace(Some(changes)) == Some(changes) {
            return;
        }
        let from = self.history.borrow().moments.len();
        let this = Rc::downgrade(self);
        link.ask_history(from, move |moments| {
            let Some(this) = this.upgrade() else { return };
            let grew = this.history.borrow_mut().extend(from, moments);
            if grew {
                this.history_read.update(|n| *n += 1);
            }
        });
    }

    /// What `moment` did, in a line after its author's name (artifacts named as they
    /// are shown now).
    pub fn summary(&self, moment: &Moment) -> String {
        summary(moment, |c, id| self.collections.get(c).map(|c| c.title_of(id)).unwrap_or_default())
    }

    /// Notes what teammates changed since this browser last left the workspace (into
    /// `new_since_visit`). Called by the workspace screen when it opens; what arrives
    /// later is noted as it arrives.
    pub fn mark_since_last_visit(self: &Rc<Self>) {
        if self.is_opening() {
            return self.once_loaded(|s| s.mark_since_last_visit());
        }
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        let seen: Option<Vec<automerge::ChangeHash>> = storage
            .and_then(|s| s.get_item(&visit_key(&self.id)).ok().flatten())
            .map(|text| text.split(',').filter_map(|h| h.parse().ok()).collect());
        if let (Some(seen), Some(link)) = (seen, self.link()) {
            self.since_in_worker(&link, &seen);
        }
    }

    /// Marks teammates' changes `hashes`, and the artifacts they touched, as new to
    /// this person.
    pub(super) fn mark_theirs(&self, hashes: Vec<automerge::ChangeHash>, items: Vec<(&'static str, Id)>) {
        self.new_changes.update(|set| set.extend(hashes));
        self.new_since_visit.update(|set| set.extend(items));
    }

    /// Where history stands now, as the worker last said.
    pub(super) fn heads_now(&self) -> Vec<automerge::ChangeHash> {
        self.link().map(|link| link.heads.borrow().clone()).unwrap_or_default()
    }

    /// Remembers where history stands as this browser's last visit. The workspace screen
    /// calls it when the tab is hidden or closed and when the person leaves; a session of
    /// the past remembers nothing.
    pub fn remember_visit(&self) {
        if self.past.is_some() || self.is_opening() {
            return;
        }
        let heads = self.heads_now();
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let text: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
            let _ = storage.set_item(&visit_key(&self.id), &text.join(","));
        }
    }

    /// A read-only session of this workspace as it was after its first `index`
    /// moments, with its own signals (in a scope of its own, disposed by `leave_past`).
    /// It opens in the worker: it shows its view once the worker has made it.
    pub fn at(self: &Rc<Self>, index: usize) -> Result<(Rc<Session>, Owner), String> {
        self.ready()?;
        let link = self.link().ok_or(super::edit::CLOSED)?;
        let last = index.checked_sub(1).and_then(|i| self.history.borrow().moments.get(i).map(|m| (m.by.clone(), m.at_ms)));
        let scope = match &self.owner {
            Some(owner) => owner.with(Owner::new),
            None => Owner::new(),
        };
        let mut past = scope.with(|| Session::new(Rc::clone(&self.store), &self.id, self.me.clone(), Some(scope.clone())));
        past.past = Some(PastPoint { index, last });
        let past = Rc::new(past);
        scope.with(|| {
            past.read_only.set(true);
            past.loaded.set(false);
            past.opening.set(true);
        });
        past.open_past(&link, index);
        Ok((past, scope))
    }

    /// The artifacts that differ between `past` (a session from [`Session::at`]) and
    /// this workspace now, each with what changed: those the moments since touched.
    pub async fn changed_since(self: &Rc<Self>, past: &Session) -> Result<Vec<ChangedSince>, String> {
        let Some(point) = &past.past else { return Ok(Vec::new()) };
        let (Some(now), Some(then)) = (self.link(), past.link()) else { return Err(super::edit::CLOSED.into()) };
        now.changed_since(then.key(), point.index).await
    }

    /// Makes artifact `id` what it was in `past`, as new changes everyone receives.
    pub async fn restore(self: &Rc<Self>, past: &Session, collection: &'static str, id: &Id) -> Result<(), String> {
        self.writable()?;
        self.ready()?;
        let then = past.link().ok_or(super::edit::CLOSED)?;
        let request = |doc| Request::Restore { doc, past: then.key().to_owned(), collection: collection.to_owned(), id: id.clone(), now_ms: now_ms() };
        self.change_in_worker(request).await.map(|_| ())
    }

    /// The comments on `target`, oldest first (none while the document loads).
    pub async fn comments(self: Rc<Self>, target: waymark_domain::Ref) -> Vec<waymark_domain::comments::Comment> {
        let Some(link) = self.link().filter(|_| !self.is_opening()) else { return Vec::new() };
        self.comments_in_worker(&link, &target).await.unwrap_or_else(|e| {
            self.warn(e);
            Vec::new()
        })
    }

    /// The workspace as `past` shows it, as Waymark JSON named `name`: what a new
    /// workspace is made from ("Copy into a new workspace").
    pub async fn past_as_json(&self, name: &str) -> Result<String, String> {
        self.ready()?;
        let link = self.link().ok_or(super::edit::CLOSED)?;
        self.export_in_worker(&link, false, Some(name.to_owned())).await
    }
}
