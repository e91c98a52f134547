//! The command palette (Ctrl-K, ⌘K on a Mac): go to any section or any item of the
//! workspace by typing part of its name (ranked by `waymark_domain::fuzzy`), or create
//! an item of any kind named by what was typed. `?` shows every shortcut.
//!
//! What it searches is read from the session's view signals when it opens (a snapshot:
//! nothing is kept up to date while it is closed); each key ranks that snapshot and
//! shows the best few. The screen's own actions come first: a component offers one
//! with [`offer_action`] for as long as it is on screen (share, export, rank by RICE…).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use waymark_domain::document::DocKind;
use waymark_domain::edit::Edit;
use waymark_domain::feedback::Channel;
use waymark_domain::kind::{visit_kinds, KindVisitor};
use waymark_domain::{fuzzy, Id, Kind};

use super::{use_read_only, Dialog, Toasts};
use crate::route::{navigate, use_route, Page, Route};
use crate::session::{use_session, Session};
use crate::util::typing_in_field;

/// Results shown at most (besides the "create" ones).
const SHOWN: usize = 12;
/// How much a screen's action is preferred over an item matching as well.
const ACTION_BONUS: i32 = 10;

thread_local! {
    /// The actions of what is on screen now: (number, label, what it does).
    static ACTIONS: RefCell<Vec<(u64, String, Rc<dyn Fn()>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ACTION: Cell<u64> = const { Cell::new(0) };
}

/// Offers `label` (“Share this workspace…”) in the palette for as long as the calling
/// component is on screen; choosing it runs `run`.
pub fn offer_action(label: impl Into<String>, run: impl Fn() + 'static) {
    let id = NEXT_ACTION.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    ACTIONS.with(|a| a.borrow_mut().push((id, label.into(), Rc::new(run))));
    on_cleanup(move || ACTIONS.with(|a| a.borrow_mut().retain(|(i, _, _)| *i != id)));
}

fn run_action(id: u64) {
    // Taken out first: the action may offer or withdraw actions itself.
    let run = ACTIONS.with(|a| a.borrow().iter().find(|(i, _, _)| *i == id).map(|(_, _, run)| Rc::clone(run)));
    if let Some(run) = run {
        run();
    }
}

/// What choosing a result does.
#[derive(Clone, Debug, PartialEq)]
enum Action {
    /// One of the screen's actions (see [`offer_action`]).
    Run(u64),
    Go(Route),
    /// Creates an item of this kind named so, then opens it.
    Create(Creatable, String),
    /// Lists "create" for every kind.
    MoreKinds,
}

/// A kind of item the palette can create.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Creatable {
    Idea,
    Persona,
    Story,
    Doc,
    Feedback,
    Kind { collection: &'static str, singular: &'static str, page: Page },
}

impl Creatable {
    /// Its name in a sentence ("persona", "objective or KPI").
    fn singular(self) -> String {
        match self {
            Creatable::Idea => "idea".into(),
            Creatable::Persona => "persona".into(),
            Creatable::Story => "story".into(),
            Creatable::Doc => "doc".into(),
            Creatable::Feedback => "feedback".into(),
            Creatable::Kind { singular, .. } => waymark_domain::kind::in_sentence(singular),
        }
    }

    fn edit(self, title: String) -> Edit {
        match self {
            Creatable::Idea => Edit::CreateIdea { title },
            Creatable::Persona => Edit::CreatePersona { name: title },
            Creatable::Story => Edit::CreateStory { goal: title },
            Creatable::Doc => Edit::CreateDocument { title, kind: DocKind::default() },
            Creatable::Feedback => Edit::CreateFeedback { text: title, channel: Channel::default() },
            Creatable::Kind { collection, .. } => Edit::CreateItem { collection, title },
        }
    }

    /// Where the new item `id` opens.
    fn route(self, ws: String, id: Id) -> Route {
        let page = match self {
            Creatable::Idea => return Route::Ideas { ws, open: Some(id) },
            Creatable::Persona => Page::Personas,
            Creatable::Story => Page::Stories,
            Creatable::Doc => Page::Docs,
            Creatable::Feedback => Page::Feedback,
            Creatable::Kind { page, .. } => page,
        };
        Route::Page { ws, page, open: Some(id) }
    }
}

/// One thing the palette can find: what it shows (a kind's name, the title) and does.
#[derive(Clone, Debug, PartialEq)]
struct Entry {
    kind: &'static str,
    title: String,
    action: Action,
}

