//! Importing a backlog (CSV): the file is read by the domain
//! ([`waymark_domain::backlog`]): a Jira or Linear export as such, any other CSV through
//! the columns the person maps to fields (a table with an example of each column). A
//! preview then shows what will be created, updated and skipped, the dependencies kept
//! and left out, the cells that could not be read (by line and column), and how the
//! tool's statuses map to the workspace's, which the person can change, as whether
//! issues become user stories or ideas. Nothing is written until "Import" is pressed.

use leptos::prelude::*;
use waymark_domain::backlog::mapping::{first_row, read_mapped, suggest, Field};
use waymark_domain::backlog::{Backlog, Source};
use waymark_domain::backlog_import::{Action, Choices, ImportPlan, ItemsAs};
use wasm_bindgen_futures::spawn_local;
use waymark_domain::edit::Edit;
use waymark_domain::feature::STATUS as FEATURE_STATUS;
use waymark_domain::schema::{FEATURES, IDEAS};
use waymark_domain::story::StoryStatus;
use waymark_domain::IdeaStatus;

use crate::components::{Dialog, Toasts};
use crate::session::use_session;

/// The statuses a story or an idea can take, as (key, label).
fn item_statuses(items_as: ItemsAs) -> Vec<(&'static str, &'static str)> {
    match items_as {
        ItemsAs::Stories => StoryStatus::ALL.iter().map(|s| (s.key(), s.label())).collect(),
        ItemsAs::Ideas => IdeaStatus::ALL.iter().map(|s| (s.key(), s.label())).collect(),
    }
}

/// A CSV file chosen for import: its name, its text, and what reading it found.
#[derive(Clone, PartialEq)]
pub struct BacklogFile {
    pub name: String,
    pub text: String,
    pub read: Backlog,
}

