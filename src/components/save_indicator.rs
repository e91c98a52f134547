//! Says whether the workspace is safely stored on this device.

use leptos::prelude::*;

use crate::session::SaveState;

#[component]
pub fn SaveIndicator(state: RwSignal<SaveState>) -> impl IntoView {
    let text = move || match state.get() {
        SaveState::Saved => "Saved on this device".to_owned(),
        SaveState::Saving => "Saving…".to_owned(),
        SaveState::Opening => "Opening…".to_owned(),
        SaveState::Failed(e) => format!("Not saved yet, retrying: {e}"),
    };
    let class = move || match state.get() {
        SaveState::Saved => "save-state saved",
        SaveState::Saving | SaveState::Opening => "save-state saving",
        SaveState::Failed(_) => "save-state failed",
    };
    view! { <span class=class role="status" aria-live="polite">{text}</span> }
}
