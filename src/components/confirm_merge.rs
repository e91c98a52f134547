//! Asks before a file's changes are merged into a shared workspace: merged, they go to
//! everyone with a link at once, and can be edited over but never unsent.

use leptos::prelude::*;

use crate::components::Dialog;

/// The question, with Cancel and "Merge and share"; `merge` runs on the latter.
#[component]
pub fn ConfirmSharedMerge(open: RwSignal<bool>, #[prop(into)] name: Signal<String>, merge: Callback<()>) -> impl IntoView {
    view! {
        <Dialog open=open title="Merge into a shared workspace?">
            <p>
                "This file is a copy of “" {move || name.get()} "”, which you share with others. "
                "Merging brings in every change the file holds and sends them to everyone with a link to the workspace, right away."
            </p>
            <p class="muted">"Merged changes can be edited over afterwards, but not unsent. Cancel if this file is not meant for your teammates."</p>
            <div class="row end">
                <button class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                <button class="btn btn-primary" on:click=move |_| {
                    open.set(false);
                    merge.run(());
                }>"Merge and share"</button>
            </div>
        </Dialog>
    }
}
