//! The timeline: the domain lays it out and draws it as SVG
//! ([`waymark_domain::timeline`]), shown here in parts (the backdrop, then each bar's
//! arrows and each bar, keyed by feature) so a change redraws only the bars it moved,
//! and exported whole, the same drawing. Bars are
//! dragged to move a feature, their ends to re-date it; a focused bar moves with the
//! arrow keys (Shift: a week; Alt: its end only). Undated features are listed beside,
//! with a way to put them on the timeline.

use std::collections::BTreeMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use waymark_domain::edit::{Edit, FieldEdit};
use waymark_domain::feature::Feature;
use waymark_domain::release::Release;
use waymark_domain::schema::FEATURES;
use waymark_domain::stage::Stage;
use waymark_domain::timeline::{self, short_day, BarSvg, Frame, Timeline, Zoom, DARK, LABEL_WIDTH, LIGHT, NARROW_LABEL_WIDTH};
use waymark_domain::{Date, Id, Kind, Ref};

use super::derived_with;
use crate::components::{Editable, Toasts};
use crate::route::{Link, Page, Route};
use crate::session::{use_session, SessionCtx};

use crate::util::{prefers_dark, today};

/// Re-dates feature `id`: start and target (each one edit).
fn redate(session: SessionCtx, toasts: Toasts, id: &Id, start: Date, target: Date) {
    let item = Ref::new(FEATURES, id.clone());
    for (key, day) in [("start", start), ("target", target)] {
        let edit = Edit::SetField { item: item.clone(), key: key.to_owned(), value: FieldEdit::Value(day.to_string()) };
        if let Err(e) = session.get().apply(edit) {
            return toasts.error(format!("The dates could not be changed: {e}"));
        }
    }
}

/// A bar being dragged: which, by which part, from where.
#[derive(Clone, Debug)]
struct Dragging {
    id: Id,
    edge: Option<String>,
    from_x: f64,
    start: Date,
    target: Date,
    px_per_day: f64,
}

fn shifted(d: Date, days: i64) -> Date {
    Date::from_days(d.days() + days).unwrap_or(d)
}

/// The dates a drag of `days` gives.
fn dragged(d: &Dragging, days: i64) -> (Date, Date) {
    match d.edge.as_deref() {
        Some("start") => (shifted(d.start, days).min(d.target), d.target),
        Some("end") => (d.start, shifted(d.target, days).max(d.start)),
        _ => (shifted(d.start, days), shifted(d.target, days)),
    }
}

