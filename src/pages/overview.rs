//! The workspace overview, its first screen: the north-star metric, objectives' and
//! KPIs' progress, the top-ranked ideas, the next release's readiness, the top open
//! risks, and NPS and CSAT month by month. What it shows is picked by the domain
//! ([`waymark_domain::overview::Overview`]); each entry opens what it summarises.

use leptos::prelude::*;
use waymark_domain::chart::{Guide, LineChart};
use waymark_domain::objective::{band_style, Objective, Standing};
use waymark_domain::overview::{Overview, TOP};
use waymark_domain::ranking::{number, rank};
use waymark_domain::release::Release;
use waymark_domain::risk::Risk;
use waymark_domain::scoring::Score;
use waymark_domain::timeline::short_day;
use waymark_domain::Kind;

use crate::route::{Link, Page, Route};
use crate::session::use_session;
use crate::util::today;

/// "420 teams · 60 % of the way", with the badge's style.
fn standing_badge(o: &Objective, s: Option<Standing>) -> AnyView {
    match s {
        Some(s) => view! {
            <span class=format!("badge zone-{}", band_style(s.band))>{format!("{} · {:.0} % of the way", o.with_unit(s.current.value), s.progress * 100.0)}</span>
        }
        .into_any(),
        None => view! { <span class="muted small">"not measured yet"</span> }.into_any(),
    }
}


#[component]
pub fn OverviewPage() -> impl IntoView {
    let session = use_session();
    let objectives = session.get().collection::<Objective>();
    let releases = session.get().collection::<Release>();
    let risks = session.get().collection::<Risk>();
    let feedback = session.get().feedback;
    let brief = session.get().brief;
    let day = today();
    let overview = Memo::new(move |_| Overview::of(&objectives.live(), &releases.live(), &risks.live(), &feedback.live(), day));
    let ws = session.get().id.clone();
    let ws = StoredValue::new(ws);
    let open = move |page: Page, id: Option<waymark_domain::Id>| Route::Page { ws: ws.get_value(), page, open: id };
    view! {
        <main class="page overview">
            <div class="page-head">
                <h1 class="page-title">"Overview"</h1>
                <span class="muted small">{format!("as of {}", short_day(day))}</span>
            </div>
            <div class="overview-grid">
                <section class="overview-card north-star" aria-label="North star">
                    <h2 class="rows-title">"North star"</h2>
                    {move || match overview.with(|o| o.north_star.clone()) {
                        Some((star, standing)) => {
                            let (to, title) = (open(Page::of::<Objective>(), star.id().cloned()), star.title());
                            let figure = standing.map(|s| star.with_unit(s.current.value)).unwrap_or_else(|| "Not measured yet".to_owned());
                            let badge = standing.map(|s| view! {
                                <span class=format!("badge zone-{}", band_style(s.band))>{format!("{:.0} % of the way to {}", s.progress * 100.0, star.with_unit(s.target))}</span>
                            });
                            let chart = star.chart();
                            view! {
                                <p><Link to=to>{title}</Link></p>
                                <p class="north-star-figure">{figure}</p>
                                <p class="row">{badge}{super::objectives::track_badge(standing)}</p>
                                <crate::components::ChartFigure chart=Signal::stored(chart)/>
                            }.into_any()
                        }
                        None => {
                            let said = brief.with(|b| b.north_star.trim().to_owned());
                            view! {
                                <p>{if said.is_empty() { "No north-star metric yet.".to_owned() } else { said }}</p>
                                <p class="muted small">"Measure it: add a KPI whose level is “North-star metric” under "
                                    <Link to=open(Page::of::<Objective>(), None)>"Objectives & KPIs"</Link>"."</p>
                            }.into_any()
                        }
                    }}
                </section>
                <section class="overview-card" aria-label="Objectives and KPIs">
                    <h2 class="rows-title">"Objectives & KPIs"</h2>
                    {move || overview.with(|o| o.objectives.is_empty() && o.kpis.is_empty()).then(|| view! {
                        <p class="muted small">"None yet. "<Link to=open(Page::of::<Objective>(), None)>"Set an objective"</Link></p>
                    })}
                    <ul class="plain-list overview-list">
                        {move || overview.with(|o| o.objectives.clone()).into_iter().map(|(goal, rollup)| {
                            let grade = rollup.grade.map(super::objectives::grade_badge);
                            let count = rollup.key_results.len();
                            view! {
                                <li>
                                    <Link to=open(Page::of::<Objective>(), goal.id().cloned())>{goal.title()}</Link>
                                    " "{grade}
                                    <span class="muted small">{format!(" {count} key result{}", if count == 1 { "" } else { "s" })}</span>
                                </li>
                            }
                        }).collect_view()}
                        {move || overview.with(|o| o.kpis.clone()).into_iter().map(|(kpi, standing)| {
                            let (to, title, badge) = (open(Page::of::<Objective>(), kpi.id().cloned()), kpi.title(), standing_badge(&kpi, standing));
                            view! { <li><Link to=to>{title}</Link>" "{badge}" "{super::objectives::track_badge(standing)}</li> }
                        }).collect_view()}
                    </ul>
                </section>
                <TopIdeas/>
                <section class="overview-card" aria-label="Next release">
                    <h2 class="rows-title">"Next release"</h2>
                    {move || match overview.with(|o| o.next_release.clone()) {
                        Some((release, readiness)) => {
                            let style = if readiness.is_go() { "low" } else { "high" };
                            let (to, title) = (open(Page::of::<Release>(), release.id().cloned()), release.title());
                            view! {
                                <p><Link to=to>{title}</Link>
                                    <span class="muted small">{release.target.map(|d| format!(" due {}", short_day(d))).unwrap_or_else(|| " no date yet".to_owned())}</span></p>
                                <p><span class=format!("badge zone-{style}")>{readiness.summary()}</span></p>
                            }.into_any()
                        }
                        None => view! { <p class="muted small">"No release planned. "<Link to=open(Page::of::<Release>(), None)>"Plan one"</Link></p> }.into_any(),
                    }}
                </section>
                <section class="overview-card" aria-label="Top risks">
                    <h2 class="rows-title">"Top risks"</h2>
                    {move || overview.with(|o| o.top_risks.is_empty()).then(|| view! { <p class="muted small">"No open risk is scored."</p> })}
                    <ol class="plain-list overview-list">
                        {move || overview.with(|o| o.top_risks.clone()).into_iter().map(|r| {
                            let badge = r.headline().map(|(text, zone)| view! { <span class=format!("badge zone-{zone}")>{text}</span> });
                            view! { <li><Link to=open(Page::of::<Risk>(), r.id().cloned())>{r.title()}</Link>" "{badge}</li> }
                        }).collect_view()}
                    </ol>
                </section>
                <Satisfaction overview=overview/>
            </div>
        </main>
    }
}

