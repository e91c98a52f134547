//! Docs: specs, decision records, notes, training and release notes in Markdown, edited
//! together (the body is Automerge Text, so co-editing merges) and rendered only
//! through the domain's safe renderer (no raw HTML, no script, links limited to http,
//! https, mailto and in-page anchors). Documents link to ideas and stories;
//! `LinkedDocs` (in `components`) shows an idea's or story's documents where it is
//! edited.

use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::schema::DOCUMENTS;
use wasm_bindgen::JsCast;
use waymark_domain::schema::{IDEAS, STORIES};
use waymark_domain::edit::Edit;
use waymark_domain::{markdown, DocKind, Document, Id, Ref, Relation};

pub use crate::components::LinkedDocs;
use crate::components::{follow_text, doc_title, kind_class, use_read_only, Capture, Editable, LinkPicker, SideEditor, Suggestion, Toasts};
use crate::route::{navigate, use_route, Link, Page, Route};
use crate::session::{use_session, Collection};
use crate::util::relative_time;

/// Builds an edit of one document, given its id.
type DocEdit = Box<dyn FnOnce(Id) -> Edit>;

/// The first line of text in a body, without Markdown markers, shortened for a list.
fn first_line(body: &str) -> String {
    let line = body
        .lines()
        .map(|l| l.trim().trim_start_matches(['#', ' ', '>', '-', '*', '+']).trim())
        .find(|l| !l.is_empty() && !l.starts_with("```"))
        .unwrap_or("");
    if line.chars().count() > 140 { format!("{}…", line.chars().take(139).collect::<String>()) } else { line.to_owned() }
}

/// A kind's name for a group of documents.
fn plural(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Spec => "Specs",
        DocKind::Decision => "Decision records",
        DocKind::Note => "Notes",
        DocKind::Training => "Training",
        DocKind::ReleaseNote => "Release notes",
    }
}

/// How the editor shows a document: the Markdown, the rendered preview, or both side
/// by side (wide screens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Write,
    Preview,
    Split,
}

/// Side by side needs room: the list narrows and the editor widens from this width.
const SPLIT_MIN_WIDTH: f64 = 1200.0;

fn wide_window() -> bool {
    window().inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(0.0) >= SPLIT_MIN_WIDTH
}

