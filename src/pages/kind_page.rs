//! The page of every kind described through [`Kind`] (competitors, trends…): a
//! searchable list keyed by id, where an edit re-renders only its own row, and an
//! editor built from the kind's fields. A new kind needs nothing here.

use leptos::prelude::*;
use waymark_domain::edit::{Edit, FieldEdit};
use waymark_domain::kind::{choice_label, in_sentence, search, visit_kinds, FieldSpec, FieldType, FieldValue, KindVisitor};
use waymark_domain::{Id, Kind, Ref};

use crate::components::{use_read_only, Capture, Checklist, Counts, Editable, Field, LongTextField, NumberField, PeersOn, Series, SideEditor, Toasts};
use crate::route::{navigate, use_route, Link, Page, Route};
use crate::session::{use_session, Collection, SessionCtx};

/// The page of the kind whose collection is `collection`.
pub fn page_of(collection: &str) -> AnyView {
    struct Find<'a>(&'a str, Option<AnyView>);
    impl KindVisitor for Find<'_> {
        fn visit<K: Kind>(&mut self) {
            if K::COLLECTION == self.0 {
                self.1 = Some(untrack(kind_page::<K>).into_any());
            }
        }
    }
    let mut find = Find(collection, None);
    visit_kinds(&mut find);
    find.1.unwrap_or_else(|| view! { <super::NotFoundPage/> }.into_any())
}

/// "1 competitor", "3 trends".
fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { in_sentence(singular) } else { in_sentence(plural) })
}

/// Makes an edit of field `key` of artifact `id`, telling the person if it was refused.
fn set<K: Kind>(session: SessionCtx, toasts: Toasts, id: &Id, key: &str, value: FieldEdit) {
    let item = Ref::new(K::COLLECTION, id.clone());
    if let Err(e) = session.get().apply(Edit::SetField { item, key: key.to_owned(), value }) {
        toasts.error(format!("That change could not be made: {e}"));
    }
}

fn kind_page<K: Kind>() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let route = use_route();
    let page = Page::of::<K>();
    let collection = session.get().collection::<K>();
    let ws = StoredValue::new(session.get().id.clone());
    let open = Memo::new(move |_| route.with(|r| match r {
        Route::Page { page: p, open, .. } if *p == page => open.clone(),
        _ => None,
    }));
    let query = RwSignal::new(String::new());
    // A panel above the list (the risks' heat map) may narrow it to some artifacts.
    let only = RwSignal::new(None::<(String, Vec<Id>)>);
    let total = Memo::new(move |_| collection.live_count());
    // The list follows membership (an artifact added, deleted or restored) at once, and
    // other edits a moment after typing pauses (a renamed artifact moves to its place in
    // title order), so a keystroke costs its own row, not a re-sort of the whole list.
    // While searching, every edit re-filters: what matches may change.
    let shown = Memo::new(move |_| {
        let q = query.get();
        if !q.trim().is_empty() {
            collection.version.track();
        }
        let items = collection.settled_live();
        let found = search(items.iter(), &q).into_iter().filter_map(|k| k.id().cloned());
        only.with(|o| match o {
            Some((_, keep)) => found.filter(|id| keep.contains(id)).collect::<Vec<Id>>(),
            None => found.collect(),
        })
    });
    let read_only = use_read_only();
    let title = RwSignal::new(String::new());
    let singular = in_sentence(K::SINGULAR);
    let create = move || {
        let t = title.get_untracked();
        if t.trim().is_empty() {
            return;
        }
        let s = session.get();
        match s.create(Edit::CreateItem { collection: K::COLLECTION, title: t }) {
            Ok(id) => {
                title.set(String::new());
                navigate(Route::Page { ws: s.id.clone(), page, open: Some(id) }, false);
            }
            Err(e) => toasts.error(format!("The {} could not be added: {e}", in_sentence(K::SINGULAR))),
        }
    };
    let first = &K::FIELDS[0];
    view! {
        <main class="page split" class:editor-open=move || open.with(Option::is_some)>
            <div class="list-pane">
                <div class="page-head">
                    <h1 class="page-title">{K::PLURAL}</h1>
                    <span class="muted" role="status">{move || count(total.get(), K::SINGULAR, K::PLURAL)}</span>
                </div>
                <Capture label=format!("New {singular} {}", first.label.to_lowercase())
                    placeholder=format!("{} of a new {singular}, e.g. {}", first.label, first.placeholder) maxlength=200
                    button=format!("Add {singular}") value=title on_submit=create/>
                {super::extras::list_panel(K::COLLECTION, only)}
                {move || only.get().map(|(label, _)| view! {
                    <p class="only-chip small" role="status">{format!("Showing {}", label.to_lowercase())}" "
                        <button class="btn btn-small" on:click=move |_| only.set(None)>"Show all"</button>
                    </p>
                })}
                <div class="toolbar" role="search">
                    <input class="field-input search" type="search" aria-label=format!("Search {}", in_sentence(K::PLURAL))
                        placeholder="Search every field" prop:value=move || query.get() on:input:target=move |ev| query.set(ev.target().value())/>
                </div>
                <ul class="item-list" aria-label=K::PLURAL>
                    <Show when=move || shown.with(Vec::is_empty)>
                        <li class="empty">{move || if only.with(Option::is_some) {
                            "None of those are left: they changed meanwhile. Show all to see the rest.".to_owned()
                        } else if total.get() > 0 {
                            format!("No {} match “{}”.", in_sentence(K::PLURAL), query.get().trim())
                        } else if read_only.get() {
                            format!("No {} yet.", in_sentence(K::PLURAL))
                        } else {
                            format!("{} Add the first one above.", K::ABOUT)
                        }}</li>
                    </Show>
                    <For each=move || shown.get() key=|id: &Id| id.clone() children={move |id: Id| row::<K>(collection, id, ws, page, open)}/>
                </ul>
            </div>
            {move || open.get().map(|id| editor::<K>(id, page))}
        </main>
    }
}

