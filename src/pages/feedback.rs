//! Feedback: an inbox with quick capture, filters and search, NPS and CSAT worked out
//! from the ratings (overall, per segment, per month, with respondent counts), churn
//! feedback on its own, an editor, and links to the ideas the feedback supports. Also
//! `IdeaFeedback`, the idea editor's view of an idea's feedback.

use waymark_domain::sort;
use leptos::prelude::*;
use waymark_domain::schema::FEEDBACK;
use waymark_domain::feedback::{distinct_customers, feedback_for_idea, satisfaction, satisfaction_by, Channel, Feedback, FeedbackLabel, RatingScale, Satisfaction, Sentiment};
use waymark_domain::ranking::number;
use waymark_domain::edit::Edit;
use waymark_domain::schema::{IDEAS, PERSONAS};
use waymark_domain::{Id, Ref, Relation};

use crate::components::{follow_text, use_read_only, Capture, Editable, Field, LinkPicker, LongTextField, SideEditor, Suggestion, Toasts};
use crate::route::{navigate, use_route, Link, Page, Route};
use crate::session::{use_session, Collection};
use crate::util::relative_time;

/// Builds an edit of one piece of feedback, given its id.
type FeedbackEdit = Box<dyn FnOnce(Id) -> Edit>;

/// The first line of a text, cut to `n` characters.
fn excerpt(text: &str, n: usize) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if line.chars().count() > n {
        format!("{}…", line.chars().take(n - 1).collect::<String>())
    } else {
        line.to_owned()
    }
}

