//! The workspace screen: opens the session, shows navigation, the name, the save
//! state, export/import, and the current section.

use leptos::prelude::*;
use leptos::task::spawn_local;
use waymark_domain::edit::Edit;
use waymark_domain::BriefField;

use crate::app::{display_name, use_profile, use_store};
use crate::sync::SyncStatus;
use crate::components::{follow_text, my_presence, ConfirmSharedMerge, Editable, PeerAvatars, ProfileButton, ReadOnly, SaveIndicator, ShareButton, SyncIndicator, Toasts};
use crate::pages::{brief::BriefPage, docs::DocsPage, feedback::FeedbackPage, ideas::IdeasPage, personas::PersonasPage, priorities::PrioritiesPage, stories::StoriesPage};
use crate::route::{use_route, Link, Page, Route};
use crate::components::time_travel::{PastBanner, TimeTravel};
use crate::session::{use_session, Session, SessionCtx};
use crate::util::{download, file_stem, read_file};

#[component]
pub fn WorkspaceShell(id: String) -> impl IntoView {
    let store = use_store();
    let me = display_name(&use_profile().get_untracked());
    let state = RwSignal::new(None::<Result<SessionCtx, String>>);
    {
        // Called here, not inside the task: the session's signals belong to this
        // screen's reactive scope, which is only current now (a task runs in none), so
        // they live exactly as long as the workspace screen, whatever section shows.
        let opening = Session::open_painting(store, &id, me);
        let presence = my_presence();
        spawn_local(async move {
            let opened = opening.await.map(|s| {
                s.mark_since_last_visit();
                s.start_sync(presence);
                SessionCtx(StoredValue::new_local(s))
            });
            state.set(Some(opened));
        });
    }
    // Whatever happens, edits are written when the tab goes away or is hidden.
    // …and where history stands is remembered as this browser's last visit.
    let flush = move || {
        if let Some(Ok(ctx)) = state.get_untracked() {
            ctx.0.get_value().flush();
            ctx.0.get_value().remember_visit();
            ctx.0.get_value().write_view_cache();
        }
    };
    let hide = window_event_listener(leptos::ev::pagehide, move |_| flush());
    let vis = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Hidden {
            flush();
        }
    });
    let toasts = Toasts::get();
    on_cleanup(move || {
        flush();
        if let Some(Ok(ctx)) = state.get_untracked() {
            ctx.0.get_value().stop_sync();
        }
        hide.remove();
        vis.remove();
        // A notice's Undo would act on a workspace that is gone.
        toasts.drop_actions();
    });

    move || match state.get() {
        None => view! { <div class="splash" role="status">"Opening workspace…"</div> }.into_any(),
        Some(Err(message)) => view! {
            <main class="splash error" role="alert">
                <h1>"This workspace didn't open"</h1>
                <p>{message}</p>
                <Link to=Route::Home class="btn btn-primary">"Back to your workspaces"</Link>
            </main>
        }
        .into_any(),
        Some(Ok(ctx)) => {
            // The screen shows the workspace now or, travelling, as it was: the whole
            // shell is drawn again for whichever session that is.
            let travel = TimeTravel::new(ctx);
            provide_context(travel);
            // Keyed by the trip, so each is a new shell, not the last one patched.
            view! {
                <For each=move || [travel.trip.get()] key=|trip| *trip children=move |_| {
                    provide_context(travel.shown());
                    view! { <Shell/> }
                }/>
            }
            .into_any()
        }
    }
}