#[component]
pub fn DocsPage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    toasts.resolve_on_cleanup("new document");
    let route = use_route();
    let collection = session.get().documents;
    let open = Memo::new(move |_| {
        route.with(|r| match r {
            Route::Page { page: Page::Docs, open, .. } => open.clone(),
            _ => None,
        })
    });
    let query = RwSignal::new(String::new());
    let kind = RwSignal::new(None::<DocKind>);
    let mode = RwSignal::new(if wide_window() { Mode::Split } else { Mode::Write });
    // Live documents matching the search, most recently edited first: follows
    // membership and settled edits (each row follows its own document).
    let matching = Memo::new(move |_| {
        let q = query.get().trim().to_lowercase();
        let mut list: Vec<Document> = collection
            .settled_live()
            .into_iter()
            .filter(|d| q.is_empty() || d.title.to_lowercase().contains(&q) || d.body.to_lowercase().contains(&q))
            .collect();
        sort::sort_by(&mut list, |a, b| b.updated_at.cmp(&a.updated_at).then_with(|| a.title.cmp(&b.title)));
        list
    });
    let counts = Memo::new(move |_| matching.with(|l| DocKind::ALL.map(|k| l.iter().filter(|d| d.kind == k).count())));
    // Grouped by kind, in the kinds' order; only the chosen kind when one is chosen.
    let groups = Memo::new(move |_| {
        let only = kind.get();
        matching.with(|l| {
            DocKind::ALL
                .into_iter()
                .filter(|k| only.is_none_or(|o| o == *k))
                .map(|k| (k, l.iter().filter(|d| d.kind == k).filter_map(|d| d.id.clone()).collect::<Vec<Id>>()))
                .filter(|(_, docs)| !docs.is_empty())
                .collect::<Vec<_>>()
        })
    });
    let shown_count = Memo::new(move |_| groups.with(|g| g.iter().map(|(_, d)| d.len()).sum::<usize>()));
    let total = Memo::new(move |_| collection.live_count());

    let read_only = use_read_only();
    let title = RwSignal::new(String::new());
    let new_kind = RwSignal::new(DocKind::Spec);
    let title_ref = NodeRef::<leptos::html::Input>::new();
    let create = move || {
        let t = title.get_untracked();
        if t.trim().is_empty() {
            if let Some(el) = title_ref.get_untracked() {
                let _ = el.focus();
            }
            return toasts.problem("new document", "Give the document a title first.");
        }
        toasts.resolved("new document");
        let k = new_kind.get_untracked();
        let s = session.get();
        match s.create(Edit::CreateDocument { title: t, kind: k }) {
            Ok(id) => {
                title.set(String::new());
                // A new document starts empty: show where to write.
                if mode.get_untracked() == Mode::Preview {
                    mode.set(Mode::Write);
                }
                navigate(Route::Page { ws: s.id.clone(), page: Page::Docs, open: Some(id) }, false);
            }
            Err(e) => toasts.error(format!("The document could not be created: {e}")),
        }
    };


    let kind_chip = move |k: Option<DocKind>| {
        let label = move || match k {
            None => format!("All · {}", counts.with(|c| c.iter().sum::<usize>())),
            Some(k) => format!("{} · {}", k.label(), counts.with(|c| c[DocKind::ALL.iter().position(|x| *x == k).unwrap_or(0)])),
        };
        let hidden = move || k.is_some_and(|k| kind.get() != Some(k) && counts.with(|c| c[DocKind::ALL.iter().position(|x| *x == k).unwrap_or(0)]) == 0);
        view! {
            <button type="button" class="chip doc-chip" data-view class:hidden=hidden
                aria-pressed=move || (kind.get() == k).to_string()
                on:click=move |_| kind.set(k)>{label}</button>
        }
    };

    view! {
        <main class="page split docs-page" class:editor-open=move || open.with(Option::is_some)>
            <div class="list-pane">
                <div class="page-head">
                    <h1 class="page-title">"Docs"</h1>
                    <span class="muted" role="status">{move || {
                        let (n, all) = (shown_count.get(), total.get());
                        if n == all { format!("{n} document{}", if n == 1 { "" } else { "s" }) } else { format!("{n} of {all} documents") }
                    }}</span>
                </div>
                <Capture class="doc-capture" label="New document title" placeholder="Title of a new spec, decision or note" maxlength=200
                    button="Create" value=title on_submit=create node_ref=title_ref>
                    <select class="field-input" aria-label="Kind of new document" on:change:target=move |ev| {
                        if let Some(k) = DocKind::parse(&ev.target().value()) { new_kind.set(k) }
                    }>
                        {DocKind::ALL.into_iter().map(|k| view! { <option value=k.key() selected=move || new_kind.get() == k>{k.label()}</option> }).collect_view()}
                    </select>
                </Capture>
                <div class="toolbar" role="search">
                    <input class="field-input search" type="search" aria-label="Search documents"
                        placeholder="Search titles and text  ( / )"
                        prop:value=move || query.get() on:input:target=move |ev| query.set(ev.target().value()) />
                </div>
                <div class="doc-kinds" role="group" aria-label="Filter by kind">
                    {kind_chip(None)}
                    {DocKind::ALL.into_iter().map(|k| kind_chip(Some(k))).collect_view()}
                </div>
                {move || {
                    if total.get() == 0 && read_only.get() {
                        return view! { <div class="empty"><p>"No documents here."</p></div> }.into_any();
                    }
                    if total.get() == 0 {
                        return view! {
                            <div class="empty">
                                <p>"No documents yet. Write a spec, record a decision or keep meeting notes: type a title above and press Enter."</p>
                            </div>
                        }.into_any();
                    }
                    if shown_count.get() == 0 {
                        return view! {
                            <div class="empty">
                                <p>"No document matches."</p>
                                <button class="btn btn-small" data-view on:click=move |_| { query.set(String::new()); kind.set(None); }>"Clear search and filter"</button>
                            </div>
                        }.into_any();
                    }
                    ().into_any()
                }}
                <For each=move || groups.with(|g| g.iter().map(|(k, _)| *k).collect::<Vec<_>>()) key=|k: &DocKind| *k
                    children={move |k: DocKind| group(collection, k, groups, session.get().id.clone(), open)}/>
            </div>
            {move || open.get().map(|id| view! { <DocEditor id=id mode=mode/> })}
        </main>
    }
}

