//! Text controls that show a document value without moving the caret of the person
//! typing in them: a teammate's edit (or another tab's) lands around the caret, and the
//! caret and selection stay on the same text.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use waymark_domain::caret::keep_selection;
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};

/// A directive for a text `<input>` or `<textarea>`: `use:follow_text=value` keeps the
/// control showing `value`, keeping a focused person's caret and selection in place.
/// Use it instead of `prop:value` on every field bound to the document.
pub fn follow_text(el: Element, value: Signal<String>) {
    let el = send_wrapper::SendWrapper::new(el);
    Effect::new(move |_| {
        let new = value.get();
        show(&el, &new);
    });
}

/// Shows `new` in the control `el`, if it is not what it shows already.
pub fn show(el: &Element, new: &str) {
    let focused = document().active_element().is_some_and(|a| &a == el);
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        let old = input.value();
        if old == new {
            return;
        }
        let selection = focused.then(|| (input.selection_start().ok().flatten(), input.selection_end().ok().flatten()));
        input.set_value(new);
        if let Some((Some(start), Some(end))) = selection {
            let (start, end) = keep_selection(&old, new, (start, end));
            let _ = input.set_selection_range(start, end);
        }
    } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
        let old = area.value();
        if old == new {
            return;
        }
        let selection = focused.then(|| (area.selection_start().ok().flatten(), area.selection_end().ok().flatten()));
        area.set_value(new);
        if let Some((Some(start), Some(end))) = selection {
            let (start, end) = keep_selection(&old, new, (start, end));
            let _ = area.set_selection_range(start, end);
        }
    }
}
