//! The comments on an artifact, at the foot of its editor: who said what and when, a
//! box to add one, and × on your own. A teammate's comment appears as it arrives.

use leptos::prelude::*;
use waymark_domain::edit::Edit;
use waymark_domain::{Id, Ref};

use super::read_only::Editable;
use super::Toasts;
use crate::session::use_session;
use crate::util::relative_time;

#[component]
pub fn Comments(target: Ref) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let changes = session.get().changes;
    // Bumped by this person's own comment, which shows at once (before it is saved).
    let posted = RwSignal::new(0u64);
    let target = StoredValue::new(target);
    let me = session.get().me().to_owned();
    // Read again after every change; the document may be in the worker, so the read
    // is answered later. Answers to older reads are dropped.
    let list = RwSignal::new(Vec::<waymark_domain::comments::Comment>::new());
    let reads = StoredValue::new(0u64);
    Effect::new(move |_| {
        changes.track();
        posted.track();
        reads.update_value(|n| *n += 1);
        let this_read = reads.get_value();
        let (s, target) = (session.get(), target.get_value());
        leptos::task::spawn_local(async move {
            let comments = s.comments(target).await;
            if reads.try_get_value() == Some(this_read) {
                list.try_set(comments);
            }
        });
    });
    let draft = RwSignal::new(String::new());
    let edit = move |edit: Edit| match session.get().apply(edit) {
        Ok(_) => {
            posted.update(|n| *n += 1);
            true
        }
        Err(e) => {
            toasts.error(format!("The comment could not be saved: {e}"));
            false
        }
    };
    let post = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        if edit(Edit::Comment { target: target.get_value(), text }) {
            draft.set(String::new());
        }
    };
    view! {
        <section class="comments" aria-label="Comments">
            <h3 class="rows-title">{move || match list.with(Vec::len) { 0 => "Comments".to_owned(), n => format!("Comments ({n})") }}</h3>
            {move || list.with(Vec::is_empty).then(|| view! { <p class="muted small">"No comments yet."</p> })}
            <ol class="comment-list">
                {move || list.get().into_iter().map(|c| {
                    let mine = c.author == me;
                    let id: Id = c.id.clone();
                    let when = if c.at_ms > 0 { relative_time(c.at_ms as f64) } else { String::new() };
                    let author = if c.author.trim().is_empty() { "Someone".to_owned() } else { c.author.clone() };
                    let remove = format!("Delete your comment “{}”", c.text.chars().take(40).collect::<String>());
                    view! {
                        <li class="comment">
                            <p class="comment-head">
                                <strong>{author}</strong>
                                <span class="muted small">{when}</span>
                                {mine.then(|| {
                                    let (id, remove) = (StoredValue::new(id), StoredValue::new(remove));
                                    view! {
                                        <Editable>
                                            <button class="icon-btn small" aria-label=move || remove.get_value() on:click=move |_| {
                                                edit(Edit::DeleteComment { target: target.get_value(), comment: id.get_value() });
                                            }>"×"</button>
                                        </Editable>
                                    }
                                })}
                            </p>
                            <p class="comment-text">{c.text}</p>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <Editable>
                <form class="comment-form" on:submit=move |ev| {
                    ev.prevent_default();
                    post();
                }>
                    <textarea class="field-input" rows="2" aria-label="Add a comment" placeholder="Add a comment… (Ctrl+Enter to post)"
                        prop:value=move || draft.get()
                        on:input:target=move |ev| draft.set(ev.target().value())
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                                ev.prevent_default();
                                post();
                            }
                        }
                    ></textarea>
                    <button class="btn btn-small" type="submit" disabled=move || draft.with(|d| d.trim().is_empty())>"Comment"</button>
                </form>
            </Editable>
        </section>
    }
}
