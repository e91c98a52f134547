//! A `Counts` field (an experiment's variants): a table of rows people add, each a name
//! and a whole number per column, every cell saved when it changes. In a view-only
//! workspace, the same table as text.

use leptos::prelude::*;
use waymark_domain::kind::CountRow;
use waymark_domain::Id;

use super::read_only::{use_read_only, Editable};

#[component]
pub fn Counts(
    label: &'static str,
    columns: &'static [(&'static str, &'static str)],
    /// What a new row's name looks like ("Control").
    placeholder: &'static str,
    #[prop(into)] value: Signal<Vec<CountRow>>,
    /// Sets `column` ("name" or a column's key) of row `row` to a value ("" clears it;
    /// an empty name removes the row).
    on_set: impl Fn(String, &'static str, String) + 'static,
) -> impl IntoView {
    let on_set = StoredValue::new_local(on_set);
    let read_only = use_read_only();
    let ids = Memo::new(move |_| value.with(|rows| rows.iter().map(|r| r.row.clone()).collect::<Vec<String>>()));
    let row = move |id: String| {
        let me = StoredValue::new(id);
        let current = Memo::new(move |_| me.with_value(|id| value.with(|rows| rows.iter().find(|r| r.row == *id).cloned())));
        let name = Memo::new(move |_| current.with(|r| r.as_ref().map(|r| r.name.clone()).unwrap_or_default()));
        let set = move |column: &'static str, v: String| on_set.with_value(|f| f(me.get_value(), column, v));
        view! {
            <tr>
                <th scope="row">
                    <input class="field-input" type="text" maxlength="120" aria-label=move || format!("Name of {}", name.get())
                        prop:value=move || name.get() disabled=move || read_only.get()
                        on:change:target=move |ev| {
                            let v = ev.target().value();
                            // An emptied name puts the old one back: removing is the × button's.
                            if v.trim().is_empty() { ev.target().set_value(&name.get_untracked()); } else { set("name", v); }
                        }/>
                </th>
                {columns.iter().enumerate().map(|(c, (key, column))| {
                    let cell = Memo::new(move |_| current.with(|r| r.as_ref().and_then(|r| r.values.get(c).copied().flatten())));
                    view! {
                        <td>
                            <input class="field-input count-input" type="text" inputmode="numeric" aria-label=move || format!("{column} of {}", name.get())
                                prop:value=move || cell.get().map(|n| n.to_string()).unwrap_or_default() disabled=move || read_only.get()
                                on:change:target=move |ev| set(key, ev.target().value())/>
                        </td>
                    }
                }).collect_view()}
                <td>
                    <Editable>
                        <button class="icon-btn" aria-label=move || format!("Remove {}", name.get()) on:click=move |_| set("name", String::new())>"×"</button>
                    </Editable>
                </td>
            </tr>
        }
    };
    let new_name = RwSignal::new(String::new());
    let add = move || {
        let n = new_name.get_untracked();
        if n.trim().is_empty() {
            return;
        }
        on_set.with_value(|f| f(Id::random().to_string(), "name", n));
        new_name.set(String::new());
    };
    view! {
        <section class="counts-field" aria-label=label>
            <h3 class="rows-title">{label}</h3>
            <Show when=move || ids.with(Vec::is_empty)>
                <p class="muted small">"None yet."</p>
            </Show>
            <Show when=move || !ids.with(Vec::is_empty)>
                <table class="counts">
                    <thead><tr><th scope="col">"Name"</th>{columns.iter().map(|(_, l)| view! { <th scope="col">{*l}</th> }).collect_view()}<th></th></tr></thead>
                    <tbody><For each=move || ids.get() key=|id: &String| id.clone() children=row/></tbody>
                </table>
            </Show>
            <Editable>
                <form class="rows-add counts-add" on:submit=move |ev| { ev.prevent_default(); add(); }>
                    <input class="field-input" type="text" maxlength="120" aria-label=format!("New row of {}", label.to_lowercase())
                        placeholder=placeholder prop:value=move || new_name.get() on:input:target=move |ev| new_name.set(ev.target().value())/>
                    <button type="submit" class="btn">"Add"</button>
                </form>
            </Editable>
        </section>
    }
}
