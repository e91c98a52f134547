//! Time travel: the workspace screen shows either the workspace now or, read-only, as
//! it was after any moment of its history ([`TimeTravel`]); a banner says which and
//! leads back ([`PastBanner`]); and what changed since that point can be compared and
//! restored ([`ChangedSincePanel`]).

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;
use waymark_domain::then_and_now::Fate;

use crate::app::use_store;
use crate::components::Toasts;
use crate::route::{navigate, Route};
use crate::session::{ChangedSince, PastPoint, Session, SessionCtx};
use crate::storage::import::{import_file, Outcome};
use crate::util::relative_time;

/// Which version of the workspace the screen shows: now (`past` empty) or a point of
/// its history. Provided by the workspace screen.
#[derive(Clone, Copy)]
pub struct TimeTravel {
    live: SessionCtx,
    past: RwSignal<Option<SessionCtx>, LocalStorage>,
    /// Bumped on every trip: the screen is drawn afresh for each (never patched from the
    /// one before, which may have locked its controls as read-only).
    pub trip: RwSignal<u64>,
    /// The scope of the past session shown, and of the one shown before it. The one
    /// before is disposed only at the next trip, when nothing on screen uses it.
    scopes: StoredValue<(Option<Owner>, Option<Owner>), LocalStorage>,
}

impl TimeTravel {
    pub fn new(live: SessionCtx) -> TimeTravel {
        TimeTravel { live, past: RwSignal::new_local(None), trip: RwSignal::new(0), scopes: StoredValue::new_local((None, None)) }
    }

    pub fn get() -> TimeTravel {
        expect_context()
    }

    /// The workspace as it is now, whatever the screen shows.
    pub fn live(&self) -> Rc<Session> {
        self.live.get()
    }

    /// What the screen shows (not tracked: follow `trip`).
    pub fn shown(&self) -> SessionCtx {
        self.past.get_untracked().unwrap_or(self.live)
    }

    /// The past session shown, if any (tracked).
    pub fn past(&self) -> Option<Rc<Session>> {
        self.past.get().map(|p| p.get())
    }

    /// Shows the workspace as it was after its first `index` moments.
    pub fn go(&self, index: usize) -> Result<(), String> {
        let (past, scope) = self.live.get().at(index)?;
        let ctx = scope.with(|| SessionCtx(StoredValue::new_local(past)));
        self.retire(Some(scope));
        self.past.set(Some(ctx));
        self.trip.update(|n| *n += 1);
        Ok(())
    }

    /// Shows the workspace as it is now.
    pub fn back(&self) {
        self.retire(None);
        self.past.set(None);
        self.trip.update(|n| *n += 1);
    }

    fn retire(&self, next: Option<Owner>) {
        self.scopes.update_value(|(current, before)| {
            if let Some(old) = before.take() {
                old.cleanup();
            }
            *before = current.take();
            *current = next;
        });
    }
}

/// "after Ana's change, 5 min ago" (or "at its very start").
pub fn point_label(point: &PastPoint) -> String {
    match &point.last {
        Some((by, at_ms)) if *at_ms > 0 => format!("after {by}'s change, {}", relative_time(*at_ms as f64)),
        Some((by, _)) => format!("after {by}'s change"),
        None => "at its very start".to_owned(),
    }
}

