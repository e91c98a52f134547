//! Docs: specs, decision records, notes, training and release notes in Markdown, edited
//! together and rendered only through the domain's safe renderer (no raw HTML, no
//! script, links limited to http, https and mailto). Documents link to ideas and
//! stories; `LinkedDocs` shows an idea's or story's documents where they are edited.

use leptos::prelude::*;
use waymark_domain::document::documents_linking;
use waymark_domain::{markdown, Changed, DocKind, Document, Id};

use crate::components::{SideEditor, Toasts};
use crate::route::{navigate, use_route, Link, Page, Route};
use crate::session::use_session;
use crate::util::relative_time;

fn changed(id: &Id) -> Changed {
    Changed { documents: [id.clone()].into(), ..Default::default() }
}

fn first_line(body: &str) -> String {
    let line = body.lines().map(|l| l.trim_start_matches(['#', ' ', '>', '-', '*'])).find(|l| !l.trim().is_empty()).unwrap_or("");
    if line.chars().count() > 110 { format!("{}…", line.chars().take(109).collect::<String>()) } else { line.to_owned() }
}

#[component]
pub fn DocsPage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let route = use_route();
    let collection = session.get().documents;
    let ws = session.get().id.clone();
    let open = Memo::new(move |_| route.with(|r| match r {
        Route::Page { page: Page::Docs, open, .. } => open.clone(),
        _ => None,
    }));
    let query = RwSignal::new(String::new());
    let kind = RwSignal::new(None::<DocKind>);
    let shown = Memo::new(move |_| {
        let (q, k) = (query.get().trim().to_lowercase(), kind.get());
        let mut list: Vec<Document> = collection
            .live()
            .into_iter()
            .filter(|d| k.is_none_or(|k| d.kind == k))
            .filter(|d| q.is_empty() || d.title.to_lowercase().contains(&q) || d.body.to_lowercase().contains(&q))
            .collect();
        list.sort_by(|a, b| b.updated_at.cmp(&a.updated_at));
        list
    });
    let title = RwSignal::new(String::new());
    let new_kind = RwSignal::new(DocKind::Spec);
    let create = move || {
        let t = title.get_untracked();
        if t.trim().is_empty() {
            return toasts.error("Give the document a title first.");
        }
        let k = new_kind.get_untracked();
        let s = session.get();
        match s.create(|c, id| { c.documents.insert(id); }, |w, now, me| w.create_document(&t, k, now, me)) {
            Ok(id) => {
                title.set(String::new());
                navigate(Route::Page { ws: s.id.clone(), page: Page::Docs, open: Some(id) }, false);
            }
            Err(e) => toasts.error(format!("The document could not be created: {e}")),
        }
    };
    view! {
        <main class="page split" class:editor-open=move || open.with(Option::is_some)>
            <div class="list-pane">
                <div class="page-head">
                    <h1 class="page-title">"Docs"</h1>
                    <span class="muted" role="status">{move || format!("{} document{}", shown.with(Vec::len), if shown.with(Vec::len) == 1 { "" } else { "s" })}</span>
                </div>
                <form class="capture" on:submit=move |ev| { ev.prevent_default(); create(); }>
                    <input class="field-input capture-input" type="text" aria-label="New document title" placeholder="Title of a new spec, decision or note"
                        maxlength="200" prop:value=move || title.get() on:input:target=move |ev| title.set(ev.target().value()) />
                    <select class="field-input" aria-label="Kind of new document" on:change:target=move |ev| {
                        if let Some(k) = DocKind::parse(&ev.target().value()) { new_kind.set(k) }
                    }>
                        {DocKind::ALL.into_iter().map(|k| view! { <option value=k.key() selected=move || new_kind.get() == k>{k.label()}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="btn btn-primary">"Create"</button>
                </form>
                <div class="toolbar" role="search">
                    <input class="field-input search" type="search" aria-label="Search documents" placeholder="Search titles and text"
                        prop:value=move || query.get() on:input:target=move |ev| query.set(ev.target().value()) />
                    <select class="field-input" aria-label="Filter by kind" on:change:target=move |ev| kind.set(DocKind::parse(&ev.target().value()))>
                        <option value="" selected=move || kind.get().is_none()>"All kinds"</option>
                        {DocKind::ALL.into_iter().map(|k| view! { <option value=k.key() selected=move || kind.get() == Some(k)>{k.label()}</option> }).collect_view()}
                    </select>
                </div>
                <ul class="item-list" aria-label="Documents">
                    {move || {
                        let ws = ws.clone();
                        if shown.with(Vec::is_empty) {
                            return view! { <li class="empty">"No documents here yet. Write a spec, record a decision, or keep meeting notes: type a title above."</li> }.into_any();
                        }
                        shown.get().into_iter().map(|d| {
                            let id = d.id.clone().unwrap_or_else(Id::random);
                            let active = open.with(|o| o.as_ref() == Some(&id));
                            view! {
                                <li class="item-row" class:active=active>
                                    <Link to=Route::Page { ws: ws.clone(), page: Page::Docs, open: Some(id) } class="item-link">
                                        <span class="item-title">{if d.title.trim().is_empty() { "Untitled".to_owned() } else { d.title.clone() }}</span>
                                        <span class="item-meta">
                                            <span class="badge">{d.kind.label()}</span>
                                            <span class="muted small">{format!("{} · {}", relative_time(d.updated_at as f64), first_line(&d.body))}</span>
                                        </span>
                                    </Link>
                                </li>
                            }
                        }).collect_view().into_any()
                    }}
                </ul>
            </div>
            {move || open.get().map(|id| view! { <DocEditor id=id/> })}
        </main>
    }
}

#[component]
fn DocEditor(id: Id) -> impl IntoView {
    let id = StoredValue::new(id);
    view! {
        <SideEditor collection=use_session().get().documents id=id page=Page::Docs kind="Document" wide=true
            missing="This document doesn't exist here (it may have been deleted)."
            body=move |d| view! { <DocBody id=id doc=d/> }/>
    }
}

#[component]
fn DocBody(id: StoredValue<Id>, doc: RwSignal<Document>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let ideas = session.get().ideas;
    let stories = session.get().stories;
    let ws = session.get().id.clone();
    let edit = move |f: Box<dyn FnOnce(&mut waymark_domain::Workspace, &Id, i64) -> Result<(), waymark_domain::EditError>>| {
        let did = id.get_value();
        if let Err(e) = session.get().edit(changed(&did), |w, now| f(w, &did, now)) {
            toasts.error(format!("That change could not be made: {e}"));
        }
    };
    let preview = RwSignal::new(false);
    let body = Memo::new(move |_| doc.with(|d| d.body.clone()));
    // The only way a document becomes HTML: the domain's safe renderer.
    let rendered = Memo::new(move |_| body.with(|b| markdown::render(b)));
    let search = RwSignal::new(String::new());
    let linked = Memo::new(move |_| {
        let links = doc.with(|d| d.links.clone());
        links
            .into_iter()
            .filter_map(|lid| {
                if let Some(s) = ideas.with(|m| m.get(&lid).copied()) {
                    return s.with(|i| (!i.deleted).then(|| (lid.clone(), format!("Idea: {}", i.title), true)));
                }
                let s = stories.get(&lid)?;
                s.with(|st| (!st.deleted).then(|| (lid.clone(), format!("Story: I want {}", st.goal), false)))
            })
            .collect::<Vec<_>>()
    });
    let candidates = Memo::new(move |_| {
        let q = search.get().trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let already = doc.with(|d| d.links.clone());
        let mut out: Vec<(Id, String)> = ideas.with(|m| {
            m.iter()
                .filter(|(i, _)| !already.contains(i))
                .filter_map(|(i, s)| s.with(|x| (!x.deleted && x.title.to_lowercase().contains(&q)).then(|| (i.clone(), format!("Idea: {}", x.title)))))
                .collect()
        });
        out.extend(stories.live().into_iter().filter(|s| s.goal.to_lowercase().contains(&q)).filter_map(|s| {
            let sid = s.id?;
            (!already.contains(&sid)).then(|| (sid, format!("Story: I want {}", s.goal)))
        }));
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out.truncate(8);
        out
    });
    let delete = move || {
        edit(Box::new(|w, id, now| w.delete_document(id, now)));
        let did = id.get_value();
        navigate(Route::Page { ws: session.get().id.clone(), page: Page::Docs, open: None }, false);
        toasts.with_action("Document deleted", "Undo", move || {
            let _ = session.get().edit(changed(&did), |w, now| w.restore_document(&did, now));
        });
    };
    view! {
        <div class="editor-body stack">
            <input class="field-input doc-title" type="text" aria-label="Document title" placeholder="Title"
                prop:value=move || doc.with(|d| d.title.clone())
                on:input:target=move |ev| { let v = ev.target().value(); edit(Box::new(move |w, id, now| w.set_document_text(id, false, &v, now))); } />
            <div class="row wrap">
                <select class="field-input" aria-label="Kind" on:change:target=move |ev| {
                    if let Some(k) = DocKind::parse(&ev.target().value()) { edit(Box::new(move |w, id, now| w.set_document_kind(id, k, now))); }
                }>
                    {DocKind::ALL.into_iter().map(|k| view! { <option value=k.key() selected=move || doc.with(|d| d.kind == k)>{k.label()}</option> }).collect_view()}
                </select>
                <div class="tabs" role="tablist" aria-label="Editor view">
                    <button role="tab" class="chip" aria-selected=move || (!preview.get()).to_string() aria-pressed=move || (!preview.get()).to_string() on:click=move |_| preview.set(false)>"Write"</button>
                    <button role="tab" class="chip" aria-selected=move || preview.get().to_string() aria-pressed=move || preview.get().to_string() on:click=move |_| preview.set(true)>"Preview"</button>
                </div>
            </div>
            <Show
                when=move || preview.get()
                fallback=move || view! {
                    <textarea class="field-input field-textarea doc-body" aria-label="Document body (Markdown)"
                        placeholder="Write in Markdown: # headings, - lists, **bold**, [links](https://…)"
                        prop:value=move || body.get()
                        on:input:target=move |ev| { let v = ev.target().value(); edit(Box::new(move |w, id, now| w.set_document_text(id, true, &v, now))); }
                    ></textarea>
                }
            >
                <article class="markdown doc-preview" aria-label="Preview" inner_html=move || rendered.get()></article>
            </Show>
            <div class="field">
                <span class="field-label">"About these ideas and stories"</span>
                <ul class="link-list">
                    {move || {
                        let ws = ws.clone();
                        linked.get().into_iter().map(|(lid, label, is_idea)| {
                            let to = if is_idea { Route::Ideas { ws: ws.clone(), open: Some(lid.clone()) } } else { Route::Page { ws: ws.clone(), page: Page::Stories, open: Some(lid.clone()) } };
                            let aria = format!("Unlink {label}");
                            view! {
                                <li class="linked">
                                    <Link to=to>{label}</Link>
                                    <button class="icon-btn small" aria-label=aria on:click=move |_| { let t = lid.clone(); edit(Box::new(move |w, id, now| w.link_document(id, &t, false, now))); }>"×"</button>
                                </li>
                            }
                        }).collect_view()
                    }}
                </ul>
                <input class="field-input" type="search" aria-label="Link to an idea or story" placeholder="Link to an idea or story: type part of its title"
                    prop:value=move || search.get() on:input:target=move |ev| search.set(ev.target().value()) />
                <ul class="suggestions">
                    {move || candidates.get().into_iter().map(|(cid, label)| view! {
                        <li><button class="link-btn" on:click=move |_| {
                            let t = cid.clone();
                            edit(Box::new(move |w, id, now| w.link_document(id, &t, true, now)));
                            search.set(String::new());
                        }>{format!("+ {label}")}</button></li>
                    }).collect_view()}
                </ul>
            </div>
            <p class="muted small">{move || doc.with(|d| format!("Started by {} · edited {}", if d.created_by.is_empty() { "someone" } else { &d.created_by }, relative_time(d.updated_at as f64)))}</p>
            <div class="row end">
                <button class="btn btn-danger-ghost" on:click=move |_| delete()>"Delete document"</button>
            </div>
        </div>
    }
}

/// The documents about an idea or a story, shown in its editor, with a way to start a
/// spec for it.
#[component]
pub fn LinkedDocs(target: Id) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let collection = session.get().documents;
    let ws = session.get().id.clone();
    let target = StoredValue::new(target);
    let all = Memo::new(move |_| collection.live());
    let mine = Memo::new(move |_| all.with(|l| documents_linking(l, &target.get_value()).into_iter().cloned().collect::<Vec<_>>()));
    let new_spec = move |_| {
        let s = session.get();
        let t = target.get_value();
        let title = s
            .ideas
            .with_untracked(|m| m.get(&t).map(|i| i.with_untracked(|i| i.title.clone())))
            .or_else(|| s.stories.get(&t).map(|st| st.with_untracked(|st| st.goal.clone())))
            .unwrap_or_default();
        let made = s.create(|c, id| { c.documents.insert(id); }, |w, now, me| {
            let id = w.create_document(&format!("Spec: {title}"), DocKind::Spec, now, me)?;
            w.link_document(&id, &t, true, now)?;
            Ok(id)
        });
        match made {
            Ok(id) => navigate(Route::Page { ws: s.id.clone(), page: Page::Docs, open: Some(id) }, false),
            Err(e) => toasts.error(format!("The spec could not be created: {e}")),
        }
    };
    view! {
        <div class="field linked-docs">
            <span class="field-label">"Docs"</span>
            <ul class="link-list">
                {move || {
                    let ws = ws.clone();
                    mine.get().into_iter().map(|d| {
                        let to = Route::Page { ws: ws.clone(), page: Page::Docs, open: d.id.clone() };
                        view! { <li><Link to=to>{if d.title.trim().is_empty() { "Untitled".to_owned() } else { d.title.clone() }}</Link> <span class="badge">{d.kind.label()}</span></li> }
                    }).collect_view()
                }}
            </ul>
            <div><button class="btn btn-small" on:click=new_spec>"Write a spec for this"</button></div>
        </div>
    }
}
