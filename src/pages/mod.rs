//! One module per screen.

mod activity;
pub mod backlog_import;
mod brief;
mod costs;
pub mod docs;
pub mod experiments;
mod extras;
mod links_to;
pub mod objectives;
pub mod overview;
pub mod feedback;
mod home;
mod idea_editor;
mod ideas;
pub mod kind_page;
pub mod invitation;
pub mod join;
mod personas;
mod priorities;
pub mod risks;
pub mod roadmap;
mod stories;
mod value_effort;
mod workspace;

pub use home::HomePage;
pub use workspace::WorkspaceShell;

use leptos::prelude::*;

use crate::route::{Link, Route};

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main class="splash">
            <h1>"Nothing here"</h1>
            <p>"This address doesn't match a Waymark screen."</p>
            <Link to=Route::Home class="btn btn-primary">"Go to your workspaces"</Link>
        </main>
    }
}
