//! `/join#…`: opening a share link. The workspace is fetched from the relay, stored
//! here and opened; the keys leave the address bar as soon as they are read.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{use_store, TopBar};
use crate::route::{navigate, Link, Route};

#[component]
pub fn JoinPage() -> impl IntoView {
    let store = use_store();
    let location = window().location();
    let fragment = location.hash().unwrap_or_default();
    let origin = location.origin().unwrap_or_default();
    // The keys are in memory now; the address bar (and history) keep only `/join`.
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/join"));
    }
    let state = RwSignal::new(None::<String>);
    let attempt = RwSignal::new(0u32);
    let fragment = StoredValue::new(fragment);
    Effect::new(move |_| {
        attempt.track();
        state.set(None);
        let store = store.clone();
        let origin = origin.clone();
        let fragment = fragment.get_value();
        spawn_local(async move {
            if fragment.trim_start_matches('#').is_empty() {
                state.set(Some("This link has no keys after the #: it was probably cut short when it was copied. Ask for the link again.".into()));
                return;
            }
            match crate::sync::join::join(&store, &fragment, &origin).await {
                Ok(id) => navigate(Route::Brief { ws: id }, true),
                Err(e) => state.set(Some(e)),
            }
        });
    });
    view! {
        <TopBar/>
        {move || match state.get() {
            None => view! {
                <main class="splash" role="status">
                    <h1>"Opening the shared workspace…"</h1>
                    <p>"Downloading and decrypting it from the relay."</p>
                </main>
            }
            .into_any(),
            Some(message) => view! {
                <main class="splash error" role="alert">
                    <h1>"This share link didn't open"</h1>
                    <p class="join-error">{message}</p>
                    <div class="dialog-actions">
                        <button class="btn btn-primary" on:click=move |_| attempt.update(|n| *n += 1)>"Try again"</button>
                        <Link to=Route::Home class="btn">"Your workspaces"</Link>
                    </div>
                </main>
            }
            .into_any(),
        }}
    }
}
