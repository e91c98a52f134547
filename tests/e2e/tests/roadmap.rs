//! The roadmap co-edited through the real relay, in two real headless Chromiums: A
//! builds a now / next / later board, drags a card and B sees it move; a card moved
//! with the keyboard; a dependency that the dates violate, warned about; a release's
//! readiness ticked by A, its go / no-go changing in B's browser; an accepted idea
//! promoted to the roadmap.

use waymark_e2e::{keys, Browser, Relay};

const EDITOR: &str = "aside.editor";
/// Text typed into internal fields: it must never reach a customer's browser.
const MARKER: &str = "ZEBRA-INTERNAL-42";

/// Everything `b` stored (IndexedDB and localStorage), each binary value as hex.
async fn stored(b: &Browser) -> Vec<Vec<u8>> {
    let js = r#"const done = arguments[0];
        const hex = (v) => [...new Uint8Array(v.buffer || v, v.byteOffset || 0, v.byteLength)].map(x => x.toString(16).padStart(2, '0')).join('');
        const walk = (v, out) => {
            if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) out.push(hex(v));
            else if (v && typeof v === 'object') Object.values(v).forEach(x => walk(x, out));
            else out.push([...new TextEncoder().encode(String(v))].map(x => x.toString(16).padStart(2, '0')).join(''));
        };
        const out = [];
        for (let i = 0; i < localStorage.length; i++) walk(localStorage.getItem(localStorage.key(i)), out);
        const req = indexedDB.open('waymark');
        req.onsuccess = () => {
            const db = req.result, names = [...db.objectStoreNames];
            const tx = db.transaction(names, 'readonly');
            let pending = names.length;
            for (const n of names) {
                const r = tx.objectStore(n).getAll();
                r.onsuccess = () => { walk(r.result, out); if (--pending === 0) done(out); };
            }
        };
        req.onerror = () => done(out);"#;
    let hex = b.eval_async(js).await;
    let decode = |h: &str| (0..h.len() / 2).map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap()).collect::<Vec<u8>>();
    hex.as_array().unwrap().iter().map(|h| decode(h.as_str().unwrap())).collect()
}

/// Asserts `marker` is in nothing `b` stored, raw or inside the Automerge documents
/// (history included, uncompressed), while `control`, which is there, is found.
async fn assert_stored_nowhere(b: &Browser, marker: &str, control: &str) {
    let values = stored(b).await;
    let has = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(!values.iter().any(|v| has(v, marker)), "a stored value holds {marker:?}");
    let (mut doc, _) = waymark_domain::Workspace::load_with_chunks(None, values.iter().map(Vec::as_slice)).expect("the stored documents load");
    let every_byte = doc.uncompressed();
    assert!(has(&every_byte, control), "the search finds {control:?}, which is there");
    assert!(!has(&every_byte, marker), "the stored document's history holds {marker:?}");
}

/// A condition: the titles of the cards in column `column` are exactly `titles`.
fn column_is(column: &str, titles: &[&str]) -> String {
    let list = titles.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(",");
    format!("JSON.stringify([...document.querySelectorAll(\"ol[aria-label='{column}'] .card\")].map(c => c.getAttribute('aria-label'))) === JSON.stringify([{list}])")
}

async fn add_card(b: &Browser, column: &str, title: &str) {
    b.type_into(&format!("input[aria-label='New feature in {column}']"), &format!("{title}{}", keys::ENTER)).await;
    b.wait_for_text(&format!("ol[aria-label='{column}'] .card"), title).await;
}

/// Drags card `title` the way a mouse does (dragstart, dragover, drop, dragend) onto
/// column `column`: before card `before`, or at the end of the column.
async fn drag(b: &Browser, title: &str, column: &str, before: Option<&str>) {
    let js = format!(
        r#"(() => {{
            const card = [...document.querySelectorAll('.card')].find(c => c.getAttribute('aria-label') === {title:?});
            const col = document.querySelector("ol[aria-label='{column}']");
            const before = {before};
            const target = before ? [...col.querySelectorAll('.card')].find(c => c.getAttribute('aria-label') === before) : col;
            const r = target.getBoundingClientRect();
            const at = {{ bubbles: true, cancelable: true, dataTransfer: new DataTransfer(), clientX: r.left + 10, clientY: r.top + 2 }};
            card.dispatchEvent(new DragEvent('dragstart', at));
            target.dispatchEvent(new DragEvent('dragover', at));
            target.dispatchEvent(new DragEvent('drop', at));
            card.dispatchEvent(new DragEvent('dragend', at));
            return true;
        }})()"#,
        before = before.map_or("null".to_owned(), |b| format!("{b:?}")),
    );
    b.eval(&js).await;
}

