//! The app's addresses. A handful of screens do not need a router crate: the path is
//! parsed into a [`Route`] and kept in a signal that `navigate` and the browser's
//! back/forward buttons update.

use leptos::prelude::*;
use waymark_domain::kind::{visit_kinds, KindVisitor};
use waymark_domain::{Id, Kind};

/// A screen of the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    Brief { ws: String },
    Ideas { ws: String, open: Option<Id> },
    /// Any other section of a workspace, optionally with one artifact open.
    Page { ws: String, page: Page, open: Option<Id> },
    /// Opening a share link (`/join#…`; the keys are in the fragment).
    Join,
    /// Answering an invitation to connect directly, with no server.
    Invitation,
    NotFound,
}

/// A section of a workspace besides the brief and ideas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// The workspace at a glance, its first screen.
    Overview,
    Priorities,
    /// The now / next / later board of features.
    Roadmap,
    /// The features on a timeline.
    Timeline,
    Feedback,
    Personas,
    Stories,
    Docs,
    /// Every change, by whom and when; and going back to any point of history.
    Activity,
    /// The page of a kind described through [`waymark_domain::Kind`]: its collection
    /// (also the path segment) and its name in the navigation.
    Kind { collection: &'static str, label: &'static str },
}

impl Page {
    const FIXED: [Page; 8] = [Page::Overview, Page::Priorities, Page::Roadmap, Page::Timeline, Page::Feedback, Page::Personas, Page::Stories, Page::Docs];

    /// Every section, in navigation order: the fixed ones, then one per kind.
    pub fn all() -> Vec<Page> {
        struct Kinds(Vec<Page>);
        impl KindVisitor for Kinds {
            fn visit<K: Kind>(&mut self) {
                self.0.push(Page::Kind { collection: K::COLLECTION, label: K::PLURAL });
            }
        }
        let mut pages = Kinds(Page::FIXED.to_vec());
        visit_kinds(&mut pages);
        pages.0.push(Page::Activity);
        pages.0
    }

    /// The section that lists the artifacts of `collection`, if one does (ideas have
    /// their own route).
    pub fn listing(collection: &str) -> Option<Page> {
        let key = if collection == waymark_domain::schema::DOCUMENTS { "docs" } else { collection };
        Page::all().into_iter().find(|p| p.key() == key)
    }

    /// The page of kind `K`.
    pub fn of<K: Kind>() -> Page {
        Page::Kind { collection: K::COLLECTION, label: K::PLURAL }
    }

    /// The path segment.
    pub fn key(self) -> &'static str {
        match self {
            Page::Overview => "overview",
            Page::Priorities => "priorities",
            Page::Roadmap => "roadmap",
            Page::Timeline => "timeline",
            Page::Feedback => "feedback",
            Page::Personas => "personas",
            Page::Stories => "stories",
            Page::Docs => "docs",
            Page::Activity => "activity",
            Page::Kind { collection, .. } => collection,
        }
    }

    pub fn parse(s: &str) -> Option<Page> {
        Page::all().into_iter().find(|p| p.key() == s)
    }

    /// The name in the navigation.
    pub fn label(self) -> &'static str {
        match self {
            Page::Overview => "Overview",
            Page::Priorities => "Prioritize",
            Page::Roadmap => "Roadmap",
            Page::Timeline => "Timeline",
            Page::Feedback => "Feedback",
            Page::Personas => "Personas",
            Page::Stories => "Stories",
            Page::Docs => "Docs",
            Page::Activity => "Activity",
            Page::Kind { label, .. } => label,
        }
    }
}

impl Route {
    /// Parses a path such as `/w/<id>/ideas/<idea>`.
    pub fn parse(path: &str) -> Route {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let ws = |s: &str| Id::parse(s).map(|id| id.to_string());
        match parts.as_slice() {
            [] => Route::Home,
            ["join"] => Route::Join,
            ["invitation"] => Route::Invitation,
            ["w", w] => ws(w).map_or(Route::NotFound, |ws| Route::Page { ws, page: Page::Overview, open: None }),
            ["w", w, "brief"] => ws(w).map_or(Route::NotFound, |ws| Route::Brief { ws }),
            ["w", w, "ideas"] => ws(w).map_or(Route::NotFound, |ws| Route::Ideas { ws, open: None }),
            ["w", w, "ideas", idea] => match (ws(w), Id::parse(idea)) {
                (Some(ws), Some(idea)) => Route::Ideas { ws, open: Some(idea) },
                _ => Route::NotFound,
            },
            ["w", w, page] => match (ws(w), Page::parse(page)) {
                (Some(ws), Some(page)) => Route::Page { ws, page, open: None },
                _ => Route::NotFound,
            },
            ["w", w, page, item] => match (ws(w), Page::parse(page), Id::parse(item)) {
                (Some(ws), Some(page), Some(item)) => Route::Page { ws, page, open: Some(item) },
                _ => Route::NotFound,
            },
            _ => Route::NotFound,
        }
    }

