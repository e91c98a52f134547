//! What the costs page adds to the kind's generic page: above the list, spend against
//! the business case's budget (a chart of the running total with the budget line, and
//! the figures a finance partner asks for, each with its inputs); in a cost's editor,
//! the feature or release it was spent on. The figures are the domain's
//! ([`waymark_domain::cost::Spend`]).

use leptos::prelude::*;
use waymark_domain::chart::{Guide, LineChart};
use waymark_domain::cost::{Cost, Spend, CATEGORY};
use waymark_domain::feature::Feature;
use waymark_domain::format::group_thousands;
use waymark_domain::kind::choice_label;
use waymark_domain::schema::{COSTS, FEATURES, RELEASES};
use waymark_domain::timeline::short_day;
use waymark_domain::{Id, Ref, Relation};

use crate::route::{Link, Route};
use crate::session::use_session;
use crate::util::today;

fn money(n: f64) -> String {
    group_thousands(n)
}

fn ratio(n: f64) -> String {
    format!("{n:.2}")
}

fn percent(n: f64) -> String {
    format!("{:.0} %", n * 100.0)
}

/// One figure: its name, value and where it comes from.
fn figure(name: &'static str, value: String, inputs: String) -> AnyView {
    view! {
        <div class="figure">
            <dt>{name}</dt>
            <dd>{value}</dd>
            <dd class="muted small">{inputs}</dd>
        </div>
    }
    .into_any()
}

#[component]
pub fn BudgetPanel() -> impl IntoView {
    let session = use_session();
    let costs = session.get().collection::<Cost>();
    let features = session.get().collection::<Feature>();
    let brief = session.get().brief;
    let day = today();
    let spend = Memo::new(move |_| Spend::on(&costs.live(), &features.live(), brief.with(|b| b.budget), day));
    let chart = Memo::new(move |_| {
        spend.with(|s| LineChart {
            guides: s.budget.map(|b| vec![Guide { label: "Budget", value: b, strong: true }]).unwrap_or_default(),
            noun: ("day with costs", "days with costs"),
            zero: true,
            steps: true,
            ..LineChart::new("Spend to date", "", s.cumulative.clone())
        })
    });
    let ws = session.get().id.clone();
    view! {
        <section class="budget stack" aria-label="Spend against budget">
            <h2 class="rows-title">"Spend against budget"</h2>
            {move || spend.with(|s| s.budget.is_none()).then(|| view! {
                <p class="muted small">"Set the budget in the brief's business case to see what remains and the forecast. "
                    <Link to=Route::Brief { ws: ws.clone() }>"Open the brief"</Link></p>
            })}
            <crate::components::ChartFigure chart=chart/>
            {move || spend.with(|s| figures(s, brief.with(|b| b.benefit_value), day))}
        </section>
    }
}

