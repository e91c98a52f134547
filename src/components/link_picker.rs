//! The one way to link something: a search that offers matching items to link, each
//! with one click (Enter links the first). Not there in a view-only workspace.

use leptos::prelude::*;
use waymark_domain::Id;

use super::read_only::Editable;

/// Something a picker offers to link.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub id: Id,
    pub title: String,
    /// A badge after the title: its text and its class.
    pub badge: Option<(&'static str, String)>,
}

/// `suggestions` are what matches `query`, best first (the caller finds them);
/// `on_link` links one. `children` sit beside the search (e.g. "Write a spec").
#[component]
pub fn LinkPicker(
    /// The search's accessible name ("Link to an idea").
    #[prop(into)]
    label: String,
    #[prop(into)] placeholder: String,
    /// The suggestions' accessible name ("Ideas to link").
    #[prop(into)]
    list_label: String,
    /// Shown when what is typed matches nothing.
    #[prop(into)]
    none: String,
    query: RwSignal<String>,
    #[prop(into)] suggestions: Signal<Vec<Suggestion>>,
    on_link: impl Fn(Id) + 'static,
    #[prop(optional)] children: Option<ChildrenFn>,
) -> impl IntoView {
    let on_link = StoredValue::new_local(on_link);
    let texts = StoredValue::new((label, placeholder, list_label, none));
    let children = StoredValue::new(children);
    let link = move |id: Id| {
        on_link.with_value(|f| f(id));
        query.set(String::new());
    };
    let link_first = move || {
        if let Some(first) = suggestions.with_untracked(|l| l.first().map(|s| s.id.clone())) {
            link(first);
        }
    };
    view! {
        <Editable>
            <div class="link-picker">
                <input class="field-input link-picker-search" type="search" aria-label=texts.with_value(|t| t.0.clone())
                    placeholder=texts.with_value(|t| t.1.clone())
                    prop:value=move || query.get()
                    on:input:target=move |ev| query.set(ev.target().value())
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); link_first(); } />
                {children.with_value(|c| c.as_ref().map(|c| c()))}
            </div>
            {move || {
                let found = suggestions.get();
                if found.is_empty() {
                    return query.with(|q| !q.trim().is_empty()).then(|| view! { <p class="muted small">{texts.with_value(|t| t.3.clone())}</p> }.into_any());
                }
                Some(view! {
                    <ul class="suggestions" aria-label=texts.with_value(|t| t.2.clone())>
                        {found.into_iter().map(|s| {
                            let id = s.id.clone();
                            view! {
                                <li>
                                    <button class="link-btn" on:click=move |_| link(id.clone())>{format!("+ {}", s.title)}</button>
                                    {s.badge.map(|(text, class)| view! { " " <span class=class>{text}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any())
            }}
        </Editable>
    }
}
