//! The workspace's history for the Activity page, "new since your last visit" marks,
//! and time travel: a read-only session of the workspace as it was, and restoring one
//! artifact from it as new changes.

use super::*;
use waymark_domain::history::{summary, Moment};
use waymark_domain::then_and_now::{compare, Difference};

/// Where a session of the past stands: after the first `index` of the workspace's
/// moments (the last of them made by `by` at `at_ms`; none for the very start).
#[derive(Clone, Debug, PartialEq)]
pub struct PastPoint {
    pub index: usize,
    pub last: Option<(String, i64)>,
}

/// One artifact that differs between a point in the past and now.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangedSince {
    pub collection: &'static str,
    pub id: Id,
    /// "idea “Dark mode”" (as it is now, or as it was if it is gone).
    pub named: String,
    pub differences: Vec<Difference>,
}

/// The key under which this browser keeps where history stood at the last visit.
fn visit_key(id: &str) -> String {
    format!("waymark.visit.{id}")
}

impl Session {
    /// The moments of this workspace's history, brought up to date, for `f`.
    /// While the document loads, there is no history to read yet.
    /// In the worker, the document is brought to the page first (`changes` moves then).
    pub fn with_history<R>(self: &Rc<Self>, f: impl FnOnce(&waymark_domain::history::History) -> R) -> R {
        if self.is_opening() || self.link().is_some() {
            self.bring_to_page();
            return f(&Default::default());
        }
        self.commit_mine();
        let mut history = self.history.borrow_mut();
        history.update(&mut self.doc.borrow_mut());
        f(&history)
    }

    /// What `moment` did, in a line after its author's name.
    pub fn summary(&self, moment: &Moment) -> String {
        let doc = self.doc.borrow();
        summary(moment, |c, id| doc.title_of(c, id))
    }

    /// Closes this person's pending edits into their own change (named and timed) before
    /// history is read: reading must never leave them to an anonymous commit.
    fn commit_mine(&self) {
        if self.link().is_some() {
            return;
        }
        let mut doc = self.doc.borrow_mut();
        if doc.has_pending_edits() {
            doc.commit_by(&self.me, now_ms());
        }
    }

    /// Notes what teammates changed since this browser last left the workspace (into
    /// `new_since_visit`). Called by the workspace screen when it opens; what arrives
    /// later is noted as it arrives ([`Session::note_new`]).
    pub fn mark_since_last_visit(self: &Rc<Self>) {
        if self.is_opening() {
            return self.once_loaded(|s| s.mark_since_last_visit());
        }
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        let seen: Option<Vec<automerge::ChangeHash>> = storage
            .and_then(|s| s.get_item(&visit_key(&self.id)).ok().flatten())
            .map(|text| text.split(',').filter_map(|h| h.parse().ok()).collect());
        match (seen, self.link()) {
            (Some(seen), Some(link)) => self.since_in_worker(&link, &seen),
            (Some(seen), None) => self.note_new(&seen),
            _ => {}
        }
    }

    /// Marks what teammates' changes made after `heads` touched as new to this person.
    pub(super) fn note_new(&self, heads: &[automerge::ChangeHash]) {
        self.commit_mine();
        let moments = waymark_domain::history::since(&mut self.doc.borrow_mut(), heads);
        let theirs: Vec<&Moment> = moments.iter().filter(|m| m.by != self.me).collect();
        if theirs.is_empty() {
            return;
        }
        self.mark_theirs(theirs.iter().map(|m| m.hash).collect(), theirs.iter().flat_map(|m| m.items().map(|(c, id)| (c, id.clone()))).collect());
    }

