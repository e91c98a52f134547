//! What an objective's or KPI's editor adds to the kind's generic page. Above the
//! fields, a KPI or key result shows where it stands (progress with its inputs, the
//! straight line's figure for today, on track or behind, its grade) and its chart with
//! the target line, as a table on request and exportable as SVG or PNG; an objective
//! shows its key results and its grade. Below the fields: the objective a key result
//! is part of, and the features serving it. The figures are the domain's
//! ([`waymark_domain::objective`]).

use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::edit::Edit;
use waymark_domain::feature::Feature;
use waymark_domain::objective::{band_label, band_style, Objective, Standing};
use waymark_domain::schema::OBJECTIVES;
use waymark_domain::timeline::short_day;
use waymark_domain::{Id, Kind, Ref, Relation};

use crate::components::{Editable, Toasts};
use crate::route::{Link, Page, Route};
use crate::session::use_session;
use crate::util::today;

fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// "Grade 0.83 · Green", coloured by its band.
pub fn grade_badge(grade: f64) -> AnyView {
    let band = waymark_domain::measure::Band::of(grade);
    view! { <span class=format!("badge zone-{}", band_style(band))>{format!("Grade {grade:.2} · {}", band_label(band))}</span> }.into_any()
}

/// "On track" or "Behind", once a due date says where it should be.
pub fn track_badge(s: Option<Standing>) -> Option<AnyView> {
    let e = s?.expected?;
    let (label, style) = if e.on_track { ("On track", "low") } else { ("Behind", "high") };
    Some(view! { <span class=format!("badge zone-{style}")>{label}</span> }.into_any())
}

#[component]
pub fn StandingPanel(id: Id) -> impl IntoView {
    let objectives = use_session().get().collection::<Objective>();
    let me = StoredValue::new(id);
    let item = Memo::new(move |_| me.with_value(|id| objectives.get(id).map(|o| o.get())));
    let measured = Memo::new(move |_| item.with(|o| o.as_ref().is_some_and(Objective::is_measured)));
    view! {
        {move || if measured.get() {
            view! { <Measured item=item/> }.into_any()
        } else {
            view! { <KeyResults id=me.get_value()/> }.into_any()
        }}
    }
}

/// A KPI's or key result's standing and chart.
#[component]
fn Measured(item: Memo<Option<Objective>>) -> impl IntoView {
    let standing = Memo::new(move |_| item.with(|o| o.as_ref().and_then(|o| o.standing(today()))));
    view! {
        <section class="standing stack" aria-label="Standing">
            <h3 class="rows-title">"Standing"</h3>
            {move || match (standing.get(), item.get()) {
                (Some(s), Some(o)) => figures(&o, s).into_any(),
                _ => view! { <p class="muted small">"Set a baseline and a different target, and add a measurement, to see progress."</p> }.into_any(),
            }}
            <crate::components::ChartFigure chart=Signal::derive(move || item.with(|o| o.as_ref().map(Objective::chart).unwrap_or_else(|| waymark_domain::chart::LineChart::new("", "", Vec::new()))))/>
        </section>
    }
}

fn figures(o: &Objective, s: Standing) -> impl IntoView {
    let inputs = format!(
        "({} − {}) ÷ ({} − {})",
        waymark_domain::format::measure(s.current.value),
        waymark_domain::format::measure(s.baseline),
        waymark_domain::format::measure(s.target),
        waymark_domain::format::measure(s.baseline)
    );
    let track = s.expected.map_or_else(|| view! { <p class="muted small">"Set a due date to know whether it is on track."</p> }.into_any(), |e| {
        let line = format!(
            "{} expected by today ({} on a straight line from {} to {})",
            percent(e.progress),
            o.with_unit(e.value),
            short_day(e.from),
            short_day(e.due)
        );
        let (label, style) = if e.on_track { ("On track", "low") } else { ("Behind", "high") };
        view! {
            <p><span class=format!("badge zone-{style}")>{label}</span>" "<span class="muted small">{line}</span></p>
        }
        .into_any()
    });
    view! {
        <p role="status">
            <strong class="standing-current">{o.with_unit(s.current.value)}</strong>
            <span class="muted small">{format!(" on {}", short_day(s.current.date))}</span>
        </p>
        <p>
            <span class="standing-progress">{format!("{} of the way", percent(s.progress))}</span>
            <span class="muted small">{format!(" = {inputs}")}</span>
        </p>
        {track}
        <p>
            <span class=format!("badge zone-{}", band_style(s.band))>{format!("Grade {:.2} · {}", s.grade, band_label(s.band))}</span>
            <span class="muted small">" progress held to 0–1; 0.7 and up green, 0.4 to 0.7 amber, below red"</span>
        </p>
    }
}

