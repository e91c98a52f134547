//! Below a beta program's fields: the release it runs ahead of, and the feedback its
//! participants gave on the beta channel during it.

use leptos::prelude::*;
use waymark_domain::beta::{beta_feedback, Beta};
use waymark_domain::edit::Edit;
use waymark_domain::release::Release;
use waymark_domain::schema::{BETAS, RELEASES};
use waymark_domain::{Id, Kind, Ref, Relation};

use crate::components::{Field, Toasts};
use crate::route::{Link, Page, Route};
use crate::session::use_session;

#[component]
pub fn BetaPanel(id: Id) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let betas = session.get().collection::<Beta>();
    let releases = session.get().collection::<Release>();
    let feedback = session.get().feedback;
    let me = StoredValue::new(id);
    let beta = Memo::new(move |_| me.with_value(|id| betas.get(id)).map(|b| b.get()));
    let release = Memo::new(move |_| beta.with(|b| b.as_ref().and_then(|b| b.release.clone())));
    let release_list = Memo::new(move |_| {
        let mut list: Vec<(Id, String)> = releases.live().iter().filter_map(|r| Some((r.id()?.clone(), r.title()))).collect();
        list.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
        list
    });
    let release_read = Signal::derive(move || release.get().and_then(|r| release_list.with(|l| l.iter().find(|(id, _)| *id == r).map(|(_, n)| n.clone()))).unwrap_or_default());
    let heard = Memo::new(move |_| {
        let all = feedback.live();
        beta.with(|b| b.as_ref().map(|b| beta_feedback(b, &all).into_iter().cloned().collect::<Vec<_>>()).unwrap_or_default())
    });
    let ws = StoredValue::new(session.get().id.clone());
    view! {
        <section class="roadmap-panel stack" aria-label="Beta program">
            <Field label="Release" read=release_read>
                <select class="field-input" aria-label="Release" on:change:target=move |ev| {
                    let to = Id::parse(&ev.target().value()).map(|r| Ref::new(RELEASES, r));
                    if let Err(e) = session.get().apply(Edit::SetLink { from: Ref::new(BETAS, me.get_value()), relation: Relation::BetaOf, to }) {
                        toasts.error(format!("The release could not be changed: {e}"));
                    }
                }>
                    <option value="" selected=move || release.get().is_none()>"No release"</option>
                    {move || release_list.get().into_iter().map(|(rid, name)| {
                        let value = rid.to_string();
                        view! { <option value=value selected=move || release.get().as_ref() == Some(&rid)>{name}</option> }
                    }).collect_view()}
                </select>
            </Field>
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
