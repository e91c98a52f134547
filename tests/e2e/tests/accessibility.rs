//! Accessibility, in a real Chromium against the real server: axe-core (from npm,
//! installed by `cargo xtask test`) finds no serious or critical violation on any
//! screen, in the light and the dark theme, at 1280 and at 390 px, and no table runs
//! past its frame without scrolling.

use waymark_e2e::{keys, Browser, Relay};

const CONTROL: &str = "\u{e009}";

/// A workspace with something in every section: ideas (scored), and one item of each
/// kind made through the command palette.
async fn fill(b: &Browser, relay: &Relay) {
    // Scored ideas, so the ranked table shows.
    let ideas: Vec<serde_json::Value> = (1..=30)
        .map(|i| serde_json::json!({
            "title": format!("Imported idea {i}"),
            "tags": ["backlog"],
            "scores": { "rice": { "reach": 100.0 * i as f64, "impact": 1.0 + (i % 3) as f64, "confidence": 0.8, "effort": 1.0 + (i % 5) as f64 } },
        }))
        .collect();
    let file = serde_json::json!({ "format": "waymark-workspace", "version": 4, "brief": { "name": "Big backlog" }, "ideas": ideas });
    let path = b.downloads.join("scored.json");
    std::fs::write(&path, file.to_string()).unwrap();
    b.goto(&relay.url("/")).await;
    b.wait_for("input[type=file]").await.send_keys(&path.to_string_lossy()).await.unwrap();
    b.wait_for_text(".workspace-card", "30 ideas").await;
    b.click_text(".workspace-card h2", "Big backlog").await;
    b.wait_for_text("h1.page-title", "Overview").await;
    // The ranked table shows (what axe checks there).
    b.click("a.nav-link[href$='/priorities']").await;
    b.wait_for_text(".rank-row", "Imported idea 30").await;
    // No column is cut off: scrolled to its far right, the table shows its last column
    // whole, the head follows, and the rank and idea stay pinned on the left.
    b.eval("const s = document.querySelector('.rank-scroller'); s.scrollLeft = s.scrollWidth; return true;").await;
    b.wait_until(
        "(() => { const t = document.querySelector('.rank-table').getBoundingClientRect(); \
           const row = document.querySelector('.rank-row'); const title = row.children[1].getBoundingClientRect(); \
           const last = row.lastElementChild.getBoundingClientRect(); \
           const head = document.querySelector('.rank-head').lastElementChild.getBoundingClientRect(); \
           return document.querySelector('.rank-scroller').scrollLeft > 0 && last.right <= t.right + 1 \
             && title.left >= t.left && title.left < t.left + 80 && Math.abs(head.left - last.left) < 1; })()",
        "the last column in view, under its heading, with the idea pinned",
    )
    .await;
    b.screenshot("e2e-a11y-priorities").await;
    for (item, made) in [
        ("persona: Ada, finance admin", "New persona: “Ada, finance admin”"),
        ("story: close the month in a day", "New story: “close the month in a day”"),
        ("doc: Offline mode spec", "New doc: “Offline mode spec”"),
        ("feedback: The export is slow", "New feedback: “The export is slow”"),
        ("feature: Offline mode", "New feature: “Offline mode”"),
        ("release: 1.0", "New release: “1.0”"),
        ("risk: Data loss on sync", "New risk: “Data loss on sync”"),
        ("experiment: Shorter onboarding", "New experiment: “Shorter onboarding”"),
        ("cost: Hosting", "New cost: “Hosting”"),
        ("competitor: Acme", "New competitor: “Acme”"),
        ("trend: Local-first", "New trend: “Local-first”"),
        ("objective: Faster onboarding", "New objective or KPI: “Faster onboarding”"),
    ] {
        b.type_into("body", &format!("{CONTROL}k{}", keys::NULL)).await;
        b.type_into("input[aria-label='Go to or create']", item).await;
        b.wait_for_text("[role=option][aria-selected=true]", made).await;
        b.type_into("input[aria-label='Go to or create']", keys::ENTER).await;
        b.wait_for("aside.editor").await;
        b.type_into("body", keys::ESCAPE).await;
        b.wait_until("!document.querySelector('aside.editor')", "the editor to close").await;
    }
}

