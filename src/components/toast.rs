//! Short notices at the bottom of the screen, optionally with one action (Undo).

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;

thread_local! {
    // Actions outlive the component that offered them (Undo after the editor closed),
    // so they are kept here, not in that component's reactive scope.
    static ACTIONS: RefCell<HashMap<u64, Box<dyn Fn()>>> = RefCell::new(HashMap::new());
}

#[derive(Clone)]
struct Toast {
    id: u64,
    message: String,
    /// The button's label; its action is in `ACTIONS` under the toast's id.
    action: Option<String>,
    error: bool,
    /// What it is about (see [`Toasts::problem`], [`Toasts::latest_with_action`]).
    about: Option<&'static str>,
}

/// The app's notices. Successes go by themselves, though not while the pointer rests
/// on them or the focus is in them; errors stay until dismissed (or, for a problem with
/// what was typed, until it is put right or its control goes); none covers the control
/// that has the focus: the pile moves to the top of the screen when that control is
/// near the bottom.
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
    at_top: RwSignal<bool>,
}

/// How long a notice stays, in seconds; one with a button (Undo) longer.
const INFO_SECS: u64 = 5;
const ACTION_SECS: u64 = 10;
/// How long a notice stays after the pointer or the focus leaves the pile, at most.
const GRACE: Duration = Duration::from_secs(3);

impl Toasts {
    pub fn provide() {
        provide_context(Toasts { list: RwSignal::new(Vec::new()), next: StoredValue::new(0), at_top: RwSignal::new(false) });
    }

    pub fn get() -> Toasts {
        expect_context()
    }

    /// A notice that goes away by itself.
    pub fn info(&self, message: impl Into<String>) {
        self.push(message.into(), None, false, None);
    }

    /// A problem the user should read: it stays until dismissed.
    pub fn error(&self, message: impl Into<String>) {
        self.push(message.into(), None, true, None);
    }

    /// A problem with what was typed into the control `about` names: it replaces the
    /// last one about it, and goes once [`Toasts::resolved`] says it is put right.
    pub fn problem(&self, about: &'static str, message: impl Into<String>) {
        self.resolved(about);
        self.push(message.into(), None, true, Some(about));
    }

    /// The problem about `about` is put right: its notice goes.
    pub fn resolved(&self, about: &'static str) {
        let gone: Vec<u64> = self.list.try_with_untracked(|l| l.iter().filter(|t| t.about == Some(about)).map(|t| t.id).collect()).unwrap_or_default();
        gone.into_iter().for_each(|id| self.dismiss(id));
    }

    /// The problems about `about` go with the calling component (its editor closed,
    /// its page left): what they were about is no longer there to put right.
    pub fn resolve_on_cleanup(&self, about: &'static str) {
        let this = *self;
        on_cleanup(move || this.resolved(about));
    }

    /// A notice with a button, e.g. "Idea deleted · Undo".
    pub fn with_action(&self, message: impl Into<String>, label: impl Into<String>, action: impl Fn() + 'static) {
        let id = self.push(message.into(), Some(label.into()), false, None);
        ACTIONS.with(|a| a.borrow_mut().insert(id, Box::new(action)));
    }

    /// A notice with a button that replaces the last one `about` the same thing, whose
    /// button would no longer do what it said (“Undid … · Redo”).
    pub fn latest_with_action(&self, about: &'static str, message: impl Into<String>, label: impl Into<String>, action: impl Fn() + 'static) {
        self.resolved(about);
        let id = self.push(message.into(), Some(label.into()), false, Some(about));
        ACTIONS.with(|a| a.borrow_mut().insert(id, Box::new(action)));
    }

