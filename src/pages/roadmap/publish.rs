//! "Publish for an audience": the board's dialog that publishes (or republishes) the
//! customer and executive roadmaps and shows each one's link.

use leptos::prelude::*;
use waymark_domain::audience::Audience;
use waymark_domain::feature::Feature;

use crate::components::{my_presence, Dialog, Editable, Toasts};
use crate::session::use_session;
use crate::sync::publish;

/// What each audience gets, in a sentence.
fn about(audience: Audience) -> &'static str {
    match audience {
        Audience::Customers => "Public features only: their titles, descriptions and horizons. No dates, owners, costs or internal notes.",
        Audience::Executives => {
            "Features visible to executives or the public: themes and objectives, status, horizons and success metrics. No exact dates, owners or costs."
        }
    }
}

#[component]
pub fn PublishButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <Editable>
            <button class="btn btn-small" on:click=move |_| open.set(true)>"Publish for an audience"</button>
        </Editable>
        <Dialog open=open title="Audience roadmaps">
            <p class="muted small">"Each audience gets its own read-only roadmap with its own link, holding only what it may see. Change the workspace freely: readers see your changes when you republish."</p>
            {Audience::ALL.into_iter().map(|a| view! { <AudienceRow audience=a/> }).collect_view()}
        </Dialog>
    }
}

#[component]
fn AudienceRow(audience: Audience) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let features = session.get().collection::<Feature>();
    let count = Memo::new(move |_| features.live().iter().filter(|f| audience.sees(f)).count());
    let link = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let source = session.get().id.clone();
    let store = session.get().store();
    if let Some(id) = publish::published_id(&source, audience) {
        leptos::task::spawn_local(async move {
            if let Some(l) = publish::view_link(&store, &id).await {
                link.set(Some(l));
            }
        });
    }
    let run = move |_| {
        busy.set(true);
        let s = session.get();
        // Read now: the profile is a context, out of reach once the task runs.
        let me = my_presence();
        leptos::task::spawn_local(async move {
            match publish::publish(s, audience, me).await {
                Ok(l) => {
                    link.set(Some(l));
                    toasts.info(format!("{} published", audience.label()));
                }
                Err(e) => toasts.error(e),
            }
            busy.set(false);
        });
    };
    let copy = move |_| {
        if let Some(l) = link.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&l);
            toasts.info("Link copied");
        }
    };
    let label = audience.label();
    view! {
        <section class="audience-row stack" aria-label=label>
            <h3 class="rows-title">{label}</h3>
            <p class="muted small">{about(audience)}" "{move || match count.get() { 1 => "1 feature qualifies.".to_owned(), n => format!("{n} features qualify.") }}</p>
            <div class="row wrap">
                <button class="btn btn-primary btn-small" disabled=move || busy.get() on:click=run>
                    {move || if busy.get() { "Publishing…" } else if link.with(Option::is_some) { "Republish" } else { "Publish" }}
                </button>
                {move || link.get().map(|l| view! {
                    <input class="field-input audience-link" type="text" readonly aria-label=format!("{label} link") prop:value=l/>
                    <button class="btn btn-small" data-view="" on:click=copy>"Copy"</button>
                })}
            </div>
        </section>
    }
}
