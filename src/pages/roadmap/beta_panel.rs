//! Below a beta program's fields: the release it runs ahead of, and the feedback its
//! participants gave on the beta channel during it.

use leptos::prelude::*;
use waymark_domain::beta::{beta_feedback, Beta};
use waymark_domain::schema::BETAS;
use waymark_domain::{Id, Ref, Relation};

use crate::route::{Link, Page, Route};
use crate::session::use_session;

#[component]
pub fn BetaPanel(id: Id) -> impl IntoView {
    let session = use_session();
    let betas = session.get().collection::<Beta>();
    let feedback = session.get().feedback;
    let me = StoredValue::new(id);
    let beta = Memo::new(move |_| me.with_value(|id| betas.get(id)).map(|b| b.get()));
    let release = Memo::new(move |_| beta.with(|b| b.as_ref().and_then(|b| b.release.clone())));
    let heard = Memo::new(move |_| {
        let all = feedback.live();
        beta.with(|b| b.as_ref().map(|b| beta_feedback(b, &all).into_iter().cloned().collect::<Vec<_>>()).unwrap_or_default())
    });
    let ws = StoredValue::new(session.get().id.clone());
    view! {
        <section class="roadmap-panel stack" aria-label="Beta program">
            <super::ReleaseSelect from=Ref::new(BETAS, me.get_value()) relation=Relation::BetaOf current=release/>
            <section class="link-list" aria-label="Feedback from the beta">
                <h3 class="rows-title">{move || format!("Feedback from the beta ({})", heard.with(Vec::len))}</h3>
                {move || heard.with(Vec::is_empty).then(|| view! {
                    <p class="muted small">"Feedback on the Beta channel from a participant's company, dated during the beta, shows here."</p>
                })}
                <ul class="plain-list">
                    {move || heard.get().into_iter().take(20).map(|f| {
                        let text: String = f.text.chars().take(120).collect();
                        let meta = format!("{}{}", f.customer, f.date.map(|d| format!(" · {d}")).unwrap_or_default());
                        view! {
                            <li>
                                <Link to=Route::Page { ws: ws.get_value(), page: Page::Feedback, open: f.id.clone() }>{text}</Link>
                                <span class="muted small">{meta}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </section>
    }
}