    /// The path for this screen.
    pub fn path(&self) -> String {
        match self {
            Route::Home | Route::NotFound => "/".into(),
            Route::Join => "/join".into(),
            Route::Invitation => "/invitation".into(),
            Route::Brief { ws } => format!("/w/{ws}/brief"),
            Route::Ideas { ws, open: None } => format!("/w/{ws}/ideas"),
            Route::Ideas { ws, open: Some(idea) } => format!("/w/{ws}/ideas/{idea}"),
            Route::Page { ws, page, open: None } => format!("/w/{ws}/{}", page.key()),
            Route::Page { ws, page, open: Some(item) } => format!("/w/{ws}/{}/{item}", page.key()),
        }
    }

    /// The workspace this screen belongs to.
    pub fn workspace(&self) -> Option<&str> {
        match self {
            Route::Brief { ws } | Route::Ideas { ws, .. } | Route::Page { ws, .. } => Some(ws),
            Route::Home | Route::Join | Route::Invitation | Route::NotFound => None,
        }
    }
}

thread_local! {
    // The route is app-wide and navigation happens from event handlers and async
    // tasks, where no component context is reachable, so it lives here.
    static CURRENT: std::cell::OnceCell<RwSignal<Route>> = const { std::cell::OnceCell::new() };
}

/// Installs the route signal and follows back/forward navigation.
pub fn provide_route() -> RwSignal<Route> {
    let route = RwSignal::new(Route::parse(&window().location().pathname().unwrap_or_default()));
    let handle = window_event_listener(leptos::ev::popstate, move |_| {
        route.set(Route::parse(&window().location().pathname().unwrap_or_default()));
    });
    on_cleanup(move || handle.remove());
    CURRENT.with(|c| {
        let _ = c.set(route);
    });
    route
}

/// Goes to `to`, adding a history entry (or replacing the current one).
pub fn navigate(to: Route, replace: bool) {
    let route = use_route();
    let path = to.path();
    if let Ok(history) = window().history() {
        let _ = if replace {
            history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path))
        } else {
            history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path))
        };
    }
    route.set(to);
}

/// The current route signal.
pub fn use_route() -> RwSignal<Route> {
    CURRENT.with(|c| *c.get().expect("provide_route runs when the app starts"))
}

/// A link to another screen that navigates in place (and still works as a real link:
/// middle-click and copy-link behave as people expect).
#[component]
pub fn Link(to: Route, #[prop(optional, into)] class: String, #[prop(optional, into)] label: Option<String>, children: Children) -> impl IntoView {
    let href = to.path();
    let current = use_route();
    let target = to.clone();
    let is_current = move || current.with(|r| same_screen(r, &target));
    view! {
        <a
            href=href
            class=class
            aria-label=label
            aria-current=move || is_current().then_some("page")
            on:click=move |ev: leptos::ev::MouseEvent| {
                if ev.button() == 0 && !ev.ctrl_key() && !ev.meta_key() && !ev.shift_key() && !ev.alt_key() {
                    ev.prevent_default();
                    navigate(to.clone(), false);
                }
            }
        >
            {children()}
        </a>
    }
}

/// Whether two routes show the same section (an open idea is still the Ideas section).
fn same_screen(a: &Route, b: &Route) -> bool {
    match (a, b) {
        (Route::Ideas { ws: x, .. }, Route::Ideas { ws: y, .. }) => x == y,
        (Route::Page { ws: x, page: p, .. }, Route::Page { ws: y, page: q, .. }) => x == y && p == q,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;
    use super::*;

    #[wasm_bindgen_test]
    fn paths_round_trip() {
        let ws = Id::random().to_string();
        for r in [
            Route::Home,
            Route::Join,
            Route::Invitation,
            Route::Brief { ws: ws.clone() },
            Route::Ideas { ws: ws.clone(), open: Some(Id::random()) },
            Route::Page { ws: ws.clone(), page: Page::Stories, open: Some(Id::random()) },
            Route::Page { ws: ws.clone(), page: Page::Priorities, open: None },
            Route::Page { ws: ws.clone(), page: Page::of::<waymark_domain::competitor::Competitor>(), open: Some(Id::random()) },
            Route::Page { ws: ws.clone(), page: Page::of::<waymark_domain::trend::Trend>(), open: None },
        ] {
            assert_eq!(Route::parse(&r.path()), r);
        }
        assert_eq!(Route::parse("/w/<script>/brief"), Route::NotFound);
        assert_eq!(Route::parse(&format!("/w/{ws}")), Route::Page { ws: ws.clone(), page: Page::Overview, open: None }, "a workspace opens on its overview");
    }
}
