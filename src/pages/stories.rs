//! Stories (being built).

use leptos::prelude::*;

#[component]
pub fn StoriesPage() -> impl IntoView {
    view! { <section class="page"><h1>"Stories"</h1></section> }
}
