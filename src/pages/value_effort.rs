//! The value-vs-effort matrix: four labelled quadrants, each idea a dot. Dragging a dot
//! (or moving it with the arrow keys) sets the idea's value and effort; ideas not
//! placed yet wait in a tray below and are dragged in. In a view-only workspace the
//! dots stay where they are.

use leptos::prelude::*;
use waymark_domain::priorities::Framework;
use waymark_domain::ranking::Ranked;
use waymark_domain::edit::Edit;
use waymark_domain::{Id, Idea};

use crate::components::{use_read_only, Toasts};
use crate::session::use_session;

// The plot in SVG user units: effort 0–10 left to right, value 0–10 bottom to top.
const LEFT: f64 = 56.0;
const RIGHT: f64 = 584.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 356.0;
const TRAY: f64 = 408.0;
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 436.0;

fn x_of(effort: f64) -> f64 {
    LEFT + effort / 10.0 * (RIGHT - LEFT)
}

fn y_of(value: f64) -> f64 {
    BOTTOM - value / 10.0 * (BOTTOM - TOP)
}

/// SVG position → (value, effort), whole numbers clamped to 0–10.
fn inputs_at(x: f64, y: f64) -> (f64, f64) {
    let effort = ((x - LEFT) / (RIGHT - LEFT) * 10.0).round().clamp(0.0, 10.0);
    let value = ((BOTTOM - y) / (BOTTOM - TOP) * 10.0).round().clamp(0.0, 10.0);
    (value, effort)
}

fn placed(idea: &Idea) -> Option<(f64, f64)> {
    let m = idea.scores.get(Framework::ValueEffort.key())?;
    Some((*m.get("value")?, *m.get("effort")?))
}

