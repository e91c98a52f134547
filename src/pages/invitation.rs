//! `/invitation`: joining a workspace with no server. The person pastes the invitation
//! a teammate copied across, sends the answer shown back the same way, and the
//! workspace arrives over the direct connection that opens (see `crate::sync::invite`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{use_store, TopBar};
use crate::components::CopyButton;
use crate::route::{navigate, Link, Route};

/// Where answering stands.
#[derive(Clone, PartialEq)]
enum Step {
    Paste,
    Answering,
    /// The answer is made: waiting for the inviter to take it, then for the workspace.
    Waiting { name: String, answer: String },
    Failed(String),
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let store = StoredValue::new_local(use_store());
    let text = RwSignal::new(String::new());
    let step = RwSignal::new(Step::Paste);
    // The worker's fetch, to give up if the person leaves before it ends.
    let fetching = RwSignal::new(None::<String>);
    let answer = move || {
        let (store, pasted) = (store.get_value(), text.get_untracked());
        step.set(Step::Answering);
        spawn_local(async move {
            let accepting = match crate::sync::invite::accept(store, &pasted).await {
                Ok(accepting) => accepting,
                Err(e) => return step.set(Step::Failed(e)),
            };
            fetching.set(accepting.fetching().map(str::to_owned));
            step.set(Step::Waiting { name: accepting.name.clone(), answer: accepting.answer.clone() });
            let arrived = accepting.arrived.await;
            let _ = fetching.try_set(None);
            match arrived {
                Ok(id) => navigate(Route::Brief { ws: id }, true),
                Err(e) => drop(step.try_set(Step::Failed(e))),
            }
        });
    };
    on_cleanup(move || {
        if let Some(doc) = fetching.try_get_untracked().flatten() {
            crate::sync::invite::give_up(doc);
        }
    });
    view! {
        <TopBar/>
        <main class="invitation-page">
            <h1>"Join with an invitation"</h1>
            <p class="muted">
                "A teammate can invite you with no server at all: they send you an invitation (in a chat or an e-mail), you send back the answer this page makes, and the workspace comes straight from their browser to yours."
            </p>
            {move || match step.get() {
                Step::Paste | Step::Answering => view! {
                    <form class="invitation-form" on:submit=move |ev| { ev.prevent_default(); answer(); }>
                        <label class="field">
                            <span class="field-label">"Invitation"</span>
                            <textarea
                                class="field-input field-textarea invitation-text"
                                rows="4"
                                placeholder="waymark-invitation.1.…"
                                prop:value=move || text.get()
                                on:input:target=move |ev| text.set(ev.target().value())
                            ></textarea>
                        </label>
                        <div class="dialog-actions">
                            <Link to=Route::Home class="btn">"Cancel"</Link>
                            <button type="submit" class="btn btn-primary" disabled=move || step.get() == Step::Answering || text.get().trim().is_empty()>
                                {move || if step.get() == Step::Answering { "Answering…" } else { "Answer the invitation" }}
                            </button>
                        </div>
                    </form>
                }
                .into_any(),
                Step::Waiting { name, answer } => view! {
                    <section class="invitation-answer">
                        <h2>{format!("Invitation to “{name}”")}</h2>
                        <p>"Send this answer back to whoever invited you, the way the invitation came. The workspace opens here as soon as they paste it."</p>
                        <div class="share-link-row">
                            <textarea class="field-input field-textarea invitation-text" rows="4" readonly aria-label="Your answer" prop:value=answer.clone()></textarea>
                        </div>
                        <div class="dialog-actions">
                            <Link to=Route::Home class="btn">"Cancel"</Link>
                            <CopyButton text=answer label="Copy answer"/>
                        </div>
                        <p class="invitation-waiting" role="status">"Waiting for them to paste your answer…"</p>
                    </section>
                }
                .into_any(),
                Step::Failed(message) => view! {
                    <section class="invitation-failed" role="alert">
                        <h2>"The invitation didn't work"</h2>
                        <p class="join-error">{message}</p>
                        <div class="dialog-actions">
                            <button class="btn btn-primary" on:click=move |_| step.set(Step::Paste)>"Try again"</button>
                            <Link to=Route::Home class="btn">"Your workspaces"</Link>
                        </div>
                    </section>
                }
                .into_any(),
            }}
            <p class="muted small invitation-needs">
                "This works when your two browsers can reach each other: on the same computer or the same network. "
                "Across the internet both need the same STUN or TURN server (added in a shared workspace's Share dialog); no outside service is contacted otherwise. "
                "Keep this tab open until the workspace arrives."
            </p>
        </main>
    }
}
