//! Docs (being built).

use leptos::prelude::*;

#[component]
pub fn DocsPage() -> impl IntoView {
    view! { <section class="page"><h1>"Docs"</h1></section> }
}
