//! Prioritize: the workspace's framework, the ranked table with every input editable in
//! place on the framework's own scale, the score worked out beside its inputs, Kano
//! survey answers, the MoSCoW effort warning, the value/effort matrix, and cutting
//! (park or reject with a reason) straight from the ranking. In a view-only workspace
//! the inputs read as text, nothing can be cut or dragged, and the framework chips
//! choose which ranking this reader sees without saving the choice.
//!
//! The table is windowed like the idea list: only the rows on screen exist, so a change
//! to one input re-scores and re-sorts thousands of ideas within a frame.

use std::collections::HashMap;

use leptos::prelude::*;
use waymark_domain::feedback::distinct_customers;
use waymark_domain::priorities::{kano_answers, kano_result, Framework, WeightedCriterion};
use waymark_domain::query::{RankOrder, StatusFilter};
use waymark_domain::ranking::{formula, moscow_label, number, rank, Ranked};
use waymark_domain::score_inputs::{explanation, input_specs, Entry, InputSpec};
use waymark_domain::scoring::{moscow_must_share, KanoAnswer, KanoCategory, Moscow, Score};
use waymark_domain::edit::Edit;
use waymark_domain::{Id, Idea, IdeaStatus, IdeaText};

use crate::components::{idea_tag_counts, use_read_only, Dialog, Editable, TagFilter, Toasts, Window};
use crate::pages::value_effort::ValueEffortMatrix;
use crate::route::{Link, Route};
use crate::session::{use_session, SessionCtx};

/// Height of one table row in CSS pixels (style/priorities.css agrees).
const ROW_HEIGHT: f64 = 60.0;

/// The idea being cut (parked or rejected) and the one whose Kano answers are open.
#[derive(Clone, Copy)]
struct Dialogs {
    cut: RwSignal<Option<(Id, IdeaStatus)>>,
    cut_open: RwSignal<bool>,
    kano: RwSignal<Option<Id>>,
    kano_open: RwSignal<bool>,
}

