//! The root: opens storage, provides the app-wide contexts and picks the screen.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::{ProfileButton, ToastHost, Toasts};
use crate::pages::{HomePage, NotFoundPage, WorkspaceShell};
use crate::route::{provide_route, Route};
use crate::storage::{Profile, Store};

/// The browser database, shared by every screen.
#[derive(Clone, Copy)]
pub struct StoreCtx(pub StoredValue<Rc<Store>, LocalStorage>);

pub fn use_store() -> Rc<Store> {
    expect_context::<StoreCtx>().0.get_value()
}

/// The local profile: my name and colour.
#[derive(Clone, Copy)]
pub struct ProfileCtx(pub RwSignal<Profile>);

pub fn use_profile() -> RwSignal<Profile> {
    expect_context::<ProfileCtx>().0
}

/// The name recorded as author: the profile's, or a neutral default.
pub fn display_name(profile: &Profile) -> String {
    if profile.name.trim().is_empty() { "Anonymous".into() } else { profile.name.trim().to_owned() }
}

#[component]
pub fn App() -> impl IntoView {
    provide_route();
    Toasts::provide();
    let profile = RwSignal::new(Profile::default());
    provide_context(ProfileCtx(profile));
    let store = RwSignal::new(None::<Result<StoreCtx, String>>);
    spawn_local(async move {
        let opened = match Store::open().await {
            Ok(s) => {
                if let Ok(Some(p)) = s.profile().await {
                    profile.set(p);
                }
                Ok(StoreCtx(StoredValue::new_local(Rc::new(s))))
            }
            Err(e) => Err(format!("Waymark keeps your work in this browser's storage, and the browser refused it: {e}")),
        };
        store.set(Some(opened));
    });
    view! {
        {move || match store.get() {
            None => view! { <div class="splash" role="status">"Opening your workspaces…"</div> }.into_any(),
            Some(Err(message)) => view! {
                <main class="splash error" role="alert">
                    <h1>"Waymark can't start"</h1>
                    <p>{message}</p>
                </main>
            }.into_any(),
            Some(Ok(ctx)) => view! { <Screens store=ctx/> }.into_any(),
        }}
        <ToastHost/>
    }
}

#[component]
fn Screens(store: StoreCtx) -> impl IntoView {
    provide_context(store);
    let route = crate::route::use_route();
    // Re-render only when the workspace changes, not on every move inside it.
    let workspace = Memo::new(move |_| route.with(|r| r.workspace().map(str::to_owned)));
    let other = Memo::new(move |_| route.with(|r| matches!(r, Route::NotFound | Route::Join | Route::Invitation).then(|| r.clone())));
    move || match (workspace.get(), other.get()) {
        (Some(id), _) => view! { <WorkspaceShell id=id/> }.into_any(),
        (None, Some(Route::Join)) => view! { <crate::pages::join::JoinPage/> }.into_any(),
        (None, Some(Route::Invitation)) => view! { <crate::pages::invitation::InvitationPage/> }.into_any(),
        (None, Some(_)) => view! { <NotFoundPage/> }.into_any(),
        (None, None) => view! { <HomePage/> }.into_any(),
    }
}

/// The bar across the top of Home.
#[component]
pub fn TopBar() -> impl IntoView {
    view! {
        <header class="topbar">
            <crate::route::Link to=Route::Home class="brand" label="Waymark home">
                <img src="/icons/icon.svg" alt="" width="28" height="28"/>
                <span>"Waymark"</span>
            </crate::route::Link>
            <ProfileButton/>
        </header>
    }
}