    /// Marks teammates' changes `hashes`, and the artifacts they touched, as new to
    /// this person.
    pub(super) fn mark_theirs(&self, hashes: Vec<automerge::ChangeHash>, items: Vec<(&'static str, Id)>) {
        self.new_changes.update(|set| set.extend(hashes));
        self.new_since_visit.update(|set| set.extend(items));
    }

    /// Where history stands now, for [`Session::note_new`] after a change arrives.
    pub(super) fn heads_now(&self) -> Vec<automerge::ChangeHash> {
        if let Some(link) = self.link() {
            return link.heads.borrow().clone();
        }
        self.commit_mine();
        self.doc.borrow_mut().heads()
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
    pub fn at(self: &Rc<Self>, index: usize) -> Result<(Rc<Session>, Owner), String> {
        self.ready()?;
        if self.link().is_some() {
            self.bring_to_page();
            return Err(STILL_OPENING.into());
        }
        let (heads, last) = self.with_history(|h| {
            let last = index.checked_sub(1).and_then(|i| h.moments().get(i)).map(|m| (m.by.clone(), m.at_ms));
            (h.heads_after(index), last)
        });
        self.commit_mine();
        let doc = self.doc.borrow_mut().at(&heads).map_err(|e| format!("That point in history could not be opened: {e}"))?;
        let scope = match &self.owner {
            Some(owner) => owner.with(Owner::new),
            None => Owner::new(),
        };
        let mut past = scope.with(|| Session::new(Rc::clone(&self.store), &self.id, doc, self.me.clone(), Some(scope.clone())));
        past.past = Some(PastPoint { index, last });
        let past = Rc::new(past);
        scope.with(|| {
            past.read_only.set(true);
            past.reload_all();
        });
        Ok((past, scope))
    }

    /// The artifacts that differ between `past` (a session from [`Session::at`]) and
    /// this workspace now, each with what changed: those the moments since touched.
    pub fn changed_since(self: &Rc<Self>, past: &Session) -> Vec<ChangedSince> {
        let Some(point) = &past.past else { return Vec::new() };
        if self.link().is_some() {
            self.bring_to_page();
            return Vec::new();
        }
        let touched: Vec<(&'static str, Id)> = self.with_history(|h| {
            let mut seen = BTreeSet::new();
            h.moments()[point.index.min(h.moments().len())..]
                .iter()
                .flat_map(|m| m.items().map(|(c, id)| (c, id.clone())))
                .filter(|item| seen.insert(item.clone()))
                .collect()
        });
        let (now, then) = (self.doc.borrow(), past.doc.borrow());
        touched
            .into_iter()
            .filter_map(|(collection, id)| {
                let differences = compare(&then.artifact_text(collection, &id), &now.artifact_text(collection, &id));
                if differences.is_empty() {
                    return None;
                }
                let title = Some(now.title_of(collection, &id)).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| then.title_of(collection, &id));
                let noun = waymark_domain::history::noun(collection);
                let named = if title.trim().is_empty() { format!("an untitled {noun}") } else { format!("{noun} “{}”", title.trim()) };
                Some(ChangedSince { collection, id, named, differences })
            })
            .collect()
    }

    /// Makes artifact `id` what it was in `past`, as new changes everyone receives.
    pub fn restore(self: &Rc<Self>, past: &Session, collection: &'static str, id: &Id) -> Result<(), String> {
        self.writable()?;
        if self.link().is_some() {
            self.bring_to_page();
            return Err(STILL_OPENING.into());
        }
        let result = self.doc.borrow_mut().restore_from(&past.doc.borrow(), collection, id, now_ms());
        let changed = result.map_err(|e| format!("It could not be restored: {e}"))?;
        self.after_edit(changed);
        self.flush();
        Ok(())
    }

    /// The comments on `target`, oldest first (none while the document loads).
    pub async fn comments(self: Rc<Self>, target: waymark_domain::Ref) -> Vec<waymark_domain::comments::Comment> {
        if self.is_opening() {
            return Vec::new();
        }
        match self.link() {
            Some(link) => self.comments_in_worker(&link, &target).await.unwrap_or_else(|e| {
                self.warn(e);
                Vec::new()
            }),
            None => self.doc.borrow().comments(&target),
        }
    }

    /// The workspace as `past` shows it, as Waymark JSON named `name`: what a new
    /// workspace is made from ("Copy into a new workspace").
    pub fn past_as_json(&self, name: &str) -> Result<String, String> {
        self.ready()?;
        if self.link().is_some() {
            return Err(STILL_OPENING.into());
        }
        let mut copy = self.doc.borrow_mut().fork();
        copy.set_brief_text(waymark_domain::BriefField::Name, name).map_err(|e| e.to_string())?;
        Ok(waymark_domain::export::to_json(&copy, now_ms()))
    }
}
