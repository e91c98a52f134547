//! Fields bound to the document: every input event becomes an edit, and the shown
//! value is the document's. In a view-only workspace they show the value as text
//! (through `Field`), so no page has to remember to.

use leptos::prelude::*;

use super::caret::follow_text;
use super::read_only::Field;

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
    let on_input = StoredValue::new_local(on_input);
    let placeholder = StoredValue::new(placeholder);
    let control = move || {
        if single_line {
            view! {
                <input
                    node_ref=node_ref
                    type="text"
                    class="field-input"
                    placeholder=placeholder.get_value()
                    use:follow_text=value
                    on:input:target=move |ev| on_input.with_value(|f| f(ev.target().value()))
                />
            }
            .into_any()
        } else {
            view! {
                <textarea
                    class="field-input field-textarea"
                    placeholder=placeholder.get_value()
                    use:follow_text=value
                    on:input:target=move |ev| on_input.with_value(|f| f(ev.target().value()))
                ></textarea>
            }
            .into_any()
        }
    };
    view! { <Field label=label read=value hint=hint>{control()}</Field> }
}

/// A labelled number input; an empty or unreadable entry means "not set".
#[component]
pub fn NumberField(
    #[prop(into)] label: String,
    #[prop(into)] value: Signal<Option<f64>>,
    on_change: impl Fn(Option<f64>) + 'static,
    #[prop(optional, into)] hint: String,
) -> impl IntoView {
    let on_change = StoredValue::new_local(on_change);
    let read = Signal::derive(move || value.get().map(shown_number).unwrap_or_default());
    view! {
        <Field label=label read=read hint=hint>
            <input
                type="number"
                inputmode="decimal"
                step="any"
                class="field-input"
                prop:value=move || value.get().map(|v| v.to_string()).unwrap_or_default()
                on:change:target=move |ev| {
                    let raw = ev.target().value();
                    on_change.with_value(|f| f(raw.trim().parse::<f64>().ok().filter(|v| v.is_finite())));
                }
            />
        </Field>
    }
}

/// A number as a reader sees it: thousands grouped, at most two decimals.
fn shown_number(v: f64) -> String {
    if v.fract() == 0.0 {
        waymark_domain::format::group_thousands(v)
    } else {
        waymark_domain::ranking::number(v)
    }
}
