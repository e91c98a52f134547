//! Product conception in a real Chromium against the real server: a persona, feedback
//! from several channels with NPS and CSAT worked out and linked to an idea, a user
//! story with reordered Given/When/Then criteria, and a spec whose hostile Markdown
//! renders inert.

use waymark_e2e::{keys, Browser, Relay};

const IDEA: &str = "Invoice reminders by email";

async fn create_workspace_with_idea(b: &Browser, relay: &Relay) {
    b.create_workspace(relay, "Payments").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.type_into("input[aria-label='New idea']", &format!("{IDEA}{}", keys::ENTER)).await;
    b.wait_for_text(".idea-row .idea-title", IDEA).await;
}

/// Logs feedback through the inbox and fills its editor; returns when it is saved.
async fn log_feedback(b: &Browser, text: &str, channel: &str, customer: &str, segment: &str, rating: &str) {
    b.type_into("input[aria-label='New feedback']", text).await;
    b.select("select[aria-label='Channel of new feedback']", channel).await;
    b.click(".capture button[type=submit]").await;
    b.wait_for("aside.editor select[aria-label='Channel']").await;
    b.wait_until(&format!("document.querySelector('aside.editor textarea').value === {}", serde_json::to_string(text).unwrap()), "the new feedback open").await;
    b.type_into("aside.editor input[aria-label='Customer']", &format!("{customer}{}", keys::TAB)).await;
    b.type_into("aside.editor input[aria-label='Segment']", &format!("{segment}{}", keys::TAB)).await;
    b.type_into("aside.editor input[aria-label='Rating']", &format!("{rating}{}", keys::TAB)).await;
    b.wait_until(&format!("document.querySelector(\"aside.editor input[aria-label='Rating']\").value === '{rating}'"), "the rating kept").await;
}

async fn link_to_idea(b: &Browser) {
    b.type_into("aside.editor input[aria-label='Link to an idea']", "remind").await;
    b.click_text("aside.editor .suggestions button", IDEA).await;
    b.wait_for_text("aside.editor .link-list a", IDEA).await;
}

