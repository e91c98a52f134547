//! The share dialog's "Invite without a server": an invitation to copy across by hand
//! (its keys, and this tab's offer for a direct connection), and the answer pasted
//! back, so a teammate on the same network connects with no server at all. The other
//! side is `crate::pages::invitation`.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::CopyButton;
use crate::session::use_session;
use crate::sync::Engine;

/// Where an invitation stands.
#[derive(Clone, PartialEq)]
enum State {
    Idle,
    Making,
    /// The invitation (its number and text) waits for its answer.
    Waiting { id: u64, text: String },
    Connecting { id: u64, text: String },
    Connected,
    Failed(String),
}

#[component]
pub fn InviteDirectly(engine: Rc<Engine>) -> impl IntoView {
    let session = use_session();
    let engine = StoredValue::new_local(engine);
    let can_edit = RwSignal::new(true);
    let state = RwSignal::new(State::Idle);
    let answer = RwSignal::new(String::new());
    // A pasted answer that was refused: said under it, the invitation still open.
    let refused = RwSignal::new(None::<String>);
    // An invitation not answered is given up when another replaces it or the dialog
    // closes (its connection would wait for nothing).
    let withdraw = move || {
        if let State::Waiting { id, .. } | State::Connecting { id, .. } = state.get_untracked() {
            engine.with_value(|e| e.direct.withdraw(id));
        }
    };
    on_cleanup(move || {
        // (One connecting goes on: it opens, or is given up, by itself.)
        if let Some(State::Waiting { id, .. }) = state.try_get_untracked() {
            engine.try_with_value(|e| e.direct.withdraw(id));
        }
    });
    let make = move |_| {
        withdraw();
        state.set(State::Making);
        answer.set(String::new());
        refused.set(None);
        let (engine, s) = (engine.get_value(), session.get());
        spawn_local(async move {
            let cap = engine.capability();
            let fragment = if can_edit.get_untracked() { cap.edit_fragment().unwrap_or_else(|| cap.view_fragment()) } else { cap.view_fragment() };
            let made = match s.identity().await {
                Ok((workspace, name)) => engine.direct.invite(fragment, workspace, name).await,
                Err(e) => Err(e),
            };
            let id = made.as_ref().ok().map(|(id, _)| *id);
            let closed = state
                .try_set(match made {
                    Ok((id, text)) => State::Waiting { id, text },
                    Err(e) => State::Failed(e),
                })
                .is_some();
            // The dialog closed meanwhile: nobody will see this invitation.
            if let Some(id) = id.filter(|_| closed) {
                engine.direct.withdraw(id);
            }
        });
    };
    let connect = move || {
        let State::Waiting { id, text } = state.get_untracked() else { return };
        state.set(State::Connecting { id, text: text.clone() });
        refused.set(None);
        let engine = engine.get_value();
        spawn_local(async move {
            let cap = engine.capability();
            if let Err(e) = engine.direct.take_answer(&answer.get_untracked(), &cap).await {
                // A wrong answer leaves the invitation open for the right one.
                if engine.direct.has(id) {
                    state.try_set(State::Waiting { id, text });
                    return drop(refused.try_set(Some(e)));
                }
                return drop(state.try_set(State::Failed(e)));
            }
            let open = engine.direct.when_settled(id).await;
            // Unless a newer invitation took its place meanwhile.
            if matches!(state.try_get_untracked(), Some(State::Connecting { id: now, .. }) if now == id) {
                state.set(if open {
                    State::Connected
                } else {
                    State::Failed("The connection did not open. Check that you are both on the same network (or that both browsers have the same STUN or TURN server), then make a new invitation.".into())
                });
            }
        });
    };
    let invitation = move || match state.get() {
        State::Waiting { text, .. } | State::Connecting { text, .. } => Some(text),
        _ => None,
    };
    view! {
        <section class="share-link invite-directly">
            <h3>"Invite without a server"</h3>
            <p>
                "For a teammate on the same network (or this computer) when no server is running: send them an invitation in a chat or an e-mail, and paste the answer they send back. "
                "The invitation holds this workspace's keys, like a link. Keep this dialog open until they are connected."
            </p>
            <div class="invite-make">
                <label class="field invite-access">
                    <span class="field-label">"They can"</span>
                    <select class="field-input" on:change:target=move |ev| can_edit.set(ev.target().value() == "edit")>
                        <option value="edit" selected=move || can_edit.get()>"Edit"</option>
                        <option value="view" selected=move || !can_edit.get()>"View"</option>
                    </select>
                </label>
                <button class="btn" on:click=make disabled=move || state.get() == State::Making>
                    {move || if state.get() == State::Making { "Making an invitation…" } else { "Create an invitation" }}
                </button>
            </div>
            {move || invitation().map(|text| view! {
                <div class="share-link-row">
                    <textarea class="field-input field-textarea invitation-text" rows="3" readonly aria-label="Invitation" prop:value=text.clone()></textarea>
                    <CopyButton text=text label="Copy"/>
                </div>
                <form class="invite-answer" on:submit=move |ev| { ev.prevent_default(); connect(); }>
                    <label class="field">
                        <span class="field-label">"Their answer"</span>
                        <textarea
                            class="field-input field-textarea invitation-text"
                            rows="3"
                            placeholder="waymark-answer.1.…"
                            prop:value=move || answer.get()
                            on:input:target=move |ev| {
                                answer.set(ev.target().value());
                                refused.set(None);
                            }
                        ></textarea>
                    </label>
                    {move || refused.get().map(|e| view! { <p class="invite-status ice-error" role="alert">{e}</p> })}
                    <button type="submit" class="btn btn-primary" disabled=move || answer.get().trim().is_empty() || matches!(state.get(), State::Connecting { .. })>
                        {move || if matches!(state.get(), State::Connecting { .. }) { "Connecting…" } else { "Connect" }}
                    </button>
                </form>
            })}
            {move || match state.get() {
                State::Connected => Some(view! { <p class="invite-status" role="status">"Connected directly: changes now flow between you with no server."</p> }.into_any()),
                State::Failed(e) => Some(view! { <p class="invite-status ice-error" role="alert">{e}</p> }.into_any()),
                _ => None,
            }}
        </section>
    }
}