#[component]
pub fn PrioritiesPage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let ideas = session.get().ideas;
    let settings = session.get().settings;
    let feedback = session.get().feedback;
    let read_only = use_read_only();
    let saved_framework = Memo::new(move |_| settings.with(|s| s.framework));
    // A reader of a view-only workspace may look at another framework's ranking: their
    // own choice, kept here and never written to the workspace.
    let viewing = RwSignal::new(None::<Framework>);
    let framework = Memo::new(move |_| match viewing.get() {
        Some(f) if read_only.get() => f,
        _ => saved_framework.get(),
    });
    let criteria = Memo::new(move |_| settings.with(|s| s.criteria.clone()));
    let status = RwSignal::new(StatusFilter::Open);
    let tag = RwSignal::new(None::<String>);
    let order = RwSignal::new(RankOrder::Rank);
    let dialogs = Dialogs { cut: RwSignal::new(None), cut_open: RwSignal::new(false), kano: RwSignal::new(None), kano_open: RwSignal::new(false) };

    // Distinct customers in each idea's linked feedback: an input to scoring.
    let customers = Memo::new(move |_| {
        let all = feedback.live();
        let mut by_idea: HashMap<Id, Vec<&waymark_domain::feedback::Feedback>> = HashMap::new();
        for f in &all {
            for idea in &f.ideas {
                by_idea.entry(idea.clone()).or_default().push(f);
            }
        }
        by_idea.into_iter().map(|(id, list)| (id, distinct_customers(list))).collect::<HashMap<Id, usize>>()
    });

    // Every shown idea scored and ranked. It follows each idea's signal, so an input
    // change re-ranks at once (and a title typed elsewhere only re-sorts titles).
    let ranked = Memo::new(move |_| {
        let (fw, filter, tag) = (framework.get(), status.get(), tag.get());
        let crit = criteria.get();
        let order = order.get();
        let counts = if order == RankOrder::Customers { customers.get() } else { HashMap::new() };
        ideas.with(|map| {
            let guards: Vec<_> = map.values().map(|s| s.read()).collect();
            let shown = guards
                .iter()
                .map(|g| &**g)
                .filter(|i| !i.deleted && filter.matches(i.status) && tag.as_ref().is_none_or(|t| i.tags.contains(t)));
            let mut rows = rank(shown, fw, &crit);
            let title = |id: &Id| map.get(id).map(|s| s.with_untracked(|i| i.title.clone())).unwrap_or_default();
            order.apply(&mut rows, title, &counts);
            rows
        })
    });
    let positions = Memo::new(move |_| ranked.with(|rows| rows.iter().map(|r| (r.id.clone(), (r.rank, r.tied))).collect::<HashMap<_, _>>()));

    let all_tags = idea_tag_counts();

    let summary = move || {
        ranked.with(|rows| {
            let scored = rows.iter().filter(|r| r.rank.is_some()).count();
            let unscored = rows.len() - scored;
            let mut s = format!("{scored} ranked");
            if unscored > 0 {
                s.push_str(&format!(" · {unscored} not scored yet"));
            }
            s
        })
    };

    let set_framework = move |f: Framework| {
        if read_only.get_untracked() {
            return viewing.set((f != saved_framework.get_untracked()).then_some(f));
        }
        let s = session.get();
        if let Err(e) = s.apply(Edit::Framework(f)) {
            toasts.error(format!("The framework could not be changed: {e}"));
        }
    };

    for f in Framework::ALL {
        crate::components::palette::offer_action(format!("Rank by {}", f.label()), move || set_framework(f));
    }
    view! {
        <main class="page priorities">
            <div class="page-head">
                <h1 class="page-title">"Prioritize"</h1>
                <span class="muted" role="status">{summary}</span>
            </div>
            <div class="framework-bar" role="group" aria-label="Framework">
                {Framework::ALL.into_iter().map(|f| view! {
                    <button
                        class="chip"
                        data-framework=f.key()
                        data-view=move || read_only.get().then_some("")
                        aria-pressed=move || (framework.get() == f).to_string()
                        on:click=move |_| set_framework(f)
                    >{f.label()}</button>
                }).collect_view()}
            </div>
            {move || read_only.get().then(|| {
                let saved = saved_framework.get();
                match viewing.get().filter(|f| *f != saved) {
                    Some(f) => view! {
                        <p class="framework-note" role="status">
                            {format!("You are looking at the ideas ranked by {}, just for you; the workspace ranks them by {}. ", f.label(), saved.label())}
                            <button class="link-btn" data-view on:click=move |_| viewing.set(None)>{format!("Back to {}", saved.label())}</button>
                        </p>
                    }.into_any(),
                    None => view! {
                        <p class="framework-note muted">
                            {format!("The workspace ranks ideas by {}. Pick another framework to see its ranking; that choice is only yours and is not saved.", saved.label())}
                        </p>
                    }.into_any(),
                }
            })}
            <p class="formula-line">{move || explanation(framework.get(), read_only.get())}</p>
            {move || (framework.get() == Framework::Weighted).then(|| view! { <CriteriaEditor criteria=criteria/> })}
            {move || (framework.get() == Framework::Moscow).then(|| view! { <MoscowWarning ranked=ranked/> })}
            {move || (framework.get() == Framework::ValueEffort).then(|| view! { <ValueEffortMatrix ranked=ranked/> })}
            <div class="toolbar" role="search">
                <select class="field-input" aria-label="Filter by status" on:change:target=move |ev| status.set(StatusFilter::parse(&ev.target().value()))>
                    <option value="open" selected=move || status.get() == StatusFilter::Open>"Open ideas"</option>
                    <option value="all" selected=move || status.get() == StatusFilter::All>"All statuses"</option>
                    {IdeaStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.key() selected=move || status.get().key() == s.key()>{s.label()}</option>
                    }).collect_view()}
                </select>
                <TagFilter tags=all_tags tag=tag/>
                <select class="field-input" aria-label="Sort by" on:change:target=move |ev| {
                    let v = ev.target().value();
                    order.set(RankOrder::parse(&v));
                }>
                    {RankOrder::ALL.into_iter().map(|o| view! { <option value=o.key() selected=move || order.get() == o>{o.label()}</option> }).collect_view()}
                </select>
            </div>
            <RankTable ranked=ranked positions=positions framework=framework criteria=criteria customers=customers dialogs=dialogs/>
            <Editable><CutDialog dialogs=dialogs/></Editable>
            <KanoDialog dialogs=dialogs/>
        </main>
    }
}