/// Every section and item of the workspace, and the kinds that can be created.
fn everything(session: &Session, can_create: bool) -> (Vec<Entry>, Vec<Creatable>) {
    let ws = session.id.clone();
    let go = |kind: &'static str, title: String, route: Route| Entry { kind, title, action: Action::Go(route) };
    let page = |page: Page, id: Option<Id>| Route::Page { ws: ws.clone(), page, open: id };
    if session.audience().is_some() {
        return (vec![go("Section", "Roadmap".into(), page(Page::Roadmap, None))], Vec::new());
    }
    // The screen's own actions first, newest (the innermost component's) last.
    let mut entries: Vec<Entry> = ACTIONS.with(|a| a.borrow().iter().map(|(id, label, _)| Entry { kind: "Action", title: label.clone(), action: Action::Run(*id) }).collect());
    entries.extend([
        go("Section", "Overview".into(), page(Page::Overview, None)),
        go("Section", "Brief".into(), Route::Brief { ws: ws.clone() }),
        go("Section", "Ideas".into(), Route::Ideas { ws: ws.clone(), open: None }),
    ]);
    entries.extend(Page::all().into_iter().filter(|p| *p != Page::Overview).map(|p| go("Section", p.label().into(), page(p, None))));
    session.ideas.with_untracked(|ideas| {
        entries.extend(ideas.iter().filter_map(|(id, idea)| {
            idea.with_untracked(|i| (!i.deleted).then(|| go("Idea", i.title.clone(), Route::Ideas { ws: ws.clone(), open: Some(id.clone()) })))
        }))
    });
    entries.extend(session.personas.live().into_iter().filter_map(|p| Some(go("Persona", p.name.clone(), page(Page::Personas, Some(p.id?))))));
    entries.extend(session.stories.live().into_iter().filter_map(|s| Some(go("Story", s.goal.clone(), page(Page::Stories, Some(s.id?))))));
    entries.extend(session.documents.live().into_iter().filter_map(|d| Some(go("Doc", super::doc_title(&d), page(Page::Docs, Some(d.id?))))));
    entries.extend(session.feedback.live().into_iter().filter_map(|f| Some(go("Feedback", f.text.chars().take(120).collect(), page(Page::Feedback, Some(f.id?))))));
    struct Kinds<'a> {
        session: &'a Session,
        ws: String,
        entries: &'a mut Vec<Entry>,
        creatable: Vec<Creatable>,
    }
    impl KindVisitor for Kinds<'_> {
        fn visit<K: Kind>(&mut self) {
            let page = Page::of::<K>();
            self.creatable.push(Creatable::Kind { collection: K::COLLECTION, singular: K::SINGULAR, page });
            for item in self.session.collection::<K>().live() {
                if let Some(id) = item.id().cloned() {
                    let route = Route::Page { ws: self.ws.clone(), page, open: Some(id) };
                    self.entries.push(Entry { kind: K::SINGULAR, title: item.title(), action: Action::Go(route) });
                }
            }
        }
    }
    let mut kinds = Kinds { session, ws: ws.clone(), entries: &mut entries, creatable: vec![Creatable::Idea, Creatable::Persona, Creatable::Story, Creatable::Doc, Creatable::Feedback] };
    visit_kinds(&mut kinds);
    let creatable = if can_create { kinds.creatable } else { Vec::new() };
    (entries, creatable)
}

/// The kind a query starts by naming, before a colon ("persona: Ada", "risk: data
/// loss"), and the rest: the kind's name, or its first word, whole or its first three
/// letters or more.
fn named_kind<'q>(query: &'q str, creatable: &[Creatable]) -> Option<(Creatable, &'q str)> {
    let (word, rest) = query.split_once(':')?;
    let (word, rest) = (word.trim().to_lowercase(), rest.trim());
    if word.chars().count() < 3 || word.contains(char::is_whitespace) || rest.is_empty() {
        return None;
    }
    let kind = creatable.iter().find(|k| k.singular().split_whitespace().next().is_some_and(|first| first.starts_with(&word)))?;
    Some((*kind, rest))
}