/// The value of the option showing `text` in the select `css`.
async fn option_value(b: &Browser, css: &str, text: &str) -> String {
    let js = format!(
        "const o = [...document.querySelectorAll(\"{css} option\")].find(o => o.textContent === {t}); return o ? o.value : null;",
        t = serde_json::to_string(text).unwrap()
    );
    b.eval(&js).await.as_str().unwrap_or_else(|| panic!("no option {text} in {css}")).to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pm_describes_a_persona_logs_rated_feedback_links_it_and_writes_a_story() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    create_workspace_with_idea(&b, &relay).await;

    // A persona with the fields that matter, shown in the gallery.
    b.click("a.nav-link[href$='/personas']").await;
    b.wait_for_text(".gallery .empty", "Who is this product for?").await;
    b.type_into("input[aria-label='New persona name']", &format!("Fiona, finance admin{}", keys::ENTER)).await;
    b.wait_for("aside.editor textarea[placeholder='What are they trying to achieve?']").await;
    b.type_into("aside.editor input[placeholder='Finance admin at a 20-person agency']", "Finance admin at a design agency").await;
    b.type_into("aside.editor textarea[placeholder='What are they trying to achieve?']", "Close the month in a day").await;
    b.type_into("aside.editor textarea[placeholder='Something they said, in their words']", "I chase invoices every Friday").await;
    b.wait_for_text(".persona-card .persona-quote", "I chase invoices every Friday").await;
    b.wait_for_text(".persona-card .persona-role", "Finance admin at a design agency").await;
    b.screenshot("e2e-personas").await;

    // Feedback from three channels: surveys rated 10, 9 and 3 (NPS), a support ticket
    // rated 5 (CSAT) and an exit interview rated 2 (NPS).
    b.click("a.nav-link[href$='/feedback']").await;
    b.wait_for_text(".nps-overall", "NPS: no 0–10 ratings yet").await;
    log_feedback(&b, "We'd pay more for automatic reminders", "survey", "Acme", "SMB", "10").await;
    link_to_idea(&b).await;
    b.type_into("aside.editor input[aria-label='Add a tag']", &format!("  Pricing {}", keys::ENTER)).await;
    b.wait_for_text("aside.editor .tag-removable", "pricing").await;
    log_feedback(&b, "Reminders would save our AR team hours", "survey", "Globex", "Enterprise", "9").await;
    link_to_idea(&b).await;
    log_feedback(&b, "Too expensive for what it does", "survey", "Initech", "SMB", "3").await;
    log_feedback(&b, "Support answered within minutes", "support", "Acme", "SMB", "5").await;
    log_feedback(&b, "We left: no multi-currency", "churn", "Umbrella", "Enterprise", "2").await;
    // NPS: 2 promoters (10, 9) and 2 detractors (3, 2) of 4 respondents → 50 % − 50 % = 0;
    // CSAT: the one 1–5 rating is a 5 → 100 % satisfied.
    b.wait_for_text(".nps-overall", "NPS 0 (4 respondents: 2 promoters, 0 passives, 2 detractors)").await;
    b.wait_for_text(".csat-overall", "CSAT 100 % satisfied (1 of 1 respondent)").await;
    b.click_text(".numbers-group summary", "By segment").await;
    b.wait_for_text(".numbers-table tr", "SMB").await;
    let smb = b.eval("return [...document.querySelectorAll('.numbers-table tr')].find(r => r.querySelector('th').textContent === 'SMB').textContent;").await;
    assert!(smb.as_str().unwrap().contains("NPS 0 (2 respondents: 1 promoters, 0 passives, 1 detractors)"), "{smb}");
    // Tags filter the inbox.
    b.select("select[aria-label='Filter by tag']", "pricing").await;
    b.wait_until("document.querySelectorAll('.feedback-row').length === 1", "only the tagged feedback").await;
    assert!(b.texts(".feedback-row .item-title").await[0].contains("automatic reminders"));
    b.select("select[aria-label='Filter by tag']", "").await;
    b.wait_until("document.querySelectorAll('.feedback-row').length === 5", "all feedback again").await;
    // Churn feedback on its own.
    b.click_text(".toolbar button", "Churn / exit only").await;
    b.wait_until("document.querySelectorAll('.feedback-row').length === 1", "only churn feedback").await;
    assert!(b.texts(".feedback-row .item-title").await[0].contains("no multi-currency"));
    b.wait_for_text(".nps-overall", "NPS −100 (1 respondent").await;
    b.screenshot("e2e-feedback").await;
    b.click_text(".toolbar button", "Churn / exit only").await;

    // The idea shows its feedback and the distinct customers behind it.
    b.click("a.nav-link[href$='/ideas']").await;
    b.click_text(".idea-row a", IDEA).await;
    b.wait_for_text("aside.editor .idea-feedback .customers", "2 pieces from 2 distinct customers").await;
    b.screenshot("e2e-idea-feedback").await;

    // Those customers can be the idea's RICE reach.
    b.click("a.nav-link[href$='/priorities']").await;
    b.click_text(".rank-row button", "Use 2 from feedback").await;
    b.wait_until(&format!("document.querySelector(\"input[aria-label='Reach for {IDEA}']\").value === '2'"), "reach taken from the feedback").await;
    assert_eq!(b.texts(".rank-row .rank-customers").await, ["2"]);

    // A story naming the persona, with criteria added, reordered and persisted.
    b.click("a.nav-link[href$='/stories']").await;
    b.type_into("input[aria-label='New story goal']", &format!("send a payment reminder in one click{}", keys::ENTER)).await;
    b.wait_for("aside.editor select[aria-label='Persona']").await;
    let fiona = option_value(&b, "aside.editor select[aria-label='Persona']", "Fiona, finance admin").await;
    b.select("aside.editor select[aria-label='Persona']", &fiona).await;
    b.type_into("aside.editor input[aria-label='Benefit']", "I get paid without chasing anyone").await;
    b.click_text("aside.editor button", "+ Add scenario").await;
    b.click_text("aside.editor button", "+ Add scenario").await;
    for (n, (given, when, then)) in [("an invoice 7 days overdue", "I click Remind", "the customer gets an email"), ("no email on file", "I click Remind", "I am asked for one")]
        .into_iter()
        .enumerate()
    {
        let n = n + 1;
        b.type_into(&format!("aside.editor input[aria-label='Given of scenario {n}']"), given).await;
        b.type_into(&format!("aside.editor input[aria-label='When of scenario {n}']"), when).await;
        b.type_into(&format!("aside.editor input[aria-label='Then of scenario {n}']"), then).await;
    }
    b.click("aside.editor button[aria-label='Move scenario 2 up']").await;
    b.wait_until("document.querySelector(\"aside.editor input[aria-label='Given of scenario 1']\").value === 'no email on file'", "the second scenario moved up").await;
    b.type_into("aside.editor input[type=number]", &format!("3{}", keys::TAB)).await;
    b.select("aside.editor select[aria-label='Status']", "ready").await;
    let idea = option_value(&b, "aside.editor select[aria-label='Idea']", IDEA).await;
    b.select("aside.editor select[aria-label='Idea']", &idea).await;
    b.wait_for_text("aside.editor a", "Open the idea").await;
    let expected = "As a Fiona, finance admin, I want send a payment reminder in one click, so that I get paid without chasing anyone.\n\n\
                    Acceptance criteria:\n\
                    1. Given no email on file, when I click Remind, then I am asked for one.\n\
                    2. Given an invoice 7 days overdue, when I click Remind, then the customer gets an email.";
    b.wait_until(&format!("document.querySelector('.story-text-block').textContent === {}", serde_json::to_string(expected).unwrap()), "the story as text").await;
    b.wait_for_text(".item-row .story-text", "As a Fiona, finance admin, I want send a payment reminder in one click").await;
    b.screenshot("e2e-story").await;

    // After a reload everything is still there, in order.
    b.reload().await;
    b.wait_until(&format!("document.querySelector('.story-text-block') && document.querySelector('.story-text-block').textContent === {}", serde_json::to_string(expected).unwrap()), "the story after reload").await;
    b.wait_for_text(".item-row .badge", "Ready").await;
    b.wait_for_text(".item-row .badge", "3 pts").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spec_with_script_and_javascript_links_renders_inert_and_links_to_its_idea() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    create_workspace_with_idea(&b, &relay).await;
    b.click("a.nav-link[href$='/docs']").await;
    b.type_into("input[aria-label='New document title']", &format!("Reminder spec{}", keys::ENTER)).await;
    b.wait_for("aside.editor textarea[aria-label='Document body (Markdown)']").await;
    let body = "# Reminders\n\nSend **polite** reminders.\n\n- day 7\n- day 14\n\n\
                <script>window.__pwned = 1</script>\n\n<img src=x onerror=\"window.__pwned = 2\">\n\n\
                [click me](javascript:window.__pwned=3) and [docs](https://example.com/reminders)\n";
    b.type_into("aside.editor textarea[aria-label='Document body (Markdown)']", body).await;
    b.click_text("aside.editor .tabs button", "Preview").await;
    b.wait_for_text(".doc-preview h1", "Reminders").await;
    b.wait_for_text(".doc-preview strong", "polite").await;
    assert_eq!(b.texts(".doc-preview li").await, ["day 7", "day 14"]);
    // The script and the image handler are shown as text and never become elements.
    b.wait_for_text(".doc-preview", "<script>window.__pwned = 1</script>").await;
    assert_eq!(b.eval("return document.querySelectorAll('.doc-preview script, .doc-preview img, .doc-preview [onerror]').length;").await, 0);
    // The javascript: link is not a link; the https one is.
    let hrefs = b.eval("return [...document.querySelectorAll('.doc-preview a')].map(a => a.getAttribute('href'));").await;
    assert_eq!(hrefs, serde_json::json!(["https://example.com/reminders"]));
    b.click_text(".doc-preview", "click me").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(b.eval("return window.__pwned === undefined;").await, true, "nothing from the document ran");
    b.screenshot("e2e-doc-preview").await;

    // Link it to the idea; the idea's editor lists it.
    b.type_into("aside.editor input[aria-label='Link to an idea or story']", "remind").await;
    b.click_text("aside.editor .suggestions button", IDEA).await;
    b.wait_for_text("aside.editor .link-list a", IDEA).await;
    b.click_text("aside.editor .link-list a", IDEA).await;
    b.wait_for_text("aside.editor .linked-docs a", "Reminder spec").await;
    b.reload().await;
    b.wait_for_text("aside.editor .linked-docs a", "Reminder spec").await;
    assert_eq!(b.eval("return window.__pwned === undefined;").await, true);
    b.close().await;
}