#[component]
fn Shell() -> impl IntoView {
    let session = use_session();
    let route = use_route();
    let ws = session.get().id.clone();
    let brief = session.get().brief;
    let idea_count = session.get().live_count;
    // A published audience roadmap shows its board and nothing else.
    let audience = session.get().audience();
    Effect::new(move |_| {
        let name = brief.with(|b| b.name.clone());
        document().set_title(&if name.trim().is_empty() { "Waymark".to_owned() } else { format!("{name} · Waymark") });
    });
    let warnings = session.get().warnings;
    // A session of the past (time travel): read-only, with its own banner.
    let past = session.get().past.clone();
    let travelling = past.is_some();
    // View-only when the workspace's capability has no write key (a view link): every
    // page and component reads this through `use_read_only`.
    let read_only = session.get().read_only;
    provide_context(ReadOnly(read_only.into()));
    let content = NodeRef::<leptos::html::Div>::new();
    crate::components::read_only::lock_while(content, read_only.into());
    // Teammates see which section and item I am on.
    let engine = session.get().engine;
    Effect::new(move |_| {
        let (page, item) = route.with(|r| match r {
            Route::Brief { .. } => ("brief".to_owned(), None),
            Route::Ideas { open, .. } => ("ideas".to_owned(), open.clone()),
            Route::Page { page, open, .. } => (page.key().to_owned(), open.clone()),
            _ => (String::new(), None),
        });
        if let Some(engine) = engine.get() {
            engine.set_presence(|p| {
                p.page = page;
                p.item = item;
            });
        }
    });
    // Which section shows; it changes only when the section does, not when an item opens.
    let section = Memo::new(move |_| route.with(|r| match r {
        Route::Ideas { .. } => Some(None),
        Route::Page { page, .. } => Some(Some(*page)),
        _ => None,
    }));
    view! {
        <crate::components::palette::CommandPalette/>
        <crate::components::list_keys::ListKeys/>
        <Show when=move || !read_only.get()>
            <crate::components::undo::UndoKeys/>
        </Show>
        <div class="shell" class:read-only=move || read_only.get()>
            <nav class="sidebar" aria-label="Workspace">
                <Link to=Route::Home class="brand" label="Waymark: all workspaces">
                    <img src="/icons/icon.svg" alt="" width="24" height="24"/>
                    <span>"Waymark"</span>
                </Link>
                <ul class="nav">
                    {match audience {
                        Some(_) => view! {
                            <li><Link to=Route::Page { ws: ws.clone(), page: Page::Roadmap, open: None } class="nav-link">"Roadmap"</Link></li>
                        }.into_any(),
                        None => view! {
                        <li><Link to=Route::Page { ws: ws.clone(), page: Page::Overview, open: None } class="nav-link">"Overview"</Link></li>
                        <li><Link to=Route::Brief { ws: ws.clone() } class="nav-link">"Brief"</Link></li>
                        <li>
                            <Link to=Route::Ideas { ws: ws.clone(), open: None } class="nav-link">
                                "Ideas" <span class="count">{move || idea_count.get()}</span>
                            </Link>
                        </li>
                        {Page::all().into_iter().filter(|p| *p != Page::Overview).map(|page| view! {
                            <li><Link to=Route::Page { ws: ws.clone(), page, open: None } class="nav-link">{page.label()}</Link></li>
                        }).collect_view()}
                        }.into_any(),
                    }}
                </ul>
                <div class="sidebar-foot"><ProfileButton/></div>
            </nav>
            <div class="main">
                <header class="ws-header">
                    <input
                        class="ws-name"
                        type="text"
                        aria-label="Workspace name"
                        placeholder="Untitled workspace"
                        maxlength="120"
                        readonly=move || read_only.get()
                        use:follow_text=Signal::derive(move || brief.with(|b| b.name.clone()))
                        on:input:target=move |ev| {
                            let _ = session.get().apply(Edit::BriefText(BriefField::Name, ev.target().value()));
                        }
                    />
                    {match past.clone() {
                        None => view! {
                            <SaveIndicator state=session.get().save_state/>
                            <SyncIndicator/>
                            <PeerAvatars/>
                            <ShareButton/>
                            <ExportMenu/>
                        }.into_any(),
                        Some(_) => ().into_any(),
                    }}
                </header>
                {past.clone().map(|point| view! { <PastBanner point=point/> })}
                {audience.map(|a| view! {
                    <div class="banner info view-only" role="note">
                        <p><strong>{a.label()}</strong>" — shared read-only by the product team. It shows what they plan now, next and later, and changes when they republish it."</p>
                    </div>
                })}
                {move || (read_only.get() && audience.is_none() && !travelling).then(|| view! {
                    <div class="banner info view-only" role="note">
                        <p><strong>"View only"</strong>" — you opened a view link, so you can read everything and follow changes live, but not change anything. Ask the owner for an edit link to make changes."</p>
                    </div>
                })}
                {move || engine.get().filter(|e| e.status.get() == SyncStatus::Closed).map(|_| view! {
                    <div class="banner warning link-replaced" role="alert">
                        <p><strong>"This link was replaced"</strong>" — an editor replaced this workspace's links, so changes no longer sync through the one you opened. Ask a teammate for the new link and open it here: this copy, and anything you changed since, comes along."</p>
                    </div>
                })}
                {move || (!warnings.with(|w| w.is_empty())).then(|| view! {
                    <div class="banner warning" role="alert">
                        {warnings.get().into_iter().map(|w| view! { <p>{w}</p> }).collect_view()}
                        <button class="btn btn-small" on:click=move |_| warnings.set(Vec::new())>"Dismiss"</button>
                    </div>
                })}
                <div class="content" node_ref=content>
                {move || match section.get() {
                    _ if audience.is_some() => view! { <crate::pages::roadmap::BoardPage/> }.into_any(),
                    Some(None) => view! { <IdeasPage/> }.into_any(),
                    Some(Some(Page::Overview)) => view! { <crate::pages::overview::OverviewPage/> }.into_any(),
                    Some(Some(Page::Priorities)) => view! { <PrioritiesPage/> }.into_any(),
                    Some(Some(Page::Roadmap)) => view! { <crate::pages::roadmap::BoardPage/> }.into_any(),
                    Some(Some(Page::Timeline)) => view! { <crate::pages::roadmap::TimelinePage/> }.into_any(),
                    Some(Some(Page::Feedback)) => view! { <FeedbackPage/> }.into_any(),
                    Some(Some(Page::Personas)) => view! { <PersonasPage/> }.into_any(),
                    Some(Some(Page::Stories)) => view! { <StoriesPage/> }.into_any(),
                    Some(Some(Page::Docs)) => view! { <DocsPage/> }.into_any(),
                    Some(Some(Page::Activity)) => view! { <crate::pages::activity::ActivityPage/> }.into_any(),
                    Some(Some(Page::Kind { collection, .. })) => crate::pages::kind_page::page_of(collection),
                    None => view! { <BriefPage/> }.into_any(),
                }}
                </div>
            </div>
        </div>
    }
}