/// One artifact's row: it follows only its own signal.
fn row<K: Kind>(collection: Collection<K>, id: Id, ws: StoredValue<String>, page: Page, open: Memo<Option<Id>>) -> impl IntoView {
    let Some((item, active)) = crate::components::row_state(collection, &id, open) else { return ().into_any() };
    view! {
        <li class="item-row" class:active=move || active.get()>
            <Link to=Route::Page { ws: ws.get_value(), page, open: Some(id.clone()) } class="item-link">
                <span class="item-title">{move || item.with(Kind::title)}</span>
                <span class="item-meta">
                    <PeersOn id=id/>
                    {move || item.with(summary)}
                    {move || item.with(|k| k.meta().tags.iter().map(|t| view! { <span class="tag small">{t.clone()}</span> }).collect_view())}
                </span>
            </Link>
        </li>
    }
    .into_any()
}

/// A row's badges: the kind's headline figure, each choice made, the date, and the
/// start of the first text.
fn summary<K: Kind>(item: &K) -> impl IntoView {
    let mut badges = Vec::new();
    let mut snippet = None;
    if let Some((text, style)) = item.headline() {
        badges.push(view! { <span class=format!("badge zone-{style}")>{text}</span> }.into_any());
    }
    let limit = badges.len() + 3;
    for spec in &K::FIELDS[1..] {
        match (spec.ty, item.value(spec.key)) {
            (FieldType::Choice(options), FieldValue::Choice(Some(k))) if badges.len() < limit => badges.push(
                view! { <span class=format!("badge choice-{k}")>{format!("{}: {}", spec.label, choice_label(options, k))}</span> }.into_any(),
            ),
            (_, FieldValue::Date(Some(d))) => badges.push(view! { <span class="muted small">{d.to_string()}</span> }.into_any()),
            (FieldType::Text, FieldValue::Text(t)) if snippet.is_none() && !t.trim().is_empty() => {
                let cut: String = t.trim().chars().take(90).collect();
                snippet = Some(if cut.len() < t.trim().len() { format!("{cut}…") } else { cut });
            }
            _ => {}
        }
    }
    view! {
        {badges}
        {snippet.map(|s| view! { <span class="muted small item-snippet">{s}</span> })}
    }
}

fn editor<K: Kind>(id: Id, page: Page) -> impl IntoView {
    let id = StoredValue::new(id);
    let collection = use_session().get().collection::<K>();
    view! {
        <SideEditor collection=collection id=id close_to=Route::Page { ws: use_session().get().id.clone(), page, open: None } kind=K::SINGULAR
            missing=format!("This {} doesn't exist here (it may have been deleted).", in_sentence(K::SINGULAR))
            body={move |item| editor_body::<K>(id, item, page)}/>
    }
}

