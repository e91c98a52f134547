//! The side panel every artifact editor sits in (full screen on phones): a heading,
//! a close button that Esc also triggers, and the body — rebuilt only when the
//! artifact appears or is deleted, never on an edit (which would replace the field
//! being typed in).

use leptos::prelude::*;
use waymark_domain::{Artifact, Id};

use crate::route::{navigate, Page, Route};
use crate::session::{use_session, Collection};

/// The editor for artifact `id` of `collection`, on `page`. `body` builds the fields
/// from the artifact's signal; `kind` names it ("Persona"), `missing` is shown when it
/// does not exist or was deleted.
#[component]
pub fn SideEditor<T: Artifact, B, V>(
    collection: Collection<T>,
    id: StoredValue<Id>,
    page: Page,
    kind: &'static str,
    #[prop(into)] missing: String,
    #[prop(optional)] wide: bool,
    body: B,
) -> impl IntoView
where
    B: Fn(RwSignal<T>) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = use_session();
    let missing = StoredValue::new(missing);
    let state = Memo::new(move |_| {
        collection.version.track();
        collection.get(&id.get_value()).map(|s| (s, s.with(|a| a.artifact_deleted())))
    });
    let close = move || navigate(Route::Page { ws: session.get().id.clone(), page, open: None }, false);
    let esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            close();
        }
    });
    on_cleanup(move || esc.remove());
    view! {
        <aside class="editor" class:editor-wide=wide aria-label=format!("{kind} editor")>
            <div class="editor-head">
                <span class="muted small">{kind}</span>
                <crate::components::PeersHere id=id.get_value()/>
                <button class="icon-btn" aria-label="Close editor (Esc)" on:click=move |_| close()>"×"</button>
            </div>
            {move || match state.get() {
                Some((artifact, false)) => body(artifact).into_any(),
                _ => view! { <div class="empty"><p>{missing.get_value()}</p></div> }.into_any(),
            }}
        </aside>
    }
}
