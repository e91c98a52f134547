//! What the generic kind page ([`super::kind_page`]) adds for some kinds: panels above
//! and below an artifact's fields (a release's go / no-go, a feature's links, a risk's
//! score, an experiment's verdict, a KPI's standing and chart) and a panel above the
//! list (the risks' heat map, spend against budget).
//! A kind without any needs nothing here.

use leptos::prelude::*;
use waymark_domain::schema::{COSTS, EXPERIMENTS, OBJECTIVES, RISKS};
use waymark_domain::Id;

/// A narrowing of a kind's list: what it is called and the ids it keeps.
pub type Only = Option<(String, Vec<Id>)>;

/// The panels shown above and below the fields of artifact `id` of `collection`.
pub fn editor_extras(collection: &str, id: Id) -> (Option<AnyView>, Option<AnyView>) {
    match collection {
        OBJECTIVES => (Some(view! { <super::objectives::StandingPanel id=id.clone()/> }.into_any()), Some(view! { <super::objectives::LinksPanel id=id/> }.into_any())),
        COSTS => (None, Some(view! { <super::costs::SpentOnPanel id=id/> }.into_any())),
        RISKS => (None, Some(view! { <super::risks::RiskPanel id=id/> }.into_any())),
        EXPERIMENTS => (Some(view! { <super::experiments::VerdictPanel id=id.clone()/> }.into_any()), Some(view! { <super::experiments::TestsPanel id=id/> }.into_any())),
        _ => super::roadmap::extras(collection, id),
    }
}

/// The panel a kind's list page shows above its list, if it has one; it may narrow
/// the list through `only`.
pub fn list_panel(collection: &str, only: RwSignal<Only>) -> Option<AnyView> {
    match collection {
        RISKS => Some(view! { <super::risks::HeatMapPanel only=only/> }.into_any()),
        COSTS => Some(view! { <super::costs::BudgetPanel/> }.into_any()),
        _ => None,
    }
}