/// The banner over a workspace shown as it was: where in history, and the way back.
#[component]
pub fn PastBanner(point: PastPoint) -> impl IntoView {
    let travel = TimeTravel::get();
    let toasts = Toasts::get();
    let store = use_store();
    let store = StoredValue::new_local(store);
    let changes = travel.live().changes;
    let total = Memo::new(move |_| {
        changes.track();
        travel.live().with_history(|h| h.moments().len())
    });
    let index = point.index;
    // A trip redraws the screen: the banner takes the focus, so the keyboard stays here.
    let banner = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = banner.get() {
            let _ = el.focus();
        }
    });
    let step = move |to: usize| {
        if let Err(e) = travel.go(to) {
            toasts.error(e);
        }
    };
    let label = point_label(&point);
    let copy = move |_| {
        let Some(past) = travel.past() else { return };
        let name = past.brief.with_untracked(|b| b.name.clone());
        let stamp = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(point.last.as_ref().map_or(0, |(_, at)| *at) as f64)).to_locale_date_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED);
        let name = format!("{name} (as of {})", String::from(stamp));
        let me = past.me().to_owned();
        spawn_local(async move {
            let json = match past.past_as_json(&name).await {
                Ok(json) => json,
                Err(e) => return toasts.error(format!("The copy could not be made: {e}")),
            };
            match import_file(store.get_value(), json.as_bytes(), &me, false, |_| {}).await {
                Ok(Outcome::Done(made)) => {
                    toasts.info(format!("Made “{}”, a copy of the workspace as it was.", made.name));
                    navigate(Route::Page { ws: made.id, page: crate::route::Page::Overview, open: None }, false);
                }
                Ok(Outcome::AsksFirst { .. }) => {}
                Err(e) => toasts.error(format!("The copy could not be made: {e}")),
            }
        });
    };
    view! {
        <div class="banner info time-travel" role="region" aria-label="Time travel" data-view="" tabindex="-1" node_ref=banner>
            <p>
                <strong>{format!("As it was {label}")}</strong>
                {move || format!(" — moment {index} of {}. You are looking back: nothing here can be changed. Activity compares it with now and restores what you pick.", total.get())}
            </p>
            <div class="banner-actions">
                <button class="btn btn-small" disabled={ index <= 1 } on:click=move |_| step(index.saturating_sub(1))>"Earlier"</button>
                <button class="btn btn-small" disabled=move || { index >= total.get() } on:click=move |_| step(index + 1)>"Later"</button>
                <button class="btn btn-small" on:click=copy>"Copy into a new workspace"</button>
                <button class="btn btn-small btn-primary" on:click=move |_| travel.back()>"Back to now"</button>
            </div>
        </div>
    }
}

/// What differs between the point shown and now, artifact by artifact, each with a
/// word-by-word comparison and a way to restore it.
#[component]
pub fn ChangedSincePanel(past: Rc<Session>) -> impl IntoView {
    let travel = TimeTravel::get();
    let toasts = Toasts::get();
    let live_changes = travel.live().changes;
    let can_restore = !travel.live().read_only.get_untracked();
    let past = StoredValue::new_local(past);
    // Compared in the document's worker, again whenever the workspace changes; only
    // the latest comparison asked for is shown.
    let changed = RwSignal::new(None::<Vec<ChangedSince>>);
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        live_changes.track();
        let ask = asked.get_value() + 1;
        asked.set_value(ask);
        let (live, then) = (travel.live(), past.get_value());
        spawn_local(async move {
            let result = live.changed_since(&then).await;
            if asked.try_get_value() != Some(ask) {
                return;
            }
            match result {
                Ok(items) => changed.set(Some(items)),
                Err(e) => toasts.error(format!("What changed since then could not be compared: {e}")),
            }
        });
    });
    let restore = move |item: &ChangedSince| {
        let (live, then, item) = (travel.live(), past.get_value(), item.clone());
        spawn_local(async move {
            match live.restore(&then, item.collection, &item.id).await {
                Ok(()) => toasts.info(format!("Restored {} as it was.", item.named)),
                Err(e) => toasts.error(e),
            }
        });
    };
    view! {
        <section class="changed-since" aria-label="Changed since then">
            <h2 class="rows-title">"Changed since then"</h2>
            <p class="diff-legend muted small">"Struck through: as it was then. Underlined: as it is now. Restoring brings back the struck-through version, for everyone."</p>
            {move || changed.with(|c| c.as_ref().is_some_and(Vec::is_empty)).then(|| view! {
                <p class="muted">"Nothing differs: every artifact reads as it does now."</p>
            })}
            <ul class="changed-list">
                {move || changed.get().unwrap_or_default().into_iter().map(|item| {
                    let heading = item.named.clone();
                    let differences = item.differences.clone();
                    let label = format!("Restore this version of {}", item.named);
                    view! {
                        <li class="changed-item">
                            <h3>{heading}</h3>
                            <dl class="diff">
                                {differences.into_iter().map(|d| view! {
                                    <dt>{d.label}</dt>
                                    <dd>{d.pieces.into_iter().map(|(fate, text)| match fate {
                                        Fate::Kept => view! { <span>{text}</span> }.into_any(),
                                        Fate::Removed => view! { <del title="then"><span class="visually-hidden">"then: "</span>{text}</del> }.into_any(),
                                        Fate::Added => view! { <ins title="now"><span class="visually-hidden">"now: "</span>{text}</ins> }.into_any(),
                                    }).collect_view()}</dd>
                                }).collect_view()}
                            </dl>
                            {can_restore.then(|| view! {
                                <button class="btn btn-small" data-view="" aria-label=label on:click=move |_| restore(&item)>"Restore this version"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
