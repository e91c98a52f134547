//! Keyboard-first, in a real Chromium against the real server: the command palette
//! finds an item among a thousand by a fragment of its title and opens it, creates an
//! item of another kind, runs the screen's own actions, and `?` shows every shortcut.

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use waymark_e2e::{keys, Browser, Relay};

const CONTROL: &str = "\u{e009}";
const SHIFT: &str = "\u{e008}";

/// Presses Ctrl-K where the focus is.
async fn open_palette(b: &Browser) {
    b.type_into("body", &format!("{CONTROL}k{}", keys::NULL)).await;
    b.wait_for("[role=dialog][aria-label='Command palette'] input[role=combobox]").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_palette_finds_an_idea_among_a_thousand_opens_it_and_creates_a_persona() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    let path = b.big_backlog(1_000);
    b.goto(&relay.url("/")).await;
    b.wait_for("input[type=file]").await.send_keys(&path.to_string_lossy()).await.unwrap();
    b.wait_for_text(".workspace-card", "1,000 ideas").await;
    b.click_text(".workspace-card h2", "Big backlog").await;
    b.wait_for_text("h1.page-title", "Overview").await;

    // A fragment of one title among a thousand: it comes first, and Enter opens it.
    open_palette(&b).await;
    b.type_into("input[aria-label='Go to or create']", "idea 737").await;
    b.wait_for_text("[role=option][aria-selected=true]", "Imported idea 737").await;
    b.screenshot("e2e-palette").await;
    b.type_into("input[aria-label='Go to or create']", keys::ENTER).await;
    b.wait_for_text("h1.page-title", "Ideas").await;
    b.wait_until(
        "document.querySelector('aside.editor[aria-label=\"Idea editor\"] input')?.value === 'Imported idea 737'",
        "idea 737 open in its editor",
    )
    .await;
    assert_eq!(b.eval("return document.querySelector('[aria-label=\"Command palette\"]') === null").await, serde_json::json!(true), "the palette closed");

    // Letters in order find a section; arrows move; Esc closes the palette and leaves
    // the editor behind it open.
    open_palette(&b).await;
    b.type_into("input[aria-label='Go to or create']", "prsn").await;
    b.wait_for_text("[role=option][aria-selected=true]", "Personas").await;
    b.type_into("input[aria-label='Go to or create']", keys::DOWN).await;
    b.wait_until("document.querySelector('[role=option][aria-selected=true]')?.id === 'palette-option-1'", "the second result highlighted").await;
    b.type_into("input[aria-label='Go to or create']", keys::UP).await;
    b.wait_for_text("[role=option][aria-selected=true]", "Personas").await;
    b.type_into("input[aria-label='Go to or create']", keys::ESCAPE).await;
    b.wait_until("document.querySelector('[aria-label=\"Command palette\"]') === null", "the palette to close").await;
    // (Checked after another frame: a leaked Esc would have closed the editor by then.)
    b.wait_until_async(
        "const done = arguments[0]; requestAnimationFrame(() => setTimeout(() => done(!!document.querySelector('aside.editor[aria-label=\"Idea editor\"]')), 50));",
        "the editor still open",
    )
    .await;

    // Create a persona from the palette: on Ideas it offers a new idea, and any other
    // kind on asking; the persona opens in its editor.
    open_palette(&b).await;
    b.type_into("input[aria-label='Go to or create']", "Fiona, finance admin").await;
    b.wait_for_text("[role=option]", "New idea: “Fiona, finance admin”").await;
    b.click_text("[role=option]", "“Fiona, finance admin” as another kind…").await;
    b.click_text("[role=option]", "New persona: “Fiona, finance admin”").await;
    b.wait_for_text("h1.page-title", "Personas").await;
    b.wait_for("aside.editor[aria-label='Persona editor']").await;
    b.wait_for_text(".persona-card", "Fiona, finance admin").await;
    // Or by naming the kind first, with the keyboard alone.
    open_palette(&b).await;
    b.type_into("input[aria-label='Go to or create']", "persona: Grace, support lead").await;
    b.wait_for_text("[role=option][aria-selected=true]", "New persona: “Grace, support lead”").await;
    b.type_into("input[aria-label='Go to or create']", keys::ENTER).await;
    b.wait_for_text(".persona-card", "Grace, support lead").await;
    // And the palette finds it next time.
    open_palette(&b).await;
    b.type_into("input[aria-label='Go to or create']", "fiona").await;
    b.wait_for_text("[role=option][aria-selected=true]", "Fiona, finance admin").await;
    b.type_into("input[aria-label='Go to or create']", keys::ESCAPE).await;

    // The screen's own actions: on Prioritize, rank by another framework; anywhere,
    // share the workspace.
    b.click("a.nav-link[href$='/priorities']").await;
    b.wait_for_text("h1.page-title", "Prioritize").await;
    open_palette(&b).await;
    b.type_into("input[aria-label='Go to or create']", "rank ice").await;
    b.wait_for_text("[role=option][aria-selected=true]", "Rank by ICE").await;
    b.type_into("input[aria-label='Go to or create']", keys::ENTER).await;
    b.wait_until("document.querySelector('button[data-framework=ice]')?.getAttribute('aria-pressed') === 'true'", "ICE chosen").await;
    open_palette(&b).await;
    b.type_into("input[aria-label='Go to or create']", "share").await;
    b.wait_for_text("[role=option][aria-selected=true]", "Share this workspace…").await;
    b.type_into("input[aria-label='Go to or create']", keys::ENTER).await;
    b.wait_for_text("[role=dialog] h2", "Share this workspace").await;
    b.type_into("[role=dialog] button", keys::ESCAPE).await;

    // `?` shows the shortcuts, and says the palette's.
    b.type_into("body", keys::ESCAPE).await;
    b.type_into("body", "?").await;
    b.wait_for_text("[role=dialog] h2", "Keyboard shortcuts").await;
    b.wait_for_text(".shortcuts", "Ctrl K").await;
    b.screenshot("e2e-shortcuts").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("e2e-shortcuts-390").await;
    b.click_text("[role=dialog] button", "Close").await;
    open_palette(&b).await;
    b.type_into("input[aria-label='Go to or create']", "roadmap").await;
    b.wait_for_text("[role=option][aria-selected=true]", "Roadmap").await;
    b.screenshot("e2e-palette-390").await;
}

