//! A view-only workspace, by construction.
//!
//! Opened through a view link, a workspace can be read, searched, filtered and
//! exported, but not changed. Three layers see to it:
//!
//! 1. Pages and components ask [`use_read_only`] (the [`ReadOnly`] context the
//!    workspace screen provides) and build no edit affordance: [`Editable`] renders its
//!    children only where the workspace can be edited (with an optional read-only
//!    stand-in), and [`Field`] (which `LongTextField` and `NumberField` use) shows a
//!    labelled control, or its value as plain text. A control that only changes what
//!    *this* person sees (a filter chip, "Copy as text", a tab) carries `data-view`.
//! 2. [`lock_while`] is the backstop for whatever a page forgot: it denies by default.
//!    A control stays usable only if it is marked `data-view` (or sits inside an
//!    element so marked), is a search box, or is labelled as a filter, a sort or a
//!    close button. Everything else is locked as it appears (a `MutationObserver`
//!    follows the page): buttons are hidden, text fields become read-only text, other
//!    fields are disabled. A control added tomorrow is locked unless someone decides
//!    otherwise.
//! 3. `Session` refuses every edit of a view-only workspace, whatever a page offers.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, MutationObserver, MutationObserverInit};

/// Whether the open workspace is view-only (opened through a view link), for every page
/// and component of the workspace screen.
#[derive(Clone, Copy)]
pub struct ReadOnly(pub Signal<bool>);

/// Whether the workspace shown is view-only; false outside a workspace.
pub fn use_read_only() -> Signal<bool> {
    use_context::<ReadOnly>().map(|r| r.0).unwrap_or_else(|| Signal::stored(false))
}

/// Its children only where the workspace can be edited; `fallback` (if given) instead
/// in a view-only one. Wrap every edit affordance in it.
#[component]
pub fn Editable(#[prop(optional, into)] fallback: ViewFn, children: ChildrenFn) -> impl IntoView {
    let read_only = use_read_only();
    view! { <Show when=move || !read_only.get() fallback=fallback>{children()}</Show> }
}

/// A labelled field: its control (`children`) where the workspace can be edited, and
/// in a view-only one the value as plain text (`read`; a dash when empty).
#[component]
pub fn Field(
    #[prop(into)] label: String,
    /// The value as a reader sees it (a choice's label, not its key).
    #[prop(into)]
    read: Signal<String>,
    #[prop(optional, into)] hint: String,
    children: ChildrenFn,
) -> impl IntoView {
    let read_only = use_read_only();
    let hint = StoredValue::new((!hint.is_empty()).then_some(hint));
    let hint_view = move || hint.get_value().map(|h| view! { <span class="field-hint">{h}</span> });
    let label = StoredValue::new(label);
    view! {
        <Show
            when=move || !read_only.get()
            fallback=move || view! {
                <div class="field field-read">
                    <span class="field-label">{label.get_value()}</span>
                    <ReadText text=read/>
                    {hint_view}
                </div>
            }
        >
            <label class="field">
                <span class="field-label">{label.get_value()}</span>
                {children()}
                {hint_view}
            </label>
        </Show>
    }
}

/// A value shown as text in a view-only workspace: line breaks kept, a dash when empty.
#[component]
pub fn ReadText(#[prop(into)] text: Signal<String>) -> impl IntoView {
    view! {
        <p class="field-value" class:field-empty=move || text.with(|t| t.trim().is_empty())>
            {move || text.with(|t| if t.trim().is_empty() { "—".to_owned() } else { t.clone() })}
        </p>
    }
}

/// Whether a control only changes the view.
fn viewing_only(el: &Element) -> bool {
    if el.closest("[data-view]").ok().flatten().is_some() {
        return true;
    }
    if el.get_attribute("type").as_deref() == Some("search") {
        return true;
    }
    el.get_attribute("aria-label")
        .is_some_and(|l| ["Filter", "Sort", "Close", "Search"].iter().any(|p| l.starts_with(p)))
}

/// Locks every editing control under `root`.
pub fn lock(root: &Element) {
    let Ok(controls) = root.query_selector_all("button, input, textarea, select, [draggable=true], [contenteditable]") else { return };
    for i in 0..controls.length() {
        let Some(el) = controls.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        if viewing_only(&el) {
            continue;
        }
        if let Some(b) = el.dyn_ref::<HtmlButtonElement>() {
            if !b.hidden() {
                b.set_hidden(true);
            }
        } else if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            match input.type_().as_str() {
                "text" | "number" | "date" | "url" | "email" | "" => {
                    if !input.read_only() {
                        input.set_read_only(true);
                    }
                }
                _ => {
                    if !input.disabled() {
                        input.set_disabled(true);
                    }
                }
            }
        } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
            if !t.read_only() {
                t.set_read_only(true);
            }
        } else if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
            if !s.disabled() {
                s.set_disabled(true);
            }
        } else {
            let _ = el.remove_attribute("draggable");
            let _ = el.remove_attribute("contenteditable");
        }
    }
}