/// An expression running `body` with `bar` bound to the timeline bar of feature `title`.
fn bar_js(title: &str, body: &str) -> String {
    format!("(() => {{ const bar = [...document.querySelectorAll('.timeline-scroll [data-bar]')].find(b => b.getAttribute('aria-label').startsWith({title:?} + ',')); {body} }})()")
}

/// Drags the bar of feature `title` by `dx` pixels, as a mouse does.
async fn drag_bar(b: &Browser, title: &str, dx: f64) {
    let js = bar_js(
        title,
        &format!(
            r#"const rect = bar.querySelector('rect').getBoundingClientRect();
            const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
            const at = (x) => ({{ bubbles: true, cancelable: true, clientX: x, clientY: y, button: 0, pointerId: 1, isPrimary: true }});
            bar.querySelector('rect').dispatchEvent(new PointerEvent('pointerdown', at(x)));
            bar.dispatchEvent(new PointerEvent('pointermove', at(x + {dx} / 2)));
            bar.dispatchEvent(new PointerEvent('pointermove', at(x + {dx})));
            bar.dispatchEvent(new PointerEvent('pointerup', at(x + {dx})));
            return true;"#
        ),
    );
    b.eval(&format!("return {js}")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn teammates_plan_a_roadmap_together() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    a.create_workspace(&relay, "Payments").await;
    a.set_name("Ada Lovelace").await;

    // A builds the board: every column says what goes in it until it has cards.
    a.click_text("a.nav-link", "Roadmap").await;
    a.wait_for_text("h1.page-title", "Roadmap").await;
    a.wait_for_text("ol[aria-label='Now'] .column-empty", "Drop a card here").await;
    add_card(&a, "Now", "Audit log").await;
    add_card(&a, "Next", "Offline mode").await;
    add_card(&a, "Next", "Sync API").await;
    add_card(&a, "Later", "Dark mode").await;
    a.wait_until(&column_is("Next", &["Offline mode", "Sync API"]), "Next in the order added").await;

    // B opens the edit link and sees the same board.
    let (edit_link, _) = a.share_links().await;
    b.join(&relay, &edit_link, "Grace Hopper").await;
    b.click_text("a.nav-link", "Roadmap").await;
    b.wait_until(&column_is("Next", &["Offline mode", "Sync API"]), "B to see A's board").await;

    // A drags "Offline mode" from Next to the top of Now; B sees it move.
    drag(&a, "Offline mode", "Now", Some("Audit log")).await;
    a.wait_until(&column_is("Now", &["Offline mode", "Audit log"]), "the card at the top of Now").await;
    a.wait_until(&column_is("Next", &["Sync API"]), "the card gone from Next").await;
    b.wait_until(&column_is("Now", &["Offline mode", "Audit log"]), "B to see the card move to Now").await;
    b.wait_until(&column_is("Next", &["Sync API"]), "B to see it leave Next").await;
    // And to the end of a column.
    drag(&a, "Audit log", "Later", None).await;
    b.wait_until(&column_is("Later", &["Dark mode", "Audit log"]), "B to see Audit log at the end of Later").await;

    // B moves a card with the keyboard: Alt + arrows.
    b.eval("[...document.querySelectorAll('.card')].find(c => c.getAttribute('aria-label') === 'Dark mode').focus()").await;
    b.type_into(".card:focus", &format!("{}{}{}", keys::ALT, keys::LEFT, keys::NULL)).await;
    b.wait_until(&column_is("Next", &["Sync API", "Dark mode"]), "Dark mode moved to Next by keyboard").await;
    b.wait_for_text("[role='status'][aria-live='polite']", "Moved “Dark mode” to Next, position 2 of 2.").await;
    b.wait_until("document.activeElement && document.activeElement.getAttribute('aria-label') === 'Dark mode'", "the moved card to keep the focus").await;
    b.type_into(".card:focus", &format!("{}{}{}", keys::ALT, keys::UP, keys::NULL)).await;
    b.wait_until(&column_is("Next", &["Dark mode", "Sync API"]), "Dark mode moved up").await;
    a.wait_until(&column_is("Next", &["Dark mode", "Sync API"]), "A to see B's keyboard moves").await;
    a.screenshot("e2e-roadmap-board").await;

    // A puts two features on the timeline and makes one block the other: both start
    // today, so the blocked one starts before its blocker ends.
    a.click_text("a.nav-link", "Timeline").await;
    a.wait_for_text("h1.page-title", "Timeline").await;
    a.wait_for_text("aside[aria-label='Not on the timeline']", "Offline mode").await;
    a.click("button[aria-label='Schedule Sync API']").await;
    a.click("button[aria-label='Schedule Offline mode']").await;
    a.wait_for("[data-bar] [data-edge]").await;
    a.wait_until("document.querySelectorAll('.timeline-scroll [data-bar]').length === 2", "two bars on the timeline").await;
    a.click_text("a.nav-link", "Features").await;
    a.click_text("ul[aria-label='Features'] .item-row a", "Offline mode").await;
    a.type_into(&format!("{EDITOR} input[aria-label='Add a blocker']"), "sync").await;
    a.click_text(&format!("{EDITOR} ul[aria-label='Features that could block it'] button"), "Sync API").await;
    a.wait_for_text(&format!("{EDITOR} .dependency-warning"), "before “Sync API” (which blocks it) ends on").await;
    a.screenshot("e2e-roadmap-feature").await;
    b.wait_until(
        "[...document.querySelectorAll('.card')].some(c => c.getAttribute('aria-label') === 'Offline mode' && c.textContent.includes('Blocked') && c.textContent.includes('Dates clash'))",
        "B to see Offline mode blocked with clashing dates",
    )
    .await;
    // On the timeline: the warning, then a drag two weeks later clears it.
    a.click_text("a.nav-link", "Timeline").await;
    a.wait_for_text(".timeline-page .dependency-warning", "“Offline mode” starts").await;
    a.wait_for_text(".timeline-page .dependency-warning", "before “Sync API” (which blocks it) ends on").await;
    a.screenshot("e2e-roadmap-timeline").await;
    drag_bar(&a, "Offline mode", 14.0 * 5.0).await;
    a.wait_until("!document.querySelector('.timeline-page .dependency-warning')", "no warning once Offline mode starts after Sync API").await;
    b.wait_until(
        "[...document.querySelectorAll('.card')].some(c => c.getAttribute('aria-label') === 'Offline mode' && c.textContent.includes('Blocked') && !c.textContent.includes('Dates clash'))",
        "B to see the dates no longer clash",
    )
    .await;
    // A day earlier by keyboard, and they clash again.
    a.eval(&format!("return {}", bar_js("Offline mode", "bar.focus(); return true;"))).await;
    a.type_into("[data-bar]:focus", keys::LEFT).await;
    a.wait_for_text(".timeline-page .dependency-warning", "“Offline mode” starts").await;
    a.wait_until(&bar_js("Offline mode", "return document.activeElement === bar;"), "the bar to keep the focus").await;

    // A release: A ticks readiness, B watches the go / no-go.
    a.click_text("a.nav-link", "Releases").await;
    a.type_into("input[aria-label='New release name']", &format!("2.0 Offline{}", keys::ENTER)).await;
    a.wait_for_text(&format!("{EDITOR} [aria-label='Go / no-go']"), "No-go").await;
    b.click_text("a.nav-link", "Releases").await;
    b.click_text("ul[aria-label='Releases'] .item-row a", "2.0 Offline").await;
    b.wait_for_text(&format!("{EDITOR} [aria-label='Go / no-go']"), "0 of 7 functions ready").await;
    for function in ["Engineering", "QA", "Documentation", "Marketing", "Sales", "Support"] {
        a.select(&format!("{EDITOR} select[aria-label='{function} readiness']"), "ready").await;
    }
    a.select(&format!("{EDITOR} select[aria-label='Training readiness']"), "blocked").await;
    a.type_into(&format!("{EDITOR} input[aria-label='Training owner']"), &format!("Grace{}", keys::TAB)).await;
    b.wait_for_text(&format!("{EDITOR} [aria-label='Go / no-go']"), "6 of 7 functions ready; blocked: Training").await;
    b.wait_until(&format!("document.querySelector(\"{EDITOR} input[aria-label='Training owner']\").value === 'Grace'"), "B to see the owner A typed").await;
    a.select(&format!("{EDITOR} select[aria-label='Training readiness']"), "not_needed").await;
    b.wait_for_text(&format!("{EDITOR} [aria-label='Go / no-go']"), "Go").await;
    b.wait_for_text(&format!("{EDITOR} [aria-label='Go / no-go']"), "all 6 functions ready").await;
    a.screenshot("e2e-roadmap-release").await;

    // Offline mode ships in 2.0: the release lists it.
    a.click_text("a.nav-link", "Features").await;
    a.click_text("ul[aria-label='Features'] .item-row a", "Offline mode").await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Release']")).await;
    let release = a.eval(&format!("return [...document.querySelectorAll(\"{EDITOR} select[aria-label='Release'] option\")].find(o => o.textContent === '2.0 Offline').value")).await;
    a.select(&format!("{EDITOR} select[aria-label='Release']"), release.as_str().unwrap()).await;
    b.wait_for_text(&format!("{EDITOR} .release-features li.critical"), "Offline mode").await;
    b.wait_for_text(&format!("{EDITOR} .release-features li"), "Blocked").await;
    // B drafts the release notes from it: a release-note document, linked to 2.0.
    b.click_text(&format!("{EDITOR} button"), "Draft release notes").await;
    b.wait_until(
        "document.querySelector(\"aside.editor input[aria-label='Document title']\") && document.querySelector(\"aside.editor input[aria-label='Document title']\").value === 'Release notes: 2.0 Offline'",
        "the release notes document to open",
    )
    .await;
    b.wait_until("document.querySelector(\"aside.editor textarea[aria-label='Document body (Markdown)']\").value.includes('## Still in progress\\n\\n### Offline mode')", "the notes to list Offline mode").await;

    // A runs a beta of 2.0 with Acme; Acme's feedback on the beta channel shows on it.
    a.click_text("a.nav-link", "Beta programs").await;
    a.type_into("input[aria-label='New beta program name']", &format!("Offline beta{}", keys::ENTER)).await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Release']")).await;
    let release = a.eval(&format!("return [...document.querySelectorAll(\"{EDITOR} select[aria-label='Release'] option\")].find(o => o.textContent === '2.0 Offline').value")).await;
    a.select(&format!("{EDITOR} select[aria-label='Release']"), release.as_str().unwrap()).await;
    a.type_into(&format!("{EDITOR} input[aria-label='New row of participants']"), &format!("Acme — Jo Park{}", keys::ENTER)).await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Acme — Jo Park']")).await;
    a.click("a.nav-link[href$='/feedback']").await;
    a.type_into("input[aria-label='New feedback']", "Sync lost my last note").await;
    a.select("select[aria-label='Channel of new feedback']", "beta").await;
    a.click(".capture button[type=submit]").await;
    a.wait_for("aside.editor input[aria-label='Customer']").await;
    a.type_into("aside.editor input[aria-label='Customer']", &format!("Acme{}", keys::TAB)).await;
    a.wait_until("document.querySelector(\"aside.editor input[aria-label='Customer']\").value === 'Acme'", "the customer typed").await;
    a.click_text("a.nav-link", "Beta programs").await;
    a.click_text("ul[aria-label='Beta programs'] .item-row a", "Offline beta").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Feedback from the beta']"), "Sync lost my last note").await;
    a.wait_until(&format!("document.querySelector(\"{EDITOR} section[aria-label='Feedback from the beta'] h3\").textContent === 'Feedback from the beta (1)'"), "one piece of beta feedback").await;
    a.screenshot("e2e-roadmap-beta").await;
    // The release lists its beta, for B too.
    b.click_text("a.nav-link", "Releases").await;
    b.click_text("ul[aria-label='Releases'] .item-row a", "2.0 Offline").await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Beta programs']"), "Offline beta").await;

    // 2.0 runs in iterations: A plans one; B's release lists it; the timeline shows it.
    a.click_text("a.nav-link", "Iterations & phases").await;
    a.type_into("input[aria-label='New iteration or phase name']", &format!("Sprint 14{}", keys::ENTER)).await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Kind']")).await;
    a.select(&format!("{EDITOR} select[aria-label='Kind']"), "iteration").await;
    a.type_into(&format!("{EDITOR} input[aria-label='Start']"), &format!("12072026{}", keys::TAB)).await;
    a.type_into(&format!("{EDITOR} input[aria-label='End']"), &format!("12182026{}", keys::TAB)).await;
    a.wait_until(&format!("document.querySelector(\"{EDITOR} input[aria-label='End']\").value === '2026-12-18'"), "the iteration's end saved").await;
    let release = a.eval(&format!("return [...document.querySelectorAll(\"{EDITOR} select[aria-label='Release'] option\")].find(o => o.textContent === '2.0 Offline').value")).await;
    a.select(&format!("{EDITOR} select[aria-label='Release']"), release.as_str().unwrap()).await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Iterations and phases']"), "Sprint 14").await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Iterations and phases']"), "2026-12-07 → 2026-12-18").await;
    a.click_text("a.nav-link", "Timeline").await;
    a.wait_until("[...document.querySelectorAll('.timeline-scroll [data-stage] title')].some(t => t.textContent === 'Iteration Sprint 14, 7 Dec 2026 to 18 Dec 2026')", "the iteration on the timeline").await;
    a.screenshot("e2e-roadmap-timeline-iteration").await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.screenshot("e2e-roadmap-timeline-phone").await;
    a.client.set_window_size(1400, 1000).await.unwrap();

    // An accepted idea goes on the roadmap in one click, linked both ways.
    a.click("a.nav-link[href$='/ideas']").await;
    a.type_into("input[aria-label='New idea']", &format!("Pay by QR code{}", keys::ENTER)).await;
    a.click_text(".idea-row a", "Pay by QR code").await;
    a.wait_for(&format!("{EDITOR} select.status-select")).await;
    a.wait_until(&format!("!document.querySelector(\"{EDITOR} .on-roadmap\") && ![...document.querySelectorAll('{EDITOR} button')].some(b => b.textContent === 'Promote to roadmap')"), "no promotion before the idea is accepted").await;
    a.select(&format!("{EDITOR} select.status-select"), "accepted").await;
    a.click_text(&format!("{EDITOR} button"), "Promote to roadmap").await;
    a.wait_for_text(&format!("{EDITOR} .on-roadmap"), "On the roadmap as Pay by QR code (Next)").await;
    b.click_text("a.nav-link", "Roadmap").await;
    b.wait_until(&column_is("Next", &["Dark mode", "Sync API", "Pay by QR code"]), "B to see the promoted idea at the end of Next").await;
    b.screenshot("e2e-roadmap-board-b").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("e2e-roadmap-board-phone").await;

    // A publishes the customer roadmap: only Offline mode is public, and a marker sits
    // in one of its internal fields.
    a.click_text("a.nav-link", "Features").await;
    a.click_text("ul[aria-label='Features'] .item-row a", "Offline mode").await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Visibility']")).await;
    a.select(&format!("{EDITOR} select[aria-label='Visibility']"), "public").await;
    a.type_into(&format!("{EDITOR} textarea[placeholder='What it is and why it matters']"), "Work on the train, sync when back online").await;
    a.type_into(&format!("{EDITOR} textarea[placeholder='How you will know it worked']"), MARKER).await;
    a.type_into(&format!("{EDITOR} input[placeholder='Who drives it']"), MARKER).await;
    a.click_text("a.nav-link", "Roadmap").await;
    a.click_text(".page-head button", "Publish for an audience").await;
    a.wait_for_text("section[aria-label='Customer roadmap']", "1 feature qualifies.").await;
    a.click_text("section[aria-label='Customer roadmap'] button", "Publish").await;
    a.wait_until("document.querySelector(\"input[aria-label='Customer roadmap link']\") || document.querySelector('.toast-error')", "the roadmap published").await;
    let refused = a.eval("const t = document.querySelector('.toast-error'); return t ? t.textContent : ''").await;
    assert_eq!(refused.as_str(), Some(""), "publishing failed");
    let customer_link = a.value("input[aria-label='Customer roadmap link']").await;
    a.screenshot("e2e-roadmap-publish").await;
    a.type_into("input[aria-label='Customer roadmap link']", keys::ESCAPE).await;

    // C opens it: the public feature, read-only, and nothing else.
    let c = Browser::start().await;
    c.client.set_window_size(1400, 1000).await.unwrap();
    c.goto(&relay.url("/")).await;
    c.wait_for_text("h1", "Your workspaces").await;
    c.goto(&customer_link).await;
    c.wait_until(&column_is("Next", &[]), "C to see the board").await;
    c.wait_until(&column_is("Now", &["Offline mode"]), "C to see the public feature in Now").await;
    c.wait_for_text(".card-desc", "Work on the train, sync when back online").await;
    c.wait_for_text(".banner.view-only", "Customer roadmap").await;
    assert_eq!(c.texts("a.nav-link").await, vec!["Roadmap".to_owned()]);
    let page = c.eval("return document.body.innerText").await;
    for hidden in [MARKER, "Sync API", "Dark mode", "Audit log", "Pay by QR code"] {
        assert!(!page.as_str().unwrap().contains(hidden), "C's page shows {hidden:?}");
    }
    c.screenshot("e2e-roadmap-customer").await;
    assert_stored_nowhere(&c, MARKER, "Work on the train").await;
    c.close().await;

    // The board and the timeline as pictures for slides.
    a.click_text("a.nav-link", "Roadmap").await;
    a.click_text(".board-toolbar button", "Export SVG").await;
    let board = std::fs::read_to_string(a.wait_for_download("-board.svg").await).unwrap();
    assert!(board.contains("Now (1)") && board.contains("Offline mode") && board.contains("Pay by QR code"), "{board}");
    a.click_text(".board-toolbar button", "Export PNG").await;
    let png = std::fs::read(a.wait_for_download("-board.png").await).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "a real PNG of the board");
    // Kept beside the screenshots, to look at.
    let _ = std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/screenshots/e2e-roadmap-board-export.png"), &png);
    a.click_text("a.nav-link", "Timeline").await;
    a.click_text(".board-toolbar button", "Export SVG").await;
    let timeline = std::fs::read_to_string(a.wait_for_download("-timeline.svg").await).unwrap();
    assert!(timeline.contains("Sync API") && timeline.contains("Sprint 14") && timeline.contains("Today"));

    // Everything is still there after a reload.
    a.click_text("a.nav-link", "Roadmap").await;
    a.wait_for_text(".save-state", "Saved on this device").await;
    a.reload().await;
    a.wait_until(&column_is("Now", &["Offline mode"]), "the board kept after a reload").await;
    a.wait_until(&column_is("Next", &["Dark mode", "Sync API", "Pay by QR code"]), "the order kept after a reload").await;
    a.close().await;
    b.close().await;
}

