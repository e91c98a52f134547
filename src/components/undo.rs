//! Undo and redo of the person's own edits in every section (Ctrl/⌘ Z, Ctrl/⌘ Shift Z
//! or Ctrl Y), as the palette's actions too. A teammate's edits are never undone: the
//! document worker makes the inverse of the person's own last step as a new change
//! (`waymark_domain::undo`). While a text field has the focus, the keys are the
//! field's own.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::palette::offer_action;
use super::Toasts;
use crate::session::{use_session, SessionCtx};

/// What the undo notices are about: the latest replaces the one before, whose button
/// would now undo or redo something else.
const UNDO: &str = "undo";

/// Whether `ev` is typed into a field that undoes its own typing.
fn in_text_field(ev: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    match el.tag_name().as_str() {
        "TEXTAREA" => true,
        "INPUT" => !matches!(el.get_attribute("type").unwrap_or_default().as_str(), "checkbox" | "radio" | "range" | "button" | "submit" | "color" | "file"),
        _ => el.has_attribute("contenteditable"),
    }
}

/// Undoes (`redo`: redoes) the person's last step and says what it did.
fn run(ctx: SessionCtx, toasts: Toasts, redo: bool) {
    // The workspace may have closed since the toast offering this was shown.
    let Some(session) = ctx.0.try_get_value() else { return };
    spawn_local(async move {
        let (did, again, nothing) = if redo { ("Redid", "Undo", "Nothing to redo.") } else { ("Undid", "Redo", "Nothing to undo.") };
        match session.undo(redo).await {
            Ok(None) => {
                toasts.resolved(UNDO);
                toasts.info(nothing)
            }
            Ok(Some(what)) if what.is_empty() => toasts.info("Nothing changed: teammates have changed that since."),
            Ok(Some(what)) => {
                // The button means this change: after another edit, it would undo (or
                // redo) something else.
                let edits = session.edits_made();
                let session = ctx;
                toasts.latest_with_action(UNDO, format!("{did} your change to {what}"), again, move || match session.0.try_get_value() {
                    Some(s) if s.edits_made() != edits => toasts.info(if redo { "You have edited since: Ctrl Z undoes your latest edit." } else { "You have edited since: there is nothing to redo." }),
                    _ => run(ctx, toasts, !redo),
                })
            }
            Err(e) => toasts.error(format!("That could not be undone: {e}")),
        }
    });
}

/// The undo and redo keys and palette actions of a workspace one may edit.
#[component]
pub fn UndoKeys() -> impl IntoView {
    let (ctx, toasts) = (use_session(), Toasts::get());
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if !(ev.ctrl_key() || ev.meta_key()) || ev.alt_key() || in_text_field(&ev) {
            return;
        }
        let key = ev.key().to_ascii_lowercase();
        let redo = match key.as_str() {
            "z" => ev.shift_key(),
            "y" if ev.ctrl_key() => true,
            _ => return,
        };
        // Not behind a dialog, which has the person's attention.
        if document().query_selector("[aria-modal=true]").ok().flatten().is_some() {
            return;
        }
        ev.prevent_default();
        run(ctx, toasts, redo);
    });
    on_cleanup(move || keys.remove());
    offer_action("Undo your last edit", move || run(ctx, toasts, false));
    offer_action("Redo what you undid", move || run(ctx, toasts, true));
}
