//! `/invitation`: joining a workspace with no server. The person pastes the invitation
//! a teammate copied across, sends the answer shown back the same way, and the
//! workspace arrives over the direct connection that opens (see `crate::sync::invite`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::channel::oneshot;
use futures::future::{select, Either};
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
    // Whether the connection opened (the workspace is then on its way).
    let connected = RwSignal::new(false);
    // The person left this page: what is under way is given up (its connection closes).
    let left = Arc::new(AtomicBool::new(false));
    let leaving = Arc::new(Mutex::new(None::<oneshot::Sender<()>>));
    on_cleanup({
        let (left, leaving) = (Arc::clone(&left), Arc::clone(&leaving));
        move || {
            left.store(true, Ordering::Relaxed);
            if let Some(tx) = leaving.lock().ok().and_then(|mut l| l.take()) {
                let _ = tx.send(());
            }
        }
    });
    let page = StoredValue::new((left, leaving));
    let answer = move || {
        let (store, pasted) = (store.get_value(), text.get_untracked());
        let (left, leaving) = page.get_value();
        let (tx, gone) = oneshot::channel();
        if let Ok(mut l) = leaving.lock() {
            *l = Some(tx);
        }
        step.set(Step::Answering);
        connected.set(false);
        spawn_local(async move {
            let accepting = match crate::sync::invite::accept(store, &pasted).await {
                Ok(accepting) => accepting,
                Err(e) => return drop(step.try_set(Step::Failed(e))),
            };
            let fetch = accepting.fetching().map(str::to_owned);
            if left.load(Ordering::Relaxed) {
                return fetch.into_iter().for_each(crate::sync::invite::give_up);
            }
            step.set(Step::Waiting { name: accepting.name.clone(), answer: accepting.answer.clone() });
            let connecting = accepting.connected;
            spawn_local(async move {
                if connecting.await {
                    connected.try_set(true);
                }
            });
            match select(accepting.arrived, gone).await {
                Either::Left((Ok(id), _)) => navigate(Route::Brief { ws: id }, true),
                Either::Left((Err(e), _)) => drop(step.try_set(Step::Failed(e))),
                // Left: dropping what was under way closes its connection.
                Either::Right(_) => fetch.into_iter().for_each(crate::sync::invite::give_up),
            }
        });
    };
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
                        <p class="invitation-waiting" role="status">
                            {move || if connected.get() { "Connected: receiving the workspace…" } else { "Waiting for them to paste your answer…" }}
                        </p>
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
