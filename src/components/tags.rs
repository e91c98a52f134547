//! The tag editor every taggable artifact uses: its tags as chips, each removable, and
//! a one-line form to add one. In a view-only workspace, the tags as text.

use leptos::prelude::*;

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