fn editor_body<K: Kind>(id: StoredValue<Id>, item: RwSignal<K>, page: Page) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let delete = move || {
        let kid = id.get_value();
        if let Err(e) = session.get().apply(Edit::Delete(Ref::new(K::COLLECTION, kid.clone()))) {
            return toasts.error(format!("The {} could not be deleted: {e}", in_sentence(K::SINGULAR)));
        }
        navigate(Route::Page { ws: session.get().id.clone(), page, open: None }, false);
        toasts.with_action(format!("{} deleted", K::SINGULAR), "Undo", move || {
            let _ = session.get().apply(Edit::Restore(Ref::new(K::COLLECTION, kid.clone())));
        });
    };
    let (above, below) = super::extras::editor_extras(K::COLLECTION, id.get_value());
    view! {
        <div class="editor-body stack">
            {above}
            {K::FIELDS.iter().map(|spec| {
                let shown = Memo::new(move |_| item.with(|k| k.shows(spec.key)));
                let fields = Fields::of(item, move |key, edit| set::<K>(session, toasts, &id.get_value(), key, edit));
                view! { <Show when=move || shown.get()>{move || field(spec, fields)}</Show> }
            }).collect_view()}
            <crate::components::TagEditor tags=Signal::derive(move || item.with(|k| k.meta().tags.clone()))
                on_add=move |tag: String| tag_edit(session, toasts, Ref::new(K::COLLECTION, id.get_value()), tag, true)
                on_remove=move |tag: String| tag_edit(session, toasts, Ref::new(K::COLLECTION, id.get_value()), tag, false)/>
            {below}
            <Editable>
                <div class="row end">
                    <button class="btn btn-danger-ghost" on:click=move |_| delete()>{format!("Delete {}", in_sentence(K::SINGULAR))}</button>
                </div>
            </Editable>
        </div>
    }
}

/// Tags or untags an artifact, saying so if it fails.
pub fn tag_edit(session: SessionCtx, toasts: Toasts, target: Ref, tag: String, on: bool) {
    if let Err(e) = session.get().apply(Edit::Tag { target, tag, on }) {
        toasts.error(format!("The tag could not be changed: {e}"));
    }
}