/// Export (three formats) and merging in a copy of this workspace.
#[component]
fn ExportMenu() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let details = NodeRef::<leptos::html::Details>::new();
    let close = move || {
        if let Some(d) = details.get() {
            d.set_open(false);
        }
    };
    let export_as = move |kind: &'static str| {
        close();
        let s = session.get();
        if let Err(e) = s.ready() {
            return toasts.error(e);
        }
        let stem = file_stem(&s.brief.with_untracked(|b| b.name.clone()));
        // The document may be in the worker: the file is made there and saved here.
        leptos::task::spawn_local(async move {
            let result = match kind {
                "automerge" => s.save_bytes().await.and_then(|bytes| download(&format!("{stem}.automerge"), "application/octet-stream", &bytes)),
                "json" => s.export_text(false).await.and_then(|text| download(&format!("{stem}.json"), "application/json", text.as_bytes())),
                _ => s.export_text(true).await.and_then(|text| download(&format!("{stem}.md"), "text/markdown", text.as_bytes())),
            };
            if let Err(e) = result {
                toasts.error(e);
            }
        });
    };
    for (label, kind) in [
        ("Export: .automerge file, with the whole history", "automerge"),
        ("Export: JSON, for tools", "json"),
        ("Export: Markdown report", "markdown"),
    ] {
        crate::components::palette::offer_action(label, move || export_as(kind));
    }
    // A copy of a shared workspace waits here while the user is asked about it.
    let held = StoredValue::new(None::<Vec<u8>>);
    let ask_shared = RwSignal::new(false);
    let name = Signal::derive(move || session.get().brief.with(|b| b.name.clone()));
    let merge = move |bytes: Vec<u8>| {
        let s = session.get();
        leptos::task::spawn_local(async move {
            match s.merge_bytes(&bytes).await {
                Ok(_) => toasts.info("Merged the file's changes into this workspace."),
                Err(e) => toasts.error(format!("This file can't be merged: {e}. Nothing changed.")),
            }
        });
    };
    // A backlog file read and waiting for its preview to be confirmed.
    let backlog_open = RwSignal::new(false);
    let backlog_file = RwSignal::new(None::<crate::pages::backlog_import::BacklogFile>);
    let on_backlog = move |ev: leptos::ev::Event| {
        close();
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        let name = file.name();
        spawn_local(async move {
            let read = read_file(&file).await.and_then(|bytes| String::from_utf8(bytes).map_err(|_| format!("{name} is not a text file (UTF-8).")));
            match read.and_then(|text| waymark_domain::backlog::read_backlog(&text).map(|b| (text, b))) {
                Ok((text, read)) => {
                    backlog_file.set(Some(crate::pages::backlog_import::BacklogFile { name, text, read }));
                    backlog_open.set(true);
                }
                Err(e) => toasts.error(format!("{e} Nothing was imported.")),
            }
        });
    };
    let on_merge = move |ev: leptos::ev::Event| {
        close();
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        let s = session.get();
        spawn_local(async move {
            let bytes = match read_file(&file).await {
                Ok(b) => b,
                Err(e) => return toasts.error(e),
            };
            // Checked whole in the document worker.
            let checked = crate::doc_worker::load(&crate::doc_worker::protocol::Request::ImportAutomerge { taken_names: Vec::new() }, &bytes).await;
            match checked {
                Err(e) => toasts.error(format!("This file can't be merged: {e}. Nothing changed.")),
                Ok(file) if file.workspace_id != s.id => toasts.error(format!(
                    "This file is a different workspace (“{}”). Import it from your workspaces list to add it; nothing changed here.",
                    file.name
                )),
                Ok(_) if s.sync_record().is_some() => {
                    held.set_value(Some(bytes));
                    ask_shared.set(true);
                }
                Ok(_) => merge(bytes),
            }
        });
    };
    let merge_held = Callback::new(move |()| {
        if let Some(bytes) = held.try_update_value(Option::take).flatten() {
            merge(bytes);
        }
    });
    view! {
        <details class="menu" node_ref=details>
            <summary class="btn">"Export"</summary>
            <div class="menu-panel" role="menu">
                <button role="menuitem" on:click=move |_| export_as("automerge")>
                    <strong>"Automerge file"</strong><span>"The whole workspace with its history; import it anywhere"</span>
                </button>
                <button role="menuitem" on:click=move |_| export_as("json")>
                    <strong>"JSON"</strong><span>"Everything as readable data, for scripts and other tools; imports as a new workspace"</span>
                </button>
                <button role="menuitem" on:click=move |_| export_as("markdown")>
                    <strong>"Markdown"</strong><span>"A readable report of the whole workspace, to paste into docs"</span>
                </button>
                <Editable>
                    <label class="menu-item" role="menuitem">
                        <input type="file" class="visually-hidden" accept=".csv,text/csv" aria-label="Import a backlog (Jira or Linear CSV)" on:change=on_backlog/>
                        <strong>"Import a backlog…"</strong><span>"Epics, stories and issues from a Jira or Linear CSV export"</span>
                    </label>
                </Editable>
                <Editable>
                    <label class="menu-item" role="menuitem">
                        <input type="file" class="visually-hidden" accept=".automerge" on:change=on_merge/>
                        <strong>"Merge a copy…"</strong><span>"Bring in edits from an .automerge file of this workspace"</span>
                    </label>
                </Editable>
            </div>
        </details>
        <ConfirmSharedMerge open=ask_shared name=name merge=merge_held/>
        <crate::pages::backlog_import::ImportBacklog open=backlog_open file=backlog_file/>
    }
}
