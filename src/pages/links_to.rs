//! A section of an editor listing what an artifact links to under one relation (what a
//! risk threatens, what an experiment tests), each removable, with a search that offers
//! the artifacts of the kinds the relation allows. The links themselves are the
//! domain's ([`waymark_domain::link`]).

use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::edit::Edit;
use waymark_domain::feature::Feature;
use waymark_domain::objective::Objective;
use waymark_domain::release::Release;
use waymark_domain::schema::{FEATURES, IDEAS, OBJECTIVES, RELEASES, STORIES};
use waymark_domain::{Id, Kind, Ref, Relation};

use crate::components::{Editable, LinkPicker, Suggestion, Toasts};
use crate::route::{Link, Page, Route};
use crate::session::use_session;

/// The kinds a link may point to here, and what each is called on a badge.
const TARGETS: [(&str, &str); 5] = [(FEATURES, "Feature"), (RELEASES, "Release"), (IDEAS, "Idea"), (OBJECTIVES, "Objective or KPI"), (STORIES, "Story")];

/// `heading` ("Threatens"): the targets `current` of the links from `from` under
/// `relation`, among the kinds in `kinds` (a subset of features, releases and ideas).
#[component]
pub fn LinksTo(
    from: Ref,
    relation: Relation,
    kinds: &'static [&'static str],
    heading: &'static str,
    /// The search's accessible name ("Add a feature or release it threatens") and what
    /// it says it looks for ("A feature or a release…").
    search: &'static str,
    placeholder: &'static str,
    /// The suggestions' accessible name ("Features and releases").
    list_label: &'static str,
    #[prop(into)] current: Signal<Vec<Ref>>,
) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let features = session.get().collection::<Feature>();
    let releases = session.get().collection::<Release>();
    let objectives = session.get().collection::<Objective>();
    let ideas = session.get().ideas;
    let stories = session.get().stories;
    let from = StoredValue::new(from);
    let name_of = move |to: &Ref| match to.collection {
        FEATURES => features.get(&to.id).map(|f| f.with(Kind::title)),
        RELEASES => releases.get(&to.id).map(|r| r.with(|r| format!("Release {}", r.title()))),
        IDEAS => ideas.with(|m| m.get(&to.id).map(|i| i.with(|i| i.title.clone()))),
        OBJECTIVES => objectives.get(&to.id).map(|o| o.with(Kind::title)),
        STORIES => stories.get(&to.id).map(|s| s.with(|s| s.goal.clone())),
        _ => None,
    };
    let link = move |to: Ref, on: bool| {
        if let Err(e) = session.get().apply(Edit::Link { from: from.get_value(), relation, to, on }) {
            toasts.error(format!("The link could not be changed: {e}"));
        }
    };
    let query = RwSignal::new(String::new());
    let suggestions = Signal::derive(move || {
        let q = query.get().trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let taken = current.get();
        let mut found: Vec<(&'static str, Id, String)> = Vec::new();
        for kind in kinds {
            match *kind {
                FEATURES => found.extend(features.live().into_iter().filter_map(|f| Some((FEATURES, f.id()?.clone(), f.title())))),
                RELEASES => found.extend(releases.live().into_iter().filter_map(|r| Some((RELEASES, r.id()?.clone(), r.title())))),
                IDEAS => ideas.with(|m| found.extend(m.iter().filter_map(|(id, i)| i.with(|i| (!i.deleted).then(|| (IDEAS, id.clone(), i.title.clone())))))),
                OBJECTIVES => found.extend(objectives.live().into_iter().filter_map(|o| Some((OBJECTIVES, o.id()?.clone(), o.title())))),
                STORIES => found.extend(stories.live().into_iter().filter(|s| s.id.as_ref() != Some(&from.get_value().id)).filter_map(|s| Some((STORIES, s.id?.clone(), s.goal)))),
                _ => {}
            }
        }
        found
            .into_iter()
            .filter(|(c, id, title)| title.to_lowercase().contains(&q) && !taken.iter().any(|t| t.collection == *c && t.id == *id))
            .take(8)
            .map(|(c, id, title)| Suggestion { id, title, badge: TARGETS.iter().find(|(k, _)| *k == c).map(|(_, l)| (*l, "badge".to_owned())) })
            .collect()
    });
    let pick = move |id: Id| {
        let kind = if features.get(&id).is_some() {
            FEATURES
        } else if releases.get(&id).is_some() {
            RELEASES
        } else if objectives.get(&id).is_some() {
            OBJECTIVES
        } else if stories.get(&id).is_some() {
            STORIES
        } else {
            IDEAS
        };
        link(Ref::new(kind, id), true);
    };
    let ws = session.get().id.clone();
    let wanted = kinds.iter().filter_map(|k| TARGETS.iter().find(|(c, _)| c == k).map(|(_, l)| l.to_lowercase())).collect::<Vec<_>>().join(" or ");
    view! {
        <section class="link-list" aria-label=heading>
            <h3 class="rows-title">{heading}</h3>
            {move || current.with(Vec::is_empty).then(|| view! { <p class="muted small">{format!("No {wanted} yet.")}</p> })}
            <ul class="plain-list">
                {move || current.get().into_iter().map(|to| {
                    let name = name_of(&to).unwrap_or_else(|| "A deleted artifact".to_owned());
                    let open = match to.collection {
                        IDEAS => Route::Ideas { ws: ws.clone(), open: Some(to.id.clone()) },
                        RELEASES => Route::Page { ws: ws.clone(), page: Page::of::<Release>(), open: Some(to.id.clone()) },
                        OBJECTIVES => Route::Page { ws: ws.clone(), page: Page::of::<Objective>(), open: Some(to.id.clone()) },
                        STORIES => Route::Page { ws: ws.clone(), page: Page::Stories, open: Some(to.id.clone()) },
                        _ => Route::Page { ws: ws.clone(), page: Page::of::<Feature>(), open: Some(to.id.clone()) },
                    };
                    let target = StoredValue::new(to);
                    let remove = format!("Remove {name}");
                    view! {
                        <li><Link to=open>{name}</Link>
                            <Editable><button class="icon-btn" aria-label=remove.clone() on:click=move |_| link(target.get_value(), false)>"×"</button></Editable>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <LinkPicker label=search placeholder=placeholder list_label=list_label
                none="Nothing matches." query=query suggestions=suggestions on_link=pick/>
        </section>
    }
}

/// A one-target link as a field: `label` ("Release", "Part of") is a choice among
/// `options` (id and name, in the order shown) of collection `to`, or `none` ("No
/// release"); choosing sets the link from `from` under `relation`.
#[component]
pub fn LinkSelect(
    from: Ref,
    relation: Relation,
    to: &'static str,
    label: &'static str,
    none: &'static str,
    #[prop(into)] options: Signal<Vec<(Id, String)>>,
    #[prop(into)] current: Signal<Option<Id>>,
) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let from = StoredValue::new(from);
    let read = Signal::derive(move || current.get().and_then(|c| options.with(|l| l.iter().find(|(id, _)| *id == c).map(|(_, n)| n.clone()))).unwrap_or_default());
    view! {
        <crate::components::Field label=label read=read>
            <select class="field-input" aria-label=label on:change:target=move |ev| {
                let target = Id::parse(&ev.target().value()).map(|id| Ref::new(to, id));
                if let Err(e) = session.get().apply(Edit::SetLink { from: from.get_value(), relation, to: target }) {
                    toasts.error(format!("{label} could not be changed: {e}"));
                }
            }>
                <option value="" selected=move || current.get().is_none()>{none}</option>
                {move || options.get().into_iter().map(|(id, name)| {
                    let value = id.to_string();
                    view! { <option value=value selected=move || current.get().as_ref() == Some(&id)>{name}</option> }
                }).collect_view()}
            </select>
        </crate::components::Field>
    }
}

/// The live artifacts of `items` as (id, title), by title: a [`LinkSelect`]'s options.
pub fn by_title<K: Kind>(items: impl IntoIterator<Item = K>) -> Vec<(Id, String)> {
    let mut list: Vec<(Id, String)> = items.into_iter().filter_map(|k| Some((k.id()?.clone(), k.title()))).collect();
    sort::sort_by(&mut list, |a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
    list
}