#[component]
pub fn FeedbackPage() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let route = use_route();
    let collection = session.get().feedback;
    let ws = session.get().id.clone();
    let open = Memo::new(move |_| route.with(|r| match r {
        Route::Page { page: Page::Feedback, open, .. } => open.clone(),
        _ => None,
    }));
    let query = RwSignal::new(String::new());
    let channel = RwSignal::new(None::<Channel>);
    let segment = RwSignal::new(None::<String>);
    let sentiment = RwSignal::new(None::<Sentiment>);
    let tag = RwSignal::new(None::<String>);
    // What shows (and the figures over it) follows membership and settled edits; each
    // row follows its own feedback.
    let all = Memo::new(move |_| collection.settled_live());
    let filter = Memo::new(move |_| waymark_domain::FeedbackFilter {
        text: query.get(),
        channel: channel.get(),
        segment: segment.get(),
        sentiment: sentiment.get(),
        tag: tag.get(),
    });
    let shown = Memo::new(move |_| filter.with(|f| all.with(|l| f.apply(l))));
    let facets = Memo::new(move |_| all.with(|l| waymark_domain::query::feedback_facets(l)));
    let segments = Memo::new(move |_| facets.with(|f| f.0.clone()));
    let tags = Memo::new(move |_| facets.with(|f| f.1.clone()));
    let filtered = move || filter.with(waymark_domain::FeedbackFilter::is_active);

    let read_only = use_read_only();
    let text = RwSignal::new(String::new());
    let new_channel = RwSignal::new(Channel::Interview);
    let capture = move || {
        let t = text.get_untracked();
        if t.trim().is_empty() {
            return;
        }
        let ch = new_channel.get_untracked();
        let today = js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default().chars().take(10).collect::<String>();
        let s = session.get();
        let made = s.create(Edit::CreateFeedback { text: t, channel: ch }).and_then(|id| {
            s.apply(Edit::FeedbackLabel(id.clone(), FeedbackLabel::Date, today))?;
            Ok(id)
        });
        match made {
            Ok(id) => {
                text.set(String::new());
                navigate(Route::Page { ws: s.id.clone(), page: Page::Feedback, open: Some(id) }, false);
            }
            Err(e) => toasts.error(format!("The feedback could not be added: {e}")),
        }
    };
    let summary = move || {
        let (n, total) = (shown.with(Vec::len), all.with(Vec::len));
        if filtered() { format!("{n} of {total}") } else { format!("{total} piece{} of feedback", if total == 1 { "" } else { "s" }) }
    };

    view! {
        <main class="page split" class:editor-open=move || open.with(Option::is_some)>
            <div class="list-pane">
                <div class="page-head">
                    <h1 class="page-title">"Feedback"</h1>
                    <span class="muted" role="status">{summary}</span>
                </div>
                <Capture label="New feedback" placeholder="What did the customer say? Press Enter to log it" maxlength=2000
                    button="Log" value=text on_submit=capture>
                    <select class="field-input" aria-label="Channel of new feedback" on:change:target=move |ev| {
                        if let Some(c) = Channel::parse(&ev.target().value()) { new_channel.set(c) }
                    }>
                        {Channel::ALL.into_iter().map(|c| view! { <option value=c.key() selected=move || new_channel.get() == c>{c.label()}</option> }).collect_view()}
                    </select>
                </Capture>
                <div class="toolbar" role="search">
                    <input class="field-input search" type="search" aria-label="Search feedback" placeholder="Search text, customer, segment"
                        prop:value=move || query.get() on:input:target=move |ev| query.set(ev.target().value()) />
                    <select class="field-input" aria-label="Filter by channel" on:change:target=move |ev| channel.set(Channel::parse(&ev.target().value()))>
                        <option value="" selected=move || channel.get().is_none()>"All channels"</option>
                        {Channel::ALL.into_iter().map(|c| view! { <option value=c.key() selected=move || channel.get() == Some(c)>{c.label()}</option> }).collect_view()}
                    </select>
                    <select class="field-input" aria-label="Filter by segment" on:change:target=move |ev| {
                        let v = ev.target().value();
                        segment.set((!v.is_empty()).then_some(v));
                    }>
                        <option value="" selected=move || segment.with(Option::is_none)>"All segments"</option>
                        {move || segments.get().into_iter().map(|s| {
                            let v = s.clone();
                            view! { <option value=v selected=move || segment.with(|x| x.as_deref() == Some(s.as_str()))>{s.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <select class="field-input" aria-label="Filter by sentiment" on:change:target=move |ev| sentiment.set(Sentiment::parse(&ev.target().value()))>
                        <option value="" selected=move || sentiment.get().is_none()>"Any sentiment"</option>
                        {Sentiment::ALL.into_iter().map(|s| view! { <option value=s.key() selected=move || sentiment.get() == Some(s)>{s.label()}</option> }).collect_view()}
                    </select>
                    <Show when=move || !tags.with(Vec::is_empty)>
                        <select class="field-input" aria-label="Filter by tag" on:change:target=move |ev| {
                            let v = ev.target().value();
                            tag.set((!v.is_empty()).then_some(v));
                        }>
                            <option value="" selected=move || tag.with(Option::is_none)>"All tags"</option>
                            {move || tags.get().into_iter().map(|t| {
                                let v = t.clone();
                                view! { <option value=v selected=move || tag.with(|x| x.as_deref() == Some(t.as_str()))>{t.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </Show>
                    <button
                        class="chip"
                        data-view
                        aria-pressed=move || (channel.get() == Some(Channel::Churn)).to_string()
                        on:click=move |_| channel.update(|c| *c = if *c == Some(Channel::Churn) { None } else { Some(Channel::Churn) })
                    >"Churn / exit only"</button>
                    <Show when=filtered>
                        <button class="btn btn-small" data-view on:click=move |_| {
                            query.set(String::new());
                            channel.set(None);
                            segment.set(None);
                            sentiment.set(None);
                            tag.set(None);
                        }>"Clear filters"</button>
                    </Show>
                </div>
                <Numbers shown=shown/>
                <ul class="item-list" aria-label="Feedback">
                    <Show when=move || shown.with(Vec::is_empty)>
                        <li class="empty">
                            {move || if filtered() {
                                "No feedback matches. Try other words or clear the filters."
                            } else if read_only.get() {
                                "No feedback here."
                            } else {
                                "No feedback yet. Log what a customer said above: an interview note, a survey answer, a support ticket."
                            }}
                        </li>
                    </Show>
                    <For each=move || shown.with(|l| l.iter().filter_map(|f| f.id.clone()).collect::<Vec<Id>>()) key=|id: &Id| id.clone()
                        children={move |id: Id| row(collection, id, ws.clone(), open)}/>
                </ul>
            </div>
            {move || open.get().map(|id| view! { <FeedbackEditor id=id/> })}
        </main>
    }
}

/// A piece of feedback's row in the inbox; it follows only its own feedback.
fn row(collection: Collection<Feedback>, id: Id, ws: String, open: Memo<Option<Id>>) -> impl IntoView {
    let Some((fb, active)) = crate::components::row_state(collection, &id, open) else { return ().into_any() };
    view! {
        <li class="item-row feedback-row" class:active=move || active.get()>
            <Link to=Route::Page { ws, page: Page::Feedback, open: Some(id.clone()) } class="item-link">
                <span class="item-title">{move || fb.with(|f| if f.text.trim().is_empty() { "(no text)".to_owned() } else { excerpt(&f.text, 140) })}</span>
                <span class="item-meta">
                    <crate::components::PeersOn id=id/>
                    {move || fb.with(|f| {
                        let rating = match (f.rating, f.scale) {
                            (Some(r), Some(s)) => Some(format!("{} {r}", s.label())),
                            _ => None,
                        };
                        view! {
                            <span class=format!("badge channel-{}", f.channel.key())>{f.channel.label()}</span>
                            {rating.map(|r| view! { <span class="badge rating">{r}</span> })}
                            {f.sentiment.map(|s| view! { <span class=format!("badge sentiment-{}", s.key())>{s.label()}</span> })}
                            {f.tags.iter().take(3).map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}
                            <span class="muted small">
                                {[f.customer.clone(), f.segment.clone(), f.date.map(|d| d.to_string()).unwrap_or_default()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}
                            </span>
                            {(!f.ideas.is_empty()).then(|| view! {
                                <span class="muted small">{format!("→ {} idea{}", f.ideas.len(), if f.ideas.len() == 1 { "" } else { "s" })}</span>
                            })}
                        }
                    })}
                </span>
            </Link>
        </li>
    }
    .into_any()
}

/// NPS and CSAT of the feedback shown: overall, per segment, per month.
#[component]
fn Numbers(shown: Memo<Vec<Feedback>>) -> impl IntoView {
    let overall = Memo::new(move |_| shown.with(|l| satisfaction(l.iter())));
    let by_segment = Memo::new(move |_| shown.with(|l| satisfaction_by(l, |f| Some(f.segment.as_str()))));
    let by_month = Memo::new(move |_| shown.with(|l| satisfaction_by(l, |f| f.period())));
    let cells = |s: &Satisfaction| {
        let nps = match &s.nps {
            Some(n) => format!(
                "NPS {} ({} respondent{}: {} promoters, {} passives, {} detractors)",
                number(n.score),
                n.respondents,
                if n.respondents == 1 { "" } else { "s" },
                n.promoters,
                n.passives,
                n.detractors
            ),
            None => "NPS: no 0–10 ratings yet".to_owned(),
        };
        let csat = match &s.csat {
            Some(c) => format!("CSAT {} % satisfied ({} of {} respondent{})", number(c.percent), c.satisfied, c.respondents, if c.respondents == 1 { "" } else { "s" }),
            None => "CSAT: no 1–5 ratings yet".to_owned(),
        };
        (nps, csat)
    };
    let table = move |title: &'static str, groups: BTreeMapView| {
        (!groups.is_empty()).then(|| view! {
            <details class="numbers-group">
                <summary>{title}</summary>
                <table class="numbers-table">
                    <thead><tr><th>""</th><th>"NPS"</th><th>"CSAT"</th></tr></thead>
                    <tbody>
                        {groups.into_iter().map(|(g, s)| {
                            let (nps, csat) = cells(&s);
                            view! { <tr><th scope="row">{g}</th><td>{nps}</td><td>{csat}</td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        })
    };
    view! {
        <section class="numbers" aria-label="Satisfaction">
            {move || {
                let (nps, csat) = cells(&overall.get());
                view! {
                    <p class="number nps-overall">{nps}</p>
                    <p class="number csat-overall">{csat}</p>
                }
            }}
            {move || table("By segment", by_segment.get().into_iter().collect())}
            {move || table("By month", by_month.get().into_iter().collect())}
        </section>
    }
}

type BTreeMapView = Vec<(String, Satisfaction)>;

#[component]
fn FeedbackEditor(id: Id) -> impl IntoView {
    let id = StoredValue::new(id);
    view! {
        <SideEditor collection=use_session().get().feedback id=id close_to=Route::Page { ws: use_session().get().id.clone(), page: Page::Feedback, open: None } kind="Feedback"
            missing="This feedback doesn't exist here (it may have been deleted)."
            body=move |f| view! { <FeedbackBody id=id fb=f/> }/>
    }
}

#[component]
fn FeedbackBody(id: StoredValue<Id>, fb: RwSignal<Feedback>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    toasts.resolve_on_cleanup("rating");
    let edit = move |make: FeedbackEdit| {
        if let Err(e) = session.get().apply(make(id.get_value())) {
            toasts.error(format!("That change could not be made: {e}"));
        }
    };
    let label = move |field: FeedbackLabel, title: &'static str, placeholder: &'static str| {
        let value = Memo::new(move |_| fb.with(|f| match field {
            FeedbackLabel::Customer => f.customer.clone(),
            FeedbackLabel::Segment => f.segment.clone(),
            FeedbackLabel::Date => f.date.map(|d| d.to_string()).unwrap_or_default(),
        }));
        let kind = if field == FeedbackLabel::Date { "date" } else { "text" };
        view! {
            <Field label=title read=value>
                <input class="field-input" type=kind aria-label=title placeholder=placeholder
                    use:follow_text=Signal::derive(move || value.get())
                    on:change:target=move |ev| {
                        let v = ev.target().value();
                        edit(Box::new(move |id| Edit::FeedbackLabel(id, field, v)));
                    } />
            </Field>
        }
    };
    let channel = Memo::new(move |_| fb.with(|f| f.channel));
    let scale = Memo::new(move |_| fb.with(|f| f.scale.or(f.channel.default_scale())));
    let rating = Memo::new(move |_| fb.with(|f| f.rating));
    let personas = session.get().personas;
    let persona_list = Memo::new(move |_| {
        let mut l: Vec<(Id, String)> = personas.live().into_iter().filter_map(|p| Some((p.id?, p.name))).collect();
        sort::sort_by(&mut l, |a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
        l
    });
    let channel_read = Signal::derive(move || channel.get().label().to_owned());
    let rating_read = Signal::derive(move || match (rating.get(), scale.get()) {
        (Some(r), Some(s)) => format!("{} {r}", s.label()),
        (Some(r), None) => r.to_string(),
        _ => String::new(),
    });
    let sentiment_read = Signal::derive(move || fb.with(|f| f.sentiment.map(Sentiment::label).unwrap_or_default().to_owned()));
    let persona_read = Signal::derive(move || {
        let key = fb.with(|f| f.persona.clone());
        persona_list.with(|l| l.iter().find(|(pid, _)| Some(pid) == key.as_ref()).map(|(_, n)| n.clone())).unwrap_or_default()
    });
    let delete = move || {
        edit(Box::new(|id| Edit::Delete(Ref::new(FEEDBACK, id))));
        let ctx = session;
        let fid = id.get_value();
        navigate(Route::Page { ws: session.get().id.clone(), page: Page::Feedback, open: None }, false);
        toasts.with_action("Feedback deleted", "Undo", move || {
            let _ = ctx.get().apply(Edit::Restore(Ref::new(FEEDBACK, fid.clone())));
        });
    };
    view! {
        <div class="editor-body stack">
            <LongTextField
                label="What they said"
                value=Signal::derive(move || fb.with(|f| f.text.clone()))
                on_input=move |v: String| edit(Box::new(move |id| Edit::FeedbackText(id, v)))
                placeholder="Their words, as close as you can"
            />
            <div class="grid-2">
                <Field label="Channel" read=channel_read>
                    <select class="field-input" aria-label="Channel" on:change:target=move |ev| {
                        if let Some(c) = Channel::parse(&ev.target().value()) {
                            edit(Box::new(move |id| Edit::FeedbackChannel(id, c)));
                        }
                    }>
                        {Channel::ALL.into_iter().map(|c| view! { <option value=c.key() selected=move || channel.get() == c>{c.label()}</option> }).collect_view()}
                    </select>
                </Field>
                {label(FeedbackLabel::Date, "Date", "")}
                {label(FeedbackLabel::Customer, "Customer", "Person or company")}
                {label(FeedbackLabel::Segment, "Segment", "e.g. SMB, Enterprise")}
            </div>
            <div class="grid-2">
                <Field label="Rating" read=rating_read>
                    <span class="row rating-row">
                        <select class="field-input" aria-label="Rating scale" on:change:target=move |ev| {
                            let s = RatingScale::parse(&ev.target().value());
                            let r = rating.get_untracked();
                            // A rating outside the new scale is cleared rather than kept wrong.
                            let kept = match (r, s) { (Some(r), Some(s)) if s.range().contains(&r) => Some((r, s)), _ => None };
                            edit(Box::new(move |id| Edit::FeedbackRating(id, kept)));
                        }>
                            <option value="nps" selected=move || scale.get() == Some(RatingScale::Nps)>"NPS 0–10"</option>
                            <option value="csat" selected=move || scale.get() == Some(RatingScale::Csat)>"CSAT 1–5"</option>
                        </select>
                        <input class="field-input rating-input" type="number" inputmode="numeric" aria-label="Rating"
                            min=move || scale.get().map(|s| s.range().start().to_string())
                            max=move || scale.get().map(|s| s.range().end().to_string())
                            placeholder="–"
                            prop:value=move || rating.get().map(|r| r.to_string()).unwrap_or_default()
                            on:change:target=move |ev| {
                                let raw = ev.target().value();
                                let s = scale.get_untracked().unwrap_or(RatingScale::Nps);
                                let value = if raw.trim().is_empty() { None } else {
                                    match raw.trim().parse::<i64>() {
                                        Ok(r) => Some((r, s)),
                                        Err(_) => return toasts.problem("rating", format!("A {} rating is a whole number from {} to {}.", s.label(), s.range().start(), s.range().end())),
                                    }
                                };
                                toasts.resolved("rating");
                                edit(Box::new(move |id| Edit::FeedbackRating(id, value)));
                            } />
                    </span>
                </Field>
                <Field label="Sentiment" read=sentiment_read>
                    <select class="field-input" aria-label="Sentiment" on:change:target=move |ev| {
                        let s = Sentiment::parse(&ev.target().value());
                        edit(Box::new(move |id| Edit::FeedbackSentiment(id, s)));
                    }>
                        <option value="" selected=move || fb.with(|f| f.sentiment.is_none())>"Not set"</option>
                        {Sentiment::ALL.into_iter().map(|s| view! { <option value=s.key() selected=move || fb.with(|f| f.sentiment == Some(s))>{s.label()}</option> }).collect_view()}
                    </select>
                </Field>
            </div>
            <crate::components::TagEditor tags=Signal::derive(move || fb.with(|f| f.tags.clone()))
                on_add=move |tag: String| edit(Box::new(move |feedback| Edit::FeedbackTag { feedback, tag, on: true }))
                on_remove=move |tag: String| edit(Box::new(move |feedback| Edit::FeedbackTag { feedback, tag, on: false }))/>
            <Field label="Persona" read=persona_read>
                <select class="field-input" aria-label="Persona" on:change:target=move |ev| {
                    let v = ev.target().value();
                    edit(Box::new(move |id| Edit::SetLink { from: Ref::new(FEEDBACK, id), relation: Relation::SpeaksFor, to: Id::parse(&v).map(|p| Ref::new(PERSONAS, p)) }));
                }>
                    <option value="" selected=move || fb.with(|f| f.persona.is_none())>"None"</option>
                    {move || persona_list.get().into_iter().map(|(pid, name)| {
                        let key = pid.to_string();
                        let k2 = key.clone();
                        view! { <option value=key selected=move || fb.with(|f| f.persona.as_ref().is_some_and(|p| p.as_str() == k2))>{name}</option> }
                    }).collect_view()}
                </select>
            </Field>
            <LinkedIdeas fb=fb edit_link=move |idea: Id, on: bool| edit(Box::new(move |id| Edit::Link { from: Ref::new(FEEDBACK, id), relation: Relation::Supports, to: Ref::new(IDEAS, idea), on }))/>
            <p class="muted small">{move || fb.with(|f| format!("Logged by {} · {}", if f.created_by.is_empty() { "someone" } else { &f.created_by }, relative_time(f.created_at as f64)))}</p>
            <Editable>
                <div class="row end">
                    <button class="btn btn-danger-ghost" on:click=move |_| delete()>"Delete feedback"</button>
                </div>
            </Editable>
        </div>
    }
}

/// The ideas a piece of feedback supports: linked ones (open, unlink) and a search to link more.
#[component]
fn LinkedIdeas(fb: RwSignal<Feedback>, edit_link: impl Fn(Id, bool) + Copy + Send + Sync + 'static) -> impl IntoView {
    let session = use_session();
    let ideas = session.get().ideas;
    let ws = session.get().id.clone();
    let read_only = use_read_only();
    let search = RwSignal::new(String::new());
    let linked = Memo::new(move |_| {
        fb.with(|f| f.ideas.clone())
            .into_iter()
            .filter_map(|id| {
                let sig = ideas.with(|m| m.get(&id).copied())?;
                sig.with(|i| (!i.deleted).then(|| (id.clone(), i.title.clone())))
            })
            .collect::<Vec<_>>()
    });
    let matches = Memo::new(move |_| {
        let q = search.get().trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let already = fb.with(|f| f.ideas.clone());
        ideas.with(|m| {
            let mut out: Vec<(Id, String)> = m
                .iter()
                .filter(|(id, _)| !already.contains(id))
                .filter_map(|(id, s)| s.with(|i| (!i.deleted && i.title.to_lowercase().contains(&q)).then(|| (id.clone(), i.title.clone()))))
                .collect();
            sort::sort_by(&mut out, |a, b| a.1.cmp(&b.1));
            out.truncate(8);
            out
        })
    });
    view! {
        <div class="field">
            <span class="field-label">"Supports these ideas"</span>
            <ul class="link-list">
                {move || {
                    let ws = ws.clone();
                    linked.get().into_iter().map(|(iid, title)| {
                        let label = format!("Unlink {title}");
                        let to = Route::Ideas { ws: ws.clone(), open: Some(iid.clone()) };
                        view! {
                            <li class="linked">
                                <Link to=to>{title}</Link>
                                <Editable>
                                    <button class="icon-btn small" aria-label=label.clone() on:click={
                                        let iid = iid.clone();
                                        move |_| edit_link(iid.clone(), false)
                                    }>"×"</button>
                                </Editable>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
            {move || (read_only.get() && linked.with(Vec::is_empty)).then(|| view! { <p class="field-value field-empty">"None"</p> })}
            <LinkPicker label="Link to an idea" placeholder="Link to an idea: type part of its title" list_label="Ideas to link"
                none="No other idea matches." query=search
                suggestions=Signal::derive(move || matches.with(|m| m.iter().map(|(iid, title)| Suggestion { id: iid.clone(), title: title.clone(), badge: None }).collect::<Vec<_>>()))
                on_link=move |iid| edit_link(iid, true)/>
        </div>
    }
}

/// The idea editor's section: the feedback linked to an idea and its distinct customers.
#[component]
pub fn IdeaFeedback(idea: Id) -> impl IntoView {
    let session = use_session();
    let collection = session.get().feedback;
    let ws = session.get().id.clone();
    let idea = StoredValue::new(idea);
    let all = Memo::new(move |_| collection.live());
    let mine = Memo::new(move |_| all.with(|l| feedback_for_idea(l, &idea.get_value()).into_iter().cloned().collect::<Vec<_>>()));
    let read_only = use_read_only();
    view! {
        <div class="field idea-feedback">
            <span class="field-label">"Feedback"</span>
            {move || {
                let list = mine.get();
                if list.is_empty() {
                    let none = if read_only.get() { "No feedback linked." } else { "No feedback linked yet. Link it from the feedback inbox." };
                    return view! { <p class="muted small">{none}</p> }.into_any();
                }
                let customers = distinct_customers(list.iter());
                let ws = ws.clone();
                view! {
                    <p class="customers">{format!("{} piece{} from {customers} distinct customer{}", list.len(), if list.len() == 1 { "" } else { "s" }, if customers == 1 { "" } else { "s" })}</p>
                    <ul class="link-list">
                        {list.into_iter().map(|f| {
                            let to = Route::Page { ws: ws.clone(), page: Page::Feedback, open: f.id.clone() };
                            view! {
                                <li>
                                    <Link to=to>{excerpt(&f.text, 80)}</Link>
                                    <span class="muted small">{format!("{}{}", f.channel.label(), if f.customer.is_empty() { String::new() } else { format!(" · {}", f.customer) })}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}
