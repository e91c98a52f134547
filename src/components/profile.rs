//! The local profile: the name and colour teammates see.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{display_name, use_profile, use_store};
use crate::components::{Dialog, Toasts};
use crate::storage::Profile;

const COLOURS: [(&str, &str); 6] = [
    ("#4338ca", "Indigo"),
    ("#0f766e", "Teal"),
    ("#b45309", "Amber"),
    ("#be123c", "Rose"),
    ("#7e22ce", "Purple"),
    ("#15803d", "Green"),
];

#[component]
pub fn ProfileButton() -> impl IntoView {
    let profile = use_profile();
    let open = RwSignal::new(false);
    let draft = RwSignal::new(Profile::default());
    let store = StoredValue::new_local(use_store());
    let toasts = Toasts::get();
    let save = move || {
        let p = draft.get_untracked();
        let p = Profile { name: p.name.trim().chars().take(60).collect(), colour: p.colour };
        profile.set(p.clone());
        open.set(false);
        let store = store.get_value();
        spawn_local(async move {
            if let Err(e) = store.put_profile(&p).await {
                toasts.error(format!("Your profile could not be saved: {e}"));
            }
        });
    };
    view! {
        <button
            class="profile-chip"
            aria-label=move || format!("Your profile: {}", display_name(&profile.get()))
            on:click=move |_| {
                draft.set(profile.get_untracked());
                open.set(true);
            }
        >
            // The initial is drawn by CSS: the button's name is "Your profile: <name>",
            // and its visible text (the name) is part of it.
            <span
                class="avatar avatar-initial"
                aria-hidden="true"
                style:background=move || profile.get().colour
                data-initial=move || display_name(&profile.get()).chars().next().unwrap_or('?').to_uppercase().to_string()
            ></span>
            <span class="profile-name">{move || display_name(&profile.get())}</span>
        </button>
        <Dialog open=open title="Your profile">
            <form class="stack" on:submit=move |ev| { ev.prevent_default(); save(); }>
                <label class="field">
                    <span class="field-label">"Your name"</span>
                    <input
                        class="field-input"
                        type="text"
                        maxlength="60"
                        placeholder="How teammates see you"
                        prop:value=move || draft.get().name
                        on:input:target=move |ev| draft.update(|d| d.name = ev.target().value())
                    />
                </label>
                <fieldset class="field">
                    <legend class="field-label">"Colour"</legend>
                    <div class="swatches">
                        {COLOURS.iter().map(|&(colour, name)| view! {
                            <button
                                type="button"
                                class="swatch"
                                aria-label=name
                                aria-pressed=move || (draft.get().colour == colour).to_string()
                                style:background=colour
                                on:click=move |_| draft.update(|d| d.colour = colour.to_owned())
                            ></button>
                        }).collect_view()}
                    </div>
                </fieldset>
                <p class="muted">"Stored only in this browser. It marks the ideas you capture."</p>
                <div class="row end">
                    <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="btn btn-primary">"Save"</button>
                </div>
            </form>
        </Dialog>
    }
}