/// Keeps everything under `root` locked while `read_only` is true.
pub fn lock_while(root: NodeRef<leptos::html::Div>, read_only: Signal<bool>) {
    Effect::new(move |previous: Option<Option<MutationObserver>>| {
        if let Some(Some(old)) = previous {
            old.disconnect();
        }
        let el: Element = root.get()?.into();
        if !read_only.get() {
            return None;
        }
        lock(&el);
        let target = el.clone();
        let callback = Closure::<dyn FnMut()>::new(move || lock(&target));
        let observer = MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        // Lives as long as the observer, which the next run (or the screen's end) disconnects.
        callback.forget();
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let _ = observer.observe_with_options(&el, &options);
        // Disconnected when the screen goes too: a screen drawn next in the same place
        // (time travel's way back to now) must not be locked by this one.
        let gone = send_wrapper::SendWrapper::new(observer.clone());
        on_cleanup(move || gone.disconnect());
        Some(observer)
    });
}

#[cfg(test)]
mod tests {
    use leptos::prelude::*;
    use leptos::task::tick;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;

    use super::{use_read_only, Editable, Field, ReadOnly};
    use crate::components::{Capture, LongTextField, NumberField};

    wasm_bindgen_test_configure!(run_in_browser);

    /// Mounts `f` in a fresh element, under a workspace whose view-only flag is `flag`.
    fn mount(flag: RwSignal<bool>, f: impl FnOnce() -> AnyView + 'static) -> web_sys::Element {
        let el: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
        document().body().unwrap().append_child(&el).unwrap();
        leptos::mount::mount_to(el.clone(), move || {
            provide_context(ReadOnly(flag.into()));
            f()
        })
        .forget();
        el.into()
    }

    fn count(el: &web_sys::Element, css: &str) -> u32 {
        el.query_selector_all(css).unwrap().length()
    }

    #[wasm_bindgen_test]
    fn outside_a_workspace_nothing_is_read_only() {
        Owner::new().with(|| assert!(!use_read_only().get_untracked()));
    }

    #[wasm_bindgen_test]
    async fn the_shared_pieces_show_text_in_a_view_only_workspace_and_controls_otherwise() {
        let flag = RwSignal::new(true);
        let el = mount(flag, || {
            view! {
                <LongTextField label="Vision" value=Signal::stored("Phones first\nthen tablets".to_owned()) on_input=|_: String| panic!("edited")/>
                <LongTextField label="Name" value=Signal::stored(String::new()) single_line=true on_input=|_: String| panic!("edited")/>
                <NumberField label="Budget" value=Signal::stored(Some(120_000.0)) on_change=|_| panic!("edited")/>
                <Field label="Status" read=Signal::stored("Ready".to_owned())><select><option>"Ready"</option></select></Field>
                <Capture label="New idea" placeholder="" maxlength=50 button="Add" value=RwSignal::new(String::new()) on_submit=|| panic!("created")/>
                <Editable fallback=|| view! { <span class="instead">"Read only"</span> }><button>"Delete"</button></Editable>
            }
            .into_any()
        });
        let controls = "input, textarea, select, button, form";
        assert_eq!(count(&el, controls), 0, "no control in a view-only workspace: {}", el.inner_html());
        let text = el.text_content().unwrap_or_default();
        for shown in ["Vision", "Phones first\nthen tablets", "Budget", "120,000", "Status", "Ready", "Read only"] {
            assert!(text.contains(shown), "{shown:?} is shown: {text:?}");
        }
        assert_eq!(count(&el, ".field-value.field-empty"), 1, "an empty value reads as a dash");

        // The same pieces where the workspace can be edited, and back: it follows the flag.
        flag.set(false);
        tick().await;
        assert_eq!(
            [count(&el, "textarea"), count(&el, "input"), count(&el, "select"), count(&el, "button"), count(&el, "form"), count(&el, ".instead")],
            [1, 3, 1, 2, 1, 0],
            "{}",
            el.inner_html()
        );
        flag.set(true);
        tick().await;
        assert_eq!(count(&el, controls), 0, "{}", el.inner_html());
    }
}