/// The documents of kind `k` shown, keyed by id.
fn group(collection: Collection<Document>, k: DocKind, groups: Memo<Vec<(DocKind, Vec<Id>)>>, ws: String, open: Memo<Option<Id>>) -> impl IntoView {
    let ids = Memo::new(move |_| groups.with(|g| g.iter().find(|(x, _)| *x == k).map(|(_, ids)| ids.clone()).unwrap_or_default()));
    view! {
        <section class="doc-group">
            <h2 class="doc-group-title">{plural(k)}<span class="count">{move || ids.with(Vec::len)}</span></h2>
            <ul class="item-list" aria-label=plural(k)>
                <For each=move || ids.get() key=|id: &Id| id.clone() children={move |id: Id| row(collection, id, ws.clone(), open)}/>
            </ul>
        </section>
    }
}

/// A document's row; it follows only its own document.
fn row(collection: Collection<Document>, id: Id, ws: String, open: Memo<Option<Id>>) -> impl IntoView {
    let Some((doc, active)) = crate::components::row_state(collection, &id, open) else { return ().into_any() };
    view! {
        <li class="item-row doc-row" class:active=move || active.get()>
            <Link to=Route::Page { ws, page: Page::Docs, open: Some(id.clone()) } class="item-link doc-link">
                <span class="doc-row-head">
                    <span class="item-title">{move || doc.with(doc_title)}</span>
                    <span class=move || doc.with(|d| kind_class(d.kind))>{move || doc.with(|d| d.kind.label())}</span>
                    <crate::components::PeersOn id=id/>
                </span>
                {move || doc.with(|d| {
                    let excerpt = first_line(&d.body);
                    let empty = excerpt.is_empty();
                    let links = d.links.len();
                    view! {
                        <span class="doc-excerpt" class:muted=empty>{if empty { "Nothing written yet".to_owned() } else { excerpt }}</span>
                        <span class="muted small">
                            {format!("Edited {}", relative_time(d.updated_at as f64))}
                            {(links > 0).then(|| format!(" · {links} link{}", if links == 1 { "" } else { "s" }))}
                        </span>
                    }
                })}
            </Link>
        </li>
    }
    .into_any()
}

#[component]
fn DocEditor(id: Id, mode: RwSignal<Mode>) -> impl IntoView {
    let id = StoredValue::new(id);
    view! {
        <SideEditor collection=use_session().get().documents id=id close_to=Route::Page { ws: use_session().get().id.clone(), page: Page::Docs, open: None } kind="Document" wide=true
            missing="This document doesn't exist here (it may have been deleted)."
            body=move |d| view! { <DocBody id=id doc=d mode=mode/> }/>
    }
}

/// Opens http(s) links from a preview in a new tab (never replacing the app); any other
/// link the renderer let through (mailto, #anchor) behaves as usual.
fn open_preview_link(ev: web_sys::MouseEvent) {
    let Some(a) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|e| e.closest("a").ok().flatten()) else {
        return;
    };
    let href = a.get_attribute("href").unwrap_or_default();
    if !markdown::is_safe_url(&href) {
        // The renderer never produces one; refuse anyway.
        ev.prevent_default();
        return;
    }
    let lower = href.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        ev.prevent_default();
        let _ = window().open_with_url_and_target_and_features(href.trim(), "_blank", "noopener,noreferrer");
    }
}