/// The windowed ranked table.
#[component]
fn RankTable(
    ranked: Memo<Vec<Ranked>>,
    positions: Memo<HashMap<Id, (Option<usize>, bool)>>,
    framework: Memo<Framework>,
    criteria: Memo<Vec<WeightedCriterion>>,
    customers: Memo<HashMap<Id, usize>>,
    dialogs: Dialogs,
) -> impl IntoView {
    let ideas = use_session().get().ideas;
    let read_only = use_read_only();
    let columns = Memo::new(move |_| input_specs(framework.get(), &criteria.get()));
    // Flexible columns share the width; below their minimums the table scrolls sideways.
    let layout = Memo::new(move |_| {
        let (inputs, inputs_rem) = match framework.get() {
            Framework::Kano => ("minmax(7rem, 1fr) minmax(15rem, 2fr)".to_owned(), 22.0),
            _ => {
                let n = columns.with(Vec::len);
                (format!("repeat({n}, minmax(6.5rem, 1fr))"), 6.5 * n as f64)
            }
        };
        // The last column (park, reject) is not there for a reader who can't edit.
        let (cut, cut_rem) = if read_only.get() { ("", 0.0) } else { (" 8rem", 8.0) };
        let template = format!("2.5rem minmax(10rem, 2fr) {inputs} minmax(12rem, 2fr) 4.5rem{cut}");
        (template, format!("{}rem", 2.5 + 10.0 + inputs_rem + 12.0 + 4.5 + cut_rem + 8.0))
    });
    let scroller = NodeRef::<leptos::html::Div>::new();
    let window = Window::new(scroller, Signal::derive(move || ranked.with(Vec::len)), ROW_HEIGHT);
    let rows = Memo::new(move |_| {
        let (first, last) = window.range.get();
        ranked.with(|r| r[first..last].iter().map(|r| r.id.clone()).collect::<Vec<_>>())
    });
    // Marks the paint after each re-rank, for `cargo xtask bench`.
    Effect::new(move |_| {
        rows.track();
        request_animation_frame(|| {
            if let Some(perf) = leptos::prelude::window().performance() {
                let _ = perf.mark("waymark:ranking-rendered");
            }
        });
    });

    view! {
        <div class="rank-wrap">
            <div
                class="rank-table"
                role="table"
                aria-label="Ranked ideas"
                style:--rank-columns=move || layout.with(|l| l.0.clone())
                style:--rank-min-width=move || layout.with(|l| l.1.clone())
            >
                // One scroller for the head and the rows, both ways: the head stays on
                // top, and the rank and idea of every row stay pinned on the left.
                <div class="rank-scroller" node_ref=scroller on:scroll=move |_| window.measure()>
                <div class="rank-head" role="row">
                    <span role="columnheader">"#"</span>
                    <span role="columnheader">"Idea"</span>
                    {move || if framework.get() == Framework::Kano {
                        view! {
                            <span role="columnheader" title="Survey answers recorded">"Answers"</span>
                            <span role="columnheader" title="Attractive, performance (one-dimensional), must-be, indifferent, reverse, questionable">"A · O · M · I · R · Q"</span>
                        }.into_any()
                    } else {
                        columns.get().into_iter().map(|c| view! { <span role="columnheader" title=c.hint>{c.label}</span> }).collect_view().into_any()
                    }}
                    <span role="columnheader">"Score"</span>
                    <span role="columnheader" title="Distinct customers in the feedback linked to the idea">"Customers"</span>
                    <Editable><span role="columnheader"><span class="visually-hidden">"Cut"</span></span></Editable>
                </div>
                    <Show
                        when=move || !ranked.with(Vec::is_empty)
                        fallback=move || view! {
                            <div class="empty">
                                <h2>"Nothing to rank here"</h2>
                                <p>{if read_only.get() { "No idea matches the filters above." } else { "Capture ideas on the Ideas page, or change the filters above." }}</p>
                            </div>
                        }
                    >
                        <div
                            class="rank-body"
                            role="rowgroup"
                            style:height=move || window.height()
                            style:padding-top=move || window.offset()
                        >
                            <For each=move || rows.get() key=|id| id.clone() let:id>
                                {
                                    let sig = ideas.with_untracked(|m| m.get(&id).copied());
                                    sig.map(|idea| view! {
                                        <RankRow
                                            id=id.clone()
                                            idea=idea
                                            positions=positions
                                            framework=framework
                                            columns=columns
                                            criteria=criteria
                                            customers=customers
                                            dialogs=dialogs
                                        />
                                    })
                                }
                            </For>
                        </div>
                    </Show>
                </div>
            </div>
        </div>
    }
}