/// One artifact's fields, read and set without naming its kind: the controls below
/// are then built once for every kind, not copied into the app's module once per kind
/// (they were 120 KB of it).
#[derive(Clone, Copy)]
struct Fields {
    /// A field's value (`None`: the kind has no such field); tracked.
    read: Callback<&'static str, Option<FieldValue>>,
    write: Callback<(&'static str, FieldEdit)>,
}

impl Fields {
    fn of<K: Kind>(item: RwSignal<K>, set: impl Fn(&'static str, FieldEdit) + Send + Sync + 'static) -> Fields {
        Fields {
            read: Callback::new(move |key: &'static str| item.with(|k| K::field(key).map(|_| k.value(key)))),
            write: Callback::new(move |(key, edit)| set(key, edit)),
        }
    }

    /// Field `key`'s value; tracked.
    fn value(&self, key: &'static str) -> FieldValue {
        self.read.run(key).unwrap_or(FieldValue::Text(String::new()))
    }

    fn set(&self, key: &'static str, edit: FieldEdit) {
        self.write.run((key, edit));
    }
}

/// The control for one field, from its type.
fn field(spec: &'static FieldSpec, fields: Fields) -> AnyView {
    let key = spec.key;
    match spec.ty {
        FieldType::Line | FieldType::Text => view! {
            <LongTextField
                label=spec.label
                value=Signal::derive(move || match fields.value(key) { FieldValue::Text(t) => t, _ => String::new() })
                on_input={move |v: String| fields.set(key, FieldEdit::Value(v))}
                placeholder=spec.placeholder
                single_line=spec.ty == FieldType::Line
            />
        }
        .into_any(),
        FieldType::Choice(options) => {
            let current = Memo::new(move |_| match fields.value(key) { FieldValue::Choice(c) => c, _ => None });
            let read = Signal::derive(move || current.get().map(|c| choice_label(options, c).to_owned()).unwrap_or_default());
            view! {
                <Field label=spec.label read=read>
                    <select class="field-input" aria-label=spec.label on:change:target=move |ev| {
                        let v = ev.target().value();
                        fields.set(key, FieldEdit::Value(v));
                    }>
                        <option value="" selected=move || current.get().is_none()>"Not set"</option>
                        {options.iter().map(|(k, l)| view! { <option value=*k selected=move || current.get() == Some(*k)>{*l}</option> }).collect_view()}
                    </select>
                </Field>
            }
            .into_any()
        }
        FieldType::Date => {
            let value = Memo::new(move |_| match fields.value(key) { FieldValue::Date(Some(d)) => d.to_string(), _ => String::new() });
            view! {
                <Field label=spec.label read=value>
                    <input class="field-input" type="date" aria-label=spec.label prop:value=move || value.get()
                        on:change:target=move |ev| {
                            let v = ev.target().value();
                            fields.set(key, FieldEdit::Value(v));
                        }/>
                </Field>
            }
            .into_any()
        }
        FieldType::Rows(options) => rows(spec, options, fields).into_any(),
        FieldType::Number { unit, .. } => {
            let label = if unit.is_empty() { spec.label.to_owned() } else { format!("{} ({unit})", spec.label) };
            view! {
                <NumberField label=label
                    value=Signal::derive(move || match fields.value(key) { FieldValue::Number(n) => n, _ => None })
                    on_change={move |v: Option<f64>| fields.set(key, FieldEdit::Value(v.map(|n| n.to_string()).unwrap_or_default()))}/>
            }
            .into_any()
        }
        FieldType::Position => ().into_any(),
        FieldType::Counts(columns) => view! {
            <Counts label=spec.label columns=columns placeholder=spec.placeholder
                value=Signal::derive(move || match fields.value(key) { FieldValue::Counts(rows) => rows, _ => Vec::new() })
                on_set={move |row: String, column: &'static str, value: String| {
                    fields.set(key, FieldEdit::Count { row, column: column.to_owned(), value });
                }}/>
        }
        .into_any(),
        FieldType::Series => view! {
            <Series label=spec.label
                unit=Signal::derive(move || match fields.read.run("unit") { Some(FieldValue::Text(u)) => u, _ => String::new() })
                value=Signal::derive(move || match fields.value(key) { FieldValue::Series(points) => points, _ => Vec::new() })
                on_set={move |points| fields.set(key, FieldEdit::Points(points))}/>
        }
        .into_any(),
        FieldType::Checklist { items, states } => view! {
            <Checklist label=spec.label items=items states=states
                value=Signal::derive(move || match fields.value(key) { FieldValue::Checklist(c) => c, _ => Vec::new() })
                on_set={move |check: &'static str, part, value: String| {
                    fields.set(key, FieldEdit::Check { item: check.to_owned(), part, value });
                }}/>
        }
        .into_any(),
    }
}

/// A `Rows` field: each row a labelled choice (removable), and a form to add one.
fn rows(spec: &'static FieldSpec, options: &'static [(&'static str, &'static str)], fields: Fields) -> impl IntoView {
    let key = spec.key;
    let rows = Memo::new(move |_| match fields.value(key) { FieldValue::Rows(r) => r, _ => Vec::new() });
    let new_name = RwSignal::new(String::new());
    let new_value = RwSignal::new(options[0].0);
    let add = move || {
        let name = new_name.get_untracked();
        if name.trim().is_empty() {
            return;
        }
        fields.set(key, FieldEdit::Row { name: name.clone(), value: new_value.get_untracked().to_owned() });
        new_name.set(String::new());
    };
    let row = move |(name, value): (String, &'static str)| {
        let name = StoredValue::new(name);
        let label = choice_label(options, value);
        view! {
            <div class="rows-item">
                <span class="rows-name">{name.get_value()}</span>
                <Editable fallback=move || view! { <span class="rows-value">{label}</span> }>
                    <select class="field-input" aria-label=name.get_value() on:change:target=move |ev| {
                        let v = ev.target().value();
                        name.with_value(|n| fields.set(key, FieldEdit::Row { name: n.clone(), value: v }));
                    }>
                        {options.iter().map(|(k, l)| view! { <option value=*k selected=*k == value>{*l}</option> }).collect_view()}
                    </select>
                    <button class="icon-btn" aria-label=format!("Remove {}", name.get_value())
                        on:click={move |_| name.with_value(|n| fields.set(key, FieldEdit::Row { name: n.clone(), value: String::new() }))}>"×"</button>
                </Editable>
            </div>
        }
    };
    view! {
        <section class="rows-field" aria-label=spec.label>
            <h3 class="rows-title">{spec.label}</h3>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="muted small">"None yet."</p>
            </Show>
            <For each=move || rows.get() key=|r: &(String, &'static str)| r.clone() children=row/>
            <Editable>
                <form class="rows-add" on:submit=move |ev| { ev.prevent_default(); add(); }>
                    <input class="field-input" type="text" maxlength="120" aria-label=format!("New row of {}", spec.label.to_lowercase())
                        placeholder=spec.placeholder prop:value=move || new_name.get() on:input:target=move |ev| new_name.set(ev.target().value())/>
                    <select class="field-input" aria-label="Value for the new row" on:change:target=move |ev| {
                        if let Some((k, _)) = options.iter().find(|(k, _)| *k == ev.target().value()) {
                            new_value.set(k);
                        }
                    }>
                        {options.iter().map(|(k, l)| view! { <option value=*k selected=move || new_value.get() == *k>{*l}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="btn">"Add"</button>
                </form>
            </Editable>
        </section>
    }
}
