//! An experiment read together through the real relay, in two real headless Chromiums:
//! A enters DOMAIN.md's check (250 of 5,000 against 295 of 5,000) and reads z and p on
//! screen; B sees the same verdict arrive live; the planner says how many visitors each
//! arm needs and warns that the verdict is read early.

use waymark_e2e::{keys, Browser, Relay};

const EDITOR: &str = "aside.editor";
const NEW_VARIANT: &str = "aside.editor input[aria-label^='New row of variants']";

/// Adds a variant and types its visitors and conversions (each saved when the field
/// is left).
async fn add_variant(b: &Browser, name: &str, visitors: &str, conversions: &str) {
    b.type_into(NEW_VARIANT, &format!("{name}{}", keys::ENTER)).await;
    b.wait_for(&format!("{EDITOR} input[aria-label='Visitors of {name}']")).await;
    b.type_into(&format!("{EDITOR} input[aria-label='Visitors of {name}']"), &format!("{visitors}{}", keys::TAB)).await;
    b.type_into(&format!("{EDITOR} input[aria-label='Conversions of {name}']"), &format!("{conversions}{}", keys::TAB)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn teammates_read_an_experiments_verdict() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    a.create_workspace(&relay, "Payments").await;
    a.set_name("Ada Lovelace").await;
    a.click_text("a.nav-link", "Features").await;
    a.type_into("input[aria-label='New feature title']", &format!("Checkout redesign{}", keys::ENTER)).await;
    a.wait_for_text("ul[aria-label='Features'] .item-title", "Checkout redesign").await;
    a.click_text("a.nav-link", "Experiments").await;
    a.type_into("input[aria-label='New experiment title']", &format!("One-page checkout{}", keys::ENTER)).await;
    a.wait_for(NEW_VARIANT).await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Verdict']"), "Add a control and at least one variant").await;

    // B opens the same experiment before there is anything to read.
    let (edit_link, _) = a.share_links().await;
    b.join(&relay, &edit_link, "Grace Hopper").await;
    b.click_text("a.nav-link", "Experiments").await;
    b.click_text(".item-list .item-title", "One-page checkout").await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Verdict']"), "Add a control and at least one variant").await;

    // A enters DOMAIN.md's check and reads z ≈ 1.98 and p ≈ 0.047.
    a.click_text(".item-list .item-title", "One-page checkout").await;
    add_variant(&a, "Control", "5000", "250").await;
    add_variant(&a, "One page", "5000", "295").await;
    a.wait_for_text(&format!("{EDITOR} .variant-verdict dd.z"), "1.98").await;
    assert_eq!(a.texts(&format!("{EDITOR} .variant-verdict dd.p")).await, ["0.047"]);
    a.wait_for_text(&format!("{EDITOR} .variant-verdict.significant .verdict-said"), "Better (significant at 5 %)").await;
    a.wait_for_text(&format!("{EDITOR} .variant-verdict.significant dd.lift"), "+18.0 %").await;
    a.wait_for_text(&format!("{EDITOR} .control-row"), "Control (control) converts 5.00 %.").await;

    // B sees the verdict arrive.
    b.wait_for_text(&format!("{EDITOR} .variant-verdict dd.z"), "1.98").await;
    assert_eq!(b.texts(&format!("{EDITOR} .variant-verdict dd.p")).await, ["0.047"]);
    b.wait_until(&format!("document.querySelector(\"{EDITOR} input[aria-label='Conversions of One page']\").value === '295'"), "B to see A's figures").await;

    // The planner: 5 % → 6 % needs 8,158 per arm at 80 % power; 5,000 is early.
    a.set_number(EDITOR, "Baseline conversion (%)", "5").await;
    a.set_number(EDITOR, "Minimum detectable effect (points)", "1").await;
    a.wait_for_text(&format!("{EDITOR} .planner"), "Each arm needs 8,158 visitors to detect 5 % → 6 % at 80 % power and 5 % significance.").await;
    a.wait_for_text(&format!("{EDITOR} .planner .banner"), "Read early: Control has 5,000 of 8,158; One page has 5,000 of 8,158.").await;
    b.wait_for_text(&format!("{EDITOR} .planner .banner"), "Read early").await;

    // It tests the checkout feature: linked from the experiment, seen by B.
    a.type_into(&format!("{EDITOR} input[aria-label='Add an idea or feature it tests']"), "checkout").await;
    a.click_text(&format!("{EDITOR} ul[aria-label='Ideas and features'] button"), "+ Checkout redesign").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Tests'] li a"), "Checkout redesign").await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Tests'] li a"), "Checkout redesign").await;

    // A third arm: two comparisons, judged at 2.5 % each.
    add_variant(&a, "Two pages", "5000", "262").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Verdict']"), "2 comparisons were made against the control: each is judged at 5 % ÷ 2 = 2.5 % (Bonferroni)").await;
    a.wait_until(&format!("document.querySelectorAll('{EDITOR} .variant-verdict dd.z').length === 2"), "a row per variant").await;
    a.wait_for_text(&format!("{EDITOR} .variant-verdicts"), "No clear difference at 2.5 %").await;
    a.eval(&format!("document.querySelector('{EDITOR} .verdict').scrollIntoView()")).await;
    a.screenshot("e2e-experiment-verdict").await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.eval(&format!("document.querySelector('{EDITOR} .verdict').scrollIntoView()")).await;
    a.screenshot("e2e-experiment-phone").await;
    a.eval(&format!("document.querySelector('{EDITOR} .counts-field').scrollIntoView()")).await;
    a.screenshot("e2e-experiment-variants-phone").await;

    // The feature shows the experiment that tests it.
    a.client.set_window_size(1280, 900).await.unwrap();
    a.click_text("a.nav-link", "Features").await;
    a.click_text("ul[aria-label='Features'] .item-row a", "Checkout redesign").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Experiments'] li a"), "One-page checkout").await;

    a.close().await;
    b.close().await;
}
