//! Ideas: quick capture, search, filters, sort, and a list that stays fast at tens of
//! thousands of ideas (only the rows on screen are rendered).

use leptos::prelude::*;
use waymark_domain::edit::Edit;
use waymark_domain::query::sort_ideas;
use waymark_domain::{Id, Idea, IdeaFilter, IdeaSort, IdeaStatus};

use crate::components::{idea_tag_counts, use_read_only, Capture, TagFilter, Toasts, Window};
use crate::pages::idea_editor::IdeaEditor;
use crate::route::{navigate, use_route, Route};
use crate::session::use_session;
use crate::util::relative_time;

/// Height of one row in the list, in CSS pixels (style/components.css agrees).
const ROW_HEIGHT: f64 = 64.0;

#[component]
pub fn IdeasPage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let route = use_route();
    let ideas = session.get().ideas;
    let query = RwSignal::new(String::new());
    let status = RwSignal::new(None::<IdeaStatus>);
    let tag = RwSignal::new(None::<String>);
    let sort = RwSignal::new(IdeaSort::Newest);
    let open = Memo::new(move |_| route.with(|r| match r {
        Route::Ideas { open, .. } => open.clone(),
        _ => None,
    }));

    // The ids to show, filtered and sorted. It follows the session's list version
    // (not every idea's signal), so a keystroke updates its row at once and the order
    // catches up when typing pauses; rows re-render only if the order really changed.
    let list_version = session.get().list_version;
    let shown = Memo::new(move |_| {
        let filter = IdeaFilter { text: query.get(), status: status.get(), tag: tag.get() };
        let order = sort.get();
        list_version.track();
        ideas.with_untracked(|map| {
            let guards: Vec<_> = map.values().map(|s| s.read_untracked()).collect();
            let mut list: Vec<&Idea> = guards.iter().map(|g| &**g).filter(|i| filter.matches(i)).collect();
            sort_ideas(&mut list, order);
            list.into_iter().filter_map(|i| i.id.clone()).collect::<Vec<Id>>()
        })
    });
    let all_tags = idea_tag_counts();
    let live_count = session.get().live_count;

    let capture_text = RwSignal::new(String::new());
    let capture = {
        move || {
            let title = capture_text.get_untracked();
            if title.trim().is_empty() {
                return;
            }
            match session.get().create(Edit::CreateIdea { title }) {
                Ok(_) => capture_text.set(String::new()),
                Err(e) => toasts.error(format!("The idea could not be added: {e}")),
            }
        }
    };

    // Keyboard: Esc closes the editor, or leaves the field (the keys of every list are
    // `ListKeys`').
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.key() != "Escape" {
            return;
        }
        // An open editor closes itself (SideEditor); otherwise Esc leaves the field.
        if open.get_untracked().is_some() {
            ev.prevent_default();
        } else if let Some(el) = document().active_element() {
            let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(el).blur();
        }
    });
    on_cleanup(move || keys.remove());

    // Marks the first paint of the list, for `cargo xtask bench` (navigation → rendered).
    Effect::new(move |_| {
        request_animation_frame(|| {
            if let Some(perf) = window().performance() {
                let _ = perf.mark("waymark:ideas-rendered");
            }
        });
    });

    let filtered = move || query.with(|q| !q.trim().is_empty()) || status.with(Option::is_some) || tag.with(Option::is_some);
    let summary = move || {
        let (n, total) = (shown.with(Vec::len), live_count.get());
        if filtered() {
            format!("{n} of {total} ideas")
        } else {
            format!("{total} idea{}", if total == 1 { "" } else { "s" })
        }
    };

    view! {
        <main class="page ideas" class:editor-open=move || open.with(Option::is_some)>
            <div class="ideas-list-pane">
                <div class="page-head">
                    <h1 class="page-title">"Ideas"</h1>
                    <span class="muted" role="status">{summary}</span>
                </div>
                <Capture label="New idea" placeholder="Capture an idea and press Enter   (n)" maxlength=500 button="Add"
                    value=capture_text on_submit=capture/>
                <div class="toolbar" role="search">
                    <input
                        class="field-input search"
                        type="search"
                        aria-label="Search ideas"
                        placeholder="Search   (/)"
                        prop:value=move || query.get()
                        on:input:target=move |ev| query.set(ev.target().value())
                    />
                    <select
                        class="field-input"
                        aria-label="Filter by status"
                        on:change:target=move |ev| status.set(IdeaStatus::parse(&ev.target().value()))
                    >
                        <option value="" selected=move || status.get().is_none()>"All statuses"</option>
                        {IdeaStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.key() selected=move || status.get() == Some(s)>{s.label()}</option>
                        }).collect_view()}
                    </select>
                    <TagFilter tags=all_tags tag=tag/>
                    <select
                        class="field-input"
                        aria-label="Sort ideas"
                        on:change:target=move |ev| sort.set(IdeaSort::parse(&ev.target().value()).unwrap_or_default())
                    >
                        {IdeaSort::ALL.into_iter().map(|s| view! {
                            <option value=s.key() selected=move || sort.get() == s>{s.label()}</option>
                        }).collect_view()}
                    </select>
                    <Show when=filtered>
                        <button class="btn btn-small" data-view on:click=move |_| {
                            query.set(String::new());
                            status.set(None);
                            tag.set(None);
                        }>"Clear filters"</button>
                    </Show>
                </div>
                <IdeaList shown=shown open=open empty_because_filtered=Signal::derive(filtered)/>
            </div>
            {move || open.get().map(|id| view! { <IdeaEditor id=id/> })}
        </main>
    }
}

