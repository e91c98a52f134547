//! The now / next / later board: a column per horizon, optional swimlanes (by theme,
//! owner, release or status), cards dragged between and within columns, or moved with
//! Alt + arrow keys. A move is one edit (`Edit::MoveFeature`) that writes the card's
//! horizon and a fractional position, so two people moving cards at once both keep
//! their moves.

use std::collections::BTreeMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use waymark_domain::edit::Edit;
use waymark_domain::feature::{Feature, HORIZON, STATUS};
use waymark_domain::kind::choice_label;
use waymark_domain::roadmap::column;
use waymark_domain::timeline::{board_svg, short_day, LIGHT};
use waymark_domain::{Id, Kind};

use super::{derived_with, release_names, Derived};
use crate::components::{use_read_only, Editable, PeersOn, Toasts};
use crate::route::{Link, Page, Route};
use crate::session::{use_session, Collection, SessionCtx};

/// What swimlanes group cards by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LaneBy {
    None,
    Theme,
    Owner,
    Release,
    Status,
}

impl LaneBy {
    const ALL: [(LaneBy, &'static str, &'static str); 5] = [
        (LaneBy::None, "none", "No swimlanes"),
        (LaneBy::Theme, "theme", "Theme"),
        (LaneBy::Owner, "owner", "Owner"),
        (LaneBy::Release, "release", "Release"),
        (LaneBy::Status, "status", "Status"),
    ];

    /// The lane of `f`: its label ("" for none).
    fn lane(self, f: &Feature, releases: &BTreeMap<Id, String>) -> String {
        match self {
            LaneBy::None => String::new(),
            LaneBy::Theme => f.theme.trim().to_owned(),
            LaneBy::Owner => f.owner.trim().to_owned(),
            LaneBy::Release => f.release.as_ref().and_then(|r| releases.get(r)).cloned().unwrap_or_default(),
            LaneBy::Status => f.status.map(|s| choice_label(STATUS, s).to_owned()).unwrap_or_default(),
        }
    }

    /// What a lane with no value is called.
    fn none_label(self) -> &'static str {
        match self {
            LaneBy::None => "",
            LaneBy::Theme => "No theme",
            LaneBy::Owner => "No owner",
            LaneBy::Release => "No release",
            LaneBy::Status => "No status",
        }
    }
}

/// One swimlane: its label and its cards per column, in board order.
#[derive(Clone, Debug, PartialEq)]
struct Lane {
    label: String,
    columns: Vec<Vec<Id>>,
}

/// The columns shown: the three horizons, and "Not placed" while some feature has none.
fn horizons(all: &[Feature]) -> Vec<Option<&'static str>> {
    let mut shown: Vec<Option<&'static str>> = HORIZON.iter().map(|(k, _)| Some(*k)).collect();
    if all.iter().any(|f| !f.is_deleted() && f.horizon.is_none()) {
        shown.push(None);
    }
    shown
}

fn horizon_label(h: Option<&str>) -> &'static str {
    h.map_or("Not placed", |h| choice_label(HORIZON, h))
}

