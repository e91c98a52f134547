//! A checklist field (a release's readiness per function): one row per item with its
//! state, owner and note, each saved as it changes. In a view-only workspace, text.

use leptos::prelude::*;
use waymark_domain::kind::{choice_label, Check, CheckPart};

use super::read_only::Editable;

#[component]
pub fn Checklist(
    label: &'static str,
    items: &'static [(&'static str, &'static str)],
    states: &'static [(&'static str, &'static str)],
    #[prop(into)] value: Signal<Vec<Check>>,
    on_set: impl Fn(&'static str, CheckPart, String) + 'static,
) -> impl IntoView {
    let on_set = StoredValue::new_local(on_set);
    let row = move |(key, name): (&'static str, &'static str)| {
        let check = Memo::new(move |_| value.with(|v| v.iter().find(|c| c.item == key).cloned()));
        let state = Memo::new(move |_| check.with(|c| c.as_ref().and_then(|c| c.state)));
        let owner = Memo::new(move |_| check.with(|c| c.as_ref().map(|c| c.owner.clone()).unwrap_or_default()));
        let note = Memo::new(move |_| check.with(|c| c.as_ref().map(|c| c.note.clone()).unwrap_or_default()));
        let set = move |part: CheckPart, v: String| on_set.with_value(|f| f(key, part, v));
        let shown_state = move || state.get().map_or("Not started", |s| choice_label(states, s));
        view! {
            <tr class=move || format!("check-row check-{}", state.get().unwrap_or("not_started"))>
                <th scope="row">{name}</th>
                <td>
                    <Editable fallback=move || view! { <span class="check-state">{shown_state}</span> }>
                        <select class="field-input" aria-label=format!("{name} readiness")
                            on:change:target=move |ev| set(CheckPart::State, ev.target().value())>
                            <option value="" selected=move || state.get().is_none()>"Not started"</option>
                            {states.iter().filter(|(k, _)| *k != "not_started").map(|(k, l)| view! {
                                <option value=*k selected=move || state.get() == Some(*k)>{*l}</option>
                            }).collect_view()}
                        </select>
                    </Editable>
                </td>
                <td>
                    <Editable fallback=move || view! { <span>{move || owner.get()}</span> }>
                        <input class="field-input" type="text" maxlength="120" placeholder="Owner" aria-label=format!("{name} owner")
                            prop:value=move || owner.get() on:change:target=move |ev| set(CheckPart::Owner, ev.target().value())/>
                    </Editable>
                </td>
                <td>
                    <Editable fallback=move || view! { <span>{move || note.get()}</span> }>
                        <input class="field-input" type="text" maxlength="2000" placeholder="Note" aria-label=format!("{name} note")
                            prop:value=move || note.get() on:change:target=move |ev| set(CheckPart::Note, ev.target().value())/>
                    </Editable>
                </td>
            </tr>
        }
    };
    view! {
        <section class="checklist-field" aria-label=label>
            <h3 class="rows-title">{label}</h3>
            <table class="checklist">
                <thead><tr><th scope="col">"Function"</th><th scope="col">"State"</th><th scope="col">"Owner"</th><th scope="col">"Note"</th></tr></thead>
                <tbody>{items.iter().copied().map(row).collect_view()}</tbody>
            </table>
        </section>
    }
}
