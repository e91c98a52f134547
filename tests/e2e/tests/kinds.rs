//! Kinds described through the generic mechanism, in a real Chromium against the real
//! server: a competitor with a threat level, positioning and a feature comparison; a
//! trend with a date; search, delete with Undo, and everything still there after a
//! reload.

use waymark_e2e::{keys, Browser, Relay};

const EDITOR: &str = "aside.editor";

#[tokio::test(flavor = "multi_thread")]
async fn a_pm_tracks_a_competitor_and_a_trend() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.create_workspace(&relay, "Payments").await;

    // Competitors: the empty page says what they are for.
    b.click_text("a.nav-link", "Competitors").await;
    b.wait_for_text("h1.page-title", "Competitors").await;
    b.wait_for_text("ul[aria-label='Competitors'] .empty", "Who else your customers could choose").await;
    b.type_into("input[aria-label='New competitor name']", &format!("Acme Analytics{}", keys::ENTER)).await;
    b.wait_for(&format!("{EDITOR} select[aria-label='Threat level']")).await;
    b.select(&format!("{EDITOR} select[aria-label='Threat level']"), "high").await;
    b.type_into(&format!("{EDITOR} textarea[placeholder='Who they sell to and the promise they make']"), "Self-serve BI for small finance teams").await;
    b.type_into(&format!("{EDITOR} textarea[placeholder='Where customers complain about them']"), "No offline support").await;
    // Two rows of the feature comparison.
    b.type_into(&format!("{EDITOR} input[aria-label='New row of feature comparison']"), "Offline mode").await;
    b.select(&format!("{EDITOR} select[aria-label='Value for the new row']"), "we_lead").await;
    b.click_text(&format!("{EDITOR} .rows-add button"), "Add").await;
    b.wait_for(&format!("{EDITOR} select[aria-label='Offline mode']")).await;
    b.type_into(&format!("{EDITOR} input[aria-label='New row of feature comparison']"), &format!("Dashboards{}", keys::ENTER)).await;
    b.wait_for(&format!("{EDITOR} select[aria-label='Dashboards']")).await;
    b.select(&format!("{EDITOR} select[aria-label='Dashboards']"), "they_lead").await;
    b.wait_until(
        &format!("document.querySelector(\"{EDITOR} select[aria-label='Dashboards']\").value === 'they_lead'"),
        "the Dashboards row to say they lead",
    )
    .await;
    // The row shows the threat and the start of the positioning.
    let row = "ul[aria-label='Competitors'] .item-row";
    b.wait_for_text(row, "Acme Analytics").await;
    b.wait_for_text(&format!("{row} .badge"), "Threat level: High").await;
    b.wait_for_text(&format!("{row} .item-snippet"), "Self-serve BI for small finance teams").await;
    b.screenshot("e2e-competitors").await;

    // A second competitor; search looks in every field.
    b.type_into("input[aria-label='New competitor name']", &format!("Globex Sheets{}", keys::ENTER)).await;
    b.wait_for_text(row, "Globex Sheets").await;
    b.type_into(&format!("{EDITOR} textarea[placeholder='Where they beat us today']"), "Spreadsheet habits").await;
    b.type_into("input[aria-label='Search competitors']", "offline").await;
    b.wait_until(&format!("document.querySelectorAll(\"{row}\").length === 1"), "only Acme to match 'offline'").await;
    b.wait_for_text(row, "Acme Analytics").await;
    b.type_into("input[aria-label='Search competitors']", " pricing").await;
    b.wait_for_text("ul[aria-label='Competitors'] .empty", "No competitors match").await;
    b.type_into("input[aria-label='Search competitors']", &keys::BACKSPACE.repeat("offline pricing".len())).await;
    b.wait_until(&format!("document.querySelectorAll(\"{row}\").length === 2"), "both competitors listed again").await;

    // Delete with Undo.
    b.click_text(&format!("{row} a"), "Globex Sheets").await;
    b.click_text(&format!("{EDITOR} button"), "Delete competitor").await;
    b.wait_until(&format!("document.querySelectorAll(\"{row}\").length === 1"), "Globex gone from the list").await;
    b.click_text(".toast button", "Undo").await;
    b.wait_for_text(row, "Globex Sheets").await;

    // Trends: a dated trend with its impact.
    b.click_text("a.nav-link", "Trends").await;
    b.wait_for_text("h1.page-title", "Trends").await;
    b.type_into("input[aria-label='New trend title']", &format!("Usage-based pricing{}", keys::ENTER)).await;
    b.wait_for(&format!("{EDITOR} input[aria-label='Date']")).await;
    b.type_into(&format!("{EDITOR} input[aria-label='Date']"), &format!("03312026{}", keys::TAB)).await;
    b.select(&format!("{EDITOR} select[aria-label='Impact level']"), "medium").await;
    b.type_into(&format!("{EDITOR} textarea[placeholder='What it could change for our customers and our roadmap']"), "Seat pricing starts to look dated").await;
    let trend_row = "ul[aria-label='Trends'] .item-row";
    b.wait_for_text(trend_row, "2026-03-31").await;
    b.wait_for_text(&format!("{trend_row} .badge"), "Impact level: Medium").await;
    b.screenshot("e2e-trends").await;
    // On a phone the editor takes the whole screen.
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("e2e-trends-phone").await;
    b.type_into("body", keys::ESCAPE).await;
    b.wait_for_text(trend_row, "Usage-based pricing").await;
    b.screenshot("e2e-trends-phone-list").await;
    b.client.set_window_size(1400, 1000).await.unwrap();

    // Everything is still there after a reload (saved in the browser).
    b.wait_for_text(&format!("{trend_row} .item-snippet"), "Seat pricing starts to look dated").await;
    b.wait_for_text(".save-state", "Saved on this device").await;
    b.reload().await;
    b.wait_for_text(trend_row, "Usage-based pricing").await;
    b.wait_for_text(trend_row, "2026-03-31").await;
    b.click_text("a.nav-link", "Competitors").await;
    b.click_text(&format!("{row} a"), "Acme Analytics").await;
    b.wait_until(
        &format!("document.querySelector(\"{EDITOR} select[aria-label='Offline mode']\") && document.querySelector(\"{EDITOR} select[aria-label='Offline mode']\").value === 'we_lead'"),
        "the comparison kept after a reload",
    )
    .await;
    assert_eq!(b.value(&format!("{EDITOR} select[aria-label='Threat level']")).await, "high");
    b.close().await;
}