fn figures(s: &Spend, benefit: Option<f64>, day: waymark_domain::Date) -> impl IntoView {
    let mut shown = Vec::new();
    if let Some(b) = s.budget {
        shown.push(figure("Budget", money(b), "the business case's budget".to_owned()));
    }
    shown.push(figure("Planned", money(s.planned), format!("cost estimates of {} feature{}", s.estimated_features, if s.estimated_features == 1 { "" } else { "s" })));
    let later = if s.left_out > 0 { format!("; {} left out (later, or no date or amount)", s.left_out) } else { String::new() };
    shown.push(figure("Actual to date", money(s.actual), format!("entries up to {}{later}", short_day(day))));
    if let Some(r) = s.remaining() {
        shown.push(figure("Remaining", money(r), format!("budget − actual = {} − {}", money(s.budget.unwrap_or(0.0)), money(s.actual))));
    }
    match s.earned_value() {
        Some(ev) => {
            let cpi = ev.cpi();
            shown.push(match (ev.eac(), cpi) {
                (Some(eac), Some(cpi)) => figure("Forecast at completion", money(eac), format!("EAC = BAC ÷ CPI = {} ÷ {}", money(ev.bac), ratio(cpi))),
                _ => figure("Forecast at completion", "—".to_owned(), "needs spend on finished work (CPI)".to_owned()),
            });
            if let Some(etc) = ev.etc() {
                shown.push(figure("To complete", money(etc), format!("ETC = EAC − AC = {} − {}", money(ev.eac().unwrap_or(0.0)), money(ev.ac))));
            }
            if let Some(vac) = ev.vac() {
                shown.push(figure("Variance at completion", money(vac), format!("VAC = BAC − EAC = {} − {}", money(ev.bac), money(ev.eac().unwrap_or(0.0)))));
            }
            let undated = match s.undated {
                0 => String::new(),
                1 => " (1 feature without start and target dates counts as not due)".to_owned(),
                n => format!(" ({n} features without start and target dates count as not due)"),
            };
            shown.push(figure("Planned value", money(ev.pv), format!("PV = BAC × {} planned done by today{undated}", percent(s.planned_done))));
            shown.push(figure("Earned value", money(ev.ev), format!("EV = BAC × {} done (finished features' estimates)", percent(s.actually_done))));
            shown.push(figure("Cost variance", money(ev.cv()), format!("CV = EV − AC = {} − {}", money(ev.ev), money(ev.ac))));
            shown.push(figure("Schedule variance", money(ev.sv()), format!("SV = EV − PV = {} − {}", money(ev.ev), money(ev.pv))));
            if let Some(cpi) = cpi {
                shown.push(figure("CPI", ratio(cpi), format!("EV ÷ AC = {} ÷ {}", money(ev.ev), money(ev.ac))));
            }
            if let Some(spi) = ev.spi() {
                shown.push(figure("SPI", ratio(spi), format!("EV ÷ PV = {} ÷ {}", money(ev.ev), money(ev.pv))));
            }
        }
        None if s.budget.is_some() => {
            shown.push(figure("Forecast at completion", "—".to_owned(), "give features a cost estimate to forecast".to_owned()));
        }
        None => {}
    }
    if let (Some(planned), Some(b), Some(budget)) = (s.roi_planned(benefit), benefit, s.budget) {
        shown.push(figure("ROI as planned", percent(planned), format!("(benefit − budget) ÷ budget = ({} − {}) ÷ {}", money(b), money(budget), money(budget))));
    }
    if let (Some(forecast), Some(b), Some(eac)) = (s.roi_forecast(benefit), benefit, s.earned_value().and_then(|e| e.eac())) {
        shown.push(figure("ROI at forecast cost", percent(forecast), format!("(benefit − EAC) ÷ EAC = ({} − {}) ÷ {}", money(b), money(eac), money(eac))));
    }
    let categories = (!s.by_category.is_empty()).then(|| {
        let parts: Vec<String> = s.by_category.iter().map(|(k, v)| format!("{} {}", choice_label(CATEGORY, k), money(*v))).collect();
        view! { <p class="muted small">{format!("By category: {}.", parts.join(" · "))}</p> }
    });
    view! {
        <dl class="figures">{shown}</dl>
        {categories}
    }
}

/// In a cost's editor: the feature or release it was spent on.
#[component]
pub fn SpentOnPanel(id: Id) -> impl IntoView {
    let costs = use_session().get().collection::<Cost>();
    let me = StoredValue::new(id);
    let current = Memo::new(move |_| me.with_value(|id| costs.get(id).and_then(|c| c.with(|c| c.spent_on.clone())).into_iter().collect::<Vec<Ref>>()));
    view! {
        <super::links_to::LinksTo from=Ref::new(COSTS, me.get_value()) relation=Relation::SpentOn kinds=&[FEATURES, RELEASES]
            heading="Spent on" search="Choose the feature or release it was spent on" placeholder="A feature or a release…"
            list_label="Features and releases" current=current/>
    }
}