/// Opens feature `title` from the Features page and sets its theme and visibility.
async fn set_theme_and_visibility(b: &Browser, title: &str, theme: &str, visibility: &str) {
    b.click_text("a.nav-link", "Features").await;
    b.click_text("ul[aria-label='Features'] .item-row a", title).await;
    b.wait_until(
        &format!("(() => {{ const t = document.querySelector(\"{EDITOR} [placeholder='Offline mode']\"); return t && t.value === {title:?}; }})()"),
        "the feature's editor",
    )
    .await;
    b.type_into(&format!("{EDITOR} [placeholder='Work anywhere']"), theme).await;
    b.select(&format!("{EDITOR} select[aria-label='Visibility']"), visibility).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_board_in_lanes_through_a_view_link_and_for_executives() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    a.create_workspace(&relay, "Payments").await;
    a.set_name("Ada Lovelace").await;
    a.click_text("a.nav-link", "Roadmap").await;
    add_card(&a, "Now", "Offline mode").await;
    add_card(&a, "Next", "Sync API").await;
    add_card(&a, "Later", "Dark mode").await;
    set_theme_and_visibility(&a, "Offline mode", "Work anywhere", "executive").await;
    set_theme_and_visibility(&a, "Sync API", "Work anywhere", "internal").await;
    set_theme_and_visibility(&a, "Dark mode", "Comfort", "public").await;
    // Offline mode gets dates (from today, two weeks): executives must not see them.
    a.click_text("a.nav-link", "Timeline").await;
    a.click("button[aria-label='Schedule Offline mode']").await;
    a.wait_until(&bar_js("Offline mode", "return !!bar;"), "Offline mode on the timeline").await;

    // Swimlanes by theme: a lane per theme, in name order, each with its own columns;
    // Alt + → moves a card along its own lane.
    a.click_text("a.nav-link", "Roadmap").await;
    a.wait_for(".card .card-dates").await;
    a.select("select[aria-label='Swimlanes']", "theme").await;
    a.wait_until("JSON.stringify([...document.querySelectorAll('.lane-title')].map(t => t.textContent)) === JSON.stringify(['Comfort', 'Work anywhere'])", "a lane per theme").await;
    a.wait_until(&column_is("Now — Work anywhere", &["Offline mode"]), "Offline mode in its theme's lane").await;
    a.wait_until(&column_is("Later — Comfort", &["Dark mode"]), "Dark mode in its theme's lane").await;
    a.eval("[...document.querySelectorAll('.card')].find(c => c.getAttribute('aria-label') === 'Offline mode').focus()").await;
    a.type_into(".card:focus", &format!("{}{}{}", keys::ALT, keys::RIGHT, keys::NULL)).await;
    a.wait_until(&column_is("Next — Work anywhere", &["Sync API", "Offline mode"]), "moved to the end of its lane in Next").await;
    a.screenshot("e2e-roadmap-swimlanes").await;

    // B, through the view link, sees the board and cannot change it.
    let (_, view_link) = a.share_links().await;
    let b = Browser::start().await;
    b.goto(&relay.url("/")).await;
    b.wait_for_text("h1", "Your workspaces").await;
    b.goto(&view_link).await;
    b.wait_for_text("h1.page-title", "Brief").await;
    b.click_text("a.nav-link", "Roadmap").await;
    b.wait_until(&column_is("Next", &["Sync API", "Offline mode"]), "the viewer to see the board").await;
    b.wait_for(".card .card-dates").await;
    let editable = b.eval("return document.querySelectorAll(\"input[aria-label^='New feature in'], .card[draggable='true']\").length").await;
    assert_eq!(editable.as_u64(), Some(0), "no way to add or drag a card in a view link");
    b.eval("[...document.querySelectorAll('.card')].find(c => c.getAttribute('aria-label') === 'Sync API').focus()").await;
    b.type_into(".card:focus", &format!("{}{}{}", keys::ALT, keys::DOWN, keys::NULL)).await;
    // A keydown is handled at once: had it moved the card, the board would show it now.
    let unmoved = b.eval(&format!("return {}", column_is("Next", &["Sync API", "Offline mode"]))).await;
    assert_eq!(unmoved.as_bool(), Some(true), "the viewer's keys moved a card");
    b.screenshot("e2e-roadmap-viewer").await;
    b.close().await;

    // The executive roadmap: executive and public features, themes and horizons, no dates.
    a.click_text(".page-head button", "Publish for an audience").await;
    a.wait_for_text("section[aria-label='Executive roadmap']", "2 features qualify.").await;
    a.click_text("section[aria-label='Executive roadmap'] button", "Publish").await;
    a.wait_for("input[aria-label='Executive roadmap link']").await;
    let exec_link = a.value("input[aria-label='Executive roadmap link']").await;
    a.type_into("input[aria-label='Executive roadmap link']", keys::ESCAPE).await;
    let c = Browser::start().await;
    c.goto(&relay.url("/")).await;
    c.wait_for_text("h1", "Your workspaces").await;
    c.goto(&exec_link).await;
    c.wait_for_text(".banner.view-only", "Executive roadmap").await;
    c.wait_until(&column_is("Next", &["Offline mode"]), "the executive feature in Next").await;
    c.wait_until(&column_is("Later", &["Dark mode"]), "the public feature in Later").await;
    c.select("select[aria-label='Swimlanes']", "theme").await;
    c.wait_until("JSON.stringify([...document.querySelectorAll('.lane-title')].map(t => t.textContent)) === JSON.stringify(['Comfort', 'Work anywhere'])", "executives see the themes").await;
    let page = c.eval("return document.body.innerText").await;
    assert!(!page.as_str().unwrap().contains("Sync API"), "an internal feature reached the executives");
    assert_eq!(c.eval("return document.querySelectorAll('.card-dates').length").await.as_u64(), Some(0), "no exact dates for executives");
    c.screenshot("e2e-roadmap-executives").await;
    c.close().await;
    a.close().await;
}