/// What the palette shows for `query`: the best matches; then, once something is
/// typed, "create" for the kind the query names (if it starts with one), for
/// `here` (the section's kind), and a way to every other kind (or, `all_kinds`, each).
fn results(query: &str, entries: &[Entry], creatable: &[Creatable], here: Creatable, all_kinds: bool) -> Vec<Entry> {
    let title = query.trim();
    // With nothing typed: the screen's actions, then the sections as the sidebar lists
    // them. Typed: by how well they match, the screen's actions a little ahead (a match
    // as good as an item's comes first; a scattered one does not).
    let (actions, rest): (Vec<&Entry>, Vec<&Entry>) = entries.iter().partition(|e| matches!(e.action, Action::Run(_)));
    let mut shown: Vec<Entry> = if title.is_empty() {
        actions.into_iter().chain(rest).take(SHOWN).cloned().collect()
    } else {
        let found = |list: Vec<&Entry>, bonus: i32| -> Vec<(Entry, i32)> {
            fuzzy::best(query, list.into_iter().map(|e| (e, e.title.as_str())), SHOWN).into_iter().map(|(e, s)| (e.clone(), s + bonus)).collect()
        };
        let mut scored = found(actions, ACTION_BONUS);
        scored.extend(found(rest, 0));
        // Stable: on a tie the action stays first.
        scored.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
        scored.into_iter().take(SHOWN).map(|(e, _)| e).collect()
    };
    if title.is_empty() || creatable.is_empty() {
        return shown;
    }
    let create = |kind: Creatable, title: &str| Entry { kind: "Create", title: format!("New {}: “{title}”", kind.singular()), action: Action::Create(kind, title.to_owned()) };
    let named = named_kind(title, creatable);
    if let Some((kind, rest)) = named {
        shown.push(create(kind, rest));
    }
    if all_kinds {
        shown.extend(creatable.iter().map(|k| create(*k, title)));
    } else {
        if named.is_none() {
            shown.push(create(here, title));
        }
        shown.push(Entry { kind: "Create", title: format!("“{title}” as another kind…"), action: Action::MoreKinds });
    }
    shown
}

/// The kind of item the section on screen is about (ideas if none).
fn kind_here(route: &Route, creatable: &[Creatable]) -> Creatable {
    let Route::Page { page, .. } = route else { return Creatable::Idea };
    match page {
        Page::Personas => Creatable::Persona,
        Page::Stories => Creatable::Story,
        Page::Docs => Creatable::Doc,
        Page::Feedback => Creatable::Feedback,
        Page::Kind { collection, .. } => creatable.iter().copied().find(|k| matches!(k, Creatable::Kind { collection: c, .. } if c == collection)).unwrap_or(Creatable::Idea),
        _ => Creatable::Idea,
    }
}

/// The palette and the shortcuts sheet of a workspace, and the keys that open them.
#[component]
pub fn CommandPalette() -> impl IntoView {
    let open = RwSignal::new(false);
    let shortcuts = RwSignal::new(false);
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        // Not over another dialog (it keeps the focus and the keys); asked only for
        // these two keys, not for every key typed anywhere.
        let other_modal = || document().query_selector("[aria-modal=true]").ok().flatten().is_some() && !open.get_untracked();
        if (ev.ctrl_key() || ev.meta_key()) && !ev.alt_key() && key.eq_ignore_ascii_case("k") {
            if other_modal() {
                return;
            }
            ev.prevent_default();
            shortcuts.set(false);
            open.set(true);
        } else if key == "?" && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() && !typing_in_field(&ev) && !other_modal() {
            ev.prevent_default();
            open.set(false);
            shortcuts.set(true);
        }
    });
    on_cleanup(move || keys.remove());
    view! {
        <Show when=move || open.get()>
            <Palette open=open shortcuts=shortcuts/>
        </Show>
        <Dialog open=shortcuts title="Keyboard shortcuts">
            <ShortcutsSheet/>
            <div class="dialog-actions">
                <button class="btn" on:click=move |_| shortcuts.set(false)>"Close"</button>
            </div>
        </Dialog>
    }
}

