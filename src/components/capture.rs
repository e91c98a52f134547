//! Quick capture: one line and a button that add something to the workspace (an idea,
//! a persona, a story, feedback, a document). Never shown in a view-only workspace.

use leptos::prelude::*;

use super::read_only::Editable;

/// A capture form: `value` is the line typed, `on_submit` adds it; `children` (if any)
/// sit between the line and the button (e.g. the kind of the new thing).
#[component]
pub fn Capture(
    /// The line's accessible name ("New idea").
    #[prop(into)]
    label: String,
    #[prop(into)] placeholder: String,
    maxlength: u32,
    /// The button's text ("Add").
    #[prop(into)]
    button: String,
    value: RwSignal<String>,
    on_submit: impl Fn() + Copy + Send + Sync + 'static,
    #[prop(optional, into)] class: String,
    #[prop(default = NodeRef::new())] node_ref: NodeRef<leptos::html::Input>,
    #[prop(optional)] children: Option<ChildrenFn>,
) -> impl IntoView {
    let class = if class.is_empty() { "capture".to_owned() } else { format!("capture {class}") };
    let (label, placeholder, button) = (StoredValue::new(label), StoredValue::new(placeholder), StoredValue::new(button));
    let children = StoredValue::new(children);
    view! {
        <Editable>
            <form class=class.clone() on:submit=move |ev| { ev.prevent_default(); on_submit(); }>
                <input
                    node_ref=node_ref
                    class="field-input capture-input"
                    type="text"
                    aria-label=label.get_value()
                    placeholder=placeholder.get_value()
                    maxlength=maxlength.to_string()
                    prop:value=move || value.get()
                    on:input:target=move |ev| value.set(ev.target().value())
                />
                {children.with_value(|c| c.as_ref().map(|c| c()))}
                <button type="submit" class="btn btn-primary">{button.get_value()}</button>
            </form>
        </Editable>
    }
}
