//! The smallest end-to-end check: the real server serves the app and Chromium shows
//! its home page.

use waymark_e2e::{Browser, Relay};

#[tokio::test(flavor = "multi_thread")]
async fn the_home_page_opens_in_chromium() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.goto(&relay.url("/")).await;
    // The heading reads "Your workspaces".
    b.wait_for_text("h1", "workspaces").await;
    let png = std::fs::read(b.screenshot("home").await).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    b.close().await;
}
