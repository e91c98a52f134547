//! The idea editor: a side panel (full screen on phones) over the idea list.

use leptos::prelude::*;
use waymark_domain::edit::Edit;
use waymark_domain::schema::IDEAS;
use waymark_domain::{Id, Idea, IdeaLabel, IdeaStatus, IdeaText, Ref};

use crate::components::{Editable, Field, LongTextField, SideEditor, Toasts};
use crate::route::{navigate, Route};
use crate::session::use_session;
use crate::util::relative_time;

#[component]
pub fn IdeaEditor(id: Id) -> impl IntoView {
    let session = use_session();
    let id = StoredValue::new(id);
    view! {
        <SideEditor collection=session.get().idea_collection id=id close_to=Route::Ideas { ws: session.get().id.clone(), open: None } kind="Idea"
            missing="This idea doesn't exist here (it may have been deleted)."
            body=move |idea| view! { <EditorBody id=id idea=idea/> }/>
    }
}

/// Applies edits to one idea; a refused edit is shown, never swallowed.
#[derive(Clone, Copy)]
struct IdeaEdits {
    session: crate::session::SessionCtx,
    toasts: Toasts,
    id: StoredValue<Id>,
}

impl IdeaEdits {
    /// Sends the edit `make` builds for this idea.
    fn apply(self, make: impl FnOnce(Id) -> Edit) {
        if let Err(e) = self.session.get().apply(make(self.id.get_value())) {
            self.toasts.error(format!("That change could not be made: {e}"));
        }
    }
}