/// The lanes and their columns (named lanes in name order, the unnamed one last).
fn lay_out(all: &[Feature], by: LaneBy, releases: &BTreeMap<Id, String>, shown: &[Option<&'static str>]) -> Vec<Lane> {
    let mut lanes: BTreeMap<(bool, String, String), Lane> = BTreeMap::new();
    for (c, h) in shown.iter().enumerate() {
        for f in column(all, *h) {
            let label = by.lane(f, releases);
            let key = (label.is_empty(), label.to_lowercase(), label.clone());
            let lane = lanes.entry(key).or_insert_with(|| Lane {
                label: if label.is_empty() { by.none_label().to_owned() } else { label.clone() },
                columns: vec![Vec::new(); shown.len()],
            });
            lane.columns[c].extend(f.id().cloned());
        }
    }
    if lanes.is_empty() {
        return vec![Lane { label: String::new(), columns: vec![Vec::new(); shown.len()] }];
    }
    lanes.into_values().collect()
}

/// Where a dragged card would land.
#[derive(Clone, Debug, PartialEq)]
enum Drop {
    Before(Id),
    After(Id),
    /// The end of a column (of the lane shown).
    End { horizon: &'static str, after: Option<Id> },
}

/// The cards `moving` lands between when dropped as `drop` on `list` (the lane's cards
/// in the target column, as shown): `None` is the top or the bottom.
fn neighbours(list: &[Id], moving: &Id, drop: &Drop) -> (Option<Id>, Option<Id>) {
    let others: Vec<&Id> = list.iter().filter(|id| *id != moving).collect();
    let at = |id: &Id| others.iter().position(|o| *o == id);
    let pair = |i: usize| (i.checked_sub(1).and_then(|p| others.get(p)).map(|id| (*id).clone()), others.get(i).map(|id| (*id).clone()));
    match drop {
        Drop::Before(id) => pair(at(id).unwrap_or(others.len())),
        Drop::After(id) | Drop::End { after: Some(id), .. } => pair(at(id).map_or(others.len(), |i| i + 1)),
        Drop::End { after: None, .. } => pair(others.len()),
    }
}

/// Moves `id` as `drop` on `list` says, telling the person where it went (or why not).
fn move_card(ctx: BoardCtx, id: &Id, horizon: &'static str, list: &[Id], drop: &Drop) {
    let (before, after) = neighbours(list, id, drop);
    // Moving the focused element costs the browser a style pass over the whole board;
    // moving it unfocused and focusing it once it has landed costs one pass, in the frame.
    let focused = document().active_element().filter(|el| el.get_attribute("data-card").as_deref() == Some(id.as_str()));
    if let Some(el) = focused.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.blur();
    }
    let session = ctx.session.get();
    match session.apply(Edit::MoveFeature { feature: id.clone(), horizon: horizon.to_owned(), before, after }) {
        // Said once the card shows where it went.
        Ok(_) => session.when_shown({
            let id = id.clone();
            move || {
                let id = &id;
                let title = ctx.features.get(id).map(|f| f.with_untracked(Kind::title)).unwrap_or_default();
                let c = ctx.shown.get_untracked().iter().position(|h| *h == Some(horizon)).unwrap_or(0);
                let place = ctx.lanes.with_untracked(|ls| {
                    ls.iter().filter_map(|l| l.columns.get(c)).find_map(|col| col.iter().position(|i| i == id).map(|p| (p + 1, col.len())))
                });
                let (place, of) = place.unwrap_or((1, 1));
                ctx.announce.set(format!("Moved “{title}” to {}, position {place} of {of}.", choice_label(HORIZON, horizon)));
                refocus(id.clone());
            }
        }),
        Err(e) => {
            ctx.toasts.error(format!("That card could not be moved: {e}"));
            refocus(id.clone());
        }
    }
}

/// Puts the keyboard focus back on a card after it moved (it may be a new element).
fn refocus(id: Id) {
    request_animation_frame(move || {
        let card = document().query_selector(&format!("[data-card=\"{id}\"]")).ok().flatten();
        if let Some(el) = card.and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let features = session.get().collection::<Feature>();
    // One copy of the live features per change, shared by everything below.
    let all = Memo::new(move |_| features.live());
    let derived = derived_with(session, all);
    let releases = release_names(session);
    let lane_by = RwSignal::new(LaneBy::None);
    let shown = Memo::new(move |_| all.with(|a| horizons(a)));
    let lanes = Memo::new(move |_| all.with(|a| releases.with(|r| lay_out(a, lane_by.get(), r, &shown.get()))));
    let total = Memo::new(move |_| features.live_count());
    let dragging = RwSignal::new(None::<Id>);
    let target = RwSignal::new(None::<Drop>);
    let announce = RwSignal::new(String::new());
    // The board as a picture: the domain draws it, in light colours, for slides.
    let name = session.get().brief.with_untracked(|b| b.name.clone());
    let stem = StoredValue::new(crate::util::file_stem(if name.trim().is_empty() { "roadmap" } else { &name }));
    let export = move |png: bool| {
        let title = session.get().brief.with_untracked(|b| format!("{} — roadmap", b.name.trim()));
        let (svg, w, h) = all.with_untracked(|a| derived.with_untracked(|d| releases.with_untracked(|r| board_svg(a, r, &d.links, &LIGHT, &title))));
        let file = format!("{}-board.{}", stem.get_value(), if png { "png" } else { "svg" });
        if !png {
            if let Err(e) = crate::util::download(&file, "image/svg+xml", svg.as_bytes()) {
                toasts.error(e);
            }
            return;
        }
        leptos::task::spawn_local(async move {
            match crate::util::svg_to_png(&svg, w, h).await {
                Ok(bytes) => {
                    if let Err(e) = crate::util::download(&file, "image/png", &bytes) {
                        toasts.error(e);
                    }
                }
                Err(e) => toasts.error(e),
            }
        });
    };
    let ctx_ws = session.get().id.clone();
    let audience = session.get().audience();
    let ctx = BoardCtx {
        audience: audience.is_some(), session, toasts, features, derived, releases, dragging, target, announce, lanes, shown };
    view! {
        <main class="page roadmap">
            <div class="page-head">
                <h1 class="page-title">"Roadmap"</h1>
                <span class="muted" role="status">{move || match total.get() { 1 => "1 feature".to_owned(), n => format!("{n} features") }}</span>
                {audience.is_none().then(|| view! {
                    <div class="row page-actions">
                        <Link to=Route::Page { ws: ctx_ws.clone(), page: Page::Timeline, open: None } class="btn btn-small">"Timeline"</Link>
                        <super::publish::PublishButton/>
                    </div>
                })}
            </div>
            <div class="toolbar board-toolbar">
                <label class="inline-label">"Swimlanes "
                    <select class="field-input" aria-label="Swimlanes" data-view="" on:change:target=move |ev| {
                        let v = ev.target().value();
                        if let Some((by, _, _)) = LaneBy::ALL.iter().find(|(_, k, _)| *k == v) { lane_by.set(*by); }
                    }>
                        {LaneBy::ALL.iter().map(|(by, k, l)| view! { <option value=*k selected=move || lane_by.get() == *by>{*l}</option> }).collect_view()}
                    </select>
                </label>
                <div class="row">
                    <button class="btn btn-small" data-view="" on:click=move |_| export(false)>"Export SVG"</button>
                    <button class="btn btn-small" data-view="" on:click=move |_| export(true)>"Export PNG"</button>
                </div>
                <Editable>
                    <p class="muted small board-hint">"Drag a card, or focus it and press Alt + arrow keys to move it."</p>
                </Editable>
            </div>
            <p class="visually-hidden" role="status" aria-live="polite">{move || announce.get()}</p>
            <div class="board" style=move || format!("--columns: {}", shown.with(Vec::len))>
                <div class="board-row board-heads">
                    {move || shown.get().into_iter().enumerate().map(|(c, h)| column_head(ctx, c, h)).collect_view()}
                </div>
                <For each={move || lanes.get().into_iter().map(|l| l.label).collect::<Vec<String>>()} key={|l: &String| l.clone()}
                    children={move |label: String| lane(ctx, label)}/>
            </div>
        </main>
    }
}

/// Everything a part of the board needs.
#[derive(Clone, Copy)]
struct BoardCtx {
    session: SessionCtx,
    toasts: Toasts,
    features: Collection<Feature>,
    derived: Memo<Derived>,
    releases: Memo<BTreeMap<Id, String>>,
    dragging: RwSignal<Option<Id>>,
    target: RwSignal<Option<Drop>>,
    announce: RwSignal<String>,
    lanes: Memo<Vec<Lane>>,
    shown: Memo<Vec<Option<&'static str>>>,
    /// A published audience roadmap: cards are not links (there is nothing more to open).
    audience: bool,
}

/// A column's name, its count and a form to add a feature to it.
fn column_head(ctx: BoardCtx, c: usize, h: Option<&'static str>) -> impl IntoView {
    let name = horizon_label(h);
    let count = Memo::new(move |_| ctx.lanes.with(|ls| ls.iter().map(|l| l.columns.get(c).map_or(0, Vec::len)).sum::<usize>()));
    let title = RwSignal::new(String::new());
    let add = move || {
        let Some(h) = h else { return };
        let t = title.get_untracked();
        if t.trim().is_empty() {
            return;
        }
        let s = ctx.session.get();
        // At the bottom of the column: after its last card.
        let last = ctx.features.items.with_untracked(|m| {
            let all: Vec<Feature> = m.values().map(|f| f.get_untracked()).collect();
            column(&all, Some(h)).last().and_then(|f| f.id().cloned())
        });
        let made = s.create(Edit::CreateItem { collection: Feature::COLLECTION, title: t }).and_then(|id| {
            s.apply(Edit::MoveFeature { feature: id, horizon: h.to_owned(), before: last, after: None }).map(|_| ())
        });
        match made {
            Ok(()) => title.set(String::new()),
            Err(e) => ctx.toasts.error(format!("The feature could not be added: {e}")),
        }
    };
    view! {
        <section class=format!("column-head column-{}", h.unwrap_or("none"))>
            <h2 class="column-title">{name}" "<span class="count">{move || count.get()}</span></h2>
            {h.map(|_| view! {
                <Editable>
                    <form class="column-add" on:submit=move |ev| { ev.prevent_default(); add(); }>
                        <input class="field-input" type="text" maxlength="200" aria-label=format!("New feature in {name}")
                            placeholder="Add a feature…" prop:value=move || title.get() on:input:target=move |ev| title.set(ev.target().value())/>
                    </form>
                </Editable>
            })}
        </section>
    }
}

/// One swimlane: its title (when lanes are on) and a list per column.
fn lane(ctx: BoardCtx, label: String) -> impl IntoView {
    let key = StoredValue::new(label.clone());
    let columns = Memo::new(move |_| ctx.lanes.with(|ls| ls.iter().find(|l| key.with_value(|k| *k == l.label)).map(|l| l.columns.clone()).unwrap_or_default()));
    view! {
        <section class="lane" aria-label=if label.is_empty() { "Features".to_owned() } else { label.clone() }>
            {(!label.is_empty()).then(|| view! { <h3 class="lane-title">{label.clone()}</h3> })}
            <div class="board-row">
                {move || ctx.shown.get().into_iter().enumerate().map(|(c, h)| {
                    let ids = Memo::new(move |_| columns.with(|cols| cols.get(c).cloned().unwrap_or_default()));
                    column_body(ctx, key, h, ids)
                }).collect_view()}
            </div>
        </section>
    }
}

fn column_body(ctx: BoardCtx, lane: StoredValue<String>, h: Option<&'static str>, ids: Memo<Vec<Id>>) -> impl IntoView {
    let read_only = use_read_only();
    let name = horizon_label(h);
    let label = move || lane.with_value(|l| if l.is_empty() { name.to_owned() } else { format!("{name} — {l}") });
    let end = move || Drop::End { horizon: h.unwrap_or("later"), after: ids.with_untracked(|i| i.last().cloned()) };
    let is_end_target = move || matches!(ctx.target.get(), Some(Drop::End { horizon, after }) if Some(horizon) == h && after == ids.with(|i| i.last().cloned()));
    view! {
        <ol class="column-body" class:drop-end=is_end_target aria-label=label
            on:dragover=move |ev: web_sys::DragEvent| {
                if h.is_none() || read_only.get_untracked() || ctx.dragging.with_untracked(Option::is_none) { return; }
                ev.prevent_default();
                if ev.target() == ev.current_target() { ctx.target.set(Some(end())); }
            }
            on:drop=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                let (Some(h), Some(id), Some(drop)) = (h, ctx.dragging.get_untracked(), ctx.target.get_untracked()) else { return };
                ctx.dragging.set(None);
                ctx.target.set(None);
                move_card(ctx, &id, h, &ids.get_untracked(), &drop);
            }>
            <For each=move || ids.get() key=|id: &Id| id.clone() children=move |id: Id| card(ctx, id, h, lane, ids)/>
            {move || (ids.with(Vec::is_empty)).then(|| view! {
                <li class="column-empty muted small" aria-hidden="true">{if read_only.get() { "Nothing here yet" } else if h.is_some() { "Drop a card here" } else { "" }}</li>
            })}
        </ol>
    }
}

/// One feature's card.
fn card(ctx: BoardCtx, id: Id, h: Option<&'static str>, lane: StoredValue<String>, ids: Memo<Vec<Id>>) -> impl IntoView {
    let Some(feature) = ctx.features.get(&id) else { return ().into_any() };
    let read_only = use_read_only();
    let ws = ctx.session.get().id.clone();
    let me = StoredValue::new(id.clone());
    let title = Memo::new(move |_| feature.with(Kind::title));
    let status = Memo::new(move |_| feature.with(|f| f.status));
    let owner = Memo::new(move |_| feature.with(|f| f.owner.trim().to_owned()));
    let description = Memo::new(move |_| feature.with(|f| f.description.trim().to_owned()));
    let dates = Memo::new(move |_| feature.with(|f| match (f.start, f.target) {
        (Some(s), Some(t)) => Some(format!("{} → {}", short_day(s), short_day(t))),
        (None, Some(t)) => Some(format!("Due {}", short_day(t))),
        (Some(s), None) => Some(format!("From {}", short_day(s))),
        (None, None) => None,
    }));
    let release = Memo::new(move |_| feature.with(|f| f.release.clone()).and_then(|r| ctx.releases.with(|n| n.get(&r).cloned())));
    let blocked = Memo::new(move |_| me.with_value(|id| ctx.derived.with(|d| d.blocked.contains(id))));
    let clash = Memo::new(move |_| me.with_value(|id| ctx.derived.with(|d| d.clashes(id))));
    let progress = Memo::new(move |_| me.with_value(|id| ctx.derived.with(|d| d.progress.get(id).copied())));
    let risk = Memo::new(move |_| me.with_value(|id| ctx.derived.with(|d| d.risks.get(id).cloned())));
    let drop_class = move || match ctx.target.get() {
        Some(Drop::Before(t)) if me.with_value(|m| *m == t) => "drop-before",
        Some(Drop::After(t)) if me.with_value(|m| *m == t) => "drop-after",
        _ => "",
    };
    let keyboard_move = move |ev: web_sys::KeyboardEvent| {
        if !ev.alt_key() || read_only.get_untracked() {
            return;
        }
        let id = me.get_value();
        let list = ids.get_untracked();
        let at = list.iter().position(|i| *i == id).unwrap_or(0);
        let shown = ctx.shown.get_untracked();
        let c = shown.iter().position(|s| *s == h).unwrap_or(0);
        let step = |delta: isize| shown.get((c as isize + delta) as usize).copied().flatten();
        let (horizon, drop, target) = match ev.key().as_str() {
            "ArrowUp" if at > 0 => (h, Drop::Before(list[at - 1].clone()), list.clone()),
            "ArrowDown" if at + 1 < list.len() => (h, Drop::After(list[at + 1].clone()), list.clone()),
            "ArrowLeft" | "ArrowRight" => {
                let delta = if ev.key() == "ArrowLeft" { -1 } else { 1 };
                let Some(to) = (c as isize + delta >= 0).then(|| step(delta)).flatten() else { return };
                // The end of the same lane in the next column.
                let target = ctx.lanes.with_untracked(|ls| {
                    let key = lane.get_value();
                    let col = shown.iter().position(|s| *s == Some(to)).unwrap_or(0);
                    ls.iter().find(|l| l.label == key).and_then(|l| l.columns.get(col).cloned()).unwrap_or_default()
                });
                (Some(to), Drop::End { horizon: to, after: target.last().cloned() }, target)
            }
            _ => return,
        };
        let Some(horizon) = horizon else { return };
        ev.prevent_default();
        move_card(ctx, &id, horizon, &target, &drop);
    };
    view! {
        <li class=move || format!("card {}", drop_class()) class:dragging=move || ctx.dragging.with(|d| d.as_ref() == Some(&me.get_value()))
            class:blocked=move || blocked.get()
            tabindex="0" data-card=id.to_string() draggable=move || if read_only.get() { "false" } else { "true" }
            aria-label=move || title.get() aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown Alt+ArrowLeft Alt+ArrowRight"
            on:keydown=keyboard_move
            on:dragstart=move |ev: web_sys::DragEvent| {
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &title.get_untracked());
                    dt.set_effect_allowed("move");
                }
                ctx.dragging.set(Some(me.get_value()));
            }
            on:dragend=move |_| { ctx.dragging.set(None); ctx.target.set(None); }
            on:dragover=move |ev: web_sys::DragEvent| {
                if h.is_none() || ctx.dragging.with_untracked(Option::is_none) { return; }
                ev.prevent_default();
                ev.stop_propagation();
                let upper = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).map(|el| {
                    let r = el.get_bounding_client_rect();
                    f64::from(ev.client_y()) < r.top() + r.height() / 2.0
                });
                let id = me.get_value();
                ctx.target.set(Some(if upper.unwrap_or(true) { Drop::Before(id) } else { Drop::After(id) }));
            }>
            <div class="card-top">
                {if ctx.audience {
                    view! { <span class="card-title">{move || title.get()}</span> }.into_any()
                } else {
                    view! { <Link to=Route::Page { ws, page: Page::of::<Feature>(), open: Some(id.clone()) } class="card-title">{move || title.get()}</Link> }.into_any()
                }}
                <PeersOn id=id.clone()/>
            </div>
            {move || (ctx.audience && !description.with(String::is_empty)).then(|| view! { <p class="card-desc small">{description.get()}</p> })}
            <div class="card-meta">
                {move || status.get().map(|s| view! { <span class=format!("badge status-{s}")>{choice_label(STATUS, s)}</span> })}
                {move || release.get().map(|r| view! { <span class="release-chip" title="Release">{r}</span> })}
                {move || dates.get().map(|d| view! { <span class="muted small card-dates">{d}</span> })}
                {move || (!owner.get().is_empty()).then(|| view! { <span class="muted small card-owner">{owner.get()}</span> })}
            </div>
            {move || progress.get().and_then(|p| p.percent().map(|pc| view! {
                <div class="card-progress" title=format!("{} of {} stories done", p.done, p.total)>
                    <div class="bar"><div class="fill" style=format!("width: {pc}%")></div></div>
                    <span class="small muted">{format!("{}/{} stories", p.done, p.total)}</span>
                </div>
            }))}
            <div class="card-flags">
                {move || blocked.get().then(|| view! { <span class="flag flag-blocked">"Blocked"</span> })}
                {move || risk.get().map(|(title, score, zone)| {
                    let text = if score > 0 { format!("Risk {score}") } else { "Risk".to_owned() };
                    view! { <span class=format!("flag flag-risk zone-{}", zone.key()) title=format!("Highest open risk: {title}")>{text}</span> }
                })}
                {move || clash.get().then(|| view! { <span class="flag flag-clash" title="It starts before a feature blocking it ends">"Dates clash"</span> })}
            </div>
        </li>
    }
    .into_any()
}
