//! A product manager's first morning with Waymark, in a real Chromium against the real
//! server: create a workspace, write the brief, work through ideas, reload, go offline.

use waymark_e2e::{keys, Browser, Relay};

const ROWS: &str = ".idea-row .idea-title";

async fn create_workspace(b: &Browser, name: &str) {
    b.wait_for_text("h1", "Your workspaces").await;
    b.type_into("input[aria-label='New workspace name']", name).await;
    b.click(".create-form button[type=submit]").await;
    b.wait_for_text("h1.page-title", "Brief").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pm_captures_and_works_through_ideas_and_finds_everything_after_reload_and_offline() {
    let mut relay = Relay::start().await;
    let b = Browser::start().await;
    b.goto(&relay.url("/")).await;
    create_workspace(&b, "Payments").await;

    // The brief: text fields and the business case, with ROI worked out.
    b.type_into("textarea[placeholder^='Where is this product going']", "Every small business gets paid on time.").await;
    b.type_into("textarea[placeholder^='e.g. Weekly active teams']", "Teams sending an invoice weekly").await;
    let numbers = "input[type=number]";
    b.wait_for(numbers).await;
    let inputs = b.client.find_all(fantoccini::Locator::Css(numbers)).await.unwrap();
    inputs[0].send_keys(&format!("300000{}", keys::TAB)).await.unwrap();
    inputs[1].send_keys(&format!("120000{}", keys::TAB)).await.unwrap();
    b.wait_for_text(".roi-value", "150 % = (300,000 − 120,000) ÷ 120,000").await;
    b.screenshot("e2e-brief").await;

    // Ideas: quick capture with Enter.
    b.click("a.nav-link[href$='/ideas']").await;
    for title in ["Offline mode for the mobile app", "Invoice reminders by email", "Export ledger to CSV"] {
        b.type_into("input[aria-label='New idea']", &format!("{title}{}", keys::ENTER)).await;
        b.wait_for_text(ROWS, title).await;
    }
    assert_eq!(b.texts(ROWS).await.len(), 3);

    // Edit one idea: description, tag, status, votes.
    b.click_text(".idea-row a", "Invoice reminders").await;
    b.wait_for("aside.editor").await;
    b.type_into("aside.editor textarea[placeholder^='The problem']", "Finance admins chase late payers by hand.").await;
    b.type_into("input[aria-label='Add a tag']", &format!("billing{}", keys::ENTER)).await;
    b.wait_for_text(".tag-removable", "billing").await;
    b.click_text("aside.editor button", "→ Accepted").await;
    b.click("button[aria-label='Add a vote']").await;
    b.click("button[aria-label='Add a vote']").await;
    b.wait_for_text("output.vote-count", "2").await;
    b.wait_for_text(".idea-row.active .badge", "Accepted").await;
    b.screenshot("e2e-idea-editor").await;
    // Esc closes the editor.
    b.type_into("body", keys::ESCAPE).await;
    b.wait_until("!document.querySelector('aside.editor')", "the editor to close").await;

    // Filters, search and sort.
    b.select("select[aria-label='Filter by status']", "accepted").await;
    b.wait_until(&format!("document.querySelectorAll('{ROWS}').length === 1"), "one accepted idea").await;
    assert_eq!(b.texts(ROWS).await, ["Invoice reminders by email"]);
    b.select("select[aria-label='Filter by status']", "").await;
    b.select("select[aria-label='Filter by tag']", "billing").await;
    b.wait_until(&format!("document.querySelectorAll('{ROWS}').length === 1"), "one billing idea").await;
    b.click_text("button", "Clear filters").await;
    // `/` jumps to search.
    b.type_into("body", "/").await;
    b.wait_until("document.activeElement && document.activeElement.getAttribute('aria-label') === 'Search ideas'", "/ to focus search").await;
    b.type_into("input[aria-label='Search ideas']", "ledger").await;
    b.wait_until(&format!("document.querySelectorAll('{ROWS}').length === 1"), "one search hit").await;
    assert_eq!(b.texts(ROWS).await, ["Export ledger to CSV"]);
    b.click_text("button", "Clear filters").await;
    b.select("select[aria-label='Sort ideas']", "votes").await;
    b.wait_until(&format!("document.querySelector('{ROWS}').textContent === 'Invoice reminders by email'"), "most votes first").await;

    // Delete with undo, then delete for real.
    b.click_text(".idea-row a", "Export ledger").await;
    b.click_text("aside.editor button", "Delete idea").await;
    b.wait_until(&format!("document.querySelectorAll('{ROWS}').length === 2"), "the idea to go").await;
    b.click_text(".toast button", "Undo").await;
    b.wait_for_text(ROWS, "Export ledger to CSV").await;
    b.click_text(".idea-row a", "Export ledger").await;
    b.click_text("aside.editor button", "Delete idea").await;
    b.wait_until(&format!("document.querySelectorAll('{ROWS}').length === 2"), "the idea to go again").await;

    // Reloading straight after typing (no pause for the save) loses nothing.
    b.click_text(".idea-row a", "Offline mode").await;
    b.type_into("aside.editor textarea[placeholder^='The problem']", "Typed just before closing the tab").await;
    b.reload().await;
    b.wait_for_text(ROWS, "Offline mode for the mobile app").await;
    b.click_text(".idea-row a", "Offline mode").await;
    b.wait_until(
        "document.querySelector(\"aside.editor textarea[placeholder^='The problem']\")?.value === 'Typed just before closing the tab'",
        "the last keystrokes to survive the reload",
    )
    .await;
    b.type_into("body", keys::ESCAPE).await;

    // `n` starts a new idea from anywhere on the page.
    b.type_into("body", "n").await;
    b.wait_until("document.activeElement && document.activeElement.getAttribute('aria-label') === 'New idea'", "n to focus capture").await;
    b.wait_for_text(".save-state", "Saved on this device").await;

    // Reload right away: everything is still there.
    b.reload().await;
    b.wait_for_text(ROWS, "Invoice reminders by email").await;
    let mut titles = b.texts(ROWS).await;
    titles.sort();
    assert_eq!(titles, ["Invoice reminders by email", "Offline mode for the mobile app"]);
    b.click_text(".idea-row a", "Invoice reminders").await;
    b.wait_for_text(".tag-removable", "billing").await;
    assert_eq!(b.value("aside.editor textarea[placeholder^='The problem']").await, "Finance admins chase late payers by hand.");
    b.wait_for_text("output.vote-count", "2").await;
    b.click("a.nav-link[href$='/brief']").await;
    b.wait_for_text(".roi-value", "150 %").await;
    assert_eq!(b.value("textarea[placeholder^='Where is this product going']").await, "Every small business gets paid on time.");

    // Offline: once the app shell is cached, stop the server and reload.
    b.wait_until("navigator.serviceWorker.controller !== null", "the service worker to control the page").await;
    let cached = b
        .eval_async("const done = arguments[0]; caches.keys().then(k => Promise.all(k.map(n => caches.open(n).then(c => c.keys())))).then(r => done(r.flat().length));")
        .await;
    assert!(cached.as_u64().unwrap_or(0) >= 5, "the app shell is precached: {cached}");
    relay.stop();
    b.click("a.nav-link[href$='/ideas']").await;
    b.reload().await;
    b.wait_for_text(ROWS, "Offline mode for the mobile app").await;
    assert_eq!(b.texts(ROWS).await.len(), 2);
    b.screenshot("e2e-offline").await;
    // Edits made offline are saved too.
    b.type_into("input[aria-label='New idea']", &format!("Written on the train{}", keys::ENTER)).await;
    b.wait_for_text(".save-state", "Saved on this device").await;
    b.reload().await;
    b.wait_for_text(ROWS, "Written on the train").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspace_exported_and_reimported_comes_back_whole_and_bad_files_change_nothing() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.goto(&relay.url("/")).await;
    create_workspace(&b, "Field sales").await;
    b.click("a.nav-link[href$='/ideas']").await;
    for title in ["Sync when back online", "Conflict-free note merge"] {
        b.type_into("input[aria-label='New idea']", &format!("{title}{}", keys::ENTER)).await;
        b.wait_for_text(ROWS, title).await;
    }
    b.wait_for_text(".save-state", "Saved on this device").await;

    for (item, suffix) in [("Automerge file", ".automerge"), ("JSON", ".json"), ("Markdown", ".md")] {
        b.click("details.menu summary").await;
        b.click_text(".menu-panel button", item).await;
        b.wait_for_download(suffix).await;
    }
    let automerge = b.wait_for_download(".automerge").await;
    let json = b.wait_for_download(".json").await;
    let markdown = std::fs::read_to_string(b.wait_for_download(".md").await).unwrap();
    assert!(markdown.starts_with("# Field sales"), "{markdown}");
    assert!(markdown.contains("Conflict-free note merge"), "the idea is in the export: {markdown}");
    assert!(markdown.contains("\n## Ranking: RICE\n"), "and ranked under the workspace's framework: {markdown}");
    let exported: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(exported["version"], 4, "{exported}");
    assert_eq!(exported["ideas"].as_array().map(Vec::len), Some(2), "{exported}");
    assert_eq!(exported["prioritization"]["framework"], "rice", "{exported}");

    // Delete the workspace, then bring it back from the file.
    b.click("a.brand").await;
    b.wait_for_text(".workspace-card h2", "Field sales").await;
    b.click_text(".workspace-card button", "Delete").await;
    b.click_text(".dialog button", "Delete workspace").await;
    b.wait_for_text(".empty h2", "No workspaces yet").await;
    b.wait_for("input[type=file]").await.send_keys(&automerge.to_string_lossy()).await.unwrap();
    b.wait_for_text(".toast", "Imported “Field sales”").await;
    b.wait_for_text(".workspace-card", "2 ideas").await;

    // JSON import makes a second, separate workspace.
    b.wait_for("input[type=file]").await.send_keys(&json.to_string_lossy()).await.unwrap();
    b.wait_until("document.querySelectorAll('.workspace-card').length === 2", "a second workspace from JSON").await;
    b.wait_for_text(".workspace-card h2", "Field sales (imported)").await;

    // A file that is not what it claims: a clear error, nothing created.
    let bad = b.downloads.join("broken.json");
    std::fs::write(&bad, "{ this is not json").unwrap();
    b.wait_for("input[type=file]").await.send_keys(&bad.to_string_lossy()).await.unwrap();
    b.wait_for_text(".toast-error", "This JSON file can't be imported").await;
    let garbage = b.downloads.join("garbage.automerge");
    std::fs::write(&garbage, [0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 5]).unwrap();
    b.wait_for("input[type=file]").await.send_keys(&garbage.to_string_lossy()).await.unwrap();
    b.wait_for_text(".toast-error", "This file can't be imported").await;
    assert_eq!(b.texts(".workspace-card").await.len(), 2);
    b.screenshot("e2e-home-after-import").await;

    b.click_text(".workspace-card h2", "Field sales").await;
    // A workspace opens on its overview.
    b.wait_for_text("h1.page-title", "Overview").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Conflict-free note merge").await;
    assert_eq!(b.texts(ROWS).await.len(), 2);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_big_json_file_imports_in_the_background_and_shows_how_far_it_got() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    let path = b.big_backlog(4_000);
    b.goto(&relay.url("/")).await;
    b.wait_for_text(".empty h2", "No workspaces yet").await;
    // Every distinct progress text the page shows, as it shows it.
    b.eval(
        "window.seenProgress = new Set();
         new MutationObserver(() => {
             const words = document.querySelector('.import-progress span');
             if (words) window.seenProgress.add(words.textContent);
         }).observe(document.body, { subtree: true, childList: true, characterData: true });
         return true;",
    )
    .await;
    b.wait_for("input[type=file]").await.send_keys(&path.to_string_lossy()).await.unwrap();
    b.wait_for("progress[aria-label='Import progress']").await;
    b.screenshot("e2e-home-importing").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("e2e-home-importing-390").await;
    b.client.set_window_size(1400, 1000).await.unwrap();
    b.wait_for_text(".toast", "Imported “Big backlog”").await;
    b.wait_for_text(".workspace-card", "4,000 ideas").await;
    assert!(b.texts(".import-progress").await.is_empty(), "the bar goes once the import is done");

    // The page drew the count moving while the worker wrote: it was never blocked.
    let seen = b.eval("return [...window.seenProgress];").await;
    let midway: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .filter(|t| t.starts_with("Importing… ") && t.ends_with(" of 4,000 items") && !t.starts_with("Importing… 4,000"))
        .collect();
    assert!(midway.len() >= 2, "the count was shown moving, not only at the end: {seen}");

    b.click_text(".workspace-card h2", "Big backlog").await;
    b.wait_for_text("h1.page-title", "Overview").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Imported idea 1").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_big_workspace_paints_from_its_view_cache_on_the_next_visit_and_an_edit_made_at_once_is_kept() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    let path = b.big_backlog(4_000);
    b.goto(&relay.url("/")).await;
    b.wait_for("input[type=file]").await.send_keys(&path.to_string_lossy()).await.unwrap();
    b.wait_for_text(".workspace-card", "4,000 ideas").await;
    b.click_text(".workspace-card h2", "Big backlog").await;
    b.wait_for_text("h1.page-title", "Overview").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Imported idea 1").await;
    // The first visit read the document and keeps a view cache beside it.
    b.wait_for_view_caches(1).await;

    // Every save-state text the next visit shows, from its very first frame.
    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        serde_json::json!({ "source": "window.seenStates = [];
            new MutationObserver(() => {
                const s = document.querySelector('.save-state');
                if (s && window.seenStates[window.seenStates.length - 1] !== s.textContent) window.seenStates.push(s.textContent);
            }).observe(document, { subtree: true, childList: true, characterData: true });" }),
    )
    .await;
    b.reload().await;
    b.wait_for_text(ROWS, "Imported idea 1").await;
    // Typed the moment the list shows: kept whether the document had loaded or not.
    b.click_text(".idea-row a", "Imported idea 1").await;
    b.type_into("aside.editor textarea[placeholder^='The problem']", " Typed at once.").await;
    b.wait_for_text(".save-state", "Saved on this device").await;
    let seen = b.eval("return window.seenStates;").await;
    assert_eq!(seen[0], "Opening…", "the list was drawn from the view cache while the document loaded: {seen}");
    b.screenshot("e2e-ideas-opening").await;

    b.reload().await;
    b.wait_for_text(ROWS, "Imported idea 1").await;
    b.click_text(".idea-row a", "Imported idea 1").await;
    b.wait_until(
        "document.querySelector(\"aside.editor textarea[placeholder^='The problem']\").value.endsWith('review. Typed at once.')",
        "the edit made at once to be there after a reload",
    )
    .await;
    b.close().await;
}
