//! Co-editing through the real relay, in real headless Chromium with separate
//! profiles: share, open the edit link, edit together, lose the relay and come back,
//! read through a view link, two tabs of one browser.

use std::time::Duration;

use waymark_e2e::{keys, Browser, Relay, UP_TO_DATE};

const ROWS: &str = ".idea-row .idea-title";
/// Reconnecting waits for the client's backoff (at most ~20 s once the relay is back).
const RECONNECT: Duration = Duration::from_secs(40);

async fn create_workspace(b: &Browser, name: &str) {
    b.wait_for_text("h1", "Your workspaces").await;
    b.type_into("input[aria-label='New workspace name']", name).await;
    b.click(".create-form button[type=submit]").await;
    b.wait_for_text("h1.page-title", "Brief").await;
}

async fn add_idea(b: &Browser, title: &str) {
    b.type_into("input[aria-label='New idea']", &format!("{title}{}", keys::ENTER)).await;
    b.wait_for_text(ROWS, title).await;
}

/// A, as Ada Lovelace, creates the workspace "Roadmap 2027".
async fn ada_starts_a_workspace(a: &Browser, relay: &Relay) {
    a.goto(&relay.url("/")).await;
    a.set_name("Ada Lovelace").await;
    create_workspace(a, "Roadmap 2027").await;
}

/// A shares the open workspace and waits until it reached the relay: its edit link.
async fn share(a: &Browser) -> String {
    a.share_links().await.0
}

/// A shares the open workspace; B, as Grace Hopper, opens the edit link (returned).
async fn share_with_grace(a: &Browser, b: &Browser, relay: &Relay) -> String {
    let edit_link = share(a).await;
    b.goto(&relay.url("/")).await;
    b.set_name("Grace Hopper").await;
    b.goto(&edit_link).await;
    b.wait_for_text("h1.page-title", "Brief").await;
    edit_link
}

fn has_all(titles: &[&str]) -> String {
    let list = titles.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(",");
    format!("(() => {{ const shown = [...document.querySelectorAll('{ROWS}')].map(e => e.textContent); return [{list}].every(t => shown.some(s => s.includes(t))); }})()")
}

