//! A modal dialog: focus moves into it, Esc and the backdrop close it.

use leptos::prelude::*;

/// A modal with a title; `open` shows it and closing sets it false.
#[component]
pub fn Dialog(open: RwSignal<bool>, #[prop(into)] title: String, children: ChildrenFn) -> impl IntoView {
    let panel = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if open.get() {
            if let Some(el) = panel.get() {
                // Focus the first field or button in the dialog, leaving it scrolled to
                // its top (a long sheet's only button is at its foot).
                if let Ok(Some(first)) = el.query_selector("input, textarea, select, button") {
                    let options = web_sys::FocusOptions::new();
                    options.set_prevent_scroll(true);
                    let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(first).focus_with_options(&options);
                }
            }
        }
    });
    let title_id = format!("dialog-{}", title.len());
    view! {
        <Show when=move || open.get()>
            <div class="backdrop" on:click=move |_| open.set(false)>
                <div
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby=title_id.clone()
                    node_ref=panel
                    on:click=|ev| ev.stop_propagation()
                    on:keydown=move |ev| if ev.key() == "Escape" {
                        // Only the dialog closes: an editor open behind it stays.
                        ev.stop_propagation();
                        open.set(false)
                    }
                >
                    <h2 id=title_id.clone()>{title.clone()}</h2>
                    {children()}
                </div>
            </div>
        </Show>
    }
}
