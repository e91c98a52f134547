//! Below a feature's fields: its release, what blocks it and what it blocks (with a
//! warning when it starts before a blocker ends), the ideas it delivers and its
//! stories' progress.

use leptos::prelude::*;
use waymark_domain::edit::Edit;
use waymark_domain::feature::{Feature, STATUS};
use waymark_domain::kind::choice_label;
use waymark_domain::schema::{FEATURES, OBJECTIVES, STORIES};
use waymark_domain::{Id, Kind, Ref, Relation};

use super::derived_with;
use crate::components::{Editable, LinkPicker, Suggestion, Toasts};
use crate::route::{Link, Page, Route};
use crate::session::{use_session, SessionCtx};

fn apply(session: SessionCtx, toasts: Toasts, edit: Edit) {
    if let Err(e) = session.get().apply(edit) {
        toasts.error(format!("The link could not be changed: {e}"));
    }
}

#[component]
pub fn FeaturePanel(id: Id) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let features = session.get().collection::<Feature>();
    let me = StoredValue::new(id.clone());
    let this = Ref::new(FEATURES, id.clone());
    let ws = session.get().id.clone();
    let all = Memo::new(move |_| features.live());
    let derived = derived_with(session, all);
    let feature = Memo::new(move |_| all.with(|l| me.with_value(|id| l.iter().find(|f| f.id() == Some(id)).cloned())));
    let release = Memo::new(move |_| feature.with(|f| f.as_ref().and_then(|f| f.release.clone())));
    let title_of = move |id: &Id| all.with(|l| l.iter().find(|f| f.id() == Some(id)).map(Kind::title)).unwrap_or_else(|| "A deleted feature".to_owned());
    let blockers = Memo::new(move |_| {
        let t = Ref::new(FEATURES, me.get_value());
        derived.with(|d| d.links.sources(&t, Relation::Blocks).map(|r| r.id.clone()).collect::<Vec<_>>())
    });
    let blocking = Memo::new(move |_| feature.with(|f| f.as_ref().map(|f| f.blocks.clone()).unwrap_or_default()));
    let serves = Memo::new(move |_| feature.with(|f| f.as_ref().map(|f| f.serves.iter().map(|o| Ref::new(OBJECTIVES, o.clone())).collect()).unwrap_or_default()));
    let clashes = Memo::new(move |_| {
        let id = me.get_value();
        derived.with(|d| d.violations.iter().filter(|v| v.feature == id).map(|v| v.blocker.clone()).collect::<Vec<_>>())
    });
    let query = RwSignal::new(String::new());
    let suggestions = Signal::derive(move || {
        let q = query.get().trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let id = me.get_value();
        let taken = blockers.get();
        all.with(|l| {
            l.iter()
                .filter(|f| f.id().is_some_and(|fid| *fid != id && !taken.contains(fid)) && f.title().to_lowercase().contains(&q))
                .take(8)
                .map(|f| Suggestion {
                    id: f.id().cloned().unwrap_or_else(Id::random),
                    title: f.title(),
                    badge: f.status.map(|s| (choice_label(STATUS, s), format!("badge status-{s}"))),
                })
                .collect()
        })
    });
    let this_for_pick = this.clone();
    let link_blocker = move |blocker: Id| apply(session, toasts, Edit::Link { from: Ref::new(FEATURES, blocker), relation: Relation::Blocks, to: this_for_pick.clone(), on: true });
    let this_for_unlink = StoredValue::new(this.clone());
    let unlink_blocker = move |blocker: Id| apply(session, toasts, Edit::Link { from: Ref::new(FEATURES, blocker), relation: Relation::Blocks, to: this_for_unlink.get_value(), on: false });
    let progress = Memo::new(move |_| me.with_value(|id| derived.with(|d| d.progress.get(id).copied().unwrap_or_default())));
    let stories = Memo::new(move |_| {
        let t = Ref::new(FEATURES, me.get_value());
        derived.with(|d| d.links.sources(&t, Relation::PartOf).filter(|r| r.collection == STORIES).count())
    });
    let ideas = Memo::new(move |_| feature.with(|f| f.as_ref().map(|f| f.ideas.clone()).unwrap_or_default()));
    let idea_title = move |id: &Id| session.get().ideas.with(|m| m.get(id).map(|i| i.with(|i| i.title.clone()))).unwrap_or_else(|| "An idea".to_owned());
    let feature_link = move |id: Id| {
        let t = title_of(&id);
        view! { <Link to=Route::Page { ws: session.get().id.clone(), page: Page::of::<Feature>(), open: Some(id) }>{t}</Link> }
    };
    view! {
        <section class="roadmap-panel stack" aria-label="On the roadmap">
            <super::ReleaseSelect from=Ref::new(FEATURES, me.get_value()) relation=Relation::ShipsIn current=release/>
            {move || (!clashes.with(Vec::is_empty)).then(|| {
                let f = feature.get();
                let start = f.as_ref().and_then(|f| f.start).map(|d| d.to_string()).unwrap_or_default();
                view! {
                    <div class="banner warning dependency-warning" role="alert">
                        {clashes.get().into_iter().map(|b| {
                            let ends = all.with(|l| l.iter().find(|f| f.id() == Some(&b)).and_then(|f| f.target)).map(|d| d.to_string()).unwrap_or_default();
                            view! { <p>{format!("Starts {start}, before “{}” (which blocks it) ends on {ends}.", title_of(&b))}</p> }
                        }).collect_view()}
                    </div>
                }
            })}
            <section class="link-list" aria-label="Blocked by">
                <h3 class="rows-title">"Blocked by"</h3>
                {move || blockers.with(Vec::is_empty).then(|| view! { <p class="muted small">"Nothing blocks it."</p> })}
                <ul class="plain-list">
                    {move || blockers.get().into_iter().map(|b| {
                        let remove = StoredValue::new(b.clone());
                        view! {
                            <li>{feature_link(b.clone())}
                                <Editable><button class="icon-btn" aria-label=format!("Remove blocker {}", title_of(&b)) on:click=move |_| unlink_blocker(remove.get_value())>"×"</button></Editable>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <LinkPicker label="Add a blocker" placeholder="A feature that must finish first…" list_label="Features that could block it"
                    none="No feature matches." query=query suggestions=suggestions on_link=link_blocker/>
            </section>
            {move || (!blocking.with(Vec::is_empty)).then(|| view! {
                <section class="link-list" aria-label="Blocks">
                    <h3 class="rows-title">"Blocks"</h3>
                    <ul class="plain-list">{blocking.get().into_iter().map(|b| view! { <li>{feature_link(b)}</li> }).collect_view()}</ul>
                </section>
            })}
            {move || (!ideas.with(Vec::is_empty)).then(|| view! {
                <section class="link-list" aria-label="Delivers">
                    <h3 class="rows-title">"Delivers"</h3>
                    <ul class="plain-list">{ideas.get().into_iter().map(|i| {
                        let t = idea_title(&i);
                        view! { <li><Link to=Route::Ideas { ws: ws.clone(), open: Some(i) }>{t}</Link></li> }
                    }).collect_view()}</ul>
                </section>
            })}
            <crate::pages::links_to::LinksTo from=Ref::new(FEATURES, me.get_value()) relation=Relation::Serves kinds=&[OBJECTIVES]
                heading="Serves" search="Add an objective or KPI it serves" placeholder="An objective or a KPI…"
                list_label="Objectives and KPIs" current=serves/>
            <crate::pages::objectives::SuccessPanel feature=me.get_value()/>
            <crate::pages::risks::Threats target=Ref::new(FEATURES, me.get_value())/>
            <crate::pages::experiments::TestedBy target=Ref::new(FEATURES, me.get_value())/>
            <p class="muted small" role="status">{move || {
                let p = progress.get();
                match (stories.get(), p.percent()) {
                    (0, _) | (_, None) => "No stories yet: link stories to this feature from the Stories page to see its progress.".to_owned(),
                    (_, Some(pc)) => format!("Progress: {} of {} stories done ({pc} %).", p.done, p.total),
                }
            }}</p>
        </section>
    }
}