fn refocus(id: Id) {
    request_animation_frame(move || {
        if let Some(el) = document().query_selector(&format!("[data-bar=\"{id}\"]")).ok().flatten() {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

#[component]
pub fn TimelinePage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let features = session.get().collection::<Feature>();
    let releases = session.get().collection::<Release>();
    let stages = session.get().collection::<Stage>();
    let all = Memo::new(move |_| features.live());
    let derived = derived_with(session, all);
    let zoom = RwSignal::new(Zoom::Month);
    let fit_width = RwSignal::new(900.0);
    let label_width = RwSignal::new(LABEL_WIDTH);
    let scroller = NodeRef::<leptos::html::Div>::new();
    let today = today();
    let layout = Memo::new(move |_| {
        let rel = releases.live();
        let periods = stages.live();
        let frame = Frame { zoom: zoom.get(), min_width: fit_width.get(), label_width: label_width.get() };
        all.with(|all| derived.with(|d| timeline::lay_out(all, &rel, &periods, &d.links, today, frame)))
    });
    let palette = if prefers_dark() { &DARK } else { &LIGHT };
    let size = Memo::new(move |_| layout.with(|t| (t.width.ceil(), t.height.ceil())));
    let backdrop = Memo::new(move |_| layout.with(|t| timeline::svg_backdrop(t, palette)));
    let parts = Memo::new(move |_| layout.with(|t| timeline::svg_bars(t, palette).into_iter().map(|b| (b.id.clone(), b)).collect::<BTreeMap<Id, BarSvg>>()));
    // In id order, not row order: a bar that changes row is redrawn in place, not moved.
    let part_ids = Memo::new(move |_| parts.with(|p| p.keys().cloned().collect::<Vec<Id>>()));
    let part = move |id: Id, arrows: bool| {
        let text = Memo::new(move |_| parts.with(|p| p.get(&id).map(|b| if arrows { b.arrows.clone() } else { b.bar.clone() }).unwrap_or_default()));
        view! { <g inner_html=move || text.get()></g> }
    };
    let drag = StoredValue::new(None::<Dragging>);
    let preview = RwSignal::new(None::<String>);
    let ws_name = session.get().brief.with_untracked(|b| b.name.clone());
    let stem = StoredValue::new(crate::util::file_stem(if ws_name.trim().is_empty() { "roadmap" } else { &ws_name }));

    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            let room = f64::from(el.client_width());
            // A phone keeps most of its width for the chart.
            let labels = if room < 600.0 { NARROW_LABEL_WIDTH } else { LABEL_WIDTH };
            label_width.set(labels);
            fit_width.set((room - labels - 2.0).max(300.0));
        }
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            measure();
        }
    });
    let set_fit = move || {
        measure();
        zoom.set(Zoom::Fit { width: fit_width.get_untracked() });
    };
    let bar_of = move |ev: &web_sys::Event| -> Option<(Id, Option<String>)> {
        let el = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
        let bar = el.closest("[data-bar]").ok()??;
        let id = Id::parse(&bar.get_attribute("data-bar")?)?;
        Some((id, el.get_attribute("data-edge")))
    };
    let dates_of = move |id: &Id| layout.with_untracked(|t: &Timeline| t.bars.iter().find(|b| &b.id == id).map(|b| (b.start, b.target, t.px_per_day)));
    let read_only = crate::components::use_read_only();

    let on_pointerdown = move |ev: web_sys::PointerEvent| {
        if read_only.get_untracked() || ev.button() != 0 {
            return;
        }
        let Some((id, edge)) = bar_of(&ev) else { return };
        let Some((start, target, px_per_day)) = dates_of(&id) else { return };
        ev.prevent_default();
        if let Some(t) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        drag.set_value(Some(Dragging { id, edge, from_x: f64::from(ev.client_x()), start, target, px_per_day }));
    };
    let on_pointermove = move |ev: web_sys::PointerEvent| {
        let Some(d) = drag.get_value() else { return };
        let days = ((f64::from(ev.client_x()) - d.from_x) / d.px_per_day).round() as i64;
        let (s, t) = dragged(&d, days);
        if let Some(g) = document().query_selector(&format!("[data-bar=\"{}\"]", d.id)).ok().flatten() {
            let dx = match d.edge.as_deref() {
                Some("end") => 0.0,
                _ => (s.days() - d.start.days()) as f64 * d.px_per_day,
            };
            let _ = g.set_attribute("transform", &format!("translate({dx:.1} 0)"));
        }
        preview.set(Some(format!("{} → {}", short_day(s), short_day(t))));
    };
    let on_pointerup = move |ev: web_sys::PointerEvent| {
        let Some(d) = drag.get_value() else { return };
        drag.set_value(None);
        preview.set(None);
        let days = ((f64::from(ev.client_x()) - d.from_x) / d.px_per_day).round() as i64;
        let (s, t) = dragged(&d, days);
        if (s, t) != (d.start, d.target) {
            redate(session, toasts, &d.id, s, t);
        } else if let Some(g) = document().query_selector(&format!("[data-bar=\"{}\"]", d.id)).ok().flatten() {
            let _ = g.remove_attribute("transform");
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if read_only.get_untracked() {
            return;
        }
        let step = match ev.key().as_str() {
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            "Enter" => {
                if let Some((id, _)) = bar_of(&ev) {
                    crate::route::navigate(Route::Page { ws: session.get().id.clone(), page: Page::of::<Feature>(), open: Some(id) }, false);
                }
                return;
            }
            _ => return,
        };
        let Some((id, _)) = bar_of(&ev) else { return };
        let Some((start, target, px_per_day)) = dates_of(&id) else { return };
        ev.prevent_default();
        let days = if ev.shift_key() { step * 7 } else { step };
        let d = Dragging { id: id.clone(), edge: ev.alt_key().then(|| "end".to_owned()), from_x: 0.0, start, target, px_per_day };
        let (s, t) = dragged(&d, days);
        redate(session, toasts, &id, s, t);
        // Once the bar shows its new dates (it is drawn again then).
        session.get().when_shown(move || refocus(id));
    };
    let schedule = move |id: Id| redate(session, toasts, &id, today, shifted(today, 13));
    let export_svg = move |_| {
        let text = layout.with_untracked(|t| timeline::to_svg(t, &LIGHT, "Roadmap timeline"));
        if let Err(e) = crate::util::download(&format!("{}-timeline.svg", stem.get_value()), "image/svg+xml", text.as_bytes()) {
            toasts.error(e);
        }
    };
    let export_png = move |_| {
        let (text, w, h) = layout.with_untracked(|t| (timeline::to_svg(t, &LIGHT, "Roadmap timeline"), t.width, t.height));
        leptos::task::spawn_local(async move {
            match crate::util::svg_to_png(&text, w, h).await {
                Ok(bytes) => {
                    if let Err(e) = crate::util::download(&format!("{}-timeline.png", stem.get_value()), "image/png", &bytes) {
                        toasts.error(e);
                    }
                }
                Err(e) => toasts.error(e),
            }
        });
    };
    let zoom_button = move |label: &'static str, z: Zoom| {
        view! {
            <button class="chip" data-view="" aria-pressed=move || (std::mem::discriminant(&zoom.get()) == std::mem::discriminant(&z)).to_string()
                on:click=move |_| if matches!(z, Zoom::Fit { .. }) { set_fit() } else { zoom.set(z) }>{label}</button>
        }
    };
    let title_of = move |id: &Id| features.get(id).map(|f| f.with_untracked(Kind::title)).unwrap_or_default();
    let ws = StoredValue::new(session.get().id.clone());
    view! {
        <main class="page roadmap timeline-page">
            <div class="page-head">
                <h1 class="page-title">"Timeline"</h1>
                <Link to=Route::Page { ws: ws.get_value(), page: Page::Roadmap, open: None } class="btn btn-small">"Board"</Link>
            </div>
            <div class="toolbar board-toolbar">
                <div class="chips" role="group" aria-label="Zoom">
                    {zoom_button("Week", Zoom::Week)}
                    {zoom_button("Month", Zoom::Month)}
                    {zoom_button("Quarter", Zoom::Quarter)}
                    {zoom_button("Fit all", Zoom::Fit { width: 0.0 })}
                </div>
                <div class="row">
                    <button class="btn btn-small" data-view="" on:click=export_svg>"Export SVG"</button>
                    <button class="btn btn-small" data-view="" on:click=export_png>"Export PNG"</button>
                    <button class="btn btn-small" data-view="" on:click=move |_| { let _ = window().print(); }>"Print"</button>
                </div>
                <Editable>
                    <p class="muted small board-hint">"Drag a bar to move it, its ends to re-date it; or focus it and use ← → (Shift: a week, Alt: the end only)."</p>
                </Editable>
            </div>
            {move || (!layout.with(|t| t.violations.is_empty())).then(|| view! {
                <div class="banner warning dependency-warning" role="alert">
                    {layout.with(|t| t.violations.clone()).into_iter().map(|v| {
                        let (f, b) = (features.get(&v.feature).map(|s| s.get()), features.get(&v.blocker).map(|s| s.get()));
                        let text = match (f, b) {
                            (Some(f), Some(b)) => format!(
                                "“{}” starts {}, before “{}” (which blocks it) ends on {}.",
                                f.title(), f.start.map(short_day).unwrap_or_default(), b.title(), b.target.map(short_day).unwrap_or_default()
                            ),
                            _ => format!("“{}” starts before a feature blocking it ends.", title_of(&v.feature)),
                        };
                        view! { <p>{text}</p> }
                    }).collect_view()}
                </div>
            })}
            <p class="muted small timeline-preview" role="status" aria-live="polite">{move || preview.get().unwrap_or_default()}</p>
            <div class="timeline-layout">
                <div class="timeline-scroll" node_ref=scroller tabindex="0" role="region" aria-label="Timeline, scrolls sideways"
                    on:pointerdown=on_pointerdown on:pointermove=on_pointermove on:pointerup=on_pointerup on:keydown=on_keydown>
                    <svg xmlns="http://www.w3.org/2000/svg" width=move || size.get().0.to_string() height=move || size.get().1.to_string()
                        viewBox=move || format!("0 0 {} {}", size.get().0, size.get().1) font-family="Inter, system-ui, sans-serif" font-size="12"
                        role="img" aria-label="Roadmap timeline">
                        <g inner_html=move || backdrop.get()></g>
                        <g class="arrows"><For each=move || part_ids.get() key=|id: &Id| id.clone() children=move |id: Id| part(id, true)/></g>
                        <g class="bars"><For each=move || part_ids.get() key=|id: &Id| id.clone() children=move |id: Id| part(id, false)/></g>
                    </svg>
                </div>
                <aside class="timeline-undated" aria-label="Not on the timeline">
                    <h2 class="rows-title">"Not on the timeline"</h2>
                    {move || layout.with(|t| t.undated.is_empty()).then(|| view! { <p class="muted small">"Every feature has dates."</p> })}
                    <ul class="plain-list">
                        {move || layout.with(|t| t.undated.clone()).into_iter().map(|(id, title)| {
                            let open = Route::Page { ws: ws.get_value(), page: Page::of::<Feature>(), open: Some(id.clone()) };
                            let sched = StoredValue::new(id.clone());
                            let label = format!("Schedule {title}");
                            view! {
                                <li>
                                    <Link to=open>{title.clone()}</Link>
                                    <Editable><button class="btn btn-small" aria-label=label.clone() on:click=move |_| schedule(sched.get_value())>"Schedule"</button></Editable>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </aside>
            </div>
        </main>
    }
}