/// An objective's key results with their grades, its grade, and a way to add one.
#[component]
fn KeyResults(id: Id) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let objectives = session.get().collection::<Objective>();
    let me = StoredValue::new(id);
    let rollup = Memo::new(move |_| {
        let all = objectives.live();
        me.with_value(|id| all.iter().find(|o| o.id() == Some(id)).map(|o| o.rollup(&all, today())))
    });
    let candidates = Memo::new(move |_| {
        let mut list: Vec<(Id, String)> = objectives
            .live()
            .into_iter()
            .filter(|o| o.is_measured() && o.part_of.is_none())
            .filter_map(|o| Some((o.id()?.clone(), o.title())))
            .collect();
        sort::sort_by(&mut list, |a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
        list
    });
    let link = move |kr: Id, on: bool| {
        let edit = Edit::Link { from: Ref::new(OBJECTIVES, kr), relation: Relation::PartOf, to: Ref::new(OBJECTIVES, me.get_value()), on };
        if let Err(e) = session.get().apply(edit) {
            toasts.error(format!("The key result could not be changed: {e}"));
        }
    };
    let ws = session.get().id.clone();
    view! {
        <section class="key-results stack" aria-label="Key results">
            <h3 class="rows-title">"Key results"</h3>
            {move || rollup.with(|r| r.as_ref().map(|r| match r.grade {
                Some(g) => {
                    let graded = r.key_results.iter().filter(|(_, s)| s.is_some()).count();
                    view! {
                        <p role="status">{grade_badge(g)}
                        <span class="muted small">{format!(" the mean of {graded} graded key result{}", if graded == 1 { "" } else { "s" })}</span></p>
                    }.into_any()
                }
                None => view! { <p class="muted small">"Graded once a key result has a baseline, a target and a measurement."</p> }.into_any(),
            }))}
            <ul class="plain-list">
                {move || rollup.get().map(|r| r.key_results).unwrap_or_default().into_iter().map(|(kr, standing)| {
                    let kid = kr.id().cloned();
                    let title = kr.title();
                    let remove = format!("Remove {title} from this objective");
                    let badge = standing.map(|s| view! {
                        <span class=format!("badge zone-{}", band_style(s.band))>{format!("{} · {}", kr.with_unit(s.current.value), percent(s.progress))}</span>
                    });
                    let gone = StoredValue::new(kid.clone());
                    view! {
                        <li>
                            <Link to=Route::Page { ws: ws.clone(), page: Page::of::<Objective>(), open: kid }>{title}</Link>
                            " "{badge}
                            <Editable><button class="icon-btn" aria-label=remove.clone() on:click=move |_| if let Some(k) = gone.get_value() { link(k, false) }>"×"</button></Editable>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Editable>
                <select class="field-input" aria-label="Add a key result" on:change:target=move |ev| {
                    if let Some(kr) = Id::parse(&ev.target().value()) {
                        link(kr, true);
                    }
                    ev.target().set_value("");
                }>
                    <option value="" selected=true>"Add a key result…"</option>
                    {move || candidates.get().into_iter().map(|(kid, name)| view! { <option value=kid.to_string()>{name}</option> }).collect_view()}
                </select>
            </Editable>
        </section>
    }
}

/// Below the fields: the objective a key result is part of, and the features serving it.
#[component]
pub fn LinksPanel(id: Id) -> impl IntoView {
    let session = use_session();
    let objectives = session.get().collection::<Objective>();
    let features = session.get().collection::<Feature>();
    let me = StoredValue::new(id);
    let item = Memo::new(move |_| me.with_value(|id| objectives.get(id).map(|o| o.get())));
    let is_key_result = Memo::new(move |_| item.with(|o| o.as_ref().is_some_and(|o| o.is_measured() && (o.level == Some("key_result") || o.part_of.is_some()))));
    let parents = Memo::new(move |_| super::links_to::by_title(objectives.live().into_iter().filter(|o| !o.is_measured())));
    let part_of = Memo::new(move |_| item.with(|o| o.as_ref().and_then(|o| o.part_of.clone())));
    let served_by = Memo::new(move |_| {
        me.with_value(|id| features.live().into_iter().filter(|f| f.serves.contains(id)).filter_map(|f| Some((f.id()?.clone(), f.title()))).collect::<Vec<_>>())
    });
    let ws = session.get().id.clone();
    view! {
        <Show when=move || is_key_result.get()>
            <super::links_to::LinkSelect from=Ref::new(OBJECTIVES, me.get_value()) relation=Relation::PartOf to=OBJECTIVES label="Part of" none="No objective"
                options=parents current=part_of/>
        </Show>
        <section class="link-list" aria-label="Served by">
            <h3 class="rows-title">"Served by"</h3>
            {move || served_by.with(Vec::is_empty).then(|| view! { <p class="muted small">"No feature serves it yet. Link one from a feature's panel."</p> })}
            <ul class="plain-list">
                {move || served_by.get().into_iter().map(|(fid, title)| view! {
                    <li><Link to=Route::Page { ws: ws.clone(), page: Page::of::<Feature>(), open: Some(fid) }>{title}</Link></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Under the brief's north star: the KPI that measures it and where it stands, or how
/// to make one.
#[component]
pub fn NorthStarMeasure() -> impl IntoView {
    let session = use_session();
    let objectives = session.get().collection::<Objective>();
    let ws = StoredValue::new(session.get().id.clone());
    let star = Memo::new(move |_| waymark_domain::objective::north_star(&objectives.live()).cloned());
    let page = move |open| Route::Page { ws: ws.get_value(), page: Page::of::<Objective>(), open };
    move || match star.get() {
        Some(o) => {
            let said = match o.standing(today()) {
                Some(s) => format!(": {} on {}, {:.0} % of the way to {}", o.with_unit(s.current.value), short_day(s.current.date), s.progress * 100.0, o.with_unit(s.target)),
                None => " (not measured yet)".to_owned(),
            };
            let (to, title) = (page(o.id().cloned()), o.title());
            view! { <p class="small north-star-measure" role="status">"Measured by "<Link to=to>{title}</Link>{said}</p> }.into_any()
        }
        None => view! {
            <Editable>
                <p class="muted small north-star-measure">"To track it, add a KPI with the level “North-star metric” under "<Link to=page(None)>"Objectives & KPIs"</Link>"."</p>
            </Editable>
        }
        .into_any(),
    }
}

/// On a feature: the KPI its success is judged by and, once it shipped, whether that
/// KPI reached the feature's success target ([`waymark_domain::success`]).
#[component]
pub fn SuccessPanel(feature: Id) -> impl IntoView {
    use waymark_domain::release::Release;
    use waymark_domain::schema::FEATURES;
    use waymark_domain::success::{judge, Success};
    let session = use_session();
    let objectives = session.get().collection::<Objective>();
    let features = session.get().collection::<Feature>();
    let releases = session.get().collection::<Release>();
    let me = StoredValue::new(feature);
    let item = Memo::new(move |_| me.with_value(|id| features.get(id).map(|f| f.get())));
    let kpi_id = Memo::new(move |_| item.with(|f| f.as_ref().and_then(|f| f.success_kpi.clone())));
    let kpis = Memo::new(move |_| super::links_to::by_title(objectives.live().into_iter().filter(Objective::is_measured)));
    let verdict = Memo::new(move |_| {
        let f = item.get()?;
        let kpi = kpi_id.get().and_then(|k| objectives.get(&k)).map(|s| s.get());
        let release = f.release.as_ref().and_then(|r| releases.get(r)).map(|s| s.get());
        let said = |v: f64| kpi.as_ref().map(|k| k.with_unit(v)).unwrap_or_default();
        let name = kpi.as_ref().map(Kind::title).unwrap_or_default();
        let target = f.success_target.map(said).unwrap_or_default();
        Some(match judge(&f, kpi.as_ref(), release.as_ref()) {
            Success::Unset => ("muted", "Choose the KPI that judges it and set its success target.".to_owned()),
            Success::NotShipped => ("muted", format!("Judged once it ships: {name} should reach {target}.")),
            Success::NotMeasured { since } => ("medium", format!("Shipped {}; no measurement of {name} since.", short_day(since))),
            Success::Reached { since, at } => ("low", format!("Reached: {} on {} (target {target}), after shipping {}.", said(at.value), short_day(at.date), short_day(since))),
            Success::NotReached { since, latest } => {
                ("high", format!("Not reached yet: {} on {}, target {target} (shipped {}).", said(latest.value), short_day(latest.date), short_day(since)))
            }
        })
    });
    view! {
        <section class="link-list success" aria-label="Success">
            <h3 class="rows-title">"Success"</h3>
            <super::links_to::LinkSelect from=Ref::new(FEATURES, me.get_value()) relation=Relation::JudgedBy to=OBJECTIVES label="Judged by" none="No KPI"
                options=kpis current=kpi_id/>
            {move || verdict.get().map(|(style, text)| if style == "muted" {
                view! { <p class="muted small" role="status">{text}</p> }.into_any()
            } else {
                view! { <p role="status"><span class=format!("badge zone-{style}")>{text}</span></p> }.into_any()
            })}
        </section>
    }
}