/// The tables on screen that run past what shows them, with nothing to scroll them
/// into view: each named by its label or class.
async fn cut_off_tables(b: &Browser) -> Vec<String> {
    let cut = b
        .eval(
            "return [...document.querySelectorAll('table')].filter(t => t.offsetParent !== null).filter(t => {
               const r = t.getBoundingClientRect();
               for (let el = t.parentElement; el && el !== document.body; el = el.parentElement) {
                 const o = getComputedStyle(el).overflowX;
                 if (o === 'auto' || o === 'scroll') return false;
                 if (o === 'hidden' || o === 'clip') { const f = el.getBoundingClientRect(); return r.right > f.right + 1 || r.left < f.left - 1; }
               }
               return r.right > document.documentElement.clientWidth + 1;
             }).map(t => 'table cut off: ' + (t.getAttribute('aria-label') || t.className || 'a table'));",
        )
        .await;
    cut.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// What is wrong on the page as it is: axe's serious and critical violations, and
/// tables cut off.
async fn findings(b: &Browser) -> Vec<String> {
    let mut found = b.axe().await;
    found.extend(cut_off_tables(b).await);
    found
}

/// Every screen of the workspace (each section, with an item open where it has one),
/// Home, the invitation page, the palette, the shortcuts and the share dialog: what axe
/// finds on each, as "screen: violation".
async fn violations_everywhere(b: &Browser, tag: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut check = |screen: String, violations: Vec<String>| found.extend(violations.into_iter().map(|v| format!("{tag} {screen}: {v}")));
    let sections: Vec<String> = b
        .eval("return [...document.querySelectorAll('a.nav-link')].map(a => a.getAttribute('href'));")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert!(sections.len() > 15, "every section is in the sidebar: {sections:?}");
    for href in &sections {
        b.click(&format!("a.nav-link[href='{href}']")).await;
        b.wait_until(
            &format!("location.pathname === {href:?} && document.querySelector('a.nav-link[aria-current=page]')?.getAttribute('href') === {href:?} && !!document.querySelector('h1.page-title')"),
            "the section",
        )
        .await;
        check(href.clone(), findings(b).await);
        // Its first item, open in the editor, where it has one.
        let first = b
            .eval(&format!("const a = [...document.querySelectorAll('main a')].find(a => (a.getAttribute('href') || '').startsWith({href:?} + '/')); if (a) {{ a.click(); return true; }} return false;"))
            .await;
        if first == serde_json::json!(true) {
            b.wait_for("aside.editor").await;
            check(format!("{href} (an item open)"), findings(b).await);
            b.type_into("body", keys::ESCAPE).await;
        }
    }
    b.click("button.share-button").await;
    b.wait_for("[role=dialog]").await;
    check("share dialog".into(), findings(b).await);
    b.type_into("[role=dialog] button", keys::ESCAPE).await;
    b.type_into("body", &format!("{CONTROL}k{}", keys::NULL)).await;
    b.type_into("input[aria-label='Go to or create']", "off").await;
    b.wait_for("[role=option]").await;
    check("command palette".into(), findings(b).await);
    b.type_into("input[aria-label='Go to or create']", keys::ESCAPE).await;
    b.type_into("body", "?").await;
    b.wait_for_text("[role=dialog] h2", "Keyboard shortcuts").await;
    check("shortcuts".into(), findings(b).await);
    b.click_text("[role=dialog] button", "Close").await;
    b.click("a.brand").await;
    b.wait_for_text("h1", "Your workspaces").await;
    check("home".into(), findings(b).await);
    b.click_text("a.btn", "Join with an invitation").await;
    b.wait_for_text("h1", "Join with an invitation").await;
    check("invitation".into(), findings(b).await);
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn no_screen_has_a_serious_accessibility_violation_light_dark_or_narrow() {
    let relay = Relay::start().await;
    let mut found = Vec::new();
    for dark in [false, true] {
        let b = if dark { Browser::start_dark().await } else { Browser::start().await };
        fill(&b, &relay).await;
        found.extend(violations_everywhere(&b, if dark { "dark 1280" } else { "light 1280" }).await);
        b.client.set_window_size(390, 844).await.unwrap();
        b.click("a.brand").await;
        b.click_text(".workspace-card h2", "Big backlog").await;
        b.wait_for_text("h1.page-title", "Overview").await;
        found.extend(violations_everywhere(&b, if dark { "dark 390" } else { "light 390" }).await);
    }
    assert!(found.is_empty(), "{} serious or critical violations:\n{}", found.len(), found.join("\n"));
}
