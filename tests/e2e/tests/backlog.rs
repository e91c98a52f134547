//! Bringing a Jira backlog in, through the real relay in two real headless Chromiums: A
//! imports the Jira fixture, reads the preview (four to create, statuses mapped), and
//! imports; the epic is a roadmap feature with its story under it and its labels as
//! tags, and B sees it live. Importing a newer export of the same project updates what
//! the first made, and duplicates nothing.

use std::path::PathBuf;

use waymark_e2e::{Browser, Relay};

const DIALOG: &str = ".dialog";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crates/domain/testdata").join(name).canonicalize().expect("the fixture exists")
}

async fn import(b: &Browser, file: &std::path::Path) {
    b.click("details.menu summary").await;
    b.wait_for("input[type=file][aria-label='Import a backlog (Jira or Linear CSV)']").await.send_keys(&file.to_string_lossy()).await.unwrap();
    b.wait_for_text(&format!("{DIALOG} h2"), "Import a backlog").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_jira_backlog_comes_in_once_and_a_newer_export_updates_it() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    a.create_workspace(&relay, "Payments").await;
    a.set_name("Ada Lovelace").await;
    let (edit_link, _) = a.share_links().await;
    b.join(&relay, &edit_link, "Grace Hopper").await;
    b.click_text("a.nav-link", "Features").await;

    import(&a, &fixture("jira-export-sample.csv")).await;
    a.wait_for_text(&format!("{DIALOG} .import-summary"), "4 to create, 0 to update, 0 skipped").await;
    a.wait_for_text(&format!("{DIALOG} table[aria-label='What the import does']"), "Guided onboarding tour").await;
    let mapped = a.eval(&format!("return document.querySelector(\"{DIALOG} select[aria-label='Feature status “In Progress” becomes']\").value")).await;
    assert_eq!(mapped, "in_progress");
    assert_eq!(a.eval(&format!("return document.querySelector(\"{DIALOG} select[aria-label='Item status “To Do” becomes']\").value")).await, "draft");
    // The epic blocks a bug; a bug becomes a story, and Waymark keeps dependencies
    // between features or between stories: the preview says so.
    a.wait_for_text(&format!("{DIALOG} section[aria-label='Dependencies'] li"), "PAY-101 blocks PAY-104 — left out: Waymark keeps dependencies between features or between stories").await;
    a.screenshot("e2e-backlog-preview").await;
    a.click_text(&format!("{DIALOG} button"), "Import").await;
    a.wait_for_text(".toast", "Imported: 4 created, 0 updated.").await;

    // The epic is a feature with its story under it; B sees it arrive.
    a.click_text("a.nav-link", "Features").await;
    a.click_text("ul[aria-label='Features'] .item-row a", "Guided onboarding tour").await;
    a.wait_for_text("aside.editor", "Progress: 0 of 2 stories done").await;
    // Its Jira labels are its tags, and its Jira comment is a comment.
    let tags = a.texts("aside.editor .tag").await;
    assert!(tags.iter().any(|t| t.contains("onboarding")) && tags.iter().any(|t| t.contains("activation")), "labels as tags: {tags:?}");
    a.wait_for_text("aside.editor .comment", "Sam Lee").await;
    a.wait_for_text("aside.editor .comment-text", "Linked to the Q3 activation goal").await;
    // Grace answers it; Ada sees her comment arrive.
    b.click_text("ul[aria-label='Features'] .item-row a", "Guided onboarding tour").await;
    b.type_into("aside.editor textarea[aria-label='Add a comment']", "Let's ship it before the Q3 review.").await;
    b.click_text("aside.editor .comment-form button", "Comment").await;
    a.wait_for_text("aside.editor .comment", "Grace Hopper").await;
    a.wait_for_text("aside.editor .comment-text", "Let's ship it before the Q3 review.").await;
    b.wait_for_text("ul[aria-label='Features'] .item-title", "Guided onboarding tour").await;
    a.click_text("a.nav-link", "Stories").await;
    a.wait_for_text("main", "automatic reminders").await;

    // A newer export of the same project: one rename, nothing duplicated.
    let newer = std::env::temp_dir().join(format!("waymark-jira-{}.csv", std::process::id()));
    std::fs::write(&newer, std::fs::read_to_string(fixture("jira-export-sample.csv")).unwrap().replace("Guided onboarding tour,PAY-101", "Guided product tour,PAY-101")).unwrap();
    import(&a, &newer).await;
    a.wait_for_text(&format!("{DIALOG} .import-summary"), "0 to create, 4 to update, 0 skipped").await;
    a.click_text(&format!("{DIALOG} button"), "Import").await;
    a.wait_for_text(".toast", "Imported: 0 created, 4 updated.").await;
    std::fs::remove_file(&newer).ok();
    b.wait_for_text("ul[aria-label='Features'] .item-title", "Guided product tour").await;
    b.wait_until("document.querySelectorAll(\"ul[aria-label='Features'] .item-row\").length === 1", "one feature, not two").await;

    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_linear_backlog_keeps_its_project_its_dependency_and_its_labels() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    a.create_workspace(&relay, "Field sales").await;
    import(&a, &fixture("linear-export-sample.csv")).await;
    a.wait_for_text(&format!("{DIALOG} p"), "from Linear").await;
    a.wait_for_text(&format!("{DIALOG} .import-summary"), "4 to create, 0 to update, 0 skipped").await;
    a.wait_for_text(&format!("{DIALOG} table[aria-label='What the import does']"), "Field Sales").await;
    a.wait_for_text(&format!("{DIALOG} section[aria-label='Dependencies'] li"), "ENG-15 blocks ENG-12 — kept").await;
    a.click_text(&format!("{DIALOG} button"), "Import").await;
    a.wait_for_text(".toast", "Imported: 4 created, 0 updated.").await;

    // The project is a feature; the issue in it is a story under it, with its labels
    // as tags and the story that blocks it.
    a.click_text("a.nav-link", "Features").await;
    a.wait_for_text("ul[aria-label='Features'] .item-title", "Field Sales").await;
    a.click_text("a.nav-link", "Stories").await;
    a.click_text("a.item-link", "Offline mode for the mobile app").await;
    a.wait_for_text("aside.editor section[aria-label='Blocked by']", "Conflict-free note merge").await;
    let tags = a.texts("aside.editor .tag").await;
    assert!(tags.iter().any(|t| t.contains("mobile")) && tags.iter().any(|t| t.contains("sync")), "labels as tags: {tags:?}");
    let feature = a.eval("return [...document.querySelectorAll('aside.editor select[aria-label=Feature] option')].find(o => o.selected).textContent").await;
    assert_eq!(feature, "Field Sales", "the story is part of its project");
    a.screenshot("e2e-backlog-linear-story").await;
    a.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn any_other_csv_comes_in_through_the_columns_the_person_maps_and_hostile_cells_stay_text() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    a.create_workspace(&relay, "Sheet").await;
    let sheet = std::env::temp_dir().join(format!("waymark-sheet-{}.csv", std::process::id()));
    let huge = "x".repeat(1_000_000);
    std::fs::write(
        &sheet,
        format!(
            "Ref,Name,Kind,Tags,Notes\r\n\
             R-1,Self-serve billing,Epic,billing,\r\n\
             R-2,<img src=x onerror=\"window.hacked=1\">,Story,\"billing, cards\",\r\n\
             R-3,'=HYPERLINK(\"http://evil\"),Story,,{huge}\r\n\
             R-4,Ragged row\r\n"
        ),
    )
    .unwrap();
    let sheet = sheet.canonicalize().unwrap();
    import(&a, &sheet).await;
    // Nothing is read until a column is the title; then the preview shows what comes.
    a.wait_for(&format!("{DIALOG} table[aria-label='Columns']")).await;
    a.wait_for_text(&format!("{DIALOG} .banner"), "Map a column to Title").await;
    a.select("select[aria-label='Column “Name” holds']", "title").await;
    a.select("select[aria-label='Column “Ref” holds']", "key").await;
    a.select("select[aria-label='Column “Kind” holds']", "type").await;
    a.select("select[aria-label='Column “Tags” holds']", "labels").await;
    a.select("select[aria-label='Column “Notes” holds']", "description").await;
    a.wait_for_text(&format!("{DIALOG} .import-summary"), "4 to create, 0 to update, 0 skipped").await;
    a.wait_for_text(&format!("{DIALOG} .banner"), "is longer than 100,000 characters").await;
    a.screenshot("e2e-backlog-mapping").await;
    a.click_text(&format!("{DIALOG} button"), "Import").await;
    a.wait_for_text(".toast", "Imported: 4 created, 0 updated.").await;
    std::fs::remove_file(&sheet).ok();

    a.click_text("a.nav-link", "Features").await;
    a.wait_for_text("ul[aria-label='Features'] .item-title", "Self-serve billing").await;
    a.click_text("a.nav-link", "Stories").await;
    a.wait_for_text("main", "<img src=x onerror=").await;
    a.wait_for_text("main", "=HYPERLINK(").await;
    assert_eq!(a.eval("return document.querySelectorAll('main img').length").await, 0, "markup in a cell stays text");
    assert_eq!(a.eval("return window.hacked === undefined").await, true, "nothing in a cell runs");
    a.close().await;
}