/// The top-ranked ideas under the workspace's framework.
#[component]
fn TopIdeas() -> impl IntoView {
    let session = use_session();
    let ideas = session.get().ideas;
    let settings = session.get().settings;
    let settled = session.get().idea_collection.settled;
    let ws = session.get().id.clone();
    // Ranked again once edits pause (or at once when ideas come or go), never per
    // keystroke: ranking ten thousand ideas on every edit a teammate types would
    // take the page's thread for tens of milliseconds each time.
    let top = Memo::new(move |_| {
        settled.track();
        let (framework, criteria) = settings.with(|s| (s.framework, s.criteria.clone()));
        ideas.with_untracked(|map| {
            let guards: Vec<_> = map.values().map(|s| s.read_untracked()).collect();
            let live = guards.iter().map(|g| &**g).filter(|i| !i.deleted);
            rank(live, framework, &criteria)
                .into_iter()
                .filter(|r| matches!(r.score, Score::Value(_)))
                .take(TOP)
                .map(|r| {
                    let title = map.get(&r.id).map(|s| s.with_untracked(|i| i.title.clone())).unwrap_or_default();
                    let score = match r.score {
                        Score::Value(v) => number(v),
                        _ => String::new(),
                    };
                    (r.id, title, score)
                })
                .collect::<Vec<_>>()
        })
    });
    let framework = Memo::new(move |_| settings.with(|s| s.framework.label()));
    view! {
        <section class="overview-card" aria-label="Top ideas">
            <h2 class="rows-title">{move || format!("Top ideas · {}", framework.get())}</h2>
            {move || top.with(Vec::is_empty).then(|| view! {
                <p class="muted small">"No idea is scored yet. "<Link to=Route::Page { ws: ws.clone(), page: Page::Priorities, open: None }>"Prioritize"</Link></p>
            })}
            <ol class="plain-list overview-list">
                {move || top.get().into_iter().map(|(id, title, score)| {
                    let ws = session.get().id.clone();
                    view! { <li><Link to=Route::Ideas { ws, open: Some(id) }>{title}</Link>" "<span class="badge">{score}</span></li> }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// NPS and CSAT month by month, each a chart with its table.
#[component]
fn Satisfaction(overview: Memo<Overview>) -> impl IntoView {
    let chart = move |title: &'static str, unit: &'static str, pick: fn(&Overview) -> Vec<waymark_domain::kind::Point>, guide: Option<Guide>| {
        let c = Memo::new(move |_| LineChart { guides: guide.clone().into_iter().collect(), noun: ("month", "months"), ..LineChart::new(title, unit, overview.with(pick)) });
        view! { <crate::components::ChartFigure chart=c/> }
    };
    view! {
        <section class="overview-card wide" aria-label="NPS and CSAT">
            <h2 class="rows-title">"NPS and CSAT by month"</h2>
            {move || overview.with(|o| o.nps.is_empty() && o.csat.is_empty()).then(|| view! {
                <p class="muted small">"No rated feedback yet: NPS (0–10) and CSAT (1–5) ratings with a date appear here month by month."</p>
            })}
            <div class="overview-charts">
                {move || (!overview.with(|o| o.nps.is_empty())).then(|| chart("NPS", "", |o| o.nps.clone(), Some(Guide { label: "Zero", value: 0.0, strong: false })))}
                {move || (!overview.with(|o| o.csat.is_empty())).then(|| chart("CSAT", "%", |o| o.csat.clone(), None))}
            </div>
        </section>
    }
}
