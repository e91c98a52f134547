//! Activity: every change of the workspace, newest first, with who made it, when and
//! what it touched, filtered by person and kind; marks on what teammates changed since
//! this browser's last visit; and the way into time travel (a slider over history, or
//! "Before this" on any change).

use leptos::prelude::*;
use waymark_domain::history::{Moment, Place};
use waymark_domain::Id;

use crate::components::time_travel::{point_label, ChangedSincePanel, TimeTravel};
use crate::components::Toasts;
use crate::route::{Link, Page, Route};
use crate::util::relative_time;

/// Rows shown at first, and added by each "Show older".
const PAGE: usize = 100;

/// One row of the feed, as shown.
#[derive(Clone, PartialEq)]
struct Row {
    index: usize,
    by: String,
    at_ms: i64,
    summary: String,
    /// Where the row leads: the first artifact it touched.
    first: Option<(&'static str, Id)>,
    new: bool,
}

/// Where an artifact opens.
fn route_to(ws: &str, collection: &str, id: &Id) -> Route {
    match Page::listing(collection) {
        Some(page) => Route::Page { ws: ws.to_owned(), page, open: Some(id.clone()) },
        None => Route::Ideas { ws: ws.to_owned(), open: Some(id.clone()) },
    }
}

/// Whether `moment` touched something of kind `kind` ("brief" for the brief and the
/// settings; else a collection).
fn touches(moment: &Moment, kind: &str) -> bool {
    match kind {
        "" => true,
        "brief" => moment.touched.iter().any(|p| matches!(p, Place::Brief | Place::Settings)),
        kind => moment.items().any(|(c, _)| c == kind),
    }
}

/// The kinds to filter by: the brief, ideas, then every section that lists artifacts.
fn kinds() -> Vec<(String, String)> {
    let mut all = vec![("brief".to_owned(), "Brief & settings".to_owned()), ("ideas".to_owned(), "Ideas".to_owned())];
    for page in Page::all() {
        let collection = if page == Page::Docs { waymark_domain::schema::DOCUMENTS } else { page.key() };
        if waymark_domain::schema::COLLECTIONS.contains(&collection) {
            all.push((collection.to_owned(), page.label().to_owned()));
        }
    }
    all
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let travel = TimeTravel::get();
    let toasts = Toasts::get();
    let live = travel.live();
    let changes = live.changes;
    let new_since = live.new_changes;
    let ws = StoredValue::new(live.id.clone());
    let me = live.me().to_owned();
    let (person, kind, only_new, shown) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(false), RwSignal::new(PAGE));
    let total = Memo::new(move |_| {
        changes.track();
        travel.live().with_history(|h| h.moments().len())
    });
    let people = Memo::new(move |_| {
        changes.track();
        travel.live().with_history(|h| h.people())
    });
    let rows = Memo::new(move |_| {
        changes.track();
        let (person, kind, only_new, shown) = (person.get(), kind.get(), only_new.get(), shown.get());
        let live = travel.live();
        let fresh = new_since.get();
        let is_new = |m: &Moment| fresh.contains(&m.hash);
        let matching: Vec<(usize, Moment)> = live.with_history(|h| {
            h.moments()
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, m)| person.is_empty() || m.by == person)
                .filter(|(_, m)| touches(m, &kind))
                .filter(|(_, m)| !only_new || is_new(m))
                .take(shown + 1)
                .map(|(i, m)| (i, m.clone()))
                .collect()
        });
        matching
            .into_iter()
            .map(|(index, m)| Row {
                index,
                new: m.by != me && is_new(&m),
                summary: live.summary(&m),
                first: m.items().next().map(|(c, id)| (c, id.clone())),
                by: m.by.clone(),
                at_ms: m.at_ms,
            })
            .collect::<Vec<_>>()
    });
    let point = RwSignal::new(None::<usize>);
    let go = move |index: usize| {
        if let Err(e) = travel.go(index) {
            toasts.error(e);
        }
    };
    // Where the screen stands: the point shown when travelling, else now.
    let here = move || travel.past().and_then(|p| p.past.as_ref().map(|p| p.index)).unwrap_or_else(|| total.get());
    let slider_at = move || point.get().unwrap_or_else(here);
    let slider_label = move || {
        let at = slider_at();
        let last = at.checked_sub(1).and_then(|i| travel.live().with_history(|h| h.moments().get(i).map(|m| (m.by.clone(), m.at_ms))));
        format!("{} (moment {at} of {})", point_label(&crate::session::PastPoint { index: at, last }), total.get())
    };
    let people_options = move || people.get().into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view();
    let kind_options = kinds().into_iter().map(|(k, l)| view! { <option value=k>{l}</option> }).collect_view();
    view! {
        <main class="page activity">
            <div class="page-head">
                <h1 class="page-title">"Activity"</h1>
                <span class="muted small">{move || format!("{} changes", total.get())}</span>
            </div>
            <section class="travel-bar" aria-label="Time travel" data-view="">
                <label class="travel-label" for="history-point">"Point in history"</label>
                <input
                    id="history-point"
                    type="range"
                    min="1"
                    max=move || total.get().to_string()
                    prop:value=move || slider_at().to_string()
                    on:input:target=move |ev| point.set(ev.target().value().parse().ok())
                />
                <output for="history-point" class="muted small">{slider_label}</output>
                <button class="btn btn-small" disabled=move || { slider_at() >= total.get() || slider_at() == here() } on:click=move |_| go(slider_at())>"Browse as it was"</button>
            </section>
            {move || travel.past().map(|past| view! { <ChangedSincePanel past=past/> })}
            <div class="filters" data-view="">
                <select class="field-input" aria-label="Filter by person" on:change:target=move |ev| person.set(ev.target().value())>
                    <option value="">"Everyone"</option>
                    {people_options}
                </select>
                <select class="field-input" aria-label="Filter by kind" on:change:target=move |ev| kind.set(ev.target().value())>
                    <option value="">"Every kind"</option>
                    {kind_options}
                </select>
                <label class="check">
                    <input type="checkbox" on:change:target=move |ev| only_new.set(ev.target().checked())/>
                    {move || format!("Only new since my last visit ({})", new_since.with(|n| n.len()))}
                </label>
            </div>
            <ol class="feed" aria-label="Changes, newest first" data-view="">
                {move || {
                    let rows = rows.get();
                    let more = rows.len() > shown.get_untracked();
                    let rows: Vec<Row> = rows.into_iter().take(shown.get_untracked()).collect();
                    let empty = rows.is_empty().then(|| view! { <li class="muted">"No change matches."</li> });
                    let list = rows.into_iter().map(|row| {
                        let initial = row.by.chars().next().unwrap_or('?').to_uppercase().to_string();
                        let when = if row.at_ms > 0 { relative_time(row.at_ms as f64) } else { String::new() };
                        let before = format!("Before this: {} {}", row.by, row.summary);
                        let summary = row.summary.clone();
                        let what = match &row.first {
                            Some((c, id)) => view! { <Link to=route_to(&ws.get_value(), c, id) class="feed-what">{summary}</Link> }.into_any(),
                            None => view! { <span class="feed-what">{summary}</span> }.into_any(),
                        };
                        let index = row.index;
                        // The creation of the workspace has no "before".
                        let first = index == 0;
                        let later = index >= here();
                        let later_note = later.then(|| view! { <span class="visually-hidden">" (made after the point shown)"</span> });
                        view! {
                            <li class="feed-row" class:new=row.new class:later=later title=later.then_some("Made after the point shown")>
                                <span class="avatar" aria-hidden="true">{initial}</span>
                                <p class="feed-line"><strong>{row.by.clone()}</strong>" "{what}
                                    {row.new.then(|| view! { <span class="badge new-mark" title="Changed since your last visit">"New to you"</span> })}
                                    {later_note}
                                </p>
                                <time class="muted small">{when}</time>
                                {(!first).then(|| view! {
                                    <button class="btn btn-small btn-ghost" aria-label=before on:click=move |_| go(index)>"Before this"</button>
                                })}
                            </li>
                        }
                    }).collect_view();
                    let more = more.then(|| view! {
                        <li><button class="btn btn-small" data-view="" on:click=move |_| shown.update(|n| *n += PAGE)>"Show older"</button></li>
                    });
                    view! { {empty}{list}{more} }
                }}
            </ol>
        </main>
    }
}