/// The idea list, windowed ([`Window`]).
#[component]
fn IdeaList(shown: Memo<Vec<Id>>, open: Memo<Option<Id>>, empty_because_filtered: Signal<bool>) -> impl IntoView {
    let ideas = use_session().get().ideas;
    let read_only = use_read_only();
    let scroller = NodeRef::<leptos::html::Div>::new();
    let window = Window::new(scroller, Signal::derive(move || shown.with(Vec::len)), ROW_HEIGHT);
    let rows = Memo::new(move |_| {
        let (first, last) = window.range.get();
        shown.with(|ids| ids[first..last].to_vec())
    });
    view! {
        <div class="idea-scroller" node_ref=scroller on:scroll=move |_| window.measure()>
            <Show
                when=move || !shown.with(Vec::is_empty)
                fallback=move || view! {
                    <div class="empty">
                        {move || if empty_because_filtered.get() {
                            view! { <p>"No ideas match. Try other words or clear the filters."</p> }.into_any()
                        } else if read_only.get() {
                            view! { <h2>"No ideas yet"</h2> }.into_any()
                        } else {
                            view! {
                                <h2>"No ideas yet"</h2>
                                <p>"Type one above and press Enter. Press " <kbd>"n"</kbd> " anywhere to start a new one."</p>
                            }.into_any()
                        }}
                    </div>
                }
            >
                <ul
                    class="idea-list"
                    aria-label="Ideas"
                    style:height=move || window.height()
                    style:padding-top=move || window.offset()
                >
                    <For each=move || rows.get() key=|id| id.clone() let:id>
                        {
                            let sig = ideas.with_untracked(|m| m.get(&id).copied());
                            sig.map(|sig| view! { <IdeaRow id=id.clone() idea=sig open=open/> })
                        }
                    </For>
                </ul>
            </Show>
        </div>
    }
}

#[component]
fn IdeaRow(id: Id, idea: RwSignal<Idea>, open: Memo<Option<Id>>) -> impl IntoView {
    let ws = use_session().get().id.clone();
    let active = {
        let id = id.clone();
        Memo::new(move |_| open.with(|o| o.as_ref() == Some(&id)))
    };
    let peer_id = id.clone();
    let to = Route::Ideas { ws, open: Some(id) };
    let href = to.path();
    view! {
        <li class="idea-row" class:active=active>
            <a
                href=href
                aria-current=move || active.get().then_some("true")
                on:click=move |ev: leptos::ev::MouseEvent| {
                    if ev.button() == 0 && !ev.ctrl_key() && !ev.meta_key() && !ev.shift_key() {
                        ev.prevent_default();
                        navigate(to.clone(), false);
                    }
                }
            >
                <span class="idea-title">
                    {move || idea.with(|i| if i.title.trim().is_empty() { "Untitled idea".to_owned() } else { i.title.clone() })}
                </span>
                <span class="idea-meta">
                    <span class=move || format!("badge status-{}", idea.with(|i| i.status.key()))>
                        {move || idea.with(|i| i.status.label())}
                    </span>
                    <crate::components::PeersOn id=peer_id/>
                    {move || idea.with(|i| i.tags.iter().take(3).map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view())}
                    <span class="muted small">
                        {move || idea.with(|i| {
                            let who = if i.submitter.is_empty() { &i.created_by } else { &i.submitter };
                            format!("{} · {}", who, relative_time(i.created_at as f64))
                        })}
                    </span>
                </span>
                <span class="votes" aria-label=move || format!("{} votes", idea.with(|i| i.votes))>
                    "▲ " {move || idea.with(|i| i.votes)}
                </span>
            </a>
        </li>
    }
}
