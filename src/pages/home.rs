//! Home: the workspaces in this browser; create, open, rename, delete, import.

use leptos::prelude::*;
use leptos::task::spawn_local;
use waymark_domain::format::group_thousands;
use waymark_domain::BriefField;

use crate::app::{display_name, use_profile, use_store, TopBar};
use crate::components::{ConfirmSharedMerge, Dialog, Toasts};
use crate::storage::import::{create_workspace, import_file, Outcome, Progress};
use crate::route::{navigate, Link, Route};
use crate::session::Session;
use crate::storage::WorkspaceMeta;
use crate::util::{read_file, relative_time};

#[component]
pub fn HomePage() -> impl IntoView {
    let store = StoredValue::new_local(use_store());
    let profile = use_profile();
    let toasts = Toasts::get();
    let workspaces = RwSignal::new(None::<Vec<WorkspaceMeta>>);
    let reload = move || {
        let store = store.get_value();
        spawn_local(async move {
            match store.list().await {
                Ok(list) => workspaces.set(Some(list)),
                Err(e) => toasts.error(format!("Your workspaces could not be listed: {e}")),
            }
        });
    };
    reload();

    let new_name = RwSignal::new(String::new());
    let create = move || {
        let name = new_name.get_untracked().trim().to_owned();
        if name.is_empty() {
            toasts.error("Give the workspace a name: usually your product's.");
            return;
        }
        let me = display_name(&profile.get_untracked());
        let store = store.get_value();
        spawn_local(async move {
            match create_workspace(&store, &name, &me).await {
                Ok(id) => navigate(Route::Brief { ws: id }, false),
                Err(e) => toasts.error(format!("The workspace could not be created: {e}")),
            }
        });
    };

    let importing = RwSignal::new(false);
    let progress = RwSignal::new(None::<Progress>);
    // A copy of a shared workspace waits here while the user is asked about it.
    let held = StoredValue::new(None::<Vec<u8>>);
    let ask_shared = RwSignal::new(false);
    let held_name = RwSignal::new(String::new());
    let import = move |bytes: Vec<u8>, merge_into_shared: bool| {
        let me = display_name(&profile.get_untracked());
        let store = store.get_value();
        importing.set(true);
        spawn_local(async move {
            let result = import_file(store, &bytes, &me, merge_into_shared, move |p| progress.set(Some(p))).await;
            importing.set(false);
            progress.set(None);
            match result {
                Ok(Outcome::AsksFirst { name }) => {
                    held.set_value(Some(bytes));
                    held_name.set(name);
                    ask_shared.set(true);
                }
                Ok(Outcome::Done(done)) if done.merged => toasts.info(format!("Merged the file into “{}”.", done.name)),
                Ok(Outcome::Done(done)) => toasts.info(format!("Imported “{}”.", done.name)),
                Err(e) => toasts.error(e),
            }
            reload();
        });
    };
    let on_import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            match read_file(&file).await {
                Ok(bytes) => import(bytes, false),
                Err(e) => toasts.error(e),
            }
        });
    };
    let merge_held = Callback::new(move |()| {
        if let Some(bytes) = held.try_update_value(Option::take).flatten() {
            import(bytes, true);
        }
    });

    view! {
        <TopBar/>
        <main class="home">
            <div class="home-head">
                <div>
                    <h1>"Your workspaces"</h1>
                    <p class="muted">"Everything lives in this browser and works offline."</p>
                </div>
                <div class="home-actions">
                    <crate::route::Link to=crate::route::Route::Invitation class="btn">"Join with an invitation"</crate::route::Link>
                    <label class="btn" class:busy=move || importing.get()>
                        <input type="file" class="visually-hidden" accept=".automerge,.json,application/json" on:change=on_import/>
                        {move || if importing.get() { "Importing…" } else { "Import a file…" }}
                    </label>
                </div>
            </div>
            {move || progress.get().map(|p| view! { <ImportProgress progress=p/> })}
            <form class="create-form" on:submit=move |ev| { ev.prevent_default(); create(); }>
                <input
                    class="field-input"
                    type="text"
                    aria-label="New workspace name"
                    placeholder="Name a new workspace, e.g. your product"
                    maxlength="120"
                    prop:value=move || new_name.get()
                    on:input:target=move |ev| new_name.set(ev.target().value())
                />
                <button type="submit" class="btn btn-primary">"Create workspace"</button>
            </form>
            {move || match workspaces.get() {
                None => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <div class="empty">
                        <h2>"No workspaces yet"</h2>
                        <p>"Create one for your product above, or import a file a teammate exported."</p>
                    </div>
                }.into_any(),
                Some(list) => view! {
                    <ul class="card-grid" aria-label="Workspaces">
                        {list.into_iter().map(|meta| view! { <WorkspaceCard meta=meta on_changed=Callback::new(move |()| reload())/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <ConfirmSharedMerge open=ask_shared name=held_name merge=merge_held/>
        </main>
    }
}

#[component]
fn WorkspaceCard(meta: WorkspaceMeta, on_changed: Callback<()>) -> impl IntoView {
    let store = StoredValue::new_local(use_store());
    let profile = use_profile();
    let toasts = Toasts::get();
    let renaming = RwSignal::new(false);
    let rename_to = RwSignal::new(meta.name.clone());
    let confirm_delete = RwSignal::new(false);
    let id = meta.id.clone();
    let name = if meta.name.trim().is_empty() { "Untitled workspace".to_owned() } else { meta.name.clone() };

    let rename = {
        let id = id.clone();
        move || {
            let new_name = rename_to.get_untracked().trim().to_owned();
            renaming.set(false);
            if new_name.is_empty() {
                return;
            }
            let (store, id) = (store.get_value(), id.clone());
            let me = display_name(&profile.get_untracked());
            spawn_local(async move {
                // The name lives in the document: open it, edit, save, like any edit.
                match Session::open(store, &id, me).await {
                    Ok(session) => {
                        let _ = session.apply(waymark_domain::edit::Edit::BriefText(BriefField::Name, new_name));
                        session.flush();
                        set_timeout(move || on_changed.run(()), std::time::Duration::from_millis(100));
                    }
                    Err(e) => toasts.error(e),
                }
            });
        }
    };
    let delete = {
        let (id, name) = (id.clone(), name.clone());
        move || {
            confirm_delete.set(false);
            let (store, id, name) = (store.get_value(), id.clone(), name.clone());
            spawn_local(async move {
                match store.delete(&id).await {
                    Ok(()) => toasts.info(format!("Deleted “{name}” from this browser.")),
                    Err(e) => toasts.error(format!("“{name}” could not be deleted: {e}")),
                }
                on_changed.run(());
            });
        }
    };
    let ideas = meta.ideas;
    let view_only = meta.shared.as_deref() == Some("view");
    let shared = meta.shared.as_deref().map(|s| if s == "view" { "Shared · view only" } else { "Shared" });
    let rename_submit = rename.clone();
    view! {
        <li class="card workspace-card">
            <Show
                when=move || renaming.get()
                fallback={
                    let (id, name) = (id.clone(), name.clone());
                    move || {
                        let (id, name) = (id.clone(), name.clone());
                        view! {
                            <Link to=Route::Page { ws: id, page: crate::route::Page::Overview, open: None } class="card-link">
                                <h2>{name}</h2>
                            </Link>
                        }
                    }
                }
            >
                <form class="row" on:submit={
                    let rename = rename_submit.clone();
                    move |ev| { ev.prevent_default(); rename(); }
                }>
                    <input
                        class="field-input"
                        type="text"
                        aria-label="New name"
                        maxlength="120"
                        prop:value=move || rename_to.get()
                        on:input:target=move |ev| rename_to.set(ev.target().value())
                        on:keydown=move |ev| if ev.key() == "Escape" { renaming.set(false) }
                    />
                    <button type="submit" class="btn btn-primary btn-small">"Save"</button>
                </form>
            </Show>
            <p class="muted">
                {format!("{} idea{}", group_thousands(ideas as f64), if ideas == 1 { "" } else { "s" })}
                " · opened " {relative_time(meta.last_opened)}
                {shared.map(|label| view! { " " <span class="badge shared-badge">{label}</span> })}
            </p>
            <div class="row card-actions">
                {(!view_only).then(|| view! { <button class="btn btn-small" on:click=move |_| renaming.set(true)>"Rename"</button> })}
                <button class="btn btn-small btn-danger-ghost" on:click=move |_| confirm_delete.set(true)>"Delete"</button>
            </div>
            <Dialog open=confirm_delete title="Delete this workspace?">
                <p>"“" {name.clone()} "” and all its ideas will be removed from this browser. Export it first if you want a copy."</p>
                <div class="row end">
                    <button class="btn" on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                    <button class="btn btn-danger" on:click={
                        let delete = delete.clone();
                        move |_| delete()
                    }>"Delete workspace"</button>
                </div>
            </Dialog>
        </li>
    }
}

/// How far a big import got: a bar and its words (the page stays usable meanwhile).
/// Not a live region: a screen reader would read out every one of ten updates a
/// second; the bar is there to be looked at, and the notice at the end is announced.
#[component]
fn ImportProgress(progress: Progress) -> impl IntoView {
    let (value, max, words) = match progress {
        Progress::Writing { done, total } => (done, total.max(1), format!("Importing… {} of {} items", group_thousands(done as f64), group_thousands(total as f64))),
        Progress::Saving => (1, 1, "Importing… saving the workspace".to_owned()),
    };
    view! {
        <div class="import-progress">
            <progress aria-label="Import progress" aria-valuetext=words.clone() max=max value=value></progress>
            <span aria-hidden="true">{words}</span>
        </div>
    }
}