#[component]
fn DocBody(id: StoredValue<Id>, doc: RwSignal<Document>, mode: RwSignal<Mode>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let ideas = session.get().ideas;
    let stories = session.get().stories;
    let edit = move |make: DocEdit| {
        if let Err(e) = session.get().apply(make(id.get_value())) {
            toasts.error(format!("That change could not be made: {e}"));
        }
    };
    let body = Memo::new(move |_| doc.with(|d| d.body.clone()));
    // The only way a document becomes HTML: the domain's safe renderer.
    let rendered = Memo::new(move |_| body.with(|b| markdown::render(b)));
    let search = RwSignal::new(String::new());
    // (id, title, is an idea) of each live idea or story this document links.
    let linked = Memo::new(move |_| {
        let links = doc.with(|d| d.links.clone());
        stories.version.track();
        let mut out: Vec<(Id, String, bool)> = links
            .into_iter()
            .filter_map(|Ref { collection, id: lid }| {
                if collection == IDEAS {
                    let s = ideas.with(|m| m.get(&lid).copied())?;
                    return s.with(|i| (!i.deleted).then(|| (lid.clone(), i.title.clone(), true)));
                }
                let s = stories.get(&lid)?;
                s.with(|st| (!st.deleted).then(|| (lid.clone(), format!("I want {}", st.goal), false)))
            })
            .collect();
        sort::sort_by(&mut out, |a, b| b.2.cmp(&a.2).then_with(|| a.1.to_lowercase().cmp(&b.1.to_lowercase())));
        out
    });
    let candidates = Memo::new(move |_| {
        let q = search.get().trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let already = doc.with(|d| d.links.clone());
        let mut out: Vec<(Id, String, bool)> = ideas.with(|m| {
            m.iter()
                .filter(|(i, _)| !already.contains(&Ref::new(IDEAS, (*i).clone())))
                .filter_map(|(i, s)| s.with(|x| (!x.deleted && x.title.to_lowercase().contains(&q)).then(|| (i.clone(), x.title.clone(), true))))
                .collect()
        });
        out.extend(stories.live().into_iter().filter(|s| s.goal.to_lowercase().contains(&q)).filter_map(|s| {
            let sid = s.id?;
            (!already.contains(&Ref::new(STORIES, sid.clone()))).then(|| (sid, format!("I want {}", s.goal), false))
        }));
        sort::sort_by(&mut out, |a, b| b.2.cmp(&a.2).then_with(|| a.1.to_lowercase().cmp(&b.1.to_lowercase())));
        out.truncate(8);
        out
    });
    let link = move |target: Id, is_idea: bool, on: bool| {
        let target = Ref::new(if is_idea { IDEAS } else { STORIES }, target);
        edit(Box::new(move |id| Edit::Link { from: Ref::new(DOCUMENTS, id), relation: Relation::Describes, to: target, on }))
    };
    let delete = move || {
        edit(Box::new(|id| Edit::Delete(Ref::new(DOCUMENTS, id))));
        let did = id.get_value();
        navigate(Route::Page { ws: session.get().id.clone(), page: Page::Docs, open: None }, false);
        toasts.with_action("Document deleted", "Undo", move || {
            let s = session.get();
            match s.apply(Edit::Restore(Ref::new(DOCUMENTS, did.clone()))) {
                Ok(_) => navigate(Route::Page { ws: s.id.clone(), page: Page::Docs, open: Some(did.clone()) }, false),
                Err(e) => toasts.error(format!("The document could not be restored: {e}")),
            }
        });
    };
    // The text area shows the document's body. A change from elsewhere (a teammate, a
    // merged file) keeps the cursor on the same text instead of throwing it to the end.
    // An empty document (a new one) starts with the cursor where its text goes.
    let body_ref = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |shown: Option<Option<web_sys::HtmlTextAreaElement>>| {
        let el = body_ref.get()?;
        let new = body.get();
        crate::components::caret::show(&el, &new);
        // Just shown (the document opened, or Write chosen) and empty: ready to type.
        if shown.flatten().as_ref() != Some(&el) && new.is_empty() {
            let _ = el.focus();
        }
        Some(el)
    });
    // A view-only workspace shows the rendered document, never its source to edit.
    let read_only = use_read_only();
    let shown = Memo::new(move |_| if read_only.get() { Mode::Preview } else { mode.get() });
    let tab = move |m: Mode, label: &'static str, extra: &'static str| {
        view! {
            <button type="button" role="tab" class=format!("doc-tab {extra}") aria-selected=move || (mode.get() == m).to_string()
                on:click=move |_| mode.set(m)>{label}</button>
        }
    };
    view! {
        <div class="editor-body stack doc-editor">
            <Editable fallback=move || view! {
                <h2 class="editor-title doc-title-read">{move || doc.with(doc_title)}</h2>
                <p class="row wrap doc-toolbar"><span class=move || doc.with(|d| kind_class(d.kind))>{move || doc.with(|d| d.kind.label())}</span></p>
            }>
            <input class="field-input doc-title" type="text" aria-label="Document title" placeholder="Title"
                use:follow_text=Signal::derive(move || doc.with(|d| d.title.clone()))
                on:input:target=move |ev| { let v = ev.target().value(); edit(Box::new(move |document| Edit::DocumentText { document, body: false, text: v })); } />
            <div class="row wrap doc-toolbar">
                <select class="field-input" aria-label="Kind" on:change:target=move |ev| {
                    if let Some(k) = DocKind::parse(&ev.target().value()) { edit(Box::new(move |id| Edit::DocumentKind(id, k))); }
                }>
                    {DocKind::ALL.into_iter().map(|k| view! { <option value=k.key() selected=move || doc.with(|d| d.kind == k)>{k.label()}</option> }).collect_view()}
                </select>
                <div class="tabs doc-tabs" role="tablist" aria-label="Editor view">
                    {tab(Mode::Write, "Write", "")}
                    {tab(Mode::Preview, "Preview", "")}
                    {tab(Mode::Split, "Side by side", "doc-tab-split")}
                </div>
            </div>
            </Editable>
            <div class="doc-panes" class:split=move || shown.get() == Mode::Split>
                <Show when=move || shown.get() != Mode::Preview>
                    <div class="doc-pane">
                        <textarea node_ref=body_ref class="field-input field-textarea doc-body" aria-label="Document body (Markdown)"
                            placeholder="Write in Markdown: # headings, - lists, **bold**, [links](https://…)"
                            on:input:target=move |ev| { let v = ev.target().value(); edit(Box::new(move |document| Edit::DocumentText { document, body: true, text: v })); }
                        ></textarea>
                        <p class="field-hint">"Markdown: # heading, **bold**, *italic*, - list, 1. steps, [link](https://…), | tables |. HTML is shown as text and never runs."</p>
                    </div>
                </Show>
                <Show when=move || shown.get() != Mode::Write>
                    <article class="markdown doc-preview" aria-label="Preview" on:click=open_preview_link inner_html=move || rendered.get()></article>
                    {move || (read_only.get() && body.with(|b| b.trim().is_empty())).then(|| view! { <p class="muted">"Nothing written yet."</p> })}
                </Show>
            </div>
            <section class="field doc-links" aria-label="Linked ideas and stories">
                <span class="field-label">"About these ideas and stories"</span>
                {move || {
                    let list = linked.get();
                    if list.is_empty() {
                        let none = if read_only.get() {
                            "Not linked to any idea or story."
                        } else {
                            "Not linked yet. Link the ideas and stories this document is about; it then shows in their editors."
                        };
                        return view! { <p class="muted small">{none}</p> }.into_any();
                    }
                    let ws = session.get().id.clone();
                    view! {
                        <ul class="link-list">
                            {list.into_iter().map(|(lid, label, is_idea)| {
                                let to = if is_idea { Route::Ideas { ws: ws.clone(), open: Some(lid.clone()) } } else { Route::Page { ws: ws.clone(), page: Page::Stories, open: Some(lid.clone()) } };
                                let aria = format!("Unlink {label}");
                                view! {
                                    <li class="linked">
                                        <span class="badge">{if is_idea { "Idea" } else { "Story" }}</span>
                                        <Link to=to>{label}</Link>
                                        <Editable>
                                            <button class="icon-btn small" title="Unlink" aria-label=aria.clone() on:click={
                                                let lid = lid.clone();
                                                move |_| link(lid.clone(), is_idea, false)
                                            }>"×"</button>
                                        </Editable>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <LinkPicker label="Link to an idea or story" placeholder="Link to an idea or story: type part of its title"
                    list_label="Ideas and stories to link" none="No other idea or story matches." query=search
                    suggestions=Signal::derive(move || candidates.with(|c| c.iter().map(|(cid, label, is_idea)| Suggestion {
                        id: cid.clone(),
                        title: format!("{}: {label}", if *is_idea { "Idea" } else { "Story" }),
                        badge: None,
                    }).collect::<Vec<_>>()))
                    on_link=move |cid: Id| {
                        let is_idea = candidates.with_untracked(|c| c.iter().find(|x| x.0 == cid).map(|x| x.2));
                        if let Some(is_idea) = is_idea {
                            link(cid, is_idea, true)
                        }
                    }/>
            </section>
            <p class="muted small">{move || doc.with(|d| format!("Started by {} · edited {}", if d.created_by.is_empty() { "someone" } else { &d.created_by }, relative_time(d.updated_at as f64)))}</p>
            <Editable>
                <div class="row end">
                    <button class="btn btn-danger-ghost" on:click=move |_| delete()>"Delete document"</button>
                </div>
            </Editable>
        </div>
    }
}
