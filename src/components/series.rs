//! A `Series` field (a KPI's measurements): one row a day, newest first, each value
//! editable and removable; a form to add a day; and an import from a CSV file that
//! shows what it read (and which lines it left out, and why) before anything is
//! written. In a view-only workspace, the same table as text.

use leptos::prelude::*;
use leptos::task::spawn_local;
use waymark_domain::kind::Point;
use waymark_domain::points_csv::{parse_value, read_points, PointsFile};
use waymark_domain::timeline::short_day;
use waymark_domain::Date;

use super::read_only::{use_read_only, Editable};
use super::Toasts;
use crate::util::{read_file, today};

/// The largest CSV file read (a day a row, ten thousand rows, is far less).
const MAX_FILE: usize = 4 * 1024 * 1024;

/// Points as set: a day's value, or `None` to remove the day.
pub type SetPoints = Vec<(Date, Option<f64>)>;

#[component]
pub fn Series(
    label: &'static str,
    /// How a value reads with its unit ("420 teams").
    #[prop(into)]
    unit: Signal<String>,
    #[prop(into)] value: Signal<Vec<Point>>,
    on_set: impl Fn(SetPoints) + 'static,
) -> impl IntoView {
    let on_set = StoredValue::new_local(on_set);
    let set = move |points: SetPoints| on_set.with_value(|f| f(points));
    let read_only = use_read_only();
    let toasts = Toasts::get();
    let days = Memo::new(move |_| value.with(|points| points.iter().rev().map(|p| p.date).collect::<Vec<Date>>()));
    let row = move |date: Date| {
        let current = Memo::new(move |_| value.with(|points| points.iter().find(|p| p.date == date).map(|p| p.value)));
        let shown = short_day(date);
        view! {
            <tr>
                <th scope="row">{shown.clone()}</th>
                <td>
                    <input class="field-input count-input" type="text" inputmode="decimal" aria-label=format!("Value on {shown}")
                        prop:value=move || current.get().map(waymark_domain::format::measure).unwrap_or_default()
                        disabled=move || read_only.get()
                        on:change:target=move |ev| match parse_value(&ev.target().value()) {
                            Ok(v) => set(vec![(date, Some(v))]),
                            Err(e) => {
                                toasts.error(format!("Not saved: {e}."));
                                ev.target().set_value(&current.get_untracked().map(waymark_domain::format::measure).unwrap_or_default());
                            }
                        }/>
                </td>
                <td class="muted small">{move || (!unit.with(|u| u.trim().is_empty())).then(|| unit.get())}</td>
                <td>
                    <Editable>
                        <button class="icon-btn" aria-label=format!("Remove the measurement of {shown}") on:click=move |_| set(vec![(date, None)])>"×"</button>
                    </Editable>
                </td>
            </tr>
        }
    };
    let new_day = RwSignal::new(today().to_string());
    let new_value = RwSignal::new(String::new());
    let add = move || {
        let day = match Date::parse(&new_day.get_untracked()) {
            Ok(d) => d,
            Err(e) => return toasts.error(format!("Not added: {e}.")),
        };
        match parse_value(&new_value.get_untracked()) {
            Ok(v) => {
                set(vec![(day, Some(v))]);
                new_value.set(String::new());
            }
            Err(e) => toasts.error(format!("Not added: {e}.")),
        }
    };
    let preview: RwSignal<Option<(String, PointsFile)>> = RwSignal::new(None);
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        let name = file.name();
        spawn_local(async move {
            let bytes = match read_file(&file).await {
                Ok(b) if b.len() > MAX_FILE => return toasts.error(format!("{name} is larger than 4 MB: nothing was imported.")),
                Ok(b) => b,
                Err(e) => return toasts.error(e),
            };
            let Ok(text) = String::from_utf8(bytes) else {
                return toasts.error(format!("{name} is not a text file (UTF-8): nothing was imported."));
            };
            match read_points(text.trim_start_matches('\u{feff}')) {
                Ok(file) => preview.set(Some((name, file))),
                Err(e) => toasts.error(format!("{name}: {e} Nothing was imported.")),
            }
        });
    };
    let confirm = move || {
        let Some((_, file)) = preview.get_untracked() else { return };
        set(file.points.iter().map(|p| (p.date, Some(p.value))).collect());
        preview.set(None);
    };
    view! {
        <section class="series-field" aria-label=label>
            <h3 class="rows-title">{label}</h3>
            <Editable>
                <form class="rows-add series-add" on:submit=move |ev| { ev.prevent_default(); add(); }>
                    <input class="field-input" type="date" aria-label="Day measured" prop:value=move || new_day.get()
                        on:change:target=move |ev| new_day.set(ev.target().value())/>
                    <input class="field-input" type="text" inputmode="decimal" aria-label="Value measured" placeholder="Value"
                        prop:value=move || new_value.get() on:input:target=move |ev| new_value.set(ev.target().value())/>
                    <button type="submit" class="btn">"Add measurement"</button>
                    <label class="btn btn-ghost file-button">
                        <input type="file" class="visually-hidden" accept=".csv,text/csv" aria-label="Import measurements from a CSV file" on:change=on_file/>
                        "Import CSV…"
                    </label>
                </form>
            </Editable>
            {move || preview.get().map(|(name, file)| import_preview(name, file, value.get_untracked(), confirm, move || preview.set(None)))}
            <Show when=move || days.with(Vec::is_empty)>
                <p class="muted small">"No measurements yet."</p>
            </Show>
            <Show when=move || !days.with(Vec::is_empty)>
                <table class="counts series">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Value"</th><th></th><th></th></tr></thead>
                    <tbody><For each=move || days.get() key=|d: &Date| *d children=row/></tbody>
                </table>
            </Show>
        </section>
    }
}

/// What a CSV file will bring, with its left-out lines, and the buttons that write it
/// or drop it.
fn import_preview(name: String, file: PointsFile, existing: Vec<Point>, confirm: impl Fn() + 'static, cancel: impl Fn() + 'static) -> impl IntoView {
    let n = file.points.len();
    let replacing = file.replacing(&existing);
    let span = match (file.points.first(), file.points.last()) {
        (Some(a), Some(b)) => format!(" from {} to {}", short_day(a.date), short_day(b.date)),
        _ => String::new(),
    };
    let read = format!(
        "{n} measurement{}{span}, days from “{}” and values from “{}”.",
        if n == 1 { "" } else { "s" },
        file.columns.0,
        file.columns.1
    );
    let bad = file.bad.len();
    view! {
        <div class="import-preview stack" role="region" aria-label="Import preview">
            <p><strong>{name}</strong>": "{read}</p>
            {(replacing > 0).then(|| view! { <p class="small">{format!("{replacing} day{} already measured will take the file's value.", if replacing == 1 { "" } else { "s" })}</p> })}
            {(bad > 0).then(|| view! {
                <div class="banner warning" role="status">
                    <p>{format!("{bad} line{} will be left out:", if bad == 1 { "" } else { "s" })}</p>
                    <ul class="plain-list small">
                        {file.bad.iter().take(20).map(|b| view! { <li>{format!("Line {}: {}", b.line, b.why)}</li> }).collect_view()}
                    </ul>
                    {(bad > 20).then(|| view! { <p class="small">{format!("…and {} more.", bad - 20)}</p> })}
                </div>
            })}
            <div class="row">
                <button class="btn btn-primary" disabled=n == 0 on:click=move |_| confirm()>{format!("Import {n} measurement{}", if n == 1 { "" } else { "s" })}</button>
                <button class="btn btn-ghost" on:click=move |_| cancel()>"Cancel"</button>
            </div>
        </div>
    }
}
