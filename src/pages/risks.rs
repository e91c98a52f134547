//! What the risks page and the risk editor add to the kind's generic page: the 5 × 5 heat
//! map whose cells narrow the list, a risk's score and what it threatens, and the list
//! of open risks shown on a feature or a release. Scores, zones and the map are the
//! domain's ([`waymark_domain::risk`]).

use leptos::prelude::*;
use waymark_domain::risk::{threats_to, HeatMap, Risk, Zone};
use waymark_domain::schema::{FEATURES, RELEASES, RISKS};
use waymark_domain::{Id, Kind, Ref, Relation};

use crate::route::{Link, Page, Route};
use crate::session::use_session;

use super::extras::Only;

/// Likelihood across, impact up: each cell counts the open risks in it and, clicked,
/// shows only them.
#[component]
pub fn HeatMapPanel(only: RwSignal<Only>) -> impl IntoView {
    let risks = use_session().get().collection::<Risk>();
    let map = Memo::new(move |_| HeatMap::of(&risks.live()));
    let cell = move |likelihood: u8, impact: u8| {
        let score = likelihood * impact;
        let zone = Zone::of(score);
        let label = StoredValue::new(format!("Likelihood {likelihood} × impact {impact}"));
        let count = Memo::new(move |_| map.with(|m| m.cell(likelihood, impact).len()));
        let pressed = move || only.with(|o| o.as_ref().is_some_and(|(l, _)| label.with_value(|me| l == me)));
        let said = move || {
            let n = count.get();
            format!("Likelihood {likelihood}, impact {impact} (score {score}, {}): {n} risk{}", zone.label().to_lowercase(), if n == 1 { "" } else { "s" })
        };
        view! {
            <td>
                <button class=format!("heat-cell zone-{}", zone.key()) class:vacant=move || count.get() == 0 aria-pressed=move || pressed().to_string() aria-label=said
                    disabled=move || count.get() == 0 && !pressed()
                    on:click=move |_| {
                        if pressed() {
                            only.set(None);
                        } else {
                            only.set(Some((label.get_value(), map.with_untracked(|m| m.cell(likelihood, impact).to_vec()))));
                        }
                    }>
                    {move || match count.get() { 0 => String::new(), n => n.to_string() }}
                </button>
            </td>
        }
    };
    view! {
        <section class="heat-map" aria-label="Risk heat map">
            <table>
                <caption class="visually-hidden">"Open risks by likelihood and impact; choose a cell to list only its risks"</caption>
                <tbody>
                    {(1..=5u8).rev().map(|impact| view! {
                        <tr>
                            <th scope="row" class="heat-axis">{impact}</th>
                            {(1..=5u8).map(|likelihood| cell(likelihood, impact)).collect_view()}
                        </tr>
                    }).collect_view()}
                    <tr>
                        <th></th>
                        {(1..=5u8).map(|l| view! { <th scope="col" class="heat-axis">{l}</th> }).collect_view()}
                    </tr>
                </tbody>
            </table>
            <div class="heat-legend small muted">
                <p><strong>"Impact"</strong>" ↑ · "<strong>"Likelihood"</strong>" →"</p>
                <p><span class="swatch zone-low"></span>"1–4 low "<span class="swatch zone-medium"></span>"5–14 medium "<span class="swatch zone-high"></span>"15–25 high"</p>
                {move || match map.with(|m| m.unscored) {
                    0 => None,
                    n => Some(view! { <p>{format!("{n} open risk{} not scored yet (set likelihood and impact).", if n == 1 { "" } else { "s" })}</p> }),
                }}
            </div>
        </section>
    }
}

/// Below a risk's fields: its score and what it threatens.
#[component]
pub fn RiskPanel(id: Id) -> impl IntoView {
    let risks = use_session().get().collection::<Risk>();
    let me = StoredValue::new(id);
    let risk = Memo::new(move |_| me.with_value(|id| risks.get(id).map(|r| r.get())));
    let threatens = Memo::new(move |_| risk.with(|r| r.as_ref().map(|r| r.threatens.clone()).unwrap_or_default()));
    view! {
        <section class="roadmap-panel stack" aria-label="Score and what it threatens">
            <p class="risk-score" role="status">{move || match risk.with(|r| r.as_ref().and_then(|r| Some((r.likelihood_level()?, r.impact_level()?, r.zone()?)))) {
                Some((l, i, zone)) => view! {
                    <span class=format!("badge zone-{}", zone.key())>{format!("Score {} · {}", l * i, zone.label())}</span>
                    <span class="muted small">{format!(" likelihood {l} × impact {i}")}</span>
                }.into_any(),
                None => view! { <span class="muted small">"Set likelihood and impact to score it."</span> }.into_any(),
            }}</p>
            <crate::pages::links_to::LinksTo from=Ref::new(RISKS, me.get_value()) relation=Relation::Threatens kinds=&[FEATURES, RELEASES]
                heading="Threatens" search="Add a feature or release it threatens" placeholder="A feature or a release…"
                list_label="Features and releases" current=threatens/>
        </section>
    }
}

/// The open risks that threaten `target` (a feature or a release), the highest first.
#[component]
pub fn Threats(target: Ref) -> impl IntoView {
    let session = use_session();
    let risks = session.get().collection::<Risk>();
    let target = StoredValue::new(target);
    let list = Memo::new(move |_| {
        let all = risks.live();
        target.with_value(|t| threats_to(t, &all).into_iter().map(|r| (r.id().cloned(), r.title(), r.headline())).collect::<Vec<_>>())
    });
    let ws = session.get().id.clone();
    view! {
        <section class="link-list" aria-label="Risks">
            <h3 class="rows-title">"Risks"</h3>
            {move || list.with(Vec::is_empty).then(|| view! { <p class="muted small">"No open risk threatens it. Link one from the Risks page."</p> })}
            <ul class="plain-list">
                {move || list.get().into_iter().map(|(id, title, headline)| view! {
                    <li>
                        <Link to=Route::Page { ws: ws.clone(), page: Page::of::<Risk>(), open: id }>{title}</Link>
                        {headline.map(|(text, zone)| view! { <span class=format!("badge zone-{zone}")>{text}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
