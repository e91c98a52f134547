//! At the top of an experiment's editor: the verdict of each variant against the
//! control (DOMAIN.md's two-proportion z-test, from [`waymark_domain::verdict`]) and the
//! planner (visitors needed per arm, and a warning when the verdict is read before they
//! are there).

use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::experiment::{Experiment, Plan, Verdicts, DECISION, STATUS};
use waymark_domain::kind::choice_label;
use waymark_domain::Kind;
use waymark_domain::ranking::number;
use waymark_domain::verdict::Comparison;
use waymark_domain::schema::{EXPERIMENTS, FEATURES, IDEAS};
use waymark_domain::{Id, Ref, Relation};

use crate::route::{Link, Page, Route};
use crate::session::use_session;

/// "8,158".
fn count(n: u64) -> String {
    waymark_domain::format::group_thousands(n as f64)
}

fn percent(rate: f64) -> String {
    format!("{:.2} %", rate * 100.0)
}

fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_owned()
    } else {
        format!("{p:.3}")
    }
}

fn signed_points(d: f64) -> String {
    format!("{}{:.2}", if d >= 0.0 { "+" } else { "−" }, (d * 100.0).abs())
}

/// "5 %", "2.5 %".
fn level(alpha: f64) -> String {
    format!("{} %", number(alpha * 100.0))
}

#[component]
pub fn VerdictPanel(id: Id) -> impl IntoView {
    let experiments = use_session().get().collection::<Experiment>();
    let me = StoredValue::new(id);
    let experiment = Memo::new(move |_| me.with_value(|id| experiments.get(id).map(|e| e.get())));
    let verdicts = Memo::new(move |_| experiment.with(|e| e.as_ref().and_then(Experiment::verdicts)));
    let plan = Memo::new(move |_| experiment.with(|e| e.as_ref().and_then(Experiment::plan)));
    view! {
        <section class="verdict stack" aria-label="Verdict">
            <h3 class="rows-title">"Verdict"</h3>
            {move || match verdicts.get() {
                None => view! { <p class="muted small">"Add a control and at least one variant with their visitors and conversions to read a verdict."</p> }.into_any(),
                Some(v) => verdict_table(v).into_any(),
            }}
            {move || planner(plan.get(), experiment.with(|e| e.as_ref().map(|e| (e.baseline, e.mde, e.power_level(), e.alpha()))))}
        </section>
    }
}

fn verdict_table(v: Verdicts) -> impl IntoView {
    let corrected = v.bonferroni();
    let alpha = corrected.map_or(v.alpha, |(_, a)| a);
    let control_rate = v.variants.iter().find_map(|(_, r)| r.as_ref().ok().map(|c| c.control_rate));
    let small = v.variants.iter().any(|(_, r)| r.as_ref().is_ok_and(|c| c.small_counts));
    let control = v.control.clone();
    let rows = v.variants.into_iter().map(move |(name, result)| match result {
        Ok(c) => comparison_row(name, &control, c, alpha).into_any(),
        Err(why) => view! { <li class="variant-verdict"><strong>{name}</strong><p class="muted small">{format!("No verdict: {why}.")}</p></li> }.into_any(),
    });
    view! {
        <p class="control-row small">{format!("{} (control) converts {}.", v.control, control_rate.map(percent).unwrap_or_else(|| "—".to_owned()))}</p>
        <ul class="variant-verdicts plain-list">{rows.collect_view()}</ul>
        {corrected.map(|(k, a)| view! {
            <p class="small">{format!("{k} comparisons were made against the control: each is judged at {} ÷ {k} = {} (Bonferroni), so that a chance win is not read as real.", level(v.alpha), level(a))}</p>
        })}
        {small.then(|| view! {
            <div class="banner warning" role="alert"><p>"An arm has fewer than 10 conversions or non-conversions: the test's normal approximation is unreliable. Wait for more data."</p></div>
        })}
    }
}

