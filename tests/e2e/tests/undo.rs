//! Undo and redo of one's own edits, in a real Chromium against the real relay: Ada
//! undoes three of her edits made in two sections and redoes one, while the edits Grace
//! made meanwhile, to the same idea and beside it, survive in both browsers.

use waymark_e2e::{keys, Browser, Relay};

const CONTROL: &str = "\u{e009}";
const SHIFT: &str = "\u{e008}";
const ROWS: &str = ".idea-row .idea-title";
const TITLE: &str = "aside.editor[aria-label='Idea editor'] input";
const DESCRIPTION: &str = "aside.editor textarea[placeholder='The problem, who has it, what we know']";
const GOALS: &str = "aside.editor textarea[placeholder='What are they trying to achieve?']";
const TOAST: &str = ".toasts .toast";

/// Presses `keys` with Ctrl held, with no text field focused (the page's heading
/// clicked first), as one reaches for undo after typing.
async fn press_control(b: &Browser, keys: &str) {
    b.click("h1.page-title").await;
    b.type_into("body", &format!("{CONTROL}{keys}{}", keys::NULL)).await;
}

async fn wait_value(b: &Browser, css: &str, value: &str, what: &str) {
    b.wait_until(&format!("document.querySelector({css:?})?.value === {value:?}"), what).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_three_own_edits_in_two_sections_and_redo_one_while_a_teammates_edits_survive() {
    let relay = Relay::start().await;
    let (a, b) = Browser::ada_and_grace(&relay).await;

    // Ada, in Ideas: an idea and its description.
    a.click("a.nav-link[href$='/ideas']").await;
    a.type_into("input[aria-label='New idea']", &format!("Checkout revamp{}", keys::ENTER)).await;
    a.click_text(ROWS, "Checkout revamp").await;
    a.type_into(DESCRIPTION, "Fewer steps to pay").await;
    // In Personas: a persona and its goals.
    a.click("a.nav-link[href$='/personas']").await;
    a.type_into("input[aria-label='New persona name']", &format!("Fiona, finance admin{}", keys::ENTER)).await;
    a.type_into(GOALS, "Close the month in a day").await;

    // Meanwhile Grace renames the idea and adds one of her own.
    b.click("a.nav-link[href$='/ideas']").await;
    b.click_text(ROWS, "Checkout revamp").await;
    wait_value(&b, DESCRIPTION, "Fewer steps to pay", "Grace to see Ada's description").await;
    b.type_into(TITLE, &format!("{} in one page", keys::END)).await;
    b.type_into("input[aria-label='New idea']", &format!("Gift cards{}", keys::ENTER)).await;
    b.wait_for_text(ROWS, "Gift cards").await;
    // Ada has Grace's edits before she undoes (the palette finds the new idea).
    press_control(&a, "k").await;
    b.wait_for_text(ROWS, "Checkout revamp in one page").await;
    a.type_into("input[aria-label='Go to or create']", "gift cards").await;
    a.wait_for_text("[role=option][aria-selected=true]", "Gift cards").await;
    a.type_into("input[aria-label='Go to or create']", keys::ESCAPE).await;
    a.wait_until("document.querySelector('[aria-label=\"Command palette\"]') === null", "the palette to close").await;

    // Three undos, on Personas: the goals, the persona, then the idea's description.
    press_control(&a, "z").await;
    wait_value(&a, GOALS, "", "the goals undone").await;
    a.wait_for_text(TOAST, "Undid your change to “Fiona, finance admin”").await;
    press_control(&a, "z").await;
    a.wait_until(
        "![...document.querySelectorAll('.persona-card')].some(c => c.textContent.includes('Fiona, finance admin'))",
        "the persona undone (deleted)",
    )
    .await;
    press_control(&a, "z").await;
    a.wait_for_text(TOAST, "Undid your change to “Checkout revamp in one page”").await;

    // In Ideas, in both browsers: the description is gone, Grace's title and idea stay.
    a.click("a.nav-link[href$='/ideas']").await;
    a.click_text(ROWS, "Checkout revamp in one page").await;
    wait_value(&a, DESCRIPTION, "", "Ada's description undone").await;
    wait_value(&b, DESCRIPTION, "", "Grace to see the description undone").await;
    for browser in [&a, &b] {
        browser.wait_for_text(ROWS, "Gift cards").await;
        assert_eq!(browser.value(TITLE).await, "Checkout revamp in one page", "Grace's rename survives");
    }
    b.click("a.nav-link[href$='/personas']").await;
    b.wait_for_text("h1.page-title", "Personas").await;
    b.wait_until(
        "![...document.querySelectorAll('.persona-card')].some(c => c.textContent.includes('Fiona'))",
        "Grace to see the persona gone",
    )
    .await;

    // Redo one: the description comes back, and only it.
    press_control(&a, &format!("{SHIFT}z")).await;
    a.wait_for_text(TOAST, "Redid your change to “Checkout revamp in one page”").await;
    a.click_text(ROWS, "Checkout revamp in one page").await;
    wait_value(&a, DESCRIPTION, "Fewer steps to pay", "the description redone").await;
    a.screenshot("e2e-undo-redo").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.click_text(ROWS, "Checkout revamp in one page").await;
    wait_value(&b, DESCRIPTION, "Fewer steps to pay", "Grace to see it redone").await;
    a.click("a.nav-link[href$='/personas']").await;
    a.wait_for_text("h1.page-title", "Personas").await;
    assert!(!a.texts(".persona-card").await.iter().any(|t| t.contains("Fiona")), "only one step was redone");

    // On a phone: the redo undone again, and what the notice looks like there.
    a.client.set_window_size(390, 844).await.unwrap();
    press_control(&a, "z").await;
    a.wait_for_text(TOAST, "Undid your change to “Checkout revamp in one page”").await;
    a.screenshot("e2e-undo-390").await;
    // Leaving the workspace takes the notice's button with it: nothing left to act on.
    a.click("a.brand").await;
    a.wait_for_text("h1", "Your workspaces").await;
    a.wait_until("!document.querySelector('.toast button.btn')", "the undo notice gone with its workspace").await;
}
