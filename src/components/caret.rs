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
        replace(new, focused, TextControl { value: input.value(), selection: || (input.selection_start(), input.selection_end()), set: |v: &str| input.set_value(v), select: |s, e| input.set_selection_range(s, e) });
    } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
        replace(new, focused, TextControl { value: area.value(), selection: || (area.selection_start(), area.selection_end()), set: |v: &str| area.set_value(v), select: |s, e| area.set_selection_range(s, e) });
    }
}

type Position = Result<Option<u32>, wasm_bindgen::JsValue>;

/// What `show` needs of an `<input>` or a `<textarea>` (they share no interface).
struct TextControl<G, S, P> {
    value: String,
    selection: G,
    set: S,
    select: P,
}

fn replace<G, S, P>(new: &str, focused: bool, c: TextControl<G, S, P>)
where
    G: Fn() -> (Position, Position),
    S: Fn(&str),
    P: Fn(u32, u32) -> Result<(), wasm_bindgen::JsValue>,
{
    if c.value == new {
        return;
    }
    let selection = focused.then(|| (c.selection)());
    (c.set)(new);
    if let Some((Ok(Some(start)), Ok(Some(end)))) = selection {
        let (start, end) = keep_selection(&c.value, new, (start, end));
        let _ = (c.select)(start, end);
    }
}
