//! Feedback (being built).

use leptos::prelude::*;

#[component]
pub fn FeedbackPage() -> impl IntoView {
    view! { <section class="page"><h1>"Feedback"</h1></section> }
}