#[component]
fn RankRow(
    id: Id,
    idea: RwSignal<Idea>,
    positions: Memo<HashMap<Id, (Option<usize>, bool)>>,
    framework: Memo<Framework>,
    columns: Memo<Vec<InputSpec>>,
    criteria: Memo<Vec<WeightedCriterion>>,
    customers: Memo<HashMap<Id, usize>>,
    dialogs: Dialogs,
) -> impl IntoView {
    let session = use_session();
    let ws = session.get().id.clone();
    let id = StoredValue::new(id);
    let place = Memo::new(move |_| positions.with(|p| p.get(&id.get_value()).copied().unwrap_or((None, false))));
    let scored = Memo::new(move |_| idea.with(|i| (framework.get(), i.scores.clone())));
    let score = Memo::new(move |_| scored.with(|(fw, inputs)| waymark_domain::priorities::score(*fw, inputs, &criteria.get())));
    let worked = Memo::new(move |_| scored.with(|(fw, inputs)| formula(*fw, inputs, &criteria.get())));
    let count = Memo::new(move |_| customers.with(|c| c.get(&id.get_value()).copied().unwrap_or(0)));
    let title = Memo::new(move |_| idea.with(|i| if i.title.trim().is_empty() { "Untitled idea".to_owned() } else { i.title.clone() }));
    let open_idea = Route::Ideas { ws, open: Some(id.get_value()) };

    let score_text = move || match score.get() {
        Score::Value(v) => match framework.get() {
            Framework::Moscow => moscow_label(3.0 - v).to_owned(),
            Framework::Kano => idea.with(|i| {
                let k = kano_result(&i.scores);
                k.categories.iter().map(|c| c.label()).collect::<Vec<_>>().join(" / ")
            }),
            _ => number(v),
        },
        Score::Unscored { .. } => "Unscored".to_owned(),
        Score::Invalid(_) => "Can't score".to_owned(),
    };
    let inputs = move || {
        if framework.get() == Framework::Kano {
            let open = move |_| {
                dialogs.kano.set(Some(id.get_value()));
                dialogs.kano_open.set(true);
            };
            let counts = move || idea.with(|i| kano_result(&i.scores).counts);
            return view! {
                <span role="cell" class="kano-cell">
                    <span class="kano-n">{move || counts().iter().sum::<usize>()}</span>
                    <Editable fallback=move || view! {
                        <Show when=move || { counts().iter().sum::<usize>() > 0 }>
                            <button class="btn btn-small" data-view on:click=open aria-label=move || format!("Details: the Kano answers for {}", title.get())>"Details"</button>
                        </Show>
                    }>
                        <button class="btn btn-small" on:click=open aria-label=move || format!("Record Kano answers for {}", title.get())>"Record…"</button>
                    </Editable>
                </span>
                <span role="cell" class="kano-counts">
                    {move || {
                        let c = counts();
                        KanoCategory::ALL.into_iter().map(|cat| view! {
                            <span class="kano-count" title=cat.label()>{cat.letter()} " " {c[cat as usize]}</span>
                        }).collect_view()
                    }}
                </span>
            }
            .into_any();
        }
        columns
            .get()
            .into_iter()
            .map(|spec| view! { <span role="cell"><InputCell id=id idea=idea framework=framework.get_untracked() spec=spec customers=count/></span> })
            .collect_view()
            .into_any()
    };
    let cut = move |to: IdeaStatus| {
        dialogs.cut.set(Some((id.get_value(), to)));
        dialogs.cut_open.set(true);
    };

    view! {
        <div class="rank-row" role="row" class:unscored=move || score.with(|s| s.value().is_none())>
            <span role="cell" class="rank-n" title=move || if place.get().1 { "Tied with another idea" } else { "" }>
                {move || match place.get() {
                    (Some(n), true) => format!("={n}"),
                    (Some(n), false) => n.to_string(),
                    (None, _) => "–".to_owned(),
                }}
            </span>
            <span role="cell" class="rank-title">
                <Link to=open_idea class="rank-link">{move || title.get()}</Link>
                <span class=move || format!("badge status-{}", idea.with(|i| i.status.key()))>{move || idea.with(|i| i.status.label())}</span>
                <crate::components::PeersOn id=id.get_value()/>
            </span>
            {inputs}
            <span role="cell" class="rank-score" class:missing=move || score.with(|s| s.value().is_none())>
                <strong class="score-value">{score_text}</strong>
                <span class="score-formula" title=move || worked.get()>{move || worked.get()}</span>
            </span>
            <span role="cell" class="rank-customers" title="Distinct customers in linked feedback">{move || count.get()}</span>
            <Editable>
                <span role="cell" class="rank-actions">
                    <button class="btn btn-small" on:click=move |_| cut(IdeaStatus::Parked) aria-label=move || format!("Park {}", title.get())>"Park"</button>
                    <button class="btn btn-small btn-danger-ghost" on:click=move |_| cut(IdeaStatus::Rejected) aria-label=move || format!("Reject {}", title.get())>"Reject"</button>
                </span>
            </Editable>
        </div>
    }
}

