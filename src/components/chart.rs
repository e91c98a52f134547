//! A chart as every chart in the app shows it: the domain's SVG drawing in the screen's
//! theme with its text alternative under it, a table of the same figures on request,
//! and exports as SVG and PNG (in the light theme, as printed).

use leptos::prelude::*;
use waymark_domain::chart::{LineChart, HEIGHT, WIDTH};
use waymark_domain::format::with_unit;
use waymark_domain::timeline::{short_day, DARK, LIGHT};

use super::Toasts;
use crate::util::{download, file_stem, prefers_dark, svg_to_png};

#[component]
pub fn ChartFigure(#[prop(into)] chart: Signal<LineChart>) -> impl IntoView {
    let toasts = Toasts::get();
    let as_table = RwSignal::new(false);
    let palette = if prefers_dark() { &DARK } else { &LIGHT };
    let svg = Memo::new(move |_| chart.with(|c| c.to_svg(palette)));
    let stem = move || chart.with_untracked(|c| file_stem(&c.title));
    let export_svg = move |_| {
        let text = chart.with_untracked(|c| c.to_svg(&LIGHT));
        if let Err(e) = download(&format!("{}.svg", stem()), "image/svg+xml", text.as_bytes()) {
            toasts.error(e);
        }
    };
    let export_png = move |_| {
        let text = chart.with_untracked(|c| c.to_svg(&LIGHT));
        let name = format!("{}.png", stem());
        leptos::task::spawn_local(async move {
            match svg_to_png(&text, WIDTH, HEIGHT).await {
                Ok(bytes) => {
                    if let Err(e) = download(&name, "image/png", &bytes) {
                        toasts.error(e);
                    }
                }
                Err(e) => toasts.error(e),
            }
        });
    };
    let title = move || chart.with(|c| c.title.clone());
    view! {
        <figure class="chart">
            <div class="row chart-tools">
                <button class="chip" data-view="" aria-pressed=move || as_table.get().to_string()
                    aria-label=move || format!("Show {} as a table", title()) on:click=move |_| as_table.update(|t| *t = !*t)>"Table"</button>
                <button class="btn btn-small" data-view="" aria-label=move || format!("Export SVG of {}", title()) on:click=export_svg>"Export SVG"</button>
                <button class="btn btn-small" data-view="" aria-label=move || format!("Export PNG of {}", title()) on:click=export_png>"Export PNG"</button>
            </div>
            <Show when=move || !as_table.get() fallback=move || table(chart)>
                <div class="chart-drawing" inner_html=move || svg.get()></div>
            </Show>
            <figcaption class="muted small">{move || chart.with(LineChart::describe)}</figcaption>
        </figure>
    }
}

/// The chart's figures as a table: each point, then each guide line.
fn table(chart: Signal<LineChart>) -> impl IntoView {
    move || {
        chart.with(|c| {
            let unit = c.unit.clone();
            view! {
                <table class="counts chart-table">
                    <caption class="visually-hidden">{c.title.clone()}</caption>
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Value"</th></tr></thead>
                    <tbody>
                        {c.points.iter().map(|p| view! {
                            <tr><th scope="row">{short_day(p.date)}</th><td>{with_unit(p.value, &unit)}</td></tr>
                        }).collect_view()}
                        {c.guides.iter().map(|g| view! {
                            <tr class="muted"><th scope="row">{g.label}</th><td>{with_unit(g.value, &unit)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        })
    }
}