/// The preview of the backlog in `file`, open while `open` is set.
#[component]
pub fn ImportBacklog(open: RwSignal<bool>, #[prop(into)] file: Signal<Option<BacklogFile>>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let items_as = RwSignal::new(ItemsAs::Stories);
    let choices = RwSignal::new(Choices::default());
    // Any other CSV: what each column holds, as the person maps it.
    let mapping = RwSignal::new(Vec::<Field>::new());
    Effect::new(move |_| {
        if let Some(f) = file.get() {
            mapping.set(if f.read.source == Source::Other { suggest(&f.read.header) } else { Vec::new() });
        }
    });
    // The backlog as read: the export itself, or any other CSV through its mapping (an
    // error while the mapping lacks a title).
    let backlog = Memo::new(move |_| {
        file.with(|f| {
            f.as_ref().map(|f| match f.read.source {
                Source::Other => mapping.with(|m| read_mapped(&f.text, m)),
                _ => Ok(f.read.clone()),
            })
        })
    });
    let ready = move || backlog.with(|b| b.as_ref().and_then(|b| b.as_ref().ok()).cloned());
    // A new file, a new mapping, or a new choice of stories or ideas starts from the
    // suggested status mapping.
    Effect::new(move |_| {
        let as_ = items_as.get();
        if let Some(b) = ready() {
            choices.set(Choices::suggested(&b, as_));
        }
    });
    let status_keys = Memo::new(move |_| choices.with(|c| (c.feature_status.keys().cloned().collect::<Vec<_>>(), c.item_status.keys().cloned().collect::<Vec<_>>())));
    // Planned by the document's worker, again for each new choice (and change of the
    // workspace); only the latest plan asked for is shown.
    let preview = RwSignal::new(None::<ImportPlan>);
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let c = choices.get();
        let s = session.get();
        s.changes.track();
        let ask = asked.get_value() + 1;
        asked.set_value(ask);
        let Some(b) = ready() else { return preview.set(None) };
        spawn_local(async move {
            let plan = s.plan_import(&b, &c).await;
            if asked.try_get_value() != Some(ask) {
                return;
            }
            match plan {
                Ok(plan) => preview.set(Some(plan)),
                Err(e) => {
                    preview.set(None);
                    toasts.error(format!("The import could not be previewed: {e}"));
                }
            }
        });
    });
    let import = move |_| {
        let Some(backlog) = ready() else { return };
        match session.get().apply(Edit::ImportBacklog { backlog: Box::new(backlog), choices: Box::new(choices.get_untracked()) }) {
            Ok(_) => {
                let (made, updated) = preview.with_untracked(|p| p.as_ref().map_or((0, 0), |p| (p.creates(), p.updates())));
                toasts.info(format!("Imported: {made} created, {updated} updated."));
                open.set(false);
            }
            Err(e) => toasts.error(format!("The backlog could not be imported: {e}. Nothing changed.")),
        }
    };
    let title = Signal::derive(move || file.with(|f| f.as_ref().map(|f| format!("Import {} from {}", f.name, f.read.source.label())).unwrap_or_default()));
    let other = move || file.with(|f| f.as_ref().is_some_and(|f| f.read.source == Source::Other));
    view! {
        <Dialog open=open title="Import a backlog">
            <p class="muted small">{move || title.get()}</p>
            {move || other().then(|| view! {
                <p class="muted small">"This is neither a Jira nor a Linear export, so say what each column holds. A column named like a field is mapped to it; every other column is ignored until you map it."</p>
                {column_mapping(file, mapping)}
            })}
            {move || backlog.with(|b| match b {
                Some(Err(why)) => Some(view! { <div class="banner warning" role="status"><p>{why.clone()}</p></div> }),
                _ => None,
            })}
            <Show when=move || ready().is_some()>
                <fieldset class="chips" aria-label="Issues become">
                    <legend class="field-label">"Stories and issues become"</legend>
                    <button class="chip" aria-pressed=move || (items_as.get() == ItemsAs::Stories).to_string() on:click=move |_| items_as.set(ItemsAs::Stories)>"User stories"</button>
                    <button class="chip" aria-pressed=move || (items_as.get() == ItemsAs::Ideas).to_string() on:click=move |_| items_as.set(ItemsAs::Ideas)>"Ideas"</button>
                </fieldset>
                {move || {
                    // Drawn again when the statuses in the file change (a newly mapped
                    // Status column), not when one of them is mapped differently.
                    status_keys.track();
                    status_mapping(choices, items_as.get())
                }}
                {move || preview.get().map(|p| {
                    let summary = format!("{} to create, {} to update, {} skipped", p.creates(), p.updates(), p.skips());
                    let dependencies = (!p.dependencies.is_empty()).then(|| view! {
                        <section aria-label="Dependencies">
                            <h3 class="rows-title">"Dependencies"</h3>
                            <ul class="plain-list small import-dependencies">
                                {p.dependencies.iter().map(|d| {
                                    let fate = match &d.dropped { None => "kept".to_owned(), Some(why) => format!("left out: {why}") };
                                    view! { <li>{format!("{} blocks {} — {fate}", d.blocker, d.blocked)}</li> }
                                }).collect_view()}
                            </ul>
                        </section>
                    });
                    view! {
                        <p role="status" class="import-summary"><strong>{summary}</strong></p>
                        <table class="counts import-rows" aria-label="What the import does">
                            <thead><tr><th scope="col">"Key"</th><th scope="col">"Title"</th><th scope="col">"Becomes"</th><th scope="col">"Action"</th></tr></thead>
                            <tbody>
                                {p.rows.into_iter().map(|r| {
                                    let becomes = match r.collection { FEATURES => "Feature", IDEAS => "Idea", _ => "User story" };
                                    let action = match r.action { Action::Create => "Create".to_owned(), Action::Update(_) => "Update".to_owned(), Action::Skip(why) => format!("Skip: {why}") };
                                    view! { <tr><td>{r.key}</td><td>{r.title}</td><td>{becomes}</td><td>{action}</td></tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {dependencies}
                    }
                })}
                {move || ready().map(|b| b.bad).filter(|bad| !bad.is_empty()).map(|bad| {
                    view! {
                        <div class="banner warning" role="status">
                            <p>{format!("{} cell{} could not be read and will be left empty:", bad.len(), if bad.len() == 1 { "" } else { "s" })}</p>
                            <ul class="plain-list small">
                                {bad.into_iter().take(30).map(|c| view! { <li>{format!("Line {}, {}: {}", c.line, c.column, c.why)}</li> }).collect_view()}
                            </ul>
                        </div>
                    }
                })}
                <div class="row end">
                    <button class="btn btn-ghost" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button class="btn btn-primary" on:click=import disabled=move || preview.with(|p| p.as_ref().is_none_or(|p| p.creates() + p.updates() == 0))>"Import"</button>
                </div>
            </Show>
        </Dialog>
    }
}

/// Any other CSV's columns, each with an example from the first row and what it holds.
fn column_mapping(file: Signal<Option<BacklogFile>>, mapping: RwSignal<Vec<Field>>) -> impl IntoView {
    let (header, example) = file.with_untracked(|f| f.as_ref().map(|f| (f.read.header.clone(), first_row(&f.text))).unwrap_or_default());
    view! {
        <table class="column-mapping" aria-label="Columns">
            <thead><tr><th scope="col">"Column"</th><th scope="col">"First row"</th><th scope="col">"Holds"</th></tr></thead>
            <tbody>
                {header.into_iter().enumerate().map(|(i, name)| {
                    let label = format!("Column “{name}” holds");
                    let current = Memo::new(move |_| mapping.with(|m| m.get(i).copied().unwrap_or(Field::Ignore)));
                    view! {
                        <tr>
                            <th scope="row">{name}</th>
                            <td class="muted small">{example.get(i).cloned().unwrap_or_default()}</td>
                            <td>
                                <select class="field-input" aria-label=label on:change:target=move |ev| {
                                    let Some(field) = Field::parse(&ev.target().value()) else { return };
                                    mapping.update(|m| {
                                        if m.len() <= i {
                                            m.resize(i + 1, Field::Ignore);
                                        }
                                        m[i] = field;
                                    });
                                }>
                                    {Field::ALL.into_iter().map(|f| view! { <option value=f.key() selected=move || current.get() == f>{f.label()}</option> }).collect_view()}
                                </select>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The tool's statuses and the workspace status each becomes, editable.
fn status_mapping(choices: RwSignal<Choices>, items_as: ItemsAs) -> AnyView {
    let features: Vec<String> = choices.with_untracked(|c| c.feature_status.keys().cloned().collect());
    let items: Vec<String> = choices.with_untracked(|c| c.item_status.keys().cloned().collect());
    let row = move |tool: String, feature: bool| {
        let options: Vec<(&'static str, &'static str)> = if feature { FEATURE_STATUS.to_vec() } else { item_statuses(items_as) };
        let label = format!("{} status “{tool}” becomes", if feature { "Feature" } else { "Item" });
        let key = tool.clone();
        let current = Memo::new(move |_| choices.with(|c| if feature { c.feature_status.get(&key).copied() } else { c.item_status.get(&key).copied() }));
        let set_key = tool.clone();
        let choosable = options.clone();
        view! {
            <tr>
                <th scope="row">{tool}<span class="muted small">{if feature { " · features" } else { " · stories and issues" }}</span></th>
                <td>
                    <select class="field-input" aria-label=label on:change:target=move |ev| {
                        let picked = ev.target().value();
                        let Some(k) = choosable.iter().map(|(k, _)| *k).find(|k| *k == picked) else { return };
                        choices.update(|c| {
                            if feature { c.feature_status.insert(set_key.clone(), k); } else { c.item_status.insert(set_key.clone(), k); }
                        });
                    }>
                        {options.into_iter().map(|(k, l)| view! { <option value=k selected=move || current.get() == Some(k)>{l}</option> }).collect_view()}
                    </select>
                </td>
            </tr>
        }
    };
    if features.is_empty() && items.is_empty() {
        // No status column in the file (or none mapped): nothing to map.
        return ().into_any();
    }
    view! {
        <table class="counts status-mapping" aria-label="Statuses">
            <thead><tr><th scope="col">"In the file"</th><th scope="col">"Here"</th></tr></thead>
            <tbody>
                {features.into_iter().map(|t| row(t, true)).collect_view()}
                {items.into_iter().map(|t| row(t, false)).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