    fn push(&self, message: String, action: Option<String>, error: bool, about: Option<&'static str>) -> u64 {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        if !focus_in_notices() {
            self.at_top.set(focus_near_bottom());
        }
        let lifetime = if action.is_some() { ACTION_SECS } else { INFO_SECS };
        self.list.update(|l| {
            l.push(Toast { id, message, action, error, about });
            // Keep the pile short: the oldest notice goes (a success before an error).
            if l.len() > 3 {
                // Never the one just shown.
                let shown = l.len() - 1;
                let oldest = l[..shown].iter().position(|t| !t.error).unwrap_or(0);
                let gone = l.remove(oldest);
                ACTIONS.with(|a| a.borrow_mut().remove(&gone.id));
            }
        });
        if !error {
            self.dismiss_after(id, Duration::from_secs(lifetime));
        }
        id
    }

    /// Dismisses notice `id` once `wait` has passed, but not while the pile is held
    /// (the pointer rests on it or the focus is in it): a notice is not taken away
    /// while it is being read or reached for. Let go, it stays [`GRACE`] longer.
    fn dismiss_after(&self, id: u64, wait: Duration) {
        let this = *self;
        set_timeout(
            move || {
                // (Gone already, or the app with it.)
                if !this.list.try_with_untracked(|l| l.iter().any(|t| t.id == id)).unwrap_or(false) {
                    return;
                }
                if pile_held() {
                    this.dismiss_after(id, GRACE);
                } else {
                    this.dismiss(id);
                }
            },
            wait,
        );
    }

    /// Dismisses every notice with a button: what it would act on has gone (the
    /// workspace closed).
    pub fn drop_actions(&self) {
        let gone: Vec<u64> = self.list.with_untracked(|l| l.iter().filter(|t| t.action.is_some()).map(|t| t.id).collect());
        gone.into_iter().for_each(|id| self.dismiss(id));
    }

    fn dismiss(&self, id: u64) {
        self.list.update(|l| l.retain(|t| t.id != id));
        ACTIONS.with(|a| a.borrow_mut().remove(&id));
    }

    fn run_action(&self, id: u64) {
        let action = ACTIONS.with(|a| a.borrow_mut().remove(&id));
        self.dismiss(id);
        if let Some(action) = action {
            action();
        }
    }
}

/// Renders the notices; mounted once at the root.
#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = Toasts::get();
    // The focus moved (a dialog opened, a field near the foot was chosen): the pile
    // moves out of its way.
    let moved = window_event_listener(leptos::ev::focusin, move |_| {
        // Not for a notice's own button: pressing it must not move it from under the
        // pointer before the click lands.
        if !focus_in_notices() && toasts.list.with_untracked(|l| !l.is_empty()) {
            toasts.at_top.set(focus_near_bottom());
        }
    });
    on_cleanup(move || moved.remove());
    view! {
        <div class="toasts" class:toasts-top=move || toasts.at_top.get() role="status" aria-live="polite">
            <For each=move || toasts.list.get() key=|t| t.id let:toast>
                <div class="toast" class:toast-error=toast.error>
                    <span>{toast.message.clone()}</span>
                    {toast.action.clone().map(|label| {
                        let id = toast.id;
                        view! {
                            <button class="btn btn-small btn-inverse" on:click=move |_| toasts.run_action(id)>{label}</button>
                        }
                    })}
                    <button class="icon-btn" aria-label="Dismiss" on:click={
                        let id = toast.id;
                        move |_| toasts.dismiss(id)
                    }>"×"</button>
                </div>
            </For>
        </div>
    }
}

/// Whether the focused control is in view where the pile of notices shows (the
/// bottom quarter of the screen, at most 220 px).
fn focus_near_bottom() -> bool {
    let Some(el) = document().active_element() else { return false };
    if el.tag_name() == "BODY" {
        return false;
    }
    let height = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
    // (One scrolled out of view is not covered.)
    let rect = el.get_bounding_client_rect();
    rect.bottom() > height - (height / 4.0).min(220.0) && rect.top() < height
}

/// Whether someone is reading or reaching for a notice: the pointer rests on the pile
/// or the focus is in it.
fn pile_held() -> bool {
    focus_in_notices() || document().query_selector(".toasts:hover").ok().flatten().is_some()
}

/// Whether the focus is on a notice's own button: the pile stays where it is then.
fn focus_in_notices() -> bool {
    document().active_element().is_some_and(|el| el.closest(".toasts").ok().flatten().is_some())
}