#[tokio::test(flavor = "multi_thread")]
async fn teammates_co_edit_through_the_relay_offline_and_back_and_a_viewer_cannot_change_anything() {
    let mut relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;

    // A starts a workspace and shares it.
    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Offline mode").await;
    a.click("button.share-button").await;
    a.click_text(".dialog button", "Create share links").await;
    a.wait_for(".edit-link input").await;
    let edit_link = a.value(".edit-link input").await;
    let view_link = a.value(".view-link input").await;
    assert!(edit_link.contains("/join#v1.edit."), "{edit_link}");
    assert!(view_link.contains("/join#v1.view."), "{view_link}");
    assert!(!view_link.contains(edit_link.rsplit('.').next().unwrap()), "the view link carries no write secret");
    a.screenshot("e2e-share-dialog").await;
    a.type_into(".edit-link input", keys::ESCAPE).await;
    a.wait_until(UP_TO_DATE, "A's workspace to reach the relay").await;

    // B opens the edit link in another browser profile and gets everything.
    b.goto(&relay.url("/")).await;
    b.set_name("Grace Hopper").await;
    b.goto(&edit_link).await;
    b.wait_for_text("h1.page-title", "Brief").await;
    assert_eq!(b.value("input.ws-name").await, "Roadmap 2027");
    assert!(!b.eval("return location.href").await.as_str().unwrap().contains('#'), "the keys leave the address bar");
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Offline mode").await;

    // Both edit the same idea, and different ideas; both converge.
    a.click_text(".idea-row a", "Offline mode").await;
    b.click_text(".idea-row a", "Offline mode").await;
    // Each sees the other on the same idea.
    a.wait_for_text("aside.editor .peers-here", "Grace Hopper").await;
    b.wait_for_text("aside.editor .peers-here", "Ada Lovelace").await;
    a.wait_until("document.querySelector('.peers .peer[data-name=\"Grace Hopper\"]')", "Grace's avatar in A's header").await;
    // …and on that idea's row in the list, so nobody reworks it unawares.
    a.wait_until(
        "[...document.querySelectorAll('.idea-row')].some(r => r.textContent.includes('Offline mode') && r.querySelector('.peers-on[title=\"Grace Hopper has this open\"]'))",
        "Grace's initials on the Offline mode row in A's list",
    )
    .await;
    a.type_into("aside.editor textarea[placeholder^='The problem']", "Field teams lose signal.").await;
    b.type_into("input[aria-label='Add a tag']", &format!("mobile{}", keys::ENTER)).await;
    a.screenshot("e2e-sync-presence").await;
    a.type_into("body", keys::ESCAPE).await;
    b.type_into("body", keys::ESCAPE).await;
    add_idea(&a, "Dark mode").await;
    add_idea(&b, "Bulk export").await;
    for (who, browser) in [("A", &a), ("B", &b)] {
        browser
            .wait_until(&has_all(&["Offline mode", "Dark mode", "Bulk export"]), &format!("{who} to show every idea"))
            .await;
    }
    for browser in [&a, &b] {
        browser.click_text(".idea-row a", "Offline mode").await;
        browser.wait_for_text(".tag-removable", "mobile").await;
        browser
            .wait_until(
                "document.querySelector(\"aside.editor textarea[placeholder^='The problem']\").value === 'Field teams lose signal.'",
                "the description typed by A",
            )
            .await;
        browser.type_into("body", keys::ESCAPE).await;
    }

    // The relay goes away: both keep working, B even reloads; the relay comes back and
    // both edits reach both.
    a.wait_until(UP_TO_DATE, "A up to date before the outage").await;
    b.wait_until(UP_TO_DATE, "B up to date before the outage").await;
    relay.stop();
    for browser in [&a, &b] {
        browser.wait_until("document.querySelector(\".sync-state[data-state='offline']\")", "the indicator to say offline").await;
    }
    add_idea(&a, "Written by A on a plane").await;
    add_idea(&b, "Written by B on a train").await;
    b.wait_for_text(".save-state", "Saved").await;
    b.screenshot("e2e-sync-offline").await;
    b.reload().await;
    b.wait_for_text(ROWS, "Written by B on a train").await;
    relay.restart().await;
    let everything = ["Offline mode", "Dark mode", "Bulk export", "Written by A on a plane", "Written by B on a train"];
    for (who, browser) in [("A", &a), ("B", &b)] {
        browser.wait_until_within(&has_all(&everything), &format!("{who} to get the other's offline edit"), RECONNECT).await;
        browser.wait_until_within(UP_TO_DATE, &format!("{who} up to date again"), RECONNECT).await;
    }

    // A stakeholder opens the view link: everything shows, nothing can change.
    let v = Browser::start().await;
    v.goto(&view_link).await;
    v.wait_for_text("h1.page-title", "Brief").await;
    v.wait_for_text(".banner", "View only").await;
    v.click("a.nav-link[href$='/ideas']").await;
    v.wait_until(&has_all(&everything), "the viewer to see every idea").await;
    v.wait_until(
        "(() => { const c = document.querySelector(\"input[aria-label='New idea']\"); return !c || c.offsetParent === null; })()",
        "no quick capture for a viewer",
    )
    .await;
    v.click_text(".idea-row a", "Dark mode").await;
    v.wait_for("aside.editor").await;
    let editable = v
        .eval(
            "return [...document.querySelectorAll('input, textarea, select, [contenteditable=true]')]
                .filter(e => !e.readOnly && !e.disabled && e.offsetParent !== null
                    && !['search'].includes(e.type) && !(e.getAttribute('aria-label') || '').match(/search|filter|sort/i))
                .map(e => e.outerHTML.slice(0, 120))",
        )
        .await;
    assert_eq!(editable, serde_json::json!([]), "a viewer has no editable field in the idea editor");
    let buttons = v
        .eval(
            "return [...document.querySelectorAll('aside.editor button')]
                .filter(b => b.offsetParent !== null && !(b.getAttribute('aria-label') || '').startsWith('Close'))
                .map(b => b.textContent)",
        )
        .await;
    assert_eq!(buttons, serde_json::json!([]), "a viewer sees no edit button in the idea editor");
    v.screenshot("e2e-sync-viewer").await;
    // Every section: no control that would change the workspace shows.
    for page in ["priorities", "feedback", "personas", "stories", "docs", "competitors", "trends", "brief"] {
        v.click(&format!("a.nav-link[href$='/{page}']")).await;
        v.wait_for(".content .page").await;
        let offered = v
            .eval(
                "return [...document.querySelectorAll('.content button, .content input, .content textarea, .content select')]
                    .filter(e => e.offsetParent !== null && !e.readOnly && !e.disabled && !e.closest('[data-view]')
                        && e.type !== 'search' && !/^(Filter|Sort|Close|Search)/.test(e.getAttribute('aria-label') || ''))
                    .map(e => e.outerHTML.slice(0, 100))",
            )
            .await;
        assert_eq!(offered, serde_json::json!([]), "a viewer is offered edits on {page}");
        v.screenshot(&format!("e2e-viewer-{page}")).await;
    }
    v.click("a.nav-link[href$='/ideas']").await;
    // A's next change still reaches the viewer live.
    add_idea(&a, "Seen by the stakeholder").await;
    v.wait_for_text(ROWS, "Seen by the stakeholder").await;

    // Nothing anyone typed is readable in the relay's storage.
    let mut leaked = Vec::new();
    for entry in walk(relay.data_dir()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        for marker in ["Field teams lose signal", "Written by A on a plane", "Roadmap 2027", "Ada Lovelace"] {
            if bytes.windows(marker.len()).any(|w| w == marker.as_bytes()) {
                leaked.push(format!("{marker} in {}", entry.display()));
            }
        }
    }
    assert!(leaked.is_empty(), "plaintext in the relay's data: {leaked:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tabs_of_one_browser_stay_in_step_without_a_relay() {
    let mut relay = Relay::start().await;
    let a = Browser::start().await;
    a.goto(&relay.url("/")).await;
    create_workspace(&a, "Tabs").await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "First tab's idea").await;
    let url = a.eval("return location.href").await.as_str().unwrap().to_owned();
    // The second tab loads from the app shell the service worker cached.
    a.wait_until("navigator.serviceWorker.controller !== null", "the app shell cached").await;
    // The relay is gone: the tabs talk to each other directly.
    relay.stop();
    let first = a.client.window().await.unwrap();
    let second = a.client.new_window(true).await.unwrap().handle;
    a.client.switch_to_window(second.clone()).await.unwrap();
    a.goto(&url).await;
    a.wait_for_text(ROWS, "First tab's idea").await;
    add_idea(&a, "Second tab's idea").await;
    a.client.switch_to_window(first.clone()).await.unwrap();
    a.wait_for_text(ROWS, "Second tab's idea").await;
    add_idea(&a, "Back in the first tab").await;
    a.client.switch_to_window(second).await.unwrap();
    a.wait_for_text(ROWS, "Back in the first tab").await;
    // Both tabs' work is stored: a reload shows all three.
    a.reload().await;
    a.wait_until(&has_all(&["First tab's idea", "Second tab's idea", "Back in the first tab"]), "all three after reload").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tabs_and_a_teammate_converge_with_the_second_tab_opened_from_the_view_cache() {
    let relay = Relay::start().await;
    let (a, b) = (Browser::start().await, Browser::start().await);
    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Ada's first idea").await;
    share_with_grace(&a, &b, &relay).await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Ada's first idea").await;
    let url = a.eval("return location.href").await.as_str().unwrap().to_owned();
    a.wait_for_view_caches(1).await;
    let first = a.client.window().await.unwrap();
    let second = a.client.new_window(true).await.unwrap().handle;
    a.client.switch_to_window(second.clone()).await.unwrap();
    a.goto(&url).await;
    a.wait_for_text(ROWS, "Ada's first idea").await;

    // Each of the three adds an idea; everyone ends with all of them.
    add_idea(&b, "Grace's idea").await;
    a.wait_for_text(ROWS, "Grace's idea").await;
    add_idea(&a, "Ada's second tab's idea").await;
    a.client.switch_to_window(first).await.unwrap();
    a.wait_until(&has_all(&["Grace's idea", "Ada's second tab's idea"]), "the teammate's and the other tab's ideas in the first tab").await;
    add_idea(&a, "Ada's first tab again").await;
    let all = ["Ada's first idea", "Grace's idea", "Ada's second tab's idea", "Ada's first tab again"];
    b.wait_until(&has_all(&all), "the teammate to have both tabs' ideas").await;
    a.client.switch_to_window(second).await.unwrap();
    a.wait_until(&has_all(&all), "the second tab to have everything").await;
    // Nothing shows twice, and everything is stored.
    assert_eq!(a.texts(ROWS).await.len(), 4);
    b.reload().await;
    b.wait_until(&has_all(&all), "everything after the teammate reloads").await;
    assert_eq!(b.texts(ROWS).await.len(), 4);
    a.reload().await;
    a.wait_until(&has_all(&all), "everything after a reload").await;
    assert_eq!(a.texts(ROWS).await.len(), 4);
    // The header of a shared workspace on a phone: name, then actions, then status.
    b.client.set_window_size(390, 844).await.unwrap();
    b.wait_for_text(".sync-state", "Up to date").await;
    b.screenshot("e2e-ideas-shared-390").await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Whether the row (`row` CSS) holding `text` shows `who`'s initials as having it open.
fn row_shows_open_by(row: &str, text: &str, who: &str) -> String {
    format!(
        "[...document.querySelectorAll(\"{row}\")].some(r => r.textContent.includes({text:?}) && r.querySelector('.peers-on[title=\"{who} has this open\"]'))"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_teammates_open_item_shows_on_its_row_in_every_list() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;

    // A writes one of each kind of item, then shares the workspace.
    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Offline mode").await;
    a.click("a.nav-link[href$='/personas']").await;
    a.type_into("input[aria-label='New persona name']", &format!("Fiona, finance admin{}", keys::ENTER)).await;
    a.wait_for_text(".persona-card .persona-name", "Fiona, finance admin").await;
    a.click("a.nav-link[href$='/feedback']").await;
    a.type_into("input[aria-label='New feedback']", "Lost a morning of work on the train").await;
    a.click(".capture button[type=submit]").await;
    a.wait_for_text(".feedback-row", "Lost a morning of work on the train").await;
    a.click("a.nav-link[href$='/stories']").await;
    a.type_into("input[aria-label='New story goal']", &format!("keep working without signal{}", keys::ENTER)).await;
    a.wait_for_text("ul[aria-label='Stories'] .item-row", "keep working without signal").await;
    a.click("a.nav-link[href$='/docs']").await;
    a.type_into("input[aria-label='New document title']", &format!("Offline spec{}", keys::ENTER)).await;
    a.wait_for_text(".doc-row", "Offline spec").await;
    a.type_into("body", keys::ESCAPE).await;
    a.click("a.nav-link[href$='/competitors']").await;
    a.type_into("input[aria-label='New competitor name']", &format!("Acme Analytics{}", keys::ENTER)).await;
    a.wait_for_text("ul[aria-label='Competitors'] .item-row", "Acme Analytics").await;
    a.type_into("body", keys::ESCAPE).await;
    share_with_grace(&a, &b, &relay).await;

    // B opens each item in turn; A, on that item's list, sees Grace's initials on its
    // row (and on the idea's row of the ranked table).
    for (page, b_page, open, row, text) in [
        ("ideas", "ideas", ".idea-row a", ".idea-row", "Offline mode"),
        ("priorities", "ideas", ".idea-row a", ".rank-row", "Offline mode"),
        ("personas", "personas", ".persona-card", ".persona-card", "Fiona, finance admin"),
        ("feedback", "feedback", ".feedback-row a", ".feedback-row", "Lost a morning of work"),
        ("stories", "stories", "ul[aria-label='Stories'] a", "ul[aria-label='Stories'] .item-row", "keep working without signal"),
        ("docs", "docs", ".doc-row a", ".doc-row", "Offline spec"),
        ("competitors", "competitors", "ul[aria-label='Competitors'] a", "ul[aria-label='Competitors'] .item-row", "Acme Analytics"),
    ] {
        b.click(&format!("a.nav-link[href$='/{b_page}']")).await;
        b.click_text(open, text).await;
        b.wait_for("aside.editor").await;
        a.click(&format!("a.nav-link[href$='/{page}']")).await;
        a.wait_until(&row_shows_open_by(row, text, "Grace Hopper"), &format!("Grace's initials on the {text:?} row of A's {page}")).await;
        a.screenshot(&format!("e2e-presence-{page}")).await;
        b.type_into("body", keys::ESCAPE).await;
        a.wait_until(&format!("!({})", row_shows_open_by(row, text, "Grace Hopper")), &format!("Grace's initials gone from A's {page} once she closes it")).await;
    }
}

/// Where the caret is in the persona editor's goals, and what they say.
async fn goals(b: &Browser) -> (String, i64, bool) {
    let v = b
        .eval(&format!(
            "const t = document.querySelector(\"{GOALS}\"); return [t.value, t.selectionStart, document.activeElement === t];"
        ))
        .await;
    (v[0].as_str().unwrap_or_default().to_owned(), v[1].as_i64().unwrap_or(-1), v[2].as_bool().unwrap_or(false))
}

const GOALS: &str = "aside.editor textarea[placeholder='What are they trying to achieve?']";

#[tokio::test(flavor = "multi_thread")]
async fn two_people_typing_in_one_persona_keep_both_edits_and_their_carets() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;

    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/personas']").await;
    a.type_into("input[aria-label='New persona name']", &format!("Fiona, finance admin{}", keys::ENTER)).await;
    a.type_into(GOALS, "Close the month in a day").await;
    share_with_grace(&a, &b, &relay).await;
    b.click("a.nav-link[href$='/personas']").await;
    b.click_text(".persona-card", "Fiona, finance admin").await;
    b.wait_until(&format!("document.querySelector(\"{GOALS}\").value === 'Close the month in a day'"), "B to see Fiona's goals").await;

    // A's caret goes in the middle of the goals, after "Close the month", by keyboard.
    a.click_text(".persona-card", "Fiona, finance admin").await;
    a.type_into(GOALS, &format!("{}{}", keys::HOME, keys::RIGHT.repeat("Close the month".len()))).await;
    assert_eq!(goals(&a).await, ("Close the month in a day".to_owned(), 15, true));

    // Grace adds a word at the start; Ada's caret stays after "Close the month".
    b.type_into(GOALS, &format!("{}Finance: ", keys::HOME)).await;
    a.wait_until(&format!("document.querySelector(\"{GOALS}\").value.startsWith('Finance: ')"), "A to get Grace's edit").await;
    assert_eq!(goals(&a).await, ("Finance: Close the month in a day".to_owned(), 24, true), "Ada's caret moved with her text");

    // Both type at once: Ada in the middle, Grace at the end.
    let at_the_end = format!("{} and sleep well", keys::END);
    tokio::join!(a.type_into(GOALS, " quickly"), b.type_into(GOALS, &at_the_end));
    let both = "Finance: Close the month quickly in a day and sleep well";
    for (who, browser) in [("Ada", &a), ("Grace", &b)] {
        browser.wait_until(&format!("document.querySelector(\"{GOALS}\").value === '{both}'"), &format!("{who} to have both edits")).await;
    }
    let (_, ada_caret, ada_focused) = goals(&a).await;
    let (_, grace_caret, grace_focused) = goals(&b).await;
    assert_eq!((ada_caret, ada_focused), (both.find(" in a day").unwrap() as i64, true), "Ada's caret is still after what she typed");
    assert_eq!((grace_caret, grace_focused), (both.len() as i64, true), "Grace's caret is still at the end");
    a.screenshot("e2e-caret-kept").await;
}

/// The relay loses everything (reset, new disk): the client notices that the relay's
/// log is not the one it synced with, sends the whole workspace again, and a teammate
/// who opens the link afterwards gets all of it.
#[tokio::test(flavor = "multi_thread")]
async fn after_a_relay_loses_its_data_the_workspace_is_sent_again_and_a_newcomer_gets_everything() {
    let mut relay = Relay::start().await;
    let a = Browser::start().await;
    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Written before the reset").await;
    let edit_link = share(&a).await;

    relay.restart_empty().await;
    a.wait_until_within("document.querySelector(\".sync-state[data-state='offline'], .sync-state[data-state='syncing'], .sync-state[data-state='connecting']\")", "A to notice the relay went away", RECONNECT).await;
    a.wait_until_within(UP_TO_DATE, "A to send everything again", RECONNECT).await;

    let b = Browser::start().await;
    b.goto(&relay.url("/")).await;
    b.set_name("Grace Hopper").await;
    b.goto(&edit_link).await;
    b.wait_for_text("h1.page-title", "Brief").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_until(&has_all(&["Written before the reset"]), "the newcomer to get what was written before the reset").await;
}

/// Exports the open workspace as an `.automerge` file and moves it to `name`.
async fn export_copy(b: &Browser, name: &str) -> std::path::PathBuf {
    b.click("details.menu summary").await;
    b.click_text(".menu-panel button", "Automerge file").await;
    let file = b.wait_for_download(".automerge").await;
    let kept = std::env::temp_dir().join(format!("{}-{name}", std::process::id()));
    std::fs::rename(&file, &kept).unwrap();
    kept
}

/// Merging a copy into a shared workspace sends its changes to everyone with a link:
/// from Home and from the workspace's menu, the app asks first; Cancel changes nothing,
/// "Merge and share" merges, and a teammate gets what the file held.
#[tokio::test(flavor = "multi_thread")]
async fn merging_a_copy_into_a_shared_workspace_asks_first() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    ada_starts_a_workspace(&a, &relay).await;
    // Two copies of one workspace: without and with an idea.
    let empty = export_copy(&a, "empty.automerge").await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Only in the file").await;
    a.wait_for_text(".save-state", "Saved on this device").await;
    let with_idea = export_copy(&a, "with-idea.automerge").await;
    // The workspace here goes back to the empty copy, and is shared.
    a.click("a.brand").await;
    a.click_text(".workspace-card button", "Delete").await;
    a.click_text(".dialog button", "Delete workspace").await;
    a.wait_for_text(".empty h2", "No workspaces yet").await;
    a.wait_for("input[type=file]").await.send_keys(&empty.to_string_lossy()).await.unwrap();
    a.wait_for_text(".workspace-card", "0 ideas").await;
    a.click_text(".workspace-card h2", "Roadmap 2027").await;
    let edit_link = share(&a).await;

    // From Home: asked, cancelled, nothing merged.
    a.click("a.brand").await;
    a.wait_for_text(".workspace-card", "0 ideas").await;
    a.wait_for("input[type=file]").await.send_keys(&with_idea.to_string_lossy()).await.unwrap();
    a.wait_for_text(".dialog h2", "Merge into a shared workspace?").await;
    a.wait_for_text(".dialog p", "“Roadmap 2027”, which you share with others").await;
    a.screenshot("e2e-merge-into-shared-asks").await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.screenshot("e2e-merge-into-shared-asks-390").await;
    a.client.set_window_size(1400, 1000).await.unwrap();
    a.click_text(".dialog button", "Cancel").await;
    a.wait_until("!document.querySelector('.dialog')", "the question to close").await;
    assert!(a.texts(".workspace-card").await.iter().all(|t| t.contains("0 ideas")), "nothing merged after Cancel");

    // From the workspace's menu: asked too; this time merged.
    a.click_text(".workspace-card h2", "Roadmap 2027").await;
    a.wait_until(UP_TO_DATE, "the workspace to connect").await;
    a.click("details.menu summary").await;
    a.wait_for(".menu-panel input[type=file][accept='.automerge']").await.send_keys(&with_idea.to_string_lossy()).await.unwrap();
    a.wait_for_text(".dialog h2", "Merge into a shared workspace?").await;
    a.click_text(".dialog button", "Merge and share").await;
    a.wait_for_text(".toast", "Merged the file's changes").await;
    a.click("a.nav-link[href$='/ideas']").await;
    a.wait_for_text(ROWS, "Only in the file").await;
    a.wait_until(UP_TO_DATE, "the merged change to reach the relay").await;

    // A teammate opening the link gets it.
    b.goto(&edit_link).await;
    b.wait_for_text("h1.page-title", "Brief").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Only in the file").await;
}

/// Removing access: Ada replaces the links. Grace (old edit link) and a stakeholder
/// (old view link) are told their link was replaced and get nothing new; Grace opens
/// the new link and her copy switches to it, with what she wrote meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn replacing_the_links_cuts_off_the_old_ones_and_the_new_link_carries_on() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    let c = Browser::start().await;
    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Before the change").await;
    let (old_edit, old_view) = a.share_links().await;
    b.goto(&relay.url("/")).await;
    b.set_name("Grace Hopper").await;
    for (who, link) in [(&b, &old_edit), (&c, &old_view)] {
        who.goto(link).await;
        who.wait_for_text("h1.page-title", "Brief").await;
        who.click("a.nav-link[href$='/ideas']").await;
        who.wait_for_text(ROWS, "Before the change").await;
    }

    // Ada replaces the links: asked first, then new links.
    a.click("button.share-button").await;
    a.wait_for_text(".replace-links h3", "Remove someone's access").await;
    a.click_text(".replace-links button", "Replace links…").await;
    a.wait_for_text(".replace-confirm", "Replace both links now?").await;
    a.screenshot("e2e-share-replace-links-confirm").await;
    // On a phone the question stays in reach.
    a.client.set_window_size(390, 844).await.unwrap();
    a.eval("document.querySelector('.replace-confirm').scrollIntoView({block: 'center'})").await;
    a.screenshot("e2e-share-replace-links-confirm-390").await;
    a.client.set_window_size(1400, 1000).await.unwrap();
    a.click_text(".replace-confirm button", "Replace links").await;
    a.wait_for_text(".toast", "New links are ready").await;
    a.wait_until(&format!("document.querySelector('.edit-link input').value !== {old_edit:?}"), "a new edit link").await;
    let new_edit = a.value(".edit-link input").await;
    assert!(new_edit.contains("/join#v1.edit."), "{new_edit}");
    assert_ne!(a.value(".view-link input").await, old_view, "a new view link too");
    a.screenshot("e2e-share-new-links").await;
    a.type_into(".edit-link input", keys::ESCAPE).await;
    a.wait_until(UP_TO_DATE, "the workspace to reach the relay under its new keys").await;

    // The old links are told, and stop.
    let closed = "document.querySelector(\".sync-state[data-state='closed']\")";
    for who in [&b, &c] {
        who.wait_until(closed, "the old link to be closed").await;
        who.wait_for_text(".sync-state", "Link replaced").await;
        who.wait_for_text(".link-replaced", "This link was replaced").await;
    }
    b.screenshot("e2e-old-link-replaced").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("e2e-old-link-replaced-390").await;
    b.client.set_window_size(1400, 1000).await.unwrap();
    add_idea(&b, "Grace while replaced").await;
    add_idea(&a, "After the change").await;
    a.wait_until(UP_TO_DATE, "A's idea to reach the new log").await;
    assert!(!c.texts(ROWS).await.iter().any(|t| t.contains("After the change")), "the old view link gets nothing new");

    // Grace opens the new link: the same workspace, switched, with her idea sent on.
    b.goto(&new_edit).await;
    b.wait_for_text("h1.page-title", "Brief").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_until(&has_all(&["Before the change", "After the change", "Grace while replaced"]), "Grace to have all three ideas").await;
    a.wait_for_text(ROWS, "Grace while replaced").await;
    b.goto(&relay.url("/")).await;
    b.wait_for_text(".workspace-card h2", "Roadmap 2027").await;
    assert_eq!(b.texts(".workspace-card").await.len(), 1, "switched, not copied");
}

