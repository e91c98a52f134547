//! Personas: who the product is for. A gallery of cards and an editor for every field
//! DOMAIN.md lists (name, role, goals, pain points, motivations, behaviours, quote,
//! segment size). Stories and feedback name a persona.

use waymark_domain::query::persona_matches;
use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::schema::PERSONAS;
use waymark_domain::format::group_thousands;
use waymark_domain::persona::{Persona, PersonaText};
use waymark_domain::edit::Edit;
use waymark_domain::{Id, Ref};

use crate::components::{use_read_only, Capture, Editable, LongTextField, NumberField, SideEditor, Toasts};
use crate::route::{navigate, use_route, Link, Page, Route};
use crate::session::{use_session, Collection};

fn cut(text: &str, n: usize) -> String {
    let t = text.trim();
    if t.chars().count() > n { format!("{}…", t.chars().take(n - 1).collect::<String>()) } else { t.to_owned() }
}

#[component]
pub fn PersonasPage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let route = use_route();
    let collection = session.get().personas;
    let ws = session.get().id.clone();
    let open = Memo::new(move |_| route.with(|r| match r {
        Route::Page { page: Page::Personas, open, .. } => open.clone(),
        _ => None,
    }));
    // Order follows membership and settled edits; each card follows its own persona.
    let query = RwSignal::new(String::new());
    let shown = Memo::new(move |_| {
        let q = query.get();
        let mut l: Vec<Persona> = collection.settled_live().into_iter().filter(|p| persona_matches(p, &q)).collect();
        sort::sort_by(&mut l, |a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()));
        l.into_iter().filter_map(|p| p.id).collect::<Vec<Id>>()
    });
    let total = Memo::new(move |_| collection.live_count());
    let read_only = use_read_only();
    let name = RwSignal::new(String::new());
    let create = move || {
        let n = name.get_untracked();
        if n.trim().is_empty() {
            return;
        }
        let s = session.get();
        match s.create(Edit::CreatePersona { name: n }) {
            Ok(id) => {
                name.set(String::new());
                navigate(Route::Page { ws: s.id.clone(), page: Page::Personas, open: Some(id) }, false);
            }
            Err(e) => toasts.error(format!("The persona could not be added: {e}")),
        }
    };
    view! {
        <main class="page split" class:editor-open=move || open.with(Option::is_some)>
            <div class="list-pane">
                <div class="page-head">
                    <h1 class="page-title">"Personas"</h1>
                    <span class="muted" role="status">{move || {
                        let (n, all) = (shown.with(Vec::len), total.get());
                        let noun = if all == 1 { "persona" } else { "personas" };
                        if n == all { format!("{all} {noun}") } else { format!("{n} of {all} {noun}") }
                    }}</span>
                </div>
                <Capture label="New persona name" placeholder="Name a persona, e.g. Fiona, finance admin at a 20-person firm" maxlength=120
                    button="Add persona" value=name on_submit=create/>
                <div class="toolbar" role="search">
                    <input class="field-input search" type="search" aria-label="Search personas" placeholder="Search   (/)"
                        prop:value=move || query.get() on:input:target=move |ev| query.set(ev.target().value())/>
                </div>
                <div class="gallery" aria-label="Personas">
                    <Show when=move || total.get() != 0 && shown.with(Vec::is_empty)>
                        <p class="empty">"No persona matches “" {move || query.get().trim().to_owned()} "”."</p>
                    </Show>
                    <Show when=move || total.get() == 0>
                        {move || if read_only.get() {
                            view! { <div class="empty"><h2>"No personas yet"</h2></div> }.into_any()
                        } else {
                            view! {
                                <div class="empty">
                                    <h2>"Who is this product for?"</h2>
                                    <p>"A persona is a sketch of a real group of users: their goals, what gets in their way, what they say. Stories and feedback can name one, so decisions stay tied to people."</p>
                                </div>
                            }.into_any()
                        }}
                    </Show>
                    <For each=move || shown.get() key=|id: &Id| id.clone() children={move |id: Id| card(collection, id, ws.clone(), open)}/>
                </div>
            </div>
            {move || open.get().map(|id| view! { <PersonaEditor id=id/> })}
        </main>
    }
}

