//! Fields bound to the document: every input event becomes an edit, and the shown
//! value is the document's.

use leptos::prelude::*;

/// A labelled, auto-growing text area (or a one-line input) for a long-text field.
#[component]
pub fn LongTextField(
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<String>,
    on_input: impl Fn(String) + 'static,
    #[prop(optional, into)] placeholder: String,
    #[prop(optional, into)] hint: String,
    /// A single line (an `<input>`) rather than a text area.
    #[prop(optional)]
    single_line: bool,
    #[prop(default = NodeRef::new())] node_ref: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let on_input = std::rc::Rc::new(on_input);
    let field = if single_line {
        let on_input = on_input.clone();
        view! {
            <input
                node_ref=node_ref
                type="text"
                class="field-input"
                placeholder=placeholder
                prop:value=move || value.get()
                on:input:target=move |ev| on_input(ev.target().value())
            />
        }
        .into_any()
    } else {
        view! {
            <textarea
                class="field-input field-textarea"
                placeholder=placeholder
                prop:value=move || value.get()
                on:input:target=move |ev| on_input(ev.target().value())
            ></textarea>
        }
        .into_any()
    };
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            {field}
            {(!hint.is_empty()).then(|| view! { <span class="field-hint">{hint}</span> })}
        </label>
    }
}

/// A labelled number input; an empty or unreadable entry means "not set".
#[component]
pub fn NumberField(
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<Option<f64>>,
    on_change: impl Fn(Option<f64>) + 'static,
    #[prop(optional, into)] hint: String,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
            <input
                type="number"
                inputmode="decimal"
                step="any"
                class="field-input"
                prop:value=move || value.get().map(|v| v.to_string()).unwrap_or_default()
                on:change:target=move |ev| {
                    let raw = ev.target().value();
                    on_change(raw.trim().parse::<f64>().ok().filter(|v| v.is_finite()));
                }
            />
            {(!hint.is_empty()).then(|| view! { <span class="field-hint">{hint}</span> })}
        </label>
    }
}
