//! Personas (being built).

use leptos::prelude::*;

#[component]
pub fn PersonasPage() -> impl IntoView {
    view! { <section class="page"><h1>"Personas"</h1></section> }
}