#[component]
fn Palette(open: RwSignal<bool>, shortcuts: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let read_only = use_read_only();
    let route = use_route();
    let (entries, creatable) = everything(&session.get(), !read_only.get_untracked());
    let entries = StoredValue::new(entries);
    let creatable = StoredValue::new(creatable);
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let all_kinds = RwSignal::new(false);
    let here = route.with_untracked(|r| creatable.with_value(|c| kind_here(r, c)));
    let shown = Memo::new(move |_| {
        let all = all_kinds.get();
        query.with(|q| entries.with_value(|e| creatable.with_value(|c| results(q, e, c, here, all))))
    });
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    // Where focus was: it goes back there when the palette closes without going anywhere.
    let before = StoredValue::new_local(document().active_element());
    let close = move || {
        open.set(false);
        if let Some(el) = before.get_value() {
            let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(el).focus();
        }
    };
    let run = move |n: usize| {
        let Some(entry) = shown.with_untracked(|s| s.get(n).cloned()) else { return };
        if entry.action == Action::MoreKinds {
            all_kinds.set(true);
            return;
        }
        if let Action::Run(id) = entry.action {
            // Focus back where it was, then the action (a dialog it opens takes it).
            close();
            return run_action(id);
        }
        open.set(false);
        match entry.action {
            Action::MoreKinds | Action::Run(_) => {}
            Action::Go(to) => navigate(to, false),
            Action::Create(kind, title) => {
                let s = session.get();
                match s.create(kind.edit(title)) {
                    Ok(id) => navigate(kind.route(s.id.clone(), id), false),
                    Err(e) => toasts.error(format!("The {} could not be created: {e}", kind.singular())),
                }
            }
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let count = shown.with_untracked(Vec::len);
        if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k") {
            ev.prevent_default();
            ev.stop_propagation();
            return close();
        }
        // An input method composing a word keeps its keys.
        if ev.is_composing() {
            return;
        }
        match ev.key().as_str() {
            "ArrowDown" => active.update(|a| *a = if count == 0 { 0 } else { (*a + 1) % count }),
            "ArrowUp" => active.update(|a| *a = if count == 0 { 0 } else { (*a + count - 1) % count }),
            "Home" if ev.ctrl_key() => active.set(0),
            "Enter" => run(active.get_untracked()),
            "Escape" => close(),
            _ => return,
        }
        ev.prevent_default();
        // Handled here: the page's own keys (Esc closes an editor) do not also act.
        ev.stop_propagation();
    };
    // The highlighted result stays in view.
    Effect::new(move |_| {
        let n = active.get();
        if let Some(el) = document().get_element_by_id(&format!("palette-option-{n}")) {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Nearest);
            el.scroll_into_view_with_scroll_into_view_options(&options);
        }
    });
    let section = move || route.with(|r| match r {
        Route::Page { page, .. } => page.label().to_owned(),
        Route::Ideas { .. } => "Ideas".into(),
        Route::Brief { .. } => "Brief".into(),
        _ => String::new(),
    });
    view! {
        <div class="backdrop palette-backdrop" on:click=move |_| close()>
            <div class="palette" role="dialog" aria-modal="true" aria-label="Command palette" on:click=|ev| ev.stop_propagation() on:keydown=on_key>
                <input
                    node_ref=input
                    class="palette-input"
                    type="text"
                    role="combobox"
                    aria-expanded="true"
                    aria-controls="palette-results"
                    aria-autocomplete="list"
                    aria-label="Go to or create"
                    aria-activedescendant=move || format!("palette-option-{}", active.get())
                    placeholder="Go to a section or item, or create one (“persona: Ada”)…"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || query.get()
                    on:input:target=move |ev| {
                        query.set(ev.target().value());
                        active.set(0);
                        all_kinds.set(false);
                    }
                />
                <ul id="palette-results" class="palette-results" role="listbox" aria-label="Results">
                    {move || shown.get().into_iter().enumerate().map(|(n, entry)| view! {
                        <li
                            id=format!("palette-option-{n}")
                            role="option"
                            class="palette-option"
                            class:create=matches!(entry.action, Action::Create(..) | Action::MoreKinds)
                            aria-selected=move || (active.get() == n).to_string()
                            on:mousemove=move |_| if active.get_untracked() != n { active.set(n) }
                            on:click=move |_| run(n)
                        >
                            <span class="palette-kind">{entry.kind}</span>
                            <span class="palette-title">{entry.title}</span>
                        </li>
                    }).collect_view()}
                </ul>
                {move || shown.with(Vec::is_empty).then(|| view! { <p class="palette-empty" role="status">"Nothing here matches."</p> })}
                <p class="palette-foot">
                    <span>{move || { let h = section(); if h.is_empty() { String::new() } else { format!("In {h}") } }}</span>
                    <span>"↑↓ move · Enter open · Esc close · "<button class="link-button" on:click=move |_| { open.set(false); shortcuts.set(true); }>"? shortcuts"</button></span>
                </p>
            </div>
        </div>
    }
}

