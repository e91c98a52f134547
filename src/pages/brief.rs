//! The brief: vision, strategy, north star, product summary and business case.

use leptos::prelude::*;
use waymark_domain::edit::Edit;
use waymark_domain::{BriefField, BriefNumber};

use crate::components::{use_read_only, LongTextField, NumberField};
use crate::session::use_session;
use waymark_domain::format::group_thousands;

#[component]
pub fn BriefPage() -> impl IntoView {
    let session = use_session();
    let brief = session.get().brief;
    let text = {
        move |field: BriefField, placeholder: &'static str, hint: &'static str| {
            view! {
                <LongTextField
                    label=field.label()
                    value=Signal::derive(move || brief.with(|b| b.text(field).to_owned()))
                    on_input=move |v: String| { let _ = session.get().apply(Edit::BriefText(field, v)); }
                    placeholder=placeholder
                    hint=hint
                />
            }
        }
    };
    let number = {
        move |field: BriefNumber, label: &'static str, hint: &'static str| {
            view! {
                <NumberField
                    label=label
                    value=Signal::derive(move || brief.with(|b| b.number(field)))
                    on_change=move |v| { let _ = session.get().apply(Edit::BriefNumber(field, v)); }
                    hint=hint
                />
            }
        }
    };
    let read_only = use_read_only();
    let roi = move || {
        let read_only = read_only.get();
        brief.with(|b| match (b.benefit_value, b.budget, b.roi()) {
            (Some(benefit), Some(budget), Some(roi)) => format!(
                "{:.0} % = ({} − {}) ÷ {}",
                roi * 100.0,
                group_thousands(benefit),
                group_thousands(budget),
                group_thousands(budget)
            ),
            (_, Some(budget), _) if budget <= 0.0 => "Needs a budget above zero".to_owned(),
            _ if read_only => "Not worked out: needs the expected benefit and the budget".to_owned(),
            _ => "Enter the expected benefit and the budget to see the ROI".to_owned(),
        })
    };
    view! {
        <main class="page brief">
            <h1 class="page-title">"Brief"</h1>
            <section class="panel" aria-labelledby="brief-direction">
                <h2 id="brief-direction">"Direction"</h2>
                {text(BriefField::Vision, "Where is this product going in 2–3 years?", "")}
                {text(BriefField::Strategy, "How will you get there: the bets and the trade-offs", "")}
                {text(BriefField::NorthStar, "e.g. Weekly active teams sending an invoice", "The one number that says the product is working")}
                <crate::pages::objectives::NorthStarMeasure/>
            </section>
            <section class="panel" aria-labelledby="brief-summary">
                <h2 id="brief-summary">"Product summary"</h2>
                {text(BriefField::What, "What are we building, for whom?", "")}
                {text(BriefField::Why, "What problem does it solve, and why now?", "")}
                {text(BriefField::Timeline, "Key dates and phases", "")}
            </section>
            <section class="panel" aria-labelledby="brief-case">
                <h2 id="brief-case">"Business case"</h2>
                {text(BriefField::Benefits, "Revenue, retention, cost savings…", "")}
                <div class="grid-2">
                    {number(BriefNumber::BenefitValue, "Expected benefit", "Money over the case's horizon")}
                    {number(BriefNumber::Budget, "Budget (costs)", "Money over the same horizon")}
                </div>
                {text(BriefField::Resources, "People, skills, tools", "")}
                <div class="roi" aria-live="polite">
                    <span class="field-label">"Expected ROI"</span>
                    <output class="roi-value">{roi}</output>
                    <span class="field-hint">"ROI = (benefits − costs) ÷ costs"</span>
                </div>
            </section>
        </main>
    }
}