#[component]
fn EditorBody(id: StoredValue<Id>, idea: RwSignal<Idea>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let edit = IdeaEdits { session, toasts, id };
    // Parts that depend on one field re-render only when that field changes, not on
    // every keystroke elsewhere in the idea.
    let status = Memo::new(move |_| idea.with(|i| i.status));
    let tags = Memo::new(move |_| idea.with(|i| i.tags.clone()));
    let votes = Memo::new(move |_| idea.with(|i| i.votes));
    let title_ref = NodeRef::<leptos::html::Input>::new();
    // A freshly captured idea is usually renamed or described next.
    Effect::new(move |_| {
        if let Some(el) = title_ref.get() {
            if idea.with_untracked(|i| i.title.is_empty()) {
                let _ = el.focus();
            }
        }
    });
    let text_value = move |field: IdeaText| {
        Signal::derive(move || {
            idea.with(|i| match field {
                IdeaText::Title => i.title.clone(),
                IdeaText::Description => i.description.clone(),
                IdeaText::StatusReason => i.status_reason.clone(),
            })
        })
    };
    let set_text = move |field: IdeaText| move |v: String| edit.apply(move |id| Edit::IdeaText(id, field, v));
    let label_field = move |field: IdeaLabel, label: &'static str, placeholder: &'static str| {
        let value = Signal::derive(move || idea.with(|i| match field {
            IdeaLabel::Source => i.source.clone(),
            IdeaLabel::Submitter => i.submitter.clone(),
        }));
        view! {
            <Field label=label read=value>
                <input
                    class="field-input"
                    type="text"
                    maxlength="120"
                    placeholder=placeholder
                    prop:value=move || value.get()
                    on:change:target=move |ev| {
                        let v = ev.target().value();
                        edit.apply(move |id| Edit::IdeaLabel(id, field, v));
                    }
                />
            </Field>
        }
    };
    let set_status = move |s: IdeaStatus| edit.apply(move |id| Edit::IdeaStatus(id, s));
    let vote = move |d: i64| edit.apply(move |idea| Edit::Vote { idea, delta: d });
    let add_tag = move |tag: String| edit.apply(move |idea| Edit::IdeaTag { idea, tag, on: true });
    let remove_tag = move |tag: String| edit.apply(move |idea| Edit::IdeaTag { idea, tag, on: false });
    let delete = move || {
        let s = session.get();
        let idea_id = id.get_value();
        if let Err(e) = s.apply(Edit::Delete(Ref::new(IDEAS, idea_id.clone()))) {
            return toasts.error(format!("The idea could not be deleted: {e}"));
        }
        navigate(Route::Ideas { ws: s.id.clone(), open: None }, false);
        let title = idea.with_untracked(|i| i.title.clone());
        let message = format!("Deleted “{}”.", if title.is_empty() { "Untitled idea" } else { &title });
        toasts.with_action(message, "Undo", move || {
            if let Err(e) = session.get().apply(Edit::Restore(Ref::new(IDEAS, idea_id.clone()))) {
                toasts.error(format!("The idea could not be restored: {e}"));
            }
        });
    };
    let title_text = move || idea.with(|i| if i.title.trim().is_empty() { "Untitled idea".to_owned() } else { i.title.clone() });
    view! {
        <div class="editor-body stack">
            <Editable fallback=move || view! { <h2 class="editor-title">{title_text}</h2> }>
                <LongTextField
                    label="Title"
                    value=text_value(IdeaText::Title)
                    on_input=set_text(IdeaText::Title)
                    placeholder="What's the idea, in a few words?"
                    single_line=true
                    node_ref=title_ref
                />
            </Editable>
            <Editable fallback=move || view! {
                <div class="field field-read">
                    <span class="field-label">"Status"</span>
                    <p class="field-value"><span class=move || format!("badge status-{}", status.get().key())>{move || status.get().label()}</span></p>
                </div>
            }>
            <div class="field">
                <span class="field-label" id="status-label">"Status"</span>
                <div class="row wrap">
                    <select
                        class="field-input status-select"
                        aria-labelledby="status-label"
                        on:change:target=move |ev| {
                            if let Some(s) = IdeaStatus::parse(&ev.target().value()) {
                                set_status(s);
                            }
                        }
                    >
                        {IdeaStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.key() selected=move || status.get() == s>{s.label()}</option>
                        }).collect_view()}
                    </select>
                    {move || status.get().next_steps().iter().map(move |&s| view! {
                        <button class="btn btn-small" on:click=move |_| set_status(s)>{format!("→ {}", s.label())}</button>
                    }).collect_view()}
                </div>
            </div>
            </Editable>
            <crate::pages::roadmap::OnRoadmap idea=id.get_value() accepted=Signal::derive(move || status.get() == IdeaStatus::Accepted)/>
            <Show when=move || status.get().wants_reason()>
                <LongTextField
                    label="Reason for the decision"
                    value=text_value(IdeaText::StatusReason)
                    on_input=set_text(IdeaText::StatusReason)
                    placeholder="Why parked or rejected? Future you will ask."
                />
            </Show>
            <LongTextField
                label="Description"
                value=text_value(IdeaText::Description)
                on_input=set_text(IdeaText::Description)
                placeholder="The problem, who has it, what we know"
            />
            <div class="grid-2">
                {label_field(IdeaLabel::Source, "Source", "Customer call, support, sales…")}
                {label_field(IdeaLabel::Submitter, "Submitted by", "Who brought it in")}
            </div>
            <crate::components::TagEditor tags=tags on_add=add_tag on_remove=remove_tag/>
            <div class="field">
                <span class="field-label">"Votes"</span>
                <div class="row">
                    <Editable><button class="btn" aria-label="Add a vote" on:click=move |_| vote(1)>"▲ Vote"</button></Editable>
                    <output class="vote-count" aria-label="Votes">{move || votes.get()}</output>
                    <Editable>
                        <button class="btn btn-small" aria-label="Remove a vote" disabled=move || votes.get() <= 0 on:click=move |_| vote(-1)>"−"</button>
                    </Editable>
                </div>
            </div>
            <crate::pages::feedback::IdeaFeedback idea=id.get_value()/>
            <crate::components::LinkedDocs target=waymark_domain::Ref::new(waymark_domain::schema::IDEAS, id.get_value())/>
            <p class="muted small">
                {move || idea.with(|i| format!("Captured by {} · {}", if i.created_by.is_empty() { "someone" } else { &i.created_by }, relative_time(i.created_at as f64)))}
            </p>
            <Editable>
                <div class="row end">
                    <button class="btn btn-danger-ghost" on:click=move |_| delete()>"Delete idea"</button>
                </div>
            </Editable>
        </div>
    }
}
