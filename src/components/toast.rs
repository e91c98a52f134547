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
}

/// The app's notices.
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

impl Toasts {
    pub fn provide() {
        provide_context(Toasts { list: RwSignal::new(Vec::new()), next: StoredValue::new(0) });
    }

    pub fn get() -> Toasts {
        expect_context()
    }

    /// A notice that goes away by itself.
    pub fn info(&self, message: impl Into<String>) {
        self.push(message.into(), None, false);
    }

    /// A problem the user should read; stays longer.
    pub fn error(&self, message: impl Into<String>) {
        self.push(message.into(), None, true);
    }

    /// A notice with a button, e.g. "Idea deleted · Undo".
    pub fn with_action(&self, message: impl Into<String>, label: impl Into<String>, action: impl Fn() + 'static) {
        let id = self.push(message.into(), Some(label.into()), false);
        ACTIONS.with(|a| a.borrow_mut().insert(id, Box::new(action)));
    }

    fn push(&self, message: String, action: Option<String>, error: bool) -> u64 {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let lifetime = if error || action.is_some() { 10 } else { 5 };
        self.list.update(|l| {
            l.push(Toast { id, message, action, error });
            // Keep the pile short.
            if l.len() > 3 {
                let gone = l.remove(0);
                ACTIONS.with(|a| a.borrow_mut().remove(&gone.id));
            }
        });
        let this = *self;
        set_timeout(move || this.dismiss(id), Duration::from_secs(lifetime));
        id
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
    view! {
        <div class="toasts" role="status" aria-live="polite">
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