/// The text of the element that has the focus, and its accessible name.
async fn focused(b: &Browser) -> String {
    let v = b.eval("const e = document.activeElement; return (e.getAttribute('aria-label') || '') + '|' + e.textContent").await;
    v.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_list_answers_n_slash_j_k_enter_e_and_esc() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.create_workspace(&relay, "Keys").await;

    // Personas: `n` goes to the capture line; three personas, one after the other.
    b.click("a.nav-link[href$='/personas']").await;
    b.wait_for_text("h1.page-title", "Personas").await;
    b.type_into("body", "n").await;
    b.wait_until("document.activeElement?.getAttribute('aria-label') === 'New persona name'", "n to focus the capture line").await;
    for name in ["Ada, admin", "Ben, buyer", "Cy, CFO"] {
        b.type_into("input[aria-label='New persona name']", &format!("{name}{}", keys::ENTER)).await;
        b.wait_for_text(".persona-card", name).await;
    }
    b.type_into("body", keys::ESCAPE).await;
    b.click("h1.page-title").await;
    b.wait_until("document.querySelector('aside.editor') === null", "Esc to close the editor").await;

    // `j` and `k` move along the cards; Enter opens the focused one.
    // (A card shows the persona's initial, then its name.)
    let cards: Vec<String> = b.texts(".persona-card").await.iter().map(|c| c.lines().nth(1).unwrap_or_default().to_owned()).collect();
    b.type_into("body", "j").await;
    b.wait_until("document.activeElement?.matches('a.persona-card')", "j to focus the first card").await;
    let now = focused(&b).await;
    assert!(now.contains(&cards[0]), "{now:?} {cards:?}");
    // (Keys sent to the focused card: sent to the page, they would focus it first.)
    b.type_into("a.persona-card:focus", "jjk").await;
    assert!(focused(&b).await.contains(&cards[1]), "two down, one up: the second card");
    let second = cards[1].clone();
    b.type_into("a.persona-card:focus", keys::ENTER).await;
    b.wait_for("aside.editor[aria-label='Persona editor']").await;
    b.wait_until(&format!("document.querySelector('aside.editor input')?.value === {second:?}"), "Enter to open the focused persona").await;

    // `e` edits the open item's title; Esc closes it.
    b.click("h1.page-title").await;
    b.type_into("body", "e").await;
    b.wait_until("document.activeElement === document.querySelector('aside.editor input')", "e to focus the title").await;
    b.type_into("aside.editor input", " (renamed)").await;
    b.wait_for_text(".persona-card", &format!("{second} (renamed)")).await;
    b.type_into("aside.editor input", keys::ESCAPE).await;
    b.wait_until("document.querySelector('aside.editor') === null", "Esc to close the persona").await;
    // `/` searches the personas too.
    b.click("h1.page-title").await;
    b.type_into("body", "/").await;
    b.wait_until("document.activeElement?.getAttribute('aria-label') === 'Search personas'", "/ to focus the search").await;
    b.type_into("input[aria-label='Search personas']", "buyer").await;
    b.wait_until("document.querySelectorAll('.persona-card').length === 1", "only Ben to match").await;
    assert!(b.texts(".persona-card").await[0].contains("Ben, buyer"));
    b.screenshot("e2e-personas-search").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("e2e-personas-search-390").await;
    b.client.set_window_size(1400, 1000).await.unwrap();

    // The same keys in a list of another kind: features.
    b.click("a.nav-link[href$='/features']").await;
    b.wait_for_text("h1.page-title", "Features").await;
    b.type_into("body", "n").await;
    b.wait_until("document.activeElement?.matches('.capture-input')", "n to focus the new feature's title").await;
    b.type_into(".capture-input", &format!("Offline mode{}", keys::ENTER)).await;
    b.wait_for_text("a.item-link", "Offline mode").await;
    b.type_into("body", keys::ESCAPE).await;
    b.click("h1.page-title").await;
    b.type_into("body", "/").await;
    b.wait_until("document.activeElement?.type === 'search'", "/ to focus the search").await;
    b.click("h1.page-title").await;
    // `e` on a focused item opens it and puts the caret in its title.
    b.type_into("body", "je").await;
    b.wait_until("document.activeElement === document.querySelector('aside.editor input.field-input')", "e to open the item and focus its title").await;
    assert_eq!(b.value("aside.editor input.field-input").await, "Offline mode");
}

