//! The tag editor every taggable artifact uses: its tags as chips, each removable, and
//! a one-line form to add one. In a view-only workspace, the tags as text. And the
//! filter by tag that lists of ideas share.

use leptos::prelude::*;
use waymark_domain::query::tag_counts;

use crate::session::use_session;

/// Every tag on a live idea with how many carry it, kept current as tags change.
pub fn idea_tag_counts() -> Memo<Vec<(String, usize)>> {
    let session = use_session().get();
    let (ideas, tags_version) = (session.ideas, session.tags_version);
    Memo::new(move |_| {
        tags_version.track();
        ideas.with_untracked(|map| {
            let guards: Vec<_> = map.values().map(|s| s.read_untracked()).collect();
            tag_counts(guards.iter().map(|g| &**g))
        })
    })
}

/// "Filter by tag": every tag with its count, or all of them.
#[component]
pub fn TagFilter(tags: Memo<Vec<(String, usize)>>, tag: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <select
            class="field-input"
            aria-label="Filter by tag"
            on:change:target=move |ev| {
                let v = ev.target().value();
                tag.set((!v.is_empty()).then_some(v));
            }
        >
            <option value="" selected=move || tag.with(Option::is_none)>"All tags"</option>
            {move || tags.get().into_iter().map(|(t, n)| {
                let label = format!("{t} ({n})");
                let value = t.clone();
                view! { <option value=value selected=move || tag.with(|x| x.as_deref() == Some(t.as_str()))>{label}</option> }
            }).collect_view()}
        </select>
    }
}

use super::read_only::{use_read_only, Editable};

/// Tags `tags`; `on_add` gets what was typed (the domain normalises it), `on_remove`
/// the tag to remove.
#[component]
pub fn TagEditor(#[prop(into)] tags: Signal<Vec<String>>, on_add: impl Fn(String) + 'static, on_remove: impl Fn(String) + 'static) -> impl IntoView {
    let read_only = use_read_only();
    let new_tag = RwSignal::new(String::new());
    let on_add = StoredValue::new_local(on_add);
    let on_remove = StoredValue::new_local(on_remove);
    view! {
        <div class="field">
            <span class="field-label">"Tags"</span>
            <div class="row wrap">
                {move || tags.get().into_iter().map(move |t| {
                    let label = format!("Remove tag {t}");
                    let tag = StoredValue::new(t.clone());
                    view! {
                        <span class="tag" class:tag-removable=move || !read_only.get()>
                            {t}
                            <Editable>
                                <button class="icon-btn small" aria-label=label.clone()
                                    on:click=move |_| on_remove.with_value(|f| f(tag.get_value()))>"×"</button>
                            </Editable>
                        </span>
                    }
                }).collect_view()}
                {move || (read_only.get() && tags.with(Vec::is_empty)).then(|| view! { <span class="muted">"No tags"</span> })}
                <Editable>
                    <form class="tag-form" on:submit=move |ev| {
                        ev.prevent_default();
                        let t = new_tag.get_untracked();
                        new_tag.set(String::new());
                        on_add.with_value(|f| f(t));
                    }>
                        <input class="field-input tag-input" type="text" aria-label="Add a tag" placeholder="Add tag…" maxlength="40"
                            prop:value=move || new_tag.get() on:input:target=move |ev| new_tag.set(ev.target().value()) />
                    </form>
                </Editable>
            </div>
        </div>
    }
}