#[component]
pub fn ValueEffortMatrix(ranked: Memo<Vec<Ranked>>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let ideas = session.get().ideas;
    let read_only = use_read_only();
    let svg = NodeRef::<leptos::svg::Svg>::new();
    // The dot being dragged and where it is now (in SVG units).
    let dragging = RwSignal::new(None::<(Id, f64, f64)>);

    let dots = Memo::new(move |_| {
        ranked.with(|rows| {
            let mut tray = 0usize;
            rows.iter()
                .filter_map(|r| {
                    let sig = ideas.with_untracked(|m| m.get(&r.id).copied())?;
                    let (title, at) = sig.with(|i| (i.title.clone(), placed(i)));
                    let spot = match at {
                        Some((v, e)) => (x_of(e), y_of(v), true),
                        None => {
                            tray += 1;
                            (LEFT + 14.0 + ((tray - 1) % 26) as f64 * 20.0, TRAY, false)
                        }
                    };
                    Some((r.id.clone(), title, spot))
                })
                .collect::<Vec<_>>()
        })
    });
    let label_all = Memo::new(move |_| dots.with(|d| d.len() <= 30));
    let unplaced = Memo::new(move |_| dots.with(|d| d.iter().filter(|(_, _, (_, _, p))| !p).count()));

    let to_svg = move |client_x: i32, client_y: i32| -> Option<(f64, f64)> {
        let el = svg.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        Some(((client_x as f64 - rect.left()) / rect.width() * WIDTH, (client_y as f64 - rect.top()) / rect.height() * HEIGHT))
    };
    let commit = move |id: &Id, value: f64, effort: f64| {
        let input = |input: &str, value: f64| Edit::ScoreInput { idea: id.clone(), framework: Framework::ValueEffort, input: input.into(), value: Some(value) };
        let s = session.get();
        let result = s.apply(input("value", value)).and_then(|_| s.apply(input("effort", effort)));
        if let Err(e) = result {
            toasts.error(format!("The idea could not be placed: {e}"));
        }
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if dragging.with_untracked(Option::is_none) {
            return;
        }
        if let Some((x, y)) = to_svg(ev.client_x(), ev.client_y()) {
            dragging.update(|d| {
                if let Some(d) = d {
                    d.1 = x.clamp(LEFT, RIGHT);
                    d.2 = y.clamp(TOP, BOTTOM);
                }
            });
        }
    };
    let on_up = move |_: leptos::ev::PointerEvent| {
        if let Some((id, x, y)) = dragging.get_untracked() {
            dragging.set(None);
            let (value, effort) = inputs_at(x, y);
            commit(&id, value, effort);
        }
    };

    view! {
        <section class="matrix" aria-label="Value vs effort matrix">
            <svg
                node_ref=svg
                class="matrix-svg"
                class:matrix-read=move || read_only.get()
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="group"
                aria-label=move || if read_only.get() { "Ideas by value and effort" } else { "Ideas by value and effort; drag a dot to set them" }
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=move |_| dragging.set(None)
            >
                <rect class="q q-quick" x=LEFT y=TOP width=(RIGHT - LEFT) / 2.0 height=(BOTTOM - TOP) / 2.0/>
                <rect class="q q-big" x=(LEFT + RIGHT) / 2.0 y=TOP width=(RIGHT - LEFT) / 2.0 height=(BOTTOM - TOP) / 2.0/>
                <rect class="q q-fill" x=LEFT y=(TOP + BOTTOM) / 2.0 width=(RIGHT - LEFT) / 2.0 height=(BOTTOM - TOP) / 2.0/>
                <rect class="q q-pit" x=(LEFT + RIGHT) / 2.0 y=(TOP + BOTTOM) / 2.0 width=(RIGHT - LEFT) / 2.0 height=(BOTTOM - TOP) / 2.0/>
                <text class="q-label" x=LEFT + 10.0 y=TOP + 22.0>"Quick wins"</text>
                <text class="q-label" x=RIGHT - 10.0 y=TOP + 22.0 text-anchor="end">"Big bets"</text>
                <text class="q-label" x=LEFT + 10.0 y=BOTTOM - 10.0>"Fill-ins"</text>
                <text class="q-label" x=RIGHT - 10.0 y=BOTTOM - 10.0 text-anchor="end">"Money pits"</text>
                <text class="axis" x=(LEFT + RIGHT) / 2.0 y=BOTTOM + 22.0 text-anchor="middle">"Effort →"</text>
                <text class="axis" x=16 y=(TOP + BOTTOM) / 2.0 text-anchor="middle" transform=format!("rotate(-90 16 {})", (TOP + BOTTOM) / 2.0)>"Value →"</text>
                <text class="axis" x=LEFT - 6.0 y=BOTTOM + 4.0 text-anchor="end">"0"</text>
                <text class="axis" x=LEFT - 6.0 y=TOP + 8.0 text-anchor="end">"10"</text>
                <text class="axis" x=RIGHT y=BOTTOM + 22.0 text-anchor="end">"10"</text>
                <Show when=move || { unplaced.get() > 0 }>
                    <text class="tray-label" x=LEFT y=TRAY - 16.0>
                        {move || if read_only.get() {
                            format!("Not placed yet ({})", unplaced.get())
                        } else {
                            format!("Not placed yet ({}): drag into the matrix", unplaced.get())
                        }}
                    </text>
                </Show>
                <For each=move || dots.get() key=|d| (d.0.clone(), d.2 .0 as i64, d.2 .1 as i64, d.1.clone()) let:dot>
                    {
                        let (id, title, (x, y, is_placed)) = dot;
                        let id = StoredValue::new(id);
                        let pos = move || match dragging.get() {
                            Some((d, dx, dy)) if d == id.get_value() => (dx, dy),
                            _ => (x, y),
                        };
                        let short: String = if title.chars().count() > 22 { format!("{}…", title.chars().take(21).collect::<String>()) } else { title.clone() };
                        let name = if title.trim().is_empty() { "Untitled idea".to_owned() } else { title.clone() };
                        let (value, effort) = inputs_at(x, y);
                        let described = if is_placed { format!("{name}: value {value}, effort {effort}") } else { format!("{name}: not placed yet") };
                        let on_key = move |ev: leptos::ev::KeyboardEvent| {
                            if read_only.get_untracked() {
                                return;
                            }
                            let (dv, de) = match ev.key().as_str() {
                                "ArrowUp" => (1.0, 0.0),
                                "ArrowDown" => (-1.0, 0.0),
                                "ArrowRight" => (0.0, 1.0),
                                "ArrowLeft" => (0.0, -1.0),
                                _ => return,
                            };
                            ev.prevent_default();
                            let (v, e) = if is_placed { (value, effort) } else { (5.0, 5.0) };
                            commit(&id.get_value(), (v + dv).clamp(0.0, 10.0), (e + de).clamp(0.0, 10.0));
                        };
                        view! {
                            <g
                                class="dot"
                                class:unplaced=!is_placed
                                class:dragging=move || dragging.with(|d| d.as_ref().is_some_and(|d| d.0 == id.get_value()))
                                tabindex="0"
                                role="img"
                                aria-label=described
                                on:pointerdown=move |ev: leptos::ev::PointerEvent| {
                                    if read_only.get_untracked() {
                                        return;
                                    }
                                    ev.prevent_default();
                                    if let Some(el) = svg.get_untracked() {
                                        let _ = el.set_pointer_capture(ev.pointer_id());
                                    }
                                    let (px, py) = pos();
                                    dragging.set(Some((id.get_value(), px, py)));
                                }
                                on:keydown=on_key
                            >
                                <title>{name.clone()}</title>
                                <circle cx=move || pos().0 cy=move || pos().1 r="8"/>
                                {move || (label_all.get() && is_placed).then(|| view! {
                                    <text class="dot-label" x=move || pos().0 + 12.0 y=move || pos().1 + 4.0>{short.clone()}</text>
                                })}
                            </g>
                        }
                    }
                </For>
            </svg>
        </section>
    }
}