/// A persona's card in the gallery; it follows only its own persona.
fn card(collection: Collection<Persona>, id: Id, ws: String, open: Memo<Option<Id>>) -> impl IntoView {
    let Some((p, active)) = crate::components::row_state(collection, &id, open) else { return ().into_any() };
    view! {
        <Link to=Route::Page { ws, page: Page::Personas, open: Some(id.clone()) } class="card persona-card">
            <span class="persona-head" class:active=move || active.get()>
                <span class="avatar persona-avatar" aria-hidden="true">
                    {move || p.with(|p| p.name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_else(|| "?".into()))}
                </span>
                <span class="persona-id">
                    <strong class="persona-name">{move || p.with(|p| if p.name.trim().is_empty() { "Unnamed persona".to_owned() } else { p.name.clone() })}</strong>
                    <span class="muted small persona-role">{move || p.with(|p| p.role.clone())}</span>
                </span>
                <crate::components::PeersOn id=id/>
            </span>
            {move || p.with(|p| view! {
                {(!p.quote.trim().is_empty()).then(|| view! { <q class="persona-quote">{cut(&p.quote, 140)}</q> })}
                {(!p.goals.trim().is_empty()).then(|| view! { <span class="small"><strong>"Goals: "</strong>{cut(&p.goals, 110)}</span> })}
                {(!p.pain_points.trim().is_empty()).then(|| view! { <span class="small"><strong>"Pains: "</strong>{cut(&p.pain_points, 110)}</span> })}
                {p.segment_size.map(|n| view! { <span class="muted small">{format!("≈ {} people", group_thousands(n))}</span> })}
            })}
        </Link>
    }
    .into_any()
}

#[component]
fn PersonaEditor(id: Id) -> impl IntoView {
    let id = StoredValue::new(id);
    view! {
        <SideEditor collection=use_session().get().personas id=id close_to=Route::Page { ws: use_session().get().id.clone(), page: Page::Personas, open: None } kind="Persona"
            missing="This persona doesn't exist here (it may have been deleted)."
            body=move |p| view! { <PersonaBody id=id p=p/> }/>
    }
}

#[component]
fn PersonaBody(id: StoredValue<Id>, p: RwSignal<Persona>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let text = move |field: PersonaText, placeholder: &'static str, single: bool| {
        view! {
            <LongTextField
                label=field.label()
                value=Signal::derive(move || p.with(|p| p.text(field).to_owned()))
                on_input=move |v: String| {
                    if let Err(e) = session.get().apply(Edit::PersonaText(id.get_value(), field, v)) {
                        toasts.error(format!("That change could not be made: {e}"));
                    }
                }
                placeholder=placeholder
                single_line=single
            />
        }
    };
    let delete = move || {
        let pid = id.get_value();
        if let Err(e) = session.get().apply(Edit::Delete(Ref::new(PERSONAS, pid.clone()))) {
            return toasts.error(format!("The persona could not be deleted: {e}"));
        }
        navigate(Route::Page { ws: session.get().id.clone(), page: Page::Personas, open: None }, false);
        toasts.with_action("Persona deleted", "Undo", move || {
            let _ = session.get().apply(Edit::Restore(Ref::new(PERSONAS, pid.clone())));
        });
    };
    view! {
        <div class="editor-body stack">
            {text(PersonaText::Name, "Fiona, finance admin", true)}
            {text(PersonaText::Role, "Finance admin at a 20-person agency", true)}
            {text(PersonaText::Goals, "What are they trying to achieve?", false)}
            {text(PersonaText::PainPoints, "What gets in their way today?", false)}
            {text(PersonaText::Motivations, "Why do they care?", false)}
            {text(PersonaText::Behaviours, "How do they work, which tools, how often?", false)}
            {text(PersonaText::Quote, "Something they said, in their words", false)}
            <NumberField
                label="Segment size"
                value=Signal::derive(move || p.with(|p| p.segment_size))
                on_change=move |v| {
                    if let Err(e) = session.get().apply(Edit::PersonaSegmentSize(id.get_value(), v)) {
                        toasts.error(format!("That change could not be made: {e}"));
                    }
                }
                hint="How many people or accounts this persona stands for"
            />
            <Editable>
                <div class="row end">
                    <button class="btn btn-danger-ghost" on:click=move |_| delete()>"Delete persona"</button>
                </div>
            </Editable>
        </div>
    }
}