/// Two teammates on one network connect directly (the relay only passes their sealed
/// offers on): when the relay stops, their edits still reach each other; a teammate
/// who joins once it is back gets everything, what was written without it included.
/// A (Ada) and B (Grace), connected directly with the relay down, both on the ideas
/// with "Offline mode": each adds an idea (A the first title, B the second) that the
/// other sees, and each sees the other on "Offline mode" once both open it.
async fn co_edit_directly_with_no_relay(a: &Browser, b: &Browser, (by_a, by_b): (&str, &str)) {
    for browser in [a, b] {
        browser.wait_for_text(".sync-state[data-state='offline']", "Relay offline · direct with 1").await;
    }
    add_idea(a, by_a).await;
    b.wait_for_text(ROWS, by_a).await;
    add_idea(b, by_b).await;
    a.wait_for_text(ROWS, by_b).await;
    // Presence goes directly too.
    a.click_text(".idea-row a", "Offline mode").await;
    b.click_text(".idea-row a", "Offline mode").await;
    a.wait_for_text("aside.editor .peers-here", "Grace Hopper").await;
    b.wait_for_text("aside.editor .peers-here", "Ada Lovelace").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn teammates_connected_directly_keep_co_editing_without_the_relay_and_a_latecomer_gets_everything() {
    let mut relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Offline mode").await;
    let edit_link = share_with_grace(&a, &b, &relay).await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Offline mode").await;
    for browser in [&a, &b] {
        browser.wait_for_text(".sync-state", "direct with 1").await;
    }
    a.screenshot("e2e-direct-connected").await;
    // The share dialog says so, and takes the servers that would connect teammates
    // across networks (none unless added); a wrong one is refused with its line.
    a.click("button.share-button").await;
    a.wait_for_text(".direct-connections", "Connected directly with 1 teammate.").await;
    a.type_into(".direct-connections textarea", "https://stun.example.org").await;
    a.click_text(".direct-connections button", "Save servers").await;
    a.wait_for_text(".direct-connections [role=alert]", "Line 1:").await;
    a.eval("const t = document.querySelector('.direct-connections textarea'); t.select(); return true;").await;
    a.type_into(".direct-connections textarea", "stun:stun.example.org:3478").await;
    a.click_text(".direct-connections button", "Save servers").await;
    a.wait_for_text(".direct-connections [role=status]", "Saved 1 server").await;
    a.eval("document.querySelector('.direct-connections').scrollIntoView({block: 'center'}); return true;").await;
    a.screenshot("e2e-share-direct-connections").await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.eval("document.querySelector('.direct-connections').scrollIntoView({block: 'center'}); return true;").await;
    a.screenshot("e2e-share-direct-connections-390").await;
    a.client.set_window_size(1280, 900).await.unwrap();
    a.type_into(".direct-connections textarea", keys::ESCAPE).await;

    relay.stop();
    co_edit_directly_with_no_relay(&a, &b, ("Typed while the relay is down", "Answered directly")).await;
    b.screenshot("e2e-direct-relay-down").await;
    a.type_into("body", keys::ESCAPE).await;
    b.type_into("body", keys::ESCAPE).await;

    relay.restart().await;
    for (who, browser) in [("A", &a), ("B", &b)] {
        browser.wait_until_within(UP_TO_DATE, &format!("{who} up to date again"), RECONNECT).await;
    }
    // The relay numbers each connection anew: still one teammate, one connection.
    let grace = "document.querySelectorAll('.peers .peer[data-name=\"Grace Hopper\"]').length";
    assert_eq!(a.eval(&format!("return {grace}")).await, serde_json::json!(1), "Grace once in A's header");
    a.wait_for_text(".sync-state", "Up to date").await;
    let state = a.texts(".sync-state").await.join("");
    assert!(state.contains("direct with 1"), "{state}");
    let c = Browser::start().await;
    c.goto(&relay.url("/")).await;
    c.set_name("Katherine Johnson").await;
    c.goto(&edit_link).await;
    c.wait_for_text("h1.page-title", "Brief").await;
    c.click("a.nav-link[href$='/ideas']").await;
    c.wait_until(&has_all(&["Offline mode", "Typed while the relay is down", "Answered directly"]), "the latecomer to get everything").await;
}

/// A view-link holder whose copy holds a change it made anyway (written into its own
/// browser's storage, as a modified app could) connects directly: the editor refuses
/// that change, says so, and never shows it.
#[tokio::test(flavor = "multi_thread")]
async fn a_viewers_forged_change_sent_directly_is_refused() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let v = Browser::start().await;
    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Planned by the team").await;
    let (_, view_link) = a.share_links().await;
    v.join(&relay, &view_link, "Mallory").await;
    v.click("a.nav-link[href$='/ideas']").await;
    v.wait_for_text(ROWS, "Planned by the team").await;

    // The viewer's copy, changed outside the app (natively, with the write it lacks
    // the key for), and stored back as one of its chunks.
    let file = export_copy(&v, "viewer.automerge").await;
    let mut copy = waymark_domain::Workspace::load(&std::fs::read(&file).unwrap()).expect("the viewer's copy loads");
    let _ = copy.save_incremental();
    // Three changes, one after another: Automerge's sync offers a change unless the
    // editor's Bloom filter seems to hold it (about 1 in 100 for one change), and then
    // still offers the changes after it, so the editor is offered at least one.
    let mut forged = Vec::new();
    for n in 0..3 {
        copy.create_idea(&format!("Forged by a viewer {n}"), 1_700_000_000_000 + n, "Mallory").unwrap();
        forged.extend(copy.save_incremental());
    }
    let forged: Vec<String> = forged.iter().map(u8::to_string).collect();
    let stored = v
        .eval_async(&format!(
            "const done = arguments[0]; const id = location.pathname.split('/')[2];
             const open = indexedDB.open('waymark');
             open.onsuccess = () => {{
               const tx = open.result.transaction('chunks', 'readwrite');
               tx.objectStore('chunks').put(new Uint8Array([{}]), id + ':999999999999999:000001-ffff');
               tx.oncomplete = () => {{ open.result.close(); done(true); }};
               tx.onerror = () => done(String(tx.error));
             }};
             open.onerror = () => done(String(open.error));",
            forged.join(",")
        ))
        .await;
    assert_eq!(stored, serde_json::json!(true), "the forged change is in the viewer's storage");
    v.reload().await;
    v.wait_for_text(ROWS, "Forged by a viewer").await;

    // They connect directly; the viewer's copy offers its change; the editor refuses it.
    for browser in [&a, &v] {
        browser.wait_for_text(".sync-state", "direct with 1").await;
    }
    a.wait_for_text(".banner.warning", "A teammate with a view link sent changes directly; they were refused.").await;
    a.screenshot("e2e-direct-forged-refused").await;
    let titles = a.texts(ROWS).await;
    assert!(!titles.iter().any(|t| t.contains("Forged")), "the editor never shows it: {titles:?}");
    std::fs::remove_file(file).unwrap();
}

