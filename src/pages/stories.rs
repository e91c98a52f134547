//! User stories: "As a <persona>, I want <goal>, so that <benefit>", acceptance
//! criteria as Given/When/Then scenarios (add, edit, reorder, remove), estimate,
//! status, the idea it came from, its docs, and "Copy as text" in the standard form.

use waymark_domain::query::story_matches;
use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::edit::Edit;
use waymark_domain::feature::Feature;
use waymark_domain::schema::{FEATURES, IDEAS, PERSONAS, STORIES};
use waymark_domain::story::{Criterion, Step, Story, StoryStatus};
use waymark_domain::{Id, Kind, Ref, Relation};

use crate::components::{follow_text, use_read_only, Capture, Editable, Field, NumberField, SideEditor, Toasts};
use crate::pages::docs::LinkedDocs;
use crate::route::{navigate, use_route, Link, Page, Route};
use crate::session::{use_session, Collection};

/// Persona names by id, for the standard form.
fn persona_name(names: &[(Id, String)], id: &Option<Id>) -> String {
    names.iter().find(|(p, _)| Some(p) == id.as_ref()).map(|(_, n)| n.clone()).unwrap_or_default()
}

fn sentence(s: &Story, persona: &str) -> String {
    s.as_text(persona).lines().next().unwrap_or_default().to_owned()
}

