//! Below a release's fields: its go / no-go, the MoSCoW 60 % warning, and its features
//! with the critical path marked.

use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::feature::{Feature, STATUS};
use waymark_domain::kind::choice_label;
use waymark_domain::release::Release;
use waymark_domain::roadmap::{self, MUST_LIMIT};
use waymark_domain::edit::Edit;
use waymark_domain::schema::{DOCUMENTS, RELEASES};
use waymark_domain::{DocKind, Id, Kind, Ref, Relation};

use super::derived_with;
use crate::route::{Link, Page, Route};
use crate::session::use_session;

#[component]
pub fn ReleasePanel(id: Id) -> impl IntoView {
    let session = use_session();
    let features = session.get().collection::<Feature>();
    let releases = session.get().collection::<Release>();
    let me = StoredValue::new(id);
    let release = Memo::new(move |_| me.with_value(|id| releases.get(id)).map(|r| r.get()));
    let readiness = Memo::new(move |_| release.with(|r| r.as_ref().map(roadmap::readiness)));
    let all = Memo::new(move |_| features.live());
    let derived = derived_with(session, all);
    let plan = Memo::new(move |_| {
        let id = me.get_value();
        all.with(|list| {
            let live = roadmap::live_features(list);
            derived.with(|d| {
                let mine: Vec<Feature> = roadmap::release_features(&id, &d.links, &live).into_iter().cloned().collect();
                (mine, roadmap::critical_path(&id, &d.links, &live), roadmap::scope(&id, &d.links, &live))
            })
        })
    });
    let betas = session.get().collection::<waymark_domain::beta::Beta>();
    let my_betas = Memo::new(move |_| {
        let id = me.get_value();
        betas.live().into_iter().filter(|b| b.release.as_ref() == Some(&id)).collect::<Vec<_>>()
    });
    let stages = session.get().collection::<waymark_domain::stage::Stage>();
    let my_stages = Memo::new(move |_| {
        let id = me.get_value();
        let mut list: Vec<_> = stages.live().into_iter().filter(|s| s.release.as_ref() == Some(&id)).collect();
        sort::sort_by_key(&mut list, |s| (s.start, s.title()));
        list
    });
    let ws = session.get().id.clone();
    let ws = StoredValue::new(ws);
    let toasts = crate::components::Toasts::get();
    let draft_notes = move |_| {
        let Some(r) = release.get_untracked() else { return };
        let (mine, _, _) = plan.get_untracked();
        let notes = roadmap::release_notes(&r, &mine.iter().collect::<Vec<_>>());
        let s = session.get();
        let made = s.create(Edit::CreateDocument { title: format!("Release notes: {}", r.title()), kind: DocKind::ReleaseNote }).and_then(|doc| {
            s.apply(Edit::DocumentText { document: doc.clone(), body: true, text: notes })?;
            s.apply(Edit::Link { from: Ref::new(DOCUMENTS, doc.clone()), relation: Relation::Describes, to: Ref::new(RELEASES, me.get_value()), on: true })?;
            Ok(doc)
        });
        match made {
            Ok(doc) => crate::route::navigate(Route::Page { ws: ws.get_value(), page: Page::Docs, open: Some(doc) }, false),
            Err(e) => toasts.error(format!("The release notes could not be drafted: {e}")),
        }
    };
    view! {
        <section class="roadmap-panel stack" aria-label="Release summary">
            {move || readiness.get().map(|r| view! {
                <p class=if r.is_go() { "go-no-go go" } else { "go-no-go no-go" } role="status" aria-label="Go / no-go">
                    <strong>{if r.is_go() { "Go" } else { "No-go" }}</strong>
                    {format!(" — {}", r.summary().split_once(": ").map_or(String::new(), |(_, rest)| rest.to_owned()))}
                </p>
            })}
            {move || {
                let (_, _, scope) = plan.get();
                scope.must_share().map(|share| {
                    let text = format!(
                        "Must have: {} of {} estimated person-months ({:.0} %).",
                        waymark_domain::ranking::number(scope.must),
                        waymark_domain::ranking::number(scope.total),
                        share * 100.0
                    );
                    if scope.warns() {
                        view! { <div class="banner warning" role="alert"><p>{format!("{text} That is over {:.0} % of the release's effort: little room if something slips.", MUST_LIMIT * 100.0)}</p></div> }.into_any()
                    } else {
                        view! { <p class="muted small">{text}</p> }.into_any()
                    }
                })
            }}
            {move || (!my_stages.with(Vec::is_empty)).then(|| view! {
                <section class="link-list" aria-label="Iterations and phases">
                    <h3 class="rows-title">"Iterations and phases"</h3>
                    <ul class="plain-list">
                        {my_stages.get().into_iter().map(|st| {
                            let dates = match (st.start, st.end) {
                                (Some(s), Some(e)) => format!("{s} → {e}"),
                                _ => "no dates yet".to_owned(),
                            };
                            view! {
                                <li>
                                    <Link to=Route::Page { ws: ws.get_value(), page: Page::of::<waymark_domain::stage::Stage>(), open: st.id().cloned() }>{st.title()}</Link>
                                    <span class="muted small">{dates}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {move || (!my_betas.with(Vec::is_empty)).then(|| view! {
                <section class="link-list" aria-label="Beta programs">
                    <h3 class="rows-title">"Beta programs"</h3>
                    <ul class="plain-list">
                        {my_betas.get().into_iter().map(|b| {
                            let status = b.status.map(|s| waymark_domain::kind::choice_label(waymark_domain::beta::STATUS, s));
                            view! {
                                <li>
                                    <Link to=Route::Page { ws: ws.get_value(), page: Page::of::<waymark_domain::beta::Beta>(), open: b.id().cloned() }>{b.title()}</Link>
                                    {status.map(|s| view! { <span class="badge">{s}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })}
            <section class="link-list" aria-label="Features in this release">
                <h3 class="rows-title">"Features"</h3>
                {move || {
                    let (mine, path, scope) = plan.get();
                    if mine.is_empty() {
                        return view! { <p class="muted small">"No feature ships in it yet: choose this release on a feature."</p> }.into_any();
                    }
                    let days: i64 = all.with(|l| path.iter().filter_map(|id| l.iter().find(|f| f.id() == Some(id))).map(roadmap::duration_days).sum());
                    view! {
                        <ul class="plain-list release-features">
                            {mine.into_iter().map(|f| {
                                let fid = f.id().cloned().unwrap_or_else(Id::random);
                                let critical = path.contains(&fid);
                                let blocked = derived.with(|d| d.blocked.contains(&fid));
                                let (title, status) = (f.title(), f.status);
                                view! {
                                    <li class:critical=critical>
                                        <Link to=Route::Page { ws: ws.get_value(), page: Page::of::<Feature>(), open: Some(fid) }>{title}</Link>
                                        {status.map(|s| view! { " " <span class=format!("badge status-{s}")>{choice_label(STATUS, s)}</span> })}
                                        {critical.then(|| view! { " " <span class="flag flag-critical">"Critical path"</span> })}
                                        {blocked.then(|| view! { " " <span class="flag flag-blocked">"Blocked"</span> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(!path.is_empty()).then(|| view! { <p class="small muted">{format!("The critical path (its chain of blockers) takes {days} days.")}</p> })}
                        {(scope.unestimated > 0).then(|| view! { <p class="small muted">{format!("{} without an effort estimate.", match scope.unestimated { 1 => "1 feature".to_owned(), n => format!("{n} features") })}</p> })}
                        <crate::components::Editable>
                            <div class="row"><button class="btn btn-small" on:click=draft_notes>"Draft release notes"</button></div>
                        </crate::components::Editable>
                    }.into_any()
                }}
            </section>
            <crate::pages::risks::Threats target=Ref::new(RELEASES, me.get_value())/>
        </section>
    }
}
