//! Risks weighed together through the real relay, in two real headless Chromiums: A
//! scores risks, puts two in one cell of the heat map and narrows the list to it; B
//! sees the map change live, and the feature a risk threatens carries its score on
//! B's board.

use waymark_e2e::{keys, Browser, Relay};

const EDITOR: &str = "aside.editor";
/// The heat map's cell for likelihood 4 and impact 5.
const CELL_4_5: &str = "button.heat-cell[aria-label^='Likelihood 4, impact 5 ']";

/// Adds a risk scored `likelihood` × `impact` on the Risks page, threatening `feature`
/// if given; leaves its editor open.
async fn add_risk(b: &Browser, title: &str, likelihood: &str, impact: &str, feature: Option<&str>) {
    b.type_into("input[aria-label='New risk title']", &format!("{title}{}", keys::ENTER)).await;
    b.wait_until(
        &format!("(() => {{ const t = document.querySelector(\"{EDITOR} [placeholder='Card processor outage on launch day']\"); return t && t.value === {title:?}; }})()"),
        "the new risk's editor",
    )
    .await;
    b.select(&format!("{EDITOR} select[aria-label='Likelihood']"), likelihood).await;
    b.select(&format!("{EDITOR} select[aria-label='Impact']"), impact).await;
    let score: u32 = likelihood.parse::<u32>().unwrap() * impact.parse::<u32>().unwrap();
    b.wait_for_text(&format!("{EDITOR} .risk-score .badge"), &format!("Score {score}")).await;
    if let Some(feature) = feature {
        b.type_into(&format!("{EDITOR} input[aria-label='Add a feature or release it threatens']"), feature).await;
        b.click_text(&format!("{EDITOR} ul[aria-label='Features and releases'] button"), &format!("+ {feature}")).await;
        b.wait_for_text(&format!("{EDITOR} section[aria-label='Threatens'] li a"), feature).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn teammates_weigh_risks_on_a_heat_map() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    a.create_workspace(&relay, "Payments").await;
    a.set_name("Ada Lovelace").await;
    a.click_text("a.nav-link", "Roadmap").await;
    a.type_into("input[aria-label='New feature in Next']", &format!("Offline mode{}", keys::ENTER)).await;
    a.wait_for_text("ol[aria-label='Next'] .card", "Offline mode").await;

    let (edit_link, _) = a.share_links().await;
    b.join(&relay, &edit_link, "Grace Hopper").await;
    b.click_text("a.nav-link", "Risks").await;
    b.wait_for_text("h1.page-title", "Risks").await;

    // A scores three risks: two land in the same cell (likelihood 4 × impact 5).
    a.click_text("a.nav-link", "Risks").await;
    a.wait_for_text("h1.page-title", "Risks").await;
    add_risk(&a, "Processor outage on launch day", "4", "5", Some("Offline mode")).await;
    add_risk(&a, "Key engineer leaves", "4", "5", None).await;
    add_risk(&a, "Typo in the docs", "2", "1", None).await;
    a.wait_for_text(CELL_4_5, "2").await;
    a.wait_for_text("button.heat-cell[aria-label^='Likelihood 2, impact 1 ']", "1").await;
    let label = a.eval(&format!("return document.querySelector(\"{CELL_4_5}\").getAttribute('aria-label')")).await;
    assert_eq!(label.as_str(), Some("Likelihood 4, impact 5 (score 20, high): 2 risks"));
    a.wait_for_text(".item-row .badge.zone-high", "Score 20 · High").await;
    a.wait_for_text(".item-row .badge.zone-low", "Score 2 · Low").await;

    // B sees the map change live.
    b.wait_for_text(CELL_4_5, "2").await;
    b.wait_until("document.querySelectorAll('.item-list .item-row').length === 3", "B to list the three risks").await;

    // A narrows the list to that cell, and back.
    a.click(CELL_4_5).await;
    a.wait_until("document.querySelectorAll('.item-list .item-row').length === 2", "only the cell's two risks listed").await;
    let titles = a.texts(".item-list .item-title").await;
    assert_eq!(titles, ["Key engineer leaves", "Processor outage on launch day"]);
    a.wait_for_text(".only-chip", "Showing likelihood 4 × impact 5").await;
    assert_eq!(a.eval(&format!("return document.querySelector(\"{CELL_4_5}\").getAttribute('aria-pressed')")).await.as_str(), Some("true"));
    a.click(&format!("{EDITOR} button[aria-label='Close editor (Esc)']")).await;
    a.wait_until(&format!("!document.querySelector('{EDITOR}')"), "the editor closed").await;
    a.screenshot("e2e-risks-heat-map").await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.screenshot("e2e-risks-phone").await;
    a.client.set_window_size(1280, 900).await.unwrap();
    a.click_text(".only-chip button", "Show all").await;
    a.wait_until("document.querySelectorAll('.item-list .item-row').length === 3", "every risk listed again").await;

    // The feature it threatens carries the highest open risk's score on B's board and in
    // its editor.
    b.click_text("a.nav-link", "Roadmap").await;
    b.wait_for_text("ol[aria-label='Next'] .card .flag-risk.zone-high", "Risk 20").await;
    b.screenshot("e2e-risks-board").await;
    b.click_text("ol[aria-label='Next'] .card a.card-title", "Offline mode").await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Risks'] li"), "Processor outage on launch day").await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Risks'] .badge.zone-high"), "Score 20 · High").await;

    // A mitigates it: it leaves the map and the card.
    a.click_text(".item-list .item-title", "Processor outage on launch day").await;
    a.select(&format!("{EDITOR} select[aria-label='Status']"), "mitigated").await;
    a.wait_for_text(CELL_4_5, "1").await;
    b.wait_until("!document.querySelector(\".card .flag-risk\")", "B's card to lose its risk flag").await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Risks']"), "No open risk threatens it.").await;

    a.close().await;
    b.close().await;
}
