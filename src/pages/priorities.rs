//! Prioritize (being built).

use leptos::prelude::*;

#[component]
pub fn PrioritiesPage() -> impl IntoView {
    view! { <section class="page"><h1>"Prioritize"</h1></section> }
}
