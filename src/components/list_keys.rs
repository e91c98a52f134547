//! The same keys in every list of a workspace: `n` a new item (the list's capture
//! line), `/` search, `j` and `k` the next and previous item, `Enter` opens the focused
//! one (it is a link), `e` edits the title of the open item (opening the focused one
//! first), `Esc` closes it (`SideEditor`). None of them while typing in a field, over
//! a dialog, or with Ctrl, ⌘ or Alt held.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::util::typing_in_field;

/// The list's capture line, its search field, its items (links that open them), and
/// the open item's first text field (its title).
const NEW: &str = "main .capture-input";
const SEARCH: &str = "main [role=search] input[type=search]";
const ITEMS: &str = "main .idea-row > a, main a.item-link, main a.persona-card";
const TITLE: &str = "aside.editor input.field-input[type=text], aside.editor textarea.field-input";

/// How many frames `e` waits for the editor of the item it opened.
const OPEN_FRAMES: u32 = 60;

/// The elements matching `css` that are shown (a list hidden behind an open item on a
/// phone is not).
fn shown(css: &str) -> Vec<Element> {
    let Ok(list) = document().query_selector_all(css) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).filter(|e| { let r = e.get_bounding_client_rect(); r.width() > 0.0 || r.height() > 0.0 }).collect()
}

fn first(css: &str) -> Option<HtmlElement> {
    shown(css).into_iter().next().and_then(|e| e.dyn_into().ok())
}

fn focus(el: &HtmlElement) {
    let _ = el.focus();
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
    el.scroll_into_view_with_scroll_into_view_options(&options);
}

/// Whether list item `el` is the open one (its row is marked so).
fn is_open(el: &Element) -> bool {
    el.get_attribute("aria-current").as_deref() == Some("true")
        || el.closest(".active").ok().flatten().is_some()
        || el.query_selector(".active").ok().flatten().is_some()
}

/// Moves the focus `by` items along the list: from the focused item, else the open
/// one, else from before the first.
fn step(by: isize) {
    let items = shown(ITEMS);
    if items.is_empty() {
        return;
    }
    let active = document().active_element();
    let at = items
        .iter()
        .position(|e| Some(e) == active.as_ref())
        .or_else(|| items.iter().position(is_open));
    let next = match at {
        Some(i) => (i as isize + by).clamp(0, items.len() as isize - 1) as usize,
        None if by > 0 => 0,
        None => items.len() - 1,
    };
    if let Some(el) = items[next].dyn_ref::<HtmlElement>() {
        focus(el);
    }
}

/// Focuses the open item's title, waiting up to `frames` frames for its editor.
fn edit_title(frames: u32) {
    match first(TITLE) {
        Some(title) => {
            focus(&title);
            if let Some(input) = title.dyn_ref::<web_sys::HtmlInputElement>() {
                let end = input.value().len() as u32;
                let _ = input.set_selection_range(end, end);
            }
        }
        None if frames > 0 => request_animation_frame(move || edit_title(frames - 1)),
        None => {}
    }
}

/// The keys of every list, for as long as the workspace is on screen.
#[component]
pub fn ListKeys() -> impl IntoView {
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing_in_field(&ev) {
            return;
        }
        let over_dialog = || document().query_selector("[aria-modal=true]").ok().flatten().is_some();
        let run: Box<dyn Fn()> = match ev.key().as_str() {
            "n" => match first(NEW) {
                Some(el) => Box::new(move || focus(&el)),
                None => return,
            },
            "/" => match first(SEARCH) {
                Some(el) => Box::new(move || focus(&el)),
                None => return,
            },
            "j" => Box::new(|| step(1)),
            "k" => Box::new(|| step(-1)),
            "e" => Box::new(|| {
                // The focused item opens first, unless it is the open one.
                let focused = document().active_element().filter(|e| e.matches(ITEMS).unwrap_or(false));
                if let Some(item) = focused.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                    if !is_open(&item) {
                        item.click();
                    }
                }
                edit_title(OPEN_FRAMES);
            }),
            _ => return,
        };
        if over_dialog() {
            return;
        }
        ev.prevent_default();
        run();
    });
    on_cleanup(move || keys.remove());
}