/// One input of one idea, on the framework's scale.
#[component]
fn InputCell(id: StoredValue<Id>, idea: RwSignal<Idea>, framework: Framework, spec: InputSpec, customers: Memo<usize>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let key = StoredValue::new(spec.key.clone());
    let current = Memo::new(move |_| idea.with(|i| i.scores.get(framework.key()).and_then(|m| m.get(&key.get_value())).copied()));
    let set = move |value: Option<f64>| {
        let result = session.get().apply(Edit::ScoreInput { idea: id.get_value(), framework, input: key.get_value(), value });
        if let Err(e) = result {
            toasts.error(format!("That input could not be saved: {e}"));
        }
    };
    let label = format!("{} for {}", spec.label, idea.with_untracked(|i| i.title.clone()));
    // What a reader of a view-only workspace sees instead: the input as text.
    let shown = StoredValue::new(spec.clone());
    let read = move || current.get().map_or_else(|| "–".to_owned(), |v| shown.with_value(|s| s.show(v)));
    let (read_label, hint) = (label.clone(), spec.hint);
    view! {
        <Editable fallback=move || view! { <span class="cell-read" aria-label=read_label.clone() title=hint>{read}</span> }>
            {
                let spec = spec.clone();
                let label = label.clone();
                edit_cell(set, current, customers, framework, spec, label)
            }
        </Editable>
    }
}

/// The control for one input: a choice of the scale's points or a number (and, for
/// RICE reach, the customers from feedback in one click).
fn edit_cell(
    set: impl Fn(Option<f64>) + Copy + Send + Sync + 'static,
    current: Memo<Option<f64>>,
    customers: Memo<usize>,
    framework: Framework,
    spec: InputSpec,
    label: String,
) -> AnyView {
    match spec.entry {
        Entry::Choice(options) => view! {
            <select
                class="field-input cell-input"
                aria-label=label
                title=spec.hint
                on:change:target=move |ev| set(ev.target().value().parse::<f64>().ok())
            >
                <option value="" selected=move || current.get().is_none()>"–"</option>
                {options.into_iter().map(|(v, text)| view! {
                    <option value=v.to_string() selected=move || current.get().is_some_and(|c| (c - v).abs() < 1e-9)>{text}</option>
                }).collect_view()}
            </select>
        }
        .into_any(),
        Entry::Number { min, step } => {
            // Reach can come from the feedback: the distinct customers linked to the idea.
            let suggest = framework == Framework::Rice && spec.key == "reach";
            view! {
                <span class="cell-number">
                    <input
                        class="field-input cell-input"
                        type="number"
                        inputmode="decimal"
                        step=step.to_string()
                        min=min.is_finite().then(|| min.to_string())
                        aria-label=label
                        title=spec.hint
                        placeholder="–"
                        prop:value=move || current.get().map(|v| v.to_string()).unwrap_or_default()
                        on:change:target=move |ev| {
                            let raw = ev.target().value();
                            set(raw.trim().parse::<f64>().ok().filter(|v| v.is_finite()));
                        }
                    />
                    {suggest.then(|| view! {
                        <Show when=move || { let n = customers.get(); n > 0 && current.get() != Some(n as f64) }>
                            <button
                                class="link-btn small"
                                title="Use the distinct customers in this idea's linked feedback as its reach"
                                on:click=move |_| set(Some(customers.get_untracked() as f64))
                            >{move || format!("Use {} from feedback", customers.get())}</button>
                        </Show>
                    })}
                </span>
            }
            .into_any()
        }
    }
}