fn comparison_row(name: String, control: &str, c: Comparison, alpha: f64) -> impl IntoView {
    let significant = c.p < alpha;
    let said = match (significant, c.variant_rate >= c.control_rate) {
        (true, true) => format!("Better (significant at {})", level(alpha)),
        (true, false) => format!("Worse (significant at {})", level(alpha)),
        (false, _) => format!("No clear difference at {}", level(alpha)),
    };
    let lift = c.lift.map(|l| format!("{}{:.1} %", if l >= 0.0 { "+" } else { "−" }, (l * 100.0).abs())).unwrap_or_else(|| "—".to_owned());
    view! {
        <li class="variant-verdict" class:significant=significant>
            <div class="verdict-head"><strong>{format!("{name} vs {control}")}</strong><span class="verdict-said">{said}</span></div>
            <dl class="verdict-figures">
                <div><dt>"Conversion"</dt><dd>{format!("{} vs {}", percent(c.variant_rate), percent(c.control_rate))}</dd></div>
                <div><dt>"Lift"</dt><dd class="lift">{lift}</dd></div>
                <div><dt>"z"</dt><dd class="z">{format!("{:.2}", c.z)}</dd></div>
                <div><dt>"p (two-sided)"</dt><dd class="p">{p_value(c.p)}</dd></div>
                <div><dt>"95 % interval"</dt><dd>{format!("{} to {} points", signed_points(c.interval.0), signed_points(c.interval.1))}</dd></div>
            </dl>
        </li>
    }
}

fn planner(plan: Option<Plan>, inputs: Option<(Option<f64>, Option<f64>, f64, f64)>) -> impl IntoView {
    let Some((baseline, mde, power, alpha)) = inputs else { return ().into_any() };
    match (plan, baseline, mde) {
        (Some(plan), Some(b), Some(d)) => view! {
            <div class="planner stack">
                <p class="small" role="status">{format!(
                    "Each arm needs {} visitors to detect {} % → {} % at {} power and {} significance.",
                    count(plan.per_arm), number(b), number(b + d), level(power), level(alpha)
                )}{plan.per_arm_corrected.map(|n| format!(" With several variants, {} each at the corrected significance.", count(n)))}</p>
                {(!plan.short.is_empty()).then(|| view! {
                    <div class="banner warning" role="alert"><p>{format!(
                        "Read early: {}. A verdict now may not hold once the rest arrive.",
                        plan.short.iter().map(|(n, v)| format!("{n} has {} of {}", count(*v), count(plan.per_arm))).collect::<Vec<_>>().join("; ")
                    )}</p></div>
                })}
            </div>
        }
        .into_any(),
        (None, Some(_), Some(_)) => view! { <p class="muted small">"The baseline and the effect must give two different rates between 0 and 100 %."</p> }.into_any(),
        _ => view! { <p class="muted small">"Set the baseline conversion and the minimum detectable effect to see how many visitors each arm needs."</p> }.into_any(),
    }
}

/// Below an experiment's fields: the ideas and features it tests.
#[component]
pub fn TestsPanel(id: Id) -> impl IntoView {
    let experiments = use_session().get().collection::<Experiment>();
    let me = StoredValue::new(id);
    let tests = Memo::new(move |_| me.with_value(|id| experiments.get(id).map(|e| e.with(|e| e.tests.clone())).unwrap_or_default()));
    view! {
        <super::links_to::LinksTo from=Ref::new(EXPERIMENTS, me.get_value()) relation=Relation::Tests kinds=&[IDEAS, FEATURES]
            heading="Tests" search="Add an idea or feature it tests" placeholder="An idea or a feature…"
            list_label="Ideas and features" current=tests/>
    }
}

/// On a feature or an idea: the experiments that test it, with their status and decision.
#[component]
pub fn TestedBy(target: Ref) -> impl IntoView {
    let session = use_session();
    let experiments = session.get().collection::<Experiment>();
    let target = StoredValue::new(target);
    let list = Memo::new(move |_| {
        let mut found: Vec<(Option<Id>, String, Option<&'static str>, Option<&'static str>)> = experiments
            .live()
            .into_iter()
            .filter(|e| target.with_value(|t| e.tests.contains(t)))
            .map(|e| (e.id().cloned(), e.title(), e.status, e.decision))
            .collect();
        sort::sort_by(&mut found, |a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
        found
    });
    let ws = session.get().id.clone();
    move || {
        (!list.with(Vec::is_empty)).then(|| {
            let ws = ws.clone();
            view! {
                <section class="link-list" aria-label="Experiments">
                    <h3 class="rows-title">"Experiments"</h3>
                    <ul class="plain-list">
                        {list.get().into_iter().map(|(id, title, status, decision)| view! {
                            <li>
                                <Link to=Route::Page { ws: ws.clone(), page: Page::of::<Experiment>(), open: id }>{title}</Link>
                                {status.map(|s| view! { " " <span class="badge">{choice_label(STATUS, s)}</span> })}
                                {decision.map(|d| view! { " " <span class="badge">{format!("Decision: {}", choice_label(DECISION, d))}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