/// Every shortcut there is, and where it works.
#[component]
fn ShortcutsSheet() -> impl IntoView {
    let mac = window().navigator().platform().unwrap_or_default().starts_with("Mac");
    let palette = if mac { "⌘ K" } else { "Ctrl K" };
    let rows: [(&str, &str); 17] = [
        (palette, "Go to any section or item, or create one (command palette)"),
        ("?", "Show these shortcuts"),
        (if mac { "⌘ Z" } else { "Ctrl Z" }, "Undo your last edit, in any section; a teammate's edits stay (in a text field, its own typing)"),
        (if mac { "⌘ Shift Z" } else { "Ctrl Shift Z, Ctrl Y" }, "Redo what you undid"),
        ("n", "New item, in any list"),
        ("/", "Search the list"),
        ("j  k", "Next and previous item in a list"),
        ("Enter", "Open the item that has the focus"),
        ("e", "Edit the title of the open item (or of the focused one, opening it)"),
        ("Esc", "Close the open item, dialog or palette"),
        ("↑ ↓ Enter", "Move through the palette's results and open one"),
        ("← → ↑ ↓", "Move a focused card on the roadmap board, or an idea on the value / effort matrix"),
        ("← →", "Move a focused bar on the timeline by a day (with Shift, a week; with Alt, its end only)"),
        ("Enter", "Open the feature of a focused bar on the timeline"),
        (if mac { "⌘ Enter" } else { "Ctrl Enter" }, "Post the comment you are writing"),
        ("Tab", "Move to the next control; every control can be reached this way"),
        ("Enter", "Add what you typed in a capture field"),
    ];
    view! {
        <table class="shortcuts">
            <caption class="visually-hidden">"Keyboard shortcuts"</caption>
            <thead><tr><th scope="col">"Keys"</th><th scope="col">"What they do"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|(keys, what)| view! {
                    <tr><td><kbd>{keys}</kbd></td><td>{what}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const KINDS: [Creatable; 3] = [Creatable::Idea, Creatable::Persona, Creatable::Kind { collection: "betas", singular: "Beta program", page: Page::Overview }];

    #[wasm_bindgen_test]
    fn a_query_may_start_by_naming_the_kind_to_create() {
        assert_eq!(named_kind("persona: Ada", &KINDS), Some((Creatable::Persona, "Ada")));
        assert_eq!(named_kind(" pers :Ada Lovelace ", &KINDS), Some((Creatable::Persona, "Ada Lovelace")));
        assert_eq!(named_kind("Beta: Early access", &KINDS).map(|(k, t)| (k.singular(), t)), Some(("beta program".to_owned(), "Early access")));
        assert_eq!(named_kind("pe: Ada", &KINDS), None, "two letters are not enough");
        assert_eq!(named_kind("persona:", &KINDS), None, "nothing to name it");
        assert_eq!(named_kind("idea 737", &KINDS), None, "a title that starts with a kind's name");
        assert_eq!(named_kind("Offline mode: part two", &KINDS), None);
    }

    #[wasm_bindgen_test]
    fn create_offers_the_sections_kind_and_every_other_on_asking() {
        let titles = |r: Vec<Entry>| r.into_iter().map(|e| e.title).collect::<Vec<_>>();
        assert_eq!(titles(results("Ada", &[], &KINDS, Creatable::Persona, false)), ["New persona: “Ada”", "“Ada” as another kind…"]);
        assert_eq!(titles(results("idea: Ada", &[], &KINDS, Creatable::Persona, false)), ["New idea: “Ada”", "“idea: Ada” as another kind…"]);
        assert_eq!(results("Ada", &[], &KINDS, Creatable::Idea, true).len(), 3);
        assert!(results("Ada", &[], &[], Creatable::Idea, false).is_empty(), "a view-only workspace creates nothing");
        assert!(results(" ", &[], &KINDS, Creatable::Idea, false).is_empty());
    }

    #[wasm_bindgen_test]
    fn the_screens_actions_come_first() {
        let go = |title: &str| Entry { kind: "Idea", title: title.into(), action: Action::Go(Route::Home) };
        let entries = [go("Sections"), go("Share via Slack"), Entry { kind: "Action", title: "Share this workspace…".into(), action: Action::Run(7) }];
        let titles = |q: &str| results(q, &entries, &[], Creatable::Idea, false).into_iter().map(|e| e.title).collect::<Vec<_>>();
        assert_eq!(titles("share"), ["Share this workspace…", "Share via Slack"]);
        assert_eq!(titles("sctns")[0], "Sections", "a scattered match of an action does not come first");
        assert_eq!(titles(""), ["Share this workspace…", "Sections", "Share via Slack"], "nothing typed: actions, then the given order");
    }
}