/// Weighted scoring's criteria: name, weight (negative for costs), add and remove.
#[component]
fn CriteriaEditor(criteria: Memo<Vec<WeightedCriterion>>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    toasts.resolve_on_cleanup("new criterion");
    toasts.resolve_on_cleanup("weight");
    let new_name = RwSignal::new(String::new());
    let new_weight = RwSignal::new("1".to_owned());
    let put = move |id: Option<Id>, name: String, weight: f64| {
        if let Err(e) = session.get().apply(Edit::PutWeightedCriterion { id, name, weight }) {
            toasts.error(format!("The criterion could not be saved: {e}"));
        }
    };
    let add = move || {
        let name = new_name.get_untracked();
        if name.trim().is_empty() {
            return toasts.problem("new criterion", "Give the criterion a name, e.g. “Customer value” or “Effort”.");
        }
        match new_weight.get_untracked().trim().replace('−', "-").parse::<f64>() {
            Ok(w) if w.is_finite() => {
                toasts.resolved("new criterion");
                put(None, name, w);
                new_name.set(String::new());
                new_weight.set("1".into());
            }
            _ => toasts.problem("new criterion", "A weight is a number; use a negative one for costs such as effort."),
        }
    };
    let read = move || view! {
        <section class="criteria" aria-label="Weighted criteria">
            <h2 class="section-title">"Criteria"</h2>
            {move || criteria.with(Vec::is_empty).then(|| view! { <p class="muted small">"No criteria set yet."</p> })}
            <ul class="criteria-list">
                {move || criteria.get().into_iter().map(|c| view! {
                    <li class="criterion criterion-read">
                        <span>{if c.name.is_empty() { "Unnamed".to_owned() } else { c.name.clone() }}</span>
                        <span class="muted">{format!("×{}", number(c.weight))}</span>
                        {(c.weight < 0.0).then(|| view! { <span class="badge">"cost"</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    };
    view! {
        <Editable fallback=read>
        <section class="criteria" aria-label="Weighted criteria">
            <h2 class="section-title">"Criteria"</h2>
            <ul class="criteria-list">
                {move || criteria.get().into_iter().map(|c| {
                    let id = StoredValue::new(c.id.clone());
                    let name = c.name.clone();
                    let weight = c.weight;
                    let kept_name = c.name.clone();
                    let set_weight = move |raw: String| match raw.trim().replace('−', "-").parse::<f64>() {
                        Ok(w) if w.is_finite() => {
                            toasts.resolved("weight");
                            put(Some(id.get_value()), kept_name.clone(), w)
                        }
                        _ => toasts.problem("weight", "A weight is a number."),
                    };
                    view! {
                        <li class="criterion">
                            <input
                                class="field-input"
                                type="text"
                                aria-label="Criterion name"
                                prop:value=name.clone()
                                on:change:target=move |ev| put(Some(id.get_value()), ev.target().value(), weight)
                            />
                            <label class="weight">
                                "×"
                                <input
                                    class="field-input"
                                    type="number"
                                    step="any"
                                    aria-label=format!("Weight of {name}")
                                    prop:value=weight.to_string()
                                    on:change:target=move |ev| set_weight(ev.target().value())
                                />
                            </label>
                            {(weight < 0.0).then(|| view! { <span class="badge">"cost"</span> })}
                            <button
                                class="icon-btn"
                                aria-label=format!("Remove criterion {}", c.name)
                                on:click=move |_| {
                                    if let Err(e) = session.get().apply(Edit::RemoveWeightedCriterion(id.get_value())) {
                                        toasts.error(format!("The criterion could not be removed: {e}"));
                                    }
                                }
                            >"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="row wrap" on:submit=move |ev| { ev.prevent_default(); add(); }>
                <input class="field-input" type="text" aria-label="New criterion name" placeholder="New criterion, e.g. Strategic fit" maxlength="80"
                    prop:value=move || new_name.get() on:input:target=move |ev| new_name.set(ev.target().value()) />
                <label class="weight">"×"
                    <input class="field-input" type="number" step="any" aria-label="New criterion weight"
                        prop:value=move || new_weight.get() on:input:target=move |ev| new_weight.set(ev.target().value()) />
                </label>
                <button type="submit" class="btn">"Add criterion"</button>
            </form>
            {move || criteria.with(Vec::is_empty).then(|| view! {
                <p class="muted small">"Add the criteria your team weighs, e.g. Customer value ×3, Strategic fit ×2, Effort ×−1."</p>
            })}
        </section>
        </Editable>
    }
}

/// MoSCoW's warning: must-haves above 60 % of the estimated effort of what is shown.
#[component]
fn MoscowWarning(ranked: Memo<Vec<Ranked>>) -> impl IntoView {
    let ideas = use_session().get().ideas;
    let read_only = use_read_only();
    let status = Memo::new(move |_| {
        ranked.with(|rows| {
            let mut items = Vec::new();
            let mut without_effort = 0;
            for r in rows {
                let Some(sig) = ideas.with_untracked(|m| m.get(&r.id).copied()) else { continue };
                let (p, e) = sig.with(|i| {
                    let m = i.scores.get(Framework::Moscow.key());
                    (m.and_then(|m| m.get("priority")).copied(), m.and_then(|m| m.get("effort")).copied())
                });
                let Some(p) = p else { continue };
                let class = match p as i64 {
                    0 => Moscow::Must,
                    1 => Moscow::Should,
                    2 => Moscow::Could,
                    _ => Moscow::WontThisTime,
                };
                match e {
                    Some(e) => items.push((class, e)),
                    None => without_effort += 1,
                }
            }
            let must: f64 = items.iter().filter(|(m, _)| *m == Moscow::Must).map(|(_, e)| e.max(0.0)).sum::<f64>() + 0.0;
            let total: f64 = items.iter().map(|(_, e)| e.max(0.0)).sum();
            (moscow_must_share(&items), must, total, without_effort)
        })
    });
    move || {
        let (share, must, total, missing) = status.get();
        let note = (missing > 0).then(|| format!(" {missing} prioritised idea{} no effort estimate yet.", if missing == 1 { " has" } else { "s have" }));
        match share {
            Some((s, true)) => view! {
                <div class="banner warning moscow-warning" role="alert">
                    <p>
                        <strong>{format!("Must-haves are {:.0} % of the estimated effort", s * 100.0)}</strong>
                        {format!(" ({} of {}), above the 60 % MoSCoW guideline: little room is left if something slips. Move some to should or could.", number(must), number(total))}
                        {note}
                    </p>
                </div>
            }
            .into_any(),
            Some((s, false)) => view! {
                <p class="moscow-ok muted">{format!("Must-haves are {:.0} % of the estimated effort ({} of {}), within the 60 % guideline.", s * 100.0, number(must), number(total))}{note}</p>
            }
            .into_any(),
            None if read_only.get() => view! { <p class="muted">"No idea has both a priority and an effort estimate yet."</p> }.into_any(),
            None => view! { <p class="muted">"Set a priority and an effort estimate on ideas to see how much of the effort is must-have."</p> }.into_any(),
        }
    }
}

/// Park or reject an idea from the ranking, with the reason recorded on the idea.
#[component]
fn CutDialog(dialogs: Dialogs) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    // Cancelled or closed, its problem about the missing reason goes with it.
    Effect::new(move |_| {
        if !dialogs.cut_open.get() {
            toasts.resolved("reason");
        }
    });
    toasts.resolve_on_cleanup("reason");
    let reason = RwSignal::new(String::new());
    let title = move || {
        dialogs.cut.get().and_then(|(id, _)| session.get().ideas.with_untracked(|m| m.get(&id).map(|s| s.with(|i| i.title.clone())))).unwrap_or_default()
    };
    let verb = move || match dialogs.cut.get() {
        Some((_, IdeaStatus::Rejected)) => "Reject",
        _ => "Park",
    };
    let confirm = move || {
        let Some((id, to)) = dialogs.cut.get_untracked() else { return };
        let why = reason.get_untracked();
        if why.trim().is_empty() {
            return toasts.problem("reason", "Say why, in a few words: it is recorded on the idea for whoever asks later.");
        }
        toasts.resolved("reason");
        let s = session.get();
        let before = s.ideas.with_untracked(|m| m.get(&id).map(|sig| sig.with_untracked(|i| (i.status, i.status_reason.clone(), i.title.clone()))));
        let Some((old_status, old_reason, name)) = before else { return };
        let result = s.apply(Edit::IdeaStatus(id.clone(), to)).and_then(|_| s.apply(Edit::IdeaText(id.clone(), IdeaText::StatusReason, why.trim().to_owned())));
        match result {
            Ok(_) => {
                dialogs.cut_open.set(false);
                reason.set(String::new());
                let ctx: SessionCtx = session;
                toasts.with_action(format!("{} “{name}”", if to == IdeaStatus::Rejected { "Rejected" } else { "Parked" }), "Undo", move || {
                    let s = ctx.get();
                    let _ = s.apply(Edit::IdeaStatus(id.clone(), old_status)).and_then(|_| s.apply(Edit::IdeaText(id.clone(), IdeaText::StatusReason, old_reason.clone())));
                });
            }
            Err(e) => toasts.error(format!("The idea could not be changed: {e}")),
        }
    };
    view! {
        <Dialog open=dialogs.cut_open title="Cut from the ranking">
            <form class="stack" on:submit=move |ev| { ev.prevent_default(); confirm(); }>
                <p>{move || format!("{} “{}”. It leaves the open ranking and keeps its inputs.", verb(), title())}</p>
                <label class="field">
                    <span class="field-label">"Reason"</span>
                    <textarea
                        class="field-input field-textarea"
                        aria-label="Reason"
                        placeholder="e.g. Few customers asked; revisit after the billing revamp"
                        prop:value=move || reason.get()
                        on:input:target=move |ev| reason.set(ev.target().value())
                    ></textarea>
                </label>
                <div class="row end">
                    <button type="button" class="btn" on:click=move |_| dialogs.cut_open.set(false)>"Cancel"</button>
                    <button type="submit" class="btn btn-primary">{verb}</button>
                </div>
            </form>
        </Dialog>
    }
}

/// Kano survey answers for one idea: record pairs, see counts, category, coefficients.
#[component]
fn KanoDialog(dialogs: Dialogs) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let functional = RwSignal::new(KanoAnswer::Like);
    let dysfunctional = RwSignal::new(KanoAnswer::Dislike);
    let idea = Memo::new(move |_| dialogs.kano.get().and_then(|id| session.get().ideas.with(|m| m.get(&id).copied())));
    let edit = move |add: bool, f: KanoAnswer, d: KanoAnswer| {
        let Some(id) = dialogs.kano.get_untracked() else { return };
        let result = session.get().apply(Edit::KanoAnswer { idea: id, functional: f, dysfunctional: d, add });
        if let Err(e) = result {
            toasts.error(format!("The answer could not be saved: {e}"));
        }
    };
    let answer_select = move |label: &'static str, sig: RwSignal<KanoAnswer>| {
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <select class="field-input" aria-label=label on:change:target=move |ev| {
                    if let Some(a) = KanoAnswer::parse(&ev.target().value()) { sig.set(a) }
                }>
                    {KanoAnswer::ALL.into_iter().map(|a| view! { <option value=a.key() selected=move || sig.get() == a>{a.label()}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <Dialog open=dialogs.kano_open title="Kano survey answers">
            {move || idea.get().map(|sig| {
                let scores = Memo::new(move |_| sig.with(|i| i.scores.clone()));
                view! {
                    <div class="stack kano">
                        <p><strong>{move || sig.with(|i| i.title.clone())}</strong></p>
                        <Editable>
                            <form class="grid-2" on:submit=move |ev| { ev.prevent_default(); edit(true, functional.get_untracked(), dysfunctional.get_untracked()); }>
                                {answer_select("If it were there", functional)}
                                {answer_select("If it were not there", dysfunctional)}
                                <button type="submit" class="btn btn-primary">"Record answer"</button>
                            </form>
                        </Editable>
                        <div class="kano-result" role="status">
                            {move || {
                                let k = scores.with(kano_result);
                                let answers: usize = k.counts.iter().sum();
                                if answers == 0 {
                                    return view! { <p class="muted">"No answers yet."</p> }.into_any();
                                }
                                view! {
                                    <p class="kano-category">
                                        {k.categories.iter().map(|c| c.label()).collect::<Vec<_>>().join(" / ")}
                                        <span class="muted">{format!(" · {answers} answer{}", if answers == 1 { "" } else { "s" })}</span>
                                    </p>
                                    <p class="kano-counts">
                                        {KanoCategory::ALL.into_iter().map(|c| view! {
                                            <span class="kano-count" title=c.label()>{format!("{} {}", c.letter(), k.counts[c as usize])}</span>
                                        }).collect_view()}
                                    </p>
                                    <p class="kano-coefficients">
                                        {format!(
                                            "Satisfaction (A+O)/(A+O+M+I) = {} · Dissatisfaction −(O+M)/(A+O+M+I) = {}",
                                            k.satisfaction.map(|s| format!("{s:.2}")).unwrap_or_else(|| "–".into()),
                                            k.dissatisfaction.map(|s| format!("{s:.2}").replace('-', "−")).unwrap_or_else(|| "–".into()),
                                        )}
                                    </p>
                                }.into_any()
                            }}
                        </div>
                        <ul class="kano-answers">
                            {move || scores.with(kano_answers).into_iter().map(|((f, d), ids)| view! {
                                <li>
                                    <span>{format!("{} / {}", f.label(), d.label())}</span>
                                    <span class="muted">{format!("× {}", ids.len())}</span>
                                    <Editable><button class="btn btn-small" on:click=move |_| edit(false, f, d)>"Remove one"</button></Editable>
                                </li>
                            }).collect_view()}
                        </ul>
                        <div class="row end">
                            <button class="btn" data-view on:click=move |_| dialogs.kano_open.set(false)>"Done"</button>
                        </div>
                    </div>
                }
            })}
        </Dialog>
    }
}
