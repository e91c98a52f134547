//! Short notices at the bottom of the screen, optionally with one action (Undo).

use std::time::Duration;

use leptos::prelude::*;

type Action = StoredValue<Box<dyn Fn()>, LocalStorage>;

#[derive(Clone)]
struct Toast {
    id: u64,
    message: String,
    action: Option<(String, Action)>,
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
        let boxed: Box<dyn Fn()> = Box::new(action);
        self.push(message.into(), Some((label.into(), StoredValue::new_local(boxed))), false);
    }

    fn push(&self, message: String, action: Option<(String, Action)>, error: bool) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        let lifetime = if error || action.is_some() { 10 } else { 5 };
        self.list.update(|l| {
            l.push(Toast { id, message, action, error });
            // Keep the pile short.
            if l.len() > 3 {
                l.remove(0);
            }
        });
        let list = self.list;
        set_timeout(move || list.update(|l| l.retain(|t| t.id != id)), Duration::from_secs(lifetime));
    }

    fn dismiss(&self, id: u64) {
        self.list.update(|l| l.retain(|t| t.id != id));
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
                    {toast.action.clone().map(|(label, action)| {
                        let id = toast.id;
                        view! {
                            <button class="btn btn-small btn-inverse" on:click=move |_| {
                                action.with_value(|f| f());
                                toasts.dismiss(id);
                            }>{label}</button>
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
