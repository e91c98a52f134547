//! The documents about an idea or a story, shown in its editor: open one, unlink it,
//! link an existing document by title, or start a spec already linked to it (only
//! opening, in a view-only workspace). The link goes from the document
//! (`Workspace::link_document`), so linking never edits the idea or story itself.

use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::schema::DOCUMENTS;
use waymark_domain::document::documents_linking;
use waymark_domain::edit::Edit;
use waymark_domain::{DocKind, Document, Id, Ref, Relation};

use crate::components::{use_read_only, Editable, LinkPicker, Suggestion, Toasts};
use crate::route::{navigate, Link, Page, Route};
use crate::session::use_session;

/// A document's title as shown in lists ("Untitled" when empty).
pub fn doc_title(d: &Document) -> String {
    if d.title.trim().is_empty() { "Untitled".to_owned() } else { d.title.clone() }
}

/// The badge classes of a document kind (`doc-kind doc-kind-spec`).
pub fn kind_class(kind: DocKind) -> String {
    format!("badge doc-kind doc-kind-{}", kind.key())
}

/// The documents linking to `target` (an idea or a story).
#[component]
pub fn LinkedDocs(target: Ref) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let collection = session.get().documents;
    let target = StoredValue::new(target);
    let all = Memo::new(move |_| collection.live());
    let mine = Memo::new(move |_| {
        let t = target.get_value();
        let mut list: Vec<Document> = all.with(|l| documents_linking(l, &t.id).into_iter().cloned().collect());
        sort::sort_by(&mut list, |a, b| b.updated_at.cmp(&a.updated_at));
        list
    });
    let read_only = use_read_only();
    let query = RwSignal::new(String::new());
    let candidates = Memo::new(move |_| {
        let q = query.get().trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let t = target.get_value();
        let mut list: Vec<Document> =
            all.with(|l| l.iter().filter(|d| !d.links.contains(&t) && d.title.to_lowercase().contains(&q)).cloned().collect());
        sort::sort_by(&mut list, |a, b| b.updated_at.cmp(&a.updated_at));
        list.truncate(8);
        list
    });
    let link = move |doc: Id, linked: bool| {
        let t = target.get_value();
        let edit = Edit::Link { from: Ref::new(DOCUMENTS, doc), relation: Relation::Describes, to: t, on: linked };
        if let Err(e) = session.get().apply(edit) {
            toasts.error(format!("The link could not be changed: {e}"));
        }
    };
    let suggestions = Signal::derive(move || {
        candidates.with(|c| {
            c.iter()
                .filter_map(|d| Some(Suggestion { id: d.id.clone()?, title: doc_title(d), badge: Some((d.kind.label(), kind_class(d.kind))) }))
                .collect::<Vec<_>>()
        })
    });
    let new_spec = move |_| {
        let s = session.get();
        let t = target.get_value();
        let about = s
            .ideas
            .with_untracked(|m| m.get(&t.id).map(|i| i.with_untracked(|i| i.title.clone())))
            .or_else(|| s.stories.get(&t.id).map(|st| st.with_untracked(|st| st.goal.clone())))
            .unwrap_or_default();
        let title = if about.trim().is_empty() { "Spec".to_owned() } else { format!("Spec: {}", about.trim()) };
        let made = s.create(Edit::CreateDocument { title, kind: DocKind::Spec }).and_then(|id| {
            s.apply(Edit::Link { from: Ref::new(DOCUMENTS, id.clone()), relation: Relation::Describes, to: t, on: true })?;
            Ok(id)
        });
        match made {
            Ok(id) => navigate(Route::Page { ws: s.id.clone(), page: Page::Docs, open: Some(id) }, false),
            Err(e) => toasts.error(format!("The spec could not be created: {e}")),
        }
    };
    view! {
        <section class="field linked-docs" aria-label="Linked documents">
            <span class="field-label">"Docs"</span>
            {move || {
                let list = mine.get();
                if list.is_empty() {
                    let none = if read_only.get() { "No spec, decision or note links here." } else { "No spec, decision or note links here yet." };
                    return view! { <p class="muted small linked-docs-empty">{none}</p> }.into_any();
                }
                let ws = session.get().id.clone();
                view! {
                    <ul class="link-list linked-docs-list">
                        {list.into_iter().map(|d| {
                            let title = doc_title(&d);
                            let aria = format!("Unlink {title}");
                            let did = d.id.clone();
                            view! {
                                <li class="linked-doc">
                                    <Link to=Route::Page { ws: ws.clone(), page: Page::Docs, open: d.id.clone() } class="linked-doc-title">{title}</Link>
                                    <span class=kind_class(d.kind)>{d.kind.label()}</span>
                                    <Editable>
                                        <button class="icon-btn small" title="Unlink" aria-label=aria.clone() on:click={
                                            let did = did.clone();
                                            move |_| if let Some(id) = did.clone() { link(id, false) }
                                        }>"×"</button>
                                    </Editable>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <LinkPicker label="Link a document" placeholder="Link a document: type part of its title" list_label="Documents to link"
                none="No other document has that in its title." query=query suggestions=suggestions on_link=move |id| link(id, true)>
                <button class="btn btn-small" on:click=new_spec>"Write a spec for this"</button>
            </LinkPicker>
        </section>
    }
}
