//! A view-only workspace, by construction: every control in the workspace's content
//! is locked unless it only changes what *this* person sees.
//!
//! `Session` already refuses every edit of a view-only workspace; this makes the pages
//! say so instead of offering what would be refused. It denies by default: a control
//! stays usable only if it is marked `data-view` (or sits inside an element so marked),
//! is a search box, or is labelled as a filter, a sort or a close button. Everything
//! else is locked as it appears (a `MutationObserver` follows the page): buttons are
//! hidden, text fields become read-only text, other fields are disabled, and capture
//! forms disappear. A control added tomorrow is locked unless someone decides otherwise.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, MutationObserver, MutationObserverInit};

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
        // Lives as long as the observer, which the next run (or the page) disconnects.
        callback.forget();
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let _ = observer.observe_with_options(&el, &options);
        Some(observer)
    });
}