/// Whether a notice saying `text` is still shown for `ms` milliseconds on end.
fn still_shown_for(text: &str, ms: u32) -> String {
    format!(
        "const done = arguments[0]; const until = performance.now() + {ms}; \
         const tick = () => {{ \
           if (![...document.querySelectorAll('.toast')].some(t => t.textContent.includes('{text}'))) return done(false); \
           if (performance.now() > until) return done(true); \
           setTimeout(tick, 100); }}; \
         tick();"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_notice_waits_while_the_pointer_rests_on_it_and_a_problem_goes_with_its_cancelled_dialog() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.create_workspace(&relay, "Notices").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.type_into("input[aria-label='New idea']", &format!("Offline mode{}", keys::ENTER)).await;
    b.wait_for_text(".idea-row .idea-title", "Offline mode").await;

    // A success that goes after 5 s stays while the pointer rests on it…
    b.click("h1.page-title").await;
    b.type_into("body", &format!("{CONTROL}{SHIFT}z{}", keys::NULL)).await;
    let notice = b.wait_for_text(".toast", "Nothing to redo").await;
    let rest = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement { element: notice, duration: None, x: 0.0, y: 0.0 });
    b.client.perform_actions(rest).await.unwrap();
    assert_eq!(b.eval_async(&still_shown_for("Nothing to redo", 6_500)).await, serde_json::json!(true), "the notice waits while it is read");
    // …and goes soon after it leaves.
    let away = MouseActions::new("mouse".into()).then(PointerAction::MoveTo { duration: None, x: 5.0, y: 5.0 });
    b.client.perform_actions(away).await.unwrap();
    b.wait_until("![...document.querySelectorAll('.toast')].some(t => t.textContent.includes('Nothing to redo'))", "the notice to go once let be").await;

    // Park with no reason: the problem is said; the dialog cancelled, it goes with it.
    b.click("a.nav-link[href$='/priorities']").await;
    b.click("button[aria-label='Park Offline mode']").await;
    b.wait_for_text(".dialog", "Park “Offline mode”").await;
    b.click(".dialog button[type=submit]").await;
    b.wait_for_text(".toast.toast-error", "Say why").await;
    b.click_text(".dialog button", "Cancel").await;
    b.wait_until("!document.querySelector('.toast-error')", "the problem to go with its dialog").await;
}