#[component]
pub fn StoriesPage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let route = use_route();
    let collection = session.get().stories;
    let personas = session.get().personas;
    let ws = session.get().id.clone();
    let open = Memo::new(move |_| route.with(|r| match r {
        Route::Page { page: Page::Stories, open, .. } => open.clone(),
        _ => None,
    }));
    let names = Memo::new(move |_| personas.settled_live().into_iter().filter_map(|p| Some((p.id?, p.name))).collect::<Vec<_>>());
    let status = RwSignal::new(None::<StoryStatus>);
    let persona = RwSignal::new(None::<String>);
    // Which stories show, newest first: follows membership and settled edits; each row
    // follows its own story.
    let query = RwSignal::new(String::new());
    let shown = Memo::new(move |_| {
        let (st, pe, q) = (status.get(), persona.get(), query.get());
        let named = names.get();
        let mut l: Vec<Story> = collection
            .settled_live()
            .into_iter()
            .filter(|s| story_matches(s, &persona_name(&named, &s.persona), &q))
            .filter(|s| st.is_none_or(|st| s.status == st))
            .filter(|s| pe.as_ref().is_none_or(|p| s.persona.as_ref().is_some_and(|sp| sp.as_str() == p)))
            .collect();
        sort::sort_by(&mut l, |a, b| b.created_at.cmp(&a.created_at));
        l.into_iter().filter_map(|s| s.id).collect::<Vec<Id>>()
    });
    let read_only = use_read_only();
    let goal = RwSignal::new(String::new());
    let create = move || {
        let g = goal.get_untracked();
        if g.trim().is_empty() {
            return;
        }
        let s = session.get();
        match s.create(Edit::CreateStory { goal: g }) {
            Ok(id) => {
                goal.set(String::new());
                navigate(Route::Page { ws: s.id.clone(), page: Page::Stories, open: Some(id) }, false);
            }
            Err(e) => toasts.error(format!("The story could not be added: {e}")),
        }
    };
    view! {
        <main class="page split" class:editor-open=move || open.with(Option::is_some)>
            <div class="list-pane">
                <div class="page-head">
                    <h1 class="page-title">"Stories"</h1>
                    <span class="muted" role="status">{move || {
                        let (n, all) = (shown.with(Vec::len), collection.live_count());
                        let noun = if all == 1 { "story" } else { "stories" };
                        if n == all { format!("{all} {noun}") } else { format!("{n} of {all} {noun}") }
                    }}</span>
                </div>
                <Capture label="New story goal" placeholder="I want to… (the goal of a new story)" maxlength=300
                    button="Add story" value=goal on_submit=create/>
                <div class="toolbar" role="search">
                    <input class="field-input search" type="search" aria-label="Search stories" placeholder="Search   (/)"
                        prop:value=move || query.get() on:input:target=move |ev| query.set(ev.target().value())/>
                    <select class="field-input" aria-label="Filter by status" on:change:target=move |ev| status.set(StoryStatus::parse(&ev.target().value()))>
                        <option value="" selected=move || status.get().is_none()>"All statuses"</option>
                        {StoryStatus::ALL.into_iter().map(|s| view! { <option value=s.key() selected=move || status.get() == Some(s)>{s.label()}</option> }).collect_view()}
                    </select>
                    <select class="field-input" aria-label="Filter by persona" on:change:target=move |ev| {
                        let v = ev.target().value();
                        persona.set((!v.is_empty()).then_some(v));
                    }>
                        <option value="" selected=move || persona.with(Option::is_none)>"All personas"</option>
                        {move || names.get().into_iter().map(|(pid, n)| {
                            let key = pid.to_string();
                            let k2 = key.clone();
                            view! { <option value=key selected=move || persona.with(|p| p.as_deref() == Some(k2.as_str()))>{n}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <ul class="item-list" aria-label="Stories">
                    <Show when=move || shown.with(Vec::is_empty)>
                        <li class="empty">{move || if collection.live_count() > 0 {
                            "No story matches the search and filters."
                        } else if read_only.get() {
                            "No stories here."
                        } else {
                            "No stories yet. Type what a user wants above; then say who they are, why, and how you'll know it's done."
                        }}</li>
                    </Show>
                    <For each=move || shown.get() key=|id: &Id| id.clone() children={move |id: Id| row(collection, id, ws.clone(), open, names)}/>
                </ul>
            </div>
            {move || open.get().map(|id| view! { <StoryEditor id=id/> })}
        </main>
    }
}

/// A story's row in the list; it follows only its own story (and persona names).
fn row(collection: Collection<Story>, id: Id, ws: String, open: Memo<Option<Id>>, names: Memo<Vec<(Id, String)>>) -> impl IntoView {
    let Some((story, active)) = crate::components::row_state(collection, &id, open) else { return ().into_any() };
    view! {
        <li class="item-row" class:active=move || active.get()>
            <Link to=Route::Page { ws, page: Page::Stories, open: Some(id.clone()) } class="item-link">
                <span class="item-title story-text">{move || story.with(|s| names.with(|n| sentence(s, &persona_name(n, &s.persona))))}</span>
                <span class="item-meta">
                    <crate::components::PeersOn id=id/>
                    {move || story.with(|s| view! {
                        <span class=format!("badge story-{}", s.status.key())>{s.status.label()}</span>
                        {s.estimate.map(|e| view! { <span class="badge">{format!("{} pts", waymark_domain::ranking::number(e))}</span> })}
                        <span class="muted small">{format!("{} criteri{}", s.criteria.len(), if s.criteria.len() == 1 { "on" } else { "a" })}</span>
                    })}
                </span>
            </Link>
        </li>
    }
    .into_any()
}

#[component]
fn StoryEditor(id: Id) -> impl IntoView {
    let id = StoredValue::new(id);
    view! {
        <SideEditor collection=use_session().get().stories id=id close_to=Route::Page { ws: use_session().get().id.clone(), page: Page::Stories, open: None } kind="User story"
            missing="This story doesn't exist here (it may have been deleted)."
            body=move |s| view! { <StoryBody id=id story=s/> }/>
    }
}

/// The stories that block this one (read-only here: edited from the blocker's side).
#[component]
fn BlockedBy(id: StoredValue<Id>) -> impl IntoView {
    let session = use_session();
    let stories = session.get().stories;
    let ws = session.get().id.clone();
    let blockers = Memo::new(move |_| {
        stories.version.track();
        let me = id.get_value();
        stories.live().into_iter().filter(|s| s.blocks.contains(&me)).filter_map(|s| Some((s.id.clone()?, s.goal.clone()))).collect::<Vec<_>>()
    });
    view! {
        {move || (!blockers.with(Vec::is_empty)).then(|| view! {
            <section class="link-list" aria-label="Blocked by">
                <h3 class="rows-title">"Blocked by"</h3>
                <ul class="plain-list">
                    {blockers.get().into_iter().map(|(bid, goal)| view! {
                        <li><Link to=Route::Page { ws: ws.clone(), page: Page::Stories, open: Some(bid) }>{goal}</Link></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

/// Builds an edit of one story, given its id.
type StoryEdit = Box<dyn FnOnce(Id) -> Edit>;

#[component]
fn StoryBody(id: StoredValue<Id>, story: RwSignal<Story>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let personas = session.get().personas;
    let ideas = session.get().ideas;
    let ws = session.get().id.clone();
    let edit = move |make: StoryEdit| {
        if let Err(e) = session.get().apply(make(id.get_value())) {
            toasts.error(format!("That change could not be made: {e}"));
        }
    };
    let names = Memo::new(move |_| {
        let mut l: Vec<(Id, String)> = personas.live().into_iter().filter_map(|p| Some((p.id?, p.name))).collect();
        sort::sort_by(&mut l, |a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
        l
    });
    let idea_list = Memo::new(move |_| {
        ideas.with(|m| {
            let mut l: Vec<(Id, String)> = m.iter().filter_map(|(i, s)| s.with(|x| (!x.deleted).then(|| (i.clone(), x.title.clone())))).collect();
            sort::sort_by(&mut l, |a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
            l
        })
    });
    let features = session.get().collection::<Feature>();
    let feature_list = Memo::new(move |_| {
        let mut l: Vec<(Id, String)> = features.live().iter().filter_map(|f| Some((f.id()?.clone(), f.title()))).collect();
        sort::sort_by(&mut l, |a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
        l
    });
    let feature_read = Signal::derive(move || {
        story.with(|s| s.feature.clone()).and_then(|f| feature_list.with(|l| l.iter().find(|(id, _)| *id == f).map(|(_, t)| t.clone()))).unwrap_or_default()
    });
    let text = Memo::new(move |_| story.with(|s| s.as_text(&persona_name(&names.get(), &s.persona))));
    let copy = move |_| {
        let t = text.get_untracked();
        let promise = window().navigator().clipboard().write_text(&t);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => toasts.info("Copied the story as text"),
                Err(_) => toasts.error("The browser did not allow copying; select the text below and copy it."),
            }
        });
    };
    let add_criterion = move |_| {
        if let Err(e) = session.get().apply(Edit::AddScenario(id.get_value())) {
            toasts.error(format!("The criterion could not be added: {e}"));
        }
    };
    let delete = move || {
        edit(Box::new(|id| Edit::Delete(Ref::new(STORIES, id))));
        let sid = id.get_value();
        navigate(Route::Page { ws: session.get().id.clone(), page: Page::Stories, open: None }, false);
        toasts.with_action("Story deleted", "Undo", move || {
            let _ = session.get().apply(Edit::Restore(Ref::new(STORIES, sid.clone())));
        });
    };
    let criteria = Memo::new(move |_| story.with(|s| s.criteria.clone()));
    let read_only = use_read_only();
    let persona_read = Signal::derive(move || {
        let name = story.with(|s| persona_name(&names.get(), &s.persona));
        if name.is_empty() { "user (no persona)".to_owned() } else { name }
    });
    let status_read = Signal::derive(move || story.with(|s| s.status.label().to_owned()));
    let goal_read = Signal::derive(move || story.with(|s| s.goal.clone()));
    let benefit_read = Signal::derive(move || story.with(|s| s.benefit.clone()));
    let ws = StoredValue::new(ws);
    let idea_link = move || {
        let ws = ws.get_value();
        story.with(|s| s.idea.clone()).map(|iid| {
            let title = ideas.with(|m| m.get(&iid).map(|i| i.with(|i| i.title.clone()))).unwrap_or_default();
            (Route::Ideas { ws, open: Some(iid) }, if title.trim().is_empty() { "Untitled idea".to_owned() } else { title })
        })
    };
    view! {
        <div class="editor-body stack">
            <p class="story-preview">{move || text.get().lines().next().unwrap_or_default().to_owned()}</p>
            <Field label="As a" read=persona_read>
                <select class="field-input" aria-label="Persona" on:change:target=move |ev| {
                    let v = ev.target().value();
                    edit(Box::new(move |id| Edit::SetLink { from: Ref::new(STORIES, id), relation: Relation::SpeaksFor, to: Id::parse(&v).map(|p| Ref::new(PERSONAS, p)) }));
                }>
                    <option value="" selected=move || story.with(|s| s.persona.is_none())>"user (no persona)"</option>
                    {move || names.get().into_iter().map(|(pid, n)| {
                        let key = pid.to_string();
                        let k2 = key.clone();
                        view! { <option value=key selected=move || story.with(|s| s.persona.as_ref().is_some_and(|p| p.as_str() == k2))>{n}</option> }
                    }).collect_view()}
                </select>
                {move || names.with(Vec::is_empty).then(|| view! {
                    <span class="field-hint">"No personas yet: " <Link to=Route::Page { ws: session.get().id.clone(), page: Page::Personas, open: None }>"describe who the product is for"</Link></span>
                })}
            </Field>
            <Field label="I want" read=goal_read>
                <input class="field-input" type="text" aria-label="Goal" placeholder="to send a payment reminder in one click"
                    use:follow_text=goal_read
                    on:input:target=move |ev| { let v = ev.target().value(); edit(Box::new(move |story| Edit::StoryText { story, benefit: false, text: v })); } />
            </Field>
            <Field label="So that" read=benefit_read>
                <input class="field-input" type="text" aria-label="Benefit" placeholder="I get paid without chasing anyone"
                    use:follow_text=benefit_read
                    on:input:target=move |ev| { let v = ev.target().value(); edit(Box::new(move |story| Edit::StoryText { story, benefit: true, text: v })); } />
            </Field>
            <div class="field">
                <span class="field-label">"Acceptance criteria"</span>
                <ol class="criteria-steps">
                    // Keyed by id alone (a row follows its place and the count), so
                    // typing in a step never re-creates its input, nor does a scenario
                    // added or moved meanwhile (by this person or a teammate).
                    <For
                        each=move || criteria.with(|l| l.iter().filter_map(|c| c.id.clone()).collect::<Vec<_>>())
                        key=|c| c.clone()
                        let:c
                    >
                        <CriterionRow story=id story_sig=story criterion=c/>
                    </For>
                </ol>
                {move || (read_only.get() && criteria.with(Vec::is_empty)).then(|| view! { <p class="field-value field-empty">"None yet"</p> })}
                <Editable><div><button class="btn btn-small" on:click=add_criterion>"+ Add scenario"</button></div></Editable>
            </div>
            <div class="grid-2">
                <NumberField
                    label="Estimate"
                    value=Signal::derive(move || story.with(|s| s.estimate))
                    on_change=move |v| edit(Box::new(move |id| Edit::StoryEstimate(id, v)))
                    hint="Points or days, as your team estimates"
                />
                <Field label="Status" read=status_read>
                    <select class="field-input" aria-label="Status" on:change:target=move |ev| {
                        if let Some(s) = StoryStatus::parse(&ev.target().value()) { edit(Box::new(move |id| Edit::StoryStatus(id, s))); }
                    }>
                        {StoryStatus::ALL.into_iter().map(|s| view! { <option value=s.key() selected=move || story.with(|x| x.status == s)>{s.label()}</option> }).collect_view()}
                    </select>
                </Field>
            </div>
            <Editable fallback=move || view! {
                <div class="field field-read">
                    <span class="field-label">"Came from the idea"</span>
                    {move || match idea_link() {
                        Some((to, title)) => view! { <p class="field-value"><Link to=to>{title}</Link></p> }.into_any(),
                        None => view! { <p class="field-value field-empty">"—"</p> }.into_any(),
                    }}
                </div>
            }>
            <label class="field">
                <span class="field-label">"Came from the idea"</span>
                <select class="field-input" aria-label="Idea" on:change:target=move |ev| {
                    let v = ev.target().value();
                    edit(Box::new(move |id| Edit::SetLink { from: Ref::new(STORIES, id), relation: Relation::ComesFrom, to: Id::parse(&v).map(|i| Ref::new(IDEAS, i)) }));
                }>
                    <option value="" selected=move || story.with(|s| s.idea.is_none())>"No idea linked"</option>
                    {move || idea_list.get().into_iter().map(|(iid, t)| {
                        let key = iid.to_string();
                        let k2 = key.clone();
                        view! { <option value=key selected=move || story.with(|s| s.idea.as_ref().is_some_and(|i| i.as_str() == k2))>{t}</option> }
                    }).collect_view()}
                </select>
                {move || idea_link().map(|(to, _)| view! {
                    <span class="field-hint"><Link to=to>"Open the idea"</Link></span>
                })}
            </label>
            </Editable>
            <Field label="Part of the feature" read=feature_read>
                <select class="field-input" aria-label="Feature" on:change:target=move |ev| {
                    let v = ev.target().value();
                    edit(Box::new(move |id| Edit::SetLink { from: Ref::new(STORIES, id), relation: Relation::PartOf, to: Id::parse(&v).map(|f| Ref::new(FEATURES, f)) }));
                }>
                    <option value="" selected=move || story.with(|s| s.feature.is_none())>"No feature"</option>
                    {move || feature_list.get().into_iter().map(|(fid, t)| {
                        let key = fid.to_string();
                        view! { <option value=key selected=move || story.with(|s| s.feature.as_ref() == Some(&fid))>{t}</option> }
                    }).collect_view()}
                </select>
            </Field>
            <crate::components::TagEditor tags=Signal::derive(move || story.with(|s| s.tags.clone()))
                on_add=move |tag: String| super::kind_page::tag_edit(session, toasts, Ref::new(STORIES, id.get_value()), tag, true)
                on_remove=move |tag: String| super::kind_page::tag_edit(session, toasts, Ref::new(STORIES, id.get_value()), tag, false)/>
            <super::links_to::LinksTo from=Ref::new(STORIES, id.get_value()) relation=Relation::Blocks kinds=&[STORIES]
                heading="Blocks" search="Add a story it blocks" placeholder="A story that cannot be done before this one…"
                list_label="Stories"
                current=Signal::derive(move || story.with(|s| s.blocks.iter().map(|b| Ref::new(STORIES, b.clone())).collect::<Vec<_>>()))/>
            <BlockedBy id=id/>
            <LinkedDocs target=waymark_domain::Ref::new(STORIES, id.get_value())/>
            <div class="row wrap">
                <button class="btn" data-view on:click=copy>"Copy as text"</button>
                <Editable><button class="btn btn-danger-ghost" on:click=move |_| delete()>"Delete story"</button></Editable>
            </div>
            <pre class="story-text-block" aria-label="Story as text">{move || text.get()}</pre>
        </div>
    }
}

#[component]
fn CriterionRow(story: StoredValue<Id>, story_sig: RwSignal<Story>, criterion: Id) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let cid = StoredValue::new(criterion);
    // Its place among the scenarios, and how many there are.
    let place = Memo::new(move |_| story_sig.with(|s| (s.criteria.iter().position(|c| c.id.as_ref() == Some(&cid.get_value())).unwrap_or(0), s.criteria.len())));
    let index = move || place.get().0;
    let current = Memo::new(move |_| story_sig.with(|s| s.criteria.iter().find(|c| c.id.as_ref() == Some(&cid.get_value())).cloned().unwrap_or_default()));
    // Builds an edit of this scenario, given the story's id and its own.
    let run = move |make: Box<dyn FnOnce(Id, Id) -> Edit>| {
        if let Err(e) = session.get().apply(make(story.get_value(), cid.get_value())) {
            toasts.error(format!("That change could not be made: {e}"));
        }
    };
    let step = move |s: Step, label: &'static str, placeholder: &'static str| {
        let value = move || current.with(|c: &Criterion| match s {
            Step::Given => c.given.clone(),
            Step::When => c.when.clone(),
            Step::Then => c.then.clone(),
        });
        view! {
            <Editable fallback=move || view! {
                <p class="step step-read"><span class="step-word">{label}</span><span class="step-text" class:muted=move || value().trim().is_empty()>{move || {
                    let v = value();
                    if v.trim().is_empty() { "—".to_owned() } else { v }
                }}</span></p>
            }>
                <label class="step">
                    <span class="step-word">{label}</span>
                    <input class="field-input" type="text" aria-label=move || format!("{label} of scenario {}", index() + 1) placeholder=placeholder
                        use:follow_text=Signal::derive(value)
                        on:input:target=move |ev| { let v = ev.target().value(); run(Box::new(move |story, scenario| Edit::ScenarioStep { story, scenario, step: s, text: v })); } />
                </label>
            </Editable>
        }
    };
    view! {
        <li class="criterion-row">
            {step(Step::Given, "Given", "an invoice 7 days overdue")}
            {step(Step::When, "When", "I click Remind")}
            {step(Step::Then, "Then", "the customer gets an email with a pay link")}
            <Editable>
            <span class="row criterion-actions">
                <button class="btn btn-small" aria-label=move || format!("Move scenario {} up", index() + 1) disabled=move || index() == 0
                    on:click=move |_| { let to = index().saturating_sub(1); run(Box::new(move |story, scenario| Edit::MoveScenario { story, scenario, to })) }>"↑"</button>
                <button class="btn btn-small" aria-label=move || format!("Move scenario {} down", index() + 1) disabled=move || { let (i, n) = place.get(); i + 1 >= n }
                    on:click=move |_| { let to = index() + 1; run(Box::new(move |story, scenario| Edit::MoveScenario { story, scenario, to })) }>"↓"</button>
                <button class="btn btn-small btn-danger-ghost" aria-label=move || format!("Remove scenario {}", index() + 1)
                    on:click=move |_| run(Box::new(|story, scenario| Edit::RemoveScenario { story, scenario }))>"Remove"</button>
            </span>
            </Editable>
        </li>
    }
}
