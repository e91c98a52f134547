//! The side panel every artifact editor sits in (full screen on phones): a heading,
//! a close button that Esc also triggers, and the body — rebuilt only when the
//! artifact appears or is deleted, never on an edit (which would replace the field
//! being typed in).

use leptos::prelude::*;
use waymark_domain::{Artifact, Id};

use crate::route::{navigate, Route};
use crate::session::Collection;

/// The editor for artifact `id` of `collection`; closing it (× or Esc) goes to
/// `close_to`, its list. `body` builds the fields from the artifact's signal; `kind`
/// names it ("Persona"), `missing` is shown when it does not exist or was deleted.
#[component]
pub fn SideEditor<T: Artifact, B, V>(
    collection: Collection<T>,
    id: StoredValue<Id>,
    close_to: Route,
    kind: &'static str,
    #[prop(into)] missing: String,
    #[prop(optional)] wide: bool,
    body: B,
) -> impl IntoView
where
    B: Fn(RwSignal<T>) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let missing = StoredValue::new(missing);
    let state = Memo::new(move |_| {
        collection.version.track();
        collection.get(&id.get_value()).map(|s| (s, s.with(|a| a.artifact_deleted())))
    });
    let close_to = StoredValue::new(close_to);
    let close = move || navigate(close_to.get_value(), false);
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
                Some((artifact, false)) => view! {
                    {body(artifact)}
                    <div class="editor-comments"><crate::components::Comments target=waymark_domain::Ref::new(T::COLLECTION, id.get_value())/></div>
                }.into_any(),
                _ => view! { <div class="empty"><p>{missing.get_value()}</p></div> }.into_any(),
            }}
        </aside>
    }
}