/// Whether the notices cover the control that has the focus.
const TOAST_COVERS_FOCUS: &str = "(() => { const f = document.activeElement.getBoundingClientRect(); return [...document.querySelectorAll('.toast')].some(t => { const r = t.getBoundingClientRect(); return r.left < f.right && f.left < r.right && r.top < f.bottom && f.top < r.bottom; }); })()";

#[tokio::test(flavor = "multi_thread")]
async fn an_error_stays_until_put_right_while_a_success_goes_by_itself() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.create_workspace(&relay, "Toasts").await;
    b.client.set_window_size(390, 640).await.unwrap();
    b.click("a.nav-link[href$='/priorities']").await;
    b.click("button[data-framework=weighted]").await;

    // A criterion with no name: the error says so, and stays.
    b.click_text("button", "Add criterion").await;
    b.wait_for_text(".toast.toast-error", "Give the criterion a name").await;
    assert_eq!(b.eval(&format!("return {TOAST_COVERS_FOCUS}")).await, serde_json::json!(false), "the notice leaves the focused control in view");
    // A notice meanwhile that is not an error goes by itself (there is nothing to
    // redo); the error is still there after it.
    b.type_into("body", &format!("{CONTROL}{SHIFT}z{}", keys::NULL)).await;
    b.wait_for_text(".toast", "Nothing to redo").await;
    b.wait_until("![...document.querySelectorAll('.toast')].some(t => t.textContent.includes('Nothing to redo'))", "the notice to go by itself").await;
    b.wait_for_text(".toast.toast-error", "Give the criterion a name").await;
    // Undoing the framework chosen takes its criteria editor away, and with it the
    // problem about what was typed there; redone, the editor is back without it.
    b.type_into("body", &format!("{CONTROL}z{}", keys::NULL)).await;
    b.wait_for_text(".toast", "Undid your change to the prioritization settings").await;
    b.wait_until("!document.querySelector('.toast-error')", "the problem to go with its editor").await;
    b.type_into("body", &format!("{CONTROL}{SHIFT}z{}", keys::NULL)).await;
    b.wait_for_text(".toast", "Redid your change to the prioritization settings").await;
    b.wait_for("input[aria-label='New criterion name']").await;
    b.click_text("button", "Add criterion").await;
    b.wait_for_text(".toast.toast-error", "Give the criterion a name").await;

    // Put right, it goes.
    b.type_into("input[aria-label='New criterion name']", "Strategic fit").await;
    b.click_text("button", "Add criterion").await;
    b.wait_until("document.querySelector('input[aria-label=\"Weight of Strategic fit\"]')", "the criterion added").await;
    b.wait_until("!document.querySelector('.toast-error')", "the error to go once put right").await;
}
