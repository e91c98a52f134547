//! Docs in a real Chromium against the real server: a spec written in Markdown with a
//! live preview in which nothing hostile runs (script, image handler, javascript:
//! link), the list grouped and filtered by kind and searched, links between documents
//! and ideas made from both sides, delete with Undo, and everything still there after
//! a reload.

use std::time::Duration;

use waymark_e2e::{keys, Browser, Relay};

const IDEA: &str = "Invoice reminders by email";
const BODY: &str = "# Reminders\n\nSend **polite** reminders before the due date.\n\n- day 7\n- day 14\n\n\
                    <script>window.__pwned=1</script>\n\n<img src=x onerror=\"window.__pwned=2\">\n\n\
                    [**click me**](javascript:window.__pwned=3) or read the [safe](https://example.com) guide.\n";

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

async fn not_pwned(b: &Browser) {
    assert_eq!(b.eval("return window.__pwned === undefined;").await, true, "something from the document ran");
}

async fn create_doc(b: &Browser, title: &str, kind: &str) {
    b.type_into("input[aria-label='New document title']", title).await;
    b.select("select[aria-label='Kind of new document']", kind).await;
    b.click(".doc-capture button[type=submit]").await;
    b.wait_until(&format!("document.querySelector(\"aside.editor input[aria-label='Document title']\")?.value === {}", js(title)), "the new document open").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spec_renders_safely_links_to_an_idea_from_both_sides_and_persists() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.create_workspace(&relay, "Payments").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.type_into("input[aria-label='New idea']", &format!("{IDEA}{}", keys::ENTER)).await;
    b.wait_for_text(".idea-row .idea-title", IDEA).await;

    // An empty library says how to start.
    b.click("a.nav-link[href$='/docs']").await;
    b.wait_for_text("h1.page-title", "Docs").await;
    b.wait_for_text(".list-pane .empty", "No documents yet").await;

    // A spec: on a wide screen the Markdown and its preview sit side by side.
    create_doc(&b, "Reminder spec", "spec").await;
    b.wait_for_text("aside.editor .doc-tab[aria-selected='true']", "Side by side").await;
    b.wait_until("document.activeElement?.getAttribute('aria-label') === 'Document body (Markdown)'", "the cursor in the new document's body").await;
    b.type_into("aside.editor textarea[aria-label='Document body (Markdown)']", BODY).await;
    b.wait_until(&format!("document.querySelector('aside.editor textarea').value === {}", js(BODY)), "the body typed").await;

    // The preview renders the Markdown as the user types.
    b.wait_for_text(".doc-preview h1", "Reminders").await;
    b.wait_for_text(".doc-preview strong", "polite").await;
    assert_eq!(b.texts(".doc-preview li").await, ["day 7", "day 14"]);
    // The script and the image handler are shown as the text they are, never elements.
    b.wait_for_text(".doc-preview", "<script>window.__pwned=1</script>").await;
    b.wait_for_text(".doc-preview", "<img src=x onerror=\"window.__pwned=2\">").await;
    assert_eq!(
        b.eval("return document.querySelectorAll('.doc-preview script, .doc-preview img, .doc-preview [onerror], .doc-preview [onclick], img[onerror]').length;").await,
        0
    );
    // The javascript: link is plain text; the https one is a real link.
    let hrefs = b.eval("return [...document.querySelectorAll('.doc-preview a')].map(a => [a.textContent, a.getAttribute('href')]);").await;
    assert_eq!(hrefs, serde_json::json!([["safe", "https://example.com"]]));
    assert_eq!(b.eval("return document.querySelector('.doc-preview').innerHTML.toLowerCase().includes('javascript:window');").await, false);
    b.click_text(".doc-preview strong", "click me").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    not_pwned(&b).await;
    assert!(b.eval("return location.pathname;").await.as_str().unwrap().contains("/docs/"), "still on the document");
    // The safe link opens in a new tab and leaves the app where it was.
    let before = b.client.windows().await.unwrap();
    b.click_text(".doc-preview a", "safe").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while b.client.windows().await.unwrap().len() == before.len() {
        assert!(std::time::Instant::now() < deadline, "the https link opened no tab");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let app = b.client.window().await.unwrap();
    for w in b.client.windows().await.unwrap() {
        if !before.contains(&w) {
            b.client.switch_to_window(w).await.unwrap();
            b.client.close_window().await.unwrap();
        }
    }
    b.client.switch_to_window(app).await.unwrap();
    assert!(b.eval("return location.pathname;").await.as_str().unwrap().contains("/docs/"), "the app stays open");
    not_pwned(&b).await;
    b.screenshot("docs-editor-preview").await;

    // Write and Preview show one side each.
    b.click_text("aside.editor .doc-tab", "Preview").await;
    b.wait_until("!document.querySelector(\"aside.editor textarea[aria-label='Document body (Markdown)']\") && document.querySelector('.doc-preview h1')", "the preview alone").await;
    b.click_text("aside.editor .doc-tab", "Write").await;
    b.wait_until("document.querySelector(\"aside.editor textarea[aria-label='Document body (Markdown)']\") && !document.querySelector('.doc-preview')", "the Markdown alone").await;
    b.click_text("aside.editor .doc-tab", "Side by side").await;
    b.wait_for(".doc-preview h1").await;

    // Link the spec to the idea from the document.
    b.wait_for_text("aside.editor .doc-links", "Not linked yet").await;
    b.type_into("aside.editor input[aria-label='Link to an idea or story']", "remind").await;
    b.click_text("aside.editor .doc-links .suggestions button", IDEA).await;
    b.wait_for_text("aside.editor .doc-links .link-list a", IDEA).await;

    // A decision record; the list groups documents by kind, filters and searches.
    create_doc(&b, "Billing provider decision", "decision").await;
    b.type_into("aside.editor textarea[aria-label='Document body (Markdown)']", "## Context\n\nWe chose Stripe for invoices.").await;
    b.wait_for_text(".doc-preview h2", "Context").await;
    b.click("aside.editor button[aria-label='Close editor (Esc)']").await;
    b.wait_until("!document.querySelector('aside.editor')", "the editor closed").await;
    let groups = b.eval("return [...document.querySelectorAll('.doc-group')].map(g => [g.querySelector('.doc-group-title').firstChild.textContent, g.querySelectorAll('.doc-row').length]);").await;
    assert_eq!(groups, serde_json::json!([["Specs", 1], ["Decision records", 1]]));
    b.wait_for_text(".doc-row", "Reminders").await; // the first line of the body
    b.wait_for_text(".doc-row .badge", "Decision record").await;
    b.screenshot("docs-list").await;
    b.click_text(".doc-kinds button", "Decision record").await;
    b.wait_until("document.querySelectorAll('.doc-row').length === 1", "only the decision").await;
    b.wait_for_text(".doc-row .item-title", "Billing provider decision").await;
    b.click_text(".doc-kinds button", "All").await;
    b.type_into("input[aria-label='Search documents']", "polite").await;
    b.wait_until("document.querySelectorAll('.doc-row').length === 1", "only the spec").await;
    b.wait_for_text(".doc-row .item-title", "Reminder spec").await;
    b.type_into("input[aria-label='Search documents']", " nothing like this").await;
    b.wait_for_text(".list-pane .empty", "No document matches").await;
    b.click_text(".list-pane .empty button", "Clear search").await;
    b.wait_until("document.querySelectorAll('.doc-row').length === 2", "both documents again").await;

    // From the idea: its docs, link another, and start a spec already linked.
    b.click_text(".doc-row", "Reminder spec").await;
    b.click_text("aside.editor .doc-links .link-list a", IDEA).await;
    b.wait_for_text("aside.editor .linked-docs .linked-doc a", "Reminder spec").await;
    b.wait_for_text("aside.editor .linked-docs .linked-doc .badge", "Spec").await;
    b.type_into("aside.editor input[aria-label='Link a document']", "billing").await;
    b.click_text("aside.editor .linked-docs .suggestions button", "Billing provider decision").await;
    b.wait_for_text("aside.editor .linked-docs .linked-doc a", "Billing provider decision").await;
    b.eval("document.querySelector('.linked-docs').scrollIntoView({block: 'center'});").await;
    b.screenshot("docs-idea-section").await;
    b.click_text("aside.editor .linked-docs button", "Write a spec for this").await;
    b.wait_until(&format!("document.querySelector(\"aside.editor input[aria-label='Document title']\")?.value === {}", js(&format!("Spec: {IDEA}"))), "the new spec open").await;
    b.wait_for_text("aside.editor .doc-links .link-list a", IDEA).await;

    // Delete with Undo.
    b.click_text(".doc-row", "Billing provider decision").await;
    b.click_text("aside.editor button", "Delete document").await;
    b.wait_for_text(".toast", "Document deleted").await;
    b.wait_until("![...document.querySelectorAll('.doc-row')].some(r => r.textContent.includes('Billing provider decision'))", "the decision gone from the list").await;
    b.click_text(".toast button", "Undo").await;
    b.wait_for_text(".doc-row .item-title", "Billing provider decision").await;

    // After a reload everything is still there, still inert.
    b.click_text(".doc-row", "Reminder spec").await;
    b.wait_for_text(".doc-preview h1", "Reminders").await;
    b.reload().await;
    b.wait_for_text(".doc-preview h1", "Reminders").await;
    assert_eq!(b.value("aside.editor textarea[aria-label='Document body (Markdown)']").await, BODY);
    assert_eq!(b.value("aside.editor input[aria-label='Document title']").await, "Reminder spec");
    assert_eq!(b.value("aside.editor select[aria-label='Kind']").await, "spec");
    b.wait_for_text(".doc-preview", "<script>window.__pwned=1</script>").await;
    assert_eq!(b.eval("return document.querySelectorAll('.doc-preview script, .doc-preview img, img[onerror]').length;").await, 0);
    b.wait_for_text("aside.editor .doc-links .link-list a", IDEA).await;
    assert_eq!(b.texts(".doc-row .item-title").await.len(), 3);
    b.click_text("aside.editor .doc-links .link-list a", IDEA).await;
    b.wait_for_text("aside.editor .linked-docs .linked-doc a", "Reminder spec").await;
    let mut linked = b.texts("aside.editor .linked-docs .linked-doc a").await;
    linked.sort();
    assert_eq!(linked, ["Billing provider decision", "Reminder spec", &format!("Spec: {IDEA}")]);
    not_pwned(&b).await;

    // Unlinking from the idea leaves the document, just not linked.
    b.click("aside.editor .linked-docs button[aria-label='Unlink Billing provider decision']").await;
    b.wait_until("document.querySelectorAll('aside.editor .linked-docs .linked-doc').length === 2", "the decision unlinked").await;

    // A phone: the document covers the list, Write and Preview are tabs.
    b.client.set_window_size(390, 844).await.unwrap();
    b.click("a.nav-link[href$='/docs']").await;
    b.click_text(".doc-row", "Reminder spec").await;
    b.click_text("aside.editor .doc-tab", "Preview").await;
    b.wait_for_text(".doc-preview h1", "Reminders").await;
    assert_eq!(b.eval("return document.documentElement.scrollWidth <= window.innerWidth;").await, true, "no sideways scrolling");
    b.screenshot("docs-narrow").await;
    not_pwned(&b).await;
    b.close().await;
}
