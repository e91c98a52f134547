//! The roadmap's screens: the now / next / later board, and the panels the feature and
//! release editors add to their fields (links, progress, go / no-go). Every figure is
//! derived in the domain ([`waymark_domain::roadmap`]) from the artifacts' signals.

mod beta_panel;
mod board;
mod feature_panel;
mod publish;
mod release_panel;
mod timeline;

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use waymark_domain::feature::Feature;
use waymark_domain::release::Release;
use waymark_domain::risk::{Risk, Zone};
use waymark_domain::roadmap::{self, Progress, Violation};
use waymark_domain::schema::{BETAS, FEATURES, RELEASES, STAGES};
use waymark_domain::{Id, Kind, LinkIndex};

use crate::session::SessionCtx;

pub use board::BoardPage;
pub use timeline::TimelinePage;

/// What the roadmap derives from the live features and stories.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Derived {
    pub links: LinkIndex,
    /// Features with a blocker that is not done.
    pub blocked: BTreeSet<Id>,
    pub progress: BTreeMap<Id, Progress>,
    pub violations: Vec<Violation>,
    /// The highest-scoring open risk threatening each threatened feature: its title,
    /// score and zone (unscored risks count as 0).
    pub risks: BTreeMap<Id, (String, u8, Zone)>,
}

impl Derived {
    /// Whether feature `id` starts before one of its blockers ends.
    pub fn clashes(&self, id: &Id) -> bool {
        self.violations.iter().any(|v| &v.feature == id)
    }
}

/// The roadmap's derived figures from the live features a page already follows (one
/// copy per change, shared), re-derived once per change to features or stories.
pub fn derived_with(session: SessionCtx, features: Memo<Vec<Feature>>) -> Memo<Derived> {
    let stories = session.get().stories;
    let risks = session.get().collection::<Risk>();
    Memo::new(move |_| {
        let story_list = stories.live();
        let risk_list = risks.live();
        features.with(|all| derive(all, &story_list, &risk_list))
    })
}

fn derive(all: &[Feature], story_list: &[waymark_domain::story::Story], risk_list: &[Risk]) -> Derived {
    let links = roadmap::links_of(all, story_list);
    let live = roadmap::live_features(all);
    let by_id: BTreeMap<Id, _> = story_list.iter().filter_map(|s| Some((s.id.clone()?, s))).collect();
    let blocked = live.keys().filter(|id| roadmap::is_blocked(id, &links, &live)).cloned().collect();
    let progress = live.keys().map(|id| (id.clone(), roadmap::progress(id, &links, &by_id))).collect();
    let violations = roadmap::violations(&links, &live);
    let mut risks = BTreeMap::new();
    for r in risk_list.iter().filter(|r| !r.is_deleted() && r.is_open()) {
        let score = r.score().unwrap_or(0);
        for t in r.threatens.iter().filter(|t| t.collection == FEATURES && live.contains_key(&t.id)) {
            let worse = risks.get(&t.id).is_none_or(|(_, s, _): &(String, u8, Zone)| score > *s);
            if worse {
                risks.insert(t.id.clone(), (r.title(), score, Zone::of(score)));
            }
        }
    }
    Derived { links, blocked, progress, violations, risks }
}

/// Each live release's name, by id.
pub fn release_names(session: SessionCtx) -> Memo<BTreeMap<Id, String>> {
    let releases = session.get().collection::<Release>();
    Memo::new(move |_| releases.live().iter().filter_map(|r| Some((r.id()?.clone(), r.title()))).collect())
}

/// The panels a kind's editor shows above and below its fields, if the kind has any:
/// a release's go / no-go comes first, a feature's links after its fields.
pub fn extras(collection: &str, id: Id) -> (Option<AnyView>, Option<AnyView>) {
    match collection {
        FEATURES => (None, Some(view! { <feature_panel::FeaturePanel id=id/> }.into_any())),
        RELEASES => (Some(view! { <release_panel::ReleasePanel id=id/> }.into_any()), None),
        BETAS => (None, Some(view! { <beta_panel::BetaPanel id=id/> }.into_any())),
        STAGES => (None, Some(view! { <ReleaseSelect from=waymark_domain::Ref::new(STAGES, id.clone()) relation=waymark_domain::Relation::PeriodOf current=stage_release(id)/> }.into_any())),
        _ => (None, None),
    }
}

/// On an idea: the feature that delivers it, or "Promote to roadmap" once accepted.
#[component]
pub fn OnRoadmap(idea: Id, #[prop(into)] accepted: Signal<bool>) -> impl IntoView {
    let session = crate::session::use_session();
    let toasts = crate::components::Toasts::get();
    let features = session.get().collection::<Feature>();
    let idea = StoredValue::new(idea);
    let delivered_by = Memo::new(move |_| idea.with_value(|i| features.live().into_iter().find(|f| f.ideas.contains(i))));
    let promote = move |_| match session.get().apply(waymark_domain::edit::Edit::PromoteIdea(idea.get_value())) {
        Ok(_) => toasts.info("Added to the roadmap, in Next".to_owned()),
        Err(e) => toasts.error(format!("The idea could not be promoted: {e}")),
    };
    move || match delivered_by.get() {
        Some(f) => {
            let to = crate::route::Route::Page { ws: session.get().id.clone(), page: crate::route::Page::of::<Feature>(), open: f.id().cloned() };
            let title = f.title();
            let column = f.horizon.map(|h| format!(" ({})", waymark_domain::kind::choice_label(waymark_domain::feature::HORIZON, h)));
            view! {
                <p class="on-roadmap">"On the roadmap as "<crate::route::Link to=to>{title}</crate::route::Link>{column}</p>
            }
            .into_any()
        }
        None if accepted.get() => view! {
            <crate::components::Editable>
                <div class="row"><button class="btn btn-primary" on:click=promote>"Promote to roadmap"</button></div>
            </crate::components::Editable>
        }
        .into_any(),
        None => ().into_any(),
    }
}

/// The release of iteration or phase `id`, following its signal.
fn stage_release(id: Id) -> Signal<Option<Id>> {
    let stages = crate::session::use_session().get().collection::<waymark_domain::stage::Stage>();
    Signal::derive(move || stages.get(&id).and_then(|s| s.with(|s| s.release.clone())))
}

/// The "Release" field of a feature, a beta or a stage: a one-target link from `from`
/// under `relation` to a release, chosen among the live releases by name.
#[component]
pub fn ReleaseSelect(from: waymark_domain::Ref, relation: waymark_domain::Relation, #[prop(into)] current: Signal<Option<Id>>) -> impl IntoView {
    let releases = crate::session::use_session().get().collection::<Release>();
    let options = Memo::new(move |_| crate::pages::links_to::by_title(releases.live()));
    view! { <crate::pages::links_to::LinkSelect from=from relation=relation to=RELEASES label="Release" none="No release" options=options current=current/> }
}