/// With no server at all (the relay stopped once the app was loaded): A invites B by
/// text copied across, B answers, A pastes the answer, and the workspace reaches B
/// straight from A's browser; then the two co-edit live over that connection.
#[tokio::test(flavor = "multi_thread")]
async fn with_no_server_an_invitation_copied_across_brings_the_workspace_and_teammates_co_edit() {
    let mut relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    ada_starts_a_workspace(&a, &relay).await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Offline mode").await;
    b.goto(&relay.url("/")).await;
    b.set_name("Grace Hopper").await;
    b.wait_for_text("h1", "Your workspaces").await;
    // B's document worker first starts after the relay is gone: from the app shell
    // its service worker cached.
    b.wait_until("navigator.serviceWorker.controller !== null", "B's app shell cached").await;
    relay.stop();

    // A: the share dialog makes keys and an invitation without any server.
    a.click("button.share-button").await;
    a.click_text(".dialog button", "Create share links").await;
    a.click_text(".invite-directly button", "Create an invitation").await;
    a.wait_until("document.querySelector('textarea[aria-label=Invitation]')?.value.startsWith('waymark-invitation.1.')", "the invitation").await;
    let invitation = a.value("textarea[aria-label=Invitation]").await;
    a.screenshot("e2e-invite-without-server").await;

    // B: something that is not an invitation is refused and said so; the invitation is
    // answered.
    b.click_text("a.btn", "Join with an invitation").await;
    b.wait_for_text("h1", "Join with an invitation").await;
    b.type_into(".invitation-form textarea", "https://example.org/join#v1.edit.broken").await;
    b.click_text(".invitation-form button", "Answer the invitation").await;
    b.wait_for_text("[role=alert]", "This is not a Waymark invitation").await;
    b.click_text("[role=alert] button", "Try again").await;
    b.eval("const t = document.querySelector('.invitation-form textarea'); t.value = ''; t.dispatchEvent(new Event('input')); return true;").await;
    b.type_into(".invitation-form textarea", &invitation).await;
    b.click_text(".invitation-form button", "Answer the invitation").await;
    b.wait_for_text(".invitation-answer h2", "Invitation to “Roadmap 2027”").await;
    let answer = b.value("textarea[aria-label='Your answer']").await;
    assert!(answer.starts_with("waymark-answer.1."), "{answer}");
    b.screenshot("e2e-invitation-answer").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("e2e-invitation-answer-390").await;
    b.client.set_window_size(1280, 900).await.unwrap();

    // A: an answer that is not one is refused under the field; the real one connects.
    a.type_into(".invite-answer textarea", "waymark-answer.1.AAAA").await;
    a.click_text(".invite-answer button", "Connect").await;
    a.wait_for_text(".invite-answer [role=alert]", "not for an invitation of this workspace").await;
    a.eval("const t = document.querySelector('.invite-answer textarea'); t.value = ''; t.dispatchEvent(new Event('input')); return true;").await;
    a.type_into(".invite-answer textarea", &answer).await;
    a.eval("document.querySelector('.invite-answer').scrollIntoView({block: 'center'}); return true;").await;
    a.screenshot("e2e-invite-answer-pasted").await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.eval("document.querySelector('.invite-answer').scrollIntoView({block: 'center'}); return true;").await;
    a.screenshot("e2e-invite-answer-pasted-390").await;
    a.client.set_window_size(1280, 900).await.unwrap();
    a.click_text(".invite-answer button", "Connect").await;
    a.wait_for_text(".invite-directly [role=status]", "Connected directly").await;
    a.wait_for_text(".direct-connections", "Connected directly with 1 teammate.").await;
    // A screen reader hears who arrived.
    a.wait_until("document.querySelector('.peers-announce')?.textContent.includes('Grace Hopper joined.')", "Grace's arrival announced").await;
    a.eval("document.querySelector('.invite-directly').scrollIntoView({block: 'center'}); return true;").await;
    a.screenshot("e2e-invite-connected").await;
    a.click_text(".dialog button", "Done").await;

    // B gets the workspace from A's browser, and the two co-edit with no server.
    b.wait_for_text("h1.page-title", "Brief").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Offline mode").await;
    co_edit_directly_with_no_relay(&a, &b, ("Then typed by Ada", "Answered with no server")).await;
    b.screenshot("e2e-invitation-co-editing").await;

    // B reloads: the connection is gone (no server to find A again). A new invitation
    // reconnects the copy B has, with what each wrote meanwhile.
    b.reload().await;
    b.wait_for_text(ROWS, "Then typed by Ada").await;
    a.wait_until("!document.querySelector('.sync-state')?.textContent.includes('direct with')", "A to see B gone").await;
    add_idea(&b, "Written while apart").await;
    add_idea(&a, "Also written while apart").await;
    a.click("button.share-button").await;
    a.click_text(".invite-directly button", "Create an invitation").await;
    a.wait_until("document.querySelector('textarea[aria-label=Invitation]')?.value.startsWith('waymark-invitation.1.')", "the second invitation").await;
    let invitation = a.value("textarea[aria-label=Invitation]").await;
    b.click_text("a.brand", "Waymark").await;
    b.click_text("a.btn", "Join with an invitation").await;
    b.type_into(".invitation-form textarea", &invitation).await;
    b.click_text(".invitation-form button", "Answer the invitation").await;
    b.wait_until("document.querySelector('textarea[aria-label=\"Your answer\"]')?.value.startsWith('waymark-answer.1.')", "the second answer").await;
    let answer = b.value("textarea[aria-label='Your answer']").await;
    a.type_into(".invite-answer textarea", &answer).await;
    a.click_text(".invite-answer button", "Connect").await;
    a.wait_for_text(".invite-directly [role=status]", "Connected directly").await;
    a.click_text(".dialog button", "Done").await;
    b.wait_for_text("h1.page-title", "Brief").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Also written while apart").await;
    a.wait_for_text(ROWS, "Written while apart").await;
    add_idea(&a, "Live again").await;
    b.wait_for_text(ROWS, "Live again").await;
}
