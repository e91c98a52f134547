//! History in real headless Chromium against the real relay: two people edit, the
//! Activity feed names both; one travels back before the other's edit, sees the old
//! text, restores it, and the other sees the restore arrive live.

use waymark_e2e::{keys, Browser, Relay, UP_TO_DATE};

const ROWS: &str = ".idea-row .idea-title";
const DESCRIPTION: &str = "aside.editor textarea[placeholder^='The problem']";

async fn add_idea(b: &Browser, title: &str) {
    b.type_into("input[aria-label='New idea']", &format!("{title}{}", keys::ENTER)).await;
    b.wait_for_text(ROWS, title).await;
}

async fn open_idea(b: &Browser, title: &str) {
    b.click("a.nav-link[href$='/ideas']").await;
    b.click_text(".idea-row a", title).await;
    b.wait_for(DESCRIPTION).await;
}

fn description_is(text: &str) -> String {
    format!("document.querySelector(\"{DESCRIPTION}\")?.value === {text:?}")
}

#[tokio::test(flavor = "multi_thread")]
async fn two_people_show_in_activity_and_a_restore_from_the_past_reaches_the_other_live() {
    let relay = Relay::start().await;
    let (a, b) = Browser::ada_and_grace(&relay).await;

    // Ada writes an idea's description; Grace adds an idea and rewrites that description.
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Dark mode").await;
    open_idea(&a, "Dark mode").await;
    a.type_into(DESCRIPTION, "Easier on the eyes at night.").await;
    b.click("a.nav-link[href$='/ideas']").await;
    add_idea(&b, "Bulk export").await;
    open_idea(&b, "Dark mode").await;
    b.wait_until(&description_is("Easier on the eyes at night."), "Ada's description at Grace's").await;
    b.type_into(DESCRIPTION, " Grace: only for the mobile app.").await;
    let rewritten = "Easier on the eyes at night. Grace: only for the mobile app.";
    a.wait_until(&description_is(rewritten), "Grace's rewrite at Ada's").await;
    b.wait_until(UP_TO_DATE, "Grace's edits at the relay").await;

    // Activity names both people, and filters by either.
    a.type_into("body", keys::ESCAPE).await;
    a.click("a.nav-link[href$='/activity']").await;
    a.wait_for_text("h1.page-title", "Activity").await;
    a.wait_for_text(".feed-line", "Ada Lovelace added idea “Dark mode”").await;
    a.wait_for_text(".feed-line", "Grace Hopper added idea “Bulk export”").await;
    a.wait_for_text(".feed-line", "Grace Hopper changed idea “Dark mode”").await;
    a.select("select[aria-label='Filter by person']", "Grace Hopper").await;
    a.wait_until(
        "[...document.querySelectorAll('.feed-line strong')].every(s => s.textContent === 'Grace Hopper')",
        "only Grace's changes",
    )
    .await;
    a.screenshot("e2e-activity").await;

    // Back to just before Grace's first change of that description: Ada's text.
    let before_grace = "[...document.querySelectorAll('.feed-row button')].filter(b => b.getAttribute('aria-label') === 'Before this: Grace Hopper changed idea “Dark mode”').pop()";
    a.wait_until(before_grace, "Grace's change of Dark mode in the feed").await;
    a.eval(&format!("{before_grace}.click(); return true")).await;
    a.wait_for_text(".time-travel", "As it was after").await;
    a.click("a.nav-link[href$='/ideas']").await;
    a.click_text(".idea-row a", "Dark mode").await;
    // The past reads like a view link: text, not fields.
    a.wait_for_text("aside.editor", "Easier on the eyes at night.").await;
    let shown = a.wait_for("aside.editor").await.text().await.unwrap();
    assert!(!shown.contains("Grace: only for the mobile app."), "the past shows the old text only: {shown}");
    assert_eq!(a.eval(&format!("return document.querySelectorAll(\"{DESCRIPTION}\").length")).await, 0, "nothing to edit in the past");
    a.type_into("body", keys::ESCAPE).await;

    // Compare with now and restore; Grace sees it arrive.
    a.click("a.nav-link[href$='/activity']").await;
    let item = a.wait_for_text(".changed-item", "idea “Dark mode”").await;
    assert!(item.text().await.unwrap().contains("Grace: only for the mobile app."), "the comparison shows what came since");
    a.wait_for(".changed-item ins").await;
    a.screenshot("e2e-time-travel").await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.screenshot("e2e-time-travel-phone").await;
    a.client.set_window_size(1400, 1000).await.unwrap();
    a.click("button[aria-label='Restore this version of idea “Dark mode”']").await;
    a.wait_for_text(".toast", "Restored idea “Dark mode” as it was.").await;
    b.wait_until(&description_is("Easier on the eyes at night."), "the restore at Grace's, live").await;
    a.wait_for_text(".changed-since", "Nothing differs").await;

    // Back to now: the restored text, and the restore is in the feed as Ada's change.
    a.click_text(".time-travel button", "Back to now").await;
    a.wait_until("!document.querySelector('.time-travel')", "the present").await;
    a.wait_for_text(".feed-line", "Ada Lovelace changed idea “Dark mode”").await;
    open_idea(&a, "Dark mode").await;
    a.wait_until(&description_is("Easier on the eyes at night."), "the restored text now").await;

    // Grace leaves; Ada adds an idea; when Grace comes back, what Ada changed while she
    // was away is marked as new to her, in the list and in Activity, and nothing else.
    b.wait_until(UP_TO_DATE, "Grace up to date before leaving").await;
    b.click("a.brand").await;
    b.wait_for_text("h1", "Your workspaces").await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Offline sync").await;
    a.wait_until(UP_TO_DATE, "Ada's idea at the relay").await;
    b.click_text(".workspace-card a.card-link", "Roadmap 2027").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_until(
        "[...document.querySelectorAll('.idea-row')].some(r => r.textContent.includes('Offline sync') && r.querySelector('.new-mark'))",
        "Offline sync marked as new to Grace",
    )
    .await;
    let marked: Vec<String> = b.texts(".idea-row:has(.new-mark) .idea-title").await;
    assert_eq!(marked, vec!["Offline sync".to_owned()], "only what changed while she was away is marked");
    b.click("a.nav-link[href$='/activity']").await;
    b.wait_for_text(".feed-row.new", "Ada Lovelace added idea “Offline sync”").await;
    assert_eq!(b.texts(".feed-row.new").await.len(), 1, "one change is new to Grace");
    a.close().await;
    b.close().await;
}
